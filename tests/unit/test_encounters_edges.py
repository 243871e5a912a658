"""Encounter detection at the edges of its arithmetic, each case worked out by hand.

A micrometre inside the thresholds, relative speeds of a centimetre a second, thresholds
under a metre, exactly-1-m/s climbs, a pair starting exactly at the threshold and closing,
negative times (the simulated day starts before 0), and the types of the result.
"""

from __future__ import annotations

from dataclasses import fields

import numpy as np
import pytest

from sim.detect.encounters import Encounters, find_encounters, find_encounters_levels
from sim.detect.tracks import Tracks


def tracks(*flights: tuple[str, str, list[tuple[float, float, float, float]]]) -> Tracks:
    rows: list[list] = [[], [], [], [], [], []]  # type: ignore[type-arg]
    for name, side, points in flights:
        for point in points:
            for column, value in zip(rows, (name, side, *point), strict=True):
                column.append(value)
    return Tracks.from_rows(*rows, side_names=("a", "b"))


@pytest.mark.parametrize(("h", "v"), [(1000.0, 300.0), (9260.0, 304.8), (1e6, 5000.0), (50.0, 5000.0)])
def test_a_micrometre_inside_the_thresholds_is_an_encounter(h: float, v: float) -> None:
    # Two aircraft standing still for 100 s, 1 micrometre inside the horizontal threshold
    # at the same height, or 1 micrometre inside the vertical one straight above: the whole
    # 100 s is an encounter; 1 micrometre outside, none.
    for inside in (True, False):
        d = h - 1e-6 if inside else h + 1e-6
        dz = v - 1e-6 if inside else v + 1e-6
        apart = tracks(("A", "a", [(0, 0, 0, 0), (100, 0, 0, 0)]), ("B", "b", [(0, d, 0, 0), (100, d, 0, 0)]))
        above = tracks(("A", "a", [(0, 0, 0, 0), (100, 0, 0, 0)]), ("B", "b", [(0, 0, 0, dz), (100, 0, 0, dz)]))
        for t in (apart, above):
            enc = find_encounters(t, h, v)
            if inside:
                assert len(enc) == 1 and (enc.t_start_s[0], enc.t_end_s[0]) == (0.0, 100.0), (h, v)
            else:
                assert len(enc) == 0, (h, v)


def test_a_slow_pass_under_a_small_threshold() -> None:
    # B drifts past A at 1 cm/s along x, 0.3 m to the side; H = 0.5 m, V = 0.5 m: closer than
    # 0.5 m while |x| < sqrt(0.25 - 0.09) = 0.4 m, i.e. for 40 s either side of t = 500 s
    t = tracks(
        ("A", "a", [(0, 0, 0, 0), (1000, 0, 0, 0)]),
        ("B", "b", [(0, -5.0, 0.3, 0.2), (1000, 5.0, 0.3, 0.2)]),
    )
    [row] = find_encounters(t, 0.5, 0.5).rows()
    assert (row["t_start"], row["t_end"], row["t_cpa"]) == (pytest.approx(460), pytest.approx(540), pytest.approx(500))
    assert row["h_min_m"] == pytest.approx(0.3) and row["dz_at_cpa_m"] == pytest.approx(-0.2)


def test_starting_exactly_at_the_threshold_and_closing() -> None:
    # B stands 1,000 m east of A; A flies east at 100 m/s from t = 0: closer than 1,000 m
    # from t = 0 (exactly at the threshold then) to t = 20 s (1,000 m past B)
    t = tracks(("A", "a", [(0, 0, 0, 0), (30, 3000, 0, 0)]), ("B", "b", [(0, 1000, 0, 0), (30, 1000, 0, 0)]))
    [row] = find_encounters(t, 1000.0, 300.0).rows()
    assert (row["t_start"], row["t_end"], row["t_cpa"]) == (pytest.approx(0), pytest.approx(20), pytest.approx(10))
    assert row["x_cpa_m"] == pytest.approx(1000)


def test_climbing_at_exactly_one_metre_a_second() -> None:
    # A climbs at 1 m/s (relative vertical speed +1 m/s) from 500 m below B: within 300 m
    # from t = 200 s to t = 800 s; and the same the other way up
    for a, b in (((0, -500), (1000, 500)), ((0, 0), (1000, 0))):
        t = tracks(
            ("A", "a", [(0, 0, 0, a[1]), (1000, 0, 0, b[1])]),
            ("B", "b", [(0, 0, 0, 0 if a[1] else -500), (1000, 0, 0, 0 if a[1] else 500)]),
        )
        [row] = find_encounters(t, 1000.0, 300.0).rows()
        assert (row["t_start"], row["t_end"]) == (pytest.approx(200), pytest.approx(800))
        assert abs(row["dz_at_cpa_m"]) == pytest.approx(300)  # 300 m apart at the first closest time, 200 s


@pytest.mark.parametrize("shift", [-86_400.0, -3_600.5, 0.0, 1e6])
def test_times_before_zero(shift: float) -> None:
    # head-on at 200 m/s each from 10 km apart: |d| < 1,000 m for 2.5 s either side of the
    # meeting at 50 s; the same with every time shifted, the day's clock starting before 0
    t = tracks(
        ("A", "a", [(shift, -10000, 0, 0), (shift + 100, 10000, 0, 0)]),
        ("B", "b", [(shift, 10000, 0, 0), (shift + 100, -10000, 0, 0)]),
    )
    [row] = find_encounters(t, 1000.0, 300.0).rows()
    assert row["t_start"] == pytest.approx(shift + 47.5, abs=1e-6)
    assert row["t_end"] == pytest.approx(shift + 52.5, abs=1e-6)
    assert row["t_cpa"] == pytest.approx(shift + 50, abs=1e-6)


def test_result_types() -> None:
    t = tracks(("A", "a", [(0, 0, 0, 0), (10, 0, 0, 0)]), ("B", "b", [(0, 10, 0, 0), (10, 10, 0, 0)]))
    for enc in (find_encounters(t, 100.0, 100.0), Encounters.empty()):
        for name in ("flight_a", "side_a", "flight_b", "side_b"):
            assert getattr(enc, name).dtype == object, name
        for name in ("flight_index_a", "flight_index_b"):
            assert getattr(enc, name).dtype == np.int64, name
        for name in ("t_start_s", "t_end_s", "t_cpa_s", "h_min_m", "dz_at_cpa_m", "x_cpa_m", "y_cpa_m"):
            assert getattr(enc, name).dtype == np.float64, name
        n = len(enc)
        assert all(getattr(enc, f.name).shape == (n,) for f in fields(enc)), n
    enc = find_encounters(t, 100.0, 100.0)
    assert [type(v) for v in enc.rows()[0].values()] == [str] * 4 + [float] * 7


def test_one_side_only_gives_no_encounters_at_every_level() -> None:
    t = tracks(("A", "a", [(0, 0, 0, 0), (10, 0, 0, 0)]), ("C", "a", [(0, 1, 0, 0), (10, 1, 0, 0)]))
    assert [len(e) for e in find_encounters_levels(t, [(100.0, 100.0), (5.0, 5.0)])] == [0, 0]
    assert find_encounters_levels(t, []) == []
    with pytest.raises(ValueError):
        find_encounters(t, 0.0, 10.0)
    with pytest.raises(ValueError):
        find_encounters(t, 10.0, float("nan"))
