"""Stage 1, the scenario: reading and validating what the user writes.

Owns the strict YAML reader (``strict_yaml``), the pydantic models of scenario files and
their JSON Schema (``models``), the notification rules as specified in a file, parameters
only (``rules``; their behaviour is in ``sim.model.rules``), sweep files and their points
(``sweep``), and the geometry: the local projection, sectors and the GeoJSON loader
(``geometry``), with the bundled default sectors and outlines in ``data/``.

May import: ``sim.errors`` and ``sim.units`` only. Every other stage may import this one.
"""
