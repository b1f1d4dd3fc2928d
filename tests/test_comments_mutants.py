"""Comment finding checked rule by rule (issue 20, mutation testing of parsers/comments.py).

The rules (module docstring): an item is an element marked as a comment (class, id like
`comment-123` on li/article/div, `data-comment-id`, schema.org `Comment`), never one holding a
textarea; replies are items nested with a reply list between them, an item inside another with no
list between and no other id is a wrapper of the same comment. Within an item and outside its
replies: the author, the time and the text. Markup no class names is read by structure: in a
comment section, or after a printed counter, sibling elements of one shape with a text part and an
author or time part. Every expected value below follows from those rules, on pages written here.
"""

from __future__ import annotations

import threading

import pytest
from lxml import html

from newsarchive.parsers.comments import (
    comment_containers,
    comment_counter,
    comment_items,
    extract_comments,
    is_comment_item,
    is_not_a_comment,
    script_comments_sign,
    shows_a_comment_list,
    structural_comment_items,
)

LONG = "The bridge took two years to build and it was worth every single day of the wait."


def parse(markup: str):
    return html.fromstring(markup)


def comments(markup: str, language: str | None = "en") -> list[tuple]:
    return [(c.site_comment_id, c.parent_id, c.depth, c.author_name, c.posted_at_raw, c.posted_at, c.body_text)
            for c in extract_comments(parse(markup), language)]


def texts(markup: str, language: str | None = "en") -> list[str]:
    return [c.body_text for c in extract_comments(parse(markup), language)]


# --- which elements are comment items ---------------------------------------------------------

@pytest.mark.parametrize(("markup", "expected"), [
    ("<span class='comment'>Hi</span>", False),  # not an item tag
    ("<div class='comment'><form><textarea></textarea></form></div>", False),  # the form
    ("<div class='Comments-Item'>Hi</div>", True),  # a listed item class, any case
    ("<div class='xy-comment'>Hi</div>", True),  # a class ending in the word
    ("<li id='comment-12'>Hi</li>", True),
    ("<article id='comment-12'>Hi</article>", True),
    ("<div id='comment-12'>Hi</div>", True),
    ("<section id='comment-12'>Hi</section>", False),  # an id marks li, article and div only
    ("<div data-comment-id='5'>Hi</div>", True),
    ("<div data-comment-id='5'><textarea></textarea></div>", False),
    ("<div itemtype='https://schema.org/Comment'>Hi</div>", True),
    # the property's name written as the type, as some sites do ("http://schema.org/comment")
    ("<div itemtype='http://schema.org/comment'>Hi</div>", True),
    ("<li itemprop='comment'>Hi</li>", True),  # an article's comment property
    ("<li itemprop='comments'>Hi</li>", False),
    ("<div itemtype='https://schema.org/CommentAction'>Hi</div>", False),  # another type
    ("<div itemtype='https://schema.org/Article'>Hi</div>", False),
])
def test_is_comment_item(markup, expected):
    assert is_comment_item(parse(markup)) is expected


# --- the parts of a marked comment -------------------------------------------------------------

def test_a_marked_item_with_no_site_id_keeps_none_even_with_a_numbered_id():
    markup = "<div><li class='comment' id='note7'><p>Great piece, thanks.</p></li></div>"
    assert comments(markup) == [(None, None, 0, None, None, None, "Great piece, thanks.")]


def test_the_language_reads_the_date():
    markup = "<div><li class='comment'><time>03.04.2020</time><p>Great piece, thanks.</p></li></div>"
    assert comments(markup, "de")[0][4:6] == ("03.04.2020", "2020-04-03")


def test_an_element_with_an_href_that_is_no_link_makes_no_teaser():
    assert texts("<div><li class='comment'><p href='/x'>Great piece, thanks.</p></li></div>") == ["Great piece, thanks."]


def test_furniture_first_does_not_stop_the_comments():
    markup = ("<div><div class='comment'><p>Leave a Reply</p></div>"
              "<div class='comment'><p>Great piece, thanks.</p></div></div>")
    assert texts(markup) == ["Great piece, thanks."]


