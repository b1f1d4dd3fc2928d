"""The crawl frontier's rules (newsarchive/archive/frontier.py) on a real archive, in the test's
process: which crawl a new one takes over, what it reads back (pending entries with their meta,
settled URLs), and what a finished crawl leaves (pending rows become `not_fetched` failures; pages
that failed for a passing reason stay, pending, for the next crawl)."""

from __future__ import annotations

import pytest

from newsarchive.archive import open_archive
from newsarchive.archive.frontier import (
    CUT_SHORT,
    add_entries,
    adopt_orphans,
    adopt_retries,
    adopt_unfinished,
    close_frontier,
    forget_unfinished,
    read_frontier,
    settle,
)
from newsarchive.archive.store import content_hash, finish_crawl, start_crawl, store_article
from newsarchive.items import Article, FrontierEntry

T0, T1, T2 = "2026-01-01T00:00:00.000000Z", "2026-01-01T00:01:00.000000Z", "2026-01-01T00:02:00.000000Z"
SITE = "http://127.0.0.1:8000"
LISTING = FrontierEntry(f"{SITE}/news/page/2", "listing", 10, {"stale_pages": 1, "page": 2})
ARTICLE = FrontierEntry(f"{SITE}/news/a", "article", 0)
ANOTHER = FrontierEntry(f"{SITE}/news/b", "article", 0, {"headers": {"If-None-Match": '"v1"'}})


@pytest.fixture
def archive(tmp_path):
    archive = open_archive(tmp_path / "archive.db")
    yield archive
    archive.close()


def crawl(archive, site: str | None = SITE, spider: str = "generic", finish_reason: str | None = None) -> int:
    """A crawls row; ended (finished_at set) with finish_reason when one is given."""
    with archive.write() as db:
        crawl_id = start_crawl(db, site, spider, {}, T0)
        if finish_reason:
            finish_crawl(db, crawl_id, {"finished_at": T1, "finish_reason": finish_reason})
    return crawl_id


def unfinished_with_pending(archive, **crawl_args) -> int:
    """An interrupted crawl: it offered three URLs and stored the page of one."""
    crawl_id = crawl(archive, finish_reason="interrupted", **crawl_args)
    with archive.write() as db:
        add_entries(db, crawl_id, [LISTING, ARTICLE, ANOTHER], T1)
        settle(db, crawl_id, ARTICLE.url, "article", T2)
    return crawl_id


def rows(archive, sql: str, params=()) -> list[tuple]:
    return [tuple(row.values()) for row in archive.query(sql, params)]


def test_entries_are_read_back_with_their_meta_and_settled_urls_apart(archive):
    crawl_id = crawl(archive)
    with archive.write() as db:
        add_entries(db, crawl_id, [LISTING, ARTICLE, ANOTHER], T1)
        settle(db, crawl_id, ARTICLE.url, "article", T2)
    pending, settled = read_frontier(archive.conn, crawl_id)
    assert pending == [LISTING, ANOTHER]  # in the order they were offered
    assert settled == [ARTICLE.url]
    assert rows(archive, "SELECT url, kind, priority, meta, discovered_at, settled_at, outcome FROM frontier "
                         "ORDER BY rowid") == [
        (LISTING.url, "listing", 10, '{"page": 2, "stale_pages": 1}', T1, None, None),  # keys sorted: one text a meta
        (ARTICLE.url, "article", 0, None, T1, T2, "article"),
        (ANOTHER.url, "article", 0, '{"headers": {"If-None-Match": "\\"v1\\""}}', T1, None, None),
    ]


def test_a_url_offered_again_keeps_its_first_row_and_its_settling(archive):
    crawl_id = crawl(archive)
    with archive.write() as db:
        add_entries(db, crawl_id, [ARTICLE], T0)
        settle(db, crawl_id, ARTICLE.url, "failure", T1)
        add_entries(db, crawl_id, [FrontierEntry(ARTICLE.url, "listing", 5)], T2)  # another page links it
    assert rows(archive, "SELECT url, kind, priority, discovered_at, settled_at, outcome FROM frontier") == [
        (ARTICLE.url, "article", 0, T0, T1, "failure")]


def test_a_url_no_stored_page_offered_is_settled_by_a_row_of_its_own(archive):
    crawl_id = crawl(archive)
    with archive.write() as db:
        settle(db, crawl_id, f"{SITE}/news/", "listing", T2)  # a start URL
    assert rows(archive, "SELECT url, kind, discovered_at, settled_at, outcome FROM frontier") == [
        (f"{SITE}/news/", "", T2, T2, "listing")]


