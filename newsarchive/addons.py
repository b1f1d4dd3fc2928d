"""Scrapy add-ons: settings derived from other settings once all of them are known."""

from __future__ import annotations

import sys

from scrapy.settings import SETTINGS_PRIORITIES


class ContactUserAgent:
    """Build USER_AGENT from NEWSARCHIVE_USER_AGENT and NEWSARCHIVE_CONTACT_URL.

    An add-on rather than a middleware so that every request Scrapy makes, robots.txt included,
    names the crawler and whoever runs it.
    """

    def update_settings(self, settings) -> None:
        template = settings.get("NEWSARCHIVE_USER_AGENT")
        contact = settings.get("NEWSARCHIVE_CONTACT_URL")
        settings.set("USER_AGENT", template.format(contact=contact), priority="addon")


class SwitchedOffExtensions:
    """Take out of Scrapy's base extensions those whose own setting switches them off: Scrapy
    imports every extension it lists, even one set to None, to compare their names, only for a
    switched-off one to decline. The remote control's module imports aiohttp: 0.12 s and 7 MB at
    every crawl's start. `-s REMOTE_CONTROL_ENABLED=True` still brings it back."""

    SWITCHES = {"scrapy.extensions.remote_control.RemoteControl": "REMOTE_CONTROL_ENABLED",
                "scrapy.extensions.telnet.TelnetConsole": "TELNETCONSOLE_ENABLED"}

    def update_settings(self, settings) -> None:
        base = settings.getdict("EXTENSIONS_BASE")
        kept = {name: order for name, order in base.items()
                if name not in self.SWITCHES or settings.getbool(self.SWITCHES[name])}
        if kept != base:  # at the list's own priority, so that it replaces the list whoever set it
            settings.set("EXTENSIONS_BASE", kept, priority=settings.getpriority("EXTENSIONS_BASE"))


class PhotoDownloads:
    """Add the photo files pipeline only when NEWSARCHIVE_PHOTOS_DIR is set (off by default)."""

    PIPELINE = "newsarchive.pipelines.photos.PhotoFilesPipeline"

    def update_settings(self, settings) -> None:
        if settings.get("NEWSARCHIVE_PHOTOS_DIR"):
            # After dedupe (300): a duplicate's photos are not fetched; before the store (400).
            settings["ITEM_PIPELINES"][self.PIPELINE] = 350


class TerminalProgress:
    """Add the progress line extension when NEWSARCHIVE_PROGRESS asks for it (auto: on a terminal).

    Decided here rather than by the extension raising NotConfigured, which Scrapy logs as a
    warning in every cron job's log.
    """

    EXTENSION = "newsarchive.extensions.CrawlProgress"

    def update_settings(self, settings) -> None:
        mode = settings.get("NEWSARCHIVE_PROGRESS")
        if mode == "always" or (mode == "auto" and sys.stderr.isatty()):
            settings["EXTENSIONS"][self.EXTENSION] = 500


class DistributedCrawl:
    """With NEWSARCHIVE_REDIS_URL set, share the crawl through Redis (newsarchive/distributed.py).

    Without it, one process crawls: the spiders request a URL once per crawl themselves
    (spiders/base.py, `follow`), so Scrapy's duplicate filter has nothing to add, and the seen-set
    it would keep in a JOBDIR could only drop the requests a resumed crawl takes from the frontier.
    Its pending requests past NEWSARCHIVE_QUEUE_IN_MEMORY wait on disk (newsarchive/request_queue.py).
    """

    def update_settings(self, settings) -> None:
        url = settings.get("NEWSARCHIVE_REDIS_URL")
        if not url:
            settings.set("DUPEFILTER_CLASS", "scrapy.dupefilters.BaseDupeFilter", priority="addon")
            settings.set("SCHEDULER", "newsarchive.request_queue.SpillingScheduler", priority="addon")
            return
        # `newsarchive crawl` names every distributed crawl (crawling.distributed_crawl_name); a
        # crawl started by Scrapy itself is named after its spider.
        name = settings.get("NEWSARCHIVE_CRAWL_NAME") or "%(spider)s"
        # Above the project's own "" (settings.py), which took every such crawl's keys to "newsarchive::...".
        settings.set("NEWSARCHIVE_CRAWL_NAME", name,
                     priority=max(settings.getpriority("NEWSARCHIVE_CRAWL_NAME") or 0, SETTINGS_PRIORITIES["addon"]))
        for setting, value in {
            "SCHEDULER": "newsarchive.distributed.ReliableScheduler",
            "DUPEFILTER_CLASS": "scrapy_redis.dupefilter.RFPDupeFilter",
            "SCHEDULER_QUEUE_CLASS": "scrapy_redis.queue.PriorityQueue",  # ReliableScheduler's scripts use its sorted set
            "SCHEDULER_PERSIST": True,  # other workers still need the queue when one stops
            "SCHEDULER_QUEUE_KEY": f"newsarchive:{name}:requests",
            "SCHEDULER_DUPEFILTER_KEY": f"newsarchive:{name}:dupefilter",
            "REDIS_URL": url,
        }.items():
            settings.set(setting, value, priority="addon")
