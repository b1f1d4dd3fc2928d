"""PhotoFilesPipeline called in this process, with a real crawler, a real archive and a real photos
folder: crawls run it in a child process, where mutmut cannot see which code a test reached
(docs/testing.md, mutation testing). Every expected value follows from the rules in the module's
docstring: a file is named after the SHA-256 of its bytes, its extension comes from its media type,
else from its URL."""

import asyncio
import errno
import hashlib
import logging
import sqlite3
import subprocess
import sys
import tempfile

import pytest
from scrapy import Request, Spider
from scrapy.exceptions import NotConfigured
from scrapy.http import Response
from scrapy.http.request import NO_CALLBACK
from scrapy.pipelines.media import MediaPipeline
from scrapy.utils.test import get_crawler
from twisted.python.failure import Failure

from newsarchive.archive import open_archive
from newsarchive.archive.store import start_crawl
from newsarchive.items import Article, PageFailure, PageResult, Photo
from newsarchive.pipelines import update_articles
from newsarchive.pipelines.photos import PhotoFilesPipeline, write_whole
from newsarchive.pipelines.store import StorePipeline
from newsarchive.scope import Scope

PAGE = "https://d.example/news/1"
HERE = "https://d.example/img/here.jpg"  # in the crawl's scope
KEPT = "https://d.example/img/kept.jpg"  # its file is in the archive already
AWAY = "https://cdn.elsewhere.example/away.jpg"  # outside the crawl's scope
BYTES = b"abc"
BYTES_SHA256 = "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"  # sha256("abc"), FIPS 180-2


class ScopedSpider(Spider):
    name = "scoped"
    scope = Scope([PAGE])


def crawler_for(tmp_path, spider=None, **settings):
    base = {"NEWSARCHIVE_DB_PATH": str(tmp_path / "archive.db"), "NEWSARCHIVE_PHOTOS_DIR": str(tmp_path / "photos")}
    crawler = get_crawler(Spider, {**base, **settings})
    crawler.spider = spider or ScopedSpider()
    crawler.stats.open_spider()
    return crawler


def pipeline_for(tmp_path, spider=None, **settings) -> PhotoFilesPipeline:
    return PhotoFilesPipeline.from_crawler(crawler_for(tmp_path, spider, **settings))


def article(*urls) -> Article:
    return Article(PAGE, title="News", body_text="Text.", photos=[Photo(url, position) for position, url in enumerate(urls)])


def files_of(photo) -> tuple:
    return photo.file_path, photo.file_size, photo.file_type, photo.file_sha256


def store_kept_photo(tmp_path, on_disk=True) -> None:
    """An earlier crawl stored KEPT's file as ab/abc.png (3 bytes, image/png, sha256 "abc")."""
    stored = article(KEPT)
    stored.photos[0].file_path, stored.photos[0].file_size = "ab/abc.png", 3
    stored.photos[0].file_type, stored.photos[0].file_sha256 = "image/png", "abc"
    crawler = crawler_for(tmp_path)
    store = StorePipeline.from_crawler(crawler)
    store.open_spider()
    store.process_item(PageResult(PAGE, [stored]))
    store.close_spider()
    store.spider_closed(crawler.spider, "finished")
    if on_disk:
        (tmp_path / "photos" / "ab").mkdir(parents=True)
        (tmp_path / "photos" / "ab" / "abc.png").write_bytes(BYTES)


def response(url, body=BYTES, status=200, content_type=None) -> Response:
    headers = {"Content-Type": content_type} if content_type is not None else {}
    return Response(url, status=status, headers=headers, body=body, request=Request(url))


# from_crawler


@pytest.mark.parametrize("photos_dir", [None, ""])
def test_without_a_photos_dir_the_pipeline_is_off(tmp_path, photos_dir):
    with pytest.raises(NotConfigured) as error:
        pipeline_for(tmp_path, NEWSARCHIVE_PHOTOS_DIR=photos_dir)
    assert str(error.value) == "photo downloads are off (NEWSARCHIVE_PHOTOS_DIR)"


