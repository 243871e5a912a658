"""Sensitivity indices of one output over a design, and whether the ranking of the rules holds.

Morris (``SALib.analyze.morris``): ``mu_star`` (mean absolute elementary effect) and
``sigma`` (their standard deviation: interactions and non-linearity), in the output's unit
per whole range of the parameter (the design is in the unit cube); 95 % intervals are
percentile bootstraps over trajectories (``resamples`` draws, seeded), for both.
Sobol' (``SALib.analyze.sobol``, first and total order): ``S1`` and ``ST`` with SALib's
bootstrap 95 % intervals (value +- its half-width).
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from typing import Any

import numpy as np
from SALib.analyze import morris as morris_analyze
from SALib.analyze import sobol as sobol_analyze

from sim.experiment.sensitivity_design import one_at_a_time_pairs, unit_problem

__all__ = ["elementary_effects", "indices", "ranking", "ranking_changes"]


def elementary_effects(unit: np.ndarray, y: np.ndarray) -> np.ndarray:
    """Morris elementary effects, shape (trajectories, k): output change over parameter change.

    ``unit`` (trajectories x (k + 1), k) is the design in the unit cube, ``y`` its outputs.
    """
    points, k = unit.shape
    r = points // (k + 1)
    effects = np.empty((r, k))
    for t in range(r):
        for step in range(k):
            a = t * (k + 1) + step
            moved = unit[a + 1] - unit[a]
            i = int(np.argmax(np.abs(moved)))
            effects[t, i] = (y[a + 1] - y[a]) / moved[i]
    return effects


def indices(
    method: str, unit: np.ndarray, y: np.ndarray, *, levels: int, resamples: int, seed: int
) -> list[dict[str, Any]]:
    """Rows ``{parameter (index), index, value, ci95_low, ci95_high}`` for output ``y`` (points,)."""
    k = unit.shape[1]
    problem = unit_problem(k)
    rows: list[dict[str, Any]] = []
    with warnings.catch_warnings(), np.errstate(all="ignore"):
        warnings.simplefilter("ignore")  # a constant output: SALib divides by a zero variance
        if method == "morris":
            res = morris_analyze.analyze(
                problem, unit, y, num_resamples=resamples, conf_level=0.95, num_levels=levels, seed=seed
            )
            effects = elementary_effects(unit, y)
            rng = np.random.default_rng(seed)
            draws = rng.integers(0, effects.shape[0], size=(resamples, effects.shape[0]))
            boot = effects[draws]  # (resamples, trajectories, k)
            mu_star_b = np.abs(boot).mean(axis=1)
            sigma_b = boot.std(axis=1, ddof=1)
            for i in range(k):
                for name, value, b in (("mu_star", res["mu_star"][i], mu_star_b), ("sigma", res["sigma"][i], sigma_b)):
                    low, high = np.percentile(b[:, i], [2.5, 97.5])
                    rows.append(_row(i, name, value, low, high))
        else:
            res = sobol_analyze.analyze(
                problem, y, calc_second_order=False, num_resamples=resamples, conf_level=0.95, seed=seed
            )
            for i in range(k):
                for name in ("S1", "ST"):
                    value, half = float(res[name][i]), float(res[f"{name}_conf"][i])
                    rows.append(_row(i, name, value, value - half, value + half))
    return rows


def _row(i: int, name: str, value: float, low: float, high: float) -> dict[str, Any]:
    return {"parameter": i, "index": name, "value": float(value), "ci95_low": float(low), "ci95_high": float(high)}


def ranking(means: dict[str, float], order: Sequence[str]) -> str:
    """The rules from lowest to highest mean, ``a < b = c`` (exact ties joined by ``=``, in ``order``)."""
    ranked = sorted(order, key=lambda p: (means[p], order.index(p)))
    text = ranked[0]
    for prev, cur in zip(ranked, ranked[1:], strict=False):
        text += (" = " if means[cur] == means[prev] else " < ") + cur
    return text


def ranking_changes(
    method: str, unit: np.ndarray, rankings: Sequence[str], nominal: str
) -> tuple[int, dict[int, tuple[int, int]]]:
    """How many design points rank the rules otherwise than ``nominal``, and per parameter
    ``(pairs, changed)``: of the one-at-a-time pairs that move it, how many change the ranking."""
    differ = sum(r != nominal for r in rankings)
    per: dict[int, tuple[int, int]] = {i: (0, 0) for i in range(unit.shape[1])}
    for a, b, i in one_at_a_time_pairs(method, unit):
        n, c = per[i]
        per[i] = (n + 1, c + (rankings[a] != rankings[b]))
    return differ, per
