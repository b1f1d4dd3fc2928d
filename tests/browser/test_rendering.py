"""Rendering as a layer (newsarchive/rendering.py), end to end: `newsarchive crawl` of a loopback
site whose comments come by script, in the system's Chromium through scrapy-playwright. Exact
comment texts and comments_status per article; the page that needs no browser is fetched once;
the browser's requests to another origin and its POSTs never reach a server; the JSON the
scripts loaded is a capture, in the WARC export too; the rendered pages are counted by reason
in the crawl summary, crawls.coverage and `report`."""

from __future__ import annotations

import contextlib
import json
import re
import socket
import sqlite3
import threading
import time
import zlib
from datetime import datetime, timezone
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from warcio.archiveiterator import ArchiveIterator

from tests.conftest import SiteHandler, crawl_of, run_cli, run_cli_noting_imports, serve_handler

BODY = "<p>" + "Rain and wind reached the coast on Monday night, and the river rose. " * 8 + "</p>"
# The items carry a `data-comment-*` mark, as many services' do: read in the rendered DOM it would
# pass for a comment API's attribute; the reason a page is rendered is read in the page as sent.
ITEM_JS = """function addComment(text) {
  var li = document.createElement('li'); li.className = 'comment'; li.id = 'comment-' + text.length + '-' + Math.random().toString().slice(2, 6);
  li.setAttribute('data-comment-votes', '0');
  li.innerHTML = '<div class="comment-content"><p></p></div>'; li.querySelector('p').textContent = text;
  document.getElementById('comment-list').appendChild(li);
}"""


def comments_from(api: str) -> str:
    """A comments list and the script that fills it, once the page has loaded, from a JSON API."""
    return (f"<ol id='comment-list' data-comments-url='{api}'></ol><script>{ITEM_JS}"
            f"window.addEventListener('load', function () {{ fetch('{api}').then(r => r.json())"
            ".then(items => items.forEach(addComment)); });</script>")


def article(slug: str, title: str, comments: str) -> str:
    return (f"<!doctype html><html lang='en'><head><title>{title}</title>"
            f"<meta property='article:published_time' content='2024-05-01T08:00:00Z'></head><body>"
            f"<h1>{title}</h1><article>{BODY}</article>{comments}</body></html>")


PAGES = {
    "/news/": "<html><body><h1>News</h1>" + "".join(
        f"<p><a href='/2024/05/01/{slug}'>Storm story {slug}</a></p>"
        for slug in ("inline-comments", "json-comments", "more-comments", "no-comments", "embed-comments",
                     "container-comments", "guarded-comments", "site-script-comments", "login-comments",
                     "never-idle-comments", "frozen-comments", "looping-comments", "leaving-comments",
                     "history-comments", "held-comments", "live-comments"))
    + "</body></html>",
    "/2024/05/01/inline-comments": article("inline-comments", "Storm with inline comments", (
        "<h3>2 Comments</h3><ol id='comment-list'></ol><script>" + ITEM_JS
        + "addComment('First inline comment, added by a script.');"
          "addComment('Second inline comment, added by a script.');</script>")),
    # A broken requestIdleCallback polyfill that never calls back: the wait for an idle page has
    # its own bound, or this page would hold its render until the download timeout and fail.
    "/2024/05/01/never-idle-comments": article("never-idle-comments", "Storm on a page that never idles", (
        "<h3>1 Comment</h3><ol id='comment-list'></ol><script>window.requestIdleCallback = function () {};"
        + ITEM_JS + "addComment('A comment on a page that never idles.');</script>")),
    # Its scripts replace the timer and the observer a click waits with, and its button changes
    # nothing: the wait never ends in the page. The render fails in bounded time; the crawl goes on.
    "/2024/05/01/frozen-comments": article("frozen-comments", "Storm on a page that freezes the waits", (
        "<h3>2 Comments</h3><ol id='comment-list'><li class='comment'><p>The one comment sent with the page.</p>"
        "</li></ol><button>Load more comments</button><script>window.setTimeout = function () {};"
        "window.MutationObserver = function () { return {observe() {}, disconnect() {}}; };</script>")),
    # Its script never returns: the page's one thread is taken for good, and every wait in it with it.
    "/2024/05/01/looping-comments": article("looping-comments", "Storm on a page whose script never ends", (
        "<h3>2 Comments</h3><ol id='comment-list'><li class='comment'><p>The comment sent before the loop.</p>"
        "</li></ol><script>setTimeout(function () { for (;;) {} }, 50);</script>")),
    # Its script sends the browser to another page of the site (a paywall, a consent page): what the
    # browser shows then is not this article.
    "/2024/05/01/leaving-comments": article("leaving-comments", "Storm on a page that sends the reader away", (
        "<h3>2 Comments</h3><ol id='comment-list'></ol><script>location.replace('/consent?next=story');"
        "</script>")),
    # Its script tries to send the browser to another origin: the guard aborts that navigation, and
    # Chromium shows its error page in the tab: nothing is read from it.
    "/2024/05/01/held-comments": article("held-comments", "Storm on a page that tries to leave the site", (
        "<h3>1 Comment</h3><ol id='comment-list'></ol><script>" + ITEM_JS
        + "addComment('A comment on a page that could not leave.');"
          "location.href = 'http://127.0.0.1:{elsewhere}/elsewhere.html';</script>")),
    # A live page: its script keeps a request open for updates (a long poll that never ends). The
    # page is read all the same, and the open request's body is not waited for.
    "/2024/05/01/live-comments": article("live-comments", "Storm on a live page", (
        "<h3>1 Comment</h3><ol id='comment-list'></ol><script>" + ITEM_JS
        + "addComment('A comment on a live page.');"
          "fetch('/api/live.json').catch(function () {});</script>")),
    # Its script changes the address shown (the history API) but stays on the page.
    "/2024/05/01/history-comments": article("history-comments", "Storm on a page that rewrites its address", (
        "<h3>1 Comment</h3><ol id='comment-list'></ol><script>" + ITEM_JS
        + "history.replaceState(null, '', location.pathname + '?from=list#comments');"
          "addComment('A comment on a page that rewrote its address.');</script>")),
    "/2024/05/01/json-comments": article("json-comments", "Storm with comments from an API", (
        "<ol id='comment-list' data-comments-url='/api/comments.json'></ol><script>" + ITEM_JS
        + "window.addEventListener('load', function () { fetch('/api/comments.json').then(r => r.json())"
          ".then(items => items.forEach(addComment)); });</script>")),
    "/2024/05/01/more-comments": article("more-comments", "Storm with comments behind a button", (
        # A hidden button of the same words comes first: the visible one is clicked.
        "<h3>3 Comments</h3><ol id='comment-list'></ol><button style='display: none'>Load more comments</button>"
        "<button id='more'>Load more comments</button><script>"
        + ITEM_JS + "var pages = 0; document.getElementById('more').addEventListener('click', function () {"
          "fetch('/api/more.json?page=' + pages).then(r => r.json()).then(function (items) { items.forEach(addComment);"
          "pages += 1; if (pages >= 2) document.getElementById('more').remove(); }); });</script>")),
    "/2024/05/01/no-comments": article("no-comments", "Storm with no comments", ""),
    "/2024/05/01/embed-comments": article("embed-comments", "Storm with an embedded comment service", (
        "<div id='disqus_thread'><ol id='comment-list'></ol></div><script>" + ITEM_JS
        + "addComment('A comment in the embedded service.');</script>")),
    "/2024/05/01/container-comments": article("container-comments", "Storm with an empty comments list", (
        "<ol id='comment-list'></ol><script>" + ITEM_JS + "addComment('A comment added to the empty list.');</script>")),
    # Its script reaches for another origin (a script, an iframe, a fetch, a tab it opens, a worker's
    # fetch, a WebSocket, a fetch of its own origin redirected there, WebRTC's STUN over UDP) and
    # POSTs to its own (a fetch and a beacon): the browser may send none of these; the comments still
    # come. A WebSocket to its own origin goes out.
    "/2024/05/01/guarded-comments": article("guarded-comments", "Storm with a tracking script", (
        "<h3>2 Comments</h3><ol id='comment-list'></ol>"
        "<script src='http://127.0.0.1:{elsewhere}/track.js'></script>"
        "<iframe src='http://127.0.0.1:{elsewhere}/frame.html'></iframe><script>" + ITEM_JS
        + "fetch('http://127.0.0.1:{elsewhere}/api/comments.json').catch(function () {});"
          "fetch('/api/beacon', {method: 'POST', body: 'seen'}).catch(function () {});"
          "navigator.sendBeacon('/api/beacon', 'left');"
          "window.open('http://127.0.0.1:{elsewhere}/popup.html');"
          "new Worker(URL.createObjectURL(new Blob(["
          "\"fetch('http://127.0.0.1:{elsewhere}/api/worker.json').catch(function () {});\"])));"
          "try { new WebSocket('ws://127.0.0.1:{elsewhere}/socket'); } catch (error) {}"
          "try { new WebSocket('ws://' + location.host + '/live'); } catch (error) {}"
          "try { var peer = new RTCPeerConnection({iceServers: [{urls: 'stun:127.0.0.1:{stun}'}]});"
          "  peer.createDataChannel('c'); peer.createOffer().then(function (o) { return peer.setLocalDescription(o); }); }"
          " catch (error) {}"
          "fetch('/api/away').catch(function () {});"
          "fetch('/api/guarded.json').then(r => r.json()).then(items => items.forEach(addComment));</script>")),
    # The site's own comments script (by its file name) is the only sign: no counter, no container.
    "/2024/05/01/site-script-comments": article("site-script-comments", "Storm with the site's comments script", (
        "<div class='discussion'></div><script src='/static/comments.js'></script>")),
    "/static/comments.js": ITEM_JS + ("var list = document.createElement('ol'); list.id = 'comment-list';"
                                      "document.querySelector('.discussion').appendChild(list);"
                                      "addComment('A comment the site script added.');"),
    # Its button asks the server and changes nothing (the rest is for readers who log in): it is
    # clicked once, not up to NEWSARCHIVE_RENDER_MAX_CLICKS times, 5 s each.
    "/2024/05/01/login-comments": article("login-comments", "Storm with comments behind a login", (
        "<h3>3 Comments</h3><ol id='comment-list'></ol><button id='more'>Show more comments</button><script>" + ITEM_JS
        + "addComment('A comment anyone can read.'); addComment('Another comment anyone can read.');"
          "document.getElementById('more').addEventListener('click', function () { fetch('/api/login-check'); });"
          "</script>")),
    "/api/guarded.json": json.dumps(["A guarded comment, number one.", "A guarded comment, number two."]),
    "/api/comments.json": json.dumps(["A comment the API sent, number one.", "A comment the API sent, number two."]),
}
# What the site serves for a page it is asked for again: a story that changed a moment later. The
# browser renders the page as the crawl received it, never this.
SERVED_AGAIN = {"/2024/05/01/inline-comments": article("inline-comments", "Storm with inline comments", (
    "<h3>1 Comment</h3><ol id='comment-list'></ol><script>" + ITEM_JS
    + "addComment('A comment only a second fetch of the page shows.');</script>"))}
