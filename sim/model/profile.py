"""A fleet's flight profile near its base: departure and climb out, descent and approach home.

The one place that says how long a climb-out takes and where its legs end, so the planner
(``_Day.transit_s``, the short-notice estimate in ``tasking``) and the flight
(``FlightPath.follow``) agree exactly. A profile is a list of straight legs, each
``(duration_s, along, up)``: at the leg's end the aircraft has flown the fraction ``along``
of the horizontal way and made the fraction ``up`` of the height change. Legs "over the
base" (``along`` 0 on the way out, 1 on the way home) are a departure or approach pattern
shrunk to its centre, as holds are.

Climb out, from wheels-up at the base to the first work point ``dist_m`` away and ``rise_m``
above the base:

1. ``departure_s`` over the base, climbing;
2. the rest of the climb along the way at ``climb_mps``;
3. cruise at ``cruise_mps`` to the point.

The climb lasts ``|rise_m| / climb_rate_mps`` from wheels-up when the fleet gives a rate
(``climb_fpm``); if the point is nearer than the climb reaches, the aircraft climbs on over
it, so the rate is never exceeded. Without a rate the climb lasts ``climb_s``
(``climb_min``) or ends at the point if the point is reached sooner, as before.

Way home, from where the aircraft is (``dist_m`` from the base, ``drop_m`` above it) to
landing: cruise at its altitude, descend along the way at ``descent_mps`` so as to be over
the base ``approach_s`` before landing, then the approach over the base, ending at the
base's elevation. With a rate (``descent_fpm``) the descent lasts ``|drop_m| /
descent_rate_mps``; if that is longer than the way and the approach, it starts at once and
ends over the base. Without a rate the descent lasts the whole way home (as before), flown
at ``descent_mps``, and the approach.

A fleet that gives none of the climb fields (``plain_climb``) or none of the descent
fields (``plain_descent``) is flown exactly as before these fields existed (same floats):
the day then uses ``FlightPath.climb_and_fly_to`` and ``fly_to`` at cruise speed.
"""

from __future__ import annotations

from dataclasses import dataclass

from sim.scenario.models import Fleet

__all__ = ["Leg", "Profile"]

Leg = tuple[float, float, float]
"""``(duration_s, along, up)``: a straight leg's duration and, at its end, the fractions of
the horizontal way flown and of the height change made (1.0 means exactly the end point)."""


@dataclass(frozen=True, slots=True)
class Profile:
    """A fleet's speeds and rates near its base, in SI units (m/s, s)."""

    cruise_mps: float
    climb_mps: float
    climb_rate_mps: float | None
    climb_s: float
    departure_s: float
    descent_mps: float
    descent_rate_mps: float | None
    approach_s: float
    plain_climb: bool
    plain_descent: bool

    @classmethod
    def of(cls, fleet: Fleet) -> Profile:
        return cls(
            cruise_mps=fleet.cruise_mps,
            climb_mps=fleet.climb_mps,
            climb_rate_mps=fleet.climb_rate_mps,
            climb_s=fleet.climb_s,
            departure_s=fleet.departure_s,
            descent_mps=fleet.descent_mps,
            descent_rate_mps=fleet.descent_rate_mps,
            approach_s=fleet.approach_s,
            plain_climb=fleet.climb_kt is None and fleet.climb_fpm is None and fleet.departure_min is None,
            plain_descent=fleet.descent_kt is None and fleet.descent_fpm is None and fleet.approach_min is None,
        )

    def transit_s(self, dist_m: float, rise_m: float) -> float:
        """Wheels-up to arrival at a point ``dist_m`` away and ``rise_m`` above the base (s).

        The time the flight takes (``climb_legs``); for a plain climb, the way at cruise speed
        (the climb flown at cruise speed takes no extra time).
        """
        if self.plain_climb:
            return dist_m / self.cruise_mps
        t = 0.0
        for duration_s, _, _ in self.climb_legs(dist_m, rise_m):
            t += duration_s
        return t

    def climb_legs(self, dist_m: float, rise_m: float) -> list[Leg]:
        """The climb-out's legs from wheels-up to the point (durations > 0, in order)."""
        rate = self.climb_rate_mps
        climb_s = abs(rise_m) / rate if rate is not None else self.climb_s
        dep_s = self.departure_s
        legs: list[Leg] = []
        if dep_s > 0:  # over the base, climbing
            if climb_s <= dep_s:
                legs += [(climb_s, 0.0, 1.0), (dep_s - climb_s, 0.0, 1.0)]
            else:
                legs.append((dep_s, 0.0, dep_s / climb_s))
        rest_s = max(climb_s - dep_s, 0.0)  # climbing along the way
        climb_m = self.climb_mps * rest_s
        if rest_s > 0 and climb_m < dist_m:
            legs.append((rest_s, climb_m / dist_m, 1.0))
            legs.append(((dist_m - climb_m) / self.cruise_mps, 1.0, 1.0))
        elif rest_s > 0 and (rate is not None or dist_m == 0):  # at the point below its altitude: climb on over it
            way_s = dist_m / self.climb_mps
            legs += [(way_s, 1.0, (dep_s + way_s) / climb_s), (rest_s - way_s, 1.0, 1.0)]
        elif rest_s > 0:  # a fixed climb time: at the point's altitude when it gets there
            legs.append((dist_m / self.climb_mps, 1.0, 1.0))
        else:
            legs.append((dist_m / self.cruise_mps, 1.0, 1.0))
        legs = [leg for leg in legs if leg[0] > 0]
        if not legs and rise_m != 0:  # no time to climb and nowhere to go: straight up at climb speed
            legs.append((abs(rise_m) / self.climb_mps, 1.0, 1.0))
        return legs

    def descent_legs(self, dist_m: float, drop_m: float) -> list[Leg]:
        """The way home's legs from where the aircraft is to landing (durations > 0, in order)."""
        app_s = self.approach_s
        way_s = dist_m / self.descent_mps  # the whole way at descent speed
        rate = self.descent_rate_mps
        if rate is None:  # the descent lasts the whole way home and the approach
            total_s = way_s + app_s
            legs = [(way_s, 1.0, way_s / total_s if total_s > 0 else 1.0), (app_s, 1.0, 1.0)]
        else:
            down_s = abs(drop_m) / rate
            if down_s <= app_s:  # cruise to the base, then the approach: level, then down
                legs = [(dist_m / self.cruise_mps, 1.0, 0.0), (app_s - down_s, 1.0, 0.0), (down_s, 1.0, 1.0)]
            elif down_s <= app_s + way_s:  # cruise to the top of descent, down along the way, approach
                along_s = down_s - app_s
                cruise_m = max(dist_m - self.descent_mps * along_s, 0.0)
                legs = [
                    (cruise_m / self.cruise_mps, cruise_m / dist_m if dist_m > 0 else 1.0, 0.0),
                    (along_s, 1.0, along_s / down_s),
                    (app_s, 1.0, 1.0),
                ]
            else:  # down at once, along the whole way and on over the base
                legs = [(way_s, 1.0, way_s / down_s), (down_s - way_s, 1.0, 1.0)]
        legs = [leg for leg in legs if leg[0] > 0]
        if not legs and drop_m != 0:  # over the base with no time to descend: straight down at descent speed
            legs.append((abs(drop_m) / self.descent_mps, 1.0, 1.0))
        return legs
