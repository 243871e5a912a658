"""Columnar 4-D flight paths (``Tracks``) and their CSV form.

A track file is a CSV with the header ``flight,side,t,x,y,z`` (columns in any order; units
s, m, m, m; x and y on a local plane, z altitude). Columns the header names beyond these six
are ignored, so a file may carry extra data such as a callsign; a missing column is an error.
Labels are taken verbatim (no whitespace stripping). Consecutive points of one flight, in
time order, are joined by straight legs.

Reading: the header is read with the ``csv`` module and the body with two ``numpy.loadtxt``
passes (the four number columns as float64, then the two label columns as strings).
Measured on 1,000,000 rows on the development machine: ``loadtxt`` took 1.8 s + 0.6 s,
whereas ``csv.reader`` plus transposing and converting took 4.0 s + 1.9 s + 0.4 s per
column, so ``loadtxt`` wins by about 3x. Its error messages lack context, so on any
failure the file is scanned again with the ``csv`` module to name the line, column, what
was expected and what was found.
"""

from __future__ import annotations

import csv
import math
import os
import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from sim.errors import InputError

__all__ = ["COLUMNS", "Tracks", "read_tracks"]

COLUMNS = ("flight", "side", "t", "x", "y", "z")
_NUMBER_COLUMNS = ("t", "x", "y", "z")


@dataclass(frozen=True, eq=False)
class Tracks:
    """Columnar 4-D flight paths: consecutive points of one flight are joined by straight legs.

    ``flight_names`` (n_flights,) and ``side_names`` (exactly two) are labels;
    ``flight_side`` (n_flights,) int8 indexes ``side_names``; ``point_flight`` (n_points,)
    int64 is non-decreasing; ``t_s`` is strictly increasing within a flight; ``x_m``,
    ``y_m``, ``z_m`` are metres on a local plane, z being altitude.
    """

    flight_names: tuple[str, ...]
    side_names: tuple[str, str]
    flight_side: np.ndarray
    point_flight: np.ndarray
    t_s: np.ndarray
    x_m: np.ndarray
    y_m: np.ndarray
    z_m: np.ndarray

    @classmethod
    def from_rows(
        cls,
        flight: Sequence[Any] | np.ndarray,
        side: Sequence[Any] | np.ndarray,
        t_s: Sequence[float] | np.ndarray,
        x_m: Sequence[float] | np.ndarray,
        y_m: Sequence[float] | np.ndarray,
        z_m: Sequence[float] | np.ndarray,
        *,
        side_names: Sequence[str] | None = None,
        source: str = "<memory>",
    ) -> Tracks:
        """Build tracks from per-row labels ``flight``, ``side`` and times/positions.

        Flights are ordered by first appearance and each flight's rows by time (stable).
        Without ``side_names`` there must be exactly two sides, sorted by name; with it
        every side must be one of those two (one of them may have no flights). A repeated
        time within a flight at the same position is dropped, at another position it is
        an error. Errors are ``InputError`` naming ``source`` and the 1-based row.
        """
        return _build(flight, side, t_s, x_m, y_m, z_m, side_names, source, _row_label)

    def to_csv(self, path: str | os.PathLike[str]) -> None:
        """Write the tracks to ``path`` as ``flight,side,t,x,y,z``; floats via ``repr``."""
        names = np.asarray(self.flight_names, dtype=object)
        sides = np.asarray(self.side_names, dtype=object)
        fidx = self.point_flight
        flight_col = names[fidx].tolist() if len(fidx) else []
        side_col = sides[self.flight_side[fidx]].tolist() if len(fidx) else []
        # Python floats: csv writes str(float), which is the shortest round-trip repr.
        columns = (flight_col, side_col, self.t_s.tolist(), self.x_m.tolist(), self.y_m.tolist(), self.z_m.tolist())
        with open(path, "w", newline="", encoding="utf-8") as handle:
            writer = csv.writer(handle, lineterminator="\n")
            writer.writerow(COLUMNS)
            writer.writerows(zip(*columns, strict=True))

    def __len__(self) -> int:
        """Number of flights."""
        return len(self.flight_names)

    @property
    def n_points(self) -> int:
        """Number of points over all flights."""
        return int(self.t_s.shape[0])

    @property
    def n_legs(self) -> int:
        """Number of legs: points minus flights that have at least one point."""
        if self.n_points == 0:
            return 0
        return self.n_points - len(np.unique(self.point_flight))


