"""Distributed crawls: several crawler processes share one crawl through Redis (scrapy-redis).

With NEWSARCHIVE_REDIS_URL set (`newsarchive crawl SITE --redis redis://host:6379/0`), the
DistributedCrawl add-on swaps Scrapy's scheduler for ReliableScheduler: scrapy-redis's shared
request queue and duplicate filter, under keys named after the crawl (NEWSARCHIVE_CRAWL_NAME,
default the site), plus what an archive needs on top:

- in-flight tracking: a request taken from the queue is recorded in the worker's in-flight hash
  until the page it gave (article, listing, revisit or failure) is committed to the worker's
  archive shard (the store pipeline sends REQUESTS_COMMITTED with the requests' fingerprints).
  Each worker keeps a heartbeat key alive; the in-flight requests of a worker whose heartbeat
  expired (killed, crashed, machine gone) are put back in the queue by a surviving worker, so a
  killed process loses no requests;
- a crawl ends when the queue is empty and no live worker has requests in flight (an idle worker
  waits while others may still find links), and the last one clears the crawl's keys;
- a Redis outage is survived: requests found meanwhile are kept in memory and sent when Redis is
  back; after NEWSARCHIVE_REDIS_OUTAGE_SECONDS the worker stops with finish reason
  "redis_unavailable" and says so in its log; a Redis that comes back without the crawl (restarted
  without its data: no append-only file) stops it with "redis_state_lost", not "finished";
- a page that failed for a passing reason (a timeout, a reset, a 5xx: failures.TRANSIENT_FAILURES)
  is asked for again by the next crawl of the same name, as a single crawl's frontier does
  (newsarchive/archive/frontier.py): its failure committed, its request moves from the worker's
  in-flight hash to the crawl's retry hash, which the crawl's end leaves in place; the first
  worker of the next crawl moves the requests back into the queue (through the duplicate filter:
  a page the crawl reaches by a link anyway is fetched once) by way of its own in-flight hash, so
  a worker killed meanwhile loses none of them. A listing page that failed would otherwise cut the
  site's pagination there for good, an incremental crawl stopping at the stories it knows before
  it reaches the gap.

SQLite has one writer, so each worker writes its own archive shard (`--db shard-N.db`);
`newsarchive merge` combines them (newsarchive/archive/merge.py).
"""

from __future__ import annotations

import json
import logging
import os
import socket
import time
import uuid

from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError
from scrapy import signals
from scrapy.exceptions import DontCloseSpider
from scrapy.utils.defer import deferred_from_coro
from scrapy_redis.scheduler import Scheduler
from twisted.internet import task

from newsarchive import signals as newsarchive_signals
from newsarchive.crawling import NO_SHARE_STAT

logger = logging.getLogger(__name__)
REDIS_ERRORS = (RedisConnectionError, RedisTimeoutError, ConnectionError, OSError)
HEARTBEAT_SECONDS = 2.0
HEARTBEAT_TTL = 10  # a worker silent this long is taken for dead
STATE_LOST = "redis_state_lost"  # the finish reason of a worker whose crawl Redis no longer holds
STARTUP_GRACE_SECONDS = 30  # how long a worker waits for the crawl's first request to appear
# Settings that shape what a crawl fetches, besides its spider's arguments: its workers must agree.
# Each read by its type: `-s NEWSARCHIVE_REFRESH_WINDOW_DAYS=7` (the text "7") is the default 7,
# and a worker given it was refused as "7 here, 7 in the crawl".
SCOPE_SETTINGS = {"NEWSARCHIVE_REFRESH_FULL": "getbool", "NEWSARCHIVE_REFRESH_WINDOW_DAYS": "getfloat",
                  "ROBOTSTXT_OBEY": "getbool"}


class OptionsDiffer(Exception):
    """A worker started with other options than the distributed crawl it would join."""

