"""Shared fixtures: a generated demo site served by a real HTTP server process on 127.0.0.1."""

from __future__ import annotations

import json
import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time
import venv
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

DEMO_ARTICLES = 60


class ServedSite:
    def __init__(self, site_dir: Path, base_url: str):
        self.site_dir = site_dir
        self.base_url = base_url
        self.manifest = json.loads((site_dir / "manifest.json").read_text(encoding="utf-8"))

    def url(self, path: str) -> str:
        return self.base_url + path


def start_browse(db_path: Path, folder: Path) -> tuple[subprocess.Popen, str]:
    """`newsarchive browse` as a real process on a free loopback port, once it answers: the process
    and its base URL. Its metadata goes to folder/metadata.json, its log to folder/browse.log (a
    file, not a pipe: Datasette logs every request, and a full pipe would block it)."""
    import time
    import urllib.request

    port = free_port()
    log_path = folder / "browse.log"
    with open(log_path, "w") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "newsarchive.cli", "browse", "--db", str(db_path), "--port", str(port),
             "--metadata", str(folder / "metadata.json")], stdout=log, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while True:
        try:
            urllib.request.urlopen(base + "/-/versions.json", timeout=2)
            return process, base
        except OSError:
            if process.poll() is not None:
                pytest.fail(f"newsarchive browse exited: {log_path.read_text()[-3000:]}", pytrace=False)
            if time.monotonic() > deadline:
                process.kill()
                pytest.fail("newsarchive browse did not answer within 60 s", pytrace=False)
            time.sleep(0.2)


def free_port() -> int:
    """A TCP port free on 127.0.0.1 now, for a server a test starts."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class SiteHandler(BaseHTTPRequestHandler):
    """A request handler of a test site: `answer` sends one whole response, and no request is
    logged on stderr."""

    def answer(self, status: int, body: bytes | str, **headers: str) -> None:
        body = body.encode() if isinstance(body, str) else body
        self.send_response(status)
        for name, value in {"Content-Type": "text/html; charset=utf-8", **headers}.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


def story_html(number: str | int) -> str:
    """A test site's story page: its number in title and heading, four paragraphs of prose."""
    prose = "".join(f"<p>Paragraph {k} of story {number} on the river and the bridge works.</p>" for k in range(4))
    return (f"<html><head><title>Story {number}</title></head><body><article><h1>Story {number}</h1>{prose}"
            "</article></body></html>")


def section_html(stories: range = range(1, 5)) -> str:
    """A test site's section page (/news/), linking /news/2024/05/0N/story-N for each N."""
    links = "".join(f"<li><a href='/news/2024/05/0{n}/story-{n}'>Story {n}</a></li>" for n in stories)
    return f"<html><head><title>News</title></head><body><ul>{links}</ul></body></html>"


