"""UTF-16 and UTF-32 pages and the document's own parser, rule by rule (issue 20, mutation testing
of parsers/encoding.py and parsers/document.py after the wide-charset step).

The rules: a wide page (by its byte-order mark or its header's charset) is read as text, and bytes
it cannot read become U+FFFD instead of costing the page; a body is HTML only when it holds no NUL
byte or binary signature *and* some markup; html_parser gives lxml.html's classes to every kind of
node, and passes its options to lxml.
"""

from __future__ import annotations

import codecs

import lxml.etree
import lxml.html
import pytest

from newsarchive.parsers.document import html_parser, parse_document
from newsarchive.parsers.encoding import decode_html, sniffable
from newsarchive.parsers.errors import NotHtmlError

URL = "https://news.example/world/story.html"
PAGE = "<html><head><title>t</title></head><body><p>Город</p></body></html>"
# One byte more than a UTF-16 text has: half a code unit, which no UTF-16 decoder can read.
HALF_A_CODE_UNIT = b"!"


def test_a_wide_page_with_a_broken_tail_is_sniffed_with_a_replacement_character():
    body = codecs.BOM_UTF16_LE + PAGE.encode("utf-16-le") + HALF_A_CODE_UNIT
    assert sniffable(body) == PAGE.encode("utf-8") + b"\xef\xbf\xbd"  # U+FFFD in UTF-8


def test_a_declared_wide_page_with_a_broken_tail_keeps_its_text():
    body = PAGE.encode("utf-16-be") + HALF_A_CODE_UNIT
    assert decode_html(body, "text/html; charset=utf-16be") == (PAGE + "\ufffd", "utf-16-be")


def test_a_wide_page_declared_only_in_its_header_is_parsed():
    # No byte-order mark: only the header's charset tells its NUL bytes from a binary file's.
    document = parse_document(URL, PAGE.encode("utf-16-le"), "text/html; charset=utf-16le")
    assert (document.encoding, document.root.findtext(".//p")) == ("utf-16-le", "Город")


@pytest.mark.parametrize("body, content_type", [
    (b"Plain words, and not one tag among them.", "text/plain"),  # no binary byte, but no markup
    (b"<html><body><p>half\x00text</p></body></html>", "text/html"),  # markup, but a NUL byte
])
def test_a_body_is_html_only_with_markup_and_without_binary_bytes(body, content_type):
    with pytest.raises(NotHtmlError) as caught:
        parse_document(URL, body, content_type)
    assert (caught.value.url, caught.value.message) == (URL, f"the body is not HTML ({content_type})")


def test_html_parser_gives_every_kind_of_node_lxml_html_s_class():
    root = lxml.html.document_fromstring("<html><body><p>x</p></body></html>", parser=html_parser())
    paragraph = root.find(".//p")
    for node in (lxml.etree.Element("b"), lxml.etree.Comment("c"), lxml.etree.ProcessingInstruction("php", "x"),
                 lxml.etree.Entity("amp")):
        paragraph.append(node)
    del node  # read back below, each node gets a new proxy from the document's parser
    assert [type(child) for child in paragraph] == [lxml.html.HtmlElement, lxml.html.HtmlComment,
                                                    lxml.html.HtmlProcessingInstruction, lxml.html.HtmlEntity]


def test_html_parser_passes_its_options_to_lxml():
    parser = html_parser(encoding="utf-8", remove_comments=True)
    root = lxml.html.document_fromstring("<p>Zürich<!-- note --></p>".encode("utf-8"), parser=parser)
    assert (root.findtext(".//p"), len(root.find(".//p"))) == ("Zürich", 0)
