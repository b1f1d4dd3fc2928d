"""The archive's captures as a WARC 1.1 file, for replay tools and other archives (warcio).

    newsarchive export warc --db archive.db --out crawl.warc.gz [--crawl ID ...]

One `warcinfo` record names the crawler and the settings of the crawls exported. Each capture
becomes a `request` record and, concurrent to it, a `response` record, or a `revisit` record
where the archive stored the capture as a revisit:

- the same body as an earlier capture of the URL: profile identical-payload-digest;
- a 304 Not Modified answer to a conditional request: profile server-not-modified.

Both refer to the capture holding the body (WARC-Refers-To-Target-URI / -Date). Bodies are
written as the crawler received them after decoding any Content-Encoding, so the HTTP headers
written say so: Content-Encoding and Transfer-Encoding are dropped and Content-Length is the
body's length (the original values are kept as X-Archive-Orig-* headers, as pywb does).

Captures of every kind are written: pages, robots.txt, photo files, and what `crawl --render`
kept. The responses a page's scripts loaded (kind script: a JSON comment API, a comment iframe)
are request and response records like any page, so a replay tool that runs the page's scripts
finds them. The DOM a browser rendered (kind rendered) is no response of the server: it is a
`conversion` record (WARC 1.1: "an alternative version of another record's content that was
created as the result of an archival process") whose WARC-Refers-To names the response (or
revisit) record of the page as the crawl fetched it; its target is `urn:rendered:` and the page's
URL (RENDERED_URI), so a replay tool that indexes conversions too (pywb) still replays what the
server sent under the page's URL. Conversions come after the other records, as their page's
record must be written first. A photo's body is read
from its file under the photos folder its crawl recorded (NEWSARCHIVE_PHOTOS_DIR), or under
`photos_dir` when given (the folder moved), and checked against the capture's SHA-256.

With `cdx=True` a CDXJ index (cdxj-indexer, sorted, as pywb reads it) is written beside the
WARC: the same name plus `.cdxj`, one line per response or revisit record, with its offset.
"""

from __future__ import annotations

import base64
import hashlib
import io
import json
import sqlite3
import warnings
import zlib
from dataclasses import dataclass, field
from http import HTTPStatus
from importlib.metadata import version
from pathlib import Path
from urllib.parse import urlsplit

with warnings.catch_warnings():
    # cdxj-indexer imports pyamf, which imports setuptools' pkg_resources: setuptools 80 warns
    # about that on every export command's stderr, where a user expects one line or none.
    warnings.filterwarnings("ignore", message="pkg_resources is deprecated", category=UserWarning)
    from cdxj_indexer.main import write_cdx_index
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from exports import ExportError, output_file, refuse_overwriting_archive
from newsarchive.archive import open_for_reading
from newsarchive.items import WIRE_HEADERS

PROFILES = {
    "identical": "http://netpreserve.org/warc/1.1/revisit/identical-payload-digest",
    "not_modified": "http://netpreserve.org/warc/1.1/revisit/server-not-modified",
}


# The target of a rendered DOM's conversion record: the page's URL after this prefix, as Browsertrix
# names what it derives from a page (urn:text:, urn:view:). Under the page's own URL, pywb's
# indexer (wb-manager add, which indexes conversions too) replayed the rendered copy as the page.
RENDERED_URI = "urn:rendered:"


@dataclass
class WarcExportSummary:
    path: Path
    records: dict[str, int] = field(default_factory=dict)
    index_path: Path | None = None

    def count(self, record_type: str) -> None:
        self.records[record_type] = self.records.get(record_type, 0) + 1


