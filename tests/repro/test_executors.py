"""Determinism across executors: 1 worker, 2 worker processes, any chunk size and Dask agree byte for byte.

Every configuration runs the same scenario and seed (corridor-small, 12 replications of its
six policies) in its own results directory; each table must equal the in-process run's
exactly, and the manifest must say how the work was done.
"""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest

from sim.cli import main
from tests.conftest import REPO

SMALL = REPO / "scenarios" / "corridor-small.yaml"
REPLICATIONS = 12
POLICIES = 6
TABLES = ("replications.csv", "encounters.csv", "summary.csv", "airborne.csv", "transits.csv", "comparison.json")

# name -> (extra CLI options, expected manifest executor, workers, chunk size)
CONFIGS: dict[str, tuple[list[str], str, int, int]] = {
    "serial": (["-j", "1"], "in-process", 1, 3),  # default chunk: ceil(12 / 4)
    "two-processes": (["-j", "2"], "processes", 2, 2),  # default chunk: ceil(12 / 8)
    "two-processes-chunk-1": (["-j", "2", "--chunk-size", "1"], "processes", 2, 1),
    "two-processes-chunk-5": (["-j", "2", "--chunk-size", "5"], "processes", 2, 5),  # uneven last chunk
    "dask-local": (["--dask", "local", "-j", "2"], "dask", 2, 2),
}


def _run(out: Path, options: list[str]) -> None:
    code = main(["run", str(SMALL), "-n", str(REPLICATIONS), "--out", str(out), "-q", *options])
    assert code == 0


@pytest.fixture(scope="module")
def runs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Run directories of every configuration but Dask (which has its own fixture)."""
    root = tmp_path_factory.mktemp("executors")
    out = {}
    for name, (options, *_rest) in CONFIGS.items():
        if name.startswith("dask"):
            continue
        out[name] = root / name
        _run(out[name], options)
    return out


@pytest.fixture(scope="module")
def dask_run(tmp_path_factory: pytest.TempPathFactory) -> Path:
    pytest.importorskip("dask.distributed")
    out = tmp_path_factory.mktemp("dask") / "dask-local"
    _run(out, CONFIGS["dask-local"][0])
    return out


def _dir(name: str, runs: dict[str, Path], request: pytest.FixtureRequest) -> Path:
    return request.getfixturevalue("dask_run") if name.startswith("dask") else runs[name]


def test_the_reference_run_is_not_trivial(runs: dict[str, Path]) -> None:
    """Identical empty tables would prove nothing: the serial run has every row and some encounters."""
    ref = runs["serial"]
    with (ref / "replications.csv").open(newline="") as f:
        rows = list(csv.DictReader(f))
    assert len(rows) == REPLICATIONS * POLICIES
    assert [int(r["replication"]) for r in rows[::POLICIES]] == list(range(REPLICATIONS))
    with (ref / "encounters.csv").open(newline="") as f:
        assert len(list(csv.DictReader(f))) > 10
    # the replications differ from each other: the seeds really are per replication
    assert len({r["red_flight_h"] for r in rows if r["policy"] == "no-notice"}) > 1


@pytest.mark.parametrize("name", [n for n in CONFIGS if n != "serial"])
@pytest.mark.parametrize("table", TABLES)
def test_tables_are_byte_identical_to_the_serial_run(
    name: str, table: str, runs: dict[str, Path], request: pytest.FixtureRequest
) -> None:
    other = _dir(name, runs, request)
    assert (other / table).read_bytes() == (runs["serial"] / table).read_bytes(), f"{table} differs under {name}"


@pytest.mark.parametrize("name", list(CONFIGS))
def test_manifest_records_the_executor(name: str, runs: dict[str, Path], request: pytest.FixtureRequest) -> None:
    _options, executor, workers, chunk_size = CONFIGS[name]
    manifest = json.loads((_dir(name, runs, request) / "manifest.json").read_text())
    assert manifest["executor"] == executor
    assert manifest["workers"] == workers
    assert manifest["chunk_size"] == chunk_size
    assert manifest["resumed"] is False
    assert manifest["replications"] == REPLICATIONS
    (session,) = manifest["sessions"]
    assert session["executor"] == executor
    assert session["policy_replications_computed"] == REPLICATIONS * POLICIES
    assert session["policy_replications_reused"] == 0


def test_dask_manifest_names_a_loopback_scheduler(dask_run: Path) -> None:
    (session,) = json.loads((dask_run / "manifest.json").read_text())["sessions"]
    assert session["dask_scheduler"].startswith("tcp://127.0.0.1:")
    assert session["dask_workers"] == 2


@pytest.mark.parametrize("name", list(CONFIGS))
def test_nothing_but_the_results_is_left(name: str, runs: dict[str, Path], request: pytest.FixtureRequest) -> None:
    """No staging or chunk files survive a finished run."""
    left = sorted(p.name for p in _dir(name, runs, request).iterdir())
    assert left == sorted([*TABLES, "manifest.json"])


# --- executor options: refused before anything is written ---------------------------------------


@pytest.mark.parametrize(
    "options",
    [
        ["-j", "0"],
        ["--chunk-size", "-1"],
        ["--chunk-size", "0"],
    ],
)
def test_bad_executor_options_are_input_errors(
    options: list[str], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "out"
    code = main(["run", str(SMALL), "-n", "2", "--out", str(out), "-q", *options])
    err = capsys.readouterr().err
    assert code == 2
    assert err.startswith("error: ") and "at least 1" in err, err
    assert not out.exists()


def test_an_unreachable_dask_scheduler_writes_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    distributed = pytest.importorskip("dask.distributed")

    def refuse(*args: object, **kwargs: object) -> None:  # what Client does after its 10 s timeout
        raise OSError("Timed out trying to connect to tcp://127.0.0.1:1 after 10 s")

    monkeypatch.setattr(distributed, "Client", refuse)
    out = tmp_path / "out"
    code = main(["run", str(SMALL), "-n", "2", "--out", str(out), "-q", "--dask", "tcp://127.0.0.1:1"])
    err = capsys.readouterr().err
    assert code == 2
    assert err.startswith("error: --dask: cannot connect"), err
    assert not out.exists() or not any(out.iterdir()), sorted(p.name for p in out.rglob("*"))
