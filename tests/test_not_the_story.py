"""A page at a stored story's own URL that is not that story (a maintenance, block or removal page
answered with 200) is no new version of it: newsarchive/archive/store.py's _why_not_the_story,
called here on a real archive file, and a real crawl of a loopback site that goes into
maintenance and comes back."""

from __future__ import annotations

import re
import sqlite3
from urllib.parse import urlsplit

import pytest

from newsarchive.archive import open_archive
from newsarchive.archive.queries import ArchiveLookup
from newsarchive.archive.store import NotTheStory, start_crawl, store_article
from newsarchive.items import Article
from tests.conftest import SiteHandler, run_cli, serve_handler

URL = "https://harbour.example/2024/05/02/ferry-late"
T1, T2 = "2026-01-03T00:00:00.000000Z", "2026-01-05T00:00:00.000000Z"
# The story: 30 words of its own, so 26 runs of five words.
STORY = ("The ferry left the old pier an hour late on Thursday as the tide turned, and the harbour master "
         "said the crossing would keep to the winter timetable until the new quay opens")
NOTICE = "Our website is undergoing scheduled maintenance and will be back online shortly, thank you for your patience"
FAST = ["-s", "AUTOTHROTTLE_ENABLED=0", "-s", "LOG_LEVEL=WARNING"]


def story(**changes) -> Article:
    values = dict(url=URL, site="harbour.example", title="Ferry late", body_text=STORY, published_at="2024-05-02",
                  sources={"title": "markup", "body_text": "generic", "published_at": "opengraph"})
    return Article(**values | changes)


@pytest.fixture
def archive(tmp_path):
    archive = open_archive(tmp_path / "archive.db")
    with archive.write() as db:
        for started in (T1, T2):
            start_crawl(db, "harbour.example", "generic", {}, started)
    yield archive
    archive.close()


def store_twice(archive, first: Article, second: Article) -> str:
    with archive.write() as db:
        assert store_article(db, first, 1, T1) == "new"
    with archive.write() as db:
        return store_article(db, second, 2, T2)


def stored(archive) -> list[tuple]:
    return archive.conn.execute("SELECT a.title, a.version_count, v.title FROM articles a "
                                "JOIN article_versions v ON v.article_id = a.id ORDER BY v.version").fetchall()


@pytest.mark.parametrize("date", [
    {"published_at": None},
    # A date read from the URL is the URL's: the page itself states none.
    {"published_at": "2024-05-02", "sources": {"title": "markup", "published_at": "url"}},
])
def test_a_page_that_states_no_date_and_shares_no_text_with_the_story_is_not_stored(archive, date):
    page = story(title="We'll be back soon", body_text=NOTICE, **date)
    with pytest.raises(NotTheStory) as refusal:
        store_twice(archive, story(), page)
    assert str(refusal.value) == (
        "the page no longer shows the story archived as article 1 ('Ferry late'): it states no publication date, "
        "where the story did, and shares 0 of its 13 five-word runs with the story's text (a maintenance, block "
        "or removal page); shows \"We'll be back soon\". The article keeps its versions; the next crawl asks for "
        "the page again")
    assert stored(archive) == [("Ferry late", 1, "Ferry late")]


def test_a_page_that_states_another_day_and_shares_no_text_with_the_story_is_not_stored(archive):
    # The site's maintenance page in its template, whose masthead shows today's date: the any-site
    # layer reads it as the page's date. Stored, it replaced the story and its date.
    page = story(title="Temporarily unavailable", body_text=NOTICE, published_at="2026-01-05",
                 sources={"title": "markup", "published_at": "generic"})
    with pytest.raises(NotTheStory) as refusal:
        store_twice(archive, story(), page)
    assert str(refusal.value).startswith(
        "the page no longer shows the story archived as article 1 ('Ferry late'): it states another day "
        "(2026-01-05) than the story's (2024-05-02), and shares 0 of its 13 five-word runs with the story's text")
    assert stored(archive) == [("Ferry late", 1, "Ferry late")]


