"""`newsarchive merge`: the same rules as one crawl, idempotent, in any order; old shards migrated,
newer ones refused."""

from __future__ import annotations

import sqlite3
from collections import Counter

from sqlite_utils import Database
from sqlite_utils.migrations import Migrations

from newsarchive.archive import open_archive
from newsarchive.archive.migrations import m001_core_tables, m002_captures
from newsarchive.archive.store import (
    finish_crawl,
    start_crawl,
    store_article,
    store_capture,
    store_failure,
    store_listing,
)
from newsarchive.items import Article, Byline, Capture, Comment, ListingPage, PageFailure, Photo
from newsarchive.locking import crawl_lock, crawls_running
from tests.conftest import run_cli


def article(url, title, body, comments=(), photos=()):
    return Article(url=url, canonical_url=url, title=title, body_text=body, published_at="2026-01-01",
                   authors=[Byline(name="Sara Ahmed", name_raw="Sara Ahmed", position=0)],
                   photos=[Photo(url=p, position=n) for n, p in enumerate(photos)],
                   comments=[Comment(body_text=f"text {c}", position=n, site_comment_id=c, author_name="Reader")
                             for n, c in enumerate(comments)],
                   comment_count=len(comments), comments_complete=True)


def build(path, crawl_time, articles):
    archive = open_archive(path)
    with archive.write() as db:
        crawl_id = start_crawl(db, "diyaruna", "diyaruna", {}, crawl_time)
        for item in articles:
            store_article(db, item, crawl_id, crawl_time)
            store_capture(db, Capture(item.url, crawl_time, 200, {}, {}, item.body_text.encode()), crawl_id)
        store_failure(db, PageFailure(f"https://d.example/gone-{crawl_time[:10]}", "http_404"), crawl_id, crawl_time)
        store_listing(db, ListingPage("https://d.example/news", "listing", 1, len(articles)), crawl_id, crawl_time)
        finish_crawl(db, crawl_id, {"finished_at": crawl_time, "finish_reason": "finished"})
    archive.close()


def snapshot(path):
    db = sqlite3.connect(path)
    data = {
        "articles": set(db.execute("SELECT canonical_url, title, body_text, version_count FROM articles")),
        "versions": set(db.execute("SELECT a.canonical_url, v.version, v.title, v.captured_at FROM article_versions v "
                                   "JOIN articles a ON a.id = v.article_id")),
        "comments": set(db.execute("SELECT a.canonical_url, c.site_comment_id, c.removed_at IS NOT NULL, c.first_seen_at "
                                   "FROM comments c JOIN articles a ON a.id = c.article_id")),
        "photos": set(db.execute("SELECT a.canonical_url, p.url FROM photos p JOIN articles a ON a.id = p.article_id")),
        "authors": set(db.execute("SELECT name FROM authors")),
        "crawls": db.execute("SELECT count(*) FROM crawls").fetchone()[0],
        "captures": Counter(db.execute("SELECT url, fetched_at, status, body_digest, revisit_of IS NULL FROM captures")),
        "failures": Counter(db.execute("SELECT url, reason, failed_at FROM failures")),
        "listings": Counter(db.execute("SELECT url, page, links, fetched_at FROM listings")),
    }
    db.close()
    return data


def two_archives(tmp_path):
    first, second = tmp_path / "first.db", tmp_path / "second.db"
    build(first, "2026-01-01T10:00:00Z", [article("https://d.example/x", "X", "body one", ["c1", "c2"], ["p1"])])
    build(second, "2026-01-02T10:00:00Z", [
        article("https://d.example/x", "X changed", "body two", ["c1", "c3"], ["p1", "p2"]),
        article("https://d.example/y", "Y", "body y"),
    ])
    return first, second


