"""One crawl of a site into an archive at a time: a lock file beside the archive.

Scheduled crawls (cron, systemd timers, Scrapyd) can overlap when one runs long; two crawls of
the same site into the same archive would fetch everything twice. `newsarchive crawl` takes an
exclusive, non-blocking lock on `<archive>.<site>.lock` and exits with EXIT_LOCKED (75,
EX_TEMPFAIL: "try again later") when another run holds it. The kernel releases the lock when the
process ends, however it ends, so a killed crawl never leaves a stale lock behind.
"""

from __future__ import annotations

import fcntl
import glob
import os
from contextlib import contextmanager
from pathlib import Path

EXIT_LOCKED = 75


class CrawlLocked(RuntimeError):
    """Another crawl of the site into the archive holds the lock."""


class LockUnavailable(RuntimeError):
    """The lock file cannot be made (a read-only folder): no crawl can write there anyway."""


def lock_path(db_path: str | Path, site: str) -> Path:
    db_path = Path(db_path).resolve()
    return db_path.with_name(f"{db_path.name}.{site}.lock")


@contextmanager
def crawl_lock(db_path: str | Path, site: str):
    path = lock_path(db_path, site)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        handle = open(path, "a+")
    except OSError as error:
        raise LockUnavailable(f"cannot create the lock file {path}: {error.strerror or error} "
                              "(the archive's folder must be writable to crawl into it)") from None
    with handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.seek(0)
            holder = handle.read().strip() or "another process"
            raise CrawlLocked(f"another crawl of {site} into {Path(db_path)} is running ({holder}; lock {path})") from None
        name_holder(handle.fileno())
        try:
            yield path
        finally:
            handle.truncate(0)


def crawls_running(db_path: str | Path) -> list[str]:
    """The sites a crawl into the archive is running for now: those whose lock a process holds
    (tried, and let go at once)."""
    db_path = Path(db_path).resolve()
    running = []
    for path in sorted(db_path.parent.glob(f"{glob.escape(db_path.name)}.*.lock")):
        try:
            with open(path) as handle:
                try:
                    fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
                except BlockingIOError:
                    running.append(path.name[len(db_path.name) + 1:-len(".lock")])
        except OSError:  # a lock file gone meanwhile, or unreadable: no crawl known to run
            continue
    return running


def name_holder(descriptor: int) -> None:
    """Write this process's pid into the lock file, for a second run's message. A courtesy: the
    lock is the flock, so a disk too full for these bytes leaves the file empty and the crawl goes
    on (to say, in one line, that it cannot write its archive). Written unbuffered, so that no
    failed write waits in a buffer to fail again when the file is closed; the file is open for
    appending, so after the truncation the pid is all it holds."""
    try:
        os.ftruncate(descriptor, 0)
        os.write(descriptor, f"pid {os.getpid()}".encode())
    except OSError:
        pass
