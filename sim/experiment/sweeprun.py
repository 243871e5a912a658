"""Running a sweep: one run directory per point under ``points/``, all chunks in one queue.

The sweep directory holds ``points.csv`` (point id and the values set), ``points/NNN/``
(each a complete run directory), ``sweep_summary.csv`` (point x policy x metric, built
from the points' ``summary.csv`` files) and ``manifest.json``, written last. While it runs,
``.partial/plan.json`` records the sweep so that ``--resume`` can finish it.
"""

from __future__ import annotations

import csv
import json
import shutil
import sys
from dataclasses import asdict
from pathlib import Path
from typing import Any

from sim import __version__
from sim.errors import InputError
from sim.experiment.compare import SUMMARY_COLUMNS
from sim.experiment.replicate import Job, default_chunk_size
from sim.experiment.results import (
    atomic_write_text,
    csv_text,
    environment_versions,
    git_revision,
    json_text,
    new_results_dir,
    newest_unfinished,
    utc_now,
)
from sim.experiment.rundir import PARTIAL, RunDir, RunPlan
from sim.experiment.runner import Execution, Interrupted, execute_runs, report_interrupt, run_manifest
from sim.experiment.sweep_paired import PAIRED_COLUMNS, check_metric, paired_rows, print_sweep, step_rows
from sim.experiment.tables import heading, horizon_unit, plural
from sim.scenario.bundled import portable_path
from sim.scenario.sweep import SweepPoint, SweepSpec

__all__ = ["run_sweep"]


def _point_dir(root: Path, index: int, count: int) -> Path:
    return root / "points" / f"{index:0{max(3, len(str(count - 1)))}d}"


