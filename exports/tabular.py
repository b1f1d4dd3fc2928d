"""JSON Lines, CSV and Parquet exports of the archive, streamed in chunks (exports/records.py).

    newsarchive export jsonl   --db archive.db --out articles.jsonl [filters]
    newsarchive export csv     --db archive.db --out articles.csv [--table comments] [filters]
    newsarchive export parquet --db archive.db --out articles.parquet [filters]   # extra [parquet]
    newsarchive export jsonl   --db archive.db --out - --since-crawl 12 | gzip > new.jsonl.gz

JSONL: one article per line, with its authors, photos and comments nested. CSV: one flat table
per file (articles with their authors joined, or the rows of another table). Parquet: articles
with authors, photos and comments as nested lists, times as timestamps (UTC), sources as a
struct and warnings as a list, readable by DuckDB, pandas, Polars and Spark. All UTF-8; Arabic
and Russian text is written as is, not escaped.
"""

from __future__ import annotations

import codecs
import csv
import io
import json
from contextlib import contextmanager
from datetime import datetime, timezone
from typing import BinaryIO, Callable, Iterator

import orjson

from exports import output_stream, refuse_overwriting_archive
from exports.records import (
    ARTICLE_FIELDS,
    AUTHOR_FIELDS,
    COMMENT_FIELDS,
    LINK_FIELDS,
    PHOTO_FIELDS,
    ExportFilters,
    article_chunks,
    connect,
    nested_articles,
)

Progress = Callable[[int], None]  # called with the number of records written so far

# Flat tables for CSV: the query of each, filtered through the articles they belong to.
FLAT_TABLES = {
    "articles": None,  # built from article_chunks, with authors joined
    "authors": "SELECT au.id, au.name, count(*) AS articles FROM authors au "
               "JOIN article_authors aa ON aa.author_id = au.id JOIN articles a ON a.id = aa.article_id "
               "WHERE {where} GROUP BY au.id ORDER BY au.id",
    "photos": "SELECT p.id, p.article_id, a.canonical_url AS article_url, "
              + ", ".join(f"p.{f}" for f in PHOTO_FIELDS)
              + " FROM photos p JOIN articles a ON a.id = p.article_id WHERE {where} ORDER BY p.id",
    "comments": "SELECT c.article_id, a.canonical_url AS article_url, "
                + ", ".join(f"c.{f}" for f in COMMENT_FIELDS)
                + " FROM comments c JOIN articles a ON a.id = c.article_id WHERE {where} ORDER BY c.id",
    "article_versions": "SELECT v.article_id, v.version, v.captured_at, v.crawl_id, v.title, v.body_text, "
                        "v.content_hash FROM article_versions v JOIN articles a ON a.id = v.article_id "
                        "WHERE {where} ORDER BY v.article_id, v.version",
    # The body's structure (docs/schema.md): its blocks in reading order, and the links in them.
    "article_blocks": "SELECT b.article_id, a.canonical_url AS article_url, b.position, b.kind, b.text "
                      "FROM article_blocks b JOIN articles a ON a.id = b.article_id "
                      "WHERE {where} ORDER BY b.article_id, b.position",
    "article_links": "SELECT l.article_id, a.canonical_url AS article_url, l.block_position, l.position, l.url, "
                     "l.anchor_text FROM article_links l JOIN articles a ON a.id = l.article_id "
                     "WHERE {where} ORDER BY l.article_id, l.block_position, l.position",
}
FLAT_ARTICLE_FIELDS = [f for f in ARTICLE_FIELDS if f not in ("sources", "warnings")] + [
    "authors", "photo_count", "stored_comment_count"]


def export_jsonl(db_path, out, filters: ExportFilters, progress: Progress | None = None) -> int:
    """Write one article a line to out (a path or a binary stream); the number written."""
    db = connect(db_path)
    written = 0
    with _binary(out) as stream:
        for record in nested_articles(db, filters):
            stream.write(orjson.dumps(record, option=orjson.OPT_APPEND_NEWLINE))  # UTF-8, compact
            written += 1
            if progress and written % 1000 == 0:
                progress(written)
    db.close()
    return written


