"""Figures from small fake run and sweep directories (and one real run): structure, files, metadata, errors."""

from __future__ import annotations

import csv
import json
import math
import subprocess
import sys
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pytest
from matplotlib.colors import to_hex
from PIL import Image

from sim.errors import InputError
from sim.plots.data import load_run, load_sweep
from sim.plots.figures import (
    encounter_rates_figure,
    paired_differences_figure,
    plot_results,
    timeline_figure,
    tradeoff_figure,
)
from sim.plots.maps import map_figure, sectors_path
from sim.plots.style import OKABE_ITO, Provenance, policy_styles, save_figure
from sim.plots.sweep import sweep_figures
from sim.scenario.bundled import default_sectors_path

REPO = Path(__file__).resolve().parents[2]
POLICIES = ["no-notice", "notice-30", "shared"]
LEVELS = ["los", "nmac"]
SIDES = ["red", "blue"]
SIDE_METRICS = [
    "sorties_planned", "sorties_flown", "cancelled", "aborted", "retasked", "altitude_changed", "held",
    "delayed", "delay_min", "wait_min", "lost_on_station_min", "unresolved", "notices_received", "flight_h",
]  # fmt: skip
SHA = "ab12cd34ef56" + "0" * 52
N_REP = 4
HORIZON_H = 12.0


def _manifest(sectors_file: Path) -> dict:
    bases = {
        "red": {"west_field": {"lat_deg": 35.0, "lon_deg": 37.0}},
        "blue": {"east_field": {"lat_deg": 35.0, "lon_deg": 39.0}, "al_udeid": {"lat_deg": 25.1, "lon_deg": 51.3}},
    }
    return {
        "version": "0.1.0",
        "git_revision": "deadbeef" * 5,
        "scenario_file": "scenarios/fake.yaml",
        "scenario_sha256": SHA,
        "seed": 11,
        "replications": N_REP,
        "policies": POLICIES,
        "levels": LEVELS,
        "sectors_file": str(sectors_file),
        "scenario": {
            "horizon_h": HORIZON_H,
            "origin": {"lat_deg": 35.0, "lon_deg": 38.0},
            "sectors_file": "data/two_boxes.geojson",
            "sides": {s: {"bases": bases[s], "fleets": {}} for s in SIDES},
            "levels": [
                {"name": "los", "horizontal_nm": 5.0, "horizontal_ft": None, "vertical_ft": 1000.0},
                {"name": "nmac", "horizontal_nm": None, "horizontal_ft": 500.0, "vertical_ft": 100.0},
            ],
        },
    }


def _write_csv(path: Path, columns: list[str], rows: list[dict]) -> None:
    with path.open("w", encoding="utf-8", newline="") as f:
        w = csv.DictWriter(f, columns)
        w.writeheader()
        w.writerows(rows)


def _summary_rows(reps: list[dict], metrics: list[str], paired: bool) -> list[dict]:
    out = []
    for policy in POLICIES:
        for metric in metrics:
            x = np.array([r[metric] for r in reps if r["policy"] == policy], dtype=float)
            ref = np.array([r[metric] for r in reps if r["policy"] == POLICIES[0]], dtype=float)
            row = {"policy": policy, "metric": metric, "n": len(x), "mean": x.mean(), "sd": x.std(ddof=1),
                   "ci95_low": x.mean() - 1.0, "ci95_high": x.mean() + 1.0}  # fmt: skip
            if paired:
                d = x - ref
                row |= {"reference": POLICIES[0], "diff_mean": d.mean(), "diff_ci95_low": d.mean() - 0.5,
                        "diff_ci95_high": d.mean() + 0.5, "rel_change": d.mean() / ref.mean() if ref.mean() else ""}  # fmt: skip
            out.append(row)
    return out


