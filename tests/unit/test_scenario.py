"""Scenario models: the baseline loads, units convert to SI, every model forbids unknown keys."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from pydantic import ValidationError

from sim.errors import InputError
from sim.model.rules import rule_for
from sim.scenario.load import load_scenario, parse_scenario
from sim.scenario.models import Scenario, scenario_json_schema
from sim.scenario.rules import AdvanceNotice, AltitudeSplit, Hotline, NoNotice, SharedSchedule
from tests.conftest import BASELINE, REPO


@pytest.fixture(scope="module")
def loaded() -> Any:
    return load_scenario(BASELINE)


def test_baseline_loads(loaded: Any) -> None:
    sc = loaded.scenario
    assert sc.name == "syria-2015-10"
    assert sc.side_names == ("russia", "coalition")
    assert list(sc.sides["russia"].fleets) == ["su24m", "su25sm", "su34", "su30sm"]
    assert [lv.name for lv in sc.levels] == ["los", "nmac", "proximity-20nm"]
    assert len(loaded.sectors.sectors) == 14
    assert len(loaded.sha256) == 64
    kinds = {name: type(p) for name, p in sc.policies.items()}
    assert kinds == {
        "no-notice": NoNotice,
        "one-hour-notice": AdvanceNotice,
        "shared-schedule": SharedSchedule,
        "hotline": Hotline,
    }


@pytest.mark.parametrize("path", sorted((REPO / "scenarios").glob("*.yaml")), ids=lambda p: p.name)
def test_every_bundled_scenario_loads(path: Path) -> None:
    assert load_scenario(path).scenario.name


def test_units_convert_to_si(loaded: Any) -> None:
    sc = loaded.scenario
    su24m = sc.sides["russia"].fleets["su24m"]
    assert su24m.cruise_kt == 450
    assert su24m.cruise_mps == pytest.approx(231.5, abs=0.05)
    assert su24m.cruise_mps == pytest.approx(450 * 1852 / 3600, rel=1e-15)
    assert su24m.floor_m == pytest.approx(4572.0)
    assert su24m.ceiling_m == pytest.approx(6096.0)
    assert su24m.on_station_s == 1800.0
    assert su24m.turnaround_s == 5400.0
    assert su24m.climb_s == 300.0  # default climb_min 5
    hmeimim = sc.sides["russia"].bases["hmeimim"]
    assert hmeimim.elevation_m == pytest.approx(157 * 0.3048)
    russia = sc.sides["russia"]
    assert russia.short_notice_s == 1800.0
    assert russia.launch_jitter_s == 300.0
    assert russia.ops_cell.reaction_s == 1200.0
    assert russia.reaction.max_delay_s == 2700.0
    assert russia.reaction.max_hold_s == 1200.0  # default max_hold_min 20
    assert russia.reaction.buffer_s == 600.0
    assert russia.reaction.vertical_buffer_m == pytest.approx(304.8)
    los, nmac, wide = sc.levels
    assert los.horizontal_m == pytest.approx(9260.0)
    assert los.vertical_m == pytest.approx(304.8)
    assert nmac.horizontal_m == pytest.approx(152.4)
    assert nmac.vertical_m == pytest.approx(30.48)
    assert wide.horizontal_m == pytest.approx(20 * 1852.0)
    assert sc.horizon_s == 86400.0
    notice = sc.policies["one-hour-notice"]
    assert isinstance(notice, AdvanceNotice)
    assert (notice.sender, notice.receiver, notice.lead_min) == ("russia", "coalition", 60)


def test_defaults_and_tuple_actions(loaded: Any) -> None:
    sc = loaded.scenario
    assert sc.sides["russia"].reaction.actions == ("delay", "retask", "cancel")
    assert sc.sides["coalition"].reaction.actions == ("altitude", "delay", "retask", "hold", "cancel")
    assert sc.sides["russia"].fleets["su24m"].sector_weights is None
    assert sc.sides["coalition"].fleets["mq9"].sorties_per_day == 1


def test_scenario_is_frozen(loaded: Any) -> None:
    with pytest.raises(ValidationError):
        loaded.scenario.seed = 1


def test_json_dump_round_trips(loaded: Any) -> None:
    """The manifest's copy of the scenario (JSON, by alias) validates back to the same scenario."""
    sc = loaded.scenario
    dumped = json.loads(json.dumps(sc.model_dump(mode="json", by_alias=True)))
    assert dumped["policies"]["one-hour-notice"]["from"] == "russia"
    assert Scenario.model_validate(dumped) == sc


