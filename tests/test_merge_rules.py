"""merge_archives called in this process, every column it writes checked against values worked
out by hand: tests/test_merge.py runs the command as a user would, in a child process, where
mutmut cannot see which code a test reached (docs/testing.md, mutation testing)."""

import sqlite3
from dataclasses import asdict

import pytest
from sqlite_utils import Database
from sqlite_utils.migrations import Migrations

from newsarchive.archive import ArchiveError, merge, open_archive
from newsarchive.archive.merge import MergeError, MergeSummary, merge_archives
from newsarchive.archive.migrations import m001_core_tables, m002_captures, migrations
from newsarchive.archive.store import (
    content_hash,
    finish_crawl,
    start_crawl,
    store_article,
    store_capture,
    store_failure,
    store_listing,
    store_other_pages,
)
from newsarchive.items import BodyBlock, Byline, Capture, Link, ListingPage, PageFailure, Photo
from tests.test_merge import article

T1, T2, T3, T4, T5 = (f"2026-01-0{day}T10:00:00Z" for day in range(1, 6))
X, Y = "https://d.example/x", "https://d.example/y"
X2, X_ALIAS = "https://d.example/x-moved", "https://d.example/x?print=1"


def crawl(path, when, articles=(), captures=()):
    """One crawl added to the archive at path: its articles, captures (url, body), a failure, a listing."""
    archive = open_archive(path)
    with archive.write() as db:
        crawl_id = start_crawl(db, "diyaruna", "diyaruna", {}, when)
        for item in articles:
            store_article(db, item, crawl_id, when)
        for url, body in captures:
            store_capture(db, Capture(url, when, 200, {}, {}, body), crawl_id)
        store_failure(db, PageFailure(f"https://d.example/gone-{when[:10]}", "http_404"), crawl_id, when)
        store_listing(db, ListingPage("https://d.example/news", "listing", 1, len(articles)), crawl_id, when)
        finish_crawl(db, crawl_id, {"finished_at": when, "finish_reason": "finished"})
    archive.close()


def rows(path, sql):
    with sqlite3.connect(path) as db:
        return db.execute(sql).fetchall()


def articles_of(path):
    return rows(path, "SELECT canonical_url, title, body_text, version_count, first_seen_at, last_seen_at, "
                      "first_crawl_id, last_crawl_id, comment_count, content_hash IS NOT NULL FROM articles ORDER BY id")


def versions_of(path):
    return rows(path, "SELECT a.canonical_url, v.version, v.title, v.body_text, v.captured_at, v.crawl_id "
                      "FROM article_versions v JOIN articles a ON a.id = v.article_id ORDER BY a.canonical_url, v.version")


def comments_of(path):
    return rows(path, "SELECT a.canonical_url, c.site_comment_id, c.first_seen_at, c.last_seen_at, c.removed_at, "
                      "c.body_text, c.position FROM comments c JOIN articles a ON a.id = c.article_id "
                      "ORDER BY a.canonical_url, c.site_comment_id")


def changed_x(comments=("c1", "c3"), photos=("p1", "p2")):
    changed = article(X, "X changed", "body two", list(comments), list(photos))
    changed.authors.append(Byline(name="Omar Ali", name_raw="By Omar Ali", position=1, role="AFP"))
    return changed


@pytest.fixture
def shards(tmp_path):
    first, second = tmp_path / "first.db", tmp_path / "second.db"
    crawl(first, T1, [article(X, "X", "body one", ["c1", "c2"], ["p1"])], [(X, b"one")])
    crawl(second, T2, [changed_x(), article(Y, "Y", "body y")], [(X, b"two"), (Y, b"y")])
    return first, second


