"""The redirects a crawl follows are captures (kind redirect, with where each led): stored with the
page they led to, exported to WARC, and read by the refresh policy, which knows the story a link
that redirects leads to (newsarchive/middlewares/redirect.py, archive/queries.py)."""

from __future__ import annotations

import re
import sqlite3

import pytest
from scrapy import Request, Spider
from scrapy.http import HtmlResponse, Response
from scrapy.utils.test import get_crawler
from warcio.archiveiterator import ArchiveIterator

from newsarchive.archive import open_archive
from newsarchive.archive.queries import REDIRECT_HOPS, ArchiveLookup
from newsarchive.archive.store import start_crawl, store_article, store_capture
from newsarchive.items import Article, Capture
from newsarchive.middlewares.pageresult import REDIRECTS_META, page_result
from newsarchive.middlewares.redirect import (
    REFRESH_HEAD_BYTES,
    LoopAwareMetaRefreshMiddleware,
    LoopAwareRedirectMiddleware,
)
from newsarchive.scope import Scope
from tests.conftest import SiteHandler, run_cli, section_html, serve_handler, story_html

SITE = "http://127.0.0.1:8000"
SEEN = "2026-01-10T00:00:00.000000Z"


def middleware(kind, **settings):
    crawler = get_crawler(Spider, {"NEWSARCHIVE_CAPTURE_ENABLED": True, **settings})
    spider = Spider("test")
    spider.scope = Scope([f"{SITE}/news/"])
    crawler.spider = spider
    return kind.from_crawler(crawler)


def test_each_redirect_followed_is_kept_with_where_it_led():
    redirects = middleware(LoopAwareRedirectMiddleware)
    first = Request(f"{SITE}/news/a?utm_source=x", headers={"User-Agent": "newsarchive"})
    moved = Response(first.url, status=301, headers={"Location": "/news/a/", "Server": "test"}, body=b"moved", request=first)
    second = redirects.process_response(first, moved)
    found = Response(second.url, status=302, headers={"Location": f"{SITE}/news/b/"}, request=second)
    third = redirects.process_response(second, found)
    hops = third.meta[REDIRECTS_META]
    assert [(hop.url, hop.status, hop.location, hop.body) for hop in hops] == [
        (f"{SITE}/news/a?utm_source=x", 301, f"{SITE}/news/a/", b"moved"),
        (f"{SITE}/news/a/", 302, f"{SITE}/news/b/", b""),
    ]
    assert hops[0].response_headers["Location"] == ["/news/a/"] and hops[0].response_headers["Server"] == ["test"]
    assert hops[0].request_headers["User-Agent"] == ["newsarchive"]
    assert REDIRECTS_META not in first.meta and len(second.meta[REDIRECTS_META]) == 1  # each request its own list
    # The page at the end: its PageResult carries them, in order.
    result = page_result(third, [], [], None, redirects.crawler.stats)
    assert [hop.url for hop in result.redirects] == [f"{SITE}/news/a?utm_source=x", f"{SITE}/news/a/"]


def test_a_page_that_refreshes_is_kept_whole():
    refreshes = middleware(LoopAwareMetaRefreshMiddleware)
    request = Request(f"{SITE}/news/old")
    body = (b"<html><head><meta http-equiv='refresh' content='0; url=/news/new'></head><body>"
            + b"<p>moved</p>" * REFRESH_HEAD_BYTES + b"</body></html>")
    followed = refreshes.process_response(request, HtmlResponse(request.url, body=body, request=request))
    (hop,) = followed.meta[REDIRECTS_META]
    assert (hop.status, hop.location, hop.body) == (200, f"{SITE}/news/new", body)


def test_no_redirect_is_kept_when_captures_are_off():
    redirects = middleware(LoopAwareRedirectMiddleware, NEWSARCHIVE_CAPTURE_ENABLED=False)
    request = Request(f"{SITE}/news/a")
    followed = redirects.process_response(request, Response(request.url, status=302, headers={"Location": "/news/b"},
                                                            request=request))
    assert REDIRECTS_META not in followed.meta


def redirect_capture(url: str, to: str) -> Capture:
    return Capture(url, SEEN, 301, {}, {"Location": [to]}, b"", location=to)


@pytest.fixture
def lookup(tmp_path):
    """An archive with the story /news/story, reached by /news/old -> /news/older -> /news/story;
    /news/a and /news/b both redirected to /news/wall (stored as an article)."""
    archive = open_archive(tmp_path / "archive.db")
    with archive.write() as db:
        crawl_id = start_crawl(db, "127.0.0.1", "generic", {}, SEEN)
        for path, title in (("story", "The story"), ("wall", "Before you continue")):
            store_article(db, Article(url=f"{SITE}/news/{path}", title=title, body_text="Text."), crawl_id, SEEN)
        for url, to in (("old", "older"), ("older", "story"), ("a", "wall"), ("b", "wall"), ("loop1", "loop2"),
                        ("loop2", "loop1"), ("gone", "nowhere")):
            store_capture(db, redirect_capture(f"{SITE}/news/{url}", f"{SITE}/news/{to}"), crawl_id, kind="redirect")
        store_capture(db, Capture(f"{SITE}/news/page", SEEN, 200, {}, {}, b"<html></html>"), crawl_id)
    archive.close()
    return ArchiveLookup(tmp_path / "archive.db")


