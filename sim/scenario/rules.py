"""Notification rules: who learns what about the other side's sorties, and when.

Each rule is a pydantic model picked by its ``kind`` and carries its own behaviour: the
model calls ``start(ctx)`` once when the day's tasking is known, ``on_created(ctx, sortie)``
when a short-notice sortie is added, ``on_launch(ctx, sortie)`` when a sortie takes off,
and ``altitude_block(side, floor_m, ceiling_m)`` when a sortie's altitude block is set.
A rule only *sends* notices (``ctx.send``); what the receiving side does with them is
the model's job (its ops cell re-plans the affected sorties).
"""

from __future__ import annotations

from collections.abc import Generator, Iterable, Sequence
from dataclasses import dataclass
from typing import Annotated, Any, Literal, Protocol

import simpy
from pydantic import BaseModel, ConfigDict, Field, model_validator

from sim.units import FT_M, MIN_S

__all__ = [
    "AdvanceNotice",
    "AltitudeSplit",
    "Hotline",
    "NoNotice",
    "Notice",
    "PolicyContext",
    "PolicySpec",
    "PlannedSortie",
    "SharedSchedule",
]

Content = Literal["area", "sector", "sector_altitude"]


@dataclass(frozen=True)
class Notice:
    """What a receiver learns of one sortie of the other side.

    ``sector`` is None when the notice names no location (keep out of the whole area);
    ``floor_m``/``ceiling_m`` are None when it gives no altitude. Times in seconds. A
    later notice about the same sortie replaces this one; ``withdrawn`` says the sortie
    will not fly (cancelled or sent home).
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


def make_notice(sortie: PlannedSortie, receiver: str, content: Content, now_s: float) -> Notice:
    """The notice that describes ``sortie``'s planned window with the given ``content``.

    A cancelled or aborted sortie gives a withdrawal.
    """
    with_alt = content == "sector_altitude"
    return Notice(
        sender=sortie.side,
        receiver=receiver,
        sortie_id=sortie.id,
        sector=None if content == "area" else sortie.sector,
        start_s=sortie.t_on_s,
        end_s=sortie.t_on_s + sortie.on_station_s,
        floor_m=sortie.floor_m if with_alt else None,
        ceiling_m=sortie.ceiling_m if with_alt else None,
        sent_s=now_s,
        withdrawn=sortie.cancelled or sortie.aborted,
    )


def _gone(sortie: PlannedSortie) -> bool:
    """True once the sortie will not fly any more of its window (cancelled, aborted, landed)."""
    return sortie.cancelled or sortie.aborted or sortie.landed_s is not None


class _Rule(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)

    description: str = ""

    def side_fields(self) -> Iterable[tuple[str, str]]:
        """(field name, side name) pairs this rule refers to, for cross-checking."""
        return ()

    def check_sides(self, side_names: Sequence[str]) -> list[tuple[str, str]]:
        """Problems with side names: (field, message) for each unknown side."""
        return [
            (field, f"unknown side {name!r}; the scenario's sides are {', '.join(side_names)}")
            for field, name in self.side_fields()
            if name not in side_names
        ]

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


def _other(side_names: Sequence[str], side: str) -> str:
    return side_names[1] if side == side_names[0] else side_names[0]


class NoNotice(_Rule):
    """No notification at all: each side flies its own tasking blind."""

    kind: Literal["none"]


class AdvanceNotice(_Rule):
    """One side announces each sortie ``lead_min`` before its planned arrival on station.

    ``coverage`` is the fraction of sorties announced; ``content`` is ``area`` (no
    location: the receiver must keep out of everything for the window), ``sector`` or
    ``sector_altitude``. A short-notice sortie is announced as soon as it exists if that
    is later than ``lead_min`` ahead.
    """

    kind: Literal["advance_notice"]
    sender: str = Field(alias="from")
    receiver: str = Field(alias="to")
    lead_min: Annotated[float, Field(ge=0, allow_inf_nan=False)]
    coverage: Annotated[float, Field(ge=0, le=1)] = 1.0
    content: Content = "sector"

    def side_fields(self) -> Iterable[tuple[str, str]]:
        return (("from", self.sender), ("to", self.receiver))

    @model_validator(mode="after")
    def _distinct(self) -> AdvanceNotice:
        if self.sender == self.receiver:
            raise ValueError("'from' and 'to' must be different sides")
        return self

    def start(self, ctx: PolicyContext) -> None:
        for sortie in ctx.sorties(self.sender):
            self.on_created(ctx, sortie)

    def on_created(self, ctx: PolicyContext, sortie: PlannedSortie) -> None:
        if sortie.side == self.sender and sortie.coverage_u < self.coverage:
            ctx.env.process(self._announce(ctx, sortie))

    def _announce(self, ctx: PolicyContext, sortie: PlannedSortie) -> Generator[Any, Any, None]:
        send_at = max(sortie.t_on_s - self.lead_min * MIN_S, ctx.env.now)
        yield ctx.env.timeout(send_at - ctx.env.now)
        if not _gone(sortie):  # a one-shot notice: nothing is sent for later changes
            ctx.send(self.receiver, [make_notice(sortie, self.receiver, self.content, ctx.env.now)])


class SharedSchedule(_Rule):
    """The sides exchange their whole tasking when it is planned (start of the day).

    Short-notice sorties are not in the exchanged tasking: each is announced
    ``update_lead_min`` before its planned arrival on station (or when it is created, if
    later), or never if ``update_lead_min`` is null. A shared sortie that its side
    re-plans (delays, re-tasks, moves, cancels) is announced again at once. ``senders``
    limits who shares.
    """

    kind: Literal["shared_schedule"]
    senders: list[str] | None = None
    update_lead_min: Annotated[float, Field(ge=0, allow_inf_nan=False)] | None = 30.0
    content: Content = "sector_altitude"

    def side_fields(self) -> Iterable[tuple[str, str]]:
        return (("senders", name) for name in self.senders or ())

    def _sends(self, ctx: PolicyContext, side: str) -> bool:
        return self.senders is None or side in self.senders

    def start(self, ctx: PolicyContext) -> None:
        for side in ctx.side_names:
            if not self._sends(ctx, side):
                continue
            receiver = _other(ctx.side_names, side)
            batch = [
                make_notice(s, receiver, self.content, ctx.env.now) for s in ctx.sorties(side) if not s.short_notice
            ]
            if batch:
                ctx.send(receiver, batch)

    def on_created(self, ctx: PolicyContext, sortie: PlannedSortie) -> None:
        if self.update_lead_min is not None and self._sends(ctx, sortie.side):
            ctx.env.process(self._update(ctx, sortie, self.update_lead_min * MIN_S))

    def _update(self, ctx: PolicyContext, sortie: PlannedSortie, lead_s: float) -> Generator[Any, Any, None]:
        yield ctx.env.timeout(max(sortie.t_on_s - lead_s - ctx.env.now, 0.0))
        if not _gone(sortie):
            receiver = _other(ctx.side_names, sortie.side)
            ctx.send(receiver, [make_notice(sortie, receiver, self.content, ctx.env.now)])

    def on_replanned(self, ctx: PolicyContext, sortie: PlannedSortie) -> None:
        """A shared sortie that its side re-plans is announced again (or withdrawn)."""
        if not self._sends(ctx, sortie.side):
            return
        shared = not sortie.short_notice or (
            self.update_lead_min is not None and ctx.env.now >= sortie.t_on_s - self.update_lead_min * MIN_S
        )
        if shared:
            receiver = _other(ctx.side_names, sortie.side)
            ctx.send(receiver, [make_notice(sortie, receiver, self.content, ctx.env.now)])


class Hotline(_Rule):
    """A call over a ground line at each launch, its content reaching the other side ``latency_min`` later.

    Each call occupies the line for 60/``calls_per_hour`` minutes, so at most
    ``calls_per_hour`` calls go through in an hour; calls queue when it is busy, and a
    call still queued when its sortie's planned window has ended is dropped. An airborne
    sortie that its side re-plans (re-task, new altitude, sent home) is called in again.
    About 10-12 calls a day were reported in 2017. ``senders`` limits who calls.
    """

    kind: Literal["hotline"]
    latency_min: Annotated[float, Field(ge=0, allow_inf_nan=False)] = 10.0
    calls_per_hour: Annotated[float, Field(gt=0, allow_inf_nan=False)] = 6.0
    senders: list[str] | None = None
    content: Content = "sector_altitude"

    def side_fields(self) -> Iterable[tuple[str, str]]:
        return (("senders", name) for name in self.senders or ())

    def on_launch(self, ctx: PolicyContext, sortie: PlannedSortie) -> None:
        if self.senders is None or sortie.side in self.senders:
            ctx.env.process(self._call(ctx, sortie, ctx.resource("hotline", 1)))

    def on_replanned(self, ctx: PolicyContext, sortie: PlannedSortie) -> None:
        if sortie.launched_s is not None:
            self.on_launch(ctx, sortie)

    def _call(self, ctx: PolicyContext, sortie: PlannedSortie, line: simpy.Resource) -> Generator[Any, Any, None]:
        with line.request() as slot:
            yield slot
            if ctx.env.now >= sortie.t_on_s + sortie.on_station_s or sortie.landed_s is not None:
                return  # still queued when the sortie's window has ended: the call is dropped
            ctx.env.process(self._deliver(ctx, sortie))
            yield ctx.env.timeout(3600.0 / self.calls_per_hour)  # the line is busy for this long

    def _deliver(self, ctx: PolicyContext, sortie: PlannedSortie) -> Generator[Any, Any, None]:
        yield ctx.env.timeout(self.latency_min * MIN_S)
        if sortie.landed_s is None:
            receiver = _other(ctx.side_names, sortie.side)
            ctx.send(receiver, [make_notice(sortie, receiver, self.content, ctx.env.now)])


class AltitudeSplit(_Rule):
    """A procedural rule: ``upper`` flies above ``boundary_ft``, the other side below.

    Each side keeps ``margin_ft`` clear of the boundary. A fleet whose block lies wholly on
    the wrong side is squeezed into the nearest ``min_block_ft`` on its own side.
    """

    kind: Literal["altitude_split"]
    upper: str
    boundary_ft: Annotated[float, Field(gt=0, le=80000)]
    margin_ft: Annotated[float, Field(ge=0, le=10000, allow_inf_nan=False)] = 500.0
    min_block_ft: Annotated[float, Field(gt=0, le=20000, allow_inf_nan=False)] = 2000.0

    @model_validator(mode="after")
    def _room_below(self) -> AltitudeSplit:
        if self.boundary_ft - self.margin_ft < self.min_block_ft:
            raise ValueError(
                f"boundary_ft - margin_ft ({self.boundary_ft - self.margin_ft:g} ft) leaves the lower side "
                f"less than min_block_ft ({self.min_block_ft:g} ft) above the ground"
            )
        return self

    def side_fields(self) -> Iterable[tuple[str, str]]:
        return (("upper", self.upper),)

    def altitude_block(self, side: str, floor_m: float, ceiling_m: float) -> tuple[float, float]:
        boundary_m, margin_m, min_m = (
            self.boundary_ft * FT_M,
            self.margin_ft * FT_M,
            self.min_block_ft * FT_M,
        )
        if side == self.upper:
            low = boundary_m + margin_m
            return max(floor_m, low), max(ceiling_m, low + min_m)
        high = boundary_m - margin_m
        return min(floor_m, max(high - min_m, 0.0)), min(ceiling_m, high)


PolicySpec = Annotated[
    NoNotice | AdvanceNotice | SharedSchedule | Hotline | AltitudeSplit,
    Field(discriminator="kind"),
]
