"""Hand-computable days: a tiny scenario, hand-made sorties and notices, no random geometry.

The geometry is chosen so that every time can be worked out by hand:

* Both sides' bases sit at the projection's origin (35 N, 38 E), so a base is at (0, 0) m.
* Sectors are squares 2e-6 degrees wide (about 0.2 m) centred on the origin's meridian, at
  30 NM (``A``), 60 NM (``B``) and 90 NM (``C``) north of it (``W``, a wide square, and
  ``H``, a square with a hole, are there for the few tests that need real work points). Every point the sampler can put
  inside one is within 0.2 m of its centre, wherever the sampler puts it, so a transit is
  the distance to the centre at cruise speed to within a millisecond. The origin's
  meridian is the plane's y axis, so inverting the projection at (0, d) places a sector
  exactly d metres north of the base.
* Every fleet cruises at 360 kt = 185.2 m/s, so 30 NM (55,560 m) takes exactly 5 minutes
  (and 60 NM 10 minutes, 90 NM 15 minutes). Climbing does not change a transit's time.
* A sortie's work uniforms are all the same row, so all its work points are one point:
  the aircraft works (holds) at it and is still there when its window ends.
* No launch jitter, no short-notice sorties unless a test makes one, take-off roll 2 min.

So a sortie tasked on station at ``T`` in a sector ``d`` minutes away starts its roll at
``T - d - 2``, is airborne at ``T - d``, on station ``T`` to ``T + on_station``, and lands
``d`` minutes later.

The day's drawn tasking is replaced by hand-made ``Sortie`` objects through the seam
``sim.model.day.draw_tasking`` (monkeypatched); notices are handed to an ops cell at chosen
times through the day's own ``send``.
"""

from __future__ import annotations

import copy
import dataclasses
import json
import math
from collections.abc import Callable, Generator, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pytest

import sim.model.day
from sim.model.day import Outcome, _Day, draw_day
from sim.model.notices import Notice
from sim.model.tasking import Sortie
from sim.scenario.load import LoadedScenario, scenario_from_data
from sim.scenario.projection import LocalProjection
from sim.scenario.rules import NoNotice, PolicySpec

LAT0, LON0 = 35.0, 38.0
FT = 0.3048
MIN = 60.0
NM = 1852.0
KT = 360.0  # 360 kt = 185.2 m/s: 1 NM in 10 s, 30 NM in 5 min
SPEED_MPS = KT * NM / 3600.0
SECTOR_NM = {"A": 30.0, "B": 60.0, "C": 90.0}
HALF_DEG = 1e-6  # half the side of a sector square, degrees
TAKEOFF_MIN = 2.0


def transit_min(sector: str) -> float:
    """Minutes from base to ``sector`` at 360 kt (30 NM = 5 min)."""
    return SECTOR_NM[sector] / 6.0


def lat_north(distance_m: float) -> float:
    """Latitude of the point ``distance_m`` north of the origin in the local plane.

    The origin's meridian is the plane's y axis (the projection is symmetric about it), so
    the point is (0, distance_m); its latitude comes from inverting the projection, which
    the geometry tests check against WGS84 geodesics. Only placement uses it: the times
    these tests pin follow from distances in the plane, which is where the model flies.
    """
    lat, lon = LocalProjection(LAT0, LON0).to_latlon(0.0, distance_m)
    assert abs(float(lon) - LON0) < 1e-9  # on the origin's meridian
    return float(lat)


def sectors_geojson() -> dict[str, Any]:
    features = []
    for name, nm in SECTOR_NM.items():
        lat = lat_north(nm * NM)
        ring = [
            [LON0 - HALF_DEG, lat - HALF_DEG],
            [LON0 + HALF_DEG, lat - HALF_DEG],
            [LON0 + HALF_DEG, lat + HALF_DEG],
            [LON0 - HALF_DEG, lat + HALF_DEG],
            [LON0 - HALF_DEG, lat - HALF_DEG],
        ]
        features.append(
            {"type": "Feature", "properties": {"name": name}, "geometry": {"type": "Polygon", "coordinates": [ring]}}
        )
    # two sectors no sortie is tasked to unless a test says so: "W", a wide square (0.2 deg)
    # round the point 60 NM north, and "H", a square with a square hole, at 120 NM
    lat_w, lat_h = lat_north(60 * NM), lat_north(120 * NM)

    def square(lat: float, half: float) -> list[list[float]]:
        return [
            [LON0 - half, lat - half],
            [LON0 + half, lat - half],
            [LON0 + half, lat + half],
            [LON0 - half, lat + half],
            [LON0 - half, lat - half],
        ]

    for name, rings in (("W", [square(lat_w, 0.1)]), ("H", [square(lat_h, 0.1), square(lat_h, 0.05)[::-1]])):
        features.append(
            {"type": "Feature", "properties": {"name": name}, "geometry": {"type": "Polygon", "coordinates": rings}}
        )
    return {"type": "FeatureCollection", "features": features}


