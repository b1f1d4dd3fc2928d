"""Cheap change signals: a sitemap's <lastmod> and an Atom feed's <updated> send a crawl back to
an old article that no listing shows changed, and an unchanged one does not.

The demo site is generated with old articles only (2019: outside any refresh window), served by a
real server process that logs every request, and crawled. Then one article is edited stealthily
(no "Updated" date on any page or listing: the sitemap's lastmod and the Atom feed's updated
are its only signs) and the site is crawled again with the default policy and no revisit budget.
"""

from __future__ import annotations

import sqlite3
import time
from urllib.parse import urlsplit

import pytest

from newsarchive.archive.queries import KnownArticle
from newsarchive.demo.site import SiteChanges, generate_site
from newsarchive.items import ListingLink
from newsarchive.parsers.discovery import parse_feed
from newsarchive.parsers.sitemaps import parse_sitemap
from newsarchive.refresh import RefreshPolicy
from tests.conftest import run_cli, serve_in_subprocess

ARTICLES, SEED = 40, 23
STEALTH_EDIT = SiteChanges(edited=1, stealth=True, seed=4)
CRAWL_SETTINGS = ("-s", "AUTOTHROTTLE_ENABLED=0", "-s", "LOG_LEVEL=WARNING")
LAST_VISIT = "2026-05-01T10:00:00.250000Z"  # as the archive writes it


def known(modified_at: str | None = None) -> KnownArticle:
    return KnownArticle(article_id=1, published_at="2025-01-01", modified_at=modified_at,
                        first_seen_at="2025-01-01T08:00:00.000000Z", last_seen_at=LAST_VISIT, comment_count=0)


def shows_edit(modified_raw: str, modified_at: str | None = None) -> bool:
    return RefreshPolicy.listing_shows_newer_edit(ListingLink(url="https://x.example/a", position=0,
                                                              modified_at_raw=modified_raw), known(modified_at))


def test_a_listed_time_counts_only_after_our_last_visit_the_same_day():
    assert shows_edit("2026-05-01T10:00:01Z") is True
    assert shows_edit("2026-05-01T12:30:00+02:00") is True  # 10:30 UTC
    assert shows_edit("2026-05-01T09:59:59Z") is False
    # 10:00:00 UTC, the second of our visit at 10:00:00.25: the site's time cannot say whether the
    # change came before or after it, so it counts (a fetch too many at worst, no change missed)
    assert shows_edit("2026-05-01T12:00:00+02:00") is True
    assert shows_edit("2026-04-30T23:00:00Z", modified_at="2026-04-01T12:00:00Z") is False
    # A date alone cannot say when that day, in what zone: it counts while that day lasted somewhere
    # at our visit (2026-04-30T22:00 in UTC-12), unless we stored that day's edit.
    assert shows_edit("2026-05-01") is True
    assert shows_edit("2026-05-01", modified_at="2026-05-01T12:00:00Z") is False
    assert shows_edit("2026-04-30") is True
    assert shows_edit("2026-04-29") is False
    assert shows_edit("2026-04-29", modified_at="2026-04-01T12:00:00Z") is False
    assert shows_edit("not a date") is False


def test_a_publication_date_is_no_change_signal_but_lastmod_is():
    _, links = parse_sitemap(b"<urlset xmlns='http://www.sitemaps.org/schemas/sitemap/0.9' "
                             b"xmlns:news='http://www.google.com/schemas/sitemap-news/0.9'><url><loc>/a</loc>"
                             b"<lastmod>2026-05-02T08:00:00Z</lastmod><news:news><news:publication_date>"
                             b"2026-04-01</news:publication_date></news:news></url></urlset>")
    assert [(link.published_at, link.modified_at) for link in links] == [("2026-04-01", "2026-05-02T08:00:00Z")]
    feed = parse_feed(b'{"items": [{"url": "/b", "date_published": "2026-04-01T00:00:00Z", '
                      b'"date_modified": "2026-05-02T09:00:00+01:00"}]}')
    assert [(link.published_at, link.modified_at) for link in feed] == [("2026-04-01T00:00:00Z", "2026-05-02T08:00:00Z")]