@pytest.mark.parametrize("finish_reason", ["interrupted", "shutdown", "closespider_pagecount"])
def test_a_crawl_that_did_not_finish_is_taken_over_by_the_next_of_its_site(archive, finish_reason):
    earlier = crawl(archive, finish_reason=finish_reason)
    with archive.write() as db:
        add_entries(db, earlier, [LISTING, ARTICLE], T1)
    later = crawl(archive)
    with archive.write() as db:
        assert adopt_unfinished(db, later, "generic", SITE) == earlier
    assert read_frontier(archive.conn, later) == ([LISTING, ARTICLE], [])
    assert read_frontier(archive.conn, earlier) == ([], [])
    assert rows(archive, "SELECT id, resumed_from FROM crawls ORDER BY id") == [(earlier, None), (later, earlier)]


def test_a_finished_crawl_is_not_taken_over(archive):
    earlier = crawl(archive, finish_reason="finished")
    with archive.write() as db:
        add_entries(db, earlier, [LISTING], T1)  # rows a finished crawl would have closed
    later = crawl(archive)
    with archive.write() as db:
        assert adopt_unfinished(db, later, "generic", SITE) is None
    assert rows(archive, "SELECT crawl_id FROM frontier") == [(earlier,)]
    assert rows(archive, "SELECT resumed_from FROM crawls WHERE id = ?", [later]) == [(None,)]


def test_only_the_last_ended_crawl_of_the_same_spider_and_site_is_taken_over(archive):
    older = unfinished_with_pending(archive)
    newer = unfinished_with_pending(archive)
    other_site = unfinished_with_pending(archive, site="http://127.0.0.1:9000")
    other_spider = unfinished_with_pending(archive, spider="profiled")
    running = crawl(archive)  # not ended: another crawl of the site still running
    with archive.write() as db:
        add_entries(db, running, [LISTING], T1)
    later = crawl(archive)
    with archive.write() as db:
        assert adopt_unfinished(db, later, "generic", SITE) == newer
    owners = rows(archive, "SELECT DISTINCT crawl_id FROM frontier ORDER BY crawl_id")
    assert owners == [(older,), (other_site,), (other_spider,), (running,), (later,)]


def test_a_crawl_of_no_site_takes_over_only_a_crawl_of_no_site(archive):
    sited = unfinished_with_pending(archive)
    siteless = unfinished_with_pending(archive, site=None)
    later = crawl(archive, site=None)
    with archive.write() as db:
        assert adopt_unfinished(db, later, "generic", None) == siteless
    assert sited != siteless


def test_an_unfinished_crawl_with_nothing_pending_is_not_taken_over(archive):
    earlier = crawl(archive, finish_reason="interrupted")
    with archive.write() as db:
        add_entries(db, earlier, [ARTICLE], T1)
        settle(db, earlier, ARTICLE.url, "article", T2)
    later = crawl(archive)
    with archive.write() as db:
        assert adopt_unfinished(db, later, "generic", SITE) is None
    assert rows(archive, "SELECT crawl_id FROM frontier") == [(earlier,)]


def test_a_fresh_start_forgets_the_ended_crawls_of_its_site_and_spider_only(archive):
    ended = unfinished_with_pending(archive)
    other_site = unfinished_with_pending(archive, site="http://127.0.0.1:9000")
    running = crawl(archive)
    with archive.write() as db:
        add_entries(db, running, [ARTICLE], T1)
        assert forget_unfinished(db, "generic", SITE) == 3
    assert rows(archive, "SELECT DISTINCT crawl_id FROM frontier ORDER BY crawl_id") == [(other_site,), (running,)]
    assert ended not in (other_site, running)


def test_closing_a_finished_crawl_turns_its_pending_rows_into_failures(archive):
    crawl_id = unfinished_with_pending(archive)
    other = unfinished_with_pending(archive, site="http://127.0.0.1:9000")
    with archive.write() as db:
        assert close_frontier(db, crawl_id, T2) == (2, 0, 0)
    failures = rows(archive, "SELECT crawl_id, url, reason, failed_at FROM failures ORDER BY url")
    assert failures == [(crawl_id, ANOTHER.url, "not_fetched", T2), (crawl_id, LISTING.url, "not_fetched", T2)]
    assert {row["detail"] for row in archive.query("SELECT detail FROM failures")} == {
        "requested, but no response or error ever reached the spider (dropped on the way, e.g. by a depth or "
        "URL-length limit)"}
    assert rows(archive, "SELECT DISTINCT crawl_id FROM frontier") == [(other,)]


