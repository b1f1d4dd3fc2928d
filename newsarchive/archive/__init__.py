"""The SQLite archive: opening it, migrating it, and the only code that writes to it.

One file, WAL mode, foreign keys on. Writes go through `Archive.write()`, a `BEGIN IMMEDIATE`
transaction: the write lock is taken up front, so two crawls writing the same file queue for it
(waiting up to the busy timeout) instead of failing half-way with "database is locked".

Two ways in, both checking the file first and refusing with an ArchiveError (one line) rather
than a traceback or a write into the wrong file:
- `open_archive(path)` to write: a new file, or an existing newsarchive archive that passes
  SQLite's quick_check; a damaged file, another program's SQLite database, a file that is not
  SQLite or an archive of a newer newsarchive is refused and left untouched.
- `open_for_reading(path)`: a read-only connection; on read-only media, where a WAL archive
  cannot be opened the usual way, the file is opened without locks (its -wal read too), else
  immutable (and `immutable` says so). An archive of an older newsarchive is an OlderArchive,
  which the commands upgrade where they can write it (commands/common.py).
"""

from __future__ import annotations

import os
import sqlite3
import time
from contextlib import contextmanager
from datetime import datetime, timezone
from functools import lru_cache
from pathlib import Path

from newsarchive.archive import folding
from newsarchive.archive.database import Database
from newsarchive.archive.migrations import migrations

_LOCK_RETRIES = 5
_SQLITE_HEADER = b"SQLite format 3\x00"


class ArchiveError(Exception):
    """An archive that cannot be opened as asked: the message is one line saying why."""


class OlderArchive(ArchiveError):
    """An archive made by an older newsarchive, whose schema lacks this version's migrations
    (`missing`): a writer applies them when it opens it (open_archive); a reader cannot read it."""

    def __init__(self, path: Path, missing: list[str]):
        super().__init__(f"{path} was made by an older newsarchive: its schema lacks {len(missing)} of this "
                         f"version's changes ({', '.join(missing[:3])}{' ...' if len(missing) > 3 else ''})")
        self.missing = missing


def utc_now() -> str:
    return datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


class Archive:
    def __init__(self, path: str | Path, busy_timeout: float = 60.0):
        self.path = Path(path)
        self.busy_timeout = busy_timeout
        in_memory = str(path) == ":memory:"
        if not in_memory:
            _check_before_writing(self.path)
        try:
            # Autocommit mode: transactions are opened explicitly by write().
            self.conn = sqlite3.connect(
                str(self.path), timeout=busy_timeout, isolation_level=None, check_same_thread=False
            )
            if not in_memory:
                _check_archive(self.conn, self.path, writing=True)
            folding.register(self.conn)  # the search indexes' triggers fold what they index
            self.db = Database(self.conn)
            self._use_wal()
            self.conn.execute("PRAGMA synchronous=NORMAL")
            self.conn.execute("PRAGMA foreign_keys=ON")
            self._migrate()
        except sqlite3.Error as error:
            raise ArchiveError(f"cannot open {self.path} for writing: {error}") from None

    def _use_wal(self) -> None:
        """WAL mode, set once in the file's life: switching takes an exclusive lock, which another
        process creating the same new archive at the same moment may hold (retried, not failed)."""
        if self.conn.execute("PRAGMA journal_mode").fetchone()[0] != "wal":
            self._retry_on_lock(lambda: self.conn.execute("PRAGMA journal_mode=WAL"))

    def _migrate(self) -> None:
        """Apply the pending migrations under the write lock: two processes opening a new archive
        at once would otherwise both find m009 pending, and the second fail on what the first
        made ("duplicate column name")."""
        if not migrations.pending(self.db):
            return
        with self.write():  # nested migrations run as savepoints of this transaction
            migrations.apply(self.db)

    @contextmanager
    def write(self):
        """One write transaction, holding the write lock from its start."""
        self._retry_on_lock(lambda: self.conn.execute("BEGIN IMMEDIATE"))
        try:
            yield self.db
        except BaseException:
            # SQLite may have rolled the transaction back itself (a full disk: SQLITE_FULL): a
            # ROLLBACK then fails and its "no transaction is active" would hide the cause.
            if self.conn.in_transaction:
                self.conn.execute("ROLLBACK")
            raise
        else:
            self.conn.execute("COMMIT")

    @contextmanager
    def savepoint(self):
        """A nested part of a write() transaction that can fail alone: rolled back on an
        exception (which goes on), leaving what the transaction wrote before it."""
        self.conn.execute("SAVEPOINT part")
        try:
            yield self.db
        except BaseException:
            self.conn.execute("ROLLBACK TO part")
            self.conn.execute("RELEASE part")
            raise
        else:
            self.conn.execute("RELEASE part")

    def _retry_on_lock(self, action):
        """action(), tried again while the file is locked, within the busy timeout in all: SQLite
        waits that long inside each try, and some locks (a switch to WAL, its recovery) fail at
        once. Five whole waits for a process that held the file (306 s) were too long for cron
        or a user."""
        started = time.monotonic()
        for attempt in range(_LOCK_RETRIES):
            try:
                return action()
            except sqlite3.OperationalError as error:
                waited = time.monotonic() - started
                pause = 0.5 * (attempt + 1)
                if "locked" not in str(error):
                    raise
                if attempt == _LOCK_RETRIES - 1 or waited + pause >= self.busy_timeout:
                    raise sqlite3.OperationalError(f"{error}: another process held {self.path} for the whole "
                                                   f"wait ({waited:.1f} s)") from None
                time.sleep(pause)

    def query(self, sql: str, params=()) -> list[dict]:
        return list(self.db.query(sql, params))

    def close(self) -> None:
        self.conn.close()


