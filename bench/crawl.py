"""Crawl speed: bare Scrapy against the full newsarchive crawl, on the same demo site.

    python bench/crawl.py [--articles 5000]

Generates a demo site, serves it from a separate process on 127.0.0.1, then runs, each in its
own process, (a) bare Scrapy following the same links (archive index, sections, pagination,
articles) with no parsing or storing, and (b) the full newsarchive crawl into a fresh SQLite
archive. Prints pages per second for both, their ratio (target: at least 0.8) and the full
crawl's peak memory (target: under 300 MB).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from measure import peak_rss_mb, tree_rss_mb

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
    """One crawl in its own process; its peak memory is that of its whole process tree (the
    parser pool's workers included), sampled from here."""
    child = subprocess.Popen([sys.executable, __file__, "--child", mode, "--base-url", base_url, "--db", db_path],
                             stdout=subprocess.PIPE, text=True, cwd=ROOT)
    peak = 0.0
    while child.poll() is None:
        peak = max(peak, tree_rss_mb(child.pid))
        time.sleep(0.2)
    result = json.loads(child.stdout.read().strip().splitlines()[-1])
    return {**result, "peak_rss_mb": max(peak, result["peak_rss_mb"])}


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=5000)
    parser.add_argument("--runs", type=int, default=3, help="crawls of each kind, in alternating order")
    parser.add_argument("--child", choices=["bare", "full"], help=argparse.SUPPRESS)
    parser.add_argument("--base-url", help=argparse.SUPPRESS)
    parser.add_argument("--db", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        result = run_bare(args.base_url) if args.child == "bare" else run_full(args.base_url, args.db)
        print(json.dumps(result))
        return

    from newsarchive.demo.site import generate_site

    results = {"bare": [], "full": []}
    with tempfile.TemporaryDirectory(prefix="newsarchive-bench-") as scratch:
        site_dir = Path(scratch) / "site"
        started = time.perf_counter()
        generate_site(site_dir, articles=args.articles, seed=1)
        print(f"generated {args.articles} articles in {time.perf_counter() - started:.1f} s; {os.cpu_count()} CPU cores")
        server = subprocess.Popen([sys.executable, "-m", "newsarchive.demo.serve", str(site_dir), "--port", "0"],
                                  stdout=subprocess.PIPE, text=True, cwd=ROOT)
        try:
            base_url = server.stdout.readline().strip()
            for run in range(args.runs):  # alternating, so neither always meets a cold server
                for mode in (("bare", "full") if run % 2 == 0 else ("full", "bare")):
                    db_path = Path(scratch) / f"bench-{run}.db"
                    results[mode].append(run_child(mode, base_url, str(db_path) if mode == "full" else ""))
        finally:
            server.terminate()
            server.wait()
    rates = {mode: [r["pages"] / r["seconds"] for r in runs] for mode, runs in results.items()}
    for mode, name in (("bare", "bare Scrapy"), ("full", "newsarchive")):
        last = results[mode][-1]
        print(f"{name:12s} {last['pages']:6d} pages, {statistics.median(rates[mode]):6.1f} pages/s median of "
              f"{args.runs} (range {min(rates[mode]):.1f}-{max(rates[mode]):.1f}), {last['items']} items, "
              f"peak tree RSS {max(r['peak_rss_mb'] for r in results[mode]):.0f} MB")
    ratio = statistics.median(rates["full"]) / statistics.median(rates["bare"])
    peak = max(r["peak_rss_mb"] for r in results["full"])
    print(f"ratio newsarchive / bare (medians): {ratio:.2f} (target >= 0.8); peak memory {peak:.0f} MB (target < 300)")


if __name__ == "__main__":
    main()
