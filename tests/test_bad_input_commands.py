"""Bad options and bad archives get one clear line and an exit status, never a traceback, and
nothing is started or written: no archive, no lock file, no partial output."""

from __future__ import annotations

import hashlib
import json
import os
import sqlite3
import stat
from pathlib import Path

import pytest
from click.testing import CliRunner

from newsarchive.archive import open_archive
from newsarchive.cli import cli


def run(*args: str):
    return CliRunner().invoke(cli, list(args))


def one_line_error(result, code: int, *words: str) -> str:
    """The command failed with this code and said why in one line naming these words."""
    assert result.exit_code == code, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
    error_lines = [line for line in result.output.splitlines() if line.startswith("Error:")]
    assert len(error_lines) == 1, result.output
    for word in words:
        assert word in error_lines[0], result.output
    assert "Traceback" not in result.output
    return error_lines[0]


@pytest.mark.parametrize("options, words", [
    (["diyaruna", "--since", "2019-13-45"], ["--since", "YYYY-MM-DD", "2019-13-45"]),
    (["diyaruna", "--since", "2020-01-02", "--until", "2020-01-01"], ["--since 2020-01-02 is after --until 2020-01-01"]),
    (["diyaruna", "--locales", "en_GB,xx"], ["--locales", "'xx'", "known: en_GB, ar, ru"]),
    (["diyaruna", "--locales", "en_gb"], ["did you mean en_GB?"]),
    (["diyarna"], ["no site profile has a site named 'diyarna'", "did you mean diyaruna?"]),
    (["diyaruna", "--base-url", "ftp://x"], ["--base-url", "http:// or https://"]),
    (["https://example.org/news and views/"], ["contains a space"]),
    (["https://example.org:99999/news/"], ["not a valid URL"]),
    (["https:///news/"], ["has no host"]),
    (["diyaruna", "--max-pages", "-1"], ["--max-pages must be 0 or more"]),
    (["diyaruna", "--stale-pages", "-2"], ["--stale-pages must be 0 or more"]),
    (["https://example.org/news/", "--locales", "ar"], ["--locales and --base-url are for profiled sites"]),
    (["diyaruna", "-s", "LOG_LEVEL"], ["'LOG_LEVEL' is not NAME=VALUE"]),
])
def test_bad_crawl_options_are_refused_before_anything_is_written(tmp_path, options, words):
    db_path = tmp_path / "archive.db"
    result = run("crawl", *options, "--db", str(db_path))
    one_line_error(result, 2, *words)
    assert list(tmp_path.iterdir()) == []  # no archive, no lock file


