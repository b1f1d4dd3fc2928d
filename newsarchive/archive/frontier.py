"""The crawl frontier, kept in the archive: where a crawl is going, and where it has been.

Every URL a crawl requests has a row in `frontier` (crawl_id, url). The row is added in the
transaction that stores the page that offered the URL, and settled (settled_at, outcome) in the
transaction that stores what the URL's own page gave: its article, listing, unchanged revisit or
failure. So at any instant, even right after a SIGKILL, the archive says exactly which requests
of the crawl are still to be done: the pending rows.

A crawl that did not finish (killed, stopped, closed by a limit) leaves its rows; the next crawl
of the same site and spider takes them over (`adopt_unfinished`) and fetches the pending ones,
and nothing it settled. A crawl that finished deletes its rows; a pending row left at that point
would be a request lost on the way (a middleware that dropped it), and becomes a failure. It
keeps, pending again, the pages whose failure a later try may not meet (a timeout, a reset, a
503: newsarchive/failures.py, TRANSIENT_FAILURES), and the next crawl asks for them again
(`adopt_retries`): a listing page that failed would otherwise cut the site's pagination there
for good, an incremental crawl stopping at the pages it knows before it reaches the gap.
Call these inside `Archive.write()`, but for the readers at the end.
"""

from __future__ import annotations

import json
import sqlite3

from newsarchive.archive.database import Database
from newsarchive.failures import TRANSIENT_FAILURES
from newsarchive.items import FrontierEntry

# The outcome of a row whose page arrived cut short (PageResult.cut_short): stored, and kept
# pending like a transient failure, for the next crawl to ask for the whole page.
CUT_SHORT = "cut_short"

# Crawls whose frontier a new crawl of the same site may take over: every way of ending but
# "finished" (SIGKILL: "interrupted"; Ctrl-C or SIGTERM: "shutdown"; a CLOSESPIDER_* limit ...).
_NOT_RESUMABLE = ("finished",)


def add_entries(db: Database, crawl_id: int, entries: list[FrontierEntry], discovered_at: str) -> None:
    db.conn.executemany(
        "INSERT OR IGNORE INTO frontier (crawl_id, url, kind, priority, meta, discovered_at) VALUES (?, ?, ?, ?, ?, ?)",
        [(crawl_id, entry.url, entry.kind, entry.priority, json.dumps(entry.meta, sort_keys=True) if entry.meta else None,
          discovered_at) for entry in entries],
    )


def settle(db: Database, crawl_id: int, url: str, outcome: str, settled_at: str) -> None:
    """The URL's page is stored: its row (added now if its request came from no stored page,
    like a start URL's) is settled with the page's outcome."""
    db.execute(
        "INSERT INTO frontier (crawl_id, url, kind, discovered_at, settled_at, outcome) VALUES (?, ?, '', ?, ?, ?) "
        "ON CONFLICT (crawl_id, url) DO UPDATE SET settled_at = excluded.settled_at, outcome = excluded.outcome",
        [crawl_id, url, settled_at, settled_at, outcome],
    )


def adopt_unfinished(db: Database, crawl_id: int, spider: str, site: str | None) -> int | None:
    """Take over the frontier of the last crawl of this spider and site, if it did not finish and
    left requests pending; return that crawl's id."""
    last = db.execute(
        "SELECT id, finish_reason FROM crawls WHERE spider = ? AND site IS ? AND id != ? AND finished_at IS NOT NULL "
        "ORDER BY id DESC LIMIT 1", [spider, site, crawl_id]).fetchone()
    if last is None or last[1] in _NOT_RESUMABLE:
        return None
    pending = db.execute("SELECT 1 FROM frontier WHERE crawl_id = ? AND settled_at IS NULL LIMIT 1", [last[0]]).fetchone()
    if pending is None:
        return None
    db.execute("UPDATE frontier SET crawl_id = ? WHERE crawl_id = ?", [crawl_id, last[0]])
    db.execute("UPDATE crawls SET resumed_from = ? WHERE id = ?", [last[0], crawl_id])
    return last[0]


def adopt_retries(db: Database, crawl_id: int, spider: str, site: str | None) -> tuple[int | None, int]:
    """Take over the pages the last crawl of this spider and site finished with a transient
    failure (close_frontier kept them, pending); return (that crawl's id, how many), or (None, 0)."""
    last = db.execute(
        "SELECT id FROM crawls WHERE spider = ? AND site IS ? AND id != ? AND finish_reason = 'finished' "
        "ORDER BY id DESC LIMIT 1", [spider, site, crawl_id]).fetchone()
    if last is None:
        return None, 0
    moved = db.execute("UPDATE frontier SET crawl_id = ? WHERE crawl_id = ? AND settled_at IS NULL AND kind != ''",
                       [crawl_id, last[0]]).rowcount
    return (last[0], moved) if moved else (None, 0)


