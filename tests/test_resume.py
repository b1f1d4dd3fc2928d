"""Crash safety: a real crawl process stopped (Ctrl-C), killed (SIGKILL) at random points, or
stopped by an archive that cannot grow (a full disk), then run again with the same command, ends
with the archive a clean crawl gives.

The crawl's state lives in the archive (the frontier table): every article, comment and photo of
the site stored exactly once, nothing fetched twice but what was fetched and not yet written when
the process died, with or without --job-dir (now ignored).
"""

from __future__ import annotations

import os
import random
import re
import resource
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from collections import Counter
from pathlib import Path

import pytest

from newsarchive.demo.site import generate_site
from tests.conftest import (
    SiteHandler,
    crawl_of,
    interrupt,
    run_cli,
    section_html,
    serve_handler,
    serve_in_subprocess,
    story_html,
)

ARTICLES = 120
# Slow enough to stop half-way: one request at a time, a short delay, small write batches.
SLOW = ("-s", "AUTOTHROTTLE_ENABLED=0", "-s", "DOWNLOAD_DELAY=0.02", "-s", "CONCURRENT_REQUESTS_PER_DOMAIN=2",
        "-s", "NEWSARCHIVE_STORE_BATCH_SIZE=7", "-s", "LOG_LEVEL=INFO")


@pytest.fixture
def site(tmp_path):
    manifest = generate_site(tmp_path / "site", ARTICLES, seed=23)
    access_log = tmp_path / "access.log"
    server, base_url = serve_in_subprocess(tmp_path / "site", "--access-log", str(access_log))
    yield manifest, base_url, access_log
    server.terminate()
    server.wait(timeout=10)


def crawl_arguments(db_path, base_url, *extra):
    return ["crawl", "diyaruna", "--db", str(db_path), "--base-url", base_url, "--allow-private", *extra]


def stored(db_path, table="articles") -> int:
    try:
        with sqlite3.connect(db_path) as db:
            return db.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
    except sqlite3.OperationalError:
        return 0


