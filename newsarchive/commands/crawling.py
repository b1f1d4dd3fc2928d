"""Commands that fill an archive: `crawl` (a site into the archive, resumable), `demo` (an offline
site crawled end to end), `merge` (archives into one) and `schedule` (recurring crawls for cron,
systemd or Scrapyd), with the checks a crawl makes before it starts."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from newsarchive.commands.common import PORT, find_duplicates, open_archive_for_reading, rebuild_search_lists

# crawl -----------------------------------------------------------------------------------------

def _a_file_name(context, parameter, path: Path) -> Path:
    """An empty --db ("" from a script's unset variable) names no file: Path("") is the current folder."""
    if path is not None and not str(path).strip(" ."):
        raise click.BadParameter("give the archive's file name (it is empty)", context, parameter)
    return path


db_option = click.option("--db", "db_path", type=click.Path(dir_okay=False, path_type=Path), callback=_a_file_name,
                         default=Path("archive.db"), show_default=True, help="The SQLite archive file.")


def _scrapyd_server(context, parameter, url: str) -> str:
    """An http(s) URL with a host (options.check_start_url): anything else was printed into the
    crontab, and every scheduled crawl then failed, unseen."""
    from newsarchive.options import OptionError, check_start_url

    try:
        return check_start_url(url, "--scrapyd-url")
    except OptionError as error:
        raise click.BadParameter(f"{url.strip()!r} is no Scrapyd address ({error}): give one like "
                                 "http://127.0.0.1:6800", context, parameter) from None


@click.command()
@click.argument("site")
@db_option
@click.option("--sections", help="Comma-separated section paths or URLs to start from.")
@click.option("--max-pages", type=int, default=0, help="Listing pages to follow per section (0: all).")
@click.option("--since", help="Only articles published on or after this date (YYYY-MM-DD).")
@click.option("--until", help="Only articles published on or before this date (YYYY-MM-DD).")
@click.option("--locales", help="Comma-separated locales to keep, e.g. en_GB,ar (default: every locale the site "
              "serves, those the profile does not list too, such as uz).")
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
@click.option("--revisit-budget", type=int, metavar="N",
              help="Also fetch up to N known articles no listing offered: those whose revisit is due first, then "
                   "the others, most expected missed changes first (default: NEWSARCHIVE_REVISIT_BUDGET, 0: off).")
@click.option("--render", type=click.Choice(["auto", "always", "never"]),
              help="Render article pages in the system's Chromium: auto (default) only those whose page says it "
                   "has comments the HTML lacks (loaded by script), always every article, never none.")
@click.option("--no-index", is_flag=True,
              help="Do not rebuild the search lists at the end (for frequent crawls of a large archive: "
                   "run `newsarchive index` later, e.g. nightly).")
@click.option("--profile", type=click.Path(exists=True, dir_okay=False),
              help="A profile file of your own (docs/site-markup.md): SITE is one of its sites, by name or URL.")
@click.option("-s", "--set", "overrides", multiple=True, metavar="NAME=VALUE", help="Any Scrapy setting.")
def crawl(site, db_path, sections, max_pages, since, until, locales, base_url, allow_private, contact,
          job_dir, no_resume, photos_dir, full, refresh_window, redis_url, crawl_name, lookup_db, stale_pages,
          revisit_budget, render, no_index, profile, overrides):
    """Crawl a site into the archive. A crawl that was interrupted (killed, Ctrl-C) is resumed by
    running the same command again: its state lives in the archive.

    SITE is a profiled site's name (`newsarchive schedule` and `scrapy list` show them), or a
    section URL of any other site, crawled by the generic spider (sitemaps and feeds included); the
    site's RSS/Atom/JSON feed or sitemap will do as well (`--sections` adds more start URLs).

    \b
    Exit status: 0 the crawl finished and archived something; 1 it did not finish; 2 bad
    options; 4 it finished but archived nothing (no response, every article page failed, it met
    no article, new or known, or every article was one page under many URLs);
    75 another crawl of the site into the same archive is running.

    \b
    Examples:
        newsarchive crawl diyaruna --db archive.db --sections /en_GB/news/iraq --max-pages 3 --since 2024-01-01
        newsarchive crawl diyaruna --db archive.db --revisit-budget 200
        newsarchive crawl https://example.com/news/ --db archive.db --render always
        newsarchive crawl harbour --profile harbour.toml --db archive.db
    """
    from newsarchive.crawling import OptionError, run_crawl
    from newsarchive.locking import EXIT_LOCKED, CrawlLocked, LockUnavailable, crawl_lock
    from newsarchive.pipelines.store import ARCHIVE_MOVED_STAT

    try:
        plan = _plan_of(click.get_current_context().params)
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
            summary = run_crawl(plan.spider, str(db_path), plan.arguments, plan.settings, plan.profile_file)
        written = summary.archive_written
        if written and not (redis_url or no_index):  # a shard is searched after its merge
            rebuild_search_lists(db_path)
        if written and not redis_url:  # shards: the merged archive's copies, by `newsarchive duplicates`
            find_duplicates(db_path)
    except CrawlLocked as error:
        click.echo(f"not started: {error}", err=True)
        sys.exit(EXIT_LOCKED)
    except LockUnavailable as error:
        raise click.ClickException(str(error)) from None
    click.echo(f"crawl {summary.crawl_id} of {site}: {summary.finish_reason}; {summary.describe()}")
    if not summary.stats.get(ARCHIVE_MOVED_STAT):  # the file there now is not the crawl's archive, or none
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

    conn = open_archive_for_reading(db_path)
    try:
        return archive_counts(conn)
    finally:
        conn.close()


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

@click.command()
@click.option("--db", "db_path", type=click.Path(dir_okay=False, path_type=Path),
              default=Path("demo-archive.db"), show_default=True, help="The SQLite archive to write.")
@click.option("--articles", type=click.IntRange(min=1, max=100_000), default=200, show_default=True,
              help="Articles on the demo site (1 to 100,000).")
@click.option("--seed", type=int, default=0, show_default=True, help="Random seed of the generated site.")
@click.option("--site-dir", type=click.Path(file_okay=False, path_type=Path),
              help="Where to write the generated site (default: a temporary folder).")
@click.option("--port", type=PORT, default=8642, show_default=True,
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

    summary = run_demo(db_path, articles=articles, seed=seed, site_dir=site_dir, port=port, echo=click.echo)["summary"]
    if summary.archive_written:
        rebuild_search_lists(db_path)
        find_duplicates(db_path)
    if summary.exit_code:  # interrupted (Ctrl-C), say: the crawl's status, as `crawl` exits with
        click.echo(f"exit {summary.exit_code}: {summary.verdict()}", err=True)
        sys.exit(summary.exit_code)


# merge -----------------------------------------------------------------------------------------

@click.command()
@click.argument("sources", nargs=-1, required=True, type=click.Path(exists=True, dir_okay=False, path_type=Path))
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
    rebuild_search_lists(target)
    find_duplicates(target)  # the shards' copies of one story meet only here


def _plan_of(params: dict):
    """The crawl's plan (crawling.crawl_plan) of the crawl command's parsed options; OptionError
    for a bad one."""
    from newsarchive.crawling import crawl_plan

    names = ("sections", "max_pages", "since", "until", "locales", "base_url", "allow_private", "full", "contact",
             "photos_dir", "stale_pages", "refresh_window", "redis_url", "crawl_name", "lookup_db",
             "revisit_budget", "render", "profile")
    return crawl_plan(params["site"], **{name: params[name] for name in names}, resume=not params["no_resume"],
                      overrides=dict(_parse_overrides(params["overrides"])))


# schedule --------------------------------------------------------------------------------------

def _check_crawl_options(site: str, db_path: Path, extra: list[str]) -> None:
    """The --crawl-option words, read by the crawl command's own parser and checked as the crawl
    checks its options: an option it does not know, a value of the wrong type or out of its range
    (--max-pages=-5) would fail every scheduled run, unseen."""
    from newsarchive.crawling import OptionError

    try:
        _plan_of(crawl.make_context("crawl", [site, "--db", str(db_path), *extra]).params)
    except click.ClickException as error:
        raise click.BadParameter(error.format_message(), param_hint="'--crawl-option'") from None
    except OptionError as error:
        raise click.BadParameter(str(error), param_hint="'--crawl-option'") from None


@click.command()
@click.argument("sites", nargs=-1, required=True, metavar="SITE[:EVERY]...")
@click.option("--db", "db_path", type=click.Path(dir_okay=False, path_type=Path), default=Path("archive.db"),
              show_default=True, help="The archive the crawls write.")
@click.option("--every", default="6h", show_default=True, help="Default interval: 30m, 6h, 1d, 1w ...")
@click.option("--full-every", help="Also a --full crawl at this interval, e.g. 1w.")
@click.option("--format", "output", type=click.Choice(["cron", "systemd", "scrapyd"]), default="cron",
              show_default=True, help="crontab lines, systemd timer units, or crontab lines calling Scrapyd.")
@click.option("--log-dir", type=click.Path(file_okay=False, path_type=Path), default=Path("logs"),
              show_default=True, help="cron: where each site's log goes.")
@click.option("--scrapyd-url", default="http://127.0.0.1:6800", show_default=True, callback=_scrapyd_server,
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
    from newsarchive.profiles import all_site_names, find_site

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
    _check_crawl_options(jobs[0].site, db_path, list(extra))
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
    def plan_of(job):
        full = ["--full"] if job.full else []
        return _plan_of(crawl.make_context("crawl", [job.site, "--db", str(db_path), *extra, *full]).params)

    block = (scheduling.scrapyd_cron_lines(jobs, db_path, scrapyd_url, "newsarchive", plan_of) if output == "scrapyd"
             else scheduling.cron_lines(jobs, db_path, log_dir, list(extra)))
    if install:
        log_dir.mkdir(parents=True, exist_ok=True)
        scheduling.install_crontab(block)
        click.echo(f"installed {len(jobs)} crontab lines (crontab -l shows them)")
        return
    click.echo(block, nl=False)
