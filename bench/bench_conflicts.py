"""Benchmarks for encounter detection: reference traffic, scaling with legs, brute-force ratio.

Run with ``pytest bench/bench_conflicts.py`` (add ``-s`` to see the printed scaling fit).
Set ``BENCH_LARGE=1`` to include the 10^6-leg scaling point (about 1 minute, 2-3 GiB).

Reference traffic: N aircraft airborne for one hour in a box of 440 km x 410 km scaled by
sqrt(N / 1000), half per side; each flies straight legs of 2-5 min at a constant
200-250 m/s, turning by a normal(0, 0.5 rad) angle between legs and climbing or descending
by normal(0, 100 m) per leg within FL200-FL400. Points are folded back into the box by
reflection, so density stays constant.
"""

from __future__ import annotations

import math
import os
import sys
import time
from pathlib import Path

import numpy as np
import pytest

from sim.detect.encounters import find_encounters, find_encounters_levels
from sim.detect.tracks import Tracks, read_tracks

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from tests.property.brute_force import brute_encounters  # noqa: E402

NM_M = 1852.0
FT_M = 0.3048
LOS = (5 * NM_M, 1000 * FT_M)
NMAC = (500 * FT_M, 100 * FT_M)
LEGS_PER_AIRCRAFT = 17.7  # mean of the generator below, measured


def fold(values: np.ndarray, size: float) -> np.ndarray:
    """Reflect ``values`` into [0, size] (a triangle wave), keeping paths continuous."""
    return size - np.abs(np.mod(values, 2 * size) - size)


def traffic(n_aircraft: int, rng: np.random.Generator, hours: float = 1.0) -> Tracks:
    """Reference traffic of ``n_aircraft`` flights for ``hours`` (see module docstring)."""
    scale = math.sqrt(n_aircraft / 1000)
    width_m, height_m = 440e3 * scale, 410e3 * scale
    horizon_s = hours * 3600
    n_legs = math.ceil(horizon_s / 120)
    duration = rng.uniform(120, 300, (n_aircraft, n_legs))
    t = np.concatenate([np.zeros((n_aircraft, 1)), np.cumsum(duration, axis=1)], axis=1)
    speed = rng.uniform(200, 250, (n_aircraft, 1))
    heading = rng.uniform(0, 2 * math.pi, (n_aircraft, 1)) + np.cumsum(rng.normal(0, 0.5, (n_aircraft, n_legs)), axis=1)
    step = speed * duration
    x = np.concatenate([rng.uniform(0, width_m, (n_aircraft, 1)), step * np.cos(heading)], axis=1).cumsum(axis=1)
    y = np.concatenate([rng.uniform(0, height_m, (n_aircraft, 1)), step * np.sin(heading)], axis=1).cumsum(axis=1)
    fl200, fl400 = 20_000 * FT_M, 40_000 * FT_M
    z = np.concatenate(
        [rng.uniform(fl200, fl400, (n_aircraft, 1)), rng.normal(0, 100, (n_aircraft, n_legs))], axis=1
    ).cumsum(axis=1)
    # Keep points up to the first one at or beyond the horizon.
    keep = np.concatenate([np.ones((n_aircraft, 1), bool), t[:, :-1] < horizon_s], axis=1)
    flight = np.broadcast_to(np.arange(n_aircraft)[:, None], t.shape)[keep]
    return Tracks.from_rows(
        flight,
        np.where(flight % 2 == 0, "a", "b"),
        t[keep],
        fold(x[keep], width_m),
        fold(y[keep], height_m),
        fold(z[keep] - fl200, fl400 - fl200) + fl200,
    )


@pytest.fixture(scope="module")
def traffic_1000() -> Tracks:
    return traffic(1000, np.random.default_rng(1000))


@pytest.fixture(scope="module")
def traffic_4000() -> Tracks:
    return traffic(4000, np.random.default_rng(4000))


@pytest.mark.benchmark(group="detection")
def test_1000_aircraft_los_and_nmac(benchmark, traffic_1000: Tracks) -> None:  # noqa: ANN001
    los, nmac = benchmark(find_encounters_levels, traffic_1000, [LOS, NMAC])
    benchmark.extra_info.update(legs=traffic_1000.n_legs, los=len(los), nmac=len(nmac))
    assert len(los) > len(nmac)


