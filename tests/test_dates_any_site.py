"""Publication dates on any site, no profile: the date as the page states it, not a modification
date, a site-wide meta date or the UTC day of a story out near midnight. Every page here is
written for the test."""

from __future__ import annotations

import json

import pytest
from lxml import html as lxml_html

from newsarchive.parsers import generic, parse_page
from newsarchive.parsers.dates import date_in_byline, date_shown, dateline_day, url_date_is_earlier

PROSE = "".join(f"<p>Paragraph {n} of the story on the harbour works, long enough to be prose that a reader "
                f"came for, with a few more words to be sure of it.</p>" for n in range(6))


def page(head: str = "", shown: str = "", after: str = "", lang: str = "en") -> bytes:
    return (f"<!DOCTYPE html><html lang='{lang}'><head><meta charset='utf-8'><title>Harbour works begin</title>"
            f"{head}</head><body><article><h1>Harbour works begin</h1>{shown}{PROSE}</article>{after}</body></html>"
            ).encode()


def jsonld(**fields) -> str:
    return ("<script type='application/ld+json'>" + json.dumps(
        {"@context": "https://schema.org", "@type": "NewsArticle", "headline": "Harbour works begin", **fields})
        + "</script>")


URL = "https://harbour.example/news/works"


def parse(html: bytes, url: str = URL):
    return parse_page(url, html, kind="article")


# a site-wide <meta name="date"> against the date shown ---------------------------------------------

def test_the_date_shown_beside_the_story_wins_over_a_site_wide_meta_date():
    head = "<meta name='date' content='2020-04-30'>"
    shown = "<ul class='Infoline'><li class='Date'><time>29.04.2020, 12:01 Uhr</time></li></ul>"
    article = parse(page(head, shown, lang="de"))
    assert (article.published_at_raw, article.published_at, article.sources["published_at"]) == (
        "2020-04-29", "2020-04-29", "markup")


def test_a_meta_date_the_page_shows_too_stays_as_the_metadata_gave_it():
    head = "<meta name='date' content='2020-04-29T11:52:23'>"
    shown = "<p><span class='stand'>Stand: 29.04.2020 11:52 Uhr</span></p>"
    article = parse(page(head, shown, lang="de"))
    assert (article.published_at_raw, article.sources["published_at"]) == ("2020-04-29T11:52:23", "meta")


def test_json_ld_dates_are_not_second_guessed_by_a_date_shown():
    head = jsonld(datePublished="2020-04-30")
    article = parse(page(head, "<time>29.04.2020</time>", lang="de"))
    assert (article.published_at, article.sources["published_at"]) == ("2020-04-30", "jsonld")


@pytest.mark.parametrize("markup, expected", [
    ("<div><span class='stand'>Stand: 28.04.2020 18:00 Uhr</span></div>", "2020-04-28"),
    ("<div class='news-single-timedata'>05.02.2020 <span>- Redaktion: Eberhard Kurz (press officer of the "
     "regional association)</span></div>", "2020-02-05"),
    ("<p><time datetime='2021-10-13T09:00:00+02:00'>Wednesday</time></p>", "2021-10-13"),
    # a sidebar's or a comment's date is not the story's; neither is a class that is no date
    ("<aside><time>01.01.2020</time></aside><p class='lead'>03.03.2020</p>", None),
    ("<ol><li class='comment' id='comment-3'><time>02.02.2020</time><p>Nice.</p></li></ol>", None),
])
def test_the_date_a_page_shows(markup, expected):
    assert date_shown(lxml_html.fromstring(f"<html><body>{markup}</body></html>"), "de") == expected


# a UTC time: published_at_raw keeps it as printed --------------------------------------------------