def make_run(path: Path, seed: int = 3, *, paired: bool = True, airborne: bool = True, value: bool = True) -> Path:
    """A small run directory with random but fixed numbers, in the documented format
    (``value=False``: as written before the mission value column)."""
    rng = np.random.default_rng(seed)
    path.mkdir(parents=True)
    sectors = REPO / "scenarios" / "data" / "two_boxes.geojson"
    (path / "manifest.json").write_text(json.dumps(_manifest(sectors)), encoding="utf-8")
    metrics = [f"{s}_{m}" for s in SIDES for m in SIDE_METRICS] + [f"encounters_{lv}" for lv in LEVELS]
    reps, encounters = [], []
    for k, policy in enumerate(POLICIES):
        for rep in range(N_REP):
            row = {"policy": policy, "policy_kind": "none", "replication": rep, "seed": 11}
            row |= {m: int(rng.integers(0, 5)) for m in metrics}
            row |= {f"{s}_delay_min": float(rng.uniform(0, 60)) * k for s in SIDES}
            row["encounters_los"] = int(rng.integers(3, 9)) // (k + 1)
            if value:  # after the draws above, so the other columns are those of a run without it
                row |= {f"{s}_mission_value_lost": 0.5 * row[f"{s}_retasked"] + row[f"{s}_cancelled"] for s in SIDES}
            reps.append(row)
            for level in LEVELS:
                for _ in range(row[f"encounters_{level}"]):
                    lon, lat = rng.uniform(37.3, 38.7), rng.uniform(34.6, 35.4)
                    sector = "outside" if not 34.7 <= lat <= 35.3 or not 37.4 <= lon <= 38.6 else (
                        "West" if lon < 38.0 else "East")  # fmt: skip
                    t = float(rng.uniform(-1800, HORIZON_H * 3600))
                    encounters.append({"policy": policy, "replication": rep, "level": level, "flight_a": "r1",
                                       "side_a": "red", "flight_b": "b1", "side_b": "blue", "t_start": t - 30,
                                       "t_end": t + 30, "t_cpa": t, "h_min_m": 100.0, "dz_at_cpa_m": 10.0,
                                       "x_cpa_m": 0.0, "y_cpa_m": 0.0, "lat_cpa": lat, "lon_cpa": lon,
                                       "sector": sector})  # fmt: skip
    if value:
        metrics = [*metrics, *(f"{s}_mission_value_lost" for s in SIDES)]
    _write_csv(path / "replications.csv", ["policy", "policy_kind", "replication", "seed", *metrics], reps)
    _write_csv(path / "encounters.csv", list(encounters[0]), encounters)
    summary = _summary_rows(reps, metrics, paired)
    _write_csv(path / "summary.csv", list(summary[0]), summary)
    if airborne:
        rows = [{"policy": p, "side": s, "hour": h, "mean_airborne": float(rng.uniform(0, 6)) if h < 13 else 0.0}
                for p in POLICIES for s in SIDES for h in range(24)]  # fmt: skip
        _write_csv(path / "airborne.csv", ["policy", "side", "hour", "mean_airborne"], rows)
    return path


