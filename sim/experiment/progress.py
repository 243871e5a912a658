"""Progress of long runs on stderr: a tqdm bar on a terminal, plain lines in logs, or nothing."""

from __future__ import annotations

import sys
import time
from typing import Any, TextIO

__all__ = ["PROGRESS_MODES", "Progress"]

PROGRESS_MODES = ("auto", "bar", "plain", "none")


class Progress:
    """Counts work items done out of ``total``; ``mode`` is one of ``PROGRESS_MODES``.

    ``auto`` draws a bar when the stream is a terminal and writes a plain line at most every
    ``every_s`` seconds otherwise. Work done before this session (``skip``) counts towards
    the total but not towards the rate or the time left.
    """

    def __init__(
        self, total: int, label: str, mode: str = "auto", stream: TextIO | None = None, every_s: float = 10.0
    ) -> None:
        self.total = total
        self.label = label
        self.stream = stream or sys.stderr
        self.every_s = every_s
        if mode == "auto":
            mode = "bar" if self.stream.isatty() else "plain"
        self.mode = mode
        self.done = 0
        self.skipped = 0
        self.start = time.monotonic()
        self.last = self.start
        self._bar: Any = None

    def _ensure_bar(self) -> None:
        if self.mode == "bar" and self._bar is None:
            from tqdm.auto import tqdm  # lazy; a widget in a notebook, a terminal bar elsewhere

            # tqdm leaves its `initial` count out of the rate, as resumed work should be
            self._bar = tqdm(
                total=self.total, initial=self.done, desc=self.label, unit="run", file=self.stream, smoothing=0.1
            )

    def skip(self, n: int) -> None:
        """Count ``n`` items already done before this session (resumed work)."""
        self.done += n
        self.skipped += n
        self.start = time.monotonic()
        self._ensure_bar()

    def update(self, n: int) -> None:
        """Count ``n`` items just finished."""
        if self.mode == "bar":
            self._ensure_bar()
            self.done += n
            self._bar.update(n)
            return
        self.done += n
        now = time.monotonic()
        if self.mode == "plain" and (now - self.last >= self.every_s or self.done >= self.total):
            self.last = now
            fresh = self.done - self.skipped
            rate = fresh / (now - self.start) if now > self.start else 0.0
            left = (self.total - self.done) / rate if rate > 0 else float("nan")
            self.stream.write(
                f"{self.label}: {self.done}/{self.total} ({100 * self.done / max(self.total, 1):.0f} %), "
                f"{rate:.1f}/s, {left:.0f} s left\n"
            )
            self.stream.flush()

    def close(self) -> None:
        if self._bar is not None:
            self._bar.close()
