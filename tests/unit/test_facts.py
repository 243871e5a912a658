"""``deconflict facts``: a run held against reported observables, and bad facts files.

A three-replication run of the corridor scenario (4-hour horizon, so per-day numbers are
six times the per-replication ones). The expected model numbers are computed here from the
run's own ``replications.csv`` and ``transits.csv`` with the csv module, not by the code
under test.
"""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np
import pytest

from sim.cli import main
from tests.conftest import REPO

FACTS = """facts:
  description: tiny
  rows:
    - name: red sorties a day
      reported: {low: LOW, high: HIGH}
      unit: sorties/day
      source: "[test]"
      model: {policy: no-notice, columns: {red_sorties_flown: 1}}
    - name: blue transit to West
      reported: {value: 19}
      tolerance: 2
      unit: min
      source: "[test]"
      model: {policy: no-notice, transits: {side: blue, bases: [east_field], regions: [West]}}
"""


@pytest.fixture(scope="module")
def run_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("facts") / "run"
    assert main(["run", str(REPO / "scenarios" / "corridor-small.yaml"), "-n", "3", "--out", str(out), "-q"]) == 0
    return out


def _red_per_day(run_dir: Path) -> float:
    with (run_dir / "replications.csv").open(encoding="utf-8", newline="") as f:
        rows = [r for r in csv.DictReader(f) if r["policy"] == "no-notice"]
    return float(np.mean([float(r["red_sorties_flown"]) for r in rows])) * 24 / 4


def _blue_west_min(run_dir: Path) -> float:
    with (run_dir / "transits.csv").open(encoding="utf-8", newline="") as f:
        rows = [
            r
            for r in csv.DictReader(f)
            if (r["policy"], r["side"], r["base"], r["region"]) == ("no-notice", "blue", "east_field", "West")
        ]
    per_rep = {}
    for r in rows:
        n, m = per_rep.get(r["replication"], (0, 0.0))
        per_rep[r["replication"]] = (n + int(r["sorties"]), m + int(r["sorties"]) * float(r["transit_min"]))
    return float(np.mean([m / n for n, m in per_rep.values() if n]))


def _write(tmp_path: Path, body: str) -> Path:
    path = tmp_path / "facts.yaml"
    path.write_text(body, encoding="utf-8")
    return path


def test_facts_pass_and_fail_on_the_models_numbers(
    run_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    red = _red_per_day(run_dir)
    west = _blue_west_min(run_dir)
    inside = FACTS.replace("LOW", f"{red - 1:.3f}").replace("HIGH", f"{red + 1:.3f}")
    expected_west = 0 if abs(west - 19) <= 2 else 1  # the second row's verdict, worked out here
    assert main(["facts", str(run_dir), str(_write(tmp_path, inside))]) == expected_west
    text = capsys.readouterr().out
    assert f"{red:.3g}" in text and f"{west:.3g}" in text
    outside = FACTS.replace("LOW", f"{red + 1:.3f}").replace("HIGH", f"{red + 2:.3f}")
    assert main(["facts", str(run_dir), str(_write(tmp_path, outside))]) == 1
    assert "FAIL" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        ("  description: tiny\n", "  description: tiny\n  colour: red\n", "line 3"),
        ("{low: LOW, high: HIGH}", "{low: 5, high: 1}", "line 5"),
        ("red_sorties_flown", "red_sorties_flew", "no column 'red_sorties_flew'"),
        ("policy: no-notice, transits", "policy: nobody, transits", "no policy 'nobody'"),
    ],
)
def test_bad_facts_files_exit_2_naming_file_and_field(
    run_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], old: str, new: str, expected: str
) -> None:
    assert old in FACTS
    body = FACTS.replace(old, new).replace("LOW", "1").replace("HIGH", "2")
    path = _write(tmp_path, body)
    assert main(["facts", str(run_dir), str(path)]) == 2
    err = capsys.readouterr().err
    assert expected in err and str(path) in err, err
    assert "Traceback" not in err