def test_a_link_that_redirected_to_a_stored_story_is_that_story(lookup):
    story = lookup.known_article(f"{SITE}/news/story")
    assert story is not None
    assert lookup.known_article(f"{SITE}/news/older") == story
    assert lookup.known_article(f"{SITE}/news/old") == story  # two hops
    assert lookup.redirect_target(f"{SITE}/news/old") == f"{SITE}/news/older"


def test_a_page_many_links_redirected_to_is_none_of_theirs(lookup):
    assert lookup.known_article(f"{SITE}/news/wall") is not None
    assert lookup.redirect_target(f"{SITE}/news/a") is None
    assert lookup.known_article(f"{SITE}/news/a") is None and lookup.known_article(f"{SITE}/news/b") is None


def test_links_that_led_nowhere_known_are_unknown(lookup):
    assert lookup.known_article(f"{SITE}/news/gone") is None
    assert lookup.known_article(f"{SITE}/news/loop1") is None  # a loop of redirects ends after REDIRECT_HOPS
    assert lookup.known_article(f"{SITE}/news/page") is None and lookup.redirect_target(f"{SITE}/news/page") is None
    assert lookup.known_article(f"{SITE}/news/never-seen") is None


def test_the_hops_followed_are_bounded(tmp_path):
    archive = open_archive(tmp_path / "archive.db")
    with archive.write() as db:
        crawl_id = start_crawl(db, "127.0.0.1", "generic", {}, SEEN)
        store_article(db, Article(url=f"{SITE}/news/{REDIRECT_HOPS}", title="End", body_text="Text."), crawl_id, SEEN)
        for hop in range(REDIRECT_HOPS):
            store_capture(db, redirect_capture(f"{SITE}/news/{hop}", f"{SITE}/news/{hop + 1}"), crawl_id, kind="redirect")
    archive.close()
    lookup = ArchiveLookup(tmp_path / "archive.db")
    assert lookup.known_article(f"{SITE}/news/1") is not None  # REDIRECT_HOPS - 1 hops away
    assert lookup.known_article(f"{SITE}/news/0") is None  # one hop more


class MovedStories(SiteHandler):
    """A section whose story links lack the slash their pages are served under (301 to it, or with
    refresh = True a page whose Refresh header sends the browser there); with wall = True every
    story link redirects to one consent page instead. `asked` notes the paths."""

    def do_GET(self):  # noqa: N802 (the http.server API)
        self.asked.append(self.path)
        if self.path == "/robots.txt":
            return self.answer(404, "no")
        if self.path == "/news/":
            return self.answer(200, section_html())
        if self.path.startswith("/consent"):
            return self.answer(200, "<html><head><title>Before you continue</title></head><body><h1>Before you "
                                    "continue</h1><p>" + "We and our partners use cookies to store and access information on your device. " * 8
                                    + "</p></body></html>")
        number = re.search(r"story-(\d)(/?)$", self.path)
        if number and self.wall:
            return self.answer(302, "", Location="/consent?return=story")
        if number and not number.group(2) and self.refresh:  # "Redirecting...", by a Refresh header
            return self.answer(200, "<html><body>Redirecting...</body></html>", Refresh=f"0; url={self.path}/")
        if number and not number.group(2):
            return self.answer(301, "", Location=self.path + "/")
        if number:
            return self.answer(200, story_html(number.group(1)))
        return self.answer(404, "<html><body>no</body></html>")


@pytest.fixture
def moved_site():
    servers = []

    def serve(wall: bool, refresh: bool = False):
        site = type("Site", (MovedStories,), {"wall": wall, "refresh": refresh, "asked": []})
        servers.append(serve_handler(site))
        return site, f"http://127.0.0.1:{servers[-1].server_port}/news/"

    yield serve
    for server in servers:
        server.shutdown()


def crawl(tmp_path, url: str):
    result = run_cli("crawl", url, "--db", str(tmp_path / "a.db"), "--allow-private", "--render", "never",
                     "-s", "AUTOTHROTTLE_ENABLED=False")
    return result


