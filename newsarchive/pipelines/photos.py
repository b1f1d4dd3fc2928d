"""PhotoFilesPipeline: download article photos, stored once per content under a directory.

Off by default; on when NEWSARCHIVE_PHOTOS_DIR names a directory (`newsarchive crawl
--photos-dir DIR`). Scrapy's FilesPipeline does the fetching, storing and retries; this subclass
picks the photo URLs of each article, names each file after the SHA-256 of its bytes
(`ab/abcdef....jpg`, so a photo used by many articles, or under many URLs, is one file), and
writes size, type and hash onto the Photo records for the store. Photos the archive already
holds a file for are not fetched again. A photo that cannot be fetched leaves its record without
a file and adds a warning to the article; the crawl goes on.
"""

from __future__ import annotations

import hashlib
import mimetypes
import sqlite3
from pathlib import Path

from scrapy import Request
from scrapy.exceptions import NotConfigured
from scrapy.http.request import NO_CALLBACK
from scrapy.pipelines.files import FilesPipeline

from newsarchive.items import Article


class PhotoFilesPipeline(FilesPipeline):
    def __init__(self, photos_dir: str, *, crawler, db_path: str):
        super().__init__(photos_dir, crawler=crawler)
        self.photos_dir = Path(photos_dir)
        self.db_path = db_path
        self.downloaded: dict[str, dict] = {}  # request URL -> sha256, size, type of its file

    @classmethod
    def from_crawler(cls, crawler):
        photos_dir = crawler.settings.get("NEWSARCHIVE_PHOTOS_DIR")
        if not photos_dir:
            raise NotConfigured("photo downloads are off (NEWSARCHIVE_PHOTOS_DIR)")
        cls._update_stores(crawler.settings)
        return cls(photos_dir, crawler=crawler, db_path=crawler.settings.get("NEWSARCHIVE_DB_PATH"))

    def get_media_requests(self, item, info):
        if not isinstance(item, Article):
            return []
        stored = self.stored_files([photo.url for photo in item.photos])
        requests = []
        for photo in item.photos:
            if photo.url in stored:
                photo.file_path, photo.file_size, photo.file_type, photo.file_sha256 = stored[photo.url]
            else:
                requests.append(Request(photo.url, callback=NO_CALLBACK))
        return requests

    def file_path(self, request, response=None, info=None, *, item=None) -> str:
        if response is None:  # asked before the download, to look for a stored copy: never one
            return f"pending/{hashlib.sha1(request.url.encode()).hexdigest()}"
        digest = hashlib.sha256(response.body).hexdigest()
        content_type = response.headers.get(b"Content-Type", b"").decode("latin-1").split(";")[0].strip() or None
        extension = mimetypes.guess_extension(content_type or "") or Path(request.url).suffix[:5] or ""
        self.downloaded[request.url] = {"sha256": digest, "size": len(response.body), "type": content_type}
        return f"{digest[:2]}/{digest}{extension}"

    def item_completed(self, results, item, info):
        if not isinstance(item, Article):
            return item
        by_url = {result["url"]: result for ok, result in results if ok}
        failed = [photo.url for photo in item.photos if photo.file_sha256 is None and photo.url not in by_url]
        for photo in item.photos:
            result = by_url.get(photo.url)
            meta = self.downloaded.pop(photo.url, None)
            if result and meta:
                photo.file_path, photo.file_size = result["path"], meta["size"]
                photo.file_type, photo.file_sha256 = meta["type"], meta["sha256"]
        for url in failed:
            item.warnings.append(f"photo not downloaded: {url}")
            self.crawler.stats.inc_value("newsarchive/photos/failed_count")
        return item

    def stored_files(self, urls: list[str]) -> dict[str, tuple]:
        """Files the archive already has for these photo URLs, still present on disk."""
        if not urls or not Path(self.db_path).is_file():
            return {}
        with sqlite3.connect(self.db_path) as db:
            try:
                rows = db.execute(
                    f"SELECT url, file_path, file_size, file_type, file_sha256 FROM photos WHERE file_sha256 IS NOT NULL "
                    f"AND url IN ({', '.join('?' for _ in urls)})", urls).fetchall()
            except sqlite3.OperationalError:  # not migrated yet
                return {}
        return {row[0]: row[1:] for row in rows if (self.photos_dir / row[1]).is_file()}
