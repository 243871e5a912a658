"""A run directory's life: planned, filled chunk by chunk, resumed if interrupted, finished.

While a run is under way its directory holds only ``.partial/``: ``plan.json`` (what is
being computed), ``sessions.json`` (when it was started and resumed) and one file per
finished chunk, each written atomically. Nothing that looks like a result exists until
the end, when ``replications.csv``, ``encounters.csv``, ``airborne.csv``, ``summary.csv``
and ``comparison.json`` are assembled from the chunks in replication order,
``manifest.json`` is written last and ``.partial/`` is removed. A run killed at any point
can therefore be resumed, and gives byte-identical tables to an uninterrupted one.
"""

from __future__ import annotations

import csv
import io
import json
import os
import shutil
import tempfile
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import numpy as np

from sim.errors import InputError
from sim.experiment.compare import SUMMARY_COLUMNS, ReplicationTable, comparison_json, paired_summary
from sim.experiment.metrics import ENCOUNTER_COLUMNS
from sim.experiment.replicate import Chunk, ChunkResult, Job
from sim.experiment.results import atomic_write_text, csv_text, json_text, utc_now
from sim.experiment.transits import TRANSIT_COLUMNS

__all__ = ["PARTIAL", "RunDir", "RunPlan"]

PARTIAL = ".partial"


@dataclass(frozen=True)
class RunPlan:
    """What a run computes; a resumed run must match it exactly."""

    scenario_name: str
    scenario_file: str
    scenario_sha256: str
    seed: int
    replications: int
    policies: list[str]
    levels: list[str]
    sides: list[str]
    horizon_h: float

    @classmethod
    def of(cls, job: Job, replications: int) -> RunPlan:
        sc = job.loaded.scenario
        return cls(
            scenario_name=sc.name,
            scenario_file=str(job.loaded.path),
            scenario_sha256=job.loaded.sha256,
            seed=job.seed,
            replications=replications,
            policies=list(job.policies),
            levels=[lv.name for lv in sc.levels],
            sides=list(sc.side_names),
            horizon_h=sc.horizon_h,
        )


