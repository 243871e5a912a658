"""What each side learns: every notice each rule sends, its content and when it goes.

Days from ``tests/handmade.py`` (bases at the origin, point sectors A/B/C at 5/10/15 min,
2-min take-off roll, no jitter); the day's ``send`` is wrapped so that every batch is
recorded as (time, receiver, notices) and still delivered. Times below are minutes.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import pytest
import simpy

from sim.model.notices import Notice
from sim.scenario.load import LoadedScenario
from sim.scenario.rules import AdvanceNotice, AltitudeSplit, Hotline, NoNotice, SharedSchedule
from tests.handmade import FT, load, notice, record_sends, run_day, scenario_data, sortie

M = 60.0


@pytest.fixture
def loaded(tmp_path: Path) -> LoadedScenario:
    return load(tmp_path, scenario_data())


def advance(**fields: Any) -> AdvanceNotice:
    return AdvanceNotice.model_validate({"kind": "advance_notice", "from": "red", "to": "blue", **fields})


def flat(sent: list[tuple[float, str, list[Notice]]]) -> list[tuple[float, str, Notice]]:
    """The recorded notices one by one; each names its receiver and (unless hand-made) its time."""
    out = [(t, receiver, n) for t, receiver, batch in sent for n in batch]
    for t, receiver, n in out:
        assert n.receiver == receiver and n.sender != receiver, n
        assert n.sent_s == 0.0 or n.sent_s == t, (n, t)  # hand-made notices carry 0
    return out


# --- content -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("content", "sector", "block"),
    [
        ("area", None, (None, None)),
        ("sector", "B", (None, None)),
        ("sector_altitude", "B", (10000 * FT, 20000 * FT)),  # the fleet's block
    ],
)
def test_advance_notice_content(
    monkeypatch: pytest.MonkeyPatch, loaded: LoadedScenario, content: str, sector: str | None, block: tuple
) -> None:  # type: ignore[type-arg]
    sent = record_sends(monkeypatch)
    s = sortie(3, "red", "B", 200, on_station_min=40)
    run_day(monkeypatch, loaded, [s], advance(lead_min=60, content=content))
    [(t, receiver, n)] = flat(sent)
    assert receiver == "blue" and n.receiver == "blue" and n.sender == "red" and n.sortie_id == 3
    assert t == pytest.approx(140 * M) and n.sent_s == pytest.approx(140 * M)  # 200 - 60
    assert n.sector == sector
    if block[0] is None:
        assert n.floor_m is None and n.ceiling_m is None
    else:
        assert (n.floor_m, n.ceiling_m) == (pytest.approx(block[0]), pytest.approx(block[1]))
    assert (n.start_s, n.end_s) == (200 * M, 240 * M)  # the planned window
    assert not n.withdrawn


def test_advance_notice_coverage_and_lead(monkeypatch: pytest.MonkeyPatch, loaded: LoadedScenario) -> None:
    sent = record_sends(monkeypatch)
    sorties = [
        sortie(1, "red", "A", 100, coverage_u=0.2),  # covered (0.2 < 0.5)
        sortie(2, "red", "A", 150, coverage_u=0.5),  # not: coverage_u must be below coverage
        sortie(3, "red", "A", 300, coverage_u=0.7),  # not
        sortie(4, "red", "A", 320, coverage_u=0.49),  # covered
        sortie(5, "blue", "A", 330, coverage_u=0.0),  # blue does not send under this rule
    ]
    run_day(monkeypatch, loaded, sorties, advance(lead_min=45, coverage=0.5))
    got = [(t / M, r, n.sortie_id) for t, r, n in flat(sent)]
    assert got == [(pytest.approx(55), "blue", 1), (pytest.approx(275), "blue", 4)]  # t_on - 45


def test_advance_notice_full_coverage_and_zero_lead(monkeypatch: pytest.MonkeyPatch, loaded: LoadedScenario) -> None:
    sent = record_sends(monkeypatch)
    sorties = [sortie(1, "red", "A", 100, coverage_u=0.999), sortie(2, "red", "A", 150, coverage_u=0.0)]
    run_day(monkeypatch, loaded, sorties, advance(lead_min=0))
    assert [(t / M, n.sortie_id) for t, _, n in flat(sent)] == [(100, 1), (150, 2)]


def test_advance_notice_of_a_short_notice_sortie_goes_when_it_is_decided(
    monkeypatch: pytest.MonkeyPatch, loaded: LoadedScenario
) -> None:
    sent = record_sends(monkeypatch)
    sorties = [
        # decided at 170, 30 min before arrival: later than 200 - 60, so announced at 170
        sortie(1, "red", "A", 200, short_notice=True, created_min=170),
        # decided at 100, 100 min ahead: announced 60 min ahead, at 140
        sortie(2, "red", "B", 200, short_notice=True, created_min=100),
    ]
    run_day(monkeypatch, loaded, sorties, advance(lead_min=60))
    assert sorted((t / M, n.sortie_id) for t, _, n in flat(sent)) == [(140, 2), (170, 1)]


def test_advance_notice_is_one_shot_and_skips_a_cancelled_sortie(
    monkeypatch: pytest.MonkeyPatch, loaded: LoadedScenario
) -> None:
    sent = record_sends(monkeypatch)
    sorties = [
        sortie(1, "red", "A", 200),  # announced at 140; later delayed by blue's notice: not re-announced
        sortie(2, "red", "A", 500),  # cancelled at 305, before its notice (440): nothing sent
    ]
    deliveries = [
        (150, "red", [notice("blue", "red", 90, "A", 190, 220)]),  # read at 155: r1 delayed to 230
        (300, "red", [notice("blue", "red", 91, None, 480, 600)]),  # area: r2 cannot move: cancelled
    ]
    out = run_day(monkeypatch, loaded, sorties, advance(lead_min=60), deliveries)
    by_id = {s.id: s for s in out.sorties}
    assert by_id[1].t_on_s == pytest.approx(230 * M) and by_id[2].cancelled
    to_blue = [(t / M, n.sortie_id, n.start_s / M) for t, r, n in flat(sent) if r == "blue"]
    assert to_blue == [(140, 1, 200)]


def test_no_notice_and_altitude_split_send_nothing(monkeypatch: pytest.MonkeyPatch, loaded: LoadedScenario) -> None:
    sent = record_sends(monkeypatch)
    sorties = [sortie(1, "red", "A", 100), sortie(2, "blue", "A", 100)]
    out = run_day(monkeypatch, loaded, sorties, NoNotice(kind="none"))
    out2 = run_day(
        monkeypatch, loaded, [sortie(1, "red", "A", 100), sortie(2, "blue", "A", 100)],
        AltitudeSplit(kind="altitude_split", upper="blue", boundary_ft=15000, margin_ft=500, min_block_ft=2000),
    )  # fmt: skip
    assert sent == []
    assert out.notices_received == {"red": 0, "blue": 0} == out2.notices_received
    red, blue = sorted(out2.sorties, key=lambda s: s.side, reverse=True)
    assert (red.floor_m, red.ceiling_m) == (pytest.approx(10000 * FT), pytest.approx(14500 * FT))
    assert (blue.floor_m, blue.ceiling_m) == (pytest.approx(15500 * FT), pytest.approx(20000 * FT))
    assert red.altitude_changed and blue.altitude_changed


def test_altitude_split_squeezes_a_block_wholly_on_the_wrong_side(tmp_path: Path) -> None:
    rule = AltitudeSplit(kind="altitude_split", upper="blue", boundary_ft=15000, margin_ft=500, min_block_ft=2000)
    from sim.model.rules import rule_for

    behaviour = rule_for(rule)
    # blue (upper) with 8,000-12,000 ft: lifted to 15,500 ft, 2,000 ft thick
    assert behaviour.altitude_block("blue", 8000 * FT, 12000 * FT) == pytest.approx((15500 * FT, 17500 * FT))
    # red (lower) with 16,000-22,000 ft: pushed to 12,500-14,500 ft
    assert behaviour.altitude_block("red", 16000 * FT, 22000 * FT) == pytest.approx((12500 * FT, 14500 * FT))
    # a lower block that would go below the ground stops at 0
    low = AltitudeSplit(kind="altitude_split", upper="blue", boundary_ft=2500, margin_ft=500, min_block_ft=2000)
    assert rule_for(low).altitude_block("red", 5000 * FT, 9000 * FT) == pytest.approx((0.0, 2000 * FT))
    # blocks already on the right side are left alone
    assert behaviour.altitude_block("red", 3000 * FT, 9000 * FT) == pytest.approx((3000 * FT, 9000 * FT))
    assert behaviour.altitude_block("blue", 16000 * FT, 30000 * FT) == pytest.approx((16000 * FT, 30000 * FT))


# --- shared schedule ------------------------------------------------------------------------


def shared(**fields: Any) -> SharedSchedule:
    return SharedSchedule.model_validate({"kind": "shared_schedule", **fields})


def test_shared_schedule_exchanges_the_planned_tasking_at_the_start(
    monkeypatch: pytest.MonkeyPatch, loaded: LoadedScenario
) -> None:
    sent = record_sends(monkeypatch)
    sorties = [
        sortie(1, "red", "A", 100),
        sortie(2, "red", "B", 300),
        sortie(3, "blue", "C", 900),
        sortie(4, "red", "A", 600, short_notice=True, created_min=500),  # not in the exchange
    ]
    day_start = None
    out = run_day(monkeypatch, loaded, sorties, shared(update_lead_min=None, content="sector_altitude"))
    batches = [(t, r, sorted(n.sortie_id for n in b)) for t, r, b in sent]
    day_start = sent[0][0]
    assert day_start < 0  # before the day starts
    assert sorted(batches, key=lambda b: b[1]) == [(day_start, "blue", [1, 2]), (day_start, "red", [3])]
    n2 = next(n for _, _, n in flat(sent) if n.sortie_id == 2)
    assert (n2.sector, n2.start_s, n2.end_s) == ("B", 300 * M, 330 * M)
    assert (n2.floor_m, n2.ceiling_m) == (pytest.approx(10000 * FT), pytest.approx(20000 * FT))
    assert out.notices_received == {"red": 1, "blue": 2}  # the short-notice sortie is never told


def test_shared_schedule_senders_limit_who_shares(monkeypatch: pytest.MonkeyPatch, loaded: LoadedScenario) -> None:
    sent = record_sends(monkeypatch)
    sorties = [sortie(1, "red", "A", 100), sortie(3, "blue", "C", 900)]
    out = run_day(monkeypatch, loaded, sorties, shared(senders=["blue"], content="sector"))
    [(_, receiver, n)] = flat(sent)
    assert (receiver, n.sender, n.sortie_id, n.sector, n.floor_m) == ("red", "blue", 3, "C", None)
    assert out.notices_received == {"red": 1, "blue": 0}


def test_shared_schedule_area_content_names_no_sector(monkeypatch: pytest.MonkeyPatch, loaded: LoadedScenario) -> None:
    sent = record_sends(monkeypatch)
    run_day(monkeypatch, loaded, [sortie(1, "red", "A", 100)], shared(content="area"))
    [(_, _, n)] = flat(sent)
    assert n.sector is None and n.floor_m is None and n.ceiling_m is None
    assert (n.start_s, n.end_s) == (100 * M, 130 * M)


def test_shared_schedule_updates_short_notice_sorties_at_update_lead(
    monkeypatch: pytest.MonkeyPatch, loaded: LoadedScenario
) -> None:
    sent = record_sends(monkeypatch)
    sorties = [
        sortie(4, "red", "A", 600, short_notice=True, created_min=500),  # told at 600 - 15 = 585
        sortie(5, "red", "B", 700, short_notice=True, created_min=690),  # decided late: told at 690
    ]
    out = run_day(monkeypatch, loaded, sorties, shared(update_lead_min=15))
    got = sorted((t / M, r, n.sortie_id, n.start_s / M) for t, r, n in flat(sent))
    assert got == [(585, "blue", 4, 600), (690, "blue", 5, 700)]
    assert all(n.floor_m == pytest.approx(10000 * FT) and n.sector for _, _, n in flat(sent))  # sector_altitude
    assert out.notices_received == {"red": 0, "blue": 2}


def test_shared_schedule_reannounces_a_replan_and_withdraws_a_cancellation(
    monkeypatch: pytest.MonkeyPatch, loaded: LoadedScenario
) -> None:
    sent = record_sends(monkeypatch)
    sorties = [
        sortie(1, "red", "A", 200),  # delayed to 230 by N (A, 190-220) read at 155: re-announced
        sortie(2, "red", "A", 500),  # cancelled at 305 by an area notice: withdrawn
        sortie(3, "red", "A", 900, short_notice=True, created_min=700),  # re-planned before its update: silent
    ]
    deliveries = [
        (150, "red", [notice("blue", "red", 90, "A", 190, 220)]),
        (300, "red", [notice("blue", "red", 91, None, 480, 600)]),
        (750, "red", [notice("blue", "red", 92, "A", 890, 905)]),  # read 755: delayed to 915
    ]
    out = run_day(monkeypatch, loaded, sorties, shared(senders=["red"], update_lead_min=60), deliveries)
    by_id = {s.id: s for s in out.sorties}
    assert by_id[3].t_on_s == pytest.approx(915 * M)  # 905 + 10
    to_blue = [
        (round(t / M, 3), n.sortie_id, n.start_s / M, n.end_s / M, n.withdrawn) for t, r, n in flat(sent) if r == "blue"
    ]
    start = to_blue[0][0]
    assert all(n.floor_m == pytest.approx(10000 * FT) for _, r, n in flat(sent) if r == "blue")
    assert to_blue == [
        (start, 1, 200, 230, False),
        (start, 2, 500, 530, False),
        (155, 1, 230, 260, False),  # the new window, at once
        (305, 2, 500, 530, True),  # a withdrawal
        # the update was scheduled when the sortie was decided (900 - 60 = 840) and says
        # what is planned then: the new window
        (840, 3, 915, 945, False),
    ]


# --- hotline --------------------------------------------------------------------------------


def hotline(**fields: Any) -> Hotline:
    return Hotline.model_validate({"kind": "hotline", **fields})


def test_hotline_calls_at_launch_and_delivers_after_the_latency(
    monkeypatch: pytest.MonkeyPatch, loaded: LoadedScenario
) -> None:
    sent = record_sends(monkeypatch)
    sorties = [
        sortie(1, "red", "A", 100),  # airborne 95
        sortie(2, "blue", "B", 300),  # airborne 290
    ]
    out = run_day(monkeypatch, loaded, sorties, hotline(latency_min=7, calls_per_hour=6, content="sector_altitude"))
    got = [(t / M, r, n.sortie_id) for t, r, n in flat(sent)]
    assert got == [(pytest.approx(102), "blue", 1), (pytest.approx(297), "red", 2)]  # launch + 7
    n1 = flat(sent)[0][2]
    assert (n1.sector, n1.start_s, n1.end_s) == ("A", 100 * M, 130 * M)
    assert (n1.floor_m, n1.ceiling_m) == (pytest.approx(10000 * FT), pytest.approx(20000 * FT))
    assert n1.sent_s == pytest.approx(102 * M)
    assert out.notices_received == {"red": 1, "blue": 1}


def test_hotline_capacity_queues_calls_and_drops_one_whose_window_has_passed(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    # Red has two runways here so that three sorties take off together at 95.
    data = scenario_data()
    data["sides"]["red"]["bases"]["home"]["runways"] = 3
    loaded = load(tmp_path, data)
    sent = record_sends(monkeypatch)
    sorties = [
        sortie(1, "red", "A", 100, on_station_min=60),  # window 100-160
        sortie(2, "red", "A", 100, on_station_min=60),
        sortie(3, "red", "A", 100, on_station_min=30),  # window 100-130
    ]
    # 2 calls an hour: each call holds the line 30 min. Calls at 95: the first goes through
    # at 95 (delivered 96), the second at 125 (delivered 126); the third would start at 155,
    # after its window ended at 130: dropped.
    out = run_day(monkeypatch, loaded, sorties, hotline(latency_min=1, calls_per_hour=2))
    times = sorted(t / M for t, _, _ in flat(sent))
    assert times == [pytest.approx(96), pytest.approx(126)]
    assert {n.sortie_id for _, _, n in flat(sent)} == {1, 2}
    assert out.notices_received == {"red": 0, "blue": 2}


def test_hotline_does_not_deliver_for_a_sortie_landed_during_the_latency(
    monkeypatch: pytest.MonkeyPatch, loaded: LoadedScenario
) -> None:
    sent = record_sends(monkeypatch)
    # airborne 95, lands 95 + 5 + 10 + 5 = 115; a 30-min latency would deliver at 125
    run_day(monkeypatch, loaded, [sortie(1, "red", "A", 100, on_station_min=10)], hotline(latency_min=30))
    assert sent == []


def test_hotline_senders_limit_who_calls(monkeypatch: pytest.MonkeyPatch, loaded: LoadedScenario) -> None:
    sent = record_sends(monkeypatch)
    sorties = [sortie(1, "red", "A", 100), sortie(2, "blue", "B", 300)]
    run_day(monkeypatch, loaded, sorties, hotline(latency_min=5, senders=["blue"], content="sector"))
    [(t, r, n)] = flat(sent)
    assert (t / M, r, n.sortie_id, n.sector, n.floor_m) == (pytest.approx(295), "red", 2, "B", None)


def test_hotline_near_only_calls_a_launch_only_where_the_other_side_works_then(
    monkeypatch: pytest.MonkeyPatch, loaded: LoadedScenario
) -> None:
    sent = record_sends(monkeypatch)

    def sorties() -> list[Any]:
        return [
            sortie(1, "red", "A", 100),  # window 100-130; blue works A 150-180: within 60 min -> called
            sortie(2, "red", "B", 100),  # nobody of blue in B -> not called
            sortie(3, "red", "C", 400),  # blue in C 100-130 ended 270 min before -> not called
            sortie(4, "blue", "A", 150),
            sortie(5, "blue", "C", 100),
        ]

    run_day(monkeypatch, loaded, sorties(), hotline(latency_min=1, calls_per_hour=60, senders=["red"], near_only=True))
    assert [n.sortie_id for _, r, n in flat(sent) if r == "blue"] == [1]
    sent.clear()
    # a 10-min margin: blue's A window starts 20 min after red's ends -> not near any more
    hot = hotline(latency_min=1, calls_per_hour=60, senders=["red"], near_only=True, near_window_min=10)
    run_day(monkeypatch, loaded, sorties(), hot)
    assert [n.sortie_id for _, r, n in flat(sent) if r == "blue"] == []
    sent.clear()
    run_day(monkeypatch, loaded, sorties(), hotline(latency_min=1, calls_per_hour=60, senders=["red"]))
    assert sorted(n.sortie_id for _, r, n in flat(sent) if r == "blue") == [1, 2, 3]  # without near_only: every launch


def test_hotline_near_only_calls_again_a_sortie_it_called_in_when_it_is_replanned(
    monkeypatch: pytest.MonkeyPatch, loaded: LoadedScenario
) -> None:
    """Called in near blue's work in A; re-tasked to B in flight, where blue is not: the update
    must still follow, or blue keeps avoiding A for nothing."""
    sent = record_sends(monkeypatch)
    sorties = [sortie(1, "red", "A", 100), sortie(4, "blue", "A", 150)]
    deliveries = [(92, "red", [notice("blue", "red", 90, "A", 90, 140)])]
    hot = hotline(latency_min=1, calls_per_hour=60, senders=["red"], near_only=True, content="sector")
    out = run_day(monkeypatch, loaded, sorties, hot, deliveries)
    assert next(s for s in out.sorties if s.id == 1).sector == "B"
    calls = [(round(t / M, 3), n.sector) for t, r, n in flat(sent) if r == "blue"]
    assert calls == [(96.0, "A"), (98.0, "B")]


def test_hotline_coverage_calls_the_same_fraction_of_sorties_under_every_rule(
    monkeypatch: pytest.MonkeyPatch, loaded: LoadedScenario
) -> None:
    sent = record_sends(monkeypatch)
    sorties = [sortie(k, "red", "A", 100 + 40 * k, coverage_u=u) for k, u in enumerate((0.1, 0.7, 0.29, 0.31), 1)]
    run_day(monkeypatch, loaded, sorties, hotline(latency_min=1, calls_per_hour=60, coverage=0.3))
    assert sorted(n.sortie_id for _, _, n in flat(sent)) == [1, 3]  # u < 0.3


def test_hotline_calls_again_when_an_airborne_sortie_is_replanned(
    monkeypatch: pytest.MonkeyPatch, loaded: LoadedScenario
) -> None:
    sent = record_sends(monkeypatch)
    sorties = [
        sortie(1, "red", "A", 100),  # airborne 95; re-tasked to B at 97 by N (A, 90-140)
        sortie(2, "red", "A", 300),  # delayed on the ground to 335 by N (A, 290-325): no call for that
    ]
    deliveries = [
        (92, "red", [notice("blue", "red", 90, "A", 90, 140)]),
        (200, "red", [notice("blue", "red", 91, "A", 290, 325)]),
    ]
    out = run_day(monkeypatch, loaded, sorties, hotline(latency_min=1, calls_per_hour=60, content="sector"), deliveries)
    by_id = {s.id: s for s in out.sorties}
    assert by_id[1].sector == "B" and by_id[2].t_on_s == pytest.approx(335 * M)
    got = [(round(t / M, 3), n.sortie_id, n.sector, n.start_s / M) for t, r, n in flat(sent) if r == "blue"]
    # launch call 95 -> 96; re-plan call at 97 -> 98 (line free again at 96), still the tasked
    # time (a notice gives the planned window); sortie 2 airborne at 335 - 5 = 330 -> 331
    assert got == [(96, 1, "A", 100), (98, 1, "B", 100), (331, 2, "A", 335)]


def test_a_cancelled_or_aborted_sortie_gives_a_withdrawal() -> None:
    from sim.model.notices import is_gone, make_notice

    s = sortie(1, "red", "A", 100)
    assert not make_notice(s, "blue", "sector", 0.0).withdrawn and not is_gone(s)
    s.cancelled = True
    assert make_notice(s, "blue", "sector", 0.0).withdrawn and is_gone(s)
    s = sortie(2, "red", "A", 100)
    s.aborted = True
    assert make_notice(s, "blue", "area", 5.0).withdrawn and is_gone(s)
    s = sortie(3, "red", "A", 100)
    s.landed_s = 50.0
    assert is_gone(s) and not make_notice(s, "blue", "area", 5.0).withdrawn
    assert math.isinf(sortie(4, "red", "A", 1).created_s)


# --- exact edges, with a fake context: a real SimPy clock and a recorder for ``send`` --------


class FakeContext:
    """What a rule may use of a day (``PolicyContext``), with every notice recorded."""

    def __init__(self, sorties: list[Any] = ()) -> None:  # type: ignore[assignment]
        self.env = simpy.Environment()
        self.side_names = ("red", "blue")
        self._sorties = list(sorties)
        self.sent: list[tuple[float, str, list[Notice]]] = []
        self._resources: dict[str, simpy.Resource] = {}

    def sorties(self, side: str) -> list[Any]:
        return [s for s in self._sorties if s.side == side]

    def send(self, receiver: str, notices: list[Notice]) -> None:
        self.sent.append((self.env.now, receiver, list(notices)))

    def resource(self, key: str, capacity: int) -> simpy.Resource:
        return self._resources.setdefault(key, simpy.Resource(self.env, capacity=capacity))

    def cover(self, region: str) -> str:
        return {"Ghab": "Hama", "Across": "Hama+Idlib"}.get(region, region)  # two made-up work areas

    def route(self, sortie: Any) -> tuple[Any, ...]:
        return ()

    def overlap(self, a: str, b: str) -> bool:
        return a == b or {a, b} in ({"Ghab", "Hama"}, {"Across", "Hama"}, {"Across", "Idlib"})

    def at(self, minute: float, action: Any) -> None:
        def wait() -> Any:
            yield self.env.timeout(minute * M - self.env.now)
            action()

        self.env.process(wait())


def planned(id: int, t_on_min: float, on_station_min: float = 30, **fields: Any) -> Any:
    s = sortie(id, "red", "A", t_on_min, on_station_min=on_station_min)
    s.floor_m, s.ceiling_m = 10000 * FT, 20000 * FT
    for name, value in fields.items():
        setattr(s, name, value)
    return s


def test_rules_refuse_a_spec_of_another_kind() -> None:
    from sim.model.rules import HotlineRule, SharedScheduleRule, rule_for

    with pytest.raises(TypeError, match="^HotlineRule needs a Hotline, got NoNotice$"):
        HotlineRule(NoNotice(kind="none"))
    with pytest.raises(TypeError, match="^SharedScheduleRule needs a SharedSchedule, got Hotline$"):
        SharedScheduleRule(hotline())
    assert type(rule_for(hotline())).__name__ == "HotlineRule"


def test_hotline_drops_a_call_that_gets_the_line_exactly_as_its_window_ends() -> None:
    from sim.model.rules import rule_for

    # 2 calls an hour: the first call (at 100) holds the line until 130. The second sortie's
    # window ends at 130: its call gets the line exactly then and is dropped (which frees the
    # line at once); the third's ends at 130.5: its call goes at 130. With 4 calls an hour
    # (15 min each) the second call goes at 115 and the third at 130.
    for calls, want in ((2, [(100, 1), (130, 3)]), (4, [(100, 1), (115, 2), (130, 3)])):
        sorties = [planned(1, 90, 60), planned(2, 100, 30), planned(3, 100, 30.5)]
        ctx = FakeContext(sorties)
        rule = rule_for(hotline(latency_min=0, calls_per_hour=calls))
        for s in sorties:
            ctx.at(100, lambda s=s, ctx=ctx, rule=rule: rule.on_launch(ctx, s))
        ctx.env.run()
        assert [(t / M, n.sortie_id) for t, _, n in flat(ctx.sent)] == want, calls


def test_hotline_latency_and_what_the_call_says() -> None:
    from sim.model.rules import rule_for

    s = planned(1, 100)
    ctx = FakeContext([s])
    rule = rule_for(hotline(latency_min=12.5, calls_per_hour=6, content="sector"))
    ctx.at(95, lambda: rule.on_launch(ctx, s))
    ctx.at(96, lambda: setattr(s, "sector", "B"))  # re-tasked during the latency
    ctx.env.run()
    [(t, receiver, n)] = flat(ctx.sent)
    # sent at 107.5 with the plan as it is then
    assert (t / M, receiver, n.sector, n.floor_m, n.sent_s / M) == (107.5, "blue", "B", None, 107.5)


def test_hotline_calls_again_only_for_airborne_replans() -> None:
    from sim.model.rules import rule_for

    s = planned(1, 100)
    ctx = FakeContext([s])
    rule = rule_for(hotline(latency_min=0, calls_per_hour=60))
    ctx.at(50, lambda: rule.on_replanned(ctx, s))  # on the ground: no call
    ctx.at(95, lambda: setattr(s, "launched_s", 95 * M))
    ctx.at(97, lambda: rule.on_replanned(ctx, s))  # airborne: a call
    ctx.env.run()
    assert [t / M for t, _, _ in flat(ctx.sent)] == [97]


@pytest.mark.parametrize(("now", "told"), [(839.99, False), (840, True), (850, True)])
def test_shared_schedule_reannounces_a_short_notice_sortie_only_once_its_update_is_due(now: float, told: bool) -> None:
    from sim.model.rules import rule_for

    # update_lead_min 60 and on station at 900: its update is due at 840
    s = planned(1, 900, short_notice=True, created_s=700 * M)
    ctx = FakeContext([s])
    rule = rule_for(shared(update_lead_min=60))
    ctx.at(now, lambda: rule.on_replanned(ctx, s))
    ctx.env.run()
    assert [(t / M, n.sortie_id) for t, _, n in flat(ctx.sent)] == ([(now, 1)] if told else [])


def test_shared_schedule_never_reannounces_an_unshared_short_notice_sortie() -> None:
    from sim.model.rules import rule_for

    s = planned(1, 900, short_notice=True, created_s=700 * M)
    ctx = FakeContext([s])
    rule = rule_for(shared(update_lead_min=None))
    ctx.at(899, lambda: rule.on_replanned(ctx, s))
    ctx.env.run()
    assert ctx.sent == []
    t = planned(2, 900)  # a shared one is re-announced at any time
    ctx = FakeContext([t])
    ctx.at(10, lambda: rule.on_replanned(ctx, t))
    ctx.env.run()
    assert [(n.sortie_id, n.floor_m) for _, _, n in flat(ctx.sent)] == [(2, pytest.approx(10000 * FT))]