def test_a_day_shown_on_the_page_does_not_move_a_utc_stamp():
    # A moment to the second: a date one day later printed on the page is as often an update's,
    # and only a URL is trusted with its local day.
    head = "<meta property='article:published_time' content='2018-12-31T23:11:59+00:00'>"
    article = parse(page(head, "<p class='date'><time datetime='2019-01-01'>1 January 2019</time></p>"))
    assert (article.published_at_raw, article.published_at, article.published_day) == (
        "2018-12-31T23:11:59+00:00", "2018-12-31T23:11:59Z", "2018-12-31")
    # A whole hour: a day written as the site's midnight in UTC; the day shown is the site's.
    head = "<meta property='article:published_time' content='2018-12-31T23:00:00+00:00'>"
    article = parse(page(head, "<p class='date'><time datetime='2019-01-01'>1 January 2019</time></p>"))
    assert (article.published_at, article.published_day) == ("2018-12-31T23:00:00Z", "2019-01-01")


def test_a_modification_day_is_never_taken_for_the_local_day():
    head = (jsonld(datePublished="2022-12-21T05:49:28+00:00", dateModified="2022-12-20T16:55:21+00:00")
            + "<meta property='article:modified_time' content='2022-12-20T16:55:21+00:00'>")
    article = parse(page(head), url="https://harbour.example/2022/12/20/works/")
    assert (article.published_at, article.published_at_raw) == ("2022-12-21T05:49:28Z", "2022-12-21T05:49:28+00:00")


# implausible dates and URL dates ---------------------------------------------------------------------

def test_a_date_before_1990_alone_is_not_believed():
    head = jsonld(datePublished="1970-01-01T00:00:00Z")
    article = parse(page(head))
    assert article.published_at != "1970-01-01T00:00:00Z"
    assert any("not a plausible publication date" in warning for warning in article.warnings)


def test_a_future_date_alone_is_not_believed():
    article = parse(page(jsonld(datePublished="2999-05-01")))
    assert article.published_at != "2999-05-01"


@pytest.mark.parametrize("url_date, published", [
    ("2019-02-30", "2019-03-05"), ("", "2019-03-05"), ("2019-03-01", "sometime"), ("2019-03-01", "")])
def test_the_url_date_comparison_never_raises(url_date, published):
    assert url_date_is_earlier(url_date, published) is False


def test_an_impossible_date_in_the_url_is_no_date():
    article = parse(page(jsonld(datePublished="2019-03-05")), url="https://harbour.example/2019/02/30/works/")
    assert (article.published_at, article.sources["published_at"]) == ("2019-03-05", "jsonld")


# no metadata date: the date shown nearest the headline, before htmldate's ----------------------------

CLOCK = ("<div class='top'><span class='current-time'>Saturday, 14 March 2020</span><ul>"
         + "".join(f"<li><a href='/s{n}'>Section {n}</a></li>" for n in range(6)) + "</ul></div>")
RELATED = ("<div class='more'><h2>More</h2><ul>" + "".join(
    f"<li><a href='/r{n}'>Older story {n}</a> <time datetime='2019-0{n + 1}-10'>10.0{n + 1}.2019</time></li>"
    for n in range(3)) + "</ul></div>")


def page_without_metadata(head: str = "", byline_date: str = "<span class='date'>12 March 2020</span>",
                          lang: str = "en") -> bytes:
    return (f"<!DOCTYPE html><html lang='{lang}'><head><meta charset='utf-8'><title>Harbour works begin</title>{head}"
            f"</head><body>{CLOCK}<div class='story'><h1>Harbour works begin</h1><p class='byline'>By Ana Ruiz "
            f"{byline_date}</p>{PROSE}</div>{RELATED}</body></html>").encode()


def test_without_metadata_the_date_under_the_headline_beats_a_clock_and_older_teasers():
    # The clock is the first date element and the one htmldate takes (14 March); the teasers are older.
    article = parse(page_without_metadata())
    assert (article.published_at, article.published_at_raw, article.sources["published_at"]) == (
        "2020-03-12", "2020-03-12", "generic")


