"""The Python API (``sim.api``): the same results directory as the command line, typed tables, figures, errors."""

from __future__ import annotations

import importlib
import json
import tomllib
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
import yaml
from matplotlib.figure import Figure

import sim
from sim import api
from sim.errors import InputError
from tests.conftest import REPO, CliResult, line_of, stop_after_first_chunk

SMALL = REPO / "scenarios" / "corridor-small.yaml"
VOLATILE = {"command", "started_utc", "finished_utc", "sessions"}  # when and how it was called, not what it found


@pytest.fixture(scope="module")
def api_run(tmp_path_factory: pytest.TempPathFactory) -> api.Results:
    """The small scenario, 3 replications, through the API (in-process)."""
    out = tmp_path_factory.mktemp("api") / "run"
    return api.run(str(SMALL), replications=3, workers=1, out=out, progress="none")


def _files(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def test_the_api_writes_the_directory_the_command_line_writes(
    api_run: api.Results, tmp_path: Path, cli: Callable[..., CliResult]
) -> None:
    result = cli("run", SMALL, "-n", "3", "--workers", "1", "--out", tmp_path / "cli", "-q")
    assert result.code == 0, result.err
    mine, theirs = _files(api_run.path), _files(tmp_path / "cli")
    assert sorted(mine) == sorted(theirs)
    for name in mine:
        if name == "manifest.json":
            a, b = (json.loads(d[name]) for d in (mine, theirs))
            assert {k: v for k, v in a.items() if k not in VOLATILE} == {
                k: v for k, v in b.items() if k not in VOLATILE
            }
        else:
            assert mine[name] == theirs[name], name


def test_results_open_takes_str_and_path(api_run: api.Results) -> None:
    by_str, by_path = api.Results.open(str(api_run.path)), api.Results.open(Path(api_run.path))
    pd.testing.assert_frame_equal(by_str.replications, by_path.replications)
    assert by_str.kind == by_path.kind == "run"
    from sim.experiment.compare import read_replications

    table, _ = read_replications(str(api_run.path))  # str as well as Path (used to raise TypeError)
    assert table.policies == api_run.policies


def test_tables_have_typed_columns_and_one_row_per_line(api_run: api.Results) -> None:
    reps, enc, summ = api_run.replications, api_run.encounters, api_run.summary
    assert reps["policy"].dtype == "string" and reps["replication"].dtype == "int64"
    assert reps["encounters_los"].dtype.kind in "if" and reps["red_delay_min"].dtype == "float64"
    assert len(reps) == 3 * len(api_run.policies)
    lines = (api_run.path / "encounters.csv").read_text().count("\n") - 1
    assert len(enc) == lines and enc["t_cpa"].dtype == "float64" and enc["level"].dtype == "string"
    assert summ["n"].dtype == "int64" and summ["mean"].dtype == "float64" and summ["diff_mean"].dtype == "float64"
    assert set(summ["policy"]) == set(api_run.policies)


def test_comparison_against_another_reference(api_run: api.Results) -> None:
    first = api_run.comparison()
    summary = api_run.summary
    pd.testing.assert_series_equal(first["mean"], summary["mean"], check_names=False)
    other = api_run.comparison(reference="hotline")
    assert set(other["reference"]) == {"hotline"}
    own = other[other["policy"] == "hotline"]
    assert own["diff_mean"].isna().all() and other[other["policy"] != "hotline"]["diff_mean"].notna().all()
    with pytest.raises(InputError, match="unknown policy 'nope'"):
        api_run.comparison(reference="nope")


def test_every_figure_is_a_figure(api_run: api.Results) -> None:
    names = api_run.figure_names
    assert names[:5] == ["encounter_rates", "paired_differences", "tradeoff", "map", "timeline"]
    assert isinstance(api_run.encounter_rates_figure(), Figure)
    assert all(isinstance(fig, Figure) for fig in api_run.figures().values())
    with pytest.raises(InputError, match="no figure 'pie'"):
        api_run.figure("pie")


def test_all_names_are_importable_and_documented() -> None:
    for name in api.__all__:
        assert hasattr(api, name), name
    assert {"run", "sweep", "sensitivity", "detect", "load_scenario", "Results", "InputError"} <= set(api.__all__)
    assert sim.__all__ == ["__version__", "api"] and sim.api is importlib.import_module("sim.api")
    version = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]["version"]
    assert api.__version__ == sim.__version__ == version
    with pytest.raises(AttributeError):
        sim.nothing  # noqa: B018


def test_a_bad_scenario_file_raises_input_error_with_file_field_and_line(
    baseline: dict[str, Any], write_yaml: Callable[..., Path], tmp_path: Path
) -> None:
    baseline["sides"]["russia"]["sorties_per_day"] = -3
    path = write_yaml(baseline)
    line = line_of(path.read_text(), "sides", "russia", "sorties_per_day")
    with pytest.raises(InputError) as caught:
        api.run(path, replications=1, workers=1, out=tmp_path / "never", progress="none")
    text = str(caught.value)
    assert str(path) in text and "sides.russia.sorties_per_day" in text and f"line {line}" in text
    assert not (tmp_path / "never").exists()


