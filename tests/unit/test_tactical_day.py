"""The tactical layer inside the simulated day: online alerts against offline detection.

With ``manoeuvre: none`` nothing changes the paths, so the alerts a side gets must be exactly
the encounters the detector finds on the flown tracks at a level with the standoff's radius
and height (perfect picture), and alerts plus missed encounters must be exactly those
encounters with any picture, replication by replication.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sim.detect.encounters import find_encounters
from sim.experiment.metrics import replication_row, row_columns
from sim.model.day import simulate
from sim.scenario.load import LoadedScenario, load_scenario
from sim.scenario.tactical import Tactical

ROOT = Path(__file__).resolve().parents[2]
FEW = bool(os.environ.get("MUTANT_UNDER_TEST"))  # under mutation testing: a third of the examples


@pytest.fixture(scope="module")
def corridor() -> LoadedScenario:
    return load_scenario(ROOT / "scenarios" / "corridor-small.yaml")


def with_tactical(loaded: LoadedScenario, **sides: dict[str, Any]) -> LoadedScenario:
    """``loaded`` with the given sides' ``tactical`` block (as file data)."""
    sc = loaded.scenario
    new = {
        name: side.model_copy(update={"tactical": Tactical.model_validate(sides[name], strict=False)})
        if name in sides
        else side
        for name, side in sc.sides.items()
    }
    return LoadedScenario(sc.model_copy(update={"sides": new}), loaded.sectors, loaded.path, loaded.sha256)


FT = 0.3048
NM = 1852.0


