"""Mission value lost (``<side>_mission_value_lost``) on days worked out by hand, and its invariants.

The days are built in ``tests/handmade.py``: bases at the origin, point-like sectors A, B
and C at 30, 60 and 90 NM north (5, 10 and 15 minutes at 360 kt), a 2-minute take-off roll,
no jitter, hand-made sorties and notices. Red reacts with [altitude, delay, retask, hold,
cancel], airborne too, at most 60 min of delay and 20 min of hold, a 10-min window buffer,
a 1,000-ft vertical buffer and a 5-min ops cell, unless a test says otherwise.

The rates are the defaults unless a test sets a ``mission_value`` block: lost_on_station 1
(value in proportion to the on-station time worked), retask_loss 0.5, altitude_loss 0.25,
delay_loss 0.5 (times the share of the planned window the delayed one lies past),
hold_loss 0, abort_loss 0.5, cancel_loss 1, abandon_loss 0.5; value = station factor x the
product of (1 - loss) over the changes, and value lost = 1 - value. Every expected number
is written out below from those rules and the hand-computed times; none is recomputed by
the code under test.
"""

from __future__ import annotations

import copy
import json
import os
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sim.experiment.metrics import replication_row
from sim.experiment.replicate import Chunk, Job, run_chunk
from sim.experiment.value import mission_value_lost, rates_for, sortie_value
from sim.model.day import Outcome, simulate
from sim.model.tasking import Sortie
from sim.scenario.load import LoadedScenario, load_scenario, scenario_from_data
from sim.scenario.models import MISSION_VALUE_DEFAULTS, MissionValue
from tests.handmade import (
    HALF_DEG,
    LON0,
    NM,
    RED_REACTION,
    fleet,
    lat_north,
    load,
    notice,
    run_day,
    scenario_data,
    sectors_geojson,
    sortie,
)

ROOT = Path(__file__).resolve().parents[2]
FEW = bool(os.environ.get("MUTANT_UNDER_TEST"))


def lost(out: Outcome, side: str, loaded: LoadedScenario) -> float:
    """The side's ``mission_value_lost`` in the day's row, at the scenario's rates."""
    value = replication_row("hand", "none", 0, 0, out, [], [], rates_for(loaded.scenario))[f"{side}_mission_value_lost"]
    assert isinstance(value, float)
    return value


def with_value(
    data: dict[str, Any], side: dict[str, float] | None = None, fleet_block: dict[str, float] | None = None
) -> dict[str, Any]:
    """Scenario data with red's side-wide and fleet ``mission_value`` blocks."""
    data = copy.deepcopy(data)
    if side is not None:
        data["sides"]["red"]["mission_value"] = side
    if fleet_block is not None:
        data["sides"]["red"]["fleets"]["jet"]["mission_value"] = fleet_block
    return data


# --- one red sortie, one notice: each change at the default rates ---------------------------

