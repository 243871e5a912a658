"""A finished results directory (run, sweep or sensitivity analysis) as DataFrames and figures."""

from __future__ import annotations

import functools
import html
import json
from pathlib import Path
from typing import Any

import pandas as pd
from matplotlib.figure import Figure

from sim.api.frames import read_table, table_from_rows
from sim.errors import InputError

__all__ = ["Results"]


class Results:
    """The files of a finished results directory, read only from its CSV and JSON.

    ``kind`` is ``"run"``, ``"sweep"`` or ``"sensitivity"``. Tables are pandas DataFrames
    with typed columns (``sim.api.frames``), one row per line of the file; figures are
    :class:`matplotlib.figure.Figure` objects drawn from the files, never re-running anything.
    Open one with :meth:`Results.open`.
    """

    def __init__(self, path: Path, manifest: dict[str, Any]) -> None:
        self.path = path
        self.manifest = manifest

    @classmethod
    def open(cls, path: str | Path) -> Results:
        """The results directory at ``path`` (``str`` or ``Path``); ``InputError`` if it is not a finished one."""
        path = Path(path)
        if not path.is_dir():
            raise InputError("not a directory; expected a results directory", path=str(path))
        manifest_path = path / "manifest.json"
        if not manifest_path.is_file():
            partial = " (an unfinished run: finish it with resume=True)" if (path / ".partial").is_dir() else ""
            raise InputError(f"not a finished results directory: no manifest.json{partial}", path=str(path))
        try:
            manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise InputError(f"unreadable manifest: {exc}", path=str(manifest_path)) from None
        if not isinstance(manifest, dict):
            raise InputError("expected a JSON object", path=str(manifest_path))
        return cls(path, manifest)

    def __repr__(self) -> str:
        return f"Results({str(self.path)!r}, kind={self.kind!r})"

    @property
    def kind(self) -> str:
        """``"run"``, ``"sweep"`` or ``"sensitivity"``."""
        kind = self.manifest.get("kind")
        if kind in ("sweep", "sensitivity"):
            return str(kind)
        return "sweep" if (self.path / "points.csv").is_file() else "run"

    @property
    def policies(self) -> list[str]:
        """The policies in the order they were run; the first is the default reference."""
        return [str(p) for p in self.manifest.get("policies", [])]

    @property
    def levels(self) -> list[str]:
        """The separation levels counted (``encounters_<level>`` columns)."""
        return [str(lv) for lv in self.manifest.get("levels", [])]

    def _need(self, *kinds: str) -> None:
        if self.kind not in kinds:
            raise InputError(f"this is a {self.kind} directory; that needs a {' or '.join(kinds)}", path=str(self.path))

    def _per_point(self, name: str) -> pd.DataFrame:
        """A sweep's table ``name`` from every point, with a leading ``point`` column (int64)."""
        frames = [
            read_table(self.path / "points" / f"{point:03d}" / name).assign(point=point)
            for point in self.points["point"].tolist()
        ]
        joined = pd.concat(frames, ignore_index=True)
        return joined[["point", *[c for c in joined.columns if c != "point"]]]

    @functools.cached_property
    def replications(self) -> pd.DataFrame:
        """``replications.csv``: one row per policy and replication; metric columns float64 or int64.

        A sweep's has a ``point`` column first, gathered from ``points/NNN/``.
        """
        self._need("run", "sweep")
        return (
            self._per_point("replications.csv") if self.kind == "sweep" else read_table(self.path / "replications.csv")
        )

    @functools.cached_property
    def encounters(self) -> pd.DataFrame:
        """``encounters.csv``: one row per encounter; ``t_*`` in s, ``*_m`` in metres, lat/lon in degrees."""
        self._need("run", "sweep")
        return self._per_point("encounters.csv") if self.kind == "sweep" else read_table(self.path / "encounters.csv")

    @functools.cached_property
    def summary(self) -> pd.DataFrame:
        """``summary.csv`` (a sweep: ``sweep_summary.csv``): per policy and metric, mean, 95 % CI, paired difference."""
        self._need("run", "sweep")
        if self.kind == "sweep":
            return read_table(self.path / "sweep_summary.csv", keep=self._swept_paths())
        return read_table(self.path / "summary.csv")

    def _swept_paths(self) -> list[str]:
        return [str(p) for p in self.manifest.get("paths", [])]

    @functools.cached_property
    def points(self) -> pd.DataFrame:
        """A sweep's ``points.csv``: ``point`` (int64) and the value of each swept path."""
        self._need("sweep")
        return read_table(self.path / "points.csv", keep=self._swept_paths())

    @functools.cached_property
    def airborne(self) -> pd.DataFrame:
        """``airborne.csv``: mean aircraft airborne per policy, side and hour of day."""
        self._need("run")
        return read_table(self.path / "airborne.csv")

    def table(self, name: str) -> pd.DataFrame:
        """Any CSV of the directory by file name (``"transits.csv"``, ``"indices.csv"``, ...), typed."""
        return read_table(self.path / name, keep=self._swept_paths() if self.kind == "sweep" else ())

    @property
    def indices(self) -> pd.DataFrame:
        """A sensitivity analysis's ``indices.csv``: output, policy, parameter, index, value and 95 % CI."""
        self._need("sensitivity")
        return self.table("indices.csv")

    def comparison(self, reference: str | None = None) -> pd.DataFrame:
        """The paired comparison against ``reference`` (default: the first policy), as ``deconflict compare``.

        One row per policy and metric with the columns of ``summary.csv``: mean and 95 % t
        interval, then the paired difference (t and BCa bootstrap intervals), its relative
        change and the ratio of means with its delta-method interval; NaN on the reference's rows.
        """
        from sim.experiment.compare import SUMMARY_COLUMNS, paired_summary, read_replications

        self._need("run")
        table, manifest = read_replications(self.path)
        rows = paired_summary(table, reference or table.policies[0], int(manifest.get("seed", 0)))
        return table_from_rows(rows, SUMMARY_COLUMNS, str(self.path / "replications.csv"))

    def _builders(self) -> dict[str, Any]:
        if self.kind == "sensitivity":
            from sim.plots.sensitivity import sensitivity_figure_builders

            return {name: build for name, (build, _) in sensitivity_figure_builders(self.path).items()}
        if self.kind == "sweep":
            from sim.plots.data import load_sweep
            from sim.plots.style import Provenance
            from sim.plots.sweep import sweep_figure_builders

            return dict(sweep_figure_builders(load_sweep(self.path), Provenance.from_manifest(self.manifest)))
        from sim.plots.data import load_run
        from sim.plots.figures import run_figure_builders

        return {name: build for name, (build, _) in run_figure_builders(load_run(self.path)).items()}

    @property
    def figure_names(self) -> list[str]:
        """The names of this directory's figures, as ``deconflict plot`` names their files."""
        return list(self._builders())

    def figure(self, name: str) -> Figure:
        """Draw the figure ``name`` (one of :attr:`figure_names`); 1600 x 1000 px at its dpi."""
        builders = self._builders()
        if name not in builders:
            raise InputError(f"no figure {name!r}; this {self.kind} has {', '.join(builders)}", path=str(self.path))
        fig = builders[name]()
        assert isinstance(fig, Figure)
        return fig

    def figures(self) -> dict[str, Figure]:
        """Every figure, drawn: name -> Figure."""
        return {name: build() for name, build in self._builders().items()}

    def encounter_rates_figure(self) -> Figure:
        """Encounters per day by policy and level, with 95 % intervals."""
        return self.figure("encounter_rates")

    def paired_differences_figure(self) -> Figure:
        """Each policy's paired difference from the reference, with 95 % intervals."""
        return self.figure("paired_differences")

    def tradeoff_figure(self) -> Figure:
        """Losses of separation against the cost of deconfliction, per policy."""
        return self.figure("tradeoff")

    def map_figure(self) -> Figure:
        """Where the encounters happened, per policy, with encounters per day per sector."""
        return self.figure("map")

    def timeline_figure(self) -> Figure:
        """Encounters by hour of day against aircraft airborne."""
        return self.figure("timeline")

    def layers_figure(self) -> Figure:
        """The tactical layer's part (runs whose scenario has one)."""
        return self.figure("layers")

    def risk_figure(self) -> Figure:
        """Expected collisions under navigation errors (runs whose scenario gives errors)."""
        return self.figure("risk")

    def sweep_figure(self, path: str) -> Figure:
        """A sweep's figure of the swept ``path`` (dotted path into the scenario)."""
        from sim.plots.style import safe_name

        return self.figure(f"sweep_{safe_name(path)}")

    def report(self, output: str | Path | None = None) -> Path:
        """Write the one-file HTML report (default ``<dir>/report.html``); returns its path."""
        from sim.report.page import write_report

        return write_report(self.path, output)

    def _repr_html_(self) -> str:
        """A small table for notebooks: what the directory holds."""
        facts = (
            ("kind", self.kind),
            ("policies", ", ".join(self.policies)),
            ("replications", self.manifest.get("replications")),
            ("seed", self.manifest.get("seed")),
        )
        rows = "".join(f"<tr><th>{key}</th><td>{html.escape(str(value))}</td></tr>" for key, value in facts)
        return f"<b>{html.escape(str(self.path))}</b><table>{rows}</table>"
