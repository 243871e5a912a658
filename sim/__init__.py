"""deconflict: simulate two air forces without a common controller and count their near-conflicts exactly.

The package is the pipeline, one folder per stage, in the order the data flows::

    sim.scenario    scenario and sweep files -> a validated Scenario with its sectors
    sim.model       one simulated day: tasking, notification rules, ops cells -> flown tracks
    sim.detect      flown tracks -> exact encounters in continuous time
    sim.experiment  replications, executors, run directories, sweeps, paired statistics
    sim.plots       figures of a results directory
    sim.cli         the ``deconflict`` command: parsing and wiring only

Each imports only the layers below it (``lint-imports`` checks this against
``[tool.importlinter]`` in ``pyproject.toml``); the one exception to the data-flow order is
that the detector sits below the model, which builds its ``Tracks``.

``sim.errors`` (the one error type for bad input) and ``sim.units`` sit below them all.
"""

__version__ = "0.2.0.dev0"

__all__ = ["__version__"]
