"""The `newsarchive` command: a thin click layer over the library."""

from __future__ import annotations

import json
import os
import sys
import urllib.request
from pathlib import Path

import click

from newsarchive import fixtures as fixture_cases
from newsarchive.parsers import ParseError, parse_page
from newsarchive.profiles import find_site


@click.group()
@click.version_option(package_name="newsarchive")
def cli():
    """Archive news sites into one SQLite file.

    \b
    Quick look at what the archive would keep of one page:
        newsarchive extract saved-page.html --url https://diyaruna.com/en_GB/articles/...
    """


# extract -------------------------------------------------------------------------------------

@cli.command()
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--url", required=True, help="The URL the page was fetched from.")
@click.option("--site", help="Site profile name, when the URL's host is not the site's (a mirror).")
@click.option("--charset", help="The charset the server declared, if known.")
def extract(file: Path, url: str, site: str | None, charset: str | None):
    """Print one saved page's record as JSON, each field with the layer that gave it.

    \b
    Example:
        newsarchive extract page.html --url https://diyaruna.com/en_GB/articles/cnmi_di/features/2019/02/26/feature-03
    """
    profile, site_record = _profile_and_site(site)
    content_type = f"text/html; charset={charset}" if charset else None
    try:
        record = parse_page(url, file.read_bytes(), profile=profile, site=site_record, content_type=content_type)
    except ParseError as error:
        raise click.ClickException(str(error)) from error
    click.echo(json.dumps(record.to_dict(), ensure_ascii=False, indent=2))


def _profile_and_site(site: str | None):
    if not site:
        return None, None
    found = find_site(site)
    if not found:
        raise click.BadParameter(f"no site profile has a site named {site!r}", param_hint="--site")
    return found


# fixtures ------------------------------------------------------------------------------------

fixtures_dir_option = click.option(
    "--dir", "fixtures_dir", type=click.Path(file_okay=False, path_type=Path),
    default=Path("tests/fixtures"), show_default=True, help="Folder of fixture cases.",
)


@cli.group()
def fixtures():
    """Saved pages with their expected records: check the parsers against them, record new ones."""


@fixtures.command("check")
@click.argument("site", required=False)
@fixtures_dir_option
def fixtures_check(site: str | None, fixtures_dir: Path):
    """Re-parse every saved page and diff it against its expected record; exit 1 on a difference.

    \b
    Example:
        newsarchive fixtures check diyaruna --dir tests/fixtures
    """
    cases = fixture_cases.find_cases(fixtures_dir, site)
    if not cases:
        raise click.ClickException(f"no fixture cases under {fixtures_dir}" + (f" for site {site}" if site else ""))
    failed = 0
    for case in cases:
        differences = fixture_cases.check_case(case)
        if differences:
            failed += 1
            click.echo(f"FAIL {case.label}: {len(differences)} difference(s)")
            for difference in differences:
                click.echo(difference.describe())
        else:
            click.echo(f"ok   {case.label}" + ("" if case.checked_by_hand else "  (expected output not checked by hand)"))
    unchecked = sum(not case.checked_by_hand for case in cases)
    click.echo(f"{len(cases) - failed} passed, {failed} failed"
               + (f"; {unchecked} with expected output nobody has checked against its page" if unchecked else ""))
    sys.exit(1 if failed else 0)


@fixtures.command("record")
@click.argument("source")
@click.option("--site", required=True, help="Site name: the folder under the fixtures dir.")
@click.option("--name", required=True, help="Case name, after what it exercises (windows-1256-charset).")
@click.option("--url", help="The page's URL, when SOURCE is a file (default: SOURCE when it is a URL).")
@click.option("--charset", help="The charset the page's bytes are in, when known.")
@click.option("--description", default="", help="One sentence: what this case exercises.")
@click.option("--force", is_flag=True, help="Replace the case if one of that name exists (and its checked expected record).")
@fixtures_dir_option
def fixtures_record(source, site, name, url, charset, description, force, fixtures_dir):
    """Save a page (a URL or a file) as a fixture case and write its current parse to review.
    An existing case is kept unless --force is given: its expected record may have been checked by hand.

    \b
    Example:
        newsarchive fixtures record saved.html --site diyaruna --name arabic-article \\
            --url https://diyaruna.com/ar/articles/cnmi_di/features/2020/03/15/feature-01
    """
    _check_new_case(fixtures_dir, site, name, force)
    if "://" in source:
        body, charset = _download(source, charset)
        url = url or source
    else:
        if not url:
            raise click.BadParameter("give the page's --url when recording from a file", param_hint="--url")
        if not Path(source).is_file():
            raise click.BadParameter(f"{source} is not a file or a URL", param_hint="SOURCE")
        body = Path(source).read_bytes()
    case = fixture_cases.record_case(fixtures_dir, site, name, url, body, charset, description, force=force)
    click.echo(f"recorded {case.label} in {case.folder}: review {fixture_cases.EXPECTED_FILE} before committing")


