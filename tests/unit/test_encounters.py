"""Hand-made encounter cases for find_encounters, with answers worked out on paper."""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np
import pytest

import sim.detect.encounters as conflicts
from sim.detect.encounters import Encounters, find_encounters, find_encounters_levels
from sim.detect.tracks import Tracks

H = 1000.0
V = 300.0


def tracks(*flights: tuple[str, str, list[tuple[float, float, float, float]]]) -> Tracks:
    """Tracks from (name, side, [(t, x, y, z), ...]) flights."""
    rows: list[list] = [[], [], [], [], [], []]
    for name, side, points in flights:
        for point in points:
            for column, value in zip(rows, (name, side, *point), strict=True):
                column.append(value)
    return Tracks.from_rows(*rows, side_names=("a", "b"))


def head_on(offset_y: float = 0.0) -> Tracks:
    """A flies east, B west, 200 m/s each, crossing x = 0 at t = 50 s."""
    return tracks(
        ("A", "a", [(0, -10000, 0, 0), (100, 10000, 0, 0)]),
        ("B", "b", [(0, 10000, offset_y, 0), (100, -10000, offset_y, 0)]),
    )


def test_head_on() -> None:
    enc = find_encounters(head_on(), H, V)
    assert len(enc) == 1
    row = enc.rows()[0]
    # Closing at 400 m/s: |d| < 1000 m for 2.5 s either side of t = 50 s.
    assert row["t_start"] == pytest.approx(47.5)
    assert row["t_end"] == pytest.approx(52.5)
    assert row["t_cpa"] == pytest.approx(50.0)
    assert row["h_min_m"] == pytest.approx(0.0, abs=1e-9)
    assert (row["flight_a"], row["side_a"], row["flight_b"], row["side_b"]) == ("A", "a", "B", "b")
    assert (row["x_cpa_m"], row["y_cpa_m"], row["dz_at_cpa_m"]) == pytest.approx((0, 0, 0))


def test_head_on_with_offset_gives_chord() -> None:
    enc = find_encounters(head_on(offset_y=600.0), H, V)
    # |d|^2 = 600^2 + (400 s)^2 < 1000^2 for |s| < 2 s.
    assert enc.t_start_s == pytest.approx([48.0])
    assert enc.t_end_s == pytest.approx([52.0])
    assert enc.h_min_m == pytest.approx([600.0])
    assert enc.y_cpa_m == pytest.approx([300.0])


def test_touching_exactly_at_threshold_is_no_encounter() -> None:
    assert len(find_encounters(head_on(offset_y=H), H, V)) == 0
    assert len(find_encounters(head_on(offset_y=-H), H, V)) == 0


def test_overtaking() -> None:
    # A at 250 m/s, B 2 km ahead at 200 m/s on the same line: |2000 - 50 t| < 1000.
    enc = find_encounters(
        tracks(
            ("A", "a", [(0, 0, 0, 5000), (100, 25000, 0, 5000)]),
            ("B", "b", [(0, 2000, 0, 5100), (100, 22000, 0, 5100)]),
        ),
        H,
        V,
    )
    assert enc.t_start_s == pytest.approx([20.0])
    assert enc.t_end_s == pytest.approx([60.0])
    assert enc.t_cpa_s == pytest.approx([40.0])
    assert enc.dz_at_cpa_m == pytest.approx([-100.0])


def test_climbing_through_the_others_level() -> None:
    # Side by side 500 m apart; A climbs 30 m/s through B's 1500 m: |30 t - 1500| < 300.
    enc = find_encounters(
        tracks(
            ("A", "a", [(0, 0, 0, 0), (100, 20000, 0, 3000)]), ("B", "b", [(0, 0, 500, 1500), (100, 20000, 500, 1500)])
        ),
        H,
        V,
    )
    assert enc.t_start_s == pytest.approx([40.0])
    assert enc.t_end_s == pytest.approx([60.0])
    assert enc.h_min_m == pytest.approx([500.0])
    # Constant horizontal distance: the earliest time of closest approach is reported.
    assert enc.t_cpa_s == pytest.approx([40.0])
    assert enc.dz_at_cpa_m == pytest.approx([-300.0])


