"""Paired comparison: ``summary.csv`` and ``deconflict compare`` against an independent computation.

The reference numbers are computed here from ``replications.csv`` alone, written out plainly
with numpy and ``scipy.stats.t`` (not through ``sim.experiment.stats`` or ``sim.experiment.compare``): each
policy's mean and 95 % Student-t interval, and the replication-by-replication difference
from the reference policy with its own 95 % t interval.
"""

from __future__ import annotations

import csv
import json
import math
import re
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest
from scipy.stats import t as student_t

from sim.cli import main
from tests.conftest import REPO, CliResult, stop_after_first_chunk

SMALL = REPO / "scenarios" / "corridor-small.yaml"
REPLICATIONS = 20
POLICIES = ["no-notice", "notice-30", "area-notice", "shared", "hotline", "split"]
REL = 1e-9


@pytest.fixture(scope="module")
def run_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("compare") / "run"
    assert main(["run", str(SMALL), "-n", str(REPLICATIONS), "--out", str(out), "-q", "-j", "1"]) == 0
    return out


def _read(path: Path) -> list[dict[str, str]]:
    with path.open(newline="") as f:
        return list(csv.DictReader(f))


def _metrics(run_dir: Path) -> list[str]:
    with (run_dir / "replications.csv").open(newline="") as f:
        return next(csv.reader(f))[4:]


def _by_replication(run_dir: Path) -> dict[str, dict[str, np.ndarray]]:
    """policy -> metric -> values (n,), ordered by the ``replication`` column."""
    rows = _read(run_dir / "replications.csv")
    out: dict[str, dict[str, np.ndarray]] = {}
    for policy in POLICIES:
        mine = sorted((r for r in rows if r["policy"] == policy), key=lambda r: int(r["replication"]))
        assert [int(r["replication"]) for r in mine] == list(range(REPLICATIONS))
        out[policy] = {m: np.array([float(r[m]) for r in mine]) for m in _metrics(run_dir)}
    return out


def _t_interval(x: np.ndarray) -> tuple[float, float, float, float]:
    """Mean, sample sd, and the 95 % Student-t interval of the mean of ``x``."""
    n = x.size
    mean = float(np.sum(x) / n)
    sd = math.sqrt(float(np.sum((x - mean) ** 2)) / (n - 1))
    half = float(student_t.ppf(0.975, n - 1)) * sd / math.sqrt(n)
    return mean, sd, mean - half, mean + half


def _ratio(x: np.ndarray, ref: np.ndarray) -> tuple[float, float, float]:
    """Ratio of means with the delta-method interval on its log, written out plainly."""
    n, mx, mr = x.size, float(np.sum(x) / x.size), float(np.sum(ref) / ref.size)
    if mr <= 0:
        return math.nan, math.nan, math.nan
    if mx == 0:
        return 0.0, math.nan, math.nan
    if min(float(np.sum(v)) ** 2 / float(np.sum(v * v)) for v in (x, ref)) < 10:  # too few carry the mean
        return mx / mr, math.nan, math.nan
    sxx = float(np.sum((x - mx) ** 2)) / (n - 1)
    srr = float(np.sum((ref - mr) ** 2)) / (n - 1)
    sxr = float(np.sum((x - mx) * (ref - mr))) / (n - 1)
    se = math.sqrt(max((sxx / mx**2 + srr / mr**2 - 2 * sxr / (mx * mr)) / n, 0.0))
    half = float(student_t.ppf(0.975, n - 1)) * se
    return mx / mr, mx / mr * math.exp(-half), mx / mr * math.exp(half)


def _expected(run_dir: Path, reference: str) -> dict[tuple[str, str], dict[str, float]]:
    values = _by_replication(run_dir)
    out = {}
    for policy in POLICIES:
        for metric, x in values[policy].items():
            mean, sd, low, high = _t_interval(x)
            row = {"n": float(x.size), "mean": mean, "sd": sd, "ci95_low": low, "ci95_high": high}
            if policy != reference:
                ref = values[reference][metric]
                d_mean, _, d_low, d_high = _t_interval(x - ref)
                ref_mean = float(np.mean(ref))
                row |= {
                    "diff_mean": d_mean,
                    "diff_ci95_low": d_low,
                    "diff_ci95_high": d_high,
                    "rel_change": d_mean / ref_mean if ref_mean != 0 else math.nan,
                } | dict(zip(("ratio", "ratio_ci95_low", "ratio_ci95_high"), _ratio(x, ref), strict=True))
            out[(policy, metric)] = row
    return out


