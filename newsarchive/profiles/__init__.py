"""Site profiles: what a family of sites looks like, as data.

A profile file (`<name>.toml` beside this module) names the family's sites (name, code, hosts,
start paths), its locales, URL patterns for each kind of page and CSS selectors for each field.
Parser code stays generic; everything site-specific lives in the profile. `rendered_fields`
(optional, e.g. `rendered_fields = ["comments"]`) names the article fields the sites load by
script: `crawl --render auto` renders an article in a browser when its page as sent lacks one
(newsarchive/rendering.py). `[discovery]` (optional: `sitemaps`, `feeds`, paths on the site)
names the files read for change signals (spiders/profiled.py).
"""

from __future__ import annotations

import locale
import re
import tomllib
from dataclasses import dataclass, field, fields
from functools import cache, lru_cache
from importlib.resources import files
from pathlib import Path
from urllib.parse import urlsplit

from cssselect import HTMLTranslator
from lxml.cssselect import CSSSelector

from newsarchive.options import check_choices, did_you_mean

# A locale as URLs write it: a language code, with a region after an underscore (en_GB, ar, uz),
# the language one the C library knows of (`xx`, a typo, is refused).
LOCALE_CODE = re.compile(r"([a-z]{2,3})(?:_[A-Z]{2})?")
_LANGUAGES = frozenset(name.split(".")[0].split("@")[0].split("_")[0] for name in locale.locale_alias)

# Read through importlib.resources, not the file system: Scrapyd runs the project from a zipped egg.
BUNDLED = files("newsarchive.profiles")


class ProfileError(ValueError):
    """A profile file that cannot be used: named in the message with what is wrong."""


@dataclass(frozen=True)
class Site:
    name: str
    code: str
    hosts: tuple[str, ...]
    start_paths: tuple[str, ...]

    @property
    def base_url(self) -> str:
        return f"https://{self.hosts[0]}"


@dataclass
class SiteProfile:
    name: str
    sites: list[Site]
    locales: list[str]
    default_locale: str
    languages: dict[str, str]
    rtl_locales: list[str]
    url_patterns: dict[str, re.Pattern]
    page_parameter: str
    article_selectors: dict[str, str]
    listing_selectors: dict[str, str]
    key: str = ""  # the name load_profile() finds it by: its file name without .toml
    # Selectors that public copies of the sites confirm, by kind ("article", "listing"); every
    # other selector is a guess, whose misses the cheap any-site layers make up for.
    confirmed: dict[str, frozenset[str]] = field(default_factory=dict)
    rendered_fields: tuple[str, ...] = ()  # article fields the sites load by script
    # [discovery]: paths of sitemaps and feeds read for change signals (spiders/profiled.py)
    sitemaps: tuple[str, ...] = ()
    feeds: tuple[str, ...] = ()

    def is_confirmed(self, kind: str, name: str) -> bool:
        return name in self.confirmed.get(kind, frozenset())

    def select(self, element, selector: str) -> list:
        """Elements under `element` matching a CSS selector, in document order."""
        return compiled_selector(selector)(element)

    def article_selector(self, name: str) -> str | None:
        return self.article_selectors.get(name)

    def listing_selector(self, name: str) -> str | None:
        return self.listing_selectors.get(name)

    def match_url(self, kind: str, url: str) -> re.Match | None:
        pattern = self.url_patterns.get(kind)
        return pattern.search(urlsplit(url).path) if pattern else None

    def page_kind(self, url: str) -> str | None:
        """"article", "listing" or None, from the URL alone."""
        if self.match_url("article", url):
            return "article"
        if any(self.match_url(kind, url) for kind in ("archive_index", "archive_month", "section")):
            return "listing"
        return None

    def site_for_url(self, url: str) -> Site | None:
        """The site a URL belongs to: by host, else by the site code in an article URL."""
        host = (urlsplit(url).hostname or "").lower()
        for site in self.sites:
            if host in site.hosts:
                return site
        match = self.match_url("article", url)
        if match and "code" in match.groupdict():
            return self.site_by_code(match["code"])
        return None

    def site_by_code(self, code: str) -> Site | None:
        return next((site for site in self.sites if site.code == code), None)

    def site_by_name(self, name: str) -> Site | None:
        return next((site for site in self.sites if site.name == name), None)

    def locale_for_url(self, url: str) -> str | None:
        """The locale a URL names: its first path segment when the profile lists it, else the
        `locale` group of the profile's pattern for the page (the sites serve locales the profile
        does not list: Uzbek and Kazakh on Caravanserai, whose pages were stored with no locale)."""
        first_segment = urlsplit(url).path.strip("/").split("/")[0]
        if first_segment in self.locales:
            return first_segment
        for kind in ("article", "section", "archive_month", "archive_index"):
            match = self.match_url(kind, url)
            if match is not None and match.groupdict().get("locale"):
                return match["locale"]
        return None

    def check_locales(self, values: list[str], name: str) -> list[str]:
        """Locales a user asked for: the profile's, or another written as a locale code of a language
        none of the profile's is in (uz, kk_KZ: see locale_for_url); anything else is refused, naming
        the closest (`en`, where the sites write en_GB, crawled nothing)."""
        listed_languages = {_language_of(listed) for listed in self.locales}
        check_choices([value for value in values
                       if not _is_locale_code(value) or _language_of(value) in listed_languages], self.locales, name)
        return values


