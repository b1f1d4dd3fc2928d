"""Running a crawl from Python: the code behind `newsarchive crawl` and `newsarchive demo`."""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass

from newsarchive.archive import open_archive, utc_now
from newsarchive.archive.store import finish_crawl, start_crawl, store_failure
from newsarchive.items import PageFailure

logger = logging.getLogger(__name__)


@dataclass
class CrawlSummary:
    crawl_id: int | None
    finish_reason: str | None
    stats: dict

    @property
    def succeeded(self) -> bool:
        return self.finish_reason == "finished"


def project_settings(overrides: dict | None = None):
    """Scrapy settings of this project, wherever the command runs from, with overrides on top."""
    os.environ.setdefault("SCRAPY_SETTINGS_MODULE", "newsarchive.settings")
    from scrapy.utils.project import get_project_settings

    settings = get_project_settings()
    for name, value in (overrides or {}).items():
        settings.set(name, value, priority="cmdline")
    return settings


def run_crawl(site: str, db_path: str, arguments: dict, settings: dict | None = None) -> CrawlSummary:
    """Crawl one site into the archive at db_path, in this process; blocks until it ends."""
    from scrapy.crawler import CrawlerProcess

    merged = {"NEWSARCHIVE_DB_PATH": str(db_path), **(settings or {})}
    process = CrawlerProcess(project_settings(merged))
    spider_class = process.spider_loader.load(site)
    crawler = process.create_crawler(spider_class)
    started_at, start_errors = utc_now(), []
    crawl = process.crawl(crawler, **{k: str(v) for k, v in arguments.items() if v not in (None, "", False)})
    crawl.addErrback(lambda failure: start_errors.append(failure))
    process.start()
    stats = crawler.stats.get_stats() if crawler.stats else {}
    crawl_id, reason = stats.get("newsarchive/crawl_id"), stats.get("finish_reason")
    if crawl_id is None and start_errors:
        crawl_id, reason = _record_failed_start(db_path, crawler, site, started_at, start_errors[0]), "failed_to_start"
    return CrawlSummary(crawl_id, reason, stats)


def _record_failed_start(db_path: str, crawler, spider_name: str, started_at: str, failure) -> int:
    """A crawl that failed before its spider opened (e.g. Redis unreachable for the whole wait)
    still gets its row in `crawls`, and the error as a failure, so reports show the attempt."""
    cause = _error_chain(failure.value)
    logger.error(f"the crawl failed to start: {cause}")
    archive = open_archive(db_path)
    try:
        with archive.write() as db:
            crawl_id = start_crawl(db, getattr(crawler.spider, "site_name", None), spider_name, {}, started_at)
            finish_crawl(db, crawl_id, {"finished_at": utc_now(), "finish_reason": "failed_to_start", "failures": 1})
            store_failure(db, PageFailure(url="", reason="crawl_failed_to_start", detail=cause), crawl_id, utc_now())
        return crawl_id
    finally:
        archive.close()


def _error_chain(error: BaseException) -> str:
    """The error and those it happened while handling, first cause first: Scrapy's own clean-up
    error ("Engine slot not assigned") comes last, after the one that says what went wrong."""
    chain = []
    while error is not None and len(chain) < 5:
        chain.append(f"{type(error).__name__}: {error}")
        error = error.__cause__ or error.__context__
    return " -> ".join(reversed(chain))


def archive_counts(db_path: str) -> dict[str, int]:
    archive = open_archive(db_path)
    try:
        return {
            table: archive.db.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
            for table in ("articles", "article_versions", "authors", "photos", "comments", "failures", "crawls")
        }
    finally:
        archive.close()