CASES = {
    # flown as planned: on station at 60 in A, 30 min worked of 30, nothing changed: 0
    "as planned": ([sortie(0, "red", "A", 60)], [], 0.0),
    # N (area, 400-500) read at 305: delay to 510 is 90 min > 60, every sector is affected,
    # no hold before take-off: cancelled, worth 1 - cancel_loss = 0
    "cancelled": ([sortie(1, "red", "A", 420)], [(300, "red", [notice("blue", "red", 101, None, 400, 500)])], 1.0),
    # N (A, 200-300) would delay it to 310, 70 min > 60: re-tasked to B on the ground and
    # flown in full there: 1 - 0.5
    "re-tasked": ([sortie(3, "red", "A", 240)], [(150, "red", [notice("blue", "red", 102, "A", 200, 300)])], 0.5),
    # N (B, 840-870, 10,000-14,000 ft) reaches into the 10,000-20,000-ft block (with the
    # 1,000-ft buffer): moved to 15,000-20,000 ft, flown in full: 1 - 0.25
    "block moved": (
        [sortie(6, "red", "B", 850)],
        [(800, "red", [notice("blue", "red", 106, "B", 840, 870, 10000, 14000)])],
        0.25,
    ),
    # N (A, 100-125): delayed from 120 to 135, 15 min of a 30-min window past the planned
    # one, all 30 min worked: 1 - (1 - 0.5 x 15/30) = 0.25
    "delayed": ([sortie(2, "red", "A", 120)], [(30, "red", [notice("blue", "red", 101, "A", 100, 125)])], 0.25),
    # the same delay of a 10-min window: 15 min past it is all of it: 1 - (1 - 0.5 x 1) = 0.5
    "delayed past its window": (
        [sortie(2, "red", "A", 120, on_station_min=10)],
        [(30, "red", [notice("blue", "red", 101, "A", 100, 125)])],
        0.5,
    ),
    # airborne at 595 for A at 600; N (area, 560-598) read at 596 in transit: held until
    # 608, 8 of its 30 min lost, no hold loss: 1 - 22/30 = 8/30
    "held": ([sortie(4, "red", "A", 600)], [(591, "red", [notice("blue", "red", 104, None, 560, 598)])], 8 / 30),
    # airborne at 715 for A at 720; N (area, 700-800) read at 716: a hold to 810 would be
    # 90 min > 20, so sent home before it arrived: nothing worked, 1 - 0 x 0.5 = 1
    "sent home in transit": (
        [sortie(5, "red", "A", 720)],
        [(711, "red", [notice("blue", "red", 105, None, 700, 800)])],
        1.0,
    ),
    # airborne at 995 for A at 1000; N (A, 990-1100) read at 996: re-tasked to B in flight,
    # on station 1005-1030, 25 of 30 min worked: 1 - 25/30 x 0.5 = 35/60
    "re-tasked in flight": (
        [sortie(9, "red", "A", 1000)],
        [(991, "red", [notice("blue", "red", 107, "A", 990, 1100)])],
        35 / 60,
    ),
}


@pytest.mark.parametrize("case", list(CASES))
def test_each_change_costs_its_share_at_the_default_rates(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, case: str
) -> None:
    sorties, deliveries, want = CASES[case]
    loaded = load(tmp_path, scenario_data())
    out = run_day(monkeypatch, loaded, sorties, deliveries=deliveries)
    assert lost(out, "red", loaded) == pytest.approx(want, abs=1e-4)
    assert lost(out, "blue", loaded) == 0.0  # blue flew nothing


