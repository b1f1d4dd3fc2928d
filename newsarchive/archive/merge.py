"""Merging archives: the shards of a distributed crawl, or any two archives, into one.

    newsarchive merge shard-1.db shard-2.db shard-3.db --into archive.db

The rules are those of a single crawl: an article is one row per canonical URL (or any URL it
was seen under); its versions are the union of both sides' versions in capture order, a version
identical to the one before it collapsed; the body's blocks and links with the body (from the
side whose content the merged article has); authors by name, photos by article and URL, comments
by article and comment key (earliest first seen, latest last seen; removed only if missed after
it was last seen; the text of the side that saw it last, the other's and each side's earlier texts
in comment_edits); the other pages a story was read with, each once; the comments' status is the side seen last's, but a side that did not reach
them leaves them `complete` when the other read them all. Crawl rows carry a uuid: the captures and failures of a crawl already merged
are not added again, so merging is idempotent. A source written by an older newsarchive is
migrated (a copy; the file itself is left as it is); one written by a newer version, or that is
not an archive, is refused with a message saying why.
"""

from __future__ import annotations

import json
import shutil
import sqlite3
import tempfile
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path

from newsarchive.archive import check_integrity, open_archive, open_for_reading
from newsarchive.archive.migrations import migrations
from newsarchive.archive.store import comments_read_kept, insert_row, json_object
from newsarchive.locking import crawls_running

CHUNK = 500
CRAWL_COPY = ("site", "spider", "started_at", "finished_at", "finish_reason", "settings", "requests", "responses",
              "items", "articles_stored", "articles_new", "articles_changed", "duplicates", "failures", "coverage",
              "articles_not_modified", "articles_skipped", "host", "pid", "pid_started", "uuid", "pages", "listings",
              "unchanged", "revisits", "revisits_changed")
ARTICLE_COPY = ("url", "canonical_url", "site", "site_code", "locale", "language", "direction", "section",
                "section_path", "title", "published_at", "published_at_raw", "published_day", "modified_at", "modified_at_raw",
                "byline_raw", "body_text", "comment_count", "comment_count_raw", "comments_status", "content_hash",
                "sources", "warnings")
PHOTO_COPY = ("url", "caption", "caption_raw", "credit", "credit_raw", "alt", "width", "height", "position", "is_lead",
              "first_seen_at", "file_path", "file_size", "file_type", "file_sha256")
VERSION_COPY = ("captured_at", "crawl_id", "title", "body_text", "content_hash")
BLOCK_COPY = ("position", "kind", "text")
LINK_COPY = ("block_position", "position", "url", "anchor_text")
COMMENT_COPY = ("comment_key", "site_comment_id", "parent_site_comment_id", "author_name", "posted_at",
                "posted_at_raw", "body_text", "position", "depth")


# Mutation testing (docs/testing.md): unless a comment gives another reason, a line marked
# `# pragma: no mutate` holds SQL, or the name of a table or column. SQLite reads keywords and
# names in any case, so the upper- and lower-case mutants of those strings change nothing.


class MergeError(ValueError):
    pass


@dataclass
class MergeSummary:
    sources: int = 0
    crawls_added: int = 0
    crawls_already_merged: int = 0
    articles: int = 0
    seconds: float = 0.0
    notes: list[str] = field(default_factory=list)


def merge_archives(sources: list[Path], target: Path) -> MergeSummary:
    summary = MergeSummary()
    started = time.perf_counter()
    for source in sources:  # all of them, before the target is opened (a new one made)
        _check_source(Path(source), Path(target))
    archive = open_archive(target)
    try:
        for source in sources:
            with _readable_copy(Path(source), summary) as source_db:
                _merge_one(source_db, archive, summary)
            summary.sources += 1
    finally:
        archive.close()
    summary.seconds = time.perf_counter() - started
    return summary


