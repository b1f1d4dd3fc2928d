"""PhotoFilesPipeline: download article photos, stored once per content under a directory.

Off by default; on when NEWSARCHIVE_PHOTOS_DIR names a directory (`newsarchive crawl
--photos-dir DIR`). Scrapy's FilesPipeline does the fetching, storing and retries; this subclass
picks the photo URLs of each article, names each file after the SHA-256 of its bytes
(`ab/abcdef....jpg`, so a photo used by many articles, or under many URLs, is one file), and
writes size, type and hash onto the Photo records for the store. Photos the archive already
holds a file for are not fetched again, nor are photos outside the crawl's origins
(newsarchive/scope.py). A photo that cannot be fetched leaves its record without a file and adds
a warning to the article; the crawl goes on.

A file is written whole or not at all: into a temporary file beside it, then renamed, so that a
crawl killed mid-write, or a disk that fills, leaves no truncated file under a hash name. A file
that cannot be written (a full disk, a read-only directory) is said once, in one line; each such
photo keeps its bytes in its capture (unless captures are off) and gets a warning, and a crawl
with --full (which reads every article again) downloads it again.

Every photo response is also a capture of kind `photo` (newsarchive/archive/capture_writer.py),
so a WARC export replays the photos: its body is not stored twice, the capture names its file
under the photos directory (`body_file`); a response that gave no file (a 404) keeps its body
in the capture itself.
"""

from __future__ import annotations

import hashlib
import logging
import mimetypes
import os
import tempfile
from pathlib import Path

from scrapy import Request
from scrapy.exceptions import NotConfigured
from scrapy.http.request import NO_CALLBACK
from scrapy.pipelines.files import FilesPipeline

from newsarchive.archive.capture_writer import CaptureWriter
from newsarchive.archive.queries import ArchiveLookup
from newsarchive.items import PageResult
from newsarchive.middlewares.pageresult import REDIRECTS_META, capture_of

logger = logging.getLogger(__name__)


