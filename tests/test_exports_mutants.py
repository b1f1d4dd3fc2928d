"""The exporters (exports/) called in the test's own process on a small archive built by hand,
so that mutation testing (docs/testing.md) sees them: every row, column, CSV line, Parquet value
and WARC record header is worked out from what was stored, not recorded from a run."""

from __future__ import annotations

import csv
import errno
import hashlib
import io
import json
import locale
import os
import random
import sqlite3
import subprocess
import sys
import time
import zipfile
from datetime import datetime, timezone
from importlib.metadata import version

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from warcio.archiveiterator import ArchiveIterator

from exports import ExportError, is_stdout, output_file, output_stream, refuse_overwriting_archive
from exports.records import (
    ExportFilters,
    article_chunks,
    connect,
    count_articles,
    crawl_exists,
    crawl_ids,
    decode_json_fields,
    nested_articles,
    settled_crawl_id,
)
from exports.sqlite_copy import SqliteCopy, export_sqlite
from exports.tabular import (
    FLAT_ARTICLE_FIELDS,
    export_csv,
    export_format,
    export_jsonl,
    export_parquet,
    parquet_record,
    parquet_schema,
    parquet_source_fields,
    utc_time,
)
from exports.wacz import PAGES_HEADER, _run_wacz, article_pages, export_wacz, warc_description
from exports.warc import PROFILES, WarcExportSummary, export_warc, payload_digest_of
from newsarchive.archive import open_archive
from newsarchive.archive.store import finish_crawl, start_crawl, store_article, store_capture
from newsarchive.items import Article, BodyBlock, Byline, Capture, Comment, Link, Photo

BASE = "https://diyaruna.com"
BRIDGE = f"{BASE}/en_GB/articles/2026/01/02/bridge"
ARABIC = f"{BASE}/ar/articles/2026/01/20/bridge"
MARKET = f"{BASE}/ru/articles/2026/01/25/market"
NEW = f"{BASE}/en_GB/articles/2026/02/14/new"
LEAD, SECOND = f"{BASE}/p1.jpg", f"{BASE}/p2.jpg"
MARKET_PAGE = f"{BASE}/ru/market?lang=ru"
CRAWL_1, CRAWL_2 = "2026-01-05T10:00:00Z", "2026-02-15T10:00:00Z"
PHOTO_BYTES = b"\xff\xd8 a photo \xff\xd9"
PHOTO_FILE = "ab/photo.jpg"


def bridge(comments: list[Comment]) -> Article:
    return Article(
        url=BRIDGE, canonical_url=BRIDGE, site="diyaruna", site_code="cnmi_di", locale="en_GB", language="en",
        direction="ltr", section_path=["Iraq News", "Security"], section="Security", title="Bridge reopens",
        published_at="2026-01-02T09:00:00Z", published_at_raw="2 January 2026", published_day="2026-01-02",
        byline_raw="By Khalid and Sara",
        authors=[Byline("Khalid al-Taie", "Khalid al-Taie", 0), Byline("Sara Ahmed", "Sara Ahmed", 1, "correspondent")],
        photos=[Photo(LEAD, 0, "The bridge", "The bridge [AFP]", "AFP", "[AFP]", "bridge", 800, 600, is_lead=True,
                      file_path=PHOTO_FILE, file_sha256="sha256:" + hashlib.sha256(PHOTO_BYTES).hexdigest()),
                Photo(SECOND, 1)],
        body_text="The bridge reopened.", body_blocks=[BodyBlock("paragraph", "The bridge reopened.", [
            Link(f"{BASE}/roads", "The bridge"), Link("https://ministry.example/report.pdf", "reopened")])],
        comment_count=len(comments), comment_count_raw=f"{len(comments)} Comments",
        comments=comments, comments_complete=True, comments_status="complete",
        sources={"title": "profile", "byline_raw": "markup"}, warnings=["date differs from the URL's"])


FIRST = Comment("Finally.", 0, "c1", author_name="Ahmed", posted_at="2026-01-02T12:00:00Z", posted_at_raw="noon")
REPLY = Comment("I crossed it.", 1, "c2", parent_id="c1", depth=1, author_name="Noor", posted_at="2026-01-04T09:00:00Z")


def arabic() -> Article:
    return Article(url=ARABIC, site="diyaruna", locale="ar", language="ar", direction="rtl",
                   section_path=["العراق", "الأمن"], section="الأمن", title="افتتاح الجسر", published_at="2026-01-20",
                   body_text="افتتح الجسر.")


def market(title: str) -> Article:
    return Article(url=MARKET, site="other", language="ru", title=title, published_at="2026-01-25",
                   body_text="Цены упали.", authors=[Byline("Sara Ahmed", "С. Ахмед", 0)])


def capture(url: str, fetched_at: str, body: bytes, status: int = 200, content_type: str | None = "text/html",
            **headers: list[str]) -> Capture:
    """A capture whose request named another Host (the URL's host is written instead)."""
    typed = {"Content-Type": [content_type]} if content_type else {}
    return Capture(url=url, fetched_at=fetched_at, status=status,
                   request_headers={"User-Agent": ["na-test"], "host": ["ignored.example"]},
                   response_headers={**typed, **headers}, body=body)


@pytest.fixture(scope="module")
def archive(tmp_path_factory):
    """Crawl 1 stores BRIDGE (two comments), ARABIC and MARKET; crawl 2 finds BRIDGE's reply removed,
    MARKET edited, ARABIC unchanged, and stores NEW. Captures of both crawls, a photo in a file."""
    folder = tmp_path_factory.mktemp("exports")
    photos = folder / "photos"
    (photos / "ab").mkdir(parents=True)
    (photos / PHOTO_FILE).write_bytes(PHOTO_BYTES)
    path = folder / "archive.db"
    archive = open_archive(path)
    with archive.write() as db:
        first = start_crawl(db, "diyaruna", "diyaruna", {"NEWSARCHIVE_PHOTOS_DIR": str(photos)}, CRAWL_1)
        for article in (bridge([FIRST, REPLY]), arabic(), market("Цены на рынке")):
            store_article(db, article, first, CRAWL_1)
        store_capture(db, capture(BRIDGE, "2026-01-05T10:00:01Z", b"<p>bridge</p>", **{
            "Content-Encoding": ["gzip"], "Content-Length": ["99"], "X-Served-By": ["a", "b"]}), first)
        store_capture(db, capture(LEAD, "2026-01-05T10:00:02Z", PHOTO_BYTES, content_type="image/jpeg"), first,
                      "photo", body_file=PHOTO_FILE)
        store_capture(db, capture(MARKET_PAGE, "2026-01-05T10:00:03Z", b"<p>market</p>"), first)
        store_capture(db, capture(f"{BASE}/broken", "2026-01-05T10:00:04Z", b"", status=599), first)
        store_capture(db, capture(BRIDGE, "2026-01-05T10:00:05Z", b"<p>rendered</p>", content_type="text/html; "
                                  "charset=utf-8"), first, "rendered")
        store_capture(db, capture(BASE, "2026-01-05T10:00:06Z", b"<p>home</p>"), first)
        store_capture(db, capture(ARABIC, "2026-01-05T10:00:07Z", "<p>الجسر</p>".encode()), first)
        finish_crawl(db, first, {"finished_at": "2026-01-05T11:00:00Z", "finish_reason": "finished"})
        second = start_crawl(db, None, "generic", {}, CRAWL_2)
        for article in (bridge([FIRST]), arabic(), market("Цены снова на рынке"),
                        Article(url=NEW, title="New", body_text="Fresh.", published_at="2026-02-14")):
            store_article(db, article, second, CRAWL_2)
        store_capture(db, capture(BRIDGE, "2026-02-15T10:00:01Z", b"<p>bridge</p>"), second)  # identical
        store_capture(db, capture(MARKET_PAGE, "2026-02-15T10:00:02Z", b"", status=304), second)
        store_capture(db, capture(BRIDGE, "2026-02-15T10:00:03Z", b"<p>rendered</p>", content_type=None), second,
                      "rendered")
        finish_crawl(db, second, {"finished_at": "2026-02-15T11:00:00Z", "finish_reason": "finished"})
    archive.close()
    return path


