"""Captures: every response of a crawl kept with its headers and compressed body; can be switched off."""

from __future__ import annotations

import json
import socket
import sqlite3
import urllib.request
import zlib
from datetime import datetime, timedelta, timezone
from urllib.parse import urlsplit

import pytest

from newsarchive.demo.serve import content_type_of
from newsarchive.demo.site import generate_site
from tests.conftest import SiteHandler, run_cli, serve_handler, serve_in_subprocess
from tests.faulty_parser import SLOW_SECONDS

SETTINGS = ("-s", "AUTOTHROTTLE_ENABLED=0", "-s", "LOG_LEVEL=WARNING")


def crawl(demo_site, db_path, *options):
    result = run_cli("crawl", "diyaruna", "--db", str(db_path), "--base-url", demo_site.base_url,
                     "--allow-private", "--locales", "ar", *SETTINGS, *options)
    assert result.returncode == 0, result.stderr[-3000:]
    db = sqlite3.connect(db_path)
    db.row_factory = sqlite3.Row
    return db


def served_file(demo_site, url):
    path = urlsplit(url).path.strip("/")
    if (demo_site.site_dir / path).is_file():  # the sitemap, the feeds
        return demo_site.site_dir / path
    page = dict(part.split("=") for part in urlsplit(url).query.split("&") if part).get("page", "1")
    return demo_site.site_dir / path / ("index.html" if page == "1" else f"page-{page}.html")


def test_every_response_listings_too_is_captured_as_served(demo_site, tmp_path):
    db = crawl(demo_site, tmp_path / "archive.db")
    every_capture = [dict(row) for row in db.execute("SELECT * FROM captures")]
    crawl_row = dict(db.execute("SELECT * FROM crawls").fetchone())
    assert len(every_capture) == crawl_row["responses"]  # robots.txt too, fetched by middleware
    robots = [c for c in every_capture if c["kind"] == "robots"]
    assert [(c["url"], c["status"], c["crawl_id"]) for c in robots] == [(demo_site.url("/robots.txt"), 200, crawl_row["id"])]
    assert zlib.decompress(robots[0]["body"]) == b"User-agent: *\nDisallow: /private/\n"
    assert robots[0]["content_type"] == "text/plain; charset=utf-8" and robots[0]["body_file"] is None
    captures = [c for c in every_capture if c["kind"] == "page"]
    assert len(captures) == len(every_capture) - 1
    kinds = {("articles" if "/articles/" in c["url"] else "listing") for c in captures}
    assert kinds == {"articles", "listing"}
    for capture in captures:
        assert capture["crawl_id"] == crawl_row["id"] and capture["status"] == 200
        body = zlib.decompress(capture["body"])
        assert body == served_file(demo_site, capture["url"]).read_bytes()
        assert capture["body_size"] == len(body) and capture["body_digest"].startswith("sha256:")
        request_headers = json.loads(capture["request_headers"])
        assert request_headers["User-Agent"][0].startswith("newsarchive/")
        assert json.loads(capture["response_headers"])["Etag"]
        assert capture["content_type"] == content_type_of(served_file(demo_site, capture["url"]))
    total_served = sum(c["body_size"] for c in captures)
    total_stored = sum(len(c["body"]) for c in captures)
    assert total_stored < total_served / 2  # compressed


def test_captures_can_be_switched_off(demo_site, tmp_path):
    db = crawl(demo_site, tmp_path / "archive.db", "-s", "NEWSARCHIVE_CAPTURE_ENABLED=0", "--no-index")
    assert db.execute("SELECT count(*) FROM captures").fetchone()[0] == 0
    articles = sum(1 for a in demo_site.manifest["articles"] if a["locale"] == "ar")
    assert db.execute("SELECT count(*) FROM articles").fetchone()[0] == articles
    # --no-index: no search lists were built (search ranks every match until `newsarchive index`).
    assert db.execute("SELECT count(*) FROM search_lists").fetchone()[0] == 0


