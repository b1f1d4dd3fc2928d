"""Running a crawl from Python: the code behind `newsarchive crawl` and `newsarchive demo`.

`crawl_plan()` turns what a user asked for (the CLI's options) into the spider, its arguments and
the Scrapy settings, checking every value first: a bad one is an OptionError (one line) before
anything is started or written. `run_crawl()` runs the plan in this process and returns a
CrawlSummary whose `exit_code` cron and systemd can trust:

    0   the crawl finished and archived something (pages ended as articles, listings or revisits)
    1   the crawl did not finish (killed, stopped, failed to start, the archive could not be written)
        or a page it received is unaccounted for
    2   bad options (nothing was started)
    4   the crawl finished but archived nothing: no response at all, or every page, or every
        article page, failed (a worker of a distributed crawl that the other workers left no page
        to exits 0: it had nothing to do, and says so)
    75  another crawl of the site into the same archive is running (newsarchive/locking.py)
"""

from __future__ import annotations

import logging
import os
import re
import signal
import sqlite3
import tempfile
import threading
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urljoin, urlsplit

from newsarchive.archive import ArchiveError, open_archive, utc_now
from newsarchive.archive.store import finish_crawl, start_crawl, store_failure
from newsarchive.items import PageFailure
from newsarchive.middlewares.redirect import START_MOVED_STAT
from newsarchive.options import (
    OptionError,
    check_date_order,
    check_start_url,
    did_you_mean,
    parse_count,
    parse_day,
)
from newsarchive.pipelines.store import ONE_TEXT_CAUSES
from newsarchive.rendering import describe_rendering, rendering_figures
from newsarchive.scope import site_host

logger = logging.getLogger(__name__)

EXIT_OK, EXIT_NOT_FINISHED, EXIT_USAGE, EXIT_NOTHING_ARCHIVED = 0, 1, 2, 4
RECORD_FAILED_START_WAIT = 5.0  # seconds to wait for the archive to record a crawl that failed to start
PAGE_OUTCOMES = ("article", "listing", "unchanged", "failure")
# What a page may be requested as (spiders/base.py, FrontierEntry.kind) when the crawl hopes for an
# article in it: an article link, or (in an any-site crawl) a page to be classified by its content.
ARTICLE_KINDS = ("article", "page")
# Set by a distributed crawl's worker that received no page of a crawl that had begun: the other
# workers took every request before it asked (newsarchive/distributed.py).
NO_SHARE_STAT = "newsarchive/distributed/no_share"
# Set by the spider (spiders/base.py): that a crawl meeting no article is to say so (not set in a
# distributed or resumed crawl), and the other origin the site's links led to most, with how many
# links ("ORIGIN N").
ARTICLES_SOUGHT_STAT = "newsarchive/articles_sought"
FORCED_SHUTDOWN = "forced_shutdown"  # the finish reason of a crawl stopped at once (no spider closed)
OFFSITE_STAT = "newsarchive/offsite/commonest"