@pytest.fixture
def db(archive):
    connection = connect(archive)
    yield connection
    connection.close()


# --- exports/records.py --------------------------------------------------------------------------------

def ids(db, **filters) -> list[int]:
    return [record["id"] for record in nested_articles(db, ExportFilters(**filters))]


def test_filters_select_by_site_section_language_dates_and_crawl(db):
    assert ids(db) == [1, 2, 3, 4]
    assert ids(db, site="other") == [3]
    assert ids(db, section="الأمن") == [2]
    assert ids(db, language="en") == [1]
    assert ids(db, since="2026-01-20") == [2, 3, 4]
    assert ids(db, until="2026-01-02") == [1]  # the whole day: 09:00 that day is in
    assert ids(db, since="2026-01-03", until="2026-01-25") == [2, 3]
    # After crawl 1: BRIDGE lost a comment, MARKET was edited, NEW was first stored; ARABIC did not change.
    assert ids(db, since_crawl=1) == [1, 3, 4]
    assert ids(db, since_crawl=2) == []
    assert ids(db, site="diyaruna", since_crawl=1) == [1]
    assert count_articles(db, ExportFilters(language="ru")) == 1
    assert count_articles(db, ExportFilters(since_crawl=1)) == 3


def test_filters_build_one_where_clause_with_its_parameters():
    assert ExportFilters().where() == ("1", [])
    where, params = ExportFilters(site="s", section="x", language="en", since="2026-01-01", until="2026-01-31",
                                  since_crawl=7).where("b")
    assert where.startswith("b.site = ? AND b.section = ? AND b.language = ? AND (b.first_crawl_id > ? OR ")
    assert where.endswith(" AND coalesce(b.published_day, substr(b.published_at, 1, 10)) >= ? "
                          "AND substr(coalesce(b.published_day, substr(b.published_at, 1, 10)), 1, 10) <= ?")
    assert params == ["s", "x", "en", 7, 7, 7, "2026-01-01", "2026-01-31"]


def test_crawl_ids_and_the_crawl_the_next_incremental_export_starts_after(archive, db, tmp_path):
    assert crawl_ids(db) == (1, 2)
    assert settled_crawl_id(db) == 2
    assert (crawl_exists(db, 2), crawl_exists(db, 3)) == (True, False)
    copy = tmp_path / "running.db"
    export_sqlite(archive, copy)
    writer = open_archive(copy)
    with writer.write() as wdb:
        start_crawl(wdb, "diyaruna", "diyaruna", {}, "2026-03-01T00:00:00Z")  # 3, running
        start_crawl(wdb, "diyaruna", "diyaruna", {}, "2026-03-01T00:00:01Z")  # 4, running
        wdb.execute("UPDATE crawls SET finished_at = NULL WHERE id = 2")  # 2 still running too
    writer.close()
    running = connect(copy)
    assert settled_crawl_id(running) == 1
    running.close()
    empty = tmp_path / "empty.db"
    open_archive(empty).close()
    none = connect(empty)
    assert (crawl_ids(none), settled_crawl_id(none)) == ((None, None), None)
    none.close()


def test_chunks_are_read_in_id_order_at_any_size(db):
    by = lambda size: [[row["id"] for row in chunk] for chunk in article_chunks(db, ExportFilters(), size)]  # noqa: E731
    assert by(1) == [[1], [2], [3], [4]]
    assert by(3) == [[1, 2, 3], [4]]
    assert by(500) == [[1, 2, 3, 4]]
    assert [r["id"] for r in nested_articles(db, ExportFilters(), chunk_size=2)] == [1, 2, 3, 4]
    chunk = next(article_chunks(db, ExportFilters(), 1))
    assert chunk[0]["section_path"] == '["Iraq News", "Security"]'  # JSON still text


def test_a_nested_record_holds_every_field_and_its_parts(db):
    record = next(nested_articles(db, ExportFilters(language="en")))
    assert record == {
        "id": 1, "url": BRIDGE, "canonical_url": BRIDGE, "site": "diyaruna", "site_code": "cnmi_di",
        "locale": "en_GB", "language": "en", "direction": "ltr", "section": "Security",
        "section_path": ["Iraq News", "Security"], "title": "Bridge reopens", "published_at": "2026-01-02T09:00:00Z",
        "published_at_raw": "2 January 2026", "published_day": "2026-01-02", "modified_at": None, "modified_at_raw": None,
        "byline_raw": "By Khalid and Sara", "body_text": "The bridge reopened.", "comment_count": 1,
        "comment_count_raw": "1 Comments", "comments_status": "complete", "version_count": 1,
        "sources": {"byline_raw": "markup", "title": "profile"},
        "warnings": ["date differs from the URL's"], "first_seen_at": CRAWL_1, "last_seen_at": CRAWL_2,
        "authors": [{"name": "Khalid al-Taie", "name_raw": "Khalid al-Taie", "role": None, "position": 0},
                    {"name": "Sara Ahmed", "name_raw": "Sara Ahmed", "role": "correspondent", "position": 1}],
        "photos": [
            {"url": LEAD, "caption": "The bridge", "caption_raw": "The bridge [AFP]", "credit": "AFP",
             "credit_raw": "[AFP]", "alt": "bridge", "width": 800, "height": 600, "position": 0, "is_lead": 1,
             "file_path": PHOTO_FILE, "file_sha256": "sha256:" + hashlib.sha256(PHOTO_BYTES).hexdigest()},
            {"url": SECOND, "caption": None, "caption_raw": None, "credit": None, "credit_raw": None, "alt": None,
             "width": None, "height": None, "position": 1, "is_lead": 0, "file_path": None, "file_sha256": None}],
        "comments": [
            {"id": 1, "site_comment_id": "c1", "parent_id": None, "parent_site_comment_id": None,
             "author_name": "Ahmed", "posted_at": "2026-01-02T12:00:00Z", "posted_at_raw": "noon",
             "body_text": "Finally.", "depth": 0, "position": 0, "first_seen_at": CRAWL_1, "removed_at": None},
            {"id": 2, "site_comment_id": "c2", "parent_id": 1, "parent_site_comment_id": "c1", "author_name": "Noor",
             "posted_at": "2026-01-04T09:00:00Z", "posted_at_raw": None, "body_text": "I crossed it.", "depth": 1,
             "position": 1, "first_seen_at": CRAWL_1, "removed_at": CRAWL_2}],
        "links": [
            {"block_position": 0, "position": 0, "url": f"{BASE}/roads", "anchor_text": "The bridge"},
            {"block_position": 0, "position": 1, "url": "https://ministry.example/report.pdf", "anchor_text": "reopened"}],
    }
    market_record, new_record = list(nested_articles(db, ExportFilters(since="2026-01-25")))
    assert (market_record["authors"], market_record["photos"], market_record["comments"], market_record["links"]) == (
        [{"name": "Sara Ahmed", "name_raw": "С. Ахмед", "role": None, "position": 0}], [], [], [])
    assert (new_record["authors"], new_record["section_path"], new_record["version_count"]) == ([], [], 1)
    assert market_record["version_count"] == 2
    assert (market_record["comments_status"], new_record["comments_status"]) == ("none", "none")


