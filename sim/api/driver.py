"""What ``run``, ``sweep`` and ``sensitivity`` do once their options are known, for both front ends.

The command line (``sim.cli``) and the Python functions (``sim.api.runs``) call the same
drivers here with the same options, so a run started either way writes the same results
directory. A driver returns an :class:`Outcome`: the exit code (0 done, 130 interrupted
with the finished chunks kept) and the results directory it wrote into.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sim.errors import InputError
from sim.experiment.progress import PROGRESS_MODES
from sim.experiment.runner import Execution
from sim.scenario.load import LoadedScenario

__all__ = ["Outcome", "check_counts", "drive_run", "drive_sensitivity", "drive_sweep", "make_execution"]

OptionName = Callable[[str], str]
"""How an option is named in messages: ``"--chunk-size"`` on the command line, ``"chunk_size"`` in Python."""


def python_name(name: str) -> str:
    """An option's name as a Python keyword argument (the default for messages)."""
    return name


@dataclass(frozen=True)
class Outcome:
    """How a driver ended: ``code`` 0 (finished) or 130 (interrupted, resumable) and the directory."""

    code: int
    path: Path | None


def check_counts(counts: Mapping[str, int | None], option: OptionName = python_name) -> None:
    """``replications``, ``chunk_size`` and ``workers``, when given, must be >= 1 and ``seed`` >= 0."""
    for name in ("replications", "chunk_size", "workers"):
        value = counts.get(name)
        if value is not None and value < 1:
            raise InputError(f"{option(name)} must be at least 1, found {value}")
    seed = counts.get("seed")
    if seed is not None and seed < 0:
        raise InputError(f"{option('seed')} must be >= 0, found {seed}")


def make_execution(
    *,
    workers: int | None = None,
    dask: str | None = None,
    chunk_size: int | None = None,
    out: str | Path | None = None,
    results_root: str | Path = "results",
    resume: bool = False,
    progress: str = "auto",
    resume_command: Callable[[Path], str] | None = None,
    option: OptionName = python_name,
) -> Execution:
    """An :class:`Execution` from front-end options (``workers`` None: one per core)."""
    from sim.experiment.executors import default_workers

    if progress not in PROGRESS_MODES:
        raise InputError(f"{option('progress')}: expected one of {', '.join(PROGRESS_MODES)}, found {progress!r}")
    check_counts({"chunk_size": chunk_size, "workers": workers}, option)
    return Execution(
        workers=workers if workers is not None else default_workers(),
        dask=dask,
        chunk_size=chunk_size,
        out=Path(out) if out is not None else None,
        root=Path(results_root),
        resume=resume,
        progress_mode=progress,
        resume_command=resume_command or (lambda path: f"run again with out={str(path)!r}, resume=True"),
    )


class _Tracker:
    """Remembers the results directory a driver works in (from the executor's callbacks)."""

    def __init__(self, execution: Execution, after: list[Callable[[Path], object]]) -> None:
        self.path: Path | None = execution.out
        self._resume_command = execution.resume_command
        self._after = after

    def resume_command(self, path: Path) -> str:
        self.path = path
        return self._resume_command(path)

    def finished(self, path: Path) -> None:
        self.path = path
        for step in self._after:
            step(path)

    def into(self, execution: Execution) -> Execution:
        return dataclasses.replace(execution, resume_command=self.resume_command, on_finished=self.finished)


def _plot(path: Path) -> None:
    from sim.plots.figures import plot_results

    written = plot_results(path, None, "png")
    print(f"figures: {len(written)} written to {path / 'figures'}/")


def _report(path: Path) -> None:
    from sim.report.page import write_report

    target = write_report(path)
    print(f"report: {target}")


def _finishing_steps(plot: bool, report: bool) -> list[Callable[[Path], object]]:
    return [step for wanted, step in ((plot, _plot), (report, _report)) if wanted]


def drive_run(
    loaded: LoadedScenario,
    *,
    policies: list[str] | None,
    replications: int | None,
    seed: int | None,
    execution: Execution,
    plot: bool = False,
    report: bool = False,
    no_tactical: bool = False,
    with_no_tactical: bool = False,
    sections: Sequence[str] | None = None,
    save_tracks: str | None = None,
    option: OptionName = python_name,
) -> Outcome:
    """Run ``loaded`` as ``deconflict run`` does, then draw the figures and write the report if asked.

    ``sections`` chooses what the printed summary shows (``sim.experiment.report.SECTIONS``,
    all by default); ``save_tracks`` (``"0,3"`` or ``"0-2"``) writes those replications' tracks
    of every policy to ``RUN/tracks/`` in the ``detect`` format."""
    from sim.experiment.report import SECTIONS
    from sim.experiment.run import run_scenario

    check_counts({"replications": replications, "seed": seed}, option)
    after = _finishing_steps(plot, report)

    if with_no_tactical:
        if no_tactical:
            raise InputError(f"{option('with_no_tactical')} and {option('no_tactical')}: choose one")
        if not loaded.scenario.has_tactical:
            raise InputError(
                f"{option('with_no_tactical')}: the scenario gives no side a tactical layer, "
                "so there is nothing to switch off",
                path=str(loaded.path),
            )
        after.insert(0, _companion(loaded, execution))
    if no_tactical:
        loaded = loaded.with_scenario(loaded.scenario.without_tactical())
    if save_tracks is not None:  # the tracks of the run as flown (the tactical layer off with no_tactical)
        after.insert(0, _saving_tracks(save_tracks, loaded, execution, replications))
    tracker = _Tracker(execution, after)
    code = run_scenario(
        loaded,
        policies=policies,
        replications=replications,
        seed=seed,
        execution=tracker.into(execution),
        sections=tuple(sections) if sections is not None else SECTIONS,
    )
    return Outcome(code, tracker.path)


