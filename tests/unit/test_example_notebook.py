"""The example notebook runs top to bottom (nbclient, a fresh kernel) and is committed executed."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import REPO

NOTEBOOK = REPO / "examples" / "baseline.ipynb"


def _code_cells(nb: object) -> list[object]:
    return [c for c in nb.cells if c.cell_type == "code"]  # type: ignore[attr-defined]


def test_the_example_notebook_runs_without_an_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    nbformat = pytest.importorskip("nbformat", reason="nbformat is not installed (pip install -e '.[dev]')")
    nbclient = pytest.importorskip("nbclient", reason="nbclient is not installed (pip install -e '.[dev]')")
    monkeypatch.setenv("DECONFLICT_RESULTS", str(tmp_path))  # the kernel writes its runs here, not into results/
    nb = nbformat.read(NOTEBOOK, as_version=4)
    client = nbclient.NotebookClient(
        nb, timeout=120, kernel_name="python3", resources={"metadata": {"path": str(NOTEBOOK.parent)}}
    )
    client.execute()  # raises CellExecutionError, naming the cell, if any cell fails
    outputs = [o for c in _code_cells(nb) for o in c.outputs]  # type: ignore[attr-defined]
    assert not [o for o in outputs if o.output_type == "error"]
    assert sum("image/png" in o.get("data", {}) for o in outputs) == 3  # two figures of the run, one of the sweep
    runs = sorted(p.name for p in tmp_path.iterdir())
    assert len(runs) == 2 and sum("-sweep-" in name for name in runs) == 1  # one run, one sweep
    assert len(list(tmp_path.glob("*/report.html"))) == 1


def test_the_committed_notebook_is_executed_without_errors() -> None:
    nbformat = pytest.importorskip("nbformat", reason="nbformat is not installed (pip install -e '.[dev]')")
    nb = nbformat.read(NOTEBOOK, as_version=4)
    cells = _code_cells(nb)
    assert cells and all(c.execution_count is not None and c.outputs for c in cells)  # type: ignore[attr-defined]
    assert not [o for c in cells for o in c.outputs if o.output_type == "error"]  # type: ignore[attr-defined]
    assert NOTEBOOK.stat().st_size < 600_000
