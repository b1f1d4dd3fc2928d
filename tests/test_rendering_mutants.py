"""Rendering decisions at their edges, without a browser (issue 20, mutation testing of
newsarchive/rendering.py).

Every value here is worked out by hand from the rule the module states: a counter renders only
when it is above the comments read, a field is lacking when empty, the browser reads only, what
the rendered page may fill in, the figures a crawl reports, the settings the add-on installs, the
request a page is rendered with, and what the spider's Renderer does when it cannot render.
Rendering itself (the async browser code) runs in tests/browser.
"""

from __future__ import annotations

import asyncio
import logging
import sqlite3
import sys

import pytest
from pydispatch import dispatcher
from scrapy import Spider
from scrapy.http import HtmlResponse, Request
from scrapy.settings import Settings
from scrapy.utils.test import get_crawler

from newsarchive import signals as newsarchive_signals
from newsarchive.archive import open_archive
from newsarchive.archive.store import start_crawl
from newsarchive.items import Article, Byline, Capture, Comment, Layer
from newsarchive.middlewares.pageresult import header_lists
from newsarchive.rendering import (
    QUIET_MS,
    STREAM_MS,
    BrowserRendering,
    PageActivity,
    Renderer,
    Tab,
    _header_lists,
    browser_missing,
    browser_request_refusal,
    carries_content,
    describe_rendering,
    first_line,
    lacks_field,
    merge_rendered,
    render_reason,
    rendered_response,
    rendering_figures,
    script_sign,
    sent_page,
    stream_ms_for,
)

URL = "https://news.example/2024/05/01/story"


def comments(count: int) -> list[Comment]:
    return [Comment(f"Comment {n}", n) for n in range(count)]


# --- the page handed to the browser -----------------------------------------------------------

def sent(url: str = URL, status: int = 200, headers=None) -> HtmlResponse:
    return HtmlResponse(url, status=status, body=b"<html><body><p>as sent</p></body></html>", headers=headers or {
        "Content-Type": "text/html; charset=windows-1252", "Content-Length": "41", "Content-Encoding": "gzip",
        "Transfer-Encoding": "chunked", "Set-Cookie": ["a=1", "b=2"], "Cache-Control": "max-age=60"})


def test_the_browser_is_handed_the_page_as_sent_with_the_headers_of_its_body():
    page = sent_page(sent(), URL + "#comments")
    assert (page.status, page.body) == (200, b"<html><body><p>as sent</p></body></html>")
    # Scrapy's body is decoded: the headers of the bytes on the wire (their coding and length) go.
    assert page.headers == {"Content-Type": "text/html; charset=windows-1252", "Set-Cookie": "a=1\nb=2",
                            "Cache-Control": "max-age=60"}


@pytest.mark.parametrize(("response", "why"), [
    (sent(URL + "?page=2"), "the crawl landed elsewhere (a redirect's target, or another query)"),
    (sent(status=203), "not a plain 200"),
    (None, "no response"),
])
def test_no_page_as_sent_is_handed_over_unless_it_is_a_200_of_that_very_url(response, why):
    assert sent_page(response, URL) is None, why


def test_the_rendered_dom_answers_the_request_with_the_pages_status_and_headers_less_the_wire_ones():
    request = Request(URL)
    response = rendered_response(request, URL + "?from=list", 200, {
        "content-type": "text/html; charset=windows-1251", "content-length": "41", "content-encoding": "gzip",
        "set-cookie": "a=1\nb=2"}, "<p>Ж</p>")
    assert (response.url, response.status, response.request, response.flags) == (
        URL + "?from=list", 200, request, ["playwright"])
    assert (response.body, response.text) == (b"<p>\xc6</p>", "<p>Ж</p>")
    assert header_lists(response.headers) == {"Content-Type": ["text/html; charset=windows-1251"],
                                              "Set-Cookie": ["a=1\nb=2"]}


@pytest.mark.parametrize(("name", "content_type"), [
    ("Content-Type", "text/html; charset=iso-8859-1"), ("Content-Type", "text/html"), (None, None),
    ("content-type", "text/html; charset=windows-1252"),  # as Playwright names headers: replaced, not doubled
])
def test_a_rendered_dom_the_headers_charset_cannot_hold_is_utf8_and_its_content_type_says_so(name, content_type):
    headers = {name: content_type, "X-Served-By": "cache-1"} if name else {"X-Served-By": "cache-1"}
    response = rendered_response(Request(URL), URL, 203, headers, "<p>Ж €</p>")
    assert (response.status, response.body) == (203, "<p>Ж €</p>".encode())
    assert header_lists(response.headers) == {"X-Served-By": ["cache-1"], "Content-Type": ["text/html; charset=utf-8"]}


