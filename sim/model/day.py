"""The SimPy model: fleets, runways, ops cells and sortie processes for one day of operations.

``simulate(loaded, policy, seed, replication)`` runs one replication of one notification rule and
returns the flown tracks and the sortie records. The model yields only at decisions:
a sortie's creation, launch, landing, and the end of its turnaround; a notice's delivery
and the ops cell's re-plan. Flight between decisions is a straight-leg ``FlightPath``.
Time 0 is the start of the day; the clock starts earlier so that the first sorties can
launch and the day's tasking can be exchanged beforehand. With a warm-up (``warmup_h``)
the same operations are flown for that long before the day and after it, and the
``Outcome`` says which part is measured (``window_s``, ``measured_sorties``).
"""

from __future__ import annotations

import math
from collections.abc import Generator, Sequence
from dataclasses import dataclass, field, replace
from itertools import chain
from typing import Any, cast

import numpy as np
import simpy

from sim.detect.tracks import Tracks
from sim.model.flightpath import FlightPath, WorkLegs
from sim.model.notices import Notice, PlannedSortie, RouteLeg
from sim.model.opscell import Replanner
from sim.model.profile import Profile
from sim.model.rules import rule_for
from sim.model.tactical import Alert, TacticalLayer
from sim.model.tasking import Sortie, draw_tasking
from sim.scenario.load import LoadedScenario
from sim.scenario.models import Fleet
from sim.scenario.rules import PolicySpec
from sim.units import FT_M, NM_M

__all__ = ["DayDraws", "Outcome", "draw_day", "is_measured", "replication_streams", "simulate"]


@dataclass(frozen=True)
class Outcome:
    """One replication's result: flown tracks, every sortie's record, notices per side."""

    tracks: Tracks
    sorties: tuple[Sortie, ...]
    notices_received: dict[str, int]
    events: int
    alerts: tuple[Alert, ...] = ()
    tactical_missed: dict[str, int] | None = None  # per side; None when no side has a tactical layer
    alert_events: int = 0
    flight_sortie: tuple[int, ...] = ()  # per flight of ``tracks``: its sortie's position in ``sorties``
    # with a warm-up (``Scenario.warmup_h``): the measured day [0, horizon) (s); None: no warm-up,
    # every sortie of the day measured and everything it does counted
    window_s: tuple[float, float] | None = None

    @property
    def measured_sorties(self) -> tuple[Sortie, ...]:
        """The sorties whose costs are counted: those tasked on station (planned on-station
        start, before any re-plan) within the measured day; all of them without a warm-up.
        ``sorties`` holds every sortie of the run, warm-up and run-out included."""
        if self.window_s is None:
            return self.sorties
        return tuple(s for s in self.sorties if is_measured(s, self.window_s))

    @property
    def measured_alerts(self) -> tuple[Alert, ...]:
        """The alerts counted: those whose picture update (``sample_s``) falls in the measured
        day, whichever sorties they are about; all of them without a warm-up."""
        if self.window_s is None:
            return self.alerts
        lo, hi = self.window_s
        return tuple(a for a in self.alerts if lo <= a.sample_s < hi)


def is_measured(s: Sortie, window_s: tuple[float, float] | None) -> bool:
    """Whether ``s`` belongs to the measured day ``window_s`` (always, without a warm-up)."""
    return window_s is None or window_s[0] <= s.tasked_t_on_s < window_s[1]


def replication_streams(seed: int, replication: int, side_names: Sequence[str]) -> dict[str, np.random.Generator]:
    """Independent generators for replication ``replication``: one per side's tasking.

    They come from ``SeedSequence(seed)``'s child number ``replication`` and do not depend
    on the notification rule, so every rule sees the same sorties (common random numbers).
    """
    # the same as SeedSequence(seed).spawn(replication + 1)[replication], without making the others
    child = np.random.SeedSequence(seed, spawn_key=(replication,))
    streams = child.spawn(len(side_names))
    return {name: np.random.default_rng(ss) for name, ss in zip(side_names, streams, strict=True)}


