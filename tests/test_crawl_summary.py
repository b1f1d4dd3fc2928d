"""What `newsarchive crawl` tells cron (newsarchive/crawling.py), in the test's process: the exit
code and the one-line verdict of a crawl from its figures, worked out by hand for each case, the
tally it prints, and the checks a crawl's options pass before anything starts."""

from __future__ import annotations

import os

import pytest

from newsarchive.crawling import (
    EXIT_NOT_FINISHED,
    EXIT_NOTHING_ARCHIVED,
    EXIT_OK,
    CrawlSummary,
    _error_chain,
    crawl_plan,
    crawl_settings,
)
from newsarchive.options import OptionError

SITE = "http://127.0.0.1:8000/news/"


def summary(reason: str | None = "finished", **pages) -> CrawlSummary:
    """A crawl's summary from its page counts: received=N, article=N, article_failure=N ..."""
    return CrawlSummary(1, reason, {f"newsarchive/pages/{key}_count": count for key, count in pages.items()})


def test_a_crawl_that_kept_its_pages_exits_0():
    done = summary(received=5, article=3, listing=1, failure=1, article_article=3, article_failure=1)
    assert (done.exit_code, done.succeeded, done.unaccounted, done.verdict()) == (EXIT_OK, True, 0, "")


def test_a_crawl_of_listings_only_exits_0():
    # A listing that led to no article of a new kind (an incremental run found nothing new).
    assert summary(received=2, listing=2).exit_code == EXIT_OK


def test_a_crawl_whose_articles_were_all_unchanged_exits_0():
    assert summary(received=3, listing=1, unchanged=2, article_unchanged=2).exit_code == EXIT_OK



def test_an_any_site_crawl_whose_every_page_to_classify_failed_exits_4():
    # An any-site crawl requests the pages it follows as "page": what each is, its content says.
    assert summary(received=4, listing=1, failure=3, listing_listing=1, page_failure=3).exit_code == EXIT_NOTHING_ARCHIVED
    assert summary(received=4, listing=1, article=1, failure=2, listing_listing=1, page_article=1,
                   page_failure=2).exit_code == EXIT_OK


def test_listing_pages_that_failed_are_no_failed_articles():
    # Two pages requested as listings failed, one listing was kept: no article page failed.
    assert summary(received=3, listing=1, failure=2, listing_listing=1, listing_failure=2).exit_code == EXIT_OK


def test_pages_that_turned_out_to_be_listings_are_no_failed_articles():
    assert summary(received=3, listing=3, listing_listing=1, page_listing=2).exit_code == EXIT_OK
    assert summary(received=3, listing=3, listing_listing=1, article_listing=2).exit_code == EXIT_OK

@pytest.mark.parametrize("reason", ["shutdown", "interrupted", "closespider_pagecount", "failed_to_start", None])
def test_a_crawl_that_did_not_finish_exits_1_and_says_how_it_ended(reason):
    stopped = summary(reason, received=2, article=2, article_article=2)
    assert (stopped.exit_code, stopped.succeeded) == (EXIT_NOT_FINISHED, False)
    assert stopped.verdict() == f"the crawl did not finish ({reason})"


def test_a_page_received_but_not_stored_exits_1_even_when_finished():
    lost = summary(received=4, article=2, listing=1, article_article=2)
    assert (lost.unaccounted, lost.exit_code) == (1, EXIT_NOT_FINISHED)
    assert lost.verdict() == "pages were lost between the spider and the archive"
    assert lost.describe() == ("4 pages: 2 articles, 1 listings, 0 unchanged, 0 failures; 1 pages UNACCOUNTED FOR "
                               "(not stored: a bug, please report it)")


@pytest.mark.parametrize("reason", ["archive_write_failed", "finished"])
def test_pages_the_archive_could_not_take_are_accounted_for_and_the_crawl_exits_1(reason):
    # "finished": the crawl's pages were stored, but the write of its end failed.
    full = summary(reason, received=9, article=4, listing=1, not_stored=4, article_article=4)
    full.stats["newsarchive/store/write_error"] = "OperationalError: database or disk is full"
    assert (full.not_stored, full.unaccounted, full.exit_code) == (4, 0, EXIT_NOT_FINISHED)
    assert full.describe() == ("9 pages: 4 articles, 1 listings, 0 unchanged, 0 failures; 4 pages not stored "
                               "(the archive could not be written), to be fetched again")
    assert full.verdict() == ("the archive could not be written: OperationalError: database or disk is full; "
                              "once there is room, or the file is mended, run the same command again: it fetches "
                              "what this crawl could not store")
    # Another process held the archive's write lock longer than the crawl waits: nothing to mend.
    full.stats["newsarchive/store/write_error"] = "OperationalError: database is locked: another process held it"
    assert full.verdict() == ("the archive could not be written: OperationalError: database is locked: another "
                              "process held it; when the process holding its lock is done, run the same command "
                              "again: it fetches what this crawl could not store")
    # Counted as not stored, a page is no loss; one more received and not counted is.
    lost = summary(reason, received=10, article=4, listing=1, not_stored=4, article_article=4)
    assert lost.unaccounted == 1 and "1 pages UNACCOUNTED FOR" in lost.describe()