@pytest.mark.parametrize("byline_date, expected", [
    # The moment its markup gives, in UTC; the text kept as the page wrote it (the day is the site's).
    ("<time datetime='2020-03-12T10:30:00+03:00'>12 March 2020</time>", ("2020-03-12T07:30:00Z", "2020-03-12T10:30:00+03:00")),
    ("<span class='date'><time datetime='2020-03-12T23:30:00-05:00'>12 March</time></span>",
     ("2020-03-13T04:30:00Z", "2020-03-12T23:30:00-05:00")),
    # A day alone, or a moment on another day than the one the element shows: the day shown.
    ("<time datetime='2020-03-12'>12 March 2020</time>", ("2020-03-12", "2020-03-12")),
    ("<span class='date'>12 March 2020 <time datetime='2020-03-14T09:00:00Z'>·</time></span>",
     ("2020-03-12", "2020-03-12")),
])
def test_without_metadata_the_time_shown_in_markup_is_kept(byline_date, expected):
    article = parse(page_without_metadata(byline_date=byline_date))
    assert (article.published_at, article.published_at_raw) == expected
    assert article.published_day == "2020-03-12" and article.sources["published_at"] == "generic"


def test_without_a_published_date_the_modification_time_is_not_taken_for_one():
    # htmldate reads og:updated_time when it finds no publication date in the metadata.
    head = "<meta property='og:updated_time' content='2020-06-02T11:57:06+02:00'>"
    article = parse(page_without_metadata(head, "<time>31.03.2020</time>", lang="de"))
    assert (article.published_at, article.modified_at) == ("2020-03-31", "2020-06-02T09:57:06Z")


@pytest.mark.parametrize("body, expected", [
    # a clock above the headline, the byline's date under it, a teaser's below the story
    ("<p class='date'>14 March 2020</p><div><p>Menu</p><p>Search</p></div><h1>Works</h1>"
     "<p class='date'>12 March 2020</p><p>Story.</p><p>More.</p><p class='date'>1 March 2020</p>", "2020-03-12"),
    # one element away on both sides: the earlier (a date above the headline, as many sites print it)
    ("<p>x</p><p class='date'>11 March 2020</p><h1>Works</h1><p class='date'>12 March 2020</p>", "2020-03-11"),
    # the nearest one that is no date is passed over for the next nearest
    # (positions in the page's order: 14 March 4 elements above the headline, 12 March 3 below)
    ("<p class='date'>14 March 2020</p><p>a</p><p>b</p><p>c</p><h1>Works</h1><p class='date'>soon</p><p>d</p>"
     "<p class='date'>12 March 2020</p>", "2020-03-12"),
])
def test_the_date_shown_nearest_the_headline(body, expected):
    root = lxml_html.fromstring(f"<html><body>{body}</body></html>")
    assert date_shown(root, "en", near=root.find(".//h1")) == expected


# metadata that disagree: the date the page shows settles it -------------------------------------------

def test_when_json_ld_and_opengraph_disagree_the_day_shown_under_the_headline_decides():
    head = (jsonld(datePublished="2023-11-03T10:25:56+00:00")
            + "<meta property='article:published_time' content='2023-11-06T14:25:00+00:00'>")
    shown = "<p class='byline'><time datetime='2023-11-06T15:25:00+01:00'>6 November 2023, 15:25</time></p>"
    article = parse(page(head, shown))
    assert (article.published_at, article.published_at_raw, article.sources["published_at"]) == (
        "2023-11-06T14:25:00Z", "2023-11-06T14:25:00+00:00", "opengraph")


def test_metadata_that_agree_are_kept_whatever_the_page_shows():
    head = jsonld(datePublished="2023-11-03") + "<meta property='article:published_time' content='2023-11-03'>"
    article = parse(page(head, "<p class='date'>6 November 2023</p>"))
    assert (article.published_at, article.sources["published_at"]) == ("2023-11-03", "jsonld")


