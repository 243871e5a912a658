"""Mission value: what the day's re-plans and manoeuvres cost each sortie, in sortie equivalents.

A sortie flown as planned (all of its planned on-station time, in its planned sector and
altitude block, in its planned window) is worth 1. Its value is

    value = S x (1 - retask_loss)^R x (1 - altitude_loss)^A x (1 - delay_loss x d)^D
              x (1 - hold_loss)^H x (1 - abort_loss)^B x (1 - abandon_loss)^T x (1 - cancel_loss)^C

where each exponent is 1 if the sortie went through that change (once, however often) and
0 if not: re-tasked to another sector (R), flew another altitude block than its fleet's
(A), delayed (D), held short of its sector (H), sent home by its ops cell (B), its mission
abandoned in the tactical layer (T: sent home by its crew, or left with no on-station time
by a manoeuvre), cancelled (C). ``d = min(1, delay / planned on-station time)`` is the
share of the planned window that the delayed window lies past. ``S = 1 - lost_on_station x
min(1, lost on-station time / planned on-station time)`` for a sortie that took off, and 1
for a cancelled one (its loss is ``cancel_loss``: the time is not counted twice). The
rates are the fleet's ``mission_value`` block over its side's over
``MISSION_VALUE_DEFAULTS`` (``sim.scenario.models``). Every factor lies in [0, 1], so the
value does too, and it never rises when a rate, a delay or a time lost rises. Waiting for
an aircraft or the runway, and launch jitter, are not re-plans and cost nothing here.

The side's ``mission_value_lost`` is the sum of ``1 - value`` over its planned sorties: 0
when every sortie flew as planned, at most the number of sorties planned.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable

from sim.model.tasking import Sortie
from sim.scenario.models import MissionValue, Scenario

__all__ = ["mission_value_lost", "rates_for", "sortie_value"]

Rates = Callable[[Sortie], MissionValue]
"""The mission value block that applies to a sortie (its fleet's over its side's)."""


def sortie_value(s: Sortie, rates: MissionValue) -> float:
    """The mission value of ``s`` after its day, in [0, 1] (1: flown as planned)."""
    factors: list[float] = []
    if s.cancelled:
        factors.append(1.0 - rates.loss("cancel_loss"))
    elif s.on_station_s > 0:
        share = min(1.0, s.lost_on_station_s / s.on_station_s)
        factors.append(1.0 - rates.loss("lost_on_station") * share)
    if s.retasked:
        factors.append(1.0 - rates.loss("retask_loss"))
    if s.altitude_changed:
        factors.append(1.0 - rates.loss("altitude_loss"))
    if s.delay_s > 0:
        past = min(1.0, s.delay_s / s.on_station_s) if s.on_station_s > 0 else 1.0
        factors.append(1.0 - rates.loss("delay_loss") * past)
    if s.held_s > 0:
        factors.append(1.0 - rates.loss("hold_loss"))
    if s.aborted:
        factors.append(1.0 - rates.loss("abort_loss"))
    if s.tactical_rtb_s is not None or s.tactical_abandoned:
        factors.append(1.0 - rates.loss("abandon_loss"))
    return max(0.0, math.prod(factors))


def mission_value_lost(sorties: Iterable[Sortie], rates: Rates) -> float:
    """Sortie equivalents of value lost: the sum of ``1 - sortie_value`` over ``sorties``."""
    return math.fsum(1.0 - sortie_value(s, rates(s)) for s in sorties)


_DEFAULTS = MissionValue()


def default_rates(s: Sortie) -> MissionValue:
    """Every sortie at the built-in defaults (a day with no scenario at hand)."""
    return _DEFAULTS


def rates_for(scenario: Scenario) -> Rates:
    """The scenario's mission value blocks, each fleet's resolved once over its side's."""
    table = {
        (side, fleet): scenario.fleet_mission_value(side, fleet)
        for side, spec in scenario.sides.items()
        for fleet in spec.fleets
    }
    return lambda s: table[(s.side, s.fleet)]
