"""A real install works: the wheel carries its data, and the command runs from anywhere.

Builds the wheel from this checkout, installs it (no ``-e``) into a fresh virtual
environment outside the checkout, and runs ``deconflict validate`` and a short ``run`` of
the baseline from another directory. This catches data files that only exist in the
checkout and paths resolved relative to the source tree.

To keep the default run short, the fresh venv borrows the test environment's installed
dependencies through a ``.pth`` line (the wheel itself goes in with ``--no-deps``; the
test environment's editable ``sim`` is not visible that way, which the first test
checks). ``DECONFLICT_WHEEL_FULL=1`` installs the wheel with its dependencies from the
package index instead, as a user would (about a minute more).
"""

from __future__ import annotations

import json
import os
import shutil
import site
import subprocess
import sys
import sysconfig
import venv
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
BASELINE = REPO / "scenarios" / "syria-2015-10.yaml"

pytestmark = pytest.mark.slow


def _run(cmd: list[str], cwd: Path, timeout: float = 600) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}
    result = subprocess.run(cmd, cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout)
    assert result.returncode == 0, f"{' '.join(cmd)} failed ({result.returncode}):\n{result.stdout}\n{result.stderr}"
    return result


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The ``bin/`` folder of a fresh venv holding the wheel built from this checkout."""
    root = tmp_path_factory.mktemp("wheel")
    # built from a copy of what the wheel is made of: setuptools leaves build/ in the source
    # folder and would reuse stale modules from it in later builds
    source = root / "source"
    shutil.copytree(REPO / "sim", source / "sim", ignore=shutil.ignore_patterns("__pycache__"))
    for name in ("pyproject.toml", "README.md"):
        shutil.copy(REPO / name, source / name)
    dist = root / "dist"
    _run([sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(dist), str(source)], cwd=root)
    (wheel,) = dist.glob("deconflict-*.whl")
    venv.create(root / "venv", with_pip=True)
    bin_dir = root / "venv" / "bin"
    if os.environ.get("DECONFLICT_WHEEL_FULL"):
        _run([str(bin_dir / "python"), "-m", "pip", "install", "-q", str(wheel)], cwd=root)
        return bin_dir
    fresh_site = _run(
        [str(bin_dir / "python"), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"], cwd=root
    ).stdout.strip()
    borrowed = [sysconfig.get_paths()["purelib"], *site.getsitepackages()]
    Path(fresh_site, "borrowed_dependencies.pth").write_text("\n".join(dict.fromkeys(borrowed)) + "\n")
    _run([str(bin_dir / "python"), "-m", "pip", "install", "-q", "--no-deps", str(wheel)], cwd=root)
    return bin_dir


def test_wheel_installs_outside_the_checkout(installed: Path, tmp_path: Path) -> None:
    where = _run([str(installed / "python"), "-c", "import sim; print(sim.__file__)"], cwd=tmp_path).stdout.strip()
    assert "site-packages" in where and not Path(where).is_relative_to(REPO)


def test_installed_validate_reads_the_bundled_sectors(installed: Path, tmp_path: Path) -> None:
    out = _run([str(installed / "deconflict"), "validate", str(BASELINE)], cwd=tmp_path).stdout
    assert f"{BASELINE}: ok" in out
    assert "sectors: 14 from" in out


def test_installed_short_run_of_the_baseline(installed: Path, tmp_path: Path) -> None:
    out_dir = tmp_path / "out"
    cmd = [str(installed / "deconflict"), "run", str(BASELINE), "-n", "2", "-j", "1", "-q", "--out", str(out_dir)]
    _run(cmd, cwd=tmp_path)
    for name in ("manifest.json", "replications.csv", "encounters.csv", "summary.csv", "comparison.json"):
        assert (out_dir / name).is_file(), name
    manifest = json.loads((out_dir / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["replications"] == 2
    # the figures are drawn from the installed package's outlines too
    _run([str(installed / "deconflict"), "plot", str(out_dir)], cwd=tmp_path)
    assert (out_dir / "figures" / "map.png").is_file()
