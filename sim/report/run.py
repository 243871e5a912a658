"""The sections of a run's report: the answer, the tables, the tactical and risk layers, the figures.

Every number comes from ``summary.csv`` (per replication: one horizon of the scenario) and
the answer gives it per replication, in the printed summary's unit (per day for a 24 h horizon); ``manifest.json`` gives the rest.
"""

from __future__ import annotations

import csv
import math
from pathlib import Path

from sim.experiment.report import COST_METRICS, TACTICAL_REPORT, VALUE_METRIC
from sim.plots.data import RunData
from sim.plots.figures import level_title, run_figure_builders
from sim.report.html import figure_html, interval, paragraph, table

__all__ = ["Section", "run_sections"]

Section = tuple[str, str, str]  # (anchor, title, body HTML)
Rows = dict[tuple[str, str], dict[str, str]]


def _rows(path: Path) -> Rows:
    """``summary.csv`` as (policy, metric) -> its row (strings), for the columns RunData leaves out."""
    with (path / "summary.csv").open(encoding="utf-8", newline="") as f:
        return {(r["policy"], r["metric"]): r for r in csv.DictReader(f)}


def _num(row: dict[str, str] | None, column: str) -> float:
    text = (row or {}).get(column) or ""
    try:
        return float(text)
    except ValueError:
        return math.nan


def _cell(row: dict[str, str] | None, prefix: str = "", digits: int = 2, scale: float = 1.0) -> str:
    """``mean [low, high]`` of a row's ``<prefix>mean`` and ``<prefix>ci95_*`` columns, times ``scale``."""
    return interval(
        _num(row, f"{prefix}mean") * scale,
        _num(row, f"{prefix}ci95_low") * scale,
        _num(row, f"{prefix}ci95_high") * scale,
        digits,
    )


def _digits(values: list[float]) -> int:
    """Decimals for a column: 2, or more for small numbers (a rare count), 1 for large ones."""
    finite = [abs(v) for v in values if math.isfinite(v) and v != 0]
    if not finite:
        return 2
    smallest = min(finite)
    return 1 if smallest >= 100 else 2 if smallest >= 0.1 else 3 if smallest >= 0.01 else 4


def headline_level(run: RunData, rows: Rows) -> str:
    """The level the answer speaks of: the one with the most encounters under the reference (the
    best resolved by the replications), the first level when none has any."""
    means = {lv: _num(rows.get((run.reference, f"encounters_{lv}")), "mean") for lv in run.levels}
    finite = {lv: m for lv, m in means.items() if math.isfinite(m) and m > 0}
    return max(finite, key=finite.__getitem__) if finite else run.levels[0]


def answer(run: RunData, rows: Rows) -> str:
    """The answer in two sentences: what the best rule does to the encounters, and what it costs each side."""
    level = headline_level(run, rows)
    metric = f"encounters_{level}"
    ref = run.reference
    per_day = run.scale  # 1: numbers per replication, in run.unit as printed
    title = level_title(run, level)
    what = f"{level} ({title.split(': ', 1)[1]})" if title != level else level
    ref_row = rows.get((ref, metric))
    n = int(_num(ref_row, "n")) if ref_row else 0
    others = [p for p in run.policies if p != ref and (p, metric) in rows]
    digits = _digits([_num(rows.get((p, metric)), "mean") * per_day for p in run.policies])
    ref_text = _cell(ref_row, digits=digits, scale=per_day)
    if not others:
        return (
            f"Under {ref}, the two sides have {ref_text} encounters {run.unit} at level {what}, mean [95 % CI] of {n} "
            "replications. Only one policy was run, so there is nothing to compare it with."
        )
    best = min(others, key=lambda p: _num(rows[(p, metric)], "mean"))
    best_row = rows[(best, metric)]
    ratio = _num(best_row, "ratio")
    diff = _cell(best_row, "diff_", digits=digits, scale=per_day)
    change = (
        f"{(ratio - 1) * 100:+.0f} %, paired difference {diff}" if math.isfinite(ratio) else f"paired difference {diff}"
    )
    first = (
        f"Of the {len(run.policies)} policies, {best} leaves the fewest encounters at level {what}: "
        f"{_cell(best_row, digits=digits, scale=per_day)} {run.unit} against {ref_text} under {ref} ({change}; "
        f"mean [95 % CI] of {n} paired replications)."
    )
    costs = []
    for side in run.sides:
        row = rows.get((best, f"{side}_{VALUE_METRIC[0]}"))
        if row is not None:
            costs.append(f"{side} {_cell(row, 'diff_', scale=per_day)}")
    second = (
        f"In exchange, against {ref}, {best} costs "
        + " and ".join(costs)
        + f" sortie equivalents of mission value {run.unit} (a sortie flown as planned is worth 1)."
        if costs
        else "The run records no mission value, so its cost is in the tables below."
    )
    return f"{first} {second}"


def _policy_table(run: RunData, rows: Rows, caption: str, columns: list[tuple[str, str]]) -> str:
    """Policies down, ``columns`` (metric, heading) across, each cell mean [95 % CI] per replication."""
    present = [(m, h) for m, h in columns if any((p, m) in rows for p in run.policies)]
    digits = {m: _digits([_num(rows.get((p, m)), "mean") for p in run.policies]) for m, _ in present}
    body = [[p, *(_cell(rows.get((p, m)), digits=digits[m]) for m, _ in present)] for p in run.policies]
    return table(caption, ["policy", *(h for _, h in present)], body)


