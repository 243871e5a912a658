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
  a grid of two standard deviations over the density, and the points where the vertical
  bounds pass through the vertical law's grid of one standard deviation (where the
  difference changes fast);
* Gauss-Legendre of order 5 on every panel, checked against order 3 on the same panels;
  where the two differ by more than ``RTOL`` (relative) or ``ATOL``, every panel is halved
  and both are done again (at most 5 times).

For normal horizontal laws with no relative vertical motion the inner integral is a closed
form (the density factorises along and across), so only the outer one is numerical.

The density is cut where the law's tails hold less than ``eps`` (``AxisLaw.tail_radius``;
a normal law is isotropic, so along and across are cut each at its own radius, any other
where the offset's length may reach): what is left out is at most ``4 eps`` of probability
per stretch. ``hit_probabilities`` does many stretches at once, their panels laid out flat
in one array, each with its own error check; ``hit_bound`` is a closed-form upper bound
used to decide which stretches are worth integrating (``sim.detect.risk``).
"""

from __future__ import annotations

import math

import numpy as np

from sim.detect.deviation import AxisLaw, Normal, Point

__all__ = ["ATOL", "EPS", "RTOL", "hit_bound", "hit_probabilities", "hit_probability"]

EPS = 1e-18
RTOL = 1e-3
ATOL = 1e-14  # per stretch: below this a probability does not matter to any total
_RULES = (np.polynomial.legendre.leggauss(5), np.polynomial.legendre.leggauss(3))
_MAX_HALVINGS = 5
_GRID_SD = 2.0  # the density grid of the along panels, in standard deviations


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
    of the relative offset, ``law_z`` of the vertical one. One stretch of
    ``hit_probabilities``.
    """
    dx, dy, dz = (np.array([float(v)]) for v in d0_m)
    ux, uy, uz = (np.array([float(v)]) for v in u_mps)
    one = hit_probabilities(
        (dx, dy, dz),
        (ux, uy, uz),
        np.array([float(duration_s)]),
        np.array([float(horizontal_m)]),
        np.array([float(vertical_m)]),
        law_h,
        law_z,
        eps,
    )
    return float(one[0])


def hit_probabilities(
    d0_m: tuple[np.ndarray, np.ndarray, np.ndarray],
    u_mps: tuple[np.ndarray, np.ndarray, np.ndarray],
    duration_s: np.ndarray,
    horizontal_m: np.ndarray,
    vertical_m: np.ndarray,
    law_h: AxisLaw,
    law_z: AxisLaw,
    eps: float = EPS,
) -> np.ndarray:
    """``hit_probability`` for n stretches at once (n,), all with the same two laws.

    ``d0_m`` and ``u_mps`` per component (n,) (m, m/s); ``duration_s``, ``horizontal_m``,
    ``vertical_m`` (n,). Each stretch gets its own panels and its own error check, as if
    alone; the work is done in whole arrays, panels of all stretches together.
    """
    dx, dy, dz = (np.asarray(v, dtype=np.float64) for v in d0_m)
    ux, uy, uz = (np.asarray(v, dtype=np.float64) for v in u_mps)
    T = np.asarray(duration_s, dtype=np.float64)
    H = np.asarray(horizontal_m, dtype=np.float64)
    V = np.asarray(vertical_m, dtype=np.float64)
    if isinstance(law_h, Point):
        return _deterministic_horizontal(dx, dy, dz, ux, uy, uz, T, H, V, law_z)
    speed = np.hypot(ux, uy)
    moving = speed > 0
    safe = np.where(moving, speed, 1.0)
    ex, ey = np.where(moving, ux / safe, 1.0), np.where(moving, uy / safe, 0.0)
    # a normal law is isotropic, so along and across are independent normals: each is cut at
    # its own tail radius; any other law is cut where |e| in any direction is (both axes at eps)
    reach = law_h.tail_radius(eps) * (1.0 if isinstance(law_h, Normal) else math.sqrt(2.0))
    a0 = dx * ex + dy * ey
    c0 = -dx * ey + dy * ex
    c_lo, c_hi = np.maximum(-H, c0 - reach), np.minimum(H, c0 + reach)
    closed = isinstance(law_h, Normal) & ((uz == 0.0) | (speed == 0.0) | (T == 0.0))
    batch = _Batch(a0, c0, ex, ey, dz, speed, uz, T, H, V, c_lo, c_hi, closed, law_h, law_z, reach, eps)
    out = np.zeros(len(T))
    pending = np.flatnonzero(c_lo < c_hi)
    for halving in range(_MAX_HALVINGS + 1):
        if len(pending) == 0:
            break
        fine = batch.integrate(pending, 2**halving, 0)
        coarse = batch.integrate(pending, 2**halving, 1)
        out[pending] = fine
        done = np.abs(fine - coarse) <= RTOL * np.abs(fine) + ATOL
        pending = pending[~done]
    return out


