"""Photos of an article: its figures, which one leads, their captions, credits and sizes.

A profile names the lead photo and the body's figures; for a page no profile describes (or a
profile whose guessed selector misses), the figures are found in the story's own container,
outside navigation, asides, teasers and comments. Captions and credits are split in captions.py.
"""

from __future__ import annotations

import copy
import re

from lxml import etree

from newsarchive.items import Photo
from newsarchive.parsers.boilerplate import is_boilerplate
from newsarchive.parsers.captions import normalise_credit, split_credit
from newsarchive.parsers.text import element_text, normalise_text

# A photo's element: a figure (an AMP page's images are amp-img), or WordPress's captioned image.
_FIGURES = etree.XPath("descendant::figure[.//img or .//amp-img] "
                       "| descendant::*[contains(concat(' ', @class, ' '), ' wp-caption ')]")
_IMAGES = etree.XPath("descendant::img | descendant::amp-img")
_CAPTIONS = etree.XPath("descendant::figcaption | descendant::*[contains(@class, 'caption')]")
_CREDITS = etree.XPath("descendant::*[contains(@class, 'credit') or contains(@class, 'copyright') "
                       "or contains(@class, 'source')]")
# Lazy-loading pages keep the image's address in one of these, or in a srcset.
# Where a page keeps an image's address, in the order read: a lazy loader's own attribute first,
# which its script copies into src (whose image is then a placeholder: a data: URI, a blank.gif).
_SOURCE_ATTRIBUTES = ("data-lazy-src", "data-src", "data-original", "src")
_NOT_AN_IMAGE = ("data:", "#", "javascript:", "about:")


def story_container(root, body_element=None):
    """The element that holds the story: the body element metadata names (articleBody), else the
    `article` with the headline, else `main`, else the whole page."""
    if body_element is not None:
        return body_element
    container = next((a for a in root.iter("article") if a.find(".//h1") is not None), None)
    if container is None:
        container = root.find(".//main")
    return root if container is None else container


def story_figures(container, also=()) -> list:
    """The story's figure elements, outside navigation, asides, teasers and comments; with `also`
    (other elements to read as figures: a profile's image in a div of its own), in document order."""
    figures = [f for f in _FIGURES(container) if not _outside_the_story(f, container)]
    if also:
        wanted = set(figures) | set(also)
        figures = [element for element in container.iter() if element in wanted]
    return figures


def photos_in_story(container, read_figure, also=(), figures=None) -> list[Photo]:
    """Every figure of the story (story_figures, unless given) as a Photo, read by
    `read_figure(figure, is_lead, position)`; the first is the lead photo when it stands before the
    story's first paragraph."""
    figures = story_figures(container, also) if figures is None else figures
    # The story's first paragraph: a line of prose, not a byline or date line above it.
    first_paragraph = next((p for p in container.iter("p") if len(element_text(p) or "") >= 60), None)
    photos: list[Photo] = []
    for figure in figures:
        is_lead = not photos and (first_paragraph is None or _comes_first(figure, first_paragraph, container))
        photo = read_figure(figure, is_lead, len(photos))
        if photo and all(photo.url != seen.url for seen in photos):
            photos.append(photo)
    return photos


def photos_figures(container) -> list:
    """The figure elements in a container (figures, captioned images), wherever they stand."""
    return _FIGURES(container)


def figure_caption(figure):
    """A figure's caption element: its figcaption or an element whose class names a caption."""
    return next(iter(_CAPTIONS(figure)), None)


def figure_image(figure):
    """A figure's image element (an img, or an AMP page's amp-img), or None."""
    return next(iter(_IMAGES(figure)), None)


def photo(url: str, image, caption, is_lead: bool, position: int, size: tuple[int | None, int | None],
          figure=None) -> Photo:
    """A Photo from its image element and caption element (either may be None), the credit read
    from the caption, else from an element of the figure beside it."""
    caption_text, credit, credit_raw, caption_raw = caption_and_credit(caption, figure)
    width, height = size
    return Photo(
        url=url, position=position, caption=caption_text, caption_raw=caption_raw, credit=credit,
        credit_raw=credit_raw, alt=normalise_text(image.get("alt")) if image is not None else None,
        width=width, height=height, is_lead=is_lead,
    )


