"""Reading the archive during a crawl: what is already known about a URL.

The refresh policy asks, for every article link a listing shows, whether the archive has the
article and how it looked last time. Lookups go through their own connection, one indexed
query per link, so a crawl of a large archive holds no copy of it in memory. WAL mode lets
these reads run beside the store pipeline's writes.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from newsarchive.revisits import expected_missed
from newsarchive.scope import www_twin

# Redirects followed from a link to the article it leads to (a link to http:// that goes to https://,
# then to the URL with its slash, is two).
REDIRECT_HOPS = 4


@dataclass(frozen=True)
class KnownArticle:
    article_id: int
    published_at: str | None
    modified_at: str | None
    first_seen_at: str
    last_seen_at: str
    comment_count: int | None
    comments_status: str | None = None  # complete, unreached or none (NULL before m012)
    renders: int = 0  # renders of the article kept (captures of kind rendered)
    # Its latest visit could not read a page of its comments (newsarchive/comment_pages.py).
    comment_pages_unread: bool = False
    visits: int = 0  # fetches after the one that first stored it (revisits.visits)


@dataclass(frozen=True)
class StoredStory:
    """What the archive holds of an article's latest version, for telling a page that is not it
    (archive/store.py, _why_not_the_story)."""

    article_id: int
    title: str | None
    body_text: str | None
    sources: str | None  # the JSON of the article's `sources`
    content_hash: str
    published_day: str | None  # the story's day where it came out, else the day of its UTC time

    COLUMNS = ("a.id, a.title, a.body_text, a.sources, a.content_hash, "  # of `articles a`, in field order
               "coalesce(a.published_day, substr(a.published_at, 1, 10))")


# How an article's warnings begin the line on a page of its comments not read (comment_pages.py).
COMMENT_PAGE_UNREAD = "comments: the comment page "


# Validators of the last full response, turned into the headers of a conditional request.
_CONDITIONAL_HEADERS = {"etag": "If-None-Match", "last-modified": "If-Modified-Since"}
# A URL's last capture that gave the record stored (`{columns}` of `captures c`): a page answered
# 200 that no failure of its crawl at that URL names. A maintenance page at a story's URL (200,
# `not_the_story`) gave its validators to the next crawl's conditional request, and the 304s
# after it were stored as revisits of it: replay said the story's URL held "We'll be back soon".
LAST_RECORD_CAPTURE = ("SELECT {columns} FROM captures c WHERE c.url = ? AND c.kind = 'page' AND c.status = 200 "
                       "AND NOT EXISTS (SELECT 1 FROM failures f WHERE f.url = c.url AND f.crawl_id = c.crawl_id) "
                       "ORDER BY c.id DESC LIMIT 1")


class ArchiveLookup:
    def __init__(self, db_path: str | Path):
        self.db_path = Path(db_path)
        self._conn: sqlite3.Connection | None = None

    def _connection(self) -> sqlite3.Connection | None:
        if self._conn is None and self.db_path.is_file():
            self._conn = sqlite3.connect(str(self.db_path), check_same_thread=False)
            self._conn.execute("PRAGMA query_only=ON")
        return self._conn

    def _one(self, sql: str, params: list):
        conn = self._connection()
        if conn is None:
            return None
        try:
            return conn.execute(sql, params).fetchone()
        except sqlite3.OperationalError:  # an archive not yet migrated has no such tables
            return None

    def knows_site(self, site: str | None) -> bool:
        """Whether the archive holds any article of this site."""
        return self._one("SELECT 1 FROM articles WHERE site IS ? LIMIT 1", [site]) is not None

    def known_article(self, url: str) -> KnownArticle | None:
        """The article stored under this URL, or under the URL it redirected to last time
        (redirect_target), if any."""
        led_to: str | None = url
        for _ in range(REDIRECT_HOPS):
            if led_to is None:
                return None
            known = self._article_under(led_to)
            if known is not None:
                return known
            led_to = self.redirect_target(led_to)
        return None

    def redirect_target(self, url: str) -> str | None:
        """Where the URL redirected last time the crawl was sent there (a capture of kind
        redirect), when no other URL ever redirected there: many URLs sent to one page (a consent
        wall, a login page, a site's front page) are not that page, and are asked for again."""
        row = self._one("SELECT location FROM captures WHERE url = ? AND kind = 'redirect' ORDER BY id DESC LIMIT 1",
                        [url])
        if row is None or row[0] is None:
            return None
        sources = self._one("SELECT count(DISTINCT url) FROM captures WHERE location = ? AND kind = 'redirect'", [row[0]])
        return row[0] if sources == (1,) else None

    def _article_under(self, url: str) -> KnownArticle | None:
        row = self._one(
            "SELECT a.id, a.published_at, a.modified_at, a.first_seen_at, a.last_seen_at, a.comment_count, "
            "a.comments_status, (SELECT count(*) FROM captures c WHERE c.url = u.url AND c.kind = 'rendered'), "
            "a.warnings LIKE ?, (SELECT r.visits FROM revisits r WHERE r.article_id = a.id) "
            "FROM article_urls u JOIN articles a ON a.id = u.article_id WHERE u.url = ?",
            [f'%"{COMMENT_PAGE_UNREAD}%', url],
        )
        if row is None:
            return None
        (article_id, published_at, modified_at, first_seen_at, last_seen_at, comment_count, status, renders, unread,
         visits) = row
        return KnownArticle(article_id, published_at, modified_at, first_seen_at, last_seen_at, comment_count, status,
                            renders, bool(unread), visits or 0)

    def stored_story(self, urls: list[str]) -> StoredStory | None:
        """The article stored under any of these URLs (a page's canonical URL and its own), if any."""
        row = self._one(
            f"SELECT {StoredStory.COLUMNS} FROM article_urls u "
            f"JOIN articles a ON a.id = u.article_id WHERE u.url IN ({', '.join('?' for _ in urls)}) LIMIT 1",
            urls)
        return StoredStory(*row) if row else None

    def conditional_headers(self, url: str) -> dict[str, str]:
        """If-None-Match / If-Modified-Since from the URL's capture that gave its record stored
        (LAST_RECORD_CAPTURE), if any; none for a story read with other pages (other_pages), of
        which a 304 for this one says nothing."""
        if self._one("SELECT 1 FROM other_pages WHERE url = ? LIMIT 1", [url]):
            return {}
        row = self._one(LAST_RECORD_CAPTURE.format(columns="c.response_headers"), [url])
        if not row or not row[0]:
            return {}
        headers = {name.lower(): values for name, values in json.loads(row[0]).items()}
        return {
            request_header: headers[name][0]
            for name, request_header in _CONDITIONAL_HEADERS.items()
            if headers.get(name)
        }

    def revisit_candidates(self, site: str | None, now: str, older_than: str, seen_before: str,
                           since: str | None = None, until: str | None = None) -> Iterator[str]:
        """URLs of the site's known articles a revisit budget is spent on, best first; lazily, as
        the caller stops at its budget. Those published before `older_than` (younger ones are the
        refresh window's) and last fetched before `seen_before` (the schedule's floor): first the
        ones whose scheduled visit is due at `now`, then the rest, each by most expected missed
        changes, so a budget larger than what is due still goes where changes most likely wait;
        after all of them, those whose pages failed since they were last seen (a story deleted, 404
        or 410: never seen again, it had the most expected missed changes, and a small budget was
        spent on the dead crawl after crawl while a live story's correction waited). A
        site known by its host name is known by its `www.` name too (scope.www_twin): its stories
        may have been stored under either."""
        conn = self._connection()
        if conn is None:
            return
        conn.create_function("expected_missed", 5, expected_missed, deterministic=True)
        published = "coalesce(a.published_at, a.first_seen_at)"
        clauses, params = date_window(published, since, until)
        where = "".join(f" AND {clause}" for clause in clauses)
        try:
            rows = conn.execute(
                f"SELECT a.url FROM articles a LEFT JOIN revisits r ON r.article_id = a.id "
                f"WHERE (a.site IS ? OR a.site IS ?) AND a.last_seen_at < ? "
                # a date without a time is young while any part of that day is in the window
                f"AND CASE WHEN length({published}) = 10 THEN {published} < substr(?, 1, 10) "
                f"ELSE {published} < ? END{where} "
                f"ORDER BY EXISTS (SELECT 1 FROM article_urls u JOIN failures f ON f.url = u.url "
                f"WHERE u.article_id = a.id AND f.failed_at > a.last_seen_at), "
                f"coalesce(r.next_visit_at <= ?, 1) DESC, "
                f"expected_missed(r.change_rate, {published}, a.comment_count, a.last_seen_at, ?) DESC, a.id",
                [site, (site and www_twin(site)) or site, seen_before, older_than, older_than, *params, now, now])
            yield from (row[0] for row in rows)
        except sqlite3.OperationalError:  # not migrated yet
            return

    def young_articles(self, site: str | None, window_start: str, since: str | None = None,
                       until: str | None = None) -> list[str]:
        """URLs of the site's known articles published since `window_start` (the refresh window's,
        as RefreshPolicy.is_young judges them), newest first. A site known by its host name is known
        by its `www.` name too (scope.www_twin)."""
        conn = self._connection()
        if conn is None:
            return []
        published = "coalesce(published_at, first_seen_at)"
        clauses, params = date_window(published, since, until)
        where = "".join(f" AND {clause}" for clause in clauses)
        try:
            return [row[0] for row in conn.execute(
                f"SELECT url FROM articles WHERE (site IS ? OR site IS ?) "
                # a date without a time is young while any part of that day is in the window
                f"AND CASE WHEN length({published}) = 10 THEN {published} >= substr(?, 1, 10) "
                f"ELSE {published} >= ? END{where} ORDER BY {published} DESC, id",
                [site, (site and www_twin(site)) or site, window_start, window_start, *params])]
        except sqlite3.OperationalError:  # not migrated yet
            return []

    def stored_photo_files(self, urls: list[str], photos_dir: Path) -> dict[str, tuple]:
        """Files the archive already has for these photo URLs, still present under photos_dir:
        url -> (file_path, file_size, file_type, file_sha256)."""
        conn = self._connection()
        if not urls or conn is None:
            return {}
        try:
            rows = conn.execute(
                "SELECT url, file_path, file_size, file_type, file_sha256 FROM photos WHERE file_sha256 IS NOT NULL "
                f"AND url IN ({', '.join('?' for _ in urls)})", urls).fetchall()
        except sqlite3.OperationalError:  # not migrated yet
            return {}
        return {row[0]: row[1:] for row in rows if (Path(photos_dir) / row[1]).is_file()}

    def close(self) -> None:
        if self._conn is not None:
            self._conn.close()
            self._conn = None


def date_window(column: str, since: str | None, until: str | None) -> tuple[list[str], list[str]]:
    """SQL conditions for `since <= column <= until` on ISO dates or times (until: the whole day)."""
    clauses, params = [], []
    if since:
        clauses.append(f"{column} >= ?")
        params.append(since)
    if until:
        clauses.append(f"substr({column}, 1, 10) <= ?")
        params.append(until)
    return clauses, params


def publication_day_of(alias: str = "a") -> str:
    """SQL for an article's day of publication as its site counts days (published_day: a story out
    at 23:30 in Chicago is of that day, not of the next UTC day), the UTC day for an article stored
    before the site's day was kept: what `--since` and `--until` of exports and search go by, as
    `report` counts a crawl's articles per day."""
    return f"coalesce({alias}.published_day, substr({alias}.published_at, 1, 10))"


ARCHIVE_TABLES = ("articles", "article_versions", "authors", "photos", "comments", "listings", "failures", "crawls")


def archive_counts(conn: sqlite3.Connection) -> dict[str, int]:
    """Rows in each of the archive's main tables."""
    return {table: conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0] for table in ARCHIVE_TABLES}


