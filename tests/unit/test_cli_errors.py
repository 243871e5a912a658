"""Bad input on every command: exit code 2, one clear message, no traceback, nothing written.

Each scenario case edits the baseline (syria-2015-10) in one place, dumps it to YAML and
checks that the message names the file, the field path, the line of that field (found by
plain text search, not by the loader under test) and what was found.
"""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import BASELINE, REPO, line_of, without_areas

JARGON = (
    "Traceback",
    "function-after",
    "function-before",
    "tagged-union",
    "Input tag",
    "union_tag",
    "discriminator",
    "pydantic",
    "model_attributes",
    "after validation",
    "tuple",
    "instance of",
)


def assert_clean(err: str, path: Path | str) -> None:
    """One ``error: <file>: ...`` message, free of tracebacks and pydantic internals."""
    assert err.startswith(f"error: {path}: "), err
    for word in JARGON:
        assert word not in err, f"{word!r} in message:\n{err}"


def _fleet(side: str, fleet: str) -> Callable[[dict[str, Any]], dict[str, Any]]:
    return lambda d: d["sides"][side]["fleets"][fleet]


def _set(getter: Callable[[dict[str, Any]], Any], key: str, value: Any) -> Callable[..., None]:
    def edit(d: dict[str, Any]) -> None:
        getter(d)[key] = value

    return edit


def _drop(getter: Callable[[dict[str, Any]], Any], key: str) -> Callable[..., None]:
    def edit(d: dict[str, Any]) -> None:
        del getter(d)[key]

    return edit


su24m = _fleet("russia", "su24m")
mq9 = _fleet("coalition", "mq9")


def russia(d: dict[str, Any]) -> dict[str, Any]:
    return d["sides"]["russia"]


def policy(name: str) -> Callable[[dict[str, Any]], dict[str, Any]]:
    return lambda d: d["policies"][name]


def top(d: dict[str, Any]) -> dict[str, Any]:
    return d


def _dupe_level(d: dict[str, Any]) -> None:
    d["levels"][1]["name"] = "los"


def _both_horizontals(d: dict[str, Any]) -> None:
    d["levels"][0]["horizontal_ft"] = 500


def _third_side(d: dict[str, Any]) -> None:
    d["sides"]["france"] = d["sides"]["russia"]


def _one_side(d: dict[str, Any]) -> None:
    del d["sides"]["coalition"]


def tactical(d: dict[str, Any]) -> dict[str, Any]:
    return d["sides"]["coalition"]["tactical"]


def surveillance(d: dict[str, Any]) -> dict[str, Any]:
    return tactical(d)["surveillance"]


def radar(d: dict[str, Any]) -> dict[str, Any]:
    return surveillance(d)["sources"][1]


