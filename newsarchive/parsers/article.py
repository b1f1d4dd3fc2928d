"""Article pages to Article records, field by field, layer by layer.

Each field is filled by the first layer that has it (`items.Layer`): the site profile's selectors,
then structured metadata (JSON-LD, OpenGraph, meta tags, microdata), the page's own marks, then
the URL (for the date) or generic extraction. `Article.sources` names the layer of every field
filled, so a crawl report shows when a profile selector stops matching. The expensive generic
body extraction runs only when no cheaper layer found a body, and at most once a page.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Collection
from functools import cached_property
from typing import Any
from urllib.parse import urlsplit

from lxml import etree

from newsarchive.items import Article, BodyBlock, Byline, Comment, Layer, Photo
from newsarchive.parsers import generic, titles
from newsarchive.parsers.boilerplate import (
    NOT_BODY_TAGS,
    before_comments,
    boilerplate_in,
    inside_non_body,
    is_boilerplate,
    without_ad_labels,
    without_colophon,
    without_link_lists,
    without_more_stories,
    without_reader_appeals,
)
from newsarchive.parsers.bylines import (
    bylines_from_names,
    find_byline_authors,
    lines_text,
    prefer_shown,
    shown_as_a_name,
    signature,
    split_byline,
    with_full_names,
)
from newsarchive.parsers.comment_pages import other_comment_pages
from newsarchive.parsers.comments import (
    CommentParts,
    comment_counter,
    comments_loaded_by_script,
    comments_status,
    extract_comments,
    is_comment_item,
    is_not_a_comment,
    more_comments_control,
    named_parent_id,
    shows_a_comment_list,
)
from newsarchive.parsers.dates import (
    DATE_IN_URL,
    OFFSET_STAMP,
    UTC_STAMP,
    date_in_byline,
    date_part,
    date_shown,
    dated_element_shown,
    dateline_day,
    day_of_match,
    find_date,
    local_day,
    normalise_date,
    plausible_publication_date,
    publication_day,
    url_date_is_earlier,
)
from newsarchive.parsers.document import Document, parse_document
from newsarchive.parsers.generic import GenericExtraction
from newsarchive.parsers.language import declared_language, detect_language
from newsarchive.parsers.metadata import Metadata, extract_metadata, site_initials
from newsarchive.parsers.page_cache import forget_page
from newsarchive.parsers.photos import (
    figure_caption,
    figure_image,
    image_source,
    photo,
    photos_figures,
    photos_in_story,
    story_container,
    story_figures,
)
from newsarchive.parsers.text import (
    block_kind,
    block_links,
    element_text,
    normalise_text,
    printed_count,
    text_blocks,
)
from newsarchive.profiles import Site, SiteProfile, compiled_selector

_HEADING_TAGS = frozenset({"h1", "h2", "h3", "h4", "h5", "h6"})


def parse_article(
    url: str,
    body: bytes | str,
    profile: SiteProfile | None = None,
    site: Site | None = None,
    content_type: str | None = None,
    fields: Collection[str] | None = None,
) -> Article:
    """Parse an article page. Raises EmptyPageError / NotHtmlError for pages that are not HTML.
    fields: the Article fields wanted (see extract_article); None for all."""
    return extract_article(parse_document(url, body, content_type), profile, site, fields)


# The steps of an article's extraction, in order: each fills its fields from the cheapest layer
# that has them (bench/extraction.py times them one by one).
FIELD_STEPS = ("fill_site", "fill_canonical_url", "fill_language", "fill_section", "fill_title", "fill_dates",
               "fill_authors", "fill_photos", "fill_body", "fill_signature", "fill_shown_date", "fill_comments", "tidy_body",
               "detect_language")
# The steps a parse for some fields only leaves out when it wants none of the fields they give: the
# story's body is half a page's parse (fill_body, 22.7 of 40.5 ms a page of the dev set); the photos
# and the language read from the body are its by-products. Every other step is cheap, or gives what
# a later one needs (the title, the language, the byline). The steps that read the body for another
# field (a signature at its end, a dateline) find none then: a rendered page is parsed for its body
# only when the page as sent had none, and that page's body was read for them already.
SKIPPABLE_STEPS = {"fill_photos": frozenset({"photos"}), "fill_body": frozenset({"body_blocks", "body_text"}),
                   "detect_language": frozenset({"language"})}


def extract_article(doc: Document, profile: SiteProfile | None, site: Site | None = None,
                    fields: Collection[str] | None = None) -> Article:
    """The article the page holds. fields: the Article fields wanted, None for all: a rendered page
    is parsed for its comments and for what the page as sent lacked (newsarchive/rendering.py), and
    the steps of SKIPPABLE_STEPS that give none of them are left out; the record's other fields
    may then be missing or partial."""
    page = _ArticlePage(doc, profile, site)
    frames = _frames_taken_out(doc)
    for step in FIELD_STEPS:
        if step == "fill_comments" and frames:  # a frame's comments are the story's: read with the page's
            for body, section in frames:
                body.append(section)
            forget_page(doc.root)  # what the steps before found of the page, found without them
            page._generic = None  # read again with them, if the comments need it
            frames = []
        if fields is not None and step in SKIPPABLE_STEPS and SKIPPABLE_STEPS[step].isdisjoint(fields):
            continue
        try:
            getattr(page, step)()
        except Exception as error:
            error.add_note(f"layer: {step}")  # the failure row names the field that failed
            raise
    return page.article


_FRAME_SECTIONS = etree.XPath("//section[@data-newsarchive-frame]")


def _frames_taken_out(doc: Document) -> list:
    """A rendered page's frames (newsarchive/rendering.py, with_frames: each in a section at the end
    of its body), taken out of the tree until its comments are read: (their parent, the section).
    A story whose text its script writes read a frame's "Support us" promo as part of it."""
    if doc.text is not None and "data-newsarchive-frame" not in doc.text:
        return []  # every page but a rendered one with frames: no walk of the tree
    taken = []
    for section in _FRAME_SECTIONS(doc.root):
        parent = section.getparent()
        if parent is not None:
            parent.remove(section)
            taken.append((parent, section))
    if taken:
        forget_page(doc.root)
    return taken


