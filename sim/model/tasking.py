"""A side's planned sorties for the day (its air tasking order), drawn from the scenario.

Every random number a sortie will ever need is drawn here, in a fixed order, from the
side's own generator: jitter, coverage, the choice of a re-tasking sector, the seed of its
work points. The notification rule then changes what happens, never which numbers are
drawn, so a replication's sorties are the same under every rule (common random numbers).
"""

from __future__ import annotations

import bisect
import itertools
import math
from dataclasses import dataclass, field

import numpy as np

from sim.model.profile import Profile
from sim.scenario.models import Fleet, Side
from sim.scenario.sectors import SectorMap

__all__ = ["Sortie", "draw_tasking", "fleet_sector_weights"]


@dataclass(eq=False, slots=True)
class Sortie:
    """One planned sortie and what became of it. Times in s, altitudes in m.

    The plan fields (``sector``, ``t_on_s``, ``floor_m``, ``ceiling_m``) are what the
    side currently intends; re-planning changes them and records the cost in the outcome
    fields below.
    """

    id: int
    side: str
    fleet: str
    base: str
    sector: str
    t_on_s: float
    on_station_s: float
    floor_m: float
    ceiling_m: float
    short_notice: bool
    created_s: float
    jitter_s: float
    coverage_u: float
    choice_u: float
    work_u: np.ndarray = field(repr=False, default_factory=lambda: np.zeros((0, 4)))
    tasked_sector: str = ""
    tasked_t_on_s: float = 0.0
    formation: int = 1  # aircraft flying the sortie together (the fleet's formation_size)
    # outcome
    launched_s: float | None = None
    landed_s: float | None = None
    on_station_start_s: float | None = None  # current planned arrival on station (moves with re-plans)
    on_station_end_s: float | None = None  # end of the on-station window, fixed at launch (fuel)
    work_segments: list[list[float]] = field(default_factory=list)  # [start, end] worked on station
    cancelled: bool = False
    aborted: bool = False
    aborted_s: float | None = None  # when the ops cell sent it home
    retasked: bool = False
    altitude_changed: bool = False
    held_s: float = 0.0
    delay_s: float = 0.0
    wait_s: float = 0.0
    unresolved: bool = False
    # the tactical layer (sim.model.tactical)
    tactical_alerts: int = 0
    tactical_manoeuvres: list[str] = field(default_factory=list)  # kinds applied, in order
    tactical_lost_s: float = 0.0  # planned on-station time lost to manoeuvres
    tactical_abandoned: bool = False  # a manoeuvre left it no on-station time
    tactical_avoid_s: float = 0.0  # time spent in turn-aways, climbs and holds
    tactical_rtb_s: float | None = None  # when a manoeuvre sent it home (its mission abandoned)

    @property
    def lost_on_station_s(self) -> float:
        """Planned on-station time not worked (s): all of it if cancelled, else what re-plans cost."""
        if self.launched_s is None:
            return self.on_station_s if self.cancelled else 0.0
        worked = sum(max(0.0, end - start) for start, end in self.work_segments)
        lost = self.on_station_s - worked
        return lost if lost > 1e-6 else 0.0  # below a microsecond it is rounding of start + duration - start

    def __post_init__(self) -> None:
        self.tasked_sector = self.tasked_sector or self.sector
        self.tasked_t_on_s = self.tasked_t_on_s or self.t_on_s

    def fresh(self) -> Sortie:
        """A copy of this sortie as drawn, for one rule's day: the plan fields and draws shared
        (``work_u`` is read only), every outcome field at its start value."""
        return Sortie(
            self.id,
            self.side,
            self.fleet,
            self.base,
            self.tasked_sector,
            self.tasked_t_on_s,
            self.on_station_s,
            self.floor_m,
            self.ceiling_m,
            self.short_notice,
            self.created_s,
            self.jitter_s,
            self.coverage_u,
            self.choice_u,
            self.work_u,
            self.tasked_sector,
            self.tasked_t_on_s,
            self.formation,
        )

    @property
    def name(self) -> str:
        """The flight label used in tracks and encounter tables."""
        return f"{self.side}-{self.id:04d}"

    @property
    def t_off_s(self) -> float:
        """Planned end of the on-station window (s)."""
        return self.t_on_s + self.on_station_s


def fleet_sector_weights(side: Side, fleet: Fleet) -> dict[str, float]:
    """The sector weights that apply to ``fleet``'s sorties (its own, else its side's)."""
    return dict(fleet.sector_weights) if fleet.sector_weights is not None else dict(side.sector_weights)


def _work_point_count(side: Side, sectors: SectorMap, fleets: list[Fleet]) -> int:
    """Work points to draw per sortie: enough for the longest stay in the smallest sector.

    Legs join random points, about 0.52 sqrt(area) apart on average; half as many again
    plus four cover the spread. Capped at 512 (an aircraft that runs out holds in place).
    """
    need = 4
    for fleet in fleets:
        weights = fleet_sector_weights(side, fleet)
        smallest = min(sectors[name].area_m2 for name, w in weights.items() if w > 0)
        mean_leg_m = max(0.52 * math.sqrt(smallest), 1.0)
        need = max(need, math.ceil(1.5 * fleet.on_station_s * fleet.cruise_mps / mean_leg_m) + 4)
    return min(need, 512)


def _planned_count(mean: float, rng: np.random.Generator) -> int:
    """⌊mean⌋ or ⌈mean⌉ sorties with the right expectation: a tasking is planned to a number."""
    whole = math.floor(mean)
    return whole + int(rng.random() < mean - whole)


