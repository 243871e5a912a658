"""One replication's numbers: sortie costs per side and encounter counts per level.

Column names carry their units: ``_min`` minutes, ``_h`` hours; counts have none.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from sim.detect.encounters import Encounters
from sim.experiment.value import Rates, default_rates, mission_value_lost
from sim.model.day import Outcome
from sim.scenario.sectors import SectorMap

__all__ = ["SIDE_METRICS", "TACTICAL_METRICS", "encounter_rows", "replication_row", "row_columns", "ENCOUNTER_COLUMNS"]

SIDE_METRICS: tuple[tuple[str, str], ...] = (
    ("sorties_planned", "sorties in the day's tasking"),
    ("sorties_flown", "sorties that took off"),
    ("mission_value_lost", "mission value lost, in sortie equivalents (sim.experiment.value)"),
    ("cancelled", "sorties cancelled before take-off"),
    ("aborted", "sorties sent home early while airborne"),
    ("retasked", "sorties moved to another sector"),
    ("altitude_changed", "sorties moved to another altitude block"),
    ("held", "sorties held short of their sector"),
    ("delayed", "sorties whose on-station window was shifted later"),
    ("delay_min", "minutes of window shift, summed over sorties"),
    ("wait_min", "minutes waiting for an aircraft or the runway, summed"),
    ("lost_on_station_min", "planned on-station minutes not flown, summed"),
    ("unresolved", "affected sorties that no allowed action could fix (flew as planned)"),
    ("notices_received", "notices read by this side's ops cell"),
    ("flight_h", "airborne hours, summed over aircraft (each of a formation)"),
)

TACTICAL_METRICS: tuple[tuple[str, str], ...] = (
    ("tactical_alerts", "alerts: an aircraft of the other side seen inside this side's standoff volume"),
    ("tactical_turn_away", "turn-aways decided (an avoidance not clear at its end is decided again and counts again)"),
    ("tactical_altitude", "climbs or descents clear decided (counted as turn-aways are)"),
    ("tactical_hold", "holds until clear decided (counted as turn-aways are)"),
    ("tactical_rtb", "sorties sent home by their crew, mission abandoned"),
    ("tactical_lost_min", "net on-station minutes lost to manoeuvres, summed (a later avoidance can give time back)"),
    ("tactical_abandoned", "sorties that a manoeuvre left, at that moment, with no on-station time to fly"),
    ("tactical_missed", "encounters inside the standoff volume that the picture never showed (lack of cover)"),
)
"""Columns present only when some side of the scenario has a ``tactical`` layer."""

ENCOUNTER_COLUMNS = ("policy", "replication", "level", *Encounters.COLUMNS, "lat_cpa", "lon_cpa", "sector")


def row_columns(
    side_names: Sequence[str], level_names: Sequence[str], tactical: bool = False, risk: bool = False
) -> list[str]:
    """The columns of ``replications.csv``, in order (the tactical ones only if ``tactical``,
    ``risk_nmac`` and ``risk_collision`` only if ``risk``)."""
    cols = ["policy", "policy_kind", "replication", "seed"]
    cols += [f"{side}_{m}" for side in side_names for m, _ in SIDE_METRICS]
    if tactical:
        cols += [f"{side}_{m}" for side in side_names for m, _ in TACTICAL_METRICS]
    cols += [f"encounters_{lv}" for lv in level_names]
    if risk:
        cols += ["risk_nmac", "risk_collision"]
    return cols


def _side_values(outcome: Outcome, side: str, rates: Rates) -> dict[str, float]:
    ss = [s for s in outcome.measured_sorties if s.side == side]
    flown = [s for s in ss if s.launched_s is not None]
    return {
        "sorties_planned": len(ss),
        "sorties_flown": len(flown),
        "mission_value_lost": mission_value_lost(ss, rates),
        "cancelled": sum(s.cancelled for s in ss),
        "aborted": sum(s.aborted for s in ss),
        "retasked": sum(s.retasked for s in ss),
        "altitude_changed": sum(s.altitude_changed for s in ss),
        "held": sum(s.held_s > 0 for s in ss),
        "delayed": sum(s.delay_s > 0 for s in ss),
        "delay_min": sum(s.delay_s for s in ss) / 60.0,
        "wait_min": sum(s.wait_s for s in ss) / 60.0,
        "lost_on_station_min": sum(s.lost_on_station_s for s in ss) / 60.0,
        "unresolved": sum(s.unresolved for s in ss),
        "notices_received": outcome.notices_received[side],
        "flight_h": sum(
            (s.landed_s - s.launched_s) * s.formation
            for s in flown
            if s.landed_s is not None and s.launched_s is not None
        )
        / 3600.0,
    }


def _tactical_values(outcome: Outcome, side: str) -> dict[str, float]:
    ss = [s for s in outcome.measured_sorties if s.side == side]
    kinds = [k for s in ss for k in s.tactical_manoeuvres]
    assert outcome.tactical_missed is not None
    return {
        "tactical_alerts": sum(s.tactical_alerts for s in ss)
        if outcome.window_s is None
        else sum(a.side == side for a in outcome.measured_alerts),
        "tactical_turn_away": kinds.count("turn_away"),
        "tactical_altitude": kinds.count("altitude"),
        "tactical_hold": kinds.count("hold"),
        "tactical_rtb": kinds.count("rtb"),
        "tactical_lost_min": sum(s.tactical_lost_s for s in ss) / 60.0,
        "tactical_abandoned": sum(s.tactical_abandoned for s in ss),
        "tactical_missed": outcome.tactical_missed[side],
    }


def replication_row(
    policy: str,
    policy_kind: str,
    replication: int,
    seed: int,
    outcome: Outcome,
    encounters: Sequence[Encounters],
    level_names: Sequence[str],
    rates: Rates = default_rates,
) -> dict[str, Any]:
    """The ``replications.csv`` row of one policy x replication.

    ``rates`` gives each sortie's mission value block (``sim.experiment.value.rates_for`` of
    the scenario); by default every sortie has the built-in defaults.
    """
    row: dict[str, Any] = {"policy": policy, "policy_kind": policy_kind, "replication": replication, "seed": seed}
    for side in outcome.tracks.side_names:
        for key, value in _side_values(outcome, side, rates).items():
            row[f"{side}_{key}"] = float(value) if isinstance(value, float) else int(value)
    if outcome.tactical_missed is not None:
        for side in outcome.tracks.side_names:
            for key, value in _tactical_values(outcome, side).items():
                row[f"{side}_{key}"] = float(value) if isinstance(value, float) else int(value)
    for name, enc in zip(level_names, encounters, strict=True):
        row[f"encounters_{name}"] = len(enc)
    return row


def encounter_rows(
    policy: str,
    replication: int,
    encounters: Sequence[Encounters],
    level_names: Sequence[str],
    sectors: SectorMap,
) -> list[dict[str, Any]]:
    """The ``encounters.csv`` rows of one policy x replication, level by level."""
    rows: list[dict[str, Any]] = []
    for name, enc in zip(level_names, encounters, strict=True):
        if len(enc) == 0:
            continue
        where = sectors.locate(enc.x_cpa_m, enc.y_cpa_m)
        lat, lon = sectors.projection.to_latlon(enc.x_cpa_m, enc.y_cpa_m)
        lat, lon = np.atleast_1d(lat), np.atleast_1d(lon)
        for i, base in enumerate(enc.rows()):
            rows.append(
                {
                    "policy": policy,
                    "replication": replication,
                    "level": name,
                    **base,
                    "lat_cpa": round(float(lat[i]), 5),
                    "lon_cpa": round(float(lon[i]), 5),
                    "sector": sectors.names[where[i]] if where[i] >= 0 else "outside",
                }
            )
    return rows
