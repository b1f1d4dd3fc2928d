"""Dates as printed to ISO 8601.

A date with no time of day stays a date (`2019-02-26`): inventing midnight would claim a precision
the page does not have. A time with a zone becomes UTC (`2019-05-14T06:30:00Z`); a time with no
zone is taken as UTC. Cheap paths first: ISO 8601 (the form most pages and all metadata use), then
"day month year" and "month day, year" with the month names of the page's language from the
Unicode CLDR (through Babel); dateparser, which understands far more but costs milliseconds a
call, only for the rest.
"""

from __future__ import annotations

import contextlib
import re
from datetime import date, datetime, timedelta, timezone
from email.utils import parsedate_tz
from functools import lru_cache
from typing import TYPE_CHECKING, Any, Callable
from urllib.parse import urlsplit

from lxml import etree

from newsarchive.items import Layer
from newsarchive.parsers.cldr import cldr_table
from newsarchive.parsers.page_cache import named_elements, per_page
from newsarchive.parsers.text import normalise_text, western_digits

if TYPE_CHECKING:
    from newsarchive.items import Article

_ISO_DATE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})$")
_ISO_DATETIME = re.compile(r"^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}")
_HAS_TIME = re.compile(r"\d{1,2}:\d{2}")
_DAY_MONTH_YEAR = re.compile(r"^(\d{1,2})\.?\s+([^\d\s,]+?)\.?,?\s+(\d{4})$")
_MONTH_DAY_YEAR = re.compile(r"^([^\d\s,]+?)\.?\s+(\d{1,2}),?\s+(\d{4})$")
# A numeric date written with dots puts the day first wherever it is written so (German, Russian,
# Turkish, Nordic, Slavic pages); the American month-first order writes slashes. dateparser, told no
# language, or English, read "10.01.2017" as 1 October.
_DOTTED_DAY_MONTH_YEAR = re.compile(r"^(\d{1,2})\.(\d{1,2})\.(\d{4})$")  # alone: read here, no dateparser
_DOTTED_NUMERIC_DATE = re.compile(r"(?<![\d.])\d{1,2}\.\d{1,2}\.\d{2,4}(?![\d.]*\d)")  # with more: dateparser's DMY
# RSS's pubDate and HTTP's dates (RFC 2822): "Tue, 10 Jun 2003 04:00:00 GMT", "2 Oct 2002 13:00 +0200",
# with an offset or a zone the standard names (others, such as CEST, are dateparser's to read).
_RFC_2822 = re.compile(r"^(?:[A-Za-z]{3},\s*)?\d{1,2}\s+[A-Za-z]{3}\s+\d{2,4}\s+\d{1,2}:\d{2}(?::\d{2})?\s+"
                       r"(?:[+-]\d{4}|UT|UTC|GMT|Z|[ECMP][SD]T)$")


def normalise_date(raw: str | None, language: str | None = None, costly: bool = True,
                   local: bool = False) -> str | None:
    """ISO 8601 for a date or date-time as printed, or None when it is not a date. `costly=False`:
    only the cheap parsers, not dateparser. `local`: the calendar day where it was printed, not
    the moment in UTC ("19 February 2020 23:30 CST" is the 19th there, 05:30 on the 20th in UTC)."""
    text = normalise_text(raw)
    if not text:
        return None
    text = western_digits(text)
    match = _ISO_DATE.match(text)
    if match:
        return _valid_date(*map(int, match.groups()))
    if _ISO_DATETIME.match(text):
        parsed = _from_isoformat(text)
        if parsed is not None:
            return parsed.date().isoformat() if local else to_utc_iso(parsed)
    if _RFC_2822.match(text) and (parts := parsedate_tz(text)) is not None:
        return _valid_date(*parts[:3]) if local else _rfc_2822_moment(parts)
    match = _DOTTED_DAY_MONTH_YEAR.match(text)
    if match:
        day_number, month, year = map(int, match.groups())
        return _valid_date(year, month, day_number)
    if language:
        day = _with_month_names(text, language)
        if day:
            return day
    return _with_dateparser(text, language, local) if costly else None


def _rfc_2822_moment(parts: tuple) -> str | None:
    """An RFC 2822 date (parsedate_tz's parts) in UTC; None for no such day.

    >>> _rfc_2822_moment(parsedate_tz("Wed, 02 Oct 2002 13:00:00 +0200"))
    '2002-10-02T11:00:00Z'
    """
    try:
        year, month, day, hour, minute, second = parts[:6]
        return to_utc_iso(datetime(year, month, day, hour, minute, second, tzinfo=timezone(timedelta(seconds=parts[9]))))
    except (ValueError, OverflowError):  # 31 February; an offset of a day or more
        return None


