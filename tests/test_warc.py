"""WARC export: the captures of two crawls (the second with revisits) written, checked and replayed.

The crawls download photo files, so pages, robots.txt and photos are all captures. Checked by
warcio's own `warcio check`, indexed by `cdxj-indexer`, read back byte for byte with warcio's
reader, and replayed by pywb started on loopback. pywb pins old versions of libraries we use, so
it runs from its own virtual environment (tests/conftest.py: pywb_bin). The WACZ package of the
same archive is checked file by file and by py-wacz's validator.
"""

from __future__ import annotations

import contextlib
import gzip
import hashlib
import io
import json
import shutil
import sqlite3
import subprocess
import sys
import time
import urllib.error
import urllib.request
import zipfile
import zlib
from datetime import datetime
from urllib.parse import urlsplit

import pytest
from wacz.main import main as wacz_main
from warcio.archiveiterator import ArchiveIterator

from exports.warc import PROFILES, WireHeaders, payload_digest_of
from newsarchive.demo.serve import demo_jpeg
from tests.conftest import SiteHandler, crawl_of, free_port, run_cli, section_html, story_html
from tests.test_recrawl import Recrawl


def console_script(module_main: str, *args: str) -> subprocess.CompletedProcess:
    code = f"import sys; from {module_main} import main; sys.exit(main())"
    return subprocess.run([sys.executable, "-c", code, *args], capture_output=True, text=True, timeout=300)


@pytest.fixture(scope="module")
def exported(tmp_path_factory):
    folder = tmp_path_factory.mktemp("warc")
    run = Recrawl(folder)
    run.photos_dir = folder / "photos"
    try:
        run.crawl("--photos-dir", str(run.photos_dir))
        run.change_site()
        time.sleep(1.1)  # replay tools tell captures apart by the second
        run.crawl("--photos-dir", str(run.photos_dir))
    finally:
        run.stop()
    warc_path = folder / "crawl.warc.gz"
    result = run_cli("export", "warc", "--db", str(run.db_path), "--out", str(warc_path))
    assert result.returncode == 0, result.stderr[-3000:]
    db = sqlite3.connect(run.db_path)
    db.row_factory = sqlite3.Row
    captures = [dict(row) for row in db.execute("SELECT * FROM captures ORDER BY id")]
    db.close()
    for capture in captures:  # a photo's body is its file under the photos folder
        if capture["body_file"]:
            capture["body"] = zlib.compress((run.photos_dir / capture["body_file"]).read_bytes())
    return run, warc_path, captures, result.stdout


def read_records(path):
    with open(path, "rb") as stream:
        for record in ArchiveIterator(stream):
            yield record, record.content_stream().read()


def capture_body(capture) -> bytes:
    return zlib.decompress(capture["body"]) if capture["body"] is not None else b""


def test_export_reports_what_it_wrote(exported):
    _, warc_path, captures, stdout = exported
    revisits = sum(1 for c in captures if c["revisit_of"] is not None)
    assert f"{len(captures) - revisits} response" in stdout and f"{revisits} revisit" in stdout
    assert revisits > 0 and warc_path.stat().st_size > 0


def test_warcio_check_passes_and_catches_a_corrupted_copy(exported, tmp_path):
    _, warc_path, _, _ = exported
    good = console_script("warcio.cli", "check", "-v", str(warc_path))
    assert good.returncode == 0, good.stdout[-2000:]
    assert "digest pass" in good.stdout
    damaged = bytearray(gzip.decompress(warc_path.read_bytes()))
    damaged[damaged.find(b"<main") + 2] ^= 0x01
    (tmp_path / "damaged.warc").write_bytes(bytes(damaged))
    bad = console_script("warcio.cli", "check", str(tmp_path / "damaged.warc"))
    assert bad.returncode != 0 and "digest failed" in bad.stdout


def test_warcinfo_names_the_crawler_and_its_settings(exported):
    _, warc_path, _, _ = exported
    record, content = next(read_records(warc_path))
    assert record.rec_type == "warcinfo"
    assert record.rec_headers.get_header("WARC-Type") == "warcinfo"
    text = content.decode("utf-8")
    assert "software: newsarchive/" in text and "format: WARC File Format 1.1" in text
    metadata = json.loads(text.split("json-metadata: ", 1)[1].splitlines()[0])
    assert [crawl["id"] for crawl in metadata["crawls"]] == [1, 2]
    assert metadata["crawls"][0]["settings"]["ROBOTSTXT_OBEY"] is True


