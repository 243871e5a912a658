"""The tables printed at the end of a run and by ``deconflict compare``: readable without a file."""

from __future__ import annotations

import math
from collections.abc import Sequence

__all__ = ["paired_table", "print_summary", "summary_table"]

VALUE_METRIC = ("mission_value_lost", "value lost")
"""The headline cost: sortie equivalents of mission value lost (``sim.experiment.value``)."""

COST_METRICS = (
    ("delay_min", "delay min"),
    ("lost_on_station_min", "lost on-station min"),
    ("retasked", "re-tasked"),
    ("altitude_changed", "new altitude"),
    ("cancelled", "cancelled"),
    ("aborted", "sent home"),
    ("unresolved", "unresolved"),
)

TACTICAL_REPORT = (
    ("tactical_alerts", "alerts"),
    ("tactical_turn_away", "turn-aways"),
    ("tactical_altitude", "climbs"),
    ("tactical_hold", "holds"),
    ("tactical_rtb", "sent home"),
    ("tactical_lost_min", "lost min"),
    ("tactical_missed", "missed"),
)
"""The tactical layer's columns printed for each side that had alerts (``replications.csv`` names)."""


def _fixed_width(rows: list[list[str]]) -> str:
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    lines = [
        "  ".join(c.ljust(w) if i == 0 else c.rjust(w) for i, (c, w) in enumerate(zip(row, widths, strict=True)))
        for row in rows
    ]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines)


def _num(value: object) -> float:
    if value is None or value == "":
        return math.nan
    return float(value)  # type: ignore[arg-type]


def _fmt(mean: float, low: float, high: float, digits: int | None = None) -> str:
    if math.isnan(mean):
        return "-"
    if digits is None:
        digits = 1 if abs(mean) < 100 else 0
    if math.isnan(low):
        return f"{mean:.{digits}f}"
    return f"{mean:.{digits}f} ±{(high - low) / 2:.{digits}f}"


def summary_table(
    summary: Sequence[dict[str, object]],
    policies: Sequence[str],
    columns: Sequence[tuple[str, str]],
    digits: int | None = None,
) -> str:
    """One line per policy, one column per (metric, heading): mean ± half-width of the 95 % CI
    (to ``digits`` decimals; by default 1, none from 100)."""
    index = {(r["policy"], r["metric"]): r for r in summary}
    rows = [["policy", *[h for _, h in columns]]]
    for p in policies:
        cells = [p]
        for metric, _ in columns:
            r = index[(p, metric)]
            cells.append(_fmt(_num(r["mean"]), _num(r["ci95_low"]), _num(r["ci95_high"]), digits))
        rows.append(cells)
    return _fixed_width(rows)


def _paired_cell(row: dict[str, object]) -> str:
    d = _num(row.get("diff_mean"))
    if math.isnan(d):
        return "-"
    low, high, rel = _num(row.get("diff_ci95_low")), _num(row.get("diff_ci95_high")), _num(row.get("rel_change"))
    text = f"{d:+.2f}" if math.isnan(low) else f"{d:+.2f} [{low:+.2f}, {high:+.2f}]"
    return text + (f" ({100 * rel:+.0f} %)" if not math.isnan(rel) else " (-)")


def _ratio_cell(row: dict[str, object]) -> str:
    """``ratio [low, high]`` from a summary row's ratio columns; "-" where undefined."""
    ratio = _num(row.get("ratio"))
    if math.isnan(ratio):
        return "-"
    low, high = _num(row.get("ratio_ci95_low")), _num(row.get("ratio_ci95_high"))
    return f"{ratio:.3g}" if math.isnan(low) else f"{ratio:.3g} [{low:.3g}, {high:.3g}]"


def paired_table(
    summary: Sequence[dict[str, object]],
    policies: Sequence[str],
    metrics: Sequence[tuple[str, str]],
) -> str:
    """One line per metric, one column per policy: paired difference from the reference.

    Cells read ``mean [95 % CI] (relative change)``; "(-)" where the reference's mean is 0.
    """
    index = {(r["policy"], r["metric"]): r for r in summary}
    rows = [["metric", *policies]]
    for metric, label in metrics:
        rows.append([label, *[_paired_cell(index[(p, metric)]) for p in policies]])
    return _fixed_width(rows)


TLS_PER_FLIGHT_H = 5e-9
"""ICAO's target level of safety for all causes of vertical risk in RVSM airspace (Doc 9574):
fatal accidents per flight hour. The tightest published whole-system target for en-route
collision risk, so the natural yardstick for a mid-air collision between two air forces."""


def accidents_per_collision_per_flight_h(hours: float) -> float:
    """Fatal accidents per flight hour for each expected collision in ``hours`` flown: two
    aircraft are lost in a collision (the Reich model's accounting); nan for no hours."""
    return 2.0 / hours if hours > 0 else float("nan")


