"""Full-text search's rules (newsarchive/research/search.py) in the test's process, on a hand-made
archive written through the archive's own store: each filter (site, dates, author, language) and
their combinations keep exactly the rows they name, on articles and on comments, whichever way
the hits are ranked; the count agrees with the hits; bad queries and options are one clear line."""

from __future__ import annotations

import sqlite3

import pytest

from newsarchive.archive import open_archive
from newsarchive.archive.search_lists import best_rows, rebuild_file
from newsarchive.archive.store import start_crawl, store_article
from newsarchive.items import Article, Byline, Comment
from newsarchive.options import OptionError
from newsarchive.research.search import (
    MATCH_END,
    MATCH_START,
    SearchFilters,
    SearchQueryError,
    count_matches,
    language_code,
    search,
)

# (site, language, published, authors, title, body, comments as (author, posted, text))
ARTICLES = [
    ("alpha", "en", "2026-01-05T10:00:00Z", ["Ana Ruiz"], "Bridge reopens in Mosul",
     "Engineers reopened the bridge. The bridge carries traffic again.", [("Omar", "2026-01-05T12:00:00Z",
                                                                         "Good bridge news")]),
    ("alpha", "en", "2026-01-09T08:00:00Z", ["Li Wei"], "Markets calm",
     "Traders said the old bridge loan was repaid.", [("Sara", "2026-01-10T09:00:00Z", "Which bridge?")]),
    ("alpha", "ar", "2026-01-09T09:00:00Z", ["Ana Ruiz"], "جسر الموصل", "The bridge story in Arabic.", []),
    ("beta", "en", "2026-02-01T00:00:00Z", ["ana ruiz", "Li Wei"], "Roads and a bridge",
     "A new road and a bridge.", [("omar", "2026-02-02T00:00:00Z", "Bridge at last")]),
    ("beta", "en", None, [], "Weather", "Rain all week.", [("Omar", None, "Rain again")]),
]


def build_archive(path, with_lists: bool) -> sqlite3.Connection:
    """The archive as a crawl leaves it, or with the search lists `newsarchive index` builds (here
    for every word, not only frequent ones)."""
    archive = open_archive(path)
    with archive.write() as write:
        crawl_id = start_crawl(write, None, "generic", {}, "2026-03-01T00:00:00Z")
        for number, (site, language, published, authors, title, body, comments) in enumerate(ARTICLES, start=1):
            store_article(write, Article(
                url=f"https://{site}.example/{number}", site=site, language=language, published_at=published,
                title=title, body_text=body, authors=[Byline(name, name, position) for position, name in enumerate(authors)],
                comments=[Comment(body_text=text, position=position, author_name=author, posted_at=posted,
                                  site_comment_id=str(position)) for position, (author, posted, text) in enumerate(comments)],
                comments_complete=True), crawl_id, "2026-03-01T00:00:00Z")
    archive.close()
    if with_lists:
        summaries = rebuild_file(path, min_documents=1, list_length=100)
        assert sum(summary.terms for summary in summaries) > 0
    return sqlite3.connect(path)


@pytest.fixture(scope="module", params=["ranked by FTS5", "ranked from the search lists"])
def db(tmp_path_factory, request):
    """Every rule holds on both archives: the hits must be the same."""
    connection = build_archive(tmp_path_factory.mktemp("search") / "archive.db", "lists" in request.param)
    yield connection
    connection.close()


@pytest.fixture(scope="module")
def listed_db(tmp_path_factory):
    connection = build_archive(tmp_path_factory.mktemp("search") / "archive.db", with_lists=True)
    yield connection
    connection.close()


def ids(db, query: str, target: str = "articles", **filters) -> set[int]:
    """The ids of every hit, checked against the count the command prints beside them."""
    found = search(db, query, target, SearchFilters(limit=100, **filters))
    assert count_matches(db, query, target, SearchFilters(**filters)) == len(found)
    return {hit["id"] for hit in found}


