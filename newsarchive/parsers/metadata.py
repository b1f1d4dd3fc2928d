"""The structured-metadata layer: JSON-LD, OpenGraph, meta tags and microdata.

`extract_metadata(doc)` reads all of them once and returns, per field, the first value found in
order of trust (JSON-LD, then OpenGraph, then plain meta tags, then microdata) with the name of
the layer it came from. Fields: title, published_at, modified_at, authors, body, image, language,
section, canonical_url, page_type, publisher (to tell a byline from the site's own name).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from w3lib.html import remove_tags, replace_entities

from newsarchive.items import Layer
from newsarchive.parsers.bylines import name_key
from newsarchive.parsers.comments import is_comment_item
from newsarchive.parsers.text import element_text, normalise_text, read_json

# schema.org's Article and every type below it (https://schema.org/Article, "More specific Types"):
# a story, a report, a post or a forum thread all carry a headline, a byline and dates.
STORY_TYPES = frozenset(
    {
        "Article", "AdvertiserContentArticle", "NewsArticle", "AnalysisNewsArticle", "AskPublicNewsArticle",
        "BackgroundNewsArticle", "OpinionNewsArticle", "ReportageNewsArticle", "ReviewNewsArticle", "Report",
        "SatiricalArticle", "ScholarlyArticle", "MedicalScholarlyArticle", "SocialMediaPosting", "BlogPosting",
        "LiveBlogPosting", "DiscussionForumPosting", "TechArticle", "APIReference", "Posting",
    }
)
# A plain WebPage also names a headline and dates, trusted only for what no story node gives.
ARTICLE_TYPES = STORY_TYPES | {"WebPage"}
# How JSON-LD may spell a type: "NewsArticle", "schema:NewsArticle", "https://schema.org/NewsArticle".
_SCHEMA_PREFIX = re.compile(r"^(?:https?://(?:www\.)?schema\.org/|schema:)", re.I)

# (field, layer, how to find it): meta tags by property or name, lower-cased.
_META_FIELDS = [
    ("title", Layer.OPENGRAPH, "og:title"),
    ("title", Layer.META, "twitter:title"),
    ("title", Layer.META, "dc.title"),
    ("published_at", Layer.OPENGRAPH, "article:published_time"),
    ("published_at", Layer.META, "date"),
    ("published_at", Layer.META, "pubdate"),
    ("published_at", Layer.META, "publishdate"),
    ("published_at", Layer.META, "dc.date"),
    ("published_at", Layer.META, "dc.date.issued"),
    ("published_at", Layer.META, "sailthru.date"),
    ("published_at", Layer.META, "parsely-pub-date"),
    ("modified_at", Layer.OPENGRAPH, "article:modified_time"),
    ("modified_at", Layer.OPENGRAPH, "og:updated_time"),
    ("authors", Layer.OPENGRAPH, "article:author"),
    ("authors", Layer.META, "author"),
    ("authors", Layer.META, "dc.creator"),
    ("authors", Layer.META, "sailthru.author"),
    ("authors", Layer.META, "parsely-author"),
    ("image", Layer.OPENGRAPH, "og:image"),
    ("image", Layer.META, "twitter:image"),
    ("language", Layer.OPENGRAPH, "og:locale"),
    ("language", Layer.META, "language"),
    ("language", Layer.META, "dc.language"),
    ("section", Layer.OPENGRAPH, "article:section"),
    ("canonical_url", Layer.OPENGRAPH, "og:url"),
    ("page_type", Layer.OPENGRAPH, "og:type"),
    ("publisher", Layer.OPENGRAPH, "og:site_name"),
    ("publisher", Layer.META, "application-name"),
]
_LAYER_ORDER = {Layer.JSONLD: 0, Layer.OPENGRAPH: 1, Layer.META: 2, Layer.MICRODATA: 3}


@dataclass
class Metadata:
    values: dict[str, object] = field(default_factory=dict)
    sources: dict[str, Layer] = field(default_factory=dict)
    # Every value offered, by layer: a field's best value may turn out unusable (authors).
    candidates: dict[str, list[tuple[Layer, object]]] = field(default_factory=dict)

    def offer(self, name: str, value, layer: Layer) -> None:
        """Keep a value unless one from a more trusted layer is already there."""
        if value in (None, "", []):
            return
        self.candidates.setdefault(name, []).append((layer, value))
        current = self.sources.get(name)
        if current is None or _LAYER_ORDER[layer] < _LAYER_ORDER[current]:
            self.values[name] = value
            self.sources[name] = layer

    def get(self, name: str):
        return self.values.get(name)

    def source(self, name: str) -> Layer | None:
        return self.sources.get(name)


def extract_metadata(doc, url: str | None = None) -> Metadata:
    metadata = Metadata()
    _read_jsonld(doc, metadata)
    _read_meta_tags(doc, metadata)
    _read_microdata(doc, metadata)
    _choose_authors(metadata, url)
    return metadata


def _choose_authors(metadata: Metadata, url: str | None) -> None:
    """Authors from the most trusted layer that names people: a profile URL (`article:author` is
    often a Facebook page) or the publisher itself (an Organization author, the site's name) is
    no byline, and a less trusted layer may still have one."""
    publishers = site_name_keys(metadata, url)
    metadata.values.pop("authors", None)
    metadata.sources.pop("authors", None)
    for layer, names in sorted(metadata.candidates.get("authors", []), key=lambda c: _LAYER_ORDER[c[0]]):
        if not isinstance(names, list):  # never: every layer offers authors as a list of names
            continue
        people = [name for name in names
                  if not _URL.match(name) and not _NOT_A_PERSON.search(name) and name_key(name) not in publishers]
        if people:
            metadata.values["authors"], metadata.sources["authors"] = people, layer
            return


def site_name_keys(metadata: Metadata, url: str | None) -> set[str]:
    """The site's names as `name_key` keys them: its publisher's names (og:site_name, JSON-LD's
    publisher), their initials (see site_initials) and its host name: an author of that name in
    the metadata is the site itself, no person."""
    names = [name for layer, name in metadata.candidates.get("publisher", []) if isinstance(name, str)]
    host = (urlsplit(url).hostname or "").removeprefix("www.") if url else ""
    return ({name_key(name) for name in names} | site_initials(metadata) | {name_key(host), name_key(host.split(".")[0])}) - {""}


def site_initials(metadata: Metadata) -> frozenset[str]:
    """The initials of the publisher's names of two words or more, as `name_key` keys them ("jf" of
    "Junge Freiheit", "nzz"): a byline of them is the site's desk. (A byline of the site's full
    name may be its owner's: a personal blog is named after its author.)"""
    names = [name for layer, name in metadata.candidates.get("publisher", []) if isinstance(name, str)]
    return frozenset(_initials(name) for name in names if len(name.split()) >= 2)


