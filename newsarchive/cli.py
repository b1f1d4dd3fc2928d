"""The `newsarchive` command: the root click group, with the commands of newsarchive/commands/
added to it, one module per subject:

- pages.py: extract, fixtures check / record, profile check
- crawling.py: crawl, demo, merge, schedule
- research.py: search, index, duplicates, stats, report, diff, browse, schema, sites
- exporting.py: export jsonl / csv / parquet / sqlite / warc / wacz
- common.py: what several of them share (the --db option of existing archives, opening one)

Each command module imports its heavy dependencies (Scrapy, Datasette, pyarrow) inside the command
that needs them, so `newsarchive --help` starts quickly.
"""

from __future__ import annotations

import os
import signal
import sqlite3
import sys
import traceback

import click

from newsarchive.commands import crawling, exporting, pages, research


@click.group()
@click.version_option(package_name="newsarchive")
def cli():
    """Archive news sites into one SQLite file.

    \b
    Quick look at what the archive would keep of one page:
        newsarchive extract saved-page.html --url https://diyaruna.com/en_GB/articles/...
    """


for command in (
    pages.extract, pages.fixtures, pages.profile,
    crawling.crawl, crawling.demo, crawling.merge, crawling.schedule,
    research.search, research.index, research.duplicates, research.stats, research.report, research.diff,
    research.browse, research.schema, research.sites,
    exporting.export,
):
    cli.add_command(command)


def main():
    """The command, with what its checks did not foresee (a damaged archive met half-way through a
    read, an output path that cannot be written, a number too big for SQLite, a closed stdout)
    said in one line, exit status 1, rather than a traceback. NEWSARCHIVE_TRACEBACK=1 shows the
    traceback too, for a bug report. A reader that stopped early (`| head`) had what it wanted:
    exit status 0, as `export --out -` has (click exits 1, its mark the wrapper it put on stdout:
    CLICK_PIPE_WRAPPERS).
    SIGTERM (kill, timeout, a service manager's stop) ends a command as Ctrl-C does, its
    temporary files deleted on the way out, exit status 143 (a crawl takes it over: Scrapy's
    shutdown)."""
    if signal.getsignal(signal.SIGTERM) is signal.SIG_DFL:
        signal.signal(signal.SIGTERM, _stop_on_sigterm)
    try:
        cli()
    except SystemExit as exiting:
        if exiting.code == 1 and type(sys.stdout).__name__ in CLICK_PIPE_WRAPPERS:
            sys.exit(0)
        raise
    except Exception as error:  # noqa: BLE001 (click's own errors and exits are handled inside cli())
        if os.environ.get("NEWSARCHIVE_TRACEBACK"):
            traceback.print_exc()
        print(f"Error: {one_line(error)}", file=sys.stderr)
        sys.exit(1)


# The class click puts on sys.stdout when a write finds the pipe closed, before it exits 1: public
# before click 8.5 (its import deprecated since), private after.
CLICK_PIPE_WRAPPERS = ("PacifyFlushWrapper", "_PacifyFlushWrapper")


def _stop_on_sigterm(signum, frame) -> None:
    """Unwind the command (its `finally` blocks and context managers run): SystemExit, which no
    `except Exception` takes for an error of its own."""
    raise SystemExit(128 + signum)


# SQLite's errors of a write the disk refused: full (SQLITE_FULL), or the file may not grow (a file
# size limit, `ulimit -f`) or be written (SQLITE_IOERR, its "disk I/O error").
_CANNOT_WRITE = (sqlite3.SQLITE_FULL, sqlite3.SQLITE_IOERR)


# Python's sqlite3 on a text value that is no UTF-8: bytes of the archive's file damaged.
_DAMAGED_TEXT = "Could not decode to UTF-8"


def one_line(error: BaseException) -> str:
    """An error as a user can act on it: the file an OSError names, a damaged SQLite file said so."""
    if isinstance(error, OSError) and error.filename is not None:
        return f"cannot use {error.filename}: {error.strerror or error}"
    if isinstance(error, sqlite3.DatabaseError) and (
            not isinstance(error, sqlite3.OperationalError) or str(error).startswith(_DAMAGED_TEXT)):
        return f"the archive cannot be read, it is damaged or no SQLite file ({error})"
    if (getattr(error, "sqlite_errorcode", None) or 0) & 0xFF in _CANNOT_WRITE:  # the primary code of an extended one
        return (f"the archive could not be written: the disk is full, or the file may not grow or be written "
                f"({error}); nothing of this transaction was kept")
    return f"{type(error).__name__}: {error} (NEWSARCHIVE_TRACEBACK=1 shows where)"


if __name__ == "__main__":
    main()
