"""The search form of a text: what a reader means by a word, whatever way it was spelled.

The archive's full-text indexes hold folded text (see migration m008), and `newsarchive search`
folds its query the same way, so that:

- Arabic: the alef forms (أ إ آ ٱ) are ا, the hamza carriers ؤ and ئ are و and ي, alef maqsura ى is
  ي, ta marbuta ة is ه, tatweel and the short-vowel diacritics (harakat, shadda, sukun, dagger
  alef) are dropped, and the definite article with the conjunctions and prepositions written
  onto it (ال، وال، بال، كال، فال، لل) is taken off a word of three or more letters: "الأمنية",
  "الامنية" and "امنية" are one word, "حدود" finds "الحدود" and "والحدود"; and off the start
  of a word a query asks for, however short ("الطر*" finds "الطريق");
- Russian: ё is е (the case is folded by the index itself);
- Hebrew: the points and cantillation marks are dropped (שָׁלוֹם is שלום);
- Chinese and Japanese: a full-width letter or digit is its ASCII one (２０２４年 is 2024年).

Folding keeps every word a word (it never joins or splits one): the index's word positions are
those of the original text, so FTS5's snippet() and highlight() show the original words. For that,
marks must be word characters to the tokenizer: WORD_TOKENIZER in migrations.py makes them so.

`fold` is also an SQL function on every connection the archive opens: the indexes' triggers call
it, and `SELECT ... WHERE articles_fts MATCH fold('الأمنية')` works in SQL too.

Chinese, Japanese, Thai, Lao, Khmer and Burmese write no spaces between words, and Korean writes
its particles onto the word (서울에서, "in Seoul"): the tokenizer makes a whole run of such
characters one token, so a word inside a run cannot be found in those indexes. Their text is
indexed a second time as overlapping pairs of characters (`pairs`: 智慧农业 is 智慧 慧农 农业 业),
in the indexes articles_cjk_fts and comments_cjk_fts, and a query with such characters asks those
(`paired_query`: 农业 is the pair 农业, 智慧农业 the phrase "智慧 慧农 农业", a lone 农 the prefix
农*). Only rows holding such characters are in them.
"""

from __future__ import annotations

import re

