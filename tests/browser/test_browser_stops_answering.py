"""A browser that stops answering in the middle of a crawl (frozen: swapped out, stopped by the
system, hung in its own code) costs the crawl its renders, never the crawl: each render has a
last bound of its own (render_handler.py, `_download_request`), a failed render's tab is closed
within a bound (rendering.Renderer._render), and so is the browser at the crawl's end
(render_handler.py, `_close`), past which its processes are killed. Without them calls to Playwright's driver waited for good: the
crawl never ended, and every story whose render was in flight was left unstored."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import time

from tests.conftest import SiteHandler, run_cli, serve_handler

BODY = "<p>" + "Rain and wind reached the coast on Monday night, and the river rose. " * 8 + "</p>"
STORIES = range(1, 7)


def story(number: int) -> str:
    """A story with one comment, fetched by its script a little after the page's load: the browser is
    frozen while it renders, past the page's own load timeout."""
    script = (f"window.addEventListener('load', () => setTimeout(() => fetch('/comments/{number}.json')"
              ".then(r => r.json()).then(texts => { for (const text of texts) { const li = document.createElement('li');"
              " li.className = 'comment'; li.textContent = text; document.getElementById('comment-list').appendChild(li); } }), 50));")
    return (f"<!doctype html><html><head><title>Story {number}</title>"
            "<meta property='article:published_time' content='2024-05-01T08:00:00Z'></head>"
            f"<body><h1>Story {number}</h1><article>{BODY}</article><h3>1 Comment</h3><ol id='comment-list'></ol>"
            f"<script>{script}</script></body></html>")


def processes_under(root: int) -> list[int]:
    """The process ids descended from `root`, read from /proc."""
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat") as stat:
                    parent = int(stat.read().rsplit(")", 1)[1].split()[1])
            except (OSError, ValueError, IndexError):
                continue
            children.setdefault(parent, []).append(int(entry))
    found, todo = [], [root]
    while todo:
        for child in children.get(todo.pop(), []):
            found.append(child)
            todo.append(child)
    return found


def chromium_processes() -> list[int]:
    """The Chromium processes under this test process (the crawl's, and the browser fixture's of
    other tests, if one is running)."""
    pids = []
    for pid in processes_under(os.getpid()):
        try:
            with open(f"/proc/{pid}/comm") as comm:
                if "chrom" in comm.read():
                    pids.append(pid)
        except OSError:
            continue
    return pids


def running(pid: int) -> bool:
    """Whether a process is there and no zombie."""
    try:
        with open(f"/proc/{pid}/stat") as stat:
            return stat.read().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


class FreezingSite(SiteHandler):
    """Six stories; the first request for a story's comments (only a browser sends one) stops every
    Chromium process of the crawl (SIGSTOP: those under this process, but for those that were
    there before it, `others`), then is answered."""

    frozen: list[int] = []
    others: set[int] = set()

    def do_GET(self):  # noqa: N802 (the http.server API)
        if self.path == "/news/":
            links = "".join(f"<p><a href='/2024/05/01/story-{n}'>Storm story number {n}</a></p>" for n in STORIES)
            return self.answer(200, f"<html><body><h1>News</h1>{links}</body></html>")
        if self.path.startswith("/2024/05/01/story-"):
            return self.answer(200, story(int(self.path.rsplit("-", 1)[1])))
        if self.path.startswith("/comments/"):
            if not FreezingSite.frozen:
                FreezingSite.frozen = [pid for pid in chromium_processes() if pid not in FreezingSite.others]
                for pid in FreezingSite.frozen:
                    os.kill(pid, signal.SIGSTOP)
            return self.answer(200, json.dumps([f"A comment of {self.path}"]), **{"Content-Type": "application/json"})
        return self.answer(404, "<html><body>no</body></html>")


def test_a_browser_that_stops_answering_fails_its_renders_and_the_crawl_ends(tmp_path):
    FreezingSite.frozen, FreezingSite.others = [], set(chromium_processes())
    server = serve_handler(FreezingSite)
    started = time.monotonic()
    try:
        # Renders of 1 s (each bound: 4 s), two at a time; unbounded, the crawl never ends, and
        # run_cli's timeout fails the test.
        result = run_cli("crawl", f"http://127.0.0.1:{server.server_port}/news/", "--db", str(tmp_path / "a.db"),
                         "--allow-private", "--render", "auto", "-s", "NEWSARCHIVE_RENDER_TIMEOUT=1",
                         "-s", "NEWSARCHIVE_RENDER_CONCURRENCY=2", "-s", "AUTOTHROTTLE_ENABLED=False",
                         "-s", "ROBOTSTXT_OBEY=False", timeout=150)
        left_running = [pid for pid in FreezingSite.frozen if running(pid)]
    finally:
        server.shutdown()
        for pid in FreezingSite.frozen:  # what the crawl's end did not stop
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
    took = time.monotonic() - started
    assert FreezingSite.frozen, "no Chromium process was found to freeze"
    assert result.returncode == 0, result.stderr[-3000:]
    assert "6 articles, 2 listings, 0 unchanged, 0 failures; 0 pages rendered, 6 could not be rendered" in result.stdout
    warnings = [line for line in result.stderr.splitlines() if "cannot render" in line]
    assert len(warnings) == 6
    assert any("RenderTimeout: the browser did not finish the page within 4 s" in line for line in warnings)
    assert "the browser did not close within 10 s: stopping it" in result.stderr
    assert left_running == []  # the frozen browser was killed, not left behind its driver
    with sqlite3.connect(tmp_path / "a.db") as db:
        assert sorted(db.execute("SELECT title, comments_status FROM articles")) == [
            (f"Story {n}", "unreached") for n in STORIES]
        assert db.execute("SELECT count(*) FROM comments").fetchone() == (0,)
    assert took < 120