def test_every_capture_round_trips_byte_for_byte(exported):
    _, warc_path, captures, _ = exported
    by_key = {(c["url"], c["fetched_at"]): c for c in captures}
    responses, requests, revisits = [], [], []
    for record, content in read_records(warc_path):
        assert record.rec_headers.protocol == "WARC/1.1"
        key = (record.rec_headers.get_header("WARC-Target-URI"), record.rec_headers.get_header("WARC-Date"))
        if record.rec_type == "response":
            capture = by_key[key]
            assert content == capture_body(capture)
            assert record.http_headers.get_statuscode() == str(capture["status"])
            assert record.rec_headers.get_header("WARC-Payload-Digest") == payload_digest_of(content)
            responses.append(key)
        elif record.rec_type == "request":
            assert record.http_headers.protocol == "GET"
            target, http_version = record.http_headers.statusline.split(" ")
            assert key[0].endswith(target) and http_version == "HTTP/1.1"
            assert record.rec_headers.get_header("WARC-Concurrent-To")
            requests.append(key)
        elif record.rec_type == "revisit":
            revisits.append((key, record))
    assert len(responses) + len(revisits) == len(captures) == len(requests)
    assert set(responses) | {key for key, _ in revisits} == set(by_key)


class RawHeaderSite(SiteHandler):
    """A site whose headers hold bytes past ASCII, as servers send them: story 1 redirects to an
    Arabic slug written in UTF-8 in its Location, and every answer has a Latin-1 header."""

    ARABIC_SLUG = "\u0642\u0635\u0629".encode()  # qissa, "story"

    def do_GET(self):  # noqa: N802 (the http.server API)
        path = self.path
        if path == "/news/2024/05/01/story-1":
            self.send_raw(b"301 Moved Permanently", b"moved", b"Location: /news/2024/05/01/" + self.ARABIC_SLUG + b"/\r\n")
        elif path == "/news/":
            self.send_raw(b"200 OK", section_html(range(1, 3)).encode())
        elif path.startswith("/news/2024/05/0"):
            self.send_raw(b"200 OK", story_html(path.rsplit("-", 1)[-1].strip("/")).encode())
        else:
            self.send_raw(b"404 Not Found", b"no")

    def send_raw(self, status: bytes, body: bytes, extra: bytes = b"") -> None:
        self.close_connection = True
        self.wfile.write(b"HTTP/1.1 " + status + b"\r\nContent-Type: text/html; charset=utf-8\r\nContent-Length: "
                         + str(len(body)).encode() + b"\r\nX-Place: caf\xe9\r\n" + extra + b"\r\n" + body)


def test_headers_are_written_as_the_bytes_that_came(tmp_path):
    # warcio percent-encoded every header value past ASCII: the redirect replayed to a URL never captured.
    db_path, warc_path = tmp_path / "a.db", tmp_path / "a.warc"
    crawled = crawl_of(RawHeaderSite, db_path, "--render", "never", "--no-index")
    assert crawled.returncode == 0, crawled.stderr[-3000:]
    assert run_cli("export", "warc", "--db", str(db_path), "--out", str(warc_path)).returncode == 0
    raw = warc_path.read_bytes()
    assert b"\r\nLocation: /news/2024/05/01/" + RawHeaderSite.ARABIC_SLUG + b"/\r\n" in raw
    # robots.txt, the section, /sitemap.xml (a 404), the redirect, its target and story 2
    assert raw.count(b"\r\nX-Place: caf\xe9\r\n") == 6
    assert b"%C3" not in raw
    assert console_script("warcio.cli", "check", str(warc_path)).returncode == 0  # the digests are of those bytes
    redirect = next(record for record, _ in read_records(warc_path)
                    if record.rec_type == "response" and record.http_headers.get_statuscode() == "301")
    assert redirect.http_headers.get_header("Location") == "/news/2024/05/01/\u0642\u0635\u0629/"  # as a reader decodes it


