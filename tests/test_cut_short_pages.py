"""A page whose body arrives short of its Content-Length (a connection closed early, a server that
announces a wrong length): retried, and kept by the request's last attempt, with a warning, and
asked for again by the next crawl until it arrives whole or cut the same way
(newsarchive/middlewares/retry_after.py, pageresult.py; the frontier rule in archive/frontier.py)."""

from __future__ import annotations

import json
import re
import sqlite3

import pytest
from scrapy import Request, Spider
from scrapy.utils.test import get_crawler

from newsarchive.middlewares.retry_after import RetryAfterMiddleware
from tests.conftest import SiteHandler, run_cli, section_html, serve_handler


def retry_middleware(**settings) -> RetryAfterMiddleware:
    crawler = get_crawler(Spider, {"RETRY_TIMES": 2, **settings})
    crawler.spider = Spider("test")
    return RetryAfterMiddleware.from_crawler(crawler)


@pytest.mark.parametrize(("meta", "settings", "keeps"), [
    ({}, {}, False),  # the first of three attempts
    ({"retry_times": 1}, {}, False),
    ({"retry_times": 2}, {}, True),  # the last
    ({"retry_times": 1, "max_retry_times": 1}, {}, True),
    ({}, {"RETRY_TIMES": 0}, True),  # the only one
    ({"dont_retry": True}, {}, True),
    ({"retry_times": 2, "download_fail_on_dataloss": True}, {}, False),  # the request's own say
])
def test_only_a_request_s_last_attempt_keeps_a_page_cut_short(meta, settings, keeps):
    request = Request("http://127.0.0.1:8000/a", meta=dict(meta))
    assert retry_middleware(**settings).process_request(request) is None
    assert request.meta.get("download_fail_on_dataloss", True) is (not keeps)


STORY = "".join(f"<p>Paragraph {k} of the story on the river and the bridge works, told at length.</p>" for k in range(6))


class CutShortSite(SiteHandler):
    """Story pages whose Content-Length says 400 bytes more than is sent, the connection then
    closed. cut = "header": the whole page is sent (only the length is wrong); cut = "middle":
    the first crawl (`crawl` class attribute 1) gets the page cut after its third paragraph, later
    crawls get it whole, its length right; cut = "early": the same, cut before the story's first
    paragraph. `asked` notes every story path asked."""

    def story_asked(self) -> str | None:
        """The number of the story asked for (its path noted in `asked`); None once robots.txt, the
        section or a 404 is answered."""
        if self.path in ("/robots.txt", "/news/"):
            self.answer(*((404, "no") if self.path == "/robots.txt" else (200, section_html(range(1, 4)))))
            return None
        number = re.search(r"story-(\d)$", self.path)
        if not number:
            self.answer(404, "<html><body>no</body></html>")
            return None
        self.asked.append(self.path)
        return number.group(1)

    def do_GET(self):  # noqa: N802 (the http.server API)
        number = self.story_asked()
        if number is None:
            return None
        page = (f"<html><head><title>Story {number}</title></head><body><article>"
                f"<h1>Story {number}</h1>{STORY}</article></body></html>").encode()
        announced = len(page) + 400 if self.cut == "header" or self.crawl[0] == 1 else len(page)
        whole, status = len(page), 200
        if self.cut in ("middle", "partial") and self.crawl[0] == 1:
            page = page[:page.index(b"<p>Paragraph 3")]
        if self.cut == "early" and self.crawl[0] == 1:
            page = page[:page.index(b"<p>Paragraph 0")]
        if self.cut == "characters" and self.crawl[0] == 1:  # announces fewer than it sends: a cut mid-word
            announced = page.index(b"graph 3")
        if self.cut == "partial" and self.crawl[0] == 1:  # a range no one asked for, its length right
            status, announced = 206, len(page)
        self.send_response(status)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(announced))
        if status == 206:
            self.send_header("Content-Range", f"bytes 0-{len(page) - 1}/{whole}")
        self.end_headers()
        self.wfile.write(page)
        self.close_connection = True


@pytest.fixture
def cut_site():
    """Serve a CutShortSite: cut_site(cut) gives its class (attributes set as the test goes) and URL."""
    servers = []

    def serve(cut: str):
        site = type("Site", (CutShortSite,), {"cut": cut, "crawl": [0], "asked": []})
        servers.append(serve_handler(site))
        return site, f"http://127.0.0.1:{servers[-1].server_port}/news/"

    yield serve
    for server in servers:
        server.shutdown()


