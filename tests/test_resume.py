"""Pause and resume: a crawl with a job directory stopped by Ctrl-C or killed, then run again.

Either way the resumed crawl ends with every article of the site stored exactly once and an
archive that passes SQLite's integrity check. After Ctrl-C, Scrapy keeps its queue and seen-set
in the job directory and the resumed crawl fetches nothing twice; after SIGKILL, the queue on
disk is not trustworthy, and the archive itself tells the resumed crawl what it already has
(the refresh policy skips stored articles): only pages fetched but not yet written (the last
unflushed batch) are fetched again.
"""

from __future__ import annotations

import signal
import sqlite3
import subprocess
import sys
import time
from collections import Counter

import pytest

from newsarchive.demo.site import generate_site
from tests.conftest import run_cli, serve_in_subprocess

ARTICLES = 120
# Slow enough to stop half-way: one request at a time, a short delay, small write batches.
SLOW = ("-s", "AUTOTHROTTLE_ENABLED=0", "-s", "DOWNLOAD_DELAY=0.03", "-s", "CONCURRENT_REQUESTS_PER_DOMAIN=1",
        "-s", "NEWSARCHIVE_STORE_BATCH_SIZE=10", "-s", "LOG_LEVEL=INFO")


@pytest.fixture
def site(tmp_path):
    manifest = generate_site(tmp_path / "site", ARTICLES, seed=23)
    access_log = tmp_path / "access.log"
    server, base_url = serve_in_subprocess(tmp_path / "site", "--access-log", str(access_log))
    yield manifest, base_url, access_log
    server.terminate()
    server.wait(timeout=10)


def crawl_arguments(db_path, base_url, job_dir):
    return ["crawl", "diyaruna", "--db", str(db_path), "--base-url", base_url, "--allow-private",
            "--job-dir", str(job_dir)]


def stored_articles(db_path) -> int:
    try:
        with sqlite3.connect(db_path) as db:
            return db.execute("SELECT count(*) FROM articles").fetchone()[0]
    except sqlite3.OperationalError:
        return 0


def start_and_stop(db_path, base_url, job_dir, stop_signal, after_articles=20):
    """Start a crawl in its own process and send it stop_signal once it has stored some articles."""
    process = subprocess.Popen([sys.executable, "-m", "newsarchive.cli", *crawl_arguments(db_path, base_url, job_dir),
                                *SLOW], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 120
    while stored_articles(db_path) < after_articles:
        assert process.poll() is None, process.communicate()[1][-3000:]
        assert time.monotonic() < deadline, "the crawl stored nothing for two minutes"
        time.sleep(0.05)
    process.send_signal(stop_signal)
    out, err = process.communicate(timeout=120)
    return process.returncode, err


def article_fetches(access_log) -> Counter:
    return Counter(line.rsplit(" ", 1)[0] for line in access_log.read_text().splitlines() if "/articles/" in line)


def check_archive(db_path, manifest):
    with sqlite3.connect(db_path) as db:
        assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        assert db.execute("PRAGMA foreign_key_check").fetchall() == []
        paths = [row[0].split("/", 3)[3] for row in db.execute("SELECT url FROM articles")]
        versions = db.execute("SELECT count(*) FROM article_versions").fetchone()[0]
        comments = db.execute("SELECT count(*) FROM comments").fetchone()[0]
        crawls = db.execute("SELECT finish_reason FROM crawls ORDER BY id").fetchall()
    assert sorted("/" + path for path in paths) == sorted(a["path"] for a in manifest["articles"])
    assert versions == ARTICLES
    assert comments == sum(len(a["comments"]) for a in manifest["articles"])
    return [reason for (reason,) in crawls]


def test_ctrl_c_then_resume_fetches_nothing_twice(site, tmp_path):
    manifest, base_url, access_log = site
    db_path, job_dir = tmp_path / "archive.db", tmp_path / "job"
    returncode, log = start_and_stop(db_path, base_url, job_dir, signal.SIGINT)
    assert returncode == 1  # not finished: stopped
    stored_at_stop = stored_articles(db_path)
    assert 0 < stored_at_stop < ARTICLES
    assert (job_dir / "requests.seen").stat().st_size > 0, "Scrapy kept its seen-set on a graceful stop"
    resumed = run_cli(*crawl_arguments(db_path, base_url, job_dir), "-s", "AUTOTHROTTLE_ENABLED=0")
    assert resumed.returncode == 0, resumed.stderr[-3000:]
    assert check_archive(db_path, manifest) == ["shutdown", "finished"]
    fetches = article_fetches(access_log)
    assert len(fetches) == ARTICLES and set(fetches.values()) == {1}


def test_sigkill_then_resume_stores_every_article_once(site, tmp_path):
    manifest, base_url, access_log = site
    db_path, job_dir = tmp_path / "archive.db", tmp_path / "job"
    returncode, _ = start_and_stop(db_path, base_url, job_dir, signal.SIGKILL)
    assert returncode == -signal.SIGKILL
    stored_at_kill = stored_articles(db_path)
    assert 0 < stored_at_kill < ARTICLES
    fetched_before_kill = set(article_fetches(access_log))
    resumed = run_cli(*crawl_arguments(db_path, base_url, job_dir), "-s", "AUTOTHROTTLE_ENABLED=0")
    assert resumed.returncode == 0, resumed.stderr[-3000:]
    assert check_archive(db_path, manifest) == ["interrupted", "finished"]
    fetches = article_fetches(access_log)
    assert len(fetches) == ARTICLES
    fetched_twice = {path for path, count in fetches.items() if count > 1}
    # Only what was fetched but not yet written when the process died is fetched again.
    assert fetched_twice <= fetched_before_kill
    assert len(fetched_twice) <= len(fetched_before_kill) - stored_at_kill