class _ArticlePage:
    """The state of one article being parsed: the document, its profile and the record so far."""

    def __init__(self, doc: Document, profile: SiteProfile | None, site: Site | None):
        self.doc = doc
        self.root = doc.root
        self.profile = profile
        self.site = site or (profile.site_for_url(doc.url) if profile else None)
        self.article = Article(url=doc.url, warnings=[f"markup: {note}" for note in doc.markup_notes])
        self._metadata: Metadata | None = None
        self._generic: GenericExtraction | None = None
        self._shown_under_headline: tuple[tuple[Any, str] | None] | None = None  # ((element, day),) once looked for

    # helpers ------------------------------------------------------------------------------------

    @cached_property
    def h1s(self) -> list:
        """The page's h1 elements, found once: the title and the body both read them."""
        return list(self.root.iter("h1"))

    @property
    def metadata(self) -> Metadata:
        if self._metadata is None:  # read once, and only when a profile selector came up empty
            self._metadata = extract_metadata(self.root, self.doc.url)
        return self._metadata

    @property
    def generic(self) -> GenericExtraction:
        """The generic layer: one trafilatura pass per page, at most, shared by every field."""
        if self._generic is None:
            # A page the profile reads (its title and body selectors match) lacks what its selectors
            # do not find: the generic layer is for pages nothing cheaper can read.
            self._generic = generic.NOTHING if self.profile_fits else generic.extract_body_and_comments(
                self.root, self.doc.url, self.article.language, joiners=self.doc.joiners)
        return self._generic

    def _generic_date(self) -> str | None:
        """For a page whose profile, metadata and URL give no date: the date shown nearest the
        headline, else the date in the byline ("von Ana am 20.09.2020"), else the story's dateline
        (its first line opens with its date), else htmldate's rules (trafilatura's own date source,
        asked alone: the rest of its metadata pass costs more than it adds). htmldate, looking for
        the oldest date, takes a sidebar's, a comment's or the page's modification time as
        readily; the dates the story itself shows are the story's. No headline, no date shown:
        on a forum or a list the date shown is a clock's."""
        if self.profile_fits:
            return None
        language = self.date_language
        return (self._day_shown() or date_in_byline(self.article.byline_raw, language)
                or dateline_day([block.text for block in self.article.body_blocks[:3]], language)
                or generic.find_publication_date(self.root, self.doc.url, self.article.language))

    def _generic_author(self) -> str | None:
        """trafilatura's byline rules (author XPaths of the visible page), when nothing cheaper named
        one: the names of them the page shows as text of its own (see `shown_as_a_name`)."""
        found = None if self.profile_fits else generic.find_author(self.root)
        names = [name for name in (part.strip() for part in (found or "").split(";")) if shown_as_a_name(self.root, name)]
        return "; ".join(names) or None

    @cached_property
    def body_elements(self) -> list:
        """The story's body elements the profile names, in reading order: every match of its body
        selector, for a story that an aside, an ad or a "read more" box splits in two; but none
        inside another, and none of another story (see of_this_story), nor outside the <article>
        around the first."""
        found = self.of_this_story(self.select("body"))
        if len(found) < 2:
            return found
        story = _story_element(found[0])
        kept = [found[0]]
        for element in found[1:]:
            if _story_element(element) is story and kept[-1] not in set(element.iterancestors()):
                kept.append(element)
        return kept

    def of_this_story(self, elements: list) -> list:
        """The elements (in document order) that come before the headline of another story: a
        page that appends the next article, as endless pages do, shows its body and its comments
        in the same markup as this one's, and they are not this story's. The other story's
        headline is a second match of the profile's title selector."""
        headlines = self.select("title")
        if len(headlines) < 2 or not elements:
            return elements
        wanted, before = set(elements), set()
        for element in self.root.iter():
            if element is headlines[1]:
                break
            if element in wanted:
                before.add(element)
        return [element for element in elements if element in before]

    @cached_property
    def profile_fits(self) -> bool:
        """Whether the profile reads the page: its title and body selectors match (asked by most
        steps: found once)."""
        if self.profile is None or self.select_first("title") is None:
            return False
        body = self.select_first("body")
        return body is not None and bool(element_text(body))

    def select(self, name: str, within=None) -> list:
        selector = self.profile.article_selector(name) if self.profile else None
        if self.profile is None or not selector:
            return []
        return self.profile.select(self.root if within is None else within, selector)

    def select_first(self, name: str, within=None):
        found = self.select(name, within)
        return found[0] if found else None

    def set_field(self, field_name: str, value, source: Layer) -> None:
        setattr(self.article, field_name, value)
        self.article.sources[field_name] = source

    def from_metadata(self, field_name: str, metadata_name: str | None = None):
        """Offer a metadata value for a field; return it (or None)."""
        value = self.metadata.get(metadata_name or field_name)
        source = self.metadata.source(metadata_name or field_name)
        if value is not None and source is not None:  # Metadata keeps a source beside every value
            self.article.sources[field_name] = source
        return value

    # fields -------------------------------------------------------------------------------------

    def fill_site(self) -> None:
        if self.site:
            self.article.site = self.site.name
            self.article.site_code = self.site.code
        else:
            self.article.site = urlsplit(self.doc.url).hostname

    def fill_canonical_url(self) -> None:
        self.fill_alternates()
        link = self.root.find('.//link[@rel="canonical"]')
        if link is not None and link.get("href"):
            self.set_field("canonical_url", self.doc.absolute(link.get("href")), Layer.META)
            return
        canonical = self.from_metadata("canonical_url")
        if canonical:
            self.article.canonical_url = self.doc.absolute(canonical)

    def fill_alternates(self) -> None:
        """The story in other languages, as the page's head names them (hreflang alternates); the
        page itself, which many list among them, is none."""
        head = self.root.find("head")
        for link in head.iter("link") if head is not None else ():
            language, url = (link.get("hreflang") or "").strip(), self.doc.absolute(link.get("href"))
            if language and url and url != self.doc.url and "alternate" in (link.get("rel") or "").lower().split():
                self.article.alternates.setdefault(language, url)

    def fill_language(self) -> None:
        article, profile = self.article, self.profile
        locale = profile.locale_for_url(self.doc.url) if profile else None
        if profile and locale:
            article.locale = locale
            article.language = profile.languages.get(locale, locale.split("_")[0])
            article.sources["language"] = Layer.URL
        else:
            declared = declared_language(self.root.get("lang")) or declared_language(self.from_metadata("language"))
            if declared:
                article.language = declared
                article.sources.setdefault("language", Layer.META)
        # A locale the profile does not list: the page's own direction, or its language's.
        rtl = (locale in self.profile.rtl_locales) if (self.profile and locale in self.profile.locales) else None
        if rtl is None:
            rtl = (self.root.get("dir") or "").lower() == "rtl" or article.language in _RTL_LANGUAGES
        article.direction = "rtl" if rtl else "ltr"

    @property
    def date_language(self) -> str | None:
        """The language dates are read in, with the region that orders a numeric date's day and
        month where the page names one (a profile's locale `en_GB`, `<html lang="en-GB">`):
        03/02/2019 is 3 February in Britain and 2 March in the United States, and dateparser,
        told only "en", reads it as an American would."""
        language = self.article.language
        tag = (self.article.locale or self.root.get("lang") or "").replace("_", "-").split("-")
        if language and len(tag) > 1 and tag[0].lower() == language and len(tag[1]) == 2 and tag[1].isalpha():
            return f"{language}-{tag[1].upper()}"
        return language

    def detect_language(self) -> None:
        """When neither the URL nor the page declares a language: detect it from the text."""
        article = self.article
        if article.language or not (article.body_text or article.title):
            return
        language = detect_language(f"{article.title or ''}\n{article.body_text or ''}")
        if language is None:
            return
        article.language, article.sources["language"] = language, Layer.DETECTED
        if language in _RTL_LANGUAGES:
            article.direction = "rtl"

    def fill_section(self) -> None:
        path = [text for text in map(element_text, self.select("breadcrumb")) if text]
        if path:
            self.set_field("section_path", path, Layer.PROFILE)
        else:
            section = self.from_metadata("section_path", "section")
            if section:
                self.article.section_path = [section]
        self.article.section = self.article.section_path[-1] if self.article.section_path else None

    def fill_title(self) -> None:
        title = element_text(self.select_first("title"))
        if title:
            self.set_field("title", title, Layer.PROFILE)
            return
        # The headline as the page shows it, agreed between its h1, its metadata and its <title>.
        headings = [text for h1 in self.h1s if not _is_logo(h1, self.doc) and (text := _shown_headline(h1))]
        candidates = sorted(self.metadata.candidates.get("title", []), key=lambda c: _TITLE_LAYER_ORDER[c[0]])
        metadata_titles = [t for _, t in [*self.metadata.candidates.get("headline", []), *candidates] if isinstance(t, str)]
        publishers = [name for _, name in self.metadata.candidates.get("publisher", []) if isinstance(name, str)]
        page_title = element_text(self.root.find(".//title"))
        # Lesser headings only for a page whose metadata names no story (a tree walk saved on most
        # pages): its h1s may all be the site's name, and the story's headline an h2 or h3.
        subheadings = [] if metadata_titles else [text for heading in self.root.iter("h2", "h3")
                                                  if (text := element_text(heading))]
        chosen = titles.choose_title(headings[:10], metadata_titles, page_title, publishers,
                                     urlsplit(self.doc.url).hostname, subheadings[:10])
        if chosen:
            self.set_field("title", chosen, _title_layer(chosen, headings, candidates))

    def fill_dates(self) -> None:
        article = self.article
        shown_element = self.select_first("date")
        # Read by its machine-readable time where it has one (a <time datetime> in `p.date`): its
        # printed day alone lost the time of day and the zone.
        machine = machine_date(shown_element) if shown_element is not None else None
        raw = element_text(shown_element) or machine
        source = Layer.PROFILE
        if not raw and (from_metadata := self._metadata_date()):
            raw, source = from_metadata
            # A plain <meta name="date"> is often the day of the last change: the date the page
            # shows beside the story says when it came out.
            if source == Layer.META and (shown := date_shown(self.root, self.date_language)) and shown != local_day(raw):
                raw, source = shown, Layer.MARKUP
            elif shown_candidate := self._metadata_date_shown(raw):
                raw, source = shown_candidate
        published = normalise_date((machine if source == Layer.PROFILE else None) or raw, self.date_language) if raw else None
        if published is None and raw and source == Layer.PROFILE:  # a datetime no reader reads: the day printed
            # after a label, if need be ("Veröffentlicht: 22. August 2012", "Publié sur 18/02/2020")
            published = normalise_date(raw, self.date_language) or find_date(raw, self.date_language)
            if published is None and (from_metadata := self._metadata_date()):
                # No date a reader knows in the element ("26 февраля 2019, 23:30 МСК"): the metadata's.
                raw, source = from_metadata
                published = normalise_date(raw, self.date_language)
        url_date = self._url_date()
        if published and not plausible_publication_date(published) and date_part(published) != url_date:
            # 0001-01-01 placeholders and dates in the future are template mistakes, not dates:
            # one source alone is not believed (the URL, when it agrees, is the second).
            article.warnings.append(f"published_at: {published} is not a plausible publication date; ignored")
            published = None  # pragma: no mutate (read only as true or false below: "" is the same)
        if published and url_date and url_date_is_earlier(url_date, published):
            # The URL was minted when the story first went out: a later date on the page is an
            # update or a re-publication (kept as printed in published_at_raw, and warned about).
            article.published_at, article.published_at_raw = url_date, raw
            article.sources["published_at"] = Layer.URL
            article.warnings.append(f"published_at: the page says {published}, the URL says {url_date}; used the URL's")
        elif published:
            article.published_at, article.published_at_raw = published, raw
            article.sources["published_at"] = source
            if url_date and url_date not in (date_part(published), local_day(raw, self.date_language)):
                article.warnings.append(f"published_at: the page says {published}, the URL says {url_date}")
        elif url_date:
            article.published_at = url_date
            article.sources["published_at"] = Layer.URL
            if raw:
                article.published_at_raw = raw
                article.warnings.append(f"published_at: cannot read the date {raw!r}; used the URL's")
        modified_raw = self.from_metadata("modified_at")
        if modified_raw:
            article.modified_at_raw = modified_raw
            article.modified_at = normalise_date(modified_raw, self.date_language)

    def _day_shown(self) -> str | None:
        """The day shown under the headline (None with no headline), looked for once a page: the
        undated page's date and its day of publication may both ask."""
        found = self._dated_element_under_headline()
        return found[1] if found else None

    def _moment_shown(self) -> str | None:
        """The moment the date shown under the headline gives in its markup (`<time datetime>`),
        when it has a time of day and falls on the day shown (where it was written, or in UTC: a
        datetime read alone is read in UTC): the day alone lost the time and the zone of a page
        whose metadata give no date."""
        found = self._dated_element_under_headline()
        machine = machine_date(found[0]) if found else None
        moment = normalise_date(machine) if machine else None
        if found and moment and "T" in moment and found[1] in (local_day(machine), date_part(moment)):
            return machine
        return None

    def _dated_element_under_headline(self) -> tuple[Any, str] | None:
        if self._shown_under_headline is None:
            headline = self.root.find(".//h1")
            self._shown_under_headline = (
                dated_element_shown(self.root, self.date_language, near=headline) if headline is not None else None,)
        return self._shown_under_headline[0]

    def _metadata_date(self) -> tuple[str, Layer] | None:
        """The most trusted published date and its layer, if any; written in UTC, the same moment
        in the site's own time from another layer is preferred as the text kept (it holds the
        local day)."""
        raw, source = self.metadata.get("published_at"), self.metadata.source("published_at")
        if not raw or source is None:
            return None
        if UTC_STAMP.search(raw):
            moment = normalise_date(raw)
            for layer, other in self.metadata.candidates.get("published_at", []):
                if (isinstance(other, str) and not UTC_STAMP.search(other) and OFFSET_STAMP.search(other)
                        and normalise_date(other) == moment):
                    return other, layer
        return raw, source

    def _metadata_date_shown(self, raw: str) -> tuple[str, Layer] | None:
        """When the page's metadata disagree on the day of publication (JSON-LD one day, OpenGraph
        another), the one the page shows nearest its headline: the page settles what its metadata
        leave open. None when they agree or the page shows neither. Microdata are not asked: read
        from the page's own date elements, they would always agree with the date shown."""
        by_day: dict[str, tuple[str, Layer]] = {}
        for layer, other in self.metadata.candidates.get("published_at", []):
            if layer != Layer.MICRODATA and isinstance(other, str) and (day := local_day(other)):
                by_day.setdefault(day, (other, layer))  # the most trusted layer's text for each day
        if len(by_day) < 2:
            return None
        shown = date_shown(self.root, self.date_language, near=self.root.find(".//h1"))
        return by_day[shown] if shown in by_day and shown != local_day(raw) else None

    def _url_date(self) -> str | None:
        if self.profile is None:
            match = DATE_IN_URL.search(urlsplit(self.doc.url).path)
        else:
            match = self.profile.match_url("article", self.doc.url)
        if not match or "year" not in match.groupdict():
            return None
        return day_of_match(match)

    def fill_authors(self) -> None:
        self._choose_authors()
        if self.article.sources.get("authors") != Layer.PROFILE:
            self.article.authors = with_full_names(self.article.authors, self.root)

    def _choose_authors(self) -> None:
        byline_element = self.select_first("byline")
        if byline_element is not None:
            self.article.byline_raw = element_text(byline_element)
            names = [element_text(span) for span in self.select("authors", byline_element)]
            authors = bylines_from_names(names) if any(names) else split_byline(lines_text(byline_element))
            if authors:
                self.set_field("authors", authors, Layer.PROFILE)
                return
        elif names := [text for span in self.of_this_story(self.select("authors")) if (text := element_text(span))]:
            # No byline element: each author's own elements, wherever the story shows them.
            self.set_field("authors", bylines_from_names(names), Layer.PROFILE)
            return
        names = self.from_metadata("authors")
        # The byline as the page shows it, wherever it is: for the names when no layer above has
        # them or when it reads better than the metadata's (see `prefer_shown`), and on a profiled
        # page for the byline as printed (the body then leaves it out).
        printed, authors = find_byline_authors(self.root, site_initials(self.metadata))
        site_wide = self.metadata.source("authors") == Layer.META  # <meta name="author">: often the site's
        if names and not (self.profile is None and prefer_shown(_authors_from_metadata(names), authors, site_wide)):
            self.article.authors = _authors_from_metadata(names)
            if printed and self.article.authors and self.article.authors[0].name in printed:
                self.article.byline_raw = self.article.byline_raw or printed  # the same names, as printed
            return
        if printed and authors:
            self.article.byline_raw = self.article.byline_raw or printed
            self.set_field("authors", authors, Layer.MARKUP)
            return
        generic = self._generic_author()
        if generic:
            self.article.byline_raw = self.article.byline_raw or generic
            self.article.authors = _authors_from_metadata([n for n in generic.split(";") if n.strip()])
            if self.article.authors:
                self.article.sources["authors"] = Layer.GENERIC

    def fill_photos(self) -> None:
        figures = []
        lead = self.select_first("lead_photo")
        if lead is not None:
            figures.append((lead, True))
        for body in self.body_elements:
            figures.extend((figure, False) for figure in self.select("body_photos", body) if figure is not lead)
        photos: list[Photo] = []
        for figure, is_lead in figures:
            photo = self._photo_from_figure(figure, is_lead, len(photos))
            if photo and all(photo.url != seen.url for seen in photos):
                photos.append(photo)
        # The figures of the article, wherever they stand in it, for what the profile's selectors
        # (guesses, written for the pages seen) do not find: a figure of another class, a gallery
        # after the body, a lead photo in a div; and every photo of a page no profile reads.
        in_markup = self._photos_in_markup({figure for figure, _ in figures})
        if {photo.url for photo in in_markup} - {photo.url for photo in photos}:
            extra = [photo for photo in photos if photo.url not in {p.url for p in in_markup}]
            photos = in_markup + extra
            for position, photo in enumerate(photos):
                photo.position = position
            self.set_field("photos", photos, Layer.MARKUP)
            return
        if photos:
            self.set_field("photos", photos, Layer.PROFILE)
            return
        url = self.doc.absolute(self.from_metadata("photos", "image"))
        if url:
            width, height = self._image_size(url, None)
            self.article.photos = [Photo(url=url, position=0, width=width, height=height, is_lead=True)]

    def _photos_in_markup(self, read: set) -> list[Photo]:
        """The figures of the page's story (photos.py), and the parent of each image the profile's
        photo_image selector names outside them (a lead photo set in a div rather than the figure
        the lead_photo selector names: its parent holds its caption); none when they are all
        figures the profile read already (`read`). The story's container is found by the page's
        metadata only when the profile does not read the page (metadata is read only where it is
        needed)."""
        body_element = None if self.profile_fits else self.metadata.get("body_element")
        container = story_container(self.root, body_element)
        images = [image for image in self.of_this_story(self.select("photo_image", container)) if not _links_away(image)]
        in_figures = {image for figure in photos_figures(container) for image in figure.iter()} if images else set()
        parents = [parent for image in images if image not in in_figures and (parent := image.getparent()) is not None]
        # On a page whose stories are no <article> elements, the next story's figures share this
        # one's container.
        figures = self.of_this_story(story_figures(container, parents))
        if all(figure in read for figure in figures):
            return []
        return photos_in_story(container, self._photo_from_figure, figures=figures)

    def _photo_from_figure(self, figure, is_lead: bool, position: int) -> Photo | None:
        image = self.select_first("photo_image", figure)
        if image is None:
            image = figure_image(figure)
        if image is None:
            return None
        url = self.doc.absolute(image_source(image))
        if not url:
            return None
        caption = self.select_first("photo_caption", figure)
        if caption is None:
            caption = figure_caption(figure)
        return photo(url, image, caption, is_lead, position, self._image_size(url, image), figure)

    def _image_size(self, url: str, image) -> tuple[int | None, int | None]:
        match = self.profile.match_url("image", url) if self.profile else None
        if match and match.groupdict().get("width"):
            return int(match["width"]), int(match["height"])
        if image is not None:
            return _int_or_none(image.get("width")), _int_or_none(image.get("height"))
        return None, None

    def fill_body(self) -> None:
        blocks = [block for body in self.body_elements for block in self._blocks_from_element(body)]
        source = Layer.PROFILE
        if not blocks and (from_metadata := self._body_from_metadata()):
            blocks, source = from_metadata
            if blocks and not self._covers_the_page_text(blocks):
                blocks = []  # a teaser or a truncated articleBody: the page itself says more  # pragma: no mutate (None is the same)
        if not blocks:
            blocks, source = self.generic.body, Layer.GENERIC
        if source != Layer.PROFILE:  # a profile's selectors know where its story starts
            blocks = generic.with_standfirst(self.root, blocks)
        headlines = self._headline_keys() if blocks else set()
        while blocks and titles.key(blocks[0].text) in headlines:  # a generic layer repeats the headline
            blocks = blocks[1:]
        if blocks:
            self._set_body(blocks)
            self.article.sources["body_text"] = source

    def _headline_keys(self) -> set[str]:
        """The words of the title and of each h1 whole (titles.key): an h1's kicker, left out of
        the title (_without_marked_kicker), comes with it in a generic body, its separator not
        always kept."""
        texts = (self.article.title, *(element_text(h1) for h1 in self.h1s))
        return {titles.key(text) for text in texts if text} - {""}

    def _set_body(self, blocks: list[BodyBlock]) -> None:
        """The body's blocks and its text, always the blocks joined (None for no block)."""
        self.article.body_blocks = blocks
        self.article.body_text = "\n\n".join(block.text for block in blocks) or None

    def fill_signature(self) -> None:
        """After the body: a story no layer above found an author for may be signed at its end (see
        `bylines.signature`); the signature is then its byline, not a line of the story."""
        article = self.article
        if article.authors or not article.body_blocks:
            return
        signed = signature(self.root, article.body_blocks[-1].text)
        if signed is not None:
            article.byline_raw = article.byline_raw or signed.name
            self.set_field("authors", [signed], Layer.MARKUP)
            self._set_body(article.body_blocks[:-1])

    def fill_shown_date(self) -> None:
        """After the byline and the body are known: for a page no cheaper layer dated, the date
        the page shows (see `_generic_date`); then the day of publication."""
        article = self.article
        if article.published_at is None and not self.profile_fits and (moment := self._moment_shown()):
            article.published_at, article.published_at_raw = normalise_date(moment), moment
            article.sources["published_at"] = Layer.GENERIC
        elif article.published_at is None and (generic_date := self._generic_date()):
            article.published_at = article.published_at_raw = generic_date
            article.sources["published_at"] = Layer.GENERIC
        article.published_day = publication_day(article, shown=self._day_shown, language=self.date_language)

    def tidy_body(self) -> None:
        """Lines that other fields hold are not the story's: a body from a layer that read past
        the story (the generic one, a guessed container) loses its byline, captions and comments,
        and the generic layer's author guesses lose the commenters. Nor are what follows the comment
        counter, the site's appeals to its readers, labels of other stories and what follows them,
        lists of links to other pages and the closing credits (rules in boilerplate.py)."""
        article = self.article
        if article.sources.get("authors") == Layer.GENERIC:
            commenters = {comment.author_name for comment in article.comments}
            article.authors = [author for author in article.authors if author.name not in commenters]
            for position, author in enumerate(article.authors):
                author.position = position
            if not article.authors:
                article.sources.pop("authors")
                article.byline_raw = None if article.byline_raw in commenters else article.byline_raw
        if (unlabelled := without_ad_labels(article.body_blocks)) != article.body_blocks:
            self._set_body(unlabelled)
        if article.sources.get("body_text") == Layer.PROFILE and self.profile_fits:
            return
        elsewhere = {article.byline_raw, article.title, *(photo.caption_raw for photo in article.photos),
                     *(photo.caption for photo in article.photos), *(comment.body_text for comment in article.comments)}
        kept = [block for block in article.body_blocks if block.text not in elsewhere]
        kept = before_comments(kept, comment_counter(self.root)[0])
        kept = without_colophon(without_link_lists(without_more_stories(without_reader_appeals(kept))))
        if kept and len(kept) < len(article.body_blocks):
            self._set_body(kept)

    def _covers_the_page_text(self, blocks: list[BodyBlock]) -> bool:
        """Whether a body from metadata holds most of the page's prose (paragraphs of 40+ characters,
        outside navigation and comments): articleBody is often a teaser or cut short."""
        prose = 0
        for paragraph in self.root.iter("p"):
            if any(a.tag in ("nav", "footer", "header", "aside") or is_comment_item(a) for a in paragraph.iterancestors()):
                continue
            length = len(element_text(paragraph) or "")
            prose += length if length >= 40 else 0
        return sum(len(block.text) for block in blocks) >= 0.6 * prose

    def _blocks_from_element(self, container) -> list[BodyBlock]:
        """Text blocks of a body element the profile names, by its block selector; the whole
        element's blocks (text_blocks: paragraphs written as divs or as text between <br>s, quotes,
        list items, tables), with a warning, when the selector leaves some of its text out: the
        selector was written for the markup of the pages seen, and a story's text is never dropped
        for a tag nobody foresaw."""
        selector = (self.profile.article_selector("body_blocks") if self.profile else None) or "p, h2, h3, h4"
        blocks, skipped = [], boilerplate_in(container)
        for element in compiled_selector(selector)(container):
            if inside_non_body(element, container, skipped):
                continue
            text = element_text(element)
            if text:
                links = block_links(element.iter("a"), self.doc.base_url)
                blocks.append(BodyBlock(block_kind(element, container), text, links))
        if not _text_left_out(container, blocks):
            return blocks
        whole = text_blocks(container, skip=skipped, base_url=self.doc.base_url)
        selected = " ".join(block.text for block in blocks)
        # Ad labels between the paragraphs ("Advertisement") are no text left out: the body drops them anyway.
        left_out = [block.text for block in without_ad_labels(whole) if block.text not in selected]
        if not left_out:
            return blocks
        self.article.warnings.append(
            f"profile: the body_blocks selector ({selector}) left {len(left_out)} block(s) of the body element "
            f"out (first: {left_out[0][:60]!r}): the element was read whole")
        return whole

    def _body_from_metadata(self) -> tuple[list[BodyBlock], Layer] | None:
        text, source = self.metadata.get("body"), self.metadata.source("body")
        if text and source is not None:
            paragraphs = [normalise_text(part) for part in re.split(r"\n\s*\n|\n", text)]
            not_prose = self._captions_and_link_texts()
            return [BodyBlock("paragraph", p) for p in paragraphs if p and p not in not_prose], source
        element = self.metadata.get("body_element")
        if element is not None:
            return text_blocks(element, skip=is_boilerplate, base_url=self.doc.base_url), Layer.MICRODATA
        return None

    def _captions_and_link_texts(self) -> set[str]:
        """Texts that articleBody often carries but that are no prose of the story: photo captions
        and "read also" links, both of which the page shows as what they are."""
        return {text for element in self.root.iter("figcaption", "a") if (text := element_text(element))}

    def fill_comments(self) -> None:
        self._fill_comment_count()
        items = self.of_this_story(self.select("comments"))
        if items:
            self.set_field("comments", self._comments_from_items(items), Layer.PROFILE)
        else:  # the profile's selector (a guess) finds none, or no profile: the markup's comment items
            comments = extract_comments(self.root, self.date_language)
            if comments:
                self.set_field("comments", comments, Layer.MARKUP)
            elif not self.profile_fits:
                self._generic_comments()
        shown, read = self.article.comment_count, len(self.article.comments)
        # Complete only when what the page says it holds was all read: a counter of zero, or
        # items at least as many as the counter (a paged or half-recognised list is not); items
        # found by markup alone count only against a counter.
        by_profile = bool(items) and (shown is None or read >= shown)
        by_markup = self.article.sources.get("comments") == Layer.MARKUP and shown is not None and read >= shown
        # Without a counter, a "Load more comments" button says the items read are not all of them;
        # a "View 4 replies" button says so whatever the counter (which may count threads only).
        control = more_comments_control(self.root) if read else None
        more_by_script = control == "replies" or (control == "comments" and shown is None)
        self.article.comments_complete = (shown == 0 or by_profile or by_markup) and not more_by_script
        loaded_by_script = not read and comments_loaded_by_script(self.root)  # only looked for when none were read
        self.article.comments_status = "unreached" if more_by_script else comments_status(read, shown, loaded_by_script)
        self.article.comment_pages = other_comment_pages(self.root, self.doc.url, self.doc.absolute)
        if self.article.comment_pages:  # the page shows some of them, the others are on those pages
            self.article.comments_complete, self.article.comments_status = False, "unreached"

    def _fill_comment_count(self) -> None:
        """The count of comments the page gives: the profile's counter, else the one it prints,
        else its JSON-LD's (commentCount, above zero), which tells comments loaded by a script no
        sign of ours names from a page with none."""
        count_raw, source = element_text(self.select_first("comment_count")), Layer.PROFILE
        if not count_raw:
            (count_raw, _), source = comment_counter(self.root), Layer.MARKUP
        if not count_raw and (counted := self.metadata.get("comment_count")):
            count_raw, source = str(counted), Layer.JSONLD
        if count_raw:
            self.article.comment_count_raw = count_raw
            self.article.comment_count = printed_count(count_raw)
            self.article.sources["comment_count"] = source

    def _generic_comments(self) -> None:
        """The comment lines the generic layer found, when the page shows it has comments (a
        counter above zero, or a list of comments: trafilatura reads any comment section, empty
        ones too), less the section's furniture and the teasers of other articles (lines that
        are a link's or a heading's text, or the headline)."""
        # The evidence first: it costs less than a trafilatura pass on a page whose body came from metadata.
        if not self.article.comment_count and (self.article.comment_count == 0 or not shows_a_comment_list(self.root)):
            return
        if not self.generic.comments:
            return
        elsewhere = {self.article.title, *(element_text(element) for element in
                                           self.root.iter("a", "h1", "h2", "h3", "h4", "h5", "h6"))}
        lines = [line for line in self.generic.comments if line not in elsewhere and not is_not_a_comment(line)]
        if lines:
            self.article.comments = [Comment(body_text=line, position=n) for n, line in enumerate(lines)]
            self.article.sources["comments"] = Layer.GENERIC

    def _comments_from_items(self, items: list) -> list[Comment]:
        """The comments of the profile's items, each part by the profile's selector, else (a
        redesign the guess missed: `cite.fn` for `.comment__author`) as the markup layer reads
        it from the same item; a reply's parent by the items' nesting, else by the id the reply
        names (`data-parent-id`)."""
        item_set = set(items)
        id_attribute = (self.profile.article_selector("comment_id_attribute") if self.profile else None) or "data-comment-id"
        ids = {item: _comment_id(item, id_attribute) for item in items}
        depths: dict[str, int] = {}
        comments = []
        for position, item in enumerate(items):  # document order: each comment before its replies
            ancestors = [a for a in item.iterancestors() if a in item_set]
            markup = CommentParts(item, item_set)
            posted = self._own_first("comment_date", item, item_set)
            if posted is not None:
                posted_raw = element_text(posted)
                posted_at = normalise_date(posted.get("datetime") or posted_raw, self.date_language)
            else:  # the markup's time part may hold more than the date ("Li Wei, 4 May 2024"): found in it
                posted_raw, machine = markup.posted_raw, markup.posted_machine
                posted_at = find_date(machine or posted_raw, self.date_language) if posted_raw else None
            parent_id = ids[ancestors[0]] if ancestors else named_parent_id(item)
            depth = len(ancestors) if ancestors or not parent_id else depths.get(parent_id, -1) + 1
            if site_id := ids[item]:
                depths[site_id] = depth
            comments.append(
                Comment(
                    body_text=element_text(self._own_first("comment_body", item, item_set)) or markup.text or "",
                    position=position,
                    site_comment_id=ids[item],
                    parent_id=parent_id,
                    depth=depth,
                    author_name=element_text(self._own_first("comment_author", item, item_set)) or markup.author,
                    posted_at=posted_at,
                    posted_at_raw=posted_raw,
                )
            )
        return comments

    def _own_first(self, name: str, item, item_set: set):
        """The first match inside a comment that belongs to it, not to one of its replies."""
        for element in self.select(name, item):
            owner = next((a for a in element.iterancestors() if a in item_set), None)
            if owner is item:
                return element
        return None