def to_utc_iso(moment: datetime) -> str | None:
    """The moment in UTC, as ISO 8601; None when UTC has no such moment: .NET's empty date
    (0001-01-01T00:00:00) written in a zone east of UTC falls before year 1, and made the page a
    parse_error.

    >>> to_utc_iso(datetime.fromisoformat("2024-05-02T08:00:00+03:00"))
    '2024-05-02T05:00:00Z'
    >>> to_utc_iso(datetime.fromisoformat("0001-01-01T00:00:00+03:00")) is None
    True
    """
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    try:
        moment = moment.astimezone(timezone.utc)
    except OverflowError:
        return None
    # Not strftime("%Y"): it prints year 1 as "1", which is no ISO date.
    return f"{moment.year:04d}-{moment:%m-%dT%H:%M:%S}Z"


def find_date(raw: str | None, language: str | None = None, max_leading_words: int = 4,
              local: bool = False) -> str | None:
    """A date in text that may start with a label ("Updated 20 May 2024", "تم التحديث ..."):
    the whole text, else the text without its first word, two words, ... as printed (`local`: as
    normalise_date's)."""
    words = (raw or "").split()  # pragma: no mutate (any placeholder word reads as no date too)
    variants = [" ".join(words[skip:]) for skip in range(min(max_leading_words, max(len(words) - 1, 0)) + 1)]
    for text in variants:  # the cheap parsers on every variant first: dateparser costs milliseconds
        found = normalise_date(text, language, costly=False, local=local)
        if found:
            return found
    for text in variants:  # then dateparser, the whole text first, then less each label word
        # pragma below: variants are words joined, never blank; an empty one is no date to dateparser either
        found = _with_dateparser(western_digits(normalise_text(text) or ""), language, local) if text else None  # pragma: no mutate
        if found:
            return found
    return None


def local_day(raw: str | None, language: str | None = None) -> str | None:
    """The calendar day as the publisher printed it: `2022-05-03T22:30:00-03:00` is the 3rd where
    it was published, though the 4th in UTC (what `normalise_date` stores)."""
    text = western_digits(normalise_text(raw) or "")  # pragma: no mutate (a placeholder reads as no date)
    if _ISO_DATETIME.match(text):
        parsed = _from_isoformat(text)
        if parsed is not None:
            return parsed.date().isoformat()
    return date_part(find_date(text, language, local=True))


def date_part(iso: str | None) -> str | None:
    return iso[:10] if iso else None


def _valid_date(year: int, month: int, day: int) -> str | None:
    try:
        return date(year, month, day).isoformat()
    except ValueError:
        return None


def _from_isoformat(text: str) -> datetime | None:
    try:
        # pragma below: fromisoformat reads a "Z" itself since Python 3.11 (requires-python), so the
        # replace changes nothing
        return datetime.fromisoformat(text.replace("Z", "+00:00"))  # pragma: no mutate
    except ValueError:
        return None


def _with_month_names(text: str, language: str) -> str | None:
    match = _DAY_MONTH_YEAR.match(text)
    if match:
        day, month_name, year = match.groups()
    else:
        match = _MONTH_DAY_YEAR.match(text)
        if not match:
            return None
        month_name, day, year = match.groups()
    month = month_numbers(language).get(month_name.casefold())
    return _valid_date(int(year), month, int(day)) if month else None


@cldr_table
def month_numbers(language: str) -> dict[str, int]:
    """Month names (wide and abbreviated, in running text and alone) to numbers, from CLDR."""
    from babel import UnknownLocaleError
    from babel.dates import get_month_names

    table: dict[str, int] = {}
    for width in ("wide", "abbreviated"):
        for context in ("format", "stand-alone"):
            try:
                names = get_month_names(width, context, locale=language.replace("-", "_"))
            except (UnknownLocaleError, ValueError, TypeError):
                return {}
            for number, name in names.items():
                table.setdefault(name.casefold().rstrip("."), number)
    return table


def _with_dateparser(text: str, language: str | None, local: bool = False) -> str | None:
    parsed = _dateparser_parse(text, language)
    if parsed is None:
        return None
    if _HAS_TIME.search(text) and not local:
        return to_utc_iso(parsed)
    return parsed.date().isoformat()


