"""The JSON-LD layer of the metadata, field by field (issue 20, mutation testing of
parsers/metadata.py; its other layers are not yet covered here).

The rules (module docstring): per field, the first value in order of trust, JSON-LD first, with
the layer it came from; a plain WebPage node counts only for fields an article node has not given,
and gives no page type or headline; articleBody loses escaped tags and entities.
"""

import json

from lxml import html as lxml_html

from newsarchive.items import Layer
from newsarchive.parsers.metadata import Metadata, extract_metadata

NODE = {
    "@context": "https://schema.org", "@type": "NewsArticle",
    "headline": "  Rain  in Spain ", "name": "Rain in Spain | Daily Planet",
    "datePublished": "2024-05-20T08:00:00+02:00", "dateModified": ["2024-05-21", "2024-05-22"],
    "author": [{"@type": "Person", "name": "Ana  Ruiz"}, "Ben Ode", {"@type": "Person"}, 7],
    "articleBody": "<p>First &amp; foremost.</p><p>Second<br>line.</p>",
    "image": [{"@type": "ImageObject", "contentUrl": " https://n.example/rain.jpg "}],
    "inLanguage": "es", "articleSection": ["Weather", "World"], "url": "https://n.example/rain/",
    "publisher": {"@type": "Organization", "name": "Daily Planet"},
}


def _metadata(*nodes, url="https://n.example/rain/"):
    scripts = "".join(f'<script type="application/ld+json">{json.dumps(node)}</script>' for node in nodes)
    return extract_metadata(lxml_html.fromstring(f"<html><head>{scripts}</head><body><p>x</p></body></html>"), url)


def test_every_field_of_an_article_node():
    metadata = _metadata(NODE)
    assert metadata.values == {
        "title": "Rain in Spain", "published_at": "2024-05-20T08:00:00+02:00", "modified_at": "2024-05-21",
        "authors": ["Ana Ruiz", "Ben Ode"], "body": "First & foremost.\nSecond\nline.",
        "image": "https://n.example/rain.jpg", "language": "es", "section": "Weather",
        "canonical_url": "https://n.example/rain/", "publisher": "Daily Planet", "page_type": "article",
        "headline": "Rain in Spain",
    }
    assert set(metadata.sources.values()) == {Layer.JSONLD}


def test_character_references_in_json_ld_text_are_read():
    # A script's text is not read by the HTML parser: CMSs write "&amp;" there for "&" (wmn.de's
    # sections), and `export --section "Body & Fitness"` found none of them.
    node = {"@type": "NewsArticle", "headline": "Q&amp;A: rain", "articleSection": "Body &amp; Fitness",
            "author": [{"name": "Ana &amp; Ben"}, "Jos&eacute; Ruiz"], "url": "https://n.example/a?x=1&amp;y=2",
            "publisher": "AT&T News"}
    values = _metadata(node).values
    assert (values["section"], values["authors"], values["canonical_url"], values["publisher"]) == (
        "Body & Fitness", ["Ana & Ben", "José Ruiz"], "https://n.example/a?x=1&y=2", "AT&T News")
    assert values["headline"] == "Q&A: rain"


def test_a_webpage_node_gives_only_what_the_article_node_does_not():
    page = {"@type": "WebPage", "name": "Rain in Spain | Daily Planet", "inLanguage": "en",
            "image": {"url": "https://n.example/page.jpg"}, "articleBody": "Plain text body"}
    article = {"@type": "BlogPosting", "headline": "Rain in Spain"}
    metadata = _metadata({"@graph": [page, article]})
    assert metadata.values == {"title": "Rain in Spain | Daily Planet", "language": "en",
                               "image": "https://n.example/page.jpg", "body": "Plain text body",
                               "page_type": "article", "headline": "Rain in Spain"}
    only_page = _metadata(page)
    assert "page_type" not in only_page.values and "headline" not in only_page.values


