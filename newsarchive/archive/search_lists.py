"""Precomputed best matches of the archive's frequent terms: exact ranked search, fast.

FTS5 ranks a query by computing bm25() for every row that matches it, 1-2 µs a row, so a word
found in 75,000 articles costs 100-200 ms however few hits are shown. For every term found in
at least MIN_DOCUMENTS rows of an index, `rebuild()` stores its LIST_LENGTH best rows with their
scores (the term's "champion list", as IR textbooks call it), and every term's row count (to
expand prefixes). `best_rows()` answers a query made of words, prefixes* and AND / OR /
parentheses from those lists whenever it can prove that the answer is the one ranking every
match would give, and returns None when it cannot.

The proof rests on bm25 being a sum over the query's phrases (its words and prefixes). A row in
none of the lists of the query's words scores at most the sum of the lists' cut-offs (each
list's lowest score). Rows in the lists are scored exactly: from the lists when a row is in all
of them (the row then matches, and its score is the sum), otherwise by FTS5 itself, restricted
to those rows. If the limit-th best of them scores at least that bound, no other row can beat
it. (Prefixes: see _prefix_phrase.)

Measured on 100,000 generated articles (bench/query.py): a word in 76% of them takes 110-150 ms
when every match is ranked and 4-6 ms from its list; two such words 190 ms and 9-13 ms. Building
the lists of 100,000 articles and 500,000 comments takes 40-50 s and adds 4% to the file.

The lists are derived data. Triggers (migration m006) delete an index's `search_lists` row on
any insert, delete or text change of the indexed table, and the lists are used only while that
row says "ready": a search of a changed archive ranks every match, as before, until the next
rebuild. Crawls and merges rebuild at their end; `newsarchive index` rebuilds by hand.
"""

from __future__ import annotations

import json
import math
import re
import sqlite3
import sys
import time
import uuid
from array import array
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Callable

from newsarchive.archive import open_archive
from newsarchive.archive.migrations import SEARCH_LIST_SOURCES, WORD_TOKENIZER

# Below this many matching rows FTS5 ranks a term in a few milliseconds: no list needed.
MIN_DOCUMENTS = 2000
# Best rows kept per term: deep enough that the best rows of two or three frequent words together
# are mostly in all their lists (see _ranked_from_lists), and filters such as --site leave a page.
LIST_LENGTH = 10_000
# A prefix* with more listed forms than this cannot be proven (the bound adds their cut-offs), nor
# one whose forms without a list hold more rows than that (all would be candidates).
MAX_LISTED_FORMS = 4
MAX_UNLISTED_ROWS = 5000
# Candidates FTS5 may be asked to score in one pass (a prefix of several forms).
MAX_SCORED_CANDIDATES = 40_000
# FTS5's bm25 constant k1 (fixed in fts5_aux.c): a phrase's score stays below IDF * (k1 + 1).
BM25_K1 = 1.2
# bm25 column weights of each index: a hit in an article's title counts five times one in its body.
RANK_WEIGHTS = {"articles_fts": (5.0, 1.0), "comments_fts": (), "articles_cjk_fts": (5.0, 1.0), "comments_cjk_fts": ()}

_QUERY_TOKEN = re.compile(r"[()]|[^\s()]+")
_OPERATORS = {"AND", "OR", "(", ")"}


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
        "SELECT terms, (SELECT coalesce(sum(length(best_rows)), 0) / 8 FROM search_terms WHERE index_name = ?) "
        "FROM search_lists "
        "WHERE index_name = ? AND status = 'ready' AND min_documents = ? AND list_length = ?",
        [index_name, index_name, min_documents, list_length]).fetchone()
    if current is not None:  # nothing written since the last build (the triggers would have said)
        return ListsSummary(index_name, current[0], current[1], time.perf_counter() - started, True, unchanged=True)
    token = begin_build(archive, index_name)
    lists = compute_lists(archive.conn, index_name, min_documents, list_length)
    stored = store_build(archive, index_name, token, lists, min_documents, list_length, started)
    listed = [term for term in lists.values() if term.best_rows is not None]
    return ListsSummary(index_name, len(listed), sum(term.rows for term in listed), time.perf_counter() - started,
                        stored)


def begin_build(archive, index_name: str) -> str:
    """A "building" row with a fresh token: any write to the indexed table deletes it (trigger)."""
    token = uuid.uuid4().hex
    with archive.write() as db:
        db.execute("INSERT OR REPLACE INTO search_lists (index_name, status, build_token) VALUES (?, 'building', ?)",
                   [index_name, token])
    return token


