"""Scenario files: pydantic models of the YAML a user writes, and ``load_scenario()``.

Scenario files speak aviation units, always named in the field (``cruise_kt``, ``floor_ft``,
``lead_min``, ``horizontal_nm``). Each model offers the same quantities in SI units
(``cruise_mps``, ``floor_m``, ``lead_s``) as properties, so the model code never converts.
Every model forbids unknown keys. Cross-references (sector names, base names, side names)
are checked by ``load_scenario()`` against the sector file, with the field path and line.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Annotated, Any, Literal, get_args

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    ValidationInfo,
    field_validator,
    model_validator,
)

from sim.errors import InputError
from sim.scenario.bundled import default_sectors_path
from sim.scenario.geojson import load_sectors
from sim.scenario.projection import LocalProjection
from sim.scenario.rules import PolicySpec
from sim.scenario.sectors import SectorMap
from sim.scenario.strict_yaml import LineMap, load_yaml
from sim.units import FT_M, KT_MPS, MIN_S, NM_M

__all__ = [
    "Base",
    "Fleet",
    "LoadedScenario",
    "Level",
    "OpsCell",
    "Origin",
    "Reaction",
    "Scenario",
    "Side",
    "load_scenario",
    "parse_scenario",
    "scenario_from_data",
    "scenario_json_schema",
]

PositiveFloat = Annotated[float, Field(gt=0, allow_inf_nan=False)]
NonNegFloat = Annotated[float, Field(ge=0, allow_inf_nan=False)]
Fraction = Annotated[float, Field(ge=0, le=1, allow_inf_nan=False)]
Name = Annotated[str, Field(min_length=1)]


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


class Fleet(_Model):
    """One aircraft type of a side: how many, how fast, how high, how long on station.

    A fleet takes either a ``share`` of its side's ``sorties_per_day`` or a fixed
    ``sorties_per_day`` of its own (e.g. drone orbits); ``sector_weights`` overrides the
    side's for this fleet only.
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
    share: Fraction | None = None
    sorties_per_day: Annotated[float, Field(ge=0, le=10_000, allow_inf_nan=False)] | None = None
    sector_weights: dict[str, NonNegFloat] | None = None

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
    """

    actions: tuple[ReactionAction, ...] = ("altitude", "delay", "retask", "hold", "cancel")
    airborne: bool = True
    max_delay_min: NonNegFloat = 60.0
    max_hold_min: NonNegFloat = 20.0
    buffer_min: NonNegFloat = 10.0
    vertical_buffer_ft: NonNegFloat = 1000.0

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


class Side(_Model):
    """One air force: its bases, fleets, tempo, target sectors and how it reacts to notices."""

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


class Scenario(_Model):
    """A whole scenario: two sides, sectors, separation levels and the policies to compare."""

    name: Name
    description: str = ""
    sources: list[str] = []
    origin: Origin
    sectors_file: str | None = None
    horizon_h: Annotated[float, Field(gt=0, le=24 * 31)] = 24.0
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
    def side_names(self) -> tuple[str, str]:
        a, b = self.sides
        return a, b


class LoadedScenario:
    """A validated scenario with its sector map and the facts the results layer records."""

    def __init__(self, scenario: Scenario, sectors: SectorMap, path: Path, sha256: str) -> None:
        self.scenario = scenario
        self.sectors = sectors
        self.path = path
        self.sha256 = sha256

    @property
    def projection(self) -> LocalProjection:
        return self.sectors.projection


def _check_weights(weights: dict[str, float]) -> None:
    if not weights:
        raise ValueError("sector_weights is empty; name at least one sector with a weight > 0")
    if sum(weights.values()) <= 0:
        raise ValueError("sector_weights are all zero; at least one must be > 0")


_POLICY_KINDS = ", ".join(  # "none, advance_notice, ...", from the union's members
    get_args(model.model_fields["kind"].annotation)[0] for model in get_args(get_args(PolicySpec)[0])
)


def _describe(value: Any) -> str:
    text = json.dumps(value, default=str) if not isinstance(value, str) else repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def _format_loc(loc: tuple[str | int, ...]) -> str:
    parts: list[str] = []
    for item in loc:
        if isinstance(item, int):
            parts.append(f"[{item}]")
        else:
            parts.append(("." if parts else "") + str(item))
    return "".join(parts) or "(top level)"


def _clean_loc(loc: tuple[Any, ...]) -> tuple[str | int, ...]:
    """Drop pydantic's union-branch tags (e.g. ``advance_notice``) that are not in the file."""
    return tuple(part for part in loc if not (isinstance(part, str) and part.startswith("function-")))


