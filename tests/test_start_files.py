"""A feed or a sitemap given as a crawl's start URL is read as what it is (spiders/generic.py,
parse_listing; sitemaps.discovery_file_kind). It was read as an HTML page with no link (a feed) or
failed as no HTML (a sitemap): nothing archived, exit 4."""

from __future__ import annotations

import gzip
import json
import re
import sqlite3

import pytest

from newsarchive.parsers.sitemaps import discovery_file_kind
from tests.conftest import SiteHandler, crawl_of, run_cli, serve_handler, story_html

SITEMAP_NS = "http://www.sitemaps.org/schemas/sitemap/0.9"


@pytest.mark.parametrize(("body", "content_type", "kind"), [
    (b"<?xml version='1.0'?>\n<?xml-stylesheet href='/feed.xsl'?>\n<rss version='2.0'><channel>", "text/xml", "feed"),
    (b"\xef\xbb\xbf<feed xmlns='http://www.w3.org/2005/Atom'><title>T</title>", "application/atom+xml", "feed"),
    (b"<rdf:RDF xmlns:rdf='http://www.w3.org/1999/02/22-rdf-syntax-ns#'>", None, "feed"),
    (b'  {"version": "https://jsonfeed.org/version/1.1", "items": []}', "application/json", "feed"),
    # As PHP's json_encode writes it (slashes escaped), after a byte order mark, or told by its media type.
    (b'{"version":"https:\\/\\/jsonfeed.org\\/version\\/1.1","items":[]}', "application/json", "feed"),
    (b'\xef\xbb\xbf{"version": "https://jsonfeed.org/version/1", "items": []}', None, "feed"),
    (b'{"items": [], "version": "the URL far below"}', "application/feed+json; charset=utf-8", "feed"),
    (b"<?xml version='1.0'?><!-- generator --><sitemapindex xmlns='" + SITEMAP_NS.encode() + b"'>", None, "sitemap"),
    (b"<urlset xmlns='" + SITEMAP_NS.encode() + b"'><url>", "text/html", "sitemap"),
    (gzip.compress(b"<urlset/>"), "application/octet-stream", "sitemap"),
    (b"https://news.example/a\nhttps://news.example/b\n", "text/plain; charset=utf-8", "sitemap"),
    # pages, and what is neither
    (b"https://news.example/a\nhttps://news.example/b\n", "text/html", None),
    (b"<?xml version='1.0'?><!DOCTYPE html><html xmlns='http://www.w3.org/1999/xhtml'>", "application/xhtml+xml", None),
    (b"<!DOCTYPE html><html><head><title>News</title>", "text/html", None),
    (b"<html><body><rss>not a feed, a tag in a page</rss>", "text/html", None),
    (b'{"stories": [1, 2]}', "application/json", None),
    (b"User-agent: *\nDisallow:", "text/plain", None),
    (b"", None, None),
])
def test_a_feed_or_sitemap_is_told_by_its_first_bytes(body, content_type, kind):
    assert discovery_file_kind(body, content_type) == kind


class SiteOfFiles(SiteHandler):
    """Stories 1 to 7; an RSS feed (with a stylesheet, served as text/xml) lists 1 and 2, a JSON
    Feed 3, a sitemap index a gzipped sitemap listing 4 and 5, a text sitemap 6. Nothing links 7.
    No robots.txt, no /sitemap.xml."""

    def do_GET(self):  # noqa: N802 (the http.server API)
        base = f"http://127.0.0.1:{self.server.server_port}"
        story = f"{base}/news/2024/05/0{{}}/story-{{}}"
        if self.path == "/feed/":
            items = "".join(f"<item><title>{n}</title><link>{story.format(n, n)}</link></item>" for n in (1, 2))
            return self.answer(200, "<?xml version='1.0'?><?xml-stylesheet type='text/xsl' href='/feed.xsl'?>"
                                    f"<rss version='2.0'><channel><title>T</title>{items}</channel></rss>",
                               **{"Content-Type": "text/xml"})
        if self.path == "/feed.json":
            feed = {"version": "https://jsonfeed.org/version/1.1", "title": "T", "items": [{"id": "3", "url": story.format(3, 3)}]}
            return self.answer(200, json.dumps(feed), **{"Content-Type": "application/feed+json"})
        if self.path == "/sitemaps/index.xml":
            return self.answer(200, f"<?xml version='1.0'?><sitemapindex xmlns='{SITEMAP_NS}'><sitemap><loc>{base}"
                                    "/sitemaps/stories.xml.gz</loc></sitemap></sitemapindex>",
                               **{"Content-Type": "application/xml"})
        if self.path == "/sitemaps/stories.xml.gz":
            entries = "".join(f"<url><loc>{story.format(n, n)}</loc></url>" for n in (4, 5))
            return self.answer(200, gzip.compress(f"<urlset xmlns='{SITEMAP_NS}'>{entries}</urlset>".encode()),
                               **{"Content-Type": "application/gzip"})
        if self.path == "/urls.txt":
            return self.answer(200, story.format(6, 6) + "\n", **{"Content-Type": "text/plain"})
        number = re.fullmatch(r"/news/2024/05/0(\d)/story-\1", self.path)
        if number:
            return self.answer(200, story_html(number.group(1)))
        return self.answer(404, "<html><body>no such page</body></html>")


