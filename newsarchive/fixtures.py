"""Fixture cases: saved pages with the records the parsers must return, and the check over them.

A case is a folder `<fixtures>/<site>/<name>/` holding `page.html` (the bytes as served),
`case.json` (`url`, `charset`, `description`, and `checked_by_hand` with `checked`: whether a
person compared expected.json with the page, and what they compared; `profile`, a profile file the
case is read with, or `any_site`, read with none) and `expected.json` (the
record). A recorded case holds what the parsers make of the page *today*: until someone checks
it, it catches changes, not errors, and `fixtures check` says so. `check_cases`
re-parses every page and reports each field that differs, so an archivist's CI fails, with a
readable diff, the day a site's markup and our parsers part ways.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from newsarchive.parsers import ParseError, parse_page
from newsarchive.profiles import ProfileError, profile_and_site

PAGE_FILE, CASE_FILE, EXPECTED_FILE = "page.html", "case.json", "expected.json"
# case.json's mark of a case read with the any-site layers, no profile (`fixtures record --any-site`):
# its site folder's name, even a profiled site's, and its URL's host choose none.
ANY_SITE = "any_site"


@dataclass
class FixtureCase:
    site: str
    name: str
    folder: Path

    @property
    def label(self) -> str:
        return f"{self.site}/{self.name}"

    def meta(self) -> dict:
        meta = self._json(CASE_FILE)
        if not isinstance(meta.get("url"), str):
            raise BadCase(f"{self.folder / CASE_FILE} names no page URL (\"url\")")
        if not isinstance(meta.get(ANY_SITE, False), bool):
            raise BadCase(f"{self.folder / CASE_FILE}: \"{ANY_SITE}\" is true or false, not {meta[ANY_SITE]!r}")
        return meta

    def _json(self, name: str) -> dict:
        """One of the case's JSON files, an object; BadCase naming the file when it is not."""
        path = self.folder / name
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, ValueError) as error:
            raise BadCase(f"{path} cannot be read: {error}") from None
        if not isinstance(data, dict):
            raise BadCase(f"{path} holds {type(data).__name__}, not a JSON object")
        return data

    def body(self) -> bytes:
        """The saved page; BadCase naming it when it cannot be read (not committed, an LFS pointer's
        file not fetched): the other cases are still checked."""
        path = self.folder / PAGE_FILE
        try:
            return path.read_bytes()
        except OSError as error:
            raise BadCase(f"{path} cannot be read: {error.strerror or error}") from None

    @property
    def checked_by_hand(self) -> bool:
        try:
            return bool(self.meta().get("checked_by_hand"))
        except BadCase:
            return False

    def expected(self) -> dict:
        return self._json(EXPECTED_FILE)

    def parse(self) -> dict:
        """The record the parsers make of the saved page now, as plain JSON data."""
        meta = self.meta()
        content_type = f"text/html; charset={meta['charset']}" if meta.get("charset") else None
        any_site = meta.get(ANY_SITE, False)
        try:  # the profile file the case was recorded with, else the bundled profile of its site
            found = None if any_site else profile_and_site(self.site, meta["url"], meta.get("profile"))
        except ProfileError as error:
            raise BadCase(str(error)) from None
        profile, site = found if found else (None, None)
        try:
            record = parse_page(meta["url"], self.body(), profile=profile, site=site, content_type=content_type,
                                find_profile=not any_site)
        except ParseError as error:
            return {"kind": "error", "reason": error.reason, "message": str(error)}
        return json.loads(json.dumps(record.to_dict(), ensure_ascii=False))


@dataclass
class Difference:
    path: str
    expected: object
    got: object

    def describe(self) -> str:
        if self.expected is _MISSING:
            return f"  {self.path}: unexpected field, got {_show(self.got)}"
        if self.got is _MISSING:
            return f"  {self.path}: missing, expected {_show(self.expected)}"
        return f"  {self.path}\n    expected: {_show(self.expected)}\n    got:      {_show(self.got)}"


_MISSING = object()


