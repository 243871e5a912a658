"""Reading a results directory (a run or a sweep) for plotting, with clear errors for bad input.

Nothing is re-run and nothing is recomputed that ``summary.csv`` already holds: means and
intervals come from it. Only what it cannot hold is derived here, each time from the file
named in the figure's footer: sums of metrics over both sides (from ``replications.csv``),
counts by sector and hour (``encounters.csv``), and, while ``summary.csv`` lacks the paired
columns, paired differences from ``replications.csv`` with the same Student-t method.
"""

from __future__ import annotations

import csv
import json
import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from sim.errors import InputError
from sim.experiment.stats import Estimate, mean_ci
from sim.experiment.tables import horizon_unit

__all__ = ["RunData", "SummaryRow", "SweepData", "is_sweep_dir", "load_run", "load_sweep"]

RUN_FILES = ("manifest.json", "replications.csv", "encounters.csv", "summary.csv")
SWEEP_FILES = ("manifest.json", "points.csv", "sweep_summary.csv")


def _read_manifest(path: Path) -> dict[str, Any]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise InputError("expected a run manifest, found no such file", path=str(path)) from None
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise InputError(f"expected a readable JSON manifest, found: {exc}", path=str(path)) from None
    if not isinstance(data, dict):
        raise InputError(f"expected a JSON object, found {type(data).__name__}", path=str(path))
    return data


def _read_csv(path: Path, required: Sequence[str]) -> list[dict[str, str]]:
    try:
        with path.open(encoding="utf-8", newline="") as f:
            reader = csv.DictReader(f)
            header = reader.fieldnames or []
            missing = [c for c in required if c not in header]
            if missing:
                raise InputError(
                    f"expected columns {', '.join(missing)} in the header, found {', '.join(header) or 'no header'}",
                    path=str(path),
                )
            return list(reader)
    except FileNotFoundError:
        raise InputError("expected a CSV file, found no such file", path=str(path)) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"expected a readable UTF-8 CSV file, found: {exc}", path=str(path)) from None


def _float(text: str | None, path: Path, line: int, column: str) -> float:
    """A CSV cell as a float; empty means NaN (e.g. an interval from one replication)."""
    if text is None or text.strip() == "" or text.strip().lower() == "nan":
        return math.nan
    try:
        return float(text)
    except ValueError:
        raise InputError(f"line {line}, column {column}: expected a number, found {text!r}", path=str(path)) from None


def _require(manifest: dict[str, Any], key: str, kind: type, path: Path) -> Any:
    value = manifest.get(key)
    if not isinstance(value, kind) or (isinstance(value, list) and not value):
        found = "no such key" if value is None else repr(value)[:60]
        raise InputError(f"{key}: expected a non-empty {kind.__name__}, found {found}", path=str(path))
    return value


@dataclass(frozen=True)
class SummaryRow:
    """One policy x metric of ``summary.csv``: mean, 95 % interval and, if present, the paired difference."""

    n: float
    mean: float
    ci_low: float
    ci_high: float
    diff_mean: float = math.nan
    diff_low: float = math.nan
    diff_high: float = math.nan
    rel_change: float = math.nan


def _summary_row(row: dict[str, str], path: Path, line: int) -> SummaryRow:
    def f(column: str) -> float:
        return _float(row.get(column), path, line, column)

    return SummaryRow(
        f("n"),
        f("mean"),
        f("ci95_low"),
        f("ci95_high"),
        f("diff_mean"),
        f("diff_ci95_low"),
        f("diff_ci95_high"),
        f("rel_change"),
    )


