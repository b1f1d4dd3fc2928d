"""Re-crawls: the site changes between two crawls, and the archive keeps the history.

The demo site is generated, served by a real server process that logs every request, and
crawled. Then the same site is generated again with changes (articles edited, comments added
and one removed, new articles published) and crawled again with the default refresh policy.
"""

from __future__ import annotations

import re
import sqlite3
from datetime import date, timedelta
from urllib.parse import parse_qs, urlsplit

import pytest

from newsarchive.demo.site import PAGE_SIZE, SiteChanges, generate_site
from tests.conftest import SiteHandler, run_cli, serve_handler, serve_in_subprocess, story_html

ARTICLES, NEW_ARTICLES, SEED = 60, 6, 11
CHANGES = SiteChanges(edited=2, comments_added=3, comments_removed=1, new_articles=NEW_ARTICLES, seed=5)
WINDOW_DAYS = 7
CRAWL_SETTINGS = ("-s", "AUTOTHROTTLE_ENABLED=0", "-s", "LOG_LEVEL=WARNING")


class Recrawl:
    """The site, its server's access log and the archive, crawled once before and once after."""

    def __init__(self, tmp_path):
        self.site_dir = tmp_path / "site"
        self.db_path = tmp_path / "archive.db"
        self.access_log = tmp_path / "access.log"
        # Dated so that the newest article is published today: a few are inside the window.
        self.first_day = date.today() - timedelta(days=(ARTICLES + NEW_ARTICLES - 1) * 2 // 3)
        self.before = generate_site(self.site_dir, ARTICLES, SEED, first_day=self.first_day)
        self.server, self.base_url = serve_in_subprocess(self.site_dir, "--access-log", str(self.access_log))

    def crawl(self, *options: str):
        self.access_log.write_text("")
        result = run_cli("crawl", "diyaruna", "--db", str(self.db_path), "--base-url", self.base_url,
                         "--allow-private", "--refresh-window", str(WINDOW_DAYS), *CRAWL_SETTINGS, *options)
        assert result.returncode == 0, result.stderr[-3000:]
        return [line.rsplit(" ", 1) for line in self.access_log.read_text().splitlines()]

    def change_site(self) -> dict:
        self.after = generate_site(self.site_dir, ARTICLES, SEED, first_day=self.first_day, changes=CHANGES)
        return self.after["changes"]

    def stop(self):
        self.server.terminate()
        self.server.wait(timeout=10)


@pytest.fixture(scope="module")
def recrawl(tmp_path_factory):
    run = Recrawl(tmp_path_factory.mktemp("recrawl"))
    run.first_requests = run.crawl()
    run.changes = run.change_site()
    run.second_requests = run.crawl()
    db = sqlite3.connect(run.db_path)
    db.row_factory = sqlite3.Row
    run.db = db
    yield run
    db.close()
    run.stop()


ARTICLE_HREF = re.compile(r'href="([^"]*/articles/[^"]*)"')


def skipped_in_last_crawl(db_path) -> int:
    with sqlite3.connect(db_path) as db:
        return db.execute("SELECT articles_skipped FROM crawls ORDER BY id DESC LIMIT 1").fetchone()[0]


def listing_file(run, path_and_query):
    """The file the demo server sends for a listing URL: ?page=N is the page-N.html file."""
    parts = urlsplit(path_and_query)
    page = parse_qs(parts.query).get("page", ["1"])[0]
    return run.site_dir / parts.path.lstrip("/") / ("index.html" if page == "1" else f"page-{page}.html")


def rows(db, sql, *params):
    return [dict(row) for row in db.execute(sql, params)]


def article_paths(requests) -> dict[str, str]:
    return {urlsplit(path).path: status for path, status in requests if "/articles/" in path}


def article_row(db, path):
    return rows(db, "SELECT * FROM articles WHERE url LIKE ?", f"%{path}")[0]


def in_window(run, article) -> bool:
    return article["published_date"] >= (date.today() - timedelta(days=WINDOW_DAYS)).isoformat()


def test_the_changes_are_real(recrawl):
    changes = recrawl.changes
    assert len(changes["edited"]) == 2 and len(changes["new_articles"]) == NEW_ARTICLES
    assert sum(map(len, changes["comments_added"].values())) == 3
    assert sum(map(len, changes["comments_removed"].values())) == 1


def test_second_crawl_fetches_only_new_changed_and_young_articles(recrawl):
    changes, after = recrawl.changes, recrawl.after
    changed = set(changes["edited"]) | set(changes["comments_added"]) | set(changes["comments_removed"])
    young = {a["path"] for a in after["articles"] if in_window(recrawl, a)}
    expected = set(changes["new_articles"]) | changed | young
    fetched = article_paths(recrawl.second_requests)
    assert set(fetched) == expected
    assert len(article_paths(recrawl.first_requests)) == ARTICLES
    # Far fewer requests than the first crawl: the listings, and the few articles above.
    assert len(recrawl.second_requests) < len(recrawl.first_requests) * 0.75


def test_unchanged_young_articles_answer_304_to_conditional_requests(recrawl):
    changes, after = recrawl.changes, recrawl.after
    changed = set(changes["edited"]) | set(changes["comments_added"]) | set(changes["comments_removed"])
    young_unchanged = {a["path"] for a in after["articles"] if in_window(recrawl, a)} - changed
    young_unchanged -= set(changes["new_articles"])
    assert young_unchanged, "the site must have a young article that did not change"
    fetched = article_paths(recrawl.second_requests)
    assert {fetched[path] for path in young_unchanged} == {"304"}
    assert {fetched[path] for path in changes["new_articles"]} == {"200"}
    for path in young_unchanged:
        row = article_row(recrawl.db, path)
        assert row["last_crawl_id"] == 2 and row["version_count"] == 1


def test_an_edited_article_keeps_one_row_and_gains_a_version(recrawl):
    before = {a["path"]: a for a in recrawl.before["articles"]}
    after = {a["path"]: a for a in recrawl.after["articles"]}
    for path in recrawl.changes["edited"]:
        row = article_row(recrawl.db, path)
        assert row["title"] == after[path]["title"] != before[path]["title"]
        assert row["version_count"] == 2
        versions = rows(recrawl.db, "SELECT * FROM article_versions WHERE article_id = ? ORDER BY version", row["id"])
        assert [v["title"] for v in versions] == [before[path]["title"], after[path]["title"]]
        assert [v["crawl_id"] for v in versions] == [1, 2]
        assert versions[0]["content_hash"] != versions[1]["content_hash"]
        assert versions[1]["body_text"].endswith(after[path]["body_paragraphs"][-1])
        assert row["modified_at"] is not None


def test_unchanged_articles_only_had_last_seen_updated(recrawl):
    counts = rows(recrawl.db, "SELECT count(*) AS n, sum(version_count) AS versions FROM articles")[0]
    assert counts["n"] == ARTICLES + NEW_ARTICLES
    assert counts["versions"] == counts["n"] + len(recrawl.changes["edited"])
    assert rows(recrawl.db, "SELECT count(*) AS n FROM article_versions")[0]["n"] == counts["versions"]


def test_new_comments_accrue_and_old_ones_are_kept(recrawl):
    after = {a["path"]: a for a in recrawl.after["articles"]}
    for path, ids in recrawl.changes["comments_added"].items():
        article_id = article_row(recrawl.db, path)["id"]
        stored = {c["site_comment_id"]: c for c in rows(recrawl.db, "SELECT * FROM comments WHERE article_id = ?", article_id)}
        for comment in after[path]["comments"]:
            assert comment["id"] in stored
        for new_id in ids:
            comment = stored[new_id]
            assert comment["removed_at"] is None
            assert comment["first_seen_at"] > rows(recrawl.db, "SELECT started_at FROM crawls WHERE id = 2")[0]["started_at"]
            parent = next(c for c in after[path]["comments"] if c["id"] == new_id)["parent_id"]
            assert comment["parent_site_comment_id"] == parent
            if parent:
                assert comment["parent_id"] == stored[parent]["id"]


def test_a_removed_comment_is_marked_not_deleted(recrawl):
    second_started = rows(recrawl.db, "SELECT started_at FROM crawls WHERE id = 2")[0]["started_at"]
    (path, [removed_id]), = recrawl.changes["comments_removed"].items()
    row = rows(recrawl.db, "SELECT * FROM comments WHERE site_comment_id = ?", removed_id)[0]
    assert row["removed_at"] is not None and row["removed_at"] > second_started
    assert row["body_text"]  # the text is kept
    marked = rows(recrawl.db, "SELECT site_comment_id FROM comments WHERE removed_at IS NOT NULL")
    assert [r["site_comment_id"] for r in marked] == [removed_id]
    total_on_site = sum(len(a["comments"]) for a in recrawl.after["articles"])
    assert rows(recrawl.db, "SELECT count(*) AS n FROM comments")[0]["n"] == total_on_site + 1


def test_unchanged_listing_bodies_are_stored_as_revisits(recrawl):
    captures = rows(recrawl.db, "SELECT * FROM captures WHERE crawl_id = 2")
    index = [c for c in captures if urlsplit(c["url"]).path == "/en_GB/archives"]
    assert index and index[0]["revisit_of"] is not None and index[0]["body"] is None
    original = rows(recrawl.db, "SELECT * FROM captures WHERE id = ?", index[0]["revisit_of"])[0]
    assert original["crawl_id"] == 1 and original["body_digest"] == index[0]["body_digest"]
    not_modified = [c for c in captures if c["status"] == 304]
    assert not_modified and all(c["revisit_of"] is not None for c in not_modified)
    changed_listing = [c for c in captures if "/news/" in c["url"] and c["revisit_of"] is None]
    assert changed_listing, "listings that show new articles are stored in full"


def test_crawl_rows_count_what_the_refresh_policy_spared(recrawl):
    second = rows(recrawl.db, "SELECT * FROM crawls WHERE id = 2")[0]
    assert second["articles_new"] == NEW_ARTICLES
    assert second["articles_changed"] == len(recrawl.changes["edited"])
    # Skipped: each article linked on a listing page served in full that this crawl did not fetch,
    # once, however many pages list it (until stop 58 once per page: more "known articles not
    # fetched" than the archive knew).
    listed_not_fetched = set().union(*(
        {urlsplit(href).path for href in ARTICLE_HREF.findall(listing_file(recrawl, path).read_text(encoding="utf-8"))}
        for path, status in recrawl.second_requests
        if status == "200" and ("/news/" in path or "/archives" in path))) - set(article_paths(recrawl.second_requests))
    assert second["articles_skipped"] == len(listed_not_fetched) > 0
    # Every known article fetched again whose text had not changed: the young ones (304) and those
    # whose comments alone changed; edited and new articles are not among them.
    fetched = set(article_paths(recrawl.second_requests))
    changes = recrawl.changes
    assert second["articles_not_modified"] == len(fetched - set(changes["new_articles"]) - set(changes["edited"]))


def test_a_full_crawl_fetches_every_article_again_and_changes_nothing(recrawl):
    before = rows(recrawl.db, "SELECT count(*) AS n, sum(version_count) AS v FROM articles")[0]
    requests = recrawl.crawl("--full")
    fetched = article_paths(requests)
    assert len(fetched) == ARTICLES + NEW_ARTICLES and set(fetched.values()) == {"200"}
    assert rows(recrawl.db, "SELECT count(*) AS n, sum(version_count) AS v FROM articles")[0] == before
    # An unchanged third crawl after it fetches no article that is neither young nor changed.
    fetched = article_paths(recrawl.crawl())
    assert all(in_window(recrawl, a) for a in recrawl.after["articles"] if a["path"] in fetched)


def test_pagination_stops_after_stale_pages_and_walks_all_with_zero(tmp_path):
    """On an unchanged site of old articles every listing page is stale: only first pages are read."""
    manifest = generate_site(tmp_path / "site", 200, seed=2)
    access_log = tmp_path / "access.log"
    server, base_url = serve_in_subprocess(tmp_path / "site", "--access-log", str(access_log))
    try:
        def crawl(*options):
            access_log.write_text("")
            result = run_cli("crawl", "diyaruna", "--db", str(tmp_path / "archive.db"), "--base-url", base_url,
                             "--allow-private", *CRAWL_SETTINGS, *options)
            assert result.returncode == 0, result.stderr[-3000:]
            return [path for path, _ in (line.rsplit(" ", 1) for line in access_log.read_text().splitlines())]

        first = crawl()
        section_pages = sum(section["pages"] for section in manifest["sections"])
        assert sum("/news/" in path for path in first) == section_pages > len(manifest["sections"])
        stopped = crawl("--stale-pages", "1")
        assert sum("/news/" in path for path in stopped) == len(manifest["sections"])
        assert not any("page=" in path or "/articles/" in path for path in stopped)
        # Every article linked on the first pages read is known and old: each is counted as skipped,
        # once, however many of those pages list it (a subsection's stories are its section's too).
        first_pages = [tmp_path / "site" / section["path"].lstrip("/") / "index.html" for section in manifest["sections"]]
        listed = set().union(*(set(ARTICLE_HREF.findall(page.read_text(encoding="utf-8"))) for page in first_pages))
        assert skipped_in_last_crawl(tmp_path / "archive.db") == len(listed) > PAGE_SIZE
        walked = crawl("--stale-pages", "0")
        assert sum("/news/" in path for path in walked) == section_pages
        assert not any("/articles/" in path for path in walked)
    finally:
        server.terminate()
        server.wait(timeout=10)


class FrontPageAndSection(SiteHandler):
    """A front page (/) that lists the nine latest of twelve stories and links the section /news/,
    whose pages list three stories each, newest first (/news/page/2/ ... /news/page/4/)."""

    def do_GET(self):  # noqa: N802 (the http.server API)
        self.asked.append(self.path)
        story = re.fullmatch(r"/news/2024/05/(\d\d)/story-\d+", self.path)
        if self.path == "/robots.txt":
            return self.answer(404, "no")
        if story:
            return self.answer(200, story_html(int(story[1])))
        links = lambda numbers: "".join(  # noqa: E731
            f"<li><a href='/news/2024/05/{n:02d}/story-{n}'>Story {n}</a></li>" for n in numbers)
        if self.path == "/":
            return self.answer(200, f"<html><body><ul>{links(range(12, 3, -1))}</ul><a href='/news/'>News</a></body></html>")
        page = re.fullmatch(r"/news/(?:page/(\d)/)?", self.path)
        if page:
            number = int(page[1] or 1)
            newer = f"<a rel='next' href='/news/page/{number + 1}/'>Older</a>" if number < 4 else ""
            return self.answer(200, f"<html><body><ul>{links(range(15 - 3 * number, 12 - 3 * number, -1))}</ul>"
                                    f"{newer}</body></html>")
        return self.answer(404, "<html><body>no</body></html>")


def test_a_section_whose_first_pages_list_stories_the_front_page_led_to_is_walked_to_its_older_ones(tmp_path):
    # Its first three pages led to nothing the crawl had not requested from the front page: three
    # stale pages, and the pagination stopped before stories 1 to 3, crawl after crawl, --full too.
    site = type("Site", (FrontPageAndSection,), {"asked": []})
    server = serve_handler(site)
    try:
        result = run_cli("crawl", f"http://127.0.0.1:{server.server_port}/", "--db", str(tmp_path / "a.db"),
                         "--allow-private", "--render", "never", "-s", "AUTOTHROTTLE_ENABLED=False")
    finally:
        server.shutdown()
    assert result.returncode == 0, result.stderr[-3000:]
    assert sorted(path for path in site.asked if path.startswith("/news/page/")) == [
        "/news/page/2/", "/news/page/3/", "/news/page/4/"]
    with sqlite3.connect(tmp_path / "a.db") as db:
        assert db.execute("SELECT count(*) FROM articles").fetchone() == (12,)
