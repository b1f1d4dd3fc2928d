"""Date rules checked one by one (issue 20, mutation testing of parsers/dates.py).

Expected values follow the module's documented rules: a date stays a date, a time with a zone
becomes UTC, a time without one is taken as UTC; month names come from CLDR for the page's
language; a URL's day wins over the page's UTC day only a day apart; the date shown is the first
plausible one in a date element outside navigation, sidebars, footers and forms.
"""

import subprocess
import sys
from datetime import datetime, timedelta, timezone

import pytest
from lxml import html as lxml_html

from newsarchive.items import Article, Layer
from newsarchive.parsers.dates import (
    DATE_IN_URL,
    date_part,
    date_shown,
    day_of_match,
    find_date,
    local_day,
    month_numbers,
    normalise_date,
    plausible_publication_date,
    to_utc_iso,
    url_date_is_earlier,
)


@pytest.mark.parametrize("raw, language, expected", [
    ("2019-02-26", None, "2019-02-26"),
    ("  2019-02-26\n", None, "2019-02-26"),
    ("٢٠١٩-٠٢-٢٦", None, "2019-02-26"),
    ("2019-02-30", None, None),
    ("2019-05-14T08:30:00+02:00", None, "2019-05-14T06:30:00Z"),
    ("2019-05-14 08:30", None, "2019-05-14T08:30:00Z"),
    ("2019-05-14T08:30:00Z", None, "2019-05-14T08:30:00Z"),
    ("2019-05-14T25:30", None, None),
    ("26 February 2019", "en", "2019-02-26"),
    ("26. Februar 2019", "de", "2019-02-26"),
    ("Feb. 26, 2019", "en", "2019-02-26"),
    ("February 26 2019", "en", "2019-02-26"),
    ("26 feb 2019", "en", "2019-02-26"),
    ("30 February 2019", "en", None),
    ("26 Smarch 2019", "en", None),
    ("26 February 2019", None, None),
    ("26 February 2019", "xx", None),
    ("", "en", None),
    (None, "en", None),
    # RFC 2822 (RSS pubDate, HTTP dates): an offset or a zone the standard names
    ("Tue, 10 Jun 2003 04:00:00 GMT", None, "2003-06-10T04:00:00Z"),
    ("Wed, 02 Oct 2002 13:00:00 +0200", None, "2002-10-02T11:00:00Z"),
    ("2 Oct 2002 13:00 EST", None, "2002-10-02T18:00:00Z"),
    ("Tue, 10 Jun 2003 04:00:00 PDT", None, "2003-06-10T11:00:00Z"),
    ("Tue, 10 Jun 2003 04:00:00 UT", None, "2003-06-10T04:00:00Z"),
    ("Tue, 10 Jun 03 04:00:00 -0130", None, "2003-06-10T05:30:00Z"),
    ("Mon, 6 May 2024 08:15:00 -0000", None, "2024-05-06T08:15:00Z"),
    ("Sun, 31 Feb 2024 10:00:00 GMT", None, None),  # no such day
    ("Tue, 10 Jun 2003 04:00:00 +9900", None, None),  # no such offset
    ("Tue, 10 Jun 2003 04:00:00 CEST", None, None),  # a zone RFC 2822 does not name: dateparser's
    ("Tue, 10 Jun 2003 04:00:00", None, None),  # no zone: dateparser's
])
def test_normalise_date_cheap_paths(raw, language, expected):
    assert normalise_date(raw, language, costly=False) == expected


def test_an_rss_feeds_dates_are_read_without_dateparser():
    # The feed is read in the crawl's own process: dateparser would cost a second to load and its
    # memory there, and a millisecond a date on the reactor thread.
    feed = ("<rss><channel><item><link>https://n.example/a</link><pubDate>Tue, 10 Jun 2003 04:00:00 GMT</pubDate>"
            "</item></channel></rss>")
    code = ("import sys; from newsarchive.parsers.discovery import parse_feed; "
            f"links = parse_feed({feed.encode()!r}); print(links[0].published_at, 'dateparser' in sys.modules)")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.split() == ["2003-06-10T04:00:00Z", "False"]
    assert normalise_date("Tue, 10 Jun 2003 04:00:00 CEST") == "2003-06-10T02:00:00Z"  # dateparser's zone names