def test_a_page_with_no_text_at_all_is_not_the_story_either(archive):
    with pytest.raises(NotTheStory, match="shares 0 of its 0 five-word runs"):
        store_twice(archive, story(), story(title="Access denied", body_text="", published_at=None))


def test_a_story_rewritten_in_place_that_states_its_date_is_a_new_version(archive):
    # A live blog's page, rewritten whole: other words, the same stated date.
    assert store_twice(archive, story(), story(title="Ferry live", body_text=NOTICE)) == "changed"
    assert stored(archive) == [("Ferry live", 2, "Ferry late"), ("Ferry live", 2, "Ferry live")]


def test_an_edit_that_keeps_a_fifth_of_the_text_is_a_new_version_though_no_date_is_shown(archive):
    # Nine words, so five runs, one of them the story's ("an hour late on Thursday"): exactly a
    # fifth of the shorter text's runs (SAME_STORY_SHARE), the least a new version keeps.
    edit = story(body_text="an hour late on Thursday, said the crews ashore", published_at=None)
    assert store_twice(archive, story(), edit) == "changed"
    assert stored(archive)[-1] == ("Ferry late", 2, "Ferry late")


def test_one_run_short_of_a_fifth_is_not_the_story(archive):
    # Five runs again, none of them the story's ("an hour late on Friday").
    with pytest.raises(NotTheStory, match="shares 0 of its 5 five-word runs"):
        store_twice(archive, story(), story(body_text="an hour late on Friday, said the crews ashore",
                                            published_at=None))


def test_one_run_in_common_is_not_a_fifth_of_a_long_page(archive):
    # 31 words, 27 runs, one of them the story's ("an hour late on Thursday"): a notice quoting it.
    notice = ("We are sorry that the ferry left an hour late on Thursday but this site is down for "
              "maintenance while our team moves every page to a new server until Monday")
    with pytest.raises(NotTheStory, match="shares 1 of its 27 five-word runs"):
        store_twice(archive, story(), story(title="Sorry", body_text=notice, published_at=None))


@pytest.mark.parametrize("first_date", [None, "url"])
def test_a_story_that_never_stated_its_date_takes_any_new_text_as_a_version(archive, first_date):
    first = story(published_at=None if first_date is None else "2024-05-02",
                  sources={"published_at": first_date} if first_date else {})
    assert store_twice(archive, first, story(title="Notice", body_text=NOTICE, published_at=None)) == "changed"


def test_the_same_text_again_is_unchanged_whatever_the_date_shows(archive):
    assert store_twice(archive, story(), story(published_at=None)) == "unchanged"
    # A page with no text at all is no story but the one it was: the same again is unchanged too.
    assert store_twice(archive, story(url=URL + "-2", body_text=""), story(url=URL + "-2", body_text="",
                                                                           published_at=None)) == "unchanged"


def test_a_shard_refuses_what_is_not_a_story_its_lookup_archive_holds(archive, tmp_path):
    """A shard of a distributed crawl holds only its own stories; those of the merged archive it
    looks known stories up in (--lookup-db) count as stored too."""
    with archive.write() as db:
        assert store_article(db, story(), 1, T1) == "new"
    merged = str(tmp_path / "archive.db")
    shard = open_archive(tmp_path / "shard.db")
    elsewhere = ArchiveLookup(merged)
    try:
        with shard.write() as db:
            start_crawl(db, "harbour.example", "generic", {}, T2)
            with pytest.raises(NotTheStory) as refusal:
                store_article(db, story(title="We'll be back soon", body_text=NOTICE, published_at=None), 1, T2,
                              elsewhere)
            # The story rewritten in place, still stating its date: its new version, stored as ever.
            assert store_article(db, story(title="Ferry live", body_text=NOTICE), 1, T2, elsewhere) == "new"
            # A page the merged archive does not hold, and one without a merged archive to ask.
            assert store_article(db, story(url=URL + "-2", title="Notice", body_text=NOTICE, published_at=None), 1, T2,
                                 elsewhere) == "new"
        with shard.write() as db:
            assert store_article(db, story(url=URL + "-3", title="Notice", body_text=NOTICE, published_at=None), 1,
                                 T2, ArchiveLookup(str(tmp_path / "absent.db"))) == "new"
        assert shard.conn.execute("SELECT url, title FROM articles ORDER BY id").fetchall() == [
            (URL, "Ferry live"), (URL + "-2", "Notice"), (URL + "-3", "Notice")]
    finally:
        elsewhere.close()
        shard.close()
    assert str(refusal.value).startswith(f"the page no longer shows the story archived as article 1 in {merged} "
                                         "('Ferry late'): it states no publication date, where the story did")


