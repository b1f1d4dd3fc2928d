"""Finding articles on a site with no profile: article or listing, links, pagination, feeds, sitemaps.

An article page is told from a listing by what the page says of itself (og:type article, a
JSON-LD Article type), else by its shape: one long run of text against many links to other
pages of the site. A listing's article links are same-site links whose path looks like an
article's (a date, a long slug, a numeric id) and that are not navigation; its next page is
rel=next, a "next"/"older" link, or the page-number link one above the current one. RSS/Atom
feeds and XML sitemaps (index, news sitemaps) give article URLs with their dates, which
`--since` filters on.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from lxml import etree

from newsarchive.parsers.dates import date_part, normalise_date
from newsarchive.parsers.document import Document
from newsarchive.parsers.text import element_text
from newsarchive.parsers.urls import canonicalise_url

_DATE_PATH = re.compile(r"/(19|20)\d{2}[/-]\d{1,2}([/-]\d{1,2})?/")
_ID_PATH = re.compile(r"[/-]\d{4,}(?:\.html?)?/?$")
_SLUG = re.compile(r"/[^/]*[a-z\u0400-\u04ff\u0600-\u06ff]+(?:-[^/-]+){3,}(?:\.html?)?/?$", re.I)
_NOT_ARTICLE = re.compile(r"/(tag|tags|category|categories|author|page|search|feed|wp-login|login|about|contact|"
                          r"privacy|impressum|datenschutz|kontakt)(/|$)", re.I)
_NEXT_TEXT = re.compile(r"^(next|older|more|weiter|suivant|siguiente|далее|التالي|›|»|→)\b|^(›|»|→)$", re.I)
_NAV_ANCESTORS = {"nav", "header", "footer", "aside"}
ARTICLE_TYPES = {"article", "newsarticle", "blogposting", "reportagenewsarticle", "analysisnewsarticle"}


@dataclass
class DiscoveredLink:
    url: str
    published_at: str | None = None  # ISO date or time, when a feed or sitemap gives one


@dataclass
class Discovery:
    kind: str  # "article" or "listing"
    links: list[DiscoveredLink] = field(default_factory=list)
    next_page_url: str | None = None
    feeds: list[str] = field(default_factory=list)


def looks_like_article_url(url: str) -> bool:
    path = urlsplit(url).path
    if _NOT_ARTICLE.search(path) or path.count("/") < 1 or path in ("", "/"):
        return False
    return bool(_DATE_PATH.search(path) or _ID_PATH.search(path) or _SLUG.search(path))


def page_kind(doc: Document) -> str:
    root = doc.root
    og_type = root.xpath("string(//meta[@property='og:type']/@content)").strip().lower()
    if og_type == "article":
        return "article"
    for script in root.xpath("//script[@type='application/ld+json']/text()"):
        types = {t.lower() for t in re.findall(r'"@type"\s*:\s*"([^"]+)"', script)}
        if types & ARTICLE_TYPES:
            return "article"
    if og_type in ("website", "blog"):
        return "listing"
    paragraphs = [len(element_text(p) or "") for p in root.iter("p")]
    text = sum(length for length in paragraphs if length > 80)
    links = len(_content_links(doc))
    # Text density: an article is mostly prose; a listing is mostly links to articles.
    if links >= 5 and text < 300 * links:
        return "listing"
    return "article" if text >= 500 or looks_like_article_url(doc.url) else "listing"


def discover(doc: Document) -> Discovery:
    kind = page_kind(doc)
    discovery = Discovery(kind=kind, feeds=feed_links(doc))
    if kind == "listing":
        discovery.links = [DiscoveredLink(url) for url in _content_links(doc) if looks_like_article_url(url)]
        discovery.next_page_url = next_page(doc)
    return discovery


def _content_links(doc: Document) -> list[str]:
    host = urlsplit(doc.url).hostname
    own = canonicalise_url(doc.url)
    seen, links = set(), []
    for anchor in doc.root.iter("a"):
        if any(ancestor.tag in _NAV_ANCESTORS for ancestor in anchor.iterancestors()):
            continue
        url = canonicalise_url(doc.absolute(anchor.get("href")) or "")
        if not url or urlsplit(url).hostname != host or url == own or url in seen:
            continue
        if urlsplit(url).scheme not in ("http", "https"):
            continue
        seen.add(url)
        links.append(url)
    return links


def next_page(doc: Document) -> str | None:
    for href in doc.root.xpath("//link[@rel='next']/@href | //a[@rel='next']/@href"):
        return doc.absolute(href)
    for anchor in doc.root.iter("a"):
        label = (element_text(anchor) or anchor.get("aria-label") or "").strip()
        classes = anchor.get("class") or ""
        if anchor.get("href") and (_NEXT_TEXT.search(label) or re.search(r"\bnext\b", classes)):
            return doc.absolute(anchor.get("href"))
    return None


def feed_links(doc: Document) -> list[str]:
    types = ("application/rss+xml", "application/atom+xml", "application/feed+json")
    return [doc.absolute(link.get("href")) for link in doc.root.xpath("//link[@rel='alternate'][@href]")
            if (link.get("type") or "").lower() in types[:2]]


# feeds and sitemaps ------------------------------------------------------------------------------

def _xml(body: bytes):
    parser = etree.XMLParser(recover=True, resolve_entities=False, no_network=True, huge_tree=False)
    return etree.fromstring(body.lstrip(), parser)


def _local(tag) -> str:
    return etree.QName(tag).localname.lower() if isinstance(tag, str) else ""


def parse_feed(body: bytes) -> list[DiscoveredLink]:
    """RSS 2.0 items and Atom entries: their links and dates."""
    root = _xml(body)
    if root is None:
        return []
    links = []
    for item in root.iter():
        if _local(item.tag) not in ("item", "entry"):
            continue
        url = date = None
        for child in item:
            name = _local(child.tag)
            if name == "link":
                url = url or (child.get("href") if child.get("rel") in (None, "alternate") else None) or (child.text or "").strip()
            elif name in ("pubdate", "published", "date", "updated") and not date:
                date = normalise_date((child.text or "").strip())
        if url:
            links.append(DiscoveredLink(url.strip(), date))
    return links


def parse_sitemap(body: bytes) -> tuple[list[str], list[DiscoveredLink]]:
    """(sub-sitemaps of a sitemap index, article links of a urlset with lastmod or news date)."""
    root = _xml(body)
    if root is None:
        return [], []
    if _local(root.tag) == "sitemapindex":
        return [(loc.text or "").strip() for loc in root.iter() if _local(loc.tag) == "loc"], []
    links = []
    for entry in root:
        if _local(entry.tag) != "url":
            continue
        url, date = None, None
        for child in entry.iter():
            name = _local(child.tag)
            if name == "loc" and url is None:
                url = (child.text or "").strip()
            elif name == "publication_date":
                date = normalise_date((child.text or "").strip()) or date
            elif name == "lastmod" and date is None:
                date = normalise_date((child.text or "").strip())
        if url:
            links.append(DiscoveredLink(url, date))
    return [], links


def sitemaps_from_robots(body: bytes) -> list[str]:
    return [line.split(":", 1)[1].strip() for line in body.decode("utf-8", "replace").splitlines()
            if line.lower().startswith("sitemap:")]


def before(day: str | None, since: str | None) -> bool:
    return bool(day and since and date_part(day) < since)
