"""Honest absence and the decision to render, without a browser: an article's comments_status
from small pages, `needs_rendering` for each --render mode, merging a rendered page, the option's
checks and the stored column. Rendering itself is tested in tests/browser/test_rendering.py."""

from __future__ import annotations

import pytest

from newsarchive.archive import open_archive
from newsarchive.archive.store import start_crawl, store_article
from newsarchive.crawling import OptionError, crawl_plan
from newsarchive.items import Article, Comment, Layer
from newsarchive.parsers.article import parse_article
from newsarchive.rendering import browser_missing, merge_rendered, needs_rendering, render_reason

URL = "https://news.example/2024/05/01/story"
STORY = "<h1>Storm hits the coast</h1><article><p>" + "The storm reached the coast on Monday night. " * 8 + "</p></article>"


def page(extra: str) -> str:
    return f"<html lang='en'><head><title>Storm hits the coast</title></head><body>{STORY}{extra}</body></html>"


def comment(n: int) -> str:
    return (f"<li class='comment' id='comment-{n}'><p class='comment-author'>Reader {n}</p>"
            f"<div class='comment-content'><p>Comment number {n} about the storm.</p></div></li>")


@pytest.mark.parametrize(("extra", "status", "count"), [
    ("<h3>5 Comments</h3><div id='comments'></div>", "unreached", 0),
    ("<div id='disqus_thread'></div><script src='https://news-example.disqus.com/embed.js'></script>",
     "unreached", 0),
    ("<script src='https://news-example.disqus.com/embed.js'></script>", "unreached", 0),
    ("<div class='fb-comments' data-href='https://news.example/a'></div>", "unreached", 0),
    ("<section data-comments-url='/api/comments/12'></section>", "unreached", 0),
    ("<h3>2 Comments</h3><ol class='comment-list'>" + comment(1) + comment(2) + "</ol>", "complete", 2),
    ("<h3>5 Comments</h3><ol class='comment-list'>" + comment(1) + comment(2) + "</ol>", "unreached", 2),
    ("", "none", 0),
    ("<div id='comments'><h3>Leave a Reply</h3><form><textarea name='c'></textarea></form></div>", "none", 0),
    ("<h3>0 Comments</h3><div id='disqus_thread'></div>", "none", 0),
])
def test_comments_status(extra, status, count):
    article = parse_article(URL, page(extra))
    assert (article.comments_status, len(article.comments)) == (status, count)


@pytest.mark.parametrize(("status", "mode", "reason"), [
    ("unreached", "auto", "comments_unreached"),
    ("complete", "auto", None),
    ("none", "auto", None),
    ("none", "always", "always"),
    ("complete", "always", "always"),
    ("unreached", "never", None),
])
def test_needs_rendering(status, mode, reason):
    article = Article(url=URL, comments_status=status)
    assert render_reason(article, mode) == reason
    assert needs_rendering(article, mode) is (reason is not None)


def test_merge_rendered_takes_comments_and_missing_fields_only():
    article = parse_article(URL, page("<h3>2 Comments</h3><div id='comments'></div>"))
    rendered = parse_article(URL, page("<h3>2 Comments</h3><ol class='comment-list'>" + comment(1) + comment(2)
                                       + "</ol><p class='byline'>By Sara Ali</p>"))
    title_source = article.sources["title"]
    taken = merge_rendered(article, rendered)
    assert "comments" in taken and "title" not in taken
    assert [c.body_text for c in article.comments] == ["Comment number 1 about the storm.",
                                                       "Comment number 2 about the storm."]
    assert (article.comments_status, article.sources["comments"], article.sources["title"]) == (
        "complete", Layer.RENDERED, title_source)


def test_merge_rendered_without_comments_stays_unreached():
    article = Article(url=URL, title="T", comments_status="unreached")
    assert merge_rendered(article, Article(url=URL, title="Other")) == []
    assert (article.comments_status, article.title, article.sources) == ("unreached", "T", {})


@pytest.mark.parametrize(("render", "setting"), [("auto", "auto"), ("never", "never"), (None, None)])
def test_crawl_plan_render_setting(render, setting):
    plan = crawl_plan("https://news.example/news/", render=render)
    assert plan.settings.get("NEWSARCHIVE_RENDER") == setting


def test_crawl_plan_refuses_bad_render_mode_and_always_without_browser():
    with pytest.raises(OptionError, match="--render must be one of auto, always, never, not 'sometimes'"):
        crawl_plan("https://news.example/news/", render="sometimes")
    # What is missing depends on the machine (the main test command installs no browser extra):
    # the refusal names it, whichever it is.
    missing = browser_missing("/nonexistent/chromium")
    assert missing in ('scrapy-playwright is not installed (pip install "newsarchive[browser]")',
                       "no Chromium at NEWSARCHIVE_CHROMIUM='/nonexistent/chromium' (apt-get install -y chromium)")
    with pytest.raises(OptionError) as refused:
        crawl_plan("https://news.example/news/", render="always",
                   overrides={"NEWSARCHIVE_CHROMIUM": "/nonexistent/chromium"})
    assert str(refused.value) == f"--render always needs a browser: {missing}"


def test_comments_status_is_stored_and_updated(tmp_path):
    archive = open_archive(tmp_path / "a.db")
    with archive.write() as db:
        crawl_id = start_crawl(db, "news", "generic", {}, "2024-05-01T00:00:00Z")
        store_article(db, Article(url=URL, title="T", body_text="B", comments_status="unreached"), crawl_id,
                      "2024-05-01T00:00:00Z")
        store_article(db, Article(url=URL, title="T", body_text="B", comments_status="complete",
                                  comments=[Comment("Hello there", 0)]), crawl_id, "2024-05-02T00:00:00Z")
    with archive.write() as db:
        assert db.execute("SELECT comments_status FROM articles").fetchall() == [("complete",)]
    archive.close()
