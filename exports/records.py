"""Reading the archive for export: articles with their parts, in chunks, in constant memory.

Articles are read in id order, CHUNK_SIZE at a time (a keyset query, not OFFSET, so each chunk
costs the same however deep into the archive it is), and the authors, photos and comments of a
chunk come from one query each. Memory therefore depends on the chunk size, never on the size of
the archive.
"""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass
from typing import Iterator

from newsarchive.archive import open_for_reading
from newsarchive.archive.queries import date_window, publication_day_of

CHUNK_SIZE = 500

ARTICLE_FIELDS = (
    "id", "url", "canonical_url", "site", "site_code", "locale", "language", "direction", "section",
    "section_path", "title", "published_at", "published_at_raw", "published_day", "modified_at", "modified_at_raw",
    "byline_raw",
    "body_text", "comment_count", "comment_count_raw", "comments_status", "version_count", "sources", "warnings",
    "first_seen_at", "last_seen_at",
)
JSON_FIELDS = ("section_path", "sources", "warnings")
AUTHOR_FIELDS = ("name", "name_raw", "role", "position")
PHOTO_FIELDS = ("url", "caption", "caption_raw", "credit", "credit_raw", "alt", "width", "height", "position",
                "is_lead", "file_path", "file_sha256")
LINK_FIELDS = ("block_position", "position", "url", "anchor_text")
COMMENT_FIELDS = ("id", "site_comment_id", "parent_id", "parent_site_comment_id", "author_name", "posted_at",
                  "posted_at_raw", "body_text", "depth", "position", "first_seen_at", "removed_at")


@dataclass
class ExportFilters:
    site: str | None = None
    section: str | None = None
    language: str | None = None
    since: str | None = None  # day of publication as the site counts days (publication_day_of), YYYY-MM-DD
    until: str | None = None
    since_crawl: int | None = None  # only articles new or changed after this crawl (CHANGED_AFTER_CRAWL)

    def where(self, alias: str = "a") -> tuple[str, list]:
        clauses, params = [], []
        for column, value in (("site", self.site), ("section", self.section), ("language", self.language)):
            if value:
                clauses.append(f"{alias}.{column} = ?")
                params.append(value)
        window, window_params = date_window(publication_day_of(alias), self.since, self.until)
        if self.since_crawl is not None:
            clauses.append(CHANGED_AFTER_CRAWL.format(a=alias))
            params += [self.since_crawl] * 3
        return (" AND ".join(clauses + window) or "1"), params + window_params


# An article is new or changed after crawl N when a later crawl (id > N) first stored it, or stored
# a new version of its title and body, or when a comment of it was first stored or found removed
# after the earliest start of a later crawl. Comments carry times, not crawl ids: a crawl running
# alongside crawl N may make an article count as changed, never the other way round, so
# incremental exports can repeat an article but never miss one.
CHANGED_AFTER_CRAWL = (
    "({a}.first_crawl_id > ? "
    "OR EXISTS (SELECT 1 FROM article_versions sv WHERE sv.article_id = {a}.id AND sv.crawl_id > ?) "
    "OR EXISTS (SELECT 1 FROM comments sc, (SELECT min(started_at) AS later FROM crawls WHERE id > ?) lc "
    "WHERE sc.article_id = {a}.id AND (sc.first_seen_at >= lc.later OR sc.removed_at >= lc.later)))"
)


def connect(db_path) -> sqlite3.Connection:
    db = open_for_reading(db_path)
    db.row_factory = sqlite3.Row
    return db


def crawl_ids(db: sqlite3.Connection) -> tuple[int | None, int | None]:
    """The first and latest crawl ids of the archive, (None, None) when it has none."""
    return tuple(db.execute("SELECT min(id), max(id) FROM crawls").fetchone())


