"""A site that shows its pages only to a visitor holding a cookie it sets on a redirect (a cookie
check): the crawl passes it as a browser does, and keeps no other cookie
(newsarchive/middlewares/site_cookies.py, the loop rule in newsarchive/middlewares/redirect.py)."""

from __future__ import annotations

import re
import sqlite3
from datetime import datetime, timezone

import pytest
from scrapy import Request, Spider
from scrapy.http import Response
from scrapy.utils.test import get_crawler

from newsarchive.failures import RedirectLoop
from newsarchive.middlewares.redirect import LoopAwareMetaRefreshMiddleware, LoopAwareRedirectMiddleware
from newsarchive.middlewares.site_cookies import EntryCookiesMiddleware, SiteCookies, cookie_pairs, parse_set_cookie
from newsarchive.scope import Scope
from tests.conftest import SiteHandler, crawl_of, section_html, story_html

SITE = "http://127.0.0.1:8000"
NOW = datetime(2026, 1, 1, tzinfo=timezone.utc)


@pytest.mark.parametrize(("line", "cookie"), [
    ("seen=1", ("seen", "1")),
    ("  seen = 1 ; Path=/; Secure; HttpOnly", ("seen", "1")),
    ("token=a=b==; Domain=example.org", ("token", "a=b==")),
    ("empty=; Path=/", ("empty", "")),
    ("seen=1; Max-Age=3600", ("seen", "1")),
    ("seen=1; Max-Age=0", ("seen", None)),
    ("seen=1; max-age=-1", ("seen", None)),
    ("seen=1; Max-Age=soon", ("seen", "1")),
    ("seen=1; Expires=Thu, 01 Jan 1970 00:00:00 GMT", ("seen", None)),
    ("seen=1; expires=Fri, 01 Jan 2027 00:00:00 GMT", ("seen", "1")),
    ("seen=1; Expires=never", ("seen", "1")),
    ("no-equals-sign", None),
    ("=value", None),
    ("", None),
])
def test_a_set_cookie_line_read(line, cookie):
    assert parse_set_cookie(line, NOW) == cookie


def test_cookies_are_kept_by_host_and_forgotten_when_expired():
    cookies = SiteCookies()
    assert cookies.take(f"{SITE}/a", [b"seen=1; Path=/", b"lang=ar"]) is True  # the host's first
    assert cookies.take(f"{SITE}/a", [b"seen=1"]) is False
    assert cookies.take("http://third.example/", []) is False
    cookies.take("http://other.example/", [b"id=7"])
    assert cookies.header_for(f"{SITE}/any/page") == "seen=1; lang=ar"
    assert cookies.header_for("https://127.0.0.1:9000/x") == "seen=1; lang=ar"  # a host's, whatever the port
    assert cookies.header_for("http://OTHER.example/y") == "id=7"
    assert cookies.header_for("http://third.example/") is None
    cookies.take(f"{SITE}/b", [b"seen=2", b"lang=; Max-Age=0"])
    assert cookies.header_for(f"{SITE}/") == "seen=2"
    cookies.take(f"{SITE}/b", [b"seen=; Max-Age=0"])
    assert cookies.header_for(f"{SITE}/") is None


def test_a_cookie_header_read():
    assert cookie_pairs(b"a=1; b=x=y;c; =d") == {"a": "1", "b": "x=y"}
    assert cookie_pairs("") == {} and cookie_pairs(None) == {}


def crawler_for(**settings):
    crawler = get_crawler(Spider, {"REDIRECT_MAX_TIMES": 5, "COOKIES_ENABLED": False, **settings})  # the crawl's setting
    spider = Spider("test")
    spider.scope = Scope([f"{SITE}/news/"])
    crawler.spider = spider
    return crawler


def redirect(request: Request, to: str, *cookies: str) -> Response:
    headers = {"Location": to, "Set-Cookie": list(cookies)} if cookies else {"Location": to}
    return Response(request.url, status=302, headers=headers, request=request)