def archive_with_rows(path: Path) -> Path:
    archive = open_archive(path)
    with archive.write() as db:
        for number in range(400):  # enough pages that one in the middle can be damaged
            db.execute("INSERT INTO failures (url, reason, detail) VALUES (?, 'http_404', ?)",
                       [f"https://example.org/{number}", f"detail of row {number}: " + "x" * 480])
    archive.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    archive.close()
    return path


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_a_damaged_archive_is_refused_and_left_untouched(tmp_path):
    path = archive_with_rows(tmp_path / "damaged.db")
    data = bytearray(path.read_bytes())
    page_size = 4096
    # A page of the failures table's b-tree: the one holding a row from the middle (found by its
    # text, as the pages before the rows depend on how many tables the schema has; by its detail,
    # which no index holds: an index's page, damaged, is not what quick_check reads).
    middle = (data.index(b"detail of row 200:") // page_size) * page_size
    data[middle + 100: middle + 2100] = b"\xff" * 2000
    path.write_bytes(bytes(data))
    before = digest(path)
    line = one_line_error(run("crawl", "diyaruna", "--db", str(path), "--base-url", "http://127.0.0.1:9",
                              "--allow-private"), 1,
                          "is damaged and was left untouched", "quick_check")
    assert ".recover" in line
    one_line_error(run("index", "--db", str(path)), 1, "is damaged")
    one_line_error(run("merge", str(path), "--into", str(tmp_path / "merged.db")), 1)
    assert digest(path) == before
    assert not (tmp_path / "damaged.db-wal").exists() or (tmp_path / "damaged.db-wal").stat().st_size == 0


def damaged_in_the_middle(path: Path) -> Path:
    """The archive with a page of the failures table's rows overwritten, as in the test above."""
    data = bytearray(path.read_bytes())
    middle = (data.index(b"detail of row 200:") // 4096) * 4096
    data[middle + 100: middle + 2100] = b"\xff" * 2000
    path.write_bytes(bytes(data))
    return path


def test_a_copy_of_a_damaged_archive_blames_the_archive_not_the_copy(tmp_path):
    # VACUUM INTO said "database disk image is malformed" (or "database or disk is full"), and the
    # export said it "cannot write" the copy, on a disk with room to spare.
    path = damaged_in_the_middle(archive_with_rows(tmp_path / "damaged.db"))
    line = one_line_error(run("export", "sqlite", "--db", str(path), "--out", str(tmp_path / "copy.db")), 1,
                          f"{path} is damaged, nothing was copied", "quick_check")
    assert "cannot write" not in line
    assert not (tmp_path / "copy.db").exists()


@pytest.mark.parametrize("command", [["stats"], ["search", "x"], ["report"], ["export", "csv", "--out", "x.csv"],
                                     ["index"], ["duplicates"]])  # the last two open it for writing
def test_damaged_bytes_of_the_schema_or_of_a_text_say_damaged(tmp_path, command):
    # SQLite's error quotes a damaged schema's bytes, which Python could not decode: the commands
    # ended "Error: UnicodeDecodeError: 'utf-8' codec can't decode byte 0xb6".
    schema = archive_with_rows(tmp_path / "schema.db")
    data = bytearray(schema.read_bytes())
    data[data.index(b"CREATE INDEX") + 7] = 0xB6
    schema.write_bytes(bytes(data))
    one_line_error(run(*command, "--db", str(schema)), 1, f"{schema} is damaged: its schema holds bytes that are no text")


def test_a_text_value_whose_bytes_are_damaged_says_the_archive_is_damaged(tmp_path):
    path = tmp_path / "text.db"
    archive = open_archive(path)
    with archive.write() as db:
        from newsarchive.archive.store import start_crawl, store_article
        from newsarchive.items import Article

        crawl = start_crawl(db, "example.org", "generic", {}, "2026-01-01T00:00:00Z")
        store_article(db, Article(url="https://example.org/a", canonical_url="https://example.org/a",
                                  site="example.org", title="A story", body_text="The story's one damaged paragraph."),
                      crawl, "2026-01-01T00:00:00Z")
    archive.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    archive.close()
    data = bytearray(path.read_bytes())
    data[data.index(b"one damaged paragraph") + 4] = 0xFF  # no UTF-8 byte anywhere
    path.write_bytes(bytes(data))
    # As a user runs it: the command's own last line (cli.main), not a test runner's.
    from tests.conftest import run_cli

    result = run_cli("export", "csv", "--db", str(path), "--out", str(tmp_path / "articles.csv"))
    assert result.returncode == 1 and "Traceback" not in result.stderr, result.stderr
    assert result.stderr.strip().splitlines()[-1].startswith(
        "Error: the archive cannot be read, it is damaged or no SQLite file (Could not decode to UTF-8 column "
        "'body_text'"), result.stderr


@pytest.mark.parametrize("command", [["crawl", "diyaruna"], ["index"], ["stats"], ["search", "x"], ["report"],
                                     ["export", "jsonl", "--out", "x.jsonl"], ["export", "warc", "--out", "x.warc"],
                                     ["schema"]])
def test_files_that_are_no_archive_get_one_line(tmp_path, command):
    text = tmp_path / "notes.db"
    text.write_text("these are my notes, not a database\n" * 100)
    truncated = archive_with_rows(tmp_path / "truncated.db")
    truncated.write_bytes(truncated.read_bytes()[:5000])
    other = tmp_path / "other.db"
    with sqlite3.connect(other) as db:
        db.execute("CREATE TABLE birds (name TEXT)")
    for path, words in ((text, ["not an SQLite file"]), (other, ["not a newsarchive archive", "birds"]),
                        (truncated, [str(truncated)])):
        before = digest(path)
        one_line_error(run(*command, "--db", str(path)), 1, *words)
        assert digest(path) == before  # e.g. `index` no longer installs the schema into other.db
    with sqlite3.connect(other) as db:
        assert [row[0] for row in db.execute("SELECT name FROM sqlite_master")] == ["birds"]


def test_exports_to_a_missing_folder_or_an_unknown_crawl_leave_no_file(tmp_path):
    db_path = archive_with_rows(tmp_path / "archive.db")
    for kind in ("jsonl", "csv", "warc"):
        missing = tmp_path / "no" / "such" / f"out.{kind}"
        one_line_error(run("export", kind, "--db", str(db_path), "--out", str(missing)), 1,
                       "the folder", "does not exist")
    out = tmp_path / "crawl.warc.gz"
    for kind in ("warc", "wacz"):  # a usage error, as --since-crawl's (exit 2)
        one_line_error(run("export", kind, "--db", str(db_path), "--out", str(out), "--crawl", "42"), 2, "no crawl 42")
    one_line_error(run("merge", str(tmp_path / "missing.db"), "--into", str(tmp_path / "m.db")), 2, "does not exist")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["archive.db", "archive.db-shm", "archive.db-wal"] \
        or sorted(p.name for p in tmp_path.iterdir()) == ["archive.db"]


def test_an_archive_on_read_only_media_is_read_but_not_written(tmp_path):
    """A researcher's copy on read-only media (here a read-only bind mount in a namespace of its own):
    SQLite cannot make the WAL index beside it, so it is opened immutable, and said so."""
    import subprocess
    import sys

    media = tmp_path / "media"
    path = archive_with_rows(media / "copy.db")
    assert sorted(p.name for p in media.iterdir()) == ["copy.db"]
    newsarchive = f"{sys.executable} -m newsarchive.cli"
    script = (f"mount --bind -o ro {media} {media} && touch {media}/probe 2>/dev/null && exit 9; "
              f"{newsarchive} stats --db {path} && {newsarchive} export csv --db {path} --table articles "
              f"--out {tmp_path}/articles.csv && {newsarchive} crawl diyaruna --db {path}")
    result = subprocess.run(["unshare", "--user", "--map-root-user", "--mount", "sh", "-c", script],
                            capture_output=True, text=True, timeout=120)
    assert "opened as an immutable copy" in result.stderr
    assert f"{path}: 0 articles" in result.stdout and "400 failures" in result.stdout
    assert (tmp_path / "articles.csv").read_text().startswith("id,url,")
    assert result.returncode == 1  # the crawl: refused, in one line
    assert result.stderr.strip().splitlines()[-1] == (
        f"Error: cannot create the lock file {path}.diyaruna.lock: Read-only file system "
        "(the archive's folder must be writable to crawl into it)")
    assert sorted(p.name for p in media.iterdir()) == ["copy.db"]


def browse_on_read_only_media(media: Path, db_path: Path, env: dict):
    """`newsarchive browse` of db_path, in media bind-mounted read-only (a namespace of its own),
    until its Datasette answered: the finished process (stdout: "rows N" of the failures table)."""
    import subprocess
    import sys

    from tests.conftest import free_port

    port = free_port()
    fetch = ("import json, sys, time, urllib.request\n"
             "for _ in range(60):\n"
             "    try:\n"
             f"        rows = json.load(urllib.request.urlopen('http://127.0.0.1:{port}/copy/failures.json"
             "?_shape=array&_size=max'))\n"
             "        print('rows', len(rows)); sys.exit(0)\n"
             "    except OSError:\n"
             "        time.sleep(0.5)\n"
             "sys.exit(7)\n")
    script = (f"mount --bind -o ro {media} {media} && touch {media}/probe 2>/dev/null && exit 9; "
              f"{sys.executable} -m newsarchive.cli browse --db {db_path} --port {port} & server=$!; "
              f"{sys.executable} -c \"$FETCH\"; status=$?; kill $server; wait $server; exit $status")
    return subprocess.run(["unshare", "--user", "--map-root-user", "--mount", "sh", "-c", script],
                          capture_output=True, text=True, timeout=120, env={**os.environ, **env, "FETCH": fetch})


def test_browse_serves_a_copy_on_read_only_media_with_its_metadata_in_the_users_cache(tmp_path):
    """Datasette on a read-only copy: immutable mode, its metadata file in the user's cache folder,
    the same file for every browse of that archive (browse becomes Datasette and cannot delete a
    temporary file when it ends: one made each time piled up)."""
    media, cache, scratch = tmp_path / "media", tmp_path / "cache", tmp_path / "scratch"
    scratch.mkdir()
    path = archive_with_rows(media / "copy.db")
    for _ in range(2):
        result = browse_on_read_only_media(media, path, {"XDG_CACHE_HOME": str(cache), "TMPDIR": str(scratch)})
        assert result.returncode == 0, result.stderr[-2000:]
        assert "rows 400" in result.stdout
        assert "opened as an immutable copy" in result.stderr
    [metadata] = (cache / "newsarchive" / "browse").iterdir()
    assert metadata.name.startswith("copy-") and metadata.name.endswith(".datasette.json")
    assert f"(metadata: {metadata})" in result.stdout
    assert "copy" in json.loads(metadata.read_text())["databases"]
    assert sorted(p.name for p in media.iterdir()) == ["copy.db"]
    assert list(scratch.iterdir()) == []


def test_browse_of_a_read_only_copy_writes_its_metadata_to_a_temporary_folder_when_the_cache_cannot_be_written(
        tmp_path):
    media, scratch = tmp_path / "media", tmp_path / "scratch"
    scratch.mkdir()
    not_a_folder = tmp_path / "cache-is-a-file"
    not_a_folder.write_text("")
    path = archive_with_rows(media / "copy.db")
    result = browse_on_read_only_media(media, path, {"XDG_CACHE_HOME": str(not_a_folder), "TMPDIR": str(scratch)})
    assert result.returncode == 0, result.stderr[-2000:]
    assert "rows 400" in result.stdout
    [folder] = scratch.iterdir()
    assert folder.name.startswith("newsarchive-browse-")
    assert f"(metadata: {folder / 'copy.datasette.json'})" in result.stdout
    assert sorted(p.name for p in media.iterdir()) == ["copy.db"]


def test_the_metadata_of_archives_in_one_read_only_folder_is_one_file_each(tmp_path, monkeypatch):
    from newsarchive.research.browse import default_metadata_path

    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))  # /proc/a cannot be written: the cache is used

    first, second = default_metadata_path(Path("/proc/a/copy.db")), default_metadata_path(Path("/proc/b/copy.db"))
    assert first != second
    assert first == default_metadata_path(Path("/proc/a/copy.db"))
    assert first.parent == second.parent == tmp_path / "newsarchive" / "browse"


