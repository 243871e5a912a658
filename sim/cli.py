"""The ``deconflict`` command: parses its options and calls ``sim.api`` (run, sweep, detect, report, ...).

Bad input of any kind prints ``error: <file>: <what>`` on stderr and exits with code 2,
without a traceback and without writing anything.
"""

from __future__ import annotations

import argparse
import os
import signal
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sim import __version__
from sim.errors import InputError
from sim.experiment.progress import PROGRESS_MODES
from sim.units import FT_M, NM_M

if TYPE_CHECKING:
    from sim.experiment.runner import Execution

__all__ = ["main"]

EXIT_INPUT = 2
DEFAULT_RESULTS_ROOT = Path("results")


def _tempo(side: Any, horizon_h: float) -> str:
    """A side's planned sorties a day: its shared tempo plus the fleets' own tempos, and what
    that is over a horizon other than a day."""
    own = sum(f.sorties_per_day for f in side.fleets.values() if f.sorties_per_day is not None)
    total = side.sorties_per_day + own
    text = f"{total:g} sorties/day"
    if own != 0:
        text += f": {side.sorties_per_day:g} shared by its fleets + {own:g} of fleets' own tempo"
    if horizon_h != 24:
        text += f"; {total * horizon_h / 24:.3g} in {horizon_h:g} h"
    return text


def _cmd_validate(args: argparse.Namespace) -> int:
    from sim.experiment.tables import heading, plural
    from sim.model.rules import rule_for
    from sim.scenario.load import load_scenario

    loaded = load_scenario(args.scenario)
    sc = loaded.scenario
    print(f"{args.scenario}: ok")
    for n, s in sc.sides.items():
        print(
            heading(f"  side {n}: {plural(len(s.fleets), 'fleet')}, {_tempo(s, sc.horizon_h)}").replace("\n", "\n    ")
        )
    print(f"  sectors: {len(loaded.sectors.sectors)} from {loaded.sectors.source}")
    print(f"  levels: {', '.join(lv.name for lv in sc.levels)}")
    if sc.warmup_h > 0:
        print(
            f"  warm-up: {sc.warmup_h:g} h flown before and after the measured {sc.horizon_h:g} h "
            f"(only [0, {sc.horizon_h:g} h) is counted)"
        )
    else:
        print(f"  warm-up: none (the {sc.horizon_h:g} h day alone: its sorties start from nothing at 0)")
    policies = heading(f"  policies: {', '.join(f'{n} ({p.kind})' for n, p in sc.policies.items())}")
    print(policies.replace("\n", "\n    "))
    for name, policy in sc.policies.items():
        rule = rule_for(policy)
        moved = []
        for side_name, side in sc.sides.items():
            for fleet_name, fleet in side.fleets.items():
                low, high = rule.altitude_block(side_name, fleet.floor_m, fleet.ceiling_m)
                if (low, high) != (fleet.floor_m, fleet.ceiling_m):
                    moved.append(
                        f"{side_name}.{fleet_name} {fleet.floor_ft:,.0f}-{fleet.ceiling_ft:,.0f} ft -> "
                        f"{low / FT_M:,.0f}-{high / FT_M:,.0f} ft"
                    )
        if moved:
            print(f"  {name} moves altitude blocks:")
            for line in moved:
                print(f"    {line}")
    return 0


def _cmd_schema(args: argparse.Namespace) -> int:
    from sim.scenario.models import scenario_json_schema

    text = scenario_json_schema()
    if args.output:
        from sim.experiment.results import atomic_write_text

        target = Path(args.output)
        if target.is_dir():
            raise InputError("is a directory; expected a file name for the schema", path=str(target))
        if not target.parent.is_dir():  # as for every output file: its folder must exist
            raise InputError("its directory does not exist; expected a file in an existing directory", path=str(target))
        try:
            atomic_write_text(target, text)
        except OSError as exc:
            raise InputError(f"cannot write: {exc.strerror or exc}", path=str(target)) from None
    else:
        sys.stdout.write(text)
    return 0