@pytest.mark.parametrize(("author_markup", "author"), [
    ("<span itemprop='author'>Ana Ruiz</span>", "Ana Ruiz"),
    ("<cite>Ana Ruiz</cite>", "Ana Ruiz"),
    ("<cite>Ana Ruiz Says:</cite>", "Ana Ruiz"),  # the "says" after a name, any case
    ("<cite>Ana Ruiz пишет</cite>", "Ana Ruiz"),
    ("<div class='comment-author vcard'><span class='avatar'>AR</span> <span class='fn'>Ana Ruiz</span></div>",
     "Ana Ruiz"),
    ("<div class='comment-author'><span class='avatar'>AR</span> <span class='name'>Ana Ruiz</span></div>",
     "Ana Ruiz"),
    ("<div class='comment-author'><span class='avatar'>AR</span> <span itemprop='name'>Ana Ruiz</span></div>",
     "Ana Ruiz"),
    ("<!-- avatar --><cite>Ana Ruiz</cite>", "Ana Ruiz"),  # a comment node before the author
])
def test_the_author_of_a_marked_comment(author_markup, author):
    markup = f"<div><li class='comment'>{author_markup}<p>Great piece, thanks.</p></li></div>"
    assert comments(markup)[0][3] == author


@pytest.mark.parametrize(("date_markup", "raw", "posted"), [
    ("<time>4 March 2024</time>", "4 March 2024", "2024-03-04"),
    # As printed, and read from the machine-readable attribute beside it.
    ("<span itemprop='dateCreated' content='2024-03-03'>Monday</span>", "Monday", "2024-03-03"),
    ("<span itemprop='datePublished' datetime='2024-03-05'>Tuesday</span>", "Tuesday", "2024-03-05"),
    ("<time datetime='2024-03-06'>yesterday</time>", "yesterday", "2024-03-06"),
    ("<time datetime='2024-03-07'></time>", "2024-03-07", "2024-03-07"),  # nothing printed: the attribute
    ("<span itemprop='dateCreated'>5 March 2024</span>", "5 March 2024", "2024-03-05"),
    ("<span class='comment-date'>6 March 2024</span>", "6 March 2024", "2024-03-06"),
])
def test_the_time_of_a_marked_comment(date_markup, raw, posted):
    markup = f"<div><li class='comment'>{date_markup}<p>Great piece, thanks.</p></li></div>"
    assert comments(markup)[0][4:6] == (raw, posted)


def test_a_time_after_the_replies_is_the_comments_own():
    markup = ("<div><article class='comment' id='comment-1'><p>Great piece, thanks.</p>"
              "<ul class='children'><li><article class='comment' id='comment-2'><p>Agreed.</p></article></li></ul>"
              "<footer><time datetime='2024-03-04'>Monday</time></footer></article></div>")
    assert comments(markup) == [
        ("1", None, 0, None, "Monday", "2024-03-04", "Great piece, thanks."),
        ("2", "1", 1, None, None, None, "Agreed."),
    ]


def test_threading_by_nesting_without_ids_and_by_parent_ids():
    nested = ("<div><div class='comment'><p>First comment here.</p><ul><li><div class='comment'>"
              "<p>A reply to it.</p></div></li></ul></div></div>")
    assert [(c[1], c[2], c[6]) for c in comments(nested)] == [(None, 0, "First comment here."),
                                                               (None, 1, "A reply to it.")]
    flat = ("<div><div class='comment' data-comment-id='1'><p>Top comment.</p></div>"
            "<div class='comment' data-comment-id='2' data-parent-id='1'><p>A reply.</p></div>"
            "<div class='comment' data-comment-id='3' data-parent-id='2'><p>A reply to the reply.</p></div>"
            "<div class='comment' data-comment-id='4' data-parent-id='999'><p>Parent not on the page.</p></div>"
            "<div class='comment' data-id='77'><p>Marked by data-id.</p></div></div>")
    assert [c[:3] for c in comments(flat)] == [("1", None, 0), ("2", "1", 1), ("3", "2", 2), ("4", "999", 0),
                                               ("77", None, 0)]


