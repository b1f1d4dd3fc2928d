"""JSON Lines, CSV and Parquet exports of the archive, streamed in chunks (exports/records.py).

    newsarchive export jsonl   --db archive.db --out articles.jsonl [filters]
    newsarchive export csv     --db archive.db --out articles.csv [--table comments] [filters]
    newsarchive export parquet --db archive.db --out articles.parquet [filters]   # extra [parquet]

JSONL: one article per line, with its authors, photos and comments nested. CSV: one flat table
per file (articles with their authors joined, or the rows of another table). Parquet: articles
with authors, photos and comments as nested lists, readable by DuckDB, pandas, Polars and Spark.
All UTF-8; Arabic and Russian text is written as is, not escaped.
"""

from __future__ import annotations

import csv
import json
from typing import Callable, Iterator

import orjson

from exports import output_file
from exports.records import (
    ARTICLE_FIELDS,
    AUTHOR_FIELDS,
    COMMENT_FIELDS,
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
}
FLAT_ARTICLE_FIELDS = [f for f in ARTICLE_FIELDS if f not in ("sources", "warnings")] + [
    "authors", "photo_count", "stored_comment_count"]


def export_jsonl(db_path, out_path, filters: ExportFilters, progress: Progress | None = None) -> int:
    db = connect(db_path)
    written = 0
    with open(out_path, "wb") as out:
        for record in nested_articles(db, filters):
            out.write(orjson.dumps(record, option=orjson.OPT_APPEND_NEWLINE))  # UTF-8, compact
            written += 1
            if progress and written % 1000 == 0:
                progress(written)
    db.close()
    return written


def export_csv(db_path, out_path, filters: ExportFilters, table: str = "articles",
               progress: Progress | None = None) -> int:
    db = connect(db_path)
    rows = _flat_articles(db, filters) if table == "articles" else _flat_rows(db, table, filters)
    written = 0
    with open(out_path, "w", encoding="utf-8", newline="") as out:
        writer = None
        for row in rows:
            if writer is None:
                writer = csv.DictWriter(out, fieldnames=list(row))
                writer.writeheader()
            writer.writerow(row)
            written += 1
            if progress and written % 1000 == 0:
                progress(written)
        if writer is None:  # nothing matched: still a valid file with its header
            header = FLAT_ARTICLE_FIELDS if table == "articles" else _columns_of(db, table, filters)
            csv.writer(out).writerow(header)
    db.close()
    return written


def _flat_articles(db, filters: ExportFilters) -> Iterator[dict]:
    for chunk in article_chunks(db, filters):
        ids = [row["id"] for row in chunk]
        placeholders = ", ".join("?" for _ in ids)
        authors = dict(db.execute(
            "SELECT article_id, group_concat(name, '; ') FROM (SELECT aa.article_id, au.name FROM article_authors aa "
            f"JOIN authors au ON au.id = aa.author_id WHERE aa.article_id IN ({placeholders}) "
            "ORDER BY aa.article_id, aa.position) GROUP BY article_id", ids).fetchall())
        photos = dict(db.execute(f"SELECT article_id, count(*) FROM photos WHERE article_id IN ({placeholders}) "
                                 "GROUP BY article_id", ids).fetchall())
        comments = dict(db.execute(f"SELECT article_id, count(*) FROM comments WHERE article_id IN ({placeholders}) "
                                   "GROUP BY article_id", ids).fetchall())
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


def export_parquet(db_path, out_path, filters: ExportFilters, progress: Progress | None = None,
                   row_group_size: int = 5000) -> int:
    try:
        import pyarrow as pa
        import pyarrow.parquet as pq
    except ImportError:
        raise RuntimeError('Parquet export needs pyarrow: pip install -e ".[parquet]"') from None
    schema = parquet_schema(pa)
    db = connect(db_path)
    written, batch = 0, []
    with pq.ParquetWriter(out_path, schema, compression="zstd") as writer:
        for record in nested_articles(db, filters):
            for field in ("sources", "warnings"):  # free-form JSON: kept as JSON text
                record[field] = json.dumps(record[field], ensure_ascii=False) if record[field] is not None else None
            batch.append(record)
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


def parquet_schema(pa):
    string, integer = pa.string(), pa.int64()
    article_types = {field: string for field in ARTICLE_FIELDS}
    article_types.update(id=integer, comment_count=integer, version_count=integer,
                         section_path=pa.list_(string))
    author = pa.struct([(f, integer if f == "position" else string) for f in AUTHOR_FIELDS])
    photo = pa.struct([(f, integer if f in ("width", "height", "position", "is_lead") else string)
                       for f in PHOTO_FIELDS])
    comment = pa.struct([(f, integer if f in ("id", "parent_id", "depth", "position") else string)
                         for f in COMMENT_FIELDS])
    return pa.schema([*article_types.items(), ("authors", pa.list_(author)), ("photos", pa.list_(photo)),
                      ("comments", pa.list_(comment))])


def export_format(kind: str, db_path, out_path, filters: ExportFilters, table: str = "articles",
                  progress: Progress | None = None) -> int:
    """Write the export to out_path, whole or not at all (exports.output_file)."""
    with output_file(out_path) as partial:
        if kind == "jsonl":
            return export_jsonl(db_path, partial, filters, progress)
        if kind == "csv":
            return export_csv(db_path, partial, filters, table, progress)
        return export_parquet(db_path, partial, filters, progress)

