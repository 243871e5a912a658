"""What each notification rule does during a simulated day: the notices it sends and when.

A rule's parameters are its scenario specification (``sim.scenario.rules``); its behaviour
is one class here per ``kind``, made by :func:`rule_for`. The day calls ``start(ctx)`` once
when the day's tasking is known, ``on_created(ctx, sortie)`` when a short-notice sortie is
added, ``on_launch(ctx, sortie)`` when a sortie takes off, ``on_replanned(ctx, sortie)``
when the sender's own ops cell changes one, and ``altitude_block(side, floor_m,
ceiling_m)`` when a sortie's altitude block is set. A rule only *sends* notices
(``ctx.send``); what the receiving side does with them is the ops cell's job
(``sim.model.opscell``).
"""

from __future__ import annotations

from collections.abc import Generator, Sequence
from typing import Any, ClassVar

import simpy

from sim.model.notices import PlannedSortie, PolicyContext, is_gone, make_notice
from sim.scenario.rules import AdvanceNotice, AltitudeSplit, Hotline, NoNotice, PolicySpec, SharedSchedule
from sim.units import FT_M, MIN_S

__all__ = [
    "AdvanceNoticeRule",
    "AltitudeSplitRule",
    "HotlineRule",
    "NoNoticeRule",
    "Rule",
    "SharedScheduleRule",
    "rule_for",
]


def _other(side_names: Sequence[str], side: str) -> str:
    return side_names[1] if side == side_names[0] else side_names[0]


class Rule:
    """The behaviour every rule shares: send nothing, leave altitude blocks alone."""

    spec_type: ClassVar[type] = NoNotice

    def __init__(self, spec: PolicySpec) -> None:
        if not isinstance(spec, self.spec_type):
            raise TypeError(f"{type(self).__name__} needs a {self.spec_type.__name__}, got {type(spec).__name__}")
        self.spec = spec

    def start(self, ctx: PolicyContext) -> None:
        """Schedule what the rule sends from the day's tasking."""

    def on_created(self, ctx: PolicyContext, sortie: PlannedSortie) -> None:
        """React to a short-notice sortie that has just been added to its side's tasking."""

    def on_launch(self, ctx: PolicyContext, sortie: PlannedSortie) -> None:
        """React to a sortie taking off."""

    def on_replanned(self, ctx: PolicyContext, sortie: PlannedSortie) -> None:
        """React to the sender's own ops cell changing a sortie (delay, re-task, cancel, ...)."""

    def altitude_block(self, side: str, floor_m: float, ceiling_m: float) -> tuple[float, float]:
        """The altitude block a side's sortie may use, given its fleet's block (metres)."""
        return floor_m, ceiling_m


class NoNoticeRule(Rule):
    """No notification at all: each side flies its own tasking blind."""

    spec_type = NoNotice


class AdvanceNoticeRule(Rule):
    """Each covered sortie of the sender announced ``lead_min`` before its planned arrival; one-shot."""

    spec_type = AdvanceNotice
    spec: AdvanceNotice

    def start(self, ctx: PolicyContext) -> None:
        for sortie in ctx.sorties(self.spec.sender):
            self.on_created(ctx, sortie)

    def on_created(self, ctx: PolicyContext, sortie: PlannedSortie) -> None:
        if sortie.side == self.spec.sender and sortie.coverage_u < self.spec.coverage:
            ctx.env.process(self._announce(ctx, sortie))

    def _announce(self, ctx: PolicyContext, sortie: PlannedSortie) -> Generator[Any, Any, None]:
        send_at = max(sortie.t_on_s - self.spec.lead_min * MIN_S, ctx.env.now)
        yield ctx.env.timeout(send_at - ctx.env.now)
        if not is_gone(sortie):  # a one-shot notice: nothing is sent for later changes
            receiver = self.spec.receiver
            ctx.send(receiver, [make_notice(sortie, receiver, self.spec.content, ctx.env.now, ctx.cover, ctx.route)])


class SharedScheduleRule(Rule):
    """The day's tasking exchanged at the start; short-notice sorties and re-plans as updates."""

    spec_type = SharedSchedule
    spec: SharedSchedule

    def _sends(self, side: str) -> bool:
        return self.spec.senders is None or side in self.spec.senders

    def start(self, ctx: PolicyContext) -> None:
        for side in ctx.side_names:
            if not self._sends(side):
                continue
            receiver = _other(ctx.side_names, side)
            batch = [
                make_notice(s, receiver, self.spec.content, ctx.env.now, ctx.cover, ctx.route)
                for s in ctx.sorties(side)
                if not s.short_notice
            ]
            if batch:
                ctx.send(receiver, batch)

    def on_created(self, ctx: PolicyContext, sortie: PlannedSortie) -> None:
        if self.spec.update_lead_min is not None and self._sends(sortie.side):
            ctx.env.process(self._update(ctx, sortie, self.spec.update_lead_min * MIN_S))

    def _update(self, ctx: PolicyContext, sortie: PlannedSortie, lead_s: float) -> Generator[Any, Any, None]:
        yield ctx.env.timeout(max(sortie.t_on_s - lead_s - ctx.env.now, 0.0))
        if not is_gone(sortie):
            receiver = _other(ctx.side_names, sortie.side)
            ctx.send(receiver, [make_notice(sortie, receiver, self.spec.content, ctx.env.now, ctx.cover, ctx.route)])

    def on_replanned(self, ctx: PolicyContext, sortie: PlannedSortie) -> None:
        """A shared sortie that its side re-plans is announced again (or withdrawn)."""
        if not self._sends(sortie.side):
            return
        lead_min = self.spec.update_lead_min
        shared = not sortie.short_notice or (lead_min is not None and ctx.env.now >= sortie.t_on_s - lead_min * MIN_S)
        if shared:
            receiver = _other(ctx.side_names, sortie.side)
            ctx.send(receiver, [make_notice(sortie, receiver, self.spec.content, ctx.env.now, ctx.cover, ctx.route)])