def test_every_story_type_of_schema_org_however_spelled():
    # A forum thread and a review are stories too; a type may carry its vocabulary's prefix,
    # and a list of types may hold something that is not a name.
    for kind in ["DiscussionForumPosting", "ReviewNewsArticle", "schema:BlogPosting",
                 "https://schema.org/NewsArticle", ["http://schema.org/Report", {"@id": "x"}]]:
        metadata = _metadata({"@type": kind, "headline": "Rain in Spain", "author": {"name": "Ana Ruiz"}})
        assert metadata.values.get("headline") == "Rain in Spain", kind
        assert metadata.values.get("authors") == ["Ana Ruiz"], kind
    for kind in ["Organization", "Person", "BreadcrumbList", "https://schema.org/ImageObject"]:
        assert _metadata({"@type": kind, "headline": "Rain in Spain"}).values == {}, kind


def test_offer_keeps_the_most_trusted_layer_and_every_candidate():
    metadata = Metadata()
    metadata.offer("title", "From meta", Layer.META)
    metadata.offer("title", "From JSON-LD", Layer.JSONLD)
    metadata.offer("title", "From OpenGraph", Layer.OPENGRAPH)
    metadata.offer("title", "", Layer.JSONLD)
    metadata.offer("title", [], Layer.JSONLD)
    assert (metadata.get("title"), metadata.source("title")) == ("From JSON-LD", Layer.JSONLD)
    assert metadata.candidates["title"] == [(Layer.META, "From meta"), (Layer.JSONLD, "From JSON-LD"),
                                            (Layer.OPENGRAPH, "From OpenGraph")]
    assert (metadata.get("body"), metadata.source("body")) == (None, None)


def test_authors_that_are_the_publisher_or_the_host_are_no_byline():
    node = {"@type": "Article", "author": [{"name": "Daily Planet"}, {"name": "N Example"}, {"name": "Ana Ruiz"}],
            "publisher": {"name": "Daily-Planet"}}
    assert _metadata(node, url="https://www.n-example.com/rain/").get("authors") == ["Ana Ruiz"]
    only_publisher = {"@type": "Article", "author": {"name": "Daily Planet"}, "publisher": "Daily Planet"}
    assert _metadata(only_publisher).get("authors") is None


def _page_metadata(head, body=""):
    return extract_metadata(lxml_html.fromstring(f"<html><head>{head}</head><body>{body}</body></html>"),
                            "https://n.example/rain/")


def test_meta_tags_text_is_normalised_and_an_image_address_kept_as_given():
    metadata = _page_metadata(
        "<meta property='og:title' content='  Rain  in Spain '><meta name='twitter:title' content='Other'>"
        "<meta property='og:image' content=' https://n.example/a  b.jpg '><meta name='description'>"
        "<meta name='author' content='Ana Ruiz'><meta name='author' content='   '>"
        "<meta itemprop='author' content='Ben Ode'>")
    assert (metadata.get("title"), metadata.source("title")) == ("Rain in Spain", Layer.OPENGRAPH)
    assert metadata.get("image") == "https://n.example/a  b.jpg"
    assert (metadata.get("authors"), metadata.source("authors")) == (["Ana Ruiz", "Ben Ode"], Layer.META)


def test_microdata_of_the_first_item_with_authors():
    body = ("<div itemscope itemtype='https://schema.org/NewsArticle'>"
            "<h1 itemprop='headline'>Rain  in Spain</h1>"
            "<time itemprop='datePublished' datetime='2024-05-20'>20 May</time>"
            "<meta itemprop='dateModified' content='2024-05-21'>"
            "<span itemprop='author' itemscope><span itemprop='name'>Ana Ruiz</span> writes on weather</span>"
            "<div itemprop='articleBody' id='body'><p>Body</p></div></div>"
            "<div itemscope><span itemprop='author'>Teaser Author</span></div>")
    metadata = _page_metadata("", body)
    assert {name: metadata.get(name) for name in ("title", "published_at", "modified_at", "authors")} == {
        "title": "Rain in Spain", "published_at": "2024-05-20", "modified_at": "2024-05-21",
        "authors": ["Ana Ruiz"]}
    assert {metadata.source(name) for name in ("title", "published_at", "modified_at", "authors", "body_element")} \
        == {Layer.MICRODATA}
    assert metadata.get("body_element").get("id") == "body"
