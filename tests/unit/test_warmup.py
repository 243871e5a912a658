"""The warm-up (``warmup_h``): the measured day starts (and ends) with operations under way.

Semantics pinned here (README, *Steady state*): with ``warmup_h: W > 0`` each side's
sorties are drawn for [-W, 0) and [H, H + W) as well as for the day [0, H), with the same
hourly profile, and flown; only the measured day counts: encounters (and tactical alerts,
missed encounters, the risk columns) that *start* in [0, H); costs of the sorties *tasked*
on station in [0, H); aircraft airborne within [0, H). ``warmup_h: 0`` is exactly the day
without the option.
"""

from __future__ import annotations

import csv
import io
import json
import math
from pathlib import Path
from typing import Any

import numpy as np
import pytest

import sim.model.day
from sim.cli import main
from sim.experiment.metrics import ENCOUNTER_COLUMNS
from sim.experiment.replicate import Chunk, Job, airborne_by_hour, run_chunk
from sim.model.day import simulate
from sim.model.tasking import Sortie, draw_tasking
from sim.scenario.load import LoadedScenario, load_scenario
from tests.conftest import REPO
from tests.handmade import MIN, fleet, load, scenario_data, sortie

CORRIDOR = REPO / "scenarios" / "corridor-small.yaml"


def _with_warmup(path: Path, tmp_path: Path, line: str | None) -> Path:
    """A copy of scenario ``path`` in ``tmp_path`` with ``line`` added after ``horizon_h`` (sectors by absolute path)."""
    text = path.read_text(encoding="utf-8")
    text = text.replace("sectors_file: data/", f"sectors_file: {path.parent / 'data'}/")
    if line is not None:
        text = text.replace("horizon_h: 4\n", f"horizon_h: 4\n{line}\n")
    out = tmp_path / f"{path.stem}-{abs(hash(line))}.yaml"
    out.write_text(text, encoding="utf-8")
    return out


def _tables(loaded: LoadedScenario, reps: int = 3) -> tuple[str, str, dict[str, list[list[float]]]]:
    job = Job("k", loaded, tuple(loaded.scenario.policies), loaded.scenario.seed)
    result = run_chunk(job, Chunk("k", 0, reps))
    return result.replications_csv, result.encounters_csv, result.airborne_h


# --- warm-up 0 is the day without the option --------------------------------------------------


def test_warmup_zero_gives_exactly_the_tables_without_the_option(tmp_path: Path) -> None:
    plain = load_scenario(_with_warmup(CORRIDOR, tmp_path, None))
    zero = load_scenario(_with_warmup(CORRIDOR, tmp_path, "warmup_h: 0"))
    assert zero.scenario.warmup_h == 0 and "warmup_h" not in CORRIDOR.read_text(encoding="utf-8")
    assert _tables(plain) == _tables(zero)
    out = simulate(zero, zero.scenario.policies["shared"], zero.scenario.seed, 0)
    assert out.window_s is None and out.measured_sorties == out.sorties


# --- steady state: continuous orbits are up at midnight ----------------------------------------

ORBIT_MIN = 600.0  # on station
SORTIE_MIN = 5.0 + ORBIT_MIN + 5.0  # wheels-up to landing: 5 min out to sector A, 5 min back
PER_DAY = 6
STEADY = PER_DAY * SORTIE_MIN / (24 * 60)  # aircraft airborne at any time: 6 x 610 / 1440 = 2.5417


def _orbits(tmp_path: Path, warmup_h: float) -> LoadedScenario:
    """Red flies 6 orbits a day of 10 h on station in sector A (5 min away), at random times; blue nothing."""
    data = scenario_data(red_fleet=fleet(count=30, on_station_min=ORBIT_MIN), horizon_h=24)
    data["sides"]["red"]["sorties_per_day"] = PER_DAY
    data["sides"]["red"]["sector_weights"] = {"A": 1}
    data["warmup_h"] = warmup_h
    return load(tmp_path, data)


