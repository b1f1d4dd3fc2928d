"""A Datasette plugin (loaded by `newsarchive browse` with --plugins-dir): the archive's fold()
and cjk_query() SQL functions, so canned queries can search the indexes as `newsarchive search` does; and
the tables' search boxes (`?_search=`) fold what they are given before Datasette escapes it, as
the indexes hold folded text ("الأمن" finds what is indexed as "امن", "мёд" what is "мед").
`?_searchmode=raw` hands the query to FTS5 as typed: fold it yourself there (`fold()` in SQL)."""

from datasette import hookimpl
from datasette.utils import escape_fts

from newsarchive.archive.folding import fold, register


def escape_folded(query: str) -> str:
    return escape_fts(fold(query) or "")


# Last, after Datasette's own plugin has made escape_fts (the function its search boxes call): this
# one replaces it.
@hookimpl(trylast=True)
def prepare_connection(conn):
    register(conn)  # fold(), and cjk_query() for the paired indexes
    conn.create_function("escape_fts", 1, escape_folded, deterministic=True)