@pytest.mark.parametrize(("reason", "stored", "write_error", "passes"), [
    ("finished", 3, None, True),
    ("shutdown", 3, None, True),  # one Ctrl-C: what was stored is searchable
    ("forced_shutdown", 3, None, False),  # a second one asks to stop at once
    ("finished", 3, "OperationalError: database or disk is full", False),
    ("failed_to_start", 0, None, False),
])
def test_the_passes_after_a_crawl_run_only_on_an_archive_it_wrote(reason, stored, write_error, passes):
    # The search lists and duplicates, run by `crawl` and `demo` alike (demo ran them after a
    # second Ctrl-C).
    crawl = summary(reason, received=stored, article=stored, article_article=stored)
    if write_error:
        crawl.stats["newsarchive/store/write_error"] = write_error
    assert crawl.archive_written is passes


def test_photo_files_not_written_are_counted_and_the_crawl_still_exits_0():
    kept = summary(received=2, article=2, article_article=2)
    kept.stats["newsarchive/photos/unwritten_count"] = 3  # their bytes are in the captures
    assert kept.exit_code == EXIT_OK
    assert kept.describe() == ("2 pages: 2 articles, 0 listings, 0 unchanged, 0 failures; 3 photo files not written "
                               "(--full fetches them again)")


def test_a_crawl_whose_start_url_moved_to_another_origin_names_the_url_to_crawl():
    moved = summary(received=2, failure=2, listing_failure=2)
    moved.stats["newsarchive/start_url_moved"] = "http://example.org/news/ -> https://www.example.org/news/"
    assert (moved.exit_code, moved.verdict()) == (EXIT_NOTHING_ARCHIVED, (
        "nothing was archived: the start URL http://example.org/news/ redirects to https://www.example.org/news/, "
        "another origin, which the crawl does not follow; crawl https://www.example.org/news/ instead"))
    # Another start URL archived something: the crawl exits 0, its warning said the rest.
    moved.stats.update({"newsarchive/pages/received_count": 3, "newsarchive/pages/listing_count": 1})
    assert (moved.exit_code, moved.verdict()) == (EXIT_OK, "")


def test_the_tally_says_which_pages_are_asked_for_again():
    retried = summary(received=2, article=2, article_article=2)
    retried.stats.update({"newsarchive/retried_from": 6, "newsarchive/retried_count": 3,
                          "newsarchive/pages/kept_for_retry_count": 1})
    assert retried.describe() == ("2 pages: 2 articles, 0 listings, 0 unchanged, 0 failures; asked again for 3 pages "
                                  "crawl 6 could not archive; 1 pages that failed for a passing reason will be asked "
                                  "for again next time")


def test_a_crawl_that_received_nothing_exits_4():
    empty = summary()
    assert (empty.exit_code, empty.verdict()) == (
        EXIT_NOTHING_ARCHIVED, "nothing could be fetched: no response and no error reached the spider")


def test_a_distributed_worker_the_others_left_no_page_to_exits_0_and_says_so():
    from newsarchive.crawling import NO_SHARE_STAT

    idle = CrawlSummary(3, "finished", {NO_SHARE_STAT: True})
    assert (idle.exit_code, idle.verdict()) == (EXIT_OK, "")
    assert idle.describe() == ("0 pages: 0 articles, 0 listings, 0 unchanged, 0 failures; this worker received no "
                               "page: the crawl's other workers took them all")
    # A page it did receive is judged as any crawl's: here it failed.
    failed = CrawlSummary(3, "finished", {NO_SHARE_STAT: True, "newsarchive/pages/received_count": 1,
                                          "newsarchive/pages/failure_count": 1})
    assert failed.exit_code == EXIT_NOTHING_ARCHIVED and "other workers" not in failed.describe()
    assert CrawlSummary(3, "shutdown", {NO_SHARE_STAT: True}).exit_code == EXIT_NOT_FINISHED