def export_csv(db_path, out, filters: ExportFilters, table: str = "articles",
               progress: Progress | None = None, bom: bool = False) -> int:
    """Write one flat table to out (a path or a binary stream); bom: start with a UTF-8 byte-order
    mark, which spreadsheet programs (Excel) need to read the file as UTF-8 rather than ANSI."""
    db = connect(db_path)
    rows = _flat_articles(db, filters) if table == "articles" else _flat_rows(db, table, filters)
    written = 0
    with _binary(out) as stream:
        if bom:
            stream.write(codecs.BOM_UTF8)
        text = io.TextIOWrapper(stream, encoding="utf-8", newline="")
        writer = None
        for row in rows:
            if writer is None:
                writer = csv.DictWriter(text, fieldnames=list(row))
                writer.writeheader()
            writer.writerow(row)
            written += 1
            if progress and written % 1000 == 0:
                progress(written)
        if writer is None:  # nothing matched: still a valid file with its header
            header = FLAT_ARTICLE_FIELDS if table == "articles" else _columns_of(db, table, filters)
            csv.writer(text).writerow(header)
        text.detach()  # flushes, and leaves the stream open for its owner (stdout stays usable)
    db.close()
    return written


@contextmanager
def _binary(out) -> Iterator[BinaryIO]:
    """out itself when it is a stream, else the file at that path, opened for writing."""
    if hasattr(out, "write"):
        yield out
    else:
        with open(out, "wb") as stream:
            yield stream


def _flat_articles(db, filters: ExportFilters) -> Iterator[dict]:
    for chunk in article_chunks(db, filters):
        ids = [row["id"] for row in chunk]
        placeholders = ", ".join("?" for _ in ids)
        authors = dict(db.execute(
            "SELECT article_id, group_concat(name, '; ') FROM (SELECT aa.article_id, au.name FROM article_authors aa "  # pragma: no mutate
            f"JOIN authors au ON au.id = aa.author_id WHERE aa.article_id IN ({placeholders}) "  # pragma: no mutate
            "ORDER BY aa.article_id, aa.position) GROUP BY article_id", ids).fetchall())  # pragma: no mutate
        photos = dict(db.execute(f"SELECT article_id, count(*) FROM photos WHERE article_id IN ({placeholders}) "
                                 "GROUP BY article_id", ids).fetchall())  # pragma: no mutate
        comments = dict(db.execute(f"SELECT article_id, count(*) FROM comments WHERE article_id IN ({placeholders}) "
                                   "GROUP BY article_id", ids).fetchall())  # pragma: no mutate
        for row in chunk:
            flat = {field: row[field] for field in FLAT_ARTICLE_FIELDS[:-3]}
            flat["section_path"] = " > ".join(json.loads(row["section_path"] or "[]"))
            flat.update(authors=authors.get(row["id"], ""), photo_count=photos.get(row["id"], 0),
                        stored_comment_count=comments.get(row["id"], 0))
            yield flat


def _flat_rows(db, table: str, filters: ExportFilters) -> Iterator[dict]:
    where, params = filters.where()
    for row in db.execute(FLAT_TABLES[table].format(where=where), params):
        yield dict(row)


def _columns_of(db, table: str, filters: ExportFilters) -> list[str]:
    where, params = filters.where()
    cursor = db.execute(FLAT_TABLES[table].format(where=where) + " LIMIT 0", params)
    return [column[0] for column in cursor.description]


def export_parquet(db_path, out, filters: ExportFilters, progress: Progress | None = None,
                   row_group_size: int = 5000) -> int:
    """Write the articles to out (a path or a binary stream) as Parquet; the number written."""
    try:
        import pyarrow as pa
        import pyarrow.parquet as pq
    except ImportError:
        raise RuntimeError('Parquet export needs pyarrow: pip install -e ".[parquet]"') from None
    db = connect(db_path)
    source_fields = parquet_source_fields(db)
    schema = parquet_schema(pa, source_fields)
    written, batch = 0, []
    with _binary(out) as stream, pq.ParquetWriter(stream, schema, compression="zstd") as writer:
        for record in nested_articles(db, filters):
            batch.append(parquet_record(record, source_fields))
            if len(batch) >= row_group_size:
                writer.write_table(pa.Table.from_pylist(batch, schema=schema))
                written += len(batch)
                batch = []
                if progress:
                    progress(written)
        if batch:
            writer.write_table(pa.Table.from_pylist(batch, schema=schema))
            written += len(batch)
    db.close()
    return written


