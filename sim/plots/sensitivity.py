"""Figures of a sensitivity analysis: what moves each output, from its ``indices.csv``.

Morris: per output, one panel per series (the reference policy's level, then each paired
difference against it): mu* across, sigma up, each parameter a point with its 95 %
bootstrap whiskers, the largest labelled. Sobol': per output and series, horizontal bars
of S1 and ST per parameter with their 95 % intervals. Written to ``RESULTS/figures/``.
"""

from __future__ import annotations

import csv
import functools
import json
import math
from collections.abc import Callable
from pathlib import Path
from typing import Any

from matplotlib.axes import Axes
from matplotlib.figure import Figure

from sim.errors import InputError
from sim.plots.style import Provenance, add_footer, new_figure, safe_name, save_figure

__all__ = ["plot_sensitivity", "sensitivity_figure_builders"]

LABELLED = 6  # parameters named in a Morris panel (the largest mu*)


def _read(results: Path) -> tuple[dict[str, Any], list[dict[str, str]]]:
    manifest_path, indices_path = results / "manifest.json", results / "indices.csv"
    if not manifest_path.is_file() or not indices_path.is_file():
        raise InputError("not a finished sensitivity analysis (no manifest.json or indices.csv)", path=str(results))
    manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    with indices_path.open(encoding="utf-8", newline="") as f:
        return manifest, list(csv.DictReader(f))


def _series(manifest: dict[str, Any]) -> list[str]:
    ref = manifest["reference"]
    return [ref] + [f"{p}-minus-{ref}" for p in manifest["policies"] if p != ref]


def _short(path: str) -> str:
    """A parameter path without its leading ``sides.`` or ``policies.`` (the rest names it)."""
    for prefix in ("sides.", "policies."):
        if path.startswith(prefix):
            return path[len(prefix) :]
    return path


def _morris_panel(ax: Axes, rows: list[dict[str, str]], title: str) -> None:
    by: dict[str, dict[str, tuple[float, float, float]]] = {}
    for r in rows:
        by.setdefault(r["parameter"], {})[r["index"]] = (
            float(r["value"]),
            float(r["ci95_low"]),
            float(r["ci95_high"]),
        )
    points = [(p, v["mu_star"], v["sigma"]) for p, v in by.items() if "mu_star" in v and "sigma" in v]
    for _p, (m, ml, mh), (s, sl, sh) in points:
        ax.errorbar(
            m,
            s,
            xerr=[[m - ml], [mh - m]],
            yerr=[[s - sl], [sh - s]],
            fmt="o",
            ms=4,
            color="#0072B2",
            lw=0.7,
            capsize=2,
            alpha=0.8,
        )
    ranked = sorted(points, key=lambda t: -t[1][0])
    for p, (m, _, _), (s, _, _) in ranked[:LABELLED]:
        if m > 0:
            ax.annotate(_short(p), (m, s), xytext=(4, 3), textcoords="offset points", fontsize=6.5)
    top = max([t[1][2] for t in points] + [t[2][2] for t in points] + [1e-12])
    ax.plot([0, top], [0, top], color="#999999", lw=0.6, ls=":")  # sigma = mu*: interactions as large as effects
    ax.set_xlim(0, top * 1.1 if top > 1e-9 else 1.0)
    ax.set_ylim(0, top * 1.1 if top > 1e-9 else 1.0)
    ax.set_xlabel("mu* (mean |effect| over the whole range)")
    ax.set_ylabel("sigma")
    ax.set_title(title, fontsize=9)
    ax.grid(color="#eeeeee", lw=0.6)


def _sobol_panel(ax: Axes, rows: list[dict[str, str]], title: str) -> None:
    params = list(dict.fromkeys(r["parameter"] for r in rows))
    for offset, index, color in ((-0.2, "S1", "#E69F00"), (0.2, "ST", "#0072B2")):
        for i, p in enumerate(params):
            r = next((x for x in rows if x["parameter"] == p and x["index"] == index), None)
            if r is None:
                continue
            v, lo, hi = float(r["value"]), float(r["ci95_low"]), float(r["ci95_high"])
            if math.isnan(v):
                continue
            ax.barh(i + offset, v, height=0.38, color=color, alpha=0.7, label=index if i == 0 else None)
            ax.errorbar(v, i + offset, xerr=[[v - lo], [hi - v]], color="#222222", lw=0.7, capsize=2)
    ax.set_yticks(range(len(params)), [_short(p) for p in params], fontsize=6.5)
    ax.set_ylim(len(params) - 0.5, -0.5)
    ax.axvline(0, color="#999999", lw=0.6)
    ax.set_xlabel("share of the output's variance")
    ax.set_title(title, fontsize=9)
    ax.legend(fontsize=7, loc="lower right")
    ax.grid(axis="x", color="#eeeeee", lw=0.6)


def _figure(manifest: dict[str, Any], rows: list[dict[str, str]], output: str, provenance: Provenance) -> Figure:
    series = _series(manifest)
    cols = min(len(series), 2 if manifest["method"] == "sobol" else 3)
    nrows = math.ceil(len(series) / cols)
    k = len(manifest["parameters"])
    height = (2.2 + 0.16 * k) * nrows if manifest["method"] == "sobol" else 3.6 * nrows
    fig = new_figure(10.0, height + 0.8)
    axes = fig.subplots(nrows, cols, squeeze=False)
    for j, label in enumerate(series):
        ax = axes[j // cols][j % cols]
        mine = [r for r in rows if r["output"] == output and r["policy"] == label]
        title = label if j else f"{label} (level)"
        if manifest["method"] == "morris":
            _morris_panel(ax, mine, title)
        else:
            _sobol_panel(ax, mine, title)
    for j in range(len(series), nrows * cols):
        axes[j // cols][j % cols].set_visible(False)
    name = "Morris screening" if manifest["method"] == "morris" else "Sobol' indices"
    fig.suptitle(f"{name} of {output}: what moves each rule's level and paired difference")
    add_footer(
        fig,
        provenance,
        f"indices.csv of {manifest['points']} points x {manifest['replications']} replications; 95 % bootstrap "
        "intervals; parameters as dotted paths of the scenario file (sides./policies. left off)",
    )
    return fig


def sensitivity_figure_builders(results: str | Path) -> dict[str, tuple[Callable[[], Figure], str]]:
    """``<method>_<output>`` -> (a function drawing that output's figure, its description), undrawn."""
    manifest, rows = _read(Path(results))
    provenance = Provenance.from_manifest(manifest)
    kind = "morris" if manifest["method"] == "morris" else "sobol"
    return {
        f"{kind}_{safe_name(output)}": (
            functools.partial(_figure, manifest, rows, output, provenance),
            f"{kind} indices of {output}",
        )
        for output in manifest["outputs"]
    }


def plot_sensitivity(results: str | Path, fmt: str = "png") -> list[Path]:
    """Write one figure per output of the analysis in ``results`` to ``results/figures/``."""
    results = Path(results)
    manifest, _ = _read(results)
    provenance = Provenance.from_manifest(manifest)
    written = []
    for name, (build, description) in sensitivity_figure_builders(results).items():
        path = results / "figures" / f"{name}.{fmt}"
        written.append(save_figure(build(), path, provenance, fmt, description))
    return written
