"""Any site, no profile: the rules that choose between layers for authors, dates and bodies, and
the decoding of pages whose bytes do not match what they declare."""

from __future__ import annotations

import json

import pytest

from newsarchive.parsers import parse_page
from newsarchive.parsers.dates import publication_day
from newsarchive.parsers.encoding import decode_html

PROSE = "".join(f"<p>Paragraph {n} of the story on the harbour works, long enough to be prose that a reader "
                f"came for, with a few more words to be sure of it.</p>" for n in range(6))


def page(head: str = "", body: str = f"<article><h1>Harbour works begin</h1>{PROSE}</article>") -> bytes:
    return (f"<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'><title>Harbour works begin</title>"
            f"{head}</head><body>{body}</body></html>").encode()


def jsonld(**fields) -> str:
    return ("<script type='application/ld+json'>"
            + json.dumps({"@context": "https://schema.org", "@type": "NewsArticle", **fields}) + "</script>")


def og(prop: str, content: str) -> str:
    return f"<meta property='{prop}' content='{content}'>"


# authors -------------------------------------------------------------------------------------------

@pytest.mark.parametrize("bad_author", [
    "https://www.facebook.com/harbourtimes/", "https://harbour.example/profile/mira", "@harbourtimes",
])
def test_an_author_that_is_a_link_or_handle_gives_way_to_the_next_layer(bad_author):
    head = og("article:author", bad_author) + "<meta name='author' content='Mira Holm'>"
    article = parse_page("https://harbour.example/news/works", page(head), kind="article")
    assert [a.name for a in article.authors] == ["Mira Holm"]
    assert article.sources["authors"] == "meta"


def test_the_publisher_named_as_author_is_no_byline():
    organisation = {"@type": "Organization", "name": "Harbour Times"}
    head = jsonld(headline="Harbour works begin", author=organisation, publisher=organisation)
    head += og("og:site_name", "Harbour Times") + "<meta name='author' content='Jon Berg'>"
    article = parse_page("https://harbour.example/news/works", page(head), kind="article")
    assert [a.name for a in article.authors] == ["Jon Berg"]


def test_an_author_named_like_the_host_is_no_byline():
    head = "<meta name='author' content='Harbour.example'>"
    article = parse_page("https://www.harbour.example/news/works", page(head), kind="article")
    assert article.sources.get("authors") != "meta"
    assert "Harbour.example" not in [a.name for a in article.authors]


def test_microdata_authors_come_from_the_article_item_not_teasers_or_comments():
    body = (
        "<article itemscope itemtype='https://schema.org/NewsArticle'><h1 itemprop='headline'>Harbour works begin</h1>"
        "<span itemprop='author' itemscope itemtype='https://schema.org/Person'><span itemprop='name'>Mira Holm</span>"
        "<span class='bio'>Mira Holm writes on the port and its people since 2001.</span></span>"
        f"<div itemprop='articleBody'>{PROSE}</div></article>"
        "<div itemscope itemtype='https://schema.org/Comment'><span itemprop='author'>A Reader</span>"
        "<p itemprop='text'>Nice.</p></div>"
        "<aside><div itemscope itemtype='https://schema.org/NewsArticle'><a itemprop='headline'>Older story</a>"
        "<span itemprop='author'>Someone Else</span></div></aside>"
    )
    article = parse_page("https://harbour.example/news/works", page(body=body), kind="article")
    assert [a.name for a in article.authors] == ["Mira Holm"]
    assert article.sources["authors"] == "microdata"


# dates -----------------------------------------------------------------------------------------------

def test_a_date_in_the_url_is_used_when_the_page_gives_none():
    article = parse_page("https://harbour.example/2024/3/7/harbour-works/", page(), kind="article")
    assert (article.published_at, article.sources["published_at"]) == ("2024-03-07", "url")


def test_an_older_url_date_wins_over_a_later_page_date():
    head = jsonld(headline="Harbour works begin", datePublished="2025-06-17T18:28:00+02:00")
    article = parse_page("https://harbour.example/2023/07/12/harbour-works/", page(head), kind="article")
    assert (article.published_at, article.sources["published_at"]) == ("2023-07-12", "url")
    assert article.published_at_raw == "2025-06-17T18:28:00+02:00"  # what the page said is kept
    assert any("used the URL's" in warning for warning in article.warnings)


