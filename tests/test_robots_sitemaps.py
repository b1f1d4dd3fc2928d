"""A robots.txt that names its sitemaps on another origin (a CDN, the www. host): they are not
fetched, as no page there is, and the crawl says so and looks for the site's own /sitemap.xml, as
it does when robots.txt names none (spiders/generic.py, robots_parsed)."""

from __future__ import annotations

import re
import sqlite3

from tests.conftest import SiteHandler, run_cli, serve_handler, story_html


class SitemapElsewhere(SiteHandler):
    """A section linking story 1; /sitemap.xml lists stories 1 to 3; robots.txt names a sitemap on
    another port (`elsewhere`, class attribute). `asked` notes every path."""

    def do_GET(self):  # noqa: N802 (the http.server API)
        self.asked.append(self.path)
        base = f"http://127.0.0.1:{self.server.server_port}"
        if self.path == "/robots.txt":
            return self.answer(200, f"User-agent: *\nAllow: /\nSitemap: {self.elsewhere}/sitemaps/site.xml\n",
                               **{"Content-Type": "text/plain"})
        if self.path == "/news/":
            return self.answer(200, "<html><head><title>News</title></head><body><ul><li><a href="
                                    "'/news/2024/05/01/story-1'>Story 1</a></li></ul></body></html>")
        if self.path == "/sitemap.xml":
            entries = "".join(f"<url><loc>{base}/news/2024/05/0{n}/story-{n}</loc></url>" for n in range(1, 4))
            return self.answer(200, "<?xml version='1.0'?><urlset xmlns='http://www.sitemaps.org/schemas/sitemap/0.9'>"
                                    f"{entries}</urlset>", **{"Content-Type": "application/xml"})
        number = re.search(r"story-(\d)$", self.path)
        if number:
            return self.answer(200, story_html(number.group(1)))
        return self.answer(404, "<html><body>no</body></html>")


class Elsewhere(SiteHandler):
    asked: list[str] = []

    def do_GET(self):  # noqa: N802 (the http.server API)
        self.asked.append(self.path)
        return self.answer(404, "no")


def test_sitemaps_robots_txt_names_on_another_origin_are_said_and_the_site_s_own_is_read(tmp_path):
    elsewhere = serve_handler(Elsewhere)
    site = type("Site", (SitemapElsewhere,), {"asked": [], "elsewhere": f"http://127.0.0.1:{elsewhere.server_port}"})
    server = serve_handler(site)
    try:
        result = run_cli("crawl", f"http://127.0.0.1:{server.server_port}/news/", "--db", str(tmp_path / "a.db"),
                         "--allow-private", "--render", "never", "-s", "AUTOTHROTTLE_ENABLED=False")
    finally:
        server.shutdown()
        elsewhere.shutdown()
    assert result.returncode == 0, result.stderr[-3000:]
    assert Elsewhere.asked == []
    assert "/sitemap.xml" in site.asked
    assert (f"robots.txt of 127.0.0.1:{server.server_port} names sitemaps on other origins, not fetched: "
            f"http://127.0.0.1:{elsewhere.server_port}/sitemaps/site.xml") in result.stderr
    with sqlite3.connect(tmp_path / "a.db") as db:
        assert sorted(title for (title,) in db.execute("SELECT title FROM articles")) == [
            "Story 1", "Story 2", "Story 3"]
