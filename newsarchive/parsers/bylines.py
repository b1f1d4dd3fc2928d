"""Bylines as printed to author names.

"By Khalid al-Taie and Sara Ahmed" -> two authors. The lead-in ("By", "بقلم", "Автор:", "Von",
"Par") is dropped; names are split on commas and the word for "and" in the page's languages;
news agencies and roles ("AFP", "Staff writer") are kept apart as roles, not authors.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from lxml import etree

from newsarchive.items import Byline
from newsarchive.parsers.text import normalise_text

_LEAD_IN = re.compile(
    r"^(?:by|written by|story by|reported by|بقلم|كتب|كتبه|إعداد|автор(?:ы)?\s*:?|текст\s*:|"
    r"von|par|por|di|door)\s*:?\s+",
    re.IGNORECASE,
)
# Commas (Latin and Arabic), semicolons, "&", and the word for "and" standing alone. The Arabic
# "و" is often written joined to the next name ("وأحمد"); only a free-standing one is split, since
# names themselves begin with the letter (وليد).
_SEPARATORS = re.compile(r"\s*[,،;|&]\s*|\s+(?:and|und|et|y|e|и|та|و)\s+")
AGENCIES = frozenset(
    "afp ap reuters xinhua anadolu tass ria novosti interfax efe dpa ansa kyodo bloomberg "
    "associated press agence france-presse".split(" ")
) | {"associated press", "agence france-presse", "ria novosti"}
_ROLE_WORDS = re.compile(
    r"\b(?:staff|correspondent|reporter|editor|writer|contributor|bureau|desk|special to)\b",
    re.IGNORECASE,
)


def strip_lead_in(byline: str) -> str:
    return _LEAD_IN.sub("", byline.strip(), count=1)


def is_role(part: str) -> bool:
    """A byline part that is an agency or a role rather than a person."""
    lowered = part.lower().strip(" .()")
    return lowered in AGENCIES or bool(_ROLE_WORDS.search(part))


def split_byline(byline: str | None) -> list[Byline]:
    """Authors in printed order; a trailing agency or role attaches to the author before it."""
    text = normalise_text(byline)
    if not text:
        return []
    parts = [part for part in _SEPARATORS.split(strip_lead_in(text)) if part and part.strip()]
    authors: list[Byline] = []
    for part in parts:
        cleaned = part.strip(" .:")
        if not cleaned:
            continue
        if is_role(cleaned):
            if authors and authors[-1].role is None:
                authors[-1].role = cleaned
            continue
        authors.append(Byline(name=cleaned, name_raw=part.strip(), position=len(authors)))
    return authors


def bylines_from_names(names: Iterable[str | None]) -> list[Byline]:
    """Author records from names given one by one (profile spans, JSON-LD authors); empty ones skipped."""
    authors: list[Byline] = []
    for raw in names:
        name, name_raw = normalise_text(strip_lead_in(raw or "")), normalise_text(raw)
        if name and name_raw and not any(a.name == name for a in authors):
            authors.append(Byline(name=name, name_raw=name_raw, position=len(authors)))
    return authors


# Elements marked as a byline: rel=author, itemprop=author, or a class or id naming a byline or
# an author in the languages of the sites we archive (found in C by lxml).
_MARKED_NAME = re.compile(r"byline|author|writer|autor|auteur", re.IGNORECASE)
_HAS_NAMES = etree.XPath("//*[@class or @id or @rel or @itemprop]")


def _marked(root) -> list:
    return [element for element in _HAS_NAMES(root)
            if element.get("rel") == "author" or element.get("itemprop") == "author"
            or _MARKED_NAME.search(f"{element.get('class') or ''} {element.get('id') or ''}")]


# Short lines that begin the way bylines do ("By ...", "Автор: ...", "بقلم ...").
_LEAD_IN_LINES = etree.XPath(
    "//*[self::p or self::span or self::div or self::address or self::small or self::em or self::strong]"
    "[text()[starts-with(normalize-space(.), 'By ') or starts-with(normalize-space(.), 'by ') or starts-with(normalize-space(.), 'BY ') or starts-with(normalize-space(.), 'Written by ') or starts-with(normalize-space(.), 'Von ') or starts-with(normalize-space(.), 'von ') or starts-with(normalize-space(.), 'Par ') or starts-with(normalize-space(.), 'par ') or starts-with(normalize-space(.), 'Por ') or starts-with(normalize-space(.), 'Door ') or starts-with(normalize-space(.), 'Автор') or starts-with(normalize-space(.), 'автор') or starts-with(normalize-space(.), 'بقلم') or starts-with(normalize-space(.), 'كتب ')]]"
)
_NOT_BYLINE_ANCESTORS = frozenset({"nav", "footer", "aside", "form"})


def find_byline(root) -> str | None:
    """The byline a page shows, on any site, as printed (see `byline_element`)."""
    found = byline_element(root)
    return _byline_text(found) if found is not None else None


def byline_element(root):
    """The element holding the byline a page shows, on any site: one marked as the author's
    (rel=author, itemprop=author, a class or id naming a byline or author), else a short line that
    begins the way bylines do ("By ...", "Автор: ...", "بقلم ..."); never one in comments or
    navigation."""
    for candidates in (_marked(root), _LEAD_IN_LINES(root)):
        for element in candidates:
            if element.tag in ("meta", "link", "script") or len(element) > 6:
                continue
            text = _byline_text(element)
            if text and len(text) <= 120 and len(text.split()) <= 15 and _outside_comments_and_navigation(element):
                return element
    return None


def _byline_text(element) -> str | None:
    return normalise_text(" ".join(element.itertext()))


def _outside_comments_and_navigation(element) -> bool:
    from newsarchive.parsers.comments import is_comment_item

    return not any(ancestor.tag in _NOT_BYLINE_ANCESTORS or is_comment_item(ancestor)
                   for ancestor in element.iterancestors())
