"""StorePipeline called in this process, every figure it keeps checked against values worked out
by hand: a crawl runs it in a child process, where mutmut cannot see which code a test reached
(docs/testing.md, mutation testing)."""

import dataclasses
import json
import logging
import os
import socket
import sqlite3
import subprocess
import sys
from collections import Counter

import pytest
from pydispatch import dispatcher
from scrapy import Spider, signals
from scrapy.utils.test import get_crawler
from twisted.internet.defer import succeed

from newsarchive import signals as newsarchive_signals
from newsarchive.archive import open_archive
from newsarchive.archive.store import start_crawl
from newsarchive.items import (
    Article,
    ArticleDuplicate,
    ArticleNotModified,
    Byline,
    Capture,
    Comment,
    FrontierEntry,
    ListingPage,
    PageFailure,
    PageResult,
    Photo,
)
from newsarchive.pipelines.store import StorePipeline
from newsarchive.revisits import Limits

X, Y, Z = "https://d.example/x", "https://d.example/y", "https://d.example/z"
NEWS = "https://d.example/news"
# The settings a pipeline reads, each given a value no default has.
SETTINGS = {
    "NEWSARCHIVE_STORE_BATCH_SIZE": 100, "NEWSARCHIVE_STORE_BUSY_TIMEOUT": 2.5,
    "NEWSARCHIVE_FRONTIER_ENABLED": True, "NEWSARCHIVE_FRONTIER_RESUME": True,
    "NEWSARCHIVE_REVISIT_FLOOR_HOURS": 3, "NEWSARCHIVE_REVISIT_CEILING_DAYS": 9,
}


class RecordingEngine:
    """Stands in for the Scrapy engine, which needs a running reactor: it only notes why the
    pipeline asked it to stop the crawl."""

    def __init__(self):
        self.closed = []

    def close_spider_async(self, *, reason):
        self.closed.append(reason)
        return succeed(None)  # as the engine's coroutine would end: the pipeline keeps it (a Deferred)


def crawler_for(tmp_path, spider=None, **settings):
    crawler = get_crawler(Spider, {"NEWSARCHIVE_DB_PATH": str(tmp_path / "archive.db"), **SETTINGS, **settings})
    crawler.spider = spider or Spider(name="unit")
    crawler.engine = RecordingEngine()
    crawler.stats.open_spider()
    return crawler


def opened(tmp_path, spider=None, **settings) -> StorePipeline:
    pipeline = StorePipeline.from_crawler(crawler_for(tmp_path, spider, **settings))
    pipeline.open_spider()
    return pipeline


def received(crawler, signal) -> list[dict]:
    """The keyword arguments of every time the signal is sent from now on."""
    calls = []

    def receiver(**kwargs):
        kwargs.pop("signal")
        kwargs.pop("sender")
        calls.append(kwargs)

    crawler.signals.connect(receiver, signal=signal, weak=False)
    return calls


def rows(tmp_path, sql, params=()):
    """What another process would read: committed rows only."""
    with sqlite3.connect(tmp_path / "archive.db") as db:
        return db.execute(sql, params).fetchall()


def stat(pipeline, name):
    return pipeline.stats.get_value(name)


def dead_pid() -> int:
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    return child.pid


# settings and opening -------------------------------------------------------------------------

def test_from_crawler_reads_every_setting(tmp_path):
    pipeline = StorePipeline.from_crawler(crawler_for(tmp_path, NEWSARCHIVE_STORE_BATCH_SIZE=7,
                                                      NEWSARCHIVE_FRONTIER_RESUME=False))
    assert (pipeline.db_path, pipeline.batch_size, pipeline.busy_timeout, pipeline.frontier_enabled,
            pipeline.resume) == (str(tmp_path / "archive.db"), 7, 2.5, True, False)
    assert pipeline.revisit_limits == Limits(3.0, 9.0)
    assert (pipeline.pending, pipeline.archive, pipeline.crawl_id) == ([], None, None)
    assert (pipeline.write_error, pipeline.closing) == (None, None)
    # Redis keeps a distributed crawl's frontier: the archive's is off, whatever the setting says.
    redis = StorePipeline.from_crawler(crawler_for(tmp_path, NEWSARCHIVE_REDIS_URL="redis://127.0.0.1:1"))
    assert (redis.frontier_enabled, redis.resume) == (False, True)
    off = StorePipeline.from_crawler(crawler_for(tmp_path, NEWSARCHIVE_FRONTIER_ENABLED=False))
    assert off.frontier_enabled is False


def receivers(crawler, signal, of) -> list:
    """The methods of `of` connected to the signal (Scrapy's own extensions listen too)."""
    connected = dispatcher.liveReceivers(dispatcher.getAllReceivers(crawler.signals.sender, signal))
    return [receiver for receiver in connected if getattr(receiver, "__self__", None) is of]


def test_from_crawler_connects_the_closing_and_flushing_signals(tmp_path):
    # Checked as connections, not by sending: under mutmut a method is a trampoline taking any
    # keyword, so the dispatcher would pass it the signal's own arguments too.
    crawler = crawler_for(tmp_path)
    pipeline = StorePipeline.from_crawler(crawler)
    assert receivers(crawler, signals.spider_closed, pipeline) == [pipeline.spider_closed]
    assert receivers(crawler, newsarchive_signals.flush_requested, pipeline) == [pipeline.flush]


