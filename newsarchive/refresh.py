"""The refresh policy of incremental crawls: which article links of a listing to fetch again.

Listing pages are always fetched: they are how new articles are found. An article link is
fetched when the archive does not have it yet; when it is still young (comments and edits
arrive in an article's first days: NEWSARCHIVE_REFRESH_WINDOW_DAYS); when the listing shows it
changed since it was stored (a newer "Updated" date, sitemap lastmod or feed <updated>, a
different comment count); or on a `--full` crawl. Anything else is skipped, so a scheduled
crawl fetches only what is new or still changing. Re-fetches of known articles are conditional requests where the server gave
validators, so an unchanged article costs a 304 and no body.

An article whose comments were `unreached` (they come by script, and the crawl that stored it did
not render it: `--render never`, no browser, or a render that failed) is fetched again, in full,
by every crawl that can render, until its comments are read (a 304 would leave them unread), or
until NEWSARCHIVE_RENDER_ATTEMPTS renders of it read none: what a browser could not reach on
three visits (a comment service no setting lets it ask) it will not reach on the fourth. One whose
last visit could not read a page of its comments (newsarchive/comment_pages.py) is fetched again by
every crawl until it does, or until it has been fetched NEWSARCHIVE_COMMENT_PAGE_ATTEMPTS times in
all: a comment page that fails on every visit would otherwise cost every crawl the story and its
pages for good.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

from newsarchive.archive.queries import KnownArticle
from newsarchive.items import ListingLink
from newsarchive.parsers.dates import date_part, find_date
from newsarchive.parsers.text import printed_count
from newsarchive.revisits import parse_time

# How far the last time zone's clock runs behind UTC (UTC-12): a day ends there last.
LAST_ZONE_BEHIND_UTC = timedelta(hours=12)


@dataclass
class RefreshPolicy:
    window_days: float = 7.0
    full: bool = False
    now: datetime | None = None
    # This crawl renders pages that need it (--render auto or always, and a browser to do it).
    can_render: bool = False
    render_attempts: int = 3  # renders that read no comments before an article is left unreached
    comment_page_attempts: int = 3  # fetches in all of a story whose comment pages could not all be read

    def __post_init__(self):
        self.now = self.now or datetime.now(timezone.utc)
        self.window_start = (self.now - timedelta(days=self.window_days)).strftime("%Y-%m-%dT%H:%M:%SZ")

    def reason_to_fetch(self, link: ListingLink, known: KnownArticle | None) -> str | None:
        """Why this link should be fetched now ("new", "full", ...), or None to skip it."""
        if known is None:
            return "new"
        if self.full:
            return "full"
        if self.retries_comments(known):
            return "comments_unreached"
        if self.is_young(known):
            return "in_window"
        if self.listing_shows_newer_edit(link, known):
            return "listing_modified"
        if self.listing_shows_other_comment_count(link, known):
            return "listing_comments"
        return None

    def retries_comments(self, known: KnownArticle) -> bool:
        """Whether this crawl fetches the article again, in full, for comments never read: a page of
        them its last visit could not read (any crawl, while the story has been fetched fewer than
        comment_page_attempts times), or comments a browser may read."""
        if known.comments_status != "unreached":
            return False
        if known.comment_pages_unread and 1 + known.visits < self.comment_page_attempts:
            return True
        return self.can_render and known.renders < self.render_attempts

    def renders_again(self, known: KnownArticle) -> bool:
        """Whether the article was rendered before and this crawl can render: its page is fetched
        in full. Its scripts may load new comments while its HTML stays the same, and a 304 left
        them unread (the stored ones marked seen again)."""
        return self.can_render and known.renders > 0

    def wants_conditional(self, reason: str) -> bool:
        """Whether a known article fetched for this reason may be asked for conditionally: not
        for everything again (full), nor for comments a 304 would leave unread."""
        return reason not in ("full", "comments_unreached")

    def is_young(self, known: KnownArticle) -> bool:
        published = known.published_at or known.first_seen_at
        if len(published) == 10:  # a date only: young while any part of that day is in the window
            return published >= self.window_start[:10]
        return published >= self.window_start

    @staticmethod
    def listing_shows_newer_edit(link: ListingLink, known: KnownArticle) -> bool:
        """Whether the listed last change (an "Updated" date, a sitemap lastmod, an Atom <updated>)
        is later than what we stored. A time is compared with the moment of our last visit; a date
        alone, the site's day in its own zone, counts when that day had not ended everywhere when
        we last came (UTC-12 is the last zone to leave a day), unless we stored that day's edit or
        a later one. A date before that is an edit our last visit read: a sitemap dating each entry
        by its day alone had most of its stories fetched again on every crawl."""
        listed = find_date(link.modified_at_raw)
        if not listed:
            return False
        # a moment: changed after we last fetched (or were told "not modified"); find_date gives a
        # 10-character date or a longer time, never 11 characters (so "> 11" is the same test)
        if len(listed) > 10:  # pragma: no mutate
            # Sites give the moment to the second, we keep ours to the microsecond: a change in the
            # second of our visit may have come after it, so that second counts (a fetch too many
            # at worst, never a change missed).
            return parse_time(listed) >= parse_time(known.last_seen_at).replace(microsecond=0)
        listed = date_part(listed)
        if known.modified_at and date_part(known.modified_at) >= listed:
            return False
        return listed >= (parse_time(known.last_seen_at) - LAST_ZONE_BEHIND_UTC).date().isoformat()

    @staticmethod
    def listing_shows_other_comment_count(link: ListingLink, known: KnownArticle) -> bool:
        if not link.comment_count_raw:
            return False
        count = printed_count(link.comment_count_raw)
        return count is not None and count != (known.comment_count or 0)
