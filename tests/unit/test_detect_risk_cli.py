"""``deconflict detect`` with errors: per-pair CSV, the JSON totals and its refusals."""

from __future__ import annotations

import csv
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

from sim.detect.encounters import find_encounters
from sim.detect.risk import FlightErrors, expected_encounters
from sim.detect.tracks import read_tracks
from sim.units import FT_M

# two crossings: one nominally inside 500 ft / 100 ft, one passing 900 ft wide
TRACKS = """flight,side,t,x,y,z
a1,red,0,-5000,0,3000
a1,red,100,5000,0,3000
b1,blue,0,0,-5000,3010
b1,blue,100,0,5000,3010
a2,red,0,-5000,20000,3000
a2,red,100,5000,20000,3000
b2,blue,0,274.32,15000,3000
b2,blue,100,274.32,25000,3000
"""


def _write(tmp_path: Path) -> Path:
    path = tmp_path / "tracks.csv"
    path.write_text(TRACKS, encoding="utf-8")
    return path


def test_zero_errors_give_the_plain_count(tmp_path: Path, cli: Callable[..., Any]) -> None:
    tracks = _write(tmp_path)
    js = tmp_path / "risk.json"
    result = cli("detect", tracks, "--horizontal-ft", "500", "--vertical-ft", "100",
                 "--lateral-sd-ft", "0", "--vertical-sd-ft", "0", "--json", js, "-q")  # fmt: skip
    assert result.code == 0, result.err
    data = json.loads(js.read_text(encoding="utf-8"))
    plain = len(find_encounters(read_tracks(tracks), 500 * FT_M, 100 * FT_M))
    assert plain == 1
    assert data["expected_encounters"] == plain
    assert data["nominal_encounters"] == plain


def test_errors_give_one_row_per_screened_pair_and_the_totals(tmp_path: Path, cli: Callable[..., Any]) -> None:
    tracks = _write(tmp_path)
    out, js = tmp_path / "pairs.csv", tmp_path / "risk.json"
    result = cli("detect", tracks, "--horizontal-ft", "500", "--vertical-ft", "100", "--lateral-sd-ft", "300",
                 "--vertical-sd-ft", "80", "-o", out, "--json", js, "-q")  # fmt: skip
    assert result.code == 0, result.err
    rows = list(csv.DictReader(out.open(encoding="utf-8")))
    # side names in sorted order: blue is side a
    assert [(r["side_a"], r["flight_a"], r["flight_b"]) for r in rows] == [("blue", "b1", "a1"), ("blue", "b2", "a2")]
    data = json.loads(js.read_text(encoding="utf-8"))
    assert data["pairs"] == 2
    assert data["expected_encounters"] == sum(float(r["p_encounter"]) for r in rows)
    # the wide pass (900 ft) still has a chance, the close one less than certainty
    p = {r["flight_a"]: float(r["p_encounter"]) for r in rows}
    assert 0 < p["b2"] < p["b1"] < 1
    assert {r["nominal_encounters"] for r in rows} == {"1", "0"}
    t = read_tracks(tracks)
    same = expected_encounters(t, FlightErrors.uniform(len(t), 300 * FT_M, 80 * FT_M), 500 * FT_M, 100 * FT_M)
    assert np.isclose(same.total, data["expected_encounters"], rtol=0, atol=0)
    assert data["screen_bound"] < 1e-6 * data["expected_encounters"]
    left = [float(r["p_left_out"]) for r in rows]  # both pairs pass close: integrated, nothing left
    assert left == [0.0, 0.0] and data["screen_bound"] >= sum(left)


def test_refusals(tmp_path: Path, cli: Callable[..., Any]) -> None:
    tracks = _write(tmp_path)
    base = ("detect", tracks, "--horizontal-ft", "500", "--vertical-ft", "100")
    for extra, words in (
        (("--lateral-sd-ft", "100"), "--vertical-sd-ft is needed"),
        (("--lateral-sd-ft", "-1", "--vertical-sd-ft", "1"), "--lateral-sd-ft must be a number >= 0"),
        (("--json", tmp_path / "x.json"), "--json needs --lateral-sd-ft"),
        (("--lateral-sd-ft", "1", "--vertical-sd-ft", "1", "--json", tmp_path / "no" / "x.json"), "not a file"),
    ):
        result = cli(*base, *extra)
        assert result.code == 2, (extra, result.err)
        assert words in result.err, result.err
        assert "Traceback" not in result.err