def serve_handler(handler) -> ThreadingHTTPServer:
    """A threaded HTTP server on a free loopback port answering with `handler`, in a thread of this
    process (its class attributes are what a test reads back); `shutdown()` stops it."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def crawl_of(handler, db_path, *options: str, section: str = "/news/") -> subprocess.CompletedProcess:
    """`newsarchive crawl` of a loopback site served by `handler` (its `section`) into db_path,
    the server stopped after."""
    server = serve_handler(handler)
    try:
        return run_cli("crawl", f"http://127.0.0.1:{server.server_port}{section}", "--db", str(db_path),
                       "--allow-private", *options)
    finally:
        server.shutdown()


def interrupt(process: subprocess.Popen, *pauses: float) -> tuple[str, str]:
    """Ctrl-C a command after each pause (seconds): once, or twice for a stop at once; its output."""
    for pause in pauses:
        time.sleep(pause)
        process.send_signal(signal.SIGINT)
    return process.communicate(timeout=120)


def serve_in_subprocess(site_dir: Path, *extra_args: str):
    process = subprocess.Popen(
        [sys.executable, "-m", "newsarchive.demo.serve", str(site_dir), "--port", "0", *extra_args],
        stdout=subprocess.PIPE, text=True,
    )
    base_url = process.stdout.readline().strip()
    if not base_url.startswith("http://127.0.0.1:"):
        process.kill()
        raise RuntimeError(f"demo server did not start: {base_url!r}")
    return process, base_url


@pytest.fixture(scope="session")
def demo_site(tmp_path_factory):
    from newsarchive.demo.site import generate_site

    site_dir = tmp_path_factory.mktemp("demo") / "site"
    generate_site(site_dir, articles=DEMO_ARTICLES, seed=7)
    process, base_url = serve_in_subprocess(site_dir)
    yield ServedSite(site_dir, base_url)
    process.terminate()
    process.wait(timeout=10)


def archive_without_migration(path: Path, name: str):
    """An archive file with every migration but `name` applied, as an older newsarchive left it:
    an open sqlite_utils Database, for the test to fill and close before opening it (which
    applies `name`)."""
    from sqlite_utils import Database
    from sqlite_utils.migrations import Migrations

    from newsarchive.archive.folding import register as register_fold
    from newsarchive.archive.migrations import migrations

    earlier = Migrations("newsarchive")
    for migration in migrations._migrations:
        if migration.name != name:
            earlier()(migration.fn)
    db = Database(path)
    register_fold(db.conn)  # the search indexes' triggers call it
    earlier.apply(db)
    return db


def run_cli(*args: str, timeout: float = 300, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    """Run the newsarchive command as a user would, in its own process (env: variables to add to
    this process's environment)."""
    return subprocess.run([sys.executable, "-m", "newsarchive.cli", *args], capture_output=True,
                          text=True, timeout=timeout, env={**os.environ, **env} if env else None)


# The command run in this process, which at its end writes which of the modules named in its first
# argument it imported (a crawl runs in the command's own process).
_IMPORT_PROBE = """import atexit, sys
names = sys.argv[1].split(",")
atexit.register(lambda: print("imported:", ",".join(n for n in names if n in sys.modules), file=sys.stderr))
sys.argv = ["newsarchive", *sys.argv[2:]]
from newsarchive.cli import main
main()
"""


def run_cli_noting_imports(modules: list[str], *args: str, timeout: float = 300) -> tuple[subprocess.CompletedProcess, set[str]]:
    """run_cli, and which of `modules` the command's process had imported when it ended."""
    done = subprocess.run([sys.executable, "-c", _IMPORT_PROBE, ",".join(modules), *args], capture_output=True,
                          text=True, timeout=timeout)
    noted = re.findall(r"^imported: (.*)$", done.stderr, re.M)
    assert noted, done.stderr[-3000:]
    return done, set(noted[-1].split(",")) - {""}


# pywb pins old versions of redis and werkzeug: it gets a virtual environment of its own, made
# once and reused (CI makes it in .ci/run; a developer's first test run makes it here).
PYWB_VENV = Path(os.environ.get("NEWSARCHIVE_PYWB_VENV", Path.home() / ".cache" / "newsarchive" / "pywb-venv"))
PYWB_REQUIREMENT = "pywb>=2.8"


@pytest.fixture(scope="session")
def pywb_bin() -> Path:
    """The bin folder of a virtual environment with pywb's wayback and wb-manager."""
    bin_dir = PYWB_VENV / "bin"
    if not (bin_dir / "wayback").exists():
        venv.create(PYWB_VENV, with_pip=True, clear=True)
        install = subprocess.run([str(bin_dir / "python"), "-m", "pip", "install", "--quiet", PYWB_REQUIREMENT],
                                 capture_output=True, text=True, timeout=900)
        if install.returncode != 0:
            raise RuntimeError(f"could not install {PYWB_REQUIREMENT} into {PYWB_VENV}:\n{install.stderr[-3000:]}")
    return bin_dir


class ResearchArchive:
    """A demo archive with history: crawled, then the site changed and crawled again."""

    def __init__(self, db_path: Path, before: dict, after: dict):
        self.db_path, self.before, self.after = db_path, before, after


@pytest.fixture(scope="session")
def research_archive(tmp_path_factory) -> ResearchArchive:
    from newsarchive.demo.site import SiteChanges, generate_site

    folder = tmp_path_factory.mktemp("research")
    site_dir, db_path = folder / "site", folder / "archive.db"
    before = generate_site(site_dir, articles=80, seed=5)
    server, base_url = serve_in_subprocess(site_dir)
    try:
        options = ["--db", str(db_path), "--base-url", base_url, "--allow-private",
                   "-s", "AUTOTHROTTLE_ENABLED=0", "-s", "LOG_LEVEL=WARNING"]
        first = run_cli("crawl", "diyaruna", *options)
        assert first.returncode == 0, first.stderr[-3000:]
        after = generate_site(site_dir, articles=80, seed=5, changes=SiteChanges(
            edited=3, comments_added=4, comments_removed=3, new_articles=5))
        second = run_cli("crawl", "diyaruna", *options, "--full",
                         "--sections", "/en_GB/archives,/ar/archives,/faults/404,/faults/not-html")
        assert second.returncode == 0, second.stderr[-3000:]
    finally:
        server.terminate()
        server.wait(timeout=10)
    return ResearchArchive(db_path, before, after)


LOOPBACK_SITE = "http://127.0.0.1:8000"  # a site no test serves: the spider only makes requests


@pytest.fixture
def make_generic_spider(tmp_path):
    """A real generic spider with the project's settings, its archive a real SQLite file under
    tmp_path, pages parsed in the test's own process and nothing rendered; `arguments` (start_urls,
    allow_private, since ...) and settings override those defaults. Each is closed after the test."""
    from scrapy.utils.test import get_crawler

    from newsarchive import settings as project_module
    from spiders.generic import GenericSpider

    made = []

    def make(arguments: dict | None = None, **settings):
        crawler = get_crawler(GenericSpider, {
            **{name: value for name, value in vars(project_module).items() if name.isupper()},
            "NEWSARCHIVE_DB_PATH": str(tmp_path / "archive.db"), "NEWSARCHIVE_PARSER_WORKERS": 0,
            "NEWSARCHIVE_RENDER": "never", "ROBOTSTXT_OBEY": False, **settings})
        spider = GenericSpider.from_crawler(crawler, **{"start_urls": f"{LOOPBACK_SITE}/news/", "allow_private": "1",
                                                        **(arguments or {})})
        crawler.spider = spider
        made.append(spider)
        return spider

    yield make
    for spider in made:
        spider.closed("finished")


@pytest.fixture
def empty_archive(tmp_path):
    """A new archive file under tmp_path, open for writing; closed after the test."""
    from newsarchive.archive import open_archive

    archive = open_archive(tmp_path / "archive.db")
    yield archive
    archive.close()


def spider_stat(spider, name: str):
    """One figure of a spider's crawl stats (None when never set)."""
    return spider.crawler.stats.get_value(name)
