"""A profile an archivist writes for a new site, read against the markup real sites have: the
story inside a wrapper whose theme names it like a widget, a date element that prints a label,
authors marked one by one without a byline element, and the day of publication of a day-first
English page or of a time with a zone's name. Expected values worked out from each page by hand."""

from __future__ import annotations

import pytest

from newsarchive.parsers.article import parse_article
from newsarchive.profiles import profile_from_dict

STORY = ("<p>The harbour reopened on Monday after a week of repairs to the northern pier, officials said.</p>"
         "<p>Fishing boats were the first to leave, followed by the ferry to the islands at noon.</p>"
         "<p>Repairs cost about two million euros, paid from the regional emergency fund.</p>")
STORY_TEXT = ("The harbour reopened on Monday after a week of repairs to the northern pier, officials said.\n\n"
              "Fishing boats were the first to leave, followed by the ferry to the islands at noon.\n\n"
              "Repairs cost about two million euros, paid from the regional emergency fund.")
URL = "https://news.example.org/2024/01/harbour/"


def profile(**selectors: str):
    return profile_from_dict({
        "name": "harbour", "sites": [{"name": "harbour", "code": "hb", "hosts": ["news.example.org"]}],
        "urls": {"article": r"^/\d{4}/\d{2}/[^/]+/?$", "section": r"^/news/?$"},
        "selectors": {"article": {"title": "h1", **selectors}, "listing": {}}})


def page(inside: str, lang: str = "en", head: str = "") -> str:
    return (f"<!doctype html><html lang='{lang}'><head><meta charset='utf-8'><title>Harbour</title>{head}</head>"
            f"<body><article class='post'><h1>Harbour reopens after storm</h1>{inside}</article></body></html>")


@pytest.mark.parametrize("wrapped", [
    "<div class='entry themeform share'><div class='entry-inner'>{}</div></div>",  # WordPress Hueman
    "<div class='item-content__row--sidebar'><div class='col--left'>{}</div></div>",  # elle.de
    "<div class='col-md-8 hidden-xs'>{}</div>",  # Bootstrap
])
def test_the_story_inside_a_wrapper_named_like_a_widget_is_read(wrapped):
    # The wrapper holds most of the body element's text: the story's own, whatever its class says.
    inside = ("<div class='story'><div class='item-media'><img src='/pier.jpg'><div class='caption'>The northern "
              f"pier, repaired.</div></div>{wrapped.format(STORY)}<div class='share'><p>Share this story</p></div></div>")
    article = parse_article(URL, page(inside), profile(body="div.story"))
    assert article.body_text == STORY_TEXT and article.sources["body_text"] == "profile"


def test_a_widget_inside_the_story_stays_out():
    inside = f"<div class='story'>{STORY}<div class='related'><p>Read also: the ferry timetable for the winter.</p></div></div>"
    assert parse_article(URL, page(inside), profile(body="div.story")).body_text == STORY_TEXT


@pytest.mark.parametrize(("shown", "lang", "expected"), [
    ("Veröffentlicht: 22. August 2012", "de", "2012-08-22"),
    ("Publié sur 18/02/2020", "fr", "2020-02-18"),
    ("Datum: 10 Feb 2020", "de", "2020-02-10"),
    ("Posted on March 3, 2021", "en", "2021-03-03"),
])
def test_a_date_element_that_prints_a_label_gives_its_date(shown, lang, expected):
    article = parse_article(URL, page(f"<div class='when'>{shown}</div><div class='story'>{STORY}</div>", lang),
                            profile(body="div.story", date="div.when"))
    assert (article.published_at, article.published_at_raw, article.sources["published_at"]) == (expected, shown, "profile")