def parse_free_text_date(text: str, language: str | None) -> datetime | None:
    """The full date (day, month, year) a short text is, read by dateparser in the page's language
    (else in the web's most used ones); never a relative date ("today", "2 hours ago").

    >>> parse_free_text_date("3 mars 2020", "fr").date().isoformat()
    '2020-03-03'
    >>> parse_free_text_date("Posted today", "en") is None
    True
    """
    return _dateparser_parse(text, language)


@lru_cache(maxsize=4096)
def _dateparser_parse(text: str, language: str | None) -> datetime | None:
    import dateparser  # imported on first need: it takes a second to load its language data

    # No relative dates ("today", "heute", "2 hours ago"): they are relative to when the page was
    # made, which an archive cannot know (a cached or saved page says "today" for years), and a
    # label word read as "today" hid the printed date after it ("Stand heute 03.04.2020").
    settings = {"PREFER_DAY_OF_MONTH": "first", "REQUIRE_PARTS": ["day", "month", "year"],
                "PARSERS": ["timestamp", "custom-formats", "absolute-time"]}
    if _DOTTED_NUMERIC_DATE.search(text):
        settings["DATE_ORDER"] = "DMY"
    # Without a language dateparser tries all 200 of its locales, loading each one's data (some
    # 60 MB a process); the page's language, else the languages most of the web is written in.
    languages = [language] if language else UNDECLARED_LANGUAGES
    try:
        if language and "-" in language:  # a region ("en-GB"): its order of a numeric date's day and month
            with contextlib.suppress(ValueError):  # a locale dateparser does not know: its language's
                return dateparser.parse(text, locales=[language], settings=settings)
            languages = [language.split("-")[0]]
        return dateparser.parse(text, languages=languages, settings=settings)
    except (ValueError, OverflowError, TypeError, KeyError):  # a language dateparser does not know
        return None


# The most used languages of web content (W3Techs' content-language shares), tried in that order
# for a date on a page that does not say its language.
UNDECLARED_LANGUAGES = ["en", "es", "de", "ru", "ja", "fr", "pt", "it", "tr", "fa", "nl", "pl", "zh", "vi", "ar",
                        "id", "ko", "cs", "uk", "he", "sv"]


EARLIEST_PLAUSIBLE_YEAR = 1990  # before the web had news sites


def plausible_publication_date(iso: str) -> bool:
    """A web article's publication date: not before 1990, not after tomorrow (UTC)."""
    try:
        day = date.fromisoformat(iso[:10])
    except ValueError:
        return False
    return day.year >= EARLIEST_PLAUSIBLE_YEAR and day <= datetime.now(timezone.utc).date() + timedelta(days=1)


# Dates in URLs ---------------------------------------------------------------------------------

# A publication date in the path of a site with no profile: /2019/01/31/, /2019/1/31/, /2019-01-31-.
DATE_IN_URL = re.compile(
    r"/(?P<year>(?:19|20)\d{2})([/-])(?P<month>0?[1-9]|1[0-2])\2(?P<day>0?[1-9]|[12]\d|3[01])(?:[/_.-]|$)"
)
UTC_STAMP = re.compile(r"(?:Z|[+-]00:?00)$")
# A time some zone's midnight is in UTC: a whole hour, or :30 (India, Iran ...) or :15 (Nepal).
_MIDNIGHT_ELSEWHERE = re.compile(r"T\d\d:(?:00|15|30):00Z$")
OFFSET_STAMP = re.compile(r"[+-]\d\d:?\d\d$")


def day_of_match(match) -> str | None:
    """The calendar day a URL pattern's year, month and day groups name (None for 2019-02-30)."""
    return normalise_date(f"{match['year']}-{int(match['month']):02d}-{int(match['day']):02d}")


def url_date_is_earlier(url_date: str, published: str) -> bool:
    """More than a day before the page's date: not a time-zone difference but an older story.
    False when either is not a calendar date."""
    try:
        return (date.fromisoformat(published[:10]) - date.fromisoformat(url_date[:10])).days > 1
    except ValueError:
        return False


