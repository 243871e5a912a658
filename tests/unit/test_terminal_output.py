"""What the terminal shows: 100 columns at most, ``--metrics`` to choose what is printed,
numbers near zero with significant figures, the horizon's unit said, plurals right."""

from __future__ import annotations

import math
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from sim.experiment.report import paired_cells
from sim.experiment.tables import fit_table, format_estimate, plural
from tests.conftest import REPO

REFERENCE = REPO / "results" / "reference" / "syria-2015-10"
CORRIDOR = REPO / "scenarios" / "corridor-small.yaml"


def _widest(text: str) -> int:
    return max(len(line) for line in text.splitlines())


def test_compare_on_the_reference_fits_in_100_columns(cli: Callable[..., Any]) -> None:
    result = cli("compare", REFERENCE)
    assert result.code == 0, result.err
    assert _widest(result.out) <= 100
    # the per-side detail is split, not cut: its last column comes in a second block
    detail = result.out.split("Cost of deconfliction to russia in detail", 1)[1].split("\nCost of", 1)[0]
    blocks = detail.strip().split("\n\n")
    assert [b.splitlines()[0].split()[0] for b in blocks] == ["per", "policy"]  # heading + first block, second
    assert blocks[1].splitlines()[0].split() == ["policy", "unresolved"]
    assert [line.split()[0] for line in blocks[1].splitlines()[2:]] == [
        "no-notice",
        "one-hour-notice",
        "shared-schedule",
        "hotline",
    ]


@pytest.mark.parametrize("scenario", sorted((REPO / "scenarios").glob("*.yaml")), ids=lambda p: p.stem)
def test_validate_fits_in_100_columns(scenario: Path, cli: Callable[..., Any]) -> None:
    result = cli("validate", scenario)
    assert result.code == 0, result.err
    assert _widest(result.out.replace(str(REPO), "")) <= 100  # the sectors file's path aside


def test_metrics_selects_the_sections_and_the_paired_rows_follow(cli: Callable[..., Any]) -> None:
    result = cli("compare", REFERENCE, "--metrics", "encounters")
    assert result.code == 0, result.err
    assert "Encounters per day" in result.out
    for absent in ("Cost of deconfliction", "Tactical layer", "Collision risk", "value lost", "delay min"):
        assert absent not in result.out, absent
    block = result.out.split("\nhotline - no-notice:\n", 1)[1].splitlines()
    assert [line.split("  ")[0] for line in block[2:4]] == ["encounters los", "encounters proximity-20nm"]
    assert block[4] == "the same in every replication: encounters nmac"

    result = cli("compare", REFERENCE, "--metrics", "risk,value")
    assert result.code == 0, result.err
    assert "Collision risk per day" in result.out and "mission value lost" in result.out
    assert "Encounters per day" not in result.out and "in detail" not in result.out


def test_an_unknown_metrics_section_is_an_input_error(cli: Callable[..., Any]) -> None:
    result = cli("compare", REFERENCE, "--metrics", "encounters,riks")
    assert result.code == 2
    assert result.err == (
        "error: --metrics: unknown section 'riks'; did you mean `risk`? "
        "choose from encounters, value, cost, tactical, risk or all\n"
    )
    assert result.out == ""


def test_one_replication_is_singular_and_a_short_horizon_says_so(cli: Callable[..., Any], tmp_path: Path) -> None:
    out = tmp_path / "one"
    args = ("run", CORRIDOR, "-n", "1", "--policy", "no-notice", "--policy", "notice-30", "-q", "-j", "1")
    result = cli(*args, "--out", out, "--metrics", "encounters")
    assert result.code == 0, result.err
    lines = result.out.splitlines()
    assert lines[0].startswith("corridor-small: 1 replication x 2 policies, seed 7, ")
    assert "The horizon is 4 h, shorter than a day: counts are per horizon, not scaled to a day." in lines
    assert "Encounters per 4 h horizon, mean ±95 % CI half-width over 1 replication per policy:" in lines
    assert "per day" not in result.out
    validated = cli("validate", CORRIDOR).out
    assert "  side red: 1 fleet, 60 sorties/day; 10 in 4 h" in validated.splitlines()


def test_fit_table_splits_columns_into_blocks_that_repeat_the_first() -> None:
    rows = [["policy", *(f"column {i}" for i in range(12))]]
    rows += [[name, *(f"{i}.5 ±0.25" for i in range(12))] for name in ("a-long-policy-name", "b")]
    text = fit_table(rows, width=60)
    blocks = text.split("\n\n")
    assert len(blocks) > 1 and _widest(text) <= 60
    for block in blocks:
        lines = block.splitlines()
        assert [line.split()[0] for line in lines if not line.startswith("-")] == ["policy", "a-long-policy-name", "b"]
    headers = [h for block in blocks for h in block.splitlines()[0].split("  ")[1:] if h.strip()]
    assert [h.strip() for h in headers] == [f"column {i}" for i in range(12)]  # every column once, in order


@pytest.mark.parametrize(
    ("mean", "low", "high", "text"),
    [
        (0.035, 0.008096, 0.061904, "0.035 ±0.027"),  # a rare event: two significant figures, not "0.0 ±0.0"
        (0.0, 0.0, 0.0, "0"),  # nothing in any replication
        (2928.29, 2909.35, 2947.24, "2928 ±19"),
        (28.037, 26.18, 29.89, "28.0 ±1.9"),
        (2.5, 2.5, 2.5, "2.5 ±0"),  # the same in every replication
        (12.0, math.nan, math.nan, "12.0"),  # one replication: no interval
    ],
)
def test_estimates_print_with_significant_figures(mean: float, low: float, high: float, text: str) -> None:
    assert format_estimate(mean, low, high) == text


def test_a_relative_change_whose_interval_crosses_zero_is_not_printed() -> None:
    crossing = {"diff_mean": -0.022, "diff_ci95_low": -0.045, "diff_ci95_high": 0.001, "rel_change": -0.63}
    assert paired_cells(crossing) == ("-0.022", "[-0.045, +0.001]", "-")
    # excluded from the interval, it is printed; with the paired ratio's interval, with that
    clear = {"diff_mean": -0.035, "diff_ci95_low": -0.062, "diff_ci95_high": -0.008, "rel_change": -1.0}
    assert paired_cells(clear) == ("-0.035", "[-0.062, -0.008]", "-100 %")
    with_ratio = {
        "diff_mean": -25.95,
        "diff_ci95_low": -27.79,
        "diff_ci95_high": -24.11,
        "rel_change": -0.9256,
        "ratio_ci95_low": 0.0639,
        "ratio_ci95_high": 0.0867,
    }
    assert paired_cells(with_ratio) == ("-25.9", "[-27.8, -24.1]", "-93 % [-94, -91]")


def test_plural() -> None:
    assert plural(1, "replication") == "1 replication"
    assert plural(1000, "replication") == "1,000 replications"
    assert plural(2, "policy", "policies") == "2 policies"
