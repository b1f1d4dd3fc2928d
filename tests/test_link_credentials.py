"""A link that carries a user name and password (http://user:secret@host/...) is followed without
them: the page's credentials are not the crawl's to send, and Twisted took them for part of the
host's name, so the story was a `fetch_error` ("invalid hostname") asked for again by every crawl."""

from __future__ import annotations

import sqlite3

import pytest

from newsarchive.parsers.urls import canonicalise_url
from tests.conftest import SiteHandler, crawl_of, story_html


@pytest.mark.parametrize(("link", "canonical"), [
    ("http://user:secret@news.example/news/a", "http://news.example/news/a"),
    ("https://user@news.example:8443/news/a", "https://news.example:8443/news/a"),
    ("http://@news.example/news/a", "http://news.example/news/a"),
    ("http://a@b@news.example/news/a", "http://news.example/news/a"),  # the host is after the last @
    ("http://news.example/news/a@b?mail=a@b", "http://news.example/news/a@b?mail=a%40b"),  # not in the host: kept
])
def test_credentials_are_no_part_of_a_canonical_url(link, canonical):
    assert canonicalise_url(link) == canonical


class LinksWithCredentials(SiteHandler):
    asked: list[str] = []

    def do_GET(self):  # noqa: N802 (the http.server API)
        LinksWithCredentials.asked.append(self.path)
        port = self.server.server_port
        if self.path == "/news/":
            return self.answer(200, "<html><body><h1>News</h1>"
                               f"<p><a href='http://user:secret@127.0.0.1:{port}/news/2024/05/01/story-1'>One</a></p>"
                               "<p><a href='/news/2024/05/01/story-2'>Two</a></p></body></html>")
        if self.path.startswith("/news/2024/05/01/story-"):
            return self.answer(200, story_html(self.path.rsplit("-", 1)[1]))
        return self.answer(404, "<html><body>no</body></html>")


def test_a_story_linked_with_credentials_is_archived_under_its_url_without_them(tmp_path):
    LinksWithCredentials.asked = []
    result = crawl_of(LinksWithCredentials, tmp_path / "a.db", "-s", "ROBOTSTXT_OBEY=False")
    assert result.returncode == 0, result.stderr[-3000:]
    with sqlite3.connect(tmp_path / "a.db") as db:
        urls = sorted(url.split("/", 3)[3] for (url,) in db.execute("SELECT url FROM articles"))
        failures = db.execute("SELECT url, reason FROM failures").fetchall()
    assert urls == ["news/2024/05/01/story-1", "news/2024/05/01/story-2"]
    assert failures == []
    assert "/news/2024/05/01/story-1" in LinksWithCredentials.asked
