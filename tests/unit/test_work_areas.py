"""Work areas smaller than a sector: geometry, what notices name, who is affected, refusals.

On the bundled governorates of Syria with circles placed by hand: one well inside Hama
(called ``t_inner`` here), an orbit astride the Hama-Idlib border, Mare'a north of Aleppo. Expected values come
from the circles' own definitions (pi r**2, the centre's sector), not from the code under test.
"""

from __future__ import annotations

import copy
import math
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import yaml

from sim.errors import InputError
from sim.model.day import simulate
from sim.model.notices import Notice, make_notice
from sim.model.opscell import Replanner
from sim.scenario.load import LoadedScenario, load_scenario, scenario_from_data
from sim.units import NM_M
from tests.conftest import REPO

BASELINE = REPO / "scenarios" / "syria-2015-10.yaml"
AREAS = {
    "t_inner": {"lat_deg": 35.2, "lon_deg": 37.2, "radius_nm": 8, "source": "[A] well inside Hama"},
    "t_border": {"lat_deg": 35.5, "lon_deg": 36.75, "radius_nm": 12, "source": "[A] across Hama/Idlib"},
    "t_north": {"lat_deg": 36.6, "lon_deg": 37.05, "radius_nm": 10, "source": "[E] north of Aleppo"},
}


def _data() -> dict[str, Any]:
    return yaml.safe_load(BASELINE.read_text(encoding="utf-8"))


def _load(data: dict[str, Any], tmp_path: Path) -> LoadedScenario:
    path = tmp_path / "s.yaml"
    path.write_text(yaml.safe_dump(data), encoding="utf-8")
    return scenario_from_data(data, path=path)


@pytest.fixture(scope="module")
def with_areas(tmp_path_factory: pytest.TempPathFactory) -> LoadedScenario:
    data = _data()
    data["areas"] = data.get("areas", {}) | copy.deepcopy(AREAS)
    return _load(data, tmp_path_factory.mktemp("areas"))


def test_circles_have_their_size_and_lie_where_they_were_put(with_areas: LoadedScenario) -> None:
    m = with_areas.sectors
    assert m.area_names[-3:] == ("t_inner", "t_border", "t_north")
    for name, spec in AREAS.items():
        r = spec["radius_nm"] * NM_M
        assert m[name].area_m2 == pytest.approx(math.pi * r * r, rel=2e-3)
        cx, cy = with_areas.projection.to_xy(spec["lat_deg"], spec["lon_deg"])
        assert m[name].centroid_m == pytest.approx((float(cx), float(cy)), abs=1.0)
    assert "t_inner" in m and "Hama" in m and "Atlantis" not in m
    assert len(m) == 14 and "t_inner" not in m.names  # sectors stay the governorates


def test_a_sector_notice_names_the_sector_or_sectors_an_area_lies_in(with_areas: LoadedScenario) -> None:
    m = with_areas.sectors
    assert m.cover("t_inner") == "Hama"
    assert m.cover("t_north") == "Aleppo"
    assert set(m.cover("t_border").split("+")) == {"Hama", "Idlib"}
    assert m.cover("Idlib") == "Idlib"
    union = m[m.cover("t_border")]
    assert union.area_m2 == pytest.approx(m["Hama"].area_m2 + m["Idlib"].area_m2, rel=1e-6)


def test_overlap_of_regions(with_areas: LoadedScenario) -> None:
    m = with_areas.sectors
    assert m.overlap("t_inner", "Hama") and m.overlap("Hama", "t_inner")
    assert not m.overlap("t_inner", "Idlib")
    assert m.overlap("t_border", "Idlib") and m.overlap("t_border", "Hama")
    assert not m.overlap("t_inner", "t_north")
    assert not m.overlap("Hama", "Idlib")  # neighbours share a border, not an area
    assert m.overlap("Idlib", "Idlib")
    assert m.overlap("t_inner", "t_border") is _discs_overlap("t_inner", "t_border", with_areas)


def _discs_overlap(a: str, b: str, loaded: LoadedScenario) -> bool:
    pa = loaded.projection.to_xy(AREAS[a]["lat_deg"], AREAS[a]["lon_deg"])
    pb = loaded.projection.to_xy(AREAS[b]["lat_deg"], AREAS[b]["lon_deg"])
    gap = math.hypot(float(pa[0]) - float(pb[0]), float(pa[1]) - float(pb[1]))
    return gap < (AREAS[a]["radius_nm"] + AREAS[b]["radius_nm"]) * NM_M


class _Planned:
    id, side, t_on_s, on_station_s = 7, "russia", 3600.0, 1800.0
    floor_m, ceiling_m = 4000.0, 6000.0
    short_notice, created_s, coverage_u = False, -math.inf, 0.5
    launched_s = landed_s = None
    cancelled = aborted = False

    def __init__(self, sector: str) -> None:
        self.sector = sector