@dataclass
class CrawlSummary:
    crawl_id: int | None
    finish_reason: str | None
    stats: dict

    @property
    def succeeded(self) -> bool:
        return self.exit_code == EXIT_OK

    def pages(self, outcome: str | None = None, kind: str | None = None) -> int:
        """Pages the crawl handled (responses and fetch errors), by outcome and kind of request."""
        key = "received" if outcome is None else f"{kind}_{outcome}" if kind else outcome
        return self.stats.get(f"newsarchive/pages/{key}_count", 0)

    @property
    def stored(self) -> int:
        """Pages the crawl stored, as any outcome."""
        return sum(self.pages(outcome) for outcome in PAGE_OUTCOMES)

    @property
    def not_stored(self) -> int:
        """Pages received after the archive failed a write (and the batch that failed): the crawl
        stopped, and their requests stay pending in its frontier for the next run."""
        return self.stats.get("newsarchive/pages/not_stored_count", 0)

    @property
    def write_error(self) -> str | None:
        """Why the archive could not be written, when it could not (disk full, damaged, read-only)."""
        return self.stats.get("newsarchive/store/write_error")

    @property
    def archive_written(self) -> bool:
        """Whether the passes after a crawl (search lists, duplicates) may run on its archive: not
        after a crawl that stored nothing (it failed to start: the archive held by another process,
        say), nor after one whose archive could not be written (a full disk, a file deleted under
        the crawl), nor after a second Ctrl-C, which asks to stop at once."""
        return bool(self.stored) and not self.write_error and self.finish_reason != FORCED_SHUTDOWN

    @property
    def cut_off(self) -> int:
        """Pages received but not stored when the crawl was stopped at once (a second Ctrl-C or
        SIGTERM: Scrapy's forced shutdown, in which no spider closes and no batch is written):
        their requests stay pending in its frontier, and the crawl that resumes it asks again."""
        if self.finish_reason != FORCED_SHUTDOWN:
            return 0
        return self.pages() - self.stored - self.not_stored

    @property
    def unaccounted(self) -> int:
        """Pages received but neither stored as any outcome nor left for the next run: 0 unless
        something was lost."""
        return self.pages() - self.stored - self.not_stored - self.cut_off

    @property
    def no_share(self) -> bool:
        """A distributed crawl's worker that received no page: the other workers took them all."""
        return not self.pages() and bool(self.stats.get(NO_SHARE_STAT))

    @property
    def exit_code(self) -> int:
        if self.finish_reason != "finished" or self.unaccounted or self.write_error:
            return EXIT_NOT_FINISHED
        if self.no_share:
            return EXIT_OK
        kept = sum(self.pages(outcome) for outcome in ("article", "listing", "unchanged"))
        if not kept or (self.article_pages_failed and not self.articles_kept) or self.one_page_only \
                or self.found_no_article:
            return EXIT_NOTHING_ARCHIVED
        return EXIT_OK

    @property
    def articles_kept(self) -> int:
        """Pages requested for an article that ended as one, or unchanged (a page of an any-site crawl
        that turned out to be a listing was no article page)."""
        return sum(self.pages(outcome, kind) for outcome in ("article", "unchanged") for kind in ARTICLE_KINDS)

    @property
    def article_pages_failed(self) -> int:
        return sum(self.pages("failure", kind) for kind in ARTICLE_KINDS)

    @property
    def found_no_article(self) -> bool:
        """A crawl that met no article, new or known: it read listings alone, whose links led to
        another origin (www. of the site given, say), to nothing the parsers take for a story, or
        nowhere (a listing whose markup changed). An incremental crawl that finds nothing new has
        met the stories it knows (skipped, or answered "not modified")."""
        get = self.stats.get
        return bool(get(ARTICLES_SOUGHT_STAT)) and not self.pages("article") and not self.pages("unchanged") \
            and not get("newsarchive/refresh/skipped_count") and not get("newsarchive/store/article_not_modified_count")

    @property
    def one_page_only(self) -> bool:
        """Every article the crawl stored was one page (a consent, block or maintenance page, an app
        shell) under many URLs, and no known one answered "not modified": none of the site's stories
        was archived (StorePipeline.note_one_text)."""
        get = self.stats.get
        count = get("newsarchive/store/one_text_count")
        return bool(count) and count == get("newsarchive/store/one_text_stored") and \
            not get("newsarchive/store/article_not_modified_count")

    def describe(self) -> str:
        """The crawl's tally: every page it handled, by outcome, then what else happened."""
        counts = ", ".join(f"{self.pages(outcome)} {name}" for outcome, name in (
            ("article", "articles"), ("listing", "listings"), ("unchanged", "unchanged"), ("failure", "failures")))
        return "; ".join([f"{self.pages()} pages: {counts}", *self._remarks()])

    def _remarks(self):
        """The clauses after the tally, each only when it has something to say."""
        get = self.stats.get
        if get("newsarchive/pages/not_fetched_count"):
            yield f"{get('newsarchive/pages/not_fetched_count')} requests never answered (recorded as not_fetched failures)"
        if get("newsarchive/revisit/requested_count"):
            yield (f"{get('newsarchive/revisit/requested_count')} known articles revisited, "
                   f"{get('newsarchive/revisit/changed_count', 0)} found changed")
        if get("newsarchive/photos/unwritten_count"):
            yield f"{get('newsarchive/photos/unwritten_count')} photo files not written (--full fetches them again)"
        if get("newsarchive/store/one_text_count"):
            kept = get("newsarchive/store/one_text_kept_count")
            yield (f"{get('newsarchive/store/one_text_count')} of the {get('newsarchive/store/one_text_stored')} "
                   f"articles stored have one title and text, {get('newsarchive/store/one_text_title')!r}: one page "
                   "under many URLs?" + (f" (the next crawl asks for those {kept} again)" if kept else ""))
        if get("newsarchive/comment_pages/articles_count"):
            unread = get("newsarchive/comment_pages/unread_count", 0)
            yield (f"{get('newsarchive/comment_pages/read_count', 0)} more comment pages read for "
                   f"{get('newsarchive/comment_pages/articles_count')} articles"
                   + (f", {unread} could not be" if unread else ""))
        if get("newsarchive/story_pages/articles_count"):
            unread = get("newsarchive/story_pages/unread_count", 0)
            yield (f"{get('newsarchive/story_pages/read_count', 0)} more pages read of "
                   f"{get('newsarchive/story_pages/articles_count')} stories split over pages"
                   + (f", {unread} could not be" if unread else ""))
        rendering = describe_rendering(rendering_figures(self.stats))
        if rendering:
            yield rendering
        if self.not_stored:
            yield f"{self.not_stored} pages not stored (the archive could not be written), to be fetched again"
        if self.cut_off:
            yield f"{self.cut_off} pages received but not stored when it was stopped at once, to be fetched again"
        if self.unaccounted:
            yield f"{self.unaccounted} pages UNACCOUNTED FOR (not stored: a bug, please report it)"
        if get("newsarchive/retried_from"):
            yield (f"asked again for {get('newsarchive/retried_count', 0)} pages crawl "
                   f"{get('newsarchive/retried_from')} could not archive")
        if self.no_share:
            yield "this worker received no page: the crawl's other workers took them all"
        if get("newsarchive/distributed/retried_count"):
            yield (f"asked again for {get('newsarchive/distributed/retried_count')} pages the last crawl of this "
                   "name could not fetch")
        if get("newsarchive/pages/kept_for_retry_count"):
            yield (f"{get('newsarchive/pages/kept_for_retry_count')} pages that failed for a passing reason"
                   f"{' or arrived cut short' if get('newsarchive/pages/cut_short_count') else ''} will be "
                   "asked for again next time")
        if get("newsarchive/resumed_from"):
            yield (f"resumed crawl {get('newsarchive/resumed_from')} "
                   f"({get('newsarchive/resumed_pending', 0)} requests were pending)")

    def verdict(self) -> str:
        """One line on why the exit code is what it is, or '' when all is well."""
        code = self.exit_code
        if self.write_error:
            remedy = ("when the process holding its lock is done" if "database is locked" in self.write_error
                      else "once there is room, or the file is mended")
            return (f"the archive could not be written: {self.write_error}; {remedy}, run the same command "
                    f"again: it fetches what this crawl could not store")
        if code == EXIT_NOT_FINISHED:
            return f"the crawl did not finish ({self.finish_reason})" if self.finish_reason != "finished" \
                else "pages were lost between the spider and the archive"
        if code == EXIT_NOTHING_ARCHIVED:
            moved = self.stats.get(START_MOVED_STAT)
            if moved:
                start_url, target = moved.split(" -> ", 1)
                return (f"nothing was archived: the start URL {start_url} redirects to {target}, another origin, "
                        f"which the crawl does not follow; crawl {target} instead")
            if not self.pages():
                return "nothing could be fetched: no response and no error reached the spider"
            if self.found_no_article and not self.article_pages_failed:
                return self._nothing_found()
            if self.one_page_only:
                return (f"nothing was archived but one page under {self.stats.get('newsarchive/store/one_text_count')} "
                        f"URLs, {self.stats.get('newsarchive/store/one_text_title')!r}: {ONE_TEXT_CAUSES}")
            return (f"nothing was archived: every page (or every article page) failed{self._commonest_failures()}; "
                    "see `newsarchive report`")
        return ""

    def _nothing_found(self) -> str:
        """Why a crawl met no article: the pages that failed and why (robots.txt forbidding them,
        say), and where its links led, when they led elsewhere."""
        found = f"nothing was archived: the crawl met no article, new or known, on its {self.pages()} pages"
        if self.pages("failure"):
            found += f"; {self.pages('failure')} failed{self._commonest_failures()}"
        offsite = self.stats.get(OFFSITE_STAT)
        if not offsite:
            return found + "; see `newsarchive report`"
        origin, links = offsite.rsplit(" ", 1)
        return (f"{found}; its links led elsewhere, {links} of them to {origin}, an origin the crawl does not follow: "
                f"to archive that site, crawl {origin} (or give it as a start URL too)")

    def _commonest_failures(self, shown: int = 3) -> str:
        """The reasons most pages failed for, most first (" (38 not_the_story, 2 http_404)"), so that
        the line cron mails says what went wrong: a site in maintenance, robots.txt, a dead host."""
        prefix = "newsarchive/store/failure_count/"
        reasons = sorted(((count, name[len(prefix):]) for name, count in self.stats.items()
                          if name.startswith(prefix) and count), key=lambda item: (-item[0], item[1]))
        if not reasons:
            return ""
        more = f", {len(reasons) - shown} other reasons" if len(reasons) > shown else ""
        return " (" + ", ".join(f"{count} {reason}" for count, reason in reasons[:shown]) + more + ")"


