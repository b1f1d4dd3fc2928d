"""StorePipeline: write each page's result to the SQLite archive, in batched transactions.

A PageResult (newsarchive/items.py) is written whole: its records (article, listing, unchanged
revisit or failure), its capture, the URLs it led to (frontier entries) and the settling of its
own frontier entry, in one transaction, inside a savepoint of its own: a page that cannot be
stored becomes a `store_error` failure and the batch goes on. A batch is committed every
NEWSARCHIVE_STORE_BATCH_SIZE pages; a crawl killed between two commits loses only pages that are
still pending in the frontier, which the next run fetches again.

It also keeps the crawl's row in `crawls`: opened when the spider opens (taking over the frontier
of an interrupted crawl of the same site, unless NEWSARCHIVE_FRONTIER_RESUME is off), finished
on the `spider_closed` signal with the finish reason, counts, per-field coverage, and the tally
of pages by outcome, so that a site's layout change shows up as a coverage drop and a lost page
as a difference between pages received and pages stored.
"""

from __future__ import annotations

import os
import sqlite3
from collections import Counter
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from scrapy import signals
from scrapy.utils.defer import deferred_from_coro

from newsarchive import signals as newsarchive_signals
from newsarchive.archive import frontier, open_archive, utc_now
from newsarchive.archive.queries import ArchiveLookup
from newsarchive.archive.store import (
    NotTheStory,
    content_hash,
    finish_crawl,
    json_object,
    mark_interrupted_crawls,
    schedule_visit,
    start_crawl,
    store_article,
    store_capture,
    store_duplicate,
    store_failure,
    store_listing,
    store_not_modified,
    store_other_pages,
    visit_before,
)
from newsarchive.comment_pages import CommentPages
from newsarchive.failures import TRANSIENT_FAILURES
from newsarchive.items import Article, ArticleDuplicate, ArticleNotModified, ListingPage, PageFailure, PageResult
from newsarchive.rendering import rendering_figures
from newsarchive.revisits import Limits
from newsarchive.story_pages import StoryPages
from newsarchive.tracebacks import describe_exception

# Settings worth keeping with each crawl row: what was asked for, not the whole Scrapy config.
RECORDED_SETTINGS = (
    "NEWSARCHIVE_DB_PATH", "USER_AGENT", "ROBOTSTXT_OBEY", "AUTOTHROTTLE_ENABLED",
    "CONCURRENT_REQUESTS", "DOWNLOAD_MAXSIZE", "DOWNLOAD_TIMEOUT", "JOBDIR", "NEWSARCHIVE_CAPTURE_ENABLED",
    "NEWSARCHIVE_REFRESH_WINDOW_DAYS", "NEWSARCHIVE_REFRESH_FULL", "NEWSARCHIVE_REFRESH_STALE_PAGES",
    "NEWSARCHIVE_CONDITIONAL_REQUESTS", "NEWSARCHIVE_FRONTIER_ENABLED", "NEWSARCHIVE_PHOTOS_DIR",
    "NEWSARCHIVE_REVISIT_BUDGET", "NEWSARCHIVE_REVISIT_FLOOR_HOURS", "NEWSARCHIVE_REVISIT_CEILING_DAYS",
    "NEWSARCHIVE_CRAWL_NAME",  # a distributed crawl's: its shards' rows in a merged archive say so (report.py)
)
COVERAGE_FIELDS = ("byline", "date", "photo", "comments")
# Articles of one title and text, and more than half of those a crawl stored, that make the crawl
# say it may have archived one page under many URLs (StorePipeline.note_one_text), and what it says.
ONE_TEXT_LEAST = 3
ONE_TEXT_CAUSES = "a maintenance, block or consent page, or a page its scripts fill (then --render always)"


