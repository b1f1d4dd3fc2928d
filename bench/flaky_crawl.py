"""Nothing lost on a flaky server: real pages served with connection resets, 503s, cut bodies and
stalls, crawled, and crawled again.

    python bench/flaky_crawl.py [--articles 500] [--fault-rate 0.3] [--runs 3] [--seed 1] [--workers N]

Builds a site of real saved pages with ../shared/tools/news_site.py (never copied into the repo)
and serves it from a process of its own whose every answer is, at random (seeded, per request),
one of: the connection reset before any answer, 503 Service Unavailable, a body cut short of its
Content-Length, a stall longer than the crawl's DOWNLOAD_TIMEOUT, or the page; --fault-rate is
the share of faulty answers, split evenly among the four. The n-th answer for a URL is drawn from
(seed, URL, n), so two versions of the crawler meet the same faults. Retries (RETRY_TIMES=2) meet other
draws. Then `newsarchive crawl` of its section runs --runs times, with the same command, as cron
would; a finished crawl leaves the pages that failed for a passing reason (a listing page among
them cuts the site's pagination) for the next run to ask for again.

Printed for each run: the crawl's tally, whether pages received = articles + listings +
unchanged + failures (the crawl row), and the article pages of the site that ended as neither an
article (under any of its URLs) nor a failures row: silently lost (target: 0). At the end, the
articles the archive holds after the last run, of the site's (target: all but those the server
failed every time, which the failures name).

With --workers N, each run is a distributed crawl instead: N worker processes share it through a
Redis-compatible server started here (bench/distributed.py's), each writes a shard and looks known
stories up in the merged archive (--lookup-db), and the shards are merged into it after the run; a
distributed crawl keeps its passing failures for the next run in Redis (docs/distributed.md). The
tally is then the sum of the run's shards, and the failures those of its N crawls.
"""

from __future__ import annotations

import argparse
import random
import socket
import sqlite3
import struct
import subprocess
import sys
import tempfile
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urlsplit

from distributed import start_redis  # bench/distributed.py

ROOT = Path(__file__).resolve().parents[1]
NEWS_SITE = ROOT.parent / "shared" / "tools" / "news_site.py"
PAGES = ROOT.parent / "shared" / "bench" / "extraction-devset" / "pages"
FAULTS = ("reset", "unavailable", "cut", "stall")
STALL_SECONDS = 4
CRAWL_SETTINGS = ["-s", "AUTOTHROTTLE_ENABLED=0", "-s", "LOG_LEVEL=ERROR", "-s", "CONCURRENT_REQUESTS_PER_DOMAIN=16",
                  "-s", "DOWNLOAD_TIMEOUT=2", "-s", "RETRY_TIMES=2"]


# the server ----------------------------------------------------------------------------------------

