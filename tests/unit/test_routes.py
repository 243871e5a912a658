"""Transit routes in notices (``content: *_route``): what the notice carries, who it affects.

Days from ``tests/handmade.py``: both bases at the origin, point sectors A, B and C 30, 60
and 90 NM due north of it (5, 10 and 15 minutes at 360 kt), H a holed square at 120 NM,
take-off roll 2 min, no jitter; each side re-plans with a 10-minute window buffer and a
5 NM corridor either side of an announced transit (the default ``route_halfwidth_nm``).
A sortie to C flies over A and B on its way, so it is the case that sector content misses.
Times are minutes.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from sim.model.notices import RouteLeg, make_notice
from sim.scenario.load import LoadedScenario
from sim.scenario.rules import SharedSchedule
from tests.handmade import FT, NM, fleet, load, make_day, notice, run_day, scenario_data, sortie

M = 60.0


@pytest.fixture
def loaded(tmp_path: Path) -> LoadedScenario:
    return load(tmp_path, scenario_data(red_fleet=fleet(on_station_min=90)))


class _Planned:
    id, side, sector, t_on_s, on_station_s = 7, "red", "C", 7200.0, 1800.0
    floor_m, ceiling_m = 3000.0, 6000.0
    short_notice, created_s, coverage_u = False, 0.0, 0.5
    launched_s = landed_s = None
    cancelled = aborted = False


def _legs(_: Any) -> tuple[RouteLeg, ...]:
    return (RouteLeg(0.0, 0.0, 0.0, 1.0, 6300.0, 7200.0, None, None),)


@pytest.mark.parametrize(
    ("content", "block"),
    [("sector_route", None), ("work_area_route", None), ("sector_altitude_route", (0.0, 6000.0))],
)
def test_route_content_carries_the_transits_with_the_notices_altitude_content(content: Any, block: Any) -> None:
    n = make_notice(_Planned(), "blue", content, 0.0, None, _legs)  # type: ignore[arg-type]
    assert n.sector == "C"
    assert [(leg.start_s, leg.end_s) for leg in n.route] == [(6300.0, 7200.0)]
    assert (n.route[0].floor_m, n.route[0].ceiling_m) == (block or (None, None))


@pytest.mark.parametrize("content", ["sector", "work_area_altitude", "area"])
def test_content_without_routes_carries_none(content: Any) -> None:
    assert make_notice(_Planned(), "blue", content, 0.0, None, _legs).route == ()  # type: ignore[arg-type]


def test_the_day_gives_a_sorties_transits_out_and_back(monkeypatch: pytest.MonkeyPatch, loaded: LoadedScenario) -> None:
    s = sortie(1, "red", "C", 120, on_station_min=90)
    day = make_day(monkeypatch, loaded, [s])
    out, back = day.route(s)
    assert (out.x0_m, out.y0_m) == (0.0, 0.0) and (back.x1_m, back.y1_m) == (0.0, 0.0)
    assert out.x1_m == pytest.approx(0.0, abs=0.2) and out.y1_m == pytest.approx(90 * NM, abs=0.2)
    assert (back.x0_m, back.y0_m) == (out.x1_m, out.y1_m)
    # airborne 15 min before its window; home 15 min after it
    assert out.start_s / M == pytest.approx(105, abs=1e-4) and out.end_s / M == 120
    assert back.start_s / M == 210 and back.end_s / M == pytest.approx(225, abs=1e-4)


@pytest.mark.parametrize(
    ("region", "start", "end", "hit"),
    [
        ("B", 100, 130, True),  # under the way out, while it is flown
        ("A", 100, 130, True),
        ("H", 100, 130, False),  # 24 NM beyond the transit's end: outside the corridor
        ("B", 130, 140, False),  # starts 10 min (the buffer) after the transit: clear
        ("B", 129.99, 140, True),
        ("B", 195, 205, True),  # under the way back, within the buffer
    ],
)
def test_a_region_under_an_announced_transit_is_affected(
    monkeypatch: pytest.MonkeyPatch, loaded: LoadedScenario, region: str, start: float, end: float, hit: bool
) -> None:
    red = sortie(1, "red", "C", 120, on_station_min=90)
    day = make_day(monkeypatch, loaded, [red])
    n = make_notice(red, "blue", "sector_altitude_route", 0.0, None, day.route)
    cell = day.replanner["blue"]
    cell.known = {("red", 1): n}
    found = cell.affecting(region, (start * M, end * M), (10000 * FT, 20000 * FT))
    assert bool(found) is hit
    assert all(item in n.route for item in found)  # the notice's own region, C, is not B, A or H
    # without its route the same notice affects none of them
    cell.known = {("red", 1): notice("red", "blue", 1, "C", 120, 210, 10000, 20000)}
    assert cell.affecting(region, (start * M, end * M), (10000 * FT, 20000 * FT)) == []


@pytest.mark.parametrize(("content", "delay_min"), [("sector", 0.0), ("sector_route", 30.0)])
def test_a_sortie_under_the_others_transit_waits_only_when_routes_are_shared(
    monkeypatch: pytest.MonkeyPatch, loaded: LoadedScenario, content: str, delay_min: float
) -> None:
    # red to C: airborne 105, over B until 120, on station 120-210. Blue to B 100-130 is under
    # red's way out: with routes shared blue's cell delays it to the transit's end plus the
    # 10-min buffer (130; clear of the way back, 210-225). Blue's own way to B ends 30 NM short
    # of C, so red is not affected either way.
    policy = SharedSchedule.model_validate({"kind": "shared_schedule", "content": content})
    red, blue = sortie(1, "red", "C", 120, on_station_min=90), sortie(2, "blue", "B", 100)
    out = run_day(monkeypatch, loaded, [red, blue], policy)
    by_id = {s.id: s for s in out.sorties}
    assert by_id[2].delay_s / M == pytest.approx(delay_min, abs=1e-6)
    assert by_id[1].delay_s == 0.0 and not by_id[1].retasked and not by_id[1].cancelled
    assert not by_id[2].cancelled and not by_id[2].retasked
