"""The package's imports run one way: stage folders are layers, and no modules import each other.

The layers are declared once, in ``pyproject.toml`` (``[tool.importlinter]``); these tests run
``lint-imports`` on the package, break the contract on purpose in a copy to show the check
has teeth, and check that the module import graph has no cycle at all.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import grimp
import pytest

REPO = Path(__file__).resolve().parents[2]
LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")


def _lint(cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(cwd)}  # the copy's sim/ comes before any installed one
    return subprocess.run(
        [str(LINT_IMPORTS), "--config", str(cwd / "pyproject.toml"), "--no-cache"],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.fixture
def package_copy(tmp_path: Path) -> Path:
    """A copy of ``sim/`` and ``pyproject.toml`` in a fresh folder, safe to break."""
    shutil.copytree(REPO / "sim", tmp_path / "sim", ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(REPO / "pyproject.toml", tmp_path / "pyproject.toml")
    return tmp_path


def test_layers_contract_is_kept(package_copy: Path) -> None:
    result = _lint(package_copy)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "1 kept, 0 broken" in result.stdout


@pytest.mark.parametrize(
    ("importer", "imported"),
    [
        ("sim/scenario/rules.py", "sim.model.rules"),  # a specification reaching for behaviour
        ("sim/experiment/sweeprun.py", "sim.plots.figures"),  # --plot wired below the command line
        ("sim/detect/encounters.py", "sim.model.day"),  # the hot loop reaching up into the model
    ],
)
def test_layers_contract_fails_when_a_lower_stage_imports_a_higher_one(
    package_copy: Path, importer: str, imported: str
) -> None:
    path = package_copy / importer
    path.write_text(path.read_text(encoding="utf-8") + f"\nimport {imported}  # noqa\n", encoding="utf-8")
    result = _lint(package_copy)
    assert result.returncode != 0
    assert "1 broken" in result.stdout
    module = importer.removesuffix(".py").replace("/", ".")
    assert f"{module} -> {imported}" in result.stdout


def test_no_two_modules_import_each_other() -> None:
    """The import graph is acyclic: no module reaches itself through any chain of imports.

    TYPE_CHECKING imports count too: a cycle hidden from the interpreter is still one for
    the reader.
    """
    graph = grimp.build_graph("sim", cache_dir=None)
    cycles = []
    for module in sorted(graph.modules):
        for imported in graph.find_modules_directly_imported_by(module):
            if imported != "sim" and graph.chain_exists(imported, module):
                cycles.append(graph.find_shortest_chain(imported, module) + (imported,))
    assert not cycles, f"import cycles: {cycles}"


def test_every_stage_says_what_it_owns_and_may_import() -> None:
    import importlib

    for stage in ("scenario", "model", "detect", "experiment", "plots"):
        doc = importlib.import_module(f"sim.{stage}").__doc__ or ""
        assert "May import" in doc, f"sim.{stage}.__init__ docstring lacks its 'May import' line"
