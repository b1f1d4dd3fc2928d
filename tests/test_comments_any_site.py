"""Comments on any site by structure (issue 14, point 4): pages we write, in markup that no comment
class of ours names, parsed with no profile. A comment list is a repeated sibling structure under a
comment section (or after a printed "N comments" counter), each item with a text part and an
author or time part; the same structure nested in an item is a reply; items carrying comment ids
thread by their parent ids."""

from __future__ import annotations

import pytest
from lxml import html

from newsarchive.items import Layer
from newsarchive.parsers import parse_page
from newsarchive.parsers.comments import comment_containers, shows_a_comment_list, structural_comment_items
from newsarchive.rendering import render_reason

URL = "https://town.example/2024/03/04/bridge-reopens"
BODY = "".join(f"<p>Paragraph {n} of the report on the bridge over the river, with enough words to count as text "
               f"that a reader came for, and some more words to be sure of it.</p>" for n in range(8))


def page(comments: str, lang: str = "en") -> bytes:
    return (f"<!DOCTYPE html><html lang='{lang}'><head><title>Bridge reopens</title></head><body><main>"
            f"<article><h1>Bridge reopens</h1><div class='entry-content'>{BODY}</div></article>"
            f"{comments}</main></body></html>").encode()


def comments_of(comments: str, lang: str = "en") -> list[tuple]:
    article = parse_page(URL, page(comments, lang), kind="article")
    return [(c.site_comment_id, c.parent_id, c.depth, c.author_name, c.posted_at, c.body_text)
            for c in article.comments]


def entry(number: int, author: str, day: str, text: str, replies: str = "") -> str:
    # Each item holds its own reply box: a form field in a comment is no reason to drop it.
    return (f"<div class='entryBox flex' id='{number}'><p class='strong entryAuthor'>{author}</p>"
            f"<p class='entryDate'>{day}</p><p class='entryText'>{text}</p>"
            f"<div class='quote'><textarea data-id='{number}'></textarea></div>{replies}</div>")


def test_a_repeated_structure_in_a_comment_section_gives_texts_authors_times_and_ids():
    section = ("<div id='kommentarModul' class='kommentarModul'><h3>2 Kommentare</h3>"
               "<p>Um einen Kommentar zu hinterlassen, loggen Sie sich bitte ein.</p><div class='wrap'>"
               + entry(6963, "Anna", "21. Jan 2024", "Endlich ist die Brücke wieder offen!")
               + entry(6960, "Holzwerker56", "22. Jan 2024", "Danke, das spart mir jeden Tag zwanzig Minuten.")
               + "</div></div>")
    assert comments_of(section, lang="de") == [
        ("6963", None, 0, "Anna", "2024-01-21", "Endlich ist die Brücke wieder offen!"),
        ("6960", None, 0, "Holzwerker56", "2024-01-22", "Danke, das spart mir jeden Tag zwanzig Minuten."),
    ]


@pytest.mark.parametrize("replies_class", ["replies", "commentAnswers", "comment-children"])
def test_the_same_structure_nested_in_an_item_is_a_reply(replies_class):
    reply = entry(12, "Jonas", "5 March 2024", "Three years, actually, not two.")
    section = ("<section class='discussion'><div class='list'>"
               + entry(11, "Amira", "4 March 2024", "Finally the bridge is open again.",
                       replies=f"<div class='{replies_class}'>{reply}</div>")
               + entry(13, "Lena", "6 March 2024", "Good news for the market traders.")
               + "</div></section>")
    assert comments_of(section) == [
        ("11", None, 0, "Amira", "2024-03-04", "Finally the bridge is open again."),
        ("12", "11", 1, "Jonas", "2024-03-05", "Three years, actually, not two."),
        ("13", None, 0, "Lena", "2024-03-06", "Good news for the market traders."),
    ]


def test_items_after_a_printed_counter_need_no_named_section():
    # No id or class names comments: the heading "2 Comments" is the only sign, and each item
    # shows its author by a link to the commenter's page and its time by a printed date.
    items = "".join(f"<div class='box'><a href='/user/{name.lower()}'>{name}</a> <small>on {day}</small>"
                    f"<p>{text}</p></div>" for name, day, text in [
                        ("Omar", "04.03.2024", "The ferry was faster than the bridge ever was."),
                        ("Mia", "05.03.2024", "But the ferry stops at nine in the evening.")])
    section = f"<div class='block'><h3>2 Comments</h3><div class='inner'>{items}</div></div>"
    assert comments_of(section, lang="de") == [
        (None, None, 0, "Omar", "2024-03-04", "The ferry was faster than the bridge ever was."),
        (None, None, 0, "Mia", "2024-03-05", "But the ferry stops at nine in the evening."),
    ]


