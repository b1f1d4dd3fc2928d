"""docs/schema.md is the live schema: generated from it, and every column described."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner

from newsarchive.archive import open_archive
from newsarchive.archive.schema import live_relations, schema_markdown, undocumented
from newsarchive.cli import cli

SCHEMA_DOC = Path(__file__).resolve().parents[1] / "docs" / "schema.md"


def test_every_table_view_and_column_is_described(tmp_path):
    archive = open_archive(tmp_path / "archive.db")
    assert undocumented(archive.db) == []
    names = {relation.name for relation in live_relations(archive.db)}
    assert {"articles", "comments", "captures", "article_overview", "comment_overview"} <= names


def test_a_new_column_without_a_description_is_caught(tmp_path):
    archive = open_archive(tmp_path / "archive.db")
    archive.db["articles"].add_column("mystery", str)
    assert undocumented(archive.db) == ["column articles.mystery has no description"]


def test_docs_schema_md_is_what_the_schema_command_prints():
    result = CliRunner().invoke(cli, ["schema"])
    assert result.exit_code == 0, result.output
    assert SCHEMA_DOC.read_text(encoding="utf-8") == result.output, \
        "docs/schema.md is out of date: run `newsarchive schema > docs/schema.md`"


def test_schema_doc_lists_keys_and_indexes(tmp_path):
    archive = open_archive(tmp_path / "archive.db")
    text = schema_markdown(archive.db)
    assert "| `article_id` | INTEGER | → `articles.id` |" in text
    assert "`idx_articles_canonical_url` (canonical_url, unique)" in text


def test_the_extraction_layers_are_named_once():
    """Every layer a parser can record is documented, and every source a fixture records is a layer."""
    import json
    import re

    from newsarchive.items import Layer

    documented = next(line for line in SCHEMA_DOC.read_text().splitlines() if line.startswith("| `sources` |"))
    words = set(re.findall(r"\w+", documented))
    assert [layer.value for layer in Layer if layer.value not in words] == []
    recorded = set()
    for expected in (SCHEMA_DOC.parents[1] / "tests" / "fixtures").glob("*/*/expected.json"):
        recorded.update(json.loads(expected.read_text()).get("sources", {}).values())
    assert recorded and recorded <= {layer.value for layer in Layer}
