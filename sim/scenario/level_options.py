"""Separation levels given to ``deconflict detect``: ``--level NAME:H_NM:V_FT`` or a scenario's.

A level is a name, a horizontal separation in nautical miles and a vertical one in feet,
the cylinder a scenario's ``levels`` describe; ``detect`` counts the encounters of each.
"""

from __future__ import annotations

import math
import re
from pathlib import Path
from typing import NamedTuple

from sim.errors import InputError
from sim.units import FT_M, NM_M

__all__ = ["DetectLevel", "levels_of_scenario", "parse_level"]

_NAME = re.compile(r"^[A-Za-z0-9_.-]+$")


class DetectLevel(NamedTuple):
    """A level to count: its ``name``, horizontal and vertical separation in metres."""

    name: str
    horizontal_m: float
    vertical_m: float


def parse_level(text: str) -> DetectLevel:
    """``NAME:H_NM:V_FT`` (e.g. ``los:5:1000``) as a level; InputError saying what is expected."""
    parts = text.split(":")
    example = "expected NAME:H_NM:V_FT, e.g. los:5:1000 (5 NM, 1,000 ft)"
    if len(parts) != 3:
        raise InputError(f"--level {text!r}: {example}")
    name, h_text, v_text = parts
    if not _NAME.match(name):
        raise InputError(f"--level {text!r}: the name must be letters, digits, '-', '_' or '.'; {example}")
    values = []
    for what, raw in (("horizontal NM", h_text), ("vertical ft", v_text)):
        try:
            value = float(raw)
        except ValueError:
            raise InputError(f"--level {text!r}: the {what} must be a number, found {raw!r}; {example}") from None
        if not (math.isfinite(value) and value > 0):
            raise InputError(f"--level {text!r}: the {what} must be a number > 0, found {raw!r}")
        values.append(value)
    return DetectLevel(name, values[0] * NM_M, values[1] * FT_M)


def levels_of_scenario(path: Path) -> list[DetectLevel]:
    """The ``levels`` of the scenario file ``path`` (validated like any scenario file)."""
    from sim.scenario.load import load_scenario

    scenario = load_scenario(path).scenario
    return [DetectLevel(lv.name, lv.horizontal_m, lv.vertical_m) for lv in scenario.levels]
