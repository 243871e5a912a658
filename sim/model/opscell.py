"""A side's ops cell: it reads the other side's notices and re-plans its own affected sorties.

A sortie is *affected* by a notice when the notice's sector (any sector, for a notice that
names no location) is the sortie's, their windows overlap (with ``buffer_min`` either side)
and, when the notice gives an altitude block, the blocks come within ``vertical_buffer_ft``.
The cell tries the side's ``reaction.actions`` in order and applies the first that works;
a sortie that nothing fixes flies as planned and is marked unresolved. The cost of each
action is recorded on the sortie (delay, hold, re-tasking, cancellation; lost on-station
time follows from its work segments). A later notice about the same sortie replaces the
earlier one, and a withdrawal removes it. A notice that carries routes affects a sortie
also through each announced transit: its region comes within ``route_halfwidth_nm`` of
the transit's line, the windows overlap (same buffer) and the blocks meet.
"""

from __future__ import annotations

from collections.abc import Generator, Sequence
from typing import Any, Protocol

import numpy as np
import shapely
import simpy

from sim.model.notices import Notice, PolicyContext, RouteLeg
from sim.model.rules import Rule
from sim.model.tasking import Sortie, fleet_sector_weights
from sim.scenario.models import Fleet, Side
from sim.scenario.sectors import SectorMap

__all__ = ["DayView", "Replanner"]


class DayView(PolicyContext, Protocol):
    """What an ops cell may read and change of the day it belongs to (``sim.model.day``).

    Everything a rule sees (``PolicyContext``: the clock, the sides, ``send``), and the
    sorties and the day's means to re-plan them.
    """

    policy: Rule
    created: dict[str, list[Sortie]]
    rolling: set[int]

    def fleet(self, s: Sortie) -> Fleet:
        """The fleet the sortie flies with."""
        ...

    def planned_launch_s(self, s: Sortie) -> float:
        """When the sortie means to take off (s)."""
        ...

    def repath(self, s: Sortie, hold_s: float = 0.0) -> float:
        """Re-plan an airborne sortie from where it is now; its new arrival time (s)."""
        ...

    def abort(self, s: Sortie) -> None:
        """Send an airborne sortie straight home."""
        ...

    def wake(self, s: Sortie) -> None:
        """Make a sleeping sortie process re-read its plan."""
        ...


_MAX_SHIFTS = 20
_BEFORE_TAKEOFF = ("planned", "ground")
_AIRBORNE = ("transit", "station")


