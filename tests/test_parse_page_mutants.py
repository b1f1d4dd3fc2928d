"""parse_page and page_kind (newsarchive/parsers/__init__.py) and the parse errors, on small pages
written here: every expected value follows from the documented rule (the profile's URL patterns,
then its listing items, two or more make a listing, then the page itself; a site given wins over
the one found for the URL)."""

import pytest

from newsarchive.items import Article, Listing
from newsarchive.parsers import EmptyPageError, NotHtmlError, ParseError, page_kind, parse_page
from newsarchive.parsers.document import parse_document
from newsarchive.profiles import Site, find_site

DIYARUNA_ARTICLE = "https://diyaruna.com/en_GB/articles/cnmi_di/features/2019/02/26/feature-03"
DIYARUNA_ARCHIVE = "https://diyaruna.com/en_GB/archives"  # a listing by the profile's URL patterns
DIYARUNA_OTHER = "https://diyaruna.com/en_GB/about"  # no pattern of the profile matches
UNKNOWN = "https://news.example/2024/05/01/story"  # no bundled profile
ELSEWHERE = Site("elsewhere", "cnmi_el", ("elsewhere.example",), ())

# A page that says it is an article (og:type), whatever its URL.
ARTICLE_PAGE = """<html><head><meta property="og:type" content="article"></head><body>
<h1>A headline of the story</h1><p>One short paragraph.</p>{blocks}</body></html>"""
BLOCK = '<div class="article--block"><h5 class="article__title"><a href="/en_GB/x{n}">Story {n}</a></h5></div>'


def article_page(blocks: int = 0) -> str:
    return ARTICLE_PAGE.format(blocks="".join(BLOCK.format(n=n) for n in range(blocks)))


# parse_page


def test_a_page_of_a_profiled_site_is_parsed_with_that_site():
    page = parse_page(DIYARUNA_ARTICLE, article_page())
    assert isinstance(page, Article)
    assert (page.site, page.site_code) == ("diyaruna", "cnmi_di")


def test_a_site_given_wins_over_the_one_of_the_url():
    page = parse_page(DIYARUNA_ARTICLE, article_page(), site=ELSEWHERE)
    assert (page.site, page.site_code) == ("elsewhere", "cnmi_el")


def test_a_site_given_names_a_listing_of_a_profiled_url():
    listing = parse_page(DIYARUNA_ARCHIVE, article_page(), site=ELSEWHERE)
    assert isinstance(listing, Listing)
    assert listing.site == "elsewhere"


def test_a_site_given_names_an_article_of_an_unprofiled_url():
    page = parse_page(UNKNOWN, article_page(), site=ELSEWHERE)
    assert (page.site, page.site_code) == ("elsewhere", "cnmi_el")


def test_without_a_site_an_unprofiled_article_is_named_after_its_host():
    page = parse_page(UNKNOWN, article_page())
    assert (page.site, page.site_code, page.title) == ("news.example", None, "A headline of the story")


def test_the_profile_s_url_pattern_makes_an_article_looking_page_a_listing():
    assert isinstance(parse_page(DIYARUNA_ARCHIVE, article_page()), Listing)


def test_the_content_type_header_names_the_charset():
    body = "<html><body><h1>Café crème</h1><p>Un texte.</p></body></html>".encode("cp1252")
    # 0xE9 and 0xE8 are й and и in windows-1251: the header is obeyed, not guessed past.
    page = parse_page(UNKNOWN, body, content_type="text/html; charset=windows-1251")
    assert page.title == "Cafй crиme"


# page_kind


def kind_of(url: str, html: str, profiled: bool = True) -> str:
    profile = find_site(url)[0] if profiled else None
    return page_kind(parse_document(url, html), profile)


def test_without_a_profile_the_page_itself_tells():
    assert kind_of(UNKNOWN, article_page(), profiled=False) == "article"


def test_the_profile_s_url_patterns_come_first():
    assert kind_of(DIYARUNA_ARCHIVE, article_page()) == "listing"
    assert kind_of(DIYARUNA_ARTICLE, article_page(blocks=3)) == "article"


@pytest.mark.parametrize("blocks, expected", [(0, "article"), (1, "article"), (2, "listing"), (3, "listing")])
def test_two_listing_items_of_the_profile_make_a_listing(blocks, expected):
    assert kind_of(DIYARUNA_OTHER, article_page(blocks)) == expected


# errors


def test_a_parse_error_names_the_page_and_the_field():
    error = ParseError("https://a.example/1", "no title", field="title")
    assert (error.url, error.message, error.field, error.reason) == ("https://a.example/1", "no title", "title",
                                                                     "parse_error")
    assert str(error) == "https://a.example/1: no title (field title)"


def test_a_parse_error_without_a_field_names_the_page():
    error = ParseError("https://a.example/1", "broken")
    assert error.field is None
    assert str(error) == "https://a.example/1: broken"


def test_each_parse_error_has_its_reason():
    assert EmptyPageError("u", "m").reason == "empty_page"
    assert NotHtmlError("u", "m").reason == "not_html"
    assert issubclass(EmptyPageError, ParseError) and issubclass(NotHtmlError, ParseError)
