"""`newsarchive demo`: generate the offline demo site, serve it on loopback, crawl it, summarise.

Run again on the same archive, it is what a scheduled crawl of a news site is: the site has
changed in between (an article edited, comments added, one removed, new articles published:
`SiteChanges`, more with every run), the crawl is incremental, and the summary says what the
archive learnt: new articles, new versions, comments accrued and removed, pages seen unchanged.
The site is served on a fixed loopback port (DEMO_PORT) so that every run crawls the same origin,
and the archive recognises what it already has.
"""

from __future__ import annotations

import socket
import tempfile
import time
from pathlib import Path

from newsarchive.archive import ArchiveError, open_for_reading
from newsarchive.archive.queries import archive_counts
from newsarchive.crawling import run_crawl
from newsarchive.demo.serve import start_in_thread
from newsarchive.demo.site import SiteChanges, generate_site

DEMO_PORT = 8642
# A local site needs no politeness delay; everything else is the crawl a user would run.
DEMO_SETTINGS = {"AUTOTHROTTLE_ENABLED": False, "LOG_LEVEL": "WARNING", "CONCURRENT_REQUESTS_PER_DOMAIN": 16}


def earlier_runs(db_path: Path) -> int:
    """Demo crawls the archive already holds (0 for a new archive)."""
    if not Path(db_path).is_file():
        return 0
    try:
        conn = open_for_reading(db_path)
    except ArchiveError:
        return 0  # the crawl itself will say what is wrong with the file
    try:
        return conn.execute("SELECT count(*) FROM crawls WHERE site = 'diyaruna'").fetchone()[0]
    finally:
        conn.close()


def changes_for_run(earlier: int) -> SiteChanges | None:
    """How the site has moved on by the run after `earlier` runs: nothing for the first."""
    if not earlier:
        return None
    return SiteChanges(edited=2, comments_added=3, comments_removed=1, new_articles=2 * earlier, seed=earlier)


def run_demo(db_path: Path, articles: int = 200, seed: int = 0, site_dir: Path | None = None, port: int = DEMO_PORT,
             echo=print) -> dict:
    earlier = earlier_runs(db_path)
    with tempfile.TemporaryDirectory(prefix="newsarchive-demo-") as scratch:
        site_dir = Path(site_dir or Path(scratch) / "site")
        started = time.perf_counter()
        manifest = generate_site(site_dir, articles=articles, seed=seed, changes=changes_for_run(earlier))
        echo(f"generated {'the' if not earlier else 'a changed'} demo site of {len(manifest['articles'])} articles "
             f"in {site_dir} ({time.perf_counter() - started:.1f} s)")
        server, base_url = start_in_thread(site_dir, _free_or(port))
        if port and not base_url.endswith(f":{port}"):
            echo(f"note: port {port} is busy, serving on {base_url}: the archive will take this site for "
                 "another origin (give --port to choose)")
        try:
            echo(f"serving it on {base_url}; crawling into {db_path} ...")
            started = time.perf_counter()
            summary = run_crawl("diyaruna", str(db_path), {"base_url": base_url, "allow_private": "1"}, DEMO_SETTINGS)
            elapsed = time.perf_counter() - started
        finally:
            server.shutdown()
    echo(f"crawl {summary.crawl_id} {summary.finish_reason} in {elapsed:.1f} s: {summary.describe()}")
    conn = open_for_reading(db_path)
    try:
        counts = archive_counts(conn)
        learnt = what_the_crawl_learnt(conn, summary.crawl_id) if earlier else None
    finally:
        conn.close()
    if learnt:
        echo("what this crawl found since the last one: " + ", ".join(f"{n} {what}" for what, n in learnt.items()))
    echo("the archive holds: " + ", ".join(f"{n} {table}" for table, n in counts.items()))
    _echo_next_steps(db_path, earlier, echo)
    return {"summary": summary, "counts": counts, "seconds": elapsed, "learnt": learnt, "manifest": manifest}


def what_the_crawl_learnt(conn, crawl_id: int) -> dict[str, int]:
    """What a re-crawl added to the archive: new articles and versions, comments that came and went."""
    started = conn.execute("SELECT started_at FROM crawls WHERE id = ?", [crawl_id]).fetchone()[0]

    def count(sql: str, *params) -> int:
        return conn.execute(sql, params).fetchone()[0] or 0

    return {
        "new articles": count("SELECT count(*) FROM articles WHERE first_crawl_id = ?", crawl_id),
        "new versions of edited articles": count(
            "SELECT count(*) FROM article_versions WHERE crawl_id = ? AND version > 1", crawl_id),
        "comments added": count("SELECT count(*) FROM comments c JOIN articles a ON a.id = c.article_id "
                                "WHERE c.first_seen_at >= ? AND a.first_crawl_id != ?", started, crawl_id),
        "comments removed": count("SELECT count(*) FROM comments WHERE removed_at >= ?", started),
        "pages seen unchanged": count("SELECT coalesce(unchanged, 0) + coalesce(articles_not_modified, 0) "
                                      "FROM crawls WHERE id = ?", crawl_id),
        "known articles not fetched again": count("SELECT articles_skipped FROM crawls WHERE id = ?", crawl_id),
    }


def _echo_next_steps(db_path: Path, earlier: int, echo) -> None:
    echo(f"archive file: {Path(db_path).resolve()}")
    echo(f"run it again (the site will have changed): newsarchive demo --db {db_path}")
    echo("look at it, for example:")
    echo(f"  newsarchive report --db {db_path}            # this crawl: pages, failures, changed articles, coverage")
    echo(f"  newsarchive search security --db {db_path}")
    echo(f"  sqlite3 {db_path} \"SELECT published_at, title FROM articles ORDER BY published_at DESC LIMIT 5\"")
    if earlier:
        echo(f"  sqlite3 {db_path} \"SELECT a.title, v.version, v.title FROM article_versions v "
             f"JOIN articles a ON a.id = v.article_id WHERE v.version > 1\"")
        echo(f"  sqlite3 {db_path} \"SELECT author_name, body_text, removed_at FROM comments "
             f"WHERE removed_at IS NOT NULL\"")


def _free_or(port: int) -> int:
    """The port asked for when it is free, else 0 (the system picks one). Free as the server binds
    it (SO_REUSEADDR, as http.server does): the connections of a demo just stopped, still closing
    (TIME_WAIT), took the port for busy, and the rerun served the site at another origin."""
    if not port:
        return 0
    with socket.socket() as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind(("127.0.0.1", port))
        except OSError:
            return 0
    return port
