"""Sitemaps in the protocol's three forms (sitemaps.org): XML, read with Scrapy's sitemap parser
(gzipped or not, sitemap indexes, news sitemaps); an RSS or Atom feed; a text file of one URL a line.

Read by the crawl itself (spiders/base.py), never in a parser worker, which does not import Scrapy
(newsarchive/workers.py).
"""

from __future__ import annotations

import re
from collections import Counter

from lxml import etree
from scrapy.utils.gz import gunzip
from scrapy.utils.sitemap import Sitemap

from newsarchive.parsers.dates import normalise_date
from newsarchive.parsers.discovery import DiscoveredLink, is_json_text, parse_feed

SITEMAP_MAX_BYTES = 50 * 1024 * 1024  # the sitemap protocol's own limit, uncompressed
_GZIP_MAGIC = b"\x1f\x8b\x08"  # a gzip member, deflated: a .xml.gz sent as it is


class _NewsSitemap(Sitemap):
    """Scrapy's sitemap parser, also reading a news sitemap's nested publication date."""

    __slots__ = ()

    def _process_sitemap_element(self, elem):
        dates = elem.xpath(".//*[local-name()='publication_date']/text()")  # read before Scrapy clears it
        found = super()._process_sitemap_element(elem)
        if found is not None and dates:
            found["publication_date"] = dates[0].strip()
        return found


class NotASitemap(ValueError):
    """A body that is no sitemap: gzip that does not inflate (or inflates past the protocol's
    50 MB), no XML, or XML whose root is neither a urlset nor a sitemap index."""


def parse_sitemap(body: bytes) -> tuple[list[str], list[DiscoveredLink]]:
    """(sub-sitemaps of a sitemap index, page links of a urlset with their news sitemap's
    publication date and their lastmod, apart). A gzipped sitemap (.xml.gz) is read as well, and
    the protocol's other forms: a feed (its items' links and dates) and a text file whose every line
    is a URL. NotASitemap for anything else (an empty sitemap is a sitemap): the other forms were
    `not_a_sitemap` failures, and the stories they named not fetched."""
    if body.startswith(_GZIP_MAGIC):
        try:
            body = gunzip(body, max_size=SITEMAP_MAX_BYTES)
        except Exception as error:  # noqa: BLE001 (zlib.error, OSError, EOFError, the size limit's ValueError)
            raise NotASitemap(f"gzip that does not inflate to a sitemap ({type(error).__name__}: {error})") from None
    try:
        sitemap = _NewsSitemap(body)
        entries = list(sitemap)
    except (StopIteration, etree.XMLSyntaxError) as error:  # empty, or not XML at all
        urls = _text_sitemap(body)
        if urls is None:
            raise NotASitemap(f"not XML ({type(error).__name__}: {error}), nor a text file of URLs") from None
        return [], [DiscoveredLink(url) for url in urls]
    if sitemap.type == "sitemapindex":
        return [entry["loc"] for entry in entries], []
    if sitemap.type in _FEED_ROOTS:
        return [], parse_feed(body)
    if sitemap.type != "urlset":
        raise NotASitemap(f"XML whose root is <{sitemap.type}>, not <urlset>, <sitemapindex> or a feed")
    return [], _page_links(entries)


def _page_links(entries: list[dict]) -> list[DiscoveredLink]:
    """A urlset's pages: its entries', then, once each, the other languages' versions they name
    (`<xhtml:link rel="alternate" hreflang>`), which a multilingual site may list nowhere else. A
    version has its story's publication date, not its lastmod: that edit was the entry's page's."""
    links = [DiscoveredLink(entry["loc"], normalise_date(entry.get("publication_date")),
                            normalise_date(entry.get("lastmod"))) for entry in entries]
    seen = {link.url for link in links}
    for entry in entries:
        for url in entry.get("alternate", ()):
            if url not in seen:
                seen.add(url)
                links.append(DiscoveredLink(url, normalise_date(entry.get("publication_date"))))
    return links


_FEED_ROOTS = frozenset({"rss", "feed", "RDF"})  # RSS 2.0, Atom, RSS 1.0 (Scrapy's type: the root's local name)