def test_a_microdata_date_is_no_second_opinion_on_the_date_it_marks():
    # The <time> carrying the microdata is the date shown: it would always agree with itself.
    head = "<meta property='article:published_time' content='2022-12-04T15:00:00+01:00'>"
    shown = "<time itemprop='datePublished' datetime='2022-12-06T14:42:13+01:00'></time>"
    article = parse(page(head, shown))
    assert (article.published_at_raw, article.sources["published_at"]) == ("2022-12-04T15:00:00+01:00", "opengraph")


# htmldate's last resort, dateparser on a line of free text, is told the page's language -----------------

def free_text_page(line: str):
    # htmldate keeps its reading of each date string for the process: a reading from an earlier
    # test (or run) would answer without asking the last resort at all.
    from htmldate.extractors import try_date_expr

    try_date_expr.cache_clear()
    return lxml_html.fromstring(f"<html><body><h1>Ремонт гавани</h1><span class='date'>{line}</span>"
                                f"<p>{'слово ' * 80}</p></body></html>")


def test_a_date_in_free_text_is_read_in_the_pages_language():
    # htmldate's own patterns do not know Russian month names: dateparser reads the line.
    assert generic.find_publication_date(free_text_page("6 марта 2021 г."), URL, "ru") == "2021-03-06"


def test_a_free_text_date_with_a_time_zone_is_read_too():
    # An aware time from dateparser: the day as written (10 March; in UTC it is still 9 March).
    assert generic.find_publication_date(free_text_page("10 марта 2021 01:30 +0300"), URL, "ru") == "2021-03-10"


def test_the_free_text_date_is_read_in_that_language_only():
    # Greek page, Russian month name: not read as a Russian date (htmldate's year-only guess stays).
    assert generic.find_publication_date(free_text_page("12 марта 2021"), URL, "el") == "2021-01-01"
    # No language: the web's most used languages, Russian among them.
    assert generic.find_publication_date(free_text_page("13 марта 2021"), URL, None) == "2021-03-13"


def test_htmldate_keeps_its_own_last_resort_for_other_users():
    import htmldate.extractors

    generic.find_publication_date(free_text_page("14 марта 2021"), URL, "ru")
    assert htmldate.extractors._external_date.__module__ == "htmldate.extractors"


# a stylesheet's or script's version is not the story's date ---------------------------------------------

ASSETS = ("<link rel='stylesheet' href='/css/site.css?v=2022-06-15'>"
          "<link rel='preload' as='font' href='/fonts/serif.woff2?2022-06-16'>"
          "<script src='/js/site.min.js?ver=2022-06-17-12-15'></script>")


@pytest.mark.parametrize("asset", [
    "<link rel='stylesheet' href='/css/site.css?v=2022-06-15'>",
    "<link rel='Preload' as='font' href='/fonts/serif.woff2?2022-06-16'>",
    "<link rel='modulepreload' href='/js/app.mjs?v=2022-06-16'>",
    "<link rel='prefetch' href='/js/next.js?v=2022-06-16'>",
    "<script src='/js/site.min.js?ver=2022-06-17-12-15'></script>",
    ASSETS])
def test_a_version_date_in_a_stylesheet_or_script_url_is_no_publication_date(asset):
    # Without the rule, htmldate's search of the markup gives each of these dates.
    article = parse(page(asset))
    assert (article.published_at, article.published_day) == (None, None)


def test_the_asset_urls_are_left_as_the_page_gave_them():
    root = lxml_html.fromstring(page(ASSETS))
    assert generic.find_publication_date(root, URL, "en") is None
    assert [element.get("href") or element.get("src") for element in root.iter("link", "script")] == [
        "/css/site.css?v=2022-06-15", "/fonts/serif.woff2?2022-06-16", "/js/site.min.js?ver=2022-06-17-12-15"]


