"""What the `newsarchive` command says when its own checks did not foresee a failure (cli.main): one
line and exit status 1, never a traceback; NEWSARCHIVE_TRACEBACK=1 adds the traceback for a bug
report. Real commands in their own processes, on a real archive."""

from __future__ import annotations

import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import time

from tests.conftest import run_cli


def test_a_number_too_big_for_sqlite_is_refused_by_its_option(research_archive):
    # It reached the query: "OverflowError: Python int too large to convert to SQLite INTEGER".
    result = run_cli("search", "bridge", "--db", str(research_archive.db_path), "--limit", "9" * 25)
    assert result.returncode == 2
    assert result.stderr.strip().splitlines()[-1] == (
        f"Error: Invalid value for '--limit': {'9' * 25} is not in the range 1<=x<=9223372036854775807.")


def test_an_output_file_that_cannot_be_written_is_named(research_archive, tmp_path):
    missing = tmp_path / "no" / "such" / "folder" / "report.html"
    result = run_cli("report", "--db", str(research_archive.db_path), "--html", str(missing))
    assert result.returncode == 1
    assert result.stderr.strip().splitlines()[-1] == (
        f"Error: cannot write {missing}: the folder {missing.parent} does not exist")
    assert "Traceback" not in result.stderr


def test_an_error_no_check_foresaw_is_one_line_naming_what_it_can():
    from newsarchive.cli import one_line

    assert one_line(FileNotFoundError(2, "No such file or directory", "/x/report.html")) == (
        "cannot use /x/report.html: No such file or directory")
    assert one_line(sqlite3.DatabaseError("database disk image is malformed")) == (
        "the archive cannot be read, it is damaged or no SQLite file (database disk image is malformed)")
    assert one_line(sqlite3.OperationalError("no such table: x")) == (
        "OperationalError: no such table: x (NEWSARCHIVE_TRACEBACK=1 shows where)")
    assert one_line(OverflowError("too big")) == "OverflowError: too big (NEWSARCHIVE_TRACEBACK=1 shows where)"


def test_a_damaged_archive_met_half_way_is_said_to_be_damaged(research_archive, tmp_path):
    damaged = tmp_path / "damaged.db"
    shutil.copy(research_archive.db_path, damaged)
    size = damaged.stat().st_size
    with open(damaged, "r+b") as file:  # the middle third of the file's pages, zeroed
        file.seek(size // 3)
        file.write(bytes(size // 3))
    result = run_cli("stats", "--db", str(damaged))
    assert result.returncode == 1
    assert result.stderr.strip().splitlines()[-1].startswith(
        "Error: the archive cannot be read, it is damaged or no SQLite file (")
    assert "Traceback" not in result.stderr


def test_the_traceback_is_shown_when_asked_for(research_archive, tmp_path):
    damaged = tmp_path / "damaged.db"
    shutil.copy(research_archive.db_path, damaged)
    size = damaged.stat().st_size
    with open(damaged, "r+b") as file:
        file.seek(size // 3)
        file.write(bytes(size // 3))
    result = run_cli("stats", "--db", str(damaged), env={"NEWSARCHIVE_TRACEBACK": "1"})
    assert result.returncode == 1
    assert "Traceback (most recent call last)" in result.stderr and "DatabaseError" in result.stderr
    assert result.stderr.strip().splitlines()[-1].startswith("Error: the archive cannot be read")


def reader_gone(*args: str) -> subprocess.CompletedProcess:
    """The command, its standard output a pipe whose reader has gone (as `| head` goes)."""
    read, write = os.pipe()
    os.close(read)
    try:
        return subprocess.run([sys.executable, "-m", "newsarchive.cli", *args], stdout=write, stderr=subprocess.PIPE,
                              text=True, timeout=300)
    finally:
        os.close(write)


def test_a_reader_that_stopped_early_had_what_it_wanted(research_archive):
    # click exited 1, and `set -o pipefail; newsarchive stats | head -1` failed; export exited 0.
    db = str(research_archive.db_path)
    for args in (("schema",), ("stats", "--db", db), ("search", "bridge", "--db", db)):
        result = reader_gone(*args)
        assert (result.returncode, result.stderr) == (0, ""), args
    # Other errors keep their status: a usage error 2, one no check foresaw 1.
    assert reader_gone("stats", "--db", db, "--nosuch").returncode == 2


def test_sigterm_ends_a_command_as_ctrl_c_does_with_status_143(research_archive, tmp_path):
    # An export into a named pipe that no one reads waits in open(): SIGTERM there left Python's
    # default (the process killed where it stood, an export's partial file and folders behind);
    # now the command unwinds, its `finally` blocks run (tests/test_exports_mutants.py).
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    command = subprocess.Popen([sys.executable, "-m", "newsarchive.cli", "export", "jsonl", "--db",
                                str(research_archive.db_path), "--out", str(fifo)], stderr=subprocess.PIPE, text=True)
    try:
        time.sleep(3)  # started, and waiting for a reader
        assert command.poll() is None
        command.send_signal(signal.SIGTERM)
        assert command.wait(timeout=60) == 143
        assert "Traceback" not in command.stderr.read()
    finally:
        command.kill()
        command.wait()