def _airborne_at(loaded: LoadedScenario, times_h: list[float], reps: int) -> tuple[np.ndarray, np.ndarray]:
    """Per time: mean and standard error over replications of red aircraft airborne, from the tracks."""
    counts = np.zeros((reps, len(times_h)))
    for r in range(reps):
        tracks = simulate(loaded, loaded.scenario.policies["none"], 0, r).tracks
        pf = tracks.point_flight
        first = np.flatnonzero(np.r_[True, pf[1:] != pf[:-1]])
        last = np.r_[first[1:], len(pf)] - 1
        t0, t1 = tracks.t_s[first], tracks.t_s[last]
        for k, t in enumerate(times_h):
            counts[r, k] = np.sum((t0 <= t * 3600.0) & (t * 3600.0 <= t1))
    return counts.mean(axis=0), counts.std(axis=0, ddof=1) / math.sqrt(reps)


def test_with_a_warmup_of_an_orbit_continuous_orbits_are_up_at_midnight(tmp_path: Path) -> None:
    times = [0.0, 0.5, 6.0, 12.0, 18.0, 23.9]
    reps = 150
    mean, se = _airborne_at(_orbits(tmp_path, 12.0), times, reps)  # 12 h >= 610 min, one orbit
    # in steady state the number airborne is the same at every time: rate x length
    assert STEADY == pytest.approx(2.5417, abs=1e-4)
    for t, m, e in zip(times, mean, se, strict=True):
        assert abs(m - STEADY) < 4 * e, (t, m, e)  # se is about 0.1
    # without a warm-up the orbits start from nothing at midnight (what the option is for)
    mean0, _ = _airborne_at(_orbits(tmp_path, 0.0), [0.0, 12.0], 40)
    assert mean0[0] < 0.3 and abs(mean0[1] - STEADY) < 0.6


def test_airborne_by_hour_is_flat_with_a_warmup(tmp_path: Path) -> None:
    """The airborne.csv machinery (hours airborne in each hour of the day) agrees."""
    loaded = _orbits(tmp_path, 12.0)
    reps = 100
    hours = np.array(
        [airborne_by_hour(simulate(loaded, loaded.scenario.policies["none"], 0, r), "red") for r in range(reps)]
    )
    mean, se = hours.mean(axis=0), hours.std(axis=0, ddof=1) / math.sqrt(reps)
    for h in (0, 1, 11, 23):
        assert abs(mean[h] - STEADY) < 4 * se[h], (h, mean[h], se[h])
    assert abs(mean.mean() - STEADY) < 0.15  # all 24 hours together


# --- what is counted: encounters by start, costs by tasked on-station start ---------------------

H_MIN = 240.0  # horizon 4 h
W_H = 3.0  # warm-up 3 h


def _hand(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, t_on_min: list[float], policy: dict[str, Any]
) -> tuple[Job, list[tuple[str, float, float]]]:
    """Pairs of one red and one blue sortie on station in sector A at each ``t_on_min``: the two
    fly the same path (same base, speed and block), so each pair is one encounter at every level
    from wheels-up (t_on - 5 min) to landing (t_on + 35 min)."""
    data = scenario_data(
        horizon_h=H_MIN / 60,
        red_reaction={"actions": ["hold"], "max_hold_min": 0},  # nothing can be done: notices change no path
        blue_reaction={"actions": ["hold"], "max_hold_min": 0},
        policies={"p": policy},
    )
    data["warmup_h"] = W_H
    data["levels"] = [
        {"name": "los", "horizontal_nm": 5, "vertical_ft": 1000},
        {"name": "nmac", "horizontal_ft": 500, "vertical_ft": 100},
    ]
    errors = {"lateral_sd_ft": 1, "lateral_law": "normal", "vertical_sd_ft": 1, "length_ft": 50, "wingspan_ft": 40}
    for side in ("red", "blue"):
        data["sides"][side]["errors"] = {**errors, "height_ft": 15}
    data["sides"]["blue"]["tactical"] = {
        "standoff_nm": 5,
        "standoff_ft": 1000,
        "manoeuvre": "none",
        "surveillance": {"perfect": True},
    }
    loaded = load(tmp_path, data)
    calls: list[tuple[str, float, float]] = []

    def tasking(
        side_name: str, side: Any, sectors: Any, end_s: float, rng: Any, first_id: int = 0, start_s: float = 0.0
    ) -> list[Sortie]:
        calls.append((side_name, start_s, end_s))
        made = [sortie(2 * k + (side_name == "blue"), side_name, "A", t) for k, t in enumerate(t_on_min)]
        return [s for s in made if start_s <= s.t_on_s < end_s]

    monkeypatch.setattr(sim.model.day, "draw_tasking", tasking)
    return Job("k", loaded, ("p",), 0), calls


