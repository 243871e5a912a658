"""The closed-form conflict window of two aircraft in linear relative motion.

Over a stretch where both aircraft fly straight legs, a minus b is ``d + w s`` with ``s``
the time since ``t_ref``: the horizontal condition ``|d_xy + w_xy s| < h`` is a quadratic
inequality in ``s`` and the vertical one ``|d_z + w_z s| < v`` a linear one, both strict.
This module solves them for arrays of such stretches at once. The detector
(``sim.detect.encounters``) and the tactical layer's alerts (``sim.detect.pairwise``) both
call it, so an alert is exactly the detector's encounter start as the picture shows it.
"""

from __future__ import annotations

import math

import numpy as np

__all__ = ["conflict_window", "conflict_window_one"]

Vec = tuple[np.ndarray, np.ndarray, np.ndarray]


def conflict_window(
    d: Vec,
    w: Vec,
    t_ref: np.ndarray,
    ta: np.ndarray,
    tb: np.ndarray,
    horizontal_m: float,
    vertical_m: float,
) -> tuple[np.ndarray, ...]:
    """Where ``|d + w (t - t_ref)|`` is inside the thresholds, for ``t`` in [``ta``, ``tb``].

    ``d`` (m) and ``w`` (m/s) are (x, y, z) triples of (n,) arrays: relative position at
    ``t_ref`` (s) and relative velocity. Returns ``(t_lo, t_hi, ok, s_lo, s_hi, s_c,
    h_moving)``, all (n,): the window's ends (s; ends strictly inside the stretch come from
    ``t_ref`` + a root, the others are exactly ``ta`` or ``tb``), whether it has positive
    length, its ends and the time of horizontal closest approach as times since ``t_ref``
    (s), and whether the horizontal relative speed is non-zero.
    """
    dx, dy, dz = d
    wx, wy, wz = w
    s_from, s_to = ta - t_ref, tb - t_ref
    h, v = horizontal_m, vertical_m
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        # Horizontal: |d + w s| < h, i.e. a s^2 + 2 b s + c < 0 with a = |w|^2, b = d.w,
        # c = |d|^2 - h^2. The closest distance is |d x w| / |w| and the discriminant
        # b^2 - a c = (|w| h)^2 - (d x w)^2, both free of cancellation; the roots are
        # q / a and c / q with q = -(b + sign(b) sqrt(disc)) (the stable quadratic formula).
        # Divisions by |w| come in two steps so tiny relative speeds overflow to +-inf
        # (a root beyond any span) rather than to nan.
        w_norm = np.hypot(wx, wy)
        h_moving = w_norm > 0
        w_safe = np.where(h_moving, w_norm, 1.0)
        b = dx * wx + dy * wy
        cross = np.abs(dx * wy - dy * wx)
        h_in = np.where(h_moving, cross / w_safe < h, np.hypot(dx, dy) < h)
        sq = np.sqrt(np.maximum((w_norm * h - cross) * (w_norm * h + cross), 0.0))
        q = -(b + np.copysign(sq, b))
        root1 = q / w_safe / w_safe
        root2 = ((np.hypot(dx, dy) - h) * (np.hypot(dx, dy) + h)) / q
        h_lo = np.where(h_moving, np.minimum(root1, root2), -np.inf)
        h_hi = np.where(h_moving, np.maximum(root1, root2), np.inf)
        s_c = -(b / w_safe) / w_safe
        # Vertical: |dz + wz s| < v.
        v_moving = wz != 0
        wz_safe = np.where(v_moving, wz, 1.0)
        r1, r2 = (-v - dz) / wz_safe, (v - dz) / wz_safe
        v_in = v_moving | (np.abs(dz) < v)
        v_lo = np.where(v_moving, np.minimum(r1, r2), -np.inf)
        v_hi = np.where(v_moving, np.maximum(r1, r2), np.inf)
        s_lo = np.maximum(np.maximum(h_lo, v_lo), s_from)
        s_hi = np.minimum(np.minimum(h_hi, v_hi), s_to)
        t_lo = np.where(s_lo <= s_from, ta, np.clip(t_ref + s_lo, ta, tb))
        t_hi = np.where(s_hi >= s_to, tb, np.clip(t_ref + s_hi, ta, tb))
        ok = h_in & v_in & (t_hi > t_lo)
    return t_lo, t_hi, ok, s_lo, s_hi, s_c, h_moving


def conflict_window_one(
    d: tuple[float, float, float],
    w: tuple[float, float, float],
    t_ref: float,
    ta: float,
    tb: float,
    horizontal_m: float,
    vertical_m: float,
) -> tuple[float, float] | None:
    """``conflict_window`` for one stretch in plain floats: the window (t_lo, t_hi) in s, or None.

    The same closed form, step for step, for the tactical layer's few stretches per call,
    where numpy's per-call cost would dominate; ``tests/property/test_kernel_property.py``
    checks it against the array version.
    """
    dx, dy, dz = d
    wx, wy, wz = w
    s_from, s_to = ta - t_ref, tb - t_ref
    h, v = horizontal_m, vertical_m
    w_norm = math.hypot(wx, wy)
    b = dx * wx + dy * wy
    cross = abs(dx * wy - dy * wx)
    if w_norm > 0:
        if not cross / w_norm < h:
            return None
        sq = math.sqrt(max((w_norm * h - cross) * (w_norm * h + cross), 0.0))
        q = -(b + math.copysign(sq, b))
        root1 = q / w_norm / w_norm
        dist = math.hypot(dx, dy)
        c = (dist - h) * (dist + h)
        if q != 0:
            root2 = c / q
        elif c != 0:  # IEEE division by a signed zero, as numpy does
            root2 = math.copysign(math.inf, c) * math.copysign(1.0, q)
        else:
            return None  # 0 / 0: numpy's nan leaves no window either
        h_lo, h_hi = min(root1, root2), max(root1, root2)
    else:
        if not math.hypot(dx, dy) < h:
            return None
        h_lo, h_hi = -math.inf, math.inf
    if wz != 0:
        r1, r2 = (-v - dz) / wz, (v - dz) / wz
        v_lo, v_hi = min(r1, r2), max(r1, r2)
    else:
        if not abs(dz) < v:
            return None
        v_lo, v_hi = -math.inf, math.inf
    s_lo = max(h_lo, v_lo, s_from)
    s_hi = min(h_hi, v_hi, s_to)
    t_lo = ta if s_lo <= s_from else min(max(t_ref + s_lo, ta), tb)
    t_hi = tb if s_hi >= s_to else min(max(t_ref + s_hi, ta), tb)
    return (t_lo, t_hi) if t_hi > t_lo else None