# The fields the parsers record a source for; any other found in the archive is added, so the
# sources struct has the same fields in every export of an archive, whatever the filters.
PARQUET_SOURCE_FIELDS = ("authors", "body_text", "canonical_url", "comment_count", "comments", "language",
                         "modified_at", "photos", "published_at", "section_path", "title")


def parquet_source_fields(db) -> list[str]:
    """The fields of the sources struct: PARQUET_SOURCE_FIELDS and every key stored in the archive."""
    found = db.execute(
        "SELECT DISTINCT key FROM articles, json_each(CASE WHEN json_valid(sources) "  # pragma: no mutate
        "AND json_type(sources) = 'object' THEN sources ELSE '{}' END)").fetchall()  # pragma: no mutate
    return sorted(set(PARQUET_SOURCE_FIELDS) | {row[0] for row in found})


def parquet_schema(pa, source_fields: list[str]):
    """Texts as strings, counts as int64, every *_at column as timestamp[us, UTC], the JSON columns
    as the lists and structs they hold."""
    string, integer, moment = pa.string(), pa.int64(), pa.timestamp("us", tz="UTC")

    def column_type(name: str, integers: tuple[str, ...]):
        return moment if name.endswith("_at") else integer if name in integers else string

    article_types = {field: column_type(field, ("id", "comment_count", "version_count")) for field in ARTICLE_FIELDS}
    article_types.update(section_path=pa.list_(string), warnings=pa.list_(string),
                         sources=pa.struct([(field, string) for field in source_fields]))
    author = pa.struct([(f, column_type(f, ("position",))) for f in AUTHOR_FIELDS])
    photo = pa.struct([(f, column_type(f, ("width", "height", "position", "is_lead"))) for f in PHOTO_FIELDS])
    comment = pa.struct([(f, column_type(f, ("id", "parent_id", "depth", "position"))) for f in COMMENT_FIELDS])
    link = pa.struct([(f, column_type(f, ("block_position", "position"))) for f in LINK_FIELDS])
    return pa.schema([*article_types.items(), ("authors", pa.list_(author)), ("photos", pa.list_(photo)),
                      ("comments", pa.list_(comment)), ("links", pa.list_(link))])


def parquet_record(record: dict, source_fields: list[str]) -> dict:
    """A nested article made ready for parquet_schema: times parsed, sources and warnings checked."""
    record = _with_times(record)
    record["comments"] = [_with_times(comment) for comment in record["comments"]]
    sources = record["sources"]
    record["sources"] = ({field: _text(sources.get(field)) for field in source_fields}
                         if isinstance(sources, dict) else None)
    warnings = record["warnings"]
    record["warnings"] = [_text(warning) for warning in warnings] if isinstance(warnings, list) else None
    return record


def _with_times(row: dict) -> dict:
    return {name: utc_time(value) if name.endswith("_at") else value for name, value in row.items()}


def utc_time(text) -> datetime | None:
    """The time an ISO 8601 text stands for, in UTC; a date alone is its midnight UTC. None for
    None and for anything unreadable (a damaged row must not stop an export; the _raw twin stays)."""
    try:
        moment = datetime.fromisoformat(text)
        return moment.replace(tzinfo=timezone.utc) if moment.tzinfo is None else moment.astimezone(timezone.utc)
    except (TypeError, ValueError, OverflowError):
        return None


def _text(value) -> str | None:
    """A JSON value as text: strings as they are, anything else as its JSON."""
    return value if value is None or isinstance(value, str) else json.dumps(value, ensure_ascii=False)


def export_format(kind: str, db_path, out_path, filters: ExportFilters, table: str = "articles",
                  progress: Progress | None = None, bom: bool = False) -> int:
    """Write the export to out_path, whole or not at all (exports.output_file), or to standard
    output when out_path is "-"."""
    refuse_overwriting_archive(db_path, out_path)
    with output_stream(out_path) as out:
        if kind == "jsonl":
            return export_jsonl(db_path, out, filters, progress)
        if kind == "csv":
            return export_csv(db_path, out, filters, table, progress, bom)
        return export_parquet(db_path, out, filters, progress)
