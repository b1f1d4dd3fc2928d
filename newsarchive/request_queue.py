"""SpillingScheduler: Scrapy's scheduler, whose pending requests beyond a bound wait on disk.

A crawl finds links faster than it fetches them: on a big site its pending requests run to
hundreds of thousands, each held in memory as a Request with its headers, meta and frontier entry
(about 2 KB). Scrapy keeps them on disk only under a JOBDIR, whose other state (the seen set, the
spider's state) a newsarchive crawl does not use: the archive's frontier is what a resumed crawl
trusts (newsarchive/archive/frontier.py).

So the first NEWSARCHIVE_QUEUE_IN_MEMORY pending requests stay in memory, as in Scrapy, and the
rest wait in Scrapy's own disk queues (SCHEDULER_DISK_QUEUE, by priority as in memory) in a folder
beside the archive, `ARCHIVE.queue-PID-...`, deleted when the crawl closes. A killed crawl cannot
delete its folder: the next crawl of the archive deletes every such folder whose process is gone.
A request Scrapy cannot serialize (a callback that is not the spider's method) stays in memory.

Scrapy pops its memory queue before its disk queue: the requests that waited on disk come once
those in memory are done, each group in order of priority. That ordering differs from one queue's
only past the bound, and only in which of two pending requests comes first.
"""

from __future__ import annotations

import logging
import shutil
import tempfile
from pathlib import Path

from scrapy.core.scheduler import Scheduler

from newsarchive.scratch import delete_stale_folders, own_folder

logger = logging.getLogger(__name__)

QUEUE_FOLDER = ".queue-"  # ARCHIVE.queue-PID-XXXXXXXX: the folder of a crawl's requests waiting on disk


class SpillingScheduler(Scheduler):
    folder: Path  # where the requests past the bound wait
    in_memory: int  # NEWSARCHIVE_QUEUE_IN_MEMORY

    def __init__(self, *args, crawler=None, **kwargs):
        """Scrapy's scheduler as its own from_crawler makes it (JOBDIR unset: no disk queue), given
        its queue folder beside the archive."""
        super().__init__(*args, crawler=crawler, **kwargs)
        settings = crawler.settings
        self.folder = queue_folder(settings.get("NEWSARCHIVE_DB_PATH"))
        self.dqdir = str(self.folder)
        self.in_memory = settings.getint("NEWSARCHIVE_QUEUE_IN_MEMORY")

    def _dqpush(self, request) -> bool:
        """On disk once the memory queue holds its share (-1: no bound, all in memory)."""
        if self.in_memory < 0 or len(self.mqs) < self.in_memory:
            return False
        return super()._dqpush(request)

    def _write_dqs_state(self, dqdir: str, state) -> None:
        """Not written: Scrapy keeps the disk queue's state for a JOBDIR crawl to resume; here the
        pending requests are the archive's frontier rows, and the folder goes. On a full disk its
        writing was a traceback, and the crawl's summary was never printed."""

    def close(self, reason: str):
        """The pending requests are the archive's frontier rows: the folder is not kept."""
        try:
            return super().close(reason)
        finally:
            shutil.rmtree(self.folder, ignore_errors=True)


def queue_folder(db_path: str | None) -> Path:
    """This process's queue folder beside the archive (made now), the stale ones of crawls that
    were killed deleted first. Without an archive path (a crawl run by hand with Scrapy's own
    command and no NEWSARCHIVE_DB_PATH), a new folder in the system's temporary folder."""
    if not db_path:
        return Path(tempfile.mkdtemp(prefix="newsarchive-queue-"))
    archive = Path(db_path).absolute()
    delete_stale_queue_folders(archive)
    return own_folder(archive.parent, archive.name + QUEUE_FOLDER)


def delete_stale_queue_folders(archive: Path) -> list[Path]:
    """Delete the queue folders beside the archive whose crawl's process is gone; return them."""
    stale = delete_stale_folders(archive.parent, archive.name + QUEUE_FOLDER)
    if stale:
        logger.info("deleted the request queues left by crawls that were killed: "
                    f"{', '.join(folder.name for folder in stale)}")
    return stale
