"""Text tables for a terminal: numbers with sensible significant figures, lines that fit.

Every table printed by ``deconflict`` goes through :func:`fit_table`, which splits a table
too wide for ``WIDTH`` columns into blocks of columns, each repeating the first (label)
column, so that no line wraps in a terminal of that width.
"""

from __future__ import annotations

import math
import textwrap

__all__ = [
    "WIDTH",
    "decimals_for",
    "fit_table",
    "format_estimate",
    "heading",
    "horizon_note",
    "horizon_unit",
    "number",
    "plural",
]

WIDTH = 100
"""Columns of the narrowest terminal the printed tables are made for."""

GAP = "  "


def plural(count: int, noun: str, many: str | None = None) -> str:
    """``"1 replication"``, ``"2 replications"``: the count with its noun, plural unless 1."""
    return f"{count:,} {noun if count == 1 else (many or noun + 's')}"


def heading(text: str) -> str:
    """A sentence over a table, wrapped to ``WIDTH`` columns (a path or word longer than that is kept whole)."""
    return textwrap.fill(text, width=WIDTH, break_on_hyphens=False, break_long_words=False)


def decimals_for(*values: float, figures: int = 2) -> int:
    """Decimals that show ``figures`` significant figures of the smallest non-zero magnitude
    among ``values`` (nan ignored): 0 for 19, 1 for 1.9, 3 for 0.027; at most 6."""
    sizes = [abs(v) for v in values if not math.isnan(v) and v != 0]
    if not sizes:
        return 0
    needed = figures - 1 - math.floor(math.log10(min(sizes)))
    return max(0, min(needed, 6))


def number(value: float, decimals: int, sign: bool = False) -> str:
    """``value`` to ``decimals`` places (``+`` in front with ``sign``); exactly 0 is ``0``."""
    if math.isnan(value):
        return "-"
    if value == 0:
        return "0"
    text = f"{value:+.{decimals}f}" if sign else f"{value:.{decimals}f}"
    return text


def format_estimate(mean: float, low: float, high: float, decimals: int | None = None) -> str:
    """``mean ±half-width`` of a 95 % interval, with two significant figures of the half-width
    (or of the mean when there is no interval) unless ``decimals`` is given; "-" for no mean."""
    if math.isnan(mean):
        return "-"
    half = (high - low) / 2 if not (math.isnan(low) or math.isnan(high)) else math.nan
    if decimals is None:
        decimals = decimals_for(half) if not math.isnan(half) and half > 0 else decimals_for(mean, figures=3)
    if math.isnan(half):
        return number(mean, decimals)
    if half == 0:  # the same in every replication
        return "0" if mean == 0 else f"{mean:.3g} ±0"
    return f"{number(mean, decimals)} ±{number(half, decimals)}"


def _blocks(widths: list[int], width: int) -> list[list[int]]:
    """Column indices of each block: column 0 in every block, the others in order, as many
    as fit in ``width`` (at least one per block)."""
    blocks: list[list[int]] = []
    current: list[int] = []
    used = widths[0]
    for i in range(1, len(widths)):
        if current and used + len(GAP) + widths[i] > width:
            blocks.append(current)
            current, used = [], widths[0]
        current.append(i)
        used += len(GAP) + widths[i]
    blocks.append(current)
    return [[0, *b] for b in blocks]


def fit_table(rows: list[list[str]], width: int = WIDTH) -> str:
    """``rows`` (the first is the header) as aligned text: the first column left-aligned, the
    others right-aligned, a rule under the header; split into blocks of columns separated by a
    blank line when one block would be wider than ``width``."""
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    out = []
    for block in _blocks(widths, width) if len(widths) > 1 else [[0]]:
        lines = [
            GAP.join(row[i].ljust(widths[i]) if i == 0 else row[i].rjust(widths[i]) for i in block).rstrip()
            for row in rows
        ]
        lines.insert(1, GAP.join("-" * widths[i] for i in block))
        out.append("\n".join(lines))
    return "\n\n".join(out)


def horizon_unit(horizon_h: float) -> str:
    """What one replication's count is per: ``"per day"`` for a 24 h horizon, otherwise
    ``"per 4 h horizon"`` (counts are never scaled silently to a day)."""
    return "per day" if horizon_h == 24 else f"per {horizon_h:g} h horizon"


def horizon_note(horizon_h: float) -> str:
    """A sentence saying that the horizon is not a day (empty for a 24 h horizon)."""
    if horizon_h == 24:
        return ""
    relation = "shorter" if horizon_h < 24 else "longer"
    return f"The horizon is {horizon_h:g} h, {relation} than a day: counts are per horizon, not scaled to a day."