def test_a_crawl_whose_every_page_failed_exits_4():
    failed = summary(received=3, failure=3, listing_failure=1, article_failure=2)
    assert failed.exit_code == EXIT_NOTHING_ARCHIVED
    assert failed.verdict() == ("nothing was archived: every page (or every article page) failed; "
                                "see `newsarchive report`")


def test_the_line_on_a_crawl_whose_every_page_failed_names_the_commonest_reasons():
    failed = summary(received=9, failure=9, article_failure=9)
    failed.stats.update({"newsarchive/store/failure_count": 9, "newsarchive/store/failure_count/http_404": 2,
                         "newsarchive/store/failure_count/robots_forbidden": 5})
    assert failed.verdict() == ("nothing was archived: every page (or every article page) failed "
                                "(5 robots_forbidden, 2 http_404); see `newsarchive report`")
    # The three commonest, ties in the order of their names, and how many others there were.
    failed.stats.update({"newsarchive/store/failure_count/timeout": 1, "newsarchive/store/failure_count/not_html": 1,
                         "newsarchive/store/failure_count/empty_page": 0})
    assert failed.verdict() == ("nothing was archived: every page (or every article page) failed "
                                "(5 robots_forbidden, 2 http_404, 1 not_html, 1 other reasons); see `newsarchive report`")


def test_a_crawl_whose_every_article_page_failed_exits_4_though_its_listings_were_kept():
    assert summary(received=4, listing=2, failure=2, listing_listing=2, article_failure=2).exit_code \
        == EXIT_NOTHING_ARCHIVED
    one_kept = summary(received=5, listing=2, article=1, failure=2, article_article=1, article_failure=2)
    assert one_kept.exit_code == EXIT_OK
    one_unchanged = summary(received=5, listing=2, unchanged=1, failure=2, article_unchanged=1, article_failure=2)
    assert one_unchanged.exit_code == EXIT_OK


def test_the_tally_names_every_outcome_and_what_else_happened():
    stats = {"newsarchive/pages/received_count": 9, "newsarchive/pages/article_count": 4,
             "newsarchive/pages/listing_count": 2, "newsarchive/pages/unchanged_count": 1,
             "newsarchive/pages/failure_count": 2, "newsarchive/pages/not_fetched_count": 1,
             "newsarchive/revisit/requested_count": 3, "newsarchive/revisit/changed_count": 1,
             "newsarchive/resumed_from": 7, "newsarchive/resumed_pending": 12}
    assert CrawlSummary(8, "finished", stats).describe() == (
        "9 pages: 4 articles, 2 listings, 1 unchanged, 2 failures; 1 requests never answered (recorded as "
        "not_fetched failures); 3 known articles revisited, 1 found changed; resumed crawl 7 (12 requests were "
        "pending)")
    assert summary(received=1, article=1).describe() == "1 pages: 1 articles, 0 listings, 0 unchanged, 0 failures"
    # Figures a crawl did not set count as none.
    sparse = {"newsarchive/pages/received_count": 1, "newsarchive/pages/article_count": 1,
              "newsarchive/revisit/requested_count": 2, "newsarchive/resumed_from": 3}
    assert CrawlSummary(4, "finished", sparse).describe() == (
        "1 pages: 1 articles, 0 listings, 0 unchanged, 0 failures; 2 known articles revisited, 0 found changed; "
        "resumed crawl 3 (0 requests were pending)")


def test_the_tally_says_what_was_rendered():
    stats = {"newsarchive/pages/received_count": 2, "newsarchive/pages/article_count": 2,
             "newsarchive/render/rendered_count": 2, "newsarchive/render/reason/comment_counter_count": 2,
             "newsarchive/render/failed_count": 1}
    assert CrawlSummary(1, "finished", stats).describe() == (
        "2 pages: 2 articles, 0 listings, 0 unchanged, 0 failures; 2 pages rendered (2 comment_counter), "
        "1 could not be rendered")


def test_an_error_chain_reads_first_cause_first():
    try:
        try:
            raise ConnectionError("redis down")
        except ConnectionError as cause:
            raise RuntimeError("Engine slot not assigned") from cause
    except RuntimeError as error:
        assert _error_chain(error) == "ConnectionError: redis down -> RuntimeError: Engine slot not assigned"


