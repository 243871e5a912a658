"""Invariants of the model's cost accounting, over many replications and every rule."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from sim.model.day import simulate
from sim.model.tasking import draw_tasking
from sim.scenario.load import LoadedScenario, load_scenario
from sim.scenario.rules import Hotline
from tests.conftest import BASELINE

SMALL = Path(BASELINE).parent / "corridor-small.yaml"


@pytest.fixture(scope="module")
def small() -> LoadedScenario:
    return load_scenario(SMALL)


@pytest.fixture(scope="module")
def outcomes(small: LoadedScenario):  # type: ignore[no-untyped-def]
    sc = small.scenario
    return [(name, rep, simulate(small, p, sc.seed, rep)) for name, p in sc.policies.items() for rep in range(25)]


def test_lost_on_station_is_between_zero_and_the_planned_time(outcomes) -> None:  # type: ignore[no-untyped-def]
    for name, rep, out in outcomes:
        for s in out.sorties:
            assert 0.0 <= s.lost_on_station_s <= s.on_station_s + 1e-6, (name, rep, s.name)
            if s.cancelled:
                assert s.launched_s is None and s.lost_on_station_s == s.on_station_s
            if s.held_s > 0 or s.aborted:
                assert s.lost_on_station_s > 0, (name, rep, s.name)


def test_work_segments_lie_in_the_window_and_do_not_overlap(outcomes) -> None:  # type: ignore[no-untyped-def]
    for _, _, out in outcomes:
        for s in out.sorties:
            segments = s.work_segments
            for (_, b), (c, _) in zip(segments, segments[1:], strict=False):
                assert b <= c
            for a, b in segments:
                assert a < b <= s.on_station_end_s
                assert s.launched_s is not None and a >= s.launched_s


def test_each_sortie_counts_once_whatever_happened(outcomes) -> None:  # type: ignore[no-untyped-def]
    for _, _, out in outcomes:
        for s in out.sorties:
            assert isinstance(s.unresolved, bool)
            assert not (s.cancelled and s.launched_s is not None)
            assert not (s.aborted and s.launched_s is None)
            assert s.delay_s >= 0 and s.held_s >= 0 and s.wait_s >= 0


def test_no_rule_means_no_cost_and_waits_only_for_aircraft_or_runway(small: LoadedScenario) -> None:
    sc = small.scenario
    waits = []
    for rep in range(10):
        out = simulate(small, sc.policies["no-notice"], sc.seed, rep)
        for s in out.sorties:
            assert s.lost_on_station_s == 0 and s.delay_s == 0 and not s.unresolved
            waits.append(s.wait_s)
    assert np.median(waits) == 0.0  # the take-off roll itself is not waiting


def test_hotline_rate_is_set_by_calls_per_hour_not_latency(small: LoadedScenario) -> None:
    sc = small.scenario
    slow_latency = [
        sum(
            simulate(
                small, Hotline(kind="hotline", latency_min=30, calls_per_hour=c), sc.seed, r
            ).notices_received.values()
        )
        for c in (60.0, 2.0)
        for r in range(3)
    ]
    fast, few = sum(slow_latency[:3]), sum(slow_latency[3:])
    assert fast > few  # with a 30-min latency, 60 calls/h still carries more calls than 2 calls/h


def test_a_partial_last_hour_spreads_starts_over_its_part(small: LoadedScenario) -> None:
    sc = small.scenario
    side = sc.sides["red"].model_copy(update={"sorties_per_day": 2000})
    horizon_s = 2.5 * 3600
    t_on = np.concatenate(
        [
            [s.t_on_s for s in draw_tasking("red", side, small.sectors, horizon_s, np.random.default_rng(k))]
            for k in range(5)
        ]
    )
    assert t_on.max() < horizon_s
    last = t_on[t_on >= 2 * 3600]
    assert np.sum(t_on >= horizon_s - 1.0) <= 2  # no pile-up at the horizon
    assert abs(np.mean(last) - 2.25 * 3600) < 60.0  # uniform over the last half hour