# --- what to render -------------------------------------------------------------------------

def test_a_counter_equal_to_the_comments_read_is_no_counter_reason():
    article = Article(url=URL, comments_status="unreached", comment_count=2, comments=comments(2))
    assert render_reason(article, "auto") == "comments_by_script"
    assert render_reason(article, "sometimes") is None  # a mode that is not auto renders nothing


def test_any_lacking_profile_field_renders():
    article = Article(url=URL, title="Storm", comments_status="none")
    assert render_reason(article, "auto", ("title", "comments")) == "profile_field"
    assert render_reason(article, "auto", ("title",)) is None


@pytest.mark.parametrize(("article", "name", "lacking"), [
    (Article(url=URL, title="Storm"), "title", False),
    (Article(url=URL, title=""), "title", True),
    (Article(url=URL, authors=[]), "authors", True),
    (Article(url=URL, authors=[Byline(name="Ana Ruiz", name_raw="Ana Ruiz", position=0)]), "authors", False),
    (Article(url=URL, comments_status="complete"), "comments", False),
    (Article(url=URL, comments_status="unreached"), "comments", True),
])
def test_lacks_field(article, name, lacking):
    assert lacks_field(article, name) is lacking


def test_a_page_with_no_sign_at_all_reads_as_an_empty_container():
    assert script_sign("<html><body><p>Hello</p></body></html>") == "empty_comment_container"
    assert script_sign("") == "empty_comment_container"


# --- what the browser may load and keep -------------------------------------------------------

@pytest.mark.parametrize(("method", "url", "resource_type", "refusal"), [
    ("get", "https://cdn.example/comments.json", "fetch", None),  # no scope: any origin; any case
    ("head", "https://cdn.example/comments.json", "xhr", None),
    ("post", "https://cdn.example/comments", "fetch", "method"),
    ("GET", "https://cdn.example/clip.mp4", "media", "heavy"),
])
def test_browser_request_refusal_without_a_scope(method, url, resource_type, refusal):
    assert browser_request_refusal(method, url, resource_type, None) == refusal


@pytest.mark.parametrize(("resource_type", "status", "method", "content_type", "main_frame", "kept"), [
    ("xhr", 200, "get", "text/json", True, True),  # only a document is the page itself
    ("fetch", 200, "GET", "  application/xhtml+xml", False, True),
    ("fetch", 201, "GET", "application/json", False, False),
    ("fetch", 200, "GET", None, False, True),  # no type said: what the script asked for all the same
    ("fetch", 200, "GET", "application/jsonp", False, True),
    ("document", 200, "GET", None, False, False),
    ("media", 200, "GET", "video/mp4", False, False),
    ("fetch", 200, "GET", "  audio/ogg", False, False),
])
def test_carries_content_edges(resource_type, status, method, content_type, main_frame, kept):
    assert carries_content(resource_type, status, method, content_type, main_frame) is kept


def test_browser_missing_names_the_missing_package(monkeypatch):
    # None in sys.modules is Python's own mark of a module that cannot be imported.
    monkeypatch.setitem(sys.modules, "scrapy_playwright", None)
    assert browser_missing("") == 'scrapy-playwright is not installed (pip install "newsarchive[browser]")'


def test_header_lists_title_case_names_and_split_values():
    assert _header_lists({"content-type": "text/html; charset=utf-8", "set-cookie": "a=1\nb=2", "x-request-id": "7"}) == {
        "Content-Type": ["text/html; charset=utf-8"], "Set-Cookie": ["a=1", "b=2"], "X-Request-Id": ["7"]}


# --- merging the rendered page ------------------------------------------------------------------

def test_merge_rendered_fills_empty_fields_only_and_marks_their_layer():
    article = Article(url=URL, title="", byline_raw=None, body_text="Sent text", comment_count=3,
                      comments=comments(1), comments_status="unreached")
    rendered = Article(url=URL, title="Storm", byline_raw="", body_text="Rendered text", comment_count=3,
                       comments=comments(3), comments_complete=True, comments_status="complete",
                       sources={"title": Layer.MARKUP, "comments": Layer.MARKUP})
    assert merge_rendered(article, rendered) == ["title", "comments"]
    assert (article.title, article.byline_raw, article.body_text) == ("Storm", None, "Sent text")
    assert (len(article.comments), article.comments_complete, article.comments_status) == (3, True, "complete")
    assert article.sources == {"title": Layer.RENDERED, "comments": Layer.RENDERED}


