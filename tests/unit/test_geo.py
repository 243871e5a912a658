"""Unit tests for sim.scenario.geometry: projection accuracy, governorate lookup, sampling, loader errors, data paths."""

from __future__ import annotations

import csv
import importlib.resources
import json
import math
import pickle
from pathlib import Path

import numpy as np
import pytest
import shapely
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from pyproj import Geod
from shapely.geometry import MultiPolygon, Polygon

from sim.errors import InputError
from sim.scenario.geometry import (
    BUNDLED_PREFIX,
    LocalProjection,
    Sector,
    default_outlines_path,
    default_sectors_path,
    geodesic_m,
    load_outlines,
    load_sectors,
    portable_path,
    resolve_portable,
)
from sim.scenario.models import load_scenario
from tests.conftest import BASELINE, REPO

PROJ = LocalProjection(origin_lat_deg=35.0, origin_lon_deg=38.0)
WGS84 = Geod(ellps="WGS84")
HMEIMIM = (35.4011, 35.9487)
IDLIB_CITY = (35.931, 36.634)
ALEPPO_CITY = (36.201, 37.161)
RAQQA_CITY = (35.953, 39.008)
DAMASCUS_CITY = (33.51, 36.29)
GOVERNORATES = {
    "Aleppo", "As-Suwayda", "Damascus", "Daraa", "Deir ez-Zor", "Hama", "Hasakah",
    "Homs", "Idlib", "Latakia", "Quneitra", "Raqqa", "Rif Dimashq", "Tartus",
}  # fmt: skip


@pytest.fixture(scope="module")
def sectors():
    return load_sectors(default_sectors_path(), PROJ)


def projected_km(a: tuple[float, float], b: tuple[float, float]) -> float:
    xa, ya = PROJ.to_xy(*a)
    xb, yb = PROJ.to_xy(*b)
    return float(np.hypot(xb - xa, yb - ya)) / 1000.0


def locate_names(sectors, points: list[tuple[float, float]]) -> list[str | None]:
    lat, lon = np.array(points).T
    idx = sectors.locate(*PROJ.to_xy(lat, lon))
    return [sectors.names[i] if i >= 0 else None for i in idx]


# --- projection ------------------------------------------------------------------------------


def test_projection_origin_maps_to_zero_and_scalars_give_0d_arrays():
    x, y = PROJ.to_xy(35.0, 38.0)
    assert isinstance(x, np.ndarray) and x.shape == () and x.dtype == np.float64
    assert float(x) == 0.0 and float(y) == 0.0


def test_projection_of_one_point_equals_the_array_path():
    rng = np.random.default_rng(11)
    lat, lon = rng.uniform(30.0, 40.0, 50), rng.uniform(33.0, 45.0, 50)
    x, y = PROJ.to_xy(lat, lon)
    for i in range(50):
        assert PROJ.to_xy(float(lat[i]), lon[i]) == (x[i], y[i])  # bit for bit


def test_projection_round_trip_on_arrays():
    rng = np.random.default_rng(7)
    lat = rng.uniform(32.0, 38.0, size=(50, 3))
    lon = rng.uniform(35.0, 43.0, size=(50, 3))
    x, y = PROJ.to_xy(lat, lon)
    assert x.shape == (50, 3)
    lat2, lon2 = PROJ.to_latlon(x, y)
    np.testing.assert_allclose(lat2, lat, rtol=0, atol=1e-10)
    np.testing.assert_allclose(lon2, lon, rtol=0, atol=1e-10)


def test_one_degree_north_is_the_meridian_arc():
    x, y = PROJ.to_xy(36.0, 38.0)
    assert abs(float(x)) < 1e-6  # the central meridian maps to x = 0
    # WGS84 meridian arc 35 N..36 N is 110,949.77 m; scale 1 at the origin, 1 + 2.5e-5 on average over the arc
    assert float(geodesic_m(35.0, 38.0, 36.0, 38.0)) == pytest.approx(110_949.77, abs=0.01)
    assert float(y) == pytest.approx(float(geodesic_m(35.0, 38.0, 36.0, 38.0)), rel=3e-5)