def test_merge_writes_every_table_as_one_crawl_would(shards, tmp_path, monkeypatch):
    monkeypatch.setattr(merge, "CHUNK", 2)  # three articles: two chunks
    merged = tmp_path / "merged.db"
    summary = merge_archives(list(shards), merged)
    assert (summary.sources, summary.crawls_added, summary.crawls_already_merged, summary.articles,
            summary.notes) == (2, 2, 0, 3, [])
    assert 0 < summary.seconds < 30
    assert articles_of(merged) == [(X, "X changed", "body two", 2, T1, T2, 1, 2, 2, 1),
                                   (Y, "Y", "body y", 1, T2, T2, 2, 2, 0, 1)]
    assert versions_of(merged) == [(X, 1, "X", "body one", T1, 1), (X, 2, "X changed", "body two", T2, 2),
                                   (Y, 1, "Y", "body y", T2, 2)]
    # c2 missing from the latest visit, which read the whole section (2 shown, 2 seen): removed then.
    assert comments_of(merged) == [(X, "c1", T1, T2, None, "text c1", 0), (X, "c2", T1, T1, T2, "text c2", 1),
                                   (X, "c3", T2, T2, None, "text c3", 1)]
    assert rows(merged, "SELECT article_id, url, position, first_seen_at FROM photos ORDER BY id") == [
        (1, "p1", 0, T1), (1, "p2", 1, T2)]
    assert rows(merged, "SELECT a.canonical_url, au.name, aa.position, aa.name_raw, aa.role FROM article_authors aa "
                        "JOIN authors au ON au.id = aa.author_id JOIN articles a ON a.id = aa.article_id "
                        "ORDER BY a.id, aa.position") == [
        (X, "Sara Ahmed", 0, "Sara Ahmed", None), (X, "Omar Ali", 1, "By Omar Ali", "AFP"),
        (Y, "Sara Ahmed", 0, "Sara Ahmed", None)]
    assert rows(merged, "SELECT id, name FROM authors ORDER BY id") == [(1, "Sara Ahmed"), (2, "Omar Ali")]
    assert rows(merged, "SELECT url, article_id, first_seen_at FROM article_urls ORDER BY url") == [(X, 1, T1), (Y, 2, T2)]
    assert rows(merged, "SELECT id, site, spider, started_at, finished_at, finish_reason, length(uuid) FROM crawls") == [
        (1, "diyaruna", "diyaruna", T1, T1, "finished", 32), (2, "diyaruna", "diyaruna", T2, T2, "finished", 32)]
    assert rows(merged, "SELECT crawl_id, url, fetched_at, status, revisit_of FROM captures ORDER BY id") == [
        (1, X, T1, 200, None), (2, X, T2, 200, None), (2, Y, T2, 200, None)]
    assert rows(merged, "SELECT crawl_id, url, reason, failed_at FROM failures ORDER BY id") == [
        (1, "https://d.example/gone-2026-01-01", "http_404", T1), (2, "https://d.example/gone-2026-01-02", "http_404", T2)]
    assert rows(merged, "SELECT crawl_id, url, page, links, fetched_at FROM listings ORDER BY id") == [
        (1, "https://d.example/news", 1, 1, T1), (2, "https://d.example/news", 1, 2, T2)]


def test_merging_again_adds_nothing_and_the_order_does_not_matter(shards, tmp_path):
    first, second = shards
    merged, backward = tmp_path / "merged.db", tmp_path / "backward.db"
    merge_archives([first, second], merged)
    tables = ("articles", "article_versions", "comments", "photos", "article_authors", "authors", "article_urls",
              "crawls", "captures", "failures", "listings")
    before = {table: rows(merged, f"SELECT * FROM {table}") for table in tables}
    again = merge_archives([second, first], merged)
    assert asdict(again) | {"seconds": 0} == asdict(MergeSummary(sources=2, crawls_already_merged=2, articles=3))
    assert {table: rows(merged, f"SELECT * FROM {table}") for table in tables} == before
    # The other order: the second shard's crawl is crawl 1 and its article the first row.
    merge_archives([second, first], backward)
    assert articles_of(backward) == [(X, "X changed", "body two", 2, T1, T2, 2, 1, 2, 1),
                                     (Y, "Y", "body y", 1, T2, T2, 1, 1, 0, 1)]
    assert versions_of(backward) == [(X, 1, "X", "body one", T1, 2), (X, 2, "X changed", "body two", T2, 1),
                                     (Y, 1, "Y", "body y", T2, 1)]
    assert comments_of(backward) == [(X, "c1", T1, T2, None, "text c1", 0), (X, "c2", T1, T1, T2, "text c2", 1),
                                     (X, "c3", T2, T2, None, "text c3", 1)]
    # p1 was first stored by the first shard's crawl (T1): so in either order (until stop 58 the side
    # merged first gave its time, T2 here).
    assert rows(backward, "SELECT url, first_seen_at FROM photos ORDER BY url") == [("p1", T1), ("p2", T2)]