def test_merge_rendered_marks_only_fields_the_rendered_page_sourced():
    article = Article(url=URL)
    rendered = Article(url=URL, title="Storm", comment_count=2, comments=comments(2), comments_status="complete")
    assert merge_rendered(article, rendered) == ["title", "comment_count", "comments"]
    assert article.sources == {"comments": Layer.RENDERED}  # comments always; title had no source


def test_merge_rendered_keeps_as_many_comments_as_sent():
    article = Article(url=URL, comments=comments(2), comments_status="unreached")
    rendered = Article(url=URL, comments=comments(2), comments_complete=True, comments_status="complete")
    assert merge_rendered(article, rendered) == []
    assert (article.comments_complete, article.comments_status, article.sources) == (False, "unreached", {})


# --- figures --------------------------------------------------------------------------------------

def count(name: str) -> str:
    return f"newsarchive/render/{name}_count"


def test_rendering_figures_each_count_under_its_own_name():
    stats = {count("unavailable"): 4, count("aborted/method"): 2, count("aborted/heavy"): 5,
             "newsarchive/captures/script_revisit_count": 1}
    assert rendering_figures(stats) == {
        "rendered": 0, "failed": 0, "unavailable": 4, "comments_found": 0, "retried": 0, "reasons": {},
        "aborted": {"method": 2, "heavy": 5}, "script_captures": 1}
    assert rendering_figures({count("failed"): 1})["failed"] == 1  # a failure alone is reported
    assert rendering_figures({count("rendered"): 2, count("retried"): 2})["retried"] == 2
    assert rendering_figures({}) == {}


def test_describe_rendering_of_nothing_and_of_everything():
    assert describe_rendering({}) == ""
    assert describe_rendering({"rendered": 2, "failed": 1, "unavailable": 3, "reasons": {"always": 2}}) == (
        "2 pages rendered (2 always), 1 could not be rendered, 3 not rendered: no browser")
    assert describe_rendering({"rendered": 2, "failed": 0, "unavailable": 0, "retried": 2,
                               "reasons": {"comment_embed": 2}}) == (
        "2 pages rendered (2 comment_embed), 2 known articles asked for again for unreached comments")


# --- the add-on ------------------------------------------------------------------------------------

def chromium_folder(tmp_path, monkeypatch):
    """A folder on PATH holding a headless shell, and a named Chromium beside it."""
    for name in ("chromium-headless-shell", "chromium"):
        (tmp_path / name).write_text("#!/bin/sh\n")
        (tmp_path / name).chmod(0o755)
    monkeypatch.setenv("PATH", str(tmp_path))
    return tmp_path


def addon_settings(**values) -> Settings:
    settings = Settings({"NEWSARCHIVE_RENDER": "auto", "NEWSARCHIVE_CHROMIUM": "", "NEWSARCHIVE_RENDER_TIMEOUT": 2.5,
                         "NEWSARCHIVE_RENDER_CONCURRENCY": 3, **values})
    BrowserRendering().update_settings(settings)
    return settings


@pytest.mark.parametrize("values", [{"NEWSARCHIVE_RENDER": "never"}, {"NEWSARCHIVE_CHROMIUM": "/nonexistent/chromium"}])
def test_browser_rendering_installs_nothing_when_it_cannot_or_need_not(tmp_path, monkeypatch, values):
    chromium_folder(tmp_path, monkeypatch)
    settings = addon_settings(**values)
    assert (dict(settings["DOWNLOAD_HANDLERS"]), settings.get("PLAYWRIGHT_BROWSER_TYPE")) == ({}, None)


# --- the spider's Renderer ------------------------------------------------------------------------

def renderer_of(mode="auto", chromium="/nonexistent/chromium", **settings) -> Renderer:
    crawler = get_crawler(Spider, {"NEWSARCHIVE_RENDER": mode, "NEWSARCHIVE_CHROMIUM": chromium,
                                   "NEWSARCHIVE_RENDER_MAX_CLICKS": 3, "NEWSARCHIVE_RENDER_TIMEOUT": 2.5,
                                   "NEWSARCHIVE_RENDER_CONCURRENCY": 2, **settings})
    return Renderer.from_crawler(crawler)