@pytest.mark.parametrize(("options", "message"), [
    ({"since": "2026-02-30"}, "--since "),
    ({"until": "tomorrow"}, "--until "),
    ({"since": "2026-03-01", "until": "2026-02-01"}, "--since "),
    ({"max_pages": -1}, "--max-pages must be 0 or more, not -1"),
    ({"stale_pages": -2}, "--stale-pages must be 0 or more, not -2"),
    ({"revisit_budget": -3}, "--revisit-budget must be 0 or more, not -3"),
    ({"refresh_window": -0.5}, "--refresh-window must be 0 or more days, fewer than 100,000, not -0.5"),
    # The window's start is a date: "inf" failed the crawl's start with an OverflowError.
    ({"refresh_window": float("inf")}, "--refresh-window must be 0 or more days, fewer than 100,000, not inf"),
    ({"refresh_window": float("nan")}, "--refresh-window must be 0 or more days, fewer than 100,000, not nan"),
    ({"refresh_window": 100_000.0}, "--refresh-window must be 0 or more days, fewer than 100,000, not 100000.0"),
    # Past the scheme, a URL Redis's client cannot use failed the crawl's start.
    ({"redis_url": "redis://127.0.0.1:99999/0"}, "--redis 'redis://127.0.0.1:99999/0' is no URL that can be used: Port out of range"),
    ({"redis_url": "redis://[::1/0"}, "--redis 'redis://[::1/0' is no URL that can be used: Invalid IPv6 URL"),
    # The name is in every Redis key of the crawl: a pattern character hid its own keys from it,
    # and a "%" failed its start with a traceback.
    ({"redis_url": "redis://127.0.0.1:6399/0", "crawl_name": "nightly-[1]"},
     "--crawl-name may hold letters, digits, '.', '_' and '-' (it names the crawl's Redis keys), not 'nightly-[1]'"),
    ({"redis_url": "redis://127.0.0.1:6399/0", "crawl_name": "50%"}, "--crawl-name may hold letters"),
    ({"redis_url": "redis://127.0.0.1:6399/0", "crawl_name": "a*"}, "--crawl-name may hold letters"),
    ({"redis_url": "redis://127.0.0.1:6399/0", "crawl_name": ""}, "--crawl-name may hold letters"),
    ({"render": "sometimes"}, "--render must be one of auto, always, never, not 'sometimes'"),
    ({"render": "always", "overrides": {"NEWSARCHIVE_CHROMIUM": "/nonexistent/chromium"}},
     "--render always needs a browser: "),
    ({"locales": "en"}, "--locales and --base-url are for profiled sites; give the URL itself instead"),
    ({"sections": "ftp://127.0.0.1/x"}, "--sections "),
    ({"overrides": {"NEWSARCHIVE_RENDER_ORIGINS": "disqus.com"}}, "NEWSARCHIVE_RENDER_ORIGINS: 'disqus.com' is not"),
    # Another browser type, launched with the crawl's Chromium, never answered: every render waited it out.
    ({"overrides": {"PLAYWRIGHT_BROWSER_TYPE": "firefox"}},
     "PLAYWRIGHT_BROWSER_TYPE: the crawl renders with Chromium (NEWSARCHIVE_CHROMIUM), not 'firefox'"),
    ({"overrides": {"PLAYWRIGHT_CONTEXTS": "{'default': {}}"}},
     "PLAYWRIGHT_CONTEXTS must be a JSON object ({...}), not \"{'default': {}}\""),
    ({"overrides": {"PLAYWRIGHT_LAUNCH_OPTIONS": "[1]"}}, "PLAYWRIGHT_LAUNCH_OPTIONS must be a JSON object ({...}), not '[1]'"),
    ({"overrides": {"PLAYWRIGHT_CDP_KWARGS": "x"}}, "PLAYWRIGHT_CDP_KWARGS must be a JSON object"),
    ({"overrides": {"PLAYWRIGHT_CONNECT_KWARGS": "1"}}, "PLAYWRIGHT_CONNECT_KWARGS must be a JSON object"),
    # No render could start: the crawl never ended, not even on SIGTERM.
    ({"overrides": {"NEWSARCHIVE_RENDER_CONCURRENCY": "0"}},
     "-s NEWSARCHIVE_RENDER_CONCURRENCY=0: NEWSARCHIVE_RENDER_CONCURRENCY must be 1 or more"),
    ({"overrides": {"NEWSARCHIVE_RENDER_MAX_CLICKS": "-1"}},
     "-s NEWSARCHIVE_RENDER_MAX_CLICKS=-1: NEWSARCHIVE_RENDER_MAX_CLICKS must be 0 or more"),
    ({"overrides": {"PLAYWRIGHT_MAX_PAGES_PER_CONTEXT": "-2"}},
     "-s PLAYWRIGHT_MAX_PAGES_PER_CONTEXT=-2: PLAYWRIGHT_MAX_PAGES_PER_CONTEXT must be 0 or more"),
    ({"overrides": {"PLAYWRIGHT_MAX_PAGES_PER_CONTEXT": "many"}},
     "-s PLAYWRIGHT_MAX_PAGES_PER_CONTEXT=many: PLAYWRIGHT_MAX_PAGES_PER_CONTEXT is a number"),
    ({"overrides": {"NEWSARCHIVE_QUEUE_IN_MEMORY": "-2"}},
     "-s NEWSARCHIVE_QUEUE_IN_MEMORY=-2: NEWSARCHIVE_QUEUE_IN_MEMORY must be -1 or more"),
    ({"overrides": {"NEWSARCHIVE_RENDER_TIMEOUT": "0"}},
     "-s NEWSARCHIVE_RENDER_TIMEOUT=0: NEWSARCHIVE_RENDER_TIMEOUT must be more than 0"),
    # Taken without a word, and the crawl rendered nothing (exit 0, the comments unreached).
    ({"overrides": {"NEWSARCHIVE_RENDER": "Always"}},
     "-s NEWSARCHIVE_RENDER=Always: NEWSARCHIVE_RENDER is one of auto, always, never (did you mean always?)"),
    ({"overrides": {"NEWSARCHIVE_PROGRESS": "yes"}},
     "-s NEWSARCHIVE_PROGRESS=yes: NEWSARCHIVE_PROGRESS is one of auto, always, never"),
    # (What is missing is the Chromium, or scrapy-playwright where the browser extra is not installed.)
    ({"overrides": {"NEWSARCHIVE_RENDER": "always", "NEWSARCHIVE_CHROMIUM": "/nonexistent/chromium"}},
     "-s NEWSARCHIVE_RENDER=always needs a browser: "),
])
def test_a_bad_option_is_refused_before_anything_starts(options, message):
    with pytest.raises(OptionError) as refused:
        crawl_plan(SITE, **options)
    assert str(refused.value).startswith(message)


