"""End to end: crawl the generated demo site, served by a real server process, into a real archive.

The archive must hold exactly what the generator made: every article, author, photo and comment
once, linked correctly; a second crawl adds nothing.
"""

from __future__ import annotations

import json
import sqlite3
from urllib.parse import urlsplit

import pytest

from tests.conftest import run_cli


@pytest.fixture(scope="module")
def crawled(demo_site, tmp_path_factory):
    db_path = tmp_path_factory.mktemp("crawl") / "archive.db"
    first = run_cli("crawl", "diyaruna", "--db", str(db_path), "--base-url", demo_site.base_url,
                    "--allow-private", "-s", "AUTOTHROTTLE_ENABLED=0", "-s", "LOG_LEVEL=WARNING")
    db = sqlite3.connect(db_path)
    db.row_factory = sqlite3.Row
    yield demo_site, db_path, db, first
    db.close()


def rows(db, sql, *params):
    return [dict(row) for row in db.execute(sql, params)]


def article_by_path(db):
    return {urlsplit(row["url"]).path: row for row in rows(db, "SELECT * FROM articles")}


def test_crawl_finishes_and_reports(crawled):
    _, db_path, db, result = crawled
    assert result.returncode == 0, result.stderr[-3000:]
    assert "crawl 1 of diyaruna: finished" in result.stdout
    # The crawl command leaves the search lists built (few words are frequent in 60 articles).
    assert "search lists of articles_fts:" in result.stderr
    assert {row["index_name"]: row["status"] for row in db.execute("SELECT * FROM search_lists")} == \
        {"articles_fts": "ready", "comments_fts": "ready"}
    crawl = rows(db, "SELECT * FROM crawls")[0]
    assert crawl["finish_reason"] == "finished"
    assert crawl["responses"] >= crawl["articles_stored"] > 0
    assert json.loads(crawl["coverage"])["share"]["date"] == 1.0


def test_every_article_stored_once_with_its_fields(crawled):
    site, _, db, _ = crawled
    stored = article_by_path(db)
    expected = {a["path"]: a for a in site.manifest["articles"]}
    assert set(stored) == set(expected)
    for path, article in expected.items():
        row = stored[path]
        assert row["title"] == article["title"]
        assert row["published_at"] == article["published_date"]
        assert json.loads(row["section_path"]) == article["section_path"]
        assert row["body_text"] == "\n\n".join(article["body_paragraphs"])
        assert row["language"] == ("ar" if article["locale"] == "ar" else "en")


def test_authors_in_byline_order(crawled):
    site, _, db, _ = crawled
    stored = article_by_path(db)
    for article in site.manifest["articles"]:
        names = [r["name"] for r in rows(db, "SELECT au.name FROM article_authors aa JOIN authors au "
                                             "ON au.id = aa.author_id WHERE aa.article_id = ? ORDER BY aa.position",
                                         stored[article["path"]]["id"])]
        assert names == article["authors"], article["path"]
    all_names = {name for article in site.manifest["articles"] for name in article["authors"]}
    assert db.execute("SELECT count(*) FROM authors").fetchone()[0] == len(all_names)


def test_photos_with_captions_and_credits(crawled):
    site, _, db, _ = crawled
    stored = article_by_path(db)
    for article in site.manifest["articles"]:
        photos = rows(db, "SELECT url, caption, credit FROM photos WHERE article_id = ? ORDER BY position",
                      stored[article["path"]]["id"])
        assert [(urlsplit(p["url"]).path, p["caption"], p["credit"]) for p in photos] == \
            [(p["path"], p["caption"], p["credit"]) for p in article["photos"]], article["path"]


def test_comments_threaded_once(crawled):
    site, _, db, _ = crawled
    stored = article_by_path(db)
    total = 0
    for article in site.manifest["articles"]:
        comments = rows(db, "SELECT c.site_comment_id, p.site_comment_id AS parent, c.author_name, c.posted_at, "
                            "c.body_text FROM comments c LEFT JOIN comments p ON p.id = c.parent_id "
                            "WHERE c.article_id = ? ORDER BY c.position", stored[article["path"]]["id"])
        assert [(c["site_comment_id"], c["parent"], c["author_name"], c["posted_at"], c["body_text"]) for c in comments] == \
            [(c["id"], c["parent_id"], c["author"], c["posted_at"], c["text"]) for c in article["comments"]]
        total += len(article["comments"])
    assert db.execute("SELECT count(*) FROM comments").fetchone()[0] == total