def test_json_fields_are_decoded_and_nulls_kept():
    row = {"id": 1, "section_path": '["a"]', "sources": None, "warnings": "[]", "title": "[1]"}
    assert decode_json_fields(row) == {"id": 1, "section_path": ["a"], "sources": None, "warnings": [], "title": "[1]"}
    assert row["section_path"] == '["a"]'  # the row itself is left as read


# --- exports/tabular.py: JSON Lines and CSV -----------------------------------------------------------

def test_jsonl_is_one_compact_utf8_article_a_line(archive):
    out = io.BytesIO()
    seen: list[int] = []
    assert export_jsonl(archive, out, ExportFilters(language="ar"), seen.append) == 1
    line = out.getvalue()
    assert line.endswith(b"}\n") and line.count(b"\n") == 1
    assert line.startswith(b'{"id":2,"url":"' + ARABIC.encode() + b'","canonical_url"')
    assert '"section":"الأمن","section_path":["العراق","الأمن"],"title":"افتتاح الجسر"'.encode() in line
    assert json.loads(line)["comments"] == [] and seen == []  # progress only every 1000 articles


def csv_rows(data: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(data.decode("utf-8"), newline="")))


def test_csv_articles_are_flat_with_authors_joined_and_parts_counted(archive, tmp_path):
    out = tmp_path / "articles.csv"
    assert export_csv(archive, str(out), ExportFilters(until="2026-01-20")) == 2
    header, first, second = csv_rows(out.read_bytes())
    assert header == FLAT_ARTICLE_FIELDS == [
        "id", "url", "canonical_url", "site", "site_code", "locale", "language", "direction", "section",
        "section_path", "title", "published_at", "published_at_raw", "published_day", "modified_at", "modified_at_raw",
        "byline_raw", "body_text", "comment_count", "comment_count_raw", "comments_status", "version_count", "first_seen_at",
        "last_seen_at", "authors", "photo_count", "stored_comment_count"]
    assert first == ["1", BRIDGE, BRIDGE, "diyaruna", "cnmi_di", "en_GB", "en", "ltr", "Security",
                     "Iraq News > Security", "Bridge reopens", "2026-01-02T09:00:00Z", "2 January 2026", "2026-01-02", "", "",
                     "By Khalid and Sara", "The bridge reopened.", "1", "1 Comments", "complete", "1", CRAWL_1, CRAWL_2,
                     "Khalid al-Taie; Sara Ahmed", "2", "2"]
    assert second[9:11] == ["العراق > الأمن", "افتتاح الجسر"] and second[-3:] == ["", "0", "0"]
    assert out.read_bytes().count(b"\r\n") == 3  # the csv module's line ends


def test_csv_of_the_other_tables(archive):
    def table(name, **filters):
        out = io.BytesIO()
        count = export_csv(archive, out, ExportFilters(**filters), table=name)
        rows = csv_rows(out.getvalue())
        assert count == len(rows) - 1
        return rows

    assert table("authors") == [["id", "name", "articles"], ["1", "Khalid al-Taie", "1"], ["2", "Sara Ahmed", "2"]]
    assert table("authors", language="ru") == [["id", "name", "articles"], ["2", "Sara Ahmed", "1"]]
    photos = table("photos")
    assert photos[0] == ["id", "article_id", "article_url", "url", "caption", "caption_raw", "credit", "credit_raw",
                         "alt", "width", "height", "position", "is_lead", "file_path", "file_sha256"]
    assert [row[:4] for row in photos[1:]] == [["1", "1", BRIDGE, LEAD], ["2", "1", BRIDGE, SECOND]]
    comments = table("comments")
    assert comments[0][:4] == ["article_id", "article_url", "id", "site_comment_id"]
    assert comments[2] == ["1", BRIDGE, "2", "c2", "1", "c1", "Noor", "2026-01-04T09:00:00Z", "", "I crossed it.",
                           "1", "1", CRAWL_1, CRAWL_2]
    assert table("article_versions", site="other") == [
        ["article_id", "version", "captured_at", "crawl_id", "title", "body_text", "content_hash"],
        ["3", "1", CRAWL_1, "1", "Цены на рынке", "Цены упали.", table("article_versions", site="other")[1][6]],
        ["3", "2", CRAWL_2, "2", "Цены снова на рынке", "Цены упали.", table("article_versions", site="other")[2][6]]]
    assert table("article_blocks", site="diyaruna") == [
        ["article_id", "article_url", "position", "kind", "text"],
        ["1", BRIDGE, "0", "paragraph", "The bridge reopened."]]
    assert table("article_links") == [
        ["article_id", "article_url", "block_position", "position", "url", "anchor_text"],
        ["1", BRIDGE, "0", "0", f"{BASE}/roads", "The bridge"],
        ["1", BRIDGE, "0", "1", "https://ministry.example/report.pdf", "reopened"]]
    assert table("article_links", language="ru") == [
        ["article_id", "article_url", "block_position", "position", "url", "anchor_text"]]


def test_csv_with_nothing_to_write_is_its_header_alone_and_a_bom_comes_first(archive):
    out = io.BytesIO()
    assert export_csv(archive, out, ExportFilters(site="nowhere"), bom=True) == 0
    assert out.getvalue() == b"\xef\xbb\xbf" + ",".join(FLAT_ARTICLE_FIELDS).encode() + b"\r\n"
    out = io.BytesIO()
    assert export_csv(archive, out, ExportFilters(site="nowhere"), table="authors") == 0
    assert out.getvalue() == b"id,name,articles\r\n"
    out = io.BytesIO()
    export_csv(archive, out, ExportFilters(site="other"), table="authors")
    assert out.getvalue() == b"id,name,articles\r\n2,Sara Ahmed,1\r\n"  # no BOM unless asked


