"""The rendering add-on and the spider's Renderer where they need scrapy-playwright installed (the
browser extra), without rendering a page: the settings the add-on installs for the Chromium named,
the request a page is rendered with, a render that fails. They run with the browser tests, whose
command installs the extra; the rest of these edge cases are in tests/test_rendering_mutants.py."""

from __future__ import annotations

import asyncio
import concurrent.futures
import logging
import os
import sys
from pathlib import Path

import pytest
from scrapy.settings import SETTINGS_PRIORITIES

from newsarchive.items import Article
from newsarchive.rendering import (
    BROWSE_META,
    BROWSER_SLOT,
    CHROMIUM_ARGS,
    HANDLER,
    PLAYWRIGHT_LOGGER,
    SENT_PAGE_META,
    PageActivity,
    SentPage,
    Tab,
    browser_missing,
)
from tests.test_rendering_mutants import URL, addon_settings, chromium_folder, renderer_of


def in_own_loop(coroutine):
    """Run a coroutine in a thread of its own: the browser fixtures keep Playwright's event loop
    running in this one, where asyncio.run refuses to start another."""
    with concurrent.futures.ThreadPoolExecutor(1) as pool:
        return pool.submit(asyncio.run, coroutine).result()


def test_browser_missing_names_the_missing_chromium():
    assert browser_missing("/nonexistent/chromium") == (
        "no Chromium at NEWSARCHIVE_CHROMIUM='/nonexistent/chromium' (apt-get install -y chromium-headless-shell)")


def test_browser_rendering_installs_the_named_chromium(tmp_path, monkeypatch):
    named = str(chromium_folder(tmp_path, monkeypatch) / "chromium")
    settings = addon_settings(NEWSARCHIVE_CHROMIUM=named)
    assert dict(settings["DOWNLOAD_HANDLERS"]) == {"http": HANDLER, "https": HANDLER}
    installed = {"PLAYWRIGHT_BROWSER_TYPE": "chromium",
                 "PLAYWRIGHT_LAUNCH_OPTIONS": {"executable_path": named, "headless": True, "args": CHROMIUM_ARGS},
                 "PLAYWRIGHT_MAX_CONTEXTS": 3, "PLAYWRIGHT_MAX_PAGES_PER_CONTEXT": 3,  # a context a tab
                 "PLAYWRIGHT_DEFAULT_NAVIGATION_TIMEOUT": 2500}
    assert {name: settings[name] for name in installed} == installed
    assert {settings.getpriority(name) for name in installed} == {SETTINGS_PRIORITIES["addon"]}


@pytest.mark.parametrize(("values", "slot"), [
    ({}, {"concurrency": 3, "delay": 0.0}),
    ({"DOWNLOAD_DELAY": 2.0}, {"concurrency": 3, "delay": 2.0}),  # the delay the crawl asks between requests
    # A slot the crawl configures itself is left as it is, and the others it names are kept.
    ({"DOWNLOAD_SLOTS": {BROWSER_SLOT: {"concurrency": 1}, "example.com": {"delay": 5}}}, {"concurrency": 1}),
])
def test_browser_rendering_gives_the_renders_a_slot_of_their_own(tmp_path, monkeypatch, values, slot):
    named = str(chromium_folder(tmp_path, monkeypatch) / "chromium")
    settings = addon_settings(NEWSARCHIVE_CHROMIUM=named, **values)
    assert settings.getdict("DOWNLOAD_SLOTS") == {**values.get("DOWNLOAD_SLOTS", {}), BROWSER_SLOT: slot}


