"""ArchiveRobotsTxtMiddleware: Scrapy's robots.txt middleware, refusing every request it should,
with a typed refusal.

- A URL robots.txt forbids raises RobotsForbidden, so the spider's errback records it as a
  `robots_forbidden` failure by type, not by the words of Scrapy's message.
- Requests that arrive while robots.txt is still being fetched wait for it on one shared
  Deferred; in Scrapy 2.19 only the first of them gets the parser back from it (the others get
  None, and were let through unchecked). They get the parser stored by then.
- The robots.txt response, whatever its status, is kept as a capture of kind `robots`
  (newsarchive/archive/capture_writer.py), so a WARC export holds what the crawl obeyed. Scrapy
  hands it to `_parse_robots` only, a method of its own: tests/test_warc.py fails if that changes.
"""

from __future__ import annotations

from scrapy.downloadermiddlewares.robotstxt import RobotsTxtMiddleware
from scrapy.exceptions import IgnoreRequest
from scrapy.utils.httpobj import urlparse_cached
from twisted.internet.defer import Deferred

from newsarchive.archive.capture_writer import CaptureWriter
from newsarchive.failures import RobotsForbidden
from newsarchive.middlewares.pageresult import capture_of


class ArchiveRobotsTxtMiddleware(RobotsTxtMiddleware):
    def __init__(self, crawler):
        super().__init__(crawler)
        self.captures = CaptureWriter.from_crawler(crawler)

    async def _parse_robots(self, response, netloc, request):
        self.captures.write(capture_of(response), "robots")
        await super()._parse_robots(response, netloc, request)

    async def robot_parser(self, request):
        parser = await super().robot_parser(request)
        if parser is None:
            stored = self._parsers.get(urlparse_cached(request).netloc)
            if stored is not None and not isinstance(stored, Deferred):
                return stored
        return parser

    def process_request_2(self, rp, request) -> None:
        try:
            super().process_request_2(rp, request)
        except IgnoreRequest as error:
            raise RobotsForbidden(f"forbidden by robots.txt: {request.url}") from error
