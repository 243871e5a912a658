"""Sensitivity analysis: indices on toy models with known answers, determinism, bad files, a tiny run."""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np
import pytest
from SALib.analyze import morris as morris_analyze

from sim.cli import main
from sim.experiment.sensitivity_design import to_values, unit_design, unit_problem
from sim.experiment.sensitivity_indices import elementary_effects, indices, ranking
from sim.scenario.sensitivity import sensitivity_from_data

CORRIDOR = Path(__file__).resolve().parents[2] / "scenarios" / "corridor-small.yaml"
FOUR = {
    "sides.red.sorties_per_day": {"low": 30, "high": 90},
    "sides.blue.sorties_per_day": {"low": 20, "high": 50},
    "policies.notice-30.lead_min": {"low": 10, "high": 60},
    "sides.blue.ops_cell.reaction_min": {"low": 5, "high": 30, "distribution": "triangular", "mode": 10},
}


def _spec(method: str, **extra: object):
    data = {"sensitivity": {"scenario": str(CORRIDOR), "method": method, "vary": FOUR, "outputs": ["encounters_los"]}}
    data["sensitivity"].update(extra)
    return sensitivity_from_data(data, {}, CORRIDOR.parent / "toy.yaml")


def _toy(unit: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """y1 depends on parameter 0 only; y2 on parameters 1 and 2, in product."""
    return 3.0 * unit[:, 0], (unit[:, 1] + 0.5) * (unit[:, 2] + 0.5)


def _by(rows: list[dict], index: str) -> np.ndarray:
    return np.array([r["value"] for r in rows if r["index"] == index])


def test_morris_singles_out_the_right_parameters() -> None:
    spec = _spec("morris", trajectories=20, resamples=200)
    unit = unit_design(spec)
    y1, y2 = _toy(unit)
    mu1 = _by(indices("morris", unit, y1, levels=4, resamples=200, seed=1), "mu_star")
    np.testing.assert_allclose(mu1, [3.0, 0.0, 0.0, 0.0], atol=1e-12)  # linear: every effect is 3
    rows2 = indices("morris", unit, y2, levels=4, resamples=200, seed=1)
    mu2, sigma2 = _by(rows2, "mu_star"), _by(rows2, "sigma")
    assert mu2[1] > 0.5 and mu2[2] > 0.5 and mu2[0] == 0 and mu2[3] == 0
    assert sigma2[1] > 0 and sigma2[2] > 0  # the product: each effect depends on the other parameter
    for r in rows2:
        assert r["ci95_low"] <= r["value"] + 1e-12 and r["value"] <= r["ci95_high"] + 1e-12


def test_elementary_effects_agree_with_salib() -> None:
    spec = _spec("morris", trajectories=6)
    unit = unit_design(spec)
    y = np.sin(3 * unit[:, 0]) + unit[:, 1] * unit[:, 3]
    res = morris_analyze.analyze(unit_problem(4), unit, y, num_levels=4, seed=1)
    effects = elementary_effects(unit, y)
    np.testing.assert_allclose(np.abs(effects).mean(axis=0), res["mu_star"], rtol=1e-9)
    np.testing.assert_allclose(effects.std(axis=0, ddof=1), res["sigma"], rtol=1e-9)


def test_sobol_singles_out_the_right_parameters() -> None:
    spec = _spec("sobol", samples=512)
    unit = unit_design(spec)
    assert unit.shape == (512 * 6, 4)
    y1, y2 = _toy(unit)
    rows1 = indices("sobol", unit, y1, levels=4, resamples=100, seed=1)
    np.testing.assert_allclose(_by(rows1, "S1"), [1, 0, 0, 0], atol=0.05)
    np.testing.assert_allclose(_by(rows1, "ST"), [1, 0, 0, 0], atol=0.05)
    st2 = _by(indices("sobol", unit, y2, levels=4, resamples=100, seed=1), "ST")
    assert st2[1] > 0.3 and st2[2] > 0.3 and abs(st2[0]) < 0.02 and abs(st2[3]) < 0.02


def test_design_and_indices_are_deterministic_for_a_seed() -> None:
    a, b = unit_design(_spec("morris", seed=5)), unit_design(_spec("morris", seed=5))
    np.testing.assert_array_equal(a, b)
    assert not np.array_equal(a, unit_design(_spec("morris", seed=6)))
    y = _toy(a)[1]
    assert indices("morris", a, y, levels=4, resamples=300, seed=5) == indices(
        "morris", b, y, levels=4, resamples=300, seed=5
    )
    values = to_values(a, _spec("morris").parameters)
    assert values[:, 0].min() >= 30 and values[:, 0].max() <= 90
    assert np.array_equal(values[:, 0], np.rint(values[:, 0]))  # an integer field stays an integer


def test_ranking_text_orders_and_ties() -> None:
    assert ranking({"a": 2.0, "b": 1.0, "c": 2.0}, ["a", "b", "c"]) == "b < a = c"


def _write(tmp_path: Path, body: str) -> Path:
    path = tmp_path / "s.yaml"
    path.write_text(body.replace("SCENARIO", str(CORRIDOR)), encoding="utf-8")
    return path


GOOD = """sensitivity:
  scenario: SCENARIO
  method: morris
  vary:
    sides.red.sorties_per_day: {low: 30, high: 90}
    policies.notice-30.lead_min: {low: 10, high: 60}
  outputs: [encounters_los]
  policies: [no-notice, notice-30]
  replications: 1
  trajectories: 2
  resamples: 100
"""


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        ("  method: morris\n", "  method: morris\n  colour: red\n", "line 4: sensitivity.colour: Extra inputs"),
        ("{low: 30, high: 90}", "{low: 90, high: 30}", "line 5: sensitivity.vary.sides.red.sorties_per_day"),
        ("sides.red.sorties_per_day", "sides.red.sorties_a_day", "line 5: sensitivity.vary.sides.red.sorties_a_day"),
        ("[encounters_los]", "[encounters_lost]", "line 7: sensitivity.outputs.0: no column 'encounters_lost'"),
        ("  trajectories: 2\n", "  trajectories: 2\n  samples: 64\n", "sensitivity.samples: applies to method sobol"),
        ("{low: 10, high: 60}", "{low: -60, high: -10}", "sensitivity point"),
    ],
)
def test_bad_sensitivity_files_exit_2_and_write_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], old: str, new: str, expected: str
) -> None:
    assert old in GOOD
    path = _write(tmp_path, GOOD.replace(old, new))
    out = tmp_path / "out"
    assert main(["sensitivity", str(path), "--out", str(out), "-j", "1", "-q"]) == 2
    err = capsys.readouterr().err
    assert expected in err and str(path) in err or "sensitivity point" in expected and expected in err
    assert "Traceback" not in err
    assert not out.exists()


