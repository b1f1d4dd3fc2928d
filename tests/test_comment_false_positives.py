"""Never a comment on a page that shows none: comment-form text, empty states, counters and teasers
of other articles are not comments, and the generic layer's comment lines need evidence (a counter
above zero or a list of comments on the page). Pages we write, parsed with no profile."""

from __future__ import annotations

import pytest
from lxml import html

from newsarchive.parsers import parse_page
from newsarchive.parsers.comments import is_not_a_comment, shows_a_comment_list, structural_comment_items

URL = "https://news.example/2024/03/04/bridge-reopens"
BODY = "".join(f"<p>Paragraph {n} of the report on the bridge over the river, with enough words to count as text "
               f"that a reader came for, and some more words to be sure of it.</p>" for n in range(8))
WORDPRESS_FORM = """
<div id="respond" class="comment-respond">
  <h3 id="reply-title" class="comment-reply-title">Leave a Reply</h3>
  <form id="commentform" class="comment-form">
    <p class="comment-notes">Your email address will not be published. Required fields are marked *</p>
    <p class="comment-form-comment"><textarea id="comment" name="comment"></textarea></p>
  </form>
</div>"""


def page(comments: str) -> bytes:
    return (f"<!DOCTYPE html><html lang='en'><head><title>Bridge reopens</title></head><body><main>"
            f"<article><h1>Bridge reopens</h1><div class='entry-content'>{BODY}</div></article>"
            f"{comments}</main></body></html>").encode()


def comment_texts(comments: str) -> list[str]:
    return [comment.body_text for comment in parse_page(URL, page(comments), kind="article").comments]


@pytest.mark.parametrize("text", [
    "Leave a Reply", "Leave a comment", "Post a Comment", "Your email address will not be published.",
    "No comments yet", "No comments :", "Be the first to comment!", "Please log in here to leave a comment.",
    "Log in to comment", "Please enter your comment!", "Recent Comments", "Comments (0)", "0", "12 comments",
    "Schreibe einen Kommentar", "Hinterlasse jetzt einen Kommentar", "Kommentar verfassen", "Kommentieren!",
    "Derzeit sind keine Kommentare vorhanden.", "Erstellen Sie jetzt den ersten Kommentar", "Neueste Kommentare",
    "Bitte melde Dich an, um einen Kommentar abzugeben", "Laisser un commentaire", "Aucun commentaire",
    "Iniciar Sesión para comentar", "Deja un comentario", "Lascia un commento", "Оставьте комментарий",
    # A button with its count beside it, and login notices.
    "Kommentieren16", "Reply (3)", "Sie sind aktuell nicht eingeloggt.", "You must be logged in to post a comment.",
    "Werden Sie Teil unserer Community und diskutieren Sie mit! Dazu benötigen Sie ein Nutzerkonto.",
    # The placeholder of a list its script fills, and the buttons that fill it.
    "Loading comments…", "Loading the comments.", "Comments are loading...", "Show comments (12)", "View all comments",
    "Kommentare werden geladen", "Chargement des commentaires…", "Cargando comentarios", "Загрузка комментариев...",
    "جار تحميل التعليقات",
])
def test_comment_section_furniture_is_no_comment(text):
    assert is_not_a_comment(text)


@pytest.mark.parametrize("text", [
    "Great piece, thanks.",
    "No, the bridge was closed for three years, not two.",
    "Post office hours changed too.",
    "Loading the ferry took three hours.", "Show the comments to the mayor, he should read them.",
    # A long comment may quote the form's words and still be a comment.
    "I tried to leave a reply yesterday but the page said your email address will not be published, which "
    "is fine, but then it lost my text. Anyway: the bridge is a good thing for the traders, who lost half "
    "their customers while it was closed, and the council should say when the second lane opens.",
])
def test_real_comments_are_kept(text):
    assert not is_not_a_comment(text)


def test_the_placeholder_of_a_list_its_script_fills_is_no_comment_and_leaves_them_unreached():
    article = parse_page(URL, page("<section id='comments'><h3>3 Comments</h3><p>Loading comments…</p>"
                                   "<ol class='comment-list'></ol></section>"), kind="article")
    assert (article.comments, article.comments_status) == ([], "unreached")


def test_an_empty_wordpress_comment_section_gives_no_comment():
    section = f'<div id="comments" class="comments-area">{WORDPRESS_FORM}</div>'
    article = parse_page(URL, page(section), kind="article")
    assert article.comments == []
    assert article.comment_count is None
    assert "comments" not in article.sources


