"""Tracks to try ``detect`` on: ``run --save-tracks``, the shipped example, several levels in
one ``detect`` call, any two side labels and a clear error for one side."""

from __future__ import annotations

import csv
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import REPO

CORRIDOR = REPO / "scenarios" / "corridor-small.yaml"
EXAMPLE = REPO / "scenarios" / "tracks" / "corridor-small-no-notice-000.csv"
POLICIES = ["no-notice", "notice-30"]


def _rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


@pytest.fixture(scope="module")
def saved(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from sim.cli import main

    out = tmp_path_factory.mktemp("tracks") / "run"
    args = ["run", str(CORRIDOR), "-n", "3", "--save-tracks", "0,2", "-q", "-j", "1", "--out", str(out)]
    for p in POLICIES:
        args += ["--policy", p]
    assert main(args) == 0
    return out


def test_save_tracks_writes_the_chosen_replications_of_every_policy(saved: Path) -> None:
    names = sorted(p.name for p in (saved / "tracks").iterdir())
    assert names == [f"{p}-{r:03d}.csv" for p in sorted(POLICIES) for r in (0, 2)]
    assert (saved / "tracks" / "no-notice-000.csv").read_text(encoding="utf-8").startswith("flight,side,t,x,y,z\n")


@pytest.mark.parametrize("policy", POLICIES)
@pytest.mark.parametrize("replication", [0, 2])
def test_detect_on_saved_tracks_counts_what_the_run_counted(
    saved: Path, policy: str, replication: int, cli: Callable[..., Any], tmp_path: Path
) -> None:
    out = tmp_path / "levels.csv"
    result = cli("detect", saved / "tracks" / f"{policy}-{replication:03d}.csv", "--levels-from", CORRIDOR, "-o", out)
    assert result.code == 0, result.err
    (row,) = [
        r for r in _rows(saved / "replications.csv") if (r["policy"], r["replication"]) == (policy, str(replication))
    ]
    printed = {line.split()[0]: int(line.split()[1]) for line in result.out.splitlines()}
    assert printed == {"los": int(row["encounters_los"]), "nmac": int(row["encounters_nmac"])}
    written = _rows(out)
    assert [r["level"] for r in written] == ["los"] * printed["los"] + ["nmac"] * printed["nmac"]


def test_the_shipped_example_is_replication_0_of_no_notice(saved: Path) -> None:
    assert EXAMPLE.read_bytes() == (saved / "tracks" / "no-notice-000.csv").read_bytes()


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("5", "--save-tracks: the run has replications 0-2, found 5"),
        ("zero", "--save-tracks: expected replication numbers like 0,3 or 0-2, found 'zero'"),
        ("2-1", "--save-tracks: expected replications >= 0 in increasing ranges, found '2-1'"),
    ],
)
def test_bad_save_tracks_is_refused_before_running(
    value: str, message: str, cli: Callable[..., Any], tmp_path: Path
) -> None:
    out = tmp_path / "never"
    result = cli("run", CORRIDOR, "-n", "3", "--save-tracks", value, "-q", "-j", "1", "--out", out)
    assert result.code == 2 and result.err == f"error: {message}\n"
    assert not out.exists()


def test_several_levels_in_one_call_equal_one_call_each(cli: Callable[..., Any], tmp_path: Path) -> None:
    out = tmp_path / "three.csv"
    result = cli(
        "detect", EXAMPLE, "--level", "los:5:1000", "--level", "wide:20:5000", "--level", "tight:1:500", "-o", out
    )
    assert result.code == 0, result.err
    counts = {line.split()[0]: int(line.split()[1]) for line in result.out.splitlines()}
    assert list(counts) == ["los", "wide", "tight"] and counts["wide"] > counts["los"] > 0
    rows = _rows(out)
    for name, h_nm, v_ft in (("los", "5", "1000"), ("wide", "20", "5000"), ("tight", "1", "500")):
        single = tmp_path / f"{name}.csv"
        one = cli("detect", EXAMPLE, "--horizontal-nm", h_nm, "--vertical-ft", v_ft, "-o", single)
        assert one.out == f"{counts[name]} encounter{'' if counts[name] == 1 else 's'}\n"
        mine = [{k: v for k, v in r.items() if k != "level"} for r in rows if r["level"] == name]
        assert mine == _rows(single)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--level", "los:5"), "--level 'los:5': expected NAME:H_NM:V_FT, e.g. los:5:1000 (5 NM, 1,000 ft)"),
        (("--level", "los:five:1000"), "--level 'los:five:1000': the horizontal NM must be a number, found 'five'"),
        (("--level", "los:5:0"), "--level 'los:5:0': the vertical ft must be a number > 0, found '0'"),
        (("--level", "a:5:1000", "--level", "a:1:100"), "--level: each level needs its own name, found 'a' twice"),
        (("--level", "a:5:1000", "--vertical-ft", "100"), "give levels (--level or --levels-from) or one separation"),
        (("--level", "a:5:1000", "--lateral-sd-ft", "100"), "the expected count under errors takes one separation"),
        ((), "give exactly one of --horizontal-nm or --horizontal-ft"),
        (("--horizontal-nm", "5"), "give --vertical-ft with the horizontal separation, or levels as --level"),
    ],
)
def test_bad_levels_are_input_errors(args: tuple[str, ...], message: str, cli: Callable[..., Any]) -> None:
    result = cli("detect", EXAMPLE, *args)
    assert result.code == 2
    assert result.err.startswith("error: ") and message in result.err, result.err
    assert "Traceback" not in result.err and result.out == ""


def test_any_two_side_labels_and_a_clear_error_for_one(cli: Callable[..., Any], tmp_path: Path) -> None:
    relabelled = tmp_path / "east-west.csv"
    text = EXAMPLE.read_text(encoding="utf-8")
    relabelled.write_text(text.replace(",red,", ",east,").replace(",blue,", ",west,"), encoding="utf-8")
    same = cli("detect", EXAMPLE, "--horizontal-nm", "5", "--vertical-ft", "1000")
    other = cli("detect", relabelled, "--horizontal-nm", "5", "--vertical-ft", "1000")
    assert other.code == 0 and other.out == same.out
    assert "sides east, west" in other.err

    lonely = tmp_path / "one-side.csv"
    lonely.write_text(text.replace(",blue,", ",red,"), encoding="utf-8")
    result = cli("detect", lonely, "--horizontal-nm", "5", "--vertical-ft", "1000")
    assert result.code == 2
    assert result.err == (
        f"error: {lonely}: column side: expected exactly two sides, found 1 ('red'); encounters are counted "
        "between two sides: label the other side's flights too (any two labels will do)\n"
    )