@pytest.mark.parametrize("dates, words", [
    (["--since", "2024-13-45"], ["--since must be a date as YYYY-MM-DD, not '2024-13-45'"]),
    (["--until", "garbage"], ["--until must be a date as YYYY-MM-DD, not 'garbage'"]),
    (["--since", "2024-05-01", "--until", "2024-01-01"], ["--since 2024-05-01 is after --until 2024-01-01"])])
@pytest.mark.parametrize("kind", ["jsonl", "csv", "parquet"])
def test_export_dates_are_checked_before_anything_is_written(tmp_path, kind, dates, words):
    # They were passed on as they were: a date that is none exported nothing, or everything, with exit 0.
    db_path = archive_with_rows(tmp_path / "archive.db")
    out = tmp_path / f"out.{kind}"
    one_line_error(run("export", kind, "--db", str(db_path), "--out", str(out), *dates), 2, *words)
    assert not out.exists()


def test_an_export_to_a_symbolic_link_writes_its_target_and_keeps_the_link(tmp_path):
    db_path = archive_with_rows(tmp_path / "archive.db")
    target, link = tmp_path / "articles.csv", tmp_path / "latest.csv"
    target.write_text("an older export\n")
    link.symlink_to(target)
    result = run("export", "csv", "--db", str(db_path), "--out", str(link))
    assert result.exit_code == 0, result.output
    assert link.is_symlink() and target.read_text().startswith("id,")


