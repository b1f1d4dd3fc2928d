"""Full-text search over the archive's FTS5 indexes, best matches first, with highlighted passages.

The query is FTS5 syntax: words (all must match), "a phrase", prefix*, AND / OR / NOT, NEAR(...),
column filters such as title:peshmerga. A malformed query raises SearchQueryError with a message
saying so, never a traceback.
"""

from __future__ import annotations

import json
import re
import sqlite3
import unicodedata
from dataclasses import dataclass

import regex

from newsarchive.archive.folding import fold, has_unspaced, paired_query
from newsarchive.archive.folding import register as register_functions
from newsarchive.archive.queries import date_window, publication_day_of
from newsarchive.archive.search_lists import best_rows, bm25_sql

# Markers around matched words in passages; the CLI turns them into colour or brackets.
MATCH_START, MATCH_END = "\x02", "\x03"
# A filter on site or dates keeping at most this many rows (a day, a small site) is applied first:
# FTS5 then scores only the matches it keeps, instead of every match; the search lists would rarely
# hold a page of hits among so few rows.
FILTER_FIRST_ROWS = 2_000
HELP = 'use words, "a phrase", prefix*, AND / OR / NOT, or title:word (see docs/queries.md)'


class SearchQueryError(ValueError):
    pass


# FTS5's snippet() takes time that grows with the square of a query's terms: 300 words took 2.7 s
# for one page of hits, 2,000 more than a minute. No one's question has that many words.
MAX_QUERY_WORDS = 100


INDEX_COLUMNS = {"articles": ("title", "body_text"), "comments": ("body_text", "author_name")}
# A column's phrase or group (title:"two words", title:(a OR b)), a phrase, a parenthesis or comma, a word.
_PIECES = re.compile(r'[^\s(),":]+:(?:"[^"]*"|\()|"[^"]*"|[(),]|[^\s(),"]+')
_OPERATORS = frozenset({"AND", "OR", "NOT", "NEAR"})
# Words by the regex module's \w, which holds the marks of a word (Hindi's vowel signs, Thai's,
# Hebrew points); re's splits किसान* at them, and the prefix was quoted into a phrase.
_WORD = regex.compile(r"^\w+\*?$")


def prepare_query(query: str, columns: tuple[str, ...] = ()) -> str:
    """A query as FTS5 will read it: plain words stay plain words, so a name such as al-Taie,
    o'brien or C++ is searched as written (as a phrase of its parts), while the FTS5 syntax
    stays: "quoted phrases", AND / OR / NOT, NEAR(...), parentheses, prefix*, column:word."""
    if query.count('"') % 2:  # an unbalanced quote is part of a word, not a phrase
        query = query.replace('"', " ")
    prepared, near_depth, depth = [], None, 0
    for piece in _pieces(query, columns):
        column = _column_of_group(piece, columns)
        if column is not None or piece == "(":
            depth += 1
            near_depth = depth if prepared and prepared[-1] == "NEAR" else near_depth
        elif piece == ")":
            near_depth = None if near_depth == depth else near_depth
            depth -= 1
        elif piece == "," and near_depth is None:
            continue  # punctuation between plain words; FTS5 reads a comma only in NEAR(...)
        if prepared and _joins_without_operator(prepared[-1], "(" if column is not None else piece):
            prepared.append("AND")  # all words must match, groups too: FTS5 joins only phrases by itself
        prepared.append(f"{column}:(" if column is not None else _prepared_piece(piece, columns))
    return " ".join(prepared)


def _pieces(query: str, columns: tuple[str, ...]):
    """The query's pieces; a group opened by what is no column of the index (`foo:(`) as a word
    and a parenthesis."""
    for piece in _PIECES.findall(query):
        if piece.endswith(":(") and _column_of_group(piece, columns) is None:
            yield from (piece[:-1], "(")
        else:
            yield piece


def _column_of_group(piece: str, columns: tuple[str, ...]) -> str | None:
    """The column of a group it opens (`title:(`), when it is one of the index's."""
    column, colon, rest = piece.partition(":")
    return column if colon and rest == "(" and column in columns else None


def _joins_without_operator(before: str, piece: str) -> bool:
    """Whether a group stands next to a word or another group with no operator between them
    (`forces (security OR border)`), which FTS5 reads as a syntax error."""
    operand_before = before not in _OPERATORS and before != "," and not before.endswith("(")
    return operand_before and (piece == "(" or (before == ")" and piece not in _OPERATORS and piece not in (")", ",")))


