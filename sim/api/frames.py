"""The CSV files of a results directory as pandas DataFrames with typed columns.

Text columns (policy, metric, level, side, flight, sector, ...) are pandas ``string``;
counters that are whole by construction (replication, seed, n, hour, point) are ``int64``;
every other column is ``float64`` (the unit is in its name: ``_min``, ``_h``, ``_m``,
``_kt``, ``t_*`` in seconds). Swept-value columns keep what pandas reads (numbers or text).
Only CSV is read (never a pickle); a cell that is not a number where one is expected raises
:class:`~sim.errors.InputError` with the file, the line and the column.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

import pandas as pd

from sim.errors import InputError

__all__ = ["INTEGER_COLUMNS", "TEXT_COLUMNS", "read_table", "table_from_rows"]

TEXT_COLUMNS = frozenset(
    {
        "policy",
        "policy_kind",
        "metric",
        "reference",
        "level",
        "flight_a",
        "side_a",
        "flight_b",
        "side_b",
        "sector",
        "side",
        "base",
        "region",
        "output",
        "parameter",
        "index",
        "role",
    }
)
"""Columns holding names, read as pandas ``string``."""

INTEGER_COLUMNS = frozenset({"replication", "seed", "n", "hour", "point", "pairs", "changed", "sorties"})
"""Columns holding whole counts or indices, read as ``int64``."""


def _typed(frame: pd.DataFrame, source: str, keep: Iterable[str] = (), first_line: int = 2) -> pd.DataFrame:
    """``frame`` with its columns typed as the module says; ``keep`` columns are left as read."""
    kept = set(keep)
    out = {}
    for column in frame.columns:
        values = frame[column]
        if column in TEXT_COLUMNS:
            out[column] = values.astype("string")
            continue
        if column in kept:
            out[column] = values
            continue
        numbers = pd.to_numeric(values, errors="coerce")
        text = values.astype("string").str.strip().str.lower()
        bad = numbers.isna() & values.notna() & ~text.isin(["", "nan"]).fillna(True)
        if bad.any():
            at = int(bad.to_numpy().nonzero()[0][0])
            raise InputError(
                f"line {at + first_line}: column {column}: expected a number, found {values.iloc[at]!r}", path=source
            )
        if column in INTEGER_COLUMNS and numbers.notna().all():
            out[column] = numbers.astype("int64")
        else:
            out[column] = numbers.astype("float64")
    return pd.DataFrame(out, index=frame.index)


def read_table(path: str | Path, keep: Iterable[str] = ()) -> pd.DataFrame:
    """Read the CSV at ``path`` with typed columns (``keep``: columns left as pandas reads them)."""
    path = Path(path)
    if not path.is_file():
        raise InputError("no such file; expected a table of the results directory", path=str(path))
    try:
        frame = pd.read_csv(path, dtype=str, keep_default_na=False, na_values=[""])
    except (OSError, ValueError) as exc:
        raise InputError(f"unreadable CSV: {exc}", path=str(path)) from None
    kept = list(keep)
    if kept:  # swept values: as pandas would read them on their own (numbers when they all are)
        guessed = pd.read_csv(path, usecols=kept)
        frame[kept] = guessed[kept]
    return _typed(frame, str(path), kept)


def table_from_rows(rows: list[dict[str, object]], columns: Iterable[str], source: str) -> pd.DataFrame:
    """A typed DataFrame of ``rows`` (dicts) with these ``columns`` in order (missing cells empty)."""
    names = list(columns)
    frame = pd.DataFrame([{c: row.get(c) for c in names} for row in rows], columns=names)
    return _typed(frame, source)
