"""Common sense on the baseline: notification rules cut near-conflicts, at a cost.

Paired by replication (common random numbers): each rule's encounters within 20 NM (the
level where the baseline's work areas still meet; losses of separation are rare, about one
in 25 days) minus no-notice's in the same replication must have a 95 % interval below zero.
"""

from __future__ import annotations

import csv
import io

import numpy as np
import pytest

from sim.experiment.replicate import Chunk, Job, run_chunk
from sim.experiment.stats import mean_ci
from sim.scenario.load import load_scenario
from tests.conftest import BASELINE

REPLICATIONS = 60


@pytest.fixture(scope="module")
def rows() -> list[dict[str, object]]:
    loaded = load_scenario(BASELINE)
    sc = loaded.scenario
    job = Job("baseline", loaded, tuple(sc.policies), sc.seed)
    body = run_chunk(job, Chunk("baseline", 0, REPLICATIONS)).replications_csv
    rows = [dict(zip(job.columns, r, strict=True)) for r in csv.reader(io.StringIO(body))]
    return [{k: (v if k in ("policy", "policy_kind") else float(v)) for k, v in r.items()} for r in rows]


def _column(rows, policy: str, column: str) -> np.ndarray:  # type: ignore[no-untyped-def]
    mine = sorted((r for r in rows if r["policy"] == policy), key=lambda r: r["replication"])
    return np.array([float(r[column]) for r in mine])


@pytest.mark.parametrize("policy", ["one-hour-notice", "shared-schedule", "hotline"])
def test_rules_reduce_near_conflicts(rows, policy: str) -> None:  # type: ignore[no-untyped-def]
    level = "encounters_proximity-20nm"
    diff = _column(rows, policy, level) - _column(rows, "no-notice", level)
    est = mean_ci(diff)
    assert est.ci_high < 0, est


def test_no_notice_costs_the_plan_nothing(rows) -> None:  # type: ignore[no-untyped-def]
    # with no notice the only lost on-station time is what the crews' turn-aways cost
    for side in ("russia", "coalition"):
        for metric in ("delay_min", "retasked", "cancelled", "notices_received"):
            assert _column(rows, "no-notice", f"{side}_{metric}").sum() == 0
        lost = _column(rows, "no-notice", f"{side}_lost_on_station_min")
        assert lost == pytest.approx(_column(rows, "no-notice", f"{side}_tactical_lost_min"), abs=1e-6)
    assert _column(rows, "no-notice", "russia_tactical_alerts").sum() == 0  # Russia has no tactical layer
    assert _column(rows, "no-notice", "coalition_tactical_turn_away").sum() > 0


@pytest.mark.parametrize("policy", ["one-hour-notice", "shared-schedule", "hotline"])
def test_rules_save_the_coalition_diversions(rows, policy: str) -> None:  # type: ignore[no-untyped-def]
    diff = _column(rows, policy, "coalition_tactical_turn_away") - _column(
        rows, "no-notice", "coalition_tactical_turn_away"
    )
    est = mean_ci(diff)
    assert est.ci_high < 0, est


def test_one_hour_notice_is_paid_by_the_coalition_only(rows) -> None:  # type: ignore[no-untyped-def]
    coalition = sum(
        _column(rows, "one-hour-notice", f"coalition_{m}").sum()
        for m in ("delay_min", "lost_on_station_min", "retasked", "cancelled")
    )
    russia = sum(
        _column(rows, "one-hour-notice", f"russia_{m}").sum()
        for m in ("delay_min", "lost_on_station_min", "retasked", "cancelled")
    )
    assert coalition > 0 and russia == 0


def test_sorties_are_conserved(rows) -> None:  # type: ignore[no-untyped-def]
    for r in rows:
        for side in ("russia", "coalition"):
            assert r[f"{side}_sorties_flown"] + r[f"{side}_cancelled"] == r[f"{side}_sorties_planned"]
