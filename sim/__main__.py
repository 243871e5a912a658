"""``python -m sim`` runs the ``deconflict`` command."""

from sim.cli import main

raise SystemExit(main())
