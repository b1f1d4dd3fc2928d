"""Discovery on sites with no profile: each page says what it is, every content link is a
candidate whatever its shape, sitemaps (indexes, news, gzipped) and feeds give articles."""

from __future__ import annotations

import gzip
import re
import sqlite3
from urllib.parse import urlsplit

import pytest

from newsarchive.items import Article, Listing
from newsarchive.parsers import parse_page
from newsarchive.parsers.discovery import (
    content_links,
    feed_links,
    is_file_url,
    looks_like_article_url,
    page_kind,
    parse_feed,
)
from newsarchive.parsers.document import parse_document
from newsarchive.parsers.sitemaps import NotASitemap, parse_sitemap
from tests.conftest import SiteHandler, crawl_of, run_cli, serve_handler, serve_in_subprocess, story_html

PROSE = "<p>" + "A sentence of the story that goes on for a while, as stories do. " * 4 + "</p>"


def doc(html: str, url: str = "https://news.example/section/"):
    return parse_document(url, html.encode())


@pytest.mark.parametrize("url, expected", [
    ("https://news.example/2024/05/03/bridge-opens/", True),
    ("https://news.example/politics/the-long-road-to-the-new-bridge", True),
    ("https://news.example/article/38341", True),
    ("https://news.example/read/qk/", False),  # fetched all the same, later
    ("https://news.example/tag/bridges/", False),
    ("https://news.example/", False),
])
def test_url_shape_only_orders_the_queue(url, expected):
    assert looks_like_article_url(url) is expected


@pytest.mark.parametrize("url, expected", [
    ("https://news.example/photo.JPG", True), ("https://news.example/report.pdf", True),
    ("https://news.example/a/archive.zip", True), ("https://news.example/story.html", False),
    ("https://news.example/v1.2/story/", False), ("https://news.example/read/qk", False),
])
def test_files_are_no_pages(url, expected):
    assert is_file_url(url) is expected


def test_content_links_leave_out_navigation_other_origins_and_files():
    page = doc("""<html><body><header><a href="/about/">About</a></header>
        <nav><a href="/sport/">Sport</a></nav>
        <main><a href="/read/qk/">One</a><a href="/read/qk/#comments">One again</a>
        <a href="https://news.example:8443/read/zz/">Other port</a><a href="https://elsewhere.example/x">Away</a>
        <a href="/files/report.pdf">PDF</a><a href="/section/">Itself</a><a href="mailto:a@b.c">Mail</a>
        <a href="/read/qm/?utm_source=x">Two</a></main>
        <aside><a href="/popular/">Popular</a></aside><footer><a href="/imprint/">Imprint</a></footer></body></html>""")
    assert content_links(page) == ["https://news.example/read/qk/", "https://news.example/read/qm/"]


def test_content_links_keep_the_headers_and_footers_of_posts_not_of_the_page():
    # A blog theme's listing (WordPress's default themes): each post's title link in its own <header>.
    posts = "".join(f"""<article><header class="entry-header"><h2><a href="/read/q{n}/">Post {n}</a></h2></header>
        <p>Two lines about it.</p><footer class="entry-footer"><a href="/topic/{n}/">Topic</a></footer></article>"""
                    for n in "bc")
    page = doc(f"""<html><body><header id="masthead"><a href="/">Home</a><a href="/about/">About</a></header>
        <main>{posts}<section><header><a href="/read/qd/">In a section</a></header>
        <aside><a href="/popular/">Popular</a></aside><nav><a href="/page/2/">Older</a></nav></section></main>
        <footer><a href="/imprint/">Imprint</a></footer></body></html>""")
    assert content_links(page) == ["https://news.example/read/qb/", "https://news.example/topic/b/",
                                   "https://news.example/read/qc/", "https://news.example/topic/c/",
                                   "https://news.example/read/qd/"]