def test_header_text_that_never_was_bytes_is_percent_encoded_as_warcio_does():
    wire = WireHeaders("200 OK", [("X-Place", "caf\xe9")], protocol="HTTP/1.1")
    wire.compute_headers_buffer()
    assert wire.headers_buff == b"HTTP/1.1 200 OK\r\nX-Place: caf\xe9\r\n\r\n"
    beyond = WireHeaders("200 OK", [("X-Place", "\u0642")], protocol="HTTP/1.1")  # a browser's text, past Latin-1
    beyond.compute_headers_buffer()
    assert beyond.headers_buff == b"HTTP/1.1 200 OK\r\nX-Place: %D9%82\r\n\r\n"


def photo_urls_of(run) -> set[str]:
    """Every photo of every article the site had, before and after it changed."""
    return {run.base_url + photo["path"] for manifest in (run.before, run.after)
            for article in manifest["articles"] for photo in article["photos"]}


def test_each_downloaded_photo_is_a_response_record_with_its_bytes(exported):
    run, warc_path, _, _ = exported
    photos = {}
    for record, content in read_records(warc_path):
        if record.rec_type in ("response", "revisit") and record.http_headers.get_header("Content-Type") == "image/jpeg":
            assert record.rec_type == "response"  # the second crawl fetched no photo again
            url = record.rec_headers.get_header("WARC-Target-URI")
            assert url not in photos
            photos[url] = content
    assert set(photos) == photo_urls_of(run)
    for url, content in photos.items():
        assert content == demo_jpeg(urlsplit(url).path), url  # exactly what the server sent


def test_robots_txt_is_captured_by_each_crawl(exported):
    run, warc_path, _, _ = exported
    robots_url = run.base_url + "/robots.txt"
    records = [(record.rec_type, content) for record, content in read_records(warc_path)
               if record.rec_type != "request" and record.rec_headers.get_header("WARC-Target-URI") == robots_url]
    served = (run.site_dir / "robots.txt").read_bytes()
    assert served == b"User-agent: *\nDisallow: /private/\n"
    assert records == [("response", served), ("revisit", b"")]  # the second crawl's is the same body


def test_photos_are_read_from_the_folder_given_when_they_moved(exported, tmp_path):
    run, _, captures, _ = exported
    moved = tmp_path / "moved"
    shutil.copytree(run.photos_dir, moved)
    out = tmp_path / "moved.warc"
    result = run_cli("export", "warc", "--db", str(run.db_path), "--out", str(out), "--crawl", "1",
                     "--photos-dir", str(moved))
    assert result.returncode == 0, result.stderr
    photos = {record.rec_headers.get_header("WARC-Target-URI"): content for record, content in read_records(out)
              if record.rec_type == "response" and record.http_headers.get_header("Content-Type") == "image/jpeg"}
    assert len(photos) == sum(1 for c in captures if c["kind"] == "photo" and c["crawl_id"] == 1) > 0
    assert all(content == demo_jpeg(urlsplit(url).path) for url, content in photos.items())


def test_a_missing_or_altered_photo_file_is_one_line_and_no_warc(exported, tmp_path):
    run, _, captures, _ = exported
    first_photo = next(c for c in captures if c["kind"] == "photo")
    out = tmp_path / "out.warc"
    empty = tmp_path / "empty"
    empty.mkdir()
    missing = run_cli("export", "warc", "--db", str(run.db_path), "--out", str(out), "--photos-dir", str(empty))
    assert missing.returncode == 1 and "Traceback" not in missing.stderr
    assert missing.stderr == (f"Error: cannot read the photo file of capture {first_photo['id']} ({first_photo['url']}): "
                              f"{empty / first_photo['body_file']}: No such file or directory; give the photos "
                              f"folder with --photos-dir\n")
    altered = tmp_path / "altered"
    shutil.copytree(run.photos_dir, altered)
    (altered / first_photo["body_file"]).write_bytes(b"not the photo")
    wrong = run_cli("export", "warc", "--db", str(run.db_path), "--out", str(out), "--photos-dir", str(altered))
    assert wrong.returncode == 1
    assert wrong.stderr == (f"Error: {altered / first_photo['body_file']} is not the photo captured from "
                            f"{first_photo['url']} (capture {first_photo['id']}): its SHA-256 differs\n")
    assert not out.exists() and list(tmp_path.glob(".*partial")) == []


