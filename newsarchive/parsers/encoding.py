"""Turn a response body into text, whatever its declared charset says.

Arabic sites still serve windows-1256 pages, sometimes declared as UTF-8 or not declared at all.
Order of trust: a byte-order mark; UTF-16 or UTF-32 when the HTTP header declares it; UTF-8 when
the bytes are valid UTF-8 (a single-byte charset almost never produces valid multi-byte UTF-8 by
accident), or nearly so (a few stray bytes among many multi-byte sequences, fewer needed when the
page says it is UTF-8: SEQUENCES_PER_STRAY_BYTE); the charset the HTTP header or the page
declares, when the bytes decode with it (but not a Western single-byte charset, which decodes
anything, on a page whose language has a legacy charset of its own); the legacy charset of the page's language (`<html
lang="ar">` -> windows-1256), which short pages need since statistics on a few words mislead; a
statistical guess (charset-normalizer); and last the declared charset with replacement
characters, so that no page is lost.
"""

from __future__ import annotations

import codecs
import email.message
import email.utils
import re
from functools import lru_cache

import charset_normalizer
from w3lib.encoding import html_body_declared_encoding, http_content_type_encoding, read_bom

_BINARY_SIGNATURES = (b"%PDF", b"\x89PNG", b"GIF8", b"\xff\xd8\xff", b"PK\x03\x04", b"\x1f\x8b")
_HTML_LANG = re.compile(rb"<html[^>]*?\slang\s*=\s*[\"']?([A-Za-z]{2,3})", re.I)
# The single-byte charset pages in a language used before UTF-8.
LEGACY_CHARSETS = {
    "ar": "cp1256", "fa": "cp1256", "ur": "cp1256", "ru": "cp1251", "uk": "cp1251", "bg": "cp1251",
    "sr": "cp1251", "kk": "cp1251", "el": "cp1253", "he": "cp1255", "tr": "cp1254", "pl": "cp1250",
    "cs": "cp1250", "hu": "cp1250", "vi": "cp1258", "th": "cp874",
}
_WESTERN_SINGLE_BYTE = frozenset({"cp1252", "latin-1", "iso8859-1", "iso8859-15", "ascii"})
_MARKUP = re.compile(rb"<\s*(!doctype|html|head|body|meta|title|div|p|article|a)\b", re.I)


_WIDE_ENCODINGS = ("utf-16", "utf-32")
_UTF32_BOMS = ((codecs.BOM_UTF32_LE, "utf-32-le"), (codecs.BOM_UTF32_BE, "utf-32-be"))


def byte_order_mark(body: bytes) -> tuple[str | None, bytes | None]:
    """(codec, mark) of the byte-order mark the body starts with, or (None, None). UTF-32's marks
    first: UTF-32-LE's starts with UTF-16-LE's, and w3lib (2.6 on), following the Encoding
    standard (browsers have no UTF-32), reads it as UTF-16's; a page that has one is UTF-32."""
    for mark, codec in _UTF32_BOMS:
        if body.startswith(mark):
            return codec, mark
    return read_bom(body)


# A crawl's pages share a few Content-Types, and each page's is read for its sniffing, its wide
# charsets and its declared one: read once.
@lru_cache(maxsize=256)
def header_charset(content_type: str | None) -> str | None:
    """The charset a Content-Type header declares, as the name of a codec Python has, or None.
    w3lib's reading first (its aliases are the Encoding standard's: latin-1 is windows-1252); a
    label it does not take (UTF-32, since w3lib 2.6) by Python's own codecs. A label Python has
    no codec for is no declaration, nor is x-user-defined (see codec_for).

    >>> header_charset("text/html; charset=ISO-8859-1"), header_charset('text/html; charset="utf-32le"')
    ('cp1252', 'utf-32-le')
    >>> header_charset("text/html; charset=x-user-defined"), header_charset("text/html"), header_charset(None)
    (None, None, None)
    """
    if not content_type:
        return None
    return codec_for(http_content_type_encoding(content_type) or _charset_parameter(content_type))


# Labels that name no text: x-user-defined reads every byte above 127 as a private-use character
# (a web font's glyph index, not a letter); a page "declared" so is in some charset it did not name.
_NO_TEXT_CHARSETS = frozenset({"x-user-defined"})


def codec_for(label: str | None) -> str | None:
    """The name of the Python codec an encoding label names, or None when Python has none (w3lib
    2.6 registers x-user-defined, earlier ones do not: either way it is no charset of text).

    >>> codec_for("UTF8"), codec_for("latin_1"), codec_for("klingon"), codec_for("x-user-defined")
    ('utf-8', 'iso8859-1', None, None)
    """
    try:
        name = codecs.lookup(label).name if label else None
    except LookupError:
        return None
    return None if name in _NO_TEXT_CHARSETS else name