_URL = re.compile(r"^(?:https?:|www\.|@\w)|^\S+\.\w{2,}/", re.I)
# A company, a web agency or a theme's maker in `<meta name="author">` (a site-wide value, not the
# story's byline): a legal form, an address, a domain name or a credit line.
_NOT_A_PERSON = re.compile(
    r"https?://|www\.|\S@\S|\[at\]|\b(?:GmbH|mbH|AG|e\.\s?V|Inc|Ltd|LLC|Corp|S\.\s?A|S\.\s?L|SE|KG|plc|designed|theme)\b"
    r"|\b[a-z0-9-]{2,}\.(?:com|org|net|info|de|at|ch|fr|es|it|nl|uk|eu|io|pl|ru)\b",
    re.I,
)


def _initials(name: str) -> str:
    """The first letters of a name's words, as name_key keys them: "Neue Zürcher Zeitung" -> "nzz"."""
    return name_key("".join(word[0] for word in re.findall(r"\w+", name)))


# JSON-LD ---------------------------------------------------------------------------------------

def _read_jsonld(doc, metadata: Metadata) -> None:
    for script in doc.xpath('//script[@type="application/ld+json"]'):
        for node in _jsonld_nodes(script.text or ""):
            if _jsonld_types(node) & ARTICLE_TYPES:
                _offer_jsonld_article(node, metadata)


def _jsonld_nodes(text: str) -> list[dict]:
    try:
        data = read_json(text, strict=False)  # raw line breaks inside strings are common
    except (ValueError, RecursionError):
        return []  # broken (or absurdly nested) JSON-LD is common; the other layers still count
    pending, nodes = [data], []
    while pending:
        item = pending.pop(0)
        if isinstance(item, list):
            pending.extend(item)
        elif isinstance(item, dict):
            nodes.append(item)
            if "@graph" in item:
                pending.append(item["@graph"])
    return nodes


