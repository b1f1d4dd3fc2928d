"""Search filters the mutation run found untested (newsarchive/research/search.py): --author in any
case in every script (casefold, not SQLite's ASCII-only NOCASE or lower()), on a connection the
archive did not open (search and count_matches each register casefold), and --since/--until by
the day the site published on (published_day), not the UTC day of published_at."""

from __future__ import annotations

import sqlite3

import pytest

from newsarchive.archive import open_archive
from newsarchive.archive.store import start_crawl, store_article
from newsarchive.items import Article, Byline, Comment
from newsarchive.research.search import SearchFilters, count_matches, search

# (published_at in UTC, published_day as the site counts days, author, commenter)
ARTICLES = [
    ("2026-01-10T04:30:00Z", "2026-01-09", "Иван Петров", "Ольга"),  # 22:30 on the 9th in Chicago
    ("2026-01-10T12:00:00Z", "2026-01-10", "Ana Ruiz", "Omar"),
]


@pytest.fixture
def archive_path(tmp_path):
    path = tmp_path / "archive.db"
    archive = open_archive(path)
    with archive.write() as write:
        crawl_id = start_crawl(write, None, "generic", {}, "2026-03-01T00:00:00Z")
        for number, (utc, day, author, commenter) in enumerate(ARTICLES, start=1):
            store_article(write, Article(
                url=f"https://alpha.example/{number}", site="alpha", language="en", published_at=utc,
                published_day=day, title=f"Bridge story {number}", body_text="The bridge reopened.",
                authors=[Byline(author, author, 0)],
                comments=[Comment(body_text="Bridge news", position=0, author_name=commenter,
                                  posted_at=utc, site_comment_id="1")],
                comments_complete=True), crawl_id, "2026-03-01T00:00:00Z")
    archive.close()
    return path


def ids(path, target: str = "articles", **filters) -> set[int]:
    # A fresh connection for each call, as another program's: no SQL function registered on it.
    with sqlite3.connect(path) as db:
        found = {hit["id"] for hit in search(db, "bridge", target, SearchFilters(limit=100, **filters))}
    with sqlite3.connect(path) as db:
        assert count_matches(db, "bridge", target, SearchFilters(**filters)) == len(found)
    return found


@pytest.mark.parametrize("author", ["иван петров", "ИВАН ПЕТРОВ", "Иван Петров"])
def test_an_author_in_another_script_is_found_in_any_case(archive_path, author):
    assert ids(archive_path, author=author) == {1}


@pytest.mark.parametrize("commenter", ["ольга", "ОЛЬГА"])
def test_a_commenter_in_another_script_is_found_in_any_case(archive_path, commenter):
    assert ids(archive_path, "comments", author=commenter) == {1}


def test_search_and_count_each_work_on_a_connection_of_their_own(archive_path):
    with sqlite3.connect(archive_path) as db:
        assert [hit["id"] for hit in search(db, "bridge", filters=SearchFilters(author="ANA RUIZ"))] == [2]
    with sqlite3.connect(archive_path) as db:
        assert count_matches(db, "bridge", "articles", SearchFilters(author="ANA RUIZ")) == 1


@pytest.mark.parametrize(("filters", "expected"), [
    ({"since": "2026-01-10"}, {2}),  # story 1 was published on the 9th where it was published
    ({"until": "2026-01-09"}, {1}),
    ({"since": "2026-01-09", "until": "2026-01-09"}, {1}),
])
def test_since_and_until_go_by_the_day_the_site_published_on(archive_path, filters, expected):
    assert ids(archive_path, **filters) == expected
