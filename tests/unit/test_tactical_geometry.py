"""The tactical layer on hand-made geometry: alerts, what the picture sees, and avoidance.

Two aircraft fly straight lines from t = 0 (a stub day: after an avoidance an aircraft
flies on to its destination). Distances are checked with an independent brute-force
sampler (``min_distance``), not with the layer's own closed form.
"""

from __future__ import annotations

import math
import os
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pytest
import simpy
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sim.model.flightpath import FlightPath
from sim.model.tactical import TacticalLayer
from sim.model.tasking import Sortie
from sim.scenario.models import Fleet
from sim.scenario.projection import LocalProjection
from sim.scenario.tactical import Tactical

FEW = bool(os.environ.get("MUTANT_UNDER_TEST"))  # under mutation testing: a tenth of the examples
NM = 1852.0
FT = 0.3048
KT = 1852.0 / 3600.0
LOS_H, LOS_V = 5 * NM, 1000 * FT


def fleet(cruise_kt: float, floor_ft: float = 0, ceiling_ft: float = 40000, tactical: bool = True) -> Fleet:
    return Fleet(
        type="jet",
        base="home",
        count=1,
        cruise_kt=cruise_kt,
        floor_ft=floor_ft,
        ceiling_ft=ceiling_ft,
        on_station_min=60,
        turnaround_min=0,
        share=1.0,
        tactical=tactical,
    )


def make_sortie(id: int, side: str) -> Sortie:
    return Sortie(
        id=id, side=side, fleet="jet", base="home", sector="A", t_on_s=0.0, on_station_s=3600.0,
        floor_m=0.0, ceiling_m=0.0, short_notice=False, created_s=-math.inf, jitter_s=0.0,
        coverage_u=0.5, choice_u=0.0,
    )  # fmt: skip


@dataclass
class Flight:
    """A straight flight: from ``start`` (x, y, z in m) to ``end`` at ``speed_kt``, starting at ``t0_s``."""

    start: tuple[float, float, float]
    end: tuple[float, float, float]
    speed_kt: float
    t0_s: float = 0.0
    floor_ft: float = 0.0
    ceiling_ft: float = 60000.0
    tactical: bool = True


@dataclass
class StubDay:
    """What the layer needs of a day: straight flights that fly on to their end after an avoidance."""

    flights: dict[int, Flight]
    env: simpy.Environment = field(default_factory=simpy.Environment)
    paths: dict[int, FlightPath] = field(default_factory=dict)
    sorties: dict[int, Sortie] = field(default_factory=dict)
    layer: TacticalLayer | None = None
    aborted: list[int] = field(default_factory=list)

    def fleet(self, s: Sortie) -> Fleet:
        f = self.flights[s.id]
        return fleet(f.speed_kt, f.floor_ft, f.ceiling_ft, f.tactical)

    def _fly_on(self, s: Sortie, to: tuple[float, float, float]) -> None:
        self.paths[s.id].fly_to(*to, self.flights[s.id].speed_kt * KT)

    def divert(self, s: Sortie, waypoints: Sequence[tuple[float, float, float, float]]) -> None:
        path = self.paths[s.id]
        path.cut(self.env.now)
        for w in waypoints:
            path.add(*w)
        self._fly_on(s, self.flights[s.id].end)
        assert self.layer is not None
        self.layer.path_changed(s)

    def abort(self, s: Sortie) -> None:
        self.aborted.append(s.id)
        path = self.paths[s.id]
        path.cut(self.env.now)
        self._fly_on(s, self.flights[s.id].start)
        assert self.layer is not None
        self.layer.path_changed(s)


