"""Bytes to text, each step of decode_html's order of trust with the text and the encoding it
names: a page that decodes right for the wrong reason would be read wrong by the next page."""

from __future__ import annotations

import codecs

import pytest

from newsarchive.parsers.encoding import decode_html, looks_binary, looks_like_html

ARABIC = "قوات الأمن العراقية تنفذ عمليات مشتركة"
RUSSIAN = "Силы безопасности провели совместную операцию"


def page(text: str, head: str = "", lang: str = "") -> str:
    lang_attribute = f" lang='{lang}'" if lang else ""
    return f"<html{lang_attribute}><head>{head}<title>t</title></head><body><p>{text}</p></body></html>"


def test_text_is_text():
    assert decode_html("<p>already text</p>") == ("<p>already text</p>", "unicode")


@pytest.mark.parametrize("bom, codec, name", [(codecs.BOM_UTF8, "utf-8", "utf-8"),
                                              (codecs.BOM_UTF16_LE, "utf-16-le", "utf-16-le"),
                                              (codecs.BOM_UTF16_BE, "utf-16-be", "utf-16-be"),
                                              # UTF-32-LE's mark starts with UTF-16-LE's (FF FE).
                                              (codecs.BOM_UTF32_LE, "utf-32-le", "utf-32-le"),
                                              (codecs.BOM_UTF32_BE, "utf-32-be", "utf-32-be")])
def test_a_byte_order_mark_wins_over_any_declaration(bom, codec, name):
    body = bom + page(ARABIC, "<meta charset='windows-1256'>").encode(codec)
    assert decode_html(body, "text/html; charset=iso-8859-1") == (page(ARABIC, "<meta charset='windows-1256'>"), name)


def test_valid_utf8_is_utf8_whatever_is_declared():
    text = page(ARABIC, "<meta charset='windows-1256'>")
    assert decode_html(text.encode("utf-8"), "text/html; charset=windows-1256") == (text, "utf-8")


def test_a_utf8_page_with_stray_windows_1252_bytes_keeps_its_utf8():
    body = page(f"{ARABIC} caf\xe9 {ARABIC}").encode("utf-8").replace("caf\xe9".encode("utf-8"), b"caf\xe9")
    assert decode_html(body) == (page(f"{ARABIC} café {ARABIC}"), "utf-8")


def test_mostly_single_byte_text_is_not_taken_for_utf8_with_strays():
    # One accidental UTF-8 pair among many windows-1252 letters: not a UTF-8 page.
    text = page("déjà vu à la café crème " * 5)
    body = text.encode("cp1252") + "é".encode("utf-8")
    decoded, name = decode_html(body, "text/html; charset=windows-1252")
    assert name == "cp1252" and decoded.startswith(text)


def test_the_declared_charset_decides_for_a_short_page_without_a_language():
    # Too few words for statistics; no lang attribute: only the declaration can say.
    for declared, text in (("windows-1256", "جنود"), ("windows-1251", "Солдаты")):
        body = page(text, f"<meta charset='{declared}'>").encode(declared)
        assert decode_html(body) == (page(text, f"<meta charset='{declared}'>"), codecs.lookup(declared).name)
        undeclared = page(text).encode(declared)
        assert decode_html(undeclared, f"text/html; charset={declared}") == (page(text), codecs.lookup(declared).name)


@pytest.mark.parametrize("declared", ["us-ascii", "iso-8859-1", "windows-1252"])
def test_a_western_declaration_on_an_arabic_page_gives_way_to_its_language(declared):
    # A template's default charset on an Arabic page: latin-1 would decode every byte, wrongly.
    body = page(ARABIC, f"<meta charset='{declared}'>", lang="ar").encode("cp1256")
    assert decode_html(body) == (page(ARABIC, f"<meta charset='{declared}'>", lang="ar"), "cp1256")


def test_a_western_declaration_on_a_western_page_is_trusted():
    text = page("déjà vu à la café", "<meta charset='iso-8859-1'>", lang="fr")
    assert decode_html(text.encode("latin-1")) == (text, "cp1252")