def _check_source(source: Path, target: Path) -> None:
    """A MergeError or an ArchiveError for a source that cannot be merged: a failed merge into a new
    archive left an empty archive behind."""
    if source.resolve() == target.resolve():
        raise MergeError(f"{source} is the archive being merged into")
    if not source.is_file():
        raise MergeError(f"{source}: no such file")
    open_for_reading(source, older=True).close()  # refuses a file that is no archive, or of a newer schema
    running = crawls_running(source)
    if running:  # its crawl merged half-way would be taken for merged whole by the next merge
        raise MergeError(f"{source} is being crawled now ({', '.join(running)}): merge it once its crawl has ended")


class _readable_copy:
    """The source as a connection, checked, and migrated in a temporary copy when it is older."""

    def __init__(self, path: Path, summary: MergeSummary):
        self.path, self.summary = path, summary
        self.scratch: tempfile.TemporaryDirectory[str] | None = None  # only for an older archive

    def __enter__(self) -> sqlite3.Connection:
        # open_for_reading refuses a file that is not an archive, or one of a newer schema (an
        # unknown migration), with an ArchiveError saying so.
        checked = open_for_reading(self.path, older=True)
        try:
            check_integrity(checked, self.path)
            applied = checked.execute(
                "SELECT count(*) FROM _sqlite_migrations WHERE migration_set = ?",  # pragma: no mutate
                ["newsarchive"]).fetchone()[0]
        finally:
            checked.close()
        known = len(migrations._migrations)
        path = self.path
        if applied < known:
            # No mutate: the scratch folder's name is seen by nobody (it is removed after the merge).
            self.scratch = tempfile.TemporaryDirectory(prefix="newsarchive-merge-")  # pragma: no mutate
            path = Path(self.scratch.name) / self.path.name
            shutil.copy(self.path, path)
            # Changes not yet checkpointed are in the write-ahead log: copied too (the -shm index
            # is not: SQLite rebuilds it from the log).
            if Path(f"{self.path}-wal").exists():
                shutil.copy(f"{self.path}-wal", f"{path}-wal")
            open_archive(path).close()  # applies the missing migrations to the copy
            self.summary.notes.append(f"{self.path}: older schema ({applied} of {known} migrations): "
                                      "merged from a migrated copy")
        # Read-only: a source on read-only media (a shard handed over on a disk) cannot take the
        # -shm file a writable connection makes, and "attempt to write a readonly database".
        self.db = open_for_reading(path)
        self.db.row_factory = sqlite3.Row
        return self.db

    def __exit__(self, *exc):
        self.db.close()
        if self.scratch is not None:
            self.scratch.cleanup()


def _merge_one(source: sqlite3.Connection, archive, summary: MergeSummary) -> None:
    with archive.write() as db:
        crawl_ids, new_crawls = _merge_crawls(source, db, summary)
        _merge_captures(source, db, crawl_ids, new_crawls)
        for table in ("failures", "listings"):  # pragma: no mutate
            _merge_crawl_rows(source, db, table, crawl_ids, new_crawls)
        _merge_other_pages(source, db)
        _merge_alternates(source, db)
    last_id = 0
    while rows := source.execute(
            "SELECT * FROM articles WHERE id > ? ORDER BY id LIMIT ?",  # pragma: no mutate
            [last_id, CHUNK]).fetchall():
        with archive.write() as db:
            for row in rows:
                _merge_article(source, db, dict(row), crawl_ids)
                summary.articles += 1
        last_id = rows[-1]["id"]  # pragma: no mutate