def test_a_date_in_a_links_query_still_counts_where_it_is_no_asset():
    # An alternate version of the page (its feed, its print edition) may name the story's day.
    head = "<link rel='alternate' type='application/rss+xml' href='/feed?day=2022-06-18'>"
    assert parse(page(head)).published_day == "2022-06-18"


# the page's margins (nav, aside, footer outside its article) hold other stories' dates -----------------

THREAD = "".join(f"<p>Post {n} of the thread on the harbour works, long enough to be prose that a reader came for.</p>"
                 for n in range(6))


def thread_page(margin: str, story_footer: str = "") -> str:
    # A forum thread: its first post's time is the story's date; the page (all of it in one form,
    # as some site builders make it) also lists older news days in a sidebar or its footer.
    return (f"<html lang='de'><body><form><main><h1>Hafenarbeiten</h1><div class='post'>"
            f"<span title='Zeit der Erstellung'>28.09.19 12:44</span>{THREAD}{story_footer}</div></main>{margin}"
            f"</form></body></html>")


def find_date_of(markup: str) -> str | None:
    from htmldate.extractors import try_date_expr

    try_date_expr.cache_clear()  # htmldate keeps its readings of date strings for the process
    return generic.find_publication_date(lxml_html.fromstring(markup), "https://forum.example/thread-338679.html", "de")


@pytest.mark.parametrize("margin", [
    "<aside><ul><li><span>21.09.19</span> <a href='/news/day/21'>Andere Meldung</a></li></ul></aside>",
    "<footer><p>Stand 21.09.2019</p></footer>"])
def test_a_date_in_a_sidebar_or_the_page_footer_is_not_the_storys(margin):
    # Without the rule htmldate, which prefers the oldest date it finds, gives 2019-09-21.
    assert find_date_of(thread_page(margin)) == "2019-09-28"


def test_the_storys_own_footer_is_read():
    # An article's footer ("Posted on ...") is the story's: only margins outside it are left out.
    markup = ("<html><body><article><h1>Harbour works begin</h1>" + PROSE
              + "<footer>Published 4 March 2024</footer></article>"
              "<aside><span class='date'>1 February 2024</span> <a href='/other'>Other story</a></aside></body></html>")
    assert find_date_of(markup) == "2024-03-04"


def test_the_margins_are_put_back_where_they_were():
    markup = ("<html><body>before<main><p>Story of 28.09.2019</p></main><aside>A 01.09.2019</aside>after A"
              "<aside>B 02.09.2019</aside><footer>F 03.09.2019</footer>end<nav>N</nav></body></html>")
    root = lxml_html.fromstring(markup)
    unchanged = lxml_html.tostring(root)
    generic.find_publication_date(root, URL, "en")
    assert lxml_html.tostring(root) == unchanged


# the day of publication where the story came out ----------------------------------------------------

def test_the_day_is_the_printed_dates_own_not_its_utc_day():
    head = "<meta property='article:published_time' content='2023-11-08T23:30:59-06:00'>"
    article = parse(page(head))
    assert (article.published_at, article.published_day) == ("2023-11-09T05:30:59Z", "2023-11-08")


def test_a_utc_time_takes_the_day_its_url_names_one_day_apart():
    head = "<meta property='article:published_time' content='2023-11-09T05:30:59Z'>"
    assert parse(page(head), url="https://harbour.example/2023/11/08/works/").published_day == "2023-11-08"
    # two days later: the URL names another day than this time's, and the time's own day stays
    assert parse(page(head), url="https://harbour.example/2023/11/11/works/").published_day == "2023-11-09"
    # two days earlier: an older story's URL, whose date is the story's (see url_date_is_earlier)
    assert parse(page(head), url="https://harbour.example/2023/11/07/works/").published_day == "2023-11-07"