def _prepared_piece(piece: str, columns: tuple[str, ...]) -> str:
    if piece.startswith('"') or piece in ("(", ")", ",") or piece in _OPERATORS or _WORD.match(piece):
        return piece
    column, colon, rest = piece.partition(":")
    if colon and column in columns and rest:
        return f"{column}:{_prepared_piece(rest, ())}"
    return '"' + piece.replace('"', '""') + '"'



@dataclass
class SearchFilters:
    site: str | None = None
    since: str | None = None  # YYYY-MM-DD, on publication (articles) or posting (comments)
    until: str | None = None
    author: str | None = None  # an author of the article, or the commenter (any case)
    limit: int = 20
    language: str | None = None  # ISO 639-1 code of the article's language


def search(db: sqlite3.Connection, query: str, target: str = "articles",
           filters: SearchFilters | None = None) -> list[dict]:
    """The best `filters.limit` hits, best first.

    Two steps, because FTS5's snippet() is costly and SQLite would compute it for every match
    before sorting: first the ranked ids (bm25 only, or the precomputed lists of frequent words
    when they give the same answer), then passages and rows for those few.
    """
    filters = filters or SearchFilters()
    if not query.strip():
        raise SearchQueryError(f"an empty search query finds nothing: {HELP}")
    words = len(query.split())
    if words > MAX_QUERY_WORDS:
        raise SearchQueryError(f"a search query of {words} words is too long (at most {MAX_QUERY_WORDS}): {HELP}")
    # The indexes hold folded text (archive/folding.py); folded first, the query means what its folded
    # form means: a full-width quote mark (＂) inside a phrase the preparing quoted broke it.
    query = prepare_query(fold(query) or "", INDEX_COLUMNS[target])
    register_functions(db)  # casefold() for --author, on a connection the archive did not open too
    db.row_factory = sqlite3.Row
    try:
        hits = []
        for index, match, spaced_only in _asked(db, target, query):
            hits += _hits(db, index, match, query, target, _ranked_ids(db, index, match, target, filters, spaced_only))
        return sorted(hits, key=lambda hit: hit["score"])[:filters.limit]  # stable: each part's order stays
    except sqlite3.OperationalError as error:
        message = str(error)
        if "no such table" in message or "locked" in message:
            raise  # not about the query
        # Our SQL is fixed and tested: what fails here is the user's FTS5 query.
        raise SearchQueryError(f"not a valid search query: {query!r} ({message}); {HELP}") from None


def count_matches(db, query: str, target: str, filters: SearchFilters) -> int:
    """How many rows match the query and the filters (the "of N" of a page of hits)."""
    register_functions(db)
    return sum(_count(db, index, match, target, filters, spaced_only)
               for index, match, spaced_only in _asked(db, target, prepare_query(fold(query) or "", INDEX_COLUMNS[target])))


def _count(db, index: str, query: str, target: str, filters: SearchFilters, spaced_only: bool) -> int:
    source, row_id, where, params = _filter_clauses(target, filters, spaced_only)
    if not where:
        return db.execute(f"SELECT count(*) FROM {index} WHERE {index} MATCH ?", [query]).fetchone()[0]
    return db.execute(f"SELECT count(*) FROM {index}, {source} WHERE {index} MATCH ? AND {row_id} = {index}.rowid "
                      f"AND {' AND '.join(where)}", [query, *params]).fetchone()[0]


def index_for(db, target: str, query: str) -> tuple[str, str]:
    """The index a (folded) query asks, and the query as that index reads it: one with characters
    of a script written without spaces (Chinese, Japanese, Thai ...) or Korean asks the paired index, which
    finds a word inside a run of them (archive/folding.py); an archive from before that index
    (opened read-only) has only the other."""
    paired = f"{target}_cjk_fts"
    if has_unspaced(query) and _is_table(db, paired):
        return paired, paired_query(query)
    return f"{target}_fts", query


def _is_table(db, name: str) -> bool:
    """Whether the archive has that table (an archive from before its migration, opened read-only, has not)."""
    return db.execute("SELECT 1 FROM sqlite_master WHERE name = ?", [name]).fetchone() is not None


_OR_OR_NOT = re.compile(r"\b(?:OR|NOT)\b")
_PHRASE = re.compile(r'"(?:[^"]|"")*"')


