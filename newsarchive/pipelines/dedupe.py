"""DedupePipeline: one article once per crawl, whatever URL it was reached by.

The second page of an article this crawl already stored (another URL, the same canonical URL
and the same title and body) becomes an ArticleDuplicate: the store links its URL to the article
and counts the page as unchanged. A page that declares the canonical URL of a different story
(a template's og:url pointing at a section, say) is no duplicate: it keeps its own URL as its
canonical one, with a warning. So does a page whose canonical URL is a listing page of this crawl
(a section, an archive page, a feed), where a template points every story: such a canonical would
make each story of the section look like a new version of the first one stored under it. A resumed
crawl starts out knowing the articles and listing pages the interrupted crawl stored
(`crawl_started`), so it ends with the archive it would have given had it never stopped.
Across crawls the archive's keys do the same (an article row per canonical URL, photos per
article and URL, comments per article and comment key): a second crawl adds no rows; and the
store keeps apart a story new to the archive that names a stored one's canonical URL without
sharing its text (archive/store.py, _another_story).
"""

from __future__ import annotations

from newsarchive import signals as newsarchive_signals
from newsarchive.archive.queries import articles_settled_by_crawl, listings_settled_by_crawl
from newsarchive.archive.store import content_hash
from newsarchive.items import Article, ArticleDuplicate, ListingPage, PageResult
from newsarchive.parsers.urls import canonicalise_url
from newsarchive.pipelines import update_articles


class DedupePipeline:
    def __init__(self, stats):
        self.stats = stats
        self.seen_keys: dict[str, str] = {}  # URL or canonical URL -> content hash
        self.listing_urls: set[str] = set()  # this crawl's listing pages (sections, feeds, sitemaps), canonical

    @classmethod
    def from_crawler(cls, crawler):
        pipeline = cls(crawler.stats)
        crawler.signals.connect(pipeline.crawl_started, signal=newsarchive_signals.crawl_started)
        return pipeline

    def crawl_started(self, crawl_id: int, archive, settled: list[str]) -> None:
        """The store pipeline opened the crawl; `settled` are the URLs the crawl it resumed was done
        with, whose articles are this crawl's already."""
        if settled:
            self.seen_keys.update(articles_settled_by_crawl(archive.conn, crawl_id))
            self.listing_urls.update(map(canonicalise_url, listings_settled_by_crawl(archive.conn, crawl_id)))

    def process_item(self, item):
        # A listing's page passes here before the stories it links to are fetched.
        if isinstance(item, PageResult):
            self.listing_urls.update(canonicalise_url(record.url) for record in item.records
                                     if isinstance(record, ListingPage))
        return update_articles(item, self.dedupe, "dedupe", self.stats)

    def dedupe(self, article: Article) -> Article | ArticleDuplicate:
        digest = content_hash(article.title, article.body_text)
        canonical = article.canonical_url or article.url
        if canonical != article.url and canonical in self.listing_urls:
            article.warnings.append(f"canonical_url: {canonical} is a listing page of this crawl, not a story; "
                                    "kept this page's own URL")
            article.canonical_url = canonical = article.url
            self.stats.inc_value("newsarchive/dedupe/listing_canonical_count")
        if article.url in self.seen_keys or self.seen_keys.get(canonical) == digest:
            self.stats.inc_value("newsarchive/dedupe/duplicate_count")
            if article.url in self.seen_keys:  # the very page, reached again by way of another URL
                return ArticleDuplicate(article.url, article.url, same_page=(article.title or "", digest))
            return ArticleDuplicate(article.url, canonical)
        if canonical in self.seen_keys:  # another story under the same canonical URL
            article.warnings.append(f"canonical_url: {canonical} is the canonical URL of another story "
                                    "in this crawl; kept this page's own URL")
            article.canonical_url = canonical = article.url
            self.stats.inc_value("newsarchive/dedupe/shared_canonical_count")
        self.seen_keys[canonical] = self.seen_keys[article.url] = digest
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
