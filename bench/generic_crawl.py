"""Any-site crawl speed: bare Scrapy against `newsarchive crawl URL` on a site of real pages.

    python bench/generic_crawl.py [--articles 2000] [--runs 3] [--variant dated|plain|both] [--render never|auto]
                                  [--no-trafilatura]

Builds a static news site from real saved pages with ../shared/tools/news_site.py (the pages are
read where they lie and never copied into this repository): 2,000 articles of about 160 KB and
100 listing pages. Variant `plain` rewrites every article path to one with no date, no number and
no long slug (`/read/qk/`), to show that discovery does not depend on the shape of URLs. The site
is served by nginx when it is installed (one worker, no access log), else by the demo's threaded
Python server, in a process of its own.

Each run crawls it three times with the same engine settings (16 concurrent requests, no AutoThrottle):
(a) bare Scrapy following the listing links and the next page, parsing nothing, storing nothing;
(b) the naive any-site news crawler: the same spider calling `trafilatura.extract()` (with its
metadata) on each article in the callback, storing nothing (`--no-trafilatura` leaves it out);
(c) `newsarchive crawl URL` into a fresh archive (the generic spider, all its layers, captures),
with `--render never` unless told otherwise: real pages offline (their comment services and
scripts unreachable) would otherwise measure a browser waiting on them; bench/render.py measures
rendering.
Runs alternate the order (bare first, then newsarchive first, ...), so neither always meets a cold
server. Printed: pages/s of each (median and range over the runs), its ratio to bare Scrapy's
(and newsarchive's to Scrapy + trafilatura's), the articles trafilatura extracted text from, the
CPU milliseconds a page of each part of each crawl's process tree (the crawl's own process, its
parser workers; start-up and the duplicates pass included), the peak resident memory of each
crawl's whole process tree (worker processes included), and what the archive kept: articles,
unchanged duplicates and failures, which must add up to the articles of the site. Targets (issue
13): ratio >= 0.35 on a 2-core machine, peak tree RSS < 250 MB, articles + failures = 2,000 with
at least 1,995 articles, in both variants.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import socket
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from measure import cpu_seconds, process_tree, tree_rss_mb

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"
SETTINGS = {"AUTOTHROTTLE_ENABLED": False, "CONCURRENT_REQUESTS": 16, "CONCURRENT_REQUESTS_PER_DOMAIN": 16,
            "LOG_LEVEL": "WARNING", "ROBOTSTXT_OBEY": True, "TELNETCONSOLE_ENABLED": False}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


# the site ------------------------------------------------------------------------------------------

def build_site(out: Path, articles: int, base: str, plain: bool) -> None:
    subprocess.run([sys.executable, str(SHARED / "tools" / "news_site.py"), "--pages",
                    str(SHARED / "bench" / "extraction-devset" / "pages"), "--out", str(out),
                    "--articles", str(articles), "--base", base], check=True, stdout=subprocess.DEVNULL)
    if plain:
        make_paths_plain(out)


def short_name(number: int) -> str:
    """qk, qm, ...: two or more lowercase letters, no digit, nothing like a slug."""
    letters, name = "bcdfghjkmnpqrstvwxz", ""
    number += len(letters)  # at least two letters
    while number:
        number, rest = divmod(number, len(letters))
        name = letters[rest] + name
    return name


def make_paths_plain(site: Path) -> None:
    """Move /news/YYYY/MM/DD/story-N/ to /read/<letters>/ and rewrite every link to it."""
    story = re.compile(r"/news/\d{4}/\d{2}/\d{2}/story-(\d+)/")
    for index in sorted(site.glob("news/[0-9]*/*/*/story-*/index.html")):
        number = int(index.parent.name.split("-")[1])
        target = site / "read" / short_name(number) / "index.html"
        target.parent.mkdir(parents=True, exist_ok=True)
        index.rename(target)
    for folder in sorted(site.glob("news/[0-9]*"), reverse=True):
        shutil.rmtree(folder)
    for file in [*site.rglob("*.html"), site / "rss.xml", site / "sitemap.xml"]:
        text = file.read_text(encoding="utf-8")
        file.write_text(story.sub(lambda m: f"/read/{short_name(int(m.group(1)))}/", text), encoding="utf-8")


def serve(site: Path, port: int, scratch: Path) -> subprocess.Popen:
    nginx = shutil.which("nginx") or next((p for p in ("/usr/sbin/nginx",) if Path(p).exists()), None)
    if nginx:
        conf = scratch / "nginx.conf"
        conf.write_text(f"""worker_processes 1; pid {scratch}/nginx.pid; error_log {scratch}/nginx-error.log;
