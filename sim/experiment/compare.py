"""Paired policy comparison: each policy's mean, and its difference from a reference policy.

Replication ``i`` of every policy flies the same sorties (common random numbers), so the
difference policy minus reference is taken replication by replication and its mean gets a
95 % Student-t interval (columns ``diff_ci95_*``) and a bias-corrected and accelerated
bootstrap interval (``diff_boot95_*``, seeded, so reproducible), which is the better guide
for skewed counts such as rare encounters. The ratio of the policy's mean to the
reference's (``ratio``, what a rule multiplies a risk by) gets a 95 % interval by the delta
method on the log of the ratio of paired means (``ratio_ci95_*``). scipy is imported lazily.
"""

from __future__ import annotations

import csv
import json
import math
import warnings
from pathlib import Path
from typing import Any

import numpy as np

from sim.errors import InputError
from sim.experiment.stats import mean_ci

__all__ = [
    "SUMMARY_COLUMNS",
    "ReplicationTable",
    "paired_summary",
    "ratio_ci",
    "read_replications",
]

SUMMARY_COLUMNS = (
    "policy",
    "metric",
    "n",
    "mean",
    "sd",
    "ci95_low",
    "ci95_high",
    "reference",
    "diff_mean",
    "diff_ci95_low",
    "diff_ci95_high",
    "diff_boot95_low",
    "diff_boot95_high",
    "rel_change",
    "ratio",
    "ratio_ci95_low",
    "ratio_ci95_high",
)

_BOOT_RESAMPLES = 2000
_BCA_MAX_N = 5000  # above this the jackknife behind BCa costs O(n^2): use percentile intervals


class ReplicationTable:
    """The numeric columns of ``replications.csv``, per policy, rows in replication order."""

    def __init__(self, policies: list[str], metrics: list[str], values: dict[str, np.ndarray]) -> None:
        self.policies = policies
        self.metrics = metrics
        self.values = values  # policy -> (n_replications, n_metrics) float64

    @classmethod
    def from_rows(cls, policies: list[str], metrics: list[str], rows: list[dict[str, str]]) -> ReplicationTable:
        per: dict[str, list[tuple[int, list[float]]]] = {p: [] for p in policies}
        for r in rows:
            if r["policy"] in per:
                per[r["policy"]].append((int(r["replication"]), [float(r[m]) for m in metrics]))
        values = {}
        for p, items in per.items():
            items.sort(key=lambda it: it[0])
            values[p] = np.array([v for _, v in items], dtype=float).reshape(len(items), len(metrics))
        return cls(policies, metrics, values)


def read_replications(run_dir: str | Path) -> tuple[ReplicationTable, dict[str, Any]]:
    """Read a run directory's ``manifest.json`` and ``replications.csv`` (``run_dir`` a ``str`` or ``Path``)."""
    run_dir = Path(run_dir)
    manifest_path = run_dir / "manifest.json"
    table_path = run_dir / "replications.csv"
    if not run_dir.is_dir():
        raise InputError("not a directory; expected a results directory", path=str(run_dir))
    if not manifest_path.is_file() or not table_path.is_file():
        partial = " (an unfinished run: finish it with --resume)" if (run_dir / ".partial").is_dir() else ""
        raise InputError(
            f"not a finished results directory: no manifest.json or replications.csv{partial}", path=str(run_dir)
        )
    try:
        manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as exc:
        raise InputError(f"unreadable manifest: {exc}", path=str(manifest_path)) from None
    with table_path.open(encoding="utf-8", newline="") as f:
        reader = csv.DictReader(f)
        columns = list(reader.fieldnames or [])
        rows = list(reader)
    policies = list(manifest.get("policies") or dict.fromkeys(r["policy"] for r in rows))
    metrics = columns[4:]
    try:
        table = ReplicationTable.from_rows(policies, metrics, rows)
    except (KeyError, ValueError) as exc:
        raise InputError(f"malformed replications table: {exc}", path=str(table_path)) from None
    return table, manifest