# Harakat and the other marks written over or under Arabic letters (U+064B to U+065F, U+0670).
ARABIC_MARKS = "".join(chr(code) for code in range(0x064B, 0x0660)) + "\u0670"
# Hebrew cantillation and points (U+0591 to U+05C7 but for the punctuation among them: maqaf, paseq,
# sof pasuq, nun hafukha).
HEBREW_MARKS = "".join(chr(code) for code in range(0x0591, 0x05C8) if chr(code) not in "\u05be\u05c0\u05c3\u05c6")
# The full-width forms of ASCII letters, digits and signs (U+FF01 to U+FF5E), which Chinese and
# Japanese text sets among its characters (２０２４年, ＪＲ): each is its ASCII character, one for one.
FULL_WIDTH = {chr(code): chr(code - 0xFEE0) for code in range(0xFF01, 0xFF5F)}
_TABLE = str.maketrans({
    "أ": "ا", "إ": "ا", "آ": "ا", "ٱ": "ا", "ؤ": "و", "ئ": "ي", "ى": "ي", "ة": "ه",
    "ـ": None, **{mark: None for mark in ARABIC_MARKS + HEBREW_MARKS},
    "ё": "е", "Ё": "Е", **FULL_WIDTH,
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


# Scripts written without spaces between words, or with particles written onto them: Thai, Lao,
# Burmese, Khmer, Han (with its extensions and compatibility forms, and the marks 々 〆 〇),
# Hiragana, Katakana (also half-width), Hangul syllables. A pair may hold a vowel sign alone
# (สวัสดี is สว วั ัส สด ดี): marks are word characters to the tokenizer, so it is still a token.
HANGUL_SYLLABLES = (0xAC00, 0xD7A3)
UNSPACED_RANGES = ((0x0E00, 0x0EFF), (0x1000, 0x109F), (0x1780, 0x17FF), (0x3005, 0x3007), (0x3040, 0x30FF),
                   (0x31F0, 0x31FF), (0x3400, 0x4DBF), (0x4E00, 0x9FFF), HANGUL_SYLLABLES, (0xF900, 0xFAFF),
                   (0xFF66, 0xFF9F), (0x20000, 0x2FFFF))
UNSPACED_CLASS = "".join(f"{chr(first)}-{chr(last)}" for first, last in UNSPACED_RANGES)
# The characters that are each a word when words are compared (duplicates, diffs): those of the
# scripts written without spaces, not Korean's, which spaces its words. (Regular expression class.)
CHARACTER_WORD_CLASS = "".join(f"{chr(first)}-{chr(last)}" for first, last in UNSPACED_RANGES
                               if (first, last) != HANGUL_SYLLABLES)
_UNSPACED_RUN = re.compile(f"([{UNSPACED_CLASS}]+)")  # a group: split() keeps the runs
# What FTS5 reads as one piece of a query: a quoted phrase ("" inside is a quote), or a run of
# anything else but spaces and its syntax characters.
_QUERY_PIECE = re.compile(r'"(?:[^"]|"")*"|[^\s"(),]+')


def fold(text: str | None) -> str | None:
    """The search form of a text (or of a query: FTS5's operators and quotes are left alone)."""
    if not text:
        return text
    folded = text.translate(_TABLE) if _FOLDED.search(text) else text
    if _ARABIC_LETTER.search(folded):
        folded = _ARTICLE.sub("", folded)
    return folded


def has_unspaced(text: str | None) -> bool:
    """Whether the text holds characters of a script written without spaces (UNSPACED_RANGES).
    The paired indexes' triggers ask it of every row stored: an ASCII text is answered at once (1 µs
    for 10 KB, against 100 µs for the pattern, and 1 ms for SQLite's GLOB of the same class)."""
    return text is not None and not text.isascii() and _UNSPACED_RUN.search(text) is not None


def pairs(text: str | None) -> str | None:
    """The text with every run of unspaced characters as its overlapping pairs, then its last
    character alone (a run of one: that character), so that every character starts a token (a lone
    农 is found as the prefix 农*) and every run ends with its last character alone.

    >>> pairs("在智慧农业园区, Tokyo東京 2024年3月")
    ' 在智 智慧 慧农 农业 业园 园区 区 , Tokyo 東京 京  2024 年 3 月 '
    """
    if not text:
        return text
    return _UNSPACED_RUN.sub(lambda run: f" {' '.join(_run_tokens(run.group(0)))} ", text)


def paired_query(query: str) -> str:
    """An FTS5 query (folded) as the paired indexes read it: a word or phrase holding unspaced
    characters as the phrase of the tokens its text was indexed as. A run that ends inside it
    ends in the text too, so its tokens are all the run's; the last run may go on in the text
    (农业 is found in 农业园区), so its pairs only, or, for one character, that character as a
    prefix (the pair it starts, or itself at a run's end).

    >>> paired_query('智慧农业 AND title:农* OR "东京 天气" NOT Tokyo東京 3月15日')
    '"智慧 慧农 农业" AND title:"农" * OR "东京 京 天气" NOT "Tokyo 東京" "3 月 15 日" *'
    """
    return _QUERY_PIECE.sub(lambda piece: _paired_piece(piece.group(0)), query)


def _paired_piece(piece: str) -> str:
    if not has_unspaced(piece):
        return piece
    if piece.startswith('"'):
        return _phrase(piece[1:-1].replace('""', '"'), starred=False)
    column, colon, word = piece.rpartition(":")
    return column + colon + _phrase(word.removesuffix("*"), starred=word.endswith("*"))


def _phrase(text: str, starred: bool) -> str:
    """The FTS5 phrase of a query's text as the paired index tokenized it (see paired_query)."""
    pieces = _UNSPACED_RUN.split(text)  # other text, a run, other text, a run ... (runs at odd places)
    last_run = max((place for place in range(1, len(pieces), 2) if not "".join(pieces[place + 1:]).strip()),
                   default=None)
    tokens: list[str] = []
    prefix = starred
    for place, piece in enumerate(pieces):
        if place % 2 == 0:
            tokens += piece.split()  # FTS5 tokenizes it as it tokenized the text
        elif place != last_run:
            tokens += _run_tokens(piece)
        elif len(piece) == 1:
            tokens.append(piece)
            prefix = True
        else:
            tokens += _pairs_of(piece)
    phrase = '"' + " ".join(token.replace('"', '""') for token in tokens) + '"'
    return phrase + " *" if prefix else phrase


def _run_tokens(run: str) -> list[str]:
    """The tokens a whole run is indexed as: its pairs, then its last character alone."""
    return [*_pairs_of(run), run[-1]] if len(run) > 1 else [run]


def _pairs_of(run: str) -> list[str]:
    return [run[start:start + 2] for start in range(len(run) - 1)]


def casefold(text: str | None) -> str | None:
    """A name as compared whatever its case, in every script: SQLite's NOCASE and lower() fold
    ASCII letters only ("Иван" and "иван" differed)."""
    return text.casefold() if text else text


def register(conn) -> None:
    """Make fold(), pairs() and has_unspaced() (the indexes' triggers need them), casefold() and cjk_query() (a
    query of articles_cjk_fts or comments_cjk_fts, folded and paired) SQL functions of this connection."""
    conn.create_function("fold", 1, fold, deterministic=True)
    conn.create_function("casefold", 1, casefold, deterministic=True)
    conn.create_function("pairs", 1, pairs, deterministic=True)
    conn.create_function("has_unspaced", 1, has_unspaced, deterministic=True)
    conn.create_function("cjk_query", 1, lambda query: paired_query(fold(query) or ""), deterministic=True)
