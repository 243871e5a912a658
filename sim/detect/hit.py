"""Probability that a random constant offset brings one straight relative stretch into a volume.

One *stretch*: two flights each on one straight leg for ``T`` seconds, so their nominal
relative position ``d(t) = d0 + u t`` (m, a minus b) is linear. Their deviations add a
constant random offset ``e`` (``sim.detect.deviation``: east, north independent with law
``law_h``, up with ``law_z``). The deviated pair is *in* the volume when ``|d_h + e_h| < H``
and ``|d_z + e_z| < V`` (strict, as the detector). ``hit_probability`` gives

    P(there is t in [0, T] with d(t) + e in the volume),

by numerical integration over the offset, not by sampling. With ``T = 0`` it is the
probability of being in the volume at ``d0``.

How. Rotate the horizontal plane so that ``u_h`` points along the first axis; a line start
``p = d0_h + e_h`` has an along coordinate ``a`` and an across coordinate ``c``. The
horizontal path is inside the disc, during ``[0, T]``, exactly while
``t_lo(a, c) < t < t_hi(a, c)``, with ``h = sqrt(H**2 - c**2)`` and
``t_lo = clip((-h - a) / |u_h|, 0, T)``, ``t_hi = clip((h - a) / |u_h|, 0, T)``, non-empty
for ``-h - |u_h| T < a < h``. During that time the height moves linearly, so the vertical
condition holds at some instant iff ``e_z`` lies between two bounds that are closed forms of
``t_lo`` and ``t_hi``: its probability is a difference of the vertical law's distribution
function. What remains is a 2-D integral of the horizontal density times that difference:

* outer, over ``c`` in ``(-H, H)`` cut to where the density is not negligible, with
  ``c = H sin(psi)`` so that the square root at ``|c| = H`` is smooth;
* inner, over ``a``, on panels whose breakpoints are the kinks of ``t_lo`` and ``t_hi``,
  a grid of one standard deviation over the density, and the points where the vertical
  bounds pass through the vertical law's grid of one standard deviation (where the
  difference changes fast);
* Gauss-Legendre of order 5 on every panel, checked against order 3 on the same panels;
  where the two differ by more than ``RTOL`` (relative) or ``ATOL``, every panel is halved
  and both are done again (at most 5 times).

For normal horizontal laws with no relative vertical motion the inner integral is a closed
form (the density factorises along and across), so only the outer one is numerical.

The density is cut where the law's tails hold less than ``eps`` (``AxisLaw.tail_radius``):
what is left out is at most ``4 eps`` of probability per stretch.
"""

from __future__ import annotations

import math

import numpy as np

from sim.detect.deviation import AxisLaw, Normal, Point

__all__ = ["ATOL", "EPS", "RTOL", "hit_probability"]

EPS = 1e-18
RTOL = 1e-4
ATOL = 1e-14  # per stretch: below this a probability does not matter to any total
_RULES = (np.polynomial.legendre.leggauss(5), np.polynomial.legendre.leggauss(3))
_MAX_HALVINGS = 5


def hit_probability(
    d0_m: tuple[float, float, float],
    u_mps: tuple[float, float, float],
    duration_s: float,
    horizontal_m: float,
    vertical_m: float,
    law_h: AxisLaw,
    law_z: AxisLaw,
    eps: float = EPS,
) -> float:
    """P(the offset stretch enters the volume) as described in the module docstring.

    ``d0_m`` (3,) is the nominal relative position at the stretch start, ``u_mps`` (3,) the
    relative velocity, ``duration_s`` >= 0; ``law_h`` is the law of each horizontal component
    of the relative offset, ``law_z`` of the vertical one.
    """
    dx, dy, dz = (float(v) for v in d0_m)
    ux, uy, uz = (float(v) for v in u_mps)
    T, H, V = float(duration_s), float(horizontal_m), float(vertical_m)
    speed = math.hypot(ux, uy)
    if isinstance(law_h, Point):
        return _deterministic_horizontal(dx, dy, dz, ux, uy, uz, T, H, V, law_z)
    ex, ey = (ux / speed, uy / speed) if speed > 0 else (1.0, 0.0)
    a0 = dx * ex + dy * ey
    c0 = -dx * ey + dy * ex
    reach = law_h.tail_radius(eps) * math.sqrt(2.0)  # |e| in any direction, both axes cut at eps
    c_lo, c_hi = max(-H, c0 - reach), min(H, c0 + reach)
    if not c_lo < c_hi:
        return 0.0
    closed = isinstance(law_h, Normal) and (uz == 0.0 or speed == 0.0 or T == 0.0)
    stretch = _Stretch(a0, c0, ex, ey, dz, speed, uz, T, H, V, law_h, law_z, reach, eps)
    for halving in range(_MAX_HALVINGS + 1):
        fine, coarse = stretch.integrate(c_lo, c_hi, 2**halving, closed)
        if abs(fine - coarse) <= RTOL * abs(fine) + ATOL:
            break
    return fine