def _merge_crawls(source, db, summary) -> tuple[dict[int, int], set[int]]:
    crawl_ids, new_crawls = {}, set()
    for crawl in source.execute("SELECT * FROM crawls ORDER BY id"):  # pragma: no mutate
        crawl = dict(crawl)
        crawl["uuid"] = crawl.get("uuid") or uuid.uuid4().hex
        existing = db.execute("SELECT id, finished_at FROM crawls WHERE uuid = ?", [crawl["uuid"]]).fetchone()  # pragma: no mutate
        if existing:
            crawl_ids[crawl["id"]] = existing[0]
            summary.crawls_already_merged += 1
            if existing[1] is None and crawl["finished_at"] is not None:
                # Merged while unfinished (killed), marked since by the crawl that took it over
                # (`interrupted`, its end its last capture): the merged archive says so too.
                _update_row(db, "crawls", existing[0], {column: crawl.get(column) for column in CRAWL_COPY
                                                        if column not in ("uuid", "started_at")})
            continue
        row = {column: crawl.get(column) for column in CRAWL_COPY}
        # The crawl it took over is an earlier row of the same source: merged already.
        row["resumed_from"] = crawl_ids.get(crawl.get("resumed_from"))
        crawl_ids[crawl["id"]] = insert_row(db, "crawls", row)  # pragma: no mutate
        new_crawls.add(crawl["id"])
        summary.crawls_added += 1
    return crawl_ids, new_crawls


def _update_row(db, table: str, row_id: int, values: dict) -> None:
    db.execute(f"UPDATE {table} SET {', '.join(f'{column} = ?' for column in values)} WHERE id = ?",  # pragma: no mutate
               [*values.values(), row_id])


def _merge_captures(source, db, crawl_ids, new_crawls) -> None:
    capture_ids: dict[int, int] = {}
    for capture in source.execute("SELECT * FROM captures ORDER BY id"):  # pragma: no mutate
        capture = dict(capture)
        old_id = capture.pop("id")
        if capture["crawl_id"] not in new_crawls:
            continue
        capture["crawl_id"] = crawl_ids[capture["crawl_id"]]
        if capture["revisit_of"] is not None:
            # No mutate: the lookup by URL and time finds the capture this merge just added too
            # (the mapping saves that query).
            capture["revisit_of"] = capture_ids.get(capture["revisit_of"]) or _target_capture(  # pragma: no mutate
                source, db, capture["revisit_of"])
        capture_ids[old_id] = insert_row(db, "captures", capture)  # pragma: no mutate


def _target_capture(source, db, source_capture_id: int) -> int | None:
    url, fetched_at = source.execute(
        "SELECT url, fetched_at FROM captures WHERE id = ?",  # pragma: no mutate
        [source_capture_id]).fetchone()
    row = db.execute(
        "SELECT id FROM captures WHERE url = ? AND fetched_at = ?",  # pragma: no mutate
        [url, fetched_at]).fetchone()
    return row[0] if row else None


def _merge_crawl_rows(source, db, table: str, crawl_ids, new_crawls) -> None:
    """Rows of a table that belong to a crawl (failures, listings), for the crawls new to the target."""
    for row in source.execute(f"SELECT * FROM {table} ORDER BY id"):
        row = dict(row)
        row.pop("id")
        if row["crawl_id"] in new_crawls:
            row["crawl_id"] = crawl_ids[row["crawl_id"]]
            insert_row(db, table, row)