def _option(name: str) -> str:
    """An API keyword as the command line spells the option: ``chunk_size`` -> ``--chunk-size``."""
    return "--" + name.replace("_", "-")


def _cmd_detect(args: argparse.Namespace) -> int:
    from sim.api.detecting import _output_path, detect_tracks
    from sim.detect.tracks import read_tracks

    say = (lambda msg: print(msg, file=sys.stderr, flush=True)) if not args.quiet else (lambda msg: None)
    levels = _detect_levels(args)
    if levels is None:  # one separation, with or without position errors: the API's detect
        found = detect_tracks(
            args.tracks,
            vertical_ft=args.vertical_ft,
            horizontal_nm=args.horizontal_nm,
            horizontal_ft=args.horizontal_ft,
            output=args.output,
            lateral_sd_ft=args.lateral_sd_ft,
            vertical_sd_ft=args.vertical_sd_ft,
            lateral_law=args.lateral_law,
            json_path=args.json,
            say=say,
            option=_option,
        )
        print(found.headline)
        return 0
    out = _output_path(args.output)
    t0 = time.monotonic()
    tracks = read_tracks(args.tracks)
    t1 = time.monotonic()
    say(
        f"read {tracks.n_points} points: {len(tracks)} flights, {tracks.n_legs} legs, "
        f"sides {', '.join(tracks.side_names)} ({t1 - t0:.2f} s)"
    )
    return _detect_levels_run(tracks, levels, out, say, t1)


def _detect_levels(args: argparse.Namespace) -> list[Any] | None:
    """The levels of ``--level`` (repeatable) or ``--levels-from SCENARIO``; None when neither is
    given (one separation from --horizontal-nm/--horizontal-ft and --vertical-ft)."""
    from sim.scenario.level_options import levels_of_scenario, parse_level

    if not args.level and not args.levels_from:
        return None
    if args.level and args.levels_from:
        raise InputError("give --level or --levels-from, not both")
    if args.horizontal_nm is not None or args.horizontal_ft is not None or args.vertical_ft is not None:
        raise InputError(
            "give levels (--level or --levels-from) or one separation (--horizontal-nm/-ft, --vertical-ft), not both"
        )
    if args.lateral_sd_ft is not None or args.vertical_sd_ft is not None or args.json:
        raise InputError(
            "the expected count under errors takes one separation: --horizontal-ft and --vertical-ft, not --level"
        )
    levels = [parse_level(text) for text in args.level] if args.level else levels_of_scenario(Path(args.levels_from))
    names = [lv.name for lv in levels]
    repeated = sorted({n for n in names if names.count(n) > 1})
    if repeated:
        raise InputError(
            f"--level: each level needs its own name, found {', '.join(map(repr, repeated))} twice or more"
        )
    return levels


def _detect_levels_run(tracks: Any, levels: list[Any], out: Path | None, say: Any, t1: float) -> int:
    """``detect`` with several levels: one pass, the count of each, one CSV with a ``level`` column."""
    from sim.api.detecting import _csv_field as csv_field
    from sim.detect.encounters import Encounters, find_encounters_levels

    found = find_encounters_levels(tracks, [(lv.horizontal_m, lv.vertical_m) for lv in levels])
    t2 = time.monotonic()
    if out is not None:
        lines = [",".join(("level", *Encounters.COLUMNS))]
        for lv, encounters in zip(levels, found, strict=True):
            for row in encounters.rows():
                cells = [csv_field(v) if isinstance(v, str) else repr(float(v)) for v in row.values()]
                lines.append(",".join((lv.name, *cells)))
        tmp = out.with_name(f".{out.name}.{os.getpid()}.tmp")
        try:
            tmp.write_text("\n".join(lines) + "\n", encoding="utf-8")
            os.replace(tmp, out)
        except BaseException:
            tmp.unlink(missing_ok=True)
            raise
    width = max(len(lv.name) for lv in levels)
    for lv, encounters in zip(levels, found, strict=True):
        n = len(encounters)
        print(
            f"{lv.name.ljust(width)}  {n} encounter{'' if n == 1 else 's'} "
            f"({lv.horizontal_m / NM_M:g} NM = {lv.horizontal_m:.0f} m, {lv.vertical_m / FT_M:g} ft = {lv.vertical_m:.0f} m)"
        )
    say(f"{len(levels)} levels in one pass, {t2 - t1:.2f} s" + (f"; written to {out}" if out is not None else ""))
    return 0