def test_open_spider_records_the_settings_asked_for_and_announces_the_crawl(tmp_path):
    spider = Spider(name="diyaruna")
    spider.site_name, spider.arguments = "diyaruna", {"pages": "2"}
    crawler = crawler_for(tmp_path, spider, USER_AGENT="unit-agent", JOBDIR="jobs")
    started = received(crawler, newsarchive_signals.crawl_started)
    pipeline = StorePipeline.from_crawler(crawler)
    pipeline.open_spider()
    assert (pipeline.crawl_id, stat(pipeline, "newsarchive/crawl_id")) == (1, 1)
    assert pipeline.archive.conn.execute("PRAGMA busy_timeout").fetchone() == (2500,)  # 2.5 s, in ms
    assert started == [{"crawl_id": 1, "archive": pipeline.archive, "resumed": [], "settled": [], "read_again": []}]
    site, spider_name, settings, finished_at = rows(tmp_path, "SELECT site, spider, settings, finished_at FROM crawls")[0]
    assert (site, spider_name, finished_at) == ("diyaruna", "diyaruna", None)
    recorded = json.loads(settings)
    assert sorted(recorded) == [
        "AUTOTHROTTLE_ENABLED", "CONCURRENT_REQUESTS", "DOWNLOAD_MAXSIZE", "DOWNLOAD_TIMEOUT", "JOBDIR",
        "NEWSARCHIVE_CAPTURE_ENABLED", "NEWSARCHIVE_CONDITIONAL_REQUESTS", "NEWSARCHIVE_CRAWL_NAME", "NEWSARCHIVE_DB_PATH",
        "NEWSARCHIVE_FRONTIER_ENABLED", "NEWSARCHIVE_PHOTOS_DIR", "NEWSARCHIVE_REFRESH_FULL",
        "NEWSARCHIVE_REFRESH_STALE_PAGES", "NEWSARCHIVE_REFRESH_WINDOW_DAYS", "NEWSARCHIVE_REVISIT_BUDGET",
        "NEWSARCHIVE_REVISIT_CEILING_DAYS", "NEWSARCHIVE_REVISIT_FLOOR_HOURS", "ROBOTSTXT_OBEY", "USER_AGENT",
        "spider_arguments"]
    assert (recorded["USER_AGENT"], recorded["JOBDIR"], recorded["NEWSARCHIVE_DB_PATH"], recorded["spider_arguments"],
            recorded["NEWSARCHIVE_PHOTOS_DIR"]) == ("unit-agent", "jobs", str(tmp_path / "archive.db"), {"pages": "2"}, None)
    pipeline.archive.close()


def test_a_spider_without_site_or_arguments_is_recorded_as_such(tmp_path):
    pipeline = opened(tmp_path)
    pipeline.archive.close()
    site, settings = rows(tmp_path, "SELECT site, settings FROM crawls")[0]
    assert (site, json.loads(settings)["spider_arguments"]) == (None, {})


def test_open_spider_warns_of_a_crawl_whose_process_is_gone(tmp_path, caplog):
    archive = open_archive(tmp_path / "archive.db")
    with archive.write() as db:
        start_crawl(db, None, "unit", {}, "2026-01-01T10:00:00Z")
        db.execute("UPDATE crawls SET pid = ?, host = ?", [dead_pid(), socket.gethostname()])
    archive.close()
    with caplog.at_level(logging.WARNING):
        pipeline = opened(tmp_path)
    pipeline.archive.close()
    assert [record.getMessage() for record in caplog.records] == [
        f"crawl 1 in {tmp_path / 'archive.db'} was interrupted (its process is gone)"]
    assert rows(tmp_path, "SELECT id, finish_reason, pid FROM crawls ORDER BY id") == [
        (1, "interrupted", rows(tmp_path, "SELECT pid FROM crawls WHERE id = 1")[0][0]), (2, None, os.getpid())]


def site_spider() -> Spider:
    spider = Spider(name="unit")
    spider.site_name = "diyaruna"  # the frontier is taken over per spider and site
    return spider


def stopped_crawl(tmp_path):
    """A crawl that stopped (Ctrl-C) with X settled and Y, Z pending in its frontier."""
    pipeline = opened(tmp_path, site_spider())
    pipeline.process_item(PageResult(NEWS, [ListingPage(NEWS, page=1, links=3)], discovered=[
        FrontierEntry(X, "article"), FrontierEntry(Y, "article", 2, {"page": 1}), FrontierEntry(Z, "article")]))
    pipeline.process_item(PageResult(X, [PageFailure(X, "http_404", status=404)]))
    pipeline.close_spider()
    pipeline.spider_closed(pipeline.crawler.spider, "shutdown")


def next_crawl(tmp_path, caplog, level=logging.WARNING, **settings) -> tuple[StorePipeline, list[dict], list[str]]:
    """The next crawl of the site opened (its archive closed again): its pipeline, what its
    crawl_started signals carried, and the messages it logged at `level` or above."""
    crawler = crawler_for(tmp_path, site_spider(), **settings)
    started = received(crawler, newsarchive_signals.crawl_started)
    pipeline = StorePipeline.from_crawler(crawler)
    with caplog.at_level(level):
        pipeline.open_spider()
    pipeline.archive.close()
    return pipeline, started, [record.getMessage() for record in caplog.records]


def test_the_next_crawl_takes_over_the_frontier_of_a_stopped_one(tmp_path, caplog):
    stopped_crawl(tmp_path)
    pipeline, started, messages = next_crawl(tmp_path, caplog)
    assert messages == ["resuming crawl 1: 2 requests pending, 2 already done"]
    assert (stat(pipeline, "newsarchive/resumed_from"), stat(pipeline, "newsarchive/resumed_pending")) == (1, 2)
    assert started == [{"crawl_id": 2, "archive": pipeline.archive, "settled": [X, NEWS],  # rowid order: X was discovered before NEWS was settled
                        "resumed": [FrontierEntry(Y, "article", 2, {"page": 1}), FrontierEntry(Z, "article")],
                        "read_again": [NEWS]}]  # the start page, which may show other stories now; X is an article
    assert rows(tmp_path, "SELECT crawl_id, count(*) FROM frontier GROUP BY crawl_id") == [(2, 4)]


@pytest.mark.parametrize("settings, frontier_left", [
    ({"NEWSARCHIVE_FRONTIER_RESUME": False}, []),  # a fresh start drops the old frontier
    ({"NEWSARCHIVE_FRONTIER_ENABLED": False}, [(1, 4)]),  # without a frontier, nothing touches it
])
def test_a_fresh_start_or_no_frontier_resumes_nothing(tmp_path, caplog, settings, frontier_left):
    stopped_crawl(tmp_path)
    pipeline, started, messages = next_crawl(tmp_path, caplog, **settings)
    assert (messages, stat(pipeline, "newsarchive/resumed_from")) == ([], None)
    assert (started[0]["resumed"], started[0]["settled"]) == ([], [])
    assert rows(tmp_path, "SELECT crawl_id, count(*) FROM frontier GROUP BY crawl_id") == frontier_left
    assert rows(tmp_path, "SELECT resumed_from FROM crawls WHERE id = 2") == [(None,)]


