"""CaptureWriter: captures fetched outside a page's result, written as they arrive.

Scrapy fetches robots.txt (newsarchive/middlewares/robots.py) and photo files
(newsarchive/pipelines/photos.py) itself: no spider callback sees them, so no PageResult carries
them to the store pipeline. Their components write them here instead, each capture in a write
transaction of its own, on the store pipeline's own Archive (sent with the `crawl_started`
signal), never on a second connection: a process that opens and closes another handle on an
SQLite file drops the POSIX locks of every connection it has to it (fcntl locks are per process),
and the store's commits were lost that way. Off when NEWSARCHIVE_CAPTURE_ENABLED is, and until
the store pipeline has opened the crawl (no capture can belong to a crawl before that).

A capture that cannot be written is logged and counted (`newsarchive/captures/write_error_count`),
and the crawl goes on: robots.txt is still obeyed and the photo still attached to its article.
"""

from __future__ import annotations

import logging

from scrapy import signals

from newsarchive import signals as newsarchive_signals
from newsarchive.archive import Archive
from newsarchive.archive.store import store_capture
from newsarchive.items import Capture

logger = logging.getLogger(__name__)


class CaptureWriter:
    def __init__(self, stats, enabled: bool):
        self.stats = stats
        self.enabled = enabled
        self.archive: Archive | None = None
        self.crawl_id: int | None = None

    @classmethod
    def from_crawler(cls, crawler) -> CaptureWriter:
        writer = cls(crawler.stats, crawler.settings.getbool("NEWSARCHIVE_CAPTURE_ENABLED"))
        crawler.signals.connect(writer.crawl_started, signal=newsarchive_signals.crawl_started)
        crawler.signals.connect(writer.spider_closed, signal=signals.spider_closed)
        return writer

    @classmethod
    def started(cls, crawler, crawl_id: int, archive: Archive) -> CaptureWriter:
        """A writer for a crawl the store pipeline has just opened: for components made before the
        crawler's stats exist (a spider's parts), which build theirs at `crawl_started`."""
        writer = cls(crawler.stats, crawler.settings.getbool("NEWSARCHIVE_CAPTURE_ENABLED"))
        writer.crawl_started(crawl_id, archive)
        return writer

    def crawl_started(self, crawl_id: int, archive: Archive) -> None:
        self.crawl_id, self.archive = crawl_id, archive

    def write(self, capture: Capture, kind: str, body_file: str | None = None) -> None:
        """Store one capture of the given kind (photo, robots); body_file: see store_capture."""
        if not self.enabled or self.archive is None:
            return
        try:
            with self.archive.write() as db:
                stored = store_capture(db, capture, self.crawl_id, kind, body_file)
        except Exception as error:  # noqa: BLE001 (a lost capture must not stop the crawl)
            logger.error(f"cannot store the capture of {capture.url} in {self.archive.path}: {error}")
            self.stats.inc_value("newsarchive/captures/write_error_count")
            return
        self.stats.inc_value(f"newsarchive/captures/{kind}_{stored}_count")

    def spider_closed(self, spider=None, reason=None) -> None:
        self.archive = None  # the store pipeline closes it
