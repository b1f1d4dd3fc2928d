"""Photo captions as printed to caption and credit.

Captions on news sites end with the credit: "... remnants. [Photo courtesy of the Kurdish
Peshmerga Ministry]", "[Photo: AFP]", "(AFP)", "Photo: Jane Doe/Reuters". The caption keeps the
text before it, the credit the source named in it, and `credit_raw` the suffix as printed.
"""

from __future__ import annotations

import re

from newsarchive.parsers.bylines import AGENCIES
from newsarchive.parsers.text import normalise_text

_BRACKETED_SUFFIX = re.compile(r"\s*(\[[^\[\]]+\])\s*$")
_PARENTHESISED_SUFFIX = re.compile(r"\s*(\([^()]+\))\s*$")
_PLAIN_CREDIT_SUFFIX = re.compile(
    r"(?:^|\s|[.!?]\s*)((?:photo|photos|photograph|image|picture|credit|фото|الصورة|صورة)\s*:\s*[^.]+)$",
    re.IGNORECASE,
)
# Non-Latin lead-ins come first: the Latin alternative can match the empty string.
_CREDIT_LEAD_IN = re.compile(
    r"^(?:الصورة|صورة)\s*(?:(?:مقدمة|مقدّمة|مُقدمة)\s+(?:من|مِن)|بإذن\s+من|بعدسة|من|:|عن|لـ)?\s*"
    r"|^фото\s*(?:предоставлено|:|/)?\s*"
    r"|^(?:(?:file|archive|handout)\s+)?(?:photo(?:graph)?s?|images?|pictures?|credit)?\s*"
    r"(?:courtesy\s+of|provided\s+by|by|from|via|:|/)?\s*(?:the\s+)?",
    re.IGNORECASE,
)


def split_credit(caption_raw: str | None) -> tuple[str | None, str | None, str | None]:
    """Return (caption, credit, credit_raw) from a caption as printed."""
    text = normalise_text(caption_raw)
    if not text:
        return None, None, None
    suffix = _credit_suffix(text)
    if suffix is None:
        return text, None, None
    caption = normalise_text(text[: len(text) - len(suffix)].rstrip())  # pragma: no mutate (normalise_text strips)
    return caption, normalise_credit(suffix), normalise_text(suffix)


def _credit_suffix(text: str) -> str | None:
    for pattern in (_BRACKETED_SUFFIX, _PARENTHESISED_SUFFIX):
        match = pattern.search(text)
        if match and _is_credit(match.group(1)[1:-1]):
            return text[match.start(1):]
    match = _PLAIN_CREDIT_SUFFIX.search(text)
    if match:
        return text[match.start(1):]
    return None


def _is_credit(inner: str) -> bool:
    """A bracketed suffix is a credit when it names a photo source, not when it is an aside."""
    lowered = inner.lower().strip()
    return (
        bool(re.match(r"(?:file\s+|archive\s+|handout\s+)?(?:photo|image|picture|credit)", lowered))
        or lowered.startswith(("courtesy", "الصورة", "صورة", "фото"))
        or any(part.strip() in AGENCIES for part in re.split(r"[/,]", lowered))
    )


def normalise_credit(suffix: str) -> str | None:
    inner = suffix.strip()
    if inner[:1] in "[(" and inner[-1:] in "])":
        inner = inner[1:-1]
    # pragma below: the lead-in is anchored at ^, so any count removes it once (the strip is tested all the same)
    return normalise_text(_CREDIT_LEAD_IN.sub("", inner.strip(), count=1).strip(" .:"))  # pragma: no mutate
