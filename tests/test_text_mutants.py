"""Text rules checked one by one (issue 20, mutation testing of parsers/text.py).

Every expected value follows from the documented rule: whitespace runs collapse to one space and
text is NFC; block elements separate words, scripts and styles are no text; text_blocks gives
each block element's own text as a block whose kind is that of its nearest heading, quote or list
item, a data table row by row (cells joined by " | "), leaves out what is not text and keeps the
http(s) links of each block, resolved against the page's URL.
"""

from __future__ import annotations

import lxml.etree
import lxml.html
import pytest

from newsarchive.items import BodyBlock, Link
from newsarchive.parsers.text import (
    BLOCK_TAGS,
    _is_data_table,
    absolute_url,
    block_kind,
    block_links,
    element_text,
    normalise_text,
    text_blocks,
    western_digits,
)

BASE = "https://news.example/world/2024/story"


def html(markup: str):
    return lxml.html.fragment_fromstring(markup)


def built(tag: str, text: str, child_tag: str, child_text: str, child_tail: str):
    """An element holding one child, built without an HTML parser (which would move some tags)."""
    element = lxml.etree.Element(tag)
    element.text = text
    child = lxml.etree.SubElement(element, child_tag)
    child.text, child.tail = child_text, child_tail
    return element


# normalise_text


def test_whitespace_runs_of_any_kind_become_one_space_and_the_ends_go():
    assert normalise_text("  Dam\u00a0talks \n\t resume\u2003now  ") == "Dam talks resume now"


def test_text_is_composed_to_nfc():
    assert normalise_text("Cafe\u0301 au lait") == "Caf\u00e9 au lait"


@pytest.mark.parametrize("empty", ["", "   ", "\u00a0\n\t"])
def test_no_text_gives_none(empty):
    assert normalise_text(empty) is None


def test_none_gives_none():
    assert normalise_text(None) is None


def test_soft_hyphens_and_zero_width_spaces_are_dropped_inside_words():
    # "&shy;" marks where a word may break; a zero-width space, where a line may: neither is text.
    assert normalise_text("St. Mag\u00adda\u00adle\u00adner") == "St. Magdalener"
    assert normalise_text("news\u200broom \u2060and\ufeff") == "newsroom and"


def test_zero_width_joiners_stay():
    # Persian writes some words with a zero-width non-joiner; emoji sequences use the joiner.
    assert normalise_text("\u0645\u06cc\u200c\u062e\u0648\u0627\u0647\u0645") == "\u0645\u06cc\u200c\u062e\u0648\u0627\u0647\u0645"
    assert normalise_text("\U0001f469\u200d\U0001f4bb") == "\U0001f469\u200d\U0001f4bb"


def test_only_invisible_characters_give_none():
    assert normalise_text("\u00ad\u200b ") is None


# element_text


def test_element_text_of_none_is_none():
    assert element_text(None) is None


@pytest.mark.parametrize("tag", sorted(BLOCK_TAGS))
def test_a_block_element_separates_the_words_around_and_inside_it(tag):
    assert element_text(built("span", "before", tag, "inside", "after")) == "before inside after"


@pytest.mark.parametrize("tag", ["span", "a", "b", "em", "strong", "time", "caption"])
def test_an_inline_element_joins_the_words_around_it(tag):
    assert element_text(built("span", "before", tag, "inside", "after")) == "beforeinsideafter"


@pytest.mark.parametrize("tag", ["script", "style", "noscript", "template"])
def test_scripts_and_styles_are_no_text_but_what_follows_them_is(tag):
    assert element_text(built("p", "Read", tag, "var x = 1;", " on")) == "Read on"


def test_an_element_that_is_itself_a_script_has_no_text():
    assert element_text(built("script", "var x = 1;", "b", "y", "z")) is None


def test_a_comment_is_no_text_but_what_follows_it_is():
    assert element_text(html("<p>Dam<!-- an editor's note --> talks</p>")) == "Dam talks"


def test_a_block_with_only_its_own_text_and_blocks_inside():
    assert element_text(html("<div>Lead<p>One</p><p>Two</p>end</div>")) == "Lead One Two end"


# block_kind


def test_a_block_kind_comes_from_its_own_tag():
    root = html("<div><h3>Heading</h3><blockquote>Quote</blockquote><ul><li>Item</li></ul><p>Text</p></div>")
    assert [block_kind(element) for element in root.iter("h3", "blockquote", "li", "p")] == [
        "heading", "quote", "list_item", "paragraph"]


