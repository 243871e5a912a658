"""The look shared by every figure: policy colours, side line styles, provenance, and saving.

Figures are built with :class:`matplotlib.figure.Figure` directly (no pyplot, so no GUI
backend and no global figure registry) and saved through the Agg-based canvases.
Colours are the Okabe-Ito palette (safe for the common colour-vision deficiencies); the
reference policy is always black, the others follow the manifest's policy order.
"""

from __future__ import annotations

import math
import re
import textwrap
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from matplotlib.figure import Figure

__all__ = [
    "DPI",
    "FORMATS",
    "Provenance",
    "PolicyStyle",
    "add_footer",
    "new_figure",
    "policy_styles",
    "safe_name",
    "save_figure",
    "side_styles",
]

DPI = 160
"""Dots per inch of raster output: a 10 x 6.25 in figure is 1600 x 1000 px."""

FORMATS = ("png", "svg", "pdf")

# Okabe & Ito (2008), "Color Universal Design"; black first for the reference policy and
# yellow last because it is hard to see on white.
OKABE_ITO = ("#000000", "#E69F00", "#56B4E9", "#009E73", "#D55E00", "#0072B2", "#CC79A7", "#F0E442")
_MARKERS = ("o", "s", "D", "^", "v", "P", "X", "*")

# Sides are drawn in neutral greys with distinct line styles and markers so that they never
# compete with the policy colours.
_SIDE_LOOKS = (("#333333", "-", "^"), ("#333333", "--", "s"))


@dataclass(frozen=True)
class PolicyStyle:
    """How one policy is drawn everywhere: colour, marker and its position in the order."""

    name: str
    color: str
    marker: str
    order: int


