"""Full-text search over the archive's FTS5 indexes, best matches first, with highlighted passages.

The query is FTS5 syntax: words (all must match), "a phrase", prefix*, AND / OR / NOT, NEAR(...),
column filters such as title:peshmerga. A malformed query raises SearchQueryError with a message
saying so, never a traceback.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass

from newsarchive.archive.queries import date_window

# Markers around matched words in passages; the CLI turns them into colour or brackets.
MATCH_START, MATCH_END = "\x02", "\x03"
# A hit in a title counts five times one in the body.
_ARTICLE_WEIGHTS = "5.0, 1.0"

HELP = 'use words, "a phrase", prefix*, AND / OR / NOT, or title:word (see docs/queries.md)'


class SearchQueryError(ValueError):
    pass


@dataclass
class SearchFilters:
    site: str | None = None
    since: str | None = None  # YYYY-MM-DD, on publication (articles) or posting (comments)
    until: str | None = None
    author: str | None = None  # an author of the article, or the commenter
    limit: int = 20


def search(db: sqlite3.Connection, query: str, target: str = "articles",
           filters: SearchFilters | None = None) -> list[dict]:
    """The best `filters.limit` hits, best first.

    Two steps, because FTS5's snippet() is costly and SQLite would compute it for every match
    before sorting: first the ranked ids (bm25 only), then passages and rows for those few.
    """
    filters = filters or SearchFilters()
    if not query.strip():
        raise SearchQueryError(f"an empty search query finds nothing: {HELP}")
    db.row_factory = sqlite3.Row
    try:
        return _hits(db, query, target, _ranked_ids(db, query, target, filters))
    except sqlite3.OperationalError as error:
        message = str(error)
        if "no such table" in message or "locked" in message:
            raise  # not about the query
        # Our SQL is fixed and tested: what fails here is the user's FTS5 query.
        raise SearchQueryError(f"not a valid search query: {query!r} ({message}); {HELP}") from None


def _ranked_ids(db, query: str, target: str, filters: SearchFilters) -> list[tuple[int, float]]:
    table = f"{target}_fts"  # FTS5 wants MATCH and bm25() on the table's own name, not an alias
    where, params = [f"{table} MATCH ?"], [query]
    if target == "articles":
        joins, weights = f"JOIN articles a ON a.id = {table}.rowid", f", {_ARTICLE_WEIGHTS}"
        _common_filters(where, params, filters, site="a.site", date="a.published_at")
        if filters.author:
            where.append("EXISTS (SELECT 1 FROM article_authors aa JOIN authors au ON au.id = aa.author_id "
                         "WHERE aa.article_id = a.id AND au.name = ?)")
            params.append(filters.author)
    else:
        joins, weights = f"JOIN comments c ON c.id = {table}.rowid JOIN articles a ON a.id = c.article_id", ""
        _common_filters(where, params, filters, site="a.site", date="c.posted_at")
        if filters.author:
            where.append("c.author_name = ?")
            params.append(filters.author)
    if len(where) == 1:
        joins = ""  # nothing to filter on: rank the index alone
    sql = (f"SELECT {table}.rowid, bm25({table}{weights}) AS score FROM {table} {joins} "
           f"WHERE {' AND '.join(where)} ORDER BY score LIMIT ?")
    return [(row[0], row[1]) for row in db.execute(sql, params + [filters.limit])]


def _hits(db, query: str, target: str, ranked: list[tuple[int, float]]) -> list[dict]:
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
    hits = []
    for rowid, score in ranked:
        hit = by_id[rowid]
        hit["passage"] = db.execute(
            f"SELECT snippet({target}_fts, {passage_column}, '{MATCH_START}', '{MATCH_END}', ' … ', 16) "
            f"FROM {target}_fts WHERE {target}_fts MATCH ? AND rowid = ?", [query, rowid]).fetchone()[0]
        hit["score"] = round(score, 3)
        hits.append(hit)
    return hits


def _common_filters(where: list, params: list, filters: SearchFilters, site: str, date: str) -> None:
    if filters.site:
        where.append(f"{site} = ?")
        params.append(filters.site)
    window, window_params = date_window(date, filters.since, filters.until)
    where += window
    params += window_params
