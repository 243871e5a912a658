"""The ``deconflict`` command: run, validate, schema, detect.

Bad input of any kind prints ``error: <file>: <what>`` on stderr and exits with code 2,
without a traceback and without writing anything.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path
from typing import TextIO

from sim import __version__
from sim.errors import InputError
from sim.units import FT_M, NM_M

__all__ = ["main"]

EXIT_INPUT = 2
DEFAULT_RESULTS_ROOT = Path("results")


class _Progress:
    """Replications done, rate and time left, on one stderr line (only on a terminal)."""

    def __init__(self, label: str, stream: TextIO, enabled: bool) -> None:
        self.label = label
        self.stream = stream
        self.enabled = enabled and stream.isatty()
        self.start = time.monotonic()
        self.last = 0.0

    def __call__(self, done: int, total: int) -> None:
        if not self.enabled:
            return
        now = time.monotonic()
        if done < total and now - self.last < 0.2:
            return
        self.last = now
        elapsed = now - self.start
        rate = done / elapsed if elapsed > 0 else 0.0
        left = (total - done) / rate if rate > 0 else 0.0
        self.stream.write(f"\r{self.label}: {done}/{total} ({rate:.1f}/s, {left:.0f} s left)   ")
        if done == total:
            self.stream.write("\n")
        self.stream.flush()


def _cmd_validate(args: argparse.Namespace) -> int:
    from sim.scenario import load_scenario

    loaded = load_scenario(args.scenario)
    sc = loaded.scenario
    sides = ", ".join(f"{n} ({len(s.fleets)} fleets, {s.sorties_per_day:g}/day)" for n, s in sc.sides.items())
    print(f"{args.scenario}: ok")
    print(f"  sides: {sides}")
    print(f"  sectors: {len(loaded.sectors.sectors)} from {loaded.sectors.source}")
    print(f"  levels: {', '.join(lv.name for lv in sc.levels)}")
    print(f"  policies: {', '.join(f'{n} ({p.kind})' for n, p in sc.policies.items())}")
    return 0


def _cmd_schema(args: argparse.Namespace) -> int:
    from sim.scenario import scenario_json_schema

    text = scenario_json_schema()
    if args.output:
        from sim.results import atomic_write_text

        atomic_write_text(Path(args.output), text)
    else:
        sys.stdout.write(text)
    return 0


def _horizontal_m(args: argparse.Namespace) -> float:
    if (args.horizontal_nm is None) == (args.horizontal_ft is None):
        raise InputError("give exactly one of --horizontal-nm or --horizontal-ft")
    value = args.horizontal_nm * NM_M if args.horizontal_nm is not None else args.horizontal_ft * FT_M
    if not value > 0:
        raise InputError("the horizontal separation must be > 0")
    return float(value)


def _cmd_detect(args: argparse.Namespace) -> int:
    from sim.conflicts import find_encounters
    from sim.tracks import read_tracks

    horizontal_m = _horizontal_m(args)
    if not args.vertical_ft > 0:
        raise InputError("--vertical-ft must be > 0")
    out = Path(args.output) if args.output else None
    if out is not None and out.is_dir():
        raise InputError("is a directory; expected a CSV file name", path=str(out))
    t0 = time.monotonic()
    tracks = read_tracks(args.tracks)
    t1 = time.monotonic()
    found = find_encounters(tracks, horizontal_m, args.vertical_ft * FT_M)
    t2 = time.monotonic()
    if out is not None:
        found.to_csv(out)
    print(f"{len(found)} encounters")
    if not args.quiet:
        print(
            f"  {len(tracks)} flights ({tracks.n_legs} legs) of sides {', '.join(tracks.side_names)}; "
            f"separation {horizontal_m:.0f} m horizontal, {args.vertical_ft * FT_M:.0f} m vertical; "
            f"read {t1 - t0:.2f} s, detect {t2 - t1:.2f} s" + (f"; written to {out}" if out is not None else ""),
            file=sys.stderr,
        )
    return 0


def _cmd_run(args: argparse.Namespace) -> int:
    from sim.experiment import run_experiment
    from sim.metrics import ENCOUNTER_COLUMNS, SIDE_METRICS, row_columns
    from sim.report import summary_table
    from sim.results import (
        atomic_write_text,
        csv_text,
        environment_versions,
        git_revision,
        json_text,
        new_results_dir,
        utc_now,
    )
    from sim.scenario import load_scenario
    from sim.stats import summarise

    started = utc_now()
    loaded = load_scenario(args.scenario)
    sc = loaded.scenario
    policies = list(sc.policies)
    if args.policy:
        unknown = [p for p in args.policy if p not in sc.policies]
        if unknown:
            raise InputError(
                f"--policy: unknown policy {', '.join(map(repr, unknown))}; "
                f"the scenario's policies are {', '.join(policies)}",
                path=str(args.scenario),
            )
        policies = [p for p in policies if p in args.policy]
    replications = args.replications if args.replications is not None else sc.replications
    if replications < 1:
        raise InputError("--replications must be at least 1")
    seed = args.seed if args.seed is not None else sc.seed
    if seed < 0:
        raise InputError("--seed must be >= 0")
    out = Path(args.out) if args.out else None
    if out is not None and out.exists() and (not out.is_dir() or any(out.iterdir())):
        raise InputError("output directory exists and is not empty; choose another --out", path=str(out))

    progress = _Progress(f"{sc.name}: policy x replication", sys.stderr, not args.quiet)
    t0 = time.monotonic()
    result = run_experiment(loaded, policies, replications, seed, progress)
    wall_s = time.monotonic() - t0

    level_names = [lv.name for lv in sc.levels]
    columns = row_columns(sc.side_names, level_names)
    order = {p: i for i, p in enumerate(policies)}
    rows = sorted(result.rows, key=lambda r: (order[r["policy"]], r["replication"]))
    enc_rows = sorted(
        result.encounters,
        key=lambda r: (
            order[r["policy"]],
            r["replication"],
            level_names.index(r["level"]),
            r["t_start"],
            r["flight_a"],
            r["flight_b"],
        ),
    )
    metrics = columns[4:]
    summary = summarise(rows, policies, metrics)

    target = new_results_dir(Path(args.results_root), sc.name, out)
    staging = Path(tempfile.mkdtemp(prefix=f".{target.name}.", dir=target.parent))
    try:
        atomic_write_text(staging / "replications.csv", csv_text(columns, rows))
        atomic_write_text(staging / "encounters.csv", csv_text(ENCOUNTER_COLUMNS, enc_rows))
        atomic_write_text(
            staging / "summary.csv",
            csv_text(["policy", "metric", "n", "mean", "sd", "ci95_low", "ci95_high"], summary),
        )
        manifest = {
            "tool": "deconflict",
            "version": __version__,
            "git_revision": git_revision(),
            "command": [Path(sys.argv[0]).name, *sys.argv[1:]],
            "started_utc": started,
            "finished_utc": utc_now(),
            "wall_time_s": round(wall_s, 3),
            "scenario_file": str(loaded.path),
            "scenario_sha256": loaded.sha256,
            "sectors_file": loaded.sectors.source,
            "seed": seed,
            "replications": replications,
            "policies": policies,
            "levels": level_names,
            "simulation_events": result.events,
            "environment": environment_versions(),
            "columns": {
                "replications.csv": {f"<side>_{m}": d for m, d in SIDE_METRICS}
                | {"encounters_<level>": "encounters at that level (count)"},
            },
            "scenario": sc.model_dump(mode="json", by_alias=True),
        }
        atomic_write_text(staging / "manifest.json", json_text(manifest))
        target.rmdir()  # created empty by new_results_dir to reserve the name
        os.replace(staging, target)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise

    print(f"{sc.name}: {replications} replications x {len(policies)} policies, seed {seed}, {wall_s:.1f} s")
    hours = sc.horizon_h
    print(f"\nEncounters per replication ({hours:g} h), mean ±95 % CI half-width:")
    print(summary_table(summary, policies, [(f"encounters_{lv}", lv) for lv in level_names]))
    cost_cols = []
    for side in sc.side_names:
        for m, head in (
            ("delay_min", "delay min"),
            ("lost_on_station_min", "lost min"),
            ("retasked", "retasked"),
            ("cancelled", "cancelled"),
        ):
            cost_cols.append((f"{side}_{m}", f"{side} {head}"))
    print(f"\nCost of deconfliction per replication ({hours:g} h), summed over sorties:")
    print(summary_table(summary, policies, cost_cols))
    print(f"\nresults: {target}/ (manifest.json, replications.csv, encounters.csv, summary.csv)")
    return 0


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="deconflict",
        description="Simulate two air forces without a common controller and count their near-conflicts exactly.",
    )
    p.add_argument("--version", action="version", version=f"deconflict {__version__}")
    sub = p.add_subparsers(dest="command", required=True, metavar="COMMAND")

    run = sub.add_parser("run", help="run every policy of a scenario for N replications and write results")
    run.add_argument("scenario", help="scenario YAML file")
    run.add_argument("--replications", "-n", type=int, help="replications per policy (default: the scenario's)")
    run.add_argument("--seed", type=int, help="root seed (default: the scenario's)")
    run.add_argument("--policy", action="append", metavar="NAME", help="run only this policy (repeatable)")
    run.add_argument("--out", help="results directory to create (must not exist or be empty)")
    run.add_argument(
        "--results-root", default=str(DEFAULT_RESULTS_ROOT), help="where new results directories go (default: results/)"
    )
    run.add_argument("--quiet", "-q", action="store_true", help="no progress line")
    run.set_defaults(func=_cmd_run)

    val = sub.add_parser("validate", help="check a scenario file and summarise it")
    val.add_argument("scenario")
    val.set_defaults(func=_cmd_validate)

    sch = sub.add_parser("schema", help="print the JSON Schema of scenario files")
    sch.add_argument("--output", "-o", help="write it to this file instead")
    sch.set_defaults(func=_cmd_schema)

    det = sub.add_parser("detect", help="count near-conflicts between the two sides in a tracks CSV")
    det.add_argument("tracks", help="CSV with columns flight,side,t,x,y,z (s, m, m, m)")
    det.add_argument("--horizontal-nm", type=float, help="horizontal separation in nautical miles")
    det.add_argument("--horizontal-ft", type=float, help="horizontal separation in feet")
    det.add_argument("--vertical-ft", type=float, required=True, help="vertical separation in feet")
    det.add_argument("--output", "-o", help="write the encounters to this CSV")
    det.add_argument("--quiet", "-q", action="store_true", help="print only the count")
    det.set_defaults(func=_cmd_detect)
    return p


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of ``deconflict``; returns the exit code."""
    args = _parser().parse_args(argv)
    try:
        return int(args.func(args))
    except InputError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_INPUT
    except KeyboardInterrupt:
        print("\ninterrupted: nothing was written", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return 0


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