def test_an_export_to_a_named_pipe_streams_into_it_or_is_refused(tmp_path):
    import threading

    db_path = archive_with_rows(tmp_path / "archive.db")
    pipe = tmp_path / "pipe"
    os.mkfifo(pipe)
    read = []
    reader = threading.Thread(target=lambda: read.append(pipe.read_bytes()), daemon=True)
    reader.start()
    result = run("export", "csv", "--db", str(db_path), "--out", str(pipe))
    reader.join(timeout=60)
    assert result.exit_code == 0, result.output
    assert read and read[0].startswith(b"id,url,") and read[0].count(b"\n") == 1  # the header: the archive has no article
    # An export that needs a file it can reopen (SQLite's copy) is refused; the pipe stays a pipe.
    one_line_error(run("export", "sqlite", "--db", str(db_path), "--out", str(pipe)), 1,
                   "it is a device or a pipe, and this export needs a file")
    assert stat.S_ISFIFO(pipe.stat().st_mode)


@pytest.mark.parametrize("command", [["index"], ["duplicates"], ["stats"], ["search", "x"]])
def test_an_empty_file_is_no_archive_and_is_left_empty(tmp_path, command):
    # `index` and `duplicates` made an archive of it (exit 0), where the read commands refused it.
    empty = tmp_path / "empty.db"
    empty.touch()
    one_line_error(run(*command, "--db", str(empty)), 2, f"{empty} is empty: not a newsarchive archive")
    assert empty.stat().st_size == 0


