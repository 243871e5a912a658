"""Running a sensitivity analysis: every design point a sweep point, then the indices.

The results directory holds ``points/NNN/`` (each a complete run directory; ``000`` is the
scenario as given, the nominal point, the others the design in order), ``design.csv`` (each
point's values, and per output the mean of every policy, every paired difference against
the reference and the ranking of the rules), ``indices.csv`` (long form: ``output, policy,
parameter, index, value, ci95_low, ci95_high``), ``ranking.csv`` (per output, how often the
ranking of the rules differs from the nominal one, and which parameters change it) and
``manifest.json``, written last. Every point runs the same replications with the same seed
(common random numbers) through the executors of ``run``, and ``--resume`` finishes an
interrupted analysis.
"""

from __future__ import annotations

import csv
import hashlib
import json
import shutil
import sys
from pathlib import Path
from typing import Any

import numpy as np

from sim import __version__
from sim.errors import InputError
from sim.experiment.metrics import row_columns
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
from sim.experiment.sensitivity_design import to_values, unit_design
from sim.experiment.sensitivity_indices import indices, ranking, ranking_changes
from sim.scenario.bundled import portable_path
from sim.scenario.load import LoadedScenario
from sim.scenario.sensitivity import SensitivitySpec, load_sensitivity, points_from_values, sensitivity_from_data

__all__ = ["INDEX_COLUMNS", "RANKING_COLUMNS", "run_sensitivity", "sensitivity"]

INDEX_COLUMNS = ["output", "policy", "parameter", "index", "value", "ci95_low", "ci95_high"]
RANKING_COLUMNS = ["output", "parameter", "pairs", "changed", "share"]
ALL_POINTS = "*"  # the ranking.csv row of all design points against the nominal one


def sensitivity(
    spec: Path | str | dict[str, Any],
    *,
    out: Path | str | None = None,
    workers: int = 1,
    dask: str | None = None,
    chunk_size: int | None = None,
    progress: str = "none",
    resume: bool = False,
    results_root: Path | str = "results",
    replications: int | None = None,
    seed: int | None = None,
    on_finished: Any = None,
) -> Path:
    """Run the sensitivity analysis of a file (path) or of its ``sensitivity:`` data (dict,
    ``scenario`` relative to the working directory); returns the results directory.

    Options as ``deconflict sensitivity``; ``on_finished(dir)`` is called when it is complete
    (e.g. ``sim.plots.sensitivity.plot_sensitivity`` for the figures). Raises ``InputError``
    on bad input, before anything runs; ``KeyboardInterrupt`` leaves a resumable directory.
    """
    if isinstance(spec, dict):
        loaded_spec = sensitivity_from_data(spec, {}, Path.cwd() / "<sensitivity data>")
    else:
        loaded_spec = load_sensitivity(Path(spec))
    done: list[Path] = []

    def finished(path: Path) -> None:
        done.append(path)
        if on_finished is not None:
            on_finished(path)

    execution = Execution(
        workers=workers,
        dask=dask,
        chunk_size=chunk_size,
        out=Path(out) if out is not None else None,
        root=Path(results_root),
        resume=resume,
        progress_mode=progress,
        on_finished=finished,
    )
    code = run_sensitivity(loaded_spec, replications=replications, seed=seed, policies=None, execution=execution)
    if code == 130:
        raise KeyboardInterrupt
    return done[0]


def _point_dir(root: Path, index: int, count: int) -> Path:
    return root / "points" / f"{index:0{max(3, len(str(count - 1)))}d}"


def _check(spec: SensitivitySpec, nominal: LoadedScenario, policies: list[str] | None) -> tuple[list[str], str]:
    """The policies to run (scenario order) and the reference; outputs must be columns of a run."""
    sc = nominal.scenario
    chosen = policies or (list(spec.policies) if spec.policies is not None else None)
    for name in chosen or []:
        if name not in sc.policies:
            where = ("policies",) if not policies else ()
            message = f"unknown policy {name!r}; the scenario's policies are {', '.join(sc.policies)}"
            raise spec.error(message, *where) if where else InputError(f"--policy: {message}")
    order = [p for p in sc.policies if not chosen or p in chosen]
    reference = spec.reference or order[0]
    if reference not in order:
        raise spec.error(f"{reference!r} is not among the policies run ({', '.join(order)})", "reference")
    columns = row_columns(sc.side_names, [lv.name for lv in sc.levels], sc.has_tactical, sc.has_risk)[4:]
    for i, name in enumerate(spec.outputs):
        if name not in columns:
            raise spec.error(f"no column {name!r} in a run of this scenario; known: {', '.join(columns)}", "outputs", i)
    return order, reference


