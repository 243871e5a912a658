"""The data shipped inside the package, and how manifests name the files a run read.

``sim/scenario/data/`` holds Syria's governorates (the default sectors) and the
surrounding countries (the map's background), read with ``importlib.resources`` so that a
plain ``pip install`` works. Manifests record them as ``<bundled>/NAME``, other paths
relative to the current directory (absolute outside it), so committed results do not
name one machine's folders.
"""

from __future__ import annotations

import atexit
import contextlib
import functools
import importlib.resources
from pathlib import Path

__all__ = ["BUNDLED_PREFIX", "default_outlines_path", "default_sectors_path", "portable_path", "resolve_portable"]

BUNDLED_PREFIX = "<bundled>/"
"""How a manifest names a data file shipped inside the package: ``<bundled>/syria_governorates.geojson``."""

_SECTORS_FILE = "syria_governorates.geojson"
_OUTLINES_FILE = "region_countries.geojson"
# Where manifests written before the data moved into the package named the same files.
_LEGACY = {f"scenarios/data/{name}": name for name in (_SECTORS_FILE, _OUTLINES_FILE)}
_extracted = contextlib.ExitStack()  # files extracted from a zipped install, removed at exit
atexit.register(_extracted.close)


@functools.cache
def _bundled_file(name: str) -> Path:
    """The file ``name`` of ``sim/scenario/data/`` as a real path (extracted if the package is zipped)."""
    resource = importlib.resources.files("sim.scenario") / "data" / name
    if isinstance(resource, Path):
        return resource
    return _extracted.enter_context(importlib.resources.as_file(resource))


def default_sectors_path() -> Path:
    """Path of the bundled governorate sectors, ``sim/scenario/data/syria_governorates.geojson``."""
    return _bundled_file(_SECTORS_FILE)


def default_outlines_path() -> Path:
    """Path of the bundled background map, ``sim/scenario/data/region_countries.geojson``."""
    return _bundled_file(_OUTLINES_FILE)


def portable_path(path: str | Path) -> str:
    """How a manifest records ``path``, so that results do not name one machine's folders.

    A data file shipped in the package becomes ``<bundled>/NAME``; any other path is taken
    relative to the current directory when it lies inside it, else absolute.
    """
    resolved = Path(path).resolve()
    if resolved.parent == default_sectors_path().resolve().parent:
        return BUNDLED_PREFIX + resolved.name
    try:
        return resolved.relative_to(Path.cwd().resolve()).as_posix()
    except ValueError:
        return str(resolved)


def resolve_portable(path: str, working_directory: str | None = None) -> Path:
    """Undo :func:`portable_path`: ``<bundled>/NAME`` is the packaged file; a relative path is
    taken from the current directory or, if nothing is there, from ``working_directory``
    (where the run that recorded it was started, as its manifest says).
    ``scenarios/data/syria_governorates.geojson`` and ``scenarios/data/region_countries.geojson``,
    as manifests named the data before it moved into the package, are the bundled files."""
    if path.startswith(BUNDLED_PREFIX):
        name = path[len(BUNDLED_PREFIX) :]
        if not name or "/" in name or "\\" in name or name.startswith("."):
            return Path(path)  # not a bundled file's name: the caller reports it
        try:
            return _bundled_file(name)
        except (FileNotFoundError, IsADirectoryError):
            return Path(path)  # no such bundled file: the caller reports it
    if path in _LEGACY:
        return _bundled_file(_LEGACY[path])
    p = Path(path)
    if p.is_absolute():
        return p
    here = Path.cwd() / p
    if not here.exists() and working_directory:
        there = Path(working_directory) / p
        if there.exists():
            return there
    return here