# What the blocks of a body element never hold (text_blocks skips them): figures and their captions,
# asides, forms, scripts ... The outermost of them, so that none is counted twice.
_NOT_BLOCK_TEXT = " or ".join(f"self::{tag}" for tag in sorted(NOT_BODY_TAGS | {"noscript", "template", "button", "select"}))
_OUTSIDE_BLOCKS = etree.XPath(f".//*[{_NOT_BLOCK_TEXT}][not(ancestor::*[{_NOT_BLOCK_TEXT}])]")


def _letters(text: str) -> int:
    return len("".join(text.split()))


def _text_left_out(container, blocks: list[BodyBlock]) -> bool:
    """Whether a body element may hold text its selected blocks do not: a cheap count of its
    characters (spaces aside) against theirs, before the whole element is read to compare
    (text_blocks, ten times the cost on the demo's pages)."""
    shown = _letters(container.text_content()) - sum(_letters(element.text_content())
                                                     for element in _OUTSIDE_BLOCKS(container))
    return shown > sum(_letters(block.text) for block in blocks)


def _story_element(element):
    """The <article> element around an element, or None."""
    return next((ancestor for ancestor in element.iterancestors("article")), None)


# A link to the image itself (a lightbox's), not to another page.
_IMAGE_FILE = re.compile(r"\.(?:jpe?g|png|gif|webp|avif|tiff?)(?:[?#]|$)", re.IGNORECASE)


