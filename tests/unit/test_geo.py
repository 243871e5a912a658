"""Unit tests for sim.scenario.geometry: projection accuracy, governorate lookup, loader errors."""

from __future__ import annotations

import csv
import json
import math
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sim.errors import InputError
from sim.scenario.geometry import (
    LocalProjection,
    Sector,
    default_outlines_path,
    default_sectors_path,
    haversine_m,
    load_outlines,
    load_sectors,
)

PROJ = LocalProjection(origin_lat_deg=35.0, origin_lon_deg=38.0)
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
    _, y = PROJ.to_xy(36.0, 38.0)
    # stereographic: 2 R tan(c / 2) for an arc of c radians along the central meridian
    assert float(y) == pytest.approx(2 * 6_371_008.8 * math.tan(math.radians(0.5)), abs=0.01)
    assert float(y) == pytest.approx(111_195.08, rel=1e-4)  # R * pi / 180: the scale is ~1 near the origin


@pytest.mark.parametrize(("lat", "lon"), [(32.5, 35.8), (37.2, 42.2), (33.0, 41.0), (36.8, 36.0)])
@pytest.mark.parametrize("bearing_deg", [0.0, 45.0, 90.0, 135.0])
def test_short_distances_are_right_everywhere_in_syria(lat, lon, bearing_deg):
    """Conformal: a 9.26 km (5 NM) separation keeps its length in any direction, to 0.2 %."""
    d = 9260.0 / 6_371_008.8
    b = math.radians(bearing_deg)
    p1 = math.radians(lat)
    p2 = math.asin(math.sin(p1) * math.cos(d) + math.cos(p1) * math.sin(d) * math.cos(b))
    l2 = lon + math.degrees(
        math.atan2(math.sin(b) * math.sin(d) * math.cos(p1), math.cos(d) - math.sin(p1) * math.sin(p2))
    )
    x1, y1 = PROJ.to_xy(lat, lon)
    x2, y2 = PROJ.to_xy(math.degrees(p2), l2)
    assert math.hypot(float(x2 - x1), float(y2 - y1)) == pytest.approx(9260.0, rel=2e-3)


@pytest.mark.parametrize(
    ("a", "b", "expected_km"),
    [(HMEIMIM, IDLIB_CITY, 85.0), (HMEIMIM, ALEPPO_CITY, 141.0)],
    ids=["hmeimim-idlib", "hmeimim-aleppo"],
)
def test_projected_distance_within_one_percent_of_great_circle(a, b, expected_km):
    true_km = float(haversine_m(a[0], a[1], b[0], b[1])) / 1000.0
    assert true_km == pytest.approx(expected_km, rel=0.01)
    assert projected_km(a, b) == pytest.approx(true_km, rel=0.01)


def test_projection_error_over_syria_stays_within_documented_bound():
    # The docstring states k - 1 under 0.15 % within 500 km: distances over Syria (origin 35 N, 38 E).
    rng = np.random.default_rng(3)
    lat = rng.uniform(32.3, 37.3, size=(2, 2000))
    lon = rng.uniform(35.7, 42.4, size=(2, 2000))
    x, y = PROJ.to_xy(lat, lon)
    projected = np.hypot(x[1] - x[0], y[1] - y[0])
    true = haversine_m(lat[0], lon[0], lat[1], lon[1])
    assert np.max(np.abs(projected / true - 1)) < 0.002


def test_haversine_quarter_meridian():
    assert float(haversine_m(0.0, 0.0, 90.0, 0.0)) == pytest.approx(math.pi / 2 * 6_371_008.8)


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
    path = Path(default_sectors_path()).parent / "air_bases.csv"
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
    exterior_only = Sector(rif.name, rif.rings_m[:1], rif.rings_deg[:1], rif.bbox_m, 0.0, (0, 0))
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
    flat = Sector("flat", rif.rings_m, rif.rings_deg, rif.bbox_m, 0.0, (0.0, 0.0))
    with pytest.raises(ValueError, match="no area"):
        flat.sample_points(np.random.default_rng(42), 1)


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
    arrays = tuple(np.array(r, dtype=np.float64) for r in rings)
    xy = np.vstack(arrays)
    bbox = (xy[:, 0].min(), xy[:, 1].min(), xy[:, 0].max(), xy[:, 1].max())
    return Sector("test", arrays, arrays, bbox, 1.0, (0.0, 0.0))


@st.composite
def star_polygons(draw):
    """A star-shaped ring about a random centre, optionally with a scaled copy as a hole."""
    k = draw(st.integers(3, 12))
    cx = draw(st.floats(-1e5, 1e5))
    cy = draw(st.floats(-1e5, 1e5))
    radii = draw(st.lists(st.floats(1.0, 1e4), min_size=k, max_size=k))
    angles = np.sort(draw(st.lists(st.floats(0, 2 * math.pi), min_size=k, max_size=k, unique=True)))
    ring = [(cx + r * math.cos(a), cy + r * math.sin(a)) for r, a in zip(radii, angles, strict=True)]
    ring.append(ring[0])
    rings = [ring]
    if draw(st.booleans()):
        rings.append([(cx + 0.4 * (x - cx), cy + 0.4 * (y - cy)) for x, y in ring])
    return rings


@settings(max_examples=150, deadline=None)
@given(rings=star_polygons(), data=st.data())
def test_contains_matches_reference_ray_casting(rings, data):
    xy = np.vstack(rings)
    lo, hi = xy.min(axis=0) - 10, xy.max(axis=0) + 10
    n = 60
    px = np.array(data.draw(st.lists(st.floats(lo[0], hi[0]), min_size=n, max_size=n)))
    py = np.array(data.draw(st.lists(st.floats(lo[1], hi[1]), min_size=n, max_size=n)))
    # Vertices and edge midpoints are the awkward cases: include them.
    px = np.concatenate([px, xy[:, 0], (xy[:-1, 0] + xy[1:, 0]) / 2])
    py = np.concatenate([py, xy[:, 1], (xy[:-1, 1] + xy[1:, 1]) / 2])
    got = make_sector(rings).contains(px, py)
    expected = [reference_inside(rings, float(x), float(y)) for x, y in zip(px, py, strict=True)]
    assert got.tolist() == expected


def test_contains_on_a_square_with_a_hole():
    square = [(0, 0), (10, 0), (10, 10), (0, 10), (0, 0)]
    hole = [(4, 4), (4, 6), (6, 6), (6, 4), (4, 4)]
    sector = make_sector([square, hole])
    got = sector.contains([1, 5, 9, 11, -1, 5], [1, 5, 9, 5, 5, 20])
    assert got.tolist() == [True, False, True, False, False, False]
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
    assert set(sim.scenario.geometry.__all__) == defined_here | {"EARTH_RADIUS_M"}


def test_projection_rejects_polar_origin():
    with pytest.raises(ValueError, match="origin_lat_deg"):
        LocalProjection(90.0, 0.0)
