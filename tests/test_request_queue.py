"""A crawl's pending requests past NEWSARCHIVE_QUEUE_IN_MEMORY wait on disk beside the archive
(newsarchive/request_queue.py): real crawls of the demo site, in their own processes, one of them
killed with SIGKILL while its requests were on disk."""

from __future__ import annotations

import re
import shutil
import signal
import subprocess
import sys

import pytest
import scrapy
from scrapy.utils.test import get_crawler

from newsarchive.demo.site import generate_site
from newsarchive.request_queue import SpillingScheduler, delete_stale_queue_folders
from tests.conftest import run_cli, serve_in_subprocess
from tests.test_resume import ARTICLES, assert_complete, crawl_arguments, start_and_stop


def stat(stderr: str, name: str) -> int:
    """A count from the stats Scrapy dumps at the end of a crawl (LOG_LEVEL=INFO), 0 if not there."""
    found = re.search(rf"'{re.escape(name)}': (\d+)", stderr)
    return int(found.group(1)) if found else 0


def queue_folders(db_path) -> list:
    return sorted(db_path.parent.glob(f"{db_path.name}.queue-*"))


def dead_pid() -> int:
    process = subprocess.Popen([sys.executable, "-c", "pass"])
    process.wait()
    return process.pid


@pytest.fixture
def site(tmp_path):
    """The demo site of test_resume.py's crawls (ARTICLES articles), served in a process of its own."""
    manifest = generate_site(tmp_path / "site", ARTICLES, seed=23)
    server, base_url = serve_in_subprocess(tmp_path / "site")
    yield manifest, base_url
    server.terminate()
    server.wait(timeout=10)


class QueueSpider(scrapy.Spider):
    name = "queue"

    def parse(self, response):
        pass


@pytest.fixture
def scheduler_of(tmp_path):
    """A SpillingScheduler of a crawler with the bound given, opened, for an archive in tmp_path."""
    made = []

    def make(in_memory: int) -> SpillingScheduler:
        # Scrapy's plain priority queue: the downloader-aware one needs a running engine.
        crawler = get_crawler(QueueSpider, {"NEWSARCHIVE_DB_PATH": str(tmp_path / "archive.db"),
                                            "NEWSARCHIVE_QUEUE_IN_MEMORY": in_memory,
                                            "SCHEDULER_PRIORITY_QUEUE": "scrapy.pqueues.ScrapyPriorityQueue"})
        crawler.spider = crawler._create_spider()
        scheduler = SpillingScheduler.from_crawler(crawler)
        scheduler.open(crawler.spider)
        made.append(scheduler)
        return scheduler

    yield make
    for scheduler in made:
        if scheduler.folder.exists():  # not closed by the test
            scheduler.close("finished")


def enqueue(scheduler, numbers, callback=None):
    for number in numbers:  # priorities 0, 1, 0, 1, ...
        scheduler.enqueue_request(scrapy.Request(f"http://127.0.0.1/{number}", priority=number % 2,
                                                 callback=callback or scheduler.spider.parse))


def drain(scheduler) -> list[int]:
    numbers = []
    while (request := scheduler.next_request()) is not None:
        numbers.append(int(request.url.rsplit("/", 1)[1]))
    return numbers


def test_past_the_bound_requests_go_to_disk_and_all_come_back(scheduler_of):
    scheduler = scheduler_of(2)
    enqueue(scheduler, range(5))
    assert (len(scheduler.mqs), len(scheduler.dqs), len(scheduler)) == (2, 3, 5)
    assert any(scheduler.folder.rglob("*")) and scheduler.folder.name.startswith("archive.db.queue-")
    # Memory first, then disk, each by priority (1 before 0), the latest first within one (Scrapy's LIFO queues).
    assert drain(scheduler) == [1, 0, 3, 4, 2]
    stats = scheduler.stats.get_stats()
    assert (stats["scheduler/enqueued/memory"], stats["scheduler/enqueued/disk"], stats["scheduler/dequeued/disk"]) == (2, 3, 3)
    scheduler.close("finished")
    assert not scheduler.folder.exists()


def test_a_bound_of_0_puts_every_request_on_disk_and_minus_1_none(scheduler_of):
    on_disk, in_memory = scheduler_of(0), scheduler_of(-1)  # two crawls of one process, one archive
    assert on_disk.folder != in_memory.folder and on_disk.folder.exists() and in_memory.folder.exists()
    for scheduler in (on_disk, in_memory):
        enqueue(scheduler, range(4))
    assert (len(on_disk.mqs), len(on_disk.dqs)) == (0, 4)
    assert (len(in_memory.mqs), len(in_memory.dqs)) == (4, 0)