# The longest --refresh-window, some 270 years: the window's start is a date (datetime's years
# begin at 1), and "inf" failed the crawl's start with an OverflowError. --full refetches all.
MAX_REFRESH_WINDOW_DAYS = 100_000


@dataclass
class CrawlPlan:
    """What to run: the spider, its arguments and the settings, all checked."""

    spider: str
    lock_name: str
    arguments: dict = field(default_factory=dict)
    settings: dict = field(default_factory=dict)
    profile_file: str | None = None  # a profile of the user's own (--profile), its site the spider


def check_lookup_db(lookup_db: str | None) -> None:
    """--lookup-db: an archive, or no file yet (the merged archive of a first run). A file that is
    no archive failed the crawl's start with two tracebacks."""
    from newsarchive.archive import ArchiveError, open_for_reading

    if lookup_db and os.path.exists(lookup_db):
        try:
            open_for_reading(lookup_db, older=True).close()  # an older one is read as it is
        except ArchiveError as error:
            raise OptionError(f"--lookup-db: {error}") from None


REDIS_SCHEMES = ("redis", "rediss", "unix")  # what redis-py's from_url reads


def check_redis_url(redis_url: str | None) -> None:
    if redis_url is None:
        return
    try:
        parts = urlsplit(redis_url)
        parts.port  # noqa: B018 (read for its check: a port past 65535, or none that is a number)
    except ValueError as error:  # "Port out of range 0-65535", "Invalid IPv6 URL"
        raise OptionError(f"--redis {redis_url!r} is no URL that can be used: {error}") from None
    if parts.scheme not in REDIS_SCHEMES:
        raise OptionError(f"--redis must be a URL of Redis ({', '.join(f'{scheme}://' for scheme in REDIS_SCHEMES)}), "
                          f"not {redis_url!r}")


