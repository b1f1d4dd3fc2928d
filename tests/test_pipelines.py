"""Pipeline units with a real crawler object and a real SQLite file per test."""

import json
import sqlite3
from copy import deepcopy
from pathlib import Path

import pytest
from scrapy.utils.test import get_crawler

from newsarchive.archive.store import content_hash
from newsarchive.items import Article, ArticleDuplicate, BodyBlock, Byline, Comment, PageFailure, PageResult
from newsarchive.parsers import parse_page
from newsarchive.pipelines.dedupe import DedupePipeline
from newsarchive.pipelines.normalise import NormalisePipeline, choose_canonical_url
from newsarchive.pipelines.store import StorePipeline
from newsarchive.pipelines.validate import ValidatePipeline

SAMPLE = Path(__file__).parent / "fixtures" / "diyaruna" / "sample-article-en"
SAMPLE_URL = "https://diyaruna.com/en_GB/articles/cnmi_di/features/2019/02/26/feature-03"


def sample_article() -> Article:
    return parse_page(SAMPLE_URL, (SAMPLE / "page.html").read_bytes())


def crawler_for(tmp_path, **settings):
    from scrapy import Spider

    crawler = get_crawler(Spider, {"NEWSARCHIVE_DB_PATH": str(tmp_path / "archive.db"), **settings})
    crawler.spider = Spider(name="unit")
    crawler.stats.open_spider()
    return crawler


def page(*records, capture=None) -> PageResult:
    """The item a crawl gives for one response."""
    return PageResult(url=records[0].url if records else capture.url, records=list(records), capture=capture)


def test_normalise_strips_tracking_and_uses_canonical(tmp_path):
    article = sample_article()
    article.url = SAMPLE_URL + "?utm_source=newsletter#comments"
    article.title = "  Iraqi forces,\u00a0Peshmerga  "
    item = NormalisePipeline.from_crawler(crawler_for(tmp_path)).process_item(page(article)).records[0]
    assert item.url == SAMPLE_URL
    assert item.canonical_url == SAMPLE_URL
    assert item.title == "Iraqi forces, Peshmerga"


@pytest.mark.parametrize("declared, expected", [
    ("https://diyaruna.com/en_GB/articles/x/1", "https://diyaruna.com/en_GB/articles/x/1"),
    ("https://www.diyaruna.com/en_GB/articles/x/1", "https://www.diyaruna.com/en_GB/articles/x/1"),
    ("https://diyaruna.com/", "https://diyaruna.com/en_GB/articles/x/1?id=2"),  # front page: ignored
    ("https://elsewhere.example/story", "https://diyaruna.com/en_GB/articles/x/1?id=2"),  # off-site: ignored
    (None, "https://diyaruna.com/en_GB/articles/x/1?id=2"),
])
def test_choose_canonical_url(declared, expected):
    assert choose_canonical_url("https://diyaruna.com/en_GB/articles/x/1?id=2", declared) == expected


def test_validate_turns_an_article_without_body_into_a_failure(tmp_path):
    pipeline = ValidatePipeline.from_crawler(crawler_for(tmp_path))
    item = pipeline.process_item(page(Article(url="https://diyaruna.com/a", title="A title"))).records[0]
    assert isinstance(item, PageFailure)
    assert item.reason == "missing_body_text"
    assert pipeline.stats.get_value("newsarchive/validate/invalid_count") == 1


def test_validate_passes_a_complete_article(tmp_path):
    article = sample_article()
    assert ValidatePipeline.from_crawler(crawler_for(tmp_path)).process_item(page(article)).records == [article]


def test_dedupe_turns_the_same_article_reached_by_another_url_into_a_duplicate(tmp_path):
    pipeline = DedupePipeline.from_crawler(crawler_for(tmp_path))
    first = sample_article()
    second = sample_article()
    second.url = SAMPLE_URL + "?page=1"  # canonical still the same
    assert pipeline.process_item(page(first)).records == [first]
    assert pipeline.process_item(page(second)).records == [ArticleDuplicate(SAMPLE_URL + "?page=1", SAMPLE_URL)]
    assert pipeline.stats.get_value("newsarchive/dedupe/duplicate_count") == 1


