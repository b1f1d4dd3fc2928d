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
- A robots.txt that cannot be fetched at all (a connection reset, a body that will not
  decompress, a redirect loop) lets the crawl go on as Scrapy does, as if it allowed everything,
  with one warning line where Scrapy logs an error and its traceback (a response that came but
  would not decompress is still its capture); and the spider is told
  (`robots_unreadable`, with the error), so that it still looks for the origin's sitemap where a
  robots.txt that failed with an HTTP error would have sent it, unless no server answered there.
"""

from __future__ import annotations

import logging
from urllib.parse import urlparse

from scrapy.downloadermiddlewares.robotstxt import RobotsTxtMiddleware
from scrapy.exceptions import IgnoreRequest
from scrapy.utils.httpobj import urlparse_cached
from twisted.internet.defer import Deferred

from newsarchive.archive.capture_writer import CaptureWriter
from newsarchive.failures import RefusedResponse, RobotsForbidden
from newsarchive.middlewares.pageresult import REDIRECTS_META, capture_of
from newsarchive.signals import robots_unreadable

logger = logging.getLogger(__name__)
SCRAPY_ROBOTS_LOGGER = "scrapy.downloadermiddlewares.robotstxt"


class ScrapysRobotsErrorLeftOut(logging.Filter):
    """Scrapy's "Error downloading <robots.txt>" error, with its traceback: the middleware says it
    in one warning line instead (_robots_error). The error is the site's, and the crawl goes on."""

    def filter(self, record: logging.LogRecord) -> bool:
        return not (record.exc_info and isinstance(record.args, dict) and "f_exception" in record.args)


class ArchiveRobotsTxtMiddleware(RobotsTxtMiddleware):
    def __init__(self, crawler):
        super().__init__(crawler)
        self.captures = CaptureWriter.from_crawler(crawler)
        self.unreadable: dict[str, Exception] = {}  # the error of each origin whose robots.txt could not be fetched
        scrapy_logger = logging.getLogger(SCRAPY_ROBOTS_LOGGER)
        if not any(isinstance(known, ScrapysRobotsErrorLeftOut) for known in scrapy_logger.filters):
            scrapy_logger.addFilter(ScrapysRobotsErrorLeftOut())

    async def _parse_robots(self, response, netloc, request):
        # The redirects followed to it first (http to https, a host's www. name): /robots.txt itself
        # replays through them.
        for hop in response.request.meta.get(REDIRECTS_META, ()) if response.request is not None else ():
            self.captures.write(hop, "redirect")
        self.captures.write(capture_of(response), "robots")
        await super()._parse_robots(response, netloc, request)

    async def robot_parser(self, request):
        netloc = urlparse_cached(request).netloc
        fetched_now = netloc not in self._parsers  # this call fetches it, in super()
        parser = await super().robot_parser(request)
        if fetched_now and netloc in self.unreadable:  # the fetch failed
            await self.crawler.signals.send_catch_log_async(signal=robots_unreadable, request=request,
                                                            error=self.unreadable[netloc])
        if parser is None:
            stored = self._parsers.get(netloc)
            if stored is not None and not isinstance(stored, Deferred):
                return stored
        return parser

    def disallows(self, url: str) -> bool:
        """Whether the robots.txt of the URL's origin, read already, disallows it (a request of the
        browser's that renders a page: its scripts' requests pass no middleware). False for an
        origin whose robots.txt is not read yet, or could not be."""
        parser = self._parsers.get(urlparse(url).netloc)
        if parser is None or isinstance(parser, Deferred):
            return False
        return not parser.allowed(url, self._robotstxt_useragent or self._default_useragent)

    def _robots_error(self, exc, netloc) -> None:
        self.unreadable[netloc] = exc
        if isinstance(exc, RefusedResponse) and exc.response is not None:  # it came, and would not decompress
            self.captures.write(capture_of(exc.response), "robots")
        logger.warning(f"robots.txt of {netloc} could not be read ({type(exc).__name__}: {exc}): "
                       f"crawling as if it allowed everything")
        super()._robots_error(exc, netloc)

    def process_request_2(self, rp, request) -> None:
        try:
            super().process_request_2(rp, request)
        except IgnoreRequest as error:
            raise RobotsForbidden(f"forbidden by robots.txt: {request.url}") from error
