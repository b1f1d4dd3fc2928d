"""Bytes in, lxml document out, or a typed error naming the page."""

from __future__ import annotations

import re
from urllib.parse import urljoin

import lxml.etree
import lxml.html

from newsarchive.parsers.encoding import decode_html, looks_binary, looks_like_html, sniffable
from newsarchive.parsers.errors import EmptyPageError, NotHtmlError
from newsarchive.parsers.text import as_browsers_read


class Document:
    """A parsed page: its URL, the lxml root and the base for resolving relative links;
    `markup_notes` says what was mended in the markup before it could be read, or where reading
    had to stop (see _parse_mending)."""

    __slots__ = ("url", "root", "base_url", "encoding", "markup_notes", "text")

    def __init__(self, url: str, root, encoding: str, markup_notes: tuple[str, ...] = (), text: str | None = None):
        self.url = url
        self.root = root
        self.encoding = encoding
        self.markup_notes = markup_notes
        self.text = text  # the page's text as decoded, when known
        base = root.find(".//base[@href]") if root is not None else None
        self.base_url = urljoin(url, as_browsers_read(base.get("href"))) if base is not None else url

    def absolute(self, link: str | None) -> str | None:
        if not link or not link.strip():
            return None
        try:
            return urljoin(self.base_url, as_browsers_read(link))
        except ValueError:  # "http://[::1/": no URL at all, and one bad link must not cost the page
            return None

    @property
    def joiners(self) -> bool:
        """Whether the page may write zero-width joiners or non-joiners (generic.py keeps them):
        asked only by the generic layer, which needs it; True when the text is not known."""
        return self.text is None or writes_joiners(self.text)


def parse_document(url: str, body: bytes | str, content_type: str | None = None) -> Document:
    """Decode and parse a page; raise EmptyPageError or NotHtmlError for what is no HTML page."""
    if body is None or not body.strip():
        raise EmptyPageError(url, "the page is empty")
    if isinstance(body, bytes):
        sniffed = sniffable(body, content_type)
        if looks_binary(sniffed) or not looks_like_html(sniffed):
            raise NotHtmlError(url, f"the body is not HTML ({content_type or 'no content type'})")
    text, encoding = decode_html(body, content_type)
    try:
        root, markup_notes = _parse_mending(_without_control_characters(text))
    except lxml.etree.ParserError as error:
        raise NotHtmlError(url, f"the HTML cannot be parsed: {error}") from error
    return Document(url, root, encoding, markup_notes, text=text)


# Zero-width non-joiners and joiners, as characters or as references: Persian, Urdu, Pashto and
# Kurdish spell words with them (می‌خواهم), emoji sequences join with them. (A search of the text
# costs 0.02 ms a page for the characters, 0.3 ms with the references; of the tree, 0.9 ms.)
_JOINER_MARKS = ("\u200c", "\u200d", "&zw", "&#820", "&#x200", "&#X200")  # named references are lower case


def writes_joiners(text: str) -> bool:
    """Whether a page's text may hold a zero-width joiner or non-joiner (a few false alarms: any
    reference that starts so, &#8201; for one).

    >>> writes_joiners("<p>می\u200cخواهم</p>"), writes_joiners("<p>a&zwnj;b</p>"), writes_joiners("<p>plain</p>")
    (True, True, False)
    """
    return any(mark in text for mark in _JOINER_MARKS)


# A control character (C0 but the whitespace ones, DEL), raw or as a numeric reference (`&#7;`,
# `&#x1B;`): no page shows one. In the tree, one such character anywhere in a story made
# trafilatura discard the whole page ("discarding data"): its body was lost, the page a
# missing_body_text failure. Its place in the text is left empty, as a browser shows it.
_CONTROLS = re.compile(r"[\x00-\x08\x0e-\x1f\x7f]|&#(?:0*(?:[0-8]|1[4-9]|2\d|3[01]|127)|[xX]0*(?:[0-8eEfF]|1[0-9a-fA-F]|7[fF]));")


def _without_control_characters(text: str) -> str:
    return _CONTROLS.sub("", text) if _CONTROLS.search(text) else text


def html_parser(**options) -> lxml.etree.HTMLParser:
    """An HTML parser whose elements are all lxml.html's HtmlElement (text_content, drop_tree ...).

    lxml.html's own parser picks each element's class in a Python function (forms and inputs get
    their own classes), called for every element the parsers touch: about 5% of a page's parse
    and extraction time. Here the class is fixed, and lxml picks it in C."""
    parser = lxml.etree.HTMLParser(**options)
    parser.set_element_class_lookup(lxml.etree.ElementDefaultClassLookup(
        element=lxml.html.HtmlElement, comment=lxml.html.HtmlComment, pi=lxml.html.HtmlProcessingInstruction,
        entity=lxml.html.HtmlEntity))
    return parser