def test_the_canonical_page_read_after_an_alias_showing_an_older_copy_is_the_story_not_a_duplicate(tmp_path):
    # A short link (its canonical the story's URL) served a cached copy and was read first: the
    # story's own page, corrected, was taken for that page reached again, and the edit was lost.
    pipeline = DedupePipeline.from_crawler(crawler_for(tmp_path))
    alias, story = sample_article(), sample_article()
    alias.url = SAMPLE_URL.replace("feature-03", "s/12345")
    story.body_text += " Correction: the vote was on Tuesday."
    assert pipeline.process_item(page(alias)).records == [alias]
    assert pipeline.process_item(page(story)).records == [story]
    assert story.canonical_url == SAMPLE_URL and story.warnings == []
    again = sample_article()  # the story's page once more (a redirect to it): the page stored, reached again
    [duplicate] = pipeline.process_item(page(again)).records
    assert duplicate == ArticleDuplicate(SAMPLE_URL, SAMPLE_URL)
    assert duplicate.same_page == (again.title, content_hash(again.title, again.body_text))
    assert pipeline.stats.get_value("newsarchive/dedupe/duplicate_count") == 1


def test_pages_are_duplicates_by_their_articles_key_or_by_a_page_this_crawl_stored():
    pipeline = DedupePipeline(get_crawler().stats)
    first, copy, pointing = sample_article(), sample_article(), sample_article()
    first.url, copy.url = SAMPLE_URL + "?page=1", SAMPLE_URL + "?page=2"  # both: canonical SAMPLE_URL
    assert pipeline.dedupe(first) is first and first.warnings == []  # a first page under another key: no warning
    assert pipeline.dedupe(copy) == ArticleDuplicate(copy.url, SAMPLE_URL)  # the same key, the same text
    # A page naming as canonical a page this crawl stored (not that page's key): its duplicate.
    pointing.url, pointing.canonical_url = SAMPLE_URL + "?print=1", first.url
    assert pipeline.dedupe(pointing) == ArticleDuplicate(pointing.url, first.url)


def test_a_duplicate_page_is_linked_to_the_stored_article(tmp_path):
    db = store_items(tmp_path, [sample_article(), ArticleDuplicate(SAMPLE_URL + "?page=1", SAMPLE_URL)])
    assert count(db, "articles") == 1
    assert db.execute("SELECT url FROM article_urls ORDER BY url").fetchall() == [(SAMPLE_URL,), (SAMPLE_URL + "?page=1",)]
    assert db.execute("SELECT pages, unchanged, articles_stored FROM crawls").fetchone() == (0, 1, 1)


def test_dedupe_removes_repeated_photos_and_authors(tmp_path):
    article = sample_article()
    article.photos.append(deepcopy(article.photos[0]))
    article.authors.append(Byline(name="Khalid al-Taie", name_raw="Khalid al-Taie", position=1))
    article.authors.append(Byline(name="Sara Ahmed", name_raw="Sara Ahmed", position=2))
    item = DedupePipeline.from_crawler(crawler_for(tmp_path)).process_item(page(article)).records[0]
    assert len(item.photos) == 1
    # The repeated name is gone and positions close up: a byline has no gaps.
    assert [(author.name, author.position) for author in item.authors] == [("Khalid al-Taie", 0), ("Sara Ahmed", 1)]


def store_items(tmp_path, items, batch_size=100):
    crawler = crawler_for(tmp_path, NEWSARCHIVE_STORE_BATCH_SIZE=batch_size)
    pipeline = StorePipeline.from_crawler(crawler)
    pipeline.open_spider()
    for item in items:
        pipeline.process_item(item if isinstance(item, PageResult) else page(item))
    pipeline.close_spider()
    pipeline.spider_closed(crawler.spider, "finished")
    return sqlite3.connect(tmp_path / "archive.db")