def test_a_url_date_a_day_apart_is_a_time_zone_not_an_older_story():
    head = jsonld(headline="Harbour works begin", datePublished="2023-12-31T23:10:00+00:00")
    article = parse_page("https://harbour.example/2024/01/01/new-year/", page(head), kind="article")
    assert article.published_at == "2023-12-31T23:10:00Z"
    assert publication_day(article) == "2024-01-01"  # the site's own day, as its URL says


def test_the_publication_day_is_the_day_where_it_was_published():
    head = jsonld(headline="Harbour works begin", datePublished="2022-05-03T22:30:00-03:00")
    article = parse_page("https://harbour.example/news/works", page(head), kind="article")
    assert article.published_at == "2022-05-04T01:30:00Z"
    assert publication_day(article) == "2022-05-03"


def test_a_utc_date_is_kept_in_the_form_that_gives_the_local_time():
    head = (jsonld(headline="Harbour works begin", datePublished="2019-10-18T22:04:00Z")
            + "<meta name='date' content='2019-10-19T00:04:00+02:00'>")
    article = parse_page("https://harbour.example/news/works", page(head), kind="article")
    assert article.published_at == "2019-10-18T22:04:00Z"
    assert article.published_at_raw == "2019-10-19T00:04:00+02:00"
    assert publication_day(article) == "2019-10-19"


# bodies ------------------------------------------------------------------------------------------------

def test_escaped_html_in_article_body_is_read_as_text():
    raw_body = "<p>O ca&ccedil;ador saiu &agrave;s seis horas, e voltou com a not&iacute;cia.</p>" * 4
    head = jsonld(headline="Harbour works begin", articleBody=raw_body)
    article = parse_page("https://harbour.example/news/works", page(head, body="<h1>Harbour works begin</h1>"),
                         kind="article")
    assert article.sources["body_text"] == "jsonld"
    assert "caçador saiu às seis horas" in article.body_text
    assert "<p>" not in article.body_text and "&" not in article.body_text


def test_a_microdata_body_is_read_as_blocks_without_teasers_sharing_or_hidden_parts():
    body = (
        "<h1>Harbour works begin</h1><div itemprop='articleBody'>"
        "<div class='paragraph'>The first block is a div, as some sites write their paragraphs, "
        "and long enough to be prose.</div>"
        f"{PROSE}"
        "<ul><li>A list item of the story with its own words.</li></ul>"
        "<div class='zq-related-links'><a>Related: the bridge story</a></div>"
        "<a class='teaser'><div>Read also: the ferry story</div></a>"
        "<span class='hideForReaders'>Hidden helper text</span>"
        "<div class='share-buttons'>Share on social media</div>"
        "<div style='display: none'>Invisible text</div>"
        "</div>"
    )
    article = parse_page("https://harbour.example/news/works", page(body=body), kind="article")
    assert article.sources["body_text"] == "microdata"
    assert article.body_text.startswith("The first block is a div")
    assert "A list item of the story" in article.body_text
    for leak in ("Related", "Read also", "Hidden helper", "Share on", "Invisible"):
        assert leak not in article.body_text


# comments -------------------------------------------------------------------------------------------

def test_comment_items_named_by_any_class_ending_in_comment():
    comments = (
        "<div id='rz-comments'>"
        "<div class='rz-comment'><div class='rz-comment-author'>Ines</div>"
        "<div class='rz-story-comment-box'>Tried it twice, works well.</div></div>"
        "<div class='PostComment'><span class='datetime secondary-text'>7 March 2024</span>"
        "<div class='PostCommentContent'>The second comment, in a text part of its own.</div></div>"
        "</div>"
    )
    body = f"<article><h1>Harbour works begin</h1>{PROSE}</article>{comments}"
    article = parse_page("https://harbour.example/news/works", page(body=body), kind="article")
    texts = [c.body_text for c in article.comments]
    assert texts == ["Tried it twice, works well.", "The second comment, in a text part of its own."]
    assert "Tried it twice" not in article.body_text


