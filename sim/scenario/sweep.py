"""Parameter sweeps: a scenario run at every combination of values set at dotted paths.

``--set policies.one-hour-notice.lead_min=0,15,30`` sets that field of the scenario file's
data to each value in turn (values read by the same strict YAML rules as scenario files).
Several ``--set`` options give the Cartesian product, first path slowest. Every point is
validated like a scenario file before anything runs. A sweep file
(``scenarios/sweeps/*.yaml``) holds the same as a mapping under ``sweep:``.
"""

from __future__ import annotations

import copy
import hashlib
import itertools
import json
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from sim.errors import InputError
from sim.scenario.load import LoadedScenario, scenario_from_data
from sim.scenario.strict_yaml import load_yaml, parse_scalar

__all__ = ["SweepPoint", "SweepSpec", "assign_path", "build_points", "load_sweep_input", "parse_set"]


class SweepFile(BaseModel):
    """The ``sweep:`` mapping of a sweep file."""

    model_config = ConfigDict(extra="forbid", strict=True)

    scenario: str
    set: Annotated[dict[str, list[Any]], Field(min_length=1)]
    replications: Annotated[int, Field(ge=1)] | None = None
    policies: list[str] | None = None
    metric: str | None = None
    description: str = ""


@dataclass(frozen=True)
class SweepSpec:
    """What to sweep: the base scenario file and its data, and the values per path."""

    scenario_path: Path
    data: Any
    lines: dict[tuple[str | int, ...], int]
    sets: list[tuple[str, list[Any]]]
    replications: int | None = None
    policies: list[str] | None = None
    sweep_file: Path | None = None
    metric: str | None = None  # what the printed pivot shows: a level or a replications.csv column


@dataclass(frozen=True)
class SweepPoint:
    """One combination of values, and the scenario it gives."""

    index: int
    values: tuple[Any, ...]
    loaded: LoadedScenario


def parse_set(option: str) -> tuple[str, list[Any]]:
    """Parse ``PATH=V1,V2,...`` into the path and its values (strict YAML scalars)."""
    if "=" not in option:
        raise InputError(f"--set {option!r}: expected PATH=V1,V2,... (e.g. sides.russia.sorties_per_day=20,40)")
    path, _, raw = option.partition("=")
    path = path.strip()
    if not path or any(not part for part in path.split(".")):
        raise InputError(f"--set {option!r}: the path must be dotted field names, e.g. policies.hotline.latency_min")
    items = [v.strip() for v in raw.split(",")]
    if not raw.strip() or any(v == "" for v in items):
        raise InputError(f"--set {option!r}: give one or more comma-separated values after '='")
    try:
        values = [parse_scalar(v) for v in items]
    except InputError as exc:
        raise InputError(f"--set {path}: {exc}") from None
    return path, values


def _no_such(path: str, where: str, node: Any, part: str) -> InputError:
    if isinstance(node, dict):
        return InputError(f"--set {path}: no {part!r} at {where} (known: {', '.join(map(str, node))})")
    if isinstance(node, list):
        return InputError(
            f"--set {path}: {where} is a list of {len(node)}; expected an index 0-{len(node) - 1}, found {part!r}"
        )
    return InputError(f"--set {path}: {where} is a single value ({node!r}); it has no field {part!r}")


def assign_path(data: Any, path: str, value: Any) -> None:
    """Set ``data`` at the dotted ``path`` (dict keys, list indices) to ``value``."""
    node = data
    parts = path.split(".")
    for depth, part in enumerate(parts[:-1]):
        if isinstance(node, dict) and part in node:
            node = node[part]
        elif isinstance(node, list) and part.isdigit() and int(part) < len(node):
            node = node[int(part)]
        else:
            raise _no_such(path, ".".join(parts[:depth]) or "the top level", node, part)
    last = parts[-1]
    if isinstance(node, dict):
        node[last] = value
    elif isinstance(node, list) and last.isdigit() and int(last) < len(node):
        node[int(last)] = value
    else:
        raise _no_such(path, ".".join(parts[:-1]) or "the top level", node, last)


def load_sweep_input(path: str | Path, sets: Sequence[str]) -> SweepSpec:
    """Read a scenario file (with ``--set`` options) or a sweep file (``sweep:`` mapping)."""
    path = Path(path)
    data, lines = load_yaml(path)
    parsed_sets = [parse_set(s) for s in sets]
    repeated = sorted({p for p, _ in parsed_sets if [q for q, _ in parsed_sets].count(p) > 1})
    if repeated:
        raise InputError(f"--set given more than once for {', '.join(repeated)}; list all values in one --set")
    if isinstance(data, dict) and "sweep" in data:
        if set(data) != {"sweep"}:
            raise InputError("a sweep file holds only the 'sweep' mapping", path=str(path))
        if not isinstance(data["sweep"], dict):
            raise InputError(f"line {lines.get(('sweep',), '?')}: sweep: expected a mapping", path=str(path))
        try:
            spec = SweepFile.model_validate(data["sweep"])
        except ValidationError as exc:
            problems = []
            for e in exc.errors(include_url=False):
                loc = ("sweep", *e["loc"])
                line = next((lines[loc[:k]] for k in range(len(loc), 0, -1) if loc[:k] in lines), None)
                where = f"line {line}: " if line else ""
                problems.append(f"{where}{'.'.join(map(str, loc))}: {e['msg']}")
            raise InputError("; ".join(problems), path=str(path)) from None
        scenario_path = (path.parent / spec.scenario).resolve()
        if not scenario_path.is_file():
            line = lines.get(("sweep", "scenario"))
            raise InputError(
                f"{f'line {line}: ' if line else ''}sweep.scenario: no such file {str(scenario_path)!r} "
                "(paths are relative to the sweep file)",
                path=str(path),
            )
        base, base_lines = load_yaml(scenario_path)
        merged = dict(spec.set)
        merged.update(dict(parsed_sets))
        for key, values in merged.items():
            if not values:
                raise InputError(f"sweep.set.{key}: give at least one value", path=str(path))
        return SweepSpec(
            scenario_path,
            base,
            base_lines,
            list(merged.items()),
            spec.replications,
            spec.policies,
            sweep_file=path,
            metric=spec.metric,
        )
    if not parsed_sets:
        raise InputError("nothing to sweep: give --set PATH=V1,V2,... or a sweep file", path=str(path))
    return SweepSpec(path, data, lines, parsed_sets)


def build_points(spec: SweepSpec) -> list[SweepPoint]:
    """Every combination of values as a validated scenario; raises ``InputError`` on the first bad one."""
    paths = [p for p, _ in spec.sets]
    base_bytes = spec.scenario_path.read_bytes()
    points: list[SweepPoint] = []
    for index, values in enumerate(itertools.product(*(v for _, v in spec.sets))):
        data = copy.deepcopy(spec.data)
        for p, v in zip(paths, values, strict=True):
            assign_path(data, p, v)
        label = ", ".join(f"{p}={v}" for p, v in zip(paths, values, strict=True))
        digest = hashlib.sha256(base_bytes + json.dumps(list(zip(paths, values, strict=True))).encode()).hexdigest()
        loaded = scenario_from_data(
            data,
            path=spec.scenario_path,
            lines=spec.lines,
            source=f"{spec.scenario_path} (sweep point {label})",
            sha256=digest,
        )
        points.append(SweepPoint(index, tuple(values), loaded))
    return points
