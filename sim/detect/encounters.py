"""Exact continuous-time near-conflict detection between the two sides of ``Tracks``.

An encounter is a maximal time interval during which a flight of side 0 and a flight of
side 1 are both closer than ``horizontal_m`` horizontally and closer than ``vertical_m``
vertically (both strict). Within the common time span of two legs the relative motion is
linear, so the horizontal condition is a quadratic inequality and the vertical one a linear
inequality in time; both are solved in closed form. Pieces from consecutive legs (and time
buckets) are then merged per flight pair.

Pruning, so that the cost grows with the number of legs rather than its square:

1. Time buckets of length ``max(H / v_median, mean leg duration / 4)`` (at most
   4 * legs + 16 buckets); each leg is cut into one piece per bucket it overlaps, so a
   piece moves about ``H`` at typical speed and there are at most about 6 pieces per leg.
2. Each piece gets a bounding box of its swept positions, inflated by ``H/2`` horizontally
   and ``V/2`` vertically (H, V the largest thresholds), so boxes of two pieces that can be
   in conflict overlap.
3. Within a bucket, a uniform 3-D grid (cells ``H + v_median * bucket`` wide and
   ``V + |vz|_p90 * bucket`` high) holds each piece in every cell its box covers;
   opposite-side pieces sharing a cell are candidates, and each pair is kept only in the
   cell holding the lower corner of the boxes' intersection, so no deduplication pass is
   needed. Pieces covering more than 64 cells (very fast or very
   long legs) are instead paired with every opposite piece of their bucket.
4. Candidates that really overlap in time and in all three box extents are solved in numpy
   chunks of at most about a million pairs, which bounds memory.

Merging closes gaps shorter than ``1e-9 * max(1 s, |t|)`` between pieces of one flight pair;
pieces that meet at a leg or bucket boundary share the same float, so in practice only
exactly touching pieces merge.
"""

from __future__ import annotations

import csv
import os
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, fields
from typing import Any, ClassVar

import numpy as np

from sim.detect.kernel import conflict_window
from sim.detect.tracks import Tracks

__all__ = ["Encounters", "find_encounters", "find_encounters_levels"]

_MAX_CELLS = 64
_CHUNK_PAIRS = 1 << 20
_MERGE_REL_TOL = 1e-9
_DIRECT_PAIRS = 200_000  # leg pairs airborne together up to which _candidates_direct is used


