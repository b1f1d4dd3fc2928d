"""Photo downloads: off by default; on, every photo of the demo site stored once by content hash."""

from __future__ import annotations

import hashlib
import json
import sqlite3
import zlib
from pathlib import Path

from tests.conftest import SiteHandler, run_cli, serve_handler

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


def test_photo_files_that_cannot_be_written_are_said_once_kept_in_captures_and_fetched_again_with_full(
        demo_site, tmp_path):
    db_path, photos_dir = tmp_path / "archive.db", tmp_path / "photos"
    # A file where the directory of every hash from 0 to 7 must go: those files cannot be written,
    # as on a full disk or a directory turned read-only (which root, running CI, would still write).
    blocked = [photos_dir / f"{first}{second}" for first in "01234567" for second in "0123456789abcdef"]
    photos_dir.mkdir()
    for blocker in blocked:
        blocker.write_bytes(b"")
    result = run_cli("crawl", "diyaruna", "--db", str(db_path), "--base-url", demo_site.base_url, "--allow-private",
                     "--locales", "ar", "--photos-dir", str(photos_dir), *SETTINGS)
    assert result.returncode == 0, result.stderr[-3000:]  # every page and photo is archived
    assert "Traceback" not in result.stderr
    assert [line.split("] ", 1)[1] for line in result.stderr.splitlines() if "ERROR" in line] == [
        f"ERROR: cannot write photo files to {photos_dir}: FileExistsError: File exists; their bytes stay in "
        f"the archive's captures, and `newsarchive crawl --full` downloads them again"]
    rows = {row["url"]: row for row in photo_rows(db_path)}
    captured = {capture["url"]: capture for capture in photo_captures(db_path)}
    unwritten = {url for url, row in rows.items() if row["file_path"] is None}
    assert unwritten and len(unwritten) < len(rows)
    for url, row in rows.items():
        if url in unwritten:  # the bytes are in the capture, and their hash is one of the blocked
            body = zlib.decompress(captured[url]["body"])
            assert (captured[url]["body_encoding"], captured[url]["body_file"]) == ("zlib", None)
            assert hashlib.sha256(body).hexdigest()[0] in "01234567"
        else:
            assert row["file_sha256"][0] in "89abcdef"
            assert hashlib.sha256((photos_dir / row["file_path"]).read_bytes()).hexdigest() == row["file_sha256"]
    assert f"; {len(unwritten)} photo files not written (--full fetches them again)" \
        in result.stdout
    with sqlite3.connect(db_path) as db:
        warnings = "\n".join(text for (text,) in db.execute("SELECT warnings FROM articles"))
    for url in unwritten:
        assert f"photo file not written: {url} (FileExistsError: File exists); its bytes are in the archive's captures" \
            in warnings
    leftovers = [path for path in photos_dir.rglob("*") if path.is_file() and path not in blocked]
    assert sorted(leftovers) == sorted(photos_dir / row["file_path"] for row in rows.values() if row["file_path"])

    for blocker in blocked:
        blocker.unlink()
    crawl(demo_site, db_path, "--locales", "ar", "--photos-dir", str(photos_dir), "--full")
    rows = {row["url"]: row for row in photo_rows(db_path)}
    assert all(row["file_path"] for row in rows.values())
    for url in unwritten:
        assert (photos_dir / rows[url]["file_path"]).read_bytes() == zlib.decompress(captured[url]["body"])


