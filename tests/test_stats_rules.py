"""What `newsarchive stats` reports of an archive (newsarchive/research/stats.py), in the test's
process, on a hand-made archive written through the archive's own store: every total, every
section's counts and dates, the crawls, failure reasons and field coverage, worked out by hand;
and the plain-text table it prints."""

from __future__ import annotations

import sqlite3

import pytest

from newsarchive.archive import open_archive
from newsarchive.archive.store import finish_crawl, start_crawl, store_article, store_capture, store_failure
from newsarchive.items import Article, Byline, Capture, Comment, PageFailure, Photo
from newsarchive.research.stats import archive_stats, format_table

T1, T2 = "2026-01-10T00:00:00Z", "2026-01-11T00:00:00Z"


def article(site: str, section: str | None, number: int, published: str | None, authors=(), photos=0,
            comments=()) -> Article:
    return Article(url=f"https://{site}.example/{number}", site=site, section=section, title=f"Story {number}",
                   body_text=f"Text {number}.", published_at=published,
                   authors=[Byline(name, name, position) for position, name in enumerate(authors)],
                   photos=[Photo(f"https://{site}.example/{number}/{n}.jpg", n) for n in range(photos)],
                   comments=[Comment(body_text=text, position=n, site_comment_id=str(n))
                             for n, text in enumerate(comments)], comments_complete=True)


@pytest.fixture
def db(tmp_path):
    archive = open_archive(tmp_path / "archive.db")
    with archive.write() as write:
        first = start_crawl(write, "alpha", "generic", {}, T1)
        store_article(write, article("alpha", "news", 1, "2026-01-02", ["Ana Ruiz", "Li Wei"], 2, ["a", "b"]), first, T1)
        store_article(write, article("alpha", "news", 2, "2026-01-05T10:00:00Z", ["Ana Ruiz"], 1), first, T1)
        store_article(write, article("alpha", "sport", 3, None), first, T1)
        store_article(write, article("beta", None, 4, "2025-12-31", ["Omar"], 0, ["c"]), first, T1)
        store_capture(write, Capture("https://alpha.example/1", T1, 200, {}, {}, b"<html>1</html>"), first)
        store_failure(write, PageFailure("https://alpha.example/x", "http_404"), first, T1)
        store_failure(write, PageFailure("https://alpha.example/y", "http_404"), first, T1)
        store_failure(write, PageFailure("https://alpha.example/z", "parse_error", "ValueError"), first, T1)
        finish_crawl(write, first, {"finished_at": T1, "finish_reason": "finished", "requests": 9, "articles_new": 4,
                                    "failures": 3, "coverage": {"articles": 4, "share": {"title": 1.0, "authors": 0.75}}})
        second = start_crawl(write, "alpha", "generic", {}, T2)
        # Story 1 edited (a new version), its comment "b" gone.
        edited = article("alpha", "news", 1, "2026-01-02", ["Ana Ruiz", "Li Wei"], 2, ["a"])
        edited.body_text = "Text 1, edited."
        store_article(write, edited, second, T2)
        finish_crawl(write, second, {"finished_at": T2, "finish_reason": "shutdown", "requests": 1, "articles_changed": 1})
    archive.close()
    connection = sqlite3.connect(tmp_path / "archive.db")
    yield connection
    connection.close()


def test_the_totals_count_every_kind_of_row(db):
    assert archive_stats(db)["totals"] == {
        "articles": 4, "authors": 3, "photos": 3, "comments": 3, "removed_comments": 1,
        "versions": 5,  # four first versions and the edit
        "captures": 1, "failures": 3, "crawls": 2}


def test_each_section_of_each_site_has_its_own_counts_and_dates(db):
    assert archive_stats(db)["sections"] == [
        {"site": "alpha", "section": "news", "articles": 2, "first_published": "2026-01-02",
         "last_published": "2026-01-05T10:00:00Z", "authors": 2, "photos": 3, "comments": 2},
        {"site": "alpha", "section": "sport", "articles": 1, "first_published": None, "last_published": None,
         "authors": 0, "photos": 0, "comments": 0},
        {"site": "beta", "section": None, "articles": 1, "first_published": "2025-12-31",
         "last_published": "2025-12-31", "authors": 1, "photos": 0, "comments": 1},
    ]


def test_crawls_failures_and_coverage_are_listed(db):
    stats = archive_stats(db)
    assert [(crawl["id"], crawl["finish_reason"], crawl["requests"], crawl["articles_new"], crawl["articles_changed"],
             crawl["failures"]) for crawl in stats["crawls"]] == [(1, "finished", 9, 4, None, 3),
                                                                   (2, "shutdown", 1, None, 1, None)]
    assert stats["failure_reasons"] == [{"reason": "http_404", "pages": 2}, {"reason": "parse_error", "pages": 1}]
    assert stats["coverage"] == [{"crawl": 1, "site": "alpha", "started_at": T1, "articles": 4, "title": 1.0,
                                  "authors": 0.75}]


def test_a_table_aligns_text_left_and_numbers_right():
    rows = [{"site": "alpha", "articles": 12, "share": 0.5, "last": None},
            {"site": "b", "articles": 3, "share": 1.0, "last": "2026-01-05"}]
    assert format_table(rows) == (
        "site   articles  share  last\n"
        "-----  --------  -----  ----------\n"
        "alpha        12   0.50  -\n"
        "b             3   1.00  2026-01-05")
    assert format_table(rows, ["articles", "site"]) == (
        "articles  site\n"
        "--------  -----\n"
        "      12  alpha\n"
        "       3  b")
    assert format_table([]) == "(none)"