def _line_for(loc: tuple[str | int, ...], lines: LineMap) -> int | None:
    for cut in range(len(loc), -1, -1):
        if loc[:cut] in lines:
            return lines[loc[:cut]]
    return None


def _validation_message(exc: ValidationError, lines: LineMap, data: Any) -> str:
    out = []
    for err in exc.errors(include_url=False):
        loc = _clean_loc(tuple(err["loc"]))
        # pydantic puts the discriminator value into the location of tagged unions: drop it
        if len(loc) >= 3 and loc[0] == "policies" and isinstance(data, dict):
            policies = data.get("policies")
            name = loc[1]
            if isinstance(policies, dict) and isinstance(policies.get(name), dict):
                if loc[2] == policies[name].get("kind"):
                    loc = loc[:2] + loc[3:]
        kind, ctx = err["type"], err.get("ctx", {})
        msg = err["msg"].removeprefix("Value error, ")
        show_found = kind not in ("missing", "extra_forbidden") and "input" in err
        if kind == "extra_forbidden":
            msg = "unknown field (check the spelling; see `deconflict schema`)"
        elif kind == "union_tag_invalid":  # a discriminated union: only policies have one
            loc = (*loc, "kind")
            msg = f"unknown policy kind {ctx.get('tag')!r}; expected one of {_POLICY_KINDS}"
            show_found = False
        elif kind == "union_tag_not_found":
            loc = (*loc, "kind")
            msg = f"field required: the policy's kind, one of {_POLICY_KINDS}"
            show_found = False
        elif kind in ("model_type", "model_attributes_type", "dict_type"):
            msg = "expected a mapping (name: value lines)"
        elif kind in ("list_type", "tuple_type"):  # a tuple is a YAML list too
            msg = "expected a list ([a, b] or lines starting with '- ')"
        elif kind in ("too_short", "too_long") and "actual_length" in ctx:
            bound = ctx.get("min_length") if kind == "too_short" else ctx.get("max_length")
            word = "at least" if kind == "too_short" else "at most"
            msg = f"expected {word} {bound} item(s), found {ctx['actual_length']}"
            show_found = False
        elif kind == "value_error" and len(_describe(err.get("input"))) >= 60:
            show_found = False  # a whole section: the message itself says what is wrong
        line = _line_for(loc, lines)
        where = f"line {line}: " if line else ""
        found = f"; found {_describe(err['input'])}" if show_found else ""
        out.append(f"{where}{_format_loc(loc)}: {msg}{found}")
    return "\n  ".join(out)


def parse_scenario(data: Any, *, source: str, lines: LineMap | None = None) -> Scenario:
    """Validate already-parsed YAML ``data`` into a ``Scenario`` or raise ``InputError``."""
    lines = lines or {}
    if isinstance(data, dict) and set(data) == {"sweep"}:
        raise InputError("this is a sweep file, not a scenario; run it with `deconflict sweep`", path=source)
    if not isinstance(data, dict):
        kind = "empty" if data is None else type(data).__name__
        raise InputError(f"expected a mapping of scenario fields at the top level, found {kind}", path=source)
    try:
        return Scenario.model_validate(data)
    except ValidationError as exc:
        count = exc.error_count()
        head = f"{count} problem{'s' if count > 1 else ''} in the scenario:\n  "
        raise InputError(head + _validation_message(exc, lines, data), path=source) from None


