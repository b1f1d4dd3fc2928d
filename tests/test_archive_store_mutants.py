"""The archive's write rules (newsarchive/archive/store.py) called in this process, every column
they write checked against values worked out by hand (docs/testing.md, mutation testing)."""

import dataclasses
import hashlib
import json
import math
import os
import socket
import subprocess
import sys
import time
import zlib
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from newsarchive.archive import open_archive
from newsarchive.archive import store as archive_store
from newsarchive.archive.queries import ArchiveLookup
from newsarchive.archive.store import (
    comment_key,
    comment_keys,
    content_hash,
    finish_crawl,
    insert_row,
    mark_interrupted_crawls,
    process_started,
    schedule_visit,
    start_crawl,
    store_article,
    store_capture,
    store_duplicate,
    store_failure,
    store_listing,
    store_not_modified,
    visit_before,
)
from newsarchive.items import (
    Article,
    ArticleDuplicate,
    BodyBlock,
    Byline,
    Capture,
    Comment,
    Link,
    ListingPage,
    PageFailure,
    Photo,
)
from newsarchive.revisits import Limits

X, Y = "https://d.example/x", "https://d.example/y"
T1, T2, T3 = "2026-01-03T00:00:00.000000Z", "2026-01-05T00:00:00.000000Z", "2026-01-06T00:00:00.000000Z"
LIMITS = Limits()  # 6 hours to 60 days


@pytest.fixture
def bare(tmp_path):
    archive = open_archive(tmp_path / "archive.db")
    yield archive
    archive.close()


@pytest.fixture
def archive(bare):
    """An archive with finished crawls 1 to 9, for the rows that name their crawl."""
    with bare.write() as db:
        for _ in range(9):
            start_crawl(db, None, "unit", {}, T1)
        db.execute("UPDATE crawls SET finished_at = ?, finish_reason = 'finished'", [T1])
    return bare


def write(archive, action, *args):
    """One call in a write transaction of its own, as a crawl makes them."""
    with archive.write() as db:
        return action(db, *args)


def rows(archive, sql, params=()):
    return archive.conn.execute(sql, params).fetchall()


