"""The archive as one self-contained SQLite file to share: `newsarchive export sqlite`.

    newsarchive export sqlite --db archive.db --out copy.db

SQLite's `VACUUM INTO` writes a consistent snapshot (what was committed when it began, even while
a crawl writes), compacted, every table, index, search index and search list included. The copy
is then switched from WAL to the rollback journal (journal_mode=DELETE): a single file, with no
-wal or -shm beside it, that another researcher opens read-only from any folder or medium. The
archive is only read (opened by open_for_reading, so it may be on read-only media) and the copy
is written through output_file: a failure leaves no file.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from pathlib import Path

from exports import ExportError, output_file, refuse_overwriting_archive
from newsarchive.archive import damage_found, open_for_reading

# Files SQLite keeps beside a database; a stale one beside a new copy would be replayed into it.
_SIDE_FILES = ("-journal", "-wal", "-shm")
COUNTED_TABLES = ("articles", "comments", "captures")


@dataclass
class SqliteCopy:
    path: Path
    size: int  # bytes
    rows: dict[str, int]  # COUNTED_TABLES in the copy


def export_sqlite(db_path: str | Path, out_path: str | Path) -> SqliteCopy:
    """Copy the archive at db_path into one file at out_path (replaced if it exists)."""
    out_path = Path(out_path)
    refuse_overwriting_archive(db_path, out_path)
    source = open_for_reading(db_path)
    try:
        with output_file(out_path) as partial:
            try:
                _vacuum_into(source, partial)
                _to_single_file(partial)
            except sqlite3.Error as error:
                raise _copy_error(source, db_path, out_path, error) from None
            finally:
                _remove_side_files(partial)
            _remove_side_files(out_path)  # they belong to the file being replaced
    finally:
        source.close()
    return SqliteCopy(out_path, out_path.stat().st_size, _row_counts(out_path))


def _copy_error(source: sqlite3.Connection, db_path: str | Path, out_path: Path, error: sqlite3.Error) -> ExportError:
    """What stopped the copy: the archive, when SQLite finds it damaged (VACUUM INTO reads every
    page; a damaged one can make it say "database or disk is full"), else the output."""
    damage = damage_found(source)
    if damage:
        return ExportError(f"{db_path} is damaged, nothing was copied ({error}; SQLite quick_check: {damage})")
    return ExportError(f"cannot write {out_path}: {error}")


def _vacuum_into(source: sqlite3.Connection, partial: Path) -> None:
    partial.unlink(missing_ok=True)  # left by a killed export: VACUUM INTO refuses an existing file
    source.execute("VACUUM INTO ?", [str(partial)])  # pragma: no mutate


def _to_single_file(path: Path) -> None:
    copy = sqlite3.connect(path, isolation_level=None)
    try:
        mode = copy.execute("PRAGMA journal_mode=DELETE").fetchone()[0]
    finally:
        copy.close()
    if mode != "delete":
        raise ExportError(f"SQLite kept the copy in journal_mode {mode}, not delete")


def _remove_side_files(path: Path) -> None:
    for suffix in _SIDE_FILES:
        Path(f"{path}{suffix}").unlink(missing_ok=True)


def _row_counts(path: Path) -> dict[str, int]:
    copy = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
    try:
        return {table: copy.execute(f"SELECT count(*) FROM {table}").fetchone()[0] for table in COUNTED_TABLES}
    finally:
        copy.close()