class BlogTheme(SiteHandler):
    """A blog (at /news/) in a theme whose every post title link is in the post's <header>, paged by
    an "Older posts" link in <nav> to /news/page/N/, with no sitemap: five pages, two posts each."""

    def do_GET(self):  # noqa: N802 (the http.server API)
        page = re.fullmatch(r"/news/(?:page/(\d)/)?", self.path)
        post = re.fullmatch(r"/2024/05/0\d/post-(\d+)/", self.path)
        if page:
            number = int(page.group(1) or 1)
            posts = "".join(f"<article><header class='entry-header'><h2><a href='/2024/05/0{n % 9 + 1}/post-{n}/'>Post {n}"
                            f"</a></h2></header><p>Two lines about post {n}.</p></article>"
                            for n in (2 * number - 1, 2 * number))
            older = f"<nav class='navigation'><a href='/news/page/{number + 1}/'>Older posts</a></nav>" if number < 5 else ""
            return self.answer(200, f"<html><head><title>Blog</title></head><body><header><a href='/'>Blog</a></header>"
                                    f"<main>{posts}{older}</main></body></html>")
        if post:
            return self.answer(200, story_html(post.group(1)).replace("Story", "Post"))
        self.answer(404, "<html><body>no</body></html>")


def test_a_blog_whose_theme_heads_each_post_with_its_link_is_archived_whole(tmp_path):
    finished = crawl_of(BlogTheme, tmp_path / "archive.db")
    assert finished.returncode == 0, finished.stderr[-2000:]
    titles = {title for (title,) in sqlite3.connect(tmp_path / "archive.db").execute("SELECT title FROM articles")}
    assert titles == {f"Post {n}" for n in range(1, 11)}


def test_content_links_count_the_other_origins_they_leave_out():
    """Counted for the crawl's verdict when it finds no article (m. of the site given, say);
    not navigation, files or what is no page. The site's www. name is the site's own."""
    from collections import Counter

    page = doc("""<html><body><nav><a href="https://m.news.example/sport/">Sport</a></nav>
        <main><a href="/read/qk/">Here</a><a href="https://m.news.example/read/a/">A</a>
        <a href="https://m.news.example/read/b/">B</a><a href="https://M.news.example:443/read/c/">C</a>
        <a href="http://news.example/read/qm/">Same host, other scheme</a>
        <a href="https://WWW.news.example/read/qw/">Its www. name</a>
        <a href="https://news.example:8443/read/zz/">Other port</a><a href="https://m.news.example/x.pdf">PDF</a>
        <a href="mailto:a@news.example">Mail</a><a href="https://cdn.example/p/1">P1</a><a href="https://cdn.example/p/2">P2</a>
        <a href="https://x.example/">X</a><a href="https://y.example/">Y</a></main></body></html>""")
    elsewhere: Counter = Counter()
    assert content_links(page, elsewhere) == ["https://news.example/read/qk/", "http://news.example/read/qm/",
                                              "https://www.news.example/read/qw/"]
    assert elsewhere == {"https://m.news.example": 3, "https://cdn.example": 2, "https://news.example:8443": 1,
                         "https://x.example": 1, "https://y.example": 1}
    listing = parse_page("https://news.example/section/", listing_html(6).replace(
        "</ul>", "</ul><a href='https://m.news.example/read/a/'>A</a><a href='https://m.news.example/read/b/'>B</a>"
                 "<a href='https://cdn.example/p/1'>P</a><a href='https://x.example/'>X</a><a href='https://y.example/'>Y</a>"
                 "<a href='https://y.example/2'>Y2</a>").encode())
    assert isinstance(listing, Listing)
    assert listing.elsewhere == {"https://m.news.example": 2, "https://y.example": 2, "https://cdn.example": 1}


def test_links_are_read_as_browsers_read_them():
    """A backslash before the query is a slash (the WHATWG URL standard; servers on Windows write
    links so), spaces around an address are none of it: joined as written, the first two led to
    /section//read/qa/ and /section/read/qb/, pages that are none."""
    page = doc(r"""<html><body><main><a href="\read\qa\">A</a><a href=" read\qb.aspx?from=a\b ">B</a>
        <a href="/read/qc/">C</a></main></body></html>""", url="https://news.example/section/")
    assert content_links(page) == ["https://news.example/read/qa/", "https://news.example/section/read/qb.aspx?from=a%5Cb",
                                   "https://news.example/read/qc/"]