# One round trip each, and atomic: a request is never out of the queue without being in flight.
ENQUEUE = """
if ARGV[4] == '0' and redis.call('sadd', KEYS[1], ARGV[1]) == 0 then return 0 end
redis.call('zadd', KEYS[2], ARGV[2], ARGV[3])
return 1
"""
POP_TO_INFLIGHT = """
local found = redis.call('zrange', KEYS[1], 0, 0)
if #found == 0 then return false end
redis.call('zremrangebyrank', KEYS[1], 0, 0)
local id = redis.sha1hex(found[1])
redis.call('hset', KEYS[2], id, found[1])
return {id, found[1]}
"""
# Requests whose pages failed for a passing reason: from the in-flight hash (KEYS[1]) to the retry
# hash (KEYS[2]), for the next crawl.
KEEP_FOR_RETRY = """
local kept = 0
for _, id in ipairs(ARGV) do
  local encoded = redis.call('hget', KEYS[1], id)
  if encoded then
    redis.call('hset', KEYS[2], id, encoded)
    redis.call('hdel', KEYS[1], id)
    kept = kept + 1
  end
end
return kept
"""
# The retry hash (KEYS[1]) taken whole into the worker's in-flight hash (KEYS[2]), and returned.
ADOPT_RETRIES = """
local entries = redis.call('hgetall', KEYS[1])
for i = 1, #entries, 2 do redis.call('hset', KEYS[2], entries[i], entries[i + 1]) end
redis.call('del', KEYS[1])
return entries
"""