# --- exports/tabular.py: Parquet ----------------------------------------------------------------------

def test_parquet_schema_types_every_column():
    schema = parquet_schema(pa, ["title"])
    assert schema.field("id").type == pa.int64() and schema.field("comment_count").type == pa.int64()
    assert schema.field("version_count").type == pa.int64() and schema.field("title").type == pa.string()
    assert schema.field("published_at").type == pa.timestamp("us", tz="UTC")
    assert schema.field("section_path").type == pa.list_(pa.string()) == schema.field("warnings").type
    assert schema.field("sources").type == pa.struct([("title", pa.string())])
    author = schema.field("authors").type.value_type
    assert [(f.name, str(f.type)) for f in author] == [
        ("name", "string"), ("name_raw", "string"), ("role", "string"), ("position", "int64")]
    photo = {f.name: str(f.type) for f in schema.field("photos").type.value_type}
    assert [name for name, kind in photo.items() if kind == "int64"] == ["width", "height", "position", "is_lead"]
    comment = {f.name: str(f.type) for f in schema.field("comments").type.value_type}
    assert [name for name, kind in comment.items() if kind == "int64"] == ["id", "parent_id", "depth", "position"]
    assert comment["removed_at"] == "timestamp[us, tz=UTC]" and comment["body_text"] == "string"
    link = schema.field("links").type.value_type
    assert [(f.name, str(f.type)) for f in link] == [
        ("block_position", "int64"), ("position", "int64"), ("url", "string"), ("anchor_text", "string")]
    assert schema.names[-4:] == ["authors", "photos", "comments", "links"]


def test_parquet_sources_have_the_known_fields_and_those_stored(db):
    assert parquet_source_fields(db) == [
        "authors", "body_text", "byline_raw", "canonical_url", "comment_count", "comments", "language", "modified_at",
        "photos", "published_at", "section_path", "title"]


def test_a_record_made_ready_for_parquet():
    record = {"id": 1, "published_at": "2026-01-02", "title": "T", "sources": {"title": "profile", "x": 3},
              "warnings": ["w", {"n": 1}], "comments": [{"id": 5, "posted_at": "2026-01-02T12:00:00+03:00"}]}
    assert parquet_record(record, ["title", "x", "y"]) == {
        "id": 1, "published_at": datetime(2026, 1, 2, tzinfo=timezone.utc), "title": "T",
        "sources": {"title": "profile", "x": "3", "y": None}, "warnings": ["w", '{"n": 1}'],
        "comments": [{"id": 5, "posted_at": datetime(2026, 1, 2, 9, tzinfo=timezone.utc)}]}
    damaged = parquet_record({"sources": ["not", "a", "dict"], "warnings": "text", "comments": []}, ["title"])
    assert damaged == {"sources": None, "warnings": None, "comments": []}


@pytest.mark.parametrize(("text", "moment"), [
    ("2026-01-02T09:30:00Z", datetime(2026, 1, 2, 9, 30, tzinfo=timezone.utc)),
    ("2026-01-02T09:30:00", datetime(2026, 1, 2, 9, 30, tzinfo=timezone.utc)),
    ("2026-01-02T01:30:00-02:00", datetime(2026, 1, 2, 3, 30, tzinfo=timezone.utc)),
    ("yesterday", None), (None, None), ("9999-12-31T23:00:00-05:00", None),
])
def test_utc_time(text, moment):
    assert utc_time(text) == moment


def test_parquet_file_holds_the_nested_records(archive, tmp_path):
    out = tmp_path / "articles.parquet"
    seen: list[int] = []
    assert export_parquet(archive, str(out), ExportFilters(since="2026-01-02"), seen.append, row_group_size=3) == 4
    assert seen == [3]  # after each full row group
    table = pq.read_table(out)
    assert pq.ParquetFile(out).metadata.num_row_groups == 2
    assert pq.ParquetFile(out).metadata.row_group(0).column(0).compression == "ZSTD"
    rows = table.to_pylist()
    assert [row["id"] for row in rows] == [1, 2, 3, 4]
    bridge_row = rows[0]
    assert bridge_row["published_at"] == datetime(2026, 1, 2, 9, tzinfo=timezone.utc)
    assert bridge_row["sources"]["byline_raw"] == "markup" and bridge_row["sources"]["photos"] is None
    assert bridge_row["comments"][1]["removed_at"] == datetime(2026, 2, 15, 10, tzinfo=timezone.utc)
    assert bridge_row["authors"][1] == {"name": "Sara Ahmed", "name_raw": "Sara Ahmed", "role": "correspondent",
                                        "position": 1}
    assert rows[1]["published_at"] == datetime(2026, 1, 20, tzinfo=timezone.utc)
    one = io.BytesIO()
    assert export_parquet(archive, one, ExportFilters(site="other")) == 1
    assert pq.read_table(io.BytesIO(one.getvalue())).column("title").to_pylist() == ["Цены снова на рынке"]


@pytest.fixture(scope="module")
def big_archive(tmp_path_factory):
    """5,001 minimal articles, for the progress reported every 1,000 records and the row groups of 5,000."""
    path = tmp_path_factory.mktemp("big") / "big.db"
    archive = open_archive(path)
    with archive.write() as db:
        db.conn.executemany("INSERT INTO articles (url, canonical_url, title, body_text, content_hash) "
                            "VALUES (?, ?, 't', 'b', 'h')", [(f"{BASE}/{n}", f"{BASE}/{n}") for n in range(5001)])
    archive.close()
    return path


def test_progress_is_reported_every_thousand_records(big_archive):
    for export in (export_jsonl, export_csv):
        seen: list[int] = []
        assert export(big_archive, io.BytesIO(), ExportFilters(), progress=seen.append) == 5001
        assert seen == [1000, 2000, 3000, 4000, 5000]
    seen = []
    assert export_parquet(big_archive, io.BytesIO(), ExportFilters(), seen.append, row_group_size=2000) == 5001
    assert seen == [2000, 4000]


def test_export_format_writes_the_file_or_standard_output(archive, tmp_path, capsysbinary):
    out = tmp_path / "a.jsonl"
    assert export_format("jsonl", archive, out, ExportFilters(language="en")) == 1
    assert json.loads(out.read_bytes())["id"] == 1
    assert export_format("csv", archive, "-", ExportFilters(site="other"), table="authors", bom=True) == 1
    assert capsysbinary.readouterr().out == b"\xef\xbb\xbfid,name,articles\r\n2,Sara Ahmed,1\r\n"
    assert export_format("parquet", archive, tmp_path / "a.parquet", ExportFilters()) == 4
    assert pq.read_table(tmp_path / "a.parquet").num_rows == 4
    with pytest.raises(ExportError, match=f"^cannot write {archive}: it is the archive itself$"):
        export_format("csv", archive, archive, ExportFilters())


# --- exports/__init__.py -----------------------------------------------------------------------------