def test_comment_forms_and_placeholders_are_no_comments():
    around = (
        "<div class='no-comment'>No comments yet. Be the first to write one.</div>"
        "<div class='leave-comment'><h3>Leave a comment</h3><p>Your email address will not be published.</p></div>"
        "<div class='comment'><h3>Reply</h3><form><textarea name='comment'></textarea><button>Send</button></form></div>"
    )
    body = f"<article><h1>Harbour works begin</h1>{PROSE}</article>{around}"
    article = parse_page("https://harbour.example/news/works", page(body=body), kind="article")
    assert article.sources.get("comments") != "markup"
    assert not any("Leave a comment" in c.body_text or "No comments" in c.body_text for c in article.comments)


# encodings -------------------------------------------------------------------------------------------

def test_a_utf8_page_with_a_stray_single_byte_character_stays_utf8():
    text = "<p>Grüße aus Köln, schöne Übersicht – " + "äöü " * 3
    body = text.encode("utf-8") + b"Stra\xdfe</p>"  # one windows-1252 byte pasted into a UTF-8 page
    decoded, encoding = decode_html(body)
    assert encoding == "utf-8"
    assert decoded == text + "Straße</p>"


def test_a_single_byte_page_is_not_taken_for_utf8():
    body = "<html lang='de'><p>Grüße aus Köln, schöne Straße</p></html>".encode("cp1252")
    decoded, _ = decode_html(body, "text/html; charset=windows-1252")
    assert "Grüße aus Köln, schöne Straße" in decoded


def test_captions_and_read_also_links_inside_article_body_are_left_out():
    story = [f"Sentence {n} of the harbour story, as the site's JSON-LD gives it in full." for n in range(5)]
    article_body = "\n".join(story[:2] + ["Cranes at the harbour. [Photo: Port Office]", "Read also: the ferry story"]
                             + story[2:])
    body = ("<h1>Harbour works begin</h1><figure><img src='/c.jpg'><figcaption>Cranes at the harbour. "
            "[Photo: Port Office]</figcaption></figure>" + "".join(f"<p>{s}</p>" for s in story)
            + "<a href='/ferry'>Read also: the ferry story</a>")
    head = jsonld(headline="Harbour works begin", articleBody=article_body)
    article = parse_page("https://harbour.example/news/works", page(head, body=body), kind="article")
    assert article.sources["body_text"] == "jsonld"
    assert article.body_text.split("\n\n") == story


# photos ---------------------------------------------------------------------------------------------

def test_photos_on_a_site_with_no_profile_come_from_its_figures_with_captions_and_credits():
    body = (
        "<aside><figure><img src='/sidebar-ad.jpg'></figure></aside>"
        "<article><h1>Harbour works begin</h1>"
        "<figure><img src='data:image/gif;base64,R0lGOD' data-src='/img/top.jpg' alt='The harbour at dawn'>"
        "<figcaption>The harbour at dawn. <span class='credit'>Jane Doe/Reuters</span></figcaption></figure>"
        f"{PROSE}"
        "<figure><img src='/img/cranes.jpg'><figcaption>Cranes at work. (AFP)</figcaption></figure>"
        "<div class='wp-caption'><img src='/img/crew.jpg'><p class='wp-caption-text'>The crew. Photo: Port Office</p></div>"
        "<div class='related-posts'><figure><img src='/img/older-story.jpg'></figure></div>"
        "</article>"
    )
    head = og("og:image", "https://harbour.example/img/social-card.jpg")
    article = parse_page("https://harbour.example/news/works", page(head, body=body), kind="article")
    assert article.sources["photos"] == "markup"
    assert [(p.url.rsplit("/", 1)[1], p.is_lead, p.caption, p.credit, p.credit_raw) for p in article.photos] == [
        ("top.jpg", True, "The harbour at dawn.", "Jane Doe/Reuters", "Jane Doe/Reuters"),
        ("cranes.jpg", False, "Cranes at work.", "AFP", "(AFP)"),
        ("crew.jpg", False, "The crew.", "Port Office", "Photo: Port Office"),
    ]
    assert article.photos[0].alt == "The harbour at dawn"


def test_the_metadata_image_is_the_lead_photo_when_the_page_shows_none():
    head = og("og:image", "/img/social-card.jpg")
    article = parse_page("https://harbour.example/news/works", page(head), kind="article")
    assert [(p.url, p.is_lead) for p in article.photos] == [("https://harbour.example/img/social-card.jpg", True)]
    assert article.sources["photos"] == "opengraph"