def _jsonld_types(node: dict) -> set[str]:
    """A JSON-LD node's types, without a schema.org prefix.

    >>> sorted(_jsonld_types({"@type": ["schema:NewsArticle", "https://schema.org/WebPage"]}))
    ['NewsArticle', 'WebPage']
    """
    kind = node.get("@type", [])
    return {_SCHEMA_PREFIX.sub("", name) for name in (kind if isinstance(kind, list) else [kind]) if isinstance(name, str)}


def _offer_jsonld_article(node: dict, metadata: Metadata) -> None:
    # A plain WebPage only counts for the fields a real article node has not given.
    metadata.offer("title", _first_text(node.get("headline") or node.get("name")), Layer.JSONLD)
    metadata.offer("published_at", _first_text(node.get("datePublished")), Layer.JSONLD)
    metadata.offer("modified_at", _first_text(node.get("dateModified")), Layer.JSONLD)
    # schema.org's creator "is the same as the author property for CreativeWork"; some sites give only it.
    metadata.offer("authors", _jsonld_names(node.get("author") or node.get("creator")), Layer.JSONLD)
    metadata.offer("body", _plain(node.get("articleBody")), Layer.JSONLD)
    metadata.offer("image", _jsonld_url(node.get("image")), Layer.JSONLD)
    metadata.offer("language", _first_text(node.get("inLanguage")), Layer.JSONLD)
    metadata.offer("section", _first_text(node.get("articleSection")), Layer.JSONLD)
    metadata.offer("canonical_url", _first_text(node.get("url")), Layer.JSONLD)
    metadata.offer("publisher", _first_text(node.get("publisher")), Layer.JSONLD)
    metadata.offer("comment_count", _jsonld_comment_count(node), Layer.JSONLD)
    if _jsonld_types(node) - {"WebPage"}:
        metadata.offer("page_type", "article", Layer.JSONLD)
        # The article's own headline, apart from a WebPage's name ("Story | Site") met before it.
        metadata.offer("headline", _first_text(node.get("headline")), Layer.JSONLD)


def _jsonld_comment_count(node: dict) -> int | None:
    """The comments an article node counts, above zero: `commentCount`, else an
    `interactionStatistic` of a CommentAction. A count of 0 is no news: a CMS prints its own
    comments' count (Yoast's 0) beside the comment service that holds the page's.

    >>> _jsonld_comment_count({"commentCount": "12"}), _jsonld_comment_count({"commentCount": 0})
    (12, None)
    >>> _jsonld_comment_count({"interactionStatistic": [{"interactionType": "https://schema.org/LikeAction",
    ...     "userInteractionCount": 40}, {"interactionType": {"@type": "CommentAction"}, "userInteractionCount": 3}]})
    3
    """
    counts = [node.get("commentCount")]
    statistics = node.get("interactionStatistic")
    for statistic in statistics if isinstance(statistics, list) else [statistics]:
        if isinstance(statistic, dict):
            kind = statistic.get("interactionType")
            kind = kind.get("@type") if isinstance(kind, dict) else kind
            if isinstance(kind, str) and kind.rsplit("/", 1)[-1].removeprefix("schema:") == "CommentAction":
                counts.append(statistic.get("userInteractionCount"))
    for count in counts:
        number = count if isinstance(count, int) and not isinstance(count, bool) else (
            int(count) if isinstance(count, str) and count.strip().isdigit() else None)
        if number:
            return number
    return None


def _plain(value) -> str | None:
    """articleBody as text: some sites put escaped HTML in it (tags and entities)."""
    if not isinstance(value, str):
        return None
    if "<" in value or "&" in value:
        value = replace_entities(remove_tags(value.replace("</p>", "\n").replace("<br", "\n<br")))
    return value.strip() or None


def _first_text(value) -> str | None:
    """A JSON-LD value as text: its first item, a node's name, with HTML's character references
    read (a script's text is not, by the HTML parser, and CMSs escape what they write into it:
    "Body &amp; Fitness").

    >>> _first_text([{"name": "Body &amp; Fitness"}]), _first_text("AT&T"), _first_text(3)
    ('Body & Fitness', 'AT&T', None)
    """
    if isinstance(value, list):
        value = value[0] if value else None
    if isinstance(value, dict):
        value = value.get("name") or value.get("@value")
    return normalise_text(replace_entities(value)) if isinstance(value, str) else None


