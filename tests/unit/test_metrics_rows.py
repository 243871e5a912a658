"""The rows of replications.csv and encounters.csv from hand-made records, and the CSV bytes.

Sortie records and encounters are made by hand here (no simulation), so every value in
a row is known: the columns, their order, their types and units, the sector lookup of an
encounter and its latitude and longitude (by the sphere's closed form, not the projection's
code).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from sim.detect.encounters import Encounters
from sim.detect.tracks import Tracks
from sim.experiment.metrics import ENCOUNTER_COLUMNS, SIDE_METRICS, encounter_rows, replication_row, row_columns
from sim.model.day import Outcome
from sim.model.tasking import Sortie
from sim.scenario.load import LoadedScenario
from sim.scenario.projection import geodesic_m
from tests.handmade import LAT0, LON0, NM, SECTOR_NM, lat_north, load, scenario_data, sortie


def record(id: int, side: str, **fields: float | bool | None) -> Sortie:
    s = sortie(id, side, "A", 60)
    for name, value in fields.items():
        setattr(s, name, value)
    return s


def outcome(sorties: list[Sortie], received: dict[str, int]) -> Outcome:
    tracks = Tracks.from_rows(["f"], ["red"], [0.0], [0.0], [0.0], [0.0], side_names=("red", "blue"))
    return Outcome(tracks, tuple(sorties), received, 0)


def test_row_columns_are_in_order_with_units() -> None:
    cols = row_columns(["red", "blue"], ["los", "nmac"])
    metrics = [m for m, _ in SIDE_METRICS]
    assert cols == [
        "policy",
        "policy_kind",
        "replication",
        "seed",
        *[f"red_{m}" for m in metrics],
        *[f"blue_{m}" for m in metrics],
        "encounters_los",
        "encounters_nmac",
    ]
    assert [m for m in metrics if m.endswith(("_min", "_h"))] == [
        "delay_min",
        "wait_min",
        "lost_on_station_min",
        "flight_h",
    ]


def test_replication_row_from_hand_made_records() -> None:
    sorties = [
        # launched at exactly 0 s, landed at 90 min: 1.5 h
        record(1, "red", launched_s=0.0, landed_s=5400.0, delay_s=0.5, held_s=0.25, wait_s=30.0),
        # landed at exactly 0 s after 1 h in the air
        record(2, "red", launched_s=-3600.0, landed_s=0.0, retasked=True, altitude_changed=True, unresolved=True),
        # cancelled: never flew, its 30 planned minutes lost
        record(3, "red", cancelled=True),
        # aborted after 10 min of a 30-min window: 20 min lost; 45 min airborne
        record(4, "blue", launched_s=600.0, landed_s=3300.0, aborted=True, work_segments=[[900.0, 1500.0]]),
    ]
    row = replication_row(
        "p1", "hotline", 7, 123, outcome(sorties, {"red": 4, "blue": 9}), [Encounters.empty()] * 2, ["los", "nmac"]
    )
    assert list(row) == row_columns(["red", "blue"], ["los", "nmac"])
    assert (row["policy"], row["policy_kind"], row["replication"], row["seed"]) == ("p1", "hotline", 7, 123)
    red = {m: row[f"red_{m}"] for m, _ in SIDE_METRICS}
    assert red == {
        "sorties_planned": 3,
        "sorties_flown": 2,
        "mission_value_lost": pytest.approx(3.0),  # 1 and 2 worked nothing, 3 cancelled: each 1 at the defaults
        "cancelled": 1,
        "aborted": 0,
        "retasked": 1,
        "altitude_changed": 1,
        "held": 1,  # a quarter of a second still counts
        "delayed": 1,  # half a second still counts
        "delay_min": pytest.approx(0.5 / 60),
        "wait_min": pytest.approx(0.5),
        "lost_on_station_min": pytest.approx(90.0),  # 3 was cancelled; 1 and 2 flew but worked nothing
        "unresolved": 1,
        "notices_received": 4,
        "flight_h": pytest.approx(1.5 + 1.0),
    }
    blue = {m: row[f"blue_{m}"] for m, _ in SIDE_METRICS}
    assert blue["aborted"] == 1 and blue["sorties_flown"] == 1 and blue["notices_received"] == 9
    assert blue["lost_on_station_min"] == pytest.approx(20.0) and blue["flight_h"] == pytest.approx(0.75)
    assert blue["mission_value_lost"] == pytest.approx(1 - 10 / 30 * 0.5)  # worked 10 of 30 min, sent home: x 0.5
    for side in ("red", "blue"):
        for m, _ in SIDE_METRICS:
            want = float if m.endswith(("_min", "_h")) or m == "mission_value_lost" else int
            assert type(row[f"{side}_{m}"]) is want, (side, m)
    assert row["encounters_los"] == 0 and row["encounters_nmac"] == 0


def encounters_at(points: list[tuple[float, float]]) -> Encounters:
    n = len(points)
    return Encounters(
        flight_a=np.array([f"red-{k:04d}" for k in range(n)], dtype=object),
        side_a=np.full(n, "red", dtype=object),
        flight_b=np.array([f"blue-{k:04d}" for k in range(n)], dtype=object),
        side_b=np.full(n, "blue", dtype=object),
        flight_index_a=np.arange(n, dtype=np.int64),
        flight_index_b=np.arange(n, dtype=np.int64),
        t_start_s=np.arange(n, dtype=float),
        t_end_s=np.arange(n, dtype=float) + 10.0,
        t_cpa_s=np.arange(n, dtype=float) + 5.0,
        h_min_m=np.full(n, 100.0),
        dz_at_cpa_m=np.full(n, -50.0),
        x_cpa_m=np.array([p[0] for p in points]),
        y_cpa_m=np.array([p[1] for p in points]),
    )


def test_encounter_counts_per_level_in_the_row() -> None:
    row = replication_row(
        "p",
        "none",
        0,
        0,
        outcome([], {"red": 0, "blue": 0}),
        [encounters_at([(0, 0)] * 3), Encounters.empty(), encounters_at([(0, 0)])],
        ["a", "b", "c"],
    )
    assert (row["encounters_a"], row["encounters_b"], row["encounters_c"]) == (3, 0, 1)
    with pytest.raises(ValueError):
        replication_row("p", "none", 0, 0, outcome([], {"red": 0, "blue": 0}), [Encounters.empty()], ["a", "b"])


@pytest.fixture
def loaded(tmp_path: Path) -> LoadedScenario:
    return load(tmp_path, scenario_data())


def test_encounter_rows_name_the_sector_and_place(loaded: LoadedScenario) -> None:
    y_b = SECTOR_NM["B"] * NM
    rows = encounter_rows(
        "p",
        3,
        [encounters_at([(0.0, y_b), (50_000.0, 0.0)]), Encounters.empty(), encounters_at([(0.0, 0.0)])],
        ["los", "nmac", "near"],
        loaded.sectors,
    )
    assert [list(r) for r in rows] == [list(ENCOUNTER_COLUMNS)] * 3
    first, second, third = rows
    assert (first["policy"], first["replication"], first["level"]) == ("p", 3, "los")
    assert (first["flight_a"], first["side_a"], first["flight_b"], first["side_b"]) == (
        "red-0000",
        "red",
        "blue-0000",
        "blue",
    )
    assert (first["t_start"], first["t_end"], first["t_cpa"]) == (0.0, 10.0, 5.0)
    assert (first["h_min_m"], first["dz_at_cpa_m"], first["x_cpa_m"], first["y_cpa_m"]) == (100.0, -50.0, 0.0, y_b)
    assert first["sector"] == "B"
    assert first["lat_cpa"] == round(lat_north(y_b), 5) and first["lon_cpa"] == LON0
    # 50 km east of the origin: outside every (point-sized) sector
    assert second["sector"] == "outside" and second["level"] == "los"
    assert second["lat_cpa"] < LAT0 and second["lon_cpa"] > LON0
    # 50 km east in the plane is 50 km from the origin on the ellipsoid too (scale 1 + 3e-5 there),
    # and the table rounds latitude and longitude to 5 decimals of a degree
    distance = float(geodesic_m(LAT0, LON0, second["lat_cpa"], second["lon_cpa"]))
    assert distance == pytest.approx(50_000.0, abs=5.0)
    lat, lon = loaded.projection.to_latlon(50_000.0, 0.0)
    assert (second["lat_cpa"], second["lon_cpa"]) == (round(float(lat), 5), round(float(lon), 5))
    assert third["level"] == "near" and third["sector"] == "outside"
    [in_a] = encounter_rows("p", 0, [encounters_at([(0.0, SECTOR_NM["A"] * NM)])], ["los"], loaded.sectors)
    assert in_a["sector"] == "A"  # the first sector of the file
    assert (third["lat_cpa"], third["lon_cpa"]) == (LAT0, LON0)
    assert encounter_rows("p", 0, [Encounters.empty()], ["los"], loaded.sectors) == []
    with pytest.raises(ValueError):
        encounter_rows("p", 0, [Encounters.empty()], ["los", "nmac"], loaded.sectors)


def test_encounters_csv_bytes(tmp_path: Path) -> None:
    path = tmp_path / "enc.csv"
    enc = encounters_at([(0.5, -1.25)])
    enc.to_csv(path)
    assert (
        path.read_bytes()
        == (
            ",".join(Encounters.COLUMNS) + "\n" + "red-0000,red,blue-0000,blue,0.0,10.0,5.0,100.0,-50.0,0.5,-1.25\n"
        ).encode()
    )
    named = Encounters(**{**enc.__dict__, "flight_a": np.array(["é-1"], dtype=object)})
    named.to_csv(path)
    assert "é-1".encode() in path.read_bytes()


def test_tactical_columns_from_hand_made_records() -> None:
    from sim.experiment.metrics import TACTICAL_METRICS

    sorties = [
        record(1, "red", launched_s=0.0, landed_s=5400.0),  # red has no layer: all zero but missed
        record(2, "blue", launched_s=0.0, landed_s=7200.0),
        record(3, "blue", launched_s=600.0, landed_s=3000.0),
    ]
    # blue-2: 3 alerts; turned away twice, climbed once, held once; 12.5 min lost net
    # (15 lost, 2.5 given back); blue-3: 1 alert, sent home, its 30 min abandoned
    sorties[1].tactical_alerts = 3
    sorties[1].tactical_manoeuvres = ["turn_away", "altitude", "turn_away", "hold"]
    sorties[1].tactical_lost_s = 750.0
    sorties[2].tactical_alerts = 1
    sorties[2].tactical_manoeuvres = ["rtb"]
    sorties[2].tactical_lost_s = 1800.0
    sorties[2].tactical_abandoned = True
    out = outcome(sorties, {"red": 0, "blue": 0})
    out = Outcome(out.tracks, out.sorties, out.notices_received, 0, (), {"red": 2, "blue": 5}, 0)
    row = replication_row("p", "none", 0, 1, out, [Encounters.empty()], ["los"])
    assert list(row) == row_columns(["red", "blue"], ["los"], tactical=True)
    blue = {m: row[f"blue_{m}"] for m, _ in TACTICAL_METRICS}
    assert blue == {
        "tactical_alerts": 4,
        "tactical_turn_away": 2,
        "tactical_altitude": 1,
        "tactical_hold": 1,
        "tactical_rtb": 1,
        "tactical_lost_min": pytest.approx(42.5),
        "tactical_abandoned": 1,
        "tactical_missed": 5,
    }
    red = {m: row[f"red_{m}"] for m, _ in TACTICAL_METRICS}
    assert red == {m: 0 for m, _ in TACTICAL_METRICS} | {"tactical_missed": 2}
    for side in ("red", "blue"):
        for m, _ in TACTICAL_METRICS:
            assert type(row[f"{side}_{m}"]) is (float if m.endswith("_min") else int), (side, m)
    # without the layer the row has none of these columns
    plain = replication_row("p", "none", 0, 1, outcome(sorties, {"red": 0, "blue": 0}), [Encounters.empty()], ["los"])
    assert not any("tactical" in k for k in plain)
