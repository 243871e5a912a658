"""The tables printed at the end of a run and by ``deconflict compare``: readable without a file."""

from __future__ import annotations

import math
from collections.abc import Sequence

from sim.errors import InputError
from sim.experiment.tables import (
    decimals_for,
    fit_table,
    format_estimate,
    heading,
    horizon_note,
    horizon_unit,
    number,
    plural,
)

__all__ = ["SECTIONS", "paired_cells", "paired_table", "parse_sections", "print_summary", "summary_table"]

SECTIONS = ("encounters", "value", "cost", "tactical", "risk")
"""What ``--metrics`` can select: encounter counts, mission value lost, the costs in detail,
the tactical layer and collision risk. The paired differences follow the selection."""

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


def _num(value: object) -> float:
    if value is None or value == "":
        return math.nan
    return float(value)  # type: ignore[arg-type]


def summary_table(
    summary: Sequence[dict[str, object]],
    policies: Sequence[str],
    columns: Sequence[tuple[str, str]],
    decimals: int | None = None,
) -> str:
    """One line per policy, one column per (metric, heading): mean ± half-width of the 95 % CI
    (two significant figures of the half-width unless ``decimals`` is given), split into
    blocks of columns that fit in ``WIDTH`` columns."""
    index = {(r["policy"], r["metric"]): r for r in summary}
    rows = [["policy", *[h for _, h in columns]]]
    for p in policies:
        cells = [p]
        for metric, _ in columns:
            r = index[(p, metric)]
            cells.append(format_estimate(_num(r["mean"]), _num(r["ci95_low"]), _num(r["ci95_high"]), decimals))
        rows.append(cells)
    return fit_table(rows)


def _relative(row: dict[str, object], low: float, high: float) -> str:
    """The relative change to the reference with the interval of the paired ratio when there is
    one; without one, only where the difference's interval excludes 0 (else "-")."""
    rel = _num(row.get("rel_change"))
    if math.isnan(rel):
        return "-"
    r_low, r_high = _num(row.get("ratio_ci95_low")), _num(row.get("ratio_ci95_high"))
    if not (math.isnan(r_low) or math.isnan(r_high)):
        return f"{100 * rel:+.0f} % [{100 * (r_low - 1):+.0f}, {100 * (r_high - 1):+.0f}]"
    if math.isnan(low) or low <= 0 <= high:
        return "-"
    return f"{100 * rel:+.0f} %"


def paired_cells(row: dict[str, object]) -> tuple[str, str, str]:
    """A summary row's paired difference as (difference, [95 % CI], relative change), each with
    two significant figures of the interval's half-width; ("-", "", "") with no difference."""
    d = _num(row.get("diff_mean"))
    if math.isnan(d):
        return "-", "", ""
    low, high = _num(row.get("diff_ci95_low")), _num(row.get("diff_ci95_high"))
    half = (high - low) / 2 if not math.isnan(low) else math.nan
    places = decimals_for(half) if half > 0 else decimals_for(d, figures=3)
    interval = "" if math.isnan(low) else f"[{number(low, places, sign=True)}, {number(high, places, sign=True)}]"
    return number(d, places, sign=True), interval, _relative(row, low, high)


def _ratio_cell(row: dict[str, object]) -> str:
    """``ratio [low, high]`` from a summary row's ratio columns; "-" where undefined."""
    ratio = _num(row.get("ratio"))
    if math.isnan(ratio):
        return "-"
    low, high = _num(row.get("ratio_ci95_low")), _num(row.get("ratio_ci95_high"))
    return f"{ratio:.3g}" if math.isnan(low) else f"{ratio:.3g} [{low:.3g}, {high:.3g}]"


def paired_table(
    summary: Sequence[dict[str, object]],
    policy: str,
    metrics: Sequence[tuple[str, str]],
) -> str:
    """One line per metric: ``policy``'s paired difference from the reference, its 95 % CI and
    the relative change (with the ratio's interval where it has one); the metrics that are the
    same in every replication are named in one sentence below instead."""
    index = {(r["policy"], r["metric"]): r for r in summary}
    rows = [["metric", "difference", "95 % CI", "relative [95 % CI]"]]
    unchanged = []
    for metric, label in metrics:
        row = index[(policy, metric)]
        if all(_num(row.get(c)) == 0 for c in ("diff_mean", "diff_ci95_low", "diff_ci95_high")):
            unchanged.append(label)
        else:
            rows.append([label, *paired_cells(row)])
    text = fit_table(rows) if len(rows) > 1 else ""
    if unchanged:
        text += ("\n" if text else "") + heading("the same in every replication: " + ", ".join(unchanged))
    return text


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
    print(
        "\n"
        + heading(
            f"Collision risk {per}: expected counts under navigation and altimetry errors [95 % CI, cut at 0]; "
            f"fatal accidents per flight hour (2 per collision) against ICAO's target of {TLS_PER_FLIGHT_H:g}:"
        )
    )
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
    print(fit_table(rows))
    if len(ratios) > 1:
        print(f"\nRisk ratio against {ref}: paired means, interval by the delta method on the log ratio:")
        print(fit_table(ratios))