@pytest.mark.parametrize(("lat", "lon"), [(32.5, 35.8), (37.2, 42.2), (33.0, 41.0), (36.8, 36.0)])
@pytest.mark.parametrize("bearing_deg", [0.0, 45.0, 90.0, 135.0])
def test_short_distances_are_right_everywhere_in_syria(lat, lon, bearing_deg):
    """Conformal: a 9.26 km (5 NM) geodesic separation keeps its length in any direction, to 0.2 %."""
    lon2, lat2, _ = WGS84.fwd(lon, lat, bearing_deg, 9260.0)
    x1, y1 = PROJ.to_xy(lat, lon)
    x2, y2 = PROJ.to_xy(lat2, lon2)
    assert math.hypot(float(x2 - x1), float(y2 - y1)) == pytest.approx(9260.0, rel=2e-3)


@pytest.mark.parametrize(
    ("distance_km", "low", "high"), [(200, 2.3e-4, 2.7e-4), (500, 1.50e-3, 1.58e-3), (1000, 6.1e-3, 6.3e-3)]
)
def test_scale_error_as_documented(distance_km, low, high):
    """The LocalProjection docstring's table: a 5 NM step at 200 / 500 / 1,000 km, 8 bearings, 24 azimuths."""
    az = np.arange(0.0, 360.0, 15.0)
    lon, lat, _ = WGS84.fwd(np.full(24, 38.0), np.full(24, 35.0), az, np.full(24, distance_km * 1e3))
    x1, y1 = PROJ.to_xy(lat, lon)
    for bearing in np.arange(0.0, 180.0, 22.5):
        lon2, lat2, _ = WGS84.fwd(lon, lat, np.full(24, bearing), np.full(24, 9260.0))
        x2, y2 = PROJ.to_xy(lat2, lon2)
        error = np.hypot(x2 - x1, y2 - y1) / 9260.0 - 1
        assert np.all((error > low) & (error < high)), (bearing, error.min(), error.max())


def test_scale_is_the_same_in_every_direction():
    """At 450 km from the origin a 5 NM step is 0.12 % long, alike in all directions (conformal)."""
    lon, lat, _ = WGS84.fwd(38.0, 35.0, 60.0, 450e3)
    bearings = np.arange(0.0, 360.0, 30.0)
    lon2, lat2, _ = WGS84.fwd(np.full(12, lon), np.full(12, lat), bearings, np.full(12, 9260.0))
    x1, y1 = PROJ.to_xy(lat, lon)
    x2, y2 = PROJ.to_xy(lat2, lon2)
    scale = np.hypot(x2 - x1, y2 - y1) / 9260.0
    assert np.all((scale > 1.0011) & (scale < 1.0014))
    assert np.ptp(scale) < 1e-4


@pytest.mark.parametrize(
    ("a", "b", "expected_km"),
    [(HMEIMIM, IDLIB_CITY, 85.0), (HMEIMIM, ALEPPO_CITY, 141.0)],
    ids=["hmeimim-idlib", "hmeimim-aleppo"],
)
def test_projected_distance_within_one_percent_of_the_geodesic(a, b, expected_km):
    true_km = float(geodesic_m(a[0], a[1], b[0], b[1])) / 1000.0
    assert true_km == pytest.approx(expected_km, rel=0.01)
    assert projected_km(a, b) == pytest.approx(true_km, rel=0.01)


