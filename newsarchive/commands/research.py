"""Commands that read an archive: `search`, `stats`, `report`, `diff`, `browse` (Datasette) and
`schema`; `index` and `duplicates`, which rebuild what search and stats read; and `sites`, the
sites the bundled profiles know."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import click

from newsarchive.commands.common import (
    PORT,
    ROW_ID,
    existing_db_option,
    find_duplicates,
    open_archive_for_reading,
    rebuild_search_lists,
)


@click.command()
@click.option("--json", "as_json", is_flag=True, help="Print the sites as JSON.")
def sites(as_json):
    """The sites the bundled profiles know: the names `crawl` and `schedule` take, their hosts,
    and the locales their archives are crawled in by default.

    \b
    Example:
        newsarchive sites
    """
    from newsarchive.profiles import bundled_profiles
    from newsarchive.research.stats import format_table

    rows = [{"site": site.name, "profile": profile.name, "code": site.code, "hosts": list(site.hosts),
             "locales": list(dict.fromkeys(profile.locale_for_url(path) for path in site.start_paths
                                           if profile.locale_for_url(path)))}
            for profile in bundled_profiles() for site in profile.sites]
    if as_json:
        click.echo(json.dumps(rows, ensure_ascii=False, indent=2))
        return
    click.echo(format_table([row | {"hosts": ", ".join(row["hosts"]), "locales": ", ".join(row["locales"])}
                             for row in rows]))


@click.command()
@click.argument("query")
@existing_db_option
@click.option("--in", "target", type=click.Choice(["articles", "comments"]), default="articles", show_default=True,
              help="Search article texts or comment texts.")
@click.option("--site", help="Only this site.")
@click.option("--since", help="Published (the site's day: published_day) or, for comments, posted (UTC) on or after this day, YYYY-MM-DD.")
@click.option("--until", help="Published (or posted) on or before this date, YYYY-MM-DD.")
@click.option("--author", help="Only articles by this author (or comments by this commenter); any case.")
@click.option("--language", help="Only articles (or comments on articles) in this language: ar, en, ru ...")
@click.option("--limit", type=click.IntRange(min=1, max=ROW_ID.max), default=20, show_default=True, help="Hits to show.")
@click.option("--json", "as_json", is_flag=True, help="Print the hits as JSON.")
def search(query, db_path, target, site, since, until, author, language, limit, as_json):
    """Full-text search of articles or comments, best matches first, with the matching passage.

    \b
    QUERY is words (as written: al-Taie, o'brien), "a phrase", prefix*, AND / OR / NOT, title:word.
    Arabic words are found however they are spelled (alef and hamza forms, ta marbuta, diacritics,
    with or without the article al-), Hebrew with or without points; Russian ё is е. A Chinese,
    Japanese or Thai word is found inside a run of characters, a Korean one with its particle
    written on (농업 in 농업에서).
    Examples:
        newsarchive search peshmerga --db archive.db
        newsarchive search '"border crossing" OR smuggl*' --since 2024-01-01 --json
        newsarchive search reconstruction --in comments --site diyaruna
        newsarchive search الحدود --language ar
        newsarchive search 农业 --language zh
    """
    from newsarchive.options import OptionError, check_date_order, parse_day
    from newsarchive.research.search import (
        MATCH_END,
        MATCH_START,
        SearchFilters,
        SearchQueryError,
        count_matches,
        language_code,
    )
    from newsarchive.research.search import search as run_search

    try:
        since, until = parse_day(since, "--since"), parse_day(until, "--until")
        check_date_order(since, until)
        language = language_code(language) if language else None
    except OptionError as error:
        raise click.UsageError(str(error)) from None
    filters = SearchFilters(site, since, until, author, limit, language)
    db = open_archive_for_reading(db_path)
    try:
        hits = run_search(db, query, target, filters)
        total = count_matches(db, query, target, filters) if hits else 0
    except SearchQueryError as error:
        raise click.UsageError(str(error)) from None
    finally:
        db.close()
    if as_json:
        for hit in hits:
            hit["passage"] = hit["passage"].replace(MATCH_START, "[").replace(MATCH_END, "]")
        click.echo(json.dumps(hits, ensure_ascii=False, indent=2))
        return
    if not hits:
        click.echo(f"no {target} match {query!r}")
        return
    click.echo(f"showing {len(hits)} of {total} {target} matching {query!r}, best first")
    for number, hit in enumerate(hits, 1):
        who = f" · {hit['author_name']}" if target == "comments" and hit.get("author_name") else ""
        click.echo(click.style(f"{number:>3}. {hit['title']}", bold=True)
                   + f"  ({hit['site']}, {(hit['published_at'] or '')[:10]}{who})")
        passage = hit["passage"].replace(MATCH_START, click.style("", fg="yellow", bold=True, reset=False)
                                         if _colour() else "[")
        passage = passage.replace(MATCH_END, "\x1b[0m" if _colour() else "]")
        click.echo(f"     {passage}")
        click.echo(f"     {hit['url']}")


@click.command()
@existing_db_option
def index(db_path):
    """Rebuild the search lists: the best rows of every frequent word, which make ranked search of
    common words fast. `crawl`, `demo` and `merge` do it when they finish; run it after a crawl
    started another way (`scrapy crawl`, Scrapyd). Until then, search ranks every match: the same
    hits, more slowly.

    \b
    Example:
        newsarchive index --db archive.db
    """
    rebuild_search_lists(db_path)


@click.command()
@existing_db_option
@click.option("--rebuild", is_flag=True, help="Forget every signature and pair and compare the whole archive again.")
def duplicates(db_path, rebuild):
    """Find articles stored twice: the same body (exact) or nearly (near: Jaccard similarity of
    5-word shingles >= 0.8), on one site or republished by another, into the duplicates table.
    Bodies under 50 words are not compared. `crawl` does it for its new and changed articles
    when it ends; run it after a merge or a crawl started another way (`scrapy crawl`, Scrapyd),
    or with --rebuild for an archive of an older newsarchive.

    \b
    Example:
        newsarchive duplicates --db archive.db --rebuild
    """
    find_duplicates(db_path, rebuild)


def _colour() -> bool:
    return sys.stdout.isatty() and not os.environ.get("NO_COLOR")


@click.command()
@existing_db_option
@click.option("--json", "as_json", is_flag=True, help="Print the figures as JSON.")
def stats(db_path, as_json):
    """What the archive holds: per site and section, its crawls, field coverage over time.

    \b
    Example:
        newsarchive stats --db archive.db
    """
    from newsarchive.archive.duplicates import describe_figures, duplicate_figures
    from newsarchive.research.stats import archive_stats, format_table

    db = open_archive_for_reading(db_path)
    try:
        figures = archive_stats(db)
        figures["duplicates"] = duplicate_figures(db)
    finally:
        db.close()
    if as_json:
        click.echo(json.dumps(figures, ensure_ascii=False, indent=2))
        return
    totals = figures["totals"]
    click.echo(f"{db_path}: " + ", ".join(f"{value} {name.replace('_', ' ')}" for name, value in totals.items()))
    click.echo(describe_figures(figures["duplicates"]))
    for title, rows in (("Sites and sections", figures["sections"]), ("Crawls", figures["crawls"]),
                        ("Failures by reason", figures["failure_reasons"]),
                        ("Field coverage by crawl (share of articles)", figures["coverage"])):
        click.echo(f"\n{title}\n{format_table(rows)}")


@click.command()
@existing_db_option
@click.option("--crawl", "crawl_id", type=ROW_ID, help="The crawl to report on (default: the latest that finished).")
@click.option("--site", help="Report on this site's latest crawl: its name, or a URL of it (for a scheduled job "
                             "on an archive other sites' crawls write too).")
@click.option("--html", "html_path", type=click.Path(dir_okay=False, path_type=Path),
              help="Also write the report as one self-contained HTML file.")
@click.option("--json", "as_json", is_flag=True, help="Print the report as JSON.")
def report(db_path, crawl_id, site, html_path, as_json):
    """Summarise a crawl: pages, items, failures by reason, coverage against the previous crawl.

    \b
    A field whose coverage fell by more than 10 points, more than the luck of which stories
    each crawl stored explains (a 5% chance), is warned about loudly, and the command exits
    with status 3, so a scheduled job can alert on it.
    Example:
        newsarchive report --db archive.db --html crawl-report.html
        newsarchive crawl diyaruna --db archive.db && newsarchive report --db archive.db --site diyaruna
    """
    from exports import ExportError, output_file, refuse_overwriting_archive
    from newsarchive.commands.exporting import check_crawls_named
    from newsarchive.research.report import ReportError, crawl_report, latest_crawl_of, report_html, report_text

    if site is not None and crawl_id is not None:
        raise click.UsageError("give --crawl or --site, not both")
    db = open_archive_for_reading(db_path)
    check_crawls_named(db_path, [crawl_id] if crawl_id is not None else [])
    if site is not None:
        crawl_id = latest_crawl_of(db, site)
        if crawl_id is None:
            raise click.BadParameter(f"the archive has no crawl of {site}", param_hint="'--site'")
    try:
        refuse_overwriting_archive(db_path, html_path)
        figures = crawl_report(db, crawl_id, str(db_path))
        if html_path:
            with output_file(html_path) as partial:
                partial.write_text(report_html(figures), encoding="utf-8")
    except (ReportError, ExportError) as error:
        raise click.ClickException(str(error)) from None
    finally:
        db.close()
    if as_json:
        click.echo(json.dumps(figures, ensure_ascii=False, indent=2))
    else:
        click.echo(report_text(figures), nl=False)
        if html_path:
            click.echo(f"HTML report: {html_path}")
    if figures["warnings"]:
        sys.exit(3)


@click.command()
@click.argument("article")
@existing_db_option
@click.option("--from", "first", type=click.IntRange(min=1, max=ROW_ID.max), help="Compare from this version (default: the first).")
@click.option("--to", "last", type=click.IntRange(min=1, max=ROW_ID.max), help="Compare up to this version (default: the latest).")
@click.option("--color/--no-color", "colour", default=None,
              help="Colour removed and added words (default: on a terminal, unless NO_COLOR is set).")
def diff(article, db_path, first, last, colour):
    """What changed between stored versions of an article: title and body word by word, and the
    comments added and removed in between. ARTICLE is an article id or a URL it was reached by.

    \b
    Every consecutive pair of versions by default; with --from and/or --to, that one pair.
    Removed words are red and added ones green on a terminal; elsewhere, [-removed-] {+added+}.
    Examples:
        newsarchive diff 12 --db archive.db
        newsarchive diff https://diyaruna.com/en_GB/articles/cnmi_di/features/2019/02/26/feature-03 --from 1 --to 3
    """
    from newsarchive.research.diffing import DiffError, VersionChoiceError, article_diffs, format_diffs

    db = open_archive_for_reading(db_path)
    try:
        found, diffs = article_diffs(db, article, first, last)
    except VersionChoiceError as error:
        raise click.UsageError(str(error)) from None
    except DiffError as error:
        raise click.ClickException(str(error)) from None
    finally:
        db.close()
    click.echo(format_diffs(found, diffs, _colour() if colour is None else colour), nl=False, color=colour)


@click.command()
@existing_db_option
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to serve on.")
@click.option("--port", type=PORT, default=8001, show_default=True, help="The port Datasette listens on.")
@click.option("--metadata", "metadata_path", type=click.Path(dir_okay=False, path_type=Path),
              help="Where to write Datasette's metadata file (default: beside the archive; where its folder "
                   "is read-only, in the user's cache folder, ~/.cache/newsarchive/browse).")
def browse(db_path, host, port, metadata_path):
    """Open the archive in Datasette: described tables, search boxes, facets, canned research queries.

    \b
    Needs the [browse] extra (pip install -e ".[browse]"). Example:
        newsarchive browse --db archive.db          # then open http://127.0.0.1:8001/
    """
    from exports import ExportError, refuse_overwriting_archive
    from newsarchive.research.browse import default_metadata_path, run_datasette

    conn = open_archive_for_reading(db_path)  # says so when the archive is on read-only media
    immutable = conn.immutable
    conn.close()
    try:
        refuse_overwriting_archive(db_path, metadata_path)
    except ExportError as error:
        raise click.UsageError(str(error)) from None
    wal = db_path.with_name(db_path.name + "-wal")
    if immutable and wal.is_file() and wal.stat().st_size:
        click.echo(f"warning: Datasette reads an archive on read-only media as its file alone; {wal.name} beside it "
                   "holds changes a crawl made since its last checkpoint, which it will not show (the other "
                   "commands read them): copy both files to writable storage to browse them", err=True)
    metadata_path = metadata_path or default_metadata_path(db_path)
    _check_port_free(host, port)
    click.echo(f"serving {db_path} on http://{host}:{port}/ (metadata: {metadata_path}); Ctrl-C stops")
    try:
        run_datasette(db_path, metadata_path, host, port, immutable)  # replaces this process
    except RuntimeError as error:
        raise click.ClickException(str(error)) from None


def _check_port_free(host: str, port: int) -> None:
    """One line, before anything says the archive is served, when the address is taken (Datasette
    would log six lines from its web server and exit 3, which is report's status for coverage
    that fell) or cannot be had."""
    import os
    import socket

    try:
        with socket.create_server((host, port)):
            pass
    except OSError as error:
        reason = os.strerror(error.errno) if error.errno else str(error)
        raise click.ClickException(f"cannot serve on {host}:{port}: {reason} "
                                   "(another program uses it? give --port another number)") from None


# schema ----------------------------------------------------------------------------------------

@click.command()
@click.option("--db", "db_path", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="Describe this archive (default: a new, empty one: the schema this version makes).")
def schema(db_path: Path | None):
    """Print the archive's schema as Markdown: every table, view, column, key and index, with meanings.

    \b
    Example:
        newsarchive schema > docs/schema.md
    """
    from newsarchive.archive import open_archive
    from newsarchive.archive.database import Database
    from newsarchive.archive.schema import schema_markdown

    if db_path:  # read only: describing an archive must not migrate it
        conn = open_archive_for_reading(db_path)
        try:
            click.echo(schema_markdown(Database(conn)), nl=False)
        finally:
            conn.close()
        return
    archive = open_archive(":memory:")
    try:
        click.echo(schema_markdown(archive.db), nl=False)
    finally:
        archive.close()