@pytest.mark.benchmark(group="detection")
def test_1000_aircraft_los_only(benchmark, traffic_1000: Tracks) -> None:  # noqa: ANN001
    los = benchmark(find_encounters, traffic_1000, *LOS)
    benchmark.extra_info.update(legs=traffic_1000.n_legs, los=len(los))


@pytest.mark.benchmark(group="detection")
def test_4000_aircraft_los_and_nmac(benchmark, traffic_4000: Tracks) -> None:  # noqa: ANN001
    los, nmac = benchmark.pedantic(find_encounters_levels, (traffic_4000, [LOS, NMAC]), rounds=3, iterations=1)
    benchmark.extra_info.update(legs=traffic_4000.n_legs, los=len(los), nmac=len(nmac))


@pytest.mark.benchmark(group="detection")
def test_10000_aircraft_los_and_nmac(benchmark) -> None:  # noqa: ANN001
    tracks = traffic(10_000, np.random.default_rng(10_000))
    los, nmac = benchmark.pedantic(find_encounters_levels, (tracks, [LOS, NMAC]), rounds=1, iterations=1)
    benchmark.extra_info.update(legs=tracks.n_legs, los=len(los), nmac=len(nmac))


SCALING_LEGS = [1_000, 10_000, 100_000] + ([1_000_000] if os.environ.get("BENCH_LARGE") else [])


def aircraft_for(legs: int) -> int:
    """Aircraft count that gives about ``legs`` legs in one hour."""
    return max(2, round(legs / LEGS_PER_AIRCRAFT))


@pytest.mark.benchmark(group="scaling")
@pytest.mark.parametrize("legs", SCALING_LEGS)
def test_scaling_by_legs(benchmark, legs: int) -> None:  # noqa: ANN001
    tracks = traffic(aircraft_for(legs), np.random.default_rng(legs))
    benchmark.pedantic(find_encounters, (tracks, *LOS), rounds=3, iterations=1)
    benchmark.extra_info.update(legs=tracks.n_legs)


def best_time(func, *args, rounds: int = 3) -> float:  # noqa: ANN001
    """Least wall time of ``rounds`` calls of ``func(*args)``, in seconds."""
    times = []
    for _ in range(rounds):
        start = time.perf_counter()
        func(*args)
        times.append(time.perf_counter() - start)
    return min(times)


def test_scaling_exponent_and_brute_force_ratio() -> None:
    """Fit time ~ legs^k over SCALING_LEGS; time the brute force at the smallest size."""
    legs, seconds = [], []
    for target in SCALING_LEGS:
        tracks = traffic(aircraft_for(target), np.random.default_rng(target))
        legs.append(tracks.n_legs)
        seconds.append(best_time(find_encounters, tracks, *LOS))
        print(f"legs {tracks.n_legs:>8d}  aircraft {len(tracks):>6d}  {seconds[-1]:.4f} s")
    exponent = float(np.polyfit(np.log(legs), np.log(seconds), 1)[0])
    print(f"fitted exponent: time ~ legs^{exponent:.2f}")

    small = traffic(aircraft_for(SCALING_LEGS[0]), np.random.default_rng(SCALING_LEGS[0]))
    fast = find_encounters(small, *LOS)
    brute = best_time(brute_encounters, small, *LOS, rounds=1)
    print(
        f"brute force at {small.n_legs} legs: {brute:.3f} s, "
        f"{brute / seconds[0]:.0f}x the kernel; {len(fast)} encounters"
    )
    assert len(brute_encounters(small, *LOS)) == len(fast)
    assert exponent < 1.3


@pytest.mark.benchmark(group="io")
def test_read_one_million_rows(benchmark, tmp_path: Path) -> None:  # noqa: ANN001
    tracks = traffic(aircraft_for(1_000_000), np.random.default_rng(7))
    path = tmp_path / "tracks.csv"
    tracks.to_csv(path)
    back = benchmark.pedantic(read_tracks, (path,), rounds=1, iterations=1)
    benchmark.extra_info.update(rows=back.n_points)
    assert back.n_points == tracks.n_points
