"""DedupePipeline: one article once per crawl, whatever URL it was reached by.

The second page of an article this crawl already stored (another URL, the same canonical URL
and the same title and body) becomes an ArticleDuplicate: the store links its URL to the article
and counts the page as unchanged. A page that declares the canonical URL of a different story
(a template's og:url pointing at a section, say) is no duplicate: it keeps its own URL as its
canonical one, with a warning. So does a page whose canonical URL is a listing page of this crawl
(a section, an archive page, a feed), where a template points every story: such a canonical would
make each story of the section look like a new version of the first one stored under it. A link
that redirects to the site's front page or to one of this crawl's listings (a start URL, a
section, its pages) leads to no story: a story taken down and sent to its section or home is a
`not_the_story` failure of its URL (led_away), where it was stored as an article "News". A resumed
crawl starts out knowing the articles and listing pages the interrupted crawl stored
(`crawl_started`), so it ends with the archive it would have given had it never stopped.
Across crawls the archive's keys do the same (an article row per canonical URL, photos per
article and URL, comments per article and comment key): a second crawl adds no rows; and the
store keeps apart a story new to the archive that names a stored one's canonical URL without
sharing its text (archive/store.py, _another_story).
"""

from __future__ import annotations

from urllib.parse import urlsplit

from newsarchive import signals as newsarchive_signals
from newsarchive.archive.queries import articles_settled_by_crawl, listings_settled_by_crawl
from newsarchive.archive.store import content_hash
from newsarchive.items import Article, ArticleDuplicate, ListingPage, PageFailure, PageResult
from newsarchive.parsers.urls import canonicalise_url
from newsarchive.pipelines import update_articles


class DedupePipeline:
    def __init__(self, stats):
        self.stats = stats
        self.seen_pages: dict[str, str] = {}  # URL of a page this crawl stored -> content hash
        self.seen_keys: dict[str, str] = {}  # article key (canonical URL) of those pages -> content hash
        self.listing_urls: set[str] = set()  # this crawl's listing pages (sections, feeds, sitemaps), canonical

    @classmethod
    def from_crawler(cls, crawler):
        pipeline = cls(crawler.stats)
        crawler.signals.connect(pipeline.crawl_started, signal=newsarchive_signals.crawl_started)
        return pipeline

    def open_spider(self, spider=None):
        # The start URLs are listings before their pages are stored: a story's URL asked for
        # again at the start of the crawl may redirect to one first.
        self.listing_urls.update(filter(None, map(canonicalise_url, getattr(spider, "start_urls", None) or [])))

    def crawl_started(self, crawl_id: int, archive, settled: list[str]) -> None:
        """The store pipeline opened the crawl; `settled` are the URLs the crawl it resumed was done
        with, whose articles are this crawl's already."""
        if settled:
            pages, keys = articles_settled_by_crawl(archive.conn, crawl_id)
            self.seen_pages.update(pages)
            self.seen_keys.update(keys)
            self.listing_urls.update(map(canonicalise_url, listings_settled_by_crawl(archive.conn, crawl_id)))

    def process_item(self, item):
        # A listing's page passes here before the stories it links to are fetched.
        if isinstance(item, PageResult):
            self.listing_urls.update(canonicalise_url(record.url) for record in item.records
                                     if isinstance(record, ListingPage))
            if item.redirects:
                item.records = [self.led_away(item, record) if isinstance(record, Article) else record
                                for record in item.records]
        return update_articles(item, self.dedupe, "dedupe", self.stats)

    def led_away(self, item: PageResult, article: Article) -> Article | PageFailure:
        """The article a redirect led to, or a `not_the_story` failure of the URL asked for when the
        redirect led to the site's front page or a listing of this crawl: no story."""
        landed = canonicalise_url(article.url) or article.url
        if landed in self.listing_urls:
            where = "a listing page of this crawl"
        elif is_front_page(landed):
            where = "the site's front page"
        else:
            return article
        self.stats.inc_value("newsarchive/dedupe/led_away_count")
        status = item.capture.status if item.capture is not None else None
        return PageFailure(item.url, "not_the_story", f"it now redirects to {article.url}, {where}, not to a story "
                           "(a story taken down is often sent there); any article stored under it keeps its "
                           "versions, and the next crawl asks for it again", status)

    def dedupe(self, article: Article) -> Article | ArticleDuplicate:
        digest = content_hash(article.title, article.body_text)
        canonical = article.canonical_url or article.url
        if canonical != article.url and canonical in self.listing_urls:
            article.warnings.append(f"canonical_url: {canonical} is a listing page of this crawl, not a story; "
                                    "kept this page's own URL")
            article.canonical_url = canonical = article.url
            self.stats.inc_value("newsarchive/dedupe/listing_canonical_count")
        stored_as = self.seen_keys.get(canonical, self.seen_pages.get(canonical))
        if article.url in self.seen_pages or stored_as == digest:
            self.stats.inc_value("newsarchive/dedupe/duplicate_count")
            if article.url in self.seen_pages:  # the very page, reached again by way of another URL
                title = article.title or ""  # pragma: no mutate (a title is there: ValidatePipeline ran first)
                return ArticleDuplicate(article.url, article.url, same_page=(title, digest))
            return ArticleDuplicate(article.url, canonical)
        # The story's own page (its canonical URL), read after another URL of it that showed an
        # older copy (a short link a cache served): its text is the story's, a version; it was
        # taken for the page stored, reached again, and the edit was lost crawl after crawl.
        if stored_as is not None and canonical != article.url:  # another story under the same canonical URL
            article.warnings.append(f"canonical_url: {canonical} is the canonical URL of another story "
                                    "in this crawl; kept this page's own URL")
            article.canonical_url = canonical = article.url
            self.stats.inc_value("newsarchive/dedupe/shared_canonical_count")
        self.seen_keys[canonical] = self.seen_pages[article.url] = digest
        return dedupe_parts(article)


def is_front_page(url: str) -> bool:
    """Whether a URL is a site's front page: its root, with no query (`/?p=7` is a WordPress post).

    >>> is_front_page("https://news.example/"), is_front_page("https://news.example/?p=7")
    (True, False)
    """
    parts = urlsplit(url)
    return parts.path in ("", "/") and not parts.query


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
