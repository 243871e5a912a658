"""Sweeps: the shipped sweep files at small size, ``--set`` products, refusals before anything runs, resume.

The two sweep files in ``scenarios/sweeps/`` use the baseline (syria-2015-10) and run here
with 2 replications per point; the ``--set`` cases use corridor-small.
"""

from __future__ import annotations

import csv
import json
import os
import shlex
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

import sim.experiment.runner
from sim.cli import main
from tests.conftest import REPO, CliResult, stop_after_first_chunk

SMALL = REPO / "scenarios" / "corridor-small.yaml"
SWEEPS = REPO / "scenarios" / "sweeps"
RUN_FILES = {
    "manifest.json",
    "replications.csv",
    "encounters.csv",
    "transits.csv",
    "summary.csv",
    "airborne.csv",
    "comparison.json",
}
SWEEP_FILES = {"manifest.json", "points", "points.csv", "sweep_summary.csv", "sweep_paired.csv"}
SMALL_POLICIES = ["no-notice", "notice-30", "area-notice", "shared", "hotline", "split"]


def _rows(path: Path) -> list[dict[str, str]]:
    with path.open(newline="") as f:
        return list(csv.DictReader(f))


def _header(path: Path) -> list[str]:
    with path.open(newline="") as f:
        return next(csv.reader(f))


def _get(data: Any, dotted: str) -> Any:
    for part in dotted.split("."):
        data = data[int(part)] if isinstance(data, list) else data[part]
    return data


def _sweep(out: Path, *argv: str | Path) -> Path:
    assert main(["sweep", *map(str, argv), "--out", str(out), "-q"]) == 0
    return out