def test_a_utc_time_keeps_its_day_when_the_day_shown_is_two_days_apart_or_the_same():
    head = "<meta property='article:published_time' content='2021-11-04T23:00:00Z'>"
    for shown, day in (("<p class='date'>5. November 2021</p>", "2021-11-05"),
                       ("<p class='date'>6. November 2021</p>", "2021-11-04"),
                       ("<p class='date'>4. November 2021</p>", "2021-11-04"),
                       ("", "2021-11-04")):
        assert parse(page(head, shown, lang="de")).published_day == day, shown


def test_a_time_with_its_own_offset_is_not_second_guessed_by_the_day_shown():
    head = "<meta property='article:published_time' content='2021-11-04T23:00:00+01:00'>"
    assert parse(page(head, "<p class='date'>5. November 2021</p>", lang="de")).published_day == "2021-11-04"


def test_a_page_dated_by_its_url_alone_is_of_the_urls_day():
    article = parse(page(), url="https://harbour.example/2017/7/12/works")
    assert (article.published_at, article.published_day) == ("2017-07-12", "2017-07-12")
    assert parse(page()).published_day is None


# what the words before a date say it is ------------------------------------------------------------

@pytest.mark.parametrize("markup, expected", [
    # a date labelled as a change's is passed over, whatever its class
    ("<div><h4>Zuletzt geändert am:</h4><ul><li class='timestamp'>15.10.2021</li></ul></div>", None),
    ("<p class='date'>Aktualisiert: 11.04.2020</p>", None),
    ("<p class='date'>Updated <time>6.5.2019</time></p>", None),
    ("<p class='date'>Updated 6.5.2019</p><p class='date'>1.5.2019</p>", "2019-05-01"),
    # both labels: the publication date comes first in such a line
    ("<p class='date'>Published 1.5.2019, updated 6.5.2019</p>", "2019-05-01"),
    # a publication label makes any element a date's
    ("<div><span>Erschienen am:</span><h2>13.10.2021</h2></div>", "2021-10-13"),
    ("<p>Veröffentlicht am 13.10.2021 von der Pressestelle</p>", "2021-10-13"),
    ("<div><span>Erschienen am:</span><h2>13.10.2021</h2><h4>Zuletzt geändert am:</h4>"
     "<p class='date'>15.10.2021</p></div>", "2021-10-13"),
    # a date element the page shows beats a label farther off; a label inside a sentence is none
    ("<p class='date'>14.10.2021</p><div><span>Erschienen am:</span><h2>13.10.2021</h2></div>", "2021-10-14"),
    ("<p>The report was first published on 13.10.2021 by the ministry.</p>", None),
    # a label in a sidebar is not the story's
    ("<aside><span>Published:</span> <b>13.10.2021</b></aside>", None),
    # a word holding a label's letters is no label, and the labels after it are still read
    ("<p>Unpublished notes</p><div><span>Erschienen am:</span><h2>13.10.2021</h2></div>", "2021-10-13"),
    # a label as the text after an element ("<b>Berlin</b> Published: ...")
    ("<p><b>Berlin</b> Published: <i>13.10.2021</i></p>", "2021-10-13"),
    # the label words before a date may come as several texts
    ("<p><b>Updated</b> <i>on</i> <span class='date'>6.5.2019</span></p>", None),
    # a label as the text after an element with texts of its own
    ("<p><span><b>a</b><b>b</b><b>c</b><b>d</b></span> Published: <i>13.10.2021</i></p>", "2021-10-13"),
    # a labelled publication date stays one whatever was said before its label
    ("<p>Zuletzt geändert</p><div><span>Erschienen am:</span><h2>13.10.2021</h2></div>", "2021-10-13"),
    # an empty date element is passed over
    ("<span class='date'></span><p class='date'>28.04.2020</p>", "2020-04-28"),
])
def test_labels_before_a_date(markup, expected):
    assert date_shown(lxml_html.fromstring(f"<html><body>{markup}</body></html>"), "de") == expected


