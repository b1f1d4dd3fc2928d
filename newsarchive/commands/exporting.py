"""The `export` group: the archive, or part of it, as JSON Lines, CSV, Parquet, a shareable SQLite
copy, WARC or WACZ. Each subcommand is a thin layer over the `exports` package."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import click

from newsarchive.commands.common import ROW_ID, existing_db_option, open_archive_for_reading


@click.group()
def export():
    """Write the archive, or part of it, in another format."""


def export_filter_options(function):
    for option in reversed([
        click.option("--site", help="Only this site."),
        click.option("--section", help="Only this section (its last breadcrumb entry)."),
        click.option("--language", help="Only this language: a code (ar) or its English name (Arabic)."),
        click.option("--since", help="Published on or after this day (the site's day: published_day), YYYY-MM-DD."),
        click.option("--until", help="Published on or before this date, YYYY-MM-DD."),
        click.option("--since-crawl", type=ROW_ID, metavar="N",
                     help="Only articles new or changed after crawl N (incremental exports)."),
    ]):
        function = option(function)
    return function


def export_filters(site, section, language, since, until, since_crawl):
    """The filters the options give, their dates checked: a date that is none, or a window that
    ends before it starts, is a usage error (exit 2), not an empty or a whole export."""
    from exports.records import ExportFilters
    from newsarchive.options import OptionError, check_date_order, parse_day
    from newsarchive.research.search import language_code

    try:
        since, until = parse_day(since, "--since"), parse_day(until, "--until")
        check_date_order(since, until)
        # As `search --language` reads it ("Arabic", "AR"): the raw value matched nothing, silently.
        language = language_code(language) if language else None
    except OptionError as error:
        raise click.UsageError(str(error)) from None
    return ExportFilters(site, section, language, since, until, since_crawl)


export_out_option = click.option(
    "--out", "out_path", type=click.Path(dir_okay=False, path_type=Path, allow_dash=True), required=True,
    help="The file to write (replaced if it exists), or - for standard output.")


def _export_table(kind: str, db_path: Path, out_path: Path, table: str, filters, bom: bool = False) -> None:
    from exports import ExportError, is_stdout
    from exports.records import connect, count_articles, settled_crawl_id
    from exports.tabular import export_format
    from newsarchive.progress import ProgressLine

    open_archive_for_reading(db_path).close()
    with connect(db_path) as db:
        _check_since_crawl(db, db_path, filters.since_crawl)
        next_since = settled_crawl_id(db)  # read before exporting: see its docstring
        total = count_articles(db, filters) if table == "articles" else None
    progress = ProgressLine(f"exporting {kind}", "articles" if table == "articles" else "rows", total)
    try:
        written = export_format(kind, db_path, out_path, filters, table, progress.update, bom)
    except BrokenPipeError:
        _discard_stdout()  # the reader stopped early (`| head`): what it read is what it wanted
        return
    except (RuntimeError, ExportError) as error:
        raise click.ClickException(str(error)) from None
    progress.finish(written)
    changed = "" if filters.since_crawl is None else f" new or changed after crawl {filters.since_crawl}"
    following = "" if next_since is None else f" (next incremental export: --since-crawl {next_since})"
    click.echo(f"wrote {written} {table}{changed} to {'standard output' if is_stdout(out_path) else out_path}"
               f"{following}", err=is_stdout(out_path))


def check_crawls_named(db_path: Path, crawl_ids, option: str = "--crawl") -> None:
    """A usage error (exit 2, as for a file that is not there) when an option names a crawl the
    archive does not have: `export warc|wacz --crawl`, `report --crawl`."""
    from exports.records import crawl_ids as first_and_latest
    from newsarchive.archive import open_for_reading

    if not crawl_ids:
        return
    conn = open_for_reading(db_path)
    try:
        known = {row[0] for row in conn.execute("SELECT id FROM crawls")}
        missing = sorted(set(crawl_ids) - known)
        if missing:
            first, latest = first_and_latest(conn)
            have = f"its crawls are {first} to {latest}" if latest is not None else "it has no crawls"
            raise click.BadParameter(f"no crawl {', '.join(map(str, missing))} in {db_path} ({have})",
                                     param_hint=f"'{option}'")
    finally:
        conn.close()


def _check_since_crawl(db, db_path: Path, since_crawl: int | None) -> None:
    """A usage error when --since-crawl names no crawl of the archive."""
    from exports.records import crawl_exists, crawl_ids

    if since_crawl is not None and not crawl_exists(db, since_crawl):
        first, latest = crawl_ids(db)
        known = f"its crawls are {first} to {latest}" if latest is not None else "it has no crawls"
        raise click.BadParameter(f"no crawl {since_crawl} in {db_path} ({known})", param_hint="'--since-crawl'")


def _discard_stdout() -> None:
    """Point standard output at /dev/null, so Python's flush at exit meets no closed pipe."""
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stdout.fileno())
    os.close(devnull)


@export.command("jsonl")
@existing_db_option
@export_out_option
@export_filter_options
def export_jsonl_command(db_path, out_path, site, section, language, since, until, since_crawl):
    """Articles as JSON Lines, each with its authors, photos, comments and text links nested.

    \b
    Example:
        newsarchive export jsonl --db archive.db --out articles.jsonl --since 2024-01-01
        newsarchive export jsonl --db archive.db --out - --since-crawl 12 | gzip > new.jsonl.gz
    """
    _export_table("jsonl", db_path, out_path, "articles",
                  export_filters(site, section, language, since, until, since_crawl))


@export.command("csv")
@existing_db_option
@export_out_option
@click.option("--table", type=click.Choice(["articles", "authors", "photos", "comments", "article_versions",
                                            "article_blocks", "article_links"]),
              default="articles", show_default=True, help="Which flat table to write.")
