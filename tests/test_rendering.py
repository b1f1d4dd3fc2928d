"""Honest absence and the decision to render, without a browser: an article's comments_status
from small pages, `needs_rendering` and its reason for each --render mode and a profile's
rendered_fields, which browser requests are refused and which script responses kept, merging a
rendered page, the rendering counts (summary, report), the WARC records of rendered and script
captures, the option's checks and the stored column. Rendering itself is tested in
tests/browser/test_rendering.py."""

from __future__ import annotations

import re
import sqlite3

import pytest
from scrapy.settings import Settings
from warcio.archiveiterator import ArchiveIterator

from exports.warc import export_warc
from newsarchive.archive import open_archive
from newsarchive.archive.store import finish_crawl, start_crawl, store_article, store_capture
from newsarchive.crawling import CrawlSummary, OptionError, crawl_plan
from newsarchive.items import FILLABLE_FIELDS, Article, Capture, Comment, Layer, Listing, ListingLink
from newsarchive.parsers.article import parse_article
from newsarchive.profiles import ProfileError, load_profile, profile_from_dict
from newsarchive.rendering import (
    browser_missing,
    browser_request_refusal,
    carries_content,
    chromium_missing,
    chromium_path,
    describe_rendering,
    listing_render_reason,
    merge_rendered,
    needs_rendering,
    render_concurrency,
    render_reason,
    rendering_figures,
    script_sign,
)
from newsarchive.research.report import crawl_report, report_html, report_text
from newsarchive.scope import Scope
from tests.conftest import SiteHandler, crawl_of

URL = "https://news.example/2024/05/01/story"
STORY = "<h1>Storm hits the coast</h1><article><p>" + "The storm reached the coast on Monday night. " * 8 + "</p></article>"


def page(extra: str) -> str:
    return f"<html lang='en'><head><title>Storm hits the coast</title></head><body>{STORY}{extra}</body></html>"


def comment(n: int) -> str:
    return (f"<li class='comment' id='comment-{n}'><p class='comment-author'>Reader {n}</p>"
            f"<div class='comment-content'><p>Comment number {n} about the storm.</p></div></li>")


@pytest.mark.parametrize(("extra", "status", "count"), [
    ("<h3>5 Comments</h3><div id='comments'></div>", "unreached", 0),
    ("<div id='disqus_thread'></div><script src='https://news-example.disqus.com/embed.js'></script>",
     "unreached", 0),
    ("<script src='https://news-example.disqus.com/embed.js'></script>", "unreached", 0),
    ("<div class='fb-comments' data-href='https://news.example/a'></div>", "unreached", 0),
    ("<section data-comments-url='/api/comments/12'></section>", "unreached", 0),
    ("<h3>2 Comments</h3><ol class='comment-list'>" + comment(1) + comment(2) + "</ol>", "complete", 2),
    ("<h3>5 Comments</h3><ol class='comment-list'>" + comment(1) + comment(2) + "</ol>", "unreached", 2),
    ("", "none", 0),
    ("<div id='comments'><h3>Leave a Reply</h3><form><textarea name='c'></textarea></form></div>", "none", 0),
    ("<h3>0 Comments</h3><div id='disqus_thread'></div>", "none", 0),
    # What else says comments come by script: a comment service named as an element, in a
    # preconnect link or a script's src; the site's own comments script; a noscript note.
    ("<div class='viafoura comments-page'></div>", "unreached", 0),
    ("<div id='spotim-conversation'></div>", "unreached", 0),
    ("<link rel='dns-prefetch' href='https://livecomments.viafoura.co'>", "unreached", 0),
    ("<script async src='https://launcher.spot.im/spot/sp_Abc123'></script>", "unreached", 0),
    ("<div id='thread'></div><script src='/static/js/comments,30.js'></script>", "unreached", 0),
    ("<script src='/assets/yle-comments-plugin.js?v=2'></script>", "unreached", 0),
    ("<noscript>Please enable JavaScript to view the comments.</noscript>", "unreached", 0),
    # ...and what does not: WordPress's reply-form helper, a "recent comments" widget, a consent
    # script that lists a comment service's host in its text, a tag named after a service, a
    # noscript note about posting with no word of JavaScript, a counter of zero.
    ("<script src='/wp-includes/js/comment-reply.min.js?ver=6.4'></script>", "none", 0),
    ("<script src='/widgets/recent_comments_widget.js'></script>", "none", 0),
    ("<script>var blocked = ['doubleclick.net', 'publisher-assets.spot.im', 'viafoura.net'];</script>", "none", 0),
    ("<p class='tag-discourse tag-forum'>Tags</p>", "none", 0),
    ("<noscript>Log in to comment.</noscript>", "none", 0),
    ("<h3>0 Comments</h3><script src='/js/comments.js'></script>", "none", 0),
])
def test_comments_status(extra, status, count):
    article = parse_article(URL, page(extra))
    assert (article.comments_status, len(article.comments)) == (status, count)


