"""Sensitivity files: which scenario fields vary, over which ranges, and what is measured.

A sensitivity file (``scenarios/sensitivity/*.yaml``) holds one mapping under
``sensitivity:``; the fields of ``vary`` are the dotted paths of ``--set`` (see
``sim.scenario.sweep``), so anything a sweep can set can vary. Each path gets a range
``{low, high}`` (uniform), optionally with a distribution over it: ``triangular`` (with
``mode``) or ``normal`` (with ``mean`` and ``sd``, truncated to the range). A field whose
value in the scenario is an integer stays an integer (design values are rounded). Every
path is checked against the scenario here; every design point is validated as a scenario
by ``points_from_values`` before anything runs.
"""

from __future__ import annotations

import copy
import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from sim.errors import InputError
from sim.scenario.load import LoadedScenario, scenario_from_data
from sim.scenario.strict_yaml import load_yaml
from sim.scenario.sweep import assign_path

__all__ = ["Parameter", "SensitivitySpec", "load_sensitivity", "points_from_values", "sensitivity_from_data"]

MORRIS_ONLY = ("trajectories", "levels")
SOBOL_ONLY = ("samples",)


class Range(BaseModel):
    """The range of one varied field, and the law of its values over it."""

    model_config = ConfigDict(extra="forbid", strict=True)

    low: float
    high: float
    distribution: Literal["uniform", "triangular", "normal"] = "uniform"
    mode: float | None = None
    mean: float | None = None
    sd: Annotated[float, Field(gt=0)] | None = None
    reason: str = ""

    @model_validator(mode="after")
    def _consistent(self) -> Range:
        if not self.low < self.high:
            raise ValueError(f"expected low < high, found low {self.low:g}, high {self.high:g}")
        if self.distribution == "triangular":
            if self.mode is None or not self.low <= self.mode <= self.high:
                raise ValueError("a triangular range needs a mode between low and high")
        elif self.mode is not None:
            raise ValueError("mode applies to distribution: triangular only")
        if self.distribution == "normal":
            if self.mean is None or self.sd is None:
                raise ValueError("a normal range needs mean and sd (truncated to [low, high])")
        elif self.mean is not None or self.sd is not None:
            raise ValueError("mean and sd apply to distribution: normal only")
        return self


class SensitivityFile(BaseModel):
    """The ``sensitivity:`` mapping of a sensitivity file."""

    model_config = ConfigDict(extra="forbid", strict=True)

    scenario: str
    method: Literal["morris", "sobol"]
    vary: Annotated[dict[str, Range], Field(min_length=1)]
    outputs: Annotated[list[str], Field(min_length=1)]
    replications: Annotated[int, Field(ge=1)] | None = None
    policies: list[str] | None = None
    reference: str | None = None
    seed: Annotated[int, Field(ge=0)] = 1
    trajectories: Annotated[int, Field(ge=2)] = 10
    levels: Annotated[int, Field(ge=2)] = 4
    samples: Annotated[int, Field(ge=2)] = 64
    resamples: Annotated[int, Field(ge=100)] = 1000
    description: str = ""


@dataclass(frozen=True)
class Parameter:
    """One varied field: its dotted ``path``, range and law, and whether it is an integer."""

    path: str
    low: float
    high: float
    distribution: str
    mode: float | None
    mean: float | None
    sd: float | None
    integer: bool
    nominal: float
    reason: str


@dataclass(frozen=True)
class SensitivitySpec:
    """A validated sensitivity file: the base scenario's data and what to vary and measure."""

    path: Path
    lines: dict[tuple[str | int, ...], int]
    scenario_path: Path
    data: Any
    scenario_lines: dict[tuple[str | int, ...], int]
    method: str
    parameters: tuple[Parameter, ...]
    outputs: tuple[str, ...]
    replications: int | None
    policies: tuple[str, ...] | None
    reference: str | None
    seed: int
    trajectories: int
    levels: int
    samples: int
    resamples: int
    description: str

    def where(self, *field: str | int) -> str:
        """``line N: sensitivity.<field>`` for messages (the line of the deepest known key)."""
        loc = ("sensitivity", *field)
        line = next((self.lines[loc[:k]] for k in range(len(loc), 0, -1) if loc[:k] in self.lines), None)
        return f"{f'line {line}: ' if line else ''}{'.'.join(map(str, loc))}"

    def error(self, message: str, *field: str | int) -> InputError:
        """An ``InputError`` about ``field`` of this file."""
        return InputError(f"{self.where(*field)}: {message}", path=str(self.path))


def _value_at(data: Any, path: str) -> Any:
    node = data
    for part in path.split("."):
        node = node[int(part)] if isinstance(node, list) else node[part]
    return node


def load_sensitivity(path: str | Path) -> SensitivitySpec:
    """Read and check a sensitivity file; raises ``InputError`` naming file, field and line."""
    path = Path(path)
    data, lines = load_yaml(path)
    return sensitivity_from_data(data, lines, path)