def test_projection_error_over_syria_stays_within_documented_bound():
    # The docstring: distances between points of the box holding Syria (origin 35 N, 38 E) are within
    # 0.15 % of the WGS84 geodesic (measured: at most 0.144 % over 20 x 2,000 pairs; 0.122 % for this seed).
    rng = np.random.default_rng(3)
    lat = rng.uniform(32.3, 37.3, size=(2, 2000))
    lon = rng.uniform(35.7, 42.4, size=(2, 2000))
    x, y = PROJ.to_xy(lat, lon)
    projected = np.hypot(x[1] - x[0], y[1] - y[0])
    true = geodesic_m(lat[0], lon[0], lat[1], lon[1])
    assert true.shape == (2000,)
    assert np.max(np.abs(projected / true - 1)) < 0.0015


def test_geodesic_quarter_meridian():
    # WGS84: equator to pole along a meridian is 10,001,965.729 m
    assert float(geodesic_m(0.0, 0.0, 90.0, 0.0)) == pytest.approx(10_001_965.729, abs=1e-3)
    assert geodesic_m([0.0, 0.0], 0.0, [[1.0], [2.0]], 0.0).shape == (2, 2)


def test_projection_pickles_and_compares_by_origin():
    used = LocalProjection(35.0, 38.0)
    x, y = used.to_xy(36.2, 37.2)  # makes the cached transformer
    again = pickle.loads(pickle.dumps(used))
    assert again == used and hash(again) == hash(used)
    assert "_transformer" not in again.__dict__  # not pickled: made again on first use
    assert again.to_xy(36.2, 37.2) == (x, y)
    with pytest.raises(AttributeError):
        used.origin_lat_deg = 1.0  # type: ignore[misc]


def test_loaded_scenario_pickles_with_its_geometry():
    loaded = load_scenario(BASELINE)
    u = np.random.default_rng(5).random((50, 3))
    rif = loaded.sectors["Rif Dimashq"]
    before = rif.points_from_uniforms(u)
    again = pickle.loads(pickle.dumps(loaded))
    np.testing.assert_array_equal(again.sectors["Rif Dimashq"].points_from_uniforms(u), before)
    np.testing.assert_array_equal(again.sectors.locate(before[:, 0], before[:, 1]), loaded.sectors.locate(*before.T))
    assert again.projection == loaded.projection
    assert again.projection.to_latlon(1e5, 1e5) == loaded.projection.to_latlon(1e5, 1e5)


# --- the governorates ------------------------------------------------------------------------


def test_fourteen_governorates_with_expected_names(sectors):
    assert len(sectors.sectors) == 14
    assert set(sectors.names) == GOVERNORATES
    assert sectors.source == str(default_sectors_path())
    assert "Idlib" in sectors and "Golan" not in sectors
    assert sectors["Idlib"] is sectors.sectors[sectors.index("Idlib")]


def test_unknown_sector_name_lists_known_names(sectors):
    with pytest.raises(KeyError, match="Rif Dimashq"):
        sectors["Golan"]


def test_total_area_matches_syria(sectors):
    total_km2 = sum(s.area_m2 for s in sectors.sectors) / 1e6
    assert total_km2 == pytest.approx(185_000, rel=0.03)


def test_governorates_tile_the_syria_outline(sectors):
    (rings,) = [r for name, r in load_outlines(default_outlines_path()) if name == "Syria"]
    outline = load_sectors(default_outlines_path(), PROJ)["Syria"]
    assert len(rings) == 1
    total = sum(s.area_m2 for s in sectors.sectors)
    assert total == pytest.approx(outline.area_m2, rel=1e-9)


def test_rif_dimashq_has_damascus_as_a_hole(sectors):
    rif = sectors["Rif Dimashq"]
    assert len(rif.rings_m) == 2
    exterior_area = abs(
        0.5 * np.sum(rif.rings_m[0][:-1, 0] * rif.rings_m[0][1:, 1]
                     - rif.rings_m[0][1:, 0] * rif.rings_m[0][:-1, 1])
    )  # fmt: skip
    assert rif.area_m2 == pytest.approx(exterior_area - sectors["Damascus"].area_m2, rel=1e-6)


