"""Expected encounters under navigation and altimetry errors: the collision-risk estimator.

The model of deviations (the README states it too): during a close approach each flight
is displaced from its nominal path by a constant random offset (east, north, up), independent
between flights and between components; east and north each have the flight's lateral
standard deviation and law (normal or Laplace), up is normal with its vertical standard
deviation. The offset moves where the aircraft is, not what its crew or the policies
decide, so the nominal tracks are the ones the model flew.

For every pair of opposing flights the estimator gives the *expected number* of encounters
(maximal intervals inside the volume, as the detector counts them) under the offsets:

    E[count] = P(inside at the start of the pair's common span)
               + sum over stretches k of ( P(hit on k) - P(inside at the start of k) )

where a stretch is a time span on which both flights fly one straight leg, ``P(hit on k)``
the probability that the offset stretch enters the volume (``sim.detect.hit``) and the
subtraction removes an encounter that was already under way: on one straight stretch the
relative path meets the (convex) volume in at most one interval, so every new encounter
is one entry. This is exact for any correlation of the offset between stretches, so it
does not matter how close approaches are cut. When a pair can enter only once (one straight
stretch, the usual close approach) it is the probability of an encounter; it is never less.

Screening: a stretch is left out when its nominal relative path never comes within
``H + R_h`` horizontally and ``V + R_z`` vertically at the same time, ``R_z`` being where
the vertical offset's law leaves less than ``eps`` (``AxisLaw.tail_radius``) and ``R_h``
where the horizontal offset's length leaves less than ``2 eps`` (``_radial_reach``). An
entry on such a stretch needs an offset beyond one of them, so what is left out is at most
``3 eps`` per stretch: ``screen_bound`` sums that over every opposing pair's stretches (at
most its two flights' legs).

Integration: every screened stretch gets a closed-form upper bound on its ``P(hit)``
(``sim.detect.hit.hit_bound``); stretches are integrated in decreasing order of bound and
the rest are left out as soon as their bounds sum to at most ``LEFT_OUT_REL`` (1e-7) of
what the integrated ones gave, or to ``LEFT_OUT_ABS`` (1e-15) in all. Most screened
stretches pass far from the volume and are never integrated; what they could add is in
``left_out`` per pair and in ``screen_bound``, so every total is known to lie within
``[total, total + screen_bound]`` up to the integration's accuracy (``sim.detect.hit``).

With no error at all for a pair (both standard deviations 0 on both flights) its count is
the detector's own count of encounters, exactly.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from sim.detect.deviation import AxisLaw, Normal, Point, difference_law
from sim.detect.encounters import _candidates, _Legs, _merge, _solve
from sim.detect.hit import EPS, hit_bound, hit_probabilities
from sim.detect.kernel import conflict_window
from sim.detect.tracks import Tracks

__all__ = [
    "LEFT_OUT_ABS",
    "LEFT_OUT_REL",
    "FlightErrors",
    "PairRisk",
    "expected_encounters",
    "expected_encounters_volumes",
]

LEFT_OUT_REL = 1e-7
"""Stretches not integrated may leave out at most this share of what the others give..."""
LEFT_OUT_ABS = 1e-15
"""...or at most this many expected encounters in all (for totals near 0)."""
_FIRST_BATCH = 32  # stretches integrated together at first; each further batch is twice the last


@dataclass(frozen=True)
class FlightErrors:
    """Per flight (n_flights,): lateral law (``"normal"`` or ``"laplace"``), lateral and
    vertical standard deviations (m), and, for the collision volume, the aircraft's largest
    horizontal dimension (max of length and wingspan) and height (m)."""

    lateral_law: tuple[str, ...]
    lateral_sd_m: np.ndarray
    vertical_sd_m: np.ndarray
    size_m: np.ndarray
    height_m: np.ndarray

    @classmethod
    def uniform(
        cls,
        n_flights: int,
        lateral_sd_m: float,
        vertical_sd_m: float,
        law: str = "normal",
        size_m: float = 0.0,
        height_m: float = 0.0,
    ) -> FlightErrors:
        """The same errors (and size) for every flight."""
        return cls(
            (law,) * n_flights,
            np.full(n_flights, float(lateral_sd_m)),
            np.full(n_flights, float(vertical_sd_m)),
            np.full(n_flights, float(size_m)),
            np.full(n_flights, float(height_m)),
        )


@dataclass(frozen=True)
class PairRisk:
    """One row per screened flight pair (side 0 flight first) and the totals.

    ``flight_index_a``/``_b`` (n,) int64 index ``Tracks.flight_names``; ``expected`` (n,)
    the expected number of encounters; ``left_out`` (n,) the bound on what the pair's
    stretches that were not integrated could add (``expected`` is within
    ``[expected, expected + left_out]`` up to the integration's accuracy); ``nominal`` (n,)
    int64 the encounters of the nominal tracks in the same volume; ``stretches`` (n,) int64
    stretches screened in. ``screen_bound`` bounds what screening and the stretches not
    integrated left out (expected encounters, all pairs).
    """

    flight_index_a: np.ndarray
    flight_index_b: np.ndarray
    expected: np.ndarray
    left_out: np.ndarray
    nominal: np.ndarray
    stretches: np.ndarray
    horizontal_m: np.ndarray
    vertical_m: np.ndarray
    screen_bound: float
    screen_horizontal_m: float
    screen_vertical_m: float

    @property
    def total(self) -> float:
        """Expected encounters summed over pairs (in ``math.fsum``, order-independent)."""
        return math.fsum(self.expected.tolist())


def expected_encounters(
    tracks: Tracks,
    errors: FlightErrors,
    horizontal_m: float | None = None,
    vertical_m: float | None = None,
    eps: float = EPS,
) -> PairRisk:
    """Expected encounters in one volume: ``expected_encounters_volumes`` for one."""
    return expected_encounters_volumes(tracks, errors, [(horizontal_m, vertical_m)], eps)[0]


def expected_encounters_volumes(
    tracks: Tracks,
    errors: FlightErrors,
    volumes: Sequence[tuple[float | None, float | None]],
    eps: float = EPS,
    window_s: tuple[float, float] | None = None,
) -> list[PairRisk]:
    """Expected encounters for each volume, with one pruning pass for all.

    Each volume is ``(horizontal_m, vertical_m)``, or ``(None, None)`` for each pair's
    collision volume (see ``_one_volume``). With ``window_s = (lo, hi)`` only encounters
    that start in [lo, hi) count (a warm-up's measured day, as the detector's rows are
    chosen): every stretch is cut to the window, so the sum above counts the entries in it;
    an encounter already under way at ``lo`` is the subtracted term of the cut stretch, and
    the nominal count leaves it out too.
    """
    legs = _Legs(tracks)
    laws = _Laws(errors)
    n = len(tracks)
    groups = sorted({laws.group(f) for f in range(n)})
    reach_h = reach_v = 0.0
    for ga in groups:
        for gb in groups:
            lh, lz = laws.of(ga, gb)
            reach_h = max(reach_h, _radial_reach(lh, eps))
            reach_v = max(reach_v, lz.tail_radius(eps))
    sizes = [_largest(errors, h, v) for h, v in volumes]
    joined = None
    if n and np.any(legs.side == 0) and np.any(legs.side == 1):
        screen = (max(h for h, _ in sizes) + reach_h, max(v for _, v in sizes) + reach_v)
        pieces = [tuple(c) for c in _candidates(legs, *screen)]
        if pieces:
            joined = _join(*(np.concatenate(c) for c in zip(*pieces, strict=True)))
    since_s = None
    if joined is not None and window_s is not None:
        i, j, ta, tb = joined
        ta, tb = np.maximum(ta, window_s[0]), np.minimum(tb, window_s[1])
        keep = tb > ta
        joined, since_s = (i[keep], j[keep], ta[keep], tb[keep]), window_s[0]
    return [_one_volume(tracks, legs, laws, errors, h, v, reach_h, reach_v, joined, eps, since_s) for h, v in volumes]


def _radial_reach(law: AxisLaw, eps: float) -> float:
    """A radius R (m) with P(|e_h| >= R) <= 2 eps for the horizontal offset ``e_h`` whose two
    components follow ``law``: the exact radial tail ``exp(-R**2 / (2 s**2))`` for a normal
    law (isotropic), else each axis cut at its ``tail_radius(eps)`` times sqrt(2)."""
    if isinstance(law, Normal):
        return law.sd_m * math.sqrt(2.0 * math.log(1.0 / eps))
    return law.tail_radius(eps) * math.sqrt(2.0)


def _largest(errors: FlightErrors, horizontal_m: float | None, vertical_m: float | None) -> tuple[float, float]:
    """The volume's largest horizontal radius and half-height (m) over all pairs."""
    if horizontal_m is None and vertical_m is None:
        n = len(errors.size_m)
        if n and (np.any(errors.size_m <= 0) or np.any(errors.height_m <= 0)):
            raise ValueError("the collision volume needs every flight's size and height > 0")
        return (float(np.max(errors.size_m)), float(np.max(errors.height_m))) if n else (0.0, 0.0)
    if horizontal_m is None or vertical_m is None:
        raise ValueError("give both horizontal_m and vertical_m, or neither (the collision volume)")
    return float(horizontal_m), float(vertical_m)


def _one_volume(
    tracks: Tracks,
    legs: _Legs,
    laws: _Laws,
    errors: FlightErrors,
    horizontal_m: float | None,
    vertical_m: float | None,
    reach_h: float,
    reach_v: float,
    joined: tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray] | None,
    eps: float,
    since_s: float | None = None,
) -> PairRisk:
    """Expected encounters between the two sides under ``errors`` in one volume.

    The volume is the level ``(horizontal_m, vertical_m)``, or, when both are None, each
    pair's collision volume: horizontal radius ``(size_a + size_b) / 2`` and half-height
    ``(height_a + height_b) / 2`` (each aircraft a cylinder of its largest horizontal
    dimension and its height). ``joined`` are the stretches pruned at a screen at least
    this volume's; ``since_s``, where they were cut to a window's start (or None).
    """
    collision = horizontal_m is None and vertical_m is None
    H_max, V_max = _largest(errors, horizontal_m, vertical_m)
    n = len(tracks)
    side = tracks.flight_side
    screen_h, screen_v = H_max + reach_h, V_max + reach_v
    n_legs = np.bincount(legs.flight, minlength=n) if n else np.zeros(0, dtype=np.int64)
    legs_side = [int(n_legs[side == s].sum()) for s in (0, 1)]
    flights_side = [int(np.sum(side == s)) for s in (0, 1)]
    bound = 3 * eps * (flights_side[1] * legs_side[0] + flights_side[0] * legs_side[1])
    empty = PairRisk(*(np.zeros(0, dtype=np.int64),) * 2, np.zeros(0), np.zeros(0), *(np.zeros(0, dtype=np.int64),) * 2,
                     np.zeros(0), np.zeros(0), bound, screen_h, screen_v)  # fmt: skip
    if joined is None:
        return empty
    i, j, ta, tb = joined
    fa, fb = legs.flight[i], legs.flight[j]
    H = (errors.size_m[fa] + errors.size_m[fb]) / 2 if collision else np.full(len(i), H_max)
    V = (errors.height_m[fa] + errors.height_m[fb]) / 2 if collision else np.full(len(i), V_max)
    # the screen: the nominal stretch within the inflated volume at some instant
    t_ref = np.maximum(legs.t0[i], legs.t0[j])
    xa, ya, za = legs.at(i, t_ref)
    xb, yb, zb = legs.at(j, t_ref)
    d = (xa - xb, ya - yb, za - zb)
    w = (legs.vx[i] - legs.vx[j], legs.vy[i] - legs.vy[j], legs.vz[i] - legs.vz[j])
    ok = np.zeros(len(i), dtype=bool)
    for h_k, v_k in sorted(set(zip(H.tolist(), V.tolist(), strict=True))):
        sel = (H == h_k) & (V == v_k)
        sub = tuple(c[sel] for c in d), tuple(c[sel] for c in w)
        ok[sel] = conflict_window(sub[0], sub[1], t_ref[sel], ta[sel], tb[sel], h_k + reach_h, v_k + reach_v)[2]
    i, j, ta, tb, fa, fb, H, V = (c[ok] for c in (i, j, ta, tb, fa, fb, H, V))
    if len(i) == 0:
        return empty
    # where a pair's common span starts (an encounter can be under way there)
    first_t = _first_times(tracks)
    span_start = np.maximum(first_t[fa], first_t[fb])

    pair = fa.astype(np.int64) * n + fb
    order = np.lexsort((ta, pair))
    i, j, ta, tb, fa, fb, H, V, pair, span_start = (c[order] for c in (i, j, ta, tb, fa, fb, H, V, pair, span_start))
    expected = np.zeros(len(i))
    left_out = np.zeros(len(i))
    # each stretch's pair of error groups, once: an integer code per distinct pair of laws
    pair_keys = [laws.key(int(a), int(b)) for a, b in zip(fa, fb, strict=True)]
    distinct = sorted(set(pair_keys))
    code_of = {key: c for c, key in enumerate(distinct)}
    group = np.array([code_of[key] for key in pair_keys], dtype=np.int64)
    random_group = np.array([not laws.deterministic_key(key) for key in distinct], dtype=bool)
    random_pair = random_group[group] if len(group) else np.zeros(0, dtype=bool)
    xa, ya, za = legs.at(i, ta)
    xb, yb, zb = legs.at(j, ta)
    rvx, rvy, rvz = legs.vx[i] - legs.vx[j], legs.vy[i] - legs.vy[j], legs.vz[i] - legs.vz[j]
    duration = tb - ta
    upper = np.zeros(len(i))
    for code in np.flatnonzero(random_group):
        sel = group == code
        lh, lz = laws.of(*distinct[code])
        upper[sel] = hit_bound(
            (xa[sel] - xb[sel], ya[sel] - yb[sel], za[sel] - zb[sel]),
            (rvx[sel], rvy[sel], rvz[sel]),
            duration[sel],
            H[sel],
            V[sel],
            lh,
            lz,
        )
    # integrate in decreasing order of bound, in growing batches; stop once the bounds left
    # fit the budget (checked between batches, so a few more may be integrated than needed)
    candidates = np.flatnonzero(random_pair)
    order = candidates[np.argsort(-upper[candidates], kind="stable")]
    left = np.r_[np.cumsum(upper[order][::-1])[::-1], 0.0]  # left[m]: the bounds of order[m:]
    found, m, size = 0.0, 0, _FIRST_BATCH
    while m < len(order) and left[m] > max(LEFT_OUT_REL * found, LEFT_OUT_ABS):
        batch = np.arange(m, min(m + size, len(order)))
        for code in np.unique(group[order[batch]]):
            k = order[batch][group[order[batch]] == code]
            lh, lz = laws.of(*distinct[code])
            rel = (xa[k] - xb[k], ya[k] - yb[k], za[k] - zb[k])
            hit = hit_probabilities(rel, (rvx[k], rvy[k], rvz[k]), duration[k], H[k], V[k], lh, lz, eps)
            under_way = ta[k] > span_start[k]  # an encounter may be under way at the start of k
            if np.any(under_way):
                ku = k[under_way]
                still = np.zeros(len(ku))
                inside = hit_probabilities(
                    (rel[0][under_way], rel[1][under_way], rel[2][under_way]),
                    (still, still, still),
                    still,
                    H[ku],
                    V[ku],
                    lh,
                    lz,
                    eps,
                )
                hit[under_way] -= inside
            expected[k] = hit
        found += math.fsum(np.maximum(expected[order[batch]], 0.0).tolist())
        m, size = batch[-1] + 1, 2 * size
    left_out[order[m:]] = upper[order[m:]]
    # no error for the pair: the detector's own count, on the same stretches
    nominal = np.zeros(len(i), dtype=np.int64)
    for h_k, v_k in sorted(set(zip(H.tolist(), V.tolist(), strict=True))):
        sel = (H == h_k) & (V == v_k)
        merged = _merge([_solve(legs, i[sel], j[sel], ta[sel], tb[sel], h_k, v_k)], n)
        key = merged[0].astype(np.int64) * n + merged[1].astype(np.int64)
        if since_s is not None:  # stretches cut at since_s: an encounter under way there began before it
            fa_m, fb_m = merged[0].astype(np.int64), merged[1].astype(np.int64)
            key = key[(merged[2] > since_s) | (np.maximum(first_t[fa_m], first_t[fb_m]) >= since_s)]
        first = np.searchsorted(pair, key)  # one count per encounter, on the pair's first stretch
        np.add.at(nominal, first, 1)
    det = ~random_pair
    expected[det] = nominal[det]

    starts = np.flatnonzero(np.r_[True, pair[1:] != pair[:-1]])
    return PairRisk(
        flight_index_a=fa[starts].astype(np.int64),
        flight_index_b=fb[starts].astype(np.int64),
        expected=np.add.reduceat(expected, starts),
        left_out=np.add.reduceat(left_out, starts),
        nominal=np.add.reduceat(nominal, starts),
        stretches=np.diff(np.r_[starts, len(pair)]).astype(np.int64),
        horizontal_m=H[starts],
        vertical_m=V[starts],
        screen_bound=bound + math.fsum(left_out.tolist()),
        screen_horizontal_m=screen_h,
        screen_vertical_m=screen_v,
    )