def crawl_cut_site(tmp_path, site, url: str, number: int):
    site.crawl[0] = number
    return run_cli("crawl", url, "--db", str(tmp_path / "a.db"), "--allow-private", "--render", "never",
                   "-s", "AUTOTHROTTLE_ENABLED=False")


def stories(db_path) -> list[tuple]:
    with sqlite3.connect(db_path) as db:
        return db.execute("SELECT url, version_count, body_text, warnings FROM articles ORDER BY url").fetchall()


def test_a_page_whose_length_is_announced_wrong_is_kept_and_asked_again_once(tmp_path, cut_site):
    site, url = cut_site("header")
    first = crawl_cut_site(tmp_path, site, url, 1)
    assert first.returncode == 0, first.stderr[-3000:]
    assert "3 pages that failed for a passing reason or arrived cut short will be asked for again next time" in first.stdout
    assert sorted(site.asked) == sorted([f"/news/2024/05/0{n}/story-{n}" for n in range(1, 4)] * 3)  # retried twice
    kept = stories(tmp_path / "a.db")
    assert [(url.rsplit("/", 1)[1], versions) for url, versions, _, _ in kept] == [
        ("story-1", 1), ("story-2", 1), ("story-3", 1)]
    for _, _, body, warnings in kept:
        assert body.count("Paragraph") == 6  # the whole story: only the length was wrong
        assert [warning for warning in json.loads(warnings) if warning.startswith("data_loss")] == [
            f"data_loss: the page arrived cut short, the connection closed before the {len(page_of(1)) + 400} bytes "
            "its Content-Length announced; its text may be incomplete"]
    with sqlite3.connect(tmp_path / "a.db") as db:
        assert db.execute("SELECT count(*) FROM failures").fetchone() == (0,)
    site.asked.clear()
    second = crawl_cut_site(tmp_path, site, url, 2)  # asked again; cut the same way, so that is the page
    assert second.returncode == 0, second.stderr[-3000:]
    assert len(site.asked) == 9 and "asked for again next time" not in second.stdout
    site.asked.clear()
    third = crawl_cut_site(tmp_path, site, url, 3)
    assert third.returncode == 0 and site.asked == []  # known stories, not due: not asked


def page_of(number: int) -> bytes:
    return (f"<html><head><title>Story {number}</title></head><body><article>"
            f"<h1>Story {number}</h1>{STORY}</article></body></html>").encode()


def test_a_page_cut_in_the_middle_is_kept_and_completed_by_the_next_crawl(tmp_path, cut_site):
    site, url = cut_site("middle")
    first = crawl_cut_site(tmp_path, site, url, 1)
    assert first.returncode == 0, first.stderr[-3000:]
    assert [(versions, body.count("Paragraph")) for _, versions, body, _ in stories(tmp_path / "a.db")] == [(1, 3)] * 3
    second = crawl_cut_site(tmp_path, site, url, 2)  # without --full: the frontier asks for them
    assert second.returncode == 0, second.stderr[-3000:]
    after = stories(tmp_path / "a.db")
    assert [(versions, body.count("Paragraph")) for _, versions, body, _ in after] == [(2, 6)] * 3
    assert not any("data_loss" in warnings for _, _, _, warnings in after)
    # The captures say which bodies were cut (WARC-Truncated in an export): the first crawl's.
    with sqlite3.connect(tmp_path / "a.db") as db:
        assert db.execute("SELECT crawl_id, truncated, count(*) FROM captures WHERE url LIKE '%story%' "
                          "GROUP BY crawl_id, truncated").fetchall() == [(1, "disconnect", 3), (2, None, 3)]
    warc = tmp_path / "a.warc"
    assert run_cli("export", "warc", "--db", str(tmp_path / "a.db"), "--out", str(warc)).returncode == 0
    from warcio.archiveiterator import ArchiveIterator

    with open(warc, "rb") as stream:
        truncated = [record.rec_headers.get_header("WARC-Truncated") for record in ArchiveIterator(stream)
                     if record.rec_type == "response" and "story" in record.rec_headers.get_header("WARC-Target-URI")]
    assert truncated == ["disconnect"] * 3 + [None] * 3  # in the order stored