def test_a_revisit_points_at_the_capture_in_the_target(tmp_path):
    """A capture identical to one of an earlier crawl is a revisit of it, whether that crawl is
    merged in the same run (ids mapped) or was merged before (found by URL and time)."""
    other, shard = tmp_path / "other.db", tmp_path / "shard.db"
    crawl(other, T1, [], [(Y, b"y"), (Y, b"y2")])
    crawl(shard, T2, [], [(X, b"same")])
    crawl(shard, T3, [], [(X, b"same")])
    merged = tmp_path / "merged.db"
    merge_archives([other, shard], merged)  # the shard's captures are 3 and 4 in the target
    assert rows(merged, "SELECT id, crawl_id, url, fetched_at, revisit_of FROM captures ORDER BY id") == [
        (1, 1, Y, T1, None), (2, 1, Y, T1, None), (3, 2, X, T2, None), (4, 3, X, T3, 3)]
    crawl(shard, T4, [], [(X, b"same")])  # a revisit of the shard's capture 1 (T2)
    merge_archives([other, shard], merged)
    assert rows(merged, "SELECT id, crawl_id, url, fetched_at, revisit_of FROM captures ORDER BY id")[4:] == [
        (5, 4, X, T4, 3)]


def with_comments(comments, shown, complete=True):
    """Article X as seen at a visit: `shown` is the page's counter; `complete` when the section was read whole."""
    seen = article(X, "X", "body one", list(comments))
    seen.comment_count, seen.comments_complete = shown, complete
    return seen


def test_a_removal_stands_only_when_after_every_sighting(tmp_path):
    # first: c2 last seen at T1, missed at T4; second: c2 seen at T2, missed at T3. The counter
    # (3) never equals the comments seen, so the merge itself marks nothing.
    first, second = tmp_path / "first.db", tmp_path / "second.db"
    crawl(first, T1, [with_comments(["c1", "c2", "c9"], 3)])
    crawl(first, T4, [with_comments(["c1"], 3)])
    crawl(second, T2, [with_comments(["c1", "c2"], 3)])
    crawl(second, T3, [with_comments(["c1"], 3)])
    merged, backward = tmp_path / "merged.db", tmp_path / "backward.db"
    merge_archives([first, second], merged)
    merge_archives([second, first], backward)
    expected = [(X, "c1", T1, T4, None, "text c1", 0), (X, "c2", T1, T2, T3, "text c2", 1),
                (X, "c9", T1, T1, T4, "text c9", 2)]
    assert comments_of(merged) == expected and comments_of(backward) == expected
    # A comment seen again after a removal: no longer removed.
    third = tmp_path / "third.db"
    crawl(third, T5, [with_comments(["c1", "c2"], 3)])
    merge_archives([third], merged)
    assert comments_of(merged)[1] == (X, "c2", T1, T5, None, "text c2", 1)


def test_a_reply_is_linked_to_its_parent_in_the_target(tmp_path):
    shard = tmp_path / "shard.db"
    page = article(X, "X", "body one", ["c1", "c2"])
    page.comments[1].parent_id, page.comments[1].depth = "c1", 1
    crawl(shard, T1, [page])
    merged = tmp_path / "merged.db"
    crawl(merged, T2, [article(Y, "Y", "body y", ["y1"])])  # ids in the target differ from the shard's
    merge_archives([shard], merged)
    assert rows(merged, "SELECT c.site_comment_id, p.site_comment_id, c.depth FROM comments c "
                        "LEFT JOIN comments p ON p.id = c.parent_id ORDER BY c.id") == [
        ("y1", None, 0), ("c1", None, 0), ("c2", "c1", 1)]


def edited(text: str):
    page = article(X, "X", "body one", ["c1"])
    page.comments[0].body_text = text
    return page