class ReliableScheduler(Scheduler):
    @classmethod
    def from_crawler(cls, crawler):
        scheduler = cls._built_when_redis_answers(crawler)
        scheduler.crawler = crawler
        settings = crawler.settings
        scheduler.crawl_name = settings.get("NEWSARCHIVE_CRAWL_NAME")
        scheduler.outage_limit = settings.getfloat("NEWSARCHIVE_REDIS_OUTAGE_SECONDS")
        scheduler.worker_id = f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"
        scheduler.unsent = []  # requests found while Redis was unreachable
        scheduler.outage_since = None
        scheduler.stopping_for_outage = False  # the worker stops for an outage past its limit
        scheduler.started = False
        scheduler.crawl_began = False  # seen begun by any worker (its "started" or "done" key)
        scheduler.crawl_ended = False  # seen ended (its "done" key): the crawl's keys are gone for good
        scheduler.state_lost = False
        scheduler.opened_at = time.monotonic()
        crawler.signals.connect(scheduler.spider_idle, signal=signals.spider_idle)
        crawler.signals.connect(scheduler.requests_committed, signal=newsarchive_signals.requests_committed)
        if crawler.spider is not None:  # refused here, before the engine opens: one line, no traceback
            scheduler.crawl_name = scheduler.crawl_name % {"spider": crawler.spider.name}
            scheduler.check_options(crawler.spider)
        return scheduler

    @classmethod
    def _built_when_redis_answers(cls, crawler):
        """scrapy-redis pings Redis as it builds the scheduler: a worker started during an outage
        waits for Redis as a running one does, up to NEWSARCHIVE_REDIS_OUTAGE_SECONDS."""
        limit = crawler.settings.getfloat("NEWSARCHIVE_REDIS_OUTAGE_SECONDS")
        started, attempts = time.monotonic(), 0
        while True:
            attempts += 1
            try:
                scheduler = super().from_crawler(crawler)
            except REDIS_ERRORS as error:
                waited = time.monotonic() - started
                if waited > limit:
                    logger.error(f"Redis has been unreachable for {waited:.0f} s at start-up: stopping this worker")
                    raise
                if attempts == 1:
                    logger.error(f"Redis is unreachable ({error}); waiting for it for {limit:.0f} s")
                time.sleep(1)  # nothing to crawl before the scheduler exists: blocking is harmless
                continue
            if attempts > 1:
                logger.warning(f"Redis is back after {time.monotonic() - started:.0f} s")
            return scheduler

    # keys -------------------------------------------------------------------------------------

    def key(self, *parts: str) -> str:
        return ":".join(("newsarchive", self.crawl_name, *parts))

    @property
    def inflight_key(self) -> str:
        return self.key("inflight", self.worker_id)

    @property
    def retry_key(self) -> str:
        """The requests the next crawl of this name asks for again; the crawl's end leaves it."""
        return self.key("retry")

    # lifecycle ------------------------------------------------------------------------------------

    def open(self, spider):
        self.crawl_name = self.crawl_name % {"spider": spider.name}
        result = super().open(spider)
        self.enqueue_script = self.server.register_script(ENQUEUE)
        self.pop_script = self.server.register_script(POP_TO_INFLIGHT)
        self.keep_script = self.server.register_script(KEEP_FOR_RETRY)
        self.adopt_script = self.server.register_script(ADOPT_RETRIES)
        self.idle_flagged = False
        self.heartbeat()
        self.adopt_retries()
        self.heartbeat_loop = task.LoopingCall(self.heartbeat)
        self.heartbeat_loop.start(HEARTBEAT_SECONDS, now=False)
        return result

    def check_options(self, spider) -> None:
        """Refuse to join a crawl whose first worker was started with other options. Each worker
        filters the links it reads by its own (--since, --sections, --full ...), so a crawl of
        workers that disagree held what happened to pass the worker that took each listing: 110
        of 200 stories, or all 200, as the workers' start order fell. The first worker's options
        are the crawl's (a key that goes with the crawl's other keys)."""
        options = {"arguments": dict(getattr(spider, "arguments", None) or {}),
                   **{name: getattr(self.crawler.settings, read)(name) for name, read in SCOPE_SETTINGS.items()}}
        try:
            if self.server.set(self.key("options"), json.dumps(options, sort_keys=True), nx=True):
                return
            recorded = self.server.get(self.key("options"))
        except REDIS_ERRORS:
            return  # unreachable since it answered the scheduler's ping: the heartbeat says so
        crawls = json.loads(recorded) if recorded else options
        if crawls != options:
            raise OptionsDiffer(f"this worker's options differ from those distributed crawl {self.crawl_name} was "
                                f"started with ({_differences(options, crawls)}): start every worker of a crawl with "
                                "the same options, or give this one another --crawl-name")

    def close(self, reason):
        if getattr(self, "heartbeat_loop", None) and self.heartbeat_loop.running:
            self.heartbeat_loop.stop()
        if reason == "finished" and self.crawl_began and not self.stats.get_value("scheduler/dequeued/redis"):
            self.stats.set_value(NO_SHARE_STAT, True)  # no fault of this worker's: its exit code says so
        try:
            if reason == "finished" and not self.busy_workers() and not len(self.queue):
                self.clear_crawl()  # the crawl is over: the next one starts afresh
            elif reason == "finished":
                self.server.delete(self.inflight_key)
            self.server.delete(self.key("worker", self.worker_id), self.key("idle", self.worker_id))
        except REDIS_ERRORS as error:
            self.spider.logger.error(f"could not tidy crawl {self.crawl_name} in Redis: {error}")
        return super().close(reason)

    def clear_crawl(self) -> None:
        self.spider.logger.info(f"distributed crawl {self.crawl_name} is complete: clearing its Redis keys")
        # First: workers still waiting see this and stop, and none takes the keys' going for a loss
        # (check_crawl_state); it expires before the next crawl of this name.
        self.server.set(self.key("done"), "1", ex=HEARTBEAT_TTL)
        for key in self.server.scan_iter(match=self.key("*")):
            if key.decode() not in (self.retry_key, self.key("done")):  # the next crawl's, and the end's
                self.server.delete(key)
        self.queue.clear()
        self.df.clear()

    def heartbeat(self) -> None:
        try:
            self.server.set(self.key("worker", self.worker_id), "1", ex=HEARTBEAT_TTL)
            self.redis_back()
            self.check_crawl_state()
        except REDIS_ERRORS as error:
            self.redis_down(error)

    def check_crawl_state(self) -> None:
        """Stop the worker when Redis no longer holds the crawl it had begun (neither its "started"
        key nor the end's "done"): Redis restarted without its data (no append-only file, a new
        container) or the keys were deleted, and with them the queue, the duplicate filter and
        every worker's requests in flight. The workers went on over an empty queue, said
        "finished", exit 0, and the stories in flight were never archived. A worker that joined
        the crawl under way (its start requests all seen already) knows it began from its
        "started" key, seen here or by the first request it took from the queue."""
        if self.state_lost or self.crawl_ended:
            return
        if self.server.exists(self.key("done")):
            self.crawl_ended = True
            return
        if self.server.exists(self.key("started")):
            self.crawl_began = True
            return
        if not (self.started or self.crawl_began):
            return  # not begun yet: nothing to lose
        self.state_lost = True
        self.spider.logger.error(
            f"Redis no longer holds distributed crawl {self.crawl_name} (its queue, its duplicate filter and the "
            "requests in flight): it restarted without its data (appendonly off?) or its keys were deleted; "
            "stopping this worker: run the crawl again")
        deferred_from_coro(self.crawler.engine.close_spider_async(reason=STATE_LOST))

    # the queue, with in-flight tracking and outage handling -----------------------------------------

    def enqueue_request(self, request):
        if self.unsent:
            self.send_unsent()
        try:
            queued = self.push(request)
        except REDIS_ERRORS as error:
            self.redis_down(error)
            self.unsent.append(request)
            return True
        if not queued:
            self.df.log(request, self.spider)
            return False
        self.stats.inc_value("scheduler/enqueued/redis")
        if not self.started:
            self.server.set(self.key("started"), "1")
            self.server.delete(self.key("done"))
            self.started = True
        return True

    def push(self, request) -> bool:
        """Duplicate check and queueing in one atomic round trip (scrapy-redis's keys and formats)."""
        return bool(self.enqueue_script(
            keys=[self.df.key, self.queue.key],
            args=[self.df.request_fingerprint(request), -request.priority, self.queue._encode_request(request),
                  "1" if request.dont_filter else "0"]))

    def next_request(self):
        if self.unsent or self.outage_since is not None:
            self.send_unsent()
            if self.outage_since is not None:
                return None
        try:
            found = self.pop_script(keys=[self.queue.key, self.inflight_key])
            if found and self.idle_flagged:
                self.server.delete(self.key("idle", self.worker_id))
                self.idle_flagged = False
        except REDIS_ERRORS as error:
            self.redis_down(error)
            return None
        if not found:
            return None
        request_id, encoded = found
        self.crawl_began = True  # a queue to take from: the crawl has begun (check_crawl_state)
        request = self.queue._decode_request(encoded)
        request.meta["newsarchive_fingerprint"] = request_id.decode() if isinstance(request_id, bytes) else request_id
        self.stats.inc_value("scheduler/dequeued/redis")
        return request

    def has_pending_requests(self):
        if self.unsent or self.outage_since is not None:
            return True
        try:
            return super().has_pending_requests()
        except REDIS_ERRORS as error:
            self.redis_down(error)
            return True

    def ack(self, fingerprints) -> None:
        fingerprints = [fp for fp in fingerprints if fp]
        if not fingerprints:
            return
        try:
            self.server.hdel(self.inflight_key, *fingerprints)
        except REDIS_ERRORS as error:
            self.redis_down(error)  # they stay in flight: at worst fetched again, never lost

    def requests_committed(self, fingerprints, retry=()):
        """The pages of these requests are in the worker's shard: they are no longer in flight;
        those in `retry` (their page failed for a passing reason) are kept for the next crawl."""
        retry = [fingerprint for fingerprint in retry if fingerprint]
        if retry:
            try:
                kept = self.keep_script(keys=[self.inflight_key, self.retry_key], args=retry)
            except REDIS_ERRORS as error:
                self.redis_down(error)  # they stay in flight: asked for again if this worker dies
            else:
                self.stats.inc_value("newsarchive/pages/kept_for_retry_count", int(kept))
        self.ack([fingerprint for fingerprint in fingerprints if fingerprint not in retry])

    def adopt_retries(self) -> None:
        """The first worker of a crawl puts back in the queue the requests the last crawl of this
        name kept for it (KEEP_FOR_RETRY). A worker that joins a crawl under way leaves them for the
        next: in this one the duplicate filter has seen them already. They pass through this
        worker's in-flight hash, so a worker killed meanwhile loses none (requeue_dead_workers)."""
        try:
            if self.server.exists(self.key("started")):
                return
            entries = self.adopt_script(keys=[self.retry_key, self.inflight_key])
            for encoded in entries[1::2]:
                self.enqueue_request(self.queue._decode_request(encoded))  # the filter: a page found by a link too is asked for once
            if entries:
                self.server.hdel(self.inflight_key, *entries[::2])
        except REDIS_ERRORS as error:
            self.redis_down(error)
            return
        if entries:
            self.stats.set_value("newsarchive/distributed/retried_count", len(entries) // 2)
            self.spider.logger.info(f"asking again for {len(entries) // 2} pages the last crawl of {self.crawl_name} "
                                    f"could not fetch (a timeout, a lost connection, a 5xx ...)")

    # the end of the crawl, and other workers' deaths ----------------------------------------------

    def spider_idle(self, spider):
        """Close only when the crawl has begun, the queue is empty and every live worker is idle."""
        try:
            if len(self.queue) or self.unsent:
                raise DontCloseSpider
            self.crawler.signals.send_catch_log(newsarchive_signals.flush_requested)
            self.server.delete(self.inflight_key)  # engine idle: nothing of ours is in flight any more
            self.server.set(self.key("idle", self.worker_id), "1", ex=HEARTBEAT_TTL)
            self.idle_flagged = True
            if self.requeue_dead_workers() or len(self.queue):
                raise DontCloseSpider
            if self.server.exists(self.key("done")):
                self.crawl_began = self.crawl_ended = True
                return  # another worker saw the crawl end and tidied up
            begun = self.server.exists(self.key("started"))
            if not begun and (self.started or self.crawl_began):
                self.check_crawl_state()  # begun, and its keys gone: lost, not finished
                raise DontCloseSpider
            self.crawl_began = self.crawl_began or bool(begun)
            if not begun and time.monotonic() - self.opened_at < STARTUP_GRACE_SECONDS:
                raise DontCloseSpider  # the worker with the start requests may not have sent them yet
            if self.busy_workers():
                raise DontCloseSpider  # they may still find links for us
        except REDIS_ERRORS as error:
            self.redis_down(error)
            raise DontCloseSpider from None

    def workers(self) -> list[str]:
        prefix = self.key("inflight", "")
        return [key.decode()[len(prefix):] for key in self.server.scan_iter(match=prefix + "*")]

    def busy_workers(self) -> list[str]:
        """Other live workers that are not idle, or still have requests in flight."""
        prefix = self.key("worker", "")
        busy = []
        for key in self.server.scan_iter(match=prefix + "*"):
            worker = key.decode()[len(prefix):]
            if worker == self.worker_id:
                continue
            if not self.server.exists(self.key("idle", worker)) or self.server.hlen(self.key("inflight", worker)):
                busy.append(worker)
        return busy

    def requeue_dead_workers(self) -> int:
        """Put the in-flight requests of workers whose heartbeat expired back in the queue."""
        requeued = 0
        for worker in self.workers():
            if worker == self.worker_id or self.server.exists(self.key("worker", worker)):
                continue
            claimed = self.key("requeuing", self.worker_id, worker)
            try:
                self.server.rename(self.key("inflight", worker), claimed)  # only one survivor wins
            except Exception:  # noqa: BLE001 (another worker claimed it first)
                continue
            its_requests = 0
            for encoded in self.server.hvals(claimed):
                request = self.queue._decode_request(encoded)
                request.dont_filter = True  # the duplicate filter has seen it already
                self.queue.push(request)
                its_requests += 1
            self.server.delete(claimed)
            self.spider.logger.warning(f"worker {worker} is gone: {its_requests} of its requests are back in the queue")
            self.stats.inc_value("newsarchive/distributed/requeued_count", its_requests)
            requeued += its_requests
        return requeued

    # outages -----------------------------------------------------------------------------------

    def redis_down(self, error) -> None:
        now = time.monotonic()
        if self.outage_since is None:
            self.outage_since = now
            self.spider.logger.error(
                f"Redis is unreachable ({error}); keeping new requests in memory and retrying for "
                f"{self.outage_limit:.0f} s")
        elif now - self.outage_since > self.outage_limit and not self.stopping_for_outage:
            self.stopping_for_outage = True  # said once: the engine asks the scheduler again while it closes
            self.spider.logger.error(
                f"Redis has been unreachable for {now - self.outage_since:.0f} s: stopping this worker; "
                f"{len(self.unsent)} requests found meanwhile were not shared")
            self.stats.set_value("newsarchive/distributed/unsent_requests", len(self.unsent))
            # Scheduled, not awaited: this runs inside the scheduler, which the engine drives.
            deferred_from_coro(self.crawler.engine.close_spider_async(reason="redis_unavailable"))

    def redis_back(self) -> None:
        if self.outage_since is not None:
            self.spider.logger.warning(f"Redis is back after {time.monotonic() - self.outage_since:.0f} s")
            self.outage_since = None

    def send_unsent(self) -> None:
        try:
            self.server.ping()
        except REDIS_ERRORS as error:
            self.redis_down(error)
            return
        self.redis_back()
        pending, self.unsent = self.unsent, []
        for position, request in enumerate(pending):
            try:
                self.push(request)
            except REDIS_ERRORS as error:  # gone again: keep the rest for next time
                self.unsent = pending[position:] + self.unsent
                self.redis_down(error)
                return


def _differences(mine: dict, crawls: dict) -> str:
    """`since: 2024-01-10 here, none in the crawl; ...` for the options that differ."""
    mine, crawls = _flat(mine), _flat(crawls)
    return "; ".join(f"{name}: {_shown(mine.get(name, 'none'))} here, {_shown(crawls.get(name, 'none'))} in the crawl"
                     for name in sorted(set(mine) | set(crawls)) if mine.get(name) != crawls.get(name))


def _shown(value):
    """A setting's value as the user gave it: 30 days, not 30.0."""
    return int(value) if isinstance(value, float) and value.is_integer() else value


def _flat(options: dict) -> dict:
    """A worker's options as one dict: its spider's arguments beside the settings."""
    return {**options.get("arguments", {}), **{name: value for name, value in options.items() if name != "arguments"}}