def test_from_crawler_reads_the_photos_dir_and_the_archive(tmp_path):
    crawler = crawler_for(tmp_path)
    pipeline = PhotoFilesPipeline.from_crawler(crawler)
    assert pipeline.photos_dir == tmp_path / "photos"
    assert pipeline.store.basedir == str(tmp_path / "photos")  # FilesPipeline stores there
    assert pipeline.lookup.db_path == tmp_path / "archive.db"
    assert pipeline.crawler is crawler
    assert pipeline.downloaded == {}
    assert pipeline.captures.stats is crawler.stats


def test_close_spider_closes_the_archive_lookup(tmp_path):
    store_kept_photo(tmp_path)
    pipeline = pipeline_for(tmp_path)
    pipeline.get_media_requests(PageResult(PAGE, [article(KEPT)]), None)
    assert pipeline.lookup._conn is not None
    pipeline.close_spider()
    assert pipeline.lookup._conn is None


# get_media_requests


def test_only_pages_ask_for_photos(tmp_path):
    assert pipeline_for(tmp_path).get_media_requests(article(HERE), None) == []


def test_each_photo_is_taken_from_the_archive_refused_or_requested(tmp_path):
    store_kept_photo(tmp_path)
    pipeline = pipeline_for(tmp_path)
    page = article(KEPT, AWAY, HERE)
    requests = pipeline.get_media_requests(PageResult(PAGE, [page]), None)
    assert [(request.url, request.callback) for request in requests] == [(HERE, NO_CALLBACK)]
    kept, away, here = page.photos
    assert files_of(kept) == ("ab/abc.png", 3, "image/png", "abc")
    assert files_of(away) == files_of(here) == (None, None, None, None)
    assert page.warnings == [f"photo not downloaded: {AWAY} is outside the crawl's scope"]
    assert pipeline.crawler.stats.get_value("newsarchive/photos/offsite_count") == 1


def test_a_stored_photo_whose_file_is_gone_is_fetched_again(tmp_path):
    store_kept_photo(tmp_path, on_disk=False)
    requests = pipeline_for(tmp_path).get_media_requests(PageResult(PAGE, [article(KEPT)]), None)
    assert [request.url for request in requests] == [KEPT]


def test_every_article_of_a_page_asks_for_its_photos(tmp_path):
    second = Article("https://d.example/news/2", photos=[Photo(KEPT, 0)])
    requests = pipeline_for(tmp_path).get_media_requests(PageResult(PAGE, [article(HERE), second]), None)
    assert [request.url for request in requests] == [HERE, KEPT]


def test_a_spider_without_a_scope_fetches_photos_from_anywhere(tmp_path):
    pipeline = pipeline_for(tmp_path, Spider(name="unscoped"))
    page = article(AWAY)
    assert [request.url for request in pipeline.get_media_requests(PageResult(PAGE, [page]), None)] == [AWAY]
    assert page.warnings == []
    assert pipeline.crawler.stats.get_value("newsarchive/photos/offsite_count") is None


# file_path


def test_before_the_download_a_photo_has_a_pending_name_from_its_url(tmp_path):
    pipeline = pipeline_for(tmp_path)
    expected = "pending/" + hashlib.sha1(HERE.encode()).hexdigest()
    assert pipeline.file_path(Request(HERE)) == expected
    assert pipeline.downloaded == {}


@pytest.mark.parametrize("url, content_type, extension, media_type", [
    (HERE, "image/png; charset=binary", ".png", "image/png"),  # the type wins over the URL's .jpg
    (HERE, "image/webp", ".webp", "image/webp"),
    ("https://d.example/img/a.jpeg99", None, ".jpeg", None),  # the URL's suffix, 5 characters at most
    ("https://d.example/img/a.gif", "application/x-no-such-type", ".gif", "application/x-no-such-type"),
    ("https://d.example/img/a.gif", " ; q=1", ".gif", None),  # a blank type is none
    ("https://d.example/img/photo", None, "", None),  # no type, no suffix: no extension
])
def test_a_downloaded_photo_is_named_after_the_sha256_of_its_bytes(tmp_path, url, content_type, extension,
                                                                    media_type):
    pipeline = pipeline_for(tmp_path)
    path = pipeline.file_path(Request(url), response(url, content_type=content_type))
    assert path == f"ba/{BYTES_SHA256}{extension}"
    assert pipeline.downloaded == {url: {"sha256": BYTES_SHA256, "size": 3, "type": media_type}}