def _merge_article(source, db, article: dict, crawl_ids: dict[int, int]) -> None:
    urls = [row[0] for row in source.execute(
        "SELECT url FROM article_urls WHERE article_id = ?",  # pragma: no mutate
        [article["id"]])]
    keys = [article["canonical_url"], *urls]
    found = db.execute(f"SELECT article_id FROM article_urls WHERE url IN ({', '.join('?' for _ in keys)}) LIMIT 1",
                       keys).fetchone()
    versions = [dict(v) for v in source.execute(
        "SELECT * FROM article_versions WHERE article_id = ?",  # pragma: no mutate
        [article["id"]])]
    hash_before = None  # the target's content before this side is merged in
    latest = True  # whether this side saw the article last (its fields, its credits win)
    if found is None:
        values = {column: article[column] for column in ARTICLE_COPY}
        values.update(first_seen_at=article["first_seen_at"], last_seen_at=article["last_seen_at"],
                      first_crawl_id=crawl_ids.get(article["first_crawl_id"]),
                      last_crawl_id=crawl_ids.get(article["last_crawl_id"]),
                      # A placeholder: every stored article has a version, and _merge_versions counts them.
                      version_count=0,  # pragma: no mutate
                      )
        target_id = insert_row(db, "articles", values)  # pragma: no mutate
    else:
        target_id = found[0]
        hash_before, seen_before = db.execute("SELECT content_hash, last_seen_at FROM articles WHERE id = ?",  # pragma: no mutate
                                              [target_id]).fetchone()
        latest = (article["last_seen_at"], article["content_hash"]) > (seen_before, hash_before)  # as _merge_article_row
        _merge_article_row(db, target_id, article, crawl_ids)
    _merge_versions(db, target_id, versions, crawl_ids)
    _merge_blocks(source, db, article, target_id, hash_before)
    url_rows = source.execute("SELECT url, first_seen_at FROM article_urls WHERE article_id = ?",  # pragma: no mutate
                              [article["id"]]).fetchall()
    for url, first_seen in url_rows or [(article["canonical_url"], article["first_seen_at"])]:
        # Each URL first seen when either side first saw it, whatever the order of the merge.
        db.execute("INSERT INTO article_urls (url, article_id, first_seen_at) VALUES (?, ?, ?) ON CONFLICT (url) "
                   "DO UPDATE SET first_seen_at = min(first_seen_at, excluded.first_seen_at) "
                   "WHERE article_id = excluded.article_id", [url, target_id, first_seen or article["first_seen_at"]])
    _merge_authors(source, db, article["id"], target_id, latest)
    _merge_photos(source, db, article["id"], target_id)
    _merge_comments(source, db, article["id"], target_id)
    _mark_comments_missing_from_the_latest_visit(db, target_id)
    _merge_revisit_schedule(source, db, article["id"], target_id)


def _merge_revisit_schedule(source, db, source_id: int, target_id: int) -> None:
    """The schedule that revisits the article soonest: the higher change rate, the earlier next
    visit, the longer history of visits. Maxima and minima, not sums, so that merging the same
    archive again changes nothing (merge is safe to repeat); shards that visited the article in
    different crawls each count only their own visits, an undercount the next visits make good."""
    row = source.execute(
        "SELECT next_visit_at, change_rate, visits, changes_found, visited_days FROM revisits "  # pragma: no mutate
        "WHERE article_id = ?", [source_id]).fetchone()
    if row is None:
        return
    db.execute(
        "INSERT INTO revisits (article_id, next_visit_at, change_rate, visits, changes_found, visited_days) "
        "VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (article_id) DO UPDATE SET "
        "next_visit_at = min(next_visit_at, excluded.next_visit_at), "
        "change_rate = max(change_rate, excluded.change_rate), visits = max(visits, excluded.visits), "
        "changes_found = max(changes_found, excluded.changes_found), "
        "visited_days = max(visited_days, excluded.visited_days)",
        [target_id, *row])


def _mark_comments_missing_from_the_latest_visit(db, article_id: int) -> None:
    """As a crawl would have: when the latest visit read the whole comment section (the page's
    counter equals the comments seen on that visit), a comment last seen before it is removed."""
    last_seen, shown = db.execute(
        "SELECT last_seen_at, comment_count FROM articles WHERE id = ?",  # pragma: no mutate
        [article_id]).fetchone()
    seen_then = db.execute("SELECT count(*) FROM comments WHERE article_id = ? AND last_seen_at = ?",  # pragma: no mutate
                           [article_id, last_seen]).fetchone()[0]
    if shown is None or shown != seen_then:
        return
    db.execute("UPDATE comments SET removed_at = ? WHERE article_id = ? AND removed_at IS NULL AND last_seen_at < ?",  # pragma: no mutate
               [last_seen, article_id, last_seen])


