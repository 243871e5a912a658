"""Writing the report: one self-contained HTML file for a run, a sweep or a sensitivity directory.

The page holds the answer in two sentences, the tables (with headers and intervals), every
figure as an inline PNG with alt text, the layers the run has, the scenario as run and the
provenance. It loads nothing: no script, no font, no stylesheet or image from elsewhere.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from sim.errors import InputError
from sim.experiment.results import atomic_write_text
from sim.plots.data import is_sweep_dir, load_run, load_sweep
from sim.report.html import page
from sim.report.provenance import provenance_html, scenario_html
from sim.report.run import Section, run_sections
from sim.report.studies import sensitivity_sections, sweep_sections

__all__ = ["REPORT_NAME", "report_html", "write_report"]

REPORT_NAME = "report.html"


def _manifest(path: Path) -> dict[str, Any]:
    target = path / "manifest.json"
    if not target.is_file():
        partial = " (an unfinished run: finish it with --resume)" if (path / ".partial").is_dir() else ""
        raise InputError(f"not a finished results directory: no manifest.json{partial}", path=str(path))
    try:
        data = json.loads(target.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise InputError(f"unreadable manifest: {exc}", path=str(target)) from None
    if not isinstance(data, dict):
        raise InputError("expected a JSON object", path=str(target))
    return data


def report_html(results: str | Path) -> str:
    """The report of the results directory ``results`` as one HTML document (a string)."""
    path = Path(results)
    if not path.is_dir():
        raise InputError("not a directory; expected a results directory", path=str(path))
    manifest = _manifest(path)
    sections: list[Section]
    if manifest.get("kind") == "sensitivity":
        name, sections = sensitivity_sections(path, manifest)
        kind = "sensitivity analysis"
    elif is_sweep_dir(path):
        name, sections = sweep_sections(load_sweep(path))
        kind = "sweep"
    else:
        name, sections = run_sections(load_run(path))
        kind = "run"
    sections.append(("scenario", "Scenario as run", scenario_html(manifest)))
    sections.append(("provenance", "Provenance", provenance_html(manifest)))
    subtitle = (
        f"deconflict {kind} report of {path.name}/, version {manifest.get('version', '?')}, "
        f"seed {manifest.get('seed', '?')}, {manifest.get('replications', '?')} replications"
    )
    return page(f"{name}: {kind} report", subtitle, sections)


def write_report(results: str | Path, output: str | Path | None = None) -> Path:
    """Write the report of ``results`` to ``output`` (default ``results/report.html``); returns the file.

    Raises :class:`~sim.errors.InputError` (nothing written) if ``results`` is not a finished
    results directory or ``output`` is not a file name in an existing directory.
    """
    path = Path(results)
    if not path.is_dir():
        raise InputError("not a directory; expected a results directory", path=str(path))
    target = Path(output) if output is not None else path / REPORT_NAME
    if target.is_dir():
        raise InputError("is a directory; expected a file name for the report", path=str(target))
    if not target.parent.is_dir():
        raise InputError("its directory does not exist; expected a file in an existing directory", path=str(target))
    text = report_html(path)
    try:
        atomic_write_text(target, text)
    except OSError as exc:
        raise InputError(f"cannot write: {exc.strerror or exc}", path=str(target)) from None
    return target