def write_whole(path: Path, body: bytes) -> None:
    """Write the file under its final name only once all of it is written."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".part")  # pragma: no mutate (the name of a file that lives for one write)
    try:
        with os.fdopen(handle, "wb") as file:
            file.write(body)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink()  # there until the rename, which is the last step
        raise


class PhotoFilesPipeline(FilesPipeline):
    def __init__(self, photos_dir: str, *, crawler, db_path: str):
        super().__init__(photos_dir, crawler=crawler)
        self.photos_dir = Path(photos_dir)
        self.lookup = ArchiveLookup(db_path)
        # request URL -> sha256, size, type of its file; and why it could not be written: from
        # file_path and file_downloaded to the end of media_downloaded, which puts them in its result.
        self.downloaded: dict[str, dict] = {}
        self.unwritten: dict[str, str] = {}
        self.captures = CaptureWriter.from_crawler(crawler)

    @classmethod
    def from_crawler(cls, crawler):
        photos_dir = crawler.settings.get("NEWSARCHIVE_PHOTOS_DIR")
        if not photos_dir:
            raise NotConfigured("photo downloads are off (NEWSARCHIVE_PHOTOS_DIR)")
        cls._update_stores(crawler.settings)
        return cls(photos_dir, crawler=crawler, db_path=crawler.settings.get("NEWSARCHIVE_DB_PATH"))

    def close_spider(self):
        self.lookup.close()

    def get_media_requests(self, item, info):
        if not isinstance(item, PageResult):
            return []
        requests = []
        for article in item.articles():
            stored = self.lookup.stored_photo_files([photo.url for photo in article.photos], self.photos_dir)
            for photo in article.photos:
                if photo.url in stored:
                    photo.file_path, photo.file_size, photo.file_type, photo.file_sha256 = stored[photo.url]
                elif not self.in_scope(photo.url):
                    article.warnings.append(f"photo not downloaded: {photo.url} is outside the crawl's scope")
                    self.crawler.stats.inc_value("newsarchive/photos/offsite_count")
                else:
                    requests.append(Request(photo.url, callback=NO_CALLBACK))
        return requests

    def in_scope(self, url: str) -> bool:
        scope = getattr(self.crawler.spider, "scope", None)
        return scope is None or scope.allows(url)

    def file_path(self, request, response=None, info=None, *, item=None) -> str:
        if response is None:  # asked before the download, to look for a stored copy: never one
            return f"pending/{hashlib.sha1(request.url.encode()).hexdigest()}"
        digest = hashlib.sha256(response.body).hexdigest()
        header = response.headers.get(
            b"Content-Type",  # pragma: no mutate (Scrapy's headers read names in any case)
            b"",
        ).decode(
            "latin-1",  # pragma: no mutate (codec names are read in any case)
        )
        content_type = header.split(";")[0].strip() or None
        known = mimetypes.guess_extension(content_type) if content_type else None
        extension = known or Path(request.url).suffix[:5] or ""
        self.downloaded[request.url] = {"sha256": digest, "size": len(response.body), "type": content_type}
        return f"{digest[:2]}/{digest}{extension}"

    async def media_downloaded(self, response, request, info, *, item=None):
        """Store the file (FilesPipeline), and the response as a capture naming it. The result,
        which FilesPipeline keeps for every later article showing the same photo, carries the
        file's sha256, size and type, and why its file was not written, if it was not."""
        capture = capture_of(response)
        for hop in response.request.meta.get(REDIRECTS_META, ()) if response.request is not None else ():
            self.captures.write(hop, "redirect")  # the redirects followed to the file (MEDIA_ALLOW_REDIRECTS)
        try:
            result = await super().media_downloaded(response, request, info, item=item)
        except Exception:
            self.captures.write(capture, "photo")  # no file was made: the body is kept in the archive
            raise
        details = self.downloaded.pop(request.url)
        unwritten = self.unwritten.pop(request.url, None)
        self.captures.write(capture, "photo", body_file=None if unwritten else result["path"])
        return {**result, **details, "unwritten": unwritten}

    def file_downloaded(self, response, request, info, *, item=None) -> str:
        """Write the photo's file whole (write_whole), and return the checksum FilesPipeline keeps
        in its result: the file's sha256, which names it. A file that cannot be written is noted
        (unwritten) rather than raised: FilesPipeline would log two tracebacks for each photo of a
        full disk."""
        path = self.file_path(request, response=response, info=info, item=item)  # pragma: no mutate (file_path reads no info)
        try:
            write_whole(self.photos_dir / path, response.body)
        except OSError as error:
            why = f"{type(error).__name__}: {error.strerror or error}"
            if not self.crawler.stats.get_value("newsarchive/photos/unwritten_count"):
                kept = "their bytes stay in the archive's captures, and " if self.captures.enabled else ""
                logger.error(f"cannot write photo files to {self.photos_dir}: {why}; {kept}"
                             f"`newsarchive crawl --full` downloads them again")
            self.unwritten[request.url] = why
            self.crawler.stats.inc_value("newsarchive/photos/unwritten_count")
        return self.downloaded[request.url]["sha256"]

    def item_completed(self, results, item, info):
        if not isinstance(item, PageResult):
            return item
        by_url = {result["url"]: result for ok, result in results if ok}
        for article in item.articles():
            self.attach_files(article, by_url)
        return item

    def attach_files(self, article, by_url: dict) -> None:
        requested = [photo for photo in article.photos if photo.file_sha256 is None and self.in_scope(photo.url)]
        for photo in requested:
            result = by_url.get(photo.url)
            if result and result.get("unwritten"):
                kept = "; its bytes are in the archive's captures" if self.captures.enabled else ""
                article.warnings.append(f"photo file not written: {photo.url} ({result['unwritten']}){kept}")
            elif result and result.get("sha256"):
                photo.file_path, photo.file_size = result["path"], result["size"]
                photo.file_type, photo.file_sha256 = result["type"], result["sha256"]
            else:
                article.warnings.append(f"photo not downloaded: {photo.url}")
                self.crawler.stats.inc_value("newsarchive/photos/failed_count")