def crawl_with_a_passing_failure(tmp_path):
    """A finished crawl whose listing offered X, Y and Z: X stored, Y a 503, Z a 404."""
    pipeline = opened(tmp_path, site_spider())
    pipeline.process_item(PageResult(NEWS, [ListingPage(NEWS, page=1, links=3)], discovered=[
        FrontierEntry(X, "article"), FrontierEntry(Y, "listing", 7, {"page": 2}), FrontierEntry(Z, "article")]))
    pipeline.process_item(PageResult(X, [article(X)]))
    pipeline.process_item(PageResult(Y, [PageFailure(Y, "http_503", status=503)]))
    pipeline.process_item(PageResult(Z, [PageFailure(Z, "http_404", status=404)]))
    pipeline.close_spider()
    pipeline.spider_closed(pipeline.crawler.spider, "finished")
    return pipeline


def test_the_next_crawl_asks_again_for_the_pages_a_finished_one_could_not_fetch(tmp_path, caplog):
    first = crawl_with_a_passing_failure(tmp_path)
    assert stat(first, "newsarchive/pages/kept_for_retry_count") == 1  # the 503, not the 404
    assert rows(tmp_path, "SELECT crawl_id, url, kind, settled_at FROM frontier") == [(1, Y, "listing", None)]
    pipeline, started, messages = next_crawl(tmp_path, caplog, logging.INFO)
    assert messages == ["asking again for 1 pages crawl 1 could not archive (a timeout, a lost connection, a 5xx, one page under many URLs ...)"]
    assert (stat(pipeline, "newsarchive/retried_from"), stat(pipeline, "newsarchive/retried_count")) == (1, 1)
    assert stat(pipeline, "newsarchive/resumed_from") is None
    assert started == [{"crawl_id": 2, "archive": pipeline.archive, "settled": [],
                        "resumed": [FrontierEntry(Y, "listing", 7, {"page": 2})], "read_again": []}]
    assert rows(tmp_path, "SELECT crawl_id, url FROM frontier") == [(2, Y)]


def test_a_fresh_start_does_not_ask_again(tmp_path, caplog):
    crawl_with_a_passing_failure(tmp_path)
    pipeline, started, messages = next_crawl(tmp_path, caplog, logging.INFO, NEWSARCHIVE_FRONTIER_RESUME=False)
    assert (stat(pipeline, "newsarchive/retried_from"), started[0]["resumed"], messages) == (None, [], [])
    assert rows(tmp_path, "SELECT count(*) FROM frontier") == [(0,)]


# storing pages --------------------------------------------------------------------------------

def article(url=X, title="Title", body="Body", **fields) -> Article:
    return Article(url=url, title=title, body_text=body, **fields)


def test_pages_are_committed_a_batch_at_a_time(tmp_path):
    pipeline = opened(tmp_path, NEWSARCHIVE_STORE_BATCH_SIZE=2)
    committed = received(pipeline.crawler, newsarchive_signals.requests_committed)
    first = PageResult(X, [article(X)], request_fingerprint="fx")
    assert pipeline.process_item(first) is first
    assert (pipeline.pending, rows(tmp_path, "SELECT count(*) FROM articles")) == ([first], [(0,)])
    other = {"not": "a page"}
    assert pipeline.process_item(other) is other  # not a page: passed on, not stored
    pipeline.process_item(PageResult(Y, [article(Y)]))  # the second page: the batch is full
    assert (pipeline.pending, rows(tmp_path, "SELECT url FROM articles ORDER BY id")) == ([], [(X,), (Y,)])
    assert committed == [{"fingerprints": ["fx"], "retry": []}]  # Y's request has no fingerprint to acknowledge
    pipeline.process_item(PageResult(Z, [article(Z)]))
    pipeline.flush()
    assert rows(tmp_path, "SELECT count(*) FROM articles") == [(3,)]
    assert committed == [{"fingerprints": ["fx"], "retry": []}]  # no fingerprint in that batch: no signal
    assert stat(pipeline, "newsarchive/pages/article_count") == 3
    pipeline.archive.close()


def test_a_batch_names_the_requests_whose_pages_failed_for_a_passing_reason(tmp_path, monkeypatch):
    """For a distributed crawl to keep them for its next crawl (newsarchive/distributed.py): a 503
    and a page refused at the store as no story (a maintenance page: NotTheStory) are; an article,
    a 404, a page the store failed on for another reason and a request without a fingerprint are not."""
    from newsarchive.pipelines import store as store_module

    refused, broken = "https://d.example/maintenance", "https://d.example/broken"
    real_store_article = store_module.store_article

    def store_article(db, record, *args, **kwargs):
        if record.url == refused:
            raise store_module.NotTheStory("the page at a stored story's URL shows no story")
        if record.url == broken:
            raise ValueError("a column too many")
        return real_store_article(db, record, *args, **kwargs)

    monkeypatch.setattr(store_module, "store_article", store_article)
    pipeline = opened(tmp_path, NEWSARCHIVE_STORE_BATCH_SIZE=10)
    committed = received(pipeline.crawler, newsarchive_signals.requests_committed)
    for page in [PageResult(X, [article(X)], request_fingerprint="article"),
                 PageResult(Y, [PageFailure(Y, "http_503", "busy", 503)], request_fingerprint="busy"),
                 PageResult(Z, [PageFailure(Z, "http_404", "gone", 404)], request_fingerprint="gone"),
                 PageResult(refused, [article(refused)], request_fingerprint="refused"),
                 PageResult(broken, [article(broken)], request_fingerprint="broken"),
                 PageResult(Z + "/timeout", [PageFailure(Z + "/timeout", "timeout")])]:
        pipeline.process_item(page)
    pipeline.flush()
    assert rows(tmp_path, "SELECT url, reason FROM failures ORDER BY id") == [
        (Y, "http_503"), (Z, "http_404"), (refused, "not_the_story"), (broken, "store_error"), (Z + "/timeout", "timeout")]
    assert committed == [{"fingerprints": ["article", "busy", "gone", "refused", "broken"], "retry": ["busy", "refused"]}]
    pipeline.archive.close()


def test_flush_waits_for_an_open_archive(tmp_path):
    pipeline = StorePipeline.from_crawler(crawler_for(tmp_path, NEWSARCHIVE_STORE_BATCH_SIZE=1))
    page = PageResult(X, [article(X)])
    pipeline.process_item(page)  # the archive is not open yet: the page waits
    assert pipeline.pending == [page]
    pipeline.spider_closed(pipeline.crawler.spider, "finished")  # a crawl that never opened: nothing to close
    assert (pipeline.pending, pipeline.archive) == ([page], None)