def test_revisits_point_at_the_response_that_holds_the_body(exported):
    _, warc_path, captures, _ = exported
    by_id = {c["id"]: c for c in captures}
    by_key = {(c["url"], c["fetched_at"]): c for c in captures}
    digests = {}
    profiles = set()
    for record, content in read_records(warc_path):
        headers = record.rec_headers
        key = (headers.get_header("WARC-Target-URI"), headers.get_header("WARC-Date"))
        if record.rec_type == "response":
            digests[key] = headers.get_header("WARC-Payload-Digest")
        if record.rec_type == "revisit":
            original = by_id[by_key[key]["revisit_of"]]
            refers_to = (headers.get_header("WARC-Refers-To-Target-URI"), headers.get_header("WARC-Refers-To-Date"))
            assert refers_to == (original["url"], original["fetched_at"])
            assert headers.get_header("WARC-Payload-Digest") == digests[refers_to]  # written before it
            profile = headers.get_header("WARC-Profile")
            assert profile == PROFILES["not_modified" if by_key[key]["status"] == 304 else "identical"]
            assert [name for name, _ in headers.headers].count("WARC-Profile") == 1  # WARC 1.1: once
            profiles.add(profile)
            assert content == b""
    assert profiles == set(PROFILES.values())


def test_export_of_one_crawl_keeps_revisits_resolvable(exported, tmp_path):
    run, _, captures, _ = exported
    out = tmp_path / "second.warc"
    result = run_cli("export", "warc", "--db", str(run.db_path), "--out", str(out), "--crawl", "2")
    assert result.returncode == 0, result.stderr
    second = [c for c in captures if c["crawl_id"] == 2]
    records = [r for r, _ in read_records(out) if r.rec_type in ("response", "revisit")]
    assert len(records) == len(second)
    assert console_script("warcio.cli", "check", str(out)).returncode == 0


def test_cdxj_indexer_indexes_every_capture(exported):
    _, warc_path, captures, _ = exported
    result = console_script("cdxj_indexer.main", str(warc_path))
    assert result.returncode == 0, result.stderr
    entries = [json.loads(line.split(" ", 2)[2]) for line in result.stdout.splitlines() if line.strip()]
    indexed = [e for e in entries if e.get("mime") != "warc/request" and "method" not in e]
    assert len(indexed) == len(captures)
    assert {e["url"] for e in indexed} == {c["url"] for c in captures}
    assert sum(1 for e in indexed if e["mime"] == "warc/revisit") == sum(1 for c in captures if c["revisit_of"])



def test_cdx_option_writes_a_sorted_cdxj_index_with_each_record_at_its_offset(exported, tmp_path):
    run, _, captures, _ = exported
    out = tmp_path / "indexed.warc.gz"
    result = run_cli("export", "warc", "--db", str(run.db_path), "--out", str(out), "--cdx")
    assert result.returncode == 0, result.stderr
    index = tmp_path / "indexed.warc.gz.cdxj"
    assert result.stdout.splitlines()[-1] == f"wrote {index}"
    lines = index.read_text().splitlines()
    assert lines == sorted(lines)
    entries = [json.loads(line.split(" ", 2)[2]) for line in lines]
    assert len(entries) == len(captures)  # one line for each response or revisit record
    with open(out, "rb") as stream:
        records = [(record.rec_type, record.rec_headers.get_header("WARC-Target-URI"), iterator.get_record_offset())
                   for iterator in [ArchiveIterator(stream)] for record in iterator]
    indexed = {(int(e["offset"]), e["url"]) for e in entries}
    assert indexed == {(offset, url) for kind, url, offset in records if kind in ("response", "revisit")}
    with open(out, "rb") as stream:
        for entry in entries:  # each offset is where a record of that URL starts
            stream.seek(int(entry["offset"]))
            record = next(iter(ArchiveIterator(stream)))
            assert record.rec_headers.get_header("WARC-Target-URI") == entry["url"]
            assert record.rec_type in ("response", "revisit")
            assert entry["filename"] == "indexed.warc.gz"


@pytest.fixture(scope="module")
def wacz_package(exported, tmp_path_factory):
    run, _, _, _ = exported
    out = tmp_path_factory.mktemp("wacz") / "archive.wacz"
    result = run_cli("export", "wacz", "--db", str(run.db_path), "--out", str(out))
    assert result.returncode == 0, result.stderr[-3000:]
    return out, result.stdout


