"""Every research query of docs/queries.md on a small archive built for it, against rows worked
out by hand from what was stored: a query that returns the wrong rows fails here, not only one
that returns none."""

from __future__ import annotations

import sqlite3

import pytest

from newsarchive.archive import open_archive
from newsarchive.archive.folding import register as register_fold
from newsarchive.archive.store import finish_crawl, start_crawl, store_article, store_failure
from newsarchive.items import Article, BodyBlock, Byline, Comment, Link, PageFailure, Photo
from newsarchive.research.queries import load_queries

QUERIES = {query.name: query for query in load_queries()}
BASE = "https://diyaruna.com"
BRIDGE_EN = f"{BASE}/en_GB/articles/cnmi_di/features/2026/01/02/feature-01"
BRIDGE_AR = f"{BASE}/ar/articles/cnmi_di/features/2026/01/02/feature-01"
MARKET = f"{BASE}/en_GB/articles/cnmi_di/features/2026/02/10/feature-02"
CRAWL_1, CRAWL_2 = "2026-01-05T10:00:00Z", "2026-02-15T10:00:00Z"
REPORT = "https://example.org/bridge-report"


def byline(*names):
    return [Byline(name=name, name_raw=name, position=n) for n, name in enumerate(names)]


def bridge(title: str) -> Article:
    """The edited version links to the market story instead of the engineers' report."""
    link = Link(MARKET, "market story") if "repairs" in title else Link(REPORT, "the report")
    return Article(
        body_blocks=[BodyBlock("paragraph", "The bridge over the Tigris reopened.", [link])],
        url=BRIDGE_EN, canonical_url=BRIDGE_EN, site="diyaruna", locale="en_GB", language="en", section="Security",
        title=title, published_at="2026-01-02", published_day="2026-01-02",
        body_text="The bridge over the Tigris reopened.",
        authors=byline("Khalid al-Taie", "Sara Ahmed"),
        photos=[Photo(url=f"{BASE}/p1.jpg", position=0, credit="AFP"), Photo(url=f"{BASE}/p2.jpg", position=1)],
        comments=[Comment(body_text="Finally.", position=0, site_comment_id="c1", author_name="Ahmed",
                          posted_at="2026-01-02T12:00:00Z"),
                  Comment(body_text="I crossed it today.", position=1, site_comment_id="c2", parent_id="c1", depth=1,
                          author_name="Noor", posted_at="2026-01-04T09:00:00Z")],
        comment_count=2, comments_complete=True)


def market(comments: list[Comment]) -> Article:
    return Article(
        url=MARKET, canonical_url=MARKET, site="diyaruna", locale="en_GB", language="en", section="Economy",
        title="Market prices fall", published_at="2026-02-10", published_day="2026-02-10", body_text="Prices fell in the main market.",
        body_blocks=[BodyBlock("paragraph", "Prices fell in the main market."),
                     BodyBlock("quote", "Trade came back with the bridge.", [Link(BRIDGE_EN, "the bridge")])],
        authors=byline("Sara Ahmed"), comments=comments, comment_count=len(comments), comments_complete=True)


@pytest.fixture(scope="module")
def archive(tmp_path_factory):
    path = tmp_path_factory.mktemp("queries") / "archive.db"
    archive = open_archive(path)
    arabic = Article(url=BRIDGE_AR, canonical_url=BRIDGE_AR, site="diyaruna", locale="ar", language="ar",
                     section="الأمن", title="افتتاح الجسر", published_at="2026-01-02",
                     published_day="2026-01-02", body_text="افتتح الجسر.",
                     authors=byline("Khalid al-Taie"), photos=[Photo(url=f"{BASE}/p3.jpg", position=0, credit="AFP")])
    ahmed = Comment(body_text="Prices fell again.", position=0, site_comment_id="c3", author_name="Ahmed",
                    posted_at="2026-02-10T20:00:00Z")
    with archive.write() as db:
        first = start_crawl(db, "diyaruna", "diyaruna", {}, CRAWL_1)
        for article in (bridge("Bridge reopens in Mosul"), arabic, market([ahmed])):
            store_article(db, article, first, CRAWL_1)
        store_failure(db, PageFailure(f"{BASE}/missing", "http_404"), first, CRAWL_1)
        finish_crawl(db, first, {"finished_at": CRAWL_1, "finish_reason": "finished",
                                 "coverage": {"articles": 3, "share": {"byline": 1.0, "date": 1.0, "photo": 0.6667,
                                                                       "comments": 0.6667}}})
        second = start_crawl(db, "diyaruna", "diyaruna", {}, CRAWL_2)
        store_article(db, bridge("Bridge reopens in Mosul after repairs"), second, CRAWL_2)  # edited
        store_article(db, market([]), second, CRAWL_2)  # its one comment is gone
        for broken in ("/a", "/b"):
            store_failure(db, PageFailure(f"{BASE}{broken}", "http_500"), second, CRAWL_2)
        finish_crawl(db, second, {"finished_at": CRAWL_2, "finish_reason": "finished",
                                  "coverage": {"articles": 2, "share": {"byline": 1.0, "date": 1.0, "photo": 0.5,
                                                                        "comments": 1.0}}})
    archive.close()
    db = sqlite3.connect(path)
    register_fold(db)
    yield db
    db.close()


