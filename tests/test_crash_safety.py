"""Nothing lost silently: exceptions anywhere become failures, scope is the origin, pagers that
never end are stopped, and every page a crawl handles ends as exactly one outcome row.

Real crawls of loopback servers in their own processes; exceptions are injected by wrapping a
real parser layer, pipeline or store function in the crawl's process, as a bug there would raise.
"""

from __future__ import annotations

import json
import re
import secrets
import sqlite3
import sys
import textwrap
from collections import Counter
from urllib.parse import urlsplit

import pytest

from tests.conftest import SiteHandler, run_cli, serve_handler, serve_in_subprocess
from tests.conftest import crawl_of as crawl_site

FAST = ["-s", "AUTOTHROTTLE_ENABLED=0", "-s", "LOG_LEVEL=WARNING"]


def crawl(demo_site, db_path, *args):
    return run_cli("crawl", "diyaruna", "--db", str(db_path), "--base-url", demo_site.base_url,
                   "--allow-private", *FAST, *args)


def outcomes_add_up(db_path) -> tuple[int, int, int, int, int]:
    """(pages, articles, listings, unchanged, failures) of the last crawl; pages is their sum."""
    with sqlite3.connect(db_path) as db:
        row = db.execute("SELECT pages, articles_stored, listings, unchanged, failures FROM crawls "
                         "ORDER BY id DESC LIMIT 1").fetchone()
    assert row[0] == sum(row[1:]), row
    return row


def crawl_with_injected_fault(tmp_path, demo_site, db_path, patch: str):
    """`newsarchive crawl` in its own process after `patch` (Python) has broken part of the code."""
    script = tmp_path / "faulty_crawl.py"
    # Parsed in the crawl's own process (no worker processes), where the patch applies.
    script.write_text(textwrap.dedent(patch) + textwrap.dedent(f"""
        from newsarchive.cli import main
        if __name__ == "__main__":
            sys.argv = ["newsarchive", "crawl", "diyaruna", "--db", {str(db_path)!r}, "--base-url",
                        {demo_site.base_url!r}, "--allow-private", "--locales", "en_GB", "-s", "AUTOTHROTTLE_ENABLED=0",
                        "-s", "LOG_LEVEL=WARNING", "-s", "NEWSARCHIVE_STORE_BATCH_SIZE=7",
                        "-s", "NEWSARCHIVE_PARSER_WORKERS=0"]
            main()
    """), encoding="utf-8")
    import subprocess

    return subprocess.run([sys.executable, str(script)], capture_output=True, text=True, timeout=300)


def english_articles(demo_site) -> list[dict]:
    return [a for a in demo_site.manifest["articles"] if a["locale"] == "en_GB"]


def test_an_exception_in_a_parser_layer_becomes_a_failure_and_the_crawl_goes_on(demo_site, tmp_path):
    victims = [a["path"] for a in english_articles(demo_site)[:3]]
    db_path = tmp_path / "parser.db"
    result = crawl_with_injected_fault(tmp_path, demo_site, db_path, f"""
        import sys
        from newsarchive.parsers import article
        real = article._ArticlePage.fill_photos
        def fill_photos(page):
            if any(page.doc.url.endswith(path) for path in {victims!r}):
                raise ValueError("Invalid isoformat string: '1-01-01T00'")
            return real(page)
        article._ArticlePage.fill_photos = fill_photos
    """)
    assert result.returncode == 0, result.stderr[-3000:]
    db = sqlite3.connect(db_path)
    failures = {urlsplit(url).path: (reason, detail) for url, reason, detail in
                db.execute("SELECT url, reason, detail FROM failures")}
    assert set(failures) == set(victims)
    for reason, detail in failures.values():
        assert reason == "parse_error"
        assert detail.startswith("ValueError: Invalid isoformat string: '1-01-01T00' (in newsarchive/parsers/")
        assert detail.endswith("; layer: fill_photos)")
    stored = {urlsplit(url).path for (url,) in db.execute("SELECT url FROM articles")}
    assert stored == {a["path"] for a in english_articles(demo_site)} - set(victims)
    pages, articles, listings, unchanged, failed = outcomes_add_up(db_path)
    assert (articles, failed) == (len(stored), 3)


