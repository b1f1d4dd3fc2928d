"""The generic layer's own rules checked one by one (issue 20, mutation testing of parsers/generic.py).

Every expected value follows from the documented rule: the body is trafilatura's plain text a
line a block (a list item after "- ", a table row between pipes, the "|---|" rule under a header
row), each line taking the kind of the tree block with its words (a few blocks ahead at most) and
the links of the page's block with its words; comments are its comment lines less counters; the
full pass runs when the fast one found under SHORT_TEXT characters; the date is the publication
date, not the modification date.
"""

from __future__ import annotations

import lxml.etree
import lxml.html
import pytest

from newsarchive.items import BodyBlock, Link
from newsarchive.parsers.generic import (
    LEFT_OUT_SHARE,
    SHORT_TEXT,
    GenericExtraction,
    _left_out_structure,
    _lines_as_blocks,
    _links_by_text,
    _tree_blocks,
    _words,
    extract_body_and_comments,
    find_author,
    find_publication_date,
)

URL = "https://town.example/news/2024/bridge"
PARAGRAPHS = [f"Paragraph {n} of the report on the bridge over the river, with words enough to count as text."
              for n in range(3)]


def root_of(page: str):
    return lxml.html.fromstring(page)


def story(body: str, head: str = "", after: str = "") -> str:
    return f"<html><head>{head}</head><body><nav><a href='/'>Home</a></nav><article>{body}</article>{after}</body></html>"


# extract_body_and_comments


def test_each_line_of_the_text_is_a_block_with_the_kind_and_links_of_its_block():
    body = ("<h1>Bridge reopens</h1>" + "".join(f"<p>{text}</p>" for text in PARAGRAPHS)
            + "<h2>What next</h2><ul><li>One item here</li><li>Two <a href='two'>items</a></li></ul>"
              "<blockquote>We will see, said she.</blockquote>"
              "<table><tr><th>Bank</th><th>Shops</th></tr><tr><td><a href='/north'>North</a></td><td>12</td></tr></table>")
    found = extract_body_and_comments(root_of(story(body)), URL)
    assert found == GenericExtraction(body=[
        BodyBlock("heading", "Bridge reopens", []),
        *[BodyBlock("paragraph", text, []) for text in PARAGRAPHS],
        BodyBlock("heading", "What next", []),
        BodyBlock("list_item", "- One item here", []),
        BodyBlock("list_item", "- Two items", [Link("https://town.example/news/2024/two", "items")]),
        BodyBlock("quote", "We will see, said she.", []),
        BodyBlock("table", "| Bank | Shops |", []),
        BodyBlock("table", "|---|---|", []),
        BodyBlock("table", "| North | 12 |", [Link("https://town.example/north", "North")]),
    ], comments=[], fallback=True)


def test_comment_lines_are_kept_and_counters_left_out():
    comments = ("<div id='comments'><ol class='comment-list'>"
                "<li class='comment'><p>12 Reactions</p><p>First comment text here.</p></li>"
                "<li class='comment'><p>(3) Replies:</p><p>I agree with this</p><p>12 people agree</p></li></ol></div>")
    page = story("".join(f"<p>{text}</p>" for text in PARAGRAPHS), after=comments)
    found = extract_body_and_comments(root_of(page), URL)
    assert found.comments == ["First comment text here.", "I agree with this", "12 people agree"]
    assert [block.text for block in found.body] == PARAGRAPHS


def test_a_page_without_text_gives_nothing_after_both_passes():
    assert extract_body_and_comments(root_of("<html><body></body></html>"), URL) == GenericExtraction(fallback=True)


def sized(start: str, length: int) -> str:
    """A sentence of words of exactly `length` characters, ending in a full stop."""
    words = (start + " the bridge over the river is open again to traffic" * 3)[:length - 1]
    return words[:-1] + "s." if words.endswith(" ") else words + "."


@pytest.mark.parametrize(("last_length", "fallback"), [(91, False), (90, True)])
def test_the_full_pass_runs_below_short_text_characters(last_length, fallback):
    # Nine paragraphs of 100 characters and one more, ten lines joined by nine line breaks:
    # 900 + 91 + 9 = SHORT_TEXT characters exactly, or one fewer.
    assert SHORT_TEXT == 1000
    texts = [sized(f"Line {n}", 100) for n in range(9)] + [sized("Last", last_length)]
    assert [len(text) for text in texts] == [100] * 9 + [last_length]
    found = extract_body_and_comments(root_of(story("".join(f"<p>{text}</p>" for text in texts))), URL)
    assert [block.text for block in found.body] == texts
    assert found.fallback is fallback


