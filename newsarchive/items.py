"""The records parsers return and pipelines store.

Plain dataclasses, used through itemadapter by Scrapy. Each normalised value keeps its raw twin
(`*_raw`): the byline as printed beside the parsed author names, the date as printed beside the
ISO 8601 value, the caption as printed beside the caption and credit split from it.

`Article.sources` records, per field, the extraction layer that gave it: one of `Layer`.
"""

from __future__ import annotations

import hashlib
import zlib
from dataclasses import asdict, dataclass, field
from enum import StrEnum
from typing import Any


class Layer(StrEnum):
    """Where a field's value came from (`Article.sources`; docs/schema.md lists the same names).
    Strings, so the JSON stored in the archive holds the plain names."""

    PROFILE = "profile"  # the site profile's selectors
    JSONLD = "jsonld"  # schema.org JSON-LD
    OPENGRAPH = "opengraph"  # og:* and article:* meta properties
    META = "meta"  # other meta tags and link rel=canonical
    MICRODATA = "microdata"  # itemprop attributes
    MARKUP = "markup"  # the page's own marks: byline and comment classes, figures, printed counters
    URL = "url"  # the URL (a date in its path, a locale in its prefix)
    GENERIC = "generic"  # trafilatura's and htmldate's rules (parsers/generic.py)
    DETECTED = "detected"  # guessed from the text (the language)
    RENDERED = "rendered"  # the page as a headless browser rendered it, scripts run (newsarchive/rendering.py)


@dataclass
class Byline:
    """One author as printed in the byline and as parsed from it."""

    name: str
    name_raw: str
    position: int
    role: str | None = None  # e.g. "AFP", "Reuters", "correspondent": kept apart from the name


@dataclass
class Photo:
    url: str
    position: int
    caption: str | None = None  # the caption without its credit
    caption_raw: str | None = None  # the caption as printed
    credit: str | None = None  # e.g. "Kurdish Peshmerga Ministry"
    credit_raw: str | None = None  # e.g. "[Photo courtesy of the Kurdish Peshmerga Ministry]"
    alt: str | None = None
    width: int | None = None
    height: int | None = None
    is_lead: bool = False
    # The downloaded file, when photo downloads are on (NEWSARCHIVE_PHOTOS_DIR): its path under
    # that directory, named after its SHA-256; its size in bytes and its media type.
    file_path: str | None = None
    file_size: int | None = None
    file_type: str | None = None
    file_sha256: str | None = None


@dataclass
class Comment:
    body_text: str
    position: int  # document order within the page, 0-based
    site_comment_id: str | None = None
    parent_id: str | None = None  # site_comment_id of the comment this one replies to
    depth: int = 0
    author_name: str | None = None
    posted_at: str | None = None
    posted_at_raw: str | None = None


@dataclass
class Link:
    """A link in the story's text: where it points and the words that carry it."""

    url: str  # absolute (resolved against the page's base URL); http and https only
    text: str  # the anchor text, whitespace collapsed; "" for a link on an image alone


@dataclass
class BodyBlock:
    """One block of the story in reading order; `Article.body_text` is their texts joined by blank lines.

    kind: "paragraph", "heading", "quote" (a paragraph of a blockquote), "list_item" or "table" (one
    row of a data table: its cells joined by " | ", a table being its consecutive table blocks). The
    generic layer's texts are trafilatura's plain-text lines, as stored before blocks had kinds: a
    list item after "- ", a table row between pipes and a "|---|" rule under a header row."""

    kind: str
    text: str
    links: list[Link] = field(default_factory=list)