def test_a_media_type_is_read_from_the_header_bytes_as_latin_1(tmp_path):
    url = "https://d.example/img/b"
    pipeline = pipeline_for(tmp_path)
    pipeline.file_path(Request(url), response(url, content_type=b"image/x-caf\xe9"))
    assert pipeline.downloaded[url]["type"] == "image/x-caf\u00e9"


# media_downloaded


def capture_rows(tmp_path) -> list[tuple]:
    db = sqlite3.connect(tmp_path / "archive.db")
    return db.execute("SELECT url, status, kind, body_encoding, body_file, body IS NULL FROM captures").fetchall()


class ItemRecordingPipeline(PhotoFilesPipeline):
    """Notes the item FilesPipeline hands to file_path, as it does for any subclass naming files."""

    def file_path(self, request, response=None, info=None, *, item=None):
        self.items_seen.append(item)
        return super().file_path(request, response, info, item=item)


def recording_pipeline(tmp_path) -> PhotoFilesPipeline:
    pipeline = ItemRecordingPipeline.from_crawler(crawler_for(tmp_path, NEWSARCHIVE_CAPTURE_ENABLED=True))
    pipeline.items_seen = []
    archive = open_archive(tmp_path / "archive.db")
    with archive.write() as db:
        crawl_id = start_crawl(db, None, "unit", {}, "2026-01-01T00:00:00Z")
    pipeline.captures.crawl_started(crawl_id, archive)
    return pipeline


def test_a_downloaded_photo_is_stored_once_and_its_capture_names_the_file(tmp_path):
    pipeline = recording_pipeline(tmp_path)
    page = PageResult(PAGE, [article(HERE)])
    info = MediaPipeline.SpiderInfo(pipeline.crawler.spider)
    result = asyncio.run(pipeline.media_downloaded(response(HERE, content_type="image/png"), Request(HERE), info,
                                                   item=page))
    path = f"ba/{BYTES_SHA256}.png"
    assert (result["url"], result["path"]) == (HERE, path)
    assert (result["sha256"], result["size"], result["type"], result["unwritten"]) == (BYTES_SHA256, 3, "image/png", None)
    assert result["checksum"] == BYTES_SHA256  # FilesPipeline's checksum: the hash that names the file
    assert (pipeline.downloaded, pipeline.unwritten) == ({}, {})  # handed on in the result, not kept
    assert (tmp_path / "photos" / path).read_bytes() == BYTES
    assert pipeline.items_seen == [page, page]  # named once to store it, once to report it
    assert capture_rows(tmp_path) == [(HERE, 200, "photo", "file", path, 1)]


def test_a_photo_that_gave_no_file_keeps_its_body_in_the_capture(tmp_path):
    pipeline = recording_pipeline(tmp_path)
    info = MediaPipeline.SpiderInfo(pipeline.crawler.spider)
    with pytest.raises(Exception, match="download-error"):
        asyncio.run(pipeline.media_downloaded(response(HERE, b"gone", status=404), Request(HERE), info))
    assert capture_rows(tmp_path) == [(HERE, 404, "photo", "zlib", None, 0)]
    assert list((tmp_path / "photos").glob("**/*.*")) == []


WRITE_PAST_THE_LIMIT = """import resource, signal, sys
from pathlib import Path
from newsarchive.pipelines.photos import write_whole
signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
resource.setrlimit(resource.RLIMIT_FSIZE, (100_000, 100_000))
try:
    write_whole(Path(sys.argv[1]), b"x" * 300_000)
except OSError as error:
    print(type(error).__name__, error.errno)
"""


