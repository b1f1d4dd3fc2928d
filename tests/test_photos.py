"""Photo downloads: off by default; on, every photo of the demo site stored once by content hash."""

from __future__ import annotations

import hashlib
import json
import sqlite3

from tests.conftest import run_cli

SETTINGS = ("-s", "AUTOTHROTTLE_ENABLED=0", "-s", "LOG_LEVEL=WARNING")


def crawl(demo_site, db_path, *options):
    result = run_cli("crawl", "diyaruna", "--db", str(db_path), "--base-url", demo_site.base_url,
                     "--allow-private", *SETTINGS, *options)
    assert result.returncode == 0, result.stderr[-3000:]


def photo_rows(db_path):
    with sqlite3.connect(db_path) as db:
        db.row_factory = sqlite3.Row
        return [dict(row) for row in db.execute("SELECT * FROM photos")]


def test_photos_are_not_downloaded_by_default(demo_site, tmp_path):
    crawl(demo_site, tmp_path / "archive.db", "--locales", "ar")
    rows = photo_rows(tmp_path / "archive.db")
    assert rows and all(row["file_path"] is None and row["file_sha256"] is None for row in rows)


def test_photo_files_are_stored_by_content_hash_and_linked(demo_site, tmp_path):
    db_path, photos_dir = tmp_path / "archive.db", tmp_path / "photos"
    crawl(demo_site, db_path, "--photos-dir", str(photos_dir))
    rows = photo_rows(db_path)
    expected_urls = {demo_site.url(p["path"]) for a in demo_site.manifest["articles"] for p in a["photos"]}
    assert {row["url"] for row in rows} == expected_urls
    for row in rows:
        data = (photos_dir / row["file_path"]).read_bytes()
        assert hashlib.sha256(data).hexdigest() == row["file_sha256"]
        assert row["file_path"] == f"{row['file_sha256'][:2]}/{row['file_sha256']}.jpg"
        assert row["file_size"] == len(data) and row["file_type"] == "image/jpeg"
        assert data.startswith(b"\xff\xd8") and data.endswith(b"\xff\xd9")
    stored_files = [path for path in photos_dir.rglob("*") if path.is_file()]
    assert len(stored_files) == len({row["file_sha256"] for row in rows}) == len(expected_urls)


def photo_captures(db_path):
    with sqlite3.connect(db_path) as db:
        db.row_factory = sqlite3.Row
        return [dict(row) for row in db.execute("SELECT * FROM captures WHERE kind = 'photo' ORDER BY id")]


def test_each_photo_download_is_a_capture_naming_its_file_not_a_second_copy(demo_site, tmp_path):
    db_path, photos_dir = tmp_path / "archive.db", tmp_path / "photos"
    crawl(demo_site, db_path, "--photos-dir", str(photos_dir), "--locales", "ar")
    files = {row["url"]: row for row in photo_rows(db_path)}
    captures = photo_captures(db_path)
    assert sorted(c["url"] for c in captures) == sorted(files)  # one capture a download
    for capture in captures:
        photo = files[capture["url"]]
        assert (capture["status"], capture["content_type"], capture["crawl_id"]) == (200, "image/jpeg", 1)
        assert (capture["body"], capture["body_encoding"], capture["revisit_of"]) == (None, "file", None)
        assert capture["body_file"] == photo["file_path"]
        assert capture["body_digest"] == f"sha256:{photo['file_sha256']}"
        assert capture["body_size"] == photo["file_size"] == (photos_dir / photo["file_path"]).stat().st_size
        assert json.loads(capture["response_headers"])["Content-Length"] == [str(photo["file_size"])]
        assert json.loads(capture["request_headers"])["User-Agent"][0].startswith("newsarchive/")


def test_a_full_recrawl_downloads_no_photo_again(demo_site, tmp_path):
    db_path, photos_dir = tmp_path / "archive.db", tmp_path / "photos"
    crawl(demo_site, db_path, "--photos-dir", str(photos_dir), "--locales", "ar")
    first = {row["url"]: row["file_sha256"] for row in photo_rows(db_path)}
    files = {path: path.stat().st_mtime_ns for path in photos_dir.rglob("*") if path.is_file()}
    crawl(demo_site, db_path, "--photos-dir", str(photos_dir), "--locales", "ar", "--full",
          "-s", "NEWSARCHIVE_STORE_BATCH_SIZE=1")
    assert {row["url"]: row["file_sha256"] for row in photo_rows(db_path)} == first
    assert {path: path.stat().st_mtime_ns for path in photos_dir.rglob("*") if path.is_file()} == files
    assert len(photo_captures(db_path)) == len(first)  # nor captures it again
    with sqlite3.connect(db_path) as db:
        settings = json.loads(db.execute("SELECT settings FROM crawls ORDER BY id DESC LIMIT 1").fetchone()[0])
    assert settings["NEWSARCHIVE_PHOTOS_DIR"] == str(photos_dir.resolve())
