"""Pages to documents checked rule by rule (issue 20, mutation testing of parsers/document.py).

The rules: empty bodies and bodies that are no HTML raise typed errors naming the page and why;
bytes are decoded with the declared charset and the document keeps the encoding used; relative
links resolve against the page's `<base href>`, else its URL; a link that is no URL is None.
"""

import pytest
from lxml import etree as lxml_etree
from lxml import html as lxml_html

from newsarchive.parsers.document import Document, parse_document
from newsarchive.parsers.errors import EmptyPageError, NotHtmlError

URL = "https://news.example/world/story.html"


@pytest.mark.parametrize("body", [b"", b"  \n ", "   "])
def test_an_empty_page_raises_an_error_naming_it(body):
    with pytest.raises(EmptyPageError) as caught:
        parse_document(URL, body)
    assert (caught.value.url, caught.value.message) == (URL, "the page is empty")
    assert str(caught.value) == f"{URL}: the page is empty"


@pytest.mark.parametrize("content_type, message", [
    (None, "the body is not HTML (no content type)"),
    ("image/png", "the body is not HTML (image/png)"),
])
def test_a_body_that_is_no_html_raises_an_error_naming_its_type(content_type, message):
    with pytest.raises(NotHtmlError) as caught:
        parse_document(URL, b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00", content_type)
    assert (caught.value.url, caught.value.message) == (URL, message)


def test_text_lxml_cannot_parse_raises_an_error_naming_the_page():
    with pytest.raises(NotHtmlError) as caught:
        parse_document(URL, "<!-- nothing but a comment -->")
    assert caught.value.url == URL
    assert caught.value.message == "the HTML cannot be parsed: Document is empty"


def test_the_declared_charset_decodes_the_page_and_is_kept():
    body = "<html><body><p>Из</p></body></html>".encode("koi8-r")
    doc = parse_document(URL, body, "text/html; charset=koi8-r")
    assert (doc.encoding, doc.root.findtext(".//p")) == ("koi8-r", "Из")
    assert parse_document(URL, "<p>Zürich</p>".encode()).encoding == "utf-8"
    assert parse_document(URL, "<p>Zürich</p>").encoding == "unicode"


def test_xhtml_text_with_an_encoding_declaration_is_parsed_as_utf8():
    text = '<?xml version="1.0" encoding="utf-8"?><html><body><p>Zürich – Genève</p></body></html>'
    assert parse_document(URL, text).root.findtext(".//p") == "Zürich – Genève"


def test_links_resolve_against_the_base_href():
    doc = parse_document(URL, "<html><head><base href='/static/'></head><body><a href='x'>x</a></body></html>")
    assert doc.base_url == "https://news.example/static/"
    assert doc.absolute(" a.html ") == "https://news.example/static/a.html"


def test_links_resolve_against_the_page_without_a_base():
    doc = parse_document(URL, "<html><head><base target='_blank'></head><body><p>x</p></body></html>")
    assert doc.base_url == URL
    assert doc.absolute("other.html") == "https://news.example/world/other.html"
    assert Document(URL, None, "utf-8").base_url == URL


@pytest.mark.parametrize("link", [None, "", "   ", "http://[::1/"])
def test_what_is_no_link_resolves_to_none(link):
    assert parse_document(URL, "<p>x</p>").absolute(link) is None


def test_a_document_keeps_what_it_was_given():
    root = lxml_html.document_fromstring("<p>x</p>")
    doc = Document(URL, root, "cp1252")
    assert (doc.url, doc.root, doc.encoding) == (URL, root, "cp1252")


def test_every_element_of_a_parsed_page_is_an_html_element():
    """Forms and inputs too (lxml.html's own parser gives them classes of their own): the parsers
    call HtmlElement's methods on any element, and comments keep their own class."""
    root = parse_document(URL, "<html><body><form><input name='q'><textarea></textarea></form><!-- note --></body></html>").root
    elements = list(root.iter(lxml_etree.Element))
    assert [element.tag for element in elements] == ["html", "body", "form", "input", "textarea"]
    assert {type(element) for element in elements} == {lxml_html.HtmlElement}
    assert [type(node) for node in root.iter(lxml_etree.Comment)] == [lxml_html.HtmlComment]
    assert root.find(".//form").text_content() == ""


def test_an_xhtml_page_keeps_html_elements_too():
    text = '<?xml version="1.0" encoding="utf-8"?><html><body><form><p>Zürich</p></form></body></html>'
    assert {type(element) for element in parse_document(URL, text).root.iter()} == {lxml_html.HtmlElement}
