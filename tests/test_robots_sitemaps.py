"""A robots.txt that names its sitemaps on another origin (a CDN, the www. host): they are not
fetched, as no page there is, and the crawl says so and looks for the site's own /sitemap.xml, as
it does when robots.txt names none (spiders/generic.py, robots_parsed)."""

from __future__ import annotations

import re
import sqlite3
import time

from tests.conftest import SiteHandler, crawl_of, run_cli, serve_handler, story_html


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


class SitemapChain(SiteHandler):
    """Each /sitemap.xml?n=N a sitemap index listing the index ?n=N+1 and a sitemap of one story
    (?story=N): a chain of indexes with no end, as a site's generator gone wrong serves."""

    asked: list[int] = []

    def do_GET(self):  # noqa: N802 (the http.server API)
        base = f"http://127.0.0.1:{self.server.server_port}"
        if self.path == "/robots.txt":
            return self.answer(200, f"User-agent: *\nAllow: /\nSitemap: {base}/sitemap.xml?n=0\n",
                               **{"Content-Type": "text/plain"})
        if self.path.startswith("/sitemap.xml?n="):
            n = int(self.path.rsplit("=", 1)[1])
            SitemapChain.asked.append(n)
            entries = "".join(f"<sitemap><loc>{base}/sitemap.xml?{query}</loc></sitemap>"
                              for query in (f"n={n + 1}", f"story={n}"))
            return self.answer(200, '<?xml version="1.0"?><sitemapindex xmlns="http://www.sitemaps.org/schemas/'
                                    f'sitemap/0.9">{entries}</sitemapindex>', **{"Content-Type": "application/xml"})
        if self.path.startswith("/sitemap.xml?story="):
            n = self.path.rsplit("=", 1)[1]
            return self.answer(200, '<?xml version="1.0"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
                                    f"<url><loc>{base}/news/2024/05/01/story-{n}</loc></url></urlset>",
                               **{"Content-Type": "application/xml"})
        if self.path.startswith("/news/2024/05/01/story-"):
            return self.answer(200, story_html(self.path.rsplit("-", 1)[1]))
        if self.path == "/news/":
            return self.answer(200, "<html><body><h1>News</h1><p>Nothing listed here.</p></body></html>")
        return self.answer(404, "<html><body>no</body></html>")


def test_a_chain_of_sitemap_indexes_is_followed_four_levels_down_and_the_crawl_ends(tmp_path):
    # It was followed for ever: the crawl never ended (51,000 sitemaps in four minutes).
    SitemapChain.asked = []
    server = serve_handler(SitemapChain)
    try:
        result = run_cli("crawl", f"http://127.0.0.1:{server.server_port}/news/", "--db", str(tmp_path / "a.db"),
                         "--allow-private", "-s", "LOG_LEVEL=INFO", timeout=120)
    finally:
        server.shutdown()
    assert result.returncode == 0, result.stderr[-3000:]
    assert sorted(SitemapChain.asked) == [0, 1, 2, 3, 4]
    port = server.server_port
    assert (f"the sitemap index http://127.0.0.1:{port}/sitemap.xml?n=4 is 4 indexes below the first: its 2 "
            "sitemaps are not followed (at most 4 levels)") in result.stderr
    assert "'newsarchive/sitemap/too_deep_count': 1," in result.stderr
    with sqlite3.connect(tmp_path / "a.db") as db:
        stories = sorted(url.rsplit("-", 1)[1] for (url,) in db.execute("SELECT url FROM articles"))
    assert stories == ["0", "1", "2", "3"]  # the stories of the sitemaps followed


PLAIN_CRAWL = ("--render", "never", "--no-index", "-s", "AUTOTHROTTLE_ENABLED=False")


class SectionAndNewsSitemap(SiteHandler):
    """A section of 30 stories, five a page, newest first, whose pages come slowly; /sitemap.xml (a
    news sitemap's few days) lists the 15 newest, and comes at once: the crawl reads it first. With
    `endless`, the section's pager goes on for ever, every page past the sixth showing page 1's stories."""

    endless = False

    def do_GET(self):  # noqa: N802 (the http.server API)
        base = f"http://127.0.0.1:{self.server.server_port}"
        if self.path == "/sitemap.xml":
            entries = "".join(f"<url><loc>{base}/news/2024/05/01/story-{n}</loc></url>" for n in range(30, 15, -1))
            return self.answer(200, "<?xml version='1.0'?><urlset xmlns='http://www.sitemaps.org/schemas/sitemap/0.9'>"
                                    f"{entries}</urlset>", **{"Content-Type": "application/xml"})
        if self.path.startswith("/news/2024/"):
            return self.answer(200, story_html(self.path.rsplit("-", 1)[-1]))
        if not self.path.startswith("/news/"):
            return self.answer(404, "no")
        time.sleep(0.3)
        page = int(self.path.partition("page=")[2] or 1)
        shown = range(30 - 5 * (page - 1), 25 - 5 * (page - 1), -1) if page <= 6 else range(30, 25, -1)
        links = "".join(f"<li><a href='/news/2024/05/01/story-{n}'>Story {n}</a></li>" for n in shown)
        more = f"<a rel='next' href='/news/?page={page + 1}'>Next</a>" if page < 6 or self.endless else ""
        return self.answer(200, f"<html><head><title>News</title></head><body><ul>{links}</ul>{more}</body></html>")


