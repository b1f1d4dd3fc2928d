"""m014 gives the articles an archive already holds their day of publication, from what it kept:
the date as printed and the URL (newsarchive/parsers/dates.py, publication_day). Worked out by hand."""

import sqlite3

from newsarchive.archive import open_archive
from tests.conftest import archive_without_migration

T1 = "2026-01-01T10:00:00Z"
ARTICLES = [
    # url, published_at, published_at_raw, language, sources, the day m014 gives it
    ("https://n.example/2024/01/01/eve", "2023-12-31T23:30:00Z", "2023-12-31T23:30:00Z", "en",
     '{"published_at": "meta"}', "2024-01-01"),  # a UTC time, the URL's day one apart
    ("https://n.example/buenos-aires", "2022-05-04T01:30:00Z", "2022-05-03T22:30:00-03:00", "es",
     '{"published_at": "jsonld"}', "2022-05-03"),  # the day where it was printed
    ("https://n.example/berlin", "2024-03-05", "5. März 2024", "de", '{"published_at": "markup"}', "2024-03-05"),
    ("https://n.example/2017/7/12/old", "2017-07-12", "2019-06-17T18:28:00+0200", "de",
     '{"published_at": "url"}', "2017-07-12"),  # dated by its URL: the URL's day
    ("https://n.example/damaged", "2020-02-02T12:00:00Z", "2020-02-02T12:00:00Z", None, "not json", "2020-02-02"),
    ("https://n.example/undated", None, None, "en", "{}", None),
]


def archive_before_m014(path):
    db = archive_without_migration(path, "m014_published_day")
    for n, (url, published_at, raw, language, sources, _) in enumerate(ARTICLES, 1):
        db.execute("INSERT INTO articles (id, url, canonical_url, title, body_text, content_hash, language, "
                   "published_at, published_at_raw, sources) VALUES (?, ?, ?, 'T', 'B', 'h', ?, ?, ?, ?)",
                   [n, url, url, language, published_at, raw, sources])
    db.conn.commit()
    db.close()


def test_articles_stored_before_m014_get_their_day_of_publication(tmp_path):
    path = tmp_path / "old.db"
    archive_before_m014(path)
    open_archive(path).close()  # migrates
    with sqlite3.connect(path) as db:
        assert db.execute("SELECT url, published_day FROM articles ORDER BY id").fetchall() == [
            (url, day) for url, _, _, _, _, day in ARTICLES]
