"""What stands around an article and is not part of it: navigation, teasers, widgets, comments.

Judged by an element's tag and by the words of its class and id names ("xy-related-posts",
"hideOnPrint"), the vocabulary themes use the world over, so that no site's own names are needed.
Where only text is left (the generic layer's lines), by the shape of the lines (labels over lists
of links, closing credits) and by the turns of phrase sites use the world over to address their
readers ("Sign up for our newsletter", "Follow us") and to announce other stories ("More
stories", "Weitere Themen", "À lire aussi").
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from newsarchive.parsers.comments import is_comment_item

# Tags that hold no prose of the story even inside the story's container.
NOT_BODY_TAGS = frozenset({"figure", "figcaption", "aside", "nav", "form", "footer", "script", "style"})

# Words in class and id names that mark what is around an article, not in it (a theme's related
# posts and teasers, sharing buttons, comment lists, tag lists, post navigation, hidden text).
_BOILERPLATE_WORDS = frozenset(
    "related teaser share sharing social sidebar widget newsletter subscribe promo advert ads nav "
    "navigation pagination breadcrumb breadcrumbs tags comments comment respond meta byline hidden hide "
    "rating poll vote survey reactions feedback caption".split()
)
_NAME_WORDS = re.compile(r"[A-Z]?[a-z]+|[A-Z]+(?![a-z])")  # "xy-related-posts", "hideOnPrint": words of names


def is_boilerplate(element) -> bool:
    """A hidden element, a comment item, or one whose class or id names a widget, teaser or list."""
    names = f"{element.get('class') or ''} {element.get('id') or ''}"
    if "display:none" in (element.get("style") or "").replace(" ", ""):
        return True
    return bool(names.strip()) and (
        not _BOILERPLATE_WORDS.isdisjoint(word.lower() for word in _NAME_WORDS.findall(names))
        or is_comment_item(element)
    )


def boilerplate_in(container) -> Callable[[Any], bool]:
    """is_boilerplate for the elements inside a story's container, but for a wrapper whose class
    words say widget while it holds most of the container's text: a theme's names on the story's
    own wrapper (WordPress Hueman's `entry themeform share`, a `row--sidebar` column, Bootstrap's
    `hidden-xs`), whose story was dropped whole. (Hidden by its style, or a comment, it stays out.)"""
    verdicts: dict = {}
    total: list[int] = []  # the container's text length, measured once a widget-named wrapper asks

    def skipped(element) -> bool:
        if element not in verdicts:
            verdicts[element] = is_boilerplate(element) and not (
                "display:none" not in (element.get("style") or "").replace(" ", "")
                and not is_comment_item(element) and 2 * len(element.text_content()) > _length(container, total))
        return verdicts[element]

    return skipped


def _length(container, measured: list[int]) -> int:
    if not measured:
        measured.append(len(container.text_content()))
    return measured[0]


def inside_non_body(element, container, skipped: Callable[[Any], bool] = is_boilerplate) -> bool:
    """Inside a figure, an aside, a form ... or a widget (rating, sharing, related links) of the
    body, as `skipped` tells widgets."""
    for ancestor in element.iterancestors():
        if ancestor is container:
            return False
        if ancestor.tag in NOT_BODY_TAGS or skipped(ancestor):
            return True
    return False


# A line that ends a sentence; a shorter line without such an end is a label ("Read more", "Topics").
_SENTENCE_END = re.compile(r"[.!…\"”“»«)]$")
_LABEL_LENGTH = 60  # characters: longer than "More on this subject:", shorter than a sentence of prose
_URL_TEXT = re.compile(r"^(?:https?://|www\.)", re.I)


def without_link_lists(blocks: list) -> list:
    """The body without the lists of links that lead away from the story: a label ("Read more:",
    a heading) over two or more lines that are all link text, anywhere; at the end, any lines of
    link text and the labels over them, and a last heading or "...:" label that introduces nothing.
    A line of bare URLs is a source list and stays. Never the whole body.

    >>> from newsarchive.items import BodyBlock, Link
    >>> teaser = BodyBlock("paragraph", "Other story", [Link("https://a.test/x", "Other story")])
    >>> [b.text for b in without_link_lists([BodyBlock("paragraph", "Story."), BodyBlock("heading", "More:"), teaser])]
    ['Story.']
    """
    drop: set[int] = set()
    for start, end in _link_runs(blocks):
        if end - start >= 2 and start > 0 and _is_label(blocks[start - 1]):
            drop.update(range(start - 1, end))
    last = len(blocks)
    while last and (last - 1 in drop or _is_link_line(blocks[last - 1])):
        last -= 1
    if last < len(blocks):  # a list of links ended the body: its labels go with it
        while last and _is_label(blocks[last - 1]):
            last -= 1
    while last and (blocks[last - 1].kind == "heading" or _ends_in_colon(blocks[last - 1])):
        last -= 1
    kept = [block for position, block in enumerate(blocks[:last]) if position not in drop]
    return kept or blocks


def _link_runs(blocks: list):
    """(start, end) of each run of consecutive lines of link text."""
    start = None
    for position, block in enumerate([*blocks, None]):
        if block is not None and _is_link_line(block):
            start = position if start is None else start
        elif start is not None:
            yield start, position
            start = None


def _is_link_line(block) -> bool:
    """A line that is (nearly) all the text of its links, and the links are not bare URLs."""
    text = block.text.removeprefix("- ")
    linked = sum(len(link.text) for link in block.links)
    return linked >= 0.8 * len(text) and not any(_URL_TEXT.match(link.text) for link in block.links)


def _is_label(block) -> bool:
    text = block.text.removeprefix("- ")
    return len(text) <= _LABEL_LENGTH and (block.kind == "heading" or not _SENTENCE_END.search(text))


def _ends_in_colon(block) -> bool:
    return len(block.text) <= _LABEL_LENGTH and block.text.endswith(":")


def before_comments(blocks: list, counter_text: str | None) -> list:
    """The body up to the page's comment counter ("3 comments"): what follows it is the comments
    and their form, not the story (trafilatura reads them as text where they carry no comment marks).

    >>> from newsarchive.items import BodyBlock
    >>> [b.text for b in before_comments([BodyBlock("paragraph", "Story."), BodyBlock("heading", "2 Comments"),
    ...                                   BodyBlock("paragraph", "Log in to comment.")], "2 Comments")]
    ['Story.']
    """
    cut = next((position for position, block in enumerate(blocks) if position and block.text == counter_text), None)
    return blocks if cut is None else blocks[:cut]


# "Photo: A. Name", "Crédits photos : Agence", "Source: Agency": a label of a word or a few, a colon,
# a value. At the body's end such lines are its colophon: credits, sources, contacts.
_LABELLED_LINE = re.compile(r"^([^\W\d][\w\s-]{1,24}?)\s?:\s+\S")
_COLOPHON_LENGTH = 80  # characters: a credit or a contact line, not a paragraph
# Lines: credits, a source and a contact are a few. A longer run of short labelled lines closing a
# story is a list of its own ("Monday: closed", "North: 12 seats", a results table's lines).
COLOPHON_LINES = 3


def without_colophon(blocks: list) -> list:
    """The body without the short "Label: value" lines that end it (photo credits, sources,
    contacts), COLOPHON_LINES at most. A label that also opens an earlier line is a speaker of an
    interview, and stays; a list's item is the story's. Never the whole body.

    >>> from newsarchive.items import BodyBlock
    >>> [b.text for b in without_colophon([BodyBlock("paragraph", "Story."), BodyBlock("paragraph", "Photo: A. Lens")])]
    ['Story.']
    """
    last = len(blocks)
    while last > 1 and _is_colophon_line(blocks[last - 1], blocks[:last - 1]):
        last -= 1
    return blocks[:last] if len(blocks) - last <= COLOPHON_LINES else blocks


def _is_colophon_line(block, before: list) -> bool:
    text = block.text
    if block.kind == "list_item":
        return False
    match = _LABELLED_LINE.match(text)
    if match is None or len(text) > _COLOPHON_LENGTH:
        return False
    label = match.group(1).strip()
    return not any(block.text.startswith(f"{label}:") or block.text.startswith(f"{label} :") for block in before)


# A label that announces other pages, not more of this one: "More stories", "Weitere Themen",
# "Top-Themen bei ...", "Zum Weiterlesen:", "À lire aussi", "Lee también", "Leggi anche". Not
# "More information" or "Weitere Informationen": the story's own contacts and links follow those.
_MORE_STORIES = re.compile(
    r"^(?:(?:more|weitere)\b(?!\s+(?:info|details|hinweise|angaben))|related\b|read (?:more|also|next)\b|"
    r"recommended\b|you (?:may|might) also\b|popular\b|mehr (?:zum|aus|von|über)\b|top-themen\b|"
    r"zum weiterlesen\b|lesen sie (?:auch|mehr)\b|auch interessant\b|das könnte\b|meistgelesen|most read\b|"
    r"trending\b|(?:à )?lire aussi\b|sur le même sujet\b|lee (?:también|más)\b|te puede interesar\b|"
    r"más noticias\b|leggi anche\b|potrebbe interessarti\b)", re.IGNORECASE)


def without_more_stories(blocks: list) -> list:
    """The body up to a label in its second half that announces other pages ("Weitere Themen",
    "More on this topic"): what follows it is teasers, not the story. Never the whole body."""
    for position in range(max(1, len(blocks) // 2), len(blocks)):
        if _is_label(blocks[position]) and _MORE_STORIES.match(blocks[position].text):
            return blocks[:position]
    return blocks


# What a site says to its readers around a story, in any of its lines: sign up for the newsletter,
# subscribe, follow us, support us, donate; and the disclosure of affiliate links. The story itself
# may speak of newsletters, subscriptions and support: only the appeal's own turns of phrase count.
_READER_APPEAL = re.compile(
    r"(?:abonnier|anmeld|sign up|subscribe|suscr[ií]b|melde dich|inscri|iscriviti|abonneer).{0,60}newsletter|"
    r"newsletter.{0,60}(?:abonnier|anmeld|sign up|subscribe|suscr[ií]b|inscri|iscriviti|abonneer)|"
    r"\bsign up\b|\bsubscribe\b|suscríbete|abonnez-vous|iscriviti\b|\be-paper\b|\bby email\b|rss-feed|"
    r"posteingang|ihr postfach|"
    r"support(?:ing)? (?:our|us)\b|unterstütze uns|unterstützen sie uns|jetzt .{0,30}unterstützen|soutenez-nous|"
    r"apóyanos|\bplease donate\b|\bdonate(?: now| today)?\W*$|jetzt spenden|faire un don|\bdona ahora\b|"
    r"follow us\b|folg(?:en sie|e) uns|suivez-nous|síguenos|seguici\b|volg ons\b|siga-nos|"
    r"seguir a .{0,40} en (?:facebook|twitter|instagram)|"
    r"affiliate[- ]links?\b|partnerlinks?\b",
    re.IGNORECASE)
_APPEAL_LENGTH = 320  # characters: an appeal is a line or two; a paragraph of the story is longer


# The label a site sets over an ad inside the story, alone on its line, in the languages met so far.
_AD_LABEL = re.compile(r"^\W*(?:advertisements?|advertising|ad|sponsored(?: content)?|anzeige|werbung|publicité|"
                       r"publicidad|pubblicità|advertentie|реклама|إعلان|اعلان|تبلیغ)\W*$", re.IGNORECASE)


def without_ad_labels(blocks: list) -> list:
    """The body without the lines that only label an ad ("Advertisement", "Anzeige", "إعلان"),
    which a site sets between the story's paragraphs, wherever its story was read from: a
    profile's body selector took them as paragraphs. Never the whole body.

    >>> from newsarchive.items import BodyBlock
    >>> [b.text for b in without_ad_labels([BodyBlock("paragraph", "The council voted."), BodyBlock("paragraph", "ADVERTISEMENT"),
    ...                                     BodyBlock("paragraph", "Ad blockers cost the paper its revenue.")])]
    ['The council voted.', 'Ad blockers cost the paper its revenue.']
    """
    kept = [block for block in blocks if not _AD_LABEL.match(block.text)]
    return kept or blocks


def without_reader_appeals(blocks: list) -> list:
    """The body without the lines where the site addresses its readers (newsletter sign-ups,
    "follow us", calls for support or donations, affiliate-link notices), wherever they stand.
    Never the whole body.

    >>> from newsarchive.items import BodyBlock
    >>> [b.text for b in without_reader_appeals([BodyBlock("paragraph", "The council voted."),
    ...                                          BodyBlock("paragraph", "Sign up for our daily newsletter!")])]
    ['The council voted.']
    """
    kept = [block for block in blocks if len(block.text) > _APPEAL_LENGTH or not _READER_APPEAL.search(block.text)]
    return kept or blocks