def publication_day(article: Article, shown: Callable[[], str | None] = lambda: None,
                    language: str | None = None) -> str | None:
    """The day of publication where it was published. `published_at` is in UTC, and a story out
    at 00:30 in Berlin is the previous day's in UTC: the day is read from the date as printed,
    and where that is a UTC time, from a day one apart that the page names in its own time: the
    date in its URL, which the site minted in its own time zone; else, for a time that is some
    zone's midnight (a whole hour, or :30 or :15), the date the page shows under its headline: such
    a time is what a date without a time becomes when a site writes its own midnight in UTC
    (5 November in Berlin: 2021-11-04T23:00Z; in Delhi: 2021-11-04T18:30Z);
    a time to the minute is a moment, whose local day only the URL is trusted to give (a date
    shown one day later is as often an update's). `shown()` is asked only then: finding the date
    shown costs milliseconds. `language`: the one the date was read in (a region's, "en-GB", reads
    02/03/2021 as the 2nd of March), else the article's."""
    day = date_part(article.published_at)
    raw = article.published_at_raw
    if not raw or article.sources.get("published_at") == Layer.URL:
        return day
    day = local_day(raw, language or article.language) or day
    if day and UTC_STAMP.search(raw):
        match = DATE_IN_URL.search(urlsplit(article.url).path)
        # pragma below: a placeholder is no time either (and published_at is set where raw is)
        midnight_elsewhere = bool(_MIDNIGHT_ELSEWHERE.search(article.published_at or ""))  # pragma: no mutate
        for local_day_of in (lambda: match and day_of_match(match), lambda: midnight_elsewhere and shown()):
            local = local_day_of()
            if local and abs((date.fromisoformat(local) - date.fromisoformat(day)).days) == 1:
                return local
    return day


# The date a page shows ----------------------------------------------------------------------------

# An element showing a date: <time>, or a class naming a date or a timestamp ("date", "Datum",
# "Stand", "published", "fecha").
_NO_DATE_ELEMENTS = frozenset({"body", "html", "article"})
_DATE_CLASS = re.compile(r"date|time|datum|stand|publish|posted|fecha|fec-pub", re.IGNORECASE)
_NUMERIC_DAY = re.compile(r"\b\d{1,2}\.\s?\d{1,2}\.\s?\d{4}\b|\b\d{4}-\d{2}-\d{2}\b")
_NOT_THE_STORY = frozenset({"nav", "aside", "footer", "form"})
# What the words before a date say it is. After a publication label the date is the story's, in
# any element ("<span>Erschienen am:</span> <h2>13.10.2021</h2>"); after a modification label it
# is not, whatever its element's class ("Zuletzt geändert am: 15.10.2021", "Updated May 6").
_PUBLICATION_WORDS = (r"published|posted|first published|veröffentlicht|erschienen|publiziert|publié|mis en ligne|"
                      r"publicad[oa]|pubblicat[oa]|gepubliceerd|julkaistu|publicerad|publisert|publiceret|opublikowan[oy]")
_MODIFICATION_WORDS = (r"updated|modified|changed|aktualisiert|geändert|mis à jour|actualizad[oa]|atualizad[oa]|"
                       r"aggiornat[oa]|bijgewerkt|päivitetty|uppdaterad|oppdatert|opdateret|zaktualizowan[oy]")
_PUBLICATION_LABEL = re.compile(rf"\b(?:{_PUBLICATION_WORDS})\b", re.IGNORECASE)
_MODIFICATION_LABEL = re.compile(rf"\b(?:{_MODIFICATION_WORDS})\b", re.IGNORECASE)
# A short text that opens with a publication label: "Erschienen am:", "Published on". lxml finds
# the texts holding a label word's stem in C (its regular expressions call back into Python for
# every text of the page: ten times the cost); the label's place is checked in Python.
_LABEL_STEMS = ("ublish", "osted", "öffentlicht", "rschienen", "ubliziert", "ublié", "en ligne", "ublicad",
                "ubblicat", "ubliceerd", "ulkaistu", "ublicer", "ublisert", "publikowan")
_SHORT_TEXTS_WITH_A_STEM = etree.XPath(
    "//text()[string-length() < 80][{}]".format(" or ".join(f"contains(., '{stem}')" for stem in _LABEL_STEMS)))
_OPENS_WITH_A_LABEL = re.compile(rf"^\W*(?:{_PUBLICATION_WORDS})\b", re.IGNORECASE)
_TEXTS_FROM_A_TEXT = etree.XPath("(descendant::text() | following::text())[normalize-space()][position() <= 4]")
_TEXTS_AFTER_A_TAIL = etree.XPath("following::text()[normalize-space()][position() <= 4]")
_LABEL_WINDOW = 60  # characters after a label read for its date
_TEXTS_BEFORE = etree.XPath("preceding::text()[normalize-space()][position() <= 2]")
# Searched for, not matched from the start: ".*\d" backtracked from every position of a text
# without a digit, which took 8 s for a headline of 40,000 characters (the square of its length).
_THE_LAST_DIGIT = re.compile(r"\d\D*\Z")
_FROM_THE_FIRST_DIGIT = re.compile(r"\d.*", re.DOTALL)