def test_rings_are_closed_and_read_only(sectors):
    for sector in sectors.sectors:
        for ring in (*sector.rings_m, *sector.rings_deg):
            assert ring.shape[1] == 2 and np.array_equal(ring[0], ring[-1])
            assert not ring.flags.writeable
    assert sectors["Aleppo"].rings_deg[0][0].tolist() == [38.2348, 35.4359]


def test_air_bases_locate_in_expected_governorates(sectors):
    path = REPO / "scenarios" / "data" / "air_bases.csv"
    with path.open(encoding="utf-8", newline="") as f:
        rows = {row["id"]: (float(row["lat"]), float(row["lon"])) for row in csv.DictReader(f)}
    expected = {
        "hmeimim": "Latakia",
        "tartus_naval": "Tartus",
        "incirlik": None,
        "muwaffaq_salti": None,
        "al_udeid": None,
        "al_dhafra": None,
    }
    assert set(rows) == set(expected)
    assert dict(zip(rows, locate_names(sectors, list(rows.values())), strict=True)) == expected


def test_cities_locate_in_their_governorates(sectors):
    cities = [IDLIB_CITY, ALEPPO_CITY, RAQQA_CITY, DAMASCUS_CITY]
    assert locate_names(sectors, cities) == ["Idlib", "Aleppo", "Raqqa", "Damascus"]
    x, y = PROJ.to_xy(*DAMASCUS_CITY)
    rif = sectors["Rif Dimashq"]
    assert not rif.contains(x, y)
    # Without its hole, Rif Dimashq would claim Damascus: the hole is what keeps it out.
    exterior_only = Sector(rif.name, Polygon(rif.rings_m[0]))
    assert exterior_only.contains(x, y)


def test_natural_earth_label_points_locate_in_their_own_sector(sectors):
    features = json.loads(default_sectors_path().read_text(encoding="utf-8"))["features"]
    points = [(f["properties"]["label_lat"], f["properties"]["label_lon"]) for f in features]
    assert locate_names(sectors, points) == [f["properties"]["name"] for f in features]


def test_locate_outside_and_shapes(sectors):
    idx = sectors.locate(np.array([[1e7, -1e7]]), np.array([[0.0, 0.0]]))
    assert idx.dtype == np.int64 and idx.tolist() == [-1, -1]
    assert sectors.locate(np.empty(0), np.empty(0)).shape == (0,)


def test_sample_points_inside_and_deterministic(sectors):
    rif = sectors["Rif Dimashq"]
    pts = rif.sample_points(np.random.default_rng(42), 2000)
    assert pts.shape == (2000, 2) and pts.dtype == np.float64
    assert rif.contains(pts[:, 0], pts[:, 1]).all()
    assert not sectors["Damascus"].contains(pts[:, 0], pts[:, 1]).any()
    again = rif.sample_points(np.random.default_rng(42), 2000)
    np.testing.assert_array_equal(pts, again)
    other = rif.sample_points(np.random.default_rng(43), 2000)
    assert not np.array_equal(pts, other)
    assert rif.sample_points(np.random.default_rng(42), 0).shape == (0, 2)
    for flat in (Sector("flat", Polygon([(0, 0), (1, 1), (2, 2)])), Sector("empty", Polygon())):
        assert flat.area_m2 == 0.0
        with pytest.raises(ValueError, match="no area"):
            flat.sample_points(np.random.default_rng(42), 1)