def _bootstrap(diff: np.ndarray, rng: np.random.Generator) -> tuple[float, float]:
    n = diff.size
    if n < 2:
        return math.nan, math.nan
    if float(np.ptp(diff)) == 0.0:
        return float(diff[0]), float(diff[0])
    from scipy import stats

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        res = stats.bootstrap(
            (diff,),
            np.mean,
            confidence_level=0.95,
            n_resamples=_BOOT_RESAMPLES,
            method="BCa" if n <= _BCA_MAX_N else "percentile",
            batch=max(1, min(_BOOT_RESAMPLES, 20_000_000 // max(n, 1))),
            random_state=rng,
        )
    low, high = float(res.confidence_interval.low), float(res.confidence_interval.high)
    return low, high


RATIO_MIN_EFFECTIVE = 10.0
"""Below this effective number of replications, ``(sum x)**2 / sum x**2``, in either sample,
the ratio gets no interval: the delta method needs the mean spread over many replications,
and a risk carried by two or three days says nothing about other days."""


def _effective_size(x: np.ndarray) -> float:
    """``(sum x)**2 / sum x**2``: how many replications of equal size would give the same sum."""
    squares = float(np.sum(x * x))
    return float(np.sum(x)) ** 2 / squares if squares > 0 else 0.0


def ratio_ci(values: np.ndarray, reference: np.ndarray, level: float = 0.95) -> tuple[float, float, float]:
    """Ratio of means ``mean(values) / mean(reference)`` of paired samples (n,), with its interval.

    The interval is ``exp(log R ± t(n-1) se)`` where, by the delta method on the log of a ratio
    of paired means, ``se² = (s_a²/ā² + s_b²/b̄² - 2 s_ab/(ā b̄)) / n``. It is the natural interval
    for a rate ratio: it stays positive and is symmetric on the log scale. The ratio is NaN
    when the reference's mean is not positive; the interval is NaN unless both means are
    positive and ``n >= 2`` and each sample's effective size is at least
    ``RATIO_MIN_EFFECTIVE``; it collapses to the ratio when the two samples are proportional.
    """
    a = np.asarray(values, dtype=float)
    b = np.asarray(reference, dtype=float)
    n = int(a.size)
    if n == 0 or b.size != n:
        return math.nan, math.nan, math.nan
    a_mean, b_mean = float(a.mean()), float(b.mean())
    if not b_mean > 0 or a_mean < 0:
        return math.nan, math.nan, math.nan
    ratio = a_mean / b_mean
    if n < 2 or a_mean == 0:
        return ratio, math.nan, math.nan
    if min(_effective_size(a), _effective_size(b)) < RATIO_MIN_EFFECTIVE:
        return ratio, math.nan, math.nan  # a few replications carry the mean: no large-sample interval
    cov = np.cov(a, b, ddof=1)
    var_log = (cov[0, 0] / a_mean**2 + cov[1, 1] / b_mean**2 - 2 * cov[0, 1] / (a_mean * b_mean)) / n
    se = math.sqrt(max(float(var_log), 0.0))
    from scipy import stats

    half = float(stats.t.ppf(0.5 + level / 2, df=n - 1)) * se
    return ratio, ratio * math.exp(-half), ratio * math.exp(half)


def paired_summary(table: ReplicationTable, reference: str, seed: int) -> list[dict[str, Any]]:
    """``summary.csv`` rows: every policy x metric, with the paired difference from ``reference``.

    Difference columns are empty on the reference's own rows. ``rel_change`` is the mean
    difference over the reference mean (NaN when the reference mean is 0). The bootstrap
    draws from ``SeedSequence([seed, policy index, metric index])``.
    """
    if reference not in table.values:
        raise InputError(f"--reference: unknown policy {reference!r}; policies are {', '.join(table.policies)}")
    ref = table.values[reference]
    out: list[dict[str, Any]] = []
    for pi, policy in enumerate(table.policies):
        vals = table.values[policy]
        paired = policy != reference and vals.shape == ref.shape
        for mi, metric in enumerate(table.metrics):
            est = mean_ci(vals[:, mi])
            row: dict[str, Any] = {
                "policy": policy,
                "metric": metric,
                "n": est.n,
                "mean": est.mean,
                "sd": est.sd,
                "ci95_low": est.ci_low,
                "ci95_high": est.ci_high,
                "reference": reference,
            }
            if paired:
                diff = vals[:, mi] - ref[:, mi]
                d = mean_ci(diff)
                rng = np.random.default_rng(np.random.SeedSequence([seed, pi, mi]))
                b_low, b_high = _bootstrap(diff, rng)
                ref_mean = float(ref[:, mi].mean()) if ref.shape[0] else math.nan
                ratio, r_low, r_high = ratio_ci(vals[:, mi], ref[:, mi])
                row |= {
                    "diff_mean": d.mean,
                    "diff_ci95_low": d.ci_low,
                    "diff_ci95_high": d.ci_high,
                    "diff_boot95_low": b_low,
                    "diff_boot95_high": b_high,
                    "rel_change": d.mean / ref_mean if ref_mean != 0 else math.nan,
                    "ratio": ratio,
                    "ratio_ci95_low": r_low,
                    "ratio_ci95_high": r_high,
                }
            out.append(row)
    return out


def comparison_json(summary: list[dict[str, Any]], manifest: dict[str, Any]) -> dict[str, Any]:
    """The comparison as nested JSON for programs: policy -> metric -> numbers."""

    def clean(v: Any) -> Any:
        return None if isinstance(v, float) and math.isnan(v) else v

    body: dict[str, dict[str, dict[str, Any]]] = {}
    for row in summary:
        body.setdefault(row["policy"], {})[row["metric"]] = {
            k: clean(v) for k, v in row.items() if k not in ("policy", "metric")
        }
    return {
        "scenario": manifest.get("scenario", {}).get("name"),
        "scenario_sha256": manifest.get("scenario_sha256"),
        "seed": manifest.get("seed"),
        "replications": manifest.get("replications"),
        "reference": summary[0]["reference"] if summary else None,
        "confidence": 0.95,
        "policies": body,
    }
