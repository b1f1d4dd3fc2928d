"""The search form of a text: what a reader means by a word, whatever way it was spelled.

The archive's full-text indexes hold folded text (see migration m008), and `newsarchive search`
folds its query the same way, so that:

- Arabic: the alef forms (أ إ آ ٱ) are ا, the hamza carriers ؤ and ئ are و and ي, alef maqsura ى is
  ي, ta marbuta ة is ه, tatweel and the short-vowel diacritics (harakat, shadda, sukun, dagger
  alef) are dropped, and the definite article with the conjunctions and prepositions written
  onto it (ال، وال، بال، كال، فال، لل) is taken off a word of three or more letters: "الأمنية",
  "الامنية" and "امنية" are one word, "حدود" finds "الحدود" and "والحدود"; and off the start
  of a word a query asks for, however short ("الطر*" finds "الطريق");
- Russian: ё is е (the case is folded by the index itself).

Folding keeps every word a word (it never joins or splits one): the index's word positions are
those of the original text, so FTS5's snippet() and highlight() show the original words. For that,
the harakat must be word characters to the tokenizer: FTS_TOKENIZER in migrations.py lists them.

`fold` is also an SQL function on every connection the archive opens: the indexes' triggers call
it, and `SELECT ... WHERE articles_fts MATCH fold('الأمنية')` works in SQL too.
"""

from __future__ import annotations

import re

# Harakat and the other marks written over or under Arabic letters (U+064B to U+065F, U+0670).
ARABIC_MARKS = "".join(chr(code) for code in range(0x064B, 0x0660)) + "\u0670"
_TABLE = str.maketrans({
    "أ": "ا", "إ": "ا", "آ": "ا", "ٱ": "ا", "ؤ": "و", "ئ": "ي", "ى": "ي", "ة": "ه",
    "ـ": None, **{mark: None for mark in ARABIC_MARKS},
    "ё": "е", "Ё": "Е",
})
# The characters _TABLE changes: a text with none (most Latin-script text) is not translated. The
# scan is six times faster than translate's look-up of each character, on the bodies of the
# any-site benchmark (bench/generic_crawl.py), which duplicate detection folds one by one.
_FOLDED = re.compile("[" + "".join(re.escape(chr(code)) for code in _TABLE) + "]")
# The definite article, alone or with و ب ك ف written onto it, or لل, before three or more letters,
# or before the start of a word a query asks for (FTS5's prefix, "الطر*"), which the words it
# means were indexed without.
_ARTICLE = re.compile(r"(?<![\w\u0600-\u06FF])(?:[وبكف]?ال|لل)(?=[\u0621-\u064A]{3}|[\u0621-\u064A]{1,2}\*)")
_ARABIC_LETTER = re.compile(r"[\u0621-\u064A]")


def fold(text: str | None) -> str | None:
    """The search form of a text (or of a query: FTS5's operators and quotes are left alone)."""
    if not text:
        return text
    folded = text.translate(_TABLE) if _FOLDED.search(text) else text
    if _ARABIC_LETTER.search(folded):
        folded = _ARTICLE.sub("", folded)
    return folded


def casefold(text: str | None) -> str | None:
    """A name as compared whatever its case, in every script: SQLite's NOCASE and lower() fold
    ASCII letters only ("Иван" and "иван" differed)."""
    return text.casefold() if text else text


def register(conn) -> None:
    """Make fold() (the indexes' triggers need it) and casefold() SQL functions of this connection."""
    conn.create_function("fold", 1, fold, deterministic=True)
    conn.create_function("casefold", 1, casefold, deterministic=True)
