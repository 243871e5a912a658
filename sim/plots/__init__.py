"""The figures stage: what a finished results directory shows, never re-running anything.

Owns reading a run or sweep directory for plotting (``data``), the shared look and
provenance footer (``style``), the map (``maps``), sweep curves (``sweep``) and the entry
point that draws them all (``figures``). Matplotlib with the Agg backend only.

May import: ``sim.experiment`` (statistics, reading results), ``sim.scenario`` (sectors,
outlines), ``sim.errors``, ``sim.units``. Imported only by the command line.
"""