def _links_away(image) -> bool:
    """An image inside a link to another page: a teaser's thumbnail ("More stories"), not a photo
    of the story, however broad the profile's photo_image selector (`img`)."""
    link = next(image.iterancestors("a"), None)
    href = (link.get("href") or "").strip() if link is not None else ""
    return bool(href) and not href.startswith("#") and not _IMAGE_FILE.search(href)


def machine_date(element) -> str | None:
    """A date element's machine-readable time: its own `datetime` (a <time>) or `content` (a
    <meta>), else that of the first <time datetime> inside it; None without one.

    >>> from lxml import html
    >>> [machine_date(html.fragment_fromstring(markup)) for markup in (
    ...     "<p class='date'><time datetime='2024-05-04T10:30:00+03:00'>4 May 2024</time></p>",
    ...     "<time datetime=' 2024-05-04 '>4 May</time>", "<p>4 May 2024</p>")]
    ['2024-05-04T10:30:00+03:00', '2024-05-04', None]
    """
    own = element.get("datetime") or element.get("content")
    if own and own.strip():
        return own.strip()
    inner = next((time.get("datetime") for time in element.iter("time") if (time.get("datetime") or "").strip()), None)
    return inner.strip() if inner else None


_RTL_LANGUAGES = {"ar", "fa", "he", "ur", "ps", "yi"}


