"""`newsarchive demo`: readable articles, and run twice on one archive, a re-crawl of a site that
changed in between, not a second copy of it."""

from __future__ import annotations

import re
import socket
import sqlite3
import subprocess
import sys

from newsarchive.demo.site import generate_site
from tests.conftest import free_port, interrupt, run_cli


def test_demo_articles_read_as_sentences(tmp_path):
    manifest = generate_site(tmp_path / "site", 40, seed=9)
    english = [a for a in manifest["articles"] if a["locale"] == "en_GB"]
    arabic = [a for a in manifest["articles"] if a["locale"] == "ar"]
    assert english and arabic
    for article in english:
        page = (tmp_path / "site" / article["path"].strip("/") / "index.html").read_text(encoding="utf-8")
        paragraphs = re.findall(r'<p class="article__p">(.*?)</p>', page)
        sentences = [s for p in paragraphs for s in re.split(r"(?<=[.?!]) (?=[A-Z&])", p)]
        assert sentences and all(s[0].isupper() or s.startswith("&quot;") for s in sentences)
        assert all(s.rstrip().endswith((".", "?", "!")) for s in sentences)
        assert article["title"][0].isupper() and "  " not in article["title"]
    for article in arabic:
        assert not re.search(r"[A-Za-z]", article["title"])


def test_a_second_demo_run_is_an_incremental_crawl_of_the_changed_site(tmp_path):
    db_path, port = tmp_path / "demo.db", str(free_port())
    first = run_cli("demo", "--db", str(db_path), "--articles", "40", "--port", port)
    assert first.returncode == 0, first.stderr[-3000:]
    assert "run it again (the site will have changed): newsarchive demo --db" in first.stdout
    second = run_cli("demo", "--db", str(db_path), "--articles", "40", "--port", port)
    assert second.returncode == 0, second.stderr[-3000:]
    assert ("what this crawl found since the last one: 2 new articles, 2 new versions of edited articles, "
            "3 comments added, 1 comments removed") in second.stdout
    with sqlite3.connect(db_path) as db:
        assert db.execute("SELECT count(*), count(DISTINCT canonical_url) FROM articles").fetchone() == (42, 42)
        assert db.execute("SELECT count(*) FROM article_versions WHERE version = 2").fetchone() == (2,)
        titles = [t for (t,) in db.execute("SELECT title FROM article_versions WHERE version = 2")]
        assert all(t.endswith((", officials say", "، بحسب مسؤولين")) for t in titles)
        assert db.execute("SELECT count(*) FROM comments WHERE removed_at IS NOT NULL").fetchone() == (1,)
        fetched = db.execute("SELECT articles_stored, articles_skipped FROM crawls WHERE id = 2").fetchone()
    assert fetched[0] < 15 and fetched[1] > 25  # an incremental crawl: most known articles not fetched again


def test_a_port_whose_last_connections_are_still_closing_is_free():
    # A demo killed and run again at once: its server's connections wait out TIME_WAIT, and the
    # port was taken for busy; the rerun served the site at another origin (another site to the
    # archive: its pages fetched again, its stories stored twice).
    from newsarchive.demo.run import _free_or

    listening = socket.socket()
    listening.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as the demo's server (http.server) binds
    listening.bind(("127.0.0.1", 0))
    listening.listen()
    port = listening.getsockname()[1]
    assert _free_or(port) == 0  # a server on it: busy
    client = socket.create_connection(("127.0.0.1", port))
    accepted, _ = listening.accept()
    accepted.close()  # the server's side closes first: its end waits in TIME_WAIT
    client.close()
    listening.close()
    assert _free_or(port) == port


def test_a_demo_stopped_by_ctrl_c_exits_as_its_crawl_did(tmp_path):
    # It said "crawl 1 shutdown", then how to look at the archive, and exited 0.
    demo = subprocess.Popen([sys.executable, "-m", "newsarchive.cli", "demo", "--db", str(tmp_path / "d.db"),
                             "--articles", "3000", "--port", str(free_port())],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        assert "crawling into" in next(line for line in demo.stdout if "crawling into" in line or "crawl " in line)
        out, err = interrupt(demo, 1.5)
    finally:
        demo.kill()
    assert demo.returncode == 1
    assert re.search(r"^crawl 1 shutdown in ", out, re.M)
    assert err.strip().splitlines()[-1] == "exit 1: the crawl did not finish (shutdown)"