@pytest.mark.parametrize("overrides", [
    {"PLAYWRIGHT_BROWSER_TYPE": "chromium"},
    {"PLAYWRIGHT_CONTEXTS": '{"default": {"locale": "de-DE"}}', "PLAYWRIGHT_LAUNCH_OPTIONS": {"args": ["--lang=de"]}},
    {"PLAYWRIGHT_CDP_KWARGS": "", "PLAYWRIGHT_CONNECT_KWARGS": "{}"},
    {"NEWSARCHIVE_RENDER_CONCURRENCY": "1", "NEWSARCHIVE_RENDER_MAX_CLICKS": "0", "PLAYWRIGHT_MAX_PAGES_PER_CONTEXT": "0",
     "NEWSARCHIVE_RENDER_TIMEOUT": "0.5", "NEWSARCHIVE_QUEUE_IN_MEMORY": "-1"},
    {"NEWSARCHIVE_RENDER": "never", "NEWSARCHIVE_PROGRESS": "always"},
])
def test_browser_settings_the_crawl_can_use_are_taken(overrides):  # the least of each bound too
    assert {name: crawl_plan(SITE, overrides=overrides).settings[name] for name in overrides} == overrides


def test_a_photos_dir_no_file_can_be_written_in_is_a_bad_option(tmp_path):
    (tmp_path / "a-file").write_text("")
    for path, why in ((tmp_path / "a-file" / "photos", "Not a directory"), ("/proc/newsarchive-photos", "No such file or directory"),
                      ("/proc", "No such file or directory")):  # a directory there is, in which no file can be made
        with pytest.raises(OptionError) as refused:
            crawl_plan(SITE, photos_dir=str(path))
        assert str(refused.value) == f"--photos-dir {path}: cannot write files there ({why})"
    with pytest.raises(OptionError, match=r"^--photos-dir .*a-file/x: cannot write files there \(Not a directory\)$"):
        crawl_plan(SITE, overrides={"NEWSARCHIVE_PHOTOS_DIR": str(tmp_path / "a-file" / "x")})  # as -s gives it
    # One that can be is made, as the crawl would, and left empty.
    plan = crawl_plan(SITE, photos_dir=str(tmp_path / "new" / "photos"))
    assert plan.settings["NEWSARCHIVE_PHOTOS_DIR"] == str(tmp_path / "new" / "photos")
    assert list((tmp_path / "new" / "photos").iterdir()) == []


