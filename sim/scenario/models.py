"""Scenario files: pydantic models of the YAML a user writes, and their JSON Schema.

Scenario files speak aviation units, always named in the field (``cruise_kt``, ``floor_ft``,
``lead_min``, ``horizontal_nm``). Each model offers the same quantities in SI units
(``cruise_mps``, ``floor_m``, ``lead_s``) as properties, so the model code never converts.
Every model forbids unknown keys. Cross-references (sector names, base names, side names)
are checked by ``sim.scenario.load`` against the sector file, with the field path and line.
"""

from __future__ import annotations

import json
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationInfo,
    field_validator,
    model_validator,
)

from sim.scenario.rules import PolicySpec
from sim.scenario.tactical import Tactical
from sim.units import FT_M, KT_MPS, MIN_S, NM_M

__all__ = [
    "Base",
    "Fleet",
    "Level",
    "MISSION_VALUE_DEFAULTS",
    "MissionValue",
    "OpsCell",
    "Origin",
    "Reaction",
    "Scenario",
    "Side",
    "WorkArea",
    "scenario_json_schema",
]

PositiveFloat = Annotated[float, Field(gt=0, allow_inf_nan=False)]
NonNegFloat = Annotated[float, Field(ge=0, allow_inf_nan=False)]
Fraction = Annotated[float, Field(ge=0, le=1, allow_inf_nan=False)]
Name = Annotated[str, Field(min_length=1)]
Speed = Annotated[float, Field(ge=20, le=3000, allow_inf_nan=False)]  # kt, as cruise_kt
Rate = Annotated[float, Field(gt=0, le=100_000, allow_inf_nan=False)]  # ft/min
ProfileMinutes = Annotated[float, Field(ge=0, le=24 * 60, allow_inf_nan=False)]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)


class Origin(_Model):
    """Centre of the local plane (metres east and north of it)."""

    lat_deg: Annotated[float, Field(ge=-80, le=80)]
    lon_deg: Annotated[float, Field(ge=-180, le=180)]


class Base(_Model):
    """An air base: where sorties take off and land, with its runway capacity."""

    lat_deg: Annotated[float, Field(ge=-90, le=90)]
    lon_deg: Annotated[float, Field(ge=-180, le=180)]
    elevation_ft: Annotated[float, Field(ge=-1500, le=15000)] = 0.0
    runways: Annotated[int, Field(ge=1)] = 1
    takeoff_interval_min: PositiveFloat = 1.0

    @property
    def elevation_m(self) -> float:
        return self.elevation_ft * FT_M


class Errors(_Model):
    """Navigation and altimetry errors and the aircraft's size, for the collision-risk estimate.

    A fleet's block overrides its side's field by field (``Side.errors`` gives the defaults).
    ``lateral_sd_ft``: standard deviation of the east and of the north position error (each,
    so the horizontal error is isotropic for the normal law); ``lateral_law``: ``normal`` or
    ``laplace`` (double exponential, as in ICAO's lateral studies; east and north each);
    ``vertical_sd_ft``: standard deviation of the (normal) height error. ``length_ft``,
    ``wingspan_ft``, ``height_ft``: the aircraft's dimensions; the collision volume of two
    aircraft is a cylinder of radius the mean of their largest horizontal dimensions and of
    half-height the mean of their heights.
    """

    lateral_sd_ft: Annotated[float, Field(ge=0, le=100_000, allow_inf_nan=False)] | None = None
    lateral_law: Literal["normal", "laplace"] | None = None
    vertical_sd_ft: Annotated[float, Field(ge=0, le=100_000, allow_inf_nan=False)] | None = None
    length_ft: Annotated[float, Field(gt=0, le=2000, allow_inf_nan=False)] | None = None
    wingspan_ft: Annotated[float, Field(gt=0, le=2000, allow_inf_nan=False)] | None = None
    height_ft: Annotated[float, Field(gt=0, le=500, allow_inf_nan=False)] | None = None

    def over(self, defaults: Errors | None) -> Errors:
        """These errors with the fields left out taken from ``defaults``."""
        if defaults is None:
            return self
        mine = self.model_dump(exclude_none=True)
        return defaults.model_copy(update=mine)

    def missing(self) -> list[str]:
        """Fields still unset (all are needed once side defaults are applied)."""
        return [name for name in type(self).model_fields if getattr(self, name) is None]


