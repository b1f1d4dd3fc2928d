"""StorePipeline: write articles and failures to the SQLite archive, in batched transactions.

It also keeps the crawl's row in `crawls`: opened when the spider opens, finished on the
`spider_closed` signal (which carries the finish reason) with counts from the stats collector
and per-field coverage, so that a site's layout change shows up as a coverage drop.
"""

from __future__ import annotations

from collections import Counter
from scrapy import signals

from newsarchive import signals as newsarchive_signals
from newsarchive.archive import open_archive, utc_now
from newsarchive.archive.store import (
    finish_crawl, mark_interrupted_crawls, start_crawl, store_article, store_capture, store_failure, store_not_modified,
)
from newsarchive.items import Article, ArticleNotModified, Capture, PageFailure

# Settings worth keeping with each crawl row: what was asked for, not the whole Scrapy config.
RECORDED_SETTINGS = (
    "NEWSARCHIVE_DB_PATH", "USER_AGENT", "ROBOTSTXT_OBEY", "AUTOTHROTTLE_ENABLED",
    "CONCURRENT_REQUESTS", "DOWNLOAD_MAXSIZE", "DOWNLOAD_TIMEOUT", "JOBDIR", "NEWSARCHIVE_CAPTURE_ENABLED",
    "NEWSARCHIVE_REFRESH_WINDOW_DAYS", "NEWSARCHIVE_REFRESH_FULL", "NEWSARCHIVE_REFRESH_STALE_PAGES",
    "NEWSARCHIVE_CONDITIONAL_REQUESTS",
    "NEWSARCHIVE_PHOTOS_DIR",
)
COVERAGE_FIELDS = ("byline", "date", "photo", "comments")


class StorePipeline:
    def __init__(self, crawler, db_path: str, batch_size: int, busy_timeout: float):
        self.crawler = crawler
        self.stats = crawler.stats
        self.db_path = db_path
        self.batch_size = batch_size
        self.busy_timeout = busy_timeout
        self.pending: list = []
        self.archive = None
        self.crawl_id: int | None = None
        self.coverage = Counter()
        self.sources = Counter()

    @classmethod
    def from_crawler(cls, crawler):
        settings = crawler.settings
        pipeline = cls(
            crawler,
            db_path=settings.get("NEWSARCHIVE_DB_PATH"),
            batch_size=settings.getint("NEWSARCHIVE_STORE_BATCH_SIZE"),
            busy_timeout=settings.getfloat("NEWSARCHIVE_STORE_BUSY_TIMEOUT"),
        )
        crawler.signals.connect(pipeline.spider_closed, signal=signals.spider_closed)
        crawler.signals.connect(pipeline.flush, signal=newsarchive_signals.flush_requested)
        return pipeline

    def open_spider(self):
        self.archive = open_archive(self.db_path, self.busy_timeout)
        spider = self.crawler.spider
        settings = {name: self.crawler.settings.get(name) for name in RECORDED_SETTINGS}
        settings["spider_arguments"] = getattr(spider, "arguments", {})
        with self.archive.write() as db:
            for crawl_id in mark_interrupted_crawls(db):
                spider.logger.warning(f"crawl {crawl_id} in {self.db_path} was interrupted (its process is gone)")
            self.crawl_id = start_crawl(db, getattr(spider, "site_name", None), spider.name, settings, utc_now())
        self.stats.set_value("newsarchive/crawl_id", self.crawl_id)

    def process_item(self, item):
        if isinstance(item, (Article, PageFailure, Capture, ArticleNotModified)):
            self.pending.append(item)
            if len(self.pending) >= self.batch_size:
                self.flush()
        return item

    def close_spider(self):
        self.flush()

    def flush(self) -> None:
        if not self.pending or self.archive is None:
            return
        batch, self.pending = self.pending, []
        seen_at = utc_now()
        committed = [item.request_fingerprint for item in batch
                     if isinstance(item, Capture) and item.request_fingerprint]
        with self.archive.write() as db:
            for item in batch:
                if isinstance(item, Article):
                    status = store_article(db, item, self.crawl_id, seen_at)
                    self.stats.inc_value(f"newsarchive/store/article_{status}_count")
                    self._count_coverage(item)
                elif isinstance(item, ArticleNotModified):
                    known = store_not_modified(db, item.url, self.crawl_id, seen_at)
                    self.stats.inc_value(f"newsarchive/store/article_{'not_modified' if known else 'unknown_304'}_count")
                elif isinstance(item, Capture):
                    kind = store_capture(db, item, self.crawl_id)
                    self.stats.inc_value(f"newsarchive/store/capture_{kind}_count")
                else:
                    store_failure(db, item, self.crawl_id, seen_at)
                    self.stats.inc_value(f"newsarchive/store/failure_count/{item.reason}")
                    self.stats.inc_value("newsarchive/store/failure_count")
        if committed:
            self.crawler.signals.send_catch_log(newsarchive_signals.requests_committed, fingerprints=committed)

    def _count_coverage(self, article: Article) -> None:
        self.coverage["articles"] += 1
        self.coverage["byline"] += bool(article.authors)
        self.coverage["date"] += bool(article.published_at)
        self.coverage["photo"] += bool(article.photos)
        self.coverage["comments"] += bool(article.comments or article.comment_count)
        for field_name, layer in article.sources.items():
            self.sources[f"{field_name}:{layer}"] += 1

    def coverage_report(self) -> dict:
        articles = self.coverage["articles"]
        shares = {name: round(self.coverage[name] / articles, 4) if articles else None for name in COVERAGE_FIELDS}
        return {"articles": articles, "share": shares, "sources": dict(sorted(self.sources.items()))}

    def spider_closed(self, spider, reason):
        if self.archive is None:
            return
        self.flush()  # close_spider normally did; a crawl that failed to start may not have
        get = self.stats.get_value
        with self.archive.write() as db:
            finish_crawl(db, self.crawl_id, {
                "finished_at": utc_now(),
                "finish_reason": reason,
                "requests": get("downloader/request_count", 0),
                "responses": get("downloader/response_count", 0),
                "items": get("item_scraped_count", 0),
                "articles_stored": self.coverage["articles"],
                "articles_new": get("newsarchive/store/article_new_count", 0),
                "articles_changed": get("newsarchive/store/article_changed_count", 0),
                "articles_not_modified": get("newsarchive/store/article_not_modified_count", 0)
                + get("newsarchive/store/article_unchanged_count", 0),
                "articles_skipped": get("newsarchive/refresh/skipped_count", 0),
                "duplicates": get("newsarchive/dedupe/duplicate_count", 0),
                "failures": get("newsarchive/store/failure_count", 0),
                "coverage": self.coverage_report(),
            })
        self.archive.close()
        self.archive = None