def _merge_article_row(db, target_id: int, article: dict, crawl_ids) -> None:
    """The side seen last gives the article's fields; first and last seen span both. Its
    comments' status is kept as a crawl keeps it (store.comments_read_kept): a side that did not
    reach the comments leaves them `complete` when the other read them all.

    Two sides seen last at the same time: the one whose content hash sorts last, as in
    _merge_versions, so that the fields and the latest version agree whatever the merge order."""
    first_seen, last_seen, current_hash, current_status, current_sources = db.execute(
        "SELECT first_seen_at, last_seen_at, content_hash, comments_status, sources FROM articles WHERE id = ?",  # pragma: no mutate
        [target_id]).fetchone()
    values = dict(first_seen_at=min(first_seen, article["first_seen_at"]),
                  last_seen_at=max(last_seen, article["last_seen_at"]))
    if (article["last_seen_at"], article["content_hash"]) > (last_seen, current_hash):
        values.update({column: article[column] for column in ARTICLE_COPY if column != "canonical_url"})
        values.update(last_crawl_id=crawl_ids.get(article["last_crawl_id"]))
        latest, earlier = (article["comments_status"], article["sources"]), (current_status, current_sources)
    else:
        latest, earlier = (current_status, current_sources), (article["comments_status"], article["sources"])
    status, sources = comments_read_kept(latest[0], json_object(latest[1]), *earlier)
    if status != latest[0]:
        values.update(comments_status=status, sources=json.dumps(sources, sort_keys=True))
    if article["first_seen_at"] < first_seen:
        values.update(first_crawl_id=crawl_ids.get(article["first_crawl_id"]))
    db["articles"].update(target_id, values)


def _merge_versions(db, target_id: int, source_versions: list[dict], crawl_ids) -> None:
    """Both sides' versions in capture order; a version identical to the previous one collapses."""
    existing = list(db.query(
        "SELECT * FROM article_versions WHERE article_id = ? ORDER BY version",  # pragma: no mutate
        [target_id]))
    incoming = [{**v, "crawl_id": crawl_ids.get(v["crawl_id"])} for v in source_versions]
    # Two versions captured at the same time (by two shards): ordered by hash, whichever was merged first.
    combined = sorted(existing + incoming, key=lambda v: (v["captured_at"], v["content_hash"]))
    merged: list[dict] = []
    for version in combined:
        if merged and merged[-1]["content_hash"] == version["content_hash"]:
            continue
        merged.append(version)
    if [(v["content_hash"], v["captured_at"]) for v in merged] == [(v["content_hash"], v["captured_at"]) for v in existing]:
        return
    db.execute("DELETE FROM article_versions WHERE article_id = ?", [target_id])  # pragma: no mutate
    for number, version in enumerate(merged, 1):
        row = dict(article_id=target_id, version=number, **{column: version[column] for column in VERSION_COPY})
        insert_row(db, "article_versions", row)  # pragma: no mutate
    latest = merged[-1]
    db.execute("UPDATE articles SET version_count = ?, title = ?, body_text = ?, content_hash = ? WHERE id = ?",  # pragma: no mutate
               [len(merged), latest["title"], latest["body_text"], latest["content_hash"], target_id])


def _merge_blocks(source, db, article: dict, target_id: int, hash_before: str | None) -> None:
    """The body's blocks and links come with the body: from this side when the merged article now
    has its content (a new article, or this side's version is the latest), unless both sides had
    that content and the target has its blocks already (merging again changes nothing)."""
    merged_hash = db.execute("SELECT content_hash FROM articles WHERE id = ?", [target_id]).fetchone()[0]  # pragma: no mutate
    if merged_hash != article["content_hash"]:
        return
    if hash_before == merged_hash and db.execute(
            "SELECT 1 FROM article_blocks WHERE article_id = ? LIMIT 1", [target_id]).fetchone():  # pragma: no mutate
        return
    db.execute("DELETE FROM article_links WHERE article_id = ?", [target_id])  # pragma: no mutate
    db.execute("DELETE FROM article_blocks WHERE article_id = ?", [target_id])  # pragma: no mutate
    for table, columns in (("article_blocks", BLOCK_COPY), ("article_links", LINK_COPY)):  # pragma: no mutate
        rows = source.execute(f"SELECT {', '.join(columns)} FROM {table} WHERE article_id = ?",  # pragma: no mutate
                              [article["id"]]).fetchall()
        db.conn.executemany(f"INSERT INTO {table} (article_id, {', '.join(columns)}) "  # pragma: no mutate
                            f"VALUES (?, {', '.join('?' for _ in columns)})", [(target_id, *row) for row in rows])