# (id, edit, field path in the message, keys to find its line, words the message must hold)
SCENARIO_CASES: list[tuple[str, Callable[..., None], str, tuple[str, ...], tuple[str, ...]]] = [
    (
        "unknown-key",
        _set(su24m, "cruise_kts", 450),
        "sides.russia.fleets.su24m.cruise_kts",
        ("sides", "russia", "fleets", "su24m", "cruise_kts"),
        ("unknown field",),
    ),
    ("unknown-top-key", _set(top, "replication", 3), "replication", ("replication",), ("unknown field",)),
    (
        "tactical-unknown-key",
        _set(tactical, "standoff_km", 37),
        "sides.coalition.tactical.standoff_km",
        ("sides", "coalition", "tactical", "standoff_km"),
        ("unknown field",),
    ),
    (
        "tactical-negative-range",
        _set(radar, "range_nm", -40),
        "sides.coalition.tactical.surveillance.sources[1].range_nm",
        ("sides", "coalition", "tactical", "surveillance", "fleets", "range_nm"),
        ("greater than 0", "found -40"),
    ),
    (
        "tactical-perfect-with-sources",
        _set(surveillance, "perfect", True),
        "sides.coalition.tactical.surveillance",
        ("sides", "coalition", "tactical", "surveillance"),
        ("perfect surveillance sees everything at once",),
    ),
    (
        "missing-field",
        _drop(su24m, "cruise_kt"),
        "sides.russia.fleets.su24m.cruise_kt",
        ("sides", "russia", "fleets", "su24m"),
        ("required",),
    ),
    (
        "wrong-type",
        _set(su24m, "cruise_kt", "fast"),
        "sides.russia.fleets.su24m.cruise_kt",
        ("sides", "russia", "fleets", "su24m", "cruise_kt"),
        ("number", "found 'fast'"),
    ),
    (
        "string-count",
        _set(su24m, "count", "8"),
        "sides.russia.fleets.su24m.count",
        ("sides", "russia", "fleets", "su24m", "count"),
        ("integer", "found '8'"),
    ),
    (
        "bool-speed",
        _set(su24m, "cruise_kt", True),
        "sides.russia.fleets.su24m.cruise_kt",
        ("sides", "russia", "fleets", "su24m", "cruise_kt"),
        ("number", "found true"),
    ),
    (
        "negative-speed",
        _set(su24m, "cruise_kt", -450),
        "sides.russia.fleets.su24m.cruise_kt",
        ("sides", "russia", "fleets", "su24m", "cruise_kt"),
        ("greater than or equal to 20", "found -450"),
    ),
    (
        "zero-speed",
        _set(mq9, "cruise_kt", 0),
        "sides.coalition.fleets.mq9.cruise_kt",
        ("sides", "coalition", "fleets", "mq9", "cruise_kt"),
        ("greater than or equal to 20", "found 0"),
    ),
    (
        "zero-count",
        _set(su24m, "count", 0),
        "sides.russia.fleets.su24m.count",
        ("sides", "russia", "fleets", "su24m", "count"),
        ("greater than or equal to 1", "found 0"),
    ),
    (
        "negative-count",
        _set(mq9, "count", -3),
        "sides.coalition.fleets.mq9.count",
        ("sides", "coalition", "fleets", "mq9", "count"),
        ("greater than or equal to 1", "found -3"),
    ),
    (
        "zero-runways",
        _set(lambda d: russia(d)["bases"]["hmeimim"], "runways", 0),
        "sides.russia.bases.hmeimim.runways",
        ("sides", "russia", "bases", "hmeimim", "runways"),
        ("found 0",),
    ),
    (
        "negative-tempo",
        _set(russia, "sorties_per_day", -40),
        "sides.russia.sorties_per_day",
        ("sides", "russia", "sorties_per_day"),
        ("found -40",),
    ),
    (
        "unknown-sector",
        _set(lambda d: russia(d)["sector_weights"], "Atlantis", 1),
        "sides.russia.sector_weights.Atlantis",
        ("sides", "russia", "sector_weights", "Atlantis"),
        ("unknown sector 'Atlantis'", "Idlib"),
    ),
    (
        "unknown-fleet-sector",
        _set(lambda d: mq9(d)["sector_weights"], "Narnia", 1),
        "sides.coalition.fleets.mq9.sector_weights.Narnia",
        ("sides", "coalition", "fleets", "mq9", "sector_weights", "Narnia"),
        ("unknown sector 'Narnia'",),
    ),
    (
        "unknown-base",
        _set(su24m, "base", "tartus"),
        "sides.russia.fleets.su24m.base",
        ("sides", "russia", "fleets", "su24m", "base"),
        ("unknown base 'tartus'", "hmeimim"),
    ),
    (
        "weights-all-zero",
        _set(russia, "sector_weights", {"Idlib": 0, "Hama": 0}),
        "sides.russia.sector_weights",
        ("sides", "russia", "sector_weights"),
        ("all zero",),
    ),
    (
        "fleet-weights-all-zero",
        _set(mq9, "sector_weights", {"Raqqa": 0}),
        "sides.coalition.fleets.mq9.sector_weights",
        ("sides", "coalition", "fleets", "mq9", "sector_weights"),
        ("all zero",),
    ),
    (
        "weights-empty",
        _set(russia, "sector_weights", {}),
        "sides.russia.sector_weights",
        ("sides", "russia", "sector_weights"),
        ("empty",),
    ),
    (
        "time-profile-all-zero",
        _set(russia, "time_profile", [0] * 24),
        "sides.russia.time_profile",
        ("sides", "russia", "time_profile"),
        ("all zero",),
    ),
    (
        "time-profile-short",
        _set(russia, "time_profile", [1] * 23),
        "sides.russia.time_profile",
        ("sides", "russia", "time_profile"),
        ("at least 24", "found 23"),
    ),
    (
        "no-fleets",
        _set(russia, "fleets", {}),
        "sides.russia.fleets",
        ("sides", "russia", "fleets"),
        ("at least 1", "found 0"),
    ),
    (
        "no-bases",
        _set(russia, "bases", {}),
        "sides.russia.bases",
        ("sides", "russia", "bases"),
        ("at least 1", "found 0"),
    ),
    (
        "fleet-not-mapping",
        _set(lambda d: russia(d)["fleets"], "su24m", 8),
        "sides.russia.fleets.su24m",
        ("sides", "russia", "fleets", "su24m"),
        ("expected a mapping", "found 8"),
    ),
    (
        "actions-not-list",
        _set(lambda d: russia(d)["reaction"], "actions", "delay"),
        "sides.russia.reaction.actions",
        ("sides", "russia", "reaction", "actions"),
        ("expected a list", "found 'delay'"),
    ),
    ("three-sides", _third_side, "sides", ("sides",), ("exactly 2 sides", "found 3")),
    ("one-side", _one_side, "sides", ("sides",), ("exactly 2 sides", "found 1")),
    (
        "unknown-policy-kind",
        _set(policy("hotline"), "kind", "carrier_pigeon"),
        "policies.hotline.kind",
        ("policies", "hotline", "kind"),
        ("unknown policy kind 'carrier_pigeon'", "advance_notice", "shared_schedule"),
    ),
    (
        "missing-policy-kind",
        _drop(policy("hotline"), "kind"),
        "policies.hotline.kind",
        ("policies", "hotline"),
        ("required", "altitude_split"),
    ),
    (
        "policy-unknown-side",
        _set(policy("one-hour-notice"), "to", "france"),
        "policies.one-hour-notice.to",
        ("policies", "one-hour-notice", "to"),
        ("unknown side 'france'", "russia", "coalition"),
    ),
    (
        "policy-unknown-sender",
        _set(policy("hotline"), "senders", ["russia", "mars"]),
        "policies.hotline.senders",
        ("policies", "hotline", "senders"),
        ("unknown side 'mars'",),
    ),
    (
        "policy-same-sides",
        _set(policy("one-hour-notice"), "to", "russia"),
        "policies.one-hour-notice",
        ("policies", "one-hour-notice"),
        ("different sides",),
    ),
    (
        "policy-negative-lead",
        _set(policy("one-hour-notice"), "lead_min", -5),
        "policies.one-hour-notice.lead_min",
        ("policies", "one-hour-notice", "lead_min"),
        ("greater than or equal to 0", "found -5"),
    ),
    (
        "policy-unknown-key",
        _set(policy("hotline"), "latency_s", 600),
        "policies.hotline.latency_s",
        ("policies", "hotline", "latency_s"),
        ("unknown field",),
    ),
    ("levels-repeated", _dupe_level, "levels", ("levels",), ("unique", "'los'")),
    (
        "level-two-horizontals",
        _both_horizontals,
        "levels[0]",
        ("levels", "name"),
        ("exactly one of horizontal_nm or horizontal_ft",),
    ),
    (
        "ceiling-below-floor",
        _set(su24m, "ceiling_ft", 10000),
        "sides.russia.fleets.su24m.ceiling_ft",
        ("sides", "russia", "fleets", "su24m", "ceiling_ft"),
        ("above floor_ft (15000)", "found 10000"),
    ),
    (
        "ceiling-equals-floor",
        _set(mq9, "ceiling_ft", 15000),
        "sides.coalition.fleets.mq9.ceiling_ft",
        ("sides", "coalition", "fleets", "mq9", "ceiling_ft"),
        ("above floor_ft",),
    ),
    (
        "sectors-file-missing",
        _set(top, "sectors_file", "nowhere.geojson"),
        "sectors_file",
        ("sectors_file",),
        ("no such file", "nowhere.geojson"),
    ),
]