def test_wacz_holds_the_warc_its_index_and_the_article_pages(exported, wacz_package):
    run, _, captures, _ = exported
    out, stdout = wacz_package
    articles = {run.base_url + a["path"]: a["title"] for a in run.after["articles"]}
    assert stdout.startswith(f"wrote {out}: {len(articles)} article pages; WARC: ")
    with zipfile.ZipFile(out) as package:
        names = set(package.namelist())
        assert names == {"archive/archive.warc.gz", "indexes/index.cdx.gz", "indexes/index.idx",
                         "pages/pages.jsonl", "datapackage.json", "datapackage-digest.json"}
        warc = package.read("archive/archive.warc.gz")
        records = [r for r in ArchiveIterator(io.BytesIO(warc)) if r.rec_type in ("response", "revisit")]
        assert len(records) == len(captures)
        index = gzip.decompress(package.read("indexes/index.cdx.gz")).decode().splitlines()
        assert len(index) == len(captures)
        header, *pages = [json.loads(line) for line in package.read("pages/pages.jsonl").decode().splitlines()]
        assert header == {"format": "json-pages-1.0", "id": "pages", "title": "Articles"}
        assert {page["url"]: page["title"] for page in pages} == articles
        captured_at = {(c["url"], c["fetched_at"]) for c in captures if c["status"] == 200}
        assert all((page["url"], page["ts"]) in captured_at for page in pages)


def test_wacz_datapackage_lists_every_file_with_its_hash_and_digest(wacz_package):
    out, _ = wacz_package
    with zipfile.ZipFile(out) as package:
        datapackage = package.read("datapackage.json")
        resources = json.loads(datapackage)["resources"]
        assert {r["path"] for r in resources} == set(package.namelist()) - {"datapackage.json", "datapackage-digest.json"}
        for resource in resources:
            data = package.read(resource["path"])
            assert resource["hash"] == "sha256:" + hashlib.sha256(data).hexdigest()
            assert resource["bytes"] == len(data)
        digest = json.loads(package.read("datapackage-digest.json"))
        assert digest["hash"] == "sha256:" + hashlib.sha256(datapackage).hexdigest()


def test_wacz_validator_passes(wacz_package):
    out, _ = wacz_package
    printed = io.StringIO()
    with contextlib.redirect_stdout(printed):
        status = wacz_main(["validate", "--file", str(out)])
    assert status == 0, printed.getvalue()
    assert printed.getvalue().strip().endswith("Validation succeeded, the passed WACZ is valid")


def test_wacz_of_one_crawl_holds_the_earlier_responses_its_revisits_refer_to(exported, tmp_path):
    # A page unchanged since crawl 1 is a revisit of crawl 1's response: the package of crawl 2
    # alone held the revisit and not the response, and no replay tool could show the page.
    run, _, captures, _ = exported
    out = tmp_path / "second.wacz"
    assert run_cli("export", "wacz", "--db", str(run.db_path), "--out", str(out), "--crawl", "2").returncode == 0
    with zipfile.ZipFile(out) as package:
        records = list(ArchiveIterator(io.BytesIO(package.read("archive/second.warc.gz"))))
    responses = {(r.rec_headers.get_header("WARC-Target-URI"), r.rec_headers.get_header("WARC-Date"))
                 for r in records if r.rec_type == "response"}
    revisits = [(r.rec_headers.get_header("WARC-Refers-To-Target-URI"), r.rec_headers.get_header("WARC-Refers-To-Date"))
                for r in records if r.rec_type == "revisit"]
    second = [c for c in captures if c["crawl_id"] == 2]
    by_id = {c["id"]: c for c in captures}
    originals = {(by_id[c["revisit_of"]]["url"], by_id[c["revisit_of"]]["fetched_at"]) for c in second if c["revisit_of"]}
    assert revisits and originals and all(by_id[c["revisit_of"]]["crawl_id"] == 1 for c in second if c["revisit_of"])
    assert set(revisits) <= responses
    fetched = {(c["url"], c["fetched_at"]) for c in second if c["revisit_of"] is None and c["kind"] != "rendered"}
    # The photos crawl 2's pages show, fetched by crawl 1 only (a photo the archive has is not
    # fetched again): the last capture of each, or the package replayed the stories without them.
    pages = {c["url"] for c in second if c["kind"] == "page"}
    with sqlite3.connect(run.db_path) as db:
        shown = {url for url, page in db.execute("SELECT p.url, u.url FROM photos p JOIN article_urls u "
                                                 "ON u.article_id = p.article_id") if page in pages}
    fetched_again = {c["url"] for c in second if c["kind"] == "photo"}
    earlier = {}
    for c in captures:  # in the order stored: the last one stays
        if c["kind"] == "photo" and c["url"] in shown - fetched_again:
            earlier[c["url"]] = (c["url"], c["fetched_at"])
    assert earlier  # the recrawl's stories show photos crawl 1 fetched
    assert responses == fetched | originals | set(earlier.values())  # and the responses its revisits refer to
    assert len(revisits) == sum(1 for c in second if c["revisit_of"])
    # A WARC of crawl 2 alone refers to crawl 1's WARC, as WARC collections do.
    warc = tmp_path / "second.warc"
    assert run_cli("export", "warc", "--db", str(run.db_path), "--out", str(warc), "--crawl", "2").returncode == 0
    assert {(r.rec_headers.get_header("WARC-Target-URI"), r.rec_headers.get_header("WARC-Date"))
            for r, _ in read_records(warc) if r.rec_type == "response"} == fetched


