"""Exports to standard output, CSV for spreadsheets, Parquet types, incremental exports and the
shareable SQLite copy, on the crawled and re-crawled demo archive (tests/conftest.py)."""

from __future__ import annotations

import codecs
import csv
import io
import json
import sqlite3
import subprocess
import sys
from datetime import datetime, timezone
from pathlib import Path
from urllib.parse import urlsplit

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from newsarchive.archive import open_archive

# The research archive: 80 articles crawled, then 5 new ones published and crawled again.
ARTICLES = 85
EDITED_PATH = "/en_GB/articles/cnmi_di/features/2019/02/14/feature-01"  # edited before crawl 2
UTC = timezone.utc


def newsarchive(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess:
    """The command as a user runs it (in `cwd`), stdout and stderr as bytes."""
    return subprocess.run([sys.executable, "-m", "newsarchive.cli", *args], capture_output=True, timeout=300, cwd=cwd)


def export(archive_path: Path, kind: str, out, *options: str) -> subprocess.CompletedProcess:
    result = newsarchive("export", kind, "--db", str(archive_path), "--out", str(out), *options)
    assert result.returncode == 0, result.stderr.decode()[-3000:]
    return result


def copy_of(archive, folder: Path) -> Path:
    """A private copy of the session's archive, for tests that change or risk it."""
    path = folder / "archive.db"
    source, target = sqlite3.connect(archive.db_path), sqlite3.connect(path)
    source.backup(target)
    source.close()
    target.close()
    return path


def changed_paths(manifest: dict) -> set[str]:
    """The URL paths the demo site changed between the two crawls: new, edited, comments added or removed."""
    changes = manifest["changes"]
    return {*changes["new_articles"], *changes["edited"], *changes["comments_added"], *changes["comments_removed"]}


def utc(text: str) -> datetime:
    return datetime.strptime(text, "%Y-%m-%dT%H:%M:%S.%fZ" if "." in text else "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)


# --out - ------------------------------------------------------------------------------------------

def test_jsonl_to_standard_output_is_the_file_and_the_summary_goes_to_stderr(research_archive, tmp_path):
    export(research_archive.db_path, "jsonl", tmp_path / "articles.jsonl")
    piped = export(research_archive.db_path, "jsonl", "-")
    assert piped.stdout == (tmp_path / "articles.jsonl").read_bytes()
    assert piped.stdout.count(b"\n") == ARTICLES
    assert piped.stderr.decode() == (f"wrote {ARTICLES} articles to standard output "
                                     "(next incremental export: --since-crawl 2)\n")


def test_a_reader_that_stops_early_ends_the_export_quietly(research_archive):
    """`| head -1` closes the pipe after one line (the export is 400 kB, far past a pipe's buffer)."""
    command = f"{sys.executable} -m newsarchive.cli export jsonl --db {research_archive.db_path} --out - | head -1"
    result = subprocess.run(["bash", "-c", f"set -o pipefail; {command}"], capture_output=True, timeout=300)
    assert result.returncode == 0
    assert result.stderr == b""  # no traceback, no "Exception ignored", no summary of a cut export
    assert json.loads(result.stdout)["id"] == 1


def test_csv_with_a_byte_order_mark_for_spreadsheets(research_archive, tmp_path):
    export(research_archive.db_path, "csv", tmp_path / "plain.csv", "--language", "ar")
    export(research_archive.db_path, "csv", tmp_path / "excel.csv", "--language", "ar", "--bom")
    piped = export(research_archive.db_path, "csv", "-", "--language", "ar", "--bom")
    plain = (tmp_path / "plain.csv").read_bytes()
    assert plain.startswith(b"id,url,canonical_url,")
    assert (tmp_path / "excel.csv").read_bytes() == codecs.BOM_UTF8 + plain == piped.stdout
    db = sqlite3.connect(research_archive.db_path)
    arabic_title = db.execute("SELECT title FROM articles WHERE language = 'ar' ORDER BY id LIMIT 1").fetchone()[0]
    assert arabic_title.encode("utf-8") in plain
    assert piped.stderr.decode().startswith("wrote ") and piped.stderr.decode().endswith(
        " articles to standard output (next incremental export: --since-crawl 2)\n")


def test_parquet_to_standard_output_is_readable(research_archive):
    piped = export(research_archive.db_path, "parquet", "-")
    assert pq.read_table(pa.BufferReader(piped.stdout)).num_rows == ARTICLES


# Parquet types ------------------------------------------------------------------------------------

def test_parquet_times_are_utc_timestamps_and_json_columns_are_nested(research_archive, tmp_path):
    out = tmp_path / "articles.parquet"
    export(research_archive.db_path, "parquet", out)
    table = pq.read_table(out)
    moment = pa.timestamp("us", tz="UTC")
    for column in ("published_at", "modified_at", "first_seen_at", "last_seen_at"):
        assert table.schema.field(column).type == moment, column
    assert table.schema.field("published_at_raw").type == pa.string()
    assert table.schema.field("warnings").type == pa.list_(pa.string())
    sources = table.schema.field("sources").type
    assert pa.types.is_struct(sources) and {sources.field(i).type for i in range(sources.num_fields)} == {pa.string()}
    comment = table.schema.field("comments").type.value_type
    for field in ("posted_at", "first_seen_at", "removed_at"):
        assert comment.field(field).type == moment, field

    db = sqlite3.connect(research_archive.db_path)
    db.row_factory = sqlite3.Row
    stored = db.execute("SELECT * FROM articles WHERE canonical_url LIKE ?", [f"%{EDITED_PATH}"]).fetchone()
    row = next(r for r in table.to_pylist() if r["id"] == stored["id"])
    assert row["published_at"] == datetime(2019, 2, 14, tzinfo=UTC)  # printed as a date: its midnight UTC
    assert row["published_at_raw"] == "2019-02-14" and row["version_count"] == 2
    assert row["modified_at"] == utc(stored["modified_at"])
    assert (row["first_seen_at"], row["last_seen_at"]) == (utc(stored["first_seen_at"]), utc(stored["last_seen_at"]))
    assert row["first_seen_at"] < row["last_seen_at"]  # first stored by crawl 1, seen again by crawl 2
    assert row["sources"]["title"] == "profile" and row["sources"]["language"] == "url"
    assert {k: v for k, v in row["sources"].items() if v is not None} == json.loads(stored["sources"])
    assert row["warnings"] == json.loads(stored["warnings"])
    posted = [utc(r[0]) for r in db.execute("SELECT posted_at FROM comments WHERE article_id = ? ORDER BY id",
                                            [stored["id"]])]
    assert [c["posted_at"] for c in row["comments"]] == posted and len(posted) == 3
    assert all(c["removed_at"] is None for c in row["comments"])


@pytest.mark.parametrize("stored, expected", [
    ("2019-02-14", datetime(2019, 2, 14, tzinfo=UTC)),
    ("2019-02-14T10:30:00Z", datetime(2019, 2, 14, 10, 30, tzinfo=UTC)),
    ("2019-02-14T10:30:00.000250Z", datetime(2019, 2, 14, 10, 30, 0, 250, tzinfo=UTC)),
    ("2019-02-14T13:30:00+03:00", datetime(2019, 2, 14, 10, 30, tzinfo=UTC)),  # another tool's offset
    ("2019-02-14T01:00:00-05:00", datetime(2019, 2, 14, 6, 0, tzinfo=UTC)),
    ("2019-02-14T10:30:00", datetime(2019, 2, 14, 10, 30, tzinfo=UTC)),  # no zone: the archive's UTC
    ("2019-02-30", None), ("last Tuesday", None), ("", None), (None, None), (20190214, None),
    ("0001-01-01T00:00:00+01:00", None),  # before year 1 in UTC
])
def test_stored_times_read_as_utc(stored, expected):
    from exports.tabular import utc_time

    moment = utc_time(stored)
    assert moment == expected
    assert moment is None or moment.utcoffset().total_seconds() == 0


def test_a_malformed_stored_time_becomes_null_and_the_export_goes_on(research_archive, tmp_path):
    path = copy_of(research_archive, tmp_path)
    archive = open_archive(path)
    with archive.write() as db:
        db.execute("UPDATE articles SET published_at = 'last Tuesday', modified_at = '2019-02-30T10:00:00Z' "
                   "WHERE id = 7")
        db.execute("UPDATE comments SET posted_at = 'yesterday' WHERE id = (SELECT min(id) FROM comments)")
    archive.close()
    out = tmp_path / "articles.parquet"
    export(path, "parquet", out)
    rows = {row["id"]: row for row in pq.read_table(out).to_pylist()}
    assert len(rows) == ARTICLES
    assert rows[7]["published_at"] is None and rows[7]["modified_at"] is None
    assert rows[7]["first_seen_at"] is not None and rows[8]["published_at"] is not None
    first_comment = min((c for r in rows.values() for c in r["comments"]), key=lambda c: c["id"])
    assert first_comment["posted_at"] is None and first_comment["posted_at_raw"]


# --since-crawl ------------------------------------------------------------------------------------

def test_since_crawl_exports_what_later_crawls_added_or_changed(research_archive, tmp_path):
    expected = changed_paths(research_archive.after)
    assert len(expected) == 15  # 5 new, 3 edited, 4 with a comment added, 3 with one removed
    jsonl = export(research_archive.db_path, "jsonl", "-", "--since-crawl", "1")
    records = [json.loads(line) for line in jsonl.stdout.splitlines()]
    assert {urlsplit(r["canonical_url"]).path for r in records} == expected
    assert jsonl.stderr.decode() == ("wrote 15 articles new or changed after crawl 1 to standard output "
                                     "(next incremental export: --since-crawl 2)\n")

    parquet = export(research_archive.db_path, "parquet", "-", "--since-crawl", "1")
    assert sorted(pq.read_table(pa.BufferReader(parquet.stdout)).column("id").to_pylist()) == \
        sorted(r["id"] for r in records)
    versions = export(research_archive.db_path, "csv", "-", "--since-crawl", "1", "--table", "article_versions")
    rows = list(csv.DictReader(io.StringIO(versions.stdout.decode(), newline="")))
    assert sorted((int(r["article_id"]), r["version"]) for r in rows) == sorted(
        [(r["id"], "1") for r in records] + [(r["id"], "2") for r in records if r["version_count"] == 2])
    assert len(rows) == 15 + 3  # version 1 of each, version 2 of the 3 edited

    nothing = export(research_archive.db_path, "jsonl", tmp_path / "none.jsonl", "--since-crawl", "2")
    assert (tmp_path / "none.jsonl").read_bytes() == b""
    assert nothing.stdout.decode().startswith("wrote 0 articles new or changed after crawl 2 to ")


def test_the_next_incremental_export_starts_before_a_crawl_still_running(research_archive, tmp_path):
    """Crawl 2 still running when the export starts: what it stores after the export read must be
    in the next export, so the next --since-crawl is 1, not 2."""
    path = copy_of(research_archive, tmp_path)
    archive = open_archive(path)
    with archive.write() as db:
        db.execute("UPDATE crawls SET finished_at = NULL WHERE id = 2")
    archive.close()
    result = export(path, "jsonl", tmp_path / "articles.jsonl", "--since-crawl", "1")
    assert result.stdout.decode() == (f"wrote 15 articles new or changed after crawl 1 to {tmp_path}/articles.jsonl "
                                      "(next incremental export: --since-crawl 1)\n")


def test_since_crawl_of_no_crawl_is_a_usage_error(research_archive, tmp_path):
    out = tmp_path / "articles.csv"
    result = newsarchive("export", "csv", "--db", str(research_archive.db_path), "--out", str(out),
                         "--since-crawl", "9")
    assert result.returncode == 2
    assert result.stderr.decode().splitlines()[-1] == (
        f"Error: Invalid value for '--since-crawl': no crawl 9 in {research_archive.db_path} (its crawls are 1 to 2)")
    assert list(tmp_path.iterdir()) == []


def test_an_export_never_replaces_the_archive_itself(research_archive, tmp_path):
    path = copy_of(research_archive, tmp_path)
    before = path.read_bytes()
    for kind in ("jsonl", "sqlite"):
        result = newsarchive("export", kind, "--db", str(path), "--out", str(path))
        assert result.returncode == 1
        assert result.stderr.decode() == f"Error: cannot write {path}: it is the archive itself\n"
    assert path.read_bytes() == before


# export sqlite ------------------------------------------------------------------------------------

def table_counts(path: Path) -> dict[str, int]:
    db = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
    names = [row[0] for row in db.execute("SELECT name FROM sqlite_master WHERE type = 'table' "
                                          "AND sql NOT LIKE 'CREATE VIRTUAL%' ORDER BY name")]
    return {name: db.execute(f'SELECT count(*) FROM "{name}"').fetchone()[0] for name in names}


def test_sqlite_copy_is_one_read_only_openable_file_equal_to_the_archive(research_archive, tmp_path):
    shared = tmp_path / "shared"
    shared.mkdir()
    out = shared / "copy.db"
    result = export(research_archive.db_path, "sqlite", out)
    assert sorted(p.name for p in shared.iterdir()) == ["copy.db"]  # no -wal, -shm or partial file
    manifest = research_archive.after  # every comment on the site, and those removed (kept in the archive)
    comments = sum(len(a["comments"]) for a in manifest["articles"]) + len(manifest["changes"]["comments_removed"])
    captures = table_counts(research_archive.db_path)["captures"]
    assert result.stdout.decode() == (f"wrote {out} ({out.stat().st_size:,} bytes, journal_mode delete): "
                                      f"{ARTICLES} articles, {comments} comments, {captures} captures\n")
    read_only = sqlite3.connect(f"{out.as_uri()}?mode=ro", uri=True)
    assert read_only.execute("PRAGMA journal_mode").fetchone()[0] == "delete"
    assert read_only.execute("PRAGMA quick_check").fetchone()[0] == "ok"
    read_only.close()
    counts = table_counts(out)
    assert counts == table_counts(research_archive.db_path) and counts["articles"] == ARTICLES

    search = ["search", "reconstruction", "--json"]
    assert newsarchive(*search, "--db", str(out)).stdout == newsarchive(*search, "--db", str(research_archive.db_path)).stdout
    stats = newsarchive("stats", "--db", str(out))
    assert stats.returncode == 0 and stats.stdout.decode().startswith(f"{out}: {ARTICLES} articles")
    assert sorted(p.name for p in shared.iterdir()) == ["copy.db"]  # reading it left nothing beside it


def test_sqlite_copy_replaces_an_old_copy_and_its_stale_journal(research_archive, tmp_path):
    out = tmp_path / "copy.db"
    out.write_bytes(b"an older copy")
    (tmp_path / "copy.db-journal").write_bytes(b"a journal that would be replayed into the new copy")
    export(research_archive.db_path, "sqlite", out)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["copy.db"]
    assert table_counts(out)["articles"] == ARTICLES


@pytest.mark.parametrize("out, code, message", [
    ("-", 2, "Error: Invalid value for '--out': an SQLite copy needs a file name, not standard output"),
    ("no/such/folder/copy.db", 1, "Error: cannot write {tmp}/no/such/folder/copy.db: the folder "
                                  "{tmp}/no/such/folder does not exist"),
])
def test_sqlite_copy_refusals_leave_nothing(research_archive, tmp_path, out, code, message):
    target = out if out == "-" else str(tmp_path / out)
    result = newsarchive("export", "sqlite", "--db", str(research_archive.db_path), "--out", target)
    assert result.returncode == code and result.stdout == b""
    assert result.stderr.decode().splitlines()[-1] == message.format(tmp=tmp_path)
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("kind", ["warc", "wacz"])
def test_a_package_of_captures_to_standard_output_is_refused_and_nothing_written(research_archive, tmp_path, kind):
    # `--out -` wrote a file named "-" in the working folder and said "wrote -".
    result = newsarchive("export", kind, "--db", str(research_archive.db_path), "--out", "-", cwd=tmp_path)
    assert result.returncode == 2 and result.stdout == b""
    assert result.stderr.decode().splitlines()[-1] == (
        f"Error: Invalid value for '--out': {kind.upper()} needs a file name, not standard output")
    assert list(tmp_path.iterdir()) == []


def test_sqlite_copy_of_an_archive_on_read_only_media(research_archive, tmp_path):
    """A WAL archive on a read-only mount (a namespace of its own): opened immutable, copied whole."""
    media = tmp_path / "media"
    media.mkdir()
    archive = copy_of(research_archive, media)
    db = sqlite3.connect(archive)
    assert db.execute("PRAGMA journal_mode=WAL").fetchone()[0] == "wal"
    db.close()  # the last connection: -wal and -shm go, and the file stays in WAL mode
    assert sorted(p.name for p in media.iterdir()) == ["archive.db"]
    out = tmp_path / "shared.db"
    script = (f"mount --bind -o ro {media} {media} && touch {media}/probe 2>/dev/null && exit 9; "
              f"{sys.executable} -m newsarchive.cli export sqlite --db {archive} --out {out}")
    result = subprocess.run(["unshare", "--user", "--map-root-user", "--mount", "sh", "-c", script],
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert result.stderr == f"note: {archive} is on read-only media: opened as an immutable copy\n"
    assert sorted(p.name for p in media.iterdir()) == ["archive.db"]
    assert table_counts(out) == table_counts(research_archive.db_path)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["media", "shared.db"]
