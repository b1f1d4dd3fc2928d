"""Search lists (newsarchive/archive/search_lists.py): the precomputed best rows of frequent terms
must give exactly the hits that ranking every match gives, or step aside.

The archive is generated straight into a real SQLite file (through the archive's own schema and
triggers) with a small Zipf vocabulary, so that many words are frequent; the lists are built
short (25 rows) so that their cut-offs and bounds are exercised. Every answer is compared with
FTS5's own ranking of every match, computed here by plain SQL.
"""

from __future__ import annotations

import random
import sqlite3

import pytest

from newsarchive.archive import open_archive
from newsarchive.archive.search_lists import (
    begin_build,
    best_rows,
    compute_lists,
    rebuild_all,
    store_build,
)
from newsarchive.research.search import SearchFilters, SearchQueryError, search
from tests.conftest import run_cli

WORDS = ("security forces border militants council water electricity reconstruction police army market "
         "school hospital road bridge village minister election court trade oil farmers drought flood "
         "protest talks ceasefire aid refugees camp clinic power grid fuel wheat price tax bank loan "
         "port airport railway museum festival league match team coach player goal").split()
# Rarer forms sharing a prefix with frequent words: a prefix* expands to listed and unlisted forms.
RARE_FORMS = ("securities", "secured", "reconstruct", "reconstructed", "borderline", "policeman")
SITES = ("alpha", "beta", "gamma")
AUTHORS = ("Sara Ali", "Omar Haddad", "Lena Park")
MIN_DOCUMENTS, LIST_LENGTH = 40, 25


def zipf_words(rng: random.Random, count: int) -> str:
    weights = [1 / (rank + 1) for rank in range(len(WORDS))]
    return " ".join(rng.choices(WORDS, weights, k=count))


def body_text(rng: random.Random) -> str:
    body = zipf_words(rng, rng.randint(10, 120))
    return body + " " + rng.choice(RARE_FORMS) if rng.random() < 0.08 else body


def add_article(archive, rng: random.Random, number: int, title: str | None = None, body: str | None = None) -> int:
    with archive.write() as db:
        cursor = db.execute(
            "INSERT INTO articles (url, canonical_url, site, title, body_text, content_hash, published_at) "
            "VALUES (?, ?, ?, ?, ?, ?, ?)",
            [f"https://example.org/{number}", f"https://example.org/{number}", rng.choice(SITES),
             title or zipf_words(rng, rng.randint(3, 7)), body or body_text(rng),
             f"hash-{number}", f"2024-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}T10:00:00Z"])
        article_id = cursor.lastrowid
        author = rng.choice(AUTHORS)
        db.execute("INSERT OR IGNORE INTO authors (name) VALUES (?)", [author])
        author_id = db.execute("SELECT id FROM authors WHERE name = ?", [author]).fetchone()[0]
        db.execute("INSERT INTO article_authors (article_id, author_id, position) VALUES (?, ?, 1)",
                   [article_id, author_id])
        for position in range(rng.randint(0, 3)):
            db.execute("INSERT INTO comments (article_id, comment_key, author_name, posted_at, body_text, position) "
                       "VALUES (?, ?, ?, ?, ?, ?)",
                       [article_id, f"c{position}", rng.choice(AUTHORS), "2024-06-01T00:00:00Z",
                        zipf_words(rng, rng.randint(4, 30)), position])
    return article_id


@pytest.fixture(scope="module")
def listed_archive(tmp_path_factory):
    path = tmp_path_factory.mktemp("lists") / "archive.db"
    archive = open_archive(path)
    rng = random.Random(11)
    for number in range(600):
        add_article(archive, rng, number)
    summaries = rebuild_all(archive, MIN_DOCUMENTS, LIST_LENGTH)
    archive.close()
    assert all(summary.stored for summary in summaries)
    assert summaries[0].terms > 20 and summaries[1].terms > 10
    return path