def test_every_response_captured(crawled):
    _, _, db, _ = crawled
    crawl = rows(db, "SELECT responses FROM crawls")[0]
    kinds = dict(db.execute("SELECT kind, count(*) FROM captures WHERE crawl_id = 1 GROUP BY kind").fetchall())
    # Every response: the pages, and robots.txt (fetched by a middleware, captured there).
    assert kinds == {"page": crawl["responses"] - 1, "robots": 1}


def test_second_crawl_adds_no_rows(crawled):
    site, db_path, db, _ = crawled
    tables = ("articles", "article_versions", "authors", "article_authors", "photos", "comments", "failures")
    before = {t: db.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in tables}
    again = run_cli("crawl", "diyaruna", "--db", str(db_path), "--base-url", site.base_url, "--allow-private",
                    "-s", "AUTOTHROTTLE_ENABLED=0", "-s", "LOG_LEVEL=WARNING")
    assert again.returncode == 0, again.stderr[-3000:]
    after = {t: db.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in tables}
    assert after == before
    second = rows(db, "SELECT articles_new, articles_changed, finish_reason FROM crawls WHERE id = 2")[0]
    assert second == {"articles_new": 0, "articles_changed": 0, "finish_reason": "finished"}
    # Every response is the same body as in the first crawl (a revisit), but the sitemap's: a
    # second crawl of a site the archive holds reads it for change signals, the first did not.
    full = [urlsplit(url).path for (url,) in db.execute(
        "SELECT url FROM captures WHERE crawl_id = 2 AND revisit_of IS NULL AND status != 304")]
    revisits = db.execute("SELECT count(*) FROM captures WHERE crawl_id = 2 AND revisit_of IS NOT NULL").fetchone()[0]
    assert full == ["/sitemap.xml"] and revisits > 0
    assert revisits + 1 == db.execute("SELECT count(*) FROM captures WHERE crawl_id = 2").fetchone()[0]


def test_full_text_search_finds_arabic_and_english(crawled):
    from newsarchive.archive.folding import register

    site, _, db, _ = crawled
    register(db)  # the index holds folded text: SQL searches it through fold()
    for locale in ("en_GB", "ar"):
        article = next(a for a in site.manifest["articles"] if a["locale"] == locale)
        word = article["title"].split()[1]
        found = rows(db, "SELECT a.url FROM articles_fts f JOIN articles a ON a.id = f.rowid "
                         "WHERE articles_fts MATCH fold(?)", f'"{word}"')
        assert any(urlsplit(r["url"]).path == article["path"] for r in found)


def test_scrapy_list_and_scrapy_crawl_work_from_the_project_root(demo_site, tmp_path):
    import subprocess
    import sys
    from pathlib import Path

    root = Path(__file__).resolve().parents[1]
    listed = subprocess.run([sys.executable, "-m", "scrapy", "list"], cwd=root, capture_output=True, text=True,
                            timeout=120)
    assert listed.returncode == 0, listed.stderr[-2000:]
    assert listed.stdout.split() == ["almashareq", "caravanserai", "diyaruna", "generic", "salaamtimes"]
    db_path = tmp_path / "scrapy.db"
    crawled = subprocess.run(
        [sys.executable, "-m", "scrapy", "crawl", "diyaruna", "-a", f"base_url={demo_site.base_url}",
         "-a", "allow_private=1", "-a", "locales=ar", "-s", f"NEWSARCHIVE_DB_PATH={db_path}",
         "-s", "AUTOTHROTTLE_ENABLED=0", "-s", "LOG_LEVEL=WARNING"],
        cwd=root, capture_output=True, text=True, timeout=300)
    assert crawled.returncode == 0, crawled.stderr[-2000:]
    db = sqlite3.connect(db_path)
    arabic = sum(1 for a in demo_site.manifest["articles"] if a["locale"] == "ar")
    assert db.execute("SELECT count(*), min(language), max(language) FROM articles").fetchone() == (arabic, "ar", "ar")
    assert db.execute("SELECT finish_reason FROM crawls").fetchone() == ("finished",)