class HotlineRule(Rule):
    """A call at each launch through a line of limited capacity, delivered ``latency_min`` later."""

    spec_type = Hotline
    spec: Hotline

    def __init__(self, spec: PolicySpec) -> None:
        super().__init__(spec)
        self.called: set[tuple[str, int]] = set()  # (side, sortie id) called in at least once today

    def on_launch(self, ctx: PolicyContext, sortie: PlannedSortie) -> None:
        if self.spec.senders is not None and sortie.side not in self.spec.senders:
            return
        if sortie.coverage_u >= self.spec.coverage:
            return
        if self.spec.near_only and not self._near(ctx, sortie):
            return
        self.called.add((sortie.side, sortie.id))
        ctx.env.process(self._call(ctx, sortie, ctx.resource("hotline", 1)))

    def _near(self, ctx: PolicyContext, sortie: PlannedSortie) -> bool:
        """Whether the other side has a sortie up or planned in a region sharing area with this
        one's, its window within ``near_window_min`` of this one's."""
        margin_s = self.spec.near_window_min * MIN_S
        start, end = sortie.t_on_s - margin_s, sortie.t_on_s + sortie.on_station_s + margin_s
        for other in ctx.sorties(_other(ctx.side_names, sortie.side)):
            if is_gone(other) or not (other.t_on_s < end and other.t_on_s + other.on_station_s > start):
                continue
            if ctx.overlap(other.sector, sortie.sector):
                return True
        return False

    def on_replanned(self, ctx: PolicyContext, sortie: PlannedSortie) -> None:
        """An airborne sortie re-planned is called in again: always if it was called in before
        (its update or withdrawal must follow), else if it now passes the filters."""
        if sortie.launched_s is None:
            return
        if (sortie.side, sortie.id) in self.called:
            ctx.env.process(self._call(ctx, sortie, ctx.resource("hotline", 1)))
        else:
            self.on_launch(ctx, sortie)

    def _call(self, ctx: PolicyContext, sortie: PlannedSortie, line: simpy.Resource) -> Generator[Any, Any, None]:
        with line.request() as slot:
            yield slot
            if ctx.env.now >= sortie.t_on_s + sortie.on_station_s or sortie.landed_s is not None:
                return  # still queued when the sortie's window has ended: the call is dropped
            ctx.env.process(self._deliver(ctx, sortie))
            yield ctx.env.timeout(3600.0 / self.spec.calls_per_hour)  # the line is busy for this long

    def _deliver(self, ctx: PolicyContext, sortie: PlannedSortie) -> Generator[Any, Any, None]:
        yield ctx.env.timeout(self.spec.latency_min * MIN_S)
        if sortie.landed_s is None:
            receiver = _other(ctx.side_names, sortie.side)
            ctx.send(receiver, [make_notice(sortie, receiver, self.spec.content, ctx.env.now, ctx.cover, ctx.route)])


class AltitudeSplitRule(Rule):
    """``upper`` above the boundary plus margin, the other side below it, squeezed if need be."""

    spec_type = AltitudeSplit
    spec: AltitudeSplit

    def altitude_block(self, side: str, floor_m: float, ceiling_m: float) -> tuple[float, float]:
        boundary_m = self.spec.boundary_ft * FT_M
        margin_m = self.spec.margin_ft * FT_M
        min_m = self.spec.min_block_ft * FT_M
        if side == self.spec.upper:
            low = boundary_m + margin_m
            return max(floor_m, low), max(ceiling_m, low + min_m)
        high = boundary_m - margin_m
        return min(floor_m, max(high - min_m, 0.0)), min(ceiling_m, high)


_BEHAVIOUR: dict[type, type[Rule]] = {
    cls.spec_type: cls for cls in (NoNoticeRule, AdvanceNoticeRule, SharedScheduleRule, HotlineRule, AltitudeSplitRule)
}


def rule_for(spec: PolicySpec) -> Rule:
    """The behaviour of the rule ``spec`` for one simulated day."""
    return _BEHAVIOUR[type(spec)](spec)