def _merge_authors(source, db, source_id: int, target_id: int, latest: bool) -> None:
    """The credits of the side that saw the article last, as a crawl keeps them (store.py's
    _store_authors: a corrected byline replaces the last visit's); the other side's when that one
    gave none (a visit whose page showed no byline leaves the credits as they were)."""
    # Rows as dicts: a sqlite3.Row finds a key in any case, a dict only in the case written.
    rows = [dict(row) for row in source.execute(
            "SELECT au.name, aa.position, aa.name_raw, aa.role FROM article_authors aa "  # pragma: no mutate
            "JOIN authors au ON au.id = aa.author_id WHERE aa.article_id = ?",  # pragma: no mutate
            [source_id])]
    credited = [row[0] for row in db.execute("SELECT author_id FROM article_authors WHERE article_id = ?",  # pragma: no mutate
                                             [target_id])]
    if not rows or (credited and not latest):
        return
    db.execute("DELETE FROM article_authors WHERE article_id = ?", [target_id])  # pragma: no mutate
    for row in rows:
        found = db.execute("SELECT id FROM authors WHERE name = ?", [row["name"]]).fetchone()  # pragma: no mutate
        author_id = found[0] if found else db.execute(
            "INSERT INTO authors (name) VALUES (?)",  # pragma: no mutate
            [row["name"]]).lastrowid
        db.execute("INSERT OR IGNORE INTO article_authors (article_id, author_id, position, name_raw, role) "  # pragma: no mutate
                   "VALUES (?, ?, ?, ?, ?)",  # pragma: no mutate
                   [target_id, author_id, row["position"], row["name_raw"], row["role"]])
    for author_id in credited:  # an author no article credits any more is no author of the archive
        db.execute("DELETE FROM authors WHERE id = ? AND NOT EXISTS "  # pragma: no mutate
                   "(SELECT 1 FROM article_authors WHERE author_id = authors.id)", [author_id])


def _merge_photos(source, db, source_id: int, target_id: int) -> None:
    for row in map(dict, source.execute(
            f"SELECT {', '.join(PHOTO_COPY)} FROM photos WHERE article_id = ?",  # pragma: no mutate
            [source_id])):
        db.execute(f"INSERT OR IGNORE INTO photos (article_id, {', '.join(PHOTO_COPY)}) "  # pragma: no mutate
                   f"VALUES (?, {', '.join('?' for _ in PHOTO_COPY)})", [target_id, *row.values()])
        db.execute("UPDATE photos SET first_seen_at = ? WHERE article_id = ? AND url = ? AND first_seen_at > ?",  # pragma: no mutate
                   [row["first_seen_at"], target_id, row["url"], row["first_seen_at"]])  # the earlier, in either order
        if row["file_sha256"]:
            db.execute("UPDATE photos SET file_path = ?, file_size = ?, file_type = ?, file_sha256 = ? "  # pragma: no mutate
                       "WHERE article_id = ? AND url = ? AND file_sha256 IS NULL",  # pragma: no mutate
                       [row["file_path"], row["file_size"], row["file_type"], row["file_sha256"], target_id, row["url"]])


