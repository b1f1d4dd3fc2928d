"""The download handler of http and https in a crawl that may render (`--render auto` or `always`,
with a browser on the machine; see rendering.BrowserRendering).

It is Scrapy's own HTTP handler for every request but the renders, which it hands to
scrapy-playwright's handler (newsarchive/render_handler.py). That handler, and with it
scrapy-playwright and Playwright, is imported and made at the first render, not when the crawl
starts: the import alone took 0.32 s of the reactor's thread and 26 MB of the crawl's memory, which
a crawl that finds no page to render (the default mode on most sites) would pay for nothing.
"""

from __future__ import annotations

from scrapy.core.downloader.handlers.http11 import HTTP11DownloadHandler
from scrapy.utils.misc import build_from_crawler


class RenderingDownloadHandler(HTTP11DownloadHandler):
    def __init__(self, crawler) -> None:
        super().__init__(crawler)
        self.crawler = crawler
        self.browser_handler = None  # scrapy-playwright's, from the first render on

    async def download_request(self, request):
        if request.meta.get("playwright"):
            return await self._browser().download_request(request)
        return await super().download_request(request)

    def _browser(self):
        if self.browser_handler is None:
            from newsarchive.render_handler import LazyPlaywrightDownloadHandler

            self.browser_handler = build_from_crawler(LazyPlaywrightDownloadHandler, self.crawler)
        return self.browser_handler

    async def close(self) -> None:
        await super().close()
        if self.browser_handler is not None:
            await self.browser_handler.close()