@pytest.mark.parametrize("list_tag", ["ul", "ol"])
def test_a_list_between_two_items_makes_a_reply(list_tag):
    markup = (f"<div><div class='comment'><p>First comment here.</p><{list_tag}><li><div class='comment'>"
              f"<p>A reply to it.</p></div></li></{list_tag}></div></div>")
    assert texts(markup) == ["First comment here.", "A reply to it."]


def test_wrappers_and_nested_items():
    wordpress = ("<div><ol class='commentlist'><li class='comment' id='comment-5'>"
                 "<div class='comment-body' id='div-comment-5'><p>One comment, two marks.</p></div></li></ol></div>")
    assert [c[0] for c in comments(wordpress)] == ["5"]
    assert [item.get("id") for item in comment_items(parse(wordpress))] == ["comment-5"]
    no_id = "<div><div class='comment' id='comment-1'><div class='comment-entry'><p>Wrapped.</p></div></div></div>"
    assert [(c[0], c[6]) for c in comments(no_id)] == [("1", "Wrapped.")]
    deeper = ("<div><div class='comment' id='comment-1'><div class='inner'><div class='comment-entry'>"
              "<p>Wrapped deeper.</p></div></div></div></div>")
    assert [item.get("id") for item in comment_items(parse(deeper))] == ["comment-1"]
    other_id = ("<div><div class='comment' id='comment-1'><p>Outer comment.</p>"
                "<div class='comment' id='comment-2'><p>Inner comment.</p></div></div></div>")
    assert [c[:3] for c in comments(other_id)] == [("1", None, 0), ("2", "1", 1)]


# --- the text of a marked comment ---------------------------------------------------------------

def test_paragraphs_of_a_text_part_are_joined_by_blank_lines():
    markup = ("<div><li class='comment'><div class='comment-content'><p>First paragraph.</p>"
              "<p>Second paragraph.</p></div></li></div>")
    assert texts(markup) == ["First paragraph.\n\nSecond paragraph."]


def test_an_empty_text_part_falls_back_to_the_paragraphs():
    markup = "<div><li class='comment'><div class='comment-content'></div><p>Only paragraph.</p></li></div>"
    assert texts(markup) == ["Only paragraph."]


def test_an_itemprop_text_part_leaves_the_other_paragraphs_out():
    markup = ("<div><li class='comment'><p>Ana wrote:</p><div itemprop='text'><p>The bridge took two years.</p>"
              "</div></li></div>")
    assert texts(markup) == ["The bridge took two years."]


def test_the_longest_text_part_wins():
    markup = ("<div><li class='comment'><span class='secondary-text'>Monday</span>"
              "<div class='comment-content'><p>Abc, the bridge took two years.</p></div></li></div>")
    assert texts(markup) == ["Abc, the bridge took two years."]


def test_paragraphs_in_the_meta_part_or_a_reply_are_not_the_text():
    meta = ("<div><div class='comment'><div class='comment-meta'><p>Posted Monday</p></div>"
            "<p>First paragraph.</p><p>Second paragraph.</p></div></div>")
    assert texts(meta) == ["First paragraph.\n\nSecond paragraph."]
    reply_first = ("<div><div class='comment' id='comment-1'><blockquote class='comment' id='comment-2'>"
                   "<p>Quoted reply.</p></blockquote><p>First paragraph.</p><p>Second paragraph.</p></div></div>")
    assert texts(reply_first) == ["First paragraph.\n\nSecond paragraph.", "Quoted reply."]


def test_own_text_leaves_out_author_date_buttons_forms_and_replies():
    markup = ("<div><div class='comment'><!-- c --><cite>Ana</cite> <span class='username'>ana_r</span> "
              "<time>Monday</time> <span class='comment-date'>4 March</span> <span class='says'>says:</span> "
              "<button>Like</button><form>Reply to Ana <input name='q'></form>The bridge took <b>two</b> years."
              "<div class='children'>Loading replies</div><div class='replies'>More</div>"
              "<div class='comment-replies'>Even more</div></div></div>")
    assert comments(markup)[0][6] == "The bridge took two years."


# --- furniture -------------------------------------------------------------------------------

def test_is_not_a_comment_strips_punctuation_not_letters():
    assert is_not_a_comment("Comments X") is False
    assert is_not_a_comment("Comments!") is True