def test_a_date_element_without_a_date_a_reader_knows_leaves_the_date_to_the_metadata():
    head = "<meta property='article:published_time' content='2019-02-26T23:30:00+03:00'>"
    article = parse_article(URL, page(f"<div class='when'>26 февраля 2019, 23:30 МСК (обновлено)</div>"
                                      f"<div class='story'>{STORY}</div>", "ru", head),
                            profile(body="div.story", date="div.when"))
    assert (article.published_at, article.published_day, article.sources["published_at"]) == (
        "2019-02-26T20:30:00Z", "2019-02-26", "opengraph")


def test_authors_marked_one_by_one_without_a_byline_element_are_read():
    credits = ("<div class='credits'>Reporting by <span class='author'>Jane Doe</span> and <span class='author'>"
               "Ali Hassan</span>; editing by <span class='editor'>Tom Brown</span></div>")
    article = parse_article(URL, page(credits + f"<div class='story'>{STORY}</div>"),
                            profile(body="div.story", authors="span.author"))
    assert [author.name for author in article.authors] == ["Jane Doe", "Ali Hassan"]
    assert article.sources["authors"] == "profile"


@pytest.mark.parametrize(("shown", "lang", "published_at", "day"), [
    # a day-first English page: the day of publication read as its date is (not 3 February)
    ("02/03/2021", "en-GB", "2021-03-02", "2021-03-02"),
    # a zone's name: the day where it was printed, the moment in UTC
    ("February 19, 2020 11:30 PM CST", "en", "2020-02-20T05:30:00Z", "2020-02-19"),
    ("February 19, 2020 11:30 PM EST", "en", "2020-02-20T04:30:00Z", "2020-02-19"),
    ("19 February 2020 00:30 CET", "en", "2020-02-18T23:30:00Z", "2020-02-19"),
])
def test_the_day_of_publication_is_the_day_as_printed(shown, lang, published_at, day):
    article = parse_article("https://news.example.org/2020/02/harbour/", page(
        f"<p class='when'>{shown}</p><div class='story'>{STORY}</div>", lang), profile(body="div.story", date="p.when"))
    assert (article.published_at, article.published_day) == (published_at, day)
    assert not [warning for warning in article.warnings if warning.startswith("published_at")]


def test_ad_labels_between_the_paragraphs_are_no_text_the_blocks_selector_left_out():
    # Every record of such a site warned that body_blocks "left 2 block(s) of the body element out
    # (first: 'Advertisement')", and `profile check` called a right selector LEFT.
    ad = "<div class='dfp-slot'><div class='dfp-label'>Advertisement</div><div id='slot'></div></div>"
    paragraphs = STORY.split("</p>")[:3]
    inside = "<div class='story'>" + ad.join(paragraph + "</p>" for paragraph in paragraphs) + "</div>"
    article = parse_article(URL, page(inside), profile(body="div.story", body_blocks="p"))
    assert article.body_text == STORY_TEXT
    assert not [warning for warning in article.warnings if "body_blocks" in warning]


def test_a_broad_photo_image_selector_takes_no_teaser_thumbnails():
    # `photo_image = "img"` made the "More stories" thumbnails (images linking to other stories)
    # photos of the story: 6 instead of 1 on a real page. An image linking to its own file is a photo.
    inside = ("<figure class='Figure'><img src='/img/houston.jpg'><div class='Figure-caption'>In Houston.</div></figure>"
              f"<div class='story'>{STORY}</div><div class='lede'><a href='/img/pier-large.jpg'><img src='/img/pier.jpg'>"
              "</a><p>The pier.</p></div><div class='more'><h3>More stories</h3><ul>"
              + "".join(f"<li><a href='/2024/01/other-{n}/'><img src='/img/teaser-{n}.jpg'></a>"
                        f"<a href='/2024/01/other-{n}/'>Other story {n}</a></li>" for n in (1, 2)) + "</ul></div>")
    article = parse_article(URL, page(inside), profile(body="div.story", photo_image="img", lead_photo="figure.Figure"))
    assert [photo.url for photo in article.photos] == [
        "https://news.example.org/img/houston.jpg", "https://news.example.org/img/pier.jpg"]
