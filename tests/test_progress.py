"""Progress: a status line on terminals, nothing in logs."""

from __future__ import annotations

import io

from newsarchive.progress import ProgressLine
from tests.conftest import run_cli


class FakeTerminal(io.StringIO):
    def isatty(self):
        return True


def test_progress_line_is_shown_on_a_terminal_and_rate_limited():
    terminal = FakeTerminal()
    line = ProgressLine("exporting", "articles", total=10, interval=3600, stream=terminal)
    line.last_shown = -10_000  # the first update is due
    line.update(1)
    line.update(2)  # within the interval: not shown
    line.finish(10)
    text = terminal.getvalue()
    assert text.count("exporting:") == 2 and "1/10 articles" in text and "10/10 articles" in text
    assert text.endswith("\n") and "/s" in text


def test_progress_line_is_silent_when_not_on_a_terminal():
    log = io.StringIO()
    line = ProgressLine("exporting", stream=log, interval=0)
    line.update(5)
    line.finish(5)
    assert log.getvalue() == ""


def test_a_crawl_shows_progress_when_asked_and_not_otherwise(demo_site, tmp_path):
    base = ["crawl", "diyaruna", "--base-url", demo_site.base_url, "--allow-private", "--locales", "ar",
            "-s", "AUTOTHROTTLE_ENABLED=0", "-s", "LOG_LEVEL=WARNING"]
    shown = run_cli(*base, "--db", str(tmp_path / "a.db"), "-s", "NEWSARCHIVE_PROGRESS=always",
                    "-s", "NEWSARCHIVE_PROGRESS_INTERVAL=0")
    assert shown.returncode == 0, shown.stderr[-2000:]
    assert "crawl: " in shown.stderr and " pages, " in shown.stderr and " articles (" in shown.stderr
    quiet = run_cli(*base, "--db", str(tmp_path / "b.db"))
    assert quiet.returncode == 0 and "crawl: " not in quiet.stderr
