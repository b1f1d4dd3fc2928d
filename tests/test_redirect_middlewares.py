"""The downloader middlewares that keep a redirect or an oversized body from losing a page without
its reason (newsarchive/middlewares/redirect.py, compression.py), in the test's own process with a
real crawler: HTTP and meta-refresh redirects that loop, leave the crawl's origins or lead to a
page already fetched; a gzip body that inflates past DOWNLOAD_MAXSIZE. The same cases in a crawl
are in tests/test_crawl_faults.py and tests/test_crash_safety.py."""

from __future__ import annotations

import gzip
import logging
import re

import pytest
from scrapy import Request, Spider
from scrapy.http import HtmlResponse, Response
from scrapy.utils.test import get_crawler
from twisted.python.failure import Failure

from newsarchive.demo.serve import BAD_GZIP_BODY
from newsarchive.failures import OffsiteRedirect, RedirectLoop, ResponseTooLarge, UnfollowableRedirect, describe_failure
from newsarchive.middlewares.compression import SizeCheckedCompressionMiddleware
from newsarchive.middlewares.redirect import (
    REFRESH_HEAD_BYTES,
    START_MOVED_STAT,
    LoopAwareMetaRefreshMiddleware,
    LoopAwareRedirectMiddleware,
    page_head,
)
from newsarchive.scope import Scope

SITE = "http://127.0.0.1:8000"


def middleware(kind, **settings):
    crawler = get_crawler(Spider, {"REDIRECT_MAX_TIMES": 3, **settings})
    spider = Spider("test")
    spider.scope = Scope([f"{SITE}/news/"])
    crawler.spider = spider
    return kind.from_crawler(crawler)


def http_redirect(request: Request, to: str) -> Response:
    return Response(request.url, status=302, headers={"Location": to}, request=request)


def meta_refresh(request: Request, to: str) -> HtmlResponse:
    body = f"<html><head><meta http-equiv='refresh' content='0; url={to}'></head><body>Moved</body></html>"
    return HtmlResponse(request.url, body=body.encode(), request=request)


REDIRECTS = [(LoopAwareRedirectMiddleware, http_redirect), (LoopAwareMetaRefreshMiddleware, meta_refresh)]


@pytest.mark.parametrize(("kind", "answer"), REDIRECTS)
def test_a_redirect_to_itself_is_a_loop_at_once(kind, answer):
    request = Request(f"{SITE}/a")
    with pytest.raises(RedirectLoop) as loop:
        middleware(kind).process_response(request, answer(request, f"{SITE}/a"))
    assert str(loop.value) == f"redirect loop: {SITE}/a -> {SITE}/a"


@pytest.mark.parametrize(("kind", "answer"), REDIRECTS)
def test_two_pages_that_redirect_to_each_other_are_a_loop_at_the_first_repeat(kind, answer):
    first = Request(f"{SITE}/a")
    followed = middleware(kind).process_response(first, answer(first, f"{SITE}/b"))
    assert (followed.url, followed.meta["redirect_urls"], followed.dont_filter) == (f"{SITE}/b", [f"{SITE}/a"], True)
    with pytest.raises(RedirectLoop) as loop:
        middleware(kind).process_response(followed, answer(followed, f"{SITE}/a"))
    assert str(loop.value) == f"redirect loop: {SITE}/a -> {SITE}/b -> {SITE}/a"


@pytest.mark.parametrize(("kind", "answer", "reason"), [(*REDIRECTS[0], 302), (*REDIRECTS[1], "meta refresh")])
def test_a_followed_redirect_keeps_its_reason(kind, answer, reason):
    request = Request(f"{SITE}/a")
    assert middleware(kind).process_response(request, answer(request, f"{SITE}/b")).meta["redirect_reasons"] == [reason]


