"""Long URLs (newsarchive/middlewares/url_length.py): a story whose slug, percent-encoded, passes
Scrapy's 2,083 characters is archived; a URL over URLLENGTH_LIMIT is one `url_too_long` failure
under that URL, not a request dropped unrecorded (a `not_fetched` failure with no reason)."""

from __future__ import annotations

import sqlite3
from urllib.parse import quote, unquote

import pytest
from scrapy import Request, Spider
from scrapy.utils.test import get_crawler
from twisted.python.failure import Failure

from newsarchive.failures import UrlTooLong, describe_failure
from newsarchive.middlewares.url_length import LongUrlMiddleware
from newsarchive.settings import URLLENGTH_LIMIT
from tests.conftest import SiteHandler, crawl_of, story_html

# Sixty words of an Arabic headline ("the floods"), as a slug: 3,299 characters percent-encoded.
ARABIC_SLUG = "-".join(["الفيضانات"] * 60)
TOO_LONG_SLUG = "a" * 9000


def middleware(limit: int) -> LongUrlMiddleware:
    crawler = get_crawler(Spider, {"URLLENGTH_LIMIT": limit})
    return LongUrlMiddleware.from_crawler(crawler)


def url_of_length(length: int) -> str:
    head = "http://127.0.0.1:8000/"
    return head + "a" * (length - len(head))


@pytest.mark.parametrize(("length", "limit", "refused"), [
    (100, 100, False),  # exactly the limit
    (101, 100, True),
    (10_000, 0, False),  # 0: no limit
])
def test_a_url_over_the_limit_is_refused_with_its_length(length, limit, refused):
    request = Request(url_of_length(length))
    if not refused:
        assert middleware(limit).process_request(request) is None
        return
    with pytest.raises(UrlTooLong) as raised:
        middleware(limit).process_request(request)
    assert describe_failure(Failure(raised.value))[:2] == (
        "url_too_long", f"UrlTooLong: the URL is {length} characters long, over URLLENGTH_LIMIT ({limit})")


def test_the_limit_is_a_servers_request_line_not_an_old_browsers():
    encoded = "http://127.0.0.1:8000/news/2024/05/02/" + quote(ARABIC_SLUG)
    assert 2083 < len(encoded) < URLLENGTH_LIMIT == 8192


class LongSlugSite(SiteHandler):
    """/news/ links three stories: a short slug, the Arabic one and one of 9,000 letters; each is
    served at its path. `asked` notes the story paths asked."""

    asked: list[str] = []

    def do_GET(self):  # noqa: N802 (the http.server API)
        if self.path == "/news/":
            links = "".join(f"<li><a href='/news/2024/05/0{n}/{slug}'>Story {n}</a></li>"
                            for n, slug in enumerate(("story-1", ARABIC_SLUG, TOO_LONG_SLUG), 1))
            return self.answer(200, f"<html><head><title>News</title></head><body><ul>{links}</ul></body></html>")
        for n, slug in enumerate(("story-1", ARABIC_SLUG, TOO_LONG_SLUG), 1):
            if unquote(self.path) == f"/news/2024/05/0{n}/{slug}":
                self.asked.append(self.path)
                return self.answer(200, story_html(n))
        self.answer(404, "<html><body>no</body></html>")


def test_a_long_slug_is_archived_and_a_url_too_long_is_one_failure_of_its_own(tmp_path):
    LongSlugSite.asked = []
    db_path = tmp_path / "archive.db"
    finished = crawl_of(LongSlugSite, db_path)
    assert finished.returncode == 0, finished.stderr[-2000:]
    db = sqlite3.connect(db_path)
    articles = {unquote(url).rsplit("/", 1)[1]: title for url, title in db.execute("SELECT url, title FROM articles")}
    assert articles == {"story-1": "Story 1", ARABIC_SLUG: "Story 2"}
    failures = db.execute("SELECT reason, url FROM failures").fetchall()
    assert [(reason, url.rsplit("/", 1)[1]) for reason, url in failures] == [("url_too_long", TOO_LONG_SLUG)]
    assert len(LongSlugSite.asked) == 2  # the long one was never sent
    # the section and the guessed /sitemap.xml (absent) are the listings
    assert "5 pages: 2 articles, 2 listings, 0 unchanged, 1 failures" in finished.stdout