def test_placeholders_marked_as_comments_are_dropped_and_real_ones_kept():
    section = """
    <div class="comments">
      <div class="comment-item"><p>Derzeit sind keine Kommentare vorhanden.</p></div>
      <div class="comment-item"><p>0</p></div>
      <div class="comment-item"><p>The market traders will be glad.</p></div>
    </div>"""
    assert comment_texts(section) == ["The market traders will be glad."]


def test_a_recent_comments_widget_linking_to_other_articles_gives_no_comment():
    widget = """
    <aside><ul>
      <li class="tab-comment-item"><span class="tab-comment-author">Anna:</span>
        <a href="https://news.example/2024/02/01/harbour/#comment-5"><span>What about the harbour?</span></a></li>
      <li class="tab-comment-item"><span class="tab-comment-author">Ben:</span>
        <a href="https://news.example/2024/01/09/school/#comment-9"><span>The school needs a new roof.</span></a></li>
    </ul></aside>"""
    assert comment_texts(widget) == []


# A comment list in markup no comment finder of ours knows (class "entry"), which only the
# generic layer (trafilatura) reads, under a heading that is or is not a counter.
GENERIC_SECTION = """
<div id="comments"><h3>{heading}</h3>
  <div class="entries">{entries}</div>
  <div id="respond"><h3>Leave a Reply</h3><p>Your email address will not be published.</p></div>
</div>"""
ENTRIES = ("<div class='entry'><p>Finally the bridge is open again after two long years of waiting for it.</p></div>"
           "<div class='entry'><p>The traders on the market square will be glad to hear this news today.</p></div>")


def test_generic_comment_lines_with_a_counter_are_kept_without_the_form_text():
    article = parse_page(URL, page(GENERIC_SECTION.format(heading="2 Comments", entries=ENTRIES)), kind="article")
    assert [comment.body_text for comment in article.comments] == [
        "Finally the bridge is open again after two long years of waiting for it.",
        "The traders on the market square will be glad to hear this news today.",
    ]
    assert article.sources["comments"] == "generic"
    assert article.comment_count == 2


def test_generic_comment_lines_with_a_list_of_comments_and_no_counter_are_kept():
    texts = comment_texts(GENERIC_SECTION.format(heading="Discussion", entries=ENTRIES))
    assert texts == ["Finally the bridge is open again after two long years of waiting for it.",
                     "The traders on the market square will be glad to hear this news today."]


def test_generic_comment_lines_without_evidence_are_dropped():
    # One paragraph under the comments heading, no counter, no list: a notice, not comments.
    notice = "<div><p>We welcome debate here, but please keep it civil and stay on the topic of the story.</p></div>"
    assert comment_texts(GENERIC_SECTION.format(heading="Discussion", entries=notice)) == []
    # A counter of zero says there are none, whatever the generic layer read.
    assert comment_texts(GENERIC_SECTION.format(heading="0 Comments", entries=ENTRIES)) == []


def test_a_comment_list_needs_repeated_items_with_their_own_text():
    def shows(markup: str) -> bool:
        return shows_a_comment_list(html.fromstring(f"<html><body>{markup}</body></html>"))

    assert shows(f"<section class='comments'>{ENTRIES}</section>")
    # Paragraphs side by side are one notice; links alone are teasers; a form is no list.
    assert not shows("<div id='comments'><div class='note'><p>Please be civil in the comments below.</p>"
                     "<p>Comments are checked by our editors first.</p></div></div>")
    assert not shows("<div class='comments'><div class='t'><a href='/a'>Another story about the harbour</a></div>"
                     "<div class='t'><a href='/b'>Yet another story about the school</a></div></div>")
    assert not shows(f"<div id='comments'>{WORDPRESS_FORM}</div>")
    # Rows of a form, each a label long enough and a field, are no list.
    assert not shows("<div id='comments'>" + "".join(
        f"<div class='row'><label>Your {field}, as others will see it</label><input name='{field}'></div>"
        for field in ("name", "website")) + "</div>")


def test_the_boxes_of_a_comment_form_are_no_comment_list():
    # Login prompt and notes beside the form, each with a name-like part: named as the form's.
    boxes = ("<div class='comment-box add-comment comment-login'><span class='username'>Anna</span>"
             "<p>Log in with your account to write here.</p></div>"
             "<div class='comment-box add-comment information-text'><span class='username'>Editors</span>"
             "<p>Messages appear at once and are not checked by the newsroom.</p></div>")
    section = f"<div class='comments'>{boxes}</div>"
    assert comment_texts(section) == []
    assert not shows_a_comment_list(html.fromstring(f"<html><body>{section}</body></html>"))