def fly(flights: dict[int, Flight], specs: dict[str, Tactical], sides: dict[int, str] | None = None) -> StubDay:
    """Fly ``flights`` (id -> flight; ids below 100 are side 'blue', the others 'red') to the end."""
    sides = sides or {i: ("blue" if i < 100 else "red") for i in flights}
    day = StubDay(flights)
    day.layer = TacticalLayer(day, specs, ("blue", "red"), LocalProjection(35.0, 38.0))

    def launch(i: int) -> Any:
        f = flights[i]
        yield day.env.timeout(f.t0_s)
        s = make_sortie(i, sides[i])
        day.sorties[i] = s
        path = FlightPath.starting_at(day.env.now, *f.start)
        path.fly_to(*f.end, f.speed_kt * KT)
        day.paths[i] = path
        assert day.layer is not None
        day.layer.launched(s)
        yield day.env.timeout(max(path.end_s - day.env.now, 0.0))
        while day.paths[i].end_s > day.env.now:  # re-planned in flight
            yield day.env.timeout(day.paths[i].end_s - day.env.now)
        day.layer.landed(s)

    for i in flights:
        day.env.process(launch(i))
    day.env.run()
    return day


def positions(path: FlightPath, t: np.ndarray) -> np.ndarray:
    """(len(t), 3) positions by linear interpolation; outside the path: nan."""
    ts = np.asarray(path.t_s)
    out = np.stack([np.interp(t, ts, np.asarray(c)) for c in (path.x_m, path.y_m, path.z_m)], axis=1)
    out[(t < ts[0]) | (t > ts[-1])] = np.nan
    return out


def min_distance(a: FlightPath, b: FlightPath, t_from: float = -np.inf, vertical_m: float = np.inf) -> float:
    """Least horizontal distance (m) while |dz| < ``vertical_m``, sampled every 0.25 s and at every waypoint."""
    lo, hi = max(a.t_s[0], b.t_s[0], t_from), min(a.t_s[-1], b.t_s[-1])
    if hi <= lo:
        return np.inf
    t = np.union1d(np.arange(lo, hi, 0.25), [x for x in [*a.t_s, *b.t_s, hi] if lo <= x <= hi])
    pa, pb = positions(a, t), positions(b, t)
    h = np.hypot(pa[:, 0] - pb[:, 0], pa[:, 1] - pb[:, 1])
    h[np.abs(pa[:, 2] - pb[:, 2]) >= vertical_m] = np.inf
    return float(np.nanmin(h)) if np.isfinite(h).any() else np.inf


def spec(**fields: Any) -> Tactical:
    data: dict[str, Any] = {"standoff_nm": 20, "surveillance": {"perfect": True}, **fields}
    return Tactical.model_validate(data, strict=False)


def always_yields() -> Tactical:
    return spec(manoeuvre="turn_away", max_avoid_total_min=10_000)


# --- alerts ------------------------------------------------------------------------------------


def test_head_on_alert_at_the_standoff_with_perfect_picture() -> None:
    # 480 kt each, head-on, 100 NM apart: 20 NM apart after 80 NM closed at 960 kt = 300 s
    flights = {
        1: Flight((0, 0, 6000), (200 * NM, 0, 6000), 480),
        101: Flight((100 * NM, 0, 6000), (-100 * NM, 0, 6000), 480),
    }
    day = fly(flights, {"blue": spec(manoeuvre="none")})
    assert day.layer is not None
    [alert] = day.layer.alerts
    assert (alert.side, alert.own, alert.intruder, alert.manoeuvre) == ("blue", 1, 101, "none")
    assert alert.sample_s == pytest.approx(300.0) and alert.alert_s == alert.sample_s
    assert day.sorties[1].tactical_alerts == 1 and day.sorties[101].tactical_alerts == 0  # red has no layer