@dataclass(frozen=True)
class DayDraws:
    """What every rule of one replication shares (common random numbers), drawn once.

    ``tasking`` holds each side's sorties as drawn, before any rule touches them (the day
    copies them); ``work_points`` and ``transits_s`` are caches of pure functions of a
    sortie's uniforms, sector and block (points (k, 2) m; transit s), filled as the rules
    need them and valid for every rule of the replication (``work_legs`` likewise: the legs
    through a sortie's work points in a sector; ``work_plans``: its points and altitudes
    in a sector and block). With ``copy_sorties`` False the
    day flies the ``tasking`` objects themselves (one rule only: a test that reads them back).
    """

    tasking: dict[str, list[Sortie]]
    window_s: tuple[float, float] | None
    work_points: dict[tuple[int, str], np.ndarray]
    transits_s: dict[tuple[int, str, float, float], float]
    work_legs: dict[tuple[int, str], WorkLegs] = field(default_factory=dict)
    work_plans: dict[tuple[int, str, float, float], tuple[np.ndarray, np.ndarray]] = field(default_factory=dict)
    copy_sorties: bool = True


def draw_day(loaded: LoadedScenario, seed: int, replication: int) -> DayDraws:
    """Draw replication ``replication``'s tasking for every side, as every rule will see it."""
    sc = loaded.scenario
    streams = replication_streams(seed, replication, sc.side_names)
    tasking: dict[str, list[Sortie]] = {}
    next_id = 0
    for name in sc.side_names:
        tasking[name] = draw_tasking(name, sc.sides[name], loaded.sectors, sc.horizon_s, streams[name], next_id)
        next_id += len(tasking[name])
    # A warm-up flies the same operations for warmup_s before the measured day and after it:
    # each side's generator goes on, after the day's draws (so the measured day's sorties are
    # the ones drawn without a warm-up), with [-warm-up, 0), then [horizon, horizon + warm-up).
    window_s: tuple[float, float] | None = None
    if sc.warmup_s > 0:
        window_s = (0.0, sc.horizon_s)
        for name in sc.side_names:
            side, rng = sc.sides[name], streams[name]
            before = draw_tasking(name, side, loaded.sectors, 0.0, rng, next_id, start_s=-sc.warmup_s)
            next_id += len(before)
            end_s = sc.horizon_s + sc.warmup_s
            after = draw_tasking(name, side, loaded.sectors, end_s, rng, next_id, start_s=sc.horizon_s)
            next_id += len(after)
            tasking[name] = before + tasking[name] + after
    by_sector: dict[str, list[Sortie]] = {}
    for sorties in tasking.values():
        for s in sorties:
            by_sector.setdefault(s.sector, []).append(s)
    # map every sortie's work uniforms in its tasked sector at once (one numpy call per sector)
    work_points: dict[tuple[int, str], np.ndarray] = {}
    for sector_name, group in by_sector.items():
        sector = loaded.sectors[sector_name]
        pts = sector.points_from_uniforms(np.concatenate([s.work_u[:, :3] for s in group]))
        start = 0
        for s in group:
            work_points[(s.id, sector_name)] = pts[start : start + len(s.work_u)]
            start += len(s.work_u)
    return DayDraws(tasking, window_s, work_points, {})