# A crawl's name is part of every Redis key of the crawl, and Redis reads the names of the keys a
# worker looks for as a pattern (a "[" in one hid the crawl's own keys: a killed worker's requests
# were never put back), and scrapy-redis formats them with "%".
_CRAWL_NAME = re.compile(r"[\w.-]+")


def distributed_crawl_name(crawl_name: str | None, site: str) -> str:
    """The name of a distributed crawl: the one given, else the site's (a profile's name; a URL's
    host, and its port when it has one). Every crawl given by URL was "generic", the spider's
    name, and crawls of two sites through one Redis took each other's requests."""
    if crawl_name is None:
        if "://" not in site:
            return site
        parts = urlsplit(site)
        return site_host(parts.hostname or "") + (f"-{parts.port}" if parts.port else "")
    if not _CRAWL_NAME.fullmatch(crawl_name):
        raise OptionError(f"--crawl-name may hold letters, digits, '.', '_' and '-' (it names the crawl's Redis "
                          f"keys), not {crawl_name!r}")
    return crawl_name


def crawl_plan(site: str, *, sections: str | None = None, max_pages: int = 0, since: str | None = None,
               until: str | None = None, locales: str | None = None, base_url: str | None = None,
               allow_private: bool = False, full: bool = False, contact: str | None = None,
               photos_dir: str | None = None, stale_pages: int | None = None, refresh_window: float | None = None,
               redis_url: str | None = None, crawl_name: str | None = None, lookup_db: str | None = None,
               resume: bool = True, revisit_budget: int | None = None, render: str | None = None,
               overrides: dict | None = None, profile: str | None = None) -> CrawlPlan:
    """Check a crawl's options and turn them into a plan; raise OptionError for a bad one."""
    from newsarchive.profiles import ProfileError, all_site_names, profile_and_site

    since, until = parse_day(since, "--since"), parse_day(until, "--until")
    check_date_order(since, until)
    parse_count(max_pages, "--max-pages")
    if stale_pages is not None:
        parse_count(stale_pages, "--stale-pages")
    if revisit_budget is not None:
        parse_count(revisit_budget, "--revisit-budget")
    if refresh_window is not None and not 0 <= refresh_window < MAX_REFRESH_WINDOW_DAYS:  # nan too
        raise OptionError(f"--refresh-window must be 0 or more days, fewer than {MAX_REFRESH_WINDOW_DAYS:,}, "
                          f"not {refresh_window}")
    check_lookup_db(lookup_db)
    check_redis_url(redis_url)
    if redis_url is not None:
        crawl_name = distributed_crawl_name(crawl_name, site)
    check_setting_choices(overrides or {})
    if render is None and (overrides or {}).get("NEWSARCHIVE_RENDER"):
        check_render(overrides["NEWSARCHIVE_RENDER"], overrides.get("NEWSARCHIVE_CHROMIUM"),
                     f"-s NEWSARCHIVE_RENDER={overrides['NEWSARCHIVE_RENDER']}")
    else:
        check_render(render, (overrides or {}).get("NEWSARCHIVE_CHROMIUM"))
    check_render_origins((overrides or {}).get("NEWSARCHIVE_RENDER_ORIGINS"))
    check_browser_settings(overrides or {})
    check_setting_types(overrides or {})
    check_setting_bounds(overrides or {})
    common = {"max_pages": max_pages, "since": since, "until": until,
              "allow_private": "1" if allow_private else "", "full": "1" if full else ""}
    section_list = [part.strip() for part in (sections or "").split(",") if part.strip()]
    if "://" in site and not profile:  # a URL: any site, through the generic spider
        if locales or base_url is not None:
            raise OptionError("--locales and --base-url are for profiled sites; give the URL itself instead")
        start_urls = [check_start_url(site, "SITE")] + [check_start_url(urljoin(site, s), "--sections")
                                                         for s in section_list]
        # One lock for a site's two names (example.org, www.example.org): one scope (scope.py).
        plan = CrawlPlan("generic", site_host(urlsplit(site).hostname or ""), {"start_urls": ",".join(start_urls), **common})
    else:
        try:  # a profile file's site by name or URL, else a bundled site by name
            found = profile_and_site(None if "://" in site else site, site, profile)
        except ProfileError as error:
            raise OptionError(str(error)) from None
        if not found:
            raise OptionError(f"no site profile has a site named {site!r}{did_you_mean(site, all_site_names())} "
                              f"(or give a section URL, or --profile FILE); sites: {', '.join(all_site_names())}")
        site_profile, chosen = found
        if "://" in site and profile and base_url is None:
            sections = _sections_of_url(site, sections, site_profile, chosen, profile)
        site = chosen.name
        if base_url is not None:  # given, if empty ("" would crawl the profile's live site instead)
            check_start_url(base_url, "--base-url")
        for section in section_list:
            if "://" in section:
                check_start_url(section, "--sections")
        site_profile.check_locales([loc.strip() for loc in (locales or "").split(",") if loc.strip()], "--locales")
        plan = CrawlPlan(site, site, {"sections": sections, "locales": locales, "base_url": base_url, **common},
                         profile_file=str(Path(profile).resolve()) if profile else None)  # workers load it too
    plan.settings = crawl_settings(contact=contact, photos_dir=photos_dir, stale_pages=stale_pages,
                                   refresh_window=refresh_window, redis_url=redis_url, crawl_name=crawl_name,
                                   lookup_db=lookup_db, resume=resume, revisit_budget=revisit_budget,
                                   render=render, overrides=overrides)
    # Last, once every other option is known good: it makes the directory, as the crawl would.
    check_photos_dir(plan.settings.get("NEWSARCHIVE_PHOTOS_DIR"))
    return plan


