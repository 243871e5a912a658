"""``python -m sim`` runs the ``deconflict`` command."""

from sim.cli import run

run()