def test_renderer_from_crawler_reads_the_settings():
    renderer = renderer_of()
    assert (renderer.mode, renderer.max_clicks, renderer.timeout, renderer.warned, renderer.captures,
            renderer.open_tabs) == ("auto", 3, 2.5, False, None, [])
    missing = browser_missing("/nonexistent/chromium")
    assert missing is not None and renderer.missing == missing
    assert renderer_of("never").missing is None  # never looked for
    connected = dispatcher.liveReceivers(dispatcher.getAllReceivers(renderer.crawler.signals.sender,
                                                                    newsarchive_signals.crawl_started))
    assert [r for r in connected if getattr(r, "__self__", None) is renderer] == [renderer.crawl_started]


def test_renderer_pages_wait_beyond_the_concurrency():
    async def acquire(renderer):
        # Bounded: a semaphore of no places would wait forever.
        await asyncio.wait_for(renderer.pages.acquire(), 1)
        first = renderer.pages.locked()
        await asyncio.wait_for(renderer.pages.acquire(), 1)
        return first, renderer.pages.locked()

    assert asyncio.run(acquire(renderer_of())) == (False, True)  # NEWSARCHIVE_RENDER_CONCURRENCY 2


def test_renderer_renders_four_pages_at_once_unless_told():
    async def places(renderer):
        taken = 0
        while not renderer.pages.locked():
            await asyncio.wait_for(renderer.pages.acquire(), 1)
            taken += 1
        return taken

    crawler = get_crawler(Spider)
    assert asyncio.run(places(Renderer(crawler, "auto", None, 5, 20.0))) == 8  # NEWSARCHIVE_RENDER_CONCURRENCY's default


def test_renderer_rendered_fields_come_from_the_profile():
    renderer = renderer_of()
    assert renderer.rendered_fields == ()  # no spider, no profile
    renderer.crawler.spider = Spider("news")
    renderer.crawler.spider.profile = type("Profile", (), {"rendered_fields": ["comments"]})()
    assert renderer.rendered_fields == ("comments",)


def test_renderer_without_a_browser_counts_unavailable_and_warns_once(caplog):
    renderer = renderer_of()
    articles = [Article(url=f"{URL}-{n}", comments_status="unreached") for n in range(2)]
    with caplog.at_level(logging.WARNING, logger="newsarchive.rendering"):
        done = [asyncio.run(renderer.complete(article, None)) for article in articles]
    assert done == articles and done[0] is articles[0]
    assert renderer.stats.get_stats() == {"newsarchive/render/unavailable_count": 2}
    assert [record.getMessage() for record in caplog.records] == [
        f"--render auto: cannot render {URL}-0 and the like: {renderer.missing}; "
        "their comments are recorded as unreached"]


def test_renderer_renders_for_a_field_the_profile_marks():
    renderer = renderer_of()
    renderer.crawler.spider = Spider("news")
    renderer.crawler.spider.profile = type("Profile", (), {"rendered_fields": ["title"]})()
    article = Article(url=URL, comments_status="none")  # no title in the page as sent
    assert asyncio.run(renderer.complete(article, None)) is article
    assert renderer.stats.get_stats() == {"newsarchive/render/unavailable_count": 1}


def test_renderer_leaves_an_article_it_need_not_render():
    renderer = renderer_of()
    article = Article(url=URL, comments_status="complete", comments=comments(1))
    assert asyncio.run(renderer.complete(article, None)) is article
    assert renderer.stats.get_stats() == {}


def test_page_activity_counts_the_requests_in_flight_and_not_the_streams():
    activity = PageActivity()
    assert (activity.quiet_ms, activity.in_flight, activity.seen, activity.captures) == (QUIET_MS, 0, [], [])
    assert {event: getattr(activity, method) for event, method in PageActivity.EVENTS.items()} == {
        "request": activity.request_sent, "requestfinished": activity.request_ended,
        "requestfailed": activity.request_failed, "response": activity.seen_response,
        "popup": activity.close_popup, "framenavigated": activity.frame_navigated}
    started = activity.last_change
    first, second, stream = object(), object(), object()  # the page's requests, as Playwright's objects
    for request in (first, second, stream):
        activity.request_sent(request)
    assert activity.in_flight == 3
    activity.pending[stream] -= STREAM_MS / 1000 + 0.1  # sent longer ago than a page waits
    assert activity.in_flight == 2
    activity.request_ended(first)
    assert (activity.in_flight, activity.last_change >= started, set(activity.pending)) == (1, True, {second, stream})
    activity.request_ended(second)
    activity.request_ended(second)  # an end reported twice ends nothing more
    assert (activity.in_flight, set(activity.pending)) == (0, {stream})
    assert PageActivity(quiet_ms=7).quiet_ms == 7