@dataclass
class RunData:
    """A run directory's manifest and tables, as the figures need them."""

    path: Path
    manifest: dict[str, Any]
    policies: list[str]
    levels: list[str]
    sides: list[str]
    horizon_h: float
    summary: dict[tuple[str, str], SummaryRow]
    has_paired: bool
    replications: list[dict[str, str]]
    encounters: list[dict[str, str]]
    airborne: list[dict[str, str]] | None
    level_info: dict[str, dict[str, Any]] = field(default_factory=dict)

    @property
    def scale(self) -> float:
        """Factor the figures apply to a replication's numbers: 1, so that they show what the
        printed summary shows, in the same unit (``unit``: never scaled silently to a day)."""
        return 1.0

    @property
    def unit(self) -> str:
        """``"per day"`` for a 24 h horizon, ``"per 4 h horizon"`` otherwise, as printed."""
        return horizon_unit(self.horizon_h)

    @property
    def reference(self) -> str:
        return self.policies[0]

    def n_replications(self, policy: str) -> int:
        return sum(1 for r in self.replications if r["policy"] == policy)

    def stat(self, policy: str, metric: str) -> SummaryRow:
        """The ``summary.csv`` row for ``policy`` and ``metric`` (InputError if it is missing)."""
        try:
            return self.summary[(policy, metric)]
        except KeyError:
            raise InputError(
                f"expected a row for policy {policy!r}, metric {metric!r}, found none",
                path=str(self.path / "summary.csv"),
            ) from None

    def values(self, policy: str, columns: Sequence[str]) -> np.ndarray:
        """Per replication (sorted by replication), the sum of ``columns`` of ``replications.csv``."""
        path = self.path / "replications.csv"
        rows = sorted(
            ((i, r) for i, r in enumerate(self.replications) if r["policy"] == policy),
            key=lambda ir: int(ir[1]["replication"]),
        )
        out = np.zeros(len(rows))
        for column in columns:
            if self.replications and column not in self.replications[0]:
                raise InputError(f"expected a column {column!r}, found none", path=str(path))
            out += [_float(r[column], path, i + 2, column) for i, r in rows]
        return out

    def summed(self, policy: str, columns: Sequence[str]) -> Estimate:
        """Mean and 95 % t interval over replications of the sum of ``columns`` (per replication)."""
        return mean_ci(self.values(policy, columns))

    def paired(self, policy: str, metric: str) -> SummaryRow:
        """Paired difference ``policy - reference`` of ``metric``: from summary.csv when it has it."""
        row = self.stat(policy, metric)
        if self.has_paired:
            if policy == self.reference and math.isnan(row.diff_mean):
                return SummaryRow(row.n, row.mean, row.ci_low, row.ci_high, 0.0, 0.0, 0.0, 0.0)
            return row
        # fallback while summary.csv has no paired columns: the same t interval on the differences
        mine, ref = self.values(policy, [metric]), self.values(self.reference, [metric])
        if len(mine) != len(ref):
            raise InputError(
                f"expected the same replications for {policy!r} and {self.reference!r}, "
                f"found {len(mine)} and {len(ref)}",
                path=str(self.path / "replications.csv"),
            )
        est = mean_ci(mine - ref)
        base = float(ref.mean()) if len(ref) else math.nan
        rel = est.mean / base if base else math.nan
        return SummaryRow(row.n, row.mean, row.ci_low, row.ci_high, est.mean, est.ci_low, est.ci_high, rel)


def _missing_files(path: Path, names: Sequence[str]) -> list[str]:
    return [name for name in names if not (path / name).is_file()]


def is_sweep_dir(path: str | Path) -> bool:
    """True if ``path`` looks like a sweep directory (manifest kind "sweep" or a points.csv)."""
    path = Path(path)
    if (path / "points.csv").is_file() or (path / "sweep_summary.csv").is_file():
        return True
    try:
        return json.loads((path / "manifest.json").read_text(encoding="utf-8")).get("kind") == "sweep"
    except (OSError, ValueError, AttributeError):
        return False