@pytest.mark.parametrize("order", ["old first", "new first"])
def test_a_comment_edited_between_the_sides_has_the_text_seen_last_and_keeps_the_others(tmp_path, order):
    older, newer = tmp_path / "older.db", tmp_path / "newer.db"
    crawl(older, T1, [edited("300 jobs")])
    crawl(older, T2, [edited("30 jobs")])  # an edit this side saw: kept with the comment
    crawl(newer, T4, [edited("30 jobs, sorry")])
    merged = tmp_path / "merged.db"
    merge_archives([older, newer] if order == "old first" else [newer, older], merged)
    merge_archives([older, newer], merged)  # merged again: nothing twice
    assert rows(merged, "SELECT body_text, first_seen_at, last_seen_at FROM comments") == [("30 jobs, sorry", T1, T4)]
    assert rows(merged, "SELECT body_text, replaced_at FROM comment_edits ORDER BY replaced_at") == [
        ("300 jobs", T2), ("30 jobs", T4)]


def test_the_other_pages_a_story_was_read_with_are_merged_each_once_first_seen_first(tmp_path):
    first, second, merged = tmp_path / "first.db", tmp_path / "second.db", tmp_path / "merged.db"
    for path, when, others in ((first, T2, [X + "/2", X + "/3"]), (second, T1, [X + "/2"])):
        archive = open_archive(path)
        with archive.write() as db:
            store_other_pages(db, {X}, others, when)
        archive.close()
    merge_archives([first, second], merged)
    merge_archives([second], merged)  # again: nothing twice
    assert rows(merged, "SELECT url, other_url, first_seen_at FROM other_pages ORDER BY other_url") == [
        (X, X + "/2", T1), (X, X + "/3", T2)]


def test_a_downloaded_photo_file_is_kept_from_either_side(tmp_path):
    plain, downloaded = tmp_path / "plain.db", tmp_path / "downloaded.db"
    crawl(plain, T1, [article(X, "X", "body one", photos=["p1"])])
    with_file = article(X, "X", "body one", photos=["p1"])
    with_file.photos[0] = Photo(url="p1", position=0, file_path="ab/abc.jpg", file_size=3, file_type="image/jpeg",
                                file_sha256="abc")
    crawl(downloaded, T2, [with_file])
    expected = [("p1", "ab/abc.jpg", 3, "image/jpeg", "abc")]
    for order, name in (([plain, downloaded], "forward.db"), ([downloaded, plain], "backward.db")):
        merge_archives(order, tmp_path / name)
        assert rows(tmp_path / name, "SELECT url, file_path, file_size, file_type, file_sha256 FROM photos") == expected


def old_shard(path):
    """An archive of the first two migrations only, as an early newsarchive wrote it."""
    old_migrations = Migrations("newsarchive")
    old_migrations()(m001_core_tables)
    old_migrations()(m002_captures)
    db = Database(path)
    old_migrations.apply(db)
    db.execute("INSERT INTO crawls (id, site, spider, started_at, finished_at, finish_reason) "
               "VALUES (1, 'diyaruna', 'diyaruna', ?, ?, 'finished')", [T1, T1])
    db.execute("INSERT INTO articles (id, url, canonical_url, title, body_text, content_hash, version_count, "
               "first_seen_at, last_seen_at, first_crawl_id, last_crawl_id) VALUES (1, ?, ?, 'Old', 'old body', "
               "'h1', 1, ?, ?, 1, 1)", [X, X, T1, T1])
    db.execute("INSERT INTO article_versions VALUES (1, 1, ?, 1, 'Old', 'old body', 'h1')", [T1])
    db.execute("INSERT INTO article_urls VALUES (?, 1, ?)", [X, T1])
    db.conn.commit()
    db.close()


def test_an_older_shard_is_merged_from_a_migrated_copy(tmp_path):
    old, merged = tmp_path / "old.db", tmp_path / "merged.db"
    old_shard(old)
    before = old.read_bytes()
    summary = merge_archives([old], merged)
    known = len(migrations._migrations)
    assert summary.notes == [f"{old}: older schema (2 of {known} migrations): merged from a migrated copy"]
    assert articles_of(merged) == [(X, "Old", "old body", 1, T1, T1, 1, 1, None, 1)]
    assert old.read_bytes() == before