def test_a_request_the_offsite_proxy_kept_off_is_noted_and_ended_and_no_other_failure_is_noted():
    activity = PageActivity()
    failed = [type("Request", (), {"url": f"http://127.0.0.1:9/{name}", "failure": failure})()
              for name, failure in (("hop", "net::ERR_PROXY_CONNECTION_FAILED"), ("tunnel", "net::ERR_TUNNEL_CONNECTION_FAILED"),
                                    ("aborted", "net::ERR_FAILED"), ("refused", "net::ERR_CONNECTION_REFUSED"))]
    for request in failed:
        activity.request_sent(request)
    for request in failed:
        activity.request_failed(request)
    assert (activity.kept_off, activity.in_flight) == (["http://127.0.0.1:9/hop", "http://127.0.0.1:9/tunnel"], 0)


def test_a_tab_hands_each_event_to_the_activity_of_its_render():
    tab, first, second = Tab(), PageActivity(), PageActivity()
    assert (tab.page, set(tab.handlers)) == (None, {*PageActivity.EVENTS, "crash"})
    tab.handlers["request"](object())  # before its first render, an event has somewhere to go
    request = object()
    tab.activity = first
    tab.handlers["request"](request)
    assert list(first.pending) == [request]
    tab.activity = second  # the next render in the same tab
    tab.handlers["request"](request)
    tab.handlers["requestfinished"](request)
    assert (list(first.pending), list(second.pending)) == ([request], [])
    popup = type("Popup", (), {"closed": False})()

    async def close():
        popup.closed = True
    popup.close = close
    closing = tab.handlers["popup"](popup)  # a coroutine, which Playwright's event emitter runs
    asyncio.run(closing)
    assert popup.closed
    assert (tab.crashed, first.crashed, second.crashed) == (False, False, False)
    tab.handlers["crash"](object())  # the tab's renderer process ended: the tab, and the render it served
    assert (tab.crashed, first.crashed, second.crashed) == (True, False, True)


def test_an_activity_forgets_what_it_saw_for_a_render_tried_again():
    activity = PageActivity(quiet_ms=7)
    activity.request_sent(object())
    activity.documents.append(URL)
    activity.kept_off.append(URL)
    activity.crashed = True
    activity.forget()
    assert (activity.pending, activity.seen, activity.documents, activity.captures, activity.kept_off,
            activity.crashed, activity.quiet_ms) == ({}, [], [], [], [], False, 7)


@pytest.mark.parametrize(("documents", "left_for"), [
    ([], None),
    ([URL], None),
    ([URL, URL], None),  # a reload is the same page
    ([URL, f"{URL}#comments"], None),  # so is a URL changed through the history API
    ([URL, "https://news.example/consent", URL], None),  # back where it began
    ([URL, "https://news.example/consent#form"], "https://news.example/consent#form"),
    ([URL, "https://news.example/consent", "https://news.example/paywall"], "https://news.example/paywall"),
])
def test_page_activity_left_page(documents, left_for):
    activity = PageActivity()
    assert activity.documents == []
    activity.documents = documents  # the page loads the tab made, in order
    assert activity.left_page() == left_for


def renderer_of_a_crawl(tmp_path, captures: bool):
    """A Renderer whose crawl has started, in a real archive at tmp_path/a.db: (renderer, archive, crawl id)."""
    renderer = renderer_of(NEWSARCHIVE_CAPTURE_ENABLED=captures)
    archive = open_archive(tmp_path / "a.db")
    with archive.write() as db:
        crawl_id = start_crawl(db, "news", "generic", {}, "2024-05-01T00:00:00Z")
    renderer.crawl_started(crawl_id, archive)
    return renderer, archive, crawl_id


def test_renderer_keeps_the_rendered_dom_then_the_script_captures(tmp_path):
    renderer, archive, crawl_id = renderer_of_a_crawl(tmp_path, captures=True)
    # The page's scripts rewrote the address the browser shows: kept under the URL rendered for.
    page = HtmlResponse(f"{URL}?view=comments", body=b"<ol id='comments'><li>Hi</li></ol>",
                        headers={"Content-Type": "text/html"})
    script = Capture(url="https://news.example/api/comments.json", fetched_at="2024-05-01T00:00:01Z", status=200,
                     request_headers={"Referer": [URL]}, response_headers={"Content-Type": ["application/json"]},
                     body=b'["Hi"]')
    renderer._keep_captures(URL, page, [script])
    archive.close()
    rows = sqlite3.connect(tmp_path / "a.db").execute("SELECT crawl_id, kind, url FROM captures ORDER BY id").fetchall()
    assert rows == [(crawl_id, "rendered", URL), (crawl_id, "script", "https://news.example/api/comments.json")]
    assert renderer.stats.get_value("newsarchive/captures/script_response_count") == 1


