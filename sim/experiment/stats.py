"""Means and 95 % confidence intervals of replication metrics.

Student's t interval on the replication mean: replications are independent, and their
metrics (counts, minutes) are sums over many sorties, so the mean is close to normal for
the replication counts used here. scipy is imported lazily to keep the CLI quick to start.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

__all__ = ["Estimate", "mean_ci"]


@dataclass(frozen=True)
class Estimate:
    """A replication mean with its sample standard deviation and 95 % t interval."""

    n: int
    mean: float
    sd: float
    ci_low: float
    ci_high: float

    @property
    def half_width(self) -> float:
        return (self.ci_high - self.ci_low) / 2


def mean_ci(values: Sequence[float] | np.ndarray, level: float = 0.95) -> Estimate:
    """Mean of ``values`` (n,) with a two-sided ``level`` Student-t interval.

    With one value the interval is undefined (NaN); with zero spread it collapses to the mean.
    """
    x = np.asarray(values, dtype=float)
    n = int(x.size)
    if n == 0:
        return Estimate(0, math.nan, math.nan, math.nan, math.nan)
    mean = float(x.mean())
    if n == 1:
        return Estimate(1, mean, math.nan, math.nan, math.nan)
    sd = float(x.std(ddof=1))
    from scipy import stats  # lazy: scipy takes a while to import

    half = float(stats.t.ppf(0.5 + level / 2, df=n - 1)) * sd / math.sqrt(n)
    return Estimate(n, mean, sd, mean - half, mean + half)