def test_the_cheap_parsers_come_before_dateparser():
    # Read as written; dateparser would read "03.04.2020" day first in German, too.
    assert normalise_date("26 February 2019", "en") == "2019-02-26"
    assert normalise_date("03.04.2020", "de") == "2020-04-03"
    assert normalise_date("03.04.2020 14:05", "de") == "2020-04-03T14:05:00Z"
    assert normalise_date("no date here", "en") is None


def test_to_utc_iso_pads_the_year_and_takes_naive_times_as_utc():
    assert to_utc_iso(datetime(1, 1, 1)) == "0001-01-01T00:00:00Z"
    assert to_utc_iso(datetime(2020, 1, 1, 0, 30, tzinfo=timezone(timedelta(hours=1)))) == "2019-12-31T23:30:00Z"


@pytest.mark.parametrize("raw, language, limit, expected", [
    ("Updated 20 May 2024", "en", 4, "2024-05-20"),
    ("Last updated on: 20 May 2024", "en", 4, "2024-05-20"),
    ("one two three four five 20 May 2024", "en", 4, None),
    ("Last updated on: 20 May 2024", "en", 3, "2024-05-20"),
    ("20 May 2024", "en", 0, "2024-05-20"),
    ("Updated 2024-05-20", None, 1, "2024-05-20"),
    ("", "en", 4, None),
    (None, "en", 4, None),
])
def test_find_date_skips_at_most_the_leading_words_allowed(raw, language, limit, expected):
    assert find_date(raw, language, limit) == expected


def test_find_date_asks_dateparser_for_what_the_cheap_parsers_do_not_read():
    assert find_date("Updated 03.04.2020", "de") == "2020-04-03"


def test_local_day_is_the_day_where_it_was_published():
    assert normalise_date("2022-05-03T22:30:00-03:00") == "2022-05-04T01:30:00Z"
    assert local_day("2022-05-03T22:30:00-03:00") == "2022-05-03"
    assert local_day("Posted 3 May 2022", "en") == "2022-05-03"
    assert local_day("2022-05-03T99:00", "en") is None
    assert local_day(None) is None
    assert date_part("2022-05-03T01:30:00Z") == "2022-05-03"
    assert date_part(None) is None


def test_month_numbers_hold_wide_and_abbreviated_names():
    english = month_numbers("en")
    assert (english["january"], english["jan"], english["sep"], english["december"]) == (1, 1, 9, 12)
    assert month_numbers("de")["märz"] == 3
    assert month_numbers("pt-BR")["fevereiro"] == 2
    assert month_numbers("zz-nowhere") == {}


def test_plausible_publication_dates():
    today = datetime.now(timezone.utc).date()
    assert plausible_publication_date("1990-01-01") is True
    assert plausible_publication_date("1989-12-31T23:00:00Z") is False
    assert plausible_publication_date((today + timedelta(days=1)).isoformat()) is True
    assert plausible_publication_date((today + timedelta(days=2)).isoformat()) is False
    assert plausible_publication_date("not a date") is False


@pytest.mark.parametrize("path, expected", [
    ("/2019/01/31/story", "2019-01-31"),
    ("/2019/1/31/story", "2019-01-31"),
    ("/news/2019-01-31-story", "2019-01-31"),
    ("/2019/01/31", "2019-01-31"),
])
def test_day_of_a_date_in_a_url(path, expected):
    assert day_of_match(DATE_IN_URL.search(path)) == expected


@pytest.mark.parametrize("path", ["/2019/02/30/story", "/2019/13/01/story", "/2019/01-31/story", "/1899/01/31/x",
                                  "/2019/01/32/x", "/2019/01/3100"])