@pytest.fixture(scope="module")
def notice_lead(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return _sweep(tmp_path_factory.mktemp("sweep") / "lead", SWEEPS / "notice-lead.yaml", "-n", "2", "-j", "2")


@pytest.fixture(scope="module")
def russian_tempo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return _sweep(tmp_path_factory.mktemp("sweep") / "tempo", SWEEPS / "russian-tempo.yaml", "-n", "2", "-j", "2")


SHIPPED = {
    "notice-lead": (
        "notice_lead",
        "policies.one-hour-notice.lead_min",
        [0, 15, 30, 60, 90, 120, 180],
        ["no-notice", "one-hour-notice"],
    ),
    "russian-tempo": (
        "russian_tempo",
        "sides.russia.sorties_per_day",
        [20, 30, 40, 50, 60, 70],
        None,  # every policy of the baseline
    ),
}


def _check_sweep_dir(sweep: Path, path: str, values: list[Any], policies: list[str], replications: int) -> None:
    """``sweep`` is a finished sweep of ``path`` over ``values`` (one path); every point a complete run."""
    assert {p.name for p in sweep.iterdir()} == SWEEP_FILES
    points = _rows(sweep / "points.csv")
    assert _header(sweep / "points.csv") == ["point", path]
    assert [(int(r["point"]), json.loads(r[path])) for r in points] == list(enumerate(values))

    manifest = json.loads((sweep / "manifest.json").read_text())
    assert manifest["kind"] == "sweep" and manifest["points"] == len(values)
    assert manifest["paths"] == [path] and manifest["replications"] == replications
    assert manifest["policies"] == policies

    point_dirs = sorted((sweep / "points").iterdir())
    assert [p.name for p in point_dirs] == [f"{i:03d}" for i in range(len(values))]
    summary = _rows(sweep / "sweep_summary.csv")
    assert _header(sweep / "sweep_summary.csv")[:4] == ["point", path, "policy", "metric"]
    at = 0
    for index, (pdir, value) in enumerate(zip(point_dirs, values, strict=True)):
        assert {p.name for p in pdir.iterdir()} == RUN_FILES, pdir  # complete, no .partial left
        pm = json.loads((pdir / "manifest.json").read_text())
        assert pm["sweep_point"] == index and pm["sweep_values"] == {path: value}
        assert _get(pm["scenario"], path) == value  # the value really reached the scenario that ran
        assert pm["policies"] == policies and pm["replications"] == replications
        reps = _rows(pdir / "replications.csv")
        assert len(reps) == replications * len(policies)
        # sweep_summary.csv is the point's summary.csv with the point and its values in front
        mine = _rows(pdir / "summary.csv")
        block = summary[at : at + len(mine)]
        at += len(mine)
        assert [(r["point"], json.loads(r[path])) for r in block] == [(str(index), value)] * len(mine)
        assert [{k: v for k, v in r.items() if k not in ("point", path)} for r in block] == mine
        assert [r["policy"] for r in mine[:: len(mine) // len(policies)]] == policies
    assert at == len(summary)


@pytest.mark.parametrize("name", list(SHIPPED))
def test_shipped_sweep_writes_points_and_summary(name: str, request: pytest.FixtureRequest) -> None:
    fixture, path, values, policies = SHIPPED[name]
    sweep = request.getfixturevalue(fixture)
    if policies is None:
        policies = list(json.loads((sweep / "points" / "000" / "manifest.json").read_text())["scenario"]["policies"])
        assert len(policies) == 4
    _check_sweep_dir(sweep, path, values, policies, replications=2)


def test_notice_lead_changes_only_the_notice_policy(notice_lead: Path) -> None:
    """Common random numbers: no-notice flies the same day at every point; the notice rule does not."""
    per_point = [_rows(p / "replications.csv") for p in sorted((notice_lead / "points").iterdir())]
    no_notice = [[r for r in rows if r["policy"] == "no-notice"] for rows in per_point]
    assert all(rows == no_notice[0] for rows in no_notice)
    notice = [[r for r in rows if r["policy"] == "one-hour-notice"] for rows in per_point]
    assert any(rows != notice[0] for rows in notice)


def test_russian_tempo_sets_the_sorties_planned(russian_tempo: Path) -> None:
    rows = _rows(russian_tempo / "sweep_summary.csv")
    planned = [
        (int(r["sides.russia.sorties_per_day"]), float(r["mean"]))
        for r in rows
        if r["metric"] == "russia_sorties_planned" and r["policy"] == "no-notice"
    ]
    assert planned == [(v, float(v)) for v in (20, 30, 40, 50, 60, 70)]


def test_two_sets_give_the_cartesian_product_first_path_slowest(tmp_path: Path) -> None:
    sweep = _sweep(
        tmp_path / "sweep",
        SMALL,
        "--set", "sides.red.sorties_per_day=30,90",
        "--set", "policies.notice-30.lead_min=0,15,45",
        "-n", "2", "-j", "1",
    )  # fmt: skip
    paths = ["sides.red.sorties_per_day", "policies.notice-30.lead_min"]
    expected = [(30, 0), (30, 15), (30, 45), (90, 0), (90, 15), (90, 45)]
    assert _header(sweep / "points.csv") == ["point", *paths]
    assert [(int(r["point"]), int(r[paths[0]]), int(r[paths[1]])) for r in _rows(sweep / "points.csv")] == [
        (i, *v) for i, v in enumerate(expected)
    ]
    for i, values in enumerate(expected):
        scenario = json.loads((sweep / "points" / f"{i:03d}" / "manifest.json").read_text())["scenario"]
        assert tuple(_get(scenario, p) for p in paths) == values
    summary = _rows(sweep / "sweep_summary.csv")
    assert len(summary) == len(expected) * len(SMALL_POLICIES) * (
        len(_header(sweep / "points/000/replications.csv")) - 4
    )
    # red's tempo reaches the simulation: three times the sorties planned
    planned = {int(r[paths[0]]): float(r["mean"]) for r in summary if r["metric"] == "red_sorties_planned"}
    assert planned[90] > 2.5 * planned[30]


def test_sweeping_the_seed_changes_the_seed(tmp_path: Path) -> None:
    sweep = _sweep(tmp_path / "sweep", SMALL, "--set", "seed=1,2", "-j", "1", "--policy", "no-notice")
    seeds = [json.loads((p / "manifest.json").read_text())["seed"] for p in sorted((sweep / "points").iterdir())]
    assert seeds == [1, 2]


BAD_SETS = {
    "negative tempo": (["sides.red.sorties_per_day=-5"], ["sides.red.sorties_per_day", "-5"]),
    "bad value among good ones": (["sides.red.sorties_per_day=30,-5,60"], ["sides.red.sorties_per_day", "-5"]),
    "unknown path": (["nosuch.path=1"], ["nosuch"]),
    "unknown leaf": (["sides.red.nosuch_min=1"], ["nosuch_min"]),
    "no '='": (["x"], ["PATH=V1"]),
    "no values": (["seed="], ["seed"]),
    "YAML 1.1 octal": (["sides.red.fleets.fighters.count=010"], ["010"]),
    "bad second set": (["seed=1,2", "policies.notice-30.coverage=1.5"], ["policies.notice-30.coverage", "1.5"]),
    "index out of range": (["levels.5.vertical_ft=100"], ["5"]),
}


@pytest.mark.parametrize("case", list(BAD_SETS))
def test_a_bad_set_is_refused_before_anything_runs(
    case: str, tmp_path: Path, cli: Callable[..., CliResult], monkeypatch: pytest.MonkeyPatch
) -> None:
    sets, named = BAD_SETS[case]

    def no_running(*args: Any, **kwargs: Any) -> None:
        raise AssertionError("the sweep started running")

    monkeypatch.setattr(sim.experiment.runner, "execute", no_running)
    argv = ["sweep", SMALL, *[a for s in sets for a in ("--set", s)], "-n", "1", "-q"]
    res = cli(*argv, "--out", tmp_path / "out", "--results-root", tmp_path / "root")
    assert res.code == 2, res.err
    assert res.err.startswith("error: ") and "Traceback" not in res.err
    for word in named:
        assert word in res.err, res.err
    assert sorted(p.name for p in tmp_path.iterdir()) == []  # nothing written, not even a directory


def test_a_set_path_through_a_number_is_an_input_error(tmp_path: Path) -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "sim", "sweep", str(SMALL), "--set", "seed.x.y=1", "--out", str(tmp_path / "o")],
        capture_output=True,
        text=True,
        cwd=tmp_path,
    )
    assert proc.returncode == 2, proc.stderr
    assert "Traceback" not in proc.stderr


def test_a_set_path_through_a_string_says_what_it_found(cli: Callable[..., CliResult], tmp_path: Path) -> None:
    res = cli("sweep", SMALL, "--set", "name.x.y=1", "--out", tmp_path / "o", "-q")
    assert res.code == 2
    assert "indices" not in res.err, res.err


# --- resume ------------------------------------------------------------------------------------


SMALL_SWEEP = ["--set", "policies.notice-30.lead_min=10,40", "--policy", "no-notice", "--policy", "notice-30"]


@pytest.fixture(scope="module")
def small_sweep(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An uninterrupted two-point sweep of corridor-small, 16 replications a point."""
    return _sweep(tmp_path_factory.mktemp("sweep") / "whole", SMALL, *SMALL_SWEEP, "-n", "16", "-j", "2")


def _tree(path: Path) -> dict[str, bytes]:
    keep = {"points.csv", "sweep_summary.csv", *RUN_FILES} - {"manifest.json"}
    return {str(p.relative_to(path)): p.read_bytes() for p in sorted(path.rglob("*")) if p.name in keep}


def test_sweep_killed_with_sigkill_resumes_to_the_same_tables(tmp_path: Path, small_sweep: Path) -> None:
    out = tmp_path / "killed"
    cmd = [sys.executable, "-m", "sim", "sweep", str(SMALL), *SMALL_SWEEP, "-n", "16", "--out", str(out)]
    proc = subprocess.Popen(
        [*cmd, "-j", "2", "--chunk-size", "1", "-q"],
        cwd=tmp_path,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        start_new_session=True,
    )
    try:
        deadline = time.monotonic() + 60
        while not list(out.glob("points/*/.partial/chunks/r*.json")):
            assert proc.poll() is None, "the sweep ended before a chunk was saved"
            assert time.monotonic() < deadline
            time.sleep(0.005)
        proc.kill()
        proc.wait(timeout=10)
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(timeout=10)
    deadline = time.monotonic() + 10  # orphaned workers notice within about a second
    while left := subprocess.run(["pgrep", "-af", str(out)], capture_output=True, text=True).stdout.strip():
        assert time.monotonic() < deadline, f"processes left behind: {left}"
        time.sleep(0.1)
    assert not (out / "manifest.json").exists() and not (out / "sweep_summary.csv").exists()
    assert not list(out.glob("points/*/summary.csv"))  # no point had finished either

    assert main(["sweep", str(SMALL), *SMALL_SWEEP, "-n", "16", "--out", str(out), "--resume", "-j", "1", "-q"]) == 0
    assert _tree(out) == _tree(small_sweep)
    assert len(_tree(out)) == 2 + 2 * (len(RUN_FILES) - 1)
    assert json.loads((out / "manifest.json").read_text())["resumed"] is True
    assert not list(out.rglob(".partial"))


def test_sweep_resume_with_other_settings_is_refused(
    tmp_path: Path, cli: Callable[..., CliResult], monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "sweep"
    with stop_after_first_chunk(monkeypatch):
        assert (
            cli("sweep", SMALL, *SMALL_SWEEP, "-n", "4", "--chunk-size", "2", "-j", "1", "-q", "--out", out).code == 130
        )
    res = cli("sweep", SMALL, *SMALL_SWEEP, "-n", "4", "--seed", "99", "--out", out, "--resume", "-q", "-j", "1")
    assert res.code == 2
    assert res.err.startswith(f"error: {out}: cannot resume"), res.err
    assert (out / ".partial").is_dir() and not (out / "manifest.json").exists()


def test_the_printed_sweep_resume_command_works(
    tmp_path: Path, cli: Callable[..., CliResult], monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "sweep"
    with stop_after_first_chunk(monkeypatch):
        res = cli("sweep", SMALL, *SMALL_SWEEP, "-n", "4", "--chunk-size", "2", "-j", "1", "-q", "--out", out)
    assert res.code == 130 and "Traceback" not in res.err
    line = next(ln for ln in res.err.splitlines() if "--resume" in ln)
    command = shlex.split(line[line.index("deconflict") :])
    assert command[:2] == ["deconflict", "sweep"]
    again = cli(*command[1:], "-j", "1", "-q")
    assert again.code == 0, again.err


def test_sweep_resume_without_out_finds_the_unfinished_sweep_not_a_run(
    tmp_path: Path, cli: Callable[..., CliResult], monkeypatch: pytest.MonkeyPatch
) -> None:
    root = tmp_path / "results"
    sweep_argv = ["sweep", SMALL, *SMALL_SWEEP, "-n", "4", "-j", "1", "-q", "--results-root", root]
    with stop_after_first_chunk(monkeypatch):
        assert cli(*sweep_argv, "--chunk-size", "2").code == 130
        (sweep,) = root.iterdir()
        os.utime(sweep, (time.time() - 100, time.time() - 100))
        assert cli("run", SMALL, "-n", "4", "--chunk-size", "2", "-j", "1", "-q", "--results-root", root).code == 130
    (run,) = [p for p in root.iterdir() if p != sweep]  # newer, unfinished, same scenario
    res = cli(*sweep_argv, "--resume")
    assert res.code == 0, res.err
    assert (sweep / "sweep_summary.csv").is_file() and not (sweep / ".partial").exists()
    assert (run / ".partial").is_dir()


@pytest.mark.parametrize(
    "options",
    [
        ["--chunk-size", "-1"],
        ["--chunk-size", "0"],
        ["-n", "0"],
        ["-n", "-1"],
        ["-j", "0"],
    ],
)
def test_bad_sweep_options_are_refused_before_anything_runs(
    options: list[str], tmp_path: Path, cli: Callable[..., CliResult], monkeypatch: pytest.MonkeyPatch
) -> None:
    import sim.experiment.sweeprun

    def guard(*args: Any, chunk_size: int, **kwargs: Any) -> None:  # never loop forever here
        raise AssertionError(f"the sweep started running (chunk size {chunk_size})")

    monkeypatch.setattr(sim.experiment.sweeprun, "execute_runs", guard)
    res = cli("sweep", SMALL, "--set", "seed=1", "--policy", "no-notice", "-q", "--out", tmp_path / "out", *options)
    assert res.code == 2, res.err
    assert res.err.startswith("error: ") and "at least 1" in res.err, res.err
    assert not (tmp_path / "out").exists()


def test_resuming_a_finished_sweep_has_nothing_to_do(small_sweep: Path, cli: Callable[..., CliResult]) -> None:
    before = _tree(small_sweep)
    res = cli("sweep", SMALL, *SMALL_SWEEP, "-n", "16", "--out", small_sweep, "--resume", "-q", "-j", "1")
    assert _tree(small_sweep) == before
    assert "nothing to resume" in res.out + res.err
    assert res.code == 0, res.err