def export_warc(db_path: str | Path, out_path: str | Path, crawl_ids: list[int] | None = None, *,
                photos_dir: str | Path | None = None, cdx: bool = False,
                self_contained: bool = False) -> WarcExportSummary:
    """Write the captures (of the given crawls, or all) to out_path; gzip when it ends in .gz.

    photos_dir: where the photo files are, when not where their crawl wrote them. cdx: write
    out_path + ".cdxj" too. self_contained: with the earlier captures the crawls' revisits refer
    to, as response records (a WACZ replays alone); without, a revisit of one crawl's WARC refers
    to a record of an earlier crawl's, as WARC collections do.
    """
    out_path = Path(out_path)
    refuse_overwriting_archive(db_path, out_path, out_path.with_name(out_path.name + ".cdxj") if cdx else None)
    conn = open_for_reading(db_path)
    conn.row_factory = sqlite3.Row
    summary = WarcExportSummary(out_path)
    try:
        known = {row[0] for row in conn.execute("SELECT id FROM crawls")}
        missing = sorted(set(crawl_ids or []) - known)
        if missing:
            raise ExportError(f"no crawl {', '.join(map(str, missing))} in {db_path} (crawls: "
                              f"{', '.join(map(str, sorted(known))) or 'none'})")
        with output_file(out_path) as partial, open(partial, "wb") as out:
            writer = WARCWriter(out, gzip=out_path.suffix == ".gz", warc_version="1.1")
            warcinfo_id = _write_warcinfo(writer, conn, out_path.name, crawl_ids)
            summary.count("warcinfo")
            bodies = CaptureBodies(conn, photos_dir)
            page_records: dict[tuple[int, str], str] = {}  # (crawl, URL) -> its page's response record
            rendered = []
            for capture in _captures(conn, crawl_ids, self_contained):
                if capture["kind"] == "rendered":
                    rendered.append(capture["id"])  # pragma: no mutate (sqlite3.Row reads a column name in any case)
                    continue
                record_id = _write_capture(writer, conn, capture, warcinfo_id, summary, bodies)
                if capture["kind"] == "page":
                    page_records[(capture["crawl_id"], capture["url"])] = record_id
            for capture_id in rendered:
                capture = conn.execute("SELECT * FROM captures WHERE id = ?", [capture_id]).fetchone()  # pragma: no mutate
                _write_rendered(writer, conn, capture, warcinfo_id, summary, bodies,
                                page_records.get((capture["crawl_id"], capture["url"])))
    finally:
        conn.close()
    if cdx:
        summary.index_path = write_cdxj(out_path)
    return summary


def write_cdxj(warc_path: Path) -> Path:
    """The sorted CDXJ index of warc_path, beside it (warc_path + ".cdxj"); its path."""
    index_path = warc_path.with_name(warc_path.name + ".cdxj")
    with output_file(index_path) as partial:
        # Named, not cdxj-indexer's default list: importing py-wacz (export_wacz) adds warcinfo to it.
        write_cdx_index(str(partial), [str(warc_path)], {"sort": True, "records": "response,revisit"})
    return index_path


class CaptureBodies:
    """The bodies of captures: from the archive, or for a photo from its file (checked by digest)."""

    def __init__(self, conn: sqlite3.Connection, photos_dir: str | Path | None):
        self.conn = conn
        self.photos_dir = Path(photos_dir) if photos_dir else None
        self.crawl_folders: dict[int, str | None] = {}

    def body(self, row: sqlite3.Row) -> bytes:
        if row["body_encoding"] == "file":
            return self.file_body(row)
        body = row["body"] or b""
        return zlib.decompress(body) if row["body_encoding"] == "zlib" else body

    def file_body(self, row: sqlite3.Row) -> bytes:
        folder = self.photos_dir or self.crawl_folder(row["crawl_id"])
        if folder is None:
            raise ExportError(f"capture {row['id']} ({row['url']}) is in a photo file, and crawl {row['crawl_id']} "
                              f"recorded no photos folder: give it with --photos-dir")
        path = Path(folder) / row["body_file"]
        try:
            data = path.read_bytes()
        except OSError as error:
            raise ExportError(f"cannot read the photo file of capture {row['id']} ({row['url']}): {path}: "
                              f"{error.strerror or error}; give the photos folder with --photos-dir") from None
        if "sha256:" + hashlib.sha256(data).hexdigest() != row["body_digest"]:
            raise ExportError(f"{path} is not the photo captured from {row['url']} (capture {row['id']}): "
                              f"its SHA-256 differs")
        return data

    def crawl_folder(self, crawl_id: int) -> str | None:
        if crawl_id not in self.crawl_folders:
            row = self.conn.execute("SELECT settings FROM crawls WHERE id = ?", [crawl_id]).fetchone()  # pragma: no mutate
            settings = json.loads(row["settings"] or "{}") if row else {}
            self.crawl_folders[crawl_id] = settings.get("NEWSARCHIVE_PHOTOS_DIR") or None
        return self.crawl_folders[crawl_id]