CONTENT_TYPES = {"json": "application/json", "js": "text/javascript"}
MORE = [["The first comment behind the button."], ["The second comment behind the button.",
                                                    "The third comment behind the button."]]


class Site(BaseHTTPRequestHandler):
    requests: list[str] = []
    posts: list[str] = []
    elsewhere_port = 0  # the port of the other origin, written into the pages that name it
    stun_port = 0  # the UDP port of a STUN server elsewhere (StunListener), likewise

    def do_GET(self):  # noqa: N802 (http.server's name)
        path, _, query = self.path.partition("?")
        again = path in SERVED_AGAIN and self.path in Site.requests
        Site.requests.append(self.path)
        if path == "/api/live.json":  # headers, the start of a body, then nothing for a minute
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.end_headers()
            self.wfile.write(b"[")
            self.wfile.flush()
            time.sleep(60)
            return
        if path == "/api/away":  # to the other origin, which the browser may not follow it to
            self.send_response(302)
            self.send_header("Location", f"http://127.0.0.1:{Site.elsewhere_port}/api/redirected.json")
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        if path == "/api/more.json":
            body, kind = json.dumps(MORE[int(query.split("=")[1])]), "application/json"
        elif path in PAGES:
            body = SERVED_AGAIN[path] if again else PAGES[path]
            kind = CONTENT_TYPES.get(path.rsplit(".", 1)[-1], "text/html; charset=utf-8")
            if "{elsewhere}" in body:
                body = body.replace("{elsewhere}", str(Site.elsewhere_port)).replace("{stun}", str(Site.stun_port))
        else:
            self.send_error(404)
            return
        data = body.encode("utf-8")
        self.send_response(200)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_POST(self):  # noqa: N802
        Site.posts.append(self.path)
        self.send_response(204)
        self.end_headers()

    def log_message(self, *args):
        pass


class Elsewhere(Site):
    """Another origin (another port): the browser must send it nothing."""
    requests: list[str] = []

    def do_GET(self):  # noqa: N802
        Elsewhere.requests.append(self.path)
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.end_headers()
        self.wfile.write(b'["A comment from elsewhere."]')

    do_POST = do_GET


def test_the_rendered_page_is_parsed_for_its_comments_not_for_the_story_the_page_as_sent_had(tmp_path):
    """A rendering is parsed for what the crawl takes from it (rendering.wanted_from_rendering):
    the parser is told the comments and not the story, and the article keeps the story as sent
    and takes the comments the script put in."""
    story = "/2024/05/01/inline-comments"
    site = embed_site({"/embeds/": f"<html><body><h1>Embeds</h1><p><a href='{story}'>A story</a></p></body></html>",
                       story: PAGES[story]})
    log = tmp_path / "fields.jsonl"
    try:
        done = run_cli("crawl", f"http://127.0.0.1:{site.server_port}/embeds/", "--db", str(tmp_path / "a.db"),
                       "--allow-private", "--render", "auto", "-s", "AUTOTHROTTLE_ENABLED=False",
                       "-s", "ROBOTSTXT_OBEY=False", "-s", "NEWSARCHIVE_PARSER=tests.fields_recording_parser.parse_page",
                       env={"NEWSARCHIVE_TEST_FIELDS_LOG": str(log)})
    finally:
        site.shutdown()
    assert done.returncode == 0, done.stderr[-3000:]
    asked = [json.loads(line)["fields"] for line in log.read_text().splitlines() if json.loads(line)["url"].endswith(story)]
    assert len(asked) == 2 and asked[0] is None  # the page as sent, whole; then its rendering
    assert "comments" in asked[1] and not {"body_text", "body_blocks", "photos"} & set(asked[1])
    with sqlite3.connect(tmp_path / "a.db") as db:
        assert "the river rose" in db.execute("SELECT body_text FROM articles").fetchone()[0]
        assert comments_of(db, "inline-comments")[:2] == ("complete", ["First inline comment, added by a script.",
                                                                       "Second inline comment, added by a script."])


# Seconds a page may take to load and settle: a click that changes nothing waits this long (5 s at
# most), and the frozen page fails after twice this.
RENDER_TIMEOUT = 3


class Crawled:
    def __init__(self, db_path, stdout: str, stderr: str):
        self.db_path, self.stdout, self.stderr = db_path, stdout, stderr
        self.cache = db_path.parent / "cache" / "newsarchive"
        self.db = sqlite3.connect(db_path)

    def execute(self, sql, parameters=()):
        return self.db.execute(sql, parameters)


class StunListener:
    """A UDP port on loopback that notes every datagram it receives (a STUN server's, for WebRTC)."""

    def __init__(self):
        self.socket = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.socket.bind(("127.0.0.1", 0))
        self.port = self.socket.getsockname()[1]
        self.datagrams: list[bytes] = []
        threading.Thread(target=self._listen, daemon=True).start()

    def _listen(self):
        with contextlib.suppress(OSError):  # closed
            while True:
                self.datagrams.append(self.socket.recv(2048))

    def close(self):
        self.socket.close()


STUN = StunListener()


@pytest.fixture(scope="module")
def crawled(tmp_path_factory):
    server, elsewhere = serve_handler(Site), serve_handler(Elsewhere)
    Site.elsewhere_port, Site.stun_port = elsewhere.server_port, STUN.port
    folder = tmp_path_factory.mktemp("render")
    db_path = folder / "render.db"
    result = run_cli("crawl", f"http://127.0.0.1:{server.server_port}/news/", "--db", str(db_path),
                     "--allow-private", "-s", "AUTOTHROTTLE_ENABLED=False", "-s", "ROBOTSTXT_OBEY=False",
                     "-s", f"NEWSARCHIVE_RENDER_TIMEOUT={RENDER_TIMEOUT}",
                     env={"XDG_CACHE_HOME": str(folder / "cache")})  # where the browser's launcher is written
    server.shutdown()
    elsewhere.shutdown()
    assert result.returncode == 0, result.stderr[-3000:]
    yield Crawled(db_path, result.stdout, result.stderr)


def comments_of(db, slug: str) -> tuple[str, list[str], str | None]:
    status, sources = db.execute("SELECT comments_status, sources FROM articles WHERE url LIKE ?",
                                 [f"%/{slug}"]).fetchone()
    texts = [row[0] for row in db.execute(
        "SELECT c.body_text FROM comments c JOIN articles a ON a.id = c.article_id WHERE a.url LIKE ? "
        "ORDER BY c.position", [f"%/{slug}"])]
    return status, texts, json.loads(sources).get("comments")


def test_the_browser_was_started_through_the_launcher(crawled):
    """newsarchive/browser_launcher.py: written when the browser starts, not before."""
    from newsarchive.rendering import chromium_path

    launchers = list(crawled.cache.iterdir())
    assert len(launchers) == 1
    assert launchers[0].read_text().splitlines()[-1] == (
        f'exec {chromium_path("")} "--disable-features=$disabled" "$@"')


def test_comments_injected_by_an_inline_script(crawled):
    assert comments_of(crawled, "inline-comments") == ("complete", [
        "First inline comment, added by a script.", "Second inline comment, added by a script."], "rendered")


def test_the_browser_renders_the_page_the_crawl_received_not_a_second_fetch(crawled):
    """The site serves another version of inline-comments when asked again (SERVED_AGAIN): the
    rendered DOM is that of the archived response, and the site was asked for each rendered page once."""
    rendered = [url.rsplit("/", 1)[1] for url, in crawled.execute("SELECT url FROM captures WHERE kind = 'rendered'")]
    assert len(rendered) == 11
    assert all(Site.requests.count(f"/2024/05/01/{slug}") == 1 for slug in rendered)
    dom = zlib.decompress(crawled.execute("SELECT body FROM captures WHERE kind = 'rendered' AND url LIKE ?",
                                          ["%/inline-comments"]).fetchone()[0]).decode()
    assert "Second inline comment, added by a script." in dom and "second fetch" not in dom
    status, headers = crawled.execute("SELECT status, response_headers FROM captures WHERE kind = 'rendered' "
                                      "AND url LIKE ?", ["%/inline-comments"]).fetchone()
    assert (status, json.loads(headers)["Content-Type"]) == (200, ["text/html; charset=utf-8"])


def test_a_page_that_never_calls_back_when_idle_is_read_all_the_same(crawled):
    assert comments_of(crawled, "never-idle-comments") == ("complete", ["A comment on a page that never idles."],
                                                            "rendered")


def test_a_page_whose_scripts_freeze_the_waits_fails_its_render_and_the_crawl_goes_on(crawled):
    assert comments_of(crawled, "frozen-comments") == ("unreached", ["The one comment sent with the page."], "markup")
    assert "/frozen-comments: RenderTimeout: the page did not settle within 6 s" in crawled.stderr


def test_a_page_whose_script_never_ends_fails_its_render_and_the_crawl_goes_on(crawled):
    assert comments_of(crawled, "looping-comments") == ("unreached", ["The comment sent before the loop."], "markup")
    assert "/looping-comments: RenderTimeout: the page did not settle within 6 s" in crawled.stderr


def test_a_page_that_sends_the_browser_elsewhere_takes_nothing_from_where_it_went(crawled):
    assert comments_of(crawled, "leaving-comments") == ("unreached", [], None)
    assert "/leaving-comments: RenderLeftPage: the page's scripts sent the browser to http://127.0.0.1:" in crawled.stderr
    assert "/consent?next=story" in Site.requests
    assert "/leaving-comments" not in {url.split("/2024")[-1] for url, in crawled.execute(
        "SELECT url FROM captures WHERE kind = 'rendered'")}


def test_a_page_whose_way_out_the_guard_closes_fails_its_render(crawled):
    assert comments_of(crawled, "held-comments") == ("unreached", [], None)
    assert "/held-comments: RenderLeftPage: the page's scripts sent the browser to chrome-error:" in crawled.stderr
    assert Elsewhere.requests == []