events {{ worker_connections 256; }}
http {{ access_log off; default_type text/html; sendfile on;
  server {{ listen 127.0.0.1:{port}; root {site}; index index.html; }} }}
""")
        process = subprocess.Popen([nginx, "-c", str(conf), "-p", str(scratch), "-g", "daemon off;"],
                                   stderr=subprocess.DEVNULL)
    else:
        process = subprocess.Popen([sys.executable, "-m", "newsarchive.demo.serve", str(site), "--port", str(port)],
                                   stdout=subprocess.DEVNULL, cwd=ROOT)
    for _ in range(100):
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return process
        except OSError:
            time.sleep(0.05)
    raise RuntimeError("the site's server did not start")


# the crawls ----------------------------------------------------------------------------------------

def bare_crawl(start_url: str, extract: bool) -> None:
    """Bare Scrapy: listing links and next pages followed, nothing stored; with extract, each
    article read by trafilatura.extract() in the callback (the naive any-site news crawler)."""
    import scrapy
    from scrapy.crawler import CrawlerProcess

    extracted = []

    class BareSpider(scrapy.Spider):
        name = "bare"
        start_urls = [start_url]

        def parse(self, response):
            for href in response.css("a.teaser__link::attr(href)").getall():
                yield response.follow(href, callback=self.parse_article)
            for href in response.css("a[rel=next]::attr(href)").getall():
                yield response.follow(href, callback=self.parse)

        def parse_article(self, response):
            if extract:
                import trafilatura

                text = trafilatura.extract(response.text, url=response.url, with_metadata=True)
                extracted.append(bool(text))

    process = CrawlerProcess({**SETTINGS, "USER_AGENT": "bench"})
    crawler = process.create_crawler(BareSpider)
    process.crawl(crawler)
    process.start()
    print(json.dumps({"pages": crawler.stats.get_value("downloader/response_count", 0),
                      **({"extracted": sum(extracted)} if extract else {})}))


def timed(command: list[str]) -> tuple[float, float, dict[str, float], str]:
    """Run a command, sampling its process tree's memory and each process's CPU time; (seconds,
    peak MB, CPU seconds by part of the tree, stdout). A process's last sample stands for its
    whole CPU time: a worker's last 0.2 s before it ends may be missed."""
    started = time.perf_counter()
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True, cwd=ROOT)
    peak, cpu = 0.0, {}
    while process.poll() is None:
        peak = max(peak, tree_rss_mb(process.pid))
        for pid in process_tree(process.pid):
            cpu[pid] = cpu_seconds(pid) or cpu.get(pid)
        time.sleep(0.2)
    parts: dict[str, float] = {}
    for part, seconds in filter(None, cpu.values()):
        parts[part] = parts.get(part, 0.0) + seconds
    return time.perf_counter() - started, peak, parts, process.stdout.read()


def run_bare(start_url: str, extract: bool = False) -> dict:
    seconds, peak, cpu, out = timed([sys.executable, __file__, "--trafilatura" if extract else "--bare", start_url])
    return {"seconds": seconds, "peak_mb": peak, "cpu": cpu, **json.loads(out.strip().splitlines()[-1])}


def run_newsarchive(start_url: str, db_path: Path, render: str) -> dict:
    settings = [item for name, value in SETTINGS.items() for item in ("-s", f"{name}={value}")]
    seconds, peak, cpu, out = timed([sys.executable, "-m", "newsarchive.cli", "crawl", start_url, "--db", str(db_path),
                                "--allow-private", "--no-index", "--render", render, *settings])
    with sqlite3.connect(db_path) as db:
        pages, articles, unchanged, failures = db.execute(
            "SELECT responses, articles_stored, unchanged, failures FROM crawls").fetchone()
        reasons = dict(db.execute("SELECT reason, count(*) FROM failures GROUP BY reason"))
    db_path.unlink()
    return {"seconds": seconds, "peak_mb": peak, "cpu": cpu, "pages": pages, "articles": articles, "unchanged": unchanged,
            "failures": failures, "reasons": reasons, "summary": out.strip().splitlines()[0] if out.strip() else ""}


