"""The scenario's ``errors`` blocks: side defaults, fleet overrides and what is refused."""

from __future__ import annotations

from pathlib import Path

import pytest

from sim.errors import InputError
from sim.scenario.load import load_scenario

REPO = Path(__file__).resolve().parents[2]
BASELINE = (REPO / "scenarios" / "syria-2015-10.yaml").read_text(encoding="utf-8")


def _load(tmp_path: Path, text: str):  # noqa: ANN202
    path = tmp_path / "s.yaml"
    path.write_text(text, encoding="utf-8")
    return load_scenario(path)


def test_fleet_fields_override_the_side_defaults(tmp_path: Path) -> None:
    sc = _load(tmp_path, BASELINE).scenario
    mq1 = sc.fleet_errors("coalition", "mq1b")
    assert (mq1.lateral_sd_ft, mq1.vertical_sd_ft, mq1.lateral_law) == (100, 80, "normal")  # own, then side's law
    f15 = sc.fleet_errors("coalition", "f15e")
    assert (f15.lateral_sd_ft, f15.vertical_sd_ft, f15.wingspan_ft) == (300, 100, 42.8)  # side's errors, own size
    assert sc.has_risk


@pytest.mark.parametrize(
    ("old", "new", "words"),
    [
        ("errors: {length_ft: 74.5, wingspan_ft: 57.7, height_ft: 20.3}", "errors: {length_ft: 74.5, height_ft: 20.3}",
         ["sides.russia", "fleets.su24m.errors: missing wingspan_ft"]),
        ("lateral_sd_ft: 500,", "lateral_sd_ft: -5,", ["sides.russia.errors.lateral_sd_ft"]),
        ("lateral_law: normal, vertical_sd_ft: 150", "lateral_law: cauchy, vertical_sd_ft: 150", ["lateral_law"]),
        ("name: nmac,", "name: near-miss,", ["no level is named nmac"]),
    ],
)  # fmt: skip
def test_incomplete_or_bad_errors_are_refused_by_field(tmp_path: Path, old: str, new: str, words: list[str]) -> None:
    assert old in BASELINE
    with pytest.raises(InputError) as err:
        _load(tmp_path, BASELINE.replace(old, new, 1))
    for word in words:
        assert word in str(err.value), str(err.value)


def test_a_scenario_without_errors_has_no_risk_columns(tmp_path: Path) -> None:
    from sim.experiment.metrics import row_columns

    sc = load_scenario(REPO / "scenarios" / "corridor-small.yaml").scenario
    assert not sc.has_risk
    assert "risk_nmac" not in row_columns(sc.side_names, [lv.name for lv in sc.levels], sc.has_tactical, sc.has_risk)