@dataclass
class Tally:
    """What storing pages counted: stats, and the articles' field coverage and sources. Added to
    the crawl's own figures once the pages are committed (StorePipeline.count), so that a batch
    the archive could not write, or a page rolled back to its store_error, is not counted as
    stored (crawls.articles_stored said 205 for a crawl that had kept 164 when its disk filled)."""

    stats: Counter = field(default_factory=Counter)
    coverage: Counter = field(default_factory=Counter)
    sources: Counter = field(default_factory=Counter)
    texts: Counter = field(default_factory=Counter)  # new or changed articles by title and text (a digest)
    titles: dict = field(default_factory=dict)  # the title of each of those texts

    def add(self, other: Tally) -> None:
        self.stats.update(other.stats)
        self.coverage.update(other.coverage)
        self.sources.update(other.sources)
        self.texts.update(other.texts)
        self.titles.update(other.titles)

    def count_text(self, article: Article) -> None:
        """An article stored (new, changed or unchanged), by its title and text (see
        StorePipeline.note_one_text)."""
        self.count_digest(article.title, content_hash(article.title, article.body_text))

    def count_digest(self, title: str | None, digest: str) -> None:
        """A text by its title and content_hash; a page met again by way of other URLs (a
        redirect: ArticleDuplicate.same_page) counts once for each."""
        digest = digest[:16]  # pragma: no mutate (any prefix tells texts apart)
        self.texts[digest] += 1
        self.titles.setdefault(digest, title)

    def count_coverage(self, article: Article) -> None:
        self.coverage["articles"] += 1
        self.coverage["byline"] += bool(article.authors)
        self.coverage["date"] += bool(article.published_at)
        self.coverage["photo"] += bool(article.photos)
        self.coverage["comments"] += bool(article.comments or article.comment_count)
        for field_name, layer in article.sources.items():
            self.sources[f"{field_name}:{layer}"] += 1


def blame_the_cut(result: PageResult) -> None:
    """A page that arrived cut short and could not be read (no body in what arrived, a parse that
    failed) failed for the cut, a passing reason: `data_loss`, what the parser said kept in the
    detail, and asked for again by the next crawl like any data_loss."""
    for record in result.records:
        if isinstance(record, PageFailure) and record.reason != "data_loss":
            record.detail = f"the page arrived cut short; of what arrived: {record.reason}: {record.detail}"
            record.reason = "data_loss"


ARCHIVE_MOVED_STAT = "newsarchive/store/archive_moved"  # set when ArchiveMoved was raised


class ArchiveMoved(Exception):
    """The archive's file was deleted, or another put in its place, while the crawl wrote to it."""


def file_identity(path) -> tuple[int, int] | None:
    """The file at path (device and inode), None when there is none."""
    try:
        found = os.stat(path)
    except OSError:
        return None
    return found.st_dev, found.st_ino


# The kinds of the captures of a story's other pages: a 304 for its page says nothing of them (other_pages).
OTHER_PAGE_KINDS = (StoryPages.CAPTURE_KIND, CommentPages.CAPTURE_KIND)