# _left_out_structure: when the fast pass's text lacks the story's subheadings and lists

STORY_LINES = [sized(f"Line {n}", 100) for n in range(9)] + [sized("Last", 91)]  # 1,000 characters in all


def structured(left_out: str, first_paragraph: str = STORY_LINES[0], wrap: bool = False) -> object:
    first = f"<div class='para'><p>{first_paragraph}</p></div>" if wrap else f"<p>{first_paragraph}</p>"
    paragraphs = first + "".join(f"<p>{text}</p>" for text in STORY_LINES[1:])
    return root_of(story(f"<div class='entry'>{paragraphs}{left_out}</div><aside><ul><li>{'x' * 900}</li></ul></aside>"))


def spaced(length: int) -> str:
    """Words of two letters, `length` characters with their spaces."""
    return ("ab " * length)[:length].strip().ljust(length, "c")


@pytest.mark.parametrize(("left_out", "expected"), [
    (f"<h2>{spaced(149)}</h2><ol><li>{'l' * 151}</li></ol>", False),  # 300 characters: 0.3 of 1,000
    (f"<h2>{spaced(149)}</h2><ol><li>{'l' * 152}</li></ol>", True),
    ("<h3>" + "h" * 301 + "</h3>", True),
    ("<h4>" + "h" * 301 + "</h4>", True),
    ("<h5>" + "h" * 301 + "</h5>", False),  # not a subheading the fast pass drops
    ("<div><ul><li>" + "l" * 301 + "</li></ul></div>", True),  # anywhere inside the story's element
])
def test_the_full_pass_runs_when_the_fast_one_left_out_subheadings_and_lists(left_out, expected):
    assert LEFT_OUT_SHARE == 0.3
    text = "\n".join(STORY_LINES)
    assert len(text) == 1000 and len(spaced(149)) == 149
    assert _left_out_structure(structured(left_out), text) is expected
    # A wrapper of the first paragraph alone is not the story's element: the one around it is.
    assert _left_out_structure(structured(left_out, wrap=True), text) is expected


def test_what_the_fast_pass_kept_or_what_stands_elsewhere_is_not_left_out():
    text = "\n".join(STORY_LINES)
    kept = "<h2>" + "h" * 400 + "</h2><ul><li>" + "l" * 400 + "</li></ul>"
    assert _left_out_structure(structured(kept), "\n".join([*STORY_LINES, "h" * 400, "- " + "l" * 400])) is False
    # The story's element is found by a first line of prose: 60 characters or more, among the first three.
    for length, found in [(59, False), (60, True)]:
        first = sized("First", length)
        page = structured("<h2>" + "h" * 400 + "</h2>", first_paragraph=first)
        assert _left_out_structure(page, "\n".join([first, "x" * 59, "y" * 59, *STORY_LINES[1:]])) is found
        assert _left_out_structure(page, "\n".join([first, *STORY_LINES[1:]])) is True  # by its second line
    assert _left_out_structure(structured("<h2>" + "h" * 400 + "</h2>"), "") is False
    # ... and 5,000 characters at most: a longer line is a page of text, not a paragraph.
    for length, found in [(5000, True), (5001, False)]:
        first = ("Long " + "the bridge is open again " * 400)[:length - 1] + "."
        page = structured("<h2>" + "h" * 4000 + "</h2>", first_paragraph=first)
        assert _left_out_structure(page, "\n".join([first, "x" * 59, "y" * 59, *STORY_LINES[1:]])) is found
    # A paragraph's markup may space its words out, to twice that length.
    spaced_out = ("Wide " + "the bridge is open again " * 400)[:3999] + "."
    for spaces, found in [(6000, True), (6001, False)]:
        page = structured("<h2>" + "h" * 4000 + "</h2>", first_paragraph=spaced_out + " " * spaces)
        assert _left_out_structure(page, "\n".join([spaced_out, "x" * 59, "y" * 59, *STORY_LINES[1:]])) is found
    # A first line no paragraph of the page holds: no story's element to look in.
    assert _left_out_structure(structured("<h2>" + "h" * 400 + "</h2>"), "\n".join(["z" * 80, "y" * 80, "w" * 80, *STORY_LINES])) is False
    # Paragraphs of the page before the story's (a header's tagline) are not the story's.
    page = structured("<h2>" + "h" * 400 + "</h2>")
    page.find(".//body").insert(0, lxml.html.fromstring("<header><p>Tagline</p><span>x</span></header>"))
    assert _left_out_structure(page, text) is True
    # A first paragraph that is the page's root has no element around it.
    assert _left_out_structure(root_of(f"<p>{STORY_LINES[0]}</p>"), text) is False


