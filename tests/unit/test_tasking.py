"""The day's tasking: counts, times, sectors, determinism."""

from __future__ import annotations

import numpy as np
import pytest

from sim.model.tasking import draw_tasking
from sim.scenario.load import load_scenario
from tests.conftest import BASELINE


@pytest.fixture(scope="module")
def loaded():  # type: ignore[no-untyped-def]
    return load_scenario(BASELINE)


def test_counts_times_and_sectors_follow_the_scenario(loaded) -> None:  # type: ignore[no-untyped-def]
    sc = loaded.scenario
    side = sc.sides["coalition"]
    totals = []
    for seed in range(50):
        sorties = draw_tasking("coalition", side, loaded.sectors, sc.horizon_s, np.random.default_rng(seed))
        totals.append(len(sorties))
        for s in sorties:
            assert 0.0 <= s.t_on_s < sc.horizon_s
            fleet = side.fleets[s.fleet]
            weights = fleet.sector_weights or side.sector_weights
            assert weights[s.sector] > 0
            assert s.floor_m == fleet.floor_m and s.ceiling_m == fleet.ceiling_m
            if s.short_notice:
                assert s.created_s < s.t_on_s
            else:
                assert s.created_s == -np.inf
        assert [s.t_on_s for s in sorties] == sorted(s.t_on_s for s in sorties)
    # 8 strike sorties + 2 MQ-1B + 1 MQ-9 per day: whole numbers, so exactly 11 every day
    assert set(totals) == {11}


def test_fractional_tempo_gives_floor_or_ceiling_with_the_right_mean(loaded) -> None:  # type: ignore[no-untyped-def]
    sc = loaded.scenario
    side = sc.sides["russia"].model_copy(update={"sorties_per_day": 40.5})
    counts = [
        len(draw_tasking("russia", side, loaded.sectors, sc.horizon_s, np.random.default_rng(s))) for s in range(400)
    ]
    assert set(counts) == {40, 41}
    assert abs(np.mean(counts) - 40.5) < 0.1


def test_same_generator_state_gives_the_same_tasking(loaded) -> None:  # type: ignore[no-untyped-def]
    sc = loaded.scenario
    a = draw_tasking("russia", sc.sides["russia"], loaded.sectors, sc.horizon_s, np.random.default_rng(3))
    b = draw_tasking("russia", sc.sides["russia"], loaded.sectors, sc.horizon_s, np.random.default_rng(3))
    assert [(s.id, s.fleet, s.sector, s.t_on_s, s.work_u.tobytes()) for s in a] == [
        (s.id, s.fleet, s.sector, s.t_on_s, s.work_u.tobytes()) for s in b
    ]


def test_time_profile_shapes_the_on_station_hours(loaded) -> None:  # type: ignore[no-untyped-def]
    sc = loaded.scenario
    side = sc.sides["russia"]
    hours = []
    for seed in range(100):
        hours += [
            int(s.t_on_s // 3600)
            for s in draw_tasking("russia", side, loaded.sectors, sc.horizon_s, np.random.default_rng(seed))
        ]
    counts = np.bincount(hours, minlength=24)
    day, night = counts[6:18].mean(), counts[list(range(0, 5)) + list(range(19, 24))].mean()
    assert day / night == pytest.approx(4.0, rel=0.2)  # weights 1 vs 0.25