def _check_new_case(fixtures_dir: Path, site: str, name: str, force: bool) -> None:
    """A profiled site and a case name not taken (or --force), checked before anything is fetched."""
    from newsarchive.options import did_you_mean
    from newsarchive.profiles import all_site_names

    if site not in all_site_names():
        raise click.BadParameter(f"no site profile has a site named {site!r}{did_you_mean(site, all_site_names())}; "
                                 f"known: {', '.join(all_site_names())}", param_hint="--site")
    try:
        existing = fixture_cases.existing_case(fixtures_dir, site, name)
    except fixture_cases.BadCaseName as error:
        raise click.BadParameter(str(error), param_hint="--name") from None
    if existing and not force:
        raise click.UsageError(f"fixture case {existing.label} already exists in {existing.folder}: "
                               "give --force to replace it")


def _download(url: str, charset: str | None) -> tuple[bytes, str | None]:
    request = urllib.request.Request(url, headers={"User-Agent": "newsarchive fixtures record"})
    try:
        with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310 (user-given URL)
            return response.read(), charset or response.headers.get_content_charset()
    except (OSError, ValueError) as error:  # URLError, HTTPError, a timeout, a malformed URL
        raise click.ClickException(f"cannot fetch {url}: {error}") from None


# profile ---------------------------------------------------------------------------------------

@cli.group()
def profile():
    """Site profiles: how well one matches the pages a site serves today."""


@profile.command("check")
@click.argument("source")
@click.option("--url", help="The page's URL, when SOURCE is a saved file (default: SOURCE when it is a URL).")
@click.option("--site", help="Site name, when the URL's host is not the site's (a mirror).")
@click.option("--profile", "profile_path", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="A profile file to check instead of the bundled one (after editing a selector).")
@click.option("--charset", help="The charset the page's bytes are in, when known.")
def profile_check(source, url, site, profile_path, charset):
    """Each selector of the profile against one page: confirmed or guessed, how many elements it
    matches, the field it fills and from which layer, and, where it matched nothing, the element
    the fallback layer found instead (a ready selector).

    \b
    Examples:
        newsarchive profile check https://diyaruna.com/en_GB/articles/cnmi_di/features/2019/02/26/feature-03
        newsarchive profile check saved.html --url https://diyaruna.com/en_GB/articles/... --profile mine.toml
    """
    from newsarchive.profiles import ProfileError, load_profile
    from newsarchive.profiles.check import check_page, format_checks

    if "://" in source:
        body, charset = _download(source, charset)
        url = url or source
    else:
        if not url:
            raise click.BadParameter("give the page's --url when checking a saved file", param_hint="--url")
        path = Path(source)
        if not path.is_file():
            raise click.BadParameter(f"{source} is not a file or a URL", param_hint="SOURCE")
        body = path.read_bytes()
    found = find_site(site or url)
    if profile_path:
        try:
            chosen = load_profile(str(profile_path))
        except ProfileError as error:
            raise click.ClickException(str(error)) from None
        found = (chosen, chosen.site_by_name(site) if site else chosen.site_for_url(url))
    if not found:
        raise click.UsageError(f"no site profile knows {url} (give --site NAME for a mirror, or --profile FILE)")
    content_type = f"text/html; charset={charset}" if charset else None
    try:
        kind, checks = check_page(url, body, found[0], found[1], content_type)
    except ParseError as error:
        raise click.ClickException(str(error)) from None
    click.echo(format_checks(kind, checks), nl=False)


@cli.command()
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


# crawl -----------------------------------------------------------------------------------------

db_option = click.option("--db", "db_path", type=click.Path(dir_okay=False, path_type=Path),
                         default=Path("archive.db"), show_default=True, help="The SQLite archive file.")