def _is_locale_code(value: str) -> bool:
    code = LOCALE_CODE.fullmatch(value)
    return code is not None and code[1] in _LANGUAGES


def _language_of(locale_code: str) -> str:
    return locale_code.split("_")[0]


# The selectors the parsers read, by kind (docs/site-markup.md). Another name (a typo, or a
# natural guess such as `author` or `headline`) was accepted and read by nothing: the field came
# from another layer, or not at all, and `profile check` listed the selector as matching.
SELECTOR_NAMES = {
    "article": frozenset({
        "title", "date", "byline", "authors", "breadcrumb", "lead_photo", "body", "body_blocks", "body_photos",
        "photo_image", "photo_caption", "comment_count", "comments", "comment_author", "comment_date",
        "comment_body", "comment_id_attribute"}),
    "listing": frozenset({
        "item", "item_link", "item_title", "item_section", "item_date", "item_modified", "item_comment_count",
        "pager", "next_page", "section_links"}),
}
# cssselect's own HTML translation, not lxml's: lxml's reads `:contains()` through an XPath
# extension function of its own, which stopped evaluating ("XPath function lower-case not found")
# once trafilatura was loaded. Here `:contains()` is case-sensitive, as in jQuery; element names
# are matched in any case, as HTML's are.
_TRANSLATOR = HTMLTranslator()


@lru_cache(maxsize=1024)
def compiled_selector(selector: str) -> CSSSelector:
    """A CSS selector translated to XPath once per process: translation costs more than matching."""
    return CSSSelector(selector, translator=_TRANSLATOR)


def profile_from_dict(data: dict, source: str = "<dict>") -> SiteProfile:
    try:
        urls = dict(data["urls"])
        page_parameter = urls.pop("page_parameter", "page")
        def texts(table: dict, key: str, where: str, default: tuple[str, ...] = ()) -> tuple[str, ...]:
            return _texts(table.get(key, list(default)), f"{where}{key}", source)

        discovery = data.get("discovery", {})
        if not isinstance(data["sites"], list) or not all(isinstance(one, dict) for one in data["sites"]):
            raise ProfileError(f"profile {source}: sites must be an array of tables ([[sites]] with name, code, hosts)")
        if not isinstance(data["selectors"], dict):
            raise ProfileError(f"profile {source}: selectors must be a table ([selectors.article], [selectors.listing])")
        return SiteProfile(
            name=data["name"],
            sites=[
                Site(s["name"], s["code"], _texts(s["hosts"], "sites.hosts", source),
                     texts(s, "start_paths", "sites.", ("/",)))
                for s in data["sites"]
            ],
            locales=list(texts(data, "locales", "")),
            default_locale=data.get("default_locale", ""),
            languages=dict(data.get("languages", {})),
            rtl_locales=list(texts(data, "rtl_locales", "")),
            url_patterns={kind: re.compile(pattern) for kind, pattern in urls.items()},
            page_parameter=page_parameter,
            article_selectors=_checked_selectors(data["selectors"]["article"], "article", source),
            listing_selectors=_checked_selectors(data["selectors"]["listing"], "listing", source),
            confirmed=_confirmed(data["selectors"].get("confirmed", {}), source),
            rendered_fields=_rendered_fields(data.get("rendered_fields", []), source),
            sitemaps=texts(discovery, "sitemaps", "discovery."),
            feeds=texts(discovery, "feeds", "discovery."),
        )
    except KeyError as error:
        raise ProfileError(f"profile {source}: no {error.args[0]!r} in it (see the bundled profiles)") from error
    except (TypeError, AttributeError, re.error) as error:  # a table of the wrong type, a bad URL pattern
        raise ProfileError(f"profile {source}: {error!r}") from error


def _checked_selectors(table: dict, kind: str, source: str) -> dict[str, str]:
    """A profile's selectors, each a CSS selector that compiles (an attribute's name for the keys
    ending in _attribute): a bad one raised cssselect's error at the first page, naming neither
    the profile nor the selector."""
    from cssselect import SelectorError

    if not isinstance(table, dict):
        raise ProfileError(f"profile {source}: selectors.{kind} must be a table of selectors ([selectors.{kind}] "
                           f"with name = \"css\" lines), not {table!r}")
    checked = {}
    for name, selector in table.items():
        if name not in SELECTOR_NAMES[kind]:
            raise ProfileError(f"profile {source}: selectors.{kind}.{name} is no selector the parsers read"
                               f"{did_you_mean(name, SELECTOR_NAMES[kind])} (they read: "
                               f"{', '.join(sorted(SELECTOR_NAMES[kind]))})")
        if not isinstance(selector, str):
            raise ProfileError(f"profile {source}: selectors.{kind}.{name} must be text, not {selector!r}")
        if not name.endswith("_attribute"):
            try:
                compiled_selector(selector)
            except SelectorError as error:
                raise ProfileError(f"profile {source}: selectors.{kind}.{name} = {selector!r} is no CSS selector "
                                   f"({error})") from None
        checked[name] = selector
    return checked


