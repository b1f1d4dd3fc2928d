"""Bad input and faults during a crawl: recorded as failures, the crawl goes on and finishes."""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
import zlib
from urllib.parse import urlsplit

from newsarchive.demo.site import PAGE_SIZE
from tests.conftest import run_cli

FAST = ["-s", "AUTOTHROTTLE_ENABLED=0", "-s", "LOG_LEVEL=WARNING"]


def crawl(demo_site, db_path, *args):
    return run_cli("crawl", "diyaruna", "--db", str(db_path), "--base-url", demo_site.base_url,
                   "--allow-private", *FAST, *args)


def test_faults_are_recorded_and_the_crawl_finishes(demo_site, tmp_path):
    faults = ["/faults/404", "/faults/500", "/faults/redirect-loop", "/faults/refresh-loop", "/faults/binary",
              "/faults/not-html",
              "/faults/empty", "/faults/huge", "/faults/gzip-bomb", "/faults/bad-gzip", "/faults/not-http",
              "/faults/unknown-transfer-encoding", "/faults/reset",
              "/faults/slow?seconds=6", "/faults/redirect?to=javascript:void(0)",
              "/en_GB/news/iraq/security"]
    db_path = tmp_path / "faults.db"
    result = crawl(demo_site, db_path, "--sections", ",".join(faults), "--max-pages", "1",
                   "-s", "DOWNLOAD_MAXSIZE=1000000", "-s", "DOWNLOAD_TIMEOUT=2", "-s", "RETRY_TIMES=0",
                   "-s", "REDIRECT_MAX_TIMES=3")
    assert result.returncode == 0, result.stderr[-3000:]
    db = sqlite3.connect(db_path)
    reasons = {urlsplit(url).path: reason for url, reason in db.execute("SELECT url, reason FROM failures")}
    assert reasons == {
        "/faults/404": "http_404",
        "/faults/500": "http_500",
        "/faults/redirect-loop": "redirect_loop",
        "/faults/refresh-loop": "redirect_loop",  # at the first repeat, not after 20 fetches as `ignored`
        "/faults/binary": "not_html",
        "/faults/not-html": "not_html",
        "/faults/empty": "empty_page",
        "/faults/huge": "too_large",
        "/faults/gzip-bomb": "too_large",  # about 64 KB sent, 64 MB inflated: stopped at DOWNLOAD_MAXSIZE
        "/faults/bad-gzip": "bad_content_encoding",
        "/faults/not-http": "bad_response",
        "/faults/unknown-transfer-encoding": "bad_response",
        "/faults/reset": "connection_lost",
        "/faults/slow": "timeout",
        "/faults/redirect": "unfollowable_redirect",  # to javascript:, which it names
    }
    # An answer Twisted's HTTP client cannot read is said in words, not as a list of Failure objects.
    details = {urlsplit(url).path: detail for url, detail in db.execute("SELECT url, detail FROM failures")}
    assert details["/faults/unknown-transfer-encoding"] == "the answer is not HTTP that can be read: KeyError: gzip, chunked"
    assert details["/faults/not-http"] == ("the answer is not HTTP that can be read: ParseError: "
                                           "non-integer status code: THIS IS NOT HTTP")  # its status "IS"
    # A body the crawl received but could not decompress is kept as the site sent it, still encoded,
    # and its failure has its status.
    from newsarchive.demo.serve import BAD_GZIP_BODY

    refused = {urlsplit(url).path: (status, json.loads(headers)["Content-Encoding"], zlib.decompress(body))
               for url, status, headers, body in db.execute(
                   "SELECT url, status, response_headers, body FROM captures WHERE url LIKE '%/faults/%gzip%'")}
    assert refused.keys() == {"/faults/gzip-bomb", "/faults/bad-gzip"}
    assert refused["/faults/bad-gzip"] == (200, ["gzip"], BAD_GZIP_BODY)
    assert refused["/faults/gzip-bomb"][:2] == (200, ["gzip"]) and refused["/faults/gzip-bomb"][2][:2] == b"\x1f\x8b"
    assert db.execute("SELECT status FROM failures WHERE url LIKE '%/faults/%gzip%'").fetchall() == [(200,), (200,)]
    # A redirect refused is kept as it came, and its failure has its status (they had neither).
    redirects = {"/faults/redirect-loop": 302, "/faults/refresh-loop": 200, "/faults/redirect": 302}
    assert {urlsplit(url).path: status for url, status in db.execute("SELECT url, status FROM captures")
            if urlsplit(url).path in redirects} == redirects
    assert {urlsplit(url).path: status for url, status in db.execute("SELECT url, status FROM failures")
            if urlsplit(url).path in redirects} == redirects
    assert db.execute("SELECT finish_reason FROM crawls").fetchone() == ("finished",)
    # The good section on the same run was still crawled: its first page, a full page of articles.
    security = next(s for s in demo_site.manifest["sections"] if s["path"] == "/en_GB/news/iraq/security")
    assert security["pages"] > 1
    assert db.execute("SELECT count(*) FROM articles").fetchone()[0] == PAGE_SIZE