def test_a_live_page_with_a_request_that_never_ends_is_read(crawled):
    assert comments_of(crawled, "live-comments") == ("complete", ["A comment on a live page."], "rendered")


def test_a_page_that_rewrites_its_address_is_still_the_page(crawled):
    assert comments_of(crawled, "history-comments") == (
        "complete", ["A comment on a page that rewrote its address."], "rendered")


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
    assert Site.requests.count("/2024/05/01/inline-comments") == 1  # the browser renders the page as sent
    rendered = [row[0] for row in crawled.execute("SELECT url FROM captures WHERE kind = 'rendered' ORDER BY url")]
    assert [url.rsplit("/", 1)[1] for url in rendered] == [
        "container-comments", "embed-comments", "guarded-comments", "history-comments", "inline-comments",
        "json-comments", "live-comments", "login-comments", "more-comments", "never-idle-comments",
        "site-script-comments"]


def test_comments_of_an_embed_and_of_an_empty_list(crawled):
    assert comments_of(crawled, "embed-comments") == ("complete", ["A comment in the embedded service."], "rendered")
    assert comments_of(crawled, "container-comments") == ("complete", ["A comment added to the empty list."],
                                                           "rendered")


def test_comments_of_the_sites_own_comments_script(crawled):
    assert comments_of(crawled, "site-script-comments") == ("complete", ["A comment the site script added."],
                                                             "rendered")


def test_a_button_that_changes_nothing_is_clicked_once(crawled):
    assert comments_of(crawled, "login-comments") == ("unreached", [
        "A comment anyone can read.", "Another comment anyone can read."], "rendered")
    assert Site.requests.count("/api/login-check") == 1


def test_the_browser_stays_on_the_crawl_origin_and_sends_no_post(crawled):
    assert comments_of(crawled, "guarded-comments") == ("complete", [
        "A guarded comment, number one.", "A guarded comment, number two."], "rendered")
    assert Elsewhere.requests == []
    assert Site.posts == []
    assert Site.requests.count("/api/guarded.json") == 1
    assert Site.requests.count("/api/away") == 1  # sent, and its redirect not followed
    assert Site.requests.count("/live") == 1  # the page's WebSocket to its own origin
    assert STUN.datagrams == []


JSON_PAGE = "/2024/05/01/json-comments"


def test_script_loaded_responses_are_captures(crawled):
    rows = crawled.execute("SELECT url, status, body, body_encoding, request_headers, content_type FROM captures "
                           "WHERE kind = 'script' ORDER BY id").fetchall()
    paths = ["/" + url.split("/", 3)[3] for url, *_ in rows]
    assert sorted(paths) == ["/api/comments.json", "/api/guarded.json", "/api/more.json?page=0",
                             "/api/more.json?page=1", "/static/comments.js"]  # the site's own comments script too
    url, status, body, encoding, request_headers, content_type = rows[paths.index("/api/comments.json")]
    assert (status, content_type, zlib.decompress(body) if encoding == "zlib" else body) == (
        200, "application/json", PAGES["/api/comments.json"].encode("utf-8"))
    assert json.loads(request_headers)["Referer"] == [url.replace("/api/comments.json", JSON_PAGE)]


def test_warc_export_replays_the_script_responses_and_the_rendered_dom(crawled, tmp_path):
    warc_path = tmp_path / "render.warc.gz"
    result = run_cli("export", "warc", "--db", str(crawled.db_path), "--out", str(warc_path))
    assert result.returncode == 0, result.stderr
    records = {}
    with open(warc_path, "rb") as stream:
        for record in ArchiveIterator(stream):
            key = (record.rec_type, (record.rec_headers.get_header("WARC-Target-URI") or "").split("/", 3)[-1])
            records[key] = (record.rec_headers, record.content_stream().read())
    headers, body = records[("response", "api/comments.json")]
    assert body == PAGES["/api/comments.json"].encode("utf-8")
    page_headers, _ = records[("response", JSON_PAGE[1:])]
    dom_headers, dom = records[("conversion", JSON_PAGE[1:])]  # under urn:rendered:http://host/...
    assert dom_headers.get_header("WARC-Refers-To") == page_headers.get_header("WARC-Record-ID")
    assert b"A comment the API sent, number two." in dom
    assert sum(1 for rec_type, _ in records if rec_type == "conversion") == 11


# Offsite: the 6 requests the route refused, and the redirect to the other origin that only the
# browser's proxy switches saw (rendering.offsite_guard_args).
RENDERING = {"rendered": 11, "failed": 4, "unavailable": 0, "comments_found": 11, "retried": 0,
             "reasons": {"comment_counter": 7, "comment_embed": 3, "empty_comment_container": 1},
             "aborted": {"method": 2, "offsite": 7}, "script_captures": 5}


def test_rendered_pages_are_counted_by_reason(crawled, tmp_path):
    assert ("; 11 pages rendered (7 comment_counter, 3 comment_embed, 1 empty_comment_container)"
            in crawled.stdout)
    coverage = json.loads(crawled.execute("SELECT coverage FROM crawls").fetchone()[0])
    assert coverage["rendering"] == RENDERING
    report = run_cli("report", "--db", str(crawled.db_path), "--json")
    assert json.loads(report.stdout)["rendering"] == RENDERING
    text = run_cli("report", "--db", str(crawled.db_path), "--html", str(tmp_path / "report.html")).stdout
    assert ("  rendered in a browser: 11 pages (7 comment_counter, 3 comment_embed, 1 empty_comment_container); "
            "4 failed, 0 not rendered (no browser); 5 script responses kept; "
            "0 known articles asked for again for unreached comments") in text.splitlines()
    assert "<h2>Pages rendered in a browser</h2>" in (tmp_path / "report.html").read_text(encoding="utf-8")


# A comment service on another origin, which NEWSARCHIVE_RENDER_ORIGINS lets the browser read ------

class CommentService(SiteHandler):
    """The other origin of an embedded comment service: a script that adds its comments."""
    requests: list[str] = []

    def do_GET(self):  # noqa: N802
        CommentService.requests.append(self.path)
        self.answer(200, b"addComment('A comment the embedded service sent.');", **{"Content-Type": "text/javascript"})


def service_site(service_port: int) -> dict[str, str]:
    return {
        "/embeds/": "<html><body><h1>Embeds</h1><p><a href='/2024/05/02/service-comments'>A story</a></p></body></html>",
        "/2024/05/02/service-comments": article("service-comments", "Storm with an embedded comment service", (
            "<div id='comments'><ol id='comment-list'></ol></div><script>" + ITEM_JS + "</script>"
            f"<script src='http://127.0.0.1:{service_port}/embed.js'></script>")),
    }


SLOW_SERVICE_S = 3  # how long embed_site's /api/slow... answers take


def embed_site(pages: dict[str, str], asks: list | None = None, etag: str | None = None) -> ThreadingHTTPServer:
    """A site serving `pages` (read at each request: a test may change them between crawls). Each
    request for an article (/2024/..., any year) adds its If-None-Match (None without one) to `asks`; with
    `etag`, pages carry it and a request that sends it back is answered 304."""

    class EmbedSite(Site):
        def do_GET(self):  # noqa: N802
            body = pages.get(self.path)
            if body is None:
                self.send_error(404)
                return
            if asks is not None and re.match(r"/20\d\d/", self.path):  # an article's page
                asks.append(self.headers.get("If-None-Match"))
            if etag and self.headers.get("If-None-Match") == etag:
                self.send_response(304)
                self.end_headers()
                return
            if self.path.startswith("/api/slow"):  # a busy comment service
                time.sleep(SLOW_SERVICE_S)
            data = body.encode("utf-8")
            self.send_response(200)
            self.send_header("Content-Type", CONTENT_TYPES.get(self.path.rsplit(".", 1)[-1], "text/html; charset=utf-8"))
            if etag:
                self.send_header("ETag", etag)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

    return serve_handler(EmbedSite)


def crawl_embeds(site: ThreadingHTTPServer, db_path, *settings: str):
    """`newsarchive crawl` of the embed site's listing, with these settings ("NAME=value")."""
    result = run_cli("crawl", f"http://127.0.0.1:{site.server_port}/embeds/", "--db", str(db_path),
                     "--allow-private", "-s", "AUTOTHROTTLE_ENABLED=False", "-s", "ROBOTSTXT_OBEY=False",
                     *(argument for setting in settings for argument in ("-s", setting)))
    assert result.returncode == 0, result.stderr[-3000:]
    return result


def crawl_with_service(site: ThreadingHTTPServer, service: ThreadingHTTPServer, db_path, origins: str):
    """crawl_embeds of the site with NEWSARCHIVE_RENDER_ORIGINS set to `origins`, both servers
    stopped after; the archive, open."""
    try:
        crawl_embeds(site, db_path, f"NEWSARCHIVE_RENDER_ORIGINS={origins}")
    finally:
        site.shutdown()
        service.shutdown()
    return sqlite3.connect(db_path)


@pytest.mark.parametrize("allowed", [True, False])
def test_a_comment_service_the_settings_name_is_read_and_no_other(tmp_path, allowed):
    service = serve_handler(CommentService)
    CommentService.requests = []
    site = embed_site(service_site(service.server_port))
    origins = f"http://127.0.0.1:{service.server_port}" if allowed else ""
    db = crawl_with_service(site, service, tmp_path / "service.db", origins)
    if allowed:
        assert comments_of(db, "service-comments") == (
            "complete", ["A comment the embedded service sent."], "rendered")
        assert CommentService.requests == ["/embed.js"]
    else:
        assert comments_of(db, "service-comments") == ("unreached", [], None)
        assert CommentService.requests == []


class FramedCommentService(SiteHandler):
    """The other origin of a comment service that shows its comments in a frame of its own: the
    frame's page, whose script adds them."""

    def do_GET(self):  # noqa: N802
        self.answer(200, "<html><body><ol id='comment-list'></ol><script>" + ITEM_JS
                    + "addComment('First, in the service frame.'); addComment('Second, in the service frame.');"
                    "</script></body></html>")