def test_output_file_is_written_whole_or_not_at_all(tmp_path):
    out = tmp_path / "out.txt"
    out.write_text("old")
    with output_file(out) as partial:
        assert partial == tmp_path / f".out.txt.{os.getpid()}.partial"  # this process's own
        partial.write_text("new")
    assert out.read_text() == "new" and not partial.exists()
    for stopped in (RuntimeError("export failed"), SystemExit(143)):  # SystemExit: SIGTERM (cli.main)
        with pytest.raises(type(stopped)), output_file(out) as partial:
            partial.write_text("half")
            raise stopped
        assert out.read_text() == "new" and not partial.exists()
    with pytest.raises(ExportError, match=f"^cannot write {tmp_path / 'no' / 'x'}: the folder {tmp_path / 'no'} "
                                          "does not exist$"), output_file(tmp_path / "no" / "x"):
        pass
    with pytest.raises(ExportError, match=f"^cannot write {tmp_path}: it is a folder$"), output_file(tmp_path):
        pass
    with pytest.raises(ExportError, match=f"^cannot write {out}: No such file or directory$"), output_file(out):
        pass  # nothing written to the partial file: there is nothing to rename


def test_stdout_and_the_archive_itself(archive, tmp_path):
    assert (is_stdout("-"), is_stdout(tmp_path / "-x"), is_stdout("--")) == (True, False, False)
    refuse_overwriting_archive(archive, "-")
    refuse_overwriting_archive(archive, tmp_path / "missing.db")
    (tmp_path / "other.db").write_bytes(b"")
    refuse_overwriting_archive(archive, tmp_path / "other.db")
    os.link(archive, tmp_path / "same.db")
    with pytest.raises(ExportError, match="it is the archive itself$"):
        refuse_overwriting_archive(archive, tmp_path / "same.db")
    for suffix in ("-wal", "-shm", "-journal"):  # SQLite's files beside it, there or not
        with pytest.raises(ExportError, match=f"^cannot write {archive}{suffix}: it is the archive's {suffix} file$"):
            refuse_overwriting_archive(archive, f"{archive}{suffix}")
    # The archive named through a link: its files are those beside the file it links to.
    (tmp_path / "link.db").symlink_to(archive)
    with pytest.raises(ExportError, match="it is the archive's -wal file$"):
        refuse_overwriting_archive(tmp_path / "link.db", f"{archive}-wal")


def test_output_stream_to_a_file_or_standard_output(tmp_path, capsysbinary, monkeypatch):
    with output_stream(tmp_path / "o.bin") as out:
        out.write(b"bytes")
    assert (tmp_path / "o.bin").read_bytes() == b"bytes"
    with output_stream("-") as out:
        out.write(b"to stdout")
    assert capsysbinary.readouterr().out == b"to stdout"
    with open(os.devnull, "r") as read_only:  # noqa: UP015 (a stream that cannot be written)
        monkeypatch.setattr(sys, "stdout", read_only)
        with pytest.raises(ExportError, match="^cannot write to standard output: "), output_stream("-") as out:
            out.write(b"x")
    reader, writer = os.pipe()
    os.close(reader)
    with open(writer, "w") as closed_pipe:
        monkeypatch.setattr(sys, "stdout", closed_pipe)
        with pytest.raises(BrokenPipeError), output_stream("-") as out:
            out.write(b"x" * 100_000)
        monkeypatch.undo()


# --- exports/sqlite_copy.py --------------------------------------------------------------------------

def dead_pid() -> int:
    """The id of a process that has ended."""
    process = subprocess.Popen([sys.executable, "-c", "pass"])
    process.wait()
    return process.pid


def test_sqlite_copy_is_one_file_with_every_row(archive, tmp_path):
    out = tmp_path / "copy.db"
    for stale in ("-journal", "-wal", "-shm"):
        (tmp_path / f"copy.db{stale}").write_bytes(b"stale")
    gone = dead_pid()
    for left in (f".copy.db.{gone}.partial", f".copy.db.{gone}.partial-journal"):  # by a killed export
        (tmp_path / left).write_bytes(b"left by a killed export")
    (tmp_path / ".copy.db.1.partial").write_bytes(b"an export running now")  # init's number: it runs
    (tmp_path / f".other.db.{gone}.partial").write_bytes(b"another file's")
    # The user's own files, named like one but not one: a longer name, and a link (to a file elsewhere).
    (tmp_path / f".copy.db.{gone}.partial.notes").write_bytes(b"the user's")
    (tmp_path / "elsewhere").mkdir()
    (tmp_path / "elsewhere" / "kept").write_bytes(b"the user's")
    (tmp_path / f".copy.db.{gone}.partial-wal").symlink_to(tmp_path / "elsewhere" / "kept")
    copy = export_sqlite(archive, str(out))
    assert copy == SqliteCopy(out, out.stat().st_size, {"articles": 4, "comments": 2, "captures": 10})
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        ".copy.db.1.partial", f".copy.db.{gone}.partial-wal", f".copy.db.{gone}.partial.notes",
        f".other.db.{gone}.partial", "copy.db", "elsewhere"]
    check = sqlite3.connect(out)
    assert check.execute("PRAGMA journal_mode").fetchone()[0] == "delete"
    assert check.execute("SELECT title FROM articles WHERE id = 3").fetchone()[0] == "Цены снова на рынке"
    check.close()
    with pytest.raises(ExportError, match=f"^cannot write {archive}: it is the archive itself$"):
        export_sqlite(archive, archive)


def test_sqlite_copy_of_a_damaged_archive_leaves_nothing(tmp_path):
    damaged = tmp_path / "damaged.db"
    damaged.write_bytes(b"not SQLite at all" * 100)
    with pytest.raises(Exception) as error:
        export_sqlite(damaged, tmp_path / "copy.db")
    assert str(error.value).startswith(str(damaged)) or "damaged.db" in str(error.value)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["damaged.db"]


# --- exports/warc.py ---------------------------------------------------------------------------------

def read_warc(path) -> list:
    with open(path, "rb") as stream:
        return [(r.rec_type, r.rec_headers, r.http_headers, r.content_stream().read()) for r in ArchiveIterator(stream)]


def warcinfo_fields(content: bytes) -> dict[str, str]:
    return dict(line.split(": ", 1) for line in content.decode().splitlines() if line)