def parse_sections(text: str | None) -> tuple[str, ...]:
    """The sections a ``--metrics`` value selects (comma-separated names of ``SECTIONS``, or
    ``all``); all of them for None. InputError naming the closest section for a wrong name."""
    import difflib

    if text is None or text.strip() == "all":
        return SECTIONS
    chosen = [part.strip() for part in text.split(",")]
    for name in chosen:
        if name not in SECTIONS:
            close = difflib.get_close_matches(name, SECTIONS, n=1, cutoff=0.5)
            hint = f"did you mean `{close[0]}`? " if close else ""
            raise InputError(f"--metrics: unknown section {name!r}; {hint}choose from {', '.join(SECTIONS)} or all")
    return tuple(s for s in SECTIONS if s in chosen)


def print_summary(
    summary: Sequence[dict[str, object]],
    policies: Sequence[str],
    levels: Sequence[str],
    sides: Sequence[str],
    horizon_h: float,
    sections: Sequence[str] = SECTIONS,
) -> None:
    """Print the chosen ``sections`` (all of ``SECTIONS`` by default) with the replication count,
    then the paired difference of every other policy from the first on their metrics; every
    line fits in ``WIDTH`` columns. Counts are per replication: "per day" for a 24 h horizon,
    "per N h horizon" (said so) otherwise."""
    index = {(r["policy"], r["metric"]): r for r in summary}
    n = {p: int(_num(index[(p, f"encounters_{levels[0]}")]["n"])) for p in policies}
    counts = sorted(set(n.values()))
    over = (
        plural(counts[0], "replication") if len(counts) == 1 else ", ".join(f"{c:,}" for c in counts) + " replications"
    )
    per = horizon_unit(horizon_h)
    note = horizon_note(horizon_h)
    if note:
        print("\n" + heading(note))
    paired: list[tuple[str, str]] = []
    if "encounters" in sections:
        print("\n" + heading(f"Encounters {per}, mean ±95 % CI half-width over {over} per policy:"))
        encounters = [(f"encounters_{lv}", lv) for lv in levels]
        print(summary_table(summary, policies, encounters))
        paired += [(m, f"encounters {lv}") for m, lv in encounters]
    value, value_head = VALUE_METRIC
    if "value" in sections:
        print(
            "\n"
            + heading(
                f"Cost of deconfliction {per} ({over} per policy): mission value lost, in sortie equivalents "
                "(a sortie flown as planned is worth 1), summed over each side's sorties:"
            )
        )
        headline = [(f"{side}_{value}", f"{side} {value_head}") for side in sides]
        print(summary_table(summary, policies, headline))
        paired += headline
    if "cost" in sections:
        for side in sides:
            print("\n" + heading(f"Cost of deconfliction to {side} in detail {per}, summed over its sorties:"))
            print(summary_table(summary, policies, [(f"{side}_{m}", head) for m, head in COST_METRICS]))
        paired += [(f"{side}_{m}", f"{side} {head}") for side in sides for m, head in COST_METRICS]
    if "tactical" in sections:
        for side in sides:
            alerts = [index.get((p, f"{side}_tactical_alerts")) for p in policies]
            if any(a is not None and _num(a["mean"]) > 0 for a in alerts):
                print(
                    "\n"
                    + heading(
                        f"Tactical layer of {side} {per} (the crews in flight; lost min are also in the cost above):"
                    )
                )
                print(summary_table(summary, policies, [(f"{side}_{m}", head) for m, head in TACTICAL_REPORT]))
                paired += [(f"{side}_{m}", f"{side} {head}") for m, head in TACTICAL_REPORT[:2]]
    if "risk" in sections and (policies[0], "risk_collision") in index:
        _print_risk(index, policies, sides, horizon_h, per)
    if len(policies) > 1 and paired:
        ref = policies[0]
        print(
            "\n"
            + heading(
                f"Paired difference from {ref} (same sorties in each replication), {per}: mean, 95 % CI and "
                "the change relative to the reference ('-' where the reference's mean is 0, or where the "
                "interval includes 0 and the ratio has none):"
            )
        )
        for p in policies[1:]:
            print(f"\n{p} - {ref}:")
            print(paired_table(summary, p, paired))