def test_a_link_to_a_page_of_a_storys_comments_is_the_storys():
    page = doc("""<html><body><main><a href="/read/qk/comment-page-2/#comment-7">Latest comment</a>
        <a href="/read/qk/">One</a><a href="/read/qm.html/comment-page-3">Two's comments</a>
        <a href="/read/?p=5&cpage=2">Three's</a><a href="/section/comment-page-2/">The section's own</a></main>
        </body></html>""")
    assert content_links(page) == ["https://news.example/read/qk/", "https://news.example/read/qm.html",
                                   "https://news.example/read/?p=5"]


def listing_html(links: int, prose: str = "") -> str:
    items = "".join(f"<li><a href='/read/{chr(98 + n)}x/'>Story {n}</a></li>" for n in range(links))
    return f"<html><head><title>News</title></head><body><h1>News</h1>{prose}<ul>{items}</ul></body></html>"


def test_a_page_says_what_it_is():
    assert page_kind(doc(listing_html(12))) == "listing"
    # Many links, but one long run of prose: an article with a theme full of related links.
    assert page_kind(doc(listing_html(40, "<div class='story'>" + PROSE * 4 + "</div>"))) == "article"
    # Teasers: short texts beside their links.
    teasers = "".join(f"<article><h2><a href='/read/{n}x/'>Post</a></h2><p>Two lines about it.</p></article>"
                      for n in "bcdef")
    assert page_kind(doc(f"<html><body>{teasers}</body></html>")) == "listing"
    # A news section with no story yet: neither prose nor links.
    assert page_kind(doc("<html><body><h1>News</h1><p>Nothing here yet.</p></body></html>")) == "listing"
    # Nothing listed and a story told in <div>s: an article, whatever og:type the theme prints.
    story_in_divs = "<div>" + "A line of the story, written without paragraphs. " * 30 + "</div>"
    assert page_kind(doc("<html><head><meta property='og:type' content='website'></head><body><h1>Hi</h1>"
                         f"{story_in_divs}<a href='/news/'>News</a></body></html>")) == "article"
    assert page_kind(doc("<html><head><meta property='og:type' content='article'></head><body>"
                         + listing_html(30) + "</body></html>")) == "article"


# Ten teasers set as sibling paragraphs of one container, each opening with its story's headline.
SIBLING_TEASERS = "<div class='list'>" + "".join(
    f"<p><a href='/news/2024/05/0{n}/story-{n}'>Story {n}: the river rose past the bridge</a> Two lines about "
    f"story {n}, the flood and what the town did.</p>" for n in range(1, 10)) + "</div>"
# A story whose every paragraph holds a long link, inside its sentences.
LINKED_STORY = "<div class='story'>" + "".join(
    f"<p>The council met on day {n}, as <a href='/news/2024/05/0{n}/story-{n}'>the report on the bridge works</a> "
    "had asked, and the river kept rising all the while.</p>" for n in range(1, 10)) + "</div>"


@pytest.mark.parametrize(("paragraphs", "kind"), [
    (SIBLING_TEASERS, "listing"),
    (LINKED_STORY, "article"),
    # A story whose paragraphs open with a link now and then: a minority of them.
    (LINKED_STORY.replace("<p>The council met on day 1, as ", "<p>").replace(
        "<p>The council met on day 2, as ", "<p>"), "article"),
    # Headlines of fewer than 20 characters are not told from a story's opening words: nine
    # paragraphs of 80 characters are one run of prose, a story's length.
    (SIBLING_TEASERS.replace(": the river rose past the bridge", "").replace("the town did.", "the town did about the bridge."),
     "article"),
])
def test_paragraphs_that_open_with_a_headline_are_teasers_not_a_story(paragraphs, kind):
    assert page_kind(doc(f"<html><head><title>News</title></head><body><h1>News</h1>{paragraphs}</body></html>")) == kind


STORY_SAID = ("<meta property='og:type' content='article'>",
              "<meta property='article:published_time' content='2024-05-01T08:00:00Z'>",
              '<script type="application/ld+json">{"@type": "NewsArticle", "headline": "News"}</script>')


