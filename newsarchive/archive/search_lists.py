"""Precomputed best matches of the archive's frequent terms: exact ranked search, fast.

FTS5 ranks a query by computing bm25() for every row that matches it, 1-2 µs a row, so a word
found in 75,000 articles costs 100-200 ms however few hits are shown. For every term found in
at least MIN_DOCUMENTS rows of an index, `rebuild()` stores its LIST_LENGTH best rows with their
scores (the term's "champion list", as IR textbooks call it), and every term's row count (to
expand prefixes). `best_rows()` answers a query made of words, prefixes* and AND / OR / NOT /
parentheses from those lists whenever it can prove that the answer is the one ranking every
match would give, and returns None when it cannot.

The proof rests on bm25 being a sum over the query's phrases (its words and prefixes). A row in
none of the lists of the query's words scores at most the sum of the lists' cut-offs (each
list's lowest score). Rows in the lists are scored exactly: from the lists when a row is in all
of them and the query has no NOT (the row then matches, and its score is the sum), otherwise by
FTS5 itself, restricted to those rows. If the limit-th best of them scores at least that bound,
no other row can beat it. (Prefixes: see _prefix_phrase.)

Measured on 100,000 generated articles (bench/query.py): a word in 76% of them, 150 ms when
every match is ranked, 4-6 ms from its list; two such words 30 ms; building the lists of
articles and 500,000 comments about 40 s.

The lists are derived data. Triggers (migration m006) delete an index's `search_lists` row on
any insert, delete or text change of the indexed table, and the lists are used only while that
row says "ready": a search of a changed archive ranks every match, as before, until the next
rebuild. Crawls and merges rebuild at their end; `newsarchive index` rebuilds by hand.
"""

from __future__ import annotations

import heapq
import json
import math
import re
import sqlite3
import time
import uuid
from dataclasses import dataclass
from typing import Callable

from newsarchive.archive.migrations import FTS_TOKENIZER, SEARCH_LIST_SOURCES

# Below this many matching rows FTS5 ranks a term in a few milliseconds: no list needed.
MIN_DOCUMENTS = 2000
# Best rows kept per term: enough for a page of hits after filters such as --site remove most.
LIST_LENGTH = 1000
# A prefix* with more listed forms than this cannot be proven (the bound adds their cut-offs), nor
# one whose forms without a list hold more rows than that (all would be candidates).
MAX_LISTED_FORMS = 4
MAX_UNLISTED_ROWS = 5000
# FTS5's bm25 constant k1 (fixed in fts5_aux.c): a phrase's score stays below IDF * (k1 + 1).
BM25_K1 = 1.2
# bm25 column weights of each index: a hit in an article's title counts five times one in its body.
RANK_WEIGHTS = {"articles_fts": (5.0, 1.0), "comments_fts": ()}

_QUERY_TOKEN = re.compile(r"[()]|[^\s()]+")
_OPERATORS = {"AND", "OR", "NOT", "(", ")"}


def bm25_sql(index_name: str) -> str:
    return f"bm25({index_name}{''.join(f', {weight}' for weight in RANK_WEIGHTS[index_name])})"


@dataclass
class ListsSummary:
    index_name: str
    terms: int
    hits: int
    seconds: float
    stored: bool  # False: the archive changed while the lists were computed; they were not kept
    unchanged: bool = False  # True: nothing was written since the last build, which stands

    def describe(self) -> str:
        if not self.stored:
            what = "not kept: the archive changed meanwhile (run `newsarchive index` again)"
        else:
            what = f"{self.terms} frequent terms, {self.hits:,} best rows{', unchanged' if self.unchanged else ''}"
        return f"search lists of {self.index_name}: {what} ({self.seconds:.1f} s)"


def rebuild_file(db_path, min_documents: int = MIN_DOCUMENTS, list_length: int = LIST_LENGTH) -> list[ListsSummary]:
    from newsarchive.archive import open_archive  # the package imports this module's neighbours

    archive = open_archive(db_path)
    try:
        return rebuild_all(archive, min_documents, list_length)
    finally:
        archive.close()


