"""ParserPool: the pure page parsers, run in worker processes, off the reactor thread.

Decoding, parsing and every extraction layer are CPU work. Done in the process that also drives
Scrapy, they stop the downloads while they run and leave the machine's other cores idle. The
spiders hand each response's URL, body and content type to this pool and await the record; the
reactor only fetches, routes and stores.

- NEWSARCHIVE_PARSER_WORKERS worker processes (-1: one per CPU core; 0: parse in the crawl's own
  process, for debugging), started fresh (spawn: they share no lock with the reactor's threads)
  and bound to the crawl's life: a worker whose crawl dies (SIGKILL included) exits at once, so
  nothing is left running, holding the crawl's output or memory. A Python script that starts
  crawls must guard them with `if __name__ == "__main__":`, as multiprocessing requires.
- At most NEWSARCHIVE_PARSER_QUEUE pages wait for a worker (a semaphore; 0: eight per worker): with
  Scrapy's own limit on responses held by callbacks, memory stays flat however fast pages arrive.
- The work is `NEWSARCHIVE_PARSER` (default `newsarchive.parsers.parse_page`), loaded by dotted
  path in each worker: a project with its own parsers plugs them in here. A parser that takes
  `fields=` is told, for a rendered page, which article fields are wanted (the comments, and what
  the page as sent lacked), and may skip the others' work; one that takes `asked_as=` is told
  what the crawl hoped a page of unknown kind was ("listing": a start URL, a next page). One that
  does not take them is called without.
- What goes wrong is a record, never a hang: a ParseError is a failure with its reason, any other
  exception a `parse_error` naming where it was raised (computed in the worker, where the
  traceback is), and a worker that dies (a crash in a C extension, the OOM killer) loses no other
  page: the pages it took down with it are parsed again one at a time in a pool of their own, and
  only the page that kills that one too becomes a failure.
- A page gets NEWSARCHIVE_PARSE_TIME_LIMIT seconds in a worker (0: no limit). A hostile or
  pathological page (a regular expression that backtracks for ever, a parser's endless loop)
  would otherwise hold its worker, and at last the whole crawl, for good. At the limit the parse
  is stopped by an alarm and the page is a `parse_time_limit` failure; a parse stuck in C code,
  where the alarm cannot reach it, is ended by the kernel after as many seconds again of CPU
  (SIGPROF), which is a worker that died: the path above.
"""

from __future__ import annotations

# asyncio is imported by ParserPool's methods, not here: every worker imports this module (for
# run_job) and runs no event loop, and asyncio's import held 8 MB of each worker's memory.
import contextlib
import inspect
import multiprocessing
import os
import signal
import threading
import time
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from functools import lru_cache
from importlib import import_module

from newsarchive.items import PageFailure, StoredBody
from newsarchive.parsers.discovery import file_extensions
from newsarchive.tracebacks import describe_exception

# Pages that may wait for the workers, per worker, unless NEWSARCHIVE_PARSER_QUEUE says otherwise.
# The reactor stores pages in batches, and while it writes one it hands the workers nothing new
# (a batch of 100 real pages held it about half a second): the queue must hold enough pages to
# keep them busy meanwhile. On two cores, in an any-site crawl of 2,000 real pages (bench/generic_crawl.py's
# site), two per worker left both workers idle for half a second every three seconds or so; with
# eight they stay busy, sharing the cores with the batch's writing. That crawl was faster in each
# of four runs taken in turn with the old setting: by 1 to 17% (the machine's speed varied).
PAGES_QUEUED_PER_WORKER = 8


@dataclass(frozen=True)
class ParseJob:
    """One page to parse: plain data, cheap to send to a worker."""

    url: str
    body: bytes
    content_type: str | None
    kind: str | None
    profile: str | None = None  # a profile's key (load_profile) and a site's name, or None
    site: str | None = None
    status: int | None = None
    fields: tuple[str, ...] | None = None  # the article fields wanted, None for all (a rendered page's parse)
    asked_as: str | None = None  # what the crawl hoped the page was, when kind is None (parse_page)


class ParseTimeLimit(Exception):
    """Raised in a worker by its alarm: the page's parse ran out of time."""


