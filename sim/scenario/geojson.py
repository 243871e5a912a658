"""Reading sectors and outlines from GeoJSON, with errors that name the file, feature and field.

The JSON structure is checked position by position, so that an error names the file, the
feature and the field (``features[3].geometry.coordinates[0][5]``); shapely builds the
geometry (``shapely.geometry.shape``) and says what makes a polygon invalid; pyproj
projects it into the local plane.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import shapely
from shapely.geometry import LinearRing, MultiPolygon, Polygon, shape
from shapely.validation import explain_validity

from sim.errors import InputError
from sim.scenario.projection import Area, FloatArray, LocalProjection
from sim.scenario.sectors import Sector, SectorMap, rings_of

__all__ = ["load_outlines", "load_sectors"]


@dataclass(frozen=True)
class _Feature:
    index: int
    name: str
    geometry: Area  # (lon, lat) degrees
    where: str  # "features[i].geometry"


def _read_json(path: Path) -> Any:
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise InputError("expected a GeoJSON file, found no such file", path=str(path)) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"expected a readable UTF-8 GeoJSON file, found: {exc}", path=str(path)) from None
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise InputError(
            f"line {exc.lineno}, column {exc.colno}: expected valid JSON, found a syntax error ({exc.msg})",
            path=str(path),
        ) from None


def _describe(value: Any) -> str:
    text = json.dumps(value) if not isinstance(value, float | int | str | list | dict) else repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


_AT = re.compile(r"^(?P<what>[^\[]*)\[(?P<x>\S+) (?P<y>\S+)\]$")


def _reason(geometry: Polygon | MultiPolygon | LinearRing) -> str:
    """shapely's reason for invalidity, with its location spelled out: 'self-intersection at lon 38.1, lat 35'."""
    text = explain_validity(geometry)
    m = _AT.match(text)
    if m is None:
        return text[:1].lower() + text[1:]
    what = m["what"].strip()
    return f"{what[:1].lower() + what[1:]} at lon {m['x']}, lat {m['y']}"


_NUMBER = (int, float)  # JSON numbers; bool is a type of its own here, so true/false are refused


def _check_ring(raw: Any, where: str, path: Path) -> FloatArray:
    """A ring of [lon, lat] positions with at least 3 distinct ones around some area, as (k, 2)."""
    if not isinstance(raw, list):
        raise InputError(
            f"{where}: expected a list of [lon, lat] positions, found {_describe(raw)}",
            path=str(path),
        )
    plain = all(
        type(pos) is list and len(pos) >= 2 and type(pos[0]) in _NUMBER and type(pos[1]) in _NUMBER for pos in raw
    )
    if not plain:  # find the first bad position, for the message
        for j, pos in enumerate(raw):
            ok = (
                isinstance(pos, list)
                and len(pos) >= 2
                and all(isinstance(v, int | float) and not isinstance(v, bool) for v in pos[:2])
            )
            if not ok:
                raise InputError(
                    f"{where}[{j}]: expected a [lon, lat] pair of finite numbers, found {_describe(pos)}",
                    path=str(path),
                )
    ring = np.array([pos[:2] for pos in raw], dtype=np.float64).reshape(-1, 2)
    finite = np.isfinite(ring).all(axis=1)
    if not finite.all():
        j = int(np.argmin(finite))
        raise InputError(
            f"{where}[{j}]: expected a [lon, lat] pair of finite numbers, found {_describe(raw[j])}",
            path=str(path),
        )
    # at least 3 distinct positions: one unlike the first, and one unlike both
    other = (ring != ring[0]).any(axis=1) if len(ring) else np.zeros(0, dtype=bool)
    third = other & (ring != ring[int(np.argmax(other))]).any(axis=1) if other.any() else other
    if not third.any():
        distinct = min(len(ring), 1 + int(other.any()))
        raise InputError(
            f"{where}: expected a ring with at least 3 distinct positions, found {distinct}",
            path=str(path),
        )
    # collinear: every position within a hair (1e-12 of the ring's size) of the line through two of them
    d = ring - ring[0]
    far = d[int(np.argmax(np.einsum("ij,ij->i", d, d)))]
    cross = d[:, 0] * far[1] - d[:, 1] * far[0]
    if np.max(np.abs(cross)) <= 1e-12 * float(far @ far):
        raise InputError(
            f"{where}: expected a ring enclosing some area, found only collinear positions",
            path=str(path),
        )
    return ring


def _check_polygon(polygon: Polygon, where: str, path: Path) -> None:
    """A valid polygon (OGC rules, as GEOS checks them); the message names the ring when one is at fault."""
    if polygon.is_valid:
        return
    for k, ring in enumerate((polygon.exterior, *polygon.interiors)):
        if not ring.is_simple:
            raise InputError(
                f"{where}[{k}]: expected a ring that does not cross or touch itself, found {_reason(Polygon(ring))}",
                path=str(path),
            )
    raise InputError(f"{where}: expected a valid polygon, found {_reason(polygon)}", path=str(path))