class _Day:
    """One replication in progress; offers ``PolicyContext`` to the rule and ``DayView`` to the ops cells."""

    def __init__(self, loaded: LoadedScenario, policy: PolicySpec, draws: DayDraws) -> None:
        sc = loaded.scenario
        self.loaded = loaded
        self.policy = rule_for(policy)
        self.side_names = sc.side_names
        self.base_xy = _base_xy(loaded)
        # each base's take-off interval (s), as planned_launch_s reads it
        self.takeoff_s = {
            (name, b): base.takeoff_interval_min * 60.0
            for name in sc.side_names
            for b, base in sc.sides[name].bases.items()
        }
        self.tasking = draws.tasking
        if draws.copy_sorties:
            self.tasking = {name: [s.fresh() for s in sorties] for name, sorties in draws.tasking.items()}
        self.window_s = draws.window_s
        self._work_points = draws.work_points
        self._transits = draws.transits_s
        self._work_legs = draws.work_legs
        self._work_plans = draws.work_plans
        self.profiles = _profiles(loaded)
        for name, sorties in self.tasking.items():
            fleets = sc.sides[name].fleets
            for s in sorties:
                fleet = fleets[s.fleet]
                s.floor_m, s.ceiling_m = self.policy.altitude_block(name, fleet.floor_m, fleet.ceiling_m)
                s.altitude_changed = (s.floor_m, s.ceiling_m) != (fleet.floor_m, fleet.ceiling_m)
        tasking = self.tasking
        finite_created = [s.created_s for ss in tasking.values() for s in ss if s.created_s > -math.inf]
        earliest = min([0.0, *finite_created, *(self.planned_launch_s(s) for ss in tasking.values() for s in ss)])
        self.start_s = math.floor((earliest - 1800.0) / 3600.0) * 3600.0
        self.env = simpy.Environment(initial_time=self.start_s)
        self.fleets = {
            (name, f): simpy.Resource(self.env, capacity=fleet.count)
            for name in self.side_names
            for f, fleet in sc.sides[name].fleets.items()
        }
        self.runways = {
            (name, b): simpy.Resource(self.env, capacity=base.runways)
            for name in self.side_names
            for b, base in sc.sides[name].bases.items()
        }
        self.replanner = {name: Replanner(self, name, sc.sides[name], loaded.sectors) for name in self.side_names}
        self.paths: dict[int, FlightPath] = {}
        self.sleeping: set[int] = set()
        self.rolling: set[int] = set()
        self.processes: dict[int, simpy.Process] = {}
        self.created: dict[str, list[Sortie]] = {name: [] for name in self.side_names}
        self.resources: dict[str, simpy.Resource] = {}
        self.events = 0
        specs = {name: t for name in self.side_names if (t := sc.sides[name].tactical) is not None}
        self.tactical = TacticalLayer(self, specs, self.side_names, loaded.projection) if specs else None

    # --- PolicyContext -------------------------------------------------------------------
    def sorties(self, side: str) -> Sequence[Sortie]:
        return self.created[side]

    def send(self, receiver: str, notices: Sequence[Notice]) -> None:
        self.env.process(self.replanner[receiver].receive(list(notices)))

    def resource(self, key: str, capacity: int) -> simpy.Resource:
        if key not in self.resources:
            self.resources[key] = simpy.Resource(self.env, capacity=capacity)
        return self.resources[key]

    def cover(self, region: str) -> str:
        return self.loaded.sectors.cover(region)

    def overlap(self, a: str, b: str) -> bool:
        return self.loaded.sectors.overlap(a, b)

    def route(self, sortie: PlannedSortie) -> tuple[RouteLeg, ...]:
        """The sortie's transits as planned now: out from its base to its first work point,
        from take-off (planned or flown) to its arrival, and back along the same line from the
        end of its window for as long as the way out takes (local metres, s; no altitudes)."""
        s = sortie
        assert isinstance(s, Sortie)  # the day's rules see its own sorties
        bx, by, _ = self.base_xy[(s.side, s.base)]
        points, _ = self.work_plan(s)
        px, py = float(points[0, 0]), float(points[0, 1])
        start_s, end_s = self.replanner[s.side].window(s)
        transit_s = self.transit_s(s)
        out_s = s.launched_s if s.launched_s is not None else start_s - transit_s
        return (
            RouteLeg(bx, by, px, py, out_s, start_s, None, None),
            RouteLeg(px, py, bx, by, end_s, end_s + transit_s, None, None),
        )

    # --- geometry helpers ------------------------------------------------------------------
    def fleet(self, s: Sortie) -> Fleet:
        return self.loaded.scenario.sides[s.side].fleets[s.fleet]

    def profile(self, s: Sortie) -> Profile:
        return self.profiles[(s.side, s.fleet)]

    def work_plan(self, s: Sortie) -> tuple[np.ndarray, np.ndarray]:
        """The sortie's work points (k, 2) m and altitudes (k,) m in its current sector and block.

        Mapped from the uniforms the sortie drew at tasking, so a sortie that keeps its
        plan flies the same path under every rule, one moved to another block keeps its
        ground track, and one re-tasked uses the same numbers in its new sector.
        """
        key = (s.id, s.sector, s.floor_m, s.ceiling_m)
        plan = self._work_plans.get(key)
        if plan is None:
            points = self._work_points.get(key[:2])
            if points is None:
                points = self.loaded.sectors[s.sector].points_from_uniforms(s.work_u[:, :3])
                self._work_points[key[:2]] = points
            z = s.floor_m + s.work_u[: len(points), 3] * (s.ceiling_m - s.floor_m)
            points.flags.writeable = z.flags.writeable = False  # shared by every rule of the replication
            plan = points, z
            self._work_plans[key] = plan
        return plan

    def work_legs(self, s: Sortie) -> WorkLegs:
        """The legs through the sortie's work points in its current sector at its cruise speed."""
        key = (s.id, s.sector)
        legs = self._work_legs.get(key)
        if legs is None:
            legs = WorkLegs(self.work_plan(s)[0], self.fleet(s).cruise_mps)
            self._work_legs[key] = legs
        return legs

    def transit_s(self, s: Sortie) -> float:
        """Time from take-off to arrival on station: the fleet's climb-out and cruise (s).

        The same legs as the flight (``Profile.climb_legs``), so a sortie launched on time is on
        station at its planned time.
        """
        key = (s.id, s.sector, s.floor_m, s.ceiling_m)  # the climb depends on the first point's altitude
        transit = self._transits.get(key)
        if transit is None:
            bx, by, bz = self.base_xy[(s.side, s.base)]
            points, z = self.work_plan(s)
            px, py = points[0]
            transit = self.profile(s).transit_s(math.hypot(px - bx, py - by), float(z[0]) - bz)
            self._transits[key] = transit
        return transit

    def planned_launch_s(self, s: Sortie) -> float:
        """When the sortie means to take off to be on station at ``t_on_s`` (jitter included)."""
        return s.t_on_s - self.transit_s(s) - self.takeoff_s[(s.side, s.base)] + s.jitter_s

    # --- processes -------------------------------------------------------------------------
    def _sleep_until_launch(self, s: Sortie) -> Generator[Any, Any, None]:
        """Sleep until the sortie's planned launch; re-planning wakes it to read the new plan."""
        env = self.env
        while not s.cancelled:
            wait = self.planned_launch_s(s) - env.now
            if wait <= 0:
                return
            self.sleeping.add(s.id)
            try:
                yield env.timeout(wait)
            except simpy.Interrupt:
                continue
            finally:
                self.sleeping.discard(s.id)

    def sortie_life(self, s: Sortie) -> Generator[Any, Any, None]:
        env = self.env
        if s.created_s > env.now:  # a short-notice sortie, decided during the day
            yield env.timeout(s.created_s - env.now)
            self.created[s.side].append(s)
            self.replanner[s.side].plan_new(s)
            self.policy.on_created(self, s)
        yield from self._sleep_until_launch(s)
        if s.cancelled:
            return
        fleet = self.fleets[(s.side, s.fleet)]
        asked_s = env.now
        aircraft = fleet.request()
        yield aircraft
        s.wait_s = env.now - asked_s
        # re-planned while waiting for the aircraft (delayed or cancelled)?
        yield from self._sleep_until_launch(s)
        if s.cancelled:
            fleet.release(aircraft)
            return
        base = self.loaded.scenario.sides[s.side].bases[s.base]
        with self.runways[(s.side, s.base)].request() as runway:
            asked_s = env.now
            yield runway
            s.wait_s += env.now - asked_s
            if s.cancelled:  # cancelled while queueing for the runway
                fleet.release(aircraft)
                return
            self.rolling.add(s.id)  # committed: no re-plan until airborne
            yield env.timeout(base.takeoff_interval_min * 60.0)
            self.rolling.discard(s.id)
        s.launched_s = env.now
        bx, by, bz = self.base_xy[(s.side, s.base)]
        path = FlightPath.starting_at(env.now, bx, by, bz)
        self.paths[s.id] = path
        self.fly_sortie(s, path)
        if self.tactical is not None:
            self.tactical.launched(s)
        self.policy.on_launch(self, s)
        while True:
            self.sleeping.add(s.id)
            try:
                yield env.timeout(max(path.end_s - env.now, 0.0))
                break
            except simpy.Interrupt:
                continue
            finally:
                self.sleeping.discard(s.id)
        s.landed_s = env.now
        if self.tactical is not None:
            self.tactical.landed(s)
        yield env.timeout(self.fleet(s).turnaround_s)
        fleet.release(aircraft)

    def fly_sortie(self, s: Sortie, path: FlightPath) -> float:
        """Append transit, work and egress for ``s`` to ``path`` (which ends where it is now).

        The first call fixes the end of the on-station window from the arrival time (fuel
        does not stretch); later calls (re-plans in flight) keep that end and move the
        arrival. Each call opens a work segment from arrival to the window's end. Returns
        the arrival time at the first work point (s).
        """
        fleet = self.fleet(s)
        points, z = self.work_plan(s)
        if s.on_station_end_s is None:
            arrive_s = self.climb_out(s, path, points[0, 0], points[0, 1], z[0])
            s.on_station_end_s = arrive_s + s.on_station_s
        else:
            arrive_s = path.fly_to(points[0, 0], points[0, 1], z[0], fleet.cruise_mps)
        s.on_station_start_s = arrive_s
        end_s = s.on_station_end_s
        if arrive_s < end_s:
            s.work_segments.append([arrive_s, end_s])
        path.work_along(self.work_legs(s), z, end_s)
        self.fly_home(s, path)
        return arrive_s

    def _stop_working(self, s: Sortie) -> None:
        """End the open work segment now (a re-plan or an abort takes the aircraft away)."""
        now = self.env.now
        if s.work_segments:
            segment = s.work_segments[-1]
            segment[1] = min(segment[1], now)
            if segment[1] <= segment[0]:
                s.work_segments.pop()

    def repath(self, s: Sortie, hold_s: float = 0.0) -> float:
        """Re-plan an airborne sortie from where it is now, after holding ``hold_s`` (s).

        Returns its new arrival time at its (possibly new) sector's first work point.
        """
        self._stop_working(s)
        path = self.paths[s.id]
        path.cut(self.env.now)
        path.hold_until(self.env.now + hold_s)
        arrive_s = self.fly_sortie(s, path)
        self.wake(s)
        if self.tactical is not None:
            self.tactical.replanned(s)
        return arrive_s

    def abort(self, s: Sortie) -> None:
        """Send an airborne sortie straight home from where it is now."""
        self._stop_working(s)
        path = self.paths[s.id]
        path.cut(self.env.now)
        self.fly_home(s, path)
        self.wake(s)
        if self.tactical is not None:
            self.tactical.replanned(s)

    def divert(self, s: Sortie, waypoints: Sequence[tuple[float, float, float, float]]) -> None:
        """Fly ``waypoints`` (t_s, x_m, y_m, z_m) from now (a tactical avoidance), then resume.

        The sortie goes back to its sector's first work point if it would get there before its
        on-station window ends, else home (as it does if it was already going home).
        """
        self._stop_working(s)
        path = self.paths[s.id]
        path.cut(self.env.now)
        for t_s, x_m, y_m, z_m in waypoints:
            path.add(t_s, x_m, y_m, z_m)
        assert s.on_station_end_s is not None
        x0, y0, _ = path.last
        px, py = self.work_plan(s)[0][0]
        arrive_s = path.end_s + math.hypot(px - x0, py - y0) / self.fleet(s).cruise_mps
        going_home = s.aborted or s.tactical_rtb_s is not None or self.env.now >= s.on_station_end_s
        if not going_home and arrive_s < s.on_station_end_s:
            self.fly_sortie(s, path)
        else:
            self.fly_home(s, path)
        self.wake(s)
        if self.tactical is not None:
            self.tactical.path_changed(s)

    def wake(self, s: Sortie) -> None:
        """Make a sleeping sortie process re-read its plan (new launch or landing time)."""
        if s.id in self.sleeping:
            self.sleeping.discard(s.id)  # one interrupt is enough: the process re-reads the plan
            self.processes[s.id].interrupt("re-planned")

    def climb_out(self, s: Sortie, path: FlightPath, x_m: float, y_m: float, z_m: float) -> float:
        """From wheels-up at the base (the end of ``path``) to the first work point; arrival (s)."""
        profile = self.profile(s)
        if profile.plain_climb:
            return path.climb_and_fly_to(x_m, y_m, z_m, profile.cruise_mps, profile.climb_s)
        x0, y0, z0 = path.last
        return path.follow(profile.climb_legs(math.hypot(x_m - x0, y_m - y0), float(z_m) - z0), x_m, y_m, z_m)

    def fly_home(self, s: Sortie, path: FlightPath) -> None:
        """Egress from the end of ``path`` to the home base and land (cruise, descent, approach)."""
        bx, by, bz = self.base_xy[(s.side, s.base)]
        profile = self.profile(s)
        if profile.plain_descent:
            path.fly_to(bx, by, bz, profile.cruise_mps)
            return
        x0, y0, z0 = path.last
        path.follow(profile.descent_legs(math.hypot(bx - x0, by - y0), z0 - bz), bx, by, bz)

    def run(self) -> Outcome:
        for side in self.side_names:  # the day's tasking, known at the start; short-notice ones come later
            self.created[side] = [s for s in self.tasking[side] if s.created_s == -math.inf]
        self.policy.start(self)
        for side in self.side_names:
            for s in self.tasking[side]:
                self.processes[s.id] = self.env.process(self.sortie_life(s))
        while True:
            try:
                self.env.step()
            except simpy.core.EmptySchedule:
                break
            self.events += 1
        outcome = self._outcome()
        return outcome if self.window_s is None else replace(outcome, window_s=self.window_s)

    def _outcome(self) -> Outcome:
        sorties = [s for side in self.side_names for s in self.tasking[side]]
        side_index = {name: i for i, name in enumerate(self.side_names)}
        position = {s.id: k for k, s in enumerate(sorties)}
        flown = [s for s in sorties if s.id in self.paths]
        paths = [self.paths[s.id] for s in flown]
        names = [s.name for s in flown]
        owners = [position[s.id] for s in flown]
        # formations: each wingman flies its lead's path formation_spacing_nm behind (a time
        # shift at cruise speed) and formation_stack_ft above (kept in the block; not on the
        # runway), one flight of its own
        for s in list(flown):
            if s.formation > 1:
                fleet = self.fleet(s)
                lag_s = fleet.formation_spacing_nm * NM_M / fleet.cruise_mps
                stack_m = fleet.formation_stack_ft * FT_M
                lead = self.paths[s.id]
                for k in range(1, s.formation):
                    paths.append(lead.shifted(k * lag_s, k * stack_m, (s.floor_m, s.ceiling_m)))
                    names.append(f"{s.name}.{k + 1}")
                    owners.append(position[s.id])
                    flown.append(s)
        counts = np.array([len(p.t_s) for p in paths], dtype=np.int64)

        def column(name: str) -> np.ndarray:
            return np.array(list(chain.from_iterable(getattr(p, name) for p in paths)), dtype=np.float64)

        # built directly: the model's paths are already in time order, one side per flight
        tracks = Tracks(
            flight_names=tuple(names),
            side_names=self.side_names,
            flight_side=np.array([side_index[s.side] for s in flown], dtype=np.int8),
            point_flight=np.repeat(np.arange(len(flown), dtype=np.int64), counts),
            t_s=column("t_s"),
            x_m=column("x_m"),
            y_m=column("y_m"),
            z_m=column("z_m"),
        )
        received = {name: self.replanner[name].received for name in self.side_names}
        if self.window_s is not None:  # the notices read about measured sorties, whenever read
            measured = {s.id for s in sorties if is_measured(s, self.window_s)}
            received = {name: sum(i in measured for i in self.replanner[name].read_about) for name in self.side_names}
        if self.tactical is None:
            return Outcome(tracks, tuple(sorties), received, self.events, flight_sortie=tuple(owners))
        missed = self.tactical.missed(self.window_s)
        return Outcome(
            tracks,
            tuple(sorties),
            received,
            self.events,
            tuple(self.tactical.alerts),
            missed,
            self.tactical.scheduled,
            tuple(owners),
        )