def test_updates_and_latency_shift_the_alert_to_the_next_update() -> None:
    # entry at 300 s as above, offset by 17 s: updates every 60 s see it at 360 s, shown 7 s later
    flights = {
        1: Flight((0, 0, 6000), (200 * NM, 0, 6000), 480, t0_s=17.0),
        101: Flight((100 * NM + 480 * KT * 17.0, 0, 6000), (-100 * NM, 0, 6000), 480),
    }
    site = {"name": "awacs", "lat_deg": 35.0, "lon_deg": 38.0, "range_nm": 500}
    day = fly(
        flights, {"blue": spec(manoeuvre="none", surveillance={"update_s": 60, "latency_s": 7, "sources": [site]})}
    )
    assert day.layer is not None
    [alert] = day.layer.alerts
    assert alert.sample_s == 360.0 and alert.alert_s == 367.0
    perfect = fly(flights, {"blue": spec(manoeuvre="none")})
    assert perfect.layer is not None and perfect.layer.alerts[0].sample_s == pytest.approx(317.0)


def test_an_encounter_shorter_than_the_update_interval_can_be_missed() -> None:
    # a pass 19.9 NM abeam of an aircraft crawling at 1 kt lasts 2 sqrt(20^2 - 19.9^2) NM / 480 kt
    # = 30 s, about 385 s after own starts at 10 s: between the updates at 360 and 420 s
    d = 19.9 * NM
    flights = {
        1: Flight((-50 * NM, 0, 6000), (50 * NM, 0, 6000), 480, t0_s=10.0),
        101: Flight((0, d, 6000), (NM, d, 6000), 1),
    }
    site = {"name": "awacs", "lat_deg": 35.0, "lon_deg": 38.0, "range_nm": 500}
    day = fly(flights, {"blue": spec(manoeuvre="none", surveillance={"update_s": 60, "sources": [site]})})
    assert day.layer is not None and day.layer.alerts == []


def test_out_of_cover_triggers_nothing() -> None:
    # the only site is 300 NM away with a 200 NM range; then one that sees only above 10,000 ft
    flights = {
        1: Flight((0, 0, 6000), (200 * NM, 0, 6000), 480),
        101: Flight((100 * NM, 0, 2000), (-100 * NM, 0, 2000), 480),
    }
    far = {"name": "far", "lat_deg": 35.0, "lon_deg": 38.0 + 300 * NM / 91_000, "range_nm": 200}
    day = fly(flights, {"blue": spec(manoeuvre="turn_away", surveillance={"sources": [far]})})
    assert day.layer is not None and day.layer.alerts == []
    assert day.paths[1].t_s == [0.0, pytest.approx(200 * NM / (480 * KT))]  # flew straight on
    high = {"name": "site", "lat_deg": 35.0, "lon_deg": 38.0, "range_nm": 500, "lowest_ft": 10_000}
    day = fly(flights, {"blue": spec(manoeuvre="none", surveillance={"sources": [high]})})
    assert day.layer is not None and day.layer.alerts == []
    low = {**high, "lowest_ft": 5000}  # the intruder flies at 2,000 m = 6,562 ft: seen
    day = fly(flights, {"blue": spec(manoeuvre="none", surveillance={"sources": [low]})})
    assert day.layer is not None and len(day.layer.alerts) == 1


def test_a_radar_aboard_sees_only_within_its_range() -> None:
    # own radar of 15 NM: the intruder is first seen at 15 NM, 25 NM closed later than at 20 NM (at 960 kt)
    flights = {
        1: Flight((0, 0, 6000), (200 * NM, 0, 6000), 480),
        101: Flight((100 * NM, 0, 6000), (-100 * NM, 0, 6000), 480),
    }
    radar = {"name": "apg", "fleets": ["jet"], "range_nm": 15}
    day = fly(flights, {"blue": spec(manoeuvre="none", surveillance={"sources": [radar]})})
    assert day.layer is not None
    [alert] = day.layer.alerts
    assert alert.sample_s == pytest.approx(300.0 + 5 * NM / (960 * KT))


def test_a_fleet_that_opts_out_neither_sees_nor_yields() -> None:
    flights = {
        1: Flight((0, 0, 6000), (200 * NM, 0, 6000), 480, tactical=False),
        101: Flight((100 * NM, 0, 6000), (-100 * NM, 0, 6000), 480),
    }
    day = fly(flights, {"blue": always_yields()})
    assert day.layer is not None and day.layer.alerts == []