def test_a_crawl_started_from_feeds_and_sitemaps_archives_the_stories_they_list(tmp_path):
    server = serve_handler(SiteOfFiles)
    base = f"http://127.0.0.1:{server.server_port}"
    try:
        result = run_cli("crawl", f"{base}/feed/", "--sections", "/feed.json,/sitemaps/index.xml,/urls.txt",
                         "--db", str(tmp_path / "a.db"), "--allow-private", "--render", "never",
                         "-s", "AUTOTHROTTLE_ENABLED=False")
    finally:
        server.shutdown()
    assert result.returncode == 0, result.stderr[-3000:]
    with sqlite3.connect(tmp_path / "a.db") as db:
        titles = sorted(title for (title,) in db.execute("SELECT title FROM articles"))
        listings = sorted(db.execute("SELECT url, kind, links FROM listings"))
        failures = db.execute("SELECT url, reason FROM failures").fetchall()
    assert titles == [f"Story {n}" for n in range(1, 7)]
    assert listings == [
        (f"{base}/feed.json", "feed", 1), (f"{base}/feed/", "feed", 2),
        (f"{base}/sitemap.xml", "sitemap", 0),  # guessed, absent: no failure
        (f"{base}/sitemaps/index.xml", "sitemap", 1), (f"{base}/sitemaps/stories.xml.gz", "sitemap", 2),
        (f"{base}/urls.txt", "sitemap", 1),
    ]
    assert failures == []


class AnnouncedFeeds(SiteHandler):
    """A section linking no story, announcing two feeds: a JSON Feed opening with a byte order mark
    (stories 1 and 2), and an address that answers a page, no feed."""

    def do_GET(self):  # noqa: N802 (the http.server API)
        base = f"http://127.0.0.1:{self.server.server_port}"
        if self.path == "/news/":
            return self.answer(200, "<html><head><title>News</title>"
                                    "<link rel='alternate' type='application/feed+json' href='/feed.json'>"
                                    "<link rel='alternate' type='application/rss+xml' href='/rss/'></head>"
                                    "<body><h1>News</h1><p>Our stories are in our feeds.</p></body></html>")
        if self.path == "/feed.json":
            items = ", ".join(f'{{"url": "{base}/news/2024/05/0{n}/story-{n}"}}' for n in (1, 2))
            body = b"\xef\xbb\xbf" + f'{{"version": "https://jsonfeed.org/version/1.1", "items": [{items}]}}'.encode()
            return self.answer(200, body, **{"Content-Type": "application/feed+json"})
        if self.path == "/rss/":
            return self.answer(200, "<!DOCTYPE html><html><body><h1>Subscribe to our feeds</h1></body></html>")
        if self.path.startswith("/news/2024/"):
            return self.answer(200, story_html(self.path.rsplit("-", 1)[-1]))
        return self.answer(404, "no")


def test_an_announced_feed_is_read_past_its_byte_order_mark_and_one_that_is_no_feed_is_a_failure(tmp_path):
    # Both were stored as empty feeds, and the JSON Feed's stories were lost with nothing said.
    result = crawl_of(AnnouncedFeeds, tmp_path / "a.db", "--render", "never", "--no-index", "-s", "ROBOTSTXT_OBEY=False")
    assert result.returncode == 0, result.stderr[-3000:]
    with sqlite3.connect(tmp_path / "a.db") as db:
        assert sorted(title for (title,) in db.execute("SELECT title FROM articles")) == ["Story 1", "Story 2"]
        failures = db.execute("SELECT substr(url, -5), reason, detail FROM failures").fetchall()
    assert failures == [("/rss/", "not_a_feed", "the body is no RSS, Atom or JSON Feed")]