def start_and_stop(db_path, base_url, stop_signal, after_articles, *extra):
    """Start a crawl in its own process and send it stop_signal once it has stored that many articles."""
    process = subprocess.Popen([sys.executable, "-m", "newsarchive.cli", *crawl_arguments(db_path, base_url, *extra),
                                *SLOW], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 120
    while stored(db_path) < after_articles:
        assert process.poll() is None, process.communicate()[1][-3000:]
        assert time.monotonic() < deadline, "the crawl stored nothing for two minutes"
        time.sleep(0.02)
    process.send_signal(stop_signal)
    _, err = process.communicate(timeout=120)
    return process.returncode, err


def article_fetches(access_log) -> Counter:
    return Counter(line.rsplit(" ", 1)[0] for line in access_log.read_text().splitlines() if "/articles/" in line)


def all_fetches(access_log) -> Counter:
    return Counter(line.rsplit(" ", 1)[0] for line in access_log.read_text().splitlines()
                   if not line.startswith("/robots.txt"))


def settled_paths(db_path) -> set[str]:
    """Paths of the pages whose outcome the archive holds (articles by any URL, listings)."""
    with sqlite3.connect(db_path) as db:
        urls = [url for (url,) in db.execute("SELECT url FROM article_urls UNION SELECT url FROM listings")]
    return {"/" + url.split("/", 3)[3] for url in urls}


def archive_contents(db_path) -> dict:
    """What a researcher gets: articles, their versions, comments and photos, as comparable sets."""
    with sqlite3.connect(db_path) as db:
        assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        assert db.execute("PRAGMA foreign_key_check").fetchall() == []
        path = "substr(a.url, instr(substr(a.url, 8), '/') + 7)"
        return {
            "articles": Counter(db.execute(f"SELECT {path}, title FROM articles a")),
            "versions": Counter(db.execute(f"SELECT {path}, v.version FROM article_versions v "
                                           "JOIN articles a ON a.id = v.article_id")),
            "comments": Counter(db.execute(f"SELECT {path}, c.comment_key, c.parent_site_comment_id FROM comments c "
                                           "JOIN articles a ON a.id = c.article_id")),
            "photos": Counter(db.execute(f"SELECT {path}, substr(p.url, instr(substr(p.url, 8), '/') + 7) "
                                         "FROM photos p JOIN articles a ON a.id = p.article_id")),
            "failures": db.execute("SELECT count(*) FROM failures").fetchone()[0],
            "pending": db.execute("SELECT count(*) FROM frontier").fetchone()[0],
        }


def expected_contents(manifest) -> dict:
    articles = manifest["articles"]
    return {
        "articles": Counter((a["path"], a["title"]) for a in articles),
        "comments": sum(len(a["comments"]) for a in articles),
        "photos": sum(len(a["photos"]) for a in articles),
    }


def assert_complete(db_path, manifest):
    got, expected = archive_contents(db_path), expected_contents(manifest)
    assert got["articles"] == expected["articles"]
    assert set(got["versions"].values()) == {1} and len(got["versions"]) == ARTICLES
    assert set(got["comments"].values()) == {1} and sum(got["comments"].values()) == expected["comments"]
    assert set(got["photos"].values()) == {1} and sum(got["photos"].values()) == expected["photos"]
    assert got["failures"] == 0 and got["pending"] == 0  # a finished crawl leaves no frontier behind
    return got


def finish_reasons(db_path) -> list[str]:
    with sqlite3.connect(db_path) as db:
        return [reason for (reason,) in db.execute("SELECT finish_reason FROM crawls ORDER BY id")]


def test_a_clean_crawl_matches_the_site(site, tmp_path):
    manifest, base_url, access_log = site
    result = run_cli(*crawl_arguments(tmp_path / "clean.db", base_url), "-s", "AUTOTHROTTLE_ENABLED=0")
    assert result.returncode == 0, result.stderr[-3000:]
    assert_complete(tmp_path / "clean.db", manifest)
    assert set(article_fetches(access_log).values()) == {1}
    # The summary accounts for every page: 120 articles, and the listing pages.
    with sqlite3.connect(tmp_path / "clean.db") as db:
        pages, listings, articles, unchanged, failures = db.execute(
            "SELECT pages, listings, articles_stored, unchanged, failures FROM crawls").fetchone()
    assert (articles, unchanged, failures) == (ARTICLES, 0, 0)
    assert pages == articles + listings and listings == stored(tmp_path / "clean.db", "listings")
    assert f"{pages} pages: {ARTICLES} articles, {listings} listings, 0 unchanged, 0 failures" in result.stdout


def test_ctrl_c_then_resume_fetches_nothing_twice(site, tmp_path):
    manifest, base_url, access_log = site
    db_path = tmp_path / "archive.db"
    returncode, _ = start_and_stop(db_path, base_url, signal.SIGINT, 20)
    assert returncode == 1  # not finished: stopped
    assert 0 < stored(db_path) < ARTICLES
    resumed = run_cli(*crawl_arguments(db_path, base_url), "-s", "AUTOTHROTTLE_ENABLED=0")
    assert resumed.returncode == 0, resumed.stderr[-3000:]
    assert "resumed crawl 1" in resumed.stdout
    assert_complete(db_path, manifest)
    assert finish_reasons(db_path) == ["shutdown", "finished"]
    fetches = article_fetches(access_log)
    assert len(fetches) == ARTICLES and set(fetches.values()) == {1}


@pytest.mark.parametrize("seed, job_dir", [(1, False), (2, False), (3, True)])
def test_sigkill_at_a_random_point_then_rerun_gives_the_clean_archive(site, tmp_path, seed, job_dir):
    manifest, base_url, access_log = site
    db_path = tmp_path / "archive.db"
    extra = ("--job-dir", str(tmp_path / "job")) if job_dir else ()
    kill_at = random.Random(seed).randint(1, ARTICLES - 10)
    returncode, _ = start_and_stop(db_path, base_url, signal.SIGKILL, kill_at, *extra)
    assert returncode == -signal.SIGKILL
    settled_at_kill = settled_paths(db_path)
    fetched_before_kill = set(all_fetches(access_log))
    assert settled_at_kill and settled_at_kill <= fetched_before_kill
    resumed = run_cli(*crawl_arguments(db_path, base_url, *extra), "-s", "AUTOTHROTTLE_ENABLED=0")
    assert resumed.returncode == 0, resumed.stderr[-3000:]
    assert "resumed crawl 1" in resumed.stdout
    assert_complete(db_path, manifest)
    assert finish_reasons(db_path) == ["interrupted", "finished"]
    assert len(article_fetches(access_log)) == ARTICLES
    # Only articles fetched but not yet written when the process died are fetched again: no settled
    # article is asked for twice. Listing pages are read again, settled or not: they may have changed.
    fetched_twice = {path for path, count in all_fetches(access_log).items() if count > 1}
    stories_twice = {path for path in fetched_twice if "/articles/" in path}
    assert stories_twice <= fetched_before_kill - settled_at_kill
    assert all("/news/" in path or "/archives" in path for path in fetched_twice - stories_twice), fetched_twice


def test_killed_twice_then_rerun_and_a_fresh_start_on_request(site, tmp_path):
    manifest, base_url, _ = site
    db_path = tmp_path / "archive.db"
    start_and_stop(db_path, base_url, signal.SIGKILL, 15)
    start_and_stop(db_path, base_url, signal.SIGKILL, 50)
    resumed = run_cli(*crawl_arguments(db_path, base_url), "-s", "AUTOTHROTTLE_ENABLED=0")
    assert resumed.returncode == 0, resumed.stderr[-3000:]
    assert_complete(db_path, manifest)
    assert finish_reasons(db_path) == ["interrupted", "interrupted", "finished"]
    with sqlite3.connect(db_path) as db:
        assert db.execute("SELECT id, resumed_from FROM crawls").fetchall() == [(1, None), (2, 1), (3, 2)]
    # --no-resume after a kill: the pending requests are dropped and the crawl starts from the
    # start pages; with nothing new on them, the stale-pages rule ends it early.
    start_and_stop(tmp_path / "second.db", base_url, signal.SIGKILL, 30)
    fresh = run_cli(*crawl_arguments(tmp_path / "second.db", base_url), "--no-resume", "-s", "AUTOTHROTTLE_ENABLED=0")
    assert fresh.returncode == 0, fresh.stderr[-3000:]
    assert "resumed" not in fresh.stdout
    with sqlite3.connect(tmp_path / "second.db") as db:
        assert db.execute("SELECT resumed_from FROM crawls ORDER BY id").fetchall() == [(None,), (None,)]
        assert db.execute("SELECT count(*) FROM frontier").fetchone()[0] == 0


def files_limited_to(size: int):
    """For subprocess's preexec_fn: the crawl's files may not grow past `size` bytes, as on a disk
    that fills. A write past it fails (EFBIG); SIGXFSZ, which would kill the process, is ignored."""
    def limit():
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, (size, size))
    return limit


