"""Properties of find_encounters: equal to a brute-force reference; invariances."""

from __future__ import annotations

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sim.detect.encounters import Encounters, find_encounters
from sim.detect.tracks import Tracks
from tests.property.brute_force import Encounter, brute_encounters

H_M = 1000.0
V_M = 300.0
TIME_TOL_S = 1e-3
SHORT_S = 1e-2

Rows = tuple[list[str], list[str], list[float], list[float], list[float], list[float]]


def quantized(values: list[float]) -> list[float]:
    """Values rounded to multiples of 2**-10, so that integer shifts add exactly."""
    return [round(v * 1024) / 1024 for v in values]


@st.composite
def flight_points(draw: st.DrawFn) -> list[tuple[float, float, float, float]]:
    """Points of one flight in one of several kinds of motion, at often shared times."""
    kind = draw(st.sampled_from(["free", "column", "slow", "fast", "long", "parallel"]))
    level = draw(st.one_of(st.none(), st.sampled_from([0.0, 250.0, 300.0, 400.0, 600.0])))
    lane = draw(st.sampled_from([0.0, 500.0, 999.0, 1000.0, 1500.0]))
    ticks = draw(st.lists(st.integers(0, 12), min_size=1, max_size=4, unique=True))
    jitter = draw(st.booleans())
    times = [10.0 * k + (draw(st.floats(0, 9.9)) if jitter else 0.0) for k in sorted(ticks)]
    times = sorted(set(times))
    coord = st.floats(-3000, 3000, allow_nan=False)
    height = st.floats(-600, 600, allow_nan=False)
    points = []
    cx, cy = draw(coord), draw(coord)
    for t in times:
        if kind == "column":  # vertical-only approaches: everyone on the same vertical line
            x, y = 0.0, 0.0
        elif kind == "slow":
            x, y = cx + draw(st.floats(-1, 1)), cy + draw(st.floats(-1, 1))
        elif kind == "fast":
            x, y = draw(st.floats(-1e5, 1e5)), draw(st.floats(-3000, 3000))
        elif kind == "parallel":  # same velocity, lanes up to exactly H_M apart
            x, y = 200.0 * t - 3000.0, lane
        elif kind == "long":
            x, y = draw(st.floats(-2e4, 2e4)), draw(st.floats(-2e4, 2e4))
        else:
            x, y = draw(coord), draw(coord)
        z = draw(height) if level is None else level
        # Positions to 2**-10 m: sub-millimetre drifts against a 300 m threshold would test
        # float resolution, not the algorithm.
        points.append((t, *quantized([x, y, z])))
    return points


@st.composite
def track_rows(draw: st.DrawFn) -> Rows:
    """Rows of 1-4 flights per side."""
    rows: Rows = ([], [], [], [], [], [])
    for side in ("a", "b"):
        for k in range(draw(st.integers(1, 4))):
            for t, x, y, z in draw(flight_points()):
                for column, value in zip(rows, (f"{side}{k}", side, t, x, y, z), strict=True):
                    column.append(value)  # type: ignore[arg-type]
    return rows


def as_list(enc: Encounters) -> list[Encounter]:
    """Kernel encounters as reference records."""
    return [
        Encounter(str(r["flight_a"]), str(r["flight_b"]), r["t_start"], r["t_end"], r["t_cpa"], r["h_min_m"])
        for r in enc.rows()
    ]


def close(e: Encounter, f: Encounter) -> bool:
    """Same flight pair, same interval within TIME_TOL_S, same closest distance."""
    return (
        e.flight_a == f.flight_a
        and e.flight_b == f.flight_b
        and abs(e.t_start - f.t_start) <= TIME_TOL_S
        and abs(e.t_end - f.t_end) <= TIME_TOL_S
        and abs(e.h_min - f.h_min) <= 1e-3
    )


def assert_same(got: list[Encounter], want: list[Encounter]) -> None:
    """Encounters agree; near-zero-length ones (ill-conditioned) need no partner."""
    key = lambda e: (e.flight_a, e.flight_b, e.t_start)  # noqa: E731
    got, want = sorted(got, key=key), sorted(want, key=key)
    if all(e.t_end - e.t_start > SHORT_S for e in got + want):
        assert len(got) == len(want), (got, want)
        for e, f in zip(got, want, strict=True):
            assert close(e, f), (e, f)
        return
    for one, other in ((got, want), (want, got)):
        for e in one:
            if e.t_end - e.t_start > SHORT_S:
                assert any(close(e, f) for f in other), (e, other)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(track_rows())
def test_matches_brute_force(rows: Rows) -> None:
    tracks = Tracks.from_rows(*rows)
    assert_same(as_list(find_encounters(tracks, H_M, V_M)), brute_encounters(tracks, H_M, V_M))


