"""``detect`` from Python and the command line: near-conflicts between the two sides of a tracks CSV.

Without errors, the exact encounters (one row per encounter: ``t_*`` in s, ``*_m`` in
metres); with ``lateral_sd_ft`` and ``vertical_sd_ft``, the expected count of encounters
per screened pair under those position errors (``sim.detect.risk``). Files are written
atomically (a temporary name, then renamed), as by ``deconflict detect``.
"""

from __future__ import annotations

import json
import math
import os
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from sim.api.driver import OptionName, python_name
from sim.api.frames import table_from_rows
from sim.errors import InputError
from sim.units import FT_M, NM_M

__all__ = ["RISK_COLUMNS", "Detection", "detect", "detect_tracks"]

RISK_COLUMNS = (
    "flight_a",
    "side_a",
    "flight_b",
    "side_b",
    "p_encounter",
    "p_left_out",
    "nominal_encounters",
    "stretches",
)
"""Columns of the per-pair table with errors (probabilities, and counts on the nominal tracks)."""

Say = Callable[[str], None]


@dataclass
class Detection:
    """What ``detect`` found: ``rows`` (dicts keyed by ``columns``), the one-line ``headline`` and the totals."""

    columns: tuple[str, ...]
    rows: list[dict[str, Any]]
    headline: str
    totals: dict[str, Any] = field(default_factory=dict)

    def frame(self, source: str) -> pd.DataFrame:
        """The rows as a typed DataFrame (``source`` names the input in errors)."""
        return table_from_rows(self.rows, self.columns, source)


def _horizontal_m(horizontal_nm: float | None, horizontal_ft: float | None, option: OptionName) -> float:
    if (horizontal_nm is None) == (horizontal_ft is None):
        raise InputError(f"give exactly one of {option('horizontal_nm')} or {option('horizontal_ft')}")
    given, name, unit_m = (
        (horizontal_nm, "horizontal_nm", NM_M) if horizontal_nm is not None else (horizontal_ft, "horizontal_ft", FT_M)
    )
    assert given is not None
    if not (given > 0 and given < float("inf")):
        raise InputError(f"{option(name)} must be a number > 0, found {given}")
    return float(given * unit_m)


def _atomic_write(path: Path, write: Callable[[Path], None]) -> None:
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        write(tmp)
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def _output_path(value: str | Path | None) -> Path | None:
    """The output CSV: a file name in an existing directory."""
    if value is None or value == "":
        return None
    path = Path(value)
    if path.is_dir():
        raise InputError("is a directory; expected a CSV file name", path=str(path))
    if not path.parent.is_dir():
        raise InputError("no such directory for the output file", path=str(path))
    return path


def detect_tracks(
    tracks: str | Path,
    *,
    vertical_ft: float | None,
    horizontal_nm: float | None = None,
    horizontal_ft: float | None = None,
    output: str | Path | None = None,
    lateral_sd_ft: float | None = None,
    vertical_sd_ft: float | None = None,
    lateral_law: str = "normal",
    json_path: str | Path | None = None,
    say: Say = lambda message: None,
    option: OptionName = python_name,
) -> Detection:
    """Read ``tracks`` (CSV: flight, side, t s, x m, y m, z m), find its encounters, write ``output``."""
    from sim.detect.encounters import find_encounters
    from sim.detect.tracks import read_tracks

    horizontal_m = _horizontal_m(horizontal_nm, horizontal_ft, option)
    if vertical_ft is None:
        raise InputError(
            f"give {option('vertical_ft')} with the horizontal separation, or levels as {option('level')} NAME:H_NM:V_FT"
        )
    if not (math.isfinite(vertical_ft) and vertical_ft > 0):
        raise InputError(f"{option('vertical_ft')} must be a number > 0, found {vertical_ft}")
    out = _output_path(output)
    size_mb = Path(tracks).stat().st_size / 1e6 if Path(tracks).is_file() else 0.0
    if size_mb > 5:
        say(f"reading {tracks} ({size_mb:.0f} MB) ...")
    t0 = time.monotonic()
    read = read_tracks(tracks)
    t1 = time.monotonic()
    say(
        f"read {read.n_points} points: {len(read)} flights, {read.n_legs} legs, "
        f"sides {', '.join(read.side_names)} ({t1 - t0:.2f} s)"
    )
    flights = read.point_flight
    single = len(read) - len(set(flights[1:][flights[1:] == flights[:-1]]))
    if single:
        say(f"note: {single} flight{'s' if single != 1 else ''} with a single point: no legs, so no encounters")
    vertical_m = vertical_ft * FT_M
    if lateral_sd_ft is not None or vertical_sd_ft is not None:
        sds = {"lateral_sd_ft": lateral_sd_ft, "vertical_sd_ft": vertical_sd_ft}
        return _with_errors(read, horizontal_m, vertical_m, sds, lateral_law, out, json_path, say, option, t1)
    if json_path:
        raise InputError(
            f"{option('json')} needs {option('lateral_sd_ft')} and {option('vertical_sd_ft')} "
            "(the expected count under errors)"
        )
    if read.n_legs > 100_000:
        say(f"detecting encounters below {horizontal_m:.0f} m and {vertical_m:.0f} m ...")
    found = find_encounters(read, horizontal_m, vertical_m)
    t2 = time.monotonic()
    if out is not None:
        _atomic_write(out, found.to_csv)
    say(
        f"separation {horizontal_m:.0f} m horizontal, {vertical_m:.0f} m vertical; "
        f"detection {t2 - t1:.2f} s" + (f"; written to {out}" if out is not None else "")
    )
    headline = f"{len(found)} encounter{'' if len(found) == 1 else 's'}"
    return Detection(tuple(found.COLUMNS), found.rows(), headline, {"encounters": len(found)})