@pytest.mark.parametrize("command", ["validate", "run"])
@pytest.mark.parametrize(
    ("edit", "field", "line_keys", "words"),
    [pytest.param(*case[1:], id=case[0]) for case in SCENARIO_CASES],
)
def test_bad_scenario_is_reported_with_file_field_and_line(
    command: str,
    edit: Callable[..., None],
    field: str,
    line_keys: tuple[str, ...],
    words: tuple[str, ...],
    baseline: dict[str, Any],
    write_yaml: Callable[..., Path],
    cli: Callable[..., Any],
    tmp_path: Path,
) -> None:
    edit(baseline)
    path = write_yaml(baseline)
    line = line_of(path.read_text(encoding="utf-8"), *line_keys)
    extra = ["--results-root", tmp_path / "results", "-q"] if command == "run" else []
    result = cli(command, path, *extra)
    assert result.code == 2, result.err
    assert_clean(result.err, path)
    assert f"line {line}: {field}: " in result.err, result.err
    for word in words:
        assert word in result.err, result.err
    assert result.out == ""
    assert not (tmp_path / "results").exists()


def _replace_line(text: str, old: str, new: str) -> tuple[str, int]:
    """Replace the one line of ``text`` that equals ``old``; return the text and its line."""
    lines = text.splitlines()
    (index,) = [i for i, line in enumerate(lines) if line == old]
    lines[index] = new
    return "\n".join(lines) + "\n", index + 1