class Replanner:
    """The ops cell of side ``side_name`` (a SimPy resource of ``staff`` officers)."""

    def __init__(self, day: DayView, side_name: str, side: Side, sectors: SectorMap) -> None:
        self.day = day
        self.side_name = side_name
        self.side = side
        self.sectors = sectors
        self.cell = simpy.Resource(day.env, capacity=side.ops_cell.staff)
        self.known: dict[tuple[str, int], Notice] = {}  # (sender, sortie id) -> latest notice
        self.received = 0
        self.read_about: list[int] = []  # the sortie id of every notice read, in order
        self._near_route: dict[tuple[float, float, float, float, str], bool] = {}

    # --- entry points ------------------------------------------------------------------------
    def receive(self, notices: list[Notice]) -> Generator[Any, Any, None]:
        """Process a batch of notices: wait for an officer, take the reaction time, re-plan."""
        env = self.day.env
        with self.cell.request() as officer:
            yield officer
            yield env.timeout(self.side.ops_cell.reaction_s)
        self.received += len(notices)
        self.read_about.extend(n.sortie_id for n in notices)
        # what changed: new notices, and notices that went (withdrawn, or replaced by a later one)
        touched: list[Notice] = []
        for n in notices:
            key = (n.sender, n.sortie_id)
            gone = self.known.pop(key, None)
            if gone is not None:
                touched.append(gone)
            if not n.withdrawn:
                self.known[key] = n
                touched.append(n)
        # a fresh decision for every sortie a changed notice touches, and for every sortie still
        # unresolved (what went may have freed a sector, a band or a time it could move to)
        if not touched:
            for s in self.day.created[self.side_name]:
                if s.unresolved:
                    self.react(s)
            return
        buf = self.side.reaction.buffer_s
        # each notice's window widened by the buffer, to test time (cheap) before area
        spans = [(n, n.start_s - buf, n.end_s + buf) for n in touched]
        for s in self.day.created[self.side_name]:
            if s.unresolved:
                self.react(s)
                continue
            w0, w1 = window = self.window(s)
            for n, lo_s, hi_s in spans:
                if w0 < hi_s and w1 > lo_s and self._touches(n, s.sector, window):
                    self.react(s)
                    break
                if n.route and any(self._leg_touches(leg, s.sector, window) for leg in n.route):
                    self.react(s)
                    break

    def plan_new(self, s: Sortie) -> None:
        """A sortie just added to the tasking is planned around what the side already knows."""
        if self.known:
            self.react(s)

    # --- the decision --------------------------------------------------------------------------
    def phase(self, s: Sortie) -> str:
        """``planned``/``ground`` (before take-off), ``rolling``, ``transit``, ``station``, ``egress``, ``done``.

        ``ground`` is a sortie past its planned launch but waiting for an aircraft or the
        runway; ``rolling`` one taking off, which cannot be re-planned until airborne.
        """
        now = self.day.env.now
        if s.cancelled or s.aborted or s.tactical_rtb_s is not None or s.landed_s is not None:
            return "done"
        if s.launched_s is None:
            if s.id in self.day.rolling:
                return "rolling"
            return "planned" if self.day.planned_launch_s(s) > now else "ground"
        assert s.on_station_start_s is not None and s.on_station_end_s is not None
        if now < s.on_station_start_s:
            return "transit"
        if now < s.on_station_end_s:
            return "station"
        return "egress"

    def window(self, s: Sortie) -> tuple[float, float]:
        """The on-station window the sortie now plans: (arrival, end) in s."""
        if s.launched_s is None or s.on_station_start_s is None or s.on_station_end_s is None:
            return s.t_on_s, s.t_off_s
        return s.on_station_start_s, s.on_station_end_s

    def _touches(self, n: Notice, sector: str, window: tuple[float, float]) -> bool:
        """Whether notice ``n`` is about a region that shares area with ``sector`` (a sector or
        work area; or names none) and its window, widened by ``buffer_min`` either side,
        overlaps ``window`` (s) with positive length."""
        if n.sector is not None and n.sector != sector and not self.sectors.overlap(n.sector, sector):
            return False
        buf = self.side.reaction.buffer_s
        return window[0] < n.end_s + buf and window[1] > n.start_s - buf

    def _leg_touches(self, leg: RouteLeg, sector: str, window: tuple[float, float]) -> bool:
        """Whether the announced transit ``leg`` passes within ``route_halfwidth_nm`` of the
        region ``sector`` while ``window`` (s), widened by ``buffer_min`` either side, is on."""
        buf = self.side.reaction.buffer_s
        if not (window[0] < leg.end_s + buf and window[1] > leg.start_s - buf):
            return False
        key = (leg.x0_m, leg.y0_m, leg.x1_m, leg.y1_m, sector)
        near = self._near_route.get(key)
        if near is None:
            line = shapely.LineString([(leg.x0_m, leg.y0_m), (leg.x1_m, leg.y1_m)])
            near = bool(shapely.dwithin(self.sectors[sector].geometry, line, self.side.reaction.route_halfwidth_m))
            self._near_route[key] = near
        return near

    def _touches_any(self, n: Notice, sector: str, window: tuple[float, float]) -> bool:
        """``_touches`` for the notice's region or any of its announced transits."""
        return self._touches(n, sector, window) or any(self._leg_touches(leg, sector, window) for leg in n.route)

    def affecting(
        self,
        sector: str,
        window: tuple[float, float],
        block: tuple[float, float] | None,
    ) -> list[Notice | RouteLeg]:
        """Known notices, and announced transits, that affect a sortie in ``sector`` over
        ``window`` (s) in ``block`` (m): each has ``start_s``, ``end_s``, ``floor_m``, ``ceiling_m``.

        With ``block`` None the altitude is ignored (used to find where not to move to).
        """
        vbuf = self.side.reaction.vertical_buffer_m
        if window[1] <= self.day.env.now:
            return []
        out: list[Notice | RouteLeg] = []
        for n in self.known.values():
            found: list[Notice | RouteLeg] = [n] if self._touches(n, sector, window) else []
            found += [leg for leg in n.route if self._leg_touches(leg, sector, window)]
            for item in found:
                if block is not None and item.floor_m is not None and item.ceiling_m is not None:
                    if not (block[0] < item.ceiling_m + vbuf and block[1] > item.floor_m - vbuf):
                        continue
                out.append(item)
        return out

    def react(self, s: Sortie) -> None:
        """Re-plan ``s`` if a known notice affects it; mark it unresolved if nothing can."""
        phase = self.phase(s)
        if phase in ("done", "egress"):
            return
        conflicts = self.affecting(s.sector, self.window(s), (s.floor_m, s.ceiling_m))
        if not conflicts:
            s.unresolved = False
            return
        if phase in _BEFORE_TAKEOFF or (phase in _AIRBORNE and self.side.reaction.airborne):
            for action in self.side.reaction.actions:
                if getattr(self, f"_try_{action}")(s, phase, conflicts):
                    s.unresolved = False
                    self.day.policy.on_replanned(self.day, s)
                    return
        s.unresolved = True

    # --- actions: each returns True if it applied --------------------------------------------
    def _try_altitude(self, s: Sortie, phase: str, conflicts: Sequence[Notice | RouteLeg]) -> bool:
        if any(n.floor_m is None or n.ceiling_m is None for n in conflicts):
            return False
        fleet = self.day.fleet(s)
        low, high = self.day.policy.altitude_block(self.side_name, fleet.floor_m, fleet.ceiling_m)
        vbuf = self.side.reaction.vertical_buffer_m
        busy = sorted(
            (n.floor_m - vbuf, n.ceiling_m + vbuf)
            for n in self.affecting(s.sector, self.window(s), None)
            if n.floor_m is not None and n.ceiling_m is not None
        )
        free: list[tuple[float, float]] = []
        cursor = low
        for b_lo, b_hi in busy:
            if b_lo > cursor:
                free.append((cursor, min(b_lo, high)))
            cursor = max(cursor, b_hi)
        if cursor < high:
            free.append((cursor, high))
        free = [(a, b) for a, b in free if b > a]
        if not free:
            return False
        a, b = max(free, key=lambda ab: (ab[1] - ab[0], -ab[0]))
        if b - a < min(0.25 * (high - low), 1000 * 0.3048):
            return False
        s.floor_m, s.ceiling_m = a, b
        s.altitude_changed = True
        if phase in _AIRBORNE:
            self.day.repath(s)
        return True

    def _try_delay(self, s: Sortie, phase: str, conflicts: Sequence[Notice | RouteLeg]) -> bool:
        if phase not in _BEFORE_TAKEOFF:
            return False
        buf = self.side.reaction.buffer_s
        t_on = s.t_on_s
        for _ in range(_MAX_SHIFTS):
            blocking = self.affecting(s.sector, (t_on, t_on + s.on_station_s), (s.floor_m, s.ceiling_m))
            if not blocking:
                break
            t_on = max(n.end_s for n in blocking) + buf
        else:
            return False
        if t_on - s.tasked_t_on_s > self.side.reaction.max_delay_s:
            return False
        s.delay_s += t_on - s.t_on_s
        s.t_on_s = t_on
        self.day.wake(s)
        return True

    def _try_retask(self, s: Sortie, phase: str, conflicts: Sequence[Notice | RouteLeg]) -> bool:
        fleet = self.day.fleet(s)
        weights = fleet_sector_weights(self.side, fleet)
        window = self.window(s)
        options = {
            name: w
            for name, w in weights.items()
            if w > 0 and name != s.sector and not self.affecting(name, window, (s.floor_m, s.ceiling_m))
        }
        if not options:
            return False
        names = list(options)
        cum = np.cumsum([options[n] for n in names])
        s.sector = names[min(int(np.searchsorted(cum, s.choice_u * cum[-1], side="right")), len(names) - 1)]
        s.retasked = True
        if phase in _BEFORE_TAKEOFF:
            self.day.wake(s)
        else:
            self.day.repath(s)  # the time flying to the new sector is lost on station
        return True

    def _try_hold(self, s: Sortie, phase: str, conflicts: Sequence[Notice | RouteLeg]) -> bool:
        if phase != "transit":
            return False
        assert s.on_station_start_s is not None and s.on_station_end_s is not None
        clear_s = max(n.end_s for n in conflicts) + self.side.reaction.buffer_s
        extra_s = clear_s - s.on_station_start_s  # from the arrival it now plans
        if extra_s <= 0 or s.held_s + extra_s > self.side.reaction.max_hold_s or clear_s >= s.on_station_end_s:
            return False
        s.held_s += extra_s
        self.day.repath(s, hold_s=extra_s)
        return True

    def _try_cancel(self, s: Sortie, phase: str, conflicts: Sequence[Notice | RouteLeg]) -> bool:
        if phase in _BEFORE_TAKEOFF:
            s.cancelled = True
            self.day.wake(s)
        else:
            s.aborted = True
            s.aborted_s = self.day.env.now
            self.day.abort(s)
        return True