def _csv_field(text: str) -> str:
    """A CSV field: quoted when it holds a comma, a quote or a line break."""
    if any(ch in text for ch in ',"\n\r'):
        return '"' + text.replace('"', '""') + '"'
    return text


def _with_errors(
    tracks: Any,
    horizontal_m: float,
    vertical_m: float,
    sds: dict[str, float | None],
    lateral_law: str,
    out: Path | None,
    json_value: str | Path | None,
    say: Say,
    option: OptionName,
    t1: float,
) -> Detection:
    """The expected encounters per screened pair under each flight's position errors."""
    from sim.detect.risk import FlightErrors, expected_encounters

    for name, value in sds.items():
        if value is None:
            raise InputError(f"{option(name)} is needed too: give both standard deviations (0 for none)")
        if not (math.isfinite(value) and value >= 0):
            raise InputError(f"{option(name)} must be a number >= 0, found {value}")
    lateral_sd_ft, vertical_sd_ft = float(sds["lateral_sd_ft"] or 0.0), float(sds["vertical_sd_ft"] or 0.0)
    json_out = Path(json_value) if json_value else None
    if json_out is not None and (json_out.is_dir() or not json_out.parent.is_dir()):
        raise InputError("not a file in an existing directory", path=str(json_out))
    errors = FlightErrors.uniform(len(tracks), lateral_sd_ft * FT_M, vertical_sd_ft * FT_M, lateral_law)
    risk = expected_encounters(tracks, errors, horizontal_m, vertical_m)
    t2 = time.monotonic()
    names, sides = tracks.flight_names, tracks.side_names
    rows = [
        {
            "flight_a": names[a],
            "side_a": sides[0],
            "flight_b": names[b],
            "side_b": sides[1],
            "p_encounter": float(p),
            "p_left_out": float(left),
            "nominal_encounters": int(nominal),
            "stretches": int(k),
        }
        for a, b, p, left, nominal, k in zip(
            risk.flight_index_a,
            risk.flight_index_b,
            risk.expected,
            risk.left_out,
            risk.nominal,
            risk.stretches,
            strict=True,
        )
    ]
    totals = {
        "expected_encounters": risk.total,
        "pairs": len(risk.expected),
        "nominal_encounters": int(risk.nominal.sum()),
        "screen_bound": risk.screen_bound,
        "screen_horizontal_m": risk.screen_horizontal_m,
        "screen_vertical_m": risk.screen_vertical_m,
        "horizontal_m": horizontal_m,
        "vertical_m": vertical_m,
        "lateral_sd_ft": sds["lateral_sd_ft"],
        "vertical_sd_ft": sds["vertical_sd_ft"],
        "lateral_law": lateral_law,
        "flights": len(tracks),
    }
    lines = [",".join(RISK_COLUMNS)] + [
        f"{_csv_field(r['flight_a'])},{_csv_field(r['side_a'])},{_csv_field(r['flight_b'])},{_csv_field(r['side_b'])},"
        f"{r['p_encounter']!r},{r['p_left_out']!r},{r['nominal_encounters']},{r['stretches']}"
        for r in rows
    ]
    for path, text in ((out, "\n".join(lines) + "\n"), (json_out, json.dumps(totals, indent=2) + "\n")):
        if path is not None:
            _atomic_write(path, lambda tmp, text=text: tmp.write_text(text, encoding="utf-8"))  # type: ignore[misc]
    say(
        f"separation {horizontal_m:.0f} m horizontal, {vertical_m:.0f} m vertical; errors sd {sds['lateral_sd_ft']:g} ft "
        f"({lateral_law}) east and north, {sds['vertical_sd_ft']:g} ft up, each flight; screening left out at most "
        f"{risk.screen_bound:.1e}; {t2 - t1:.2f} s"
    )
    headline = (
        f"{risk.total:.6g} expected encounters ({int(risk.nominal.sum())} on the nominal tracks, "
        f"{len(risk.expected)} pairs screened)"
    )
    return Detection(RISK_COLUMNS, rows, headline, totals)


def detect(
    tracks: str | Path,
    *,
    vertical_ft: float,
    horizontal_nm: float | None = None,
    horizontal_ft: float | None = None,
    output: str | Path | None = None,
    lateral_sd_ft: float | None = None,
    vertical_sd_ft: float | None = None,
    lateral_law: str = "normal",
    json: str | Path | None = None,
) -> pd.DataFrame:
    """The encounters between the two sides of the tracks CSV ``tracks``, as ``deconflict detect``.

    Give exactly one of ``horizontal_nm`` and ``horizontal_ft``, and ``vertical_ft``.
    Returns one row per encounter (columns ``Encounters.COLUMNS``: flights, sides, ``t_start``,
    ``t_end``, ``t_cpa`` in s, ``h_min_m``, ``dz_at_cpa_m``, ``x_cpa_m``, ``y_cpa_m``); with
    both ``lateral_sd_ft`` and ``vertical_sd_ft`` (ft, 1 sd per flight), one row per screened
    pair with ``p_encounter``, the expected count (``RISK_COLUMNS``), and ``json`` receives the
    totals. ``output`` also writes the table as CSV.
    """
    found = detect_tracks(
        tracks,
        vertical_ft=vertical_ft,
        horizontal_nm=horizontal_nm,
        horizontal_ft=horizontal_ft,
        output=output,
        lateral_sd_ft=lateral_sd_ft,
        vertical_sd_ft=vertical_sd_ft,
        lateral_law=lateral_law,
        json_path=json,
    )
    frame = found.frame(str(tracks))
    frame.attrs["totals"] = found.totals
    return frame