def test_not_a_date_in_a_url(path):
    match = DATE_IN_URL.search(path)
    assert match is None or day_of_match(match) is None


def test_url_date_is_earlier_only_more_than_a_day_before():
    assert url_date_is_earlier("2019-01-01", "2019-01-03T10:00:00Z") is True
    assert url_date_is_earlier("2019-01-02", "2019-01-03") is False
    assert url_date_is_earlier("2019-01-04", "2019-01-03") is False
    assert url_date_is_earlier("2019-01-01", "garbage") is False
    assert url_date_is_earlier("2019-01-01T10:00:00Z", "2019-01-05") is True


def _article(url, published_at, raw, layer=Layer.META, language=None):
    return Article(url=url, published_at=published_at, published_at_raw=raw, language=language,
                   sources={"published_at": layer})


@pytest.mark.parametrize("url, published_at, raw, layer, expected", [
    # a UTC time a day before the URL's day: the site's own day is the URL's
    ("https://n.example/2024/01/01/story", "2023-12-31T23:30:00Z", "2023-12-31T23:30:00Z", Layer.META, "2024-01-01"),
    ("https://n.example/2024/01/01/story", "2023-12-31T23:30:00Z", "2023-12-31T23:30:00+00:00", Layer.META,
     "2024-01-01"),
    ("https://n.example/2023/12/30/story", "2023-12-31T00:30:00Z", "2023-12-31T00:30:00Z", Layer.META, "2023-12-30"),
    # two days apart: another story's date, not a time zone
    ("https://n.example/2024/01/02/story", "2023-12-31T23:30:00Z", "2023-12-31T23:30:00Z", Layer.META, "2023-12-31"),
    # a time with its own offset: the day as printed
    ("https://n.example/2022/05/04/story", "2022-05-04T01:30:00Z", "2022-05-03T22:30:00-03:00", Layer.META,
     "2022-05-03"),
    # the date came from the URL itself, or nothing was printed
    ("https://n.example/2024/01/01/story", "2024-01-01", "2023-12-25T10:00:00+02:00", Layer.URL, "2024-01-01"),
    ("https://n.example/story", "2024-01-01T10:00:00Z", None, Layer.META, "2024-01-01"),
    ("https://n.example/story", None, None, Layer.META, None),
])
def test_publication_day(url, published_at, raw, layer, expected):
    from newsarchive.parsers.dates import publication_day

    assert publication_day(_article(url, published_at, raw, layer)) == expected


def test_publication_day_reads_a_printed_date_in_the_pages_language():
    from newsarchive.parsers.dates import publication_day

    article = _article("https://n.example/story", "2024-03-05T00:00:00Z", "5. März 2024", language="de")
    assert publication_day(article) == "2024-03-05"
    greek = _article("https://n.example/story", "2024-03-04T23:00:00Z", "5 Μαρτίου 2024", language="el")
    assert publication_day(greek) == "2024-03-05"
    # a UTC time and no date in the URL: the day as printed
    assert publication_day(_article("https://n.example/story", "2023-12-31T23:30:00Z", "2023-12-31T23:30:00Z")) \
        == "2023-12-31"


def _shown(body, language="en"):
    return date_shown(lxml_html.fromstring(f"<html><body>{body}</body></html>"), language)


