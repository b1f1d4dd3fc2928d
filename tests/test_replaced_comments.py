"""A rendered story's comments, with those its page showed before "load more" clicks took them away
(newsarchive/rendering.py, with_replaced_comments): a pager of comments shows each batch in place
of the one before, and the DOM read at the end shows the last batch alone.

The pages are ours: a story under a counter of three comments, shown one batch at a time."""

from __future__ import annotations

import asyncio

from scrapy.http import HtmlResponse

from newsarchive.parsers import parse_page
from newsarchive.rendering import with_replaced_comments

URL = "https://news.example.org/2024/05/02/river-rises"
STORY = ("The river rose past the old mill overnight and the road to the harbour was closed at dawn. "
         "Forty households near the station were told to leave before the water reached the bridge.")
COMMENTS = {1: "The mill flooded in 1998 as well.", 2: "Thanks to the crews who worked all night.",
            3: "The bridge should have been raised years ago, for €5 million."}


def page(*shown: int) -> str:
    """The story's page showing the comments numbered `shown` (none: its list is empty, as while a
    batch loads)."""
    items = "".join(f"<li class='comment' id='comment-{n}'><p class='comment-author'>Reader {n}</p>"
                    f"<div class='comment-content'><p>{COMMENTS[n]}</p></div></li>" for n in shown)
    return (f"<!doctype html><html lang='en'><head><title>River rises</title>"
            f"<meta property='article:published_time' content='2024-05-02T08:00:00Z'></head><body><article>"
            f"<h1>River rises</h1><p>{STORY}</p><p>{STORY}</p></article><section id='comments'><h3>3 Comments</h3>"
            f"<ol class='comment-list'>{items}</ol></section></body></html>")


def rendered(final: str, replaced: list[str], charset: str = "utf-8"):
    """The article the final page gives with the pages shown before, each parsed as the crawl
    parses a rendered page."""
    response = HtmlResponse(URL, body=final.encode(charset), headers={"Content-Type": f"text/html; charset={charset}"})

    async def parse_rendered(response):
        return parse_page(response.url, response.body, kind="article",
                          content_type=response.headers.get("Content-Type").decode())

    async def run():
        return await with_replaced_comments(await parse_rendered(response), response, replaced, parse_rendered)

    return asyncio.run(run())


def comments(article) -> list[tuple[int, str, str]]:
    return [(comment.position, comment.site_comment_id, comment.body_text) for comment in article.comments]


def test_the_comments_shown_before_come_first_each_once_and_complete_the_counter():
    article = rendered(page(3), [page(1), page(1, 2)])
    assert comments(article) == [(0, "1", COMMENTS[1]), (1, "2", COMMENTS[2]), (2, "3", COMMENTS[3])]
    assert (article.comments_status, article.comments_complete) == ("complete", True)
    assert article.body_text.startswith(STORY)  # the rest of the article is the final page's


def test_a_page_shown_between_clicks_without_comments_adds_none_and_leaves_them_complete():
    article = rendered(page(3), [page(1), page()])
    assert [text for _, _, text in comments(article)] == [COMMENTS[1], COMMENTS[3]]
    assert article.comments_status == "unreached"  # 2 of the 3 the counter says: comment 2 never shown
    article = rendered(page(2, 3), [page(1), page()])
    assert (comments(article)[0][2], len(article.comments), article.comments_status) == (COMMENTS[1], 3, "complete")


def test_no_page_shown_before_with_comments_leaves_the_article_as_rendered():
    final = rendered(page(1, 2, 3), [])
    assert rendered(page(1, 2, 3), [page()]) == final


def test_a_page_shown_before_with_text_its_charset_cannot_hold_is_read_all_the_same():
    # The final page's charset holds its text; a comment shown before it had a character it cannot.
    article = rendered(page(1), [page(3)], charset="iso-8859-1")
    assert [text for _, _, text in comments(article)] == [COMMENTS[3], COMMENTS[1]]
