"""Finding articles on a site with no profile: article or listing, links, pagination, feeds, sitemaps.

A page is told apart as an article or a listing by what it says of itself (og:type article, a
JSON-LD Article type), else by its shape: one long run of text against many links to other
pages of the site. A listing offers every same-site link of its content (not navigation, asides,
the page's header and footer, not files such as images or PDFs): the crawl fetches them and lets each
page say what it is, so an article is found whatever its URL looks like. The shape of a URL (a
date, a long slug, a numeric id) only says which to fetch first. A listing's next page is
rel=next, a "next"/"older" link, the link to the page number one above the current one, or to
this page's URL with one of its numbers raised (an offset, a page number in another form). RSS/Atom
feeds and XML sitemaps (gzipped or not, indexes, news sitemaps; read by the crawl itself with
Scrapy's sitemap parser, in parsers/sitemaps.py) give article URLs with their dates, which
`--since` filters on: the publication date (news sitemap, RSS pubDate, Atom published) apart from
the date of the last change (sitemap lastmod, Atom updated, JSON Feed date_modified), which the
refresh policy reads as a sign that a known article changed.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from urllib.parse import urljoin, urlsplit

from lxml import etree

from newsarchive.items import Listing, ListingLink
from newsarchive.parsers.comment_pages import MAY_BE_A_COMMENT_PAGE as _MAY_BE_A_COMMENT_PAGE
from newsarchive.parsers.comment_pages import story_of
from newsarchive.parsers.dates import date_part, normalise_date
from newsarchive.parsers.document import Document
from newsarchive.parsers.metadata import STORY_TYPES
from newsarchive.parsers.text import element_text, normalise_text, read_json
from newsarchive.parsers.urls import canonicalise_url
from newsarchive.scope import origin_of, origin_text, site_host

_DATE_PATH = re.compile(r"/(19|20)\d{2}[/-]\d{1,2}([/-]\d{1,2})?/")
_ID_PATH = re.compile(r"[/-]\d{4,}(?:\.html?)?/?$")
_SLUG = re.compile(r"/[^/]*[a-z\u0400-\u04ff\u0600-\u06ff]+(?:-[^/-]+){3,}(?:\.html?)?/?$", re.I)
_NOT_ARTICLE = re.compile(r"/(tag|tags|category|categories|author|page|search|feed|wp-login|login|about|contact|"
                          r"privacy|impressum|datenschutz|kontakt)(/|$)", re.I)
# The label of a link to a listing's next page, in the languages of the news sites met so far: "next",
# "older posts" and "more" in English; weiter, nächste, ältere; suivant(e); siguiente, página
# siguiente; successiva, avanti; volgende; próxima, seguinte; następna; sonraki; další; nästa, neste,
# næste; seuraava; далее, следующая, старые; التالي; 下一页; 次へ; 다음.
_NEXT_TEXT = re.compile(
    r"^(next|older|more|weiter|nächste|ältere|suivante?s?|siguiente|página siguiente|successiv[ao]|avanti|"
    r"volgende|próxima|seguinte|następna|sonraki|další|nästa|neste|næste|seuraava|далее|следующая|старые|"
    r"التالي|下一页|次へ|다음)\b|^(›|»|→)$", re.I)
# A page number a listing's URL carries (/page/3/, ?page=3, ?paged=3 ...).
_PAGE_IN_URL = re.compile(r"(?:/page/|[?&](?:page|paged|pg|p|seite|pagina|pagenum)=)(\d{1,5})(?!\d)", re.I)
# Where a page keeps its navigation: never a listing's content.
_NAV_ANCESTORS = ("aside", "nav")
# The page's own header and footer (the masthead, the site's footer links), but not those of an
# element of content: a blog theme sets each post's title link in the post's <header> ("<article>
# <header><h2><a href=...>", WordPress's default themes among them), and none of its posts was found.
_PAGE_PARTS = ("footer", "header")
_CONTENT_ELEMENTS = ("article", "main", "section")
_STORY_TYPES = frozenset(name.casefold() for name in STORY_TYPES)
# A JSON-LD type, without its schema.org prefix ("https://schema.org/NewsArticle", "schema:NewsArticle").
# A list of types is read by its first.
_JSONLD_TYPE = re.compile(r'"@type"\s*:\s*\[?\s*"(?:[^"]*[/:])?([^"/:]+)"')


@dataclass
class DiscoveredLink:
    url: str
    published_at: str | None = None  # ISO date or time of publication, when a feed or sitemap gives one
    # ISO date or time of the last change (sitemap lastmod, Atom updated, JSON Feed date_modified):
    # a change signal, kept apart from publication, which says nothing of later edits.
    modified_at: str | None = None

    @property
    def dated(self) -> str | None:
        """The date --since and --until filter on: publication, else the last change."""
        return self.published_at or self.modified_at


def looks_like_article_url(url: str) -> bool:
    """Whether a URL has an article's shape: used to order the queue, never to drop a link."""
    path = urlsplit(url).path
    if _NOT_ARTICLE.search(path) or path.count("/") < 1 or path in ("", "/"):
        return False
    return bool(_DATE_PATH.search(path) or _ID_PATH.search(path) or _SLUG.search(path))


