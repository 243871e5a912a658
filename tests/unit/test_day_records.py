"""The simulated day's own bookkeeping: ids, clock start, launches, work points, aircraft, tracks.

Days from ``tests/handmade.py`` (bases at the origin, point sectors A/B/C at 5/10/15 min at
360 kt, 2-min take-off roll, no jitter) unless a test says otherwise; every expected time
is worked out in the comments. Times are minutes unless marked.
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest
import simpy

from sim.detect.encounters import find_encounters
from sim.model.day import simulate
from sim.scenario.load import LoadedScenario, load_scenario
from tests.conftest import REPO
from tests.handmade import (
    FT,
    NM,
    RED_REACTION,
    fleet,
    lat_north,
    load,
    make_day,
    notice,
    run_day,
    scenario_data,
    sortie,
)

M = 60.0
V = 360 * NM / 3600  # 185.2 m/s


@pytest.fixture
def loaded(tmp_path: Path) -> LoadedScenario:
    return load(tmp_path, scenario_data())


def test_ids_run_across_both_sides_in_tasking_order() -> None:
    small = load_scenario(REPO / "scenarios" / "corridor-small.yaml")
    sc = small.scenario
    out = simulate(small, sc.policies["no-notice"], sc.seed, 0)
    ids = [s.id for s in out.sorties]
    assert ids == list(range(len(ids)))
    red = [s for s in out.sorties if s.side == "red"]
    assert [s.side for s in out.sorties] == ["red"] * len(red) + ["blue"] * (len(ids) - len(red))
    assert [s.tasked_t_on_s for s in red] == sorted(s.tasked_t_on_s for s in red)
    assert [s.name for s in out.sorties[:2]] == ["red-0000", "red-0001"]


def test_events_are_the_steps_of_the_simulation(monkeypatch: pytest.MonkeyPatch, loaded: LoadedScenario) -> None:
    steps = [0]
    real = simpy.Environment.step

    def step(self: simpy.Environment) -> None:
        real(self)
        steps[0] += 1  # only steps that did not raise (the last one finds the schedule empty)

    monkeypatch.setattr(simpy.Environment, "step", step)
    out = run_day(monkeypatch, loaded, [sortie(1, "red", "A", 60), sortie(2, "blue", "B", 90)])
    assert out.events == steps[0] > 10


@pytest.mark.parametrize(
    ("sorties", "start_h"),
    [
        # the earliest roll is at 3 - 5 - 2 = -4 min: 30 min before that is -34 min, down to -1 h
        ([sortie(1, "red", "A", 3)], -1),
        # everything after 0: from 0, 30 min back, down to the hour: -1 h
        ([sortie(1, "red", "A", 600)], -1),
        # a short-notice sortie decided at -30 min exactly: -60 min is already on the hour
        ([sortie(1, "red", "A", 60, short_notice=True, created_min=-30)], -1),
        # decided half a second earlier: -1 h - 0.5 s, down to -2 h
        ([sortie(1, "red", "A", 60, short_notice=True, created_min=-1800.5 / 60)], -2),
        # decided 10 h ahead: -10.5 h, down to -11 h
        ([sortie(1, "red", "A", 600, short_notice=True, created_min=-600)], -11),
    ],
)
def test_the_clock_starts_on_the_hour_half_an_hour_before_anything_happens(
    monkeypatch: pytest.MonkeyPatch, loaded: LoadedScenario, sorties: list, start_h: int
) -> None:  # type: ignore[type-arg]
    day = make_day(monkeypatch, loaded, sorties)
    assert day.start_s == start_h * 3600.0 and day.env.now == start_h * 3600.0


def test_transit_from_a_base_off_the_origin(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    data = scenario_data()
    data["sides"]["red"]["bases"]["home"]["lat_deg"] = lat_north(10 * NM)  # 10 NM north: A is 20 NM away
    loaded = load(tmp_path, data)
    s = sortie(1, "red", "A", 100)
    run_day(monkeypatch, loaded, [s])
    # 20 NM at 360 kt = 200 s: airborne 200 s before 100 min, home 200 s after 130 min
    assert s.launched_s == pytest.approx(100 * M - 200, abs=0.01)
    assert s.landed_s == pytest.approx(130 * M + 200, abs=0.01)


def test_launch_jitter_moves_the_launch_and_the_window(monkeypatch: pytest.MonkeyPatch, loaded: LoadedScenario) -> None:
    s, t = sortie(1, "red", "A", 100), sortie(2, "red", "B", 200)
    s.jitter_s, t.jitter_s = 90.0, -45.0
    run_day(monkeypatch, loaded, [s, t])
    assert s.launched_s == pytest.approx(95 * M + 90, abs=0.01) and s.work_segments[0][0] == pytest.approx(
        100 * M + 90, abs=0.01
    )
    assert t.launched_s == pytest.approx(190 * M - 45, abs=0.01) and t.landed_s == pytest.approx(240 * M - 45, abs=0.01)
    assert s.t_on_s == 100 * M and s.delay_s == 0  # jitter is not a re-plan
    assert s.lost_on_station_s == 0  # the window moves with the arrival


def work_u(rows: list[list[float]]) -> np.ndarray:
    return np.array(rows, dtype=float)


def test_work_points_come_from_each_sorties_own_uniforms(
    monkeypatch: pytest.MonkeyPatch, loaded: LoadedScenario
) -> None:
    rng = np.random.default_rng(5)
    sorties = [sortie(k, "red", sector, 100 + 40 * k) for k, sector in enumerate(["W", "W", "W", "H", "H", "H", "A"])]
    for s in sorties:
        s.work_u = rng.random((6, 4))
    day = make_day(monkeypatch, loaded, sorties)
    for s in sorties:
        want = loaded.sectors[s.sector].points_from_uniforms(s.work_u[:, :3])
        points, z = day.work_plan(s)
        assert np.array_equal(points, want), s.id
        # altitudes: floor + u * (ceiling - floor), from the fourth uniform of each row
        assert z == pytest.approx(10000 * FT + s.work_u[: len(points), 3] * 10000 * FT)


def test_the_flight_goes_to_its_first_work_point_at_its_altitude(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    data = scenario_data()
    data["sides"]["red"]["sector_weights"] = {"A": 1, "W": 1}
    loaded = load(tmp_path, data)
    s = sortie(1, "red", "W", 100)
    s.work_u = work_u([[0.1, 0.2, 0.3, 0.25], [0.9, 0.8, 0.7, 0.75], [0.5, 0.5, 0.5, 0.5]])
    t = sortie(2, "red", "A", 100)  # re-tasked in flight to W at 97 (A is blocked)
    t.work_u = s.work_u.copy()
    deliveries = [(92, "red", [notice("blue", "red", 9, "A", 90, 140)])]
    out = run_day(monkeypatch, loaded, [s, t], deliveries=deliveries)
    px, py = loaded.sectors["W"].points_from_uniforms(s.work_u[:, :3])[0]
    distance = math.hypot(px, py)  # from the base at the origin
    assert s.launched_s == pytest.approx(100 * M - distance / V, abs=0.01)
    f = out.tracks.flight_names.index(s.name)
    rows = np.flatnonzero(out.tracks.point_flight == f)
    at = rows[np.argmin(np.abs(out.tracks.t_s[rows] - s.work_segments[0][0]))]
    assert (out.tracks.x_m[at], out.tracks.y_m[at]) == (pytest.approx(px), pytest.approx(py))
    assert out.tracks.z_m[at] == pytest.approx(12500 * FT)  # 10,000 + 0.25 * 10,000 ft
    # the re-tasked one flies from where it is to W's first point, at that point's altitude
    assert t.retasked and t.sector == "W"
    g = out.tracks.flight_names.index(t.name)
    rows = np.flatnonzero(out.tracks.point_flight == g)
    at = rows[np.argmin(np.abs(out.tracks.t_s[rows] - t.work_segments[-1][0]))]
    assert (out.tracks.x_m[at], out.tracks.y_m[at], out.tracks.z_m[at]) == (
        pytest.approx(px),
        pytest.approx(py),
        pytest.approx(12500 * FT),
    )


def test_a_sortie_cancelled_while_waiting_for_an_aircraft_gives_it_back(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    red = dict(RED_REACTION, actions=["cancel"])
    loaded = load(tmp_path, scenario_data(red_reaction=red, red_fleet=fleet(count=1, turnaround_min=60)))
    first = sortie(1, "red", "A", 100)  # lands 135, aircraft free at 195
    waiting = sortie(2, "red", "A", 150)  # waits for it from 143; cancelled at 160
    later = sortie(3, "red", "B", 300)  # rolls at 288 with the aircraft given back at 195
    out = run_day(
        monkeypatch,
        loaded,
        [first, waiting, later],
        deliveries=[(155, "red", [notice("blue", "red", 9, "A", 150, 160)])],
    )
    assert waiting.cancelled and waiting.launched_s is None
    assert later.launched_s == pytest.approx(290 * M, abs=0.01) and later.wait_s == 0
    assert out.notices_received["red"] == 1


def test_sorties_cancelled_in_the_runway_queue_give_their_aircraft_back(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    red = dict(RED_REACTION, actions=["cancel"])
    loaded = load(tmp_path, scenario_data(red_reaction=red, red_fleet=fleet(count=3, turnaround_min=60)))
    # a, b, c all due on the one runway at 53: a rolls 53-55, b and c queue. Read at 54: a is
    # rolling (committed: unresolved), b and c are cancelled in the queue. d, due at 93,
    # takes one of their aircraft (a's is back only at 97 + 60).
    a, b, c = (sortie(k, "red", "A", 60) for k in (1, 2, 3))
    d = sortie(4, "red", "A", 100)
    run_day(monkeypatch, loaded, [a, b, c, d], deliveries=[(49, "red", [notice("blue", "red", 9, None, 50, 85)])])
    assert a.unresolved and a.launched_s == pytest.approx(55 * M, abs=0.01)
    assert b.cancelled and c.cancelled and b.launched_s is None and c.launched_s is None
    assert d.launched_s == pytest.approx(95 * M, abs=0.01) and d.wait_s == 0


def test_parallel_runways_launch_together(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    data = scenario_data()
    data["sides"]["red"]["bases"]["home"]["runways"] = 3
    loaded = load(tmp_path, data)
    sorties = [sortie(k, "red", "A", 100) for k in range(4)]
    run_day(monkeypatch, loaded, sorties)
    # three roll 93-95 side by side; the fourth waits for a runway until 95, airborne 97
    assert sorted(round(s.launched_s / M, 3) for s in sorties) == [95, 95, 95, 97]
    assert sum(s.wait_s for s in sorties) == pytest.approx(2 * M, abs=0.01)


def test_a_replan_half_a_second_before_the_roll_waits_that_half_second(
    monkeypatch: pytest.MonkeyPatch, loaded: LoadedScenario
) -> None:
    # on station at 6,720.24 s (rolls at 6,300.24 s); N ends at 6,120.5 s, so with the 10-min
    # buffer the sortie moves to 6,720.5 s and rolls at 6,300.5 s: half a second after the
    # cell reads N at 105 min (6,300 s). It is airborne at 6,420.5 s, not before.
    s = sortie(1, "red", "A", 6720.24 / M)
    run_day(monkeypatch, loaded, [s], deliveries=[(100, "red", [notice("blue", "red", 9, "A", 0, 6120.5 / M)])])
    assert s.t_on_s == pytest.approx(6720.5)
    assert s.launched_s == pytest.approx(6420.5, abs=0.01)


def test_sent_home_half_a_second_after_take_off_lands_half_a_second_later(
    monkeypatch: pytest.MonkeyPatch, loaded: LoadedScenario
) -> None:
    # airborne at 36,000 - 0.5 s; an area notice read at 600 min (36,000 s): nothing but
    # going home works; 92.6 m out, it is back 0.5 s later
    s = sortie(1, "red", "A", (36_000 - 0.5 + 300) / M)
    run_day(monkeypatch, loaded, [s], deliveries=[(595, "red", [notice("blue", "red", 9, None, 590, 700)])])
    assert s.aborted
    assert s.launched_s == pytest.approx(36_000 - 0.5, abs=0.01)
    assert s.landed_s == pytest.approx(36_000 + 0.5, abs=0.01)


def test_the_tracks_of_a_day_give_the_encounter_worked_out_by_hand(
    monkeypatch: pytest.MonkeyPatch, loaded: LoadedScenario
) -> None:
    # red works A 60-90 and goes home by 95; blue, airborne at 65 (level at 15,000 ft from
    # 66), comes within 5 NM of A at 65 min + 25 NM / 360 kt = 69:10 (4,150 s) and is at the
    # same work point from 70 (4,200 s, the closest approach: 0 m, at the same height).
    # Red leaves A at 90 descending 15,000 ft over 5 min: 1,000 ft apart after 20 s (5,420 s),
    # before 5 NM apart (5,450 s).
    red, blue = sortie(1, "red", "A", 60), sortie(2, "blue", "A", 70)
    out = run_day(monkeypatch, loaded, [red, blue])
    enc = find_encounters(out.tracks, 5 * NM, 1000 * FT)
    assert len(enc) == 1
    [row] = enc.rows()
    assert (row["flight_a"], row["side_a"], row["flight_b"], row["side_b"]) == ("red-0001", "red", "blue-0002", "blue")
    assert row["t_start"] == pytest.approx(4150, abs=0.01)
    assert row["t_end"] == pytest.approx(5420, abs=0.01)
    assert row["t_cpa"] == pytest.approx(4200, abs=0.01)
    assert row["h_min_m"] == pytest.approx(0, abs=0.5)
    assert row["dz_at_cpa_m"] == pytest.approx(0, abs=1e-6)
    assert (row["x_cpa_m"], row["y_cpa_m"]) == (pytest.approx(0, abs=0.5), pytest.approx(30 * NM, abs=0.5))
    assert out.tracks.side_names == ("red", "blue")
    assert list(out.tracks.flight_side) == [0, 1]


def test_work_points_drawn_per_sortie(tmp_path: Path) -> None:
    from sim.model.tasking import _work_point_count

    loaded = load(tmp_path, scenario_data())
    side = loaded.scenario.sides["red"].model_copy(update={"sector_weights": {"W": 1, "A": 0}})
    jet = side.fleets["jet"]
    # 30 min at 185.2 m/s is 333,360 m; half as many legs again as that distance over the mean
    # leg, 0.52 sqrt(area of W) (W is about 22 x 18 km: a mean leg of about 10.5 km), plus 4:
    # about 52. The zero-weight A (a point) does not count as the smallest sector.
    mean_leg = 0.52 * math.sqrt(loaded.sectors["W"].area_m2)
    assert 10_000 < mean_leg < 11_000
    assert _work_point_count(side, loaded.sectors, [jet]) == math.ceil(1.5 * 1800 * V / mean_leg) + 4
    # in a point-sized sector a leg counts as 1 m: far more than the cap of 512
    point = side.model_copy(update={"sector_weights": {"A": 1}})
    assert _work_point_count(point, loaded.sectors, [jet]) == 512
    # 0.6 s on station at 20 kt (10.29 m/s) in a point: 1.5 x 6.17 m / 1 m = 9.26 -> 10, plus 4
    slow = jet.model_copy(update={"on_station_min": 0.01, "cruise_kt": 20.0})
    assert _work_point_count(point, loaded.sectors, [slow]) == 14
    # the longest stay of all fleets decides
    assert _work_point_count(side, loaded.sectors, [slow, jet]) == _work_point_count(side, loaded.sectors, [jet])
