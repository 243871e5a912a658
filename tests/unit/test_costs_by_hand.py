"""Every per-side column of ``replications.csv`` against sorties counted by hand.

The days are built in ``tests/handmade.py``: bases at the origin, point-like sectors A, B
and C at 30, 60 and 90 NM (5, 10 and 15 minutes at 360 kt), a 2-minute take-off roll, no
jitter, hand-made sorties and hand-made notices delivered to the ops cells. Every expected
number below is worked out in the comments from those quantities only; none is recomputed
by the model or the metrics code.

Red reacts with [altitude, delay, retask, hold, cancel], airborne too, at most 60 min of
delay and 20 min of hold, a 10-min window buffer and a 1,000-ft vertical buffer; its ops
cell takes 5 min to read a batch. Blue is set per test.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from sim.experiment.metrics import SIDE_METRICS, replication_row
from sim.model.day import Outcome
from sim.scenario.load import LoadedScenario
from tests.handmade import fleet, load, notice, run_day, scenario_data, sortie

BLUE_REACTION = {
    "actions": ["delay"],
    "airborne": False,
    "max_delay_min": 20,
    "max_hold_min": 20,
    "buffer_min": 0,
    "vertical_buffer_ft": 0,
}


def row_of(out: Outcome) -> dict[str, float]:
    return replication_row("hand", "none", 0, 0, out, [], [])


def assert_side(row: dict[str, float], side: str, expected: dict[str, float]) -> None:
    """Every metric of ``side`` as expected: counts exactly, minutes and hours to 50 ms (sector size),
    sortie equivalents of mission value to 1e-4 (50 ms of a 30-min window is 3e-5)."""
    assert set(expected) == {name for name, _ in SIDE_METRICS}, "a column is not checked"
    got = {name: row[f"{side}_{name}"] for name in expected}
    for name, want in expected.items():
        if name == "mission_value_lost":
            assert isinstance(got[name], float), (side, name)
            assert got[name] == pytest.approx(want, abs=1e-4), (side, name, got[name], want)
        elif name.endswith(("_min", "_h")):
            tol = 0.05 / 60 if name.endswith("_min") else 0.05 / 3600
            assert got[name] == pytest.approx(want, abs=tol), (side, name, got[name], want)
        else:
            assert isinstance(got[name], int), (side, name)
            assert got[name] == want, (side, name, got[name], want)


@pytest.fixture
def loaded(tmp_path: Path) -> LoadedScenario:
    return load(
        tmp_path,
        scenario_data(blue_reaction=BLUE_REACTION, blue_fleet=fleet(count=1, on_station_min=20, turnaround_min=10)),
    )


def red_day() -> tuple[list, list]:  # type: ignore[type-arg]
    """Red's day: one sortie of each outcome, driven by notices from blue (ids 100+)."""
    sorties = [
        # r0, r8: flown as planned, both in A on station at 60 and both due on the runway
        # at 60 - 5 - 2 = 53. One rolls 53-55; the other waits 2 min for the runway, rolls
        # 55-57, arrives 62, works 30 min to 92, lands 97.
        sortie(0, "red", "A", 60),
        sortie(8, "red", "A", 60),
        # r2: delayed by N1 (A, 100-125): affected since 120 < 125 + 10; no altitude in the
        # notice, so the first action that works is delay: on station at 125 + 10 = 135.
        sortie(2, "red", "A", 120),
        # r3: N2 (A, 200-300) would delay it to 310, 70 min > 60: re-tasked to B instead,
        # on the ground, still on station at 240 (airborne 230, lands 280).
        sortie(3, "red", "A", 240),
        # r1: N3 names no sector (area, 400-500): delay to 510 is 90 min, no sector is free,
        # no hold before take-off: cancelled, its 30 on-station minutes lost.
        sortie(1, "red", "A", 420),
        # r4: airborne at 595 for A at 600; N4 (area, 560-598) read at 591 + 5 = 596, in
        # transit: hold until 598 + 10 = 608, 8 min (<= 20), lost on station.
        sortie(4, "red", "A", 600),
        # r5: airborne at 715 for A at 720; N5 (area, 700-800) read at 716: a hold to 810
        # would take 90 min > 20: sent home at 716, one minute out, lands at 717.
        sortie(5, "red", "A", 720),
        # r6: N6 (B, 840-870, 10,000-14,000 ft) reaches into red's 10,000-20,000 ft block
        # (with the 1,000-ft buffer: 9,000-15,000 ft busy): moved to 15,000-20,000 ft.
        sortie(6, "red", "B", 850),
        # r9: airborne at 995 for A at 1000; N7 (A, 990-1100) read at 996 in transit:
        # re-tasked to B, 1 min out (11.112 km), 100 km left = 9 min: on station 1005
        # instead of 1000 until the fixed end 1030: 5 min lost; lands 1030 + 10 = 1040.
        sortie(9, "red", "A", 1000),
    ]
    deliveries = [
        (30, "red", [notice("blue", "red", 101, "A", 100, 125)]),
        (150, "red", [notice("blue", "red", 102, "A", 200, 300)]),
        (300, "red", [notice("blue", "red", 103, None, 400, 500)]),
        (591, "red", [notice("blue", "red", 104, None, 560, 598)]),
        (711, "red", [notice("blue", "red", 105, None, 700, 800)]),
        (800, "red", [notice("blue", "red", 106, "B", 840, 870, 10000, 14000)]),
        (991, "red", [notice("blue", "red", 107, "A", 990, 1100)]),
    ]
    return sorties, deliveries