@pytest.mark.parametrize(("status", "count", "read", "mode", "fields", "reason"), [
    ("unreached", 5, 2, "auto", (), "comment_counter"),
    ("unreached", None, 0, "auto", (), "comments_by_script"),  # embed or empty container: script_sign tells
    ("complete", 2, 2, "auto", (), None),
    ("none", None, 0, "auto", (), None),
    ("none", None, 0, "auto", ("comments",), "profile_field"),
    ("complete", 2, 2, "auto", ("comments",), None),
    ("complete", 2, 2, "auto", ("byline_raw",), "profile_field"),  # the page as sent has no byline
    ("none", None, 0, "always", (), "always"),
    ("complete", 2, 2, "always", (), "always"),
    ("unreached", 5, 0, "never", ("comments",), None),
])
def test_render_reason(status, count, read, mode, fields, reason):
    article = Article(url=URL, comments_status=status, comment_count=count,
                      comments=[Comment(f"Comment {n}", n) for n in range(read)])
    assert render_reason(article, mode, fields) == reason
    assert needs_rendering(article, mode, fields) is (reason is not None)


@pytest.mark.parametrize(("why", "reason"), [
    (None, None),  # its comment pages all read, their comments fewer than its counter: by link, not by script
    ("https://news.example/s/comment-page-2/: ValueError: HTTP 503", None),  # a page of them not fetched
    # A page of them read, showing none of those it says it has: its script loads them (a frame of
    # the site's own), and a rendering of the story's page sets that frame in.
    ("https://news.example/comments/?story=1: it shows none of the comments it says it has (its script loads them?)",
     "comment_counter"),
])
def test_a_story_with_comment_pages_is_rendered_only_for_a_page_whose_script_loads_them(why, reason):
    article = Article(url=URL, comments_status="unreached", comment_count=5, comments=[Comment("One", 0)],
                      comment_pages=["https://news.example/comments/?story=1"],
                      warnings=[f"comments: the comment page {why} was not read"] if why else [])
    assert render_reason(article, "auto") == reason


@pytest.mark.parametrize(("body", "scripts", "mode", "status", "reason"), [
    ("", True, "auto", "none", "script_body"),  # its scripts may write the story
    ("", False, "auto", "none", None),  # nothing could: a missing_body_text failure, not rendered
    ("The river rose.", True, "auto", "none", None),
    ("", True, "never", "none", None),
    ("", True, "always", "none", "always"),
    ("", True, "auto", "unreached", "comments_by_script"),  # rendered for its comments, and its body taken too
])
def test_a_story_without_text_is_rendered_when_its_scripts_may_write_it(body, scripts, mode, status, reason):
    article = Article(url=URL, title="Flood", body_text=body, comments_status=status)
    assert render_reason(article, mode, (), scripts=scripts) == reason


