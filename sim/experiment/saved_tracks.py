"""The simulated tracks of chosen replications, in the CSV format ``deconflict detect`` reads.

``run --save-tracks 0,3`` flies replications 0 and 3 of every policy of the finished run
again (a replication is a pure function of the scenario, the policy, the seed and its index,
so these are the very tracks the run counted) and writes each as
``RUN/tracks/<policy>-<replication>.csv`` with the header ``flight,side,t,x,y,z`` (s, m on
the scenario's local plane, m of altitude). With a warm-up the file holds the warm-up's
flights too, and ``detect`` counts every encounter in it, not only those starting in the
measured day as ``encounters_<level>`` does.
"""

from __future__ import annotations

import json
import os
from collections.abc import Sequence
from pathlib import Path

from sim.errors import InputError
from sim.model.day import simulate
from sim.scenario.load import LoadedScenario

__all__ = ["TRACKS_DIR", "parse_replications", "save_tracks", "tracks_path"]

TRACKS_DIR = "tracks"


def parse_replications(text: str, count: int | None) -> list[int]:
    """Replication indices from ``--save-tracks`` (``0,3`` or ``0-2``), each in [0, ``count``)
    when the count is known; InputError naming the option otherwise."""
    chosen: list[int] = []
    for part in (p.strip() for p in text.split(",")):
        low, dash, high = part.partition("-")
        try:
            span = range(int(low), int(high) + 1) if dash else range(int(part), int(part) + 1)
        except ValueError:
            raise InputError(f"--save-tracks: expected replication numbers like 0,3 or 0-2, found {part!r}") from None
        if not span or span.start < 0:
            raise InputError(f"--save-tracks: expected replications >= 0 in increasing ranges, found {part!r}")
        chosen += [i for i in span if i not in chosen]
    if count is not None:
        beyond = [i for i in chosen if i >= count]
        if beyond:
            raise InputError(
                f"--save-tracks: the run has replications 0-{count - 1}, found {', '.join(map(str, beyond))}"
            )
    return chosen


def tracks_path(run_dir: Path, policy: str, replication: int) -> Path:
    """Where the tracks of ``policy``'s replication ``replication`` go: ``RUN/tracks/<policy>-NNN.csv``."""
    return run_dir / TRACKS_DIR / f"{policy}-{replication:03d}.csv"


def save_tracks(run_dir: Path, loaded: LoadedScenario, replications: Sequence[int]) -> list[Path]:
    """Fly ``replications`` of every policy of the finished run in ``run_dir`` again and write
    their tracks (each file written whole or not at all); returns the files written."""
    manifest = json.loads((run_dir / "manifest.json").read_text(encoding="utf-8"))
    seed = int(manifest["seed"])
    written = []
    for replication in replications:
        for name in manifest["policies"]:
            outcome = simulate(loaded, loaded.scenario.policies[name], seed, replication)
            target = tracks_path(run_dir, name, replication)
            target.parent.mkdir(exist_ok=True)
            tmp = target.with_name(f".{target.name}.{os.getpid()}.tmp")
            try:
                outcome.tracks.to_csv(tmp)
                os.replace(tmp, target)
            except BaseException:
                tmp.unlink(missing_ok=True)
                raise
            written.append(target)
    return written