def test_a_block_kind_comes_from_the_nearest_quote_or_list_item_around_it():
    root = html("<div><blockquote><ul><li><p>In an item in a quote</p></li></ul></blockquote>"
                "<blockquote><div><p>In a quote</p></div></blockquote></div>")
    first, second = root.iter("p")
    assert block_kind(first) == "list_item"
    assert block_kind(second) == "quote"


def test_a_block_kind_looks_no_further_than_the_container():
    root = html("<div><blockquote><div><p>Quoted</p></div></blockquote></div>")
    quote, paragraph = root.find(".//blockquote"), root.find(".//p")
    assert block_kind(paragraph, quote) == "paragraph"  # the container's own kind is not counted
    assert block_kind(paragraph, root) == "quote"
    assert block_kind(quote, quote) == "paragraph"


# text_blocks


def test_each_block_element_gives_a_block_with_its_inline_children():
    root = html('<div>Lead <b>bold</b> text<p>Para <a href="one">one</a></p>tail text'
                '<ul><li>One</li><li>Two <a href="/two">two</a></li></ul>end</div>')
    assert text_blocks(root, base_url=BASE) == [
        BodyBlock("paragraph", "Lead bold text", []),
        BodyBlock("paragraph", "Para one", [Link("https://news.example/world/2024/one", "one")]),
        BodyBlock("paragraph", "tail text", []),
        BodyBlock("list_item", "One", []),
        BodyBlock("list_item", "Two two", [Link("https://news.example/two", "two")]),
        BodyBlock("paragraph", "end", []),
    ]


def test_links_stay_with_the_block_that_holds_them():
    root = html('<div><a href="/a">A</a> first<p>middle</p>last <a href="/b">B</a></div>')
    assert text_blocks(root, base_url=BASE) == [
        BodyBlock("paragraph", "A first", [Link("https://news.example/a", "A")]),
        BodyBlock("paragraph", "middle", []),
        BodyBlock("paragraph", "last B", [Link("https://news.example/b", "B")]),
    ]


@pytest.mark.parametrize(("tag", "kind"), [("h1", "heading"), ("h2", "heading"), ("h3", "heading"),
                                           ("h4", "heading"), ("h5", "heading"), ("h6", "heading"),
                                           ("blockquote", "quote"), ("li", "list_item"), ("p", "paragraph"),
                                           ("div", "paragraph"), ("pre", "paragraph")])
def test_the_kind_of_a_block_is_that_of_its_tag(tag, kind):
    root = lxml.etree.Element("div")
    lxml.etree.SubElement(root, tag).text = "Words"
    assert text_blocks(root) == [BodyBlock(kind, "Words", [])]


def test_blocks_inside_a_quote_or_item_take_its_kind_and_the_nearest_counts():
    root = html("<div><blockquote><p>Said one</p><ul><li><p>Listed</p></li></ul></blockquote>"
                "<li><h4>Titled item</h4></li></div>")
    assert [(block.kind, block.text) for block in text_blocks(root)] == [
        ("quote", "Said one"), ("list_item", "Listed"), ("heading", "Titled item")]


def test_the_container_kind_is_the_kind_of_its_own_text():
    assert text_blocks(html("<blockquote>Said <p>and did</p></blockquote>")) == [
        BodyBlock("quote", "Said", []), BodyBlock("quote", "and did", [])]
    assert text_blocks(html("<li>Item</li>")) == [BodyBlock("list_item", "Item", [])]
    assert text_blocks(html("<section>Plain</section>")) == [BodyBlock("paragraph", "Plain", [])]


def test_a_line_break_is_a_space_not_a_new_block():
    assert text_blocks(html("<p>Dam<br>talks</p>")) == [BodyBlock("paragraph", "Dam talks", [])]


@pytest.mark.parametrize("tag", ["script", "style", "noscript", "template", "figure", "figcaption", "aside", "nav",
                                 "form", "footer", "button", "select"])
def test_what_is_not_text_is_left_out_but_the_text_after_it_stays(tag):
    root = built("div", "Kept", tag, "Dropped", " after")
    assert text_blocks(root) == [BodyBlock("paragraph", "Kept after", [])]


