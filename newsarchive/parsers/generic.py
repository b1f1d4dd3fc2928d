"""The generic layer: trafilatura's and htmldate's rules, for what no cheaper layer found.

The costliest layer, so it is asked field by field and only when needed: the body and comments
in one fast trafilatura pass (without its metadata pass, which costs half of it and which the
metadata layers stand in for; its full pass only when the fast one found little), the date from
htmldate, an author from trafilatura's byline rules.
"""

from __future__ import annotations

import re
import threading
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from functools import cache
from typing import Any

from lxml import etree

from newsarchive.items import BodyBlock, Link
from newsarchive.parsers.boilerplate import NOT_BODY_TAGS
from newsarchive.parsers.dates import parse_free_text_date
from newsarchive.parsers.language import detect_language
from newsarchive.parsers.text import BLOCK_TAGS, absolute_url, block_links, element_text, normalise_text, text_blocks

_HEADING_TAGS = frozenset({"h1", "h2", "h3", "h4", "h5", "h6"})
SHORT_TEXT = 1000  # characters: less than a short article's body, so worth the full pass

# A line such as "0 comments" or "12 Reactions": a counter, not a comment.
_COUNTER_LINE = re.compile(r"^\W*\d+\W*\s*\S+\W*$")


@dataclass(frozen=True)
class GenericExtraction:
    """What trafilatura read of a page: body blocks and comment lines (no counters)."""

    body: list[BodyBlock] = field(default_factory=list)
    comments: list[str] = field(default_factory=list)
    fallback: bool = False  # whether trafilatura's full pass ran (the fast one found little)


NOTHING = GenericExtraction()


def extract_body_and_comments(root, url: str, language: str | None = None, joiners: bool = True) -> GenericExtraction:
    """trafilatura's body and comments of the page's tree, which stays as it was: trafilatura (2.3
    on) prunes a copy of a tree it is given, so the page is neither parsed nor copied again here.

    Its fast pass first; its full pass (which also runs readability and jusText and keeps the
    better text) only when the fast one found little, or left out the story's subheadings and
    lists (see _left_out_structure): on real pages the two differ almost only there, and the full
    pass costs a third more (numbers in bench/extraction.py).

    The body's blocks are the lines of trafilatura's plain text, as the archive has always stored
    them (a changed text would make a new version of every such article), with the kinds of its
    tree and the links of the page's own block of that text (see _lines_as_blocks). The words its
    text lost their zero-width joiners and non-joiners in get them back (`joiners`: whether the
    page may hold any; see _with_joiners)."""
    found = _trafilatura(root, url, fast=True)
    fallback = found is None or len(found.text or "") < SHORT_TEXT or _left_out_structure(root, found.text or "")
    if fallback:
        # A page that declares no language: the fast pass's text tells it, when it found any.
        language = language or (detect_language(found.text) if found is not None and found.text else None)
        with _justext_stoplist_of(language):
            found = _trafilatura(root, url, fast=False) or found
    if found is None:
        return GenericExtraction(fallback=fallback)
    lines = [line for line in map(normalise_text, (found.text or "").split("\n")) if line]
    comments = [line for line in map(normalise_text, (found.comments or "").split("\n")) if line]
    if unshown := _noscript_texts(root):  # trafilatura's fallback reads them: a browser never shows them
        lines = [line for line in lines if _line_key(line) not in unshown]
        comments = [line for line in comments if _line_key(line) not in unshown]
    if joiners:
        lines, comments = _with_joiners(root, lines, comments)
    return GenericExtraction(
        body=_lines_as_blocks(lines, _tree_blocks(found.body), _links_by_text(root, url, lines)),
        comments=[line for line in comments if not _COUNTER_LINE.match(line)],
        fallback=fallback,
    )