def _captures(conn: sqlite3.Connection, crawl_ids: list[int] | None, with_revisited: bool = False):
    """The crawls' captures (all without crawl_ids), in the order stored; with_revisited: and the
    captures of other crawls their revisits refer to (each holds its body: no revisit of a
    revisit), and the last capture of each photo their pages show that an earlier crawl fetched
    (a photo the archive has is not fetched again: a package of the later crawl alone replayed
    its stories without it)."""
    sql = "SELECT * FROM captures"  # pragma: no mutate
    if not crawl_ids:
        return conn.execute(sql + " ORDER BY id")
    crawls = f"crawl_id IN ({', '.join('?' for _ in crawl_ids)})"
    sql += f" WHERE {crawls}"
    if not with_revisited:
        return conn.execute(sql + " ORDER BY id", crawl_ids)
    sql += (f" OR id IN (SELECT revisit_of FROM captures WHERE {crawls} AND revisit_of IS NOT NULL)"
            f" OR id IN (SELECT max(id) FROM captures WHERE kind = 'photo' AND NOT {crawls} AND url IN ("
            f"SELECT p.url FROM photos p JOIN article_urls u ON u.article_id = p.article_id JOIN captures page "
            f"ON page.url = u.url WHERE page.kind = 'page' AND page.{crawls}) GROUP BY url)")
    return conn.execute(sql + " ORDER BY id", crawl_ids * 4)


def _write_warcinfo(writer: WARCWriter, conn, filename: str, crawl_ids) -> str:
    crawls = [dict(row) for row in conn.execute("SELECT id, site, spider, started_at, finished_at, finish_reason, "
                                                "settings FROM crawls ORDER BY id")  # pragma: no mutate
              if not crawl_ids or row["id"] in crawl_ids]
    info = {
        "software": f"newsarchive/{version('newsarchive')} (warcio/{version('warcio')})",
        "format": "WARC File Format 1.1",
        "conformsTo": "https://iipc.github.io/warc-specifications/specifications/warc-format/warc-1.1/",
        "isPartOf": ", ".join(sorted({c["site"] or c["spider"] for c in crawls})) or "newsarchive",
        "description": "Captures of newsarchive crawls " + ", ".join(str(c["id"]) for c in crawls),
        "robots": _robots_policy(crawls),
        "json-metadata": json.dumps({"crawls": [{**c, "settings": json.loads(c["settings"] or "{}")}
                                                for c in crawls]}, sort_keys=True),
    }
    record = writer.create_warcinfo_record(filename, info)
    writer.write_record(record)
    return record.rec_headers.get_header("WARC-Record-ID")  # pragma: no mutate (warcio reads a header name in any case)


def _robots_policy(crawls: list[dict]) -> str:
    """warcinfo's `robots`: "obey" when every crawl exported obeyed robots.txt (ROBOTSTXT_OBEY,
    the default), "ignore" when none did, else "obey in crawls 1, 3; ignore in crawls 2".

    >>> [_robots_policy([{"id": n, "settings": settings} for n, settings in enumerate(crawls, 1)]) for crawls in (
    ...     ['{}', '{"ROBOTSTXT_OBEY": true}'], ['{"ROBOTSTXT_OBEY": "0"}'], ['{"ROBOTSTXT_OBEY": false}', None, '{}'])]
    ['obey', 'ignore', 'obey in crawls 2, 3; ignore in crawls 1']
    """
    obeyed: dict[bool, list[str]] = {True: [], False: []}
    for crawl in crawls:
        setting = json.loads(crawl["settings"] or "{}").get("ROBOTSTXT_OBEY", True)
        obeyed[str(setting).strip().lower() not in ("0", "false", "no", "off", "")].append(str(crawl["id"]))
    if not obeyed[False]:
        return "obey"
    if not obeyed[True]:
        return "ignore"
    return f"obey in crawls {', '.join(obeyed[True])}; ignore in crawls {', '.join(obeyed[False])}"