def rebuild_all(archive, min_documents: int = MIN_DOCUMENTS, list_length: int = LIST_LENGTH) -> list[ListsSummary]:
    return [rebuild(archive, index_name, min_documents, list_length) for index_name in SEARCH_LIST_SOURCES]


def rebuild(archive, index_name: str, min_documents: int = MIN_DOCUMENTS,
            list_length: int = LIST_LENGTH) -> ListsSummary:
    """Recompute one index's lists without holding the write lock while ranking: a crawl writing
    meanwhile is never kept waiting, and lists it made stale are not kept."""
    started = time.perf_counter()
    current = archive.conn.execute(
        "SELECT terms, (SELECT count(*) FROM search_term_hits WHERE index_name = ?) FROM search_lists "
        "WHERE index_name = ? AND status = 'ready' AND min_documents = ? AND list_length = ?",
        [index_name, index_name, min_documents, list_length]).fetchone()
    if current is not None:  # nothing written since the last build (the triggers would have said)
        return ListsSummary(index_name, current[0], current[1], time.perf_counter() - started, True, unchanged=True)
    token = begin_build(archive, index_name)
    lists = compute_lists(archive.conn, index_name, min_documents, list_length)
    stored = store_build(archive, index_name, token, lists, min_documents, list_length, started)
    listed = [rows for _, rows in lists.values() if rows is not None]
    return ListsSummary(index_name, len(listed), sum(map(len, listed)), time.perf_counter() - started, stored)


def begin_build(archive, index_name: str) -> str:
    """A "building" row with a fresh token: any write to the indexed table deletes it (trigger)."""
    token = uuid.uuid4().hex
    with archive.write() as db:
        db.execute("INSERT OR REPLACE INTO search_lists (index_name, status, build_token) VALUES (?, 'building', ?)",
                   [index_name, token])
    return token


def compute_lists(conn, index_name: str, min_documents: int, list_length: int) -> dict:
    """{term: (rows containing it, its best [(rowid, score), ...] or None)} for every term of the
    index: frequent terms get their list; the others are kept for expanding prefixes."""
    return {term: (documents, _best_rows_of_term(conn, index_name, term, list_length)
                   if documents >= min_documents else None)
            for term, documents in _vocabulary(conn, index_name)}


def store_build(archive, index_name: str, token: str, lists: dict, min_documents: int, list_length: int,
                started: float) -> bool:
    """Keep the lists if the build's token is still there, i.e. nothing changed since it began."""
    table = SEARCH_LIST_SOURCES[index_name][0]
    with archive.write() as db:
        if db.execute("SELECT 1 FROM search_lists WHERE index_name = ? AND build_token = ?",
                      [index_name, token]).fetchone() is None:
            return False
        _store_lists(db, index_name, lists)
        indexed_rows = db.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
        db.execute(
            "UPDATE search_lists SET status = 'ready', built_at = strftime('%Y-%m-%dT%H:%M:%fZ', 'now'), "
            "indexed_rows = ?, terms = ?, min_documents = ?, list_length = ?, seconds = ? WHERE index_name = ?",
            [indexed_rows, sum(rows is not None for _, rows in lists.values()), min_documents, list_length,
             round(time.perf_counter() - started, 3), index_name])
    return True


def _vocabulary(conn, index_name: str) -> list[tuple[str, int]]:
    vocabulary = f"temp.{index_name}_vocabulary"
    conn.execute(f"CREATE VIRTUAL TABLE IF NOT EXISTS {vocabulary} USING fts5vocab(main, {index_name}, row)")
    return conn.execute(f"SELECT term, doc FROM {vocabulary}").fetchall()


def _best_rows_of_term(conn, index_name: str, term: str, list_length: int) -> list[tuple[int, float]]:
    return conn.execute(f"SELECT rowid, -{bm25_sql(index_name)} AS score FROM {index_name} "
                        f"WHERE {index_name} MATCH ? ORDER BY score DESC LIMIT ?",
                        [_quoted(term), list_length]).fetchall()


