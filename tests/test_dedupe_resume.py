"""A resumed crawl's dedupe (newsarchive/pipelines/dedupe.py) knows the articles the interrupted
crawl stored, on a real archive, in the test's process: the second copy of a story (another URL,
the same canonical URL, title and body) is a duplicate whether or not the crawl was killed between
the two copies. Without this, a killed and resumed crawl of a site with such copies stored the
copy as an article page and merged its photos: not the archive a clean crawl gives (seen on
tools/news_site.py's site, where a saved page with a relative canonical link is copied ~7 times)."""

from __future__ import annotations

import pytest
from scrapy.utils.test import get_crawler

from newsarchive import signals as newsarchive_signals
from newsarchive.archive import open_archive
from newsarchive.archive.frontier import add_entries, settle
from newsarchive.archive.store import start_crawl, store_article
from newsarchive.items import Article, ArticleDuplicate, FrontierEntry
from newsarchive.pipelines.dedupe import DedupePipeline
from tests.conftest import LOOPBACK_SITE as SITE

T = "2026-01-10T00:00:00.000000Z"
CANONICAL = f"{SITE}/the-story"
FIRST, SECOND, OLD_ALIAS = f"{SITE}/news/copy-1", f"{SITE}/news/copy-2", f"{SITE}/old/story"
SECTION = f"{SITE}/news/"


def story(url: str, body: str = "The story.") -> Article:
    return Article(url=url, canonical_url=CANONICAL, title="A story", body_text=body)


@pytest.fixture
def archive(tmp_path):
    """An earlier crawl stored the story under an old URL; crawl 2, then killed, stored its first
    copy and settled that page in its frontier, with the second copy still pending."""
    archive = open_archive(tmp_path / "archive.db")
    with archive.write() as db:
        earlier = start_crawl(db, "127.0.0.1", "generic", {}, T)
        store_article(db, Article(url=OLD_ALIAS, canonical_url=CANONICAL, title="A story", body_text="The story."),
                      earlier, T)
        interrupted = start_crawl(db, "127.0.0.1", "generic", {}, T)
        add_entries(db, interrupted, [FrontierEntry(SECTION, "listing"), FrontierEntry(FIRST, "page"),
                                      FrontierEntry(SECOND, "page")], T)
        settle(db, interrupted, SECTION, "listing", T)
        store_article(db, story(FIRST), interrupted, T)
        settle(db, interrupted, FIRST, "article", T)
    yield archive
    archive.close()


def resumed_dedupe(archive, settled: list[str]) -> DedupePipeline:
    """The dedupe pipeline of the crawl that took over crawl 2's frontier, told so by the store's
    signal as a crawl would be."""
    crawler = get_crawler()
    pipeline = DedupePipeline.from_crawler(crawler)
    crawler.signals.send_catch_log(newsarchive_signals.crawl_started, crawl_id=2, archive=archive, resumed=[],
                                   settled=settled)
    return pipeline


def test_the_second_copy_after_a_resume_is_a_duplicate_as_in_a_clean_crawl(archive):
    pipeline = resumed_dedupe(archive, [FIRST])
    assert pipeline.dedupe(story(SECOND)) == ArticleDuplicate(SECOND, CANONICAL)
    assert pipeline.stats.get_value("newsarchive/dedupe/duplicate_count") == 1
    # The page already stored is known by its own URL too.
    assert pipeline.dedupe(story(FIRST)) == ArticleDuplicate(FIRST, FIRST)


def test_a_copy_whose_text_differs_is_no_duplicate(archive):
    pipeline = resumed_dedupe(archive, [FIRST])
    changed = pipeline.dedupe(story(SECOND, "Another story."))
    assert isinstance(changed, Article) and changed.canonical_url == SECOND  # another story under that canonical
    assert changed.warnings == [f"canonical_url: {CANONICAL} is the canonical URL of another story in this crawl; "
                                "kept this page's own URL"]


def test_a_crawl_that_resumed_nothing_knows_nothing_yet(archive):
    pipeline = resumed_dedupe(archive, [])
    assert isinstance(pipeline.dedupe(story(SECOND)), Article)
    assert pipeline.listing_urls == set()


def test_the_listings_read_before_the_resume_are_no_storys_canonical_url(archive):
    pipeline = resumed_dedupe(archive, [SECTION, FIRST])
    assert pipeline.listing_urls == {SECTION}
    pointing_at_the_section = Article(url=SECOND, canonical_url=SECTION, title="A story", body_text="The story.")
    assert pipeline.dedupe(pointing_at_the_section).canonical_url == SECOND


def test_urls_an_earlier_crawl_linked_are_not_this_crawls_pages(archive):
    pipeline = resumed_dedupe(archive, [FIRST])
    assert OLD_ALIAS not in {**pipeline.seen_pages, **pipeline.seen_keys}
    assert (set(pipeline.seen_pages), set(pipeline.seen_keys)) == ({FIRST}, {CANONICAL})
