"""The generic layer: trafilatura's and htmldate's rules, for what no cheaper layer found.

The costliest layer, so it is asked field by field and only when needed: the body and comments
in one fast trafilatura pass (without its metadata pass, which costs half of it and which the
metadata layers stand in for; its full pass only when the fast one found little), the date from
htmldate, an author from trafilatura's byline rules.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from newsarchive.items import BodyBlock
from newsarchive.parsers.text import normalise_text

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


def extract_body_and_comments(root, url: str) -> GenericExtraction:
    """trafilatura's body and comments of the page's tree, which stays as it was: trafilatura (2.3
    on) prunes a copy of a tree it is given, so the page is neither parsed nor copied again here.

    Its fast pass first; its full pass (which also runs readability and jusText and keeps the
    better text) only when the fast one found little: on real pages the two differ almost only
    there, and the full pass costs a third more (numbers in bench/extraction.py)."""
    found = _trafilatura(root, url, fast=True)
    fallback = found is None or len(found.text or "") < SHORT_TEXT
    if fallback:
        found = _trafilatura(root, url, fast=False) or found
    if found is None:
        return GenericExtraction(fallback=fallback)
    lines = [normalise_text(line) for line in (found.text or "").split("\n")]
    comments = [normalise_text(line) for line in (found.comments or "").split("\n")]
    return GenericExtraction(
        body=[BodyBlock("paragraph", line) for line in lines if line],
        comments=[line for line in comments if line and not _COUNTER_LINE.match(line)],
        fallback=fallback,
    )


def _trafilatura(root, url: str, fast: bool):
    import trafilatura  # imported on first need: a profiled crawl may never use it

    found = trafilatura.bare_extraction(
        root, url=url, with_metadata=False, include_comments=True, include_tables=True,
        include_images=False, as_dict=False, fast=fast,
    )
    return None if isinstance(found, dict) else found  # a dict only with as_dict=True


def find_publication_date(root, url: str) -> str | None:
    """htmldate's rules with the settings trafilatura gives them (publication, not modification)."""
    from htmldate import find_date
    from trafilatura.metadata import set_date_params

    return find_date(root, **{**set_date_params(True), "url": url}) or None


def find_author(root) -> str | None:
    """trafilatura's byline rules (author XPaths of the visible page); names joined by ';'."""
    from trafilatura.metadata import extract_author

    return normalise_text(extract_author(root)) or None