def _texts(value, name: str, source: str) -> tuple[str, ...]:
    """A list of texts the profile gives: one text where a list is wanted was split into its
    characters (hosts = "news.example.org" made the hosts n, e, w ...; start_paths = "/news/" a crawl
    of /n, /e, /w, /s)."""
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        raise ProfileError(f"profile {source}: {name} must be a list of texts (as {name} = [\"...\"]), not {value!r}")
    return tuple(value)


def _confirmed(table: dict, source: str) -> dict[str, frozenset[str]]:
    """[selectors.confirmed]: for each kind, the names of its selectors that public copies confirm."""
    if not isinstance(table, dict):
        raise ProfileError(f"profile {source}: selectors.confirmed must be a table (article = [...], listing = [...])")
    confirmed = {}
    for kind, names in table.items():
        if kind not in SELECTOR_NAMES:
            raise ProfileError(f"profile {source}: selectors.confirmed.{kind} is no kind of page (article, listing)")
        listed = _texts(names, f"selectors.confirmed.{kind}", source)
        if unknown := [name for name in listed if name not in SELECTOR_NAMES[kind]]:
            raise ProfileError(f"profile {source}: selectors.confirmed.{kind} names no selector the parsers read: "
                               f"{', '.join(unknown)}")
        confirmed[kind] = frozenset(listed)
    return confirmed


def _rendered_fields(names: list, source: str) -> tuple[str, ...]:
    """The profile's rendered_fields, each an Article field that a rendering gives: the comments,
    or one of items.FILLABLE_FIELDS. A page would be rendered for any other and nothing taken."""
    from newsarchive.items import FILLABLE_FIELDS, Article

    if not isinstance(names, list):
        raise ProfileError(f"profile {source}: rendered_fields must be a list of field names, not {names!r}")
    known = {item.name for item in fields(Article)}
    unknown = [name for name in names if name not in known]
    if unknown:
        raise ProfileError(f"profile {source}: rendered_fields names no article field: {', '.join(map(str, unknown))}")
    renderable = ("comments", *FILLABLE_FIELDS)
    unfilled = [name for name in names if name not in renderable]
    if unfilled:
        raise ProfileError(f"profile {source}: rendered_fields names a field no rendering gives: {', '.join(unfilled)} "
                           f"(it gives {', '.join(renderable)})")
    return tuple(names)


@cache
def load_profile(name: str) -> SiteProfile:
    """Load a bundled profile by name (`diyaruna`) or a profile file by path."""
    path = Path(name) if name.endswith(".toml") else BUNDLED.joinpath(f"{name}.toml")
    if not path.is_file():
        raise ProfileError(f"no profile named {name!r} (looked for {path})")
    with path.open("rb") as handle:
        try:
            data = tomllib.load(handle)
        except tomllib.TOMLDecodeError as error:
            raise ProfileError(f"profile {path} is not TOML: {error}") from None
        except UnicodeDecodeError as error:  # TOML is UTF-8
            raise ProfileError(f"profile {path} is not UTF-8 text (TOML files are): {error.reason} at byte "
                               f"{error.start}") from None
    profile = profile_from_dict(data, source=str(path))
    profile.key = str(path) if name.endswith(".toml") else name
    return profile


def bundled_profiles() -> list[SiteProfile]:
    names = sorted(entry.name[:-len(".toml")] for entry in BUNDLED.iterdir() if entry.name.endswith(".toml"))
    return [load_profile(name) for name in names]


def find_site(name_or_url: str) -> tuple[SiteProfile, Site] | None:
    """The bundled profile and site for a site name (`diyaruna`) or a URL on one of its hosts."""
    for profile in bundled_profiles():
        site = profile.site_by_name(name_or_url)
        if site is None and "://" in name_or_url:
            site = profile.site_for_url(name_or_url)
        if site is not None:
            return profile, site
    return None


def profile_and_site(site: str | None, url: str | None = None, profile_file: str | None = None
                     ) -> tuple[SiteProfile, Site] | None:
    """The profile and site a command reads a page with: from a profile file (a site by name, else
    by the URL's host, else its only site), else the bundled profile of a site name or URL; None
    when none knows them. ProfileError for a file that cannot be used or names no such site."""
    if profile_file:
        profile = load_profile(str(profile_file))
        chosen = profile.site_by_name(site) if site else (profile.site_for_url(url) if url else None)
        if chosen is None and not site and len(profile.sites) == 1:
            chosen = profile.sites[0]
        if chosen is None:
            names = [one.name for one in profile.sites]
            wanted = f"site named {site!r}{did_you_mean(site, names)}" if site else f"site for {url}"
            raise ProfileError(f"profile {profile_file} has no {wanted} (its sites: {', '.join(names)})")
        return profile, chosen
    return find_site(site or url or "")


def all_site_names() -> list[str]:
    """The names of every site of the bundled profiles, as `newsarchive crawl` takes them."""
    return [site.name for profile in bundled_profiles() for site in profile.sites]
