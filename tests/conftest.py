"""Shared fixtures: the baseline scenario as data, a writer for edited copies, an in-process CLI."""

from __future__ import annotations

import contextlib
import copy
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import yaml

REPO = Path(__file__).resolve().parent.parent
BASELINE = REPO / "scenarios" / "syria-2015-10.yaml"
_BASELINE_DATA = yaml.safe_load(BASELINE.read_text(encoding="utf-8"))


def without_areas(data: dict[str, Any]) -> dict[str, Any]:
    """``data`` (a scenario as data) with its work areas gone, each weight moved to the first
    governorate the area lies in: for tests that give the scenario sectors of their own."""
    areas = data.pop("areas", None) or {}
    if not areas:
        return data
    from sim.scenario.load import load_scenario

    covers = {name: load_scenario(BASELINE).sectors.cover(name).split("+")[0] for name in areas}

    def moved(weights: dict[str, float]) -> dict[str, float]:
        out: dict[str, float] = {}
        for name, w in weights.items():
            key = covers.get(name, name)
            out[key] = out.get(key, 0.0) + w
        return out

    for side in data["sides"].values():
        side["sector_weights"] = moved(side["sector_weights"])
        for fleet in side["fleets"].values():
            if fleet.get("sector_weights"):
                fleet["sector_weights"] = moved(fleet["sector_weights"])
    return data


@pytest.fixture
def baseline() -> dict[str, Any]:
    """A fresh deep copy of the baseline scenario (syria-2015-10) as plain data, to edit."""
    return copy.deepcopy(_BASELINE_DATA)


@pytest.fixture
def write_yaml(tmp_path: Path) -> Callable[[Any, str], Path]:
    """Write ``data`` (dumped with yaml.safe_dump, key order kept) or literal text to tmp_path."""

    def write(data: Any, name: str = "scenario.yaml") -> Path:
        path = tmp_path / name
        text = data if isinstance(data, str) else yaml.safe_dump(data, sort_keys=False)
        path.write_text(text, encoding="utf-8")
        return path

    return write


def line_of(text: str, *keys: str) -> int:
    """1-based line of the block-style key path ``keys`` in YAML ``text``, found by plain search.

    Independent of the loader under test: each key is the next line, after the previous
    key's line, that starts with ``key:`` one level deeper than the previous key if there is
    one, else the next such line at any depth (a key inside a list item).
    """
    lines = text.splitlines()
    at, depth = -1, -1

    def indent(line: str) -> int:
        return len(line) - len(line.lstrip(" -"))

    for key in keys:
        pattern = re.compile(rf"^\s*(?:- )?{re.escape(key)}:")
        child = next(
            (indent(lines[i]) for i in range(at + 1, len(lines)) if lines[i].strip() and indent(lines[i]) > depth),
            depth + 1,
        )
        found = [i for i in range(at + 1, len(lines)) if pattern.match(lines[i])]
        same = [i for i in found if indent(lines[i]) == child]  # the key at this level, else the next one
        at = same[0] if same else found[0]
        depth = indent(lines[at])
    return at + 1


@dataclass
class CliResult:
    code: int
    out: str
    err: str


@pytest.fixture
def cli(capsys: pytest.CaptureFixture[str]) -> Callable[..., CliResult]:
    """Run ``sim.cli.main(argv)`` in-process; return the exit code, stdout and stderr."""
    from sim.cli import main

    def run(*argv: str | Path) -> CliResult:
        capsys.readouterr()
        code = main([str(a) for a in argv])
        captured = capsys.readouterr()
        return CliResult(code, captured.out, captured.err)

    return run


@contextlib.contextmanager
def stop_after_first_chunk(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Within this block, a run raises ``KeyboardInterrupt`` (as Ctrl-C does) right after saving its first chunk."""
    import sim.experiment.runner

    real = sim.experiment.runner.execute

    def execute(jobs, chunks, on_result, **kwargs):  # type: ignore[no-untyped-def]
        def first_then_stop(result):  # type: ignore[no-untyped-def]
            on_result(result)
            raise KeyboardInterrupt

        return real(jobs, chunks, first_then_stop, **kwargs)

    with monkeypatch.context() as m:
        m.setattr(sim.experiment.runner, "execute", execute)
        yield