def test_a_comment_is_left_out_and_the_text_after_it_stays():
    assert text_blocks(html("<div>Kept<!-- note --> after</div>")) == [BodyBlock("paragraph", "Kept after", [])]


def test_skip_leaves_out_an_element_and_all_it_holds():
    def sharing(element) -> bool:
        return element.get("class") == "share"

    root = html('<div><p>One</p><div class="share">Share <a href="/s">this</a><p>Inside</p></div> Two</div>')
    assert text_blocks(root, skip=sharing, base_url=BASE) == [BodyBlock("paragraph", "One", []),
                                                              BodyBlock("paragraph", "Two", [])]
    assert [block.text for block in text_blocks(root, base_url=BASE)] == ["One", "Share this", "Inside", "Two"]


def test_a_link_inside_a_template_is_not_a_link_of_the_block():
    root = html('<div><p>Read <span>more<template><a href="/t">t</a></template></span> '
                '<span><a href="/kept">here</a></span></p></div>')
    assert text_blocks(root, base_url=BASE) == [
        BodyBlock("paragraph", "Read more here", [Link("https://news.example/kept", "here")])]


def test_links_of_a_body_inside_a_page_wide_form_are_kept():
    # Some sites wrap the whole page in a <form>: only what is inside the body counts.
    page = lxml.html.fromstring('<html><body><form><div id="body"><p>See <span><a href="/x">this</a></span></p>'
                                '<table><tr><td><span><a href="/y">cell</a></span></td></tr></table>'
                                '</div></form></body></html>')
    body = page.get_element_by_id("body")
    assert text_blocks(body, base_url=BASE) == [
        BodyBlock("paragraph", "See this", [Link("https://news.example/x", "this")]),
        BodyBlock("table", "cell", [Link("https://news.example/y", "cell")]),
    ]


def test_a_data_table_is_its_caption_then_one_block_a_row():
    root = html('<div>Before<table><caption>Levels, <a href="/src">source</a></caption>'
                '<tr><th>Reservoir</th><th>Level</th></tr>'
                '<tr><td>North</td><td></td></tr>'
                '<tr><td> </td><td></td></tr>'
                '<tr><td>South</td><td>is <a href="/s">48 %</a></td></tr></table>after</div>')
    assert text_blocks(root, base_url=BASE) == [
        BodyBlock("paragraph", "Before", []),
        BodyBlock("paragraph", "Levels, source", [Link("https://news.example/src", "source")]),
        BodyBlock("table", "Reservoir | Level", []),
        BodyBlock("table", "North | ", []),  # an empty cell stays, so the columns line up
        BodyBlock("table", "South | is 48 %", [Link("https://news.example/s", "48 %")]),
        BodyBlock("paragraph", "after", []),
    ]


def test_a_table_cell_skip_leaves_out_is_no_column():
    def hidden(element) -> bool:
        return element.get("hidden") is not None

    root = html('<div><table><tr><td>A</td><td hidden>B</td><td>C <a href="/c">c</a></td></tr>'
                '<tr><td hidden><a href="/h">h</a></td></tr></table></div>')
    assert text_blocks(root, skip=hidden, base_url=BASE) == [
        BodyBlock("table", "A | C c", [Link("https://news.example/c", "c")])]


def test_a_link_in_a_template_of_a_cell_is_no_link_of_the_row():
    root = html('<div><table><tr><td>A <span><template><a href="/t">t</a></template></span>'
                '<a href="/a">a</a></td></tr></table></div>')
    assert text_blocks(root, base_url=BASE) == [BodyBlock("table", "A a", [Link("https://news.example/a", "a")])]


def test_a_table_laid_out_with_blocks_is_read_as_those_blocks():
    root = html("<div><table><tr><td><p>One</p><p>Two</p></td><td><ul><li>Item</li></ul></td></tr></table></div>")
    assert text_blocks(root) == [BodyBlock("paragraph", "One", []), BodyBlock("paragraph", "Two", []),
                                 BodyBlock("list_item", "Item", [])]


def table_whose_cell_holds(tag: str, cell: str = "td"):
    table = lxml.etree.Element("table")
    row = lxml.etree.SubElement(table, "tr")
    lxml.etree.SubElement(row, "td").text = "plain"
    holder = lxml.etree.SubElement(row, cell)
    holder.text = "a"
    lxml.etree.SubElement(holder, tag).text = "b"
    return table


