"""Notification rules as the scenario file states them: who tells whom what, and when.

Each rule is a pydantic model picked by its ``kind``. These classes hold the rule's
parameters and their validation only; what a rule does during a simulated day (the
notices it sends, the altitude blocks it imposes) is in ``sim.model.rules``, one
behaviour class per kind.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

__all__ = [
    "AdvanceNotice",
    "AltitudeSplit",
    "Content",
    "Hotline",
    "NoNotice",
    "PolicySpec",
    "SharedSchedule",
]

Content = Literal[
    "area",
    "sector",
    "sector_altitude",
    "work_area",
    "work_area_altitude",
    "sector_route",
    "sector_altitude_route",
    "work_area_route",
    "work_area_altitude_route",
]
"""What a notice gives: ``area`` (no location), ``sector`` (the sector worked in: for a
sortie in a work area, the sector it lies in or the sectors it crosses), ``work_area`` (the
work area itself, or the sector for a sortie that works a whole sector), and each of the
last two ``_altitude`` with the altitude block (``sector_altitude``, ``work_area_altitude``).
A ``_route`` suffix adds the transits to and from the region (the straight line between
the base and the first work point, out before the window and back after it, with the
altitudes from the ground to the block's ceiling when the content gives altitudes): the
receiver keeps its on-station work out of a corridor of ``route_halfwidth_nm`` either side
of each announced transit (its side's ``reaction``) while the transit is flown."""


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


class Hotline(_Rule):
    """A call over a ground line at each launch, its content reaching the other side ``latency_min`` later.

    Each call occupies the line for 60/``calls_per_hour`` minutes, so at most
    ``calls_per_hour`` calls go through in an hour; calls queue when it is busy, and a
    call still queued when its sortie's planned window has ended is dropped. An airborne
    sortie that its side re-plans (re-task, new altitude, sent home) is called in again.
    About 10-12 calls a day were reported in 2017. ``senders`` limits who calls.

    Which launches are called in: with ``near_only`` only a sortie whose region shares area
    with a region where the other side has a sortie up or planned within ``near_window_min``
    of its own window (each side knows roughly where the other works [A]); of those, the
    ``coverage`` fraction (the same sorties under every rule: common random numbers).
    """

    kind: Literal["hotline"]
    latency_min: Annotated[float, Field(ge=0, allow_inf_nan=False)] = 10.0
    calls_per_hour: Annotated[float, Field(gt=0, allow_inf_nan=False)] = 6.0
    senders: list[str] | None = None
    content: Content = "sector_altitude"
    coverage: Annotated[float, Field(ge=0, le=1)] = 1.0
    near_only: bool = False
    near_window_min: Annotated[float, Field(ge=0, le=24 * 60, allow_inf_nan=False)] = 60.0

    def side_fields(self) -> Iterable[tuple[str, str]]:
        return (("senders", name) for name in self.senders or ())


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


PolicySpec = Annotated[
    NoNotice | AdvanceNotice | SharedSchedule | Hotline | AltitudeSplit,
    Field(discriminator="kind"),
]