def run_job(parser_path: str, job: ParseJob, time_limit: float = 0):
    """Parse one page (in a worker, or inline): its record, or a PageFailure saying why not.
    time_limit: seconds the parse may take (0: no limit; a worker's main thread only)."""
    from newsarchive.parsers import ParseError

    try:
        with _time_limit(time_limit):
            profile, site = _profile_and_site(job.profile, job.site)
            parser = _parser(parser_path)
            hints = {name: value for name, value in (("fields", job.fields), ("asked_as", job.asked_as))
                     if value is not None and _takes(parser, name)}
            return parser(job.url, job.body, profile, site, job.content_type, kind=job.kind, **hints)
    except ParseTimeLimit:
        return PageFailure(job.url, "parse_time_limit", f"the parser took more than {time_limit:g} s on this page "
                           "and was stopped (NEWSARCHIVE_PARSE_TIME_LIMIT)", job.status)
    except ParseError as error:
        return PageFailure(job.url, error.reason, str(error), job.status)
    except Exception as error:  # noqa: BLE001 (any error of a page is that page's failure)
        return PageFailure(job.url, "parse_error", describe_exception(error), job.status)
    finally:
        if _release_memory is not None:
            _release_memory(0)  # pragma: no mutate (malloc_trim's padding: 0, 1 or NULL free the same)


def run_job_storing_body(parser_path: str, job: ParseJob, time_limit: float = 0) -> tuple[object, StoredBody]:
    """run_job, and the page's body as the archive will store it (hashed and compressed here, in the
    worker that holds the body already, rather than on the reactor's thread)."""
    return run_job(parser_path, job, time_limit), StoredBody.of(job.body)


