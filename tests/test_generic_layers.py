"""Any site, no profile: comment markup of the common platforms, per-field layers, no comment leaks."""

from __future__ import annotations

import subprocess
import sys

import pytest

from newsarchive.parsers import generic, parse_page

WORDPRESS_COMMENTS = """
<div id="comments" class="comments-area">
  <h2 class="comments-title">3 thoughts on “Bridge reopens”</h2>
  <ol class="comment-list">
    <li id="comment-101" class="comment even thread-even depth-1 parent">
      <article id="div-comment-101" class="comment-body">
        <footer class="comment-meta">
          <div class="comment-author vcard"><b class="fn">Amira K.</b> <span class="says">says:</span></div>
          <div class="comment-metadata"><a href="#comment-101"><time datetime="2024-03-04T09:15:00+00:00">4 March 2024 at 9:15</time></a></div>
        </footer>
        <div class="comment-content"><p>Finally the bridge is open again.</p><p>It took two years.</p></div>
        <div class="reply"><a class="comment-reply-link" href="#">Reply</a></div>
      </article>
      <ul class="children">
        <li id="comment-102" class="comment odd alt depth-2">
          <article id="div-comment-102" class="comment-body">
            <footer class="comment-meta">
              <div class="comment-author vcard"><b class="fn">Jonas</b> <span class="says">says:</span></div>
              <div class="comment-metadata"><time datetime="2024-03-04T10:00:00+00:00">4 March 2024 at 10:00</time></div>
            </footer>
            <div class="comment-content"><p>Three years, actually.</p></div>
            <div class="reply"><a class="comment-reply-link" href="#">Reply</a></div>
          </article>
        </li>
      </ul>
    </li>
    <li id="comment-103" class="comment even thread-odd depth-1">
      <article id="div-comment-103" class="comment-body">
        <footer class="comment-meta"><div class="comment-author vcard"><b class="fn">Lena</b></div>
          <div class="comment-metadata"><time datetime="2024-03-05T08:00:00+00:00">5 March 2024</time></div></footer>
        <div class="comment-content"><p>Good news for the market traders.</p></div>
      </article>
    </li>
  </ol>
</div>"""

BODY = "".join(f"<p>Paragraph {n} of the report on the bridge over the river, with enough words to count as text "
               f"that a reader came for, and some more words to be sure of it.</p>" for n in range(8))


def page(extra_head: str = "", comments: str = WORDPRESS_COMMENTS) -> bytes:
    return (f"<!DOCTYPE html><html lang='en'><head><title>Bridge reopens - The Town Paper</title>{extra_head}</head>"
            f"<body><nav><a href='/'>Home</a> <a href='/news'>News</a></nav><main><article class='post'>"
            f"<h1>Bridge reopens</h1><div class='entry-content'>{BODY}</div></article>{comments}</main>"
            f"<footer>© The Town Paper</footer></body></html>").encode()


def test_wordpress_comments_keep_their_authors_times_and_threads():
    article = parse_page("https://town.example/2024/03/bridge-reopens/", page(), kind="article")
    assert article.sources["comments"] == "markup"
    assert [(c.site_comment_id, c.parent_id, c.depth, c.author_name) for c in article.comments] == [
        ("101", None, 0, "Amira K."), ("102", "101", 1, "Jonas"), ("103", None, 0, "Lena")]
    assert article.comments[0].body_text == "Finally the bridge is open again.\n\nIt took two years."
    assert article.comments[1].posted_at == "2024-03-04T10:00:00Z"
    assert all("Reply" not in c.body_text and "says" not in c.body_text for c in article.comments)


def test_comments_never_leak_into_the_body():
    article = parse_page("https://town.example/2024/03/bridge-reopens/", page(), kind="article")
    assert article.body_text.startswith("Paragraph 0 of the report")
    for text in ("Finally the bridge", "Three years", "market traders", "Amira"):
        assert text not in article.body_text


