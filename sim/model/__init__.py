"""The model stage: one simulated day of both sides' sorties under one notification rule.

Owns the day's tasking drawn from the scenario (``tasking``), straight-leg flight paths
(``flightpath``), notices and what a rule may see (``notices``), each rule's behaviour
(``rules``), the ops cells that re-plan affected sorties (``opscell``) and the SimPy
process model that ties them together, ``simulate()`` (``day``). Pure: no I/O, no global
state; every random draw comes from generators derived from the seed and replication.

May import: ``sim.detect`` (``Tracks``), ``sim.scenario``, ``sim.errors``, ``sim.units``.
"""
