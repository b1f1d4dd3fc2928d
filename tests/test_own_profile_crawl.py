"""A profile of the user's own, in a file of theirs: `crawl --profile`, `extract --profile` and
`fixtures record/check --profile` read pages with it, as `profile check --profile` does; a
misspelled site of the file is one line naming its sites. A loopback site, a real crawl process."""

from __future__ import annotations

import json
import sqlite3
from http.server import BaseHTTPRequestHandler

from tests.conftest import run_cli, serve_handler

STORY = ("<p>The harbour reopened on Monday after a week of repairs to the northern pier, officials said.</p>"
         "<p>Fishing boats were the first to leave, followed by the ferry to the islands at noon.</p>")
PROFILE = r"""
name = "harbour"
[[sites]]
name = "harbour"
code = "hb"
hosts = ["news.example.org"]
start_paths = ["/news/"]
[urls]
article = '^/(?P<year>\d{4})/(?P<month>\d{2})/(?P<day>\d{2})/[^/]+/$'
section = '^/news/?$'
[selectors.article]
title = "h1.headline"
byline = "p.credit"
body = "div.story"
[selectors.listing]
item = "li.teaser"
item_link = "a"
"""


def story(number: int) -> str:
    # The page's title and first heading are the site's: only the profile's selector finds the headline.
    return (f"<html lang='en'><head><title>Harbour Times</title></head><body><h1>Harbour Times</h1>"
            f"<h1 class='headline'>Story {number} of the harbour</h1><p class='credit'>Ana Ruiz</p>"
            f"<div class='story'>{STORY}</div></body></html>")


class Site(BaseHTTPRequestHandler):
    pages = {"/news/": "<html><body><ul>" + "".join(
        f"<li class='teaser'><a href='/2024/01/0{n}/story-{n}/'>Story {n}</a></li>" for n in (1, 2, 3))
        + "</ul></body></html>", **{f"/2024/01/0{n}/story-{n}/": story(n) for n in (1, 2, 3)}}

    def do_GET(self):
        page = self.pages.get(self.path)
        self.send_response(200 if page else 404)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.end_headers()
        self.wfile.write((page or "not found").encode())

    def log_message(self, *args):
        pass


def write_profile(tmp_path):
    path = tmp_path / "harbour.toml"
    path.write_text(PROFILE, encoding="utf-8")
    return path


def test_a_crawl_reads_its_site_with_the_profile_file_given(tmp_path):
    profile, db = write_profile(tmp_path), tmp_path / "archive.db"
    server = serve_handler(Site)
    try:
        done = run_cli("crawl", "harbour", "--profile", str(profile), "--db", str(db), "--allow-private",
                       "--base-url", f"http://127.0.0.1:{server.server_port}", "--render", "never")
    finally:
        server.shutdown()
    assert done.returncode == 0, done.stderr[-2000:]
    with sqlite3.connect(db) as conn:
        rows = conn.execute("SELECT site, title, json_extract(sources, '$.title'), published_at FROM articles "
                            "ORDER BY title").fetchall()
        assert rows == [("harbour", f"Story {n} of the harbour", "profile", f"2024-01-0{n}") for n in (1, 2, 3)]
        assert conn.execute("SELECT count(*) FROM failures").fetchone() == (0,)


def test_extract_and_fixtures_read_the_page_with_the_profile_file(tmp_path):
    profile, page = write_profile(tmp_path), tmp_path / "page.html"
    page.write_text(story(7), encoding="utf-8")
    url = "https://news.example.org/2024/01/07/story-7/"
    extracted = run_cli("extract", str(page), "--url", url, "--profile", str(profile))
    assert extracted.returncode == 0, extracted.stderr
    record = json.loads(extracted.stdout)
    assert (record["title"], record["sources"]["title"], record["site"]) == ("Story 7 of the harbour", "profile", "harbour")
    recorded = run_cli("fixtures", "record", str(page), "--site", "harbour", "--name", "story-7", "--url", url,
                       "--profile", str(profile), "--dir", str(tmp_path / "fx"))
    assert recorded.returncode == 0, recorded.stderr
    assert json.loads((tmp_path / "fx" / "harbour" / "story-7" / "expected.json").read_text())["title"] == (
        "Story 7 of the harbour")
    checked = run_cli("fixtures", "check", "--dir", str(tmp_path / "fx"))
    assert checked.returncode == 0 and "ok   harbour/story-7" in checked.stdout, checked.stdout + checked.stderr


def test_a_site_the_profile_file_does_not_have_is_one_line_naming_its_sites(tmp_path):
    profile, page = write_profile(tmp_path), tmp_path / "page.html"
    page.write_text(story(1), encoding="utf-8")
    says = f"profile {profile} has no site named 'harbor' (did you mean harbour?) (its sites: harbour)"
    for args in (["crawl", "harbor", "--profile", str(profile), "--db", str(tmp_path / "a.db")],
                 ["profile", "check", str(page), "--url", "https://x.example/a", "--site", "harbor", "--profile", str(profile)],
                 ["extract", str(page), "--url", "https://x.example/a", "--site", "harbor", "--profile", str(profile)]):
        done = run_cli(*args)
        assert done.returncode in (1, 2) and says in done.stderr and "Traceback" not in done.stderr, (args, done.stderr)


def test_a_url_given_with_a_profile_file_is_crawled_from_there_and_must_be_on_its_site(tmp_path):
    # A one-site profile took any URL and crawled its own site's start paths: the host and the
    # path given were dropped without a word.
    from newsarchive.crawling import crawl_plan

    profile = str(write_profile(tmp_path))
    section = crawl_plan("https://news.example.org/news/politics/", profile=profile)
    home = crawl_plan("https://news.example.org/", profile=profile)
    assert (section.spider, section.arguments["sections"]) == ("harbour", "https://news.example.org/news/politics/")
    assert (home.spider, home.arguments["sections"]) == ("harbour", None)  # the site's start paths
    assert crawl_plan("https://news.example.org/news/politics/", profile=profile, sections="/news/sport/").arguments[
        "sections"] == "/news/sport/"  # the sections asked for
    refused = run_cli("crawl", "https://elsewhere.example/news/", "--profile", profile, "--db", str(tmp_path / "a.db"))
    assert refused.returncode == 2
    assert refused.stderr.splitlines()[-1] == (
        f"Error: https://elsewhere.example/news/ is not on a host of 'harbour', the site of {profile} (a mirror "
        f"of it: newsarchive crawl harbour --profile {profile} --base-url https://elsewhere.example/news/)")