def run_sensitivity(
    spec: SensitivitySpec,
    *,
    replications: int | None,
    seed: int | None,
    policies: list[str] | None,
    execution: Execution,
) -> int:
    """Draw the design, validate every point, run them, write the indices; returns the exit code."""
    unit = unit_design(spec)
    values = to_values(unit, spec.parameters)
    nominal_row = np.array([[p.nominal for p in spec.parameters]])
    loaded = points_from_values(spec, np.vstack([nominal_row, values]).tolist())
    order, reference = _check(spec, loaded[0], policies)
    n = replications if replications is not None else spec.replications or loaded[0].scenario.replications
    run_seed = seed if seed is not None else loaded[0].scenario.seed
    paths = [p.path for p in spec.parameters]
    name = f"{loaded[0].scenario.name}-sensitivity"
    plan = {
        "sensitivity_file": portable_path(spec.path),
        "method": spec.method,
        "paths": paths,
        "values": np.vstack([nominal_row, values]).tolist(),
        "replications": n,
        "seed": run_seed,
        "design_seed": spec.seed,
        "policies": order,
    }
    if execution.resume:
        root = execution.out if execution.out is not None else newest_unfinished(execution.root, name)
        if (root / "manifest.json").is_file() and not (root / PARTIAL).is_dir():
            print(f"{root}: already finished; nothing to resume")
            return 0
        saved_path = root / PARTIAL / "plan.json"
        if not saved_path.is_file():
            raise InputError("nothing to resume: no unfinished sensitivity analysis here", path=str(root))
        saved = json.loads(saved_path.read_text(encoding="utf-8"))
        if {k: v for k, v in saved.items() if k != "sensitivity_file"} != {
            k: v for k, v in plan.items() if k != "sensitivity_file"
        }:
            raise InputError("cannot resume: the analysis was started with different settings", path=str(root))
    else:
        root = new_results_dir(execution.root, name, execution.out)
        atomic_write_text(root / PARTIAL / "plan.json", json_text(plan))

    items: list[tuple[Job, RunDir]] = []
    jobs: list[Job] = []
    for index, pt in enumerate(loaded):
        job = Job(key=f"p{index}", loaded=pt, policies=tuple(order), seed=run_seed)
        jobs.append(job)
        pdir = _point_dir(root, index, len(loaded))
        run_plan = RunPlan.of(job, n)
        if execution.resume and (pdir / "manifest.json").is_file() and not (pdir / PARTIAL).is_dir():
            continue
        if execution.resume and (pdir / PARTIAL).is_dir():
            items.append((job, RunDir.open_partial(pdir, run_plan)))
        else:
            if pdir.exists():
                shutil.rmtree(pdir)  # created but never started: start again
            items.append((job, RunDir.create(pdir, run_plan)))
    size = execution.chunk_size if execution.chunk_size is not None else default_chunk_size(n, execution.workers)
    resume_cmd = execution.resume_command(root)
    try:
        session = execute_runs(
            items,
            chunk_size=size,
            workers=execution.workers,
            dask=execution.dask,
            progress_mode=execution.progress_mode,
            label=f"{name} ({len(loaded)} points)",
        )
        for job, run in items:
            index = int(job.key[1:])
            point_values = dict(zip(paths, plan["values"][index], strict=True))
            run.finish(
                job.columns,
                run_manifest(job, run, session, {"sensitivity_point": index, "sensitivity_values": point_values}),
            )
    except Interrupted as exc:
        return report_interrupt(str(exc), resume_cmd)
    except KeyboardInterrupt:
        return report_interrupt("while assembling the results", resume_cmd)
    except InputError:
        if not execution.resume and not any(run.done_ranges() for _, run in items):
            shutil.rmtree(root, ignore_errors=True)
        raise

    means = [_point_means(_point_dir(root, i, len(loaded))) for i in range(len(loaded))]
    others = [p for p in order if p != reference]
    series = [(out, p) for out in spec.outputs for p in order] + [
        (out, f"{p}-minus-{reference}") for out in spec.outputs for p in others
    ]

    def y_of(point: dict[tuple[str, str], float], output: str, label: str) -> float:
        if label.endswith(f"-minus-{reference}") and label.removesuffix(f"-minus-{reference}") in others:
            return point[(label.removesuffix(f"-minus-{reference}"), output)] - point[(reference, output)]
        return point[(label, output)]

    design_rows: list[dict[str, Any]] = []
    rankings = {out: [ranking({p: m[(p, out)] for p in order}, order) for m in means] for out in spec.outputs}
    for i, m in enumerate(means):
        row: dict[str, Any] = {"point": i, "role": "nominal" if i == 0 else "design"}
        row |= {p.path: int(v) if p.integer else v for p, v in zip(spec.parameters, plan["values"][i], strict=True)}
        row |= {f"{out}:{label}": y_of(m, out, label) for out, label in series}
        row |= {f"ranking:{out}": rankings[out][i] for out in spec.outputs}
        design_rows.append(row)
    design_columns = ["point", "role", *paths, *(f"{o}:{lab}" for o, lab in series)]
    design_columns += [f"ranking:{out}" for out in spec.outputs]

    index_rows: list[dict[str, Any]] = []
    for out, label in series:
        y = np.array([y_of(m, out, label) for m in means[1:]])
        for r in indices(spec.method, unit, y, levels=spec.levels, resamples=spec.resamples, seed=spec.seed):
            index_rows.append({"output": out, "policy": label, **r, "parameter": paths[r["parameter"]]})
    rank_rows: list[dict[str, Any]] = []
    for out in spec.outputs:
        differ, per = ranking_changes(spec.method, unit, rankings[out][1:], rankings[out][0])
        rank_rows.append(
            {"output": out, "parameter": ALL_POINTS, "pairs": len(unit), "changed": differ, "share": differ / len(unit)}
        )
        for i, (pairs, changed) in per.items():
            rank_rows.append(
                {
                    "output": out,
                    "parameter": paths[i],
                    "pairs": pairs,
                    "changed": changed,
                    "share": changed / pairs if pairs else 0.0,
                }
            )
    atomic_write_text(root / "design.csv", csv_text(design_columns, design_rows))
    atomic_write_text(root / "indices.csv", csv_text(INDEX_COLUMNS, index_rows))
    atomic_write_text(root / "ranking.csv", csv_text(RANKING_COLUMNS, rank_rows))
    manifest = {
        "tool": "deconflict",
        "kind": "sensitivity",
        "version": __version__,
        "git_revision": git_revision(),
        "command": [Path(sys.argv[0]).name, *sys.argv[1:]],
        "working_directory": str(Path.cwd()),
        "sensitivity_file": portable_path(spec.path),
        "scenario_file": portable_path(spec.scenario_path),
        "scenario_sha256": hashlib.sha256(spec.scenario_path.read_bytes()).hexdigest(),
        "description": spec.description,
        "method": spec.method,
        "design_seed": spec.seed,
        "trajectories": spec.trajectories if spec.method == "morris" else None,
        "levels": spec.levels if spec.method == "morris" else None,
        "samples": spec.samples if spec.method == "sobol" else None,
        "resamples": spec.resamples,
        "points": len(loaded),
        "replications": n,
        "seed": run_seed,
        "policies": order,
        "reference": reference,
        "outputs": list(spec.outputs),
        "parameters": [
            {k: v for k, v in p.__dict__.items() if v is not None or k in ("low", "high")} for p in spec.parameters
        ],
        "executor": session.get("executor"),
        "workers": session.get("workers"),
        "chunk_size": size,
        "resumed": execution.resume,
        "wall_time_s": session.get("wall_time_s"),
        "finished_utc": utc_now(),
        "environment": environment_versions(),
    }
    atomic_write_text(root / "manifest.json", json_text(manifest))
    shutil.rmtree(root / PARTIAL, ignore_errors=True)
    _print_report(spec, rank_rows, index_rows, len(loaded), n, order, reference, root)
    if execution.on_finished is not None:
        execution.on_finished(root)
    return 0


