"""Full-text search over the archive's FTS5 indexes, best matches first, with highlighted passages.

The query is FTS5 syntax: words (all must match), "a phrase", prefix*, AND / OR / NOT, NEAR(...),
column filters such as title:peshmerga. A malformed query raises SearchQueryError with a message
saying so, never a traceback.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass

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
    filters = filters or SearchFilters()
    if not query.strip():
        raise SearchQueryError(f"an empty search query finds nothing: {HELP}")
    sql, params = (_article_sql if target == "articles" else _comment_sql)(query, filters)
    db.row_factory = sqlite3.Row
    try:
        return [dict(row) for row in db.execute(sql, params)]
    except sqlite3.OperationalError as error:
        message = str(error)
        if "no such table" in message or "locked" in message:
            raise  # not about the query
        # Our SQL is fixed and tested: what fails here is the user's FTS5 query.
        raise SearchQueryError(f"not a valid search query: {query!r} ({message}); {HELP}") from None


def _article_sql(query: str, filters: SearchFilters) -> tuple[str, list]:
    where, params = ["articles_fts MATCH ?"], [query]
    _common_filters(where, params, filters, site="a.site", date="a.published_at")
    if filters.author:
        where.append("EXISTS (SELECT 1 FROM article_authors aa JOIN authors au ON au.id = aa.author_id "
                     "WHERE aa.article_id = a.id AND au.name = ?)")
        params.append(filters.author)
    sql = (
        "SELECT a.id, a.site, a.published_at, a.title, a.canonical_url AS url, "
        f"snippet(articles_fts, 1, '{MATCH_START}', '{MATCH_END}', ' … ', 16) AS passage, "
        f"round(bm25(articles_fts, {_ARTICLE_WEIGHTS}), 3) AS score "
        "FROM articles_fts JOIN articles a ON a.id = articles_fts.rowid "
        f"WHERE {' AND '.join(where)} ORDER BY bm25(articles_fts, {_ARTICLE_WEIGHTS}) LIMIT ?"
    )
    return sql, params + [filters.limit]


def _comment_sql(query: str, filters: SearchFilters) -> tuple[str, list]:
    where, params = ["comments_fts MATCH ?"], [query]
    _common_filters(where, params, filters, site="a.site", date="c.posted_at")
    if filters.author:
        where.append("c.author_name = ?")
        params.append(filters.author)
    sql = (
        "SELECT c.id, a.site, c.posted_at AS published_at, c.author_name, a.title, a.canonical_url AS url, "
        f"c.removed_at, snippet(comments_fts, 0, '{MATCH_START}', '{MATCH_END}', ' … ', 16) AS passage, "
        "round(bm25(comments_fts), 3) AS score "
        "FROM comments_fts JOIN comments c ON c.id = comments_fts.rowid JOIN articles a ON a.id = c.article_id "
        f"WHERE {' AND '.join(where)} ORDER BY bm25(comments_fts) LIMIT ?"
    )
    return sql, params + [filters.limit]


def _common_filters(where: list, params: list, filters: SearchFilters, site: str, date: str) -> None:
    if filters.site:
        where.append(f"{site} = ?")
        params.append(filters.site)
    if filters.since:
        where.append(f"{date} >= ?")
        params.append(filters.since)
    if filters.until:
        where.append(f"substr({date}, 1, 10) <= ?")
        params.append(filters.until)