def sha256(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


# keys and hashes ------------------------------------------------------------------------------

def test_content_hash_is_the_sha256_of_title_newline_body():
    assert content_hash("T", "B") == sha256("T\nB")
    assert content_hash(None, None) == sha256("\n")
    assert content_hash("T", None) == sha256("T\n") != content_hash(None, "T")


def test_comment_key_is_the_site_id_or_a_short_digest():
    assert comment_key(Comment("text", 0, site_comment_id="54")) == "id:54"
    digest = hashlib.sha1("Reader\x1f2 Jan\x1ftext".encode()).hexdigest()[:20]
    assert comment_key(Comment("text", 0, author_name="Reader", posted_at="2026-01-02", posted_at_raw="2 Jan")) == "h:" + digest
    assert comment_key(Comment("text", 3)) == "h:" + hashlib.sha1("\x1f\x1ftext".encode()).hexdigest()[:20]
    # a date the parsers did not read ("3 hours ago": relative to the visit) is no part of it
    undated = hashlib.sha1("Reader\x1f\x1ftext".encode()).hexdigest()[:20]
    assert comment_key(Comment("text", 0, author_name="Reader", posted_at_raw="3 hours ago")) == "h:" + undated


def test_insert_row_returns_the_new_rowid(bare):
    archive = bare
    with archive.write() as db:
        first = insert_row(db, "authors", {"name": "A"})
        second = insert_row(db, "authors", {"name": "B"})
    assert (first, second) == (1, 2)
    assert rows(archive, "SELECT id, name FROM authors ORDER BY id") == [(1, "A"), (2, "B")]


# articles -------------------------------------------------------------------------------------

def full_article(**changes) -> Article:
    values = dict(
        url=X + "?amp=1", canonical_url=X, site="diyaruna", site_code="di", locale="ar", language="ar",
        direction="rtl", section_path=["أخبار", "أمن"], section="أمن", title="T", published_at="2026-01-02",
        published_at_raw="2 Jan 2026", published_day="2026-01-01", modified_at="2026-01-02T12:00:00Z", modified_at_raw="noon",
        byline_raw="By A and B", body_text="B", comment_count=10, comment_count_raw="10 comments",
        comments_status="open", sources={"title": "profile", "date": "jsonld"}, warnings=["تحذير"],
        authors=[Byline("A", "By A", 0), Byline("B", "B", 1, "AFP")])
    return Article(**values | changes)


ARTICLE_COLUMNS = ("url, canonical_url, site, site_code, locale, language, direction, section, section_path, title, "
                   "published_at, published_at_raw, published_day, modified_at, modified_at_raw, byline_raw, body_text, comment_count, "
                   "comment_count_raw, comments_status, sources, warnings, content_hash, version_count, first_seen_at, "
                   "last_seen_at, first_crawl_id, last_crawl_id")


def test_a_new_article_is_stored_with_every_field(archive):
    assert write(archive, store_article, full_article(), 7, T1) == "new"
    assert rows(archive, f"SELECT {ARTICLE_COLUMNS} FROM articles") == [(
        X + "?amp=1", X, "diyaruna", "di", "ar", "ar", "rtl", "أمن", '["أخبار", "أمن"]', "T", "2026-01-02",
        "2 Jan 2026", "2026-01-01", "2026-01-02T12:00:00Z", "noon", "By A and B", "B", 10, "10 comments", "open",
        '{"date": "jsonld", "title": "profile"}', '["تحذير"]', sha256("T\nB"), 1, T1, T1, 7, 7)]
    assert rows(archive, "SELECT article_id, version, captured_at, crawl_id, title, body_text, content_hash "
                         "FROM article_versions") == [(1, 1, T1, 7, "T", "B", sha256("T\nB"))]
    assert rows(archive, "SELECT url, article_id, first_seen_at FROM article_urls ORDER BY url") == [
        (X, 1, T1), (X + "?amp=1", 1, T1)]
    assert rows(archive, "SELECT a.name, aa.article_id, aa.position, aa.name_raw, aa.role FROM article_authors aa "
                         "JOIN authors a ON a.id = aa.author_id ORDER BY aa.position") == [
        ("A", 1, 0, "By A", None), ("B", 1, 1, "B", "AFP")]


def test_without_a_canonical_url_the_article_is_keyed_by_its_url(archive):
    write(archive, store_article, full_article(url=Y, canonical_url=None), 1, T1)
    assert rows(archive, "SELECT url, canonical_url FROM articles") == [(Y, Y)]
    assert rows(archive, "SELECT url FROM article_urls") == [(Y,)]


def test_a_changed_article_gets_a_version_and_keeps_its_key_and_first_sighting(archive):
    write(archive, store_article, full_article(), 7, T1)
    changed = full_article(url=X, canonical_url=X + "-moved", title="T2", comment_count=12,
                           authors=[Byline("B", "B.", 0), Byline("C", "C", 1)])
    assert write(archive, store_article, changed, 8, T2) == "changed"
    assert rows(archive, "SELECT url, canonical_url, title, comment_count, content_hash, version_count, first_seen_at, "
                         "last_seen_at, first_crawl_id, last_crawl_id FROM articles") == [
        (X, X, "T2", 12, sha256("T2\nB"), 2, T1, T2, 7, 8)]
    assert rows(archive, "SELECT article_id, version, captured_at, crawl_id, title, content_hash FROM article_versions "
                         "ORDER BY version") == [(1, 1, T1, 7, "T", sha256("T\nB")), (1, 2, T2, 8, "T2", sha256("T2\nB"))]
    # Found under its first key, the new canonical URL leads to it too; authors are matched by
    # name, and the credits are the new byline's: A, whom no article credits now, is gone (a
    # corrected byline credited both the old author and the new).
    assert rows(archive, "SELECT url, first_seen_at FROM article_urls ORDER BY url") == [
        (X, T1), (X + "-moved", T2), (X + "?amp=1", T1)]
    assert rows(archive, "SELECT id, name FROM authors ORDER BY id") == [(2, "B"), (3, "C")]
    assert rows(archive, "SELECT author_id, position, name_raw FROM article_authors ORDER BY author_id, position") == [
        (2, 0, "B."), (3, 1, "C")]
    assert write(archive, store_article, changed, 9, T3) == "unchanged"
    assert rows(archive, "SELECT count(*), max(version_count) FROM article_versions, articles") == [(2, 2)]


def test_a_corrected_byline_replaces_the_credits_on_an_unchanged_visit_and_no_byline_keeps_them(archive):
    write(archive, store_article, full_article(authors=[Byline("John Smith", "By John Smith", 0)],
                                               byline_raw="By John Smith"), 7, T1)
    write(archive, store_article, full_article(authors=[Byline("Jim Lee", "By Jim Lee", 0)], byline_raw="By Jim Lee"), 7, T1)
    corrected = full_article(authors=[Byline("Jane Doe", "By Jane Doe", 0)], byline_raw="By Jane Doe")
    assert write(archive, store_article, corrected, 8, T2) == "unchanged"
    credits = ("SELECT a.byline_raw, au.name, aa.position, aa.name_raw FROM articles a JOIN article_authors aa "
               "ON aa.article_id = a.id JOIN authors au ON au.id = aa.author_id")
    assert rows(archive, credits) == [("By Jane Doe", "Jane Doe", 0, "By Jane Doe")]
    assert rows(archive, "SELECT name FROM authors") == [("Jane Doe",)]
    assert write(archive, store_article, full_article(authors=[], byline_raw=None), 9, T3) == "unchanged"
    assert rows(archive, credits) == [("By Jane Doe", "Jane Doe", 0, "By Jane Doe")]


def test_an_unchanged_article_notes_the_visit_and_its_comment_figures(archive):
    write(archive, store_article, full_article(), 7, T1)
    again = full_article(site="other", comment_count=11, comment_count_raw="11", comments_status="closed",
                         sources={"title": "profile", "comments": "rendered"})
    assert write(archive, store_article, again, 8, T2) == "unchanged"
    assert rows(archive, "SELECT site, last_seen_at, last_crawl_id, first_crawl_id, comment_count, comment_count_raw, "
                         "comments_status, version_count, sources FROM articles") == [
        ("diyaruna", T2, 8, 7, 11, "11", "closed", 1, '{"comments": "rendered", "title": "profile"}')]


def test_a_304_notes_the_visit_of_the_article_and_of_its_comments_still_there(archive):
    comments = [Comment("one", 0, "c1"), Comment("two", 1, "c2")]
    write(archive, store_article, full_article(comments=comments, comments_complete=True), 7, T1)
    write(archive, store_article, full_article(comments=comments[:1], comments_complete=True), 8, T2)
    assert write(archive, store_not_modified, X + "?amp=1", 9, T3) is True
    assert write(archive, store_not_modified, Y, 9, T3) is False
    assert rows(archive, "SELECT last_seen_at, last_crawl_id, first_crawl_id FROM articles") == [(T3, 9, 7)]
    assert rows(archive, "SELECT site_comment_id, last_seen_at, removed_at FROM comments ORDER BY id") == [
        ("c1", T3, None), ("c2", T1, T2)]


def test_a_duplicate_url_is_linked_to_the_article_its_canonical_names(archive):
    write(archive, store_article, full_article(), 7, T1)
    assert write(archive, store_duplicate, ArticleDuplicate(X + "?p=2", X), T2) is True
    assert write(archive, store_duplicate, ArticleDuplicate(Y + "?p=2", Y), T2) is False
    assert write(archive, store_duplicate, ArticleDuplicate(X + "?p=2", X), T3) is True  # known: kept as first seen
    assert rows(archive, "SELECT url, article_id, first_seen_at FROM article_urls WHERE url LIKE '%p=2'") == [
        (X + "?p=2", 1, T2)]


def blocks_and_links(archive):
    return (rows(archive, "SELECT article_id, position, kind, text FROM article_blocks ORDER BY article_id, position"),
            rows(archive, "SELECT article_id, block_position, position, url, anchor_text FROM article_links "
                          "ORDER BY article_id, block_position, position"))


def test_the_latest_version_s_blocks_and_links_replace_the_previous_ones(archive):
    first = [BodyBlock("paragraph", "P1", [Link(X, "x"), Link(Y, "y")]), BodyBlock("heading", "H")]
    write(archive, store_article, full_article(body_blocks=first), 7, T1)
    assert blocks_and_links(archive) == ([(1, 0, "paragraph", "P1"), (1, 1, "heading", "H")],
                                         [(1, 0, 0, X, "x"), (1, 0, 1, Y, "y")])
    # The same text again: the blocks stored stay, whatever this page's blocks say.
    write(archive, store_article, full_article(body_blocks=[BodyBlock("quote", "other")]), 8, T2)
    assert blocks_and_links(archive)[0] == [(1, 0, "paragraph", "P1"), (1, 1, "heading", "H")]
    write(archive, store_article, full_article(body_text="B2", body_blocks=[BodyBlock("paragraph", "P2", [Link(Y, "")])]),
          9, T3)
    assert blocks_and_links(archive) == ([(1, 0, "paragraph", "P2")], [(1, 0, 0, Y, "")])


def test_an_article_stored_without_blocks_gets_them_on_its_next_visit(archive):
    write(archive, store_article, full_article(url=Y, canonical_url=None, body_blocks=None), 7, T1)  # none read
    assert blocks_and_links(archive) == ([], [])
    write(archive, store_article, full_article(url=Y, canonical_url=None, body_blocks=[BodyBlock("paragraph", "B")]),
          8, T2)  # unchanged text, but no blocks stored yet
    assert blocks_and_links(archive) == ([(1, 0, "paragraph", "B")], [])


# photos and comments --------------------------------------------------------------------------

def test_photos_are_stored_whole_once_and_their_file_noted_when_downloaded(archive):
    lead = Photo("https://d.example/p1.jpg", 0, "Cap", "Cap [AFP]", "AFP", "[AFP]", "alt", 800, 600, True)
    second = Photo("https://d.example/p2.jpg", 1)
    write(archive, store_article, full_article(photos=[lead, second]), 7, T1)
    downloaded = Photo(lead.url, 0, "New caption", is_lead=False, file_path="ab/cd.jpg", file_size=1234,
                       file_type="image/jpeg", file_sha256="f" * 64)
    write(archive, store_article, full_article(photos=[downloaded, second]), 8, T2)
    assert rows(archive, "SELECT article_id, url, caption, caption_raw, credit, credit_raw, alt, width, height, position, "
                         "is_lead, first_seen_at, file_path, file_size, file_type, file_sha256 FROM photos ORDER BY id") == [
        (1, lead.url, "Cap", "Cap [AFP]", "AFP", "[AFP]", "alt", 800, 600, 0, 1, T1, "ab/cd.jpg", 1234, "image/jpeg", "f" * 64),
        (1, second.url, None, None, None, None, None, None, None, 1, 0, T1, None, None, None, None)]


def test_replies_point_at_their_parents_row_across_crawls(archive):
    first = [Comment("top", 0, "c1", author_name="R", posted_at="2026-01-03", posted_at_raw="3 Jan"),
             Comment("no id", 1), Comment("first reply", 2, "c0", parent_id="c1", depth=1)]
    write(archive, store_article, full_article(comments=first), 7, T1)
    later = [*first, Comment("reply", 3, "c2", parent_id="c1", depth=1), Comment("orphan", 4, "c3", parent_id="c9")]
    write(archive, store_article, full_article(comments=later), 8, T2)
    no_id_key = comment_key(first[1])
    assert rows(archive, "SELECT id, article_id, comment_key, site_comment_id, parent_id, parent_site_comment_id, "
                         "author_name, posted_at, posted_at_raw, body_text, position, depth, first_seen_at, last_seen_at, "
                         "removed_at FROM comments ORDER BY id") == [
        (1, 1, "id:c1", "c1", None, None, "R", "2026-01-03", "3 Jan", "top", 0, 0, T1, T2, None),
        (2, 1, no_id_key, None, None, None, None, None, None, "no id", 1, 0, T1, T2, None),
        (3, 1, "id:c0", "c0", 1, "c1", None, None, None, "first reply", 2, 1, T1, T2, None),  # parent inserted just before
        (4, 1, "id:c2", "c2", 1, "c1", None, None, None, "reply", 3, 1, T2, T2, None),  # parent stored by an earlier crawl
        (5, 1, "id:c3", "c3", None, "c9", None, None, None, "orphan", 4, 0, T2, T2, None)]


def test_a_comment_shown_again_under_its_id_is_stored_as_it_is_now_and_its_earlier_text_kept(archive):
    # An edited comment kept its first text, with no trace of the edit; a comment made a reply
    # kept its place at the top of the thread.
    first = [Comment("The mayor said 300 jobs", 0, "c1", author_name="Bob"), Comment("Agreed.", 1, "c2", author_name="Ann"),
             Comment("no id", 2, author_name="Cy")]
    write(archive, store_article, full_article(comments=first), 7, T1)
    edited = [Comment("The mayor said 30 jobs (edited)", 0, "c1", author_name="Bob"),
              Comment("Agreed.", 1, "c2", parent_id="c1", depth=1), Comment("no id", 2, author_name="Cy")]
    write(archive, store_article, full_article(comments=edited), 8, T2)
    again = [Comment("The mayor said 30 jobs (edited)", 0, "c1", author_name="Robert B."), *edited[1:]]
    write(archive, store_article, full_article(comments=again), 9, T3)
    write(archive, store_article, full_article(comments=again), 9, T3)  # the same again: nothing more
    assert rows(archive, "SELECT id, body_text, author_name, parent_id, parent_site_comment_id, depth, first_seen_at, "
                         "last_seen_at FROM comments ORDER BY id") == [
        (1, "The mayor said 30 jobs (edited)", "Robert B.", None, None, 0, T1, T3),
        (2, "Agreed.", "Ann", 1, "c1", 1, T1, T3),  # a name the page no longer shows is kept
        (3, "no id", "Cy", None, None, 0, T1, T3)]
    assert rows(archive, "SELECT comment_id, body_text, author_name, replaced_at FROM comment_edits ORDER BY id") == [
        (1, "The mayor said 300 jobs", "Bob", T2), (1, "The mayor said 30 jobs (edited)", "Bob", T3)]


def test_a_comment_missing_from_a_whole_section_is_marked_removed_and_cleared_when_back(archive):
    c1, c2, c3 = Comment("one", 0, "c1"), Comment("two", 1, "c2"), Comment("three", 2, "c3")
    write(archive, store_article, full_article(comments=[c1, c2, c3]), 7, T1)
    write(archive, store_article, full_article(comments=[c1]), 8, T2)  # a partial section removes nothing
    assert rows(archive, "SELECT count(*) FROM comments WHERE removed_at IS NOT NULL") == [(0,)]
    write(archive, store_article, full_article(comments=[c1], comments_complete=True), 8, T2)
    write(archive, store_article, full_article(comments=[c1, c2], comments_complete=True), 9, T3)
    assert rows(archive, "SELECT site_comment_id, last_seen_at, removed_at FROM comments ORDER BY id") == [
        ("c1", T3, None), ("c2", T3, None), ("c3", T1, T2)]  # c3 keeps the time it was first missed
    assert write(archive, archive_store._mark_removed_comments, 1, comment_keys([c2]), T3) == 1  # c1 now
    assert write(archive, archive_store._mark_removed_comments, 1, [], T3) == 1  # none left on the page: c2 too
    assert write(archive, archive_store._mark_removed_comments, 1, [], T3) == 0


def test_comments_alike_with_no_id_are_keyed_by_their_turn():
    thanks, great = Comment("Thanks!", 0, author_name="Ann"), Comment("Great", 1, author_name="Cy")
    with_id = Comment("Thanks!", 3, "c7", author_name="Ann")
    key = comment_key(thanks)
    assert comment_keys([thanks, great, thanks, with_id, with_id, thanks]) == [
        key, comment_key(great), f"{key}#2", "id:c7", "id:c7", f"{key}#3"]
    assert comment_keys([]) == []
    # Posted three times running: three comments.
    assert comment_keys([thanks, thanks, thanks]) == [key, f"{key}#2", f"{key}#3"]


def test_comments_a_page_shows_again_are_keyed_as_the_first_showing():
    """A page showing its list twice (for small screens and large, or a frame of the page itself:
    a Blogger page stored its 13 comments as 65): a comment alike an earlier one whose neighbour is
    alike the earlier one's is that comment again. Lone repeats are posts of their own."""
    a, b, c = (Comment(text, n, author_name="Ann") for n, text in enumerate(("Yes.", "No.", "Maybe.")))
    keys = [comment_key(comment) for comment in (a, b, c)]
    assert comment_keys([a, b, c, a, b, c, a, b, c]) == keys * 3
    assert comment_keys([a, b, a]) == [keys[0], keys[1], f"{keys[0]}#2"]  # no neighbour alike
    assert comment_keys([b, a, c, a]) == [keys[1], keys[0], keys[2], f"{keys[0]}#2"]
    assert comment_keys([a, b, c, b, a]) == [keys[0], keys[1], keys[2], f"{keys[1]}#2", f"{keys[0]}#2"]


def test_a_comment_dated_hours_ago_is_the_same_comment_on_the_next_visit(archive):
    first = [Comment("Nice story", 0, author_name="Ann", posted_at_raw="3 hours ago"),
             Comment("I was there", 1, author_name="Bob", posted_at="2026-01-02", posted_at_raw="2 Jan")]
    later = [dataclasses.replace(first[0], posted_at_raw="5 hours ago"), first[1]]
    write(archive, store_article, full_article(comments=first, comments_complete=True), 7, T1)
    write(archive, store_article, full_article(comments=later, comments_complete=True), 8, T2)
    assert rows(archive, "SELECT author_name, posted_at_raw, first_seen_at, last_seen_at, removed_at FROM comments "
                         "ORDER BY id") == [("Ann", "3 hours ago", T1, T2, None), ("Bob", "2 Jan", T1, T2, None)]


def test_a_comment_posted_twice_is_stored_twice_and_its_second_missed_alone(archive):
    thanks, great = Comment("Thanks!", 0, author_name="Ann"), Comment("Great", 1, author_name="Cy")
    twice = [thanks, great, Comment("Thanks!", 2, author_name="Ann")]
    write(archive, store_article, full_article(comments=twice, comments_complete=True), 7, T1)
    write(archive, store_article, full_article(comments=twice, comments_complete=True), 8, T2)
    write(archive, store_article, full_article(comments=twice[:2], comments_complete=True), 9, T3)
    key = comment_key(thanks)
    assert rows(archive, "SELECT comment_key, body_text, position, last_seen_at, removed_at FROM comments ORDER BY id") == [
        (key, "Thanks!", 0, T3, None), (comment_key(great), "Great", 1, T3, None), (f"{key}#2", "Thanks!", 2, T2, T3)]


# revisits -------------------------------------------------------------------------------------

def visit(archive, article, seen_at, crawl_id=1):
    """Store a page of the article as StorePipeline does: the visit before, the page, the schedule."""
    urls = list({article.canonical_url or article.url, article.url})
    with archive.write() as db:
        before = visit_before(db, urls)
        store_article(db, article, crawl_id, seen_at)
        return before, schedule_visit(db, urls, before, seen_at, LIMITS)


def schedule(archive):
    return rows(archive, "SELECT article_id, next_visit_at, change_rate, visits, changes_found, visited_days FROM revisits")


def test_the_first_storing_schedules_a_visit_at_the_prior_rate(archive):
    # Published a day before, 10 comments: 1 / (1 + 1) x (1 + 10 / 10) = 1 change a day, so a day on.
    assert visit(archive, full_article(), T1) == (None, None)
    assert schedule(archive) == [(1, "2026-01-04T00:00:00.000000Z", 1.0, 0, 0, 0.0)]
    with archive.write() as db:
        assert visit_before(db, [Y, X + "?amp=1"]) == (1, T1, 1)
        assert visit_before(db, [Y]) is None
        assert schedule_visit(db, [Y], None, T1, LIMITS) is None
    assert len(schedule(archive)) == 1


def test_a_visit_that_found_a_new_version_raises_the_rate(archive):
    visit(archive, full_article(), T1)
    assert visit(archive, full_article(title="T2"), T2) == ((1, T1, 1), True)
    # 3 days old: prior 1/4 x 2 = 0.5; one visit in 2 days, a change: -ln(0.5 / 1.5) / 2 = ln(3) / 2;
    # blended (2 x 0.5 + 1 x ln(3) / 2) / 3.
    rate = (1 + math.log(3) / 2) / 3
    next_visit = datetime(2026, 1, 5, tzinfo=timezone.utc) + timedelta(days=1 / rate)
    assert schedule(archive) == [(1, next_visit.strftime("%Y-%m-%dT%H:%M:%S.%fZ"), pytest.approx(rate), 1, 1, 2.0)]


def test_an_unchanged_visit_of_an_undated_article_counts_its_age_from_the_first_sighting(archive):
    undated = full_article(published_at=None, comment_count=None)
    visit(archive, undated, T1)
    assert visit(archive, undated, T2) == ((1, T1, 1), False)
    # 2 days since first seen, no comments: prior 1/3; no change seen: (2 x 1/3 + 0) / 3 = 2/9, so 4.5 days on.
    assert schedule(archive) == [(1, "2026-01-09T12:00:00.000000Z", pytest.approx(2 / 9), 1, 0, 2.0)]
    # A day later, from the stored schedule: 3 days old, prior 1/4; 2 visits in 3 days, no change:
    # (2 x 1/4 + 0) / 4 = 1/8, so 8 days on.
    assert visit(archive, undated, T3) == ((1, T2, 1), False)
    assert schedule(archive) == [(1, "2026-01-14T00:00:00.000000Z", 0.125, 2, 0, 3.0)]


@pytest.mark.parametrize("second_page", [
    [Comment("one", 0, "c1"), Comment("two", 1, "c2")],  # a comment added
    [],  # the only comment gone from a whole section
])
def test_a_visit_that_found_comments_added_or_removed_changed_the_article(archive, second_page):
    visit(archive, full_article(comments=[Comment("one", 0, "c1")], comments_complete=True), T1)
    assert visit(archive, full_article(comments=second_page, comments_complete=True), T2) == ((1, T1, 1), True)
    assert schedule(archive)[0][3:5] == (1, 1)


# listings, failures, crawls -------------------------------------------------------------------

def test_listings_and_failures_keep_every_field(archive):
    write(archive, store_listing, ListingPage("https://d.example/news", "sitemap", 3, 40, 12), 5, T1)
    write(archive, store_failure, PageFailure(X, "http_404", "Not Found", 404), 5, T2)
    write(archive, store_failure, PageFailure(Y, "timeout"), None, T3)
    assert rows(archive, "SELECT id, crawl_id, url, kind, page, links, requested, fetched_at FROM listings") == [
        (1, 5, "https://d.example/news", "sitemap", 3, 40, 12, T1)]
    assert rows(archive, "SELECT id, crawl_id, url, reason, detail, status, failed_at FROM failures ORDER BY id") == [
        (1, 5, X, "http_404", "Not Found", 404, T2), (2, None, Y, "timeout", None, None, T3)]


def test_a_crawl_row_is_started_and_finished(bare):
    archive = bare
    settings = {"b": 1, "JOBDIR": Path("/jobs"), "a": None}
    assert write(archive, start_crawl, "diyaruna", "diyaruna", settings, T1) == 1
    figures = {"finished_at": T2, "finish_reason": "finished", "requests": 3,
               "coverage": {"share": {"date": 1.0}, "articles": 2}}
    write(archive, finish_crawl, 1, figures)
    assert figures["coverage"] == {"share": {"date": 1.0}, "articles": 2}  # the caller's figures are left alone
    (site, spider, started_at, finished_at, reason, stored_settings, requests, coverage, host, pid, crawl_uuid), = rows(
        archive, "SELECT site, spider, started_at, finished_at, finish_reason, settings, requests, coverage, host, pid, "
                 "uuid FROM crawls")
    assert (site, spider, started_at, finished_at, reason, requests, host, pid) == (
        "diyaruna", "diyaruna", T1, T2, "finished", 3, socket.gethostname(), os.getpid())
    assert stored_settings == '{"JOBDIR": "/jobs", "a": null, "b": 1}'
    assert coverage == '{"articles": 2, "share": {"date": 1.0}}'
    assert len(crawl_uuid) == 32 and int(crawl_uuid, 16) >= 0
    write(archive, start_crawl, None, "unit", {}, T1)
    write(archive, finish_crawl, 2, {"coverage": "as given"})  # already text: kept as it is
    assert rows(archive, "SELECT id, uuid != ?, coverage FROM crawls WHERE id = 2", [crawl_uuid]) == [(2, 1, "as given")]


def dead_pid() -> int:
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    return child.pid


def test_crawls_of_this_host_whose_process_is_gone_are_marked_interrupted(bare):
    archive = bare
    gone, running = dead_pid(), subprocess.Popen([sys.executable, "-c", "import time; time.sleep(30)"])
    zombie = subprocess.Popen([sys.executable, "-c", "pass"])
    time.sleep(0.5)  # ended, and not reaped: a zombie until zombie.wait()
    for crawl_id in range(1, 9):
        write(archive, start_crawl, None, "unit", {}, f"2026-01-0{crawl_id}T10:00:00Z")
    with archive.write() as db:
        db.execute("UPDATE crawls SET pid = ?", [gone])
        db.execute("UPDATE crawls SET pid = ?, pid_started = ? WHERE id = 2",  # still running
                   [running.pid, process_started(running.pid)])
        db.execute("UPDATE crawls SET pid = ?, pid_started = ? WHERE id = 7",  # its id, now another process's
                   [running.pid, process_started(running.pid) + 1])
        db.execute("UPDATE crawls SET pid = ?, pid_started = NULL WHERE id = 8", [zombie.pid])
        db.execute("UPDATE crawls SET host = 'elsewhere' WHERE id = 3")  # another machine's: not for us to judge
        db.execute("UPDATE crawls SET finished_at = 'then', finish_reason = 'finished' WHERE id = 4")
        db.execute("UPDATE crawls SET pid = NULL WHERE id = 5")  # no process known
    store_capture_at = Capture(X, "2026-01-09T10:00:00Z", 200, {}, {}, b"x")
    write(archive, store_capture, store_capture_at, 6)
    write(archive, store_capture, Capture(Y, "2026-01-08T10:00:00Z", 200, {}, {}, b"y"), 6)
    try:
        assert write(archive, mark_interrupted_crawls) == [1, 6, 7, 8]
    finally:
        running.kill()
        running.wait()
        zombie.wait()
    assert rows(archive, "SELECT id, finished_at, finish_reason FROM crawls ORDER BY id") == [
        (1, "2026-01-01T10:00:00Z", "interrupted"), (2, None, None), (3, None, None), (4, "then", "finished"),
        (5, None, None), (6, "2026-01-09T10:00:00Z", "interrupted"),  # the last capture's time
        (7, "2026-01-07T10:00:00Z", "interrupted"), (8, "2026-01-08T10:00:00Z", "interrupted")]


def test_an_interrupted_crawl_gets_the_figures_its_rows_tell(bare):
    # Only the crawl's end wrote them: a killed crawl's report said "0 new" of the articles it stored.
    archive = bare
    for started in ("2026-01-01T10:00:00Z", "2026-01-02T10:00:00Z"):
        write(archive, start_crawl, None, "unit", {}, started)
    write(archive, store_article, Article(url=X, title="X", body_text="One."), 1, T1)
    write(archive, store_article, Article(url=X, title="X", body_text="Two."), 2, T2)  # changed by crawl 2
    for url in (Y, "https://d.example/z"):
        write(archive, store_article, Article(url=url, title="Y", body_text=f"Text of {url}."), 2, T2)
    write(archive, store_failure, PageFailure("https://d.example/gone", "http_404"), 2, T2)
    write(archive, store_listing, ListingPage("https://d.example/news", "listing", 1, 3, 3), 2, T2)
    with archive.write() as db:
        db.execute("UPDATE crawls SET pid = ?, finished_at = NULL", [dead_pid()])
    assert write(archive, mark_interrupted_crawls) == [1, 2]
    assert rows(archive, "SELECT id, articles_new, articles_changed, failures, listings, requests, responses "
                         "FROM crawls ORDER BY id") == [(1, 1, 0, 0, 0, None, None), (2, 2, 1, 1, 1, None, None)]
    from newsarchive.research.report import crawl_report, report_text

    report = report_text(crawl_report(archive.conn, 2))
    assert "  ? requests, ? responses, ? items\n  articles: 2 new, 1 changed," in report


def test_a_process_is_alive_unless_the_system_knows_no_such_process():
    sleeper = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(30)"])
    try:
        assert archive_store._process_alive(sleeper.pid) is True
        with pytest.raises(subprocess.TimeoutExpired):  # asked, not signalled: still running half a second on
            sleeper.wait(timeout=0.5)
    finally:
        sleeper.kill()
        sleeper.wait()
    assert archive_store._process_alive(dead_pid()) is False
    if os.geteuid() != 0:
        pytest.skip("needs root to act as another user")  # never in CI: the tests run as root
    # As nobody (root kept as the saved id, to come back), pid 1 is someone else's process:
    # alive, though not ours to signal.
    os.setresuid(65534, 65534, 0)
    try:
        assert archive_store._process_alive(1) is True
    finally:
        os.setresuid(0, 0, 0)


# captures -------------------------------------------------------------------------------------

BODY = b"<p>line 0 of the story 0</p>"  # a body whose zlib stream differs at levels 5, 6 and 7


def capture(url=X, body=BODY, status=200, when=T1, headers=None) -> Capture:
    headers = {"Content-Type": ["text/html", "x"], "X-Name": ["é"]} if headers is None else headers
    return Capture(url, when, status, {"User-Agent": ["ünit"]}, headers, body)


CAPTURE_COLUMNS = ("id, crawl_id, url, fetched_at, status, request_headers, response_headers, content_type, body, "
                   "body_encoding, body_size, body_digest, revisit_of, kind, body_file")


def test_a_capture_keeps_its_body_compressed_and_a_repeat_points_at_it(archive):
    assert zlib.compress(BODY, 6) not in (zlib.compress(BODY, 5), zlib.compress(BODY, 7))
    digest = "sha256:" + hashlib.sha256(BODY).hexdigest()
    assert write(archive, store_capture, capture(), 3) == "response"
    assert write(archive, store_capture, capture(when=T2), 4) == "revisit"
    assert write(archive, store_capture, capture(body=None, when=T3, headers={}), 4) == "response"
    assert rows(archive, f"SELECT {CAPTURE_COLUMNS} FROM captures ORDER BY id") == [
        (1, 3, X, T1, 200, '{"User-Agent": ["ünit"]}', '{"Content-Type": ["text/html", "x"], "X-Name": ["é"]}', "text/html",
         zlib.compress(BODY, 6), "zlib", len(BODY), digest, None, "page", None),
        (2, 4, X, T2, 200, '{"User-Agent": ["ünit"]}', '{"Content-Type": ["text/html", "x"], "X-Name": ["é"]}', "text/html",
         None, None, len(BODY), digest, 1, "page", None),
        (3, 4, X, T3, 200, '{"User-Agent": ["ünit"]}', "{}", None, zlib.compress(b"", 6), "zlib", 0,
         "sha256:" + hashlib.sha256(b"").hexdigest(), None, "page", None)]


@pytest.mark.parametrize("between", [200, 503])
def test_a_304_points_at_the_capture_that_gave_the_record_not_at_a_failed_page_since(archive, between):
    # Crawl 2 met a maintenance page (200, not_the_story) or a 503 at the story's URL: the 304s of
    # crawls 3 and 4 were stored as revisits of it, and replay said the story's URL held it.
    digest, story = "sha256:" + hashlib.sha256(BODY).hexdigest(), {"Last-Modified": ["Sat, 03 Jan 2026 00:00:00 GMT"]}
    write(archive, store_capture, capture(headers=story), 1)  # 1
    maintenance = capture(body=b"<h1>Back soon</h1>", status=between, when=T2,
                          headers={"Last-Modified": ["Mon, 05 Jan 2026 00:00:00 GMT"]})
    write(archive, store_capture, maintenance, 2)  # 2
    write(archive, store_failure, PageFailure(X, "not_the_story" if between == 200 else "http_503"), 2, T2)
    assert write(archive, store_capture, capture(body=b"", status=304, when=T3), 3) == "revisit"  # 3
    write(archive, store_capture, capture(when=T3, headers=story), 4)  # 4: the story again (not the last body: kept)
    assert write(archive, store_capture, capture(body=b"", status=304, when=T3), 5) == "revisit"  # 5
    assert rows(archive, "SELECT id, revisit_of, body_digest FROM captures WHERE id != 2") == [
        (1, None, digest), (3, 1, digest), (4, None, digest), (5, 4, digest)]
    lookup = ArchiveLookup(archive.path)
    try:  # the validators sent: those of the story's capture
        assert lookup.conditional_headers(X) == {"If-Modified-Since": "Sat, 03 Jan 2026 00:00:00 GMT"}
    finally:
        lookup.close()


def test_a_304_points_at_the_last_full_capture_of_its_kind(archive):
    digest = "sha256:" + hashlib.sha256(BODY).hexdigest()
    write(archive, store_capture, capture(), 1)  # 1: the page
    write(archive, store_capture, capture(body=b"<p>rendered</p>"), 1, "rendered")  # 2: another kind
    write(archive, store_capture, capture(when=T2), 1)  # 3: a revisit of 1
    assert write(archive, store_capture, capture(body=b"", status=304, when=T3), 1) == "revisit"  # 4: of 1, not 2 or 3
    assert write(archive, store_capture, capture(Y, b"", 304), 1) == "response"  # 5: nothing to point at
    write(archive, store_capture, capture(Y, BODY), 1)  # 6: not a revisit of the 304 with no body
    assert rows(archive, "SELECT id, kind, revisit_of, body_digest, body_encoding, body_size, body IS NULL "
                         "FROM captures ORDER BY id") == [
        (1, "page", None, digest, "zlib", len(BODY), 0),
        (2, "rendered", None, "sha256:" + hashlib.sha256(b"<p>rendered</p>").hexdigest(), "zlib", 15, 0),
        (3, "page", 1, digest, None, len(BODY), 1),
        (4, "page", 1, digest, None, 0, 1),
        (5, "page", None, "sha256:" + hashlib.sha256(b"").hexdigest(), "zlib", 0, 0),
        (6, "page", None, digest, "zlib", len(BODY), 0)]


def test_a_body_kept_in_a_file_is_not_stored_again(archive):
    assert write(archive, store_capture, capture(body=b"jpeg"), 1, "photo", "ab/cd.jpg") == "response"
    assert write(archive, store_capture, capture(body=b"jpeg", when=T2), 1, "photo", "ab/cd.jpg") == "revisit"
    assert rows(archive, "SELECT kind, body, body_encoding, body_file, revisit_of FROM captures ORDER BY id") == [
        ("photo", None, "file", "ab/cd.jpg", None), ("photo", None, None, None, 1)]



@pytest.mark.parametrize("stored, visit, status, comments_source", [
    # a visit that did not reach the comments does not undo one that did
    (("complete", {"comments": "rendered"}), ("unreached", {}), "complete", "rendered"),
    (("complete", {}), ("unreached", {}), "complete", None),
    # a visit that read them, or found none, says so; unreached stays unreached
    (("complete", {"comments": "rendered"}), ("complete", {"comments": "markup"}), "complete", "markup"),
    (("complete", {"comments": "rendered"}), ("none", {}), "none", None),
    (("unreached", {}), ("unreached", {}), "unreached", None),
    (("none", {}), ("unreached", {}), "unreached", None),
    # a render that read some and knows of more: kept complete, the story was never asked for again
    (("complete", {"comments": "rendered"}), ("unreached", {"comments": "rendered"}), "unreached", "rendered"),
    # the page as sent read without a render (it failed): the render's reading stands
    (("complete", {"comments": "rendered"}), ("unreached", {"comments": "markup"}), "complete", "rendered"),
])
@pytest.mark.parametrize("changed", [False, True])
def test_comments_once_read_stay_read(archive, stored, visit, status, comments_source, changed):
    write(archive, store_article, full_article(comments_status=stored[0], sources=stored[1]), 7, T1)
    again = full_article(comments_status=visit[0], sources=visit[1], **({"body_text": "B2"} if changed else {}))
    assert write(archive, store_article, again, 8, T2) == ("changed" if changed else "unchanged")
    (got_status, got_sources), = rows(archive, "SELECT comments_status, sources FROM articles")
    assert (got_status, json.loads(got_sources).get("comments")) == (status, comments_source)


@pytest.mark.parametrize("damaged", ["not json", "[]"])
def test_damaged_stored_sources_keep_nothing_and_raise_nothing(archive, damaged):
    write(archive, store_article, full_article(comments_status="complete"), 7, T1)
    with archive.write() as db:
        db.execute("UPDATE articles SET sources = ?", [damaged])
    write(archive, store_article, full_article(comments_status="unreached", sources={}), 8, T2)
    assert rows(archive, "SELECT comments_status, sources FROM articles") == [("complete", "{}")]