class StorePipeline:
    revisit_limits = Limits()  # the revisit schedule's floor and ceiling (settings)

    def __init__(self, crawler, db_path: str, batch_size: int, busy_timeout: float, frontier_enabled: bool,
                 resume: bool):
        self.crawler = crawler
        self.stats = crawler.stats
        self.db_path = db_path
        self.batch_size = batch_size
        self.busy_timeout = busy_timeout
        self.frontier_enabled = frontier_enabled
        self.resume = resume
        self.pending: list = []
        self.archive = None
        self.crawl_id: int | None = None
        self.coverage = Counter()
        self.sources = Counter()
        self.texts: Counter = Counter()  # see Tally.count_text
        self.titles: dict = {}  # the title of each text met twice or more (count)
        self.write_error: str | None = None  # why the archive could not be written, once it could not
        self.closing = None  # the engine closing the spider for that (a Deferred)
        # The archive the crawl looks known stories up in, when it is another file (a shard's
        # --lookup-db: the merged archive): its stories count as stored for NotTheStory too.
        self.elsewhere: ArchiveLookup | None = None

    @classmethod
    def from_crawler(cls, crawler):
        settings = crawler.settings
        pipeline = cls(
            crawler,
            db_path=settings.get("NEWSARCHIVE_DB_PATH"),
            batch_size=settings.getint("NEWSARCHIVE_STORE_BATCH_SIZE"),
            busy_timeout=settings.getfloat("NEWSARCHIVE_STORE_BUSY_TIMEOUT"),
            # Redis keeps a distributed crawl's state; a shard's frontier would see only its part.
            frontier_enabled=settings.getbool("NEWSARCHIVE_FRONTIER_ENABLED") and not settings.get("NEWSARCHIVE_REDIS_URL"),
            resume=settings.getbool("NEWSARCHIVE_FRONTIER_RESUME"),
        )
        pipeline.revisit_limits = Limits(settings.getfloat("NEWSARCHIVE_REVISIT_FLOOR_HOURS"),
                                         settings.getfloat("NEWSARCHIVE_REVISIT_CEILING_DAYS"))
        lookup = settings.get("NEWSARCHIVE_LOOKUP_DB_PATH")
        if lookup and os.path.abspath(lookup) != os.path.abspath(pipeline.db_path or ""):
            pipeline.elsewhere = ArchiveLookup(lookup)
        crawler.signals.connect(pipeline.spider_closed, signal=signals.spider_closed)
        crawler.signals.connect(pipeline.flush, signal=newsarchive_signals.flush_requested)
        return pipeline

    # opening: the crawl's row, and the frontier of an interrupted crawl ---------------------------

    def open_spider(self):
        self.archive = open_archive(self.db_path, self.busy_timeout)
        self.archive_file = file_identity(self.db_path)
        spider = self.crawler.spider
        settings = {name: self.crawler.settings.get(name) for name in RECORDED_SETTINGS}
        settings["spider_arguments"] = getattr(spider, "arguments", {})
        site = getattr(spider, "site_name", None)
        resumed_from = retried_from = None
        orphans = 0
        with self.archive.write() as db:
            for crawl_id in mark_interrupted_crawls(db):
                spider.logger.warning(f"crawl {crawl_id} in {self.db_path} was interrupted (its process is gone)")
            self.crawl_id = start_crawl(db, site, spider.name, settings, utc_now())
            if self.frontier_enabled and self.resume:
                resumed_from = frontier.adopt_unfinished(db, self.crawl_id, spider.name, site)
                if resumed_from is None:
                    retried_from, _ = frontier.adopt_retries(db, self.crawl_id, spider.name, site)
                orphans = frontier.adopt_orphans(db, self.crawl_id, spider.name, site)
            if self.frontier_enabled:
                frontier.forget_unfinished(db, spider.name, site)
        self.stats.set_value("newsarchive/crawl_id", self.crawl_id)
        pending, settled, read_again = [], [], []
        if resumed_from is not None or retried_from is not None or orphans:
            pending, settled = frontier.read_frontier(self.archive.conn, self.crawl_id)
        if resumed_from is not None:
            read_again = frontier.settled_to_read_again(self.archive.conn, self.crawl_id)
        if orphans:
            self.stats.set_value("newsarchive/orphans_count", orphans)
            spider.logger.warning(f"asking for {orphans} pages an earlier interrupted crawl left pending, "
                                  "which no crawl had resumed")
        if resumed_from is not None:
            self.stats.set_value("newsarchive/resumed_from", resumed_from)
            self.stats.set_value("newsarchive/resumed_pending", len(pending))
            spider.logger.warning(f"resuming crawl {resumed_from}: {len(pending)} requests pending, "
                                  f"{len(settled)} already done")
        if retried_from is not None:
            self.stats.set_value("newsarchive/retried_from", retried_from)
            self.stats.set_value("newsarchive/retried_count", len(pending))
            spider.logger.info(f"asking again for {len(pending)} pages crawl {retried_from} could not archive "
                               f"(a timeout, a lost connection, a 5xx, one page under many URLs ...)")
        self.crawler.signals.send_catch_log(newsarchive_signals.crawl_started, crawl_id=self.crawl_id, archive=self.archive,
                                            resumed=pending, settled=settled, read_again=read_again)

    # storing pages ------------------------------------------------------------------------------

    def process_item(self, item):
        if isinstance(item, PageResult):
            self.pending.append(item)
            if len(self.pending) >= self.batch_size:
                self.flush()
        return item

    def close_spider(self):
        self.flush()

    def flush(self) -> None:
        if not self.pending or self.archive is None:
            return
        batch, self.pending = self.pending, []
        if self.write_error:  # the archive failed a write already: the crawl is stopping
            self.stats.inc_value("newsarchive/pages/not_stored_count", len(batch))
            return
        seen_at, tally, stored = utc_now(), Tally(), []
        try:
            self.check_archive_file()
            with self.archive.write() as db:
                for result in batch:
                    outcome, counted, failed_for = self.store_page(db, result, seen_at)
                    stored.append((result, outcome, failed_for))
                    tally.add(counted)
        except Exception as error:  # noqa: BLE001
            self.stop_on_write_error(error, len(batch))
            return
        self.count(tally)
        for result, outcome, _ in stored:
            self.stats.inc_value(f"newsarchive/pages/{outcome}_count")
            if result.kind:  # by what the page was requested as: the exit code asks how the article pages ended
                self.stats.inc_value(f"newsarchive/pages/{result.kind}_{outcome}_count")
        fingerprints = [result.request_fingerprint for result in batch if result.request_fingerprint]
        if fingerprints:
            retry = [result.request_fingerprint for result, _, failed_for in stored
                     if result.request_fingerprint and failed_for in TRANSIENT_FAILURES]
            self.crawler.signals.send_catch_log(newsarchive_signals.requests_committed, fingerprints=fingerprints,
                                                retry=retry)

    def check_archive_file(self) -> None:
        """ArchiveMoved when the file at the archive's path is no longer the one the crawl opened:
        SQLite goes on writing into the file it has open, deleted, and the crawl said "finished"
        over an archive that was gone (and its passes after made an empty one in its place)."""
        if file_identity(self.db_path) != self.archive_file:
            self.stats.set_value(ARCHIVE_MOVED_STAT, True)
            raise ArchiveMoved("the archive file was deleted or replaced during the crawl: what the crawl stored "
                               "went with the file it had opened")

    def stop_on_write_error(self, error: Exception, pages: int) -> None:
        """The archive itself cannot be written (disk full, file damaged or read-only): stop rather
        than fetch pages that cannot be kept. The batch was rolled back, and nothing it counted is
        counted; the frontier still lists its pages as pending, so the next run fetches them again.
        Said once, in one line (the traceback at DEBUG): the pages that reach the pipeline while the
        crawl stops are only counted as not stored."""
        self.write_error = describe_exception(error)
        logger = self.crawler.spider.logger
        logger.error(f"cannot write to {self.db_path}: {self.write_error}; stopping the crawl")
        logger.debug("the failed write:", exc_info=error)
        self.stats.set_value("newsarchive/store/write_error", self.write_error)
        self.stats.inc_value("newsarchive/pages/not_stored_count", pages)
        self.closing = deferred_from_coro(self.crawler.engine.close_spider_async(reason="archive_write_failed"))

    def store_page(self, db, result: PageResult, seen_at: str) -> tuple[str, Tally, str | None]:
        """Store one page whole, or, if that fails, its failure; return the page's outcome, what
        storing it counted (only what was kept: a page rolled back to its failure counts as that
        failure alone) and, for a failure, its reason."""
        if result.cut_short:
            blame_the_cut(result)
        try:
            # A known article the revisit schedule sent the spider to (spiders/base.py).
            revisit = result.url in getattr(self.crawler.spider, "revisit_urls", ())
            tally = Tally()
            with self.archive.savepoint():
                for record in result.records:
                    self.store_record(db, record, seen_at, tally, revisit,
                                      moved_from=result.url if result.redirects else None)
                    self.count_page_reached_again(result, record, tally)
                if result.capture is not None:
                    kind = store_capture(db, result.capture, self.crawl_id)
                    tally.stats[f"newsarchive/store/capture_{kind}_count"] += 1  # pragma: no mutate (one capture a page: = 1 is the same)
                self.store_captures_with_page(db, result, tally, seen_at)
                outcome = result.outcome
                ask_again = self.asks_again_for_whole(result, tally)
                self.keep_frontier(db, result, frontier.CUT_SHORT if ask_again else outcome, seen_at)
        except sqlite3.OperationalError:
            raise  # the file, not the page: locked, full, read-only
        except NotTheStory as refusal:  # what the site sent is kept, as this page's failure
            status = result.capture.status if result.capture is not None else None
            failure = PageFailure(result.url, refusal.reason, str(refusal), status)
            return self.fail_page(db, result, failure, seen_at, with_capture=True)
        except Exception as error:  # noqa: BLE001 (a page that cannot be stored is that page's failure)
            return self.fail_page(db, result, PageFailure(result.url, "store_error",
                                                          f"store: {describe_exception(error)}"), seen_at)
        if ask_again:  # kept, and asked for again like a page that failed for a passing reason
            return outcome, tally, "data_loss"
        return outcome, tally, result.failure_reason if outcome == "failure" else None

    @staticmethod
    def asks_again_for_whole(result: PageResult, tally: Tally) -> bool:
        """Whether the next crawl asks again for a page that arrived cut short: not when it was
        cut where it was last time (its article met again unchanged), which is then the whole
        page under a Content-Length that says more; every crawl would fetch it again, three
        times each (a download cut short is retried)."""
        return result.cut_short and not tally.stats["newsarchive/store/article_unchanged_count"]

    def fail_page(self, db, result: PageResult, failure: PageFailure, seen_at: str,
                  with_capture: bool = False) -> tuple[str, Tally, str]:
        """The page's failure in place of what it gave (rolled back), with its capture if asked."""
        tally = Tally()
        with self.archive.savepoint():
            self.store_record(db, failure, seen_at, tally)
            if with_capture and result.capture is not None:
                kind = store_capture(db, result.capture, self.crawl_id)
                tally.stats[f"newsarchive/store/capture_{kind}_count"] += 1  # pragma: no mutate (one capture a page: = 1 is the same)
            if with_capture:
                self.store_captures_with_page(db, result, tally, seen_at)
            self.keep_frontier(db, result, "failure", seen_at)
        return "failure", tally, failure.reason

    @staticmethod
    def count_page_reached_again(result: PageResult, record, tally: Tally) -> None:
        """A page this crawl stored, reached again by way of another URL (a redirect): counted
        with the articles stored, as the same page under another URL is (note_one_text), so many
        story URLs redirecting to one consent or login page are told as that page."""
        if isinstance(record, ArticleDuplicate) and record.same_page is not None and result.url != record.url:
            tally.count_digest(*record.same_page)

    def store_captures_with_page(self, db, result: PageResult, tally: Tally, seen_at: str) -> None:
        """The captures of the redirects followed to the page (kind redirect), and of the responses
        its record was read from besides it (its other pages, its rendering: keep_with_page)."""
        for hop in result.redirects:
            kind = store_capture(db, hop, self.crawl_id, kind="redirect")
            tally.stats[f"newsarchive/store/capture_redirect_{kind}_count"] += 1
        for kind, capture in result.read_with:
            stored = store_capture(db, capture, self.crawl_id, kind=kind)
            tally.stats[f"newsarchive/captures/{kind}_{stored}_count"] += 1  # as CaptureWriter counts them
        others = [capture.url for kind, capture in result.read_with if kind in OTHER_PAGE_KINDS]
        if others:
            store_other_pages(db, {result.url, *(record.url for record in result.articles())}, others, seen_at)

    def keep_frontier(self, db, result: PageResult, outcome: str, seen_at: str) -> None:
        if not self.frontier_enabled:
            return
        frontier.add_entries(db, self.crawl_id, result.discovered, seen_at)
        if result.url:
            frontier.settle(db, self.crawl_id, result.url, outcome, seen_at)

    def store_record(self, db, record, seen_at: str, tally: Tally, revisit: bool = False,  # pragma: no mutate (the default serves failures only, which count no revisit)
                     moved_from: str | None = None) -> None:
        """moved_from: the URL the crawl asked for, when redirects led from it to the record's page."""
        counts = tally.stats
        if isinstance(record, Article):
            urls = list({record.canonical_url or record.url, record.url, *([moved_from] if moved_from else [])})
            before = visit_before(db, urls)
            status = store_article(db, record, self.crawl_id, seen_at, self.elsewhere, moved_from=moved_from)
            counts[f"newsarchive/store/article_{status}_count"] += 1
            tally.count_coverage(record)
            tally.count_text(record)
            changed = schedule_visit(db, urls, before, seen_at, self.revisit_limits)
            counts["newsarchive/revisit/changed_count"] += bool(revisit and changed)
        elif isinstance(record, ArticleNotModified):
            before = visit_before(db, [record.url])
            known = store_not_modified(db, record.url, self.crawl_id, seen_at)
            counts[f"newsarchive/store/article_{'not_modified' if known else 'unknown_304'}_count"] += 1
            changed = schedule_visit(db, [record.url], before, seen_at, self.revisit_limits)
            counts["newsarchive/revisit/changed_count"] += bool(revisit and changed)
        elif isinstance(record, ArticleDuplicate):
            store_duplicate(db, record, seen_at, moved_from)
        elif isinstance(record, ListingPage):
            store_listing(db, record, self.crawl_id, seen_at)
        elif isinstance(record, PageFailure):
            store_failure(db, record, self.crawl_id, seen_at)
            counts[f"newsarchive/store/failure_count/{record.reason}"] += 1
            counts["newsarchive/store/failure_count"] += 1
        else:
            raise TypeError(f"no way to store a {type(record).__name__}")

    def count(self, tally: Tally) -> None:
        """What a committed batch counted, into the crawl's stats, coverage and sources."""
        for name, value in tally.stats.items():
            if value:
                self.stats.inc_value(name, value)
        self.coverage.update(tally.coverage)
        self.sources.update(tally.sources)
        self.texts.update(tally.texts)
        # A title is kept for a text met twice or more: the one text of a crawl (note_one_text) is
        # met three times at least, and a crawl of a million stories kept a million titles.
        for digest, title in tally.titles.items():
            if self.texts[digest] > 1:
                self.titles.setdefault(digest, title)

    def coverage_report(self) -> dict:
        articles = self.coverage["articles"]
        shares = {name: round(self.coverage[name] / articles, 4) if articles else None for name in COVERAGE_FIELDS}
        return {"articles": articles, "share": shares, "sources": dict(sorted(self.sources.items()))}

    # closing ------------------------------------------------------------------------------------

    def spider_closed(self, spider, reason):
        if self.archive is None:
            return
        if self.crawl_id is None:  # open_spider failed before the crawl's row was written: nothing to finish
            self.archive.close()
            self.archive = None
            return
        self.flush()  # close_spider normally did; a crawl that failed to start may not have
        one_page = self.note_one_text(spider)
        try:
            with self.archive.write() as db:
                if reason == "finished" and self.frontier_enabled:
                    lost, kept, one_page_kept = frontier.close_frontier(db, self.crawl_id, utc_now(), one_page)
                    self.stats.inc_value("newsarchive/pages/not_fetched_count", lost)
                    self.stats.inc_value("newsarchive/store/failure_count", lost)
                    self.stats.set_value("newsarchive/pages/kept_for_retry_count", kept)
                    self.stats.set_value("newsarchive/store/one_text_kept_count", one_page_kept)
                finish_crawl(db, self.crawl_id, self.crawl_figures(reason))
            self.check_archive_file()
        except Exception as error:  # noqa: BLE001 (one line, not a traceback from Scrapy's signal)
            # A full disk may refuse this last write too. The crawl's row stays unfinished, and
            # the next crawl of the site marks it interrupted and takes over its frontier. After
            # a write error that stopped the crawl, this is the same cause: said once as an error.
            log = spider.logger.warning if self.write_error else spider.logger.error
            log(f"cannot record the end of crawl {self.crawl_id} in {self.db_path}: {describe_exception(error)}; "
                f"its row stays unfinished, and the next crawl of the site takes it over")
            self.stats.set_value("newsarchive/store/write_error", self.write_error or describe_exception(error))
        finally:
            self.archive.close()
            self.archive = None
            if self.elsewhere is not None:
                self.elsewhere.close()

    def note_one_text(self, spider) -> str | None:
        """When most of the articles the crawl stored (ONE_TEXT_LEAST of them at least) have one
        title and text, say so, and return its digest (a prefix of its content_hash), whose pages
        the next crawl asks for again (frontier.close_frontier): a site answering its
        stories' URLs with a maintenance, block or consent page, or with an app shell its scripts
        fill, archives that one page under every URL. Unchanged ones count: a wall that stays up
        keeps being asked again, until the stories are there."""
        if not self.texts:
            return None
        digest, count = self.texts.most_common(1)[0]  # pragma: no mutate (the first of the commonest, however many)
        stored = sum(self.texts.values())
        if count < ONE_TEXT_LEAST or 2 * count <= stored or self.one_story_linked_many_ways(digest):
            return None
        self.stats.set_value("newsarchive/store/one_text_count", count)
        self.stats.set_value("newsarchive/store/one_text_stored", stored)
        self.stats.set_value("newsarchive/store/one_text_title", self.titles[digest])
        spider.logger.warning(f"{count} of the {stored} articles stored have one title and text, "
                              f"{self.titles[digest]!r}: {ONE_TEXT_CAUSES}")
        return digest

    def one_story_linked_many_ways(self, digest: str) -> bool:
        """Whether the one text of the crawl's articles is one story its listings link several ways
        (a "top story" box adds ?itm_source=top, a "most read" one ?from=most-read) rather than a
        page answering many stories: it states its publication date, and all its URLs are one
        page's, differing in their query only. Taken for a wall, a site's one new story made the
        crawl exit 4, and every crawl after it."""
        rows = self.archive.conn.execute(
            "SELECT u.url, a.published_at, a.sources FROM articles a JOIN article_urls u ON u.article_id = a.id "  # pragma: no mutate
            "WHERE substr(a.content_hash, 1, ?) = ?", [len(digest), digest]).fetchall()  # pragma: no mutate
        pages = {urlsplit(url)._replace(query="", fragment="") for url, _, _ in rows}
        dated = all(published_at and json_object(sources).get("published_at") not in (None, "url")
                    for _, published_at, sources in rows)
        return len(pages) == 1 and dated

    def crawl_figures(self, reason: str) -> dict:
        get = self.stats.get_value
        # The keys are crawls columns, whose case SQLite ignores: their case mutants are equivalent, and
        # the pragma on their lines also spares the stat names, which tests/test_store_pipeline_mutants.py checks.
        return {
            "finished_at": utc_now(),  # pragma: no mutate
            "finish_reason": reason,  # pragma: no mutate
            "requests": get("downloader/request_count", 0),  # pragma: no mutate
            "responses": get("downloader/response_count", 0),  # pragma: no mutate
            "items": get("item_scraped_count", 0),  # pragma: no mutate
            "pages": get("newsarchive/pages/received_count", 0),  # pragma: no mutate
            "listings": get("newsarchive/pages/listing_count", 0),  # pragma: no mutate
            "unchanged": get("newsarchive/pages/unchanged_count", 0),  # pragma: no mutate
            "articles_stored": self.coverage["articles"],  # pragma: no mutate
            "articles_new": get("newsarchive/store/article_new_count", 0),  # pragma: no mutate
            "articles_changed": get("newsarchive/store/article_changed_count", 0),  # pragma: no mutate
            "articles_not_modified": get("newsarchive/store/article_not_modified_count", 0)  # pragma: no mutate
            + get("newsarchive/store/article_unchanged_count", 0),
            "articles_skipped": get("newsarchive/refresh/skipped_count", 0),  # pragma: no mutate
            "revisits": get("newsarchive/revisit/requested_count", 0),  # pragma: no mutate
            "revisits_changed": get("newsarchive/revisit/changed_count", 0),  # pragma: no mutate
            "duplicates": get("newsarchive/dedupe/duplicate_count", 0),  # pragma: no mutate
            "failures": get("newsarchive/store/failure_count", 0),  # pragma: no mutate
            "coverage": self.coverage_report() | self.rendering_report(),
        }

    def rendering_report(self) -> dict:
        """Pages rendered in a browser and why (newsarchive/rendering.py), kept in crawls.coverage."""
        figures = rendering_figures(self.stats.get_stats())
        return {"rendering": figures} if figures else {}