def full_ranking(db, target: str, query: str, limit: int, site: str | None = None, since: str | None = None,
                 author: str | None = None) -> list[tuple[int, float]]:
    """FTS5 ranking every match, with the filters as plain SQL: what the lists must reproduce."""
    index = f"{target}_fts"
    row = "a.id" if target == "articles" else "c.id"
    source = "articles a" if target == "articles" else "comments c JOIN articles a ON a.id = c.article_id"
    where, params = [f"{index} MATCH ?"], [query]
    if site:
        where.append("a.site = ?")
        params.append(site)
    if since:
        # An article's day as its site counts days (published_day), a comment's time in UTC.
        where.append("coalesce(a.published_day, substr(a.published_at, 1, 10)) >= ?" if target == "articles"
                     else "c.posted_at >= ?")
        params.append(since)
    if author:
        where.append("EXISTS (SELECT 1 FROM article_authors aa JOIN authors au ON au.id = aa.author_id "
                     "WHERE aa.article_id = a.id AND au.name = ?)")
        params.append(author)
    sql = (f"SELECT {index}.rowid, {REFERENCE_RANK[index]} AS score FROM {index}, {source} "
           f"WHERE {row} = {index}.rowid AND {' AND '.join(where)} ORDER BY score LIMIT ?")
    return db.execute(sql, [*params, limit]).fetchall()


# The ranking the docs promise, written here rather than taken from search_lists.py: a title word
# counts five times a body word; comments have one column.
REFERENCE_RANK = {"articles_fts": "bm25(articles_fts, 5.0, 1.0)", "comments_fts": "bm25(comments_fts)"}


def assert_same_ranking(got: list[tuple[int, float]], expected: list[tuple[int, float]]) -> None:
    assert [round(score, 9) for _, score in got] == [round(score, 9) for _, score in expected]
    # Rows of equal score may come in any order; rows of distinct scores must be the same rows.
    got_by_score, expected_by_score = {}, {}
    for rows, by_score in ((got, got_by_score), (expected, expected_by_score)):
        for row, score in rows:
            by_score.setdefault(round(score, 9), set()).add(row)
    last = round(expected[-1][1], 9) if expected else None
    for score, rows in expected_by_score.items():
        if score != last:  # the last score's ties may be cut anywhere by the limit
            assert got_by_score[score] == rows


def plain_queries(rng: random.Random, count: int) -> list[str]:
    frequent = WORDS[:25]
    shapes = ("{a}", "{a} {b}", "{a} AND {b}", "{a} OR {b}", "{a} NOT {b}", "({a} OR {b}) AND {c}",
              "{a} {b} {c}", "{A}", "{p}*", "{p}* {b}", "{p}* OR {b}")
    queries = []
    for _ in range(count):
        a, b, c = rng.sample(frequent, 3)
        prefix = a[:rng.randint(2, len(a))]
        queries.append(rng.choice(shapes).format(a=a, b=b, c=c, A=a.upper(), p=prefix))
    return queries


def test_lists_give_exactly_the_ranking_of_every_match(listed_archive):
    db = sqlite3.connect(f"file:{listed_archive}?mode=ro", uri=True)
    rng = random.Random(5)
    answered = 0
    queries = plain_queries(rng, 300)
    for query in queries:
        target = rng.choice(("articles", "comments"))
        limit = rng.choice((1, 5, 10, 20))
        got = best_rows(db, f"{target}_fts", query, limit)
        if got is not None:
            answered += 1
            assert_same_ranking(got, full_ranking(db, target, query, limit))
    # Single words always are (next test); with lists this short (25 rows of 600) about half of the
    # queries of several words are too, the rest fall back to ranking every match.
    assert answered > len(queries) * 0.4, answered


def test_every_single_frequent_word_is_answered_from_its_list(listed_archive):
    db = sqlite3.connect(f"file:{listed_archive}?mode=ro", uri=True)
    listed = [term for (term,) in db.execute(
        "SELECT term FROM search_terms WHERE index_name = 'articles_fts' AND cutoff IS NOT NULL ORDER BY term")]
    assert listed
    for term in listed:
        got = best_rows(db, "articles_fts", term, 20)
        assert got is not None, term
        assert_same_ranking(got, full_ranking(db, "articles", term, 20))