def test_an_exception_in_a_pipeline_or_the_store_becomes_a_store_error(demo_site, tmp_path):
    english = english_articles(demo_site)
    in_pipeline, in_store = english[0]["path"], english[1]["path"]
    db_path = tmp_path / "store.db"
    result = crawl_with_injected_fault(tmp_path, demo_site, db_path, f"""
        import sys
        from newsarchive.pipelines import normalise
        from newsarchive.archive import store
        from newsarchive.pipelines import store as store_pipeline
        real_normalise, real_store = normalise.normalise_article, store.store_article
        def normalise_article(article, stats=None):
            if article.url.endswith({in_pipeline!r}):
                raise KeyError("no such field")
            return real_normalise(article, stats)
        def store_article(db, article, crawl_id, seen_at, elsewhere=None, moved_from=None):
            real_store(db, article, crawl_id, seen_at, elsewhere, moved_from)  # written, then the error: rolled back
            if article.url.endswith({in_store!r}):
                raise RuntimeError("constraint failed half-way")
            return "new"
        normalise.normalise_article = normalise_article
        store_pipeline.store_article = store_article
    """)
    assert result.returncode == 0, result.stderr[-3000:]
    db = sqlite3.connect(db_path)
    failures = {urlsplit(url).path: (reason, detail) for url, reason, detail in
                db.execute("SELECT url, reason, detail FROM failures")}
    assert failures[in_pipeline][0] == "store_error"
    assert failures[in_pipeline][1].startswith("normalise: KeyError: 'no such field'")
    assert failures[in_store][0] == "store_error"
    assert failures[in_store][1].startswith("store: RuntimeError: constraint failed half-way")
    assert len(failures) == 2
    # The article written before the error was rolled back with everything it brought.
    urls = {urlsplit(url).path for (url,) in db.execute("SELECT url FROM article_urls")}
    assert in_store not in urls and in_pipeline not in urls
    assert db.execute("SELECT count(*) FROM articles").fetchone()[0] == len(english) - 2
    assert db.execute("SELECT count(*) FROM comments WHERE article_id NOT IN (SELECT id FROM articles)").fetchone() \
        == (0,)
    outcomes_add_up(db_path)


def test_every_fault_page_ends_as_one_outcome(demo_site, tmp_path):
    db_path = tmp_path / "faults.db"
    faults = ["/faults/404", "/faults/redirect-loop", "/faults/not-html", "/faults/empty", "/private/page",
              "/en_GB/news/iraq/security"]
    result = crawl(demo_site, db_path, "--sections", ",".join(faults), "--max-pages", "1", "-s", "RETRY_TIMES=0")
    assert result.returncode == 0, result.stderr[-3000:]
    db = sqlite3.connect(db_path)
    reasons = {urlsplit(url).path: reason for url, reason in db.execute("SELECT url, reason FROM failures")}
    assert reasons == {"/faults/404": "http_404", "/faults/redirect-loop": "redirect_loop",
                       "/faults/not-html": "not_html", "/faults/empty": "empty_page",
                       "/private/page": "robots_forbidden"}
    pages, articles, listings, unchanged, failed = outcomes_add_up(db_path)
    assert (listings, failed) == (1, 5)
    assert articles == db.execute("SELECT count(*) FROM articles").fetchone()[0] > 0
    assert pages == articles + 6
    assert f"{pages} pages: {articles} articles, 1 listings, 0 unchanged, 5 failures" in result.stdout


@pytest.fixture
def other_site(tmp_path):
    """A second server on another port of the same host, logging what it is asked for."""
    folder = tmp_path / "other"
    folder.mkdir()
    (folder / "story.html").write_text("<html><head><meta property='og:type' content='article'></head><body>"
                                       "<h1>Another site's story</h1>" + "<p>Text of another site.</p>" * 40
                                       + "</body></html>")
    (folder / "sitemap.xml").write_text("<?xml version='1.0'?><urlset xmlns='http://www.sitemaps.org/schemas/"
                                        "sitemap/0.9'><url><loc>/story.html</loc></url></urlset>")
    log = tmp_path / "other-access.log"
    server, base_url = serve_in_subprocess(folder, "--access-log", str(log))
    yield base_url, log
    server.terminate()
    server.wait(timeout=10)