def test_an_empty_archive_name_is_a_bad_option(tmp_path, monkeypatch):
    # "" (a script's unset variable) was the current folder: "Error: . is not a file", exit 1.
    monkeypatch.chdir(tmp_path)
    one_line_error(run("crawl", "diyaruna", "--db", ""), 2, "--db", "give the archive's file name (it is empty)")
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("command", [
    ["export", "warc", "--out", "{archive}"],
    ["export", "wacz", "--out", "{archive}"],
    ["export", "warc", "--out", "{stem}", "--cdx"],  # its index, {stem}.cdxj, would be the archive
    ["export", "csv", "--out", "{archive}-wal"],  # the changes not yet in the archive's file
    ["report", "--html", "{archive}"],
    ["browse", "--metadata", "{archive}"],
])
def test_no_command_writes_over_the_archive_it_reads(tmp_path, command):
    # Each replaced the archive with a WARC, a ZIP, an HTML page or Datasette's metadata, exit 0.
    archive = archive_with_rows(tmp_path / "copy.cdxj")
    before = hashlib.sha256(archive.read_bytes()).hexdigest()
    arguments = [part.format(archive=archive, stem=tmp_path / "copy") for part in command]
    result = run(arguments[0], *arguments[1:2], "--db", str(archive), *arguments[2:]) if arguments[0] == "export" \
        else run(arguments[0], "--db", str(archive), *arguments[1:])
    one_line_error(result, 1 if command[0] != "browse" else 2, "cannot write", "it is the archive")
    assert hashlib.sha256(archive.read_bytes()).hexdigest() == before