def test_intruder_on_right_only_the_aircraft_that_has_it_on_its_right_yields() -> None:
    # blue flies north, red west, crossing at the origin: red comes from blue's right (east);
    # blue sees red on its right and yields, red sees blue on its left and holds course
    flights = {
        1: Flight((0, -60 * NM, 6000), (0, 60 * NM, 6000), 480),
        101: Flight((60 * NM, 0, 6000), (-60 * NM, 0, 6000), 480),
    }
    rule = spec(manoeuvre="turn_away", yields="intruder_on_right")
    day = fly(flights, {"blue": rule, "red": rule})
    assert day.layer is not None
    kinds = {(a.side, a.manoeuvre) for a in day.layer.alerts}
    assert ("blue", "turn_away") in kinds and ("red", "") in kinds
    assert day.paths[101].t_s == [0.0, pytest.approx(120 * NM / (480 * KT))]  # red flew straight on


# --- avoidance geometry ------------------------------------------------------------------------

speeds = st.floats(200, 600)


@settings(
    max_examples=60 // (10 if FEW else 1), deadline=None, derandomize=FEW, suppress_health_check=[HealthCheck.too_slow]
)
@given(
    own_kt=speeds,
    ratio=st.floats(0.05, 1.0),
    bearing=st.floats(0, 2 * math.pi),
    miss_nm=st.floats(-10, 10),
    dz_ft=st.floats(-3000, 3000),
    climb=st.booleans(),
)
def test_a_side_that_always_yields_keeps_the_standoff_against_a_slower_intruder(
    own_kt: float, ratio: float, bearing: float, miss_nm: float, dz_ft: float, climb: bool
) -> None:
    # own flies east from the origin; the intruder, no faster, starts 100 NM from a point
    # ``miss_nm`` north of own's track 60 NM ahead, on a random bearing, and flies through it
    # (head-on, crossing, overtaken or overtaking, level or climbing through own's level)
    intr_kt = own_kt * ratio
    start = (100 * NM * math.cos(bearing) + 60 * NM, 100 * NM * math.sin(bearing), 6000 + dz_ft * FT)
    aim = (60 * NM, miss_nm * NM)
    length = math.hypot(aim[0] - start[0], aim[1] - start[1])
    far = 3.0  # fly three times past the aim point
    end_z = 6000 - dz_ft * FT if climb else start[2]
    end = (start[0] + far * (aim[0] - start[0]), start[1] + far * (aim[1] - start[1]), end_z)
    assert length > 0
    flights = {1: Flight((0, 0, 6000), (200 * NM, 0, 6000), own_kt), 101: Flight(start, end, intr_kt)}
    day = fly(flights, {"blue": always_yields()})
    # the standoff holds (a float's width inside it at the alert), so no loss of separation
    assert min_distance(day.paths[1], day.paths[101]) > 20 * NM * (1 - 1e-9)
    assert min_distance(day.paths[1], day.paths[101], vertical_m=LOS_V) > LOS_H