def rows(db, name: str, **parameters) -> list[tuple]:
    return [tuple(row) for row in db.execute(QUERIES[name].sql, parameters)]


def article_id(db, url: str) -> int:
    return db.execute("SELECT id FROM articles WHERE canonical_url = ?", [url]).fetchone()[0]


def test_the_document_names_every_query_tested_here():
    assert set(QUERIES) == {
        "articles_per_author_per_month", "photo_credits_by_source", "comment_activity_after_publication",
        "articles_changed_after_publication", "locale_versions_of_the_same_story", "most_discussed_articles",
        "most_active_commenters", "removed_comments", "replies_and_whom_they_answer", "section_output_per_month",
        "co_authors", "search_articles", "articles_by_author", "field_coverage_across_crawls", "failures_by_reason",
        "stories_republished_across_sites",  # its rows: tests/test_duplicates.py
        "articles_linking_to_url", "search_articles_cjk"}  # its rows: tests/test_search_unspaced.py


def test_authorship_queries(archive):
    assert rows(archive, "articles_per_author_per_month") == [
        ("Khalid al-Taie", "2026-01", 2), ("Sara Ahmed", "2026-01", 1), ("Sara Ahmed", "2026-02", 1)]
    assert rows(archive, "co_authors") == [("Khalid al-Taie", "Sara Ahmed", 1)]
    bridge_title = "Bridge reopens in Mosul after repairs"
    assert rows(archive, "articles_by_author", author="Sara Ahmed") == [
        ("2026-02-10", "Market prices fall", "Economy", 0, 0, MARKET),
        ("2026-01-02", bridge_title, "Security", 2, 2, BRIDGE_EN)]
    # Both of his stories are of the same day: their order is not defined, their set is.
    assert sorted(row[1] for row in rows(archive, "articles_by_author", author="Khalid al-Taie")) == sorted(
        [bridge_title, "افتتاح الجسر"])
    assert rows(archive, "articles_by_author", author="Nobody") == []


def test_photo_and_section_queries(archive):
    assert rows(archive, "photo_credits_by_source") == [
        ("AFP", 2, 2, "2026-01-02", "2026-01-02"), ("(no credit)", 1, 1, "2026-01-02", "2026-01-02")]
    assert rows(archive, "section_output_per_month") == [
        ("diyaruna", "Economy", "2026-02", 1), ("diyaruna", "Security", "2026-01", 1),
        ("diyaruna", "الأمن", "2026-01", 1)]
    # Neither page names its versions: paired by their path.
    assert rows(archive, "locale_versions_of_the_same_story") == [
        ("ar", "افتتاح الجسر", "en_GB", "Bridge reopens in Mosul after repairs", "path", BRIDGE_AR, BRIDGE_EN)]


def test_a_month_is_where_the_story_came_out_not_utc(tmp_path):
    # Out on 31 January at 20:00 in New York: 1 February in UTC, a January story.
    db = one_crawl_archive(tmp_path, [Article(
        url=MARKET, canonical_url=MARKET, site="diyaruna", locale="en_GB", title="Late story", section="World",
        published_at="2026-02-01T01:00:00Z", published_day="2026-01-31", body_text="Late.",
        authors=byline("Ann Lee"))])
    try:
        assert rows(db, "articles_per_author_per_month") == [("Ann Lee", "2026-01", 1)]
        assert rows(db, "section_output_per_month") == [("diyaruna", "World", "2026-01", 1)]
    finally:
        db.close()


def one_crawl_archive(tmp_path, articles: list[Article]) -> sqlite3.Connection:
    path = tmp_path / "archive.db"
    archive = open_archive(path)
    with archive.write() as db:
        crawl = start_crawl(db, "diyaruna", "diyaruna", {}, CRAWL_1)
        for article in articles:
            store_article(db, article, crawl, CRAWL_1)
    archive.close()
    return sqlite3.connect(path)