def test_a_form_note_counts_up_to_200_characters():
    note = "Leave a reply"
    assert is_not_a_comment(note + " " + "w" * (200 - len(note) - 1)) is True  # 200 characters
    assert is_not_a_comment(note + " " + "w" * (201 - len(note) - 1)) is False  # 201


# --- comment sections ------------------------------------------------------------------------

@pytest.mark.parametrize("name", ["reactions", "replies", "responses", "комментарии", "تعليقات", "discussion"])
def test_comment_section_words(name):
    page = parse(f"<div><section class='{name}'><p>x</p></section></div>")
    assert [element.get("class") for element in comment_containers(page)] == [name]


def test_a_paragraph_is_no_comment_section():
    assert comment_containers(parse("<div><p id='comments'>Comments</p></div>")) == []


def test_the_sections_are_found_once_per_page_and_in_any_thread():
    page = parse("<div><section id='comments'></section></div>")
    assert comment_containers(page) is comment_containers(page)
    found = []
    worker = threading.Thread(target=lambda: found.append(
        [e.get("id") for e in comment_containers(parse("<div><section id='comments'></section></div>"))]))
    worker.start()
    worker.join()
    assert found == [["comments"]]


# --- comment lists by structure ----------------------------------------------------------------

def entry(author: str = "<b class='who'>Ana</b>", when: str = "<small>4 March 2024</small>", text: str = LONG,
          tag: str = "div", cls: str = "e", extra: str = "") -> str:
    return f"<{tag} class='{cls}'{extra}>{author}{when}<p>{text}</p></{tag}>"


def structural(markup: str) -> int:
    return len(structural_comment_items(parse(markup)))


def test_items_in_ul_and_dl_lists():
    assert structural("<div id='comments'><ul>" + entry(tag="li") * 2 + "</ul></div>") == 2
    assert structural("<div id='comments'><dl>" + entry(tag="dd") * 2 + "</dl></div>") == 2


def test_every_section_gives_its_list():
    section = "<section class='comments'><div class='list'>" + entry() * 2 + "</div></section>"
    assert structural("<div>" + section + "<div class='gap'></div>" + section + "</div>") == 4


def test_items_of_one_shape_by_first_class():
    markup = ("<div id='comments'><div class='list'>" + entry(cls="entry odd first") + entry(cls="entry even")
              + "</div></div>")
    assert structural(markup) == 2


def test_a_shape_needs_parts_and_each_item_needs_them():
    notes = "<div class='note'><p>" + LONG + "</p></div>"
    markup = "<div id='comments'><div class='list'>" + notes * 2 + entry() * 2 + "</div></div>"
    assert structural(markup) == 2
    partless = "<div class='e'><p>" + LONG + "</p></div>"
    markup = "<div id='comments'><div class='list'>" + entry() * 2 + partless + "</div></div>"
    assert structural(markup) == 2


def test_a_short_first_child_does_not_stop_the_list():
    markup = "<div id='comments'><div class='list'><div class='e'>Sort: newest</div>" + entry() * 2 + "</div></div>"
    assert structural(markup) == 2


def test_a_form_word_in_the_id_leaves_the_item_out():
    markup = ("<div id='comments'><div class='list'>" + entry() * 2 + entry(extra=" id='form-7'")
              + "</div></div>")
    assert structural(markup) == 2


@pytest.mark.parametrize(("text", "expected"), [
    ("Twenty chars exactly", True),  # 20 characters: the least text of an item
    ("Nineteen characters", False),  # 19
])
def test_the_least_text_of_a_list_item(text, expected):
    markup = f"<div id='comments'><div class='e'>{text}</div><div class='e'>{text}</div></div>"
    assert shows_a_comment_list(parse(markup)) is expected


def test_half_link_text_is_not_mostly_links():
    item = "<div class='e'><a href='/x'>Twenty chars exactly</a> Nineteen characters</div>"  # 20 of 40
    assert shows_a_comment_list(parse(f"<div id='comments'>{item}{item}</div>")) is True