def test_article_and_microdata_comment_items():
    comments = """<section class="comments">
      <article class="comment" id="comment-7" itemscope itemtype="https://schema.org/Comment">
        <span itemprop="author">Olga</span> <time itemprop="dateCreated" datetime="2024-05-01">1 May</time>
        <div itemprop="text"><p>Где это было?</p></div>
        <article class="comment" id="comment-8"><span class="author">Ivan</span><p>В центре.</p></article>
      </article></section>"""
    article = parse_page("https://town.example/ru/story", page(comments=comments), kind="article")
    assert [(c.site_comment_id, c.parent_id, c.author_name, c.body_text) for c in article.comments] == [
        ("7", None, "Olga", "Где это было?"), ("8", "7", "Ivan", "В центре.")]
    assert article.comments[0].posted_at == "2024-05-01"


def test_each_field_comes_from_the_cheapest_layer_that_has_it():
    json_ld = ('<script type="application/ld+json">{"@type": "NewsArticle", "headline": "Bridge reopens",'
               ' "datePublished": "2024-03-03T18:00:00+01:00", "author": {"@type": "Person", "name": "Sara Ali"}}'
               '</script>')
    article = parse_page("https://town.example/2024/03/bridge-reopens/", page(json_ld, comments=""), kind="article")
    assert article.published_at == "2024-03-03T17:00:00Z" and article.sources["published_at"] == "jsonld"
    assert [a.name for a in article.authors] == ["Sara Ali"]
    assert article.sources["body_text"] == "generic" and "Paragraph 7" in article.body_text
    assert "Home" not in article.body_text and "©" not in article.body_text


def test_the_generic_and_markup_layers_fill_a_date_and_author_no_metadata_gives():
    dated = page(comments="").replace(b"<h1>Bridge reopens</h1>",
                                      b"<h1>Bridge reopens</h1><p class='byline'>By Tom Berg</p>"
                                      b"<p class='date'>Published 3 March 2024</p>")
    article = parse_page("https://town.example/news/bridge-reopens", dated, kind="article")
    assert article.published_at == "2024-03-03" and article.sources["published_at"] == "generic"
    # The byline as the page prints it (a class naming it) comes before trafilatura's guesses.
    assert [a.name for a in article.authors] == ["Tom Berg"] and article.sources["authors"] == "markup"
    assert article.byline_raw == "By Tom Berg"
    unmarked = dated.replace(b"<p class='byline'>By Tom Berg</p>", b"<div><span>By Tom Berg and Lena Fischer</span></div>")
    article = parse_page("https://town.example/news/bridge-reopens", unmarked, kind="article")
    assert [a.name for a in article.authors] == ["Tom Berg", "Lena Fischer"] and article.sources["authors"] == "markup"
    comment_author = dated.replace(b"<p class='byline'>By Tom Berg</p>", b"").replace(
        b"</article>", b"<ol><li class='comment' id='comment-1'><span class='comment-author'>Rita</span>"
                       b"<p>Nice.</p></li></ol></article>")
    article = parse_page("https://town.example/news/bridge-reopens", comment_author, kind="article")
    assert "Rita" not in [a.name for a in article.authors] and article.byline_raw is None  # a commenter is no author


def test_an_undeclared_language_is_detected():
    html = ("<html><head><title>Brücke</title></head><body><article><h1>Die Brücke ist wieder offen</h1>"
            + "".join("<p>Nach zwei Jahren Bauzeit ist die Brücke über den Fluss wieder für den Verkehr geöffnet, "
                      "sagte die Bürgermeisterin am Montag vor zahlreichen Gästen.</p>" for _ in range(5))
            + "</article></body></html>").encode()
    article = parse_page("https://stadt.example/bruecke-offen", html, kind="article")
    assert article.language == "de" and article.sources["language"] == "detected"
    arabic = ("<html><body><article><h1>افتتاح الجسر</h1>" + "<p>افتتح الجسر فوق النهر من جديد بعد عامين من أعمال "
              "الإصلاح، وقال رئيس البلدية إن السكان ينتظرون هذا اليوم منذ وقت طويل.</p>" * 5 + "</article></body></html>")
    article = parse_page("https://madina.example/jisr", arabic.encode(), kind="article")
    assert (article.language, article.direction) == ("ar", "rtl")