def test_every_red_column_by_hand(monkeypatch: pytest.MonkeyPatch, loaded: LoadedScenario) -> None:
    sorties, deliveries = red_day()
    out = run_day(monkeypatch, loaded, sorties, deliveries=deliveries)
    assert_side(
        row_of(out),
        "red",
        {
            "sorties_planned": 9,
            "sorties_flown": 8,  # all but r1 took off (r5 did, then came home)
            # at the default rates (tests/unit/test_mission_value.py has the rules): r0, r8 0
            # (a wait for the runway costs nothing); r2 delayed 15 of its 30 min: 0.5 x 15/30;
            # r3 re-tasked: 0.5; r1 cancelled: 1; r4 held 8 of 30 min, no hold loss: 8/30;
            # r5 sent home before it worked: 1; r6 new block: 0.25; r9 re-tasked in flight
            # with 25 of 30 min worked: 1 - 25/30 x 0.5 = 35/60
            "mission_value_lost": 0.25 + 0.5 + 1 + 8 / 30 + 1 + 0.25 + 35 / 60,
            "cancelled": 1,  # r1
            "aborted": 1,  # r5
            "retasked": 2,  # r3 on the ground, r9 in flight
            "altitude_changed": 1,  # r6
            "held": 1,  # r4
            "delayed": 1,  # r2
            "delay_min": 15.0,  # r2: 120 -> 135
            "wait_min": 2.0,  # r0/r8: one waits 53 -> 55 for the runway; the rolls do not count
            "lost_on_station_min": 30.0 + 8.0 + 30.0 + 5.0,  # r1 all, r4 hold, r5 all, r9 transit to B
            "unresolved": 0,
            "notices_received": 7,  # N1-N7, one a batch
            # airborne minutes: r0, r8: 5 + 30 + 5 = 40 each; r2: 40; r3: 10 + 30 + 10 = 50;
            # r4: 595 -> 630 + 5 = 635, 40 (the hold eats on-station time, not flight time);
            # r5: 715 -> 717, 2; r6: 840 -> 890, 50; r9: 995 -> 1040, 45; 307 min in all
            "flight_h": (40 + 40 + 40 + 50 + 40 + 2 + 50 + 45) / 60.0,
        },
    )


def test_red_sorties_fly_the_times_worked_out_by_hand(monkeypatch: pytest.MonkeyPatch, loaded: LoadedScenario) -> None:
    sorties, deliveries = red_day()
    out = run_day(monkeypatch, loaded, sorties, deliveries=deliveries)
    by_id = {s.id: s for s in out.sorties}
    minutes = {  # id: (airborne, on station, landed), minutes
        2: (130, 135, 170),
        3: (230, 240, 280),
        4: (595, 608, 635),
        5: (715, None, 717),
        6: (840, 850, 890),
        9: (995, 1005, 1040),
    }
    for sid, (up, on, down) in minutes.items():
        s = by_id[sid]
        assert s.launched_s == pytest.approx(up * 60, abs=0.01), sid
        assert s.landed_s == pytest.approx(down * 60, abs=0.01), sid
        if on is not None:
            assert s.work_segments[0][0] == pytest.approx(on * 60, abs=0.01), sid
    assert sorted(by_id[k].launched_s for k in (0, 8)) == pytest.approx([55 * 60, 57 * 60], abs=0.01)
    assert by_id[3].sector == "B" and by_id[3].tasked_sector == "A"
    assert by_id[9].sector == "B"
    assert by_id[6].floor_m == pytest.approx(15000 * 0.3048) and by_id[6].ceiling_m == pytest.approx(20000 * 0.3048)
    assert by_id[4].held_s == pytest.approx(8 * 60, abs=0.01)
    assert by_id[2].t_on_s == pytest.approx(135 * 60) and by_id[2].tasked_t_on_s == pytest.approx(120 * 60)
    assert by_id[1].launched_s is None and by_id[1].cancelled


