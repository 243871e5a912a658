"""The tactical layer: each side's air picture, standoff alerts and in-flight manoeuvres.

Event-driven, with no time step. Between decisions every flight is straight legs, so the
next time an aircraft of the other side enters an aircraft's alert volume is the start of
the next conflict interval of their current paths (``sim.detect.pairwise``, the detector's
closed form). Whenever a path changes (take-off, a re-plan, a manoeuvre, the end of one),
the layer recomputes that aircraft's pairs and schedules, per pair, one SimPy event: the
alert. An event whose pair changed since is ignored when it comes (a token), so the number
of events grows with path changes and alerts, not with flight time.

The side's picture shifts the alert: the intruder must be inside the volume *and* seen by a
source at a picture update (every ``update_s``, from time 0), and the crew learns of it
``latency_s`` after that update. An encounter that no update sees is *missed*; missed
encounters are counted after the day from the flown tracks. One encounter (a maximal
interval inside the volume) gives at most one alert; a new one needs the pair to leave the
volume first. Manoeuvres and their limits are described in ``sim.scenario.tactical``.

What the crews predict: the clear time of an avoidance is worked out against the
intruder's path as it is planned at the manoeuvre (the crew watches it until clear); the
escape heading is away from where the picture last showed the intruder. Flying straight
away never lets a slower (or equally fast) intruder close in, so with perfect surveillance
and no response time a side that always yields keeps the standoff. A faster intruder
closing from behind cannot always be escaped: an avoidance that is not clear after
``max_avoid_min`` is decided again (a new manoeuvre, counted), until the pair is clear or
the sortie's ``max_avoid_total_min`` is spent; then the next kind in the list applies
(``rtb``, say) or, if none, the sortie resumes its mission while the encounter goes on.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

import numpy as np
import simpy

from sim.detect.pairwise import Path, conflict_intervals, iter_conflict_intervals, point_path
from sim.model.flightpath import FlightPath
from sim.model.tasking import Sortie
from sim.scenario.models import Fleet
from sim.scenario.projection import LocalProjection
from sim.scenario.tactical import ANY_ALTITUDE_M, Tactical

__all__ = ["Alert", "TacticalDay", "TacticalLayer"]

_FAR_M = 1e12  # a horizontal range that covers everything (the 'above lowest' test)
_BUDGET_TOL_S = 1e-6  # avoidance time left below this is spent (sums of durations round)
_TOUCH_REL_TOL = 1e-9  # intervals this close (relative, s) are one, as in the detector's merge


@dataclass(frozen=True)
class Alert:
    """One alert: side ``side``'s sortie ``own`` saw sortie ``intruder`` inside its volume.

    ``sample_s`` is the picture update that showed it, ``alert_s`` when the crew learnt of
    it (s); ``manoeuvre`` what the crew did (a kind of ``sim.scenario.tactical``), or
    ``""`` when it did not manoeuvre (it does not yield to that intruder, it had landed,
    or it was already clear when it could act).
    """

    side: str
    own: int
    intruder: int
    sample_s: float
    alert_s: float
    manoeuvre: str


class TacticalDay(Protocol):
    """What the tactical layer may read and change of its day (``sim.model.day``)."""

    env: simpy.Environment
    paths: dict[int, FlightPath]

    def fleet(self, s: Sortie) -> Fleet:
        """The fleet the sortie flies with."""
        ...

    def divert(self, s: Sortie, waypoints: Sequence[tuple[float, float, float, float]]) -> None:
        """Fly ``waypoints`` (t_s, x_m, y_m, z_m) from now, then resume the mission or go home."""
        ...

    def abort(self, s: Sortie) -> None:
        """Send an airborne sortie straight home."""
        ...


@dataclass
class _Watch:
    """The state of one (own, intruder) pair: the scheduled alert and the encounter already seen."""

    token: int = 0
    through_s: float = -math.inf  # end of the encounter already shown in the picture
    pending: list[float] | None = None  # [sample_s, end of its encounter] of the scheduled alert
    last_alert_s: float = -math.inf  # sample time of the pair's latest alert


def _as_path(p: FlightPath) -> Path:
    return p.t_s, p.x_m, p.y_m, p.z_m


def _velocity_at(p: FlightPath, t_s: float) -> tuple[float, float]:
    """Horizontal velocity (m/s) on the leg flown at ``t_s`` (the leg ending after it)."""
    ts = p.t_s
    i = min(max(int(np.searchsorted(ts, t_s, side="right")) - 1, 0), len(ts) - 2)
    while i >= 0 and ts[i + 1] <= ts[i]:
        i -= 1
    if i < 0:
        return 0.0, 0.0
    dt = ts[i + 1] - ts[i]
    return (p.x_m[i + 1] - p.x_m[i]) / dt, (p.y_m[i + 1] - p.y_m[i]) / dt


def remaining_work_s(s: Sortie, t_s: float) -> float:
    """On-station time the sortie still plans to work after ``t_s`` (s)."""
    return sum(max(0.0, end - max(start, t_s)) for start, end in s.work_segments)


class TacticalLayer:
    """The tactical layer of one simulated day, for the sides whose ``tactical`` is given."""

    def __init__(
        self, day: TacticalDay, specs: dict[str, Tactical], sides: Sequence[str], projection: LocalProjection
    ) -> None:
        self.day = day
        self.specs = specs
        self.sides = tuple(sides)
        self.airborne: dict[str, dict[int, Sortie]] = {name: {} for name in self.sides}
        self.watch: dict[tuple[int, int], _Watch] = {}
        self.alerts: list[Alert] = []
        self.scheduled = 0  # alert events put on the SimPy queue
        self._avoid_token: dict[int, int] = {}  # per sortie: bumps when a new avoidance starts
        self._side_of: dict[int, str] = {}
        self._met: set[tuple[int, int]] = set()  # (own, intruder) pairs whose paths ever had an encounter ahead
        self.sites: dict[str, list[tuple[float, float, float, float]]] = {}
        self.aboard: dict[str, dict[str, list[tuple[float, float]]]] = {}
        for side, spec in specs.items():
            sites: list[tuple[float, float, float, float]] = []
            aboard: dict[str, list[tuple[float, float]]] = {}
            for src in spec.surveillance.sources:
                if src.fleets is None:
                    assert src.lat_deg is not None and src.lon_deg is not None
                    x, y = projection.to_xy(src.lat_deg, src.lon_deg)
                    sites.append((float(x), float(y), src.range_m, src.lowest_m))
                else:
                    for f in src.fleets:
                        aboard.setdefault(f, []).append((src.range_m, src.lowest_m))
            self.sites[side], self.aboard[side] = sites, aboard

    # --- what the day tells the layer ----------------------------------------------------------
    def launched(self, s: Sortie) -> None:
        self.airborne[s.side][s.id] = s
        self._side_of[s.id] = s.side
        self.path_changed(s)

    def landed(self, s: Sortie) -> None:
        self.airborne[s.side].pop(s.id, None)

    def path_changed(self, s: Sortie) -> None:
        """``s``'s path changed now: every pair it is in gets its next alert anew."""
        if s.id not in self.airborne[s.side]:
            return
        for side in self.sides:
            if side == s.side:
                continue
            for o in list(self.airborne[side].values()):
                if self._watches(s):
                    self._recompute(s, o)
                if self._watches(o):
                    self._recompute(o, s)

    # --- alerts -------------------------------------------------------------------------------
    def _watches(self, own: Sortie) -> bool:
        return own.side in self.specs and self.day.fleet(own).tactical

    def _recompute(self, own: Sortie, intr: Sortie, since_s: float | None = None) -> None:
        """Schedule the pair's next alert from its current paths.

        ``since_s`` (in the past) looks back for an encounter that began after the one just
        alerted but before now (a latency longer than the gap between them): its alert is
        delivered now at the latest.
        """
        env = self.day.env
        now = env.now
        spec = self.specs[own.side]
        rec = self.watch.setdefault((own.id, intr.id), _Watch())
        kept = rec.pending is not None and rec.pending[0] <= now  # already in the picture: it will fire
        if not kept:
            rec.pending = None
            rec.token += 1
        touch = now + _TOUCH_REL_TOL * max(1.0, abs(now))  # the detector's merge tolerance
        # the encounter under way now is one already seen if the picture showed it
        seen_now = rec.through_s >= now or (kept and rec.pending is not None and rec.pending[1] >= now)
        start = now if since_s is None else min(since_s, now)
        pa, pb = _as_path(self.day.paths[own.id]), _as_path(self.day.paths[intr.id])
        h, v = spec.standoff_m, spec.standoff_v_m
        continued = False
        # lazily: the sweep stops at the encounter that gets the alert
        for lo, hi in iter_conflict_intervals(pa, pb, start, h, v):
            self._met.add((own.id, intr.id))
            if since_s is not None and hi <= rec.through_s:
                continue  # the encounter just alerted, seen again on the look back
            if lo <= touch and hi >= now and seen_now:  # the encounter already seen goes on
                rec.through_s = hi
                if rec.pending is not None:
                    rec.pending[1] = hi
                continued = True
                continue
            if kept:
                break
            sample = self._first_seen(own, intr, max(lo, start), hi)
            if sample is None:
                continue  # no update sees this one: missed
            if rec.last_alert_s > -math.inf and sample <= rec.last_alert_s + _TOUCH_REL_TOL * max(
                1.0, abs(rec.last_alert_s)
            ):
                # left and re-entered at the very instant of the last alert (an avoidance that
                # starts on the volume's edge): the same encounter, not a new one
                rec.through_s = hi
                continued = True
                continue
            rec.pending = [sample, hi]
            token = rec.token
            event = env.timeout(max(sample + spec.surveillance.latency_s - now, 0.0))
            event.callbacks.append(functools.partial(self._fire_event, own, intr, token))
            self.scheduled += 1
            break
        if not continued:
            rec.through_s = -math.inf

    def _first_seen(self, own: Sortie, intr: Sortie, lo: float, hi: float) -> float | None:
        """The first picture update in [lo, hi) (s) at which ``own``'s side sees ``intr``, or None."""
        surv = self.specs[own.side].surveillance
        if surv.perfect:
            return lo
        pi = _as_path(self.day.paths[intr.id])
        covered: list[tuple[float, float]] = []
        for x, y, range_m, lowest_m in self.sites[own.side]:
            site = point_path(lo, hi, x, y, lowest_m + ANY_ALTITUDE_M)
            covered += conflict_intervals(pi, site, lo, range_m, ANY_ALTITUDE_M)
        for range_m, lowest_m in self.aboard[own.side].get(own.fleet, []):
            near = conflict_intervals(_as_path(self.day.paths[own.id]), pi, lo, range_m, ANY_ALTITUDE_M)
            above = conflict_intervals(
                pi, point_path(lo, hi, 0.0, 0.0, lowest_m + ANY_ALTITUDE_M), lo, _FAR_M, ANY_ALTITUDE_M
            )
            covered += _intersect(near, above)
        step = surv.update_s
        for a, b in sorted(covered):
            a, b = max(a, lo), min(b, hi)
            t = a
            if step > 0:
                k = math.ceil(a / step)
                t = k * step
                if t < a:
                    t = (k + 1) * step
            if t < b:
                return t
        return None

    def _fire_event(self, own: Sortie, intr: Sortie, token: int, _event: simpy.Event) -> None:
        self._fire(own, intr, token)

    def _fire(self, own: Sortie, intr: Sortie, token: int) -> None:
        rec = self.watch[(own.id, intr.id)]
        if rec.token != token or rec.pending is None:
            return
        sample, hi = rec.pending
        rec.pending = None
        rec.through_s = hi
        rec.last_alert_s = sample
        spec = self.specs[own.side]
        own.tactical_alerts += 1
        index = len(self.alerts)
        self.alerts.append(Alert(own.side, own.id, intr.id, sample, self.day.env.now, ""))
        if own.id in self.airborne[own.side] and self._yields(own, intr, spec):
            if spec.response_s > 0:
                event = self.day.env.timeout(spec.response_s)
                event.callbacks.append(lambda _e: self._manoeuvre(own, intr, index))
            else:
                self._manoeuvre(own, intr, index)
        if own.id in self.airborne[own.side] and intr.id in self.airborne[intr.side]:
            # the pair's next encounter, looking back to the end of this one
            self._recompute(own, intr, since_s=hi if hi < self.day.env.now else None)

    def _yields(self, own: Sortie, intr: Sortie, spec: Tactical) -> bool:
        if spec.yields == "always":
            return True
        now = self.day.env.now
        vx, vy = _velocity_at(self.day.paths[own.id], now)
        ox, oy, _ = self.day.paths[own.id].position_at(now)
        ix, iy, _ = self._pictured(own, intr, now)
        return vx * (iy - oy) - vy * (ix - ox) < 0  # the intruder is to the right of the heading

    # --- manoeuvres ---------------------------------------------------------------------------
    def _pictured(self, own: Sortie, intr: Sortie, t_s: float) -> tuple[float, float, float]:
        """Where ``own``'s side's picture shows ``intr`` at ``t_s``: its position at the latest update shown."""
        surv = self.specs[own.side].surveillance
        sample = t_s - surv.latency_s
        if surv.update_s > 0:
            sample = math.floor(sample / surv.update_s) * surv.update_s
        return self.day.paths[intr.id].position_at(sample)

    def _manoeuvre(self, own: Sortie, intr: Sortie, index: int) -> None:
        now = self.day.env.now
        if own.id not in self.airborne[own.side] or self.day.paths[own.id].end_s <= now:
            return
        spec = self.specs[own.side]
        for kind in spec.manoeuvre:
            if kind == "none":
                self._record(index, own, kind, 0.0)
                return
            before = remaining_work_s(own, now)
            capped = False
            if kind == "rtb":
                if own.tactical_rtb_s is not None or own.aborted:
                    continue  # already on its way home
                self._bump(own)
                own.tactical_rtb_s = now
                self.day.abort(own)
            else:
                planned = self._plan(kind, own, intr, spec)
                if planned is None:
                    continue
                plan, capped = planned
                if not plan:
                    return  # already clear: nothing to do
                self._bump(own)
                own.tactical_avoid_s += plan[-1][0] - now
                self.day.divert(own, plan)
            self._record(index, own, kind, before - remaining_work_s(own, now))
            if before > 0 and remaining_work_s(own, now) == 0:
                own.tactical_abandoned = True
            if capped:  # not clear when the avoidance ends: decide again then
                token = self._avoid_token[own.id]
                event = self.day.env.timeout(plan[-1][0] - now)
                event.callbacks.append(functools.partial(self._go_on, own, intr, index, token))
            return

    def _bump(self, own: Sortie) -> None:
        """A new plan for ``own``'s path: an avoidance still waiting to be decided again is dropped."""
        self._avoid_token[own.id] = self._avoid_token.get(own.id, 0) + 1

    def replanned(self, s: Sortie) -> None:
        """The day re-planned ``s`` (an ops-cell re-plan or abort): the same as a path change, and
        an avoidance waiting to be decided again is dropped."""
        self._bump(s)
        self.path_changed(s)

    def _go_on(self, own: Sortie, intr: Sortie, index: int, token: int, _event: simpy.Event) -> None:
        """The end of an avoidance that had not cleared: avoid again (nothing else changed the path)."""
        if self._avoid_token.get(own.id) == token:
            self._manoeuvre(own, intr, index)

    def _record(self, index: int, own: Sortie, kind: str, lost_s: float) -> None:
        a = self.alerts[index]
        self.alerts[index] = Alert(a.side, a.own, a.intruder, a.sample_s, a.alert_s, kind)
        own.tactical_manoeuvres.append(kind)
        own.tactical_lost_s += lost_s  # signed: a later avoidance can give back time an earlier one took

    def _plan(
        self, kind: str, own: Sortie, intr: Sortie, spec: Tactical
    ) -> tuple[list[tuple[float, float, float, float]], bool] | None:
        """The avoidance's waypoints (t_s, x_m, y_m, z_m) (``[]`` if already clear) and whether it
        ends before the pair is clear (capped by ``max_avoid_min`` or the sortie's budget);
        None if ``kind`` cannot apply."""
        now = self.day.env.now
        path = self.day.paths[own.id]
        fleet = self.day.fleet(own)
        x, y, z = path.position_at(now)
        speed = fleet.cruise_mps
        budget_s = min(spec.max_avoid_s, spec.max_avoid_total_s - own.tactical_avoid_s)
        until = now + budget_s
        if budget_s <= _BUDGET_TOL_S or until <= now:
            return None  # the sortie's avoidance time is spent (to rounding)
        if kind == "turn_away":
            ix, iy, _ = self._pictured(own, intr, now)
            ux, uy = x - ix, y - iy
            norm = math.hypot(ux, uy)
            if norm == 0:
                vx, vy = _velocity_at(path, now)
                ux, uy, norm = vx, vy, math.hypot(vx, vy) or 1.0
            ux, uy = ux / norm, uy / norm
            legs = [(until, x + ux * speed * budget_s, y + uy * speed * budget_s, z)]
        elif kind == "hold":
            legs = [(until, x, y, z)]
        elif kind == "altitude":
            if spec.standoff_ft is None:
                return None
            _, _, iz = self._pictured(own, intr, now)
            options = [iz + spec.clear_v_m, iz - spec.clear_v_m]
            options = [t for t in options if fleet.floor_m <= t <= fleet.ceiling_m]
            if not options:
                return None
            target = min(options, key=lambda t: (abs(t - z), t))
            climb_s = abs(target - z) / spec.climb_mps
            if climb_s > budget_s:
                return None
            vx, vy = _velocity_at(path, now)
            h_speed = math.hypot(vx, vy)
            ux, uy = (vx / h_speed, vy / h_speed) if h_speed > 0 else (0.0, 0.0)
            level_s = now + climb_s
            end = until
            legs = [
                (level_s, x + ux * speed * climb_s, y + uy * speed * climb_s, target),
                (end, x + ux * speed * (end - now), y + uy * speed * (end - now), target),
            ]
        else:  # pragma: no cover - the scenario model allows only the kinds above
            raise ValueError(f"unknown manoeuvre {kind!r}")
        return self._until_clear(own, intr, spec, legs)

    def _until_clear(
        self, own: Sortie, intr: Sortie, spec: Tactical, legs: list[tuple[float, float, float, float]]
    ) -> tuple[list[tuple[float, float, float, float]], bool]:
        """The avoidance ``legs`` cut where the pair is clear of the clear volume ([] if clear
        already), and whether they end before that."""
        now = self.day.env.now
        path = self.day.paths[own.id]
        x, y, z = path.position_at(now)
        ts, xs, ys, zs = [now], [x], [y], [z]
        for t, lx, ly, lz in legs:
            if t > ts[-1]:
                ts.append(t)
                xs.append(lx)
                ys.append(ly)
                zs.append(lz)
        tentative: Path = (ts, xs, ys, zs)
        inside = conflict_intervals(tentative, _as_path(self.day.paths[intr.id]), now, spec.clear_m, spec.clear_v_m)
        if not inside or inside[0][0] > now:
            return [], False
        capped = inside[0][1] >= ts[-1]
        clear_s = min(inside[0][1], ts[-1])
        out: list[tuple[float, float, float, float]] = []
        for k in range(1, len(ts)):
            if ts[k] < clear_s:
                out.append((ts[k], xs[k], ys[k], zs[k]))
                continue
            f = (clear_s - ts[k - 1]) / (ts[k] - ts[k - 1])
            out.append(
                (
                    clear_s,
                    xs[k - 1] + f * (xs[k] - xs[k - 1]),
                    ys[k - 1] + f * (ys[k] - ys[k - 1]),
                    zs[k - 1] + f * (zs[k] - zs[k - 1]),
                )
            )
            break
        return out, capped

    # --- after the day ------------------------------------------------------------------------
    def missed(self, window_s: tuple[float, float] | None = None) -> dict[str, int]:
        """Per side: encounters inside its alert volume, on the flown paths, that no alert saw.

        With ``window_s`` (a warm-up's measured day), only those that start inside it.
        Counted for the side's aircraft that take part (fleets with ``tactical`` on). Only
        pairs that some recomputation found an encounter ahead for can have one: every
        encounter of the flown paths lies ahead of the last path change before it, when the
        pair was recomputed on the same paths.
        """
        out = {side: 0 for side in self.sides}
        samples: dict[tuple[int, int], list[float]] = {}
        for a in self.alerts:
            samples.setdefault((a.own, a.intruder), []).append(a.sample_s)
        for own_id, intr_id in sorted(self._met):
            side = self._side_of[own_id]
            spec = self.specs[side]
            if spec.surveillance.perfect:
                continue  # a perfect picture sees every encounter when it starts
            flown = conflict_intervals(
                _as_path(self.day.paths[own_id]), _as_path(self.day.paths[intr_id]), -math.inf,
                spec.standoff_m, spec.standoff_v_m,
            )  # fmt: skip
            seen = samples.get((own_id, intr_id), [])
            if window_s is not None:
                flown = [(lo, hi) for lo, hi in flown if window_s[0] <= lo < window_s[1]]
            out[side] += sum(1 for lo, hi in flown if not any(lo <= t <= hi for t in seen))
        return out


def _intersect(a: list[tuple[float, float]], b: list[tuple[float, float]]) -> list[tuple[float, float]]:
    """Intersection of two sorted lists of disjoint intervals."""
    out, i, j = [], 0, 0
    while i < len(a) and j < len(b):
        lo, hi = max(a[i][0], b[j][0]), min(a[i][1], b[j][1])
        if hi > lo:
            out.append((lo, hi))
        if a[i][1] < b[j][1]:
            i += 1
        else:
            j += 1
    return out
