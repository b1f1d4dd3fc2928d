"""Text normalisation shared by all parsers."""

from __future__ import annotations

import unicodedata

from newsarchive.items import BodyBlock

# Arabic-Indic and Extended Arabic-Indic (Persian/Urdu) digits to ASCII digits.
EASTERN_DIGITS = str.maketrans("٠١٢٣٤٥٦٧٨٩۰۱۲۳۴۵۶۷۸۹", "01234567890123456789")


def normalise_text(text: str | None) -> str | None:
    """Collapse whitespace runs (NBSP and other Unicode spaces too), strip, NFC. Empty -> None."""
    if text is None:
        return None
    collapsed = " ".join(text.split())
    return unicodedata.normalize("NFC", collapsed) if collapsed else None


# Elements whose boundaries separate words even when the markup has no space between them.
BLOCK_TAGS = frozenset(
    "address article aside blockquote br dd div dl dt figcaption figure footer h1 h2 h3 h4 h5 h6 "
    "header hr li main nav ol p pre section table td th tr ul".split()
)
SKIPPED_TAGS = frozenset(["script", "style", "noscript", "template"])


def element_text(element) -> str | None:
    """The normalised text of an lxml element: scripts and styles left out, blocks spaced."""
    if element is None:
        return None
    parts: list[str] = []
    _collect_text(element, parts)
    return normalise_text("".join(parts))


def _collect_text(element, parts: list[str]) -> None:
    tag = element.tag
    if not isinstance(tag, str) or tag in SKIPPED_TAGS:  # comments, processing instructions
        return
    block = tag in BLOCK_TAGS
    if block:
        parts.append(" ")
    if element.text:
        parts.append(element.text)
    for child in element:
        _collect_text(child, parts)
        if child.tail:
            parts.append(child.tail)
    if block:
        parts.append(" ")


def text_blocks(container, skip=None) -> list[BodyBlock]:
    """The text of an element no selector describes, as blocks in reading order: each block
    element's own text (its inline children included, its block children as blocks of their
    own), so a paragraph written as `div.paragraph` counts as one as well as a `p`. `skip(element)`
    leaves out an element and all it holds (related links, sharing buttons)."""
    blocks: list[BodyBlock] = []
    _collect_blocks(container, blocks, skip)
    return blocks


_HEADINGS = frozenset({"h1", "h2", "h3", "h4", "h5", "h6"})
_NOT_TEXT = SKIPPED_TAGS | {"figure", "figcaption", "aside", "nav", "form", "footer", "button", "select"}


def _collect_blocks(element, blocks: list[BodyBlock], skip) -> None:
    parts: list[str] = [element.text or ""]

    def flush() -> None:
        text = normalise_text("".join(parts))
        if text:
            blocks.append(BodyBlock("heading" if element.tag in _HEADINGS else "paragraph", text))
        parts.clear()

    for child in element:
        tag = child.tag
        if not isinstance(tag, str) or tag in _NOT_TEXT or (skip and skip(child)):
            parts.append(child.tail or "")
            continue
        if tag in BLOCK_TAGS and tag != "br":
            flush()  # text before a nested block is a block of its own
            _collect_blocks(child, blocks, skip)
        else:
            _collect_text(child, parts)
        parts.append(child.tail or "")
    flush()


def western_digits(text: str) -> str:
    return text.translate(EASTERN_DIGITS)