@pytest.mark.parametrize(("links", "sections", "next_page", "scripts", "mode", "reason"), [
    (0, 0, None, True, "auto", "script_listing"),  # an app's shell: its scripts write the section
    (0, 0, "https://news.example/news/?page=2", True, "auto", "script_listing"),  # its next page in its state's JSON
    (0, 0, None, False, "auto", None),  # nothing could write links into it: an empty section
    (1, 0, None, True, "auto", None),
    (0, 1, None, True, "auto", None),  # an archive index's sections are links too
    (0, 0, None, True, "never", None),
    (5, 0, None, False, "always", "always"),
])
def test_a_listing_is_rendered_when_its_scripts_may_write_its_links(links, sections, next_page, scripts, mode, reason):
    listing = Listing(url="https://news.example/news/", next_page_url=next_page,
                      links=[ListingLink(f"https://news.example/a{n}", n) for n in range(links)],
                      section_links=[ListingLink(f"https://news.example/s{n}/", n) for n in range(sections)])
    assert listing_render_reason(listing, mode, scripts) == reason


@pytest.mark.parametrize(("sent", "sign"), [
    ("<div id='disqus_thread'></div>", "comment_embed"),
    ("<ol id='comment-list' data-comments-url='/api/c.json'></ol>", "comment_embed"),
    ("<div><script src='https://news-example.disqus.com/embed.js'></script></div>", "comment_embed"),
    ("<div class='viafoura'></div><ol id='comment-list'></ol>", "comment_embed"),  # the service comes first
    ("<ol id='comment-list'></ol><script src='/js/comments.js'></script>", "comment_embed"),
    ("<ol id='comment-list'></ol>", "empty_comment_container"),
    # The comments a script puts in an empty list may carry `data-comment-*` marks of their own:
    # read in the rendered DOM, they would pass for an embed; the page as sent is what told.
    ("<div id='comments'></div><script>add('<li data-comment-votes=\"3\">Hi</li>')</script>",
     "empty_comment_container"),
])
def test_script_sign_reads_the_page_as_sent(sent, sign):
    assert script_sign(f"<html><body><h1>T</h1>{sent}</body></html>") == sign


SCOPE = Scope(["http://127.0.0.1:8000/news/"])


@pytest.mark.parametrize(("method", "url", "resource_type", "refusal"), [
    ("GET", "http://127.0.0.1:8000/api/comments.json", "fetch", None),
    ("GET", "http://127.0.0.1:8000/2024/05/01/story", "document", None),
    ("HEAD", "http://127.0.0.1:8000/api/comments.json", "xhr", None),
    ("POST", "http://127.0.0.1:8000/api/comments", "fetch", "method"),
    ("POST", "http://127.0.0.1:8000/beacon", "ping", "method"),
    ("PUT", "http://127.0.0.1:9000/api", "xhr", "method"),
    ("GET", "http://127.0.0.1:9000/api/comments.json", "fetch", "offsite"),  # another port: another origin
    ("GET", "https://cdn.example/track.js", "script", "offsite"),
    ("GET", "http://127.0.0.1:8000/photo.jpg", "image", "heavy"),
    ("GET", "http://127.0.0.1:8000/font.woff2", "font", "heavy"),
])
def test_browser_request_refusal(method, url, resource_type, refusal):
    assert browser_request_refusal(method, url, resource_type, SCOPE) == refusal


