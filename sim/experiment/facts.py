"""Holding a finished run against the record: each reported fact, the model's number, a verdict.

For every row of a facts file (``sim.scenario.facts``) the model's number is computed per
replication from ``replications.csv`` or ``transits.csv`` under the row's policy, then its
mean and 95 % Student-t interval over replications. A row passes when the mean lies in the
reported band (widened by the tolerance), fails when it does not, and has no data when the
run holds no such sorties (or no ``transits.csv``: a run made before it was written).
"""

from __future__ import annotations

import csv
import math
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from sim.experiment.compare import read_replications
from sim.experiment.stats import mean_ci
from sim.scenario.facts import Fact, Facts

__all__ = ["Verdict", "check_facts", "facts_table"]


@dataclass(frozen=True)
class Verdict:
    """A fact, the model's mean and 95 % interval (nan without data), and the verdict."""

    fact: Fact
    mean: float
    ci_low: float
    ci_high: float
    verdict: str  # "pass", "FAIL" or "no data"

    @property
    def passed(self) -> bool:
        return self.verdict != "FAIL"


def _transit_values(run_dir: Path, fact: Fact, replications: int, per_day: float) -> np.ndarray | None:
    path = run_dir / "transits.csv"
    if not path.is_file():
        return None
    sel = fact.transits
    assert sel is not None
    sorties = np.zeros(replications)
    minutes = np.zeros(replications)
    with path.open(encoding="utf-8", newline="") as f:
        for r in csv.DictReader(f):
            if r["policy"] != fact.policy or r["side"] != sel.side:
                continue
            if (sel.bases is not None and r["base"] not in sel.bases) or (
                sel.regions is not None and r["region"] not in sel.regions
            ):
                continue
            rep, n = int(r["replication"]), int(r["sorties"])
            sorties[rep] += n
            minutes[rep] += n * float(r["transit_min"])
    if sel.quantity == "sorties":
        return sorties * per_day
    flown = sorties > 0
    return minutes[flown] / sorties[flown]


def check_facts(run_dir: str | Path, facts: Facts) -> list[Verdict]:
    """Every fact of ``facts`` against the run in ``run_dir``; raises ``InputError`` on a bad name."""
    run_dir = Path(run_dir)
    table, manifest = read_replications(run_dir)
    horizon_h = float(manifest.get("scenario", {}).get("horizon_h", 24.0))
    per_day = 24.0 / horizon_h
    sides = {m.split("_", 1)[0] for m in table.metrics if m.endswith("_sorties_planned")}
    out = []
    for fact in facts.rows:
        if fact.policy not in table.policies:
            raise facts.error(
                f"no policy {fact.policy!r} in {run_dir} (it ran {', '.join(table.policies)})",
                "rows",
                fact.index,
                "model",
                "policy",
            )
        values: np.ndarray | None
        if fact.columns is not None:
            block = table.values[fact.policy]
            total = np.zeros(block.shape[0])
            for column, coefficient in fact.columns.items():
                if column not in table.metrics:
                    raise facts.error(
                        f"no column {column!r} in {run_dir}/replications.csv", "rows", fact.index, "model", "columns"
                    )
                total += coefficient * block[:, table.metrics.index(column)]
            values = total * per_day
        else:
            assert fact.transits is not None
            if fact.transits.side not in sides:
                raise facts.error(
                    f"no side {fact.transits.side!r} in {run_dir} (sides: {', '.join(sorted(sides))})",
                    "rows",
                    fact.index,
                    "model",
                    "transits",
                    "side",
                )
            values = _transit_values(run_dir, fact, table.values[fact.policy].shape[0], per_day)
        if values is None or values.size == 0:
            out.append(Verdict(fact, math.nan, math.nan, math.nan, "no data"))
            continue
        est = mean_ci(values)
        low, high = fact.band
        out.append(Verdict(fact, est.mean, est.ci_low, est.ci_high, "pass" if low <= est.mean <= high else "FAIL"))
    return out


def facts_table(verdicts: list[Verdict]) -> str:
    """The table ``deconflict facts`` prints: fact, reported, model mean [95 % CI], verdict, source."""
    header = ("fact", "reported", "model [95 % CI]", "verdict", "source")
    rows = []
    for v in verdicts:
        f = v.fact
        if math.isnan(v.mean):
            model = "-"
        elif math.isnan(v.ci_low):
            model = f"{v.mean:.3g}"
        else:
            model = f"{v.mean:.3g} [{v.ci_low:.3g}, {v.ci_high:.3g}]"
        rows.append((f.name, f"{f.reported_text} {f.unit}", model, v.verdict, f.source))
    widths = [max(len(r[i]) for r in [header, *rows]) for i in range(len(header))]
    lines = ["  ".join(c.ljust(w) for c, w in zip(header, widths, strict=True)).rstrip()]
    lines += ["  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)).rstrip() for r in rows]
    fails = sum(v.verdict == "FAIL" for v in verdicts)
    missing = sum(v.verdict == "no data" for v in verdicts)
    lines.append(f"\n{len(verdicts) - fails - missing} pass, {fails} fail, {missing} without data")
    return "\n".join(lines)
