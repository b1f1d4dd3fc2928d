"""The page-result middleware (newsarchive/middlewares/pageresult.py) inside Scrapy's own spider
middleware manager, in the test's process: every response ends as one PageResult, whatever its
callback did (gave records, gave nothing, raised before or after its first output), keyed by the
URL the crawl requested, with the requests it led to and the response captured."""

from __future__ import annotations

import asyncio
import re

import pytest
import scrapy
from scrapy.core.spidermw import SpiderMiddlewareManager
from scrapy.http import HtmlResponse, Request
from scrapy.utils.test import get_crawler

from newsarchive.items import Article, FrontierEntry, ListingPage, PageFailure, PageResult
from newsarchive.middlewares.pageresult import FRONTIER_META, PageResultSpiderMiddleware, capture_of, page_result

MIDDLEWARE = "newsarchive.middlewares.pageresult.PageResultSpiderMiddleware"
PAGE = "http://127.0.0.1:8000/news/a-story"


class PlainSpider(scrapy.Spider):
    name = "plain"


def manager(capture: bool = True) -> SpiderMiddlewareManager:
    """Scrapy's spider middleware manager with ours alone (Scrapy's own ones would only filter)."""
    crawler = get_crawler(PlainSpider, {"SPIDER_MIDDLEWARES_BASE": {}, "SPIDER_MIDDLEWARES": {MIDDLEWARE: 990},
                                        "NEWSARCHIVE_CAPTURE_ENABLED": capture})
    crawler.spider = PlainSpider.from_crawler(crawler)
    return SpiderMiddlewareManager.from_crawler(crawler)


def scrape(callback_output, request: Request | None = None, response_url: str = PAGE, status: int = 200,
           capture: bool = True) -> tuple[list, SpiderMiddlewareManager]:
    """What the engine receives of one response whose callback gives `callback_output(response)`."""
    request = request or Request(PAGE)
    response = HtmlResponse(response_url, status=status, body=b"<html><p>Hi</p></html>", request=request,
                            headers={"Content-Type": "text/html; charset=utf-8"})
    mw = manager(capture)

    async def scrape_func(response, request):
        return callback_output(response)

    async def run():
        chain = await mw.scrape_response_async(scrape_func, response, request)
        return [output async for output in chain]

    return asyncio.run(run()), mw


def ours(mw: SpiderMiddlewareManager) -> PageResultSpiderMiddleware:
    return next(middleware for middleware in mw.middlewares if isinstance(middleware, PageResultSpiderMiddleware))


def stats(mw: SpiderMiddlewareManager) -> dict:
    return mw.crawler.stats.get_stats()


def only_result(outputs: list) -> PageResult:
    results = [output for output in outputs if isinstance(output, PageResult)]
    assert len(results) == 1 and outputs[-1] is results[0]  # one, and last
    return results[0]


def test_records_of_a_page_become_one_page_result_with_the_response_captured():
    async def callback(response):
        yield Article(url=response.url, title="A story")

    outputs, mw = scrape(callback)
    result = only_result(outputs)
    assert [type(record) for record in result.records] == [Article]
    assert result.url == PAGE and result.discovered == [] and result.request_fingerprint is None
    capture = result.capture
    assert (capture.url, capture.status, capture.body) == (PAGE, 200, b"<html><p>Hi</p></html>")
    assert capture.response_headers == {"Content-Type": ["text/html; charset=utf-8"]}
    assert capture.fetched_at.endswith("Z")
    assert stats(mw)["newsarchive/pages/received_count"] == 1


def test_an_exception_after_the_first_record_is_a_failure_kept_beside_it():
    async def callback(response):
        yield Article(url=response.url, title="A story")
        raise ValueError("the layer broke")

    outputs, mw = scrape(callback)
    result = only_result(outputs)
    article, failure = result.records
    assert isinstance(article, Article)
    assert (failure.url, failure.reason, failure.status) == (PAGE, "parse_error", 200)
    assert re.fullmatch(r"ValueError: the layer broke \(in \S*test_pageresult_middleware\.py, callback, line \d+\)",
                        failure.detail)
    assert stats(mw)["newsarchive/parse_error/ValueError"] == 1
    assert result.capture is not None  # the page the exception came from is kept too


def test_an_exception_before_any_output_is_the_page_failure():
    async def callback(response):
        raise KeyError("title")
        yield  # an async generator that raises on its first step

    outputs, mw = scrape(callback, status=203)
    result = only_result(outputs)
    assert len(result.records) == 1
    failure = result.records[0]
    assert (failure.reason, failure.status) == ("parse_error", 203)
    assert failure.detail.startswith("KeyError: 'title'")
    assert result.capture.status == 203 and result.discovered == []
    assert stats(mw)["newsarchive/parse_error/KeyError"] == 1


def test_a_callback_raising_before_it_returns_an_iterable_is_the_page_failure():
    def callback(response):
        raise RuntimeError("no iterable")

    outputs, mw = scrape(callback)
    result = only_result(outputs)
    failure, = result.records
    assert (failure.url, failure.reason, result.discovered) == (PAGE, "parse_error", [])
    assert failure.detail.startswith("RuntimeError: no iterable")
    assert stats(mw)["newsarchive/pages/received_count"] == 1