def _jsonld_names(value) -> list[str]:
    items = value if isinstance(value, list) else [value]
    names = []
    for item in items:
        name = item.get("name") if isinstance(item, dict) else item
        if isinstance(name, str) and (text := normalise_text(replace_entities(name))):
            names.append(text)
    return names


def _jsonld_url(value) -> str | None:
    if isinstance(value, list):
        value = value[0] if value else None
    if isinstance(value, dict):
        value = value.get("url") or value.get("contentUrl")
    return value.strip() if isinstance(value, str) and value.strip() else None


# meta tags -------------------------------------------------------------------------------------

def _read_meta_tags(doc, metadata: Metadata) -> None:
    tags: dict[str, list[str]] = {}
    for meta in doc.iter("meta"):
        key = (meta.get("property") or meta.get("name") or meta.get("itemprop") or "").lower()
        content = meta.get("content")
        if key and content and content.strip():
            tags.setdefault(key, []).append(content.strip())
    for name, layer, key in _META_FIELDS:
        values = tags.get(key)
        if not values:
            continue
        if name == "authors":
            metadata.offer(name, [normalise_text(v) for v in values if normalise_text(v)], layer)
        else:
            metadata.offer(name, normalise_text(values[0]) if name != "image" else values[0], layer)
    metadata.offer("authors", _labelled_twitter_authors(tags), Layer.META)


# Twitter's label-and-data pairs: SEO plugins (Yoast, on many WordPress sites) write the byline as
# twitter:label1 "Written by" / "Verfasst von" and twitter:data1 the name, in the site's language.
_WRITTEN_BY = re.compile(
    r"^(?:written by|posted by|author|authors|verfasst von|geschrieben von|autor|autorin|autoren|écrit par|auteur|"
    r"escrito por|scritto da|autore|geschreven door|skrevet af|skrevet av|skriven av|kirjoittanut|"
    r"napisane przez|автор)\s*:?$", re.I)


def _labelled_twitter_authors(tags: dict[str, list[str]]) -> list[str]:
    """The names a `twitter:labelN` "Written by" pairs with its `twitter:dataN`."""
    names: list[str] = []
    for key, labels in tags.items():
        if key.startswith("twitter:label") and _WRITTEN_BY.match(normalise_text(labels[0]) or ""):
            data = tags.get("twitter:data" + key.removeprefix("twitter:label"), [])
            names.extend(name for name in map(normalise_text, data[:1]) if name)
    return names


# microdata -------------------------------------------------------------------------------------

_MICRODATA_FIELDS = {"headline": "title", "datePublished": "published_at", "dateModified": "modified_at"}


def _read_microdata(doc, metadata: Metadata) -> None:
    authors_by_item: dict = {}  # the item (article, teaser, comment) each author belongs to
    for element in doc.xpath("//*[@itemprop]"):  # one pass over the page for every property
        prop = element.get("itemprop")
        if prop in _MICRODATA_FIELDS and metadata.source(_MICRODATA_FIELDS[prop]) != Layer.MICRODATA:
            value = element.get("content") or element.get("datetime") or element_text(element)
            metadata.offer(_MICRODATA_FIELDS[prop], normalise_text(value), Layer.MICRODATA)
        elif prop == "author":
            item = next((a for a in element.iterancestors() if a.get("itemscope") is not None), None)
            name = _microdata_name(element)
            if name and not _is_comment_scope(element):
                authors_by_item.setdefault(item, []).append(name)
        elif prop == "articleBody":
            metadata.offer("body_element", element, Layer.MICRODATA)
    # The page's first item with authors is the article; later ones are teasers of other posts.
    metadata.offer("authors", next(iter(authors_by_item.values()), []), Layer.MICRODATA)


def _microdata_name(author) -> str | None:
    """A Person item's name property, else the element's own text (no biography around it)."""
    name = next((e for e in author.iterdescendants() if e.get("itemprop") == "name"), author)
    return normalise_text(name.get("content")) or element_text(name)


def _is_comment_scope(element) -> bool:
    return any("Comment" in (a.get("itemtype") or "") or is_comment_item(a) for a in element.iterancestors())
