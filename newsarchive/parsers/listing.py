"""Listing pages (section pages, monthly archives, the archive index) to Listing records."""

from __future__ import annotations

import re
from urllib.parse import parse_qsl, urlsplit

from newsarchive.items import Listing, ListingLink
from newsarchive.parsers.discovery import next_page
from newsarchive.parsers.document import Document, parse_document
from newsarchive.parsers.text import element_text, western_digits
from newsarchive.parsers.urls import canonicalise_url
from newsarchive.profiles import Site, SiteProfile

_NUMBER = re.compile(r"^\d+$")


def parse_listing(
    url: str,
    body: bytes | str,
    profile: SiteProfile,
    site: Site | None = None,
    content_type: str | None = None,
) -> Listing:
    return extract_listing(parse_document(url, body, content_type), profile, site)


def extract_listing(doc: Document, profile: SiteProfile, site: Site | None = None) -> Listing:
    site = site or profile.site_for_url(doc.url)
    listing = Listing(
        url=doc.url,
        site=site.name if site else None,
        locale=profile.locale_for_url(doc.url),
        page=current_page(doc.url, profile.page_parameter),
    )
    listing.links = _article_links(doc, profile)
    listing.section_links = _section_links(doc, profile)
    listing.last_page = _last_page(doc, profile, listing.page)
    listing.next_page_url = _next_page_url(doc, profile)
    return listing


def current_page(url: str, parameter: str = "page") -> int:
    for name, value in parse_qsl(urlsplit(url).query):
        if name == parameter and _NUMBER.match(value.strip()):
            return int(value)
    return 1


def _select(doc: Document, profile: SiteProfile, name: str, within=None) -> list:
    selector = profile.listing_selector(name)
    return profile.select(doc.root if within is None else within, selector) if selector else []


def _first_text(doc: Document, profile: SiteProfile, name: str, within) -> str | None:
    found = _select(doc, profile, name, within)
    return element_text(found[0]) if found else None


def _article_links(doc: Document, profile: SiteProfile) -> list[ListingLink]:
    links: list[ListingLink] = []
    seen: set[str] = set()
    for item in _select(doc, profile, "item"):
        anchors = [a for a in _select(doc, profile, "item_link", item) if a.get("href")]
        url = canonicalise_url(doc.absolute(anchors[0].get("href"))) if anchors else None
        if not url or url in seen:
            continue
        seen.add(url)
        links.append(
            ListingLink(
                url=url,
                position=len(links),
                title=_first_text(doc, profile, "item_title", item),
                section=_first_text(doc, profile, "item_section", item),
                published_at_raw=_first_text(doc, profile, "item_date", item),
                modified_at_raw=_first_text(doc, profile, "item_modified", item),
                comment_count_raw=_first_text(doc, profile, "item_comment_count", item),
            )
        )
    return links


def _section_links(doc: Document, profile: SiteProfile) -> list[ListingLink]:
    links: list[ListingLink] = []
    for anchor in _select(doc, profile, "section_links"):
        url = canonicalise_url(doc.absolute(anchor.get("href")))
        if url:
            links.append(ListingLink(url=url, position=len(links), title=element_text(anchor)))
    return links


def _last_page(doc: Document, profile: SiteProfile, page: int) -> int | None:
    """The highest page number the pager shows (the platform puts it in the second-to-last link)."""
    pagers = _select(doc, profile, "pager")
    if not pagers:
        return None
    numbers = [page]
    for element in pagers[0].iter():
        text = western_digits(element_text(element) or "") if element.tag in ("a", "span", "li") else ""
        if _NUMBER.match(text):
            numbers.append(int(text))
    return max(numbers)


def _next_page_url(doc: Document, profile: SiteProfile) -> str | None:
    """The next page by the profile's selector, else as any listing's is found (rel="next", a
    "Next" label or class, the pager's next number): a selector is a guess, and a pager whose next
    link it missed left every later page of the section unread, the crawl "finished"."""
    found = _select(doc, profile, "next_page")
    href = found[0].get("href") if found else None
    return doc.absolute(href) if href else next_page(doc)