def sent(middleware: EntryCookiesMiddleware, request: Request) -> Request:
    """The request as it leaves the downloader middlewares (the entry cookies added)."""
    assert middleware.process_request(request) is None
    return request


def test_a_redirect_to_itself_that_sets_a_cookie_is_asked_again_with_it_once():
    crawler = crawler_for()
    redirects, cookies = LoopAwareRedirectMiddleware.from_crawler(crawler), EntryCookiesMiddleware.from_crawler(crawler)
    first = sent(cookies, Request(f"{SITE}/news/"))
    assert "Cookie" not in first.headers
    again = sent(cookies, redirects.process_response(first, redirect(first, f"{SITE}/news/", "seen=1; Path=/")))
    assert again.url == f"{SITE}/news/" and again.dont_filter
    assert again.headers["Cookie"] == b"seen=1"
    # The site sends it round again, with the same cookie: a loop, which names the cookie it had.
    with pytest.raises(RedirectLoop) as loop:
        redirects.process_response(again, redirect(again, f"{SITE}/news/", "seen=1; Path=/"))
    assert str(loop.value) == (f"redirect loop, though it was asked with the cookies the site set (seen): "
                               f"{SITE}/news/ -> {SITE}/news/ -> {SITE}/news/")
    # Every later request to the site carries the cookie; one to another host does not.
    assert sent(cookies, Request(f"{SITE}/2024/05/02/story")).headers["Cookie"] == b"seen=1"
    assert "Cookie" not in sent(cookies, Request("http://127.0.0.2:8000/news/")).headers
    # A redirect's copy of a request carries the cookies it had then: those held now replace them.
    SiteCookies.of(crawler).take(f"{SITE}/news/", [b"seen=2"])
    assert sent(cookies, again).headers["Cookie"] == b"seen=2"


def test_a_cookie_check_on_a_page_of_its_own_leads_back_to_the_page():
    crawler = crawler_for()
    redirects, cookies = LoopAwareRedirectMiddleware.from_crawler(crawler), EntryCookiesMiddleware.from_crawler(crawler)
    story = sent(cookies, Request(f"{SITE}/news/story"))
    check = sent(cookies, redirects.process_response(story, redirect(story, f"{SITE}/check?to=/news/story")))
    assert "Cookie" not in check.headers
    back = sent(cookies, redirects.process_response(check, redirect(check, f"{SITE}/news/story", "ok=yes")))
    assert back.url == f"{SITE}/news/story" and back.headers["Cookie"] == b"ok=yes"
    assert back.meta["redirect_urls"] == [f"{SITE}/news/story", f"{SITE}/check?to=/news/story"]


def test_a_redirect_loop_that_sets_no_cookie_is_still_a_loop_at_once():
    crawler = crawler_for()
    redirects, cookies = LoopAwareRedirectMiddleware.from_crawler(crawler), EntryCookiesMiddleware.from_crawler(crawler)
    SiteCookies.of(crawler).take(f"{SITE}/", [b"seen=1"])  # held already, and sent
    request = sent(cookies, Request(f"{SITE}/a"))
    with pytest.raises(RedirectLoop, match=re.escape(f"(seen): {SITE}/a -> {SITE}/a")):
        redirects.process_response(request, redirect(request, f"{SITE}/a"))
    fresh = Request(f"{SITE}/b")  # no cookie held, none sent: the old message
    with pytest.raises(RedirectLoop, match=re.escape(f"redirect loop: {SITE}/b -> {SITE}/b")):
        LoopAwareRedirectMiddleware.from_crawler(crawler_for()).process_response(fresh, redirect(fresh, f"{SITE}/b"))


def test_a_meta_refresh_to_itself_that_sets_a_cookie_is_asked_again():
    crawler = crawler_for()
    refreshes = LoopAwareMetaRefreshMiddleware.from_crawler(crawler)
    from scrapy.http import HtmlResponse

    request = Request(f"{SITE}/a")
    page = HtmlResponse(request.url, body=b"<html><head><meta http-equiv='refresh' content='0; url=/a'></head></html>",
                        headers={"Set-Cookie": "js=ok"}, request=request)
    again = refreshes.process_response(request, page)
    assert again.url == f"{SITE}/a"
    assert SiteCookies.of(crawler).header_for(again.url) == "js=ok"