@dataclass(frozen=True, eq=False)
class Encounters:
    """One row per encounter between aircraft of opposing sides (side index 0 is always 'a').

    Labels ``flight_a``, ``side_a``, ``flight_b``, ``side_b`` are (n,) object arrays of str;
    ``flight_index_a``/``_b`` (n,) int64 index ``Tracks.flight_names``; times are seconds,
    ``h_min_m`` the least horizontal distance, at ``t_cpa_s``, where ``dz_at_cpa_m`` is
    z_a - z_b and ``x_cpa_m``, ``y_cpa_m`` the midpoint of the two aircraft.
    """

    flight_a: np.ndarray
    side_a: np.ndarray
    flight_b: np.ndarray
    side_b: np.ndarray
    flight_index_a: np.ndarray
    flight_index_b: np.ndarray
    t_start_s: np.ndarray
    t_end_s: np.ndarray
    t_cpa_s: np.ndarray
    h_min_m: np.ndarray
    dz_at_cpa_m: np.ndarray
    x_cpa_m: np.ndarray
    y_cpa_m: np.ndarray

    COLUMNS: ClassVar[tuple[str, ...]] = (
        "flight_a",
        "side_a",
        "flight_b",
        "side_b",
        "t_start",
        "t_end",
        "t_cpa",
        "h_min_m",
        "dz_at_cpa_m",
        "x_cpa_m",
        "y_cpa_m",
    )
    _FIELDS: ClassVar[tuple[str, ...]] = (
        "flight_a",
        "side_a",
        "flight_b",
        "side_b",
        "t_start_s",
        "t_end_s",
        "t_cpa_s",
        "h_min_m",
        "dz_at_cpa_m",
        "x_cpa_m",
        "y_cpa_m",
    )

    def __len__(self) -> int:
        """Number of encounters."""
        return int(self.t_start_s.shape[0])

    def rows(self) -> list[dict[str, Any]]:
        """The encounters as dicts keyed by ``COLUMNS``, with plain str and float values."""
        columns = [getattr(self, name).tolist() for name in self._FIELDS]
        return [dict(zip(self.COLUMNS, values, strict=True)) for values in zip(*columns, strict=True)]

    def to_csv(self, path: str | os.PathLike[str]) -> None:
        """Write the encounters to ``path`` with header ``COLUMNS``; floats via ``repr``."""
        columns = [getattr(self, name).tolist() for name in self._FIELDS]
        with open(path, "w", newline="", encoding="utf-8") as handle:
            writer = csv.writer(handle, lineterminator="\n")
            writer.writerow(self.COLUMNS)
            writer.writerows(zip(*columns, strict=True))

    @classmethod
    def empty(cls) -> Encounters:
        """No encounters."""
        values: dict[str, np.ndarray] = {}
        for field in fields(cls):
            if field.name.startswith("flight_index"):
                values[field.name] = np.zeros(0, dtype=np.int64)
            elif field.name in ("flight_a", "side_a", "flight_b", "side_b"):
                values[field.name] = np.zeros(0, dtype=object)
            else:
                values[field.name] = np.zeros(0, dtype=np.float64)
        return cls(**values)

    def starting_in(self, lo_s: float, hi_s: float) -> Encounters:
        """The encounters that start in [``lo_s``, ``hi_s``) (s), in the same order."""
        keep = (self.t_start_s >= lo_s) & (self.t_start_s < hi_s)
        return type(self)(**{f.name: getattr(self, f.name)[keep] for f in fields(self)})


def find_encounters(tracks: Tracks, horizontal_m: float, vertical_m: float) -> Encounters:
    """Encounters closer than ``horizontal_m`` and ``vertical_m`` between the two sides."""
    return find_encounters_levels(tracks, [(horizontal_m, vertical_m)])[0]


def find_encounters_levels(tracks: Tracks, levels: Sequence[tuple[float, float]]) -> list[Encounters]:
    """Encounters for each ``(horizontal_m, vertical_m)`` level, with one pruning pass."""
    thresholds = [(float(h), float(v)) for h, v in levels]
    for h, v in thresholds:
        if not (np.isfinite(h) and np.isfinite(v) and h > 0 and v > 0):
            raise ValueError(f"thresholds must be finite and > 0, got ({h!r}, {v!r})")
    if not thresholds:
        return []
    legs = _Legs(tracks)
    if not (np.any(legs.side == 0) and np.any(legs.side == 1)):
        return [Encounters.empty() for _ in thresholds]
    reach_h = max(h for h, _ in thresholds)
    reach_v = max(v for _, v in thresholds)
    found: list[list[tuple[np.ndarray, ...]]] = [[] for _ in thresholds]
    direct = _candidates_direct(legs, reach_h, reach_v)
    for i, j, ta, tb in direct if direct is not None else _candidates(legs, reach_h, reach_v):
        for k, (h, v) in enumerate(thresholds):
            found[k].append(_solve(legs, i, j, ta, tb, h, v))
    return [_encounters(tracks, _merge(pieces, len(tracks))) for pieces in found]


