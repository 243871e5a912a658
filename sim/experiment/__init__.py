"""The experiment stage: many days, their numbers, and the files that hold them.

Owns replications and chunks with common random numbers (``replicate``), each
replication's metrics (``metrics``), where chunks run: in process, a process pool or Dask
(``executors``), run directories, atomic writes and resume (``rundir``, ``results``,
``runner``), one scenario's run (``run``), sweeps over many points (``sweeprun``), paired
statistics and the printed tables (``stats``, ``compare``, ``report``) and progress on
stderr (``progress``).

May import: ``sim.model``, ``sim.detect``, ``sim.scenario``, ``sim.errors``, ``sim.units``
— never the figures: ``--plot`` is wired in the command line.
"""