def image_source(image) -> str | None:
    """The image's address, wherever a lazy-loading page keeps it; from a srcset alone, its largest.

    >>> from lxml import html
    >>> image_source(html.fragment_fromstring("<img src='/static/blank.gif' data-lazy-src='/img/river.jpg'>"))
    '/img/river.jpg'
    >>> image_source(html.fragment_fromstring("<img srcset='/img/a-480.jpg 480w, /img/a-1200.jpg 1200w'>"))
    '/img/a-1200.jpg'
    >>> image_source(html.fragment_fromstring("<img src='#'>")) is None
    True
    """
    for attribute in _SOURCE_ATTRIBUTES:
        value = (image.get(attribute) or "").strip()
        # Not an image's address: inline data, or one that leads back to the page (`src="#"`, a
        # placeholder a script replaces; as a photo its download was the page again, or nothing).
        if value and not value.lower().startswith(_NOT_AN_IMAGE):
            return value
    return largest_in_srcset(image.get("srcset") or image.get("data-srcset") or "")


_SRCSET_URL = re.compile(r"[\s,]*(\S+)")


def largest_in_srcset(srcset: str) -> str | None:
    """The address of a srcset's largest image (by its width or density descriptor; the first when
    none has one), read as browsers read the list: an address runs to the next space, so one with
    commas in it (`/upload/w_480,h_300/a.jpg`) is whole.

    >>> largest_in_srcset("/a.jpg 1x, /a@2x.jpg 2x"), largest_in_srcset("/upload/w_480,h_300/a.jpg 480w, /b.jpg 320w")
    ('/a@2x.jpg', '/upload/w_480,h_300/a.jpg')
    >>> largest_in_srcset("/only.jpg"), largest_in_srcset("  ")
    ('/only.jpg', None)
    """
    best, best_size, position = None, -1.0, 0
    while (found := _SRCSET_URL.match(srcset, position)) is not None:
        url, position = found.group(1), found.end()
        descriptor = ""
        if url.endswith(","):
            url = url.rstrip(",")
        else:
            comma = srcset.find(",", position)
            end = comma if comma >= 0 else len(srcset)
            descriptor, position = srcset[position:end].strip(), end + 1
        size = _descriptor_size(descriptor)
        if url and size > best_size:
            best, best_size = url, size
    return best


def _descriptor_size(descriptor: str) -> float:
    """A srcset candidate's width (480w) or density (2x), 0 when it has none it can be read by."""
    try:
        return float(descriptor[:-1]) if descriptor[-1:] in ("w", "x") else 0.0
    except ValueError:
        return 0.0


def caption_and_credit(caption, figure=None) -> tuple[str | None, str | None, str | None, str | None]:
    """(caption, credit, credit_raw, caption_raw): a credit in an element of its own (class
    `credit`, `copyright`, `source`), else one written at the caption's end, else one in an element
    of its own beside the caption in the figure (`<figcaption>...</figcaption><p class="credit">`)."""
    caption_raw = element_text(caption)
    credit_element = next(iter(_CREDITS(caption)), None) if caption is not None else None
    credit_raw = element_text(credit_element)
    if credit_raw and caption_raw:
        without = copy.deepcopy(caption)  # pragma: no mutate (lxml's copy.copy copies the subtree too)
        for element in _CREDITS(without):
            element.drop_tree()
        return element_text(without), normalise_credit(credit_raw), credit_raw, caption_raw
    caption_text, credit, credit_raw = split_credit(caption_raw)
    if credit_raw is None and figure is not None:
        beside = next((element for element in _CREDITS(figure) if caption is None or
                       (element is not caption and caption not in set(element.iterancestors()))), None)
        if (credit_raw := element_text(beside)) and credit_raw != caption_raw:
            return caption_text, normalise_credit(credit_raw), credit_raw, caption_raw
        credit_raw = None
    return caption_text, credit, credit_raw, caption_raw


def _outside_the_story(figure, container) -> bool:
    for ancestor in figure.iterancestors():
        if ancestor is container:
            return False
        if ancestor.tag in ("nav", "header", "footer", "aside", "a") or is_boilerplate(ancestor):
            return True
    return False  # pragma: no mutate (unreached: the container is an ancestor of its figures)


def _comes_first(element, other, container) -> bool:
    """Whether `element` stands before `other` in the document (neither inside the other)."""
    return next(e for e in container.iter() if e is element or e is other) is element
