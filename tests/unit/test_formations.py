"""Formations: every aircraft is a flight in the tracks, the formation is one sortie.

Hand-made days (``tests/handmade.py``: point sectors, 360 kt, no jitter): a red pair in
sector A against a single blue aircraft there at the same time. Wingmen fly their lead's
path ``formation_spacing_nm`` behind (1 NM at 360 kt is 10 s) and ``formation_stack_ft``
above; encounters are counted aircraft by aircraft; costs and sortie counts per formation.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from sim.detect.encounters import find_encounters
from sim.experiment.metrics import replication_row
from sim.experiment.risk import flight_errors
from sim.units import FT_M, NM_M
from tests.handmade import fleet, load, run_day, scenario_data, sortie


def _red_pair(
    tmp_path: Path, spacing_nm: float = 1.0, stack_ft: float = 500.0, ceiling_ft: float = 20000
) -> tuple[object, list[object]]:
    red = fleet(ceiling_ft=ceiling_ft) | {
        "formation_size": 2,
        "formation_spacing_nm": spacing_nm,
        "formation_stack_ft": stack_ft,
    }
    loaded = load(tmp_path, scenario_data(red_fleet=red))
    lead = sortie(1, "red", "A", 100)
    lead.formation = 2
    return loaded, [lead, sortie(2, "blue", "A", 100)]


def test_the_wingman_flies_the_leads_path_behind_and_above(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    loaded, sorties = _red_pair(tmp_path)
    out = run_day(monkeypatch, loaded, sorties)
    t = out.tracks
    assert t.flight_names == ("red-0001", "blue-0002", "red-0001.2")
    assert [t.side_names[k] for k in t.flight_side] == ["red", "blue", "red"]
    lead, wing = (t.point_flight == 0), (t.point_flight == 2)
    lag_s = 1.0 * 1852.0 / (360 * 1852.0 / 3600.0)  # 1 NM at 360 kt: 10 s
    assert np.allclose(t.t_s[wing] - t.t_s[lead], lag_s, rtol=0, atol=1e-9)
    assert np.array_equal(t.x_m[wing], t.x_m[lead]) and np.array_equal(t.y_m[wing], t.y_m[lead])
    dz = t.z_m[wing] - t.z_m[lead]
    assert dz[0] == 0 and dz[-1] == 0  # takes off and lands on the runway
    assert np.allclose(dz[1:-1], 500 * 0.3048, rtol=0, atol=1e-9)  # the lead works at 15,000 ft: room above
    assert out.flight_sortie == (0, 1, 0)


def test_a_stack_keeps_the_wingman_inside_the_block(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    # the lead works at 14,000 ft in a 10-18,000 ft block; 5,000 ft above would be 19,000
    loaded, sorties = _red_pair(tmp_path, stack_ft=5000.0, ceiling_ft=18000)
    t = run_day(monkeypatch, loaded, sorties).tracks
    wing, lead = t.z_m[t.point_flight == 2], t.z_m[t.point_flight == 0]
    on_station = np.isclose(lead, 14000 * 0.3048)
    assert on_station[1:-1].any()
    assert np.allclose(wing[1:-1][on_station[1:-1]], 18000 * 0.3048)  # at the ceiling, not above it
    assert wing.max() <= 18000 * 0.3048 + 1e-9 and wing.min() >= 0


def test_encounters_are_counted_aircraft_by_aircraft(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    loaded, sorties = _red_pair(tmp_path, stack_ft=0.0)
    out = run_day(monkeypatch, loaded, sorties)
    found = find_encounters(out.tracks, 5 * NM_M, 1000 * FT_M)
    # both red aircraft meet the blue one over the point sector A; red with red is not counted
    pairs = sorted({(str(a), str(b)) for a, b in zip(found.flight_a, found.flight_b, strict=True)})
    assert pairs == [("red-0001", "blue-0002"), ("red-0001.2", "blue-0002")]


def test_a_formation_is_one_sortie_for_cost_and_every_aircraft_for_flight_hours(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    loaded, sorties = _red_pair(tmp_path)
    out = run_day(monkeypatch, loaded, sorties)
    row = replication_row("hand", "none", 0, 0, out, [], [])
    assert row["red_sorties_planned"] == 1 and row["red_sorties_flown"] == 1
    red = next(s for s in out.sorties if s.side == "red")
    blue = next(s for s in out.sorties if s.side == "blue")
    assert row["red_flight_h"] == pytest.approx(2 * (red.landed_s - red.launched_s) / 3600)
    assert row["blue_flight_h"] == pytest.approx((blue.landed_s - blue.launched_s) / 3600)
    assert red.landed_s - red.launched_s > 0


def test_every_aircraft_gets_its_fleets_errors(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    red = fleet() | {
        "formation_size": 3,
        "errors": {"lateral_sd_ft": 200, "vertical_sd_ft": 60, "lateral_law": "normal",
                   "length_ft": 60, "wingspan_ft": 40, "height_ft": 15},
    }  # fmt: skip
    blue = fleet() | {
        "errors": {"lateral_sd_ft": 100, "vertical_sd_ft": 50, "lateral_law": "normal",
                   "length_ft": 30, "wingspan_ft": 50, "height_ft": 10},
    }  # fmt: skip
    data = scenario_data(red_fleet=red, blue_fleet=blue)
    data["levels"].append({"name": "nmac", "horizontal_ft": 500, "vertical_ft": 100})
    loaded = load(tmp_path, data)
    lead = sortie(1, "red", "A", 100)
    lead.formation = 3
    out = run_day(monkeypatch, loaded, [lead, sortie(2, "blue", "A", 100)])
    errors = flight_errors(loaded.scenario, out)
    assert out.tracks.flight_names == ("red-0001", "blue-0002", "red-0001.2", "red-0001.3")
    assert np.allclose(errors.lateral_sd_m, np.array([200, 100, 200, 200]) * FT_M)
    assert np.allclose(errors.size_m, np.array([60, 50, 60, 60]) * FT_M)


def test_drawn_sorties_carry_their_fleets_formation_size(tmp_path: Path) -> None:
    from sim.model.day import simulate

    data = scenario_data(red_fleet=fleet() | {"formation_size": 2})
    data["sides"]["red"]["sorties_per_day"] = 12
    data["sides"]["blue"]["sorties_per_day"] = 12
    loaded = load(tmp_path, data)
    out = simulate(loaded, next(iter(loaded.scenario.policies.values())), 3, 0)
    reds = [s for s in out.sorties if s.side == "red"]
    assert reds and all(s.formation == 2 for s in reds)
    assert all(s.formation == 1 for s in out.sorties if s.side == "blue")
    flown_red = sum(s.launched_s is not None for s in reds)
    assert sum(1 for n in out.tracks.flight_names if n.startswith("red-")) == 2 * flown_red