def find_cases(root: Path, site: str | None = None) -> list[FixtureCase]:
    cases = []
    for case_file in sorted(Path(root).glob(f"{site or '*'}/*/{CASE_FILE}")):
        folder = case_file.parent
        cases.append(FixtureCase(site=folder.parent.name, name=folder.name, folder=folder))
    return cases


def diff_records(expected, got, path: str = "") -> list[Difference]:
    """Field-by-field differences between two JSON values, with dotted paths.

    >>> [d.path for d in diff_records({"complete": True, "depth": 0, "n": 2}, {"complete": 1, "depth": 0.0, "n": 2})]
    ['complete', 'depth']
    """
    if isinstance(expected, dict) and isinstance(got, dict):
        differences = []
        for key in list(expected) + [k for k in got if k not in expected]:
            child = f"{path}.{key}" if path else key
            differences += diff_records(expected.get(key, _MISSING), got.get(key, _MISSING), child)
        return differences
    if isinstance(expected, list) and isinstance(got, list):
        differences = []
        if len(expected) != len(got):
            differences.append(Difference(f"{path} (length)", len(expected), len(got)))
        for index in range(max(len(expected), len(got))):
            differences += diff_records(
                expected[index] if index < len(expected) else _MISSING,
                got[index] if index < len(got) else _MISSING,
                f"{path}[{index}]",
            )
        return differences
    if expected is _MISSING and got is _MISSING:
        return []
    # The same JSON value: of the same type too, as JSON readers see them (true is no 1, 0.0 no 0).
    same = expected == got and type(expected) is type(got)
    return [] if same else [Difference(path, expected, got)]


def check_case(case: FixtureCase) -> list[Difference]:
    return diff_records(case.expected(), case.parse())


class BadCase(ValueError):
    """A case whose case.json or expected.json cannot be read as the case's: the message names the file."""


class CaseExists(FileExistsError):
    """A case of that name is already recorded: replacing it (and its checked_by_hand) needs force."""


class BadCaseName(ValueError):
    """A site or case name that is not one plain folder name."""


def case_folder(root: Path, site: str, name: str) -> Path:
    """The folder of a case; site and name must each be one folder name (no separators, no ..)."""
    for label, value in (("site", site), ("case name", name)):
        if not value or value in (".", "..") or "/" in value or "\\" in value:
            raise BadCaseName(f"{label} {value!r} must be a plain folder name, e.g. windows-1256-charset")
    return Path(root) / site / name


def existing_case(root: Path, site: str, name: str) -> FixtureCase | None:
    folder = case_folder(root, site, name)
    return FixtureCase(site=site, name=name, folder=folder) if (folder / CASE_FILE).exists() else None


def record_case(root: Path, site: str, name: str, url: str, body: bytes, charset: str | None,
                description: str = "", force: bool = False, profile: str | None = None,
                any_site: bool = False) -> FixtureCase:
    """Save a page as a new case, with the parsers' current output as the expected record.
    profile: a profile file the case is read with; any_site: read with no profile, whatever the
    site's name (ANY_SITE in case.json).

    An existing case is replaced only with force: its expected record may have been checked by hand.
    """
    if existing_case(root, site, name) and not force:
        raise CaseExists(f"fixture case {site}/{name} already exists in {root}")
    folder = case_folder(root, site, name)
    folder.mkdir(parents=True, exist_ok=True)
    (folder / PAGE_FILE).write_bytes(body)
    meta = {"url": url, "charset": charset, "description": description, "checked_by_hand": False,
            "checked": "not yet: compare every field of expected.json with the page, then say what you checked",
            **({"profile": profile} if profile else {}),  # a profile file, as given (from where checks run)
            **({ANY_SITE: True} if any_site else {})}
    (folder / CASE_FILE).write_text(json.dumps(meta, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    case = FixtureCase(site=site, name=name, folder=folder)
    write_expected(case, case.parse())
    return case


def write_expected(case: FixtureCase, record: dict) -> None:
    text = json.dumps(record, ensure_ascii=False, indent=2) + "\n"
    (case.folder / EXPECTED_FILE).write_text(text, encoding="utf-8")


def _show(value) -> str:
    text = json.dumps(value, ensure_ascii=False)
    return text if len(text) <= 160 else text[:157] + "..."