def test_warc_of_every_crawl(archive, tmp_path):
    out = tmp_path / "all.warc"
    summary = export_warc(archive, out, cdx=True)
    assert summary == WarcExportSummary(out, {"warcinfo": 1, "response": 6, "request": 8, "revisit": 2,
                                              "conversion": 2}, tmp_path / "all.warc.cdxj")
    assert out.read_bytes().startswith(b"WARC/1.1\r\n")  # not gzipped: the name does not end in .gz
    records = read_warc(out)
    assert [(kind, headers.get_header("WARC-Target-URI")) for kind, headers, _, _ in records] == [
        ("warcinfo", None),
        ("response", BRIDGE), ("request", BRIDGE), ("response", LEAD), ("request", LEAD),
        ("response", MARKET_PAGE), ("request", MARKET_PAGE), ("response", f"{BASE}/broken"),
        ("request", f"{BASE}/broken"), ("response", BASE), ("request", BASE), ("response", ARABIC),
        ("request", ARABIC), ("revisit", BRIDGE), ("request", BRIDGE),
        ("revisit", MARKET_PAGE), ("request", MARKET_PAGE), ("conversion", f"urn:rendered:{BRIDGE}"),
        ("conversion", f"urn:rendered:{BRIDGE}")]
    info_id = records[0][1].get_header("WARC-Record-ID")
    assert {headers.get_header("WARC-Warcinfo-ID") for _, headers, _, _ in records[1:]} == {info_id}
    assert records[0][1].get_header("WARC-Filename") == "all.warc"
    info = warcinfo_fields(records[0][3])
    assert info == {
        "software": f"newsarchive/{version('newsarchive')} (warcio/{version('warcio')})",
        "format": "WARC File Format 1.1",
        "conformsTo": "https://iipc.github.io/warc-specifications/specifications/warc-format/warc-1.1/",
        "isPartOf": "diyaruna, generic", "description": "Captures of newsarchive crawls 1, 2", "robots": "obey",
        "json-metadata": info["json-metadata"]}
    crawls = json.loads(info["json-metadata"])["crawls"]
    assert [(c["id"], c["site"], c["spider"], c["started_at"], c["finish_reason"]) for c in crawls] == [
        (1, "diyaruna", "diyaruna", CRAWL_1, "finished"), (2, None, "generic", CRAWL_2, "finished")]
    assert crawls[0]["settings"] == {"NEWSARCHIVE_PHOTOS_DIR": str(archive.parent / "photos")}
    assert crawls[1]["settings"] == {}
    # Sorted by SURT URL, then time, as pywb reads it; not in the order of the WARC.
    assert [line.split(" ")[:2] for line in (tmp_path / "all.warc.cdxj").read_text().splitlines()] == [
        ["com,diyaruna)/", "20260105100006"], ["com,diyaruna)/ar/articles/2026/01/20/bridge", "20260105100007"],
        ["com,diyaruna)/broken", "20260105100004"], ["com,diyaruna)/en_gb/articles/2026/01/02/bridge", "20260105100001"],
        ["com,diyaruna)/en_gb/articles/2026/01/02/bridge", "20260215100001"], ["com,diyaruna)/p1.jpg", "20260105100002"],
        ["com,diyaruna)/ru/market?lang=ru", "20260105100003"], ["com,diyaruna)/ru/market?lang=ru", "20260215100002"]]


def test_warc_response_and_request_records(archive, tmp_path):
    out = tmp_path / "one.warc.gz"
    export_warc(archive, out, [1])
    assert out.read_bytes()[:2] == b"\x1f\x8b"
    records = read_warc(out)
    _, page, page_http, page_body = records[1]
    assert (page.get_header("WARC-Date"), page_body) == ("2026-01-05T10:00:01Z", b"<p>bridge</p>")
    assert page.get_header("WARC-Payload-Digest") == payload_digest_of(b"<p>bridge</p>")
    assert page_http.statusline == "200 OK" and page_http.protocol == "HTTP/1.1"
    assert page_http.headers == [("Content-Type", "text/html"), ("X-Archive-Orig-Content-Encoding", "gzip"),
                                 ("X-Archive-Orig-Content-Length", "99"), ("X-Served-By", "a"), ("X-Served-By", "b"),
                                 ("Content-Length", "13")]
    request_http = records[2][2]
    assert request_http.protocol == "GET" and request_http.statusline == "/en_GB/articles/2026/01/02/bridge HTTP/1.1"
    assert request_http.headers == [("Host", "diyaruna.com"), ("User-Agent", "na-test")]  # not its own host
    assert records[10][2].statusline == "/ HTTP/1.1"  # the site's root: its URL has no path
    assert records[3][3] == PHOTO_BYTES and records[3][2].get_header("Content-Type") == "image/jpeg"
    assert records[6][2].statusline == "/ru/market?lang=ru HTTP/1.1"
    assert records[7][2].statusline == "599 Unknown" and records[7][3] == b""
    conversion = records[-1]
    assert conversion[0] == "conversion" and conversion[3] == b"<p>rendered</p>"
    assert conversion[1].get_header("WARC-Refers-To") == page.get_header("WARC-Record-ID")
    assert conversion[1].get_header("Content-Type") == "text/html; charset=utf-8"
    assert conversion[1].get_header("WARC-Date") == "2026-01-05T10:00:05Z"


def test_warc_revisits_of_one_crawl_refer_to_the_capture_with_the_body(archive, tmp_path):
    import wacz.main  # noqa: F401 (py-wacz adds warcinfo to cdxj-indexer's default records when imported)

    out = tmp_path / "second.warc"
    summary = export_warc(archive, out, [2], cdx=True)
    assert summary.records == {"warcinfo": 1, "revisit": 2, "request": 2, "conversion": 1}
    records = read_warc(out)
    info = warcinfo_fields(records[0][3])
    assert (info["isPartOf"], info["description"]) == ("generic", "Captures of newsarchive crawls 2")
    assert info["json-metadata"] == (
        '{"crawls": [{"finish_reason": "finished", "finished_at": "2026-02-15T11:00:00Z", "id": 2, "settings": {}, '
        '"site": null, "spider": "generic", "started_at": "2026-02-15T10:00:00Z"}]}')
    identical, not_modified = records[1][1], records[3][1]
    assert identical.get_header("WARC-Profile") == PROFILES["identical"]
    assert identical.get_header("WARC-Refers-To-Target-URI") == BRIDGE
    assert identical.get_header("WARC-Refers-To-Date") == "2026-01-05T10:00:01Z"
    assert identical.get_header("WARC-Payload-Digest") == payload_digest_of(b"<p>bridge</p>")
    assert records[1][2].headers == [("Content-Type", "text/html")]  # no Content-Length: a revisit has no body
    assert not_modified.get_header("WARC-Profile") == PROFILES["not_modified"]
    assert not_modified.get_header("WARC-Refers-To-Date") == "2026-01-05T10:00:03Z"
    assert records[3][2].statusline == "304 Not Modified"
    assert [h for h in (identical, not_modified) if h.get_header("WARC-Profile") is None] == []
    conversion = records[5]
    assert conversion[3] == b"<p>rendered</p>"  # the body of the crawl 1 capture it repeats
    assert conversion[1].get_header("Content-Type") == "text/html"  # the capture named no type
    assert conversion[1].get_header("WARC-Refers-To") == identical.get_header("WARC-Record-ID")
    index = (tmp_path / "second.warc.cdxj").read_text().splitlines()
    assert summary.index_path == tmp_path / "second.warc.cdxj" and len(index) == 2
    assert [line.split(" ")[0] for line in index] == ["com,diyaruna)/en_gb/articles/2026/01/02/bridge",
                                                      "com,diyaruna)/ru/market?lang=ru"]