def count(db, table):
    return db.execute(f"SELECT count(*) FROM {table}").fetchone()[0]


def test_store_writes_article_with_authors_photos_comments(tmp_path):
    db = store_items(tmp_path, [sample_article()])
    assert count(db, "articles") == 1
    title, section_path, published = db.execute("SELECT title, section_path, published_at FROM articles").fetchone()
    assert title == "Iraqi forces, Peshmerga increase co-operation against ISIS"
    assert json.loads(section_path) == ["Iraq News", "Security"]
    assert published == "2019-02-26"
    assert db.execute("SELECT name FROM authors").fetchall() == [("Khalid al-Taie",)]
    assert db.execute("SELECT credit FROM photos").fetchall() == [("Kurdish Peshmerga Ministry",)]
    assert db.execute("SELECT site_comment_id FROM comments").fetchall() == [("54317",)]
    assert count(db, "article_versions") == 1


def test_store_twice_adds_no_rows(tmp_path):
    store_items(tmp_path, [sample_article()])
    db = store_items(tmp_path, [sample_article()])
    for table in ("articles", "article_versions", "authors", "article_authors", "photos", "comments"):
        assert count(db, table) == 1, table
    assert count(db, "crawls") == 2


def test_store_keeps_a_version_when_the_body_changes(tmp_path):
    store_items(tmp_path, [sample_article()])
    changed = sample_article()
    changed.body_blocks.append(BodyBlock("paragraph", "A correction was added."))
    changed.body_text += "\n\nA correction was added."
    db = store_items(tmp_path, [changed])
    assert count(db, "articles") == 1
    assert db.execute("SELECT version FROM article_versions ORDER BY version").fetchall() == [(1,), (2,)]
    assert db.execute("SELECT body_text FROM articles").fetchone()[0].endswith("A correction was added.")


def test_store_links_replies_to_their_parents(tmp_path):
    article = sample_article()
    article.comments.append(Comment(body_text="I agree", position=1, site_comment_id="60000",
                                    parent_id="54317", depth=1, author_name="Reader"))
    db = store_items(tmp_path, [article])
    rows = dict(db.execute(
        "SELECT c.site_comment_id, p.site_comment_id FROM comments c LEFT JOIN comments p ON p.id = c.parent_id"
    ).fetchall())
    assert rows == {"54317": None, "60000": "54317"}


def test_store_records_failures_and_crawl_row(tmp_path):
    failure = PageFailure(url="https://diyaruna.com/missing", reason="http_404", status=404)
    db = store_items(tmp_path, [sample_article(), failure])
    assert db.execute("SELECT url, reason, status FROM failures").fetchall() == [("https://diyaruna.com/missing", "http_404", 404)]
    reason, coverage = db.execute("SELECT finish_reason, coverage FROM crawls").fetchone()
    coverage = json.loads(coverage)
    assert reason == "finished"
    assert coverage["share"] == {"byline": 1.0, "date": 1.0, "photo": 1.0, "comments": 1.0}
    assert coverage["sources"]["title:profile"] == 1


def test_store_full_text_search_finds_titles_and_comments(tmp_path):
    db = store_items(tmp_path, [sample_article()])
    assert db.execute("SELECT title FROM articles_fts WHERE articles_fts MATCH 'peshmerga'").fetchall()
    assert db.execute("SELECT rowid FROM comments_fts WHERE comments_fts MATCH 'Irbil'").fetchall()


def test_store_batches_many_items(tmp_path):
    articles = []
    for number in range(25):
        article = sample_article()
        article.url = article.canonical_url = f"https://diyaruna.com/en_GB/articles/cnmi_di/features/2019/02/26/feature-{number:02d}"
        article.title = f"Story {number}"
        articles.append(article)
    db = store_items(tmp_path, articles, batch_size=10)
    assert count(db, "articles") == 25
    assert count(db, "authors") == 1
    assert count(db, "photos") == 25  # the same image on 25 articles: one row per article