def check_photos_dir(photos_dir: str | None) -> None:
    """--photos-dir (or NEWSARCHIVE_PHOTOS_DIR) is a directory this process can make and write a
    file in. Without this check a path under /proc, or inside a file, failed the crawl's start
    (exit 1, `failed_to_start`) instead of being a bad option. Permissions alone cannot tell:
    root passes every access check, and a read-only mount fails only a real write."""
    if not photos_dir:
        return
    try:
        Path(photos_dir).mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryFile(dir=photos_dir):
            pass
    except OSError as error:
        raise OptionError(f"--photos-dir {photos_dir}: cannot write files there ({error.strerror or error})") from None


def crawl_settings(*, contact=None, photos_dir=None, stale_pages=None, refresh_window=None, redis_url=None,
                   crawl_name=None, lookup_db=None, resume=True, revisit_budget=None, render=None,
                   overrides=None) -> dict:
    """The Scrapy settings the CLI's options stand for (every default is in settings.py)."""
    settings = dict(overrides or {})
    for name, value in {
        "NEWSARCHIVE_CONTACT_URL": contact,
        "NEWSARCHIVE_PHOTOS_DIR": os.path.abspath(photos_dir) if photos_dir else None,
        "NEWSARCHIVE_REFRESH_STALE_PAGES": stale_pages,
        "NEWSARCHIVE_REFRESH_WINDOW_DAYS": refresh_window,
        "NEWSARCHIVE_REDIS_URL": redis_url,
        "NEWSARCHIVE_CRAWL_NAME": crawl_name,
        "NEWSARCHIVE_LOOKUP_DB_PATH": os.path.abspath(lookup_db) if lookup_db else None,
        "NEWSARCHIVE_FRONTIER_RESUME": None if resume else False,
        "NEWSARCHIVE_REVISIT_BUDGET": revisit_budget,
        "NEWSARCHIVE_RENDER": render,
    }.items():
        if value is not None:
            settings[name] = value
    return settings


