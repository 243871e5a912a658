"""The results directory: where a run's files go, written atomically, with provenance.

A results directory holds ``manifest.json``, ``replications.csv``, ``encounters.csv`` and
``summary.csv``. Every file is written to a temporary name in the same directory and then
renamed, so a file that exists is complete. Floats are written with ``repr`` (shortest
round-trip form), so the same run gives byte-identical files.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import os
import platform
import re
import subprocess
import sys
import tempfile
from collections.abc import Iterable, Mapping, Sequence
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path
from typing import Any

from sim.errors import InputError

__all__ = [
    "atomic_write_text",
    "csv_text",
    "environment_versions",
    "git_revision",
    "new_results_dir",
    "newest_unfinished",
    "safe_name",
    "utc_now",
]

DEPENDENCIES = ("simpy", "numpy", "scipy", "matplotlib", "pydantic", "PyYAML", "shapely", "pyproj")


def utc_now() -> str:
    """The current UTC time, ISO 8601 to the second."""
    return datetime.now(UTC).replace(microsecond=0).isoformat()


def atomic_write_text(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` through a temporary file in the same directory and a rename."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        umask = os.umask(0)
        os.umask(umask)
        os.fchmod(fd, 0o666 & ~umask)  # mkstemp makes 0600 files; results are ordinary files
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as f:
            f.write(text)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _cell(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return repr(value) if value == value else "nan"
    return str(value)


def csv_text(columns: Sequence[str], rows: Iterable[Mapping[str, Any]]) -> str:
    """CSV text with a header of ``columns`` and one line per row (missing cells empty)."""
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(columns)
    for row in rows:
        writer.writerow([_cell(row[c]) if c in row else "" for c in columns])
    return buf.getvalue()


def new_results_dir(root: Path, scenario_name: str, out: Path | None) -> Path:
    """Create and return a fresh results directory; never reuse one that holds files.

    Default: ``root/<scenario>-<UTC time>`` (with a numeric suffix if it exists already).
    """
    if out is not None:
        if out.exists() and (not out.is_dir() or any(out.iterdir())):
            raise InputError(
                "output directory exists and is not empty; choose another --out or remove it",
                path=str(out),
            )
        try:
            out.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise InputError(f"cannot create the output directory: {exc.strerror or exc}", path=str(out)) from None
        return out
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    safe = safe_name(scenario_name)
    for i in range(1000):
        candidate = root / (f"{safe}-{stamp}" + (f"-{i}" if i else ""))
        try:
            candidate.mkdir(parents=True, exist_ok=False)
            return candidate
        except FileExistsError:
            continue
        except OSError as exc:
            raise InputError(f"cannot create a results directory here: {exc.strerror or exc}", path=str(root)) from None
    raise InputError("could not create a fresh results directory", path=str(root))


def safe_name(name: str) -> str:
    """``name`` made safe for a directory name (runs of other characters become ``-``)."""
    return re.sub(r"[^A-Za-z0-9._-]+", "-", name).strip("-") or "scenario"


def newest_unfinished(root: Path, name: str) -> Path:
    """The newest results directory of ``name`` (as made by ``new_results_dir``) still holding ``.partial``.

    Only names of the form ``<name>-<UTC stamp>[-n]`` match, so a run never picks up a
    sweep (``<name>-sweep-...``) or a run of a scenario whose name merely starts the same.
    """
    pattern = re.compile(re.escape(safe_name(name)) + r"-\d{8}T\d{6}Z(-\d+)?")
    found = sorted(
        (p for p in root.glob("*") if pattern.fullmatch(p.name) and (p / ".partial").is_dir()),
        key=lambda p: p.stat().st_mtime,
    )
    if not found:
        raise InputError(
            f"--resume: no unfinished results directory for {name!r} here; give its directory with --out",
            path=str(root),
        )
    return found[-1]


def environment_versions() -> dict[str, str]:
    """Python, platform and dependency versions, for the manifest."""
    out = {"python": sys.version.split()[0], "platform": platform.platform()}
    for name in DEPENDENCIES:
        try:
            out[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            out[name] = "not installed"
    return out


def git_revision() -> str | None:
    """The git commit of the package's source tree (with ``-dirty`` if changed), if any."""
    here = Path(__file__).resolve().parent
    try:
        rev = subprocess.run(
            ["git", "rev-parse", "HEAD"], cwd=here, capture_output=True, text=True, timeout=5, check=True
        ).stdout.strip()
        dirty = subprocess.run(
            ["git", "status", "--porcelain", "--untracked-files=no"],
            cwd=here,
            capture_output=True,
            text=True,
            timeout=5,
            check=True,
        ).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return None
    return rev + ("-dirty" if dirty else "")


def sha256_file(path: Path) -> str:
    """Hex SHA-256 of the file at ``path``."""
    return hashlib.sha256(path.read_bytes()).hexdigest()


def json_text(data: Any) -> str:
    """Stable, readable JSON (sorted keys are not used: field order is meaningful)."""
    return json.dumps(data, indent=2, ensure_ascii=False) + "\n"
