"""Laws of the offset between two flights' deviations, one axis at a time.

Each flight's deviation from its nominal path is a constant random offset during a close
approach (``sim.detect.risk``): east and north independent, each with the flight's lateral
law (normal, or Laplace as in ICAO's lateral collision-risk studies) and standard deviation;
up normal with the flight's vertical standard deviation. What matters for two flights is the
difference of their offsets, axis by axis: the convolution of the two laws, given here in
closed form (all laws are symmetric, so a difference is a sum):

* normal ``s1`` and normal ``s2``: normal with ``sqrt(s1**2 + s2**2)``;
* Laplace ``b1`` and Laplace ``b2`` (scales, ``b = sd / sqrt(2)``): for ``x >= 0`` the
  survival function is ``(b1**2 exp(-x/b1) - b2**2 exp(-x/b2)) / (2 (b1**2 - b2**2))``,
  and ``exp(-x/b) (1 + x / (2 b)) / 2`` when ``b1 == b2``;
* normal ``s`` and Laplace ``b``: with ``r = s / b``, the survival function is
  ``Q(x/s) + (exp(r**2/2 - x/b) Phi(x/s - r) - exp(r**2/2 + x/b) Phi(-x/s - r)) / 2``
  (``Q = 1 - Phi``), evaluated with ``log_ndtr`` so that it keeps its relative accuracy far
  in the tails.

A law of standard deviation 0 is a point mass at 0 (``Point``). All values are in metres.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from scipy import special

__all__ = ["AxisLaw", "Laplace2", "Normal", "NormalLaplace", "Point", "difference_law"]

_SQRT2 = math.sqrt(2.0)
_EQUAL_SCALES = 1e-4  # relative difference of two Laplace scales below which they count as equal


_TAIL_CACHE: dict[tuple[AxisLaw, float], float] = {}


class AxisLaw:
    """A symmetric law on one axis (m): density, distribution and survival functions."""

    sd_m: float

    def pdf(self, x: np.ndarray) -> np.ndarray:  # pragma: no cover - interface
        raise NotImplementedError

    def sf(self, x: np.ndarray) -> np.ndarray:  # pragma: no cover - interface
        """P(X > x), accurate in relative terms in the upper tail."""
        raise NotImplementedError

    def cdf(self, x: np.ndarray) -> np.ndarray:
        """P(X < x) (the law is symmetric: the survival function at -x)."""
        return self.sf(-np.asarray(x, dtype=np.float64))

    def between(self, lo: np.ndarray, hi: np.ndarray) -> np.ndarray:
        """P(lo < X < hi) elementwise (0 where hi <= lo), without cancellation in either tail."""
        lo = np.asarray(lo, dtype=np.float64)
        hi = np.asarray(hi, dtype=np.float64)
        # the law is symmetric: mirror an interval lying mostly below 0, so that both ends are
        # read in the upper tail, where the survival function keeps its relative accuracy
        up = lo + hi > 0
        a, b = np.where(up, lo, -hi), np.where(up, hi, -lo)
        out = self.sf(a) - self.sf(b)
        return np.where(hi > lo, np.maximum(out, 0.0), 0.0)

    def tail_radius(self, eps: float) -> float:
        """The least radius R (m) found with P(|X| >= R) <= eps (0 for a point mass); cached."""
        key = (self, eps)
        if key not in _TAIL_CACHE:
            _TAIL_CACHE[key] = self._tail_radius(eps)
        return _TAIL_CACHE[key]

    def _tail_radius(self, eps: float) -> float:
        if self.sd_m == 0:
            return 0.0
        lo, hi = 0.0, self.sd_m
        while 2 * float(self.sf(np.array([hi]))[0]) > eps:
            lo, hi = hi, 2 * hi
        for _ in range(60):
            mid = (lo + hi) / 2
            if 2 * float(self.sf(np.array([mid]))[0]) > eps:
                lo = mid
            else:
                hi = mid
        return hi


@dataclass(frozen=True)
class Point(AxisLaw):
    """No deviation: all mass at 0. ``sf(x)`` is 1 for x < 0 and 0 for x >= 0."""

    sd_m: float = 0.0

    def pdf(self, x: np.ndarray) -> np.ndarray:
        raise ValueError("a point mass has no density")

    def sf(self, x: np.ndarray) -> np.ndarray:
        return (np.asarray(x, dtype=np.float64) < 0).astype(np.float64)

    def cdf(self, x: np.ndarray) -> np.ndarray:
        return (np.asarray(x, dtype=np.float64) > 0).astype(np.float64)


@dataclass(frozen=True)
class Normal(AxisLaw):
    """Normal law with standard deviation ``sd_m`` > 0."""

    sd_m: float

    def pdf(self, x: np.ndarray) -> np.ndarray:
        z = np.asarray(x, dtype=np.float64) / self.sd_m
        return np.exp(-0.5 * z * z) / (self.sd_m * math.sqrt(2 * math.pi))

    def sf(self, x: np.ndarray) -> np.ndarray:
        return special.ndtr(-np.asarray(x, dtype=np.float64) / self.sd_m)

    def cdf(self, x: np.ndarray) -> np.ndarray:
        return special.ndtr(np.asarray(x, dtype=np.float64) / self.sd_m)


@dataclass(frozen=True)
class Laplace2(AxisLaw):
    """The sum of two independent Laplace laws of scales ``b1_m`` and ``b2_m`` (either may be 0)."""

    b1_m: float
    b2_m: float

    @property
    def sd_m(self) -> float:  # type: ignore[override]
        return math.sqrt(2 * (self.b1_m**2 + self.b2_m**2))

    def _equal(self) -> bool:
        return abs(self.b1_m - self.b2_m) <= _EQUAL_SCALES * max(self.b1_m, self.b2_m)

    def pdf(self, x: np.ndarray) -> np.ndarray:
        ax = np.abs(np.asarray(x, dtype=np.float64))
        b1, b2 = self.b1_m, self.b2_m
        if self._equal():
            b = (b1 + b2) / 2
            return (1 + ax / b) * np.exp(-ax / b) / (4 * b)
        return (b1 * np.exp(-ax / b1) - b2 * np.exp(-ax / b2)) / (2 * (b1 * b1 - b2 * b2))

    def sf(self, x: np.ndarray) -> np.ndarray:
        x = np.asarray(x, dtype=np.float64)
        ax = np.abs(x)
        b1, b2 = self.b1_m, self.b2_m
        if self._equal():
            b = (b1 + b2) / 2
            upper = np.exp(-ax / b) * (1 + ax / (2 * b)) / 2
        else:
            hi, lo = max(b1, b2), min(b1, b2)
            # factor out the slower exponential so that the difference keeps its accuracy
            upper = np.exp(-ax / hi) * (hi * hi - lo * lo * np.exp(-ax / lo + ax / hi)) / (2 * (hi * hi - lo * lo))
        return np.where(x >= 0, upper, 1.0 - upper)


@dataclass(frozen=True)
class NormalLaplace(AxisLaw):
    """The sum of a normal law (sd ``s_m`` > 0) and a Laplace law (scale ``b_m`` > 0)."""

    s_m: float
    b_m: float

    @property
    def sd_m(self) -> float:  # type: ignore[override]
        return math.sqrt(self.s_m**2 + 2 * self.b_m**2)

    def _terms(self, x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        s, b = self.s_m, self.b_m
        r = s / b
        plus = np.exp(r * r / 2 - x / b + special.log_ndtr(x / s - r))
        minus = np.exp(r * r / 2 + x / b + special.log_ndtr(-x / s - r))
        return plus, minus

    def pdf(self, x: np.ndarray) -> np.ndarray:
        x = np.asarray(x, dtype=np.float64)
        plus, minus = self._terms(x)
        return (plus + minus) / (2 * self.b_m)

    def sf(self, x: np.ndarray) -> np.ndarray:
        x = np.asarray(x, dtype=np.float64)
        ax = np.abs(x)
        plus, minus = self._terms(ax)
        upper = special.ndtr(-ax / self.s_m) + (plus - minus) / 2
        upper = np.clip(upper, 0.0, 0.5)
        return np.where(x >= 0, upper, 1.0 - upper)


def difference_law(law_a: str, sd_a_m: float, law_b: str, sd_b_m: float) -> AxisLaw:
    """The law of ``e_a - e_b`` on one axis for independent errors of the given laws and sds.

    ``law_*`` is ``"normal"`` or ``"laplace"``; an sd of 0 is no error at all.
    """
    parts = [(law, sd) for law, sd in ((law_a, sd_a_m), (law_b, sd_b_m)) if sd > 0]
    for law, _ in parts:
        if law not in ("normal", "laplace"):
            raise ValueError(f"unknown error law {law!r}")
    if not parts:
        return Point()
    normals = [sd for law, sd in parts if law == "normal"]
    laplaces = [sd / _SQRT2 for law, sd in parts if law == "laplace"]
    if not laplaces:
        return Normal(math.sqrt(sum(sd * sd for sd in normals)))
    if normals:
        return NormalLaplace(normals[0], laplaces[0])
    if len(laplaces) == 2:
        return Laplace2(laplaces[0], laplaces[1])
    return _Laplace1(laplaces[0])


@dataclass(frozen=True)
class _Laplace1(AxisLaw):
    """Laplace law of scale ``b_m`` > 0."""

    b_m: float

    @property
    def sd_m(self) -> float:  # type: ignore[override]
        return _SQRT2 * self.b_m

    def pdf(self, x: np.ndarray) -> np.ndarray:
        return np.exp(-np.abs(np.asarray(x, dtype=np.float64)) / self.b_m) / (2 * self.b_m)

    def sf(self, x: np.ndarray) -> np.ndarray:
        x = np.asarray(x, dtype=np.float64)
        upper = np.exp(-np.abs(x) / self.b_m) / 2
        return np.where(x >= 0, upper, 1.0 - upper)
