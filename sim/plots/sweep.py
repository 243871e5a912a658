"""Sweep figures: what each point buys against the reference policy, a panel per policy.

One figure per swept path. Each column is a policy other than the reference; the top row is
its paired difference from the reference in the sweep's metric (the manifest's ``metric``,
else the first level's encounters), the bottom row its paired difference in each side's
mission value lost (the cost per side), each with its 95 % band, against the swept value.
Panels share their row's y axis, so the policies compare at a glance without their bands
piling up. With more than one swept path, the other paths' combinations are lines of their
own in every panel. A category-valued path (content: sector, area, ...) is drawn as points
with whiskers, never as lines between categories. The numbers are ``sweep_summary.csv``'s
paired columns (``diff_mean``, ``diff_ci95_low``, ``diff_ci95_high``), per replication
like the printed pivot.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Callable, Sequence

import numpy as np
from matplotlib import colormaps
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from sim.errors import InputError
from sim.plots.data import SweepData
from sim.plots.style import Provenance, add_footer, new_figure, policy_styles, safe_name, side_styles

__all__ = ["sweep_figure_builders", "sweep_figures"]

Band = tuple[float, float, float]  # mean, 95 % low, 95 % high

SIDE_COLOURS = ("#4d4d4d", "#b35806")
"""The two sides' colours in the cost row (with their line styles and markers from ``side_styles``)."""


def _as_numbers(values: Sequence[str]) -> list[float] | None:
    try:
        return [float(v) for v in values]
    except ValueError:
        return None


def _float(text: str | None) -> float:
    return float(text) if text not in (None, "") else math.nan


def _paired(sweep: SweepData, metric: str) -> dict[tuple[str, str], Band]:
    """(point, policy) -> the paired difference of ``metric`` from the reference and its interval."""
    out: dict[tuple[str, str], Band] = {}
    for i, r in enumerate(sweep.rows):
        if r["metric"] != metric or r["policy"] == sweep.policies[0]:
            continue
        try:
            out[(r["point"], r["policy"])] = (
                _float(r.get("diff_mean")),
                _float(r.get("diff_ci95_low")),
                _float(r.get("diff_ci95_high")),
            )
        except ValueError:
            raise InputError(
                f"line {i + 2}: expected numbers in diff_mean, diff_ci95_low, diff_ci95_high",
                path=str(sweep.path / "sweep_summary.csv"),
            ) from None
    return out


def sweep_metric(sweep: SweepData) -> str:
    """The metric a sweep's figures and printed pivot show: the manifest's, else the first level's."""
    metric = sweep.manifest.get("metric")
    return str(metric) if metric else f"encounters_{sweep.levels[0]}"


def _sides(sweep: SweepData) -> list[str]:
    metrics = dict.fromkeys(r["metric"] for r in sweep.rows)
    return [m.removesuffix("_mission_value_lost") for m in metrics if m.endswith("_mission_value_lost")]


def _draw(
    ax: Axes,
    xs: list[float],
    bands: list[Band],
    categorical: bool,
    color: str,
    marker: str,
    linestyle: str,
    label: str,
    offset: float,
    alpha: float = 0.18,
) -> None:
    """One series: a line with its band for numbers, points with whiskers for categories."""
    x = np.array(xs, dtype=float)
    m, lo, hi = (np.array([b[k] for b in bands], dtype=float) for k in range(3))
    if categorical:
        x = x + offset
        err = np.vstack([m - lo, hi - m])
        ax.errorbar(x, m, yerr=np.where(np.isnan(err), 0, err), fmt=marker, color=color, ms=6, capsize=3, label=label)
    else:
        ax.fill_between(x, lo, hi, color=color, alpha=alpha, lw=0)
        ax.plot(x, m, color=color, marker=marker, ms=5, lw=1.8, linestyle=linestyle, label=label)