@settings(max_examples=25 // (3 if FEW else 1), deadline=None, derandomize=True)
@given(
    replication=st.integers(0, 10_000),
    standoff_nm=st.floats(2, 30),
    standoff_ft=st.one_of(st.none(), st.floats(500, 20_000)),
    policy=st.sampled_from(["no-notice", "notice-30"]),
)
def test_alerts_are_the_detectors_encounters_with_a_perfect_picture(
    corridor: LoadedScenario, replication: int, standoff_nm: float, standoff_ft: float | None, policy: str
) -> None:
    block = {
        "standoff_nm": standoff_nm,
        "standoff_ft": standoff_ft,
        "manoeuvre": "none",
        "surveillance": {"perfect": True},
    }
    loaded = with_tactical(corridor, red=block, blue=block)
    sc = loaded.scenario
    out = simulate(loaded, sc.policies[policy], sc.seed, replication)
    tac = sc.sides["red"].tactical
    assert tac is not None
    enc = find_encounters(out.tracks, tac.standoff_m, tac.standoff_v_m)
    pairs = sorted(zip(enc.flight_a.tolist(), enc.flight_b.tolist(), strict=True))
    names = {s.id: s.name for s in out.sorties}
    for side in sc.side_names:
        got = sorted(
            (names[a.own], names[a.intruder]) if side == sc.side_names[0] else (names[a.intruder], names[a.own])
            for a in out.alerts
            if a.side == side
        )
        assert got == pairs, side  # the same flight pairs, as many times
    assert out.tactical_missed == {name: 0 for name in sc.side_names}


@settings(max_examples=15 // (3 if FEW else 1), deadline=None, derandomize=True)
@given(
    replication=st.integers(0, 10_000),
    update_s=st.sampled_from([0.0, 10.0, 60.0, 300.0]),
    range_nm=st.floats(20, 120),
    lowest_ft=st.floats(0, 15_000),
)
def test_alerts_and_missed_encounters_partition_the_encounters(
    corridor: LoadedScenario, replication: int, update_s: float, range_nm: float, lowest_ft: float
) -> None:
    # a site at the origin with a limited range and lowest altitude, updates at a given interval
    site = {"name": "radar", "lat_deg": 35.0, "lon_deg": 38.0, "range_nm": range_nm, "lowest_ft": lowest_ft}
    block = {
        "standoff_nm": 10,
        "standoff_ft": 3000,
        "manoeuvre": "none",
        "surveillance": {"update_s": update_s, "latency_s": 5, "sources": [site]},
    }
    loaded = with_tactical(corridor, blue=block)
    sc = loaded.scenario
    out = simulate(loaded, sc.policies["no-notice"], sc.seed, replication)
    enc = find_encounters(out.tracks, 10 * NM, 3000 * FT)
    alerts = sum(1 for a in out.alerts if a.side == "blue")
    assert out.tactical_missed is not None
    assert alerts + out.tactical_missed["blue"] == len(enc)
    assert out.tactical_missed["red"] == 0 and not any(a.side == "red" for a in out.alerts)
    for a in out.alerts:
        assert a.alert_s == pytest.approx(a.sample_s + 5)
        if update_s:
            assert a.sample_s % update_s == pytest.approx(0, abs=1e-6) or a.sample_s % update_s == pytest.approx(
                update_s
            )


def test_turning_away_removes_most_losses_of_separation_and_costs_time(corridor: LoadedScenario) -> None:
    block = {"standoff_nm": 20, "manoeuvre": "turn_away", "surveillance": {"perfect": True}}
    on = with_tactical(corridor, red=block, blue=block)
    sc = corridor.scenario
    los = sc.levels[0]
    flown_off = flown_on = 0
    lost = 0.0
    for r in range(4):
        off = simulate(corridor, sc.policies["no-notice"], sc.seed, r)
        out = simulate(on, sc.policies["no-notice"], sc.seed, r)
        flown_off += len(find_encounters(off.tracks, los.horizontal_m, los.vertical_m))
        flown_on += len(find_encounters(out.tracks, los.horizontal_m, los.vertical_m))
        row = replication_row("no-notice", "none", r, sc.seed, out, [], [])
        lost += row["red_tactical_lost_min"] + row["blue_tactical_lost_min"]
        assert row["red_tactical_turn_away"] + row["blue_tactical_turn_away"] > 0
        # the same sorties were drawn: the layer uses no random numbers
        assert [s.t_on_s for s in off.sorties] == [s.t_on_s for s in out.sorties]
    assert flown_off > 20 and flown_on <= flown_off / 5
    assert lost > 0


def test_tactical_columns_only_when_a_side_has_the_layer(corridor: LoadedScenario) -> None:
    sc = corridor.scenario
    base = row_columns(sc.side_names, ["los"])
    assert not any("tactical" in c for c in base)
    cols = row_columns(sc.side_names, ["los"], tactical=True)
    assert [c for c in cols if c.startswith("red_tactical")] == [
        "red_tactical_alerts",
        "red_tactical_turn_away",
        "red_tactical_altitude",
        "red_tactical_hold",
        "red_tactical_rtb",
        "red_tactical_lost_min",
        "red_tactical_abandoned",
        "red_tactical_missed",
    ]
    out = simulate(corridor, sc.policies["no-notice"], sc.seed, 0)
    assert out.tactical_missed is None and out.alerts == ()
    assert sc.without_tactical() == sc


@pytest.mark.parametrize("manoeuvre", [["turn_away"], ["rtb"], ["altitude", "rtb"], ["hold", "turn_away", "rtb"]])
def test_a_sortie_sent_home_stays_home_bound_and_minutes_add_up(corridor: LoadedScenario, manoeuvre: list[str]) -> None:
    # blue yields, the ops cells re-plan as well (notice-30, shared): after an abort (ops cell)
    # or an rtb (crew) no sortie works again, a sortie is sent home by its crew at most once,
    # and with no notice the minutes lost to manoeuvres are exactly the on-station time lost
    block = {"standoff_nm": 20, "standoff_ft": 3000, "manoeuvre": manoeuvre, "surveillance": {"perfect": True}}
    loaded = with_tactical(corridor, blue=block)
    sc = loaded.scenario
    for policy in sc.policies:
        for r in range(6):
            out = simulate(loaded, sc.policies[policy], sc.seed, r)
            for s in out.sorties:
                assert s.tactical_manoeuvres.count("rtb") <= 1
                for sent_home in (s.tactical_rtb_s, s.aborted_s):
                    if sent_home is not None:
                        assert not any(start >= sent_home for start, _ in s.work_segments), (policy, r, s.name)
                if policy == "no-notice":
                    assert s.tactical_lost_s == pytest.approx(s.lost_on_station_s, abs=1e-6), (r, s.name)
                    assert s.tactical_lost_s >= -1e-6