# _lines_as_blocks


def test_a_line_takes_the_kind_of_the_next_tree_block_with_its_words():
    tree = [BodyBlock("heading", "Title", []), BodyBlock("paragraph", "Body text", []),
            BodyBlock("list_item", "Item", []), BodyBlock("table", "a | b", [])]
    links = {"Title": [Link("https://town.example/t", "Title")], "Item": [Link("https://town.example/i", "Item")]}
    lines = ["Title", "Title", "- Item", "| a | b |", "|---|---|", "Loose line"]
    assert _lines_as_blocks(lines, tree, links) == [
        BodyBlock("heading", "Title", [Link("https://town.example/t", "Title")]),
        # the tree's "Title" is used up: this one matches none of the blocks after it
        BodyBlock("paragraph", "Title", [Link("https://town.example/t", "Title")]),
        BodyBlock("list_item", "- Item", [Link("https://town.example/i", "Item")]),
        BodyBlock("table", "| a | b |", []),
        BodyBlock("table", "|---|---|", []),  # matches no block, but reads as a table line
        BodyBlock("paragraph", "Loose line", []),
    ]


def test_a_line_looks_three_tree_blocks_ahead_at_most():
    tree = [BodyBlock("heading", "A", []), BodyBlock("quote", "B", []), BodyBlock("quote", "C", []),
            BodyBlock("heading", "D", []), BodyBlock("list_item", "E", [])]
    # "D" is the fourth block from the start: too far. "B" then matches the second, and from the
    # third on, "E" is the third block ahead.
    assert [block.kind for block in _lines_as_blocks(["D", "B", "E"], tree, {})] == [
        "paragraph", "quote", "list_item"]


def test_a_line_past_the_last_tree_block_is_a_paragraph():
    tree = [BodyBlock("heading", "A", []), BodyBlock("heading", "B", [])]
    assert [block.kind for block in _lines_as_blocks(["Z", "A", "B", "C"], tree, {})] == [
        "paragraph", "heading", "heading", "paragraph"]


def test_words_leave_out_spaces_and_pipes():
    assert _words(" | North |  61 %\t| ") == "North61%"


# _tree_blocks


def test_trafilatura_tree_tags_are_read_as_their_html_blocks():
    body = lxml.etree.fromstring(
        '<body><head rend="h3">Sub</head><head>Plain head</head><head rend="h9">Odd</head>'
        '<p>Para <hi rend="#b">bold</hi> end</p><list><item>One</item></list><quote>Said</quote>'
        '<table><row><cell>a</cell><cell>b</cell></row></table><p>line<lb/>break</p>'
        '<div><p>In div</p></div><!-- a note --><ab>other</ab></body>')
    assert _tree_blocks(body) == [
        BodyBlock("heading", "Sub", []), BodyBlock("heading", "Plain head", []), BodyBlock("heading", "Odd", []),
        BodyBlock("paragraph", "Para bold end", []), BodyBlock("list_item", "One", []),
        BodyBlock("quote", "Said", []), BodyBlock("table", "a | b", []),
        BodyBlock("paragraph", "line", []), BodyBlock("paragraph", "break", []),  # a line break ends a block
        BodyBlock("paragraph", "In div", []), BodyBlock("paragraph", "other", []),
    ]


def test_no_tree_gives_no_blocks():
    assert _tree_blocks(None) == []


# _links_by_text