def _check_references(sc: Scenario, sectors: SectorMap, lines: LineMap, source: str) -> None:
    problems: list[str] = []

    def bad(loc: tuple[str | int, ...], message: str) -> None:
        line = _line_for(loc, lines)
        problems.append(f"{f'line {line}: ' if line else ''}{_format_loc(loc)}: {message}")

    known = ", ".join(sectors.names)
    for side_name, side in sc.sides.items():
        for sector in side.sector_weights:
            if sector not in sectors:
                bad(
                    ("sides", side_name, "sector_weights", sector),
                    f"unknown sector {sector!r}; known: {known}",
                )
        for fleet_name, fleet in side.fleets.items():
            if fleet.base not in side.bases:
                bad(
                    ("sides", side_name, "fleets", fleet_name, "base"),
                    f"unknown base {fleet.base!r}; this side's bases: {', '.join(side.bases)}",
                )
            for sector in fleet.sector_weights or {}:
                if sector not in sectors:
                    bad(
                        ("sides", side_name, "fleets", fleet_name, "sector_weights", sector),
                        f"unknown sector {sector!r}; known: {known}",
                    )
    for policy_name, policy in sc.policies.items():
        for field, message in policy.check_sides(sc.side_names):
            bad(("policies", policy_name, field), message)
    if problems:
        count = len(problems)
        head = f"{count} problem{'s' if count > 1 else ''} in the scenario:\n  "
        raise InputError(head + "\n  ".join(problems), path=source)


def load_scenario(path: str | Path) -> LoadedScenario:
    """Read, validate and cross-check the scenario file at ``path``; load its sector map.

    Raises ``InputError`` (file, field path, line, expected and found) on any problem.
    """
    path = Path(path)
    data, lines = load_yaml(path)
    return scenario_from_data(data, path=path, lines=lines)


def scenario_from_data(
    data: Any,
    *,
    path: Path,
    lines: LineMap | None = None,
    source: str | None = None,
    sha256: str | None = None,
) -> LoadedScenario:
    """Validate scenario ``data`` read from ``path`` (sector files resolve next to it).

    ``source`` names the input in error messages (default: the path); ``sha256`` is the
    recorded hash (default: the file's). Used for files and for sweep points.
    """
    lines = lines or {}
    source = source or str(path)
    scenario = parse_scenario(data, source=source, lines=lines)
    if scenario.sectors_file is None:
        sectors_path = default_sectors_path()
    else:
        sectors_path = (path.parent / scenario.sectors_file).resolve()
        if not sectors_path.is_file():
            line = lines.get(("sectors_file",))
            raise InputError(
                f"{f'line {line}: ' if line else ''}sectors_file: "
                f"no such file {str(sectors_path)!r} "
                "(paths are relative to the scenario file)",
                path=source,
            )
    projection = LocalProjection(scenario.origin.lat_deg, scenario.origin.lon_deg)
    try:
        sectors = load_sectors(sectors_path, projection)
    except InputError as exc:
        if scenario.sectors_file is None:
            raise
        # Name the scenario's field as well as the sector file's own problem.
        line = lines.get(("sectors_file",))
        where = f"line {line}: " if line else ""
        raise InputError(f"{where}sectors_file: {exc}", path=source) from None
    _check_references(scenario, sectors, lines, source)
    digest = sha256 or hashlib.sha256(path.read_bytes()).hexdigest()
    return LoadedScenario(scenario, sectors, path, digest)


def scenario_json_schema() -> str:
    """The JSON Schema of scenario files, as committed in ``scenarios/scenario.schema.json``."""
    schema = Scenario.model_json_schema(by_alias=True)
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["title"] = "deconflict scenario"
    return json.dumps(schema, indent=2, ensure_ascii=False) + "\n"