def _merge_comments(source, db, source_id: int, target_id: int) -> None:
    # Parents before replies: order by depth, then position.
    for row in map(dict, source.execute(
            "SELECT * FROM comments WHERE article_id = ? ORDER BY depth, position, id",  # pragma: no mutate
            [source_id])):
        current = db.execute("SELECT id, first_seen_at, last_seen_at, removed_at FROM comments "  # pragma: no mutate
                             "WHERE article_id = ? AND comment_key = ?",  # pragma: no mutate
                             [target_id, row["comment_key"]]).fetchone()
        if current is None:
            parent = None
            if row["parent_site_comment_id"]:
                found = db.execute("SELECT id FROM comments WHERE article_id = ? AND site_comment_id = ?",  # pragma: no mutate
                                   [target_id, row["parent_site_comment_id"]]).fetchone()
                parent = found[0] if found else None
            values = {column: row[column] for column in COMMENT_COPY}
            values.update(article_id=target_id, parent_id=parent, first_seen_at=row["first_seen_at"],
                          last_seen_at=row["last_seen_at"], removed_at=row["removed_at"])
            _copy_comment_edits(source, db, row["id"], insert_row(db, "comments", values))  # pragma: no mutate
            continue
        _copy_comment_edits(source, db, row["id"], current[0])
        _merge_comment_text(db, current[0], row)
        last_seen = max(current[2], row["last_seen_at"])
        removals = [r for r in (current[3], row["removed_at"]) if r and r > last_seen]
        db.execute("UPDATE comments SET first_seen_at = ?, last_seen_at = ?, removed_at = ? WHERE id = ?",  # pragma: no mutate
                   [min(current[1], row["first_seen_at"]), last_seen, min(removals) if removals else None, current[0]])


def _copy_comment_edits(source, db, source_comment_id: int, target_comment_id: int) -> None:
    """The earlier texts of a comment (comment_edits), each once."""
    for edit in source.execute("SELECT body_text, author_name, replaced_at FROM comment_edits WHERE comment_id = ?",  # pragma: no mutate
                               [source_comment_id]):
        if db.execute("SELECT 1 FROM comment_edits WHERE comment_id = ? AND replaced_at = ? AND body_text IS ?",  # pragma: no mutate
                      [target_comment_id, edit["replaced_at"], edit["body_text"]]).fetchone() is None:
            insert_row(db, "comment_edits", {"comment_id": target_comment_id, **dict(edit)})  # pragma: no mutate


def _merge_comment_text(db, target_comment_id: int, row: dict) -> None:
    """One comment seen with another text by each side: the text of the side that saw it last is
    the comment's, the other's an earlier text (comment_edits), replaced when the later side first
    saw the comment, or last saw it when the two sides' sightings overlap."""
    text, author, first_seen, last_seen = db.execute(
        "SELECT body_text, author_name, first_seen_at, last_seen_at FROM comments WHERE id = ?",  # pragma: no mutate
        [target_comment_id]).fetchone()
    if (text, author) == (row["body_text"], row["author_name"]):
        return
    if row["last_seen_at"] > last_seen:
        earlier = {"body_text": text, "author_name": author}
        replaced = row["first_seen_at"] if row["first_seen_at"] > last_seen else row["last_seen_at"]
        db.execute("UPDATE comments SET body_text = ?, author_name = ? WHERE id = ?",  # pragma: no mutate
                   [row["body_text"], row["author_name"], target_comment_id])
    else:
        earlier = {"body_text": row["body_text"], "author_name": row["author_name"]}
        replaced = first_seen if first_seen > row["last_seen_at"] else last_seen
    if db.execute("SELECT 1 FROM comment_edits WHERE comment_id = ? AND body_text IS ?",  # pragma: no mutate
                  [target_comment_id, earlier["body_text"]]).fetchone() is None:
        insert_row(db, "comment_edits", {"comment_id": target_comment_id, **earlier, "replaced_at": replaced})


def _merge_other_pages(source, db) -> None:
    """The other pages each story was read with (other_pages), each pair once, first seen when
    either side first saw it."""
    for row in source.execute("SELECT url, other_url, first_seen_at FROM other_pages"):  # pragma: no mutate
        db.execute("INSERT INTO other_pages (url, other_url, first_seen_at) VALUES (?, ?, ?) "  # pragma: no mutate
                   "ON CONFLICT (url, other_url) DO UPDATE SET first_seen_at = min(first_seen_at, excluded.first_seen_at)",
                   list(row))


