"""Three guards of a crawl, in the test's process: the origins it may fetch (newsarchive/scope.py),
the addresses it refuses to be pointed at (newsarchive/safety.py), and one crawl of a site into
an archive at a time (newsarchive/locking.py, a real lock file)."""

from __future__ import annotations

import os
import subprocess
import sys
from urllib.parse import urlsplit

import pytest

from newsarchive.locking import CrawlLocked, LockUnavailable, crawl_lock, lock_path
from newsarchive.safety import refuse_private_host
from newsarchive.scope import Scope, origin_of


@pytest.mark.parametrize(("url", "origin"), [
    ("http://example.org/news/", ("http", "example.org", 80)),
    ("HTTPS://Example.ORG./a?b#c", ("https", "example.org", 443)),
    ("http://127.0.0.1:8000/", ("http", "127.0.0.1", 8000)),
    ("https://[::1]:8443/x", ("https", "::1", 8443)),
    ("ftp://example.org/", None),
    ("mailto:desk@example.org", None),
    ("http:///no-host", None),
    ("http://example.org:99999/", None),  # out of range
    ("http://example.org:port/", None),
    ("/news/a-story", None),
    # An internationalised name, as Scrapy requests it (IDNA, by the URL standard: w3lib).
    ("https://Bücher.example/news/", ("https", "xn--bcher-kva.example", 443)),
    ("http://пример.рф:8080/новости/", ("http", "xn--e1afmkfd.xn--p1ai", 8080)),
    ("http://bad\udcff.example/", None),  # no name IDNA can write
])
def test_the_origin_of_a_url(url, origin):
    assert origin_of(url) == origin


def test_a_name_idna_spells_two_ways_is_the_host_scrapy_requests():
    # "ß" is "ss" by IDNA 2003 (w3lib before 2.6), kept by the URL standard's UTS #46 (w3lib 2.6
    # on, and browsers): fass.de and xn--fa-hia.de are two domains. The origin is the one fetched.
    from scrapy import Request

    requested = urlsplit(Request("https://faß.de/").url).hostname
    assert requested in {"fass.de", "xn--fa-hia.de"}
    assert origin_of("https://faß.de/") == ("https", requested, 443)


@pytest.mark.parametrize(("start", "link"), [
    ("https://bücher.example/news/", "https://xn--bcher-kva.example/2024/05/01/a-story"),
    ("https://xn--bcher-kva.example/news/", "https://BÜCHER.example/2024/05/01/a-story"),
])
def test_an_internationalised_site_is_one_origin_however_its_name_is_written(start, link):
    """A crawl given the site's name in Unicode fetches it under its ASCII name (Scrapy's Request):
    every link and redirect of the site was offsite, and nothing but the start page was archived."""
    import scrapy

    scope = Scope([start])
    assert scope.allows(link) and scope.allows(scrapy.Request(start).url)
    assert scope.hosts == ["www.xn--bcher-kva.example", "xn--bcher-kva.example"]
    assert not scope.allows("https://xn--bcher-kva.example.evil.test/") and not scope.allows("https://bucher.example/")


def test_a_site_on_a_default_port_is_the_same_site_under_the_other_scheme():
    scope = Scope(["http://example.org/news/"])
    assert scope.allows("https://example.org/news/a") and scope.allows("http://EXAMPLE.org:80/b")
    assert not scope.allows("https://example.org:8443/a")
    assert not scope.allows("http://example.org:8080/a")
    assert not scope.allows("http://example.org.evil.test/a") and not scope.allows("http://news.example.org/a")
    assert scope.describe() == ("http://example.org:80, http://www.example.org:80, https://example.org:443, "
                                "https://www.example.org:443")
    assert Scope(["https://example.org/"]).origins == {("https", "example.org", 443), ("http", "example.org", 80),
                                                       ("https", "www.example.org", 443), ("http", "www.example.org", 80)}


