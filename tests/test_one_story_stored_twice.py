"""One story stored as two articles, made one (archive/merge.py, fold_article_into): a story moved
to a new URL whose listing linked the new URL too, or only it on an earlier crawl, was a second
article with the edit history split between them; when the old URL's redirect leads to the new
page, the store knows they are one story (archive/store.py, _one_story_stored_twice)."""

from __future__ import annotations

import sqlite3

from newsarchive.archive import open_archive
from newsarchive.archive.duplicates import find_duplicates_in_file
from newsarchive.archive.store import start_crawl, store_article, store_duplicate
from newsarchive.items import Article, ArticleDuplicate, BodyBlock, Byline, Comment, Photo
from tests.conftest import SiteHandler, run_cli, serve_handler

SITE = "http://127.0.0.1:8000"
OLD, NEW = f"{SITE}/news/bridge-closes/", f"{SITE}/news/bridge-closes-for-repairs/"
FIRST, SECOND, THIRD = "2026-01-10T00:00:00.000000Z", "2026-01-11T00:00:00.000000Z", "2026-01-12T00:00:00.000000Z"
LATER = "2026-01-11T12:00:00.000000Z"
STORY = " ".join(f"Paragraph {n} tells of the river, the old bridge and the works the council planned." for n in range(8))
UPDATE = " Update: the council said the works would take a year."


def comment(text: str, key: str, position: int) -> Comment:
    return Comment(body_text=text, position=position, site_comment_id=key, author_name=f"reader {key}")


def story_at(url: str, title: str, body: str, comments: list[Comment], author: str, photos: list[str]) -> Article:
    return Article(url=url, canonical_url=url, title=title, body_text=body, published_at="2026-01-09",
                   body_blocks=[BodyBlock("paragraph", text) for text in body.split(" Update: ")],
                   authors=[Byline(author, f"By {author}", 0)],
                   photos=[Photo(f"{SITE}/img/{name}.jpg", n) for n, name in enumerate(photos)],
                   comments=comments, comment_count=len(comments), comments_complete=True, comments_status="complete")


def two_articles_of_one_story(tmp_path):
    """The story at OLD (first crawl), then at NEW (second crawl, a listing that linked only it): two
    articles the duplicates pass paired. Returns the archive's path."""
    path = tmp_path / "a.db"
    archive = open_archive(path)
    with archive.write() as db:
        first = start_crawl(db, "127.0.0.1", "generic", {}, FIRST)
        store_article(db, story_at(OLD, "The bridge closes", STORY, [comment("First!", "c1", 0), comment("Long overdue.", "c2", 1)],
                                   "Ann Lee", ["bridge"]), first, FIRST)
        second = start_crawl(db, "127.0.0.1", "generic", {}, SECOND)
        store_article(db, story_at(NEW, "The bridge closes for repairs", STORY + UPDATE,
                                   [comment("Long overdue.", "c2", 0), comment("A year!", "c3", 1)],
                                   "Bo Chan", ["bridge", "crane"]), second, SECOND)
        # The second's revisit schedule (the first has none: it was stored and never visited again).
        db.execute("INSERT INTO revisits (article_id, next_visit_at, change_rate, visits, changes_found, visited_days) "
                   "VALUES (2, ?, 0.5, 1, 1, 0.5)", [THIRD])
        # Seen again later that day, its reader having edited c3: an earlier text of c3.
        store_article(db, story_at(NEW, "The bridge closes for repairs", STORY + UPDATE,
                                   [comment("Long overdue.", "c2", 0), comment("A whole year!", "c3", 1)],
                                   "Bo Chan", ["bridge", "crane"]), second, LATER)
    archive.close()
    find_duplicates_in_file(path)
    return path


def rows(path, sql: str) -> list:
    with sqlite3.connect(path) as db:
        return db.execute(sql).fetchall()


def assert_one_article_with_both_histories(path):
    assert rows(path, "SELECT id, url, title, version_count, first_seen_at FROM articles") == [
        (1, NEW, "The bridge closes for repairs", 2, FIRST)]
    assert rows(path, "SELECT version, title, captured_at FROM article_versions ORDER BY article_id, version") == [
        (1, "The bridge closes", FIRST), (2, "The bridge closes for repairs", SECOND)]
    assert rows(path, "SELECT article_id, url FROM article_urls ORDER BY url") == [(1, NEW), (1, OLD)]
    # c2, seen by both, is one comment, first seen by the first; c1 no longer on the page.
    assert rows(path, "SELECT article_id, site_comment_id, first_seen_at, removed_at IS NOT NULL FROM comments "
                      "ORDER BY site_comment_id") == [(1, "c1", FIRST, True), (1, "c2", FIRST, False),
                                                      (1, "c3", SECOND, False)]
    assert rows(path, "SELECT c.site_comment_id, c.body_text, e.body_text, e.replaced_at FROM comment_edits e "
                      "JOIN comments c ON c.id = e.comment_id") == [("c3", "A whole year!", "A year!", LATER)]
    assert rows(path, "SELECT au.name FROM article_authors aa JOIN authors au ON au.id = aa.author_id") == [("Bo Chan",)]
    assert rows(path, "SELECT article_id, url, first_seen_at FROM photos ORDER BY url") == [
        (1, f"{SITE}/img/bridge.jpg", FIRST), (1, f"{SITE}/img/crane.jpg", SECOND)]
    assert rows(path, "SELECT count(*) FROM duplicates") == [(0,)]
    assert rows(path, "SELECT article_id, next_visit_at, change_rate, visits FROM revisits") == [(1, THIRD, 0.5, 1)]
    # Nothing of the second article is left, in any table that names an article.
    for table in ("article_blocks", "article_links", "article_versions", "article_authors", "photos", "comments",
                  "revisits", "duplicate_signatures", "article_urls"):
        assert rows(path, f"SELECT count(*) FROM {table} WHERE article_id = 2") == [(0,)], table
    assert rows(path, "SELECT rowid FROM articles_fts WHERE articles_fts MATCH 'overdue OR council'") == [(1,)]
    # The blocks of the latest text: the second article's two.
    assert rows(path, "SELECT count(*) FROM article_blocks WHERE article_id = 1") == [(2,)]


