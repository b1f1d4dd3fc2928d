"""A page's body hashed and compressed by the parser worker that holds it (items.StoredBody), not on
the reactor's thread: what the worker hands back is the body the archive stores, byte for byte;
it is used only for the very body it was made from; a page that kills its worker still gets its
body stored, by the store itself."""

from __future__ import annotations

import asyncio
import hashlib
import sqlite3
import zlib

from scrapy import Request
from scrapy.http import HtmlResponse

from newsarchive.archive import open_archive
from newsarchive.archive.store import start_crawl, store_capture
from newsarchive.items import Article, Capture, PageFailure, StoredBody
from newsarchive.middlewares.pageresult import STORED_BODY_META, capture_of
from newsarchive.workers import ParseJob, ParserPool, run_job_storing_body
from tests.test_workers_mutants import FAULTY, PAGE


def test_stored_body_is_the_body_s_size_sha256_and_zlib_stream():
    stored = StoredBody.of(PAGE)
    assert stored.size == len(PAGE)
    assert stored.digest == "sha256:" + hashlib.sha256(PAGE).hexdigest()
    assert zlib.decompress(stored.compressed) == PAGE
    assert len(stored.compressed) < len(PAGE) / 4  # compressed indeed: the repeated prose shrinks


def test_a_worker_returns_the_record_and_the_stored_body_of_the_page_it_parsed():
    pool = ParserPool(1, 2, "newsarchive.parsers.parse_page")
    try:
        record, stored = asyncio.run(pool.parse_storing_body(
            ParseJob("https://example.org/2024/05/01/story", PAGE, "text/html", "article")))
    finally:
        pool.close()
    assert isinstance(record, Article) and record.title == "A story"
    assert stored == StoredBody.of(PAGE)


def test_a_page_that_kills_its_worker_twice_is_a_failure_with_no_stored_body():
    pool = ParserPool(1, 2, FAULTY)
    try:
        record, stored = asyncio.run(pool.parse_storing_body(ParseJob("https://example.org/crash-me", PAGE,
                                                                      "text/html", "article")))
    finally:
        pool.close()
    assert isinstance(record, PageFailure) and record.reason == "parse_error"
    assert stored is None


def test_a_parse_error_still_stores_the_body():
    record, stored = run_job_storing_body(FAULTY, ParseJob("https://example.org/raise-me", PAGE, "text/html",
                                                           "article"))
    assert isinstance(record, PageFailure)
    assert stored == StoredBody.of(PAGE)


def response_with(body: bytes, stash_own_body: bool) -> HtmlResponse:
    request = Request("https://example.org/a")
    response = HtmlResponse("https://example.org/a", body=body, request=request)
    made_from = response.body if stash_own_body else bytes(bytearray(body))  # equal bytes, another object
    request.meta[STORED_BODY_META] = (made_from, StoredBody.of(made_from))
    return response


def test_a_capture_takes_the_stored_body_made_from_its_own_body_only():
    assert capture_of(response_with(PAGE, stash_own_body=True)).stored == StoredBody.of(PAGE)
    # The same bytes in another object (another response's body, come with a copy of its meta): not taken.
    assert capture_of(response_with(PAGE, stash_own_body=False)).stored is None
    bare = HtmlResponse("https://example.org/b", body=PAGE, request=Request("https://example.org/b"))
    assert capture_of(bare).stored is None


def stored_row(tmp_path, capture: Capture) -> tuple:
    archive = open_archive(tmp_path / "archive.db")
    with archive.write() as db:
        crawl_id = start_crawl(db, None, "generic", {}, "2026-03-01T00:00:00Z")
        store_capture(db, capture, crawl_id)
    archive.close()
    with sqlite3.connect(tmp_path / "archive.db") as db:
        return db.execute("SELECT body, body_digest, body_size FROM captures").fetchone()


def capture(body: bytes, stored: StoredBody | None) -> Capture:
    return Capture("https://example.org/a", "2026-03-01T00:00:00Z", 200, {}, {}, body, stored=stored)


def test_the_store_writes_what_the_worker_made_without_making_it_again(tmp_path):
    # A stand-in made by "the worker" (a different but valid zlib stream): the store writes it as is.
    made = StoredBody(len(PAGE), "sha256:" + hashlib.sha256(PAGE).hexdigest(), zlib.compress(PAGE, 1))
    body, digest, size = stored_row(tmp_path, capture(PAGE, made))
    assert (body, digest, size) == (made.compressed, made.digest, len(PAGE))
    assert zlib.decompress(body) == PAGE


def test_the_store_makes_the_stored_body_itself_without_one_or_when_the_size_disagrees(tmp_path):
    expected = StoredBody.of(PAGE)
    assert stored_row(tmp_path / "none", capture(PAGE, None)) == (expected.compressed, expected.digest, len(PAGE))
    wrong = StoredBody(len(PAGE) - 1, "sha256:0", b"not zlib")
    assert stored_row(tmp_path / "wrong", capture(PAGE, wrong)) == (expected.compressed, expected.digest, len(PAGE))