# Every model in the file forbids unknown keys: add one at each kind of place.
PLACES: list[tuple[str, Callable[[dict[str, Any]], dict[str, Any]]]] = [
    ("", lambda d: d),
    ("origin", lambda d: d["origin"]),
    ("sides.russia", lambda d: d["sides"]["russia"]),
    ("sides.russia.bases.hmeimim", lambda d: d["sides"]["russia"]["bases"]["hmeimim"]),
    ("sides.russia.fleets.su24m", lambda d: d["sides"]["russia"]["fleets"]["su24m"]),
    ("sides.russia.ops_cell", lambda d: d["sides"]["russia"]["ops_cell"]),
    ("sides.russia.reaction", lambda d: d["sides"]["russia"]["reaction"]),
    ("levels[1]", lambda d: d["levels"][1]),
    ("policies.no-notice", lambda d: d["policies"]["no-notice"]),
    ("policies.one-hour-notice", lambda d: d["policies"]["one-hour-notice"]),
    ("policies.shared-schedule", lambda d: d["policies"]["shared-schedule"]),
    ("policies.hotline", lambda d: d["policies"]["hotline"]),
]


@pytest.mark.parametrize(("prefix", "place"), PLACES, ids=[p[0] or "top" for p in PLACES])
def test_unknown_keys_are_refused_everywhere(
    prefix: str, place: Callable[..., dict[str, Any]], baseline: dict[str, Any]
) -> None:
    place(baseline)["colour"] = "red"
    with pytest.raises(InputError) as info:
        parse_scenario(baseline, source="x.yaml")
    field = f"{prefix}.colour" if prefix else "colour"
    assert f"{field}: unknown field" in str(info.value)


def test_strict_types(baseline: dict[str, Any]) -> None:
    """Strict mode: a quoted number is a string, not coerced; an int is a fine float."""
    baseline["seed"] = "7"
    baseline["sides"]["russia"]["fleets"]["su24m"]["cruise_kt"] = 450
    baseline["sides"]["russia"]["reaction"]["max_delay_min"] = 45.5
    with pytest.raises(InputError, match=r"seed: Input should be a valid integer; found '7'"):
        parse_scenario(baseline, source="x.yaml")
    baseline["seed"] = 7.0
    with pytest.raises(InputError, match="seed"):
        parse_scenario(baseline, source="x.yaml")


def test_lines_point_at_list_items(write_yaml: Callable[..., Path]) -> None:
    """An error in a flow-style list item of the original file names that item's line."""
    text = BASELINE.read_text(encoding="utf-8")
    (line,) = [i + 1 for i, row in enumerate(text.splitlines()) if "{name: nmac," in row]
    path = write_yaml(text.replace("vertical_ft: 100}", "vertical_ft: -100}"))
    with pytest.raises(InputError) as info:
        load_scenario(path)
    assert f"line {line}: levels[1].vertical_ft: Input should be greater than 0; found -100" in str(info.value)


def test_altitude_split_policy(baseline: dict[str, Any], write_yaml: Callable[..., Path]) -> None:
    """The one policy kind the baseline lacks: valid, then pointing at an unknown side."""
    baseline["policies"]["split"] = {"kind": "altitude_split", "upper": "coalition", "boundary_ft": 20000}
    split = load_scenario(write_yaml(baseline)).scenario.policies["split"]
    assert isinstance(split, AltitudeSplit)
    assert rule_for(split).altitude_block("coalition", 3000.0, 9000.0)[0] > 20000 * 0.3048
    baseline["policies"]["split"]["upper"] = "luftwaffe"
    with pytest.raises(InputError, match=r"policies\.split\.upper: unknown side 'luftwaffe'"):
        load_scenario(write_yaml(baseline))


def test_parse_scenario_refuses_non_mappings() -> None:
    for data, found in ((None, "found empty"), ([1], "found list"), ("x", "found str")):
        with pytest.raises(InputError, match=f"x.yaml: expected a mapping.*{found}"):
            parse_scenario(data, source="x.yaml")


def test_schema_forbids_extra_keys_and_names_policy_kinds() -> None:
    schema = json.loads(scenario_json_schema())
    assert schema["$schema"].endswith("2020-12/schema")
    assert schema["additionalProperties"] is False
    for name in ("Fleet", "Side", "Base", "Level", "AdvanceNotice", "Hotline"):
        assert schema["$defs"][name]["additionalProperties"] is False, name
    assert {"from", "to"} <= set(schema["$defs"]["AdvanceNotice"]["properties"])
    policy = schema["properties"]["policies"]["additionalProperties"]
    assert policy["discriminator"]["propertyName"] == "kind"
    assert set(policy["discriminator"]["mapping"]) == {
        "none",
        "advance_notice",
        "shared_schedule",
        "hotline",
        "altitude_split",
    }
