"""Sectors: named polygons in the local plane, point tests and uniform points inside them.

A ``Sector`` wraps a shapely Polygon or MultiPolygon in metres (holes allowed); a
``SectorMap`` is a scenario's sectors in file order with the projection they were built
with. Points inside a sector come from uniforms through its constrained Delaunay
triangulation, so the same uniforms give corresponding points in any sector.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

import numpy as np
import shapely
from numpy.typing import ArrayLike, NDArray

from sim.scenario.projection import Area, FloatArray, LocalProjection

__all__ = ["Sector", "SectorMap", "circle_area", "rings_of", "sectors_under"]


def rings_of(geometry: Area) -> tuple[FloatArray, ...]:
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
        object.__setattr__(self, "rings_m", rings_of(g))
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


def sectors_under(sectors: tuple[Sector, ...], area: Sector) -> list[Sector]:
    """The sectors that hold a positive share (above 1e-9) of ``area``, in their order."""
    return [s for s in sectors if shapely.intersection(s.geometry, area.geometry).area > 1e-9 * area.area_m2]


@dataclass(frozen=True, eq=False)
class SectorMap:
    """The sectors of one scenario, in file order, with the projection they were built with.

    ``areas`` are the scenario's work areas: named regions smaller than a sector, inside
    one or across several (a drone orbit, a target area). A *region* is a sector or an
    area: ``map[name]`` and ``name in map`` take either; ``names``, ``len`` and ``locate``
    are about sectors only (where an encounter happens). ``cover(region)`` is the region a
    notice of sector content names for it, ``overlap(a, b)`` whether two regions share
    any area.
    """

    sectors: tuple[Sector, ...]
    projection: LocalProjection
    source: str
    areas: tuple[Sector, ...] = ()
    _index: dict[str, int] = field(init=False, repr=False)
    _regions: dict[str, Sector] = field(init=False, repr=False)
    _covers: dict[str, str] = field(init=False, repr=False)
    _overlaps: dict[tuple[str, str], bool] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_index", {s.name: i for i, s in enumerate(self.sectors)})
        regions = {s.name: s for s in self.sectors}
        clash = [a.name for a in self.areas if a.name in regions]
        if clash:
            raise ValueError(f"work areas named like sectors: {', '.join(clash)}")
        regions |= {a.name: a for a in self.areas}
        covers: dict[str, str] = {}
        for a in self.areas:
            # the sectors the area lies in (a positive share of its area), in file order
            inside = sectors_under(self.sectors, a)
            if not inside:
                raise ValueError(f"work area {a.name!r} lies outside every sector")
            if len(inside) == 1:
                covers[a.name] = inside[0].name
                continue
            name = "+".join(s.name for s in inside)
            if name not in regions:
                union = shapely.union_all([s.geometry for s in inside])
                rings = tuple(r for s in inside for r in s.rings_deg)
                regions[name] = Sector(name=name, geometry=union, rings_deg=rings)
            covers[a.name] = name
        object.__setattr__(self, "_regions", regions)
        object.__setattr__(self, "_covers", covers)
        object.__setattr__(self, "_overlaps", {})

    def cover(self, region: str) -> str:
        """The region a notice that gives sectors names for ``region``: a sector is itself; a
        work area is the sector it lies in, or the union of the sectors it crosses (named
        ``"Hama+Idlib"``, in file order)."""
        return self._covers.get(region, region)

    def overlap(self, a: str, b: str) -> bool:
        """Whether regions ``a`` and ``b`` share a positive area. Two sectors overlap only when
        they are the same sector (neighbours share a border, not an area)."""
        if a == b:
            return True
        if a in self._index and b in self._index:
            return False
        key = (a, b) if a < b else (b, a)
        found = self._overlaps.get(key)
        if found is None:
            ga, gb = self[a].geometry, self[b].geometry
            found = bool(shapely.intersection(ga, gb).area > 1e-9 * min(self[a].area_m2, self[b].area_m2))
            self._overlaps[key] = found
        return found

    @property
    def names(self) -> tuple[str, ...]:
        """Sector names in file order."""
        return tuple(s.name for s in self.sectors)

    def __len__(self) -> int:
        return len(self.sectors)

    def __getitem__(self, name: str) -> Sector:
        """The sector or work area called ``name`` (KeyError listing the known names otherwise)."""
        region = self._regions.get(name)
        return region if region is not None else self.sectors[self.index(name)]

    def __contains__(self, name: object) -> bool:
        """Whether ``name`` is a sector or a work area (not a union named by ``cover``)."""
        return name in self._index or any(a.name == name for a in self.areas)

    @property
    def area_names(self) -> tuple[str, ...]:
        """Work-area names in scenario order."""
        return tuple(a.name for a in self.areas)

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


def circle_area(name: str, lat_deg: float, lon_deg: float, radius_m: float, projection: LocalProjection) -> Sector:
    """A circular work area of ``radius_m`` around (``lat_deg``, ``lon_deg``) in the local plane
    (a 64-gon; its area is within 0.2 % of pi r**2), with its ring in degrees for maps."""
    x, y = projection.to_xy(lat_deg, lon_deg)
    disc = shapely.Point(float(x), float(y)).buffer(radius_m, quad_segs=16)
    ring = np.asarray(disc.exterior.coords, dtype=np.float64)
    lat, lon = projection.to_latlon(ring[:, 0], ring[:, 1])
    ring_deg = np.column_stack([lon, lat])
    ring_deg.setflags(write=False)
    return Sector(name=name, geometry=disc, rings_deg=(ring_deg,))