def test_a_callback_that_gives_no_record_is_a_failure_saying_so():
    async def callback(response):
        return
        yield

    outputs, _ = scrape(callback)
    assert only_result(outputs).records == [
        PageFailure(PAGE, "no_record", "the spider gave no record for this page")]


def test_requests_go_on_to_the_scheduler_and_their_entries_are_the_pages_discoveries():
    first = FrontierEntry("http://127.0.0.1:8000/news/one", "article", 0)
    second = FrontierEntry("http://127.0.0.1:8000/news/page/2", "listing", 10, {"page": 2})
    untracked = Request("http://127.0.0.1:8000/robots.txt")

    async def callback(response):
        yield Request(first.url, meta={FRONTIER_META: first})
        yield untracked  # a request made outside follow() has no entry: passed on, not noted
        yield Request(second.url, meta={FRONTIER_META: second})
        yield ListingPage(response.url, links=5)

    outputs, _ = scrape(callback)
    assert [output.url for output in outputs[:3]] == [first.url, untracked.url, second.url]
    result = only_result(outputs)
    assert result.discovered == [first, second]
    listing = result.records[0]
    assert (listing.links, listing.requested) == (5, 2)


def test_the_page_is_keyed_by_its_frontier_entry_not_where_a_redirect_led():
    entry = FrontierEntry(PAGE, "article")
    request = Request("http://127.0.0.1:8000/moved", meta={FRONTIER_META: entry, "newsarchive_fingerprint": "f1"})

    async def callback(response):
        yield Article(url=response.url, title="A story")

    outputs, _ = scrape(callback, request=request, response_url="http://127.0.0.1:8000/moved")
    result = only_result(outputs)
    assert (result.url, result.capture.url, result.request_fingerprint) == (
        PAGE, "http://127.0.0.1:8000/moved", "f1")


def test_without_an_entry_the_page_is_keyed_by_the_first_url_of_its_redirects():
    request = Request("http://127.0.0.1:8000/b", meta={"redirect_urls": ["http://127.0.0.1:8000/a",
                                                                        "http://127.0.0.1:8000/b"]})

    async def callback(response):
        return
        yield

    outputs, _ = scrape(callback, request=request, response_url="http://127.0.0.1:8000/b")
    result = only_result(outputs)
    assert result.url == "http://127.0.0.1:8000/a"
    assert result.records[0].url == "http://127.0.0.1:8000/a"


def test_an_errback_result_is_passed_on_with_the_response_it_refused_captured():
    refused = PageResult(PAGE, [PageFailure(PAGE, "http_404", "Not Found", 404)])

    async def callback(response):
        yield refused
        yield Article(url=response.url, title="never read")  # nothing after the page's own result

    outputs, _ = scrape(callback, status=404)
    assert outputs == [refused]
    assert (refused.capture.status, refused.capture.url) == (404, PAGE)
    assert refused.records == [PageFailure(PAGE, "http_404", "Not Found", 404)]


def test_an_errback_result_that_has_its_capture_keeps_it():
    own = PageResult(PAGE, [PageFailure(PAGE, "http_500")])
    own.capture = marker = object()

    async def callback(response):
        yield own

    outputs, _ = scrape(callback, status=500)
    assert outputs == [own] and own.capture is marker


@pytest.mark.parametrize("raises", [False, True])
def test_with_captures_off_no_response_is_captured(raises):
    async def callback(response):
        if raises:
            raise ValueError("x")
        yield Article(url=response.url, title="A story")

    refused = PageResult(PAGE, [PageFailure(PAGE, "http_404")])

    async def errback_like(response):
        yield refused

    outputs, _ = scrape(callback, capture=False)
    assert only_result(outputs).capture is None
    scrape(errback_like, capture=False)
    assert refused.capture is None


def test_request_headers_are_captured_as_sent():
    request = Request(PAGE, headers={"If-None-Match": '"v1"'})

    async def callback(response):
        yield Article(url=response.url, title="A story")

    outputs, _ = scrape(callback, request=request)
    assert only_result(outputs).capture.request_headers == {"If-None-Match": ['"v1"']}


@pytest.mark.parametrize("raises", [False, True])
def test_nothing_of_a_page_is_held_once_its_result_is_out(raises):
    async def callback(response):
        yield Article(url=response.url, title="A story")
        if raises:
            raise ValueError("x")

    _, mw = scrape(callback)
    assert ours(mw).reading == {}  # a crawl of a million pages would keep a million lists


def test_a_page_result_without_a_request_keys_nothing_and_says_so():
    # A start URL refused before any request was made (spiders/base.py, start).
    crawler = get_crawler(PlainSpider)
    refused = PageFailure("http://10.0.0.1/", "refused_private_host", "an internal address")
    result = page_result(None, [refused], [], None, crawler.stats)
    assert (result.url, result.records, result.request_fingerprint, result.capture) == ("", [refused], None, None)
    assert page_result(None, [], [], None, crawler.stats).records == [PageFailure("", "no_record",
                                                                                  "the spider gave no record for this page")]


def test_a_response_without_its_request_is_captured_without_request_headers():
    response = HtmlResponse(PAGE, status=200, body=b"x", headers={"Server": "t"})
    capture = capture_of(response)
    assert (capture.request_headers, capture.response_headers, capture.body) == ({}, {"Server": ["t"]}, b"x")