def test_stories_whose_links_redirect_are_known_to_the_next_crawl_and_exported(tmp_path, moved_site):
    site, url = moved_site(wall=False)
    first = crawl(tmp_path, url)
    assert first.returncode == 0, first.stderr[-3000:]
    with sqlite3.connect(tmp_path / "a.db") as db:
        assert db.execute("SELECT count(*) FROM articles").fetchone() == (4,)
        hops = db.execute("SELECT url, status, location FROM captures WHERE kind = 'redirect' ORDER BY url").fetchall()
    base = url.removesuffix("/news/")
    assert hops == [(f"{base}/news/2024/05/0{n}/story-{n}", 301, f"{base}/news/2024/05/0{n}/story-{n}/")
                    for n in range(1, 5)]
    site.asked.clear()
    second = crawl(tmp_path, url)  # the stories are old and known: none is asked again
    assert second.returncode == 0, second.stderr[-3000:]
    assert not [path for path in site.asked if "story" in path]
    warc = tmp_path / "crawl.warc.gz"
    exported = run_cli("export", "warc", "--db", str(tmp_path / "a.db"), "--out", str(warc))
    assert exported.returncode == 0, exported.stderr[-3000:]
    with open(warc, "rb") as stream:
        moved = [(record.rec_headers.get_header("WARC-Target-URI"), record.http_headers.get_statuscode(),
                  record.http_headers.get_header("Location"))
                 for record in ArchiveIterator(stream) if record.rec_type == "response"
                 and record.http_headers.get_statuscode() == "301"]
    assert sorted(moved) == [(f"{base}/news/2024/05/0{n}/story-{n}", "301", f"/news/2024/05/0{n}/story-{n}/")
                             for n in range(1, 5)]


def test_stories_that_all_redirect_to_one_page_are_asked_for_again(tmp_path, moved_site):
    site, url = moved_site(wall=True)
    first = crawl(tmp_path, url)
    assert first.returncode == 4, first.stderr[-3000:]  # nothing archived but the wall
    assert "4 of the 4 articles stored have one title and text, 'Before you continue'" in first.stdout
    assert "nothing was archived but one page under 4 URLs, 'Before you continue'" in first.stderr
    site.asked.clear()
    crawl(tmp_path, url)
    assert sorted(path for path in site.asked if path.startswith("/news/2024/")) == [
        f"/news/2024/05/0{n}/story-{n}" for n in range(1, 5)]


def test_a_page_reached_again_counts_as_another_url_of_its_text_only_by_way_of_another_url():
    from newsarchive.archive.store import content_hash
    from newsarchive.items import ArticleDuplicate, PageResult
    from newsarchive.pipelines.dedupe import DedupePipeline
    from newsarchive.pipelines.store import StorePipeline, Tally

    wall = Article(url=f"{SITE}/consent", title="Before you continue", body_text="We use cookies.")
    dedupe = DedupePipeline(get_crawler(Spider).stats)
    assert dedupe.dedupe(wall) is wall
    again = dedupe.dedupe(Article(url=f"{SITE}/consent", title="Before you continue", body_text="We use cookies."))
    assert again == ArticleDuplicate(f"{SITE}/consent", f"{SITE}/consent")
    assert again.same_page == ("Before you continue", content_hash("Before you continue", "We use cookies."))
    tally = Tally()
    for story in ("story-2", "story-3"):
        StorePipeline.count_page_reached_again(PageResult(url=f"{SITE}/news/{story}", records=[again]), again, tally)
    StorePipeline.count_page_reached_again(PageResult(url=f"{SITE}/consent", records=[again]), again, tally)  # itself
    other = ArticleDuplicate(f"{SITE}/news/b", f"{SITE}/news/a")  # another URL of a story: counted as itself
    StorePipeline.count_page_reached_again(PageResult(url=f"{SITE}/news/b", records=[other]), other, tally)
    assert tally.texts == {again.same_page[1][:16]: 2}
    assert tally.titles == {again.same_page[1][:16]: "Before you continue"}


def test_stories_reached_by_a_refresh_header_are_archived(tmp_path, moved_site):
    site, url = moved_site(wall=False, refresh=True)
    result = crawl(tmp_path, url)
    assert result.returncode == 0, result.stderr[-3000:]
    base = url.removesuffix("/news/")
    with sqlite3.connect(tmp_path / "a.db") as db:
        assert sorted(row[0] for row in db.execute("SELECT url FROM articles")) == [
            f"{base}/news/2024/05/0{n}/story-{n}/" for n in range(1, 5)]
        assert db.execute("SELECT count(*) FROM failures").fetchone() == (0,)
        hops = db.execute("SELECT status, location FROM captures WHERE kind = 'redirect' ORDER BY url").fetchall()
    assert hops == [(200, f"{base}/news/2024/05/0{n}/story-{n}/") for n in range(1, 5)]


