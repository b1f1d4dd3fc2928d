"""The body's structure kept (issue 14, point 5): blocks of kind paragraph, heading, quote,
list_item and table, each with its links, from the markup layer (text_blocks) and the generic
layer (trafilatura) alike; stored in article_blocks and article_links, replaced when the article
changes. Pages written here; a real HTTP server on 127.0.0.1 and real SQLite files."""

from __future__ import annotations

import sqlite3

import lxml.html
import pytest

from newsarchive.archive import open_archive
from newsarchive.archive.store import start_crawl, store_article
from newsarchive.items import Article, BodyBlock, Link
from newsarchive.parsers import parse_page
from newsarchive.parsers.text import absolute_url, text_blocks
from newsarchive.pipelines.normalise import normalise_article
from tests.conftest import run_cli, serve_in_subprocess

URL = "https://news.example/world/2024/05/dam-talks"
BODY = ('<p>Talks on the dam resumed on Monday, the <a href="/ministry/water">water ministry</a> said in a '
        '<a href="https://gov.example/statement.pdf">statement</a> after months without a meeting of the two '
        'delegations.</p>'
        '<h2>What was agreed</h2>'
        '<blockquote><p>We agreed to share the data every week, said the minister, as '
        '<a href="reports/2024">the report</a> shows.</p></blockquote>'
        '<ul><li>Monthly meetings of the engineers</li><li>A hotline, <a href="javascript:void(0)">open now</a>, '
        'and a <a href="mailto:desk@news.example">mail address</a></li></ul>'
        '<table><tr><th>Reservoir</th><th>Level</th></tr><tr><td>North</td><td>61 %</td></tr>'
        '<tr><td>South</td><td><a href="/data/south">48 %</a></td></tr></table>'
        '<p>The next round of talks is due in May, when both sides will bring the figures for the summer months.</p>')
FIRST = ("Talks on the dam resumed on Monday, the water ministry said in a statement after months without a "
         "meeting of the two delegations.")
QUOTE = "We agreed to share the data every week, said the minister, as the report shows."
LAST = "The next round of talks is due in May, when both sides will bring the figures for the summer months."
FIRST_LINKS = [Link("https://news.example/ministry/water", "water ministry"),
               Link("https://gov.example/statement.pdf", "statement")]
# Relative to the page's folder, /world/2024/05/; the javascript: and mailto: links are left out.
QUOTE_LINKS = [Link("https://news.example/world/2024/05/reports/2024", "the report")]
SOUTH_LINKS = [Link("https://news.example/data/south", "48 %")]


def page(container: str) -> str:
    return ('<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>Dam talks resume</title></head><body>'
            '<nav><a href="/">Home</a> <a href="/world/">World</a></nav>'
            f'<article><h1>Dam talks resume</h1>{container}</article>'
            '<footer><a href="/privacy">Privacy</a></footer></body></html>')


MARKUP_PAGE = page(f'<div itemprop="articleBody">{BODY}</div>')  # no profile: the page's own body mark
GENERIC_PAGE = page(f'<div class="story">{BODY}</div>')  # nothing marks the body: trafilatura finds it


def parsed(html: str) -> Article:
    article = parse_page(URL, html)
    return normalise_article(article)


def test_a_page_with_no_profile_gives_blocks_of_each_kind_with_their_links():
    article = parsed(MARKUP_PAGE)
    assert article.sources["body_text"] == "microdata"
    assert article.body_blocks == [
        BodyBlock("paragraph", FIRST, FIRST_LINKS),
        BodyBlock("heading", "What was agreed"),
        BodyBlock("quote", QUOTE, QUOTE_LINKS),
        BodyBlock("list_item", "Monthly meetings of the engineers"),
        BodyBlock("list_item", "A hotline, open now, and a mail address"),
        BodyBlock("table", "Reservoir | Level"),
        BodyBlock("table", "North | 61 %"),
        BodyBlock("table", "South | 48 %", SOUTH_LINKS),
        BodyBlock("paragraph", LAST),
    ]
    assert article.body_text == "\n\n".join(block.text for block in article.body_blocks)