@contextmanager
def _justext_stoplist_of(language: str | None):
    """jusText (in trafilatura's full pass) told the stop words of the page's language, when it
    has them. Told no language, trafilatura gives it the stop words of all its 100 languages,
    which it gathers the first time in each process: 2.4 s of CPU and 25 MB, kept, and lower-cased
    into a set of their own, kept too, in each parser worker (bench/generic_crawl.py)."""
    import trafilatura.external as external

    name = external.JUSTEXT_LANGUAGES.get((language or "").split("-")[0].lower())
    if name is None:
        yield
        return
    all_languages = external.JT_STOPLIST
    external.JT_STOPLIST = _stoplist(name)  # type: ignore[assignment]  # trafilatura declares it None
    try:
        yield
    finally:  # all languages again for the next page, and for any other user of trafilatura
        external.JT_STOPLIST = all_languages


@cache
def _stoplist(name: str) -> frozenset[str]:
    """jusText's stop words of one language, which it reads from its files and lower-cases at each
    call (0.17 ms a page that takes the full pass)."""
    from justext import get_stoplist

    return get_stoplist(name)


def _left_out_structure(root, text: str) -> bool:
    """Whether the fast pass left out much of the story's structure: the element holding the
    story's first paragraphs (one of the text's first three lines, 60 characters or more) holds
    subheadings and list items, not in the text, of more than LEFT_OUT_SHARE of its length."""
    lines = [line for line in text.split("\n") if line.strip()]
    firsts = {_words(line) for line in lines[:3] if _FIRST_LINE <= len(line) <= _LONGEST_LINE}
    paragraph = _paragraph_holding(root, firsts) if firsts else None
    story = _around(paragraph) if paragraph is not None else None
    if story is None:
        return False
    kept = {_line_key(line) for line in lines}
    left_out = (" ".join(element.text_content().split()) for element in story.iter("h2", "h3", "h4", "li"))
    return sum(len(part) for part in left_out if part and _words(part) not in kept) > LEFT_OUT_SHARE * len(text)


def _paragraph_holding(root, firsts: set[str]):
    """The first `<p>` whose words are one of `firsts` (a paragraph's length at most, in case its
    markup spaces them out: a page-long `<p>` is not compared)."""
    for paragraph in root.iter("p"):
        text = paragraph.text_content()
        if len(text) <= 2 * _LONGEST_LINE and _words(text) in firsts:
            return paragraph
    return None


def _around(paragraph):
    """The nearest element around a paragraph that holds more than it: a wrapper of that paragraph
    alone (`<div class="para"><p>...</p></div>`) is not the story's element."""
    own = _words(paragraph.text_content())
    return next((element for element in paragraph.iterancestors() if _words(element.text_content()) != own), None)


_FIRST_LINE = 60  # characters: a line of prose, not a label or a date
_LONGEST_LINE = 5000  # characters: a paragraph; a longer line is a page of text, no story's structure
LEFT_OUT_SHARE = 0.3


def _trafilatura(root, url: str, fast: bool):
    import trafilatura  # imported on first need: a profiled crawl may never use it

    # Without include_links: with it, trafilatura keeps other lines (link-heavy ones) and so
    # another text; the links are read from the page (_links_by_text).
    found = trafilatura.bare_extraction(
        root, url=url, with_metadata=False, include_comments=True, include_tables=True,
        include_images=False, as_dict=False, fast=fast,
    )
    return None if isinstance(found, dict) else found  # a dict only with as_dict=True


_NOSCRIPT = etree.XPath("//noscript[normalize-space()]")


def _noscript_texts(root) -> set[str]:
    """The words (_words) of the page's <noscript> notes, which a browser running scripts never
    shows, and no other layer reads: an app's shell ("You need to enable JavaScript to run this
    app.") was archived with that note as its story, and never rendered for the story its script
    writes; a comment service's "Please enable JavaScript to view the comments" joined a story."""
    return {_words(note.text_content()) for note in _NOSCRIPT(root)}


_JOINERS = "\u200c\u200d"
_NO_JOINERS = str.maketrans("", "", _JOINERS)
_JOINED_TEXT = etree.XPath("//text()[contains(., '\u200c') or contains(., '\u200d')]")