def capture(body: bytes, url: str = SAMPLE_URL):
    from newsarchive.items import Capture

    return Capture(url=url, fetched_at="2026-01-01T00:00:00.000000Z", status=200,
                   request_headers={"User-Agent": ["newsarchive"]},
                   response_headers={"Content-Type": ["text/html; charset=utf-8"]}, body=body)


def test_store_keeps_an_unchanged_body_as_a_revisit(tmp_path):
    import zlib

    body = (SAMPLE / "page.html").read_bytes()
    db = store_items(tmp_path, [page(capture=capture(body)) for body in (body, body, body + b"<!-- changed -->")])
    rows = db.execute("SELECT id, body IS NULL, revisit_of, body_size FROM captures ORDER BY id").fetchall()
    assert rows == [(1, 0, None, len(body)), (2, 1, 1, len(body)), (3, 0, None, len(body) + 16)]
    stored = db.execute("SELECT body FROM captures WHERE id = 1").fetchone()[0]
    assert zlib.decompress(stored) == body


def with_comments(*ids: str, complete: bool = True) -> Article:
    article = sample_article()
    article.comments = [Comment(body_text=f"comment {cid}", position=n, site_comment_id=cid, author_name="Reader")
                        for n, cid in enumerate(ids)]
    article.comment_count = len(ids)
    article.comments_complete = complete
    return article


def removed(db) -> dict:
    return dict(db.execute("SELECT site_comment_id, removed_at IS NOT NULL FROM comments").fetchall())


def test_store_marks_a_comment_missing_from_a_complete_section_as_removed(tmp_path):
    store_items(tmp_path, [with_comments("1", "2", "3")])
    db = store_items(tmp_path, [with_comments("1", "3")])
    assert removed(db) == {"1": 0, "2": 1, "3": 0}
    first_missed = db.execute("SELECT removed_at FROM comments WHERE site_comment_id = '2'").fetchone()[0]
    db = store_items(tmp_path, [with_comments("1", "3")])
    assert db.execute("SELECT removed_at FROM comments WHERE site_comment_id = '2'").fetchone()[0] == first_missed


def test_store_marks_every_comment_removed_when_none_is_left(tmp_path):
    store_items(tmp_path, [with_comments("1", "2")])
    db = store_items(tmp_path, [with_comments()])
    assert removed(db) == {"1": 1, "2": 1}


def test_store_never_marks_removals_from_an_incomplete_comment_section(tmp_path):
    store_items(tmp_path, [with_comments("1", "2")])
    db = store_items(tmp_path, [with_comments(complete=False)])
    assert removed(db) == {"1": 0, "2": 0}


def test_store_clears_the_mark_of_a_comment_that_comes_back(tmp_path):
    store_items(tmp_path, [with_comments("1", "2")])
    store_items(tmp_path, [with_comments("1")])
    db = store_items(tmp_path, [with_comments("1", "2")])
    assert removed(db) == {"1": 0, "2": 0}
    assert count(db, "comments") == 2


def test_a_page_claiming_another_storys_canonical_url_keeps_its_own(tmp_path):
    pipeline = DedupePipeline.from_crawler(crawler_for(tmp_path))
    first, other = sample_article(), sample_article()
    other.url = SAMPLE_URL.replace("feature-03", "feature-04")  # canonical still feature-03
    other.title = "A different story"
    assert pipeline.process_item(page(first)).records == [first]
    kept = pipeline.process_item(page(other)).records[0]
    assert isinstance(kept, Article) and kept.canonical_url == other.url
    assert kept.warnings[-1].startswith(f"canonical_url: {SAMPLE_URL} is the canonical URL of another story")
    # The same page again is a duplicate of itself.
    again = sample_article()
    again.url, again.title = other.url, "A different story"
    assert pipeline.process_item(page(again)).records == [ArticleDuplicate(other.url, other.url)]


