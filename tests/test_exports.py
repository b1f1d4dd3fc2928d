"""JSONL, CSV and Parquet exports of a crawled, re-crawled demo archive."""

from __future__ import annotations

import csv
import json
import sqlite3

from exports.records import ExportFilters, connect, nested_articles
from tests.conftest import run_cli


def export(archive, kind, out, *options):
    result = run_cli("export", kind, "--db", str(archive.db_path), "--out", str(out), *options)
    assert result.returncode == 0, result.stderr[-3000:]
    return result


def db_of(archive):
    db = sqlite3.connect(archive.db_path)
    db.row_factory = sqlite3.Row
    return db


def test_jsonl_has_every_article_with_its_parts_nested(research_archive, tmp_path):
    out = tmp_path / "articles.jsonl"
    export(research_archive, "jsonl", out)
    raw = out.read_bytes()
    records = [json.loads(line) for line in raw.decode("utf-8").splitlines()]
    db = db_of(research_archive)
    assert len(records) == db.execute("SELECT count(*) FROM articles").fetchone()[0]
    for record in records:
        assert len(record["authors"]) == db.execute(
            "SELECT count(*) FROM article_authors WHERE article_id = ?", [record["id"]]).fetchone()[0]
        assert len(record["photos"]) == db.execute(
            "SELECT count(*) FROM photos WHERE article_id = ?", [record["id"]]).fetchone()[0]
        assert len(record["comments"]) == db.execute(
            "SELECT count(*) FROM comments WHERE article_id = ?", [record["id"]]).fetchone()[0]
        assert isinstance(record["section_path"], list) and isinstance(record["sources"], dict)
    arabic = next(r for r in records if r["language"] == "ar")
    assert arabic["title"].encode("utf-8") in raw  # written as UTF-8, not \\u escapes
    removed = [c for r in records for c in r["comments"] if c["removed_at"]]
    assert len(removed) == 3
    replies = [c for r in records for c in r["comments"] if c["parent_id"]]
    assert replies and all(c["parent_site_comment_id"] for c in replies)


def test_chunked_reading_gives_the_same_records_at_any_chunk_size(research_archive):
    db = connect(research_archive.db_path)
    small = list(nested_articles(db, ExportFilters(), chunk_size=7))
    large = list(nested_articles(db, ExportFilters(), chunk_size=1000))
    assert small == large and len({r["id"] for r in small}) == len(small)


def test_csv_articles_and_comments_are_flat_utf8_tables(research_archive, tmp_path):
    export(research_archive, "csv", tmp_path / "articles.csv")
    export(research_archive, "csv", tmp_path / "comments.csv", "--table", "comments")
    with open(tmp_path / "articles.csv", encoding="utf-8", newline="") as file:
        articles = list(csv.DictReader(file))
    with open(tmp_path / "comments.csv", encoding="utf-8", newline="") as file:
        comments = list(csv.DictReader(file))
    db = db_of(research_archive)
    assert len(articles) == db.execute("SELECT count(*) FROM articles").fetchone()[0]
    assert len(comments) == db.execute("SELECT count(*) FROM comments").fetchone()[0]
    by_id = {int(row["id"]): row for row in articles}
    for row in db.execute("SELECT id, title, body_text FROM articles"):
        assert by_id[row["id"]]["title"] == row["title"] and by_id[row["id"]]["body_text"] == row["body_text"]
    one = db.execute("SELECT aa.article_id, group_concat(au.name, '; ') FROM article_authors aa "
                     "JOIN authors au ON au.id = aa.author_id GROUP BY aa.article_id HAVING count(*) = 1").fetchone()
    assert by_id[one[0]]["authors"] == one[1]
    assert any("ا" in row["body_text"] for row in comments)


def test_filters_select_what_is_exported(research_archive, tmp_path):
    out = tmp_path / "arabic.jsonl"
    export(research_archive, "jsonl", out, "--language", "ar", "--since", "2019-01-15", "--until", "2019-02-15")
    records = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    expected = db_of(research_archive).execute(
        "SELECT count(*) FROM articles WHERE language = 'ar' AND published_day BETWEEN '2019-01-15' AND '2019-02-15'"
    ).fetchone()[0]
    assert len(records) == expected > 0
    assert all(r["language"] == "ar" and "2019-01-15" <= r["published_day"] <= "2019-02-15" for r in records)
    export(research_archive, "csv", tmp_path / "none.csv", "--site", "nosuchsite")
    assert (tmp_path / "none.csv").read_text(encoding="utf-8").startswith("id,url,canonical_url,")
    # The language as `search --language` reads it: its English name, or its code in capitals.
    for spelled in ("Arabic", "AR"):
        export(research_archive, "jsonl", tmp_path / "named.jsonl", "--language", spelled, "--since", "2019-01-15",
               "--until", "2019-02-15")
        assert (tmp_path / "named.jsonl").read_text(encoding="utf-8") == out.read_text(encoding="utf-8")
    unknown = run_cli("export", "jsonl", "--db", str(research_archive.db_path), "--out", str(tmp_path / "x.jsonl"),
                      "--language", "Klingonese")
    assert unknown.returncode == 2 and "--language: 'Klingonese' is neither a two-letter code" in unknown.stderr


def test_parquet_keeps_the_nested_parts(research_archive, tmp_path):
    import pyarrow.parquet as pq

    out = tmp_path / "articles.parquet"
    export(research_archive, "parquet", out)
    table = pq.read_table(out)
    db = db_of(research_archive)
    assert table.num_rows == db.execute("SELECT count(*) FROM articles").fetchone()[0]
    rows = table.to_pylist()
    comments = sum(len(row["comments"]) for row in rows)
    assert comments == db.execute("SELECT count(*) FROM comments").fetchone()[0]
    arabic = next(row for row in rows if row["language"] == "ar")
    assert arabic["section_path"] and arabic["title"] == db.execute(
        "SELECT title FROM articles WHERE id = ?", [arabic["id"]]).fetchone()[0]


def test_since_and_until_go_by_the_day_the_site_published_on(tmp_path):
    # A story out at 23:30 in Chicago is of 10 March though its UTC time is on the 11th; one out at
    # 00:30 in Tokyo is of the 11th though its UTC time is on the 10th. Exports and search went by
    # the UTC day, while report counts by the site's day and the README says to ask by it.
    from newsarchive.archive import open_archive
    from newsarchive.archive.store import start_crawl, store_article
    from newsarchive.items import Article
    from newsarchive.research.search import SearchFilters, search

    path = tmp_path / "archive.db"
    archive = open_archive(path)
    with archive.write() as db:
        crawl_id = start_crawl(db, None, "generic", {}, "2024-03-12T00:00:00Z")
        for name, utc, day in (("Chicago", "2024-03-11T04:30:00Z", "2024-03-10"), ("Tokyo", "2024-03-10T15:30:00Z", "2024-03-11")):
            url = f"https://news.example/{name.lower()}"
            store_article(db, Article(url=url, canonical_url=url, title=f"Late story in {name}", body_text="Rain fell.",
                                      published_at=utc, published_day=day), crawl_id, "2024-03-12T00:00:00Z")
    out = tmp_path / "day.jsonl"
    run_cli("export", "jsonl", "--db", str(path), "--out", str(out), "--since", "2024-03-11", "--until", "2024-03-11")
    assert [json.loads(line)["title"] for line in out.read_text(encoding="utf-8").splitlines()] == ["Late story in Tokyo"]
    hits = search(archive.conn, "rain", filters=SearchFilters(since="2024-03-10", until="2024-03-10"))
    assert [hit["title"] for hit in hits] == ["Late story in Chicago"]
    archive.close()