def is_file_url(url: str) -> bool:
    """An image, document, archive, media file ...: no page to archive (Scrapy's IGNORED_EXTENSIONS)."""
    path = urlsplit(url).path.lower()
    dot = path.rfind(".")
    return dot > path.rfind("/") and path[dot:] in file_extensions()


# Scrapy's IGNORED_EXTENSIONS, with their dots. A parser worker is given them by its crawl
# (`use_file_extensions`, newsarchive/workers.py): importing Scrapy for this one list would make
# each worker carry Scrapy and Twisted, about 45 MB. Elsewhere they are read from Scrapy on first use.
_file_extensions: frozenset[str] | None = None


def file_extensions() -> frozenset[str]:
    if _file_extensions is None:
        from scrapy.linkextractors import IGNORED_EXTENSIONS

        use_file_extensions(frozenset(f".{extension}" for extension in IGNORED_EXTENSIONS))
    assert _file_extensions is not None
    return _file_extensions


def use_file_extensions(extensions: frozenset[str]) -> None:
    global _file_extensions
    _file_extensions = extensions


def page_kind(doc: Document, links: list[str] | None = None, asked_as: str | None = None) -> str:
    """"article" or "listing", from what the page says of itself, else from its shape.

    asked_as "article": the crawl was sent to the page as a story (a sitemap's or a feed's entry): a
    story unless it is shaped as a listing (a category page a sitemap lists: mostly links, no
    story declared, no story's run of prose). asked_as "listing": the crawl was sent to the page
    as a listing (a start URL, a listing's next page), and its shape alone decides. Themes print
    og:type article, an article:published_time or a NewsArticle in JSON-LD on every page, sections
    included: read by that, a section was one article, and none of its stories was fetched. A
    story sent as a start URL still has its prose.
    """
    root = doc.root
    og_type = root.xpath("string(//meta[@property='og:type']/@content)").strip().lower()
    if asked_as != "listing" and declares_a_story(root, og_type):
        return "article"
    story, prose = _prose(root)
    # One run of prose (the paragraphs of one element) as long as a short story: an article,
    # however many links its theme adds (related stories, tags, comments).
    if story >= STORY_CHARACTERS:
        return "article"
    link_count = len(content_links(doc) if links is None else links)
    # Text density: an article is mostly prose; a listing is mostly links to articles.
    if link_count >= 5 and prose < 300 * link_count:
        return "listing"
    if asked_as == "article":  # a sitemap's or feed's entry: a story, unless its shape said otherwise above
        return "article"
    if prose >= 500:  # prose, whatever og:type a theme prints on every page
        return "article"
    body = root.find("body")
    if link_count < 3 and body is not None and len(body.text_content()) >= 1000:  # lists nothing, says a lot
        return "article"
    if og_type in ("website", "blog"):
        return "listing"
    return "article" if looks_like_article_url(doc.url) else "listing"


def says_it_is_a_story(doc: Document) -> bool:
    """declares_a_story, for a whole page."""
    return declares_a_story(doc.root, doc.root.xpath("string(//meta[@property='og:type']/@content)").strip().lower())


