"""Page-free parser rules, table-driven: bylines, captions, dates, URLs, charsets."""

import pytest

from newsarchive.parsers.bylines import split_byline
from newsarchive.parsers.captions import split_credit
from newsarchive.parsers.dates import normalise_date
from newsarchive.parsers.encoding import decode_html
from newsarchive.parsers.urls import canonicalise_url


@pytest.mark.parametrize("byline, names", [
    ("By Khalid al-Taie", ["Khalid al-Taie"]),
    ("By Khalid al-Taie and Sara Ahmed", ["Khalid al-Taie", "Sara Ahmed"]),
    ("By A. One, B. Two and C. Three", ["A. One", "B. Two", "C. Three"]),
    ("by Jane Doe & John Roe", ["Jane Doe", "John Roe"]),
    ("بقلم سلام علي و أحمد حسين", ["سلام علي", "أحمد حسين"]),
    ("Автор: Ирина Петрова", ["Ирина Петрова"]),
    ("Ирина Петрова и Олег Ким", ["Ирина Петрова", "Олег Ким"]),
    ("Von Anna Schmidt und Max Weber", ["Anna Schmidt", "Max Weber"]),
    ("", []),
])
def test_split_byline_names(byline, names):
    assert [author.name for author in split_byline(byline)] == names


def test_split_byline_keeps_agency_as_role():
    authors = split_byline("By Jane Doe, AFP")
    assert [(a.name, a.role) for a in authors] == [("Jane Doe", "AFP")]


def test_split_byline_positions_count_from_zero():
    assert [a.position for a in split_byline("By A, B and C")] == [0, 1, 2]


@pytest.mark.parametrize("caption, expected", [
    ("Officials meet. [Photo courtesy of the Kurdish Peshmerga Ministry]",
     ("Officials meet.", "Kurdish Peshmerga Ministry", "[Photo courtesy of the Kurdish Peshmerga Ministry]")),
    ("A market. [Photo: AFP]", ("A market.", "AFP", "[Photo: AFP]")),
    ("Old bridge. [File photo]", ("Old bridge.", None, "[File photo]")),
    ("Rally. [Photo by Zia Ur Rehman/Salaam Times]", ("Rally.", "Zia Ur Rehman/Salaam Times", "[Photo by Zia Ur Rehman/Salaam Times]")),
    ("Protesters march (AFP)", ("Protesters march", "AFP", "(AFP)")),
    ("Crowds gather. Photo: Jane Doe/Reuters", ("Crowds gather.", "Jane Doe/Reuters", "Photo: Jane Doe/Reuters")),
    ("The [Past] is not a credit", ("The [Past] is not a credit", None, None)),
    ("جنود. [الصورة من وزارة الدفاع العراقية]", ("جنود.", "وزارة الدفاع العراقية", "[الصورة من وزارة الدفاع العراقية]")),
    ("Учения. [Фото: Министерство обороны]", ("Учения.", "Министерство обороны", "[Фото: Министерство обороны]")),
    (None, (None, None, None)),
])
def test_split_credit(caption, expected):
    assert split_credit(caption) == expected


@pytest.mark.parametrize("raw, language, expected", [
    ("2019-02-26", None, "2019-02-26"),
    ("2019-05-14T09:30:00+03:00", None, "2019-05-14T06:30:00Z"),
    ("2019-05-14T09:30:00Z", None, "2019-05-14T09:30:00Z"),
    ("١٥ مارس ٢٠٢٠", "ar", "2020-03-15"),
    ("9 июня 2021", "ru", "2021-06-09"),
    ("14. Mai 2019", "de", "2019-05-14"),
    ("3 janvier 2020 à 14:05", "fr", "2020-01-03T14:05:00Z"),
    ("February 26, 2019", "en", "2019-02-26"),
    ("2019-02-30", None, None),
    ("not a date", "en", None),
    ("", None, None),
])
def test_normalise_date(raw, language, expected):
    assert normalise_date(raw, language) == expected


@pytest.mark.parametrize("url, expected", [
    ("https://Diyaruna.com/en_GB/a?utm_source=x&utm_medium=y", "https://diyaruna.com/en_GB/a"),
    ("https://diyaruna.com/en_GB/news/iraq?page=2&fbclid=abc#top", "https://diyaruna.com/en_GB/news/iraq?page=2"),
    ("mailto:editor@example.com", None),
    ("javascript:void(0)", None),
    (None, None),
])
def test_canonicalise_url(url, expected):
    assert canonicalise_url(url) == expected


ARABIC = '<html lang="ar" dir="rtl"><head><title>خبر</title></head><body><p>قوات الأمن العراقية</p></body></html>'
LONG_ARABIC_NO_LANG = "<html><body><p>" + "قالت قيادة العمليات المشتركة إن قوات الأمن العراقية ستنفذ عمليات مشتركة. " * 4 + "</p></body></html>"


@pytest.mark.parametrize("body, content_type", [
    (ARABIC.encode("cp1256"), "text/html; charset=windows-1256"),  # declared right
    (ARABIC.encode("cp1256"), "text/html; charset=utf-8"),  # declared wrong
    (ARABIC.encode("cp1256"), None),  # not declared
    (ARABIC.encode("utf-8"), "text/html; charset=windows-1256"),  # UTF-8 declared as cp1256
    ("\ufeff".encode("utf-8") + ARABIC.encode("utf-8"), None),  # byte-order mark
    (LONG_ARABIC_NO_LANG.encode("cp1256"), None),  # no declaration, no language: statistics
])
def test_decode_html_recovers_arabic(body, content_type):
    text, _ = decode_html(body, content_type)
    assert "قوات الأمن العراقية" in text