class RunDir:
    """The directory of one run (or one sweep point), with its plan."""

    def __init__(self, path: Path, plan: RunPlan) -> None:
        self.path = path
        self.plan = plan
        self.partial = path / PARTIAL
        self.chunks_dir = self.partial / "chunks"

    # --- life cycle ------------------------------------------------------------------------
    @classmethod
    def create(cls, path: Path, plan: RunPlan) -> RunDir:
        """Start a new run in ``path`` (which must not exist or be empty)."""
        if path.exists() and (not path.is_dir() or any(path.iterdir())):
            raise InputError("output directory exists and is not empty; choose another --out", path=str(path))
        run = cls(path, plan)
        run.chunks_dir.mkdir(parents=True, exist_ok=True)
        atomic_write_text(run.partial / "plan.json", json_text(asdict(plan)))
        return run

    @classmethod
    def open_partial(cls, path: Path, plan: RunPlan) -> RunDir:
        """Reopen an unfinished run in ``path`` to resume it; the plan must match."""
        plan_path = path / PARTIAL / "plan.json"
        if not plan_path.is_file():
            raise InputError("nothing to resume: no unfinished run here", path=str(path))
        try:
            saved = json.loads(plan_path.read_text(encoding="utf-8"))
        except (OSError, json.JSONDecodeError) as exc:
            raise InputError(f"unreadable run plan: {exc}", path=str(plan_path)) from None
        mine = asdict(plan)
        diffs = [k for k in mine if k != "scenario_file" and saved.get(k) != mine[k]]
        if diffs:
            detail = "; ".join(f"{k}: was {saved.get(k)!r}, now {mine[k]!r}" for k in diffs)
            raise InputError(f"cannot resume: the run was started with different settings ({detail})", path=str(path))
        run = cls(path, plan)
        run.chunks_dir.mkdir(parents=True, exist_ok=True)
        return run

    def discard(self, keep_directory: bool = False) -> None:
        """Remove a run that computed nothing (the directory too, unless ``keep_directory``)."""
        shutil.rmtree(self.partial, ignore_errors=True)
        if not keep_directory:
            try:
                self.path.rmdir()
            except OSError:
                pass

    def done_ranges(self) -> list[tuple[int, int]]:
        """Replication ranges whose chunk files are complete, sorted."""
        out = []
        for p in self.chunks_dir.glob("r*-*.json"):
            a, b = p.stem[1:].split("-")
            out.append((int(a), int(b)))
        return sorted(out)

    def remaining(self, chunk_size: int, key: str) -> list[Chunk]:
        """Chunks of job ``key`` still to compute: replications no chunk file covers, in pieces."""
        covered = np.zeros(self.plan.replications, dtype=bool)
        for a, b in self.done_ranges():
            covered[a:b] = True
        chunks: list[Chunk] = []
        rep = 0
        n = self.plan.replications
        while rep < n:
            if covered[rep]:
                rep += 1
                continue
            stop = rep
            while stop < n and not covered[stop] and stop - rep < chunk_size:
                stop += 1
            chunks.append(Chunk(key, rep, stop))
            rep = stop
        return chunks

    def record_session(self, info: dict[str, Any]) -> None:
        """Append this session (executor, workers, chunk size, what was reused) to the log."""
        path = self.partial / "sessions.json"
        sessions = json.loads(path.read_text(encoding="utf-8")) if path.is_file() else []
        sessions.append(info)
        atomic_write_text(path, json_text(sessions))

    def sessions(self) -> list[dict[str, Any]]:
        path = self.partial / "sessions.json"
        return json.loads(path.read_text(encoding="utf-8")) if path.is_file() else []

    def save(self, result: ChunkResult) -> None:
        """Store one finished chunk (atomically)."""
        data = {
            "start": result.chunk.start,
            "stop": result.chunk.stop,
            "events": result.events,
            "airborne_h": result.airborne_h,
            "replications_csv": result.replications_csv,
            "encounters_csv": result.encounters_csv,
            "transits_csv": result.transits_csv,
        }
        atomic_write_text(self.chunks_dir / f"{result.chunk.name}.json", json.dumps(data))

    # --- the end -------------------------------------------------------------------------------
    def _chunk_files(self) -> list[Path]:
        ranges = self.done_ranges()
        expected = 0
        for a, b in ranges:
            if a != expected:
                raise RuntimeError(f"{self.path}: replications {expected}..{a - 1} are missing")
            expected = b
        if expected != self.plan.replications:
            raise RuntimeError(f"{self.path}: replications {expected}.. are missing")
        return [self.chunks_dir / f"{Chunk('', a, b).name}.json" for a, b in ranges]

    def finish(self, columns: list[str], manifest: dict[str, Any]) -> list[dict[str, Any]]:
        """Assemble the result files from the chunks, write the manifest, drop ``.partial``.

        Returns the summary rows. Files are built in a staging directory and moved in;
        ``manifest.json`` comes last, so its presence means the run is complete.
        """
        files = self._chunk_files()
        plan = self.plan
        staging = Path(tempfile.mkdtemp(prefix=".finish.", dir=self.partial))
        blocks: dict[str, list[np.ndarray]] = {p: [] for p in plan.policies}
        airborne: dict[str, np.ndarray] = {}
        events = 0
        with (
            (staging / "replications.csv").open("w", encoding="utf-8", newline="") as rep_f,
            (staging / "encounters.csv").open("w", encoding="utf-8", newline="") as enc_f,
            (staging / "transits.csv").open("w", encoding="utf-8", newline="") as transit_f,
        ):
            rep_f.write(",".join(columns) + "\n")
            enc_f.write(",".join(ENCOUNTER_COLUMNS) + "\n")
            transit_f.write(",".join(TRANSIT_COLUMNS) + "\n")
            for path in files:
                data = json.loads(path.read_text(encoding="utf-8"))
                rep_f.write(data["replications_csv"])
                enc_f.write(data["encounters_csv"])
                transit_f.write(data.get("transits_csv", ""))
                events += int(data["events"])
                for key, per_rep in data["airborne_h"].items():
                    for hours in per_rep:  # summed one replication at a time: same order however chunked
                        airborne[key] = airborne.get(key, np.zeros(24)) + np.asarray(hours)
                for policy, block in _numeric_blocks(data["replications_csv"]).items():
                    blocks[policy].append(block)
        width = len(columns) - 4
        table = ReplicationTable(
            plan.policies,
            columns[4:],
            {p: np.concatenate(b) if b else np.zeros((0, width)) for p, b in blocks.items()},
        )
        summary = paired_summary(table, plan.policies[0], plan.seed)
        atomic_write_text(staging / "summary.csv", csv_text(SUMMARY_COLUMNS, summary))
        # folded by hour of day: a replication is one simulated day (horizon_h / 24 days if
        # longer); sorties spilling past midnight count where a next day would see them
        days = plan.replications * max(1.0, plan.horizon_h / 24.0)
        air_rows = [
            {"policy": p, "side": s, "hour": h, "mean_airborne": float(airborne[f"{p}/{s}"][h] / days)}
            for p in plan.policies
            for s in plan.sides
            for h in range(24)
        ]
        atomic_write_text(staging / "airborne.csv", csv_text(["policy", "side", "hour", "mean_airborne"], air_rows))
        manifest = manifest | {"simulation_events": events, "sessions": self.sessions(), "finished_utc": utc_now()}
        atomic_write_text(staging / "comparison.json", json_text(comparison_json(summary, manifest)))
        atomic_write_text(staging / "manifest.json", json_text(manifest))
        names = ("replications.csv", "encounters.csv", "transits.csv", "airborne.csv", "summary.csv", "comparison.json")
        try:
            for name in names:
                os.replace(staging / name, self.path / name)
            os.replace(staging / "manifest.json", self.path / "manifest.json")  # last: the run is complete
        except BaseException:
            # interrupted while moving in: take the tables back out, so that only .partial/ remains
            for name in names:
                (self.path / name).unlink(missing_ok=True)
            raise
        shutil.rmtree(self.partial, ignore_errors=True)
        return summary


def _numeric_blocks(body: str) -> dict[str, np.ndarray]:
    """Per policy, the metric columns (5th on) of a chunk's rows as a float array, in row order."""
    per: dict[str, list[list[float]]] = {}
    for r in csv.reader(io.StringIO(body)):
        if r:
            per.setdefault(r[0], []).append([float(x) for x in r[4:]])
    return {p: np.array(v, dtype=float) for p, v in per.items()}
