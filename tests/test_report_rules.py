"""The crawl report's rules (newsarchive/research/report.py) in the test's process: the coverage and
selector warnings at the edge of their 10-point drop, which crawl is "the previous one", failures
with their examples, changed articles with the command that shows each change, and the refusals,
on a hand-made archive written through the archive's own store."""

from __future__ import annotations

import json
import sqlite3

import pytest

from newsarchive.archive import open_archive
from newsarchive.archive.store import finish_crawl, start_crawl, store_article, store_failure
from newsarchive.items import Article, Comment, PageFailure
from newsarchive.research.report import (
    ReportError,
    _by_chance,
    _coverage_rows,
    _dealt_at_most,
    _dealt_exactly,
    _diff_command,
    _selector_rows,
    crawl_report,
)


def previous_crawl(coverage: dict, crawl_id: int = 1) -> dict:
    """A crawls row as the report reads it: its coverage as the JSON text the column holds."""
    return {"id": crawl_id, "coverage": json.dumps(coverage)}


@pytest.mark.parametrize(("before", "now", "warned"), [
    (0.9, 0.7, True),
    (0.8, 0.7, False),  # exactly 10 points: floats make it 0.10000000000000009
    (0.9, 0.8, False),
    (0.4, 0.3, False),
    (0.5, 0.39, True),
    (0.5, 0.6, False),  # a rise
])
def test_coverage_warns_of_a_drop_of_more_than_ten_points(before, now, warned):
    rows = _coverage_rows({"coverage": {"share": {"byline": now}}}, previous_crawl({"share": {"byline": before}}))
    byline = rows[0]
    assert (byline["field"], byline["share"], byline["previous_share"]) == ("byline", now, before)
    if warned:
        assert byline["warning"] == (f"byline coverage fell from {before:.0%} to {now:.0%} since crawl 1: "
                                     "the site may have changed its layout")
    else:
        assert byline["warning"] is None


@pytest.mark.parametrize(("earlier", "now", "warned"), [
    ((10, 0.6), (2, 0.0), False),  # two new stories, no comments yet: a 17% chance at the earlier 60%
    ((10, 0.6), (20, 0.0), True),  # twenty: no luck explains that
    ((100, 0.9), (5, 0.0), True),  # a byline on 90 of 100, then on none of 5: the markup changed
    ((1000, 0.6), (1000, 0.45), True),  # fifteen points, over a thousand each
    ((100, 0.7), (100, 0.55), True),
    ((None, 0.9), (2, 0.0), True),  # an older archive's row, without its article count: the share alone
])
def test_a_fall_that_the_luck_of_the_stories_stored_explains_is_not_warned_of(earlier, now, warned):
    (earlier_articles, before), (articles, share) = earlier, now
    previous = previous_crawl({"share": {"comments": before}} | ({"articles": earlier_articles} if earlier_articles else {}))
    rows = _coverage_rows({"coverage": {"articles": articles, "share": {"comments": share}}}, previous)
    assert (rows[3]["warning"] is not None) is warned


def test_the_chance_of_a_fall_is_the_hypergeometric_one():
    # 2 of 12 dealt, 6 of the 12 marked: none marked in C(6,2) of C(12,2) ways, 15 of 66.
    assert _dealt_exactly(0, 2, 6, 12) == pytest.approx(15 / 66)
    assert _dealt_exactly(1, 2, 6, 12) == pytest.approx(36 / 66)
    assert _dealt_at_most(1, 2, 6, 12) == pytest.approx(51 / 66)
    assert _dealt_exactly(3, 11, 4, 12) == pytest.approx(4 / 12)  # the one left out is marked: 4 in 12
    assert _dealt_exactly(2, 11, 4, 12) == 0.0  # 11 of 12 dealt hold at least 3 of the 4 marked
    assert _dealt_at_most(400, 1000, 1200, 2000) < 1e-30  # in logarithms: no underflow to an error