@pytest.mark.parametrize(("resource_type", "status", "method", "content_type", "main_frame", "kept"), [
    ("fetch", 200, "GET", "application/json", False, True),
    ("xhr", 200, "GET", "application/ld+json; charset=utf-8", False, True),
    ("document", 200, "GET", "text/html; charset=utf-8", False, True),  # a comment iframe
    ("document", 200, "GET", "text/html", True, False),  # the page itself: the rendered capture
    ("fetch", 404, "GET", "application/json", False, False),
    # What a script asked for, whatever the server called it: JSON as text/plain or text/javascript, XML.
    ("fetch", 200, "GET", "text/javascript", False, True),
    ("xhr", 200, "GET", "text/plain; charset=utf-8", False, True),
    ("fetch", 200, "GET", "application/xml", False, True),
    ("fetch", 200, "GET", "image/png", False, False),  # no text: a picture, a clip, a font, a file
    ("xhr", 200, "GET", "video/mp4", False, False),
    ("fetch", 200, "GET", "font/woff2", False, False),
    ("fetch", 200, "GET", "application/octet-stream", False, False),
    ("fetch", 200, "GET", "Application/PDF", False, False),
    ("document", 200, "GET", "text/plain", False, False),  # a frame showing a file, not comments
    ("script", 200, "GET", "application/json", False, False),
    ("fetch", 200, "POST", "application/json", False, False),
    # The page's own scripts: what a replay tool runs to show what they load.
    ("script", 200, "GET", "text/javascript; charset=utf-8", False, True),
    ("script", 200, "GET", "application/x-javascript", True, True),
    ("script", 404, "GET", "text/javascript", False, False),
    ("script", 200, "POST", "application/javascript", False, False),
    ("stylesheet", 200, "GET", "text/css", False, False),
])
def test_carries_content(resource_type, status, method, content_type, main_frame, kept):
    assert carries_content(resource_type, status, method, content_type, main_frame) is kept


STATS = {"newsarchive/render/rendered_count": 5, "newsarchive/render/failed_count": 1,
         "newsarchive/render/comments_found_count": 4,
         "newsarchive/render/reason/comment_counter_count": 3, "newsarchive/render/reason/comment_embed_count": 1,
         "newsarchive/render/reason/profile_field_count": 1, "newsarchive/render/aborted/offsite_count": 7,
         "newsarchive/captures/script_response_count": 2, "newsarchive/captures/script_revisit_count": 1,
         "newsarchive/render/retried_count": 2}
FIGURES = {"rendered": 5, "failed": 1, "unavailable": 0, "comments_found": 4, "retried": 2,
           "reasons": {"comment_counter": 3, "comment_embed": 1, "profile_field": 1},
           "aborted": {"offsite": 7}, "script_captures": 3}


def test_rendering_figures_and_the_crawl_summary():
    assert rendering_figures(STATS) == FIGURES
    assert rendering_figures({"newsarchive/render/aborted/offsite_count": 2}) == {}  # nothing was to render
    summary = CrawlSummary(1, "finished", {"newsarchive/pages/received_count": 5,
                                           "newsarchive/pages/article_count": 5, **STATS})
    assert summary.describe() == ("5 pages: 5 articles, 0 listings, 0 unchanged, 0 failures; "
                                  "5 pages rendered (3 comment_counter, 1 comment_embed, 1 profile_field), "
                                  "1 could not be rendered, 2 known articles asked for again for unreached comments")
    assert describe_rendering({"rendered": 0, "failed": 0, "unavailable": 4, "reasons": {}}) == (
        "0 pages rendered, 4 not rendered: no browser")


def test_report_gives_rendered_pages_and_why(tmp_path):
    archive = open_archive(tmp_path / "a.db")
    with archive.write() as db:
        crawl_id = start_crawl(db, "news", "generic", {}, "2024-05-01T00:00:00Z")
        finish_crawl(db, crawl_id, {"finished_at": "2024-05-01T01:00:00Z", "finish_reason": "finished",
                                    "coverage": {"articles": 0, "share": {}, "rendering": FIGURES}})
    archive.close()
    report = crawl_report(sqlite3.connect(tmp_path / "a.db"))
    assert report["rendering"] == FIGURES
    assert ("  rendered in a browser: 5 pages (3 comment_counter, 1 comment_embed, 1 profile_field); "
            "1 failed, 0 not rendered (no browser); 3 script responses kept; "
            "2 known articles asked for again for unreached comments") in report_text(report).splitlines()
    assert ("<h2>Pages rendered in a browser</h2>\n<table><tr><th></th><th>pages</th></tr>"
            '<tr><td class="bidi">rendered</td><td class="n">5</td></tr>'
            '<tr><td class="bidi">rendered: comment_counter</td><td class="n">3</td></tr>') in report_html(report)