def date_shown(root, language: str | None = None, near=None) -> str | None:
    """The day of the first date the page shows in a date element (`<time>`, a class naming a
    date) outside navigation, sidebars and comments: what a reader sees under the headline.
    With `near` (the headline element), the date element nearest it in the page's order instead
    of the first: the date under the headline, not a clock in the page's header above it or a
    teaser's date below the story. A date the words before it call a change's ("Updated") is not
    taken. With no date element left, a date after a publication label ("Erschienen am:") in
    any element; looked for last, as finding labels costs more than the date elements.

    >>> from lxml import html
    >>> date_shown(html.fromstring("<div><span class='stand'>Stand: 28.04.2020 18:00 Uhr</span></div>"), "de")
    '2020-04-28'
    >>> page = html.fromstring("<div><p class='date'>1 May 2020</p><div><p>Menu</p><p>Search</p></div>"
    ...                        "<h1>Harbour works</h1><p class='date'>28 April 2020</p></div>")
    >>> date_shown(page, "en", near=page.find(".//h1"))
    '2020-04-28'
    """
    found = dated_element_shown(root, language, near)
    return found[1] if found else None


def dated_element_shown(root, language: str | None = None, near=None) -> tuple[Any, str] | None:
    """The element `date_shown` reads, and its day."""
    # A page's dates may be asked for more than once. (pragmas: a cache's key, any name works; a
    # flag's None is as false)
    elements = per_page(root, "date elements", _date_elements)  # pragma: no mutate
    found = _first_dated(root, elements, near, language, _shown_text, after_a_label=False)  # pragma: no mutate
    if found is None:
        labelled = per_page(root, "labelled dates", _labelled_dates)  # pragma: no mutate
        found = _first_dated(root, list(labelled), near, language, labelled.get, after_a_label=True)
    return found


def _date_elements(root) -> list:
    """The page's <time> elements and those whose class names a date, in page order: from the
    page's named elements (page_cache), found once a page for every step that reads class names."""
    # pragma below: a placeholder class names no date
    classed = {element for element, _ in named_elements(root)  # pragma: no mutate
               if element.tag not in _NO_DATE_ELEMENTS and _DATE_CLASS.search(element.get("class") or "")}
    if not classed:
        return list(root.iter("time"))
    position = per_page(root, "positions", _positions)  # pragma: no mutate (the cache's key: any name works)
    return sorted(classed.union(root.iter("time")), key=position.__getitem__)


def _first_dated(root, elements: list, near, language: str | None, text_of,
                 after_a_label: bool) -> tuple[Any, str] | None:
    """The first of `elements` (nearest `near` first) whose text (`text_of`) reads as a plausible
    date in the story, and its day; one of them labelled as a change's is passed over, unless all
    were found `after_a_label` of publication."""
    if near is not None:
        elements = _nearest_first(root, elements, near)
    for element in elements:
        text = text_of(element)
        if not text:
            continue
        numeric = _NUMERIC_DAY.search(text)
        if len(text) > (120 if numeric else 60) or not _in_the_story(element):
            continue
        day = date_part(find_date(numeric[0] if numeric else text, language))
        if day and plausible_publication_date(day) and (after_a_label or not _labelled_as_modified(element, text)):
            return element, day
    return None


def _shown_text(element) -> str | None:
    return normalise_text(element.get("datetime") or " ".join(element.itertext()))


def _labelled_dates(root) -> dict:
    """{element: the text after its publication label} for each short text of the page that
    opens with one ("Erschienen am:", "Published on"): the date after it, in the same element or
    the next, is the story's, whatever its element."""
    found = {}
    for label in _SHORT_TEXTS_WITH_A_STEM(root):
        opening = _OPENS_WITH_A_LABEL.match(label)
        owner = label.getparent()  # the element whose text, or tail, the label is
        if opening is None or owner in found:
            continue
        # The texts from the label on; the first of them is the label itself.
        texts = _TEXTS_AFTER_A_TAIL(owner) if label.is_tail else _TEXTS_FROM_A_TEXT(owner)
        after = normalise_text(" ".join([label[opening.end():], *texts[1:]])[:_LABEL_WINDOW])
        if after:
            found[owner] = after
    return found