def _store_lists(db, index_name: str, lists: dict) -> None:
    db.execute("DELETE FROM search_term_hits WHERE index_name = ?", [index_name])
    db.execute("DELETE FROM search_terms WHERE index_name = ?", [index_name])
    db.conn.executemany("INSERT INTO search_terms (index_name, term, documents, cutoff) VALUES (?, ?, ?, ?)",
                        [(index_name, term, documents, _cutoff(documents, rows))
                         for term, (documents, rows) in lists.items()])
    for term, (_, rows) in lists.items():
        if rows is not None:
            db.conn.executemany(
                "INSERT INTO search_term_hits (index_name, term, rank, row_id, score) VALUES (?, ?, ?, ?, ?)",
                [(index_name, term, rank, row_id, score) for rank, (row_id, score) in enumerate(rows, 1)])


def _cutoff(documents: int, rows: list | None) -> float | None:
    """No row outside the list scores more than this for the term (None: the term has no list)."""
    if rows is None:
        return None
    return rows[-1][1] if documents > len(rows) else 0.0  # a complete list leaves only rows without the term


# searching ---------------------------------------------------------------------------------------

@dataclass
class _Phrase:
    """What the lists say of one phrase of a query (a word, or a prefix*) for any row."""
    cutoff: float  # no row outside `candidates` scores more than this for the phrase
    scores: dict[int, float] | None  # the candidates' exact scores; None: unknown, FTS5 scores them
    candidates: set[int]
    maximum: float  # no row scores more than this for the phrase

    def upper_bound(self, row: int) -> float:
        if self.scores is not None:
            return self.scores.get(row, self.cutoff)
        return math.inf if row in self.candidates else self.cutoff


def best_rows(conn: sqlite3.Connection, index_name: str, query: str, limit: int,
              passing: Callable[[set[int]], set[int]] | None = None) -> list[tuple[int, float]] | None:
    """The `limit` best (rowid, bm25) of `query`, best first, as FTS5 would rank them; None when
    the lists cannot prove that answer (not a query of plain words and prefixes, a rare word,
    stale lists, too few hits after filters): the caller then ranks every match.

    `passing(rowids)` keeps the rows that pass the caller's filters (site, dates, author).
    """
    parsed = _plain_query(query)
    indexed_rows = _lists_ready(conn, index_name) if parsed is not None else None
    if indexed_rows is None:
        return None
    items, has_not = parsed
    phrases = _query_phrases(conn, index_name, items, indexed_rows)
    if phrases is None:
        return None
    if len(_QUERY_TOKEN.findall(query)) > 1:  # operators can be misplaced: "NOT a", "a AND", "(a"
        _check_syntax(conn, index_name, query)
    outside_bound = sum(phrase.cutoff for phrase in phrases)
    if sum(phrase.maximum for phrase in phrases) < outside_bound:
        return None  # no row can reach the bound: spare the scoring pass (prefixes of several forms)
    candidates = set().union(*(phrase.candidates for phrase in phrases))
    if passing is not None:
        candidates = passing(candidates)
    scores = _candidate_scores(conn, index_name, query, phrases, candidates, has_not, limit)
    ranked = heapq.nsmallest(limit, scores.items(), key=lambda item: (-item[1], item[0]))
    if len(ranked) < limit or ranked[-1][1] < outside_bound:
        return None
    return [(row, -score) for row, score in ranked]


def _query_phrases(conn, index_name: str, items: list[tuple[str, bool]], indexed_rows: int) -> list[_Phrase] | None:
    terms = _index_terms(conn, [text for text, _ in items])
    if terms is None:
        return None
    phrases = []
    for term, (_, is_prefix) in zip(terms, items):
        phrase = (_prefix_phrase(conn, index_name, term, indexed_rows) if is_prefix
                  else _word_phrase(conn, index_name, term))
        if phrase is None:
            return None
        phrases.append(phrase)
    return phrases