def _sweep_figure(sweep: SweepData, path: str, provenance: Provenance) -> Figure:
    reference = sweep.policies[0]
    panels = sweep.policies[1:]
    if not panels:
        raise InputError(
            "a sweep of one policy has no paired differences to draw; sweep two policies or more",
            path=str(sweep.path / "manifest.json"),
        )
    metric = sweep_metric(sweep)
    sides = _sides(sweep)
    others = [p for p in sweep.paths if p != path]
    groups: dict[tuple[str, ...], list[str]] = {}
    for p in sweep.points:
        groups.setdefault(tuple(sweep.points[p][o] for o in others), []).append(p)
    raw = [sweep.points[p][path] for p in sweep.points]
    numeric = _as_numbers(raw)
    ticks = [] if numeric is not None else list(dict.fromkeys(raw))
    x_of = (
        dict(zip(sweep.points, numeric, strict=True))
        if numeric is not None
        else {p: float(ticks.index(sweep.points[p][path])) for p in sweep.points}
    )
    rows: list[tuple[str, list[tuple[str, dict[tuple[str, str], Band]]]]] = [
        (f"Δ {metric}\n{sweep.unit} vs {reference}", [("", _paired(sweep, metric))])
    ]
    if sides:
        rows.append(
            (
                f"Δ mission value lost\n{sweep.unit} vs {reference}\n(sortie equivalents)",
                [(side, _paired(sweep, f"{side}_mission_value_lost")) for side in sides],
            )
        )
    width_in = max(6.5, 3.4 * len(panels) + 1.8)
    fig = new_figure(width_in, 3.3 * len(rows) + 1.4)
    gap = "\n" if width_in < 12 else " "  # a narrow figure: the title on two lines
    fig.suptitle(
        f"What each value of {path} buys:{gap}paired difference from {reference} (same sorties, 95 % CI)",
        fontweight="bold",
    )
    axes = fig.subplots(len(rows), len(panels), squeeze=False, sharex=True, sharey="row")
    styles = policy_styles(sweep.policies)
    looks = side_styles(sides)
    shades = colormaps["viridis"](np.linspace(0.0, 0.85, max(1, len(groups))))
    series_count = max(1, len(groups)) * max(1, len(sides))
    for col, policy in enumerate(panels):
        for row, (ylabel, quantities) in enumerate(rows):
            ax = axes[row, col]
            ax.axhline(0.0, color="#555555", lw=1)
            k = 0
            for g, (key, pts) in enumerate(groups.items()):
                for name, bands in quantities:
                    have = sorted((x_of[p], bands[(p, policy)]) for p in pts if (p, policy) in bands)
                    if not have:
                        continue
                    group_label = ", ".join(f"{o} = {v}" for o, v in zip(others, key, strict=True))
                    label = ", ".join(s for s in (name, group_label) if s) or policy
                    color = styles[policy].color if len(groups) == 1 else shades[g]
                    if name and len(groups) == 1:
                        color = SIDE_COLOURS[sides.index(name) % len(SIDE_COLOURS)]
                    _draw(
                        ax,
                        [x for x, _ in have],
                        [b for _, b in have],
                        numeric is None,
                        color,
                        looks[name][2] if name else styles[policy].marker,
                        looks[name][1] if name else "-",
                        label,
                        0.08 * (k - (series_count - 1) / 2) if numeric is None else 0.0,
                        0.18 if series_count == 1 else 0.09,  # lighter where bands overlap
                    )
                    k += 1
            if row == 0:
                ax.set_title(policy, fontsize=10, color=styles[policy].color, fontweight="bold")
            if col == 0:
                ax.set_ylabel(ylabel, fontsize=9)
            if row == len(rows) - 1:
                ax.set_xlabel(path.rsplit(".", 1)[-1] if len(panels) > 2 else path, fontsize=9)
            if ticks:
                ax.set_xticks(range(len(ticks)), ticks)
                ax.set_xlim(-0.5, len(ticks) - 0.5)
            ax.grid(color="#eeeeee", linewidth=0.6)
            if row == len(rows) - 1 and col == len(panels) - 1 and (len(groups) > 1 or sides):
                ax.legend(fontsize=7, frameon=False, loc="best")
            elif row == 0 and col == len(panels) - 1 and len(groups) > 1:
                ax.legend(fontsize=7, frameon=False, loc="best")
    add_footer(
        fig,
        provenance,
        f"numbers: sweep_summary.csv, metrics {metric} and <side>_mission_value_lost, columns diff_mean, "
        "diff_ci95_low, diff_ci95_high (policy minus reference, paired by replication), per replication "
        f"({sweep.unit}); the same seed at every point",
    )
    return fig


def sweep_figures(sweep: SweepData, provenance: Provenance) -> list[tuple[str, Figure]]:
    """``(file stem, figure)`` for each swept path: ``sweep_<path>``."""
    return [(f"sweep_{safe_name(path)}", _sweep_figure(sweep, path, provenance)) for path in sweep.paths]


def sweep_figure_builders(sweep: SweepData, provenance: Provenance) -> dict[str, Callable[[], Figure]]:
    """``sweep_<path>`` -> a function drawing that figure, for each swept path, undrawn."""
    return {
        f"sweep_{safe_name(path)}": functools.partial(_sweep_figure, sweep, path, provenance) for path in sweep.paths
    }
