"""The strict YAML reader: plain YAML 1.2 scalars pass, YAML 1.1 traps are refused with the line."""

from __future__ import annotations

import math
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import given
from hypothesis import strategies as st

from sim.errors import InputError
from sim.scenario.strict_yaml import load_yaml


@pytest.fixture
def load(tmp_path: Path) -> Callable[[str], tuple[Any, dict[Any, int]]]:
    """Write ``text`` to a file and read it back with ``load_yaml``."""

    def read(text: str) -> tuple[Any, dict[Any, int]]:
        path = tmp_path / "doc.yaml"
        path.write_text(text, encoding="utf-8")
        return load_yaml(path)

    return read


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("1_000", 1000),
        ("0", 0),
        ("-7", -7),
        ("+3", 3),
        ("1.5", 1.5),
        ("-2.5e3", -2500.0),
        ("1e3", 1000.0),
        (".5", 0.5),
        ("0.25", 0.25),
        ("1_000.5", 1000.5),
        ("0x1F", 31),
        ("0o17", 15),
        ("true", True),
        ("false", False),
        ("True", True),
        ("FALSE", False),
        ("null", None),
        ("~", None),
        ("", None),
        ('"NO"', "NO"),
        ("'yes'", "yes"),
        ('"16:30"', "16:30"),
        ("'010'", "010"),
        ("2015-10-01", "2015-10-01"),  # no datetime objects
        ("Deir ez-Zor", "Deir ez-Zor"),
        ("proximity-20nm", "proximity-20nm"),
        ("v1.2", "v1.2"),
    ],
)
def test_accepted_scalars(text: str, value: Any, load: Callable[..., Any]) -> None:
    data, _ = load(f"key: {text}\n")
    assert data == {"key": value}
    assert type(data["key"]) is type(value)


def test_special_floats(load: Callable[..., Any]) -> None:
    data, _ = load("a: .inf\nb: -.inf\nc: .nan\n")
    assert data["a"] == math.inf and data["b"] == -math.inf and math.isnan(data["c"])


@pytest.mark.parametrize(
    ("text", "pyyaml_reads"),
    [
        ("16:30", 990),  # base 60
        ("1:30:00", 5400),
        ("010", 8),  # octal
        ("-010", -8),
        ("0_10", 8),
        ("NO", False),
        ("no", False),
        ("Yes", True),
        ("on", True),
        ("OFF", False),
        ("0b101", 5),
        ("y", "y"),  # YAML 1.1 spec says a boolean; PyYAML disagrees: ambiguous either way
        ("09", "09"),
    ],
)
def test_yaml11_traps_are_refused_with_line_and_column(
    text: str, pyyaml_reads: Any, load: Callable[..., Any], tmp_path: Path
) -> None:
    doc = f"name: test\nblock:\n  value: {text}\n"
    assert yaml.safe_load(doc)["block"]["value"] == pyyaml_reads  # the trap is real
    with pytest.raises(InputError) as info:
        load(doc)
    message = str(info.value)
    assert message.startswith(f"{tmp_path / 'doc.yaml'}: line 3, column 10: ")
    assert f"ambiguous value {text!r}" in message
    assert "quote" in message


def test_traps_in_lists_are_refused_too(load: Callable[..., Any]) -> None:
    with pytest.raises(InputError, match=r"line 2, column 11: ambiguous value '07'"):
        load("a: 1\nb: [1, 2, 07]\n")


def test_keys_stay_strings(load: Callable[..., Any]) -> None:
    """A key is a name: ``NO``, ``1`` or ``010`` as a key is not a boolean or a number."""
    data, _ = load("NO: 1\n1: 2\n010: 3\ntrue: 4\n")
    assert data == {"NO": 1, "1": 2, "010": 3, "true": 4}


