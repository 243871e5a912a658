"""The map figure: sectors shaded by encounters per day, closest-approach points and air bases.

Drawn with plain matplotlib from the shipped GeoJSON (no download, no map projection):
longitude and latitude axes with the aspect set to ``1 / cos(mid latitude)``, so shapes look
right near the map's centre. Bases far outside the map (e.g. Al Udeid in Qatar) are marked
at the edge with an arrow towards them and their WGS84 geodesic distance.
"""

from __future__ import annotations

import math
from collections import Counter
from pathlib import Path

import numpy as np
import shapely
from matplotlib import colormaps
from matplotlib.axes import Axes
from matplotlib.cm import ScalarMappable
from matplotlib.colors import Normalize
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import PathPatch
from matplotlib.path import Path as MplPath
from matplotlib.patheffects import withStroke

from sim.errors import InputError
from sim.plots.data import RunData
from sim.plots.style import Provenance, add_footer, new_figure, policy_styles, side_styles
from sim.scenario.bundled import default_outlines_path, default_sectors_path, resolve_portable
from sim.scenario.geojson import load_outlines
from sim.scenario.projection import geodesic_m

__all__ = ["map_extent", "map_figure", "sectors_path"]

SEA = "#dcebf5"
LAND = "#f1efe9"
CMAP = "YlOrRd"  # sequential, lightness falls monotonically: readable without colour vision
PAD_DEG = 0.6  # margin around the sectors (and the bases near them)
NEAR_DEG = 3.0  # bases further than this outside the sectors' box are marked at the edge

Rings = list[np.ndarray]


def sectors_path(run: RunData) -> Path:
    """The sector GeoJSON the run used: the manifest's ``sectors_file`` if it exists, else the default."""
    recorded = run.manifest.get("sectors_file")
    if not isinstance(recorded, str):
        return default_sectors_path()
    started_in = run.manifest.get("working_directory")
    path = resolve_portable(recorded, started_in if isinstance(started_in, str) else None)
    if path.is_file():
        return path
    if path.name == default_sectors_path().name:
        return default_sectors_path()
    raise InputError(
        f"sectors_file: the run's sector file {recorded!r} is not here; the map needs it",
        path=str(run.path / "manifest.json"),
    )


def _rings_path(rings: Rings) -> MplPath:
    verts: list[np.ndarray] = []
    codes: list[np.ndarray] = []
    for ring in rings:
        verts.append(ring)
        c = np.full(len(ring), MplPath.LINETO, dtype=np.uint8)
        c[0], c[-1] = MplPath.MOVETO, MplPath.CLOSEPOLY
        codes.append(c)
    return MplPath(np.concatenate(verts), np.concatenate(codes))


def _label_point(rings: Rings) -> tuple[float, float]:
    """Area centroid (lon, lat) of the ring enclosing the most area: inside for the convex-ish governorates."""
    largest = max((shapely.Polygon(ring) for ring in rings), key=lambda polygon: polygon.area)
    if largest.area == 0.0:
        return float(rings[0][:, 0].mean()), float(rings[0][:, 1].mean())
    return float(largest.centroid.x), float(largest.centroid.y)


def _bases(run: RunData) -> list[tuple[str, str, float, float]]:
    """(side, base name, lon, lat) of every base in the manifest's resolved scenario."""
    scenario = run.manifest.get("scenario") or {}
    out = []
    for side, spec in (scenario.get("sides") or {}).items():
        for name, base in (spec.get("bases") or {}).items():
            out.append((side, name, float(base["lon_deg"]), float(base["lat_deg"])))
    return out


def map_extent(sectors: list[tuple[str, Rings]], bases: list[tuple[str, str, float, float]]) -> tuple[float, ...]:
    """(west, east, south, north) in degrees: the sectors and nearby bases, with a margin."""
    pts = np.concatenate([ring for _, rings in sectors for ring in rings])
    west, south = pts.min(axis=0)
    east, north = pts.max(axis=0)
    for _, _, lon, lat in bases:
        if west - NEAR_DEG <= lon <= east + NEAR_DEG and south - NEAR_DEG <= lat <= north + NEAR_DEG:
            west, east, south, north = min(west, lon), max(east, lon), min(south, lat), max(north, lat)
    return (float(west - PAD_DEG), float(east + PAD_DEG), float(south - PAD_DEG), float(north + PAD_DEG))