def articles_settled_by_crawl(conn: sqlite3.Connection, crawl_id: int) -> tuple[dict[str, str], dict[str, str]]:
    """(page URL -> content hash, article key -> content hash) of each article whose page this
    crawl (or the interrupted crawl it took over) has already stored: what a resumed crawl's dedupe
    knows, as the crawl would have known it had it never stopped. Only the page's own URL and its
    article's key: URLs an earlier crawl linked to the article are not this crawl's pages."""
    pages: dict[str, str] = {}
    keys: dict[str, str] = {}
    for url, key, digest in conn.execute(
            "SELECT f.url, a.canonical_url, a.content_hash FROM frontier f "
            "JOIN article_urls u ON u.url = f.url JOIN articles a ON a.id = u.article_id "
            "WHERE f.crawl_id = ? AND f.outcome IN ('article', 'unchanged')", [crawl_id]):
        pages[url] = keys[key] = digest
    return pages, keys


def listings_settled_by_crawl(conn: sqlite3.Connection, crawl_id: int) -> list[str]:
    """The URLs of the listing pages (sections, feeds, sitemaps) this crawl, or the interrupted crawl
    it took over, has already read: no story's canonical URL (see DedupePipeline)."""
    return [url for (url,) in conn.execute(
        "SELECT url FROM frontier WHERE crawl_id = ? AND outcome = 'listing'", [crawl_id])]  # pragma: no mutate