def test_the_generic_layer_gives_the_same_kinds_and_links_on_trafilaturas_lines():
    article = parsed(GENERIC_PAGE)
    assert article.sources["body_text"] == "generic"
    assert article.body_blocks == [
        BodyBlock("paragraph", FIRST, FIRST_LINKS),
        BodyBlock("heading", "What was agreed"),
        BodyBlock("quote", QUOTE, QUOTE_LINKS),
        BodyBlock("list_item", "- Monthly meetings of the engineers"),
        BodyBlock("list_item", "- A hotline, open now, and a mail address"),
        BodyBlock("table", "| Reservoir | Level |"),
        BodyBlock("table", "|---|---|"),  # trafilatura's rule under the header row
        BodyBlock("table", "| North | 61 % |"),
        BodyBlock("table", "| South | 48 % |", SOUTH_LINKS),
        BodyBlock("paragraph", LAST),
    ]


def test_the_generic_body_text_is_trafilaturas_plain_text_as_before():
    """Blocks change nothing of body_text: a changed text would be a new version of every article."""
    import trafilatura

    root = lxml.html.fromstring(GENERIC_PAGE)
    plain = trafilatura.bare_extraction(root, url=URL, with_metadata=False, include_comments=True,
                                        include_tables=True, include_images=False, as_dict=False, fast=True).text
    lines = [" ".join(line.split()) for line in plain.split("\n")]
    assert parsed(GENERIC_PAGE).body_text == "\n\n".join(line for line in lines if line != "Dam talks resume")


@pytest.mark.parametrize(("href", "expected"), [
    ("/a/b?c=1", "https://news.example/a/b?c=1"),
    ("../x.html", "https://news.example/world/2024/x.html"),
    ("//cdn.example/y", "https://cdn.example/y"),
    ("http://other.example/z#part", "http://other.example/z#part"),
    ("  /spaced  ", "https://news.example/spaced"),
    ("javascript:void(0)", None),
    ("JavaScript:go()", None),
    ("mailto:desk@news.example", None),
    ("tel:+4912345", None),
    ("", None),
    (None, None),
    ("http://[::1/", None),  # no URL at all: left out, the page still parses
])
def test_absolute_url(href, expected):
    assert absolute_url(href, URL) == expected


def test_a_table_that_lays_out_paragraphs_is_read_as_those_paragraphs():
    root = lxml.html.fromstring('<div><table><tr><td><p>Left column text.</p></td>'
                                '<td><p>Right column <a href="/r">text</a>.</p></td></tr></table></div>')
    assert text_blocks(root, base_url="https://n.example/") == [
        BodyBlock("paragraph", "Left column text."),
        BodyBlock("paragraph", "Right column text.", [Link("https://n.example/r", "text")])]


def test_a_list_inside_a_quote_and_a_heading_inside_a_list_item_keep_their_own_kinds():
    root = lxml.html.fromstring('<div><blockquote>Said: <ul><li>one <a href="#n">note</a></li></ul>'
                                '<p>and more</p></blockquote><ol><li><h3>Head</h3>tail</li></ol>'
                                '<p><a href="/img"><img src="a.jpg"></a> picture</p></div>')
    assert text_blocks(root, base_url="https://n.example/s") == [
        BodyBlock("quote", "Said:"), BodyBlock("list_item", "one note", [Link("https://n.example/s#n", "note")]),
        BodyBlock("quote", "and more"), BodyBlock("heading", "Head"), BodyBlock("list_item", "tail"),
        BodyBlock("paragraph", "picture", [Link("https://n.example/img", "")])]


def blocks_and_links(path):
    with sqlite3.connect(path) as db:
        return (db.execute("SELECT article_id, position, kind, text FROM article_blocks "
                           "ORDER BY article_id, position").fetchall(),
                db.execute("SELECT article_id, block_position, position, url, anchor_text FROM article_links "
                           "ORDER BY article_id, block_position, position").fetchall())


def story(title: str, blocks: list[BodyBlock]) -> Article:
    return Article(url=URL, canonical_url=URL, title=title, body_blocks=blocks,
                   body_text="\n\n".join(block.text for block in blocks))