class EditedHeadline(SiteHandler):
    """A story whose headline, and slug with it, the site edits between crawls (`edited`, a class
    attribute); the old URL then redirects to the new one (or, with `to_wall`, to a consent page),
    and the section still links the old URL."""

    def do_GET(self):  # noqa: N802 (the http.server API)
        old, new = "/news/2024/05/01/bridge-closes/", "/news/2024/05/01/bridge-closes-for-repairs/"
        prose = "".join(f"<p>Paragraph {k} of the story on the river and the bridge works, told at length.</p>"
                        for k in range(5))
        if self.path == "/robots.txt":
            return self.answer(404, "no")
        if self.path == "/news/":
            return self.answer(200, f"<html><head><title>News</title></head><body><ul><li><a href='{old}'>The "
                                    "bridge</a></li></ul></body></html>")
        if self.path == old and self.edited:
            return self.answer(301, "", Location="/consent/" if self.to_wall else new)
        if self.path == old or (self.path == new and self.edited):
            title = "The bridge closes for repairs" if self.edited else "The bridge closes"
            return self.answer(200, f"<html><head><title>{title}</title><link rel='canonical' href='{self.path}'>"
                                    f"<meta property='article:published_time' content='2024-05-01T08:00:00Z'></head>"
                                    f"<body><article><h1>{title}</h1>{prose}</article></body></html>")
        if self.path == "/consent/":
            return self.answer(200, "<html><head><title>Before you continue</title></head><body><h1>Before you "
                                    "continue</h1><p>" + "We and our partners use cookies to store and access "
                                    "information on your device. " * 8 + "</p></body></html>")
        return self.answer(404, "<html><body>no</body></html>")


@pytest.mark.parametrize("to_wall", [False, True])
def test_a_story_whose_url_moved_with_its_headline_keeps_one_history(tmp_path, to_wall):
    site = type("Site", (EditedHeadline,), {"edited": False, "to_wall": to_wall})
    server = serve_handler(site)
    url = f"http://127.0.0.1:{server.server_port}/news/"
    try:
        assert crawl(tmp_path, url).returncode == 0
        site.edited = True
        again = run_cli("crawl", url, "--db", str(tmp_path / "a.db"), "--allow-private", "--render", "never",
                        "--full", "-s", "AUTOTHROTTLE_ENABLED=False")
    finally:
        server.shutdown()
    with sqlite3.connect(tmp_path / "a.db") as db:
        stories = db.execute("SELECT id, title, version_count FROM articles ORDER BY id").fetchall()
        urls = sorted(url.split("/01/")[-1] for (url,) in db.execute("SELECT url FROM article_urls WHERE article_id = 1"))
        failures = db.execute("SELECT crawl_id, url, reason FROM failures").fetchall()
    if to_wall:
        # Not the story, and no story at all (no date, none of its text): the story keeps its one
        # version, and its URL's answer is its failure, asked again next crawl. (It was stored as
        # an article of its own, and the crawl told of no failure: changed with that decision.)
        assert [(title, versions) for _, title, versions in stories] == [("The bridge closes", 1)]
        assert urls == ["bridge-closes/"]
        assert [(crawl_id, url.split("/01/")[-1], reason) for crawl_id, url, reason in failures] == [
            (2, "bridge-closes/", "not_the_story")]
    else:
        assert again.returncode == 0, again.stderr[-3000:]
        assert stories == [(1, "The bridge closes for repairs", 2)]
        assert urls == ["bridge-closes-for-repairs/", "bridge-closes/"]


class MovedRobots(MovedStories):
    """The stories of MovedStories, with a robots.txt that moved: /robots.txt answers 301."""

    wall, refresh = False, False

    def do_GET(self):  # noqa: N802 (the http.server API)
        if self.path == "/robots.txt":
            return self.answer(301, "", Location="/meta/robots.txt")
        if self.path == "/meta/robots.txt":
            return self.answer(200, "User-agent: *\nDisallow: /private/\n", **{"Content-Type": "text/plain"})
        return super().do_GET()


def test_a_robots_txt_that_redirects_is_kept_with_its_redirect(tmp_path):
    # Only the file at the redirect's target was kept: /robots.txt itself was in no WARC.
    site = type("Site", (MovedRobots,), {"asked": []})
    server = serve_handler(site)
    try:
        result = crawl(tmp_path, f"http://127.0.0.1:{server.server_port}/news/")
    finally:
        server.shutdown()
    assert result.returncode == 0, result.stderr[-3000:]
    base = f"http://127.0.0.1:{server.server_port}"
    with sqlite3.connect(tmp_path / "a.db") as db:
        kept = db.execute("SELECT kind, url, status, location FROM captures WHERE url LIKE '%robots%' ORDER BY id").fetchall()
    assert kept == [("redirect", f"{base}/robots.txt", 301, f"{base}/meta/robots.txt"),
                    ("robots", f"{base}/meta/robots.txt", 200, None)]
