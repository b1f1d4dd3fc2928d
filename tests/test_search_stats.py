"""`newsarchive search` and `newsarchive stats` on a crawled, re-crawled demo archive."""

from __future__ import annotations

import json
import sqlite3

from tests.conftest import run_cli


def search(archive, *args):
    return run_cli("search", *args, "--db", str(archive.db_path))


def hits(archive, *args):
    result = search(archive, *args, "--json")
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_a_title_phrase_finds_its_article_first_with_a_highlighted_passage(research_archive):
    article = research_archive.after["articles"][10]
    found = hits(research_archive, f'"{article["title"]}"')
    assert found[0]["url"].endswith(article["path"])
    word = article["body_paragraphs"][0].split()[1].strip(".,")
    passages = hits(research_archive, word, "--limit", "5")
    assert all(f"[{word.lower()}]" in p["passage"].lower() for p in passages)


def test_arabic_text_is_searchable(research_archive):
    article = next(a for a in research_archive.after["articles"] if a["locale"] == "ar")
    found = hits(research_archive, f'"{article["title"]}"')
    assert found and found[0]["url"].endswith(article["path"])


def test_comments_are_searchable_with_their_author(research_archive):
    article = next(a for a in research_archive.after["articles"] if a["comments"])
    comment = article["comments"][0]
    phrase = " ".join(comment["text"].split()[:4]).strip(".,")
    found = hits(research_archive, f'"{phrase}"', "--in", "comments", "--limit", "50")
    assert any(hit["author_name"] == comment["author"] and hit["url"].endswith(article["path"]) for hit in found)


def test_filters_narrow_the_hits(research_archive):
    db = sqlite3.connect(research_archive.db_path)
    word = "said"
    assert hits(research_archive, word)
    assert hits(research_archive, word, "--site", "almashareq") == []
    assert hits(research_archive, word, "--since", "2100-01-01") == []
    author = "Khalid al-Taie"
    by_author = hits(research_archive, word, "--author", author, "--limit", "100")
    assert by_author
    for hit in by_author:
        names = {row[0] for row in db.execute(
            "SELECT au.name FROM article_authors aa JOIN authors au ON au.id = aa.author_id WHERE aa.article_id = ?",
            [hit["id"]])}
        assert author in names
    limited = hits(research_archive, word, "--limit", "3")
    assert len(limited) == 3
    assert [h["score"] for h in limited] == sorted(h["score"] for h in limited)  # best (lowest bm25) first


def test_a_malformed_query_gets_a_clear_message_not_a_traceback(research_archive):
    for bad in ('"unbalanced', "nosuchcolumn:word", "AND", ""):
        result = search(research_archive, bad)
        assert result.returncode == 2, (bad, result.stderr)
        assert "search query" in result.stderr and "Traceback" not in result.stderr


def test_stats_json_matches_the_archive(research_archive):
    result = run_cli("stats", "--db", str(research_archive.db_path), "--json")
    assert result.returncode == 0, result.stderr
    figures = json.loads(result.stdout)
    db = sqlite3.connect(research_archive.db_path)
    for table in ("articles", "authors", "photos", "comments", "captures", "crawls", "failures"):
        assert figures["totals"][table] == db.execute(f"SELECT count(*) FROM {table}").fetchone()[0], table
    assert figures["totals"]["removed_comments"] == 3
    assert sum(s["articles"] for s in figures["sections"]) == figures["totals"]["articles"]
    assert sum(s["comments"] for s in figures["sections"]) == figures["totals"]["comments"]
    assert [c["finish_reason"] for c in figures["crawls"]] == ["finished", "finished"]
    assert {r["reason"] for r in figures["failure_reasons"]} == {"http_404", "not_html"}
    assert figures["coverage"][0]["date"] == 1.0


def test_stats_prints_readable_tables(research_archive):
    result = run_cli("stats", "--db", str(research_archive.db_path))
    assert result.returncode == 0, result.stderr
    assert "Sites and sections" in result.stdout and "Field coverage by crawl" in result.stdout
    assert "الأمن" in result.stdout  # Arabic section names intact


def test_a_file_that_is_not_an_archive_is_refused_clearly(tmp_path):
    not_archive = tmp_path / "notes.db"
    not_archive.write_text("hello")
    result = run_cli("stats", "--db", str(not_archive))
    assert result.returncode == 1 and "is not a newsarchive archive" in result.stderr