# Settings whose value is one word of a few: another (`-s NEWSARCHIVE_RENDER=Always`) was taken
# without a word, and the crawl did what none of them says (rendered nothing, drew no progress).
CHOICE_SETTINGS = {"NEWSARCHIVE_RENDER": ("auto", "always", "never"), "NEWSARCHIVE_PROGRESS": ("auto", "always", "never")}


def check_setting_choices(overrides: dict) -> None:
    """An OptionError for a -s value that is not one of its setting's choices (CHOICE_SETTINGS)."""
    for name, value in overrides.items():
        choices = CHOICE_SETTINGS.get(name)
        if choices is not None and value not in choices:
            raise OptionError(f"-s {name}={value}: {name} is one of {', '.join(choices)}"
                              f"{did_you_mean(str(value).lower(), choices)}")


def _sections_of_url(url: str, sections: str | None, profile, chosen, profile_file: str) -> str | None:
    """The sections a crawl of a URL with a profile file (`crawl URL --profile FILE`) walks: the
    URL's own page when it is more than the site's home (unless --sections names others). A URL of
    another host than the profile's site is refused: a one-site profile took any URL, and crawled its
    own site's start paths, the host and path given dropped without a word."""
    if profile.site_for_url(url) is not chosen:
        raise OptionError(f"{url} is not on a host of {chosen.name!r}, the site of {profile_file} (a mirror of "
                          f"it: newsarchive crawl {chosen.name} --profile {profile_file} --base-url {url})")
    url = check_start_url(url, "SITE")
    return sections or (url if urlsplit(url).path.strip("/") else None)


def check_render(render: str | None, chromium: str | None, given_as: str = "--render always") -> None:
    """--render is auto, always or never; always needs a browser (auto goes on without one).
    given_as: how the crawl was told to render always (the option, or -s NEWSARCHIVE_RENDER)."""
    from newsarchive.rendering import RENDER_MODES, browser_missing

    if render is not None and render not in RENDER_MODES:
        raise OptionError(f"--render must be one of {', '.join(RENDER_MODES)}, not {render!r}")
    if render == "always":
        missing = browser_missing(chromium or project_settings().get("NEWSARCHIVE_CHROMIUM"))
        if missing:
            raise OptionError(f"{given_as} needs a browser: {missing}")


# scrapy-playwright's settings that hold a dict (a JSON object, as `-s` gives it).
BROWSER_DICT_SETTINGS = ("PLAYWRIGHT_LAUNCH_OPTIONS", "PLAYWRIGHT_CONTEXTS", "PLAYWRIGHT_CDP_KWARGS",
                         "PLAYWRIGHT_CONNECT_KWARGS")