@pytest.mark.parametrize(
    ("content", "region", "named", "block"),
    [
        ("area", "t_inner", None, False),
        ("sector", "t_inner", "Hama", False),
        ("sector_altitude", "t_inner", "Hama", True),
        ("work_area", "t_inner", "t_inner", False),
        ("work_area_altitude", "t_inner", "t_inner", True),
        ("work_area", "Idlib", "Idlib", False),  # a sortie over a whole sector: the sector
    ],
)
def test_what_each_content_names(
    with_areas: LoadedScenario, content: Any, region: str, named: str | None, block: bool
) -> None:
    n = make_notice(_Planned(region), "coalition", content, 0.0, with_areas.sectors.cover)  # type: ignore[arg-type]
    assert n.sector == named
    assert (n.floor_m, n.ceiling_m) == ((4000.0, 6000.0) if block else (None, None))


class _Cell:
    """What ``Replanner._touches`` reads: the map and the reaction's buffer."""

    def __init__(self, loaded: LoadedScenario) -> None:
        self.sectors = loaded.sectors
        self.side = loaded.scenario.sides["coalition"]


@pytest.mark.parametrize(
    ("noticed", "own", "affected"),
    [
        ("t_inner", "Hama", True),  # a work area in my sector
        ("Hama", "t_inner", True),  # a whole sector around my area
        ("t_inner", "Idlib", False),
        ("t_inner", "t_north", False),
        ("t_border", "Idlib", True),
        ("Hama+Idlib", "t_north", False),
        ("Hama+Idlib", "t_inner", True),
        (None, "t_north", True),  # no location: everywhere
    ],
)
def test_affected_when_the_regions_share_area(
    with_areas: LoadedScenario, noticed: str | None, own: str, affected: bool
) -> None:
    n = Notice("russia", "coalition", 1, noticed, 3600.0, 5400.0, None, None, 0.0)
    assert Replanner._touches(_Cell(with_areas), n, own, (3000.0, 4000.0)) is affected  # type: ignore[arg-type]


def test_sorties_weighted_to_an_area_work_inside_it(with_areas: LoadedScenario, tmp_path: Path) -> None:
    data = _data()
    data["areas"] = data.get("areas", {}) | copy.deepcopy(AREAS)
    drones = data["sides"]["coalition"]["fleets"]["mq1b"]
    drones["sector_weights"] = {"t_north": 1}
    loaded = _load(data, tmp_path)
    spec = next(iter(loaded.scenario.policies.values()))
    outcome = simulate(loaded, spec, loaded.scenario.seed, 0)
    centre = loaded.projection.to_xy(AREAS["t_north"]["lat_deg"], AREAS["t_north"]["lon_deg"])
    radius = AREAS["t_north"]["radius_nm"] * NM_M
    flown = [s for s in outcome.sorties if s.fleet == "mq1b" and s.work_segments]
    assert flown
    t = outcome.tracks
    for s in flown:
        k = t.flight_names.index(s.name)
        on = (t.point_flight == k) & (t.t_s > s.work_segments[0][0] + 1) & (t.t_s < s.work_segments[-1][1] - 1)
        gap = np.hypot(t.x_m[on] - float(centre[0]), t.y_m[on] - float(centre[1]))
        assert on.any() and np.all(gap < radius * 1.001), s.name


def test_refusals_name_the_field_and_line(tmp_path: Path) -> None:
    cases = [
        ({"Hama": {"lat_deg": 35.1, "lon_deg": 36.7, "radius_nm": 5}}, "named like a sector"),
        ({"sea": {"lat_deg": 34.0, "lon_deg": 33.0, "radius_nm": 5}}, "lies outside every sector"),
        ({"big": {"lat_deg": 35.0, "lon_deg": 37.0, "radius_nm": 0}}, "areas.big.radius_nm"),
    ]
    for areas, words in cases:
        data = _data()
        data["areas"] = data.get("areas", {}) | areas
        path = tmp_path / "bad.yaml"
        path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
        with pytest.raises(InputError) as err:
            load_scenario(path)
        assert words in str(err.value) and "line " in str(err.value), str(err.value)
    data = _data()
    data["sides"]["russia"]["sector_weights"] = {"nowhere": 1}
    data["areas"] = data.get("areas", {}) | {"t_inner": AREAS["t_inner"]}
    path = tmp_path / "bad.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    with pytest.raises(InputError, match=r"unknown sector 'nowhere' .*known: .*t_inner"):
        load_scenario(path)
    data = _data()
    data["areas_file"] = "no-such.geojson"
    path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    with pytest.raises(InputError, match="areas_file: no such file"):
        load_scenario(path)


def test_areas_from_a_geojson_file(tmp_path: Path) -> None:
    import json

    square = [[37.1, 35.1], [37.3, 35.1], [37.3, 35.3], [37.1, 35.3], [37.1, 35.1]]
    (tmp_path / "areas.geojson").write_text(
        json.dumps(
            {
                "type": "FeatureCollection",
                "features": [
                    {
                        "type": "Feature",
                        "properties": {"name": "box"},
                        "geometry": {"type": "Polygon", "coordinates": [square]},
                    }
                ],
            }
        ),
        encoding="utf-8",
    )
    data = _data()
    data["areas_file"] = "areas.geojson"
    loaded = _load(data, tmp_path)
    assert loaded.sectors.area_names[-1] == "box"
    assert loaded.sectors.cover("box") == "Hama"
