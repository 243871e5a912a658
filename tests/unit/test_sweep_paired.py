"""What a sweep prints and writes about what each point buys: sweep_paired.csv, the pivot of
points x policies, notes instead of repeated rows, the steps between points, --metric."""

from __future__ import annotations

import csv
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from scipy.stats import t as student_t

from tests.conftest import REPO

CORRIDOR = REPO / "scenarios" / "corridor-small.yaml"
PATH = "policies.notice-30.lead_min"
VALUES = [0, 30, 60]
POLICIES = ["no-notice", "notice-30", "hotline"]
N = 6


def _rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


@pytest.fixture(scope="module")
def sweep(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    from sim.cli import main

    out = tmp_path_factory.mktemp("paired") / "sweep"
    args = ["sweep", str(CORRIDOR), "--set", f"{PATH}={','.join(map(str, VALUES))}", "-n", str(N), "-q", "-j", "1"]
    for p in POLICIES:
        args += ["--policy", p]
    import contextlib
    import io

    buffer = io.StringIO()
    with contextlib.redirect_stdout(buffer):
        assert main([*args, "--out", str(out)]) == 0
    return out, buffer.getvalue()


def test_sweep_paired_csv_holds_every_difference_but_the_references(sweep: tuple[Path, str]) -> None:
    out, _ = sweep
    summary = _rows(out / "sweep_summary.csv")
    paired = _rows(out / "sweep_paired.csv")
    assert list(paired[0])[:4] == ["point", PATH, "policy", "metric"]
    assert {r["policy"] for r in paired} == set(POLICIES[1:])  # no reference rows
    others = [r for r in summary if r["policy"] != "no-notice"]
    assert len(paired) == len(others)
    reference = {(r["point"], r["metric"]): r["mean"] for r in summary if r["policy"] == "no-notice"}
    for mine, theirs in zip(paired, others, strict=True):
        for column in ("point", PATH, "policy", "metric", "mean", "diff_mean", "diff_ci95_low", "diff_ci95_high"):
            assert mine[column] == theirs[column], column
        assert mine["reference_mean"] == reference[(theirs["point"], theirs["metric"])]


def test_the_pivot_has_a_row_per_point_and_no_repeated_reference(sweep: tuple[Path, str]) -> None:
    out, printed = sweep
    assert max(len(line) for line in printed.splitlines()) <= 100
    section = printed.split("encounters_los per 4 h horizon: paired difference from no-notice [95 % CI]:\n", 1)[1]
    lines = section.split("\n\n", 1)[0].splitlines()
    assert lines[0].split() == ["lead_min", "notice-30"]  # hotline and the reference are the same at every point
    summary = {
        (int(r["point"]), r["policy"]): r for r in _rows(out / "sweep_summary.csv") if r["metric"] == "encounters_los"
    }
    for k, value in enumerate(VALUES):
        row = summary[(k, "notice-30")]
        d, low, high = (float(row[c]) for c in ("diff_mean", "diff_ci95_low", "diff_ci95_high"))
        assert lines[2 + k].split()[:4] == [str(value), f"{d:+.1f}", f"[{low:+.1f},", f"{high:+.1f}]"]
    ref = summary[(0, "no-notice")]
    half = (float(ref["ci95_high"]) - float(ref["ci95_low"])) / 2
    note = " ".join(lines[2 + len(VALUES) :])
    assert note.startswith(f"the same at every point: no-notice {float(ref['mean']):.1f} ±{half:.1f}; hotline ")
    # the cost per side: one pivot per side, in sortie equivalents
    assert "red mission value lost per 4 h horizon (sortie equivalents): paired difference from no-notice" in printed
    assert "blue mission value lost per 4 h horizon (sortie equivalents): paired difference from no-notice" in printed


def test_each_step_is_paired_by_replication_across_points(sweep: tuple[Path, str]) -> None:
    out, printed = sweep
    section = printed.split(f"What each step of {PATH} buys", 1)[1].split("\n\n", 1)[0].splitlines()
    header = next(i for i, line in enumerate(section) if line.startswith("lead_min step"))
    assert section[header].split() == ["lead_min", "step", "notice-30"]
    series = []
    for k in range(len(VALUES)):
        rows = _rows(out / "points" / f"{k:03d}" / "replications.csv")
        mine = sorted((int(r["replication"]), float(r["encounters_los"])) for r in rows if r["policy"] == "notice-30")
        series.append(np.array([v for _, v in mine]))
    for k in range(len(VALUES) - 1):
        diff = series[k + 1] - series[k]
        half = student_t.ppf(0.975, N - 1) * diff.std(ddof=1) / np.sqrt(N)
        line = section[header + 2 + k].split()
        assert line[:3] == [str(VALUES[k]), "->", str(VALUES[k + 1])]
        places = max(0, 1 - int(np.floor(np.log10(half)))) if half > 0 else 0
        assert line[3] == (f"{diff.mean():+.{places}f}" if diff.mean() != 0 else "0"), line
        if half > 0:
            assert line[4:6] == [f"[{diff.mean() - half:+.{places}f},", f"{diff.mean() + half:+.{places}f}]"]


def test_metric_picks_what_the_pivot_shows(cli: Callable[..., Any], tmp_path: Path) -> None:
    out = tmp_path / "by-value"
    result = cli(
        "sweep", CORRIDOR, "--set", f"{PATH}=0,60", "--policy", "no-notice", "--policy", "notice-30",
        "-n", "2", "-q", "-j", "1", "--out", out, "--metric", "blue_mission_value_lost",
    )  # fmt: skip
    assert result.code == 0, result.err
    assert (
        "blue_mission_value_lost per 4 h horizon (sortie equivalents): paired difference from no-notice" in result.out
    )
    assert "blue mission value lost" not in result.out  # not twice
    assert "What each step of policies.notice-30.lead_min buys: change in blue_mission_value_lost" in result.out


def test_an_unknown_metric_is_refused_before_anything_runs(cli: Callable[..., Any], tmp_path: Path) -> None:
    out = tmp_path / "never"
    result = cli("sweep", CORRIDOR, "--set", f"{PATH}=0,60", "-n", "2", "-q", "--out", out, "--metric", "losses")
    assert result.code == 2
    assert result.err.startswith("error: --metric: unknown metric 'losses'; did you mean `los`?"), result.err
    assert "Traceback" not in result.err
    assert not out.exists()