def _write_capture(writer: WARCWriter, conn, capture: sqlite3.Row, warcinfo_id: str, summary,
                   bodies: CaptureBodies) -> str:
    """The capture's request and response (or revisit) records; the response record's ID."""
    url, date = capture["url"], capture["fetched_at"]
    common = {"WARC-Date": date, "WARC-Warcinfo-ID": warcinfo_id}
    truncated = {"WARC-Truncated": capture["truncated"]} if capture["truncated"] else {}
    response_headers = json.loads(capture["response_headers"] or "{}")
    if capture["revisit_of"] is None:
        body = bodies.body(capture)
        http_headers = _response_headers(capture["status"], response_headers, len(body))
        response = writer.create_warc_record(url, "response", payload=io.BytesIO(body), length=len(body),
                                             http_headers=http_headers, warc_headers_dict={**common, **truncated})
        record_type = "response"
    else:
        original = conn.execute("SELECT * FROM captures WHERE id = ?", [capture["revisit_of"]]).fetchone()  # pragma: no mutate
        profile = "not_modified" if capture["status"] == 304 else "identical"
        http_headers = _response_headers(capture["status"], response_headers, None)
        response = writer.create_revisit_record(
            url, payload_digest_of(bodies.body(original)), original["url"], original["fetched_at"],
            http_headers=http_headers, warc_headers_dict={**common, **truncated},
        )
        # warcio writes the identical-payload profile itself: replaced, not written twice.
        response.rec_headers.replace_header("WARC-Profile", PROFILES[profile])
        record_type = "revisit"
    request = writer.create_warc_record(url, "request", http_headers=_request_headers(url, capture),
                                        warc_headers_dict=common)
    writer.write_request_response_pair(request, response)
    summary.count(record_type)
    summary.count("request")
    return response.rec_headers.get_header("WARC-Record-ID")  # pragma: no mutate (warcio reads a header name in any case)


def _write_rendered(writer: WARCWriter, conn, capture: sqlite3.Row, warcinfo_id: str, summary,
                    bodies: CaptureBodies, page_record_id: str | None) -> None:
    """A rendered DOM as a conversion record of the page's response record (page_record_id, when
    the export holds it)."""
    source = capture if capture["revisit_of"] is None else \
        conn.execute("SELECT * FROM captures WHERE id = ?", [capture["revisit_of"]]).fetchone()  # pragma: no mutate
    body = bodies.body(source)
    headers = {"WARC-Date": capture["fetched_at"], "WARC-Warcinfo-ID": warcinfo_id}
    if page_record_id:
        headers["WARC-Refers-To"] = page_record_id
    record = writer.create_warc_record(RENDERED_URI + capture["url"], "conversion", payload=io.BytesIO(body),
                                       length=len(body),
                                       warc_content_type=capture["content_type"] or "text/html",
                                       warc_headers_dict=headers)
    writer.write_record(record)
    summary.count("conversion")


def payload_digest_of(body: bytes) -> str:
    """WARC-Payload-Digest as warcio writes it: SHA-1, base32."""
    return "sha1:" + base64.b32encode(hashlib.sha1(body).digest()).decode("ascii")


class WireHeaders(StatusAndHeaders):
    """HTTP headers written as the bytes that came (the archive keeps them as Latin-1 text, a
    character a byte). warcio percent-encodes every value past ASCII instead: a redirect whose
    Location names an Arabic slug in UTF-8, as many servers send it, replayed to a URL never
    captured. Text that never was bytes on the wire (beyond Latin-1) is left to warcio."""

    def compute_headers_buffer(self, header_filter=None):
        try:
            self.headers_buff = self.to_bytes(header_filter, encoding="latin-1")
        except UnicodeEncodeError:
            super().compute_headers_buffer(header_filter)


def _response_headers(status: int, headers: dict[str, list[str]], body_length: int | None) -> StatusAndHeaders:
    pairs = []
    for name, values in headers.items():
        for value in values:
            if name.lower() in WIRE_HEADERS:
                pairs.append((f"X-Archive-Orig-{name}", value))
            else:
                pairs.append((name, value))
    if body_length is not None:
        pairs.append(("Content-Length", str(body_length)))
    try:
        reason = HTTPStatus(status).phrase
    except ValueError:
        reason = "Unknown"
    return WireHeaders(f"{status} {reason}", pairs, protocol="HTTP/1.1")


def _request_headers(url: str, capture: sqlite3.Row) -> StatusAndHeaders:
    parts = urlsplit(url)
    target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    pairs = [("Host", parts.netloc)]
    for name, values in json.loads(capture["request_headers"] or "{}").items():
        pairs += [(name, value) for value in values if name.lower() != "host"]
    return WireHeaders(f"GET {target} HTTP/1.1", pairs, is_http_request=True)