def test_extract_shows_the_layer_of_each_field_for_a_site_with_no_profile(tmp_path):
    from tests.conftest import run_cli

    saved = tmp_path / "page.html"
    saved.write_bytes(page())
    result = run_cli("extract", str(saved), "--url", "https://town.example/2024/03/bridge-reopens/")
    assert result.returncode == 0, result.stderr
    record = __import__("json").loads(result.stdout)
    assert record["sources"]["body_text"] == "generic" and record["sources"]["comments"] == "markup"
    assert record["title"] == "Bridge reopens" and len(record["comments"]) == 3


def test_the_generic_layer_leaves_the_page_tree_as_it_was():
    # The layers after it (comments, photos, captions) read the same tree: trafilatura must prune
    # a copy, never the page itself.
    from lxml import html as lxml_html

    from newsarchive.parsers.document import parse_document
    from newsarchive.parsers.generic import extract_body_and_comments

    page = ("<html><body><nav><a href='/'>Home</a></nav><article><h1>Bridge reopens</h1>"
            + "<p>After two years of work the bridge over the river is open to traffic again, the mayor said.</p>" * 4
            + "</article><aside class='related'><a href='/other'>Other story</a></aside>"
              "<div id='comments'><p class='comment'>Finally! Took them long enough to fix it.</p></div>"
              "<footer>Contact</footer></body></html>")
    doc = parse_document("https://town.example/news/bridge", page.encode(), "text/html")
    before = lxml_html.tostring(doc.root)
    found = extract_body_and_comments(doc.root, doc.url)
    assert [block.text for block in found.body][:2] == [
        "Bridge reopens", "After two years of work the bridge over the river is open to traffic again, the mayor said."]
    assert lxml_html.tostring(doc.root) == before


def test_the_full_generic_pass_runs_only_when_the_fast_one_finds_little():
    from newsarchive.parsers.document import parse_document
    from newsarchive.parsers.generic import SHORT_TEXT, extract_body_and_comments

    sentences = ["The council met on Tuesday to decide the future of the old bridge over the river.",
                 "Engineers said the repairs would take two years and cost more than planned.",
                 "Residents asked for a ferry in the meantime, which the mayor promised to consider.",
                 "Shops on both banks said they had lost customers since the bridge closed in spring."]
    long_story = "".join(f"<p>{sentence} {index}</p>" for index in range(4) for sentence in sentences)
    short_story = "<p>The bridge is open again, the mayor said on Tuesday.</p>"
    for story, fallback in ((long_story, False), (short_story, True)):
        page = f"<html><body><article><h1>Bridge</h1>{story}</article></body></html>"
        found = extract_body_and_comments(parse_document("https://town.example/b", page.encode(), "text/html").root,
                                          "https://town.example/b")
        text = "\n".join(block.text for block in found.body)
        assert (len(text) < SHORT_TEXT, found.fallback) == (fallback, fallback)
        assert "The bridge is open again" in text if fallback else "Shops on both banks said" in text


# jusText, in trafilatura's full pass, told the page's language -------------------------------------

SHORT_GERMAN_STORY = ("Die Regierung hat am Mittwoch beschlossen, dass die Brücke über den Fluss im Frühjahr "
                      "neu gebaut wird.")


def justext_gathered_all_languages(lang_attribute: str) -> list[str]:
    """In a fresh process (trafilatura keeps the all-languages list for good once gathered): a page
    short enough for the full pass; whether its body was found and the list was gathered."""
    page = (f"<html{lang_attribute}><head><title>Neue Brücke</title></head><body><div><p>{SHORT_GERMAN_STORY}"
            "</p></div></body></html>").encode()
    code = ("import trafilatura.external as external; from newsarchive.parsers import parse_page; "
            f"article = parse_page('https://bridge.example/news/story', {page!r}, kind='article'); "
            "print(bool(article.body_text), external.JT_STOPLIST is not None)")
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.split()


