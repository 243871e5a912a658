"""Interruption and resume: ``kill -9`` and Ctrl-C leave nothing that looks complete, and ``--resume``
finishes the run byte-identical to an uninterrupted one.

The two signal tests start ``python -m sim run`` as a real process (in its own session, so
that a Ctrl-C can go to the whole process group as a terminal sends it), wait for chunk
files to appear, signal it, and resume with other executor settings. The other tests make
an unfinished run cheaply in this process: a wrapped executor raises ``KeyboardInterrupt``
(what Ctrl-C raises) after the first chunk is saved.
"""

from __future__ import annotations

import contextlib
import json
import os
import shlex
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from sim.cli import main
from tests.conftest import REPO, CliResult, stop_after_first_chunk

SMALL = REPO / "scenarios" / "corridor-small.yaml"
REPLICATIONS = 60  # 20 chunks of 3: long enough to interrupt, short enough for CI
TABLES = ("replications.csv", "encounters.csv", "summary.csv", "airborne.csv", "transits.csv", "comparison.json")
RESULT_FILES = (*TABLES, "manifest.json")


@pytest.fixture(scope="module")
def uninterrupted(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An uninterrupted run of the same replications (2 workers, default chunk size)."""
    out = tmp_path_factory.mktemp("reference") / "run"
    assert main(["run", str(SMALL), "-n", str(REPLICATIONS), "--out", str(out), "-j", "2", "-q"]) == 0
    return out


@pytest.fixture
def started() -> Iterator[list[subprocess.Popen[str]]]:
    """Processes a test starts; any still alive at the end are killed with their process group."""
    procs: list[subprocess.Popen[str]] = []
    yield procs
    for proc in procs:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(timeout=10)


def _start(out: Path, procs: list[subprocess.Popen[str]]) -> subprocess.Popen[str]:
    cmd = [sys.executable, "-m", "sim", "run", str(SMALL), "-n", str(REPLICATIONS), "--out", str(out)]
    proc = subprocess.Popen(
        [*cmd, "-j", "2", "--chunk-size", "3", "-q"],
        cwd=out.parent,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )
    procs.append(proc)
    return proc


def _chunk_files(out: Path) -> list[Path]:
    return sorted((out / ".partial" / "chunks").glob("r*.json"))


def _wait_for_chunks(out: Path, proc: subprocess.Popen[str], at_least: int) -> None:
    deadline = time.monotonic() + 60
    while len(_chunk_files(out)) < at_least:
        assert proc.poll() is None, f"the run ended (code {proc.returncode}) before {at_least} chunks were saved"
        assert time.monotonic() < deadline, "no chunk file appeared within 60 s"
        time.sleep(0.005)


def _processes_naming(out: Path) -> list[str]:
    found = subprocess.run(["pgrep", "-af", str(out)], capture_output=True, text=True)
    return found.stdout.splitlines()


def _assert_no_process_left(out: Path) -> None:
    """Workers notice their parent is gone within about a second; allow a few."""
    deadline = time.monotonic() + 10
    while (left := _processes_naming(out)) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not left, f"processes left behind: {left}"


def _assert_nothing_looks_complete(out: Path) -> None:
    assert sorted(p.name for p in out.iterdir()) == [".partial"]
    for path in _chunk_files(out):  # every chunk file on disk is whole
        data = json.loads(path.read_text())
        assert data["stop"] > data["start"]


def _assert_same_tables(out: Path, reference: Path) -> None:
    for name in TABLES:
        assert (out / name).read_bytes() == (reference / name).read_bytes(), f"{name} differs after resume"
    assert not (out / ".partial").exists()


def test_kill_9_then_resume_gives_the_uninterrupted_tables(
    tmp_path: Path, uninterrupted: Path, started: list[subprocess.Popen[str]], cli: Callable[..., CliResult]
) -> None:
    out = tmp_path / "killed"
    proc = _start(out, started)
    _wait_for_chunks(out, proc, at_least=6)  # a third or so, some finished out of order
    proc.kill()  # SIGKILL to the main process only: no handler runs, the workers are orphaned
    proc.wait(timeout=10)
    assert proc.returncode == -signal.SIGKILL
    _assert_no_process_left(out)
    _assert_nothing_looks_complete(out)
    saved = len(_chunk_files(out))

    res = cli("run", SMALL, "-n", REPLICATIONS, "--out", out, "--resume", "-j", "1", "--chunk-size", "7", "-q")
    assert res.code == 0, res.err
    _assert_same_tables(out, uninterrupted)
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["resumed"] is True
    assert (manifest["executor"], manifest["workers"], manifest["chunk_size"]) == ("in-process", 1, 7)
    last = manifest["sessions"][-1]
    assert last["policy_replications_reused"] >= saved * 3 * 6
    assert last["policy_replications_reused"] + last["policy_replications_computed"] == REPLICATIONS * 6


def test_ctrl_c_exits_cleanly_and_says_how_to_resume(
    tmp_path: Path, uninterrupted: Path, started: list[subprocess.Popen[str]], cli: Callable[..., CliResult]
) -> None:
    out = tmp_path / "interrupted"
    proc = _start(out, started)
    _wait_for_chunks(out, proc, at_least=1)
    os.killpg(proc.pid, signal.SIGINT)  # as a terminal sends Ctrl-C: to the main process and its workers
    _, err = proc.communicate(timeout=30)
    assert proc.returncode == 130, err
    assert "Traceback" not in err and "KeyboardInterrupt" not in err, err
    assert "--resume" in err and str(out) in err, err
    _assert_no_process_left(out)
    _assert_nothing_looks_complete(out)

    # the command it prints works as given (with other executor settings added)
    line = next(ln for ln in err.splitlines() if "--resume" in ln)
    command = shlex.split(line[line.index("deconflict") :])
    assert command[:2] == ["deconflict", "run"]
    res = cli(*command[1:], "-j", "2", "--chunk-size", "4", "-q")
    assert res.code == 0, res.err
    _assert_same_tables(out, uninterrupted)
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["resumed"] is True
    assert (manifest["executor"], manifest["workers"], manifest["chunk_size"]) == ("processes", 2, 4)


def test_ctrl_c_to_the_main_process_alone_also_exits_cleanly(
    tmp_path: Path, started: list[subprocess.Popen[str]]
) -> None:
    out = tmp_path / "interrupted"
    proc = _start(out, started)
    _wait_for_chunks(out, proc, at_least=1)
    proc.send_signal(signal.SIGINT)
    _, err = proc.communicate(timeout=30)
    assert proc.returncode == 130, err
    assert "Traceback" not in err and "resume with: deconflict run" in err, err
    _assert_no_process_left(out)
    _assert_nothing_looks_complete(out)


# --- cheap unfinished runs, made in this process ---------------------------------------------


def _unfinished(cli: Callable[..., CliResult], monkeypatch: pytest.MonkeyPatch, *argv: str | Path) -> CliResult:
    with stop_after_first_chunk(monkeypatch):
        res = cli("run", SMALL, "-j", "1", "--chunk-size", "2", "-q", *argv)
    assert res.code == 130, res.err
    assert "--resume" in res.err
    return res


def _state(path: Path) -> dict[str, bytes]:
    return {str(p.relative_to(path)): p.read_bytes() for p in sorted(path.rglob("*")) if p.is_file()}


@pytest.mark.parametrize(
    ("option", "named"),
    [(["--seed", "8"], "seed"), (["-n", "7"], "replications"), (["--policy", "shared"], "policies")],
)
def test_resume_with_other_settings_is_refused(
    tmp_path: Path, cli: Callable[..., CliResult], monkeypatch: pytest.MonkeyPatch, option: list[str], named: str
) -> None:
    out = tmp_path / "run"
    _unfinished(cli, monkeypatch, "-n", "6", "--out", out)
    before = _state(out)
    argv = ["run", SMALL, "--out", out, "--resume", "-q", "-j", "1", *option]
    if "-n" not in option:
        argv += ["-n", "6"]
    res = cli(*argv)
    assert res.code == 2
    assert res.err.startswith(f"error: {out}: cannot resume"), res.err
    assert named in res.err and "Traceback" not in res.err
    assert _state(out) == before  # nothing written, nothing removed


def test_resume_without_out_finds_the_newest_unfinished_run(
    tmp_path: Path, cli: Callable[..., CliResult], monkeypatch: pytest.MonkeyPatch
) -> None:
    root = tmp_path / "results"
    _unfinished(cli, monkeypatch, "-n", "6", "--seed", "3", "--results-root", root)
    (older,) = root.iterdir()
    os.utime(older, (time.time() - 100, time.time() - 100))
    assert cli("run", SMALL, "-n", "6", "--results-root", root, "-q", "-j", "1").code == 0  # finished, newest
    time.sleep(0.01)
    _unfinished(cli, monkeypatch, "-n", "6", "--results-root", root)
    newer = max((p for p in root.iterdir() if (p / ".partial").is_dir()), key=lambda p: p.stat().st_mtime)
    assert newer != older

    res = cli("run", SMALL, "-n", "6", "--resume", "--results-root", root, "-q", "-j", "1")
    assert res.code == 0, res.err  # picking the older run (seed 3) would be refused
    assert (newer / "manifest.json").is_file() and not (newer / ".partial").exists()
    assert (older / ".partial").is_dir() and not (older / "manifest.json").exists()
    assert json.loads((newer / "manifest.json").read_text())["resumed"] is True


def test_resume_without_out_ignores_an_unfinished_sweep(
    tmp_path: Path, cli: Callable[..., CliResult], monkeypatch: pytest.MonkeyPatch
) -> None:
    root = tmp_path / "results"
    _unfinished(cli, monkeypatch, "-n", "6", "--results-root", root)
    (run_dir,) = root.iterdir()
    os.utime(run_dir, (time.time() - 100, time.time() - 100))
    with stop_after_first_chunk(monkeypatch):
        sweep = cli("sweep", SMALL, "--set", "seed=1,2", "-n", "2", "--results-root", root, "-q", "-j", "1")
    assert sweep.code == 130
    res = cli("run", SMALL, "-n", "6", "--resume", "--results-root", root, "-q", "-j", "1")
    assert res.code == 0, res.err
    assert (run_dir / "manifest.json").is_file()


def test_resume_without_out_finds_a_run_whose_name_has_a_space(
    tmp_path: Path, cli: Callable[..., CliResult], monkeypatch: pytest.MonkeyPatch
) -> None:
    scenario = tmp_path / "scenario.yaml"
    text = SMALL.read_text().replace("name: corridor-small", "name: corridor small")
    scenario.write_text(text.replace("data/two_boxes.geojson", str(SMALL.parent / "data" / "two_boxes.geojson")))
    root = tmp_path / "results"
    with stop_after_first_chunk(monkeypatch):
        assert cli("run", scenario, "-n", "4", "--chunk-size", "2", "-j", "1", "-q", "--results-root", root).code == 130
    res = cli("run", scenario, "-n", "4", "--resume", "--results-root", root, "-q", "-j", "1")
    assert res.code == 0, res.err


def test_resuming_a_finished_run_has_nothing_to_do(tmp_path: Path, cli: Callable[..., CliResult]) -> None:
    out = tmp_path / "run"
    assert cli("run", SMALL, "-n", "3", "--out", out, "-q", "-j", "1").code == 0
    before = _state(out)
    res = cli("run", SMALL, "-n", "3", "--out", out, "--resume", "-q", "-j", "1")
    assert res.code == 0
    assert "nothing to resume" in res.out
    assert _state(out) == before


def test_resuming_where_no_run_was_started_is_an_input_error(tmp_path: Path, cli: Callable[..., CliResult]) -> None:
    empty = tmp_path / "empty"
    empty.mkdir()
    res = cli("run", SMALL, "-n", "3", "--out", empty, "--resume", "-q", "-j", "1")
    assert res.code == 2
    assert res.err.startswith(f"error: {empty}: nothing to resume"), res.err
    assert list(empty.iterdir()) == []
    res = cli("run", SMALL, "-n", "3", "--resume", "--results-root", tmp_path / "none", "-q")
    assert res.code == 2 and "--resume" in res.err and "--out" in res.err, res.err


def test_manifest_of_a_resumed_run_lists_both_sessions(
    tmp_path: Path, cli: Callable[..., CliResult], monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "run"
    _unfinished(cli, monkeypatch, "-n", "4", "--out", out)
    assert cli("run", SMALL, "-n", "4", "--out", out, "--resume", "-q", "-j", "1").code == 0
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["resumed"] is True
    first, second = manifest["sessions"]  # the interrupted one, then the resume
    assert first["policy_replications_reused"] == 0
    assert second["policy_replications_reused"] == 2 * 6
    assert manifest["started_utc"] == first["started_utc"]


@contextlib.contextmanager
def _ctrl_c_at_manifest(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Within this block, Ctrl-C arrives while a finishing run writes ``manifest.json`` (its last step)."""
    import sim.experiment.rundir

    real = sim.experiment.rundir.atomic_write_text

    def write(path: Path, text: str) -> None:
        if path.name == "manifest.json":
            raise KeyboardInterrupt
        real(path, text)

    with monkeypatch.context() as m:
        m.setattr(sim.experiment.rundir, "atomic_write_text", write)
        yield


def test_ctrl_c_while_finishing_can_be_resumed(
    tmp_path: Path, cli: Callable[..., CliResult], monkeypatch: pytest.MonkeyPatch
) -> None:
    whole, out = tmp_path / "whole", tmp_path / "run"
    assert cli("run", SMALL, "-n", "4", "--out", whole, "-q", "-j", "1").code == 0
    with _ctrl_c_at_manifest(monkeypatch):
        assert cli("run", SMALL, "-n", "4", "--out", out, "-q", "-j", "1").code == 130
    assert not (out / "manifest.json").exists() and (out / ".partial").is_dir()
    assert cli("run", SMALL, "-n", "4", "--out", out, "--resume", "-q", "-j", "1").code == 0
    _assert_same_tables(out, whole)


def test_ctrl_c_while_finishing_leaves_only_partial_and_says_how_to_resume(
    tmp_path: Path, cli: Callable[..., CliResult], monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "run"
    with _ctrl_c_at_manifest(monkeypatch):
        res = cli("run", SMALL, "-n", "4", "--out", out, "-q", "-j", "1")
    assert res.code == 130
    assert "nothing was written" not in res.err and "--resume" in res.err, res.err
    assert sorted(p.name for p in out.iterdir()) == [".partial"]


def test_resume_without_repeating_the_settings_uses_those_the_run_started_with(
    tmp_path: Path, cli: Callable[..., CliResult], monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "started"
    with stop_after_first_chunk(monkeypatch):
        assert (
            cli(
                "run",
                SMALL,
                "-n",
                "6",
                "--seed",
                "3",
                "--policy",
                "shared",
                "--chunk-size",
                "2",
                "-j",
                "1",
                "-q",
                "--out",
                out,
            ).code
            == 130
        )
    assert cli("run", SMALL, "--out", out, "--resume", "-j", "1", "-q").code == 0
    manifest = json.loads((out / "manifest.json").read_text())
    assert (manifest["replications"], manifest["seed"], manifest["policies"]) == (6, 3, ["shared"])
    whole = tmp_path / "whole"
    assert cli("run", SMALL, "-n", "6", "--seed", "3", "--policy", "shared", "-j", "1", "-q", "--out", whole).code == 0
    for name in ("replications.csv", "encounters.csv", "summary.csv"):
        assert (out / name).read_bytes() == (whole / name).read_bytes(), name
