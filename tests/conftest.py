"""Shared fixtures: a generated demo site served by a real HTTP server process on 127.0.0.1."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

DEMO_ARTICLES = 60


class ServedSite:
    def __init__(self, site_dir: Path, base_url: str):
        self.site_dir = site_dir
        self.base_url = base_url
        self.manifest = json.loads((site_dir / "manifest.json").read_text(encoding="utf-8"))

    def url(self, path: str) -> str:
        return self.base_url + path


def serve_in_subprocess(site_dir: Path, *extra_args: str):
    process = subprocess.Popen(
        [sys.executable, "-m", "newsarchive.demo.serve", str(site_dir), "--port", "0", *extra_args],
        stdout=subprocess.PIPE, text=True,
    )
    base_url = process.stdout.readline().strip()
    if not base_url.startswith("http://127.0.0.1:"):
        process.kill()
        raise RuntimeError(f"demo server did not start: {base_url!r}")
    return process, base_url


@pytest.fixture(scope="session")
def demo_site(tmp_path_factory):
    from newsarchive.demo.site import generate_site

    site_dir = tmp_path_factory.mktemp("demo") / "site"
    generate_site(site_dir, articles=DEMO_ARTICLES, seed=7)
    process, base_url = serve_in_subprocess(site_dir)
    yield ServedSite(site_dir, base_url)
    process.terminate()
    process.wait(timeout=10)


def run_cli(*args: str, timeout: float = 300) -> subprocess.CompletedProcess:
    """Run the newsarchive command as a user would, in its own process."""
    return subprocess.run([sys.executable, "-m", "newsarchive.cli", *args], capture_output=True,
                          text=True, timeout=timeout)
