"""The tactical columns of ``replications.csv`` for a real simulated day worked out by hand.

The day of ``tests/handmade.py`` (bases at the origin, point-like sectors A and C at 30 and
90 NM north, 360 kt = 6 NM/min, 2-min take-off roll, 1-min climb, no jitter, no notices):

* red sortie 1, on station in C at 60 min: airborne at 60 - 15 = 45 min, flies north up the
  y axis over A (at 50 min) to C, level at its work altitude after the first minute;
* blue sortie 2, on station in A from 40 min: airborne at 35, works (holds) at A's point
  at the same altitude as red's, from 40 min to the end of its window.

Blue has the layer (standoff 5 NM at any altitude, clear at 7 NM, perfect picture), red has
none. Red comes within 5 NM of blue at 25 NM from the base, 45 + 25/6 = 49.1667 min, and is
7 NM past A, clear, at 45 + 37/6 = 51.1667 min. Times are to 50 ms (the sectors are 0.2 m
wide); nothing below is recomputed by the model.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from sim.detect.encounters import find_encounters
from sim.experiment.metrics import replication_row
from tests.handmade import NM, fleet, load, run_day, scenario_data, sortie

ALERT_MIN = 45 + 25 / 6
CLEAR_MIN = 45 + 37 / 6
TOL_MIN = 0.05 / 60


@pytest.mark.parametrize(
    ("manoeuvre", "on_station_min", "expected"),
    [
        # holds over A until clear, 2 min, then works again at once (it is at A's point) to 70:
        # 2 minutes lost, work left, not abandoned; lands at 70 + 5
        ("hold", 30, {"hold": 1, "rtb": 0, "lost_min": 2.0, "abandoned": 0, "landed_min": 75.0}),
        # window 40-50: clear at 51.17, after the window: home from there. It loses the 0.83
        # minutes it had left and is abandoned; lands 5 min later
        ("hold", 10, {"hold": 1, "rtb": 0, "lost_min": 50 - ALERT_MIN, "abandoned": 1, "landed_min": CLEAR_MIN + 5}),
        # window 40-49.175: half a second of work left at the alert, taken by the hold
        ("hold", 9.175, {"hold": 1, "rtb": 0, "lost_min": 0.5 / 60, "abandoned": 1, "landed_min": CLEAR_MIN + 5}),
        # window 40-55: clear at 51.17, back at work at once, to 55 (the return is no flight)
        ("hold", 15, {"hold": 1, "rtb": 0, "lost_min": 2.0, "abandoned": 0, "landed_min": 60.0}),
        # the crew goes home: the 20.83 minutes left are lost, abandoned, lands 5 min later
        ("rtb", 30, {"hold": 0, "rtb": 1, "lost_min": 70 - ALERT_MIN, "abandoned": 1, "landed_min": ALERT_MIN + 5}),
        # turning away north, 2 min at a time, 6 min in all: red follows at the same speed 5 NM
        # behind, never clear, so three turn-aways (3 x 12 NM north of A), then back to A (36
        # NM, 6 min, past red) at 61.17, work to 70: 12 minutes lost, work left
        ("turn_away", 30, {"turn_away": 3, "rtb": 0, "lost_min": 12.0, "abandoned": 0, "landed_min": 75.0}),
    ],
)
def test_tactical_columns_of_a_day_by_hand(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, manoeuvre: str, on_station_min: float, expected: dict[str, float]
) -> None:
    data = scenario_data(red_fleet=fleet(count=1), blue_fleet=fleet(count=1, on_station_min=on_station_min))
    block = {"standoff_nm": 5, "manoeuvre": manoeuvre, "surveillance": {"perfect": True}}
    if manoeuvre == "turn_away":
        block |= {"max_avoid_min": 2, "max_avoid_total_min": 6}
    data["sides"]["blue"]["tactical"] = block
    loaded = load(tmp_path, data)
    out = run_day(
        monkeypatch, loaded, [sortie(1, "red", "C", 60), sortie(2, "blue", "A", 40, on_station_min=on_station_min)]
    )
    alert = out.alerts[0]
    assert (alert.side, alert.own, alert.intruder, alert.manoeuvre) == ("blue", 2, 1, manoeuvre)
    assert alert.alert_s / 60 == pytest.approx(ALERT_MIN, abs=TOL_MIN)
    if manoeuvre != "turn_away":
        # the one encounter of the flown tracks (the detector's, at 5 NM at any altitude), one
        # alert event queued, never superseded. (In the chase the distance sits exactly at 5 NM,
        # where the layer's pieces and the detector's merge need not agree.)
        assert len(find_encounters(out.tracks, 5 * NM, 100_000.0)) == len(out.alerts) == out.alert_events == 1
    blue = next(s for s in out.sorties if s.id == 2)
    assert blue.landed_s is not None and blue.landed_s / 60 == pytest.approx(expected["landed_min"], abs=TOL_MIN)
    if manoeuvre == "rtb":
        assert blue.tactical_rtb_s is not None and blue.tactical_rtb_s / 60 == pytest.approx(ALERT_MIN, abs=TOL_MIN)
    elif manoeuvre == "turn_away":
        assert blue.tactical_avoid_s == pytest.approx(360.0)
    else:
        assert blue.tactical_rtb_s is None
        assert blue.tactical_avoid_s / 60 == pytest.approx(CLEAR_MIN - ALERT_MIN, abs=TOL_MIN)
    row = replication_row("hand", "none", 0, 0, out, [], [])
    assert {k: v for k, v in row.items() if k.startswith("red_tactical")} == {
        "red_tactical_alerts": 0,
        "red_tactical_turn_away": 0,
        "red_tactical_altitude": 0,
        "red_tactical_hold": 0,
        "red_tactical_rtb": 0,
        "red_tactical_lost_min": 0.0,
        "red_tactical_abandoned": 0,
        "red_tactical_missed": 0,
    }
    got = {k.removeprefix("blue_tactical_"): v for k, v in row.items() if k.startswith("blue_tactical")}
    assert got == {
        "alerts": len(out.alerts),
        "turn_away": expected.get("turn_away", 0),
        "altitude": 0,
        "hold": expected.get("hold", 0),
        "rtb": expected["rtb"],
        "lost_min": pytest.approx(expected["lost_min"], abs=TOL_MIN),
        "abandoned": expected["abandoned"],
        "missed": 0,
    }
    # with no notices, the minutes lost to the manoeuvre are the on-station minutes lost
    assert blue.lost_on_station_s / 60 == pytest.approx(expected["lost_min"], abs=TOL_MIN)