def test_a_section_whose_newest_stories_a_sitemap_gave_first_is_read_to_its_end(tmp_path):
    # Its first three pages led the crawl to nothing it had not requested: the stale-pages rule stopped
    # the pagination there, and the 15 older stories were never asked for, on a first crawl, exit 0.
    result = crawl_of(SectionAndNewsSitemap, tmp_path / "a.db", *PLAIN_CRAWL)
    assert result.returncode == 0, result.stderr[-3000:]
    with sqlite3.connect(tmp_path / "a.db") as db:
        stored = {int(url.rsplit("-", 1)[1]) for (url,) in db.execute("SELECT url FROM articles")}
        listings = db.execute("SELECT count(*) FROM listings WHERE kind = 'listing'").fetchone()[0]
    assert (stored, listings) == (set(range(1, 31)), 6)


def test_a_pager_that_shows_the_sitemaps_stories_for_ever_still_stops(tmp_path):
    # The sitemap's stories count as new once, on the page that lists them first, not on every page after.
    result = crawl_of(type("Site", (SectionAndNewsSitemap,), {"endless": True}), tmp_path / "a.db", *PLAIN_CRAWL)
    assert result.returncode == 0, result.stderr[-3000:]
    with sqlite3.connect(tmp_path / "a.db") as db:
        listings = db.execute("SELECT count(*) FROM listings WHERE kind = 'listing'").fetchone()[0]
        assert db.execute("SELECT count(*) FROM articles").fetchone()[0] == 30
    assert listings == 9  # pages 7 to 9 show page 1's stories: three stale pages, then no more


class CategorySitemap(SiteHandler):
    """A WordPress site's sitemaps (an index of post-sitemap.xml, stories 1 to 3 and 9, and
    category-sitemap.xml, the World section); the section lists stories 1 and 4 (4 is in no
    sitemap); story 9 was taken down: it redirects to the section."""

    def do_GET(self):  # noqa: N802 (the http.server API)
        base = f"http://127.0.0.1:{self.server.server_port}"
        xml = {"Content-Type": "application/xml"}
        if self.path == "/sitemap.xml":
            children = "".join(f"<sitemap><loc>{base}/{name}-sitemap.xml</loc></sitemap>" for name in ("post", "category"))
            return self.answer(200, f"<sitemapindex xmlns='http://www.sitemaps.org/schemas/sitemap/0.9'>{children}</sitemapindex>", **xml)
        if self.path in ("/post-sitemap.xml", "/category-sitemap.xml"):
            urls = ([f"{base}/2024/05/0{n}/story-{n}/" for n in (1, 2, 3, 9)] if self.path.startswith("/post")
                    else [f"{base}/category/world/"])
            entries = "".join(f"<url><loc>{url}</loc></url>" for url in urls)
            return self.answer(200, f"<urlset xmlns='http://www.sitemaps.org/schemas/sitemap/0.9'>{entries}</urlset>", **xml)
        if self.path == "/category/world/":
            teasers = "".join(f"<li><a href='/2024/05/0{n}/story-{n}/'>Story {n}</a></li>" for n in (1, 4))
            teasers += "".join(f"<li><a href='/tag/{tag}/'>{tag}</a></li>" for tag in ("rain", "flood", "river"))
            return self.answer(200, "<html><head><title>World</title><meta property='og:type' content='website'>"
                                    f"</head><body><h1>World</h1><ul>{teasers}</ul></body></html>")
        if self.path == "/news/" or self.path.startswith("/tag/"):  # the news page, tag pages: story 1 again
            return self.answer(200, "<html><head><title>Home</title></head><body><h1>Home</h1><ul>"
                                    "<li><a href='/2024/05/01/story-1/'>Story 1</a></li></ul></body></html>")
        if self.path == "/2024/05/09/story-9/":
            return self.answer(301, "", Location=f"{base}/category/world/")
        story = re.fullmatch(r"/2024/05/0(\d)/story-\d/", self.path)
        if story:
            return self.answer(200, story_html(story.group(1)).replace(
                "<head>", "<head><meta property='og:type' content='article'>"))
        return self.answer(404, "no")


def test_a_section_a_sitemap_lists_is_read_as_a_listing_and_a_story_sent_to_it_is_no_story(tmp_path):
    # The section was stored as an article of its teasers, story 4 (in no sitemap) was never
    # fetched, and story 9's URL was an unchanged revisit of that "article".
    result = crawl_of(CategorySitemap, tmp_path / "a.db", *PLAIN_CRAWL, "-s", "ROBOTSTXT_OBEY=False")
    assert result.returncode == 0, result.stderr[-3000:]
    with sqlite3.connect(tmp_path / "a.db") as db:
        titles = sorted(title for (title,) in db.execute("SELECT title FROM articles"))
        sections = [url.split("/", 3)[3] for (url,) in db.execute("SELECT url FROM listings WHERE kind = 'listing'")]
        failures = db.execute("SELECT substr(url, -16), reason FROM failures").fetchall()
    assert titles == ["Story 1", "Story 2", "Story 3", "Story 4"]
    assert "category/world/" in sections
    assert failures == [("/2024/05/09/story-9/"[-16:], "not_the_story")]  # its URL, not the section's