@pytest.mark.parametrize("said", STORY_SAID)
def test_a_page_asked_for_as_a_listing_is_told_by_its_shape_not_its_metadata(said):
    section = listing_html(12).replace("</head>", said + "</head>")
    assert page_kind(doc(section)) == "article"  # found by a link: the page's word
    assert page_kind(doc(section), asked_as="listing") == "listing"
    assert isinstance(parse_page("https://news.example/news/", section.encode(), asked_as="listing"), Listing)
    story = section.replace("<ul>", "<div class='story'>" + PROSE * 4 + "</div><ul>")
    assert page_kind(doc(story), asked_as="listing") == "article"  # a story given as a start URL


def test_a_page_asked_for_as_a_story_is_one_unless_shaped_as_a_listing():
    # A sitemap's or a feed's entry. A category page a sitemap lists (og:type website, teasers) was
    # stored as an article of its teasers, and its stories were not followed.
    category = listing_html(12).replace("</head>", "<meta property='og:type' content='website'></head>")
    assert page_kind(doc(category), asked_as="article") == "listing"
    assert isinstance(parse_page("https://news.example/category/world/", category.encode(), asked_as="article"), Listing)
    for said in STORY_SAID:  # a story says so, however many links its theme adds
        assert page_kind(doc(listing_html(12).replace("</head>", said + "</head>")), asked_as="article") == "article"
    # A short story with few links, no word of what it is: a story (found by a link alone, its URL decides).
    short = "<html><head><title>Flood</title></head><body><h1>Flood</h1><p>The river rose.</p></body></html>"
    assert page_kind(doc(short), asked_as="article") == "article"
    assert page_kind(doc(short)) == "listing"


class StoryMetadataEverywhere(SiteHandler):
    """A theme that prints a story's metadata (all of STORY_SAID) on every page: /news/ and its next
    pages (?page=2, ?page=3), four stories each, page 2's teasers set as sibling paragraphs."""

    def do_GET(self):  # noqa: N802 (the http.server API)
        page = re.fullmatch(r"/news/(?:\?page=(\d))?", self.path)
        story = re.fullmatch(r"/news/2024/05/0\d/story-(\d+)", self.path)
        if page:
            number = int(page.group(1) or 1)
            stories = range(4 * number - 3, 4 * number + 1)
            teasers = "".join(
                f"<p><a href='/news/2024/05/0{n % 9 + 1}/story-{n}'>Story {n}: the river rose past the bridge</a> "
                f"Two lines about story {n}, the flood and what the town did.</p>" if number == 2 else
                f"<div class='teaser'><h3><a href='/news/2024/05/0{n % 9 + 1}/story-{n}'>Story {n}</a></h3>"
                f"<p>Two lines about story {n}.</p></div>" for n in stories)
            more = f"<a rel='next' href='/news/?page={number + 1}'>Next</a>" if number < 3 else ""
            body = f"<h1>News</h1><div class='list'>{teasers}</div>{more}"
            return self.answer(200, f"<html><head><title>News</title>{''.join(STORY_SAID)}</head><body>{body}</body></html>")
        if story:
            return self.answer(200, story_html(story.group(1)).replace("</head>", "".join(STORY_SAID) + "</head>"))
        self.answer(404, "<html><body>no</body></html>")


def test_sections_whose_theme_says_story_on_every_page_are_walked_to_every_story(tmp_path):
    finished = crawl_of(StoryMetadataEverywhere, tmp_path / "archive.db")
    assert finished.returncode == 0, finished.stderr[-2000:]
    db = sqlite3.connect(tmp_path / "archive.db")
    titles = sorted(title for (title,) in db.execute("SELECT title FROM articles"))
    assert titles == sorted(f"Story {n}" for n in range(1, 13))
    listings = {urlsplit(url).path + ("?" + urlsplit(url).query if urlsplit(url).query else "")
                for (url,) in db.execute("SELECT url FROM listings WHERE kind = 'listing'")}
    assert listings == {"/news/", "/news/?page=2", "/news/?page=3"}