def test_what_a_batch_stored_is_counted_record_by_record_and_page_by_page(tmp_path):
    pipeline = opened(tmp_path)
    signed = article(X, authors=[Byline("Huda Karim", "Huda Karim", 0)], published_at="2026-01-02",
                     photos=[Photo(f"{Y}.jpg", 0)], comments=[Comment("First!", 0, "c1")],
                     sources={"title": "markup", "body_text": "generic"})
    pictured = article(Y, photos=[Photo(f"{X}.jpg", 0)], comment_count=3, sources={"title": "markup"})
    capture = Capture(url=X, fetched_at="2026-01-02T00:00:00Z", status=200, request_headers={}, response_headers={},
                      body=b"<p>x</p>")
    pipeline.process_item(PageResult(X, [signed, pictured], capture=capture, kind="article"))
    pipeline.process_item(PageResult(NEWS, [PageFailure(Z, "http_500", status=500), PageFailure(NEWS, "http_500",
                                                                                              status=500)],
                                     capture=dataclasses.replace(capture, url=NEWS), kind="listing"))
    pipeline.process_item(PageResult(Z, [ArticleNotModified(X), ArticleNotModified(Y)], kind="article"))
    pipeline.flush()
    assert {name: stat(pipeline, name) for name in (
        "newsarchive/store/article_new_count", "newsarchive/store/article_not_modified_count",
        "newsarchive/store/failure_count", "newsarchive/store/failure_count/http_500",
        "newsarchive/store/capture_response_count", "newsarchive/pages/article_article_count",
        "newsarchive/pages/listing_failure_count", "newsarchive/pages/article_unchanged_count")} == {
        "newsarchive/store/article_new_count": 2, "newsarchive/store/article_not_modified_count": 2,
        "newsarchive/store/failure_count": 2, "newsarchive/store/failure_count/http_500": 2,
        "newsarchive/store/capture_response_count": 2, "newsarchive/pages/article_article_count": 1,
        "newsarchive/pages/listing_failure_count": 1, "newsarchive/pages/article_unchanged_count": 1}
    assert pipeline.coverage == Counter({"articles": 2, "byline": 1, "date": 1, "photo": 2, "comments": 2})
    assert pipeline.sources == Counter({"title:markup": 2, "body_text:generic": 1})
    pipeline.archive.close()


def test_a_crawl_whose_row_was_never_written_only_closes_the_archive(tmp_path):
    pipeline = opened(tmp_path)
    pipeline.crawl_id = None  # as when open_spider failed after opening the file
    pipeline.spider_closed(pipeline.crawler.spider, "failed_to_start")
    assert pipeline.archive is None
    pipeline.spider_closed(pipeline.crawler.spider, "failed_to_start")  # once closed, nothing more to do


def test_each_outcome_is_counted_once_per_page(tmp_path):
    pipeline = opened(tmp_path)
    for result in [PageResult(X, [article(X)]), PageResult(Y, [article(Y)]),
                   PageResult(NEWS, [ListingPage(NEWS)]), PageResult(X, [ArticleDuplicate(X + "?p=1", X)]),
                   PageResult(Z, [PageFailure(Z, "http_500", status=500)]), PageResult(Z, [])]:
        pipeline.process_item(result)
    pipeline.close_spider()
    pipeline.archive.close()
    assert [stat(pipeline, f"newsarchive/pages/{outcome}_count") for outcome in
            ("article", "listing", "unchanged", "failure")] == [2, 1, 1, 2]


def test_an_archive_that_cannot_be_written_stops_the_crawl(tmp_path, caplog):
    pipeline = opened(tmp_path)
    with sqlite3.connect(tmp_path / "archive.db") as other:
        other.execute("DROP TABLE listings")  # a damaged archive: the file, not the page, is at fault
    pipeline.process_item(PageResult(X, [article(X)]))
    pipeline.process_item(PageResult(NEWS, [ListingPage(NEWS)]))
    with caplog.at_level(logging.DEBUG, logger="unit"):
        pipeline.close_spider()
    assert pipeline.crawler.engine.closed == ["archive_write_failed"]
    assert pipeline.closing.called  # the engine's closing is kept, not dropped
    error = stat(pipeline, "newsarchive/store/write_error")
    assert error.startswith("OperationalError: no such table: listings")
    assert pipeline.write_error == error
    # One line at ERROR; the traceback only at DEBUG.
    assert [(record.levelname, record.getMessage(), bool(record.exc_info)) for record in caplog.records] == [
        ("ERROR", f"cannot write to {tmp_path / 'archive.db'}: {error}; stopping the crawl", False),
        ("DEBUG", "the failed write:", True)]
    assert caplog.records[1].exc_info[0] is sqlite3.OperationalError
    # The whole batch was rolled back and nothing counted: the frontier fetches it again.
    assert rows(tmp_path, "SELECT count(*) FROM articles") == [(0,)]
    assert (pipeline.pending, stat(pipeline, "newsarchive/pages/article_count")) == ([], None)
    assert (stat(pipeline, "newsarchive/store/article_new_count"), pipeline.coverage["articles"]) == (None, 0)
    assert stat(pipeline, "newsarchive/pages/not_stored_count") == 2
    # Pages that reach the pipeline while the crawl stops are not written, nor said again: counted.
    caplog.clear()
    for url in (Y, Z, NEWS):
        pipeline.process_item(PageResult(url, [article(url)]))
    pipeline.flush()
    assert (caplog.records, pipeline.crawler.engine.closed) == ([], ["archive_write_failed"])
    assert stat(pipeline, "newsarchive/pages/not_stored_count") == 5
    assert rows(tmp_path, "SELECT count(*) FROM articles") == [(0,)]
    pipeline.archive.close()


def test_a_page_that_cannot_be_stored_becomes_its_failure_and_the_batch_goes_on(tmp_path):
    pipeline = opened(tmp_path)
    entry = FrontierEntry(Z, "article")
    pipeline.process_item(PageResult(X, [article(X), entry], discovered=[FrontierEntry(Y, "article")]))
    pipeline.process_item(PageResult(Y, [article(Y)]))
    pipeline.close_spider()
    pipeline.archive.close()
    # X's article went with its savepoint; Y, in the same batch, is stored.
    assert rows(tmp_path, "SELECT url FROM articles") == [(Y,)]
    (url, reason, detail, crawl_id, failed_at), = rows(tmp_path, "SELECT url, reason, detail, crawl_id, failed_at "
                                                                 "FROM failures")
    assert (url, reason, crawl_id, failed_at) == (X, "store_error", 1, rows(tmp_path, "SELECT first_seen_at FROM articles")[0][0])
    assert detail.startswith("store: TypeError: no way to store a FrontierEntry")
    # The failed page's discoveries went with it; its own entry is settled as a failure.
    assert rows(tmp_path, "SELECT url, outcome FROM frontier ORDER BY url") == [(X, "failure"), (Y, "article")]
    assert [stat(pipeline, name) for name in ("newsarchive/pages/failure_count", "newsarchive/pages/article_count",
                                              "newsarchive/store/failure_count", "newsarchive/store/failure_count/store_error",
                                              "newsarchive/store/article_new_count")] == [1, 1, 1, 1, 1]
    # X's article, rolled back, is not counted as stored: Y alone.
    assert (pipeline.coverage["articles"], pipeline.sources) == (1, Counter())