@pytest.mark.parametrize(("path", "content_type"), [
    ("/sitemap.xml", "application/xml; charset=utf-8"),
    ("/en_GB/atom/index.xml", "application/atom+xml; charset=utf-8"),
    ("/ar/rss/index.xml", "application/rss+xml; charset=utf-8"),
    ("/en_GB/archives", "text/html; charset=utf-8"),
])
def test_the_demo_server_sends_each_feed_with_its_own_type(demo_site, path, content_type):
    with urllib.request.urlopen(demo_site.url(path)) as response:
        assert response.headers["Content-Type"] == content_type



def test_the_demo_server_answers_a_broken_request_line_and_logs_it(tmp_path):
    """A crawl killed while it sends a request leaves half a request line: a 400 and a log line."""
    generate_site(tmp_path / "site", 3, seed=1)
    log = tmp_path / "access.log"
    server, base_url = serve_in_subprocess(tmp_path / "site", "--access-log", str(log))
    try:
        host, port = urlsplit(base_url).hostname, urlsplit(base_url).port
        with socket.create_connection((host, port), timeout=5) as connection:
            connection.sendall(b"GET /en_GB/archives HTTP/1.1 extra words\r\n\r\n")
            answer = b"".join(iter(lambda: connection.recv(4096), b""))
            assert b"Error code: 400" in answer  # http.server's error page (no status line for it)
        with urllib.request.urlopen(base_url + "/en_GB/archives") as response:  # still serving
            assert response.status == 200
        assert log.read_text(encoding="utf-8").splitlines() == [
            "GET /en_GB/archives HTTP/1.1 extra words 400", "/en_GB/archives 200"]
        assert server.poll() is None
    finally:
        server.terminate()
        server.wait(timeout=10)


class TimedSite(SiteHandler):
    """A listing and two articles, one of which the test parser takes SLOW_SECONDS over; notes when
    it answered each path."""
    served: dict[str, datetime] = {}
    PAGES = {
        "/news/": "<html><body><h1>News</h1><a href='/2024/05/01/slow-me-story'>Slow</a> "
                  "<a href='/2024/05/02/quick-story'>Quick</a></body></html>",
        "/2024/05/01/slow-me-story": "<html><head><title>Slow</title></head><body><h1>Slow</h1><article>"
                                     + "<p>The river rose past the old mill overnight.</p>" * 20 + "</article></body></html>",
        "/2024/05/02/quick-story": "<html><head><title>Quick</title></head><body><h1>Quick</h1><article>"
                                   + "<p>The bridge reopened to traffic this morning.</p>" * 20 + "</article></body></html>",
    }

    def do_GET(self):  # noqa: N802 (http.server's name)
        page = self.PAGES.get(self.path)
        if page is None:
            self.send_error(404)
            return
        TimedSite.served[self.path] = datetime.now(timezone.utc)  # before the crawl can have any of it
        self.answer(200, page)


def test_a_capture_is_dated_when_its_response_came_not_when_its_parse_ended(tmp_path):
    server = serve_handler(TimedSite)
    try:
        result = run_cli("crawl", f"http://127.0.0.1:{server.server_port}/news/", "--db", str(tmp_path / "a.db"),
                         "--allow-private", "--render", "never", *SETTINGS, "-s", "ROBOTSTXT_OBEY=False",
                         "-s", "NEWSARCHIVE_PARSER=tests.faulty_parser.parse_page")
    finally:
        server.shutdown()
    assert result.returncode == 0, result.stderr[-3000:]
    with sqlite3.connect(tmp_path / "a.db") as db:
        fetched = {urlsplit(url).path: datetime.fromisoformat(at.replace("Z", "+00:00"))
                   for url, at in db.execute("SELECT url, fetched_at FROM captures WHERE kind = 'page'")}
    assert set(fetched) == {*TimedSite.PAGES, "/sitemap.xml"}  # the sitemap the crawl looked for: a 404
    for path, served in TimedSite.served.items():
        # Its response came a moment after the server wrote it; the slow page's parse took SLOW_SECONDS more.
        assert timedelta(0) <= fetched[path] - served < timedelta(seconds=SLOW_SECONDS / 2), path
