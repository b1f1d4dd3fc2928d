"""Text normalisation shared by all parsers."""

from __future__ import annotations

import json
import re
import unicodedata
from urllib.parse import urljoin, urlsplit

from newsarchive.items import BodyBlock, Link

# Arabic-Indic and Extended Arabic-Indic (Persian/Urdu) digits to ASCII digits.
EASTERN_DIGITS = str.maketrans("٠١٢٣٤٥٦٧٨٩۰۱۲۳۴۵۶۷۸۹", "01234567890123456789")


# Characters a page holds for its layout, never shown as text: the soft hyphen (`&shy;`, where a word
# may break), the zero-width space, the word joiner, a stray byte-order mark, the marks and controls
# that set the direction of right-to-left text (LRM, RLM, ALM, embeddings, isolates). Kept, they split
# a word for full-text search ("Mag\xaddalener" is two tokens to SQLite's FTS) and for comparison
# with the same text elsewhere: one author signed "خالد الطائي" with an RLM after the name on some
# pages was two authors. The zero-width (non-)joiners stay: Persian spelling and emoji need them.
_INVISIBLE = re.compile("[\u00ad\u200b\u2060\ufeff\u200e\u200f\u061c\u202a-\u202e\u2066-\u2069"
                        "\x00-\x08\x0e-\x1b\x7f]")
# The Arabic tatweel between two letters of a word stretches it to justify a line ("خالـــد" is
# "خالد"); after a letter that ends a word it is spelling, and stays ("بـ 120": the preposition
# written apart, before a number or a foreign word).
_STRETCH = re.compile("(?<=[\u0620-\u064a])\u0640+(?=[\u0620-\u064a])")
# Control characters (C0 and DEL, not the whitespace ones): no text shows them, and printed they
# drive the reader's terminal (ESC ] 0; sets its title): a hostile page's JSON-LD carried them into
# stored titles and names, and `search` printed them raw.
CONTROL_CHARACTERS = re.compile("[\x00-\x08\x0e-\x1b\x7f]")


# Half of a UTF-16 surrogate pair, alone: what a JSON "\ud83d" decodes to when a site cut an emoji
# in two (a description truncated in UTF-16 units, as JavaScript counts). Python keeps it in a str,
# and nothing that encodes text (SQLite, the language detector, a capture's body) takes it.
_LONE_SURROGATE = re.compile("[\ud800-\udfff]")
_SURROGATE_ESCAPE = re.compile(r"\\u[dD][89a-fA-F]")
_SURROGATE_ESCAPE_BYTES = re.compile(rb"\\u[dD][89a-fA-F]")


def without_lone_surrogates(text: str) -> str:
    r"""The text with each lone surrogate replaced by U+FFFD, as a decoder does with bytes it cannot
    read (a pair, decoded, is one character: only a half is left alone).

    >>> without_lone_surrogates("Flood \ud83d news") == "Flood \ufffd news"
    True
    """
    return text if text.isascii() else _LONE_SURROGATE.sub("\ufffd", text)


def read_json(text: str | bytes, strict: bool = True):
    r"""json.loads, with the lone surrogates of its strings replaced (without_lone_surrogates): one
    in a page's JSON-LD headline made the story a parse_error.

    >>> read_json('{"title": "Flood \\ud83d", "tags": ["\\ud83d\\ude00"]}') == {"title": "Flood \ufffd", "tags": ["\U0001f600"]}
    True
    """
    data = json.loads(text, strict=strict)
    escaped = (_SURROGATE_ESCAPE_BYTES if isinstance(text, bytes) else _SURROGATE_ESCAPE).search(text)  # type: ignore[arg-type]
    return _mended(data) if escaped else data


def _mended(value):
    if isinstance(value, str):
        return without_lone_surrogates(value)
    if isinstance(value, list):
        return [_mended(item) for item in value]
    if isinstance(value, dict):
        return {_mended(key): _mended(item) for key, item in value.items()}
    return value


# A count as pages print one: 12; 1,234, 1.234 or 1 234 (grouped in thousands); 1.2K.
# Thousands grouped by a comma, a full stop, an apostrophe, a (narrow) space, the Arabic thousands
# separator or the Arabic comma; a decimal point or the Arabic one before K.
PRINTED_COUNT = (r"\d{1,3}(?:[,.'\u00a0\u202f \u066c\u060c]\d{3})+(?!\d)|\d+(?:[.,\u066b]\d+)?\s?[kK](?![a-zA-Z])"
                 r"|\d+")
