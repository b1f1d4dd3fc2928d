"""Commands about single pages and the site profiles that read them: `extract` (one saved page's
record), `fixtures check` / `fixtures record` (saved pages with expected records) and
`profile check` (each selector of a profile against one page)."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

# The parsers, profiles and fixtures modules are imported inside the commands, not here: they
# bring Scrapy's selectors with them, which `newsarchive --help` should not wait for.


# extract -------------------------------------------------------------------------------------

@click.command()
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--url", required=True, help="The URL the page was fetched from.")
@click.option("--site", help="Site profile name, when the URL's host is not the site's (a mirror).")
@click.option("--charset", help="The charset the server declared, if known.")
@click.option("--profile", "profile_path", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="A profile file of your own to read the page with (see docs/site-markup.md).")
@click.option("--any-site", is_flag=True, help="Read the page with the any-site layers alone, even where a "
                                               "bundled profile knows its site (what a profile adds, by comparison).")
def extract(file: Path, url: str, site: str | None, charset: str | None, profile_path: Path | None, any_site: bool):
    """Print one saved page's record as JSON, each field with the layer that gave it.

    \b
    Example:
        newsarchive extract page.html --url https://diyaruna.com/en_GB/articles/cnmi_di/features/2019/02/26/feature-03
    """
    from newsarchive.parsers import ParseError, parse_page

    if any_site and (site or profile_path):
        raise click.UsageError("--any-site reads the page with no profile: give it without --site or --profile")
    profile, site_record = _profile_and_site(site, url, profile_path, only_named=True)
    content_type = f"text/html; charset={charset}" if charset else None
    body = saved_page(file)
    try:
        record = parse_page(url, body, profile=profile, site=site_record, content_type=content_type,
                            find_profile=not any_site)
    except ParseError as error:
        raise click.ClickException(str(error)) from error
    click.echo(json.dumps(record.to_dict(), ensure_ascii=False, indent=2))


def saved_page(file: Path, param_hint: str = "FILE") -> bytes:
    """The bytes of a saved page: a regular file no bigger than a crawl takes a page
    (DOWNLOAD_MAXSIZE). /dev/zero was read for ever, a named pipe waited for good, and a file of
    gigabytes was read whole into memory."""
    from newsarchive.settings import DOWNLOAD_MAXSIZE

    if not file.is_file():
        raise click.BadParameter(f"{file} is not a regular file (a device, a pipe ...)", param_hint=param_hint)
    with open(file, "rb") as saved:
        body = saved.read(DOWNLOAD_MAXSIZE + 1)
    if len(body) > DOWNLOAD_MAXSIZE:
        raise click.BadParameter(f"{file} is larger than {DOWNLOAD_MAXSIZE // 2**20} MB, the most a crawl takes of "
                                 "a page (DOWNLOAD_MAXSIZE)", param_hint=param_hint)
    return body


def _profile_and_site(site: str | None, url: str | None, profile_path: Path | None, only_named: bool = False):
    """The profile and site to read a page with (profiles.profile_and_site); (None, None) for none.
    `only_named`: a bundled profile only for a --site named (the parsers find one by the URL)."""
    from newsarchive.profiles import ProfileError, profile_and_site

    if only_named and not site and not profile_path:
        return None, None
    try:
        found = profile_and_site(site, url, str(profile_path) if profile_path else None)
    except ProfileError as error:
        raise click.ClickException(str(error)) from None
    if not found and site:
        raise click.BadParameter(f"no site profile has a site named {site!r}", param_hint="--site")
    return found or (None, None)


# fixtures ------------------------------------------------------------------------------------

fixtures_dir_option = click.option(
    "--dir", "fixtures_dir", type=click.Path(file_okay=False, path_type=Path),
    default=Path("tests/fixtures"), show_default=True, help="Folder of fixture cases.",
)


@click.group()
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
    from newsarchive import fixtures as fixture_cases

    cases = fixture_cases.find_cases(fixtures_dir, site)
    if not cases:
        raise click.ClickException(f"no fixture cases under {fixtures_dir}" + (f" for site {site}" if site else ""))
    failed = 0
    for case in cases:
        try:
            differences = fixture_cases.check_case(case)
        except fixture_cases.BadCase as error:  # the other cases are still checked
            failed += 1
            click.echo(f"FAIL {case.label}: {error}")
            continue
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
@click.option("--site", help="Site name: the folder under the fixtures dir (a profile's site; with --any-site, "
                              "any name, by default the page's host).")
@click.option("--name", required=True, help="Case name, after what it exercises (windows-1256-charset).")
@click.option("--url", help="The page's URL, when SOURCE is a file (default: SOURCE when it is a URL).")
@click.option("--charset", help="The charset the page's bytes are in, when known.")
@click.option("--description", default="", help="One sentence: what this case exercises.")
@click.option("--force", is_flag=True, help="Replace the case if one of that name exists (and its checked expected record).")
@click.option("--profile", "profile_path", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="A profile file of your own: the case is read with it, now and by `fixtures check` (its path "
                   "is kept as given: give it as your checks will find it).")
@click.option("--any-site", is_flag=True,
              help="Read the page with the any-site layers, no profile (a site no profile knows): so do the checks.")
@fixtures_dir_option
def fixtures_record(source, site, name, url, charset, description, force, profile_path, any_site, fixtures_dir):
    """Save a page (a URL or a file) as a fixture case and write its current parse to review.
    An existing case is kept unless --force is given: its expected record may have been checked by hand.

    \b
    Examples:
        newsarchive fixtures record saved.html --site diyaruna --name arabic-article \\
            --url https://diyaruna.com/ar/articles/cnmi_di/features/2020/03/15/feature-01
        newsarchive fixtures record story.html --any-site --name live-blog --url https://news.example.org/2024/05/01/story
    """
    from newsarchive import fixtures as fixture_cases

    if any_site and profile_path:
        raise click.UsageError("give --profile (read with that profile) or --any-site (read with none), not both")
    if not site and not any_site:
        raise click.BadParameter("give the site's name (or --any-site for a site no profile knows)", param_hint="--site")
    if not site:  # the page's host names the folder
        site = _host_of(_page_url(source, url))
    _check_new_case(fixtures_dir, site, name, force, profile_path, any_site)
    body, url, charset = _page_source(source, url, charset)
    case = fixture_cases.record_case(fixtures_dir, site, name, url, body, charset, description, force=force,
                                     profile=str(profile_path) if profile_path else None, any_site=any_site)
    click.echo(f"recorded {case.label} in {case.folder}: review {fixture_cases.EXPECTED_FILE} before committing")


def _page_source(source: str, url: str | None, charset: str | None) -> tuple[bytes, str, str | None]:
    """A page's bytes, URL and charset, from a URL (downloaded) or a saved file (with --url)."""
    url = _page_url(source, url)
    if "://" in source:
        body, charset = _download(source, charset)
        return body, url, charset
    if not Path(source).is_file():
        raise click.BadParameter(f"{source} is not a file or a URL", param_hint="SOURCE")
    return saved_page(Path(source), "SOURCE"), url, charset