def _print_risk(
    index: dict[tuple[object, object], dict[str, object]],
    policies: Sequence[str],
    sides: Sequence[str],
    horizon_h: float,
    per: str,
) -> None:
    """Expected NMACs and collisions, per flight hour against the target level of safety."""
    ref = policies[0]
    print(f"\nCollision risk {per}: expected counts under navigation and altimetry errors")
    print("[95 % CI, cut at 0];", end=" ")
    print(f"fatal accidents per flight hour (2 per collision) against ICAO's target of {TLS_PER_FLIGHT_H:g}:")
    rows = [["policy", "NMACs", "collisions", "accidents/flight h", "x target", "years/collision"]]
    ratios = [["policy", "NMAC risk ratio [95 % CI]", "collision risk ratio [95 % CI]"]]
    for p in policies:
        if p != ref:
            ratios.append([p, *(_ratio_cell(index[(p, m)]) for m in ("risk_nmac", "risk_collision"))])
        cells = []
        for metric in ("risk_nmac", "risk_collision"):
            r = index[(p, metric)]
            low = max(_num(r["ci95_low"]), 0.0)  # a count's expectation is never negative
            low_text = "0" if low == 0 else f"{low:.1e}"
            cells.append(f"{_num(r['mean']):.2e} [{low_text}, {_num(r['ci95_high']):.1e}]")
        collisions = _num(index[(p, "risk_collision")]["mean"])
        hours = sum(_num(index[(p, f"{side}_flight_h")]["mean"]) for side in sides)
        rate = collisions * accidents_per_collision_per_flight_h(hours)
        years = horizon_h / 24 / (collisions * 365.25) if collisions > 0 else float("inf")
        rows.append(
            [
                p,
                *cells,
                f"{rate:.2e}",
                f"{rate / TLS_PER_FLIGHT_H:.3g}x"
                if rate / TLS_PER_FLIGHT_H < 100
                else f"{rate / TLS_PER_FLIGHT_H:.0f}x",
                f"{years:.3g}",
            ]
        )
    print(_fixed_width(rows))
    if len(ratios) > 1:
        print(f"\nRisk ratio against {ref}: paired means, interval by the delta method on the log ratio:")
        print(_fixed_width(ratios))


def print_summary(
    summary: Sequence[dict[str, object]],
    policies: Sequence[str],
    levels: Sequence[str],
    sides: Sequence[str],
    horizon_h: float,
) -> None:
    """Print the encounter rates, the paired comparison and the costs, with the replication count."""
    index = {(r["policy"], r["metric"]): r for r in summary}
    n = {p: int(_num(index[(p, f"encounters_{levels[0]}")]["n"])) for p in policies}
    counts = ", ".join(sorted({str(v) for v in n.values()}))
    per = f"per replication ({horizon_h:g} h), n = {counts} replications per policy"
    print(f"\nEncounters {per}; mean ±95 % CI half-width:")
    print(summary_table(summary, policies, [(f"encounters_{lv}", lv) for lv in levels]))
    value, value_head = VALUE_METRIC
    print(
        f"\nCost of deconfliction {per}: mission value lost, in sortie equivalents "
        "(a sortie flown as planned is worth 1), summed over each side's sorties:"
    )
    headline = [(f"{side}_{value}", f"{side} {value_head}") for side in sides]
    print(summary_table(summary, policies, headline, digits=2))
    cost = headline + [(f"{side}_{m}", f"{side} {head}") for side in sides for m, head in COST_METRICS]
    for side in sides:
        print(f"\nCost of deconfliction to {side} in detail {per}, summed over its sorties:")
        print(summary_table(summary, policies, [(f"{side}_{m}", head) for m, head in COST_METRICS]))
    for side in sides:
        alerts = [index.get((p, f"{side}_tactical_alerts")) for p in policies]
        if any(a is not None and _num(a["mean"]) > 0 for a in alerts):
            print(f"\nTactical layer of {side} {per} (the crews in flight; lost min are also in the cost above):")
            print(summary_table(summary, policies, [(f"{side}_{m}", head) for m, head in TACTICAL_REPORT]))
            cost += [(f"{side}_{m}", f"{side} {head}") for m, head in TACTICAL_REPORT[:2]]
    if (policies[0], "risk_collision") in index:
        _print_risk(index, policies, sides, horizon_h, per)
    if len(policies) > 1:
        ref = policies[0]
        print(
            f"\nPaired difference from {ref} (same sorties in each replication), "
            "mean [95 % CI] (change relative to the reference; '-' where its mean is 0):"
        )
        print(paired_table(summary, policies[1:], [(f"encounters_{lv}", f"encounters {lv}") for lv in levels] + cost))