def test_every_blue_column_by_hand(monkeypatch: pytest.MonkeyPatch, loaded: LoadedScenario) -> None:
    # Blue: one aircraft (20 min on station, 10 min turnaround); it only delays, at most
    # 20 min, on the ground only, no buffers.
    sorties = [
        # b0: A at 60: airborne 55, lands 60 + 20 + 5 = 85, aircraft free again at 95.
        sortie(10, "blue", "A", 60, on_station_min=20),
        # b1: A at 70, due on the runway at 63, but the only aircraft is free at 95: waits
        # 32 min, rolls 95-97, on station 102-122, lands 127 (free again at 137).
        sortie(11, "blue", "A", 70, on_station_min=20),
        # b2: B at 200: M1 (B, 190-210) shifts it to 210, 10 min (<= 20); airborne 200, lands 240.
        sortie(12, "blue", "B", 200, on_station_min=20),
        # b3: B at 300: M2 (B, 290-340) would need 40 min > 20: unresolved, flies as planned (40 min).
        sortie(13, "blue", "B", 300, on_station_min=20),
        # b4: A at 400, airborne at 395; M3 (A, 380-430) read at 397, after take-off, and blue
        # does not re-plan airborne sorties: unresolved, flies as planned (5 + 20 + 5 = 30).
        sortie(14, "blue", "A", 400, on_station_min=20),
    ]
    deliveries = [
        (100, "blue", [notice("red", "blue", 201, "B", 190, 210)]),
        (250, "blue", [notice("red", "blue", 202, "B", 290, 340)]),
        (392, "blue", [notice("red", "blue", 203, "A", 380, 430)]),
    ]
    out = run_day(monkeypatch, loaded, sorties, deliveries=deliveries)
    row = row_of(out)
    assert_side(
        row,
        "blue",
        {
            "sorties_planned": 5,
            "sorties_flown": 5,
            "mission_value_lost": 0.25,  # b2 delayed 10 of its 20 min: 0.5 x 10/20; waits cost nothing
            "cancelled": 0,
            "aborted": 0,
            "retasked": 0,
            "altitude_changed": 0,
            "held": 0,
            "delayed": 1,  # b2
            "delay_min": 10.0,
            "wait_min": 32.0,  # b1 for the aircraft, 63 -> 95
            "lost_on_station_min": 0.0,  # waiting moves the window, it does not shorten it
            "unresolved": 2,  # b3, b4
            "notices_received": 3,
            # b0 30, b1 30, b2 10 + 20 + 10 = 40, b3 40, b4 30 minutes
            "flight_h": (30 + 30 + 40 + 40 + 30) / 60.0,
        },
    )
    # red flew nothing and learnt nothing: every column zero
    assert_side(row, "red", {name: 0 for name, _ in SIDE_METRICS})


def test_a_batch_counts_each_notice_and_the_cell_reads_it_after_the_reaction_time(
    monkeypatch: pytest.MonkeyPatch, loaded: LoadedScenario
) -> None:
    # Three notices in one batch at 100 and two in another at 101: the single officer
    # reads the first 100-105 and the second 105-110; 5 notices received.
    batch1 = [notice("blue", "red", 100 + k, "C", 500, 510) for k in range(3)]
    batch2 = [notice("blue", "red", 110 + k, "C", 500, 510) for k in range(2)]
    out = run_day(monkeypatch, loaded, [], deliveries=[(100, "red", batch1), (101, "red", batch2)])
    assert row_of(out)["red_notices_received"] == 5
    assert row_of(out)["blue_notices_received"] == 0