def _candidate_scores(conn, index_name: str, query: str, phrases: list[_Phrase], candidates: set[int],
                      has_not: bool, limit: int) -> dict[int, float]:
    """Exact scores of the candidates that may be among the `limit` best (and match the query)."""
    exact, upper_bounds = {}, {}
    for row in candidates:
        parts = [None if phrase.scores is None else phrase.scores.get(row) for phrase in phrases]
        if None not in parts and not has_not:
            exact[row] = sum(parts)  # holds every phrase, so matches a query without NOT
        else:
            upper_bounds[row] = sum(phrase.upper_bound(row) for phrase in phrases)
    threshold = _nth_best(exact.values(), limit)
    unsure = [row for row, upper in upper_bounds.items() if upper >= threshold]
    if unsure:
        exact.update(_fts_scores(conn, index_name, query, unsure))
    return exact


def _word_phrase(conn, index_name: str, term: str) -> _Phrase | None:
    known = conn.execute("SELECT cutoff FROM search_terms WHERE index_name = ? AND term = ?",
                         [index_name, term]).fetchone()
    if known is None:
        return _Phrase(0.0, {}, set(), 0.0)  # in no row: scores 0 everywhere
    if known[0] is None:
        return None  # a rare word, which FTS5 ranks quickly anyway
    scores = _term_list(conn, index_name, term)
    return _Phrase(known[0], scores, set(scores), max(scores.values(), default=0.0))


def _prefix_phrase(conn, index_name: str, prefix: str, indexed_rows: int) -> _Phrase | None:
    """A prefix* is one phrase whose hits are those of all its forms. With one form it ranks as
    that word. Otherwise a row in no form's list scores at most the sum of the forms' cut-offs
    (bm25 of a sum of hits is at most the sum of the forms' bm25: the score grows ever more slowly
    with hits, and the prefix is no rarer than any form), and the rows of forms without a list
    are candidates too, which FTS5 scores."""
    forms = conn.execute("SELECT term, documents, cutoff FROM search_terms WHERE index_name = ? "
                         "AND term >= ? AND term < ?", [index_name, prefix, prefix + "\U0010ffff"]).fetchall()
    listed = [(term, cutoff) for term, _, cutoff in forms if cutoff is not None]
    unlisted = [(term, documents) for term, documents, cutoff in forms if cutoff is None]
    if not forms:
        return _Phrase(0.0, {}, set(), 0.0)  # in no row
    if not listed:
        return None  # only rare forms, which FTS5 ranks quickly anyway
    if len(forms) == 1:
        return _word_phrase(conn, index_name, listed[0][0])
    if len(listed) > MAX_LISTED_FORMS or sum(documents for _, documents in unlisted) > MAX_UNLISTED_ROWS:
        return None  # a short prefix: the bound would fail, or the candidates be too many
    candidates, maximum = set(), 0.0
    for term, _ in listed:
        scores = _term_list(conn, index_name, term)
        candidates |= set(scores)
        maximum += max(scores.values(), default=0.0)
    if unlisted:
        any_form = " OR ".join(_quoted(term) for term, _ in unlisted)
        candidates |= {row for (row,) in conn.execute(
            f"SELECT rowid FROM {index_name} WHERE {index_name} MATCH ?", [any_form])}
        maximum += sum(_idf(documents, indexed_rows) * (BM25_K1 + 1) for _, documents in unlisted)
    # Nor more than bm25's ceiling, IDF * (k1 + 1), with the IDF of the prefix's most common form
    # (the prefix, in at least as many rows, has an IDF no higher).
    widest = max(documents for _, documents, _ in forms)
    maximum = min(maximum, _idf(widest, indexed_rows) * (BM25_K1 + 1))
    return _Phrase(sum(cutoff for _, cutoff in listed), None, candidates, maximum)