def test_a_self_contained_warc_of_one_crawl_holds_what_its_revisits_name_and_its_pages_photos(archive, tmp_path):
    # A photo the archive has is not fetched again: the package of crawl 2 alone replayed BRIDGE
    # without its lead photo, fetched in crawl 1.
    out = tmp_path / "second.warc"
    summary = export_warc(archive, out, [2], self_contained=True)
    assert summary.records == {"warcinfo": 1, "response": 3, "revisit": 2, "request": 5, "conversion": 2}
    assert [(kind, headers.get_header("WARC-Target-URI"), headers.get_header("WARC-Date")) for kind, headers, _, _
            in read_warc(out) if kind in ("response", "revisit")] == [
        ("response", BRIDGE, "2026-01-05T10:00:01Z"), ("response", LEAD, "2026-01-05T10:00:02Z"),
        ("response", MARKET_PAGE, "2026-01-05T10:00:03Z"), ("revisit", BRIDGE, "2026-02-15T10:00:01Z"),
        ("revisit", MARKET_PAGE, "2026-02-15T10:00:02Z")]
    assert export_warc(archive, tmp_path / "first.warc", [1], self_contained=True).records["response"] == 6  # its own


def test_warc_of_a_missing_crawl_or_a_lost_photo_is_one_line(archive, tmp_path):
    with pytest.raises(ExportError, match=f"^no crawl 5, 7 in {archive} \\(crawls: 1, 2\\)$"):
        export_warc(archive, tmp_path / "a.warc", [7, 1, 5])
    empty = tmp_path / "empty"
    empty.mkdir()
    photo = empty / PHOTO_FILE
    with pytest.raises(ExportError, match=f"^cannot read the photo file of capture 2 \\({LEAD}\\): {photo}: "
                                          "No such file or directory; give the photos folder with --photos-dir$"):
        export_warc(archive, tmp_path / "a.warc", photos_dir=empty)
    photo.parent.mkdir()
    photo.write_bytes(b"another photo")
    with pytest.raises(ExportError, match=f"^{photo} is not the photo captured from {LEAD} \\(capture 2\\): "
                                          "its SHA-256 differs$"):
        export_warc(archive, tmp_path / "a.warc", photos_dir=str(empty))
    photo.write_bytes(PHOTO_BYTES)
    assert export_warc(archive, tmp_path / "a.warc", [1], photos_dir=empty).records["response"] == 6
    assert export_warc(archive, tmp_path / "a.warc", [2, 1], photos_dir=empty).records == {
        "warcinfo": 1, "response": 6, "request": 8, "revisit": 2, "conversion": 2}
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.warc", "empty"]


def test_warc_of_a_photo_whose_crawl_recorded_no_folder(archive, tmp_path):
    copy = tmp_path / "copy.db"
    export_sqlite(archive, copy)
    writer = open_archive(copy)
    with writer.write() as wdb:  # a photo captured outside any crawl: capture 11
        store_capture(wdb, capture(SECOND, "2026-03-01T00:00:00Z", PHOTO_BYTES, "image/jpeg"), None, "photo",
                      body_file=PHOTO_FILE)
        wdb.execute("UPDATE captures SET request_headers = NULL, response_headers = NULL WHERE id = 6")  # home
    writer.close()
    with pytest.raises(ExportError, match=f"^capture 11 \\({SECOND}\\) is in a photo file, and crawl None recorded "
                                          "no photos folder: give it with --photos-dir$"):
        export_warc(copy, tmp_path / "a.warc")
    writer = open_archive(copy)
    with writer.write() as wdb:
        wdb.execute("UPDATE crawls SET settings = NULL WHERE id = 1")
    writer.close()
    with pytest.raises(ExportError, match=f"^capture 2 \\({LEAD}\\) is in a photo file, and crawl 1 recorded no "
                                          "photos folder: give it with --photos-dir$"):
        export_warc(copy, tmp_path / "a.warc", [1])
    photos = archive.parent / "photos"
    assert export_warc(copy, tmp_path / "a.warc", photos_dir=photos).records["response"] == 7
    home = read_warc(tmp_path / "a.warc")[9:11]
    assert (home[0][1].get_header("WARC-Target-URI"), home[0][2].headers, home[1][2].headers) == (
        BASE, [("Content-Length", "11")], [("Host", "diyaruna.com")])  # no headers stored: none but these
    assert export_wacz(copy, tmp_path / "a.wacz", [1], photos_dir=photos).warc.records["response"] == 6


def test_payload_digest_is_base32_sha1():
    assert payload_digest_of(b"") == "sha1:3I42H3S6NNFQ2MSVX7XZKYAYSCX5QBYJ"


# --- exports/wacz.py ---------------------------------------------------------------------------------

def test_article_pages_are_the_latest_capture_of_each_article(archive):
    # The rendered DOM of BRIDGE, captured after its page in both crawls, is no page to replay.
    assert article_pages(archive, None) == [
        {"url": BRIDGE, "ts": "2026-02-15T10:00:01Z", "title": "Bridge reopens"}, {"url": ARABIC, "ts": "2026-01-05T10:00:07Z", "title": "افتتاح الجسر"}]
    assert article_pages(archive, [1]) == [
        {"url": BRIDGE, "ts": "2026-01-05T10:00:01Z", "title": "Bridge reopens"}, {"url": ARABIC, "ts": "2026-01-05T10:00:07Z", "title": "افتتاح الجسر"}]
    assert article_pages(archive, [2]) == [{"url": BRIDGE, "ts": "2026-02-15T10:00:01Z", "title": "Bridge reopens"}]
    assert article_pages(archive, [2, 1]) == article_pages(archive, None)


def test_wacz_package(archive, tmp_path):
    out = tmp_path / "a.wacz"
    summary = export_wacz(archive, out, [1])
    assert (summary.path, summary.pages, summary.warc.records["response"]) == (out, 2, 6)
    assert warc_description(summary.warc) == ("newsarchive captures: 1 conversion, 6 request, 6 response, "
                                              "1 warcinfo")
    with zipfile.ZipFile(out) as package:
        names = set(package.namelist())
        raw_pages = package.read("pages/pages.jsonl")
        pages = [json.loads(line) for line in raw_pages.decode().splitlines()]
        datapackage = json.loads(package.read("datapackage.json"))
    assert "archive/a.warc.gz" in names and "indexes/index.cdx.gz" in names
    assert pages[0] == PAGES_HEADER and [(p["url"], p["ts"], p["title"]) for p in pages[1:]] == [
        (BRIDGE, "2026-01-05T10:00:01Z", "Bridge reopens"), (ARABIC, "2026-01-05T10:00:07Z", "افتتاح الجسر")]
    assert '"title": "افتتاح الجسر"'.encode() in raw_pages  # UTF-8, not escaped
    assert (datapackage["title"], datapackage["description"]) == (
        "newsarchive: archive.db", warc_description(summary.warc))
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.wacz"]


