"""Telling articles from listings, and finding the next page, at the edges of the rules (issue 20,
mutation testing of parsers/discovery.py).

The rules (module docstring and `page_kind`): what a page says of itself first (og:type article,
article:published_time, a JSON-LD article type); then one run of prose of 700 characters or more;
then five links or more with less than 300 characters of prose each is a listing; 500 characters
of prose is an article; fewer than three links and 1,000 characters of text is an article; an
og:type of website or blog is a listing; else the URL's shape decides. Paragraphs count as prose
from 60 characters.
"""

import pytest

from newsarchive.parsers.discovery import is_file_url, looks_like_article_url, next_page, page_kind
from newsarchive.parsers.document import parse_document

ARTICLE_URL = "https://n.example/2024/05/20/rain-in-spain/"
SECTION_URL = "https://n.example/section/"


def _paragraph(length):
    return "<p>" + "a" * length + "</p>"


def _links(count):
    return "<ul>" + "".join(f"<li><a href='/story-{n}/'>Story {n}</a></li>" for n in range(count)) + "</ul>"


def _kind(body, url=SECTION_URL, head=""):
    return page_kind(parse_document(url, f"<html><head>{head}</head><body>{body}</body></html>"))


@pytest.mark.parametrize("head", [
    "<meta property='og:type' content='Article'>",
    "<meta property='article:published_time' content='2024-05-20'>",
    '<script type="application/ld+json">{"@context": "https://schema.org", "@type": "NewsArticle"}</script>',
    '<script type="application/ld+json">{"@type" : "BlogPosting"}</script>',
])
def test_what_a_page_says_of_itself_makes_it_an_article(head):
    assert _kind(_links(8), head=head) == "article"


def test_json_ld_of_another_type_says_nothing():
    assert _kind(_links(8), head='<script type="application/ld+json">{"@type": "WebPage"}</script>') == "listing"


@pytest.mark.parametrize("last, kind", [(100, "article"), (99, "listing")])
def test_one_run_of_seven_hundred_characters_is_a_story(last, kind):
    story = "<div>" + _paragraph(100) * 6 + _paragraph(last) + "</div>"
    assert _kind(story + _links(5)) == kind


@pytest.mark.parametrize("links, kind", [(5, "listing"), (4, "article")])
def test_five_links_make_a_listing(links, kind):
    assert _kind(_links(links), url=ARTICLE_URL) == kind


@pytest.mark.parametrize("paragraphs, kind", [(14, "listing"), (15, "article")])
def test_a_listing_has_less_than_300_characters_of_prose_a_link(paragraphs, kind):
    prose = "".join(f"<div>{_paragraph(100)}</div>" for _ in range(paragraphs))
    assert _kind(prose + _links(5)) == kind


@pytest.mark.parametrize("last, kind", [(100, "article"), (99, "listing")])
def test_five_hundred_characters_of_prose_make_an_article(last, kind):
    prose = "".join(f"<div>{_paragraph(100)}</div>" for _ in range(4)) + f"<div>{_paragraph(last)}</div>"
    assert _kind(prose) == kind


@pytest.mark.parametrize("characters, links, kind", [
    (1000, 0, "article"), (999, 0, "listing"), (1000, 2, "article"), (1000, 3, "listing")])
def test_a_page_that_lists_nothing_and_says_a_lot_is_an_article(characters, links, kind):
    # Text that is no prose (lines under 60 characters), links with no text, so the body holds `characters`.
    anchors = "".join(f"<a href='/s{n}/'></a>" for n in range(links))
    lines = "<br>".join("b" * min(50, characters - start) for start in range(0, characters, 50))
    assert _kind(f"<div>{lines}</div>{anchors}") == kind


def test_a_listing_whose_teasers_set_their_lines_straight_in_divs_stays_a_listing():
    # Each teaser's summary is one line of its own block: none is a story's run of prose.
    teasers = "".join(f"<div class='teaser'><a href='/story-{n}/'>Story {n}</a><div class='excerpt'>{'a' * 150}</div></div>"
                      for n in range(10))
    assert _kind(teasers) == "listing"


@pytest.mark.parametrize("line, kind", [(60, "article"), (59, "listing")])
def test_lines_set_straight_in_a_block_between_line_breaks_are_prose(line, kind):
    # An old blog theme's post: its lines in one div, parted by <br>, no paragraph; the theme's
    # links (five) beside it. Twelve lines of 60 characters make 720: a story's run of prose.
    post = "<div class='post-body'>" + "<br><br>".join("a" * line for _ in range(12)) + "</div>"
    assert _kind(post + _links(5)) == kind


