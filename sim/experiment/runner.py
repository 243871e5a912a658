"""Running runs: chunks of one or many run directories through an executor, with progress.

Used by ``deconflict run`` (one run directory) and ``deconflict sweep`` (one per point):
all the remaining chunks go into one queue, so a sweep keeps every worker busy.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sim import __version__
from sim.experiment.executors import execute
from sim.experiment.progress import Progress
from sim.experiment.replicate import ChunkResult, Job
from sim.experiment.results import environment_versions, git_revision, utc_now
from sim.experiment.rundir import RunDir
from sim.scenario.bundled import portable_path

__all__ = ["Execution", "Interrupted", "execute_runs", "report_interrupt", "run_manifest"]


@dataclass(frozen=True)
class Execution:
    """How and where a run or a sweep executes, shared by ``run_scenario`` and ``run_sweep``.

    ``workers`` processes (1: in this process) or the Dask scheduler at ``dask``;
    ``chunk_size`` replications per work item (None: the default for the run's size);
    ``out`` the results directory (None: a new one under ``root``); ``resume`` finishes
    an interrupted one; ``progress_mode`` is one of ``PROGRESS_MODES``;
    ``resume_command(dir)`` is the command line printed on an interrupt; and
    ``on_finished(dir)`` is called once the directory is complete (the command line draws
    the figures there: the experiment stage does not import the figures).
    """

    workers: int = 1
    dask: str | None = None
    chunk_size: int | None = None
    out: Path | None = None
    root: Path = Path("results")
    resume: bool = False
    progress_mode: str = "none"
    resume_command: Callable[[Path], str] = lambda path: f"deconflict ... --out {path} --resume"
    on_finished: Callable[[Path], object] | None = None


class Interrupted(Exception):
    """Ctrl-C during a run: what was saved, and how to resume."""

    def __init__(self, saved: int, total: int) -> None:
        super().__init__(f"{saved} of {total} policy-replications saved")
        self.saved = saved
        self.total = total


def report_interrupt(what: str, resume_cmd: str) -> int:
    """Tell the user what an interrupt kept and how to resume; returns the exit code 130."""
    print(f"\ninterrupted: {what}; finished chunks are kept.\nresume with: {resume_cmd}", file=sys.stderr)
    return 130


def execute_runs(
    items: Sequence[tuple[Job, RunDir]],
    *,
    chunk_size: int,
    workers: int,
    dask: str | None,
    progress_mode: str,
    label: str,
) -> dict[str, Any]:
    """Compute every run's missing chunks; return how (executor, workers, reuse, timing)."""
    jobs = {job.key: job for job, _ in items}
    runs = {job.key: run for job, run in items}
    per_rep = {job.key: len(job.policies) for job, _ in items}
    chunks = [c for job, run in items for c in run.remaining(chunk_size, job.key)]
    total = sum(run.plan.replications * len(job.policies) for job, run in items)
    todo = sum((c.stop - c.start) * per_rep[c.key] for c in chunks)
    reused = total - todo
    progress = Progress(total, label, progress_mode)
    if reused:
        progress.skip(reused)
    saved = reused
    started = utc_now()
    t0 = time.monotonic()

    def on_result(result: ChunkResult) -> None:
        nonlocal saved
        runs[result.chunk.key].save(result)
        n = (result.chunk.stop - result.chunk.start) * per_rep[result.chunk.key]
        saved += n
        progress.update(n)

    try:
        info = execute(jobs, chunks, on_result, workers=workers, dask=dask)
    except KeyboardInterrupt:
        progress.close()
        interrupted = {
            "executor": "dask" if dask else ("processes" if workers > 1 and len(chunks) > 1 else "in-process"),
            "workers": workers,
            "chunk_size": chunk_size,
            "version": __version__,
            "git_revision": git_revision(),
            "started_utc": started,
            "ended_utc": utc_now(),
            "wall_time_s": round(time.monotonic() - t0, 3),
            "policy_replications_computed": saved - reused,
            "policy_replications_reused": reused,
            "interrupted": True,
        }
        for _, run in items:
            run.record_session(interrupted)
        raise Interrupted(saved, total) from None
    progress.close()
    info |= {
        "version": __version__,
        "git_revision": git_revision(),
        "chunk_size": chunk_size,
        "started_utc": started,
        "ended_utc": utc_now(),
        "wall_time_s": round(time.monotonic() - t0, 3),
        "policy_replications_computed": todo,
        "policy_replications_reused": reused,
    }
    for _, run in items:
        run.record_session(info)
    return info


def run_manifest(job: Job, run: RunDir, session: dict[str, Any], extra: dict[str, Any] | None = None) -> dict[str, Any]:
    """The ``manifest.json`` of a finished run: what, how, with which software, when."""
    from sim.experiment.metrics import SIDE_METRICS, TACTICAL_METRICS

    sc = job.loaded.scenario
    resumed = [s for s in run.sessions() if s.get("policy_replications_reused")]
    return {
        "tool": "deconflict",
        "version": __version__,
        "git_revision": git_revision(),
        "command": [Path(sys.argv[0]).name, *sys.argv[1:]],
        "working_directory": str(Path.cwd()),  # relative paths below are relative to it
        "scenario_file": portable_path(job.loaded.path),
        "scenario_sha256": job.loaded.sha256,
        "sectors_file": portable_path(job.loaded.sectors.source),
        "seed": job.seed,
        "replications": run.plan.replications,
        "policies": list(job.policies),
        "levels": [lv.name for lv in sc.levels],
        # hours of operations flown before and after the measured day [0, horizon_h); 0: the day alone
        "warmup_h": sc.warmup_h,
        "executor": session.get("executor"),
        "workers": session.get("workers"),
        "chunk_size": session.get("chunk_size"),
        "resumed": bool(resumed) or any(s.get("interrupted") for s in run.sessions()),
        "started_utc": (run.sessions() or [session])[0].get("started_utc"),
        "environment": environment_versions(),
        "columns": {f"<side>_{m}": d for m, d in SIDE_METRICS + (TACTICAL_METRICS if sc.has_tactical else ())}
        | {"encounters_<level>": "encounters at that level (count)"},
        **(extra or {}),
        "scenario": sc.model_dump(mode="json", by_alias=True),
    }