def test_profile_rendered_fields():
    data = {"name": "t", "sites": [{"name": "t", "code": "t", "hosts": ["t.example"]}], "urls": {},
            "selectors": {"article": {}, "listing": {}}}
    assert profile_from_dict(data).rendered_fields == ()
    assert profile_from_dict({**data, "rendered_fields": ["comments", "byline_raw"]}).rendered_fields == (
        "comments", "byline_raw")
    with pytest.raises(ProfileError, match="^profile <dict>: rendered_fields names no article field: replies$"):
        profile_from_dict({**data, "rendered_fields": ["comments", "replies"]})
    every = ["comments", *FILLABLE_FIELDS]
    assert profile_from_dict({**data, "rendered_fields": every}).rendered_fields == tuple(every)
    # An article field a rendering never gives: the page would be rendered for it and nothing taken.
    with pytest.raises(ProfileError, match="^profile <dict>: rendered_fields names a field no rendering gives: "
                                           "photos, language \\(it gives comments, title, published_at, "):
        profile_from_dict({**data, "rendered_fields": ["comments", "photos", "body_text", "language"]})
    with pytest.raises(ProfileError, match="^profile <dict>: rendered_fields must be a list of field names, "
                                           "not 'comments'$"):
        profile_from_dict({**data, "rendered_fields": "comments"})
    assert load_profile("diyaruna").rendered_fields == ()  # its comments are in the HTML


def capture(url: str, body: bytes, content_type: str, referer: str | None = None) -> Capture:
    return Capture(url=url, fetched_at="2024-05-01T00:00:01Z", status=200,
                   request_headers={"Referer": [referer]} if referer else {},
                   response_headers={"Content-Type": [content_type]}, body=body)


def test_warc_writes_the_rendered_dom_as_a_conversion_of_the_page(tmp_path):
    page, api = "http://127.0.0.1:8000/2024/05/01/story", "http://127.0.0.1:8000/api/comments.json"
    archive = open_archive(tmp_path / "a.db")
    with archive.write() as db:
        crawl_id = start_crawl(db, "news", "generic", {}, "2024-05-01T00:00:00Z")
        # The renderer writes its captures before the store pipeline writes the page's.
        store_capture(db, capture(page, b"<ol id='comments'><li>Hi</li></ol>", "text/html"), crawl_id, "rendered")
        store_capture(db, capture(api, b'["Hi"]', "application/json", referer=page), crawl_id, "script")
        store_capture(db, capture(page, b"<ol id='comments'></ol>", "text/html"), crawl_id, "page")
    archive.close()
    summary = export_warc(tmp_path / "a.db", tmp_path / "a.warc")
    assert summary.records == {"warcinfo": 1, "request": 2, "response": 2, "conversion": 1}
    with open(tmp_path / "a.warc", "rb") as stream:
        records = [(r.rec_type, r.rec_headers.get_header("WARC-Target-URI"), r.rec_headers,
                    r.http_headers.get_header("Referer") if r.http_headers else None, r.content_stream().read())
                   for r in ArchiveIterator(stream)]
    assert [(kind, url) for kind, url, *_ in records] == [
        ("warcinfo", None), ("response", api), ("request", api), ("response", page), ("request", page),
        ("conversion", f"urn:rendered:{page}")]  # warcio writes a response before its request
    assert (records[2][3], records[1][4]) == (page, b'["Hi"]')  # the script's request names its page
    conversion = records[5]
    assert conversion[2].get_header("WARC-Refers-To") == records[3][2].get_header("WARC-Record-ID")
    assert (conversion[2].get_header("Content-Type"), conversion[4]) == (
        "text/html", b"<ol id='comments'><li>Hi</li></ol>")


