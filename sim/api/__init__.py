"""The Python API of deconflict, for notebooks and scripts: ``from sim import api``.

The same runs as the ``deconflict`` command, with the same options as keyword arguments and
the same results directories (the command line is a thin layer over this package)::

    from sim import api

    scenario = api.load_scenario("scenarios/corridor-small.yaml")    # or a dict of the same data
    results = api.run(scenario, replications=20, workers=1, out="results/corridor")
    results.summary                      # DataFrame: policy, metric, n, mean, ci95_low, ...
    results.comparison(reference="no-notice")
    results.encounter_rates_figure()     # a matplotlib Figure
    api.Results.open("results/reference/syria-2015-10").replications

Everything that names a file takes a ``str`` or a ``Path``. Results are read from CSV and
JSON only. Bad input raises :class:`InputError`, whose message names the file, the field
and (for YAML files) the line, exactly as the command line prints it after ``error:``.
"""

from __future__ import annotations

import importlib
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sim import __version__
from sim.errors import InputError

if TYPE_CHECKING:
    from sim.api.detecting import detect
    from sim.api.results import Results
    from sim.api.runs import RunInterrupted, run, sensitivity, sweep
    from sim.api.scenario import Scenario, load_scenario

# loaded on first use, so that the command line (which drives runs through this package)
# does not pay for pandas and matplotlib before it needs them
_LAZY = {
    "detect": "sim.api.detecting",
    "Results": "sim.api.results",
    "RunInterrupted": "sim.api.runs",
    "run": "sim.api.runs",
    "sensitivity": "sim.api.runs",
    "sweep": "sim.api.runs",
    "Scenario": "sim.api.scenario",
    "load_scenario": "sim.api.scenario",
}


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        value = getattr(importlib.import_module(_LAZY[name]), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = [
    "InputError",
    "Results",
    "RunInterrupted",
    "Scenario",
    "__version__",
    "detect",
    "load_scenario",
    "report",
    "run",
    "sensitivity",
    "sweep",
]


def report(results: str | Path | Results, output: str | Path | None = None) -> Path:
    """Write the one-file HTML report of a results directory (default ``<dir>/report.html``); returns its path."""
    from sim.api.results import Results
    from sim.report.page import write_report

    return write_report(results.path if isinstance(results, Results) else Path(results), output)