def test_a_spider_without_a_scope_follows_any_origin():
    crawler = get_crawler(Spider)
    crawler.spider = Spider("plain")  # a Scrapy spider of the project's users: no `scope`
    request = Request(f"{SITE}/a")
    followed = LoopAwareRedirectMiddleware.from_crawler(crawler).process_response(
        request, http_redirect(request, "http://127.0.0.1:9000/story"))
    assert followed.url == "http://127.0.0.1:9000/story"


@pytest.mark.parametrize(("kind", "answer"), REDIRECTS)
def test_a_redirect_out_of_the_crawl_s_origins_is_not_followed(kind, answer):
    request = Request(f"{SITE}/a")
    with pytest.raises(OffsiteRedirect) as offsite:
        middleware(kind).process_response(request, answer(request, "http://127.0.0.1:9000/story"))
    assert str(offsite.value) == (f"redirect out of the crawl's scope (http://127.0.0.1:8000): "
                                  f"{SITE}/a -> http://127.0.0.1:9000/story")


@pytest.mark.parametrize(("kind", "answer"), REDIRECTS)
def test_a_start_url_that_redirects_to_another_origin_says_where_to_crawl(kind, answer, caplog):
    moving = middleware(kind)
    moving.crawler.spider.start_urls = [f"{SITE}/news/"]
    moving.crawler.stats.open_spider()
    elsewhere = Request(f"{SITE}/a")  # not a start URL: its failure row says where it went, no more
    with pytest.raises(OffsiteRedirect):
        moving.process_response(elsewhere, answer(elsewhere, "http://127.0.0.1:9000/a"))
    assert moving.crawler.stats.get_value(START_MOVED_STAT) is None
    start = Request(f"{SITE}/news/")
    with caplog.at_level(logging.WARNING), pytest.raises(OffsiteRedirect):
        moving.process_response(start, answer(start, "http://www.example.org/news/"))
    assert [record.getMessage() for record in caplog.records] == [
        f"the start URL {SITE}/news/ redirects to http://www.example.org/news/, another origin, which this crawl "
        f"does not follow: to archive that site, crawl http://www.example.org/news/"]
    assert moving.crawler.stats.get_value(START_MOVED_STAT) == f"{SITE}/news/ -> http://www.example.org/news/"
    # Asked again (a retry), where it went first is kept.
    moving.crawler.spider.start_urls.append(f"{SITE}/sport/")
    second = Request(f"{SITE}/sport/")
    with pytest.raises(OffsiteRedirect):
        moving.process_response(second, answer(second, "http://www.example.org/sport/"))
    assert moving.crawler.stats.get_value(START_MOVED_STAT) == f"{SITE}/news/ -> http://www.example.org/news/"


@pytest.mark.parametrize(("kind", "answer"), REDIRECTS)
def test_too_many_redirects_are_a_loop_too(kind, answer):
    request = Request(f"{SITE}/d", meta={"redirect_times": 3, "redirect_urls": [f"{SITE}/a", f"{SITE}/b", f"{SITE}/c"]})
    with pytest.raises(RedirectLoop) as loop:
        middleware(kind).process_response(request, answer(request, f"{SITE}/e"))
    assert str(loop.value) == f"max redirections reached: {SITE}/a -> {SITE}/b -> {SITE}/c -> {SITE}/d -> {SITE}/e"


def test_a_meta_refresh_after_a_long_delay_is_a_page_not_a_redirect():
    request = Request(f"{SITE}/a")
    page = HtmlResponse(request.url, body=b"<meta http-equiv='refresh' content='600; url=/a'><p>Live</p>", request=request)
    assert middleware(LoopAwareMetaRefreshMiddleware).process_response(request, page) is page


# --- a refresh read from the page's head alone ----------------------------------------------------

def long_page(request: Request, head: str, filler: str = "é") -> HtmlResponse:
    """A page in UTF-8 that names no charset, whose text runs far past the head the refresh is
    read from; its one byte "x" puts the 16,384th byte in the middle of a two-byte "é"."""
    body = f"<html><head>{head}</head><body>x{filler * 20_000}</body></html>".encode()
    return HtmlResponse(request.url, body=body, request=request)