def test_merge_follows_the_rules_of_one_crawl(tmp_path):
    first, second = two_archives(tmp_path)
    merged = tmp_path / "merged.db"
    result = run_cli("merge", str(first), str(second), "--into", str(merged))
    assert result.returncode == 0, result.stderr
    data = snapshot(merged)
    assert data["articles"] == {("https://d.example/x", "X changed", "body two", 2), ("https://d.example/y", "Y", "body y", 1)}
    assert {(url, v, title) for url, v, title, _ in data["versions"]} == {
        ("https://d.example/x", 1, "X"), ("https://d.example/x", 2, "X changed"), ("https://d.example/y", 1, "Y")}
    assert {(c, removed) for _, c, removed, _ in data["comments"]} == {("c1", 0), ("c2", 1), ("c3", 0)}
    assert data["photos"] == {("https://d.example/x", "p1"), ("https://d.example/x", "p2")}
    assert data["authors"] == {("Sara Ahmed",)} and data["crawls"] == 2
    assert sorted(data["failures"]) == [("https://d.example/gone-2026-01-01", "http_404", "2026-01-01T10:00:00Z"),
                                        ("https://d.example/gone-2026-01-02", "http_404", "2026-01-02T10:00:00Z")]
    assert set(data["failures"].values()) == {1}
    assert sorted((url, when) for url, when, *_ in data["captures"]) == [
        ("https://d.example/x", "2026-01-01T10:00:00Z"), ("https://d.example/x", "2026-01-02T10:00:00Z"),
        ("https://d.example/y", "2026-01-02T10:00:00Z")]
    assert sum(data["listings"].values()) == 2


def test_merge_is_idempotent_and_order_does_not_matter(tmp_path):
    first, second = two_archives(tmp_path)
    forward, backward = tmp_path / "forward.db", tmp_path / "backward.db"
    assert run_cli("merge", str(first), str(second), "--into", str(forward)).returncode == 0
    once = snapshot(forward)
    again = run_cli("merge", str(first), str(second), "--into", str(forward))
    assert again.returncode == 0 and "0 crawls added, 2 already merged" in again.stdout
    assert snapshot(forward) == once
    assert run_cli("merge", str(second), str(first), "--into", str(backward)).returncode == 0
    assert snapshot(backward) == once


def credited(path) -> tuple[list[str], set[str]]:
    db = sqlite3.connect(path)
    names = [row[0] for row in db.execute("SELECT au.name FROM article_authors aa JOIN authors au ON au.id = aa.author_id "
                                          "ORDER BY aa.position")]
    return names, {row[0] for row in db.execute("SELECT name FROM authors")}


def test_a_corrected_byline_and_first_seen_times_merge_as_one_crawl_keeps_them_in_either_order(tmp_path):
    import dataclasses

    def by(*names):
        return [Byline(name=name, name_raw=name, position=n) for n, name in enumerate(names)]

    story = article("https://d.example/x", "X", "body one", photos=["p1"])
    before, after, unsigned = tmp_path / "before.db", tmp_path / "after.db", tmp_path / "unsigned.db"
    build(before, "2026-01-01T10:00:00Z", [dataclasses.replace(story, authors=by("John Smith"))])
    build(after, "2026-01-02T10:00:00Z", [dataclasses.replace(story, authors=by("Jane Doe"), photos=[
        Photo(url="p1", position=0), Photo(url="p2", position=1)])])
    build(unsigned, "2026-01-03T10:00:00Z", [dataclasses.replace(story, authors=[])])
    for order in ((before, after), (after, before)):
        merged = tmp_path / f"merged-{order[0].stem}.db"
        assert run_cli("merge", *map(str, order), "--into", str(merged)).returncode == 0
        # A corrected byline replaces the one before it, as in one archive crawled twice.
        assert credited(merged) == (["Jane Doe"], {"Jane Doe"}), order
        db = sqlite3.connect(merged)
        assert sorted(db.execute("SELECT url, first_seen_at FROM photos")) == [
            ("p1", "2026-01-01T10:00:00Z"), ("p2", "2026-01-02T10:00:00Z")], order
        assert db.execute("SELECT first_seen_at FROM article_urls").fetchall() == [("2026-01-01T10:00:00Z",)], order
        # A later visit whose page showed no byline leaves the credits as they were.
        assert run_cli("merge", str(unsigned), "--into", str(merged)).returncode == 0
        assert credited(merged) == (["Jane Doe"], {"Jane Doe"}), order