def _cumulative(weights: dict[str, float]) -> tuple[list[str], list[float]]:
    names = list(weights)
    return names, list(itertools.accumulate(weights[n] for n in names))


def _pick(names: list[str], cum: list[float], u: float) -> str:
    """The name whose cumulative-weight slot holds ``u`` in [0, 1)."""
    return names[min(bisect.bisect_right(cum, u * cum[-1]), len(names) - 1)]


def draw_tasking(
    side_name: str,
    side: Side,
    sectors: SectorMap,
    horizon_s: float,
    rng: np.random.Generator,
    first_id: int = 0,
    start_s: float = 0.0,
) -> list[Sortie]:
    """Draw ``side``'s sorties whose planned on-station start falls in [``start_s``, ``horizon_s``).

    Fleets with a ``share`` split the side's ``sorties_per_day``; fleets with their own
    ``sorties_per_day`` add theirs, in proportion to the window's length. On-station start
    times follow the side's 24-hour ``time_profile`` by hour of day (tiled over longer
    windows, read from the hour of day ``start_s`` falls in; uniform if none). Sorties are
    returned in order of planned on-station start, with ids from ``first_id``. The window
    [0, ``horizon_s``) (the default ``start_s``) is the simulated day; a warm-up draws
    [-warm-up, 0) and [horizon, horizon + warm-up) with further calls on the same generator.
    """
    days = (horizon_s - start_s) / 86_400.0
    profile = np.asarray(side.time_profile if side.time_profile is not None else [1.0] * 24)
    first_hour = math.floor(start_s / 3600.0)
    n_hours = max(1, math.ceil(horizon_s / 3600.0) - first_hour)
    hour_w = np.resize(np.roll(profile, -(first_hour % 24)), n_hours).astype(float)
    # the window's clock hours: the first and last may be partial; weight them, and spread
    # their starts, by the part inside the window
    edge_s = (first_hour + np.arange(n_hours)) * 3600.0
    lo_s = np.maximum(edge_s, start_s)
    span = (np.minimum(edge_s + 3600.0, horizon_s) - lo_s) / 3600.0
    offset = (lo_s - edge_s) / 3600.0
    hour_w *= span
    if hour_w.sum() <= 0:
        hour_w = np.ones(n_hours)
    hour_p = hour_w / hour_w.sum()

    fleets = list(side.fleets.items())
    shared = [(n, f) for n, f in fleets if f.share is not None]
    plan: list[tuple[str, Fleet]] = []
    n_shared = _planned_count(side.sorties_per_day * days, rng)
    if shared:
        shares = np.array([f.share for _, f in shared], dtype=float)
        picks = rng.choice(len(shared), size=n_shared, p=shares / shares.sum())
        plan += [shared[i] for i in picks]
    for name, fleet in fleets:
        if fleet.sorties_per_day is not None:
            plan += [(name, fleet)] * _planned_count(fleet.sorties_per_day * days, rng)

    n = len(plan)
    # every draw for every sortie, in a fixed order, whatever the rule will do with them
    hours = rng.choice(n_hours, size=n, p=hour_p)
    within_hour = rng.random(n)
    sector_u = rng.random(n)
    short_u = rng.random(n)
    jitter = np.clip(rng.normal(0.0, 1.0, size=n), -3, 3) * side.launch_jitter_s
    coverage_u = rng.random(n)
    choice_u = rng.random(n)
    n_points = _work_point_count(side, sectors, list({name: f for name, f in plan}.values()))
    work_u = rng.random((n, n_points, 4)) if n else np.zeros((0, 0, 4))
    t_on = np.clip(
        (first_hour + hours + offset[hours] + within_hour * span[hours]) * 3600.0,
        start_s,
        np.nextafter(horizon_s, -np.inf),
    )

    base_xy = {name: sectors.projection.to_xy(b.lat_deg, b.lon_deg) for name, b in side.bases.items()}
    profiles = {name: Profile.of(f) for name, f in side.fleets.items()}
    cumulative = {name: _cumulative(fleet_sector_weights(side, f)) for name, f in side.fleets.items()}
    sorties: list[Sortie] = []
    for i, (fleet_name, fleet) in enumerate(plan):
        sector = _pick(*cumulative[fleet_name], float(sector_u[i]))
        short = bool(short_u[i] < side.short_notice_share)
        created_s = -math.inf
        if short:
            bx, by = base_xy[fleet.base]
            cx, cy = sectors[sector].centroid_m
            # to the sector's centroid at the middle of the fleet's block, as the flight would
            rise_m = 0.5 * (fleet.floor_m + fleet.ceiling_m) - side.bases[fleet.base].elevation_m
            transit_s = profiles[fleet_name].transit_s(math.hypot(cx - float(bx), cy - float(by)), rise_m)
            created_s = float(t_on[i]) - transit_s - side.short_notice_s
        sorties.append(
            Sortie(
                id=0,
                side=side_name,
                fleet=fleet_name,
                base=fleet.base,
                sector=sector,
                t_on_s=float(t_on[i]),
                on_station_s=fleet.on_station_s,
                floor_m=fleet.floor_m,
                ceiling_m=fleet.ceiling_m,
                short_notice=short,
                created_s=created_s,
                jitter_s=float(jitter[i]),
                coverage_u=float(coverage_u[i]),
                choice_u=float(choice_u[i]),
                work_u=work_u[i],
                formation=fleet.formation_size,
            )
        )
    sorties.sort(key=lambda s: (s.t_on_s, s.fleet))
    for i, s in enumerate(sorties):
        s.id = first_id + i
    return sorties
