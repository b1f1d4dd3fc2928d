"""A rendered page is parsed for what the crawl takes from it (newsarchive/rendering.py,
wanted_from_rendering; newsarchive/parsers/article.py, SKIPPABLE_STEPS): its comments, and the
fields the page as sent lacked. The story's body, half a parse, is extracted only when the page as
sent had none; what is taken is the same as from a whole parse.

The page is ours: a story with a photo, a byline and two comments under a counter.
"""

from __future__ import annotations

import copy

from newsarchive.items import Article
from newsarchive.parsers import parse_page
from newsarchive.rendering import merge_rendered, wanted_from_rendering

URL = "https://news.example.org/2024/05/02/river-rises"
STORY = ("The river rose past the old mill overnight and the road to the harbour was closed at dawn. "
         "Forty households near the station were told to leave before the water reached the bridge.")
COMMENTS = ("The mill flooded in 1998 as well, nobody learned a thing.", "Thanks to the crews who worked all night.")
PAGE = f"""<!doctype html><html lang="en"><head><title>River rises past the mill</title>
<meta property="article:published_time" content="2024-05-02T08:00:00Z"></head>
<body><article><h1>River rises past the mill</h1><p class="byline">By Ana Weber</p>
<figure><img src="/img/mill.jpg" width="800" height="500"><figcaption>The mill at dawn.</figcaption></figure>
<p>{STORY}</p><p>{STORY.replace("Forty", "Sixty")}</p></article>
<section id="comments"><h3>2 Comments</h3><ol class="comment-list">
<li class="comment" id="comment-1"><p class="comment-author">Reader One</p><div class="comment-content"><p>{COMMENTS[0]}</p></div></li>
<li class="comment" id="comment-2"><p class="comment-author">Reader Two</p><div class="comment-content"><p>{COMMENTS[1]}</p></div></li>
</ol></section></body></html>"""
COMMENT_PARTS = ("comments", "comment_count", "comment_count_raw", "comments_complete", "comments_status")


def whole() -> Article:
    return parse_page(URL, PAGE, kind="article")


def comment_parts(article: Article) -> dict:
    return {name: copy.deepcopy(getattr(article, name)) for name in COMMENT_PARTS}


def test_the_page_s_whole_parse_has_every_part():
    article = whole()
    assert [comment.body_text for comment in article.comments] == list(COMMENTS)
    assert (article.comment_count, article.comments_status, article.comments_complete) == (2, "complete", True)
    assert article.body_text is not None and "old mill overnight" in article.body_text
    assert [photo.url for photo in article.photos] == ["https://news.example.org/img/mill.jpg"]
    assert article.title == "River rises past the mill"


def test_a_page_as_sent_with_a_body_has_its_rendering_parsed_without_the_body_and_photos():
    sent = whole()
    wanted = wanted_from_rendering(sent)
    assert "body_text" not in wanted and "comments" in wanted
    rendered = parse_page(URL, PAGE, kind="article", fields=wanted)
    assert (rendered.body_text, rendered.body_blocks, rendered.photos) == (None, [], [])
    assert comment_parts(rendered) == comment_parts(sent)
    # The steps that are kept run as in a whole parse: the title, the language (from the markup), the date.
    assert (rendered.title, rendered.language, rendered.published_at) == (sent.title, "en", "2024-05-02T08:00:00Z")


def test_the_fields_the_page_as_sent_lacked_are_parsed_in_full():
    sent = whole()
    sent.body_blocks, sent.body_text = [], None  # as if the story came by script
    rendered = parse_page(URL, PAGE, kind="article", fields=wanted_from_rendering(sent))
    assert rendered.body_text == whole().body_text
    assert rendered.photos == []  # never taken from a rendered page
    for field in ("body_text", "body_blocks"):  # either names the body
        assert parse_page(URL, PAGE, kind="article", fields=(field,)).body_blocks == whole().body_blocks, field
    assert parse_page(URL, PAGE, kind="article", fields=("photos",)).photos == whole().photos


def test_what_the_crawl_takes_from_the_rendered_page_is_what_a_whole_parse_gives():
    for lacking in ((), ("body_blocks", "body_text"), ("title",), ("authors", "byline_raw")):
        sent = whole()
        sent.comments, sent.comments_status = [], "unreached"  # the comments came by script
        for name in lacking:
            setattr(sent, name, Article(url=URL).__getattribute__(name))
        from_whole, from_part = copy.deepcopy(sent), copy.deepcopy(sent)
        taken_whole = merge_rendered(from_whole, whole())
        taken_part = merge_rendered(from_part, parse_page(URL, PAGE, kind="article",
                                                          fields=wanted_from_rendering(sent)))
        assert taken_part == taken_whole and "comments" in taken_part, lacking
        assert from_part.to_dict() == from_whole.to_dict(), lacking


def test_no_fields_named_is_the_whole_parse():
    assert parse_page(URL, PAGE, kind="article", fields=None).to_dict() == whole().to_dict()
