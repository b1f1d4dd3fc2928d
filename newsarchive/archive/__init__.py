"""The SQLite archive: opening it, migrating it, and the only code that writes to it.

One file, WAL mode, foreign keys on. Writes go through `Archive.write()`, a `BEGIN IMMEDIATE`
transaction: the write lock is taken up front, so two crawls writing the same file queue for it
(waiting up to the busy timeout) instead of failing half-way with "database is locked".
"""

from __future__ import annotations

import sqlite3
import time
from contextlib import contextmanager
from datetime import datetime, timezone
from pathlib import Path

from sqlite_utils import Database

from newsarchive.archive.migrations import migrations

_LOCK_RETRIES = 5


def utc_now() -> str:
    return datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


class Archive:
    def __init__(self, path: str | Path, busy_timeout: float = 60.0):
        self.path = Path(path)
        if self.path.parent and not self.path.parent.exists():
            self.path.parent.mkdir(parents=True, exist_ok=True)
        # Autocommit mode: transactions are opened explicitly by write().
        self.conn = sqlite3.connect(
            str(self.path), timeout=busy_timeout, isolation_level=None, check_same_thread=False
        )
        self.db = Database(self.conn)
        self.conn.execute("PRAGMA journal_mode=WAL")
        self.conn.execute("PRAGMA synchronous=NORMAL")
        self.conn.execute("PRAGMA foreign_keys=ON")
        self._retry_on_lock(lambda: migrations.apply(self.db))

    @contextmanager
    def write(self):
        """One write transaction, holding the write lock from its start."""
        self._retry_on_lock(lambda: self.conn.execute("BEGIN IMMEDIATE"))
        try:
            yield self.db
        except BaseException:
            self.conn.execute("ROLLBACK")
            raise
        else:
            self.conn.execute("COMMIT")

    def _retry_on_lock(self, action):
        for attempt in range(_LOCK_RETRIES):
            try:
                return action()
            except sqlite3.OperationalError as error:
                if "locked" not in str(error) or attempt == _LOCK_RETRIES - 1:
                    raise
                time.sleep(0.5 * (attempt + 1))

    def query(self, sql: str, params=()) -> list[dict]:
        return list(self.db.query(sql, params))

    def close(self) -> None:
        self.conn.close()


def open_archive(path: str | Path, busy_timeout: float = 60.0) -> Archive:
    return Archive(path, busy_timeout)