def test_line_map(load: Callable[..., Any]) -> None:
    data, lines = load("# comment\ntop:\n  inner:\n    x: 1\n  items:\n    - a\n    - {b: 2}\n")
    assert data == {"top": {"inner": {"x": 1}, "items": ["a", {"b": 2}]}}
    assert lines[("top",)] == 2
    assert lines[("top", "inner")] == 3
    assert lines[("top", "inner", "x")] == 4
    assert lines[("top", "items")] == 5
    assert lines[("top", "items", 0)] == 6
    assert lines[("top", "items", 1)] == 7
    assert lines[("top", "items", 1, "b")] == 7


def test_key_line_not_value_line(load: Callable[..., Any]) -> None:
    """A key whose value starts on a later line is located at the key."""
    _, lines = load("a:\n\n  - 1\nb: >-\n  folded\n  text\n")
    assert lines[("a",)] == 1
    assert lines[("a", 0)] == 3
    assert lines[("b",)] == 4


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("a: 1\nb:\n  c: 2\n  c: 3\n", "line 4, column 3: duplicate key 'c' (first given on line 3)"),
        ("a: 1\na: 1\n", "line 2, column 1: duplicate key 'a' (first given on line 1)"),
        ("a: {x: 1, x: 2}\n", "duplicate key 'x'"),
        ("base: &b {x: 1}\nother:\n  <<: *b\n", "line 3, column 3: merge keys (<<)"),
        ("? [a, b]\n: 1\n", "line 1, column 3: a mapping key must be a plain name"),
        ("a: 1\n---\nb: 2\n", "several YAML documents"),
        ("a: [1, 2\nb: 3\n", "line 2, column 2: not valid YAML"),
        ("a: !!python/object:os.system x\n", "line 1, column 4: YAML tags such as !!python"),
        ("a: 1\nb: !!float 3\n", "line 2, column 4: YAML tags such as !!float"),
        ('a: !!int "12"\n', "YAML tags such as !!int"),
        ("a: !custom 5\n", "YAML tags such as !custom"),
        ("a: !!set {x, y}\n", "YAML tags such as !!set"),
    ],
)
def test_refused_documents(text: str, words: str, load: Callable[..., Any], tmp_path: Path) -> None:
    with pytest.raises(InputError) as info:
        load(text)
    assert str(info.value).startswith(f"{tmp_path / 'doc.yaml'}: ")
    assert words in str(info.value)


def test_aliases_are_expanded(load: Callable[..., Any]) -> None:
    data, _ = load("a: &w {x: 1}\nb: *w\n")
    assert data == {"a": {"x": 1}, "b": {"x": 1}}


@pytest.mark.parametrize("text", ["", "# nothing\n", "---\n"])
def test_empty_document(text: str, load: Callable[..., Any]) -> None:
    assert load(text)[0] is None


def test_file_errors_name_the_file(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="nope.yaml: file not found"):
        load_yaml(tmp_path / "nope.yaml")
    with pytest.raises(InputError, match="is a directory"):
        load_yaml(tmp_path)
    binary = tmp_path / "binary.yaml"
    binary.write_bytes(b"a: \xff\xfe\n")
    with pytest.raises(InputError, match="binary.yaml: cannot read"):
        load_yaml(binary)


def test_baseline_matches_pyyaml_where_pyyaml_is_unambiguous() -> None:
    """The bundled scenario has no traps, so both readers agree on every value."""
    path = Path(__file__).resolve().parents[2] / "scenarios" / "syria-2015-10.yaml"
    data, lines = load_yaml(path)
    assert data == yaml.safe_load(path.read_text(encoding="utf-8"))
    assert lines[("sides", "russia", "fleets", "su24m", "cruise_kt")] == 81


@given(st.one_of(st.integers(), st.floats(allow_nan=False, allow_infinity=False)))
def test_plain_numbers_round_trip(number: int | float) -> None:
    """Any int or finite float written by repr() reads back as the same number and type."""
    import tempfile

    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "n.yaml"
        path.write_text(f"n: {number!r}\n", encoding="utf-8")
        data, _ = load_yaml(path)
    assert data["n"] == number and type(data["n"]) is type(number)