BASE_TEXT = BASELINE.read_text(encoding="utf-8")
CRUISE = "        cruise_kt: 450          # 430-480 [E]"
LEAD = "    lead_min: 60"


@pytest.mark.parametrize("command", ["validate", "run"])
@pytest.mark.parametrize(
    ("old", "new", "words"),
    [
        pytest.param(CRUISE, "        cruise_kt: 16:30", ("'16:30'", "quote"), id="sexagesimal"),
        pytest.param(CRUISE, "        cruise_kt: 0450", ("'0450'",), id="octal"),
        pytest.param(LEAD, "    lead_min: NO", ("'NO'",), id="yaml11-bool"),
        pytest.param(CRUISE, "        cruise_kt: yes", ("'yes'",), id="yaml11-yes"),
        pytest.param(CRUISE, CRUISE + "\n        cruise_kt: 460", ("duplicate key 'cruise_kt'",), id="duplicate-key"),
        pytest.param(CRUISE, "        cruise_kt: [450", ("not valid YAML", "flow sequence"), id="unclosed-bracket"),
    ],
)
def test_yaml_traps_are_refused_with_the_line(
    command: str,
    old: str,
    new: str,
    words: tuple[str, ...],
    write_yaml: Callable[..., Path],
    cli: Callable[..., Any],
    tmp_path: Path,
) -> None:
    text, line = _replace_line(BASE_TEXT, old, new)
    if new.endswith("cruise_kt: 460"):
        line += 1  # the second key is the offence
    if "[450" in new:
        line += 1  # the parser notices at the next line's ':' and names where the list began
        words = (*words, f"began on line {line - 1}, column 20")
    path = write_yaml(text)
    extra = ["--results-root", tmp_path / "results", "-q"] if command == "run" else []
    result = cli(command, path, *extra)
    assert result.code == 2, result.err
    assert_clean(result.err, path)
    assert f"line {line}" in result.err, result.err
    for word in words:
        assert word in result.err, result.err
    assert not (tmp_path / "results").exists()


