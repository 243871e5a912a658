"""What each re-plan decides: the ops cell against hand-made notices.

Days from ``tests/handmade.py`` (bases at the origin, point sectors A/B/C at 5/10/15 min at
360 kt, 2-min take-off roll, no jitter). Red's cell by default: actions [altitude, delay,
retask, hold, cancel], airborne too, max delay 60 min, max hold 20 min, 10-min window
buffer, 1,000-ft vertical buffer, one officer taking 5 min per batch. Times are minutes.
"""

from __future__ import annotations

import copy
import dataclasses
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from sim.experiment.metrics import replication_row
from sim.model.notices import Notice
from sim.scenario.load import LoadedScenario
from tests.handmade import FT, RED_REACTION, at, fleet, load, make_day, notice, run_day, scenario_data, sortie

M = 60.0


def loaded_with(tmp_path: Path, **reaction: Any) -> LoadedScenario:
    red = copy.deepcopy(RED_REACTION)
    ops = reaction.pop("ops_cell", None)
    red.update(reaction)
    return load(tmp_path, scenario_data(red_reaction=red, red_ops=ops))


@pytest.fixture
def loaded(tmp_path: Path) -> LoadedScenario:
    return loaded_with(tmp_path)


def known(day: Any, *notices: Notice) -> Any:
    cell = day.replanner["red"]
    cell.known = {(n.sender, n.sortie_id): n for n in notices}
    return cell


BLOCK = (10000 * FT, 20000 * FT)  # red's fleet block
WINDOW = (120 * M, 150 * M)


# --- affected or not -----------------------------------------------------------------------


def test_affected_by_sector_and_a_notice_without_sector_is_everywhere(
    monkeypatch: pytest.MonkeyPatch, loaded: LoadedScenario
) -> None:
    day = make_day(monkeypatch, loaded, [])
    in_a = notice("blue", "red", 1, "A", 110, 140)
    cell = known(day, in_a)
    assert cell.affecting("A", WINDOW, BLOCK) == [in_a]
    assert cell.affecting("B", WINDOW, BLOCK) == []
    anywhere = notice("blue", "red", 2, None, 110, 140)
    cell = known(day, anywhere)
    assert cell.affecting("A", WINDOW, BLOCK) == [anywhere]
    assert cell.affecting("C", WINDOW, BLOCK) == [anywhere]


@pytest.mark.parametrize(
    ("start", "end", "hit"),
    [
        (100, 110, False),  # ends 10 min (the buffer) before 120: exactly at the edge, clear
        (100, 110.01, True),  # just inside the buffer
        (160, 170, False),  # starts 10 min after 150: clear
        (159.99, 170, True),
        (0, 500, True),  # covers the window
        (130, 135, True),  # inside it
    ],
)
def test_window_buffer_both_edges(
    monkeypatch: pytest.MonkeyPatch, loaded: LoadedScenario, start: float, end: float, hit: bool
) -> None:
    cell = known(make_day(monkeypatch, loaded, []), notice("blue", "red", 1, "A", start, end))
    assert bool(cell.affecting("A", WINDOW, BLOCK)) is hit


@pytest.mark.parametrize(
    ("floor", "ceiling", "hit"),
    [
        # red's block 10,000-20,000 ft, buffer 1,000 ft: a notice must reach above 9,000 ft or
        # below 21,000 ft (half a foot either side of the edges: feet to metres is not exact)
        (5000, 8999.5, False),
        (5000, 9000.5, True),
        (21000.5, 25000, False),
        (20999.5, 25000, True),
        (12000, 14000, True),
        (None, None, True),  # no altitude given: it could be anywhere
    ],
)
def test_vertical_buffer_both_edges(
    monkeypatch: pytest.MonkeyPatch, loaded: LoadedScenario, floor: float | None, ceiling: float | None, hit: bool
) -> None:
    cell = known(make_day(monkeypatch, loaded, []), notice("blue", "red", 1, "A", 110, 140, floor, ceiling))
    assert bool(cell.affecting("A", WINDOW, BLOCK)) is hit
    assert cell.affecting("A", WINDOW, None)  # the altitude ignored: always affected