def _edge_point(extent: tuple[float, ...], lon: float, lat: float) -> tuple[float, float]:
    """Where the line from the map's centre to (lon, lat) leaves the map, pulled slightly inside."""
    west, east, south, north = extent
    cx, cy = (west + east) / 2, (south + north) / 2
    dx, dy = lon - cx, lat - cy
    scale = min(
        ((east - cx) / dx) if dx > 0 else ((west - cx) / dx) if dx < 0 else math.inf,
        ((north - cy) / dy) if dy > 0 else ((south - cy) / dy) if dy < 0 else math.inf,
    )
    return cx + 0.97 * scale * dx, cy + 0.97 * scale * dy


def _draw_bases(ax: Axes, run: RunData, extent: tuple[float, ...]) -> None:
    west, east, south, north = extent
    looks = side_styles(run.sides)
    for side, name, lon, lat in _bases(run):
        color, _, marker = looks.get(side, ("#333333", "-", "o"))
        label = name.replace("_", " ").title()
        if west <= lon <= east and south <= lat <= north:
            ax.plot(lon, lat, marker=marker, ms=7, mfc="white", mec=color, mew=1.6, zorder=6)
            ax.annotate(
                label,
                (lon, lat),
                xytext=(5, 4),
                textcoords="offset points",
                fontsize=7,
                zorder=6,
                path_effects=[withStroke(linewidth=2.5, foreground="white")],
            )
            continue
        ex, ey = _edge_point(extent, lon, lat)
        back = 0.12 * max(east - west, north - south)
        norm = math.hypot(lon - ex, lat - ey) or 1.0
        sx, sy = ex - back * (lon - ex) / norm, ey - back * (lat - ey) / norm
        km = float(geodesic_m(ey, ex, lat, lon)) / 1000.0
        ax.annotate(
            "", xy=(ex, ey), xytext=(sx, sy), zorder=6, arrowprops={"arrowstyle": "-|>", "color": color, "lw": 1.4}
        )
        ax.plot(sx, sy, marker=marker, ms=6, mfc="white", mec=color, mew=1.4, zorder=6)
        ax.annotate(
            f"{label}\n{km:,.0f} km off map",
            (sx, sy),
            xytext=(-4, 5),
            textcoords="offset points",
            fontsize=6.5,
            ha="right",
            zorder=6,
            path_effects=[withStroke(linewidth=2.5, foreground="white")],
        )


def _sector_rates(run: RunData, policy: str, level: str) -> tuple[dict[str, float], int, np.ndarray]:
    """Encounters per day by sector, the count outside every sector, and the (n, 2) lon/lat points."""
    rows = [r for r in run.encounters if r["policy"] == policy and r["level"] == level]
    days = max(1, run.n_replications(policy))
    counts = Counter(r.get("sector") or "outside" for r in rows)
    rates = {name: n * run.scale / days for name, n in counts.items()}
    points = np.array([(float(r["lon_cpa"]), float(r["lat_cpa"])) for r in rows]).reshape(-1, 2)
    return rates, counts.get("outside", 0), points


def _grid(n: int) -> tuple[int, int]:
    ncols = 1 if n == 1 else 2 if n in (2, 4) else 3
    return math.ceil(n / ncols), ncols


