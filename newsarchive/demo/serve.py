"""A loopback HTTP server for the generated demo site, with fault routes for crawler tests.

    python -m newsarchive.demo.serve SITE_DIR [--port 0] [--access-log FILE]

prints one line, the base URL (`http://127.0.0.1:PORT`), once it listens, then serves until
killed. `?page=N` maps to the listing's page file; other query parameters (utm_*) are ignored.
ETag and Last-Modified are sent and conditional requests answered with 304. Images answer a tiny
JPEG. Under `/faults/`: 404, 500, slow?seconds=N, redirect-loop, redirect?to=URL, refresh?to=URL and
refresh-loop (the same by `<meta http-equiv="refresh">`), binary, not-html,
huge, gzip-bomb (a page of a few hundred kilobytes that inflates to 64 MB), bad-gzip (a body labelled
gzip that is not), not-http (an answer
that is not HTTP), unknown-transfer-encoding (a body sent `Transfer-Encoding: gzip, chunked`, which
HTTP clients need not read), reset (the connection reset unanswered), empty, pager?page=N: a listing that never ends, each page linking the same article
(`/faults/pager/2019/05/03/the-same-story-on-every-page`) and its next page, and empty-pager?page=N:
the same listing, whose pages after the first link no article, only their next page (a pager
that answers any page number).
With --access-log, every request is appended to FILE as "PATH STATUS" (tests count requests).
"""

from __future__ import annotations

import argparse
import functools
import gzip
import hashlib
import io
import socket
import struct
import sys
import threading
import time
from email.utils import formatdate, parsedate_to_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlsplit

# The smallest well-formed JPEG: a 1x1 grey pixel.
TINY_JPEG = bytes.fromhex(
    "ffd8ffe000104a46494600010100000100010000ffdb004300080606070605080707070909080a0c140d0c0b0b0c1912"
    "130f141d1a1f1e1d1a1c1c20242e2720222c231c1c2837292c30313434341f27393d38323c2e333432ffc0000b080001"
    "000101011100ffc4001f0000010501010101010100000000000000000102030405060708090a0bffc400b51000020103"
    "03020403050504040000017d01020300041105122131410613516107227114328191a1082342b1c11552d1f02433627282"
    "090a161718191a25262728292a3435363738393a434445464748494a535455565758595a636465666768696a737475767778"
    "797a838485868788898a92939495969798999aa2a3a4a5a6a7a8a9aab2b3b4b5b6b7b8b9bac2c3c4c5c6c7c8c9cad2d3d4"
    "d5d6d7d8d9dae1e2e3e4e5e6e7e8e9eaf1f2f3f4f5f6f7f8f9faffda0008010100003f00fbd3ffd9"
)
def demo_jpeg(path: str) -> bytes:
    """The tiny JPEG with a comment segment naming the path: each photo URL its own image."""
    comment = path.encode("utf-8")[:60000]
    return TINY_JPEG[:2] + b"\xff\xfe" + (len(comment) + 2).to_bytes(2, "big") + comment + TINY_JPEG[2:]


CONTENT_TYPES = {".html": "text/html; charset=utf-8", ".xml": "application/xml; charset=utf-8",
                 ".txt": "text/plain; charset=utf-8", ".json": "application/json"}
# The site's feeds live in rss/ and atom/ folders; any other XML file (the sitemap) is plain XML.
FEED_TYPES = {"rss": "application/rss+xml; charset=utf-8", "atom": "application/atom+xml; charset=utf-8"}


def content_type_of(file: Path) -> str:
    if file.suffix == ".xml" and file.parent.name in FEED_TYPES:
        return FEED_TYPES[file.parent.name]
    return CONTENT_TYPES.get(file.suffix, "application/octet-stream")
HUGE_PAGE_BYTES = 20 * 1024 * 1024
BAD_GZIP_BODY = b"\x1f\x8b\x08\x00 these bytes open like gzip and go on as nothing of the kind"