def test_scope_is_the_origin_not_the_host(tmp_path, other_site):
    other_url, other_log = other_site
    site = tmp_path / "site"
    (site / "news").mkdir(parents=True)
    stories = "".join(f"<li><a href='/2024/05/0{n}/a-story-about-the-town-number-{n}'>Story {n}</a></li>"
                      for n in range(1, 6))
    (site / "news" / "index.html").write_text(
        f"<html><head><meta property='og:type' content='website'></head><body><ul>{stories}"
        f"<li><a href='{other_url}/story.html'>Elsewhere</a></li></ul></body></html>")
    for n in range(1, 6):
        folder = site / "2024" / "05" / f"0{n}" / f"a-story-about-the-town-number-{n}"
        folder.mkdir(parents=True)
        (folder / "index.html").write_text("<html><head><meta property='og:type' content='article'></head><body>"
                                           f"<h1>Story {n}</h1>" + "<p>Words of the town's story.</p>" * 40
                                           + "</body></html>")
    (site / "robots.txt").write_text(f"User-agent: *\nSitemap: {other_url}/sitemap.xml\n")
    server, base_url = serve_in_subprocess(site)
    try:
        db_path = tmp_path / "scope.db"
        redirects = [f"{base_url}/faults/{kind}?to={other_url}/story.html" for kind in ("redirect", "refresh")]
        result = run_cli("crawl", f"{base_url}/news/", "--sections", ",".join(redirects), "--db", str(db_path),
                         "--allow-private", *FAST)
    finally:
        server.terminate()
        server.wait(timeout=10)
    assert result.returncode == 0, result.stderr[-3000:]
    assert not other_log.exists() or other_log.read_text() == ""  # nothing asked of the other port
    db = sqlite3.connect(db_path)
    assert db.execute("SELECT count(*) FROM articles").fetchone()[0] == 5
    assert db.execute("SELECT reason, detail LIKE '%" + other_url + "/story.html%' FROM failures").fetchall() \
        == [("offsite_redirect", 1)] * 2  # an HTTP redirect, and a page's meta refresh
    outcomes_add_up(db_path)


def test_a_site_whose_start_url_moved_to_another_origin_exits_4_naming_the_url_to_crawl(tmp_path, other_site):
    other_url, other_log = other_site

    class Moved(SiteHandler):  # the whole site answers "moved" to the other origin (a new host name)
        def do_GET(self):  # noqa: N802 (the http.server API)
            self.send_response(301)
            self.send_header("Location", other_url + self.path)
            self.send_header("Content-Length", "0")
            self.end_headers()

    server = serve_handler(Moved)
    start_url = f"http://127.0.0.1:{server.server_port}/news/"
    try:
        result = run_cli("crawl", start_url, "--db", str(tmp_path / "moved.db"), "--allow-private", *FAST)
    finally:
        server.shutdown()
    assert result.returncode == 4, result.stderr[-3000:]
    assert result.stderr.strip().splitlines()[-1] == (
        f"exit 4: nothing was archived: the start URL {start_url} redirects to {other_url}/news/, another origin, "
        f"which the crawl does not follow; crawl {other_url}/news/ instead")
    assert f"WARNING: the start URL {start_url} redirects to {other_url}/news/" in result.stderr
    assert not other_log.exists() or other_log.read_text() == ""  # nothing asked of the other origin


class PagerWithAPageThatFailsOnce(SiteHandler):
    """A section of four listing pages of three stories each; page 3 answers 503 the first time."""

    failed: set[str] = set()

    def do_GET(self):  # noqa: N802 (the http.server API)
        path = self.path
        if path.startswith("/news/"):
            page = int(path.split("page=")[1]) if "page=" in path else 1
            if page == 3 and path not in self.failed:
                self.failed.add(path)
                return self.answer(503, "<html><body>Busy</body></html>")
            links = "".join(f"<li><a href='/2024/05/0{page}/harbour-story-{page}-{n}'>Story {page}.{n}</a></li>"
                            for n in range(1, 4))
            more = f"<a rel='next' href='/news/?page={page + 1}'>Older stories</a>" if page < 4 else ""
            return self.answer(200, f"<html><head><title>News</title></head><body><h1>News</h1><ul>{links}</ul>"
                                    f"{more}</body></html>")
        if path.startswith("/2024/05/"):
            prose = "".join(f"<p>Paragraph {n} of {path.rsplit('/', 1)[1]}, a story of the harbour with words "
                            f"enough to be prose.</p>" for n in range(6))
            return self.answer(200, f"<html><head><title>{path}</title></head><body><article><h1>{path}</h1>"
                                    f"<time datetime='2024-05-01'>1 May 2024</time>{prose}</article></body></html>")
        return self.answer(404, "<html><body>Not found</body></html>")


