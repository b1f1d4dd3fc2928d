"""A profile against one page: each selector, whether it matched, and what was found instead.

    newsarchive profile check https://diyaruna.com/en_GB/articles/cnmi_di/features/2019/02/26/feature-03
    newsarchive profile check saved.html --url https://... --profile my-diyaruna.toml

For every selector of the page's kind (article or listing): the CSS, whether public copies of the
site confirm it or it is our guess, how many elements it matches, and the field it fills with the
layer that filled it. Where a selector matched nothing and another layer found its field in the
page's markup (a byline, figures, comments, a counter), the element that layer found is named as
`tag.class`, ready to become the selector: fixing the profile is then a one-line change in its
TOML file, checked again with `--profile`.
"""

from __future__ import annotations

from dataclasses import dataclass

from newsarchive.parsers import page_kind, parse_page
from newsarchive.parsers.bylines import byline_element
from newsarchive.parsers.comments import comment_counter_element, comment_items
from newsarchive.parsers.document import parse_document
from newsarchive.profiles import Site, SiteProfile

# The record field each article selector fills.
ARTICLE_FIELDS = {
    "title": "title", "date": "published_at", "byline": "authors", "authors": "authors",
    "breadcrumb": "section_path", "lead_photo": "photos", "body": "body_text", "body_blocks": "body_text",
    "body_photos": "photos", "photo_image": "photos", "photo_caption": "photos", "comment_count": "comment_count",
    "comments": "comments", "comment_author": "comments", "comment_date": "comments", "comment_body": "comments",
}
NOT_SELECTORS = {"comment_id_attribute"}
# Selectors read inside the elements of another (parsers/article.py, listing.py), counted there:
# over the whole page, `authors = "a span"` matched 29 elements where the parser, inside the byline,
# read 1; a comment_author matching nothing inside any comment said "ok". A container a profile
# does not name is the page (authors without a byline are read in the page).
READ_WITHIN = {
    "article": {"authors": ("byline",), "body_blocks": ("body",), "body_photos": ("body",),
                "photo_image": ("lead_photo", "body_photos"), "photo_caption": ("lead_photo", "body_photos"),
                "comment_author": ("comments",), "comment_date": ("comments",), "comment_body": ("comments",)},
    "listing": {name: ("item",) for name in ("item_link", "item_title", "item_section", "item_date", "item_modified",
                                              "item_comment_count")},
}
# The selectors another layer's element can stand in for: containers, not the parts read inside
# them (a comment item is no comment_author; a figure is no photo_caption).
SUGGESTED = {"byline": "authors", "comments": "comments", "comment_count": "comment_count",
             "lead_photo": "photos", "body_photos": "photos"}


@dataclass
class SelectorCheck:
    name: str
    css: str
    confirmed: bool
    matches: int
    field: str | None = None
    source: str | None = None  # the layer that filled the field
    found: str | None = None  # the field's value, short
    suggestion: str | None = None  # the element another layer found, as a selector
    left_out: str | None = None  # the record's warning that the selector matched but left some of the page out

    @property
    def status(self) -> str:
        return "confirmed" if self.confirmed else "guessed"


def check_page(url: str, body: bytes, profile: SiteProfile, site: Site | None,
               content_type: str | None = None) -> tuple[str, list[SelectorCheck]]:
    """(the page's kind, a check per selector of that kind)."""
    doc = parse_document(url, body, content_type)
    kind = page_kind(doc, profile)
    record = parse_page(url, body, profile, site, content_type, kind=kind).to_dict()
    selectors = profile.article_selectors if kind == "article" else profile.listing_selectors
    suggestions = _what_other_layers_found(doc.root) if kind == "article" else {}
    # What the parser said the profile's selectors left out (parsers/article.py: "profile: the
    # body_blocks selector ... left 2 block(s) of the body element out").
    left_out = [warning for warning in record.get("warnings") or () if warning.startswith("profile: the ")]
    checks = []
    for name, css in selectors.items():
        if name in NOT_SELECTORS:
            continue
        check = SelectorCheck(name, css, profile.is_confirmed(kind, name), _matches(doc.root, profile, kind, name))
        check.left_out = next((warning for warning in left_out if f" {name} selector " in warning), None)
        if kind == "article" and name in ARTICLE_FIELDS:
            check.field = ARTICLE_FIELDS[name]
            check.source = record["sources"].get(check.field)
            check.found = _short(record.get(check.field))
            if check.matches == 0 and check.source not in (None, "profile") and name in SUGGESTED:
                check.suggestion = suggestions.get(SUGGESTED[name])
        checks.append(check)
    return kind, checks


def _matches(root, profile: SiteProfile, kind: str, name: str) -> int:
    """How many elements a selector matches where the parser reads it: in the page, or inside each
    element of the selectors it is read within (READ_WITHIN)."""
    selectors = profile.article_selectors if kind == "article" else profile.listing_selectors
    named = [selectors[within] for within in READ_WITHIN[kind].get(name, ()) if selectors.get(within)]
    if not named:
        return len(profile.select(root, selectors[name]))
    containers = [found for css in named for found in profile.select(root, css)]
    return len({element for container in containers for element in profile.select(container, selectors[name])})


def _what_other_layers_found(root) -> dict[str, str]:
    """Field -> the markup element the any-site layers found it in, as `tag.class`."""
    found = {}
    byline = byline_element(root)
    if byline is not None:
        found["authors"] = css_of(byline)
    items = comment_items(root)
    if items:
        parent = items[0].getparent()
        found["comments"] = f"{css_of(parent)} {css_of(items[0])}" if parent is not None else css_of(items[0])
    counter = comment_counter_element(root)
    if counter is not None:
        found["comment_count"] = css_of(counter)
    figures = root.xpath("//article//figure[.//img] | //main//figure[.//img]")
    if figures:
        found["photos"] = css_of(figures[0])
    return found


def css_of(element) -> str:
    """`tag.first-class`: the shortest selector a profile would write for an element."""
    classes = (element.get("class") or "").split()
    return element.tag + (f".{classes[0]}" if classes else "")


def _short(value) -> str | None:
    if value in (None, "", []):
        return None
    if isinstance(value, list):
        first = value[0]
        label = first.get("name") or first.get("url") or first.get("body_text") if isinstance(first, dict) else first
        return f"{len(value)}: {' '.join(str(label).split())[:50]}"  # one line: a comment's paragraphs too
    text = " ".join(str(value).split())  # one line: a body's paragraphs are parted by blank lines
    return text if len(text) <= 60 else text[:57] + "..."


def format_checks(kind: str, checks: list[SelectorCheck]) -> str:
    lines = [f"a {kind} page; {sum(c.matches > 0 for c in checks)} of {len(checks)} selectors match"]
    if leaving := sum(check.left_out is not None for check in checks):
        lines[0] += f", {leaving} leave{'s' if leaving == 1 else ''} some of the page out"
    width = max(len(check.name) for check in checks)
    for check in checks:
        mark = ("LEFT" if check.left_out else "ok  ") if check.matches else "MISS"
        line = f"{mark} {check.name:{width}s}  {check.status:9s}  {check.matches:3d}  {check.css}"
        if check.field:
            line += f"  -> {check.field} from {check.source or 'nothing'}"
            if check.found:
                line += f" ({check.found})"
        lines.append(line)
        if check.suggestion:
            lines.append(f"     {'':{width}s}  found by the {check.source} layer in {check.suggestion}: "
                         f'try {check.name} = "{check.suggestion}"')
        if check.left_out:
            lines.append(f"     {'':{width}s}  {check.left_out.removeprefix('profile: ')}")
    return "\n".join(lines) + "\n"
