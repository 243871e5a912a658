"""``sim.detect.pairwise`` (the tactical layer's alerts) against the brute-force reference.

The same flights as the detector's property tests (``test_conflicts_property``): one flight
per side, every kind of motion; the intervals after a random start time must be the brute
force's encounters cut at that time.
"""

from __future__ import annotations

import math
import os

from hypothesis import given, settings
from hypothesis import strategies as st

from sim.detect.pairwise import conflict_intervals, point_path
from sim.detect.tracks import Tracks
from tests.property.brute_force import brute_encounters
from tests.property.test_conflicts_property import flight_points

EXAMPLES = 30 if os.environ.get("MUTANT_UNDER_TEST") else 300


def as_path(points: list[tuple[float, float, float, float]]) -> tuple[list[float], ...]:
    return tuple([p[k] for p in points] for k in range(4))  # type: ignore[return-value]


@settings(max_examples=EXAMPLES, deadline=None, derandomize=bool(os.environ.get("MUTANT_UNDER_TEST")))
@given(
    a=flight_points(),
    b=flight_points(),
    t_from=st.one_of(st.just(-math.inf), st.floats(0, 130)),
    horizontal=st.sampled_from([300.0, 1000.0, 2500.0]),
    vertical=st.sampled_from([150.0, 300.0, 1000.0]),
)
def test_intervals_are_the_brute_force_encounters_after_the_start(
    a: list[tuple[float, float, float, float]],
    b: list[tuple[float, float, float, float]],
    t_from: float,
    horizontal: float,
    vertical: float,
) -> None:
    tracks = Tracks.from_rows(
        ["a"] * len(a) + ["b"] * len(b),
        ["a"] * len(a) + ["b"] * len(b),
        [p[0] for p in a + b],
        [p[1] for p in a + b],
        [p[2] for p in a + b],
        [p[3] for p in a + b],
    )
    want = [
        (max(e.t_start, t_from), e.t_end)
        for e in sorted(brute_encounters(tracks, horizontal, vertical), key=lambda e: e.t_start)
        if e.t_end > t_from and e.t_end > max(e.t_start, t_from)
    ]
    got = conflict_intervals(as_path(a), as_path(b), t_from, horizontal, vertical)
    assert len(got) == len(want), (got, want)
    for (g0, g1), (w0, w1) in zip(got, want, strict=True):
        assert math.isclose(g0, w0, rel_tol=1e-9, abs_tol=1e-6) and math.isclose(g1, w1, rel_tol=1e-9, abs_tol=1e-6)


def test_a_fixed_point_covers_what_is_within_its_range() -> None:
    # a flight east along y = 0 at 100 m/s from x = -5 km; a site at (0, 3 km) with a 5 km range
    # sees it while |x| < 4 km: from 10 s to 90 s
    flight = ([0.0, 200.0], [-5000.0, 15000.0], [0.0, 0.0], [1000.0, 1000.0])
    site = point_path(0.0, 200.0, 0.0, 3000.0, 1000.0)
    [(lo, hi)] = conflict_intervals(flight, site, -math.inf, 5000.0, 1.0)
    assert math.isclose(lo, 10.0) and math.isclose(hi, 90.0)
    assert conflict_intervals(flight, site, 50.0, 5000.0, 1.0) == [(50.0, hi)]
    assert conflict_intervals(flight, site, 95.0, 5000.0, 1.0) == []