def test_a_long_page_s_refresh_is_followed_from_its_head():
    request = Request(f"{SITE}/a")
    page = long_page(request, "<meta http-equiv='refresh' content='0; url=/café'>")
    assert len(page.body) > 2 * REFRESH_HEAD_BYTES
    followed = middleware(LoopAwareMetaRefreshMiddleware).process_response(request, page)
    # Cut inside an "é", the head would be guessed to be in another encoding than UTF-8, and the
    # URL would be read as other characters.
    assert followed.url == f"{SITE}/caf%C3%A9"


def test_a_long_page_s_charset_named_in_its_header_reads_its_refresh():
    request = Request(f"{SITE}/a")
    body = ("<html><head><meta http-equiv='refresh' content='0; url=/новости'></head><body>"
            + "п" * 40_000 + "</body></html>").encode("windows-1251")
    page = HtmlResponse(request.url, body=body, request=request,
                        headers={"Content-Type": "text/html; charset=windows-1251"})
    followed = middleware(LoopAwareMetaRefreshMiddleware).process_response(request, page)
    assert followed.url == f"{SITE}/%D0%BD%D0%BE%D0%B2%D0%BE%D1%81%D1%82%D0%B8"


def test_a_long_page_without_a_refresh_goes_on_whole_and_undecoded():
    request = Request(f"{SITE}/a")
    page = long_page(request, "<title>Story</title>")
    assert middleware(LoopAwareMetaRefreshMiddleware).process_response(request, page) is page
    # Scrapy keeps the text it decoded with the response: the head was decoded, not the page.
    assert page._cached_ubody is None
    assert page.text.endswith("é</body></html>")  # the whole page is still there to read


def test_a_head_is_cut_at_the_end_of_a_tag_or_where_there_is_none():
    request = Request(f"{SITE}/a")
    assert page_head(long_page(request, "<title>Story</title>")).body.endswith(b"<body>")
    no_tag_in_reach = HtmlResponse(request.url, body=b"x" * (REFRESH_HEAD_BYTES + 1) + b"<p>", request=request)
    assert page_head(no_tag_in_reach).body == b"x" * REFRESH_HEAD_BYTES
    short = HtmlResponse(request.url, body=b"<p>" + b"x" * (REFRESH_HEAD_BYTES - 3), request=request)
    assert page_head(short) is short


# --- a body that inflates past DOWNLOAD_MAXSIZE ----------------------------------------------------

def gzipped(size: int) -> bytes:
    return gzip.compress(b"<html><body>" + b" " * size + b"</body></html>", mtime=0)


def test_a_gzip_body_that_inflates_past_the_limit_is_too_large():
    request = Request(f"{SITE}/bomb")
    body = gzipped(200_000)
    response = Response(request.url, body=body, headers={"Content-Encoding": "gzip"}, request=request)
    with pytest.raises(ResponseTooLarge) as too_large:
        middleware(SizeCheckedCompressionMiddleware, DOWNLOAD_MAXSIZE=100_000).process_response(request, response)
    assert str(too_large.value).endswith("exceeded DOWNLOAD_MAXSIZE (100000 B) during decompression.")
    from twisted.python.failure import Failure

    assert describe_failure(Failure(too_large.value))[::2] == ("too_large", 200)  # the status of the response as sent


def test_a_gzip_body_within_the_limit_is_inflated():
    request = Request(f"{SITE}/page")
    response = Response(request.url, body=gzipped(50_000), headers={"Content-Encoding": "gzip"}, request=request)
    inflated = middleware(SizeCheckedCompressionMiddleware, DOWNLOAD_MAXSIZE=100_000).process_response(request, response)
    assert len(inflated.body) == 50_000 + len(b"<html><body></body></html>")


@pytest.mark.parametrize("coding, body", [("gzip", b"<html>plain, not gzip</html>"), ("gzip", BAD_GZIP_BODY),
                                          ("br", b"not brotli"), ("deflate", b"not deflate")])