def test_one_item_is_a_list_when_the_counter_says_one():
    one = ("<div class='comments'><h3>1 comment</h3><div class='box'><span class='who'>Omar</span>"
           "<span class='time'>4 March 2024</span><p>The ferry was faster than the bridge.</p></div></div>")
    assert comments_of(one) == [(None, None, 0, None, "2024-03-04", "The ferry was faster than the bridge.")]
    # The same item with no counter: one element is no repeated structure.
    assert comments_of(one.replace("<h3>1 comment</h3>", "")) == []


def test_items_with_comment_ids_thread_by_their_parent_ids():
    def item(number: int, parent: str, author: str, text: str) -> str:
        return (f"<div class='msg' data-comment-id='{number}' {parent}><span class='msg__name'>{author}</span>"
                f"<time datetime='2024-03-0{number}T08:00:00Z'>{number} March</time><p>{text}</p></div>")

    flat = ("<div class='thread'>" + item(1, "", "Amira", "Open at last.")
            + item(2, "data-parent-id='1'", "Jonas", "Three years it took.")
            + item(3, "data-parent-id='2'", "Lena", "Worth the wait.") + "</div>")
    assert comments_of(flat) == [
        ("1", None, 0, "Amira", "2024-03-01T08:00:00Z", "Open at last."),
        ("2", "1", 1, "Jonas", "2024-03-02T08:00:00Z", "Three years it took."),
        ("3", "2", 2, "Lena", "2024-03-03T08:00:00Z", "Worth the wait."),
    ]


def test_one_notion_of_a_comment_section_for_the_finder_and_the_list_check():
    markup = html.fromstring(
        "<html><body><div class='article-has-comments'><p>State of the article, not a section.</p></div>"
        "<aside class='recent-comments'><ul><li>x</li></ul></aside><a class='comments-link' href='#c'>3</a>"
        "<section id='kommentare'><ol class='commentlist'>"
        "<li class='c'><b class='author'>Ana</b> <i>4 March 2024</i><p>The bridge took two long years.</p></li>"
        "<li class='c'><b class='author'>Ben</b> <i>5 March 2024</i><p>Three, and it was worth the wait.</p></li>"
        "</ol></section></body></html>")
    assert [element.get("id") for element in comment_containers(markup)] == ["kommentare"]
    assert shows_a_comment_list(markup)
    assert [item.find("b").text for item in structural_comment_items(markup)] == ["Ana", "Ben"]


def test_items_must_follow_the_counter_and_a_list_before_it_is_something_else():
    # In the counter's own element: a dated list of other stories before the heading, then the
    # comments, siblings of the heading.
    before = "".join(f"<div class='card'><span class='time'>1 March 2024</span><b class='author'>Desk</b>"
                     f"<p>Earlier story number {n} about the river crossing.</p></div>" for n in (1, 2))
    after = "".join(f"<div class='post'><b class='author'>{name}</b><span class='time'>4 March 2024</span>"
                    f"<p>{text}</p></div>" for name, text in [("Ana", "The bridge took two long years."),
                                                              ("Ben", "Three, and it was worth the wait.")])
    assert comments_of(f"<div class='block'>{before}<h3>2 Comments</h3>{after}</div>") == [
        (None, None, 0, "Ana", "2024-03-04", "The bridge took two long years."),
        (None, None, 0, "Ben", "2024-03-04", "Three, and it was worth the wait."),
    ]


def test_a_wrapper_of_the_same_shape_inside_an_item_is_the_same_comment():
    # Classless items, each wrapping its parts in a classless div: one comment each, no replies.
    items = "".join(f"<div><div><b class='author'>{name}</b> <span class='time'>4 March 2024</span>"
                    f"<p>{text}</p></div></div>" for name, text in [("Ana", "The bridge took two long years."),
                                                                    ("Ben", "Three, and it was worth the wait.")])
    assert comments_of(f"<section id='comments'>{items}</section>") == [
        (None, None, 0, "Ana", "2024-03-04", "The bridge took two long years."),
        (None, None, 0, "Ben", "2024-03-04", "Three, and it was worth the wait."),
    ]


def test_an_item_marked_by_its_schema_org_property_alone_is_a_comment():
    # No class, id or item type names it: itemprop=comment, the article's comment property.
    section = "<h3>Reader views</h3><ul><li itemprop='comment'><b>Anna</b> <p>Nice to have the bridge back.</p></li></ul>"
    assert [text for *_, text in comments_of(section)] == ["Nice to have the bridge back."]