def run_sweep(
    spec: SweepSpec,
    points: list[SweepPoint],
    *,
    replications: int | None,
    policies: list[str] | None,
    seed: int | None,
    execution: Execution,
    metric: str | None = None,
) -> int:
    """Run every point of a validated sweep as ``execution`` says and print what each point
    buys in ``metric`` (a level or a ``replications.csv`` column; default the first level);
    returns the exit code."""
    workers, dask, chunk_size, out, root, resume = (
        execution.workers,
        execution.dask,
        execution.chunk_size,
        execution.out,
        execution.root,
        execution.resume,
    )
    base = points[0].loaded.scenario
    # each point may set its own seed or replications (--set seed=1,2); the command line wins
    reps_of = [
        replications if replications is not None else spec.replications or pt.loaded.scenario.replications
        for pt in points
    ]
    seed_of = [pt.loaded.scenario.seed if seed is None else seed for pt in points]
    chosen = policies or spec.policies
    if chosen:
        unknown = [p for p in chosen if p not in base.policies]
        if unknown:
            where = "--policy" if policies else "sweep.policies"
            raise InputError(
                f"{where}: unknown policy {', '.join(map(repr, unknown))}; known: {', '.join(base.policies)}",
                path=None if policies else str(spec.sweep_file),
            )
    paths = [p for p, _ in spec.sets]
    levels = [lv.name for lv in base.levels]
    probe = Job("p0", points[0].loaded, _order(points[0], chosen), seed_of[0])
    metric = check_metric(metric or spec.metric or levels[0], probe.columns, levels)
    name = f"{base.name}-sweep"
    plan = {
        "scenario_file": portable_path(spec.scenario_path),
        "paths": paths,
        "values": [list(pt.values) for pt in points],
        "replications": reps_of[0] if len(set(reps_of)) == 1 else reps_of,
        "seed": seed_of[0] if len(set(seed_of)) == 1 else seed_of,
        "policies": chosen,
    }
    if resume:
        sweep_dir = out if out is not None else newest_unfinished(root, name)
        saved_path = sweep_dir / PARTIAL / "plan.json"
        if (sweep_dir / "manifest.json").is_file() and not (sweep_dir / PARTIAL).is_dir():
            print(f"{sweep_dir}: already finished; nothing to resume")
            return 0
        if not saved_path.is_file():
            raise InputError("nothing to resume: no unfinished sweep here", path=str(sweep_dir))
        saved = json.loads(saved_path.read_text(encoding="utf-8"))
        if {k: v for k, v in saved.items() if k != "scenario_file"} != {
            k: v for k, v in plan.items() if k != "scenario_file"
        }:
            raise InputError("cannot resume: the sweep was started with different settings", path=str(sweep_dir))
    else:
        sweep_dir = new_results_dir(root, name, out)
        atomic_write_text(sweep_dir / PARTIAL / "plan.json", json_text(plan))

    items: list[tuple[Job, RunDir]] = []
    finished: list[int] = []
    for pt in points:
        job = Job(key=f"p{pt.index}", loaded=pt.loaded, policies=_order(pt, chosen), seed=seed_of[pt.index])
        run_plan = RunPlan.of(job, reps_of[pt.index])
        pdir = _point_dir(sweep_dir, pt.index, len(points))
        if resume and (pdir / "manifest.json").is_file() and not (pdir / PARTIAL).is_dir():
            finished.append(pt.index)
            continue
        if resume and (pdir / PARTIAL).is_dir():
            items.append((job, RunDir.open_partial(pdir, run_plan)))
        else:
            if pdir.exists():
                shutil.rmtree(pdir)  # created but never started (no chunk): start again
            items.append((job, RunDir.create(pdir, run_plan)))
    size = chunk_size if chunk_size is not None else default_chunk_size(max(reps_of), workers)
    resume_cmd = execution.resume_command(sweep_dir)
    try:
        session = execute_runs(
            items,
            chunk_size=size,
            workers=workers,
            dask=dask,
            progress_mode=execution.progress_mode,
            label=f"{name} ({len(points)} points)",
        )
    except Interrupted as exc:
        return report_interrupt(str(exc), resume_cmd)
    except InputError:
        # e.g. an unreachable Dask scheduler: leave no trace of a sweep that never started
        if not resume and not any(run.done_ranges() for _, run in items):
            shutil.rmtree(sweep_dir, ignore_errors=True)
        raise
    try:
        for job, run in items:
            _finish_point(job, run, points, paths, session)
    except KeyboardInterrupt:
        return report_interrupt("while assembling the results", resume_cmd)

    point_rows = [{"point": pt.index, **dict(zip(paths, pt.values, strict=True))} for pt in points]
    atomic_write_text(sweep_dir / "points.csv", csv_text(["point", *paths], point_rows))
    summary_rows: list[dict[str, Any]] = []
    for pt in points:
        with (_point_dir(sweep_dir, pt.index, len(points)) / "summary.csv").open(encoding="utf-8", newline="") as f:
            for row in csv.DictReader(f):
                summary_rows.append({"point": pt.index, **dict(zip(paths, pt.values, strict=True)), **row})
    atomic_write_text(sweep_dir / "sweep_summary.csv", csv_text(["point", *paths, *SUMMARY_COLUMNS], summary_rows))
    atomic_write_text(
        sweep_dir / "sweep_paired.csv", csv_text(["point", *paths, *PAIRED_COLUMNS], paired_rows(summary_rows, paths))
    )
    first = items[0][0] if items else Job("p0", points[0].loaded, _order(points[0], chosen), seed_of[0])
    manifest = {
        "tool": "deconflict",
        "kind": "sweep",
        "version": __version__,
        "git_revision": git_revision(),
        "command": [Path(sys.argv[0]).name, *sys.argv[1:]],
        "working_directory": str(Path.cwd()),  # relative paths below are relative to it
        "scenario_file": portable_path(spec.scenario_path),
        "paths": paths,
        "points": len(points),
        "replications": plan["replications"],
        "seed": plan["seed"],
        "policies": list(first.policies),
        "levels": [lv.name for lv in base.levels],
        "metric": metric,  # what the printed pivot and the figures show
        "executor": session.get("executor"),
        "workers": session.get("workers"),
        "chunk_size": size,
        "resumed": resume,
        "finished_utc": utc_now(),
        "environment": environment_versions(),
        "plan": plan,
        "run_plan_example": asdict(RunPlan.of(first, reps_of[0])),
    }
    atomic_write_text(sweep_dir / "manifest.json", json_text(manifest))
    shutil.rmtree(sweep_dir / PARTIAL, ignore_errors=True)

    reps = plan["replications"]
    print(
        f"{name}: {plural(len(points), 'point')} x "
        f"{plural(reps, 'replication') if isinstance(reps, int) else 'replications ' + str(reps)} x "
        f"{plural(len(first.policies), 'policy', 'policies')}, seed {plan['seed']}"
    )
    steps = None
    numeric = all(isinstance(v, int | float) and not isinstance(v, bool) for pt in points for v in pt.values)
    if len(paths) == 1 and len(points) > 1 and numeric:
        dirs = [_point_dir(sweep_dir, pt.index, len(points)) for pt in points]
        steps = {p: step_rows(dirs, p, metric) for p in first.policies[1:] or first.policies}
    print_sweep(
        summary_rows,
        [(pt.index, pt.values) for pt in points],
        paths,
        list(first.policies),
        metric,
        list(base.side_names),
        horizon_unit(base.horizon_h),
        steps,
    )
    print(
        "\n"
        + heading(f"results: {sweep_dir}/ (points.csv, sweep_summary.csv, sweep_paired.csv, points/, manifest.json)")
    )
    if execution.on_finished is not None:
        execution.on_finished(sweep_dir)
    return 0


def _finish_point(job: Job, run: RunDir, points: list[SweepPoint], paths: list[str], session: dict[str, Any]) -> None:
    pt = points[int(job.key[1:])]
    values = dict(zip(paths, pt.values, strict=True))
    run.finish(job.columns, run_manifest(job, run, session, {"sweep_point": pt.index, "sweep_values": values}))


def _order(pt: SweepPoint, chosen: list[str] | None) -> tuple[str, ...]:
    names = list(pt.loaded.scenario.policies)
    return tuple(n for n in names if not chosen or n in chosen)
