"""Every research query of docs/queries.md runs against a crawled, re-crawled demo archive."""

from __future__ import annotations

import sqlite3

import pytest

from newsarchive.archive.folding import register as register_fold
from newsarchive.research.queries import load_queries

QUERIES = load_queries()
# The demo site is one site and republishes nothing, its stories hold no links and no Chinese,
# Japanese or Korean: these find no row in its archive, and their rows are checked on hand-made
# archives (tests/test_duplicates.py, tests/test_queries_exact.py, tests/test_search_unspaced.py).
NOTHING_IN_THE_DEMO = {"stories_republished_across_sites", "articles_linking_to_url", "search_articles_cjk"}


def test_the_document_has_at_least_ten_queries_with_unique_names():
    names = [query.name for query in QUERIES]
    assert len(names) >= 10 and len(set(names)) == len(names)
    assert all(query.title and query.description for query in QUERIES)


@pytest.mark.parametrize("query", QUERIES, ids=lambda query: query.name)
def test_query_runs_and_finds_rows(query, research_archive):
    db = sqlite3.connect(research_archive.db_path)
    register_fold(db)
    db.row_factory = sqlite3.Row
    assert set(query.parameters) == set(query.example), "every parameter needs an example value"
    rows = db.execute(query.sql, query.example).fetchall()
    if query.name in NOTHING_IN_THE_DEMO:
        assert rows == []
        return
    assert rows, f"{query.name} found nothing in the demo archive"
    assert all(name for name in rows[0].keys())


def test_changed_and_removed_show_up_in_their_queries(research_archive):
    db = sqlite3.connect(research_archive.db_path)
    register_fold(db)
    by_name = {query.name: query for query in QUERIES}
    changed = {row[0] for row in db.execute(by_name["articles_changed_after_publication"].sql)}
    assert len(changed) == len(research_archive.after["changes"]["edited"])
    removed = db.execute(by_name["removed_comments"].sql).fetchall()
    assert len(removed) == sum(len(ids) for ids in research_archive.after["changes"]["comments_removed"].values())