MISSION_VALUE_DEFAULTS: dict[str, float] = {
    "lost_on_station": 1.0,
    "retask_loss": 0.5,
    "altitude_loss": 0.25,
    "delay_loss": 0.5,
    "hold_loss": 0.0,
    "abort_loss": 0.5,
    "cancel_loss": 1.0,
    "abandon_loss": 0.5,
}
"""The value each change costs a sortie when neither its fleet nor its side says: all
assumptions [A] of this model, listed (and argued) in the README's *Mission value*."""


def _value_field(name: str, meaning: str) -> Any:
    return Field(default=None, description=f"{meaning} (default {MISSION_VALUE_DEFAULTS[name]:g} [A])")


class MissionValue(_Model):
    """What each change to a sortie's plan costs its mission (``sim.experiment.value``).

    A sortie flown as planned (its planned on-station time in its planned sector and
    altitude block, in its planned window) is worth 1. Its value is the worked on-station
    factor ``1 - lost_on_station x (share of its planned on-station time not worked)`` times
    ``(1 - loss)`` for each change it went through: ``retask_loss`` (another sector),
    ``altitude_loss`` (another altitude block), ``delay_loss`` x the share of the planned
    window its delayed window lies past, ``hold_loss`` (held short of its sector),
    ``abort_loss`` (sent home by its ops cell), ``abandon_loss`` (mission abandoned by its
    crew in the tactical layer); a cancelled sortie is worth ``1 - cancel_loss`` times the
    other changes. All fractions in [0, 1]. A fleet's block overrides its side's field by
    field (``Side.mission_value`` gives the defaults); a field neither gives takes
    ``MISSION_VALUE_DEFAULTS``.
    """

    lost_on_station: Fraction | None = _value_field(
        "lost_on_station", "value lost with all of the planned on-station time lost (1: in proportion)"
    )
    retask_loss: Fraction | None = _value_field("retask_loss", "re-tasked to another sector")
    altitude_loss: Fraction | None = _value_field("altitude_loss", "moved to another altitude block")
    delay_loss: Fraction | None = _value_field(
        "delay_loss", "a window delayed wholly past the planned one (in proportion to the share past it)"
    )
    hold_loss: Fraction | None = _value_field("hold_loss", "held short of its sector, beyond the time lost")
    abort_loss: Fraction | None = _value_field("abort_loss", "sent home by its ops cell, beyond the time lost")
    cancel_loss: Fraction | None = _value_field("cancel_loss", "cancelled before take-off")
    abandon_loss: Fraction | None = _value_field(
        "abandon_loss", "mission abandoned by a tactical manoeuvre, beyond the time lost"
    )

    def over(self, defaults: MissionValue | None) -> MissionValue:
        """This block with the fields left out taken from ``defaults``."""
        if defaults is None:
            return self
        return defaults.model_copy(update=self.model_dump(exclude_none=True))

    def loss(self, name: str) -> float:
        """Field ``name``, or its default from ``MISSION_VALUE_DEFAULTS`` if not given."""
        value = getattr(self, name)
        return MISSION_VALUE_DEFAULTS[name] if value is None else float(value)