@pytest.mark.parametrize(("filters", "expected"), [
    ({}, {1, 2, 3, 4}),
    ({"site": "alpha"}, {1, 2, 3}),
    ({"site": "gamma"}, set()),
    ({"since": "2026-01-09"}, {2, 3, 4}),
    ({"until": "2026-01-09"}, {1, 2, 3}),  # the whole of the last day
    ({"since": "2026-01-06", "until": "2026-01-31"}, {2, 3}),
    ({"author": "ANA RUIZ"}, {1, 3, 4}),  # any case
    ({"author": "Li Wei", "site": "beta"}, {4}),
    ({"language": "ar"}, {3}),
    ({"language": "en", "site": "alpha", "until": "2026-01-31"}, {1, 2}),
])
def test_each_filter_keeps_exactly_the_articles_it_names(db, filters, expected):
    assert ids(db, "bridge", **filters) == expected


@pytest.mark.parametrize(("filters", "expected"), [
    ({}, {1, 2, 3}),
    ({"author": "OMAR"}, {1, 3}),
    ({"site": "beta"}, {3}),
    ({"since": "2026-01-10"}, {2, 3}),  # on the comment's own posting date
    ({"until": "2026-01-05"}, {1}),
])
def test_each_filter_keeps_exactly_the_comments_it_names(db, filters, expected):
    assert ids(db, "bridge", "comments", **filters) == expected


def test_hits_come_best_first_with_their_matches_marked(db):
    found = search(db, "bridge", filters=SearchFilters(site="alpha", language="en", limit=2))
    assert [hit["id"] for hit in found] == [1, 2]  # in the title and twice in the body, against once
    assert [hit["id"] for hit in search(db, "bridge", filters=SearchFilters(limit=2))] == [
        hit["id"] for hit in search(db, "bridge", filters=SearchFilters(limit=4))][:2]
    assert found[0]["score"] <= found[1]["score"]  # bm25: lower is better
    assert f"{MATCH_START}bridge{MATCH_END}" in found[0]["passage"].lower()
    assert set(found[0]) >= {"id", "site", "published_at", "title", "url", "passage", "score"}
    assert found[0]["url"] == "https://alpha.example/1"


def test_a_query_of_fts5_syntax_is_read_as_such(db):
    assert ids(db, "title:bridge") == {1, 4}
    assert ids(db, "bridge NOT road") == {1, 2, 3}
    assert ids(db, '"old bridge"') == {2}
    assert ids(db, "brid*", site="beta") == {4}
    assert ids(db, "rain OR traffic") == {1, 5}
    # A column's phrase or group: title:"..." was split into the word "title:" and a phrase, and
    # found nothing.
    assert ids(db, 'title:"bridge reopens"') == {1}
    assert ids(db, "title:(bridge AND roads)") == {4}
    assert ids(db, "loan title:(markets OR weather)") == {2}
    assert ids(db, 'author_name:"omar"', "comments") == ids(db, "author_name:omar", "comments") != set()
    # What is no column of the index is a word before a group: no FTS5 error about a column.
    assert ids(db, "weather:(rain OR traffic)") == {5}


def test_arabic_words_are_found_with_or_without_the_article_prefixes_too(db):
    # The title "جسر الموصل" is indexed without al-: a prefix query that writes it, however short
    # the rest ("الموص*", "الج*"), found nothing.
    assert ids(db, "الموصل") == ids(db, "موصل") == ids(db, "الموص*") == ids(db, "الج*") == {3}


@pytest.mark.parametrize("query", ["", "   "])
def test_an_empty_query_is_refused(db, query):
    with pytest.raises(SearchQueryError, match="^an empty search query finds nothing: use words"):
        search(db, query)


def test_a_malformed_query_is_one_clear_line(db):
    with pytest.raises(SearchQueryError, match=r"^not a valid search query: .*; use words"):
        search(db, "NEAR(bridge")