def adopt_orphans(db: Database, crawl_id: int, spider: str, site: str | None) -> int:
    """Take over the pages still pending in earlier ended crawls of this spider and site that
    neither adopt_unfinished nor adopt_retries took, which only look at the last crawl: those of
    an interrupted crawl that another crawl ran past while it was taken for running (its process
    id another's). forget_unfinished would drop them, and their pages would never be asked for
    again. Returns how many; a URL this crawl has already is left to it."""
    return db.execute(
        "UPDATE OR IGNORE frontier SET crawl_id = ? WHERE settled_at IS NULL AND kind != '' AND crawl_id IN ("
        "SELECT id FROM crawls WHERE spider = ? AND site IS ? AND id != ? AND finished_at IS NOT NULL)",
        [crawl_id, spider, site, crawl_id]).rowcount


def forget_unfinished(db: Database, spider: str, site: str | None) -> int:
    """Drop the frontier of earlier unfinished crawls of this spider and site (a fresh start)."""
    return db.execute(
        "DELETE FROM frontier WHERE crawl_id IN (SELECT id FROM crawls WHERE spider = ? AND site IS ? "
        "AND finished_at IS NOT NULL)", [spider, site]).rowcount


def read_frontier(conn: sqlite3.Connection, crawl_id: int) -> tuple[list[FrontierEntry], list[str]]:
    """(pending entries, URLs already settled) of a crawl."""
    pending, settled = [], []
    for url, kind, priority, meta, settled_at in conn.execute(
            "SELECT url, kind, priority, meta, settled_at FROM frontier WHERE crawl_id = ? ORDER BY rowid", [crawl_id]):
        if settled_at is None:
            pending.append(FrontierEntry(url, kind, priority, json.loads(meta) if meta else {}))
        else:
            settled.append(url)
    return pending, settled


def settled_to_read_again(conn: sqlite3.Connection, crawl_id: int) -> list[str]:
    """The settled pages a resumed crawl reads again: its listings, sitemaps, feeds and start URLs
    show what the site shows now, not what they showed the interrupted crawl. Read once, they were
    taken for done: the stories published since, and the old ones that moved across a page
    boundary into a page read before the kill, were never seen (a news site publishes between a
    cron run that died and the next)."""
    return [url for (url,) in conn.execute(
        "SELECT url FROM frontier WHERE crawl_id = ? AND settled_at IS NOT NULL AND kind NOT IN ('article', 'page') "
        "ORDER BY rowid", [crawl_id])]


def close_frontier(db: Database, crawl_id: int, failed_at: str, one_page: str | None = None) -> tuple[int, int, int]:
    """A finished crawl: pending rows become failures (`not_fetched`), and the rows go, but those
    of pages that failed for a transient reason or arrived cut short, kept pending for the next
    crawl, and those of the articles that were one page under many URLs (one_page: a prefix of
    its content_hash; StorePipeline.note_one_text): a site that answered every story's URL with
    its consent, block or maintenance page would otherwise keep that page as each story, and
    incremental crawls would never ask for the stories again. Returns (pages lost on the way,
    pages that failed or were cut short kept to ask for again, articles of the one page kept to ask
    for again)."""
    lost = db.execute(
        "INSERT INTO failures (crawl_id, url, reason, detail, failed_at) "
        "SELECT crawl_id, url, 'not_fetched', 'requested, but no response or error ever reached the spider "
        "(dropped on the way, e.g. by a depth or URL-length limit)', ? FROM frontier "
        "WHERE crawl_id = ? AND settled_at IS NULL", [failed_at, crawl_id]).rowcount
    db.execute("DELETE FROM frontier WHERE crawl_id = ? AND settled_at IS NULL", [crawl_id])
    transient = sorted(TRANSIENT_FAILURES)
    # A row without a kind is a request no stored page offered (a start URL, a sitemap robots.txt
    # names): every crawl asks for those afresh, and a request needs its kind.
    kept = db.execute(
        "UPDATE frontier SET settled_at = NULL, outcome = NULL WHERE crawl_id = ? AND kind != '' AND (outcome = ? "
        "OR outcome = 'failure' AND url IN (SELECT url FROM failures WHERE crawl_id = ? "
        f"AND reason IN ({', '.join('?' for _ in transient)})))",
        [crawl_id, CUT_SHORT, crawl_id, *transient]).rowcount
    one_page_kept = 0
    if one_page is not None:
        one_page_kept = db.execute(
            "UPDATE frontier SET settled_at = NULL, outcome = NULL WHERE crawl_id = ? AND outcome IN ('article', "
            "'unchanged') AND kind != '' AND url IN (SELECT u.url FROM article_urls u JOIN articles a ON a.id = "
            "u.article_id WHERE substr(a.content_hash, 1, ?) = ?)", [crawl_id, len(one_page), one_page]).rowcount
    db.execute("DELETE FROM frontier WHERE crawl_id = ? AND settled_at IS NOT NULL", [crawl_id])
    return lost, kept, one_page_kept