def _asked(db, target: str, query: str) -> list[tuple[str, str, bool]]:
    """The indexes a (folded) query asks: (index, the query as it reads it, whether only the rows
    holding no unspaced characters are taken from it). The paired index holds only rows with such
    characters: a query with an OR or a NOT may match the others too (`Baghdad OR 农业`, `Tokyo NOT
    東京`), where the index of words answers it exactly (no word of theirs can be such a word).
    A query with no such characters asks the paired index for its rows too, where it has any: the
    index of words holds `苹果iPhone销量` or `2024年3月15日` as one word, and `iPhone` or `2024`
    found neither; the paired index holds them apart."""
    words = f"{target}_fts"
    index, match = index_for(db, target, query)
    if index != words:
        if not _OR_OR_NOT.search(_PHRASE.sub(" ", query)):
            return [(index, match, False)]
        return [(index, match, False), (words, query, True)]
    paired = f"{target}_cjk_fts"
    if _is_table(db, paired) and db.execute(f"SELECT 1 FROM {paired} LIMIT 1").fetchone():
        return [(words, query, True), (paired, paired_query(query), False)]
    return [(words, query, False)]


def language_code(value: str) -> str:
    """An ISO 639-1 code from a code or a language's name ("Arabic" -> "ar": language_of_name)."""
    # Imported here: the parsers' package costs a search without --language 0.14 s.
    from newsarchive.options import OptionError, did_you_mean
    from newsarchive.parsers.language import LANGUAGE_NAMES, declared_language, language_of_name

    cleaned = value.strip().lower()
    if re.fullmatch(r"[a-z]{2}", cleaned):
        return declared_language(cleaned) or cleaned  # a withdrawn code as the archive stores it: iw is he
    if code := language_of_name(cleaned):
        return code
    raise OptionError(f"--language: {value!r} is neither a two-letter code (ar, en, ru) nor a language name"
                      f"{did_you_mean(cleaned, LANGUAGE_NAMES)}")


def _ranked_ids(db, index: str, query: str, target: str, filters: SearchFilters,
                spaced_only: bool = False) -> list[tuple[int, float]]:
    # FTS5 wants MATCH and bm25() on the table's own name (index), not an alias.
    source, row_id, where, params = _filter_clauses(target, filters, spaced_only)
    kept = _kept_sql(source, row_id, where) if where else None
    if (filters.site or filters.since or filters.until or filters.language) and _count_at_most(db, kept, params, FILTER_FIRST_ROWS) \
            <= FILTER_FIRST_ROWS:
        return _ranked_among(db, index, query, kept, params, filters.limit)
    passing = (lambda rows: _kept_among(db, kept, row_id, params, rows)) if kept else None
    # Frequent words first from their precomputed best rows (search_lists.py), when that is exact.
    ranked = best_rows(db, index, query, filters.limit, passing)
    if ranked is not None:
        return ranked
    tables = f"{index}, {source}" if where else index  # no filters: rank the index alone
    conditions = " AND ".join([f"{index} MATCH ?", *([f"{row_id} = {index}.rowid"] if where else []), *where])
    sql = (f"SELECT {index}.rowid, {bm25_sql(index)} AS score FROM {tables} "
           f"WHERE {conditions} ORDER BY score LIMIT ?")
    return [(row[0], row[1]) for row in db.execute(sql, [query, *params, filters.limit])]


def _count_at_most(db, rows_sql: str, params: list, most: int) -> int:
    """How many rows the query gives, counting no further than most + 1."""
    return db.execute(f"SELECT count(*) FROM ({rows_sql} LIMIT ?)", [*params, most + 1]).fetchone()[0]


def _ranked_among(db, index: str, query: str, kept_sql: str, params: list, limit: int) -> list[tuple[int, float]]:
    """Rank only the matches among a few rows (a day, a small site): FTS5 passes over its matches
    once and scores those rows alone."""
    return db.execute(f"SELECT rowid, {bm25_sql(index)} AS score FROM {index} WHERE {index} MATCH ? "
                      f"AND +rowid IN ({kept_sql}) ORDER BY score LIMIT ?", [query, *params, limit]).fetchall()


