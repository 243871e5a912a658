"""Sector geometry: a local metric projection, polygon sectors and the GeoJSON loader.

Positions in the simulator are metres east (``x_m``) and north (``y_m``) of a projection
origin. Sectors are the Syrian governorates read from GeoJSON (``[lon, lat]`` positions,
RFC 7946) and projected once at load time; every test after that is plain planar geometry.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

from sim.errors import InputError
from sim.scenario.triangulate import sample_in_triangles, triangle_points, triangulate

__all__ = [
    "EARTH_RADIUS_M",
    "LocalProjection",
    "Sector",
    "SectorMap",
    "default_outlines_path",
    "default_sectors_path",
    "haversine_m",
    "load_outlines",
    "load_sectors",
    "portable_path",
    "resolve_portable",
]

EARTH_RADIUS_M = 6_371_008.8
"""Mean Earth radius (IUGG), metres; used by the projection and by :func:`haversine_m`."""

FloatArray = NDArray[np.float64]

# Upper bound on points x edges evaluated at once by Sector.contains, to cap memory (~16 MB).
_CHUNK_CELLS = 2_000_000


def haversine_m(lat1: ArrayLike, lon1: ArrayLike, lat2: ArrayLike, lon2: ArrayLike) -> FloatArray:
    """Great-circle distance in metres between (lat1, lon1) and (lat2, lon2), degrees, broadcast."""
    p1, p2 = np.radians(lat1), np.radians(lat2)
    dp, dl = p2 - p1, np.radians(np.subtract(lon2, lon1))
    h = np.sin(dp / 2) ** 2 + np.cos(p1) * np.cos(p2) * np.sin(dl / 2) ** 2
    return np.asarray(2 * EARTH_RADIUS_M * np.arcsin(np.sqrt(np.clip(h, 0.0, 1.0))))


@dataclass(frozen=True)
class LocalProjection:
    """Oblique stereographic projection of the sphere about an origin: metres east (x), north (y).

    Stereographic is conformal: at every point the scale is the same in all directions,
    ``k = 2 / (1 + cos c)`` with ``c`` the angular distance from the origin, so a short
    distance (a 5 NM separation, a leg of a few minutes) keeps its length to within
    ``k - 1``: under 0.02 % within 200 km of the origin, 0.15 % at 500 km and 0.6 % at
    1,000 km (the whole of Syria lies within about 450 km of 35 N, 38 E). Long distances
    between far-apart points are off by about the same fraction. R is the mean Earth radius.
    """

    origin_lat_deg: float
    origin_lon_deg: float

    def __post_init__(self) -> None:
        if not (math.isfinite(self.origin_lat_deg) and abs(self.origin_lat_deg) < 89.0):
            raise ValueError(f"origin_lat_deg must be finite and within +-89, got {self.origin_lat_deg}")
        if not math.isfinite(self.origin_lon_deg):
            raise ValueError(f"origin_lon_deg must be finite, got {self.origin_lon_deg}")

    def to_xy(self, lat_deg: ArrayLike, lon_deg: ArrayLike) -> tuple[FloatArray, FloatArray]:
        """Project latitude and longitude (degrees, any broadcastable shapes) to metres (x, y)."""
        phi = np.radians(np.asarray(lat_deg, dtype=np.float64))
        dlam = np.radians(np.asarray(lon_deg, dtype=np.float64) - self.origin_lon_deg)
        phi0 = math.radians(self.origin_lat_deg)
        sin0, cos0 = math.sin(phi0), math.cos(phi0)
        cos_c = sin0 * np.sin(phi) + cos0 * np.cos(phi) * np.cos(dlam)
        k = 2.0 * EARTH_RADIUS_M / (1.0 + cos_c)
        x_m = k * np.cos(phi) * np.sin(dlam)
        y_m = k * (cos0 * np.sin(phi) - sin0 * np.cos(phi) * np.cos(dlam))
        return np.asarray(x_m, dtype=np.float64), np.asarray(y_m, dtype=np.float64)

    def to_latlon(self, x_m: ArrayLike, y_m: ArrayLike) -> tuple[FloatArray, FloatArray]:
        """Invert :meth:`to_xy`: metres (x, y) to latitude and longitude in degrees."""
        x = np.asarray(x_m, dtype=np.float64)
        y = np.asarray(y_m, dtype=np.float64)
        phi0 = math.radians(self.origin_lat_deg)
        sin0, cos0 = math.sin(phi0), math.cos(phi0)
        rho = np.hypot(x, y)
        c = 2.0 * np.arctan2(rho, 2.0 * EARTH_RADIUS_M)
        sin_c, cos_c = np.sin(c), np.cos(c)
        with np.errstate(invalid="ignore", divide="ignore"):
            ratio = np.where(rho > 0, y * sin_c * cos0 / np.where(rho > 0, rho, 1.0), 0.0)
        phi = np.arcsin(np.clip(cos_c * sin0 + ratio, -1.0, 1.0))
        lam = np.arctan2(x * sin_c, rho * cos0 * cos_c - y * sin0 * sin_c)
        lat = np.degrees(phi)
        lon = self.origin_lon_deg + np.degrees(lam)
        return np.asarray(lat, dtype=np.float64), np.asarray(lon, dtype=np.float64)


def _even_odd_inside(rings: tuple[FloatArray, ...], x: FloatArray, y: FloatArray) -> NDArray[np.bool_]:
    """Even-odd ray casting of 1-d points (x, y) against closed (k, 2) rings.

    A ray goes from each point towards +x; an edge (x1, y1)-(x2, y2) is crossed when it
    straddles the point's y half-open (``(y1 > y) != (y2 > y)``) and the crossing lies to the
    right of the point. The half-open rule makes points on a shared border count for exactly
    one side in most cases; any tie is settled by the caller.
    """
    inside = np.zeros(x.shape, dtype=bool)
    for ring in rings:
        x1, y1 = ring[:-1, 0], ring[:-1, 1]
        x2, y2 = ring[1:, 0], ring[1:, 1]
        step = max(1, _CHUNK_CELLS // max(1, len(x1)))
        for start in range(0, len(x), step):
            px = x[start : start + step, None]
            py = y[start : start + step, None]
            straddles = (y1 > py) != (y2 > py)
            # Non-straddling edges may divide by ~0 (inf/nan); they are masked out just below.
            with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
                x_cross = (x2 - x1) * (py - y1) / (y2 - y1) + x1
            crossings = np.count_nonzero(straddles & (px < x_cross), axis=1)
            inside[start : start + step] ^= (crossings % 2).astype(bool)
    return inside


def _shoelace(ring: FloatArray) -> tuple[float, float, float]:
    """Signed area (counter-clockwise positive) and centroid (cx, cy) of a closed ring."""
    x0, y0 = ring[0]
    x, y = ring[:, 0] - x0, ring[:, 1] - y0  # shift for precision with large coordinates
    cross = x[:-1] * y[1:] - x[1:] * y[:-1]
    area = 0.5 * float(cross.sum())
    if area == 0.0:
        return 0.0, float(x0), float(y0)
    cx = float(((x[:-1] + x[1:]) * cross).sum()) / (6.0 * area)
    cy = float(((y[:-1] + y[1:]) * cross).sum()) / (6.0 * area)
    return area, cx + float(x0), cy + float(y0)


@dataclass(frozen=True, eq=False)
class Sector:
    """A named polygon in local metres; ``rings_m[0]`` is the exterior, the others are holes.

    Each ring is a read-only ``(k, 2)`` float64 array and is **closed**: its last row repeats the
    first. ``rings_deg`` holds the same rings as ``(lon, lat)`` degrees, as in GeoJSON, for
    plotting. Membership uses the even-odd rule over all rings, so orientation does not matter;
    for a MultiPolygon, the rings of every part are listed one after another (each part's
    exterior then its holes), which is correct for parts that do not overlap.
    """

    name: str
    rings_m: tuple[FloatArray, ...]
    rings_deg: tuple[FloatArray, ...]
    bbox_m: tuple[float, float, float, float]
    area_m2: float
    centroid_m: tuple[float, float]

    def contains(self, x_m: ArrayLike, y_m: ArrayLike) -> NDArray[np.bool_]:
        """True where the point (x_m, y_m), metres, is inside; shape of the broadcast inputs."""
        x, y = np.broadcast_arrays(np.asarray(x_m, dtype=np.float64), np.asarray(y_m, dtype=np.float64))
        xf, yf = x.ravel(), y.ravel()
        xmin, ymin, xmax, ymax = self.bbox_m
        in_box = (xf >= xmin) & (xf <= xmax) & (yf >= ymin) & (yf <= ymax)
        result = np.zeros(xf.shape, dtype=bool)
        if in_box.any():
            result[in_box] = _even_odd_inside(self.rings_m, xf[in_box], yf[in_box])
        return result.reshape(x.shape)

    @cached_property
    def _triangles(self) -> tuple[FloatArray, FloatArray]:
        """Ear-clipping triangles (m, 3, 2) of every ring, and their cumulative areas (m,)."""
        tris = np.concatenate([triangulate(ring) for ring in self.rings_m])
        areas = 0.5 * np.abs(
            (tris[:, 1, 0] - tris[:, 0, 0]) * (tris[:, 2, 1] - tris[:, 0, 1])
            - (tris[:, 1, 1] - tris[:, 0, 1]) * (tris[:, 2, 0] - tris[:, 0, 0])
        )
        return tris, np.cumsum(areas)

    def points_from_uniforms(self, u: FloatArray) -> FloatArray:
        """Points (k, 2) inside the sector from uniforms ``u`` (n, 3) in [0, 1), k <= n.

        Each row picks a triangle by area and a point inside it, so the same uniforms give
        corresponding points in any sector (common random numbers across re-tasking). With
        holes or several parts, rows that land outside the sector (even-odd) are dropped.
        """
        tris, cum_area = self._triangles
        pts = triangle_points(tris, cum_area, u)
        if len(self.rings_m) > 1:
            pts = pts[self.contains(pts[:, 0], pts[:, 1])]
        return pts

    def sample_points(self, rng: np.random.Generator, n: int) -> FloatArray:
        """Draw ``n`` points uniformly inside the sector, as an ``(n, 2)`` array of (x_m, y_m).

        A triangle is chosen by area and a point drawn uniformly in it, so a sector of one
        ring needs no rejection. With several rings (holes, several parts) the triangles of
        every ring are sampled and points outside the sector (even-odd) rejected. The result
        depends only on ``n`` and the state of ``rng``.
        """
        if n < 0:
            raise ValueError(f"n must be >= 0, got {n}")
        if not self.area_m2 > 0:
            raise ValueError(f"sector {self.name!r} has no area to sample from")
        tris, cum_area = self._triangles
        if len(self.rings_m) == 1:
            return sample_in_triangles(tris, cum_area, rng, n)
        acceptance = self.area_m2 / float(cum_area[-1])
        accepted: list[FloatArray] = []
        have = 0
        while have < n:
            batch = max(16, math.ceil(1.25 * (n - have) / max(acceptance, 1e-3)))
            pts = sample_in_triangles(tris, cum_area, rng, batch)
            pts = pts[self.contains(pts[:, 0], pts[:, 1])]
            accepted.append(pts)
            have += len(pts)
        if not accepted:
            return np.empty((0, 2), dtype=np.float64)
        return np.concatenate(accepted)[:n]


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

        A point on a shared border goes to the first matching sector in file order. Enclaves
        are handled by the even-odd rule: a point in Damascus is not in Rif Dimashq's hole.
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
            hit = sector.contains(x[todo], y[todo])
            found[todo[hit]] = i
        return found


# --- GeoJSON reading -------------------------------------------------------------------------

_Feature = tuple[str, list[list[FloatArray]]]  # name, parts -> rings of (lon, lat)


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


def _parse_ring(raw: Any, where: str, path: Path) -> FloatArray:
    if not isinstance(raw, list):
        raise InputError(
            f"{where}: expected a list of [lon, lat] positions, found {_describe(raw)}",
            path=str(path),
        )
    for j, pos in enumerate(raw):
        ok = (
            isinstance(pos, list)
            and len(pos) >= 2
            and all(isinstance(v, int | float) and not isinstance(v, bool) for v in pos[:2])
            and all(math.isfinite(v) for v in pos[:2])
        )
        if not ok:
            raise InputError(
                f"{where}[{j}]: expected a [lon, lat] pair of finite numbers, found {_describe(pos)}",
                path=str(path),
            )
    ring = np.array([pos[:2] for pos in raw], dtype=np.float64).reshape(-1, 2)
    distinct = len(np.unique(ring, axis=0))
    if distinct < 3:
        raise InputError(
            f"{where}: expected a ring with at least 3 distinct positions, found {distinct}",
            path=str(path),
        )
    if not np.array_equal(ring[0], ring[-1]):
        ring = np.vstack([ring, ring[:1]])  # GeoJSON rings are closed; accept open ones too
    if _shoelace(ring)[0] == 0.0:
        raise InputError(
            f"{where}: expected a ring enclosing some area, found only collinear positions",
            path=str(path),
        )
    return ring


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
        kind = geometry.get("type") if isinstance(geometry, dict) else None
        coords = geometry.get("coordinates") if isinstance(geometry, dict) else None
        if kind not in ("Polygon", "MultiPolygon"):
            raise InputError(
                f"{where}.geometry.type: expected 'Polygon' or 'MultiPolygon', found {_describe(kind)}",
                path=str(path),
            )
        raw_parts = [coords] if kind == "Polygon" else coords
        if not isinstance(raw_parts, list) or not raw_parts:
            raise InputError(
                f"{where}.geometry.coordinates: expected a non-empty list, found {_describe(coords)}",
                path=str(path),
            )
        parts: list[list[FloatArray]] = []
        for p, raw_rings in enumerate(raw_parts):
            prefix = f"{where}.geometry.coordinates" + (f"[{p}]" if kind == "MultiPolygon" else "")
            if not isinstance(raw_rings, list) or not raw_rings:
                raise InputError(
                    f"{prefix}: expected a non-empty list of rings, found {_describe(raw_rings)}",
                    path=str(path),
                )
            parts.append([_parse_ring(r, f"{prefix}[{k}]", path) for k, r in enumerate(raw_rings)])
        parsed.append((name, parts))
    return parsed


def _build_sector(name: str, parts: list[list[FloatArray]], projection: LocalProjection) -> Sector:
    rings_deg: list[FloatArray] = []
    rings_m: list[FloatArray] = []
    area_m2 = sx = sy = 0.0
    for part in parts:
        for k, ring_deg in enumerate(part):
            x, y = projection.to_xy(ring_deg[:, 1], ring_deg[:, 0])
            ring_m = np.column_stack([x, y])
            area, cx, cy = _shoelace(ring_m)
            weight = abs(area) if k == 0 else -abs(area)  # exterior adds, holes subtract
            area_m2 += weight
            sx += weight * cx
            sy += weight * cy
            ring_deg.setflags(write=False)
            ring_m.setflags(write=False)
            rings_deg.append(ring_deg)
            rings_m.append(ring_m)
    exterior = np.vstack(rings_m)
    bbox = (
        float(exterior[:, 0].min()),
        float(exterior[:, 1].min()),
        float(exterior[:, 0].max()),
        float(exterior[:, 1].max()),
    )
    centroid = (sx / area_m2, sy / area_m2) if area_m2 > 0 else ((bbox[0] + bbox[2]) / 2, (bbox[1] + bbox[3]) / 2)
    return Sector(
        name=name,
        rings_m=tuple(rings_m),
        rings_deg=tuple(rings_deg),
        bbox_m=bbox,
        area_m2=area_m2,
        centroid_m=centroid,
    )


def load_sectors(path: str | Path, projection: LocalProjection, *, name_property: str = "name") -> SectorMap:
    """Load sectors from a GeoJSON FeatureCollection of Polygon / MultiPolygon features at ``path``.

    Each feature's ``properties[name_property]`` names the sector; names must be unique.
    A MultiPolygon becomes one sector whose rings are all parts' rings (even-odd rule), with
    the area summed over parts. Bad input raises :class:`InputError` naming the file and the
    feature index and field.
    """
    path = Path(path)
    features = _parse_features(path, name_property, unique_names=True)
    sectors = tuple(_build_sector(name, parts, projection) for name, parts in features)
    return SectorMap(sectors=sectors, projection=projection, source=str(path))


def load_outlines(path: str | Path, *, name_property: str = "name") -> list[tuple[str, list[FloatArray]]]:
    """Read background outlines: each feature's name and its closed (k, 2) (lon, lat) rings.

    All parts of a MultiPolygon are flattened into one list of rings; errors as in
    :func:`load_sectors`, except that names need not be unique.
    """
    features = _parse_features(Path(path), name_property, unique_names=False)
    return [(name, [ring for part in parts for ring in part]) for name, parts in features]


_DATA_DIR = Path(__file__).resolve().parent.parent.parent / "scenarios" / "data"


def portable_path(path: str | Path) -> str:
    """``path`` relative to the project folder when it lies inside it (so that manifests and
    committed results do not name one machine's folders), else absolute."""
    resolved = Path(path).resolve()
    root = _DATA_DIR.parent.parent
    try:
        return resolved.relative_to(root).as_posix()
    except ValueError:
        return str(resolved)


def resolve_portable(path: str) -> Path:
    """Undo :func:`portable_path`: a relative path is taken from the project folder."""
    p = Path(path)
    return p if p.is_absolute() else _DATA_DIR.parent.parent / p


def default_sectors_path() -> Path:
    """Path of the bundled governorate sectors, ``scenarios/data/syria_governorates.geojson``.

    Resolved relative to this file, which works because ``sim`` is installed in editable mode
    from the repository root (the data is not packaged inside ``sim``).
    """
    return _DATA_DIR / "syria_governorates.geojson"


def default_outlines_path() -> Path:
    """Path of the bundled background map, ``scenarios/data/region_countries.geojson``."""
    return _DATA_DIR / "region_countries.geojson"