def _close(found: float | None, want: float) -> bool:
    if found is None or (isinstance(found, float) and math.isnan(found)):
        return math.isnan(want)
    return math.isclose(found, want, rel_tol=REL, abs_tol=1e-12)


def _cell(text: str) -> float | None:
    return None if text == "" else float(text)


def test_summary_has_every_policy_and_metric_in_order(run_dir: Path) -> None:
    summary = _read(run_dir / "summary.csv")
    metrics = _metrics(run_dir)
    assert [(r["policy"], r["metric"]) for r in summary] == [(p, m) for p in POLICIES for m in metrics]
    assert {r["reference"] for r in summary} == {"no-notice"}
    for r in summary:
        if r["policy"] == "no-notice":  # the reference has no difference from itself
            assert r["diff_mean"] == r["diff_ci95_low"] == r["diff_boot95_low"] == r["rel_change"] == ""


def test_summary_matches_an_independent_t_computation(run_dir: Path) -> None:
    expected = _expected(run_dir, "no-notice")
    checked = 0
    for r in _read(run_dir / "summary.csv"):
        for column, want in expected[(r["policy"], r["metric"])].items():
            assert _close(_cell(r[column]), want), f"{r['policy']} {r['metric']} {column}: {r[column]} != {want}"
            checked += 1
    # the comparison is not vacuous: several differences are clearly non-zero
    assert checked > 500
    los = {p: expected[(p, "encounters_los")] for p in POLICIES[1:]}
    assert all(row["diff_ci95_high"] < 0 for row in los.values())  # every rule removes encounters


def test_bootstrap_intervals_bracket_the_mean_difference(run_dir: Path) -> None:
    rows = [r for r in _read(run_dir / "summary.csv") if r["diff_mean"] != ""]
    assert rows
    for r in rows:
        low, mean, high = float(r["diff_boot95_low"]), float(r["diff_mean"]), float(r["diff_boot95_high"])
        assert low <= mean <= high, f"{r['policy']} {r['metric']}: {low} <= {mean} <= {high}"
    wide = [r for r in rows if float(r["diff_boot95_high"]) > float(r["diff_boot95_low"])]
    assert len(wide) > 20  # real intervals, not collapsed ones


@pytest.mark.parametrize("policy", POLICIES[1:])
def test_bootstrap_roughly_agrees_with_t_on_a_well_behaved_metric(run_dir: Path, policy: str) -> None:
    """Encounter counts at the ``los`` level, paired over 20 replications: near-normal differences."""
    (r,) = [r for r in _read(run_dir / "summary.csv") if (r["policy"], r["metric"]) == (policy, "encounters_los")]
    t_low, t_high = float(r["diff_ci95_low"]), float(r["diff_ci95_high"])
    half = (t_high - t_low) / 2
    assert half > 0
    assert abs(float(r["diff_boot95_low"]) - t_low) < 0.4 * half
    assert abs(float(r["diff_boot95_high"]) - t_high) < 0.4 * half


def test_a_second_identical_run_gives_the_same_bytes(run_dir: Path, tmp_path: Path) -> None:
    again = tmp_path / "again"
    assert main(["run", str(SMALL), "-n", str(REPLICATIONS), "--out", str(again), "-q", "-j", "1"]) == 0
    for name in ("summary.csv", "comparison.json"):
        assert (again / name).read_bytes() == (run_dir / name).read_bytes(), name


def test_compare_reproduces_the_run_summary(run_dir: Path, tmp_path: Path, cli: Callable[..., CliResult]) -> None:
    """Recomputed from replications.csv, with the default reference, the comparison is exactly the run's."""
    first, second = tmp_path / "a.json", tmp_path / "b.json"
    assert cli("compare", run_dir, "--json", first).code == 0
    assert cli("compare", run_dir, "--json", second).code == 0
    assert first.read_bytes() == second.read_bytes()
    assert json.loads(first.read_text()) == json.loads((run_dir / "comparison.json").read_text())


