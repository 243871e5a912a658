"""The SimPy model: common random numbers, physical sanity of tracks, what each rule does."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from sim.model.day import simulate
from sim.scenario.load import LoadedScenario, load_scenario
from sim.scenario.rules import AltitudeSplit, Hotline
from sim.units import FT_M, MIN_S
from tests.conftest import BASELINE

SMALL = Path(BASELINE).parent / "corridor-small.yaml"


@pytest.fixture(scope="module")
def small() -> LoadedScenario:
    return load_scenario(SMALL)


@pytest.fixture(scope="module")
def baseline() -> LoadedScenario:
    """The baseline with the tactical layer off: these tests are about the plan (the tactical
    layer has its own, ``test_tactical_*``)."""
    loaded = load_scenario(BASELINE)
    # the day alone (no warm-up): these tests count every sortie the day drew
    return loaded.with_scenario(loaded.scenario.without_tactical().model_copy(update={"warmup_h": 0.0}))


def _plan(outcome):  # type: ignore[no-untyped-def]
    return [(s.id, s.side, s.fleet, s.tasked_sector, s.tasked_t_on_s, s.work_u.tobytes()) for s in outcome.sorties]


@pytest.mark.parametrize("rep", [0, 3])
def test_every_policy_sees_the_same_sorties(small: LoadedScenario, rep: int) -> None:
    sc = small.scenario
    plans = [_plan(simulate(small, p, sc.seed, rep)) for p in sc.policies.values()]
    assert all(plan == plans[0] for plan in plans)
    assert plans[0] != _plan(simulate(small, sc.policies["no-notice"], sc.seed, rep + 1))


def test_no_notice_flies_everything_as_tasked(baseline: LoadedScenario) -> None:
    sc = baseline.scenario
    out = simulate(baseline, sc.policies["no-notice"], sc.seed, 0)
    assert out.notices_received == {"russia": 0, "coalition": 0}
    for s in out.sorties:
        assert s.launched_s is not None and s.landed_s is not None
        assert not (s.cancelled or s.aborted or s.retasked or s.altitude_changed)
        assert s.delay_s == 0 and s.lost_on_station_s == 0 and s.held_s == 0
        assert s.sector == s.tasked_sector
        assert s.on_station_end_s - s.on_station_start_s == pytest.approx(s.on_station_s)
    assert len(out.tracks) == sum(s.formation for s in out.sorties)  # every aircraft of a formation


def test_tracks_start_and_end_at_home_and_never_exceed_cruise_speed(baseline: LoadedScenario) -> None:
    sc = baseline.scenario
    out = simulate(baseline, sc.policies["hotline"], sc.seed, 1)
    tr = out.tracks
    for f, k in enumerate(out.flight_sortie):
        s = out.sorties[k]
        rows = np.flatnonzero(tr.point_flight == f)
        t, x, y = tr.t_s[rows], tr.x_m[rows], tr.y_m[rows]
        base = sc.sides[s.side].bases[s.base]
        bx, by = baseline.projection.to_xy(base.lat_deg, base.lon_deg)
        assert (x[0], y[0]) == pytest.approx((float(bx), float(by)))
        assert (x[-1], y[-1]) == pytest.approx((float(bx), float(by)), abs=1e-6)
        lag_s = t[0] - s.launched_s  # a wingman flies its lead's path that much behind
        assert lag_s == 0 or tr.flight_names[f].startswith(s.name + ".")
        assert t[-1] - lag_s == pytest.approx(s.landed_s)
        speed = np.hypot(np.diff(x), np.diff(y)) / np.diff(t)
        cruise = sc.sides[s.side].fleets[s.fleet].cruise_mps
        assert speed.max() <= cruise * (1 + 1e-9)


def test_one_hour_notice_reaches_only_the_coalition_an_hour_ahead(baseline: LoadedScenario) -> None:
    sc = baseline.scenario
    out = simulate(baseline, sc.policies["one-hour-notice"], sc.seed, 0)
    russian = [s for s in out.sorties if s.side == "russia"]
    assert out.notices_received == {"russia": 0, "coalition": len(russian)}
    assert all(s.delay_s == 0 and not s.retasked for s in russian)


def test_shared_schedule_reaches_both_sides(baseline: LoadedScenario) -> None:
    sc = baseline.scenario
    out = simulate(baseline, sc.policies["shared-schedule"], sc.seed, 0)
    for side, other in (("russia", "coalition"), ("coalition", "russia")):
        assert out.notices_received[side] == sum(s.side == other for s in out.sorties)


def test_shared_schedule_without_updates_hides_short_notice_sorties(baseline: LoadedScenario) -> None:
    sc = baseline.scenario
    policy = sc.policies["shared-schedule"].model_copy(update={"update_lead_min": None})
    out = simulate(baseline, policy, sc.seed, 0)
    for side, other in (("russia", "coalition"), ("coalition", "russia")):
        expected = sum(s.side == other and not s.short_notice for s in out.sorties)
        assert out.notices_received[side] == expected
    assert any(s.short_notice for s in out.sorties)


def test_hotline_capacity_limits_calls(small: LoadedScenario) -> None:
    sc = small.scenario
    slow = Hotline(kind="hotline", latency_min=1.0, calls_per_hour=0.5)
    fast = Hotline(kind="hotline", latency_min=1.0, calls_per_hour=60.0)
    n_slow = sum(simulate(small, slow, sc.seed, 0).notices_received.values())
    n_fast = sum(simulate(small, fast, sc.seed, 0).notices_received.values())
    flown = sum(s.launched_s is not None for s in simulate(small, fast, sc.seed, 0).sorties)
    assert n_fast == flown
    assert n_slow < n_fast  # one call every two hours: most calls are dropped, their windows past
    assert n_slow <= 1 + (sc.horizon_s + 6 * 3600) / 7200


def test_altitude_split_keeps_sides_apart_on_station(small: LoadedScenario) -> None:
    sc = small.scenario
    split = AltitudeSplit(kind="altitude_split", upper="blue", boundary_ft=18000, margin_ft=500)
    out = simulate(small, split, sc.seed, 2)
    for s in out.sorties:
        if s.side == "blue":
            assert s.floor_m >= 18500 * FT_M - 1e-9
        else:
            assert s.ceiling_m <= 17500 * FT_M + 1e-9


def test_delayed_sorties_keep_within_the_limit(small: LoadedScenario) -> None:
    sc = small.scenario
    for rep in range(5):
        out = simulate(small, sc.policies["notice-30"], sc.seed, rep)
        for s in out.sorties:
            if s.delay_s > 0:
                max_delay = sc.sides[s.side].reaction.max_delay_min * MIN_S
                assert s.t_on_s - s.tasked_t_on_s <= max_delay + 1e-6
                assert s.t_on_s - s.tasked_t_on_s == pytest.approx(s.delay_s)


def test_area_notice_leaves_no_retasking_option(small: LoadedScenario) -> None:
    sc = small.scenario
    out = simulate(small, sc.policies["area-notice"], sc.seed, 0)
    blue = [s for s in out.sorties if s.side == "blue"]
    assert not any(s.retasked for s in blue)
    assert any(s.delay_s > 0 or s.cancelled or s.held_s > 0 or s.aborted for s in blue)


def test_same_inputs_same_outcome(small: LoadedScenario) -> None:
    sc = small.scenario
    a = simulate(small, sc.policies["shared"], sc.seed, 4)
    b = simulate(small, sc.policies["shared"], sc.seed, 4)
    for name in ("t_s", "x_m", "y_m", "z_m", "point_flight"):
        assert np.array_equal(getattr(a.tracks, name), getattr(b.tracks, name))


def test_replication_streams_are_the_spawned_children() -> None:
    from sim.model.day import replication_streams

    for rep in (0, 5, 99):
        child = np.random.SeedSequence(11).spawn(rep + 1)[rep]
        expected = [np.random.default_rng(ss).random() for ss in child.spawn(2)]
        got = replication_streams(11, rep, ["a", "b"])
        assert [got["a"].random(), got["b"].random()] == expected
