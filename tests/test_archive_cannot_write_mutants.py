"""What the mutation run found untested of an archive that cannot be written: SQLite's rollback
journal beside an archive refused as an archive (as its -wal and -shm are), a file that only ends
like one accepted, and a full disk (SQLITE_FULL, here a page limit of a real archive) said in one
line, SQLite having rolled the transaction back itself (no "cannot rollback" hiding the cause)."""

from __future__ import annotations

import sqlite3

import pytest

from newsarchive.archive import ArchiveError, open_archive
from newsarchive.cli import one_line


def test_the_rollback_journal_beside_an_archive_is_no_archive(tmp_path):
    open_archive(tmp_path / "first.db").close()
    journal = tmp_path / "first.db-journal"
    journal.write_bytes(b"")
    with pytest.raises(ArchiveError) as refused:
        open_archive(journal)
    assert str(refused.value) == (f"{journal} is the -journal file of the archive first.db beside it, not an archive: "
                                  "name another file")
    assert journal.read_bytes() == b""


def test_a_file_named_like_a_log_with_no_archive_beside_it_is_an_archive(tmp_path):
    archive = open_archive(tmp_path / "notes-wal")  # no "notes" beside it: nobody's log
    archive.close()
    with sqlite3.connect(tmp_path / "notes-wal") as db:
        assert db.execute("SELECT count(*) FROM articles").fetchone() == (0,)


def test_a_full_disk_is_one_line_and_the_archive_keeps_nothing_of_the_transaction(tmp_path):
    archive = open_archive(tmp_path / "full.db")
    pages = archive.conn.execute("PRAGMA page_count").fetchone()[0]
    archive.conn.execute(f"PRAGMA max_page_count = {pages + 2}")  # the file may grow by two pages only
    with pytest.raises(sqlite3.OperationalError) as full:
        with archive.write() as db:
            db.execute("INSERT INTO authors (name) VALUES ('Ann Lee')")
            db.execute("INSERT INTO authors (name) VALUES (?)", ["x" * 100_000])
    assert full.value.sqlite_errorname == "SQLITE_FULL"  # not "cannot rollback - no transaction is active"
    assert one_line(full.value) == (
        "the archive could not be written: the disk is full, or the file may not grow or be written "
        "(database or disk is full); nothing of this transaction was kept")
    assert archive.conn.execute("SELECT count(*) FROM authors").fetchone() == (0,)
    archive.close()