@pytest.mark.parametrize("og_type, kind", [("website", "listing"), ("Blog", "listing"), ("profile", "article")])
def test_og_type_website_or_blog_is_a_listing_before_the_urls_shape(og_type, kind):
    assert _kind("<p>short</p>", url=ARTICLE_URL, head=f"<meta property='og:type' content='{og_type}'>") == kind


def test_the_urls_shape_decides_last():
    assert _kind("<p>short</p>", url=ARTICLE_URL) == "article"
    assert _kind("<p>short</p>", url=SECTION_URL) == "listing"


@pytest.mark.parametrize("url, expected", [
    ("https://n.example", False),
    ("https://n.example/", False),
    ("https://n.example/12345", True),
    ("https://n.example/news/12345.html", True),
    ("https://n.example/tag/rain-in-spain-falls-mainly/", False),
    ("https://n.example/news/rain-in-spain-falls-mainly/", True),
    ("https://n.example/2024/05/rain/", True),
])
def test_looks_like_article_url(url, expected):
    assert looks_like_article_url(url) is expected


@pytest.mark.parametrize("url, expected", [
    ("https://n.example/v1.2/photo.JPG", True),
    ("https://n.example/files/report.pdf?download=1", True),
    ("https://n.example/v1.2/story", False),
    ("https://n.example/story.html", False),
])
def test_is_file_url(url, expected):
    assert is_file_url(url) is expected


@pytest.mark.parametrize("body, head, expected", [
    ("", "<link rel='next' href='/page/2/'>", "https://n.example/page/2/"),
    ("<a rel='next' href='?page=2'>2</a>", "", "https://n.example/section/?page=2"),
    ("<a href='/p/1/'>1</a><a href='/p/2/'>Older posts</a>", "", "https://n.example/p/2/"),
    ("<a href='/p/2/'>Next »</a>", "", "https://n.example/p/2/"),
    ("<a href='/p/2/'>»</a>", "", "https://n.example/p/2/"),
    ("<a href='/p/2/' aria-label='Next page'><svg></svg></a>", "", "https://n.example/p/2/"),
    ("<a href='/p/2/' class='pagination-next'>2</a>", "", "https://n.example/p/2/"),
    ("<a class='next'>Next</a><a href='/p/3/'>Next</a>", "", "https://n.example/p/3/"),
    ("<a href='/p/2/' class='NEXT'>2</a><a href='/nextgen/'>Nextgen</a>", "", None),
    ("<a href='/p/2/'>2</a>", "", None),
    ("", "<link rel='next nofollow' href='/page/2/'>", "https://n.example/page/2/"),
    ("<a rel='Next' href='/p/2/'>2</a>", "", "https://n.example/p/2/"),
    ("<a rel='nextgen' href='/p/2/'>x</a>", "", None),
    ("<a href='/p/2/'>« Ältere Beiträge</a><a href='/p/3/'>Ältere Beiträge</a>", "", "https://n.example/p/3/"),
    ("<a href='/p/2/'>Página siguiente</a>", "", "https://n.example/p/2/"),
    ("<a href='/p/2/'>Suivante</a>", "", "https://n.example/p/2/"),
    ("<a href='/p/2/'>Następna strona</a>", "", "https://n.example/p/2/"),
    ("<a href='/p/2/'>下一页</a>", "", "https://n.example/p/2/"),
    ("<a href='/p/2/'>Nextgen</a>", "", None),
    # a pager of numbers, in any language: the link to page 2 whose URL numbers it so
    ("<a href='?page=1'>1</a><a href='?page=2'>2</a><a href='?page=3'>3</a>", "", "https://n.example/section/?page=2"),
    ("<a href='/section/page/2/'>2</a>", "", "https://n.example/section/page/2/"),
    ("<a href='/2024/05/02/'>2</a>", "", None),  # a calendar's day, not a page
    ("<a href='?page=3'>2</a>", "", None),
])
def test_next_page(body, head, expected):
    doc = parse_document(SECTION_URL, f"<html><head>{head}</head><body>{body}</body></html>")
    assert next_page(doc) == expected


@pytest.mark.parametrize("day, since, expected", [
    ("2024-05-20T23:00:00Z", "2024-05-21", True),
    ("2024-05-21", "2024-05-21", False),
    ("2024-05-22", "2024-05-21", False),
    (None, "2024-05-21", False),
    ("2024-05-20", None, False),
])
def test_before(day, since, expected):
    from newsarchive.parsers.discovery import before

    assert before(day, since) is expected