def make_sweep(path: Path, leads: tuple[object, ...] = (0, 30, 60)) -> Path:
    """A 3 x 2 sweep over two paths; points 0-5 each a run directory. Every policy but the
    reference has paired columns (its mean minus the reference's, ±0.5), and each side a
    mission value lost."""
    path.mkdir(parents=True)
    paths = ["policies.notice-30.lead_min", "sides.red.sorties_per_day"]
    manifest = {"kind": "sweep", "paths": paths, "policies": POLICIES, "levels": LEVELS, "seed": 11,
                "replications": N_REP, "scenario_file": "scenarios/fake.yaml", "scenario_sha256": SHA,
                "version": "0.1.0"}  # fmt: skip
    (path / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    points, rows = [], []
    rng = np.random.default_rng(5)
    metrics = ("encounters_los", "encounters_nmac", *(f"{side}_mission_value_lost" for side in SIDES))
    for i, (lead, tempo) in enumerate((a, b) for b in (20, 40) for a in leads):
        point = f"{i:03d}"
        points.append({"point": point, paths[0]: lead, paths[1]: tempo})
        make_run(path / "points" / point, seed=i)
        reference: dict[str, float] = {}
        for policy in POLICIES:
            for metric in metrics:
                mean = float(rng.uniform(1, 5))
                reference.setdefault(metric, mean)
                d = mean - reference[metric]
                paired = {"diff_mean": d, "diff_ci95_low": d - 0.5, "diff_ci95_high": d + 0.5}
                if policy == POLICIES[0]:
                    paired = {k: "" for k in paired}
                rows.append({"point": point, paths[0]: lead, paths[1]: tempo, "policy": policy, "metric": metric,
                             "n": N_REP, "mean": mean, "sd": 1.0, "ci95_low": mean - 1, "ci95_high": mean + 1,
                             "reference": POLICIES[0], **paired})  # fmt: skip
    _write_csv(path / "points.csv", ["point", *paths], points)
    _write_csv(path / "sweep_summary.csv", list(rows[0]), rows)
    return path


@pytest.fixture(scope="module")
def run_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_run(tmp_path_factory.mktemp("plots") / "run")


@pytest.fixture(scope="module")
def run(run_dir: Path):
    return load_run(run_dir)


@pytest.fixture(scope="module")
def provenance(run) -> Provenance:
    return Provenance.from_manifest(run.manifest)


def _texts(fig) -> list[str]:
    return [t.get_text() for t in fig.findobj(lambda a: hasattr(a, "get_text"))]


def test_encounter_rates_figure_structure(run, provenance) -> None:
    fig = encounter_rates_figure(run, provenance)
    # a 12 h horizon is said, not scaled to a day: the figure's unit is the printed summary's
    assert fig._suptitle.get_text() == "Encounters per 12 h horizon by policy (mean of 4 replications of 12 h, 95 % CI)"
    axes = [ax for ax in fig.axes if ax.get_visible()]
    assert len(axes) == len(LEVELS)
    for ax, level in zip(axes, LEVELS, strict=True):
        assert ax.get_title().startswith(level)
        assert ax.get_xlabel() == "encounters per 12 h horizon"
    assert [t.get_text() for t in axes[0].get_yticklabels()] == POLICIES
    # the bar of each policy is the summary mean per replication, not scaled to a day
    bars = [p.get_width() for p in axes[0].patches]
    expected = [run.stat(p, "encounters_los").mean for p in POLICIES]
    assert bars == pytest.approx(expected)
    assert any("sha256 ab12cd34ef56" in t for t in _texts(fig))  # the footer


def test_paired_differences_come_from_summary(run, provenance) -> None:
    fig = paired_differences_figure(run, provenance)
    assert "What each policy buys" in fig._suptitle.get_text()
    ax = fig.axes[0]
    assert ax.get_xlabel() == "Δ encounters per 12 h horizon vs no-notice"
    labels = [t.get_text() for t in ax.texts]
    for policy in POLICIES[1:]:
        diff = run.stat(policy, "encounters_los").diff_mean
        assert any(label.startswith(f"{diff:+.3g}") for label in labels), (policy, diff, labels)
    assert "reference" in labels


def test_paired_fallback_without_paired_columns(tmp_path: Path) -> None:
    run = load_run(make_run(tmp_path / "run", paired=False))
    assert not run.has_paired
    for policy in POLICIES:
        d = run.paired(policy, "encounters_los")
        mine = np.array([int(r["encounters_los"]) for r in run.replications if r["policy"] == policy])
        ref = np.array([int(r["encounters_los"]) for r in run.replications if r["policy"] == POLICIES[0]])
        assert d.diff_mean == pytest.approx((mine - ref).mean())
        if policy != POLICIES[0]:
            assert d.diff_low < d.diff_mean < d.diff_high
    fig = paired_differences_figure(run, Provenance.from_manifest(run.manifest))
    assert any("computed from replications.csv" in t for t in _texts(fig))


def test_tradeoff_figure_structure(run, provenance) -> None:
    """One panel per side for the mission value lost (who pays), then the minutes of both."""
    fig = tradeoff_figure(run, provenance)
    assert fig._suptitle.get_text().startswith("Trade-off")
    red, blue, minutes = fig.axes[:3]
    assert red.get_ylabel() == "los encounters per 12 h horizon"
    assert red.get_xlabel() == "red: value lost per 12 h horizon\n(sortie equivalents)"
    assert blue.get_xlabel() == "blue: value lost per 12 h horizon\n(sortie equivalents)"
    assert minutes.get_xlabel() == "delay + lost on-station min\nper 12 h horizon (both sides)"
    assert [t.get_text() for t in minutes.get_legend().get_texts()] == POLICIES
    # each point's x is the mean over replications of that side's mission value lost
    for ax, side in ((red, "red"), (blue, "blue")):
        for policy, container in zip(POLICIES, ax.containers, strict=True):
            reps = [float(r[f"{side}_mission_value_lost"]) for r in run.replications if r["policy"] == policy]
            assert container.lines[0].get_xdata()[0] == pytest.approx(np.mean(reps))


def test_tradeoff_of_a_run_without_mission_value_shows_the_sorties_cancelled_or_retasked(
    tmp_path: Path, provenance
) -> None:
    old = load_run(make_run(tmp_path / "old", value=False))
    red, _, minutes = tradeoff_figure(old, provenance).axes[:3]
    assert red.get_xlabel() == "red: sorties cancelled\nor re-tasked per 12 h horizon"
    assert "delay + lost on-station min" in minutes.get_xlabel()


def test_map_figure_structure(run, provenance) -> None:
    fig = map_figure(run, provenance)
    assert fig._suptitle.get_text().startswith("Where los encounters happen")
    panels = [ax for ax in fig.axes if ax.get_visible() and ax.get_xlabel() == "longitude (°E)"]
    assert [ax.get_title().split(":")[0] for ax in panels] == POLICIES
    assert all(ax.get_ylabel() == "latitude (°N)" for ax in panels)
    colorbars = [ax for ax in fig.axes if "per 12 h horizon in the sector" in ax.get_ylabel()]
    assert len(colorbars) == 1  # one shared scale
    assert any("off map" in t for t in _texts(fig))  # Al Udeid is marked at the edge
    assert any(t.startswith("West Field") for t in _texts(fig))


@pytest.mark.parametrize(
    "recorded",
    [
        "<bundled>/syria_governorates.geojson",  # what runs record now
        "scenarios/data/syria_governorates.geojson",  # what they recorded before the data moved into the package
        "/some/other/machine/syria_governorates.geojson",  # same file name elsewhere: the bundled file
        None,
    ],
)
def test_map_finds_the_bundled_sectors_whatever_the_manifest_names(recorded, tmp_path: Path) -> None:
    run = SimpleNamespace(manifest={} if recorded is None else {"sectors_file": recorded}, path=tmp_path)
    assert sectors_path(run) == default_sectors_path()  # type: ignore[arg-type]


def test_map_reports_a_missing_sector_file(tmp_path: Path) -> None:
    run = SimpleNamespace(manifest={"sectors_file": "gone/sectors.geojson"}, path=tmp_path)
    with pytest.raises(InputError, match=r"manifest.json: sectors_file: .*'gone/sectors.geojson' is not here"):
        sectors_path(run)  # type: ignore[arg-type]


def test_timeline_with_and_without_airborne(run, provenance, tmp_path: Path) -> None:
    fig = timeline_figure(run, provenance)
    assert len(fig.axes) == 2
    assert fig.axes[0].get_ylabel().startswith("aircraft airborne")
    assert fig.axes[1].get_xlabel().startswith("hour of the simulated day")
    assert [t.get_text() for t in fig.axes[1].get_legend().get_texts()] == POLICIES
    # the hourly counts add up to the encounters of encounters.csv per simulated day
    total = sum(line.get_ydata().sum() for line in fig.axes[1].lines[:1])
    n_los = sum(1 for r in run.encounters if r["policy"] == POLICIES[0] and r["level"] == "los")
    assert total == pytest.approx(n_los / (N_REP * max(1.0, HORIZON_H / 24)))
    bare = load_run(make_run(tmp_path / "bare", airborne=False))
    fig = timeline_figure(bare, provenance)
    assert len(fig.axes) == 1
    assert any("airborne.csv not found" in t for t in _texts(fig))


def test_policy_colours_are_consistent_across_figures(run, provenance) -> None:
    styles = policy_styles(POLICIES)
    assert styles[POLICIES[0]].color == OKABE_ITO[0]
    timeline = timeline_figure(run, provenance).axes[1]
    for line, policy in zip(timeline.lines, POLICIES, strict=True):
        assert to_hex(line.get_color()).lower() == styles[policy].color.lower()
    rates = encounter_rates_figure(run, provenance).axes[0]
    for bar, policy in zip(rates.patches, POLICIES, strict=True):
        assert to_hex(bar.get_facecolor()).lower() == styles[policy].color.lower()


def test_plot_results_writes_pngs_with_metadata(run_dir: Path, tmp_path: Path) -> None:
    written = plot_results(run_dir, tmp_path / "figs")
    names = sorted(p.name for p in written)
    assert names == sorted(f"{n}.png" for n in ("encounter_rates", "paired_differences", "tradeoff", "map", "timeline"))
    for path in written:
        assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
        with Image.open(path) as img:
            width, height = img.size
            info = dict(img.info)
        assert 1000 <= width <= 2400 and 600 <= height <= 2400, (path.name, img.size)
        assert info["Software"] == "deconflict 0.1.0"
        assert info["Scenario-SHA256"] == SHA
        assert info["Seed"] == "11" and info["Replications"] == str(N_REP)
        assert "sha256 ab12cd34ef56" in info["Description"]
        assert info["Title"]


def test_default_out_dir_and_other_formats(run_dir: Path, run, provenance, tmp_path: Path) -> None:
    fig = encounter_rates_figure(run, provenance)
    svg = save_figure(fig, tmp_path / "rates.svg", provenance, "svg", "rates")
    assert "ab12cd34ef56" in svg.read_text(encoding="utf-8")
    pdf = save_figure(fig, tmp_path / "rates.pdf", provenance, "pdf", "rates")
    assert pdf.read_bytes()[:5] == b"%PDF-"
    with pytest.raises(InputError, match="--format"):
        plot_results(run_dir, tmp_path / "x", fmt="jpg")


def test_sweep_figures(tmp_path: Path) -> None:
    """A panel per policy but the reference: its paired difference (top) and each side's cost
    (bottom) against the swept value, one line per value of the other path."""
    sweep_dir = make_sweep(tmp_path / "sweep")
    sweep = load_sweep(sweep_dir)
    figs = dict(sweep_figures(sweep, Provenance.from_manifest(sweep.manifest)))
    assert sorted(figs) == ["sweep_policies_notice-30_lead_min", "sweep_sides_red_sorties_per_day"]
    fig = figs["sweep_policies_notice-30_lead_min"]
    assert "What each value of policies.notice-30.lead_min buys" in fig._suptitle.get_text()
    assert "paired difference from no-notice" in fig._suptitle.get_text()
    axes = [ax for ax in fig.axes if ax.get_visible()]
    assert len(axes) == 2 * (len(POLICIES) - 1)  # 2 rows x a panel per policy but the reference
    assert [ax.get_title() for ax in axes[: len(POLICIES) - 1]] == POLICIES[1:]
    assert axes[0].get_ylabel() == "Δ encounters_los\nper 12 h horizon vs no-notice"
    assert "mission value lost" in axes[len(POLICIES) - 1].get_ylabel()
    summary = list(csv.DictReader((sweep_dir / "sweep_summary.csv").open()))
    for ax, policy in zip(axes, POLICIES[1:], strict=False):
        lines = [ln for ln in ax.lines if len(ln.get_xdata()) == 3]  # the 0-line has two points
        assert len(lines) == 2  # one per value of the other path
        for line, tempo in zip(lines, ("20", "40"), strict=True):
            rows = [r for r in summary if r["policy"] == policy and r["metric"] == "encounters_los"
                    and r["sides.red.sorties_per_day"] == tempo]  # fmt: skip
            assert list(line.get_xdata()) == [0.0, 30.0, 60.0]
            assert list(line.get_ydata()) == pytest.approx([float(r["diff_mean"]) for r in rows])
    # the cost row: one line per side and value of the other path
    cost = axes[len(POLICIES) - 1]
    labels = [ln.get_label() for ln in cost.lines if len(ln.get_xdata()) == 3]
    assert labels == [f"{side}, sides.red.sorties_per_day = {t}" for t in ("20", "40") for side in SIDES]
    written = plot_results(sweep_dir, fmt="png")
    assert [p.parent for p in written] == [sweep_dir / "figures"] * 2


def test_a_category_sweep_is_drawn_as_points_not_lines(tmp_path: Path) -> None:
    sweep = load_sweep(make_sweep(tmp_path / "sweep", leads=("sector", "area", "work_area")))
    fig = dict(sweep_figures(sweep, Provenance.from_manifest(sweep.manifest)))["sweep_policies_notice-30_lead_min"]
    ax, bottom = fig.axes[0], fig.axes[len(POLICIES) - 1]
    assert [t.get_text() for t in bottom.get_xticklabels()] == ["sector", "area", "work_area"]
    markers = [ln for ln in ax.lines if len(ln.get_xdata()) == 3]
    assert markers and all(ln.get_linestyle() == "None" for ln in markers)  # no line joins categories
    from matplotlib.collections import PolyCollection

    assert not any(isinstance(c, PolyCollection) for c in ax.collections)  # whiskers, no bands


@pytest.mark.parametrize(
    ("setup", "message"),
    [
        (lambda d: None, "found no manifest.json"),
        (lambda d: (d / "manifest.json").write_text("{}"), "found no replications.csv"),
        (lambda d: (d / "notes.txt").write_text("x"), "expected a results directory"),
    ],
)
def test_not_a_results_directory(tmp_path: Path, setup, message: str) -> None:
    d = tmp_path / "d"
    d.mkdir()
    setup(d)
    with pytest.raises(InputError, match=message) as err:
        plot_results(d)
    assert str(d) in str(err.value)
    assert not (d / "figures").exists()


def test_missing_directory_and_bad_table(tmp_path: Path, run_dir: Path) -> None:
    with pytest.raises(InputError, match="no such directory"):
        plot_results(tmp_path / "nowhere")
    broken = make_run(tmp_path / "broken")
    (broken / "summary.csv").write_text("policy,metric\nno-notice,encounters_los\n")
    with pytest.raises(InputError, match=r"summary.csv: expected columns n, mean"):
        plot_results(broken)
    (broken / "summary.csv").write_text((run_dir / "summary.csv").read_text().replace(",4,", ",four,", 1))
    with pytest.raises(InputError, match=r"line 2, column n: expected a number"):
        plot_results(broken)


def test_real_run(tmp_path: Path) -> None:
    out = tmp_path / "real"
    proc = subprocess.run(
        [sys.executable, "-m", "sim", "run", str(REPO / "scenarios" / "corridor-small.yaml"), "-n", "3", "--out",
         str(out), "-q"], capture_output=True, text=True, cwd=REPO, timeout=120,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    run = load_run(out)
    provenance = Provenance.from_manifest(run.manifest)
    assert run.sides == ["red", "blue"] and run.horizon_h == 4.0
    for build in (encounter_rates_figure, paired_differences_figure, tradeoff_figure, timeline_figure):
        fig = build(run, provenance)
        assert fig._suptitle.get_text()
    assert not math.isnan(run.paired(run.policies[1], "encounters_los").diff_mean)
    written = plot_results(out, out / "figs", fmt="png")
    assert len(written) == 5 and all(p.stat().st_size > 10_000 for p in written)
    assert default_sectors_path().is_file()


def test_layers_figure_from_the_reference_run(tmp_path: Path) -> None:
    # the committed reference run has the coalition's tactical layer: its bars are the per-day
    # means of replications.csv, worked out here from the table itself
    from sim.plots.layers import has_tactical, layers_figure

    ref = REPO / "results" / "reference" / "syria-2015-10"
    data = load_run(ref)
    assert has_tactical(data)
    fig = layers_figure(data, Provenance.from_manifest(data.manifest))
    axes = fig.axes
    assert [a.get_title().split("\n")[0] for a in axes] == [
        "alerts",
        "manoeuvres",
        "los encounters that",
        "on-station minutes",
    ]
    rows = list(csv.DictReader((ref / "replications.csv").open(encoding="utf-8")))
    for k, policy in enumerate(data.policies):
        mine = [r for r in rows if r["policy"] == policy]
        alerts = sum(float(r["coalition_tactical_alerts"]) + float(r["russia_tactical_alerts"]) for r in mine) / len(
            mine
        )
        bar = axes[0].patches[k]
        assert bar.get_width() == pytest.approx(alerts)
    written = plot_results(ref, tmp_path / "figs")
    assert sorted(p.stem for p in written) == sorted(
        ["encounter_rates", "paired_differences", "tradeoff", "map", "timeline", "layers", "risk"]
    )


def test_an_empty_level_gets_a_sentence_not_a_panel() -> None:
    """The reference run has no NMAC in 1,000 replications: no panel for it, the title says so."""
    from sim.plots.figures import paired_label

    reference = load_run(REPO / "results" / "reference" / "syria-2015-10")
    provenance = Provenance.from_manifest(reference.manifest)
    for build in (encounter_rates_figure, paired_differences_figure):
        fig = build(reference, provenance)
        assert fig._suptitle.get_text().endswith("\nnmac: none in 1,000 replications under any policy")
        titles = [ax.get_title() for ax in fig.axes if ax.get_visible()]
        assert [t.split("\n")[0] for t in titles] == ["los", "proximity-20nm"]
    # labels as the printed comparison: no bare relative change where the interval crosses 0
    assert paired_label(-0.022, -0.045, 0.001, -0.63) == "-0.022 [-0.045, +0.001]"
    assert paired_label(-25.95, -27.79, -24.11, -0.9256) == "-25.9 [-27.8, -24.1] (-93 %)"