def test_a_redirect_from_the_old_url_to_a_page_stored_under_the_new_one_makes_them_one(tmp_path):
    path = two_articles_of_one_story(tmp_path)
    assert rows(path, "SELECT article_id, duplicate_of FROM duplicates") == [(2, 1)]
    archive = open_archive(path)
    with archive.write() as db:
        third = start_crawl(db, "127.0.0.1", "generic", {}, THIRD)
        page = story_at(NEW, "The bridge closes for repairs", STORY + UPDATE,
                        [comment("Long overdue.", "c2", 0), comment("A whole year!", "c3", 1)], "Bo Chan",
                        ["bridge", "crane"])
        status = store_article(db, page, third, THIRD, moved_from=OLD)
    archive.close()
    assert status == "unchanged"  # the page is the second article's latest version, now the story's
    assert_one_article_with_both_histories(path)


def test_the_page_met_again_this_crawl_by_the_old_url_makes_them_one(tmp_path):
    # The crawl fetched NEW first, then OLD, whose redirect led to NEW again: a duplicate of the page.
    path = two_articles_of_one_story(tmp_path)
    archive = open_archive(path)
    with archive.write() as db:
        assert store_duplicate(db, ArticleDuplicate(NEW, NEW), THIRD, moved_from=OLD)
    archive.close()
    assert_one_article_with_both_histories(path)


def test_a_redirect_to_another_story_makes_nothing_one(tmp_path):
    # A story taken down and its URL sent to another story (sharing none of its text).
    path = two_articles_of_one_story(tmp_path)
    archive = open_archive(path)
    with archive.write() as db:
        third = start_crawl(db, "127.0.0.1", "generic", {}, THIRD)
        other = Article(url=f"{SITE}/news/other/", title="Another story",
                        body_text="The festival opens on the square with music, food and a parade for all. " * 4)
        store_article(db, other, third, THIRD)
        store_duplicate(db, ArticleDuplicate(other.url, other.url), THIRD, moved_from=OLD)
        store_article(db, other, 3, THIRD, moved_from=OLD)
    archive.close()
    assert rows(path, "SELECT id, version_count FROM articles ORDER BY id") == [(1, 1), (2, 1), (3, 1)]
    assert rows(path, "SELECT article_id, count(*) FROM article_urls GROUP BY article_id") == [(1, 1), (2, 1), (3, 1)]


class MovedStory(SiteHandler):
    """A story whose headline, and slug with it, the site edits after the first crawl: the old URL
    then redirects to the new one. `links` (a class attribute): the section's links, of "old",
    "new" or both."""

    links: tuple[str, ...] = ("old",)
    edited = False

    def do_GET(self):  # noqa: N802 (the http.server API)
        paths = {"old": "/news/2024/05/01/bridge-closes/", "new": "/news/2024/05/01/bridge-closes-for-repairs/"}
        if self.path == "/robots.txt":
            return self.answer(404, "no")
        if self.path == "/news/":
            items = "".join(f"<li><a href='{paths[link]}'>The bridge</a></li>" for link in self.links)
            return self.answer(200, f"<html><head><title>News</title></head><body><ul>{items}</ul></body></html>")
        if self.path == paths["old"] and self.edited:
            return self.answer(301, "", Location=paths["new"])
        if self.path == paths["old"] or (self.path == paths["new"] and self.edited):
            title = "The bridge closes for repairs" if self.edited else "The bridge closes"
            update = "<p>Update: the council said the works would take a year.</p>" if self.edited else ""
            return self.answer(200, f"<html><head><title>{title}</title><link rel='canonical' href='{self.path}'>"
                                    "<meta property='article:published_time' content='2024-05-01T08:00:00Z'></head>"
                                    f"<body><article><h1>{title}</h1><p>{STORY}</p>{update}</article></body></html>")
        return self.answer(404, "<html><body>no</body></html>")


def test_a_moved_story_linked_by_its_new_url_then_its_old_one_is_one_article(tmp_path):
    site = type("Site", (MovedStory,), {})
    server = serve_handler(site)
    url = f"http://127.0.0.1:{server.server_port}/news/"

    def crawl(*links):
        site.links = links
        result = run_cli("crawl", url, "--db", str(tmp_path / "a.db"), "--allow-private", "--render", "never",
                         "--full", "-s", "AUTOTHROTTLE_ENABLED=False")
        assert result.returncode == 0, result.stderr[-3000:]

    try:
        crawl("old")
        site.edited = True
        crawl("new")  # a page the archive does not know: a second article, as the docs say
        assert rows(tmp_path / "a.db", "SELECT count(*) FROM articles") == [(2,)]
        crawl("new", "old")  # the old URL's redirect tells they are one
    finally:
        server.shutdown()
    assert rows(tmp_path / "a.db", "SELECT id, title, version_count FROM articles") == [
        (1, "The bridge closes for repairs", 2)]
    assert sorted(url.split("/01/")[-1] for (url,) in rows(tmp_path / "a.db", "SELECT url FROM article_urls")) == [
        "bridge-closes-for-repairs/", "bridge-closes/"]