def _check_new_case(fixtures_dir: Path, site: str, name: str, force: bool, profile_path: Path | None = None,
                    any_site: bool = False) -> None:
    """A profiled site (any name with any_site) and a case name not taken (or --force), checked
    before anything is fetched."""
    from newsarchive import fixtures as fixture_cases
    from newsarchive.options import did_you_mean
    from newsarchive.profiles import all_site_names

    if profile_path:
        _profile_and_site(site, None, profile_path)  # the file's site
    elif site not in all_site_names() and not any_site:
        raise click.BadParameter(f"no site profile has a site named {site!r}{did_you_mean(site, all_site_names())}; "
                                 f"known: {', '.join(all_site_names())} (or give --any-site to read the page "
                                 "with no profile)", param_hint="--site")
    try:
        existing = fixture_cases.existing_case(fixtures_dir, site, name)
    except fixture_cases.BadCaseName as error:
        raise click.BadParameter(str(error), param_hint="--name") from None
    if existing and not force:
        raise click.UsageError(f"fixture case {existing.label} already exists in {existing.folder}: "
                               "give --force to replace it")


def _page_url(source: str, url: str | None) -> str:
    """The page's URL: --url, else SOURCE when it is a URL."""
    if url:
        return url
    if "://" in source:
        return source
    raise click.BadParameter("give the page's --url when SOURCE is a saved file", param_hint="--url")


def _host_of(url: str) -> str:
    """The host of a page's URL, as a case folder's name (one plain name: no port)."""
    from urllib.parse import urlsplit

    try:
        host = urlsplit(url).hostname
    except ValueError:
        host = None
    if not host:
        raise click.BadParameter(f"no host in {url!r} to name the case's folder after: give --site NAME",
                                 param_hint="--site")
    return host


def _download(url: str, charset: str | None) -> tuple[bytes, str | None]:
    import urllib.request

    request = urllib.request.Request(url, headers={"User-Agent": "newsarchive fixtures record"})
    try:
        with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310 (user-given URL)
            return response.read(), charset or response.headers.get_content_charset()
    except (OSError, ValueError) as error:  # URLError, HTTPError, a timeout, a malformed URL
        raise click.ClickException(f"cannot fetch {url}: {error}") from None


# profile ---------------------------------------------------------------------------------------

@click.group()
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
    from newsarchive.parsers import ParseError
    from newsarchive.profiles.check import check_page, format_checks

    body, url, charset = _page_source(source, url, charset)
    found = _profile_and_site(site, url, profile_path)
    if not found[0]:
        raise click.UsageError(f"no site profile knows {url} (give --site NAME for a mirror, or --profile FILE)")
    content_type = f"text/html; charset={charset}" if charset else None
    try:
        kind, checks = check_page(url, body, found[0], found[1], content_type)
    except ParseError as error:
        raise click.ClickException(str(error)) from None
    click.echo(format_checks(kind, checks), nl=False)