@pytest.mark.parametrize(("now", "earlier", "by_chance"), [
    # One story stored, with comments, then 3 of 11 with comments: the one was marked 4 times in 12,
    # and the mid-p is half of that.
    ((3 / 11, 11), (1.0, 1), True),
    # 9 of 10 pages, then 5 of 10: 5 or fewer of 10 dealt from 14 marked of 20 happen 0.071 of the
    # time; exactly 5, 0.065, halved: 0.038.
    ((0.5, 10), (0.9, 10), False),
    ((0.0, 2), (0.6, 10), True),  # 0 of 2 after 6 of 10: 15/66, halved
])
def test_a_fall_is_weighed_with_both_crawls_counts_as_samples(now, earlier, by_chance):
    assert _by_chance(*now, *earlier) is by_chance


def test_coverage_rows_name_every_field_with_or_without_figures():
    rows = _coverage_rows({"coverage": {"share": {"date": 1.0, "comments": 0.2}}}, None)
    assert [(row["field"], row["share"], row["previous_share"], row["warning"]) for row in rows] == [
        ("byline", None, None, None), ("date", 1.0, None, None), ("photo", None, None, None),
        ("comments", 0.2, None, None)]


@pytest.mark.parametrize(("before", "now", "warned"), [(9, 5, True), (8, 7, False), (9, 8, False), (3, 2, False)])
def test_a_profile_selector_that_finds_its_field_less_often_is_warned_of(before, now, warned):
    previous = previous_crawl({"articles": 10, "sources": {"byline:profile": before, "byline:generic": 1}}, 4)
    crawl = {"coverage": {"articles": 10, "sources": {"byline:profile": now, "title:profile": 10}}}
    rows = _selector_rows(crawl, previous)
    assert [(row["field"], row["share"], row["previous_share"]) for row in rows] == [
        ("byline", now / 10, before / 10), ("title", 1.0, None)]
    expected = (f"the profile's selector for byline found it on {now / 10:.0%} of pages (crawl 4: {before / 10:.0%}): "
                "the markup changed; `newsarchive profile check URL` shows what to fix") if warned else None
    assert rows[0]["warning"] == expected and rows[1]["warning"] is None


def test_a_selector_that_no_longer_finds_its_field_at_all_is_warned_of():
    previous = previous_crawl({"articles": 4, "sources": {"date:profile": 4}}, 2)
    rows = _selector_rows({"coverage": {"articles": 5, "sources": {}}}, previous)
    assert [(row["field"], row["share"], row["previous_share"]) for row in rows] == [("date", 0.0, 1.0)]
    assert rows[0]["warning"].startswith("the profile's selector for date found it on 0% of pages (crawl 2: 100%)")


@pytest.mark.parametrize(("version", "db_path", "command"), [
    (2, "archive.db", "newsarchive diff 7"),
    (3, "archive.db", "newsarchive diff 7 --from 2 --to 3"),
    (2, "my archive.db", "newsarchive diff 7 --db 'my archive.db'"),
])
def test_the_diff_command_shows_exactly_the_change(version, db_path, command):
    assert _diff_command(7, version, db_path) == command


T = ["2026-01-0%dT00:00:00Z" % day for day in range(1, 10)]  # the crawls' starts
SEEN = ["2026-01-0%dT00:00:01Z" % day for day in range(1, 10)]  # a page stored a second after