def test_closing_a_crawl_with_nothing_pending_records_no_failure(archive):
    crawl_id = crawl(archive)
    with archive.write() as db:
        add_entries(db, crawl_id, [ARTICLE], T1)
        settle(db, crawl_id, ARTICLE.url, "article", T2)
        assert close_frontier(db, crawl_id, T2) == (0, 0, 0)
    assert rows(archive, "SELECT count(*) FROM failures") == [(0,)]
    assert rows(archive, "SELECT count(*) FROM frontier") == [(0,)]


def failed(archive, crawl_id: int, entry: FrontierEntry, reason: str) -> None:
    """The entry's page was requested and ended as a failure with this reason."""
    with archive.write() as db:
        add_entries(db, crawl_id, [entry], T1)
        db.execute("INSERT INTO failures (crawl_id, url, reason, failed_at) VALUES (?, ?, ?, ?)",
                   [crawl_id, entry.url, reason, T2])
        settle(db, crawl_id, entry.url, "failure", T2)


@pytest.mark.parametrize(("reason", "kept"), [
    ("timeout", True), ("connection_lost", True), ("data_loss", True), ("connection_refused", True),
    ("dns_error", True), ("bad_response", True), ("fetch_error", True), ("not_the_story", True),
    ("http_503", True), ("http_500", True), ("http_502", True), ("http_504", True), ("http_429", True),
    ("http_404", False), ("http_410", False), ("http_403", False), ("not_html", False), ("too_large", False),
    ("offsite_redirect", False), ("redirect_loop", False), ("parse_error", False), ("parse_time_limit", False),
    ("store_error", False), ("robots_forbidden", False), ("empty_page", True),
])
def test_a_finished_crawl_keeps_the_pages_that_failed_for_a_passing_reason(archive, reason, kept):
    crawl_id = crawl(archive)
    failed(archive, crawl_id, LISTING, reason)
    with archive.write() as db:
        add_entries(db, crawl_id, [ARTICLE], T1)
        settle(db, crawl_id, ARTICLE.url, "article", T2)
        assert close_frontier(db, crawl_id, T2) == (0, int(kept), 0)
    assert rows(archive, "SELECT crawl_id, url, kind, priority, meta, settled_at, outcome FROM frontier") == (
        [(crawl_id, LISTING.url, "listing", 10, '{"page": 2, "stale_pages": 1}', None, None)] if kept else [])


def test_a_finished_crawl_keeps_the_articles_that_were_one_page_under_many_urls(archive):
    """The wall's pages (stored new, or met unchanged) are asked for again; the story stored beside
    them, a listing and a failure of another page are not."""
    crawl_id = crawl(archive)
    wall, story = ("Before you continue", "We value your privacy."), ("A story", "The river rose.")
    pages = {f"{SITE}/news/wall-{n}": wall for n in range(3)} | {ARTICLE.url: story}
    with archive.write() as db:
        add_entries(db, crawl_id, [FrontierEntry(url, "article", 0) for url in pages] + [LISTING], T1)
        for url, (title, body) in pages.items():
            store_article(db, Article(url=url, title=title, body_text=body), crawl_id, T2)
            settle(db, crawl_id, url, "unchanged" if url.endswith("-2") else "article", T2)
        settle(db, crawl_id, LISTING.url, "listing", T2)
        assert close_frontier(db, crawl_id, T2, one_page=content_hash(*wall)[:16]) == (0, 0, 3)
    assert rows(archive, "SELECT url, kind, settled_at, outcome FROM frontier ORDER BY url") == [
        (f"{SITE}/news/wall-{n}", "article", None, None) for n in range(3)]


def test_a_finished_crawl_keeps_the_pages_that_arrived_cut_short(archive):
    crawl_id = crawl(archive)
    story = FrontierEntry(f"{SITE}/news/b", "article", 0)
    with archive.write() as db:
        add_entries(db, crawl_id, [ARTICLE, story, LISTING], T1)
        settle(db, crawl_id, ARTICLE.url, CUT_SHORT, T2)
        settle(db, crawl_id, LISTING.url, CUT_SHORT, T2)
        settle(db, crawl_id, story.url, "article", T2)
        assert close_frontier(db, crawl_id, T2) == (0, 2, 0)
    assert rows(archive, "SELECT url, settled_at, outcome FROM frontier ORDER BY url") == [
        (ARTICLE.url, None, None), (LISTING.url, None, None)]


def test_a_page_no_stored_page_offered_is_not_kept_however_it_failed(archive):
    crawl_id = crawl(archive)
    with archive.write() as db:  # a start URL's page: its row has no kind, and every crawl asks for it anyway
        db.execute("INSERT INTO failures (crawl_id, url, reason, failed_at) VALUES (?, ?, 'timeout', ?)",
                   [crawl_id, f"{SITE}/news/", T2])
        settle(db, crawl_id, f"{SITE}/news/", "failure", T2)
        assert close_frontier(db, crawl_id, T2) == (0, 0, 0)
    assert rows(archive, "SELECT count(*) FROM frontier") == [(0,)]


