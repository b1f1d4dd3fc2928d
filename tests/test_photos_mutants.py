"""Figures of a story checked rule by rule (issue 20, mutation testing of parsers/photos.py).

The rules (module docstrings): the story's container is the body element named by metadata, else
the `article` holding the `h1`, else `main`, else the page; figures outside navigation, headers,
footers, asides, links and widgets are left out; the first photo leads when it stands before the
first line of prose (60 characters at least); a photo seen before is not listed twice.
"""

import pytest
from lxml import html as lxml_html

from newsarchive.parsers.photos import (
    caption_and_credit,
    figure_caption,
    image_source,
    photo,
    photos_in_story,
    story_container,
)

PROSE = "The river rose overnight and the old bridge closed before dawn."  # 63 characters


def _read_figure(figure, is_lead, position):
    image = figure.find(".//img")
    url = image_source(image)
    return photo(url, image, figure_caption(figure), is_lead, position, (640, 480)) if url else None


def _photos(markup, body_element=None):
    root = lxml_html.fromstring(f"<html><body>{markup}</body></html>")
    return photos_in_story(story_container(root, body_element), _read_figure)


def _summary(markup):
    return [(p.url, p.position, p.is_lead) for p in _photos(markup)]


def test_story_container_prefers_the_body_element_then_the_article_with_the_h1_then_main():
    root = lxml_html.fromstring(
        "<html><body><article id='teaser'><p>x</p></article><main id='main'>"
        "<article id='story'><h1>Rain</h1></article></main><div id='text'></div></body></html>")
    assert story_container(root, root.get_element_by_id("text")).get("id") == "text"
    assert story_container(root).get("id") == "story"
    without_h1 = lxml_html.fromstring("<html><body><article><p>x</p></article><main id='m'></main></body></html>")
    assert story_container(without_h1).get("id") == "m"
    bare = lxml_html.fromstring("<html><body><div><h1>Rain</h1></div></body></html>")
    assert story_container(bare) is bare


def test_figures_around_the_story_are_left_out_and_repeats_listed_once():
    markup = (
        "<nav><figure><img src='/nav.jpg'></figure></nav><main>"
        "<header><figure><img src='/logo.jpg'></figure></header><nav><figure><img src='/menu.jpg'></figure></nav>"
        "<figure><img src='/lead.jpg' alt=' Lead  photo '><figcaption>Troops. [Photo: AP]</figcaption></figure>"
        f"<p>By Ana Ruiz</p><p>{PROSE}</p>"
        "<figure><img src='/second.jpg'></figure><figure><img src='/lead.jpg'></figure>"
        "<aside><figure><img src='/aside.jpg'></figure></aside>"
        "<footer><figure><img src='/footer.jpg'></figure></footer>"
        "<a href='/other'><figure><img src='/teaser.jpg'></figure></a>"
        "<div class='related-posts'><figure><img src='/related.jpg'></figure></div>"
        "<figure><figcaption>No image</figcaption></figure>"
        "<div class='wp-caption alignleft'><img data-src='/wp.jpg'><p class='wp-caption-text'>Bridge</p></div>"
        "</main>"
    )
    photos = _photos(markup)
    assert [(p.url, p.position, p.is_lead) for p in photos] == [
        ("/lead.jpg", 0, True), ("/second.jpg", 1, False), ("/wp.jpg", 2, False)]
    lead = photos[0]
    assert (lead.caption, lead.caption_raw, lead.credit, lead.credit_raw, lead.alt, lead.width, lead.height) == (
        "Troops.", "Troops. [Photo: AP]", "AP", "[Photo: AP]", "Lead photo", 640, 480)
    assert photos[2].caption == "Bridge"


def test_a_story_inside_a_themes_wrapper_keeps_its_figures():
    markup = "<div class='has-sidebar'><article><h1>Rain</h1><figure><img src='/a.jpg'></figure></article></div>"
    assert _summary(markup) == [("/a.jpg", 0, True)]


