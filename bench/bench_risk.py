"""What the collision-risk estimate costs: on the baseline run and on detect's benchmark traffic.

Run: ``pytest bench/bench_risk.py -s``. Ratios are measured in one run, the two sides of
each ratio in turn (best of 3), so that a slow spell of the shared machine falls on both.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from sim.detect.encounters import find_encounters, find_encounters_levels
from sim.detect.risk import FlightErrors, expected_encounters
from sim.experiment.risk import risk_values
from sim.model.day import simulate
from sim.scenario.load import load_scenario
from sim.units import FT_M

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "bench"))

from bench_conflicts import NMAC, traffic  # noqa: E402


def _paired(fa: Any, fb: Any, repeat: int = 3) -> tuple[float, float]:
    best = [float("inf"), float("inf")]
    for _ in range(repeat):
        for k, fn in enumerate((fa, fb)):
            t0 = time.perf_counter()
            fn()
            best[k] = min(best[k], time.perf_counter() - t0)
    return best[0], best[1]


@pytest.mark.benchmark(group="risk")
def test_risk_cost_on_the_baseline(benchmark: Any) -> None:
    """Simulation and detection of the baseline's 4 policies x 10 days, with and without the
    risk estimate (target: at most 1.3x)."""
    loaded = load_scenario(REPO / "scenarios" / "syria-2015-10.yaml")
    sc = loaded.scenario
    levels = [(lv.horizontal_m, lv.vertical_m) for lv in sc.levels]
    outcomes = [simulate(loaded, spec, sc.seed, r) for spec in sc.policies.values() for r in range(10)]

    def without() -> None:
        for o in outcomes:
            find_encounters_levels(o.tracks, levels)

    def with_risk() -> None:
        for o in outcomes:
            find_encounters_levels(o.tracks, levels)
            risk_values(sc, o)

    t0 = time.perf_counter()
    for spec in sc.policies.values():
        for r in range(10):
            simulate(loaded, spec, sc.seed, r)
    sim_s = time.perf_counter() - t0
    on_s, off_s = _paired(with_risk, without)
    ratio = (sim_s + on_s) / (sim_s + off_s)
    benchmark.extra_info.update({"simulate_s": sim_s, "detect_s": off_s, "detect_and_risk_s": on_s, "ratio": ratio})
    print(
        f"\nbaseline 40 days: simulate {sim_s:.2f} s, detect {off_s:.2f} s, detect + risk {on_s:.2f} s: run ratio {ratio:.2f}"
    )
    benchmark.pedantic(with_risk, rounds=1, iterations=1)


@pytest.mark.benchmark(group="risk")
def test_detect_with_errors_on_1000_aircraft(benchmark: Any) -> None:
    """``detect`` at the NMAC level on the 1,000-aircraft traffic, with errors of 300 ft and
    100 ft on every flight against without (target: under 2x)."""
    tracks = traffic(1000, np.random.default_rng(1000))
    errors = FlightErrors.uniform(len(tracks), 300 * FT_M, 100 * FT_M)
    risk_s, plain_s = _paired(
        lambda: expected_encounters(tracks, errors, *NMAC), lambda: find_encounters(tracks, *NMAC), repeat=2
    )
    r = expected_encounters(tracks, errors, *NMAC)
    benchmark.extra_info.update(
        {"plain_s": plain_s, "risk_s": risk_s, "ratio": risk_s / plain_s, "stretches": int(r.stretches.sum())}
    )
    print(
        f"\n1,000 aircraft, NMAC: plain {plain_s:.3f} s, with errors {risk_s:.3f} s: ratio {risk_s / plain_s:.1f} "
        f"({int(r.stretches.sum())} stretches screened, {len(r.expected)} pairs, {r.total:.3g} expected)"
    )
    benchmark.pedantic(lambda: None, rounds=1, iterations=1)