def read_tracks(path: str | os.PathLike[str], progress: Callable[[int], None] | None = None) -> Tracks:
    """Read a track CSV at ``path``; ``progress`` (optional) is called with rows read."""
    name = os.fspath(path)
    header = _read_header(name)
    missing = [c for c in COLUMNS if c not in header]
    if missing:
        raise InputError(
            f"line 1: missing column(s) {', '.join(missing)}; expected a header with "
            f"{','.join(COLUMNS)}, found {','.join(header)}",
            path=name,
        )
    duplicated = sorted({c for c in header if c in COLUMNS and header.count(c) > 1})
    if duplicated:
        raise InputError(f"line 1: column(s) {', '.join(duplicated)} appear twice", path=name)
    if progress is not None:
        progress(0)
    index = {c: header.index(c) for c in COLUMNS}
    options: dict[str, Any] = dict(
        delimiter=",", comments=None, quotechar='"', skiprows=1, ndmin=2, encoding="utf-8-sig"
    )
    with warnings.catch_warnings():
        # loadtxt warns about blank lines and empty bodies; both are handled here.
        warnings.simplefilter("ignore", UserWarning)
        try:
            numbers = np.loadtxt(name, dtype=np.float64, usecols=[index[c] for c in _NUMBER_COLUMNS], **options)
            labels = np.loadtxt(name, dtype=str, usecols=[index["flight"], index["side"]], **options)
        except (ValueError, IndexError, UnicodeDecodeError) as exc:
            raise _diagnose(name, header, index) or InputError(str(exc), path=name) from None
    if numbers.shape[0] == 0:
        raise InputError("no data rows after the header; expected at least one point", path=name)
    _check_field_counts(name, len(header), int(numbers.shape[0]))
    if numbers.shape[0] != labels.shape[0]:
        raise _diagnose(name, header, index) or InputError("inconsistent rows", path=name)
    if progress is not None:
        progress(int(numbers.shape[0]))
    return _build(
        labels[:, 0],
        labels[:, 1],
        numbers[:, 0],
        numbers[:, 1],
        numbers[:, 2],
        numbers[:, 3],
        None,
        name,
        _LineLabel(name),
    )


def _check_field_counts(name: str, n_fields: int, n_rows: int) -> None:
    """Refuse a row with more fields than the header (``loadtxt`` ignores the surplus).

    Fast path: the file holds exactly as many commas as a header and ``n_rows`` well-formed
    rows would. Otherwise commas are counted per line to find the first long one; a file
    with quoted fields (which may hold commas) is checked row by row with ``csv``.
    """
    raw = np.fromfile(name, dtype=np.uint8)
    quoted = bool(np.any(raw == ord('"')))
    if not quoted and np.count_nonzero(raw == ord(",")) == (n_fields - 1) * (n_rows + 1):
        return
    if quoted:
        with open(name, encoding="utf-8-sig", newline="") as f:
            for line_no, row in enumerate(csv.reader(f), start=1):
                if len(row) > n_fields:
                    raise InputError(
                        f"line {line_no}: expected {n_fields} fields as in the header, found {len(row)}", path=name
                    )
        return
    ends = np.flatnonzero(raw == ord("\n"))
    if len(ends) == 0 or ends[-1] != len(raw) - 1:
        ends = np.append(ends, len(raw))
    commas = np.concatenate(([0], np.cumsum(raw == ord(","))))
    starts = np.concatenate(([0], ends[:-1] + 1))
    per_line = commas[ends] - commas[starts]
    too_many = np.flatnonzero(per_line > n_fields - 1)
    if len(too_many):
        line = int(too_many[0])
        raise InputError(
            f"line {line + 1}: expected {n_fields} fields as in the header, found {int(per_line[line]) + 1}", path=name
        )


