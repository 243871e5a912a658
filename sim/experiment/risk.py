"""The risk columns of one replication: expected NMACs and mid-air collisions.

``risk_nmac`` is the expected number of encounters at the scenario's ``nmac`` level and
``risk_collision`` of collisions (each pair's collision volume from the two aircraft's sizes)
under the fleets' navigation and altimetry errors (``sim.detect.risk``), on the tracks the
replication flew. Both are sums of exact conditional expectations given the day, so their
means and intervals over replications are those of every other column. With a warm-up only
encounters that start in the measured day count, as in ``encounters_<level>``.
"""

from __future__ import annotations

import math

import numpy as np

from sim.detect.risk import FlightErrors, expected_encounters_volumes
from sim.model.day import Outcome
from sim.scenario.models import Scenario
from sim.units import FT_M

__all__ = ["RISK_METRICS", "flight_errors", "risk_values"]

RISK_METRICS: tuple[tuple[str, str], ...] = (
    ("risk_nmac", "expected NMACs (the nmac level) under navigation and altimetry errors"),
    ("risk_collision", "expected mid-air collisions (the two aircraft's sizes) under the same errors"),
)
"""Columns present only when the scenario gives ``errors`` (``Scenario.has_risk``)."""


def flight_errors(scenario: Scenario, outcome: Outcome) -> FlightErrors:
    """Each flight's errors and size, in the order of ``outcome.tracks`` (m): every aircraft of
    a formation has its sortie's fleet's."""
    if outcome.flight_sortie:
        owners = [outcome.sorties[k] for k in outcome.flight_sortie]
    else:  # an outcome built without the mapping (tests): one flight per sortie, by name
        by_name = {s.name: s for s in outcome.sorties}
        owners = [by_name[name] for name in outcome.tracks.flight_names]
    cache: dict[tuple[str, str], tuple[str, float, float, float, float]] = {}
    rows = []
    for s in owners:
        key = (s.side, s.fleet)
        if key not in cache:
            e = scenario.fleet_errors(s.side, s.fleet)
            assert e.lateral_sd_ft is not None and e.vertical_sd_ft is not None and e.lateral_law is not None
            assert e.length_ft is not None and e.wingspan_ft is not None and e.height_ft is not None
            cache[key] = (
                e.lateral_law,
                e.lateral_sd_ft * FT_M,
                e.vertical_sd_ft * FT_M,
                max(e.length_ft, e.wingspan_ft) * FT_M,
                e.height_ft * FT_M,
            )
        rows.append(cache[key])
    if not rows:
        return FlightErrors((), np.zeros(0), np.zeros(0), np.zeros(0), np.zeros(0))
    laws, lat, ver, size, height = zip(*rows, strict=True)
    return FlightErrors(tuple(laws), np.array(lat), np.array(ver), np.array(size), np.array(height))


def risk_values(scenario: Scenario, outcome: Outcome) -> dict[str, float]:
    """``{"risk_nmac": ..., "risk_collision": ...}`` for one replication (expected counts)."""
    errors = flight_errors(scenario, outcome)
    nmac = next(lv for lv in scenario.levels if lv.name == "nmac")
    tracks = outcome.tracks
    at_nmac, collision = expected_encounters_volumes(
        tracks, errors, [(nmac.horizontal_m, nmac.vertical_m), (None, None)], window_s=outcome.window_s
    )
    values = {"risk_nmac": at_nmac.total, "risk_collision": collision.total}
    for key, value in values.items():
        if not math.isfinite(value) or value < -1e-9:
            raise ArithmeticError(f"{key} = {value!r}: the estimator went wrong")
    return {k: max(v, 0.0) for k, v in values.items()}