def test_a_changed_article_replaces_its_blocks_and_links(tmp_path):
    path = tmp_path / "archive.db"
    archive = open_archive(path)
    first = [BodyBlock("paragraph", "One.", [Link("https://a.example/1", "one"), Link("https://a.example/2", "two")]),
             BodyBlock("quote", "Two.", [Link("https://a.example/3", "three")])]
    second = [BodyBlock("heading", "New."), BodyBlock("paragraph", "One.", [Link("https://a.example/9", "nine")])]
    with archive.write() as db:
        crawl = start_crawl(db, None, "generic", {}, "2026-01-01T00:00:00Z")
        assert store_article(db, story("T", first), crawl, "2026-01-01T00:00:00Z") == "new"
    assert blocks_and_links(path) == (
        [(1, 0, "paragraph", "One."), (1, 1, "quote", "Two.")],
        [(1, 0, 0, "https://a.example/1", "one"), (1, 0, 1, "https://a.example/2", "two"),
         (1, 1, 0, "https://a.example/3", "three")])
    with archive.write() as db:
        # The same content with other links is the same version: its rows stay as they were.
        same = story("T", [BodyBlock("paragraph", "One."), BodyBlock("quote", "Two.")])
        assert store_article(db, same, crawl, "2026-01-02T00:00:00Z") == "unchanged"
    assert blocks_and_links(path)[1][2] == (1, 1, 0, "https://a.example/3", "three")
    with archive.write() as db:
        assert store_article(db, story("T", second), crawl, "2026-01-03T00:00:00Z") == "changed"
    assert blocks_and_links(path) == ([(1, 0, "heading", "New."), (1, 1, "paragraph", "One.")],
                                      [(1, 1, 0, "https://a.example/9", "nine")])
    archive.close()


def test_an_article_stored_before_blocks_existed_gets_them_on_its_next_visit(tmp_path):
    path = tmp_path / "archive.db"
    archive = open_archive(path)
    blocks = [BodyBlock("paragraph", "One.", [Link("https://a.example/1", "one")])]
    with archive.write() as db:
        crawl = start_crawl(db, None, "generic", {}, "2026-01-01T00:00:00Z")
        store_article(db, story("T", blocks), crawl, "2026-01-01T00:00:00Z")
        db.execute("DELETE FROM article_links")
        db.execute("DELETE FROM article_blocks")  # as an archive written before m013 has it
        assert store_article(db, story("T", blocks), crawl, "2026-01-02T00:00:00Z") == "unchanged"
    assert blocks_and_links(path) == ([(1, 0, "paragraph", "One.")], [(1, 0, 0, "https://a.example/1", "one")])
    archive.close()


def test_a_crawl_on_loopback_stores_the_blocks_and_links(tmp_path):
    site = tmp_path / "site"
    (site / "news").mkdir(parents=True)
    (site / "2024" / "05" / "dam-talks").mkdir(parents=True)
    (site / "news" / "index.html").write_text(
        "<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'><title>News</title>"
        "<meta property='og:type' content='website'></head><body><h1>News</h1><article class='post-summary'>"
        "<h2><a href='/2024/05/dam-talks/'>Dam talks resume</a></h2><p>A short teaser.</p></article></body></html>",
        encoding="utf-8")
    (site / "2024" / "05" / "dam-talks" / "index.html").write_text(MARKUP_PAGE, encoding="utf-8")
    server, base = serve_in_subprocess(site)
    try:
        db_path = tmp_path / "archive.db"
        result = run_cli("crawl", f"{base}/news/", "--db", str(db_path), "--allow-private",
                         "-s", "AUTOTHROTTLE_ENABLED=0", "-s", "LOG_LEVEL=WARNING")
        assert result.returncode == 0, result.stderr[-3000:]
    finally:
        server.terminate()
        server.wait(timeout=10)
    page_folder = f"{base}/2024/05/dam-talks/"
    assert blocks_and_links(db_path) == (
        [(1, 0, "paragraph", FIRST), (1, 1, "heading", "What was agreed"), (1, 2, "quote", QUOTE),
         (1, 3, "list_item", "Monthly meetings of the engineers"),
         (1, 4, "list_item", "A hotline, open now, and a mail address"), (1, 5, "table", "Reservoir | Level"),
         (1, 6, "table", "North | 61 %"), (1, 7, "table", "South | 48 %"), (1, 8, "paragraph", LAST)],
        [(1, 0, 0, f"{base}/ministry/water", "water ministry"),
         (1, 0, 1, "https://gov.example/statement.pdf", "statement"),
         (1, 2, 0, f"{page_folder}reports/2024", "the report"),  # relative to the page's own folder
         (1, 7, 0, f"{base}/data/south", "48 %")])
    with sqlite3.connect(db_path) as db:
        body_text = db.execute("SELECT body_text FROM articles").fetchone()[0]
    assert body_text.split("\n\n")[2] == QUOTE and body_text.count("\n\n") == 8
