"""Transit times: how long each side's sorties take from wheels-up to their work area.

One row per policy x replication x side x base x region (the sortie's tasked work area or
sector): ``sorties`` that flew straight there (launched, neither re-tasked nor held:
re-planned sorties fly another way) and their mean ``transit_min``, wheels-up to the start
of work on station (climb, cruise and any manoeuvre on the way), minutes. With a warm-up,
the sorties of the measured day. Written to ``transits.csv``; ``deconflict facts`` holds it
against the reported flight times.
"""

from __future__ import annotations

from typing import Any

from sim.model.day import Outcome

__all__ = ["TRANSIT_COLUMNS", "transit_rows"]

TRANSIT_COLUMNS = ("policy", "replication", "side", "base", "region", "sorties", "transit_min")


def transit_rows(policy: str, replication: int, outcome: Outcome) -> list[dict[str, Any]]:
    """The ``transits.csv`` rows of one policy x replication, sorted by side, base and region."""
    groups: dict[tuple[str, str, str], list[float]] = {}
    for s in outcome.measured_sorties:
        if s.launched_s is None or s.retasked or s.held_s > 0 or not s.work_segments:
            continue
        transit_s = s.work_segments[0][0] - s.launched_s
        groups.setdefault((s.side, s.base, s.tasked_sector), []).append(transit_s)
    return [
        {
            "policy": policy,
            "replication": replication,
            "side": side,
            "base": base,
            "region": region,
            "sorties": len(times),
            "transit_min": sum(times) / len(times) / 60.0,
        }
        for (side, base, region), times in sorted(groups.items())
    ]