def _authors_from_metadata(names: list[str]) -> list[Byline]:
    # A single metadata value may hold a joined byline ("A and B"): split it like a byline.
    if len(names) == 1:
        return split_byline(names[0])
    return bylines_from_names(names)


_TITLE_LAYER_ORDER = {Layer.JSONLD: 0, Layer.OPENGRAPH: 1, Layer.META: 2, Layer.MICRODATA: 3}
# An h1 that holds the site's logo or name, not a headline (a theme's `site-title`, a link home).
_LOGO_CLASS = re.compile(r"logo|site-?(?:title|name|branding)|brand|blog-?(?:title|name)|masthead", re.I)


# A heading the page hides (for screen readers) or a subtitle inside an h1 is no headline shown.
_HIDDEN_CLASS = re.compile(r"sr-only|visually-?hidden|screen-?reader|hide|hidden|invisible|offscreen", re.I)
_SUBTITLE_CLASS = re.compile(r"sub-?title|sub-?line|subhead|standfirst|dek\b", re.I)


def _shown_headline(heading) -> str | None:
    """The text of an h1 as a headline: none for a hidden one, and without a `small` or subtitle
    part after the headline inside it ("Headline <small>Its subtitle</small>"), nor a kicker that
    the h1 sets apart before it (see _without_marked_kicker)."""
    if _HIDDEN_CLASS.search(heading.get("class") or "") or heading.get("hidden") is not None:
        return None
    text = element_text(heading)
    if text and any(_is_subtitle(part, text) for part in heading.iterdescendants()):
        pruned = copy.deepcopy(heading)  # pragma: no mutate (lxml's copy.copy copies the subtree too)
        for part in [part for part in pruned.iterdescendants() if _is_subtitle(part, text)]:
            part.drop_tree()  # lxml.html keeps the text that follows it
        heading, text = pruned, element_text(pruned)
    return _without_marked_kicker(heading, text) if text else text