class Site:
    """The demo site served with an access log; `crawl` returns the article paths it requested."""

    def __init__(self, folder, keep_sitemap: bool = True):
        self.folder, self.keep_sitemap = folder, keep_sitemap
        self.site_dir, self.db_path, self.access_log = folder / "site", folder / "archive.db", folder / "access.log"
        self.before = self.generate()
        self.server, self.base_url = serve_in_subprocess(self.site_dir, "--access-log", str(self.access_log))

    def generate(self, changes: SiteChanges | None = None) -> dict:
        manifest = generate_site(self.site_dir, ARTICLES, SEED, changes=changes)
        if not self.keep_sitemap:  # the feed must be the only signal
            (self.site_dir / "sitemap.xml").unlink()
        if changes is not None:
            # The edit's time is written to the second, and a crawl that fetches the article within
            # that same second has not seen past it: a time of that second counts as an edit at the
            # next crawl (test_a_listed_time_counts_only_after_our_last_visit_the_same_day). A crawl
            # starting in under a second did that once in a CI run, and the crawl after it fetched
            # the article again (304).
            time.sleep(1.0)
        return manifest

    def crawl(self, *target: str) -> dict[str, str]:
        self.access_log.write_text("")
        result = run_cli("crawl", *target, "--db", str(self.db_path), "--allow-private", *CRAWL_SETTINGS)
        assert result.returncode == 0, result.stderr[-3000:]
        self.requests = dict(line.rsplit(" ", 1) for line in self.access_log.read_text().splitlines())
        return {urlsplit(path).path: status for path, status in self.requests.items() if "/articles/" in path}

    def versions(self, path: str) -> list[tuple[int, str]]:
        with sqlite3.connect(self.db_path) as db:
            return db.execute("SELECT v.version, v.title FROM article_versions v JOIN articles a ON a.id = v.article_id "
                              "WHERE a.url LIKE ? ORDER BY v.version", [f"%{path}"]).fetchall()

    def stop(self):
        self.server.terminate()
        self.server.wait(timeout=10)


@pytest.fixture(scope="module")
def sitemap_site(tmp_path_factory):
    site = Site(tmp_path_factory.mktemp("sitemap"))
    yield site
    site.stop()


def test_a_stealth_edit_shown_only_by_the_sitemap_lastmod_is_fetched(sitemap_site):
    site = sitemap_site
    profile = ("diyaruna", "--base-url", site.base_url)
    assert len(site.crawl(*profile)) == ARTICLES
    assert "/sitemap.xml" not in site.requests  # a first crawl knows no article to check
    after = site.generate(STEALTH_EDIT)
    [edited] = after["changes"]["edited"]
    edited_after = next(a for a in after["articles"] if a["path"] == edited)
    assert edited_after["modified_date"] is None  # no listing or page says "Updated"
    _, entries = parse_sitemap((site.site_dir / "sitemap.xml").read_bytes())
    lastmod = {entry.url: entry.modified_at for entry in entries}
    assert len(lastmod[edited]) == 20  # the moment of the edit, to the second
    assert all(lastmod[a["path"]] == a["published_date"] for a in after["articles"] if a["path"] != edited)
    # Only the edited article is requested: the other 39 have their publication date as lastmod.
    assert site.crawl(*profile) == {edited: "200"}
    assert site.requests["/sitemap.xml"] == "200"
    before_title = next(a["title"] for a in site.before["articles"] if a["path"] == edited)
    assert site.versions(edited) == [(1, before_title), (2, edited_after["title"])]
    # The lastmod is now earlier than our visit: the next crawl fetches no article.
    assert site.crawl(*profile) == {}


def test_a_stealth_edit_shown_only_by_an_atom_updated_is_fetched(tmp_path):
    site = Site(tmp_path, keep_sitemap=False)
    try:
        # A page of no kind that announces both Atom feeds: the generic spider reads them.
        (site.site_dir / "feeds.html").write_text(
            "<html><head><title>Feeds</title>"
            "<link rel='alternate' type='application/atom+xml' href='/en_GB/atom/index.xml'>"
            "<link rel='alternate' type='application/atom+xml' href='/ar/atom/index.xml'></head>"
            "<body><p>Feeds</p></body></html>")
        start = site.base_url + "/feeds.html"
        assert len(site.crawl(start)) == ARTICLES
        assert site.requests["/sitemap.xml"] == "404"
        after = site.generate(STEALTH_EDIT)
        [edited] = after["changes"]["edited"]
        assert site.crawl(start) == {edited: "200"}
        assert [version for version, _ in site.versions(edited)] == [1, 2]
        assert site.crawl(start) == {}
    finally:
        site.stop()