def test_zero_buffers_make_the_edges_exact(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    loaded = loaded_with(tmp_path, buffer_min=0, vertical_buffer_ft=0)
    day = make_day(monkeypatch, loaded, [])
    assert not known(day, notice("blue", "red", 1, "A", 100, 120)).affecting("A", WINDOW, BLOCK)
    assert known(day, notice("blue", "red", 1, "A", 100, 120.01)).affecting("A", WINDOW, BLOCK)
    assert not known(day, notice("blue", "red", 1, "A", 150, 170)).affecting("A", WINDOW, BLOCK)
    assert not known(day, notice("blue", "red", 1, "A", 130, 140, 5000, 10000)).affecting("A", WINDOW, BLOCK)
    assert known(day, notice("blue", "red", 1, "A", 130, 140, 5000, 10001)).affecting("A", WINDOW, BLOCK)
    assert not known(day, notice("blue", "red", 1, "A", 130, 140, 20000, 25000)).affecting("A", WINDOW, BLOCK)


def test_a_window_already_over_is_not_affected(monkeypatch: pytest.MonkeyPatch, loaded: LoadedScenario) -> None:
    day = make_day(monkeypatch, loaded, [])
    cell = known(day, notice("blue", "red", 1, None, -100, 1000))
    now_min = day.env.now / M
    assert cell.affecting("A", ((now_min - 30) * M, now_min * M), BLOCK) == []  # ends now
    assert cell.affecting("A", ((now_min - 30) * M, (now_min + 0.01) * M), BLOCK)


def test_only_affected_sorties_are_replanned(monkeypatch: pytest.MonkeyPatch, loaded: LoadedScenario) -> None:
    sorties = [
        sortie(1, "red", "A", 200),  # affected: delayed to 230 + 10 = 240
        sortie(2, "red", "B", 200),  # other sector
        sortie(3, "red", "A", 400),  # far in time
    ]
    out = run_day(monkeypatch, loaded, sorties, deliveries=[(100, "red", [notice("blue", "red", 9, "A", 190, 230)])])
    by_id = {s.id: s for s in out.sorties}
    assert by_id[1].t_on_s == pytest.approx(240 * M) and by_id[1].delay_s == pytest.approx(40 * M)
    assert by_id[2].t_on_s == 200 * M and by_id[3].t_on_s == 400 * M
    assert by_id[2].delay_s == by_id[3].delay_s == 0


# --- actions in their order --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("actions", "outcome"),
    [
        (["delay", "retask", "cancel"], "delayed"),
        (["retask", "delay", "cancel"], "retasked"),
        (["cancel", "delay", "retask"], "cancelled"),
        (["hold", "altitude", "retask"], "retasked"),  # hold: not on the ground; altitude: no block given
        (["hold", "altitude"], "unresolved"),
    ],
)
def test_actions_are_tried_in_their_order(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, actions: list[str], outcome: str
) -> None:
    loaded = loaded_with(tmp_path, actions=actions)
    s = sortie(1, "red", "A", 200)
    out = run_day(monkeypatch, loaded, [s], deliveries=[(100, "red", [notice("blue", "red", 9, "A", 190, 230)])])
    done = {
        "delayed": s.delay_s == 40 * M and s.sector == "A" and not s.cancelled,
        "retasked": s.retasked and s.sector == "B" and s.delay_s == 0 and not s.cancelled,
        "cancelled": s.cancelled and s.delay_s == 0 and not s.retasked,
        "unresolved": s.unresolved and s.delay_s == 0 and not s.retasked and not s.cancelled,
    }
    assert done[outcome], (outcome, s)
    assert [k for k, v in done.items() if v] == [outcome]
    assert replication_row("p", "none", 0, 0, out, [], [])["red_unresolved"] == int(outcome == "unresolved")


@pytest.mark.parametrize(
    ("block", "new"),
    [
        # busy with the buffer 13,500-17,000: free 10,000-13,500 (3,500 ft) and 17,000-20,000 (3,000)
        ((14500, 16000), (10000, 13500)),
        # busy 13,000-16,500: free 10,000-13,000 (3,000 ft) and 16,500-20,000 (3,500)
        ((14000, 15500), (16500, 20000)),
    ],
)
def test_altitude_first_when_the_notice_gives_a_block(
    monkeypatch: pytest.MonkeyPatch, loaded: LoadedScenario, block: tuple[float, float], new: tuple[float, float]
) -> None:
    s = sortie(1, "red", "A", 200)
    run_day(monkeypatch, loaded, [s], deliveries=[(100, "red", [notice("blue", "red", 9, "A", 190, 230, *block)])])
    assert s.altitude_changed and s.delay_s == 0 and s.t_on_s == 200 * M
    assert (s.floor_m, s.ceiling_m) == (pytest.approx(new[0] * FT), pytest.approx(new[1] * FT))


def test_altitude_takes_the_widest_free_band(monkeypatch: pytest.MonkeyPatch, loaded: LoadedScenario) -> None:
    # N: 11,000-12,000 ft -> busy 10,000-13,000; free 13,000-20,000
    s = sortie(1, "red", "A", 200)
    run_day(
        monkeypatch, loaded, [s], deliveries=[(100, "red", [notice("blue", "red", 9, "A", 190, 230, 11000, 12000)])]
    )
    assert (s.floor_m, s.ceiling_m) == (pytest.approx(13000 * FT), pytest.approx(20000 * FT))


def test_altitude_between_two_notices(monkeypatch: pytest.MonkeyPatch, loaded: LoadedScenario) -> None:
    # busy 9,000-12,000 and 16,000-21,000 (with buffers): free 12,000-16,000 only
    s = sortie(1, "red", "A", 200)
    batch = [
        notice("blue", "red", 8, "A", 190, 230, 10000, 11000),
        notice("blue", "red", 9, "A", 190, 230, 17000, 20000),
    ]
    run_day(monkeypatch, loaded, [s], deliveries=[(100, "red", batch)])
    assert (s.floor_m, s.ceiling_m) == (pytest.approx(12000 * FT), pytest.approx(16000 * FT))


@pytest.mark.parametrize(
    ("notice_block", "moved"),
    [
        # a 10,000-ft block needs min(a quarter, 1,000 ft) = 1,000 ft free:
        # busy 9,000-18,999 ft leaves 1,001 ft: moved
        ((10000, 17999), True),
        # busy to 19,001 ft leaves 999 ft: too thin, next action (delay)
        ((10000, 18001), False),
    ],
)
def test_altitude_needs_1000_ft_free_in_a_thick_block(
    monkeypatch: pytest.MonkeyPatch, loaded: LoadedScenario, notice_block: tuple[float, float], moved: bool
) -> None:
    s = sortie(1, "red", "A", 200)
    n = notice("blue", "red", 9, "A", 190, 230, *notice_block)
    run_day(monkeypatch, loaded, [s], deliveries=[(100, "red", [n])])
    assert s.altitude_changed is moved
    assert (s.delay_s == 40 * M) is not moved