def test_autothrottle_neither_delays_nor_adjusts_the_renders(tmp_path, monkeypatch):
    """Scrapy's own downloader and AutoThrottle, with the add-on's slot: a render starts without
    AUTOTHROTTLE_START_DELAY's wait, and its latency (the browser's work, not the server's) leaves
    its slot's delay as it was; the site's own slot is throttled as ever."""
    from scrapy import Request, Spider
    from scrapy.core.downloader import Downloader
    from scrapy.extensions.throttle import AutoThrottle
    from scrapy.http import HtmlResponse
    from scrapy.utils.test import get_crawler

    named = str(chromium_folder(tmp_path, monkeypatch) / "chromium")
    slots = addon_settings(NEWSARCHIVE_CHROMIUM=named).getdict("DOWNLOAD_SLOTS")
    crawler = get_crawler(Spider, {"DOWNLOAD_SLOTS": slots, "AUTOTHROTTLE_ENABLED": True,
                                   "AUTOTHROTTLE_START_DELAY": 1.0, "AUTOTHROTTLE_TARGET_CONCURRENCY": 1.0})
    render, page = renderer_of().request_for(URL), Request(URL)

    async def slots_after_a_response(*requests):
        """In a running loop, as in a crawl: the downloader starts its slots' clean-up there."""
        downloader = Downloader(crawler)
        crawler.engine = type("Engine", (), {"downloader": downloader})()
        throttle = AutoThrottle(crawler)
        throttle._spider_opened(crawler._create_spider("news"))
        try:
            slots = []
            for request in requests:
                request.meta["download_slot"] = downloader.get_slot_key(request)  # as the downloader queues it
                slot = downloader._get_slot(request)[1]
                slots.append((slot.concurrency, slot.delay))
                request.meta["download_latency"] = 0.2
                throttle._response_downloaded(HtmlResponse(URL, body=b"<p>a</p>"), request, None)
                slots[-1] += (slot.delay,)
            return slots
        finally:
            downloader.close()
            await downloader.handlers._close()  # the HTTP handlers the downloader opened

    # (concurrency, delay, delay after a response of 0.2 s): AutoThrottle moves the page's slot
    # halfway to latency / target concurrency, (1.0 + 0.2) / 2.
    assert in_own_loop(slots_after_a_response(render, page)) == [(3, 0.0, 0.0), (8, 1.0, 0.6)]


def test_renderer_counts_a_page_it_could_not_render(caplog):
    renderer = renderer_of(chromium="")
    renderer.missing = None  # as on a machine with a browser; no crawl runs, so its download fails
    article = Article(url=URL, title="Storm", comments_status="unreached")
    with caplog.at_level(logging.WARNING, logger="newsarchive.rendering"):
        assert in_own_loop(renderer.complete(article, None)) is article
    assert renderer.stats.get_stats() == {"newsarchive/render/failed_count": 1}
    assert (article.title, article.comments_status) == ("Storm", "unreached")
    assert [record.getMessage().startswith(f"cannot render {URL}: RuntimeError: ") for record in caplog.records] == [
        True]


def test_request_for_a_page_in_a_new_tab_and_in_an_open_one():
    renderer = renderer_of()
    activity, tab = PageActivity(), Tab("render-2")
    request = renderer.request_for(URL, activity, tab)
    browse = request.meta.pop(BROWSE_META)
    assert (request.url, request.dont_filter) == (URL, True)
    assert request.meta == {
        "playwright": True, "playwright_context": "render-2",  # the tab's own context
        "download_slot": BROWSER_SLOT, "autothrottle_dont_adjust_delay": True,
        "download_timeout": 10.0, "playwright_page_goto_kwargs": {"wait_until": "load"},
        "playwright_page_event_handlers": tab.handlers}  # a new page: the tab's handlers go on it
    assert (browse.func, browse.args, browse.keywords) == (renderer.browse, (), {"activity": activity, "wait_ms": 2500})
    assert tab.activity is activity
    tab.page = object()
    following = PageActivity()
    in_tab = renderer.request_for(URL, following, tab)
    assert in_tab.meta["playwright_page"] is tab.page
    # The handler puts them on a page it opens for the tab only: its page has them, and a page
    # replacing it (the browser closed it) gets them too.
    assert in_tab.meta["playwright_page_event_handlers"] is tab.handlers
    assert tab.activity is following  # and they hand its events to the new render's activity


@pytest.mark.parametrize("level, expected", [("WARNING", logging.WARNING), ("info", logging.INFO),
                                             (logging.ERROR, logging.ERROR), ("DEBUG", logging.DEBUG),
                                             ("LOUD", logging.NOTSET)])  # a level no logger knows: left as it was
