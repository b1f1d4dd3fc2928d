"""What several command modules share: the --db option of commands that read an existing archive,
opening one for reading with a one-line error, and the upkeep `crawl`, `demo`, `merge`, `index` and
`duplicates` run at their end (search lists, duplicate articles)."""

from __future__ import annotations

from pathlib import Path

import click

# SQLite's integers: a larger number given for an id or a limit raised OverflowError in the query.
ROW_ID = click.IntRange(min=0, max=2**63 - 1)
PORT = click.IntRange(min=0, max=65535)  # 0: any free port


def _not_empty(context, parameter, path: Path) -> Path:
    """An empty file is no archive: a command on an existing archive (`index`, `duplicates`) would
    otherwise make one of it, as `crawl` does of a new file."""
    if path is not None and path.is_file() and path.stat().st_size == 0:
        raise click.BadParameter(f"{path} is empty: not a newsarchive archive", context, parameter)
    return path


existing_db_option = click.option(
    "--db", "db_path", type=click.Path(exists=True, dir_okay=False, path_type=Path), callback=_not_empty,
    default=Path("archive.db"), show_default=True, help="The SQLite archive file.")


def open_archive_for_reading(db_path: Path):
    """A read-only connection to an archive, or a clear error when the file is not one."""
    from newsarchive.archive import ArchiveError, OlderArchive, open_for_reading

    try:
        try:
            conn = open_for_reading(db_path)
        except OlderArchive as older:
            upgrade_older_archive(db_path, older)
            conn = open_for_reading(db_path)
    except ArchiveError as error:
        raise click.ClickException(str(error)) from None
    if conn.immutable:
        click.echo(f"note: {db_path} is on read-only media: opened as an immutable copy", err=True)
    return conn


def upgrade_older_archive(db_path: Path, older) -> None:
    """Apply this version's migrations to an archive an older newsarchive made, as a crawl into it
    would (they add tables and columns; nothing is removed), said in one line; where the archive
    cannot be written, the OlderArchive error, with what to do."""
    from newsarchive.archive import ArchiveError, open_archive

    try:
        open_archive(db_path).close()
    except ArchiveError as error:
        raise ArchiveError(f"{older}; it cannot be upgraded here ({error}): copy it to writable storage and "
                           "run the command on the copy") from None
    click.echo(f"note: {db_path} was made by an older newsarchive: upgraded to this version's schema "
               f"({len(older.missing)} changes)", err=True)


def rebuild_search_lists(db_path: Path) -> None:
    """The best rows of frequent words, for fast ranked search (newsarchive/archive/search_lists.py)."""
    from newsarchive.archive import ArchiveError
    from newsarchive.archive.search_lists import rebuild_file

    try:
        for summary in rebuild_file(db_path):
            click.echo(summary.describe(), err=True)
    except ArchiveError as error:
        raise click.ClickException(str(error)) from None


def find_duplicates(db_path: Path, rebuild: bool = False) -> None:
    """Pairs of articles with the same or nearly the same body (newsarchive/archive/duplicates.py)."""
    from newsarchive.archive import ArchiveError
    from newsarchive.archive.duplicates import find_duplicates_in_file

    try:
        click.echo(find_duplicates_in_file(db_path, rebuild).describe(), err=True)
    except ArchiveError as error:
        raise click.ClickException(str(error)) from None