def test_vertical_threshold_is_strict() -> None:
    level = tracks(
        ("A", "a", [(0, 0, 0, 1000), (100, 1, 0, 1000)]), ("B", "b", [(0, 0, 0, 1000 + V), (100, 1, 0, 1000 + V)])
    )
    assert len(find_encounters(level, H, V)) == 0
    assert len(find_encounters(level, H, V + 1e-6)) == 1


@pytest.mark.parametrize("lateral_m, expected", [(500.0, 1), (H, 0), (H + 1.0, 0)])
def test_parallel_at_constant_distance(lateral_m: float, expected: int) -> None:
    enc = find_encounters(
        tracks(
            ("A", "a", [(0, 0, 0, 0), (100, 20000, 0, 0)]),
            ("B", "b", [(10, 2000, lateral_m, 0), (90, 18000, lateral_m, 0)]),
        ),
        H,
        V,
    )
    assert len(enc) == expected
    if expected:
        assert (enc.t_start_s[0], enc.t_end_s[0]) == (10.0, 90.0)  # spans the whole overlap
        assert enc.h_min_m == pytest.approx([lateral_m])


def test_encounter_spanning_leg_boundaries_is_one() -> None:
    one = tracks(
        ("A", "a", [(0, -10000, 0, 0), (50, 0, 0, 0), (100, 10000, 0, 0)]),
        ("B", "b", [(0, 10000, 0, 0), (49, 200, 0, 0), (51.5, -300, 0, 0), (100, -10000, 0, 0)]),
    )
    enc = find_encounters(one, H, V)
    assert len(enc) == 1
    assert (enc.t_start_s[0], enc.t_end_s[0]) == pytest.approx((47.5, 52.5))


def test_stationary_pair_spans_their_common_time() -> None:
    enc = find_encounters(
        tracks(("A", "a", [(0, 0, 0, 0), (100, 0, 0, 0)]), ("B", "b", [(50, 10, 0, 0), (150, 10, 0, 0)])), H, V
    )
    assert (enc.t_start_s[0], enc.t_end_s[0], enc.h_min_m[0]) == (50.0, 100.0, 10.0)


def test_same_side_never_counted() -> None:
    same = tracks(
        ("A1", "a", [(0, 0, 0, 0), (100, 1000, 0, 0)]),
        ("A2", "a", [(0, 0, 10, 0), (100, 1000, 10, 0)]),
        ("B", "b", [(0, 0, 90000, 0), (100, 1000, 90000, 0)]),
    )
    assert len(find_encounters(same, H, V)) == 0


def test_non_overlapping_times_give_nothing() -> None:
    apart = tracks(("A", "a", [(0, 0, 0, 0), (100, 0, 0, 0)]), ("B", "b", [(100, 0, 0, 0), (200, 0, 0, 0)]))
    assert len(find_encounters(apart, H, V)) == 0


def test_single_points_and_one_empty_side_give_nothing() -> None:
    points = tracks(("A", "a", [(0, 0, 0, 0)]), ("B", "b", [(0, 0, 0, 0)]))
    assert len(find_encounters(points, H, V)) == 0
    lonely = tracks(("A", "a", [(0, 0, 0, 0), (10, 0, 0, 0)]))
    assert len(find_encounters(lonely, H, V)) == 0


def test_large_absolute_times_keep_precision() -> None:
    epoch = 1.7e9
    late = tracks(
        ("A", "a", [(epoch, -10000, 0, 0), (epoch + 100, 10000, 0, 0)]),
        ("B", "b", [(epoch, 10000, 0, 0), (epoch + 100, -10000, 0, 0)]),
    )
    enc = find_encounters(late, H, V)
    assert enc.t_start_s - epoch == pytest.approx([47.5], abs=1e-5)
    assert enc.t_end_s - epoch == pytest.approx([52.5], abs=1e-5)


