"""deconflict: simulate two air forces without a common controller and count their near-conflicts exactly.

The package is the pipeline, one folder per stage, in the order the data flows::

    sim.scenario    scenario and sweep files -> a validated Scenario with its sectors
    sim.model       one simulated day: tasking, notification rules, ops cells -> flown tracks
    sim.detect      flown tracks -> exact encounters in continuous time
    sim.experiment  replications, executors, run directories, sweeps, paired statistics
    sim.plots       figures of a results directory
    sim.report      the one-file HTML report of a results directory
    sim.api         the Python API (``from sim import api``): run, sweep, sensitivity, detect, Results
    sim.cli         the ``deconflict`` command: parsing, then a call into ``sim.api``

Each imports only the layers below it (``lint-imports`` checks this against
``[tool.importlinter]`` in ``pyproject.toml``); the one exception to the data-flow order is
that the detector sits below the model, which builds its ``Tracks``.

``sim.errors`` (the one error type for bad input) and ``sim.units`` sit below them all.
"""

from typing import Any

__version__ = "0.2.0.dev0"

__all__ = ["__version__", "api"]


def __getattr__(name: str) -> Any:
    """``sim.api`` on first use (``import sim`` itself stays light: the command line imports it)."""
    if name == "api":
        import importlib

        return importlib.import_module("sim.api")
    raise AttributeError(f"module 'sim' has no attribute {name!r}")
