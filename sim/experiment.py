"""Replications: every chosen policy x replication, with common random numbers.

Replication ``i`` uses child ``i`` of ``SeedSequence(seed)`` under every policy, so the
sorties drawn are the same and policy differences are not noise. Work is done in a fixed
order (replication-major, then policies in scenario order), so results do not depend on
timing.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from sim.conflicts import find_encounters_levels
from sim.metrics import encounter_rows, replication_row
from sim.model import simulate
from sim.scenario import LoadedScenario

__all__ = ["ExperimentResult", "run_experiment", "run_one"]


@dataclass
class ExperimentResult:
    """All rows of a run: one per policy x replication, and one per encounter."""

    policies: list[str]
    replications: int
    seed: int
    rows: list[dict[str, Any]] = field(default_factory=list)
    encounters: list[dict[str, Any]] = field(default_factory=list)
    events: int = 0


def run_one(
    loaded: LoadedScenario, policy_name: str, replication: int, seed: int
) -> tuple[dict[str, Any], list[dict[str, Any]], int]:
    """Simulate one policy x replication and count its encounters at every level."""
    sc = loaded.scenario
    policy = sc.policies[policy_name]
    outcome = simulate(loaded, policy, seed, replication)
    levels = [(lv.horizontal_m, lv.vertical_m) for lv in sc.levels]
    names = [lv.name for lv in sc.levels]
    found = find_encounters_levels(outcome.tracks, levels)
    row = replication_row(policy_name, policy.kind, replication, seed, outcome, found, names)
    enc = encounter_rows(policy_name, replication, found, names, loaded.sectors)
    return row, enc, outcome.events


def run_experiment(
    loaded: LoadedScenario,
    policies: Sequence[str],
    replications: int,
    seed: int,
    progress: Callable[[int, int], None] | None = None,
) -> ExperimentResult:
    """Run ``replications`` replications of each policy in ``policies`` (in that order)."""
    result = ExperimentResult(list(policies), replications, seed)
    total = replications * len(policies)
    done = 0
    for rep in range(replications):
        for name in policies:
            row, enc, events = run_one(loaded, name, rep, seed)
            result.rows.append(row)
            result.encounters.extend(enc)
            result.events += events
            done += 1
            if progress is not None:
                progress(done, total)
    return result