class Fleet(_Model):
    """One aircraft type of a side: how many, how fast, how high, how long on station.

    A fleet takes either a ``share`` of its side's ``sorties_per_day`` or a fixed
    ``sorties_per_day`` of its own (e.g. drone orbits); ``sector_weights`` overrides the
    side's for this fleet only. With ``tactical: false`` the fleet's crews neither see nor
    yield in the side's tactical layer (``Side.tactical``).
    """

    type: Name
    base: Name
    count: Annotated[int, Field(ge=1, le=10_000)]
    cruise_kt: Annotated[float, Field(ge=20, le=3000, allow_inf_nan=False)]
    floor_ft: Annotated[float, Field(ge=0, le=80000)]
    ceiling_ft: Annotated[float, Field(gt=0, le=80000)]
    on_station_min: Annotated[float, Field(gt=0, le=7 * 24 * 60, allow_inf_nan=False)]
    turnaround_min: Annotated[float, Field(ge=0, le=7 * 24 * 60, allow_inf_nan=False)]
    climb_min: NonNegFloat = 5.0
    # The flight profile near the base (sim.model.profile); each field left out keeps the
    # plain profile: the climb at cruise speed for climb_min, the descent over the whole way home.
    climb_kt: Speed | None = Field(default=None, description="speed over the ground in the climb (default cruise_kt)")
    climb_fpm: Rate | None = Field(
        default=None, description="rate of climb: the climb lasts altitude gain / rate (default: climb_min instead)"
    )
    departure_min: ProfileMinutes | None = Field(
        default=None, description="after wheels-up, time over the base climbing (departure, join-up; default 0)"
    )
    descent_kt: Speed | None = Field(
        default=None, description="speed over the ground in the descent (default cruise_kt)"
    )
    descent_fpm: Rate | None = Field(
        default=None, description="rate of descent to the base (default: the descent lasts the whole way home)"
    )
    approach_min: ProfileMinutes | None = Field(
        default=None, description="before landing, time over the base descending (approach; default 0)"
    )
    share: Fraction | None = None
    sorties_per_day: Annotated[float, Field(ge=0, le=10_000, allow_inf_nan=False)] | None = None
    sector_weights: dict[str, NonNegFloat] | None = None
    tactical: bool = True
    errors: Errors | None = None
    # formations: every aircraft is a flight in the tracks; the formation is one sortie
    formation_size: Annotated[int, Field(ge=1, le=16)] = 1
    formation_spacing_nm: Annotated[float, Field(ge=0, le=20, allow_inf_nan=False)] = 1.0
    formation_stack_ft: Annotated[float, Field(ge=-5000, le=5000, allow_inf_nan=False)] = 0.0
    mission_value: MissionValue | None = None

    # Field validators (not a model validator) so that errors point at the field itself.
    @field_validator("ceiling_ft")
    @classmethod
    def _above_floor(cls, ceiling_ft: float, info: ValidationInfo) -> float:
        floor_ft = info.data.get("floor_ft")
        if floor_ft is not None and ceiling_ft <= floor_ft:
            raise ValueError(f"ceiling_ft must be above floor_ft ({floor_ft:g})")
        return ceiling_ft

    @field_validator("sector_weights")
    @classmethod
    def _weights(cls, weights: dict[str, float] | None) -> dict[str, float] | None:
        if weights is not None:
            _check_weights(weights)
        return weights

    @model_validator(mode="after")
    def _check(self) -> Fleet:
        if (self.share is None) == (self.sorties_per_day is None):
            raise ValueError("give exactly one of share (of the side's tempo) or sorties_per_day")
        if self.climb_fpm is not None and "climb_min" in self.model_fields_set and self.climb_min != 5.0:
            raise ValueError("give climb_min (a fixed climb time) or climb_fpm (a rate of climb), not both")
        # (climb_min at its default 5 with a rate is what a dumped scenario holds: accepted)
        return self

    @property
    def cruise_mps(self) -> float:
        return self.cruise_kt * KT_MPS

    @property
    def floor_m(self) -> float:
        return self.floor_ft * FT_M

    @property
    def ceiling_m(self) -> float:
        return self.ceiling_ft * FT_M

    @property
    def on_station_s(self) -> float:
        return self.on_station_min * MIN_S

    @property
    def turnaround_s(self) -> float:
        return self.turnaround_min * MIN_S

    @property
    def climb_s(self) -> float:
        return self.climb_min * MIN_S

    @property
    def climb_mps(self) -> float:
        return (self.climb_kt if self.climb_kt is not None else self.cruise_kt) * KT_MPS

    @property
    def climb_rate_mps(self) -> float | None:
        return None if self.climb_fpm is None else self.climb_fpm * FT_M / MIN_S

    @property
    def departure_s(self) -> float:
        return 0.0 if self.departure_min is None else self.departure_min * MIN_S

    @property
    def descent_mps(self) -> float:
        return (self.descent_kt if self.descent_kt is not None else self.cruise_kt) * KT_MPS

    @property
    def descent_rate_mps(self) -> float | None:
        return None if self.descent_fpm is None else self.descent_fpm * FT_M / MIN_S

    @property
    def approach_s(self) -> float:
        return 0.0 if self.approach_min is None else self.approach_min * MIN_S