# Structures that repeat, with dates or names, inside or near a comment section, and are no comments.
def test_a_recent_comments_widget_with_dates_and_names_gives_no_comment():
    items = "".join(f"<li class='footer-item'><div class='footer-item-meta'>06.11.23 - 14:0{n} von {name} zu</div>"
                    f"<a href='/2023/11/0{n}/story-{n}'>Another story of the week, number {n}, with its headline</a></li>"
                    for n, name in enumerate(["Gastleser", "Willi", "Peter"]))
    for widget_class in ("box-aktuelle-kommentare", "recent-comments", "most-commented"):
        assert comment_texts(f"<section class='{widget_class}'><ul>{items}</ul></section>") == []


def test_a_widget_quoting_recent_comments_gives_no_comment():
    # Its items look like comments (a time, a name, a text) but sit in a recent/latest widget.
    items = "".join(f"<li class='entry'><span class='time'>06.11.23</span> <b class='author'>{name}</b>"
                    f"<p>A quoted comment from another story, long enough to be read.</p><a href='/s/{name}'>more</a></li>"
                    for name in ("Gastleser", "Willi"))
    for widget_class in ("box-aktuelle-kommentare", "recent-comments", "latest-comments"):
        assert comment_texts(f"<section class='{widget_class}'><ul>{items}</ul></section>") == []


def test_stories_listed_in_a_comment_section_are_no_comments():
    # Dated items whose text is mostly a link's: teasers of other stories, whatever the section says.
    items = "".join(f"<div class='item'><span class='time'>4 March 2024</span> "
                    f"<a href='/2024/03/0{n}/story'>Another story from the town about the ferry, part {n}</a>"
                    f" <span>({n} replies)</span></div>"
                    for n in (1, 2))
    assert comment_texts(f"<section class='comments'>{items}</section>") == []


def test_the_services_of_a_comment_form_give_no_comment():
    services = "".join(
        f"<div id='comment-form-{service}' class='comment-form-service'><div class='comment-form-fields'>"
        f"<input type='hidden' name='{service}_avatar' class='comment-meta-{service}' value=''>"
        f"<p class='comment-form-posting-as'>You are commenting using your {service} account. ( Log Out / Change )</p>"
        f"</div></div>" for service in ("wordpress", "google", "twitter"))
    assert comment_texts(f"<div id='comments'><div id='respond'>{services}</div></div>") == []


def test_a_counter_of_zero_means_a_dated_list_is_no_comments():
    items = "".join(f"<div class='box'><span class='who'>{name}</span><span class='time'>4 March 2024</span>"
                    f"<p>A story of the week that readers discussed a lot.</p></div>" for name in ("Ana", "Ben"))
    assert comment_texts(f"<div class='block'><h3>0 Comments</h3>{items}</div>") == []


def test_a_counter_linked_from_the_headline_does_not_make_the_article_a_comment_list():
    # "(1 Kommentar)" is a link to the comments further down, printed beside the headline: the
    # dated box after it is no comment.
    article = parse_page(URL, page(
        "<div class='news'><a href='#kommentare'>(1 Kommentar)</a>"
        "<div class='nl-teaser'><p>Melden Sie sich jetzt für den kostenlosen Newsletter an!</p>"
        "<small>Stand: 06.11.2023</small></div></div>"), kind="article")
    assert article.comments == []
    assert (article.comment_count, article.comments_status) == (1, "unreached")


def test_a_class_word_holding_date_inside_another_word_is_no_time_part():
    # "Datenschutz" (privacy) and "update" hold "date" but name no time: rows with only those are
    # no items of the structural finder (the generic layer's lines have their own evidence rule).
    rows = "".join(f"<div class='row'><div class='label nl-datenschutz'>Datenschutzbestimmung {n}</div>"
                   f"<p class='update-note'>Wir informieren Sie täglich über die Themen.</p></div>" for n in (1, 2))

    def items(markup: str) -> int:
        return len(structural_comment_items(html.fromstring(f"<html><body>{markup}</body></html>")))

    assert items(f"<div class='comments'>{rows}</div>") == 0
    assert items(f"<div class='comments'>{rows.replace('nl-datenschutz', 'nl-date')}</div>") == 2
