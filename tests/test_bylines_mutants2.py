"""More byline rules at their edges (issue 20, second measure of parsers/bylines.py).

Each byline is written for the test; the expected value follows the rule the module states,
worked out by hand: an author label's value is the byline even when a "by" follows it, a lead-in
inside page furniture is read when no label gave the names, an address or a link is neither an
author nor a role, an empty part names nobody, a part that is no name does not end the list, and
a name's own letters are never trimmed.
"""

from __future__ import annotations

import pytest

from newsarchive.parsers.bylines import clean_byline, split_byline


def authors(byline: str) -> list[tuple[str, str | None]]:
    return [(author.name, author.role) for author in split_byline(byline)]


@pytest.mark.parametrize("byline, expected", [
    # After "Text:" the names are its value; "photos by" in a later segment credits someone else.
    ("Text: Ana Ruiz · photos by Li Wei", "Ana Ruiz"),
    # No author label ("Kategorie:" is another field): the "by" inside the furniture before it
    # introduces the name, and the date before the "by" is left out.
    ("Posted on 3 May 2024 by Ana Ruiz Kategorie: Reisen", "Ana Ruiz"),
])
def test_clean_byline_label_and_inner_lead_in(byline, expected):
    assert clean_byline(byline) == expected


@pytest.mark.parametrize("byline, expected", [
    # An e-mail address or a link is left out, even when its words would read as a role.
    ("Ana Ruiz, reporter@news.example", [("Ana Ruiz", None)]),
    ("Ana Ruiz, https://staff.example", [("Ana Ruiz", None)]),
    # An empty part between two separators names nobody.
    ("Ana Ruiz, , Li Wei", [("Ana Ruiz", None), ("Li Wei", None)]),
    # A quotation is no name, and the names after it are still read.
    ('Ana Ruiz, "Hi", Li Wei', [("Ana Ruiz", None), ("Li Wei", None)]),
    # Only punctuation is trimmed from a name: the X of "Malcolm X" and of "Xu Li" stay.
    ("By Malcolm X and Xu Li", [("Malcolm X", None), ("Xu Li", None)]),
])
def test_split_byline_skips_what_names_nobody(byline, expected):
    assert authors(byline) == expected