class OpsCell(_Model):
    """The cell that reads notices and re-plans its own side's sorties (a SimPy resource)."""

    staff: Annotated[int, Field(ge=1)] = 1
    reaction_min: NonNegFloat = 15.0

    @property
    def reaction_s(self) -> float:
        return self.reaction_min * MIN_S


ReactionAction = Literal["altitude", "delay", "retask", "hold", "cancel"]


class Reaction(_Model):
    """How a side re-plans an affected sortie, in order of preference, and within which limits.

    ``altitude`` moves the sortie's block clear of the other's (only when the notice gives
    it); ``delay`` shifts the on-station window before take-off (up to ``max_delay_min``);
    ``retask`` sends it to another sector it may work in; ``hold`` keeps an airborne sortie
    where it is, short of its sector, until the other's window ends (up to ``max_hold_min``
    in all, lost on station); ``cancel`` drops it before take-off or sends it home in flight.
    With ``airborne: false`` the side re-plans only sorties still on the ground.
    ``route_halfwidth_nm`` is how far either side of an announced transit (a notice whose
    content carries routes) the side keeps its on-station work while the transit is flown.
    """

    actions: tuple[ReactionAction, ...] = ("altitude", "delay", "retask", "hold", "cancel")
    airborne: bool = True
    max_delay_min: NonNegFloat = 60.0
    max_hold_min: NonNegFloat = 20.0
    buffer_min: NonNegFloat = 10.0
    vertical_buffer_ft: NonNegFloat = 1000.0
    route_halfwidth_nm: NonNegFloat = 5.0

    @field_validator("actions", mode="before")
    @classmethod
    def _list_to_tuple(cls, value: Any) -> Any:
        return tuple(value) if isinstance(value, list) else value

    @property
    def max_delay_s(self) -> float:
        return self.max_delay_min * MIN_S

    @property
    def max_hold_s(self) -> float:
        return self.max_hold_min * MIN_S

    @property
    def buffer_s(self) -> float:
        return self.buffer_min * MIN_S

    @property
    def vertical_buffer_m(self) -> float:
        return self.vertical_buffer_ft * FT_M

    @property
    def route_halfwidth_m(self) -> float:
        return self.route_halfwidth_nm * NM_M