def test_a_private_start_url_is_refused_without_the_flag(demo_site, tmp_path):
    result = run_cli("crawl", "diyaruna", "--db", str(tmp_path / "x.db"), "--base-url", demo_site.base_url)
    assert result.returncode == 1
    assert "refused http://127.0.0.1:" in result.stderr
    assert "is an internal address (127.0.0.1)" in result.stderr
    assert not (tmp_path / "x.db").exists()


def test_scrapy_crawl_records_a_refused_private_start_url(demo_site, tmp_path):
    db_path = tmp_path / "scrapy.db"
    result = subprocess.run(
        [sys.executable, "-m", "scrapy", "crawl", "diyaruna", "-a", f"base_url={demo_site.base_url}",
         "-s", f"NEWSARCHIVE_DB_PATH={db_path}", "-s", "LOG_LEVEL=WARNING"],
        capture_output=True, text=True, timeout=120,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    db = sqlite3.connect(db_path)
    # One failure per start URL (the English and the Arabic archive index), nothing fetched.
    assert db.execute("SELECT reason FROM failures").fetchall() == [("refused_private_host",)] * 2
    assert db.execute("SELECT count(*) FROM articles").fetchone() == (0,)


def test_off_site_links_and_other_locales_are_not_fetched(demo_site, tmp_path):
    db_path = tmp_path / "locale.db"
    result = crawl(demo_site, db_path, "--locales", "ar")
    assert result.returncode == 0, result.stderr[-3000:]
    db = sqlite3.connect(db_path)
    urls = [url for (url,) in db.execute("SELECT url FROM captures")]
    assert urls and all(urlsplit(url).path.startswith(("/ar/", "/robots.txt")) for url in urls)
    languages = {language for (language,) in db.execute("SELECT DISTINCT language FROM articles")}
    assert languages == {"ar"}


def test_since_until_and_max_pages_limit_the_crawl(demo_site, tmp_path):
    articles = demo_site.manifest["articles"]
    dates = sorted(a["published_date"] for a in articles if a["locale"] == "en_GB")
    since, until = dates[len(dates) // 3], dates[2 * len(dates) // 3]
    db_path = tmp_path / "window.db"
    result = crawl(demo_site, db_path, "--since", since, "--until", until, "--locales", "en_GB")
    assert result.returncode == 0, result.stderr[-3000:]
    db = sqlite3.connect(db_path)
    stored = {urlsplit(url).path for (url,) in db.execute("SELECT url FROM articles")}
    expected = {a["path"] for a in articles if a["locale"] == "en_GB" and since <= a["published_date"] <= until}
    assert stored == expected

    one_page = tmp_path / "onepage.db"
    result = crawl(demo_site, one_page, "--sections", "/en_GB/news/iraq/security", "--max-pages", "1")
    assert result.returncode == 0
    listing_pages = sqlite3.connect(one_page).execute(
        "SELECT count(*) FROM captures WHERE url LIKE '%/news/iraq/security%'").fetchone()[0]
    assert listing_pages == 1


def test_two_crawls_writing_one_archive_at_once_lose_nothing(demo_site, tmp_path):
    db_path = tmp_path / "shared.db"
    # Two sites' crawls (the demo site served as each), each holding its own site's lock.
    command = [sys.executable, "-m", "newsarchive.cli", "crawl", "--db", str(db_path),
               "--base-url", demo_site.base_url, "--allow-private", *FAST, "-s", "NEWSARCHIVE_STORE_BATCH_SIZE=5"]
    runs = [subprocess.Popen([*command[:4], site, *command[4:], "--locales", locale], stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE, text=True)
            for site, locale in (("diyaruna", "en_GB"), ("almashareq", "ar"))]
    outputs = [run.communicate(timeout=300) for run in runs]
    assert [run.returncode for run in runs] == [0, 0], [err[-2000:] for _, err in outputs]
    db = sqlite3.connect(db_path)
    assert db.execute("SELECT count(*) FROM articles").fetchone()[0] == len(demo_site.manifest["articles"])
    assert db.execute("SELECT count(*), count(finished_at) FROM crawls").fetchone() == (2, 2)
    assert db.execute("PRAGMA integrity_check").fetchone() == ("ok",)


def test_error_responses_are_captured_too(demo_site, tmp_path):
    db_path = tmp_path / "errors.db"
    result = crawl(demo_site, db_path, "--sections", "/faults/404,/faults/500,/faults/not-html",
                   "-s", "RETRY_TIMES=0")
    # Every page failed: nothing archived, and the exit status says so (4), after capturing them.
    assert result.returncode == 4, result.stderr[-3000:]
    assert "exit 4: nothing was archived" in result.stderr
    db = sqlite3.connect(db_path)
    captured = {urlsplit(url).path: status for url, status in db.execute("SELECT url, status FROM captures")}
    assert captured == {"/faults/404": 404, "/faults/500": 500, "/faults/not-html": 200, "/robots.txt": 200}