def test_duplicate_key_names_both_lines(write_yaml: Callable[..., Path], cli: Callable[..., Any]) -> None:
    text, line = _replace_line(BASE_TEXT, CRUISE, CRUISE + "\n        cruise_kt: 460")
    path = write_yaml(text)
    result = cli("validate", path)
    assert f"line {line + 1}, column 9: duplicate key 'cruise_kt' (first given on line {line})" in result.err, (
        result.err
    )


@pytest.mark.parametrize("command", ["validate", "run"])
@pytest.mark.parametrize(
    ("text", "words"),
    [
        pytest.param("- 1\n- 2\n", ("mapping", "found list"), id="list"),
        pytest.param("just a string\n", ("mapping", "found str"), id="scalar"),
        pytest.param("", ("mapping", "found empty"), id="empty"),
        pytest.param("# only a comment\n", ("mapping", "found empty"), id="comment-only"),
        pytest.param("a: 1\n---\nb: 2\n", ("several YAML documents",), id="two-documents"),
        pytest.param(
            "a: [1, 2\nb: 3\n",
            ("line 2, column 2: not valid YAML", "flow sequence that began on line 1, column 4"),
            id="unclosed-list",
        ),
        pytest.param("name: x\n\tseed: 3\n", ("line 2, column 1", "not tabs"), id="tab-indent"),
    ],
)
def test_not_a_scenario_mapping(
    command: str,
    text: str,
    words: tuple[str, ...],
    write_yaml: Callable[..., Path],
    cli: Callable[..., Any],
    tmp_path: Path,
) -> None:
    path = write_yaml(text)
    extra = ["--results-root", tmp_path / "results", "-q"] if command == "run" else []
    result = cli(command, path, *extra)
    assert result.code == 2, result.err
    assert_clean(result.err, path)
    for word in words:
        assert word in result.err, result.err
    assert not (tmp_path / "results").exists()


@pytest.mark.parametrize("command", ["validate", "run"])
def test_missing_file_and_directory(command: str, cli: Callable[..., Any], tmp_path: Path) -> None:
    extra = ["--results-root", tmp_path / "results", "-q"] if command == "run" else []
    missing = tmp_path / "nope.yaml"
    result = cli(command, missing, *extra)
    assert result.code == 2
    assert_clean(result.err, missing)
    assert "not found" in result.err
    folder = tmp_path / "folder"
    folder.mkdir()
    result = cli(command, folder, *extra)
    assert result.code == 2
    assert_clean(result.err, folder)
    assert "directory" in result.err
    assert not (tmp_path / "results").exists()


def _with_sectors(baseline: dict[str, Any], write_yaml: Callable[..., Path], geojson: str) -> tuple[Path, Path]:
    sectors = write_yaml(geojson, "sectors.geojson")
    baseline["sectors_file"] = "sectors.geojson"
    return write_yaml(baseline), sectors


@pytest.mark.parametrize("command", ["validate", "run"])
@pytest.mark.parametrize(
    ("geojson", "words"),
    [
        pytest.param("{not json", (), id="not-json"),
        pytest.param(
            '{"type": "FeatureCollection", "features": [{"type": "Feature"}]}',
            ("features[0]",),
            id="feature-without-geometry",
        ),
        pytest.param('{"type": "Feature"}', (), id="not-a-collection"),
        pytest.param('{"type": "FeatureCollection", "features": []}', (), id="no-features"),
    ],
)
def test_invalid_sectors_geojson(
    command: str,
    geojson: str,
    words: tuple[str, ...],
    baseline: dict[str, Any],
    write_yaml: Callable[..., Path],
    cli: Callable[..., Any],
    tmp_path: Path,
) -> None:
    path, sectors = _with_sectors(baseline, write_yaml, geojson)
    line = line_of(path.read_text(encoding="utf-8"), "sectors_file")
    extra = ["--results-root", tmp_path / "results", "-q"] if command == "run" else []
    result = cli(command, path, *extra)
    assert result.code == 2, result.err
    assert_clean(result.err, path)  # the scenario file, its field and line, then the sector file
    assert f"line {line}: sectors_file: {sectors}: " in result.err, result.err
    for word in words:
        assert word in result.err, result.err
    assert not (tmp_path / "results").exists()