def _fleet(count: int, on_station_min: float, turnaround_min: float, floor_ft: float, ceiling_ft: float) -> Any:
    return {
        "type": "jet",
        "base": "home",
        "count": count,
        "cruise_kt": KT,
        "floor_ft": floor_ft,
        "ceiling_ft": ceiling_ft,
        "on_station_min": on_station_min,
        "turnaround_min": turnaround_min,
        "climb_min": 1,
        "share": 1.0,
    }


def _side(reaction: dict[str, Any], fleet: dict[str, Any], ops_cell: dict[str, Any]) -> dict[str, Any]:
    return {
        "bases": {
            "home": {"lat_deg": LAT0, "lon_deg": LON0, "elevation_ft": 0, "runways": 1, "takeoff_interval_min": 2}
        },
        "fleets": {"jet": fleet},
        "sorties_per_day": 0,
        "sector_weights": {"A": 1, "B": 1},
        "short_notice_share": 0.0,
        "launch_jitter_min": 0,
        "ops_cell": ops_cell,
        "reaction": reaction,
    }


RED_REACTION = {
    "actions": ["altitude", "delay", "retask", "hold", "cancel"],
    "airborne": True,
    "max_delay_min": 60,
    "max_hold_min": 20,
    "buffer_min": 10,
    "vertical_buffer_ft": 1000,
}


def scenario_data(
    red_reaction: dict[str, Any] | None = None,
    blue_reaction: dict[str, Any] | None = None,
    red_fleet: dict[str, Any] | None = None,
    blue_fleet: dict[str, Any] | None = None,
    red_ops: dict[str, Any] | None = None,
    blue_ops: dict[str, Any] | None = None,
    policies: dict[str, Any] | None = None,
    horizon_h: float = 24,
) -> dict[str, Any]:
    """The tiny scenario as data: sides ``red`` and ``blue``, sectors A, B, C, one level."""
    return {
        "name": "handmade",
        "origin": {"lat_deg": LAT0, "lon_deg": LON0},
        "sectors_file": "sectors.geojson",
        "horizon_h": horizon_h,
        "replications": 1,
        "seed": 0,
        "sides": {
            "red": _side(
                copy.deepcopy(red_reaction or RED_REACTION),
                red_fleet or _fleet(10, 30, 60, 10000, 20000),
                red_ops or {"staff": 1, "reaction_min": 5},
            ),
            "blue": _side(
                copy.deepcopy(blue_reaction or RED_REACTION),
                blue_fleet or _fleet(10, 30, 60, 10000, 20000),
                blue_ops or {"staff": 1, "reaction_min": 5},
            ),
        },
        "levels": [{"name": "los", "horizontal_nm": 5, "vertical_ft": 1000}],
        "policies": policies or {"none": {"kind": "none"}},
    }


def fleet(
    count: int = 10,
    on_station_min: float = 30,
    turnaround_min: float = 60,
    floor_ft: float = 10000,
    ceiling_ft: float = 20000,
) -> dict[str, Any]:
    """A fleet of the tiny scenario, as data (360 kt, 1-min climb, base ``home``)."""
    return _fleet(count, on_station_min, turnaround_min, floor_ft, ceiling_ft)


def load(tmp_path: Path, data: dict[str, Any]) -> LoadedScenario:
    (tmp_path / "sectors.geojson").write_text(json.dumps(sectors_geojson()), encoding="utf-8")
    return scenario_from_data(data, path=tmp_path / "handmade.yaml", sha256="0" * 64)