class StoriesThatGoIntoMaintenance(SiteHandler):
    """A section of three stories that state their dates; while `maintenance` holds, every story's URL answers 200
    with the site's maintenance page (its section still lists them, as on a real site whose
    article servers are the ones down)."""

    maintenance = False
    STORIES = tuple(f"/2024/05/0{n}/harbour-story-{n}" for n in range(1, 4))
    PROSE = ("The ferry left the old pier an hour late as the tide turned",
             "A storm flooded the fish market and traders carried their stalls uphill",
             "Divers searched the sunken barge while gulls circled above the crane")

    def do_GET(self):  # noqa: N802 (the http.server API)
        if self.path == "/news/":
            links = "".join(f"<li><a href='{path}'>Story {path[-1]}</a></li>" for path in self.STORIES)
            return self.answer(200, f"<html><head><title>News</title></head><body><h1>News</h1><ul>{links}</ul>"
                                    "</body></html>")
        if self.path in self.STORIES and self.maintenance:
            return self.answer(200, f"<html><head><title>Down for maintenance</title></head><body><h1>We'll be back "
                                    f"soon</h1><p>{NOTICE}.</p></body></html>")
        if self.path in self.STORIES:
            number = int(self.path[-1])
            prose = "".join(f"<p>{self.PROSE[number - 1]}, on day {day} of the month.</p>" for day in range(1, 6))
            return self.answer(200, f"<html><head><title>Harbour story {number}</title><meta property="
                                    f"'article:published_time' content='2024-05-0{number}T08:00:00Z'></head><body>"
                                    f"<article><h1>Harbour story {number}</h1>{prose}</article></body></html>")
        return self.answer(404, "<html><body><h1>Not found</h1></body></html>")


def crawl_site(server, db_path, *args):
    return run_cli("crawl", f"http://127.0.0.1:{server.server_port}/news/", "--db", str(db_path),
                   "--allow-private", *FAST, *args)


def test_a_site_in_maintenance_leaves_the_stories_as_they_were_and_the_next_crawl_asks_again(tmp_path):
    """Before the rule, the crawl in maintenance stored "We'll be back soon" as every story's new
    version, its title and text in every query of the articles, and exited 0."""
    db_path, site = tmp_path / "maintenance.db", type("Site", (StoriesThatGoIntoMaintenance,), {})
    server = serve_handler(site)

    try:
        first = crawl_site(server, db_path)
        site.maintenance = True
        during = crawl_site(server, db_path, "--full")  # every known story asked for again
        site.maintenance = False
        after = crawl_site(server, db_path)
    finally:
        server.shutdown()
    assert first.returncode == 0, first.stderr[-3000:]
    assert during.returncode == 4, during.stderr[-3000:]
    assert during.stderr.strip().splitlines()[-1] == ("exit 4: nothing was archived: every page (or every article "
                                                      "page) failed (3 not_the_story); see `newsarchive report`")
    assert "0 articles, 2 listings, 0 unchanged, 3 failures" in during.stdout
    assert "3 pages that failed for a passing reason will be asked for again next time" in during.stdout
    assert after.returncode == 0, after.stderr[-3000:]
    assert "asked again for 3 pages crawl 2 could not archive" in after.stdout
    db = sqlite3.connect(db_path)
    assert sorted((urlsplit(url).path, title, versions) for url, title, versions in db.execute(
        "SELECT url, title, version_count FROM articles")) == [
        (path, f"Harbour story {path[-1]}", 1) for path in StoriesThatGoIntoMaintenance.STORIES]
    assert sorted((crawl_id, urlsplit(url).path, reason, status) for crawl_id, url, reason, status in db.execute(
        "SELECT crawl_id, url, reason, status FROM failures")) == [
        (2, path, "not_the_story", 200) for path in StoriesThatGoIntoMaintenance.STORIES]
    # What the site answered is kept: each story's maintenance page, captured by crawl 2.
    maintenance_pages = db.execute("SELECT count(*) FROM captures WHERE crawl_id = 2 AND url LIKE '%/harbour-story-%' "
                                   "AND status = 200").fetchone()
    assert maintenance_pages == (3,)
    assert db.execute("SELECT count(*) FROM frontier").fetchone() == (0,)  # nothing left to ask again