def test_the_next_crawl_of_the_site_takes_over_the_pages_kept_to_ask_again(archive):
    first = crawl(archive)
    failed(archive, first, LISTING, "http_503")
    failed(archive, first, ARTICLE, "timeout")
    with archive.write() as db:
        close_frontier(db, first, T2)
        finish_crawl(db, first, {"finished_at": T2, "finish_reason": "finished"})
    other_site = crawl(archive, site="http://127.0.0.1:9000")
    other_spider = crawl(archive, spider="diyaruna")
    with archive.write() as db:
        assert adopt_retries(db, other_site, "generic", "http://127.0.0.1:9000") == (None, 0)
        assert adopt_retries(db, other_spider, "diyaruna", SITE) == (None, 0)
        assert adopt_unfinished(db, other_spider, "generic", SITE) is None  # a finished crawl is not resumed
    second = crawl(archive)
    with archive.write() as db:
        assert adopt_retries(db, second, "generic", SITE) == (first, 2)
    assert read_frontier(archive.conn, second) == ([LISTING, ARTICLE], [])
    assert rows(archive, "SELECT resumed_from FROM crawls WHERE id = ?", [second]) == [(None,)]  # no resume
    third = crawl(archive)
    with archive.write() as db:  # taken over once: a crawl after the second finds nothing to ask again
        assert adopt_retries(db, third, "generic", SITE) == (None, 0)


def test_only_the_last_finished_crawl_s_kept_pages_are_taken_over(archive):
    first = crawl(archive)
    failed(archive, first, LISTING, "http_503")
    with archive.write() as db:
        close_frontier(db, first, T2)
        finish_crawl(db, first, {"finished_at": T2, "finish_reason": "finished"})
    crawl(archive, finish_reason="finished")  # a later crawl of the site that kept nothing
    latest = crawl(archive)
    with archive.write() as db:
        assert adopt_retries(db, latest, "generic", SITE) == (None, 0)


def test_pages_an_interrupted_crawl_left_pending_that_no_crawl_resumed_are_taken_over(archive):
    """Crawl 1 was killed, crawl 2 ran while crawl 1 was taken for running and finished: the next
    crawl takes crawl 1's pending pages (not a start URL's row, which every crawl asks for anyway),
    those of another site or spider stay theirs, and a URL the new crawl has already is its own."""
    killed = crawl(archive, finish_reason="interrupted")
    other_site = crawl(archive, site="http://127.0.0.1:9000", finish_reason="interrupted")
    other_spider = crawl(archive, spider="diyaruna", finish_reason="interrupted")
    story = FrontierEntry(f"{SITE}/news/b", "article", 0)
    with archive.write() as db:
        add_entries(db, killed, [ARTICLE, story, LISTING], T1)
        settle(db, killed, LISTING.url, "listing", T2)
        settle(db, killed, f"{SITE}/news/", "listing", T2)  # kind ''
        db.execute("UPDATE frontier SET settled_at = NULL WHERE url = ?", [f"{SITE}/news/"])
        add_entries(db, other_site, [FrontierEntry("http://127.0.0.1:9000/a", "article", 0)], T1)
        add_entries(db, other_spider, [ARTICLE], T1)
    finished = crawl(archive, finish_reason="finished")
    kept = FrontierEntry(f"{SITE}/news/c", "article", 0)
    with archive.write() as db:  # a row an earlier finished crawl left pending, however it came to
        add_entries(db, finished, [kept], T1)
    running = crawl(archive)  # not ended: its rows are its own
    with archive.write() as db:
        add_entries(db, running, [FrontierEntry(f"{SITE}/news/d", "article", 0)], T1)
    new = crawl(archive)
    with archive.write() as db:
        add_entries(db, new, [story], T2)  # already its own
        assert adopt_orphans(db, new, "generic", SITE) == 2
    assert read_frontier(archive.conn, new) == ([ARTICLE, kept, story], [])  # in the order they were added
    assert rows(archive, "SELECT crawl_id, url FROM frontier WHERE crawl_id != ? ORDER BY crawl_id, url", [new]) == [
        (killed, f"{SITE}/news/"), (killed, story.url), (killed, LISTING.url),
        (other_site, "http://127.0.0.1:9000/a"), (other_spider, ARTICLE.url), (running, f"{SITE}/news/d")]