@cli.command()
@click.argument("site")
@db_option
@click.option("--sections", help="Comma-separated section paths or URLs to start from.")
@click.option("--max-pages", type=int, default=0, help="Listing pages to follow per section (0: all).")
@click.option("--since", help="Only articles published on or after this date (YYYY-MM-DD).")
@click.option("--until", help="Only articles published on or before this date (YYYY-MM-DD).")
@click.option("--locales", help="Comma-separated locales to keep, e.g. en_GB,ar.")
@click.option("--base-url", help="Fetch the site from this origin instead (a mirror, the demo).")
@click.option("--allow-private", is_flag=True, help="Allow start URLs on loopback or private addresses.")
@click.option("--contact", help="URL or e-mail where site operators can reach you (in the user agent).")
@click.option("--job-dir", type=click.Path(file_okay=False), hidden=True,
              help="Ignored: the crawl's state lives in the archive, and a rerun resumes from it.")
@click.option("--no-resume", is_flag=True,
              help="Start afresh even if the last crawl of the site was interrupted (default: resume it).")
@click.option("--photos-dir", type=click.Path(file_okay=False), help="Download photo files into this directory.")
@click.option("--full", is_flag=True, help="Fetch every article again, not only new and changing ones.")
@click.option("--refresh-window", type=float, metavar="DAYS",
              help="Re-fetch known articles younger than this (default: NEWSARCHIVE_REFRESH_WINDOW_DAYS, 7).")
@click.option("--redis", "redis_url", metavar="URL", help="Share this crawl with other processes through Redis.")
@click.option("--crawl-name", help="Name of the shared crawl (default: the site): all its workers use the same.")
@click.option("--lookup-db", type=click.Path(dir_okay=False), help="Archive to look up known articles in.")
@click.option("--stale-pages", type=int, metavar="N",
              help="Stop paginating a listing after N pages that offered no article not yet requested "
                   "(0: walk all; default 3).")
@click.option("--no-index", is_flag=True,
              help="Do not rebuild the search lists at the end (for frequent crawls of a large archive: "
                   "run `newsarchive index` later, e.g. nightly).")
@click.option("-s", "--set", "overrides", multiple=True, metavar="NAME=VALUE", help="Any Scrapy setting.")
def crawl(site, db_path, sections, max_pages, since, until, locales, base_url, allow_private, contact,
          job_dir, no_resume, photos_dir, full, refresh_window, redis_url, crawl_name, lookup_db, stale_pages,
          no_index, overrides):
    """Crawl a site into the archive. A crawl that was interrupted (killed, Ctrl-C) is resumed by
    running the same command again: its state lives in the archive.

    SITE is a profiled site's name (`newsarchive schedule` and `scrapy list` show them), or a
    section URL of any other site, crawled by the generic spider (sitemaps and feeds included).

    \b
    Exit status: 0 the crawl finished and archived something; 1 it did not finish; 2 bad
    options; 4 it finished but archived nothing (no response, or every article page failed);
    75 another crawl of the site into the same archive is running.

    \b
    Example:
        newsarchive crawl diyaruna --db archive.db --sections /en_GB/news/iraq --max-pages 3 --since 2024-01-01
    """
    from newsarchive.crawling import OptionError, crawl_plan, run_crawl
    from newsarchive.locking import EXIT_LOCKED, CrawlLocked, LockUnavailable, crawl_lock

    try:
        plan = crawl_plan(site, sections=sections, max_pages=max_pages, since=since, until=until, locales=locales,
                          base_url=base_url, allow_private=allow_private, full=full, contact=contact,
                          photos_dir=photos_dir, stale_pages=stale_pages, refresh_window=refresh_window,
                          redis_url=redis_url, crawl_name=crawl_name, lookup_db=lookup_db, resume=not no_resume,
                          overrides=dict(_parse_overrides(overrides)))
    except OptionError as error:
        raise click.UsageError(str(error)) from None
    start_urls = plan.arguments.get("start_urls", "").split(",") + [plan.arguments.get("base_url") or ""]
    _refuse_private_start([url for url in start_urls + (sections or "").split(",") if "://" in url], allow_private)
    if job_dir:
        click.echo("note: --job-dir is no longer needed and is ignored: the crawl's state lives in the archive, "
                   "and running the same command again resumes an interrupted crawl", err=True)
    if sys.stderr.isatty() and "LOG_LEVEL" not in plan.settings:
        plan.settings["LOG_LEVEL"] = "WARNING"  # the progress line shows how it goes; logs would scroll it away
    try:
        with crawl_lock(db_path, plan.lock_name):
            _check_archive_for_writing(db_path)
            summary = run_crawl(plan.spider, str(db_path), plan.arguments, plan.settings)
        if not (redis_url or no_index):  # a shard is searched after its merge, which rebuilds the lists
            _rebuild_search_lists(db_path)
        if not redis_url:  # shards: the merged archive's copies, by `newsarchive duplicates`
            _find_duplicates(db_path)
    except CrawlLocked as error:
        click.echo(f"not started: {error}", err=True)
        sys.exit(EXIT_LOCKED)
    except LockUnavailable as error:
        raise click.ClickException(str(error)) from None
    click.echo(f"crawl {summary.crawl_id} of {site}: {summary.finish_reason}; {summary.describe()}")
    click.echo(f"archive {db_path} holds " + ", ".join(f"{n} {table}" for table, n in _archive_counts(db_path).items()))
    if summary.verdict():
        click.echo(f"exit {summary.exit_code}: {summary.verdict()}", err=True)
    sys.exit(summary.exit_code)


