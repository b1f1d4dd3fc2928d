"""The normalise, validate and dedupe steps field by field, written to kill their mutants
(docs/testing.md, mutation testing): every field each step touches, with its exact result."""

import pytest
from scrapy import Spider
from scrapy.utils.test import get_crawler

from newsarchive.items import Article, BodyBlock, Byline, Comment, PageFailure, PageResult, Photo
from newsarchive.pipelines.dedupe import DedupePipeline
from newsarchive.pipelines.normalise import NormalisePipeline, choose_canonical_url, normalise_article
from newsarchive.pipelines.validate import ValidatePipeline

STORY = "https://d.example/news/2026/story"


def stats_of(tmp_path):
    crawler = get_crawler(Spider, {"NEWSARCHIVE_DB_PATH": str(tmp_path / "archive.db")})
    crawler.spider = Spider(name="unit")
    crawler.stats.open_spider()
    return crawler


def through(pipeline, article: Article):
    """The one record a pipeline makes of a page holding this article."""
    return pipeline.process_item(PageResult(url=article.url, records=[article])).records[0]


def test_normalise_cleans_every_text_field_and_counts_a_rel_canonical(tmp_path):
    pipeline = NormalisePipeline.from_crawler(stats_of(tmp_path))
    article = Article(
        url=STORY + "?utm_source=feed", canonical_url=STORY + "-amp", title=" A\u00a0 title ",
        byline_raw="  By\u00a0 Sara  Ahmed ", authors=[Byline(name=" Sara\u00a0Ahmed ", name_raw="x", position=0)],
        photos=[Photo(url="https://d.example/p.jpg?utm_source=x&b=2&a=1#f", position=0)],
        body_blocks=[BodyBlock("paragraph", " First \u00a0 para "), BodyBlock("paragraph", " \u00a0 "),
                     BodyBlock("heading", "Cafe\u0301")],
        body_text="not the blocks",
        comments=[Comment(body_text=" Nice\u00a0 point ", position=0, author_name=" Reader  One "),
                  Comment(body_text="  ", position=1, author_name=None)])
    item = through(pipeline, article)
    assert (item.url, item.canonical_url) == (STORY, STORY + "-amp")
    assert (item.title, item.byline_raw, item.authors[0].name) == ("A title", "By Sara Ahmed", "Sara Ahmed")
    assert item.photos[0].url == "https://d.example/p.jpg?a=1&b=2"
    # The blank block is dropped; the text is the blocks' text, NFC ("e" + combining acute -> "é").
    assert [(block.kind, block.text) for block in item.body_blocks] == [("paragraph", "First para"),
                                                                       ("heading", "Caf\u00e9")]
    assert item.body_text == "First para\n\nCaf\u00e9"
    assert [(c.body_text, c.author_name) for c in item.comments] == [("Nice point", "Reader One"), ("", None)]
    assert pipeline.stats.get_value("newsarchive/normalise/rel_canonical_count") == 1


def test_normalise_without_blocks_keeps_the_paragraphs_of_the_body_text(tmp_path):
    pipeline = NormalisePipeline.from_crawler(stats_of(tmp_path))
    item = through(pipeline, Article(url=STORY, body_text="  Cafe\u0301  bar\n\nsecond \n"))
    assert (item.body_text, item.canonical_url) == ("Caf\u00e9  bar\n\nsecond", STORY)
    assert pipeline.stats.get_value("newsarchive/normalise/rel_canonical_count") is None  # no rel=canonical
    assert through(pipeline, Article(url=STORY, body_text=" \n ")).body_text is None
    # Without a stats collector (a direct call), a rel=canonical is still followed.
    assert normalise_article(Article(url=STORY, canonical_url=STORY + "-amp")).canonical_url == STORY + "-amp"


@pytest.mark.parametrize("fetched, declared, expected", [
    # www. on the fetched side only is the same host.
    ("https://www.d.example/news/1?id=2", "https://d.example/news/1", "https://d.example/news/1"),
    ("https://d.example/news/1?id=2", "https://d.example/X", "https://d.example/X"),  # a short path, not the front page
    ("https://d.example/news/1?id=2", "https://www.d.example//", "https://d.example/news/1?id=2"),  # front page
])
def test_choose_canonical_url_host_and_front_page(fetched, declared, expected):
    assert choose_canonical_url(fetched, declared) == expected


def test_validate_keeps_the_url_of_an_article_without_title(tmp_path):
    failure = through(ValidatePipeline.from_crawler(stats_of(tmp_path)), Article(url=STORY, body_text="Body"))
    assert (failure.url, failure.reason, failure.detail) == (STORY, "missing_title",
                                                              "the page has no title; fields found: []")


@pytest.mark.parametrize("pipeline_class, stage, broken", [
    (NormalisePipeline, "normalise", Article(url=STORY, title="T", body_text="B", body_blocks=None)),
    (ValidatePipeline, "validate", Article(url=STORY, body_text="B", sources=None)),
    (DedupePipeline, "dedupe", Article(url=STORY, title="T", body_text="B", photos=None)),
])
def test_each_step_names_itself_in_the_failure_of_an_article_it_cannot_handle(tmp_path, pipeline_class, stage, broken):
    pipeline = pipeline_class.from_crawler(stats_of(tmp_path))
    failure = through(pipeline, broken)
    assert isinstance(failure, PageFailure) and (failure.url, failure.reason) == (STORY, "store_error")
    assert failure.detail.startswith(f"{stage}: TypeError: 'NoneType' object is not iterable")
    assert pipeline.stats.get_value(f"newsarchive/store_error/{stage}") == 1


def test_a_failure_made_of_an_article_has_the_status_of_its_page(tmp_path):
    from newsarchive.items import Capture

    page = Capture(url=STORY, fetched_at="2024-05-01T00:00:00.000000Z", status=203, request_headers={},
                   response_headers={}, body=b"<html></html>")
    result = ValidatePipeline.from_crawler(stats_of(tmp_path)).process_item(
        PageResult(url=STORY, records=[Article(url=STORY, title="Title only")], capture=page))
    assert (result.records[0].reason, result.records[0].status) == ("missing_body_text", 203)
    # Without the page's response (no capture kept), the status stays unknown.
    assert through(ValidatePipeline.from_crawler(stats_of(tmp_path)), Article(url=STORY, title="T")).status is None