@dataclass
class Article:
    url: str
    site: str | None = None
    site_code: str | None = None
    canonical_url: str | None = None
    locale: str | None = None
    language: str | None = None
    direction: str | None = None  # "ltr" or "rtl"
    section_path: list[str] = field(default_factory=list)
    section: str | None = None  # the last, most specific, breadcrumb entry
    title: str | None = None
    published_at: str | None = None  # ISO 8601: a date, or a UTC time ending in Z
    published_at_raw: str | None = None
    # The calendar day the story came out where it came out (YYYY-MM-DD): an evening story in
    # Chicago is the next day's in UTC (see dates.publication_day).
    published_day: str | None = None
    modified_at: str | None = None
    modified_at_raw: str | None = None
    byline_raw: str | None = None
    authors: list[Byline] = field(default_factory=list)
    photos: list[Photo] = field(default_factory=list)
    body_blocks: list[BodyBlock] = field(default_factory=list)
    body_text: str | None = None
    comment_count: int | None = None  # as shown on the page
    comment_count_raw: str | None = None
    comments: list[Comment] = field(default_factory=list)
    # True when the page's whole comment section was read, so a stored comment missing from it
    # has been removed from the site (never set from a partial or unrecognised section).
    comments_complete: bool = False
    # complete (the comments were read), unreached (the page says it has comments, by a counter or
    # a comment service's script, and they were not in the page read) or none (no sign of any).
    comments_status: str = "none"
    # The other pages of the story's comments (newsarchive/parsers/comment_pages.py): the crawl reads
    # them and adds their comments (newsarchive/comment_pages.py).
    comment_pages: list[str] = field(default_factory=list)
    # The story in other languages, as the page names them (<link rel="alternate" hreflang="en-GB"
    # href>): hreflang -> URL. Researchers compare a story's locale versions by them.
    alternates: dict[str, str] = field(default_factory=dict)
    sources: dict[str, str] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)
    kind: str = "article"

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class ListingLink:
    url: str
    position: int
    title: str | None = None
    section: str | None = None
    published_at_raw: str | None = None
    # Change signals some listings show: the refresh policy re-fetches a known article on them.
    modified_at_raw: str | None = None
    comment_count_raw: str | None = None


@dataclass
class Listing:
    """A section page, a monthly archive page or the archive index."""

    url: str
    site: str | None = None
    locale: str | None = None
    page: int = 1
    last_page: int | None = None
    next_page_url: str | None = None
    links: list[ListingLink] = field(default_factory=list)  # article links
    section_links: list[ListingLink] = field(default_factory=list)  # archive index sections
    feeds: list[str] = field(default_factory=list)  # RSS/Atom feeds the page announces
    # Content links to other origins, which no crawl of this one follows: the three commonest
    # origins and how many links each (an any-site listing's; a crawl that found no article says
    # where its links led: www. of the site given, say).
    elsewhere: dict[str, int] = field(default_factory=dict)
    kind: str = "listing"

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class PageFailure:
    """A page that could not be turned into a record: stored as a failure, never dropped."""

    url: str
    reason: str  # short machine-readable reason, e.g. "http_404", "not_html", "no_title"
    detail: str | None = None
    status: int | None = None
    kind: str = "failure"

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class ArticleNotModified:
    """A known article the server answered 304 Not Modified: it is still there, unchanged."""

    url: str
    status: int = 304
    kind: str = "not_modified"

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


# The article fields a page's rendering in a browser gives (newsarchive/rendering.py): its comments,
# and these when the page as sent lacked them. A profile's rendered_fields names some of them.
FILLABLE_FIELDS = ("title", "published_at", "published_at_raw", "published_day", "modified_at", "modified_at_raw",
                   "byline_raw", "authors", "body_blocks", "body_text", "comment_count", "comment_count_raw")


# Response headers that describe the bytes on the wire, not the body Scrapy decoded from them (a
# Capture's body): whoever hands that body on (the WARC export, the browser) leaves them out.
WIRE_HEADERS = frozenset({"content-encoding", "transfer-encoding", "content-length"})


# zlib's level for stored bodies: its default, the usual balance of size and time for HTML.
BODY_ZLIB_LEVEL = 6


@dataclass(frozen=True)
class StoredBody:
    """A body as the archive stores it: its size, its SHA-256 digest (which tells a revisit) and its
    zlib stream. Made by the parser worker that already holds the page (`StoredBody.of`), so that
    hashing and compressing, about 3 ms a page of 160 KB, are not done on the reactor's thread."""

    size: int
    digest: str
    compressed: bytes

    @classmethod
    def of(cls, body: bytes) -> StoredBody:
        """
        >>> stored = StoredBody.of(b"<p>hello</p>")
        >>> stored.size, stored.digest[:15], zlib.decompress(stored.compressed)
        (12, 'sha256:a5652be1', b'<p>hello</p>')
        """
        return cls(len(body), "sha256:" + hashlib.sha256(body).hexdigest(), zlib.compress(body, BODY_ZLIB_LEVEL))