def test_wacz_of_a_missing_crawl_or_into_a_missing_folder_is_refused(exported, tmp_path):
    run, _, _, _ = exported
    missing = run_cli("export", "wacz", "--db", str(run.db_path), "--out", str(tmp_path / "a.wacz"), "--crawl", "42")
    assert missing.returncode == 2 and f"Error: Invalid value for '--crawl': no crawl 42 in {run.db_path} (its crawls " \
        "are 1 to 2)" in missing.stderr
    nowhere = run_cli("export", "wacz", "--db", str(run.db_path), "--out", str(tmp_path / "no" / "a.wacz"))
    assert (nowhere.returncode, nowhere.stderr) == (
        1, f"Error: cannot write {tmp_path / 'no' / 'a.wacz'}: the folder {tmp_path / 'no'} does not exist\n")
    assert list(tmp_path.iterdir()) == []


@pytest.fixture(scope="module")
def pywb_replay(exported, pywb_bin, tmp_path_factory):
    _, warc_path, _, _ = exported
    root = tmp_path_factory.mktemp("pywb")
    for command in (["wb-manager", "init", "news"], ["wb-manager", "add", "news", str(warc_path)]):
        subprocess.run([str(pywb_bin / command[0]), *command[1:]], cwd=root, check=True, capture_output=True)
    port = free_port()
    server = subprocess.Popen([str(pywb_bin / "wayback"), "-p", str(port), "-b", "127.0.0.1"], cwd=root,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}/news"
    for _ in range(100):
        try:
            urllib.request.urlopen(base + "/", timeout=1)
            break
        except OSError:
            time.sleep(0.2)
    yield base
    server.terminate()
    server.wait(timeout=10)


def warc_timestamp(iso: str) -> str:
    return datetime.strptime(iso[:19], "%Y-%m-%dT%H:%M:%S").strftime("%Y%m%d%H%M%S")


def replay(url: str) -> tuple[int, bytes]:
    try:
        with urllib.request.urlopen(url, timeout=30) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()


def test_pywb_replays_every_page_as_captured(exported, pywb_replay):
    """Each capture at its own time: the body (a revisit resolved to its original's), or the 304."""
    _, _, captures, _ = exported
    by_id = {c["id"]: c for c in captures}
    replayed = {"response": 0, "identical": 0, "not_modified": 0}
    kinds = set()
    for capture in captures:
        status, body = replay(f"{pywb_replay}/{warc_timestamp(capture['fetched_at'])}id_/{capture['url']}")
        if capture["revisit_of"] is None:
            assert (status, body) == (capture["status"], capture_body(capture)), capture["url"]
            replayed["response"] += 1
            kinds.add(capture["kind"])
        elif capture["status"] == 304:
            assert status == 304, capture["url"]  # what the server answered, kept as it was
            original = by_id[capture["revisit_of"]]
            status, body = replay(f"{pywb_replay}/{warc_timestamp(original['fetched_at'])}id_/{capture['url']}")
            assert (status, body) == (200, capture_body(original))
            replayed["not_modified"] += 1
        else:
            assert (status, body) == (200, capture_body(by_id[capture["revisit_of"]])), capture["url"]
            replayed["identical"] += 1
    assert all(replayed.values()), replayed
    assert kinds == {"page", "photo", "robots"}  # the photos replay as captured, robots.txt too