_PRINTED_COUNT = re.compile(PRINTED_COUNT)
# The smallest counts, which counters write in words: "One comment", "Один комментарий", "تعليق واحد",
# and Arabic's dual ("تعليقان", "تعليقين": two comments, the noun's own ending the number).
_COUNT_WORDS = {"one": 1, "two": 2, "un": 1, "une": 1, "deux": 2, "ein": 1, "eine": 1, "einen": 1, "zwei": 2,
                "uno": 1, "dos": 2, "один": 1, "одна": 1, "одно": 1, "два": 2, "две": 2, "واحد": 1, "واحدة": 1,
                "اثنان": 2, "اثنين": 2, "تعليقان": 2, "تعليقين": 2}
COUNT_IN_WORDS = r"\b(?:" + "|".join(_COUNT_WORDS) + r")\b"
_COUNT_IN_WORDS = re.compile(COUNT_IN_WORDS, re.IGNORECASE)


def printed_count(text: str | None) -> int | None:
    """The first count a text prints (Eastern digits read too), or a small one it writes in words;
    None when it has no number. A big thread's "1,234 comments" read as 1 had its comments called
    complete with one page of them; "تعليقان" (two comments) read as none had them never loaded.

    >>> [printed_count(text) for text in ("12 comments", "1,234 Comments", "Kommentare: 1.234", "1 234 commentaires",
    ...                                   "1.2K comments", "Comments (4)", "٣ تعليقات", "١٬٢٠٥ تعليقات", "no comments",
    ...                                   "One comment", "Один комментарий", "تعليقان")]
    [12, 1234, 1234, 1234, 1200, 4, 3, 1205, None, 1, 1, 2]
    """
    found = _PRINTED_COUNT.search(western_digits(text or ""))
    if found is None:
        in_words = _COUNT_IN_WORDS.search(text or "")
        return _COUNT_WORDS[in_words.group().lower()] if in_words else None
    number = found.group()
    if number[-1] in "kK":
        return round(float(re.sub("[,\u066b]", ".", number[:-1].strip())) * 1000)
    return int(re.sub(r"\D", "", number))


def normalise_text(text: str | None) -> str | None:
    """Collapse whitespace runs (NBSP and other Unicode spaces too), strip, drop the invisible layout
    characters (soft hyphens, zero-width spaces), NFC. Empty -> None.

    >>> normalise_text("  Mag\u00adda\u00adle\u00adner\u00a0wines\u200b "), normalise_text("Title" + chr(27) + "]0;x" + chr(7))
    ('Magdalener wines', 'Title]0;x')
    """
    if text is None:
        return None
    if not text.isascii():
        text = _STRETCH.sub("", _INVISIBLE.sub("", text))
    elif not text.isprintable():  # a tab or a line break, mostly; or a control character
        text = CONTROL_CHARACTERS.sub("", text)
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


def text_blocks(container, skip=None, base_url: str | None = None) -> list[BodyBlock]:
    """The text of an element no selector describes, as blocks in reading order: each block
    element's own text (its inline children included, its block children as blocks of their
    own), so a paragraph written as `div.paragraph` counts as one as well as a `p`. `skip(element)`
    leaves out an element and all it holds (related links, sharing buttons).

    A block's kind comes from its own tag or the nearest one around it: h1-h6 give headings,
    blockquote quotes, li list items, and each row of a data table (cells holding no blocks) is a
    table block, its cells joined by " | "; a table that lays out blocks is read as those blocks.
    Each block keeps the links of its text, resolved against base_url (see block_links)."""
    blocks: list[BodyBlock] = []
    _collect_blocks(container, blocks, _Reading(skip, base_url), _kind_of(container, "paragraph"))
    return blocks


_HEADINGS = frozenset({"h1", "h2", "h3", "h4", "h5", "h6"})
_NOT_TEXT = SKIPPED_TAGS | {"figure", "figcaption", "aside", "nav", "form", "footer", "button", "select"}
# Block tags whose kind the blocks inside them take (the nearest one counts).
_KINDS = {"blockquote": "quote", "li": "list_item", **{heading: "heading" for heading in _HEADINGS}}
_CELLS = ("td", "th")
# Inside a table cell, these make the table a layout of blocks rather than a table of data.
_LAYOUT_TAGS = BLOCK_TAGS - {"br", "tr", "td", "th"}


class _Reading:
    def __init__(self, skip, base_url: str | None):
        self.skip, self.base_url = skip, base_url

    def skipped(self, element) -> bool:
        tag = element.tag
        return not isinstance(tag, str) or tag in _NOT_TEXT or bool(self.skip and self.skip(element))


def _kind_of(element, around: str) -> str:
    tag = element.tag
    # A comment's tag (a function) is no key of _KINDS either: the test only spares the look-up.
    return _KINDS.get(tag, around) if isinstance(tag, str) else around  # pragma: no mutate (see above)


