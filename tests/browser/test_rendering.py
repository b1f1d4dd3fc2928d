"""Rendering as a layer (newsarchive/rendering.py), end to end: `newsarchive crawl` of a loopback
site whose comments come by script, in the system's Chromium through scrapy-playwright. Exact
comment texts and comments_status per article; the page that needs no browser is fetched once."""

from __future__ import annotations

import json
import sqlite3
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from tests.conftest import run_cli

BODY = "<p>" + "Rain and wind reached the coast on Monday night, and the river rose. " * 8 + "</p>"
ITEM_JS = """function addComment(text) {
  var li = document.createElement('li'); li.className = 'comment'; li.id = 'comment-' + text.length + '-' + Math.random().toString().slice(2, 6);
  li.innerHTML = '<div class="comment-content"><p></p></div>'; li.querySelector('p').textContent = text;
  document.getElementById('comment-list').appendChild(li);
}"""


def article(slug: str, title: str, comments: str) -> str:
    return (f"<!doctype html><html lang='en'><head><title>{title}</title>"
            f"<meta property='article:published_time' content='2024-05-01T08:00:00Z'></head><body>"
            f"<h1>{title}</h1><article>{BODY}</article>{comments}</body></html>")


PAGES = {
    "/news/": "<html><body><h1>News</h1>" + "".join(
        f"<p><a href='/2024/05/01/{slug}'>Storm story {slug}</a></p>"
        for slug in ("inline-comments", "json-comments", "more-comments", "no-comments")) + "</body></html>",
    "/2024/05/01/inline-comments": article("inline-comments", "Storm with inline comments", (
        "<h3>2 Comments</h3><ol id='comment-list'></ol><script>" + ITEM_JS
        + "addComment('First inline comment, added by a script.');"
          "addComment('Second inline comment, added by a script.');</script>")),
    "/2024/05/01/json-comments": article("json-comments", "Storm with comments from an API", (
        "<ol id='comment-list' data-comments-url='/api/comments.json'></ol><script>" + ITEM_JS
        + "window.addEventListener('load', function () { fetch('/api/comments.json').then(r => r.json())"
          ".then(items => items.forEach(addComment)); });</script>")),
    "/2024/05/01/more-comments": article("more-comments", "Storm with comments behind a button", (
        "<h3>3 Comments</h3><ol id='comment-list'></ol><button id='more'>Load more comments</button><script>"
        + ITEM_JS + "var pages = 0; document.getElementById('more').addEventListener('click', function () {"
          "fetch('/api/more.json?page=' + pages).then(r => r.json()).then(function (items) { items.forEach(addComment);"
          "pages += 1; if (pages >= 2) document.getElementById('more').remove(); }); });</script>")),
    "/2024/05/01/no-comments": article("no-comments", "Storm with no comments", ""),
    "/api/comments.json": json.dumps(["A comment the API sent, number one.", "A comment the API sent, number two."]),
}
MORE = [["The first comment behind the button."], ["The second comment behind the button.",
                                                    "The third comment behind the button."]]


class Site(BaseHTTPRequestHandler):
    requests: list[str] = []

    def do_GET(self):  # noqa: N802 (http.server's name)
        Site.requests.append(self.path)
        path, _, query = self.path.partition("?")
        if path == "/api/more.json":
            body, kind = json.dumps(MORE[int(query.split("=")[1])]), "application/json"
        elif path in PAGES:
            body, kind = PAGES[path], "application/json" if path.endswith(".json") else "text/html; charset=utf-8"
        else:
            self.send_error(404)
            return
        data = body.encode("utf-8")
        self.send_response(200)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args):
        pass


@pytest.fixture(scope="module")
def crawled(tmp_path_factory):
    server = ThreadingHTTPServer(("127.0.0.1", 0), Site)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    db_path = tmp_path_factory.mktemp("render") / "render.db"
    result = run_cli("crawl", f"http://127.0.0.1:{server.server_port}/news/", "--db", str(db_path),
                     "--allow-private", "-s", "AUTOTHROTTLE_ENABLED=False", "-s", "ROBOTSTXT_OBEY=False")
    server.shutdown()
    assert result.returncode == 0, result.stderr[-3000:]
    yield sqlite3.connect(db_path)


def comments_of(db, slug: str) -> tuple[str, list[str], str | None]:
    status, sources = db.execute("SELECT comments_status, sources FROM articles WHERE url LIKE ?",
                                 [f"%/{slug}"]).fetchone()
    texts = [row[0] for row in db.execute(
        "SELECT c.body_text FROM comments c JOIN articles a ON a.id = c.article_id WHERE a.url LIKE ? "
        "ORDER BY c.position", [f"%/{slug}"])]
    return status, texts, json.loads(sources).get("comments")


def test_comments_injected_by_an_inline_script(crawled):
    assert comments_of(crawled, "inline-comments") == ("complete", [
        "First inline comment, added by a script.", "Second inline comment, added by a script."], "rendered")


def test_comments_fetched_from_a_json_endpoint_after_load(crawled):
    assert comments_of(crawled, "json-comments") == ("complete", [
        "A comment the API sent, number one.", "A comment the API sent, number two."], "rendered")


def test_comments_behind_a_load_more_button(crawled):
    assert comments_of(crawled, "more-comments") == ("complete", [
        "The first comment behind the button.", "The second comment behind the button.",
        "The third comment behind the button."], "rendered")


def test_a_page_without_comments_is_not_rendered(crawled):
    assert comments_of(crawled, "no-comments") == ("none", [], None)
    assert Site.requests.count("/2024/05/01/no-comments") == 1
    assert Site.requests.count("/2024/05/01/inline-comments") == 2  # as sent, then in the browser
    rendered = [row[0] for row in crawled.execute("SELECT url FROM captures WHERE kind = 'rendered' ORDER BY url")]
    assert [url.rsplit("/", 1)[1] for url in rendered] == ["inline-comments", "json-comments", "more-comments"]