def load_run(path: str | Path) -> RunData:
    """Read the run directory ``path``; InputError naming the file and what is wrong otherwise."""
    path = Path(path)
    if not path.is_dir():
        raise InputError("expected a results directory, found no such directory", path=str(path))
    missing = _missing_files(path, RUN_FILES)
    if missing:
        raise InputError(
            f"expected a results directory with {', '.join(RUN_FILES)}, found no {', '.join(missing)}",
            path=str(path),
        )
    mpath = path / "manifest.json"
    manifest = _read_manifest(mpath)
    policies = [str(p) for p in _require(manifest, "policies", list, mpath)]
    levels = [str(lv) for lv in _require(manifest, "levels", list, mpath)]
    scenario = manifest.get("scenario") if isinstance(manifest.get("scenario"), dict) else {}
    assert isinstance(scenario, dict)
    sides = list(scenario.get("sides", {}) or {})
    horizon = scenario.get("horizon_h", 24.0)
    if not isinstance(horizon, int | float) or not horizon > 0:
        raise InputError(f"scenario.horizon_h: expected a positive number, found {horizon!r}", path=str(mpath))
    level_info = {str(lv.get("name")): lv for lv in scenario.get("levels", []) if isinstance(lv, dict)}

    spath = path / "summary.csv"
    srows = _read_csv(spath, ("policy", "metric", "n", "mean", "ci95_low", "ci95_high"))
    summary = {(r["policy"], r["metric"]): _summary_row(r, spath, i + 2) for i, r in enumerate(srows)}
    has_paired = bool(srows) and "diff_mean" in srows[0] and "diff_ci95_low" in srows[0]

    replications = _read_csv(path / "replications.csv", ("policy", "replication"))
    if not sides and replications:  # older manifests: sides from the column names
        sides = sorted({c.removesuffix("_sorties_planned") for c in replications[0] if c.endswith("_sorties_planned")})
    encounters = _read_csv(path / "encounters.csv", ("policy", "replication", "level", "t_cpa", "lat_cpa", "lon_cpa"))
    airborne = None
    if (path / "airborne.csv").is_file():
        airborne = _read_csv(path / "airborne.csv", ("policy", "side", "hour", "mean_airborne"))
    unknown = sorted({r["policy"] for r in srows} - set(policies))
    if unknown:
        raise InputError(
            f"expected only the manifest's policies ({', '.join(policies)}), found {', '.join(unknown)}",
            path=str(spath),
        )
    return RunData(
        path=path,
        manifest=manifest,
        policies=policies,
        levels=levels,
        sides=sides,
        horizon_h=float(horizon),
        summary=summary,
        has_paired=has_paired,
        replications=replications,
        encounters=encounters,
        airborne=airborne,
        level_info=level_info,
    )


@dataclass
class SweepData:
    """A sweep directory: the swept paths, the points' values and ``sweep_summary.csv``."""

    path: Path
    manifest: dict[str, Any]
    paths: list[str]
    policies: list[str]
    levels: list[str]
    points: dict[str, dict[str, str]]  # point id -> {path: value as written}
    rows: list[dict[str, str]]
    per_day: dict[str, float]  # point id -> factor for its numbers: 1 (per replication, as printed)
    unit: str = "per day"  # "per day", or "per N h horizon" for another horizon (sim.experiment.tables)

    def point_dir(self, point: str) -> Path:
        return self.path / "points" / f"{int(point):03d}"


def _horizon_h(manifest: dict[str, Any]) -> float | None:
    scenario = manifest.get("scenario")
    value = scenario.get("horizon_h") if isinstance(scenario, dict) else None
    example = manifest.get("run_plan_example")  # sweep manifests
    if value is None and isinstance(example, dict):
        value = example.get("horizon_h")
    return float(value) if isinstance(value, int | float) and value > 0 else None


def load_sweep(path: str | Path) -> SweepData:
    """Read the sweep directory ``path``; InputError naming the file and what is wrong otherwise."""
    path = Path(path)
    missing = _missing_files(path, SWEEP_FILES)
    if missing:
        raise InputError(
            f"expected a sweep directory with {', '.join(SWEEP_FILES)}, found no {', '.join(missing)}",
            path=str(path),
        )
    mpath = path / "manifest.json"
    manifest = _read_manifest(mpath)
    paths = [str(p) for p in _require(manifest, "paths", list, mpath)]
    policies = [str(p) for p in _require(manifest, "policies", list, mpath)]
    levels = [str(lv) for lv in _require(manifest, "levels", list, mpath)]
    points = {r["point"]: {p: r[p] for p in paths} for r in _read_csv(path / "points.csv", ["point", *paths])}
    rows = _read_csv(
        path / "sweep_summary.csv", ["point", *paths, "policy", "metric", "n", "mean", "ci95_low", "ci95_high"]
    )
    default_h = _horizon_h(manifest) or 24.0
    per_day = {}
    horizons: set[float] = set()
    for point in points:
        horizon = None
        point_manifest = path / "points" / f"{int(point):03d}" / "manifest.json"
        if point_manifest.is_file():
            horizon = _horizon_h(_read_manifest(point_manifest))
        per_day[point] = 1.0
        horizons.add(horizon or default_h)
    unit = horizon_unit(min(horizons, default=default_h)) if len(horizons) <= 1 else "per replication"
    return SweepData(path, manifest, paths, policies, levels, points, rows, per_day, unit)
