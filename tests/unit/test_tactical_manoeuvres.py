"""The tactical layer's manoeuvres waypoint by waypoint, worked out by hand.

``test_tactical_geometry.py`` checks that avoidances keep the standoff (distances from an
independent sampler); these tests pin *which* path a crew flies: the escape heading and its
length, the picture time the heading is taken from, the altitude target and the legs of a
climb or descent, the edges of the fleet's altitudes and of the avoidance budget, and the
missed-encounter count of a side next to a side with a perfect picture. Same stub day as
there (straight flights from t = 0 that fly on to their end after an avoidance).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Generator, Sequence
from typing import Any

import pytest

from sim.detect.pairwise import conflict_intervals
from sim.model.flightpath import FlightPath
from sim.model.tactical import TacticalLayer, _intersect, _velocity_at
from sim.scenario.projection import LocalProjection
from sim.scenario.tactical import Tactical
from tests.unit.test_tactical_geometry import FT, KT, NM, Flight, StubDay, fly, make_sortie, spec

U = (0.6, 0.8)  # a heading with both components (north-east, 53.13 degrees from east)
CLIMB_MPS = 3000 * FT / 60  # the default climb_fpm: 15.24 m/s
SITE = {"name": "awacs", "lat_deg": 35.0, "lon_deg": 38.0, "range_nm": 500}  # at the origin, sees everything


def along(d_m: float) -> tuple[float, float]:
    """The point ``d_m`` from the origin along ``U``."""
    return d_m * U[0], d_m * U[1]


def fly_paths(
    flights: dict[int, Flight],
    paths: dict[int, FlightPath],
    specs: dict[str, Tactical],
    at: tuple[float, Callable[[StubDay], None]] | None = None,
) -> StubDay:
    """Like ``fly``, but each aircraft flies the hand-made path given (then, after an
    avoidance, on to its flight's end), launched in the order given; ``at`` = (t_s, action)
    calls ``action(day)`` at t_s."""
    day = StubDay(flights)
    day.layer = TacticalLayer(day, specs, ("blue", "red"), LocalProjection(35.0, 38.0))

    def launch(i: int, path: FlightPath) -> Generator[Any, Any, None]:
        s = make_sortie(i, "blue" if i < 100 else "red")
        day.sorties[i], day.paths[i] = s, path
        assert day.layer is not None
        day.layer.launched(s)
        while day.paths[i].end_s > day.env.now:
            yield day.env.timeout(day.paths[i].end_s - day.env.now)
        day.layer.landed(s)

    def later(t_s: float, action: Callable[[StubDay], None]) -> Generator[Any, Any, None]:
        yield day.env.timeout(t_s)
        action(day)

    for i, path in paths.items():
        day.env.process(launch(i, path))
    if at is not None:
        day.env.process(later(*at))
    day.env.run()
    return day


def points(path: FlightPath) -> list[tuple[float, float, float, float]]:
    return list(zip(path.t_s, path.x_m, path.y_m, path.z_m, strict=True))


def approx_point(t: float, x: float, y: float, z: float) -> Any:
    return pytest.approx((t, x, y, z), rel=1e-9, abs=1e-6)


# --- alerts: what the picture saw and when -----------------------------------------------------

FAR_SITE = {"name": "far", "lat_deg": 35.0, "lon_deg": 38.0 + 300 * NM / 91_000, "range_nm": 200}  # sees neither


def nearly_still(
    intruder: Sequence[tuple[float, float]],
    rule: Tactical,
    at: tuple[float, Callable[[StubDay], None]] | None = None,
) -> StubDay:
    """Own (blue) creeps 1 m east of the origin over 0-1,000 s; the intruder (red) holds or
    moves along the y axis through ``intruder`` = [(t_s, y_NM), ...] from (0, y_0) at 0 s."""
    own = FlightPath.starting_at(0, 0, 0, 6000)
    own.add(1000, 1, 0, 6000)
    path = FlightPath.starting_at(0, 0, intruder[0][1] * NM, 6000)
    for t, y in intruder[1:]:
        path.add(t, 0, y * NM, 6000)
    flights = {1: Flight((0, 0, 6000), (1, 0, 6000), 100), 101: Flight((0, 0, 6000), (0, 0, 6000), 100)}
    return fly_paths(flights, {1: own, 101: path}, {"blue": rule}, at=at)


def picture(update_s: float, latency_s: float) -> Tactical:
    return spec(manoeuvre="none", surveillance={"update_s": update_s, "latency_s": latency_s, "sources": [SITE]})


def alerts(day: StubDay) -> list[tuple[float, float]]:
    assert day.layer is not None
    return [(a.sample_s, a.alert_s) for a in day.layer.alerts]


def test_an_intruder_inside_the_volume_at_take_off_is_alerted_at_once() -> None:
    day = nearly_still([(0, 15), (300, 15)], spec(manoeuvre="none"))
    assert alerts(day) == [(0.0, 0.0)]
    assert day.layer is not None and day.layer.scheduled == 1


def test_an_encounter_no_update_sees_does_not_hide_the_next_one() -> None:
    # inside 20 NM over 12.5-17.5 s (between the updates at 10 and 20 s): missed; inside again
    # from 55 s (in at 15 NM from 60 to 100 s, out at 40 NM at 110 s): seen at 60 s
    track = [(0, 25), (10, 25), (15, 15), (20, 25), (50, 25), (60, 15), (100, 15), (110, 40), (300, 40)]
    day = nearly_still(track, picture(update_s=10, latency_s=0))
    assert alerts(day) == [(60.0, 60.0)]
    assert day.layer is not None and day.layer.missed() == {"blue": 1, "red": 0}


def move_intruder(track: Sequence[tuple[float, float]]) -> Callable[[StubDay], None]:
    """An action: from now, the intruder flies ``track`` [(t_s, y_NM), ...] instead."""

    def action(day: StubDay) -> None:
        path = day.paths[101]
        path.cut(day.env.now)
        for t, y in track:
            path.add(t, 0, y * NM, 6000)
        assert day.layer is not None
        day.layer.path_changed(day.sorties[101])

    return action


def test_a_path_change_between_an_update_and_the_alert_keeps_the_alert() -> None:
    # inside from 0 s (at 15 NM, out past 20 NM at 45 s): seen at 0 s, shown at 30 s. At 15 s
    # the intruder re-plans (the same way out, a little later): the alert is still the one
    # seen at 0 s, shown at 30 s, not one seen at the next update after the change (20 s)
    first = [(0, 15), (40, 15), (50, 25), (300, 25)]
    day = nearly_still(
        first, picture(update_s=10, latency_s=30), at=(15.0, move_intruder([(42, 15), (52, 25), (300, 25)]))
    )
    assert alerts(day) == [(0.0, 30.0)]


def test_a_path_change_that_prolongs_an_encounter_not_yet_shown_keeps_one_alert() -> None:
    # inside from 0 s, due out at 45 s; seen at 0 s, shown 100 s later. At 30 s the intruder
    # re-plans to stay at 15 NM until 60 s (out at 40 NM at 80 s, past 20 NM at 64 s): one
    # encounter, 0-64 s, one alert, nothing missed
    first = [(0, 15), (40, 15), (50, 25), (300, 25)]
    change = move_intruder([(60, 15), (80, 40), (300, 40)])
    day = nearly_still(first, picture(update_s=10, latency_s=100), at=(30.0, change))
    assert alerts(day) == [(0.0, 100.0)]
    assert day.layer is not None and day.layer.missed() == {"blue": 0, "red": 0}


def test_a_path_change_during_a_second_encounter_before_the_first_is_shown_keeps_both() -> None:
    # the two encounters of test_an_encounter_that_starts_before_the_last_alert_is_shown
    # (0-45 s and 75-97 s, updates every 10 s, 90 s latency); at 85 s, inside the second and
    # before the first is shown, own re-plans (creeping 2 m instead of 1 m): still two alerts
    track = [(0, 15), (40, 15), (50, 25), (70, 25), (80, 15), (95, 15), (105, 40), (300, 40)]

    def replan(day: StubDay) -> None:
        path = day.paths[1]
        path.cut(day.env.now)
        path.add(1000, 2, 0, 6000)
        assert day.layer is not None
        day.layer.path_changed(day.sorties[1])

    day = nearly_still(track, picture(update_s=10, latency_s=90), at=(85.0, replan))
    assert alerts(day) == [(0.0, 90.0), (80.0, 170.0)]
    assert day.layer is not None and day.layer.missed() == {"blue": 0, "red": 0}


@pytest.mark.parametrize(
    ("sources", "sample_s"),
    [
        ([SITE, FAR_SITE], 300.0),  # the site that sees it counts, whichever else there is
        ([FAR_SITE, SITE], 300.0),
        # the site sees it at 20 NM; the radar aboard (15 NM) would only at 300 + 5 NM / 960 kt
        ([SITE, {"name": "apg", "fleets": ["jet"], "range_nm": 15}], 300.0),
        ([{"name": "apg", "fleets": ["jet"], "range_nm": 15}], 300.0 + 5 / 960 * 3600),
    ],
)
def test_the_picture_holds_what_any_of_its_sources_sees(sources: list[dict[str, Any]], sample_s: float) -> None:
    # head-on at 480 kt each from 100 NM: 20 NM apart at 300 s
    flights = {
        1: Flight((0, 0, 6000), (200 * NM, 0, 6000), 480),
        101: Flight((100 * NM, 0, 6000), (-100 * NM, 0, 6000), 480),
    }
    day = fly(flights, {"blue": spec(manoeuvre="none", surveillance={"sources": sources})})
    assert day.layer is not None
    [alert] = day.layer.alerts
    assert alert.sample_s == pytest.approx(sample_s)


# --- turn away ---------------------------------------------------------------------------------


def test_turning_away_from_a_faster_intruder_behind_flies_on_along_the_heading_for_max_avoid_min() -> None:
    # the chase of test_tactical_geometry along U: own 400 kt from the origin, the intruder
    # 600 kt from 40 NM behind. 20 NM closed at 200 kt: the alert at 0.1 h = 360 s, own at
    # 40 NM along U, (24, 32) NM, the intruder at 20 NM along U: away from it is U itself.
    # Each avoidance is 2 min at 400 kt = 13.33 NM along U (not clear: the intruder closes
    # 6.67 NM in each), three of them (6 min), then home (rtb) at 400 kt: 80 NM in 720 s.
    flights = {
        1: Flight((0, 0, 6000), (*along(300 * NM), 6000), 400),
        101: Flight((*along(-40 * NM), 6000), (*along(400 * NM), 6000), 600),
    }
    day = fly(flights, {"blue": spec(manoeuvre=["turn_away", "rtb"], max_avoid_min=2, max_avoid_total_min=6)})
    s = day.sorties[1]
    assert s.tactical_manoeuvres == ["turn_away", "turn_away", "turn_away", "rtb"]
    assert points(day.paths[1]) == [
        (0.0, 0, 0, 6000),
        approx_point(360, 24 * NM, 32 * NM, 6000),
        approx_point(480, *along(40 * NM + 400 / 30 * NM), 6000),
        approx_point(600, *along(40 * NM + 800 / 30 * NM), 6000),
        approx_point(720, 48 * NM, 64 * NM, 6000),
        approx_point(1440, 0, 0, 6000),
    ]
    assert s.tactical_avoid_s == pytest.approx(360.0) and s.tactical_rtb_s == pytest.approx(720.0)
    assert not s.tactical_abandoned  # it had no on-station time planned (the stub plans none)


def test_the_escape_heading_is_away_from_the_intruder_at_the_latest_update_shown() -> None:
    # own 20 kt east from the origin; the intruder 480 kt west along y = 12 NM from x = 44 NM.
    # 20 NM apart when 16 NM apart in x: (44 - 16) NM at 500 kt closing = 0.056 h = 201.6 s.
    # Updates every 0.5 s: seen at 202.0 s, shown 30 s later (232.0 s), the crew turns 0.3 s
    # after that (232.3 s). The picture then is the update at 202.0 s (232.3 - 30 = 202.3,
    # down to the update grid), which showed the intruder at x = 44 - 480 x 202 / 3600 NM
    # = 17.0667 NM; own is at 20 kt x 232.3 s = 2390.1 m. Not the intruder's position at
    # 232.3 s (13.0 NM), nor at 232.3 + 30 s, nor at 202.3 s.
    flights = {
        1: Flight((0, 0, 6000), (100 * NM, 0, 6000), 20),
        101: Flight((44 * NM, 12 * NM, 6000), (-100 * NM, 12 * NM, 6000), 480),
    }
    surveillance = {"update_s": 0.5, "latency_s": 30, "sources": [SITE]}
    day = fly(
        flights, {"blue": spec(manoeuvre="turn_away", max_avoid_min=1, response_s=0.3, surveillance=surveillance)}
    )
    assert day.layer is not None
    [alert] = day.layer.alerts
    assert (alert.sample_s, alert.alert_s, alert.manoeuvre) == (202.0, 232.0, "turn_away")
    (t0, x0, y0, _), (t1, x1, y1, _) = points(day.paths[1])[1:3]
    assert (t0, x0, y0) == pytest.approx((232.3, 20 * KT * 232.3, 0.0))
    ex, ey = 20 * KT * 232.3 - (44 - 480 * 202 / 3600) * NM, -12 * NM
    norm = math.hypot(ex, ey)
    heading = math.hypot(x1 - x0, y1 - y0)
    assert ((x1 - x0) / heading, (y1 - y0) / heading) == pytest.approx((ex / norm, ey / norm), rel=1e-9)
    assert heading / (t1 - t0) == pytest.approx(20 * KT)  # at cruise speed


def test_an_intruder_straight_above_is_fled_along_the_own_heading() -> None:
    # both fly 480 kt along U from the origin, so always at the same x, y; the intruder
    # descends from 9,000 m to 3,000 m over the 1,500 s of the flight (4 m/s). It is within
    # 2,000 ft (609.6 m) of own from (3000 - 609.6) / 4 = 597.6 s. There is no horizontal way
    # away from it: own turns "away" along its own heading, for max_avoid_min = 2 min, to
    # 717.6 s x 480 kt along U, at the same speed; the intruder is still within 2,500 ft
    # then (129.6 m above), but the 2 min were all the budget: no more manoeuvres.
    flights = {
        1: Flight((0, 0, 6000), (*along(200 * NM), 6000), 480),
        101: Flight((0, 0, 9000), (*along(200 * NM), 3000), 480),
    }
    rule = spec(standoff_ft=2000, manoeuvre="turn_away", max_avoid_min=2, max_avoid_total_min=2)
    day = fly(flights, {"blue": rule})
    assert day.sorties[1].tactical_manoeuvres == ["turn_away"]
    assert points(day.paths[1])[1:3] == [
        approx_point(597.6, *along(480 * KT * 597.6), 6000),
        approx_point(717.6, *along(480 * KT * 717.6), 6000),
    ]


# --- altitude ----------------------------------------------------------------------------------


def test_a_descent_below_a_slowly_descending_intruder_keeps_the_heading_until_clear() -> None:
    # own 480 kt along U at 6,000 m; the intruder head-on, 480 kt from 100 NM along U,
    # descending at 0.25 m/s, at 6,100 m when 20 NM apart: 80 NM closed at 960 kt = 300 s.
    # standoff 2,000 ft, clear 2,500 ft = 762 m: 6,862 m above it is 862 m away, 5,338 m
    # below 662 m: own descends, 662 m at 15.24 m/s = 43.438 s, keeping its heading and speed;
    # then level at 5,338 m: the intruder is still within 762 m (descending towards it), so
    # own stays there until the two are 22 NM apart, 42 NM after the alert at 960 kt:
    # 157.5 s, at 457.5 s (the intruder then 722.6 m above, still within 762 m). Then on to
    # its destination at 6,000 m. The fleet's floor is 5,338 m and its ceiling 6,500 m: when
    # the descent ends, clear, nothing is decided again (there the intruder is 6,060.6 m high,
    # and neither 762 m above nor below it is within the fleet's altitudes, so altitude would
    # not apply and rtb, the next kind, would)
    z0 = 6100 + 0.25 * 300
    flights = {
        1: Flight((0, 0, 6000), (*along(200 * NM), 6000), 480, floor_ft=5338 / FT, ceiling_ft=6500 / FT),
        101: Flight((*along(100 * NM), z0), (*along(-100 * NM), z0 - 0.25 * 1500), 480),
    }
    assert (5338 / FT) * FT == 5338.0
    day = fly(flights, {"blue": spec(standoff_ft=2000, manoeuvre=["altitude", "rtb"], max_avoid_min=10)})
    s = day.sorties[1]
    assert s.tactical_manoeuvres == ["altitude"] and day.aborted == []
    level_s = 300 + 662 / CLIMB_MPS
    assert points(day.paths[1]) == [
        (0.0, 0, 0, 6000),
        approx_point(300, *along(40 * NM), 6000),
        approx_point(level_s, *along(480 * KT * level_s), 5338),
        approx_point(457.5, *along(480 * KT * 457.5), 5338),
        approx_point(1500, *along(200 * NM), 6000),
    ]
    assert s.tactical_avoid_s == pytest.approx(157.5)


def test_an_aircraft_holding_climbs_or_descends_in_place() -> None:
    # own holds over the origin at 6,000 m; the intruder flies west at 480 kt at 6,100 m from
    # 30 NM east: 20 NM away after 10 NM, at 75 s. 5,338 m (662 m down) is nearer than
    # 6,862 m: own descends in place for 662 / 15.24 = 43.438 s and is clear (762 m below)
    # when level; then to its flight's end, 5,000 m over the origin
    own = FlightPath.starting_at(0, 0, 0, 6000)
    own.add(1000, 0, 0, 6000)
    intruder = FlightPath.starting_at(0, 30 * NM, 0, 6100)
    intruder.fly_to(-100 * NM, 0, 6100, 480 * KT)
    flights = {1: Flight((0, 0, 6000), (0, 0, 5000), 480), 101: Flight((30 * NM, 0, 6100), (-100 * NM, 0, 6100), 480)}
    day = fly_paths(flights, {1: own, 101: intruder}, {"blue": spec(standoff_ft=2000, manoeuvre="altitude")})
    assert day.sorties[1].tactical_manoeuvres == ["altitude"]
    assert points(day.paths[1])[:3] == [
        (0.0, 0, 0, 6000),
        approx_point(75, 0, 0, 6000),
        approx_point(75 + 662 / CLIMB_MPS, 0, 0, 5338),
    ]


@pytest.mark.parametrize(
    ("intruder_m", "floor_m", "ceiling_m", "target_m"),
    [
        # the intruder 100 m below: 762 m above it is exactly the ceiling, 762 m below is under the floor
        (5900.0, 5500.0, 6662.0, 6662.0),
        # the intruder 100 m above: 762 m below it is exactly the floor, 762 m above is over the ceiling
        (6100.0, 5338.0, 6500.0, 5338.0),
    ],
)
def test_an_altitude_target_exactly_at_the_fleets_floor_or_ceiling_is_flown(
    intruder_m: float, floor_m: float, ceiling_m: float, target_m: float
) -> None:
    # the fleet's altitudes are given in feet; these convert back to the same metres exactly
    assert (floor_m / FT) * FT == floor_m and (ceiling_m / FT) * FT == ceiling_m and 2500 * FT == 762.0
    flights = {
        1: Flight((0, 0, 6000), (200 * NM, 0, 6000), 480, floor_ft=floor_m / FT, ceiling_ft=ceiling_m / FT),
        101: Flight((100 * NM, 0, intruder_m), (-100 * NM, 0, intruder_m), 480),
    }
    day = fly(flights, {"blue": spec(standoff_ft=2000, manoeuvre=["altitude", "hold"])})
    assert day.layer is not None and [a.manoeuvre for a in day.layer.alerts] == ["altitude"]
    assert day.paths[1].z_m[2] == target_m


# --- which manoeuvre ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("offset_m", "yields"),
    [(NM, True), (-NM, False), (0.001, True), (-0.001, False)],
)
def test_intruder_on_right_is_the_side_of_the_heading_the_intruder_is_on(offset_m: float, yields: bool) -> None:
    # own 480 kt along U from (50, 30) NM; the intruder head-on from 100 NM ahead, offset
    # offset_m to own's right (positive, towards (0.8, -0.6)) or left: own yields only to
    # an intruder on its right, by a nautical mile or by a millimetre
    o = (50 * NM, 30 * NM)
    right = (0.8, -0.6)
    start = (o[0] + 100 * NM * U[0] + offset_m * right[0], o[1] + 100 * NM * U[1] + offset_m * right[1], 6000)
    flights = {
        1: Flight((*o, 6000), (o[0] + 200 * NM * U[0], o[1] + 200 * NM * U[1], 6000), 480),
        101: Flight(start, (start[0] - 200 * NM * U[0], start[1] - 200 * NM * U[1], 6000), 480),
    }
    day = fly(flights, {"blue": spec(manoeuvre="turn_away", yields="intruder_on_right")})
    assert day.layer is not None
    # 20 NM apart after closing 100 - sqrt(20^2 - offset^2) NM at 960 kt: 300.09 s (300 s)
    first = day.layer.alerts[0]
    assert first.sample_s == pytest.approx((100 - math.sqrt(20**2 - (offset_m / NM) ** 2)) / 960 * 3600)
    assert first.manoeuvre == ("turn_away" if yields else "")


def test_a_sortie_already_going_home_takes_the_next_kind() -> None:
    # own 480 kt east from the origin; A (240 kt west from 100 NM, landing at 70 NM) is 20 NM
    # away after closing 80 NM at 720 kt, at 400 s: own goes home (rtb), from 53.33 NM.
    # B (240 kt east from 40 NM west) is then 66.67 NM away, closing at 720 kt: 20 NM at
    # 633.3 s. rtb no longer applies (already going home): the next kind, none
    flights = {
        1: Flight((0, 0, 6000), (200 * NM, 0, 6000), 480),
        101: Flight((100 * NM, 0, 6000), (70 * NM, 0, 6000), 240),
        102: Flight((-40 * NM, 0, 6000), (60 * NM, 0, 6000), 240),
    }
    day = fly(flights, {"blue": spec(manoeuvre=["rtb", "none"])})
    assert day.layer is not None
    assert [(a.intruder, a.manoeuvre) for a in day.layer.alerts] == [(101, "rtb"), (102, "none")]
    assert [a.sample_s for a in day.layer.alerts] == [pytest.approx(400.0), pytest.approx(633.3333333)]
    s = day.sorties[1]
    assert s.tactical_manoeuvres == ["rtb", "none"] and s.tactical_alerts == 2 and day.aborted == [1]
    assert day.layer.scheduled == 2  # A's alert at take-off, B's when own turned home


def test_an_alert_shown_as_the_flight_ends_changes_nothing() -> None:
    # own flies 100 NM east in exactly 1,000 s towards an intruder holding 5 NM beyond its end:
    # 20 NM apart at 850 s, seen at the update at 900 s, shown 100 s later, when own's path
    # ends (it has landed, as far as the layer is concerned): no manoeuvre, the path stays
    own = FlightPath.starting_at(0, 0, 0, 6000)
    own.add(1000, 100 * NM, 0, 6000)
    intruder = FlightPath.starting_at(0, 105 * NM, 0, 6000)
    intruder.add(2000, 105 * NM, 0, 6000)
    flights = {
        1: Flight((0, 0, 6000), (100 * NM, 0, 6000), 360),
        101: Flight((105 * NM, 0, 6000), (105 * NM, 0, 6000), 360),
    }
    surveillance = {"update_s": 100, "latency_s": 100, "sources": [SITE]}
    # the intruder first, so that own's alert is queued before its landing at the same instant
    day = fly_paths(flights, {101: intruder, 1: own}, {"blue": spec(manoeuvre="turn_away", surveillance=surveillance)})
    assert day.layer is not None
    [alert] = day.layer.alerts
    assert (alert.sample_s, alert.alert_s, alert.manoeuvre) == (900.0, 1000.0, "")
    assert points(day.paths[1]) == [(0, 0, 0, 6000), (1000, 100 * NM, 0, 6000)]
    assert day.sorties[1].tactical_manoeuvres == []


def test_a_replan_during_an_avoidance_drops_its_next_decision() -> None:
    # the chase along x (own 400 kt, the intruder 600 kt from 40 NM behind): alert at 360 s,
    # an avoidance of 2 min that will not be clear, to be decided again at 480 s. At 420 s
    # the day re-plans the sortie (an ops-cell abort: straight home from 40 + 6.67 NM, 420 s
    # at 400 kt): the decision due at 480 s is dropped, no more avoidances
    flights = {
        1: Flight((0, 0, 6000), (300 * NM, 0, 6000), 400),
        101: Flight((-40 * NM, 0, 6000), (400 * NM, 0, 6000), 600),
    }
    paths = {}
    for i, f in flights.items():
        paths[i] = FlightPath.starting_at(0, *f.start)
        paths[i].fly_to(*f.end, f.speed_kt * KT)

    def ops_cell_abort(day: StubDay) -> None:
        path = day.paths[1]
        path.cut(day.env.now)
        path.fly_to(0, 0, 6000, 400 * KT)
        assert day.layer is not None
        day.layer.replanned(day.sorties[1])

    rule = spec(manoeuvre=["turn_away", "rtb"], max_avoid_min=2, max_avoid_total_min=6)
    day = fly_paths(flights, paths, {"blue": rule}, at=(420.0, ops_cell_abort))
    assert day.sorties[1].tactical_manoeuvres == ["turn_away"]
    assert points(day.paths[1]) == [
        (0, 0, 0, 6000),
        approx_point(360, 40 * NM, 0, 6000),
        approx_point(420, (40 + 20 / 3) * NM, 0, 6000),
        approx_point(840, 0, 0, 6000),
    ]


# --- the budget --------------------------------------------------------------------------------


@pytest.mark.parametrize(("t0_s", "avoid_min"), [(12345.678, 1.23456789), (77777.7, 0.7654321)])
def test_picoseconds_of_budget_left_count_as_spent(t0_s: float, avoid_min: float) -> None:
    # the chase of test_the_budget_once_spent_to_rounding_hands_over_to_the_next_kind, with
    # three avoidances of avoid_min in the budget. These durations are not whole multiples of
    # the clock's resolution at t0_s, so the three add up to a few picoseconds less than the
    # budget (checked below): that is spent, and the next kind, rtb, applies; no fourth
    # avoidance a few picoseconds long
    total_min = 3 * avoid_min
    flights = {
        1: Flight((0, 0, 6000), (600 * NM, 0, 6000), 400, t0_s=t0_s),
        101: Flight((-25 * NM, 0, 6000), (800 * NM, 0, 6000), 420, t0_s=t0_s),
    }
    rule = spec(manoeuvre=["turn_away", "rtb"], max_avoid_min=avoid_min, max_avoid_total_min=total_min)
    s = fly(flights, {"blue": rule}).sorties[1]
    assert s.tactical_manoeuvres == ["turn_away"] * 3 + ["rtb"]
    assert 0 < total_min * 60 - s.tactical_avoid_s < 1e-10


# --- missed encounters -------------------------------------------------------------------------


def test_missed_encounters_of_a_side_are_counted_next_to_a_side_with_a_perfect_picture() -> None:
    # blue (id 1, 480 kt east from 50 NM west, from 10 s) passes 19.9 NM abeam of red (id 101,
    # 20 kt east): inside 20 NM for 2 sqrt(20^2 - 19.9^2) NM / 460 kt = 31 s around 402 s,
    # between red's updates at 360 and 420 s. Blue's perfect picture alerts, red's misses it:
    # one missed encounter for red, none for blue (whose pair comes first)
    d = 19.9 * NM
    flights = {
        1: Flight((-50 * NM, 0, 6000), (50 * NM, 0, 6000), 480, t0_s=10.0),
        101: Flight((0, d, 6000), (20 * NM, d, 6000), 20),
    }
    red = spec(manoeuvre="none", surveillance={"update_s": 60, "sources": [SITE]})
    day = fly(flights, {"blue": spec(manoeuvre="none"), "red": red})
    assert day.layer is not None
    assert [(a.side, a.own) for a in day.layer.alerts] == [("blue", 1)]
    assert day.layer.missed() == {"blue": 0, "red": 1}
    s = day.sorties[1]
    assert s.tactical_manoeuvres == ["none"] and s.tactical_lost_s == 0.0 and s.tactical_alerts == 1
    assert day.layer.scheduled == 1  # blue's alert; red's picture never sees the pass
    # with a window (a warm-up's measured day), only encounters that start in [start, end)
    [(lo, _)] = conflict_intervals(
        (day.paths[101].t_s, day.paths[101].x_m, day.paths[101].y_m, day.paths[101].z_m),
        (day.paths[1].t_s, day.paths[1].x_m, day.paths[1].y_m, day.paths[1].z_m),
        -math.inf, 20 * NM, 100_000.0,
    )  # fmt: skip
    assert 386 < lo < 387  # the pass starts 15.6 s before its middle, 401.7 s
    assert day.layer.missed(window_s=(lo, lo + 100)) == {"blue": 0, "red": 1}
    assert day.layer.missed(window_s=(0.0, lo)) == {"blue": 0, "red": 0}
    assert day.layer.missed(window_s=(lo + 1e-3, 1000.0)) == {"blue": 0, "red": 0}


# --- helpers -----------------------------------------------------------------------------------


def test_velocity_is_that_of_the_leg_flown_at_the_time() -> None:
    # 10 m/s east over 0-100 s, 20 m/s north over 100-200 s, 5 m/s west and 5 m/s south over 200-300 s
    path = FlightPath.starting_at(0, 0, 0, 6000)
    path.add(100, 1000, 0, 6000)
    path.add(200, 1000, 2000, 6000)
    path.add(300, 500, 1500, 6000)
    assert _velocity_at(path, 50) == (10.0, 0.0)
    assert _velocity_at(path, -5) == (10.0, 0.0)  # before the path: its first leg
    assert _velocity_at(path, 100) == (0.0, 20.0)  # at a waypoint: the leg that starts there
    assert _velocity_at(path, 250) == (-5.0, -5.0)
    assert _velocity_at(path, 300) == (-5.0, -5.0)  # at and after the end: the last leg
    assert _velocity_at(path, 400) == (-5.0, -5.0)
    assert _velocity_at(FlightPath.starting_at(0, 0, 0, 6000), 0) == (0.0, 0.0)  # one point: at rest


def test_intersection_of_interval_lists() -> None:
    # a radar aboard sees within its range (a) and above its lowest altitude (b)
    a = [(0.0, 10.0), (20.0, 30.0), (40.0, 50.0)]
    b = [(5.0, 25.0), (28.0, 45.0)]
    assert _intersect(a, b) == [(5.0, 10.0), (20.0, 25.0), (28.0, 30.0), (40.0, 45.0)]
    assert _intersect(b, a) == [(5.0, 10.0), (20.0, 25.0), (28.0, 30.0), (40.0, 45.0)]
    assert _intersect(a, [(1.0, 2.0)]) == [(1.0, 2.0)]
    assert _intersect([(1.0, 2.0)], a) == [(1.0, 2.0)]
    assert _intersect(a, []) == [] and _intersect([], a) == []