def declares_a_story(root, og_type: str) -> bool:
    """Whether the page says it is a story: og:type article, an article:published_time, a
    schema.org story type in its JSON-LD."""
    if og_type == "article" or root.xpath("boolean(//meta[@property='article:published_time'])"):
        return True
    for script in root.xpath("//script[@type='application/ld+json']/text()"):
        if {name.casefold() for name in _JSONLD_TYPE.findall(script)} & _STORY_TYPES:
            return True
    return False


STORY_CHARACTERS = 700
_PROSE_LINE = 60  # characters: shorter lines are labels, captions and menus
_LINE_BLOCKS = ("div", "td", "article", "section", "main", "blockquote", "dd")
# A link of this many characters opening a paragraph is a headline: the paragraph is a teaser.
_HEADLINE_LINK = 20


def _prose(root) -> tuple[int, int]:
    """(the longest run of prose in one element, all prose): paragraphs of 60 or more characters,
    and lines of as many set straight in a block between line breaks, as old blog themes and
    forums write their posts ("<div class=post-body>Line one.<br><br>Line two.</div>").

    Paragraphs most of which (three or more) open with a headline link are a listing's teasers, set
    as sibling paragraphs ("<p><a>Bridge closed as the river rises</a> Two lines about it.</p>"),
    not a story: counted as one run, ten of them made a section page an article, and none of its
    stories was fetched. A story's own links sit inside its sentences."""
    runs: dict = {}  # element -> [characters, lines, lines opening with a headline link]
    for paragraph in root.iter("p"):
        text = element_text(paragraph) or ""
        if len(text) >= _PROSE_LINE:
            _add_line(runs, paragraph.getparent(), len(text), _opens_with_headline(paragraph, text))
    for block in root.iter(_LINE_BLOCKS):
        lines = (normalise_text(block.text), *(normalise_text(child.tail) for child in block))
        for line in lines:
            if line and len(line) >= _PROSE_LINE:
                _add_line(runs, block, len(line), False)
    lengths = [characters for characters, lines, headlines in runs.values() if not (lines >= 3 and 2 * headlines > lines)]
    return max(lengths, default=0), sum(lengths)


def _add_line(runs: dict, element, characters: int, headline: bool) -> None:
    run = runs.setdefault(element, [0, 0, 0])
    run[0], run[1], run[2] = run[0] + characters, run[1] + 1, run[2] + headline


def _opens_with_headline(paragraph, text: str) -> bool:
    """Whether a paragraph's text opens with its first link's, a headline's length."""
    link = next((anchor for anchor in paragraph.iter("a") if anchor.get("href")), None)
    headline = (element_text(link) if link is not None else None) or ""
    return len(headline) >= _HEADLINE_LINK and text.startswith(headline)


def listing_from_page(doc: Document, links: list[str] | None = None, elsewhere: Counter | None = None) -> Listing:
    """A listing page of a site with no profile: every content link, its next page, its feeds, and
    the other origins its content links to (`elsewhere`, counted by content_links)."""
    if links is None:
        elsewhere = Counter()
        links = content_links(doc, elsewhere)
    next_url = next_page(doc)
    next_key = canonicalise_url(next_url) if next_url else None
    return Listing(
        url=doc.url,
        links=[ListingLink(url=url, position=position)
               for position, url in enumerate(link for link in links if link != next_key)],
        next_page_url=next_url,
        feeds=feed_links(doc),
        elsewhere=dict((elsewhere or Counter()).most_common(3)),
    )