@pytest.mark.parametrize(("start", "inside", "outside"), [
    ("https://example.org/news/", ["https://www.example.org/a", "http://WWW.example.org/b"],
     ["https://www.www.example.org/a", "https://www2.example.org/a", "https://m.example.org/a"]),
    ("https://www.example.org/news/", ["https://example.org/a", "https://www.example.org/b"],
     ["https://org/a", "https://www.org/a"]),
    ("http://www.example.org:8080/", ["http://example.org:8080/a"], ["http://example.org/a", "https://example.org:8080/a"]),
    ("http://127.0.0.1:8000/", ["http://127.0.0.1:8000/a"], ["http://www.127.0.0.1:8000/a"]),
    ("http://localhost:8000/", ["http://localhost:8000/a"], ["http://www.localhost:8000/a"]),
])
def test_a_host_and_its_www_name_are_one_site(start, inside, outside):
    """Sites answer at example.org and www.example.org, and link either: a crawl given one and
    linked to the other archived nothing (exit 4). An address, or a name of one label, has no www."""
    scope = Scope([start])
    assert all(scope.allows(url) for url in inside)
    assert not any(scope.allows(url) for url in outside)


def test_a_site_on_another_port_is_that_origin_alone():
    scope = Scope(["http://127.0.0.1:8000/news/", "not a url", "http://127.0.0.1:8000/world/", "http://[::1]:8001/"])
    assert scope.origins == {("http", "127.0.0.1", 8000), ("http", "::1", 8001)}  # past the URL that is none
    assert not scope.allows("http://127.0.0.1:9000/news/") and not scope.allows("https://127.0.0.1:8000/news/")
    assert not scope.allows("http://127.0.0.1/news/")


def test_the_hosts_of_a_scope_are_each_named_once_in_order():
    scope = Scope(["https://b.example/", "http://a.example:8080/", "http://b.example/"])
    assert scope.hosts == ["a.example", "b.example", "www.a.example", "www.b.example"]
    assert Scope([]).hosts == [] and not Scope([]).allows("http://a.example/")


@pytest.mark.parametrize(("url", "host", "address"), [
    ("http://127.0.0.1:8000/news/", "127.0.0.1", "127.0.0.1"),
    ("http://10.1.2.3/", "10.1.2.3", "10.1.2.3"),
    ("http://192.168.0.10/", "192.168.0.10", "192.168.0.10"),
    ("http://169.254.169.254/latest/meta-data/", "169.254.169.254", "169.254.169.254"),  # a cloud's metadata
    ("http://0.0.0.0/", "0.0.0.0", "0.0.0.0"),
    ("http://224.0.0.1/", "224.0.0.1", "224.0.0.1"),
    ("http://240.0.0.1/", "240.0.0.1", "240.0.0.1"),  # reserved
    ("http://[::1]/", "::1", "::1"),
    ("http://[fe80::1]/", "fe80::1", "fe80::1"),
    ("https://localhost/", "localhost", None),  # resolved by the machine (no network needed)
])
def test_a_start_url_on_an_internal_address_is_refused(url, host, address):
    refusal = refuse_private_host(url)
    assert refusal is not None
    assert refusal.startswith(f"refused {url}: {host} is an internal address (")
    assert refusal.endswith("); allow it explicitly (--allow-private) if this is intended")
    if address:
        assert f"({address})" in refusal


@pytest.mark.parametrize("url", ["http://93.184.215.14/news/", "https://[2606:2800:21f:cb07:6820:80da:af6b:8b2c]/"])
def test_a_start_url_on_a_public_address_is_let_through(url):
    assert refuse_private_host(url) is None


@pytest.mark.parametrize("url", ["ftp://example.org/", "http:///news/", "file:///etc/passwd"])
def test_a_start_url_that_is_not_http_with_a_host_is_refused(url):
    assert refuse_private_host(url) == f"refused {url}: only http(s) URLs with a host are crawled"


def test_the_lock_is_named_after_the_archive_and_the_site(tmp_path):
    assert lock_path(tmp_path / "a" / ".." / "archive.db", "127.0.0.1") == tmp_path / "archive.db.127.0.0.1.lock"