@pytest.mark.parametrize("lang, text, codec", [("ar", ARABIC, "cp1256"), ("ru", RUSSIAN, "cp1251"),
                                               ("ar-IQ", ARABIC, "cp1256")])
def test_an_undeclared_page_in_a_legacy_language(lang, text, codec):
    assert decode_html(page(text, lang=lang).encode(codec)) == (page(text, lang=lang), codec)


def test_an_unknown_declared_charset_is_ignored():
    body = page(RUSSIAN * 20, "<meta charset='no-such-charset'>").encode("cp1251")
    decoded, _ = decode_html(body)  # left to the statistical guess
    assert RUSSIAN in decoded


def test_binary_and_markup_signatures():
    assert looks_binary(b"%PDF-1.4 ...") and looks_binary(b"\x89PNG\r\n") and looks_binary(b"<html>\x00")
    assert not looks_binary(b"<html><body>" + b"x" * 2000 + b"\x00")  # a NUL past the first kilobyte
    # A stray NUL in a page's title is no binary file; random bytes (compressed, encrypted) are.
    assert not looks_binary(b"<html><head><title>Harbour\x00 works</title></head><body>" + b"<p>text</p>" * 90)
    import random

    assert looks_binary(random.Random(7).randbytes(4096))
    assert looks_like_html(b"<!DOCTYPE html><p>x</p>") and looks_like_html(b"  <DIV>x</DIV>")
    assert not looks_like_html(b"plain text, no markup") and not looks_like_html(b"x" * 70000 + b"<p>late</p>")


@pytest.mark.parametrize("guesses, chosen", [
    ([("mac_cyrillic", 0.0), ("cp1251", 0.041), ("koi8_r", 0.045)], "cp1251"),  # a look-alike first
    ([("mac_cyrillic", 0.0), ("cp1251", 0.1)], "cp1251"),  # at the margin: still as clean
    ([("mac_cyrillic", 0.0), ("cp1251", 0.35)], "mac_cyrillic"),  # much less clean: the best stands
    ([("cp1256", 0.02), ("cp1251", 0.0)], "cp1256"),  # both common: the better ranked
    ([("mac_roman", 0.0), ("hp_roman8", 0.01)], "mac_roman"),  # nothing common: the best
    ([], None),
])
def test_choosing_among_statistical_guesses(guesses, chosen):
    from newsarchive.parsers.encoding import choose_charset

    assert choose_charset(guesses) == chosen


def test_a_stray_byte_no_single_byte_charset_defines_is_replaced_not_fatal():
    body = page(f"{ARABIC} x\x81y {ARABIC}").encode("utf-8").replace("x\x81y".encode("utf-8"), b"x\x81y")
    assert decode_html(body) == (page(f"{ARABIC} x\ufffdy {ARABIC}"), "utf-8")


def test_the_signatures_are_looked_for_where_they_are():
    # More than 2% of the first kilobyte's bytes binary (20.48: 21 of them), the last at its last byte.
    assert looks_binary(b"<" + b"x" * 1002 + b"\x01\x02\x03\x04\x05\x06\x07\x08\x0b\x0e\x0f" + b"\x00" * 10)
    assert not looks_binary(b"<" + b"x" * 1003 + b"\x01\x02\x03\x04\x05\x06\x07\x08\x0b\x0e\x0f" + b"\x00" * 9)
    assert not looks_binary(b"<" + b"x" * 1003 + b"\x00" * 20 + b"\x00")  # the 21st after the first kilobyte
    assert not looks_binary(b"<" + b"\t\n\x0c\r\x1b" * 200)  # tab, newline, form feed, carriage return, escape
    assert looks_like_html(b"x" * 65534 + b"<p>x</p>")  # "<p" are the last two bytes of the first 64 KiB
    assert not looks_like_html(b"x" * 65535 + b"<p>x</p>")  # the "p" is one byte beyond them


