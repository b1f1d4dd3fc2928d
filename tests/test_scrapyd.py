"""The project deploys to Scrapyd as is, and a crawl scheduled there fills the archive.

Scrapyd runs on 127.0.0.1 from its own folder; the egg is built by `scrapyd-deploy --build-egg`
from this checkout (with our setup.py, so the package data comes along), uploaded with
addversion.json and scheduled with schedule.json, as the recipes in docs/scheduling.md do.
"""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from pathlib import Path

import pytest
import requests

from tests.conftest import free_port

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent



@pytest.fixture
def scrapyd(tmp_path):
    port = free_port()
    folder = tmp_path / "scrapyd"
    folder.mkdir()
    (folder / "scrapyd.conf").write_text(
        "[scrapyd]\nbind_address = 127.0.0.1\n"
        f"http_port = {port}\neggs_dir = {folder / 'eggs'}\nlogs_dir = {folder / 'logs'}\n"
        f"dbs_dir = {folder / 'dbs'}\nitems_dir =\nmax_proc = 2\npoll_interval = 0.5\n")
    process = subprocess.Popen([sys.executable, "-m", "scrapyd"], cwd=folder, stdout=subprocess.DEVNULL,
                               stderr=subprocess.PIPE, text=True)
    url = f"http://127.0.0.1:{port}"
    for _ in range(150):
        try:
            urllib.request.urlopen(url + "/daemonstatus.json", timeout=1)
            break
        except OSError:
            assert process.poll() is None, process.communicate()[1][-3000:]
            time.sleep(0.2)
    yield url, folder
    process.terminate()
    process.wait(timeout=10)


def test_deploy_schedule_and_crawl_the_demo_site(scrapyd, demo_site, tmp_path):
    url, folder = scrapyd
    egg = tmp_path / "newsarchive.egg"
    # scrapyd-deploy leaves the folder it built the egg in (its TMPDIR): this test's, not /tmp.
    built = subprocess.run([str(BIN / "scrapyd-deploy"), "--build-egg", str(egg)], cwd=ROOT,
                           capture_output=True, text=True, timeout=300, env={**os.environ, "TMPDIR": str(tmp_path)})
    assert built.returncode == 0, built.stderr[-3000:]
    with open(egg, "rb") as egg_file:
        added = requests.post(url + "/addversion.json", data={"project": "newsarchive", "version": "1"},
                              files={"egg": egg_file}, timeout=60).json()
    assert added["status"] == "ok" and added["spiders"] == 5, added
    listed = requests.get(url + "/listspiders.json", params={"project": "newsarchive"}, timeout=30).json()
    assert listed["spiders"] == ["almashareq", "caravanserai", "diyaruna", "generic", "salaamtimes"]

    db_path = tmp_path / "scrapyd-archive.db"
    scheduled = requests.post(url + "/schedule.json", data=[
        ("project", "newsarchive"), ("spider", "diyaruna"),
        ("setting", f"NEWSARCHIVE_DB_PATH={db_path}"), ("setting", "AUTOTHROTTLE_ENABLED=0"),
        ("base_url", demo_site.base_url), ("allow_private", "1"), ("locales", "ar"),
    ], timeout=30).json()
    assert scheduled["status"] == "ok", scheduled
    job = scheduled["jobid"]
    deadline = time.monotonic() + 240
    while True:
        jobs = requests.get(url + "/listjobs.json", params={"project": "newsarchive"}, timeout=30).json()
        if any(j["id"] == job for j in jobs["finished"]):
            break
        assert time.monotonic() < deadline, f"job {job} did not finish: {jobs}"
        time.sleep(0.5)

    db = sqlite3.connect(db_path)
    arabic = [a for a in demo_site.manifest["articles"] if a["locale"] == "ar"]
    assert db.execute("SELECT count(*) FROM articles").fetchone()[0] == len(arabic)
    assert db.execute("SELECT count(*) FROM comments").fetchone()[0] == sum(len(a["comments"]) for a in arabic)
    crawl = db.execute("SELECT finish_reason, settings FROM crawls").fetchone()
    assert crawl[0] == "finished"
    assert json.loads(crawl[1])["spider_arguments"]["locales"] == "ar"
