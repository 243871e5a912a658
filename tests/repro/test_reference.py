"""The committed reference run of the baseline is what a fresh run gives at its seed.

The reference lives in results/reference/syria-2015-10/ and is regenerated with the
`python scripts/regenerate.py reference`. Only its tables are compared (the manifest holds times and the
figures the git revision).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from sim.cli import main
from tests.conftest import REPO

REFERENCE = REPO / "results" / "reference" / "syria-2015-10"


def test_reference_is_committed_with_figures() -> None:
    for name in ("manifest.json", "summary.csv", "replications.csv", "encounters.csv", "airborne.csv"):
        assert (REFERENCE / name).is_file(), name
        assert (REFERENCE / "no-tactical" / name).is_file(), name
    figures = {p.name for p in (REFERENCE / "figures").glob("*.png")}
    assert {"encounter_rates.png", "paired_differences.png", "tradeoff.png", "map.png", "timeline.png"} <= figures


@pytest.mark.slow
def test_a_fresh_run_reproduces_the_reference(tmp_path: Path) -> None:
    manifest = json.loads((REFERENCE / "manifest.json").read_text())
    argv = ["run", str(REPO / manifest["scenario_file"]), "--out", str(tmp_path / "fresh"), "-q", "--with-no-tactical"]
    argv += ["--seed", str(manifest["seed"]), "--replications", str(manifest["replications"])]
    for policy in manifest["policies"]:
        argv += ["--policy", policy]
    assert main(argv) == 0
    for name in ("summary.csv", "replications.csv", "encounters.csv", "airborne.csv"):
        assert (tmp_path / "fresh" / name).read_bytes() == (REFERENCE / name).read_bytes(), name
        # the same sorties with the tactical layer off, behind the layers figure's first panel
        off = f"no-tactical/{name}"
        assert (tmp_path / "fresh" / off).read_bytes() == (REFERENCE / off).read_bytes(), off