class StoriesSharingOnePhoto(SiteHandler):
    """A section of three stories, each showing the same photo: one URL, one file."""

    PHOTO = b"\xff\xd8\xff\xe0" + bytes(range(256)) * 8 + b"\xff\xd9"
    STORIES = tuple(f"/2024/05/0{n}/harbour-works-part-{n}" for n in range(1, 4))

    def do_GET(self):  # noqa: N802 (the http.server API)
        if self.path == "/news/":
            links = "".join(f"<li><a href='{path}'>Harbour works, part {n}</a></li>" for n, path in enumerate(self.STORIES, 1))
            return self.answer(200, f"<html><head><title>News</title></head><body><h1>News</h1><ul>{links}</ul></body></html>")
        if self.path == "/img/harbour.jpg":
            return self.answer(200, self.PHOTO, **{"Content-Type": "image/jpeg"})
        if self.path in self.STORIES:
            prose = "".join(f"<p>Paragraph {n} of part {self.path[-1]} of the story on the harbour works, with words "
                            f"enough to be prose.</p>" for n in range(6))
            return self.answer(200, f"<html><head><title>Harbour works, part {self.path[-1]}</title></head><body><article>"
                                    f"<h1>Harbour works, part {self.path[-1]}</h1><time datetime='2024-05-01'>1 May 2024"
                                    f"</time><figure><img src='/img/harbour.jpg'><figcaption>The harbour at dawn."
                                    f"</figcaption></figure>{prose}</article></body></html>")
        return self.answer(404, "<html><body><h1>Not found</h1></body></html>")


def crawl_with_photos(handler, tmp_path) -> tuple[Path, Path, str]:
    """A crawl of the site `handler` serves, downloading photos: (archive, photos folder, site's base URL)."""
    db_path, photos_dir = tmp_path / "archive.db", tmp_path / "photos"
    server = serve_handler(handler)
    try:
        result = run_cli("crawl", f"http://127.0.0.1:{server.server_port}/news/", "--db", str(db_path),
                         "--allow-private", "--photos-dir", str(photos_dir), *SETTINGS)
    finally:
        server.shutdown()
    assert result.returncode == 0, result.stderr[-3000:]
    return db_path, photos_dir, f"http://127.0.0.1:{server.server_port}"


def test_a_photo_shown_by_several_stories_of_one_crawl_is_one_file_linked_to_each(tmp_path):
    db_path, photos_dir, _ = crawl_with_photos(StoriesSharingOnePhoto, tmp_path)
    digest = hashlib.sha256(StoriesSharingOnePhoto.PHOTO).hexdigest()
    with sqlite3.connect(db_path) as db:
        assert db.execute("SELECT p.file_path, p.file_sha256, a.warnings FROM photos p JOIN articles a "
                          "ON a.id = p.article_id").fetchall() == [(f"{digest[:2]}/{digest}.jpg", digest, "[]")] * 3
    assert [path.name for path in photos_dir.rglob("*") if path.is_file()] == [f"{digest}.jpg"]


class MovedPhoto(StoriesSharingOnePhoto):
    """The same stories, their photo's URL redirecting twice (an old path, then a CDN's) to the file."""

    def do_GET(self):  # noqa: N802 (the http.server API)
        moves = {"/img/harbour.jpg": "/media/harbour.jpg", "/media/harbour.jpg": "/cdn/v2/harbour.jpg"}
        if self.path in moves:
            self.send_response(301)
            self.send_header("Location", moves[self.path])
            self.send_header("Content-Length", "0")
            self.end_headers()
            return None
        if self.path == "/cdn/v2/harbour.jpg":
            return self.answer(200, self.PHOTO, **{"Content-Type": "image/jpeg"})
        return super().do_GET()


def test_a_photo_whose_url_redirects_is_followed_to_its_file_and_each_hop_kept(tmp_path):
    # Scrapy's media pipelines stop at a redirect: the photo was "not downloaded" and its <img>
    # replayed as a redirect to nothing.
    db_path, _, base = crawl_with_photos(MovedPhoto, tmp_path)
    digest = hashlib.sha256(MovedPhoto.PHOTO).hexdigest()
    with sqlite3.connect(db_path) as db:
        assert db.execute("SELECT p.url, p.file_sha256, a.warnings FROM photos p JOIN articles a "
                          "ON a.id = p.article_id").fetchall() == [(f"{base}/img/harbour.jpg", digest, "[]")] * 3
        captures = db.execute("SELECT kind, url, status, location FROM captures WHERE kind IN ('photo', 'redirect') "
                              "ORDER BY id").fetchall()
    assert captures == [("redirect", f"{base}/img/harbour.jpg", 301, f"{base}/media/harbour.jpg"),
                        ("redirect", f"{base}/media/harbour.jpg", 301, f"{base}/cdn/v2/harbour.jpg"),
                        ("photo", f"{base}/cdn/v2/harbour.jpg", 200, None)]