def check_browser_settings(overrides: dict) -> None:
    """scrapy-playwright's settings a crawl may give: the browser is Chromium (the crawl's launcher
    runs it: another type launched it and waited for it for good), and the dicts are JSON objects
    (read at the first render, a bad one failed every render)."""
    from scrapy.settings import BaseSettings

    browser = overrides.get("PLAYWRIGHT_BROWSER_TYPE")
    if browser is not None and browser != "chromium":
        raise OptionError(f"PLAYWRIGHT_BROWSER_TYPE: the crawl renders with Chromium (NEWSARCHIVE_CHROMIUM), "
                          f"not {browser!r}")
    for name in BROWSER_DICT_SETTINGS:
        try:
            BaseSettings({name: overrides.get(name) or {}}).getdict(name)
        except (ValueError, TypeError):
            raise OptionError(f"{name} must be a JSON object ({{...}}), not {overrides[name]!r}") from None


def check_render_origins(value) -> None:
    """NEWSARCHIVE_RENDER_ORIGINS (a list, or comma-separated as `-s` gives it) names origins:
    scheme://host[:port]. A name that is none would be dropped without a word, and the service
    it meant stay blocked."""
    from scrapy.settings import BaseSettings

    from newsarchive.scope import origin_of

    for entry in BaseSettings({"origins": value or []}).getlist("origins"):
        if origin_of(entry.strip()) is None:
            raise OptionError(f"NEWSARCHIVE_RENDER_ORIGINS: {entry.strip()!r} is not an origin "
                              f"(scheme://host[:port], e.g. https://disqus.com)")


def check_setting_types(overrides: dict) -> None:
    """An OptionError for a -s value of the wrong type for its setting (a number, a flag), read from
    the setting's default: the crawl would otherwise fail to start, exit 1, with Scrapy's traceback."""
    if not overrides:
        return
    defaults = project_settings()
    for name, value in overrides.items():
        default = defaults.get(name)
        try:
            if isinstance(default, bool):
                _scrapy_bool(value)
            elif isinstance(default, (int, float)):  # an int default may be a float setting (DOWNLOAD_DELAY: 0)
                float(value)
        except ValueError:
            kind = "true or false" if isinstance(default, bool) else "a number"
            raise OptionError(f"-s {name}={value}: {name} is {kind} (its default is {default!r})") from None


# The least value of settings below which a crawl cannot run: with 0 pages rendered at once no
# render could start, and the crawl never ended, not even on SIGTERM. (A queue's -1 is no bound.)
LEAST_VALUES = {"NEWSARCHIVE_RENDER_CONCURRENCY": 1, "NEWSARCHIVE_RENDER_MAX_CLICKS": 0,
                "PLAYWRIGHT_MAX_PAGES_PER_CONTEXT": 0, "NEWSARCHIVE_QUEUE_IN_MEMORY": -1}
# Settings that must be more than 0: a render timeout of 0 failed every render.
POSITIVE_SETTINGS = ("NEWSARCHIVE_RENDER_TIMEOUT",)


def check_setting_bounds(overrides: dict) -> None:
    """An OptionError for a -s number out of its setting's bounds (LEAST_VALUES, POSITIVE_SETTINGS)."""
    for name, value in overrides.items():
        if name not in LEAST_VALUES and name not in POSITIVE_SETTINGS:
            continue
        try:
            number = float(value)
        except (TypeError, ValueError):
            raise OptionError(f"-s {name}={value}: {name} is a number") from None
        if name in LEAST_VALUES and number < LEAST_VALUES[name]:
            raise OptionError(f"-s {name}={value}: {name} must be {LEAST_VALUES[name]} or more")
        if name in POSITIVE_SETTINGS and number <= 0:
            raise OptionError(f"-s {name}={value}: {name} must be more than 0")


def _scrapy_bool(value) -> bool:
    """A flag as Scrapy's Settings.getbool reads it; ValueError for anything else."""
    from scrapy.settings import BaseSettings

    return BaseSettings({"flag": value}).getbool("flag")


def project_settings(overrides: dict | None = None):
    """Scrapy settings of this project, wherever the command runs from, with overrides on top."""
    os.environ.setdefault("SCRAPY_SETTINGS_MODULE", "newsarchive.settings")
    from scrapy.utils.project import get_project_settings

    settings = get_project_settings()
    for name, value in (overrides or {}).items():
        settings.set(name, value, priority="cmdline")
    return settings