def _with_joiners(root, *texts: list[str]) -> tuple[list[str], ...]:
    """The lines with the zero-width non-joiners and joiners of the page's words: trafilatura drops
    every character that is not printable, and so spelled Persian "می‌خواهم" as "میخواهم" (another
    word to a reader and to search) and split a family emoji into its people. Each word of the
    page's text that holds one stands in for the same word without it; but for a word the page also
    writes without one, which occurrence is which cannot be told: left as trafilatura gives it."""
    spelled: dict[str, str] = {}
    for text in _JOINED_TEXT(root):
        for word in text.split():
            if word.translate(_NO_JOINERS) != word:
                spelled.setdefault(word.translate(_NO_JOINERS), word)
    if spelled:
        for text in root.itertext():
            for word in set(text.split()).intersection(spelled):
                spelled.pop(word, None)
    return tuple([" ".join(spelled.get(word, word) for word in line.split(" ")) for line in lines] for lines in texts)


# What trafilatura's plain text adds to a line: a list item's "- ", a table row's pipes, its rule
# under a header row ("|---|---|").
_LIST_MARK = re.compile(r"^- ")
_TABLE_LINE = re.compile(r"^\|.*\|$")


def _lines_as_blocks(lines: list[str], tree_blocks: list[BodyBlock], links: dict[str, list[Link]]) -> list[BodyBlock]:
    """Each line of trafilatura's plain text as a block: its kind that of the block of trafilatura's
    tree with the same words (matched in order, a few blocks ahead at most), its links those of
    the page's block with the same words. A line no tree block matches (a code listing's lines,
    which the tree holds as one) is a paragraph; a table line (the rule) a table block."""
    blocks, next_block = [], 0
    tree_keys = [_words(block.text) for block in tree_blocks]  # once: a long block read for each line was quadratic
    for line in lines:
        key = _line_key(line)
        match = next((index for index in range(next_block, min(next_block + 3, len(tree_blocks)))
                      if tree_keys[index] == key), None)
        if match is not None:
            kind, next_block = tree_blocks[match].kind, match + 1
        else:
            kind = "table" if _TABLE_LINE.match(line) else "paragraph"
        blocks.append(BodyBlock(kind, line, list(links.get(key, ()))))
    return blocks


def _words(text: str) -> str:
    """A block's text without spaces and table pipes: what a line, a tree block and the page's
    block of the same text share."""
    return "".join(text.replace("|", " ").split())


# trafilatura's body tree (TEI-like tags) as the HTML tags text_blocks reads, for the kinds of its
# blocks: the same reading as every layer's. A line break ends a block, as it ends a line of text.
_HTML_TAGS = {"p": "p", "quote": "blockquote", "list": "ul", "item": "li", "table": "table", "row": "tr",
              "cell": "td", "lb": "hr", "div": "div"}


def _tree_blocks(body) -> list[BodyBlock]:
    """The blocks of trafilatura's body tree (renamed in place: the tree is this extraction's own)."""
    if body is None:
        return []
    for element in body.iter():
        if element.tag == "head":
            element.tag = element.get("rend") if element.get("rend") in _HEADING_TAGS else "h2"
        elif isinstance(element.tag, str) and element is not body:
            element.tag = _HTML_TAGS.get(element.tag, "span")
    return text_blocks(body)


def _links_by_text(root, url: str, lines: list[str]) -> dict[str, list[Link]]:
    """The page's links by the words of the block that holds them (its nearest block element, and
    a table cell's row too), for the blocks whose words are those of a line of the body."""
    keys = {_line_key(line) for line in lines}
    anchors: dict[Any, list] = {}  # lxml elements (untyped) -> their links
    for anchor in root.iter("a"):
        if not anchor.get("href"):
            continue
        block = next((a for a in anchor.iterancestors() if a.tag in BLOCK_TAGS and a.tag != "br"), None)
        for holder in (block, block.getparent() if block is not None and block.tag in ("td", "th") else None):
            if holder is not None:
                anchors.setdefault(holder, []).append(anchor)
    base = root.find(".//base[@href]")
    base_url = absolute_url(base.get("href"), url) or url if base is not None else url
    found = {}
    for holder, held in anchors.items():
        if (key := _words(holder.text_content())) in keys:
            found[key] = block_links(held, base_url)
    return found