def map_figure(run: RunData, provenance: Provenance) -> Figure:
    """One map panel per policy: sectors shaded by first-level encounters per day, points at closest approach."""
    level = run.levels[0]
    styles = policy_styles(run.policies)
    sectors = load_outlines(sectors_path(run))
    countries = load_outlines(default_outlines_path())
    bases = _bases(run)
    extent = map_extent(sectors, bases)
    west, east, south, north = extent
    mid_lat = (south + north) / 2
    nrows, ncols = _grid(len(run.policies))
    width_in = 11.0
    panel_w = (width_in - 1.6) / ncols  # less the colour bar and the axis labels
    panel_h = panel_w * (north - south) / ((east - west) * math.cos(math.radians(mid_lat)))
    fig = new_figure(width_in, min(14.0, nrows * (panel_h + 0.35) + 1.5))
    fig.suptitle(
        f"Where {level} encounters happen: points at closest approach, sectors shaded by encounters {run.unit}",
        fontweight="bold",
    )
    data = {p: _sector_rates(run, p, level) for p in run.policies}
    vmax = max([1e-9, *(v for rates, _, _ in data.values() for k, v in rates.items() if k != "outside")])
    norm = Normalize(0.0, vmax)
    cmap = colormaps[CMAP]
    axes = fig.subplots(nrows, ncols, squeeze=False).ravel()
    for ax in axes[len(run.policies) :]:
        ax.set_visible(False)
    for ax, policy in zip(axes, run.policies, strict=False):
        rates, outside, points = data[policy]
        ax.set_facecolor(SEA)
        for _, rings in countries:
            ax.add_patch(PathPatch(_rings_path(rings), fc=LAND, ec="#b5b0a5", lw=0.5, zorder=1))
        for name, rings in sectors:
            rate = rates.get(name, 0.0)
            ax.add_patch(PathPatch(_rings_path(rings), fc=cmap(norm(rate)), ec="#555555", lw=0.6, zorder=2))
            if rate > 0:
                lon, lat = _label_point(rings)
                ax.text(
                    lon,
                    lat,
                    f"{rate:.2g}",
                    fontsize=6.5,
                    ha="center",
                    va="center",
                    zorder=5,
                    path_effects=[withStroke(linewidth=2, foreground="white")],
                )
        if len(points):
            ax.scatter(
                points[:, 0], points[:, 1], s=9, c="#1f1f1f", alpha=0.6, edgecolors="white", linewidths=0.3, zorder=4
            )
        _draw_bases(ax, run, extent)
        ax.set_xlim(west, east)
        ax.set_ylim(south, north)
        ax.set_aspect(1.0 / math.cos(math.radians(mid_lat)))
        total = sum(rates.values())
        out_text = f", {outside} outside sectors" if outside else ""
        ax.set_title(
            f"{policy}: {total:.3g} {run.unit}{out_text}", fontsize=9.5, color=styles[policy].color, fontweight="bold"
        )
        ax.tick_params(labelsize=7)
        ax.set_xlabel("longitude (°E)", fontsize=8)
        ax.set_ylabel("latitude (°N)", fontsize=8)
    fig.colorbar(
        ScalarMappable(norm=norm, cmap=cmap),
        ax=axes[: len(run.policies)].tolist(),
        shrink=0.8,
        label=f"{level} encounters {run.unit} in the sector (same scale in every panel)",
    )
    side_looks = side_styles(run.sides)
    handles = [
        Line2D(
            [],
            [],
            ls="",
            marker="o",
            ms=4,
            color="#1f1f1f",
            alpha=0.6,
            label="encounter at closest approach (all replications)",
        )
    ]
    handles += [
        Line2D(
            [],
            [],
            ls="",
            marker=side_looks[s][2],
            mfc="white",
            mec=side_looks[s][0],
            mew=1.6,
            ms=7,
            label=f"{s} air base",
        )
        for s in run.sides
    ]
    footer = add_footer(
        fig,
        provenance,
        f"points: encounters.csv lon_cpa/lat_cpa, level {level}; shading and numbers: "
        f"encounters.csv rows per sector / replications × 24 h / {run.horizon_h:g} h; "
        "map: Natural Earth (public domain)",
        reserve_in=0.35,
    )
    fig.legend(
        handles=handles, loc="lower center", bbox_to_anchor=(0.5, footer), ncols=len(handles), fontsize=8, frameon=False
    )
    return fig