def test_a_body_that_does_not_decompress_is_a_bad_content_encoding_with_the_response_as_sent(coding, body):
    from twisted.python.failure import Failure

    from newsarchive.failures import BadContentEncoding

    request = Request(f"{SITE}/page")
    response = Response(request.url, body=body, headers={"Content-Encoding": coding}, request=request)
    with pytest.raises(BadContentEncoding) as refused:
        middleware(SizeCheckedCompressionMiddleware).process_response(request, response)
    assert str(refused.value).startswith(f"the body does not decompress as {coding}: ")
    assert refused.value.response is response
    assert describe_failure(Failure(refused.value))[::2] == ("bad_content_encoding", 200)


@pytest.mark.parametrize("target", ["javascript:void(0)", "data:text/html,hi", "mailto:news@example.org",
                                    " JavaScript:location.reload()", "ftp://127.0.0.1:8000/a"])
def test_a_redirect_no_crawler_can_follow_is_a_failure_that_says_where_it_pointed(target):
    request = Request(f"{SITE}/a")
    with pytest.raises(UnfollowableRedirect) as refused:
        middleware(LoopAwareRedirectMiddleware).process_response(request, http_redirect(request, target))
    assert str(refused.value) == f"a redirect to {target.strip()}, which no crawler can fetch: {SITE}/a"
    assert describe_failure(Failure(refused.value))[0] == "unfollowable_redirect"


@pytest.mark.parametrize("target", ["javascript:void(0)", "mailto:news@example.org", "data:text/html,hi"])
def test_a_page_that_refreshes_to_no_web_page_is_kept_as_the_page(target):
    request = Request(f"{SITE}/a")
    page = meta_refresh(request, target)
    assert middleware(LoopAwareMetaRefreshMiddleware).process_response(request, page) is page


def refresh_by_header(request: Request, value: str) -> HtmlResponse:
    return HtmlResponse(request.url, headers={"Refresh": value}, body=b"<html><body>Redirecting...</body></html>",
                        request=request)


@pytest.mark.parametrize(("value", "to"), [
    ("0; url=/b", f"{SITE}/b"),
    ("0;URL='/c'", f"{SITE}/c"),
    ("2, url=/d", f"{SITE}/d"),
    (f"0; url={SITE}/e", f"{SITE}/e"),
    ("0", None),  # the page itself, again: a reload, not followed
    ("300; url=/f", None),  # past METAREFRESH_MAXDELAY (100 s): a live page's reload
    ("0; url=javascript:void(0)", None),
    ("soon", None),
])
def test_a_refresh_header_is_followed_as_a_refresh_tag_is(value, to):
    request = Request(f"{SITE}/a")
    page = refresh_by_header(request, value)
    followed = middleware(LoopAwareMetaRefreshMiddleware).process_response(request, page)
    assert (followed.url if followed is not page else None) == to


def test_a_refresh_header_to_itself_is_a_loop():
    request = Request(f"{SITE}/a")
    with pytest.raises(RedirectLoop, match=re.escape(f"redirect loop: {SITE}/a -> {SITE}/a")):
        middleware(LoopAwareMetaRefreshMiddleware).process_response(request, refresh_by_header(request, "0; url=/a"))


def test_a_refresh_header_is_not_followed_for_a_head_request_or_one_that_asks_not_to():
    for request in (Request(f"{SITE}/a", method="HEAD"), Request(f"{SITE}/a", meta={"dont_redirect": True})):
        page = refresh_by_header(request, "0; url=/b")
        assert middleware(LoopAwareMetaRefreshMiddleware).process_response(request, page) is page


def test_a_redirect_the_request_handles_itself_is_left_to_it():
    for meta in ({"dont_redirect": True}, {"handle_httpstatus_list": [302]}, {"handle_httpstatus_all": True}):
        request = Request(f"{SITE}/a", meta=meta)
        answer = http_redirect(request, "javascript:void(0)")
        assert middleware(LoopAwareRedirectMiddleware).process_response(request, answer) is answer