class _Legs:
    """Legs of positive duration as arrays: flight, side, start time and point, velocity."""

    def __init__(self, tracks: Tracks) -> None:
        pf = tracks.point_flight
        t = tracks.t_s
        # Only consecutive points of one flight with increasing time make a leg.
        start = np.flatnonzero((pf[1:] == pf[:-1]) & (t[1:] > t[:-1]))
        end = start + 1
        dt = t[end] - t[start]
        self.flight = pf[start]
        self.side = tracks.flight_side[self.flight].astype(np.int8)
        self.t0 = t[start]
        self.t1 = t[end]
        self.x0 = tracks.x_m[start]
        self.y0 = tracks.y_m[start]
        self.z0 = tracks.z_m[start]
        self.vx = (tracks.x_m[end] - self.x0) / dt
        self.vy = (tracks.y_m[end] - self.y0) / dt
        self.vz = (tracks.z_m[end] - self.z0) / dt

    def at(self, leg: np.ndarray, t: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Positions (x, y, z) of legs ``leg`` at times ``t``, in metres."""
        dt = t - self.t0[leg]
        return (self.x0[leg] + self.vx[leg] * dt, self.y0[leg] + self.vy[leg] * dt, self.z0[leg] + self.vz[leg] * dt)


def _candidates(
    legs: _Legs, reach_h: float, reach_v: float
) -> Iterator[tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]]:
    """Yield chunks ``(leg_a, leg_b, t_from, t_to)`` of leg pairs that may be in conflict.

    ``leg_a`` are side-0 legs, ``leg_b`` side-1 legs; ``[t_from, t_to]`` is a stretch of
    their common time span (within one bucket). Every leg pair that comes closer than
    ``reach_h`` and ``reach_v`` appears, over all chunks, with spans covering its common span.
    """
    duration = legs.t1 - legs.t0
    speed = np.hypot(legs.vx, legs.vy)
    moving = speed[speed > 0]
    v_typical = float(np.median(moving)) if moving.size else 0.0
    t_min, t_max = float(legs.t0.min()), float(legs.t1.max())
    bucket_s = float(np.mean(duration)) / 4
    if v_typical > 0:
        bucket_s = max(bucket_s, reach_h / v_typical)
    bucket_s = min(bucket_s, t_max - t_min)
    n_buckets = max(1, int(np.ceil((t_max - t_min) / bucket_s)))
    if n_buckets > 4 * len(duration) + 16:
        # Traffic spread thinly over a long time: cap the bucket count (and edge array).
        n_buckets = 4 * len(duration) + 16
        bucket_s = (t_max - t_min) / n_buckets
    edges = t_min + bucket_s * np.arange(n_buckets + 1, dtype=np.float64)
    edges[-1] = max(edges[-1], t_max)

    # Pieces: one per (leg, bucket) with positive overlap.
    first = np.clip(np.searchsorted(edges, legs.t0, side="right") - 1, 0, n_buckets - 1)
    last = np.clip(np.searchsorted(edges, legs.t1, side="left") - 1, first, n_buckets - 1)
    leg, offset = _expand(last - first + 1)
    bucket = first[leg] + offset
    p_t0 = np.maximum(legs.t0[leg], edges[bucket])
    p_t1 = np.minimum(legs.t1[leg], edges[bucket + 1])
    xa, ya, za = legs.at(leg, p_t0)
    xb, yb, zb = legs.at(leg, p_t1)
    # Half reach per box, plus slack so rounding never drops a true candidate.
    pad_h = reach_h / 2 * (1 + 1e-9) + 1e-6
    pad_v = reach_v / 2 * (1 + 1e-9) + 1e-6
    x_lo, x_hi = np.minimum(xa, xb) - pad_h, np.maximum(xa, xb) + pad_h
    y_lo, y_hi = np.minimum(ya, yb) - pad_h, np.maximum(ya, yb) + pad_h
    z_lo, z_hi = np.minimum(za, zb) - pad_v, np.maximum(za, zb) + pad_v
    side = legs.side[leg]

    # Grid cells: the reach plus the typical travel in one bucket (90th percentile for the
    # vertical, where most legs are level and the climbers are what matters).
    cell_v = reach_v + float(np.quantile(np.abs(legs.vz), 0.9)) * bucket_s
    low_cell, n_axis, width = [], [], []
    for low, high, size in (
        (x_lo, x_hi, reach_h + v_typical * bucket_s),
        (y_lo, y_hi, reach_h + v_typical * bucket_s),
        (z_lo, z_hi, cell_v),
    ):
        origin = float(low.min())
        first_cell = np.floor((low - origin) / size).astype(np.int64)
        last_cell = np.floor((high - origin) / size).astype(np.int64)
        low_cell.append(first_cell)
        width.append(last_cell - first_cell + 1)
        n_axis.append(int(last_cell.max()) + 1)
    n_x, n_y, n_z = n_axis
    n_cells = width[0] * width[1] * width[2]
    big = (n_cells > _MAX_CELLS) | (n_x * n_y * n_z * n_buckets > 2**62)

    def keep(pa: np.ndarray, pb: np.ndarray, key: np.ndarray | None) -> np.ndarray:
        ok = (
            (np.maximum(p_t0[pa], p_t0[pb]) < np.minimum(p_t1[pa], p_t1[pb]))
            & (x_lo[pa] <= x_hi[pb])
            & (x_lo[pb] <= x_hi[pa])
            & (y_lo[pa] <= y_hi[pb])
            & (y_lo[pb] <= y_hi[pa])
            & (z_lo[pa] <= z_hi[pb])
            & (z_lo[pb] <= z_hi[pa])
        )
        if key is not None:
            # Report a pair only in the cell of the lower corner of the boxes' overlap.
            for axis, n in zip((2, 1, 0), (n_z, n_y, n_x), strict=True):
                ok &= key % n == np.maximum(low_cell[axis][pa], low_cell[axis][pb])
                key = key // n
        return ok

    def emit(
        pa: np.ndarray, pb: np.ndarray, key: np.ndarray | None
    ) -> Iterator[tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]]:
        ok = keep(pa, pb, key)
        pa, pb = pa[ok], pb[ok]
        if len(pa):
            yield (leg[pa], leg[pb], np.maximum(p_t0[pa], p_t0[pb]), np.minimum(p_t1[pa], p_t1[pb]))

    small = [np.flatnonzero(~big & (side == s)) for s in (0, 1)]
    entries = []
    for pieces in small:
        piece, k = _expand(n_cells[pieces])
        piece = pieces[piece]
        yz = width[1][piece] * width[2][piece]
        cx = low_cell[0][piece] + k // yz
        cy = low_cell[1][piece] + k % yz // width[2][piece]
        cz = low_cell[2][piece] + k % width[2][piece]
        entries.append((((bucket[piece] * n_x + cx) * n_y + cy) * n_z + cz, piece))
    for pa, pb, key in _cross(*entries[0], *entries[1]):
        yield from emit(pa, pb, key)

    large = [np.flatnonzero(big & (side == s)) for s in (0, 1)]
    every = [np.flatnonzero(side == s) for s in (0, 1)]
    for group_a, group_b in ((large[0], every[1]), (small[0], large[1])):
        if not (len(group_a) and len(group_b)):
            continue  # usually: no piece spans too many cells
        for pa, pb, _ in _cross(bucket[group_a], group_a, bucket[group_b], group_b):
            yield from emit(pa, pb, None)


def _candidates_direct(
    legs: _Legs, reach_h: float, reach_v: float
) -> list[tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]] | None:
    """``_candidates`` for light traffic (a day of a few dozen flights): every side-0 leg with
    every side-1 leg that is airborne with it, kept where their boxes over the common span
    come within the reach; one chunk, each pair's whole common span. None when that would
    pair more than ``_DIRECT_PAIRS`` legs (the grid is then cheaper).

    The results do not depend on which of the two finds the candidates: ``_solve`` works
    from the start of each pair's common span, and ``_merge`` joins pieces that meet.
    """
    a = np.flatnonzero(legs.side == 0)
    b = np.flatnonzero(legs.side == 1)
    b = b[np.argsort(legs.t0[b], kind="stable")]
    t0_b = legs.t0[b]
    longest_b = float((legs.t1[b] - t0_b).max())
    # side-1 legs that start before the side-0 leg ends and end after it starts (bounded by
    # the longest side-1 leg); the exact overlap test follows
    lo = np.searchsorted(t0_b, legs.t0[a] - longest_b, side="left")
    hi = np.searchsorted(t0_b, legs.t1[a], side="left")
    counts = hi - lo
    if int(counts.sum()) > _DIRECT_PAIRS:
        return None
    owner, rank = _expand(counts)
    i = a[owner]
    j = b[lo[owner] + rank]
    ta = np.maximum(legs.t0[i], legs.t0[j])
    tb = np.minimum(legs.t1[i], legs.t1[j])
    ok = ta < tb
    i, j, ta, tb = i[ok], j[ok], ta[ok], tb[ok]
    xa0, ya0, za0 = legs.at(i, ta)
    xa1, ya1, za1 = legs.at(i, tb)
    xb0, yb0, zb0 = legs.at(j, ta)
    xb1, yb1, zb1 = legs.at(j, tb)
    # the reach, plus slack so rounding never drops a true candidate (as the grid pads)
    pad_h = reach_h * (1 + 1e-9) + 2e-6
    pad_v = reach_v * (1 + 1e-9) + 2e-6
    near = np.ones(len(i), dtype=bool)
    for p0, p1, q0, q1, pad in (
        (xa0, xa1, xb0, xb1, pad_h),
        (ya0, ya1, yb0, yb1, pad_h),
        (za0, za1, zb0, zb1, pad_v),
    ):
        near &= (np.minimum(p0, p1) <= np.maximum(q0, q1) + pad) & (np.minimum(q0, q1) <= np.maximum(p0, p1) + pad)
    if not near.any():
        return []
    return [(i[near], j[near], ta[near], tb[near])]


def _expand(counts: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """For ``counts`` (n,), the owner index and the 0-based rank of each of sum(counts) items."""
    counts = counts.astype(np.int64)
    owner = np.repeat(np.arange(len(counts), dtype=np.int64), counts)
    starts = np.cumsum(counts) - counts
    rank = np.arange(len(owner), dtype=np.int64) - starts[owner]
    return owner, rank


def _cross(
    key_a: np.ndarray, item_a: np.ndarray, key_b: np.ndarray, item_b: np.ndarray
) -> Iterator[tuple[np.ndarray, np.ndarray, np.ndarray]]:
    """Yield chunks ``(a, b, key)`` of all item pairs whose keys are equal."""
    # Stable (merge/radix) sort: keys arrive in long sorted runs, which it exploits.
    order_a = np.argsort(key_a, kind="stable")
    order_b = np.argsort(key_b, kind="stable")
    key_a, item_a = key_a[order_a], item_a[order_a]
    key_b, item_b = key_b[order_b], item_b[order_b]
    uniq_a, start_a, count_a = _runs(key_a)
    uniq_b, start_b, count_b = _runs(key_b)
    common, ia, ib = np.intersect1d(uniq_a, uniq_b, assume_unique=True, return_indices=True)
    start_a, count_a = start_a[ia], count_a[ia]
    start_b, count_b = start_b[ib], count_b[ib]
    cumulative = np.cumsum(count_a * count_b)
    lo = 0
    while lo < len(common):
        done = cumulative[lo - 1] if lo else 0
        hi = max(lo + 1, int(np.searchsorted(cumulative, done + _CHUNK_PAIRS, side="right")))
        group, rank_a = _expand(count_a[lo:hi])
        group += lo
        pos_a = start_a[group] + rank_a
        pair, rank_b = _expand(count_b[group])
        yield (item_a[pos_a[pair]], item_b[start_b[group[pair]] + rank_b], common[group[pair]])
        lo = hi


def _runs(keys: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Distinct values of sorted ``keys`` with the start and length of each run."""
    start = np.flatnonzero(np.r_[True, keys[1:] != keys[:-1]]) if len(keys) else keys[:0]
    count = np.diff(np.r_[start, len(keys)])
    return keys[start], start, count


def _solve(
    legs: _Legs,
    i: np.ndarray,
    j: np.ndarray,
    ta: np.ndarray,
    tb: np.ndarray,
    horizontal_m: float,
    vertical_m: float,
) -> tuple[np.ndarray, ...]:
    """Closed-form conflict pieces of side-0 legs ``i`` and side-1 legs ``j`` on [ta, tb].

    Returns (flight_a, flight_b, t_lo, t_hi, t_cpa, h_min, dz, x_mid, y_mid) for the pairs
    with a piece of positive length.
    """
    # d: position of a minus b at t_ref, the start of the legs' common span (not of the
    # bucket, so results do not depend on bucketing); w: velocity of a minus b.
    t_ref = np.maximum(legs.t0[i], legs.t0[j])
    xa, ya, za = legs.at(i, t_ref)
    xb, yb, zb = legs.at(j, t_ref)
    d = (xa - xb, ya - yb, za - zb)
    w = (legs.vx[i] - legs.vx[j], legs.vy[i] - legs.vy[j], legs.vz[i] - legs.vz[j])
    t_lo, t_hi, ok, s_lo, s_hi, s_c, h_moving = conflict_window(d, w, t_ref, ta, tb, horizontal_m, vertical_m)
    s_lo, s_hi, s_c, h_moving = s_lo[ok], s_hi[ok], s_c[ok], h_moving[ok]
    i, j, t_ref = i[ok], j[ok], t_ref[ok]
    t_lo, t_hi = t_lo[ok], t_hi[ok]
    s_star = np.where(h_moving, np.clip(s_c, s_lo, s_hi), s_lo)
    t_cpa = np.clip(t_ref + s_star, t_lo, t_hi)
    xa, ya, za = legs.at(i, t_cpa)
    xb, yb, zb = legs.at(j, t_cpa)
    return (
        legs.flight[i],
        legs.flight[j],
        t_lo,
        t_hi,
        t_cpa,
        np.hypot(xa - xb, ya - yb),
        za - zb,
        (xa + xb) / 2,
        (ya + yb) / 2,
    )


def _merge(pieces: list[tuple[np.ndarray, ...]], n_flights: int) -> tuple[np.ndarray, ...]:
    """Join pieces of each flight pair that meet in time; return one row per encounter."""
    if not pieces:
        return tuple(np.zeros(0) for _ in range(9))
    fa, fb, lo, hi, t_cpa, h_min, dz, xm, ym = (np.concatenate(c) for c in zip(*pieces, strict=True))
    if len(fa) == 0:
        return fa, fb, lo, hi, t_cpa, h_min, dz, xm, ym
    pair = fa.astype(np.int64) * n_flights + fb
    order = np.lexsort((lo, pair))
    fa, fb, pair, lo, hi, t_cpa, h_min, dz, xm, ym = (
        c[order] for c in (fa, fb, pair, lo, hi, t_cpa, h_min, dz, xm, ym)
    )
    tol = _MERGE_REL_TOL * np.maximum(1.0, np.abs(hi[:-1]))
    new = np.ones(len(lo), dtype=bool)
    new[1:] = (pair[1:] != pair[:-1]) | (lo[1:] > hi[:-1] + tol)
    starts = np.flatnonzero(new)
    group = np.cumsum(new) - 1
    t_start = lo[starts]
    t_end = np.maximum.reduceat(hi, starts)
    # Closest approach of each encounter: least h_min, earliest on ties.
    best = np.lexsort((t_cpa, h_min, group))
    best = best[np.flatnonzero(np.r_[True, group[best][1:] != group[best][:-1]])]
    return (fa[starts], fb[starts], t_start, t_end, t_cpa[best], h_min[best], dz[best], xm[best], ym[best])


def _encounters(tracks: Tracks, merged: tuple[np.ndarray, ...]) -> Encounters:
    """Sort merged encounters by (t_start, flight_a, flight_b) and label them."""
    fa, fb, t_start, t_end, t_cpa, h_min, dz, xm, ym = merged
    if len(fa) == 0:
        return Encounters.empty()
    fa, fb = fa.astype(np.int64), fb.astype(np.int64)
    order = np.lexsort((fb, fa, t_start))
    names = np.asarray(tracks.flight_names, dtype=object)
    n = len(order)
    return Encounters(
        flight_a=names[fa[order]],
        side_a=np.full(n, tracks.side_names[0], dtype=object),
        flight_b=names[fb[order]],
        side_b=np.full(n, tracks.side_names[1], dtype=object),
        flight_index_a=fa[order],
        flight_index_b=fb[order],
        t_start_s=t_start[order],
        t_end_s=t_end[order],
        t_cpa_s=t_cpa[order],
        h_min_m=h_min[order],
        dz_at_cpa_m=dz[order],
        x_cpa_m=xm[order],
        y_cpa_m=ym[order],
    )