@pytest.mark.parametrize("body, expected", [
    ("<p><time datetime='2020-04-28T18:00:00+02:00'>yesterday</time></p>", "2020-04-28"),
    ("<p><time>28 April 2020</time></p>", "2020-04-28"),
    ("<p><time>28 <b>April</b> 2020</time></p>", "2020-04-28"),
    ("<p><span class='Date'>28 April 2020</span></p>", "2020-04-28"),
    ("<p><span class='article-published'>28 April 2020</span></p>", "2020-04-28"),
    ("<p><span class='posted-on'>28 April 2020</span></p>", "2020-04-28"),
    ("<p><span class='author'>28 April 2020</span></p>", None),
    ("<p><span class='date'></span></p>", None),
    # outside the story
    ("<nav><span class='date'>1 May 2020</span></nav><p class='date'>28 April 2020</p>", "2020-04-28"),
    ("<aside><time>1 May 2020</time></aside><p class='date'>28 April 2020</p>", "2020-04-28"),
    ("<footer><time>1 May 2020</time></footer><p class='date'>28 April 2020</p>", "2020-04-28"),
    ("<form><time>1 May 2020</time></form><p class='date'>28 April 2020</p>", "2020-04-28"),
    # not a publication date
    ("<p class='date'>1985-01-01</p><p class='date'>2020-01-01</p>", "2020-01-01"),
    # the body, html and article elements are no date elements, whatever their class
    ("<article class='date'>28 April 2020</article>", None),
    # a long text: 60 characters at most, 120 when it holds a numeric day
    ("<p class='date'>28 April 2020 " + "word " * 10 + "</p>", None),
    ("<p class='date'>" + "a" * 46 + " 28 April 2020</p>", "2020-04-28"),  # 60 characters
    ("<p class='date'>" + "a" * 47 + " 28 April 2020</p>", None),
    ("<p class='date'>Stand: 28.04.2020, " + "w" * 101 + "</p>", "2020-04-28"),  # 120 characters
    ("<p class='date'>Stand: 28.04.2020, " + "w" * 102 + "</p>", None),
])
def test_date_shown(body, expected):
    assert _shown(body) == expected


def test_times_are_utc_whatever_the_machines_time_zone(monkeypatch):
    import time

    monkeypatch.setenv("TZ", "Asia/Tokyo")
    time.tzset()
    try:
        assert to_utc_iso(datetime(2020, 1, 1, 12, 0)) == "2020-01-01T12:00:00Z"
        assert to_utc_iso(datetime(2020, 1, 1, 12, 0, tzinfo=timezone.utc)) == "2020-01-01T12:00:00Z"
    finally:
        monkeypatch.undo()
        time.tzset()


def test_the_pages_language_reaches_every_parser():
    # Greek is not among the languages tried for a page that does not say its own.
    assert local_day("5 Μαρτίου 2024", "el") == "2024-03-05"
    assert find_date("Ενημέρωση 5 Μαρτίου 2024", "el") == "2024-03-05"
    assert normalise_date("5 Μαρτίου 2024, 10:00", "el") == "2024-03-05T10:00:00Z"
    assert normalise_date("5 Μαρτίου 2024, 10:00", None) is None


def test_find_date_skips_four_leading_words_by_default():
    assert find_date("one two three four 20 May 2024", "en") == "2024-05-20"
    assert find_date("one two three four five 20 May 2024", "en") is None


def test_dateparser_reads_the_text_less_up_to_four_label_words_and_no_relative_date():
    assert find_date("Stand 03.04.2020", "de") == "2020-04-03"
    assert find_date("one two 03.04.2020", "de") == "2020-04-03"
    assert find_date("one two three four 03.04.2020", "de") == "2020-04-03"
    assert find_date("one two three four five 03.04.2020", "de") is None
    # "heute" (today) is no date of publication, and must not hide the printed one after it
    assert find_date("Stand heute 03.04.2020", "de") == "2020-04-03"
    assert find_date("heute", "de") is None and find_date("vor 2 Stunden", "de") is None
    assert find_date("yesterday", "en") is None


def test_tomorrow_is_counted_in_utc_whatever_the_machines_time_zone(monkeypatch):
    import time

    # UTC+14: from 10:00 UTC on, the machine's own date is a day ahead, and a clock read in local
    # time would let the day after tomorrow through.
    monkeypatch.setenv("TZ", "Etc/GMT-14")
    time.tzset()
    try:
        day_after_tomorrow = datetime.now(timezone.utc).date() + timedelta(days=2)
        assert plausible_publication_date(day_after_tomorrow.isoformat()) is False
    finally:
        monkeypatch.undo()
        time.tzset()
