"""URL rules checked one by one (issue 20, mutation testing of parsers/urls.py).

Every expected value follows from the rule as documented: tracking parameters (the list in
`TRACKING_PARAMETER`, any case, whole names only) go, every other parameter stays with its value,
even an empty one; only http(s) URLs with a host are canonical.
"""

import pytest

from newsarchive.parsers.urls import TRACKING_PARAMETER, canonicalise_url, strip_session, strip_tracking

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


SESSION_NAMES = ["PHPSESSID", "jsessionid", "ASPSESSIONIDQQGQGQGQ", "aspsessionid", "sessionid", "session_id",
                 "sessid", "CFID", "cftoken", "zenid", "osCsid"]
TOKEN = "4e6997f805d79fff10f01db05e422494"  # PHP's: 32 characters, digits and letters


@pytest.mark.parametrize("name", SESSION_NAMES)
def test_every_session_parameter_is_stripped_whatever_its_value(name):
    assert strip_session(f"https://news.example/a?id=7&{name}=12") == "https://news.example/a?id=7"
    assert canonicalise_url(f"https://news.example/a?{name}={TOKEN}&id=7") == "https://news.example/a?id=7"


@pytest.mark.parametrize("value, stripped", [
    (TOKEN, True),
    ("5BC0FA1E2D3C4B5A6978", True),  # 20 characters, upper case
    ("5bc0fa1e2d3c4b5a697", False),  # 19: too short for a session token
    ("1234", False),  # PHP-Nuke's article.php?sid=1234: the story
    ("12345678901234567890123", False),  # digits only: an id
    ("abcdefabcdefabcdefabcdef", False),  # letters only: a word, a slug
    ("flood-warning-for-the-river", False),
])
@pytest.mark.parametrize("name", ["sid", "SID"])
def test_sid_is_a_session_only_when_its_value_is_a_random_token(name, value, stripped):
    url = f"https://news.example/read.php?{name}={value}&t=3"
    assert strip_session(url) == ("https://news.example/read.php?t=3" if stripped else url)


@pytest.mark.parametrize("name", ["ssid", "sids", "session", "phpsessid_x", "mysessionid", "s"])
def test_other_names_are_kept_whatever_their_value(name):
    """`s` among them: a signed image URL's signature (imgix's `s`), without which the photo is refused."""
    assert strip_session(f"https://news.example/a?{name}={TOKEN}") == f"https://news.example/a?{name}={TOKEN}"


@pytest.mark.parametrize("url, expected", [
    ("https://news.example/story;jsessionid=F5217B0970EB8706", "https://news.example/story"),
    ("https://news.example/story;JSESSIONID=x?page=2#c", "https://news.example/story?page=2#c"),
    ("https://news.example/a;jsessionid=x/b", "https://news.example/a/b"),
    ("https://news.example/(S(lit3py55t21z5v55vlm25s55))/news/story.aspx", "https://news.example/news/story.aspx"),
    ("https://news.example/(X(1)S(lit3py55t21z5v55vlm25s55))/story.aspx", "https://news.example/story.aspx"),
    ("https://news.example/(S(lit3py55t21z5v55vlm25s55))", "https://news.example"),
    # Not sessions: a parenthesis in a title, a path parameter of another name.
    ("https://news.example/wiki/Bridge_(Mosul)/", "https://news.example/wiki/Bridge_(Mosul)/"),
    ("https://news.example/a;type=story", "https://news.example/a;type=story"),
])
def test_sessions_in_the_path_are_stripped(url, expected):
    assert strip_session(url) == expected


def test_a_url_without_a_session_is_returned_as_given():
    assert strip_session("https://news.example/a?") == "https://news.example/a?"
    assert strip_session("https://news.example/a#top") == "https://news.example/a#top"
    assert strip_session("https://news.example/a?b=&c=2") == "https://news.example/a?b=&c=2"