def test_a_meta_date_of_the_last_change_gives_way_to_the_labelled_publication_date():
    head = "<meta name='date' content='2021-10-15'>"
    shown = ("<div><span>Erschienen am:</span><h2>13.10.2021</h2></div>"
             "<div><h4>Zuletzt geändert am:</h4><ul><li class='timestamp'>15.10.2021</li></ul></div>")
    article = parse(page(head, shown, lang="de"))
    assert (article.published_at, article.published_day, article.sources["published_at"]) == (
        "2021-10-13", "2021-10-13", "markup")


# dates in the byline and the dateline, for a page nothing else dates -----------------------------

def test_a_page_with_no_date_but_its_bylines_takes_the_bylines():
    shown = "<p class='byline'>von Marianne am 20.09.2020</p>"
    after = "<aside><p>Neu: <span class='date'>22.09.2020</span></p></aside>"
    article = parse(page(shown=shown, after=after, lang="de"))
    assert (article.published_at, article.sources["published_at"]) == ("2020-09-20", "generic")


def test_a_page_with_no_date_but_its_datelines_takes_the_datelines():
    body = ("<!DOCTYPE html><html lang='de'><head><meta charset='utf-8'><title>Die Branche protestiert</title>"
            "</head><body><div class='story'><h1>Die Branche protestiert</h1><p>29.11.2022 – Mehrfach und vehement "
            "hatte die Branche die Nachteile der Abschöpfung betont, und sie tut es wieder.</p>" + PROSE +
            "</div><div class='comments'><p>Marth 02.12.2022, 15:57</p></div></body></html>").encode()
    article = parse(body)
    assert (article.published_at, article.published_day) == ("2022-11-29", "2022-11-29")


@pytest.mark.parametrize("byline, expected", [
    ("von Marianne am 20.09.2020", "2020-09-20"),
    ("By Ana Ruiz, March 3, 2020", "2020-03-03"),
    ("By Ana Ruiz", None),
    ("By Ana Ruiz 2020", None),  # a year names no day
    ("By Ana Ruiz, March 3, 2999", None),  # nor a day to come
    (None, None),
])
def test_date_in_byline(byline, expected):
    assert date_in_byline(byline, "en" if byline and "By" in byline else "de") == expected


@pytest.mark.parametrize("lines, expected", [
    (["29.11.2022 – Die Branche protestiert."], "2022-11-29"),
    (["BERLIN, 3 March 2020 - The ministry said."], "2020-03-03"),
    (["Karlsruhe, (12.11.2021). Traditionell gedenken ..."], "2021-11-12"),
    (["Titel", "Ein Vorspann.", "(21. November 2022) Verbraucher zahlen mehr."], "2022-11-21"),
    (["In 2019 - and after - prices rose."], None),
    (["The minister said on 3 March 2020 that works begin - at last."], None),  # no dateline: a sentence
    (["12.11.2021"], None),  # a date alone is no dateline: the text goes on after it
    ([], None),
])
def test_dateline_day(lines, expected):
    assert dateline_day(lines, "en" if lines and lines[0][:1] in "BIT" else "de") == expected


def test_a_label_is_read_for_sixty_characters_after_it():
    def shown(filler: int):
        return date_shown(lxml_html.fromstring(
            f"<html><body><p>Published: {'x' * filler} 13.10.2021</p></body></html>"), "de")
    # after "Published": ": ", the filler, " 13.10.2021": 60 characters with a filler of 47
    assert shown(47) == "2021-10-13"
    assert shown(48) is None


def test_a_dateline_ends_within_sixty_characters():
    # the place, the date, then " – ": the dash's match must end by the 60th character
    place = "A" * 45 + ", 29.11.2022"  # 57 characters
    assert dateline_day([place + " – Die Branche protestiert."], "de") == "2022-11-29"
    assert dateline_day(["A" + place + " – Die Branche protestiert."], "de") is None


