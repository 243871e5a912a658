"""Reproducibility: same scenario and seed give byte-identical files, pinned by a golden copy.

The golden files are the output of `deconflict run scenarios/corridor-small.yaml` at the
scenario's seed and replications. This test only compares: after an intended change to the
model, regenerate them with `python scripts/regenerate.py golden` (which prints what
changed) and say why in CHANGES.md and the commit message.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from sim.cli import main
from sim.scenario.bundled import resolve_portable
from tests.conftest import REPO

SMALL = REPO / "scenarios" / "corridor-small.yaml"
GOLDEN = Path(__file__).parent / "golden" / "corridor-small"
FILES = ("replications.csv", "encounters.csv", "summary.csv")


def _run(out: Path) -> None:
    assert main(["run", str(SMALL), "--out", str(out), "-q"]) == 0


@pytest.fixture(scope="module")
def run_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("run") / "a"
    _run(out)
    return out


def test_two_runs_are_byte_identical(run_dir: Path, tmp_path: Path) -> None:
    _run(tmp_path / "b")
    for name in FILES:
        assert (run_dir / name).read_bytes() == (tmp_path / "b" / name).read_bytes(), name


@pytest.mark.parametrize("name", FILES)
def test_matches_the_golden_copy(run_dir: Path, name: str) -> None:
    assert (run_dir / name).read_text() == (GOLDEN / name).read_text()


def test_manifest_records_provenance(run_dir: Path) -> None:
    import json

    manifest = json.loads((run_dir / "manifest.json").read_text())
    assert manifest["seed"] == 7 and manifest["replications"] == 5
    assert len(manifest["scenario_sha256"]) == 64
    assert manifest["scenario"]["name"] == "corridor-small"
    assert manifest["policies"] == ["no-notice", "notice-30", "area-notice", "shared", "hotline", "split"]
    assert {"simpy", "numpy", "pydantic"} <= set(manifest["environment"])
    assert not [p for p in run_dir.parent.iterdir() if p.name.startswith(".")]  # no staging left behind
    # paths inside the current directory are recorded relative to it, others absolute
    sectors = (SMALL.parent / "data" / "two_boxes.geojson").resolve()
    assert resolve_portable(manifest["sectors_file"]).resolve() == sectors
    assert resolve_portable(manifest["scenario_file"]).resolve() == SMALL.resolve()


def test_the_bundled_sectors_are_recorded_by_name(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A run of a scenario without sectors_file names the packaged governorates, wherever it runs from."""
    import json

    monkeypatch.chdir(tmp_path)
    argv = ["run", str(REPO / "scenarios" / "syria-2015-10.yaml"), "-n", "1", "--policy", "no-notice"]
    assert main([*argv, "--out", "out", "-q"]) == 0
    manifest = json.loads((tmp_path / "out" / "manifest.json").read_text())
    assert manifest["sectors_file"] == "<bundled>/syria_governorates.geojson"
    assert manifest["scenario_file"] == str((REPO / "scenarios" / "syria-2015-10.yaml").resolve())


def test_regenerate_script_checks_without_writing_and_reports_moved_means() -> None:
    """``scripts/regenerate.py golden --check`` finds the golden copy current; ``describe`` names moved means."""
    import importlib.util

    spec = importlib.util.spec_from_file_location("regenerate", REPO / "scripts" / "regenerate.py")
    assert spec is not None and spec.loader is not None
    regenerate = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(regenerate)
    before = {p.name: p.read_bytes() for p in GOLDEN.iterdir()}
    assert regenerate.regenerate("golden", check=True) == 0
    assert {p.name: p.read_bytes() for p in GOLDEN.iterdir()} == before
    header = "policy,metric,n,mean,sd,ci95_low,ci95_high\n"
    old = header + "a,encounters_los,5,2.0,1.0,1.0,3.0\na,flight_h,5,9.0,1.0,8.0,10.0\n"
    new = header + "a,encounters_los,5,4.0,1.0,3.0,5.0\na,flight_h,5,9.0,1.0,8.0,10.0\n"
    lines = regenerate.describe("summary.csv", old, new)
    assert len(lines) == 2 and "encounters_los" in lines[1] and "2 ->" in lines[1] and "OUTSIDE" in lines[1]
    assert regenerate.describe("summary.csv", old, old) == []


def test_a_run_is_plotted_from_another_directory(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Relative paths in a manifest resolve from where the run was started, wherever ``plot`` runs."""
    import json

    monkeypatch.chdir(REPO)
    out = tmp_path / "cs"
    assert main(["run", "scenarios/corridor-small.yaml", "-n", "1", "-j", "1", "-q", "--out", str(out)]) == 0
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["sectors_file"] == "scenarios/data/two_boxes.geojson"
    assert manifest["working_directory"] == str(REPO)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)
    assert main(["plot", str(out), "--out", "figs"]) == 0
    assert (elsewhere / "figs" / "map.png").is_file()


def test_plot_writes_nothing_when_the_map_cannot_be_drawn(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import json

    out = tmp_path / "cs"
    assert main(["run", str(SMALL), "-n", "1", "-j", "1", "-q", "--out", str(out)]) == 0
    manifest = json.loads((out / "manifest.json").read_text())
    manifest["sectors_file"], manifest["working_directory"] = "nowhere/boxes.geojson", str(tmp_path)
    (out / "manifest.json").write_text(json.dumps(manifest))
    monkeypatch.chdir(tmp_path)
    assert main(["plot", str(out), "--out", "figs"]) == 2
    assert not (tmp_path / "figs").exists() or not any((tmp_path / "figs").iterdir())
