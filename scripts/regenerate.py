"""Regenerate the committed expected outputs after an intended change, and say what changed.

    python scripts/regenerate.py golden      # tests/repro/golden/corridor-small (seconds)
    python scripts/regenerate.py reference   # results/reference/syria-2015-10 with figures and its
                                             # no-tactical companion (two minutes)
    python scripts/regenerate.py golden --check   # only report, change nothing (exit 1 if different)

Each target is run afresh into a temporary folder with the same command, compared file by
file with the committed copy (rows added, removed and changed; for ``summary.csv`` the
means that moved, old -> new, with the old 95 % interval; figures are redrawn but not
compared), and only then swapped in. Tests
never rewrite these files: they only compare. Say why in CHANGES.md and the commit message.
"""

from __future__ import annotations

import argparse
import contextlib
import csv
import io
import json
import os
import shutil
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from sim.cli import main as deconflict  # noqa: E402

TABLES = ("summary.csv", "replications.csv", "encounters.csv", "airborne.csv")


def _golden_argv(out: Path) -> list[str]:
    return ["run", "scenarios/corridor-small.yaml", "--out", str(out), "-q", "-j", "1"]


def _reference_argv(out: Path) -> list[str]:
    manifest = json.loads((REFERENCE / "manifest.json").read_text(encoding="utf-8"))
    scenario = Path(manifest["scenario_file"])
    if scenario.is_absolute():  # written by a run started elsewhere: name it from the project folder
        scenario = scenario.relative_to(REPO)
    # with the same sorties with the tactical layer off, for the layers figure
    argv = ["run", scenario.as_posix(), "--out", str(out), "-q", "--plot", "--with-no-tactical"]
    argv += ["--seed", str(manifest["seed"]), "--replications", str(manifest["replications"])]
    for policy in manifest["policies"]:
        argv += ["--policy", policy]
    return argv


GOLDEN = REPO / "tests" / "repro" / "golden" / "corridor-small"
REFERENCE = REPO / "results" / "reference" / "syria-2015-10"
TARGETS = {
    "golden": (GOLDEN, _golden_argv, ("replications.csv", "encounters.csv", "summary.csv")),
    "reference": (REFERENCE, _reference_argv, None),  # the whole run directory, figures included
}


def _rows(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text)))


def describe(name: str, old: str, new: str) -> list[str]:
    """Human-readable lines on how table ``name`` changed from ``old`` to ``new`` (CSV texts)."""
    if old == new:
        return []
    before, after = _rows(old), _rows(new)
    lines = [f"{name}: {len(before)} -> {len(after)} rows"]
    if name == "summary.csv":
        old_by = {(r["policy"], r["metric"]): r for r in before}
        for r in after:
            o = old_by.get((r["policy"], r["metric"]))
            if o is None:
                lines.append(f"  new row {r['policy']} {r['metric']}: mean {r['mean']}")
            elif o["mean"] != r["mean"]:
                inside = float(o["ci95_low"]) <= float(r["mean"]) <= float(o["ci95_high"])
                lines.append(
                    f"  {r['policy']:>18} {r['metric']:<34} {float(o['mean']):10.4g} -> {float(r['mean']):10.4g}"
                    f"  (old 95 % CI {float(o['ci95_low']):.4g} .. {float(o['ci95_high']):.4g}"
                    f"{'' if inside else ', OUTSIDE'})"
                )
    else:
        old_set, new_set = set(old.splitlines()[1:]), set(new.splitlines()[1:])
        lines.append(f"  {len(new_set - old_set)} rows new or changed, {len(old_set - new_set)} rows gone or changed")
    return lines


def regenerate(target: str, check: bool) -> int:
    dest, argv_of, files = TARGETS[target]
    with tempfile.TemporaryDirectory(prefix=f"regen-{target}-") as tmp:
        fresh = Path(tmp) / "out"
        argv = argv_of(fresh)
        # run from the project folder, as the command a user would type, so that the manifest
        # records project-relative paths and that command (not this script's)
        saved_argv, saved_cwd = sys.argv, Path.cwd()
        try:
            os.chdir(REPO)
            shown = [dest.relative_to(REPO).as_posix() if a == str(fresh) else a for a in argv]
            sys.argv = ["deconflict", *shown]  # the command as typed, into its final folder
            with contextlib.redirect_stdout(io.StringIO()):  # the run's own tables; the differences are what matter
                code = deconflict(argv)
        finally:
            sys.argv = saved_argv
            os.chdir(saved_cwd)
        if code != 0:
            print(f"{target}: the run failed; nothing changed", file=sys.stderr)
            return 2
        report: list[str] = []
        compared = list(files or TABLES)
        if files is None and (fresh / "no-tactical").is_dir():
            compared += [f"no-tactical/{name}" for name in TABLES]
        for name in compared:
            old = (dest / name).read_text(encoding="utf-8") if (dest / name).is_file() else ""
            report += describe(name, old, (fresh / name).read_text(encoding="utf-8"))
        if not report:
            print(f"{target}: {dest.relative_to(REPO)} is up to date")
            return 0
        print(f"{target}: {dest.relative_to(REPO)} differs from a fresh run:")
        print("\n".join(report))
        if check:
            return 1
        staged = dest.with_name(dest.name + ".new")
        shutil.rmtree(staged, ignore_errors=True)
        if files is None:
            shutil.copytree(fresh, staged)
        else:
            staged.mkdir(parents=True)
            for name in files:
                shutil.copyfile(fresh / name, staged / name)
        old_copy = dest.with_name(dest.name + ".old")
        shutil.rmtree(old_copy, ignore_errors=True)
        if dest.exists():
            dest.rename(old_copy)
        staged.rename(dest)
        shutil.rmtree(old_copy, ignore_errors=True)
        print(f"{target}: written; say why in CHANGES.md and the commit message")
    return 0


def _main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("target", choices=sorted(TARGETS))
    parser.add_argument("--check", action="store_true", help="report differences only; exit 1 if there are any")
    args = parser.parse_args()
    return regenerate(args.target, args.check)


if __name__ == "__main__":
    sys.exit(_main())