def test_a_page_that_is_not_the_story_is_its_failure_with_what_the_site_sent(tmp_path):
    pipeline = opened(tmp_path)
    dated = {"published_at": "opengraph", "body_text": "generic"}
    story = "The ferry left the old pier an hour late on Thursday as the tide turned and the harbour filled"
    pipeline.process_item(PageResult(X, [article(X, "Ferry late", story, published_at="2024-05-02", sources=dated)]))
    notice = Capture(X, "2026-01-01T10:00:00Z", 503, {}, {"Content-Type": ["text/html"]}, b"<p>Back soon</p>")
    pipeline.process_item(PageResult(X, [article(X, "Back soon", "Down for maintenance, back online shortly.")],
                                     capture=notice, discovered=[FrontierEntry(Y, "article")]))
    pipeline.close_spider()
    pipeline.archive.close()
    assert rows(tmp_path, "SELECT title, version_count FROM articles") == [("Ferry late", 1)]
    (url, reason, detail, status, crawl_id), = rows(tmp_path, "SELECT url, reason, detail, status, crawl_id FROM failures")
    assert (url, reason, status, crawl_id) == (X, "not_the_story", 503, 1)
    assert detail.startswith("the page no longer shows the story archived as article 1 ('Ferry late')")
    # The capture is kept (what the site sent instead), and the links it offered, as for any failure.
    assert rows(tmp_path, "SELECT crawl_id, url, status, kind FROM captures") == [(1, X, 503, "page")]
    assert rows(tmp_path, "SELECT url, outcome FROM frontier ORDER BY url") == [(X, "failure"), (Y, None)]
    assert [stat(pipeline, name) for name in ("newsarchive/pages/failure_count", "newsarchive/store/failure_count",
                                              "newsarchive/store/failure_count/not_the_story",
                                              "newsarchive/store/capture_response_count")] == [1, 1, 1, 1]
    assert pipeline.coverage["articles"] == 1  # the story, once


def test_without_captures_a_page_that_is_not_the_story_is_its_failure_all_the_same(tmp_path):
    pipeline = opened(tmp_path)
    dated = {"published_at": "opengraph"}
    pipeline.process_item(PageResult(X, [article(X, "Ferry late", "The ferry left late.", published_at="2024-05-02",
                                                 sources=dated)]))
    pipeline.process_item(PageResult(X, [article(X, "Back soon", "Down for maintenance.")]))
    pipeline.close_spider()
    pipeline.archive.close()
    assert rows(tmp_path, "SELECT reason, status FROM failures") == [("not_the_story", None)]
    assert rows(tmp_path, "SELECT count(*) FROM captures") == [(0,)]


def test_a_page_that_cannot_be_stored_keeps_no_capture(tmp_path):
    # Storing the capture may be what failed: its failure alone is written.
    pipeline = opened(tmp_path)
    capture = Capture(X, "2026-01-01T10:00:00Z", 200, {}, {"Content-Type": ["text/html"]}, b"<p>x</p>")
    pipeline.process_item(PageResult(X, [article(X), FrontierEntry(Z, "article")], capture=capture))
    pipeline.close_spider()
    pipeline.archive.close()
    assert rows(tmp_path, "SELECT reason FROM failures") == [("store_error",)]
    assert rows(tmp_path, "SELECT count(*) FROM captures") == [(0,)]


def test_the_frontier_gets_each_page_s_discoveries_and_settles_its_url(tmp_path):
    pipeline = opened(tmp_path)
    pipeline.process_item(PageResult(NEWS, [ListingPage(NEWS)], discovered=[
        FrontierEntry(X, "article", 1, {"stale": True}), FrontierEntry(Y, "article")]))
    pipeline.process_item(PageResult("", [PageFailure("", "bad_url")], discovered=[FrontierEntry(Z, "listing")]))
    pipeline.close_spider()
    pipeline.archive.close()
    seen_at = rows(tmp_path, "SELECT fetched_at FROM listings")[0][0]
    assert rows(tmp_path, "SELECT crawl_id, url, kind, priority, meta, discovered_at = ?, settled_at = ?, outcome "
                          "FROM frontier ORDER BY rowid", [seen_at, seen_at]) == [
        (1, X, "article", 1, '{"stale": true}', 1, None, None), (1, Y, "article", 0, None, 1, None, None),
        (1, NEWS, "", 0, None, 1, 1, "listing"), (1, Z, "listing", 0, None, 1, None, None)]  # no URL: nothing settled


def test_without_a_frontier_no_page_touches_it(tmp_path):
    pipeline = opened(tmp_path, NEWSARCHIVE_FRONTIER_ENABLED=False)
    pipeline.process_item(PageResult(NEWS, [ListingPage(NEWS)], discovered=[FrontierEntry(X, "article")]))
    pipeline.close_spider()
    pipeline.spider_closed(pipeline.crawler.spider, "finished")
    assert rows(tmp_path, "SELECT count(*) FROM frontier") == [(0,)]
    assert rows(tmp_path, "SELECT count(*) FROM failures") == [(0,)]