def test_comments_a_service_shows_in_a_frame_of_its_own_are_read(tmp_path):
    service = serve_handler(FramedCommentService)
    frame = f"http://127.0.0.1:{service.server_port}/thread?story=framed"
    site = embed_site({
        "/embeds/": "<html><body><h1>Embeds</h1><p><a href='/2024/05/04/framed-comments'>A story</a></p></body></html>",
        "/2024/05/04/framed-comments": article("framed-comments", "Storm with comments in a frame", (
            f"<h3>2 Comments</h3><div id='comments'><iframe src='{frame}' title='Comments'></iframe></div>")),
    })
    db = crawl_with_service(site, service, tmp_path / "framed.db", f"http://127.0.0.1:{service.server_port}")
    assert comments_of(db, "framed-comments") == (
        "complete", ["First, in the service frame.", "Second, in the service frame."], "rendered")
    rendered = db.execute("SELECT body FROM captures WHERE kind = 'rendered'").fetchone()[0]
    assert f'<section data-newsarchive-frame="{frame}">'.encode() in zlib.decompress(rendered)


SIZED_STORIES = [f"sized-{n}" for n in range(1, 5)]


@pytest.mark.parametrize(("settings", "seen"), [
    # scrapy-playwright made PLAYWRIGHT_CONTEXTS' contexts at its driver's start, launching the
    # browser from there; the crawl's own launch waits for that start to end: the crawl rendered
    # nothing and never ended. Its `default` context is the renders'.
    ({"PLAYWRIGHT_CONTEXTS": {"default": {"viewport": {"width": 411, "height": 333}, "locale": "de-DE"}}},
     "Read at 411 by 333, in de-DE, gc undefined."),
    # Launch options given whole replaced the crawl's, the Chromium's path with them: every render
    # failed. A crawl's tabs stay open: past PLAYWRIGHT_MAX_PAGES_PER_CONTEXT, a render waited for
    # one until its bound, and failed.
    ({"PLAYWRIGHT_LAUNCH_OPTIONS": {"args": ["--js-flags=--expose-gc"]}, "PLAYWRIGHT_MAX_PAGES_PER_CONTEXT": 1},
     "Read at 1280 by 720, in en-US, gc function."),  # Playwright's own viewport and locale
], ids=["contexts", "launch-options-and-one-tab"])
def test_the_renders_take_the_browser_settings_of_scrapy_playwright(tmp_path, settings, seen):
    pages = {"/embeds/": "<html><body><h1>Embeds</h1>" + "".join(
        f"<p><a href='/2024/05/05/{slug}'>Story {slug}</a></p>" for slug in SIZED_STORIES) + "</body></html>"}
    for slug in SIZED_STORIES:
        pages[f"/2024/05/05/{slug}"] = article(slug, f"Storm seen in window {slug}", (
            "<div id='comments'><ol id='comment-list'></ol></div><script>" + ITEM_JS
            + "addComment(`Read at ${innerWidth} by ${innerHeight}, in ${navigator.language}, gc ${typeof gc}.`);"
            "</script>"))
    site = embed_site(pages)
    given = [argument for name, value in settings.items() for argument in ("-s", f"{name}={json.dumps(value)}")]
    try:
        result = run_cli("crawl", f"http://127.0.0.1:{site.server_port}/embeds/", "--db", str(tmp_path / "a.db"),
                         "--allow-private", "-s", "AUTOTHROTTLE_ENABLED=False", "-s", "ROBOTSTXT_OBEY=False",
                         "-s", "NEWSARCHIVE_RENDER_TIMEOUT=2", *given, timeout=120)
    finally:
        site.shutdown()
    assert result.returncode == 0, result.stderr[-3000:]
    assert "4 pages rendered (4 empty_comment_container)" in result.stdout
    db = sqlite3.connect(tmp_path / "a.db")
    assert [comments_of(db, slug) for slug in SIZED_STORIES] == [("complete", [seen], "rendered")] * 4


def test_a_frame_that_shows_the_page_itself_or_a_frame_already_read_is_not_set_in(tmp_path):
    """`<iframe src="#">` (and src="") loads the page again: each such frame, and each of its own,
    was set in, and its comments read once more (a Blogger page of the dev set: 13 comments stored
    as 65). A second frame of one address is set in once."""
    service = serve_handler(FramedCommentService)
    frame = f"http://127.0.0.1:{service.server_port}/thread?story=framed"
    comments = "".join(f"<li class='comment' id='c-{k}'><p>Comment {k} on the storm, in the page.</p></li>" for k in (1, 2))
    site = embed_site({
        "/embeds/": "<html><body><h1>Embeds</h1><p><a href='/2024/05/04/self-framed'>A story</a></p></body></html>",
        "/2024/05/04/self-framed": article("self-framed", "Storm in a page that frames itself", (
            f"<h3>4 Comments</h3><ol class='comment-list'>{comments}</ol><iframe src='#'></iframe><iframe src=''></iframe>"
            f"<div id='comments'><iframe src='{frame}' title='Comments'></iframe><iframe src='{frame}#again'></iframe>"
            "</div>")),
    })
    db = crawl_with_service(site, service, tmp_path / "self.db", f"http://127.0.0.1:{service.server_port}")
    assert comments_of(db, "self-framed") == ("complete", [
        "Comment 1 on the storm, in the page.", "Comment 2 on the storm, in the page.",
        "First, in the service frame.", "Second, in the service frame."], "rendered")
    rendered = zlib.decompress(db.execute("SELECT body FROM captures WHERE kind = 'rendered'").fetchone()[0])
    assert rendered.count(b"data-newsarchive-frame") == 1


# A page with three images (an img element, a CSS background, one a script makes), a web font and a video.
PICTURED = {
    "/embeds/": "<html><body><h1>Embeds</h1><p><a href='/2024/05/03/pictured-comments'>A story</a></p></body></html>",
    "/2024/05/03/pictured-comments": article("pictured-comments", "Storm in pictures", (
        "<style>@font-face { font-family: Storm; src: url(/storm.woff2); } h3 { font-family: Storm; }</style>"
        "<img src='/flood.jpg' alt='The flood'><div style='width: 40px; height: 40px; background: url(/sky.png)'></div>"
        "<h3>1 Comment</h3><ol id='comment-list'></ol><script>" + ITEM_JS
        + "new Image().src = '/pixel.gif'; addComment('A comment under the pictures.');</script>"
        "<video src='/flood.mp4' preload='auto'></video>")),
}


def test_the_browser_asks_for_no_image_nor_font_and_refuses_the_video(tmp_path):
    """Images and web fonts are kept from being asked for at all (CHROMIUM_ARGS); what else is
    heavy, a video here, is asked for and refused by the guard, and counted so."""
    site = embed_site(PICTURED)
    try:
        crawl_embeds(site, tmp_path / "pictured.db")
    finally:
        site.shutdown()
    db = sqlite3.connect(tmp_path / "pictured.db")
    assert comments_of(db, "pictured-comments") == ("complete", ["A comment under the pictures."], "rendered")
    coverage = json.loads(db.execute("SELECT coverage FROM crawls").fetchone()[0])
    assert coverage["rendering"]["aborted"] == {"heavy": 1}


@pytest.mark.parametrize("found_by", ["listing", "revisit"])
def test_comments_a_crawl_could_not_reach_are_read_by_the_next_crawl_that_can(tmp_path, found_by):
    # The first crawl may not ask the comment service (not named in NEWSARCHIVE_RENDER_ORIGINS):
    # the article's comments are unreached. The next crawl may: the story is old (out of the
    # refresh window) and unchanged (its ETag the same), and is fetched again all the same, in
    # full (a 304 would leave its comments unread), rendered, and its comments stored. Found on
    # its listing again, or, no longer listed, among the known articles a crawl revisits.
    service = serve_handler(CommentService)
    CommentService.requests = []
    pages = service_site(service.server_port)
    conditional_asks: list[str | None] = []
    site = embed_site(pages, conditional_asks, etag='"v1"')
    db_path = tmp_path / "retry.db"
    revisits = [f"NEWSARCHIVE_REVISIT_BUDGET={5 if found_by == 'revisit' else 0}", "NEWSARCHIVE_REVISIT_FLOOR_HOURS=0"]
    service_named = f"NEWSARCHIVE_RENDER_ORIGINS=http://127.0.0.1:{service.server_port}"
    try:
        crawl_embeds(site, db_path, "NEWSARCHIVE_RENDER_ORIGINS=", *revisits)
        assert comments_of(sqlite3.connect(db_path), "service-comments") == ("unreached", [], None)
        if found_by == "revisit":
            pages["/embeds/"] = "<html><body><h1>Embeds</h1><p>Nothing listed today.</p></body></html>"
        second = crawl_embeds(site, db_path, service_named, *revisits)
        assert "1 known articles asked for again for unreached comments" in second.stdout
        assert comments_of(sqlite3.connect(db_path), "service-comments") == (
            "complete", ["A comment the embedded service sent."], "rendered")
        # The article was asked for by each crawl, never conditionally (the browser renders the page
        # as the crawl received it, and asks for nothing).
        assert conditional_asks and set(conditional_asks) == {None}
        # A third crawl: the old, unchanged story is not fetched from its listing, and a revisit
        # asks for it in full again (its comments come by script: a 304 would leave new ones unread).
        asked_before = len(conditional_asks)
        crawl_embeds(site, db_path, service_named, *revisits)
        assert conditional_asks[asked_before:] == ([] if found_by == "listing" else [None])
    finally:
        site.shutdown()
        service.shutdown()


def test_a_comment_added_by_script_to_a_young_rendered_story_is_read_by_the_next_crawl(tmp_path):
    # The story's HTML (and its ETag) stays the same while its comment API gets a new comment. The
    # second crawl asked for it conditionally, got 304 and rendered nothing: the new comment was
    # never archived, and the stored ones were marked seen again as if read.
    today = datetime.now(timezone.utc).date().isoformat()
    comments = ["The first reader's comment on the flood.", "The second reader's comment on the flood."]
    page = article("young-comments", "Storm with comments from its API", (
        "<h3>Comments</h3><ol id='comment-list' data-comments-url='/api/young.json'></ol><script>"
        "window.addEventListener('load', function () { fetch('/api/young.json').then(r => r.json())"
        ".then(items => items.forEach(function (text, number) { var li = document.createElement('li');"
        "li.className = 'comment'; li.id = 'comment-' + number; li.textContent = text;"
        "document.getElementById('comment-list').appendChild(li); })); });</script>")).replace("2024-05-01", today)
    path = f"/{today.replace('-', '/')}/young-comments"  # a young story's address
    pages = {"/embeds/": f"<html><body><h1>Embeds</h1><p><a href='{path}'>A story</a></p></body></html>",
             path: page, "/api/young.json": json.dumps(comments[:1])}
    asks: list[str | None] = []
    site = embed_site(pages, asks, etag='"v1"')
    db_path = tmp_path / "young.db"
    try:
        crawl_embeds(site, db_path)
        assert comments_of(sqlite3.connect(db_path), "young-comments") == ("complete", comments[:1], "rendered")
        pages["/api/young.json"] = json.dumps(comments)
        crawl_embeds(site, db_path)
    finally:
        site.shutdown()
    assert comments_of(sqlite3.connect(db_path), "young-comments") == ("complete", comments, "rendered")
    assert asks == [None, None]  # fetched in full by each crawl: the browser renders the page as received