def _line_key(line: str) -> str:
    return _words(_LIST_MARK.sub("", line))


_DESCRIPTION_NAMES = frozenset({"description", "og:description", "twitter:description"})
_LEAD_HOLDERS = frozenset({"p", "div", "h2", "h3", "h4", "header", "section"})
_LEAD_KEY = 40  # characters compared: a description is often the lead cut short
_LEAD_LENGTH = range(_LEAD_KEY, 1001)  # characters: a sentence or a few, not the whole story


def with_standfirst(root, blocks: list[BodyBlock]) -> list[BodyBlock]:
    """The body with its standfirst first: the lead under the headline that the page's description
    (meta, og: or twitter:) repeats. Themes print it in the header, outside the text container that
    trafilatura and articleBody read, yet it is the story's first paragraph. Only a lead shown
    between the headline and the body's first line, outside asides, figures and forms, and not
    in the body already.

    >>> from lxml import html
    >>> page = html.fromstring('<html><head><meta name="description" content="The council voted to '
    ...     'close the old bridge for two years of repairs."></head><body><h1>Bridge closes</h1><p>The '
    ...     'council voted to close the old bridge for two years of repairs.</p><div><p>Work starts in '
    ...     'May.</p></div></body></html>')
    >>> [block.text[:20] for block in with_standfirst(page, [BodyBlock("paragraph", "Work starts in May.")])]
    ['The council voted to', 'Work starts in May.']
    """
    descriptions = {_lead_key(text) for text in _descriptions(root)}
    if not blocks or not descriptions:
        return blocks
    lead = _shown_lead(root, descriptions, _lead_key(blocks[0].text)[:30])
    if lead is None or any(lead[:_LEAD_KEY] in block.text for block in blocks):
        return blocks
    return [BodyBlock("paragraph", lead), *blocks]


def _descriptions(root) -> list[str]:
    found = []
    for meta in root.iter("meta"):
        if (meta.get("name") or meta.get("property") or "").lower() in _DESCRIPTION_NAMES:
            text = (normalise_text(meta.get("content")) or "").rstrip(".…").rstrip()
            if len(text) >= _LEAD_KEY:
                found.append(text)
    return found


def _lead_key(text: str) -> str:
    return text[:_LEAD_KEY].casefold()


def _shown_lead(root, descriptions: set[str], body_start: str) -> str | None:
    """The text of the first block after the headline that opens as a description does and holds
    it, unless the body's first line comes first (one pass over the page, in reading order)."""
    openings = {description[:20] for description in descriptions}
    after_headline = False
    for element in root.iter():
        if element.tag == "h1":
            after_headline = True
            continue
        if not isinstance(element.tag, str) or not element.text or element.text.isspace():
            continue
        own = _lead_key(normalise_text(element.text) or "")
        if own.startswith(body_start):
            return None
        if after_headline and own[:20] in openings:
            holder = element if element.tag in _LEAD_HOLDERS else next(
                (a for a in element.iterancestors() if a.tag in _LEAD_HOLDERS), None)
            # A lead whose tag is never closed (<h2>Lead</h3>) holds the rest of the page: then
            # only its own text is the lead.
            text = normalise_text(element.text) if _holds_blocks(holder) else element_text(holder)
            text = text if text and len(text) in _LEAD_LENGTH else None
            # The description anywhere in the block: a lead may open with a kicker ("Live: ...").
            # Only the tags say what is no body: layout classes ("overflow-hidden") would too often.
            if holder is not None and text and any(key in text.casefold() for key in descriptions) \
                    and not any(a.tag in NOT_BODY_TAGS for a in holder.iterancestors()):
                return text
    return None


def _holds_blocks(holder) -> bool:
    """A paragraph or heading with blocks inside: markup whose end tag is missing or wrong."""
    return holder is not None and holder.tag in _LINE_HOLDERS and any(
        element.tag in _BLOCKS_INSIDE for element in holder.iterdescendants())