def test_what_cannot_be_merged_is_refused_with_the_reason(tmp_path, shards):
    first, _ = shards
    merged = tmp_path / "merged.db"
    with pytest.raises(MergeError, match=r"^.*first\.db is the archive being merged into$"):
        merge_archives([first], first)
    with pytest.raises(MergeError, match=r"^.*missing\.db: no such file$"):
        merge_archives([tmp_path / "missing.db"], merged)
    # Not an archive, or a newer one: refused by open_for_reading, before anything is merged.
    notes = tmp_path / "notes.db"
    notes.write_text("not a database")
    with pytest.raises(ArchiveError, match=r"notes\.db is not a newsarchive archive \(not an SQLite file\)$"):
        merge_archives([notes], merged)
    with sqlite3.connect(first) as db:
        db.execute("INSERT INTO _sqlite_migrations (migration_set, name, applied_at) "
                   "VALUES ('newsarchive', 'm999_from_the_future', '2030-01-01')")
    with pytest.raises(ArchiveError, match=r"first\.db was written by a newer newsarchive \(schema m999_from_the_future\)"):
        merge_archives([first], merged)
    # Every source is checked before the target is opened: a good shard before a missing one is not
    # merged alone, and a failed merge leaves no new, empty archive behind.
    with pytest.raises(MergeError, match=r"^.*missing\.db: no such file$"):
        merge_archives([shards[1], tmp_path / "missing.db"], merged)
    assert not merged.exists()


def test_an_article_met_under_another_url_keeps_its_canonical_url_and_gains_the_url(tmp_path):
    moved = article(X, "X", "body one")
    moved.canonical_url = X2  # a later visit declares another canonical URL
    alias = article(X_ALIAS, "X", "body one")
    alias.canonical_url = X
    shards = [tmp_path / "a.db", tmp_path / "b.db", tmp_path / "c.db"]
    for shard, when, page in zip(shards, (T1, T3, T2), (article(X, "X", "body one"), moved, alias), strict=True):
        crawl(shard, when, [page])
    merged = tmp_path / "merged.db"
    merge_archives(shards, merged)
    # The second shard's visit is the latest (T3): its fields, but not its canonical URL.
    assert articles_of(merged) == [(X, "X", "body one", 1, T1, T3, 1, 2, 0, 1)]
    assert rows(merged, "SELECT url, article_id, first_seen_at FROM article_urls ORDER BY first_seen_at") == [
        (X, 1, T1), (X_ALIAS, 1, T2), (X2, 1, T3)]


def test_a_crawl_without_uuid_gets_one(tmp_path, shards):
    first, _ = shards
    with sqlite3.connect(first) as db:
        db.execute("UPDATE crawls SET uuid = NULL")
    merged = tmp_path / "merged.db"
    assert merge_archives([first], merged).crawls_added == 1
    assert rows(merged, "SELECT length(uuid), uuid GLOB '*[^0-9a-f]*' FROM crawls") == [(32, 0)]


def test_a_shard_merged_while_its_crawl_went_on(tmp_path):
    """The crawl row is merged once: an article stored under it later still names it; a capture
    stored under it later is not merged (the crawl counts as merged), so a revisit of it has nothing to point at."""
    other, shard, merged = tmp_path / "other.db", tmp_path / "shard.db", tmp_path / "merged.db"
    crawl(other, T1, [article(Y, "Y", "body y")], [(Y, b"y")])
    crawl(shard, T2, [article(X, "X", "body one")], [(X, b"x")])
    merge_archives([other, shard], merged)  # the shard's crawl 1 is crawl 2 in the target
    archive = open_archive(shard)
    with archive.write() as db:
        store_article(db, article(X_ALIAS, "Later", "later body"), 1, T2)
        store_capture(db, Capture(X_ALIAS, T2, 200, {}, {}, b"later"), 1)
    archive.close()
    crawl(shard, T3, [], [(X_ALIAS, b"later")])  # a revisit of the capture merged nowhere
    summary = merge_archives([shard], merged)
    assert (summary.crawls_added, summary.crawls_already_merged, summary.articles) == (1, 1, 2)
    assert articles_of(merged)[2] == (X_ALIAS, "Later", "later body", 1, T2, T2, 2, 2, 0, 1)
    assert rows(merged, "SELECT crawl_id, url, fetched_at, revisit_of FROM captures ORDER BY id") == [
        (1, Y, T1, None), (2, X, T2, None), (3, X_ALIAS, T3, None)]