def test_a_tiny_analysis_writes_its_tables_and_figures_the_same_twice(tmp_path: Path) -> None:
    path = _write(tmp_path, GOOD)
    tables = []
    for name in ("a", "b"):
        out = tmp_path / name
        assert main(["sensitivity", str(path), "--out", str(out), "-j", "1", "-q"]) == 0
        assert (out / "manifest.json").is_file() and not (out / ".partial").exists()
        assert (out / "figures" / "morris_encounters_los.png").is_file()
        tables.append([(out / f).read_text(encoding="utf-8") for f in ("design.csv", "indices.csv", "ranking.csv")])
    assert tables[0] == tables[1]
    design = list(csv.DictReader(tables[0][0].splitlines()))
    assert (
        len(design) == 1 + 2 * 3 and design[0]["role"] == "nominal" and design[0]["sides.red.sorties_per_day"] == "60"
    )
    rows = list(csv.DictReader(tables[0][1].splitlines()))
    assert {r["policy"] for r in rows} == {"no-notice", "notice-30", "notice-30-minus-no-notice"}
    assert {r["index"] for r in rows} == {"mu_star", "sigma"}
    for d in design:  # the paired difference is the difference of the levels
        diff = float(d["encounters_los:notice-30"]) - float(d["encounters_los:no-notice"])
        assert float(d["encounters_los:notice-30-minus-no-notice"]) == pytest.approx(diff)