_NO_WORD = re.compile(r"^\W*$")  # nothing but spaces and separators (" – ", ": ", "|")
_WORD = re.compile(r"\w+")


def _without_marked_kicker(heading, text: str) -> str:
    """The headline of an h1 made of two parts, each an element of its own, separators aside: a
    kicker of four words at most (titles.KICKER_WORDS), marked by a class or an id or followed by a
    separator, then the headline, at least as long. `<h1><span class="topline">Leak</span>
    <span>Data of an arms maker hacked</span></h1>` is "Data of an arms maker hacked", whatever
    the metadata's title keeps. A kicker whose headline runs on in the h1's own text stays part of
    it ("<h1><span>Tubeless tyres</span> step by step</h1>"): the page reads them as one line; so
    do an h1 of more parts (a word in each span, for an effect) and a longer first part (a title
    before its subtitle).

    >>> from lxml import html
    >>> _without_marked_kicker(html.fromstring("<h1><span class='kicker'>Leak</span> <span>Data hacked</span></h1>"), "Leak Data hacked")
    'Data hacked'
    """
    if not _NO_WORD.match(heading.text or "") or any(not _NO_WORD.match(child.tail or "") for child in heading):
        return text
    parts = [child for child in heading if isinstance(child.tag, str) and not _NO_WORD.match(element_text(child) or "")]
    if len(parts) != 2:
        return text
    kicker, headline = element_text(parts[0]) or "", element_text(parts[1]) or ""
    kicker_words, headline_words = len(_WORD.findall(kicker)), len(_WORD.findall(headline))
    first, second = heading.index(parts[0]), heading.index(parts[1])
    separators = (parts[0].tail or "") + "".join(
        ((element_text(child) or "") if isinstance(child.tag, str) else "") + (child.tail or "")
        for child in heading[first + 1:second])
    set_apart = bool(parts[0].get("class") or parts[0].get("id") or separators.strip()
                     or kicker.endswith((":", "|", "–", "—", "-")))
    if set_apart and 0 < kicker_words <= titles.KICKER_WORDS and headline_words >= kicker_words:
        return headline
    return text