def test_an_archive_that_cannot_grow_stops_the_crawl_in_one_line_and_the_next_run_completes_it(site, tmp_path):
    manifest, base_url, _ = site
    db_path = tmp_path / "archive.db"
    # The clean archive is about 2.4 MB: 1 MB fills a third of the way through the site.
    stopped = subprocess.run([sys.executable, "-m", "newsarchive.cli", *crawl_arguments(db_path, base_url),
                              "-s", "AUTOTHROTTLE_ENABLED=0", "-s", "NEWSARCHIVE_STORE_BATCH_SIZE=7"],
                             preexec_fn=files_limited_to(1_000_000), capture_output=True, text=True, timeout=300)
    assert stopped.returncode == 1, stopped.stderr[-3000:]
    errors = [line for line in stopped.stderr.splitlines() if " ERROR: " in line]
    assert len(errors) == 1 and f"ERROR: cannot write to {db_path}: OperationalError: " in errors[0], errors
    assert "Traceback" not in stopped.stderr and "Deprecat" not in stopped.stderr
    verdict = stopped.stderr.strip().splitlines()[-1]
    assert verdict.startswith("exit 1: the archive could not be written: OperationalError: ")
    assert verdict.endswith("once there is room, or the file is mended, run the same command again: it fetches "
                            "what this crawl could not store")
    # Every page it received is stored as one outcome or left for the next run; none is lost.
    tally = re.search(r"archive_write_failed; (\d+) pages: (\d+) articles, (\d+) listings, 0 unchanged, 0 failures; "
                      r"(\d+) pages not stored \(the archive could not be written\), to be fetched again$",
                      stopped.stdout, re.M)
    assert tally, stopped.stdout
    pages, articles, listings, not_stored = map(int, tally.groups())
    assert pages == articles + listings + not_stored and not_stored > 0
    assert 0 < stored(db_path) == articles < ARTICLES
    # The crawl's row is one more write, which the full file may refuse too (now and then on a
    # busy machine: 1 of 6 runs side by side, 1 of 40 in another try). The row then stays
    # unfinished, which is said as a warning (the error was said once), and the next run marks
    # it interrupted. Either way it takes the crawl over.
    row_refused = "WARNING: cannot record the end of crawl 1" in stopped.stderr
    with sqlite3.connect(db_path) as db:  # the crawl's row counts what was kept, not what was tried
        assert db.execute("SELECT finish_reason, pages, articles_stored, json_extract(coverage, '$.articles') "
                          "FROM crawls").fetchall() == [
            (None, None, None, None) if row_refused else ("archive_write_failed", pages, articles, articles)]
    resumed = run_cli(*crawl_arguments(db_path, base_url), "-s", "AUTOTHROTTLE_ENABLED=0")
    assert resumed.returncode == 0, resumed.stderr[-3000:]
    assert "resumed crawl 1" in resumed.stdout
    assert_complete(db_path, manifest)
    assert finish_reasons(db_path) == ["interrupted" if row_refused else "archive_write_failed", "finished"]