def test_prose_counts_paragraphs_of_sixty_characters_by_parent():
    from lxml import html as lxml_html

    from newsarchive.parsers.discovery import _prose

    root = lxml_html.fromstring("<html><body><div>" + _paragraph(60) + _paragraph(59) + "</div><div>"
                                + _paragraph(100) + "</div></body></html>")
    assert _prose(root) == (100, 160)
    assert _prose(lxml_html.fromstring("<html><body><p>short</p></body></html>")) == (0, 0)


@pytest.mark.parametrize(("url", "pager", "expected"), [
    ("https://n.example/section/?page=2", "<a href='?page=1'>1</a><a href='?page=3'>3</a>", "https://n.example/section/?page=3"),
    ("https://n.example/section/page/4/", "<a href='/section/page/5/'>5</a>", "https://n.example/section/page/5/"),
    ("https://n.example/section/page/4/", "<a href='/section/page/2/'>2</a>", None),
])
def test_the_numbered_next_page_follows_this_page_s_number(url, pager, expected):
    assert next_page(parse_document(url, f"<html><body>{pager}</body></html>")) == expected


@pytest.mark.parametrize(("url", "pager", "expected"), [
    # Whatever the label: this listing's own URL with the next page number.
    ("https://n.example/news/", "<a href='/news/?page=2'>Load more</a>", "https://n.example/news/?page=2"),
    ("https://n.example/news/", "<a href='/news/page/2/'>« Older Entries</a>", "https://n.example/news/page/2/"),
    ("https://n.example/news/page/2/", "<a href='/news/page/3'>Voir plus</a>", "https://n.example/news/page/3"),
    ("https://n.example/news/?cat=3&page=2", "<a href='/news/?page=3&amp;cat=3'>المزيد</a>",
     "https://n.example/news/?page=3&cat=3"),
    ("https://n.example/news/?page=2", "<a href='/news/?page=1'>المزيد</a><a href='/news/?page=4'>Mehr laden</a>", None),
    # From a first page, 1 when there is no 2: a site counting its pages from 0.
    ("https://n.example/news", "<a href='/news?page=1'>Load more</a>", "https://n.example/news?page=1"),
    ("https://n.example/news", "<a href='/news?page=1'>1</a><a href='/news?page=2'>Load more</a>",
     "https://n.example/news?page=2"),
    ("https://n.example/news?page=2", "<a href='/news?page=1'>Load more</a>", None),
    ("https://n.example/news", "<a href='/sport?page=1'>Load more</a>", None),
    # A "Load more" button its script drives, the page in a data- attribute.
    ("https://n.example/news/", "<button class='more' data-url='/news/?page=2'>Load more</button>",
     "https://n.example/news/?page=2"),
    ("https://n.example/news/page/2/", "<div data-next-page='/news/page/3/'></div>", "https://n.example/news/page/3/"),
    ("https://n.example/news/", "<button data-endpoint='/api/news?page=2'>Load more</button>", None),
    ("https://n.example/news/", "<div data-page='2' data-url='/news/'>Load more</div>", None),
    # An infinite scroll's script, holding the next page's URL.
    ("https://n.example/news/", "<script>var more = {next: '/news/?page=2', api: '/api/?page=2'};</script>",
     "https://n.example/news/?page=2"),
    ("https://n.example/news/page/2/", '<script type="application/json">{"nextUrl": "https:\\/\\/n.example\\/news\\/page\\/3\\/"}</script>',
     "https://n.example/news/page/3/"),
    ("https://n.example/news/", "<script src='/app.js?page=2'></script><script>load('/sport/?page=2')</script>", None),
    # ?p= is a WordPress post as often as a page: told by its label alone.
    ("https://n.example/", "<a href='/?p=2'>Hello world</a><a href='/?paged=2'>« Older Entries</a>",
     "https://n.example/?paged=2"),
    ("https://n.example/", "<a href='/?p=1'>Hello world</a>", None),
    ("https://n.example/", "<a href='/?p=2'>2</a>", "https://n.example/?p=2"),
    # Another listing's page 2, or this one in another order: not this listing's next page.
    ("https://n.example/news/", "<a href='/sport/?page=2'>Load more</a>", None),
    ("https://n.example/news/", "<a href='/news/?page=2&amp;sort=popular'>Load more</a>", None),
])
def test_a_link_to_this_listing_s_next_page_number_is_its_next_page_whatever_its_label(url, pager, expected):
    assert next_page(parse_document(url, f"<html><body>{pager}</body></html>")) == expected