@pytest.fixture
def db(tmp_path):
    archive = open_archive(tmp_path / "archive.db")
    with archive.write() as write:
        def crawl(site, day, failures=()):
            crawl_id = start_crawl(write, site, "generic", {}, T[day])
            for failure in failures:
                store_failure(write, failure, crawl_id, T[day])
            return crawl_id

        first = crawl("alpha", 0)
        store_article(write, Article(url="https://alpha.example/1", site="alpha", title="Bridge reopens",
                                     body_text="Old text.", comments=[Comment(body_text="Spam here", position=0,
                                                                              site_comment_id="1")],
                                     comments_complete=True), first, SEEN[0])
        store_article(write, Article(url="https://alpha.example/2", site="alpha", title="Quiet", body_text="Same.",
                                     comments=[], comments_complete=True), first, SEEN[0])
        finish_crawl(write, first, {"finished_at": T[0], "finish_reason": "finished", "articles_stored": 2,
                                    "coverage": '{"share": {"byline": 0.9}}'})
        other_site = crawl("beta", 1)
        finish_crawl(write, other_site, {"finished_at": T[1], "finish_reason": "finished", "articles_stored": 1,
                                         "coverage": '{"share": {"byline": 0.1}}'})
        empty = crawl("alpha", 2)
        finish_crawl(write, empty, {"finished_at": T[2], "finish_reason": "finished", "articles_stored": 0})
        failures = [PageFailure(f"https://alpha.example/missing-{n}", "http_404") for n in range(4)]
        failures += [PageFailure("https://alpha.example/broken", "parse_error", "ValueError")]
        last = crawl("alpha", 3, failures)
        store_article(write, Article(url="https://alpha.example/1", site="alpha", title="Bridge reopens again",
                                     body_text="New text.", comments=[], comments_complete=True), last, SEEN[3])
        store_article(write, Article(url="https://alpha.example/2", site="alpha", title="Quiet", body_text="Same.",
                                     comments=[Comment(body_text="First!", position=0, site_comment_id="9")],
                                     comments_complete=True), last, SEEN[3])
        finish_crawl(write, last, {"finished_at": T[4], "finish_reason": "finished", "articles_stored": 2,
                                   "coverage": '{"share": {"byline": 0.5}}'})
        failed_start = start_crawl(write, "gamma", "generic", {}, T[5])
        store_failure(write, PageFailure("", "crawl_failed_to_start", "ConnectionError: redis down"), failed_start, T[5])
        # As crawling.py's _record_failed_start ends it (the report's default is the latest crawl
        # that ended: one under way is asked for by its id).
        finish_crawl(write, failed_start, {"finished_at": T[5], "finish_reason": "failed_to_start", "failures": 1})
    archive.close()
    connection = sqlite3.connect(tmp_path / "archive.db")
    yield connection
    connection.close()


def test_the_previous_crawl_is_the_last_of_the_site_that_stored_articles(db):
    report = crawl_report(db, 4)
    assert report["previous_crawl_id"] == 1  # not beta's crawl 2, not alpha's empty crawl 3
    assert report["warnings"] == ["byline coverage fell from 90% to 50% since crawl 1: the site may have "
                                  "changed its layout"]
    assert crawl_report(db, 1)["previous_crawl_id"] is None


def test_failures_are_grouped_by_reason_with_their_first_examples(db):
    assert crawl_report(db, 4)["failures"] == [
        {"reason": "http_404", "pages": 4, "examples": [f"https://alpha.example/missing-{n}" for n in range(3)]},
        {"reason": "parse_error", "pages": 1, "examples": ["https://alpha.example/broken"]}]
    # A crawl that failed to start has no URL: its failure's detail stands for it.
    assert crawl_report(db)["failures"] == [{"reason": "crawl_failed_to_start", "pages": 1,
                                             "examples": ["ConnectionError: redis down"]}]


def test_changed_articles_and_comment_changes_are_listed_with_their_diff(db, tmp_path):
    report = crawl_report(db, 4, db_path=str(tmp_path / "archive.db"))
    changed, = report["changed_articles"]
    assert (changed["id"], changed["title"], changed["version"], changed["fields_changed"]) == (
        1, "Bridge reopens again", 2, ["title", "body"])
    assert changed["title_diff"] == "Bridge reopens {+again+}"
    assert (changed["words_added"], changed["words_removed"]) == (2, 1)  # "again", "New" / "Old"
    assert (changed["comments_added"], changed["comments_removed"], changed["removed_comments"]) == (0, 1, ["Spam here"])
    assert changed["diff_command"] == f"newsarchive diff 1 --db {tmp_path / 'archive.db'}"
    quiet, = report["comments_changed"]  # its text unchanged, a comment added
    assert (quiet["id"], quiet["comments_added"], quiet["comments_removed"]) == (2, 1, 0)