def random_rows(rng: np.random.Generator) -> Rows:
    """Seeded random track rows: 3 flights per side, 2-5 legs each, in a small box."""
    rows: Rows = ([], [], [], [], [], [])
    for side in ("a", "b"):
        for k in range(3):
            n = int(rng.integers(3, 7))
            times = np.sort(rng.choice(np.arange(0.0, 200.0, 10.0), n, replace=False))
            times += rng.uniform(0, 5, n) * rng.integers(0, 2)
            for t in times:
                values = (f"{side}{k}", side, float(t), *rng.uniform(-2500, 2500, 2), float(rng.uniform(-500, 500)))
                for column, value in zip(rows, values, strict=True):
                    column.append(value)
    return rows


def test_matches_brute_force_seeded_and_not_vacuous() -> None:
    rng = np.random.default_rng(20261122)
    total = 0
    for _ in range(150):
        tracks = Tracks.from_rows(*random_rows(rng))
        want = brute_encounters(tracks, H_M, V_M)
        assert_same(as_list(find_encounters(tracks, H_M, V_M)), want)
        total += len(want)
    assert total > 150  # the comparison exercised many encounters


@settings(max_examples=100, deadline=None)
@given(track_rows(), st.integers(-(10**5), 10**5), st.integers(-(10**5), 10**5), st.integers(-(10**4), 10**4))
def test_translation_invariant(rows: Rows, dx: int, dy: int, dz: int) -> None:
    # Shifts are exact on quantized positions, so the moved tracks are the same geometry;
    # otherwise a shift could round a pair sitting exactly at a threshold either way.
    flight, side, t, x, y, z = rows
    x, y, z = quantized(x), quantized(y), quantized(z)
    moved = (flight, side, t, [v + dx for v in x], [v + dy for v in y], [v + dz for v in z])
    assert_same(
        as_list(find_encounters(Tracks.from_rows(*moved), H_M, V_M)),
        as_list(find_encounters(Tracks.from_rows(flight, side, t, x, y, z), H_M, V_M)),
    )


@settings(max_examples=100, deadline=None)
@given(track_rows())
def test_swapping_sides_swaps_a_and_b(rows: Rows) -> None:
    flight, side, t, x, y, z = rows
    swapped = (flight, ["b" if s == "a" else "a" for s in side], t, x, y, z)
    got = find_encounters(Tracks.from_rows(*swapped), H_M, V_M)
    want = find_encounters(Tracks.from_rows(*rows), H_M, V_M)
    mirrored = [Encounter(e.flight_b, e.flight_a, e.t_start, e.t_end, e.t_cpa, e.h_min) for e in as_list(want)]
    assert_same(as_list(got), mirrored)
    if len(got) == len(want) and all(e.t_end - e.t_start > SHORT_S for e in as_list(want)):
        assert sorted(np.round(got.dz_at_cpa_m, 3)) == sorted(np.round(-want.dz_at_cpa_m, 3))


@settings(max_examples=100, deadline=None)
@given(track_rows(), st.randoms(use_true_random=False))
def test_relabelling_flights_changes_nothing_else(rows: Rows, random) -> None:  # noqa: ANN001
    flight = rows[0]
    names = sorted(set(flight))
    new_names = names[:]
    random.shuffle(new_names)
    rename = {old: f"n{new}" for old, new in zip(names, new_names, strict=True)}
    order = list(range(len(flight)))
    random.shuffle(order)
    relabelled = tuple([column[k] for k in order] for column in rows)
    relabelled[0][:] = [rename[f] for f in relabelled[0]]  # type: ignore[index]
    got = find_encounters(Tracks.from_rows(*relabelled), H_M, V_M)  # type: ignore[arg-type]
    want = [
        Encounter(rename[e.flight_a], rename[e.flight_b], e.t_start, e.t_end, e.t_cpa, e.h_min)
        for e in as_list(find_encounters(Tracks.from_rows(*rows), H_M, V_M))
    ]
    assert_same(as_list(got), want)


def test_matches_brute_force_on_dense_climbing_traffic() -> None:
    # 40 aircraft for 20 min in a 60 km box: many legs per bucket and grid cell, climbs
    # across altitude cells, so every pruning path is exercised against the reference.
    rng = np.random.default_rng(404)
    rows: Rows = ([], [], [], [], [], [])
    for f in range(40):
        t = np.cumsum(np.r_[rng.uniform(0, 60), rng.uniform(30, 200, 8)])
        x, y = (np.cumsum(rng.normal(0, 8000, 9)) % 60000 for _ in range(2))
        z = 8000 + np.cumsum(rng.normal(0, 400, 9))
        for values in zip([f"F{f}"] * 9, ["ab"[f % 2]] * 9, t, x, y, z, strict=True):
            for column, value in zip(rows, values, strict=True):
                column.append(value)
    tracks = Tracks.from_rows(*rows)
    for h, v in ((9260.0, 305.0), (2000.0, 150.0)):
        want = brute_encounters(tracks, h, v)
        assert len(want) > 10
        assert_same(as_list(find_encounters(tracks, h, v)), want)