def test_points_from_uniforms_gives_one_point_per_row_with_holes_and_parts():
    # A square with a square hole, and a second square part: every row maps to a point inside.
    outer = [(0, 0), (10, 0), (10, 10), (0, 10), (0, 0)]
    hole = [(2, 2), (2, 8), (8, 8), (8, 2), (2, 2)]
    far = [(20, 0), (30, 0), (30, 10), (20, 10), (20, 0)]
    sector = Sector("ring-and-box", MultiPolygon([Polygon(outer, [hole]), Polygon(far)]))
    assert sector.area_m2 == pytest.approx(64.0 + 100.0)
    u = np.random.default_rng(1).random((20_000, 3))
    pts = sector.points_from_uniforms(u)
    assert pts.shape == (20_000, 2)
    assert sector.contains(pts[:, 0], pts[:, 1]).all()
    in_hole = (pts[:, 0] > 2) & (pts[:, 0] < 8) & (pts[:, 1] > 2) & (pts[:, 1] < 8)
    assert not in_hole.any()
    # uniform by area: the plain square holds 100 / 164 of the points
    assert np.mean(pts[:, 0] > 15) == pytest.approx(100 / 164, abs=0.01)
    np.testing.assert_array_equal(sector.points_from_uniforms(u[:7]), pts[:7])  # row by row
    tris, cum_area = sector._triangles
    assert tris.shape[1:] == (3, 2) and cum_area[-1] == pytest.approx(sector.area_m2)


def test_sample_points_are_uniform_by_area(sectors):
    # Points drawn in the whole Syria outline should split between governorates by area.
    outline = load_sectors(default_outlines_path(), PROJ)["Syria"]
    pts = outline.sample_points(np.random.default_rng(0), 20_000)
    counts = np.bincount(sectors.locate(pts[:, 0], pts[:, 1]), minlength=14)
    share = np.array([s.area_m2 for s in sectors.sectors]) / outline.area_m2
    np.testing.assert_allclose(counts / 20_000, share, atol=0.01)


# --- polygons against a reference ------------------------------------------------------------


def reference_inside(rings: list[list[tuple[float, float]]], px: float, py: float) -> bool:
    """Plain per-point even-odd ray casting (PNPOLY) over closed rings."""
    inside = False
    for ring in rings:
        for (x1, y1), (x2, y2) in zip(ring[:-1], ring[1:], strict=True):
            if (y1 > py) != (y2 > py) and px < (x2 - x1) * (py - y1) / (y2 - y1) + x1:
                inside = not inside
    return inside


def make_sector(rings: list[list[tuple[float, float]]]) -> Sector:
    return Sector("test", Polygon(rings[0], rings[1:]))


@st.composite
def star_polygons(draw):
    """A star-shaped ring about a random centre, optionally with a scaled copy as a hole."""
    k = draw(st.integers(3, 12))
    cx = draw(st.floats(-1e5, 1e5))
    cy = draw(st.floats(-1e5, 1e5))
    radii = draw(st.lists(st.floats(1.0, 1e4), min_size=k, max_size=k))
    # angles on a half-degree grid: no two vertices so close that plain ray casting loses precision
    steps = draw(st.lists(st.integers(0, 719), min_size=k, max_size=k, unique=True))
    angles = np.sort(steps) * (2 * math.pi / 720)
    ring = [(cx + r * math.cos(a), cy + r * math.sin(a)) for r, a in zip(radii, angles, strict=True)]
    ring.append(ring[0])
    rings = [ring]
    if draw(st.booleans()):
        rings.append([(cx + 0.4 * (x - cx), cy + 0.4 * (y - cy)) for x, y in ring])
    return rings


@settings(max_examples=150, deadline=None)
@given(rings=star_polygons(), data=st.data())
def test_contains_matches_reference_ray_casting(rings, data):
    sector = make_sector(rings)
    assume(sector.geometry.is_valid)  # the loader refuses invalid polygons
    xy = np.vstack(rings)
    lo, hi = xy.min(axis=0) - 10, xy.max(axis=0) + 10
    n = 60
    px = np.array(data.draw(st.lists(st.floats(lo[0], hi[0]), min_size=n, max_size=n)))
    py = np.array(data.draw(st.lists(st.floats(lo[1], hi[1]), min_size=n, max_size=n)))
    # Off the border, the even-odd rule decides; a point on the border (a vertex) is inside.
    off = shapely.distance(shapely.points(px, py), sector.geometry.boundary) > 1e-6
    got = sector.contains(px, py)
    expected = [reference_inside(rings, float(x), float(y)) for x, y in zip(px, py, strict=True)]
    assert got[off].tolist() == np.array(expected)[off].tolist()
    assert sector.contains(xy[:, 0], xy[:, 1]).all()


