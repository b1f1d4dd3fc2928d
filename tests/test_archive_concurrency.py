"""Several processes opening one new archive at the same moment (two crawls started together by
cron, workers of a distributed crawl): every one of them opens it, and it is made once. A race:
without the write lock around the migrations and the retried switch to WAL, most runs fail."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
import time
from contextlib import contextmanager

from newsarchive.archive.migrations import migrations

OPENER = """
import sys, time
from newsarchive.archive import open_archive
start = float(sys.argv[2])
while time.time() < start:  # all processes race from the same instant
    pass
open_archive(sys.argv[1]).close()
print("opened")
"""


def test_processes_creating_one_archive_at_once_all_open_it(tmp_path):
    for trial in range(8):
        path = tmp_path / f"new-{trial}.db"
        start = time.time() + 2
        openers = [subprocess.Popen([sys.executable, "-c", OPENER, str(path), str(start)],
                                    stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for _ in range(6)]
        results = [opener.communicate(timeout=120) for opener in openers]
        assert [out.strip() for out, _ in results] == ["opened"] * 6, [err[-500:] for _, err in results]
        with sqlite3.connect(path) as db:
            assert db.execute("PRAGMA journal_mode").fetchone() == ("wal",)
            applied = [name for (name,) in db.execute("SELECT name FROM _sqlite_migrations ORDER BY name")]
        assert applied == sorted(migration.name for migration in migrations._migrations)


HOLDER = """
import sqlite3, sys, time
db = sqlite3.connect(sys.argv[1], isolation_level=None)
db.execute("BEGIN EXCLUSIVE")
print("holding", flush=True)
time.sleep(60)
"""


@contextmanager
def held(path):
    """The archive at path held in an exclusive transaction by another process, for the block."""
    holder = subprocess.Popen([sys.executable, "-c", HOLDER, str(path)], stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "holding"
        yield
    finally:
        holder.kill()
        holder.wait()


def test_a_writer_gives_up_on_a_file_another_process_holds_within_its_busy_timeout(tmp_path):
    import pytest

    from newsarchive.archive import open_archive

    path = tmp_path / "held.db"
    archive = open_archive(path, busy_timeout=1.5)
    try:
        with held(path):
            started = time.monotonic()
            with pytest.raises(sqlite3.OperationalError,
                               match=rf"locked: another process held {path} for the whole wait \(1\.\d s\)"):
                with archive.write():
                    pass
            # One busy timeout in all: the five tries each waited it whole (and paused between), 10 s here.
            assert time.monotonic() - started < 3
    finally:
        archive.close()


def test_a_crawl_into_an_archive_another_process_holds_fails_to_start_in_one_wait(tmp_path):
    from newsarchive.archive import open_archive
    from tests.conftest import free_port, run_cli

    path = tmp_path / "held.db"
    open_archive(path).close()
    with held(path):
        started = time.monotonic()
        result = run_cli("crawl", f"http://127.0.0.1:{free_port()}/news/", "--db", str(path), "--allow-private",
                         "-s", "NEWSARCHIVE_STORE_BUSY_TIMEOUT=2", "-s", "LOG_LEVEL=WARNING", timeout=120)
        took = time.monotonic() - started
    assert result.returncode == 1, result.stderr[-2000:]
    assert "exit 1: the crawl did not finish (failed_to_start)" in result.stderr
    assert f"the failed start could not be recorded in {path}: database is locked" in result.stderr
    # The start's wait (2 s) and the record's (5 s), and no index or duplicates pass waiting a minute
    # more each; StorePipeline.spider_closed no longer tries to finish a crawl it never began.
    assert took < 20
    assert "StorePipeline.spider_closed" not in result.stderr and "Traceback" not in result.stderr  # nor CoreStats
    with sqlite3.connect(path) as db:
        assert db.execute("SELECT count(*) FROM crawls").fetchone() == (0,)


def test_a_sigterm_after_the_crawl_ends_the_process(tmp_path):
    # After Scrapy's reactor stopped, its signal handlers stayed and ignored SIGTERM: here, during
    # the 5 s the failed start's record waits for the archive another process holds.
    import signal

    from newsarchive.archive import open_archive
    from tests.conftest import free_port

    path = tmp_path / "held.db"
    open_archive(path).close()
    with held(path):
        crawl = subprocess.Popen([sys.executable, "-m", "newsarchive.cli", "crawl", f"http://127.0.0.1:{free_port()}/news/",
                                  "--db", str(path), "--allow-private", "-s", "NEWSARCHIVE_STORE_BUSY_TIMEOUT=1",
                                  "-s", "LOG_LEVEL=WARNING"], stderr=subprocess.PIPE, text=True)
        for line in crawl.stderr:
            if "the crawl failed to start" in line:
                break
        crawl.send_signal(signal.SIGTERM)
        assert crawl.wait(timeout=3) == -signal.SIGTERM


def test_a_crawl_whose_spider_cannot_be_made_records_its_failed_start_and_why(tmp_path):
    """A setting the spider reads as a whole number, given a fraction: the spider is not made, and
    Scrapy has no stats yet. Before, reading them raised ("Crawler.stats is not set yet"): exit 1
    with that for the only word, and no record of the attempt."""
    from tests.conftest import free_port, run_cli

    path = tmp_path / "a.db"
    result = run_cli("crawl", f"http://127.0.0.1:{free_port()}/news/", "--db", str(path), "--allow-private",
                     "--render", "never", "-s", "NEWSARCHIVE_RENDER_CONCURRENCY=2.5", timeout=120)
    assert result.returncode == 1, result.stderr[-2000:]
    assert "the crawl failed to start: ValueError: invalid literal for int() with base 10: '2.5'" in result.stderr
    assert "exit 1: the crawl did not finish (failed_to_start)" in result.stderr
    assert "Crawler.stats" not in result.stderr and "Traceback" not in result.stderr
    with sqlite3.connect(path) as db:
        assert db.execute("SELECT finish_reason, failures FROM crawls").fetchall() == [("failed_to_start", 1)]
        assert db.execute("SELECT reason, detail FROM failures").fetchall() == [
            ("crawl_failed_to_start", "ValueError: invalid literal for int() with base 10: '2.5'")]
