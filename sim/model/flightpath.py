"""One aircraft's 4-D path: waypoints joined by straight legs, built and re-built in flight.

Motion needs no simulation events: the model appends waypoints when a decision is taken
(launch, re-plan, landing) and the path between them is a straight leg flown at constant
velocity. Units: seconds, metres (local plane x east, y north, z altitude).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

__all__ = ["FlightPath", "WorkLegs"]


@dataclass
class FlightPath:
    """Waypoints ``(t_s, x_m, y_m, z_m)`` in time order; the last one is where the aircraft is."""

    t_s: list[float] = field(default_factory=list)
    x_m: list[float] = field(default_factory=list)
    y_m: list[float] = field(default_factory=list)
    z_m: list[float] = field(default_factory=list)

    @classmethod
    def starting_at(cls, t_s: float, x_m: float, y_m: float, z_m: float) -> FlightPath:
        """A path holding one waypoint."""
        return cls([t_s], [x_m], [y_m], [z_m])

    @property
    def end_s(self) -> float:
        return self.t_s[-1]

    @property
    def last(self) -> tuple[float, float, float]:
        return self.x_m[-1], self.y_m[-1], self.z_m[-1]

    def add(self, t_s: float, x_m: float, y_m: float, z_m: float) -> None:
        """Append a waypoint; a point at the same time as the last one replaces it."""
        t_s, x_m, y_m, z_m = float(t_s), float(x_m), float(y_m), float(z_m)  # plain floats: faster to read back
        if t_s < self.t_s[-1]:
            raise ValueError(f"waypoint at t={t_s} s is before the path's end {self.t_s[-1]} s")
        if t_s == self.t_s[-1]:
            self.x_m[-1], self.y_m[-1], self.z_m[-1] = x_m, y_m, z_m
            return
        self.t_s.append(t_s)
        self.x_m.append(x_m)
        self.y_m.append(y_m)
        self.z_m.append(z_m)

    def fly_to(self, x_m: float, y_m: float, z_m: float, speed_mps: float) -> float:
        """Fly a straight leg to the point at ``speed_mps`` horizontally; return arrival time (s).

        A purely vertical change (same x, y) is flown at the same speed along z.
        """
        x0, y0, z0 = self.last
        dist_m = math.hypot(x_m - x0, y_m - y0) or abs(z_m - z0)
        arrive_s = self.end_s + dist_m / speed_mps
        self.add(arrive_s, x_m, y_m, z_m)
        return arrive_s

    def hold_until(self, t_s: float) -> None:
        """Hold over the current point until ``t_s`` (a holding pattern shrunk to its centre)."""
        if t_s > self.end_s:
            self.add(t_s, *self.last)

    def position_at(self, t_s: float) -> tuple[float, float, float]:
        """Position (x, y, z in m) at ``t_s``, interpolated on the leg that holds it."""
        ts = self.t_s
        if t_s <= ts[0]:
            return self.x_m[0], self.y_m[0], self.z_m[0]
        if t_s >= ts[-1]:
            return self.last
        i = int(np.searchsorted(ts, t_s, side="right")) - 1
        f = (t_s - ts[i]) / (ts[i + 1] - ts[i])
        return (
            self.x_m[i] + f * (self.x_m[i + 1] - self.x_m[i]),
            self.y_m[i] + f * (self.y_m[i + 1] - self.y_m[i]),
            self.z_m[i] + f * (self.z_m[i + 1] - self.z_m[i]),
        )

    def shifted(self, dt_s: float, dz_m: float = 0.0, block_m: tuple[float, float] | None = None) -> FlightPath:
        """The same path ``dt_s`` later (a wingman in trail), a new path. ``dz_m`` raises every
        waypoint but the first and last (it takes off and lands on the runway); where the
        original waypoint lies in ``block_m`` (floor, ceiling), the raised one is kept in it."""
        z = list(self.z_m)
        if dz_m != 0.0:
            for k in range(1, len(z) - 1):
                raised = z[k] + dz_m
                if block_m is not None and block_m[0] <= z[k] <= block_m[1]:
                    raised = min(max(raised, block_m[0]), block_m[1])
                z[k] = raised
        return FlightPath([t + dt_s for t in self.t_s], list(self.x_m), list(self.y_m), z)

    def cut(self, t_s: float) -> None:
        """Forget every waypoint after ``t_s`` and end the path at its position then."""
        x, y, z = self.position_at(t_s)
        keep = int(np.searchsorted(self.t_s, t_s, side="right"))
        del self.t_s[keep:], self.x_m[keep:], self.y_m[keep:], self.z_m[keep:]
        self.add(t_s, x, y, z)

    def climb_and_fly_to(self, x_m: float, y_m: float, z_m: float, speed_mps: float, climb_s: float) -> float:
        """Fly to a point, reaching its altitude after ``climb_s`` (or at the point if sooner)."""
        x0, y0, _ = self.last
        dist_m = math.hypot(x_m - x0, y_m - y0)
        climb_m = speed_mps * climb_s
        if 0 < climb_m < dist_m:
            f = climb_m / dist_m
            self.add(self.end_s + climb_s, x0 + f * (x_m - x0), y0 + f * (y_m - y0), z_m)
        return self.fly_to(x_m, y_m, z_m, speed_mps)

    def follow(self, legs: Sequence[tuple[float, float, float]], x_m: float, y_m: float, z_m: float) -> float:
        """Fly ``legs`` towards a point; return the time at the end of the last one (s).

        Each leg is ``(duration_s, along, up)``: at its end the aircraft has flown the fraction
        ``along`` of the horizontal way from where the path ends now and made the fraction
        ``up`` of the height change (1.0: exactly the point's coordinate), as
        ``sim.model.profile`` builds them.
        """
        x0, y0, z0 = self.last
        t = self.end_s
        for duration_s, along, up in legs:
            t += duration_s
            self.add(
                t,
                x_m if along >= 1.0 else x0 + along * (x_m - x0),
                y_m if along >= 1.0 else y0 + along * (y_m - y0),
                z_m if up >= 1.0 else z0 + up * (z_m - z0),
            )
        return t

    def work(
        self,
        points_m: np.ndarray,
        z_m: np.ndarray,
        speed_mps: float,
        until_s: float,
    ) -> None:
        """Fly legs through ``points_m`` (k, 2) at altitudes ``z_m`` (k,) until ``until_s``.

        The last leg is cut short at ``until_s``; if the points run out first, the
        aircraft holds at the last one. Assumes the path already ends inside the sector.
        """
        x0, y0, z0 = self.last
        legs = WorkLegs(np.vstack([[x0, y0], np.asarray(points_m).reshape(-1, 2)]), speed_mps)
        self.work_along(legs, np.concatenate([[z0], z_m]), until_s)

    def work_along(self, legs: WorkLegs, z_m: np.ndarray, until_s: float) -> None:
        """``work`` along ``legs``, which start where the path ends, at altitudes ``z_m`` (k,)
        (one per point of ``legs``, the first being the path's own)."""
        ts, xs, ys, zs = self.t_s, self.x_m, self.y_m, self.z_m
        t, x0, y0, z0 = ts[-1], xs[-1], ys[-1], zs[-1]
        if t >= until_s:
            return
        leg_list, leg_x, leg_y, leg_point = legs.leg_s, legs.x_m, legs.y_m, legs.point
        i = 0
        while True:
            if i == len(leg_list):
                if not legs.extend():
                    break
                continue
            leg_s, x, y, z = leg_list[i], leg_x[i], leg_y[i], float(z_m[leg_point[i]])
            if t + leg_s > until_s:
                f = (until_s - t) / leg_s
                ts.append(until_s)
                xs.append(x0 + f * (x - x0))
                ys.append(y0 + f * (y - y0))
                zs.append(z0 + f * (z - z0))
                return
            t += leg_s
            ts.append(t)
            xs.append(x)
            ys.append(y)
            zs.append(z)
            x0, y0, z0 = x, y, z
            i += 1
        self.hold_until(until_s)


class WorkLegs:
    """The legs through work points (k, 2) m from the first, at ``speed_mps``: durations (s),
    end points (m) and each end's index into the points. Built 16 points at a time as a flight
    needs them (most points are never flown) and kept, so every flight of the same points at
    the same speed (the same sortie under another rule, or re-planned) reuses them. A point
    that repeats the one before it makes no leg."""

    __slots__ = ("leg_s", "point", "points_m", "speed_mps", "x_m", "y_m", "_next", "_x0", "_y0")

    def __init__(self, points_m: np.ndarray, speed_mps: float) -> None:
        self.points_m = points_m
        self.speed_mps = speed_mps
        self.leg_s: list[float] = []
        self.x_m: list[float] = []
        self.y_m: list[float] = []
        self.point: list[int] = []
        self._next = 1
        self._x0, self._y0 = (float(v) for v in points_m[0]) if len(points_m) else (0.0, 0.0)

    def extend(self) -> bool:
        """Read up to 16 more points; False when none are left."""
        k = self._next
        if k >= len(self.points_m):
            return False
        block = self.points_m[k : k + 16].tolist()
        x0, y0, speed = self._x0, self._y0, self.speed_mps
        for j, (x, y) in enumerate(block):
            leg_s = math.hypot(x - x0, y - y0) / speed
            if leg_s <= 0:
                continue
            self.leg_s.append(leg_s)
            self.x_m.append(x)
            self.y_m.append(y)
            self.point.append(k + j)
            x0, y0 = x, y
        self._x0, self._y0, self._next = x0, y0, k + len(block)
        return True