def flaky_handler(site: Path, fault_rate: float, seed: int):
    asked: dict[str, int] = {}  # path -> how many times it was asked for
    lock = threading.Lock()

    def fault_for(path: str) -> str | None:
        """The n-th answer for a path is drawn from (seed, path, n): the same faults for any order
        of requests, so two versions of the crawler meet the same server."""
        with lock:
            asked[path] = asked.get(path, 0) + 1
            draw = random.Random(f"{seed}:{path}:{asked[path]}")
        return draw.choice(FAULTS) if path != "/robots.txt" and draw.random() < fault_rate else None

    class Flaky(BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802 (the http.server API)
            path = urlsplit(self.path).path
            file = site / path.lstrip("/")
            if file.is_dir():
                file = file / "index.html"
            if not file.is_file():
                return self.answer(404, b"<html><body>Not found</body></html>")
            body = file.read_bytes()
            fault = fault_for(self.path)
            if fault == "reset":
                self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
                self.close_connection = True
                return None
            if fault == "unavailable":
                return self.answer(503, b"<html><body>Busy</body></html>")
            if fault == "stall":
                time.sleep(STALL_SECONDS)
            return self.answer(200, body, cut=fault == "cut")

        def answer(self, status: int, body: bytes, cut: bool = False) -> None:
            self.send_response(status)
            kind = "application/xml" if self.path.endswith(".xml") else "text/html; charset=utf-8"
            self.send_header("Content-Type", kind)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body[: len(body) // 2] if cut else body)
            if cut:
                self.close_connection = True

        def log_message(self, *args):
            pass

    return Flaky


def serve(site: Path, fault_rate: float, seed: int) -> None:
    server = ThreadingHTTPServer(("127.0.0.1", 0), flaky_handler(site, fault_rate, seed))
    server.daemon_threads = True
    print(f"http://127.0.0.1:{server.server_port}", flush=True)
    server.serve_forever()


# the crawls ----------------------------------------------------------------------------------------

def article_paths(site: Path) -> set[str]:
    """The site's article pages, as paths: every index.html under news/ but the listings' (news/
    itself and news/page/N/)."""
    folders = [page.parent.relative_to(site) for page in (site / "news").rglob("index.html")]
    return {f"/{folder}/" for folder in folders if len(folder.parts) > 1 and folder.parts[1] != "page"}


# The last run's crawls: the newest `crawls` (one, or one per worker once the shards are merged).
LAST_RUN = "crawl_id IN (SELECT id FROM crawls ORDER BY id DESC LIMIT ?)"


def accounted(db_path: Path, paths: set[str], crawls: int = 1) -> tuple[set[str], set[str]]:
    """Of the site's article pages: those the archive holds as an article, and those it holds as
    a failure (of the last run's crawls) and not as an article."""
    with sqlite3.connect(db_path) as db:
        stored = {urlsplit(url).path for (url,) in db.execute("SELECT url FROM article_urls")}
        failed = {urlsplit(url).path for (url,) in db.execute(f"SELECT url FROM failures WHERE {LAST_RUN}", [crawls])}
    return paths & stored, (paths & failed) - stored


def crawl_row(db_path: Path, crawls: int = 1) -> tuple:
    """The last run's pages, articles, listings, unchanged and failures (summed over its crawls)
    and finish reasons."""
    with sqlite3.connect(db_path) as db:
        rows = db.execute("SELECT pages, articles_stored, listings, unchanged, failures, finish_reason FROM crawls "
                          "ORDER BY id DESC LIMIT ?", [crawls]).fetchall()
    return (*(sum(row[column] or 0 for row in rows) for column in range(5)), "/".join(sorted({row[5] for row in rows})))


def failure_reasons(db_path: Path, crawls: int = 1) -> dict[str, int]:
    with sqlite3.connect(db_path) as db:
        return dict(db.execute(f"SELECT reason, count(*) FROM failures WHERE {LAST_RUN} GROUP BY reason ORDER BY 2 DESC",
                               [crawls]))


def crawl_once(base_url: str, db_path: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "newsarchive.cli", "crawl", f"{base_url}/news/", "--db",
                           str(db_path), "--allow-private", "--no-index", *CRAWL_SETTINGS],
                          capture_output=True, text=True, cwd=ROOT)


def crawl_distributed(base_url: str, db_path: Path, workers: int, redis_url: str, run: int) -> subprocess.CompletedProcess:
    """One distributed crawl of `workers` processes, each into a shard of its own, the shards then
    merged into db_path; the result: the highest exit code, the workers' stderr."""
    shards = [db_path.with_name(f"run{run}-shard{n}.db") for n in range(workers)]
    lookup = ["--lookup-db", str(db_path)] if db_path.exists() else []
    processes = [subprocess.Popen([sys.executable, "-m", "newsarchive.cli", "crawl", f"{base_url}/news/", "--db", str(shard),
                                   "--allow-private", "--no-index", "--redis", redis_url, "--crawl-name", "flaky",
                                   *lookup, *CRAWL_SETTINGS], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                                  text=True, cwd=ROOT) for shard in shards]
    errors = [process.communicate()[1] for process in processes]
    merged = subprocess.run([sys.executable, "-m", "newsarchive.cli", "merge", *map(str, shards), "--into", str(db_path)],
                            capture_output=True, text=True, cwd=ROOT)
    codes = [process.returncode for process in processes] + [merged.returncode]
    return subprocess.CompletedProcess([], max(codes), "", "".join(errors) + merged.stderr)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=500)
    parser.add_argument("--fault-rate", type=float, default=0.3)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--keep", type=Path, help="write the archive here (kept) instead of a scratch folder")
    parser.add_argument("--workers", type=int, default=0,
                        help="crawl with this many worker processes sharing each run through Redis (0: one process)")
    parser.add_argument("--serve", type=Path, help=argparse.SUPPRESS)  # the server process's own mode
    args = parser.parse_args()
    if args.serve:
        return serve(args.serve, args.fault_rate, args.seed)
    with tempfile.TemporaryDirectory(prefix="newsarchive-flaky-") as scratch:
        site, db_path = Path(scratch) / "site", args.keep or Path(scratch) / "archive.db"
        subprocess.run([sys.executable, str(NEWS_SITE), "--pages", str(PAGES), "--out", str(site), "--articles",
                        str(args.articles), "--base", "http://127.0.0.1"], check=True, stdout=subprocess.DEVNULL)
        paths = article_paths(site)
        # Its stderr is dropped: http.server prints a traceback for each connection the crawl gave up on.
        server = subprocess.Popen([sys.executable, __file__, "--serve", str(site), "--fault-rate", str(args.fault_rate),
                                   "--seed", str(args.seed)], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
        base_url = server.stdout.readline().strip()
        print(f"site: {len(paths)} article pages; faults on {args.fault_rate:.0%} of answers "
              f"({', '.join(FAULTS)}), seed {args.seed}"
              + (f"; {args.workers} workers a run, through Redis" if args.workers else ""))
        redis, redis_url = start_redis(Path(scratch)) if args.workers else (None, "")
        crawls = max(args.workers, 1)
        try:
            for run in range(1, args.runs + 1):
                started = time.perf_counter()
                done = (crawl_distributed(base_url, db_path, args.workers, redis_url, run) if args.workers
                        else crawl_once(base_url, db_path))
                seconds = time.perf_counter() - started
                pages, articles, listings, unchanged, failures, reason = crawl_row(db_path, crawls)
                stored, failed = accounted(db_path, paths, crawls)
                lost = paths - stored - failed
                print(f"run {run}: exit {done.returncode} ({reason}) in {seconds:.1f} s; {pages} pages = {articles} "
                      f"articles + {listings} listings + {unchanged} unchanged + {failures} failures: "
                      f"{'adds up' if pages == articles + listings + unchanged + failures else 'DOES NOT ADD UP'}; "
                      f"failures by reason {failure_reasons(db_path, crawls)}")
                print(f"    article pages of the site: {len(stored)} in the archive, {len(failed)} failures of this run, "
                      f"{len(lost)} silently lost" + (f": {sorted(lost)[:5]}" if lost else ""))
                if done.returncode not in (0, 4):
                    print("    " + "\n    ".join(done.stderr.strip().splitlines()[-8:]))
        finally:
            for process in (server, redis):
                if process is not None:
                    process.terminate()
                    process.wait()
    print(f"after {args.runs} runs: {len(stored)} of {len(paths)} article pages archived, {len(failed)} failures of "
          f"the last run; silently lost: {len(lost)} (target 0)")


if __name__ == "__main__":
    main()
