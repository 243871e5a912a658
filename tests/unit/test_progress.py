"""Progress on stderr: plain lines for logs (done/total, rate, time left), a tqdm bar, or nothing with ``-q``."""

from __future__ import annotations

import io
import re
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from types import SimpleNamespace

import pytest

import sim.experiment.progress
from sim.experiment.progress import Progress
from tests.conftest import REPO, CliResult

SMALL = REPO / "scenarios" / "corridor-small.yaml"
LINE = re.compile(
    r"^(?P<label>.+): (?P<done>\d+)/(?P<total>\d+) \((?P<pct>\d+) %\), (?P<rate>[\d.]+)/s, (?P<left>\S+) s left$"
)


class Clock:
    """A stand-in for ``time`` in ``sim.experiment.progress``: ``monotonic()`` returns ``now``."""

    def __init__(self) -> None:
        self.now = 1000.0

    def monotonic(self) -> float:
        return self.now


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Clock:
    c = Clock()
    monkeypatch.setattr(sim.experiment.progress, "time", SimpleNamespace(monotonic=c.monotonic))
    return c


def _run(tmp_path: Path, *options: str) -> subprocess.CompletedProcess[str]:
    """``python -m sim run`` in a fresh process, stderr a pipe (not a terminal), as in a log."""
    cmd = [sys.executable, "-m", "sim", "run", str(SMALL), "-n", "4", "--out", str(tmp_path / "out"), *options]
    proc = subprocess.run(cmd, capture_output=True, text=True, cwd=tmp_path, timeout=120)
    assert proc.returncode == 0, proc.stderr
    return proc


def test_plain_progress_writes_done_total_and_rate(cli: Callable[..., CliResult], tmp_path: Path) -> None:
    res = cli("run", SMALL, "-n", "4", "--out", tmp_path / "out", "--progress", "plain", "-j", "1")
    assert res.code == 0
    lines = [m for ln in res.err.splitlines() if (m := LINE.match(ln))]
    assert lines, res.err
    last = lines[-1]
    assert last["label"] == "corridor-small"
    assert (int(last["done"]), int(last["total"]), int(last["pct"])) == (24, 24, 100)
    assert float(last["rate"]) > 0 and last["left"] == "0"
    assert "\r" not in res.err  # lines for logs, no bar redrawing


def test_auto_progress_off_a_terminal_is_plain(tmp_path: Path) -> None:
    err = _run(tmp_path, "-j", "2").stderr
    assert [ln for ln in err.splitlines() if LINE.match(ln)], err
    assert "\r" not in err


def test_quiet_writes_nothing_to_stderr_even_from_workers(tmp_path: Path) -> None:
    proc = _run(tmp_path, "-q", "-j", "2")
    assert proc.stderr == ""
    assert "corridor-small: 4 replications" in proc.stdout  # the summary still goes to stdout


@pytest.mark.parametrize("options", [["-q"], ["--progress", "none"], ["-q", "--progress", "bar"]])
def test_quiet_and_none_write_nothing_to_stderr(
    cli: Callable[..., CliResult], tmp_path: Path, options: list[str]
) -> None:
    res = cli("run", SMALL, "-n", "2", "--out", tmp_path / "out", "-j", "1", *options)
    assert res.code == 0
    assert res.err == ""
    assert "corridor-small: 2 replications" in res.out


def test_bar_option_draws_a_tqdm_bar_on_stderr(cli: Callable[..., CliResult], tmp_path: Path) -> None:
    res = cli("run", SMALL, "-n", "4", "--out", tmp_path / "out", "--progress", "bar", "-j", "1")
    assert res.code == 0
    assert "corridor-small" in res.err and "24/24" in res.err and "100%" in res.err, res.err


def test_plain_lines_count_rate_and_time_left(clock: Clock) -> None:
    out = io.StringIO()
    progress = Progress(100, "demo", mode="plain", stream=out, every_s=5.0)
    clock.now += 2.0
    progress.update(10)  # too soon after the start: no line yet
    clock.now += 3.0
    progress.update(15)  # 25 done in 5 s
    clock.now += 1.0
    progress.update(5)  # 1 s after the last line: none
    clock.now += 5.0
    progress.update(20)  # 50 in 11 s
    clock.now += 1.0
    progress.update(50)  # the last one always gets a line
    progress.close()
    assert out.getvalue().splitlines() == [
        "demo: 25/100 (25 %), 5.0/s, 15 s left",
        "demo: 50/100 (50 %), 4.5/s, 11 s left",
        "demo: 100/100 (100 %), 8.3/s, 0 s left",
    ]


def test_resumed_work_counts_as_done_but_not_in_the_rate(clock: Clock) -> None:
    out = io.StringIO()
    progress = Progress(100, "demo", mode="plain", stream=out, every_s=0.0)
    clock.now += 30.0  # time spent before the skip (e.g. reading chunk files) is not computing
    progress.skip(60)
    clock.now += 4.0
    progress.update(20)
    assert out.getvalue() == "demo: 80/100 (80 %), 5.0/s, 4 s left\n"


def test_none_mode_writes_nothing(clock: Clock) -> None:
    out = io.StringIO()
    progress = Progress(10, "demo", mode="none", stream=out, every_s=0.0)
    progress.skip(3)
    for _ in range(7):
        clock.now += 1.0
        progress.update(1)
    progress.close()
    assert out.getvalue() == ""


def test_bar_mode_draws_a_tqdm_bar() -> None:
    out = io.StringIO()
    progress = Progress(40, "corridor-small", mode="bar", stream=out)
    progress.skip(10)
    for _ in range(3):
        progress.update(10)
    progress.close()
    text = out.getvalue()
    assert "\r" in text  # redrawn in place
    final = text.rstrip("\n").split("\r")[-1]
    assert final.startswith("corridor-small: 100%|")
    assert "40/40" in final and "run/s" in final


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_auto_mode_follows_the_stream() -> None:
    assert Progress(5, "demo", mode="auto", stream=Terminal()).mode == "bar"
    assert Progress(5, "demo", mode="auto", stream=io.StringIO()).mode == "plain"


def test_resumed_work_is_not_in_the_bar_rate(clock: Clock, monkeypatch: pytest.MonkeyPatch) -> None:
    import tqdm.std

    monkeypatch.setattr(tqdm.std, "time", clock.monotonic)  # tqdm's own clock
    monkeypatch.setattr(tqdm.std.tqdm, "monitor_interval", 0)  # no refresh thread on real time
    out = io.StringIO()
    progress = Progress(2000, "demo", mode="bar", stream=out)
    clock.now += 1.0
    progress.skip(900)
    for _ in range(10):
        clock.now += 1.0
        progress.update(10)
    progress.close()
    final = out.getvalue().rstrip("\n").split("\r")[-1]
    assert "1000/2000" in final, final
    rate = float(re.search(r"([\d.]+)run/s", final).group(1))  # type: ignore[union-attr]
    assert 8.0 < rate < 11.0, final
