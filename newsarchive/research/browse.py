"""Datasette for the archive: metadata that makes the SQLite file read like a documented dataset.

Titles and descriptions of tables, views and columns come from schema.toml (the same text as
docs/schema.md); full-text search boxes are wired to articles_fts and comments_fts; facets on
site, section, language and authors; and every query of docs/queries.md is a canned query.
"""

from __future__ import annotations

import hashlib
import json
import os
import sys
import tempfile
from importlib.resources import files
from pathlib import Path

from newsarchive.archive.schema import schema_docs
from newsarchive.browser_launcher import user_cache_folder
from newsarchive.research.queries import load_queries

# Per table or view: what Datasette should show first and offer to filter by.
TABLE_OPTIONS = {
    "articles": {"fts_table": "articles_fts", "fts_pk": "id", "sort_desc": "published_at",
                 "facets": ["site", "section"], "label_column": "title", "size": 50},
    "article_overview": {"sort_desc": "published_at", "facets": ["site", "section", "language", "comments_status",
                                                                 {"array": "authors"}]},
    "comments": {"fts_table": "comments_fts", "fts_pk": "id", "sort_desc": "posted_at",
                 "facets": ["author_name", "depth"], "label_column": "author_name"},
    "comment_overview": {"sort_desc": "posted_at", "facets": ["site", "author_name"]},
    "authors": {"label_column": "name", "sort": "name"},
    "photos": {"facets": ["credit", "is_lead"], "label_column": "caption"},
    "crawls": {"sort_desc": "id", "facets": ["site", "finish_reason"]},
    "failures": {"sort_desc": "id", "facets": ["reason", "crawl_id"]},
    "captures": {"sort_desc": "id", "facets": ["status", "content_type"], "hidden": False},
}
STATIC_DIR = Path(str(files("newsarchive.research").joinpath("static")))
PLUGINS_DIR = Path(str(files("newsarchive.research").joinpath("datasette_plugins")))
# Internal tables researchers rarely need: hidden from the database page, still reachable.
HIDDEN = ("article_urls", "_sqlite_migrations", "articles_fts", "comments_fts", "articles_cjk_fts", "comments_cjk_fts",
          "search_lists", "search_terms")


def datasette_metadata(db_path: str | Path) -> dict:
    docs = schema_docs()
    tables = {}
    for name, documented in {**docs["tables"], **docs["views"]}.items():
        entry = {"title": documented.get("title", name), "description": documented.get("description", ""),
                 "columns": dict(documented.get("columns", {}))}
        entry.update({k: v for k, v in TABLE_OPTIONS.get(name, {}).items() if k != "hidden"})
        if name in HIDDEN or name.endswith(("_fts_data", "_fts_idx", "_fts_docsize", "_fts_config")):
            entry["hidden"] = True
        tables[name] = entry
    queries = {
        query.name: {"sql": query.sql, "title": query.title, "description": query.description}
        for query in load_queries()
    }
    database = Path(db_path).stem
    return {
        "title": "newsarchive",
        "description": "A news archive made by newsarchive: articles, authors, photos and reader comments, "
                       "with every version and capture. See the table and column descriptions, and the "
                       "canned research queries below.",
        "about": "docs/schema.md and docs/queries.md",
        "extra_css_urls": ["/newsarchive/datasette.css"],
        "databases": {database: {"tables": tables, "queries": queries}},
    }


def datasette_command(db_path: Path, metadata_path: Path, host: str, port: int, immutable: bool = False) -> list[str]:
    # -i: Datasette's immutable mode, for a copy on read-only media (no WAL index can be made there).
    database = ["-i", str(db_path)] if immutable else [str(db_path)]
    return [sys.executable, "-m", "datasette", "serve", *database, "--metadata", str(metadata_path),
            "--host", host, "--port", str(port), "--static", f"newsarchive:{STATIC_DIR}",
            "--plugins-dir", str(PLUGINS_DIR),  # fold(), for the canned searches
            "--setting", "default_page_size", "50",
            "--setting", "sql_time_limit_ms", "5000", "--setting", "facet_time_limit_ms", "1000"]


def default_metadata_path(db_path: Path) -> Path:
    """Beside the archive; when the archive's folder cannot be written (read-only media), in the
    user's cache folder, one file for each archive's path, rewritten by each browse of it (browse
    becomes Datasette and cannot delete a file when it ends: a new temporary folder each time would
    pile up); in a temporary folder when neither can be written."""
    beside = db_path.with_name(db_path.stem + ".datasette.json")
    if os.access(db_path.parent, os.W_OK):
        return beside
    archive_key = hashlib.blake2b(str(db_path.resolve()).encode(), digest_size=8).hexdigest()
    try:
        cached = user_cache_folder() / "browse"
        cached.mkdir(parents=True, exist_ok=True)
        if os.access(cached, os.W_OK):
            return cached / f"{db_path.stem}-{archive_key}.datasette.json"
    except (OSError, RuntimeError):  # RuntimeError: Path.home() of a user without a home
        pass
    return Path(tempfile.mkdtemp(prefix="newsarchive-browse-")) / beside.name


def run_datasette(db_path: Path, metadata_path: Path, host: str = "127.0.0.1", port: int = 8001,
                  immutable: bool = False) -> None:
    try:
        import datasette  # noqa: F401
    except ImportError:
        raise RuntimeError('newsarchive browse needs Datasette: pip install -e ".[browse]"') from None
    metadata_path.write_text(json.dumps(datasette_metadata(db_path), ensure_ascii=False, indent=2), encoding="utf-8")
    # Become Datasette rather than wait for it: a signal to stop this process (a service manager's
    # SIGTERM) then stops the server too, instead of leaving it running, orphaned.
    sys.stdout.flush()
    command = datasette_command(db_path, metadata_path, host, port, immutable)
    os.execv(command[0], command)