def test_a_start_url_that_is_a_story_is_archived_and_said_to_be_no_listing(tmp_path):
    server = serve_handler(StoryMetadataEverywhere)
    try:
        start = f"http://127.0.0.1:{server.server_port}/news/2024/05/02/story-1"
        finished = run_cli("crawl", start, "--db", str(tmp_path / "archive.db"), "--allow-private")
    finally:
        server.shutdown()
    assert finished.returncode == 0, finished.stderr[-2000:]
    assert [title for (title,) in sqlite3.connect(tmp_path / "archive.db").execute("SELECT title FROM articles")] == [
        "Story 1"]
    assert (f"WARNING: {start} was asked for as a listing but reads as an article: it is stored as one, and its "
            "links are not followed") in finished.stderr


def test_a_page_of_any_schema_org_story_type_is_an_article():
    for declared in ['"DiscussionForumPosting"', '"schema:ReviewNewsArticle"', '["https://schema.org/SatiricalArticle"]']:
        script = f'<script type="application/ld+json">{{"@type": {declared}, "headline": "Hi"}}</script>'
        assert page_kind(doc(listing_html(12).replace("</head>", script + "</head>"))) == "article", declared
    for declared in ['"WebPage"', '"CollectionPage"', '"https://schema.org/Organization"']:
        script = f'<script type="application/ld+json">{{"@type": {declared}, "name": "News"}}</script>'
        assert page_kind(doc(listing_html(12).replace("</head>", script + "</head>"))) == "listing", declared


def test_parse_page_gives_a_listing_for_an_unprofiled_listing_page():
    html = listing_html(6).replace("</ul>", "</ul><a rel='next' href='/news/?page=2'>Older</a>").replace(
        "<head>", "<head><link rel='alternate' type='application/rss+xml' href='/feed.xml'>")
    listing = parse_page("https://news.example/news/", html.encode())
    assert isinstance(listing, Listing)
    assert [link.url for link in listing.links] == [f"https://news.example/read/{chr(98 + n)}x/" for n in range(6)]
    assert listing.next_page_url == "https://news.example/news/?page=2"
    assert listing.feeds == ["https://news.example/feed.xml"]
    assert isinstance(parse_page("https://news.example/read/bx/", f"<html><body><h1>T</h1>{PROSE * 3}</body></html>"
                                 .encode()), Article)


URLSET = b"""<?xml version="1.0" encoding="UTF-8"?>
<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9" xmlns:news="http://www.google.com/schemas/sitemap-news/0.9">
<url><loc>https://news.example/read/bx/</loc><lastmod>2024-05-03</lastmod></url>
<url><loc>https://news.example/read/cx/</loc><lastmod>2024-05-09T10:00:00+00:00</lastmod>
  <news:news><news:publication_date>2024-05-04T08:30:00+02:00</news:publication_date></news:news></url>
<url><loc>https://news.example/read/dx/</loc></url>
</urlset>"""


def test_sitemaps_urlsets_news_dates_indexes_and_gzip():
    children, links = parse_sitemap(URLSET)
    assert children == []
    # The publication date apart from lastmod: only the last change is a sign of an edit.
    assert [(link.url, link.published_at, link.modified_at) for link in links] == [
        ("https://news.example/read/bx/", None, "2024-05-03"),
        ("https://news.example/read/cx/", "2024-05-04T06:30:00Z", "2024-05-09T10:00:00Z"),
        ("https://news.example/read/dx/", None, None)]
    assert [link.dated for link in links] == ["2024-05-03", "2024-05-04T06:30:00Z", None]
    index = (b"<?xml version='1.0'?><sitemapindex xmlns='http://www.sitemaps.org/schemas/sitemap/0.9'>"
             b"<sitemap><loc>https://news.example/posts.xml.gz</loc></sitemap></sitemapindex>")
    assert parse_sitemap(index) == (["https://news.example/posts.xml.gz"], [])
    assert parse_sitemap(gzip.compress(URLSET))[1] == links
    assert parse_sitemap(b"<urlset xmlns='http://www.sitemaps.org/schemas/sitemap/0.9'/>") == ([], [])  # empty