def test_altitude_needs_a_quarter_of_a_thin_block(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    # a 2,000-ft block (10,000-12,000 ft) needs min(a quarter, 1,000 ft) = 500 ft free
    from tests.handmade import fleet

    red = copy.deepcopy(RED_REACTION)
    red["vertical_buffer_ft"] = 0
    loaded = load(tmp_path, scenario_data(red_reaction=red, red_fleet=fleet(floor_ft=10000, ceiling_ft=12000)))
    for top, moved in ((11499, True), (11501, False)):
        s = sortie(1, "red", "A", 200)
        n = notice("blue", "red", 9, "A", 190, 230, 9000, top)
        run_day(monkeypatch, loaded, [s], deliveries=[(100, "red", [n])])
        assert s.altitude_changed is moved, top


def test_altitude_with_a_notice_without_block_is_impossible(
    monkeypatch: pytest.MonkeyPatch, loaded: LoadedScenario
) -> None:
    s = sortie(1, "red", "A", 200)
    batch = [notice("blue", "red", 8, "A", 190, 230, 10000, 11000), notice("blue", "red", 9, "A", 190, 230)]
    run_day(monkeypatch, loaded, [s], deliveries=[(100, "red", batch)])
    assert not s.altitude_changed and s.delay_s == 40 * M


# --- limits ----------------------------------------------------------------------------------


@pytest.mark.parametrize(("end", "delayed"), [(250, True), (250.01, False)])
def test_delay_limit_inside_and_outside(
    monkeypatch: pytest.MonkeyPatch, loaded: LoadedScenario, end: float, delayed: bool
) -> None:
    # planned at 200; N ends at 250: new start 250 + 10 = 260, exactly 60 min (the limit)
    s = sortie(1, "red", "A", 200)
    run_day(monkeypatch, loaded, [s], deliveries=[(100, "red", [notice("blue", "red", 9, "A", 190, end)])])
    if delayed:
        assert s.delay_s == pytest.approx(60 * M) and s.t_on_s == pytest.approx(260 * M) and not s.retasked
    else:
        assert s.delay_s == 0 and s.retasked and s.sector == "B"


def test_delay_counts_from_the_tasked_time_over_several_notices(
    monkeypatch: pytest.MonkeyPatch, loaded: LoadedScenario
) -> None:
    # planned at 200: N1 (190-220) -> 230; N2 (225-245) -> 255; N3 (250-265) would need 275 = 75 min > 60
    s = sortie(1, "red", "A", 200)
    deliveries = [
        (100, "red", [notice("blue", "red", 1, "A", 190, 220)]),
        (110, "red", [notice("blue", "red", 2, "A", 225, 245)]),
        (120, "red", [notice("blue", "red", 3, "A", 250, 265)]),
    ]
    run_day(monkeypatch, loaded, [s], deliveries=deliveries[:2])
    assert s.t_on_s == pytest.approx(255 * M) and s.delay_s == pytest.approx(55 * M)
    s = sortie(1, "red", "A", 200)
    run_day(monkeypatch, loaded, [s], deliveries=deliveries)
    assert s.delay_s == pytest.approx(55 * M) and s.retasked and s.sector == "B"  # the third: re-tasked


def test_delay_jumps_over_back_to_back_notices_in_one_decision(
    monkeypatch: pytest.MonkeyPatch, loaded: LoadedScenario
) -> None:
    s = sortie(1, "red", "A", 200)
    batch = [notice("blue", "red", 1, "A", 190, 220), notice("blue", "red", 2, "A", 240, 245)]
    # 230 still meets N2 (240 - 10 = 230 < 260): 245 + 10 = 255
    run_day(monkeypatch, loaded, [s], deliveries=[(100, "red", batch)])
    assert s.t_on_s == pytest.approx(255 * M) and s.delay_s == pytest.approx(55 * M)


@pytest.mark.parametrize(("end", "held"), [(610, True), (610.01, False)])
def test_hold_limit_inside_and_outside(
    monkeypatch: pytest.MonkeyPatch, loaded: LoadedScenario, end: float, held: bool
) -> None:
    # airborne 595 for A at 600; an area notice read at 596, in transit. Ending at 610 it
    # clears at 620: a 20-min hold, exactly the limit; a hundredth of a minute more is too much.
    s = sortie(4, "red", "A", 600)
    run_day(monkeypatch, loaded, [s], deliveries=[(591, "red", [notice("blue", "red", 9, None, 560, end)])])
    if held:
        assert s.held_s == pytest.approx(20 * M) and not s.aborted
    else:
        assert s.held_s == 0 and s.aborted  # the next action: sent home


def test_hold_only_while_its_window_is_still_ahead(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    # a hold to a clear time at or after the end of the on-station window is no use
    loaded = loaded_with(tmp_path, max_hold_min=100)
    s = sortie(4, "red", "A", 600)  # window 600-630
    run_day(monkeypatch, loaded, [s], deliveries=[(591, "red", [notice("blue", "red", 9, None, 560, 620)])])
    assert s.held_s == 0 and s.aborted  # clear at 630: nothing left to work
    s = sortie(4, "red", "A", 600)
    run_day(monkeypatch, loaded, [s], deliveries=[(591, "red", [notice("blue", "red", 9, None, 560, 619.9)])])
    assert s.held_s == pytest.approx(29.9 * M) and not s.aborted


def test_hold_limit_counts_all_holds_of_a_sortie(monkeypatch: pytest.MonkeyPatch, loaded: LoadedScenario) -> None:
    # one officer reads the batches at 596, 601 and 606. N1 (clear at 605): hold 5 min, on
    # station at 605; N2 (clear at 612): 7 more, 12 in all (<= 20); N3 (clear at 621): 9 more
    # would be 21 > 20: sent home.
    s = sortie(4, "red", "A", 600)
    deliveries = [
        (591, "red", [notice("blue", "red", 1, None, 560, 595)]),
        (591.5, "red", [notice("blue", "red", 2, None, 560, 602)]),
    ]
    run_day(monkeypatch, loaded, [s], deliveries=deliveries)
    assert s.held_s == pytest.approx(12 * M) and not s.aborted
    s = sortie(4, "red", "A", 600)
    deliveries.append((592, "red", [notice("blue", "red", 3, None, 560, 611)]))
    run_day(monkeypatch, loaded, [s], deliveries=deliveries)
    assert s.held_s == pytest.approx(12 * M) and s.aborted


# --- phases: ground, airborne, rolling, station, egress ----------------------------------------


def test_airborne_false_replans_only_on_the_ground(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    loaded = loaded_with(tmp_path, airborne=False)
    ground = sortie(1, "red", "A", 600)  # roll at 593; read at 586, still planned: delayed to 630
    air = sortie(2, "red", "B", 700)  # airborne 690, read at 692 in transit
    deliveries = [
        (581, "red", [notice("blue", "red", 1, "A", 590, 620)]),
        (687, "red", [notice("blue", "red", 2, "B", 690, 720)]),
    ]
    out = run_day(monkeypatch, loaded, [ground, air], deliveries=deliveries)
    assert ground.delay_s == pytest.approx(30 * M) and not ground.unresolved
    assert air.unresolved and not (air.aborted or air.retasked or air.held_s)
    assert replication_row("p", "none", 0, 0, out, [], [])["red_unresolved"] == 1


def test_airborne_true_replans_in_transit_and_on_station(
    monkeypatch: pytest.MonkeyPatch, loaded: LoadedScenario
) -> None:
    transit = sortie(1, "red", "A", 600)  # airborne 595; read at 596: hold to 608 (area 560-598)
    station = sortie(2, "red", "A", 800)  # on station 800-830; read at 805: re-tasked to B in flight
    deliveries = [
        (591, "red", [notice("blue", "red", 1, None, 560, 598)]),
        (800, "red", [notice("blue", "red", 2, "A", 800, 900)]),
    ]
    run_day(monkeypatch, loaded, [transit, station], deliveries=deliveries)
    assert transit.held_s == pytest.approx(8 * M)
    # left A at 805 for B, 30 NM further: 5 min; worked 800-805 and 810-830: 5 min lost
    assert station.retasked and station.sector == "B"
    assert station.work_segments == [
        [pytest.approx(800 * M), pytest.approx(805 * M)],
        [pytest.approx(810 * M), pytest.approx(830 * M)],
    ]
    assert station.lost_on_station_s == pytest.approx(5 * M, abs=0.05)


def test_on_station_hold_is_not_possible_and_cancel_sends_home(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    loaded = loaded_with(tmp_path, actions=["hold", "delay", "cancel"])
    s = sortie(2, "red", "A", 800)  # on station 800-830; area notice read at 805
    run_day(monkeypatch, loaded, [s], deliveries=[(800, "red", [notice("blue", "red", 2, None, 800, 810)])])
    assert s.aborted and s.held_s == 0 and s.delay_s == 0
    # worked 800-805, then 5 min home: lands 810
    assert s.work_segments == [[pytest.approx(800 * M), pytest.approx(805 * M)]]
    assert s.landed_s == pytest.approx(810 * M, abs=0.05)
    assert s.lost_on_station_s == pytest.approx(25 * M, abs=0.05)


def test_rolling_and_egress_are_left_alone(monkeypatch: pytest.MonkeyPatch, loaded: LoadedScenario) -> None:
    rolling = sortie(1, "red", "A", 600)  # rolls 593-595; read at 594
    egress = sortie(2, "red", "B", 800)  # on station until 830, home at 840; read at 835
    deliveries = [
        (589, "red", [notice("blue", "red", 1, "A", 590, 640)]),
        (830, "red", [notice("blue", "red", 2, None, 600, 900)]),
    ]
    run_day(monkeypatch, loaded, [rolling, egress], deliveries=deliveries)
    assert rolling.unresolved and rolling.delay_s == 0 and not rolling.retasked  # committed on the runway
    assert rolling.launched_s == pytest.approx(595 * M)
    assert not egress.unresolved and not egress.aborted and egress.landed_s == pytest.approx(840 * M, abs=0.05)


def test_a_sortie_waiting_for_an_aircraft_can_still_be_delayed(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    from tests.handmade import fleet

    loaded = load(tmp_path, scenario_data(red_fleet=fleet(count=1, on_station_min=30, turnaround_min=60)))
    first = sortie(1, "red", "A", 100)  # lands 135, aircraft free at 195
    second = sortie(2, "red", "A", 150)  # due to roll at 143: waits for the aircraft ("ground")
    # N (A, 165-200) read at 160 while it waits: delayed to 210, 60 min (the limit)
    out = run_day(
        monkeypatch, loaded, [first, second], deliveries=[(155, "red", [notice("blue", "red", 9, "A", 165, 200)])]
    )
    assert second.delay_s == pytest.approx(60 * M) and second.t_on_s == pytest.approx(210 * M)
    # the aircraft comes at 195 (52 min of waiting); the new plan rolls at 203: airborne 205
    assert second.wait_s == pytest.approx((195 - 143) * M, abs=0.05)
    assert second.launched_s == pytest.approx(205 * M, abs=0.05)
    assert out.notices_received["red"] == 1


# --- what the cell knows -------------------------------------------------------------------------


def test_a_newer_notice_replaces_the_older_and_a_withdrawal_removes_it(
    monkeypatch: pytest.MonkeyPatch, loaded: LoadedScenario
) -> None:
    day = make_day(monkeypatch, loaded, [])
    cell = day.replanner["red"]
    first = notice("blue", "red", 7, "A", 100, 130)
    newer = notice("blue", "red", 7, "B", 300, 330)
    other = notice("blue", "red", 8, "C", 100, 130)
    gone = notice("blue", "red", 7, "B", 300, 330, withdrawn=True)
    snapshots: list[dict[Any, Notice]] = []
    for minute, batch in ((10, [first, other]), (20, [newer]), (30, [gone])):
        at(day, minute, lambda batch=batch: day.send("red", batch))
        at(day, minute + 6, lambda: snapshots.append(dict(cell.known)))
    day.run()
    assert snapshots[0] == {("blue", 7): first, ("blue", 8): other}
    assert snapshots[1] == {("blue", 7): newer, ("blue", 8): other}
    assert snapshots[2] == {("blue", 8): other}
    assert cell.received == 4  # withdrawals are read too


def test_a_withdrawn_notice_no_longer_moves_a_later_sortie(
    monkeypatch: pytest.MonkeyPatch, loaded: LoadedScenario
) -> None:
    # N (A, 290-330) is withdrawn before a short-notice sortie for A at 300 is decided
    s = sortie(1, "red", "A", 300, short_notice=True, created_min=200)
    deliveries = [
        (100, "red", [notice("blue", "red", 9, "A", 290, 330)]),
        (150, "red", [notice("blue", "red", 9, "A", 290, 330, withdrawn=True)]),
    ]
    run_day(monkeypatch, loaded, [s], deliveries=deliveries)
    assert s.delay_s == 0 and not s.retasked and not s.unresolved
    # without the withdrawal, the sortie is planned around the notice when it is decided
    s = sortie(1, "red", "A", 300, short_notice=True, created_min=200)
    run_day(monkeypatch, loaded, [s], deliveries=deliveries[:1])
    assert s.delay_s == pytest.approx(40 * M)


def test_unresolved_counts_each_sortie_once(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    loaded = loaded_with(tmp_path, actions=["delay"], max_delay_min=5)
    sorties = [sortie(1, "red", "A", 300), sortie(2, "red", "B", 300)]
    deliveries = [
        (100, "red", [notice("blue", "red", 1, "A", 290, 330)]),
        (110, "red", [notice("blue", "red", 2, "A", 300, 340), notice("blue", "red", 3, None, 280, 350)]),
        (120, "red", [notice("blue", "red", 4, "A", 310, 320)]),
    ]
    out = run_day(monkeypatch, loaded, sorties, deliveries=deliveries)
    assert all(s.unresolved for s in sorties)
    row = replication_row("p", "none", 0, 0, out, [], [])
    assert row["red_unresolved"] == 2 and row["red_notices_received"] == 4


def test_a_recheck_clears_unresolved(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    # unresolved at 105 (a delay of 40 min > 5); a newer notice about the same blue sortie
    # moves it to 30,000 ft: read at 115, the red sortie is re-checked and is clear
    loaded = loaded_with(tmp_path, actions=["delay"], max_delay_min=5)
    s = sortie(1, "red", "A", 300)
    deliveries = [
        (100, "red", [notice("blue", "red", 1, "A", 290, 330)]),
        (110, "red", [notice("blue", "red", 1, "A", 290, 330, 30000, 31000)]),
    ]
    run_day(monkeypatch, loaded, [s], deliveries=deliveries[:1])
    assert s.unresolved
    s = sortie(1, "red", "A", 300)
    run_day(monkeypatch, loaded, [s], deliveries=deliveries)
    assert s.unresolved is False and s.delay_s == 0


# --- the cell's own time -----------------------------------------------------------------------


@pytest.mark.parametrize(("staff", "read_at"), [(1, [105, 110, 115]), (2, [105, 105, 110]), (3, [105, 105, 105])])
def test_reaction_time_and_staff_queueing(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, staff: int, read_at: list[float]
) -> None:
    loaded = loaded_with(tmp_path, ops_cell={"staff": staff, "reaction_min": 5})
    day = make_day(monkeypatch, loaded, [])
    cell = day.replanner["red"]
    for k in range(3):
        at(day, 100, lambda k=k: day.send("red", [notice("blue", "red", k, "C", 500, 510)]))
    counts: dict[float, int] = {}
    for minute in (104.9, 105.1, 109.9, 110.1, 114.9, 115.1):
        at(day, minute, lambda minute=minute: counts.__setitem__(minute, cell.received))
    day.run()
    for minute, count in counts.items():
        assert count == sum(t <= minute for t in read_at), (minute, counts)


def test_decisions_happen_after_the_reaction_time(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    # reaction 20 min: read at 100 + 20 = 120, after the sortie's roll at 113 for 120: it
    # is airborne (transit) by then, so no delay is possible: re-tasked in flight instead
    loaded = loaded_with(tmp_path, ops_cell={"staff": 1, "reaction_min": 20})
    s = sortie(1, "red", "A", 120)
    run_day(monkeypatch, loaded, [s], deliveries=[(99, "red", [notice("blue", "red", 9, "A", 110, 140)])])
    assert s.delay_s == 0 and s.retasked
    loaded = loaded_with(tmp_path, ops_cell={"staff": 1, "reaction_min": 10})
    s = sortie(1, "red", "A", 120)
    run_day(monkeypatch, loaded, [s], deliveries=[(99, "red", [notice("blue", "red", 9, "A", 110, 140)])])
    assert s.delay_s == pytest.approx(30 * M) and not s.retasked  # read at 109, before the roll at 113


def test_the_last_notice_about_a_sortie_in_a_batch_wins(
    monkeypatch: pytest.MonkeyPatch, loaded: LoadedScenario
) -> None:
    day = make_day(monkeypatch, loaded, [])
    cell = day.replanner["red"]
    a, b = notice("blue", "red", 1, "A", 100, 130), notice("blue", "red", 1, "B", 100, 130)
    at(day, 10, lambda: day.send("red", [a, b]))
    day.run()
    assert cell.known == {("blue", 1): b}


# --- phases at their exact edges, and what a finished sortie keeps ----------------------------


def test_phase_edges(monkeypatch: pytest.MonkeyPatch, loaded: LoadedScenario) -> None:
    day = make_day(monkeypatch, loaded, [])
    cell = day.replanner["red"]
    s = sortie(1, "red", "A", 100)
    s.launched_s, s.on_station_start_s, s.on_station_end_s = 95 * M, 100 * M, 130 * M
    for now, phase in ((99.99, "transit"), (100, "station"), (129.99, "station"), (130, "egress")):
        day.env._now = now * M  # the clock set by hand: phase() reads only the clock and the sortie
        assert cell.phase(s) == phase, now
    s.landed_s = 135 * M
    assert cell.phase(s) == "done"
    for flag in ("cancelled", "aborted"):
        t = sortie(2, "red", "A", 100)
        setattr(t, flag, True)
        assert cell.phase(t) == "done"
    day.env._now = 0.0
    assert cell.phase(sortie(3, "red", "A", 100)) == "planned"  # rolls at 93
    day.env._now = 94 * M
    assert cell.phase(sortie(3, "red", "A", 100)) == "ground"
    day.rolling.add(3)
    assert cell.phase(sortie(3, "red", "A", 100)) == "rolling"


def test_the_window_of_an_airborne_sortie_is_its_actual_one(
    monkeypatch: pytest.MonkeyPatch, loaded: LoadedScenario
) -> None:
    # r1 and r2 share the runway: r2 rolls 55-57, on station 62-92 instead of 60-90. A
    # notice for A from 100.5 (buffer 10: from 90.5) affects r2's actual window only.
    r1, r2 = sortie(1, "red", "A", 60), sortie(2, "red", "A", 60)
    run_day(monkeypatch, loaded, [r1, r2], deliveries=[(80, "red", [notice("blue", "red", 9, "A", 100.5, 120)])])
    assert not r1.retasked
    assert r2.retasked and r2.sector == "B"  # read at 85, on station: re-tasked in flight


def test_a_clear_notice_does_not_hide_a_later_one(monkeypatch: pytest.MonkeyPatch, loaded: LoadedScenario) -> None:
    day = make_day(monkeypatch, loaded, [])
    high = notice("blue", "red", 1, "A", 110, 140, 30000, 31000)  # same place and time, far above
    near = notice("blue", "red", 2, "A", 110, 140, 12000, 14000)
    other = notice("blue", "red", 3, "B", 110, 140)
    early = notice("blue", "red", 4, "A", 0, 10)
    cell = known(day, high, other, early, near)
    assert cell.affecting("A", WINDOW, BLOCK) == [near]


def test_a_finished_sortie_is_not_replanned(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    loaded = loaded_with(tmp_path, ops_cell={"staff": 2, "reaction_min": 5})
    # aborted at 716 (1 min out, home at 717); a second notice read at 716.5 would re-task it
    # to B if it were still a candidate
    aborted = sortie(5, "red", "A", 720)
    # cancelled at 305; a notice read at 315 could delay it if it were still a candidate
    cancelled = sortie(1, "red", "A", 420)
    deliveries = [
        (711, "red", [notice("blue", "red", 1, None, 700, 800)]),
        (711.5, "red", [notice("blue", "red", 2, "A", 700, 800)]),
        (300, "red", [notice("blue", "red", 3, None, 400, 500)]),
        (310, "red", [notice("blue", "red", 4, "A", 410, 430)]),
    ]
    run_day(monkeypatch, loaded, [aborted, cancelled], deliveries=deliveries)
    assert aborted.aborted and not aborted.retasked and aborted.sector == "A"
    assert aborted.landed_s == pytest.approx(717 * M, abs=0.05)
    assert cancelled.cancelled and cancelled.delay_s == 0 and not cancelled.retasked


def test_an_unresolved_sortie_stays_counted_after_its_window(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    # airborne: false; unresolved in transit at 597; a notice about the same time read at
    # 632, in egress (window ended 630, lands 635): it flew unresolved and stays counted
    loaded = loaded_with(tmp_path, airborne=False)
    s = sortie(1, "red", "A", 600)
    deliveries = [
        (592, "red", [notice("blue", "red", 1, "A", 590, 640)]),
        (627, "red", [notice("blue", "red", 2, "A", 600, 650)]),  # read at 632, in egress
    ]
    out = run_day(monkeypatch, loaded, [s], deliveries=deliveries)
    assert s.unresolved is True
    assert replication_row("p", "none", 0, 0, out, [], [])["red_unresolved"] == 1


def test_a_notice_just_after_a_window_still_reaches_it_through_the_buffer(
    monkeypatch: pytest.MonkeyPatch, loaded: LoadedScenario
) -> None:
    # sortie on station 125-155 (planned); notice 160-170: within the 10-min buffer
    s = sortie(1, "red", "A", 125)
    run_day(monkeypatch, loaded, [s], deliveries=[(50, "red", [notice("blue", "red", 9, "A", 160, 170)])])
    assert s.delay_s == pytest.approx(55 * M)  # to 170 + 10 = 180
    s = sortie(1, "red", "A", 125)
    run_day(monkeypatch, loaded, [s], deliveries=[(50, "red", [notice("blue", "red", 9, "A", 95, 110)])])
    assert s.delay_s == 0  # 110 + 10 = 120 < 125: clear


def test_a_sortie_left_unresolved_on_the_runway_is_replanned_when_next_checked(
    monkeypatch: pytest.MonkeyPatch, loaded: LoadedScenario
) -> None:
    # N1 (A, 590-640) read at 594 while the sortie rolls (593-595): unresolved, and nothing
    # else arrives. With N2 (C, far away in time and place) read at 597, in transit: the
    # unresolved sortie is re-checked at every batch, and re-tasked to B.
    s = sortie(1, "red", "A", 600)
    first = (589, "red", [notice("blue", "red", 1, "A", 590, 640)])
    run_day(monkeypatch, loaded, [s], deliveries=[first])
    assert s.unresolved and not s.retasked
    s = sortie(1, "red", "A", 600)
    run_day(monkeypatch, loaded, [s], deliveries=[first, (592, "red", [notice("blue", "red", 2, "C", 900, 910)])])
    assert s.retasked and s.sector == "B" and s.unresolved is False


def test_an_unresolved_sortie_is_replanned_when_a_notice_elsewhere_frees_its_way_out(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    # re-tasking only; at 105 notices about A and B (the only sectors red flies) leave the
    # sortie in A nowhere to go: unresolved. At 115 the notice about B is withdrawn: B is free
    loaded = loaded_with(tmp_path, actions=["retask"])
    s = sortie(1, "red", "A", 300)
    in_a, in_b = notice("blue", "red", 1, "A", 290, 330), notice("blue", "red", 2, "B", 290, 330)
    run_day(monkeypatch, loaded, [s], deliveries=[(100, "red", [in_a, in_b])])
    assert s.unresolved and s.sector == "A"
    s = sortie(1, "red", "A", 300)
    gone = notice("blue", "red", 2, "B", 290, 330, withdrawn=True)
    run_day(monkeypatch, loaded, [s], deliveries=[(100, "red", [in_a, in_b]), (110, "red", [gone])])
    assert s.unresolved is False and s.retasked and s.sector == "B"


def test_a_second_notice_on_a_delayed_sortie_counts_the_delay_from_the_tasked_time(
    monkeypatch: pytest.MonkeyPatch, loaded: LoadedScenario
) -> None:
    # the sortie (A, 300-330) is delayed by N1 (290-340) to 340 + 10 = 350 min (50 min);
    # N2 (C) changes nothing; N3 (A, 345-360) touches 350-380: a delay to 370 would be 70 min
    # after the tasked 300 (> 60), so it is re-tasked to B, keeping its 50 min of delay
    s = sortie(1, "red", "A", 300)
    deliveries = [
        (100, "red", [notice("blue", "red", 1, "A", 290, 340)]),
        (110, "red", [notice("blue", "red", 2, "C", 350, 420)]),
        (120, "red", [notice("blue", "red", 3, "A", 345, 360)]),
    ]
    run_day(monkeypatch, loaded, [s], deliveries=deliveries[:2])
    assert s.delay_s == pytest.approx(50 * M) and not s.retasked and s.sector == "A"
    s = sortie(1, "red", "A", 300)
    run_day(monkeypatch, loaded, [s], deliveries=deliveries)
    assert s.delay_s == pytest.approx(50 * M) and s.retasked and s.sector == "B" and s.unresolved is False


def test_altitude_moves_stay_inside_the_altitude_split_block(
    monkeypatch: pytest.MonkeyPatch, loaded: LoadedScenario
) -> None:
    from sim.scenario.rules import AltitudeSplit

    # red is the upper side above 15,000 + 500 ft: its block is 15,500-20,000 ft. A notice at
    # 16,900-17,900 ft (busy 15,900-18,900): free 15,500-15,900 (400 ft) and 18,900-20,000
    # (1,100 ft): moved to 18,900-20,000, never below the split
    split = AltitudeSplit(kind="altitude_split", upper="red", boundary_ft=15000, margin_ft=500, min_block_ft=2000)
    s = sortie(1, "red", "A", 200)
    n = notice("blue", "red", 9, "A", 190, 230, 16900, 17900)
    run_day(monkeypatch, loaded, [s], split, deliveries=[(100, "red", [n])])
    assert s.altitude_changed and s.delay_s == 0
    assert (s.floor_m, s.ceiling_m) == (pytest.approx(18900 * FT), pytest.approx(20000 * FT))


@pytest.mark.parametrize("how", ["withdrawn", "moved"])
def test_unresolved_is_cleared_when_its_notice_goes_away(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, how: str
) -> None:
    # unresolved at 105 (a delay of 40 min > 5); at 115 the blue sortie behind the notice is
    # withdrawn, or re-announced for sector C: no known notice affects the red sortie any more
    loaded = loaded_with(tmp_path, actions=["delay"], max_delay_min=5)
    s = sortie(1, "red", "A", 300)
    later = (
        notice("blue", "red", 1, "A", 290, 330, withdrawn=True)
        if how == "withdrawn"
        else notice("blue", "red", 1, "C", 290, 330)
    )
    deliveries = [(100, "red", [notice("blue", "red", 1, "A", 290, 330)]), (110, "red", [later])]
    run_day(monkeypatch, loaded, [s], deliveries=deliveries)
    assert s.unresolved is False


# --- details of each action ------------------------------------------------------------------


def loaded_from_ground(tmp_path: Path, **reaction: Any) -> tuple[LoadedScenario, float]:
    """Red flying 0-10,000 ft with no vertical buffer, so free bands are exact differences; the top (m)."""
    red = {**copy.deepcopy(RED_REACTION), "vertical_buffer_ft": 0, **reaction}
    loaded = load(tmp_path, scenario_data(red_reaction=red, red_fleet=fleet(floor_ft=0, ceiling_ft=10000)))
    high = loaded.scenario.sides["red"].fleets["jet"].ceiling_m
    return loaded, high


def test_altitude_picks_the_lower_of_two_free_bands_of_exactly_equal_width(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    # busy from w to 7,000 ft where w = top - 7,000 ft in floats: two free bands of exactly
    # the same width (0-w and 7,000 ft-top); the lower one is taken
    loaded, high = loaded_from_ground(tmp_path, actions=["altitude"])
    above = 7000 * FT
    width = high - above  # exact: above is within a factor 2 of high
    n = dataclasses.replace(notice("blue", "red", 9, "A", 190, 230), floor_m=width, ceiling_m=above)
    s = sortie(1, "red", "A", 200)
    run_day(monkeypatch, loaded, [s], deliveries=[(100, "red", [n])])
    assert s.altitude_changed and (s.floor_m, s.ceiling_m) == (0.0, width)


def test_altitude_takes_a_free_band_of_exactly_the_minimum_width(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    # the minimum is min(a quarter of the 10,000-ft block, 1,000 ft) = 1,000 ft; the only free
    # band, 0 to 1,000 ft, is exactly that wide in floats: taken. A hair thinner: refused, and
    # the delay follows
    loaded, high = loaded_from_ground(tmp_path, actions=["altitude", "delay"])
    minimum = min(0.25 * high, 1000 * FT)
    for floor_m, moved in ((minimum, True), (float(np.nextafter(minimum, 0.0)), False)):
        n = dataclasses.replace(notice("blue", "red", 9, "A", 190, 230), floor_m=floor_m, ceiling_m=high)
        s = sortie(1, "red", "A", 200)
        run_day(monkeypatch, loaded, [s], deliveries=[(100, "red", [n])])
        assert s.altitude_changed is moved
        assert s.delay_s == (0 if moved else pytest.approx(40 * M))
        if moved:
            assert (s.floor_m, s.ceiling_m) == (0.0, minimum)


def test_altitude_with_no_free_band_leaves_it_to_the_next_action(
    monkeypatch: pytest.MonkeyPatch, loaded: LoadedScenario
) -> None:
    s = sortie(1, "red", "A", 200)
    n = notice("blue", "red", 9, "A", 190, 230, 9000, 21000)  # busy 8,000-22,000 ft: nothing free
    run_day(monkeypatch, loaded, [s], deliveries=[(100, "red", [n])])
    assert not s.altitude_changed and s.delay_s == pytest.approx(40 * M)


def test_an_altitude_move_is_the_whole_decision(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    loaded = loaded_with(tmp_path, actions=["altitude", "cancel"])
    s = sortie(1, "red", "A", 200)
    run_day(
        monkeypatch, loaded, [s], deliveries=[(100, "red", [notice("blue", "red", 9, "A", 190, 230, 14500, 16000)])]
    )
    assert s.altitude_changed and not s.cancelled and s.launched_s is not None


def test_delay_steps_over_notices_clear_in_altitude(monkeypatch: pytest.MonkeyPatch, loaded: LoadedScenario) -> None:
    # N1 (no altitude) moves the sortie to 240; N2 just after is far above: no further shift
    s = sortie(1, "red", "A", 200)
    batch = [notice("blue", "red", 1, "A", 190, 230), notice("blue", "red", 2, "A", 230, 260, 30000, 31000)]
    run_day(monkeypatch, loaded, [s], deliveries=[(100, "red", batch)])
    assert s.t_on_s == pytest.approx(240 * M) and s.delay_s == pytest.approx(40 * M)


def test_delay_gives_up_after_twenty_shifts(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    # 25 short notices 45 min apart: each shift (to the end + 10) meets the next one and
    # only that one; after 20 shifts the delay gives up and the sortie is re-tasked
    loaded = loaded_with(tmp_path, max_delay_min=1000)
    s = sortie(1, "red", "A", 200)
    batch = [notice("blue", "red", k, "A", 200 + 45 * k, 205 + 45 * k) for k in range(25)]
    run_day(monkeypatch, loaded, [s], deliveries=[(100, "red", batch)])
    assert s.delay_s == 0 and s.retasked and s.sector == "B"
    s = sortie(1, "red", "A", 200)  # 15 notices: after 15 shifts clear, at 200 + 45 * 14 + 15 = 845
    run_day(monkeypatch, loaded, [s], deliveries=[(100, "red", batch[:15])])
    assert s.t_on_s == pytest.approx(845 * M) and not s.retasked


def test_retask_only_to_sectors_no_notice_affects(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    loaded = loaded_with(tmp_path, actions=["retask", "cancel"])
    # A and B both taken: nowhere to go, cancelled
    s = sortie(1, "red", "A", 200)
    batch = [notice("blue", "red", 1, "A", 190, 230), notice("blue", "red", 2, "B", 190, 230)]
    run_day(monkeypatch, loaded, [s], deliveries=[(100, "red", batch)])
    assert s.cancelled and not s.retasked
    # B's notice is far above: B is free
    s = sortie(1, "red", "A", 200)
    batch = [notice("blue", "red", 1, "A", 190, 230), notice("blue", "red", 2, "B", 190, 230, 30000, 31000)]
    run_day(monkeypatch, loaded, [s], deliveries=[(100, "red", batch)])
    assert s.retasked and s.sector == "B"


def test_retask_never_to_a_zero_weight_sector(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    data = scenario_data(red_reaction={**RED_REACTION, "actions": ["retask", "cancel"]})
    data["sides"]["red"]["sector_weights"] = {"A": 1, "B": 0}
    loaded = load(tmp_path, data)
    s = sortie(1, "red", "A", 200)
    run_day(monkeypatch, loaded, [s], deliveries=[(100, "red", [notice("blue", "red", 1, "A", 190, 230)])])
    assert s.cancelled and s.sector == "A"


@pytest.mark.parametrize(("choice_u", "sector"), [(0.2, "B"), (1 / 3, "C"), (0.5, "C"), (0.99, "C")])
def test_retask_picks_by_weight_with_the_sorties_own_number(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, choice_u: float, sector: str
) -> None:
    # A taken; B weighs 1 and C 2: B for choice_u in [0, 1/3), C for [1/3, 1)
    data = scenario_data(red_reaction={**RED_REACTION, "actions": ["retask"]})
    data["sides"]["red"]["sector_weights"] = {"A": 1, "B": 1, "C": 2}
    loaded = load(tmp_path, data)
    s = sortie(1, "red", "A", 200, choice_u=choice_u)
    run_day(monkeypatch, loaded, [s], deliveries=[(100, "red", [notice("blue", "red", 1, "A", 190, 230)])])
    assert s.retasked and s.sector == sector


def test_a_hold_of_half_a_second(monkeypatch: pytest.MonkeyPatch, loaded: LoadedScenario) -> None:
    # airborne 595 for A at 600; the area notice clears half a second after its arrival
    s = sortie(4, "red", "A", 600)
    end = 590 + 0.5 / M
    run_day(monkeypatch, loaded, [s], deliveries=[(591, "red", [notice("blue", "red", 9, None, 560, end)])])
    assert s.held_s == pytest.approx(0.5, abs=0.01) and not s.aborted
