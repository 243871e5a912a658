"""Conflict intervals of two paths, or of a path and a fixed point, from a given time on.

The tactical layer asks, whenever a path changes, when two aircraft will next be inside an
alert volume and when a sensor will see an aircraft. Both are the detector's closed form
(``sim.detect.kernel``) on the legs of two straight-leg paths, without the detector's
pruning: a path holds tens of legs, so a sweep over their waypoints with a box test per
stretch picks the few stretches worth solving.

Paths are waypoint arrays ``(t_s, x_m, y_m, z_m)``, each (n,), times increasing; between
waypoints the aircraft flies straight at constant velocity, as in ``Tracks``.
"""

from __future__ import annotations

import bisect
import math
from collections.abc import Iterator, Sequence

from sim.detect.kernel import conflict_window_one

__all__ = ["Path", "conflict_intervals", "iter_conflict_intervals", "point_path"]

Path = tuple[Sequence[float], Sequence[float], Sequence[float], Sequence[float]]
"""Waypoints (t_s, x_m, y_m, z_m) of one aircraft, each a sequence of n floats."""

_MERGE_REL_TOL = 1e-9  # as the detector: pieces that meet at a leg boundary are one interval


def point_path(t0_s: float, t1_s: float, x_m: float, y_m: float, z_m: float) -> Path:
    """A fixed point (a sensor site) as a path from ``t0_s`` to ``t1_s``."""
    return [t0_s, t1_s], [x_m, x_m], [y_m, y_m], [z_m, z_m]


def _stretches(
    a: Path, b: Path, t_from_s: float, horizontal_m: float, vertical_m: float
) -> Iterator[tuple[int, int, float, float]]:
    """Stretches after ``t_from_s`` where both fly one straight leg and could be in conflict.

    A sweep over the two paths' waypoints in time order gives the stretches ``(i, j, t0,
    t1)`` (legs from waypoint ``i`` of ``a`` and ``j`` of ``b``); on each, each aircraft
    stays inside the box of its two end positions, so boxes further apart than the
    thresholds (in x, y or z) rule the stretch out. Never drops a stretch that can conflict.
    Plain Python (paths hold tens of legs), written out by hand: positions as float locals
    and comparisons instead of ``min``/``max`` calls halve its time against a version with a
    helper per interpolation, with the same floats (``_at``'s formula, step for step). Lazy:
    a caller that needs only the first encounter stops the sweep there.
    """
    ta, xa, ya, za = a
    tb, xb, yb, zb = b
    lo = max(ta[0], tb[0], t_from_s)
    hi = min(ta[-1], tb[-1])
    if hi <= lo:
        return
    h, v = horizontal_m, vertical_m
    i = max(bisect.bisect_right(ta, lo) - 1, 0)
    j = max(bisect.bisect_right(tb, lo) - 1, 0)
    # first the boxes of the whole remaining paths: some pairs are far apart all along
    for ca, cb, gap in ((xa, xb, h), (ya, yb, h), (za, zb, v)):
        ra, rb = ca[i:], cb[j:]
        if min(ra) - max(rb) >= gap or min(rb) - max(ra) >= gap:
            return
    last_a, last_b = len(ta) - 1, len(tb) - 1
    inf = math.inf
    t0 = lo
    pax, pay, paz = _at(a, i, t0)
    pbx, pby, pbz = _at(b, j, t0)
    while t0 < hi:
        na = ta[i + 1] if i < last_a else inf
        nb = tb[j + 1] if j < last_b else inf
        t1 = na if na < nb else nb
        if hi < t1:
            t1 = hi
        # at a path's own waypoint its position is the waypoint: no interpolation
        if t1 == na:
            qax, qay, qaz = xa[i + 1], ya[i + 1], za[i + 1]
        elif i < last_a and ta[i + 1] > ta[i]:
            f = (t1 - ta[i]) / (ta[i + 1] - ta[i])
            f = 0.0 if f < 0.0 else (1.0 if f > 1.0 else f)
            qax, qay, qaz = (
                xa[i] + f * (xa[i + 1] - xa[i]),
                ya[i] + f * (ya[i + 1] - ya[i]),
                za[i] + f * (za[i + 1] - za[i]),
            )
        else:
            qax, qay, qaz = xa[i], ya[i], za[i]
        if t1 == nb:
            qbx, qby, qbz = xb[j + 1], yb[j + 1], zb[j + 1]
        elif j < last_b and tb[j + 1] > tb[j]:
            f = (t1 - tb[j]) / (tb[j + 1] - tb[j])
            f = 0.0 if f < 0.0 else (1.0 if f > 1.0 else f)
            qbx, qby, qbz = (
                xb[j] + f * (xb[j + 1] - xb[j]),
                yb[j] + f * (yb[j + 1] - yb[j]),
                zb[j] + f * (zb[j + 1] - zb[j]),
            )
        else:
            qbx, qby, qbz = xb[j], yb[j], zb[j]
        if t1 > t0:
            a0, a1 = (pax, qax) if pax < qax else (qax, pax)
            b0, b1 = (pbx, qbx) if pbx < qbx else (qbx, pbx)
            if a0 - b1 < h and b0 - a1 < h:
                a0, a1 = (pay, qay) if pay < qay else (qay, pay)
                b0, b1 = (pby, qby) if pby < qby else (qby, pby)
                if a0 - b1 < h and b0 - a1 < h:
                    a0, a1 = (paz, qaz) if paz < qaz else (qaz, paz)
                    b0, b1 = (pbz, qbz) if pbz < qbz else (qbz, pbz)
                    if a0 - b1 < v and b0 - a1 < v:
                        yield i, j, t0, t1
        if t1 == na:
            i += 1
        if t1 == nb:
            j += 1
        t0 = t1
        pax, pay, paz, pbx, pby, pbz = qax, qay, qaz, qbx, qby, qbz