class _Laws:
    """The relative offset's laws for each pair of flights, cached by error group."""

    def __init__(self, errors: FlightErrors) -> None:
        self.errors = errors
        self._cache: dict[tuple[tuple[str, float, float], tuple[str, float, float]], tuple[AxisLaw, AxisLaw]] = {}

    def group(self, f: int) -> tuple[str, float, float]:
        e = self.errors
        return e.lateral_law[f], float(e.lateral_sd_m[f]), float(e.vertical_sd_m[f])

    def of(self, ga: tuple[str, float, float], gb: tuple[str, float, float]) -> tuple[AxisLaw, AxisLaw]:
        key = (ga, gb)
        if key not in self._cache:
            lh = difference_law(ga[0], ga[1], gb[0], gb[1])
            lz = difference_law("normal", ga[2], "normal", gb[2])
            self._cache[key] = (lh, lz)
        return self._cache[key]

    def key(self, fa: int, fb: int) -> tuple[tuple[str, float, float], tuple[str, float, float]]:
        return self.group(fa), self.group(fb)

    def deterministic_key(self, key: tuple[tuple[str, float, float], tuple[str, float, float]]) -> bool:
        """Whether a pair of error groups has no error at all (both laws point masses)."""
        lh, lz = self.of(*key)
        return isinstance(lh, Point) and isinstance(lz, Point)


def _join(
    i: np.ndarray, j: np.ndarray, ta: np.ndarray, tb: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Join the detector's bucket pieces of one leg pair that meet into one stretch each."""
    order = np.lexsort((ta, j, i))
    i, j, ta, tb = i[order], j[order], ta[order], tb[order]
    new = np.ones(len(i), dtype=bool)
    new[1:] = (i[1:] != i[:-1]) | (j[1:] != j[:-1]) | (ta[1:] != tb[:-1])
    starts = np.flatnonzero(new)
    ends = np.r_[starts[1:], len(i)] - 1
    return i[starts], j[starts], ta[starts], tb[ends]


def _first_times(tracks: Tracks) -> np.ndarray:
    """First time (s) of each flight (n_flights,): its points are in time order."""
    pf = tracks.point_flight
    starts = np.flatnonzero(np.r_[True, pf[1:] != pf[:-1]])
    first = np.full(len(tracks), np.inf)
    first[pf[starts]] = tracks.t_s[starts]
    return first