def _filter_clauses(target: str, filters: SearchFilters, spaced_only: bool = False) -> tuple[str, str, list[str], list]:
    """The rows of `target` the filters keep (and, spaced_only, that hold no characters of a script
    written without spaces): FROM clause, its id column, conditions, parameters."""
    where, params = [], []
    if spaced_only:  # the rows the paired index does not hold (its triggers hold those with such characters)
        where.append(f"NOT EXISTS (SELECT 1 FROM {target}_cjk_fts p WHERE p.rowid = {'a.id' if target == 'articles' else 'c.id'})")
    if target == "articles":
        source, row_id, date = "articles a", "a.id", publication_day_of("a")
        if filters.author:
            where.append("EXISTS (SELECT 1 FROM article_authors aa JOIN authors au ON au.id = aa.author_id "
                         "WHERE aa.article_id = a.id AND casefold(au.name) = casefold(?))")
            params.append(filters.author)
    else:
        source, row_id, date = "comments c JOIN articles a ON a.id = c.article_id", "c.id", "c.posted_at"
        if filters.author:
            where.append("casefold(c.author_name) = casefold(?)")
            params.append(filters.author)
    if filters.site:
        where.append("a.site = ?")
        params.append(filters.site)
    if filters.language:
        where.append("a.language = ?")
        params.append(filters.language)
    window, window_params = date_window(date, filters.since, filters.until)
    return source, row_id, where + window, params + window_params


def _kept_sql(source: str, row_id: str, where: list[str]) -> str:
    return f"SELECT {row_id} FROM {source} WHERE {' AND '.join(where)}"


def _kept_among(db, kept_sql: str, row_id: str, params: list, rows: set[int]) -> set[int]:
    """Those of the rows the filters keep."""
    return {row[0] for row in db.execute(f"{kept_sql} AND {row_id} IN (SELECT value FROM json_each(?))",
                                         [*params, json.dumps(sorted(rows))])}


def _hits(db, index: str, match: str, query: str, target: str, ranked: list[tuple[int, float]]) -> list[dict]:
    if not ranked:
        return []
    ids = [rowid for rowid, _ in ranked]
    placeholders = ", ".join("?" for _ in ids)
    if target == "articles":
        rows = db.execute("SELECT a.id, a.site, a.published_at, a.title, a.canonical_url AS url FROM articles a "
                          f"WHERE a.id IN ({placeholders})", ids)
        passage_column = 1  # articles_fts(title, body_text)
    else:
        rows = db.execute("SELECT c.id, a.site, c.posted_at AS published_at, c.author_name, a.title, "
                          "a.canonical_url AS url, c.removed_at FROM comments c JOIN articles a ON a.id = c.article_id "
                          f"WHERE c.id IN ({placeholders})", ids)
        passage_column = 0  # comments_fts(body_text, author_name)
    by_id = {row["id"]: dict(row) for row in rows}
    passages = _passages(db, index, match, query, target, passage_column, ids)
    hits = []
    for rowid, score in ranked:
        hit = by_id[rowid]
        hit["passage"] = passages[rowid]
        hit["score"] = round(score, 3)
        hits.append(hit)
    return hits


# A text longer than this gets its passage found here, not by FTS5's snippet(), which weighs every
# match against every other (an article of 40,000 matches took 13 s; one of 1.5 million, minutes),
# nor by highlight(), which marks them all (minutes too).
LONG_TEXT = 100_000
PASSAGE_WORDS = 16  # as snippet()'s passages
_QUERY_WORD = regex.compile(r"(\w+)(\*?)")  # marks inside (see _WORD)
_NOT_WORDS = frozenset({"AND", "OR", "NOT", "NEAR"})


def _passages(db, index: str, match: str, query: str, target: str, column: int, ids: list[int]) -> dict[int, str]:
    """The matching passage of each row. A query with a prefix* expands it over the whole vocabulary
    each time it starts (4 ms here), so it starts once and picks the rows out of its matches; any
    other query starts cheaply at each row, which beats passing over every match. The paired
    index holds no text to cut passages from (`match` is its reading of `query`): they are found
    in the stored text."""
    if index.endswith("_cjk_fts"):
        texts = db.execute(f"SELECT id, body_text FROM {target} WHERE id IN (SELECT value FROM json_each(?))",
                           [json.dumps(ids)])
        return {rowid: passage_of_unspaced_text(text or "", query) for rowid, text in texts}
    snippet = f"snippet({index}, {column}, '{MATCH_START}', '{MATCH_END}', ' … ', {PASSAGE_WORDS})"
    long_texts = dict(db.execute(
        f"SELECT id, body_text FROM {target} WHERE id IN (SELECT value FROM json_each(?)) AND length(body_text) > ?",
        [json.dumps(ids), LONG_TEXT]))
    short_ids = [rowid for rowid in ids if rowid not in long_texts]
    passages = {rowid: passage_of_long_text(text, match) for rowid, text in long_texts.items()}
    if "*" in match:
        passages.update(db.execute(f"SELECT rowid, {snippet} FROM {index} WHERE {index} MATCH ? "
                                   "AND +rowid IN (SELECT value FROM json_each(?))", [match, json.dumps(short_ids)]))
        return passages
    passages.update({rowid: db.execute(f"SELECT {snippet} FROM {index} WHERE {index} MATCH ? AND rowid = ?",
                                       [match, rowid]).fetchone()[0] for rowid in short_ids})
    return passages


