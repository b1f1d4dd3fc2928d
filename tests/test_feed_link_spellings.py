"""Sitemap and feed entries are known to the archive however they spell a story's URL (tracking
parameters, lower-case escapes, a relative path): they are canonicalised as a listing page's links
are (spiders/base.py, _absolute), so an incremental crawl does not fetch again what it knows."""

from __future__ import annotations

import re
import sqlite3
from urllib.parse import quote, unquote

import pytest

from newsarchive.parsers.discovery import DiscoveredLink
from spiders.base import _absolute
from tests.conftest import SiteHandler, run_cli, serve_handler

STORY = "/news/2024/05/02/قصة-عن-الجسر-{n}"  # an Arabic slug, as the family's sites use


def test_entries_get_absolute_canonical_urls():
    links = [DiscoveredLink("https://n.example/a/?utm_source=rss&utm_medium=feed", "2024-05-20"),
             DiscoveredLink("/b/%d9%82?PHPSESSID=0123456789abcdef0123456789abcdef"),
             DiscoveredLink("c/#comments")]
    assert _absolute(links, "https://n.example/feed/") == [
        DiscoveredLink("https://n.example/a/", "2024-05-20"), DiscoveredLink("https://n.example/b/%D9%82"),
        DiscoveredLink("https://n.example/feed/c/")]


class SpelledSite(SiteHandler):
    """A section linking three stories by their Arabic paths as written, and a sitemap listing them
    with lower-case escapes and tracking parameters. `asked` notes the story paths asked for."""

    def do_GET(self):  # noqa: N802 (the http.server API)
        if self.path == "/robots.txt":
            return self.answer(404, "no")
        if self.path == "/news/":
            links = "".join(f"<li><a href='{STORY.format(n=n)}'>Story {n}</a></li>" for n in range(3))
            return self.answer(200, f"<html><head><title>News</title></head><body><ul>{links}</ul></body></html>")
        if self.path == "/sitemap.xml":
            base = f"http://127.0.0.1:{self.server.server_port}"
            entries = "".join(f"<url><loc>{base}{quote(STORY.format(n=n)).lower()}?utm_source=sitemap&amp;utm_campaign=x"
                              f"</loc><lastmod>2024-05-02</lastmod></url>" for n in range(3))
            return self.answer(200, "<?xml version='1.0'?><urlset xmlns='http://www.sitemaps.org/schemas/sitemap/0.9'>"
                                    f"{entries}</urlset>", **{"Content-Type": "application/xml"})
        path = unquote(self.path.split("?")[0])
        number = path.rsplit("-", 1)[-1]
        if path.startswith("/news/2024/") and number.isdigit():
            self.asked.append(path)
            prose = "".join(f"<p>Paragraph {k} of story {number} on the river and the bridge works.</p>" for k in range(4))
            return self.answer(200, f"<html><head><title>Story {number}</title></head><body><article>"
                                    f"<h1>Story {number}</h1>{prose}</article></body></html>")
        return self.answer(404, "<html><body>no</body></html>")


@pytest.fixture
def spelled_site():
    site = type("Site", (SpelledSite,), {"asked": []})
    server = serve_handler(site)
    yield site, f"http://127.0.0.1:{server.server_port}/news/"
    server.shutdown()


def test_a_sitemap_s_spelling_of_known_stories_fetches_none_again(tmp_path, spelled_site):
    site, url = spelled_site
    for crawl in (1, 2):
        result = run_cli("crawl", url, "--db", str(tmp_path / "a.db"), "--allow-private", "--render", "never",
                         "-s", "AUTOTHROTTLE_ENABLED=False")
        assert result.returncode == 0, result.stderr[-3000:]
        if crawl == 1:
            assert sorted(site.asked) == sorted(STORY.format(n=n) for n in range(3))  # each once
            site.asked.clear()
    assert site.asked == []
    with sqlite3.connect(tmp_path / "a.db") as db:
        assert db.execute("SELECT count(*) FROM articles").fetchone() == (3,)


STAMP = "2026-12-06T06:05:00Z"


@pytest.mark.parametrize(("stamps", "taken_out"), [
    ([STAMP] * 5, True),
    ([STAMP] * 4, False),  # too few to tell
    ([STAMP] * 9 + ["2024-05-02T08:00:00Z"], True),  # nine in ten
    ([STAMP] * 8 + ["2024-05-02T08:00:00Z", None], False),  # eight in ten
    (["2024-05-02"] * 10, False),  # a date alone: one day's stories
    ([None] * 10, False),
    ([f"2024-05-0{n}T08:00:00Z" for n in range(1, 10)], False),
])
def test_a_sitemap_s_own_date_on_its_entries_is_no_change(stamps, taken_out):
    from newsarchive.parsers.sitemaps import drop_lastmod_stamp

    links = [DiscoveredLink(f"https://n.example/{n}", None, stamp) for n, stamp in enumerate(stamps)]
    common = max(set(stamps), key=stamps.count)
    assert drop_lastmod_stamp(links) == (common if taken_out else None)
    assert [link.modified_at for link in links] == [None if taken_out and stamp == common else stamp for stamp in stamps]


class StampingSite(SpelledSite):
    """SpelledSite whose sitemap stamps its five stories with the time it is asked for."""

    def do_GET(self):  # noqa: N802 (the http.server API)
        if self.path != "/sitemap.xml":
            return super().do_GET()
        from datetime import datetime, timezone

        now = datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%f+00:00")
        base = f"http://127.0.0.1:{self.server.server_port}"
        entries = "".join(f"<url><loc>{base}{quote(STORY.format(n=n))}</loc><lastmod>{now}</lastmod></url>" for n in range(5))
        return self.answer(200, "<?xml version='1.0'?><urlset xmlns='http://www.sitemaps.org/schemas/sitemap/0.9'>"
                                f"{entries}</urlset>", **{"Content-Type": "application/xml"})


def test_a_sitemap_that_stamps_its_entries_with_its_own_time_fetches_none_again(tmp_path):
    site = type("Site", (StampingSite,), {"asked": []})
    server = serve_handler(site)
    try:
        for crawl in (1, 2):
            result = run_cli("crawl", f"http://127.0.0.1:{server.server_port}/news/", "--db", str(tmp_path / "a.db"),
                             "--allow-private", "--render", "never", "-s", "AUTOTHROTTLE_ENABLED=False",
                             "-s", "LOG_LEVEL=INFO")
            assert result.returncode == 0, result.stderr[-3000:]
            if crawl == 1:
                assert len(site.asked) == 5
                site.asked.clear()
    finally:
        server.shutdown()
    assert site.asked == []
    assert re.search(r"the sitemap \S+/sitemap.xml gives nearly all its 5 entries one last-modified time", result.stderr)
