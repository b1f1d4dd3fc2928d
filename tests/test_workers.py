"""The parser pool: pages parsed in worker processes, and what goes wrong there is a failure row
of that page, never a hang or a lost page."""

from __future__ import annotations

import asyncio
import signal
import sqlite3
import subprocess
import sys
import time
from urllib.parse import urlsplit

from newsarchive.items import Article, PageFailure
from newsarchive.workers import ParseJob, ParserPool
from tests.conftest import run_cli

FAULTY = "tests.faulty_parser.parse_page"
PAGE = (b"<html lang='en'><head><title>T</title></head><body><article><h1>A story</h1>"
        + b"<p>" + b"Words of the story, one after another. " * 30 + b"</p></article></body></html>")


def parse_all(pool: ParserPool, urls: list[str]) -> list:
    async def run():
        return await asyncio.gather(*(pool.parse(ParseJob(url, PAGE, "text/html", "article")) for url in urls))
    try:
        return asyncio.run(run())
    finally:
        pool.close()


def test_pages_are_parsed_in_workers_and_inline_alike():
    urls = [f"https://example.org/2024/05/0{n}/story" for n in range(1, 6)]
    in_workers = parse_all(ParserPool(2, 4, "newsarchive.parsers.parse_page"), urls)
    inline = parse_all(ParserPool(0, 0, "newsarchive.parsers.parse_page"), urls)
    assert all(isinstance(record, Article) for record in in_workers)
    assert [record.to_dict() for record in in_workers] == [record.to_dict() for record in inline]
    assert [record.title for record in in_workers] == ["A story"] * 5


def test_a_worker_that_dies_costs_only_its_own_page():
    urls = [f"https://example.org/{name}" for name in ("a", "b", "crash-me", "c", "raise-me", "d", "e", "f")]
    started = time.monotonic()
    records = parse_all(ParserPool(2, 8, FAULTY), urls)
    assert time.monotonic() - started < 60
    by_url = {urlsplit(record.url).path: record for record in records}
    assert isinstance(by_url["/crash-me"], PageFailure) and by_url["/crash-me"].reason == "parse_error"
    assert "the parser process died while parsing this page" in by_url["/crash-me"].detail
    assert by_url["/raise-me"].reason == "parse_error"
    assert by_url["/raise-me"].detail.startswith("LookupError: no such layer (in newsarchive/workers.py, run_job")
    assert all(isinstance(by_url[f"/{name}"], Article) for name in "abcdef")


def test_a_parse_past_its_time_limit_is_that_page_s_failure():
    urls = [f"https://example.org/{name}" for name in ("a", "loop-me", "b", "c")]
    records = parse_all(ParserPool(2, 4, FAULTY, time_limit=1), urls)
    by_url = {urlsplit(record.url).path: record for record in records}
    assert (by_url["/loop-me"].reason, by_url["/loop-me"].detail) == (
        "parse_time_limit", "the parser took more than 1 s on this page and was stopped (NEWSARCHIVE_PARSE_TIME_LIMIT)")
    assert all(isinstance(by_url[f"/{name}"], Article) for name in "abc")


def test_a_parse_stuck_in_c_code_is_ended_by_the_kernel_and_costs_only_its_page():
    urls = [f"https://example.org/{name}" for name in ("a", "stall-me", "b", "c")]
    started = time.monotonic()
    records = parse_all(ParserPool(2, 4, FAULTY, time_limit=1), urls)
    assert time.monotonic() - started < 60  # the C call alone would take half an hour
    by_url = {urlsplit(record.url).path: record for record in records}
    assert by_url["/stall-me"].reason == "parse_error"
    assert by_url["/stall-me"].detail == ("the parser process died while parsing this page (twice: a crash in a C "
                                          "extension, the memory limit, or a parse stuck in C code past its time limit)")
    assert all(isinstance(by_url[f"/{name}"], Article) for name in "abc")


def test_without_a_time_limit_no_alarm_is_set():
    from newsarchive.workers import run_job

    record = run_job("newsarchive.parsers.parse_page", ParseJob("https://example.org/a", PAGE, "text/html", "article"))
    assert isinstance(record, Article)
    assert signal.getitimer(signal.ITIMER_REAL) == (0.0, 0.0) and signal.getitimer(signal.ITIMER_PROF) == (0.0, 0.0)
    assert signal.getsignal(signal.SIGALRM) == signal.SIG_DFL


