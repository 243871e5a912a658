"""The detection stage: flown tracks in, exact encounters between the two sides out.

Owns ``Tracks`` (columnar 4-D paths and their CSV form, ``tracks``) and the closed-form,
continuous-time encounter detector, the project's hot loop (``encounters``). No I/O beyond
reading and writing track files, no randomness.

May import: ``sim.scenario`` (geometry only), ``sim.errors``, ``sim.units``. Imported by
the model (``Tracks``), the experiment layer and the command line.
"""