def test_every_record_kind_is_stored_and_counted(tmp_path):
    pipeline = opened(tmp_path)
    capture = Capture(X, "2026-01-01T10:00:00Z", 200, {}, {"Content-Type": ["text/html"]}, b"<p>x</p>")
    pipeline.process_item(PageResult(X, [article(X)], capture=capture))
    pipeline.process_item(PageResult(X, [article(X)], capture=capture))  # the same body: a revisit capture
    pipeline.process_item(PageResult(X, [article(X, body="Body two")]))
    pipeline.process_item(PageResult(X, [ArticleNotModified(X)]))
    pipeline.process_item(PageResult(Y, [ArticleNotModified(Y)]))  # a 304 for an article never stored
    pipeline.process_item(PageResult(X, [ArticleDuplicate(X + "?p=1", X)]))
    pipeline.process_item(PageResult(NEWS, [ListingPage(NEWS, "listing", 2, 5, 3)]))
    pipeline.process_item(PageResult(Z, [PageFailure(Z, "http_404", "Not Found", 404)]))
    pipeline.process_item(PageResult(Y, [PageFailure(Y, "http_404")]))
    pipeline.process_item(PageResult(Y, [PageFailure(Y, "timeout")]))
    pipeline.close_spider()
    pipeline.archive.close()
    counts = {name.removeprefix("newsarchive/store/"): value for name, value in pipeline.stats.get_stats().items()
              if name.startswith("newsarchive/store/")}
    assert counts == {"capture_response_count": 1, "capture_revisit_count": 1, "article_new_count": 1,
                      "article_unchanged_count": 1, "article_changed_count": 1, "article_not_modified_count": 1,
                      "article_unknown_304_count": 1, "failure_count/http_404": 2, "failure_count/timeout": 1,
                      "failure_count": 3}
    assert rows(tmp_path, "SELECT crawl_id, revisit_of FROM captures ORDER BY id") == [(1, None), (1, 1)]
    seen_at, = rows(tmp_path, "SELECT fetched_at FROM listings")[0]  # one batch: one time for every page
    assert rows(tmp_path, "SELECT url, first_seen_at = ? FROM article_urls ORDER BY url", [seen_at]) == [
        (X, 1), (X + "?p=1", 1)]
    assert rows(tmp_path, "SELECT first_crawl_id, last_crawl_id, last_seen_at = ? FROM articles", [seen_at]) == [(1, 1, 1)]
    assert rows(tmp_path, "SELECT crawl_id, url, kind, page, links, requested FROM listings") == [(1, NEWS, "listing", 2, 5, 3)]
    assert rows(tmp_path, "SELECT crawl_id, url, reason, detail, status, failed_at = ? FROM failures ORDER BY id",
                [seen_at]) == [(1, Z, "http_404", "Not Found", 404, 1), (1, Y, "http_404", None, None, 1),
                               (1, Y, "timeout", None, None, 1)]
    # Three visits after the first storing: the new version, the 304 and nothing else counted.
    assert rows(tmp_path, "SELECT article_id, visits, changes_found FROM revisits") == [(1, 3, 1)]


def test_a_revisit_that_found_a_change_is_counted(tmp_path):
    spider = Spider(name="unit")
    spider.revisit_urls = {X, Y}
    pipeline = opened(tmp_path, spider)
    pipeline.process_item(PageResult(X, [article(X)]))  # the first storing: no visit to compare
    pipeline.process_item(PageResult(Z, [article(Z)]))
    pipeline.flush()
    pipeline.process_item(PageResult(X, [article(X)]))  # a revisit, unchanged
    pipeline.process_item(PageResult(Z, [article(Z, body="Z changed")]))  # changed, but no revisit
    pipeline.flush()
    assert stat(pipeline, "newsarchive/revisit/changed_count") is None
    pipeline.process_item(PageResult(X, [article(X, body="X changed")]))  # a revisit that found a change
    pipeline.flush()
    assert stat(pipeline, "newsarchive/revisit/changed_count") == 1
    pipeline.process_item(PageResult(X, [ArticleNotModified(X)]))  # a 304 is no change
    pipeline.flush()
    assert stat(pipeline, "newsarchive/revisit/changed_count") == 1
    # A 304 in the batch that added a comment finds the change made at its own time.
    pipeline.process_item(PageResult(X, [article(X, body="X changed", comments=[Comment("new", 0, "c1")])]))
    pipeline.process_item(PageResult(X, [ArticleNotModified(X)]))
    pipeline.flush()
    assert stat(pipeline, "newsarchive/revisit/changed_count") == 3
    # Each record of a page is counted, not the page once: two changed versions in one page, then
    # a page of two 304s, each of which finds the change its batch made (as the 304 above did).
    pipeline.process_item(PageResult(X, [article(X, body="X again"), article(X, body="X once more")]))
    pipeline.flush()
    assert stat(pipeline, "newsarchive/revisit/changed_count") == 5
    pipeline.process_item(PageResult(X, [article(X, body="X once more", comments=[Comment("again", 0, "c2")])]))
    pipeline.process_item(PageResult(X, [ArticleNotModified(X), ArticleNotModified(X)]))
    pipeline.flush()
    assert stat(pipeline, "newsarchive/revisit/changed_count") == 8
    pipeline.archive.close()


def test_a_page_under_a_new_url_is_a_visit_of_the_article_its_canonical_names(tmp_path):
    pipeline = opened(tmp_path)
    pipeline.process_item(PageResult(X, [article(X)]))
    pipeline.flush()
    pipeline.process_item(PageResult(X + "?amp=1", [article(X + "?amp=1", canonical_url=X)]))
    pipeline.close_spider()
    pipeline.archive.close()
    assert rows(tmp_path, "SELECT article_id, visits, changes_found FROM revisits") == [(1, 1, 0)]
    assert rows(tmp_path, "SELECT url, article_id FROM article_urls ORDER BY url") == [(X, 1), (X + "?amp=1", 1)]


# closing ------------------------------------------------------------------------------------

def test_coverage_shares_and_sources(tmp_path):
    pipeline = opened(tmp_path)
    assert pipeline.coverage_report() == {"articles": 0, "sources": {},
                                          "share": {"byline": None, "date": None, "photo": None, "comments": None}}
    pipeline.process_item(PageResult(X, [article(X, authors=[Byline("A", "A", 0)], photos=[Photo("p", 0)],
                                                 comments=[Comment("c", 0)], sources={"title": "profile"})]))
    pipeline.process_item(PageResult(Y, [article(Y, published_at="2026-01-01", comment_count=4,
                                                 sources={"title": "profile", "date": "jsonld"})]))
    pipeline.process_item(PageResult(Z, [article(Z)]))
    pipeline.close_spider()
    pipeline.archive.close()
    assert pipeline.coverage_report() == {
        "articles": 3, "share": {"byline": 0.3333, "date": 0.3333, "photo": 0.3333, "comments": 0.6667},
        "sources": {"date:jsonld": 1, "title:profile": 2}}
    assert list(pipeline.coverage_report()["sources"]) == ["date:jsonld", "title:profile"]  # sorted