def test_contains_on_a_square_with_a_hole():
    square = [(0, 0), (10, 0), (10, 10), (0, 10), (0, 0)]
    hole = [(4, 4), (4, 6), (6, 6), (6, 4), (4, 4)]
    sector = make_sector([square, hole])
    got = sector.contains([1, 5, 9, 11, -1, 5], [1, 5, 9, 5, 5, 20])
    assert got.tolist() == [True, False, True, False, False, False]
    # the borders, outer and inner, belong to the sector
    assert sector.contains([0, 10, 4, 5], [5, 10, 5, 6]).tolist() == [True, True, True, True]
    assert sector.contains(np.full((2, 3), 1.0), 1.0).shape == (2, 3)


# --- loading synthetic files -----------------------------------------------------------------


def square_lonlat(lon: float, lat: float, size: float = 0.1) -> list[list[float]]:
    return [[lon, lat], [lon + size, lat], [lon + size, lat + size], [lon, lat + size], [lon, lat]]


def feature(name, geometry_type="Polygon", coordinates=None, **props):
    coords = coordinates if coordinates is not None else [square_lonlat(38.0, 35.0)]
    props = {"name": name, **props} if name is not None else props
    return {
        "type": "Feature",
        "properties": props,
        "geometry": {"type": geometry_type, "coordinates": coords},
    }


def write_collection(tmp_path: Path, features, name="sectors.geojson") -> Path:
    path = tmp_path / name
    path.write_text(json.dumps({"type": "FeatureCollection", "features": features}), "utf-8")
    return path


def test_overlapping_sectors_resolve_to_first_in_file_order(tmp_path):
    a = feature("A", coordinates=[square_lonlat(38.0, 35.0, 0.2)])
    b = feature("B", coordinates=[square_lonlat(38.1, 35.0, 0.2)])
    x, y = PROJ.to_xy([35.05, 35.05, 35.05], [38.05, 38.15, 38.25])
    ab = load_sectors(write_collection(tmp_path, [a, b], "ab.geojson"), PROJ)
    ba = load_sectors(write_collection(tmp_path, [b, a], "ba.geojson"), PROJ)
    assert ab.locate(x, y).tolist() == [0, 0, 1]
    assert ba.locate(x, y).tolist() == [1, 0, 0]


def test_multipolygon_and_open_rings(tmp_path):
    part1 = [square_lonlat(38.0, 35.0)]
    part2 = [square_lonlat(38.5, 35.0)[:-1]]  # open ring: closed on load
    path = write_collection(tmp_path, [feature("M", "MultiPolygon", [part1, part2])])
    sector = load_sectors(path, PROJ)["M"]
    single = load_sectors(write_collection(tmp_path, [feature("S")], "s.geojson"), PROJ)["S"]
    assert len(sector.rings_m) == 2 and np.array_equal(sector.rings_m[1][0], sector.rings_m[1][-1])
    assert sector.area_m2 == pytest.approx(2 * single.area_m2, rel=1e-4)  # parts lie at slightly different scales
    x, y = PROJ.to_xy([35.05, 35.05, 35.05], [38.05, 38.55, 38.3])
    assert sector.contains(x, y).tolist() == [True, True, False]
    assert sector.centroid_m[0] == pytest.approx(float(PROJ.to_xy(35.05, 38.3)[0]), abs=50.0)


def test_custom_name_property(tmp_path):
    path = write_collection(tmp_path, [feature("ignored", code="SY-X")])
    assert load_sectors(path, PROJ, name_property="code").names == ("SY-X",)


def test_load_outlines_region_countries():
    outlines = dict(load_outlines(default_outlines_path()))
    assert len(outlines) == 17 and {"Syria", "Turkey", "Golan Heights"} <= set(outlines)
    assert len(outlines["Cyprus"]) > 1  # a MultiPolygon, flattened
    assert all(r.shape[1] == 2 and np.array_equal(r[0], r[-1]) for r in outlines["Turkey"])