def content_links(doc: Document, elsewhere: Counter | None = None) -> list[str]:
    """Same-site links of the page's content (its host or that host's `www.` name: scope.site_host),
    canonical, once each, in document order: not those of navigation, asides, the page's header and
    footer (a post's own are content), nor links to files (images, PDFs, archives ...). A link to a
    page of a story's comments is its story's: they are read with it (newsarchive/comment_pages.py).
    elsewhere: a Counter given to count the content links to each other origin in (origin_text:
    "https://m.example.org")."""
    own = urlsplit(doc.url)
    own_site = (site_host(own.hostname or ""), own.port)
    own_key = canonicalise_url(doc.url)
    seen_hrefs, seen, links = set(), set(), []
    # The XPath engine skips navigation in C: a page holds hundreds of anchors, most repeated.
    for href in _CONTENT_HREFS(doc.root):
        if href in seen_hrefs or href.startswith(_NOT_PAGES):
            continue
        seen_hrefs.add(href)
        url = canonicalise_url(doc.absolute(href) or "")
        if url and _MAY_BE_A_COMMENT_PAGE.search(url):
            url = story_of(url) or url
        if not url or url == own_key or url in seen:
            continue
        if is_file_url(url):
            continue
        parts = urlsplit(url)
        if (site_host(parts.hostname or ""), parts.port) != own_site:
            if elsewhere is not None and (origin := origin_of(url)) is not None:
                elsewhere[origin_text(origin)] += 1
            continue
        seen.add(url)
        links.append(url)
    return links


_OUTSIDE_CONTENT = " or ".join([*(f"ancestor::{name}" for name in _NAV_ANCESTORS),
                                 *(f"ancestor::{part}[not({' or '.join(f'ancestor::{element}' for element in _CONTENT_ELEMENTS)})]"
                                   for part in _PAGE_PARTS)])
_CONTENT_HREFS = etree.XPath(f"//a[not({_OUTSIDE_CONTENT})]/@href",
                             smart_strings=False)  # plain strings: no reference back to each element
_NOT_PAGES = ("javascript:", "mailto:", "tel:", "data:")  # no page whatever the base URL


def next_page(doc: Document) -> str | None:
    """A listing's next page: named by rel="next" (a token of it, any case), by its link's label
    (_NEXT_TEXT) or class, else the link whose URL carries the page number after this page's and
    is labelled with it (a pager "1 2 3" in any language) or is this listing's URL but for that
    number (a "load more" link, in any language); else the link to this page's URL with one of its
    numbers raised (_one_number_on)."""
    for href in doc.root.xpath(_REL_NEXT):
        return doc.absolute(href)
    for anchor in doc.root.iter("a"):
        label = (element_text(anchor) or anchor.get("aria-label") or "").strip()
        classes = anchor.get("class") or ""
        if anchor.get("href") and (_NEXT_TEXT.search(label) or re.search(r"\bnext\b", classes)):
            return doc.absolute(anchor.get("href"))
    return _numbered_next(doc) or _one_number_on(doc)


_REL_NEXT = ("//link[contains(concat(' ', translate(normalize-space(@rel), 'NEXT', 'next'), ' '), ' next ')]/@href"
             " | //a[contains(concat(' ', translate(normalize-space(@rel), 'NEXT', 'next'), ' '), ' next ')]/@href")


def _numbered_next(doc: Document) -> str | None:
    """The link to the page after this one, its URL carrying that number as its page (`?page=3`
    after `?page=2`, `/page/2/` after the first page): labelled with the number, or, whatever its
    label ("Load more", "« Older Entries", "Voir plus", "المزيد"), at this listing's own URL but
    for the page number. From a first page, which carries no number, that is 2, or 1 on a site
    that counts its pages from 0 (Drupal's `?page=1` is the second page; on a site counting from 1
    it is this page again, read once more). A "Load more" button its script drives names the page in
    a data- attribute (`<button data-url="/news/?page=2">`), read as such a link."""
    shown = _PAGE_IN_URL.search(doc.url)
    this_listing = _without_page_number(doc.url)
    after_a_first_page = None
    for element, written in _numbered_targets(doc):
        url = doc.absolute(written)
        numbered = _PAGE_IN_URL.search(url or "")
        if not url or not numbered:
            continue
        number, at_this_listing = int(numbered.group(1)), _at_this_listing(url, numbered, this_listing)
        if number == (int(shown.group(1)) + 1 if shown else 2):
            labelled = element.tag == "a" and (element_text(element) or "").strip() == str(number)
            if labelled or at_this_listing:
                return url
        elif number == 1 and not shown and after_a_first_page is None and at_this_listing:
            after_a_first_page = url
    return after_a_first_page