def start_and_kill_unreaped(db_path, base_url, after_articles) -> subprocess.Popen:
    """start_and_stop with SIGKILL, the process left unreaped: a zombie, as under a supervisor
    that starts the next crawl before it waits for the last."""
    process = subprocess.Popen([sys.executable, "-m", "newsarchive.cli", *crawl_arguments(db_path, base_url), *SLOW],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 120
    while stored(db_path) < after_articles:
        assert process.poll() is None and time.monotonic() < deadline
        time.sleep(0.02)
    os.kill(process.pid, signal.SIGKILL)
    time.sleep(0.5)  # dead, not reaped: process.poll() would reap it
    return process


def test_a_crawl_killed_and_not_yet_reaped_is_resumed(site, tmp_path):
    manifest, base_url, _ = site
    db_path = tmp_path / "archive.db"
    zombie = start_and_kill_unreaped(db_path, base_url, 10)
    try:
        assert open(f"/proc/{zombie.pid}/stat").read().rsplit(")", 1)[1].split()[0] == "Z"
        resumed = run_cli(*crawl_arguments(db_path, base_url), "-s", "AUTOTHROTTLE_ENABLED=0")
    finally:
        zombie.wait()
    assert resumed.returncode == 0, resumed.stderr[-3000:]
    assert "resumed crawl 1" in resumed.stdout
    assert_complete(db_path, manifest)
    assert finish_reasons(db_path) == ["interrupted", "finished"]


def test_a_crawl_whose_process_id_another_process_has_now_is_resumed(site, tmp_path):
    """A crawl killed with its machine: after the reboot its process id may be another process's,
    which was taken for the crawl still running (no resume, and its pending pages never asked
    for). Here the id is this test's own process, which started at another time."""
    manifest, base_url, _ = site
    db_path = tmp_path / "archive.db"
    returncode, _ = start_and_stop(db_path, base_url, signal.SIGKILL, 10)
    assert returncode == -signal.SIGKILL
    with sqlite3.connect(db_path) as db:
        (started,) = db.execute("SELECT pid_started FROM crawls").fetchone()
        assert started is not None
        db.execute("UPDATE crawls SET pid = ?", [os.getpid()])  # alive, and started before the crawl did
    resumed = run_cli(*crawl_arguments(db_path, base_url), "-s", "AUTOTHROTTLE_ENABLED=0")
    assert resumed.returncode == 0, resumed.stderr[-3000:]
    assert "resumed crawl 1" in resumed.stdout
    assert_complete(db_path, manifest)
    assert finish_reasons(db_path) == ["interrupted", "finished"]


class ArchiveDeletedSite(SiteHandler):
    """A site that, asked for its third story, deletes the archive being crawled into (a script
    clearing old files, a user's rm), or puts an empty SQLite file in its place."""

    db_path: Path | None = None
    replace = False

    def do_GET(self):  # noqa: N802 (the http.server API)
        if self.path == "/news/":
            return self.answer(200, section_html(range(1, 6)))
        if self.path == "/news/2024/05/03/story-3" and self.db_path is not None:
            for suffix in ("", "-wal", "-shm"):
                Path(f"{self.db_path}{suffix}").unlink(missing_ok=True)
            if self.replace:
                sqlite3.connect(self.db_path).execute("CREATE TABLE x (y)")
        if self.path.startswith("/news/2024/05/0"):
            return self.answer(200, story_html(self.path.rsplit("-", 1)[-1]))
        return self.answer(404, "no")


@pytest.mark.parametrize("replace", [False, True])
def test_an_archive_deleted_or_replaced_under_the_crawl_is_a_failed_crawl(tmp_path, replace):
    # SQLite wrote on into the deleted file; the crawl said "finished" and exited 0, and its passes
    # after made an empty archive in its place: the whole crawl was lost, and cron told otherwise.
    db_path = tmp_path / "archive.db"
    handler = type("Site", (ArchiveDeletedSite,), {"db_path": db_path, "replace": replace})
    result = crawl_of(handler, db_path, "--render", "never")
    assert result.returncode == 1, result.stdout + result.stderr[-3000:]
    assert "the archive file was deleted or replaced during the crawl" in result.stderr.splitlines()[-1]
    assert "holds" not in result.stdout  # no count of an archive that is not the crawl's
    if replace:  # the file put in its place is left as it was
        assert sqlite3.connect(db_path).execute("SELECT name FROM sqlite_master").fetchall() == [("x",)]
    else:  # and none made again
        assert not db_path.exists()


class SlowStorySite(SiteHandler):
    """A section of 9 stories whose pages take 30 s each but the first two (`slow`): a crawl
    stopped by Ctrl-C waits for the stories in flight."""

    slow = True

    def do_GET(self):  # noqa: N802 (the http.server API)
        if self.path == "/news/":
            return self.answer(200, section_html(range(1, 10)))
        if self.path.startswith("/news/2024/05/0"):
            number = self.path.rsplit("-", 1)[-1]
            if self.slow and number not in ("1", "2"):
                time.sleep(30)
            return self.answer(200, story_html(number))
        return self.answer(404, "no")


def test_a_second_ctrl_c_stops_the_crawl_at_once_and_says_what_is_left_to_fetch(tmp_path):
    # The crawl said "crawl 1 of SITE: None; ... 9 pages UNACCOUNTED FOR (not stored: a bug, please
    # report it)": Scrapy's forced shutdown closes no spider, and writes no batch.
    server = serve_handler(SlowStorySite)
    try:
        crawl = subprocess.Popen([sys.executable, "-m", "newsarchive.cli", "crawl",
                                  f"http://127.0.0.1:{server.server_port}/news/", "--db", str(tmp_path / "a.db"),
                                  "--allow-private", "--render", "never", "-s", "AUTOTHROTTLE_ENABLED=0",
                                  "-s", "CONCURRENT_REQUESTS_PER_DOMAIN=16"],
                                 stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        # After 4 s the section and stories 1 and 2 are fetched, the slow ones in flight.
        out, err = interrupt(crawl, 4, 0.5)
    finally:
        server.shutdown()
    assert crawl.returncode == 1
    line = out.splitlines()[0]
    assert re.fullmatch(r"crawl 1 of \S+: forced_shutdown; (\d+) pages: .*; \1 pages received but not stored when it "
                        r"was stopped at once, to be fetched again", line), line  # none stored: no batch was written
    assert err.strip().splitlines()[-1] == "exit 1: the crawl did not finish (forced_shutdown)"
    # Resumed: every story archived.
    resumed = crawl_of(type("Site", (SlowStorySite,), {"slow": False}), tmp_path / "a.db", "--render", "never")
    assert resumed.returncode == 0, resumed.stderr[-3000:]
    assert sqlite3.connect(tmp_path / "a.db").execute("SELECT count(*) FROM articles").fetchone() == (9,)


class PublishingSite(SiteHandler):
    """A section of `stories` stories, five a page; `published` more come out: newest first, on top
    (page 1), every other story moving down the pages; oldest first (an archive's order), at the
    end, on its last page and on new pages after it."""

    stories, published, newest_first = 30, 0, True

    def do_GET(self):  # noqa: N802 (the http.server API)
        if not self.path.startswith("/news/"):
            return self.answer(404, "no")
        if self.path.startswith("/news/2024/"):
            return self.answer(200, story_html(self.path.rsplit("-", 1)[-1]))
        page = int(self.path.partition("page=")[2] or 1)
        order = list(range(1, self.stories + self.published + 1))
        shown = (order[::-1] if self.newest_first else order)[(page - 1) * 5:page * 5]
        links = "".join(f"<li><a href='/news/2024/05/01/story-{n}'>Story {n}</a></li>" for n in shown)
        more = f"<a rel='next' href='/news/?page={page + 1}'>Next</a>" if page * 5 < len(order) else ""
        return self.answer(200, f"<html><head><title>News</title></head><body><ul>{links}</ul>{more}</body></html>")


@pytest.mark.parametrize(("newest_first", "stories", "page_limit", "published"), [
    # The new stories come out on page 1, read before.
    (True, 30, 10, 3),
    # The interrupted crawl read the section's last page (3); the new stories come out on it and on
    # a new page 4, which only page 3, read again, links to.
    (False, 12, 8, 5),
])
def test_a_resumed_crawl_reads_again_the_listings_the_interrupted_one_read(tmp_path, newest_first, stories,
                                                                           page_limit, published):
    # The site published stories between an interrupted crawl and its resumption: the resumed crawl
    # took the listing pages read before for done, and the new stories on them were never seen.
    db_path = tmp_path / "a.db"
    site = type("Site", (PublishingSite,), {"stories": stories, "newest_first": newest_first})
    server = serve_handler(site)
    crawl = ["crawl", f"http://127.0.0.1:{server.server_port}/news/", "--db", str(db_path), "--allow-private",
             "--render", "never", "--no-index"]
    try:
        # One request at a time, listings before stories (their priority): the first crawl reads
        # pages 1 to 3 of the section, then stops at the page limit with most stories still to fetch.
        first = run_cli(*crawl, "-s", "CONCURRENT_REQUESTS=1", "-s", f"CLOSESPIDER_PAGECOUNT={page_limit}")
        assert first.returncode == 1, first.stdout + first.stderr[-2000:]
        db = sqlite3.connect(db_path)
        pages = {url.partition("page=")[2] or "1" for (url,) in db.execute("SELECT url FROM listings WHERE url LIKE '%/news/%'")}
        assert {"1", "2", "3"} <= pages
        assert 0 < db.execute("SELECT count(*) FROM articles").fetchone()[0] < stories
        site.published = published
        resumed = run_cli(*crawl)
    finally:
        server.shutdown()
    assert resumed.returncode == 0, resumed.stderr[-3000:]
    assert "resumed crawl 1" in resumed.stdout and " 0 failures" in resumed.stdout
    stored = {int(url.rsplit("-", 1)[1]) for (url,) in db.execute("SELECT url FROM articles")}
    assert stored == set(range(1, stories + published + 1))  # the new stories, on a page read before, too


class StoryWithCommentPages(SiteHandler):
    """A section of one story whose twelve comments are shown four to a page; its third comment page
    waits for `released` (the crawl is killed meanwhile), and the requests are counted."""

    released = threading.Event()
    asked: Counter = Counter()

    def do_GET(self):  # noqa: N802 (the http.server API)
        from tests.test_comment_pages import story_page

        type(self).asked[self.path] += 1
        if self.path == "/news/":
            return self.answer(200, "<html><head><title>News</title></head><body><ul><li>"
                                    "<a href='/2024/05/01/harbour-flood/'>Harbour flood</a></li></ul></body></html>")
        pages = {"/2024/05/01/harbour-flood/": 1, "/2024/05/01/harbour-flood/comment-page-2/": 2,
                 "/2024/05/01/harbour-flood/comment-page-3/": 3}
        if self.path not in pages:
            return self.answer(404, "<html><body><h1>Not found</h1></body></html>")
        page = pages[self.path]
        if page == 3:
            self.released.wait(60)
        return self.answer(200, story_page(range(4 * page - 3, 4 * page + 1), [1, 2, 3], current=page))


def test_the_other_pages_read_for_a_story_killed_before_it_was_stored_are_stored_once(tmp_path):
    # Its comment page 2 was captured as it came, page 3 still loading when the crawl was killed:
    # the run after it read page 2 again, and the archive held two captures of it where a crawl
    # never killed holds one (and a story's renders were so counted twice against their bound).
    StoryWithCommentPages.released.clear()
    StoryWithCommentPages.asked.clear()
    server = serve_handler(StoryWithCommentPages)
    db_path = tmp_path / "a.db"
    command = [sys.executable, "-m", "newsarchive.cli", "crawl", f"http://127.0.0.1:{server.server_port}/news/",
               "--db", str(db_path), "--allow-private", "-s", "AUTOTHROTTLE_ENABLED=0", "-s", "ROBOTSTXT_OBEY=0"]
    try:
        process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        deadline = time.monotonic() + 60
        while not StoryWithCommentPages.asked["/2024/05/01/harbour-flood/comment-page-3/"]:
            assert process.poll() is None and time.monotonic() < deadline, process.communicate()[1][-3000:]
            time.sleep(0.02)
        process.kill()
        process.communicate(timeout=30)
        StoryWithCommentPages.released.set()
        rerun = subprocess.run(command, capture_output=True, text=True, timeout=300)
    finally:
        StoryWithCommentPages.released.set()
        server.shutdown()
    assert rerun.returncode == 0, rerun.stderr[-3000:]
    assert StoryWithCommentPages.asked["/2024/05/01/harbour-flood/comment-page-2/"] == 2  # read by both runs
    with sqlite3.connect(db_path) as db:
        captures = db.execute("SELECT kind, substr(url, instr(substr(url, 8), '/') + 7), count(*) FROM captures "
                              "WHERE url LIKE '%harbour-flood%' GROUP BY kind, url ORDER BY url").fetchall()
        comments = db.execute("SELECT count(*), count(DISTINCT comment_key) FROM comments").fetchone()
    assert captures == [("page", "/2024/05/01/harbour-flood/", 1), ("comments", "/2024/05/01/harbour-flood/comment-page-2/", 1),
                        ("comments", "/2024/05/01/harbour-flood/comment-page-3/", 1)]
    assert comments == (12, 12)
