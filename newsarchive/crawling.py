"""Running a crawl from Python: the code behind `newsarchive crawl` and `newsarchive demo`."""

from __future__ import annotations

import os
from dataclasses import dataclass

from newsarchive.archive import open_archive


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
    process.crawl(crawler, **{k: str(v) for k, v in arguments.items() if v not in (None, "", False)})
    process.start()
    stats = crawler.stats.get_stats() if crawler.stats else {}
    return CrawlSummary(stats.get("newsarchive/crawl_id"), stats.get("finish_reason"), stats)


def archive_counts(db_path: str) -> dict[str, int]:
    archive = open_archive(db_path)
    try:
        return {
            table: archive.db.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
            for table in ("articles", "article_versions", "authors", "photos", "comments", "failures", "crawls")
        }
    finally:
        archive.close()