def _charset_parameter(content_type: str) -> str | None:
    """The charset parameter as written, RFC 2231's form too (`charset*=utf-8''koi8-r`, which
    email.message gives as a tuple: passed on, it raised in codecs.lookup and lost the page).

    >>> _charset_parameter("text/html; charset*=utf-8''koi8-r"), _charset_parameter('text/html; charset="utf-32le"')
    ('koi8-r', 'utf-32le')
    """
    header = email.message.Message()
    header["content-type"] = content_type
    label = header.get_param("charset")
    return email.utils.collapse_rfc2231_value(label) if label else None


def sniffable(body: bytes, content_type: str | None = None) -> bytes:
    """The bytes to tell HTML from binary by: a page in UTF-16 or UTF-32 (by its byte-order mark or
    the charset its header declares) is half NUL bytes, which would read as binary; its text
    re-encoded as UTF-8 is not. Any other page as it is."""
    encoding, bom = byte_order_mark(body)
    encoding = encoding or _declared_wide_encoding(content_type)
    if not encoding or not encoding.startswith(_WIDE_ENCODINGS):
        return body
    text = body[len(bom or b""):].decode(encoding, errors="replace")
    return text.encode("utf-8")  # pragma: no mutate (codec names ignore case)



def _declared_wide_encoding(content_type: str | None) -> str | None:
    """UTF-16 or UTF-32 when the HTTP header declares it: such bytes (ASCII letters between NULs)
    are also valid UTF-8, so the declaration must be read before UTF-8 is tried."""
    declared = header_charset(content_type)
    return declared if declared and declared.startswith(_WIDE_ENCODINGS) else None


# Bytes no text holds but by accident: controls other than tab, newline, form feed, carriage return
# and escape (what the WHATWG MIME sniffing standard calls binary data bytes). About one byte in ten
# of compressed or encrypted data is one; a page of text may hold a stray one (a NUL pasted into a
# title) and is still a page.
_BINARY_DATA_BYTES = re.compile(rb"[\x00-\x08\x0b\x0e-\x1a\x1c-\x1f]")
BINARY_DATA_SHARE = 0.02  # of the first kilobyte, above which a body is binary


def looks_binary(body: bytes) -> bool:
    head = body[:1024]
    return head.startswith(_BINARY_SIGNATURES) or len(_BINARY_DATA_BYTES.findall(head)) > BINARY_DATA_SHARE * len(head)


def looks_like_html(body: bytes) -> bool:
    return bool(_MARKUP.search(body[:65536]))


def decode_html(body: bytes | str, content_type: str | None = None) -> tuple[str, str]:
    """Return (text, encoding used)."""
    if isinstance(body, str):
        return body, "unicode"
    bom_encoding, bom = byte_order_mark(body)
    if bom_encoding and bom:  # pragma: no mutate (byte_order_mark gives both or neither)
        return body[len(bom):].decode(bom_encoding, errors="replace"), bom_encoding
    wide = _declared_wide_encoding(content_type)
    if wide:
        return body.decode(wide, errors="replace"), wide
    try:
        return body.decode("utf-8"), "utf-8"  # pragma: no mutate (codec names ignore case)
    except UnicodeDecodeError:
        pass
    declared = _declared_encoding(body, content_type)
    if _mostly_utf8(body, SEQUENCES_PER_STRAY_BYTE_DECLARED if declared == "utf-8" else SEQUENCES_PER_STRAY_BYTE):
        return body.decode("utf-8", errors=_STRAY_BYTES_HANDLER), "utf-8"  # pragma: no mutate (case, default)
    legacy = _legacy_charset_for_language(body)
    # A Western single-byte charset decodes any bytes without an error, so on a page whose
    # language has its own legacy charset (an Arabic page "declared" latin-1 by a template
    # default) it would garble every letter: the language's charset goes first.
    if declared in _WESTERN_SINGLE_BYTE and legacy and legacy != declared:
        declared = None  # pragma: no mutate ("" is as false)
    if declared and declared != "utf-8":  # pragma: no mutate (codecs.lookup names are lower case)
        try:
            return body.decode(declared), declared
        except (UnicodeDecodeError, LookupError):
            pass
    if legacy:
        try:
            return body.decode(legacy), legacy
        except UnicodeDecodeError:
            pass
    guess = _statistical_guess(body, _western_charset_for_language(body))
    if guess is not None:
        return body.decode(guess, errors="replace"), guess
    fallback = declared or "windows-1252"  # pragma: no mutate (the name's case)
    return body.decode(fallback, errors="replace"), fallback


# UTF-8 sequences of two to four bytes: a page in a single-byte charset rarely holds any.
_UTF8_MULTIBYTE = re.compile(rb"[\xc2-\xdf][\x80-\xbf]|[\xe0-\xef][\x80-\xbf]{2}|[\xf0-\xf4][\x80-\xbf]{3}")
_STRAY_BYTES_HANDLER = "newsarchive-stray-bytes"


