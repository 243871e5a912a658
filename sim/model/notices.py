"""Notices, and what a notification rule may see of a simulated day.

A ``Notice`` is what a receiving side learns of one sortie of the other side. The two
protocols say what a rule may read of a sortie (``PlannedSortie``) and what the day offers
it (``PolicyContext``: the clock, each side's sorties, a way to send notices, shared
resources such as the hotline itself). ``make_notice`` writes the notice a rule sends.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Protocol

import simpy

from sim.scenario.rules import Content

__all__ = ["Notice", "PlannedSortie", "PolicyContext", "RouteLeg", "is_gone", "make_notice", "route_content"]


@dataclass(frozen=True)
class RouteLeg:
    """One transit a notice announces: the straight line from ``(x0_m, y0_m)`` to ``(x1_m, y1_m)``
    (local metres) flown between ``start_s`` and ``end_s``, in ``floor_m``-``ceiling_m`` (None:
    no altitude given). A transit climbs from the runway, so a block given runs from the ground
    to the sortie's ceiling."""

    x0_m: float
    y0_m: float
    x1_m: float
    y1_m: float
    start_s: float
    end_s: float
    floor_m: float | None
    ceiling_m: float | None


@dataclass(frozen=True)
class Notice:
    """What a receiver learns of one sortie of the other side.

    ``sector`` names the region the notice gives (a sector, a work area, or sectors joined
    by ``+``), or is None when the notice names no location (keep out of the whole area);
    ``floor_m``/``ceiling_m`` are None when it gives no altitude. Times in seconds. A
    later notice about the same sortie replaces this one; ``withdrawn`` says the sortie
    will not fly (cancelled or sent home). ``route`` holds the transits to and from the
    region when the rule's content carries routes (``*_route``), else nothing.
    """

    sender: str
    receiver: str
    sortie_id: int
    sector: str | None
    start_s: float
    end_s: float
    floor_m: float | None
    ceiling_m: float | None
    sent_s: float
    withdrawn: bool = False
    route: tuple[RouteLeg, ...] = ()


class PlannedSortie(Protocol):
    """What a rule may read of a sortie (see ``sim.model.tasking.Sortie``)."""

    id: int
    side: str
    sector: str
    t_on_s: float
    on_station_s: float
    floor_m: float
    ceiling_m: float
    short_notice: bool
    created_s: float
    coverage_u: float
    launched_s: float | None
    landed_s: float | None
    cancelled: bool
    aborted: bool


class PolicyContext(Protocol):
    """What the model offers a rule: the clock, the sorties and a way to send notices."""

    env: simpy.Environment
    side_names: tuple[str, str]

    def sorties(self, side: str) -> Sequence[PlannedSortie]:
        """The side's sorties known to itself now (short-notice ones once created)."""
        ...

    def send(self, receiver: str, notices: Sequence[Notice]) -> None:
        """Hand a batch of notices to the receiver's ops cell now."""
        ...

    def resource(self, key: str, capacity: int) -> simpy.Resource:
        """A SimPy resource of this run, made on first use (e.g. the hotline itself)."""
        ...

    def cover(self, region: str) -> str:
        """What a notice of sector content names for a sortie in ``region`` (``SectorMap.cover``)."""
        ...

    def overlap(self, a: str, b: str) -> bool:
        """Whether two regions (sectors or work areas) share area (``SectorMap.overlap``)."""
        ...

    def route(self, sortie: PlannedSortie) -> tuple[RouteLeg, ...]:
        """The sortie's planned transits, out and back, as a notice with routes gives them
        (altitudes left to ``make_notice``)."""
        ...


def route_content(content: Content) -> tuple[str, bool]:
    """``content`` without its ``_route`` suffix, and whether it had one."""
    if content.endswith("_route"):
        return content.removesuffix("_route"), True
    return content, False


def make_notice(
    sortie: PlannedSortie,
    receiver: str,
    content: Content,
    now_s: float,
    cover: Callable[[str], str] | None = None,
    route: Callable[[PlannedSortie], tuple[RouteLeg, ...]] | None = None,
) -> Notice:
    """The notice that describes ``sortie``'s planned window with the given ``content``.

    ``cover`` maps the sortie's region to what a notice of sector content names
    (``SectorMap.cover``: a work area's sector or sectors); without it the region itself.
    ``route`` gives the sortie's transits (``PolicyContext.route``), read only when the
    content carries routes; the legs get the notice's altitude content: from the ground to
    the block's ceiling, or none. A cancelled or aborted sortie gives a withdrawal.
    """
    base, with_route = route_content(content)
    with_alt = base in ("sector_altitude", "work_area_altitude")
    if base == "area":
        location = None
    elif base in ("sector", "sector_altitude") and cover is not None:
        location = cover(sortie.sector)
    else:
        location = sortie.sector
    legs: tuple[RouteLeg, ...] = ()
    if with_route and route is not None and base != "area":  # a notice naming no location covers transits too
        legs = tuple(
            RouteLeg(
                leg.x0_m,
                leg.y0_m,
                leg.x1_m,
                leg.y1_m,
                leg.start_s,
                leg.end_s,
                0.0 if with_alt else None,
                sortie.ceiling_m if with_alt else None,
            )
            for leg in route(sortie)
        )
    return Notice(
        sender=sortie.side,
        receiver=receiver,
        sortie_id=sortie.id,
        sector=location,
        start_s=sortie.t_on_s,
        end_s=sortie.t_on_s + sortie.on_station_s,
        floor_m=sortie.floor_m if with_alt else None,
        ceiling_m=sortie.ceiling_m if with_alt else None,
        sent_s=now_s,
        withdrawn=sortie.cancelled or sortie.aborted,
        route=legs,
    )


def is_gone(sortie: PlannedSortie) -> bool:
    """True once the sortie will not fly any more of its window (cancelled, aborted, landed)."""
    return sortie.cancelled or sortie.aborted or sortie.landed_s is not None
