"""Progress a person can follow on a terminal, and silence everywhere else.

One status line, rewritten in place at most every `interval` seconds: what has been done, the
rate and the time elapsed. Nothing is printed when stderr is not a terminal (cron, CI, logs),
unless forced, so logs are never flooded.
"""

from __future__ import annotations

import sys
import time


class ProgressLine:
    def __init__(self, label: str, unit: str = "items", total: int | None = None, interval: float = 0.5,
                 stream=None, force: bool | None = None):
        self.label, self.unit, self.total, self.interval = label, unit, total, interval
        self.stream = stream or sys.stderr
        self.enabled = force if force is not None else self.stream.isatty()
        self.started = time.monotonic()
        self.last_shown = 0.0
        self.shown_once = False

    def update(self, done: int, extra: str = "") -> None:
        now = time.monotonic()
        if not self.enabled or now - self.last_shown < self.interval:
            return
        self.last_shown = now
        self._show(done, extra, end="\r")

    def finish(self, done: int, extra: str = "") -> None:
        if self.enabled and self.shown_once:
            self._show(done, extra, end="\n")

    def _show(self, done: int, extra: str, end: str) -> None:
        elapsed = time.monotonic() - self.started
        rate = done / elapsed if elapsed > 0 else 0.0
        of_total = f"/{self.total}" if self.total else ""
        line = f"{self.label}: {done}{of_total} {self.unit}, {rate:,.0f}/s, {_clock(elapsed)}"
        self.stream.write(f"\x1b[2K{line}{(' · ' + extra) if extra else ''}{end}")
        self.stream.flush()
        self.shown_once = True


def _clock(seconds: float) -> str:
    minutes, seconds = divmod(int(seconds), 60)
    hours, minutes = divmod(minutes, 60)
    return f"{hours}:{minutes:02d}:{seconds:02d}" if hours else f"{minutes:02d}:{seconds:02d}"