def _at(path: Path, k: int, t_s: float) -> tuple[float, float, float]:
    """Position (m) at ``t_s`` on the leg from waypoint ``k`` (held at the ends of the path)."""
    t, x, y, z = path
    if k + 1 >= len(t) or t[k + 1] <= t[k]:
        return x[k], y[k], z[k]
    f = min(max((t_s - t[k]) / (t[k + 1] - t[k]), 0.0), 1.0)
    return x[k] + f * (x[k + 1] - x[k]), y[k] + f * (y[k + 1] - y[k]), z[k] + f * (z[k + 1] - z[k])


def _leg(path: Path, k: int) -> tuple[float, ...]:
    """The leg from waypoint ``k``: (t0, x0, y0, z0, vx, vy, vz), as the detector's ``_Legs``."""
    t, x, y, z = path
    dt = t[k + 1] - t[k]
    return t[k], x[k], y[k], z[k], (x[k + 1] - x[k]) / dt, (y[k + 1] - y[k]) / dt, (z[k + 1] - z[k]) / dt


def iter_conflict_intervals(
    a: Path,
    b: Path,
    t_from_s: float,
    horizontal_m: float,
    vertical_m: float,
) -> Iterator[tuple[float, float]]:
    """The intervals of ``conflict_intervals``, one at a time: each is computed when asked for.

    An interval is yielded once the next window is known not to touch it (or the paths'
    common span ends), so its end is final.
    """
    cur: tuple[float, float] | None = None
    for i, j, ta, tb in _stretches(a, b, t_from_s, horizontal_m, vertical_m):
        # a few stretches: plain floats beat numpy's per-call cost
        a0, ax, ay, az, avx, avy, avz = _leg(a, i)
        b0, bx, by, bz, bvx, bvy, bvz = _leg(b, j)
        t_ref = max(a0, b0)
        da, db = t_ref - a0, t_ref - b0
        d = (ax + avx * da - (bx + bvx * db), ay + avy * da - (by + bvy * db), az + avz * da - (bz + bvz * db))
        window = conflict_window_one(d, (avx - bvx, avy - bvy, avz - bvz), t_ref, ta, tb, horizontal_m, vertical_m)
        if window is None:
            continue
        lo, hi = window  # in time order
        if cur is not None and lo <= cur[1] + _MERGE_REL_TOL * max(1.0, abs(cur[1])):
            cur = (cur[0], max(cur[1], hi))
        else:
            if cur is not None:
                yield cur
            cur = (lo, hi)
    if cur is not None:
        yield cur


def conflict_intervals(
    a: Path,
    b: Path,
    t_from_s: float,
    horizontal_m: float,
    vertical_m: float,
) -> list[tuple[float, float]]:
    """Maximal intervals (s) after ``t_from_s`` with ``a`` and ``b`` closer than both thresholds.

    Strict inequalities, as the detector's; an interval under way at ``t_from_s`` starts at
    ``t_from_s``. Only the paths' common span counts (an aircraft not yet flying or landed
    is nowhere). Returns ``[(t_start_s, t_end_s), ...]`` in time order.
    """
    return list(iter_conflict_intervals(a, b, t_from_s, horizontal_m, vertical_m))