# huge_tree: without it libxml2 stops reading a page at the 256th level of nesting and drops all
# that follows, without a word. Markup that leaves an element unclosed over and over (a <font> or
# a <div> a template opens for each item) gets there: a page with 255 unclosed tags before its
# story gave no body at all. Browsers read such pages to the end. With huge_tree the depth allowed
# is 2048 (and a text may pass 10 MB); the trees of the dev set's 272 pages are the same either
# way, and parse as fast. A page that goes deeper still is read up to there, with a note
# (_where_reading_stopped).
_PARSER = html_parser(huge_tree=True)
_UTF8_PARSER = html_parser(encoding="utf-8", huge_tree=True)


def _parse_text(text: str):
    """The page's tree, and where libxml2 stopped reading it short of its end (see
    _where_reading_stopped), or None."""
    try:
        root = lxml.html.document_fromstring(text, parser=_PARSER)
        return root, _where_reading_stopped(_PARSER)
    except ValueError:
        # lxml refuses str input that carries an XML encoding declaration (XHTML pages).
        root = lxml.html.document_fromstring(text.encode("utf-8"), parser=_UTF8_PARSER)  # pragma: no mutate (codec case)
        return root, _where_reading_stopped(_UTF8_PARSER)


def _where_reading_stopped(parser) -> str | None:
    """A note saying where the parser's last run stopped reading the page, when one of libxml2's
    limits stopped it (the depth of nesting, above all): what followed is not in the tree."""
    for error in parser.error_log:
        if error.type == lxml.etree.ErrorTypes.ERR_RESOURCE_LIMIT:
            # The line, not the column: libxml2 miscounts columns on long lines (a minified page's).
            return (f"the parser stopped reading the page at line {error.line} "
                    f"({error.message.split(',')[0].strip()}): what follows is missing")
    return None


# Elements whose content an HTML parser reads as raw text, up to their end tag. One left without its
# end tag (a template's slip, a tool that rewrote the page and ate it) swallows the rest of the page:
# a browser shows it blank, and nothing of the story can be read. The page's markup is then read as
# if that start tag were not there, the element's text becoming text of the page, with a repair noted.
_RAW_TEXT_TAGS = ("script", "style", "textarea", "title", "xmp", "noembed", "noframes", "iframe")
# An end tag of the page's own elements, not the page's last two (a script cut off at the page's
# end hides nothing but those): markup a raw-text element hides.
_HIDDEN_MARKUP = re.compile(r"</(?!body\b|html\b)[a-z]", re.IGNORECASE)
_MAX_REPAIRS = 3  # pragma: no mutate (a page with more such slips than this is read as it is)


def _parse_mending(text: str):
    """The page's tree, and notes on its markup: the repairs made (start tags of raw-text elements
    that swallowed the rest of the page, taken out: see _RAW_TEXT_TAGS), and where the parser had
    to stop reading, if it did."""
    root, stopped = _parse_text(text)
    repairs: list[str] = []
    while len(repairs) < _MAX_REPAIRS and (tag := _swallowing_tag(root)) is not None:
        start = _unclosed_start_tag(text, tag)
        if start is None:
            break
        repairs.append(f"the page's <{tag}> element at character {start.start()} has no end tag and hid the "
                       "rest of the page: read without its start tag")
        text = text[:start.start()] + text[start.end():]
        root, stopped = _parse_text(text)
    return root, (*repairs, *([stopped] if stopped else []))


def _swallowing_tag(root) -> str | None:
    """The tag of the page's last element when it is a raw-text element holding the end tag of an
    element of the page, which is what one left unclosed looks like (cheap to ask;
    _unclosed_start_tag reads the markup to be sure)."""
    last = root
    while len(last):
        last = last[-1]
    swallowed = isinstance(last.tag, str) and last.tag in _RAW_TEXT_TAGS and _HIDDEN_MARKUP.search(last.text or "")
    return last.tag if swallowed else None


def _unclosed_start_tag(text: str, tag: str):
    """The start tag (a match) of the first `tag` element with no end tag after it, or None."""
    starts, ends = (re.compile(pattern, re.IGNORECASE) for pattern in (rf"<{tag}\b[^>]*>", rf"</{tag}[\s>/]"))
    position = 0
    while (start := starts.search(text, position)) is not None:
        end = ends.search(text, start.end())
        if end is None:
            return start
        position = end.end()
    return None