class Side(_Model):
    """One air force: its bases, fleets, tempo, target sectors, how it reacts to notices and,
    with ``tactical``, its crews' standoff rule and air picture (``sim.scenario.tactical``)."""

    label: str = ""
    bases: Annotated[dict[str, Base], Field(min_length=1)]
    fleets: Annotated[dict[str, Fleet], Field(min_length=1)]
    sorties_per_day: Annotated[float, Field(ge=0, le=10_000, allow_inf_nan=False)] = 0.0
    time_profile: Annotated[list[NonNegFloat], Field(min_length=24, max_length=24)] | None = None
    sector_weights: dict[str, NonNegFloat]
    short_notice_share: Fraction = 0.0
    short_notice_min: PositiveFloat = 45.0
    launch_jitter_min: NonNegFloat = 0.0
    ops_cell: OpsCell = OpsCell()
    reaction: Reaction = Reaction()
    tactical: Tactical | None = None
    errors: Errors | None = None
    mission_value: MissionValue | None = None

    @field_validator("sector_weights")
    @classmethod
    def _weights(cls, weights: dict[str, float]) -> dict[str, float]:
        _check_weights(weights)
        return weights

    @field_validator("time_profile")
    @classmethod
    def _profile(cls, profile: list[float] | None) -> list[float] | None:
        if profile is not None and sum(profile) <= 0:
            raise ValueError("time_profile weights are all zero; at least one hour must be > 0")
        return profile

    @model_validator(mode="after")
    def _check(self) -> Side:
        shares = [f.share for f in self.fleets.values() if f.share is not None]
        if shares and sum(shares) <= 0:
            raise ValueError("the fleets' shares are all zero")
        if self.sorties_per_day > 0 and not shares:
            raise ValueError("sorties_per_day > 0 but no fleet has a share to fly them")
        if self.errors is not None or any(f.errors is not None for f in self.fleets.values()):
            for name, fleet in self.fleets.items():
                own = fleet.errors.over(self.errors) if fleet.errors is not None else self.errors
                missing = own.missing() if own is not None else list(Errors.model_fields)
                if missing:
                    raise ValueError(
                        f"fleets.{name}.errors: missing {', '.join(missing)} (give them in the fleet's "
                        f"errors block or the side's); the collision-risk estimate needs all of them"
                    )
        return self

    @property
    def short_notice_s(self) -> float:
        return self.short_notice_min * MIN_S

    @property
    def launch_jitter_s(self) -> float:
        return self.launch_jitter_min * MIN_S


class Level(_Model):
    """A separation level: a cylinder of horizontal radius and vertical half-height."""

    name: Name
    horizontal_nm: PositiveFloat | None = None
    horizontal_ft: PositiveFloat | None = None
    vertical_ft: PositiveFloat

    @model_validator(mode="after")
    def _check(self) -> Level:
        if (self.horizontal_nm is None) == (self.horizontal_ft is None):
            raise ValueError("give exactly one of horizontal_nm or horizontal_ft")
        return self

    @property
    def horizontal_m(self) -> float:
        if self.horizontal_nm is not None:
            return self.horizontal_nm * NM_M
        assert self.horizontal_ft is not None
        return self.horizontal_ft * FT_M

    @property
    def vertical_m(self) -> float:
        return self.vertical_ft * FT_M


class WorkArea(_Model):
    """A circular work area smaller than a sector: a drone orbit, a target area (e.g. the
    Ghab valley). Sides and fleets weight it by name in ``sector_weights`` like a sector;
    ``source`` says where its centre and size come from ([S]ourced, [E]stimated, [A]ssumed)."""

    lat_deg: Annotated[float, Field(ge=-90, le=90)]
    lon_deg: Annotated[float, Field(ge=-180, le=180)]
    radius_nm: Annotated[float, Field(gt=0, le=300, allow_inf_nan=False)]
    source: str = ""

    @property
    def radius_m(self) -> float:
        return self.radius_nm * NM_M