BOW_TIE = [[38.2, 35.2], [38.4, 35.4], [38.4, 35.2], [38.2, 35.4], [38.2, 35.2]]
ERROR_CASES = {
    "not_json": ('{"type": "FeatureCollection",\n  "features": [,]}', "line 2, column"),
    "not_a_collection": (json.dumps({"type": "Feature"}), "FeatureCollection"),
    "no_features": (json.dumps({"type": "FeatureCollection", "features": []}), "features"),
    "missing_name": ([feature(None)], "features[0].properties.name"),
    "duplicate_name": ([feature("A"), feature("B"), feature("A")], "features[2].properties.name"),
    "point_geometry": ([feature("A", "Point", [38.0, 35.0])], "features[0].geometry.type"),
    "degenerate_ring": (
        [feature("A", coordinates=[[[38, 35], [38.1, 35], [38, 35], [38.1, 35]]])],
        "features[0].geometry.coordinates[0]: expected a ring with at least 3 distinct",
    ),
    "empty_ring": (
        [feature("A", coordinates=[[]])],
        "features[0].geometry.coordinates[0]: expected a ring with at least 3 distinct positions, found 0",
    ),
    "infinite_coordinate": (
        [feature("A", coordinates=[[[38, 35], [38.1, 35], [1e400, 36], [38, 35]]])],
        "features[0].geometry.coordinates[0][2]: expected a [lon, lat] pair of finite numbers, found [inf, 36]",
    ),
    "collinear_ring": (
        [feature("A", coordinates=[[[38, 35], [38.1, 35.1], [38.2, 35.2], [38, 35]]])],
        "features[0].geometry.coordinates[0]: expected a ring enclosing some area",
    ),
    "non_numeric": (
        [feature("A", coordinates=[[[38, 35], ["38.1", 35], [38, 36], [38, 35]]])],
        "features[0].geometry.coordinates[0][1]",
    ),
    "boolean_coordinate": (
        [feature("A"), feature("B", coordinates=[[[38, 35], [38.1, True], [38, 36], [38, 35]]])],
        "features[1].geometry.coordinates[0][1]",
    ),
    "bad_multipolygon_part": (
        [feature("A", "MultiPolygon", [[square_lonlat(38, 35)], [[[38, 35], [38, "x"]]]])],
        "features[0].geometry.coordinates[1][0][1]",
    ),
    "self_crossing_ring": (
        [feature("A", coordinates=[[[38, 35], [38.1, 35.1], [38.1, 35], [38, 35.1], [38, 35]]])],
        "features[0].geometry.coordinates[0]: expected a ring that does not cross or touch itself, "
        "found self-intersection at lon 38.05, lat 35.05",
    ),
    "hole_outside_shell": (
        [feature("B"), feature("A", coordinates=[square_lonlat(38, 35), square_lonlat(39, 35)[::-1]])],
        "features[1].geometry.coordinates: expected a valid polygon, found hole lies outside shell at lon 39",
    ),
    "self_crossing_hole": (
        [feature("A", "MultiPolygon", [[square_lonlat(36, 35)], [square_lonlat(38, 35, 1.0), BOW_TIE]])],
        "features[0].geometry.coordinates[1][1]: expected a ring that does not cross or touch itself",
    ),
    "overlapping_parts": (
        [feature("A", "MultiPolygon", [[square_lonlat(38, 35, 0.2)], [square_lonlat(38.1, 35, 0.2)]])],
        "features[0].geometry.coordinates: expected MultiPolygon parts that do not overlap or share an edge, "
        "found self-intersection at lon 38.",
    ),
}