def _read_header(name: str) -> list[str]:
    """The header fields of the CSV ``name``, or an ``InputError`` if it cannot be read."""
    try:
        with open(name, newline="", encoding="utf-8-sig") as handle:
            header = next(csv.reader(handle), None)
    except FileNotFoundError:
        raise InputError("file not found; expected a track CSV", path=name) from None
    except IsADirectoryError:
        raise InputError("is a directory; expected a track CSV file", path=name) from None
    except UnicodeDecodeError as exc:
        raise InputError(f"not UTF-8 text ({exc.reason}); expected a track CSV", path=name) from None
    except OSError as exc:
        raise InputError(f"cannot read: {exc.strerror}", path=name) from None
    if not header:
        raise InputError(f"empty file; expected a header line {','.join(COLUMNS)}", path=name)
    return [field.strip() for field in header]


def _diagnose(name: str, header: list[str], index: dict[str, int]) -> InputError | None:
    """Scan ``name`` row by row and describe the first malformed row, or ``None``."""
    try:
        with open(name, newline="", encoding="utf-8-sig") as handle:
            reader = csv.reader(handle)
            next(reader, None)
            for fields in reader:
                line = reader.line_num
                if not fields:
                    continue
                if len(fields) < len(header):
                    return InputError(
                        f"line {line}: expected {len(header)} fields as in the header, found {len(fields)}", path=name
                    )
                for column in _NUMBER_COLUMNS:
                    text = fields[index[column]]
                    try:
                        float(text)
                    except ValueError:
                        return InputError(f"line {line}, column {column}: expected a number, found {text!r}", path=name)
    except UnicodeDecodeError as exc:
        return InputError(f"not UTF-8 text ({exc.reason}); expected a track CSV", path=name)
    return None


def _row_label(row: int) -> str:
    """Location of 0-based input row ``row`` for in-memory rows."""
    return f"row {row + 1}"


class _LineLabel:
    """Location of 0-based data row ``row`` of a file as its line number (header is line 1)."""

    def __init__(self, name: str) -> None:
        self.name = name

    def __call__(self, row: int) -> str:
        line = row + 2
        # Blank lines shift the numbering; count them only when an error is reported.
        with open(self.name, newline="", encoding="utf-8-sig") as handle:
            reader = csv.reader(handle)
            next(reader, None)
            seen = -1
            for fields in reader:
                if fields:
                    seen += 1
                    if seen == row:
                        line = reader.line_num
                        break
        return f"line {line}"