def test_a_zero_counter_does_not_hide_a_list_without_parts():
    markup = ("<div><h3>0 comments</h3><div id='comments'><div class='e'><p>" + LONG + "</p></div>"
              "<div class='e'><p>" + LONG + "</p></div></div></div>")
    assert shows_a_comment_list(parse(markup)) is True


@pytest.mark.parametrize("author", [
    "<cite>Ana</cite>", "<span itemprop='author'>Ana</span>", "<a rel='author'>Ana</a>",
    "<span class='username'>Ana</span>", "<a href='/users/ana'>Ana</a>",
    "<label>Name</label><cite>Ana</cite>",
])
def test_an_author_part_alone_makes_a_list_item(author):
    markup = "<div id='comments'><div class='list'>" + entry(author=author, when="") * 2 + "</div></div>"
    assert structural(markup) == 2


@pytest.mark.parametrize("author", [
    "<label class='author'>Your name</label>", "<button class='author'>Ana</button>",
    "<a href='/news/other'>Ana</a>",
])
def test_a_form_label_or_an_other_link_is_no_author_part(author):
    markup = "<div id='comments'><div class='list'>" + entry(author=author, when="") * 2 + "</div></div>"
    assert structural(markup) == 0


@pytest.mark.parametrize("when", [
    "<time datetime='2024-03-04'>Monday</time>",
    "<span itemprop='dateCreated'>Monday</span>",
    "<span itemprop='datePublished'>Monday</span>",
    "<button>Reply</button><span class='ago'>Monday</span>",
])
def test_a_time_part_alone_makes_a_list_item(when):
    markup = "<div id='comments'><div class='list'>" + entry(author="", when=when) * 2 + "</div></div>"
    assert structural(markup) == 2


def test_a_button_is_no_time_part():
    markup = ("<div id='comments'><div class='list'>"
              + entry(author="", when="<button class='posted'>Posted Monday</button>") * 2 + "</div></div>")
    assert structural(markup) == 0


@pytest.mark.parametrize("tag", ["span", "p", "div", "a", "abbr", "em", "i", "b", "strong", "footer", "header"])
def test_a_short_element_with_a_date_is_the_time_part(tag):
    item = f"<li class='e'><{tag}>4 March 2024</{tag}>{LONG}</li>"
    found = comments(f"<div id='comments'><ul>{item}{item}</ul></div>")
    assert [c[4:6] for c in found] == [("4 March 2024", "2024-03-04")] * 2


@pytest.mark.parametrize(("length", "count"), [(60, 2), (61, 0)])
def test_a_time_part_is_at_most_60_characters(length, count):
    when = "4 March 2024 " + "w" * (length - 13)
    item = f"<li class='e'><small>{when}</small>{LONG}</li>"
    assert structural(f"<div id='comments'><ul>{item}{item}</ul></div>") == count


def test_the_date_inside_a_time_part_is_what_is_read():
    item = "<div class='e'><small>Antwort von Georg N. aus Bern am 10.4.2020</small><p>" + LONG + "</p></div>"
    found = comments(f"<div id='comments'><div class='list'>{item}{item}</div></div>", "de")
    assert [c[4:6] for c in found] == [("Antwort von Georg N. aus Bern am 10.4.2020", "2020-04-10")] * 2


def test_a_time_part_without_a_date_gives_its_text_and_no_date():
    item = "<div class='e'><span class='posted'>yesterday evening</span><p>" + LONG + "</p></div>"
    found = comments(f"<div id='comments'><div class='list'>{item}{item}</div></div>")
    assert [c[4:6] for c in found] == [("yesterday evening", None)] * 2


# --- lists after a printed counter -------------------------------------------------------------

def test_a_counter_in_a_heading_box_reaches_the_items_after_the_box():
    markup = "<div class='box'><div class='head'><h3>2 Kommentare</h3></div>" + entry() * 2 + "</div>"
    assert structural(f"<html><body>{markup}</body></html>") == 2


def test_a_counter_at_the_top_of_the_page_fragment():
    assert structural("<div><h3>2 comments</h3>" + entry() * 2 + "</div>") == 2


def test_a_list_before_the_counter_is_skipped_not_the_end():
    markup = ("<html><body><div class='x'><ul><li>One teaser link text here</li></ul><h3>2 comments</h3>"
              "<div class='list'>" + entry() * 2 + "</div></div></body></html>")
    assert structural(markup) == 2