def test_a_byline_date_is_read_in_the_pages_language():
    assert date_in_byline("von Ana am 3. März 2020", "de") == "2020-03-03"
    # the date is the byline's last words, however many names come before it
    assert date_in_byline("By Ana Ruiz and Omar Ali, March 3, 2020", "en") == "2020-03-03"
    # Greek is not among the languages tried for a page that does not say its own
    assert date_in_byline("Του Νίκου Παππά, 5 Μαρτίου 2024", "el") == "2024-03-05"
    assert date_in_byline("von Ana am 20.09.1985", "de") is None  # before the web had news sites


@pytest.mark.parametrize("moment, day", [
    ("2021-11-04T18:30:00Z", "2021-11-05"),  # midnight in Delhi
    ("2021-11-04T18:15:00Z", "2021-11-05"),  # midnight in Kathmandu (+05:45)
    ("2021-11-04T18:31:00Z", "2021-11-04"),  # no zone's midnight: a moment, its own UTC day
    ("2021-11-04T18:30:01Z", "2021-11-04"),
])
def test_the_day_shown_settles_the_day_of_a_utc_time_that_is_some_zones_midnight(moment, day):
    head = f"<meta property='article:published_time' content='{moment}'>"
    assert parse(page(head, "<p class='date'>5 November 2021</p>")).published_day == day


def test_a_time_element_without_a_class_counts_among_classed_date_elements():
    page_ = ("<p class='date'>1 May 2020</p><div><p>Menu</p><p>Search</p><p>Login</p></div>"
             "<h1>Harbour works</h1><p><time>28 April 2020</time></p>")
    root = lxml_html.fromstring(f"<html><body>{page_}</body></html>")
    assert date_shown(root, "en", near=root.find(".//h1")) == "2020-04-28"
    assert date_shown(root, "en") == "2020-05-01"  # the first in the page's order


def test_labelled_dates_are_read_nearest_the_headline_first_in_the_pages_language():
    page_ = ("<div><span>Published:</span> <b>1.5.2020</b></div><div><p>Menu</p><p>Search</p><p>Login</p></div>"
             "<h1>Harbour works</h1><div><span>Published:</span> <b>28.4.2020</b></div>")
    root = lxml_html.fromstring(f"<html><body>{page_}</body></html>")
    assert date_shown(root, "en", near=root.find(".//h1")) == "2020-04-28"
    greek = lxml_html.fromstring("<html><body><div><span>Published:</span> <b>5 Μαρτίου 2024</b></div></body></html>")
    assert date_shown(greek, "el") == "2024-03-05"  # Greek is not among the languages tried without one


def test_an_element_with_no_date_class_is_no_date_element():
    page_ = "<h1>Harbour works</h1><p>28 April 2020</p><p>More</p><p>Text</p><p class='date'>1 May 2020</p>"
    root = lxml_html.fromstring(f"<html><body>{page_}</body></html>")
    assert date_shown(root, "en", near=root.find(".//h1")) == "2020-05-01"


@pytest.mark.parametrize(("printed", "language", "day"), [
    # Dots put the day first wherever dates are written so; read month-first (1 October) on a
    # German page that declared no language, and its comments' dates too.
    ("10.01.2017", None, "2017-01-10"),
    ("10.01.2017", "en", "2017-01-10"),
    ("Veröffentlicht am 10.01.2017", None, "2017-01-10"),
    ("10.01.2017 um 14:30 Uhr", "de", "2017-01-10"),
    ("10.01.17", None, "2017-01-10"),
    ("31.12.2016", None, "2016-12-31"),
    ("13.13.2017", None, None),  # no such month, either way round
    ("10/01/2017", "en", "2017-10-01"),  # slashes: the American order, for a page that says English only
])
def test_a_numeric_date_written_with_dots_is_day_first(printed, language, day):
    from newsarchive.parsers.dates import find_date

    found = find_date(printed, language)
    assert (found[:10] if found else None) == day