@pytest.mark.parametrize(("url", "pager", "expected"), [
    # this page's URL with one number raised, the least: page numbers and offsets in any form
    ("https://n.example/news/page-2", "<a href='/news/page-1'>1</a><a href='/news/page-5'>5</a><a href='/news/page-3'>Mehr</a>",
     "https://n.example/news/page-3"),
    ("https://n.example/news/index_2.html", "<a href='index_4.html'>4</a><a href='index_3.html'>3</a>",
     "https://n.example/news/index_3.html"),
    ("https://n.example/news/?start=20", "<a href='?start=0'>x</a><a href='?start=40'>Mehr</a>", "https://n.example/news/?start=40"),
    ("https://n.example/news/p2", "<div data-next='/news/p3'></div>", "https://n.example/news/p3"),
    # no number to raise; two raised; another listing; a number only lower; a story's link
    ("https://n.example/news/", "<a href='/news/page-2'>Mehr</a>", None),
    ("https://n.example/news/2024/page-2", "<a href='/news/2025/page-3'>Mehr</a>", None),
    ("https://n.example/news/page-2", "<a href='/sport/page-3'>Mehr</a>", None),
    ("https://n.example/news/page-2", "<a href='/news/page-1'>Mehr</a>", None),
    ("https://n.example/news/page-2", "<a href='/news/2024/05/02/story-5'>Story</a>", None),
    # a page number by its name is the next one or none: ?page=4 after ?page=2 is not taken
    ("https://n.example/news/?page=2", "<a href='/news/?page=4'>Mehr</a>", None),
])
def test_a_link_to_this_page_with_one_number_raised_is_its_next_page(url, pager, expected):
    assert next_page(parse_document(url, f"<html><body>{pager}</body></html>")) == expected


def test_a_listing_from_a_page_leaves_its_next_page_out_of_its_links():
    from newsarchive.parsers.discovery import listing_from_page

    body = ("<html><head><link rel='alternate' type='application/rss+xml; charset=utf-8' href='/feed/'>"
            "<link rel='alternate' type='text/html' href='/print/'></head><body>"
            "<a href='/story-1/'>One</a><a href='/story-2/'>Two</a><a href='/section/?page=2'>Next</a></body></html>")
    listing = listing_from_page(parse_document(SECTION_URL, body))
    assert listing.url == SECTION_URL
    assert [(link.url, link.position) for link in listing.links] == [
        ("https://n.example/story-1/", 0), ("https://n.example/story-2/", 1)]
    assert listing.next_page_url == "https://n.example/section/?page=2"
    assert listing.feeds == ["https://n.example/feed/"]
    given = listing_from_page(parse_document(SECTION_URL, body), links=["https://n.example/story-9/"])
    assert [link.url for link in given.links] == ["https://n.example/story-9/"]


def test_feeds_give_links_with_publication_and_change_dates():
    from newsarchive.parsers.discovery import DiscoveredLink, parse_feed

    atom = (b"\n  <?xml version='1.0' encoding='utf-8'?><feed xmlns='http://www.w3.org/2005/Atom'><entry>"
            b"<link rel='edit' href='/edit/1'/><link href='https://n.example/a/'/>"
            b"<published>2024-05-20T08:00:00Z</published><updated>2024-05-21T09:00:00Z</updated>"
            b"<published>2020-01-01</published></entry></feed>")
    assert parse_feed(atom) == [DiscoveredLink("https://n.example/a/", "2024-05-20T08:00:00Z", "2024-05-21T09:00:00Z")]
    rss = (b"<rss xmlns:dc='http://purl.org/dc/elements/1.1/'><channel>"
           b"<item><link> https://n.example/b/ </link><pubDate>2024-05-20</pubDate></item>"
           b"<item><link>https://n.example/c/</link><dc:date>2024-05-19</dc:date></item>"
           b"<item><title>no link</title></item></channel></rss>")
    assert parse_feed(rss) == [DiscoveredLink("https://n.example/b/", "2024-05-20"),
                               DiscoveredLink("https://n.example/c/", "2024-05-19")]


def test_json_feeds_skip_what_is_no_item():
    from newsarchive.parsers.discovery import DiscoveredLink, parse_feed

    feed = (b'  {"version": "https://jsonfeed.org/version/1.1", "items": [1, '
            b'{"url": "https://n.example/a/", "date_published": "2024-05-20", "date_modified": "2024-05-21"}, '
            b'{"external_url": "https://n.example/b/", "date_published": 20240520}]}')
    assert parse_feed(feed) == [DiscoveredLink("https://n.example/a/", "2024-05-20", "2024-05-21"),
                                DiscoveredLink("https://n.example/b/")]
    assert parse_feed(b'[{"url": "https://n.example/a/"}]') == []
    # After a byte order mark it was read as XML, which recovered nothing: no story.
    assert parse_feed(b"\xef\xbb\xbf" + feed) == parse_feed(feed)