@pytest.mark.parametrize("markup", [
    "<html><body><h3>2 comments</h3><div class='list'>" + entry() * 2 + "</div></body></html>",
    "<html><body><main><h3>2 comments</h3><div class='list'>" + entry() * 2 + "</div></main></body></html>",
    "<html><body><article><h3>2 comments</h3>" + entry() * 2 + "</article></body></html>",
    "<html><body><div class='meta'><a href='#c'><span>2 comments</span></a>" + entry() * 2 + "</div></body></html>",
])
def test_a_counter_in_the_page_body_or_a_link_heads_no_list(markup):
    assert structural(markup) == 0


def test_a_counter_that_is_the_whole_tree_heads_no_list():
    counter = html.Element("h3")  # a tree of one element: the counter has no parent
    counter.text = "2 comments"
    assert structural_comment_items(counter) == []


def test_one_item_after_a_bracketed_counter_of_one():
    assert structural("<div><h3>Comments (1)</h3>" + entry() + "</div>") == 1


# --- the counter -----------------------------------------------------------------------------

@pytest.mark.parametrize(("markup", "expected"), [
    ("<div><h3>Comments (4)</h3></div>", ("Comments (4)", 4)),
    ("<div><h3><i></i><span>3</span> comments</h3></div>", ("3 comments", 3)),  # two children
    ("<div><h3><span>3</span> comments<i></i><i></i></h3></div>", (None, None)),  # three: a container
    ("<div><li class='comment'>5 comments</li></div>", (None, None)),  # a comment, not a counter
    ("<div><p>Comments <b>a</b><b>b</b><b>c</b></p><h3>2 comments</h3></div>", ("2 comments", 2)),
    ("<div><h3>12 comments" + "!" * 28 + "</h3></div>", ("12 comments" + "!" * 28, 12)),  # 39 characters
    ("<div><h3>12 comments" + "!" * 29 + "</h3></div>", (None, None)),  # 40
])
def test_comment_counter(markup, expected):
    assert comment_counter(parse(markup)) == expected


@pytest.mark.parametrize(("markup", "expected"), [
    # WordPress's default heading, in its translations: the count before the post's title, which
    # holds numbers of its own.
    ("<h2 class='comments-title'>5 thoughts on “JSON parsing: simdjson vs. JSON for C++ 20”</h2>", 5),
    ("<h2 class='comments-title'>4 Gedanken zu „Mein Motto: Pläne für 2020“</h2>", 4),
    ("<h3 id='comments'>11 responses to “The Loneliest Woman in the World”</h3>", 11),
    ("<h3 id='comments-title'>Ein Kommentar zu “Ein entspannter Start ins neue Jahr 2016”</h3>", 1),
    ("<h3 id='comments'>One Reply to “2 bridges”</h3>", 1),
    ("<h2 class='comments-title'>3 réflexions sur « Le pont »</h2>", 3),
    ("<h2 class='comments-title'>12 comments on “Bridge”</h2>", 12),
    ("<h2 class='comments-title'>7 comentarios en «El puente»</h2>", 7),
    ("<h2 class='comments-title'>2 respuestas a «El puente»</h2>", 2),
    ("<h2 class='comments-title'>5 комментариев к «Мост»</h2>", 5),
    ("<h2 class='comments-title'>3 мысли о “Мост”</h2>", 3),
    ("<h2 class='comments-title'>4 تعليقات على “الجسر”</h2>", 4),
    ("<h2 class='comments-title'>6 Antworten zu „Die Brücke“</h2>", 6),
    # Not so: replies alone are a comment's count of its replies; a heading without the title.
    ("<h3 class='comments-title'>3 replies</h3>", None),
    ("<h3 class='comments-title'>5 thoughts</h3>", None),
    ("<p class='comments-title'>5 thoughts on “Bridge”</p>", None),  # no heading, no word of comments
])
def test_a_count_before_the_posts_title_is_a_counter(markup, expected):
    page = parse(f"<div><h1>Bridge</h1><p>Story.</p>{markup}<p>Leave a reply</p></div>")
    assert comment_counter(page)[1] == expected