def test_a_scenario_as_a_dict_runs_and_names_dict_in_errors(tmp_path: Path) -> None:
    data = yaml.safe_load(SMALL.read_text())
    data["sectors_file"] = str(SMALL.parent / data["sectors_file"])
    results = api.run(data, replications=1, workers=1, out=tmp_path / "d", progress="none", policies=["no-notice"])
    assert results.policies == ["no-notice"] and len(results.replications) == 1
    data["horizon_h"] = "long"
    with pytest.raises(InputError, match=r"(?s)<dict>.*horizon_h: Input should be a valid number"):
        api.load_scenario(data)
    with pytest.raises(InputError, match="expected a scenario file path or a dict"):
        api.load_scenario(42)  # type: ignore[arg-type]


def test_bad_counts_name_the_keyword(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="chunk_size must be at least 1"):
        api.run(SMALL, chunk_size=0, out=tmp_path / "x")
    with pytest.raises(InputError, match="progress: expected one of"):
        api.run(SMALL, progress="fancy", out=tmp_path / "x")


def test_ctrl_c_leaves_a_run_that_the_same_call_resumes(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    out = tmp_path / "cut"
    with stop_after_first_chunk(monkeypatch), pytest.raises(api.RunInterrupted) as caught:
        api.run(SMALL, replications=3, workers=1, chunk_size=1, out=out, progress="none")
    assert caught.value.path == out and (out / ".partial").is_dir() and "resume=True" in str(caught.value)
    assert isinstance(caught.value, KeyboardInterrupt)
    done = api.run(SMALL, workers=1, out=out, resume=True, progress="none")
    assert len(done.replications) == 3 * len(done.policies) and not (out / ".partial").exists()


def test_sweep_with_a_dict_of_values(tmp_path: Path) -> None:
    results = api.sweep(
        SMALL,
        {"policies.hotline.latency_min": [2, 10]},
        replications=1,
        workers=1,
        policies=["no-notice", "hotline"],
        out=tmp_path / "sw",
        progress="none",
    )
    assert results.kind == "sweep"
    assert results.points["policies.hotline.latency_min"].tolist() == [2, 10]
    assert results.points["point"].dtype == "int64"
    assert set(results.summary["point"]) == {0, 1} and results.replications["point"].tolist() == [0, 0, 1, 1]
    assert results.figure_names == ["sweep_policies_hotline_latency_min"]
    assert isinstance(results.sweep_figure("policies.hotline.latency_min"), Figure)
    with pytest.raises(InputError, match="this is a sweep directory"):
        results.airborne  # noqa: B018


TRACKS = """flight,side,t,x,y,z
a1,red,0,-5000,0,3000
a1,red,100,5000,0,3000
b1,blue,0,0,-5000,3010
b1,blue,100,0,5000,3010
"""


def test_detect_returns_the_rows_the_command_line_writes(tmp_path: Path, cli: Callable[..., CliResult]) -> None:
    tracks = tmp_path / "tracks.csv"
    tracks.write_text(TRACKS, encoding="utf-8")
    found = api.detect(str(tracks), horizontal_ft=500, vertical_ft=100, output=tmp_path / "api.csv")
    assert len(found) == 1 and found["t_cpa"].dtype == "float64" and found["flight_a"].iloc[0] == "b1"
    assert found["t_cpa"].iloc[0] == pytest.approx(50.0)
    assert cli("detect", tracks, "--horizontal-ft", "500", "--vertical-ft", "100", "-o", tmp_path / "cli.csv").code == 0
    assert (tmp_path / "api.csv").read_bytes() == (tmp_path / "cli.csv").read_bytes()
    risk = api.detect(tracks, horizontal_ft=500, vertical_ft=100, lateral_sd_ft=300, vertical_sd_ft=80)
    assert 0 < risk["p_encounter"].iloc[0] < 1 and risk.attrs["totals"]["pairs"] == 1
    with pytest.raises(InputError, match="give exactly one of horizontal_nm or horizontal_ft"):
        api.detect(tracks, vertical_ft=100)


def test_opening_what_is_not_a_finished_run_is_an_input_error(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="not a directory"):
        api.Results.open(tmp_path / "none")
    with pytest.raises(InputError, match="no manifest.json"):
        api.Results.open(tmp_path)
    (tmp_path / "manifest.json").write_text("{}")
    (tmp_path / "replications.csv").write_text("policy,policy_kind,replication,seed,x\np,none,0,1,oops\n")
    with pytest.raises(InputError, match=r"replications.csv: line 2: column x: expected a number, found 'oops'"):
        api.Results.open(tmp_path).replications  # noqa: B018


def test_sensitivity_from_a_dict_gives_typed_indices_figures_and_a_report(tmp_path: Path) -> None:
    spec = {
        "sensitivity": {
            "scenario": str(SMALL),
            "method": "morris",
            "vary": {"sides.red.sorties_per_day": {"low": 30, "high": 90}},
            "outputs": ["encounters_los"],
            "policies": ["no-notice", "notice-30"],
            "replications": 1,
            "trajectories": 2,
            "resamples": 100,
        }
    }
    results = api.sensitivity(spec, workers=1, out=tmp_path / "s", progress="none", report=True)
    assert results.kind == "sensitivity"
    assert set(results.indices["index"]) == {"mu_star", "sigma"} and results.indices["value"].dtype == "float64"
    assert results.figure_names == ["morris_encounters_los"] and isinstance(
        results.figure("morris_encounters_los"), Figure
    )
    assert (results.path / "figures" / "morris_encounters_los.png").is_file()
    assert "sensitivity analysis report" in (results.path / "report.html").read_text(encoding="utf-8")
    with pytest.raises(InputError, match="this is a sensitivity directory"):
        results.summary  # noqa: B018
