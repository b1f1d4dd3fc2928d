"""Listing pages read through a profile, rule by rule (issue 20, mutation testing of
parsers/listing.py).

A small profile names every listing selector; the expected records follow from the module's rules:
article links canonical, in page order, each once, items without a usable link skipped; section
links likewise; the page number from the profile's page parameter; the last page the highest
number a pager's links, spans or list items show (the current page at least).
"""

import pytest

from newsarchive.parsers.document import parse_document
from newsarchive.parsers.listing import current_page, extract_listing, parse_listing
from newsarchive.profiles import profile_from_dict

PROFILE = profile_from_dict({
    "name": "planet",
    "sites": [{"name": "Daily Planet", "code": "dp", "hosts": ["planet.example"]},
              {"name": "Other Planet", "code": "op", "hosts": ["other.example"]}],
    "locales": ["en", "ar"],
    "urls": {"article": r"^/(?P<code>[a-z]{2})/articles/\d+", "page_parameter": "p"},
    "selectors": {"article": {}, "listing": {
        "item": "li.item", "item_link": "a.title", "item_title": "a.title", "item_section": ".section",
        "item_date": "time", "item_modified": ".updated", "item_comment_count": ".comments",
        "section_links": "nav.sections a", "pager": ".pager", "next_page": "a.next"}},
})

ITEMS = (
    "<ul>"
    "<li class='item'><a class='title' href='/en/articles/1?utm_source=x#top'>Rain in Spain</a>"
    "<span class='section'>Weather</span><time>20 May 2024</time><span class='updated'>21 May 2024</span>"
    "<span class='comments'>5 comments</span></li>"
    "<li class='item'><a class='title' href='https://planet.example/en/articles/1'>Rain again</a></li>"
    "<li class='item'><a class='title'>No link</a></li>"
    "<li class='item'><a class='title' href='mailto:desk@planet.example'>Write to us</a></li>"
    "<li class='item'><a class='other' href='/en/about/'>About</a>"
    "<a class='title' href='/en/articles/2'>Snow in Oslo</a></li>"
    "</ul>"
    "<nav class='sections'><a href='/en/sport/'>Sport</a><a href='mailto:x@planet.example'>Mail</a>"
    "<a href='/en/world/'>World</a></nav>"
)
URL = "https://planet.example/en/news/?p=2"


def _listing(body, url=URL, site=None):
    return extract_listing(parse_document(url, f"<html><body>{body}</body></html>"), PROFILE, site)


def test_article_links_are_canonical_in_order_and_once():
    links = _listing(ITEMS).links
    assert [(link.url, link.position, link.title) for link in links] == [
        ("https://planet.example/en/articles/1", 0, "Rain in Spain"),
        ("https://planet.example/en/articles/2", 1, "Snow in Oslo"),
    ]
    first, second = links
    assert (first.section, first.published_at_raw, first.modified_at_raw, first.comment_count_raw) == (
        "Weather", "20 May 2024", "21 May 2024", "5 comments")
    assert (second.section, second.published_at_raw, second.modified_at_raw, second.comment_count_raw) == (
        None, None, None, None)


def test_section_links_skip_what_is_no_web_address():
    assert [(link.url, link.position, link.title) for link in _listing(ITEMS).section_links] == [
        ("https://planet.example/en/sport/", 0, "Sport"), ("https://planet.example/en/world/", 1, "World")]


def test_the_listings_site_locale_and_page():
    listing = _listing(ITEMS)
    assert (listing.url, listing.site, listing.locale, listing.page) == (URL, "Daily Planet", "en", 2)
    other = PROFILE.sites[1]
    assert _listing(ITEMS, site=other).site == "Other Planet"
    assert _listing(ITEMS, url="https://elsewhere.example/fr/news/").site is None
    assert _listing(ITEMS, url="https://elsewhere.example/fr/news/").locale is None