class Scenario(_Model):
    """A whole scenario: two sides, sectors, separation levels and the policies to compare."""

    name: Name
    description: str = ""
    sources: list[str] = []
    origin: Origin
    sectors_file: str | None = None
    areas_file: str | None = None
    areas: dict[Name, WorkArea] = {}
    horizon_h: Annotated[float, Field(gt=0, le=24 * 31)] = 24.0
    warmup_h: Annotated[float, Field(ge=0, le=24 * 31, allow_inf_nan=False)] = Field(
        default=0.0,
        description="hours of the same operations flown before the measured day [0, horizon_h) and after it, "
        "so that it starts and ends under way; only the measured day is counted (0: the day alone, "
        "everything its sorties do counted)",
    )
    replications: Annotated[int, Field(ge=1)] = 20
    seed: Annotated[int, Field(ge=0)] = 0
    sides: dict[str, Side]
    levels: Annotated[list[Level], Field(min_length=1)]
    policies: Annotated[dict[str, PolicySpec], Field(min_length=1)]

    @field_validator("sides")
    @classmethod
    def _two_sides(cls, sides: dict[str, Side]) -> dict[str, Side]:
        if len(sides) != 2:
            raise ValueError(f"expected exactly 2 sides, found {len(sides)}: {list(sides)}")
        return sides

    @model_validator(mode="after")
    def _errors_complete(self) -> Scenario:
        if self.has_risk:
            if not any(lv.name == "nmac" for lv in self.levels):
                raise ValueError("errors are given but no level is named nmac: risk_nmac is estimated at that level")
            for side_name, side in self.sides.items():
                if side.errors is None and all(f.errors is None for f in side.fleets.values()):
                    raise ValueError(
                        f"sides.{side_name} gives no errors while the other side does: the collision-risk "
                        f"estimate needs them for every fleet (an errors block on the side gives its defaults)"
                    )
        return self

    @field_validator("levels")
    @classmethod
    def _unique_levels(cls, levels: list[Level]) -> list[Level]:
        names = [lv.name for lv in levels]
        dupes = sorted({n for n in names if names.count(n) > 1})
        if dupes:
            raise ValueError(f"level names must be unique; repeated: {dupes}")
        return levels

    @property
    def horizon_s(self) -> float:
        return self.horizon_h * 3600.0

    @property
    def warmup_s(self) -> float:
        return self.warmup_h * 3600.0

    @property
    def side_names(self) -> tuple[str, str]:
        a, b = self.sides
        return a, b

    @property
    def has_tactical(self) -> bool:
        """Whether some side has a tactical layer (and ``replications.csv`` its columns)."""
        return any(side.tactical is not None for side in self.sides.values())

    @property
    def has_risk(self) -> bool:
        """Whether some side or fleet has an ``errors`` block (and ``replications.csv`` the
        risk columns); then every fleet must have all of its fields, itself or from its side."""
        return any(
            side.errors is not None or any(f.errors is not None for f in side.fleets.values())
            for side in self.sides.values()
        )

    def fleet_errors(self, side: str, fleet: str) -> Errors:
        """The fleet's errors with its side's defaults filled in."""
        s = self.sides[side]
        own = s.fleets[fleet].errors
        if own is None:
            return s.errors if s.errors is not None else Errors()
        return own.over(s.errors)

    def fleet_mission_value(self, side: str, fleet: str) -> MissionValue:
        """The fleet's mission value block over its side's (``loss`` fills in the defaults)."""
        s = self.sides[side]
        own = s.fleets[fleet].mission_value
        if own is None:
            return s.mission_value if s.mission_value is not None else MissionValue()
        return own.over(s.mission_value)

    def without_tactical(self) -> Scenario:
        """The same scenario with every side's tactical layer switched off."""
        sides = {name: side.model_copy(update={"tactical": None}) for name, side in self.sides.items()}
        return self.model_copy(update={"sides": sides})


def _check_weights(weights: dict[str, float]) -> None:
    if not weights:
        raise ValueError("sector_weights is empty; name at least one sector with a weight > 0")
    if sum(weights.values()) <= 0:
        raise ValueError("sector_weights are all zero; at least one must be > 0")


def scenario_json_schema() -> str:
    """The JSON Schema of scenario files, as committed in ``scenarios/scenario.schema.json``."""
    schema = Scenario.model_json_schema(by_alias=True)
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["title"] = "deconflict scenario"
    return json.dumps(schema, indent=2, ensure_ascii=False) + "\n"
