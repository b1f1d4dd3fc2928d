"""The refresh window fetches a young known article again on every crawl, whether or not a listing
still shows it (spiders/base.py, window_requests): a story deleted or retracted the day after it
came out, and taken off its section, was never fetched again, and the archive showed it live."""

from __future__ import annotations

import sqlite3
from datetime import datetime, timedelta, timezone

from tests.conftest import SiteHandler, run_cli, serve_handler

TODAY = datetime.now(timezone.utc).date()
# story number -> days since it came out
AGES = {1: 1, 2: 1, 3: 0, 4: 30}


class DelistingSite(SiteHandler):
    """A section (/news/) listing the stories of `listed` (a class attribute); story 1 is `gone`
    (410) once `edited` is set, story 2 then carries a retraction; `asked` notes the story paths."""

    def do_GET(self):  # noqa: N802 (the http.server API)
        if self.path == "/robots.txt":
            return self.answer(404, "no")
        if self.path == "/news/":
            items = "".join(f"<li><a href='/news/story-{n}'>Story {n}</a></li>" for n in self.listed)
            return self.answer(200, f"<html><head><title>News</title></head><body><ul>{items}</ul></body></html>")
        if not self.path.startswith("/news/story-"):
            return self.answer(404, "<html><body>no</body></html>")
        number = int(self.path.rsplit("-", 1)[1])
        self.asked.append(number)
        if number == 1 and self.edited:
            return self.answer(410, "<html><body>Gone</body></html>")
        day = (TODAY - timedelta(days=AGES[number])).isoformat()
        prose = "".join(f"<p>Paragraph {k} of story {number}, on the harbour and the new quay works.</p>" for k in range(5))
        note = "<p>Retraction: this story has been withdrawn after errors were found.</p>" if number == 2 and self.edited else ""
        return self.answer(200, f"<html><head><title>Story {number}</title>"
                                f"<meta property='article:published_time' content='{day}T08:00:00Z'></head>"
                                f"<body><article><h1>Story {number}</h1>{note}{prose}</article></body></html>")


def test_young_stories_taken_off_the_listing_are_fetched_again_and_old_ones_are_not(tmp_path):
    site = type("Site", (DelistingSite,), {"listed": [1, 2, 3, 4], "edited": False, "asked": []})
    server = serve_handler(site)
    url = f"http://127.0.0.1:{server.server_port}/news/"

    def crawl():
        site.asked.clear()
        result = run_cli("crawl", url, "--db", str(tmp_path / "a.db"), "--allow-private", "--render", "never",
                         "-s", "AUTOTHROTTLE_ENABLED=False")
        assert result.returncode == 0, result.stderr[-3000:]

    try:
        crawl()
        assert sorted(site.asked) == [1, 2, 3, 4]
        site.listed, site.edited = [3], True
        crawl()
    finally:
        server.shutdown()
    # 1, 2 and 3 are young (a day old or less): fetched; 4, a month old and listed no more, is not.
    assert sorted(site.asked) == [1, 2, 3]
    with sqlite3.connect(tmp_path / "a.db") as db:
        assert db.execute("SELECT crawl_id, reason FROM failures WHERE url LIKE '%story-1'").fetchall() == [
            (2, "http_410")]
        assert db.execute("SELECT version_count, body_text LIKE 'Retraction%' FROM articles "
                          "WHERE url LIKE '%story-2'").fetchone() == (2, 1)