def test_scrapy_playwrights_logger_takes_the_crawls_level(tmp_path, monkeypatch, level, expected):
    # Left at Scrapy's NOTSET, it lets DEBUG through, and scrapy-playwright then attaches a logger
    # to every tab that reads a header of each browser request and response.
    playwright_logger = logging.getLogger(PLAYWRIGHT_LOGGER)
    try:
        chromium_folder(tmp_path, monkeypatch)  # the add-on installs only where it can render
        addon_settings(LOG_LEVEL=level)
        assert playwright_logger.level == expected
    finally:
        playwright_logger.setLevel(logging.NOTSET)


def test_a_page_the_crawl_has_goes_to_the_browser_with_its_request():
    page = SentPage(200, {"Content-Type": "text/html"}, b"<p>as sent</p>")
    assert renderer_of().request_for(URL, sent=page).meta[SENT_PAGE_META] is page
    assert SENT_PAGE_META not in renderer_of().request_for(URL).meta

# What the browser reads of its features, seen from a page on a secure origin (localhost): the
# FedCM API (IdentityCredential) and WebUSB (navigator.usb) exist only while their features are on.
FEATURES_SEEN = "[typeof IdentityCredential, typeof navigator.usb].join(' ')"


async def read_while_shown(executable: str, args: list[str], read):
    """What `read` (an async function of the page) finds while a browser started with these
    switches shows a page of localhost."""
    from playwright.async_api import async_playwright

    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=executable, headless=True, args=args)
        try:
            page = await browser.new_page()
            await page.route("**", lambda route: route.fulfill(body="<p>page</p>", content_type="text/html"))
            await page.goto("http://localhost/")
            return await read(page)
        finally:
            await browser.close()


async def features_seen(executable: str, args: list[str]) -> str:
    return await read_while_shown(executable, args, lambda page: page.evaluate(FEATURES_SEEN))


def test_the_launcher_turns_its_features_off_and_keeps_every_other_list(tmp_path, monkeypatch):
    """Playwright's own --disable-features list comes first, a caller's second: Chromium alone keeps
    only the last (the control below), the launcher all of them and its own."""
    from newsarchive import browser_launcher
    from newsarchive.rendering import chromium_path

    chromium = chromium_path("")
    assert in_own_loop(features_seen(chromium, [*CHROMIUM_ARGS, "--disable-features=WebUSB"])) == "function undefined"
    monkeypatch.setattr(browser_launcher, "DISABLED_FEATURES", ("FedCm",))
    launcher = browser_launcher.launcher_for(chromium, tmp_path)
    assert in_own_loop(features_seen(launcher, CHROMIUM_ARGS)) == "undefined object"
    assert in_own_loop(features_seen(launcher, [*CHROMIUM_ARGS, "--disable-features=WebUSB"])) == "undefined undefined"


def process_types(pids: set[int]) -> list[str]:
    """The Chromium process types (`--type=`) among these processes; the browser process has none."""
    types = []
    for pid in pids:
        try:
            # NUL-separated, or (Chromium rewrites its children's) one line separated by spaces.
            arguments = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").split()
        except OSError:  # ended meanwhile
            continue
        types += [argument.decode()[len("--type="):] for argument in arguments if argument.startswith(b"--type=")]
    return sorted(types)


def processes_now() -> set[int]:
    return {int(name) for name in os.listdir("/proc") if name.isdigit()}


async def types_while_rendering(executable: str, args: list[str]) -> list[str]:
    """The types of the processes a browser started with these switches runs while it shows a page."""
    before = processes_now()

    async def new_processes(page) -> list[str]:
        return process_types(processes_now() - before)

    return await read_while_shown(executable, args, new_processes)


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads the processes' command lines in /proc")
def test_the_browser_composites_without_a_gpu_process():
    """CHROMIUM_ARGS keep the compositor in the browser process: no GPU process beside it (the
    control: the same switches without --in-process-gpu start one)."""
    from newsarchive.rendering import chromium_path

    chromium = chromium_path("")
    assert "gpu-process" not in in_own_loop(types_while_rendering(chromium, CHROMIUM_ARGS))
    without = [arg for arg in CHROMIUM_ARGS if arg != "--in-process-gpu"]
    assert "gpu-process" in in_own_loop(types_while_rendering(chromium, without))
