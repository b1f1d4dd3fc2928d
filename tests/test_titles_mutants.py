"""Headline rules checked at their edges (issue 20, mutation testing of parsers/titles.py).

Each expected value follows the rules in the module's docstring; "★" stands for a title part that
has no letters or digits, whose comparison key is empty and so names nothing.
"""

import pytest

from newsarchive.parsers.titles import (
    _splits,
    _without_last_part,
    agree,
    choose_title,
    clean_title,
    host_names,
    key,
    learn_site_names,
    strip_site_name,
)


def test_clean_title_unescapes_twice_at_most():
    assert clean_title("Tom &amp;amp;amp; Jerry") == "Tom &amp; Jerry"
    assert clean_title("   ") is None


def test_key_drops_underscores_too():
    assert key("Daily_Planet: News!") == "dailyplanetnews"


@pytest.mark.parametrize("host, names", [
    ("www.example-news.co.uk", {"examplenewscouk", "examplenews"}),
    ("WWW.Example.com", {"examplecom", "example"}),
    ("news.example.com", {"newsexamplecom", "news"}),
    ("-.example", {"example"}),
    ("", set()),
    (None, set()),
])
def test_host_names(host, names):
    assert host_names(host) == names


@pytest.mark.parametrize("title, splits", [
    ("A | B", [("A", "B")]),
    ("| Rain in Spain", []),
    ("Rain in Spain |", []),
    ("Rain - Sport | Planet", [("Rain", "Sport | Planet"), ("Rain - Sport", "Planet")]),
    ("Planet: Rain in Spain", [("Planet", "Rain in Spain")]),
])
def test_splits_only_between_two_parts(title, splits):
    assert list(_splits(title)) == splits


def test_strip_site_name_repeats_while_the_parts_cut_are_site_names():
    assert strip_site_name("Rain - Sport | Daily Planet", {"dailyplanet", "sport"}) == "Rain"
    assert strip_site_name("Daily Planet | Sport | Rain in Spain", {"dailyplanet", "sport"}) == "Rain in Spain"
    assert strip_site_name("Rain - Sport | Daily Planet", {"dailyplanet"}) == "Rain - Sport"


def test_a_part_without_letters_is_learned_as_no_site_name():
    assert learn_site_names(["Rain in Spain | ★"], ["Rain in Spain"]) == set()


@pytest.mark.parametrize("heading, other, expected", [
    ("★", "Rain in Spain", False),
    ("Rain in Spain | ★", "★", False),
    ("in Spain", "Rain in Spain", True),
    ("Oakhaven News", "Oakhaven", False),
    ("Rain in Spain | Oakhaven", "Oakhaven", True),
    # most of the words: three shared at least, and at least 60% of the shorter title's words
    ("Regen fällt Ebene heute", "Ebene: Regen fällt morgen", True),
    ("Regen fällt Ebene heute Abend", "Ebene: Regen fällt morgen früh spät", True),
    ("Regen fällt Ebene eins zwei drei", "Regen fällt Ebene vier fünf sechs", False),
    ("Regen fällt", "Regen: fällt", True),
])
def test_agree(heading, other, expected):
    assert agree(heading, other) is expected


@pytest.mark.parametrize("headings, metadata, expected", [
    # agreeing by most words, not a kicker before the title: the h1 as shown
    (["Regen fällt heute auf die Ebene"], ["Regen fällt auf Ebene"], "Regen fällt heute auf die Ebene"),
    # the same key, more words: no kicker
    (["Rain in Spain"], ["Rainin Spain"], "Rain in Spain"),
    # the same number of words: no kicker either
    (["Downpour in Spain"], ["pour in Spain"], "Downpour in Spain"),
    # a kicker of four words at most
    (["One Two Three Four Rain in Spain"], ["Rain in Spain"], "Rain in Spain"),
    (["One Two Three Four Five Rain in Spain"], ["Rain in Spain"], "One Two Three Four Five Rain in Spain"),
])
def test_choose_title_with_a_kicker(headings, metadata, expected):
    assert choose_title(headings, metadata, None, [], None) == expected


def test_a_publisher_without_letters_names_no_site():
    assert choose_title([], ["Rain in Spain | ★"], None, ["★"], None) == "Rain in Spain | ★"


@pytest.mark.parametrize("title, expected", [
    ("Rain in Spain", "Rain in Spain"),
    ("| Rain in Spain", "| Rain in Spain"),
    ("Rain in Spain |", "Rain in Spain |"),
    ("A - Rain in Spain", "A"),
    ("Rain - " + "x" * 40, "Rain"),
    ("Rain - " + "x" * 41, "Rain - " + "x" * 41),
])
def test_without_last_part(title, expected):
    assert _without_last_part(title) == expected