def summary_html(run: RunData, rows: Rows) -> str:
    """Encounters per level and the cost of deconfliction per side, per policy."""
    per = f"per replication ({run.horizon_h:g} h), mean [95 % CI], n = {run.n_replications(run.reference)}"
    levels = [(f"encounters_{lv}", level_title(run, lv)) for lv in run.levels]
    value = [(f"{s}_{VALUE_METRIC[0]}", f"{s} {VALUE_METRIC[1]}") for s in run.sides]
    parts = [_policy_table(run, rows, f"Encounters {per}", levels)]
    parts.append(
        _policy_table(
            run, rows, f"Mission value lost {per}, in sortie equivalents (a sortie flown as planned is 1)", value
        )
    )
    for side in run.sides:
        detail = [(f"{side}_{m}", h) for m, h in COST_METRICS]
        parts.append(_policy_table(run, rows, f"Cost of deconfliction to {side} {per}", detail))
    return "".join(parts)


def paired_html(run: RunData, rows: Rows) -> str:
    """Each policy minus the reference, replication by replication: t and bootstrap intervals, ratio."""
    ref = run.reference
    metrics = [(f"encounters_{lv}", f"encounters {lv}") for lv in run.levels]
    metrics += [(f"{s}_{VALUE_METRIC[0]}", f"{s} {VALUE_METRIC[1]}") for s in run.sides]
    minutes = [(m, h) for m, h in COST_METRICS if m in ("delay_min", "lost_on_station_min")]
    metrics += [(f"{s}_{m}", f"{s} {h}") for s in run.sides for m, h in minutes]
    body = []
    for policy in run.policies:
        if policy == ref:
            continue
        for metric, head in metrics:
            row = rows.get((policy, metric))
            if row is None:
                continue
            digits = _digits([_num(row, "diff_mean"), _num(row, "mean")])
            boot = interval(_num(row, "diff_mean"), _num(row, "diff_boot95_low"), _num(row, "diff_boot95_high"), digits)
            ratio = interval(_num(row, "ratio"), _num(row, "ratio_ci95_low"), _num(row, "ratio_ci95_high"))
            body.append([f"{policy}: {head}", _cell(row, "diff_", digits), boot.split(" ", 1)[-1], ratio])
    if not body:
        return paragraph("Only one policy was run: there is no paired comparison.")
    intro = paragraph(
        f"Replication i of every policy flies the same sorties (common random numbers), so each policy's difference "
        f"from {ref} is taken replication by replication."
    )
    return intro + table(
        f"Paired difference from {ref}, per replication ({run.horizon_h:g} h)",
        ["policy: metric", "difference [95 % t CI]", "[95 % BCa bootstrap CI]", "ratio of means [95 % CI]"],
        body,
    )


def tactical_html(run: RunData, rows: Rows) -> str | None:
    """The crews' own layer, for each side that had alerts; None when no side did."""
    parts = []
    per = f"per replication ({run.horizon_h:g} h), mean [95 % CI]"
    for side in run.sides:
        if any(_num(rows.get((p, f"{side}_tactical_alerts")), "mean") > 0 for p in run.policies):
            columns = [(f"{side}_{m}", h) for m, h in TACTICAL_REPORT]
            parts.append(_policy_table(run, rows, f"Tactical layer of {side} {per}", columns))
    return "".join(parts) or None


def risk_html(run: RunData, rows: Rows) -> str | None:
    """Expected NMACs and collisions under navigation and altimetry errors; None without errors."""
    if (run.reference, "risk_collision") not in rows:
        return None
    body = []
    for p in run.policies:
        cells = []
        for metric in ("risk_nmac", "risk_collision"):
            row = rows.get((p, metric))
            low = max(_num(row, "ci95_low"), 0.0)  # an expected count is never negative
            cells.append(f"{_num(row, 'mean'):.2e} [{low:.1e}, {_num(row, 'ci95_high'):.1e}]")
        ratio = rows.get((p, "risk_collision"))
        cells.append(
            "reference"
            if p == run.reference
            else interval(_num(ratio, "ratio"), _num(ratio, "ratio_ci95_low"), _num(ratio, "ratio_ci95_high"))
        )
        body.append([p, *cells])
    return paragraph(
        "Expected counts under each flight's position errors (the scenario's error model), integrated over the "
        "flown tracks; the interval's lower end is cut at 0."
    ) + table(
        f"Collision risk per replication ({run.horizon_h:g} h), mean [95 % CI]",
        ["policy", "expected NMACs", "expected collisions", "collision risk ratio [95 % CI]"],
        body,
    )


def figures_html(run: RunData) -> str:
    """Every figure of the run, drawn from its files, as inline PNG with alt text."""
    parts = []
    for name, (build, description) in run_figure_builders(run).items():
        fig = build()
        title_artist = getattr(fig, "_suptitle", None)
        title = title_artist.get_text() if title_artist is not None else name
        parts.append(figure_html(fig, f"{name} figure: {description}", f"{title} ({name}.png: {description})"))
    return "".join(parts)


def run_sections(run: RunData) -> tuple[str, list[Section]]:
    """The scenario's name and the sections of a run's report, the answer first."""
    rows = _rows(run.path)
    sections: list[Section] = [
        ("answer", "The answer", paragraph(answer(run, rows), "lead")),
        ("summary", "Summary", summary_html(run, rows)),
        ("comparison", "Paired comparison", paired_html(run, rows)),
    ]
    tactical = tactical_html(run, rows)
    if tactical:
        sections.append(("tactical", "Tactical layer", tactical))
    risk = risk_html(run, rows)
    if risk:
        sections.append(("risk", "Collision risk", risk))
    sections.append(("figures", "Figures", figures_html(run)))
    return str(run.manifest.get("scenario", {}).get("name", run.path.name)), sections