@pytest.mark.parametrize(("crawl_id", "message"), [(99, "the archive has no crawl 99")])
def test_a_crawl_the_archive_does_not_have_is_refused(db, crawl_id, message):
    with pytest.raises(ReportError, match=f"^{message}$"):
        crawl_report(db, crawl_id)


def test_an_archive_without_crawls_has_no_report(tmp_path):
    open_archive(tmp_path / "empty.db").close()
    with sqlite3.connect(tmp_path / "empty.db") as empty, pytest.raises(ReportError, match="^the archive has no crawls yet$"):
        crawl_report(empty)


def one_article_archive(path, running: bool) -> sqlite3.Connection:
    """One article published 2026-01-01 with 4 comments, last fetched 2026-01-04 by crawl 1, which
    ended on 2026-01-06 (its settings and rendering figures kept); with `running`, a crawl 2 that
    started, found a new comment, and has not ended."""
    archive = open_archive(path)
    with archive.write() as write:
        first = start_crawl(write, "alpha", "generic", {"NEWSARCHIVE_RENDER": "auto"}, "2026-01-03T00:00:00Z")
        store_article(write, Article(url="https://alpha.example/1", site="alpha", title="T", body_text="B.",
                                     published_at="2026-01-01T00:00:00Z", comment_count=4), first,
                      "2026-01-04T00:00:00Z")
        finish_crawl(write, first, {"finished_at": "2026-01-06T00:00:00Z", "finish_reason": "finished",
                                    "articles_stored": 1, "coverage": {"rendering": {"rendered": 3, "failed": 1}}})
        if running:
            second = start_crawl(write, "alpha", "generic", {}, "2026-01-07T00:00:00Z")
            store_article(write, Article(url="https://alpha.example/1", site="alpha", title="T", body_text="B.",
                                         published_at="2026-01-01T00:00:00Z",
                                         comments=[Comment(body_text="Late", position=0, site_comment_id="1")],
                                         comments_complete=True), second, "2026-01-07T00:00:05Z")
    archive.close()
    return sqlite3.connect(path)


@pytest.fixture
def one_article(tmp_path):
    connection = one_article_archive(tmp_path / "one.db", running=False)
    yield connection
    connection.close()


@pytest.fixture
def with_running_crawl(tmp_path):
    connection = one_article_archive(tmp_path / "running.db", running=True)
    yield connection
    connection.close()


def test_staleness_is_the_changes_expected_since_each_articles_last_visit(one_article):
    # Crawl 1 ended 5 days after publication: prior rate 1 / (1 + 5) x (1 + 4 / 10) = 0.2333 a day,
    # times the 2 days since the article was fetched = 0.4667.
    assert crawl_report(one_article, 1)["staleness"] == {"expected_unseen_changes": 0.5, "articles": 1,
                                                        "at": "2026-01-06T00:00:00Z"}


def test_a_crawls_settings_and_rendering_figures_are_read_back(with_running_crawl):
    report = crawl_report(with_running_crawl, 1)
    assert report["crawl"]["settings"] == {"NEWSARCHIVE_RENDER": "auto"}
    assert report["rendering"] == {"rendered": 3, "failed": 1}
    assert crawl_report(with_running_crawl, 2)["rendering"] == {}


def test_a_crawl_that_has_not_ended_reports_up_to_now(with_running_crawl):
    # The last crawl, still running: asked for by its id (the default is the latest that ended, crawl 1;
    # it was the latest whatever its state: changed with that decision).
    assert crawl_report(with_running_crawl)["crawl"]["id"] == 1
    report = crawl_report(with_running_crawl, 2)
    assert report["crawl"]["id"] == 2 and report["crawl"]["settings"] == {}
    assert report["staleness"]["at"] == "2026-01-07T00:00:00Z"  # its start, having no end
    changed, = report["comments_changed"]
    assert (changed["id"], changed["comments_added"], changed["comments_removed"]) == (1, 1, 0)
    assert [comment["body_text"] for comment in report["newest_comments"]] == ["Late"]
