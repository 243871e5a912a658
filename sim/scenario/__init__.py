"""The scenario stage: reading and validating what the user writes.

Owns the strict YAML reader (``strict_yaml``), the pydantic models of scenario files and
their JSON Schema (``models``), loading and cross-checking a file (``load``), the
notification rules as specified in a file, parameters only (``rules``; their behaviour is
in ``sim.model.rules``), sweep files and their points (``sweep``), and the geometry: the
local projection (``projection``, pyproj), sectors and points inside them (``sectors``,
shapely), the GeoJSON reader (``geojson``) and the default sectors and outlines shipped in
``data/`` (``bundled``).

May import: ``sim.errors`` and ``sim.units`` only. Every other stage may import this one.
"""
