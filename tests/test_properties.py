"""Property-based tests of the pure rules (hypothesis): what must hold for every input, not only
for the examples we thought of."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

from hypothesis import assume, given, settings
from hypothesis import strategies as st

from newsarchive.parsers.bylines import split_byline
from newsarchive.parsers.dates import normalise_date
from newsarchive.parsers.encoding import decode_html
from newsarchive.parsers.urls import canonicalise_url

LATIN_NAME = st.from_regex(r"[A-Z][a-z]{2,9}( [A-Z][a-z]{2,9}){1,2}", fullmatch=True)
# Names that are no lead-in, no joining word, no agency, no role word.
NAMES = st.lists(LATIN_NAME.filter(lambda name: not any(word in name.lower().split() for word in (
    "and", "by", "von", "par", "por", "door", "afp", "ap", "reuters", "staff", "editor", "writer", "desk"))),
    min_size=1, max_size=4, unique=True)


@given(NAMES, st.sampled_from(["By ", "by ", "", "BY "]))
def test_a_byline_gives_back_its_names_in_order(names, lead_in):
    byline = lead_in + (", ".join(names[:-1]) + " and " + names[-1] if len(names) > 1 else names[0])
    authors = split_byline(byline)
    assert [author.name for author in authors] == names
    assert [author.position for author in authors] == list(range(len(names)))


PATH_SEGMENT = st.from_regex(r"[a-z0-9-]{1,12}", fullmatch=True)
PARAMETERS = st.dictionaries(st.from_regex(r"[a-z]{1,6}", fullmatch=True).filter(lambda k: k not in ("ref", "share", "spm", "at")),
                             st.from_regex(r"[a-z0-9]{0,6}", fullmatch=True), max_size=4)


@given(st.lists(PATH_SEGMENT, min_size=1, max_size=4), PARAMETERS, st.from_regex(r"[a-z]{0,8}", fullmatch=True))
def test_canonical_urls_drop_tracking_and_fragments_and_are_stable(segments, parameters, fragment):
    base = "https://news.example/" + "/".join(segments)
    query = "&".join(f"{k}={v}" for k, v in parameters.items())
    tracked = f"{base}?{query}{'&' if query else ''}utm_source=newsletter&fbclid=abc#{fragment}"
    canonical = canonicalise_url(tracked)
    assert canonical == canonicalise_url(f"{base}?{query}") == canonicalise_url(canonical)  # idempotent
    assert "utm_" not in canonical and "fbclid" not in canonical and "#" not in canonical
    reordered = f"{base}?{'&'.join(reversed(query.split('&')))}" if query else base
    assert canonicalise_url(reordered) == canonical  # parameter order does not make another URL


DAYS = st.dates(min_value=date(1995, 1, 1), max_value=date(2035, 12, 31))


@given(DAYS)
def test_an_iso_date_is_itself(day):
    assert normalise_date(day.isoformat()) == day.isoformat()


@given(DAYS, st.integers(min_value=0, max_value=24 * 60 - 1), st.integers(min_value=-12 * 60, max_value=14 * 60))
def test_a_time_with_an_offset_becomes_the_same_instant_in_utc(day, minute, offset):
    zone = timezone(timedelta(minutes=offset))
    moment = datetime(day.year, day.month, day.day, tzinfo=zone) + timedelta(minutes=minute)
    printed = moment.isoformat()
    assert normalise_date(printed) == moment.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


ENGLISH_MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August", "September",
                  "October", "November", "December"]


@given(DAYS)
def test_a_printed_english_date_is_read(day):
    assert normalise_date(f"{day.day} {ENGLISH_MONTHS[day.month - 1]} {day.year}", "en") == day.isoformat()
    assert normalise_date(f"{ENGLISH_MONTHS[day.month - 1]} {day.day}, {day.year}", "en") == day.isoformat()


def _valid_utf8(data: bytes) -> bool:
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return not data.isascii()


TEXTS = {
    "windows-1256": st.text(alphabet="ابتثجحخدذرزسشصضطظعغفقكلمنهوي ،.", min_size=1, max_size=60),
    "koi8-r": st.text(alphabet="абвгдежзийклмнопрстуфхцчшщыэюяАБВГД ,.", min_size=1, max_size=60),
    "utf-8": st.text(alphabet="aäbçdéfğhıjklmnöpqrsştüvwxyz ابتث абв ,.", min_size=1, max_size=60),
}


@settings(max_examples=60)
@given(st.sampled_from(sorted(TEXTS)), st.data())
def test_a_page_in_its_declared_charset_decodes_to_its_text(charset, data):
    text = data.draw(TEXTS[charset]).strip() or "x"
    page = f"<html><head><meta charset='{charset}'><title>t</title></head><body><p>{text}</p></body></html>"
    # Bytes that also read as UTF-8 are read as UTF-8 whatever the declaration (pages that declare a
    # legacy charset and serve UTF-8 are common; parsers/encoding.py): for such rare short texts
    # ("ا،" is two valid UTF-8 bytes in windows-1256) the declaration is not what decides.
    assume(charset == "utf-8" or not _valid_utf8(text.encode(charset)))
    decoded, _ = decode_html(page.encode(charset))
    assert f"<p>{text}</p>" in decoded
    # The same page declared by the server instead of the page.
    undeclared = page.replace(f"<meta charset='{charset}'>", "")
    decoded, _ = decode_html(undeclared.encode(charset), f"text/html; charset={charset}")
    assert f"<p>{text}</p>" in decoded
