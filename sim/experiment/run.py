"""Running one scenario: every chosen policy for N replications into a new (or resumed) run directory.

``run_scenario`` is what ``deconflict run`` does once its arguments are parsed: pick the
policies, settle replications and seed (on resume, those the run was started with unless
given again), run the chunks through an executor, assemble the tables and print the
summary. Sweeps have their own driver (``sweeprun``); both share the runner and the run
directory.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from sim.errors import InputError
from sim.experiment.replicate import Job, default_chunk_size, policies_in_order
from sim.experiment.report import SECTIONS, print_summary
from sim.experiment.results import new_results_dir, newest_unfinished
from sim.experiment.rundir import PARTIAL, RunDir, RunPlan
from sim.experiment.runner import Execution, Interrupted, execute_runs, report_interrupt, run_manifest
from sim.experiment.tables import heading, plural
from sim.scenario.load import LoadedScenario

__all__ = ["run_scenario", "saved_plan"]


def saved_plan(run_dir: Path) -> dict[str, Any]:
    """The settings an unfinished run was started with (empty if there is no such run)."""
    path = run_dir / PARTIAL / "plan.json"
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def run_scenario(
    loaded: LoadedScenario,
    *,
    policies: list[str] | None,
    replications: int | None,
    seed: int | None,
    execution: Execution,
    sections: Sequence[str] = SECTIONS,
) -> int:
    """Run ``loaded`` under ``policies`` (all if None) and print the summary's ``sections``
    (``sim.experiment.report.SECTIONS``); returns the exit code.

    With ``execution.resume`` the unfinished run in ``execution.out`` (or the newest one of
    this scenario under ``execution.root``) is finished, and ``replications``, ``seed`` and
    ``policies`` default to what it was started with.
    """
    out, root, resume = execution.out, execution.root, execution.resume
    sc = loaded.scenario
    if policies:
        unknown = [p for p in policies if p not in sc.policies]
        if unknown:
            raise InputError(
                f"--policy: unknown policy {', '.join(map(repr, unknown))}; "
                f"the scenario's policies are {', '.join(sc.policies)}",
                path=str(loaded.path),
            )
    target = None
    saved: dict[str, Any] = {}
    if resume:
        target = out if out is not None else newest_unfinished(root, sc.name)
        saved = saved_plan(target)
    order = policies_in_order(loaded, policies or saved.get("policies"))
    n = replications if replications is not None else saved.get("replications", sc.replications)
    seed = seed if seed is not None else saved.get("seed", sc.seed)
    size = execution.chunk_size if execution.chunk_size is not None else default_chunk_size(n, execution.workers)

    job = Job(key="run", loaded=loaded, policies=order, seed=seed)
    plan = RunPlan.of(job, n)
    if target is not None:
        if (target / "manifest.json").is_file() and not (target / PARTIAL).is_dir():
            print(f"{target}: already finished; nothing to resume")
            return 0
        run = RunDir.open_partial(target, plan)
    else:
        existed = out is not None and out.exists()  # new_results_dir refuses it if not empty
        run = RunDir.create(new_results_dir(root, sc.name, out), plan)
    resume_cmd = execution.resume_command(run.path)
    try:
        session = execute_runs(
            [(job, run)],
            chunk_size=size,
            workers=execution.workers,
            dask=execution.dask,
            progress_mode=execution.progress_mode,
            label=f"{sc.name}",
        )
    except Interrupted as exc:
        return report_interrupt(str(exc), resume_cmd)
    except InputError:
        # e.g. an unreachable Dask scheduler: leave no trace of a run that never started
        if not resume and not run.done_ranges():
            run.discard(keep_directory=existed)
        raise
    try:
        summary = run.finish(job.columns, run_manifest(job, run, session))
    except KeyboardInterrupt:
        return report_interrupt("while assembling the results", resume_cmd)
    print(
        f"{sc.name}: {plural(n, 'replication')} x {plural(len(order), 'policy', 'policies')}, seed {seed}, "
        f"{session['wall_time_s']:.1f} s ({session['executor']}, {session['workers']} worker"
        f"{'s' if session['workers'] != 1 else ''})"
    )
    print_summary(summary, order, plan.levels, plan.sides, sc.horizon_h, sections)
    print(
        "\n"
        + heading(
            f"results: {run.path}/ (manifest.json, replications.csv, encounters.csv, summary.csv, "
            "comparison.json, airborne.csv, transits.csv)"
        )
    )
    if execution.on_finished is not None:
        execution.on_finished(run.path)
    return 0
