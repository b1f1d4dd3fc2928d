"""The archive's captures as a WACZ package: the WARC, its index and the article pages, zipped.

    newsarchive export wacz --db archive.db --out archive.wacz [--crawl ID ...]

WACZ (Web Archive Collection Zipped) is what ReplayWeb.page and other replay tools open as one
file. The package is made by the `wacz` package (py-wacz, Webrecorder's), run in this process:

- `archive/<name>.warc.gz`: the WARC that `export warc` writes for the same crawls, and the
  earlier captures their revisits refer to (a page unchanged since an earlier crawl is a revisit
  of that crawl's response, which the package must hold to replay it alone);
- `indexes/index.cdx.gz` and `index.idx`: its CDXJ index, compressed in blocks, made by wacz;
- `pages/pages.jsonl`: the article pages, one line each (URL, capture time, title), the
  latest capture of each article among those exported, so a replay tool lists the articles;
- `datapackage.json`: every file with its size and SHA-256, and `datapackage-digest.json`.
"""

from __future__ import annotations

import contextlib
import io
import json
import sqlite3
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

from exports import ExportError, output_file, refuse_overwriting_archive
from exports.warc import WarcExportSummary, export_warc
from newsarchive.archive import open_for_reading

PAGES_HEADER = {"format": "json-pages-1.0", "id": "pages", "title": "Articles"}


@dataclass
class WaczExportSummary:
    path: Path
    warc: WarcExportSummary
    pages: int


def export_wacz(db_path: str | Path, out_path: str | Path, crawl_ids: list[int] | None = None, *,
                photos_dir: str | Path | None = None) -> WaczExportSummary:
    """Write the captures (of the given crawls, or all) as a WACZ package to out_path."""
    out_path = Path(out_path)
    refuse_overwriting_archive(db_path, out_path)
    with tempfile.TemporaryDirectory(prefix="newsarchive-wacz-") as work, output_file(out_path) as partial:
        warc_path = Path(work) / f"{out_path.stem}.warc.gz"
        warc = export_warc(db_path, warc_path, crawl_ids, photos_dir=photos_dir, self_contained=True)
        pages = article_pages(db_path, crawl_ids)
        pages_path = Path(work) / "pages.jsonl"
        pages_path.write_text("".join(json.dumps(line, ensure_ascii=False) + "\n" for line in [PAGES_HEADER, *pages]),
                              encoding="utf-8")
        _run_wacz(["create", "--output", str(partial), str(warc_path), "--pages", str(pages_path),
                   "--copy-pages", "--hash-type", "sha256", "--title", f"newsarchive: {Path(db_path).name}",
                   "--desc", warc_description(warc)])
    return WaczExportSummary(out_path, warc, len(pages))


def article_pages(db_path: str | Path, crawl_ids: list[int] | None) -> list[dict]:
    """The latest exported capture of each article: {url, ts, title}, in the order first captured."""
    sql = ("SELECT a.id, c.url, c.fetched_at, a.title FROM captures c "  # pragma: no mutate
           "JOIN article_urls u ON u.url = c.url JOIN articles a ON a.id = u.article_id "  # pragma: no mutate
           "WHERE c.status = 200 AND c.kind = 'page'")  # a rendered DOM is a conversion, not a capture to replay
    if crawl_ids:
        sql += f" AND c.crawl_id IN ({', '.join('?' for _ in crawl_ids)})"
    conn = open_for_reading(db_path)
    try:
        rows = conn.execute(sql + " ORDER BY c.id", crawl_ids or []).fetchall()
    except sqlite3.DatabaseError as error:
        raise ExportError(f"cannot read the captures of {db_path}: {error}") from None
    finally:
        conn.close()
    latest: dict[int, dict] = {}
    for article_id, url, fetched_at, title in rows:
        latest[article_id] = {"url": url, "ts": fetched_at, "title": title}
    return list(latest.values())


def warc_description(warc: WarcExportSummary) -> str:
    return "newsarchive captures: " + ", ".join(f"{n} {kind}" for kind, n in sorted(warc.records.items()))


@contextlib.contextmanager
def _unraisable_reports_dropped():
    """py-wacz leaves its zip file open when a write fails (a full disk). Freed with the error,
    the file's close fails again, where nothing can raise: Python then prints "Exception
    ignored" and a traceback after the export's one line. Such reports are dropped while py-wacz
    runs and until its error, and what that holds, is freed; the failure itself is the export's
    error."""
    report = sys.unraisablehook
    sys.unraisablehook = lambda unraisable: None
    try:
        yield
    finally:
        sys.unraisablehook = report


def _run_wacz(args: list[str]) -> None:
    """py-wacz's command line, called in this process; what it printed goes into any error."""
    try:
        from wacz.main import main as wacz_main
    except ImportError:
        raise ExportError("a WACZ package needs the wacz package: pip install 'newsarchive[wacz]'") from None
    printed, failure = io.StringIO(), None
    with _unraisable_reports_dropped():
        try:
            with contextlib.redirect_stdout(printed):
                status = wacz_main(args)
        except (Exception, SystemExit) as error:  # noqa: BLE001 (a failed package is one line, not a traceback)
            failure = f"wacz {args[0]} failed: {error or type(error).__name__}"
        # Here, as the except clause ends, the error and the zip file its frames hold are freed.
    if failure:
        raise ExportError(failure)
    if status != 0:
        last = printed.getvalue().strip().splitlines()[-1:] or ["no reason given"]
        raise ExportError(f"wacz {args[0]} failed: {last[0]}")