def _numbered_targets(doc: Document, scripts: bool = True, carries=None):
    """(element, URL as written) of each link whose URL carries a page number (_PAGE_IN_URL, or the
    pattern `carries`), then of each data- attribute that does, then (`scripts`) of each quoted URL
    of an inline script. The raw values are searched: most links carry no page."""
    carries = carries or _PAGE_IN_URL
    for anchor in doc.root.iter("a"):
        href = anchor.get("href")
        if href and carries.search(href):
            yield anchor, href
    for value in _DATA_ATTRIBUTES(doc.root):
        if carries.search(value):
            yield value.getparent(), str(value)
    if not scripts:
        return
    for script in _INLINE_SCRIPTS(doc.root):  # an infinite scroll's state: var next = "/news/?page=2"
        text = (script.text or "").replace("\\/", "/")  # JSON may escape its slashes
        if _PAGE_IN_URL.search(text):
            for quoted in _QUOTED_PAGE_URL.finditer(text):
                yield script, quoted.group(1)


_DATA_ATTRIBUTES = etree.XPath("//@*[starts-with(name(), 'data-')]")
_INLINE_SCRIPTS = etree.XPath("//script[not(@src)]")
_QUOTED_PAGE_URL = re.compile(r"""["']((?:https?:|/)[^"'\s<>]{0,300}?(?:/page/|[?&]\w+=)\d{1,5}[^"'\s<>]{0,100})["']""")


def _one_number_on(doc: Document) -> str | None:
    """The link (or data- attribute) to this page's own URL with one of its numbers higher, the
    least higher when several are: a page number or an offset in a form no name above reads
    (`/news/page-3`, `index_3.html`, `?start=40` after `?start=20`). A first page has no number to
    raise: its second is reached as a link of its content, and the pages after it from there."""
    own = _NUMBER_RUN.split(doc.url)
    if len(own) < 2:
        return None
    best, step = None, 0
    for _element, written in _numbered_targets(doc, scripts=False, carries=_NUMBER_RUN):
        url = doc.absolute(written) or ""
        parts = _NUMBER_RUN.split(url)
        if len(parts) != len(own) or parts[0::2] != own[0::2]:
            continue
        changed = [(index, int(mine), int(theirs)) for index, (mine, theirs) in enumerate(zip(own[1::2], parts[1::2], strict=True))
                   if mine != theirs]
        if len(changed) != 1 or _names_a_page(url, parts, changed[0][0]):
            continue  # a page number by its name (?page=, /page/) is _numbered_next's: the next one, not any higher
        increase = changed[0][2] - changed[0][1]
        if increase > 0 and (best is None or increase < step):
            best, step = url, increase
    return best


def _names_a_page(url: str, parts: list[str], number_index: int) -> bool:
    """Whether the number_index-th number of the URL (split into parts by _NUMBER_RUN) is a page
    number _PAGE_IN_URL reads by its name."""
    start = sum(len(part) for part in parts[:2 * number_index + 1])
    return any(found.start(1) == start for found in _PAGE_IN_URL.finditer(url))


_NUMBER_RUN = re.compile(r"(\d+)")


def _at_this_listing(url: str, numbered: re.Match, this_listing: str) -> bool:
    """Whether a numbered URL is this listing's, but for its page number. Not told by `?p=`, which
    is WordPress's post id as often as a page (`/?p=2` on a blog's home page is a post)."""
    return not numbered.group(0)[1:].lower().startswith("p=") and _without_page_number(url) == this_listing


def _without_page_number(url: str) -> str:
    """A listing's URL without its page number (the first _PAGE_IN_URL match) or the slash that ends
    its path: `/news/?page=2` and `/news/page/2/` are `/news`, as `/news/` is."""
    numbered = _PAGE_IN_URL.search(url)
    if numbered:
        joiner = numbered.group(0)[0]
        url = url[:numbered.start()] + (joiner if joiner in "?&" else "") + url[numbered.end():]
    parts = urlsplit(url.replace("?&", "?").rstrip("?&"))
    return f"{parts.netloc}{parts.path.rstrip('/')}?{parts.query}"