def test_a_first_crawl_of_a_site_in_maintenance_says_it_stored_one_page_under_every_url(tmp_path):
    """No story is stored yet to compare with: the pages are archived as what they are, the crawl
    says that they are one page and exits 4 (nothing of the site archived), and the next crawl, an
    incremental one, asks for them again: the stories (of 2024, long out of the refresh window)
    would otherwise never be asked for again, the maintenance page standing as each of them."""
    db_path, site = tmp_path / "maintenance.db", type("Site", (StoriesThatGoIntoMaintenance,), {"maintenance": True})
    server = serve_handler(site)
    try:
        during = crawl_site(server, db_path)
        still = crawl_site(server, db_path)  # still down: met again unchanged, asked for again
        site.maintenance = False
        after = crawl_site(server, db_path)
    finally:
        server.shutdown()
    for down in (during, still):
        assert down.returncode == 4, down.stderr[-3000:]
        assert down.stderr.strip().splitlines()[-1] == (
            "exit 4: nothing was archived but one page under 3 URLs, \"We'll be back soon\": a maintenance, block or "
            "consent page, or a page its scripts fill (then --render always)")
        assert "WARNING: 3 of the 3 articles stored have one title and text" in down.stderr
    assert ("5 pages: 3 articles, 2 listings, 0 unchanged, 0 failures; 3 of the 3 articles stored have one title "
            "and text, \"We'll be back soon\": one page under many URLs? (the next crawl asks for those 3 again)"
            ) in during.stdout
    assert "asked again for 3 pages crawl 1 could not archive" in still.stdout
    assert "5 pages: 3 articles, 2 listings" in still.stdout  # the three met again, unchanged
    # The stories, once the site is back, are their new versions (the pages stated no date to miss).
    assert after.returncode == 0, after.stderr[-3000:]
    assert "asked again for 3 pages crawl 2 could not archive" in after.stdout
    assert "one page under many URLs" not in after.stdout
    with sqlite3.connect(db_path) as db:
        assert sorted(title for (title,) in db.execute("SELECT title FROM articles")) == [
            f"Harbour story {n}" for n in (1, 2, 3)]
        assert db.execute("SELECT count(*) FROM frontier").fetchone() == (0,)  # nothing left to ask again