def _check_archive_for_writing(db_path: Path) -> None:
    """Refuse a damaged file, or one that is no archive, before the crawl starts (one line)."""
    from newsarchive.archive import ArchiveError, open_archive

    try:
        open_archive(db_path).close()
    except ArchiveError as error:
        raise click.ClickException(str(error)) from None


def _archive_counts(db_path: Path) -> dict[str, int]:
    from newsarchive.archive.queries import archive_counts

    conn = _open_for_reading(db_path)
    try:
        return archive_counts(conn)
    finally:
        conn.close()


def _rebuild_search_lists(db_path: Path) -> None:
    """The best rows of frequent words, for fast ranked search (newsarchive/archive/search_lists.py)."""
    from newsarchive.archive import ArchiveError
    from newsarchive.archive.search_lists import rebuild_file

    try:
        for summary in rebuild_file(db_path):
            click.echo(summary.describe(), err=True)
    except ArchiveError as error:
        raise click.ClickException(str(error)) from None


def _find_duplicates(db_path: Path, rebuild: bool = False) -> None:
    """Pairs of articles with the same or nearly the same body (newsarchive/archive/duplicates.py)."""
    from newsarchive.archive import ArchiveError
    from newsarchive.archive.duplicates import find_duplicates_in_file

    try:
        click.echo(find_duplicates_in_file(db_path, rebuild).describe(), err=True)
    except ArchiveError as error:
        raise click.ClickException(str(error)) from None


def _parse_overrides(overrides) -> list[tuple[str, str]]:
    pairs = []
    for override in overrides:
        name, sep, value = override.partition("=")
        if not sep:
            raise click.BadParameter(f"{override!r} is not NAME=VALUE", param_hint="--set")
        pairs.append((name.strip(), value))
    return pairs


def _refuse_private_start(start_urls: list[str], allow_private: bool) -> None:
    from newsarchive.safety import refuse_private_host

    if allow_private:
        return
    for url in start_urls:
        refusal = refuse_private_host(url)
        if refusal:
            raise click.ClickException(refusal)


# demo ------------------------------------------------------------------------------------------

@cli.command()
@click.option("--db", "db_path", type=click.Path(dir_okay=False, path_type=Path),
              default=Path("demo-archive.db"), show_default=True, help="The SQLite archive to write.")
@click.option("--articles", type=int, default=200, show_default=True, help="Articles on the demo site.")
@click.option("--seed", type=int, default=0, show_default=True, help="Random seed of the generated site.")
@click.option("--site-dir", type=click.Path(file_okay=False, path_type=Path),
              help="Where to write the generated site (default: a temporary folder).")
@click.option("--port", type=int, default=8642, show_default=True,
              help="Serve it on this loopback port: the same one every run, so the archive knows the site again.")
def demo(db_path: Path, articles: int, seed: int, site_dir: Path | None, port: int):
    """Generate an offline Diyaruna-like site, serve it on 127.0.0.1 and crawl it into an archive.
    Run it again on the same archive: the site has changed (an edited article, new and removed
    comments, new articles) and the crawl, incremental, shows what the archive learnt.

    \b
    Example:
        newsarchive demo --articles 500 --db demo-archive.db
    """
    from newsarchive.demo.run import run_demo

    run_demo(db_path, articles=articles, seed=seed, site_dir=site_dir, port=port, echo=click.echo)
    _rebuild_search_lists(db_path)
    _find_duplicates(db_path)


