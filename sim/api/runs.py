"""``run``, ``sweep`` and ``sensitivity`` from Python: the options of the command line, a :class:`Results` back.

Each takes the options of its ``deconflict`` command as keyword arguments (``--chunk-size``
is ``chunk_size``, ``--policy`` is ``policies``, ``--results-root`` is ``results_root``)
and writes the same results directory through the same drivers (``sim.api.driver``).
Progress shows as a ``tqdm.auto`` bar: a widget in a notebook. Ctrl-C (a notebook's
interrupt) keeps the finished chunks and raises :class:`RunInterrupted`, naming the
directory; the same call with ``out=that directory, resume=True`` finishes it.
"""

from __future__ import annotations

import contextlib
import io
import sys
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

from sim.api.driver import Outcome, drive_run, drive_sensitivity, drive_sweep, make_execution
from sim.api.results import Results
from sim.api.scenario import ScenarioSource, load_scenario
from sim.errors import InputError

__all__ = ["RunInterrupted", "run", "sensitivity", "sweep"]


class RunInterrupted(KeyboardInterrupt):
    """Ctrl-C during ``run``, ``sweep`` or ``sensitivity``: ``path`` holds the finished chunks, resumable."""

    def __init__(self, path: Path | None, call: str) -> None:
        self.path = path
        super().__init__(
            f"interrupted; finished chunks are kept in {path}; resume with {call}(..., out={str(path)!r}, resume=True)"
        )


def in_notebook() -> bool:
    """True inside a Jupyter kernel (where a progress bar is a widget, not a terminal line)."""
    ipython = sys.modules.get("IPython")
    shell = ipython.get_ipython() if ipython is not None and hasattr(ipython, "get_ipython") else None
    return shell is not None and type(shell).__name__ == "ZMQInteractiveShell"


def _progress(progress: str) -> str:
    return "bar" if progress == "auto" and in_notebook() else progress


@contextlib.contextmanager
def _quiet(verbose: bool) -> Iterator[None]:
    """The printed summary on stdout when ``verbose``; otherwise swallowed (progress stays on stderr)."""
    if verbose:
        yield
        return
    with contextlib.redirect_stdout(io.StringIO()):
        yield


def _results(outcome: Outcome, call: str) -> Results:
    if outcome.code == 130:
        raise RunInterrupted(outcome.path, call)
    if outcome.path is None:
        raise InputError("nothing was run and no results directory is known; give out=")
    return Results.open(outcome.path)


def _resume_hint(call: str) -> Any:
    return lambda path: f"sim.api.{call}(..., out={str(path)!r}, resume=True)"


def run(
    scenario: ScenarioSource,
    *,
    replications: int | None = None,
    seed: int | None = None,
    policies: Sequence[str] | None = None,
    out: str | Path | None = None,
    results_root: str | Path = "results",
    workers: int | None = None,
    dask: str | None = None,
    chunk_size: int | None = None,
    resume: bool = False,
    progress: str = "auto",
    plot: bool = False,
    report: bool = False,
    no_tactical: bool = False,
    with_no_tactical: bool = False,
    verbose: bool = False,
) -> Results:
    """Run every policy (or ``policies``) of ``scenario`` for ``replications`` and open the results.

    ``scenario`` is a YAML file (``str`` or ``Path``), its data as a dict, or a loaded
    scenario. Options as ``deconflict run``: ``workers`` processes (None: one per core; 1:
    in this process), ``out`` the directory (None: a new one under ``results_root``),
    ``progress`` one of auto, bar, plain, none; ``plot`` writes ``figures/`` and ``report``
    ``report.html``. ``verbose`` prints the summary tables the command prints. Raises
    :class:`~sim.errors.InputError` on bad input, before anything runs.
    """
    loaded = load_scenario(scenario)
    execution = make_execution(
        workers=workers,
        dask=dask,
        chunk_size=chunk_size,
        out=out,
        results_root=results_root,
        resume=resume,
        progress=_progress(progress),
        resume_command=_resume_hint("run"),
    )
    with _quiet(verbose):
        outcome = drive_run(
            loaded,
            policies=list(policies) if policies else None,
            replications=replications,
            seed=seed,
            execution=execution,
            plot=plot,
            report=report,
            no_tactical=no_tactical,
            with_no_tactical=with_no_tactical,
        )
    return _results(outcome, "run")


def _set_options(sets: Mapping[str, Sequence[Any]] | Sequence[str] | None) -> list[str]:
    """``{"path": [v1, v2]}`` or ``["path=v1,v2"]`` as the command line's ``--set`` strings."""
    if sets is None:
        return []
    if isinstance(sets, Mapping):
        options = []
        for path, values in sets.items():
            if isinstance(values, str | bytes) or not isinstance(values, Sequence):
                raise InputError(f"sets[{path!r}]: expected a list of values, found {values!r}")
            options.append(
                f"{path}=" + ",".join("true" if v is True else "false" if v is False else str(v) for v in values)
            )
        return options
    return [str(s) for s in sets]


def sweep(
    scenario: str | Path,
    sets: Mapping[str, Sequence[Any]] | Sequence[str] | None = None,
    *,
    replications: int | None = None,
    seed: int | None = None,
    policies: Sequence[str] | None = None,
    out: str | Path | None = None,
    results_root: str | Path = "results",
    workers: int | None = None,
    dask: str | None = None,
    chunk_size: int | None = None,
    resume: bool = False,
    progress: str = "auto",
    plot: bool = False,
    report: bool = False,
    verbose: bool = False,
) -> Results:
    """Run a sweep file, or a scenario file at every combination of ``sets``, and open the sweep directory.

    ``sets`` maps a dotted path into the scenario to its values, ``{"policies.hotline.latency_min":
    [2, 10]}``, or is a list of ``"PATH=V1,V2"`` strings (``--set``). Other options as :func:`run`.
    """
    execution = make_execution(
        workers=workers,
        dask=dask,
        chunk_size=chunk_size,
        out=out,
        results_root=results_root,
        resume=resume,
        progress=_progress(progress),
        resume_command=_resume_hint("sweep"),
    )
    with _quiet(verbose):
        outcome = drive_sweep(
            scenario,
            _set_options(sets),
            policies=list(policies) if policies else None,
            replications=replications,
            seed=seed,
            execution=execution,
            plot=plot,
            report=report,
        )
    return _results(outcome, "sweep")


def sensitivity(
    file: str | Path | dict[str, Any],
    *,
    replications: int | None = None,
    seed: int | None = None,
    policies: Sequence[str] | None = None,
    out: str | Path | None = None,
    results_root: str | Path = "results",
    workers: int | None = None,
    dask: str | None = None,
    chunk_size: int | None = None,
    resume: bool = False,
    progress: str = "auto",
    report: bool = False,
    verbose: bool = False,
) -> Results:
    """Run the sensitivity analysis of a file (or of its data as a dict) and open its directory.

    Writes ``design.csv``, ``indices.csv``, ``ranking.csv`` and the figures, as ``deconflict
    sensitivity``. Other options as :func:`run`.
    """
    execution = make_execution(
        workers=workers,
        dask=dask,
        chunk_size=chunk_size,
        out=out,
        results_root=results_root,
        resume=resume,
        progress=_progress(progress),
        resume_command=_resume_hint("sensitivity"),
    )
    with _quiet(verbose):
        outcome = drive_sensitivity(
            file,
            policies=list(policies) if policies else None,
            replications=replications,
            seed=seed,
            execution=execution,
            report=report,
        )
    return _results(outcome, "sensitivity")
