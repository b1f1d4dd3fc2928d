"""Scrapy extensions of newsarchive."""

from __future__ import annotations

from scrapy import signals
from scrapy.extensions.corestats import CoreStats

from newsarchive.progress import ProgressLine


class CoreStatsOfOpenedSpider(CoreStats):
    """Scrapy's core stats (start and finish times, the finish reason), which, on a crawl whose
    spider never opened (its archive held by another process, say), asserted at the close and
    logged that traceback before the crawl's own line saying why it did not start."""

    def spider_closed(self, spider, reason: str) -> None:
        if self.start_time is not None:
            super().spider_closed(spider, reason)


class CrawlProgress:
    """One status line on a terminal: pages fetched, articles stored, failures, rate, elapsed.

    Added by the TerminalProgress add-on according to NEWSARCHIVE_PROGRESS: "auto" (on when stderr
    is a terminal), "always" or "never".
    """

    def __init__(self, stats, interval: float):
        self.stats = stats
        self.line = ProgressLine("crawl", "pages", interval=interval, force=True)

    @classmethod
    def from_crawler(cls, crawler):
        extension = cls(crawler.stats, crawler.settings.getfloat("NEWSARCHIVE_PROGRESS_INTERVAL"))
        crawler.signals.connect(extension.response_received, signal=signals.response_received)
        crawler.signals.connect(extension.spider_closed, signal=signals.spider_closed)
        return extension

    def counts(self) -> tuple[int, str]:
        get = self.stats.get_value
        articles = sum(get(f"newsarchive/store/article_{kind}_count", 0)
                       for kind in ("new", "changed", "unchanged", "not_modified"))
        extra = (f"{articles} articles ({get('newsarchive/store/article_new_count', 0)} new), "
                 f"{get('newsarchive/refresh/skipped_count', 0)} skipped, "
                 f"{get('newsarchive/store/failure_count', 0)} failures")
        return get("downloader/response_count", 0), extra

    def response_received(self):
        self.line.update(*self.counts())

    def spider_closed(self, spider, reason):
        self.line.finish(*self.counts())