def _check_counts(args: argparse.Namespace) -> None:
    """--replications, --chunk-size and --workers, when given, must be at least 1; --seed >= 0."""
    from sim.api.driver import check_counts

    counts = {"replications": args.replications, "chunk_size": args.chunk_size, "workers": args.workers}
    check_counts(counts | {"seed": args.seed}, _option)


def _execution(args: argparse.Namespace) -> Execution:
    """How ``run``, ``sweep`` or ``sensitivity`` executes, from its options."""
    from sim.api.driver import make_execution

    return make_execution(
        workers=args.workers,
        dask=args.dask,
        chunk_size=args.chunk_size,
        out=args.out or None,
        results_root=args.results_root,
        resume=args.resume,
        progress=_progress_mode(args),
        resume_command=lambda out: _resume_command(args, out),
        option=_option,
    )


def _progress_mode(args: argparse.Namespace) -> str:
    return "none" if args.quiet else str(args.progress)


def _resume_command(args: argparse.Namespace, out: Path) -> str:
    """This command line again, writing into ``out`` with ``--resume`` (shell-quoted)."""
    import shlex

    tokens: list[str] = []
    skip = False
    for token in args.argv:
        if skip:
            skip = False
        elif token in ("--out", "--results-root"):
            skip = True
        elif not (token == "--resume" or token.startswith(("--out=", "--results-root="))):
            tokens.append(token)
    return shlex.join(["deconflict", *tokens, "--out", str(out), "--resume"])


def _cmd_run(args: argparse.Namespace) -> int:
    from sim.api.driver import drive_run
    from sim.scenario.load import load_scenario

    _check_counts(args)
    loaded = load_scenario(args.scenario)
    outcome = drive_run(
        loaded,
        policies=args.policy,
        replications=args.replications,
        seed=args.seed,
        execution=_execution(args),
        plot=args.plot,
        report=args.report,
        no_tactical=args.no_tactical,
        with_no_tactical=args.with_no_tactical,
        sections=_sections(args),
        save_tracks=args.save_tracks,
        option=_option,
    )
    return outcome.code


def _sections(args: argparse.Namespace) -> tuple[str, ...]:
    """The printed summary's sections chosen by ``--metrics`` (all by default)."""
    from sim.experiment.report import parse_sections

    return parse_sections(args.metrics)


def _plot(results: Path, out: Path | None, fmt: str) -> list[Path]:
    from sim.plots.figures import plot_results

    written = plot_results(results, out, fmt)
    where = out or results / "figures"
    print(f"figures: {len(written)} written to {where}/")
    return written


def _cmd_plot(args: argparse.Namespace) -> int:
    _plot(Path(args.results), Path(args.out) if args.out else None, args.format)
    return 0


