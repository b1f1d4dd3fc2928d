"""What the mutation run found untested of one story stored twice (archive/store.py, merge.py): the
crawl ids of the folded article's versions, the credits of the side seen last when that is the
kept article, and the share of text that makes a redirect's two pages one story (SAME_STORY_SHARE
of the shorter text's five-word runs: a short first text inside a long later one; exactly the
share)."""

from __future__ import annotations

from newsarchive.archive import open_archive
from newsarchive.archive.store import start_crawl, store_article, store_duplicate
from newsarchive.items import Article, ArticleDuplicate
from tests.test_one_story_stored_twice import (
    NEW,
    OLD,
    STORY,
    THIRD,
    UPDATE,
    comment,
    rows,
    story_at,
    two_articles_of_one_story,
)

FOURTH = "2026-01-13T00:00:00.000000Z"


def test_the_folded_versions_keep_the_crawls_that_captured_them(tmp_path):
    path = two_articles_of_one_story(tmp_path)
    archive = open_archive(path)
    with archive.write() as db:
        assert store_duplicate(db, ArticleDuplicate(NEW, NEW), THIRD, moved_from=OLD)
    archive.close()
    assert rows(path, "SELECT version, crawl_id, captured_at FROM article_versions ORDER BY version") == [
        (1, 1, "2026-01-10T00:00:00.000000Z"), (2, 2, "2026-01-11T00:00:00.000000Z")]
    assert rows(path, "SELECT first_crawl_id, last_crawl_id FROM articles") == [(1, 2)]


def test_the_kept_article_seen_last_keeps_its_credits(tmp_path):
    path = two_articles_of_one_story(tmp_path)  # OLD by Ann Lee (article 1), NEW by Bo Chan (article 2)
    archive = open_archive(path)
    with archive.write() as db:
        third = start_crawl(db, "127.0.0.1", "generic", {}, THIRD)
        # OLD seen again, unchanged, after NEW's last visit: article 1 is the side seen last.
        store_article(db, story_at(OLD, "The bridge closes", STORY, [comment("First!", "c1", 0),
                                                                     comment("Long overdue.", "c2", 1)],
                                   "Ann Lee", ["bridge"]), third, THIRD)
        assert store_duplicate(db, ArticleDuplicate(NEW, NEW), FOURTH, moved_from=OLD)
    archive.close()
    assert rows(path, "SELECT id, last_seen_at FROM articles") == [(1, THIRD)]
    assert rows(path, "SELECT au.name FROM article_authors aa JOIN authors au ON au.id = aa.author_id") == [
        ("Ann Lee",)]
    assert rows(path, "SELECT name FROM authors") == [("Ann Lee",)]  # Bo Chan, credited by no article, is gone


def two_stories(tmp_path, old_body: str, new_body: str):
    """OLD stored by the first crawl, NEW by the second; then the crawl meets NEW again by OLD's
    redirect. Returns the archive's path."""
    path = tmp_path / "a.db"
    archive = open_archive(path)
    with archive.write() as db:
        first = start_crawl(db, "127.0.0.1", "generic", {}, "2026-01-10T00:00:00.000000Z")
        store_article(db, Article(url=OLD, canonical_url=OLD, title="The bridge", body_text=old_body), first,
                      "2026-01-10T00:00:00.000000Z")
        second = start_crawl(db, "127.0.0.1", "generic", {}, "2026-01-11T00:00:00.000000Z")
        store_article(db, Article(url=NEW, canonical_url=NEW, title="The bridge", body_text=new_body), second,
                      "2026-01-11T00:00:00.000000Z")
        assert store_duplicate(db, ArticleDuplicate(NEW, NEW), THIRD, moved_from=OLD)
    archive.close()
    return path


def test_a_short_first_text_inside_a_long_later_one_is_the_same_story(tmp_path):
    # Every five-word run of the first text is in the later one, six times its length: one story.
    later = STORY + UPDATE + " " + " ".join(f"Witness {n} described the queue of lorries at the closed crossing."
                                             for n in range(60))
    path = two_stories(tmp_path, STORY, later)
    assert rows(path, "SELECT id FROM articles") == [(1,)]
    assert rows(path, "SELECT url FROM article_urls ORDER BY url") == [(NEW,), (OLD,)]


OLD_WORDS = "alpha bravo charlie delta echo foxtrot golf hotel india juliet kilo lima mike november"  # 10 runs
# Shares two of them (alpha ... foxtrot), of its own sixteen: exactly a fifth of the shorter's ten.
NEW_WORDS = ("alpha bravo charlie delta echo foxtrot oscar papa quebec romeo sierra tango uniform victor whiskey "
             "xray yankee zulu amber basil")


def test_a_fifth_of_the_shorter_texts_runs_shared_is_the_same_story(tmp_path):
    path = two_stories(tmp_path, OLD_WORDS, NEW_WORDS)
    assert rows(path, "SELECT id FROM articles") == [(1,)]


def test_less_than_a_fifth_shared_is_another_story(tmp_path):
    path = two_stories(tmp_path, OLD_WORDS, NEW_WORDS.replace("foxtrot", "ferry"))  # one run shared
    assert rows(path, "SELECT id FROM articles ORDER BY id") == [(1,), (2,)]


def test_folding_leaves_the_archive_connection_reading_plain_rows(tmp_path):
    # fold_article_into reads the archive's own connection by column name on cursors of its own
    # (_RowReader): the crawl's later queries on that connection still get tuples.
    path = two_articles_of_one_story(tmp_path)
    archive = open_archive(path)
    with archive.write() as db:
        assert store_duplicate(db, ArticleDuplicate(NEW, NEW), THIRD, moved_from=OLD)
        assert db.conn.execute("SELECT id, url FROM articles").fetchall() == [(1, NEW)]
    assert archive.conn.row_factory is None
    archive.close()