def passage_of_long_text(text: str, query: str) -> str:
    """About PASSAGE_WORDS words around the first place the text shows a word of the query (in any
    case; a prefix* as a prefix), those words marked; the text's opening where none is found as
    written (the index also matches a word without its diacritics).

    >>> marked = passage_of_long_text("Rain fell. " * 3 + "The river Tigris rose at night.", 'tigris OR "night"')
    >>> marked.replace(MATCH_START, "[").replace(MATCH_END, "]")
    '… fell. Rain fell. Rain fell. The river [Tigris] rose at [night]. …'
    """
    pattern = _words_of(query)
    found = pattern.search(text)
    if found is None:
        opening = text[:4000].split()
        return " ".join(opening[:PASSAGE_WORDS]) + (" …" if len(opening) > PASSAGE_WORDS else "")
    before = text[max(0, found.start() - 2000):found.start()].split()[-(PASSAGE_WORDS // 2 - 1):]
    after = text[found.start():found.start() + 4000].split()[:PASSAGE_WORDS - len(before)]
    window = " ".join([*before, *after])
    marked = pattern.sub(lambda match: f"{MATCH_START}{match.group(0)}{MATCH_END}", window)
    opening = "… " if len(text[:found.start()].split()) > len(before) else ""
    return f"{opening}{marked} …"


# About as much to read as PASSAGE_WORDS words, in a text written without spaces.
PASSAGE_CHARACTERS = 60


def passage_of_unspaced_text(text: str, query: str) -> str:
    """About PASSAGE_CHARACTERS characters around the first place the text shows a word of the
    query, those words marked: a word in a script written without spaces is found anywhere in a run
    of its characters (as the paired index finds it); the text's opening where none is found.

    >>> text = "雨" * 50 + "在益阳一个智慧农业园区里，农民很忙。" + "晴" * 80
    >>> marked = passage_of_unspaced_text(text, '农业 OR title:天气').replace(MATCH_START, "[").replace(MATCH_END, "]")
    >>> marked.replace("晴" * 39, "(39 晴)")
    '… 雨雨雨在益阳一个智慧[农业]园区里，农民很忙。(39 晴) …'
    """
    found = _words_of(query).search(text)
    # A little before the word, but no later than where the passage would end with the text.
    start = max(0, min(found.start() - PASSAGE_CHARACTERS // 6, len(text) - PASSAGE_CHARACTERS)) if found else 0
    end = start + PASSAGE_CHARACTERS
    # Not inside a letter: a Thai vowel sign or tone mark stays with the letter it is written on.
    while 0 < start and unicodedata.category(text[start]).startswith("M"):
        start -= 1
    while end < len(text) and unicodedata.category(text[end]).startswith("M"):
        end += 1
    window = " ".join(text[start:end].split())
    marked = _words_of(query).sub(lambda match: f"{MATCH_START}{match.group(0)}{MATCH_END}", window)
    return ("… " if start else "") + marked + (" …" if end < len(text) else "")


def _words_of(query: str) -> regex.Pattern:
    """The query's words as a pattern, in any case: a word as a whole word (a prefix* as a prefix),
    but one holding characters of a script written without spaces anywhere."""
    words = [(word, star) for word, star in _QUERY_WORD.findall(query)
             if word not in _NOT_WORDS and not query[query.find(word) + len(word):].startswith(":")]
    return regex.compile("|".join(_word_pattern(word, star) for word, star in words) or r"(?!)", regex.IGNORECASE)


def _word_pattern(word: str, star: str) -> str:
    if has_unspaced(word):
        return regex.escape(word)
    return r"\b" + regex.escape(word) + (r"\w*" if star else r"\b")