def _idf(documents: int, indexed_rows: int) -> float:
    """FTS5's bm25 IDF of a phrase found in `documents` of `indexed_rows` rows (fts5_aux.c)."""
    idf = math.log((indexed_rows - documents + 0.5) / (documents + 0.5))
    return idf if idf > 0 else 1e-6


def _term_list(conn, index_name: str, term: str) -> dict[int, float]:
    return dict(conn.execute("SELECT row_id, score FROM search_term_hits WHERE index_name = ? AND term = ?",
                             [index_name, term]))


def _quoted(term: str) -> str:
    return '"' + term.replace('"', '""') + '"'


def _plain_query(query: str) -> tuple[list[tuple[str, bool]], bool] | None:
    """The words and prefixes (text, is_prefix) of a query made of them and AND, OR, NOT and
    parentheses, and whether it has NOT; None for any other query."""
    items, has_not = [], False
    for token in _QUERY_TOKEN.findall(query):
        if token in _OPERATORS:
            has_not |= token == "NOT"
        elif token.isalnum() and token != "NEAR":
            items.append((token, False))
        elif token.endswith("*") and token[:-1].isalnum():
            items.append((token[:-1], True))
        else:
            return None  # phrase, column filter, NEAR, initial-token ^: ranked by FTS5 itself
    return (items, has_not) if items else None


def _index_terms(conn, words: list[str]) -> list[str] | None:
    """The index term of each word, by the index's own tokenizer; None if a word is not one term."""
    opened = not conn.in_transaction
    conn.execute(f"CREATE VIRTUAL TABLE IF NOT EXISTS temp.newsarchive_query_words "
                 f"USING fts5(word, tokenize='{FTS_TOKENIZER}')")
    conn.execute("CREATE VIRTUAL TABLE IF NOT EXISTS temp.newsarchive_query_terms "
                 "USING fts5vocab(temp, newsarchive_query_words, instance)")
    conn.execute("DELETE FROM temp.newsarchive_query_words")
    conn.executemany("INSERT INTO temp.newsarchive_query_words (rowid, word) VALUES (?, ?)", enumerate(words))
    tokens = conn.execute("SELECT doc, term FROM temp.newsarchive_query_terms").fetchall()
    if opened and conn.in_transaction:
        conn.commit()  # the temporary rows opened a transaction; leave the connection as we found it
    terms = dict(tokens)
    if len(tokens) != len(words) or len(terms) != len(words):
        return None  # a word the tokenizer splits or drops behaves as a phrase
    return [terms[position] for position in range(len(words))]


def _lists_ready(conn, index_name: str) -> int | None:
    """The number of rows the index held when its lists were built; None when they are not usable."""
    try:
        state = conn.execute("SELECT indexed_rows FROM search_lists WHERE index_name = ? AND status = 'ready'",
                             [index_name]).fetchone()
    except sqlite3.OperationalError as error:
        if "no such table" in str(error):
            return None  # an archive from before the lists existed, opened read-only
        raise
    return state[0] if state else None


def _check_syntax(conn, index_name: str, query: str) -> None:
    """FTS5 reports a malformed query ("a AND", "(a") only when it runs one: run it, briefly."""
    conn.execute(f"SELECT rowid FROM {index_name} WHERE {index_name} MATCH ? LIMIT 1", [query]).fetchall()


def _fts_scores(conn, index_name: str, query: str, rows: list[int]) -> dict[int, float]:
    """Scores of those rows that match, by FTS5: one pass over the matches, bm25 only for these rows
    (the + keeps the IN list a filter; as a rowid constraint FTS5 would restart the query per row)."""
    return {row: -score for row, score in conn.execute(
        f"SELECT rowid, {bm25_sql(index_name)} FROM {index_name} WHERE {index_name} MATCH ? "
        f"AND +rowid IN (SELECT value FROM json_each(?))", [query, json.dumps(rows)])}


def _nth_best(scores, n: int) -> float:
    best = heapq.nlargest(n, scores)
    return best[-1] if len(best) == n else float("-inf")