def sortie(
    id: int,
    side: str,
    sector: str,
    t_on_min: float,
    *,
    on_station_min: float = 30,
    short_notice: bool = False,
    created_min: float = -math.inf,
    coverage_u: float = 0.5,
    choice_u: float = 0.0,
) -> Sortie:
    """A hand-made sortie: every work point the same (u = 0.5), times in minutes.

    Its altitude block is set by the day from its fleet (and the rule), as for drawn sorties.
    """
    return Sortie(
        id=id,
        side=side,
        fleet="jet",
        base="home",
        sector=sector,
        t_on_s=t_on_min * MIN,
        on_station_s=on_station_min * MIN,
        floor_m=0.0,
        ceiling_m=0.0,
        short_notice=short_notice,
        created_s=created_min * MIN,
        jitter_s=0.0,
        coverage_u=coverage_u,
        choice_u=choice_u,
        work_u=np.full((8, 4), 0.5),
    )


def notice(
    sender: str,
    receiver: str,
    sortie_id: int,
    sector: str | None,
    start_min: float,
    end_min: float,
    floor_ft: float | None = None,
    ceiling_ft: float | None = None,
    withdrawn: bool = False,
) -> Notice:
    """A hand-made notice, times in minutes and altitudes in feet."""
    return Notice(
        sender=sender,
        receiver=receiver,
        sortie_id=sortie_id,
        sector=sector,
        start_s=start_min * MIN,
        end_s=end_min * MIN,
        floor_m=None if floor_ft is None else floor_ft * FT,
        ceiling_m=None if ceiling_ft is None else ceiling_ft * FT,
        sent_s=0.0,
        withdrawn=withdrawn,
    )


Delivery = tuple[float, str, Sequence[Notice]]  # (minute, receiver, notices)


def make_day(
    monkeypatch: pytest.MonkeyPatch,
    loaded: LoadedScenario,
    sorties: Sequence[Sortie],
    policy: PolicySpec | None = None,
    deliveries: Sequence[Delivery] = (),
) -> _Day:
    """A day whose tasking is ``sorties`` (the draw replaced) and whose ops cells get ``deliveries``."""
    by_side: dict[str, list[Sortie]] = {name: [] for name in loaded.scenario.side_names}
    for s in sorties:
        by_side[s.side].append(s)

    def tasking(side_name: str, *args: Any, **kwargs: Any) -> list[Sortie]:
        return sorted(by_side[side_name], key=lambda s: (s.t_on_s, s.id))

    monkeypatch.setattr(sim.model.day, "draw_tasking", tasking)
    draws = dataclasses.replace(draw_day(loaded, 0, 0), copy_sorties=False)  # the test reads its sorties back
    day = _Day(loaded, policy or NoNotice(kind="none"), draws)
    for minute, receiver, batch in deliveries:
        day.env.process(_deliver(day, minute * MIN, receiver, list(batch)))
    return day


def _deliver(day: _Day, at_s: float, receiver: str, batch: list[Notice]) -> Generator[Any, Any, None]:
    yield day.env.timeout(at_s - day.env.now)
    day.send(receiver, batch)


def run_day(
    monkeypatch: pytest.MonkeyPatch,
    loaded: LoadedScenario,
    sorties: Sequence[Sortie],
    policy: PolicySpec | None = None,
    deliveries: Sequence[Delivery] = (),
) -> Outcome:
    return make_day(monkeypatch, loaded, sorties, policy, deliveries).run()


def record_sends(monkeypatch: pytest.MonkeyPatch) -> list[tuple[float, str, list[Notice]]]:
    """Record every batch any day sends: (time s, receiver, notices); delivery still happens."""
    sent: list[tuple[float, str, list[Notice]]] = []
    real: Callable[..., None] = _Day.send

    def send(self: _Day, receiver: str, notices: Sequence[Notice]) -> None:
        sent.append((self.env.now, receiver, list(notices)))
        real(self, receiver, notices)

    monkeypatch.setattr(_Day, "send", send)
    return sent


def at(day: _Day, minute: float, action: Callable[[], None]) -> None:
    """Call ``action()`` when the day's clock reaches ``minute`` (before the day is run)."""

    def wait() -> Generator[Any, Any, None]:
        yield day.env.timeout(minute * MIN - day.env.now)
        action()

    day.env.process(wait())