FIGURES = {  # a stat each, every value different, so that no column can take another's
    "downloader/request_count": 101, "downloader/response_count": 102, "item_scraped_count": 103,
    "newsarchive/pages/received_count": 104, "newsarchive/pages/listing_count": 105,
    "newsarchive/pages/unchanged_count": 106, "newsarchive/store/article_new_count": 107,
    "newsarchive/store/article_changed_count": 108, "newsarchive/store/article_not_modified_count": 11,
    "newsarchive/store/article_unchanged_count": 13, "newsarchive/refresh/skipped_count": 109,
    "newsarchive/revisit/requested_count": 110, "newsarchive/revisit/changed_count": 111,
    "newsarchive/dedupe/duplicate_count": 112, "newsarchive/store/failure_count": 113,
}
FIGURE_COLUMNS = ("finish_reason, requests, responses, items, pages, listings, unchanged, articles_stored, articles_new, "
                  "articles_changed, articles_not_modified, articles_skipped, revisits, revisits_changed, duplicates, "
                  "failures, coverage")


def test_the_crawl_row_gets_every_figure_at_the_end(tmp_path):
    pipeline = opened(tmp_path)
    pipeline.process_item(PageResult(X, [article(X, authors=[Byline("A", "A", 0)])]))
    pipeline.close_spider()
    for name, value in FIGURES.items():
        pipeline.stats.set_value(name, value)
    pipeline.stats.set_value("newsarchive/render/rendered_count", 2)  # pages rendered: kept with the coverage
    pipeline.spider_closed(pipeline.crawler.spider, "closespider_pagecount")
    assert pipeline.archive is None
    *figures, coverage = rows(tmp_path, f"SELECT {FIGURE_COLUMNS} FROM crawls")[0]
    assert figures == ["closespider_pagecount", 101, 102, 103, 104, 105, 106, 1, 107, 108, 24, 109, 110, 111, 112, 113]
    coverage = json.loads(coverage)
    assert (coverage.pop("rendering")["rendered"], coverage) == (
        2, {"articles": 1, "share": {"byline": 1.0, "comments": 0.0, "date": 0.0, "photo": 0.0}, "sources": {}})
    started_at, finished_at = rows(tmp_path, "SELECT started_at, finished_at FROM crawls")[0]
    assert started_at <= finished_at and finished_at.endswith("Z") and len(finished_at) == len(started_at)


@pytest.mark.parametrize(("texts", "said"), [
    # (title, body) of each page stored; what the crawl says of the commonest
    ([("Back soon", "Down")] * 3, (3, 3, "Back soon")),  # the fewest it speaks of
    ([("Back soon", "Down")] * 3 + [("A", "a"), ("B", "b")], (3, 5, "Back soon")),
    ([("Back soon", "Down")] * 2, None),  # too few
    ([("Back soon", "Down")] * 3 + [("A", "a"), ("B", "b"), ("C", "c")], None),  # half, not most
    ([("Back soon", "Down")] * 2 + [("Back soon", "Other")], None),  # the same title, other texts
])
def test_a_crawl_that_stored_one_text_under_most_urls_says_so(tmp_path, caplog, texts, said):
    pipeline = opened(tmp_path)
    urls = [f"https://d.example/{n}" for n in range(len(texts))]
    for url, (title, body) in zip(urls, texts, strict=True):
        pipeline.process_item(PageResult(url, [article(url, title, body)]))
    pipeline.process_item(PageResult(NEWS, [ListingPage(NEWS)]))  # no article: nothing to count
    pipeline.close_spider()
    with caplog.at_level(logging.WARNING):
        pipeline.spider_closed(pipeline.crawler.spider, "finished")
    figures = tuple(stat(pipeline, f"newsarchive/store/one_text_{name}") for name in ("count", "stored", "title"))
    assert figures == (said or (None, None, None))
    warnings = [record.getMessage() for record in caplog.records if record.levelno == logging.WARNING]
    assert warnings == ([f"{said[0]} of the {said[1]} articles stored have one title and text, 'Back soon': a "
                         "maintenance, block or consent page, or a page its scripts fill (then --render always)"]
                        if said else [])


LINKED = ["https://d.example/story", "https://d.example/story?itm_source=top", "https://d.example/story?from=most-read"]
DATED = {"published_at": "2026-12-05", "sources": {"published_at": "jsonld"}}


@pytest.mark.parametrize(("urls", "date", "said"), [
    (LINKED, DATED, None),  # one story a listing links three ways: no wall, the crawl archived it
    (LINKED, {}, (3, 3, "Story")),  # a page that states no date: a page its scripts fill, maybe
    (LINKED, {"published_at": "2026-12-05", "sources": {"published_at": "url"}}, (3, 3, "Story")),  # the URL's date
    ([f"https://d.example/{n}" for n in range(3)], DATED, (3, 3, "Story")),  # three stories' URLs
])
def test_one_dated_story_under_urls_of_one_page_is_no_page_under_many_urls(tmp_path, caplog, urls, date, said):
    pipeline = opened(tmp_path)
    for url in urls:
        pipeline.process_item(PageResult(url, [article(url, "Story", "The text of the story.", **date)]))
    pipeline.close_spider()
    with caplog.at_level(logging.WARNING):
        pipeline.spider_closed(pipeline.crawler.spider, "finished")
    figures = tuple(stat(pipeline, f"newsarchive/store/one_text_{name}") for name in ("count", "stored", "title"))
    assert figures == (said or (None, None, None))


@pytest.mark.parametrize("batch_size", [1, 100])
def test_the_crawl_keeps_the_titles_of_texts_met_again_only(tmp_path, caplog, batch_size):
    """A million stories kept a million titles for note_one_text, which reads one of a text met
    three times at least. Each text is met in a batch of its own, or all in one."""
    pipeline = opened(tmp_path, NEWSARCHIVE_STORE_BATCH_SIZE=batch_size)
    texts = [("Back soon", "Down"), ("A", "a"), ("Back soon", "Down"), ("B", "b"), ("A", "a"), ("Back soon", "Down")]
    for number, (title, body) in enumerate(texts):
        url = f"https://d.example/{number}"
        pipeline.process_item(PageResult(url, [article(url, title, body)]))
    pipeline.close_spider()
    with caplog.at_level(logging.WARNING):
        pipeline.spider_closed(pipeline.crawler.spider, "finished")
    assert sorted(pipeline.titles.values()) == ["A", "Back soon"]  # not "B", met once
    assert sorted(pipeline.texts.values()) == [1, 2, 3]
    assert stat(pipeline, "newsarchive/store/one_text_title") is None  # 3 of 6: half, not most