def test_sectors_without_the_scenarios_names(
    baseline: dict[str, Any], write_yaml: Callable[..., Path], cli: Callable[..., Any]
) -> None:
    """A valid sector file that lacks the sectors the sides name: each is reported."""
    boxes = (REPO / "sim" / "scenario" / "data" / "syria_governorates.geojson").read_text()
    path, _ = _with_sectors(without_areas(baseline), write_yaml, boxes.replace('"Idlib"', '"Idleb"'))
    result = cli("validate", path)
    assert result.code == 2
    assert_clean(result.err, path)
    assert "sides.russia.sector_weights.Idlib: unknown sector 'Idlib'" in result.err
    assert "sides.russia.fleets.su30sm.sector_weights.Idlib: unknown sector 'Idlib'" in result.err
    assert "sides.coalition.sector_weights.Idlib: unknown sector 'Idlib'" in result.err
    assert "3 problems" in result.err


def test_several_problems_are_all_listed(
    baseline: dict[str, Any], write_yaml: Callable[..., Path], cli: Callable[..., Any]
) -> None:
    baseline["sides"]["russia"]["fleets"]["su24m"]["cruise_kt"] = -1
    baseline["sides"]["coalition"]["fleets"]["mq9"]["count"] = 0
    result = cli("validate", write_yaml(baseline))
    assert "2 problems in the scenario" in result.err
    assert "sides.russia.fleets.su24m.cruise_kt" in result.err
    assert "sides.coalition.fleets.mq9.count" in result.err


def test_run_unknown_policy_option(cli: Callable[..., Any], tmp_path: Path) -> None:
    result = cli("run", BASELINE, "--policy", "telepathy", "--results-root", tmp_path / "results")
    assert result.code == 2
    assert_clean(result.err, BASELINE)
    assert "'telepathy'" in result.err and "hotline" in result.err
    assert not (tmp_path / "results").exists()


# --- detect -------------------------------------------------------------------------

GOOD_CSV = "flight,side,t,x,y,z\na,red,0,0,0,3000\na,red,60,9000,0,3000\nb,blue,0,9000,100,3000\nb,blue,60,0,100,3000\n"


@pytest.mark.parametrize(
    ("text", "words"),
    [
        pytest.param(
            "flight,side,t,x,y\na,red,0,0,0\nb,blue,0,0,0\n", ("line 1", "missing column(s) z"), id="missing-column"
        ),
        pytest.param(
            "flight,side,t,x,y,z\na,red,0,0,0,3000\na,red,sixty,1,0,3000\nb,blue,0,0,0,3000\n",
            ("line 3", "column t", "'sixty'"),
            id="non-numeric",
        ),
        pytest.param(
            "flight,side,t,x,y,z\na,red,0,0,0,3000\na,red,60,1,0,3000\n", ("two sides", "found 1"), id="one-side"
        ),
        pytest.param(
            "flight,side,t,x,y,z\na,red,0,0,0,3000\nb,blue,0,0,0,3000\nc,green,0,0,0,3000\n",
            ("two sides", "found 3"),
            id="three-sides",
        ),
        pytest.param("flight,side,t,x,y,z\na,red,0,0,0,3000\nb,blue,0,0\n", ("line 3",), id="short-row"),
        pytest.param("", ("empty",), id="empty-file"),
        pytest.param("flight,side,t,x,y,z\n", ("no data rows",), id="header-only"),
    ],
)
def test_detect_broken_csv(text: str, words: tuple[str, ...], tmp_path: Path, cli: Callable[..., Any]) -> None:
    tracks = tmp_path / "tracks.csv"
    tracks.write_text(text, encoding="utf-8")
    out = tmp_path / "encounters.csv"
    result = cli("detect", tracks, "--horizontal-nm", "5", "--vertical-ft", "1000", "-o", out)
    assert result.code == 2, result.err
    assert_clean(result.err, tracks)
    for word in words:
        assert word in result.err, result.err
    assert not out.exists()


