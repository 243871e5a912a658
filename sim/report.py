"""The summary table printed at the end of a run: readable without opening a file."""

from __future__ import annotations

import math
from collections.abc import Sequence

__all__ = ["paired_table", "summary_table"]


def _fmt(mean: float, low: float, high: float) -> str:
    if math.isnan(mean):
        return "-"
    digits = 1 if abs(mean) < 100 else 0
    if math.isnan(low):
        return f"{mean:.{digits}f}"
    return f"{mean:.{digits}f} ±{(high - low) / 2:.{digits}f}"


def summary_table(
    summary: Sequence[dict[str, object]],
    policies: Sequence[str],
    columns: Sequence[tuple[str, str]],
) -> str:
    """A fixed-width table: one line per policy, one column per (metric, heading).

    Cells show the mean over replications and the half-width of its 95 % interval.
    """
    index = {(r["policy"], r["metric"]): r for r in summary}
    head = ["policy", *[h for _, h in columns]]
    body = []
    for p in policies:
        cells = [p]
        for metric, _ in columns:
            r = index[(p, metric)]
            cells.append(_fmt(float(r["mean"]), float(r["ci95_low"]), float(r["ci95_high"])))  # type: ignore[arg-type]
        body.append(cells)
    widths = [max(len(row[i]) for row in [head, *body]) for i in range(len(head))]
    lines = [
        "  ".join(c.ljust(w) if i == 0 else c.rjust(w) for i, (c, w) in enumerate(zip(row, widths, strict=True)))
        for row in [head, *body]
    ]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines)


def paired_table(
    summary: Sequence[dict[str, object]],
    policies: Sequence[str],
    columns: Sequence[tuple[str, str]],
) -> str:
    """A fixed-width table of paired differences from the reference: mean [95 % CI low, high]."""
    index = {(r["policy"], r["metric"]): r for r in summary}
    head = ["policy", *[h for _, h in columns]]
    body = []
    for p in policies:
        cells = [p]
        for metric, _ in columns:
            r = index[(p, metric)]
            d = r.get("diff_mean", "")
            if d == "" or d is None:
                cells.append("-")
                continue
            mean, low, high = float(d), float(r["diff_ci95_low"]), float(r["diff_ci95_high"])  # type: ignore[arg-type]
            cells.append(f"{mean:+.2f} [{low:+.2f}, {high:+.2f}]" if not math.isnan(low) else f"{mean:+.2f}")
        body.append(cells)
    widths = [max(len(row[i]) for row in [head, *body]) for i in range(len(head))]
    lines = [
        "  ".join(c.ljust(w) if i == 0 else c.rjust(w) for i, (c, w) in enumerate(zip(row, widths, strict=True)))
        for row in [head, *body]
    ]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines)