def _point_means(run_dir: Path) -> dict[tuple[str, str], float]:
    """``(policy, metric) -> mean`` from a finished point's ``summary.csv``."""
    with (run_dir / "summary.csv").open(encoding="utf-8", newline="") as f:
        return {(r["policy"], r["metric"]): float(r["mean"]) for r in csv.DictReader(f)}


def _print_report(
    spec: SensitivitySpec,
    rank_rows: list[dict[str, Any]],
    index_rows: list[dict[str, Any]],
    points: int,
    n: int,
    order: list[str],
    reference: str,
    root: Path,
) -> None:
    print(
        f"{spec.method} over {len(spec.parameters)} parameters: {points} points (the nominal one first) x {n} "
        f"replications x {len(order)} policies"
    )
    main = "mu_star" if spec.method == "morris" else "ST"
    for out in spec.outputs:
        top = next(r for r in rank_rows if r["output"] == out and r["parameter"] == ALL_POINTS)
        movers = sorted(
            (r for r in rank_rows if r["output"] == out and r["parameter"] != ALL_POINTS and r["changed"]),
            key=lambda r: -r["share"],
        )
        print(
            f"\n{out}: the ranking of the rules differs from the nominal one at {top['changed']} of "
            f"{top['pairs']} design points ({100 * top['share']:.0f} %)"
            + (f"; changed by {', '.join(r['parameter'] for r in movers[:5])}" if movers else "")
        )
        for p in order:
            if p == reference:
                continue
            label = f"{p}-minus-{reference}"
            rows = sorted(
                (r for r in index_rows if r["output"] == out and r["policy"] == label and r["index"] == main),
                key=lambda r: -(r["value"] if np.isfinite(r["value"]) else -1.0),
            )
            lead = ", ".join(f"{r['parameter']} {r['value']:.3g}" for r in rows[:3])
            print(f"  {label}: largest {main}: {lead}")
    print(f"\nresults: {root}/ (design.csv, indices.csv, ranking.csv, points/, manifest.json)")