def test_a_photo_file_is_written_whole_or_not_at_all(tmp_path, monkeypatch):
    # The temporary file is made beside the photo's (a rename within one filesystem is atomic),
    # not in the system's temporary directory, here one that does not exist.
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path / "no-such-directory"))
    target = tmp_path / "photos" / "ab" / "abcd.jpg"  # its directories made as needed
    write_whole(target, b"first")
    write_whole(target, b"second")  # replaced, never appended to
    assert target.read_bytes() == b"second" and [p.name for p in target.parent.iterdir()] == ["abcd.jpg"]
    # A disk that fills mid-write (here a file-size limit: the first 100 kB are written, then EFBIG)
    # leaves no truncated file under the photo's name, nor the temporary one.
    partial = tmp_path / "cd" / "cdef.jpg"
    done = subprocess.run([sys.executable, "-c", WRITE_PAST_THE_LIMIT, str(partial)], capture_output=True, text=True)
    assert done.stdout.split() == ["OSError", str(errno.EFBIG)], done.stderr
    assert list(partial.parent.iterdir()) == []


def test_a_photo_file_that_cannot_be_written_is_said_once_and_its_bytes_kept_in_its_capture(tmp_path, caplog):
    pipeline = recording_pipeline(tmp_path)
    (tmp_path / "photos").mkdir(exist_ok=True)
    (tmp_path / "photos" / "ba").write_bytes(b"")  # a file where the directory of hashes "ba..." must go
    info = MediaPipeline.SpiderInfo(pipeline.crawler.spider)
    said = (f"cannot write photo files to {tmp_path / 'photos'}: FileExistsError: File exists; their bytes stay in "
            f"the archive's captures, and `newsarchive crawl --full` downloads them again")
    results = []
    for url in (HERE, KEPT):  # the same bytes under two URLs: the same file, twice refused, said at the first
        with caplog.at_level(logging.ERROR):
            results.append(asyncio.run(pipeline.media_downloaded(response(url, content_type="image/jpeg"), Request(url),
                                                                 info)))
        assert [record.getMessage() for record in caplog.records] == [said]
    assert [(r["url"], r["path"], r["checksum"], r["sha256"], r["unwritten"]) for r in results] == [
        (url, f"ba/{BYTES_SHA256}.jpg", BYTES_SHA256, BYTES_SHA256, "FileExistsError: File exists") for url in (HERE, KEPT)]
    assert pipeline.crawler.stats.get_value("newsarchive/photos/unwritten_count") == 2
    assert capture_rows(tmp_path) == [(HERE, 200, "photo", "zlib", None, 0), (KEPT, 200, "photo", "zlib", None, 0)]
    assert (pipeline.downloaded, pipeline.unwritten) == ({}, {})


# item_completed and attach_files


def test_only_pages_get_files(tmp_path):
    other = article(HERE)
    assert pipeline_for(tmp_path).item_completed([], other, None) is other
    assert other.warnings == []


def downloaded(url: str, path: str, media_type: str, unwritten: str | None = None) -> dict:
    """A result of media_downloaded: FilesPipeline's, with the file's details."""
    return {"url": url, "path": path, "checksum": "x", "status": "downloaded", "sha256": BYTES_SHA256, "size": 3,
            "type": media_type, "unwritten": unwritten}


def test_each_requested_photo_gets_its_file_or_a_warning(tmp_path):
    pipeline = pipeline_for(tmp_path)
    first, second = article(HERE, AWAY), article(KEPT, "https://d.example/img/lost.jpg")
    stored = Photo("https://d.example/img/old.png", 2, file_path="cd/cd.png", file_size=9, file_type="image/png",
                   file_sha256="cd")
    second.photos.append(stored)
    page = PageResult(PAGE, [first, second])
    results = [
        (True, downloaded(HERE, "ba/here.jpg", "image/jpeg")),
        (True, downloaded(KEPT, "ba/kept.gif", "image/gif")),
        (False, Failure(ValueError("download-error"))),
    ]
    assert pipeline.item_completed(results, page, None) is page
    assert files_of(first.photos[0]) == ("ba/here.jpg", 3, "image/jpeg", BYTES_SHA256)
    assert files_of(second.photos[0]) == ("ba/kept.gif", 3, "image/gif", BYTES_SHA256)
    assert files_of(first.photos[1]) == files_of(second.photos[1]) == (None, None, None, None)
    assert files_of(stored) == ("cd/cd.png", 9, "image/png", "cd")
    assert first.warnings == []  # the out-of-scope photo was warned of when it was refused
    assert second.warnings == ["photo not downloaded: https://d.example/img/lost.jpg"]
    assert pipeline.crawler.stats.get_value("newsarchive/photos/failed_count") == 1
    # FilesPipeline hands the same result to every later article showing the photo: it gets the file too.
    later = article(HERE)
    assert pipeline.item_completed(results[:1], PageResult(PAGE, [later]), None)
    assert (files_of(later.photos[0]), later.warnings) == (("ba/here.jpg", 3, "image/jpeg", BYTES_SHA256), [])


