"""Figures of a run or sweep directory: rates, paired differences, trade-off, map, timeline, sweeps.

Each figure is built by a function that returns a :class:`matplotlib.figure.Figure` (so tests
can inspect titles and labels) and is saved by :func:`plot_results`, which reads a results
directory and never re-runs anything. Every number drawn comes from ``summary.csv`` (or
``sweep_summary.csv``), or is counted from ``encounters.csv``, ``airborne.csv`` or
``replications.csv``; each figure's footer says which.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Callable
from pathlib import Path

import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from sim.errors import InputError
from sim.experiment.tables import plural
from sim.plots.data import RunData, SweepData, is_sweep_dir, load_run, load_sweep
from sim.plots.layers import has_tactical, layers_figure, load_companion
from sim.plots.maps import map_figure
from sim.plots.risk import RISK_DESCRIPTION, has_risk, risk_figure
from sim.plots.style import (
    FORMATS,
    Provenance,
    add_footer,
    new_figure,
    policy_bars,
    policy_styles,
    save_figure,
    side_styles,
)
from sim.plots.sweep import sweep_figures

__all__ = [
    "COST_MINUTES",
    "COST_SORTIES",
    "COST_VALUE",
    "FigureBuilders",
    "encounter_rates_figure",
    "level_title",
    "paired_differences_figure",
    "paired_label",
    "plot_results",
    "run_figure_builders",
    "split_levels",
    "timeline_figure",
    "tradeoff_figure",
]

COST_MINUTES = ("delay_min", "lost_on_station_min")
"""Per side, the minutes a policy costs: on-station windows shifted later plus on-station time lost."""
COST_SORTIES = ("cancelled", "retasked")
"""Per side, the sorties a policy costs: cancelled before take-off or sent to another sector
(the trade-off's headline panel for runs older than the mission value column)."""
COST_VALUE = ("mission_value_lost",)
"""Per side, the headline cost: sortie equivalents of mission value lost (``sim.experiment.value``)."""


def level_title(run: RunData, level: str, sep: str = ": ") -> str:
    """``"los: closer than 5 NM and 1000 ft"`` from the level's definition in the manifest."""
    info = run.level_info.get(level, {})
    if info.get("horizontal_nm") is not None:
        horizontal = f"{info['horizontal_nm']:g} NM"
    elif info.get("horizontal_ft") is not None:
        horizontal = f"{info['horizontal_ft']:g} ft"
    else:
        return level
    return f"{level}{sep}closer than {horizontal} and {info.get('vertical_ft', float('nan')):g} ft"


def split_levels(run: RunData) -> tuple[list[str], str]:
    """The levels with an encounter under some policy, and a sentence naming those with none
    ("nmac: none in 1,000 replications under any policy"; "" if every level has some): an
    empty level gets no panel of its own."""
    drawn: list[str] = []
    empty: list[str] = []
    for level in run.levels:
        means = [run.stat(p, f"encounters_{level}").mean for p in run.policies]
        (empty if all(m == 0 for m in means) else drawn).append(level)
    if not empty:
        return drawn, ""
    n = run.n_replications(run.reference)
    return drawn, f"{', '.join(empty)}: none in {plural(n, 'replication')} under any policy"


def _with_note(title: str, note: str) -> str:
    return f"{title}\n{note}" if note else title


def _empty_panel(fig: Figure, note: str) -> None:
    ax = fig.subplots(1, 1)
    ax.set_axis_off()
    ax.text(0.5, 0.5, note, ha="center", va="center", fontsize=12, transform=ax.transAxes)


def paired_label(mean: float, low: float, high: float, rel: float) -> str:
    """``-25.9 [-27.8, -24.1] (-93 %)`` as the printed comparison writes it: significant figures
    of the interval, the relative change only where the interval excludes 0."""
    from sim.experiment.report import paired_cells

    row: dict[str, object] = {"diff_mean": mean, "diff_ci95_low": low, "diff_ci95_high": high, "rel_change": rel}
    difference, interval, relative = paired_cells(row)
    text = f"{difference} {interval}".strip()
    return text + (f" ({relative})" if relative not in ("", "-") else "")


def _policy_axis(ax: Axes, policies: list[str]) -> None:
    ax.set_yticks(range(len(policies)), policies)
    ax.set_ylim(len(policies) - 0.5, -0.5)  # first policy on top
    ax.grid(axis="x", color="#dddddd", linewidth=0.6)
    ax.set_axisbelow(True)


def _level_axes(fig: Figure, n: int) -> list[Axes]:
    ncols = min(n, 3)
    nrows = math.ceil(n / ncols)
    axes = fig.subplots(nrows, ncols, squeeze=False, sharey=True).ravel().tolist()
    for ax in axes[n:]:
        ax.set_visible(False)
    return axes[:n]


def encounter_rates_figure(run: RunData, provenance: Provenance) -> Figure:
    """Encounters per day for each policy (rows) and level (panels), mean with its 95 % interval."""
    fig = new_figure()
    n_rep = run.n_replications(run.reference)
    over = plural(n_rep, "day") if run.horizon_h == 24 else f"{plural(n_rep, 'replication')} of {run.horizon_h:g} h"
    drawn, note = split_levels(run)
    fig.suptitle(_with_note(f"Encounters {run.unit} by policy (mean of {over}, 95 % CI)", note), fontweight="bold")
    if not drawn:
        _empty_panel(fig, "no encounters at any level")
    for ax, level in zip(_level_axes(fig, len(drawn)) if drawn else [], drawn, strict=True):
        metric = f"encounters_{level}"
        rows = [run.stat(policy, metric) for policy in run.policies]
        policy_bars(ax, run.policies, [(s.mean * run.scale, s.ci_low * run.scale, s.ci_high * run.scale) for s in rows])
        ax.set_title(level_title(run, level, "\n"), fontsize=10)
        ax.set_xlabel(f"encounters {run.unit}")
    add_footer(
        fig,
        provenance,
        "numbers: summary.csv, metric encounters_<level>: mean and ci95_low-ci95_high per replication; "
        "bars: mean, whiskers: 95 % t interval",
    )
    return fig


def paired_differences_figure(run: RunData, provenance: Provenance) -> Figure:
    """What each policy buys: paired difference in encounters (``run.unit``) from the reference, with 95 % CIs."""
    styles = policy_styles(run.policies)
    fig = new_figure()
    ref = run.reference
    drawn, note = split_levels(run)
    fig.suptitle(
        _with_note(f"What each policy buys: change in encounters {run.unit} vs {ref} (same sorties, 95 % CI)", note),
        fontweight="bold",
    )
    if not drawn:
        _empty_panel(fig, "no encounters at any level")
    for ax, level in zip(_level_axes(fig, len(drawn)) if drawn else [], drawn, strict=True):
        metric = f"encounters_{level}"
        ax.axvline(0.0, color="#555555", lw=1)
        extent = 1e-9
        rows = []
        for i, policy in enumerate(run.policies):
            d = run.paired(policy, metric)
            mean, low, high = (v * run.scale for v in (d.diff_mean, d.diff_low, d.diff_high))
            rows.append((i, policy, mean, low, high, d.rel_change))
            extent = max(extent, *(abs(v) for v in (mean, low, high) if not math.isnan(v)))
        for i, policy, mean, low, high, rel in rows:
            color = styles[policy].color
            if policy == ref:
                ax.plot(0.0, i, marker="|", ms=14, color=color)
                ax.text(0.04 * extent, i, "reference", va="center", ha="left", fontsize=8, color="#555555")
                continue
            if not math.isnan(low):
                ax.plot([low, high], [i, i], color=color, lw=2.2, solid_capstyle="butt")
            ax.plot(mean, i, marker=styles[policy].marker, ms=8, color=color, mec="white", mew=0.8)
            ax.annotate(
                paired_label(mean, low, high, rel),
                (mean, i),
                xytext=(0, 9),
                textcoords="offset points",
                ha="center",
                va="bottom",
                fontsize=8,
            )
        extent = extent if extent > 1e-6 else 1.0  # all zero: a readable unit scale
        ax.set_xlim(-1.25 * extent, 1.25 * extent)
        _policy_axis(ax, run.policies)
        ax.set_title(level_title(run, level, "\n"), fontsize=10)
        ax.set_xlabel(f"Δ encounters {run.unit} vs {ref}")
        ax.text(0.02, 0.01, "← fewer", transform=ax.transAxes, fontsize=8, color="#555555", va="bottom")
        ax.text(0.98, 0.01, "more →", transform=ax.transAxes, fontsize=8, color="#555555", va="bottom", ha="right")
    source = (
        "summary.csv columns diff_mean, diff_ci95_low, diff_ci95_high, rel_change"
        if run.has_paired
        else "paired differences computed from replications.csv (summary.csv has no paired columns yet)"
    )
    add_footer(
        fig,
        provenance,
        f"numbers: {source}, per replication ({run.unit}); "
        "each replication flies the same sorties under every policy (common random numbers)",
    )
    return fig


def _cost_columns(run: RunData, metrics: tuple[str, ...]) -> list[str]:
    return [f"{side}_{m}" for side in run.sides for m in metrics]


def tradeoff_figure(run: RunData, provenance: Provenance) -> Figure:
    """Losses of separation (first level) against the cost of deconfliction, one point per policy."""
    styles = policy_styles(run.policies)
    level = run.levels[0]
    fig = new_figure()
    fig.suptitle(
        f"Trade-off: {level} encounters against what deconfliction costs ({run.unit}, 95 % CI; lower left is better)",
        fontweight="bold",
    )
    headline: tuple[tuple[str, ...], str] = (
        COST_VALUE,
        f"value lost {run.unit}\n(sortie equivalents)",
    )
    if run.replications and _cost_columns(run, COST_VALUE)[0] not in run.replications[0]:
        headline = (COST_SORTIES, f"sorties cancelled\nor re-tasked {run.unit}")  # a run older than the column
    # the headline cost side by side: one panel per side, so that a rule that puts the whole
    # cost on one side shows it (a summed axis hides who pays)
    costs: list[tuple[tuple[tuple[str, ...], str | None], str]] = [
        ((headline[0], side), f"{side}: {headline[1]}") for side in run.sides
    ]
    costs.append(
        (
            (COST_MINUTES, None),
            f"delay + lost on-station min\n{run.unit} (both sides)",
        )
    )
    axes = fig.subplots(1, len(costs), sharey=True)
    for ax, ((metrics, side), xlabel) in zip(axes, costs, strict=True):
        columns = [f"{side}_{m}" for m in metrics] if side is not None else _cost_columns(run, metrics)
        for policy in run.policies:
            y = run.stat(policy, f"encounters_{level}")
            x = run.summed(policy, columns)
            ym, ylo, yhi = (v * run.scale for v in (y.mean, y.ci_low, y.ci_high))
            xm, xlo, xhi = (v * run.scale for v in (x.mean, x.ci_low, x.ci_high))
            err = {}
            if not math.isnan(xlo):
                err["xerr"] = [[xm - xlo], [xhi - xm]]
            if not math.isnan(ylo):
                err["yerr"] = [[ym - ylo], [yhi - ym]]
            ax.errorbar(
                xm,
                ym,
                **err,
                fmt=styles[policy].marker,
                color=styles[policy].color,
                ms=8,
                capsize=3,
                elinewidth=1.2,
                mec="white",
                mew=0.8,
                label=policy,
            )
        ax.set_xlabel(xlabel)
        # counts and minutes cannot be negative: intervals reaching below zero are cut at the axis
        ax.set_xlim(left=-0.02 * ax.get_xlim()[1])
        ax.set_ylim(bottom=-0.02 * ax.get_ylim()[1])
        ax.grid(color="#dddddd", linewidth=0.6)
        ax.set_axisbelow(True)
    axes[0].set_ylabel(f"{level} encounters {run.unit}")
    axes[-1].legend(title="policy", fontsize=8, title_fontsize=8, loc="upper right", frameon=False)
    add_footer(
        fig,
        provenance,
        f"y: summary.csv encounters_{level}; x: replications.csv, "
        f"{' + '.join(f'<side>_{m}' for m in headline[0])} (one panel per side), "
        f"{' + '.join(f'<side>_{m}' for m in COST_MINUTES)} (right, tactical manoeuvres included), summed over both sides per replication, "
        f"then mean and 95 % t interval, per replication ({run.unit})",
    )
    return fig


def _hour_counts(run: RunData, policy: str, level: str) -> np.ndarray:
    """Mean encounters per simulated day in each hour of day (24,), from ``t_cpa`` mod 24 h."""
    counts = np.zeros(24)
    for r in run.encounters:
        if r["policy"] == policy and r["level"] == level:
            counts[int((float(r["t_cpa"]) % 86400.0) // 3600.0) % 24] += 1
    # like airborne.csv: a replication is one simulated day (or horizon_h / 24 days if longer),
    # so each value is the mean count in that hour of a day
    days = run.n_replications(policy) * max(1.0, run.horizon_h / 24.0)
    return counts / days if days > 0 else counts


def timeline_figure(run: RunData, provenance: Provenance) -> Figure:
    """Encounters by hour of day per policy (first level), under both sides' airborne aircraft."""
    styles = policy_styles(run.policies)
    level = run.levels[0]
    fig = new_figure()
    fig.suptitle(f"When encounters happen: {level} encounters and aircraft airborne by hour of day", fontweight="bold")
    hours = np.arange(24) + 0.5
    active = np.zeros(24, dtype=bool)
    if run.airborne is not None:
        ax_air, ax_enc = fig.subplots(2, 1, sharex=True, height_ratios=[1, 1.4])
        sides = side_styles(run.sides)
        for side in run.sides:
            values = np.zeros(24)
            for r in run.airborne:
                if r["policy"] == run.reference and r["side"] == side:
                    values[int(r["hour"]) % 24] = float(r["mean_airborne"])
            color, ls, _ = sides.get(side, ("#333333", ":", "o"))
            ax_air.stairs(values, np.arange(25), color=color, linestyle=ls, lw=1.8, label=side)
            active |= values > 0
        ax_air.set_ylabel("aircraft airborne\n(mean over the hour)")
        ax_air.set_ylim(bottom=0)
        ax_air.set_title(
            f"both sides' aircraft airborne ({run.reference}; other policies fly nearly the same)", fontsize=10
        )
        ax_air.legend(
            title="side", fontsize=8, title_fontsize=8, frameon=False, loc="upper left", bbox_to_anchor=(1.0, 1.0)
        )
        ax_air.grid(color="#eeeeee", linewidth=0.6)
        note = "airborne: airborne.csv (reference policy)"
    else:
        ax_enc = fig.subplots(1, 1)
        note = "airborne.csv not found in the run directory: aircraft airborne not shown"
    for policy in run.policies:
        values = _hour_counts(run, policy, level)
        active |= values > 0
        ax_enc.plot(hours, values, color=styles[policy].color, marker=styles[policy].marker, ms=4, lw=1.6, label=policy)
    ax_enc.set_ylabel(f"{level} encounters {run.unit}\nin that hour")
    ax_enc.set_xlabel("hour of the simulated day (closest approach, h)")
    ax_enc.set_title(f"{level_title(run, level)}, by policy", fontsize=10)
    ax_enc.set_ylim(bottom=0)
    ax_enc.grid(color="#eeeeee", linewidth=0.6)
    ax_enc.legend(
        title="policy", fontsize=8, title_fontsize=8, frameon=False, loc="upper left", bbox_to_anchor=(1.0, 1.0)
    )
    lo, hi = 0, 24
    if run.horizon_h < 24 and active.any():  # a short scenario: show only the hours it covers
        idx = np.flatnonzero(active)
        lo, hi = max(0, int(idx[0]) - 1), min(24, int(idx[-1]) + 2)
    ax_enc.set_xlim(lo, hi)
    ax_enc.set_xticks(range(lo, hi + 1, 3 if hi - lo > 8 else 1))
    add_footer(
        fig,
        provenance,
        f"encounters: encounters.csv, level {level}, t_cpa mod 24 h, counted per hour "
        f"and divided by simulated days (replications × max(1, horizon / 24 h)); {note}",
    )
    return fig


RunFigure = Callable[[RunData, Provenance], Figure]

RUN_FIGURES: tuple[tuple[str, RunFigure, str], ...] = (
    ("encounter_rates", encounter_rates_figure, "encounters per day by policy and level, 95 % CI"),
    ("paired_differences", paired_differences_figure, "paired difference from the reference policy, 95 % CI"),
    ("tradeoff", tradeoff_figure, "losses of separation against deconfliction cost per policy"),
    ("map", map_figure, "where encounters happened, by policy, with encounters per day per sector"),
    ("timeline", timeline_figure, "encounters by hour of day against aircraft airborne"),
)


def _check_format(fmt: str) -> str:
    fmt = fmt.lower().lstrip(".")
    if fmt not in FORMATS:
        raise InputError(f"--format: expected one of {', '.join(FORMATS)}, found {fmt!r}")
    return fmt


LAYERS_DESCRIPTION = (
    "encounters with no tactical layer, tactical alerts, manoeuvres, encounters that got through "
    "and minutes lost, per policy"
)


FigureBuilders = dict[str, tuple[Callable[[], Figure], str]]
"""Figure name -> (a function drawing it, a one-line description), in the order they are saved."""


def run_figure_builders(run: RunData) -> FigureBuilders:
    """Every figure of ``run``, not yet drawn: the five run figures, ``layers`` when some side
    has a tactical layer and ``risk`` when the scenario gives errors."""
    provenance = Provenance.from_manifest(run.manifest)
    builders: FigureBuilders = {
        name: (functools.partial(build, run, provenance), description) for name, build, description in RUN_FIGURES
    }
    if has_tactical(run):
        builders["layers"] = (lambda: layers_figure(run, provenance, load_companion(run)), LAYERS_DESCRIPTION)
    if has_risk(run):
        builders["risk"] = (functools.partial(risk_figure, run, provenance), RISK_DESCRIPTION)
    return builders


def plot_run(run: RunData, out_dir: Path, fmt: str = "png") -> list[Path]:
    """Write the run figures of ``run`` into ``out_dir`` as ``<name>.<fmt>``; return the paths.

    Five figures always, ``layers`` when some side has a tactical layer and ``risk`` when
    the scenario gives errors.
    """
    provenance = Provenance.from_manifest(run.manifest)
    # every figure is drawn before any is saved: a problem found while drawing one (a missing
    # sector file for the map) leaves no partial set of figures behind
    drawn = [(name, build(), description) for name, (build, description) in run_figure_builders(run).items()]
    return [
        save_figure(fig, out_dir / f"{name}.{fmt}", provenance, fmt, description) for name, fig, description in drawn
    ]


def plot_sweep(sweep: SweepData, out_dir: Path, fmt: str = "png") -> list[Path]:
    """Write one ``sweep_<path>.<fmt>`` per swept path of ``sweep`` into ``out_dir``; return the paths."""
    provenance = Provenance.from_manifest(sweep.manifest)
    drawn = list(sweep_figures(sweep, provenance))  # all drawn before any is saved
    return [
        save_figure(fig, out_dir / f"{name}.{fmt}", provenance, fmt, "metric against swept value")
        for name, fig in drawn
    ]


def plot_results(results_dir: str | Path, out_dir: str | Path | None = None, fmt: str = "png") -> list[Path]:
    """Draw every figure of the run or sweep directory ``results_dir`` into ``out_dir``.

    ``out_dir`` defaults to ``results_dir / "figures"``; ``fmt`` is png, svg or pdf. Returns
    the files written. A directory that is not a results directory, or lacks a file, raises
    :class:`~sim.errors.InputError` naming it; nothing is written then.
    """
    results_dir = Path(results_dir)
    fmt = _check_format(fmt)
    out = Path(out_dir) if out_dir is not None else results_dir / "figures"
    if not results_dir.is_dir():
        raise InputError("expected a results directory, found no such directory", path=str(results_dir))
    if is_sweep_dir(results_dir):
        return plot_sweep(load_sweep(results_dir), out, fmt)
    return plot_run(load_run(results_dir), out, fmt)