@pytest.mark.parametrize(("cut", "said"), [
    ("characters", "its HTML stops in the middle of a text or a tag, at the {announced} bytes its Content-Length "
                   "announced (a server that counts the characters of a page, not its bytes, announces too few)"),
    ("partial", "the server sent part of it (206 Partial Content, bytes 0-{last}/{whole})"),
])
def test_a_page_sent_in_part_with_its_length_right_is_kept_and_completed_by_the_next_crawl(tmp_path, cut_site, cut,
                                                                                           said):
    # Its Content-Length is what arrived: the client dropped the rest (a length in characters), or
    # the server sent a range; stored as the story, the fragment stayed the story.
    site, url = cut_site(cut)
    first = crawl_cut_site(tmp_path, site, url, 1)
    assert first.returncode == 0, first.stderr[-3000:]
    assert "3 pages that failed for a passing reason or arrived cut short will be asked for again" in first.stdout
    kept = stories(tmp_path / "a.db")
    assert [(versions, body.count("Paragraph")) for _, versions, body, _ in kept] == [(1, 3)] * 3
    page = page_of(1)
    cut_at = page.index(b"graph 3") if cut == "characters" else page.index(b"<p>Paragraph 3")
    expected = said.format(announced=cut_at, last=cut_at - 1, whole=len(page))
    assert [warning for warning in json.loads(kept[0][3]) if warning.startswith("data_loss")] == [
        f"data_loss: the page arrived cut short, {expected}; its text may be incomplete"]
    second = crawl_cut_site(tmp_path, site, url, 2)
    assert second.returncode == 0, second.stderr[-3000:]
    after = stories(tmp_path / "a.db")
    assert [(versions, body.count("Paragraph")) for _, versions, body, _ in after] == [(2, 6)] * 3
    with sqlite3.connect(tmp_path / "a.db") as db:
        assert db.execute("SELECT crawl_id, truncated, count(*) FROM captures WHERE url LIKE '%story%' "
                          "GROUP BY crawl_id, truncated").fetchall() == [(1, "unspecified", 3), (2, None, 3)]


def test_a_page_cut_before_its_story_fails_for_the_cut_and_is_asked_again(tmp_path, cut_site):
    site, url = cut_site("early")
    first = crawl_cut_site(tmp_path, site, url, 1)
    assert first.returncode == 4, first.stderr[-3000:]  # no article
    with sqlite3.connect(tmp_path / "a.db") as db:
        failures = db.execute("SELECT reason, detail FROM failures ORDER BY url").fetchall()
    assert [reason for reason, _ in failures] == ["data_loss"] * 3
    assert all(detail.startswith("the page arrived cut short; of what arrived: "
                                 "missing_body_text: the page has no body_text") for _, detail in failures)
    assert "3 pages that failed for a passing reason or arrived cut short will be asked for again" in first.stdout
    second = crawl_cut_site(tmp_path, site, url, 2)
    assert second.returncode == 0, second.stderr[-3000:]
    assert [(versions, body.count("Paragraph")) for _, versions, body, _ in stories(tmp_path / "a.db")] == [(1, 6)] * 3


def compressed(page: bytes, encoding: str) -> bytes:
    import gzip
    import zlib

    import brotli

    if encoding == "gzip":
        return gzip.compress(page)
    if encoding == "deflate":
        return zlib.compress(page)
    if encoding == "raw-deflate":
        packer = zlib.compressobj(wbits=-zlib.MAX_WBITS)
        return packer.compress(page) + packer.flush()
    return brotli.compress(page)


@pytest.mark.parametrize(("encodings", "kept"), [
    (["gzip"], [b"gzip"]), (["x-gzip"], [b"x-gzip"]), (["gzip", "br"], [b"gzip, br"]), ([], None)])
def test_a_decoded_body_keeps_the_content_encoding_it_came_with_as_the_original(encodings, kept):
    # Scrapy drops the header once it decodes the body: the capture and the WARC said nothing of
    # how the body came.
    from scrapy.http import HtmlResponse

    from newsarchive.middlewares.compression import SizeCheckedCompressionMiddleware

    crawler = get_crawler(Spider)
    crawler.spider = crawler._create_spider("test")
    middleware = SizeCheckedCompressionMiddleware.from_crawler(crawler)
    body = page_of(1)
    for encoding in encodings:
        body = compressed(body, "gzip" if encoding == "x-gzip" else encoding)
    request = Request("https://news.example/story")
    headers = {"Content-Type": "text/html", **({"Content-Encoding": ", ".join(encodings)} if encodings else {})}
    response = HtmlResponse(request.url, body=body, headers=headers, request=request)
    decoded = middleware.process_response(request, response)
    assert decoded.body == page_of(1) and decoded.headers.getlist("Content-Encoding") == []
    assert decoded.headers.getlist("X-Archive-Orig-Content-Encoding") == (kept or [])