def test_a_shard_crawl_in_maintenance_leaves_the_merged_archive_as_it_was(tmp_path):
    """A worker of a distributed crawl stores into its shard and looks known stories up in the
    merged archive (--lookup-db). Before the rule reached the lookup archive, the shard stored the
    maintenance page as three new articles, and merging it made it every story's latest version."""
    merged, shard, site = tmp_path / "archive.db", tmp_path / "shard.db", type("Site", (StoriesThatGoIntoMaintenance,), {})
    server = serve_handler(site)
    try:
        first = crawl_site(server, merged)
        site.maintenance = True
        during = crawl_site(server, shard, "--lookup-db", str(merged), "--full")
    finally:
        server.shutdown()
    merging = run_cli("merge", str(shard), "--into", str(merged))
    assert first.returncode == 0, first.stderr[-3000:]
    assert during.returncode == 4, during.stderr[-3000:]
    assert "0 articles, 2 listings, 0 unchanged, 3 failures" in during.stdout
    with sqlite3.connect(shard) as db:
        assert db.execute("SELECT count(*) FROM articles").fetchone() == (0,)
        details = {urlsplit(url).path: detail for url, detail in db.execute("SELECT url, detail FROM failures")}
    assert sorted(details) == sorted(StoriesThatGoIntoMaintenance.STORIES)
    for path, detail in details.items():
        assert re.match(rf"the page no longer shows the story archived as article \d in {re.escape(str(merged))} "
                        rf"\('Harbour story {path[-1]}'\): it states no publication date", detail), detail
    assert merging.returncode == 0, merging.stderr[-3000:]
    db = sqlite3.connect(merged)
    assert sorted((urlsplit(url).path, title, versions) for url, title, versions in db.execute(
        "SELECT url, title, version_count FROM articles")) == [
        (path, f"Harbour story {path[-1]}", 1) for path in StoriesThatGoIntoMaintenance.STORIES]
    assert sorted((urlsplit(url).path, reason, status) for url, reason, status in db.execute(
        "SELECT url, reason, status FROM failures")) == [
        (path, "not_the_story", 200) for path in StoriesThatGoIntoMaintenance.STORIES]


class StoriesTakenDown(StoriesThatGoIntoMaintenance):
    """The same section; once `taken_down`, story 1 redirects to the section and story 2 to the site's
    front page (where sites send a story they took down), while story 3 stays."""

    taken_down = False

    def do_GET(self):  # noqa: N802 (the http.server API)
        if self.taken_down and self.path in self.STORIES[:2]:
            self.send_response(301)
            self.send_header("Location", "/news/" if self.path == self.STORIES[0] else "/")
            self.send_header("Content-Length", "0")
            return self.end_headers()
        if self.path == "/":
            return self.answer(200, "<html><head><title>Harbour Times</title></head><body><h1>Harbour Times</h1>"
                                    "<p>The news of the harbour, every day since 1921, from the quay to the lighthouse "
                                    "and out to the islands.</p><a href='/news/'>News</a></body></html>")
        return super().do_GET()


def test_a_story_that_redirects_to_its_section_or_the_front_page_is_not_the_story(tmp_path):
    """Before, the second crawl stored the section as an article "News" and the front page as an
    article "Harbour Times", and said nothing of the two stories gone."""
    db_path, site = tmp_path / "down.db", type("Site", (StoriesTakenDown,), {})
    server = serve_handler(site)
    try:
        first = crawl_site(server, db_path)
        site.taken_down = True
        second = crawl_site(server, db_path, "--full")
    finally:
        server.shutdown()
    assert (first.returncode, second.returncode) == (0, 0), second.stderr[-3000:]
    db = sqlite3.connect(db_path)
    assert sorted((urlsplit(url).path, title) for url, title in db.execute("SELECT url, title FROM articles")) == [
        (path, f"Harbour story {path[-1]}") for path in StoriesTakenDown.STORIES]
    origin = f"http://127.0.0.1:{server.server_port}"
    assert sorted(db.execute("SELECT crawl_id, url, reason, detail, status FROM failures")) == [
        (2, f"{origin}{path}", "not_the_story", f"it now redirects to {origin}{where}, {what}, not to a story (a story "
         "taken down is often sent there); any article stored under it keeps its versions, and the next crawl asks "
         "for it again", 200)
        for path, where, what in ((StoriesTakenDown.STORIES[0], "/news/", "a listing page of this crawl"),
                                  (StoriesTakenDown.STORIES[1], "/", "the site's front page"))]
    # Story 3 fetched again (--full); the section once, as the listing it is; the sitemap, a 404.
    assert "5 pages: 1 articles, 2 listings, 0 unchanged, 2 failures" in second.stdout


