"""Properties of find_encounters: equal to a brute-force reference; invariances.

Every test runs twice, once with each way of finding candidate leg pairs: the direct pairing
the model's light traffic takes, and the grid of cells and time buckets heavier traffic takes.
"""

from __future__ import annotations

import os
from dataclasses import replace

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import sim.detect.encounters
from sim.detect.encounters import Encounters, find_encounters, find_encounters_levels
from sim.detect.tracks import Tracks
from tests.property.brute_force import Encounter, brute_encounters, flights_of, separation_at

H_M = 1000.0
V_M = 300.0


@pytest.fixture(autouse=True, scope="module", params=["direct", "grid"])
def candidate_finder(request: pytest.FixtureRequest) -> object:
    """Force one candidate finder: ``direct`` for any traffic here, or the ``grid`` always."""
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(sim.detect.encounters, "_DIRECT_PAIRS", 10**9 if request.param == "direct" else -1)
        yield request.param


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
    """Kernel encounters as reference records, every column."""
    return [
        Encounter(
            str(r["flight_a"]),
            str(r["flight_b"]),
            r["t_start"],
            r["t_end"],
            r["t_cpa"],
            r["h_min_m"],
            r["dz_at_cpa_m"],
            r["x_cpa_m"],
            r["y_cpa_m"],
        )
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


def _key(e: Encounter) -> tuple[str, str, float]:
    return (e.flight_a, e.flight_b, e.t_start)


def assert_same(got: list[Encounter], want: list[Encounter]) -> None:
    """One-to-one: same count, and each pair (in order of pair and start) ``close``."""
    got, want = sorted(got, key=_key), sorted(want, key=_key)
    assert len(got) == len(want), (got, want)
    for e, f in zip(got, want, strict=True):
        assert close(e, f), (e, f)


def assert_cpa_state(got: list[Encounter], want: list[Encounter], tracks: Tracks) -> None:
    """Time of closest approach and the state then, against the reference.

    The kernel's t_cpa must be the reference's, unless the minimum is shared (a constant
    distance, or two equal minima): then the reference's own distance at the kernel's
    t_cpa must equal its minimum. The height difference and midpoint at the kernel's t_cpa
    must be what the flights' own points give at that time.
    """
    points = {name: pts for name, _, pts in flights_of(tracks)}
    for e, f in zip(sorted(got, key=_key), sorted(want, key=_key), strict=True):
        assert f.t_start - TIME_TOL_S <= e.t_cpa <= f.t_end + TIME_TOL_S, (e, f)
        h, dz, xm, ym = separation_at(points[e.flight_a], points[e.flight_b], e.t_cpa)
        assert abs(e.t_cpa - f.t_cpa) <= TIME_TOL_S or abs(h - f.h_min) <= 1e-6 * max(1.0, f.h_min), (e, f)
        assert abs(h - e.h_min) <= 1e-6 * max(1.0, h), (e, h)
        assert abs(dz - e.dz_cpa) <= 1e-6 * max(1.0, abs(dz)), (e, dz)
        assert abs(xm - e.x_cpa) <= 1e-6 * max(1.0, abs(xm)), (e, xm)
        assert abs(ym - e.y_cpa) <= 1e-6 * max(1.0, abs(ym)), (e, ym)
        if abs(e.t_cpa - f.t_cpa) <= 1e-9 * max(1.0, abs(f.t_cpa)):
            assert abs(e.dz_cpa - f.dz_cpa) <= 1e-6 * max(1.0, abs(f.dz_cpa)), (e, f)


def ill_conditioned(tracks: Tracks, horizontal: float, vertical: float) -> bool:
    """True when thresholds a billionth larger or smaller change the reference's count.

    Then some encounter starts, ends or vanishes where a distance sits exactly at a
    threshold, and whether a float computation sees a sliver there is rounding.
    """
    n = len(brute_encounters(tracks, horizontal, vertical))
    return any(
        len(brute_encounters(tracks, horizontal * (1 + k * 1e-9), vertical * (1 + k * 1e-9))) != n for k in (-1, 1)
    )


def check(tracks: Tracks, got: list[Encounter], horizontal: float, vertical: float) -> int:
    """The kernel's encounters ``got`` against the reference, on every column; returns the count.

    Counts must be equal exactly. Only where the input is ill-conditioned at these
    thresholds (see ``ill_conditioned``) may slivers shorter than a microsecond go unmatched,
    and every other encounter must still match one to one.
    """
    want = brute_encounters(tracks, horizontal, vertical)
    if len(got) != len(want) and ill_conditioned(tracks, horizontal, vertical):
        got = [e for e in got if e.t_end - e.t_start > 1e-6]
        want = [e for e in want if e.t_end - e.t_start > 1e-6]
    assert_same(got, want)
    assert_cpa_state(got, want, tracks)
    return len(want)


def examples(n: int) -> int:
    """``n`` Hypothesis examples; a tenth under mutation testing (mutmut sets MUTANT_UNDER_TEST)."""
    return max(20, n // 10) if os.environ.get("MUTANT_UNDER_TEST") else n


SETTINGS = {
    "deadline": None,
    "suppress_health_check": [HealthCheck.too_slow],
    "derandomize": bool(os.environ.get("MUTANT_UNDER_TEST")),
}

thresholds = st.tuples(
    st.one_of(st.sampled_from([H_M, 999.0, 500.0, 1500.0]), st.floats(1.0, 5000.0)),
    st.one_of(st.sampled_from([V_M, 250.0, 100.0, 600.0]), st.floats(1.0, 800.0)),
)


@settings(max_examples=examples(300), **SETTINGS)
@given(track_rows())
def test_matches_brute_force(rows: Rows) -> None:
    tracks = Tracks.from_rows(*rows)
    check(tracks, as_list(find_encounters(tracks, H_M, V_M)), H_M, V_M)


@settings(max_examples=examples(200), **SETTINGS)
@given(track_rows(), st.lists(thresholds, min_size=1, max_size=3))
def test_every_level_matches_brute_force_on_every_column(rows: Rows, levels: list[tuple[float, float]]) -> None:
    tracks = Tracks.from_rows(*rows)
    found = find_encounters_levels(tracks, levels)
    assert len(found) == len(levels)
    for (h, v), enc in zip(levels, found, strict=True):
        check(tracks, as_list(enc), h, v)


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
        total += check(tracks, as_list(find_encounters(tracks, H_M, V_M)), H_M, V_M)
    assert total > 150  # the comparison exercised many encounters


# Invariances, each checked against the reference on the original tracks (never the kernel
# against itself): the kernel on transformed tracks must give the reference's answer on the
# original ones, transformed.


@settings(max_examples=examples(100), **SETTINGS)
@given(track_rows(), st.integers(-(10**5), 10**5), st.integers(-(10**5), 10**5), st.integers(-(10**4), 10**4))
def test_translation_moves_only_the_positions(rows: Rows, dx: int, dy: int, dz: int) -> None:
    # Shifts are exact on quantized positions, so the moved tracks are the same geometry;
    # otherwise a shift could round a pair sitting exactly at a threshold either way.
    flight, side, t, x, y, z = rows
    x, y, z = quantized(x), quantized(y), quantized(z)
    original = Tracks.from_rows(flight, side, t, x, y, z)
    moved = Tracks.from_rows(flight, side, t, [v + dx for v in x], [v + dy for v in y], [v + dz for v in z])
    got = as_list(find_encounters(moved, H_M, V_M))
    check(moved, got, H_M, V_M)
    want = brute_encounters(original, H_M, V_M)
    if len(got) == len(want) and not ill_conditioned(original, H_M, V_M):
        shifted = [replace(e, x_cpa=e.x_cpa + dx, y_cpa=e.y_cpa + dy) for e in want]
        for e, f in zip(sorted(got, key=_key), sorted(shifted, key=_key), strict=True):
            assert close(e, f), (e, f)
            if abs(e.t_cpa - f.t_cpa) <= 1e-9:
                assert abs(e.x_cpa - f.x_cpa) <= 1e-6 * max(1.0, abs(f.x_cpa)), (e, f)
                assert abs(e.y_cpa - f.y_cpa) <= 1e-6 * max(1.0, abs(f.y_cpa)), (e, f)


@settings(max_examples=examples(100), **SETTINGS)
@given(track_rows())
def test_swapping_sides_swaps_a_and_b(rows: Rows) -> None:
    flight, side, t, x, y, z = rows
    original = Tracks.from_rows(*rows)
    swapped = Tracks.from_rows(flight, ["b" if s == "a" else "a" for s in side], t, x, y, z)
    got = as_list(find_encounters(swapped, H_M, V_M))
    want = brute_encounters(original, H_M, V_M)
    mirrored = [replace(e, flight_a=e.flight_b, flight_b=e.flight_a, dz_cpa=-e.dz_cpa) for e in want]
    if len(got) != len(want) and ill_conditioned(original, H_M, V_M):
        got = [e for e in got if e.t_end - e.t_start > 1e-6]
        mirrored = [e for e in mirrored if e.t_end - e.t_start > 1e-6]
    assert_same(got, mirrored)
    assert_cpa_state(got, mirrored, swapped)


@settings(max_examples=examples(100), **SETTINGS)
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
    tracks = Tracks.from_rows(*relabelled)  # type: ignore[arg-type]
    got = as_list(find_encounters(tracks, H_M, V_M))
    original = Tracks.from_rows(*rows)
    want = [
        replace(e, flight_a=rename[e.flight_a], flight_b=rename[e.flight_b])
        for e in brute_encounters(original, H_M, V_M)
    ]
    if len(got) != len(want) and ill_conditioned(original, H_M, V_M):
        got = [e for e in got if e.t_end - e.t_start > 1e-6]
        want = [e for e in want if e.t_end - e.t_start > 1e-6]
    assert_same(got, want)
    assert_cpa_state(got, want, tracks)


def dense_climbing_traffic() -> Tracks:
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
    return Tracks.from_rows(*rows)


def test_matches_brute_force_on_dense_climbing_traffic() -> None:
    tracks = dense_climbing_traffic()
    for h, v in ((9260.0, 305.0), (2000.0, 150.0)):
        assert check(tracks, as_list(find_encounters(tracks, h, v)), h, v) > 10


def test_levels_in_one_call_match_brute_force_on_dense_traffic() -> None:
    # several levels share one pruning pass sized by the largest: each must still be exact,
    # in any order of the levels
    tracks = dense_climbing_traffic()
    levels = [(2000.0, 150.0), (9260.0, 305.0), (500.0, 30.0), (9260.0, 50.0), (300.0, 2000.0)]
    counts = [
        check(tracks, as_list(enc), h, v)
        for (h, v), enc in zip(levels, find_encounters_levels(tracks, levels), strict=True)
    ]
    assert counts[1] > counts[0] > 0
    assert (
        counts
        == [
            check(tracks, as_list(enc), h, v)
            for (h, v), enc in zip(levels[::-1], find_encounters_levels(tracks, levels[::-1]), strict=True)
        ][::-1]
    )