def test_the_other_languages_versions_a_sitemap_names_are_its_pages():
    """A multilingual site's sitemap may list each story once, naming its translations as
    alternates (hreflang): those were never fetched unless a listing of the crawl linked them."""
    body = b"""<?xml version="1.0" encoding="UTF-8"?>
<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9" xmlns:xhtml="http://www.w3.org/1999/xhtml"
        xmlns:news="http://www.google.com/schemas/sitemap-news/0.9">
<url><loc>https://news.example/en/read/bx/</loc><lastmod>2024-05-09</lastmod>
  <news:news><news:publication_date>2024-05-04</news:publication_date></news:news>
  <xhtml:link rel="alternate" hreflang="en" href="https://news.example/en/read/bx/"/>
  <xhtml:link rel="alternate" hreflang="fr" href="https://news.example/fr/read/bx/"/>
  <xhtml:link rel="alternate" hreflang="ar" href="https://news.example/ar/read/cx/"/></url>
<url><loc>https://news.example/en/read/dx/</loc>
  <xhtml:link rel="alternate" hreflang="fr" href="https://news.example/fr/read/bx/"/></url>
<url><loc>https://news.example/ar/read/cx/</loc><lastmod>2024-05-10</lastmod></url>
</urlset>"""
    # The entries' own first, their dates theirs; each translation once, with its story's
    # publication date and no lastmod (the entry's own edit says nothing of the translation).
    assert [(link.url, link.published_at, link.modified_at) for link in parse_sitemap(body)[1]] == [
        ("https://news.example/en/read/bx/", "2024-05-04", "2024-05-09"),
        ("https://news.example/en/read/dx/", None, None),
        ("https://news.example/ar/read/cx/", None, "2024-05-10"),
        ("https://news.example/fr/read/bx/", "2024-05-04", None)]


@pytest.mark.parametrize("garbage, says", [
    (b"", "not XML"), (b"plain text", "not XML"),
    (b"<html><body>Not found</body></html>", "XML whose root is <html>, not <urlset>, <sitemapindex> or a feed"),
    (b"\x1f\x8b\x08broken", "gzip that does not inflate to a sitemap"),
    (gzip.compress(b"\0" * (50 * 1024 * 1024 + 1)), "gzip that does not inflate to a sitemap")])
def test_what_is_no_sitemap_says_what_it_is(garbage, says):
    # Garbled gzip was a parse_error and a gzip bomb an empty sitemap; HTML and text were empty sitemaps too.
    with pytest.raises(NotASitemap, match=f"^{re.escape(says)}"):
        parse_sitemap(garbage)


@pytest.mark.parametrize(("body", "links"), [
    (b"https://news.example/read/ax/\r\nhttps://news.example/read/bx/\n\n",
     [("https://news.example/read/ax/", None, None), ("https://news.example/read/bx/", None, None)]),
    (b"<rss version='2.0'><channel><item><link>https://news.example/read/cx/</link>"
     b"<pubDate>Fri, 03 May 2024 08:00:00 +0000</pubDate></item></channel></rss>",
     [("https://news.example/read/cx/", "2024-05-03T08:00:00Z", None)]),
    (b"<feed xmlns='http://www.w3.org/2005/Atom'><entry><link href='https://news.example/read/dx/'/>"
     b"<updated>2024-05-04T10:00:00Z</updated></entry></feed>", [("https://news.example/read/dx/", None, "2024-05-04T10:00:00Z")]),
])
def test_a_sitemap_in_the_protocol_s_other_forms_a_text_file_or_a_feed(body, links):
    assert [(link.url, link.published_at, link.modified_at) for link in parse_sitemap(body)[1]] == links


@pytest.mark.parametrize("body", [b"https://news.example/read/ax/\nNot found\n", b"Not found\n", b"\xff\xfe\x00h"])
def test_a_text_file_is_a_sitemap_only_when_every_line_is_a_url(body):
    with pytest.raises(NotASitemap, match="nor a text file of URLs"):
        parse_sitemap(body)