def test_wacz_failures_are_one_line(archive, tmp_path):
    with pytest.raises(ExportError, match=f"^wacz validate failed: \\[Errno 2\\] No such file or directory: "
                                          f"'{tmp_path / 'missing.wacz'}'$"):
        _run_wacz(["validate", "--file", str(tmp_path / "missing.wacz")])
    with pytest.raises(ExportError, match="^wacz nonsense failed: 2$"):  # argparse's exit status
        _run_wacz(["nonsense"])
    junk = tmp_path / "junk.wacz"
    with zipfile.ZipFile(junk, "w") as package:
        package.writestr("datapackage.json", "{}")
    with pytest.raises(ExportError, match="^wacz validate failed: Validation failed, the passed WACZ is invalid$"):
        _run_wacz(["validate", "--file", str(junk)])  # returns 1 and prints why: the last line printed
    with pytest.raises(ExportError, match=f"^cannot read the captures of {tmp_path / 'old.db'}: no such table"):
        old = tmp_path / "old.db"
        open_archive(old).close()
        connection = sqlite3.connect(old)
        connection.execute("DROP TABLE article_urls")
        connection.close()
        article_pages(old, None)


WITH_FILES_LIMITED = """import resource, signal, sys
signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
resource.setrlimit(resource.RLIMIT_FSIZE, (int(sys.argv[1]), int(sys.argv[1])))
sys.argv = ["newsarchive", *sys.argv[2:]]
from newsarchive.cli import main
main()
"""


def test_a_wacz_package_that_cannot_be_written_whole_is_one_line_and_no_file(tmp_path):
    # A page of 80 kB that will not compress: room for the WARC is then room for the archive's
    # 32 kB -shm file too, which a reader makes.
    path = tmp_path / "archive.db"
    archive = open_archive(path)
    with archive.write() as db:
        crawl = start_crawl(db, None, "generic", {}, CRAWL_1)
        store_article(db, Article(url=BRIDGE, title="Bridge reopens", body_text="Open."), crawl, CRAWL_1)
        store_capture(db, capture(BRIDGE, "2026-01-05T10:00:01Z", random.Random(5).randbytes(80_000)), crawl)
    archive.close()
    whole = tmp_path / "whole.wacz"
    export_wacz(path, whole, None)
    with zipfile.ZipFile(whole) as package:
        warc_size = package.getinfo("archive/whole.warc.gz").file_size
    # Room for the WARC, not for the package around it: a disk that fills as py-wacz writes. Its
    # zip file, left open, used to fail again when freed: "Exception ignored" and a traceback.
    limit = (warc_size + whole.stat().st_size) // 2
    out = tmp_path / "a.wacz"
    done = subprocess.run([sys.executable, "-c", WITH_FILES_LIMITED, str(limit), "export", "wacz", "--db", str(path),
                           "--out", str(out)], capture_output=True, text=True, timeout=120)
    assert (done.returncode, done.stderr) == (1, f"Error: wacz create failed: [Errno {errno.EFBIG}] File too large\n")
    assert not out.exists()


def test_wacz_without_its_package_is_one_line(monkeypatch):
    monkeypatch.setitem(sys.modules, "wacz.main", None)  # as if py-wacz were not installed
    with pytest.raises(ExportError, match=r"^a WACZ package needs the wacz package: pip install "
                                          r"'newsarchive\[wacz\]'$"):
        _run_wacz(["create"])


def test_parquet_without_pyarrow_is_one_line(archive, monkeypatch):
    monkeypatch.setitem(sys.modules, "pyarrow", None)
    with pytest.raises(RuntimeError, match=r'^Parquet export needs pyarrow: pip install -e "\.\[parquet\]"$'):
        export_parquet(archive, io.BytesIO(), ExportFilters())


@pytest.fixture
def ascii_locale():
    """The C locale, whose encoding is ASCII: an export must write UTF-8 all the same."""
    before = locale.setlocale(locale.LC_CTYPE)
    locale.setlocale(locale.LC_CTYPE, "C")
    yield
    locale.setlocale(locale.LC_CTYPE, before)


def test_csv_is_utf8_whatever_the_locale(archive, ascii_locale):
    out = io.BytesIO()
    export_csv(archive, out, ExportFilters(language="ar"))
    assert "افتتاح الجسر".encode() in out.getvalue()


def test_times_without_a_zone_are_utc_whatever_the_local_zone(monkeypatch):
    monkeypatch.setenv("TZ", "Asia/Baghdad")  # UTC+3
    time.tzset()
    try:
        assert utc_time("2026-01-02T09:30:00").isoformat() == "2026-01-02T09:30:00+00:00"
        assert utc_time("2026-01-02T09:30:00+03:00").isoformat() == "2026-01-02T06:30:00+00:00"
    finally:
        monkeypatch.undo()
        time.tzset()


def test_json_values_in_parquet_keep_their_text():
    record = parquet_record({"sources": {"section_path": ["العراق"]}, "warnings": [], "comments": []},
                            ["section_path"])
    assert record["sources"] == {"section_path": '["العراق"]'}


def test_export_format_defaults_and_progress(archive, big_archive, tmp_path, capsysbinary):
    assert export_format("csv", archive, "-", ExportFilters(site="other")) == 1  # articles, no BOM
    assert capsysbinary.readouterr().out.startswith(b"id,url,canonical_url,")
    for kind, expected in (("jsonl", [1000, 2000, 3000, 4000, 5000]), ("csv", [1000, 2000, 3000, 4000, 5000]),
                           ("parquet", [5000])):  # Parquet: after each row group of 5,000
        seen: list[int] = []
        assert export_format(kind, big_archive, tmp_path / f"big.{kind}", ExportFilters(), progress=seen.append) == 5001
        assert seen == expected
    assert pq.ParquetFile(tmp_path / "big.parquet").metadata.num_row_groups == 2


def test_nested_articles_read_the_archive_in_chunks(db):
    queries: list[str] = []
    db.set_trace_callback(queries.append)
    assert len(list(nested_articles(db, ExportFilters(), chunk_size=3))) == 4
    db.set_trace_callback(None)
    # Two chunks (3 and 1 articles) and the empty read that ends them; their parts (authors, photos,
    # comments, links), four queries a chunk.
    assert sum(query.startswith("SELECT a.id, a.url,") for query in queries) == 3
    assert len(queries) == 3 + 2 * 4


def test_an_archive_with_no_crawl(tmp_path):
    empty = tmp_path / "empty.db"
    open_archive(empty).close()
    with pytest.raises(ExportError, match=f"^no crawl 1 in {empty} \\(crawls: none\\)$"):
        export_warc(empty, tmp_path / "a.warc", [1])
    assert export_warc(empty, tmp_path / "a.warc").records == {"warcinfo": 1}
    info = warcinfo_fields(read_warc(tmp_path / "a.warc")[0][3])
    assert (info["isPartOf"], info["description"]) == ("newsarchive", "Captures of newsarchive crawls ")


def test_standard_output_is_not_a_file_named_dash(archive, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    os.link(archive, tmp_path / "-")
    refuse_overwriting_archive(archive, "-")  # "-" is standard output, not this file