def test_detect_missing_tracks_file(tmp_path: Path, cli: Callable[..., Any]) -> None:
    tracks = tmp_path / "nope.csv"
    result = cli("detect", tracks, "--horizontal-nm", "5", "--vertical-ft", "1000")
    assert result.code == 2
    assert_clean(result.err, tracks)
    assert "not found" in result.err


def test_detect_good_csv(tmp_path: Path, cli: Callable[..., Any]) -> None:
    """The control for the cases above: the same shape of file, well formed, is accepted."""
    tracks = tmp_path / "tracks.csv"
    tracks.write_text(GOOD_CSV, encoding="utf-8")
    result = cli("detect", tracks, "--horizontal-nm", "5", "--vertical-ft", "1000", "-q")
    assert result.code == 0, result.err
    assert result.out.startswith("1 encounter\n")


# --- schema -------------------------------------------------------------------------


def test_schema_command_matches_committed_file(cli: Callable[..., Any], tmp_path: Path) -> None:
    committed = (REPO / "scenarios" / "scenario.schema.json").read_text(encoding="utf-8")
    result = cli("schema")
    assert result.code == 0
    assert result.out == committed, "run `deconflict schema -o scenarios/scenario.schema.json`"
    out = tmp_path / "schema.json"
    assert cli("schema", "-o", out).code == 0
    assert out.read_text(encoding="utf-8") == committed


def test_schema_output_is_a_directory(cli: Callable[..., Any], tmp_path: Path) -> None:
    result = cli("schema", "-o", tmp_path)
    assert result.code == 2
    assert_clean(result.err, tmp_path)


# --- real processes: exit status and stderr as a user sees them ---------------------


def _run_process(tmp_path: Path, *argv: str | Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "sim", *map(str, argv)], cwd=tmp_path, capture_output=True, text=True, timeout=60
    )


def test_process_exit_codes_and_no_traceback(
    baseline: dict[str, Any], write_yaml: Callable[..., Path], tmp_path: Path
) -> None:
    baseline["sides"]["russia"]["fleets"]["su24m"]["cruise_kt"] = 0
    bad = write_yaml(baseline, "bad.yaml")
    trap, line = _replace_line(BASE_TEXT, CRUISE, "        cruise_kt: 16:30")
    trap_path = write_yaml(trap, "trap.yaml")
    tracks = tmp_path / "tracks.csv"
    tracks.write_text("flight,side,t,x,y,z\na,red,0,0,0,3000\nb,blue,zero,0,0,3000\n")
    cases = [
        (("run", bad, "-q"), "sides.russia.fleets.su24m.cruise_kt"),  # default results/ in cwd
        (("validate", tmp_path / "missing.yaml"), "not found"),
        (("validate", trap_path), f"line {line}, column 20: ambiguous value '16:30'"),
        (("detect", tracks, "--horizontal-nm", "5", "--vertical-ft", "1000"), "column t"),
        (("detect", tmp_path / "missing.csv", "--horizontal-nm", "5", "--vertical-ft", "1000"), "not found"),
    ]
    for argv, words in cases:
        proc = _run_process(tmp_path, *argv)
        assert proc.returncode == 2, (argv, proc.stderr)
        assert "Traceback" not in proc.stderr, proc.stderr
        assert proc.stderr.startswith("error: "), proc.stderr
        assert words in proc.stderr, proc.stderr
        assert proc.stdout == ""
    assert not (tmp_path / "results").exists()


def test_process_validate_baseline_ok(tmp_path: Path) -> None:
    proc = _run_process(tmp_path, "validate", BASELINE)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.startswith(f"{BASELINE}: ok")