def test_a_listing_page_that_failed_for_a_passing_reason_is_asked_for_again_by_the_next_crawl(tmp_path):
    # Without it, the second crawl met only known stories on page 1, stopped there (--stale-pages 1),
    # and the six stories behind page 3 were never archived, by that crawl or any later one.
    db_path = tmp_path / "pager.db"
    server = serve_handler(type("Site", (PagerWithAPageThatFailsOnce,), {"failed": set()}))

    def crawl():
        return run_cli("crawl", f"http://127.0.0.1:{server.server_port}/news/", "--db", str(db_path),
                       "--allow-private", "--stale-pages", "1", "-s", "RETRY_TIMES=0", *FAST)

    try:
        first, second = crawl(), crawl()
    finally:
        server.shutdown()
    assert first.returncode == 0, first.stderr[-3000:]
    assert "1 pages that failed for a passing reason will be asked for again next time" in first.stdout
    assert "6 articles" in first.stdout
    assert second.returncode == 0, second.stderr[-3000:]
    assert "asked again for 1 pages crawl 1 could not archive" in second.stdout
    with sqlite3.connect(db_path) as db:
        assert db.execute("SELECT crawl_id, url LIKE '%/news/?page=3', reason FROM failures").fetchall() == [
            (1, 1, "http_503")]
        assert db.execute("SELECT count(*) FROM articles").fetchone() == (12,)
        assert db.execute("SELECT count(*) FROM frontier").fetchone() == (0,)  # nothing left to ask again
    outcomes_add_up(db_path)


def test_an_endless_pager_is_stopped_after_the_stale_pages_limit(demo_site, tmp_path):
    db_path = tmp_path / "trap.db"
    result = run_cli("crawl", demo_site.url("/faults/pager?page=1"), "--db", str(db_path), "--allow-private",
                     "--stale-pages", "3", "-s", "NEWSARCHIVE_REFRESH_WINDOW_DAYS=100000", *FAST)
    assert result.returncode == 0, result.stderr[-3000:]
    db = sqlite3.connect(db_path)
    pages = Counter(urlsplit(url).query for (url,) in db.execute("SELECT url FROM listings WHERE kind = 'listing'"))
    # Page 1 led to the article; pages 2, 3 and 4 offered nothing new: the walk stops there,
    # although the article is young (always due) and every page links it.
    assert sorted(pages) == ["page=1", "page=2", "page=3", "page=4"]
    # The pager's one article, and every article of the site's sitemap (the generic spider reads
    # /sitemap.xml when robots.txt names none, and the demo site has one).
    assert db.execute("SELECT count(*) FROM articles").fetchone()[0] == 1 + len(demo_site.manifest["articles"])


@pytest.mark.parametrize("fault, options", [
    ("empty-pager", []),  # pages after the first link nothing: no article, old or new
    ("pager", ["--full"]),  # a full crawl fetches every article it is offered, and is offered none new
    ("empty-pager", ["--full"]),
])
def test_an_endless_pager_is_stopped_whatever_its_pages_hold_and_on_a_full_crawl_too(demo_site, tmp_path,
                                                                                        fault, options):
    db_path = tmp_path / "trap.db"
    # The page-count bound only ends a crawl that the pager rule fails to stop.
    result = run_cli("crawl", demo_site.url(f"/faults/{fault}?page=1"), "--db", str(db_path), "--allow-private",
                     "--stale-pages", "3", *options, "-s", "CLOSESPIDER_PAGECOUNT=200", *FAST)
    assert result.returncode == 0, result.stderr[-3000:]
    db = sqlite3.connect(db_path)
    assert db.execute("SELECT finish_reason FROM crawls").fetchall() == [("finished",)]
    pages = Counter(urlsplit(url).query for (url,) in db.execute("SELECT url FROM listings WHERE kind = 'listing'"))
    # Page 1 led to the article; pages 2, 3 and 4 led to nothing the crawl had not requested.
    assert sorted(pages) == ["page=1", "page=2", "page=3", "page=4"]
    assert db.execute("SELECT url FROM articles WHERE url LIKE '%/faults/%'").fetchall() == [
        (demo_site.url("/faults/pager/2019/05/03/the-same-story-on-every-page"),)]


def test_a_site_that_is_down_exits_4(tmp_path):
    from tests.conftest import free_port

    db_path = tmp_path / "down.db"
    result = run_cli("crawl", f"http://127.0.0.1:{free_port()}/news/", "--db", str(db_path), "--allow-private",
                     "--stale-pages", "3", "-s", "RETRY_TIMES=0", *FAST)
    assert result.returncode == 4, result.stderr[-3000:]
    assert "exit 4: nothing was archived" in result.stderr
    db = sqlite3.connect(db_path)
    # The start page; robots.txt is read by Scrapy's middleware, once, and is no page of the crawl.
    assert db.execute("SELECT reason FROM failures").fetchall() == [("connection_refused",)]
    assert db.execute("SELECT finish_reason FROM crawls").fetchall() == [("finished",)]


