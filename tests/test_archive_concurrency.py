"""Several processes opening one new archive at the same moment (two crawls started together by
cron, workers of a distributed crawl): every one of them opens it, and it is made once. A race:
without the write lock around the migrations and the retried switch to WAL, most runs fail."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
import time

from newsarchive.archive.migrations import migrations

OPENER = """
import sys, time
from newsarchive.archive import open_archive
start = float(sys.argv[2])
while time.time() < start:  # all processes race from the same instant
    pass
open_archive(sys.argv[1]).close()
print("opened")
"""


def test_processes_creating_one_archive_at_once_all_open_it(tmp_path):
    for trial in range(8):
        path = tmp_path / f"new-{trial}.db"
        start = time.time() + 2
        openers = [subprocess.Popen([sys.executable, "-c", OPENER, str(path), str(start)],
                                    stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for _ in range(6)]
        results = [opener.communicate(timeout=120) for opener in openers]
        assert [out.strip() for out, _ in results] == ["opened"] * 6, [err[-500:] for _, err in results]
        with sqlite3.connect(path) as db:
            assert db.execute("PRAGMA journal_mode").fetchone() == ("wal",)
            applied = [name for (name,) in db.execute("SELECT name FROM _sqlite_migrations ORDER BY name")]
        assert applied == sorted(migration.name for migration in migrations._migrations)