# --- comments loaded by script -----------------------------------------------------------------

@pytest.mark.parametrize(("markup", "sign"), [
    ("<div><noscript>Enable JavaScript to see the comments.</noscript></div>", "comment_embed"),
    ("<div><p>This JavaScript tutorial has comments below.</p></div>", None),  # not a noscript note
    ("<div><div data-comments-url='/api/comments/12'></div></div>", "comment_embed"),
    ("<div><div id='comments'></div></div>", "empty_comment_container"),
    ("<div><ul class='list comments'> <!-- filled by script --> </ul></div>", "empty_comment_container"),
    ("<div><div id='comment-list'>\n </div></div>", "empty_comment_container"),
    ("<div><div id='comments-container'></div></div>", "empty_comment_container"),
    ("<div><div id='comments'><p></p></div></div>", None),  # an element inside
    ("<div><div id='comments'>No comments yet.</div></div>", None),  # a notice: rendered as it is
    ("<div><a class='comments' href='#c'></a><form id='comments'></form><script class='comments'></script></div>", None),
    ("<div><div class='comments-area'></div><div id='Comments'></div></div>", None),  # not the names
    ("<div><div id='disqus_thread'></div></div>", "comment_embed"),
    ("<div><p id='commento'>x</p></div>", "comment_embed"),
    ("<div><p id='remark42'>x</p></div>", "comment_embed"),
    ("<div><div id='coral_thread'>x</div></div>", "comment_embed"),
    ("<div><div class='fb-comments' data-href='x'>x</div></div>", "comment_embed"),
    # The placeholders of the services blogs and small sites run themselves, by their guides' ids.
    *((f"<div><section id='{name}'></section></div>", "comment_embed") for name in (
        "isso-thread", "cusdis_thread", "discourse-comments", "gitalk-container", "waline", "vcomments", "tcomment",
        "hashover", "replybox")),
    ("<div><div id='discourse'></div><div class='tag-discourse'></div></div>", None),  # a topic, not the embed
    ("<div><div class='fb-comments-count'>x</div></div>", None),
    ("<div><hyvor-talk-comments website-id='1'></hyvor-talk-comments></div>", "comment_embed"),
    ("<div><p data-hyvor-talk-id='1'>x</p></div>", "comment_embed"),
    ("<div><p data-fb-comments='1'>x</p></div>", "comment_embed"),
    ("<div><iframe src='https://disqus.com/embed/comments/'></iframe></div>", "comment_embed"),
    ("<div><script>var s = 'https://example.disqus.com/embed.js';</script></div>", "comment_embed"),
    ("<div><script src='/js/comments/loader.js'></script></div>", None),  # a folder, not the file name
    ("<div><script src='/js/app.js?ref=comments?v=2'></script></div>", None),  # the query
    ("<div><script id='viafoura-config'></script></div>", None),
    ("<div><style id='disqus-style'></style></div>", None),
    ("<div><link id='vuukle-css' rel='stylesheet' href='/v.css'></div>", None),
])
def test_script_comments_sign(markup, sign):
    assert script_comments_sign(parse(markup)) == sign


# Each comment service, by an element named after it and by its script ------------------------------

@pytest.mark.parametrize("name", ["disqus-thread", "viafoura", "spot-im-frame", "spotim-conversation", "openweb-thread",
                                  "vuukle-comments", "livefyre", "fyre-widget", "insticator-unit", "commento-root",
                                  "remark42-box", "hyvor-talk-view", "giscus", "utterances-frame", "graphcomment",
                                  "isso-root", "cusdis", "talkyard-comments", "gitalk", "waline-wrapper", "valine",
                                  "twikoo", "intensedebate", "commentbox"])
def test_an_element_named_after_a_comment_service_is_a_sign(name):
    assert script_comments_sign(html.fromstring(f"<div><p>Story.</p><div class='{name.upper()}'></div></div>")) == "comment_embed"
    assert script_comments_sign(html.fromstring(f"<div><p>Story.</p><section id='{name}'></section></div>")) == "comment_embed"