@settings(max_examples=40 // (10 if FEW else 1), deadline=None, derandomize=FEW)
@given(own_kt=speeds, ratio=st.floats(0.05, 1.0), response_s=st.floats(1, 120), bearing=st.floats(0, 2 * math.pi))
def test_with_a_response_time_the_closest_approach_is_the_standoff_less_closing_speed_times_it(
    own_kt: float, ratio: float, response_s: float, bearing: float
) -> None:
    intr_kt = own_kt * ratio
    start = (100 * NM * math.cos(bearing) + 60 * NM, 100 * NM * math.sin(bearing), 6000.0)
    aim = (60.0 * NM, 0.0)
    end = (start[0] + 3 * (aim[0] - start[0]), start[1] + 3 * (aim[1] - start[1]), 6000.0)
    flights = {1: Flight((0, 0, 6000), (200 * NM, 0, 6000), own_kt), 101: Flight(start, end, intr_kt)}
    day = fly(flights, {"blue": spec(manoeuvre="turn_away", response_s=response_s, max_avoid_total_min=10_000)})
    assert day.layer is not None
    if not day.layer.alerts:
        return  # the intruder's track never comes within 20 NM
    closing_mps = (own_kt + intr_kt) * KT  # no closing speed is above the sum of the speeds
    first = day.layer.alerts[0].alert_s
    assert min_distance(day.paths[1], day.paths[101], t_from=first) >= 20 * NM * (1 - 1e-9) - closing_mps * response_s


def test_a_faster_intruder_from_behind_is_fled_until_the_budget_then_the_next_kind() -> None:
    # the intruder, 600 kt, chases own (400 kt) straight from behind: turning away means
    # flying on ahead, and it closes anyway. Own re-decides every 2 min, 6 min in all, then
    # goes home (rtb, the next kind); the intruder passes
    flights = {
        1: Flight((0, 0, 6000), (300 * NM, 0, 6000), 400),
        101: Flight((-40 * NM, 0, 6000), (400 * NM, 0, 6000), 600),
    }
    rule = spec(manoeuvre=["turn_away", "rtb"], max_avoid_min=2, max_avoid_total_min=6)
    day = fly(flights, {"blue": rule})
    assert day.layer is not None
    [alert] = day.layer.alerts  # one encounter, one alert
    s = day.sorties[1]
    assert s.tactical_manoeuvres == ["turn_away", "turn_away", "turn_away", "rtb"]
    assert s.tactical_avoid_s == pytest.approx(360.0)
    assert day.aborted == [1]
    # the alert came at 20 NM, 0.6 h x 200 kt... (40 - 20) NM closed at 200 kt = 360 s
    assert alert.sample_s == pytest.approx(360.0)


def test_hold_and_altitude_clear_the_volume() -> None:
    # standoff 20 NM / 2,000 ft. Altitude: the intruder level at 5,900 m, own at 6,000 m; 2,500 ft
    # (standoff + 500 ft margin) above it is nearer than below: own climbs there and passes clear
    flights = {
        1: Flight((0, 0, 6000), (200 * NM, 0, 6000), 480),
        101: Flight((100 * NM, 0, 5900), (-100 * NM, 0, 5900), 480),
    }
    day = fly(flights, {"blue": spec(standoff_ft=2000, manoeuvre="altitude", max_avoid_min=30)})
    assert day.layer is not None and [a.manoeuvre for a in day.layer.alerts] == ["altitude"]
    assert max(day.paths[1].z_m) == pytest.approx(5900 + 2500 * FT) and min(day.paths[1].z_m) == 6000
    assert min_distance(day.paths[1], day.paths[101], vertical_m=LOS_V) > LOS_H
    # a ceiling of 6,500 m and a floor of 5,500 m leave no room: altitude does not apply, the next kind holds
    flights[1] = Flight((0, 0, 6000), (200 * NM, 0, 6000), 480, floor_ft=5500 / FT, ceiling_ft=6500 / FT)
    day = fly(flights, {"blue": spec(standoff_ft=2000, manoeuvre=["altitude", "hold"])})
    assert day.layer is not None and day.layer.alerts[0].manoeuvre == "hold"
    x, y, _ = day.paths[1].position_at(day.layer.alerts[0].alert_s)
    assert day.paths[1].position_at(day.layer.alerts[0].alert_s + 60)[:2] == (pytest.approx(x), pytest.approx(y))


@pytest.mark.parametrize("t0_s", [0.0, 1234.567, 41233.2120089752, 77777.7])
@pytest.mark.parametrize(("avoid_min", "total_min"), [(2, 6), (1.1, 1.1 * 3), (1.1, 3.3), (10, 30), (3.7, 14.8)])
def test_the_budget_once_spent_to_rounding_hands_over_to_the_next_kind(
    t0_s: float, avoid_min: float, total_min: float
) -> None:
    # chased by a faster intruder: avoidances of avoid_min until total_min is spent, whatever
    # the sums of durations round to, then rtb
    flights = {
        1: Flight((0, 0, 6000), (600 * NM, 0, 6000), 400, t0_s=t0_s),
        101: Flight((-25 * NM, 0, 6000), (800 * NM, 0, 6000), 420, t0_s=t0_s),
    }
    day = fly(
        flights, {"blue": spec(manoeuvre=["turn_away", "rtb"], max_avoid_min=avoid_min, max_avoid_total_min=total_min)}
    )
    s = day.sorties[1]
    n = round(total_min / avoid_min)
    assert s.tactical_manoeuvres == ["turn_away"] * n + ["rtb"]
    assert s.tactical_avoid_s == pytest.approx(total_min * 60)


def test_a_manoeuvre_that_changes_nothing_keeps_another_avoidance_going() -> None:
    # A chases own from behind (as above); a brief intruder B appears at 400 s, during own's
    # first avoidance from A, and is gone at once: own goes on deciding about A, then goes home
    flights = {
        1: Flight((0, 0, 6000), (300 * NM, 0, 6000), 400),
        101: Flight((-40 * NM, 0, 6000), (400 * NM, 0, 6000), 600),
        102: Flight((400 * 400 * KT, 15 * NM, 6000), (400 * 400 * KT + 0.3 * NM, 15 * NM, 6000), 480, t0_s=400.0),
    }
    day = fly(
        flights, {"blue": spec(manoeuvre=["turn_away", "rtb"], max_avoid_min=2, max_avoid_total_min=6, response_s=5)}
    )
    assert day.sorties[1].tactical_manoeuvres == ["turn_away", "turn_away", "turn_away", "rtb"]
    assert day.aborted == [1]


def test_an_encounter_that_starts_before_the_last_alert_is_shown_gets_its_own_alert() -> None:
    # own almost still; the intruder is inside 20 NM over 0-45 s and again over 75-97 s. With
    # updates every 10 s and a latency of 90 or 100 s, the second is seen at 80 s and shown
    # latency later, though the first alert is only shown at 90 or 100 s
    site = {"name": "awacs", "lat_deg": 35.0, "lon_deg": 38.0, "range_nm": 500}
    for latency in (90.0, 100.0):
        sp = spec(manoeuvre="none", surveillance={"update_s": 10, "latency_s": latency, "sources": [site]})
        day = StubDay({1: Flight((0, 0, 6000), (1, 0, 6000), 100), 101: Flight((0, 0, 6000), (1, 0, 6000), 100)})
        day.layer = TacticalLayer(day, {"blue": sp}, ("blue", "red"), LocalProjection(35.0, 38.0))
        own = FlightPath.starting_at(0, 0, 0, 6000)
        own.add(1000, 1, 0, 6000)
        intr = FlightPath.starting_at(0, 0, 15 * NM, 6000)
        for w in [(40, 0, 15 * NM, 6000), (50, 0, 25 * NM, 6000), (70, 0, 25 * NM, 6000), (80, 0, 15 * NM, 6000),
                  (95, 0, 15 * NM, 6000), (105, 0, 40 * NM, 6000), (300, 0, 40 * NM, 6000)]:  # fmt: skip
            intr.add(*w)

        def launch(i: int, path: FlightPath, d: StubDay = day) -> Any:
            s = make_sortie(i, "blue" if i < 100 else "red")
            d.sorties[i], d.paths[i] = s, path
            assert d.layer is not None
            d.layer.launched(s)
            yield d.env.timeout(path.end_s)
            d.layer.landed(s)

        day.env.process(launch(1, own))
        day.env.process(launch(101, intr))
        day.env.run()
        assert [(a.sample_s, a.alert_s) for a in day.layer.alerts] == [(0.0, latency), (80.0, 80.0 + latency)]
        assert day.layer.missed() == {"blue": 0, "red": 0}