class MeteredSite(BaseHTTPRequestHandler):
    """Four stories whose comments come from an API that meters its readers, as a metered paywall
    does: by a cookie it sets (the API answers "subscribe" from a reader's third story on), or, on
    the stories under /stored/, by a count the page keeps in its localStorage."""

    STORIES = ("first", "second", "third", "fourth")
    METER = ("var seen = Number(localStorage.getItem('seen') || 0); localStorage.setItem('seen', seen + 1);"
             "if (seen >= 2) { document.getElementById('comment-list').outerHTML = '<p>Subscribe to read the comments.</p>'; }"
             "else ")
    LOAD = ("fetch('/api/comments.json').then(r => r.ok ? r.json() : []).then(items => items.forEach(function (text, n) {"
            "var li = document.createElement('li'); li.className = 'comment'; li.id = 'comment-' + n; li.textContent = text;"
            "document.getElementById('comment-list').appendChild(li); }));")

    def do_GET(self):  # noqa: N802
        if self.path in ("/metered/", "/stored/"):
            return self.answer("<html><body><h1>Metered</h1>" + "".join(
                f"<p><a href='/2024/05/06{self.path}{slug}'>The {slug} story</a></p>" for slug in self.STORIES) + "</body></html>")
        if self.path == "/api/comments.json":
            seen = int(dict(part.strip().split("=", 1) for part in (self.headers.get("Cookie") or "").split(";")
                            if "=" in part).get("meter", 0))
            if seen >= 2:
                return self.answer('{"error": "subscribe"}', status=403, kind="application/json")
            return self.answer(json.dumps(["A metered comment."]), kind="application/json",
                               cookie=f"meter={seen + 1}; Path=/; Max-Age=86400")
        for slug in self.STORIES:
            if self.path.endswith(f"/{slug}"):
                script = (self.METER if "/stored/" in self.path else "") + self.LOAD
                return self.answer(article(slug, f"The {slug} metered story", (
                    "<h3>Comments</h3><ol id='comment-list' data-comments-url='/api/comments.json'></ol>"
                    f"<script>window.addEventListener('load', function () {{ {script} }});</script>")))
        self.send_error(404)

    def answer(self, body: str, status: int = 200, kind: str = "text/html; charset=utf-8", cookie: str | None = None):
        data = body.encode("utf-8")
        self.send_response(status)
        self.send_header("Content-Type", kind)
        if cookie:
            self.send_header("Set-Cookie", cookie)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args):
        pass


@pytest.mark.parametrize("section", ["metered", "stored"])
def test_each_rendered_page_is_a_new_visitors_whatever_the_tabs_pages_before_left(tmp_path, section):
    # One context for every render kept the cookies and storage each page left: from the third
    # story on, a site metering its readers by either served no comment, and those stories stayed
    # `unreached` though any new visitor reads their comments. One tab renders them all here.
    result = crawl_of(MeteredSite, tmp_path / "m.db", "-s", "AUTOTHROTTLE_ENABLED=False", "-s", "ROBOTSTXT_OBEY=False",
                      "-s", "NEWSARCHIVE_RENDER_CONCURRENCY=1", section=f"/{section}/")
    assert result.returncode == 0, result.stderr[-3000:]
    db = sqlite3.connect(tmp_path / "m.db")
    assert [comments_of(db, slug) for slug in MeteredSite.STORIES] == [
        ("complete", ["A metered comment."], "rendered")] * 4


class LiveSite(BaseHTTPRequestHandler):
    """A live story refreshing itself every second (a meta refresh) with its comments from an API,
    and on the section's second page three more stories, which the crawl's delay spreads out."""

    hits: list[str] = []

    def do_GET(self):  # noqa: N802
        LiveSite.hits.append(self.path)
        late = [f"/2024/05/07/late-{n}" for n in range(3)]
        if self.path == "/live/":
            body = ("<html><body><h1>Live</h1><p><a href='/2024/05/07/live'>Live story</a></p>"
                    "<a rel='next' href='/live/?page=2'>Older</a></body></html>")
        elif self.path == "/live/?page=2":
            body = "<html><body><h1>Live</h1>" + "".join(f"<p><a href='{path}'>Story</a></p>" for path in late) + "</body></html>"
        elif self.path == "/api/live.json":
            body = json.dumps(["A comment on the live story."])
        elif self.path == "/2024/05/07/live":
            body = article("live", "The live storm story", (
                "<h3>1 Comment</h3><ol id='comment-list'></ol><script>" + ITEM_JS
                + "fetch('/api/live.json').then(r => r.json()).then(items => items.forEach(addComment));</script>")
            ).replace("<head>", "<head><meta http-equiv='refresh' content='1'>")
        elif self.path in late:
            body = article(self.path.rsplit("/", 1)[1], "A later storm story", "")
        else:
            return self.send_error(404)
        data = body.encode("utf-8")
        self.send_response(200)
        self.send_header("Content-Type", "application/json" if self.path.endswith(".json") else "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args):
        pass


def test_a_rendered_live_page_does_not_go_on_refreshing_in_its_tab(tmp_path):
    # The tab went back to the pool still showing the page, which reloaded itself and its API
    # every second for the rest of the crawl: requests nothing recorded nor paced.
    LiveSite.hits = []
    result = crawl_of(LiveSite, tmp_path / "l.db", "-s", "AUTOTHROTTLE_ENABLED=False", "-s", "ROBOTSTXT_OBEY=False",
                      "-s", "DOWNLOAD_DELAY=1.5", section="/live/")
    assert result.returncode == 0, result.stderr[-3000:]
    assert comments_of(sqlite3.connect(tmp_path / "l.db"), "live") == ("complete", ["A comment on the live story."], "rendered")
    assert (LiveSite.hits.count("/2024/05/07/live"), LiveSite.hits.count("/api/live.json")) == (1, 1)


def test_the_browser_asks_for_nothing_the_sites_robots_txt_disallows(tmp_path):
    # The crawl obeyed robots.txt, its browser did not: a comment API under a disallowed path was
    # asked for by every render and archived.
    asks: list[str | None] = []
    page = article("robots-comments", "Storm with comments from a disallowed API", (
        "<h3>1 Comment</h3>" + comments_from("/api/robots.json")))
    site = embed_site({"/embeds/": "<html><body><h1>Embeds</h1><p><a href='/2024/05/08/robots-comments'>A story</a></p></body></html>",
                       "/2024/05/08/robots-comments": page, "/robots.txt": "User-agent: *\nDisallow: /api/\n",
                       "/api/robots.json": json.dumps(["A comment robots.txt keeps out."])}, asks)
    try:
        result = run_cli("crawl", f"http://127.0.0.1:{site.server_port}/embeds/", "--db", str(tmp_path / "r.db"),
                         "--allow-private", "-s", "AUTOTHROTTLE_ENABLED=False")
    finally:
        site.shutdown()
    assert result.returncode == 0, result.stderr[-3000:]
    db = sqlite3.connect(tmp_path / "r.db")
    assert comments_of(db, "robots-comments") == ("unreached", [], None)
    coverage = json.loads(db.execute("SELECT coverage FROM crawls").fetchone()[0])
    assert coverage["rendering"]["aborted"] == {"robots": 1}
    assert db.execute("SELECT count(*) FROM captures WHERE url LIKE '%/api/%'").fetchone() == (0,)


def test_comments_a_web_component_draws_in_its_shadow_root_are_read(tmp_path):
    # An element's outerHTML leaves its shadow root out: the comments a widget drew there (open,
    # and a reply in a nested root) were never read, the story `unreached` on every crawl.
    widget = """
class CommentWidget extends HTMLElement {
  connectedCallback() {
    const shadow = this.attachShadow({mode: 'open'});
    shadow.innerHTML = '<style>li { color: grey }</style><ol class="comment-list">'
      + '<li id="comment-1" class="comment"><div class="comment-content"><p>Drawn in the shadow, one.</p></div></li>'
      + '<li id="comment-2" class="comment"><div class="comment-content"><p>Drawn in the shadow, two.</p></div>'
      + '<reply-widget></reply-widget></li></ol>';
  }
}
class ReplyWidget extends HTMLElement {
  connectedCallback() {
    this.attachShadow({mode: 'open'}).innerHTML = '<ol class="children"><li id="comment-3" class="comment">'
      + '<div class="comment-content"><p>A reply, in a shadow inside the shadow.</p></div></li></ol>';
  }
}
customElements.define('reply-widget', ReplyWidget);
customElements.define('comment-widget', CommentWidget);"""
    db = crawl_one_story(tmp_path, "/2024/05/09/shadow-comments", article("shadow-comments", "Storm with a comment widget", (
        f"<h3>3 Comments</h3><div id='comments'><comment-widget></comment-widget></div><script>{widget}</script>")))
    assert comments_of(db, "shadow-comments") == ("complete", [
        "Drawn in the shadow, one.", "Drawn in the shadow, two.", "A reply, in a shadow inside the shadow."], "rendered")


@pytest.mark.parametrize("start, expected", [
    ("setTimeout(function () { addComment('Drawn a moment after load.'); }, 600);", "Drawn a moment after load."),
    ("setTimeout(function () { fetch('/api/timer.json').then(r => r.json()).then(items => items.forEach(addComment)); }, 1500);",
     "Fetched a moment after load."),
    # A chain of short timers that never ends (a poll): the page settles all the same.
    ("(function poll() { setTimeout(poll, 100); })(); addComment('Drawn at once, beside a poll.');",
     "Drawn at once, beside a poll."),
], ids=["drawn-at-600-ms", "fetched-at-1500-ms", "endless-poll"])
def test_comments_a_widget_starts_a_moment_after_load_are_read(tmp_path, start, expected):
    # The page settled once no request was in flight and its main thread idle: a widget started by
    # a timer ran after the page was read, and the story stayed `unreached` on every crawl.
    db = crawl_one_story(tmp_path, "/2024/05/09/timer-comments", article("timer-comments", "Storm with a late widget", (
        f"<h3>1 Comment</h3><ol id='comment-list'></ol><script>{ITEM_JS} {start}</script>")),
        others={"/api/timer.json": json.dumps(["Fetched a moment after load."])})
    assert comments_of(db, "timer-comments") == ("complete", [expected], "rendered")


def test_comments_no_render_could_reach_are_asked_for_so_many_times_only(tmp_path):
    # The comment service is never named: every render reads no comments. With two attempts, the
    # first crawl's render and the second's are all: the third crawl leaves the old story alone.
    service = serve_handler(CommentService)
    asks: list[str | None] = []
    site = embed_site(service_site(service.server_port), asks)
    db_path = tmp_path / "attempts.db"
    try:
        renders = []
        for _ in range(3):
            crawl_embeds(site, db_path, "NEWSARCHIVE_RENDER_ATTEMPTS=2")
            renders.append(sqlite3.connect(db_path).execute(
                "SELECT count(*) FROM captures WHERE kind = 'rendered'").fetchone()[0])
        assert renders == [1, 2, 2]
        assert comments_of(sqlite3.connect(db_path), "service-comments") == ("unreached", [], None)
        # asked for by the crawl in each of the first two crawls (its browser renders the page as
        # sent, asking nothing), not in the third
        assert len(asks) == 2
    finally:
        site.shutdown()
        service.shutdown()


# What the browser reads and sends: the DOM in the page's own charset, a page that broke the
# serialiser, the crawl's User-Agent on the browser's requests -------------------------------------

CYRILLIC = "Первый комментарий, добавленный скриптом."
CONTACT = "https://archive.example/contact"


class CharsetSite(BaseHTTPRequestHandler):
    """Pages in the charsets their Content-Type names; the User-Agent of each API request kept."""
    agents: list[str] = []
    pages = {
        "/news/": ("<html><body>" + "".join(f"<p><a href='/2024/05/03/{slug}'>Story {slug}</a></p>" for slug in (
            "cyrillic-comments", "outgrown-comments", "serializer-comments")) + "</body></html>", "utf-8"),
        # windows-1251 holds every character its script adds: the rendered DOM stays in it.
        "/2024/05/03/cyrillic-comments": (article("cyrillic-comments", "Шторм на побережье", (
            "<h3>1 Comment</h3><ol id='comment-list'></ol><script>" + ITEM_JS
            + f"addComment('{CYRILLIC}'); fetch('/api/seen.json');</script>")).replace(
                "<head>", "<head><meta charset='windows-1251'>"), "windows-1251"),
        # Its script adds a Cyrillic letter, which windows-1252 cannot hold: the rendered DOM is
        # stored in UTF-8, and its Content-Type says so.
        "/2024/05/03/outgrown-comments": (article("outgrown-comments", "Storm at the café", (
            "<h3>1 Comment</h3><ol id='comment-list'></ol><script>" + ITEM_JS
            + "addComment('A comment signed \\u0416. at the caf\\u00e9.');</script>")), "windows-1252"),
        # Its script replaces the serialiser the DOM is read with: read all the same.
        "/2024/05/03/serializer-comments": (article("serializer-comments", "Storm on a page without a serialiser", (
            "<h3>1 Comment</h3><ol id='comment-list'></ol><script>" + ITEM_JS
            + "window.XMLSerializer = function () { throw new Error('not here'); };"
              "addComment('A comment on a page without a serialiser.');</script>")), "utf-8"),
    }

    def do_GET(self):  # noqa: N802 (http.server's name)
        if self.path.startswith("/api/"):
            CharsetSite.agents.append(self.headers.get("User-Agent"))
            body, charset = "[]", "utf-8"
        elif self.path in self.pages:
            body, charset = self.pages[self.path]
        else:
            self.send_error(404)
            return
        data = body.encode(charset)
        self.send_response(200)
        self.send_header("Content-Type", "application/json" if self.path.startswith("/api/")
                         else f"text/html; charset={charset}")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args):
        pass