# An XML file's first element, after a byte order mark, the declaration, processing instructions
# (a feed's stylesheet), comments and a doctype.
_FIRST_ELEMENT = re.compile(rb"(?:\xef\xbb\xbf)?\s*(?:(?:<\?.*?\?>|<!--.*?-->|<!DOCTYPE[^>]*>)\s*)*<([\w.:-]+)", re.DOTALL)
_ROOT_FORMS = {b"urlset": "sitemap", b"sitemapindex": "sitemap", **{root.lower().encode(): "feed" for root in _FEED_ROOTS}}
SNIFFED_BYTES = 4096
_JSON_FEED_VERSION = re.compile(rb"jsonfeed\.org\\?/version")


def discovery_file_kind(body: bytes, content_type: str | None = None) -> str | None:
    """"sitemap" or "feed" for a body that is one (by its first bytes: an XML root, a JSON Feed's
    version, gzip; a text/plain list of URLs), else None: what a page asked for as a listing is
    when a user gives a site's feed or sitemap as the crawl's start (it was read as an HTML page
    with no link, or failed as no HTML, and nothing was archived).

    >>> discovery_file_kind(b'<?xml version="1.0"?><!-- made by us --><rss version="2.0"><channel>')
    'feed'
    >>> discovery_file_kind(b"<urlset xmlns='http://www.sitemaps.org/schemas/sitemap/0.9'>"), discovery_file_kind(b"<!DOCTYPE html><html>")
    ('sitemap', None)
    """
    head = body[:SNIFFED_BYTES]
    if head.startswith(_GZIP_MAGIC):
        return "sitemap"
    if is_json_text(head):
        # Its version's URL, slashes escaped or not (PHP's json_encode escapes them), or its media type.
        return "feed" if (_JSON_FEED_VERSION.search(head)
                          or (content_type or "").lower().startswith("application/feed+json")) else None
    first = _FIRST_ELEMENT.match(head)
    if first:
        return _ROOT_FORMS.get(first.group(1).rsplit(b":", 1)[-1].lower())
    if (content_type or "").lower().startswith("text/plain") and _text_sitemap(body) is not None:
        return "sitemap"
    return None


def _text_sitemap(body: bytes) -> list[str] | None:
    """The URLs of a text sitemap, one a line, UTF-8; None unless every line that is not blank is
    an http(s) URL (HTML, prose or garbage is no sitemap)."""
    try:
        lines = [line.strip() for line in body.decode("utf-8-sig").splitlines() if line.strip()]
    except UnicodeDecodeError:
        return None
    if not lines or not all(line.startswith(("http://", "https://")) and " " not in line for line in lines):
        return None
    return lines


# A sitemap whose entries (STAMP_LEAST at least) have, nearly all (STAMP_SHARE), one and the same
# last-modified time of day gives its own date, not theirs: generators that stamp each entry with
# the time the sitemap was made. Stories are not all edited in the same second. A date alone shared
# by many entries (a sitemap of one day's stories) is left as it is.
STAMP_LEAST = 5
STAMP_SHARE = 0.9


def drop_lastmod_stamp(links: list[DiscoveredLink]) -> str | None:
    """Take out a lastmod the sitemap stamped on (nearly) all its entries, as no change signal:
    taken as one, it had every story of the sitemap fetched again on every crawl. Returns the
    stamp taken out, or None.

    >>> links = [DiscoveredLink(f"/{n}", None, "2026-12-06T06:05:00Z") for n in range(9)] + [DiscoveredLink("/9", None, "2024-05-02T08:00:00Z")]
    >>> drop_lastmod_stamp(links), links[0].modified_at, links[9].modified_at
    ('2026-12-06T06:05:00Z', None, '2024-05-02T08:00:00Z')
    """
    if len(links) < STAMP_LEAST:
        return None
    common = Counter(link.modified_at for link in links).most_common(1)[0]
    stamp, count = common
    if stamp is None or "T" not in stamp or count < STAMP_SHARE * len(links):
        return None
    for link in links:
        if link.modified_at == stamp:
            link.modified_at = None
    return stamp