def test_a_site_url_that_is_not_http_is_refused_by_name():
    with pytest.raises(OptionError, match=r"^SITE 'ftp://127.0.0.1/news/'"):
        crawl_plan("ftp://127.0.0.1/news/")


def test_the_edges_of_the_numeric_options_are_accepted():
    plan = crawl_plan(SITE, refresh_window=0, stale_pages=0, revisit_budget=0, max_pages=0)
    assert (plan.settings["NEWSARCHIVE_REFRESH_WINDOW_DAYS"], plan.settings["NEWSARCHIVE_REVISIT_BUDGET"]) == (0, 0)
    assert crawl_plan(SITE, refresh_window=0.5).settings["NEWSARCHIVE_REFRESH_WINDOW_DAYS"] == 0.5


def test_a_site_no_profile_names_is_refused_with_the_names_there_are():
    with pytest.raises(OptionError, match=r"no site profile has a site named 'diyarona'.*; sites: diyaruna, "
                                          r"almashareq, caravanserai, salaamtimes$"):
        crawl_plan("diyarona")


def test_a_url_is_crawled_by_the_generic_spider_with_its_sections():
    plan = crawl_plan(SITE, sections="/world/, /sport/", max_pages=3, since="2026-01-01", full=True,
                      allow_private=True)
    assert (plan.spider, plan.lock_name) == ("generic", "127.0.0.1")
    assert plan.arguments == {"start_urls": f"{SITE},http://127.0.0.1:8000/world/,http://127.0.0.1:8000/sport/",
                              "max_pages": 3, "since": "2026-01-01", "until": None, "allow_private": "1",
                              "full": "1"}
    assert plan.settings == {}
    # A site's two names are one site (newsarchive/scope.py): one lock for crawls of either.
    assert {crawl_plan(url).lock_name for url in ("https://www.news.example/world/", "https://news.example/")} == {
        "news.example"}


def test_a_profiled_site_is_crawled_by_its_own_spider():
    plan = crawl_plan("diyaruna", sections="news", locales="en_GB")
    assert (plan.spider, plan.lock_name, plan.arguments["sections"], plan.arguments["locales"]) == (
        "diyaruna", "diyaruna", "news", "en_GB")
    assert plan.arguments["allow_private"] == "" and plan.arguments["full"] == ""
    assert plan.arguments["max_pages"] == 0 and plan.arguments["base_url"] is None
    assert crawl_plan("diyaruna", locales="en_GB, ar").arguments["locales"] == "en_GB, ar"


def test_options_become_the_settings_they_stand_for_and_nothing_else():
    assert crawl_settings() == {}
    settings = crawl_settings(contact="https://example.org/about", photos_dir="photos", stale_pages=0,
                              refresh_window=0.0, redis_url="redis://127.0.0.1:6399/0", crawl_name="nightly",
                              lookup_db="merged.db", resume=False, revisit_budget=10, render="never",
                              overrides={"CONCURRENT_REQUESTS": 4})
    assert settings == {
        "CONCURRENT_REQUESTS": 4, "NEWSARCHIVE_CONTACT_URL": "https://example.org/about",
        "NEWSARCHIVE_PHOTOS_DIR": os.path.abspath("photos"), "NEWSARCHIVE_REFRESH_STALE_PAGES": 0,
        "NEWSARCHIVE_REFRESH_WINDOW_DAYS": 0.0, "NEWSARCHIVE_REDIS_URL": "redis://127.0.0.1:6399/0",
        "NEWSARCHIVE_CRAWL_NAME": "nightly", "NEWSARCHIVE_LOOKUP_DB_PATH": os.path.abspath("merged.db"),
        "NEWSARCHIVE_FRONTIER_RESUME": False, "NEWSARCHIVE_REVISIT_BUDGET": 10, "NEWSARCHIVE_RENDER": "never"}


def test_a_distributed_crawl_is_named_after_its_site_unless_named():
    redis = "redis://127.0.0.1:6399/0"
    assert crawl_plan(SITE, redis_url=redis).settings["NEWSARCHIVE_CRAWL_NAME"] == "127.0.0.1-8000"
    assert crawl_plan("https://www.example.org/news/", redis_url=redis).settings["NEWSARCHIVE_CRAWL_NAME"] == "example.org"
    assert crawl_plan("diyaruna", redis_url=redis).settings["NEWSARCHIVE_CRAWL_NAME"] == "diyaruna"
    assert crawl_plan(SITE, redis_url=redis, crawl_name="night_ly.2-b").settings["NEWSARCHIVE_CRAWL_NAME"] == "night_ly.2-b"
    assert "NEWSARCHIVE_CRAWL_NAME" not in crawl_plan(SITE).settings  # one process: no Redis keys
    assert crawl_plan(SITE, refresh_window=99_999.0).settings["NEWSARCHIVE_REFRESH_WINDOW_DAYS"] == 99_999.0