def _cmd_compare(args: argparse.Namespace) -> int:
    from sim.experiment.compare import comparison_json, paired_summary, read_replications
    from sim.experiment.report import print_summary
    from sim.experiment.results import atomic_write_text, json_text

    sections = _sections(args)
    run_dir = Path(args.results)
    target = Path(args.json) if args.json else None
    if target is not None and (target.is_dir() or not target.parent.is_dir()):
        what = "is a directory" if target.is_dir() else "its directory does not exist"
        raise InputError(f"--json: {what}; expected a file name", path=str(target))
    if (run_dir / "points.csv").is_file():
        raise InputError(
            "this is a sweep; compare the run of one point, e.g. " + str(run_dir / "points" / "000"), path=str(run_dir)
        )
    table, manifest = read_replications(run_dir)
    reference = args.reference or table.policies[0]
    summary = paired_summary(table, reference, int(manifest.get("seed", 0)))
    levels = manifest.get("levels") or [
        m.removeprefix("encounters_") for m in table.metrics if m.startswith("encounters_")
    ]
    sides = [m.removesuffix("_sorties_planned") for m in table.metrics if m.endswith("_sorties_planned")]
    horizon_h = float(manifest.get("scenario", {}).get("horizon_h", 24.0))
    order = [reference] + [p for p in table.policies if p != reference]
    if target is not None:  # the file first: a reader that closes the pipe early must not lose it
        atomic_write_text(target, json_text(comparison_json(summary, manifest)))
    print(f"{run_dir}: {len(table.policies)} policies, reference {reference}")
    print_summary(summary, order, levels, sides, horizon_h, sections)
    if target is not None:
        print(f"\ncomparison written to {target}")
    return 0


def _cmd_sweep(args: argparse.Namespace) -> int:
    from sim.api.driver import drive_sweep

    _check_counts(args)
    outcome = drive_sweep(
        args.scenario,
        args.set or [],
        policies=args.policy,
        replications=args.replications,
        seed=args.seed,
        execution=_execution(args),
        plot=args.plot,
        report=args.report,
        metric=args.metric,
        option=_option,
    )
    return outcome.code


def _cmd_sensitivity(args: argparse.Namespace) -> int:
    from sim.api.driver import drive_sensitivity

    _check_counts(args)
    outcome = drive_sensitivity(
        args.file,
        policies=args.policy,
        replications=args.replications,
        seed=args.seed,
        execution=_execution(args),
        report=args.report,
        option=_option,
    )
    return outcome.code


def _cmd_report(args: argparse.Namespace) -> int:
    from sim.report.page import write_report

    target = write_report(Path(args.results), Path(args.output) if args.output else None)
    print(f"report: {target}")
    return 0