def test_merge_rendered_takes_comments_and_missing_fields_only():
    article = parse_article(URL, page("<h3>2 Comments</h3><div id='comments'></div>"))
    rendered = parse_article(URL, page("<h3>2 Comments</h3><ol class='comment-list'>" + comment(1) + comment(2)
                                       + "</ol><p class='byline'>By Sara Ali</p>"))
    title_source = article.sources["title"]
    taken = merge_rendered(article, rendered)
    assert "comments" in taken and "title" not in taken
    assert [c.body_text for c in article.comments] == ["Comment number 1 about the storm.",
                                                       "Comment number 2 about the storm."]
    assert (article.comments_status, article.sources["comments"], article.sources["title"]) == (
        "complete", Layer.RENDERED, title_source)


def test_merge_rendered_without_comments_stays_unreached():
    article = Article(url=URL, title="T", comments_status="unreached")
    assert merge_rendered(article, Article(url=URL, title="Other")) == []
    assert (article.comments_status, article.title, article.sources) == ("unreached", "T", {})


@pytest.mark.parametrize(("render", "setting"), [("auto", "auto"), ("never", "never"), (None, None)])
def test_crawl_plan_render_setting(render, setting):
    plan = crawl_plan("https://news.example/news/", render=render)
    assert plan.settings.get("NEWSARCHIVE_RENDER") == setting


def test_crawl_plan_refuses_bad_render_mode_and_always_without_browser():
    with pytest.raises(OptionError, match="--render must be one of auto, always, never, not 'sometimes'"):
        crawl_plan("https://news.example/news/", render="sometimes")
    # What is missing depends on the machine (the main test command installs no browser extra):
    # the refusal names it, whichever it is.
    missing = browser_missing("/nonexistent/chromium")
    assert missing in ('scrapy-playwright is not installed (pip install "newsarchive[browser]")',
                       "no Chromium at NEWSARCHIVE_CHROMIUM='/nonexistent/chromium' "
                       "(apt-get install -y chromium-headless-shell)")
    with pytest.raises(OptionError) as refused:
        crawl_plan("https://news.example/news/", render="always",
                   overrides={"NEWSARCHIVE_CHROMIUM": "/nonexistent/chromium"})
    assert str(refused.value) == f"--render always needs a browser: {missing}"


def executables(folder, *names):
    for name in names:
        (folder / name).write_text("#!/bin/sh\n")
        (folder / name).chmod(0o755)
    return folder


def test_chromium_is_the_named_one_else_the_headless_shell_else_the_full_browser(tmp_path, monkeypatch):
    both, full_only, none = (tmp_path / name for name in ("both", "full", "none"))
    for folder in (both, full_only, none):
        folder.mkdir()
    executables(both, "chromium-headless-shell", "chromium")
    executables(full_only, "chromium")
    monkeypatch.setenv("PATH", str(both))
    assert chromium_path("") == str(both / "chromium-headless-shell")
    assert chromium_path("chromium") == str(both / "chromium")  # a name given is the one taken
    assert chromium_path(str(full_only / "chromium")) == str(full_only / "chromium")
    monkeypatch.setenv("PATH", str(full_only))
    assert chromium_path("") == str(full_only / "chromium")
    assert chromium_path("chromium-headless-shell") is None
    monkeypatch.setenv("PATH", str(none))
    assert chromium_path("") is None
    (none / "chromium").mkdir()  # a folder of that name is not a browser
    assert chromium_path(str(none / "chromium")) is None


def test_a_machine_without_chromium_is_told_which_names_were_looked_for(tmp_path, monkeypatch):
    monkeypatch.setenv("PATH", str(executables(tmp_path, "chromium")))
    assert chromium_missing("") is None
    (tmp_path / "chromium").unlink()
    assert chromium_missing("") == ("no Chromium on PATH (chromium-headless-shell or chromium) "
                                   "(apt-get install -y chromium-headless-shell)")


