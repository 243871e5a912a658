"""The report's last sections: the scenario as run and where the numbers come from."""

from __future__ import annotations

from typing import Any

import yaml

from sim.report.html import esc

__all__ = ["provenance_html", "scenario_html"]


def _facts(items: list[tuple[str, object]]) -> str:
    cells = "".join(f"<dt>{esc(k)}</dt><dd>{esc(v)}</dd>" for k, v in items if v not in (None, "", []))
    return f'<dl class="facts">{cells}</dl>'


def provenance_html(manifest: dict[str, Any]) -> str:
    """Hash, seed, versions, command, executor and times of the run, from its ``manifest.json``."""
    command = manifest.get("command")
    items: list[tuple[str, object]] = [
        ("tool", f"{manifest.get('tool', 'deconflict')} {manifest.get('version', '')}".strip()),
        ("git revision", manifest.get("git_revision")),
        ("command", " ".join(map(str, command)) if isinstance(command, list) else command),
        ("working directory", manifest.get("working_directory")),
        ("scenario file", manifest.get("scenario_file")),
        ("scenario sha256", manifest.get("scenario_sha256")),
        ("sensitivity file", manifest.get("sensitivity_file")),
        ("sectors file", manifest.get("sectors_file")),
        ("seed", manifest.get("seed")),
        ("replications", manifest.get("replications")),
        ("policies", ", ".join(map(str, manifest.get("policies", [])))),
        (
            "executor",
            f"{manifest.get('executor')}, {manifest.get('workers')} worker(s), chunks of {manifest.get('chunk_size')}",
        ),
        ("resumed", manifest.get("resumed")),
        ("started (UTC)", manifest.get("started_utc")),
        ("finished (UTC)", manifest.get("finished_utc")),
    ]
    environment = manifest.get("environment")
    if isinstance(environment, dict):
        items.append(("software", ", ".join(f"{k} {v}" for k, v in environment.items())))
    return _facts(items) + '<p class="note">From <code>manifest.json</code> of the results directory.</p>'


def scenario_html(manifest: dict[str, Any]) -> str:
    """The scenario as run (the manifest's copy, as YAML), folded away until opened."""
    scenario = manifest.get("scenario")
    if not isinstance(scenario, dict):
        return '<p class="note">The manifest holds no copy of the scenario.</p>'
    text = yaml.safe_dump(scenario, sort_keys=False, allow_unicode=True, width=100)
    lines = text.count("\n")
    return (
        f"<p>{esc(scenario.get('name', ''))}: {esc(scenario.get('description', ''))}</p>"
        f"<details><summary>The scenario as run ({lines} lines of YAML, every default filled in)</summary>"
        f"<pre>{esc(text)}</pre></details>"
    )
