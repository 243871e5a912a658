"""deconflict: simulate two air forces without a common controller and count their near-conflicts exactly.

The package is the pipeline, one folder per stage, each importing only the stages below it
(``lint-imports`` checks this against ``[tool.importlinter]`` in ``pyproject.toml``)::

    sim.scenario    scenario and sweep files -> a validated Scenario with its sectors
    sim.detect      flown tracks -> exact encounters in continuous time
    sim.model       one simulated day: tasking, notification rules, ops cells, flight paths
    sim.experiment  replications, executors, run directories, sweeps, paired statistics
    sim.plots       figures of a results directory
    sim.cli         the ``deconflict`` command: parsing and wiring only

``sim.errors`` (the one error type for bad input) and ``sim.units`` sit below them all.
"""

__version__ = "0.1.0"

__all__ = ["__version__"]