@pytest.fixture(scope="module")
def charsets_crawled(tmp_path_factory):
    site = serve_handler(CharsetSite)
    db_path = tmp_path_factory.mktemp("charsets") / "charsets.db"
    result = run_cli("crawl", f"http://127.0.0.1:{site.server_port}/news/", "--db", str(db_path), "--allow-private",
                     "-s", "AUTOTHROTTLE_ENABLED=False", "-s", "ROBOTSTXT_OBEY=False",
                     "-s", f"NEWSARCHIVE_CONTACT_URL={CONTACT}")
    site.shutdown()
    assert result.returncode == 0, result.stderr[-3000:]
    return sqlite3.connect(db_path)


def rendered_capture(db, slug: str) -> tuple[str, bytes]:
    headers, body, encoding = db.execute("SELECT response_headers, body, body_encoding FROM captures "
                                         "WHERE kind = 'rendered' AND url LIKE ?", [f"%/{slug}"]).fetchone()
    return json.loads(headers)["Content-Type"], zlib.decompress(body) if encoding == "zlib" else body


def test_the_rendered_dom_is_kept_in_the_charset_its_headers_name(charsets_crawled):
    assert comments_of(charsets_crawled, "cyrillic-comments") == ("complete", [CYRILLIC], "rendered")
    content_type, body = rendered_capture(charsets_crawled, "cyrillic-comments")
    assert content_type == ["text/html; charset=windows-1251"]
    assert CYRILLIC.encode("windows-1251") in body and "Шторм на побережье".encode("windows-1251") in body
    assert body.startswith(b"<!DOCTYPE html><html lang=")


def test_a_rendered_dom_its_charset_cannot_hold_is_kept_in_utf8_and_says_so(charsets_crawled):
    comment = "A comment signed Ж. at the café."
    assert comments_of(charsets_crawled, "outgrown-comments") == ("complete", [comment], "rendered")
    content_type, body = rendered_capture(charsets_crawled, "outgrown-comments")
    assert content_type == ["text/html; charset=utf-8"]
    assert comment.encode("utf-8") in body and "Storm at the café".encode("utf-8") in body


def test_a_page_whose_scripts_replaced_the_serialiser_is_read(charsets_crawled):
    assert comments_of(charsets_crawled, "serializer-comments") == (
        "complete", ["A comment on a page without a serialiser."], "rendered")
    assert rendered_capture(charsets_crawled, "serializer-comments")[1].startswith(b"<!DOCTYPE html><html lang=")


def test_the_browser_sends_the_crawls_user_agent(charsets_crawled):
    assert CharsetSite.agents == [f"newsarchive/0.1 (archival crawler; +{CONTACT})"]


PLAYWRIGHT_MODULES = ["scrapy_playwright", "playwright", "newsarchive.render_handler"]


@pytest.mark.parametrize("needs_the_browser", [False, True])
def test_scrapy_playwright_is_imported_at_the_first_render_and_not_before(tmp_path, needs_the_browser):
    """A crawl in the default mode whose pages need no browser imports neither scrapy-playwright nor
    Playwright (0.32 s of the reactor's thread and 26 MB); one page that needs it brings them in."""
    story = "/2024/05/01/inline-comments" if needs_the_browser else "/2024/05/01/no-comments"
    site = embed_site({"/embeds/": f"<html><body><h1>Embeds</h1><p><a href='{story}'>A story</a></p></body></html>",
                       story: PAGES[story]})
    try:
        done, imported = run_cli_noting_imports(
            PLAYWRIGHT_MODULES, "crawl", f"http://127.0.0.1:{site.server_port}/embeds/", "--db", str(tmp_path / "a.db"),
            "--allow-private", "--render", "auto", "-s", "AUTOTHROTTLE_ENABLED=False", "-s", "ROBOTSTXT_OBEY=False")
    finally:
        site.shutdown()
    assert done.returncode == 0, done.stderr[-3000:]
    with sqlite3.connect(tmp_path / "a.db") as db:
        rendered = db.execute("SELECT count(*) FROM captures WHERE kind = 'rendered'").fetchone()[0]
        comments = db.execute("SELECT count(*) FROM comments").fetchone()[0]
    assert (rendered, comments) == ((1, 2) if needs_the_browser else (0, 0))
    assert imported == (set(PLAYWRIGHT_MODULES) if needs_the_browser else set())


# A story whose text its scripts write: rendered (script_body) ------------------------------------

SCRIPT_STORY = ("<html><head><title>The bridge reopens</title><meta property='og:type' content='article'></head>"
                "<body><h1>The bridge reopens</h1><div id='app'></div><script>document.getElementById('app')"
                ".innerHTML = ['The bridge over the river reopened on Tuesday after two years of repairs.', "
                "'Residents lined the banks to watch the first cars cross, and the mayor thanked the engineers.']"
                ".map(function (text) { return '<p>' + text + '</p>'; }).join('');</script></body></html>")
NO_SCRIPT_STORY = ("<html><head><title>A page with no text</title><meta property='og:type' content='article'></head>"
                   "<body><h1>A page with no text</h1><div id='app'></div></body></html>")


def test_a_story_whose_scripts_write_its_text_is_rendered_for_it(tmp_path):
    pages = {"/news/": "<html><body><h1>News</h1><ul><li><a href='/2024/05/01/script-story'>One</a></li>"
                       "<li><a href='/2024/05/01/no-script-story'>Two</a></li>"
                       "<li><a href='/2024/05/01/no-comments'>Three</a></li></ul></body></html>",
             "/2024/05/01/script-story": SCRIPT_STORY, "/2024/05/01/no-script-story": NO_SCRIPT_STORY,
             "/2024/05/01/no-comments": PAGES["/2024/05/01/no-comments"]}
    site = embed_site(pages)
    try:
        done = run_cli("crawl", f"http://127.0.0.1:{site.server_port}/news/", "--db", str(tmp_path / "a.db"),
                       "--allow-private", "--render", "auto", "-s", "AUTOTHROTTLE_ENABLED=False",
                       "-s", "ROBOTSTXT_OBEY=False")
    finally:
        site.shutdown()
    assert done.returncode == 0, done.stderr[-3000:]
    assert "; 1 pages rendered (1 script_body)" in done.stdout  # not the story with its text, nor the one without scripts
    with sqlite3.connect(tmp_path / "a.db") as db:
        body, sources = db.execute("SELECT body_text, sources FROM articles WHERE url LIKE '%/script-story'").fetchone()
        assert body == ("The bridge over the river reopened on Tuesday after two years of repairs.\n\n"
                        "Residents lined the banks to watch the first cars cross, and the mayor thanked the engineers.")
        assert json.loads(sources)["body_text"] == "rendered"
        assert db.execute("SELECT reason FROM failures WHERE url LIKE '%/no-script-story'").fetchall() == [
            ("missing_body_text",)]
        assert [url.rsplit("/", 1)[1] for (url,) in db.execute("SELECT url FROM captures WHERE kind = 'rendered'")] == [
            "script-story"]