def crawl_of(handler, db_path, *options: str):
    return crawl_site(handler, db_path, *options, *FAST)

class ListingOfMissingArticles(SiteHandler):
    """A section whose listing is fine and whose article pages answer 404, but those named in
    `alive` (paths)."""

    alive: tuple[str, ...] = ()
    ARTICLES = tuple(f"/2024/05/0{n}/harbour-works-begin-{n}" for n in range(1, 4))

    def do_GET(self):  # noqa: N802 (the http.server API)
        if self.path == "/news/":
            links = "".join(f"<li><a href='{path}'>Harbour works, part {n}</a></li>"
                            for n, path in enumerate(self.ARTICLES, 1))
            return self.answer(200, f"<html><head><title>News</title></head><body><h1>News</h1><ul>{links}</ul></body></html>")
        if self.path in self.alive:
            prose = "".join(f"<p>Paragraph {n} of the story on the harbour works, with words enough to be prose.</p>"
                            for n in range(6))
            return self.answer(200, f"<html><head><title>Harbour works begin</title></head><body><article>"
                                    f"<h1>Harbour works begin</h1><time datetime='2024-05-01'>1 May 2024</time>"
                                    f"{prose}</article></body></html>")
        return self.answer(404, "<html><body><h1>Not found</h1></body></html>")


@pytest.mark.parametrize("alive, exit_code", [((), 4), (ListingOfMissingArticles.ARTICLES[1:2], 0)])
def test_a_crawl_whose_every_article_page_failed_exits_4_though_its_listing_was_kept(tmp_path, alive, exit_code):
    db_path = tmp_path / "missing.db"
    result = crawl_of(type("Site", (ListingOfMissingArticles,), {"alive": alive}), db_path, "-s", "RETRY_TIMES=0")
    assert result.returncode == exit_code, result.stderr[-3000:]
    assert ("exit 4: nothing was archived: every page (or every article page) failed" in result.stderr) == (exit_code == 4)
    pages, articles, listings, unchanged, failures = outcomes_add_up(db_path)
    # The listings: the section, and the /sitemap.xml guessed when robots.txt names none (a 404
    # there is an empty sitemap, not a failure).
    assert (articles, listings, failures) == (len(alive), 2, 3 - len(alive))


class SectionAsEveryCanonical(SiteHandler):
    """A section of stories whose template names one page, `canonical` (the section, as a real site
    did, or a tag page the crawl never reads), as each story's og:url (a relative one, as that site
    did); the section links the first `published` of them."""

    published, canonical = 3, "/news/"
    STORIES = tuple(f"/2024/05/0{n}/harbour-story-{n}" for n in range(1, 5))
    # Four stories, told in words of their own (another story shares no run of five words).
    PROSE = tuple(tuple(f"{subject} {verb} the {place} on day {day}, {aside}." for day in range(1, 6))
                  for subject, verb, place, aside in [
                      ("The ferry", "left", "old pier", "an hour late as the tide turned"),
                      ("A storm", "flooded", "fish market", "and traders carried their stalls uphill"),
                      ("Divers", "searched", "sunken barge", "while gulls circled above the crane"),
                      ("The mayor", "opened", "new quay", "cutting a ribbon in front of schoolchildren")])

    def do_GET(self):  # noqa: N802 (the http.server API)
        if self.path == "/news/":
            links = "".join(f"<li><a href='{path}'>Story {path[-1]}</a></li>" for path in self.STORIES[:self.published])
            return self.answer(200, f"<html><head><title>News</title></head><body><h1>News</h1><ul>{links}</ul></body></html>")
        if self.path in self.STORIES[:self.published]:
            number = self.path[-1]
            prose = "".join(f"<p>{sentence}</p>" for sentence in self.PROSE[int(number) - 1])
            return self.answer(200, f"<html><head><title>Harbour story {number}</title>"
                                    f"<meta property='og:url' content='{self.canonical}'></head><body><article>"
                                    f"<h1>Harbour story {number}</h1><time datetime='2024-05-0{number}'>May 2024</time>"
                                    f"{prose}</article></body></html>")
        return self.answer(404, "<html><body><h1>Not found</h1></body></html>")