@pytest.mark.parametrize(("encoding", "body", "ends"), [
    ("gzip", lambda: compressed(page_of(1), "gzip"), True),
    ("gzip", lambda: compressed(page_of(1), "gzip")[:-9], False),  # its trailer and a byte of the data gone
    ("gzip", lambda: compressed(page_of(1), "gzip")[:-4], False),  # the size only: every byte of the page came
    ("gzip", lambda: compressed(page_of(1), "gzip") + compressed(page_of(2), "gzip"), True),  # two members
    ("gzip", lambda: compressed(page_of(1), "gzip") + compressed(page_of(2), "gzip")[:40], False),
    ("gzip", lambda: compressed(page_of(1), "gzip") + b"\0" * 16, True),  # a server's padding
    ("deflate", lambda: compressed(page_of(1), "deflate"), True),
    ("deflate", lambda: compressed(page_of(1), "deflate")[:-20], False),
    ("deflate", lambda: compressed(page_of(1), "raw-deflate"), True),
    ("deflate", lambda: compressed(page_of(1), "raw-deflate")[:-20], False),
    ("br", lambda: compressed(page_of(1), "br"), True),
    ("br", lambda: compressed(page_of(1), "br")[:-10], False),
    ("br", lambda: b"\xff\xff\xff not brotli", False),  # no stream at all: none that ends
    ("zstd", lambda: b"not checked here", True),
    ("gzip", lambda: b"", True),  # no body (a 304 that names its encoding): nothing cut, nothing retried
    ("br", lambda: b"", True),
])
def test_a_compressed_stream_is_told_whole_or_cut(encoding, body, ends):
    from scrapy.utils.gz import gunzip

    from newsarchive.middlewares.compression import stream_ends

    assert stream_ends(body(), encoding.encode()) is ends
    if encoding == "gzip":  # told the same with what Scrapy decoded of it (the trailer's length first)
        assert stream_ends(body(), b"gzip", gunzip(body())) is ends


def test_a_body_too_short_for_a_gzip_member_has_no_trailer_to_read():
    from newsarchive.middlewares.compression import stream_ends

    # Three zero bytes would read as a length of 0, what was decoded: no member holds fewer than 18.
    assert stream_ends(b"\0\0\0", b"gzip", b"") is False


class CompressedCutSite(CutShortSite):
    """Story pages sent compressed (`encoding`), their Content-Length right; in the crawls `cut_at`
    names, the compressed stream is cut (the server's compressor cut off): by default, in the
    first, after its first two-thirds."""

    encoding = "gzip"
    cut_at = {1: 2 / 3}  # crawl number: the share of the compressed stream sent

    def do_GET(self):  # noqa: N802 (the http.server API)
        number = self.story_asked()
        if number is None:
            return
        body = compressed(page_of(int(number)), self.encoding)
        if self.crawl[0] in self.cut_at:
            body = body[:int(len(body) * self.cut_at[self.crawl[0]])]
        self.answer(200, body, **{"Content-Encoding": self.encoding})


@pytest.mark.parametrize("encoding", ["gzip", "deflate", "br"])
def test_a_page_whose_compressed_stream_is_cut_is_retried_kept_with_a_warning_and_completed_next_time(
        tmp_path, encoding):
    # Its fragment was stored as the whole page, and not asked for again.
    site = type("Site", (CompressedCutSite,), {"encoding": encoding, "crawl": [1], "asked": []})
    server = serve_handler(site)
    url = f"http://127.0.0.1:{server.server_port}/news/"
    try:
        first = crawl_cut_site(tmp_path, site, url, 1)
        assert first.returncode == 0, first.stderr[-3000:]
        assert "3 pages that failed for a passing reason or arrived cut short will be asked for again" in first.stdout
        assert sorted(site.asked) == sorted([f"/news/2024/05/0{n}/story-{n}" for n in range(1, 4)] * 3)  # retried twice
        kept = stories(tmp_path / "a.db")
        assert len(kept) == 3
        for _, versions, body, warnings in kept:
            assert versions == 1 and body.count("Paragraph") < 6
            assert [warning for warning in json.loads(warnings) if warning.startswith("data_loss")] == [
                "data_loss: the page arrived cut short, its compressed stream stops before its end; its text may "
                "be incomplete"]
        second = crawl_cut_site(tmp_path, site, url, 2)  # whole now
        assert second.returncode == 0, second.stderr[-3000:]
    finally:
        server.shutdown()
    after = stories(tmp_path / "a.db")
    assert [(versions, body.count("Paragraph")) for _, versions, body, _ in after] == [(2, 6)] * 3
    assert not any("data_loss" in warnings for _, _, _, warnings in after)