def _rows(text: str, columns: list[str]) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(",".join(columns) + "\n" + text)))


def test_encounters_and_costs_outside_the_measured_day_are_not_counted(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # encounters (wheels-up to landing): [-125, -85] and [-25, 15] min (warm-up sorties, both
    # start before 0), [55, 95] and [220, 260] (the day's: both start in [0, 240)), [295, 335]
    # (run-out sorties, after the day)
    job, calls = _hand(tmp_path, monkeypatch, [-120, -20, 60, 225, 300], {"kind": "shared_schedule"})
    result = run_chunk(job, Chunk("k", 0, 1))
    # the day first, then each side's warm-up and run-out, from the same generators
    assert calls == [
        ("red", 0.0, H_MIN * MIN), ("blue", 0.0, H_MIN * MIN),
        ("red", -W_H * 3600, 0.0), ("red", H_MIN * MIN, H_MIN * MIN + W_H * 3600),
        ("blue", -W_H * 3600, 0.0), ("blue", H_MIN * MIN, H_MIN * MIN + W_H * 3600),
    ]  # fmt: skip
    (row,) = _rows(result.replications_csv, job.columns)
    enc = _rows(result.encounters_csv, list(ENCOUNTER_COLUMNS))
    assert int(row["encounters_los"]) == 2 and int(row["encounters_nmac"]) == 2
    los = sorted(float(r["t_start"]) / MIN for r in enc if r["level"] == "los")
    assert los == pytest.approx([55.0, 220.0], abs=1e-4)  # sector A is 0.2 m wide: times to a few ms
    # the one straddling the horizon is counted whole (by its start) ...
    assert max(float(r["t_end"]) for r in enc) / MIN == pytest.approx(260.0, abs=1e-4)
    # ... and the risk columns count the same encounters: ~1 each (errors of 1 ft), none for the
    # pair already inside the volume at 0
    assert float(row["risk_nmac"]) == pytest.approx(2.0, abs=1e-6)
    assert float(row["risk_collision"]) == pytest.approx(2.0, abs=1e-6)
    for side in ("red", "blue"):
        # costs: only the two sorties tasked on station in [0, 240) of each side
        assert int(row[f"{side}_sorties_planned"]) == 2 and int(row[f"{side}_sorties_flown"]) == 2
        assert float(row[f"{side}_flight_h"]) == pytest.approx(2 * 40 / 60, abs=1e-6)
        # the shared schedule: every sortie of the other side is announced (and none can move),
        # but only the notices about measured sorties, and the measured sorties left unresolved, count
        assert int(row[f"{side}_notices_received"]) == 2
        assert int(row[f"{side}_unresolved"]) == 2
    # blue's standoff is the los volume with a perfect picture: its alerts are the encounters
    assert int(row["blue_tactical_alerts"]) == 2 and int(row["blue_tactical_missed"]) == 0
    # airborne within [0, 240) only, the warm-up pair still flying at 0 included: hour 0 holds
    # [0, 15] + [55, 60] min, hour 1 [60, 95], hour 3 [220, 240]
    red = np.array(result.airborne_h["p/red"][0])
    expected = np.zeros(24)
    expected[[0, 1, 3]] = [20 / 60, 35 / 60, 20 / 60]
    assert red == pytest.approx(expected, abs=1e-6)


def test_the_next_days_aircraft_airborne_before_the_horizon_are_in_the_measured_day(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # a pair tasked on station at 243 min (the next day's) takes off at 238 min: its encounter
    # starts in the measured day and counts; its costs do not
    job, _ = _hand(tmp_path, monkeypatch, [243], {"kind": "none"})
    result = run_chunk(job, Chunk("k", 0, 1))
    (row,) = _rows(result.replications_csv, job.columns)
    assert int(row["encounters_los"]) == 1 and float(row["risk_nmac"]) == pytest.approx(1.0, abs=1e-6)
    assert int(row["red_sorties_planned"]) == 0 and float(row["red_flight_h"]) == 0.0
    assert int(row["blue_tactical_alerts"]) == 1
    assert result.airborne_h["p/red"][0][3] == pytest.approx(2 / 60, abs=1e-6)


# --- common random numbers and determinism -----------------------------------------------------


def _drawn(sorties: Any) -> list[tuple[Any, ...]]:
    """What the tasking drew for each sortie (ids and numbers), in id order."""
    return sorted(
        (s.id, s.side, s.fleet, s.tasked_sector, s.tasked_t_on_s, s.jitter_s, s.short_notice, s.work_u.tobytes())
        for s in sorties
    )


def test_the_measured_days_sorties_are_the_ones_drawn_without_a_warmup_under_every_policy(tmp_path: Path) -> None:
    base = load_scenario(_with_warmup(CORRIDOR, tmp_path, None))
    warm = load_scenario(_with_warmup(CORRIDOR, tmp_path, "warmup_h: 6"))
    sc = warm.scenario
    for rep in (0, 3):
        alone = _drawn(simulate(base, sc.policies["no-notice"], sc.seed, rep).sorties)
        per_policy = [simulate(warm, spec, sc.seed, rep) for spec in sc.policies.values()]
        first = _drawn(per_policy[0].sorties)
        assert len(first) > len(alone)
        for out in per_policy[1:]:
            assert _drawn(out.sorties) == first  # the same sorties, warm-up and run-out included, under every rule
        for out in per_policy:
            assert _drawn(out.measured_sorties) == alone  # ids and every number as drawn without a warm-up
            assert {s.tasked_t_on_s < 0 for s in out.sorties} == {True, False}
            assert max(s.tasked_t_on_s for s in out.sorties) >= sc.horizon_s


def test_same_seed_same_tables_with_a_warmup(tmp_path: Path) -> None:
    warm = load_scenario(_with_warmup(CORRIDOR, tmp_path, "warmup_h: 6"))
    first = _tables(warm)
    assert first == _tables(warm)
    assert first != _tables(load_scenario(_with_warmup(CORRIDOR, tmp_path, None)))


# --- the draw of a window ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("hour", "start_h", "end_h", "lo_h", "hi_h"),
    [
        (23, -24.0, 0.0, -1.0, 0.0),  # hour 23 of the previous day
        (0, -24.0, 0.0, -24.0, -23.0),  # hour 0 of the previous day
        (23, -0.5, 0.0, -0.5, 0.0),  # a window starting inside an hour: its part only
        (2, 24.0, 30.0, 26.0, 27.0),  # the next day's hour 2
    ],
)
def test_a_window_reads_the_profile_by_hour_of_day(
    tmp_path: Path, hour: int, start_h: float, end_h: float, lo_h: float, hi_h: float
) -> None:
    data = scenario_data()
    data["sides"]["red"]["sorties_per_day"] = 48
    data["sides"]["red"]["time_profile"] = [1.0 if h == hour else 0.0 for h in range(24)]
    loaded = load(tmp_path, data)
    side = loaded.scenario.sides["red"]
    got = draw_tasking("red", side, loaded.sectors, end_h * 3600, np.random.default_rng(1), 7, start_s=start_h * 3600)
    assert len(got) in (math.floor(48 * (end_h - start_h) / 24), math.ceil(48 * (end_h - start_h) / 24))
    assert got and all(lo_h * 3600 <= s.t_on_s < hi_h * 3600 for s in got)
    assert [s.id for s in got] == list(range(7, 7 + len(got)))


# --- the manifest and validate -------------------------------------------------------------------


def test_validate_prints_the_warmup_and_the_manifest_records_it(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = _with_warmup(CORRIDOR, tmp_path, "warmup_h: 6")
    assert main(["validate", str(path)]) == 0
    assert "warm-up: 6 h flown before and after the measured 4 h (only [0, 4 h) is counted)" in capsys.readouterr().out
    assert main(["validate", str(CORRIDOR)]) == 0
    assert "warm-up: none" in capsys.readouterr().out
    assert (
        main(["run", str(path), "-n", "1", "--policy", "no-notice", "-j", "1", "--out", str(tmp_path / "run"), "-q"])
        == 0
    )
    manifest = json.loads((tmp_path / "run" / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["warmup_h"] == 6 and manifest["scenario"]["warmup_h"] == 6
