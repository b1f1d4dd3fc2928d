"""Crawl speed: bare Scrapy against the full newsarchive crawl, on the same demo site.

    python bench/crawl.py [--articles 5000]

Generates a demo site, serves it from a separate process on 127.0.0.1, then runs, each in its
own process, (a) bare Scrapy following the same links (archive index, sections, pagination,
articles) with no parsing or storing, and (b) the full newsarchive crawl into a fresh SQLite
archive. Prints pages per second for both, their ratio (target: at least 0.7) and the full
crawl's peak memory (target: under 300 MB).
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from measure import peak_rss_mb

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

# Same engine settings for both runs: only what newsarchive adds on top should differ.
COMMON_SETTINGS = {
    "AUTOTHROTTLE_ENABLED": False, "LOG_LEVEL": "WARNING", "CONCURRENT_REQUESTS": 16,
    "CONCURRENT_REQUESTS_PER_DOMAIN": 16, "ROBOTSTXT_OBEY": True, "TELNETCONSOLE_ENABLED": False,
}


def bare_spider_class():
    import scrapy

    class BareSpider(scrapy.Spider):
        """Follows what the newsarchive spider follows, with CSS selectors only."""

        name = "bare"

        def __init__(self, base_url: str, **kwargs):
            super().__init__(**kwargs)
            self.start_urls = [base_url + "/en_GB/archives", base_url + "/ar/archives"]

        def parse(self, response):
            links = response.css("div.article--listing__text a::attr(href)").getall()
            for href in links:
                yield response.follow(href, callback=self.parse)
            for href in response.css("div.article--block h5.article__title a::attr(href)").getall():
                yield response.follow(href, callback=self.parse_article)
            next_page = response.css("div.pagination a.pagination__next::attr(href)").get()
            if next_page:
                yield response.follow(next_page, callback=self.parse)

        def parse_article(self, response):
            return None

    return BareSpider


def run_bare(base_url: str) -> dict:
    from scrapy.crawler import CrawlerProcess

    process = CrawlerProcess({**COMMON_SETTINGS, "USER_AGENT": "bench"})
    crawler = process.create_crawler(bare_spider_class())
    started = time.perf_counter()
    process.crawl(crawler, base_url=base_url)
    process.start()
    return _result(crawler.stats.get_stats(), time.perf_counter() - started)


def run_full(base_url: str, db_path: str) -> dict:
    from newsarchive.crawling import run_crawl

    started = time.perf_counter()
    summary = run_crawl("diyaruna", db_path, {"base_url": base_url, "allow_private": "1"}, COMMON_SETTINGS)
    return _result(summary.stats, time.perf_counter() - started)


def _result(stats: dict, seconds: float) -> dict:
    return {
        "pages": stats.get("downloader/response_count", 0),
        "items": stats.get("item_scraped_count", 0),
        "seconds": seconds,
        "peak_rss_mb": peak_rss_mb(),
    }



def run_child(mode: str, base_url: str, db_path: str) -> dict:
    output = subprocess.run(
        [sys.executable, __file__, "--child", mode, "--base-url", base_url, "--db", db_path],
        check=True, capture_output=True, text=True, cwd=ROOT,
    ).stdout
    return json.loads(output.strip().splitlines()[-1])


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=5000)
    parser.add_argument("--child", choices=["bare", "full"], help=argparse.SUPPRESS)
    parser.add_argument("--base-url", help=argparse.SUPPRESS)
    parser.add_argument("--db", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        result = run_bare(args.base_url) if args.child == "bare" else run_full(args.base_url, args.db)
        print(json.dumps(result))
        return

    from newsarchive.demo.site import generate_site

    with tempfile.TemporaryDirectory(prefix="newsarchive-bench-") as scratch:
        site_dir = Path(scratch) / "site"
        started = time.perf_counter()
        generate_site(site_dir, articles=args.articles, seed=1)
        print(f"generated {args.articles} articles in {time.perf_counter() - started:.1f} s")
        server = subprocess.Popen([sys.executable, "-m", "newsarchive.demo.serve", str(site_dir), "--port", "0"],
                                  stdout=subprocess.PIPE, text=True, cwd=ROOT)
        try:
            base_url = server.stdout.readline().strip()
            bare = run_child("bare", base_url, "")
            full = run_child("full", base_url, str(Path(scratch) / "bench.db"))
        finally:
            server.terminate()
            server.wait()
    for name, result in (("bare Scrapy", bare), ("newsarchive", full)):
        rate = result["pages"] / result["seconds"]
        print(f"{name:12s} {result['pages']:6d} pages in {result['seconds']:6.1f} s = {rate:6.1f} pages/s, "
              f"{result['items']} items, peak RSS {result['peak_rss_mb']:.0f} MB")
    ratio = (full["pages"] / full["seconds"]) / (bare["pages"] / bare["seconds"])
    print(f"ratio newsarchive / bare: {ratio:.2f} (target >= 0.7); peak memory {full['peak_rss_mb']:.0f} MB (target < 300)")


if __name__ == "__main__":
    main()