_LINE_HOLDERS = frozenset({"p", "h2", "h3", "h4"})
_BLOCKS_INSIDE = frozenset({"div", "p", "section", "article", "ul", "ol", "table", "figure"})


def find_publication_date(root, url: str, language: str | None = None) -> str | None:
    """htmldate's rules with the settings trafilatura gives them (publication, not modification),
    its last resort told the page's language (see _free_text_date)."""
    from htmldate import find_date
    from trafilatura.metadata import set_date_params

    with _free_text_dates_in(language), _asset_versions_hidden(root), _page_margins_hidden(root):
        return find_date(root, **{**set_date_params(True), "url": url}) or None


# Stylesheets and scripts, whose URLs often carry the day the site's theme was deployed as a
# cache-busting version ("main.css?v=2022-06-15"): htmldate's last search, over the page's markup,
# took that for the story's date when the page states none.
_ASSET_RELS = frozenset({"stylesheet", "preload", "modulepreload", "prefetch"})


@contextmanager
def _asset_versions_hidden(root):
    """The page's stylesheet and script URLs without their query strings while htmldate reads it
    (they are put back after)."""
    hidden = []
    for element in root.iter("link", "script"):
        name = "src" if element.tag == "script" else "href"
        value = element.get(name) or ""
        if "?" in value and (element.tag == "script" or _ASSET_RELS & set((element.get("rel") or "").lower().split())):
            hidden.append((element, name, value))
            element.set(name, value.split("?", 1)[0])
    try:
        yield
    finally:
        for element, name, value in hidden:
            element.set(name, value)


# The page's own navigation, sidebars and footer, outside its article: the dates there are other
# stories' (a sidebar's list of recent news, an archive calendar) or the site's (a copyright year),
# and htmldate, which prefers the oldest date it finds, took a sidebar's for the story's.
_MARGINS = ("nav", "aside", "footer")
_STORY_HOLDERS = frozenset({"article", "main"})


@contextmanager
def _page_margins_hidden(root):
    """The page without its margins (_MARGINS outside any article or main element) while
    htmldate reads it: each is taken out of its parent and put back where it was after."""
    hidden = []
    for element in root.iter(*_MARGINS):
        parent = element.getparent()
        if parent is None or any(a.tag in _STORY_HOLDERS or a.tag in _MARGINS for a in element.iterancestors()):
            continue
        hidden.append((parent, parent.index(element), element))
    for parent, _, element in hidden:
        parent.remove(element)
    try:
        yield
    finally:
        for parent, index, element in hidden:  # in document order: each index is right once those before it are back
            parent.insert(index, element)


# htmldate's last resort hands a line of free text ("Posted on 3 March 2020") to dateparser with no
# language, and dateparser then tries each of its 200 locales: a process spends seconds loading
# them all and keeps them (on the dev set, 4 ms a page more over its 272 pages, and 24 MB). The
# line goes instead to the dates module's own dateparser call, told the page's language (else the
# web's most used ones) and keeping its rules (no relative dates): the same dates on the dev set.
_PAGE = threading.local()


@cache
def _htmldate_own_last_resort():
    """htmldate's own, read once, before the first page puts ours in its place."""
    import htmldate.extractors

    return htmldate.extractors._external_date


@contextmanager
def _free_text_dates_in(language: str | None):
    import htmldate.extractors

    htmldate_own = _htmldate_own_last_resort()
    _PAGE.language = language
    htmldate.extractors._external_date = _free_text_date
    try:
        yield
    finally:  # htmldate as it was, for any other user of it in the process
        htmldate.extractors._external_date = htmldate_own


def _free_text_date(string: str) -> datetime | None:  # htmldate's own takes `string`
    return parse_free_text_date(string, getattr(_PAGE, "language", None))


def find_author(root) -> str | None:
    """trafilatura's byline rules (author XPaths of the visible page); names joined by ';'."""
    from trafilatura.metadata import extract_author

    return normalise_text(extract_author(root)) or None
