"""`newsarchive browse`: Datasette on loopback, with our metadata, queried through its JSON API."""

from __future__ import annotations

import json
import urllib.parse
import urllib.request

import pytest

from newsarchive.research.queries import load_queries
from tests.conftest import start_browse
from tests.test_queries import NOTHING_IN_THE_DEMO


@pytest.fixture(scope="module")
def datasette(research_archive, tmp_path_factory):
    folder = tmp_path_factory.mktemp("browse")
    process, base = start_browse(research_archive.db_path, folder)
    metadata = folder / "metadata.json"
    yield base + "/" + research_archive.db_path.stem, metadata
    process.terminate()  # as a service manager stops it: the server must go with it
    process.wait(timeout=10)
    with pytest.raises(OSError):
        urllib.request.urlopen(base + "/-/versions.json", timeout=2)


def get(url: str, **params) -> dict | list:
    query = urllib.parse.urlencode(params)
    with urllib.request.urlopen(f"{url}?{query}" if query else url, timeout=30) as response:
        return json.loads(response.read())


def test_tables_and_columns_carry_their_descriptions(datasette):
    base, metadata_file = datasette
    metadata = json.loads(metadata_file.read_text(encoding="utf-8"))
    database = next(iter(metadata["databases"].values()))
    assert database["tables"]["articles"]["columns"]["published_at"].startswith("Publication time")
    table = get(base + "/articles.json", _size=1)
    assert table["human_description_en"] and table["table"] == "articles"
    served = get(base.rsplit("/", 1)[0] + "/-/metadata.json")
    assert served["databases"][base.rsplit("/", 1)[1]]["tables"]["comments"]["title"] == "Comments"


def test_full_text_search_box_uses_the_fts_index(datasette, research_archive):
    base, _ = datasette
    article = research_archive.after["articles"][3]
    rows = get(base + "/articles.json", _search=f'"{article["title"]}"', _shape="array")
    assert rows and rows[0]["canonical_url"].endswith(article["path"])
    comment = next(c for a in research_archive.after["articles"] for c in a["comments"])
    phrase = " ".join(comment["text"].split()[:3]).strip(".,")
    found = get(base + "/comments.json", _search=f'"{phrase}"', _shape="array")
    assert any(row["author_name"] == comment["author"] for row in found)


def test_the_search_box_folds_its_query_as_the_index_was_folded(datasette, research_archive):
    # The index holds "الجسر" as "جسر" and "الأمن" as "امن": a word typed as the page prints it,
    # with its article or its hamza, found nothing in the box (`newsarchive search` folds it).
    base, _ = datasette
    arabic = next(a for a in research_archive.after["articles"] if a["locale"] == "ar")
    word = max(arabic["title"].split(), key=len)
    with_article = word if word.startswith("ال") else "ال" + word
    rows = get(base + "/articles.json", _search=f'{with_article} {with_article.replace("ا", "أ", 1)}',
               _shape="array", _size=100)
    assert any(row["canonical_url"].endswith(arabic["path"]) for row in rows), (with_article, rows[:1])


def test_facets_on_site_section_language_comments_status_and_authors(datasette, research_archive):
    base, _ = datasette
    data = get(base + "/article_overview.json", _size=1)
    facets = data["facet_results"]
    facets = facets.get("results", facets)
    assert {"site", "section", "language", "comments_status", "authors"} <= set(facets)
    languages = {value["value"]: value["count"] for value in facets["language"]["results"]}
    assert set(languages) == {"en", "ar"}
    assert any(value["value"] == "Khalid al-Taie" for value in facets["authors"]["results"])
    # The demo site's comments are in its pages: read whole where a story has any, none elsewhere.
    statuses = {value["value"]: value["count"] for value in facets["comments_status"]["results"]}
    stories = research_archive.after["articles"]
    assert statuses == {"complete": sum(bool(a["comments"]) for a in stories),
                        "none": sum(not a["comments"] for a in stories)}


@pytest.mark.parametrize("query", load_queries(), ids=lambda q: q.name)
def test_every_research_query_is_a_working_canned_query(datasette, query):
    base, _ = datasette
    rows = get(f"{base}/{query.name}.json", _shape="array", **query.example)
    if query.name in NOTHING_IN_THE_DEMO:
        assert rows == [], query.name
        return
    assert isinstance(rows, list) and rows, query.name


def test_a_port_another_program_holds_is_one_line_before_anything_is_served(research_archive):
    import socket

    from tests.conftest import run_cli

    with socket.create_server(("127.0.0.1", 0)) as taken:
        port = taken.getsockname()[1]
        result = run_cli("browse", "--db", str(research_archive.db_path), "--port", str(port), timeout=60)
    assert result.returncode == 1
    assert "serving" not in result.stdout
    assert result.stderr.splitlines() == [f"Error: cannot serve on 127.0.0.1:{port}: Address already in use "
                                          f"(another program uses it? give --port another number)"]