def settled_crawl_id(db: sqlite3.Connection) -> int | None:
    """The latest crawl that had finished, as had every crawl before it: the N of the next
    incremental export (--since-crawl N), read before this one starts, so that what a running
    crawl stores after this export read is exported next time, not missed."""
    running = db.execute("SELECT min(id) FROM crawls WHERE finished_at IS NULL").fetchone()[0]
    if running is None:
        return db.execute("SELECT max(id) FROM crawls").fetchone()[0]
    return db.execute("SELECT max(id) FROM crawls WHERE id < ?", [running]).fetchone()[0]


def crawl_exists(db: sqlite3.Connection, crawl_id: int) -> bool:
    return db.execute("SELECT 1 FROM crawls WHERE id = ?", [crawl_id]).fetchone() is not None


def count_articles(db: sqlite3.Connection, filters: ExportFilters) -> int:
    where, params = filters.where()
    return db.execute(f"SELECT count(*) FROM articles a WHERE {where}", params).fetchone()[0]


def article_chunks(db: sqlite3.Connection, filters: ExportFilters, chunk_size: int = CHUNK_SIZE) -> Iterator[list[dict]]:
    """Lists of article rows (plain dicts, JSON columns still text), in id order."""
    where, params = filters.where()
    columns = ", ".join(f"a.{field}" for field in ARTICLE_FIELDS)
    last_id = 0
    while True:
        rows = db.execute(f"SELECT {columns} FROM articles a WHERE a.id > ? AND {where} ORDER BY a.id LIMIT ?",
                          [last_id, *params, chunk_size]).fetchall()
        if not rows:
            return
        yield [dict(row) for row in rows]
        last_id = rows[-1]["id"]


def nested_articles(db: sqlite3.Connection, filters: ExportFilters, chunk_size: int = CHUNK_SIZE) -> Iterator[dict]:
    """Each article as one JSON-ready record with its authors, photos, comments and the links in its
    text (article_links: the block holding each, its URL and anchor text)."""
    for chunk in article_chunks(db, filters, chunk_size):
        ids = [row["id"] for row in chunk]
        authors = _children(db, ids, "SELECT aa.article_id, au.name, aa.name_raw, aa.role, aa.position "  # pragma: no mutate
                                     "FROM article_authors aa JOIN authors au ON au.id = aa.author_id "  # pragma: no mutate
                                     "WHERE aa.article_id IN ({ids}) ORDER BY aa.article_id, aa.position")  # pragma: no mutate
        photos = _children(db, ids, f"SELECT article_id, {', '.join(PHOTO_FIELDS)} FROM photos "
                                    "WHERE article_id IN ({ids}) ORDER BY article_id, position, id")  # pragma: no mutate
        comments = _children(db, ids, f"SELECT article_id, {', '.join(COMMENT_FIELDS)} FROM comments "
                                      "WHERE article_id IN ({ids}) ORDER BY article_id, id")  # pragma: no mutate
        links = _children(db, ids, f"SELECT article_id, {', '.join(LINK_FIELDS)} FROM article_links "
                                   "WHERE article_id IN ({ids}) ORDER BY article_id, block_position, position")  # pragma: no mutate
        for row in chunk:
            record = decode_json_fields(row)
            record["authors"] = authors.get(row["id"], [])
            record["photos"] = photos.get(row["id"], [])
            record["comments"] = comments.get(row["id"], [])
            record["links"] = links.get(row["id"], [])
            yield record


def decode_json_fields(row: dict) -> dict:
    record = dict(row)
    for field in JSON_FIELDS:
        if record.get(field) is not None:
            record[field] = json.loads(record[field])
    return record


def _children(db: sqlite3.Connection, ids: list[int], sql: str) -> dict[int, list[dict]]:
    grouped: dict[int, list[dict]] = {}
    placeholders = ", ".join("?" for _ in ids)
    cursor = db.cursor()
    cursor.row_factory = None  # plain tuples: building sqlite3.Row objects costs more than the query
    cursor.execute(sql.format(ids=placeholders), ids)
    names = [column[0] for column in cursor.description][1:]  # the first is article_id
    for article_id, *values in cursor:
        grouped.setdefault(article_id, []).append(dict(zip(names, values, strict=True)))
    return grouped