def test_two_sides_seen_at_the_same_moment_give_the_fields_and_the_credits_of_one_side(tmp_path):
    # Two shards fetched the story in the same second, with other texts and bylines: the side whose
    # content hash sorts last gives the fields (as _merge_versions orders them), and the credits
    # with them, whatever the order of the merge.
    import dataclasses

    story = article("https://d.example/x", "X", "body one")
    one, two = tmp_path / "one.db", tmp_path / "two.db"
    build(one, "2026-01-02T10:00:00Z", [dataclasses.replace(story, authors=[Byline("Jane Doe", "Jane Doe", 0)])])
    build(two, "2026-01-02T10:00:00Z", [dataclasses.replace(story, body_text="body two",
                                                                authors=[Byline("John Smith", "John Smith", 0)])])
    hashes = {side: sqlite3.connect(side).execute("SELECT content_hash FROM articles").fetchone()[0] for side in (one, two)}
    last = max((one, two), key=hashes.get)
    expected = ("body one", ["Jane Doe"]) if last == one else ("body two", ["John Smith"])
    for order in ((one, two), (two, one)):
        merged = tmp_path / f"merged-{order[0].stem}.db"
        assert run_cli("merge", *map(str, order), "--into", str(merged)).returncode == 0
        body = sqlite3.connect(merged).execute("SELECT body_text FROM articles").fetchone()[0]
        assert (body, credited(merged)[0]) == expected, order


def test_a_crawl_merged_while_unfinished_takes_its_end_when_merged_again(tmp_path):
    shard, merged = tmp_path / "shard.db", tmp_path / "merged.db"
    archive = open_archive(shard)
    with archive.write() as db:  # a crawl killed: its row never finished
        crawl_id = start_crawl(db, "diyaruna", "diyaruna", {}, "2026-01-01T10:00:00Z")
        store_article(db, article("https://d.example/x", "X", "body"), crawl_id, "2026-01-01T10:05:00Z")
    archive.close()
    assert run_cli("merge", str(shard), "--into", str(merged)).returncode == 0
    archive = open_archive(shard)
    with archive.write() as db:  # the crawl that took it over marked it
        finish_crawl(db, crawl_id, {"finished_at": "2026-01-01T10:05:00Z", "finish_reason": "interrupted",
                                    "articles_stored": 1})
    archive.close()
    again = run_cli("merge", str(shard), "--into", str(merged))
    assert again.returncode == 0 and "1 already merged" in again.stdout
    assert sqlite3.connect(merged).execute("SELECT finished_at, finish_reason, articles_stored FROM crawls").fetchall() == [
        ("2026-01-01T10:05:00Z", "interrupted", 1)]


def test_a_shard_from_an_older_schema_is_migrated_in_a_copy(tmp_path):
    old = tmp_path / "old.db"
    old_migrations = Migrations("newsarchive")
    old_migrations()(m001_core_tables)
    old_migrations()(m002_captures)
    db = Database(old)
    old_migrations.apply(db)
    db.execute("INSERT INTO crawls (id, site, spider, started_at, finished_at, finish_reason) "
               "VALUES (1, 'diyaruna', 'diyaruna', '2025-01-01T00:00:00Z', '2025-01-01T01:00:00Z', 'finished')")
    db.execute("INSERT INTO articles (id, url, canonical_url, title, body_text, content_hash, version_count, "
               "first_seen_at, last_seen_at, first_crawl_id, last_crawl_id) VALUES (1, 'https://d.example/old', "
               "'https://d.example/old', 'Old', 'old body', 'h1', 1, '2025-01-01T00:00:00Z', '2025-01-01T00:00:00Z', 1, 1)")
    db.execute("INSERT INTO article_versions VALUES (1, 1, '2025-01-01T00:00:00Z', 1, 'Old', 'old body', 'h1')")
    db.execute("INSERT INTO article_urls VALUES ('https://d.example/old', 1, '2025-01-01T00:00:00Z')")
    db.execute("INSERT INTO failures (crawl_id, url, reason, failed_at) VALUES (1, 'https://d.example/gone', "
               "'http_404', '2025-01-01T00:30:00Z')")
    db.conn.commit()
    db.close()
    before = old.read_bytes()
    merged = tmp_path / "merged.db"
    result = run_cli("merge", str(old), "--into", str(merged))
    assert result.returncode == 0, result.stderr
    assert "older schema (2 of" in result.stdout
    assert snapshot(merged)["articles"] == {("https://d.example/old", "Old", "old body", 1)}
    assert old.read_bytes() == before  # the shard itself is left as it was
    # Merged again (migrated again, in a new copy): its crawl is recognised, nothing is added twice.
    once = snapshot(merged)
    again = run_cli("merge", str(old), "--into", str(merged))
    assert again.returncode == 0 and "0 crawls added, 1 already merged" in again.stdout
    assert snapshot(merged) == once
    assert once["crawls"] == 1 and once["failures"] == Counter({("https://d.example/gone", "http_404",
                                                                  "2025-01-01T00:30:00Z"): 1})


