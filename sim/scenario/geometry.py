"""Sector geometry: a local metric projection, polygon sectors and the GeoJSON loader.

Positions in the simulator are metres east (``x_m``) and north (``y_m``) of a projection
origin. Sectors are the Syrian governorates read from GeoJSON (``[lon, lat]`` positions,
RFC 7946), checked and built as shapely polygons, and projected once at load time with
pyproj; every test after that is planar geometry on the projected polygons (GEOS).
"""

from __future__ import annotations

import atexit
import contextlib
import functools
import importlib.resources
import json
import math
import re
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any, TypeAlias

import numpy as np
import shapely
from numpy.typing import ArrayLike, NDArray
from pyproj import Geod, Transformer
from shapely.geometry import LinearRing, MultiPolygon, Polygon, shape
from shapely.validation import explain_validity

from sim.errors import InputError

__all__ = [
    "BUNDLED_PREFIX",
    "LocalProjection",
    "Sector",
    "SectorMap",
    "default_outlines_path",
    "default_sectors_path",
    "geodesic_m",
    "load_outlines",
    "load_sectors",
    "portable_path",
    "resolve_portable",
]

FloatArray = NDArray[np.float64]
Area: TypeAlias = Polygon | MultiPolygon  # shapely ships no type hints: both are Any to mypy

_GEOD = Geod(ellps="WGS84")


def geodesic_m(lat1: ArrayLike, lon1: ArrayLike, lat2: ArrayLike, lon2: ArrayLike) -> FloatArray:
    """Geodesic distance in metres on the WGS84 ellipsoid between (lat1, lon1) and (lat2, lon2),
    degrees, broadcast (``pyproj.Geod.inv``)."""
    arrays = np.broadcast_arrays(*(np.asarray(a, dtype=np.float64) for a in (lat1, lon1, lat2, lon2)))
    la1, lo1, la2, lo2 = (a.ravel() for a in arrays)
    _, _, dist = _GEOD.inv(lo1, la1, lo2, la2)
    return np.asarray(dist, dtype=np.float64).reshape(arrays[0].shape)


@functools.lru_cache(maxsize=16)
def _transformer_for(pipeline: str) -> Transformer:
    """One pyproj Transformer per PROJ pipeline (making one costs about half a millisecond;
    a sweep loads the scenario once per point). pyproj's Transformer is thread-safe."""
    return Transformer.from_pipeline(pipeline)


