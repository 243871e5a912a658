"""A side's planned sorties for the day (its air tasking order), drawn from the scenario.

Every random number a sortie will ever need is drawn here, in a fixed order, from the
side's own generator: jitter, coverage, the choice of a re-tasking sector, the seed of its
work points. The notification rule then changes what happens, never which numbers are
drawn, so a replication's sorties are the same under every rule (common random numbers).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from sim.geo import SectorMap
from sim.scenario import Fleet, Side

__all__ = ["Sortie", "draw_tasking", "fleet_sector_weights"]


@dataclass(eq=False)
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
    path_seed: int
    tasked_sector: str = ""
    tasked_t_on_s: float = 0.0
    # outcome
    launched_s: float | None = None
    landed_s: float | None = None
    on_station_start_s: float | None = None
    on_station_end_s: float | None = None
    cancelled: bool = False
    aborted: bool = False
    retasked: bool = False
    altitude_changed: bool = False
    held_s: float = 0.0
    delay_s: float = 0.0
    wait_s: float = 0.0
    lost_on_station_s: float = 0.0
    unresolved: int = 0

    def __post_init__(self) -> None:
        self.tasked_sector = self.tasked_sector or self.sector
        self.tasked_t_on_s = self.tasked_t_on_s or self.t_on_s

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


def _planned_count(mean: float, rng: np.random.Generator) -> int:
    """⌊mean⌋ or ⌈mean⌉ sorties with the right expectation: a tasking is planned to a number."""
    whole = math.floor(mean)
    return whole + int(rng.random() < mean - whole)


def _pick(weights: dict[str, float], u: float) -> str:
    names = list(weights)
    cum = np.cumsum([weights[n] for n in names])
    return names[min(int(np.searchsorted(cum, u * cum[-1], side="right")), len(names) - 1)]


def draw_tasking(
    side_name: str,
    side: Side,
    sectors: SectorMap,
    horizon_s: float,
    rng: np.random.Generator,
    first_id: int = 0,
) -> list[Sortie]:
    """Draw ``side``'s sorties whose planned on-station start falls in [0, ``horizon_s``).

    Fleets with a ``share`` split the side's ``sorties_per_day``; fleets with their own
    ``sorties_per_day`` add theirs. On-station start times follow the side's 24-hour
    ``time_profile`` (tiled over longer horizons; uniform if none). Sorties are returned in
    order of planned on-station start, with ids from ``first_id``.
    """
    days = horizon_s / 86_400.0
    profile = np.asarray(side.time_profile if side.time_profile is not None else [1.0] * 24)
    n_hours = max(1, math.ceil(horizon_s / 3600.0))
    hour_w = np.resize(profile, n_hours).astype(float)
    # the last hour may be partial: weight it by the part inside the horizon
    hour_w[-1] *= (horizon_s - (n_hours - 1) * 3600.0) / 3600.0
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

    sorties: list[Sortie] = []
    for fleet_name, fleet in plan:
        hour = int(rng.choice(n_hours, p=hour_p))
        t_on_s = min((hour + rng.random()) * 3600.0, np.nextafter(horizon_s, 0))
        sector = _pick(fleet_sector_weights(side, fleet), rng.random())
        short = bool(rng.random() < side.short_notice_share)
        jitter_s = float(np.clip(rng.normal(0.0, 1.0), -3, 3)) * side.launch_jitter_s
        base = side.bases[fleet.base]
        sorties.append(
            Sortie(
                id=0,
                side=side_name,
                fleet=fleet_name,
                base=fleet.base,
                sector=sector,
                t_on_s=float(t_on_s),
                on_station_s=fleet.on_station_s,
                floor_m=fleet.floor_m,
                ceiling_m=fleet.ceiling_m,
                short_notice=short,
                created_s=-math.inf,  # set below, once the transit time is known
                jitter_s=jitter_s,
                coverage_u=float(rng.random()),
                choice_u=float(rng.random()),
                path_seed=int(rng.integers(2**62)),
            )
        )
        s = sorties[-1]
        if short:
            bx, by = sectors.projection.to_xy(base.lat_deg, base.lon_deg)
            cx, cy = sectors[sector].centroid_m
            transit_s = math.hypot(cx - float(bx), cy - float(by)) / fleet.cruise_mps
            s.created_s = s.t_on_s - transit_s - side.short_notice_s
    sorties.sort(key=lambda s: (s.t_on_s, s.fleet))
    for i, s in enumerate(sorties):
        s.id = first_id + i
    return sorties