def test_a_crawl_that_meets_the_one_page_again_unchanged_says_so_and_keeps_it_to_ask_again(tmp_path, caplog):
    """The next crawl asks for the pages again (spiders adopt them from the frontier); a wall that
    is still up is met unchanged, and counted, so the crawl after asks again too."""
    urls = [f"https://d.example/{n}" for n in range(3)]
    for crawl_number in (1, 2):
        pipeline = opened(tmp_path)
        pipeline.process_item(PageResult(NEWS, [ListingPage(NEWS)], discovered=[FrontierEntry(url, "article") for url in urls]))
        for url in urls:
            pipeline.process_item(PageResult(url, [article(url, "Back soon", "Down")]))
        pipeline.close_spider()
        with caplog.at_level(logging.WARNING):
            pipeline.spider_closed(pipeline.crawler.spider, "finished")
        assert stat(pipeline, f"newsarchive/store/article_{'new' if crawl_number == 1 else 'unchanged'}_count") == 3
        assert (stat(pipeline, "newsarchive/store/one_text_count"), stat(pipeline, "newsarchive/store/one_text_stored"),
                stat(pipeline, "newsarchive/store/one_text_kept_count")) == (3, 3, 3)
        assert stat(pipeline, "newsarchive/pages/kept_for_retry_count") == 0  # no page failed
        assert rows(tmp_path, "SELECT url, settled_at FROM frontier ORDER BY url") == [(url, None) for url in urls]
        with sqlite3.connect(tmp_path / "archive.db") as db:  # what the next crawl's spider does: adopt them
            db.execute("DELETE FROM frontier")


@pytest.mark.parametrize("reason", ["finished", "shutdown"])  # a finished crawl counts its lost requests
def test_a_crawl_without_figures_counts_zeros(tmp_path, reason):
    pipeline = opened(tmp_path)
    pipeline.spider_closed(pipeline.crawler.spider, reason)
    assert pipeline.archive is None
    assert rows(tmp_path, f"SELECT {FIGURE_COLUMNS} FROM crawls") == [
        (reason, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
         json.dumps({"articles": 0, "share": dict.fromkeys(["byline", "comments", "date", "photo"]), "sources": {}},
                    sort_keys=True))]


def test_a_finished_crawl_turns_its_pending_requests_into_failures(tmp_path):
    pipeline = opened(tmp_path)
    pipeline.stats.set_value("newsarchive/store/failure_count", 5)
    pipeline.process_item(PageResult(NEWS, [ListingPage(NEWS)], discovered=[FrontierEntry(X, "article"),
                                                                            FrontierEntry(Y, "article")]))
    pipeline.spider_closed(pipeline.crawler.spider, "finished")  # flushes the page first
    assert (stat(pipeline, "newsarchive/pages/not_fetched_count"), stat(pipeline, "newsarchive/store/failure_count")) == (2, 7)
    assert rows(tmp_path, "SELECT f.url, f.reason, f.failed_at >= c.started_at FROM failures f JOIN crawls c "
                          "ON c.id = f.crawl_id ORDER BY f.url") == [(X, "not_fetched", 1), (Y, "not_fetched", 1)]
    assert rows(tmp_path, "SELECT failures, finish_reason FROM crawls") == [(7, "finished")]
    assert rows(tmp_path, "SELECT count(*) FROM frontier") == [(0,)]


def test_a_crawl_whose_end_cannot_be_written_says_so_in_one_line_and_closes_the_archive(tmp_path, caplog):
    pipeline = opened(tmp_path)
    pipeline.process_item(PageResult(X, [article(X)]))
    pipeline.flush()
    pipeline.archive.conn.execute("PRAGMA query_only = ON")  # as a file turned read-only would refuse the write
    with caplog.at_level(logging.ERROR):
        pipeline.spider_closed(pipeline.crawler.spider, "finished")  # raises nothing into Scrapy's signal
    assert pipeline.archive is None
    error = stat(pipeline, "newsarchive/store/write_error")
    assert error.startswith("OperationalError: attempt to write a readonly database")
    assert [(record.levelname, record.getMessage()) for record in caplog.records] == [
        ("ERROR", f"cannot record the end of crawl 1 in {tmp_path / 'archive.db'}: {error}; its row stays "
                  "unfinished, and the next crawl of the site takes it over")]
    assert rows(tmp_path, "SELECT count(*) FROM articles") == [(1,)]  # what the crawl stored stays


def test_after_a_write_error_the_end_that_cannot_be_written_is_a_warning(tmp_path, caplog):
    """The crawl stopped on a write error (said as an error, once); its end refused by the same
    file is a consequence of it, not a second error."""
    pipeline = opened(tmp_path)
    pipeline.archive.conn.execute("PRAGMA query_only = ON")
    pipeline.process_item(PageResult(X, [article(X)]))
    with caplog.at_level(logging.WARNING):
        pipeline.flush()
        pipeline.spider_closed(pipeline.crawler.spider, "archive_write_failed")
    assert [record.levelname for record in caplog.records] == ["ERROR", "WARNING"]
    assert caplog.records[0].getMessage().startswith(f"cannot write to {tmp_path / 'archive.db'}: OperationalError: ")
    assert caplog.records[1].getMessage().startswith("cannot record the end of crawl 1 in ")
    assert rows(tmp_path, "SELECT finish_reason, pages FROM crawls") == [(None, None)]


def test_a_crawl_that_did_not_finish_keeps_its_frontier(tmp_path):
    pipeline = opened(tmp_path)
    pipeline.process_item(PageResult(NEWS, [ListingPage(NEWS)], discovered=[FrontierEntry(X, "article")]))
    pipeline.spider_closed(pipeline.crawler.spider, "shutdown")
    assert stat(pipeline, "newsarchive/pages/not_fetched_count") is None
    assert rows(tmp_path, "SELECT url, settled_at IS NULL FROM frontier ORDER BY url") == [(NEWS, 0), (X, 1)]
    assert rows(tmp_path, "SELECT count(*) FROM failures") == [(0,)]


def test_articles_of_one_text_on_one_page_each_count():
    from newsarchive.pipelines.store import Tally

    tally = Tally()
    for url in (X, Y, Z):
        tally.count_text(article(url, "Back soon", "Down"))
    assert (list(tally.texts.values()), list(tally.titles.values())) == ([3], ["Back soon"])