def _cmd_facts(args: argparse.Namespace) -> int:
    from sim.experiment.facts import check_facts, facts_table
    from sim.scenario.facts import load_facts

    facts = load_facts(Path(args.facts))
    verdicts = check_facts(Path(args.results), facts)
    print(facts_table(verdicts))
    return 0 if all(v.passed for v in verdicts) else 1


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="deconflict",
        description="Simulate two air forces without a common controller and count their near-conflicts exactly.",
    )
    p.add_argument("--version", action="version", version=f"deconflict {__version__}")
    sub = p.add_subparsers(dest="command", required=True, metavar="COMMAND")

    def executor_options(cmd: argparse.ArgumentParser) -> None:
        cmd.add_argument("--replications", "-n", type=int, help="replications per policy (default: the scenario's)")
        cmd.add_argument("--seed", type=int, help="root seed (default: the scenario's)")
        cmd.add_argument("--policy", action="append", metavar="NAME", help="run only this policy (repeatable)")
        cmd.add_argument("--out", help="results directory to create (must not exist or be empty)")
        cmd.add_argument(
            "--results-root",
            default=str(DEFAULT_RESULTS_ROOT),
            help="where new results directories go (default: results/)",
        )
        cmd.add_argument(
            "--workers", "-j", type=int, help="worker processes (default: the number of cores; 1 = in-process)"
        )
        cmd.add_argument(
            "--dask", metavar="ADDRESS", help="run on a Dask cluster (tcp://host:8786) or 'local' (LocalCluster)"
        )
        cmd.add_argument(
            "--chunk-size", type=int, help="replications per work item (default: about 4 per worker, at most 10)"
        )
        cmd.add_argument(
            "--resume", action="store_true", help="finish an interrupted run (in --out, or the newest one)"
        )
        cmd.add_argument(
            "--progress", choices=PROGRESS_MODES, default="auto", help="progress on stderr: bar, plain lines or none"
        )
        cmd.add_argument("--quiet", "-q", action="store_true", help="no progress output (same as --progress none)")
        cmd.add_argument("--plot", action="store_true", help="write the figures when the run is done")
        cmd.add_argument(
            "--report", action="store_true", help="write the one-file HTML report (RESULTS/report.html) when done"
        )

    def metrics_option(cmd: argparse.ArgumentParser) -> None:
        cmd.add_argument(
            "--metrics",
            metavar="LIST",
            help="print only these sections, comma-separated: encounters, value, cost, tactical, risk "
            "(default: all); the paired differences follow",
        )

    run = sub.add_parser("run", help="run every policy of a scenario for N replications and write results")
    run.add_argument("scenario", help="scenario YAML file")
    run.add_argument(
        "--no-tactical",
        action="store_true",
        help="switch every side's tactical layer off (same sorties: compare the layers)",
    )
    run.add_argument(
        "--with-no-tactical",
        action="store_true",
        help="also run the same sorties with every tactical layer off, into RUN/no-tactical/ "
        "(the layers figure's 'no tactical layer' bars)",
    )
    run.add_argument(
        "--save-tracks",
        metavar="REPS",
        help="also write the tracks of these replications (e.g. 0,3 or 0-2) of every policy to RUN/tracks/, "
        "in the CSV format detect reads",
    )
    executor_options(run)
    metrics_option(run)
    run.set_defaults(func=_cmd_run)

    swp = sub.add_parser("sweep", help="run a scenario at every combination of parameter values")
    swp.add_argument("scenario", help="scenario YAML file, or a sweep file (scenarios/sweeps/*.yaml)")
    swp.add_argument(
        "--set", action="append", metavar="PATH=V1,V2", help="dotted path into the scenario and its values (repeatable)"
    )
    swp.add_argument(
        "--metric",
        metavar="NAME",
        help="what the printed pivot shows: a level (e.g. proximity-20nm) or a replications.csv column "
        "(default: the sweep file's metric, else the first level)",
    )
    executor_options(swp)
    swp.set_defaults(func=_cmd_sweep)

    sen = sub.add_parser("sensitivity", help="global sensitivity analysis (Morris or Sobol') of a sensitivity file")
    sen.add_argument("file", help="sensitivity file (scenarios/sensitivity/*.yaml)")
    executor_options(sen)
    sen.set_defaults(func=_cmd_sensitivity)

    fct = sub.add_parser("facts", help="hold a finished run against reported facts (exit 1 if any row fails)")
    fct.add_argument("results", help="results directory of a run")
    fct.add_argument("facts", help="facts file (scenarios/facts/*.yaml)")
    fct.set_defaults(func=_cmd_facts)

    cmp_ = sub.add_parser("compare", help="paired comparison of the policies of a finished run")
    cmp_.add_argument("results", help="results directory of a run")
    cmp_.add_argument("--reference", help="policy to compare against (default: the first)")
    cmp_.add_argument("--json", help="also write the comparison as JSON to this file")
    metrics_option(cmp_)
    cmp_.set_defaults(func=_cmd_compare)

    rep = sub.add_parser("report", help="write a one-file HTML report of a run, sweep or sensitivity directory")
    rep.add_argument("results", help="results directory of a run, a sweep or a sensitivity analysis")
    rep.add_argument("--output", "-o", help="the HTML file to write (default: RESULTS/report.html)")
    rep.set_defaults(func=_cmd_report)

    plt_ = sub.add_parser("plot", help="draw the figures of a run or sweep directory")
    plt_.add_argument("results", help="results directory of a run or a sweep")
    plt_.add_argument("--out", help="where to write the figures (default: RESULTS/figures)")
    plt_.add_argument("--format", choices=("png", "svg", "pdf"), default="png")
    plt_.set_defaults(func=_cmd_plot)

    val = sub.add_parser("validate", help="check a scenario file and summarise it")
    val.add_argument("scenario")
    val.set_defaults(func=_cmd_validate)

    sch = sub.add_parser("schema", help="print the JSON Schema of scenario files")
    sch.add_argument("--output", "-o", help="write it to this file instead")
    sch.set_defaults(func=_cmd_schema)

    det = sub.add_parser("detect", help="count near-conflicts between the two sides of a tracks CSV (any two labels)")
    det.add_argument("tracks", help="CSV with columns flight,side,t,x,y,z (s, m, m, m)")
    det.add_argument("--horizontal-nm", type=float, help="horizontal separation in nautical miles")
    det.add_argument("--horizontal-ft", type=float, help="horizontal separation in feet")
    det.add_argument("--vertical-ft", type=float, help="vertical separation in feet")
    det.add_argument(
        "--level",
        action="append",
        metavar="NAME:H_NM:V_FT",
        help="count this level too, e.g. los:5:1000 (repeatable; instead of --horizontal-*/--vertical-ft)",
    )
    det.add_argument("--levels-from", metavar="SCENARIO", help="count the levels of this scenario file")
    det.add_argument("--output", "-o", help="write the encounters (with errors: one row per screened pair) to this CSV")
    det.add_argument(
        "--lateral-sd-ft", type=float, help="each flight's east and north position error sd (ft): expected counts"
    )
    det.add_argument("--vertical-sd-ft", type=float, help="each flight's height error sd (ft), with --lateral-sd-ft")
    det.add_argument("--lateral-law", choices=["normal", "laplace"], default="normal", help="law of the lateral error")
    det.add_argument("--json", help="with errors: write the totals (expected_encounters, pairs, ...) to this JSON file")
    det.add_argument("--quiet", "-q", action="store_true", help="print only the count")
    det.set_defaults(func=_cmd_detect)
    return p