def test_feeds_rss_and_atom():
    rss = (b"<rss version='2.0'><channel><item><title>A</title><link>https://news.example/read/bx/</link>"
           b"<pubDate>Fri, 03 May 2024 08:00:00 +0000</pubDate></item></channel></rss>")
    atom = (b"<feed xmlns='http://www.w3.org/2005/Atom'><entry><link rel='alternate' href='https://news.example/read/cx/'/>"
            b"<updated>2024-05-04T10:00:00Z</updated></entry></feed>")
    assert [(link.url, link.published_at) for link in parse_feed(rss)] == [
        ("https://news.example/read/bx/", "2024-05-03T08:00:00Z")]
    assert [(link.url, link.published_at, link.modified_at) for link in parse_feed(atom)] == [
        ("https://news.example/read/cx/", None, "2024-05-04T10:00:00Z")]  # <updated>: a change, not publication


def test_an_atom_entry_s_relative_link_is_read_against_its_xml_base():
    """Atom lets a feed set xml:base (on the feed, an entry, a link) and link relatively under it;
    joined with the feed's own URL instead, such links led to pages that are none."""
    atom = (b"<feed xmlns='http://www.w3.org/2005/Atom' xml:base='https://news.example/blog/'>"
            b"<entry><link href='2024/05/a-post'/></entry>"
            b"<entry xml:base='archive/'><link rel='replies' href='/c/1'/><link rel='alternate' href='b-post'/></entry>"
            b"<entry><link href='https://news.example/read/cx/'/></entry></feed>")
    assert [link.url for link in parse_feed(atom)] == [
        "https://news.example/blog/2024/05/a-post", "https://news.example/blog/archive/b-post",
        "https://news.example/read/cx/"]
    # Without an xml:base, a relative link is left to be joined with the feed's URL, as before.
    assert [link.url for link in parse_feed(b"<rss><channel><item><link> /read/dx/ </link></item></channel></rss>")] == [
        "/read/dx/"]


@pytest.mark.parametrize(("item", "url"), [
    # RSS 2.0: a guid is the item's permanent address unless isPermaLink says false
    (b"<guid isPermaLink='true'>https://news.example/read/ax/</guid>", "https://news.example/read/ax/"),
    (b"<guid>https://news.example/read/bx/</guid>", "https://news.example/read/bx/"),
    (b"<guid isPermaLink='false'>https://news.example/read/cx/</guid>", None),
    (b"<guid>tag:news.example,2024:7</guid>", None),
    (b"<link>https://news.example/read/dx/</link><guid>https://news.example/?p=7</guid>", "https://news.example/read/dx/"),
    # FeedBurner's proxy link, and the story's own address beside it
    (b"<link>https://feeds.example/~r/news/~3/abc/</link><feedburner:origLink>https://news.example/read/ex/"
     b"</feedburner:origLink>", "https://news.example/read/ex/"),
])
def test_an_rss_item_s_address_is_its_link_or_its_permanent_guid(item, url):
    rss = (b"<rss version='2.0' xmlns:feedburner='http://rssnamespace.org/feedburner/ext/1.0'><channel><item>"
           b"<title>A</title>" + item + b"</item></channel></rss>")
    assert [link.url for link in parse_feed(rss)] == ([url] if url else [])


def test_json_feeds_and_the_feeds_a_page_announces():
    feed = (b'{"version": "https://jsonfeed.org/version/1.1", "items": ['
            b'{"id": "1", "url": "https://news.example/read/ex/", "date_published": "2024-05-05T08:00:00+02:00"},'
            b'{"id": "2", "external_url": "/read/fx/"}, {"id": "3"}, "not an item"]}')
    assert [(link.url, link.published_at) for link in parse_feed(feed)] == [
        ("https://news.example/read/ex/", "2024-05-05T06:00:00Z"), ("/read/fx/", None)]
    for garbage in (b"{", b'{"items": 5}', b"[1, 2]", b"{" * 100_000):
        assert parse_feed(garbage) == []
    page = parse_document("https://news.example/", b"<html><head>"
                          b"<link rel='alternate' type='application/rss+xml' href='/rss'>"
                          b"<link rel='alternate' type='application/feed+json' href='/feed.json'>"
                          b"<link rel='alternate' type='text/html' hreflang='ar' href='/ar/'>"
                          b"</head><body></body></html>", None)
    assert feed_links(page) == ["https://news.example/rss", "https://news.example/feed.json"]