def test_closing_writes_no_queue_state_even_where_nothing_can_be_written(scheduler_of):
    # Scrapy writes the disk queue's state (active.json) for a JOBDIR crawl to resume: on a full
    # disk that was a traceback, and the crawl's summary never came. The frontier is the state here.
    scheduler = scheduler_of(0)
    enqueue(scheduler, range(3))  # on disk: three pending at the crawl's end
    shutil.rmtree(scheduler.folder)  # nowhere to write (as a full disk refuses)
    scheduler.close("archive_write_failed")
    assert not scheduler.folder.exists()


def test_a_request_that_cannot_be_written_to_disk_waits_in_memory(scheduler_of):
    scheduler = scheduler_of(1)
    enqueue(scheduler, [0, 1], callback=lambda response: None)  # not the spider's method: not serializable
    assert (len(scheduler.mqs), len(scheduler.dqs)) == (2, 0)
    assert scheduler.stats.get_value("scheduler/unserializable") == 1
    assert sorted(drain(scheduler)) == [0, 1]


def test_requests_past_the_bound_wait_on_disk_and_the_crawl_matches_the_site(site, tmp_path):
    manifest, base_url = site
    db_path = tmp_path / "archive.db"
    result = run_cli(*crawl_arguments(db_path, base_url), "-s", "NEWSARCHIVE_QUEUE_IN_MEMORY=3",
                     "-s", "AUTOTHROTTLE_ENABLED=0", "-s", "LOG_LEVEL=INFO")
    assert result.returncode == 0, result.stderr[-3000:]
    assert_complete(db_path, manifest)
    on_disk, in_memory = stat(result.stderr, "scheduler/enqueued/disk"), stat(result.stderr, "scheduler/enqueued/memory")
    assert on_disk > ARTICLES / 2  # the listing pages offer more links than three at a time
    assert on_disk + in_memory == stat(result.stderr, "scheduler/enqueued")
    assert stat(result.stderr, "scheduler/dequeued/disk") == on_disk  # each one came back
    assert queue_folders(db_path) == []  # deleted when the crawl closed


def test_within_the_bound_no_request_goes_to_disk(site, tmp_path):
    manifest, base_url = site
    db_path = tmp_path / "archive.db"
    result = run_cli(*crawl_arguments(db_path, base_url), "-s", "AUTOTHROTTLE_ENABLED=0", "-s", "LOG_LEVEL=INFO")
    assert result.returncode == 0, result.stderr[-3000:]
    assert_complete(db_path, manifest)
    assert stat(result.stderr, "scheduler/enqueued/disk") == 0
    assert stat(result.stderr, "scheduler/enqueued/memory") == stat(result.stderr, "scheduler/enqueued") > ARTICLES


def test_a_crawl_killed_with_its_requests_on_disk_is_resumed_and_its_folder_deleted(site, tmp_path):
    manifest, base_url = site
    db_path = tmp_path / "archive.db"
    returncode, _ = start_and_stop(db_path, base_url, signal.SIGKILL, 30, "-s", "NEWSARCHIVE_QUEUE_IN_MEMORY=0")
    assert returncode == -signal.SIGKILL
    left = queue_folders(db_path)
    assert len(left) == 1 and any(left[0].rglob("*"))  # the killed crawl's queue, requests in it
    resumed = run_cli(*crawl_arguments(db_path, base_url), "-s", "AUTOTHROTTLE_ENABLED=0", "-s", "LOG_LEVEL=INFO")
    assert resumed.returncode == 0, resumed.stderr[-3000:]
    assert "resumed crawl 1" in resumed.stdout
    assert_complete(db_path, manifest)  # the pending requests came from the archive's frontier
    assert queue_folders(db_path) == []
    assert f"deleted the request queues left by crawls that were killed: {left[0].name}" in resumed.stderr


def test_only_the_folders_of_crawls_that_are_gone_are_deleted(tmp_path):
    archive = tmp_path / "archive.db"
    gone = tmp_path / f"archive.db.queue-{dead_pid()}-k2x_9q0z"
    running = tmp_path / "archive.db.queue-1-a8b7c6d5"  # init's number: a process that runs
    other_archive = tmp_path / f"other.db.queue-{dead_pid()}-a8b7c6d5"
    not_a_queue = tmp_path / "archive.db.queue-notes"
    for folder in (gone, running, other_archive, not_a_queue):
        folder.mkdir()
    a_file = tmp_path / f"archive.db.queue-{dead_pid()}-f1le_abc"  # named like one, but no folder
    a_file.write_text("")
    assert delete_stale_queue_folders(archive) == [gone]
    assert sorted(path.name for path in tmp_path.iterdir()) == sorted(
        path.name for path in (running, other_archive, not_a_queue, a_file))