def _build(
    flight: Any,
    side: Any,
    t_s: Any,
    x_m: Any,
    y_m: Any,
    z_m: Any,
    side_names: Sequence[str] | None,
    source: str,
    where: Callable[[int], str],
) -> Tracks:
    """Validate and group rows into ``Tracks``; ``where(row)`` names a row in messages."""
    flight_arr = _labels(flight)
    side_arr = _labels(side)
    numbers = {}
    for column, values in zip(_NUMBER_COLUMNS, (t_s, x_m, y_m, z_m), strict=True):
        try:
            arr = np.asarray(values, dtype=np.float64).reshape(-1)
        except (TypeError, ValueError) as exc:
            raise InputError(f"column {column}: expected numbers ({exc})", path=source) from None
        numbers[column] = arr
    n_rows = len(flight_arr)
    for column, arr in (("side", side_arr), *numbers.items()):
        if len(arr) != n_rows:
            raise InputError(
                f"column {column}: expected {n_rows} values like column flight, found {len(arr)}", path=source
            )
    for column, arr in numbers.items():
        bad = np.flatnonzero(~np.isfinite(arr))
        if len(bad):
            raise InputError(
                f"{where(int(bad[0]))}, column {column}: expected a finite number, found {float(arr[bad[0]])!r}",
                path=source,
            )

    for column, arr in (("flight", flight_arr), ("side", side_arr)):
        empty = np.flatnonzero(arr == "")
        if len(empty):
            raise InputError(
                f"{where(int(empty[0]))}, column {column}: expected a label, found an empty value", path=source
            )

    sides_present = sorted(set(np.unique(side_arr).tolist()))
    if side_names is None:
        if len(sides_present) != 2:
            why = {
                0: "",
                1: "; encounters are counted between two sides: label the other side's flights too "
                "(any two labels will do)",
            }.get(len(sides_present), "; merge the labels into two (any two labels will do)")
            raise InputError(
                f"column side: expected exactly two sides, found "
                f"{len(sides_present)} ({', '.join(map(repr, sides_present))}){why}",
                path=source,
            )
        names2: tuple[str, str] = (sides_present[0], sides_present[1])
    else:
        if len(side_names) != 2 or side_names[0] == side_names[1]:
            raise ValueError(f"side_names must be two distinct names, got {side_names!r}")
        names2 = (str(side_names[0]), str(side_names[1]))
        unknown = [s for s in sides_present if s not in names2]
        if unknown:
            row = int(np.flatnonzero(side_arr == unknown[0])[0])
            raise InputError(
                f"{where(row)}, column side: expected one of {names2[0]!r}, {names2[1]!r}, found {unknown[0]!r}",
                path=source,
            )
    side_code = (side_arr == names2[1]).astype(np.int8)

    # Flights numbered by first appearance; rows sorted by (flight, time), stably.
    uniq, first, inverse = np.unique(flight_arr, return_index=True, return_inverse=True)
    by_appearance = np.argsort(first, kind="stable")
    rank = np.empty(len(uniq), dtype=np.int64)
    rank[by_appearance] = np.arange(len(uniq), dtype=np.int64)
    row_flight = rank[inverse.reshape(-1)]
    order = np.argsort(numbers["t"], kind="stable")
    order = order[np.argsort(row_flight[order], kind="stable")]
    point_flight = row_flight[order]
    t, x, y, z = (numbers[c][order] for c in _NUMBER_COLUMNS)

    flight_side = side_code[first[by_appearance]]
    mixed = np.flatnonzero(side_code[order] != flight_side[point_flight])
    if len(mixed):
        row = int(order[mixed[0]])
        fidx = int(point_flight[mixed[0]])
        raise InputError(
            f"{where(row)}, column side: flight {str(flight_arr[row])!r} was listed under side "
            f"{names2[flight_side[fidx]]!r} at {where(int(first[by_appearance[fidx]]))}, "
            f"found {str(side_arr[row])!r}",
            path=source,
        )

    same = (point_flight[1:] == point_flight[:-1]) & (t[1:] == t[:-1])
    if same.any():
        moved = same & ((x[1:] != x[:-1]) | (y[1:] != y[:-1]) | (z[1:] != z[:-1]))
        if moved.any():
            k = int(np.flatnonzero(moved)[0])
            row, prev = int(order[k + 1]), int(order[k])
            raise InputError(
                f"{where(row)}: flight {str(flight_arr[row])!r} has two positions at t = "
                f"{float(t[k])!r} (also {where(prev)}); expected one position per time",
                path=source,
            )
        keep = np.concatenate(([True], ~same))
        point_flight = point_flight[keep]
        t, x, y, z = t[keep], x[keep], y[keep], z[keep]

    return Tracks(
        flight_names=tuple(uniq[by_appearance].tolist()),
        side_names=names2,
        flight_side=flight_side.astype(np.int8),
        point_flight=point_flight.astype(np.int64),
        t_s=t,
        x_m=x,
        y_m=y,
        z_m=z,
    )


def _labels(values: Any) -> np.ndarray:
    """Labels (str or int) as a 1-D unicode array; floats that are whole become ints."""
    arr = np.asarray(values)
    if arr.dtype.kind == "f":
        arr = np.asarray([str(int(v)) if math.isfinite(v) and v == int(v) else repr(v) for v in arr.tolist()])
    return arr.astype(str).reshape(-1)