def test_an_archive_on_read_only_media_is_read_with_the_changes_its_wal_file_holds(tmp_path):
    # A snapshot of a live archive: a crawl's last changes are in its -wal file, not yet in the
    # archive's, and there is no -shm file (nor can one be made). The immutable mode read the file
    # alone: exports and stats without those changes, exit 0.
    import subprocess
    import sys

    media, out = tmp_path / "media", tmp_path / "out"
    out.mkdir()
    path = archive_with_rows(media / "copy.db")
    writer = ("import os, sqlite3, sys\n"
              "db = sqlite3.connect(sys.argv[1]); db.execute('PRAGMA wal_autocheckpoint=0')\n"
              "db.executemany(\"INSERT INTO failures (url, reason, detail) VALUES (?, 'http_500', 'late')\","
              " [(f'https://example.org/late/{n}',) for n in range(7)])\n"
              "db.commit(); os._exit(0)  # killed: nothing checkpointed\n")
    subprocess.run([sys.executable, "-c", writer, str(path)], check=True)
    (media / "copy.db-shm").unlink()
    assert (media / "copy.db-wal").stat().st_size > 0
    script = (f"mount --bind -o ro {media} {media} && touch {media}/probe 2>/dev/null && exit 9; "
              f"{sys.executable} -m newsarchive.cli export sqlite --db {path} --out {out}/copy.db")
    result = subprocess.run(["unshare", "--user", "--map-root-user", "--mount", "sh", "-c", script],
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr[-2000:]
    assert "opened as an immutable copy" in result.stderr
    with sqlite3.connect(out / "copy.db") as copy:
        assert copy.execute("SELECT reason, count(*) FROM failures GROUP BY reason").fetchall() == [
            ("http_404", 400), ("http_500", 7)]
    assert sorted(p.name for p in media.iterdir()) == ["copy.db", "copy.db-wal"]


def older_archive(path: Path) -> Path:
    """An archive an older newsarchive left: every migration but m014 (published_day), one article."""
    from tests.conftest import archive_without_migration

    db = archive_without_migration(path, "m014_published_day")
    db.execute("INSERT INTO crawls (id, site, spider, started_at, finished_at, finish_reason) "
               "VALUES (1, 'diyaruna', 'diyaruna', '2025-01-01T00:00:00Z', '2025-01-01T01:00:00Z', 'finished')")
    db.execute("INSERT INTO articles (id, url, canonical_url, title, body_text, content_hash, version_count, "
               "first_seen_at, last_seen_at, first_crawl_id, last_crawl_id, published_at) VALUES (1, "
               "'https://d.example/old', 'https://d.example/old', 'Old story', 'old body', 'h1', 1, "
               "'2025-01-01T00:00:00Z', '2025-01-01T00:00:00Z', 1, 1, '2024-12-31T23:30:00-02:00')")
    db.conn.commit()
    db.close()
    return path


def test_a_read_command_upgrades_an_archive_an_older_newsarchive_made(tmp_path):
    # Its queries failed: "OperationalError: no such column: a.published_day", exit 1.
    path = older_archive(tmp_path / "old.db")
    result = run("export", "csv", "--db", str(path), "--out", str(tmp_path / "old.csv"))
    assert result.exit_code == 0, result.output
    assert (f"note: {path} was made by an older newsarchive: upgraded to this version's schema "
            "(1 changes)") in result.output
    import csv

    with open(tmp_path / "old.csv", encoding="utf-8") as exported:
        rows = list(csv.DictReader(exported))
    assert [(row["title"], row["published_day"]) for row in rows] == [("Old story", "2024-12-31")]
    again = run("export", "csv", "--db", str(path), "--out", str(tmp_path / "again.csv"))
    assert again.exit_code == 0 and "older" not in again.output


def test_an_older_archive_on_read_only_media_is_one_clear_line(tmp_path):
    import subprocess
    import sys

    media = tmp_path / "media"
    media.mkdir()
    path = older_archive(media / "old.db")
    script = (f"mount --bind -o ro {media} {media} && touch {media}/probe 2>/dev/null && exit 9; "
              f"{sys.executable} -m newsarchive.cli stats --db {path}")
    result = subprocess.run(["unshare", "--user", "--map-root-user", "--mount", "sh", "-c", script],
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 1
    error = result.stderr.strip().splitlines()[-1]
    assert error.startswith(f"Error: {path} was made by an older newsarchive: its schema lacks 1 of this "
                            "version's changes (m014_published_day); it cannot be upgraded here")
    assert error.endswith("copy it to writable storage and run the command on the copy")
    assert "Traceback" not in result.stderr


def test_a_shard_on_read_only_media_is_merged(tmp_path):
    # Read with a writable connection: "OperationalError: attempt to write a readonly database",
    # and an empty archive left behind.
    import subprocess
    import sys

    media = tmp_path / "media"
    media.mkdir()
    path = older_archive(media / "shard.db")
    open_archive(path).close()  # of this version: read where it is, not from a migrated copy
    script = (f"mount --bind -o ro {media} {media} && touch {media}/probe 2>/dev/null && exit 9; "
              f"{sys.executable} -m newsarchive.cli merge {path} --into {tmp_path / 'merged.db'}")
    result = subprocess.run(["unshare", "--user", "--map-root-user", "--mount", "sh", "-c", script],
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr[-2000:]
    with sqlite3.connect(tmp_path / "merged.db") as merged:
        assert merged.execute("SELECT title FROM articles").fetchall() == [("Old story",)]


def test_an_archive_another_process_holds_locked_is_said_to_be_locked_not_damaged(tmp_path):
    # A writer that waited out the busy timeout said "is damaged or not an SQLite file (database is locked)".
    from newsarchive.archive import ArchiveError

    path = archive_with_rows(tmp_path / "copy.db")
    with sqlite3.connect(path) as db:
        db.execute("PRAGMA journal_mode=DELETE")  # as `export sqlite` writes it: its readers wait on a writer too
    holder = sqlite3.connect(path, isolation_level=None)
    holder.execute("BEGIN EXCLUSIVE")
    try:
        with pytest.raises(ArchiveError) as refusal:
            open_archive(path, busy_timeout=0.2)
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert str(refusal.value) == (f"cannot open {path}: another process holds it locked (database is locked); "
                                  "try again once it has finished")
    open_archive(path).close()  # and it is no damaged file


HUGE = "99999999999999999999"  # past SQLite's integers: the queries raised OverflowError


@pytest.mark.parametrize("command, words", [
    (["search", "storm", "--limit", HUGE], ["--limit", HUGE, "1<=x<=9223372036854775807"]),
    (["report", "--crawl", HUGE], ["--crawl", HUGE]),
    (["export", "csv", "--out", "{tmp}/o.csv", "--since-crawl", HUGE], ["--since-crawl", HUGE]),
    (["export", "warc", "--out", "{tmp}/o.warc", "--crawl", HUGE], ["--crawl", HUGE]),
    (["diff", HUGE], [f"the archive has no article at {HUGE}"]),
    (["browse", "--port", "70000"], ["--port", "70000", "0<=x<=65535"]),
])
def test_numbers_no_archive_or_system_can_hold_are_refused_in_one_line(tmp_path, command, words):
    path = archive_with_rows(tmp_path / "copy.db")
    arguments = [part.format(tmp=tmp_path) for part in command]
    split = 2 if arguments[0] == "export" else 1
    result = run(*arguments[:split], "--db", str(path), *arguments[split:])
    one_line_error(result, 1 if arguments[0] == "diff" else 2, *words)


@pytest.mark.parametrize("option, value, words", [
    ("--port", "70000", ["--port", "0<=x<=65535"]),
    ("--port", "-1", ["--port"]),
    ("--articles", "0", ["--articles", "1<=x<=100000"]),  # it crawled a site of no article, exit 0
    ("--articles", "1000000000000", ["--articles"]),  # it made the site in memory until killed
])
def test_the_demo_refuses_numbers_out_of_range_before_it_starts(tmp_path, option, value, words):
    one_line_error(run("demo", "--db", str(tmp_path / "d.db"), option, value), 2, *words)
    assert not (tmp_path / "d.db").exists()


@pytest.mark.parametrize("option, value, words", [
    ("--lookup-db", "{other}/notes.db", ["--lookup-db:", "notes.db is not a newsarchive archive"]),
    ("--redis", "localhost:6379", ["--redis must be a URL of Redis (redis://, rediss://, unix://), "
                                   "not 'localhost:6379'"]),
])
def test_a_lookup_archive_or_redis_url_that_cannot_work_is_refused_before_the_crawl(tmp_path, option, value, words):
    # The crawl started, logged two tracebacks (or "Engine slot not assigned") and left a failed crawl's row.
    other = tmp_path / "other"
    other.mkdir()
    (other / "notes.db").write_text("not an archive")
    result = run("crawl", "diyaruna", "--db", str(tmp_path / "archive.db"), option, value.format(other=other))
    one_line_error(result, 2, *words)
    assert sorted(path.name for path in tmp_path.iterdir()) == ["other"]


def test_a_lookup_archive_not_made_yet_is_no_bad_option(tmp_path):
    from newsarchive.crawling import check_lookup_db

    check_lookup_db(str(tmp_path / "merged.db"))  # a first distributed run: the merged archive comes later
    assert not (tmp_path / "merged.db").exists()


@pytest.mark.parametrize("make, words", [
    (lambda folder: Path("/dev/zero"), ["/dev/zero is not a regular file"]),  # it was read for ever
    (lambda folder: (os.mkfifo(folder / "pipe"), folder / "pipe")[1], ["pipe is not a regular file"]),  # it waited
    (lambda folder: sparse_file(folder / "huge.html", 2**30), ["huge.html is larger than 16 MB"]),  # read whole
])
def test_extract_reads_only_a_regular_file_no_bigger_than_a_page_a_crawl_takes(tmp_path, make, words):
    path = make(tmp_path)
    one_line_error(run("extract", str(path), "--url", "https://news.example/a"), 2, *words)


def sparse_file(path: Path, size: int) -> Path:
    with open(path, "wb") as file:
        file.truncate(size)
    return path