def test_a_pipeline_step_that_raises_turns_that_article_alone_into_a_store_error(tmp_path):
    from newsarchive.pipelines import update_articles

    crawler = crawler_for(tmp_path)
    broken, fine = sample_article(), sample_article()
    broken.url = SAMPLE_URL + "?broken"
    listing = PageFailure("https://diyaruna.com/x", "http_404")  # not an article: left alone
    item = PageResult(url=SAMPLE_URL, records=[broken, listing, fine])

    def work(article):
        if article.url.endswith("?broken"):
            raise KeyError("byline")
        article.title = "worked"
        return article

    result = update_articles(item, work, "normalise", crawler.stats)
    assert result is item
    failure = item.records[0]
    assert (failure.url, failure.reason) == (SAMPLE_URL + "?broken", "store_error")
    assert failure.detail.startswith("normalise: KeyError: 'byline' (in newsarchive/pipelines/__init__.py, update_articles")
    assert item.records[1] is listing and item.records[2].title == "worked"
    assert crawler.stats.get_value("newsarchive/store_error/normalise") == 1
    assert update_articles(listing, work, "normalise", crawler.stats) is listing  # no page result: as it was


def test_validate_names_what_is_missing_and_what_was_found(tmp_path):
    pipeline = ValidatePipeline.from_crawler(crawler_for(tmp_path))
    nothing = Article(url="", sources={"language": "meta", "title": "jsonld"})
    failure = pipeline.process_item(page(nothing)).records[0]
    assert (failure.url, failure.reason) == ("", "missing_url_title_body_text")
    assert failure.detail == "the page has no url, title, body_text; fields found: ['language', 'title']"
    assert pipeline.stats.get_value("newsarchive/validate/invalid_count") == 1


def test_dedupe_warns_and_counts_a_shared_canonical_url(tmp_path):
    pipeline = DedupePipeline.from_crawler(crawler_for(tmp_path))
    first, other = sample_article(), sample_article()
    other.url = SAMPLE_URL.replace("feature-03", "feature-04")
    other.body_text += " Another story."
    pipeline.process_item(page(first))
    kept = pipeline.process_item(page(other)).records[0]
    assert kept.warnings == [f"canonical_url: {SAMPLE_URL} is the canonical URL of another story in this crawl; "
                             "kept this page's own URL"]
    assert pipeline.stats.get_value("newsarchive/dedupe/shared_canonical_count") == 1
    assert pipeline.stats.get_value("newsarchive/dedupe/duplicate_count") is None


def test_a_story_whose_canonical_url_is_a_listing_of_this_crawl_keeps_its_own(tmp_path):
    """A template that points every story's canonical URL at its section: each story stays its own
    article, not a version of the first stored under the section's URL."""
    from newsarchive.items import ListingPage

    pipeline = DedupePipeline.from_crawler(crawler_for(tmp_path))
    section = "https://diyaruna.com/en_GB/articles/cnmi_di/features"
    first, second = sample_article(), sample_article()
    second.url, second.body_text = SAMPLE_URL.replace("feature-03", "feature-04"), "Another story."
    for story in (first, second):
        story.canonical_url = section
    pipeline.process_item(PageResult(url=section + "?utm_source=x", records=[ListingPage(section + "?utm_source=x")]))
    kept = [pipeline.process_item(page(story)).records[0] for story in (first, second)]
    assert [story.canonical_url for story in kept] == [first.url, second.url]
    assert kept[0].warnings == [f"canonical_url: {section} is a listing page of this crawl, not a story; "
                                "kept this page's own URL"]
    assert pipeline.stats.get_value("newsarchive/dedupe/listing_canonical_count") == 2
    assert pipeline.stats.get_value("newsarchive/dedupe/shared_canonical_count") is None
    # A canonical URL that is no listing is still trusted.
    third = sample_article()
    third.url = SAMPLE_URL + "?page=2"
    assert pipeline.process_item(page(third)).records[0].canonical_url == SAMPLE_URL


