"""FlightPath: straight legs, cutting and re-planning in flight, work legs to a deadline."""

from __future__ import annotations

import math

import numpy as np
import pytest

from sim.model.flightpath import FlightPath


def test_fly_to_takes_distance_over_speed() -> None:
    path = FlightPath.starting_at(100.0, 0.0, 0.0, 0.0)
    arrive = path.fly_to(3000.0, 4000.0, 1000.0, 250.0)
    assert arrive == pytest.approx(100.0 + 5000.0 / 250.0)
    assert path.last == (3000.0, 4000.0, 1000.0)


def test_position_at_interpolates_and_clamps() -> None:
    path = FlightPath.starting_at(0.0, 0.0, 0.0, 0.0)
    path.fly_to(1000.0, 0.0, 500.0, 100.0)  # arrives at t = 10 s
    assert path.position_at(5.0) == pytest.approx((500.0, 0.0, 250.0))
    assert path.position_at(-1.0) == (0.0, 0.0, 0.0)
    assert path.position_at(99.0) == (1000.0, 0.0, 500.0)


def test_cut_forgets_the_future_and_ends_at_the_current_position() -> None:
    path = FlightPath.starting_at(0.0, 0.0, 0.0, 0.0)
    path.fly_to(1000.0, 0.0, 0.0, 100.0)
    path.fly_to(1000.0, 1000.0, 0.0, 100.0)
    path.cut(15.0)
    assert path.t_s == [0.0, 10.0, 15.0]
    assert path.last == pytest.approx((1000.0, 500.0, 0.0))


def test_climb_reaches_altitude_after_climb_time() -> None:
    path = FlightPath.starting_at(0.0, 0.0, 0.0, 0.0)
    path.climb_and_fly_to(100_000.0, 0.0, 6000.0, 200.0, climb_s=300.0)
    assert path.t_s == pytest.approx([0.0, 300.0, 500.0])
    assert path.z_m == [0.0, 6000.0, 6000.0]


def test_work_stops_exactly_at_the_deadline_and_holds_if_points_run_out() -> None:
    path = FlightPath.starting_at(0.0, 0.0, 0.0, 5000.0)
    pts = np.array([[1000.0, 0.0], [1000.0, 1000.0]])
    path.work(pts, np.array([5000.0, 5000.0]), 100.0, until_s=15.0)
    assert path.end_s == 15.0 and path.last == pytest.approx((1000.0, 500.0, 5000.0))
    path2 = FlightPath.starting_at(0.0, 0.0, 0.0, 5000.0)
    path2.work(pts, np.array([5000.0, 5000.0]), 100.0, until_s=60.0)
    assert path2.end_s == 60.0 and path2.last == (1000.0, 1000.0, 5000.0)


def test_waypoints_never_go_back_in_time() -> None:
    path = FlightPath.starting_at(10.0, 0.0, 0.0, 0.0)
    with pytest.raises(ValueError):
        path.add(5.0, 0.0, 0.0, 0.0)
    path.hold_until(20.0)
    assert path.t_s == [10.0, 20.0] and math.isclose(path.end_s, 20.0)
