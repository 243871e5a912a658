"""Tracks: grouping and validation of rows, and the CSV round trip with its error messages."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from sim.detect.tracks import Tracks, read_tracks
from sim.errors import InputError

HEADER = "flight,side,t,x,y,z\n"


def write(tmp_path: Path, text: str, name: str = "tracks.csv") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_from_rows_groups_by_first_appearance_and_sorts_by_time() -> None:
    tracks = Tracks.from_rows(
        ["f1", "f2", "f1", 3, 3], ["a", "b", "a", "b", "b"], [10, 0, 0, 5, 1], [1, 2, 3, 4, 5], [0] * 5, [0] * 5
    )
    assert tracks.flight_names == ("f1", "f2", "3")
    assert tracks.side_names == ("a", "b")
    assert tracks.flight_side.tolist() == [0, 1, 1]
    assert tracks.flight_side.dtype == np.int8
    assert tracks.point_flight.tolist() == [0, 0, 1, 2, 2]
    assert tracks.t_s.tolist() == [0, 10, 0, 1, 5]
    assert tracks.x_m.tolist() == [3, 1, 2, 5, 4]
    assert len(tracks) == 3
    assert tracks.n_legs == 2  # f2 has a single point: kept, no leg


def test_sides_are_sorted_by_name_unless_given() -> None:
    rows = (["x", "y"], ["red", "blue"], [0, 0], [0, 0], [0, 0], [0, 0])
    assert Tracks.from_rows(*rows).side_names == ("blue", "red")
    given = Tracks.from_rows(*rows, side_names=("red", "blue"))
    assert given.side_names == ("red", "blue")
    assert given.flight_side.tolist() == [0, 1]


def test_given_side_names_allow_one_side_only() -> None:
    tracks = Tracks.from_rows(["x"], ["blue"], [0], [0], [0], [0], side_names=("red", "blue"))
    assert tracks.flight_side.tolist() == [1]


def test_duplicate_time_at_same_position_is_dropped() -> None:
    tracks = Tracks.from_rows(
        ["f", "f", "f", "g"], ["a", "a", "a", "b"], [0, 5, 5, 0], [0, 1, 1, 0], [0, 2, 2, 0], [0, 3, 3, 0]
    )
    assert tracks.t_s.tolist() == [0, 5, 0]
    assert tracks.n_legs == 1


@pytest.mark.parametrize(
    "rows, side_names, message",
    [
        (
            (["f", "f", "g"], ["a", "a", "b"], [0, 0, 0], [0, 1, 0], [0, 0, 0], [0, 0, 0]),
            None,
            "row 2: flight 'f' has two positions at t = 0.0 (also row 1)",
        ),
        (
            (["f", "g"], ["a", "b"], [0, 1], [0, float("inf")], [0, 0], [0, 0]),
            None,
            "row 2, column x: expected a finite number, found inf",
        ),
        (
            (["f", "g"], ["a", "b"], [0, 1], [0, 0], [0, 0], [float("nan"), 0]),
            None,
            "row 1, column z: expected a finite number, found nan",
        ),
        (
            (["f", "f", "g"], ["a", "b", "b"], [0, 1, 0], [0] * 3, [0] * 3, [0] * 3),
            None,
            "row 2, column side: flight 'f' was listed under side 'a' at row 1, found 'b'",
        ),
        (
            (["f", "g", "h"], ["a", "b", "c"], [0] * 3, [0] * 3, [0] * 3, [0] * 3),
            None,
            "expected exactly two sides, found 3 ('a', 'b', 'c')",
        ),
        ((["f"], ["a"], [0], [0], [0], [0]), None, "expected exactly two sides, found 1 ('a')"),
        (
            (["f", "g"], ["a", "c"], [0, 0], [0, 0], [0, 0], [0, 0]),
            ("a", "b"),
            "row 2, column side: expected one of 'a', 'b', found 'c'",
        ),
        (
            (["f", "g"], ["a"], [0, 0], [0, 0], [0, 0], [0, 0]),
            None,
            "column side: expected 2 values like column flight, found 1",
        ),
    ],
)
def test_from_rows_errors(rows: tuple, side_names: tuple | None, message: str) -> None:
    with pytest.raises(InputError) as info:
        Tracks.from_rows(*rows, side_names=side_names, source="mem")
    assert str(info.value).startswith("mem: ")
    assert message in str(info.value)


def test_csv_round_trip_is_exact_and_deterministic(tmp_path: Path) -> None:
    rng = np.random.default_rng(5)
    n = 50
    tracks = Tracks.from_rows(
        [f"F,{k % 7}" for k in range(n)],
        ["ab"[k % 7 % 2] for k in range(n)],
        np.sort(rng.uniform(0, 1e4, n)),
        rng.normal(0, 1e5, n),
        rng.normal(0, 1e5, n),
        rng.uniform(0, 1e4, n) + 0.1 + 0.2,
    )
    first, second = tmp_path / "one.csv", tmp_path / "two.csv"
    tracks.to_csv(first)
    back = read_tracks(first)
    back.to_csv(second)
    assert first.read_bytes() == second.read_bytes()
    assert first.read_text().startswith(HEADER + '"F,0",a,')
    assert back.flight_names == tracks.flight_names
    for name in ("flight_side", "point_flight", "t_s", "x_m", "y_m", "z_m"):
        assert np.array_equal(getattr(back, name), getattr(tracks, name)), name


def test_read_any_column_order_extra_columns_blank_lines(tmp_path: Path) -> None:
    path = write(
        tmp_path, "z,callsign,t,x,y,side,flight\n100,RED1,0,1,2,b,7\n\n200,RED1,60,3,4,b,7\n300,BLUE1,0,5,6,a,8\n"
    )
    seen: list[int] = []
    tracks = read_tracks(path, progress=seen.append)
    assert tracks.flight_names == ("7", "8")
    assert tracks.side_names == ("a", "b")
    assert tracks.flight_side.tolist() == [1, 0]
    assert tracks.z_m.tolist() == [100, 200, 300]
    assert tracks.x_m.tolist() == [1, 3, 5]
    assert seen == [0, 3]


@pytest.mark.parametrize(
    "text, message",
    [
        ("", "empty file; expected a header line flight,side,t,x,y,z"),
        ("flight,side,t,x,y\n", "line 1: missing column(s) z; expected a header with"),
        ("flight,side,t,x,y,z,t\n", "line 1: column(s) t appear twice"),
        (HEADER, "no data rows after the header"),
        (HEADER + "f,a,0,0,0,0\n\ng,b,1,abc,0,0\n", "line 4, column x: expected a number, found 'abc'"),
        (HEADER + "f,a,0,0,0,0\ng,b,,0,0,0\n", "line 3, column t: expected a number, found ''"),
        (HEADER + "f,a,0,0,0,0\n\ng,b,1,nan,0,0\n", "line 4, column x: expected a finite number, found nan"),
        (HEADER + "f,a,0,0,0,0\ng,b,1,0,0\n", "line 3: expected 6 fields as in the header, found 5"),
        (
            HEADER + "f,a,0,0,0,0\n\nf,b,1,0,0,0\n",
            "line 4, column side: flight 'f' was listed under side 'a' at line 2, found 'b'",
        ),
        (HEADER + "f,a,0,0,0,0\ng,b,0,0,0,0\nh,c,0,0,0,0\n", "expected exactly two sides, found 3"),
        (HEADER + "f,a,0,0,0,0\ng,a,0,0,0,0\n", "expected exactly two sides, found 1"),
        (
            HEADER + "f,a,0,0,0,0\nf,a,0,1,0,0\ng,b,0,0,0,0\n",
            "line 3: flight 'f' has two positions at t = 0.0 (also line 2)",
        ),
    ],
)
def test_read_errors_name_file_line_column(tmp_path: Path, text: str, message: str) -> None:
    path = write(tmp_path, text)
    with pytest.raises(InputError) as info:
        read_tracks(path)
    assert str(info.value).startswith(f"{path}: ")
    assert message in str(info.value)


def test_read_missing_file_and_directory(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="file not found"):
        read_tracks(tmp_path / "nope.csv")
    with pytest.raises(InputError, match="is a directory"):
        read_tracks(tmp_path)


def test_read_not_utf8(tmp_path: Path) -> None:
    path = tmp_path / "latin.csv"
    path.write_bytes(HEADER.encode() + "f\xe9,a,0,0,0,0\n".encode("latin-1"))
    with pytest.raises(InputError, match="not UTF-8"):
        read_tracks(path)


def test_no_rows_with_given_sides_is_empty_tracks() -> None:
    tracks = Tracks.from_rows([], [], [], [], [], [], side_names=("a", "b"))
    assert len(tracks) == 0 and tracks.n_legs == 0 and tracks.n_points == 0
    with pytest.raises(InputError, match="expected exactly two sides, found 0"):
        Tracks.from_rows([], [], [], [], [], [])


def test_empty_labels_are_refused(tmp_path) -> None:  # type: ignore[no-untyped-def]
    import pytest as _pytest

    from sim.detect.tracks import read_tracks
    from sim.errors import InputError

    for body, column in (("a,r,0,0,0,0\n,b,0,0,0,0\n", "flight"), ("a,r,0,0,0,0\nb,,0,0,0,0\n", "side")):
        path = tmp_path / f"{column}.csv"
        path.write_text("flight,side,t,x,y,z\n" + body)
        with _pytest.raises(InputError, match=f"line 3, column {column}: expected a label"):
            read_tracks(path)


def test_a_row_with_more_fields_than_the_header_is_refused(tmp_path) -> None:  # type: ignore[no-untyped-def]
    import pytest as _pytest

    from sim.detect.tracks import read_tracks
    from sim.errors import InputError

    for name, body in (("plain", "a,r,0,0,0,0\na,r,9,1,1,1,7\n"), ("quoted", '"a",r,0,0,0,0\n"a",r,9,1,1,1,7\n')):
        path = tmp_path / f"{name}.csv"
        path.write_text("flight,side,t,x,y,z\n" + body + "b,b,0,0,0,0\n")
        with _pytest.raises(InputError, match="line 3: expected 6 fields as in the header, found 7"):
            read_tracks(path)
