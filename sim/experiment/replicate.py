"""Replications: every chosen policy x replication, in chunks, with common random numbers.

Replication ``i`` uses child ``i`` of ``SeedSequence(seed)`` under every policy, so the
sorties drawn are the same and policy differences are not noise. A *chunk* is a range of
replications run for every policy; its result is plain text and numbers, computed the same
way in any process, so results do not depend on the executor or the number of workers.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from sim.detect.encounters import find_encounters_levels
from sim.experiment.metrics import ENCOUNTER_COLUMNS, encounter_rows, replication_row, row_columns
from sim.experiment.results import csv_text
from sim.experiment.risk import risk_values
from sim.experiment.transits import TRANSIT_COLUMNS, transit_rows
from sim.experiment.value import rates_for
from sim.model.day import Outcome, draw_day, simulate
from sim.scenario.load import LoadedScenario

__all__ = ["Chunk", "ChunkResult", "Job", "airborne_by_hour", "chunk_ranges", "run_chunk"]


@dataclass(frozen=True)
class Job:
    """What to compute: a loaded scenario, the policies to run and the root seed."""

    key: str
    loaded: LoadedScenario
    policies: tuple[str, ...]
    seed: int

    @property
    def columns(self) -> list[str]:
        sc = self.loaded.scenario
        return row_columns(sc.side_names, [lv.name for lv in sc.levels], sc.has_tactical, sc.has_risk)


@dataclass(frozen=True)
class Chunk:
    """Replications ``start`` (inclusive) to ``stop`` (exclusive) of job ``key``."""

    key: str
    start: int
    stop: int

    @property
    def name(self) -> str:
        return f"r{self.start:07d}-{self.stop:07d}"


@dataclass(frozen=True)
class ChunkResult:
    """A chunk's output: CSV lines (no header) for replications and encounters, and totals.

    ``airborne_h`` maps ``policy/side`` to one list per replication of the chunk, each of 24
    values: the hours that side had aircraft airborne in each hour of the day (local 0-23).
    """

    chunk: Chunk
    replications_csv: str
    encounters_csv: str
    airborne_h: dict[str, list[list[float]]]
    events: int
    transits_csv: str = ""  # rows of transits.csv (no header)


def chunk_ranges(replications: int, chunk_size: int) -> list[tuple[int, int]]:
    """Split ``range(replications)`` into consecutive ``(start, stop)`` ranges of ``chunk_size``."""
    return [(a, min(a + chunk_size, replications)) for a in range(0, replications, chunk_size)]


def default_chunk_size(replications: int, workers: int) -> int:
    """About four chunks per worker, at most 10 replications each.

    Small chunks keep the workers evenly loaded at the end of a run and make resuming
    lose little; each costs one small file and one round trip.
    """
    return max(1, min(10, math.ceil(replications / (4 * max(workers, 1)))))


def airborne_by_hour(outcome: Outcome, side: str) -> np.ndarray:
    """Hours of ``side``'s aircraft airborne within each hour of the day (24,), folded mod 24 h.

    With a warm-up, every sortie's airborne time inside the measured day [0, horizon) counts
    (the previous day's still flying at 0 too), and nothing outside it.
    """
    out = np.zeros(24)
    for s in outcome.sorties:
        if s.side != side or s.launched_s is None or s.landed_s is None:
            continue
        a, b = s.launched_s / 3600.0, s.landed_s / 3600.0  # hours
        if outcome.window_s is not None:  # a warm-up: every aircraft, only within the measured day
            a, b = max(a, outcome.window_s[0] / 3600.0), min(b, outcome.window_s[1] / 3600.0)
            if b <= a:
                continue
        whole_days, rest = divmod(b - a, 24.0)
        out += whole_days * s.formation  # each full day airborne adds an hour to every hour of the day
        h = math.floor(a)
        end = a + rest
        while h < end:
            lo, hi = max(a, h), min(end, h + 1)
            if hi > lo:
                out[h % 24] += (hi - lo) * s.formation  # every aircraft of a formation
            h += 1
    return out


def run_chunk(job: Job, chunk: Chunk) -> ChunkResult:
    """Simulate every policy of ``job`` for the chunk's replications and count encounters."""
    sc = job.loaded.scenario
    levels = [(lv.horizontal_m, lv.vertical_m) for lv in sc.levels]
    names = [lv.name for lv in sc.levels]
    rows: list[dict[str, object]] = []
    enc: list[dict[str, object]] = []
    transits: list[dict[str, object]] = []
    airborne: dict[str, list[list[float]]] = {f"{p}/{side}": [] for p in job.policies for side in sc.side_names}
    events = 0
    rates = rates_for(sc)
    for rep in range(chunk.start, chunk.stop):
        draws = draw_day(job.loaded, job.seed, rep)  # the same sorties under every rule
        for name in job.policies:
            policy = sc.policies[name]
            outcome = simulate(job.loaded, policy, job.seed, rep, draws)
            found = find_encounters_levels(outcome.tracks, levels)
            if outcome.window_s is not None:  # a warm-up: the encounters that start in the measured day
                found = [e.starting_in(*outcome.window_s) for e in found]
            row = replication_row(name, policy.kind, rep, job.seed, outcome, found, names, rates)
            if sc.has_risk:
                row.update(risk_values(sc, outcome))
            rows.append(row)
            enc.extend(encounter_rows(name, rep, found, names, job.loaded.sectors))
            transits.extend(transit_rows(name, rep, outcome))
            for side in sc.side_names:
                airborne[f"{name}/{side}"].append([float(h) for h in airborne_by_hour(outcome, side)])
            events += outcome.events
    return ChunkResult(
        chunk=chunk,
        replications_csv=_body(csv_text(job.columns, rows)),
        encounters_csv=_body(csv_text(ENCOUNTER_COLUMNS, enc)),
        airborne_h=airborne,
        events=events,
        transits_csv=_body(csv_text(TRANSIT_COLUMNS, transits)),
    )


def _body(text: str) -> str:
    """CSV text without its header line."""
    return text.split("\n", 1)[1]


def policies_in_order(loaded: LoadedScenario, chosen: Sequence[str] | None) -> tuple[str, ...]:
    """The chosen policies in scenario order (all if none chosen)."""
    names = list(loaded.scenario.policies)
    if not chosen:
        return tuple(names)
    return tuple(n for n in names if n in chosen)
