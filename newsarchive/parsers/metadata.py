"""The structured-metadata layer: JSON-LD, OpenGraph, meta tags and microdata.

`extract_metadata(doc)` reads all of them once and returns, per field, the first value found in
order of trust (JSON-LD, then OpenGraph, then plain meta tags, then microdata) with the name of
the layer it came from. Fields: title, published_at, modified_at, authors, body, image, language,
section, canonical_url, page_type.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field

from newsarchive.parsers.text import element_text, normalise_text

ARTICLE_TYPES = frozenset(
    {
        "Article", "NewsArticle", "ReportageNewsArticle", "AnalysisNewsArticle", "BlogPosting",
        "OpinionNewsArticle", "BackgroundNewsArticle", "Report", "LiveBlogPosting", "ScholarlyArticle",
        "SocialMediaPosting", "TechArticle", "WebPage", "Posting",
    }
)

# (field, layer, how to find it): meta tags by property or name, lower-cased.
_META_FIELDS = [
    ("title", "opengraph", "og:title"),
    ("title", "meta", "twitter:title"),
    ("title", "meta", "dc.title"),
    ("published_at", "opengraph", "article:published_time"),
    ("published_at", "meta", "date"),
    ("published_at", "meta", "pubdate"),
    ("published_at", "meta", "publishdate"),
    ("published_at", "meta", "dc.date"),
    ("published_at", "meta", "dc.date.issued"),
    ("published_at", "meta", "sailthru.date"),
    ("published_at", "meta", "parsely-pub-date"),
    ("modified_at", "opengraph", "article:modified_time"),
    ("modified_at", "opengraph", "og:updated_time"),
    ("authors", "opengraph", "article:author"),
    ("authors", "meta", "author"),
    ("authors", "meta", "dc.creator"),
    ("authors", "meta", "sailthru.author"),
    ("authors", "meta", "parsely-author"),
    ("image", "opengraph", "og:image"),
    ("image", "meta", "twitter:image"),
    ("language", "opengraph", "og:locale"),
    ("language", "meta", "language"),
    ("language", "meta", "dc.language"),
    ("section", "opengraph", "article:section"),
    ("canonical_url", "opengraph", "og:url"),
    ("page_type", "opengraph", "og:type"),
]
_LAYER_ORDER = {"jsonld": 0, "opengraph": 1, "meta": 2, "microdata": 3}


@dataclass
class Metadata:
    values: dict[str, object] = field(default_factory=dict)
    sources: dict[str, str] = field(default_factory=dict)

    def offer(self, name: str, value, layer: str) -> None:
        """Keep a value unless one from a more trusted layer is already there."""
        if value in (None, "", []):
            return
        current = self.sources.get(name)
        if current is None or _LAYER_ORDER[layer] < _LAYER_ORDER[current]:
            self.values[name] = value
            self.sources[name] = layer

    def get(self, name: str):
        return self.values.get(name)

    def source(self, name: str) -> str | None:
        return self.sources.get(name)


def extract_metadata(doc) -> Metadata:
    metadata = Metadata()
    _read_jsonld(doc, metadata)
    _read_meta_tags(doc, metadata)
    _read_microdata(doc, metadata)
    return metadata


# JSON-LD ---------------------------------------------------------------------------------------

def _read_jsonld(doc, metadata: Metadata) -> None:
    for script in doc.xpath('//script[@type="application/ld+json"]'):
        for node in _jsonld_nodes(script.text or ""):
            if _jsonld_types(node) & ARTICLE_TYPES:
                _offer_jsonld_article(node, metadata)


def _jsonld_nodes(text: str) -> list[dict]:
    try:
        data = json.loads(text)
    except ValueError:
        return []  # broken JSON-LD is common; the other layers still count
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
    kind = node.get("@type", [])
    return set(kind) if isinstance(kind, list) else {kind}


def _offer_jsonld_article(node: dict, metadata: Metadata) -> None:
    # A plain WebPage only counts for the fields a real article node has not given.
    metadata.offer("title", _first_text(node.get("headline") or node.get("name")), "jsonld")
    metadata.offer("published_at", _first_text(node.get("datePublished")), "jsonld")
    metadata.offer("modified_at", _first_text(node.get("dateModified")), "jsonld")
    metadata.offer("authors", _jsonld_names(node.get("author")), "jsonld")
    metadata.offer("body", _plain(node.get("articleBody")), "jsonld")
    metadata.offer("image", _jsonld_url(node.get("image")), "jsonld")
    metadata.offer("language", _first_text(node.get("inLanguage")), "jsonld")
    metadata.offer("section", _first_text(node.get("articleSection")), "jsonld")
    metadata.offer("canonical_url", _first_text(node.get("url")), "jsonld")
    if _jsonld_types(node) - {"WebPage"}:
        metadata.offer("page_type", "article", "jsonld")


def _plain(value) -> str | None:
    return value.strip() or None if isinstance(value, str) else None


def _first_text(value) -> str | None:
    if isinstance(value, list):
        value = value[0] if value else None
    if isinstance(value, dict):
        value = value.get("name") or value.get("@value")
    return normalise_text(value) if isinstance(value, str) else None


def _jsonld_names(value) -> list[str]:
    items = value if isinstance(value, list) else [value]
    names = []
    for item in items:
        name = item.get("name") if isinstance(item, dict) else item
        if isinstance(name, str) and normalise_text(name):
            names.append(normalise_text(name))
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


# microdata -------------------------------------------------------------------------------------

_MICRODATA_FIELDS = {"headline": "title", "datePublished": "published_at", "dateModified": "modified_at"}


def _read_microdata(doc, metadata: Metadata) -> None:
    authors = []
    for element in doc.xpath("//*[@itemprop]"):  # one pass over the page for every property
        prop = element.get("itemprop")
        if prop in _MICRODATA_FIELDS and metadata.source(_MICRODATA_FIELDS[prop]) != "microdata":
            value = element.get("content") or element.get("datetime") or element_text(element)
            metadata.offer(_MICRODATA_FIELDS[prop], normalise_text(value), "microdata")
        elif prop == "author":
            name = element_text(element)
            if name:
                authors.append(name)
        elif prop == "articleBody":
            metadata.offer("body_element", element, "microdata")
    metadata.offer("authors", authors, "microdata")