@dataclass(frozen=True)
class LocalProjection:
    """Oblique stereographic projection of the WGS84 ellipsoid about an origin: metres east (x), north (y).

    PROJ's ``sterea`` (the double stereographic of EPSG method 9809: the ellipsoid mapped
    conformally onto a sphere, then stereographic), scale 1 at the origin, through pyproj.
    It is conformal: at every point the scale is the same in all directions, so a short
    distance (a 5 NM separation, a leg of a few minutes) keeps its length in every direction
    to within the local scale error, which grows with the distance from the origin. Measured
    against WGS84 geodesics (``pyproj.Geod(ellps="WGS84").inv``) for a 5 NM (9,260 m) step in
    8 directions from points at 24 azimuths around the origin (35 N, 38 E):

    ==================  ===================  ==========================  =======================
    from the origin     sterea, 5 NM step    aeqd, 5 NM step             origin to point
    ==================  ===================  ==========================  =======================
    200 km              +0.024 to +0.026 %   0 to +0.016 % (by bearing)  sterea +0.008 %, aeqd 0
    500 km              +0.151 to +0.157 %   0 to +0.103 % (by bearing)  sterea +0.051 %, aeqd 0
    1,000 km            +0.612 to +0.625 %   0 to +0.412 % (by bearing)  sterea +0.206 %, aeqd 0
    ==================  ===================  ==========================  =======================

    The azimuthal equidistant (``aeqd``) keeps distances from the origin exact and has the
    smaller worst case, but its error depends on the bearing: radial steps are exact and
    steps across the radius are stretched, so the 5 NM separation disc becomes an ellipse
    (axis ratio 1.001 at 500 km). The stereographic stretches every direction alike (the
    spread over bearings at one point is under 0.006 % at 500 km, from the finite step),
    so the separation disc stays a disc, its radius off by the same 0.15 % in every
    direction at 500 km, and the simulator's previous spherical stereographic changes least. The whole of Syria lies within about
    450 km of 35 N, 38 E; distances between random points of the box lat 32.3..37.3,
    lon 35.7..42.4 that holds it are at most 0.144 % off the geodesic (40,000 pairs; the
    test bounds it by 0.15 %).

    The pyproj ``Transformer`` is made on first use and kept (one per origin in the process);
    it is not pickled (it is found or made again after unpickling), so objects holding a
    projection can go to worker processes.
    """

    origin_lat_deg: float
    origin_lon_deg: float

    def __post_init__(self) -> None:
        if not (math.isfinite(self.origin_lat_deg) and abs(self.origin_lat_deg) < 89.0):
            raise ValueError(f"origin_lat_deg must be finite and within +-89, got {self.origin_lat_deg}")
        if not math.isfinite(self.origin_lon_deg):
            raise ValueError(f"origin_lon_deg must be finite, got {self.origin_lon_deg}")

    @property
    def pipeline(self) -> str:
        """The PROJ pipeline: (lon, lat) degrees to (x, y) metres."""
        return (
            "+proj=pipeline +step +proj=unitconvert +xy_in=deg +xy_out=rad "
            f"+step +proj=sterea +lat_0={float(self.origin_lat_deg)!r} +lon_0={float(self.origin_lon_deg)!r} "
            "+k=1 +x_0=0 +y_0=0 +ellps=WGS84"
        )

    @cached_property
    def _transformer(self) -> Transformer:
        return _transformer_for(self.pipeline)

    def __getstate__(self) -> dict[str, float]:
        return {"origin_lat_deg": self.origin_lat_deg, "origin_lon_deg": self.origin_lon_deg}

    def __setstate__(self, state: dict[str, float]) -> None:
        self.__dict__.update(state)

    def to_xy(self, lat_deg: ArrayLike, lon_deg: ArrayLike) -> tuple[FloatArray, FloatArray]:
        """Project latitude and longitude (degrees, any broadcastable shapes) to metres (x, y)."""
        if np.ndim(lat_deg) == 0 and np.ndim(lon_deg) == 0:  # one point (a base): pyproj's scalar path
            xs, ys = self._transformer.transform(float(lon_deg), float(lat_deg))  # type: ignore[arg-type]
            return np.asarray(xs, dtype=np.float64), np.asarray(ys, dtype=np.float64)
        lat, lon = np.broadcast_arrays(np.asarray(lat_deg, dtype=np.float64), np.asarray(lon_deg, dtype=np.float64))
        x, y = self._transformer.transform(lon.ravel(), lat.ravel())
        return np.asarray(x, dtype=np.float64).reshape(lat.shape), np.asarray(y, dtype=np.float64).reshape(lat.shape)

    def to_latlon(self, x_m: ArrayLike, y_m: ArrayLike) -> tuple[FloatArray, FloatArray]:
        """Invert :meth:`to_xy`: metres (x, y) to latitude and longitude in degrees."""
        x, y = np.broadcast_arrays(np.asarray(x_m, dtype=np.float64), np.asarray(y_m, dtype=np.float64))
        lon, lat = self._transformer.transform(x.ravel(), y.ravel(), direction="INVERSE")
        return np.asarray(lat, dtype=np.float64).reshape(x.shape), np.asarray(lon, dtype=np.float64).reshape(x.shape)

    def project(self, geometry_deg: Area) -> Area:
        """A shapely geometry in (lon, lat) degrees as the same geometry in metres (x, y)."""

        def to_m(lonlat: FloatArray) -> FloatArray:
            x, y = self._transformer.transform(lonlat[:, 0], lonlat[:, 1])
            return np.column_stack([x, y])

        return shapely.transform(geometry_deg, to_m)


def _rings(geometry: Area) -> tuple[FloatArray, ...]:
    """Closed, read-only (k, 2) rings: each part's exterior, then its holes, part after part."""
    rings: list[FloatArray] = []
    for part in shapely.get_parts(geometry):
        for ring in (part.exterior, *part.interiors):
            coords = np.array(ring.coords, dtype=np.float64)[:, :2]
            coords.setflags(write=False)
            rings.append(coords)
    return tuple(rings)


def _triangle_points(triangles: FloatArray, cum_area: FloatArray, u: FloatArray) -> FloatArray:
    """Points (n, 2) from uniforms ``u`` (n, 3): column 0 picks a triangle by area, 1-2 place the point.

    A point ``(1 - sqrt(u1)) a + sqrt(u1) (1 - u2) b + sqrt(u1) u2 c`` is uniform in the
    triangle (a, b, c); picking the triangle with probability proportional to its area makes
    it uniform over all of them.
    """
    pick = np.searchsorted(cum_area, u[:, 0] * cum_area[-1], side="right")
    tri = triangles[np.minimum(pick, len(triangles) - 1)]
    r1 = np.sqrt(u[:, 1:2])
    r2 = u[:, 2:3]
    return np.asarray((1 - r1) * tri[:, 0] + r1 * (1 - r2) * tri[:, 1] + r1 * r2 * tri[:, 2], dtype=np.float64)