def test_lists_with_filters_give_the_filtered_ranking(listed_archive):
    db = sqlite3.connect(f"file:{listed_archive}?mode=ro", uri=True)
    rng = random.Random(8)
    answered = 0
    for query in plain_queries(rng, 120):
        filters = rng.choice(({"site": "beta"}, {"since": "2024-07-01"}, {"author": "Lena Park"},
                              {"site": "alpha", "since": "2024-03-01"}))
        limit = rng.choice((3, 10))
        expected = full_ranking(db, "articles", query, limit, **filters)
        # The lists, asking the filters about their rows ...
        got = lists_with_filters(db, query, limit, SearchFilters(limit=limit, **filters))
        if got is not None:
            answered += 1
            assert_same_ranking(got, expected)
        # ... and search, which applies a filter keeping few rows first (all of them, here).
        hits = search(db, query, "articles", SearchFilters(limit=limit, **filters))
        db.row_factory = None
        assert_same_ranking([(hit["id"], hit["score"]) for hit in hits],
                            [(row, round(score, 3)) for row, score in expected])
    assert answered > 20, answered


def lists_with_filters(db, query: str, limit: int, filters: SearchFilters):
    from newsarchive.archive.folding import register
    from newsarchive.research.search import _filter_clauses, _kept_among, _kept_sql

    register(db)  # the SQL functions of the archive's connections (casefold for --author)
    source, row_id, where, params = _filter_clauses("articles", filters)
    kept = _kept_sql(source, row_id, where)
    passing = lambda rows: _kept_among(db, kept, row_id, params, rows)  # noqa: E731
    return best_rows(db, "articles_fts", query, limit, passing)


def test_prefixes_are_answered_from_the_lists_of_their_forms(listed_archive):
    db = sqlite3.connect(f"file:{listed_archive}?mode=ro", uri=True)
    forms = dict(db.execute("SELECT term, cutoff IS NOT NULL FROM search_terms WHERE index_name = 'articles_fts' "
                            "AND term IN ('securities', 'secured', 'security', 'forces')"))
    assert forms == {"securities": 0, "secured": 0, "security": 1, "forces": 1}  # listed and unlisted forms
    for query in ("forc*", "Forc*", "secur*", "securit*", "reconstr*", "polic*", "zzz*"):
        got = best_rows(db, "articles_fts", query, 10)
        expected = full_ranking(db, "articles", query, 10)
        if got is not None:
            assert_same_ranking(got, expected)
        assert got is not None or query == "zzz*", query  # zzz* matches nothing: too few hits to prove
    hits = search(db, "secur*", "articles", SearchFilters(limit=5))
    assert all("\x02secur" in hit["passage"].lower() for hit in hits)


def test_queries_the_lists_cannot_answer_fall_back_with_the_same_hits(listed_archive):
    db = sqlite3.connect(f"file:{listed_archive}?mode=ro", uri=True)
    for query in ('"security forces"', "s*", "title:security", "NEAR(security border)", "security_forces",
                  "security secured"):
        assert best_rows(db, "articles_fts", query, 10) is None, query
        hits = search(db, query, "articles", SearchFilters(limit=10))
        db.row_factory = None
        expected = full_ranking(db, "articles", query, 10)
        assert [hit["score"] for hit in hits] == [round(score, 3) for _, score in expected]


def test_a_malformed_query_of_listed_words_is_still_refused(listed_archive):
    db = sqlite3.connect(f"file:{listed_archive}?mode=ro", uri=True)
    for query in ("security AND", "(security border", "OR security", "NOT security", "(security", "security)"):
        with pytest.raises(SearchQueryError, match="not a valid search query"):
            search(db, query, "articles")


def test_a_write_makes_the_lists_stale_and_search_still_finds_the_new_article(tmp_path, listed_archive):
    path = tmp_path / "copy.db"
    with sqlite3.connect(listed_archive) as source, sqlite3.connect(path) as copy:
        source.backup(copy)
    archive = open_archive(path)
    db = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    assert best_rows(db, "articles_fts", "security", 5) is not None
    new_id = add_article(archive, random.Random(1), 10_000, title="security security security",
                         body="security " * 3)
    assert db.execute("SELECT count(*) FROM search_lists WHERE index_name = 'articles_fts'").fetchone()[0] == 0
    assert best_rows(db, "articles_fts", "security", 5) is None  # stale: not used
    assert search(db, "security", "articles", SearchFilters(limit=5))[0]["id"] == new_id
    # A comment's text change makes the comment lists stale; an article's last_seen_at does not.
    rebuild_all(archive, MIN_DOCUMENTS, LIST_LENGTH)
    with archive.write() as write:
        write.execute("UPDATE articles SET last_seen_at = '2025-01-01T00:00:00Z'")
    assert db.execute("SELECT count(*) FROM search_lists WHERE status = 'ready'").fetchone()[0] == 2
    with archive.write() as write:
        write.execute("UPDATE comments SET body_text = 'security' WHERE id = 1")
    assert [row[0] for row in db.execute("SELECT index_name FROM search_lists")] == ["articles_fts"]
    archive.close()


