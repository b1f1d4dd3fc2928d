"""A site on an IPv6 address is crawled like any other (Scrapy's default resolver asks for IPv4
addresses only: `http://[::1]:PORT/` was a dns_error on every page, exit 4)."""

import socket
import sqlite3
import threading
from http.server import ThreadingHTTPServer

from tests.conftest import SiteHandler, run_cli, section_html, story_html


class IPv6Server(ThreadingHTTPServer):
    address_family = socket.AF_INET6


class StorySite(SiteHandler):
    def do_GET(self):  # noqa: N802
        if self.path == "/news/":
            return self.answer(200, section_html(range(1, 3)))
        if self.path.startswith("/news/2024/"):
            return self.answer(200, story_html(self.path.rsplit("-", 1)[1]))
        return self.answer(404, "not here")


def test_a_site_on_an_ipv6_address_is_crawled(tmp_path):
    server = IPv6Server(("::1", 0), StorySite)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        result = run_cli("crawl", f"http://[::1]:{server.server_port}/news/", "--db", str(tmp_path / "a.db"),
                         "--allow-private", "--render", "never")
    finally:
        server.shutdown()
    assert result.returncode == 0, result.stderr[-2000:]
    db = sqlite3.connect(tmp_path / "a.db")
    assert sorted(url for (url,) in db.execute("SELECT url FROM articles")) == [
        f"http://[::1]:{server.server_port}/news/2024/05/0{n}/story-{n}" for n in (1, 2)]
    assert db.execute("SELECT count(*) FROM failures").fetchone() == (0,)