@pytest.mark.parametrize("case", sorted(ERROR_CASES))
def test_bad_files_raise_input_error_naming_file_and_field(tmp_path, case):
    content, fragment = ERROR_CASES[case]
    path = tmp_path / f"{case}.geojson"
    if isinstance(content, str):
        path.write_text(content, encoding="utf-8")
    else:
        write_collection(tmp_path, content, path.name)
    with pytest.raises(InputError) as info:
        load_sectors(path, PROJ)
    message = str(info.value)
    assert f"{case}.geojson" in message and fragment in message
    assert "expected" in message
    if case != "duplicate_name":
        with pytest.raises(InputError, match=case):
            load_outlines(path)


def test_missing_file_raises_input_error(tmp_path):
    path = tmp_path / "nowhere.geojson"
    with pytest.raises(InputError, match="nowhere.geojson.*no such file"):
        load_sectors(path, PROJ)
    with pytest.raises(InputError, match="nowhere.geojson"):
        load_outlines(path)


def test_all_lists_the_public_api():
    import inspect

    import sim.scenario.geometry

    defined_here = {
        name
        for name, obj in vars(sim.scenario.geometry).items()
        if not name.startswith("_")
        and (inspect.isfunction(obj) or inspect.isclass(obj))
        and obj.__module__ == "sim.scenario.geometry"
    }
    assert set(sim.scenario.geometry.__all__) == defined_here | {"BUNDLED_PREFIX"}


def test_projection_rejects_polar_origin():
    with pytest.raises(ValueError, match="origin_lat_deg"):
        LocalProjection(90.0, 0.0)


def test_projection_accepts_empty_and_nested_arrays():
    x, y = PROJ.to_xy(np.empty((0, 3)), np.empty((0, 3)))
    assert x.shape == y.shape == (0, 3)
    lat, lon = PROJ.to_latlon(np.zeros((2, 1)), [0.0, 1000.0])
    assert lat.shape == (2, 2) and float(lat[0, 0]) == pytest.approx(35.0, abs=1e-12)


# --- the bundled data and the paths recorded in manifests -------------------------------------


def test_default_data_ships_inside_the_package():
    data = importlib.resources.files("sim.scenario") / "data"
    for name in ("syria_governorates.geojson", "region_countries.geojson", "README.md"):
        assert (data / name).is_file(), name
    assert default_sectors_path().parent.parts[-3:] == ("sim", "scenario", "data")
    assert default_outlines_path().name == "region_countries.geojson"
    pyproject = (REPO / "pyproject.toml").read_text(encoding="utf-8")
    assert '"sim.scenario" = ["data/*.geojson", "data/README.md"]' in pyproject


def test_portable_paths_name_bundled_data_by_a_token(tmp_path, monkeypatch):
    token = BUNDLED_PREFIX + "syria_governorates.geojson"
    assert token == "<bundled>/syria_governorates.geojson"
    assert portable_path(default_sectors_path()) == token
    assert portable_path(str(default_outlines_path())) == "<bundled>/region_countries.geojson"
    assert resolve_portable(token) == default_sectors_path()
    # manifests written before the data moved into the package
    assert resolve_portable("scenarios/data/syria_governorates.geojson") == default_sectors_path()
    assert resolve_portable("scenarios/data/region_countries.geojson") == default_outlines_path()
    assert not resolve_portable("<bundled>/nothing.geojson").is_file()
    assert not resolve_portable("<bundled>/../geometry.py").is_file()


def test_portable_paths_are_relative_to_the_current_directory(tmp_path, monkeypatch):
    inside = tmp_path / "work" / "sectors.geojson"
    inside.parent.mkdir()
    inside.write_text("{}", encoding="utf-8")
    outside = tmp_path / "elsewhere.geojson"
    monkeypatch.chdir(tmp_path / "work")
    assert portable_path(inside) == "sectors.geojson"
    assert resolve_portable("sectors.geojson").resolve() == inside.resolve()
    assert portable_path(outside) == str(outside.resolve())
    assert resolve_portable(str(outside.resolve())) == outside.resolve()
