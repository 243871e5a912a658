"""The risk figure: expected NMACs per day and fatal accidents per flight hour, per policy.

Both on a log scale (the values span orders of magnitude), each policy a point with its
95 % interval; a lower end at or below zero (the t interval of a mean dominated by a few
days) is drawn to the panel's floor, with an arrow. The second panel has ICAO's target
level of safety, 5e-9 fatal accidents per flight hour, as a line.
"""

from __future__ import annotations

import math
from typing import Any

from matplotlib.figure import Figure

from sim.experiment.report import TLS_PER_FLIGHT_H, accidents_per_collision_per_flight_h
from sim.plots.data import RunData
from sim.plots.style import Provenance, add_footer, new_figure, policy_styles

__all__ = ["RISK_DESCRIPTION", "has_risk", "risk_figure"]

RISK_DESCRIPTION = "expected NMACs per day and fatal accidents per flight hour against the target level of safety"


def has_risk(run: RunData) -> bool:
    """Whether the run's replications carry the risk columns."""
    return bool(run.replications) and "risk_collision" in run.replications[0]


def risk_figure(run: RunData, provenance: Provenance) -> Figure:
    """Two log-scale panels per policy: expected NMACs a day; fatal accidents per flight hour."""
    fig = new_figure()
    n_rep = run.n_replications(run.reference)
    fig.suptitle(
        f"Collision risk under navigation and altimetry errors (mean of {n_rep} replications, 95 % CI)",
        fontweight="bold",
    )
    left, right = fig.subplots(1, 2)
    styles = policy_styles(run.policies)
    panels: list[tuple[Any, list[tuple[float, float, float]], str, float | None]] = []
    nmac = [run.stat(p, "risk_nmac") for p in run.policies]
    panels.append((left, [(s.mean * run.scale, s.ci_low * run.scale, s.ci_high * run.scale) for s in nmac],
                   f"expected NMACs {run.unit} (500 ft, 100 ft)", None))  # fmt: skip
    rates = []
    for p in run.policies:
        s = run.stat(p, "risk_collision")
        hours = sum(run.stat(p, f"{side}_flight_h").mean for side in run.sides)
        k = accidents_per_collision_per_flight_h(hours)
        rates.append((s.mean * k, s.ci_low * k, s.ci_high * k))
    panels.append((right, rates, "fatal accidents per flight hour (2 per collision)", TLS_PER_FLIGHT_H))
    for ax, values, label, target in panels:
        positive = [v for triple in values for v in triple if v > 0 and math.isfinite(v)]
        if target is not None:
            positive.append(target)
        if not positive:
            ax.text(0.5, 0.5, "no risk in any replication", ha="center", va="center", transform=ax.transAxes)
            ax.set_yticks(range(len(run.policies)), run.policies)
            continue
        floor = min(positive) / 10
        for i, (policy, (mean, low, high)) in enumerate(zip(run.policies, values, strict=True)):
            colour = styles[policy].color
            shown = max(mean, floor)
            lo = max(low, floor) if math.isfinite(low) else shown
            hi = max(high, floor) if math.isfinite(high) else shown
            ax.plot([lo, hi], [i, i], color="#222222", lw=1)
            ax.plot(shown, i, "o", color=colour, ms=7)
            if low <= floor < shown:
                ax.annotate("", xy=(floor, i), xytext=(floor * 1.8, i), arrowprops={"arrowstyle": "->", "lw": 0.8})
            ax.text(hi * 1.3, i, f"{mean:.2g}", va="center", fontsize=8)
        if target is not None:
            ax.axvline(target, color="#b2182b", ls="--", lw=1)
            ax.text(target, -0.42, " ICAO TLS 5e-9", color="#b2182b", fontsize=8, va="top")
        ax.set_xscale("log")
        ax.set_xlim(floor, max(positive) * 30)
        ax.set_yticks(range(len(run.policies)), run.policies)
        ax.set_ylim(len(run.policies) - 0.5, -0.5)
        ax.grid(axis="x", color="#dddddd", linewidth=0.6)
        ax.set_xlabel(label)
    right.set_yticklabels([])
    add_footer(
        fig,
        provenance,
        "numbers: summary.csv, metrics risk_nmac and risk_collision (expected counts per replication) and "
        "<side>_flight_h; points: mean, lines: 95 % t interval (cut at the panel's floor)",
    )
    return fig
