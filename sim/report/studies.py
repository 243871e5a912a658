"""The sections of a sweep's and a sensitivity analysis's report: answer, tables, figures.

A sweep's numbers come from ``sweep_summary.csv`` (converted to per day with each point's
horizon); a sensitivity analysis's from ``indices.csv`` and ``ranking.csv``.
"""

from __future__ import annotations

import csv
import math
from collections import Counter
from pathlib import Path
from typing import Any

from sim.plots.data import SweepData
from sim.plots.sensitivity import sensitivity_figure_builders
from sim.plots.style import Provenance
from sim.plots.sweep import sweep_figure_builders
from sim.report.html import figure_html, interval, paragraph, table
from sim.report.run import Section

__all__ = ["sensitivity_sections", "sweep_sections"]

TOP_PARAMETERS = 10  # parameters listed per output in a sensitivity table


def _float(text: str | None) -> float:
    try:
        return float(text or "")
    except ValueError:
        return math.nan


def _point_label(sweep: SweepData, point: str) -> str:
    return ", ".join(f"{path}={value}" for path, value in sweep.points[point].items())


def _figures(builders: dict[str, Any], descriptions: dict[str, str]) -> str:
    parts = []
    for name, build in builders.items():
        fig = build()
        title_artist = getattr(fig, "_suptitle", None)
        title = title_artist.get_text() if title_artist is not None else name
        description = descriptions.get(name, "")
        parts.append(figure_html(fig, f"{name} figure: {description or title}", f"{title} ({name}.png)"))
    return "".join(parts)


def sweep_sections(sweep: SweepData) -> tuple[str, list[Section]]:
    """The name and sections of a sweep's report: per point and policy, the first level's encounters a day."""
    level = sweep.levels[0]
    metric = f"encounters_{level}"
    cells: dict[tuple[str, str], tuple[float, float, float]] = {}
    for row in sweep.rows:
        if row["metric"] == metric:
            k = sweep.per_day.get(row["point"], 1.0)
            cells[(row["point"], row["policy"])] = tuple(  # type: ignore[assignment]
                _float(row[c]) * k for c in ("mean", "ci95_low", "ci95_high")
            )
    points = list(sweep.points)
    ref = sweep.policies[0]
    ref_means = {p: cells[(p, ref)][0] for p in points if (p, ref) in cells}
    wins = Counter(
        min(sweep.policies, key=lambda pol, p=p: cells.get((p, pol), (math.inf,))[0])  # type: ignore[misc]
        for p in points
        if any((p, pol) in cells for pol in sweep.policies)
    )
    replications = sweep.manifest.get("replications")
    first = f"The sweep runs {len(points)} points of {', '.join(sweep.paths)} with {replications} replications each"
    if ref_means:
        low, high = min(ref_means, key=ref_means.__getitem__), max(ref_means, key=ref_means.__getitem__)
        first += (
            f"; under {ref}, encounters at level {level} run from {ref_means[low]:.3g} a day "
            f"({_point_label(sweep, low)}) to {ref_means[high]:.3g} ({_point_label(sweep, high)})."
        )
    else:
        first += "."
    best, count = wins.most_common(1)[0] if wins else (ref, 0)
    second = f"{best} has the fewest of those encounters at {count} of the {len(points)} points."
    body = [
        [
            f"[{p}] {_point_label(sweep, p)}",
            *(interval(*cells[(p, pol)]) if (p, pol) in cells else "-" for pol in sweep.policies),
        ]
        for p in points
    ]
    summary = table(
        f"Encounters at level {level} per day, mean [95 % CI], by point and policy",
        ["point", *sweep.policies],
        body,
    )
    provenance = Provenance.from_manifest(sweep.manifest)
    figures = _figures(dict(sweep_figure_builders(sweep, provenance)), {})
    name = f"{Path(str(sweep.manifest.get('scenario_file', sweep.path.name))).stem} sweep"
    return name, [
        ("answer", "The answer", paragraph(f"{first} {second}", "lead")),
        ("summary", "Summary by point", summary),
        ("figures", "Figures", figures),
    ]


def _read_csv(path: Path) -> list[dict[str, str]]:
    if not path.is_file():
        return []
    with path.open(encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def sensitivity_sections(path: Path, manifest: dict[str, Any]) -> tuple[str, list[Section]]:
    """The name and sections of a sensitivity analysis's report: what moves each output most."""
    indices = _read_csv(path / "indices.csv")
    ranking = _read_csv(path / "ranking.csv")
    method = str(manifest.get("method", "morris"))
    main, spread = ("mu_star", "sigma") if method == "morris" else ("ST", "S1")
    ref = str(manifest.get("reference", ""))
    outputs = [str(o) for o in manifest.get("outputs", [])]
    tables = []
    answer_first = ""
    for output in outputs:
        rows = [r for r in indices if r["output"] == output and r["policy"] == ref]
        by = {(r["parameter"], r["index"]): r for r in rows}
        params = sorted({r["parameter"] for r in rows}, key=lambda p: -_float(by.get((p, main), {}).get("value")))
        top = params[:TOP_PARAMETERS]

        def cell(param: str, index: str, by: dict[tuple[str, str], dict[str, str]] = by) -> str:
            r = by.get((param, index), {})
            return interval(_float(r.get("value")), _float(r.get("ci95_low")), _float(r.get("ci95_high")), 3)

        tables.append(
            table(
                f"{output} under {ref}: the {len(top)} parameters with the largest {main} of {len(params)}, [95 % CI]",
                ["parameter", main, spread],
                [[p, cell(p, main), cell(p, spread)] for p in top],
            )
        )
        if not answer_first and top:
            answer_first = (
                f"Of the {len(params)} parameters varied ({method}, {manifest.get('points')} points x "
                f"{manifest.get('replications')} replications), {top[0]} moves {output} under {ref} the most "
                f"({main} {cell(top[0], main)})" + (f", then {', '.join(top[1:3])}." if len(top) > 1 else ".")
            )
    overall = [r for r in ranking if r.get("parameter") == "*"]
    if overall:
        r = overall[0]
        second = (
            f"The ranking of the rules on {r['output']} differs from the nominal one in {r['changed']} of "
            f"{r['pairs']} one-at-a-time steps ({_float(r['share']) * 100:.0f} %)."
        )
    else:
        second = "No ranking of the rules was recorded (ranking.csv)."
    ranking_table = (
        table(
            "How often the ranking of the rules changes, per output and parameter (* = any)",
            ["output", "parameter", "steps", "changed", "share"],
            [[r["output"], r["parameter"], r["pairs"], r["changed"], f"{_float(r['share']):.2f}"] for r in ranking],
        )
        if ranking
        else paragraph("No ranking.csv in this directory.")
    )
    builders = sensitivity_figure_builders(path)
    figures = _figures({n: b for n, (b, _) in builders.items()}, {n: d for n, (_, d) in builders.items()})
    name = f"{Path(str(manifest.get('sensitivity_file', path.name))).stem} sensitivity"
    return name, [
        ("answer", "The answer", paragraph(f"{answer_first or 'No indices were recorded.'} {second}", "lead")),
        ("indices", "Sensitivity indices", "".join(tables)),
        ("ranking", "Ranking of the rules", ranking_table),
        ("figures", "Figures", figures),
    ]