def test_a_distributed_crawl_scrapy_starts_itself_is_named_after_its_spider():
    # The project's "" outranked the add-on's default: every such crawl's keys were "newsarchive::...".
    from scrapy.settings import Settings

    from newsarchive.addons import DistributedCrawl

    settings = Settings({"NEWSARCHIVE_CRAWL_NAME": "", "NEWSARCHIVE_REDIS_URL": "redis://127.0.0.1:6399/0"},
                        priority="project")
    DistributedCrawl().update_settings(settings)
    assert (settings["NEWSARCHIVE_CRAWL_NAME"], settings["SCHEDULER_QUEUE_KEY"]) == (
        "%(spider)s", "newsarchive:%(spider)s:requests")


def test_a_profiled_site_refuses_a_locale_it_does_not_have():
    with pytest.raises(OptionError, match=r"--locales: unknown 'en'.*en_GB"):
        crawl_plan("diyaruna", locales="en")
    with pytest.raises(OptionError, match="^--base-url 'diyaruna.com'"):
        crawl_plan("diyaruna", base_url="diyaruna.com")
    # An empty one (a script's unset variable) is no base URL: it would have crawled the live site.
    with pytest.raises(OptionError, match="^--base-url '' must start with http"):
        crawl_plan("diyaruna", base_url="")
    with pytest.raises(OptionError, match="^--locales and --base-url are for profiled sites"):
        crawl_plan(SITE, base_url="")
    with pytest.raises(OptionError, match="^--sections 'ftp://diyaruna.com/x'"):
        crawl_plan("diyaruna", sections="news, ftp://diyaruna.com/x")


def test_a_plan_carries_every_option_that_is_a_setting():
    plan = crawl_plan(SITE, contact="https://example.org/about", photos_dir="photos", stale_pages=2,
                      refresh_window=1.5, redis_url="redis://127.0.0.1:6399/0", crawl_name="nightly",
                      lookup_db="merged.db", resume=False, revisit_budget=4, render="never",
                      overrides={"DOWNLOAD_DELAY": 1})
    assert plan.settings == crawl_settings(
        contact="https://example.org/about", photos_dir="photos", stale_pages=2, refresh_window=1.5,
        redis_url="redis://127.0.0.1:6399/0", crawl_name="nightly", lookup_db="merged.db", resume=False,
        revisit_budget=4, render="never", overrides={"DOWNLOAD_DELAY": 1})
    assert len(plan.settings) == 11  # each option, and the override


def test_a_setting_given_a_value_of_the_wrong_type_is_a_bad_option():
    with pytest.raises(OptionError, match=r"^-s CONCURRENT_REQUESTS=abc: CONCURRENT_REQUESTS is a number \(its default is 16\)$"):
        crawl_plan(SITE, overrides={"CONCURRENT_REQUESTS": "abc"})
    with pytest.raises(OptionError, match=r"^-s AUTOTHROTTLE_ENABLED=maybe: AUTOTHROTTLE_ENABLED is true or false"):
        crawl_plan(SITE, overrides={"AUTOTHROTTLE_ENABLED": "maybe"})
    # Values Scrapy reads: a float where the default is 0, a flag as 0 or False, text, a setting of one's own.
    plan = crawl_plan(SITE, overrides={"DOWNLOAD_DELAY": "0.5", "AUTOTHROTTLE_ENABLED": "0", "ROBOTSTXT_OBEY": "False",
                                       "LOG_LEVEL": "WARNING", "MY_OWN_SETTING": "anything"})
    assert plan.settings["DOWNLOAD_DELAY"] == "0.5"


def test_the_crawl_command_exits_2_for_a_setting_of_the_wrong_type(tmp_path):
    from tests.conftest import run_cli

    result = run_cli("crawl", SITE, "--db", str(tmp_path / "a.db"), "--allow-private", "-s", "CONCURRENT_REQUESTS=abc")
    assert result.returncode == 2
    assert "CONCURRENT_REQUESTS is a number" in result.stderr and "Traceback" not in result.stderr
    assert not (tmp_path / "a.db").exists()


