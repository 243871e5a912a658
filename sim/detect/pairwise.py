"""Conflict intervals of two paths, or of a path and a fixed point, from a given time on.

The tactical layer asks, whenever a path changes, when two aircraft will next be inside an
alert volume and when a sensor will see an aircraft. Both are the detector's closed form
(``sim.detect.kernel``) on the legs of two straight-leg paths, without the detector's
pruning: a path holds tens of legs, and the caller rejects far-apart pairs first with
``boxes_apart``.

Paths are waypoint arrays ``(t_s, x_m, y_m, z_m)``, each (n,), times increasing; between
waypoints the aircraft flies straight at constant velocity, as in ``Tracks``.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from sim.detect.kernel import conflict_window

__all__ = ["Path", "boxes_apart", "conflict_intervals", "point_path"]

Path = tuple[Sequence[float], Sequence[float], Sequence[float], Sequence[float]]
"""Waypoints (t_s, x_m, y_m, z_m) of one aircraft, each a sequence of n floats."""

_MERGE_REL_TOL = 1e-9  # as the detector: pieces that meet at a leg boundary are one interval


def point_path(t0_s: float, t1_s: float, x_m: float, y_m: float, z_m: float) -> Path:
    """A fixed point (a sensor site) as a path from ``t0_s`` to ``t1_s``."""
    return [t0_s, t1_s], [x_m, x_m], [y_m, y_m], [z_m, z_m]


def boxes_apart(a: Path, b: Path, t_from_s: float, horizontal_m: float, vertical_m: float) -> bool:
    """True when the two paths' waypoints after ``t_from_s`` (and the points at it) cannot come
    within the thresholds: their bounding boxes are further apart than them. A cheap test
    that never rejects a pair that can conflict (a straight leg stays inside its ends' box)."""
    boxes = []
    for t, x, y, z in (a, b):
        k = max(int(np.searchsorted(t, t_from_s, side="right")) - 1, 0)
        xs, ys, zs = x[k:], y[k:], z[k:]
        boxes.append((min(xs), max(xs), min(ys), max(ys), min(zs), max(zs)))
    (ax0, ax1, ay0, ay1, az0, az1), (bx0, bx1, by0, by1, bz0, bz1) = boxes
    return (
        ax0 - bx1 >= horizontal_m
        or bx0 - ax1 >= horizontal_m
        or ay0 - by1 >= horizontal_m
        or by0 - ay1 >= horizontal_m
        or az0 - bz1 >= vertical_m
        or bz0 - az1 >= vertical_m
    )


def _legs(path: Path, t_from_s: float) -> tuple[np.ndarray, ...]:
    """Legs of positive duration ending after ``t_from_s``: (t0, t1, x0, y0, z0, vx, vy, vz), each (m,)."""
    t = np.asarray(path[0], dtype=np.float64)
    x, y, z = (np.asarray(c, dtype=np.float64) for c in path[1:])
    dt = t[1:] - t[:-1]
    keep = (dt > 0) & (t[1:] > t_from_s)
    start = np.flatnonzero(keep)
    end = start + 1
    dt = dt[start]
    return (
        t[start],
        t[end],
        x[start],
        y[start],
        z[start],
        (x[end] - x[start]) / dt,
        (y[end] - y[start]) / dt,
        (z[end] - z[start]) / dt,
    )


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
    la, lb = _legs(a, t_from_s), _legs(b, t_from_s)
    if len(la[0]) == 0 or len(lb[0]) == 0:
        return []
    # every pair of legs whose spans overlap: legs are in time order on each path
    a0, a1, b0, b1 = la[0], la[1], lb[0], lb[1]
    first = np.searchsorted(b1, a0, side="right")  # first b leg ending after a's start
    last = np.searchsorted(b0, a1, side="left")  # b legs starting before a's end
    counts = np.maximum(last - first, 0)
    i = np.repeat(np.arange(len(a0)), counts)
    j = (np.arange(counts.sum()) - np.repeat(np.cumsum(counts) - counts, counts)) + np.repeat(first, counts)
    ta = np.maximum(np.maximum(a0[i], b0[j]), t_from_s)
    tb = np.minimum(a1[i], b1[j])
    span = tb > ta
    i, j, ta, tb = i[span], j[span], ta[span], tb[span]
    if len(i) == 0:
        return []
    t_ref = np.maximum(a0[i], b0[j])

    def at(legs: tuple[np.ndarray, ...], k: np.ndarray, t: np.ndarray) -> tuple[np.ndarray, ...]:
        dt = t - legs[0][k]
        return legs[2][k] + legs[5][k] * dt, legs[3][k] + legs[6][k] * dt, legs[4][k] + legs[7][k] * dt

    xa, ya, za = at(la, i, t_ref)
    xb, yb, zb = at(lb, j, t_ref)
    d = (xa - xb, ya - yb, za - zb)
    w = (la[5][i] - lb[5][j], la[6][i] - lb[6][j], la[7][i] - lb[7][j])
    t_lo, t_hi, ok, *_ = conflict_window(d, w, t_ref, ta, tb, horizontal_m, vertical_m)
    out: list[tuple[float, float]] = []
    for lo, hi in zip(t_lo[ok].tolist(), t_hi[ok].tolist(), strict=True):  # in time order already
        if out and lo <= out[-1][1] + _MERGE_REL_TOL * max(1.0, abs(out[-1][1])):
            out[-1] = (out[-1][0], max(out[-1][1], hi))
        else:
            out.append((lo, hi))
    return out
