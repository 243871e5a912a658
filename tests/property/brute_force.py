"""A plain reference for encounter detection: every opposing flight pair, every leg pair.

Deliberately simple and independent of ``sim.detect.encounters``: Python floats, the textbook
quadratic formula, no pruning, no vectorisation. The state at closest approach (height
difference, midpoint) is interpolated from the flights' own points at the closest time.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from sim.detect.tracks import Tracks


@dataclass(frozen=True)
class Encounter:
    """One encounter: flight names, interval (s), closest horizontal distance (m) and time;
    z_a - z_b and the midpoint (m) then (nan where not computed)."""

    flight_a: str
    flight_b: str
    t_start: float
    t_end: float
    t_cpa: float
    h_min: float
    dz_cpa: float = math.nan
    x_cpa: float = math.nan
    y_cpa: float = math.nan


def flights_of(tracks: Tracks) -> list[tuple[str, int, list[tuple[float, float, float, float]]]]:
    """The flights of ``tracks`` as (name, side, [(t, x, y, z), ...]) in time order."""
    flights: list[tuple[str, int, list[tuple[float, float, float, float]]]] = [
        (name, int(tracks.flight_side[f]), []) for f, name in enumerate(tracks.flight_names)
    ]
    for k in range(tracks.n_points):
        f = int(tracks.point_flight[k])
        flights[f][2].append((float(tracks.t_s[k]), float(tracks.x_m[k]), float(tracks.y_m[k]), float(tracks.z_m[k])))
    for _, _, points in flights:
        points.sort()
    return flights


def flight_position(points, t):
    """Position (x, y, z) of a flight given by its time-ordered points at time t within its span."""
    for p, q in zip(points, points[1:], strict=False):
        if p[0] <= t <= q[0] and q[0] > p[0]:
            return position(p, q, t)
    raise ValueError(f"t={t} outside the flight")


def separation_at(points_a, points_b, t):
    """(horizontal distance, z_a - z_b, x mid, y mid) of two flights at time t."""
    a, b = flight_position(points_a, t), flight_position(points_b, t)
    return math.hypot(a[0] - b[0], a[1] - b[1]), a[2] - b[2], (a[0] + b[0]) / 2, (a[1] + b[1]) / 2


def position(p, q, t):
    """Position on the leg from point p to point q (each (t, x, y, z)) at time t."""
    f = (t - p[0]) / (q[0] - p[0])
    return (p[1] + f * (q[1] - p[1]), p[2] + f * (q[2] - p[2]), p[3] + f * (q[3] - p[3]))


def solve_below(a, b, c):
    """The open interval where a*u^2 + b*u + c < 0 (a >= 0), as (lo, hi), or None."""
    if a == 0:
        if b == 0:
            return (-math.inf, math.inf) if c < 0 else None
        root = -c / b
        return (-math.inf, root) if b > 0 else (root, math.inf)
    disc = b * b - 4 * a * c
    if disc <= 0:
        return None
    r = math.sqrt(disc)
    return ((-b - r) / (2 * a), (-b + r) / (2 * a))


def leg_pair_piece(pa, qa, pb, qb, horizontal, vertical):
    """Conflict piece (t_lo, t_hi, t_cpa, h_min) of two legs over their common span, or None."""
    t0 = max(pa[0], pb[0])
    t1 = min(qa[0], qb[0])
    if not t0 < t1:
        return None
    a0, a1 = position(pa, qa, t0), position(pa, qa, t1)
    b0, b1 = position(pb, qb, t0), position(pb, qb, t1)
    length = t1 - t0
    # Relative position r(u) = r0 + g*u for u in [0, length].
    r0 = [a0[k] - b0[k] for k in range(3)]
    g = [((a1[k] - b1[k]) - r0[k]) / length for k in range(3)]
    horiz = solve_below(
        g[0] ** 2 + g[1] ** 2, 2 * (r0[0] * g[0] + r0[1] * g[1]), r0[0] ** 2 + r0[1] ** 2 - horizontal**2
    )
    vert = solve_below(g[2] ** 2, 2 * r0[2] * g[2], r0[2] ** 2 - vertical**2)
    if horiz is None or vert is None:
        return None
    lo = max(0.0, horiz[0], vert[0])
    hi = min(length, horiz[1], vert[1])
    if not lo < hi:
        return None
    # Check the answer by evaluating positions at the middle of the piece: rounding in the
    # textbook formula can open a spurious interval when the distance sits at the threshold.
    mid = t0 + (lo + hi) / 2
    am, bm = position(pa, qa, mid), position(pb, qb, mid)
    if not (math.hypot(am[0] - bm[0], am[1] - bm[1]) < horizontal and abs(am[2] - bm[2]) < vertical):
        return None
    a = g[0] ** 2 + g[1] ** 2
    u = lo if a == 0 else min(max(-(r0[0] * g[0] + r0[1] * g[1]) / a, lo), hi)
    h = math.hypot(r0[0] + g[0] * u, r0[1] + g[1] * u)
    return (t0 + lo, t0 + hi, t0 + u, h)


def brute_encounters(tracks: Tracks, horizontal: float, vertical: float) -> list[Encounter]:
    """All encounters of ``tracks``, sorted by (t_start, flight_a, flight_b) names."""
    flights = flights_of(tracks)
    out = []
    for name_a, side_a, points_a in flights:
        if side_a != 0:
            continue
        for name_b, side_b, points_b in flights:
            if side_b != 1:
                continue
            pieces = []
            for pa, qa in zip(points_a, points_a[1:], strict=False):
                for pb, qb in zip(points_b, points_b[1:], strict=False):
                    piece = leg_pair_piece(pa, qa, pb, qb, horizontal, vertical)
                    if piece is not None:
                        pieces.append(piece)
            pieces.sort()
            merged: list[list[float]] = []
            for lo, hi, tc, h in pieces:
                if merged and lo <= merged[-1][1] + 1e-9:
                    last = merged[-1]
                    last[1] = max(last[1], hi)
                    if h < last[3]:
                        last[2], last[3] = tc, h
                else:
                    merged.append([lo, hi, tc, h])
            for lo, hi, tc, h in merged:
                _, dz, xm, ym = separation_at(points_a, points_b, tc)
                out.append(Encounter(name_a, name_b, lo, hi, tc, h, dz, xm, ym))
    out.sort(key=lambda e: (e.t_start, e.flight_a, e.flight_b))
    return out