# An app's shell: the section's stories come as JSON in the page, and its script writes their
# links (and the next page's) into it after load. The HTML as sent links nowhere.
SHELL_JS = """const state = JSON.parse(document.getElementById('state').textContent);
document.getElementById('app').innerHTML = '<ul>' + state.stories.map(
  s => '<li><a href="' + s.url + '">' + s.title + '</a></li>').join('') + '</ul>'
  + (state.next ? '<a rel="next" href="' + state.next + '">Older stories</a>' : '');"""


def shell(stories: list[str], next_page: str | None) -> str:
    state = json.dumps({"stories": [{"url": f"/2024/05/03/{slug}", "title": f"The story of the {slug}"}
                                    for slug in stories], "next": next_page})
    return (f"<!doctype html><html><head><title>Harbour news</title></head><body><div id='app'></div>"
            f"<script id='state' type='application/json'>{state}</script><script>{SHELL_JS}</script></body></html>")


SHELL_PAGES = {
    "/embeds/": shell(["ferry", "market", "crane"], "/embeds/?page=2"),
    "/embeds/?page=2": shell(["lighthouse", "regatta"], None),
    **{f"/2024/05/03/{slug}": article(slug, f"The story of the {slug}", "")
       for slug in ("ferry", "market", "crane", "lighthouse", "regatta")},
}


def test_a_section_whose_scripts_write_its_links_is_rendered_and_its_stories_archived(tmp_path):
    """Before, the section was one listing with no link and nothing of the site was archived (exit
    4), whatever --render said: only articles were rendered."""
    site = embed_site(SHELL_PAGES)
    try:
        crawled = crawl_embeds(site, tmp_path / "auto.db")
        never = run_cli("crawl", f"http://127.0.0.1:{site.server_port}/embeds/", "--db", str(tmp_path / "never.db"),
                        "--allow-private", "--render", "never", "-s", "ROBOTSTXT_OBEY=False")
    finally:
        site.shutdown()
    db = sqlite3.connect(tmp_path / "auto.db")
    assert sorted(url.rsplit("/", 1)[1] for (url,) in db.execute("SELECT url FROM articles")) == [
        "crane", "ferry", "lighthouse", "market", "regatta"]
    base = f"http://127.0.0.1:{site.server_port}"
    assert sorted(db.execute("SELECT url, page, links, requested FROM listings WHERE kind = 'listing'")) == [
        (f"{base}/embeds/", 1, 4, 4), (f"{base}/embeds/?page=2", 2, 2, 2)]  # the next page is a link too
    assert sorted(url for (url,) in db.execute("SELECT url FROM captures WHERE kind = 'rendered'")) == [
        f"{base}/embeds/", f"{base}/embeds/?page=2"]  # and no story: they need no browser
    assert "2 pages rendered (2 script_listing)" in crawled.stdout
    assert never.returncode == 4 and "met no article" in never.stderr


def test_a_rendered_section_keeps_the_stories_its_page_as_sent_listed(tmp_path):
    # Its script, failing to refresh the list from its API, put an error note in its place: the
    # links were read from the rendered page alone, and --render always archived none of the
    # stories --render never did (exit 4).
    stories = ("ferry", "market", "crane")
    listed = "".join(f"<li><a href='/2024/05/03/{slug}'>The story of the {slug}</a></li>" for slug in stories)
    section = ("<!doctype html><html><head><title>Harbour news</title></head><body><h1>Harbour news</h1>"
               f"<ul id='stories'>{listed}</ul><script>fetch('/api/missing.json').catch(() => null).then(() => {{"
               "document.getElementById('stories').outerHTML = '<p>Stories could not be loaded.</p>'; });</script>"
               "</body></html>")
    site = embed_site({"/embeds/": section, **{f"/2024/05/03/{slug}": article(slug, f"The story of the {slug}", "")
                                              for slug in stories}})
    try:
        crawled = crawl_embeds(site, tmp_path / "always.db", "NEWSARCHIVE_RENDER=always")
    finally:
        site.shutdown()
    db = sqlite3.connect(tmp_path / "always.db")
    assert sorted(url.rsplit("/", 1)[1] for (url,) in db.execute("SELECT url FROM articles")) == sorted(stories)
    assert db.execute("SELECT links FROM listings WHERE kind = 'listing'").fetchall() == [(3,)]
    assert "4 pages rendered (4 always)" in crawled.stdout


class OfflineAppSite(SiteHandler):
    """Six stories, each adding its own comment by script and registering /sw.js, a news site's
    offline app whose worker answers every page load with story 0 (its app shell)."""

    WORKER = ("self.addEventListener('install', e => self.skipWaiting());"
              "self.addEventListener('activate', e => e.waitUntil(clients.claim()));"
              "self.addEventListener('fetch', e => { if (e.request.mode === 'navigate') "
              "e.respondWith(fetch('/2024/05/01/story-0')); });")

    def do_GET(self):  # noqa: N802
        if self.path == "/news/":
            return self.answer(200, "<html><body><h1>News</h1>" + "".join(
                f"<p><a href='/2024/05/01/story-{n}'>Storm story {n}</a></p>" for n in range(6)) + "</body></html>")
        if self.path == "/sw.js":
            return self.answer(200, self.WORKER, **{"Content-Type": "application/javascript"})
        if self.path.startswith("/2024/05/01/story-"):
            n = self.path.rsplit("-", 1)[1]
            return self.answer(200, article(f"story-{n}", f"Storm story {n}", (
                "<h3>1 Comment</h3><ol id='comment-list'></ol><script>" + ITEM_JS
                + f"addComment('The comment on story {n}.');"
                  "navigator.serviceWorker.register('/sw.js').catch(function () {});</script>")))
        return self.answer(404, "no")


def test_a_service_worker_a_story_registers_answers_no_other_render(tmp_path):
    # The tabs share one browser context: story 0's worker answered the later renders' page loads
    # with story 0, past the route that gives the browser the page the crawl received, and story
    # 0's comment was stored as theirs, "complete".
    result = crawl_of(OfflineAppSite, tmp_path / "a.db", "-s", "AUTOTHROTTLE_ENABLED=False", "-s", "ROBOTSTXT_OBEY=False",
                      "-s", "NEWSARCHIVE_RENDER_CONCURRENCY=1")
    assert result.returncode == 0, result.stderr[-3000:]
    with sqlite3.connect(tmp_path / "a.db") as db:
        comments = sorted(db.execute("SELECT a.title, c.body_text FROM comments c JOIN articles a ON a.id = c.article_id"))
    assert comments == [(f"Storm story {n}", f"The comment on story {n}.") for n in range(6)]


def crawl_one_story(tmp_path, path: str, page: str, *settings: str, others: dict[str, str] | None = None):
    """crawl_embeds of a site whose listing links one story (`page` at `path`), and serves `others`;
    the archive, open."""
    site = embed_site({"/embeds/": f"<html><body><h1>Embeds</h1><p><a href='{path}'>A story</a></p></body></html>",
                       path: page, **(others or {})})
    try:
        crawl_embeds(site, tmp_path / "a.db", *settings)
    finally:
        site.shutdown()
    return sqlite3.connect(tmp_path / "a.db")


def test_comments_loaded_when_scrolled_to_are_read_below_a_long_story(tmp_path):
    # An IntersectionObserver on the comments (Disqus's and Jetpack's lazy loading) never saw them:
    # the browser never scrolled, and a story longer than a screen stayed `unreached` on every crawl.
    lazy = ("var seen = new IntersectionObserver(function (entries) { if (entries[0].isIntersecting) {"
            "seen.disconnect(); fetch('/api/lazy-comments.json').then(r => r.json()).then(items => items.forEach(addComment));"
            "} }); seen.observe(document.getElementById('comment-list'));")
    long_story = "".join(f"<p>{BODY} Part {n} of a long read.</p>" for n in range(40))
    page = article("lazy-comments", "Storm with comments loaded when seen", (
        "<h3>2 Comments</h3><ol id='comment-list'></ol><script>" + ITEM_JS + lazy + "</script>"
        "<footer><p><a href='/about'>About us</a></p></footer>")).replace(BODY, long_story, 1)
    db = crawl_one_story(tmp_path, "/2024/05/02/lazy-comments", page,
                         others={"/api/lazy-comments.json": json.dumps(["Seen once scrolled to, one.", "Seen once scrolled to, two."])})
    assert comments_of(db, "lazy-comments") == (
        "complete", ["Seen once scrolled to, one.", "Seen once scrolled to, two."], "rendered")


def test_comments_a_busy_comment_service_sends_after_3_s_are_read(tmp_path):
    # A request open for 2 s was taken for a stream: the page was read without its comments,
    # `unreached` on every crawl, whatever render timeout was given.
    db = crawl_one_story(tmp_path, "/2024/05/02/slow-comments", article("slow-comments", "Storm with slow comments", (
        "<h3>2 Comments</h3>" + comments_from("/api/slow-comments.json"))),
        others={"/api/slow-comments.json": json.dumps(["A slow comment, number one.", "A slow comment, number two."])})
    assert comments_of(db, "slow-comments") == (
        "complete", ["A slow comment, number one.", "A slow comment, number two."], "rendered")


def test_comments_behind_a_button_still_showing_after_the_last_click_allowed_are_unreached(tmp_path):
    # Each click adds two comments and the button stays: after NEWSARCHIVE_RENDER_MAX_CLICKS the
    # comments read were stored as complete, and the story's others never asked for again.
    db = crawl_one_story(tmp_path, "/2024/05/02/endless-comments", article("endless-comments", "Storm with endless comments", (
        "<ol id='comment-list'></ol><button id='more'>Load more comments</button><script>" + ITEM_JS
        + "var shown = 0; function more() { for (var k = 0; k < 2; k++) { shown += 1; addComment('Comment number ' + shown + '.'); } }"
          "more(); document.getElementById('more').addEventListener('click', more);</script>")), "NEWSARCHIVE_RENDER_MAX_CLICKS=3")
    status, = db.execute("SELECT comments_status FROM articles").fetchone()
    comments = [text for (text,) in db.execute("SELECT body_text FROM comments ORDER BY position")]
    assert (status, comments) == ("unreached", [f"Comment number {n}." for n in range(1, 9)])  # 2, and 2 a click