def test_a_damaged_shard_is_refused_by_name(tmp_path, shards):
    first, _ = shards
    damaged = tmp_path / "damaged.db"
    data = bytearray(first.read_bytes())
    data[3 * 4096 + 8:3 * 4096 + 40] = b"\xff" * 32  # the cell pointers of a table page
    damaged.write_bytes(data)
    with pytest.raises(ArchiveError, match=rf"^{damaged} is damaged and was left untouched \(SQLite quick_check"):
        merge_archives([damaged], tmp_path / "merged.db")


def test_an_older_shard_with_changes_in_its_write_ahead_log(tmp_path):
    old, merged = tmp_path / "old.db", tmp_path / "merged.db"
    old_shard(old)
    writer = sqlite3.connect(old)
    try:
        writer.execute("PRAGMA journal_mode=WAL")
        writer.execute("PRAGMA wal_autocheckpoint=0")  # the change stays in old.db-wal
        writer.execute("INSERT INTO failures (crawl_id, url, reason, failed_at) VALUES (1, ?, 'http_404', ?)", [Y, T1])
        writer.commit()
        assert (tmp_path / "old.db-wal").stat().st_size > 0
        merge_archives([old], merged)
    finally:
        writer.close()
    assert rows(merged, "SELECT crawl_id, url, reason, failed_at FROM failures") == [(1, Y, "http_404", T1)]


def test_comment_edge_cases(tmp_path):
    # A reply to a comment not on the page; a comment seen in one shard at the very time the other
    # missed it (seen wins); a later visit that read only part of the section (marks nothing).
    first, second, merged = tmp_path / "first.db", tmp_path / "second.db", tmp_path / "merged.db"
    orphan = with_comments(["c1", "c2", "c3"], 3)
    orphan.comments[2].parent_id, orphan.comments[2].depth = "c0", 1
    crawl(first, T1, [orphan])
    later = with_comments(["c1", "c3"], 3)  # c2 missed at T2
    later.comments[1].parent_id, later.comments[1].depth = "c0", 1  # still a reply (else it would have moved)
    crawl(first, T2, [later])
    crawl(second, T2, [with_comments(["c1", "c2"], 2)])
    crawl(second, T3, [with_comments(["c1"], 5, complete=False)])  # 5 shown, 1 read: part of the section
    merge_archives([first, second], merged)
    assert rows(merged, "SELECT site_comment_id, parent_site_comment_id, parent_id, first_seen_at, last_seen_at, "
                        "removed_at FROM comments ORDER BY site_comment_id") == [
        ("c1", None, None, T1, T3, None), ("c2", None, None, T1, T2, None), ("c3", "c0", None, T1, T2, None)]


def test_two_shards_seeing_an_article_at_the_same_time_agree_in_any_order(tmp_path):
    first, second = tmp_path / "first.db", tmp_path / "second.db"
    crawl(first, T2, [article(X, "A side", "body")])
    crawl(second, T2, [article(X, "B side", "body")])
    low, high = sorted(["A side", "B side"], key=lambda title: content_hash(title, "body"))
    forward, backward = tmp_path / "forward.db", tmp_path / "backward.db"
    merge_archives([first, second], forward)
    merge_archives([second, first], backward)
    # The fields and the latest version: the side whose content hash sorts last. The first crawl:
    # the one merged first (both saw it first at T2).
    high_crawl = {"A side": 1, "B side": 2}[high]
    assert articles_of(forward) == [(X, high, "body", 2, T2, T2, 1, high_crawl, 0, 1)]
    assert articles_of(backward) == [(X, high, "body", 2, T2, T2, 1, 3 - high_crawl, 0, 1)]
    assert versions_of(forward) == [(X, 1, low, "body", T2, 3 - high_crawl), (X, 2, high, "body", T2, high_crawl)]
    assert versions_of(backward) == [(X, 1, low, "body", T2, high_crawl), (X, 2, high, "body", T2, 3 - high_crawl)]
    # The same content at the same time: the side merged first keeps its fields (here its counter).
    same = tmp_path / "same.db"
    crawl(first, T3, [article(X, "A side", "body", ["c1"])])
    crawl(second, T3, [article(X, "A side", "body", ["c1", "c2"])])
    merge_archives([first, second], same)
    assert rows(same, "SELECT title, last_seen_at, comment_count FROM articles") == [("A side", T3, 1)]


