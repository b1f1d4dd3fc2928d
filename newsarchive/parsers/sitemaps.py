"""XML sitemaps read with Scrapy's sitemap parser: gzipped or not, sitemap indexes, news sitemaps.

Read by the crawl itself (spiders/base.py), never in a parser worker, which does not import Scrapy
(newsarchive/workers.py).
"""

from __future__ import annotations

from lxml import etree
from scrapy.utils.gz import gunzip
from scrapy.utils.sitemap import Sitemap

from newsarchive.parsers.dates import normalise_date
from newsarchive.parsers.discovery import DiscoveredLink

SITEMAP_MAX_BYTES = 50 * 1024 * 1024  # the sitemap protocol's own limit, uncompressed


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
    publication date and their lastmod, apart). A gzipped sitemap (.xml.gz) is read as well;
    NotASitemap for anything else (an empty sitemap is a sitemap)."""
    if body[:3] == b"\x1f\x8b\x08":
        try:
            body = gunzip(body, max_size=SITEMAP_MAX_BYTES)
        except Exception as error:  # noqa: BLE001 (zlib.error, OSError, EOFError, the size limit's ValueError)
            raise NotASitemap(f"gzip that does not inflate to a sitemap ({type(error).__name__}: {error})") from None
    try:
        sitemap = _NewsSitemap(body)
        entries = list(sitemap)
    except (StopIteration, etree.XMLSyntaxError) as error:  # empty, or not XML at all
        raise NotASitemap(f"not XML ({type(error).__name__}: {error})") from None
    if sitemap.type == "sitemapindex":
        return [entry["loc"] for entry in entries], []
    if sitemap.type != "urlset":
        raise NotASitemap(f"XML whose root is <{sitemap.type}>, not <urlset> or <sitemapindex>")
    return [], [DiscoveredLink(entry["loc"], normalise_date(entry.get("publication_date")),
                               normalise_date(entry.get("lastmod"))) for entry in entries]