@dataclass
class TermList:
    """A term's row of search_terms as a build computes it: its list kept encoded (16 bytes a row),
    as tuples of Python numbers took 112 to 125 (a 15,000-article archive's rebuild peaked at
    214 MB, all its lists held at once until they were written)."""

    documents: int  # rows containing the term
    cutoff: float | None
    best_rows: bytes | None  # None: a term without a list, kept for expanding prefixes
    best_scores: bytes | None

    @property
    def rows(self) -> int:
        return len(self.best_rows) // 8 if self.best_rows else 0


def compute_lists(conn, index_name: str, min_documents: int, list_length: int) -> dict[str, TermList]:
    """{term: TermList} for every term of the index: frequent terms get their list of best rows;
    the others are kept for expanding prefixes."""
    lists = {}
    for term, documents in _vocabulary(conn, index_name):
        rows = _best_rows_of_term(conn, index_name, term, list_length) if documents >= min_documents else None
        lists[term] = TermList(documents, _cutoff(documents, rows), *_encoded(rows))
    return lists


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
            [indexed_rows, sum(term.best_rows is not None for term in lists.values()), min_documents, list_length,
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
    db.execute("DELETE FROM search_terms WHERE index_name = ?", [index_name])
    db.conn.executemany(
        "INSERT INTO search_terms (index_name, term, documents, cutoff, best_rows, best_scores) "
        "VALUES (?, ?, ?, ?, ?, ?)",
        [(index_name, term, listed.documents, listed.cutoff, listed.best_rows, listed.best_scores)
         for term, listed in lists.items()])


def _cutoff(documents: int, rows: list | None) -> float | None:
    """No row outside the list scores more than this for the term (None: the term has no list)."""
    if rows is None:
        return None
    return rows[-1][1] if documents > len(rows) else 0.0  # a complete list leaves only rows without the term


def _encoded(rows: list[tuple[int, float]] | None) -> tuple[bytes | None, bytes | None]:
    """Row ids as 8-byte signed and scores as 8-byte floating-point numbers, little-endian."""
    if rows is None:
        return None, None
    ids, scores = array("q", (row for row, _ in rows)), array("d", (score for _, score in rows))
    if sys.byteorder == "big":
        ids.byteswap()
        scores.byteswap()
    return ids.tobytes(), scores.tobytes()


def _decoded(kind: str, blob: bytes) -> list:
    values = array(kind)
    values.frombytes(blob)
    if sys.byteorder == "big":
        values.byteswap()
    return values.tolist()


# searching ---------------------------------------------------------------------------------------

@dataclass
class _Phrase:
    """What the lists say of one phrase of a query (a word, or a prefix*) for any row.

    A listed phrase has its best rows and their exact scores, best first; an unlisted one (a
    prefix of several forms) only candidates, which FTS5 must score."""
    cutoff: float  # no row outside the list (or the candidates) scores more than this
    maximum: float  # no row at all scores more than this
    rows: list[int] | None = None
    scores: list[float] | None = None
    candidates: set[int] = field(default_factory=set)
    _lookup: dict[int, float] | None = None

    @property
    def listed(self) -> bool:
        return self.rows is not None

    def best(self) -> Iterator[tuple[int, float]]:
        """A listed phrase's rows and their scores, best first."""
        if self.rows is None or self.scores is None:  # a bug: only listed phrases have them
            raise ValueError("an unlisted phrase has no list of best rows")
        return zip(self.rows, self.scores, strict=True)

    def lookup(self) -> dict[int, float]:
        if self._lookup is None:
            self._lookup = dict(self.best())
        return self._lookup

    def upper_bound(self, row: int) -> float:
        if self.listed:
            return self.lookup().get(row, self.cutoff)
        return math.inf if row in self.candidates else self.cutoff


def best_rows(conn: sqlite3.Connection, index_name: str, query: str, limit: int,
              passing: Callable[[set[int]], set[int]] | None = None) -> list[tuple[int, float]] | None:
    """The `limit` best (rowid, bm25) of `query`, best first, as FTS5 would rank them; None when
    the lists cannot prove that answer (not a query of plain words and prefixes, a rare word,
    stale lists, too few hits after filters): the caller then ranks every match.

    `passing(rowids)` keeps the rows that pass the caller's filters (site, dates, author).
    """
    items = _plain_query(query)
    if items is None:
        return None
    indexed_rows = _lists_ready(conn, index_name)
    if indexed_rows is None:
        return None
    phrases = _query_phrases(conn, index_name, items, indexed_rows)
    if phrases is None:
        return None
    if len(_QUERY_TOKEN.findall(query)) > 1:  # operators can be misplaced: "NOT a", "a AND", "(a"
        _check_syntax(conn, index_name, query)
    outside_bound = sum(phrase.cutoff for phrase in phrases)
    if sum(phrase.maximum for phrase in phrases) < outside_bound:
        return None  # no row can reach the bound: spare the scoring pass (prefixes of several forms)
    passing = passing or (lambda rows: rows)
    if not all(phrase.listed for phrase in phrases):
        ranked = _ranked_by_fts(conn, index_name, query, phrases, limit, passing)
    else:
        ranked = _ranked_from_lists(conn, index_name, query, phrases, limit, passing)
    if ranked is None or len(ranked) < limit or ranked[-1][1] < outside_bound:
        return None
    return [(row, -score) for row, score in ranked]


def _ranked_from_lists(conn, index_name: str, query: str, phrases: list[_Phrase], limit: int,
                       passing) -> list[tuple[int, float]]:
    """The best rows when every phrase is listed. A row in every list holds every phrase, so it
    matches and its score is the sum of its list scores. A row in some lists only scores at most
    its known scores plus the others' cut-offs: only those that could beat the limit-th best of
    the first kind are scored by FTS5, usually none."""
    if len(phrases) == 1:  # its list is the answer, in order
        return _first_passing(list(phrases[0].best()), limit, passing)
    lookups = [phrase.lookup() for phrase in phrases]
    common = set(lookups[0]).intersection(*lookups[1:])
    in_every_list = {row: sum(lookup[row] for lookup in lookups) for row in common}  # in query order, as FTS5 sums
    best = _first_passing(sorted(in_every_list.items(), key=_best_first), limit, passing)
    threshold = best[-1][1] if len(best) == limit else -math.inf
    unsure = set()
    for phrase in phrases:
        others = [other for other in phrases if other is not phrase]
        # A row of this list missing from some other list gets at most that list's cut-off from it.
        others_most = sum(other.maximum for other in others) - min(other.maximum - other.cutoff for other in others)
        for row, score in phrase.best():
            if score + others_most < threshold:
                break  # best first: no later row of this list can reach the threshold either
            if row not in in_every_list and sum(p.upper_bound(row) for p in phrases) >= threshold:
                unsure.add(row)
    scores = dict(best)
    if unsure:
        scores.update(_fts_scores(conn, index_name, query, sorted(passing(unsure))))
    return sorted(scores.items(), key=_best_first)[:limit]


def _ranked_by_fts(conn, index_name: str, query: str, phrases: list[_Phrase], limit: int,
                   passing) -> list[tuple[int, float]] | None:
    """The best candidates, all scored by FTS5 in one pass (a prefix of several forms); None when
    the candidates are too many to be worth it."""
    candidates: set[int] = set()
    for phrase in phrases:
        candidates |= {row for row, _ in phrase.best()} if phrase.listed else phrase.candidates
    if len(candidates) > MAX_SCORED_CANDIDATES:
        return None
    scores = _fts_scores(conn, index_name, query, sorted(passing(candidates)))
    return sorted(scores.items(), key=_best_first)[:limit]


def _first_passing(ordered: list[tuple[int, float]], limit: int, passing) -> list[tuple[int, float]]:
    """The first `limit` rows that pass the filters, asking about a chunk of rows at a time (each
    chunk four times the last: a filter that keeps few rows costs a few queries, not hundreds)."""
    kept: list[tuple[int, float]] = []
    start, chunk = 0, max(4 * limit, 256)
    while start < len(ordered) and len(kept) < limit:
        part = ordered[start:start + chunk]
        allowed = passing({row for row, _ in part})
        kept += [(row, score) for row, score in part if row in allowed]
        start, chunk = start + chunk, chunk * 4
    return kept[:limit]


def _best_first(item: tuple[int, float]) -> tuple[float, int]:
    return -item[1], item[0]


def _query_phrases(conn, index_name: str, items: list[tuple[str, bool]], indexed_rows: int) -> list[_Phrase] | None:
    terms = _index_terms(conn, [text for text, _ in items])
    if terms is None:
        return None
    phrases = []
    for term, (_, is_prefix) in zip(terms, items, strict=True):
        phrase = (_prefix_phrase(conn, index_name, term, indexed_rows) if is_prefix
                  else _word_phrase(conn, index_name, term))
        if phrase is None:
            return None
        phrases.append(phrase)
    return phrases


def _word_phrase(conn, index_name: str, term: str) -> _Phrase | None:
    known = conn.execute("SELECT cutoff, best_rows, best_scores FROM search_terms WHERE index_name = ? AND term = ?",
                         [index_name, term]).fetchone()
    if known is None:
        return _Phrase(0.0, 0.0, rows=[], scores=[])  # in no row: scores 0 everywhere
    cutoff, rows, scores = known
    if cutoff is None:
        return None  # a rare word, which FTS5 ranks quickly anyway
    scores = _decoded("d", scores)
    return _Phrase(cutoff, scores[0] if scores else 0.0, rows=_decoded("q", rows), scores=scores)


def _prefix_phrase(conn, index_name: str, prefix: str, indexed_rows: int) -> _Phrase | None:
    """A prefix* is one phrase whose hits are those of all its forms. With one form it ranks as
    that word. Otherwise a row in no form's list scores at most the sum of the forms' cut-offs
    (bm25 of a sum of hits is at most the sum of the forms' bm25: the score grows ever more slowly
    with hits, and the prefix is no rarer than any form), and the rows of forms without a list
    are candidates too, which FTS5 scores."""
    forms = conn.execute("SELECT term, documents, cutoff FROM search_terms WHERE index_name = ? "
                         "AND term >= ? AND term < ?", [index_name, prefix, prefix + "\U0010ffff"]).fetchall()
    listed = [term for term, _, cutoff in forms if cutoff is not None]
    unlisted = [(term, documents) for term, documents, cutoff in forms if cutoff is None]
    if not forms:
        return _Phrase(0.0, 0.0, rows=[], scores=[])  # in no row
    if not listed:
        return None  # only rare forms, which FTS5 ranks quickly anyway
    if len(forms) == 1:
        return _word_phrase(conn, index_name, listed[0])
    if len(listed) > MAX_LISTED_FORMS or sum(documents for _, documents in unlisted) > MAX_UNLISTED_ROWS:
        return None  # a short prefix: the bound would fail, or the candidates be too many
    phrase = _Phrase(0.0, 0.0)
    for form in map(lambda term: _word_phrase(conn, index_name, term), listed):
        if form is None:  # never: a form with a cut-off has a list
            return None
        phrase.candidates.update(row for row, _ in form.best())
        phrase.cutoff += form.cutoff
        phrase.maximum += form.maximum
    if unlisted:
        any_form = " OR ".join(_quoted(term) for term, _ in unlisted)
        phrase.candidates.update(row for (row,) in conn.execute(
            f"SELECT rowid FROM {index_name} WHERE {index_name} MATCH ?", [any_form]))
        phrase.maximum += sum(_idf(documents, indexed_rows) * (BM25_K1 + 1) for _, documents in unlisted)
    # Nor more than bm25's ceiling, IDF * (k1 + 1), with the IDF of the prefix's most common form
    # (the prefix, in at least as many rows, has an IDF no higher).
    widest = max(documents for _, documents, _ in forms)
    phrase.maximum = min(phrase.maximum, _idf(widest, indexed_rows) * (BM25_K1 + 1))
    return phrase


def _idf(documents: int, indexed_rows: int) -> float:
    """FTS5's bm25 IDF of a phrase found in `documents` of `indexed_rows` rows (fts5_aux.c)."""
    idf = math.log((indexed_rows - documents + 0.5) / (documents + 0.5))
    return idf if idf > 0 else 1e-6


def _quoted(term: str) -> str:
    return '"' + term.replace('"', '""') + '"'


def _plain_query(query: str) -> list[tuple[str, bool]] | None:
    """The words and prefixes (text, is_prefix) of a query made of them and AND, OR and
    parentheses; None for any other query. (With NOT, a row in every list does not match, and
    the bound, which counts the excluded word's cut-off, rarely holds: FTS5 ranks those.)"""
    items = []
    for token in _QUERY_TOKEN.findall(query):
        if token in _OPERATORS:
            continue
        elif token.isalnum() and token not in ("NOT", "NEAR"):
            items.append((token, False))
        elif token.endswith("*") and token[:-1].isalnum():
            items.append((token[:-1], True))
        else:
            return None  # NOT, phrase, column filter, NEAR, initial-token ^: ranked by FTS5 itself
    return items or None


def _index_terms(conn, words: list[str]) -> list[str] | None:
    """The index term of each word, by the index's own tokenizer; None if a word is not one term."""
    opened = not conn.in_transaction
    conn.execute(f"CREATE VIRTUAL TABLE IF NOT EXISTS temp.newsarchive_query_words "
                 f"USING fts5(word, tokenize=\"{WORD_TOKENIZER}\")")
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