def block_kind(element, container=None) -> str:
    """The kind of a block element a selector picked: its own tag's, else that of the nearest
    quote or list item around it inside container; a paragraph otherwise."""
    for candidate in (element, *element.iterancestors()):
        if candidate is container:
            break
        if candidate.tag in _KINDS:
            return _KINDS[candidate.tag]
    return "paragraph"


def _collect_blocks(element, blocks: list[BodyBlock], reading: _Reading, kind: str) -> None:
    parts: list[str] = [element.text or ""]
    anchors: list = []

    def flush() -> None:
        text = normalise_text("".join(parts))
        if text:
            blocks.append(BodyBlock(kind, text, block_links(anchors, reading.base_url)))
        parts.clear()
        anchors.clear()

    for child in element:
        tag = child.tag
        if reading.skipped(child):
            parts.append(child.tail or "")
            continue
        if tag == "table" and _is_data_table(child):
            flush()
            blocks.extend(_table_rows(child, reading))
        elif tag in BLOCK_TAGS and tag != "br":
            flush()  # text before a nested block is a block of its own
            _collect_blocks(child, blocks, reading, _kind_of(child, kind))
        else:
            _collect_text(child, parts)
            anchors.extend(a for a in child.iter("a") if not _inside_skipped(a, child, reading))
        parts.append(child.tail or "")
    flush()


def _inside_skipped(anchor, stop, reading: _Reading) -> bool:
    """Whether a link sits in something left out of the text (a script template, a form)."""
    element = anchor
    while element is not None:
        if reading.skipped(element):
            return True
        if element is stop:
            return False
        element = element.getparent()
    return False  # pragma: no mutate (never reached: stop holds the anchor)


def _is_data_table(table) -> bool:
    """A table of values, not a page laid out in cells: no cell holds a paragraph, list or table."""
    return not any(isinstance(element.tag, str) and element.tag in _LAYOUT_TAGS
                   for cell in table.iter(*_CELLS) for element in cell.iterdescendants())


def _table_rows(table, reading: _Reading) -> list[BodyBlock]:
    """One table block a row, cells in order joined by " | " (an empty cell stays, so columns line
    up), after the table's caption as a paragraph. Cells written without a <tr> (lxml leaves them
    in the table or its body) are a row, as a browser reads them."""
    rows = [BodyBlock("paragraph", text, block_links(caption.iter("a"), reading.base_url))
            for caption in table.iter("caption") if (text := element_text(caption))]
    for row in table.iter("table", "thead", "tbody", "tfoot", "tr"):
        cells = [cell for cell in row if cell.tag in _CELLS and not reading.skipped(cell)]
        texts = [element_text(cell) or "" for cell in cells]
        if any(texts):
            anchors = [a for cell in cells for a in cell.iter("a") if not _inside_skipped(a, cell, reading)]
            rows.append(BodyBlock("table", " | ".join(texts), block_links(anchors, reading.base_url)))
    return rows


# Links that lead to a page: scripts, mail addresses, phone numbers and data are no cross-references.
_WEB_SCHEMES = ("http", "https")


def block_links(anchors, base_url: str | None) -> list[Link]:
    """The links of a block's anchors, in order: absolute http(s) URLs with their anchor text."""
    links = []
    for anchor in anchors:
        url = absolute_url(anchor.get("href"), base_url)
        if url:
            links.append(Link(url, element_text(anchor) or ""))
    return links


def absolute_url(href: str | None, base_url: str | None) -> str | None:
    """href resolved against base_url (as_browsers_read), or None for no web URL (javascript:,
    mailto:, a broken URL)."""
    if not href or not href.strip():
        return None
    try:
        url = urljoin(base_url or "", as_browsers_read(href))
        scheme = urlsplit(url).scheme
    except ValueError:  # "http://[::1/": one bad link must not cost the page
        return None
    return url if scheme in _WEB_SCHEMES else None


def as_browsers_read(href: str) -> str:
    r"""A link's address as a browser reads it on a web page (the WHATWG URL standard): without
    the spaces around it, and a backslash before its query a slash. Servers on Windows write links
    so; joined as written, they led to pages that are none.

    >>> as_browsers_read(" \\news\\flood.aspx?q=a\\b ")
    '/news/flood.aspx?q=a\\b'
    """
    href = href.strip()
    if "\\" not in href:
        return href
    end = min((at for at in (href.find("?"), href.find("#")) if at >= 0), default=len(href))
    return href[:end].replace("\\", "/") + href[end:]


def western_digits(text: str) -> str:
    return text.translate(EASTERN_DIGITS)