def test_the_browser_may_read_the_other_origins_the_settings_name():
    from newsarchive.scope import Scope

    service = Scope(["https://comments.example"])
    assert browser_request_refusal("GET", "https://comments.example/embed.js", "script", SCOPE, service) is None
    assert browser_request_refusal("POST", "https://comments.example/post", "fetch", SCOPE, service) == "method"
    assert browser_request_refusal("GET", "https://tracker.example/t.js", "script", SCOPE, service) == "offsite"


@pytest.mark.parametrize(("tabs", "expected"), [(None, 3), (0, 3), (1, 1), (2, 2), (3, 3), (8, 3)])
def test_renders_at_once_are_at_most_the_tabs_scrapy_playwright_may_open(tabs, expected):
    """Tabs are kept open for the whole crawl: a render past PLAYWRIGHT_MAX_PAGES_PER_CONTEXT waited
    for a tab until its bound, and failed."""
    values = {"NEWSARCHIVE_RENDER_CONCURRENCY": 3, **({"PLAYWRIGHT_MAX_PAGES_PER_CONTEXT": tabs} if tabs is not None else {})}
    assert render_concurrency(Settings(values)) == expected


@pytest.mark.parametrize("origins", ["https://disqus.com", "https://disqus.com, http://127.0.0.1:9000", ["https://a.example"], ""])
def test_render_origins_that_are_origins_are_taken(origins):
    plan = crawl_plan("https://news.example/news/", overrides={"NEWSARCHIVE_RENDER_ORIGINS": origins})
    assert plan.settings.get("NEWSARCHIVE_RENDER_ORIGINS") == origins


@pytest.mark.parametrize("entry", ["disqus.com", "ftp://files.example", "https://"])
def test_a_render_origin_that_is_no_origin_is_refused_in_one_line(entry):
    with pytest.raises(OptionError) as refused:
        crawl_plan("https://news.example/news/", overrides={"NEWSARCHIVE_RENDER_ORIGINS": f"https://ok.example,{entry}"})
    assert str(refused.value) == (f"NEWSARCHIVE_RENDER_ORIGINS: {entry!r} is not an origin "
                                  f"(scheme://host[:port], e.g. https://disqus.com)")


def test_comments_status_is_stored_and_updated(tmp_path):
    archive = open_archive(tmp_path / "a.db")
    with archive.write() as db:
        crawl_id = start_crawl(db, "news", "generic", {}, "2024-05-01T00:00:00Z")
        store_article(db, Article(url=URL, title="T", body_text="B", comments_status="unreached"), crawl_id,
                      "2024-05-01T00:00:00Z")
        store_article(db, Article(url=URL, title="T", body_text="B", comments_status="complete",
                                  comments=[Comment("Hello there", 0)]), crawl_id, "2024-05-02T00:00:00Z")
    with archive.write() as db:
        assert db.execute("SELECT comments_status FROM articles").fetchall() == [("complete",)]
    archive.close()


class AppShell(SiteHandler):
    """A section that is an app's shell: its script would write the stories' links into it."""

    def do_GET(self):  # noqa: N802 (the http.server API)
        if self.path == "/news/":
            return self.answer(200, "<html><head><title>News</title></head><body><div id='app'></div>"
                                    "<script src='/app.js'></script></body></html>")
        return self.answer(404, "<html><body>Not found</body></html>")


def test_a_section_its_scripts_would_fill_and_no_browser_to_render_it_says_so(tmp_path):
    result = crawl_of(AppShell, tmp_path / "a.db", "--render", "auto", "-s", "NEWSARCHIVE_CHROMIUM=/nonexistent/chromium",
                      "-s", "ROBOTSTXT_OBEY=False")
    assert result.returncode == 4, result.stderr[-3000:]
    assert re.search(r"--render auto: cannot render http://127\.0\.0\.1:\d+/news/ and the like: .+; their links are "
                     r"those of the page as sent", result.stderr)
    assert "2 pages: 0 articles, 2 listings, 0 unchanged, 0 failures; 0 pages rendered, 1 not rendered: no browser" in (
        result.stdout)