# Charsets web pages are written in: among the statistical guesses that read the page about as
# cleanly, one of these is likelier than a look-alike (mac_cyrillic for windows-1251 text).
WEB_CHARSETS = ("cp1251", "cp1256", "cp1252", "koi8_r", "cp1250", "cp1253", "cp1254", "cp1255", "iso8859_2",
                "shift_jis", "euc_jp", "gb18030", "big5", "euc_kr", "cp874", "cp1258")


def _statistical_guess(body: bytes, preferred: str | None = None) -> str | None:
    # The sample's size is a cost bound, not a rule (a byte more or less reads the same).
    guesses = [(match.encoding, match.chaos) for match in charset_normalizer.from_bytes(body[:200_000])]  # pragma: no mutate
    return choose_charset(guesses, preferred=preferred)


def choose_charset(guesses: list[tuple[str, float]], margin: float = 0.1, preferred: str | None = None) -> str | None:
    """Among statistical guesses (charset, chaos), best first: `preferred` (the page language's
    charset) when it reads the page within `margin` of the cleanest, else the first charset web
    pages are written in that does, else the best guess.

    >>> choose_charset([("cp1250", 0.0), ("cp1252", 0.0)]), choose_charset([("cp1250", 0.0), ("cp1252", 0.0)], preferred="cp1252")
    ('cp1250', 'cp1252')
    """
    if not guesses:
        return None
    cleanest = min(chaos for _, chaos in guesses)
    close = [charset for charset, chaos in guesses if chaos <= cleanest + margin]
    if preferred in close:
        return preferred
    common = [charset for charset in close if charset in WEB_CHARSETS]
    return common[0] if common else guesses[0][0]


# How many valid UTF-8 multi-byte sequences a page needs for each invalid byte to be read as UTF-8
# with stray bytes. Text in a single-byte charset shows a few such sequences by chance among many
# invalid bytes (windows-1256 Arabic: 15 in 690; windows-1251, -1250, -1252: none): a page that
# says it is UTF-8 and has as many sequences as stray bytes is UTF-8 (three accented words and one
# pasted curly quote were read as windows-1252, "CafÃ©"); one that says nothing needs more.
SEQUENCES_PER_STRAY_BYTE = 4
SEQUENCES_PER_STRAY_BYTE_DECLARED = 1


def _mostly_utf8(body: bytes, sequences_per_stray_byte: int) -> bool:
    """A UTF-8 page with a few stray single-byte characters (text pasted from an old system):
    many valid multi-byte sequences, few invalid bytes. Decoding it whole in a guessed single-byte
    charset would garble every other non-ASCII character."""
    invalid = len(body.decode("utf-8", errors="replace").split("\ufffd")) - 1
    return len(_UTF8_MULTIBYTE.findall(body)) >= sequences_per_stray_byte * invalid


def _read_stray_bytes(error: UnicodeError) -> tuple[str, int]:
    """Stray bytes in a UTF-8 page read as windows-1252, the usual source of them."""
    if not isinstance(error, UnicodeDecodeError):  # registered for decoding only
        raise error
    stray = error.object[error.start:error.end]
    return stray.decode("cp1252", errors="replace"), error.end  # pragma: no mutate (codec names ignore case)


codecs.register_error(_STRAY_BYTES_HANDLER, _read_stray_bytes)


def _declared_encoding(body: bytes, content_type: str | None) -> str | None:
    return header_charset(content_type) or codec_for(html_body_declared_encoding(body))


# Languages written in windows-1252 before UTF-8. Only a hint among equally clean statistical
# guesses, never a decision: a template's lang="en" also sits on Arabic and Russian pages. Without
# it a short Spanish page in windows-1252 "declared" UTF-8 was read as windows-1250 (ñ as ń), the
# two reading its bytes equally cleanly.
WESTERN_LANGUAGES = frozenset({"en", "es", "fr", "de", "it", "pt", "nl", "ca", "da", "sv", "no", "nb", "nn", "fi",
                               "is", "ga", "gl", "eu", "af", "sq"})


def _western_charset_for_language(body: bytes) -> str | None:
    return "cp1252" if _page_language(body) in WESTERN_LANGUAGES else None


def _legacy_charset_for_language(body: bytes) -> str | None:
    return LEGACY_CHARSETS.get(_page_language(body) or "")


def _page_language(body: bytes) -> str | None:
    """The primary language `<html lang>` names, in lower case, read in the page's first 4 KB."""
    match = _HTML_LANG.search(body[:4096])
    return match.group(1).decode("ascii").lower() if match else None  # pragma: no mutate (codec case)
