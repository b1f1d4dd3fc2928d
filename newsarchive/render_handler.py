"""scrapy-playwright's download handler, started at the first page to render.

scrapy-playwright starts Playwright (a Node.js driver process of about 120 MB) for each handler
(one for http, one for https) when the engine starts. An `--render auto` crawl that finds no
page to render would carry two idle drivers, doubling its memory: this handler starts its
driver when the first page needs the browser, and never otherwise. Imported only through
DOWNLOAD_HANDLERS (newsarchive/rendering.py), so crawls on machines without scrapy-playwright
never import it.

It also holds the browser to the crawl: every request a page makes (scripts, XHR, iframes,
beacons) goes through `browser_request_refusal` (newsarchive/rendering.py) with the spider's
scope, and is aborted when it leaves the crawl's origins (and those NEWSARCHIVE_RENDER_ORIGINS
names) or is not a GET or HEAD; each abort is
counted (`newsarchive/render/aborted/<why>_count`). The page itself is not fetched again: the
browser is given the response the crawl received (rendering.sent_page). The browser is started
through newsarchive/browser_launcher.py.
"""

from __future__ import annotations

import asyncio
import logging

from scrapy_playwright.handler import ScrapyPlaywrightDownloadHandler

from newsarchive.browser_launcher import launcher_for
from newsarchive.rendering import SENT_PAGE_META, browser_request_refusal
from newsarchive.scope import Scope

logger = logging.getLogger(__name__)


class LazyPlaywrightDownloadHandler(ScrapyPlaywrightDownloadHandler):
    def __init__(self, crawler) -> None:
        super().__init__(crawler)
        self._start_lock = asyncio.Lock()
        self.crawler = crawler
        self.abort_request = self.refuses  # scrapy-playwright asks it of every request a page makes
        self.other_origins = Scope(crawler.settings.getlist("NEWSARCHIVE_RENDER_ORIGINS"))
        self.sent_pages: dict = {}  # URL -> the page as the crawl received it (SentPage), while it renders

    def refuses(self, request) -> bool:
        """PLAYWRIGHT_ABORT_REQUEST, with the crawl's scope: whether to abort a browser request."""
        why = browser_request_refusal(request.method, request.url, request.resource_type,
                                      getattr(self.crawler.spider, "scope", None), self.other_origins)
        if why:
            self.crawler.stats.inc_value(f"newsarchive/render/aborted/{why}_count")
            logger.debug(f"the browser may not send {request.method} {request.url} ({why})")
        return why is not None

    async def _create_browser_context(self, name, context_kwargs, spider=None):
        """scrapy-playwright's context, with the same guard on the requests of every tab in it. Its
        own guard is set on the pages it opens; a tab a page's script opens (window.open, which
        Playwright lets through Chromium's popup blocker) would otherwise send its requests
        anywhere. Such a tab is closed at once (PageActivity), but its first request is sent first."""
        wrapper = await super()._create_browser_context(name, context_kwargs, spider)
        await wrapper.context.route("**", self._guard)
        return wrapper

    async def _guard(self, route) -> None:
        if self.refuses(route.request):
            await route.abort()
        else:
            await route.fallback()

    # scrapy-playwright connects these to engine_started: nothing to start yet.
    async def _maybe_launch_in_thread(self) -> None:
        return None

    def _engine_started(self):
        return None

    async def _download_request(self, request, spider=None):
        async with self._start_lock:
            if getattr(self, "browser_provider", None) is None:
                self._use_launcher()
                await self._launch()
        sent = request.meta.get(SENT_PAGE_META)
        if sent is not None:
            self.sent_pages[request.url] = sent
        try:
            return await super()._download_request(request, spider)
        finally:
            if sent is not None:
                self.sent_pages.pop(request.url, None)

    def _make_request_handler(self, context_name, method, url, headers, body, encoding, spider, initial_request_done):
        """scrapy-playwright's handler of a tab's requests; the page itself, when the crawl has it
        already (rendering.sent_page), is answered with what the site sent the crawl."""
        handler = super()._make_request_handler(context_name, method, url, headers, body, encoding, spider,
                                                initial_request_done)
        sent = self.sent_pages.get(url)
        if sent is None:
            return handler

        async def answer_with_the_page_as_sent(route, request) -> None:
            if (not initial_request_done.is_set() and request.is_navigation_request()
                    and request.frame.parent_frame is None and request.url == url):
                initial_request_done.set()
                await route.fulfill(status=sent.status, headers=sent.headers, body=sent.body)
                return
            await handler(route, request)

        return answer_with_the_page_as_sent

    def _use_launcher(self) -> None:
        """Run the configured Chromium through newsarchive/browser_launcher.py, which turns off the
        features rendering does not need without undoing Playwright's own list."""
        options = self.config.launch_options
        if options.get("executable_path"):
            options["executable_path"] = launcher_for(options["executable_path"])