@pytest.mark.parametrize("h, v", [(0.0, 1.0), (1.0, 0.0), (-1.0, 1.0), (float("nan"), 1.0), (1.0, float("inf"))])
def test_bad_thresholds_raise(h: float, v: float) -> None:
    with pytest.raises(ValueError, match="thresholds"):
        find_encounters(head_on(), h, v)


def test_levels_equal_separate_calls() -> None:
    rng = np.random.default_rng(7)
    many = random_tracks(rng, 30)
    levels = [(5000.0, 300.0), (1000.0, 100.0), (150.0, 30.0)]
    together = find_encounters_levels(many, levels)
    assert len(together) == 3
    for (h, v), enc in zip(levels, together, strict=True):
        alone = find_encounters(many, h, v)
        assert alone.rows() == enc.rows()
    assert len(together[0]) > len(together[1]) > 0
    assert find_encounters_levels(many, []) == []


def random_tracks(rng: np.random.Generator, n: int) -> Tracks:
    """``n`` random flights of 5 legs in a 40 km square."""
    rows: list[list] = [[], [], [], [], [], []]
    for f in range(n):
        times = np.cumsum(rng.uniform(20, 120, 6))
        for t in times:
            values = (f"F{f}", "ab"[f % 2], float(t), *rng.uniform(0, 40000, 2).tolist(), float(rng.uniform(0, 1000)))
            for column, value in zip(rows, values, strict=True):
                column.append(value)
    return Tracks.from_rows(*rows)


def test_output_sorted_by_start_then_flights() -> None:
    enc = find_encounters(random_tracks(np.random.default_rng(3), 40), 5000.0, 300.0)
    assert len(enc) > 5
    keys = list(zip(enc.t_start_s, enc.flight_index_a, enc.flight_index_b, strict=True))
    assert keys == sorted(keys)
    assert np.all(enc.t_start_s < enc.t_end_s)
    assert np.all((enc.t_start_s <= enc.t_cpa_s) & (enc.t_cpa_s <= enc.t_end_s))


def test_chunking_and_big_pieces_do_not_change_results(monkeypatch: pytest.MonkeyPatch) -> None:
    many = random_tracks(np.random.default_rng(11), 40)
    want = find_encounters(many, 5000.0, 300.0).rows()
    monkeypatch.setattr(conflicts, "_CHUNK_PAIRS", 7)
    assert find_encounters(many, 5000.0, 300.0).rows() == want
    monkeypatch.setattr(conflicts, "_MAX_CELLS", 1)  # every piece takes the "big" path
    assert find_encounters(many, 5000.0, 300.0).rows() == want


def test_encounters_csv_and_empty(tmp_path: Path) -> None:
    enc = find_encounters(head_on(offset_y=600.0), H, V)
    path = tmp_path / "enc.csv"
    enc.to_csv(path)
    with open(path, newline="") as handle:
        lines = list(csv.reader(handle))
    assert lines[0] == list(Encounters.COLUMNS)
    assert lines[1][:4] == ["A", "a", "B", "b"]
    assert [float(v) for v in lines[1][4:]] == list(enc.rows()[0].values())[4:]
    empty = Encounters.empty()
    assert len(empty) == 0 and empty.rows() == []
    empty.to_csv(path)
    assert path.read_text() == ",".join(Encounters.COLUMNS) + "\n"


def test_outliers_far_away_in_time_and_space_are_cheap_and_harmless() -> None:
    # One flight at t = 1e9 s and one 1e9 m away: bucket and grid sizes must stay bounded.
    spread = tracks(
        ("A", "a", [(0, 0, 0, 0), (10, 100, 0, 0)]),
        ("B", "b", [(0, 0, 50, 0), (10, -100, 50, 0)]),
        ("C", "b", [(1e9, 0, 0, 0), (1e9 + 10, 1, 0, 0)]),
        ("D", "a", [(0, 1e9, 0, 0), (10, -1e9, 0, 0)]),
    )
    enc = find_encounters(spread, H, V)
    pairs = list(zip(enc.flight_a, enc.flight_b, strict=True))
    assert pairs == [("A", "B"), ("D", "B")]
    assert enc.h_min_m[0] == 50.0
