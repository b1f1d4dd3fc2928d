"""Pure page parsers: `(url, html) -> record`, with no Scrapy engine, network or database.

`parse_page` is the one entry point the spiders, the CLI and the fixture check use: it finds the
site profile for the URL (unless one is given), tells an article page from a listing page (by the
profile's URL patterns and listing items, else by the page itself: parsers/discovery.py), and
returns an `Article` or a `Listing`. Pages that are no HTML raise a `ParseError` subclass naming
the page.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Collection

from newsarchive.items import Article, Listing
from newsarchive.parsers import discovery
from newsarchive.parsers.article import extract_article, parse_article
from newsarchive.parsers.document import Document, parse_document
from newsarchive.parsers.errors import EmptyPageError, NotHtmlError, ParseError
from newsarchive.parsers.listing import extract_listing, parse_listing
from newsarchive.profiles import Site, SiteProfile, find_site

__all__ = [
    "EmptyPageError", "NotHtmlError", "ParseError", "parse_article", "parse_listing", "parse_page",
    "page_kind",
]


def parse_page(
    url: str,
    body: bytes | str,
    profile: SiteProfile | None = None,
    site: Site | None = None,
    content_type: str | None = None,
    kind: str | None = None,
    fields: Collection[str] | None = None,
    asked_as: str | None = None,
    *,
    find_profile: bool = True,
) -> Article | Listing:
    """Parse any page of a news site into an Article or a Listing. kind: what the page is, when the
    caller knows (None: the page tells); asked_as: what the crawl hoped it was, when the page tells
    ("listing" for a start URL or a next page, "article" for a sitemap's or feed's entry: see
    discovery.page_kind); fields: the article fields wanted, None for all (see
    article.extract_article: a rendered page's parse). Given no profile, the bundled profile of the
    URL's site reads the page, unless find_profile is false (the any-site layers alone)."""
    if profile is None and find_profile:
        found = find_site(url)
        if found:
            profile, site = found[0], site or found[1]
    doc = parse_document(url, body, content_type)
    if profile is None:
        if kind is None and asked_as == "article" and discovery.says_it_is_a_story(doc):
            kind = "article"  # a sitemap's story that says it is one: its links need not be read
        elsewhere: Counter = Counter()
        links = discovery.content_links(doc, elsewhere) if kind is None else None  # shared by both steps
        if (kind or discovery.page_kind(doc, links, asked_as)) == "listing":
            return discovery.listing_from_page(doc, links, elsewhere)
        return extract_article(doc, None, site, fields)
    if (kind or page_kind(doc, profile, asked_as)) == "listing":
        return extract_listing(doc, profile, site)
    return extract_article(doc, profile, site, fields)


def page_kind(doc: Document, profile: SiteProfile | None, asked_as: str | None = None) -> str:
    """"article" or "listing": from the profile's URL patterns and listing items, else from the
    page itself (asked_as: see discovery.page_kind)."""
    kind = profile.page_kind(doc.url) if profile else None
    if kind:
        return kind
    if profile is not None:
        listing_items = profile.listing_selector("item")
        if listing_items and len(profile.select(doc.root, listing_items)) >= 2:
            return "listing"
    return discovery.page_kind(doc, asked_as=asked_as)