@pytest.mark.parametrize("url, parameter, page", [
    ("https://planet.example/news/?page=4", None, 4),
    ("https://planet.example/news/?p=3&page=9", "p", 3),
    ("https://planet.example/news/?p=%203", "p", 3),
    ("https://planet.example/news/?p=three", "p", 1),
    ("https://planet.example/news/?x=5", "p", 1),
    ("https://planet.example/news/", "p", 1),
])
def test_current_page(url, parameter, page):
    assert (current_page(url) if parameter is None else current_page(url, parameter)) == page


@pytest.mark.parametrize("pager, last_page", [
    ("<div class='pager'><a href='?p=1'>1</a><span>7</span><em>99</em><b>98</b></div>", 7),
    ("<ul class='pager'><li>1</li><li>8</li></ul>", 8),
    ("<div class='pager'><a href='?p=45'>٤٥</a></div>", 45),
    ("<div class='pager'><a class='next' href='?p=3'>Next</a></div>", 2),
    ("<div class='pager'><span>3</span></div><div class='pager'><span>9</span></div>", 3),
    ("<p>no pager</p>", None),
])
def test_last_page_is_the_highest_number_the_first_pager_shows(pager, last_page):
    assert _listing(pager).last_page == last_page


def test_next_page_url():
    assert _listing("<div class='pager'><a class='next' href='?p=3'>Next</a></div>").next_page_url == (
        "https://planet.example/en/news/?p=3")
    assert _listing("<div class='pager'><a class='next'>Next</a></div>").next_page_url is None
    assert _listing("<p>none</p>").next_page_url is None


@pytest.mark.parametrize("pager", [
    "<div class='pager'><a href='?p=1'>Previous</a><a href='?p=1'>1</a><span>2</span><a href='?p=3'>3</a>"
    "<a class='pagination-next' href='?p=3'>Next</a></div>",
    "<div class='pager'><a rel='next' class='arrow' href='?p=3'>›</a></div>",
    "<nav><a href='?p=3'>Older stories</a></nav>",
])
def test_a_next_link_the_profiles_selector_misses_is_found_as_any_listings_is(pager):
    # The selector (a.next) is a guess: a pager marked otherwise left every later page of the
    # section unread, and the crawl said "finished".
    assert _listing(pager).next_page_url == "https://planet.example/en/news/?p=3"


def test_the_last_page_has_no_next_page_whatever_its_pager_shows():
    last = "<div class='pager'><a href='?p=1'>Previous</a><a href='?p=1'>1</a><span>2</span></div>"
    assert _listing(last).next_page_url is None


def test_parse_listing_decodes_with_the_declared_charset():
    body = "<html><body><ul><li class='item'><a class='title' href='/en/articles/3'>\u0418\u0437</a></li></ul>"
    listing = parse_listing(URL, body.encode("koi8-r"), PROFILE, content_type="text/html; charset=koi8-r")
    assert [(link.url, link.title) for link in listing.links] == [("https://planet.example/en/articles/3", "Из")]
    assert (listing.site, listing.page) == ("Daily Planet", 2)
    assert parse_listing(URL, body.encode("koi8-r"), PROFILE, PROFILE.sites[1], "text/html; charset=koi8-r").site \
        == "Other Planet"


def test_a_profile_without_a_selector_finds_nothing_for_it():
    minimal = profile_from_dict({
        "name": "minimal", "sites": [{"name": "Daily Planet", "code": "dp", "hosts": ["planet.example"]}],
        "urls": {}, "selectors": {"article": {}, "listing": {"item": "li.item", "item_link": "a.title"}},
    })
    listing = extract_listing(parse_document(URL, f"<html><body>{ITEMS}</body></html>"), minimal)
    assert [(link.url, link.title, link.section) for link in listing.links] == [
        ("https://planet.example/en/articles/1", None, None), ("https://planet.example/en/articles/2", None, None)]
    assert (listing.section_links, listing.last_page, listing.next_page_url, listing.page) == ([], None, None, 1)