def open_archive(path: str | Path, busy_timeout: float = 60.0) -> Archive:
    """The archive at path, to write: created (with its folder) when missing, checked when not."""
    return Archive(path, busy_timeout)


class ReadConnection(sqlite3.Connection):
    """A read-only connection; `immutable` is True when the file was opened as read-only media."""

    immutable = False


def open_for_reading(path: str | Path, older: bool = False) -> ReadConnection:
    """A read-only connection to an existing archive, or an ArchiveError saying why not (an
    OlderArchive for one an older newsarchive made, unless `older`: a caller that migrates a copy)."""
    path = Path(path)
    if not path.is_file():
        raise ArchiveError(f"{path} does not exist" if not path.exists() else f"{path} is not a file")
    _check_header(path)
    # A WAL archive needs its -shm file beside it; on read-only media it cannot be made. Without
    # locks, in exclusive mode, SQLite keeps that index in memory and still reads the -wal file
    # (the changes a crawl committed since its last checkpoint: a snapshot of a live archive). The
    # immutable mode, where even that fails (a system without the unix-none VFS), reads the
    # archive's file alone.
    for mode, first in (("ro", None), ("ro&vfs=unix-none", "PRAGMA locking_mode=EXCLUSIVE"), ("ro&immutable=1", None)):
        conn = None
        try:
            conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode={mode}", uri=True, factory=ReadConnection,
                                   check_same_thread=False)
            if first:
                conn.execute(first)
            conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
        except sqlite3.OperationalError as error:
            if conn is not None:
                conn.close()
            if mode == "ro" and ("unable to open" in str(error) or "readonly" in str(error)):
                continue
            if "unix-none" in mode:
                continue
            raise ArchiveError(f"cannot read {path}: {error}") from None
        except (sqlite3.DatabaseError, UnicodeDecodeError) as error:
            if conn is not None:
                conn.close()
            raise _unreadable(path, error) from None
        try:
            applied = _check_archive(conn, path, writing=False)
            if not older:
                _check_not_older(path, applied)
        except BaseException:
            conn.close()
            raise
        conn.immutable = mode != "ro"  # read-only media: nothing can change it (Datasette's immutable mode)
        folding.register(conn)
        return conn
    raise AssertionError("unreachable")


# SQLite's files beside an archive: its write-ahead log (changes not yet in the archive's file), the
# log's index, a rollback journal. Made an archive of its own, one is deleted or replaced by the
# next writer of the archive beside it, and all written into it with it.
SQLITE_SIDE_FILES = ("-wal", "-shm", "-journal")


def _check_before_writing(path: Path) -> None:
    if path.exists() and not path.is_file():
        raise ArchiveError(f"{path} is not a file")
    for suffix in SQLITE_SIDE_FILES:
        if path.name.endswith(suffix) and path.with_name(path.name[:-len(suffix)]).is_file():
            raise ArchiveError(f"{path} is the {suffix} file of the archive {path.name[:-len(suffix)]} beside it, "
                               "not an archive: name another file")
    if path.is_file():
        _check_header(path)
        if not os.access(path, os.W_OK) or not os.access(path.parent, os.W_OK):
            raise ArchiveError(f"cannot write to {path}: no permission (read-only file or folder)")
        return
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise ArchiveError(f"cannot create {path}: {error.strerror or error}") from None


