"""What stands around a story, checked rule by rule (issue 20, mutation testing of
parsers/boilerplate.py).

The rules: an element is boilerplate when it is hidden (`display:none`), or when the words of its
class or id names ("xy-related-posts", "hideOnPrint") include a widget word; an element is inside
what is no body when an ancestor below the story's container is a figure, aside, nav, form ... or
boilerplate.
"""

import pytest
from lxml import html as lxml_html

from newsarchive.parsers.boilerplate import inside_non_body, is_boilerplate


@pytest.mark.parametrize("markup, expected", [
    ("<div id='xy-related-posts'></div>", True),
    ("<div class='hideOnPrint'></div>", True),
    ("<div class='story-body' id='main-text'></div>", False),
    ("<div style='display: none'></div>", True),
    ("<div style='color: red'></div>", False),
    ("<div></div>", False),
    ("<div class='ShareButtons'></div>", True),
    ("<div class='NAV'></div>", True),
])
def test_is_boilerplate(markup, expected):
    assert is_boilerplate(lxml_html.fragment_fromstring(markup)) is expected


PAGE = lxml_html.fromstring(
    "<html><body><aside><div id='story'>"
    "<p id='plain'>Text</p>"
    "<div class='text'><p id='nested'>Text</p></div>"
    "<figure><p id='in-figure'>Caption</p></figure>"
    "<div class='share-tools'><p id='in-widget'>Share</p></div>"
    "</div></aside><p id='outside'>Elsewhere</p></body></html>"
)


@pytest.mark.parametrize("element_id, expected", [
    ("plain", False),
    ("nested", False),
    ("in-figure", True),
    ("in-widget", True),
    ("outside", False),
])
def test_inside_non_body_looks_only_below_the_container(element_id, expected):
    # The container sits in an aside: what is above it does not count.
    assert inside_non_body(PAGE.get_element_by_id(element_id), PAGE.get_element_by_id("story")) is expected