def test_after_a_byte_order_mark_broken_bytes_are_replaced():
    body = codecs.BOM_UTF8 + b"<html><body><p>ok \xff\xfe bytes</p></body></html>"
    assert decode_html(body) == ("<html><body><p>ok \ufffd\ufffd bytes</p></body></html>", "utf-8")


def test_stray_bytes_take_four_good_sequences_each_to_keep_a_page_utf8():
    # Four valid two-byte sequences per invalid byte: still UTF-8 with a stray; three: not.
    four = "éèàç".encode("utf-8") + b" \xa0 " + b"<p>x</p>"
    assert decode_html(four) == ("éèàç \xa0 <p>x</p>", "utf-8")
    three = "éèà".encode("utf-8") + b" \xa0 " + b"<p>x</p>"
    assert decode_html(three, "text/html; charset=windows-1252")[1] == "cp1252"



@pytest.mark.parametrize("declared_by", ["header", "meta"])
def test_a_page_that_says_utf8_takes_one_good_sequence_for_each_stray_byte(declared_by):
    # Three accented words and one curly quote pasted from windows-1252 ("it\x92s"): read as
    # windows-1252 whole, every accent would be garbled ("CafÃ©").
    head, header = ("", "text/html; charset=utf-8") if declared_by == "header" else ("<meta charset='utf-8'>", None)
    text = page("Café, café, Zoë: it’s open", head)
    body = text.encode("utf-8").replace("’".encode("utf-8"), b"\x92")
    assert decode_html(body, header) == (text, "utf-8")
    # One sequence for two stray bytes is not enough, declared or not.
    two_strays = page("Café: it’s open, it’s", head).encode("utf-8").replace("’".encode("utf-8"), b"\x92")
    assert decode_html(two_strays, header)[1] != "utf-8"

def test_bytes_nothing_can_read_fall_back_with_replacement_characters():
    import random

    noise = random.Random(3).randbytes(400)  # no charset reads these, not even statistically
    text, name = decode_html(noise)
    assert name == "windows-1252" and text == noise.decode("windows-1252", errors="replace")
    text, name = decode_html(noise, "text/html; charset=utf-8")  # declared, and wrong
    assert name == "utf-8" and text == noise.decode("utf-8", errors="replace")


def test_the_language_is_read_in_the_first_four_kilobytes_of_the_page():
    def arabic_page(padding: int) -> bytes:
        return b" " * padding + "<html lang='ar'><p>جنود</p></html>".encode("cp1256")
    inside = 4096 - len("<html lang='ar")  # "ar" are the last two bytes of the first 4 KiB
    assert decode_html(arabic_page(inside)) == (" " * inside + "<html lang='ar'><p>جنود</p></html>", "cp1256")
    assert decode_html(arabic_page(inside + 1))[1] != "cp1256"  # the "r" is one byte beyond them