def write_article(site, path: str, title: str) -> None:
    folder = site / path.strip("/")
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "index.html").write_text(f"<html lang='en'><head><title>{title}</title></head><body><article>"
                                       f"<h1>{title}</h1>{PROSE * 3}</article></body></html>", encoding="utf-8")


def crawl_site(site, tmp_path, *extra):
    server, base_url = serve_in_subprocess(site)
    try:
        db_path = tmp_path / "discovery.db"
        result = run_cli("crawl", base_url + "/news/", "--db", str(db_path), "--allow-private",
                         "-s", "AUTOTHROTTLE_ENABLED=0", *extra)
    finally:
        server.terminate()
        server.wait(timeout=10)
    assert result.returncode == 0, result.stderr[-3000:]
    return sqlite3.connect(db_path)


def test_articles_with_shapeless_urls_are_found_by_walking_the_listing(tmp_path):
    site = tmp_path / "site"
    names = [a + b for a in "bcdfg" for b in "kmnp"]  # /read/bk/, /read/bm/ ...: no date, no id, no slug
    for number, name in enumerate(names):
        write_article(site, f"/read/{name}/", f"Story number {number}")
    pages = [names[i:i + 5] for i in range(0, len(names), 5)]
    for page, chunk in enumerate(pages, 1):
        items = "".join(f"<li><a href='/read/{name}/'>Story</a></li>" for name in chunk)
        more = f"<a rel='next' href='/news/?page={page + 1}'>Older</a>" if page < len(pages) else ""
        (site / "news").mkdir(parents=True, exist_ok=True)
        (site / "news" / ("index.html" if page == 1 else f"page-{page}.html")).write_text(
            f"<html><body><h1>News</h1><ul>{items}</ul>{more}</body></html>", encoding="utf-8")
    (site / "robots.txt").write_text("User-agent: *\nAllow: /\n")  # names no sitemap; /sitemap.xml is 404
    db = crawl_site(site, tmp_path)
    stored = {urlsplit(url).path for (url,) in db.execute("SELECT url FROM articles")}
    assert stored == {f"/read/{name}/" for name in names}
    assert db.execute("SELECT count(*) FROM failures").fetchone() == (0,)  # the missing sitemap included
    kinds = dict(db.execute("SELECT kind, count(*) FROM listings GROUP BY kind"))
    assert kinds == {"listing": 4, "sitemap": 1}


def test_articles_only_in_a_gzipped_sitemap_behind_an_index_are_found(tmp_path):
    site = tmp_path / "site"
    (site / "news").mkdir(parents=True)
    (site / "news" / "index.html").write_text("<html><body><h1>News</h1><p>Nothing here yet.</p></body></html>")
    for name in ("bk", "bm", "bn"):
        write_article(site, f"/read/{name}/", f"Hidden story {name}")
    urls = "".join(f"<url><loc>/read/{name}/</loc><lastmod>2024-05-03</lastmod></url>" for name in ("bk", "bm", "bn"))
    (site / "posts.xml.gz").write_bytes(gzip.compress(
        f"<?xml version='1.0'?><urlset xmlns='http://www.sitemaps.org/schemas/sitemap/0.9'>{urls}</urlset>".encode()))
    (site / "index.xml").write_text("<?xml version='1.0'?><sitemapindex xmlns='http://www.sitemaps.org/schemas/"
                                    "sitemap/0.9'><sitemap><loc>/posts.xml.gz</loc></sitemap></sitemapindex>")
    (site / "robots.txt").write_text("User-agent: *\nSitemap: /index.xml\n")
    db = crawl_site(site, tmp_path)
    assert {urlsplit(url).path for (url,) in db.execute("SELECT url FROM articles")} == {
        "/read/bk/", "/read/bm/", "/read/bn/"}
    assert sorted(urlsplit(url).path for (url,) in db.execute("SELECT url FROM listings WHERE kind = 'sitemap'")) \
        == ["/index.xml", "/posts.xml.gz"]
