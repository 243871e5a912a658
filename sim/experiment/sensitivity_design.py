"""The design of a sensitivity analysis: SALib draws it in the unit cube, each law maps it to values.

Morris: ``trajectories`` one-at-a-time paths of ``k + 1`` points on a grid of ``levels``
(``SALib.sample.morris``). Sobol': ``samples`` (a power of 2) base points of a scrambled
Sobol' sequence, each with its ``k`` cross points and its partner, ``samples x (k + 2)``
points in all (``SALib.sample.sobol``, first and total order). Both are drawn in [0, 1]^k
from the file's ``seed`` and mapped column by column through the inverse distribution
function of each parameter's law (uniform, triangular, or normal truncated to its range),
so the indices are per whole range (in quantiles for the non-uniform laws).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from SALib.sample import morris as morris_sample
from SALib.sample import sobol as sobol_sample
from scipy import stats

from sim.scenario.sensitivity import Parameter, SensitivitySpec

__all__ = ["one_at_a_time_pairs", "to_values", "unit_design", "unit_problem"]


def unit_problem(k: int) -> dict[str, object]:
    """The SALib problem of ``k`` parameters in the unit cube."""
    return {"num_vars": k, "names": [f"x{i}" for i in range(k)], "bounds": [[0.0, 1.0]] * k}


def unit_design(spec: SensitivitySpec) -> np.ndarray:
    """The design in the unit cube, shape (points, parameters), deterministic for ``spec.seed``."""
    k = len(spec.parameters)
    problem = unit_problem(k)
    if spec.method == "morris":
        design = morris_sample.sample(problem, spec.trajectories, num_levels=spec.levels, seed=spec.seed)
    else:
        design = sobol_sample.sample(problem, spec.samples, calc_second_order=False, scramble=True, seed=spec.seed)
    return np.asarray(design, dtype=float)


def to_values(unit: np.ndarray, parameters: Sequence[Parameter]) -> np.ndarray:
    """Each column of ``unit`` (points, parameters) through its parameter's inverse law; integers rounded."""
    out = np.empty_like(unit)
    for j, p in enumerate(parameters):
        u = np.clip(unit[:, j], 0.0, 1.0)
        width = p.high - p.low
        if p.distribution == "uniform":
            x = p.low + u * width
        elif p.distribution == "triangular":
            assert p.mode is not None
            x = stats.triang.ppf(u, (p.mode - p.low) / width, loc=p.low, scale=width)
        else:
            assert p.mean is not None and p.sd is not None
            a, b = (p.low - p.mean) / p.sd, (p.high - p.mean) / p.sd
            x = stats.truncnorm.ppf(u, a, b, loc=p.mean, scale=p.sd)
        x = np.clip(x, p.low, p.high)
        out[:, j] = np.rint(x) if p.integer else x
    return out


def one_at_a_time_pairs(method: str, unit: np.ndarray) -> list[tuple[int, int, int]]:
    """``(a, b, parameter)``: pairs of rows of the design ``unit`` (points, k) that differ in that parameter only.

    Morris: consecutive points of a trajectory (the parameter is the coordinate that moved);
    Sobol' (first and total order): each base point ``A`` and its cross point ``AB_i``
    (rows ``(k + 2) j`` and ``(k + 2) j + 1 + i``).
    """
    points, k = unit.shape
    pairs: list[tuple[int, int, int]] = []
    if method == "morris":
        for start in range(0, points, k + 1):
            for step in range(k):
                a, b = start + step, start + step + 1
                pairs.append((a, b, int(np.argmax(np.abs(unit[b] - unit[a])))))
        return pairs
    for start in range(0, points, k + 2):
        pairs.extend((start, start + 1 + i, i) for i in range(k))
    return pairs