def _parse_geometry(geometry: Any, where: str, path: Path) -> Area:
    """A GeoJSON Polygon or MultiPolygon checked position by position, then built and validated by shapely."""
    kind = geometry.get("type") if isinstance(geometry, dict) else None
    coords = geometry.get("coordinates") if isinstance(geometry, dict) else None
    if kind not in ("Polygon", "MultiPolygon"):
        raise InputError(
            f"{where}.type: expected 'Polygon' or 'MultiPolygon', found {_describe(kind)}",
            path=str(path),
        )
    raw_parts = [coords] if kind == "Polygon" else coords
    if not isinstance(raw_parts, list) or not raw_parts:
        raise InputError(
            f"{where}.coordinates: expected a non-empty list, found {_describe(coords)}",
            path=str(path),
        )
    parts: list[list[FloatArray]] = []
    for p, raw_rings in enumerate(raw_parts):
        prefix = f"{where}.coordinates" + (f"[{p}]" if kind == "MultiPolygon" else "")
        if not isinstance(raw_rings, list) or not raw_rings:
            raise InputError(
                f"{prefix}: expected a non-empty list of rings, found {_describe(raw_rings)}",
                path=str(path),
            )
        parts.append([_check_ring(r, f"{prefix}[{k}]", path) for k, r in enumerate(raw_rings)])
    # the rings are now (k, 2) arrays of [lon, lat]: shapely builds the shape (closing open rings)
    built = shape({"type": kind, "coordinates": parts[0] if kind == "Polygon" else parts})
    for p, part in enumerate(shapely.get_parts(built)):
        _check_polygon(part, f"{where}.coordinates" + (f"[{p}]" if kind == "MultiPolygon" else ""), path)
    if not built.is_valid:  # valid parts that overlap, or share more than points
        raise InputError(
            f"{where}.coordinates: expected MultiPolygon parts that do not overlap or share an edge, "
            f"found {_reason(built)}",
            path=str(path),
        )
    return built


def _parse_features(path: Path, name_property: str, *, unique_names: bool) -> list[_Feature]:
    data = _read_json(path)
    if not isinstance(data, dict) or data.get("type") != "FeatureCollection":
        found = data.get("type") if isinstance(data, dict) else type(data).__name__
        raise InputError(f"type: expected a GeoJSON FeatureCollection, found {_describe(found)}", path=str(path))
    features = data.get("features")
    if not isinstance(features, list) or not features:
        raise InputError(
            f"features: expected a non-empty list of features, found {_describe(features)}",
            path=str(path),
        )
    seen: dict[str, int] = {}
    parsed: list[_Feature] = []
    for i, feature in enumerate(features):
        where = f"features[{i}]"
        props = feature.get("properties") if isinstance(feature, dict) else None
        name = props.get(name_property) if isinstance(props, dict) else None
        if not isinstance(name, str) or not name.strip():
            found = "no such property" if name is None else _describe(name)
            raise InputError(
                f"{where}.properties.{name_property}: expected a non-empty string, found {found}",
                path=str(path),
            )
        if unique_names and name in seen:
            raise InputError(
                f"{where}.properties.{name_property}: expected a unique name, found {name!r} "
                f"again (first at features[{seen[name]}])",
                path=str(path),
            )
        seen.setdefault(name, i)
        geometry = feature.get("geometry") if isinstance(feature, dict) else None
        parsed.append(_Feature(i, name, _parse_geometry(geometry, f"{where}.geometry", path), f"{where}.geometry"))
    return parsed


def _build_sector(feature: _Feature, projection: LocalProjection, path: Path) -> Sector:
    geometry_m = projection.project(feature.geometry)
    if not geometry_m.is_valid:  # only for shapes so thin that projecting moves an edge across another
        raise InputError(
            f"{feature.where}: expected a shape that stays valid in the local plane, found {_reason(geometry_m)} "
            "(metres from the origin)",
            path=str(path),
        )
    return Sector(name=feature.name, geometry=geometry_m, rings_deg=rings_of(feature.geometry))


def load_sectors(path: str | Path, projection: LocalProjection, *, name_property: str = "name") -> SectorMap:
    """Load sectors from a GeoJSON FeatureCollection of Polygon / MultiPolygon features at ``path``.

    Each feature's ``properties[name_property]`` names the sector; names must be unique.
    Polygons may have holes, and a MultiPolygon becomes one sector of several parts; each
    must be valid as shapely (GEOS) sees it. Bad input raises :class:`InputError` naming the
    file, the feature index and field, and the problem.
    """
    path = Path(path)
    features = _parse_features(path, name_property, unique_names=True)
    sectors = tuple(_build_sector(f, projection, path) for f in features)
    return SectorMap(sectors=sectors, projection=projection, source=str(path))


def load_outlines(path: str | Path, *, name_property: str = "name") -> list[tuple[str, list[FloatArray]]]:
    """Read background outlines: each feature's name and its closed (k, 2) (lon, lat) rings.

    All parts of a MultiPolygon are flattened into one list of rings; errors as in
    :func:`load_sectors`, except that names need not be unique.
    """
    features = _parse_features(Path(path), name_property, unique_names=False)
    return [(f.name, list(rings_of(f.geometry))) for f in features]
