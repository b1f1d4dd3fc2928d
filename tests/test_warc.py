"""WARC export: the captures of two crawls (the second with revisits) written, checked and replayed.

Checked by warcio's own `warcio check`, indexed by `cdxj-indexer`, read back byte for byte with
warcio's reader, and replayed by pywb started on loopback. pywb pins old versions of libraries we
use, so it runs from its own virtual environment (tests/conftest.py: pywb_bin).
"""

from __future__ import annotations

import gzip
import json
import sqlite3
import subprocess
import sys
import time
import urllib.error
import urllib.request
import zlib
from datetime import datetime

import pytest
from warcio.archiveiterator import ArchiveIterator

from exports.warc import PROFILES, payload_digest_of
from tests.conftest import free_port, run_cli
from tests.test_recrawl import Recrawl


def console_script(module_main: str, *args: str) -> subprocess.CompletedProcess:
    code = f"import sys; from {module_main} import main; sys.exit(main())"
    return subprocess.run([sys.executable, "-c", code, *args], capture_output=True, text=True, timeout=300)


@pytest.fixture(scope="module")
def exported(tmp_path_factory):
    folder = tmp_path_factory.mktemp("warc")
    run = Recrawl(folder)
    try:
        run.crawl()
        run.change_site()
        time.sleep(1.1)  # replay tools tell captures apart by the second
        run.crawl()
    finally:
        run.stop()
    warc_path = folder / "crawl.warc.gz"
    result = run_cli("export", "warc", "--db", str(run.db_path), "--out", str(warc_path))
    assert result.returncode == 0, result.stderr[-3000:]
    db = sqlite3.connect(run.db_path)
    db.row_factory = sqlite3.Row
    captures = [dict(row) for row in db.execute("SELECT * FROM captures ORDER BY id")]
    db.close()
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
    for capture in captures:
        status, body = replay(f"{pywb_replay}/{warc_timestamp(capture['fetched_at'])}id_/{capture['url']}")
        if capture["revisit_of"] is None:
            assert (status, body) == (capture["status"], capture_body(capture)), capture["url"]
            replayed["response"] += 1
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
