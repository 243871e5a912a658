"""Loading a scenario: parse and validate the YAML, load its sectors, cross-check the names.

``load_scenario(path)`` is the one way in for a file, ``scenario_from_data`` for data that
was read or built elsewhere (sweep points). Every problem becomes one ``InputError`` that
names the file, the field path and the line, with what was expected and what was found;
several problems in one file are reported together.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from types import UnionType
from typing import Annotated, Any, Union, get_args, get_origin

from pydantic import ValidationError

from sim.errors import InputError
from sim.scenario.bundled import default_sectors_path
from sim.scenario.geojson import load_sectors
from sim.scenario.models import Scenario
from sim.scenario.projection import LocalProjection
from sim.scenario.rules import PolicySpec
from sim.scenario.sectors import SectorMap, circle_area, sectors_under
from sim.scenario.strict_yaml import LineMap, load_yaml

__all__ = ["LoadedScenario", "load_scenario", "parse_scenario", "scenario_from_data"]


class LoadedScenario:
    """A validated scenario with its sector map and the facts the results layer records."""

    def __init__(self, scenario: Scenario, sectors: SectorMap, path: Path, sha256: str) -> None:
        self.scenario = scenario
        self.sectors = sectors
        self.path = path
        self.sha256 = sha256
        # derived facts the model reuses across replications (bases' positions, profiles),
        # filled on first use; a pure function of the scenario, rebuilt for a changed one
        self.cache: dict[str, object] = {}

    def with_scenario(self, scenario: Scenario) -> LoadedScenario:
        """The same file and sectors with ``scenario`` in place of the loaded one (e.g. a layer switched off)."""
        return LoadedScenario(scenario, self.sectors, self.path, self.sha256)

    @property
    def projection(self) -> LocalProjection:
        return self.sectors.projection


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


def _fields_at(loc: tuple[str | int, ...], data: Any) -> list[str]:
    """The field names (file spellings) valid where ``loc`` points in a scenario, found by
    walking the models (through mappings, lists and policy kinds); [] when unknown."""
    from pydantic import BaseModel

    def unwrap(tp: Any) -> list[Any]:
        """The model classes or containers inside an annotation (Optional, Annotated, unions)."""
        origin = get_origin(tp)
        if origin is Annotated:
            return unwrap(get_args(tp)[0])
        if origin in (Union, UnionType):
            return [t for arg in get_args(tp) for t in unwrap(arg)]
        return [tp]

    kinds: list[Any] = [Scenario]
    node = data
    for part in loc[:-1]:
        nxt: list[Any] = []
        for tp in kinds:
            origin = get_origin(tp)
            if isinstance(tp, type) and issubclass(tp, BaseModel) and isinstance(part, str):
                for name, field in tp.model_fields.items():
                    if part in (name, field.alias):
                        nxt += unwrap(field.annotation)
            elif origin is dict:
                nxt += unwrap(get_args(tp)[1])
            elif origin in (list, tuple):
                nxt += unwrap(get_args(tp)[0])
        if isinstance(node, dict):
            node = node.get(part)
        elif isinstance(node, list) and isinstance(part, int) and part < len(node):
            node = node[part]
        else:
            node = None
        kind = node.get("kind") if isinstance(node, dict) else None
        models = [t for t in nxt if isinstance(t, type) and issubclass(t, BaseModel)]
        if kind is not None and len(models) > 1:  # a policy: the member of its kind
            nxt = [
                t for t in models if "kind" in t.model_fields and get_args(t.model_fields["kind"].annotation) == (kind,)
            ]
        kinds = nxt
    names: list[str] = []
    for tp in kinds:
        if isinstance(tp, type) and issubclass(tp, BaseModel):
            names += [field.alias or name for name, field in tp.model_fields.items()]
    return names


def _closest_field(loc: tuple[str | int, ...], data: Any) -> str | None:
    """The valid field name closest to the unknown key at the end of ``loc``, if one is close."""
    import difflib

    if not loc or not isinstance(loc[-1], str):
        return None
    close = difflib.get_close_matches(loc[-1], _fields_at(loc, data), n=1, cutoff=0.6)
    return close[0] if close else None


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
            close = _closest_field(loc, data)
            hint = f"did you mean `{close}`?" if close else "check the spelling"
            msg = f"unknown field: {hint} (see `deconflict schema`)"
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

    known = ", ".join(sectors.names + sectors.area_names)
    for side_name, side in sc.sides.items():
        for sector in side.sector_weights:
            if sector not in sectors:
                bad(
                    ("sides", side_name, "sector_weights", sector),
                    f"unknown sector {sector!r} (no such sector or work area); known: {known}",
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
                        f"unknown sector {sector!r} (no such sector or work area); known: {known}",
                    )
        if side.tactical is not None:
            for k, src in enumerate(side.tactical.surveillance.sources):
                for m, fleet_name in enumerate(src.fleets or ()):
                    if fleet_name not in side.fleets:
                        bad(
                            ("sides", side_name, "tactical", "surveillance", "sources", k, "fleets", m),
                            f"unknown fleet {fleet_name!r}; this side's fleets: {', '.join(side.fleets)}",
                        )
    for policy_name, policy in sc.policies.items():
        for field, message in policy.check_sides(sc.side_names):
            bad(("policies", policy_name, field), message)
    if problems:
        count = len(problems)
        head = f"{count} problem{'s' if count > 1 else ''} in the scenario:\n  "
        raise InputError(head + "\n  ".join(problems), path=source)


def _with_areas(scenario: Scenario, sectors: SectorMap, path: Path, lines: LineMap, source: str) -> SectorMap:
    """The sector map with the scenario's work areas: circles from ``areas``, polygons from
    ``areas_file`` (GeoJSON, names in each feature's ``name``), in that order."""
    if not scenario.areas and scenario.areas_file is None:
        return sectors
    projection = sectors.projection
    areas = [circle_area(name, a.lat_deg, a.lon_deg, a.radius_m, projection) for name, a in scenario.areas.items()]
    if scenario.areas_file is not None:
        line = lines.get(("areas_file",))
        where = f"line {line}: " if line else ""
        areas_path = (path.parent / scenario.areas_file).resolve()
        if not areas_path.is_file():
            raise InputError(
                f"{where}areas_file: no such file {str(areas_path)!r} (paths are relative to the scenario file)",
                path=source,
            )
        try:
            polygons = load_sectors(areas_path, projection)
        except InputError as exc:
            raise InputError(f"{where}areas_file: {exc}", path=source) from None
        areas += list(polygons.sectors)
    problems = []
    seen: set[str] = set()
    for a in areas:
        loc: tuple[str, ...] = ("areas", a.name) if a.name in scenario.areas else ("areas_file",)
        line = _line_for(loc, lines)
        where = f"line {line}: " if line else ""
        if a.name in sectors:
            problems.append(f"{where}{_format_loc(loc)}: work area {a.name!r} is named like a sector; rename it")
        elif a.name in seen:
            problems.append(f"{where}{_format_loc(loc)}: work area {a.name!r} is defined twice (areas and areas_file)")
        elif not sectors_under(sectors.sectors, a):
            problems.append(f"{where}{_format_loc(loc)}: work area {a.name!r} lies outside every sector")
        seen.add(a.name)
    if problems:
        count = len(problems)
        head = f"{count} problem{'s' if count > 1 else ''} in the scenario:\n  "
        raise InputError(head + "\n  ".join(problems), path=source)
    return SectorMap(sectors=sectors.sectors, projection=projection, source=sectors.source, areas=tuple(areas))


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
    sectors = _with_areas(scenario, sectors, path, lines, source)
    _check_references(scenario, sectors, lines, source)
    digest = sha256 or hashlib.sha256(path.read_bytes()).hexdigest()
    return LoadedScenario(scenario, sectors, path, digest)