def test_an_article_without_url_rows_is_found_by_its_canonical_url(tmp_path, shards):
    first, _ = shards
    with sqlite3.connect(first) as db:
        db.execute("DELETE FROM article_urls")
    merged = tmp_path / "merged.db"
    merge_archives([first], merged)
    assert rows(merged, "SELECT url, article_id, first_seen_at FROM article_urls") == [(X, 1, T1)]


def schedule(path, url, next_visit_at, rate, visits, changes, days):
    """A revisit schedule row for the article at url, as the store writes it after visits."""
    with sqlite3.connect(path) as db:
        article_id = db.execute("SELECT article_id FROM article_urls WHERE url = ?", [url]).fetchone()[0]
        db.execute("INSERT OR REPLACE INTO revisits VALUES (?, ?, ?, ?, ?, ?)",
                   [article_id, next_visit_at, rate, visits, changes, days])


def test_revisit_schedules_merge_to_the_soonest_and_merging_again_changes_nothing(shards, tmp_path):
    first, second = shards
    schedule(first, X, "2026-01-09T10:00:00Z", 0.25, 4, 1, 8.0)
    schedule(second, X, "2026-01-05T10:00:00Z", 0.10, 2, 0, 3.0)
    schedule(second, Y, "2026-02-01T10:00:00Z", 0.02, 1, 0, 1.0)
    target = tmp_path / "merged.db"
    for _ in range(2):
        merge_archives([first, second], target)
        assert rows(target, "SELECT a.canonical_url, r.next_visit_at, r.change_rate, r.visits, r.changes_found, "
                            "r.visited_days FROM revisits r JOIN articles a ON a.id = r.article_id "
                            "ORDER BY a.canonical_url") == [
            (X, "2026-01-05T10:00:00Z", 0.25, 4, 1, 8.0),
            (Y, "2026-02-01T10:00:00Z", 0.02, 1, 0, 1.0)]


def with_blocks(item, *blocks):
    item.body_blocks = list(blocks)
    return item


def blocks_of(path):
    return (rows(path, "SELECT a.canonical_url, b.position, b.kind, b.text FROM article_blocks b "
                       "JOIN articles a ON a.id = b.article_id ORDER BY a.canonical_url, b.position"),
            rows(path, "SELECT a.canonical_url, l.block_position, l.position, l.url, l.anchor_text FROM article_links l "
                       "JOIN articles a ON a.id = l.article_id ORDER BY a.canonical_url, l.block_position, l.position"))


def test_blocks_and_links_come_with_the_body_from_the_side_it_is_taken_from(tmp_path):
    first, second = tmp_path / "first.db", tmp_path / "second.db"
    crawl(first, T1, [with_blocks(article(X, "X", "body one"), BodyBlock("paragraph", "body one", [Link(Y, "y")]))])
    crawl(second, T2, [with_blocks(article(X, "X changed", "body two"), BodyBlock("heading", "body"),
                                   BodyBlock("quote", "two", [Link("https://e.example/a", "a"), Link(Y, "y too")])),
                       with_blocks(article(Y, "Y", "body y"), BodyBlock("paragraph", "body y"))])
    expected = ([(X, 0, "heading", "body"), (X, 1, "quote", "two"), (Y, 0, "paragraph", "body y")],
                [(X, 1, 0, "https://e.example/a", "a"), (X, 1, 1, Y, "y too")])
    for order, name in (([first, second], "forward.db"), ([second, first], "backward.db")):
        merged = tmp_path / name
        merge_archives(order, merged)
        # X's body is the second side's, whichever was merged first: so are its blocks and links.
        assert blocks_of(merged) == expected, name
        merge_archives(order, merged)  # merging again changes nothing
        assert blocks_of(merged) == expected, name
    # The first side alone: its own blocks, then replaced when the newer side is merged into it.
    alone = tmp_path / "alone.db"
    merge_archives([first], alone)
    assert blocks_of(alone) == ([(X, 0, "paragraph", "body one")], [(X, 0, 0, Y, "y")])
    merge_archives([second], alone)
    assert blocks_of(alone) == expected


