"""Facts files: what was reported, from which source, and which model number answers it.

A facts file (``scenarios/facts/*.yaml``) holds ``facts: {scenario, description, rows}``;
each row names a reported observable (``reported: {value}`` or ``{low, high}``, with its
``unit`` and ``source``), the ``tolerance`` it is read with (absolute, same unit: the band
is ``[low - tolerance, high + tolerance]``) and the model number that corresponds:

* ``columns: {COLUMN: COEFFICIENT, ...}`` of ``replications.csv`` under ``policy``: per
  replication the weighted sum, per day (x 24 h / horizon);
* ``transits: {side, bases, regions, quantity}`` of ``transits.csv`` under ``policy``: per
  replication the sorties-weighted mean ``transit_min`` (``quantity: transit_min``) or the
  number of sorties a day (``quantity: sorties``) of that side from those bases (all if
  omitted) to those regions (all if omitted).

``deconflict facts RESULTS_DIR FACTS`` checks a run against it (``sim.experiment.facts``).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from sim.errors import InputError
from sim.scenario.strict_yaml import load_yaml

__all__ = ["Fact", "Facts", "load_facts"]


class Transits(BaseModel):
    """A transit-time or sortie-count selection of ``transits.csv``."""

    model_config = ConfigDict(extra="forbid", strict=True)

    side: str
    bases: list[str] | None = None
    regions: list[str] | None = None
    quantity: Literal["transit_min", "sorties"] = "transit_min"


class Model(BaseModel):
    """The model number of a fact: one policy, and columns or transits."""

    model_config = ConfigDict(extra="forbid", strict=True)

    policy: str
    columns: Annotated[dict[str, float], Field(min_length=1)] | None = None
    transits: Transits | None = None

    @model_validator(mode="after")
    def _one(self) -> Model:
        if (self.columns is None) == (self.transits is None):
            raise ValueError("give exactly one of columns or transits")
        return self


class Reported(BaseModel):
    """A reported value, or a reported range."""

    model_config = ConfigDict(extra="forbid", strict=True)

    value: float | None = None
    low: float | None = None
    high: float | None = None

    @model_validator(mode="after")
    def _shape(self) -> Reported:
        if self.value is not None:
            if self.low is not None or self.high is not None:
                raise ValueError("give value, or low and high, not both")
        elif self.low is None or self.high is None or not self.low <= self.high:
            raise ValueError("give value, or low <= high")
        return self


class Row(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)

    name: str
    reported: Reported
    unit: str
    source: str
    tolerance: Annotated[float, Field(ge=0)] = 0.0
    model: Model
    note: str = ""


class FactsFile(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)

    scenario: str | None = None
    description: str = ""
    rows: Annotated[list[Row], Field(min_length=1)]


@dataclass(frozen=True)
class Fact:
    """One reported observable, its band (with tolerance) and its model number."""

    index: int
    name: str
    reported_low: float
    reported_high: float
    tolerance: float
    unit: str
    source: str
    note: str
    policy: str
    columns: dict[str, float] | None
    transits: Transits | None

    @property
    def band(self) -> tuple[float, float]:
        """What passes: the reported value or range widened by the tolerance."""
        return self.reported_low - self.tolerance, self.reported_high + self.tolerance

    @property
    def reported_text(self) -> str:
        low, high = self.reported_low, self.reported_high
        core = f"{low:g}" if low == high else f"{low:g}-{high:g}"
        return core + (f" ± {self.tolerance:g}" if self.tolerance else "")


@dataclass(frozen=True)
class Facts:
    """A checked facts file, with the line of each key for messages."""

    path: Path
    lines: dict[tuple[str | int, ...], int]
    description: str
    rows: tuple[Fact, ...]

    def error(self, message: str, *field: str | int) -> InputError:
        """An ``InputError`` about ``facts.<field>`` of this file (with its line)."""
        loc = ("facts", *field)
        line = next((self.lines[loc[:k]] for k in range(len(loc), 0, -1) if loc[:k] in self.lines), None)
        return InputError(
            f"{f'line {line}: ' if line else ''}{'.'.join(map(str, loc))}: {message}", path=str(self.path)
        )


def load_facts(path: str | Path) -> Facts:
    """Read and check a facts file; raises ``InputError`` naming file, field and line."""
    path = Path(path)
    data, lines = load_yaml(path)
    if not isinstance(data, dict) or set(data) != {"facts"}:
        raise InputError("a facts file holds only the 'facts' mapping", path=str(path))
    try:
        spec = FactsFile.model_validate(data["facts"])
    except ValidationError as exc:
        problems = []
        for e in exc.errors(include_url=False):
            loc: tuple[Any, ...] = ("facts", *e["loc"])
            line = next((lines[loc[:k]] for k in range(len(loc), 0, -1) if loc[:k] in lines), None)
            problems.append(f"{f'line {line}: ' if line else ''}{'.'.join(map(str, loc))}: {e['msg']}")
        raise InputError("; ".join(problems), path=str(path)) from None
    rows = []
    for i, r in enumerate(spec.rows):
        low = r.reported.value if r.reported.value is not None else r.reported.low
        high = r.reported.value if r.reported.value is not None else r.reported.high
        assert low is not None and high is not None
        rows.append(
            Fact(
                index=i,
                name=r.name,
                reported_low=low,
                reported_high=high,
                tolerance=r.tolerance,
                unit=r.unit,
                source=r.source,
                note=r.note,
                policy=r.model.policy,
                columns=r.model.columns,
                transits=r.model.transits,
            )
        )
    return Facts(path=path, lines=lines, description=spec.description, rows=tuple(rows))
