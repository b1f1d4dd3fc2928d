"""Turn a response body into text, whatever its declared charset says.

Arabic sites still serve windows-1256 pages, sometimes declared as UTF-8 or not declared at all.
Order of trust: a byte-order mark; UTF-8 when the bytes are valid UTF-8 (a single-byte charset
almost never produces valid multi-byte UTF-8 by accident); the charset the HTTP header or the page
declares, when the bytes decode with it; a statistical guess (charset-normalizer); and last the
declared charset with replacement characters, so that no page is lost.
"""

from __future__ import annotations

import codecs
import re

import charset_normalizer
from w3lib.encoding import http_content_type_encoding, html_body_declared_encoding, read_bom

_BINARY_SIGNATURES = (b"%PDF", b"\x89PNG", b"GIF8", b"\xff\xd8\xff", b"PK\x03\x04", b"\x1f\x8b")
_MARKUP = re.compile(rb"<\s*(!doctype|html|head|body|meta|title|div|p|article|a)\b", re.I)


def looks_binary(body: bytes) -> bool:
    head = body[:1024]
    return head.startswith(_BINARY_SIGNATURES) or b"\x00" in head


def looks_like_html(body: bytes) -> bool:
    return bool(_MARKUP.search(body[:65536]))


def decode_html(body: bytes | str, content_type: str | None = None) -> tuple[str, str]:
    """Return (text, encoding used)."""
    if isinstance(body, str):
        return body, "unicode"
    bom_encoding, bom = read_bom(body)
    if bom_encoding:
        return body[len(bom):].decode(bom_encoding, errors="replace"), bom_encoding
    try:
        return body.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    declared = _declared_encoding(body, content_type)
    if declared and declared != "utf-8":
        try:
            return body.decode(declared), declared
        except (UnicodeDecodeError, LookupError):
            pass
    guess = charset_normalizer.from_bytes(body[:200_000]).best()
    if guess is not None:
        return body.decode(guess.encoding, errors="replace"), guess.encoding
    fallback = declared or "windows-1252"
    return body.decode(fallback, errors="replace"), fallback


def _declared_encoding(body: bytes, content_type: str | None) -> str | None:
    declared = http_content_type_encoding(content_type) if content_type else None
    declared = declared or html_body_declared_encoding(body)
    if not declared:
        return None
    try:
        return codecs.lookup(declared).name
    except LookupError:
        return None