def _merge_alternates(source, db) -> None:
    """The locale versions each story's page names (article_alternates), each once, first seen
    when either side first saw it."""
    for row in source.execute("SELECT url, hreflang, alternate_url, first_seen_at FROM article_alternates"):  # pragma: no mutate
        db.execute("INSERT INTO article_alternates (url, hreflang, alternate_url, first_seen_at) VALUES (?, ?, ?, ?) "  # pragma: no mutate
                   "ON CONFLICT (url, alternate_url) DO UPDATE SET first_seen_at = min(first_seen_at, excluded.first_seen_at)",
                   list(row))


class _RowReader:
    """The archive's own connection read as a merge source: rows by column name (sqlite3.Row), as
    the _merge_* helpers read a source archive's, without changing the connection's own rows."""

    def __init__(self, conn: sqlite3.Connection):
        self.conn = conn

    def execute(self, sql: str, parameters=()) -> sqlite3.Cursor:
        cursor = self.conn.cursor()
        cursor.row_factory = sqlite3.Row
        return cursor.execute(sql, parameters)


class _SameCrawls(dict):
    """Crawl ids of one archive: each is its own."""

    def get(self, key, default=None):
        return key


# Rows of an article that fold_article_into moves or merges into the kept article; what is left of
# the folded one is deleted, table by table (comment_edits through its comments).
_FOLDED_ROWS = ("comments", "photos", "article_authors", "article_links", "article_blocks", "article_versions",
                "revisits", "duplicate_signatures")


def fold_article_into(db, keep_id: int, gone_id: int) -> None:
    """Make two articles of one archive one, by the rules of merging two archives: one story stored
    twice (a story moved to a new URL and linked under both: store.py's _moved_story finds it when
    the old URL redirects). The kept article gains the other's versions in capture order, its URLs,
    credits, photos and comments; the other is deleted, with its duplicate pairs (the kept
    article, changed, is compared again when the crawl ends)."""
    reader = _RowReader(db.conn)
    gone = dict(reader.execute("SELECT * FROM articles WHERE id = ?", [gone_id]).fetchone())  # pragma: no mutate
    hash_before, seen_before = db.execute("SELECT content_hash, last_seen_at FROM articles WHERE id = ?",  # pragma: no mutate
                                          [keep_id]).fetchone()
    latest = (gone["last_seen_at"], gone["content_hash"]) > (seen_before, hash_before)
    same_crawls = _SameCrawls()
    versions = [dict(v) for v in reader.execute("SELECT * FROM article_versions WHERE article_id = ?",  # pragma: no mutate
                                                [gone_id])]
    _merge_article_row(db, keep_id, gone, same_crawls)
    _merge_versions(db, keep_id, versions, same_crawls)
    _merge_blocks(reader, db, gone, keep_id, hash_before)
    db.execute("UPDATE article_urls SET article_id = ? WHERE article_id = ?", [keep_id, gone_id])  # pragma: no mutate
    _merge_authors(reader, db, gone_id, keep_id, latest)
    _merge_photos(reader, db, gone_id, keep_id)
    _merge_comments(reader, db, gone_id, keep_id)
    _mark_comments_missing_from_the_latest_visit(db, keep_id)
    _merge_revisit_schedule(reader, db, gone_id, keep_id)
    db.execute("DELETE FROM comment_edits WHERE comment_id IN (SELECT id FROM comments WHERE article_id = ?)",  # pragma: no mutate
               [gone_id])
    credited = [row[0] for row in db.execute("SELECT author_id FROM article_authors WHERE article_id = ?",  # pragma: no mutate
                                             [gone_id])]
    for table in _FOLDED_ROWS:
        db.execute(f"DELETE FROM {table} WHERE article_id = ?", [gone_id])  # pragma: no mutate
    for author_id in credited:  # an author no article credits any more is no author of the archive
        db.execute("DELETE FROM authors WHERE id = ? AND NOT EXISTS "  # pragma: no mutate
                   "(SELECT 1 FROM article_authors WHERE author_id = authors.id)", [author_id])
    db.execute("DELETE FROM duplicates WHERE ? IN (article_id, duplicate_of)", [gone_id])  # pragma: no mutate
    db.execute("DELETE FROM articles WHERE id = ?", [gone_id])  # pragma: no mutate