def policy_styles(policies: Sequence[str]) -> dict[str, PolicyStyle]:
    """Styles for ``policies`` in manifest order (the first is the reference, drawn black)."""
    out = {}
    for i, name in enumerate(policies):
        # past eight policies the colours repeat with a different marker
        out[name] = PolicyStyle(name, OKABE_ITO[i % len(OKABE_ITO)], _MARKERS[(i // len(OKABE_ITO) + i) % 8], i)
    return out


def side_styles(sides: Sequence[str]) -> dict[str, tuple[str, str, str]]:
    """(colour, line style, marker) for each of the two sides, in manifest order."""
    return {side: _SIDE_LOOKS[i % len(_SIDE_LOOKS)] for i, side in enumerate(sides)}


@dataclass(frozen=True)
class Provenance:
    """Where a figure's numbers come from: the run's scenario, seed, replications and version."""

    scenario_file: str
    scenario_sha256: str
    seed: str
    replications: str
    version: str
    git_revision: str

    @classmethod
    def from_manifest(cls, manifest: Mapping[str, Any]) -> Provenance:
        """Read the provenance fields of a run or sweep ``manifest`` (missing ones become "?")."""

        example = manifest.get("run_plan_example")  # a sweep keeps one point's plan here
        fallback = example if isinstance(example, Mapping) else {}

        def get(key: str) -> str:
            value = manifest.get(key, fallback.get(key))
            return "?" if value is None else str(value)

        return cls(
            scenario_file=Path(get("scenario_file")).name,
            scenario_sha256=get("scenario_sha256"),
            seed=get("seed"),
            replications=get("replications"),
            version=get("version"),
            git_revision=get("git_revision"),
        )

    def line(self) -> str:
        """One line for a figure footer."""
        git = f" (git {self.git_revision[:7]})" if self.git_revision not in ("?", "") else ""
        return (
            f"scenario {self.scenario_file} · sha256 {self.scenario_sha256[:12]} · seed {self.seed} · "
            f"{self.replications} replications · deconflict {self.version}{git}"
        )

    def metadata(self, fmt: str, title: str, description: str) -> dict[str, str]:
        """Metadata for ``savefig`` in ``fmt``: PNG takes any text key, SVG and PDF fixed keys."""
        software = f"deconflict {self.version}"
        full = f"{description} | {self.line()} | scenario sha256 {self.scenario_sha256}"
        if fmt == "png":
            return {
                "Title": title,
                "Description": full,
                "Software": software,
                "Source": self.scenario_file,
                "Scenario-SHA256": self.scenario_sha256,
                "Seed": self.seed,
                "Replications": self.replications,
                "Git-Revision": self.git_revision,
            }
        if fmt == "svg":  # Dublin Core keys only
            return {"Title": title, "Description": full, "Creator": software, "Source": self.scenario_file}
        if fmt == "pdf":  # the PDF document information dictionary
            return {"Title": title, "Subject": full, "Creator": software, "Keywords": self.scenario_sha256}
        raise ValueError(f"unknown format {fmt!r}; expected one of {', '.join(FORMATS)}")


def policy_bars(ax: Any, policies: Sequence[str], estimates: Sequence[tuple[float, float, float]]) -> None:
    """One horizontal bar per policy (first on top) with its 95 % whisker and value label.

    ``estimates`` are (mean, ci_low, ci_high) per policy, already in the axis' units; a nan
    interval draws no whisker.
    """
    styles = policy_styles(policies)
    top = 0.0
    for i, (policy, (mean, low, high)) in enumerate(zip(policies, estimates, strict=True)):
        ax.barh(i, mean, color=styles[policy].color, height=0.65, alpha=0.55)
        if not math.isnan(low):
            ax.errorbar(mean, i, xerr=[[mean - low], [high - mean]], color="#222222", capsize=3, lw=1)
        top = max(top, high if not math.isnan(high) else mean)
    for i, (mean, _low, high) in enumerate(estimates):  # value labels, placed once the scale is known
        x = (high if not math.isnan(high) else mean) + 0.015 * (top * 1.18 if top > 0 else 1.0)
        ax.text(x, i, f"{mean:.3g}", va="center", ha="left", fontsize=8)
    ax.set_xlim(0, max(top, 1e-9) * 1.18 if top > 0 else 1.0)
    ax.set_yticks(range(len(policies)), list(policies))
    ax.set_ylim(len(policies) - 0.5, -0.5)  # first policy on top
    ax.grid(axis="x", color="#dddddd", linewidth=0.6)
    ax.set_axisbelow(True)


def new_figure(width_in: float = 10.0, height_in: float = 6.25) -> Figure:
    """A figure without pyplot, with the font sizes used throughout (10 x 6.25 in = 1600 x 1000 px)."""
    fig = Figure(figsize=(width_in, height_in), dpi=DPI, layout="constrained")
    return fig


def add_footer(fig: Figure, provenance: Provenance, note: str = "", reserve_in: float = 0.0) -> float:
    """Write the provenance line (and ``note``, e.g. which file the numbers come from) at the bottom.

    Keeps the axes clear of it and of ``reserve_in`` inches above it; returns the figure
    fraction where the footer ends, for a legend placed above it.
    """
    width_chars = int(fig.get_size_inches()[0] * 19)  # about 19 characters of 6.5 pt text per inch
    text = "\n".join([provenance.line(), *textwrap.wrap(note, width_chars)])
    height_in = fig.get_size_inches()[1]
    footer = (0.06 + 0.12 * (text.count("\n") + 1)) / height_in
    bottom = footer + reserve_in / height_in
    engine = fig.get_layout_engine()
    if engine is not None:
        engine.set(rect=(0.0, bottom, 1.0, 1.0 - bottom))  # type: ignore[call-arg]
    fig.text(0.006, 0.006, text, ha="left", va="bottom", fontsize=6.5, color="#555555", linespacing=1.3)
    return footer


def safe_name(text: str) -> str:
    """A file-name-safe form of ``text`` (e.g. a dotted parameter path)."""
    return re.sub(r"[^A-Za-z0-9_-]+", "_", text).strip("_") or "x"


def save_figure(fig: Figure, path: Path, provenance: Provenance, fmt: str, description: str) -> Path:
    """Save ``fig`` to ``path`` in ``fmt`` with provenance metadata; the title is the figure's suptitle."""
    title_artist = getattr(fig, "_suptitle", None)  # matplotlib keeps the suptitle only here
    title = title_artist.get_text() if title_artist is not None else path.stem
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, format=fmt, dpi=DPI, metadata=provenance.metadata(fmt, title, description))
    return path
