"""Bytes in, lxml document out, or a typed error naming the page."""

from __future__ import annotations

from urllib.parse import urljoin

import lxml.etree
import lxml.html

from newsarchive.parsers.encoding import decode_html, looks_binary, looks_like_html, sniffable
from newsarchive.parsers.errors import EmptyPageError, NotHtmlError


class Document:
    """A parsed page: its URL, the lxml root and the base for resolving relative links."""

    __slots__ = ("url", "root", "base_url", "encoding")

    def __init__(self, url: str, root, encoding: str):
        self.url = url
        self.root = root
        self.encoding = encoding
        base = root.find(".//base[@href]") if root is not None else None
        self.base_url = urljoin(url, base.get("href")) if base is not None else url

    def absolute(self, link: str | None) -> str | None:
        if not link or not link.strip():
            return None
        try:
            return urljoin(self.base_url, link.strip())
        except ValueError:  # "http://[::1/": no URL at all, and one bad link must not cost the page
            return None


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
        root = _parse_text(text)
    except lxml.etree.ParserError as error:
        raise NotHtmlError(url, f"the HTML cannot be parsed: {error}") from error
    return Document(url, root, encoding)


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


_PARSER = html_parser()
_UTF8_PARSER = html_parser(encoding="utf-8")


def _parse_text(text: str):
    try:
        return lxml.html.document_fromstring(text, parser=_PARSER)
    except ValueError:
        # lxml refuses str input that carries an XML encoding declaration (XHTML pages).
        return lxml.html.document_fromstring(text.encode("utf-8"), parser=_UTF8_PARSER)  # pragma: no mutate (codec case)