@pytest.mark.parametrize("tag", sorted(BLOCK_TAGS - {"br", "tr", "td", "th"}))
@pytest.mark.parametrize("cell", ["td", "th"])
def test_a_cell_holding_a_block_makes_the_table_a_layout(tag, cell):
    assert _is_data_table(table_whose_cell_holds(tag, cell)) is False


@pytest.mark.parametrize("tag", ["br", "tr", "td", "th", "span", "a", "b", "img", "caption"])
def test_a_cell_holding_a_line_break_or_inline_markup_keeps_the_table_data(tag):
    assert _is_data_table(table_whose_cell_holds(tag)) is True


def test_a_comment_in_a_cell_keeps_the_table_data():
    assert _is_data_table(html("<table><tr><td>a<!-- b --></td></tr></table>")) is True


def test_blocks_outside_the_cells_do_not_make_a_layout():
    assert _is_data_table(html("<table><caption><p>Caption</p></caption><tr><td>a</td></tr></table>")) is True


# block_links and absolute_url


def test_block_links_keep_web_links_in_order_with_their_text():
    root = html('<p><a href="/b">B  text</a><a>no href</a><a href="  ">blank</a><a href="mailto:desk@news.example">'
                'm</a><a href="tel:+123">t</a><a href="javascript:void(0)">j</a><a href="data:text/plain,x">d</a>'
                '<a href="ftp://files.example/x">f</a><a href="http://other.example/a"><img src="x.png"></a></p>')
    assert block_links(root.iter("a"), BASE) == [Link("https://news.example/b", "B text"),
                                                 Link("http://other.example/a", "")]


@pytest.mark.parametrize(("href", "url"), [
    ("x", "https://news.example/world/2024/x"),
    ("/x", "https://news.example/x"),
    ("  ../x  ", "https://news.example/world/x"),
    ("//cdn.example/y", "https://cdn.example/y"),
    ("http://other.example/z?q=1#f", "http://other.example/z?q=1#f"),
    ("HTTPS://other.example/z", "https://other.example/z"),  # the scheme is read in any case
])
def test_a_web_link_is_resolved_against_the_base(href, url):
    assert absolute_url(href, BASE) == url


@pytest.mark.parametrize("href", [None, "", "   ", "mailto:a@b.example", "javascript:void(0)", "ftp://f.example/",
                                  "http://[::1/"])
def test_no_web_link_gives_none(href):
    assert absolute_url(href, BASE) is None


def test_a_relative_link_without_a_base_is_no_web_link():
    assert absolute_url("/x", None) is None
    assert absolute_url("https://news.example/x", None) == "https://news.example/x"


def test_eastern_digits_become_western():
    assert western_digits("٠١٢٣٤٥٦٧٨٩ ۰۱۲۳۴۵۶۷۸۹ 42") == "0123456789 0123456789 42"


def test_cells_written_without_a_row_are_a_row():
    # Hand-written pages leave out <tr>; lxml keeps such cells in the table (or its body), where a
    # browser reads them as one row. They were read as no row, and their text was lost.
    assert text_blocks(html('<div><table><td>North</td><td><a href="/n">61 %</a></td></table></div>'),
                       base_url=BASE) == [BodyBlock("table", "North | 61 %", [Link("https://news.example/n", "61 %")])]
    assert text_blocks(html("<div><table><thead><th>Level</th></thead><tbody><td>61 %</td></tbody>"
                            "<tfoot><td>Total</td></tfoot></table></div>")) == [
        BodyBlock("table", "Level", []), BodyBlock("table", "61 %", []), BodyBlock("table", "Total", [])]


def test_links_are_anchors_not_other_elements_with_an_address():
    root = html('<div><p>Read <span>more<link rel="preload" href="/font.woff2"></span></p>'
                '<table><caption>Levels<link rel="preload" href="/c.css"></caption>'
                '<tr><td>North<link rel="preload" href="/d.css"></td></tr></table></div>')
    assert text_blocks(root, base_url=BASE) == [BodyBlock("paragraph", "Read more", []),
                                                BodyBlock("paragraph", "Levels", []),
                                                BodyBlock("table", "North", [])]


def test_blocks_after_something_left_out_are_read():
    root = html("<div><p>One</p><nav>Menu</nav><p>Two</p><script>var x;</script></div>")
    assert text_blocks(root) == [BodyBlock("paragraph", "One", []), BodyBlock("paragraph", "Two", [])]
