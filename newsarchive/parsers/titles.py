"""The headline as the page shows it, from the titles a page gives of itself.

A page names its story several times: the visible `h1`, JSON-LD `headline`, `og:title` and the
`<title>` in the browser's tab, which usually adds the site's name ("Story | Site", "Site: Story").
`choose_title` takes them all (strings, no markup) and returns the headline. Its caller reads each
`h1` as the page shows it, less a subtitle after the headline and less a short kicker the `h1` sets
apart in an element of its own before it (newsarchive/parsers/article.py, `_shown_headline`):

1. every title is unescaped once more (`&amp;quot;` written twice is common in metadata);
2. the site's name is learned from the page itself: its publisher names (`og:site_name`, JSON-LD
   publisher), its host name, and what one title adds around another ("Story | Site" beside
   "Story"); it is then cut off every title where a separator joins it (`strip_site_name`);
3. an `h1` that agrees with another title (the same text, one inside the other, or most of the
   same words) is the headline as shown; an `h1` that is the site's name is the logo, not a
   headline; an `h1` that only adds a short kicker before another title gives that title;
4. else the page's only `h1` when it is four words or more, else the first metadata headline,
   else the first `h1`, else the `<title>` (the part an `h2` shows, or less its last part), each
   without the site's name.

>>> choose_title(["My Blog", "Rain in Spain"], ["Rain in Spain | My Blog"], "Rain in Spain | My Blog", [], "blog.example")
'Rain in Spain'
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from html import unescape

# A separator between a headline and a site name: a bar, a double colon, guillemets or a bullet
# (spaces optional), or a dash or slash between spaces.
_SEPARATOR = re.compile(r"\s*(?:\||::|»|«|·|•)\s*|\s+[-–—/]\s+")
# "Site: Headline" (a colon only ever separates a leading site name).
_LEADING_COLON = re.compile(r":\s+")
_WORD = re.compile(r"\w+")
_DOMAIN = re.compile(r"^(?:https?://)?(?:www\.)?[\w-]+(?:\.[\w-]+)*\.[a-z]{2,}/?$", re.I)
# At most this many words of kicker ("Inland:", "Wetterlage") before a headline inside an h1.
KICKER_WORDS = 4
# At least this many words make a page's only h1 its headline against metadata that disagrees.
_HEADLINE_WORDS = 4
# What follows a headline that begins a <title>: a mark before the site's part.
_HEADING_THEN_MARK = re.compile(r"^(?:\s*[:|»«·•]|\s+[-–—/]\s)")


def clean_title(text: str | None) -> str | None:
    """A title with entities decoded (once more: metadata often escapes them twice) and its
    whitespace collapsed.

    >>> clean_title("  &quot;Tom &amp;amp; Jerry&quot;\\n")
    '"Tom & Jerry"'
    """
    if not text:
        return None
    for _ in range(2):
        if "&" not in text:
            break
        text = unescape(text)
    return " ".join(text.split()) or None


def key(text: str) -> str:
    """The comparison form of a title or name: case-folded letters and digits only.

    >>> key("Stack Overflow-Blog!")
    'stackoverflowblog'
    """
    return "".join(_WORD.findall(text.casefold())).replace("_", "")


def host_names(host: str | None) -> set[str]:
    """The keys a site's host name may appear under in its titles.

    >>> sorted(host_names("www.example-news.co.uk"))
    ['examplenews', 'examplenewscouk']
    """
    host = (host or "").lower().removeprefix("www.")
    if not host:
        return set()
    return {key(host), key(host.split(".")[0])} - {""}


def _splits(title: str):
    """Every way to cut a title at one separator: (before, after) pairs, leading colon included."""
    for match in _SEPARATOR.finditer(title):
        if match.start() > 0 and match.end() < len(title):
            yield title[: match.start()].strip(), title[match.end():].strip()
    colon = _LEADING_COLON.search(title)
    if colon:
        yield title[: colon.start()].strip(), title[colon.end():].strip()


def is_site_name(text: str, site_keys: set[str]) -> bool:
    """Whether a title part names the site: a known name or host, or a bare domain or URL.

    >>> is_site_name("Example.com", set())
    True
    >>> is_site_name("The Daily Planet", {"thedailyplanet"})
    True
    """
    return key(text) in site_keys or bool(_DOMAIN.match(text.strip()))


def strip_site_name(title: str, site_keys: set[str]) -> str:
    """The title without a site name joined to its end ("Story | Site", "Story - Site.com") or to
    its start ("Site | Story", "Site: Story"); repeated for "Story - Section | Site" only while
    the parts cut are site names.

    >>> strip_site_name("Rain in Spain - The Daily Planet", {"thedailyplanet"})
    'Rain in Spain'
    >>> strip_site_name("Daily Planet: Rain in Spain", {"dailyplanet"})
    'Rain in Spain'
    """
    changed = True
    while changed:
        changed = False  # pragma: no mutate (None is as falsy: the same loop)
        for before, after in _splits(title):
            if before and is_site_name(after, site_keys):
                title, changed = before, True
                break
            if after and is_site_name(before, site_keys):
                title, changed = after, True
                break
    return title


def learn_site_names(titles: list[str], headings: list[str]) -> set[str]:
    """Site names a page reveals by itself: what a title adds after a separator to another title or
    to an `h1` of the same page ("Story | Site" beside "Story" gives "Site"), or before another
    title ("Site: Story" beside "Story"). An `h1` teaches only the part after it: the logo of a
    page is an `h1` too, and "Story | Site" beside the logo "Site" must not make "Story" a site.

    >>> sorted(learn_site_names(["Rain in Spain | Daily Planet"], ["Rain in Spain"]))
    ['dailyplanet']
    >>> sorted(learn_site_names(["Rain in Spain | Daily Planet"], ["Daily Planet"]))
    []
    """
    title_keys = {key(text) for text in titles}
    heading_keys = {key(text) for text in headings}
    learned = set()
    for title in titles:
        others = title_keys - {key(title)}
        for before, after in _splits(title):
            if key(before) in others | heading_keys:
                learned.add(key(after))
            elif key(after) in others:
                learned.add(key(before))
    return learned - {""}


def agree(heading: str, other: str) -> bool:
    """Whether two titles name the same story: the same text, one starting or ending with the
    other, or most words of the shorter (three at least) found in the longer.

    >>> agree("Rain in Spain", "Rain in Spain falls mainly on the plain")
    True
    >>> agree("Der Regen in Spanien fällt auf die Ebene", "Spanien: Regen fällt auf Ebene")
    True
    >>> agree("Weather", "Rain in Spain")
    False
    """
    a, b = key(heading), key(other)
    if not a or not b:
        return False
    if a == b:
        return True
    if a.startswith(b) or b.startswith(a) or a.endswith(b) or b.endswith(a):
        # pragma below: keys of one length, one starting with the other, are equal, returned above
        shorter, longer = (heading, other) if len(a) < len(b) else (other, heading)  # pragma: no mutate
        if len(_WORD.findall(shorter)) >= 2:
            return True
        # One word ("Home", "Oakhaven") agrees only as a whole part of the other, cut at a separator.
        return any(key(shorter) in (key(before), key(after)) for before, after in _splits(longer))
    words_a, words_b = set(_WORD.findall(heading.casefold())), set(_WORD.findall(other.casefold()))
    shared = len(words_a & words_b)
    return shared >= 3 and shared >= 0.6 * min(len(words_a), len(words_b))


def _after_kicker(heading: str, other: str) -> bool:
    """Whether an h1 is another title behind a short kicker ("Wetterlage Regen fällt auf die Ebene")."""
    a, b = key(heading), key(other)
    if len(a) <= len(b) or not a.endswith(b):
        return False
    head_words = _WORD.findall(heading)
    return 0 < len(head_words) - len(_WORD.findall(other)) <= KICKER_WORDS


def _without_kicker(heading: str, other: str) -> str:
    """An h1 that agrees with another title, less a short kicker before it. The other title tells
    the kicker: it is the h1's rest alone, or it puts the kicker after the rest ("Headline - Kicker").
    A title that keeps the h1's order ("Kicker: Headline") shows the kicker as part of the headline.

    >>> _without_kicker("Wetterlage Regen fällt auf die Ebene", "Regen fällt auf die Ebene - Wetterlage")
    'Regen fällt auf die Ebene'
    >>> _without_kicker("Wetterlage Regen fällt auf die Ebene", "Wetterlage: Regen fällt auf die Ebene")
    'Wetterlage Regen fällt auf die Ebene'
    """
    if _after_kicker(heading, other):
        return other
    for before, after in _splits(other):
        if key(heading) == key(after) + key(before) and _after_kicker(heading, before):
            return before
    return heading


def choose_title(
    headings: list[str],
    metadata_titles: list[str],
    page_title: str | None,
    publishers: list[str],
    host: str | None,
    subheadings: Sequence[str] = (),
) -> str | None:
    """The page's headline (see the module's rules), or None when the page names none.

    `headings`: the page's `h1` texts in document order, the logos among them found by the
    caller or by name here; `metadata_titles`: JSON-LD headlines, then og:title and the other
    meta titles, most trusted first; `page_title`: the `<title>` text; `subheadings`: `h2` and `h3`
    texts, read for a page whose metadata names no story.

    >>> choose_title([], ["Rain in Spain - Daily Planet"], None, ["Daily Planet"], None)
    'Rain in Spain'
    >>> choose_title(["Chronicle Rain in Spain"], ["Rain in Spain"], None, [], None)
    'Rain in Spain'
    """
    headings = [h for h in (clean_title(h) for h in headings) if h]
    metadata = [t for t in (clean_title(t) for t in metadata_titles) if t]
    page = clean_title(page_title)
    titles = [*metadata, *([page] if page else [])]
    site_keys = {key(name) for name in (clean_title(p) for p in publishers) if name} | host_names(host)
    site_keys |= learn_site_names(titles, headings)
    site_keys.discard("")
    headings = [h for h in headings if not is_site_name(h, site_keys)]
    others = [stripped for title in titles if (stripped := strip_site_name(title, site_keys))]
    for other in others:  # the most trusted title first: an h1 agreeing with it is the headline
        for heading in headings:
            if agree(heading, other):
                return _without_kicker(heading, other)
    # Nothing agrees. The metadata's title is often written for search engines ("Best cat toys 2022
    # - Comparison"); a page's only h1, a sentence long, is the headline its readers see. A short h1
    # may be a section's name, and one of several may be a teaser's.
    if len(headings) == 1 and len(_WORD.findall(headings[0])) >= _HEADLINE_WORDS:
        return headings[0]
    if metadata:
        return others[0]
    if headings:
        return headings[0]
    if not others:
        return None
    return _part_shown(others[0], subheadings) or _without_last_part(others[0])


def _part_shown(title: str, subheadings: Sequence[str]) -> str | None:
    """The part of a <title> that the page shows whole as a lesser heading: an old blog theme's
    headline is an `h2` or `h3` under the site's `h1` ("Site » Blog Archive » Story"). A heading
    of four words or more that begins the <title>, before any mark, is one too ("Story : Site |
    Its motto", where a colon may also belong to a headline and so parts nothing by itself).

    >>> _part_shown("Four Years » Blog Archive » Small Integers", ["Archives", "Small Integers"])
    'Small Integers'
    >>> _part_shown("The river rose in the night : River Blog | Since 2005", ["The river rose in the night"])
    'The river rose in the night'
    """
    cleaned = [text for text in (clean_title(text) for text in subheadings) if text]
    shown = {key(text) for text in cleaned}
    part = next((part for part in map(str.strip, _SEPARATOR.split(title)) if key(part) in shown), None)
    return part or next((text for text in cleaned if len(_WORD.findall(text)) >= _HEADLINE_WORDS
                         and _HEADING_THEN_MARK.match(title[len(text):]) and title.startswith(text)), None)


def _without_last_part(title: str) -> str:
    """A <title> that nothing else on the page confirms, less a short last part after a separator:
    that part is most often the site's name, unlearnable from a page that names itself nowhere else.

    >>> _without_last_part("Wie man Brot backt - Ein Forum")
    'Wie man Brot backt'
    """
    matches = [m for m in _SEPARATOR.finditer(title) if 0 < m.start() and m.end() < len(title)]
    if matches and len(title) - matches[-1].end() <= 40:
        return title[: matches[-1].start()].strip()
    return title
