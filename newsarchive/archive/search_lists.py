"""Precomputed best matches of the archive's frequent terms: exact ranked search, fast.

FTS5 ranks a query by computing bm25() for every row that matches it, 1-2 µs a row, so a word
found in 75,000 articles costs 100-200 ms however few hits are shown. For every term found in
at least MIN_DOCUMENTS rows of an index, `rebuild()` stores its LIST_LENGTH best rows with their
scores (the term's "champion list", as IR textbooks call it). `best_rows()` answers a query made
of words and AND / OR / NOT / parentheses from those lists whenever it can prove that the answer
is the one ranking every match would give, and returns None when it cannot.

The proof rests on bm25 being a sum over the query's terms. A row in none of the lists of the
query's terms scores at most the sum of the lists' cutoffs (each list's lowest score). Rows in
the lists are scored exactly: from the lists when a row is in all of them and the query has no
NOT (the row then matches, and its score is the sum), otherwise by FTS5 itself, restricted to
those rows. If the limit-th best of them scores at least that bound, no other row can beat it.

The lists are derived data. Triggers (migration m006) delete an index's `search_lists` row on
any insert, delete or text change of the indexed table, and the lists are used only while that
row says "ready": a search of a changed archive ranks every match, as before, until the next
rebuild. Crawls and merges rebuild at their end; `newsarchive index` rebuilds by hand.
"""

from __future__ import annotations

import heapq
import json
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
    hits = sum(len(rows) for _, rows in lists.values())
    return ListsSummary(index_name, len(lists), hits, time.perf_counter() - started, stored)


def begin_build(archive, index_name: str) -> str:
    """A "building" row with a fresh token: any write to the indexed table deletes it (trigger)."""
    token = uuid.uuid4().hex
    with archive.write() as db:
        db.execute("INSERT OR REPLACE INTO search_lists (index_name, status, build_token) VALUES (?, 'building', ?)",
                   [index_name, token])
    return token


def compute_lists(conn, index_name: str, min_documents: int, list_length: int) -> dict:
    """{term: (rows containing it, [(rowid, score), ...] best first)} for every frequent term."""
    return {term: (documents, _best_rows_of_term(conn, index_name, term, list_length))
            for term, documents in _frequent_terms(conn, index_name, min_documents)}


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
            [indexed_rows, len(lists), min_documents, list_length, round(time.perf_counter() - started, 3),
             index_name])
    return True


def _frequent_terms(conn, index_name: str, min_documents: int) -> list[tuple[str, int]]:
    vocabulary = f"temp.{index_name}_vocabulary"
    conn.execute(f"CREATE VIRTUAL TABLE IF NOT EXISTS {vocabulary} USING fts5vocab(main, {index_name}, row)")
    return conn.execute(f"SELECT term, doc FROM {vocabulary} WHERE doc >= ? ORDER BY term",
                        [min_documents]).fetchall()


def _best_rows_of_term(conn, index_name: str, term: str, list_length: int) -> list[tuple[int, float]]:
    phrase = '"' + term.replace('"', '""') + '"'
    return conn.execute(f"SELECT rowid, -{bm25_sql(index_name)} AS score FROM {index_name} "
                        f"WHERE {index_name} MATCH ? ORDER BY score DESC LIMIT ?", [phrase, list_length]).fetchall()


def _store_lists(db, index_name: str, lists: dict) -> None:
    db.execute("DELETE FROM search_term_hits WHERE index_name = ?", [index_name])
    db.execute("DELETE FROM search_terms WHERE index_name = ?", [index_name])
    for term, (documents, rows) in lists.items():
        # A complete list leaves no row outside it: those score 0 for this term.
        cutoff = rows[-1][1] if documents > len(rows) else 0.0
        db.execute("INSERT INTO search_terms (index_name, term, documents, cutoff) VALUES (?, ?, ?, ?)",
                   [index_name, term, documents, cutoff])
        db.conn.executemany("INSERT INTO search_term_hits (index_name, term, rank, row_id, score) VALUES (?, ?, ?, ?, ?)",
                       [(index_name, term, rank, row_id, score) for rank, (row_id, score) in enumerate(rows, 1)])


# searching ---------------------------------------------------------------------------------------

def best_rows(conn: sqlite3.Connection, index_name: str, query: str, limit: int,
              passing: Callable[[set[int]], set[int]] | None = None) -> list[tuple[int, float]] | None:
    """The `limit` best (rowid, bm25) of `query`, best first, as FTS5 would rank them; None when
    the lists cannot prove that answer (not a query of plain words, a word without a list, stale
    lists, too few hits after filters): the caller then ranks every match.

    `passing(rowids)` keeps the rows that pass the caller's filters (site, dates, author).
    """
    words = _plain_words(query)
    if words is None or not _lists_ready(conn, index_name):
        return None
    words, has_not = words
    terms = _index_terms(conn, words)
    if terms is None:
        return None
    cutoffs = dict(conn.execute(
        f"SELECT term, cutoff FROM search_terms WHERE index_name = ? AND term IN ({', '.join('?' * len(terms))})",
        [index_name, *terms]))
    if len(cutoffs) < len(set(terms)):
        return None  # a term with no list: a rare one, which FTS5 ranks quickly anyway
    if len(_QUERY_TOKEN.findall(query)) > 1:  # operators can be misplaced: "NOT a", "a AND", "(a"
        _check_syntax(conn, index_name, query)
    scores = {term: dict(conn.execute("SELECT row_id, score FROM search_term_hits WHERE index_name = ? AND term = ?",
                                      [index_name, term])) for term in set(terms)}
    candidates = set().union(*scores.values())
    if passing is not None:
        candidates = passing(candidates)
    exact, upper_bounds = {}, {}
    for row in candidates:
        parts = [scores[term].get(row) for term in terms]
        if None not in parts and not has_not:
            exact[row] = sum(parts)  # holds every term, so matches a query without NOT
        else:
            upper_bounds[row] = sum(cutoffs[term] if part is None else part for term, part in zip(terms, parts))
    threshold = _nth_best(exact.values(), limit)
    unsure = [row for row, upper in upper_bounds.items() if upper >= threshold]
    if unsure:
        exact.update(_fts_scores(conn, index_name, query, unsure))
    ranked = heapq.nsmallest(limit, exact.items(), key=lambda item: (-item[1], item[0]))
    outside_bound = sum(cutoffs[term] for term in terms)
    if len(ranked) < limit or ranked[-1][1] < outside_bound:
        return None
    return [(row, -score) for row, score in ranked]


def _plain_words(query: str) -> tuple[list[str], bool] | None:
    """The words of a query made of words, AND, OR, NOT and parentheses, and whether it has NOT."""
    words, has_not = [], False
    for token in _QUERY_TOKEN.findall(query):
        if token in _OPERATORS:
            has_not |= token == "NOT"
        elif token.isalnum() and token != "NEAR":
            words.append(token)
        else:
            return None  # phrase, prefix, column filter, NEAR: ranked by FTS5 itself
    return (words, has_not) if words else None


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


def _lists_ready(conn, index_name: str) -> bool:
    try:
        return conn.execute("SELECT 1 FROM search_lists WHERE index_name = ? AND status = 'ready'",
                            [index_name]).fetchone() is not None
    except sqlite3.OperationalError as error:
        if "no such table" in str(error):
            return False  # an archive from before the lists existed, opened read-only
        raise


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