def test_a_second_crawl_of_the_site_is_refused_while_the_first_holds_the_lock(tmp_path):
    db = tmp_path / "archive.db"
    with crawl_lock(db, "example.org") as path:
        assert path.read_text() == f"pid {os.getpid()}"
        with pytest.raises(CrawlLocked) as refused, crawl_lock(db, "example.org"):
            pass
        assert str(refused.value) == (f"another crawl of example.org into {db} is running (pid {os.getpid()}; "
                                      f"lock {path})")
        with crawl_lock(db, "other.example"):  # another site: its own lock
            pass
    assert path.read_text() == ""  # released and emptied
    with crawl_lock(db, "example.org"):
        pass


def test_a_lock_that_cannot_be_made_is_one_clear_error(tmp_path):
    (tmp_path / "a-file").write_text("")
    with pytest.raises(LockUnavailable, match=r"^cannot create the lock file .*a-file/archive.db.example.org.lock: "
                                              r".*\(the archive's folder must be writable to crawl into it\)$"):
        with crawl_lock(tmp_path / "a-file" / "archive.db", "example.org"):
            pass


NO_ROOM = """import resource, signal, sys
signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
resource.setrlimit(resource.RLIMIT_FSIZE, (0, 0))  # no file may grow: a disk without room
sys.argv = ["newsarchive", *sys.argv[1:]]
from newsarchive.cli import main
main()
"""


def test_on_a_disk_without_room_the_lock_is_still_taken_and_the_crawl_says_it_cannot_write_its_archive(tmp_path):
    # The pid written into the lock file is a courtesy: without room for it the lock (the flock)
    # holds, and the one line is about the archive, not an OSError from the lock file.
    db = tmp_path / "archive.db"
    done = subprocess.run([sys.executable, "-c", NO_ROOM, "crawl", "http://127.0.0.1:9/news/", "--db", str(db),
                           "--allow-private"], capture_output=True, text=True, timeout=120)
    assert (done.returncode, done.stderr, done.stdout) == (1, f"Error: cannot open {db} for writing: disk I/O error\n", "")
    assert lock_path(db, "127.0.0.1").read_text() == ""


def crawl_by_name(handler, host: str, db_path):
    """`newsarchive crawl http://HOST:PORT/news/` of a loopback server answering with `handler`,
    every host name resolving to it (tests/loopback_resolver.py); (the result, the server's port)."""
    from tests.conftest import run_cli, serve_handler

    server = serve_handler(handler)
    try:
        return run_cli("crawl", f"http://{host}:{server.server_port}/news/", "--db", str(db_path), "--allow-private",
                       "--render", "never", "-s", "ROBOTSTXT_OBEY=False",
                       "-s", "TWISTED_DNS_RESOLVER=tests.loopback_resolver.LoopbackResolver"), server.server_port
    finally:
        server.shutdown()


def test_a_site_given_by_its_internationalised_name_is_crawled(tmp_path):
    """Every host name resolves to the loopback server here (tests/loopback_resolver.py). Before its
    origin was taken in ASCII, the crawl dropped even its start page as offsite: "0 pages", exit 4."""
    import sqlite3

    from tests.conftest import SiteHandler

    class IdnSite(SiteHandler):
        def do_GET(self):  # noqa: N802 (the http.server API)
            port = self.server.server_port
            if self.path == "/news/":  # links in the Unicode name, as a page may write them
                links = "".join(f"<li><a href='http://bücher.example:{port}/2024/05/0{n}/story-{n}'>Story {n}</a></li>"
                                for n in (1, 2))
                return self.answer(200, f"<html><head><title>News</title></head><body><ul>{links}</ul></body></html>")
            prose = "".join(f"<p>Paragraph {k} of the story, on the river, the bridge and the budget.</p>" for k in range(5))
            return self.answer(200, f"<html><head><title>Story {self.path[-1]}</title></head><body><article>"
                                    f"<h1>Story {self.path[-1]}</h1>{prose}</article></body></html>")

    result, port = crawl_by_name(IdnSite, "bücher.example", tmp_path / "a.db")
    assert result.returncode == 0, result.stderr[-3000:]
    with sqlite3.connect(tmp_path / "a.db") as db:
        assert db.execute("SELECT url FROM articles ORDER BY url").fetchall() == [
            (f"http://xn--bcher-kva.example:{port}/2024/05/0{n}/story-{n}",) for n in (1, 2)]


