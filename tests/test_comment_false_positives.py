"""Never a comment on a page that shows none: comment-form text, empty states, counters and teasers
of other articles are not comments, and the generic layer's comment lines need evidence (a counter
above zero or a list of comments on the page). Pages we write, parsed with no profile."""

from __future__ import annotations

import pytest
from lxml import html

from newsarchive.parsers import parse_page
from newsarchive.parsers.comments import is_not_a_comment, shows_a_comment_list

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
])
def test_comment_section_furniture_is_no_comment(text):
    assert is_not_a_comment(text)


@pytest.mark.parametrize("text", [
    "Great piece, thanks.",
    "No, the bridge was closed for three years, not two.",
    "Post office hours changed too.",
    # A long comment may quote the form's words and still be a comment.
    "I tried to leave a reply yesterday but the page said your email address will not be published, which "
    "is fine, but then it lost my text. Anyway: the bridge is a good thing for the traders, who lost half "
    "their customers while it was closed, and the council should say when the second lane opens.",
])
def test_real_comments_are_kept(text):
    assert not is_not_a_comment(text)


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