def _is_subtitle(part, heading_text: str) -> bool:
    if not isinstance(part.tag, str) or not (part.tag == "small" or _SUBTITLE_CLASS.search(part.get("class") or "")):
        return False
    text = element_text(part)
    return text is not None and not heading_text.startswith(text)


def _is_logo(heading, doc: Document) -> bool:
    marked = [heading, *(element for element in heading.iterancestors() if element.tag not in ("body", "html"))][:3]
    if any(_LOGO_CLASS.search(f"{element.get('class') or ''} {element.get('id') or ''}") for element in marked):
        return True
    for link in heading.iter("a"):
        href = doc.absolute(link.get("href"))
        if "home" in (link.get("rel") or "").split() or (href and _above(href, doc.url)):
            return True
    return False


def _above(href: str, url: str) -> bool:
    """Whether a link leads up from a page: to its site's home, or to a folder it is in (a
    section, or the home of a site archived under another's address: web.archive.org/web/.../site/).

    >>> _above("https://n.example/news/", "https://n.example/news/2024/rain"), _above("https://n.example/news/2024/rain", "https://n.example/news/2024/rain")
    (True, False)
    """
    link, page = urlsplit(href), urlsplit(url)
    if link.hostname != page.hostname:
        return False
    return link.path in ("", "/") or (link.path.endswith("/") and page.path.startswith(link.path)
                                      and len(link.path) < len(page.path))


def _title_layer(title: str, headings: list[str], candidates: list[tuple[Layer, object]]) -> Layer:
    """Where the chosen headline is written: the most trusted metadata layer that gives it as it
    is, else an h1 (the markup), else the first metadata title that holds it (less a site name),
    else the <title> (read by the generic rules)."""
    wanted = titles.key(title)
    keys = [(layer, titles.key(titles.clean_title(value) or "")) for layer, value in candidates if isinstance(value, str)]
    exact = next((layer for layer, value in keys if value == wanted), None)
    if exact is not None:
        return exact
    if any(titles.key(heading) == wanted for heading in headings):
        return Layer.MARKUP
    return next((layer for layer, value in keys if wanted in value), Layer.GENERIC)


def _comment_id(item, id_attribute: str) -> str | None:
    value = item.get(id_attribute) or item.get("id")
    if not value:
        return None
    return re.sub(r"^(?:comment|li-comment|div-comment)[-_]", "", value)


def _int_or_none(value) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None
