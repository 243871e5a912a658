"""The layers figure: what the tactical layer handled, what got through both layers, and its cost.

Drawn for runs whose scenario gives some side a tactical layer (``replications.csv`` has the
``<side>_tactical_*`` columns). One row per policy; every number is a per-day mean over
replications with its 95 % t interval, summed over both sides where a column is per side.
The first panel, encounters with no tactical layer, comes from the run's companion in
``<run>/no-tactical/`` (``deconflict run --with-no-tactical``: the same sorties with every
tactical layer off); without one the figure says how to get it.
"""

from __future__ import annotations

from matplotlib.figure import Figure

from sim.errors import InputError
from sim.plots.data import RunData, load_run
from sim.plots.style import Provenance, add_footer, new_figure, policy_bars

__all__ = ["COMPANION", "has_tactical", "layers_figure", "load_companion"]

COMPANION = "no-tactical"
"""Subdirectory of a run holding the same run with every tactical layer off."""

MANOEUVRES = ("tactical_turn_away", "tactical_altitude", "tactical_hold", "tactical_rtb")


def has_tactical(run: RunData) -> bool:
    """Whether the run's replications carry the tactical layer's columns."""
    return bool(run.replications) and any(k.endswith("_tactical_alerts") for k in run.replications[0])


def load_companion(run: RunData) -> RunData | None:
    """The run's ``no-tactical`` companion, checked to be the same sorties, or None if absent.

    InputError if it is there but is not the same scenario, seed, replications and policies
    with every tactical layer off.
    """
    where = run.path / COMPANION
    if not (where / "manifest.json").is_file():
        return None
    off = load_run(where)
    for key in ("scenario_sha256", "seed", "replications", "policies"):
        if off.manifest.get(key) != run.manifest.get(key):
            raise InputError(
                f"{key}: expected the run's own {run.manifest.get(key)!r} (the same sorties with the "
                f"tactical layer off), found {off.manifest.get(key)!r}",
                path=str(where / "manifest.json"),
            )
    if has_tactical(off):
        raise InputError(
            "expected a run with every tactical layer off (deconflict run --no-tactical), found tactical columns",
            path=str(where / "replications.csv"),
        )
    return off


def layers_figure(run: RunData, provenance: Provenance, without: RunData | None = None) -> Figure:
    """Per policy: encounters with no tactical layer (from ``without``, the companion run, if
    given), alerts handled, manoeuvres, encounters that got through, tactical minutes lost."""
    level = run.levels[0]
    fig = new_figure()
    n_rep = run.n_replications(run.reference)
    fig.suptitle(
        f"The two layers: what the crews handled, what got through, what it cost ({run.unit}, mean of {n_rep}, 95 % CI)",
        fontweight="bold",
    )
    panels: list[tuple[RunData, list[str], str]] = []
    if without is not None:
        panels.append((without, [f"encounters_{level}"], f"{level} encounters with\nno tactical layer"))
    panels += [
        (run, [f"{s}_tactical_alerts" for s in run.sides], "alerts\n(seen inside the standoff)"),
        (run, [f"{s}_{m}" for s in run.sides for m in MANOEUVRES], "manoeuvres\n(turn, climb, hold, home)"),
        (run, [f"encounters_{level}"], f"{level} encounters that\ngot through both layers"),
        (run, [f"{s}_tactical_lost_min" for s in run.sides], "on-station minutes\nlost to manoeuvres"),
    ]
    axes = fig.subplots(1, len(panels), sharey=True)
    for ax, (source, columns, title) in zip(axes, panels, strict=True):
        estimates = [source.summed(policy, columns) for policy in run.policies]
        policy_bars(
            ax,
            run.policies,
            [(e.mean * run.scale, e.ci_low * run.scale, e.ci_high * run.scale) for e in estimates],
        )
        ax.set_title(title, fontsize=10)
        ax.set_xlabel(run.unit)
    if without is not None:  # encounters without the layer and through both on one scale
        first, through = axes[0], axes[len(panels) - 2]
        right = max(first.get_xlim()[1], through.get_xlim()[1])
        first.set_xlim(0, right)
        through.set_xlim(0, right)
    add_footer(
        fig,
        provenance,
        "numbers: replications.csv, per replication: sum over sides of <side>_tactical_alerts, of "
        "_tactical_turn_away/_altitude/_hold/_rtb, encounters_" + level + ", sum of _tactical_lost_min; "
        f"bars: mean {run.unit}, whiskers: 95 % t interval. "
        + (
            f"No tactical layer: {COMPANION}/replications.csv, the same sorties with the layer off."
            if without is not None
            else "Encounters with no tactical layer: run with --with-no-tactical (the same sorties, layer off)."
        ),
    )
    return fig
