"""The tactical layer keeps determinism and resume: 1 worker, 2 processes and Dask agree byte for byte.

The corridor scenario with a tactical block on both sides (a site picture with updates and
latency, turn-aways and holds), 8 replications of two policies.
"""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
import yaml

from sim.cli import main
from tests.conftest import REPO

TABLES = ("replications.csv", "encounters.csv", "summary.csv", "airborne.csv", "transits.csv")
TACTICAL = {
    "standoff_nm": 10,
    "standoff_ft": 4000,
    "response_s": 20,
    "manoeuvre": ["turn_away", "hold", "rtb"],
    "surveillance": {
        "update_s": 12,
        "latency_s": 6,
        "sources": [{"name": "site", "lat_deg": 35.0, "lon_deg": 38.0, "range_nm": 60, "lowest_ft": 2000}],
    },
}


@pytest.fixture(scope="module")
def scenario(tmp_path_factory: pytest.TempPathFactory) -> Path:
    data = yaml.safe_load((REPO / "scenarios" / "corridor-small.yaml").read_text(encoding="utf-8"))
    for side in data["sides"].values():
        side["tactical"] = TACTICAL
    data["sectors_file"] = str(REPO / "scenarios" / data["sectors_file"])
    path = tmp_path_factory.mktemp("tactical") / "corridor-tactical.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    return path


def _run(scenario: Path, out: Path, *options: str) -> None:
    args = ["run", str(scenario), "-n", "8", "--policy", "no-notice", "--policy", "notice-30", "--out", str(out), "-q"]
    assert main([*args, *options]) == 0


def test_tactical_tables_are_identical_whatever_the_executor(scenario: Path, tmp_path: Path) -> None:
    _run(scenario, tmp_path / "serial", "-j", "1")
    _run(scenario, tmp_path / "two", "-j", "2", "--chunk-size", "3")
    configs = ["two"]
    try:
        import dask.distributed  # noqa: F401

        _run(scenario, tmp_path / "dask", "--dask", "local", "-j", "2")
        configs.append("dask")
    except ImportError:
        pass
    for table in TABLES:
        want = (tmp_path / "serial" / table).read_bytes()
        for name in configs:
            assert (tmp_path / name / table).read_bytes() == want, (name, table)
    rows = list(csv.DictReader((tmp_path / "serial" / "replications.csv").open(encoding="utf-8")))
    assert sum(int(r["red_tactical_alerts"]) + int(r["blue_tactical_alerts"]) for r in rows) > 0
    assert sum(int(r["blue_tactical_missed"]) for r in rows) > 0  # the site does not see everything


def test_no_tactical_runs_the_same_sorties_without_the_columns(scenario: Path, tmp_path: Path) -> None:
    _run(scenario, tmp_path / "off", "-j", "1", "--no-tactical")
    plain = tmp_path / "plain"
    assert main(["run", str(REPO / "scenarios" / "corridor-small.yaml"), "-n", "8", "--policy", "no-notice",
                 "--policy", "notice-30", "--out", str(plain), "-q", "-j", "1"]) == 0  # fmt: skip
    for table in ("replications.csv", "encounters.csv"):
        assert (tmp_path / "off" / table).read_bytes() == (plain / table).read_bytes(), table


def test_the_printed_summary_shows_the_tactical_layer_of_the_sides_that_had_alerts(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["compare", str(REPO / "results" / "reference" / "syria-2015-10")]) == 0
    out = capsys.readouterr().out
    assert "Tactical layer of coalition" in out and "Tactical layer of russia" not in out
    section = out.split("Tactical layer of coalition", 1)[1].split("\nCollision risk", 1)[0]
    table = section.splitlines()
    assert table[1].split()[:3] == ["policy", "alerts", "turn-aways"]
    # split to fit 100 columns: the last column in a second block that repeats the policies
    blocks = section.strip().split("\n\n")
    assert len(blocks) == 2 and blocks[1].splitlines()[0].split() == ["policy", "missed"]
    assert all(len(line) <= 100 for line in section.splitlines())
    assert "coalition alerts" in out  # in the paired table too


def test_with_no_tactical_writes_the_companion_and_the_layers_figure_uses_it(
    scenario: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from sim.plots.data import load_run
    from sim.plots.layers import load_companion

    _run(scenario, tmp_path / "on", "-j", "1", "--with-no-tactical", "--plot")
    _run(scenario, tmp_path / "off", "-j", "1", "--no-tactical")
    companion = tmp_path / "on" / "no-tactical"
    for table in ("replications.csv", "encounters.csv", "summary.csv"):
        assert (companion / table).read_bytes() == (tmp_path / "off" / table).read_bytes(), table
    assert (tmp_path / "on" / "figures" / "layers.png").is_file()
    run = load_run(tmp_path / "on")
    off = load_companion(run)
    assert off is not None and off.path == companion
    # a companion that is not the same sorties is refused, naming its manifest
    manifest = companion / "manifest.json"
    manifest.write_text(manifest.read_text(encoding="utf-8").replace('"seed": ', '"seed": 1'), encoding="utf-8")
    capsys.readouterr()
    assert main(["plot", str(tmp_path / "on")]) == 2
    err = capsys.readouterr().err
    assert "no-tactical/manifest.json" in err and "seed" in err and "Traceback" not in err


def test_with_no_tactical_is_refused_where_it_means_nothing(
    scenario: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    plain = REPO / "scenarios" / "corridor-small.yaml"
    assert main(["run", str(plain), "-n", "2", "--with-no-tactical", "--out", str(tmp_path / "a"), "-q"]) == 2
    assert "no side a tactical layer" in capsys.readouterr().err
    assert main(["run", str(scenario), "-n", "2", "--with-no-tactical", "--no-tactical", "--out",
                 str(tmp_path / "b"), "-q"]) == 2  # fmt: skip
    assert "choose one" in capsys.readouterr().err
    assert not (tmp_path / "a").exists() and not (tmp_path / "b").exists()
