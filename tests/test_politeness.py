"""The pace a site's robots.txt asks for (newsarchive/politeness.py): Crawl-delay and Request-rate
read for the crawl's user agent, capped by NEWSARCHIVE_CRAWL_DELAY_MAX, kept under AutoThrottle."""

from __future__ import annotations

import itertools
import re
import sqlite3
import time

import pytest
from scrapy.robotstxt import ProtegoRobotParser, PythonRobotParser

from newsarchive.politeness import robots_delay
from tests.conftest import SiteHandler, run_cli, section_html, serve_handler, story_html

FAST = ["-s", "LOG_LEVEL=INFO", "-s", "AUTOTHROTTLE_START_DELAY=0.2"]
UA = "newsarchive/0.1 (+https://archive.example/contact)"


@pytest.mark.parametrize("robots, delay", [
    ("User-agent: *\nCrawl-delay: 10\n", 10.0),
    ("User-agent: *\nRequest-rate: 1/5s\n", 5.0),
    ("User-agent: *\nRequest-rate: 3/30s\n", 10.0),
    ("User-agent: *\nCrawl-delay: 2\nRequest-rate: 1/5s\n", 5.0),  # the longer of the two
    ("User-agent: *\nCrawl-delay: 7\nRequest-rate: 1/5s\n", 7.0),
    ("User-agent: *\nCrawl-delay: 0.5\n", 0.5),
    ("User-agent: newsarchive\nCrawl-delay: 4\n\nUser-agent: *\nCrawl-delay: 30\n", 4.0),  # its own group
    ("User-agent: otherbot\nCrawl-delay: 30\n", None),  # asked of another crawler only
    ("User-agent: *\nDisallow: /private/\n", None),
    ("User-agent: *\nCrawl-delay: 0\n", None),
    ("User-agent: *\nCrawl-delay: soon\n", None),
    ("", None),
])
def test_the_pace_asked_of_the_crawl(robots, delay):
    assert robots_delay(ProtegoRobotParser(robots.encode(), None), UA) == delay  # Scrapy's default parser


def test_python_s_own_parser_is_read_alike():
    """ROBOTSTXT_PARSER may name Scrapy's wrapper of Python's robotparser, which reads whole
    seconds and `Request-rate: N/S` without a unit."""
    robots = b"User-agent: *\nCrawl-delay: 3\nRequest-rate: 2/10\n"
    assert robots_delay(PythonRobotParser(robots, None), UA) == 5.0


def test_a_parser_that_reads_no_pace_asks_none():
    class AllowsAll:
        def allowed(self, url, user_agent):
            return True
    assert robots_delay(AllowsAll(), UA) is None


class SlowPlease(SiteHandler):
    """A site whose robots.txt asks for `robots` (class attribute); it notes when each page was asked for."""

    def do_GET(self):  # noqa: N802 (the http.server API)
        if self.path == "/robots.txt":
            return self.answer(200, self.robots, **{"Content-Type": "text/plain"})
        self.asked.append((time.monotonic(), self.path))
        if self.path == "/news/":
            return self.answer(200, section_html())
        number = re.search(r"story-(\d)$", self.path)
        if number:
            return self.answer(200, story_html(number.group(1)))
        return self.answer(404, "<html><body>no</body></html>")


def crawl_pace(tmp_path, robots: str, *settings: str):
    """The gaps between the pages a crawl asked for, its log and its archive."""
    site = type("Site", (SlowPlease,), {"robots": robots, "asked": []})
    server = serve_handler(site)
    try:
        result = run_cli("crawl", f"http://127.0.0.1:{server.server_port}/news/", "--db", str(tmp_path / "a.db"),
                         "--allow-private", "--render", "never", *FAST, *settings)
    finally:
        server.shutdown()
    assert result.returncode == 0, result.stderr[-3000:]
    times = sorted(when for when, _ in site.asked)
    return [later - earlier for earlier, later in itertools.pairwise(times)], result.stderr, tmp_path / "a.db"


def test_the_crawl_keeps_the_pace_robots_txt_asks_for_under_autothrottle(tmp_path):
    """AutoThrottle would shorten the wait to the server's latency after the first answer."""
    gaps, log, db_path = crawl_pace(tmp_path, "User-agent: *\nCrawl-delay: 1\n")
    assert len(gaps) == 5  # the listing, /sitemap.xml (which robots.txt does not name) and four stories
    assert min(gaps) >= 0.95, gaps  # the timer's grain
    assert "robots.txt of 127.0.0.1 asks for 1 s between requests: waiting that long" in log
    with sqlite3.connect(db_path) as db:
        assert db.execute("SELECT count(*) FROM articles").fetchone() == (4,)


def test_a_longer_pace_than_the_setting_allows_is_capped_with_a_warning(tmp_path):
    gaps, log, _ = crawl_pace(tmp_path, "User-agent: *\nCrawl-delay: 3600\n", "-s", "NEWSARCHIVE_CRAWL_DELAY_MAX=0.8")
    assert 0.75 <= min(gaps) and max(gaps) < 30, gaps
    assert "robots.txt of 127.0.0.1 asks for 3600 s between requests; waiting 0.8 s, at most NEWSARCHIVE_CRAWL_DELAY_MAX" in log


def test_a_pace_asked_of_another_crawler_or_switched_off_is_not_kept(tmp_path):
    gaps, log, _ = crawl_pace(tmp_path, "User-agent: otherbot\nCrawl-delay: 5\n")
    assert max(gaps) < 4, gaps  # the 5 s asked of another crawler are not kept
    gaps, log, _ = crawl_pace(tmp_path / "off", "User-agent: *\nCrawl-delay: 5\n", "-s", "NEWSARCHIVE_CRAWL_DELAY_MAX=0")
    assert max(gaps) < 4 and "between requests" not in log, gaps