def measure(variant: str, args, scratch: Path) -> None:
    port = free_port()
    site = scratch / f"site-{variant}"
    build_site(site, args.articles, f"http://127.0.0.1:{port}", plain=variant == "plain")
    server = serve(site, port, scratch)
    start_url = f"http://127.0.0.1:{port}/news/"
    bare, naive, full = [], [], []
    try:
        for run in range(args.runs):
            order = ["bare", "naive", "full"] if run % 2 == 0 else ["full", "naive", "bare"]
            for which in order:
                if which == "bare":
                    bare.append(run_bare(start_url))
                elif which == "naive":
                    if not args.no_trafilatura:
                        naive.append(run_bare(start_url, extract=True))
                else:
                    full.append(run_newsarchive(start_url, scratch / f"{variant}-{run}.db", args.render))
    finally:
        server.terminate()
        server.wait()
    report(variant, args.articles, bare, naive, full, args.render)


def rates(results: list[dict]) -> list[float]:
    return [result["pages"] / result["seconds"] for result in results]


def report(variant: str, articles: int, bare: list[dict], naive: list[dict], full: list[dict], render: str) -> None:
    print(f"\nvariant {variant}: {articles} articles, {len(bare)} runs each, order alternating, --render {render}")
    for name, results in (("bare Scrapy", bare), ("Scrapy + trafilatura", naive), ("newsarchive", full)):
        if not results:
            continue
        speed = rates(results)
        extracted = f", text of {results[-1]['extracted']} articles" if "extracted" in results[-1] else ""
        print(f"  {name:20s} {statistics.median(speed):6.1f} pages/s (range {min(speed):.1f}-{max(speed):.1f}, "
              f"{statistics.median(speed) / statistics.median(rates(bare)):.2f} of bare), {results[0]['pages']} pages, "
              f"peak tree RSS {max(r['peak_mb'] for r in results):.0f} MB{extracted}")
        last = results[-1]  # where the time went: CPU of each part of the process tree, per page
        print("      CPU ms a page: " + ", ".join(f"{part} {1000 * seconds / last['pages']:.1f}"
                                                   for part, seconds in sorted(last["cpu"].items())))
    ratio = statistics.median(rates(full)) / statistics.median(rates(bare))
    last = full[-1]
    kept = last["articles"] + last["unchanged"] + sum(last["reasons"].values())
    print(f"  ratio {ratio:.2f} (target >= 0.35); peak tree RSS {max(r['peak_mb'] for r in full):.0f} MB (target < 250)")
    if naive:  # the naive any-site crawler, which stores nothing: the tool to beat
        print(f"  newsarchive / Scrapy + trafilatura: "
              f"{statistics.median(rates(full)) / statistics.median(rates(naive)):.2f} (pages/s, medians)")
    print(f"  archive: {last['articles']} articles, {last['unchanged']} unchanged duplicates, failures "
          f"{last['reasons'] or 0}; articles + unchanged + failures = {kept} (listings and robots.txt included "
          f"in failures if any); target: {articles} with >= {articles - 5} articles")
    print(f"  {last['summary']}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=2000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--variant", choices=["dated", "plain", "both"], default="both")
    parser.add_argument("--render", choices=["never", "auto"], default="never",
                        help="newsarchive's --render: never (the default) measures fetching and parsing; auto adds "
                             "the browser for the pages it judges to need one (bench/render.py measures that)")
    parser.add_argument("--no-trafilatura", action="store_true",
                        help="leave out the third crawler, Scrapy + trafilatura.extract() in the callback")
    parser.add_argument("--bare", help=argparse.SUPPRESS)
    parser.add_argument("--trafilatura", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.bare or args.trafilatura:
        bare_crawl(args.bare or args.trafilatura, extract=bool(args.trafilatura))
        return
    print(f"{os.cpu_count()} CPU cores; server: {'nginx' if shutil.which('nginx') else 'threaded Python'}")
    with tempfile.TemporaryDirectory(prefix="newsarchive-generic-") as scratch:
        os.chmod(scratch, 0o755)  # nginx's workers run as another user
        for variant in (["dated", "plain"] if args.variant == "both" else [args.variant]):
            measure(variant, args, Path(scratch))


if __name__ == "__main__":
    main()
