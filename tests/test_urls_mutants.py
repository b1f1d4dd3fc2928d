"""URL rules checked one by one (issue 20, mutation testing of parsers/urls.py).

Every expected value follows from the rule as documented: tracking parameters (the list in
`TRACKING_PARAMETER`, any case, whole names only) go, every other parameter stays with its value,
even an empty one; only http(s) URLs with a host are canonical.
"""

import pytest

from newsarchive.parsers.urls import TRACKING_PARAMETER, canonicalise_url, strip_tracking

TRACKING_NAMES = ["utm_source", "utm_medium", "utm_campaign", "fbclid", "gclid", "dclid", "msclkid", "mc_cid",
                  "mc_eid", "yclid", "_ga", "_gl", "igshid", "ref", "ref_src", "cmpid", "ocid", "spm", "share",
                  "at_medium", "at_campaign", "xtor"]


@pytest.mark.parametrize("name", TRACKING_NAMES)
def test_every_tracking_parameter_is_stripped(name):
    assert strip_tracking(f"https://news.example/a?id=7&{name}=x") == "https://news.example/a?id=7"


@pytest.mark.parametrize("name", ["UTM_Source", "FBCLID", "Ref"])
def test_tracking_names_match_in_any_case(name):
    assert strip_tracking(f"https://news.example/a?{name}=x&id=7") == "https://news.example/a?id=7"


@pytest.mark.parametrize("name", ["referrer", "xref", "utm_", "shared", "page"])
def test_names_that_only_contain_a_tracking_name_are_kept(name):
    assert TRACKING_PARAMETER.match(name) is None
    assert strip_tracking(f"https://news.example/a?{name}=1") == f"https://news.example/a?{name}=1"


def test_a_url_without_query_is_returned_as_given():
    # Not rebuilt: an empty query keeps its "?", the fragment stays.
    assert strip_tracking("https://news.example/a?") == "https://news.example/a?"
    assert strip_tracking("https://news.example/a#top") == "https://news.example/a#top"


def test_parameters_with_empty_values_are_kept():
    assert strip_tracking("https://news.example/a?draft=&utm_source=x") == "https://news.example/a?draft="


def test_stripping_keeps_the_order_and_the_fragment():
    assert strip_tracking("https://news.example/a?b=2&gclid=9&a=1#c") == "https://news.example/a?b=2&a=1#c"


@pytest.mark.parametrize("url, expected", [
    ("  https://News.Example/a?b=2&a=1&utm_source=x#c  ", "https://news.example/a?a=1&b=2"),
    ("HTTP://news.example/a", "http://news.example/a"),
    ("https://news.example/a?utm_source=x", "https://news.example/a"),
    ("ftp://news.example/a", None),
    ("mailto:desk@news.example", None),
    ("https:///a", None),
    ("/relative/path", None),
    ("", None),
    (None, None),
    ("https://news.example:port/a", None),
    ("http://[::1/a", None),
])
def test_canonicalise_url(url, expected):
    assert canonicalise_url(url) == expected