def test_the_tally_counts_the_comment_pages_read_for_the_stories():
    paged = summary(received=2, article=2, article_article=2)
    paged.stats.update({"newsarchive/comment_pages/articles_count": 2, "newsarchive/comment_pages/read_count": 7})
    assert paged.describe() == ("2 pages: 2 articles, 0 listings, 0 unchanged, 0 failures; 7 more comment pages read "
                                "for 2 articles")
    paged.stats["newsarchive/comment_pages/unread_count"] = 1
    assert paged.describe().endswith("; 7 more comment pages read for 2 articles, 1 could not be")


def test_the_tally_says_when_most_articles_stored_have_one_text():
    shell = summary(received=5, article=5, article_article=5)
    shell.stats.update({"newsarchive/store/one_text_count": 4, "newsarchive/store/one_text_stored": 5,
                        "newsarchive/store/one_text_title": "Loading…"})
    assert shell.describe() == ("5 pages: 5 articles, 0 listings, 0 unchanged, 0 failures; 4 of the 5 articles "
                                "stored have one title and text, 'Loading…': one page under many URLs?")
    assert (shell.exit_code, shell.verdict()) == (0, "")  # one story of the five is archived
    shell.stats["newsarchive/store/one_text_kept_count"] = 4
    assert shell.describe().endswith("one page under many URLs? (the next crawl asks for those 4 again)")


@pytest.mark.parametrize("not_modified", [0, 1])
def test_a_crawl_whose_every_article_was_one_page_exits_4_unless_a_known_one_was_unchanged(not_modified):
    wall = summary(received=4, listing=1, article=3, listing_listing=1, article_article=3)
    wall.stats.update({"newsarchive/store/one_text_count": 3, "newsarchive/store/one_text_stored": 3,
                       "newsarchive/store/one_text_title": "Before you continue",
                       "newsarchive/store/article_not_modified_count": not_modified})
    assert wall.exit_code == (0 if not_modified else 4)
    assert wall.verdict() == ("" if not_modified else (
        "nothing was archived but one page under 3 URLs, 'Before you continue': a maintenance, block or consent "
        "page, or a page its scripts fill (then --render always)"))


def sought(offsite=None, sought=True, **pages) -> CrawlSummary:
    crawl = summary(**pages)
    crawl.stats.update({"newsarchive/articles_sought": sought} | ({"newsarchive/offsite/commonest": offsite} if offsite else {}))
    return crawl


def test_a_crawl_that_met_no_article_exits_4_and_says_where_its_links_led():
    listings_only = dict(received=2, listing=2, listing_listing=2)
    assert sought(sought=None, **listings_only).exit_code == EXIT_OK  # a distributed worker's, a resumed crawl
    assert sought(**listings_only).verdict() == (
        "nothing was archived: the crawl met no article, new or known, on its 2 pages; see `newsarchive report`")
    away = sought("https://www.news.example 38", **listings_only)
    assert away.exit_code == EXIT_NOTHING_ARCHIVED
    assert away.verdict() == (
        "nothing was archived: the crawl met no article, new or known, on its 2 pages; its links led "
        "elsewhere, 38 of them to https://www.news.example, an origin the crawl does not follow: to archive that "
        "site, crawl https://www.news.example (or give it as a start URL too)")
    # It met some: stored one, found one unchanged, skipped known ones, was told one was not modified.
    assert sought(received=3, listing=2, article=1, listing_listing=2, page_article=1).exit_code == EXIT_OK
    assert sought(received=3, listing=2, unchanged=1, listing_listing=2, page_unchanged=1).exit_code == EXIT_OK
    for known in ("newsarchive/refresh/skipped_count", "newsarchive/store/article_not_modified_count"):
        incremental = sought(**listings_only)
        incremental.stats[known] = 12
        assert (incremental.exit_code, incremental.verdict()) == (EXIT_OK, "")
    # Listing pages that failed (robots.txt forbids the site): the verdict says how many and why.
    forbidden = sought(received=2, failure=2, listing_failure=2)
    forbidden.stats["newsarchive/store/failure_count/robots_forbidden"] = 2
    assert (forbidden.exit_code, forbidden.verdict()) == (EXIT_NOTHING_ARCHIVED, (
        "nothing was archived: the crawl met no article, new or known, on its 2 pages; 2 failed (2 robots_forbidden); "
        "see `newsarchive report`"))
    # Article pages that failed: their reasons are the verdict.
    failed = sought(received=3, listing=1, failure=2, listing_listing=1, article_failure=2)
    assert failed.verdict() == "nothing was archived: every page (or every article page) failed; see `newsarchive report`"