def test_renderer_with_captures_disabled_keeps_none(tmp_path):
    renderer, archive, _ = renderer_of_a_crawl(tmp_path, captures=False)
    renderer._keep_captures(URL, HtmlResponse(URL, body=b"<p>Hi</p>"), [])
    archive.close()
    assert sqlite3.connect(tmp_path / "a.db").execute("SELECT count(*) FROM captures").fetchone() == (0,)


def test_a_warning_names_an_error_by_its_first_line():
    # Playwright appends the browser's log to the error of a browser that ended
    error = RuntimeError("Response.body: Target page, context or browser has been closed\nBrowser logs:\n\n<launching> chromium")
    assert first_line(error) == "Response.body: Target page, context or browser has been closed"
    assert first_line(RuntimeError("\n  one line\n")) == "one line"


def test_playwrights_headers_are_kept_as_scrapys_title_case_a_list_a_character_a_byte():
    from newsarchive.rendering import _header_lists

    sent = "café".encode("utf-8")  # what the server sent, read by Chromium as windows-1252
    assert _header_lists({"x-note": sent.decode("cp1252"), "set-cookie": "a=1\nb=2", "etag": '"v1"'}) == {
        "X-Note": [sent.decode("latin-1")], "Set-Cookie": ["a=1", "b=2"], "Etag": ['"v1"']}


def script_response(url: str):
    """A response to a page's script request, as Playwright's objects give it (what seen_response reads)."""
    request = type("Request", (), {"resource_type": "script", "method": "GET", "is_navigation_request": lambda self: False})()
    frame = type("Frame", (), {"parent_frame": None})()
    return type("Response", (), {"request": request, "url": url, "status": 200, "frame": frame,
                                 "headers": {"content-type": "text/javascript"}})()


def test_a_script_is_claimed_by_the_first_render_that_sees_it_and_given_back_if_that_one_keeps_none():
    # Renders side by side each kept the site's script: it was marked kept only once read.
    kept: set[str] = set()
    first, second, third = (PageActivity(scripts_kept=kept) for _ in range(3))
    first.seen_response(script_response("http://127.0.0.1:9/static/comments.js"))
    second.seen_response(script_response("http://127.0.0.1:9/static/comments.js"))
    assert (len(first.seen), len(second.seen), kept) == (1, 0, {"http://127.0.0.1:9/static/comments.js"})
    first.seen_response(script_response("http://127.0.0.1:9/static/other.js"))
    first.release_scripts("http://127.0.0.1:9/static/other.js")  # this one could not be read
    assert (kept, first.scripts_claimed) == ({"http://127.0.0.1:9/static/comments.js"},
                                             ["http://127.0.0.1:9/static/comments.js"])
    first.forget()  # its tab crashed: what it saw is not kept
    assert (kept, first.scripts_claimed, first.seen) == (set(), [], [])
    third.seen_response(script_response("http://127.0.0.1:9/static/comments.js"))
    assert (len(third.seen), third.scripts_claimed) == (1, ["http://127.0.0.1:9/static/comments.js"])
    third.release_scripts()
    assert (kept, third.scripts_claimed) == (set(), [])


def test_a_request_open_a_quarter_of_the_render_timeout_is_a_stream_and_server_sent_events_at_once():
    activity = PageActivity(stream_ms=stream_ms_for(20.0))
    slow, events = (type("Request", (), {"resource_type": kind})() for kind in ("fetch", "eventsource"))
    activity.request_sent(slow)
    activity.request_sent(events)
    assert activity.in_flight == 1  # the slow fetch: server-sent events are never waited for
    activity.pending[slow] -= 3.0  # a busy comment service, 3 s on: still waited for (it was not, past 2 s)
    assert activity.in_flight == 1
    activity.pending[slow] -= 2.1  # past 5 s: a long poll
    assert activity.in_flight == 0
    assert events in activity.pending  # in flight all the same: never kept as a capture (read)
    activity.forget()
    assert activity.stream_ms == 5000