@click.option("--bom", is_flag=True, help="Start with a UTF-8 byte-order mark, for Excel to read Arabic right.")
@export_filter_options
def export_csv_command(db_path, out_path, table, bom, site, section, language, since, until, since_crawl):
    """One flat table as CSV (UTF-8): articles with their authors joined, or photos, comments ...

    \b
    Example:
        newsarchive export csv --db archive.db --out comments.csv --table comments --site diyaruna
        newsarchive export csv --db archive.db --out articles.csv --bom --language ar   # for Excel
        newsarchive export csv --db archive.db --out links.csv --table article_links   # who links where
    """
    _export_table("csv", db_path, out_path, table,
                  export_filters(site, section, language, since, until, since_crawl), bom)


@export.command("parquet")
@existing_db_option
@export_out_option
@export_filter_options
def export_parquet_command(db_path, out_path, site, section, language, since, until, since_crawl):
    """Articles as Parquet, with authors, photos, comments and text links as nested lists (needs the [parquet] extra).

    \b
    Example:
        newsarchive export parquet --db archive.db --out articles.parquet
    """
    _export_table("parquet", db_path, out_path, "articles",
                  export_filters(site, section, language, since, until, since_crawl))


@export.command("sqlite")
@existing_db_option
@click.option("--out", "out_path", type=click.Path(dir_okay=False, path_type=Path, allow_dash=True),
              required=True, help="The copy to write (replaced if it exists).")
def export_sqlite_command(db_path: Path, out_path: Path):
    """The whole archive as one self-contained SQLite file to share (VACUUM INTO, no -wal beside it).

    \b
    Example:
        newsarchive export sqlite --db archive.db --out archive-2024-06.db
        newsarchive search reconstruction --db archive-2024-06.db
    """
    from exports import ExportError, is_stdout
    from exports.sqlite_copy import export_sqlite

    if is_stdout(out_path):
        raise click.BadParameter("an SQLite copy needs a file name, not standard output", param_hint="'--out'")
    open_archive_for_reading(db_path).close()
    try:
        copy = export_sqlite(db_path, out_path)
    except ExportError as error:
        raise click.ClickException(str(error)) from None
    click.echo(f"wrote {out_path} ({copy.size:,} bytes, journal_mode delete): "
               + ", ".join(f"{count} {table}" for table, count in copy.rows.items()))


def _a_file_name(context, param, out_path: Path) -> Path:
    """--out of a package of captures (WARC, WACZ): a file, not standard output (`-` wrote a file named `-`)."""
    from exports import is_stdout

    if is_stdout(out_path):
        raise click.BadParameter(f"{context.command.name.upper()} needs a file name, not standard output")
    return out_path


def capture_export_options(out_help: str):
    """The options of the exports of captures (WARC, WACZ): archive, output, crawls, photo folder."""
    def decorate(function):
        for option in reversed([
            click.option("--db", "db_path", type=click.Path(exists=True, dir_okay=False, path_type=Path),
                         default=Path("archive.db"), show_default=True, help="The SQLite archive file."),
            click.option("--out", "out_path", type=click.Path(dir_okay=False, path_type=Path), required=True,
                         callback=_a_file_name, help=out_help),
            click.option("--crawl", "crawl_ids", type=ROW_ID, multiple=True,
                         help="Only the captures of this crawl (repeatable)."),
            click.option("--photos-dir", type=click.Path(exists=True, file_okay=False, path_type=Path),
                         help="Where the photo files are, when not where the crawl wrote them "
                              "(default: its --photos-dir)."),
        ]):
            function = option(function)
        return function
    return decorate


@export.command("warc")
@capture_export_options("The WARC file to write; gzipped per record when it ends in .gz.")
@click.option("--cdx", is_flag=True, help="Also write a CDXJ index beside the WARC (its name + .cdxj).")
def export_warc_command(db_path: Path, out_path: Path, crawl_ids: tuple[int, ...], photos_dir: Path | None,
                        cdx: bool):
    """Captures as WARC 1.1: warcinfo, request, response and revisit records.

    Pages, robots.txt and downloaded photo files alike.

    \b
    Example:
        newsarchive export warc --db archive.db --out crawl.warc.gz --cdx
    """
    from exports import ExportError
    from exports.warc import export_warc

    open_archive_for_reading(db_path).close()
    check_crawls_named(db_path, crawl_ids)
    try:
        summary = export_warc(db_path, out_path, list(crawl_ids) or None, photos_dir=photos_dir, cdx=cdx)
    except ExportError as error:
        raise click.ClickException(str(error)) from None
    click.echo(f"wrote {out_path}: " + ", ".join(f"{n} {kind}" for kind, n in sorted(summary.records.items())))
    if summary.index_path:
        click.echo(f"wrote {summary.index_path}")


@export.command("wacz")
@capture_export_options("The WACZ file to write.")
def export_wacz_command(db_path: Path, out_path: Path, crawl_ids: tuple[int, ...], photos_dir: Path | None):
    """Captures as a WACZ package (WARC, CDXJ index, article page list) for ReplayWeb.page.

    \b
    Example:
        newsarchive export wacz --db archive.db --out archive.wacz
    """
    from exports import ExportError
    from exports.wacz import export_wacz

    open_archive_for_reading(db_path).close()
    check_crawls_named(db_path, crawl_ids)
    try:
        summary = export_wacz(db_path, out_path, list(crawl_ids) or None, photos_dir=photos_dir)
    except ExportError as error:
        raise click.ClickException(str(error)) from None
    records = ", ".join(f"{n} {kind}" for kind, n in sorted(summary.warc.records.items()))
    click.echo(f"wrote {out_path}: {summary.pages} article pages; WARC: {records}")