def _tables_and_migrations(conn: sqlite3.Connection, path: Path) -> tuple[set[str], set[str]]:
    try:
        tables = {row[0] for row in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        applied = set()
        if "_sqlite_migrations" in tables:
            applied = {row[0] for row in conn.execute(
                "SELECT name FROM _sqlite_migrations WHERE migration_set = 'newsarchive'")}
    except (sqlite3.DatabaseError, UnicodeDecodeError) as error:
        raise _unreadable(path, error) from None
    return tables, applied


def _unreadable(path: Path, error: sqlite3.DatabaseError | UnicodeDecodeError) -> ArchiveError:
    """The ArchiveError of a file SQLite could not read: locked by another process (a writer that
    did not let go within the busy timeout), else damaged or no SQLite file. A UnicodeDecodeError
    is SQLite's message quoting the damaged bytes of a schema, which Python cannot decode."""
    if getattr(error, "sqlite_errorcode", None) in (sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED):
        return ArchiveError(f"cannot open {path}: another process holds it locked ({error}); try again once it "
                            "has finished")
    if isinstance(error, UnicodeDecodeError):
        return ArchiveError(f"{path} is damaged: its schema holds bytes that are no text ({error.object[:80]!r})")
    return ArchiveError(f"{path} is damaged or not an SQLite file ({error})")


@lru_cache(maxsize=1)
def _archive_table_names() -> set[str]:
    """Every table a newsarchive archive has (the migrations applied to an empty database)."""
    conn = sqlite3.connect(":memory:", isolation_level=None)
    folding.register(conn)
    try:
        migrations.apply(Database(conn))
        return {row[0] for row in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    finally:
        conn.close()


def _check_header(path: Path) -> None:
    # Only before this process has the file open in SQLite: closing any other handle on it drops
    # the POSIX locks of all the process's connections to it (the crawl shares one Archive).
    try:
        with open(path, "rb") as handle:
            header = handle.read(len(_SQLITE_HEADER))
    except OSError as error:
        raise ArchiveError(f"cannot read {path}: {error.strerror or error}") from None
    if header and header != _SQLITE_HEADER:
        raise ArchiveError(f"{path} is not a newsarchive archive (not an SQLite file)")


def _check_archive(conn: sqlite3.Connection, path: Path, writing: bool) -> set[str]:
    """A newsarchive archive, undamaged, of a schema this version knows; an empty file is a new one.
    Returns the migrations applied to it."""
    deadline = time.monotonic() + 10
    while True:
        tables, applied = _tables_and_migrations(conn, path)
        if not tables and writing:
            return applied  # a new archive
        # Another process may be creating this archive right now: its tables appear one by one.
        if applied or not tables <= _archive_table_names() or time.monotonic() > deadline:
            break
        time.sleep(0.1)
    if not applied or "articles" not in tables:
        raise ArchiveError(f"{path} is an SQLite database but not a newsarchive archive "
                           f"(tables: {', '.join(sorted(tables)[:5]) or 'none'})")
    unknown = applied - {migration.name for migration in migrations._migrations}
    if unknown:
        raise ArchiveError(f"{path} was written by a newer newsarchive (schema {sorted(unknown)[-1]}): "
                           "upgrade newsarchive to use it")
    if writing:
        check_integrity(conn, path)
    return applied


def _check_not_older(path: Path, applied: set[str]) -> None:
    """OlderArchive for an archive that lacks some of this version's migrations (`applied`: those
    it has): its readers' queries failed on a column it lacks ("no such column: a.published_day")."""
    missing = [migration.name for migration in migrations._migrations if migration.name not in applied]
    if missing:
        raise OlderArchive(path, missing)


def check_integrity(conn: sqlite3.Connection, path: Path) -> None:
    """SQLite's quick_check: an ArchiveError naming what is damaged, before anything reads on or writes."""
    damage = damage_found(conn)
    if damage:
        raise ArchiveError(f"{path} is damaged and was left untouched (SQLite quick_check: {damage}); restore it "
                           f"from a backup, or recover it with `sqlite3 {path} .recover`")


def damage_found(conn: sqlite3.Connection) -> str | None:
    """What SQLite's quick_check finds damaged in the archive, on one line; None when nothing."""
    try:
        problems = [" ".join(str(row[0]).split()) for row in conn.execute("PRAGMA quick_check(3)")]
    except (sqlite3.DatabaseError, UnicodeDecodeError) as error:  # the latter: SQLite's message quoting damaged bytes
        problems = [str(error)]
    return None if problems == ["ok"] else "; ".join(problems)[:300]