@pytest.mark.parametrize("canonical", ["/news/", "/topics/harbour/"])
def test_stories_that_name_one_page_as_canonical_url_stay_apart_across_crawls(tmp_path, canonical):
    """Without the rules, the story stored first kept that page's URL as its key, and the next crawl
    stored the story published since (crawled first: the newest) as its new version: the older
    story's row was gone. The section is a listing of the crawl (DedupePipeline); the tag page is
    not, and a new story shares no text with the stored one (archive/store.py)."""
    db_path, site = tmp_path / "one-canonical.db", type("Site", (SectionAsEveryCanonical,), {"canonical": canonical})
    server = serve_handler(site)
    try:
        for site.published in (3, 4):
            result = run_cli("crawl", f"http://127.0.0.1:{server.server_port}/news/", "--db", str(db_path),
                             "--allow-private", *FAST)
            assert result.returncode == 0, result.stderr[-3000:]
    finally:
        server.shutdown()
    db = sqlite3.connect(db_path)
    rows = db.execute("SELECT url, title, version_count FROM articles ORDER BY url").fetchall()
    assert [(urlsplit(url).path, title, versions) for url, title, versions in rows] == [
        (path, f"Harbour story {path[-1]}", 1) for path in SectionAsEveryCanonical.STORIES]
    assert db.execute("SELECT count(*) FROM article_versions").fetchone() == (4,)
    if canonical == "/news/":  # never a story's key, and each story says why
        assert [urlsplit(url).path for (url,) in db.execute("SELECT canonical_url FROM articles ORDER BY url")] == list(
            SectionAsEveryCanonical.STORIES)
        warnings = [json.loads(text) for (text,) in db.execute("SELECT warnings FROM articles")]
        assert all(any("is a listing page of this crawl" in warning for warning in found) for found in warnings)


class StoryBehindAnUnclosedScript(SiteHandler):
    """A section of one story whose page's first <script> in the head lost its end tag (a rewriting
    tool's regular expression ate it, as one did to a real saved page): a browser shows the page blank."""

    STORY = "/2024/05/01/harbour-works-begin"

    def do_GET(self):  # noqa: N802 (the http.server API)
        if self.path == "/news/":
            return self.answer(200, f"<html><head><title>News</title></head><body><h1>News</h1>"
                                    f"<a href='{self.STORY}'>Harbour works begin</a></body></html>")
        if self.path == self.STORY:
            prose = "".join(f"<p>Paragraph {n} of the story on the harbour works, with words enough to be prose.</p>"
                            for n in range(6))
            return self.answer(200, "<html><head><script>var main = '/client.js'; s.src=main;<title>Harbour works "
                                    "begin</title></head><body><article><h1>Harbour works begin</h1><time datetime="
                                    f"'2024-05-01'>1 May 2024</time>{prose}</article></body></html>")
        return self.answer(404, "<html><body><h1>Not found</h1></body></html>")


def test_a_story_behind_a_script_left_unclosed_is_archived_with_a_warning(tmp_path):
    db_path = tmp_path / "unclosed.db"
    result = crawl_of(StoryBehindAnUnclosedScript, db_path)
    assert result.returncode == 0, result.stderr[-3000:]
    db = sqlite3.connect(db_path)
    (title, body, warnings), = db.execute("SELECT title, body_text, warnings FROM articles").fetchall()
    assert title == "Harbour works begin" and body.count("Paragraph") == 6
    assert json.loads(warnings) == ["markup: the page's <script> element at character 12 has no end tag and hid the "
                                    "rest of the page: read without its start tag"]
    assert db.execute("SELECT count(*) FROM failures").fetchone() == (0,)


class SiteWithBrokenRobots(SiteHandler):
    """A section linking one article, a /sitemap.xml naming a second, and a robots.txt that cannot
    be fetched: `robots` says how ("gzip": a body that will not decompress, "loop": a redirect to
    itself). `asked` lists the paths requested."""

    robots = "gzip"
    asked: list[str] = []
    PAGE = ("<html><head><title>{0}</title></head><body><article><h1>{0}</h1><time datetime='2024-05-01'>1 May 2024"
            "</time>" + "".join(f"<p>Paragraph {n} of the story, with words enough to be prose for a reader.</p>"
                                for n in range(6)) + "</article></body></html>")

    def do_GET(self):  # noqa: N802 (the http.server API)
        self.asked.append(self.path)
        base = f"http://127.0.0.1:{self.server.server_port}"
        if self.path == "/robots.txt":
            if self.robots == "loop":
                return self.answer(302, b"", Location="/robots.txt")
            return self.answer(200, b"\x8b\x1f not gzip at all", **{"Content-Type": "text/plain", "Content-Encoding": "gzip"})
        if self.path == "/sitemap.xml":
            sitemap = (f"<?xml version='1.0'?><urlset xmlns='http://www.sitemaps.org/schemas/sitemap/0.9'>"
                       f"<url><loc>{base}/2024/05/01/only-in-the-sitemap</loc></url></urlset>")
            return self.answer(200, sitemap.encode(), **{"Content-Type": "application/xml"})
        if self.path == "/news/":
            return self.answer(200, b"<html><head><title>News</title></head><body><h1>News</h1>"
                                    b"<a href='/2024/05/01/linked-from-the-section'>Linked</a></body></html>")
        if self.path.startswith("/2024/05/01/"):
            return self.answer(200, self.PAGE.format(self.path.rsplit("/", 1)[1].replace("-", " ")).encode())
        return self.answer(404, b"not found")