# merge -----------------------------------------------------------------------------------------

@cli.command()
@click.argument("sources", nargs=-1, required=True, type=click.Path(dir_okay=False, path_type=Path))
@click.option("--into", "target", type=click.Path(dir_okay=False, path_type=Path), required=True,
              help="The archive to merge into (created if missing).")
def merge(sources, target):
    """Merge archives (the shards of a distributed crawl, or any two) into one; safe to repeat.

    \b
    Example:
        newsarchive merge shard-1.db shard-2.db shard-3.db --into archive.db
    """
    from newsarchive.archive import ArchiveError
    from newsarchive.archive.merge import MergeError, merge_archives

    try:
        summary = merge_archives(list(sources), target)
    except (MergeError, ArchiveError) as error:
        raise click.ClickException(str(error)) from None
    for note in summary.notes:
        click.echo(note)
    rate = summary.articles / summary.seconds if summary.seconds else 0
    click.echo(f"merged {summary.sources} archives into {target}: {summary.articles} articles ({rate:,.0f}/s), "
               f"{summary.crawls_added} crawls added, {summary.crawls_already_merged} already merged")
    _rebuild_search_lists(target)
    _find_duplicates(target)  # the shards' copies of one story meet only here


# schedule --------------------------------------------------------------------------------------

@cli.command()
@click.argument("sites", nargs=-1, required=True, metavar="SITE[:EVERY]...")
@click.option("--db", "db_path", type=click.Path(dir_okay=False, path_type=Path), default=Path("archive.db"),
              show_default=True, help="The archive the crawls write.")
@click.option("--every", default="6h", show_default=True, help="Default interval: 30m, 6h, 1d, 1w ...")
@click.option("--full-every", help="Also a --full crawl at this interval, e.g. 1w.")
@click.option("--format", "output", type=click.Choice(["cron", "systemd", "scrapyd"]), default="cron",
              show_default=True, help="crontab lines, systemd timer units, or crontab lines calling Scrapyd.")
@click.option("--log-dir", type=click.Path(file_okay=False, path_type=Path), default=Path("logs"),
              show_default=True, help="cron: where each site's log goes.")
@click.option("--scrapyd-url", default="http://127.0.0.1:6800", show_default=True,
              help="The Scrapyd server that runs the crawls (with --format scrapyd).")
@click.option("--unit-dir", type=click.Path(file_okay=False, path_type=Path),
              default=Path.home() / ".config" / "systemd" / "user", show_default="~/.config/systemd/user",
              help="systemd: where the service and timer units are written.")
@click.option("--install", is_flag=True, help="Install into the crontab, or write the systemd units.")
@click.option("--crawl-option", "extra", multiple=True, help="Extra option for each crawl, e.g. --contact=...")
def schedule(sites, db_path, every, full_every, output, log_dir, scrapyd_url, unit_dir, install, extra):
    """Print (or --install) recurring incremental crawls for these sites: cron, systemd or Scrapyd.

    \b
    Examples:
        newsarchive schedule diyaruna:6h almashareq:1d --db /srv/news/archive.db --full-every 1w
        newsarchive schedule diyaruna --format systemd --install
        newsarchive schedule diyaruna --format scrapyd --scrapyd-url http://127.0.0.1:6800
    """
    from newsarchive import scheduling

    try:
        jobs = scheduling.parse_jobs(list(sites), every, full_every)
    except ValueError as error:
        raise click.BadParameter(str(error)) from None
    from newsarchive.options import OptionError, check_start_url, did_you_mean
    from newsarchive.profiles import all_site_names

    for job in jobs:
        if "://" in job.site:  # any site, by a section URL: the generic spider
            try:
                check_start_url(job.site, "SITE")
            except OptionError as error:
                raise click.BadParameter(str(error), param_hint="SITE") from None
        elif not find_site(job.site):
            raise click.BadParameter(f"no site profile has a site named {job.site!r}"
                                     f"{did_you_mean(job.site, all_site_names())} (or give a section URL)",
                                     param_hint="SITE")
    if output == "systemd":
        units = scheduling.systemd_units(jobs, db_path, list(extra))
        if install:
            for path in scheduling.install_systemd(units, unit_dir):
                click.echo(f"wrote {path}")
            timers = " ".join(name for name in units if name.endswith(".timer"))
            click.echo(f"now run: systemctl --user daemon-reload && systemctl --user enable --now {timers}")
            return
        for name, text in units.items():
            click.echo(f"# {unit_dir / name}\n{text}")
        return
    block = (scheduling.scrapyd_cron_lines(jobs, db_path, scrapyd_url, "newsarchive") if output == "scrapyd"
             else scheduling.cron_lines(jobs, db_path, log_dir, list(extra)))
    if install:
        log_dir.mkdir(parents=True, exist_ok=True)
        scheduling.install_crontab(block)
        click.echo(f"installed {len(jobs)} crontab lines (crontab -l shows them)")
        return
    click.echo(block, nl=False)


