"""Every scenario shipped in scenarios/ validates and runs briefly from the command line."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from sim.cli import main
from tests.conftest import REPO

SCENARIOS = sorted((REPO / "scenarios").glob("*.yaml"))


def test_there_are_scenarios() -> None:
    assert {p.name for p in SCENARIOS} >= {"syria-2015-10.yaml", "corridor-small.yaml"}


@pytest.mark.parametrize("path", SCENARIOS, ids=lambda p: p.stem)
def test_scenario_validates_and_runs(path: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["validate", str(path)]) == 0
    out = tmp_path / "run"
    assert main(["run", str(path), "-n", "2", "--out", str(out), "-q"]) == 0
    printed = capsys.readouterr().out
    from sim.scenario.load import load_scenario

    sc = load_scenario(path).scenario
    unit = "per day" if sc.horizon_h == 24 else f"per {sc.horizon_h:g} h horizon"
    assert f"Encounters {unit}, mean ±95 % CI half-width over 2 replications per policy" in printed
    assert "Cost of deconfliction" in printed
    assert max(len(line) for line in printed.splitlines()) <= 100  # no line wraps in 100 columns
    rows = list(csv.DictReader((out / "replications.csv").open()))
    assert len(rows) == 2 * len(sc.policies)
    assert {r["policy"] for r in rows} == set(sc.policies)
    for r in rows:
        for side in sc.side_names:
            assert int(r[f"{side}_sorties_flown"]) + int(r[f"{side}_cancelled"]) == int(r[f"{side}_sorties_planned"])


def test_run_refuses_a_non_empty_output_directory(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "full"
    out.mkdir()
    (out / "keep.txt").write_text("mine")
    assert main(["run", str(SCENARIOS[0]), "-n", "1", "--out", str(out), "-q"]) == 2
    assert "not empty" in capsys.readouterr().err
    assert [p.name for p in out.iterdir()] == ["keep.txt"]


def test_policy_selection(tmp_path: Path) -> None:
    small = REPO / "scenarios" / "corridor-small.yaml"
    out = tmp_path / "sel"
    assert (
        main(["run", str(small), "-n", "1", "--policy", "shared", "--policy", "no-notice", "--out", str(out), "-q"])
        == 0
    )
    rows = list(csv.DictReader((out / "replications.csv").open()))
    assert [r["policy"] for r in rows] == ["no-notice", "shared"]  # scenario order