def test_a_shard_from_a_newer_version_or_not_an_archive_is_refused(tmp_path):
    first, _ = two_archives(tmp_path)
    with sqlite3.connect(first) as db:
        db.execute("INSERT INTO _sqlite_migrations (migration_set, name, applied_at) "
                   "VALUES ('newsarchive', 'm999_from_the_future', '2030-01-01')")
    refused = run_cli("merge", str(first), "--into", str(tmp_path / "merged.db"))
    assert refused.returncode == 1 and "newer newsarchive" in refused.stderr and "m999_from_the_future" in refused.stderr
    notes = tmp_path / "notes.db"
    notes.write_text("not a database")
    refused = run_cli("merge", str(notes), "--into", str(tmp_path / "merged.db"))
    assert refused.returncode == 1 and "is not a newsarchive archive" in refused.stderr


def test_a_shard_a_crawl_is_writing_now_is_refused_until_the_crawl_ends(tmp_path):
    # Merged half-way, its crawl was taken for merged by the next merge ("1 already merged"): the
    # merged archive lacked two thirds of its captures, and nothing said so.
    first, second = two_archives(tmp_path)
    merged = tmp_path / "merged.db"
    with crawl_lock(second, "diyaruna"):  # as `newsarchive crawl` holds it while it runs
        assert crawls_running(second) == ["diyaruna"] and crawls_running(first) == []
        refused = run_cli("merge", str(first), str(second), "--into", str(merged))
        assert refused.returncode == 1
        assert refused.stderr.strip().splitlines()[-1] == (
            f"Error: {second} is being crawled now (diyaruna): merge it once its crawl has ended")
        assert not merged.exists()  # nothing merged, not even the first
    assert crawls_running(second) == []
    assert run_cli("merge", str(first), str(second), "--into", str(merged)).returncode == 0
    # An archive whose name a glob would read as a pattern ([...]) is found by its own name.
    odd = tmp_path / "shard[1].db"
    odd.write_bytes(second.read_bytes())
    with crawl_lock(odd, "diyaruna"):
        assert crawls_running(odd) == ["diyaruna"]


def test_merge_into_a_file_beside_an_archive_is_refused(tmp_path):
    first, _ = two_archives(tmp_path)
    side = tmp_path / "first.db-wal"
    side.write_bytes(b"")  # an archive's empty log: taken for a new archive, filled, then deleted by its next writer
    result = run_cli("merge", str(first), "--into", str(side))
    assert result.returncode == 1
    assert result.stderr.strip() == (f"Error: {side} is the -wal file of the archive first.db beside it, not an archive: "
                                     "name another file")
    assert side.read_bytes() == b""
    crawl = run_cli("crawl", "http://127.0.0.1:9/news/", "--db", str(tmp_path / "first.db-shm"), "--allow-private")
    assert crawl.returncode == 1 and "is the -shm file of the archive first.db beside it" in crawl.stderr, crawl.stderr


def test_a_merge_the_disk_refuses_says_so_in_one_line_and_a_rerun_with_room_completes(tmp_path):
    import resource
    import subprocess
    import sys

    big = tmp_path / "big.db"
    prose = " ".join(f"word{n}" for n in range(40_000))  # about 300 KB a story
    build(big, "2026-01-01T10:00:00Z", [article(f"https://d.example/{n}", f"Story {n}", f"{n} {prose}") for n in range(8)])
    target = tmp_path / "full.db"

    def limited():  # the file may not grow past 1 MB (as a full disk), its writes EFBIG
        resource.setrlimit(resource.RLIMIT_FSIZE, (1_000_000, 1_000_000))

    result = subprocess.run([sys.executable, "-m", "newsarchive.cli", "merge", str(big), "--into", str(target)],
                            capture_output=True, text=True, preexec_fn=limited, timeout=120)
    assert result.returncode == 1
    assert result.stderr.strip().startswith("Error: the archive could not be written: the disk is full, or the file "
                                            "may not grow or be written ("), result.stderr
    assert "Traceback" not in result.stderr and "cannot rollback" not in result.stderr
    again = run_cli("merge", str(big), "--into", str(target))
    assert again.returncode == 0, again.stderr
    assert snapshot(target)["articles"] == snapshot(big)["articles"]