@dataclass(frozen=True, eq=False)
class Sector:
    """A named area in local metres: a shapely Polygon or MultiPolygon, holes allowed.

    ``geometry`` is the shape in metres (prepared for fast point tests); ``rings_m`` lists its
    rings as read-only, **closed** ``(k, 2)`` float64 arrays (the last row repeats the first):
    each part's exterior, then that part's holes, part after part. ``rings_deg`` holds the
    same rings as ``(lon, lat)`` degrees, as in GeoJSON, for plotting. ``bbox_m``,
    ``area_m2`` and ``centroid_m`` come from shapely.
    """

    name: str
    geometry: Area
    rings_deg: tuple[FloatArray, ...] = ()
    rings_m: tuple[FloatArray, ...] = field(init=False, repr=False)
    bbox_m: tuple[float, float, float, float] = field(init=False)
    area_m2: float = field(init=False)
    centroid_m: tuple[float, float] = field(init=False)

    def __post_init__(self) -> None:
        g = self.geometry
        if g.is_empty:
            bbox = (math.nan, math.nan, math.nan, math.nan)
            centroid = (math.nan, math.nan)
        else:
            xmin, ymin, xmax, ymax = (float(v) for v in g.bounds)
            bbox = (xmin, ymin, xmax, ymax)
            c = g.centroid
            centroid = (
                (float(c.x), float(c.y)) if not c.is_empty else ((bbox[0] + bbox[2]) / 2, (bbox[1] + bbox[3]) / 2)
            )
        object.__setattr__(self, "rings_m", _rings(g))
        object.__setattr__(self, "bbox_m", bbox)
        object.__setattr__(self, "area_m2", float(g.area))
        object.__setattr__(self, "centroid_m", centroid)
        shapely.prepare(g)

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update(state)
        shapely.prepare(self.geometry)  # preparation is not pickled

    def contains(self, x_m: ArrayLike, y_m: ArrayLike) -> NDArray[np.bool_]:
        """True where the point (x_m, y_m), metres, is inside or on the border; shape of the broadcast inputs."""
        x, y = np.broadcast_arrays(np.asarray(x_m, dtype=np.float64), np.asarray(y_m, dtype=np.float64))
        return np.asarray(shapely.intersects_xy(self.geometry, x, y), dtype=bool).reshape(x.shape)

    @cached_property
    def _triangles(self) -> tuple[FloatArray, FloatArray]:
        """Constrained Delaunay triangles (m, 3, 2) covering the sector, and their cumulative areas (m,)."""
        tris = shapely.get_parts(shapely.constrained_delaunay_triangles(self.geometry))
        corners = shapely.get_coordinates(shapely.get_exterior_ring(tris)).reshape(-1, 4, 2)[:, :3]
        areas = shapely.area(tris)
        keep = areas > 0
        return np.ascontiguousarray(corners[keep]), np.cumsum(areas[keep])

    def points_from_uniforms(self, u: FloatArray) -> FloatArray:
        """Points (n, 2) inside the sector from uniforms ``u`` (n, 3) in [0, 1): one point per row.

        Each row picks a triangle of the sector's triangulation by area (column 0) and a
        point inside it (columns 1-2), so the points are uniform over the sector, holes and
        several parts included, and the same uniforms give corresponding points in any
        sector (common random numbers across re-tasking).
        """
        if not self.area_m2 > 0:
            raise ValueError(f"sector {self.name!r} has no area to sample from")
        tris, cum_area = self._triangles
        return _triangle_points(tris, cum_area, u)

    def sample_points(self, rng: np.random.Generator, n: int) -> FloatArray:
        """Draw ``n`` points uniformly inside the sector, as an ``(n, 2)`` array of (x_m, y_m).

        The same as :meth:`points_from_uniforms` on ``rng.random((n, 3))``: the result depends
        only on ``n`` and the state of ``rng``.
        """
        if n < 0:
            raise ValueError(f"n must be >= 0, got {n}")
        return self.points_from_uniforms(rng.random((n, 3)))


