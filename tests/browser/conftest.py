"""Browser tests: the HTML report and `newsarchive browse` as a person sees them, in Debian's Chromium
driven by Playwright. Not part of the main suite (pyproject's addopts ignore this folder); run them with

    python -m pytest -q tests/browser

They need `apt-get install -y chromium` and `pip install -e ".[browser]"`; without either the run
stops with one line saying so (exit status 4) rather than skipping: a browser check that quietly
does nothing is worse than none. Playwright drives the system Chromium (NEWSARCHIVE_CHROMIUM, else
`chromium` on PATH): its own browser download is never used. NEWSARCHIVE_SCREENSHOT_DIR keeps the
tests' screenshots there (else pytest's tmp folders).
"""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest

from tests.conftest import run_cli, start_browse

# Quiet and offline: no first-run pages, no component or safe-browsing downloads, no sync, no QUIC.
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
INSTALL_CHROMIUM = "apt-get install -y chromium"
DEMO_ARTICLES = 40


def chromium_executable() -> str | None:
    return os.environ.get("NEWSARCHIVE_CHROMIUM") or shutil.which("chromium")


def pytest_configure(config):
    """Without a browser or Playwright, stop at once with one line saying how to get it: a skip would
    let a browser check pass by doing nothing."""
    path = chromium_executable()
    if not path:
        raise pytest.UsageError(f"browser tests: Chromium not found (no `chromium` on PATH): install it with "
                                f"`{INSTALL_CHROMIUM}`, or set NEWSARCHIVE_CHROMIUM to its binary")
    if not Path(path).is_file():
        raise pytest.UsageError(f"browser tests: NEWSARCHIVE_CHROMIUM={path} is not a file: install Chromium with "
                                f"`{INSTALL_CHROMIUM}`, or point NEWSARCHIVE_CHROMIUM at its binary")
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        raise pytest.UsageError('browser tests: Playwright is not installed: pip install -e ".[browser]"') from None


@pytest.fixture(scope="session")
def browser(tmp_path_factory):
    """A headless Chromium with a fresh profile, for the whole session (starting one takes a second)."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        context = playwright.chromium.launch_persistent_context(
            tmp_path_factory.mktemp("chromium-profile"), executable_path=chromium_executable(), headless=True,
            args=CHROMIUM_ARGS, viewport={"width": 1280, "height": 900}, locale="en-GB")
        yield context
        context.close()


class Page:
    """A browser tab that remembers the dialogs (alert, confirm) a page opened: none should."""

    def __init__(self, tab):
        self.tab, self.dialogs = tab, []
        tab.on("dialog", self._dialog)

    def _dialog(self, dialog):
        self.dialogs.append(dialog.message)
        dialog.dismiss()


@pytest.fixture
def page(browser):
    tab = browser.new_page()
    yield Page(tab)
    tab.close()


@pytest.fixture
def screenshot_dir(tmp_path) -> Path:
    folder = Path(os.environ.get("NEWSARCHIVE_SCREENSHOT_DIR") or tmp_path)
    folder.mkdir(parents=True, exist_ok=True)
    return folder


class DemoArchive:
    """An archive written by `newsarchive demo`, and the manifest of the site it crawled."""

    def __init__(self, db_path: Path, manifest: dict):
        self.db_path, self.manifest = db_path, manifest

    def articles(self, locale: str | None = None) -> list[dict]:
        return [a for a in self.manifest["articles"] if locale in (None, a["locale"])]


@pytest.fixture(scope="session")
def demo_archive(tmp_path_factory) -> DemoArchive:
    folder = tmp_path_factory.mktemp("browser-demo")
    db_path, site_dir = folder / "demo.db", folder / "site"
    result = run_cli("demo", "--db", str(db_path), "--articles", str(DEMO_ARTICLES), "--port", "0",
                     "--site-dir", str(site_dir))
    assert result.returncode == 0, result.stderr[-3000:]
    return DemoArchive(db_path, json.loads((site_dir / "manifest.json").read_text(encoding="utf-8")))


@pytest.fixture(scope="session")
def datasette_url(demo_archive, tmp_path_factory):
    """`newsarchive browse` on the demo archive, as a real process on a free loopback port: the
    database's URL (http://127.0.0.1:PORT/demo)."""
    process, base = start_browse(demo_archive.db_path, tmp_path_factory.mktemp("browse"))
    yield f"{base}/{demo_archive.db_path.stem}"
    process.terminate()
    process.wait(timeout=10)