def test_a_guessed_charset_replaces_what_it_cannot_read_beyond_the_sample():
    # The guess is made on the first 200,000 bytes; a byte windows-1251 leaves undefined (0x98)
    # comes after them, and must not lose the page.
    russian = (RUSSIAN + ". ").encode("cp1251")
    body = b"<html><body><p>" + russian * (200_000 // len(russian) + 1) + b"\x98</p></body></html>"
    text, name = decode_html(body)
    assert name == "cp1251" and text.endswith("\ufffd</p></body></html>") and text.count(RUSSIAN) > 3000


def test_a_charset_python_has_no_codec_for_is_no_declaration():
    # The Encoding standard's x-user-defined (w3lib 2.6 names it; Python has no such codec).
    text = page(ARABIC)
    assert decode_html(text.encode("utf-8"), "text/html; charset=x-user-defined") == (text, "utf-8")
    russian = page(RUSSIAN, lang="ru")
    assert decode_html(russian.encode("cp1251"), "text/html; charset=x-user-defined") == (russian, "cp1251")


# UTF-16 and UTF-32: half the bytes of an ASCII-heavy page are NULs -----------------------------

@pytest.mark.parametrize("declared, codec", [("utf-16le", "utf-16-le"), ("UTF-16BE", "utf-16-be"),
                                             ("utf-32le", "utf-32-le"), ('"UTF-32BE"', "utf-32-be")])
def test_a_wide_charset_the_header_declares_is_read_before_utf8(declared, codec):
    # These bytes are also valid UTF-8 (letters between NULs): the declaration must come first.
    body = page(ARABIC).encode(codec)
    assert decode_html(body, f"text/html; charset={declared}") == (page(ARABIC), codec)


def test_a_wide_page_is_sniffed_as_its_text_not_its_nul_bytes():
    from newsarchive.parsers.document import parse_document
    from newsarchive.parsers.encoding import sniffable

    with_bom = codecs.BOM_UTF16_LE + page(ARABIC).encode("utf-16-le")
    assert looks_binary(with_bom)  # as bytes it reads as binary ...
    assert sniffable(with_bom) == page(ARABIC).encode("utf-8")  # ... as text it is a page
    assert sniffable(page(ARABIC).encode("utf-32-be"), "text/html; charset=utf-32be") == page(ARABIC).encode("utf-8")
    assert sniffable(b"\x00\x01binary", "text/html; charset=utf-8") == b"\x00\x01binary"  # others as they are
    utf32_bom = codecs.BOM_UTF32_LE + page(ARABIC).encode("utf-32-le")
    assert sniffable(utf32_bom, "text/html") == page(ARABIC).encode("utf-8")
    document = parse_document("https://example.org/a", with_bom)
    assert (document.encoding, document.root.findtext(".//p")) == ("utf-16-le", ARABIC)


# The page's language as a hint among equally clean statistical guesses ---------------------------

SPANISH = "Niño pequeño, señal de años: «Qué día»"


def test_a_western_page_misdeclared_as_utf8_is_read_in_windows_1252_not_a_look_alike():
    # windows-1250 reads these bytes as cleanly (ñ as ń); the page says it is Spanish.
    text = page(SPANISH * 3, lang="es")
    assert decode_html(text.encode("cp1252"), "text/html; charset=utf-8") == (text, "cp1252")


@pytest.mark.parametrize("text, codec", [(ARABIC * 10, "cp1256"), (RUSSIAN * 10, "cp1251")])
def test_a_template_s_lang_en_does_not_turn_other_scripts_into_windows_1252(text, codec):
    body = page(text, lang="en").encode(codec)
    assert decode_html(body) == (page(text, lang="en"), codec)


@pytest.mark.parametrize("guesses, preferred, chosen", [
    ([("cp1250", 0.0), ("cp1252", 0.0)], "cp1252", "cp1252"),
    ([("cp1250", 0.0), ("cp1252", 0.1)], "cp1252", "cp1252"),  # within the margin
    ([("cp1256", 0.0), ("cp1252", 0.2)], "cp1252", "cp1256"),  # reads the page worse: not taken
    ([("cp1250", 0.0), ("cp1252", 0.0)], None, "cp1250"),
])
def test_the_preferred_charset_wins_only_among_the_cleanest(guesses, preferred, chosen):
    from newsarchive.parsers.encoding import choose_charset

    assert choose_charset(guesses, preferred=preferred) == chosen


@pytest.mark.parametrize("lang, hint", [("ES", "cp1252"), ("en-GB", "cp1252"), ("ru", None), ("", None)])
def test_the_language_hint_is_windows_1252_for_western_languages_only(lang, hint):
    from newsarchive.parsers.encoding import _western_charset_for_language

    assert _western_charset_for_language(page("text", lang=lang).encode("ascii")) == hint


def test_a_page_with_a_stray_nul_byte_is_parsed_not_refused():
    from newsarchive.items import Article
    from newsarchive.parsers import parse_page

    prose = "".join(f"<p>Paragraph {n} of the story on the harbour works, long enough to be prose.</p>" for n in range(6))
    body = f"<html><head><title>Harbour works\x00 begin</title></head><body><article><h1>Harbour works begin</h1>{prose}</article></body></html>"
    article = parse_page("https://harbour.example/2024/05/01/works", body.encode(), kind="article")
    assert isinstance(article, Article) and article.title == "Harbour works begin"
