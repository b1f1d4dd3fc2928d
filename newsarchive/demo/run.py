"""`newsarchive demo`: generate the offline demo site, serve it on loopback, crawl it, summarise."""

from __future__ import annotations

import tempfile
import time
from pathlib import Path

from newsarchive.archive import open_for_reading
from newsarchive.archive.queries import archive_counts
from newsarchive.crawling import run_crawl
from newsarchive.demo.serve import start_in_thread
from newsarchive.demo.site import generate_site

# A local site needs no politeness delay; everything else is the crawl a user would run.
DEMO_SETTINGS = {"AUTOTHROTTLE_ENABLED": False, "LOG_LEVEL": "WARNING", "CONCURRENT_REQUESTS_PER_DOMAIN": 16}


def run_demo(db_path: Path, articles: int = 200, seed: int = 0, site_dir: Path | None = None, port: int = 0,
             echo=print) -> dict:
    with tempfile.TemporaryDirectory(prefix="newsarchive-demo-") as scratch:
        site_dir = Path(site_dir or Path(scratch) / "site")
        started = time.perf_counter()
        generate_site(site_dir, articles=articles, seed=seed)
        echo(f"generated a demo site of {articles} articles in {site_dir} ({time.perf_counter() - started:.1f} s)")
        server, base_url = start_in_thread(site_dir, port)
        try:
            echo(f"serving it on {base_url}; crawling into {db_path} ...")
            started = time.perf_counter()
            summary = run_crawl("diyaruna", str(db_path), {"base_url": base_url, "allow_private": "1"}, DEMO_SETTINGS)
            elapsed = time.perf_counter() - started
        finally:
            server.shutdown()
    conn = open_for_reading(db_path)
    try:
        counts = archive_counts(conn)
    finally:
        conn.close()
    pages = summary.stats.get("downloader/response_count", 0)
    echo(f"crawl {summary.crawl_id} {summary.finish_reason} in {elapsed:.1f} s: {pages} pages "
         f"({pages / elapsed if elapsed else 0:.0f} pages/s)")
    echo("the archive holds: " + ", ".join(f"{n} {table}" for table, n in counts.items()))
    echo(f"archive file: {Path(db_path).resolve()}")
    echo("query it, for example:")
    echo(f"  sqlite3 {db_path} \"SELECT published_at, title FROM articles ORDER BY published_at DESC LIMIT 5\"")
    echo(f"  sqlite3 {db_path} \"SELECT a.title FROM articles_fts f JOIN articles a ON a.id = f.rowid "
         f"WHERE articles_fts MATCH 'security' LIMIT 5\"")
    return {"summary": summary, "counts": counts, "seconds": elapsed}