def test_links_are_grouped_by_the_words_of_their_nearest_block_and_a_cell_s_row():
    root = root_of('<html><head><base href="/sub/"></head><body><div>Intro'
                   '<p><a>no address</a></p><p>See <a href="a">A</a> and <b><a href="/b">B</a></b></p>'
                   '<table><tr><th><a href="n">North</a></th><td>61 %</td></tr></table>'
                   '<p>Not a line <a href="/c">C</a></p></div></body></html>')
    north = [Link("https://town.example/sub/n", "North")]
    assert _links_by_text(root, URL, ["See A and B", "| North | 61 % |", "- North"]) == {
        "SeeAandB": [Link("https://town.example/sub/a", "A"), Link("https://town.example/b", "B")],
        "North61%": north,
        "North": north,
    }


@pytest.mark.parametrize(("head", "resolved"), [
    ('<base target="_blank">', "https://town.example/news/2024/a"),  # a base without an address
    ('<base href="mailto:desk@town.example">', "https://town.example/news/2024/a"),  # no web address
    ('<base href="https://cdn.town.example/x/">', "https://cdn.town.example/x/a"),
])
def test_links_are_resolved_against_the_base_when_it_gives_a_web_address(head, resolved):
    root = root_of(f'<html><head>{head}</head><body><p>See <a href="a">A</a></p></body></html>')
    assert _links_by_text(root, URL, ["See A"]) == {"SeeA": [Link(resolved, "A")]}


def test_a_link_in_no_block_is_no_link_of_a_line():
    root = root_of('<html><body><a href="/a">A</a><span><a href="/b">B</a></span></body></html>')
    assert _links_by_text(root, URL, ["A", "B", "AB"]) == {}


# find_publication_date, find_author

PUBLISHED = "<meta property='article:published_time' content='2024-03-04T09:15:00+00:00'>"
MODIFIED = "<meta property='article:modified_time' content='2024-03-09T09:15:00+00:00'>"


def test_the_date_is_the_publication_date_not_the_modification_date():
    page = story("".join(f"<p>{text}</p>" for text in PARAGRAPHS), head=PUBLISHED + MODIFIED)
    assert find_publication_date(root_of(page), URL) == "2024-03-04"


def test_the_date_comes_from_the_url_when_the_page_gives_none():
    page = story("".join(f"<p>{text}</p>" for text in PARAGRAPHS))
    assert find_publication_date(root_of(page), "https://town.example/2024/03/05/bridge") == "2024-03-05"
    assert find_publication_date(root_of(page), URL) is None


def test_the_author_is_read_from_the_byline_with_whitespace_collapsed():
    page = story("<div class='author'>  Ana \n  Ruiz </div>" + "".join(f"<p>{text}</p>" for text in PARAGRAPHS))
    assert find_author(root_of(page)) == "Ana Ruiz"
    assert find_author(root_of(story("".join(f"<p>{text}</p>" for text in PARAGRAPHS)))) is None


def test_of_two_dates_in_the_text_the_first_publication_is_taken():
    page = story("<p>Published 4 March 2024. Updated 9 March 2024.</p><p>Text of the story here and more.</p>")
    assert find_publication_date(root_of(page), URL) == "2024-03-04"


SPANS = ["The council met on Tuesday to decide the future of the old bridge over the river.",
         "Engineers said the repairs would take two years and cost more than planned."]


def pass_lines(page: str, fast: bool) -> list[str]:
    """The lines of trafilatura's own text of one pass, read here without the module under test."""
    import trafilatura

    found = trafilatura.bare_extraction(root_of(page), url=URL, with_metadata=False, include_comments=True,
                                        include_tables=True, fast=fast)
    return [" ".join(line.split()) for line in found.text.split("\n") if line.strip()]


def test_a_short_text_is_the_full_pass_s():
    # Spans on lines of their own: the fast pass keeps a line each, the full pass joins them, so
    # the two texts tell which pass gave the body.
    page = "<html><body>" + "<br>".join(f"<span>{text}</span>" for text in SPANS) + "</body></html>"
    fast, full = pass_lines(page, fast=True), pass_lines(page, fast=False)
    assert fast == SPANS and full == [" ".join(SPANS)]
    found = extract_body_and_comments(root_of(page), URL)
    assert [block.text for block in found.body] == full
    assert found.fallback is True


def test_an_element_with_an_address_that_is_no_anchor_is_no_link():
    root = root_of('<html><body><p>See <link rel="preload" href="/font.woff2"> this</p></body></html>')
    assert _links_by_text(root, URL, ["See this"]) == {}
