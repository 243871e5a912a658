"""Loading a scenario for the Python API: from a YAML file, or from the same data as a dict."""

from __future__ import annotations

import copy
import hashlib
import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from sim.errors import InputError
from sim.scenario.load import LoadedScenario, scenario_from_data
from sim.scenario.load import load_scenario as load_file

__all__ = ["Scenario", "load_scenario"]

Scenario = LoadedScenario
"""A validated scenario with its sector map (``.scenario`` is the pydantic model, ``.path`` its file)."""

ScenarioSource = str | Path | Mapping[str, Any] | LoadedScenario


def load_scenario(source: ScenarioSource, *, base_dir: str | Path | None = None) -> LoadedScenario:
    """Read and validate a scenario: a YAML file (``str`` or ``Path``), or its data as a dict.

    A dict is what the YAML file would hold (``yaml.safe_load`` of it, edited at will); its
    ``sectors_file`` resolves against ``base_dir`` (default: the working directory) and its
    recorded ``scenario_sha256`` is that of its canonical JSON. An already loaded scenario is
    returned as it is. Raises :class:`~sim.errors.InputError` naming the file (or ``<dict>``),
    the field path and, for files, the line.
    """
    if isinstance(source, LoadedScenario):
        return source
    if isinstance(source, str | Path):
        return load_file(source)
    if isinstance(source, Mapping):
        data = copy.deepcopy(dict(source))
        where = Path(base_dir) if base_dir is not None else Path.cwd()
        try:
            canonical = json.dumps(data, sort_keys=True, default=str).encode("utf-8")
        except (TypeError, ValueError) as exc:
            raise InputError(f"expected plain scenario data (YAML types), found {exc}", path="<dict>") from None
        digest = hashlib.sha256(canonical).hexdigest()
        name = str(data.get("name") or "scenario")
        return scenario_from_data(data, path=where / f"<dict {name}>", source="<dict>", sha256=digest)
    raise InputError(f"expected a scenario file path or a dict, found {type(source).__name__}")