@pytest.mark.parametrize(("counter", "count"), [
    ("1,234 comments", 1234), ("Kommentare: 1.234", 1234), ("1 234 commentaires", 1234), ("1.2K Comments", 1200),
    ("Comments: 12", 12), ("٢٠ تعليقات", 20),
])
def test_a_big_thread_s_counter_is_read_whole_and_one_comment_read_is_not_all(counter, count):
    prose = "".join(f"<p>Paragraph {k} of the story on the river and the bridge works.</p>" for k in range(4))
    one = ("<ol class='comment-list'><li class='comment' id='comment-1'><p class='comment-author'>Ann</p>"
           "<div class='comment-content'><p>Nice story</p></div></li></ol>")
    page = f"<html><head><title>Flood</title></head><body><article><h1>Flood</h1>{prose}</article><h3>{counter}</h3>{one}</body></html>"
    article = parse_page("https://news.example/news/2024/05/02/flood", page.encode())
    assert (article.comment_count, article.comment_count_raw, len(article.comments)) == (count, counter, 1)
    assert (article.comments_status, article.comments_complete) == ("unreached", False)


def with_jsonld(comments: str, node: str) -> bytes:
    script = f"<script type='application/ld+json'>{{\"@context\": \"https://schema.org\", {node}}}</script>"
    return page(comments).replace(b"</head>", script.encode() + b"</head>")


def test_a_json_ld_comment_count_tells_comments_a_script_loads_from_none():
    # The site's own script fills the empty box from somewhere no sign of ours names: without the
    # count its JSON-LD gives, "none", and no browser was sent for them.
    box = "<div id='talk'></div><script src='/assets/talk.js'></script>"
    article = parse_page(URL, with_jsonld(box, '"@type": "NewsArticle", "commentCount": "12"'), kind="article")
    assert (article.comment_count, article.comment_count_raw, article.sources["comment_count"]) == (12, "12", Layer.JSONLD)
    assert (article.comments_status, article.comments_complete) == ("unreached", False)
    assert render_reason(article, "auto") == "comment_counter"
    statistic = ('"@type": "Article", "interactionStatistic": {"@type": "InteractionCounter", '
                 '"interactionType": "https://schema.org/CommentAction", "userInteractionCount": 3}')
    assert parse_page(URL, with_jsonld(box, statistic), kind="article").comment_count == 3
    assert parse_page(URL, page(box), kind="article").comments_status == "none"


def test_a_printed_counter_comes_before_the_json_ld_count_and_a_json_ld_zero_is_no_count():
    counted = "<h3>2 Comments</h3>" + "".join(
        f"<div class='comment' id='comment-{k}'><p>Reader {k} liked the new bridge a lot.</p></div>" for k in (1, 2))
    article = parse_page(URL, with_jsonld(counted, '"@type": "NewsArticle", "commentCount": 9'), kind="article")
    assert (article.comment_count, article.sources["comment_count"], len(article.comments)) == (2, Layer.MARKUP, 2)
    assert article.comments_status == "complete"
    # Yoast's count of WordPress's own comments, 0, beside a comment service that holds the page's.
    disqus = "<div id='disqus_thread'></div><script src='https://town.disqus.com/embed.js'></script>"
    article = parse_page(URL, with_jsonld(disqus, '"@type": "NewsArticle", "commentCount": 0'), kind="article")
    assert (article.comment_count, article.comments_status) == (None, "unreached")


@pytest.mark.parametrize("label, lang, text", [
    ("Like", "en", "<p>Comment number {n} on the bridge.</p>"), ("Liken", "de", "<p>Comment number {n} on the bridge.</p>"),
    # A theme that writes the text outside a paragraph: the control's words, and the author's name
    # (the comment's body read whole), stayed in the comment.
    ("Like", "en", "Comment number {n} on the bridge."), ("Like", "en", "<div>Comment number {n} on the bridge.</div>")])
def test_the_like_control_of_a_wordpress_com_comment_is_no_text(label, lang, text):
    # Every comment's text ended in "LikeLike" (the control's link and its feedback).
    comments = "".join(
        f"<li id='comment-{n}' class='comment even depth-1'><article id='div-comment-{n}' class='comment-body'>"
        f"<header class='comment-meta'><cite class='fn'>Reader {n}</cite> <span class='says'>says:</span>"
        f"<div class='comment-metadata'><time datetime='2024-03-0{n}T08:13:16+01:00'>{n} March 2024</time></div></header>"
        f"<div class='comment-content'>{text.format(n=n)}<p id='comment-like-{n}' "
        f"class='comment-likes comment-not-liked'><a href='?like_comment={n}' class='comment-like-link'><span>{label}"
        f"</span></a><span class='comment-like-feedback'>{label}</span></p></div></article></li>" for n in (5, 6))
    found = comments_of(f"<div id='comments' class='comments-area'><h2 class='comments-title'>2 thoughts on "
                        f"&#8220;Bridge reopens&#8221;</h2><ol class='comment-list'>{comments}</ol></div>", lang)
    assert [(author, text) for _, _, _, author, _, text in found] == [
        ("Reader 5", "Comment number 5 on the bridge."), ("Reader 6", "Comment number 6 on the bridge.")]