class _PipeSafeStdout:
    """Standard output that survives its reader going away (``deconflict run ... | head``):
    the first write to a closed pipe sends the rest to the null device, so the command goes
    on and writes every file it was asked for (figures, a companion run) and exits 0."""

    def __init__(self, stream: Any) -> None:
        self._stream = stream

    def write(self, text: str) -> int:
        try:
            return int(self._stream.write(text))
        except BrokenPipeError:
            _silence_stdout()
            return len(text)

    def flush(self) -> None:
        try:
            self._stream.flush()
        except BrokenPipeError:
            _silence_stdout()

    def __getattr__(self, name: str) -> Any:
        return getattr(self._stream, name)


def _silence_stdout() -> None:
    """Point file descriptor 1 at the null device (the reader of the pipe is gone)."""
    devnull = os.open(os.devnull, os.O_WRONLY)
    try:
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):
        pass
    finally:
        os.close(devnull)


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of ``deconflict``; returns the exit code."""
    argv = list(sys.argv[1:] if argv is None else map(str, argv))
    args = _parser().parse_args(argv)
    args.argv = argv
    try:
        return int(args.func(args))
    except InputError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_INPUT
    except KeyboardInterrupt:
        print("\ninterrupted: nothing was written", file=sys.stderr)
        return 130
    except BrokenPipeError:  # raised outside a print (a flush): the work is done
        _silence_stdout()
        return 0


def run() -> None:
    """The console script: ``main()``, then exit; after Ctrl-C, exit at once.

    An interrupted run has already saved what it finished and printed how to resume; exiting
    with ``os._exit`` then skips interpreter clean-up (joining a process pool's threads),
    which a late second signal could otherwise turn into a hang or a traceback. Standard
    output is made safe against a reader that goes away (``_PipeSafeStdout``).
    """
    sys.stdout = _PipeSafeStdout(sys.stdout)
    code = main()
    if code == 130:
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(130)
    raise SystemExit(code)


if __name__ == "__main__":  # pragma: no cover
    run()