def simulate(
    loaded: LoadedScenario, policy: PolicySpec, seed: int, replication: int, draws: DayDraws | None = None
) -> Outcome:
    """Run replication ``replication`` of ``loaded`` under ``policy``; pure given its inputs.

    ``draws`` (from ``draw_day(loaded, seed, replication)``) saves drawing the tasking again
    when several rules run the same replication; the outcome is the same with or without it.
    """
    if draws is None:
        draws = draw_day(loaded, seed, replication)
    return _Day(loaded, policy, draws).run()


def _base_xy(loaded: LoadedScenario) -> dict[tuple[str, str], tuple[float, float, float]]:
    """Every base's local position and elevation (m), keyed by (side, base); cached on ``loaded``."""
    cached = loaded.cache.get("base_xy")
    if cached is not None:
        return cast(dict[tuple[str, str], tuple[float, float, float]], cached)
    sc, proj = loaded.scenario, loaded.projection
    out: dict[tuple[str, str], tuple[float, float, float]] = {}
    for name in sc.side_names:
        for base_name, base in sc.sides[name].bases.items():
            x, y = proj.to_xy(base.lat_deg, base.lon_deg)
            out[(name, base_name)] = (float(x), float(y), base.elevation_m)
    loaded.cache["base_xy"] = out
    return out


def _profiles(loaded: LoadedScenario) -> dict[tuple[str, str], Profile]:
    """Every fleet's flight profile, keyed by (side, fleet); cached on ``loaded``."""
    cached = loaded.cache.get("profiles")
    if cached is not None:
        return cast(dict[tuple[str, str], Profile], cached)
    sc = loaded.scenario
    out = {(n, f): Profile.of(fleet) for n in sc.side_names for f, fleet in sc.sides[n].fleets.items()}
    loaded.cache["profiles"] = out
    return out
