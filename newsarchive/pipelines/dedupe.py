"""DedupePipeline: one article once per crawl, whatever URL it was reached by.

The second page of an article this crawl already stored (another URL, the same canonical URL)
becomes an ArticleDuplicate: the store links its URL to the article and counts the page as
unchanged. Across crawls the archive's keys do the same (an article row per canonical URL,
photos per article and URL, comments per article and comment key): a second crawl adds no rows.
"""

from __future__ import annotations

from newsarchive.items import Article, ArticleDuplicate
from newsarchive.pipelines import update_articles


class DedupePipeline:
    def __init__(self, stats):
        self.stats = stats
        self.seen_keys: set[str] = set()

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler.stats)

    def process_item(self, item):
        return update_articles(item, self.dedupe, "dedupe", self.stats)

    def dedupe(self, article: Article) -> Article | ArticleDuplicate:
        keys = {article.canonical_url or article.url, article.url}
        if keys & self.seen_keys:
            self.stats.inc_value("newsarchive/dedupe/duplicate_count")
            return ArticleDuplicate(article.url, article.canonical_url or article.url)
        self.seen_keys |= keys
        return dedupe_parts(article)


def dedupe_parts(article: Article) -> Article:
    """Photos by URL, authors by name; a page listing one twice is one record."""
    article.photos = _unique(article.photos, lambda photo: photo.url)
    article.authors = _unique(article.authors, lambda author: author.name)
    for position, author in enumerate(article.authors):
        author.position = position
    return article


def _unique(records: list, key) -> list:
    seen, unique = set(), []
    for record in records:
        if key(record) not in seen:
            seen.add(key(record))
            unique.append(record)
    return unique
