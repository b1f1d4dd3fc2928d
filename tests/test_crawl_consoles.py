"""A crawl opens no console into itself: neither Scrapy's telnet console nor the remote control of
Scrapy 2.19 (an HTTP server that runs the Python code it is sent, whose port and token go to a job
file under ~/.local/state/scrapy, left behind by a crawl that is killed). A scheduled archival crawl
needs neither; a developer may switch either on for one crawl with -s."""

from __future__ import annotations

import importlib.util
import re

from tests.conftest import run_cli

HAS_REMOTE_CONTROL = importlib.util.find_spec("scrapy.extensions.remote_control") is not None


def enabled_extensions(demo_site, tmp_path, *settings: str) -> str:
    """Scrapy's "Enabled extensions" log line of a short crawl of the demo site."""
    jobs = tmp_path / "jobs"
    done = run_cli("crawl", "diyaruna", "--db", str(tmp_path / "archive.db"), "--base-url", demo_site.base_url,
                   "--allow-private", "-s", "AUTOTHROTTLE_ENABLED=0", "-s", "LOG_LEVEL=INFO",
                   "-s", "CLOSESPIDER_PAGECOUNT=3", "-s", f"REMOTE_CONTROL_JOBS_DIR={jobs}", *settings)
    assert done.returncode in (0, 1), done.stderr[-2000:]  # 1: stopped by the page count, as asked
    found = re.search(r"Enabled extensions:\n(\[.*?\])", done.stderr, re.S)
    assert found, done.stderr[-2000:]
    return found.group(1)


def test_a_crawl_enables_neither_console(demo_site, tmp_path):
    extensions = enabled_extensions(demo_site, tmp_path)
    assert "CoreStats" in extensions  # the line read is the real list
    assert "TelnetConsole" not in extensions
    assert "RemoteControl" not in extensions
    assert not (tmp_path / "jobs").exists() or not any((tmp_path / "jobs").iterdir())


def test_the_remote_control_is_there_to_switch_on_where_scrapy_has_it(demo_site, tmp_path):
    # The check above reads a real list: with the setting on, the same list names the extension.
    extensions = enabled_extensions(demo_site, tmp_path, "-s", "REMOTE_CONTROL_ENABLED=True")
    assert ("RemoteControl" in extensions) is HAS_REMOTE_CONTROL