def test_lists_built_while_the_archive_changed_are_not_kept(tmp_path):
    archive = open_archive(tmp_path / "archive.db")
    rng = random.Random(3)
    for number in range(120):
        add_article(archive, rng, number)
    token = begin_build(archive, "articles_fts")
    lists = compute_lists(archive.conn, "articles_fts", 10, 5)
    assert lists
    add_article(archive, rng, 999)  # a crawl writes while the lists are being computed
    assert store_build(archive, "articles_fts", token, lists, 10, 5, 0.0) is False
    assert archive.conn.execute("SELECT count(*) FROM search_lists").fetchone()[0] == 0
    token = begin_build(archive, "articles_fts")
    lists = compute_lists(archive.conn, "articles_fts", 10, 5)
    assert store_build(archive, "articles_fts", token, lists, 10, 5, 0.0) is True
    assert archive.conn.execute("SELECT status FROM search_lists").fetchone()[0] == "ready"
    archive.close()


def test_an_archive_without_lists_is_searched_read_only(tmp_path, listed_archive):
    path = tmp_path / "old.db"
    with sqlite3.connect(listed_archive) as source, sqlite3.connect(path) as copy:
        source.backup(copy)
        for (trigger,) in copy.execute("SELECT name FROM sqlite_master WHERE type = 'trigger' "
                                       "AND name LIKE '%search_lists%'").fetchall():
            copy.execute(f"DROP TRIGGER {trigger}")
        for table in ("search_lists", "search_terms"):
            copy.execute(f"DROP TABLE {table}")
    db = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    hits = search(db, "security", "articles", SearchFilters(limit=5))
    db.row_factory = None
    assert [hit["score"] for hit in hits] == [round(s, 3) for _, s in full_ranking(db, "articles", "security", 5)]


def test_the_index_command_builds_the_lists_and_search_gives_the_same_hits(tmp_path):
    archive = open_archive(tmp_path / "archive.db")
    rng = random.Random(4)
    for number in range(2300):  # enough for words in the command's default 2,000 rows
        add_article(archive, rng, number, body=zipf_words(rng, 12))
    archive.close()
    db_path = str(tmp_path / "archive.db")
    before = run_cli("search", "security", "--db", db_path, "--json", "--limit", "5")
    built = run_cli("index", "--db", db_path)
    assert built.returncode == 0, built.stderr
    assert "search lists of articles_fts:" in built.stderr and "frequent terms" in built.stderr
    db = sqlite3.connect(db_path)
    assert db.execute("SELECT status, terms FROM search_lists WHERE index_name = 'articles_fts'").fetchone()[1] > 0
    # Found in fewer rows than a list holds (10,000): the list is complete, its cut-off 0.
    listed, documents, cutoff = db.execute("SELECT length(best_rows) / 8, documents, cutoff FROM search_terms "
                                           "WHERE index_name = 'articles_fts' AND term = 'security'").fetchone()
    assert listed == documents > 2000 and cutoff == 0
    after = run_cli("search", "security", "--db", db_path, "--json", "--limit", "5")
    assert after.returncode == 0 and after.stdout == before.stdout
    again = run_cli("index", "--db", db_path)  # nothing written since: the lists stand
    assert again.returncode == 0 and again.stderr.count(", unchanged (") == 2, again.stderr
    # A filter keeping more rows than are filtered first (2,000), on a query the lists cannot answer
    # (a phrase), and on one they can: the same hits as ranking every match.
    db = sqlite3.connect(f"file:{db_path}?mode=ro", uri=True)
    for query in ('"security forces"', "security"):
        hits = search(db, query, "articles", SearchFilters(since="2024-01-01", limit=10))
        db.row_factory = None
        expected = full_ranking(db, "articles", query, 10, since="2024-01-01")
        assert [hit["score"] for hit in hits] == [round(score, 3) for _, score in expected]