@pytest.mark.parametrize("paragraph, is_lead", [("x" * 60, False), ("x" * 59, True)])
def test_a_figure_after_sixty_characters_of_prose_does_not_lead(paragraph, is_lead):
    assert _summary(f"<main><p>{paragraph}</p><figure><img src='/a.jpg'></figure></main>") == [
        ("/a.jpg", 0, is_lead)]


def test_only_the_first_figure_leads():
    markup = f"<main><figure><img src='/a.jpg'></figure><figure><img src='/b.jpg'></figure><p>{PROSE}</p></main>"
    assert _summary(markup) == [("/a.jpg", 0, True), ("/b.jpg", 1, False)]


def test_a_figure_read_as_nothing_is_skipped():
    markup = f"<main><figure><img alt='no source'></figure><figure><img src='/b.jpg'></figure><p>{PROSE}</p></main>"
    assert _summary(markup) == [("/b.jpg", 0, True)]  # the first photo read, before the prose


@pytest.mark.parametrize("attributes, source", [
    ("src=' /a.jpg '", "/a.jpg"),
    ("data-src='/a.jpg'", "/a.jpg"),
    ("data-lazy-src='/a.jpg'", "/a.jpg"),
    ("data-original='/a.jpg'", "/a.jpg"),
    ("src='data:image/gif;base64,R0lGOD' data-src='/a.jpg'", "/a.jpg"),
    # a lazy loader's attribute before src, which holds a placeholder until its script runs
    ("src='/static/blank.gif' data-src='/b.jpg'", "/b.jpg"),
    ("src='/a.jpg' data-original='/b.jpg' data-lazy-src='/c.jpg'", "/c.jpg"),
    ("src='/a.jpg' data-original='/b.jpg'", "/b.jpg"),
    ("src='/a.jpg' data-src='  '", "/a.jpg"),
    # a srcset's largest, by width or density; the first without descriptors
    ("srcset=' /a-400.jpg 400w, /a-800.jpg 800w'", "/a-800.jpg"),
    ("srcset='/a-800.jpg 800w, /a-400.jpg 400w'", "/a-800.jpg"),
    ("data-srcset='/a-400.jpg 400w, /a-800.jpg 800w'", "/a-800.jpg"),
    ("data-srcset='/d.jpg 1x, /d@2x.jpg 2x'", "/d@2x.jpg"),
    ("srcset='/a-400.jpg, /a-800.jpg'", "/a-400.jpg"),
    ("srcset='/a-400.jpg,/a-800.jpg'", "/a-400.jpg,/a-800.jpg"),  # one address, to a browser too: it runs to a space
    ("srcset='/w_480,h_300/a.jpg 480w, /b.jpg 320w'", "/w_480,h_300/a.jpg"),
    ("srcset='/a.jpg 1.5x, /b.jpg nonsense'", "/a.jpg"),
    ("srcset='/a-400.jpg 400w' data-srcset='/b-400.jpg 400w'", "/a-400.jpg"),
    ("src='data:image/gif;base64,R0lGOD'", None),
    ("alt='nothing'", None),
])
def test_image_source(attributes, source):
    assert image_source(lxml_html.fragment_fromstring(f"<img {attributes}>")) == source


def test_a_figure_without_caption_and_a_photo_without_image():
    figure = lxml_html.fragment_fromstring("<figure><img src='/a.jpg'></figure>")
    assert figure_caption(figure) is None
    bare = photo("/a.jpg", None, None, False, 3, (None, None))
    assert (bare.url, bare.position, bare.alt, bare.caption, bare.credit, bare.is_lead) == (
        "/a.jpg", 3, None, None, None, False)
    assert caption_and_credit(None) == (None, None, None, None)


def test_a_credit_in_an_element_of_its_own_leaves_the_caption_untouched():
    caption = lxml_html.fragment_fromstring(
        "<figcaption>Troops at the border <span class='photo-credit'>Photo: AP</span></figcaption>")
    expected = ("Troops at the border", "AP", "Photo: AP", "Troops at the border Photo: AP")
    assert caption_and_credit(caption) == expected
    assert caption_and_credit(caption) == expected  # the caption element itself kept its credit