@pytest.mark.parametrize("encoding", ["gzip", "br"])
def test_a_page_cut_short_does_not_replace_the_whole_story_stored(tmp_path, encoding):
    # The fragment became the story's next version, its text in every query until a later crawl.
    site = type("Site", (CompressedCutSite,), {"encoding": encoding, "crawl": [1], "cut_at": {2: 2 / 3}, "asked": []})
    server = serve_handler(site)
    url = f"http://127.0.0.1:{server.server_port}/news/"
    try:
        assert crawl_cut_site(tmp_path, site, url, 1).returncode == 0  # whole
        whole = stories(tmp_path / "a.db")
        site.crawl[0] = 2
        cut = run_cli("crawl", url, "--db", str(tmp_path / "a.db"), "--allow-private", "--render", "never", "--full",
                      "-s", "AUTOTHROTTLE_ENABLED=False")
        assert "3 pages that failed for a passing reason or arrived cut short will be asked for again" in cut.stdout
        assert cut.returncode == 4, cut.stderr[-3000:]  # no article stored: every story's page failed
        assert stories(tmp_path / "a.db") == whole  # each story's whole version kept, unchanged
        with sqlite3.connect(tmp_path / "a.db") as db:
            failures = db.execute("SELECT f.reason, f.detail, f.status, a.id FROM failures f "
                                  "JOIN article_urls u ON u.url = f.url JOIN articles a ON a.id = u.article_id").fetchall()
            captured = db.execute("SELECT count(*) FROM captures WHERE crawl_id = 2").fetchone()[0]
        assert [(reason, status) for reason, _, status, _ in failures] == [("data_loss", 200)] * 3
        for _, detail, _, article_id in failures:
            assert detail == (f"the page arrived cut short, and its text is not the story archived as article "
                              f"{article_id}: that version is kept; the next crawl asks for the page again")
        assert captured >= 4  # the section and the three pages as they came
        site.asked.clear()
        again = crawl_cut_site(tmp_path, site, url, 3)  # whole again; asked for by the frontier
        assert again.returncode == 0, again.stderr[-3000:]
    finally:
        server.shutdown()
    assert sorted(site.asked) == [f"/news/2024/05/0{n}/story-{n}" for n in range(1, 4)]
    assert stories(tmp_path / "a.db") == whole


def test_a_page_cut_short_does_not_replace_a_story_stored_from_a_page_cut_elsewhere(tmp_path):
    # Fragment for fragment, the versions churned: the first stays until a whole page replaces it.
    site = type("Site", (CompressedCutSite,), {"crawl": [1], "cut_at": {1: 0.85, 2: 2 / 3}, "asked": []})
    server = serve_handler(site)
    url = f"http://127.0.0.1:{server.server_port}/news/"
    try:
        assert crawl_cut_site(tmp_path, site, url, 1).returncode == 0
        first = stories(tmp_path / "a.db")
        site.crawl[0] = 2
        cut_again = run_cli("crawl", url, "--db", str(tmp_path / "a.db"), "--allow-private", "--render", "never",
                            "--full", "-s", "AUTOTHROTTLE_ENABLED=False")
        assert cut_again.returncode == 4, cut_again.stderr[-3000:]
        assert stories(tmp_path / "a.db") == first
        whole = crawl_cut_site(tmp_path, site, url, 3)
        assert whole.returncode == 0, whole.stderr[-3000:]
    finally:
        server.shutdown()
    assert [(versions, body.count("Paragraph")) for _, versions, body, _ in stories(tmp_path / "a.db")] == [(2, 6)] * 3


@pytest.mark.parametrize(("body", "headers", "cut"), [
    (b"<html><body><p>The story goes on and o", {}, True),  # mid-text, its length what arrived
    (b"<html><body><p class='lead", {}, True),  # mid-tag
    (b"<html><body><p>The story.</p></div>\n", {}, False),  # no </html>, but it ends with a tag: 3 real pages of 272
    (b"<html><body><p>The story.</p></body></html>\n", {}, False),
    (b"<html><body><p>The story goes on and o", {"Content-Length": None}, False),  # its end is the connection's
    (b"<html><body><p>The story goes on and o", {"Content-Length": "10"}, False),  # another length: decoded
    (b"The story goes on and o", {"Content-Type": "text/plain"}, False),
    (b"", {}, False),
])
def test_a_body_that_stops_where_no_page_ends_is_cut_short(body, headers, cut):
    from scrapy.http import HtmlResponse

    from newsarchive.middlewares.pageresult import cut_short

    values = {"Content-Type": "text/html; charset=utf-8", "Content-Length": str(len(body))} | headers
    response = HtmlResponse("http://127.0.0.1:8000/a", body=body,
                            headers={name: value for name, value in values.items() if value is not None})
    assert (cut_short(response) is not None) is cut