_FEED_TYPES = frozenset({"application/rss+xml", "application/atom+xml", "application/feed+json", "application/json"})


def feed_links(doc: Document) -> list[str]:
    """The feeds a page announces: RSS, Atom and JSON Feed (`link rel=alternate` with their types;
    a blank href announces none)."""
    return [url for link in doc.root.xpath("//link[@rel='alternate'][@href]")
            if (link.get("type") or "").lower().split(";")[0].strip() in _FEED_TYPES
            and (url := doc.absolute(link.get("href")))]


# feeds and sitemaps ------------------------------------------------------------------------------

def _xml(body: bytes):
    parser = etree.XMLParser(recover=True, resolve_entities=False, no_network=True, huge_tree=False)
    return etree.fromstring(body.lstrip(), parser)


def _local(tag) -> str:
    return etree.QName(tag).localname.lower() if isinstance(tag, str) else ""


_UTF8_BOM = b"\xef\xbb\xbf"


def is_json_text(body: bytes) -> bool:
    """Whether a body opens as a JSON object, past a UTF-8 byte order mark and spaces (a JSON
    Feed saved by a Windows editor opens with a mark, and was read as broken XML: no story)."""
    return body.removeprefix(_UTF8_BOM).lstrip()[:1] == b"{"


def parse_feed(body: bytes) -> list[DiscoveredLink]:
    """RSS 2.0 items, Atom entries and JSON Feed items: their links and dates. An RSS item's link is
    its <link>, else its <guid>, which RSS 2.0 makes the item's permanent address unless
    isPermaLink says false (items with a guid alone were lost); a feed served through FeedBurner
    links its proxy, and names the story's own address in <feedburner:origLink>, read first."""
    if is_json_text(body):
        return _parse_json_feed(body)
    root = _xml(body)
    if root is None:
        return []
    links = []
    for item in root.iter():
        if _local(item.tag) not in ("item", "entry"):
            continue
        url = published = modified = original = permalink = None
        for child in item:
            name = _local(child.tag)
            if name == "link":
                url = url or _feed_link(child)
            elif name == "origlink":
                original = (child.text or "").strip()
            elif name == "guid" and (child.get("isPermaLink") or "true").strip().lower() != "false":
                permalink = (child.text or "").strip()
            elif name in ("pubdate", "published", "date") and not published:
                published = normalise_date((child.text or "").strip())
            elif name == "updated" and not modified:  # Atom's last change; RSS has none
                modified = normalise_date((child.text or "").strip())
        url = original or url or (permalink if permalink and permalink.lower().startswith(("http:", "https:", "/")) else None)
        if url:
            links.append(DiscoveredLink(url.strip(), published, modified))
    return links


def _feed_link(link) -> str | None:
    """An RSS <link>'s text or an Atom <link>'s href (its page's: no rel, or alternate), against the
    xml:base around it where the feed sets one (Atom allows it, and relative hrefs under it)."""
    written = (link.get("href") if link.get("rel") in (None, "alternate") else None) or (link.text or "").strip()
    if not written:
        return None
    base = link.base  # lxml reads xml:base, the element's own and its ancestors'
    return urljoin(base, written.strip()) if base else written


def _parse_json_feed(body: bytes) -> list[DiscoveredLink]:
    """JSON Feed 1.0/1.1 (jsonfeed.org): `items[].url` (or `external_url`), `date_published` and
    `date_modified`."""
    try:
        feed = read_json(body)
    except (ValueError, RecursionError):
        return []
    items = feed.get("items") if isinstance(feed, dict) else None
    links = []
    for item in items if isinstance(items, list) else []:
        if not isinstance(item, dict):
            continue
        url = item.get("url") or item.get("external_url")
        if isinstance(url, str) and url.strip():
            links.append(DiscoveredLink(url.strip(), _json_date(item.get("date_published")),
                                        _json_date(item.get("date_modified"))))
    return links


def _json_date(value) -> str | None:
    return normalise_date(value) if isinstance(value, str) else None


def before(day: str | None, since: str | None) -> bool:
    day_part = date_part(day)
    return bool(day_part and since and day_part < since)