@pytest.mark.parametrize(("value", "code"), [("Arabic", "ar"), (" farsi ", "fa"), ("RU", "ru"), ("en", "en")])
def test_a_language_is_a_code_or_its_name(value, code):
    assert language_code(value) == code


def test_a_language_that_is_neither_is_refused():
    with pytest.raises(OptionError, match=r"^--language: 'Arabik' is neither a two-letter code .*arabic"):
        language_code("Arabik")


@pytest.mark.parametrize("target", ["articles", "comments"])
@pytest.mark.parametrize("filters", [{}, {"author": "ana ruiz"}, {"author": "omar"}, {"site": "alpha"},
                                     {"since": "2026-01-09"}])
def test_a_short_page_of_hits_is_the_head_of_the_full_ranking(db, target, filters):
    # With the search lists, a page shorter than the matches is answered from the lists (and the
    # filters applied to their rows); the full ranking is FTS5's own. Both must agree, in order.
    everything = [hit["id"] for hit in search(db, "bridge", target, SearchFilters(limit=100, **filters))]
    for limit in range(1, len(everything) + 1):
        page = search(db, "bridge", target, SearchFilters(limit=limit, **filters))
        assert [hit["id"] for hit in page] == everything[:limit]


def test_the_search_lists_answer_a_short_page(listed_db):
    assert best_rows(listed_db, "articles_fts", "bridge", 2, None) is not None
    assert best_rows(listed_db, "articles_fts", "bridge", 100, None) is None  # more than the matches: FTS5 ranks


def test_a_query_of_more_than_a_hundred_words_is_refused(db):
    # FTS5's passages cost the square of the query's terms: 2,000 words held the command for minutes.
    assert search(db, " ".join(["bridge"] * 100)) == search(db, "bridge")
    with pytest.raises(SearchQueryError, match="^a search query of 101 words is too long \\(at most 100\\): use words"):
        search(db, " ".join(["bridge"] * 101))


def marks(passage: str) -> str:
    return passage.replace(MATCH_START, "[").replace(MATCH_END, "]")


TIGRIS = "… " + "filler " * 6 + "The [Tigris] rose at night; the Euphrates stayed low. filler …"


@pytest.mark.parametrize("query, passage", [
    ("tigris", TIGRIS),
    ("TIGRIS", TIGRIS),
    ("euph*", "… filler The Tigris rose at night; the [Euphrates] stayed low." + " filler" * 6 + " …"),
    ('"tigris" AND NOT flood', TIGRIS),
    ("title:tigris", TIGRIS),  # the column's name is no word of the query
    ("river", "filler " * 16 + "…"),  # as written nowhere (the index matched it otherwise): the opening
])
def test_a_long_texts_passage_is_found_around_its_first_match(query, passage):
    from newsarchive.research.search import passage_of_long_text

    text = "filler " * 30_000 + "The Tigris rose at night; the Euphrates stayed low. " + "filler " * 30_000
    assert marks(passage_of_long_text(text, query)) == passage


def test_a_search_in_a_long_text_is_answered_with_its_passage(tmp_path):
    # FTS5's snippet() weighed every match against every other: 13 s for 40,000, minutes for more.
    from newsarchive.research.search import LONG_TEXT

    archive = open_archive(tmp_path / "long.db")
    body = "zebraword filler " * 40_000
    assert len(body) > LONG_TEXT
    with archive.write() as write:
        crawl_id = start_crawl(write, None, "generic", {}, "2026-03-01T00:00:00Z")
        for number, text in enumerate([body, "A short zebraword story."], start=1):
            store_article(write, Article(url=f"https://a.example/{number}", site="a", title=f"Story {number}",
                                         body_text=text), crawl_id, "2026-03-01T00:00:00Z")
    archive.close()
    found = {hit["id"]: marks(hit["passage"]) for hit in search(sqlite3.connect(tmp_path / "long.db"), "zebraword")}
    assert found == {1: "[zebraword] filler " * 7 + "[zebraword] filler …",
                     2: "A short [zebraword] story."}
