"""The local plane: an oblique stereographic projection about the scenario's origin, and geodesics.

Positions in the simulator are metres east (``x_m``) and north (``y_m``) of the origin;
``LocalProjection`` maps latitude and longitude there and back (pyproj, WGS84), and
``geodesic_m`` gives true distances on the ellipsoid for checks and map labels.
"""

from __future__ import annotations

import functools
import math
from dataclasses import dataclass
from functools import cached_property
from typing import TypeAlias

import numpy as np
import shapely
from numpy.typing import ArrayLike, NDArray
from pyproj import Geod, Transformer
from shapely.geometry import MultiPolygon, Polygon

__all__ = ["Area", "FloatArray", "LocalProjection", "geodesic_m"]

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
    direction at 500 km, and the simulator's previous spherical stereographic changes
    least. The whole of Syria lies within about 450 km of 35 N, 38 E; distances between random points of the box lat 32.3..37.3,
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