def _labelled_as_modified(element, text: str) -> bool:
    """Whether the words before a date element's date (in it, or just before it) say it is the
    date of a change: "Aktualisiert: 11.04.2020", "<h4>Zuletzt geändert am:</h4><li>15.10.2021"."""
    # The words since the last number before it ("Updated 6.5.2019 <p>1.5.2019" labels the first
    # only) and its own words before its first digit.
    preceding = _after_the_last_digit(" ".join(_TEXTS_BEFORE(element)))
    before = f"{preceding} {_FROM_THE_FIRST_DIGIT.sub('', text)}"
    return bool(_MODIFICATION_LABEL.search(before)) and not _PUBLICATION_LABEL.search(before)


def _after_the_last_digit(text: str) -> str:
    """
    >>> _after_the_last_digit("Updated 6.5.2019 by Ana"), _after_the_last_digit("no digit")
    (' by Ana', 'no digit')
    """
    last = _THE_LAST_DIGIT.search(text)
    return text[last.start() + 1:] if last else text


# A date in a byline: "von Ana am 20.09.2020", "By Ana Ruiz, March 3, 2020".
_YEAR = re.compile(r"\b(?:19|20)\d\d\b")


def date_in_byline(byline: str | None, language: str | None = None) -> str | None:
    """The day a printed byline dates the story, if it does (its date is the last thing in it).

    >>> date_in_byline("von Marianne am 20.09.2020", "de")
    '2020-09-20'
    >>> date_in_byline("By Ana Ruiz, March 3, 2020", "en"), date_in_byline("By Ana Ruiz", "en")
    ('2020-03-03', None)
    """
    if not byline or not _YEAR.search(byline):
        return None
    numeric = _NUMERIC_DAY.search(byline)
    # A day with a month's name is its last three words: "3 March 2020", "March 3, 2020", "3. März 2020".
    day = date_part(find_date(numeric[0] if numeric else " ".join(byline.split()[-3:]), language, max_leading_words=0))
    return day if day and plausible_publication_date(day) else None


# A dateline: the story's first line opens with its date, alone or after a place, and then the
# text goes on after a dash, a bracket or a full stop: "29.11.2022 – The ...", "(21. November
# 2022) The ...", "Karlsruhe, (12.11.2021). The ...", "BERLIN, 3 March 2020 - The ...".
_DATELINE_END = re.compile(r"\s[–—-]\s|\)[\s.:]|\.\s|:\s")
_DATELINE_LENGTH = 60  # characters: a place, a date and the dash after them
# A day and a year in the opening: "12.11.2021", "3 March 2020", "March 3, 2020" (a year alone,
# "In 2019 - ...", dates nothing).
_DAY_AND_YEAR = re.compile(r"\b\d{1,2}\b.*\b(?:19|20)\d\d\b|\b(?:19|20)\d\d\b.*\b\d{1,2}\b")


def dateline_day(lines: list[str], language: str | None = None) -> str | None:
    """The day the story's dateline names, in the first of `lines` (the body's first blocks: a
    standfirst or the headline again may come before the dateline) that opens with one.

    >>> dateline_day(["29.11.2022 – Die Branche protestiert."], "de")
    '2022-11-29'
    >>> dateline_day(["Karlsruhe, (12.11.2021). Traditionell ..."], "de")
    '2021-11-12'
    >>> dateline_day(["A standfirst.", "(21. November 2022) Verbraucher zahlen mehr."], "de")
    '2022-11-21'
    >>> dateline_day(["In 2019 - and after - prices rose."], "en") is None
    True
    """
    for line in lines:
        for end in _DATELINE_END.finditer(line[:_DATELINE_LENGTH]):
            opening = line[:end.start()]
            # pragma below: the guard spares dateparser's milliseconds on openings with no day in them
            day = date_part(find_date(opening, language)) if _DAY_AND_YEAR.search(opening) else None  # pragma: no mutate
            if day and plausible_publication_date(day):
                return day
    return None


def _nearest_first(root, elements: list, near) -> list:
    """The elements by their distance from `near` in the page's order (elements between them),
    the earlier first at equal distance. Dates are read in this order, so the page's far dates
    are never parsed when a near one reads."""
    position = per_page(root, "positions", _positions)
    anchor = position.get(near, 0)
    return sorted(elements, key=lambda element: (abs(position[element] - anchor), position[element]))


def _positions(root) -> dict:
    return {element: index for index, element in enumerate(root.iter())}


def _in_the_story(element) -> bool:
    from newsarchive.parsers.comments import is_comment_item

    return not any(a.tag in _NOT_THE_STORY or is_comment_item(a) for a in element.iterancestors())