def test_compare_with_another_reference(run_dir: Path, tmp_path: Path, cli: Callable[..., CliResult]) -> None:
    out = tmp_path / "vs-shared.json"
    res = cli("compare", run_dir, "--reference", "shared", "--json", out)
    assert res.code == 0, res.err
    assert "reference shared" in res.out
    assert "Paired difference from shared" in res.out
    paired = res.out.split("Paired difference from shared", 1)[1]
    # one block per other policy, titled "POLICY - shared:", never one for the reference itself
    assert re.findall(r"^(\S+) - shared:$", paired, re.MULTILINE) == [p for p in POLICIES if p != "shared"]
    table = paired.split("\nno-notice - shared:\n", 1)[1].split("\n\n", 1)[0]

    data = json.loads(out.read_text())
    assert data["reference"] == "shared"
    assert data["replications"] == REPLICATIONS and data["confidence"] == 0.95
    assert list(data["policies"]) == POLICIES
    expected = _expected(run_dir, "shared")
    for (policy, metric), want in expected.items():
        got = data["policies"][policy][metric]
        assert got["reference"] == "shared"
        for column, value in want.items():
            assert _close(got[column], value), f"{policy} {metric} {column}: {got[column]} != {value}"
        if policy == "shared":
            assert "diff_mean" not in got or got["diff_mean"] is None
        else:
            low, high = got["diff_boot95_low"], got["diff_boot95_high"]
            assert low <= got["diff_mean"] <= high
    # the printed table shows the same difference (no-notice minus shared, LoS encounters)
    # to two significant figures of the interval's half-width
    d = expected[("no-notice", "encounters_los")]
    places = max(0, 1 - math.floor(math.log10((d["diff_ci95_high"] - d["diff_ci95_low"]) / 2)))
    (row,) = [line for line in table.splitlines() if line.startswith("encounters los ")]
    cells = f"{d['diff_mean']:+.{places}f}  [{d['diff_ci95_low']:+.{places}f}, {d['diff_ci95_high']:+.{places}f}]"
    assert " ".join(row.split()[2:5]) == cells.replace("  ", " "), row


def test_compare_with_an_unknown_reference_is_an_input_error(
    run_dir: Path, tmp_path: Path, cli: Callable[..., CliResult]
) -> None:
    out = tmp_path / "x.json"
    res = cli("compare", run_dir, "--reference", "nosuch", "--json", out)
    assert res.code == 2
    assert res.err.startswith("error: ") and "'nosuch'" in res.err and "no-notice" in res.err, res.err
    assert "Traceback" not in res.err
    assert not out.exists()


@pytest.mark.parametrize("kind", ["missing", "empty", "file", "other-files"])
def test_compare_on_something_else_is_an_input_error(kind: str, tmp_path: Path, cli: Callable[..., CliResult]) -> None:
    target = tmp_path / kind
    if kind == "empty":
        target.mkdir()
    elif kind == "file":
        target.write_text("policy,metric\n")
    elif kind == "other-files":
        target.mkdir()
        (target / "notes.txt").write_text("hello")
    res = cli("compare", target)
    assert res.code == 2
    assert res.err.startswith(f"error: {target}: "), res.err
    assert "results directory" in res.err and "Traceback" not in res.err


def test_compare_on_an_unfinished_run_says_to_resume(
    tmp_path: Path, cli: Callable[..., CliResult], monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "unfinished"
    with stop_after_first_chunk(monkeypatch):
        assert cli("run", SMALL, "-n", "4", "--chunk-size", "2", "-j", "1", "-q", "--out", out).code == 130
    res = cli("compare", out)
    assert res.code == 2
    assert res.err.startswith(f"error: {out}: not a finished results directory"), res.err
    assert "--resume" in res.err


def test_printed_comparison_has_cost_differences_relative_change_and_n(
    run_dir: Path, cli: Callable[..., CliResult]
) -> None:
    out = cli("compare", run_dir).out
    assert f"{REPLICATIONS} replications" in out or f"n = {REPLICATIONS}" in out or f"n={REPLICATIONS}" in out, out
    assert f"over {REPLICATIONS} replications per policy" in out, out
    body = out.split("Paired difference", 1)[1].split(":\n", 1)[1]  # the blocks after the heading
    assert "lost" in body, out  # a cost metric, e.g. blue lost on-station minutes, compared pairwise
    assert re.search(r"[+-]?\d+(\.\d+)? ?%", body), out  # a relative change