@contextlib.contextmanager
def _time_limit(seconds: float):
    """Stop the parse after `seconds` of wall time (SIGALRM raises ParseTimeLimit at the next Python
    instruction); if it is stuck in C code that never returns to Python, the kernel ends the
    process after as many seconds again of its CPU time (SIGPROF's default action)."""
    if seconds <= 0:
        yield
        return

    def alarm(signum, frame):
        raise ParseTimeLimit

    previous = signal.signal(signal.SIGALRM, alarm)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    signal.setitimer(signal.ITIMER_PROF, 2 * seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.setitimer(signal.ITIMER_PROF, 0)
        signal.signal(signal.SIGALRM, previous)


# In a worker: glibc's malloc_trim, which hands the memory a page's parse tree used back to the
# system (without it a worker keeps the high-water mark of the biggest page it ever parsed).
_release_memory = None


def _worker_started(crawl_pid: int, file_extensions: frozenset[str]) -> None:
    """In each worker: die with the crawl, then load the parsers before the first page comes,
    with the crawl's list of file extensions (see discovery.file_extensions: not Scrapy's import)."""
    global _release_memory
    _exit_when_parent_dies(crawl_pid)
    from newsarchive.parsers import discovery  # imported now, not on the first page

    discovery.use_file_extensions(file_extensions)

    try:
        import ctypes

        _release_memory = ctypes.CDLL(None).malloc_trim
    except (OSError, AttributeError):  # not glibc
        pass


def _exit_when_parent_dies(parent_pid: int) -> None:
    try:  # Linux: the kernel sends SIGKILL when the parent goes
        import ctypes
        import signal

        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass
    if os.getppid() != parent_pid:  # it went before the line above took effect
        os._exit(1)

    def watch() -> None:  # elsewhere: look every second
        while os.getppid() == parent_pid:
            time.sleep(1)
        os._exit(1)

    threading.Thread(target=watch, daemon=True, name="crawl-watch").start()


@lru_cache(maxsize=8)
def _parser(path: str):
    """The function a dotted path names ("newsarchive.parsers.parse_page"), loaded here rather than
    by Scrapy's load_object: a worker that imported Scrapy for it would carry Scrapy and Twisted,
    about 45 MB, for nothing."""
    module, _, name = path.rpartition(".")
    return getattr(import_module(module), name)


@lru_cache(maxsize=8)
def _takes(parser, name: str) -> bool:
    """Whether a parser takes the keyword `name` (fields=, the fields wanted; asked_as=): a
    project's own parser written before it is called as it was, and parses the whole page."""
    try:
        parameters = inspect.signature(parser).parameters.values()
    except (TypeError, ValueError):  # a callable without a signature Python can read
        return False
    return any(parameter.name == name or parameter.kind == parameter.VAR_KEYWORD for parameter in parameters)


def _profile_and_site(profile_key: str | None, site_name: str | None):
    if profile_key is None:
        return None, None
    from newsarchive.profiles import load_profile

    profile = load_profile(profile_key)
    return profile, profile.site_by_name(site_name) if site_name else None


def _worker_count(workers: int) -> int:
    """NEWSARCHIVE_PARSER_WORKERS as a number of processes: -1 is one per CPU core."""
    return (os.cpu_count() or 1) if workers < 0 else workers


class ParserPool:
    def __init__(self, workers: int, queue: int, parser_path: str, time_limit: float = 0):
        import asyncio

        self.workers = _worker_count(workers)
        self.parser_path = parser_path
        self.time_limit = time_limit  # in workers only: an alarm in the crawl's own process would hit the reactor
        self.waiting = asyncio.Semaphore(max(1, queue)) if self.workers else None
        self.executor = self._new_executor(self.workers) if self.workers else None
        self.quarantine: ProcessPoolExecutor | None = None  # for pages of a worker that died
        self.quarantine_turn = asyncio.Lock() if self.workers else None

    @classmethod
    def from_crawler(cls, crawler):
        settings = crawler.settings
        workers = settings.getint("NEWSARCHIVE_PARSER_WORKERS")
        queue = settings.getint("NEWSARCHIVE_PARSER_QUEUE")
        return cls(workers, queue if queue > 0 else PAGES_QUEUED_PER_WORKER * _worker_count(workers),
                   settings.get("NEWSARCHIVE_PARSER"), settings.getfloat("NEWSARCHIVE_PARSE_TIME_LIMIT"))

    @staticmethod
    def _new_executor(workers: int) -> ProcessPoolExecutor:
        return ProcessPoolExecutor(max_workers=workers, mp_context=multiprocessing.get_context("spawn"),
                                   initializer=_worker_started, initargs=(os.getpid(), file_extensions()))

    async def parse(self, job: ParseJob):
        """The page's record, or a PageFailure: parsed in a worker, or inline without workers."""
        return await self._run(run_job, job)

    async def parse_storing_body(self, job: ParseJob) -> tuple[object, StoredBody | None]:
        """The page's record or PageFailure, and its body as the archive stores it (None when the
        worker died on the page: the store then makes it)."""
        outcome = await self._run(run_job_storing_body, job)
        return (outcome, None) if isinstance(outcome, PageFailure) else outcome

    async def _run(self, work, job: ParseJob):
        """work(parser path, job, time limit) in a worker (inline without workers); a PageFailure
        if the page kills its worker twice."""
        import asyncio

        if self.executor is None:
            return work(self.parser_path, job)
        async with self.waiting:
            executor = self.executor
            try:
                return await asyncio.wrap_future(executor.submit(work, self.parser_path, job, self.time_limit))
            except BrokenProcessPool:
                if self.executor is executor:  # the first page to notice replaces the pool
                    executor.shutdown(wait=False, cancel_futures=True)  # pragma: no mutate (broken pool: no page to cancel or wait for)
                    self.executor = self._new_executor(self.workers)
        return await self._parse_alone(work, job)

    async def _parse_alone(self, work, job: ParseJob):
        """A page whose worker died: parsed again on its own; if it kills this worker too, it is
        the page that does it, and its failure says so."""
        import asyncio

        async with self.quarantine_turn:
            if self.quarantine is None:
                self.quarantine = self._new_executor(1)
            try:
                return await asyncio.wrap_future(self.quarantine.submit(work, self.parser_path, job,
                                                                         self.time_limit))
            except BrokenProcessPool:
                self.quarantine.shutdown(wait=False, cancel_futures=True)  # pragma: no mutate (broken pool: no page to cancel or wait for)
                self.quarantine = None
                return PageFailure(job.url, "parse_error", "the parser process died while parsing this page "
                                   "(twice: a crash in a C extension, the memory limit, or a parse stuck in C "
                                   "code past its time limit)", job.status)

    def close(self) -> None:
        for executor in (self.executor, self.quarantine):
            if executor is not None:
                executor.shutdown(wait=True, cancel_futures=True)
        self.executor = self.quarantine = None