def test_a_sortie_flown_as_planned_loses_exactly_nothing(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    loaded = load(tmp_path, scenario_data())
    out = run_day(monkeypatch, loaded, [sortie(0, "red", "A", 60), sortie(8, "red", "A", 60)])
    # both due on the runway at 53: one waits 2 min for it, and a wait costs nothing
    assert lost(out, "red", loaded) == 0.0


def test_sent_home_on_station_keeps_half_of_what_it_worked(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    # red may only cancel (in flight: send home). On station in A 60-90; N (A, 70-100) is
    # read at 70: sent home after 10 of its 30 min: value 10/30 x (1 - 0.5) = 1/6, lost 5/6
    reaction = dict(RED_REACTION, actions=["cancel"])
    loaded = load(tmp_path, scenario_data(red_reaction=reaction))
    out = run_day(
        monkeypatch,
        loaded,
        [sortie(0, "red", "A", 60)],
        deliveries=[(65, "red", [notice("blue", "red", 1, "A", 70, 100)])],
    )
    assert out.sorties[0].aborted
    assert lost(out, "red", loaded) == pytest.approx(5 / 6, abs=1e-4)


def test_an_altitude_split_squeezes_both_sides_blocks(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    # boundary 15,000 ft, margin 500: blue (upper) flies 15,500-20,000 ft and red (lower)
    # 10,000-14,500 ft instead of 10,000-20,000: each sortie moved, 1 - 0.25 lost, 0.25 each
    split = {"split": {"kind": "altitude_split", "upper": "blue", "boundary_ft": 15000}}
    loaded = load(tmp_path, scenario_data(policies=split))
    out = run_day(
        monkeypatch,
        loaded,
        [sortie(0, "red", "A", 60), sortie(1, "red", "B", 200), sortie(10, "blue", "C", 60)],
        policy=loaded.scenario.policies["split"],
    )
    assert lost(out, "red", loaded) == pytest.approx(0.5)
    assert lost(out, "blue", loaded) == pytest.approx(0.25)


def test_cancel_loss_and_hold_loss_set_on_the_side(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    data = with_value(scenario_data(), side={"cancel_loss": 0.4, "hold_loss": 0.25})
    loaded = load(tmp_path, data)
    # cancelled as above: 1 - (1 - 0.4) = 0.4; held 8 of 30 min: 1 - 22/30 x 0.75 = 0.45
    out = run_day(
        monkeypatch,
        loaded,
        [sortie(1, "red", "A", 420), sortie(4, "red", "A", 600)],
        deliveries=[
            (300, "red", [notice("blue", "red", 101, None, 400, 500)]),
            (591, "red", [notice("blue", "red", 104, None, 560, 598)]),
        ],
    )
    assert lost(out, "red", loaded) == pytest.approx(0.4 + 0.45, abs=1e-4)


@pytest.mark.parametrize(
    ("side", "fleet_block", "want"),
    [
        (None, None, 0.5),  # the default
        ({"retask_loss": 0.2}, None, 0.2),  # the side's
        ({"retask_loss": 0.2}, {"retask_loss": 0.8}, 0.8),  # the fleet's over the side's
        ({"retask_loss": 0.2, "lost_on_station": 0}, {"cancel_loss": 0.3}, 0.2),  # field by field
    ],
)
def test_a_fleets_block_overrides_its_sides_field_by_field(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, side: Any, fleet_block: Any, want: float
) -> None:
    loaded = load(tmp_path, with_value(scenario_data(), side=side, fleet_block=fleet_block))
    # re-tasked to B on the ground, flown in full: 1 - (1 - retask_loss)
    out = run_day(
        monkeypatch,
        loaded,
        [sortie(3, "red", "A", 240)],
        deliveries=[(150, "red", [notice("blue", "red", 102, "A", 200, 300)])],
    )
    assert lost(out, "red", loaded) == pytest.approx(want)


def test_the_resolved_rates() -> None:
    side = MissionValue(retask_loss=0.2, cancel_loss=0.9)
    fleet_block = MissionValue(retask_loss=0.8)
    got = fleet_block.over(side)
    assert (got.loss("retask_loss"), got.loss("cancel_loss"), got.loss("altitude_loss")) == (0.8, 0.9, 0.25)
    assert MissionValue().over(None).loss("abort_loss") == 0.5
    assert MISSION_VALUE_DEFAULTS == {
        "lost_on_station": 1.0,
        "retask_loss": 0.5,
        "altitude_loss": 0.25,
        "delay_loss": 0.5,
        "hold_loss": 0.0,
        "abort_loss": 0.5,
        "cancel_loss": 1.0,
        "abandon_loss": 0.5,
    }


@pytest.mark.parametrize("bad", [-0.1, 1.5, float("nan")])
def test_rates_are_fractions(tmp_path: Path, bad: float) -> None:
    from sim.errors import InputError

    with pytest.raises(InputError, match="retask_loss"):
        load(tmp_path, with_value(scenario_data(), fleet_block={"retask_loss": bad}))


# --- the tactical layer --------------------------------------------------------------------


def tactical_scenario(tmp_path: Path, manoeuvre: list[str]) -> LoadedScenario:
    """Blue yields (standoff 20 NM, any altitude, perfect picture, no response time); red flies
    at 720 kt (1 NM in 5 s) to sector F, a point 150 NM north (12.5 min)."""
    geo = sectors_geojson()
    lat = lat_north(150 * NM)
    ring = [[LON0 - HALF_DEG, lat - HALF_DEG], [LON0 + HALF_DEG, lat - HALF_DEG], [LON0 + HALF_DEG, lat + HALF_DEG],
            [LON0 - HALF_DEG, lat + HALF_DEG], [LON0 - HALF_DEG, lat - HALF_DEG]]  # fmt: skip
    geo["features"].append(
        {"type": "Feature", "properties": {"name": "F"}, "geometry": {"type": "Polygon", "coordinates": [ring]}}
    )
    (tmp_path / "sectors.geojson").write_text(json.dumps(geo), encoding="utf-8")
    red_fleet = fleet()
    red_fleet["cruise_kt"] = 720
    data = scenario_data(red_fleet=red_fleet)
    data["sides"]["blue"]["tactical"] = {"standoff_nm": 20, "manoeuvre": manoeuvre, "surveillance": {"perfect": True}}
    return scenario_from_data(data, path=tmp_path / "handmade.yaml", sha256="0" * 64)


def tactical_day(monkeypatch: pytest.MonkeyPatch, loaded: LoadedScenario) -> Outcome:
    # blue on station in A (30 NM N) 60-120 min. Red airborne at 70:00 for F (on station
    # 82.5-142.5, home long after blue has landed); it is 20 NM short of A, at 10 NM N, 50 s
    # later: blue's alert at 70:50 (4,250 s).
    return run_day(
        monkeypatch,
        loaded,
        [sortie(10, "blue", "A", 60, on_station_min=60), sortie(0, "red", "F", 82.5, on_station_min=60)],
    )


def test_a_turn_away_costs_the_on_station_time_it_takes(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    loaded = tactical_scenario(tmp_path, ["turn_away"])
    out = tactical_day(monkeypatch, loaded)
    blue = next(s for s in out.sorties if s.side == "blue")
    # Blue turns straight away from red (north) at 360 kt; red closes at 720 - 360 = 360 kt,
    # overtakes and is 22 NM (standoff + margin) ahead 42 NM of relative motion later: 420 s,
    # blue at 72 NM N, red at 94 NM N and going on. Blue flies back to A (42 NM, 420 s) and
    # works again from 5,090 s: 840 s = 14 of its 60 min lost, value 46/60, lost 14/60.
    assert blue.tactical_manoeuvres == ["turn_away"]
    assert blue.tactical_lost_s == pytest.approx(840, abs=0.1)
    assert lost(out, "blue", loaded) == pytest.approx(14 / 60, abs=1e-4)
    assert lost(out, "red", loaded) == 0.0


def test_a_mission_abandoned_in_flight_keeps_half_of_what_it_worked(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    loaded = tactical_scenario(tmp_path, ["rtb"])
    out = tactical_day(monkeypatch, loaded)
    blue = next(s for s in out.sorties if s.side == "blue")
    # sent home by its crew at 4,250 s after 650 s of its 3,600 on station:
    # value 650/3600 x (1 - 0.5) = 650/7200, lost 6550/7200
    assert blue.tactical_rtb_s == pytest.approx(4250, abs=0.1)
    assert lost(out, "blue", loaded) == pytest.approx(6550 / 7200, abs=1e-4)


# --- the rule on records made by hand (no simulation) ---------------------------------------


def record(**fields: Any) -> Sortie:
    """A sortie of 30 planned on-station minutes that flew and worked ``worked_min`` (default all)."""
    worked_min = fields.pop("worked_min", 30.0)
    s = sortie(0, "red", "A", 60)
    s.launched_s = 55 * 60.0
    s.landed_s = 100 * 60.0
    s.work_segments = [[3600.0, 3600.0 + worked_min * 60]] if worked_min else []
    for name, value in fields.items():
        setattr(s, name, value)
    return s


DEFAULT = MissionValue()


@pytest.mark.parametrize(
    ("fields", "value"),
    [
        ({}, 1.0),
        ({"worked_min": 20.0}, 2 / 3),  # 10 of 30 min lost
        ({"retasked": True, "altitude_changed": True}, 0.5 * 0.75),
        # re-tasked, new block, delayed 15 of 30 min, 6 of 30 min lost: 24/30 x 0.5 x 0.75 x 0.75
        ({"retasked": True, "altitude_changed": True, "delay_s": 900.0, "worked_min": 24.0}, 0.225),
        ({"delay_s": 3600.0}, 0.5),  # an hour past a 30-min window: all of it past, x (1 - 0.5)
        ({"held_s": 60.0, "worked_min": 29.0}, 29 / 30),  # no hold loss: the minute is the cost
        ({"aborted": True, "worked_min": 15.0}, 0.25),
        ({"tactical_abandoned": True, "worked_min": 10.0}, 1 / 6),
        ({"tactical_rtb_s": 4000.0, "tactical_abandoned": True, "worked_min": 6.0}, 0.1),  # counted once
        ({"cancelled": True, "launched_s": None, "landed_s": None, "worked_min": 0.0}, 0.0),
    ],
)
def test_the_value_of_a_record(fields: dict[str, Any], value: float) -> None:
    assert sortie_value(record(**fields), DEFAULT) == pytest.approx(value)


def test_a_cancelled_sortie_is_worth_one_less_its_cancel_loss_alone() -> None:
    s = record(cancelled=True, launched_s=None, landed_s=None, worked_min=0.0)
    rates = MissionValue(cancel_loss=0.3)
    assert sortie_value(s, rates) == pytest.approx(0.7)  # its on-station time is not counted again
    s.retasked = True  # re-tasked before it was cancelled: x 0.5
    assert sortie_value(s, rates) == pytest.approx(0.35)
    assert mission_value_lost([s, record()], lambda _s: rates) == pytest.approx(0.65)


_OUTCOMES = st.fixed_dictionaries(
    {
        "worked_min": st.floats(0, 30),
        "retasked": st.booleans(),
        "altitude_changed": st.booleans(),
        "delay_s": st.sampled_from([0.0, 1.0, 900.0, 1800.0, 7200.0]),
        "held_s": st.sampled_from([0.0, 60.0]),
        "aborted": st.booleans(),
        "tactical_abandoned": st.booleans(),
        "cancelled": st.booleans(),
    }
)
_RATES = st.fixed_dictionaries({name: st.floats(0, 1) for name in MISSION_VALUE_DEFAULTS})


@settings(max_examples=300 // (10 if FEW else 1), deadline=None, derandomize=True)
@given(outcome=_OUTCOMES, rates=_RATES, name=st.sampled_from(sorted(MISSION_VALUE_DEFAULTS)), more=st.floats(0, 1))
def test_the_value_lies_in_0_1_and_never_rises_with_a_rate(
    outcome: dict[str, Any], rates: dict[str, float], name: str, more: float
) -> None:
    if outcome["cancelled"]:
        outcome |= {"launched_s": None, "landed_s": None, "worked_min": 0.0}
    s = record(**outcome)
    low = MissionValue(**rates)
    high = MissionValue(**(rates | {name: min(1.0, rates[name] + more * (1 - rates[name]))}))
    v_low, v_high = sortie_value(s, low), sortie_value(s, high)
    assert 0.0 <= v_high <= v_low <= 1.0


# --- invariants over random replications ----------------------------------------------------


def _rows(loaded: LoadedScenario, replications: range) -> list[dict[str, Any]]:
    sc = loaded.scenario
    rates = rates_for(sc)
    rows = []
    for rep in replications:
        for name, policy in sc.policies.items():
            out = simulate(loaded, policy, sc.seed, rep)
            rows.append(replication_row(name, policy.kind, rep, sc.seed, out, [], [], rates))
    return rows


def _check_bounds(loaded: LoadedScenario, rows: list[dict[str, Any]]) -> None:
    for row in rows:
        for side in loaded.scenario.side_names:
            value = row[f"{side}_mission_value_lost"]
            assert 0.0 <= value <= row[f"{side}_sorties_planned"], (row["policy"], row["replication"], side)
            # each cancelled sortie costs its whole value at cancel_loss 1 (the default)
            assert value >= row[f"{side}_cancelled"] - 1e-9


@pytest.fixture(scope="module")
def corridor() -> LoadedScenario:
    return load_scenario(ROOT / "scenarios" / "corridor-small.yaml")


@pytest.fixture(scope="module")
def baseline() -> LoadedScenario:
    return load_scenario(ROOT / "scenarios" / "syria-2015-10.yaml")


def _no_tactical(loaded: LoadedScenario) -> LoadedScenario:
    return LoadedScenario(loaded.scenario.without_tactical(), loaded.sectors, loaded.path, loaded.sha256)


def test_corridor_value_lost_is_bounded_and_zero_with_no_rule(corridor: LoadedScenario) -> None:
    assert not corridor.scenario.has_tactical
    rows = _rows(corridor, range(12 // (3 if FEW else 1)))
    _check_bounds(corridor, rows)
    for row in rows:
        if row["policy_kind"] == "none":
            assert row["red_mission_value_lost"] == 0.0 and row["blue_mission_value_lost"] == 0.0
    # the rules do cost something on this busy example
    assert sum(row["blue_mission_value_lost"] for row in rows) > 0


def test_baseline_value_lost_is_bounded_and_zero_with_no_rule_and_no_tactical_layer(baseline: LoadedScenario) -> None:
    reps = range(2 if FEW else 4)
    with_layer = _rows(baseline, reps)
    _check_bounds(baseline, with_layer)
    plain = _no_tactical(baseline)
    without = _rows(plain, reps)
    _check_bounds(plain, without)
    for row in without:
        if row["policy_kind"] == "none":
            assert row["russia_mission_value_lost"] == 0.0 and row["coalition_mission_value_lost"] == 0.0
    for row in with_layer:
        if row["policy_kind"] == "none":  # Russia has no tactical layer: nothing changes its sorties
            assert row["russia_mission_value_lost"] == 0.0


def test_the_scenarios_block_reaches_the_replications_table(corridor: LoadedScenario) -> None:
    # every rate 0: nothing a rule does costs any value, under every rule
    sc = corridor.scenario
    free = MissionValue(**dict.fromkeys(MISSION_VALUE_DEFAULTS, 0.0))
    sides = {name: side.model_copy(update={"mission_value": free}) for name, side in sc.sides.items()}
    loaded = LoadedScenario(sc.model_copy(update={"sides": sides}), corridor.sectors, corridor.path, corridor.sha256)
    job = Job("k", loaded, tuple(sc.policies), sc.seed)
    result = run_chunk(job, Chunk("k", 0, 3))
    header = job.columns
    for line in result.replications_csv.strip().splitlines():
        row = dict(zip(header, line.split(","), strict=True))
        assert float(row["red_mission_value_lost"]) == 0.0 and float(row["blue_mission_value_lost"]) == 0.0
    # and the column sits with its side's costs, after the sorties flown
    i = header.index("red_sorties_flown")
    assert header[i + 1] == "red_mission_value_lost"


def test_the_printed_summary_leads_its_costs_with_the_value_lost(capsys: pytest.CaptureFixture[str]) -> None:
    import csv

    from sim.experiment.report import print_summary

    golden = ROOT / "tests" / "repro" / "golden" / "corridor-small" / "summary.csv"
    with golden.open(encoding="utf-8", newline="") as f:
        summary = list(csv.DictReader(f))
    policies = list(dict.fromkeys(r["policy"] for r in summary))
    print_summary(summary, policies, ["los", "nmac"], ["red", "blue"], 4.0)
    printed = capsys.readouterr().out
    headline = printed.index("mission value lost, in sortie")
    assert headline < printed.index("Cost of deconfliction to red in detail")
    table = printed[headline:].split("\n\n")[0].splitlines()
    assert table[0].endswith("in sortie") and table[1].startswith("equivalents (a sortie flown")  # wrapped at 100
    assert table[2].split() == ["policy", "red", "value", "lost", "blue", "value", "lost"]
    assert table[4].split() == ["no-notice", "0", "0"]  # the reference loses nothing: an exact 0
    assert table[5].split() == ["notice-30", "0", "4.6", "±1.9"]  # two significant figures of the half-width
    # one block per policy against the reference: the metrics that moved, in the order the tables
    # print them (levels, both sides' value lost, then the detail), then the ones that never did
    block = printed[printed.index("\nnotice-30 - no-notice:\n") :].split("\n\n")[0].splitlines()
    labels = [line.split("  ")[0] for line in block[4:11]]
    assert labels == [
        "encounters los",
        "blue value lost",
        "blue delay min",
        "blue lost on-station min",
        "blue re-tasked",
        "blue cancelled",
        "blue sent home",
    ]
    assert block[4].split() == ["encounters", "los", "-13.8", "[-18.6,", "-9.0]", "-91", "%"]
    same = " ".join(block[11:])
    assert "the same in every replication: encounters nmac, red value lost, red delay min" in same