@pytest.mark.parametrize("robots, error", [("gzip", "BadContentEncoding: the body does not decompress as gzip"),
                                           ("loop", "RedirectLoop")])
def test_a_robots_txt_that_cannot_be_fetched_is_one_warning_and_the_sitemap_is_still_read(tmp_path, robots, error):
    handler = type("Site", (SiteWithBrokenRobots,), {"robots": robots, "asked": []})
    db_path = tmp_path / "robots.db"
    result = crawl_of(handler, db_path)
    assert result.returncode == 0, result.stderr[-3000:]
    assert "Traceback" not in result.stderr
    warned = [line for line in result.stderr.splitlines() if "could not be read" in line]
    assert len(warned) == 1 and re.search(rf"robots\.txt of 127\.0\.0\.1:\d+ could not be read \({re.escape(error)}", warned[0])
    assert handler.asked.count("/sitemap.xml") == 1
    db = sqlite3.connect(db_path)
    titles = {title for (title,) in db.execute("SELECT title FROM articles")}
    assert titles == {"linked from the section", "only in the sitemap"}
    # A robots.txt that came but would not decompress is kept as it came; a loop as the redirect
    # that closed it (it was not kept at all).
    robots_captures = db.execute("SELECT status FROM captures WHERE kind = 'robots'").fetchall()
    assert robots_captures == ([(200,)] if robots == "gzip" else [(302,)])


def test_no_sitemap_is_guessed_where_no_server_answers_for_robots_txt(tmp_path):
    # The site is down: its robots.txt fails as the start page does, and a guessed sitemap would only fail too.
    from tests.conftest import free_port

    db_path = tmp_path / "down.db"
    result = run_cli("crawl", f"http://127.0.0.1:{free_port()}/news/", "--db", str(db_path), "--allow-private",
                     "-s", "RETRY_TIMES=0", *FAST)
    assert result.returncode == 4
    assert "Traceback" not in result.stderr and "ConnectionRefusedError" in result.stderr
    assert sqlite3.connect(db_path).execute("SELECT url LIKE '%/news/' FROM failures").fetchall() == [(1,)]


class MovedAndGone(ListingOfMissingArticles):
    """The section's articles redirect elsewhere on the site, where they answer 404."""

    def do_GET(self):  # noqa: N802 (the http.server API)
        if self.path in self.ARTICLES:
            return self.answer(302, b"", Location=self.path + "-moved")
        return super().do_GET()


def test_a_page_that_fails_after_a_redirect_is_recorded_under_the_url_the_crawl_asked_for(tmp_path):
    db_path = tmp_path / "moved.db"
    crawl_of(MovedAndGone, db_path, "-s", "RETRY_TIMES=0")
    failures = sqlite3.connect(db_path).execute("SELECT url, reason, detail FROM failures ORDER BY url").fetchall()
    # The listing's links, which the frontier settles and a researcher joins on; where it failed, said.
    assert [(urlsplit(url).path, reason) for url, reason, _ in failures] == [
        (path, "http_404") for path in ListingOfMissingArticles.ARTICLES]
    assert all(detail.endswith(f"(at {url}-moved, redirected from {url})") for url, _, detail in failures)


class BusySite(SiteHandler):
    """A section of two articles: one answers 429 with Retry-After: 2 the first time it is asked,
    the other always answers 429 with a Retry-After of more than a day. `asked`: (path, when)."""

    asked: list[tuple[str, float]] = []

    def do_GET(self):  # noqa: N802 (the http.server API)
        import time

        self.asked.append((self.path, time.monotonic()))
        if self.path == "/news/":
            return self.answer(200, "<html><body><h1>News</h1><a href='/2024/05/01/busy'>Busy</a> "
                                    "<a href='/2024/05/01/closed'>Closed</a></body></html>")
        if self.path == "/2024/05/01/closed" or [path for path, _ in self.asked].count(self.path) == 1:
            return self.answer(429, "slow down", **{"Retry-After": "100000" if "closed" in self.path else "2"})
        prose = "".join(f"<p>Paragraph {n} of the story, with words enough to be prose for a reader.</p>" for n in range(6))
        return self.answer(200, f"<html><head><title>Busy</title></head><body><article><h1>Busy</h1>{prose}"
                                f"</article></body></html>")