def test_the_day_of_publication_comes_with_the_article(tmp_path):
    shard, merged = tmp_path / "shard.db", tmp_path / "merged.db"
    evening_in_chicago = article(X, "X", "body")
    evening_in_chicago.published_at, evening_in_chicago.published_day = "2023-11-09T05:30:59Z", "2023-11-08"
    crawl(shard, T1, [evening_in_chicago])
    merge_archives([shard], merged)
    assert rows(merged, "SELECT published_at, published_day FROM articles") == [("2023-11-09T05:30:59Z", "2023-11-08")]


# Columns a merge sets by rules of its own rather than copying: row ids and the ids that point at
# rows (given the target's), and what the rules above compute (first and last seen, versions, removal).
MERGED_BY_RULE = {
    "crawls": {"id"},
    "articles": {"id", "version_count", "first_seen_at", "last_seen_at", "first_crawl_id", "last_crawl_id"},
    "article_versions": {"article_id", "version"},
    "photos": {"id", "article_id"},
    "comments": {"id", "article_id", "parent_id", "first_seen_at", "last_seen_at", "removed_at"},
    "article_blocks": {"article_id"},
    "article_links": {"article_id"},
}


def test_every_column_of_the_archive_is_merged(tmp_path):
    """A column a migration adds is merged or set by a rule: merge copied a fixed list of columns,
    and the comments' status (m012) and the crawl a crawl resumed were dropped from every merged
    shard. Those two are copied now (and ids mapped); this names any column that is neither."""
    db = open_archive(tmp_path / "archive.db").db  # every migration applied
    copied = {"crawls": {*merge.CRAWL_COPY, "resumed_from"}, "articles": set(merge.ARTICLE_COPY),
              "article_versions": set(merge.VERSION_COPY), "photos": set(merge.PHOTO_COPY),
              "comments": set(merge.COMMENT_COPY), "article_blocks": set(merge.BLOCK_COPY),
              "article_links": set(merge.LINK_COPY)}
    left_out = {table: set(db[table].columns_dict) - copied[table] - MERGED_BY_RULE[table] for table in copied}
    assert left_out == {table: set() for table in copied}


def with_comment_status(item, status, comments_from):
    item.comments_status, item.sources = status, {"title": "html", "comments": comments_from}
    return item


@pytest.mark.parametrize("order", [(0, 1), (1, 0)])
def test_a_side_that_did_not_reach_the_comments_leaves_them_complete(tmp_path, order):
    """As a crawl keeps them (store.comments_read_kept): X's comments read by rendering on T1, not
    reached on T2 (the render failed), are complete with the source they were read from; Y's,
    read complete on T1 and gone on T2 (no comments, no sign of any), are none; Z, seen once, keeps
    what it was."""
    earlier, later = tmp_path / "earlier.db", tmp_path / "later.db"
    crawl(earlier, T1, [with_comment_status(article(X, "X", "body x", ["c1"]), "complete", "rendered"),
                        with_comment_status(article(Y, "Y", "body y", ["c2"]), "complete", "html")])
    crawl(later, T2, [with_comment_status(article(X, "X", "body x", ["c1"]), "unreached", "html"),
                      with_comment_status(article(Y, "Y", "body y"), "none", "html"),
                      with_comment_status(article(X2, "Z", "body z"), "unreached", "html")])
    merged = tmp_path / "merged.db"
    merge_archives([(earlier, later)[n] for n in order], merged)
    assert rows(merged, "SELECT canonical_url, comments_status, json_extract(sources, '$.comments'), "
                        "json_extract(sources, '$.title') FROM articles ORDER BY canonical_url") == [
        (X, "complete", "rendered", "html"), (X2, "unreached", "html", "html"), (Y, "none", "html", "html")]


def test_a_resumed_crawl_points_at_the_crawl_it_took_over_in_the_target(tmp_path, shards):
    first, _ = shards
    crawl(first, T3)
    with sqlite3.connect(first) as db:
        db.execute("UPDATE crawls SET resumed_from = 1 WHERE id = 2")
    merged = tmp_path / "merged.db"
    merge_archives([shards[1], first], merged)  # the second shard's crawl becomes crawl 1 of the target
    assert rows(merged, "SELECT started_at, resumed_from FROM crawls ORDER BY id") == [(T2, None), (T1, None), (T3, 2)]
