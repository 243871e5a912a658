"""Rough edges a new user met: the tempo `validate` prints, output to a closed pipe, one rule
for output folders, and the closest valid name for a misspelt key."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import yaml

from tests.conftest import REPO

BASELINE = REPO / "scenarios" / "syria-2015-10.yaml"
REFERENCE = REPO / "results" / "reference" / "syria-2015-10"


def test_validate_counts_the_fleets_own_tempo(cli: Callable[..., Any]) -> None:
    result = cli("validate", BASELINE)
    assert result.code == 0, result.err
    data = yaml.safe_load(BASELINE.read_text(encoding="utf-8"))
    coalition = data["sides"]["coalition"]
    own = sum(f.get("sorties_per_day", 0) for f in coalition["fleets"].values() if "share" not in f)
    total = coalition["sorties_per_day"] + own
    assert own > 0  # the drone orbits fly a tempo of their own
    assert f"{total:g} sorties/day: {coalition['sorties_per_day']:g} shared by its fleets + {own:g}" in result.out


def test_compare_to_a_closed_pipe_still_writes_its_json(tmp_path: Path) -> None:
    target = tmp_path / "cmp.json"
    command = f'"{sys.executable}" -m sim compare "{REFERENCE}" --json "{target}" | head -2'
    done = subprocess.run(command, shell=True, capture_output=True, text=True, cwd=tmp_path, timeout=300)
    assert done.returncode == 0
    assert len(done.stdout.splitlines()) == 2
    assert "Traceback" not in done.stderr and "BrokenPipe" not in done.stderr, done.stderr
    assert json.loads(target.read_text(encoding="utf-8"))["policies"]


def test_one_rule_for_output_files_whose_folder_is_missing(cli: Callable[..., Any], tmp_path: Path) -> None:
    missing = tmp_path / "no" / "such" / "schema.json"
    result = cli("schema", "-o", missing)
    assert result.code == 2 and "directory does not exist" in result.err
    assert not (tmp_path / "no").exists()  # nothing created
    tracks = tmp_path / "t.csv"
    tracks.write_text("flight,side,t,x,y,z\na,red,0,0,0,0\na,red,10,100,0,0\nb,blue,0,0,50,0\nb,blue,10,100,50,0\n")
    result = cli("detect", tracks, "--horizontal-ft", "500", "--vertical-ft", "100", "-o", tmp_path / "no" / "x.csv")
    assert result.code == 2 and not (tmp_path / "no").exists()
    result = cli("compare", REFERENCE, "--json", tmp_path / "no" / "c.json")
    assert result.code == 2 and not (tmp_path / "no").exists()


def test_a_misspelt_key_gets_the_closest_valid_name(cli: Callable[..., Any], tmp_path: Path) -> None:
    data = yaml.safe_load(BASELINE.read_text(encoding="utf-8"))
    data["sides"]["russia"]["launch_jiter_min"] = data["sides"]["russia"].pop("launch_jitter_min")
    data["sides"]["coalition"]["fleets"]["f16c"]["cruise_kts"] = data["sides"]["coalition"]["fleets"]["f16c"].pop(
        "cruise_kt"
    )
    data["policies"]["one-hour-notice"]["lead_mins"] = data["policies"]["one-hour-notice"].pop("lead_min")
    data["replicatoins"] = 3
    path = tmp_path / "typos.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    result = cli("validate", path)
    assert result.code == 2
    assert "sides.russia.launch_jiter_min: unknown field: did you mean `launch_jitter_min`?" in result.err
    assert "cruise_kts: unknown field: did you mean `cruise_kt`?" in result.err
    assert "policies.one-hour-notice.lead_mins: unknown field: did you mean `lead_min`?" in result.err
    assert "replicatoins: unknown field: did you mean `replications`?" in result.err
    assert "Traceback" not in result.err