class DemoSiteHandler(BaseHTTPRequestHandler):
    server_version = "newsarchive-demo/1"
    protocol_version = "HTTP/1.1"
    site_dir: Path  # set on the class made by make_server()
    access_log: Path | None = None
    _log_lock = threading.Lock()

    def log_message(self, format, *args):  # quiet: a crawl makes thousands of requests
        pass

    def log_request(self, code="-", size="-"):
        if self.access_log is not None:
            # A request line that cannot be parsed (a crawl killed while it sent one) leaves no path.
            target = getattr(self, "path", None) or self.requestline or "-"
            with self._log_lock, open(self.access_log, "a", encoding="utf-8") as log:
                log.write(f"{target} {int(code) if isinstance(code, int) else code}\n")

    def do_GET(self):
        parts = urlsplit(self.path)
        path = unquote(parts.path)
        if path.startswith("/faults/"):
            return self.serve_fault(path[len("/faults/"):], parse_qs(parts.query))
        if path.endswith(".jpg"):
            return self.send_body(200, "image/jpeg", demo_jpeg(path))
        file = self.file_for(path, parse_qs(parts.query))
        if file is None:
            return self.send_body(404, "text/html; charset=utf-8", b"<html><body><h1>Not found</h1></body></html>")
        self.serve_file(file)

    def file_for(self, path: str, query: dict) -> Path | None:
        root = self.site_dir.resolve()
        target = (root / path.strip("/")).resolve()
        if root != target and root not in target.parents:
            return None  # no escaping the site folder
        if target.is_file():
            return target
        page = query.get("page", ["1"])[0]
        name = "index.html" if page in ("", "1") else f"page-{page}.html"
        for candidate in (target / name, target / "index.xml"):
            if candidate.is_file():
                return candidate
        return None

    def serve_file(self, file: Path) -> None:
        stat = file.stat()
        etag = '"' + hashlib.md5(f"{stat.st_mtime_ns}:{stat.st_size}".encode()).hexdigest() + '"'
        last_modified = formatdate(stat.st_mtime, usegmt=True)
        if self.not_modified(etag, stat.st_mtime):
            self.send_response(304)
            self.send_header("ETag", etag)
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        content_type = content_type_of(file)
        self.send_body(200, content_type, file.read_bytes(), {"ETag": etag, "Last-Modified": last_modified})

    def not_modified(self, etag: str, mtime: float) -> bool:
        if self.headers.get("If-None-Match"):
            return etag in self.headers["If-None-Match"]
        since = self.headers.get("If-Modified-Since")
        if since:
            try:
                return int(mtime) <= parsedate_to_datetime(since).timestamp()
            except (TypeError, ValueError):
                return False
        return False

    def send_body(self, status: int, content_type: str, body: bytes, headers: dict | None = None) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(body)

    def serve_fault(self, fault: str, query: dict) -> None:
        html = "text/html; charset=utf-8"
        if fault in ("404", "500"):
            return self.send_body(int(fault), html, f"<html><body>error {fault}</body></html>".encode())
        if fault == "slow":
            time.sleep(min(float(query.get("seconds", ["5"])[0]), 30))
            return self.send_body(200, html, b"<html><body><p>slow page</p></body></html>")
        if fault == "redirect-loop":
            self.send_response(302)
            self.send_header("Location", "/faults/redirect-loop")
            self.send_header("Content-Length", "0")
            self.end_headers()
            return None
        if fault in ("refresh", "refresh-loop"):
            target = query.get("to", ["/"])[0] if fault == "refresh" else "/faults/refresh-loop"
            return self.send_body(200, html, f"<html><head><title>Moved</title><meta http-equiv='refresh' "
                                             f"content='0; url={target}'></head><body><h1>Moved</h1>"
                                             f"<p>This page moved.</p></body></html>".encode())
        if fault == "redirect":
            self.send_response(302)
            self.send_header("Location", query.get("to", ["/"])[0])
            self.send_header("Content-Length", "0")
            self.end_headers()
            return None
        if fault in ("pager", "empty-pager"):
            page = int(query.get("page", ["1"])[0] or 1)
            return self.send_body(200, html, pager_page(page, fault, articles=fault == "pager" or page == 1))
        if fault.startswith("pager/"):
            return self.send_body(200, html, PAGER_ARTICLE)
        if fault == "binary":
            return self.send_body(200, "application/octet-stream", bytes(range(256)) * 64)
        if fault == "not-html":
            return self.send_body(200, "application/pdf", b"%PDF-1.4\n" + bytes(range(256)) * 16)
        if fault == "empty":
            return self.send_body(200, html, b"")
        if fault == "huge":
            return self.serve_huge(html)
        if fault == "not-http":  # the server answers, but not in HTTP
            self.close_connection = True
            self.wfile.write(b"THIS IS NOT HTTP\r\n\r\n<html><body>hello</body></html>")
            return None
        if fault == "unknown-transfer-encoding":  # chunked, and gzip over it, which no one asked for
            self.close_connection = True
            page = gzip.compress(b"<html><body>hello</body></html>")
            self.wfile.write(b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nTransfer-Encoding: gzip, chunked\r\n\r\n"
                             + b"%x\r\n" % len(page) + page + b"\r\n0\r\n\r\n")
            return None
        if fault == "reset":  # the connection is reset before any answer
            self.close_connection = True
            self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            self.connection.close()
            return None
        if fault == "gzip-bomb":
            return self.send_body(200, html, gzip_bomb(), {"Content-Encoding": "gzip"})
        if fault == "bad-gzip":  # labelled gzip, and not gzip at all
            return self.send_body(200, html, BAD_GZIP_BODY, {"Content-Encoding": "gzip"})
        return self.send_body(404, html, b"<html><body>no such fault</body></html>")

    def serve_huge(self, content_type: str) -> None:
        self.send_response(200)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(HUGE_PAGE_BYTES))
        self.end_headers()
        chunk = b"<p>" + b"x" * 1017 + b"</p>\n"
        try:
            for _ in range(HUGE_PAGE_BYTES // len(chunk)):
                self.wfile.write(chunk)
            self.wfile.write(b" " * (HUGE_PAGE_BYTES % len(chunk)))
        except (BrokenPipeError, ConnectionResetError):
            pass  # the crawler gave up on it, as it should


@functools.lru_cache(maxsize=1)
def gzip_bomb() -> bytes:
    """An article's opening, then 64 MB of spaces, gzip-compressed: about 64 KB on the wire."""
    stream = io.BytesIO()
    with gzip.GzipFile(fileobj=stream, mode="wb", compresslevel=9, mtime=0) as page:
        page.write(b"<html><head><title>A bomb</title></head><body><h1>A bomb</h1><p>The story.</p>")
        for _ in range(64):
            page.write(b" " * (1024 * 1024))
        page.write(b"</body></html>")
    return stream.getvalue()


PAGER_ARTICLE = (
    "<html><head><title>The same story</title><meta property='og:type' content='article'></head><body>"
    "<article><h1>The same story on every page</h1>"
    + "".join(f"<p>Paragraph {n} of a story that every page of an endless listing links to, so that a "
              f"crawler walking the pager finds nothing new after the first page.</p>" for n in range(6))
    + "</article></body></html>"
).encode()


def pager_page(page: int, fault: str = "pager", articles: bool = True) -> bytes:
    """A page of a listing without end (at /faults/FAULT): the same article link, unless articles is
    False, and a link to the next page."""
    links = "".join(f"<li><a href='/faults/pager/2019/05/03/the-same-story-on-every-page'>Story {n}</a></li>"
                    for n in range(3)) if articles else ""
    return (f"<html><head><title>Archive, page {page}</title><meta property='og:type' content='website'></head>"
            f"<body><h1>Archive</h1><ul>{links}</ul>"
            f"<a rel='next' href='/faults/{fault}?page={page + 1}'>Next</a></body></html>").encode()


def make_server(site_dir: str | Path, host: str = "127.0.0.1", port: int = 0,
                access_log: str | Path | None = None) -> ThreadingHTTPServer:
    handler = type("BoundDemoSiteHandler", (DemoSiteHandler,), {
        "site_dir": Path(site_dir), "access_log": Path(access_log) if access_log else None})
    server = QuietServer((host, port), handler)
    server.daemon_threads = True
    return server


class QuietServer(ThreadingHTTPServer):
    def handle_error(self, request, client_address):
        """A crawler that hangs up (killed, or giving up on a huge page) is no server error."""
        if not isinstance(sys.exc_info()[1], (ConnectionResetError, BrokenPipeError)):
            super().handle_error(request, client_address)


def base_url_of(server: ThreadingHTTPServer) -> str:
    host, port = server.server_address[:2]
    return f"http://{host}:{port}"


def start_in_thread(site_dir: str | Path, port: int = 0) -> tuple[ThreadingHTTPServer, str]:
    """Serve from a background thread of this process; call server.shutdown() to stop."""
    server = make_server(site_dir, port=port)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, base_url_of(server)


def main() -> None:
    parser = argparse.ArgumentParser(description="Serve a generated demo site on 127.0.0.1.")
    parser.add_argument("site_dir", type=Path)
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--access-log", type=Path, help="append each request's path and status here")
    args = parser.parse_args()
    server = make_server(args.site_dir, port=args.port, access_log=args.access_log)
    print(base_url_of(server), flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