@pytest.mark.parametrize("named_by", ["both", "the Arabic page", "the English page"])
def test_locale_versions_named_by_their_pages_are_paired_by_them_and_not_by_path(tmp_path, named_by):
    # The Arabic feature-01 names the English feature-07 as its version, or feature-07 names it, or
    # both (each page may be the one stored first): the English feature-01 shares its path and is
    # another story. ru and en_GB feature-03 name none.
    def feature(locale: str, number: str) -> str:
        return f"{BASE}/{locale}/articles/cnmi_ca/features/2026/01/02/feature-{number}"

    arabic, english, market_en, bridge_ru, bridge_en = (feature("ar", "01"), feature("en_GB", "07"),
                                                         feature("en_GB", "01"), feature("ru", "03"), feature("en_GB", "03"))
    names_english = {"en-GB": english, "x-default": english} if named_by != "the English page" else {}
    names_arabic = {"ar": arabic} if named_by != "the Arabic page" else {}
    stories = [(arabic, "ar", "الجسر", names_english), (english, "en_GB", "The bridge", names_arabic),
               (market_en, "en_GB", "Market prices", {}),
               (bridge_ru, "ru", "Мост", {}), (bridge_en, "en_GB", "The bridge (2)", {})]
    db = one_crawl_archive(tmp_path, [
        Article(url=url, canonical_url=url, site="caravanserai", locale=locale, title=title, body_text=f"{title}.",
                alternates=alternates) for url, locale, title, alternates in stories])
    try:
        assert rows(db, "locale_versions_of_the_same_story") == [
            ("ar", "الجسر", "en_GB", "The bridge", "page", arabic, english),
            ("en_GB", "The bridge (2)", "ru", "Мост", "path", bridge_en, bridge_ru)]
    finally:
        db.close()


def test_comment_queries(archive):
    # c1 (half a day after publication) and c3 (20 hours after) on day 0, c2 on day 2.
    assert rows(archive, "comment_activity_after_publication") == [(0, 2, 2), (2, 1, 1)]
    assert rows(archive, "most_discussed_articles") == [
        ("Bridge reopens in Mosul after repairs", "diyaruna", "2026-01-02", 2, 0, 1),
        ("Market prices fall", "diyaruna", "2026-02-10", 0, 1, 0)]
    assert rows(archive, "most_active_commenters") == [
        ("Ahmed", 2, 2, "2026-01-02T12:00:00Z", "2026-02-10T20:00:00Z", 1),
        ("Noor", 1, 1, "2026-01-04T09:00:00Z", "2026-01-04T09:00:00Z", 0)]
    # Posted 2026-02-10 20:00, found gone at the crawl of 2026-02-15 10:00: 4 days 14 hours.
    assert rows(archive, "removed_comments") == [
        ("Market prices fall", "Ahmed", "2026-02-10T20:00:00Z", CRAWL_2, 4.6, "Prices fell again.")]
    assert rows(archive, "replies_and_whom_they_answer") == [
        ("Bridge reopens in Mosul after repairs", "Noor", "Ahmed", 1, "2026-01-04T09:00:00Z", "I crossed it today.")]


def test_versions_search_coverage_and_failures(archive):
    bridge_id = article_id(archive, BRIDGE_EN)
    body_length = len("The bridge over the Tigris reopened.")
    assert rows(archive, "articles_changed_after_publication") == [
        (bridge_id, "2026-01-02", 1, CRAWL_1, "Bridge reopens in Mosul", body_length),
        (bridge_id, "2026-01-02", 2, CRAWL_2, "Bridge reopens in Mosul after repairs", body_length)]
    assert rows(archive, "search_articles", term="tigris") == [
        (bridge_id, "Bridge reopens in Mosul after repairs", "2026-01-02", "diyaruna",
         "The bridge over the [Tigris] reopened.")]
    assert rows(archive, "search_articles", term="prices") == [
        (article_id(archive, MARKET), "Market prices fall", "2026-02-10", "diyaruna", "[Prices] fell in the main market.")]
    assert rows(archive, "field_coverage_across_crawls") == [
        (1, "diyaruna", CRAWL_1, "finished", 3, 1.0, 1.0, 0.6667, 0.6667),
        (2, "diyaruna", CRAWL_2, "finished", 2, 1.0, 1.0, 0.5, 1.0)]
    assert rows(archive, "failures_by_reason") == [
        (1, "http_404", 1, f"{BASE}/missing"), (2, "http_500", 2, f"{BASE}/a")]


def test_the_search_query_folds_its_term_and_finds_nothing_for_none(archive):
    arabic = article_id(archive, BRIDGE_AR)
    for term in ("الجسر", "جسر", "الجِسْر", "والجسر"):  # the article al-, diacritics, wa-: one word
        assert [row[0] for row in rows(archive, "search_articles", term=term)] == [arabic], term
    assert rows(archive, "search_articles", term="") == [] and rows(archive, "search_articles", term="  ") == []


def test_links_query_finds_the_citing_block_of_the_latest_version_only(archive):
    market_id, bridge_id = article_id(archive, MARKET), article_id(archive, BRIDGE_EN)
    assert rows(archive, "articles_linking_to_url", linked_url=BRIDGE_EN) == [
        (market_id, "2026-02-10", "Market prices fall", "diyaruna", "quote", "the bridge",
         "Trade came back with the bridge.", MARKET)]
    assert rows(archive, "articles_linking_to_url", linked_url=MARKET) == [
        (bridge_id, "2026-01-02", "Bridge reopens in Mosul after repairs", "diyaruna", "paragraph", "market story",
         "The bridge over the Tigris reopened.", BRIDGE_EN)]
    # The first version's link went with its blocks when the edited version replaced them.
    assert rows(archive, "articles_linking_to_url", linked_url=REPORT) == []