@pytest.mark.parametrize("lang_attribute, gathered", [
    (" lang='de'", "False"),  # the language declared
    (" lang='de-AT'", "False"),  # with a region
    ("", "False"),  # none declared: the fast pass's text tells it
    (" lang='tlh'", "True"),  # one jusText has no stop words for: all of them, as trafilatura does
])
def test_justext_gets_the_stop_words_of_the_pages_language(lang_attribute, gathered):
    assert justext_gathered_all_languages(lang_attribute) == ["True", gathered]


def test_the_stop_words_of_all_languages_are_back_after_the_page():
    import justext
    import trafilatura.external as external

    before = external.JT_STOPLIST
    with generic._justext_stoplist_of("fr"):
        assert external.JT_STOPLIST == justext.get_stoplist("French")
    with generic._justext_stoplist_of("PT-br"):  # a language tag as a page may write it
        assert external.JT_STOPLIST == justext.get_stoplist("Portuguese")
    assert external.JT_STOPLIST is before
    with generic._justext_stoplist_of(None):
        assert external.JT_STOPLIST is before


RIVER_PARAGRAPHS = [
    "The river rose past the old stone bridge on Monday night, and by morning the road along its bank was under water.",
    "The council closed the road until engineers have checked the bridge, which was built in 1887 and last "
    "repaired in 1990."]
RIVER_STORY = "".join(f"<p>{paragraph}</p>" for paragraph in RIVER_PARAGRAPHS)
SHELL_WITH_NOTE = b"""<!doctype html><html lang="en"><head><meta charset="utf-8"><title>River floods the town centre</title>
<meta property="og:title" content="River floods the town centre"></head>
<body><noscript>You need to enable JavaScript to run this app.</noscript><div id="root"></div>
<script src="/static/app.js"></script></body></html>"""


def test_an_apps_noscript_note_is_not_its_story():
    # trafilatura's fallback read the note as the body: the shell was archived with it as its
    # story, and never rendered for the story its script writes.
    article = parse_page("https://news.example/2024/05/01/river-floods", SHELL_WITH_NOTE, kind="article")
    assert (article.body_text, "body_text" in article.sources) == (None, False)


def test_a_noscript_note_in_a_story_is_left_out_of_it():
    html = (f"<!doctype html><html lang='en'><head><title>River road closed</title></head><body><h1>River road closed</h1>"
            f"<div class='story'>{RIVER_STORY}<div id='disqus_thread'></div><noscript>Please enable JavaScript to view "
            "the comments powered by Disqus.</noscript></div></body></html>").encode()
    article = parse_page("https://news.example/2024/05/01/river-road", html, kind="article")
    assert article.body_text.split("\n\n") == RIVER_PARAGRAPHS


def test_the_frames_set_in_a_rendered_page_give_their_comments_and_no_part_of_its_story():
    # A story whose text its script writes, rendered with its frames set in at the end of its body
    # (rendering.with_frames): a "Support us" frame's paragraphs were read as part of the story.
    promo = ("<p>Our newsroom depends on readers like you, and every pound you give keeps our reporters in the "
             "field for another week of stories.</p><p>Membership starts at three pounds a month and can be "
             "cancelled at any time from your account page.</p>")
    comments = ("<ol class='comment-list'><li id='comment-1' class='comment'><div class='comment-content'>"
                "<p>The bridge should have been closed sooner.</p></div></li></ol>")
    html = ("<!doctype html><html lang='en'><head><title>River road closed</title></head><body>"
            f"<h1>River road closed</h1><div id='app'>{RIVER_STORY}</div><aside><iframe src='/promo'></iframe></aside>"
            f"<section data-newsarchive-frame='https://news.example/promo'>{promo}</section>"
            f"<section data-newsarchive-frame='https://news.example/comments?story=1'>{comments}</section>"
            "</body></html>").encode()
    article = parse_page("https://news.example/2024/05/01/river-road", html, kind="article")
    assert article.body_text.split("\n\n") == RIVER_PARAGRAPHS
    assert [comment.body_text for comment in article.comments] == ["The bridge should have been closed sooner."]
