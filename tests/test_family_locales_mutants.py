"""What the mutation run found untested in the family's languages: a count with the Arabic decimal
separator before K, a counter that says "none" or "Two", a byline lead-in of Urdu, Persian or
Pashto without a colon (_LEAD_IN, not the label list), and locales asked for that are no code
(a lower-case region) or a code of three letters."""

from __future__ import annotations

import pytest

from newsarchive.options import OptionError
from newsarchive.parsers.text import printed_count
from newsarchive.profiles import load_profile
from tests.test_family_locales import family_page

PROFILE = load_profile("diyaruna")


@pytest.mark.parametrize("text, count", [
    ("١٫٢K تعليق", 1200),  # the Arabic decimal separator (U+066B)
    ("1\u066b5K comments", 1500),
    ("Two comments", 2),
    ("zwei Kommentare", 2),
    ("Comments: none", None),  # "one" inside a word is no count
    ("Someone commented", None),
])
def test_counts_written_the_arabic_way_or_in_words(text, count):
    assert printed_count(text) == count


@pytest.mark.parametrize("byline, name", [
    ("تحریر عمران خان", "عمران خان"),  # Urdu, no colon after the lead-in
    ("نگارنده احمد رحیمی", "احمد رحیمی"),  # Persian
    ("لیکوال احمد شاه", "احمد شاه"),  # Pashto written with the Persian yeh
])
def test_a_lead_in_without_a_colon_names_its_author(byline, name):
    assert [author.name for author in family_page(byline=byline).authors] == [name]


def test_a_locale_of_three_letters_is_a_locale_and_a_lower_case_region_is_none():
    assert PROFILE.check_locales(["ckb"], "--locales") == ["ckb"]  # Central Kurdish
    with pytest.raises(OptionError, match="^--locales: unknown 'uz_uz'"):
        PROFILE.check_locales(["uz_uz"], "--locales")


def test_a_profile_whose_patterns_name_no_locale_reads_none_from_a_url():
    # A site's own profile, its URLs without a locale: the article pattern matches, and has no
    # locale group to read; the section pattern names one.
    from newsarchive.profiles import profile_from_dict

    profile = profile_from_dict({
        "name": "t", "sites": [{"name": "t", "code": "t", "hosts": ["t.example"]}], "locales": ["en"],
        "urls": {"article": r"^/(?P<year>\d{4})/[^/]+/?$", "section": r"^/(?P<locale>[a-z]{2})/news/?$"},
        "selectors": {"article": {}, "listing": {}}})
    assert profile.locale_for_url("https://t.example/2026/bridge-reopens/") is None
    assert profile.locale_for_url("https://t.example/fr/news/") == "fr"
    assert profile.locale_for_url("https://t.example/en/anything") == "en"


@pytest.mark.parametrize("byline", ["By Ana Ruiz from Baghdad", "By Ana Ruiz reporting from Baghdad"])
def test_a_place_after_from_is_no_part_of_the_name(byline):
    assert [author.name for author in family_page("en_GB", byline=byline).authors] == ["Ana Ruiz"]
