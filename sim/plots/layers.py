"""The layers figure: what the tactical layer handled, what got through both layers, and its cost.

Drawn for runs whose scenario gives some side a tactical layer (``replications.csv`` has the
``<side>_tactical_*`` columns). One row per policy; every number is a per-day mean over
replications with its 95 % t interval, summed over both sides where a column is per side.
"""

from __future__ import annotations

from matplotlib.figure import Figure

from sim.plots.data import RunData
from sim.plots.style import Provenance, add_footer, new_figure, policy_bars

__all__ = ["has_tactical", "layers_figure"]

MANOEUVRES = ("tactical_turn_away", "tactical_altitude", "tactical_hold", "tactical_rtb")


def has_tactical(run: RunData) -> bool:
    """Whether the run's replications carry the tactical layer's columns."""
    return bool(run.replications) and any(k.endswith("_tactical_alerts") for k in run.replications[0])


def layers_figure(run: RunData, provenance: Provenance) -> Figure:
    """Per policy: alerts handled, manoeuvres, encounters that got through, tactical minutes lost."""
    level = run.levels[0]
    fig = new_figure()
    n_rep = run.n_replications(run.reference)
    fig.suptitle(
        f"The two layers: what the crews handled, what got through, what it cost (per day, mean of {n_rep}, 95 % CI)",
        fontweight="bold",
    )
    panels = (
        ([f"{s}_tactical_alerts" for s in run.sides], "alerts\n(seen inside the standoff)"),
        ([f"{s}_{m}" for s in run.sides for m in MANOEUVRES], "manoeuvres\n(turn, climb, hold, home)"),
        ([f"encounters_{level}"], f"{level} encounters that\ngot through both layers"),
        ([f"{s}_tactical_lost_min" for s in run.sides], "on-station minutes\nlost to manoeuvres"),
    )
    axes = fig.subplots(1, len(panels), sharey=True)
    for ax, (columns, title) in zip(axes, panels, strict=True):
        estimates = [run.summed(policy, columns) for policy in run.policies]
        policy_bars(
            ax,
            run.policies,
            [(e.mean * run.per_day, e.ci_low * run.per_day, e.ci_high * run.per_day) for e in estimates],
        )
        ax.set_title(title, fontsize=10)
        ax.set_xlabel("per day")
    add_footer(
        fig,
        provenance,
        "numbers: replications.csv, per replication: sum over sides of <side>_tactical_alerts, of "
        "_tactical_turn_away/_altitude/_hold/_rtb, encounters_" + level + ", sum of _tactical_lost_min; "
        "bars: mean per day, whiskers: 95 % t interval. Without the layer: deconflict run --no-tactical",
    )
    return fig