class _Stretch:
    """One stretch in its along/across frame, integrated at a given panel subdivision."""

    def __init__(
        self,
        a0: float,
        c0: float,
        ex: float,
        ey: float,
        dz: float,
        speed: float,
        uz: float,
        T: float,
        H: float,
        V: float,
        law_h: AxisLaw,
        law_z: AxisLaw,
        reach: float,
        eps: float,
    ) -> None:
        self.a0, self.c0, self.ex, self.ey, self.dz = a0, c0, ex, ey, dz
        self.speed, self.uz, self.T, self.H, self.V = speed, uz, T, H, V
        self.law_h, self.law_z, self.reach = law_h, law_z, reach
        self.sd_h = law_h.sd_m
        self.z_reach = law_z.tail_radius(eps)
        self.sd_z = law_z.sd_m

    # --- outer: over c ---------------------------------------------------------------------
    def integrate(self, c_lo: float, c_hi: float, sub: int, closed: bool) -> tuple[float, float]:
        """The integral by Gauss-Legendre of order 5 and of order 3 on the same panels (both
        in c and in a), each panel cut into ``sub``."""
        return self._integrate(c_lo, c_hi, sub, closed, 0), self._integrate(c_lo, c_hi, sub, closed, 1)

    def _integrate(self, c_lo: float, c_hi: float, sub: int, closed: bool, rule: int) -> float:
        H = self.H
        nodes_1, weights_1 = _RULES[rule]
        n_grid = int(math.ceil((c_hi - c_lo) / self.sd_h))
        cuts = np.linspace(c_lo, c_hi, max(n_grid, 1) * sub + 1)
        psi = np.arcsin(np.clip(cuts / H, -1.0, 1.0))
        half = np.diff(psi) / 2
        mid = (psi[1:] + psi[:-1]) / 2
        nodes = (mid[:, None] + half[:, None] * nodes_1[None, :]).ravel()
        weights = (half[:, None] * weights_1[None, :]).ravel() * H * np.cos(nodes)
        c = H * np.sin(nodes)
        inner = self._inner_closed(c) if closed else self._inner(c, sub, rule)
        return float(np.sum(weights * inner))

    # --- inner: over a -----------------------------------------------------------------------
    def _ranges(self, c: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        h = np.sqrt(np.maximum(self.H * self.H - c * c, 0.0))
        reach_a = self.speed * self.T
        lo = np.maximum(self.a0 - self.reach, -h - reach_a)
        hi = np.minimum(self.a0 + self.reach, h)
        return h, lo, hi

    def _inner_closed(self, c: np.ndarray) -> np.ndarray:
        """Normal law with the vertical factor constant: the along integral in closed form."""
        h, lo, hi = self._ranges(c)
        along = self.law_h.between(lo - self.a0, hi - self.a0)
        across = self.law_h.pdf(c - self.c0)
        vertical = self.law_z.between(
            np.array(-self.V - self.dz - max(0.0, self.uz * self.T)),
            np.array(self.V - self.dz - min(0.0, self.uz * self.T)),
        )
        return np.where(hi > lo, along * across, 0.0) * vertical

    def _times(self, a: np.ndarray, h: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        if self.speed == 0.0:
            return np.zeros_like(a), np.full_like(a, self.T)
        t_lo = np.clip((-h - a) / self.speed, 0.0, self.T)
        t_hi = np.clip((h - a) / self.speed, 0.0, self.T)
        return t_lo, t_hi

    def _bounds(self, a: np.ndarray, h: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """The vertical offset's bounds (m) for line starts ``a`` (any shape; ``h`` broadcast)."""
        t_lo, t_hi = self._times(a, h)
        z_lo, z_hi = self.uz * t_lo, self.uz * t_hi
        lower = -self.V - self.dz - np.maximum(z_lo, z_hi)
        upper = self.V - self.dz - np.minimum(z_lo, z_hi)
        return lower, upper

    def _inner(self, c: np.ndarray, sub: int, rule: int) -> np.ndarray:
        nodes_1, weights_1 = _RULES[rule]
        h, lo, hi = self._ranges(c)
        n = len(c)
        points = [lo[:, None], hi[:, None], (-h)[:, None], (h - self.speed * self.T)[:, None]]
        j = np.arange(-math.ceil(self.reach / self.sd_h), math.ceil(self.reach / self.sd_h) + 1)
        points.append(np.broadcast_to(self.a0 + j * self.sd_h, (n, len(j))))
        # the vertical factor changes over sd_z * |u_h| / |u_z| in a: finer than the density's grid?
        if self.speed > 0 and self.uz != 0 and self.T > 0 and self.sd_z * self.speed < self.sd_h * abs(self.uz):
            points.append(self._vertical_breaks(lo, hi, h))
        cuts = np.sort(np.clip(np.concatenate(points, axis=1), lo[:, None], hi[:, None]), axis=1)
        # panels of zero width on every row (grid points outside every range) cost without adding
        keep = np.r_[True, np.any(np.diff(cuts, axis=1) > 0, axis=0)]
        cuts = cuts[:, keep]
        if sub > 1:
            frac = np.arange(sub) / sub
            cuts = np.concatenate(
                [(cuts[:, :-1, None] + (cuts[:, 1:, None] - cuts[:, :-1, None]) * frac).reshape(n, -1), cuts[:, -1:]],
                axis=1,
            )
        half = np.diff(cuts, axis=1) / 2  # (n, panels)
        mid = (cuts[:, 1:] + cuts[:, :-1]) / 2
        a = mid[:, :, None] + half[:, :, None] * nodes_1  # (n, panels, order)
        w = half[:, :, None] * weights_1
        da, dc = a - self.a0, (c - self.c0)[:, None, None]
        ex, ey = self.ex, self.ey
        density = self.law_h.pdf(da * ex - dc * ey) * self.law_h.pdf(da * ey + dc * ex)
        lower, upper = self._bounds(a, h[:, None, None])
        vertical = self.law_z.between(lower, upper)
        out = np.sum(w * density * vertical, axis=(1, 2))
        return np.where(hi > lo, out, 0.0)

    def _vertical_breaks(self, lo: np.ndarray, hi: np.ndarray, h: np.ndarray) -> np.ndarray:
        """Line starts (n, k) where a vertical bound crosses the vertical law's sd grid."""
        n = len(lo)
        kinks = np.sort(
            np.clip(np.stack([lo, -h, h - self.speed * self.T, hi], axis=1), lo[:, None], hi[:, None]), axis=1
        )
        if self.sd_z > 0:
            k = math.ceil(self.z_reach / self.sd_z)
            targets = np.arange(-k, k + 1) * self.sd_z
        else:
            targets = np.zeros(1)
        found = []
        for bound in (0, 1):
            values = self._bounds(kinks, h[:, None])[bound]  # (n, 4)
            p0, p1 = kinks[:, :-1, None], kinks[:, 1:, None]
            b0, b1 = values[:, :-1, None], values[:, 1:, None]
            tau = targets[None, None, :]
            cross = (b0 - tau) * (b1 - tau) < 0
            with np.errstate(divide="ignore", invalid="ignore"):
                where = p0 + (tau - b0) * (p1 - p0) / (b1 - b0)
            found.append(np.where(cross, where, lo[:, None, None]).reshape(n, -1))
        return np.concatenate(found, axis=1)


def _deterministic_horizontal(
    dx: float, dy: float, dz: float, ux: float, uy: float, uz: float, T: float, H: float, V: float, law_z: AxisLaw
) -> float:
    """No horizontal deviation: the horizontal window is fixed, the vertical law decides."""
    a2 = ux * ux + uy * uy
    b = dx * ux + dy * uy
    c = dx * dx + dy * dy - H * H
    if a2 == 0.0:
        if c >= 0:
            return 0.0
        t1, t2 = 0.0, T
    else:
        disc = b * b - a2 * c
        if disc <= 0:
            return 0.0
        root = math.sqrt(disc)
        t1, t2 = max((-b - root) / a2, 0.0), min((-b + root) / a2, T)
        if T == 0.0 and c < 0:
            t1 = t2 = 0.0
        elif not t1 < t2:
            return 0.0
    z1, z2 = uz * t1, uz * t2
    lower = -V - dz - max(z1, z2)
    upper = V - dz - min(z1, z2)
    return float(law_z.between(np.array(lower), np.array(upper)))
