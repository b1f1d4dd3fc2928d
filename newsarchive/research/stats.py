"""What an archive holds: per site and section, its crawls, and field coverage over time."""

from __future__ import annotations

import json
import sqlite3


def archive_stats(db: sqlite3.Connection) -> dict:
    db.row_factory = sqlite3.Row
    return {
        "totals": _one(db, "SELECT (SELECT count(*) FROM articles) AS articles, "
                           "(SELECT count(*) FROM authors) AS authors, (SELECT count(*) FROM photos) AS photos, "
                           "(SELECT count(*) FROM comments) AS comments, "
                           "(SELECT count(*) FROM comments WHERE removed_at IS NOT NULL) AS removed_comments, "
                           "(SELECT count(*) FROM article_versions) AS versions, "
                           "(SELECT count(*) FROM captures) AS captures, (SELECT count(*) FROM failures) AS failures, "
                           "(SELECT count(*) FROM crawls) AS crawls"),
        "sections": _sections(db),
        "crawls": _rows(db, "SELECT id, site, started_at, finished_at, finish_reason, requests, articles_new, "
                            "articles_changed, articles_skipped, failures FROM crawls ORDER BY id"),
        "failure_reasons": _rows(db, "SELECT reason, count(*) AS pages FROM failures GROUP BY reason "
                                     "ORDER BY pages DESC"),
        "coverage": _coverage(db),
    }


def _sections(db) -> list[dict]:
    """Per site and section, each count from its own grouped query over the indexes."""
    sections = {
        (row["site"], row["section"]): dict(row)
        for row in db.execute("SELECT site, section, count(*) AS articles, min(published_at) AS first_published, "
                              "max(published_at) AS last_published FROM articles GROUP BY site, section")
    }
    for column, sql in (
        ("authors", "SELECT a.site, a.section, count(DISTINCT aa.author_id) FROM articles a "
                    "JOIN article_authors aa ON aa.article_id = a.id GROUP BY a.site, a.section"),
        ("photos", "SELECT a.site, a.section, count(*) FROM articles a JOIN photos p ON p.article_id = a.id "
                   "GROUP BY a.site, a.section"),
        ("comments", "SELECT a.site, a.section, count(*) FROM articles a JOIN comments c ON c.article_id = a.id "
                     "GROUP BY a.site, a.section"),
    ):
        for site, section, value in db.execute(sql):
            sections[(site, section)][column] = value
    ordered = sorted(sections.values(), key=lambda s: (s["site"] or "", s["section"] or ""))
    for section in ordered:
        for column in ("authors", "photos", "comments"):
            section.setdefault(column, 0)
    return ordered


def _coverage(db) -> list[dict]:
    rows = []
    for crawl_id, site, started_at, coverage in db.execute(
            "SELECT id, site, started_at, coverage FROM crawls WHERE coverage IS NOT NULL ORDER BY id"):
        data = json.loads(coverage)
        rows.append({"crawl": crawl_id, "site": site, "started_at": started_at, "articles": data.get("articles"),
                     **{field: share for field, share in (data.get("share") or {}).items()}})
    return rows


def _rows(db, sql: str) -> list[dict]:
    return [dict(row) for row in db.execute(sql)]


def _one(db, sql: str) -> dict:
    return dict(db.execute(sql).fetchone())


def format_table(rows: list[dict], columns: list[str] | None = None) -> str:
    """Rows as an aligned plain-text table (numbers right-aligned), for terminals and logs."""
    if not rows:
        return "(none)"
    columns = columns or list(rows[0])
    cells = [[_cell(row.get(column)) for column in columns] for row in rows]
    widths = [max(len(column), *(len(line[i]) for line in cells)) for i, column in enumerate(columns)]
    numeric = [all(isinstance(row.get(column), (int, float)) or row.get(column) is None for row in rows)
               for column in columns]

    def line(values):
        return "  ".join(v.rjust(w) if n else v.ljust(w) for v, w, n in zip(values, widths, numeric, strict=True)).rstrip()

    return "\n".join([line(columns), line(["-" * w for w in widths]), *(line(values) for values in cells)])


def _cell(value) -> str:
    if value is None:
        return "-"
    if isinstance(value, float):
        return f"{value:.2f}"
    return str(value)