@dataclass(frozen=True, eq=False)
class SectorMap:
    """The sectors of one scenario, in file order, with the projection they were built with."""

    sectors: tuple[Sector, ...]
    projection: LocalProjection
    source: str
    _index: dict[str, int] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_index", {s.name: i for i, s in enumerate(self.sectors)})

    @property
    def names(self) -> tuple[str, ...]:
        """Sector names in file order."""
        return tuple(s.name for s in self.sectors)

    def __len__(self) -> int:
        return len(self.sectors)

    def __getitem__(self, name: str) -> Sector:
        return self.sectors[self.index(name)]

    def __contains__(self, name: object) -> bool:
        return name in self._index

    def index(self, name: str) -> int:
        """Position of the sector called ``name``; KeyError listing the known names otherwise."""
        try:
            return self._index[name]
        except KeyError:
            known = ", ".join(self.names)
            raise KeyError(f"no sector named {name!r} in {self.source}; known: {known}") from None

    def locate(self, x_m: ArrayLike, y_m: ArrayLike) -> NDArray[np.int64]:
        """Index of the sector holding each point (metres, 1-d after flattening), -1 if none.

        A point on a shared border goes to the first matching sector in file order. Holes
        are holes: a point in Damascus is not in Rif Dimashq, whose hole Damascus fills.
        """
        x = np.asarray(x_m, dtype=np.float64).ravel()
        y = np.asarray(y_m, dtype=np.float64).ravel()
        if x.shape != y.shape:
            raise ValueError(f"x_m and y_m must have the same size, got {x.size} and {y.size}")
        found = np.full(x.shape, -1, dtype=np.int64)
        for i, sector in enumerate(self.sectors):
            todo = np.flatnonzero(found == -1)
            if todo.size == 0:
                break
            hit = shapely.intersects_xy(sector.geometry, x[todo], y[todo])
            found[todo[hit]] = i
        return found


# --- GeoJSON reading -------------------------------------------------------------------------
#
# The JSON structure is checked here, position by position, so that an error names the file,
# the feature and the field (``features[3].geometry.coordinates[0][5]``); shapely builds the
# geometry (``shapely.geometry.shape``) and says what makes a polygon invalid.


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
    return Sector(name=feature.name, geometry=geometry_m, rings_deg=_rings(feature.geometry))


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
    return [(f.name, list(_rings(f.geometry))) for f in features]


# --- the data shipped in the package, and paths recorded in manifests ------------------------

BUNDLED_PREFIX = "<bundled>/"
"""How a manifest names a data file shipped inside the package: ``<bundled>/syria_governorates.geojson``."""

_SECTORS_FILE = "syria_governorates.geojson"
_OUTLINES_FILE = "region_countries.geojson"
# Where manifests written before the data moved into the package named the same files.
_LEGACY = {f"scenarios/data/{name}": name for name in (_SECTORS_FILE, _OUTLINES_FILE)}
_extracted = contextlib.ExitStack()  # files extracted from a zipped install, removed at exit
atexit.register(_extracted.close)


@functools.cache
def _bundled_file(name: str) -> Path:
    """The file ``name`` of ``sim/scenario/data/`` as a real path (extracted if the package is zipped)."""
    resource = importlib.resources.files("sim.scenario") / "data" / name
    if isinstance(resource, Path):
        return resource
    return _extracted.enter_context(importlib.resources.as_file(resource))


def default_sectors_path() -> Path:
    """Path of the bundled governorate sectors, ``sim/scenario/data/syria_governorates.geojson``."""
    return _bundled_file(_SECTORS_FILE)


def default_outlines_path() -> Path:
    """Path of the bundled background map, ``sim/scenario/data/region_countries.geojson``."""
    return _bundled_file(_OUTLINES_FILE)


def portable_path(path: str | Path) -> str:
    """How a manifest records ``path``, so that results do not name one machine's folders.

    A data file shipped in the package becomes ``<bundled>/NAME``; any other path is taken
    relative to the current directory when it lies inside it, else absolute.
    """
    resolved = Path(path).resolve()
    if resolved.parent == default_sectors_path().resolve().parent:
        return BUNDLED_PREFIX + resolved.name
    try:
        return resolved.relative_to(Path.cwd().resolve()).as_posix()
    except ValueError:
        return str(resolved)


def resolve_portable(path: str) -> Path:
    """Undo :func:`portable_path`: ``<bundled>/NAME`` is the packaged file, a relative path is
    taken from the current directory. ``scenarios/data/syria_governorates.geojson`` and
    ``scenarios/data/region_countries.geojson``, as manifests named the data before it moved
    into the package, are the bundled files."""
    if path.startswith(BUNDLED_PREFIX):
        name = path[len(BUNDLED_PREFIX) :]
        if not name or "/" in name or "\\" in name or name.startswith("."):
            return Path(path)  # not a bundled file's name: the caller reports it
        try:
            return _bundled_file(name)
        except (FileNotFoundError, IsADirectoryError):
            return Path(path)  # no such bundled file: the caller reports it
    if path in _LEGACY:
        return _bundled_file(_LEGACY[path])
    p = Path(path)
    return p if p.is_absolute() else Path.cwd() / p