def test_a_photo_whose_file_was_not_written_gets_a_warning_naming_why(tmp_path):
    pipeline = pipeline_for(tmp_path, NEWSARCHIVE_CAPTURE_ENABLED=True)
    page = article(HERE)
    pipeline.attach_files(page, {HERE: downloaded(HERE, "ba/here.jpg", "image/jpeg", "OSError: No space left on device")})
    assert files_of(page.photos[0]) == (None, None, None, None)
    assert page.warnings == [f"photo file not written: {HERE} (OSError: No space left on device); "
                             f"its bytes are in the archive's captures"]
    assert pipeline.crawler.stats.get_value("newsarchive/photos/failed_count") is None  # counted as unwritten


def test_without_captures_a_photo_whose_file_was_not_written_is_not_said_to_be_kept(tmp_path, caplog):
    pipeline = pipeline_for(tmp_path, NEWSARCHIVE_CAPTURE_ENABLED=False)
    page = article(HERE)
    pipeline.attach_files(page, {HERE: downloaded(HERE, "ba/here.jpg", "image/jpeg", "OSError: No space left on device")})
    assert page.warnings == [f"photo file not written: {HERE} (OSError: No space left on device)"]
    (tmp_path / "photos").mkdir(exist_ok=True)
    (tmp_path / "photos" / "ba").write_bytes(b"")
    with caplog.at_level(logging.ERROR):
        pipeline.file_path(Request(HERE), response(HERE))
        pipeline.file_downloaded(response(HERE), Request(HERE), None)
    assert [record.getMessage() for record in caplog.records] == [
        f"cannot write photo files to {tmp_path / 'photos'}: FileExistsError: File exists; "
        f"`newsarchive crawl --full` downloads them again"]


def test_a_result_without_the_file_s_details_is_a_failed_photo(tmp_path):
    pipeline = pipeline_for(tmp_path)
    page = article(HERE)
    pipeline.attach_files(page, {HERE: {"url": HERE, "path": "ba/here.jpg", "checksum": "x", "status": "downloaded"}})
    assert files_of(page.photos[0]) == (None, None, None, None)
    assert page.warnings == [f"photo not downloaded: {HERE}"]


# update_articles (newsarchive/pipelines/__init__.py), the loop every pipeline step runs


def test_each_article_of_a_page_is_worked_on_and_a_failing_one_becomes_a_store_error(tmp_path):
    stats = crawler_for(tmp_path).stats
    refused = PageFailure(PAGE, "http_404", status=404)
    good, bad = article(HERE), Article("https://d.example/news/bad")

    def retitle(record):
        if record is bad:
            raise KeyError("byline")
        record.title = "Worked on"
        return record

    page = PageResult(PAGE, [refused, good, bad])
    assert update_articles(page, retitle, "unit", stats) is page
    assert page.records[:2] == [refused, good]  # a record other than an article is passed over, not an end
    assert good.title == "Worked on"
    failure = page.records[2]
    assert (failure.url, failure.reason) == ("https://d.example/news/bad", "store_error")
    assert failure.detail.startswith("unit: KeyError: 'byline'")
    assert stats.get_value("newsarchive/store_error/unit") == 1


def test_update_articles_passes_anything_but_a_page_on(tmp_path):
    other = article(HERE)
    assert update_articles(other, None, "unit", crawler_for(tmp_path).stats) is other
