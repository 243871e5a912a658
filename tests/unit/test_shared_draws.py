"""One replication's draws shared by all its rules (``draw_day``) change no outcome.

``run_chunk`` draws a replication's tasking once and lets every rule fly its own copy, with
the work points, altitudes, legs and transit times cached across the rules. A rule must see
exactly what it would see alone: nothing one rule did to its sorties or to the caches may
reach the next.
"""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from sim.model.day import Outcome, draw_day, simulate
from sim.model.tasking import Sortie
from sim.scenario.load import LoadedScenario, load_scenario
from tests.conftest import BASELINE

FIELDS = [f.name for f in dataclasses.fields(Sortie)]


@pytest.fixture(scope="module")
def baseline() -> LoadedScenario:
    """The baseline as shipped: warm-up, tactical layer, every rule."""
    return load_scenario(BASELINE)


def _same(a: Outcome, b: Outcome) -> None:
    for name in ("t_s", "x_m", "y_m", "z_m", "point_flight", "flight_side"):
        assert np.array_equal(getattr(a.tracks, name), getattr(b.tracks, name)), name
    assert a.tracks.flight_names == b.tracks.flight_names
    for sa, sb in zip(a.sorties, b.sorties, strict=True):
        for name in FIELDS:
            va, vb = getattr(sa, name), getattr(sb, name)
            assert np.array_equal(va, vb) if isinstance(va, np.ndarray) else va == vb, (sa.name, name)
    assert (a.events, a.notices_received, a.alerts, a.tactical_missed) == (
        b.events,
        b.notices_received,
        b.alerts,
        b.tactical_missed,
    )


@pytest.mark.parametrize("rep", [0, 5])
def test_each_rule_after_the_others_flies_as_it_does_alone(baseline: LoadedScenario, rep: int) -> None:
    sc = baseline.scenario
    draws = draw_day(baseline, sc.seed, rep)
    # every rule in scenario order on the shared draws, then in reverse, against each alone
    shared = {name: simulate(baseline, spec, sc.seed, rep, draws) for name, spec in sc.policies.items()}
    again = {name: simulate(baseline, sc.policies[name], sc.seed, rep, draws) for name in reversed(sc.policies)}
    for name, spec in sc.policies.items():
        alone = simulate(baseline, spec, sc.seed, rep)
        _same(shared[name], alone)
        _same(again[name], alone)


def test_the_drawn_sorties_are_left_as_drawn(baseline: LoadedScenario) -> None:
    sc = baseline.scenario
    draws = draw_day(baseline, sc.seed, 2)
    before = [[getattr(s, f) for f in FIELDS if f != "work_u"] for ss in draws.tasking.values() for s in ss]
    outcome = simulate(baseline, sc.policies["hotline"], sc.seed, 2, draws)
    after = [[getattr(s, f) for f in FIELDS if f != "work_u"] for ss in draws.tasking.values() for s in ss]
    assert before == after
    # the day flew copies, and they did change (launched, landed, worked)
    assert not any(s is d for s in outcome.sorties for ss in draws.tasking.values() for d in ss)
    assert sum(s.launched_s is not None for s in outcome.sorties) > 0


def test_the_cached_plans_cannot_be_written(baseline: LoadedScenario) -> None:
    sc = baseline.scenario
    draws = draw_day(baseline, sc.seed, 1)
    simulate(baseline, sc.policies["no-notice"], sc.seed, 1, draws)
    assert draws.work_plans and draws.work_legs and draws.transits_s
    points, z = next(iter(draws.work_plans.values()))
    with pytest.raises(ValueError):
        z[0] = 0.0
    with pytest.raises(ValueError):
        points[0, 0] = 0.0
