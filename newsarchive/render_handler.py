"""scrapy-playwright's download handler, started at the first page to render.

scrapy-playwright starts Playwright (a Node.js driver process of about 120 MB) for each handler
(one for http, one for https) when the engine starts. An `--render auto` crawl that finds no
page to render would carry two idle drivers, doubling its memory: this handler starts its
driver when the first page needs the browser, and never otherwise. Imported only through
DOWNLOAD_HANDLERS (newsarchive/rendering.py), so crawls on machines without scrapy-playwright
never import it.
"""

from __future__ import annotations

import asyncio

from scrapy_playwright.handler import ScrapyPlaywrightDownloadHandler


class LazyPlaywrightDownloadHandler(ScrapyPlaywrightDownloadHandler):
    def __init__(self, crawler) -> None:
        super().__init__(crawler)
        self._start_lock = asyncio.Lock()

    # scrapy-playwright connects these to engine_started: nothing to start yet.
    async def _maybe_launch_in_thread(self) -> None:
        return None

    def _engine_started(self):
        return None

    async def _download_request(self, request, spider=None):
        async with self._start_lock:
            if getattr(self, "browser_provider", None) is None:
                await self._launch()
        return await super()._download_request(request, spider)