def _saving_tracks(
    which: str, loaded: LoadedScenario, execution: Execution, replications: int | None
) -> Callable[[Path], None]:
    """After the run: the tracks of replications ``which`` into ``RUN/tracks/`` (the
    replications asked for are checked now, before anything runs)."""
    from sim.experiment.saved_tracks import TRACKS_DIR, parse_replications, save_tracks

    count = None if execution.resume else (replications or loaded.scenario.replications)
    parse_replications(which, count)

    def finished(path: Path) -> None:
        manifest = json.loads((path / "manifest.json").read_text(encoding="utf-8"))
        reps = parse_replications(which, int(manifest["replications"]))
        written = save_tracks(path, loaded, reps)
        print(f"tracks: {len(written)} file{'s' if len(written) != 1 else ''} written to {path / TRACKS_DIR}/")

    return finished


def _companion(loaded: LoadedScenario, execution: Execution) -> Callable[[Path], None]:
    """After the run: the same sorties with every tactical layer off into ``RUN/no-tactical/``
    (resumed if unfinished, left alone if done)."""
    from sim.experiment.run import run_scenario
    from sim.plots.layers import COMPANION

    def finished(path: Path) -> None:
        manifest = json.loads((path / "manifest.json").read_text(encoding="utf-8"))
        out = path / COMPANION
        if (out / "manifest.json").is_file():
            print(f"{out}: already finished")
            return
        print(f"\nthe same sorties with every tactical layer off, into {out}/")
        code = run_scenario(
            loaded.with_scenario(loaded.scenario.without_tactical()),
            policies=list(manifest["policies"]),
            replications=int(manifest["replications"]),
            seed=int(manifest["seed"]),
            execution=dataclasses.replace(execution, out=out, resume=out.exists(), on_finished=None),
        )
        if code != 0:
            raise SystemExit(code)

    return finished


def drive_sweep(
    scenario: str | Path,
    sets: list[str],
    *,
    policies: list[str] | None,
    replications: int | None,
    seed: int | None,
    execution: Execution,
    plot: bool = False,
    report: bool = False,
    metric: str | None = None,
    option: OptionName = python_name,
) -> Outcome:
    """Run a sweep file, or a scenario with ``sets`` (``"PATH=V1,V2"``), as ``deconflict sweep`` does;
    ``metric`` is what its pivot shows (a level or a ``replications.csv`` column; default the
    sweep file's, else the first level)."""
    from sim.experiment.sweeprun import run_sweep
    from sim.scenario.sweep import build_points, load_sweep_input

    check_counts({"replications": replications, "seed": seed}, option)
    spec = load_sweep_input(Path(scenario), sets)
    points = build_points(spec)
    tracker = _Tracker(execution, _finishing_steps(plot, report))
    code = run_sweep(
        spec,
        points,
        replications=replications,
        policies=policies,
        seed=seed,
        execution=tracker.into(execution),
        metric=metric,
    )
    return Outcome(code, tracker.path)


def _plot_sensitivity(path: Path) -> None:
    from sim.plots.sensitivity import plot_sensitivity

    written = plot_sensitivity(path)
    print(f"figures: {len(written)} written to {path / 'figures'}/")


def drive_sensitivity(
    file: str | Path | dict[str, Any],
    *,
    policies: list[str] | None,
    replications: int | None,
    seed: int | None,
    execution: Execution,
    report: bool = False,
    option: OptionName = python_name,
) -> Outcome:
    """Run a sensitivity file (or its data as a dict) as ``deconflict sensitivity`` does; figures always."""
    from sim.experiment.sensitivity_run import run_sensitivity
    from sim.scenario.sensitivity import load_sensitivity, sensitivity_from_data

    check_counts({"replications": replications, "seed": seed}, option)
    if isinstance(file, dict):
        spec = sensitivity_from_data(file, {}, Path.cwd() / "<sensitivity data>")
    else:
        spec = load_sensitivity(Path(file))
    tracker = _Tracker(execution, [_plot_sensitivity, *_finishing_steps(False, report)])
    code = run_sensitivity(
        spec, replications=replications, seed=seed, policies=policies, execution=tracker.into(execution)
    )
    return Outcome(code, tracker.path)