def run_crawl(site: str, db_path: str, arguments: dict, settings: dict | None = None,
              profile_file: str | None = None) -> CrawlSummary:
    """Crawl one site into the archive at db_path, in this process; blocks until it ends. A site of
    a profile file (`profile_file`) has a spider made for it; any other is one the project lists."""
    from scrapy.crawler import CrawlerProcess

    merged = {"NEWSARCHIVE_DB_PATH": str(db_path), **(settings or {})}
    process = CrawlerProcess(project_settings(merged))
    if profile_file:
        from newsarchive.profiles import load_profile
        from spiders.profiled import spider_class as profiled_spider

        profile = load_profile(profile_file)
        spider_class = profiled_spider(profile, profile.site_by_name(site))
    else:
        spider_class = process.spider_loader.load(site)
    crawler = process.create_crawler(spider_class)
    started_at, start_errors = utc_now(), []
    crawl = process.crawl(crawler, **{k: str(v) for k, v in arguments.items() if v not in (None, "", False)})
    crawl.addErrback(lambda failure: start_errors.append(failure))
    process.start()
    # Scrapy's handlers, which stop its reactor, stay installed once it has stopped: a SIGTERM (cron's
    # timeout, systemd stopping the unit) during what follows (the failed start's record, the
    # duplicates pass) was ignored. The default ends the process.
    if threading.current_thread() is threading.main_thread():  # where Python lets signals be set
        signal.signal(signal.SIGTERM, signal.SIG_DFL)
        signal.signal(signal.SIGINT, signal.default_int_handler)
    stats = _crawl_stats(crawler)
    crawl_id, reason = stats.get("newsarchive/crawl_id"), stats.get("finish_reason")
    if crawl_id is not None and reason is None:  # stopped at once: the spider never closed
        reason = FORCED_SHUTDOWN
        logger.warning(f"crawl {crawl_id} was stopped at once: its row in {db_path} stays unfinished, and the next "
                       "crawl of the site takes it over")
    if crawl_id is None and start_errors:
        crawl_id, reason = _record_failed_start(db_path, crawler, site, started_at, start_errors[0]), "failed_to_start"
    return CrawlSummary(crawl_id, reason, stats)


def _crawl_stats(crawler) -> dict:
    """The crawl's stats; none when it failed before Scrapy made them (Crawler.stats raises until
    then): a spider that could not be made, on a setting it could not read, ended in Scrapy's
    "Crawler.stats is not set yet", exit 1, its start unrecorded and its cause unsaid."""
    try:
        return crawler.stats.get_stats() if crawler.stats else {}
    except RuntimeError:
        return {}


def _record_failed_start(db_path: str, crawler, spider_name: str, started_at: str, failure) -> int | None:
    """A crawl that failed before its spider opened (e.g. Redis unreachable for the whole wait)
    still gets its row in `crawls`, and the error as a failure, so reports show the attempt."""
    cause = _error_chain(failure.value)
    logger.error(f"the crawl failed to start: {cause}")
    try:
        # A short wait: the start may have failed because another process holds the file.
        archive = open_archive(db_path, busy_timeout=RECORD_FAILED_START_WAIT)
        try:
            with archive.write() as db:
                crawl_id = start_crawl(db, getattr(crawler.spider, "site_name", None), spider_name, {}, started_at)
                finish_crawl(db, crawl_id, {"finished_at": utc_now(), "finish_reason": "failed_to_start", "failures": 1})
                store_failure(db, PageFailure(url="", reason="crawl_failed_to_start", detail=cause), crawl_id, utc_now())
            return crawl_id
        finally:
            archive.close()
    except (ArchiveError, sqlite3.Error) as error:
        logger.error(f"the failed start could not be recorded in {db_path}: {error}")
        return None


def _error_chain(error: BaseException) -> str:
    """The error and those it happened while handling, first cause first: Scrapy's own clean-up
    error ("Engine slot not assigned") comes last, after the one that says what went wrong."""
    chain = []
    while error is not None and len(chain) < 5:
        chain.append(f"{type(error).__name__}: {error}")
        error = error.__cause__ or error.__context__
    return " -> ".join(reversed(chain))