@pytest.mark.parametrize("says", [
    "<meta property='og:type' content='Article'>",
    "<meta property='article:published_time' content='2024-05-01T08:00:00Z'>",
    '<script type="application/ld+json">{"@context": "https://schema.org", "@type": ["NewsArticle"]}</script>',
])
def test_a_frame_showing_another_story_is_not_set_in(tmp_path, says):
    # A related story shown in a frame: its comments were set in with the page's and stored as its own.
    other = "<h3>2 Comments</h3><ol class='comment-list'>" + "".join(
        f"<li class='comment' id='o-{k}'><p>Comment {k} on the other story.</p></li>" for k in (1, 2)) + "</ol>"
    db = crawl_one_story(tmp_path, "/2024/05/05/framing", article("framing", "Storm with a related story in a frame", (
        "<h3>1 Comment</h3><ol id='comment-list'></ol><script>" + ITEM_JS + "addComment('The one comment on this story.');"
        "</script><iframe src='/2024/05/05/framed' title='Related story'></iframe>")),
        others={"/2024/05/05/framed": (f"<!doctype html><html><head><title>Other</title>{says}</head>"
                                       f"<body><h1>Other</h1><article>{BODY}</article>{other}</body></html>")})
    assert comments_of(db, "framing") == ("complete", ["The one comment on this story."], "rendered")


def test_a_load_more_link_to_another_page_keeps_the_tab_and_the_comments_it_showed(tmp_path):
    # Clicked as a "load more" button, the link took the tab to the other page: the render failed,
    # and the comments the browser had shown were lost (0 stored), crawl after crawl. A link the
    # page's own script takes (it loads more in place, leaving the link's default alone) still works.
    site = embed_site({
        "/embeds/": "<html><body><h1>Embeds</h1><p><a href='/2024/05/06/linked'>A</a> <a href='/2024/05/06/taken'>B</a></p></body></html>",
        "/2024/05/06/linked": article("linked", "Storm with a link to all its comments", (
            "<h3>10 Comments</h3><ol id='comment-list'></ol><a href='/2024/05/06/linked/all-comments'>View more comments</a>"
            "<script>" + ITEM_JS + "['One', 'Two', 'Three'].forEach(n => addComment(n + ', shown by the script.'));</script>")),
        "/2024/05/06/linked/all-comments": "<html><body><h1>All comments</h1></body></html>",
        "/2024/05/06/taken": article("taken", "Storm with a link its script takes", (
            "<h3>2 Comments</h3><ol id='comment-list'></ol><a id='more' href='/2024/05/06/taken?comments=2'>Load more comments</a>"
            "<script>" + ITEM_JS + "addComment('First, shown by the script.');"
            "document.getElementById('more').addEventListener('click', function () {"
            "addComment('Second, loaded in place.'); this.remove(); });</script>")),
    })
    try:
        result = crawl_embeds(site, tmp_path / "a.db")
    finally:
        site.shutdown()
    assert "could not be rendered" not in result.stdout
    db = sqlite3.connect(tmp_path / "a.db")
    assert comments_of(db, "linked") == ("unreached", [f"{n}, shown by the script." for n in ("One", "Two", "Three")],
                                         "rendered")
    assert comments_of(db, "taken") == ("complete", ["First, shown by the script.", "Second, loaded in place."], "rendered")


# Comments in batches of two: BATCHES[k] is what /api/batch-k.json answers.
BATCHES = [[f"Comment {2 * k + n} of six." for n in (1, 2)] for k in range(3)]
# Shows a batch: `replace` empties the list first (a pager of comments), else the whole list so
# far is written again (a framework rendering its state), each comment under its site's id.
SHOW_BATCH_JS = """var shown = [], batch = 0;
function show(items, replace) {
  shown = replace ? items : shown.concat(items);
  document.getElementById('comment-list').innerHTML = '';
  shown.forEach(function (text) {
    var li = document.createElement('li'); li.className = 'comment'; li.id = 'comment-' + text.split(' ')[1];
    li.innerHTML = '<div class="comment-content"><p></p></div>'; li.querySelector('p').textContent = text;
    document.getElementById('comment-list').appendChild(li);
  });
}
function next(replace) {
  fetch('/api/batch-' + batch + '.json').then(r => r.json()).then(function (items) {
    show(items, replace); batch += 1;
    if (batch === 3) document.getElementById('more').remove();
  });
}"""


@pytest.mark.parametrize(("replace", "at_load"), [(True, True), (False, True), (True, False)])
def test_comments_a_load_more_click_took_away_are_kept(tmp_path, replace, at_load):
    # "Show more comments" replacing the list with the next batch: the DOM read at the end showed
    # the last batch alone, and 2 of the 6 comments were stored, `complete`. A list written again
    # whole at each click (nothing lost) keeps each comment once. A page showing no comment before
    # its first click (a hint the click takes away) adds none, and does not make them unreached.
    first = "next({0});" if at_load else ""
    page = article("paged-comments", "Storm with paged comments", (
        "<h3>6 Comments</h3><p id='hint'>The comments are shown on request.</p><ol id='comment-list'></ol>"
        "<button id='more'>Show more comments</button><script>" + SHOW_BATCH_JS + first + "document.getElementById("
        "'more').addEventListener('click', function () { var hint = document.getElementById('hint');"
        "if (hint) hint.remove(); next({0}); });</script>").replace("{0}", str(replace).lower()))
    db = crawl_one_story(tmp_path, "/2024/05/07/paged-comments", page,
                         others={f"/api/batch-{k}.json": json.dumps(texts) for k, texts in enumerate(BATCHES)})
    assert comments_of(db, "paged-comments") == ("complete", [text for texts in BATCHES for text in texts], "rendered")
    ids = [row[0] for row in db.execute("SELECT site_comment_id FROM comments ORDER BY position")]
    assert ids == [str(n) for n in range(1, 7)]


def test_a_script_every_story_loads_is_kept_once_and_replays_their_comments(tmp_path):
    # The page's own comments script was never kept: a replay tool running the page found no
    # script, and showed no comment. A site's scripts are the same on every page: kept once.
    script = ITEM_JS + "document.querySelectorAll('[data-story]').forEach(function (story) {" \
                       "addComment('The one comment on story ' + story.dataset.story + '.'); });"
    story = ("<h3>1 Comment</h3><ol id='comment-list'></ol><span data-story='{n}'></span>"
             "<script src='/static/comments.js'></script>")
    site = embed_site({
        "/embeds/": "<html><body><h1>Embeds</h1>" + "".join(
            f"<p><a href='/2024/05/08/scripted-{n}'>Story {n}</a></p>" for n in (1, 2)) + "</body></html>",
        **{f"/2024/05/08/scripted-{n}": article(f"scripted-{n}", f"Storm with scripted comments {n}",
                                                story.replace("{n}", str(n))) for n in (1, 2)},
        "/static/comments.js": script})
    try:
        crawl_embeds(site, tmp_path / "a.db", "NEWSARCHIVE_RENDER_CONCURRENCY=1")
    finally:
        site.shutdown()
    db = sqlite3.connect(tmp_path / "a.db")
    assert [comments_of(db, f"scripted-{n}") for n in (1, 2)] == [
        ("complete", [f"The one comment on story {n}."], "rendered") for n in (1, 2)]
    kept = db.execute("SELECT url, body, body_encoding, content_type FROM captures WHERE kind = 'script'").fetchall()
    assert [(url.rsplit("/", 2)[-2:], zlib.decompress(body).decode(), encoding, kind) for url, body, encoding, kind in kept] == [
        (["static", "comments.js"], script, "zlib", "text/javascript")]


def test_a_script_the_stories_rendered_side_by_side_load_is_kept_once(tmp_path):
    # Each render in flight when the first kept the script kept it again (it was marked kept only
    # once read): 6 stories rendered at once stored the site's one script up to 6 times.
    script = ITEM_JS + "document.querySelectorAll('[data-story]').forEach(function (story) {" \
                       "addComment('The one comment on story ' + story.dataset.story + '.'); });"
    story = ("<h3>1 Comment</h3><ol id='comment-list'></ol><span data-story='{n}'></span>"
             "<script src='/static/comments.js'></script>")
    stories = range(1, 7)
    site = embed_site({
        "/embeds/": "<html><body><h1>Embeds</h1>" + "".join(
            f"<p><a href='/2024/05/08/side-by-side-{n}'>Story {n}</a></p>" for n in stories) + "</body></html>",
        **{f"/2024/05/08/side-by-side-{n}": article(f"side-by-side-{n}", f"Storm with scripted comments {n}",
                                                    story.replace("{n}", str(n))) for n in stories},
        "/static/comments.js": script})
    try:
        crawl_embeds(site, tmp_path / "a.db", "NEWSARCHIVE_RENDER_CONCURRENCY=8")
    finally:
        site.shutdown()
    db = sqlite3.connect(tmp_path / "a.db")
    assert [comments_of(db, f"side-by-side-{n}") for n in stories] == [
        ("complete", [f"The one comment on story {n}."], "rendered") for n in stories]
    assert db.execute("SELECT url FROM captures WHERE kind = 'script'").fetchall() == [
        (f"http://127.0.0.1:{site.server_port}/static/comments.js",)]


def test_comments_a_frame_of_the_sites_own_shows_by_script_are_read_from_the_rendered_page(tmp_path):
    # The frame was read without a browser as a page of the story's comments, and showed none (its
    # script writes them): the story was never rendered for them, `unreached` for good.
    frame = ("<html><body><ol id='comment-list'></ol><script>" + ITEM_JS
             + "addComment('First comment, in the frame.'); addComment('Second comment, in the frame.');</script>"
               "</body></html>")
    db = crawl_one_story(tmp_path, "/2024/05/09/framed-comments", article("framed-comments", "Storm with a comment frame", (
        "<h3>2 Comments</h3><iframe id='comments-frame' src='/frames/comments?story=9'></iframe>")),
        others={"/frames/comments?story=9": frame})
    assert comments_of(db, "framed-comments") == (
        "complete", ["First comment, in the frame.", "Second comment, in the frame."], "rendered")
    assert db.execute("SELECT count(*) FROM captures WHERE kind = 'rendered'").fetchone() == (1,)
