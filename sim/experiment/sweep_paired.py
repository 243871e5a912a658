"""What each point of a sweep buys: paired differences from the reference, as pivots.

``sweep_paired.csv`` holds, for every point, every policy but the reference and every
metric, the paired difference from the reference policy (the same sorties in each
replication), its 95 % interval, the relative change, and both means. ``print_sweep``
prints one table of points x policies for the chosen metric and one per side for its
mission value lost; for a sweep of one numeric path, also what each step between
consecutive points buys, paired across the points (every point has the same seed, so
replication *i* flies the same sorties at every point unless the swept value changes them).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from sim.errors import InputError
from sim.experiment.compare import read_replications
from sim.experiment.report import paired_cells
from sim.experiment.stats import mean_ci
from sim.experiment.tables import fit_table, format_estimate, heading

__all__ = ["PAIRED_COLUMNS", "check_metric", "paired_rows", "print_sweep", "step_rows"]

PAIRED_COLUMNS = [
    "policy",
    "metric",
    "reference",
    "reference_mean",
    "mean",
    "diff_mean",
    "diff_ci95_low",
    "diff_ci95_high",
    "rel_change",
    "ratio_ci95_low",
    "ratio_ci95_high",
]
"""Columns of ``sweep_paired.csv`` after ``point`` and the swept paths."""


def check_metric(metric: str, columns: Sequence[str], levels: Sequence[str]) -> str:
    """The ``replications.csv`` column a ``--metric`` names: a column itself or a level's name
    (``los`` for ``encounters_los``). InputError with the closest valid name otherwise."""
    import difflib

    if metric in columns:
        return metric
    if metric in levels:
        return f"encounters_{metric}"
    names = [*levels, *columns]
    close = difflib.get_close_matches(metric, names, n=1, cutoff=0.6)
    hint = f"did you mean `{close[0]}`? " if close else ""
    raise InputError(
        f"--metric: unknown metric {metric!r}; {hint}give a level ({', '.join(levels)}) "
        "or a column of replications.csv (e.g. coalition_mission_value_lost)"
    )


def paired_rows(summary_rows: Sequence[dict[str, Any]], paths: Sequence[str]) -> list[dict[str, Any]]:
    """The rows of ``sweep_paired.csv`` from those of ``sweep_summary.csv`` (one per point x
    policy x metric): the reference policy's rows dropped, its mean beside each other's."""
    reference_mean = {(r["point"], r["metric"]): r["mean"] for r in summary_rows if r["policy"] == r["reference"]}
    out = []
    for r in summary_rows:
        if r["policy"] == r["reference"]:
            continue
        row = {"point": r["point"], **{p: r[p] for p in paths}}
        row.update({c: r.get(c, "") for c in PAIRED_COLUMNS})
        row["reference_mean"] = reference_mean.get((r["point"], r["metric"]), "")
        out.append(row)
    return out


def step_rows(point_dirs: Sequence[Path], policy: str, metric: str) -> list[tuple[float, float, float]]:
    """What each step between consecutive points changes in ``policy``'s ``metric``: the mean
    and 95 % t interval of the per-replication difference (point k minus point k - 1), paired
    across points by replication; (n_points - 1) triples, nan where the counts differ."""
    series = []
    for d in point_dirs:
        table, _ = read_replications(d)
        series.append(table.values[policy][:, table.metrics.index(metric)])
    out = []
    for before, after in zip(series, series[1:], strict=False):
        if len(before) != len(after):
            out.append((math.nan, math.nan, math.nan))
            continue
        est = mean_ci(np.asarray(after) - np.asarray(before))
        out.append((est.mean, est.ci_low, est.ci_high))
    return out


def _labels(paths: Sequence[str]) -> list[str]:
    """Short column headings for the swept paths: the last field, the whole path if two share it."""
    last = [p.rsplit(".", 1)[-1] for p in paths]
    return [s if last.count(s) == 1 else p for s, p in zip(last, paths, strict=True)]


def _cell(row: dict[str, Any] | None) -> str:
    if row is None:
        return "-"
    difference, interval, relative = paired_cells(row)
    text = f"{difference} {interval}".strip()
    return text + (f" ({relative})" if relative not in ("-", "") else "")


def _num(text: Any) -> float:
    return float(text) if text not in (None, "") else math.nan


def pivot(
    summary_rows: Sequence[dict[str, Any]],
    points: Sequence[tuple[int, Sequence[Any]]],
    paths: Sequence[str],
    policies: Sequence[str],
    metric: str,
) -> tuple[str, list[str]]:
    """Points (rows) x policies but the reference (columns): the paired difference of ``metric``
    from the reference. A policy (the reference too, by its mean) that is the same at every
    point gets no column but a note ("hotline -11.3 [-13.5, -9.1] at every point"), so no
    identical row is repeated. Returns the table ("" if no column is left) and the notes."""
    index = {(int(r["point"]), r["policy"]): r for r in summary_rows if r["metric"] == metric}
    reference = policies[0]
    columns: list[tuple[str, list[str]]] = []
    ref_cells = []
    for i, _ in points:
        r = index.get((i, reference))
        ref_cells.append(format_estimate(_num(r["mean"]), _num(r["ci95_low"]), _num(r["ci95_high"])) if r else "-")
    columns.append((f"{reference} (reference)", ref_cells))
    columns += [(p, [_cell(index.get((i, p))) for i, _ in points]) for p in policies[1:]]
    notes = []
    kept = []
    for k, (name, cells) in enumerate(columns):
        if len(points) > 1 and len(set(cells)) == 1:
            notes.append(f"{reference} {cells[0]}" if k == 0 else f"{name} {cells[0]}")
        else:
            kept.append((name, cells))
    if not kept:
        return "", notes
    rows = [[", ".join(_labels(paths)), *(name for name, _ in kept)]]
    for j, (_, values) in enumerate(points):
        rows.append([", ".join(str(v) for v in values), *(cells[j] for _, cells in kept)])
    return fit_table(rows), notes


def print_sweep(
    summary_rows: Sequence[dict[str, Any]],
    points: Sequence[tuple[int, Sequence[Any]]],
    paths: Sequence[str],
    policies: Sequence[str],
    metric: str,
    sides: Sequence[str],
    unit: str,
    steps: dict[str, list[tuple[float, float, float]]] | None = None,
) -> None:
    """Print what each point buys: the pivot of ``metric`` and of each side's mission value
    lost (paired differences from ``policies[0]``), and with ``steps`` (policy -> what each
    step between consecutive points changes) a table of the steps of the policies that move."""
    reference = policies[0]
    if len(policies) < 2:
        print(f"\n{metric} {unit}: one policy only, nothing to pair against (sweep_summary.csv has its means)")
        return
    quantities = [(metric, metric)]
    quantities += [
        (f"{s}_mission_value_lost", f"{s} mission value lost") for s in sides if metric != f"{s}_mission_value_lost"
    ]
    for name, label in quantities:
        if not any(r["metric"] == name for r in summary_rows):
            continue
        table, notes = pivot(summary_rows, points, paths, policies, name)
        what = f"{label} {unit}" + (" (sortie equivalents)" if name.endswith("_mission_value_lost") else "")
        print("\n" + heading(f"{what}: paired difference from {reference} [95 % CI]:"))
        if table:
            print(table)
        if notes:
            print(heading("the same at every point: " + "; ".join(notes)))
    if steps:
        labels = _labels(paths)
        moving = [p for p, changes in steps.items() if any(c != (0.0, 0.0, 0.0) for c in changes)]
        if not moving:
            print(
                "\n"
                + heading(f"no policy's {metric} changes from one point of {paths[0]} to the next in any replication")
            )
            return
        rows = [[f"{labels[0]} step", *moving]]
        values = [v[0] for _, v in points]
        for k in range(len(values) - 1):
            cells = [f"{values[k]} -> {values[k + 1]}"]
            for policy in moving:
                mean, low, high = steps[policy][k]
                cells.append(_cell({"diff_mean": mean, "diff_ci95_low": low, "diff_ci95_high": high}))
            rows.append(cells)
        print(
            "\n"
            + heading(
                f"What each step of {paths[0]} buys: change in {metric} {unit} from the point before, "
                "paired by replication across points [95 % CI]:"
            )
        )
        print(fit_table(rows))