def test_a_crawl_whose_links_lead_to_another_origin_exits_4_naming_it(tmp_path):
    """The site given answers, and its stories are on another origin of the same server (www. of it,
    as bare domains and www. often are): before, "2 pages: 0 articles" and exit 0, nothing said."""
    import sqlite3

    from tests.conftest import SiteHandler, run_cli, serve_handler

    class LinksToLocalhost(SiteHandler):
        def do_GET(self):  # noqa: N802 (the http.server API)
            port = self.server.server_port
            if self.path == "/news/":
                links = "".join(f"<li><a href='http://localhost:{port}/2024/05/0{n}/story-{n}'>Story {n}</a></li>"
                                for n in (1, 2, 3))
                return self.answer(200, f"<html><head><title>News</title></head><body><ul>{links}</ul></body></html>")
            return self.answer(404, "<html><body>no</body></html>")

    server = serve_handler(LinksToLocalhost)
    try:
        db_path, start = tmp_path / "a.db", f"http://127.0.0.1:{server.server_port}/news/"
        result = run_cli("crawl", start, "--db", str(db_path), "--allow-private", "--render", "never",
                         "-s", "ROBOTSTXT_OBEY=False")
    finally:
        server.shutdown()
    assert result.returncode == 4, result.stderr[-3000:]
    origin = f"http://localhost:{server.server_port}"
    # Its 2 pages: the section, and the /sitemap.xml it guessed (a 404, an empty sitemap).
    assert result.stderr.strip().splitlines()[-1].endswith(
        f"met no article, new or known, on its 2 pages; its links led elsewhere, 3 of them to {origin}, an origin "
        f"the crawl does "
        f"not follow: to archive that site, crawl {origin} (or give it as a start URL too)")
    with sqlite3.connect(db_path) as db:
        assert db.execute("SELECT count(*) FROM articles").fetchone() == (0,)


def test_a_site_linking_its_stories_at_its_www_name_is_crawled(tmp_path):
    """Every host name resolves to the loopback server here (tests/loopback_resolver.py). A crawl
    of news.example whose section links its stories at www.news.example archived none: exit 4."""
    import sqlite3

    from tests.conftest import SiteHandler, story_html

    class LinksToWww(SiteHandler):
        asked: list = []

        def do_GET(self):  # noqa: N802 (the http.server API)
            self.asked.append((self.headers["Host"].split(":")[0], self.path))
            port = self.server.server_port
            if self.path == "/news/":
                links = "".join(f"<li><a href='http://www.news.example:{port}/2024/05/0{n}/story-{n}'>Story {n}</a></li>"
                                for n in (1, 2))
                return self.answer(200, f"<html><head><title>News</title></head><body><ul>{links}</ul></body></html>")
            if self.path.startswith("/2024/"):
                return self.answer(200, story_html(self.path[-1]))
            return self.answer(404, "<html><body>no</body></html>")

    result, port = crawl_by_name(LinksToWww, "news.example", tmp_path / "a.db")
    assert result.returncode == 0, result.stderr[-3000:]
    with sqlite3.connect(tmp_path / "a.db") as db:
        assert db.execute("SELECT url, site FROM articles ORDER BY url").fetchall() == [
            (f"http://www.news.example:{port}/2024/05/0{n}/story-{n}", "www.news.example") for n in (1, 2)]
    assert sorted(LinksToWww.asked) == [("news.example", "/news/"), ("news.example", "/sitemap.xml"),
                                        ("www.news.example", "/2024/05/01/story-1"),
                                        ("www.news.example", "/2024/05/02/story-2")]