def test_with_the_crawl_s_own_cookies_on_none_is_added():
    crawler = crawler_for(COOKIES_ENABLED=True)
    SiteCookies.of(crawler).take(f"{SITE}/", [b"seen=1"])
    assert "Cookie" not in sent(EntryCookiesMiddleware.from_crawler(crawler), Request(f"{SITE}/a")).headers


def test_a_cookie_header_of_the_request_s_own_is_kept():
    crawler = crawler_for()
    SiteCookies.of(crawler).take(f"{SITE}/", [b"seen=1"])
    request = sent(EntryCookiesMiddleware.from_crawler(crawler), Request(f"{SITE}/a", headers={"Cookie": "mine=1"}))
    assert request.headers["Cookie"] == b"mine=1"


class CookieCheckedSite(SiteHandler):
    """Pages only for a visitor with the cookie `seen=1`, set on a redirect: to the page itself
    (check = "self") or through /check (check = "page"); with check = "never" the cookie is set
    and never accepted. Each story's page sets a metering cookie the crawl must not send back.
    `asked` notes (path, Cookie header) of every request."""

    def do_GET(self):  # noqa: N802 (the http.server API)
        cookie = self.headers.get("Cookie") or ""
        self.asked.append((self.path, cookie))
        if self.path == "/robots.txt":
            return self.answer(404, "no")
        if self.check == "never" or "seen=1" not in cookie:
            if self.check == "page" and self.path.startswith("/check?to="):
                return self.answer(302, "", Location=self.path[len("/check?to="):], **{"Set-Cookie": "seen=1; Path=/"})
            target = f"/check?to={self.path}" if self.check == "page" else self.path
            extra = {} if self.check == "page" else {"Set-Cookie": "seen=1; Path=/; HttpOnly"}
            return self.answer(302, "", Location=target, **extra)
        if self.path == "/news/":
            return self.answer(200, section_html())
        number = re.search(r"story-(\d)$", self.path)
        if number:
            return self.answer(200, story_html(number.group(1)), **{"Set-Cookie": "meter=1; Path=/"})
        return self.answer(404, "<html><body>no</body></html>")


def crawl_checked_site(tmp_path, check: str):
    site = type("Site", (CookieCheckedSite,), {"check": check, "asked": []})
    result = crawl_of(site, tmp_path / "a.db", "--render", "never", "-s", "AUTOTHROTTLE_ENABLED=False")
    return result, site.asked, tmp_path / "a.db"


@pytest.mark.parametrize("check", ["self", "page"])
def test_a_site_behind_a_cookie_check_is_archived(tmp_path, check):
    result, asked, db_path = crawl_checked_site(tmp_path, check)
    assert result.returncode == 0, result.stderr[-3000:]
    assert result.stderr.count("127.0.0.1 set cookies on a redirect (seen): sent back with its requests") == 1
    with sqlite3.connect(db_path) as db:
        assert db.execute("SELECT count(*) FROM articles").fetchone() == (4,)
        assert db.execute("SELECT count(*) FROM failures").fetchone() == (0,)
    stories = [cookie for path, cookie in asked if "story-" in path]
    assert stories == ["seen=1"] * 4  # each asked once, with the check's cookie and not the meter's
    assert not any("meter" in cookie for _, cookie in asked)


def test_a_cookie_check_that_never_passes_fails_naming_the_cookie(tmp_path):
    result, asked, db_path = crawl_checked_site(tmp_path, "never")
    assert result.returncode == 4, result.stderr[-3000:]
    with sqlite3.connect(db_path) as db:
        (detail,) = db.execute("SELECT detail FROM failures WHERE url LIKE '%/news/'").fetchone()
    assert "redirect loop, though it was asked with the cookies the site set (seen)" in detail
    assert [cookie for path, cookie in asked if path == "/news/"] == ["", "seen=1"]  # asked again once, with it
