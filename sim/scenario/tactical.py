"""A side's tactical layer as the scenario file states it: its air picture and standoff rule.

The strategic layer (notification rules, ops cells) keeps sorties apart on the plan. The
tactical layer is what crews do in flight: when an aircraft of the other side comes within
``standoff_nm`` horizontally and ``standoff_ft`` vertically (any altitude if omitted) of
one of the side's aircraft, *as the side's picture shows it*, the crew is alerted and,
``response_s`` later, manoeuvres (``sim.model.tactical``). The picture holds what the
side's sensors see (``surveillance``): a site (a ground radar, or an airborne orbit taken
at its centre) sees aircraft within its range and above its lowest altitude, for every
crew of the side; a radar aboard the side's aircraft of some fleets shows what is around
each of them to that aircraft's crew only. The picture is
refreshed every ``update_s`` and shown ``latency_s`` late; ``perfect: true`` sees
everything at once (for tests and bounds).

Manoeuvres, tried in the order given until one applies:

- ``none``: alert only (counted, nothing changes);
- ``turn_away``: fly straight away from where the picture shows the intruder until the two
  are ``standoff_nm + clear_margin_nm`` apart (at most ``max_avoid_min``), then resume the
  mission if on-station time remains, else go home;
- ``altitude``: climb or descend at ``climb_fpm``, keeping the heading, to
  ``standoff_ft + clear_margin_ft`` above or below the intruder within the fleet's
  altitudes, until clear (applies only when ``standoff_ft`` is given and there is room);
- ``hold``: orbit where it is (a hold shrunk to its centre) until clear;
- ``rtb``: abandon the mission and fly home.

A sortie spends at most ``max_avoid_total_min`` in turn-aways, climbs and holds in all
(fuel); once that is spent those manoeuvres no longer apply and the next kind in the list
is tried (``rtb`` and ``none`` always apply).

``yields: always`` manoeuvres for every alert; ``intruder_on_right`` only when the intruder
is on the aircraft's right (the rule of the air for converging aircraft), so two sides
with that rule do not both turn. A fleet with ``tactical: false`` neither sees nor yields.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from sim.units import FT_M, MIN_S, NM_M

__all__ = ["Manoeuvre", "Source", "Surveillance", "Tactical"]

Manoeuvre = Literal["none", "turn_away", "altitude", "hold", "rtb"]
MANOEUVRES: tuple[str, ...] = ("none", "turn_away", "altitude", "hold", "rtb")

_Pos = Annotated[float, Field(gt=0, allow_inf_nan=False)]
_NonNeg = Annotated[float, Field(ge=0, allow_inf_nan=False)]


class _Spec(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)


class Source(_Spec):
    """One sensor of the side's picture: a site (``lat_deg``/``lon_deg``) or a radar aboard ``fleets``.

    A site sees an aircraft within ``range_nm`` of it horizontally and above ``lowest_ft``;
    a radar aboard sees the other side's aircraft within ``range_nm`` of the aircraft that
    carries it, at any altitude above ``lowest_ft``.
    """

    name: Annotated[str, Field(min_length=1)]
    lat_deg: Annotated[float, Field(ge=-90, le=90)] | None = None
    lon_deg: Annotated[float, Field(ge=-180, le=180)] | None = None
    fleets: tuple[str, ...] | None = None
    range_nm: _Pos
    lowest_ft: _NonNeg = 0.0

    @field_validator("fleets", mode="before")
    @classmethod
    def _list_to_tuple(cls, value: Any) -> Any:
        return tuple(value) if isinstance(value, list) else value

    @model_validator(mode="after")
    def _check(self) -> Source:
        site = self.lat_deg is not None or self.lon_deg is not None
        if site and (self.lat_deg is None or self.lon_deg is None):
            raise ValueError("a site needs both lat_deg and lon_deg")
        if site == (self.fleets is not None):
            raise ValueError("give either a site (lat_deg, lon_deg) or the fleets that carry the radar, not both")
        if self.fleets is not None and not self.fleets:
            raise ValueError("fleets is empty; name at least one fleet that carries the radar")
        return self

    @property
    def range_m(self) -> float:
        return self.range_nm * NM_M

    @property
    def lowest_m(self) -> float:
        return self.lowest_ft * FT_M


class Surveillance(_Spec):
    """What the side's picture holds: its sources, refreshed every ``update_s``, shown ``latency_s`` late."""

    perfect: bool = False
    update_s: _NonNeg = 0.0
    latency_s: _NonNeg = 0.0
    sources: tuple[Source, ...] = ()

    @field_validator("sources", mode="before")
    @classmethod
    def _list_to_tuple(cls, value: Any) -> Any:
        return tuple(value) if isinstance(value, list) else value

    @model_validator(mode="after")
    def _check(self) -> Surveillance:
        if self.perfect and (self.sources or self.update_s or self.latency_s):
            raise ValueError("perfect surveillance sees everything at once: give no sources, update_s or latency_s")
        if not self.perfect and not self.sources:
            raise ValueError("give the picture's sources, or perfect: true")
        names = [s.name for s in self.sources]
        if len(set(names)) != len(names):
            raise ValueError(f"source names repeat: {', '.join(sorted(n for n in set(names) if names.count(n) > 1))}")
        return self


class Tactical(_Spec):
    """A side's standoff rule, its crews' response and its picture (see the module docstring)."""

    standoff_nm: _Pos
    standoff_ft: _Pos | None = None
    response_s: _NonNeg = 0.0
    manoeuvre: tuple[Manoeuvre, ...] = ("turn_away",)
    yields: Literal["always", "intruder_on_right"] = "always"
    clear_margin_nm: _NonNeg = 2.0
    clear_margin_ft: _NonNeg = 500.0
    max_avoid_min: _Pos = 10.0
    max_avoid_total_min: _Pos = 30.0
    climb_fpm: _Pos = 3000.0
    surveillance: Surveillance

    @field_validator("manoeuvre", mode="before")
    @classmethod
    def _one_or_list(cls, value: Any) -> Any:
        if isinstance(value, str):
            return (value,)
        return tuple(value) if isinstance(value, list) else value

    @model_validator(mode="after")
    def _check(self) -> Tactical:
        if not self.manoeuvre:
            raise ValueError("manoeuvre is empty; give at least one of " + ", ".join(MANOEUVRES))
        if len(set(self.manoeuvre)) != len(self.manoeuvre):
            raise ValueError("manoeuvre lists a kind twice")
        return self

    @property
    def standoff_m(self) -> float:
        return self.standoff_nm * NM_M

    @property
    def standoff_v_m(self) -> float:
        """Vertical half-height of the alert volume (m); 'any altitude' is 100 km."""
        return self.standoff_ft * FT_M if self.standoff_ft is not None else ANY_ALTITUDE_M

    @property
    def clear_m(self) -> float:
        return (self.standoff_nm + self.clear_margin_nm) * NM_M

    @property
    def clear_v_m(self) -> float:
        if self.standoff_ft is None:
            return ANY_ALTITUDE_M
        return (self.standoff_ft + self.clear_margin_ft) * FT_M

    @property
    def max_avoid_s(self) -> float:
        return self.max_avoid_min * MIN_S

    @property
    def max_avoid_total_s(self) -> float:
        return self.max_avoid_total_min * MIN_S

    @property
    def climb_mps(self) -> float:
        return self.climb_fpm * FT_M / MIN_S


ANY_ALTITUDE_M = 100_000.0
"""The vertical half-height standing for 'any altitude' (far above any aircraft's ceiling)."""