# researchers: search, stats --------------------------------------------------------------------

existing_db_option = click.option(
    "--db", "db_path", type=click.Path(exists=True, dir_okay=False, path_type=Path),
    default=Path("archive.db"), show_default=True, help="The SQLite archive file.")


def _open_for_reading(db_path: Path):
    """A read-only connection to an archive, or a clear error when the file is not one."""
    from newsarchive.archive import ArchiveError, open_for_reading

    try:
        conn = open_for_reading(db_path)
    except ArchiveError as error:
        raise click.ClickException(str(error)) from None
    if conn.immutable:
        click.echo(f"note: {db_path} is on read-only media: opened as an immutable copy", err=True)
    return conn


@cli.command()
@click.argument("query")
@existing_db_option
@click.option("--in", "target", type=click.Choice(["articles", "comments"]), default="articles", show_default=True,
              help="Search article texts or comment texts.")
@click.option("--site", help="Only this site.")
@click.option("--since", help="Published (or, for comments, posted) on or after this date, YYYY-MM-DD.")
@click.option("--until", help="Published (or posted) on or before this date, YYYY-MM-DD.")
@click.option("--author", help="Only articles by this author (or comments by this commenter); any case.")
@click.option("--language", help="Only articles (or comments on articles) in this language: ar, en, ru ...")
@click.option("--limit", type=click.IntRange(min=1), default=20, show_default=True, help="Hits to show.")
@click.option("--json", "as_json", is_flag=True, help="Print the hits as JSON.")
def search(query, db_path, target, site, since, until, author, language, limit, as_json):
    """Full-text search of articles or comments, best matches first, with the matching passage.

    \b
    QUERY is words (as written: al-Taie, o'brien), "a phrase", prefix*, AND / OR / NOT, title:word.
    Arabic words are found however they are spelled (alef and hamza forms, ta marbuta, diacritics,
    with or without the article al-); Russian ё is е.
    Examples:
        newsarchive search peshmerga --db archive.db
        newsarchive search '"border crossing" OR smuggl*' --since 2024-01-01 --json
        newsarchive search reconstruction --in comments --site diyaruna
        newsarchive search الحدود --language ar
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
    db = _open_for_reading(db_path)
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


@cli.command()
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
    _rebuild_search_lists(db_path)


@cli.command()
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
    _find_duplicates(db_path, rebuild)


def _colour() -> bool:
    return sys.stdout.isatty() and not os.environ.get("NO_COLOR")


@cli.command()
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

    db = _open_for_reading(db_path)
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


@cli.command()
@existing_db_option
@click.option("--crawl", "crawl_id", type=int, help="The crawl to report on (default: the latest).")
@click.option("--html", "html_path", type=click.Path(dir_okay=False, path_type=Path),
              help="Also write the report as one self-contained HTML file.")
@click.option("--json", "as_json", is_flag=True, help="Print the report as JSON.")
def report(db_path, crawl_id, html_path, as_json):
    """Summarise a crawl: pages, items, failures by reason, coverage against the previous crawl.

    \b
    A field whose coverage fell by more than 10 points is warned about loudly, and the command
    exits with status 3, so a scheduled job can alert on it.
    Example:
        newsarchive report --db archive.db --html crawl-report.html
    """
    from newsarchive.research.report import ReportError, crawl_report, report_html, report_text

    db = _open_for_reading(db_path)
    try:
        figures = crawl_report(db, crawl_id, str(db_path))
    except ReportError as error:
        raise click.ClickException(str(error)) from None
    finally:
        db.close()
    if html_path:
        html_path.write_text(report_html(figures), encoding="utf-8")
    if as_json:
        click.echo(json.dumps(figures, ensure_ascii=False, indent=2))
    else:
        click.echo(report_text(figures), nl=False)
        if html_path:
            click.echo(f"HTML report: {html_path}")
    if figures["warnings"]:
        sys.exit(3)


@cli.command()
@click.argument("article")
@existing_db_option
@click.option("--from", "first", type=click.IntRange(min=1), help="Compare from this version (default: the first).")
@click.option("--to", "last", type=click.IntRange(min=1), help="Compare up to this version (default: the latest).")
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

    db = _open_for_reading(db_path)
    try:
        found, diffs = article_diffs(db, article, first, last)
    except VersionChoiceError as error:
        raise click.UsageError(str(error)) from None
    except DiffError as error:
        raise click.ClickException(str(error)) from None
    finally:
        db.close()
    click.echo(format_diffs(found, diffs, _colour() if colour is None else colour), nl=False, color=colour)


@cli.command()
@existing_db_option
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to serve on.")
@click.option("--port", type=int, default=8001, show_default=True, help="The port Datasette listens on.")
@click.option("--metadata", "metadata_path", type=click.Path(dir_okay=False, path_type=Path),
              help="Where to write Datasette's metadata file (default: beside the archive).")
def browse(db_path, host, port, metadata_path):
    """Open the archive in Datasette: described tables, search boxes, facets, canned research queries.

    \b
    Needs the [browse] extra (pip install -e ".[browse]"). Example:
        newsarchive browse --db archive.db          # then open http://127.0.0.1:8001/
    """
    from newsarchive.research.browse import default_metadata_path, run_datasette

    conn = _open_for_reading(db_path)  # says so when the archive is on read-only media
    immutable = conn.immutable
    conn.close()
    metadata_path = metadata_path or default_metadata_path(db_path)
    click.echo(f"serving {db_path} on http://{host}:{port}/ (metadata: {metadata_path}); Ctrl-C stops")
    try:
        run_datasette(db_path, metadata_path, host, port, immutable)  # replaces this process
    except RuntimeError as error:
        raise click.ClickException(str(error)) from None


# schema ----------------------------------------------------------------------------------------

@cli.command()
@click.option("--db", "db_path", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="Describe this archive (default: a new, empty one: the schema this version makes).")
def schema(db_path: Path | None):
    """Print the archive's schema as Markdown: every table, view, column, key and index, with meanings.

    \b
    Example:
        newsarchive schema > docs/schema.md
    """
    from sqlite_utils import Database

    from newsarchive.archive import open_archive
    from newsarchive.archive.schema import schema_markdown

    if db_path:  # read only: describing an archive must not migrate it
        conn = _open_for_reading(db_path)
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


# export ----------------------------------------------------------------------------------------

@cli.group()
def export():
    """Write the archive, or part of it, in another format."""


def export_filter_options(function):
    for option in reversed([
        click.option("--site", help="Only this site."),
        click.option("--section", help="Only this section (its last breadcrumb entry)."),
        click.option("--language", help="Only this language, e.g. ar."),
        click.option("--since", help="Published on or after this date, YYYY-MM-DD."),
        click.option("--until", help="Published on or before this date, YYYY-MM-DD."),
        click.option("--since-crawl", type=int, metavar="N",
                     help="Only articles new or changed after crawl N (incremental exports)."),
    ]):
        function = option(function)
    return function


export_out_option = click.option(
    "--out", "out_path", type=click.Path(dir_okay=False, path_type=Path, allow_dash=True), required=True,
    help="The file to write (replaced if it exists), or - for standard output.")


def _export_table(kind: str, db_path: Path, out_path: Path, table: str, filters, bom: bool = False) -> None:
    from exports import ExportError, is_stdout
    from exports.records import connect, count_articles, settled_crawl_id
    from exports.tabular import export_format
    from newsarchive.progress import ProgressLine

    _open_for_reading(db_path).close()
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
    """Articles as JSON Lines, each with its authors, photos and comments nested.

    \b
    Example:
        newsarchive export jsonl --db archive.db --out articles.jsonl --since 2024-01-01
        newsarchive export jsonl --db archive.db --out - --since-crawl 12 | gzip > new.jsonl.gz
    """
    from exports.records import ExportFilters

    _export_table("jsonl", db_path, out_path, "articles",
                  ExportFilters(site, section, language, since, until, since_crawl))


@export.command("csv")
@existing_db_option
@export_out_option
@click.option("--table", type=click.Choice(["articles", "authors", "photos", "comments", "article_versions"]),
              default="articles", show_default=True, help="Which flat table to write.")
@click.option("--bom", is_flag=True, help="Start with a UTF-8 byte-order mark, for Excel to read Arabic right.")
@export_filter_options
def export_csv_command(db_path, out_path, table, bom, site, section, language, since, until, since_crawl):
    """One flat table as CSV (UTF-8): articles with their authors joined, or photos, comments ...

    \b
    Example:
        newsarchive export csv --db archive.db --out comments.csv --table comments --site diyaruna
        newsarchive export csv --db archive.db --out articles.csv --bom --language ar   # for Excel
    """
    from exports.records import ExportFilters

    _export_table("csv", db_path, out_path, table,
                  ExportFilters(site, section, language, since, until, since_crawl), bom)


@export.command("parquet")
@existing_db_option
@export_out_option
@export_filter_options
def export_parquet_command(db_path, out_path, site, section, language, since, until, since_crawl):
    """Articles as Parquet, with authors, photos and comments as nested lists (needs the [parquet] extra).

    \b
    Example:
        newsarchive export parquet --db archive.db --out articles.parquet
    """
    from exports.records import ExportFilters

    _export_table("parquet", db_path, out_path, "articles",
                  ExportFilters(site, section, language, since, until, since_crawl))


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
    _open_for_reading(db_path).close()
    try:
        copy = export_sqlite(db_path, out_path)
    except ExportError as error:
        raise click.ClickException(str(error)) from None
    click.echo(f"wrote {out_path} ({copy.size:,} bytes, journal_mode delete): "
               + ", ".join(f"{count} {table}" for table, count in copy.rows.items()))


@export.command("warc")
@click.option("--db", "db_path", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              default=Path("archive.db"), show_default=True, help="The SQLite archive file.")
@click.option("--out", "out_path", type=click.Path(dir_okay=False, path_type=Path), required=True,
              help="The WARC file to write; gzipped per record when it ends in .gz.")
@click.option("--crawl", "crawl_ids", type=int, multiple=True, help="Only the captures of this crawl (repeatable).")
@click.option("--photos-dir", type=click.Path(exists=True, file_okay=False, path_type=Path),
              help="Where the photo files are, when not where the crawl wrote them (default: its --photos-dir).")
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

    _open_for_reading(db_path).close()
    try:
        summary = export_warc(db_path, out_path, list(crawl_ids) or None, photos_dir=photos_dir, cdx=cdx)
    except ExportError as error:
        raise click.ClickException(str(error)) from None
    click.echo(f"wrote {out_path}: " + ", ".join(f"{n} {kind}" for kind, n in sorted(summary.records.items())))
    if summary.index_path:
        click.echo(f"wrote {summary.index_path}")


@export.command("wacz")
@click.option("--db", "db_path", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              default=Path("archive.db"), show_default=True, help="The SQLite archive file.")
@click.option("--out", "out_path", type=click.Path(dir_okay=False, path_type=Path), required=True,
              help="The WACZ file to write.")
@click.option("--crawl", "crawl_ids", type=int, multiple=True, help="Only the captures of this crawl (repeatable).")
@click.option("--photos-dir", type=click.Path(exists=True, file_okay=False, path_type=Path),
              help="Where the photo files are, when not where the crawl wrote them (default: its --photos-dir).")
def export_wacz_command(db_path: Path, out_path: Path, crawl_ids: tuple[int, ...], photos_dir: Path | None):
    """Captures as a WACZ package (WARC, CDXJ index, article page list) for ReplayWeb.page.

    \b
    Example:
        newsarchive export wacz --db archive.db --out archive.wacz
    """
    from exports import ExportError
    from exports.wacz import export_wacz

    _open_for_reading(db_path).close()
    try:
        summary = export_wacz(db_path, out_path, list(crawl_ids) or None, photos_dir=photos_dir)
    except ExportError as error:
        raise click.ClickException(str(error)) from None
    records = ", ".join(f"{n} {kind}" for kind, n in sorted(summary.warc.records.items()))
    click.echo(f"wrote {out_path}: {summary.pages} article pages; WARC: {records}")


def main():
    cli()


if __name__ == "__main__":
    main()