@pytest.mark.parametrize("script", [
    "var d = 'https://harbour.DISQUS.com/embed.js';", "load('https://cdn.commento.io/js/commento.js')",
    "s.src = 'https://talk.hyvor.com/embed/embed.js';", "new Remark42({host: '/r'})", "import('/static/coral.js')",
    "s.src = 'https://giscus.app/client.js';", "s.src = 'https://utteranc.es/client.js';",
    "s.src = 'https://connect.facebook.net/en_GB/sdk.js#xfbml=1';", "s.src = 'https://cusdis.com/js/cusdis.es.js';",
    "s.src = 'https://www.intensedebate.com/js/genericCommentWrapperV2.js';", "load('https://unpkg.com/commentbox.io/dist/x.js')",
    "s.src = 'https://getreplybox.com/js/embed.js';", "s.src = 'https://comments.example/talkyard-comments.min.js';",
])
def test_an_inline_script_loading_a_comment_service_is_a_sign(script):
    assert script_comments_sign(html.fromstring(f"<div><p>Story.</p><script>{script}</script></div>")) == "comment_embed"


def test_a_script_naming_facebook_without_its_sdk_is_no_sign():
    page = "<div><p>Story.</p><script>track('https://www.facebook.net/tr?id=1')</script></div>"
    assert script_comments_sign(html.fromstring(page)) is None


@pytest.mark.parametrize(("printed", "count"), [
    ("3 Comments", 3), ("12 COMMENTS", 12), ("Kommentare (4)", 4), ("5 комментариев", 5), ("٧ تعليقات", 7),
])
def test_a_counter_is_found_in_any_case_and_in_the_languages_it_knows(printed, count):
    page = html.fromstring(f"<div><h1>Harbour works</h1><p>Story.</p><h3>{printed}</h3><p>Comments are open.</p></div>")
    assert comment_counter(page) == (printed, count)


def test_schema_org_microdata_alone_marks_a_comment_item():
    page = html.fromstring("<div><p>Story.</p><div itemscope itemtype='https://schema.org/Comment'>"
                           "<span itemprop='author'>Ana</span><p itemprop='text'>Well said, and well argued.</p></div></div>")
    assert [comment.body_text for comment in extract_comments(page)] == ["Well said, and well argued."]


@pytest.mark.parametrize(("link", "sign"), [
    ("<link rel='preconnect' href='https://harbour.disqus.com/'>", "comment_embed"),
    ("<link rel='dns-prefetch' href='//cdn.vuukle.com'>", "comment_embed"),
    ("<link rel='preconnect' href='https://fonts.example.com'>", None),
])
def test_a_preconnect_link_to_a_comment_service_is_a_sign(link, sign):
    assert script_comments_sign(html.fromstring(f"<html><head>{link}</head><body><p>Story.</p></body></html>")) == sign


def test_a_wordpress_list_its_titled_heading_counts_in_full_is_complete():
    # Without the heading read as a counter, the list was never "complete", and a comment the site
    # deleted was never marked removed (store.py marks removals only on complete lists).
    from newsarchive.parsers import parse_page

    def comment(number: int) -> str:
        return (f'<li id="comment-{number}" class="comment depth-1"><article id="div-comment-{number}" class="comment-body">'
                f'<footer class="comment-meta"><b class="fn">reader{number}</b>'
                f'<time datetime="2019-08-0{number}T04:11:57+00:00">August 2019</time></footer>'
                f'<div class="comment-content"><p>Comment number {number} on the benchmark.</p></div></article></li>')

    paragraphs = "".join(f"<p>Paragraph {n}: simdjson parses JSON at gigabytes per second.</p>" for n in range(8))
    for shown, complete in (([1, 2, 3], True), ([1, 2], False)):
        page = (f"<html><body><article><h1>JSON parsing</h1>{paragraphs}</article><div id='comments'>"
                f"<h2 class='comments-title'>3 thoughts on &ldquo;JSON parsing in 2019&rdquo;</h2>"
                f"<ol class='comment-list'>{''.join(comment(n) for n in shown)}</ol></div></body></html>")
        article = parse_page("https://blog.example/2019/08/01/json-parsing/", page.encode())
        assert (len(article.comments), article.comment_count, article.comments_complete) == (len(shown), 3, complete)