def test_dedupe_drops_repeated_photo_urls_only(tmp_path):
    article = sample_article()
    second = deepcopy(article.photos[0])
    second.url += "?size=large"
    article.photos.append(second)
    article.photos.append(deepcopy(article.photos[0]))
    item = DedupePipeline.from_crawler(crawler_for(tmp_path)).process_item(page(article)).records[0]
    assert [photo.url for photo in item.photos] == [article.photos[0].url, second.url]


STORY_WORDS = ("The harbour works began on Monday after two years of planning and the council said the new quay "
               "would open to ferries in the spring while fishermen moved their boats to the old pier for the "
               "summer and the cafe on the front stayed open").split()


@pytest.fixture
def archive_with_a_story(tmp_path):
    """An archive whose one article, stored by crawl 1, has the section's URL as its canonical URL."""
    from newsarchive.archive import open_archive
    from newsarchive.archive.store import start_crawl, store_article

    archive = open_archive(tmp_path / "archive.db")
    with archive.write() as db:
        start_crawl(db, "diyaruna", "diyaruna", {}, "2026-01-10T00:00:00Z")
        stored = Article(url=f"{SECTION_URL}/first-story", canonical_url=SECTION_URL, title="Harbour works begin",
                         body_text=" ".join(STORY_WORDS))
        assert store_article(db, stored, 1, "2026-01-10T00:00:00Z") == "new"
    yield archive
    archive.close()


SECTION_URL = "https://diyaruna.com/en_GB/articles/cnmi_di/news"


def stored_again(archive, url: str, words: list[str]) -> tuple[str, list]:
    """Store a page of crawl 2 whose canonical URL is the section's; its status and the articles' rows."""
    from newsarchive.archive.store import start_crawl, store_article

    page_article = Article(url=url, canonical_url=SECTION_URL, title="Harbour", body_text=" ".join(words))
    with archive.write() as db:
        start_crawl(db, "diyaruna", "diyaruna", {}, "2026-01-11T00:00:00Z")
        status = store_article(db, page_article, 2, "2026-01-11T00:00:00Z")
    rows = archive.conn.execute("SELECT url, canonical_url, version_count, warnings FROM articles ORDER BY id").fetchall()
    return status, rows


def test_another_story_under_a_stored_articles_canonical_url_is_stored_apart(archive_with_a_story):
    other = "Rain closed the mountain road for a day and the school bus went the long way round the lake".split()
    status, rows = stored_again(archive_with_a_story, f"{SECTION_URL}/second-story", other)
    assert status == "new"
    assert [row[:3] for row in rows] == [(f"{SECTION_URL}/first-story", SECTION_URL, 1),
                                         (f"{SECTION_URL}/second-story", f"{SECTION_URL}/second-story", 1)]
    assert json.loads(rows[1][3]) == [f"canonical_url: {SECTION_URL} is the canonical URL of another story in the "
                                      "archive; kept this page's own URL"]


@pytest.mark.parametrize("kept_words", [len(STORY_WORDS), 30])
def test_the_story_edited_at_another_url_is_its_new_version(archive_with_a_story, kept_words):
    """Moved and edited: all its 45 words kept, or the first 30 (26 of the edit's 33 five-word runs are the story's), is the
    same story; the text of another (the test above) is another story."""
    edited = STORY_WORDS[:kept_words] + "and a second ferry line was announced".split()
    status, rows = stored_again(archive_with_a_story, f"{SECTION_URL}/first-story-moved", edited)
    assert status == "changed"  # the row now has the URL its new version came from
    assert [row[:3] for row in rows] == [(f"{SECTION_URL}/first-story-moved", SECTION_URL, 2)]


def test_the_same_page_rewritten_is_its_new_version(archive_with_a_story):
    rewritten = "Rain closed the mountain road for a day and the school bus went the long way round the lake".split()
    status, rows = stored_again(archive_with_a_story, f"{SECTION_URL}/first-story", rewritten)
    assert (status, [row[:3] for row in rows]) == ("changed", [(f"{SECTION_URL}/first-story", SECTION_URL, 2)])
