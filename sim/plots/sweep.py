"""Sweep figures: a metric against each swept value, one line per policy, with its 95 % band.

One figure per swept path. With more than one path, the figure is faceted by the values of
the other paths (one column each). The top row is the first level's encounters per day
(``sweep_summary.csv``); the bottom row, when the points' run directories are present, is
the deconfliction cost in minutes per day (from each point's ``replications.csv``).
"""

from __future__ import annotations

import csv
from collections.abc import Sequence

import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from sim.errors import InputError
from sim.experiment.stats import mean_ci
from sim.plots.data import SweepData
from sim.plots.style import Provenance, add_footer, new_figure, policy_styles, safe_name

__all__ = ["sweep_figures"]

COST_SUFFIXES = ("_delay_min", "_lost_on_station_min")

Band = tuple[float, float, float]  # mean, 95 % low, 95 % high


def _as_numbers(values: Sequence[str]) -> list[float] | None:
    try:
        return [float(v) for v in values]
    except ValueError:
        return None


def _point_costs(sweep: SweepData, point: str) -> dict[str, Band] | None:
    """Per policy, delay + lost on-station minutes per replication (both sides), mean and 95 % CI."""
    path = sweep.point_dir(point) / "replications.csv"
    if not path.is_file():
        return None
    with path.open(encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))
    if not rows:
        return None
    columns = [c for c in rows[0] if c.endswith(COST_SUFFIXES)]
    out = {}
    for policy in sweep.policies:
        try:
            values = [sum(float(r[c]) for c in columns) for r in rows if r["policy"] == policy]
        except ValueError as exc:
            raise InputError(f"expected numbers in {', '.join(columns)}, found: {exc}", path=str(path)) from None
        est = mean_ci(values)
        out[policy] = (est.mean, est.ci_low, est.ci_high)
    return out


def _draw(
    ax: Axes, x_of: dict[str, float], bands: dict[tuple[str, str], Band], sweep: SweepData, points: list[str]
) -> None:
    styles = policy_styles(sweep.policies)
    for policy in sweep.policies:
        pts = sorted((x_of[p], p) for p in points if (p, policy) in bands)
        if not pts:
            continue
        x = np.array([xv for xv, _ in pts])
        scale = np.array([sweep.per_day[p] for _, p in pts])
        m, lo, hi = (np.array([bands[(p, policy)][k] for _, p in pts]) * scale for k in range(3))
        st = styles[policy]
        ax.fill_between(x, lo, hi, color=st.color, alpha=0.15, lw=0)
        ax.plot(x, m, color=st.color, marker=st.marker, ms=5, lw=1.8, label=policy)
    ax.grid(color="#eeeeee", linewidth=0.6)


def _sweep_figure(sweep: SweepData, path: str, provenance: Provenance) -> Figure:
    level = sweep.levels[0]
    metric = f"encounters_{level}"
    others = [p for p in sweep.paths if p != path]
    point_ids = list(sweep.points)
    groups: dict[tuple[str, ...], list[str]] = {}
    for p in point_ids:
        groups.setdefault(tuple(sweep.points[p][o] for o in others), []).append(p)
    raw = [sweep.points[p][path] for p in point_ids]
    numeric = _as_numbers(raw)
    if numeric is not None:
        x_of = dict(zip(point_ids, numeric, strict=True))
        ticks: list[str] = []
    else:  # categorical values: in order of first appearance
        ticks = list(dict.fromkeys(raw))
        x_of = {p: float(ticks.index(sweep.points[p][path])) for p in point_ids}
    enc: dict[tuple[str, str], Band] = {}
    for i, r in enumerate(sweep.rows):
        if r["metric"] == metric:
            try:
                enc[(r["point"], r["policy"])] = (
                    float(r["mean"]),
                    float(r["ci95_low"] or "nan"),
                    float(r["ci95_high"] or "nan"),
                )
            except ValueError:
                raise InputError(
                    f"line {i + 2}: expected numbers in mean, ci95_low, ci95_high",
                    path=str(sweep.path / "sweep_summary.csv"),
                ) from None
    costs: dict[tuple[str, str], Band] = {}
    for p in point_ids:
        for policy, band in (_point_costs(sweep, p) or {}).items():
            costs[(p, policy)] = band
    rows = [(enc, f"{level} encounters {sweep.unit}")]
    if costs:
        rows.append((costs, f"delay + lost on-station\nminutes {sweep.unit} (both sides)"))
    fig = new_figure(10.0, 3.6 * len(rows) + 1.0)
    title = f"Sweep of {path}: {level} encounters {sweep.unit} by policy (95 % CI band)"
    if others and len(groups) > 2:
        title += f"\npanels by {', '.join(others)}"
    fig.suptitle(title, fontweight="bold")
    axes = fig.subplots(len(rows), len(groups), squeeze=False, sharex=True, sharey="row")
    for col, (key, pts) in enumerate(groups.items()):
        for row, (bands, ylabel) in enumerate(rows):
            ax = axes[row, col]
            _draw(ax, x_of, bands, sweep, pts)
            if col == 0:
                ax.set_ylabel(ylabel)
            if row == len(rows) - 1:
                ax.set_xlabel(path)
            if ticks:
                ax.set_xticks(range(len(ticks)), ticks)
        if others:
            if len(groups) <= 2:
                title = ", ".join(f"{o} = {v}" for o, v in zip(others, key, strict=True))
            else:  # narrow panels: values only, the paths are named in the figure title
                title = ", ".join(str(v) for v in key)
            axes[0, col].set_title(title, fontsize=9)
    # counts and minutes: cut intervals at zero, once every panel of a shared row is drawn
    # (setting limits while drawing would freeze the top at the first panel's data)
    for ax in axes.flat:
        ax.relim()
        ax.autoscale_view()
    for ax in axes[:, 0]:
        ax.set_ylim(bottom=0.0)
    if len(groups) > 2:  # narrow panels: the last part of the path (the title has all of it)
        for ax in axes[-1, :]:
            ax.set_xlabel(path.rsplit(".", 1)[-1], fontsize=8)
    handles, labels = axes[0, 0].get_legend_handles_labels()
    fig.legend(handles, labels, title="policy", fontsize=8, title_fontsize=8, frameon=False, loc="outside right center")
    note = f"encounters: sweep_summary.csv metric {metric}, mean and ci95_low-ci95_high × 24 h / horizon"
    if costs:
        note += "; cost: points/<point>/replications.csv, <side>_delay_min + <side>_lost_on_station_min, mean and 95 % t interval"
    add_footer(fig, provenance, note)
    return fig


def sweep_figures(sweep: SweepData, provenance: Provenance) -> list[tuple[str, Figure]]:
    """``(file stem, figure)`` for each swept path: ``sweep_<path>``."""
    return [(f"sweep_{safe_name(path)}", _sweep_figure(sweep, path, provenance)) for path in sweep.paths]