def sensitivity_from_data(data: Any, lines: dict[tuple[str | int, ...], int], path: Path) -> SensitivitySpec:
    """Check the data of a sensitivity file read from ``path`` (``scenario`` is relative to its folder)."""
    if not isinstance(data, dict) or set(data) != {"sensitivity"}:
        raise InputError("a sensitivity file holds only the 'sensitivity' mapping", path=str(path))
    if not isinstance(data["sensitivity"], dict):
        raise InputError(f"line {lines.get(('sensitivity',), '?')}: sensitivity: expected a mapping", path=str(path))
    try:
        spec = SensitivityFile.model_validate(data["sensitivity"])
    except ValidationError as exc:
        problems = []
        for e in exc.errors(include_url=False):
            loc = ("sensitivity", *e["loc"])
            line = next((lines[loc[:k]] for k in range(len(loc), 0, -1) if loc[:k] in lines), None)
            problems.append(f"{f'line {line}: ' if line else ''}{'.'.join(map(str, loc))}: {e['msg']}")
        raise InputError("; ".join(problems), path=str(path)) from None
    given = set(data["sensitivity"])
    wrong = [f for f in (SOBOL_ONLY if spec.method == "morris" else MORRIS_ONLY) if f in given]
    scenario_path = (path.parent / spec.scenario).resolve()
    base, base_lines = (None, {}) if wrong or not scenario_path.is_file() else load_yaml(scenario_path)
    out = SensitivitySpec(
        path=path,
        lines=lines,
        scenario_path=scenario_path,
        data=base,
        scenario_lines=base_lines,
        method=spec.method,
        parameters=(),
        outputs=tuple(spec.outputs),
        replications=spec.replications,
        policies=tuple(spec.policies) if spec.policies is not None else None,
        reference=spec.reference,
        seed=spec.seed,
        trajectories=spec.trajectories,
        levels=spec.levels,
        samples=spec.samples,
        resamples=spec.resamples,
        description=spec.description,
    )
    if wrong:
        raise out.error(f"applies to method {'sobol' if spec.method == 'morris' else 'morris'} only", wrong[0])
    if not scenario_path.is_file():
        raise out.error(f"no such file {str(scenario_path)!r} (paths are relative to this file)", "scenario")
    if spec.method == "sobol" and spec.samples & (spec.samples - 1):
        raise out.error(f"expected a power of 2 (Sobol' sequences), found {spec.samples}", "samples")
    if spec.method == "morris" and spec.levels % 2:
        raise out.error(f"expected an even number of levels (Morris), found {spec.levels}", "levels")
    if len(set(spec.outputs)) != len(spec.outputs):
        raise out.error("an output is listed twice", "outputs")
    params = []
    for name, rng in spec.vary.items():
        try:
            assign_path(copy.deepcopy(base), name, 0)
            nominal = _value_at(base, name)
        except InputError as exc:
            raise out.error(str(exc).removeprefix(f"--set {name}: "), "vary", name) from None
        except (KeyError, IndexError):
            raise out.error("the scenario gives no value there; vary only fields it sets", "vary", name) from None
        if isinstance(nominal, bool) or not isinstance(nominal, int | float):
            raise out.error(
                f"the scenario's value there is {nominal!r}; only numbers can vary (give each choice its own policy)",
                "vary",
                name,
            )
        params.append(
            Parameter(
                path=name,
                low=rng.low,
                high=rng.high,
                distribution=rng.distribution,
                mode=rng.mode,
                mean=rng.mean,
                sd=rng.sd,
                integer=isinstance(nominal, int),
                nominal=float(nominal),
                reason=rng.reason,
            )
        )
    return SensitivitySpec(**{**out.__dict__, "parameters": tuple(params)})


def points_from_values(spec: SensitivitySpec, values: Sequence[Sequence[float]]) -> list[LoadedScenario]:
    """The scenario of each design point (row of ``values``, one column per parameter), validated.

    Raises ``InputError`` naming the point, its values and the scenario's field on the first bad one.
    """
    paths = [p.path for p in spec.parameters]
    base_bytes = spec.scenario_path.read_bytes()
    loaded: list[LoadedScenario] = []
    for index, row in enumerate(values):
        data = copy.deepcopy(spec.data)
        for p, v in zip(spec.parameters, row, strict=True):
            assign_path(data, p.path, int(v) if p.integer else float(v))
        label = ", ".join(f"{p}={v:g}" for p, v in zip(paths, row, strict=True))
        digest = hashlib.sha256(base_bytes + json.dumps(list(zip(paths, map(float, row), strict=True))).encode())
        loaded.append(
            scenario_from_data(
                data,
                path=spec.scenario_path,
                lines=spec.scenario_lines,
                source=f"{spec.scenario_path} (sensitivity point {index}: {label}; from {spec.path})",
                sha256=digest.hexdigest(),
            )
        )
    return loaded
