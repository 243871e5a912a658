"""A strict YAML reader: YAML 1.2-style scalars, no silent YAML 1.1 surprises, line numbers kept.

PyYAML follows YAML 1.1, where ``16:30`` is the integer 990 (base 60), ``010`` is 8 (octal)
and ``NO`` is ``False``. Scenario files are written by people, so this loader refuses such
plain scalars instead of guessing: quote them to mean a string, or write the number plainly.
It also refuses duplicate keys (PyYAML keeps the last one silently) and explicit tags
(``!!float``, ``!!python/...``), and does not turn dates into ``datetime`` objects. Every
mapping key's line is recorded so that validation errors can point at the line.

Why PyYAML and not ruamel.yaml (YAML 1.2): the point of refusing ``010`` or ``yes`` is that
the same file must mean the same thing to every reader, and YAML 1.1 readers (PyYAML in an
analyst's own script) still read ``010`` as 8 where ruamel reads 10; ruamel also accepts
``!!float`` tags, turns ``2015-10-01`` into a date and returns its own scalar subclasses
(``ScalarFloat``, ``OctalInt``) in round-trip mode, the one that keeps line numbers. A
ruamel reader would need the same checks and a conversion pass: no smaller, no clearer.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import yaml

from sim.errors import InputError

__all__ = ["load_yaml", "parse_scalar", "LineMap"]

# (path tuple) -> 1-based line of the key or item that holds that value.
LineMap = dict[tuple[str | int, ...], int]

_AMBIGUOUS = re.compile(
    r"""^(?:
        (?i:y|n|yes|no|on|off)                      # YAML 1.1 booleans
      | [-+]?0[0-9_]+                               # leading zero: octal in YAML 1.1
      | [-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+(?:\.[0-9_]*)?   # base-60 numbers: 16:30 -> 990
      | [-+]?0b[0-1_]+                              # binary
    )$""",
    re.X,
)
_INT = re.compile(r"^[-+]?(?:0|[1-9][0-9_]*)$")
_HEX_OCT = re.compile(r"^0x[0-9a-fA-F_]+$|^0o[0-7_]+$")
_FLOAT = re.compile(r"^[-+]?(?:\.[0-9][0-9_]*|[0-9][0-9_]*(?:\.[0-9_]*)?)(?:[eE][-+]?[0-9]+)?$")
_SPECIAL_FLOAT = re.compile(r"^(?:[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$")
_BOOL = re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$")
_NULL = re.compile(r"^(?:~|null|Null|NULL|)$")


class _StrictLoader(yaml.SafeLoader):
    """SafeLoader whose plain scalars resolve by the rules in the module docstring."""


_StrictLoader.yaml_implicit_resolvers = {}


def _scalar(loader: _StrictLoader, node: yaml.ScalarNode) -> Any:
    text = node.value
    if node.style is not None:  # quoted or block scalars are always strings
        return text
    if _NULL.match(text):
        return None
    if _BOOL.match(text):
        return text.lower() == "true"
    if _AMBIGUOUS.match(text):
        raise _ScalarError(
            node,
            f"ambiguous value {text!r}: YAML 1.1 readers would turn it into a number or a "
            "boolean; write a plain number (e.g. 10, 16.5), true/false, or quote it as a string",
        )
    if _INT.match(text):
        return int(text.replace("_", ""))
    if _HEX_OCT.match(text):
        return int(text.replace("_", ""), 0)
    if _FLOAT.match(text):
        return float(text.replace("_", ""))
    if _SPECIAL_FLOAT.match(text):
        return float(text.lower().lstrip("+").replace(".", ""))
    return text


class _ScalarError(Exception):
    def __init__(self, node: yaml.Node, message: str) -> None:
        super().__init__(message)
        self.node = node


_YAML_TAG = "tag:yaml.org,2002:"
_PLAIN_TAGS = {
    yaml.ScalarNode: _YAML_TAG + "str",
    yaml.SequenceNode: _YAML_TAG + "seq",
    yaml.MappingNode: _YAML_TAG + "map",
}


def _build(node: yaml.Node, path: tuple[str | int, ...], lines: LineMap) -> Any:
    """Turn a composed node tree into plain Python data, recording each value's line."""
    lines[path] = node.start_mark.line + 1
    if node.tag != _PLAIN_TAGS.get(type(node)):
        # With no implicit resolvers, only an explicit tag (!!int, !!python/..., !x) lands here.
        tag = node.tag.replace(_YAML_TAG, "!!", 1)
        raise _ScalarError(node, f"YAML tags such as {tag} are not supported; write the value plainly")
    if isinstance(node, yaml.ScalarNode):
        return _scalar(_StrictLoader, node)  # type: ignore[arg-type]
    if isinstance(node, yaml.SequenceNode):
        return [_build(item, (*path, i), lines) for i, item in enumerate(node.value)]
    if isinstance(node, yaml.MappingNode):
        out: dict[Any, Any] = {}
        for key_node, value_node in node.value:
            if not isinstance(key_node, yaml.ScalarNode):
                raise _ScalarError(key_node, "a mapping key must be a plain name, not a list or mapping")
            key = key_node.value
            if key_node.value == "<<":
                raise _ScalarError(key_node, "merge keys (<<) are not supported; write the fields out")
            if key in out:
                first = lines[(*path, key)]
                raise _ScalarError(key_node, f"duplicate key {key!r} (first given on line {first})")
            lines[(*path, key)] = key_node.start_mark.line + 1
            out[key] = _build(value_node, (*path, key), lines)
            lines[(*path, key)] = key_node.start_mark.line + 1  # the key's line, not the value's
        return out
    raise _ScalarError(node, f"unsupported YAML node {type(node).__name__}")


def load_yaml(path: str | Path) -> tuple[Any, LineMap]:
    """Read the YAML file at ``path`` strictly; return its data and the line of every value.

    Raises ``InputError`` naming the file (and line) if it is missing, unreadable, not
    YAML, holds several documents, or uses an ambiguous YAML 1.1 scalar or a duplicate key.
    """
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise InputError("file not found", path=str(path)) from None
    except IsADirectoryError:
        raise InputError("is a directory, expected a YAML file", path=str(path)) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"cannot read file: {exc}", path=str(path)) from None
    try:
        nodes = list(yaml.compose_all(text, Loader=_StrictLoader))
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        where = f"line {mark.line + 1}, column {mark.column + 1}: " if mark else ""
        # The problem is often found a line after the cause (an unclosed bracket or quote):
        # name where the construct began too.
        started = ""
        if exc.context and exc.context_mark and exc.problem_mark:
            start = exc.context_mark
            if (start.line, start.column) != (exc.problem_mark.line, exc.problem_mark.column):
                started = f" ({exc.context} that began on line {start.line + 1}, column {start.column + 1})"
        if "'\\t'" in str(exc.problem):
            started += " (YAML indents with spaces, not tabs)"
        raise InputError(f"{where}not valid YAML: {exc.problem or exc}{started}", path=str(path)) from None
    except yaml.YAMLError as exc:
        raise InputError(f"not valid YAML: {exc}", path=str(path)) from None
    if len(nodes) > 1:
        raise InputError("holds several YAML documents; expected one", path=str(path))
    if not nodes or nodes[0] is None:
        return None, {}
    lines: LineMap = {}
    try:
        data = _build(nodes[0], (), lines)
    except _ScalarError as exc:
        where = f"line {exc.node.start_mark.line + 1}, column {exc.node.start_mark.column + 1}"
        raise InputError(f"{where}: {exc}", path=str(path)) from None
    return data, lines


def parse_scalar(text: str) -> Any:
    """Read one plain value (e.g. from the command line) by the same rules as scenario files.

    ``60`` is an int, ``0.5`` a float, ``null`` None, ``true`` a bool, ``"quoted"`` a string;
    ambiguous YAML 1.1 forms are refused with ``InputError``.
    """
    try:
        node = yaml.compose(text, Loader=_StrictLoader)
    except yaml.YAMLError as exc:
        raise InputError(f"{text!r} is not a plain value: {exc}") from None
    if node is None:
        return None
    try:
        return _build(node, (), {})
    except _ScalarError as exc:
        raise InputError(str(exc)) from None