@pytest.mark.parametrize(("kind", "answer", "to"), [
    (LoopAwareRedirectMiddleware, http_redirect, f"{SITE}/a"),  # a loop
    (LoopAwareMetaRefreshMiddleware, meta_refresh, f"{SITE}/a"),
    (LoopAwareRedirectMiddleware, http_redirect, "http://elsewhere.example/a"),  # offsite
    (LoopAwareRedirectMiddleware, http_redirect, "javascript:void(0)"),  # unfollowable
    (LoopAwareRedirectMiddleware, http_redirect, "http://[::1"),  # no URL: it was a ValueError, a fetch_error
    (LoopAwareRedirectMiddleware, http_redirect, "http://127.0.0.1:port/a"),
])
def test_a_refused_redirect_carries_the_response_it_refused(kind, answer, to):
    # Its failure keeps the redirect's status and its capture: they had neither (status NULL, nothing captured).
    request = Request(f"{SITE}/a")
    response = answer(request, to)
    with pytest.raises((RedirectLoop, OffsiteRedirect, UnfollowableRedirect)) as refusal:
        middleware(kind).process_response(request, response)
    assert refusal.value.response is response
    reason, _, status = describe_failure(Failure(refusal.value))
    assert status == response.status
    assert reason == {f"{SITE}/a": "redirect_loop", "http://elsewhere.example/a": "offsite_redirect"}.get(
        to, "unfollowable_redirect")


def test_a_page_that_refreshes_itself_after_a_while_is_the_page():
    # A live page's auto-refresh (`30; url=` its own URL): the page a browser shows meanwhile. It
    # was a redirect loop, and the page was lost.
    request = Request(f"{SITE}/a")
    tag = HtmlResponse(request.url, body=f"<html><head><meta http-equiv='refresh' content='30; url={SITE}/a'></head>"
                                         "<body>The live page</body></html>".encode(), request=request)
    assert middleware(LoopAwareMetaRefreshMiddleware).process_response(request, tag) is tag
    header = refresh_by_header(request, "30; url=/a")
    assert middleware(LoopAwareMetaRefreshMiddleware).process_response(request, header) is header


@pytest.mark.parametrize("delayed", [
    lambda request, to: HtmlResponse(request.url, request=request, body=(
        f"<html><head><meta http-equiv='refresh' content='30; url={to}'></head><body>Page</body></html>").encode()),
    lambda request, to: refresh_by_header(request, f"30; url={to}"),
])
def test_two_pages_that_refresh_to_each_other_after_a_while_are_a_loop(delayed):
    # Only a page that names itself is a page that refreshes: two that send the crawl to each other
    # are a loop, however long each waits.
    first = Request(f"{SITE}/a")
    followed = middleware(LoopAwareMetaRefreshMiddleware, METAREFRESH_MAXDELAY=100).process_response(
        first, delayed(first, f"{SITE}/b"))
    assert followed.url == f"{SITE}/b"
    with pytest.raises(RedirectLoop) as loop:
        middleware(LoopAwareMetaRefreshMiddleware, METAREFRESH_MAXDELAY=100).process_response(
            followed, delayed(followed, f"{SITE}/a"))
    assert (str(loop.value), loop.value.to_itself) == (f"redirect loop: {SITE}/a -> {SITE}/b -> {SITE}/a", False)


@pytest.mark.parametrize("to", ["http://[::1", "http://127.0.0.1:port/a"])
@pytest.mark.parametrize("answer", [meta_refresh, lambda request, to: refresh_by_header(request, f"0; url={to}")])
def test_a_page_that_refreshes_to_no_url_is_the_page(to, answer):
    request = Request(f"{SITE}/a")
    page = answer(request, to)
    assert middleware(LoopAwareMetaRefreshMiddleware).process_response(request, page) is page