def test_a_redirect_to_a_start_url_is_no_story_before_the_start_page_is_stored():
    """The crawl's first requests (the start URLs, the stories it asks for again) go out together: a
    story's redirect to a start URL may be answered before that listing's page is stored."""
    from scrapy import Spider
    from scrapy.utils.test import get_crawler

    from newsarchive.items import Capture, PageFailure, PageResult
    from newsarchive.pipelines.dedupe import DedupePipeline

    def redirected(asked: str, landed: str) -> PageResult:
        hop = Capture(url=asked, fetched_at=T2, status=301, request_headers={}, response_headers={}, body=b"",
                      location=landed)
        page = Capture(url=landed, fetched_at=T2, status=200, request_headers={}, response_headers={}, body=b"<html>")
        return PageResult(url=asked, records=[Article(url=landed, title="News", body_text="Links.")], capture=page,
                          redirects=[hop])

    dedupe = DedupePipeline(get_crawler(Spider).stats)
    dedupe.open_spider(type("Started", (), {"start_urls": ["https://harbour.example/news/?utm_source=x"]})())
    (failure,) = dedupe.process_item(redirected(URL, "https://harbour.example/news/")).records
    assert isinstance(failure, PageFailure) and (failure.url, failure.reason, failure.status) == (URL, "not_the_story", 200)
    assert "https://harbour.example/news/, a listing page of this crawl" in failure.detail
    # A story that moved is no listing and no front page: the article, as before.
    (moved,) = dedupe.process_item(redirected(URL, "https://harbour.example/2024/05/02/ferry-late-again")).records
    assert isinstance(moved, Article) and moved.url == "https://harbour.example/2024/05/02/ferry-late-again"
    (home,) = dedupe.process_item(redirected(URL, "https://harbour.example/")).records
    assert isinstance(home, PageFailure) and "the site's front page" in home.detail


LOGIN = "https://harbour.example/login"
SIGN_IN = "Sign in to continue reading: subscribers read every story of the harbour, the ferries and the quays"


def test_a_stored_storys_url_that_now_redirects_to_a_login_page_is_not_the_story(archive):
    # Stored as an article, the login page said nothing of the story, and the crawl told of no failure.
    from newsarchive.archive.store import store_duplicate
    from newsarchive.items import ArticleDuplicate

    login = Article(url=LOGIN, site="harbour.example", title="Sign in", body_text=SIGN_IN)
    with archive.write() as db:
        assert store_article(db, story(), 1, T1) == "new"
    with archive.write() as db, pytest.raises(NotTheStory) as refusal:
        store_article(db, login, 2, T2, moved_from=URL)
    assert str(refusal.value).startswith(
        f"the page no longer shows the story archived as article 1 at {URL}, which now redirects to {LOGIN} "
        "('Ferry late'): it states no publication date, where the story did, and shares 0 of its")
    # The login page stored already (another link led to it): a duplicate of it is refused the same way.
    with archive.write() as db:
        assert store_article(db, login, 2, T2) == "new"
    with archive.write() as db, pytest.raises(NotTheStory, match=f"article 1 at {URL}, which now redirects"):
        store_duplicate(db, ArticleDuplicate(LOGIN, LOGIN), T2, moved_from=URL)
    # A page of its own that states the story's day is another story the site sends readers to.
    with archive.write() as db:
        other = Article(url="https://harbour.example/2024/05/02/quay-opens", site="harbour.example", title="Quay opens",
                        body_text=NOTICE, published_at="2024-05-02", sources={"published_at": "opengraph"})
        assert store_article(db, other, 2, T2, moved_from=URL) == "new"
    assert stored(archive)[0] == ("Ferry late", 1, "Ferry late")