def test_a_crawl_whose_workers_crash_records_the_pages_and_finishes(demo_site, tmp_path):
    articles = [a for a in demo_site.manifest["articles"] if a["locale"] == "en_GB"]
    site = tmp_path / "site"
    import shutil

    shutil.copytree(demo_site.site_dir, site)
    # Two article files renamed so that their URLs ask the faulty parser to kill its worker, and
    # one so that its parse never ends.
    victims = {articles[0]["path"]: "-crash-me", articles[5]["path"]: "-crash-me", articles[3]["path"]: "-loop-me"}
    for path in site.rglob("*.html"):
        text = path.read_text(encoding="utf-8")
        for victim, mark in victims.items():
            text = text.replace(victim, victim + mark)
        path.write_text(text, encoding="utf-8")
    for victim, mark in victims.items():
        folder = site / victim.strip("/")
        folder.rename(folder.with_name(folder.name + mark))
    from tests.conftest import serve_in_subprocess

    server, base_url = serve_in_subprocess(site)
    try:
        db_path = tmp_path / "crash.db"
        result = run_cli("crawl", "diyaruna", "--db", str(db_path), "--base-url", base_url, "--allow-private",
                         "--locales", "en_GB", "-s", "AUTOTHROTTLE_ENABLED=0", "-s", f"NEWSARCHIVE_PARSER={FAULTY}",
                         "-s", "NEWSARCHIVE_PARSER_WORKERS=2", "-s", "NEWSARCHIVE_PARSE_TIME_LIMIT=2", timeout=240)
    finally:
        server.terminate()
        server.wait(timeout=10)
    assert result.returncode == 0, result.stderr[-3000:]
    db = sqlite3.connect(db_path)
    failures = {urlsplit(url).path: reason for url, reason in db.execute("SELECT url, reason FROM failures")}
    assert failures == {articles[0]["path"] + "-crash-me": "parse_error", articles[5]["path"] + "-crash-me": "parse_error",
                        articles[3]["path"] + "-loop-me": "parse_time_limit"}
    assert db.execute("SELECT count(*) FROM articles").fetchone()[0] == len(articles) - 3
    pages, articles_stored, listings, unchanged, failed = db.execute(
        "SELECT pages, articles_stored, listings, unchanged, failures FROM crawls").fetchone()
    assert pages == articles_stored + listings + unchanged + failed


def test_no_worker_outlives_a_killed_crawl(demo_site, tmp_path):
    import signal

    process = subprocess.Popen(
        [sys.executable, "-m", "newsarchive.cli", "crawl", "diyaruna", "--db", str(tmp_path / "k.db"), "--base-url",
         demo_site.base_url, "--allow-private", "--sections", "/en_GB/news/iraq/security,/faults/slow?seconds=30",
         "--max-pages", "1", "-s", "AUTOTHROTTLE_ENABLED=0", "-s", "NEWSARCHIVE_PARSER_WORKERS=2"], stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 60
    while len(children(process.pid)) < 2:  # the workers are up
        assert time.monotonic() < deadline and process.poll() is None
        time.sleep(0.1)
    workers = children(process.pid)
    process.send_signal(signal.SIGKILL)
    process.communicate(timeout=30)  # would wait for ever if a worker kept the crawl's output open
    time.sleep(1)
    assert [pid for pid in workers if alive(pid)] == []


def children(pid: int) -> list[int]:
    from pathlib import Path

    found = []
    for status in Path("/proc").glob("[0-9]*/status"):
        try:
            fields = dict(line.split(":\t", 1) for line in status.read_text().splitlines() if ":\t" in line)
        except (OSError, ValueError):
            continue
        if fields.get("PPid", "").strip() == str(pid) and "spawn_main" in Path(status.parent / "cmdline").read_text():
            found.append(int(fields["Pid"]))
    return found


def alive(pid: int) -> bool:
    from pathlib import Path

    try:
        return "zombie" not in Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return False
