"""A crawl opens no console into itself: neither Scrapy's telnet console nor the remote control of
Scrapy 2.19 (an HTTP server that runs the Python code it is sent, whose port and token go to a job
file under ~/.local/state/scrapy, left behind by a crawl that is killed). A scheduled archival crawl
needs neither; a developer may switch either on for one crawl with -s."""

from __future__ import annotations

import importlib.util
import re

import pytest

from newsarchive.addons import SwitchedOffExtensions
from tests.conftest import run_cli, run_cli_noting_imports

HAS_REMOTE_CONTROL = importlib.util.find_spec("scrapy.extensions.remote_control") is not None


def short_crawl(demo_site, tmp_path, *settings: str) -> list[str]:
    """The arguments of a short crawl of the demo site, logging at INFO."""
    return ["crawl", "diyaruna", "--db", str(tmp_path / "archive.db"), "--base-url", demo_site.base_url,
            "--allow-private", "-s", "AUTOTHROTTLE_ENABLED=0", "-s", "LOG_LEVEL=INFO",
            "-s", "CLOSESPIDER_PAGECOUNT=3", "-s", f"REMOTE_CONTROL_JOBS_DIR={tmp_path / 'jobs'}", *settings]


def enabled_extensions(demo_site, tmp_path, *settings: str) -> str:
    """Scrapy's "Enabled extensions" log line of a short crawl of the demo site."""
    done = run_cli(*short_crawl(demo_site, tmp_path, *settings))
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


REMOTE_CONTROL_MODULES = ["scrapy.extensions.remote_control", "aiohttp"]


def test_a_crawl_does_not_even_import_the_remote_control(demo_site, tmp_path):
    # Its module imports aiohttp: 0.12 s and 7 MB at every crawl's start, for an extension that is off.
    done, imported = run_cli_noting_imports(REMOTE_CONTROL_MODULES, *short_crawl(demo_site, tmp_path))
    assert done.returncode in (0, 1), done.stderr[-2000:]
    assert "Enabled extensions" in done.stderr  # the crawl ran in the process whose imports are noted
    assert imported == set()


def test_the_remote_control_switched_on_is_imported(demo_site, tmp_path):
    # The probe above sees the imports of the crawl's own process: switched on, the extension is
    # there (in a Scrapy that has one: 2.19 on).
    done, imported = run_cli_noting_imports(REMOTE_CONTROL_MODULES,
                                            *short_crawl(demo_site, tmp_path, "-s", "REMOTE_CONTROL_ENABLED=True"))
    assert done.returncode in (0, 1), done.stderr[-2000:]
    assert imported == (set(REMOTE_CONTROL_MODULES) if HAS_REMOTE_CONTROL else set())


@pytest.mark.parametrize(("switches", "left_out"), [
    ({}, {"scrapy.extensions.remote_control.RemoteControl", "scrapy.extensions.telnet.TelnetConsole"}),
    ({"REMOTE_CONTROL_ENABLED": True}, {"scrapy.extensions.telnet.TelnetConsole"}),
    ({"TELNETCONSOLE_ENABLED": "1"}, {"scrapy.extensions.remote_control.RemoteControl"}),
])
def test_extensions_switched_off_are_taken_out_of_the_base_extensions(switches, left_out):
    from scrapy.settings import Settings

    base = {"scrapy.extensions.corestats.CoreStats": 0, "scrapy.extensions.telnet.TelnetConsole": 0,
            "scrapy.extensions.remote_control.RemoteControl": 0}
    settings = Settings({"REMOTE_CONTROL_ENABLED": False, "TELNETCONSOLE_ENABLED": False, "EXTENSIONS_BASE": base,
                         **switches})
    SwitchedOffExtensions().update_settings(settings)
    assert settings.getdict("EXTENSIONS_BASE") == {name: 0 for name in base if name not in left_out}