@dataclass
class Capture:
    """One HTTP response as fetched: what an archive keeps of every page, listings too. `stored`
    is its body as stored when a worker has made it already (else the store makes it)."""

    url: str
    fetched_at: str
    status: int
    request_headers: dict[str, list[str]]
    response_headers: dict[str, list[str]]
    body: bytes
    kind: str = "capture"
    stored: StoredBody | None = None
    location: str | None = None  # a redirect the crawl followed: where it led (kept as a capture of kind redirect)
    # Why the body is not all the server meant to send, as WARC-Truncated says it: "disconnect" (the
    # connection closed before its Content-Length, or its compressed stream stops early); None: whole.
    truncated: str | None = None


@dataclass
class ListingPage:
    """A listing page read: a section or archive page, a sitemap, a feed or robots.txt."""

    url: str
    kind: str = "listing"  # listing, sitemap, feed or robots
    page: int | None = None
    links: int = 0  # article, section and next-page links the page offered
    requested: int = 0  # of those, requested because of this page (filled in by the page-result middleware)


@dataclass
class ArticleDuplicate:
    """An article page this crawl already stored under another URL: the URL is linked to it."""

    url: str
    canonical_url: str
    kind: str = "duplicate"
    # The page this crawl stored, met again at its own URL: its (title, text digest). Reached by way
    # of another URL (a redirect), it counts with the articles stored (StorePipeline.note_one_text).
    same_page: tuple[str, str] | None = field(default=None, compare=False)


@dataclass
class FrontierEntry:
    """A URL a page sent the crawl to: what it is expected to be and what its request needs."""

    url: str  # canonicalised: the frontier's key
    kind: str  # listing, article, sitemap, feed or robots
    priority: int = 0
    meta: dict = field(default_factory=dict)  # JSON-safe: page number, stale pages, conditional headers


# What a page ended as, strongest first: a page giving a failure and something else is a failure.
OUTCOMES = ("failure", "article", "unchanged", "listing")



# How the warning of an article whose page arrived cut short begins (middlewares/pageresult.py
# writes it; archive/store.py reads it: such a page replaces no stored version).
CUT_SHORT_WARNING = "data_loss:"

@dataclass
class PageResult:
    """Everything one response (or fetch error) gave, stored in one transaction.

    The spider's callback yields records and requests; the page-result middleware gathers them
    into this one item, so that the records, the capture, the URLs discovered and the settling of
    the page's own frontier entry are written together: a crawl killed at any instant has either
    all of them or none.
    """

    url: str  # the frontier key of the request (before redirects)
    records: list = field(default_factory=list)  # Article, ArticleNotModified, ArticleDuplicate, ListingPage, PageFailure
    capture: Capture | None = None
    discovered: list[FrontierEntry] = field(default_factory=list)
    request_fingerprint: str | None = None  # distributed crawls acknowledge the request once stored
    kind: str | None = None  # what the page was requested as (its FrontierEntry's kind), None when not known
    cut_short: bool = False  # the body arrived short of its Content-Length: asked for again next crawl
    redirects: list[Capture] = field(default_factory=list)  # the redirects followed to the page, in order
    # (kind, capture) of each response the page's record was read from besides the page (keep_with_page)
    read_with: list[tuple[str, Capture]] = field(default_factory=list)

    @property
    def outcome(self) -> str:
        found = {_outcome_of(record) for record in self.records}
        return next((outcome for outcome in OUTCOMES if outcome in found), "failure")

    def articles(self) -> list[Article]:
        return [record for record in self.records if isinstance(record, Article)]

    @property
    def failure_reason(self) -> str | None:
        """The reason of the page's failure record, None when it has none."""
        return next((record.reason for record in self.records if isinstance(record, PageFailure)), None)


def _outcome_of(record) -> str:
    if isinstance(record, Article):
        return "article"
    if isinstance(record, (ArticleNotModified, ArticleDuplicate)):
        return "unchanged"
    if isinstance(record, ListingPage):
        return "listing"
    return "failure"