class _Batch:
    """Stretches in their along/across frames (arrays (n,)), integrated on panels.

    Panels are ragged (each stretch and each across node has its own breakpoints); they
    are laid out flat, evaluated in one pass, and summed back with ``np.bincount``.
    """

    def __init__(
        self,
        a0: np.ndarray,
        c0: np.ndarray,
        ex: np.ndarray,
        ey: np.ndarray,
        dz: np.ndarray,
        speed: np.ndarray,
        uz: np.ndarray,
        T: np.ndarray,
        H: np.ndarray,
        V: np.ndarray,
        c_lo: np.ndarray,
        c_hi: np.ndarray,
        closed: np.ndarray,
        law_h: AxisLaw,
        law_z: AxisLaw,
        reach: float,
        eps: float,
    ) -> None:
        self.a0, self.c0, self.ex, self.ey, self.dz = a0, c0, ex, ey, dz
        self.speed, self.uz, self.T, self.H, self.V = speed, uz, T, H, V
        self.c_lo, self.c_hi, self.closed = c_lo, c_hi, np.broadcast_to(closed, a0.shape)
        self.law_h, self.law_z, self.reach = law_h, law_z, reach
        self.sd_h = law_h.sd_m
        self.sd_z = law_z.sd_m
        self.z_reach = law_z.tail_radius(eps)
        g = _GRID_SD * self.sd_h
        self.grid = np.arange(-math.ceil(reach / g), math.ceil(reach / g) + 1) * g
        if self.sd_z > 0:
            k = math.ceil(self.z_reach / self.sd_z)
            self.z_targets = np.arange(-k, k + 1) * self.sd_z
        else:
            self.z_targets = np.zeros(1)

    # --- outer: over c ---------------------------------------------------------------------
    def integrate(self, which: np.ndarray, sub: int, rule: int) -> np.ndarray:
        """The integral for stretches ``which`` (m,) by Gauss-Legendre of order 5 (rule 0) or
        3 (rule 1), each panel of the one-sd grid (in c and in a) cut into ``sub``."""
        nodes_1, weights_1 = _RULES[rule]
        c_lo, c_hi, H = self.c_lo[which], self.c_hi[which], self.H[which]
        panels = np.maximum(np.ceil((c_hi - c_lo) / self.sd_h), 1).astype(np.int64) * sub
        owner = np.repeat(np.arange(len(which)), panels)  # each c panel's stretch (position in which)
        first = np.r_[0, np.cumsum(panels)[:-1]]
        k = np.arange(len(owner)) - first[owner]
        step = (c_hi - c_lo)[owner] / panels[owner]
        left = c_lo[owner] + k * step
        right = np.where(k + 1 == panels[owner], c_hi[owner], left + step)
        Hp = H[owner]
        psi_l = np.arcsin(np.clip(left / Hp, -1.0, 1.0))
        psi_r = np.arcsin(np.clip(right / Hp, -1.0, 1.0))
        half = (psi_r - psi_l) / 2
        mid = (psi_r + psi_l) / 2
        nodes = (mid[:, None] + half[:, None] * nodes_1[None, :]).ravel()
        row_owner = np.repeat(owner, len(nodes_1))
        weights = (half[:, None] * weights_1[None, :]).ravel() * Hp.repeat(len(nodes_1)) * np.cos(nodes)
        c = Hp.repeat(len(nodes_1)) * np.sin(nodes)
        stretch = which[row_owner]  # each c node's stretch index
        inner = np.zeros(len(c))
        is_closed = self.closed[stretch]
        if np.any(is_closed):
            inner[is_closed] = self._inner_closed(stretch[is_closed], c[is_closed])
        if not np.all(is_closed):
            rows = ~is_closed
            inner[rows] = self._inner(stretch[rows], c[rows], sub, rule)
        return np.bincount(row_owner, weights=weights * inner, minlength=len(which))

    # --- inner: over a -----------------------------------------------------------------------
    def _ranges(self, s: np.ndarray, c: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        H = self.H[s]
        h = np.sqrt(np.maximum(H * H - c * c, 0.0))
        reach_a = self.speed[s] * self.T[s]
        lo = np.maximum(self.a0[s] - self.reach, -h - reach_a)
        hi = np.minimum(self.a0[s] + self.reach, h)
        return h, lo, hi

    def _inner_closed(self, s: np.ndarray, c: np.ndarray) -> np.ndarray:
        """Normal law with the vertical factor constant: the along integral in closed form."""
        h, lo, hi = self._ranges(s, c)
        a0 = self.a0[s]
        along = self.law_h.between(lo - a0, hi - a0)
        across = self.law_h.pdf(c - self.c0[s])
        rise = self.uz[s] * self.T[s]
        vertical = self.law_z.between(
            -self.V[s] - self.dz[s] - np.maximum(0.0, rise), self.V[s] - self.dz[s] - np.minimum(0.0, rise)
        )
        return np.where(hi > lo, along * across, 0.0) * vertical

    def _bounds(self, s: np.ndarray, a: np.ndarray, h: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """The vertical offset's bounds (m) for line starts ``a`` of stretches ``s`` (same shape)."""
        speed, T, uz = self.speed[s], self.T[s], self.uz[s]
        moving = speed > 0
        safe = np.where(moving, speed, 1.0)
        t_lo = np.where(moving, np.clip((-h - a) / safe, 0.0, T), 0.0)
        t_hi = np.where(moving, np.clip((h - a) / safe, 0.0, T), T)
        z_lo, z_hi = uz * t_lo, uz * t_hi
        lower = -self.V[s] - self.dz[s] - np.maximum(z_lo, z_hi)
        upper = self.V[s] - self.dz[s] - np.minimum(z_lo, z_hi)
        return lower, upper

    def _inner(self, s: np.ndarray, c: np.ndarray, sub: int, rule: int) -> np.ndarray:
        """The along integral at across nodes ``c`` (r,) of stretches ``s`` (r,), on panels."""
        nodes_1, weights_1 = _RULES[rule]
        h, lo, hi = self._ranges(s, c)
        a0, L = self.a0[s], self.speed[s] * self.T[s]
        points = [lo[:, None], hi[:, None], (-h)[:, None], (h - L)[:, None], a0[:, None] + self.grid[None, :]]
        # the vertical factor changes over sd_z |u_h| / |u_z| in a: finer than the density's grid?
        fast = (self.speed[s] > 0) & (self.uz[s] != 0) & (self.T[s] > 0)
        fast &= self.sd_z * self.speed[s] < self.sd_h * np.abs(self.uz[s])
        if np.any(fast):
            points.append(np.where(fast[:, None], self._vertical_breaks(s, lo, hi, h), lo[:, None]))
        cuts = np.sort(np.clip(np.concatenate(points, axis=1), lo[:, None], hi[:, None]), axis=1)
        width = np.diff(cuts, axis=1)
        row, col = np.nonzero(width > 0)  # the panels that are not empty, row by row
        start, width = cuts[row, col], width[row, col]
        if sub > 1:
            start = (start[:, None] + width[:, None] * (np.arange(sub) / sub)[None, :]).ravel()
            width = np.repeat(width / sub, sub)
            row = np.repeat(row, sub)
        half = width / 2
        a = (start + half)[:, None] + half[:, None] * nodes_1[None, :]  # (panels, order)
        w = half[:, None] * weights_1[None, :]
        ps = s[row][:, None]
        da, dc = a - self.a0[ps], (c[row] - self.c0[s[row]])[:, None]
        ex, ey = self.ex[ps], self.ey[ps]
        density = self.law_h.pdf(da * ex - dc * ey) * self.law_h.pdf(da * ey + dc * ex)
        lower, upper = self._bounds(ps, a, h[row][:, None])
        vertical = self.law_z.between(lower, upper)
        out = np.bincount(row, weights=np.sum(w * density * vertical, axis=1), minlength=len(c))
        return np.where(hi > lo, out, 0.0)

    def _vertical_breaks(self, s: np.ndarray, lo: np.ndarray, hi: np.ndarray, h: np.ndarray) -> np.ndarray:
        """Line starts (r, k) where a vertical bound crosses the vertical law's sd grid."""
        r = len(lo)
        L = self.speed[s] * self.T[s]
        kinks = np.sort(np.clip(np.stack([lo, -h, h - L, hi], axis=1), lo[:, None], hi[:, None]), axis=1)
        found = []
        for bound in (0, 1):
            values = self._bounds(s[:, None], kinks, h[:, None])[bound]  # (r, 4)
            p0, p1 = kinks[:, :-1, None], kinks[:, 1:, None]
            b0, b1 = values[:, :-1, None], values[:, 1:, None]
            tau = self.z_targets[None, None, :]
            cross = (b0 - tau) * (b1 - tau) < 0
            with np.errstate(divide="ignore", invalid="ignore"):
                where = p0 + (tau - b0) * (p1 - p0) / (b1 - b0)
            found.append(np.where(cross, where, lo[:, None, None]).reshape(r, -1))
        return np.concatenate(found, axis=1)


def hit_bound(
    d0_m: tuple[np.ndarray, np.ndarray, np.ndarray],
    u_mps: tuple[np.ndarray, np.ndarray, np.ndarray],
    duration_s: np.ndarray,
    horizontal_m: np.ndarray,
    vertical_m: np.ndarray,
    law_h: AxisLaw,
    law_z: AxisLaw,
) -> np.ndarray:
    """An upper bound (n,) on ``hit_probability`` for n stretches at once, in closed form.

    An entry needs both of two independent events: the horizontal offset reaches the
    nominal horizontal path's distance ``D`` from the volume (``|e_h| >= D - H``, with ``D``
    the closest horizontal approach over ``[0, T]``), and the vertical offset falls in the
    band the height sweeps over the whole stretch, widened by ``V``. The first has
    probability ``exp(-r**2 / (2 s**2))`` for a normal law of sd ``s`` per axis (the tail of
    the offset's length), at most ``4 sf(r / sqrt(2))`` for any other (one axis must carry
    ``r / sqrt(2)``); the second is the vertical law's mass on the band. Arrays are (n,):
    ``d0_m`` and ``u_mps`` per component (m, m/s), ``duration_s``, ``horizontal_m``,
    ``vertical_m``.
    """
    dx, dy, dz = (np.asarray(c, dtype=np.float64) for c in d0_m)
    ux, uy, uz = (np.asarray(c, dtype=np.float64) for c in u_mps)
    T = np.asarray(duration_s, dtype=np.float64)
    H = np.asarray(horizontal_m, dtype=np.float64)
    V = np.asarray(vertical_m, dtype=np.float64)
    speed2 = ux * ux + uy * uy
    with np.errstate(divide="ignore", invalid="ignore"):
        t_close = np.where(speed2 > 0, np.clip(-(dx * ux + dy * uy) / speed2, 0.0, T), 0.0)
    closest = np.hypot(dx + ux * t_close, dy + uy * t_close)
    r = np.maximum(closest - H, 0.0)
    if isinstance(law_h, Point):
        horizontal = (closest < H).astype(np.float64)
    elif isinstance(law_h, Normal):
        horizontal = np.exp(-0.5 * (r / law_h.sd_m) ** 2)
    else:
        horizontal = np.minimum(4.0 * law_h.sf(r / math.sqrt(2.0)), 1.0)
    rise = uz * T
    vertical = law_z.between(-V - dz - np.maximum(rise, 0.0), V - dz - np.minimum(rise, 0.0))
    return np.minimum(horizontal, 1.0) * vertical


def _deterministic_horizontal(
    dx: np.ndarray,
    dy: np.ndarray,
    dz: np.ndarray,
    ux: np.ndarray,
    uy: np.ndarray,
    uz: np.ndarray,
    T: np.ndarray,
    H: np.ndarray,
    V: np.ndarray,
    law_z: AxisLaw,
) -> np.ndarray:
    """No horizontal deviation: the horizontal window is fixed, the vertical law decides."""
    a2 = ux * ux + uy * uy
    b = dx * ux + dy * uy
    c = dx * dx + dy * dy - H * H
    disc = b * b - a2 * c
    root = np.sqrt(np.maximum(disc, 0.0))
    safe = np.where(a2 > 0, a2, 1.0)
    t1 = np.where(a2 > 0, np.maximum((-b - root) / safe, 0.0), 0.0)
    t2 = np.where(a2 > 0, np.minimum((-b + root) / safe, T), T)
    inside_now = c < 0
    still = (T == 0.0) & inside_now
    t1, t2 = np.where(still, 0.0, t1), np.where(still, 0.0, t2)
    ok = np.where(a2 > 0, (disc > 0) & (still | (t1 < t2)), inside_now)
    z1, z2 = uz * t1, uz * t2
    lower = -V - dz - np.maximum(z1, z2)
    upper = V - dz - np.minimum(z1, z2)
    return np.where(ok, law_z.between(lower, upper), 0.0)