def test_a_retry_waits_as_long_as_the_site_asks_and_one_asked_for_too_long_is_not_made(tmp_path):
    handler = type("Site", (BusySite,), {"asked": []})
    db_path = tmp_path / "busy.db"
    result = crawl_of(handler, db_path)
    assert result.returncode == 0, result.stderr[-2000:]
    busy = [when for path, when in handler.asked if path == "/2024/05/01/busy"]
    assert len(busy) == 2 and busy[1] - busy[0] >= 2  # Scrapy retried within a second
    assert [path for path, _ in handler.asked].count("/2024/05/01/closed") == 1  # not retried in this crawl
    db = sqlite3.connect(db_path)
    assert db.execute("SELECT title FROM articles").fetchall() == [("Busy",)]
    assert db.execute("SELECT url LIKE '%/closed', reason, status FROM failures").fetchall() == [(1, "http_429", 429)]


class SessionInEveryLink(SiteHandler):
    """A site that keeps its visitors' sessions in the URL (the crawl sends no cookie): each page it
    serves writes a new session into each of its links, in the `session` style."""

    STORIES = [f"/news/2024/05/0{number}/harbour-story-{number}" for number in range(1, 5)]
    requested: list[str] = []

    def with_session(self, path: str) -> str:
        token = secrets.token_hex(16)
        if self.session == "jsessionid":
            return f"{path};jsessionid={token.upper()}"
        if self.session == "aspnet":
            return f"/(S({token})){path}"
        return f"{path}?{self.session}={token}"

    def do_GET(self):  # noqa: N802 (the http.server API)
        self.requested.append(self.path)
        path = re.sub(r";jsessionid=\w+|/\(S\(\w+\)\)|\?\w+=\w+$", "", self.path)
        if path == "/news/":
            links = "".join(f"<li><a href='{self.with_session(story)}'>Harbour story {story[-1]}</a></li>"
                            for story in self.STORIES)
            return self.answer(200, f"<html><head><title>News</title></head><body><h1>News</h1><ul>{links}</ul></body></html>")
        if path in self.STORIES:
            number = path[-1]
            others = "".join(f"<li><a href='{self.with_session(story)}'>Harbour story {story[-1]}</a></li>"
                             for story in self.STORIES if story != path)
            return self.answer(200, f"<html><head><title>Harbour story {number}</title></head><body><article>"
                                    f"<h1>Harbour story {number}</h1><time datetime='2024-05-0{number}'>May 2024</time>"
                                    + "".join(f"<p>Paragraph {k} of harbour story {number}, on the works at the quay "
                                              f"and what they cost the town this year.</p>" for k in range(4))
                                    + f"</article><aside><ul>{others}</ul></aside></body></html>")
        return self.answer(404, "<html><body><h1>Not found</h1></body></html>")


@pytest.mark.parametrize("session", ["PHPSESSID", "jsessionid", "aspnet", "sid"])
def test_a_site_that_writes_a_session_into_its_links_is_archived_once(tmp_path, session):
    """Each story is one article under its URL without the session, and the next crawl knows it:
    without the rule, every crawl stored the site's stories again, under new URLs."""
    db_path = tmp_path / "sessions.db"
    site = type("Site", (SessionInEveryLink,), {"session": session, "requested": []})
    server = serve_handler(site)
    try:
        for crawl in (1, 2):
            result = run_cli("crawl", f"http://127.0.0.1:{server.server_port}/news/", "--db", str(db_path),
                             "--allow-private", *FAST)
            assert result.returncode == 0, result.stderr[-3000:]
            if crawl == 1:
                first_requests = list(site.requested)
    finally:
        server.shutdown()
    base = f"http://127.0.0.1:{server.server_port}"
    db = sqlite3.connect(db_path)
    assert db.execute("SELECT url FROM articles ORDER BY url").fetchall() == [
        (base + story,) for story in SessionInEveryLink.STORIES]
    # Each story was asked for once, by its URL without a session; the second crawl asked for none
    # (stories from 2024, long out of the refresh window).
    stories = sorted(path for path in site.requested if "harbour-story" in path)
    assert stories == sorted(SessionInEveryLink.STORIES)
    assert all("harbour-story" not in path for path in site.requested[len(first_requests):])
