"""The drawn tasking against what the scenario says: counts, hours, shares, jitter, ids, decisions.

Sides of the tiny scenario of ``tests/handmade.py`` (base at the origin, point sectors A and
B at 30 and 60 NM, 360 kt), edited per test; many sorties a day, so that every bound is
reached and every wrong bound shows.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from sim.model.tasking import draw_tasking
from sim.scenario.load import LoadedScenario
from tests.handmade import NM, fleet, lat_north, load, scenario_data

H = 3600.0


def quick_fleet(**fields: Any) -> dict[str, Any]:
    """A fleet that needs few work points (0.6 s on station at 20 kt), so that 10,000 sorties draw fast."""
    return {**fleet(on_station_min=0.01), "cruise_kt": 20.0, **fields}


@pytest.fixture
def loaded(tmp_path: Path) -> LoadedScenario:
    return load(tmp_path, scenario_data(red_fleet=quick_fleet()))


def red(loaded: LoadedScenario, **update: Any) -> Any:
    return loaded.scenario.sides["red"].model_copy(update={"sorties_per_day": 1000.0, **update})


def draw(loaded: LoadedScenario, side: Any, horizon_h: float = 24, seed: int = 1, **kw: Any) -> list:  # type: ignore[type-arg]
    return draw_tasking("red", side, loaded.sectors, horizon_h * H, np.random.default_rng(seed), **kw)


def test_ids_count_from_first_id_in_order_of_arrival(loaded: LoadedScenario) -> None:
    sorties = draw(loaded, red(loaded, sorties_per_day=50.0))
    assert [s.id for s in sorties] == list(range(50))
    assert [s.t_on_s for s in sorties] == sorted(s.t_on_s for s in sorties)
    assert [s.id for s in draw(loaded, red(loaded, sorties_per_day=50.0), first_id=7)] == list(range(7, 57))
    assert draw(loaded, red(loaded, sorties_per_day=0.0)) == []


def test_whole_tempo_gives_exactly_that_many(loaded: LoadedScenario) -> None:
    # 10,000 a day over a day and 2,500 over 6 h: planned to the number, every seed
    side = red(loaded, sorties_per_day=10_000.0)
    for seed in range(10):
        assert len(draw(loaded, side, seed=seed)) == 10_000
        assert len(draw(loaded, side, horizon_h=6, seed=seed)) == 2_500


def test_starts_fill_each_hour_of_the_profile_and_nothing_else(loaded: LoadedScenario) -> None:
    first = [1.0] + [0.0] * 23
    t = np.array([s.t_on_s for s in draw(loaded, red(loaded, sorties_per_day=5000.0, time_profile=first))])
    assert t.min() >= 0 and t.max() < H and t.max() > H - 10  # all in hour 0, right up to its end
    last = [0.0] * 23 + [1.0]
    t = np.array([s.t_on_s for s in draw(loaded, red(loaded, sorties_per_day=5000.0, time_profile=last))])
    assert t.min() >= 23 * H and t.min() < 23 * H + 10 and t.max() < 24 * H


def test_a_partial_last_hour_gets_its_share_and_its_full_half_hour(loaded: LoadedScenario) -> None:
    # 2.5 h, uniform profile: hours 0 and 1 weigh 1, the half hour 2-2.5 weighs 0.5, i.e. a
    # fifth of the starts, spread right to 2.5 h
    t = np.array([s.t_on_s for s in draw(loaded, red(loaded, sorties_per_day=96_000.0), horizon_h=2.5)])
    assert len(t) == 10_000
    last = t[t >= 2 * H]
    assert len(last) / len(t) == pytest.approx(0.2, abs=0.02)
    assert last.max() > 2.5 * H - 2 and t.max() < 2.5 * H
    # a horizon shorter than an hour: one partial hour, its starts spread to its very end
    # (50,000 starts in 1,800 s: one in the last half second but for a chance of 1e-6)
    t = np.array([s.t_on_s for s in draw(loaded, red(loaded, sorties_per_day=2_400_000.0), horizon_h=0.5)])
    assert len(t) == 50_000 and t.max() < 0.5 * H and t.max() > 0.5 * H - 0.5


def test_a_last_hour_of_half_a_second_is_an_hour_of_its_own(loaded: LoadedScenario) -> None:
    # 1 h + 0.5 s with all the weight on the second hour: about 1,000 starts (24,000 a day),
    # every one in that half second
    profile = [0.0, 1.0] + [0.0] * 22
    t = np.array(
        [
            s.t_on_s
            for s in draw(loaded, red(loaded, sorties_per_day=24_000.0, time_profile=profile), horizon_h=(H + 0.5) / H)
        ]
    )
    assert len(t) in (1000, 1001) and t.min() >= H and t.max() < H + 0.5


def test_a_profile_with_no_weight_inside_the_horizon_falls_back_to_uniform(loaded: LoadedScenario) -> None:
    evening = [0.0] * 20 + [1.0] * 4
    t = np.array([s.t_on_s for s in draw(loaded, red(loaded, time_profile=evening), horizon_h=4)])
    hours = np.bincount((t // H).astype(int), minlength=4)
    assert len(t) in (166, 167) and hours.min() > 0.15 * len(t)  # 1,000 a day for 4 h
    small = [0.04] + [0.0] * 23  # small weights are still weights: all in hour 0
    t = np.array([s.t_on_s for s in draw(loaded, red(loaded, time_profile=small))])
    assert t.max() < H


def test_shares_split_the_tempo(tmp_path: Path) -> None:
    data = scenario_data()
    data["sides"]["red"]["fleets"] = {"a": quick_fleet(share=0.2), "b": quick_fleet(share=0.6)}
    loaded = load(tmp_path, data)
    sorties = draw(loaded, red(loaded, sorties_per_day=8000.0))
    share_b = sum(s.fleet == "b" for s in sorties) / len(sorties)
    assert len(sorties) == 8000 and share_b == pytest.approx(0.75, abs=0.02)


def test_launch_jitter_is_centred_and_clipped_at_three_sd(loaded: LoadedScenario) -> None:
    side = red(loaded, sorties_per_day=20_000.0, launch_jitter_min=5)
    j = np.array([s.jitter_s for s in draw(loaded, side)])
    sd = 300.0
    assert abs(j.mean()) < 0.05 * sd and j.std() == pytest.approx(sd, rel=0.05)
    assert j.min() == -3 * sd and j.max() == 3 * sd  # about 27 sorties on each bound
    assert np.sum(j == 3 * sd) > 5 and np.sum(j == -3 * sd) > 5


def test_short_notice_sorties_are_decided_transit_plus_notice_before(tmp_path: Path) -> None:
    # base 10 NM north of the origin: A is 20 NM away (200 s), B 50 NM (500 s)
    data = scenario_data()
    data["sides"]["red"]["bases"]["home"]["lat_deg"] = lat_north(10 * NM)
    loaded = load(tmp_path, data)
    side = red(loaded, sorties_per_day=200.0, short_notice_share=0.5, short_notice_min=45)
    sorties = draw(loaded, side)
    short = [s for s in sorties if s.short_notice]
    assert 60 < len(short) < 140
    for s in short:
        transit = {"A": 200.0, "B": 500.0}[s.sector]
        assert s.created_s == pytest.approx(s.t_on_s - transit - 45 * 60, abs=0.01), s.sector
    assert all(s.created_s == -math.inf for s in sorties if not s.short_notice)
    assert {s.sector for s in short} == {"A", "B"}
    everyone = draw(loaded, red(loaded, sorties_per_day=50.0, short_notice_share=1.0))
    assert all(s.short_notice for s in everyone)
    assert not any(s.short_notice for s in draw(loaded, red(loaded, sorties_per_day=50.0, short_notice_share=0.0)))


def test_short_notice_transit_from_a_base_east_of_the_sector(tmp_path: Path) -> None:
    # base on the origin's parallel, 0.5 degrees east of the sectors: transit from its projected position
    data = scenario_data()
    data["sides"]["red"]["bases"]["home"]["lon_deg"] = 38.5
    data["origin"]["lon_deg"] = 38.1  # the sectors (on 38 E) off the plane's central meridian too
    loaded = load(tmp_path, data)
    bx, by = (float(v) for v in loaded.projection.to_xy(35.0, 38.5))
    side = red(loaded, sorties_per_day=100.0, short_notice_share=1.0, short_notice_min=30)
    for s in draw(loaded, side):
        cx, cy = loaded.sectors[s.sector].centroid_m
        transit = math.hypot(cx - bx, cy - by) / (360 * NM / 3600)
        assert s.created_s == pytest.approx(s.t_on_s - transit - 1800, abs=0.01)
