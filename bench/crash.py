"""Crash safety: crawls killed with SIGKILL at random points, then run again, against a clean crawl.

    python bench/crash.py [--articles 3000] [--trials 10] [--seed 1]
    python bench/crash.py --real-pages ../shared/bench/extraction-devset/pages --articles 2000
    python bench/crash.py --photos --articles 600 --trials 4
    python bench/crash.py --recrawl --articles 1500 --trials 6

Builds a site (the demo site, or with --real-pages a site of real saved pages made by
../shared/tools/news_site.py and crawled by the generic spider), serves it from its own process
on 127.0.0.1, crawls it once cleanly for reference, then for each trial: starts
`newsarchive crawl` into a fresh archive, kills it with SIGKILL once a random share of the
articles is stored, and runs the same command again. Prints, per trial and in total, the
articles, comments and photos lost or stored twice against the clean crawl (target: 0 and 0), the
reasons of the `failures` rows of the article pages lost (a loss, but a recorded one),
the exit status and finish reasons, the pages the rerun fetched again, and the time the rerun
took to take over the interrupted crawl (process start, archive check, frontier) and to finish.
With --photos every crawl downloads photo files (--photos-dir beside its archive), and each trial
also counts the photos the clean crawl has a file for and the rerun's archive does not, the files
whose bytes are not the hash that names them (a write cut short), and the temporary files a
killed write left (target: 0, 0; leftovers are hidden `.part` files, named apart).

With --recrawl the crawl killed is the next one, of a site that changed: the demo site (its newest
story today, so the incremental policy has young stories to look at again) is crawled once into a
base archive, then changes (stories edited, comments added and removed, new stories) as
bench/recrawl.py's do. The clean re-crawl runs on a copy of the base archive; each trial kills a
re-crawl on another copy at a random moment of the clean one's duration and runs it again. The
comparison adds each version's title and each comment's presence (removed or not).
"""

from __future__ import annotations

import argparse
import hashlib
import random
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time
from collections import Counter
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
NEWS_SITE = ROOT.parent / "shared" / "tools" / "news_site.py"
CRAWL_SETTINGS = ["-s", "AUTOTHROTTLE_ENABLED=0", "-s", "LOG_LEVEL=WARNING", "-s", "CONCURRENT_REQUESTS_PER_DOMAIN=16"]


def serve(site_dir: Path, access_log: Path) -> tuple[subprocess.Popen, str]:
    server = subprocess.Popen([sys.executable, "-m", "newsarchive.demo.serve", str(site_dir), "--port", "0",
                               "--access-log", str(access_log)], stdout=subprocess.PIPE, text=True, cwd=ROOT)
    return server, server.stdout.readline().strip()


def crawl_command(target: str, db_path: Path, photos: bool = False) -> list[str]:
    site_arguments = ["diyaruna", "--base-url", target] if not target.endswith("/news/") else [target]
    photo_arguments = ["--photos-dir", str(photos_dir(db_path))] if photos else []
    return [sys.executable, "-m", "newsarchive.cli", "crawl", *site_arguments, "--db", str(db_path),
            "--allow-private", "--no-index", *photo_arguments, *CRAWL_SETTINGS]


def photos_dir(db_path: Path) -> Path:
    return db_path.with_suffix(".photos")


def photo_files(db_path: Path) -> dict[str, str]:
    """Photo URL path -> the file the archive names for it."""
    with sqlite3.connect(db_path) as db:
        return {url.split("/", 3)[3]: file for url, file in db.execute(
            "SELECT url, file_path FROM photos WHERE file_path IS NOT NULL")}


def photo_figures(reference: dict[str, str], db_path: Path) -> dict[str, int]:
    """Against the clean crawl: photos without their file, files whose bytes are not their hash,
    temporary files a killed write left."""
    folder, files = photos_dir(db_path), photo_files(db_path)
    damaged = sum(hashlib.sha256((folder / file).read_bytes()).hexdigest() != Path(file).name.split(".")[0]
                  for file in set(files.values()) if (folder / file).is_file())
    missing = sum(url not in files or not (folder / files[url]).is_file() for url in reference)
    return {"photo files missing": missing, "photo files damaged": damaged,
            "temporary files left": sum(1 for _ in folder.rglob("*.part"))}


def count(db_path: Path, sql: str) -> int:
    try:
        with sqlite3.connect(f"file:{db_path}?mode=ro", uri=True) as db:
            return db.execute(sql).fetchone()[0]
    except sqlite3.Error:
        return 0


def contents(db_path: Path) -> dict[str, Counter]:
    """Articles, comments and photos as counted keys: a key counted twice is stored twice. A
    version's key holds its title, a comment's whether it was found removed: a re-crawl that
    missed an edit, or a removal, loses that key."""
    with sqlite3.connect(db_path) as db:
        path = "substr(a.url, instr(substr(a.url, 8), '/') + 7)"
        return {
            "articles": Counter(db.execute(f"SELECT {path} FROM articles a")),
            "versions": Counter(db.execute(f"SELECT {path}, v.version, v.content_hash FROM article_versions v "
                                           "JOIN articles a ON a.id = v.article_id")),
            "comments": Counter(db.execute(f"SELECT {path}, c.comment_key, c.removed_at IS NULL FROM comments c "
                                           "JOIN articles a ON a.id = c.article_id")),
            "photos": Counter(db.execute(f"SELECT {path}, substr(p.url, instr(substr(p.url, 8), '/') + 7) "
                                         "FROM photos p JOIN articles a ON a.id = p.article_id")),
        }


def compare(reference: dict[str, Counter], got: dict[str, Counter]) -> dict[str, tuple[int, int]]:
    """Per kind: (lost, stored twice) against the clean crawl."""
    return {kind: (len(set(reference[kind]) - set(got[kind])), sum(n - 1 for n in got[kind].values() if n > 1))
            for kind in reference}


# What a re-crawl of the changed demo site stores, counted in the clean re-crawl's archive.
RECRAWL_FINDINGS = {
    "new versions": "SELECT count(*) FROM article_versions WHERE version > 1",
    "comments found removed": "SELECT count(*) FROM comments WHERE removed_at IS NOT NULL",
    "comments first stored (new stories included)": "SELECT count(*) FROM comments WHERE first_seen_at > (SELECT min(finished_at) FROM crawls)",
}


def copy_archive(source: Path, target: Path) -> None:
    """A copy of a finished archive, through SQLite's backup (its WAL included)."""
    with sqlite3.connect(source) as original, sqlite3.connect(target) as copy:
        original.backup(copy)


def failed_instead(db_path: Path, lost_articles: set) -> Counter:
    """The reasons of the `failures` rows of the article pages the trial lost: a page lost to a
    recorded failure (a parser that ran out of time, say) is no silent loss."""
    paths = {path for (path,) in lost_articles}
    with sqlite3.connect(db_path) as db:
        return Counter(reason for path, reason in db.execute(
            "SELECT substr(url, instr(substr(url, 8), '/') + 7), reason FROM failures") if path in paths)


def requested(access_log: Path) -> list[str]:
    return [line.rsplit(" ", 1)[0] for line in access_log.read_text().splitlines()
            if not line.startswith("/robots.txt")]


def trial(target: str, db_path: Path, kill_at: float, access_log: Path, photos: bool = False,
          by_time: bool = False) -> dict:
    """Kill a crawl into db_path once it stored kill_at articles (by_time: once it ran kill_at
    seconds), run it again, and say how the rerun went."""
    access_log.write_text("")
    first = subprocess.Popen(crawl_command(target, db_path, photos), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                             cwd=ROOT, text=True)
    started = time.perf_counter()
    while first.poll() is None and (time.perf_counter() - started < kill_at if by_time
                                    else count(db_path, "SELECT count(*) FROM articles") < kill_at):
        time.sleep(0.01)
    first.send_signal(signal.SIGKILL)
    first.wait()
    stored_at_kill = count(db_path, "SELECT count(*) FROM articles")
    lines_at_kill = requested(access_log)
    before_kill = set(lines_at_kill)
    started = time.perf_counter()
    second = subprocess.Popen(crawl_command(target, db_path, photos), stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                              cwd=ROOT, text=True)
    crawls_at_kill, resumed_after = count(db_path, "SELECT count(*) FROM crawls"), None
    while second.poll() is None:
        if resumed_after is None and count(db_path, "SELECT count(*) FROM crawls") > crawls_at_kill:
            resumed_after = time.perf_counter() - started  # the archive checked, the frontier taken over
        time.sleep(0.01)
    out, err = second.communicate()
    with sqlite3.connect(db_path) as db:
        reasons = [reason for (reason,) in db.execute("SELECT finish_reason FROM crawls ORDER BY id")]
    # Pages the killed crawl had asked for that the rerun asked for again.
    refetched = len(set(requested(access_log)[len(lines_at_kill):]) & before_kill)
    return {"kill_at": kill_at, "stored_at_kill": stored_at_kill, "exit": second.returncode, "reasons": reasons,
            "resumed_after": resumed_after or 0.0, "rerun_seconds": time.perf_counter() - started,
            "refetched": refetched, "stderr": err[-500:] if second.returncode else ""}


def build_site(args, scratch: Path) -> tuple[Path, str | None]:
    site_dir = scratch / "site"
    if args.real_pages:
        subprocess.run([sys.executable, str(NEWS_SITE), "--pages", str(args.real_pages), "--out", str(site_dir),
                        "--articles", str(args.articles), "--base", "http://127.0.0.1"], check=True,
                       stdout=subprocess.DEVNULL)
        return site_dir, "/news/"
    sys.path.insert(0, str(ROOT))
    from newsarchive.demo.site import generate_site

    generate_site(site_dir, articles=args.articles, seed=args.seed, first_day=first_day(args))
    return site_dir, None


def first_day(args) -> date:
    """The demo's first day: with --recrawl, one that makes its newest story today's (about three
    stories every two days), so the incremental re-crawl has young stories to look at again."""
    from newsarchive.demo.site import FIRST_DAY

    return date.today() - timedelta(days=(args.articles - 1) * 2 // 3) if args.recrawl else FIRST_DAY


def change_site(args, site_dir: Path) -> dict:
    """The demo site regenerated with changes since the base crawl: a tenth of its stories edited,
    gaining or losing a comment, and a twentieth more stories published."""
    from newsarchive.demo.site import SiteChanges, generate_site

    third = max(1, args.articles // 30)
    changes = SiteChanges(edited=third, comments_added=third, comments_removed=third,
                          new_articles=max(1, args.articles // 20), seed=args.seed + 1)
    return generate_site(site_dir, articles=args.articles, seed=args.seed, first_day=first_day(args),
                         changes=changes)["changes"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=3000)
    parser.add_argument("--trials", type=int, default=10)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--real-pages", type=Path, help="build the site from these saved pages (generic spider)")
    parser.add_argument("--photos", action="store_true", help="download photo files too, and check them")
    parser.add_argument("--recrawl", action="store_true",
                        help="kill the next crawl of a site that changed, not the first (demo site only)")
    args = parser.parse_args()
    if args.recrawl and (args.real_pages or args.photos):
        parser.error("--recrawl runs on the demo site, without photo files")
    rng = random.Random(args.seed)
    with tempfile.TemporaryDirectory(prefix="newsarchive-crash-") as scratch:
        scratch = Path(scratch)
        site_dir, start_path = build_site(args, scratch)
        access_log = scratch / "access.log"
        server, base_url = serve(site_dir, access_log)
        target = base_url + start_path if start_path else base_url
        try:
            base = scratch / "base.db"
            if args.recrawl:
                subprocess.run(crawl_command(target, base), capture_output=True, check=True, cwd=ROOT)
                changes = change_site(args, site_dir)
                print(f"base crawl: {count(base, 'SELECT count(*) FROM articles')} articles; then the site changed: "
                      + ", ".join(f"{name.replace('_', ' ')} {len(value)}" for name, value in changes.items()))
                copy_archive(base, scratch / "clean.db")
            started = time.perf_counter()
            clean = subprocess.run(crawl_command(target, scratch / "clean.db", args.photos), capture_output=True,
                                   text=True, cwd=ROOT)
            clean_seconds = time.perf_counter() - started
            reference = contents(scratch / "clean.db")
            if args.recrawl:
                print("the clean re-crawl found: " + ", ".join(
                    f"{name} {count(scratch / 'clean.db', sql)}" for name, sql in RECRAWL_FINDINGS.items()))
            reference_files = photo_files(scratch / "clean.db") if args.photos else {}
            total = len(reference["articles"])
            print(f"clean crawl: exit {clean.returncode}, {total} articles, {sum(reference['comments'].values())} "
                  f"comments, {sum(reference['photos'].values())} photos in {clean_seconds:.1f} s; "
                  + clean.stdout.splitlines()[0].split("; ", 1)[-1]
                  + (f"; {len(reference_files)} photo files" if args.photos else ""))
            totals = Counter()
            for number in range(1, args.trials + 1):
                db_path = scratch / f"trial-{number}.db"
                if args.recrawl:
                    copy_archive(base, db_path)
                    result = trial(target, db_path, rng.uniform(0.05, 0.95) * clean_seconds, access_log, by_time=True)
                else:
                    result = trial(target, db_path, rng.randint(max(1, total // 20), total - total // 20), access_log,
                                   args.photos)
                files = photo_figures(reference_files, db_path) if args.photos else {}
                totals.update(files)
                got = contents(db_path)
                differences = compare(reference, got)
                recorded = failed_instead(db_path, set(reference["articles"]) - set(got["articles"]))
                totals["articles lost to a recorded failure"] += sum(recorded.values())
                for kind, (lost, twice) in differences.items():
                    totals[f"{kind} lost"] += lost
                    totals[f"{kind} twice"] += twice
                totals["bad exits"] += result["exit"] != 0
                killed = (f"after {result['kill_at']:.1f} s" if args.recrawl
                          else f"at {result['stored_at_kill']:5d} articles")
                print(f"trial {number:2d}: killed {killed}; rerun exit "
                      f"{result['exit']} ({' -> '.join(result['reasons'])}), resumed after "
                      f"{result['resumed_after']:.2f} s, done in {result['rerun_seconds']:.1f} s, "
                      f"{result['refetched']} pages fetched again; "
                      + ", ".join(f"{kind} lost {lost} / twice {twice}" for kind, (lost, twice) in differences.items())
                      + (f" (articles lost to recorded failures: {dict(recorded)})" if recorded else "")
                      + "".join(f", {name} {value}" for name, value in files.items())
                      + (f"\n    {result['stderr']}" if result["stderr"] else ""))
                db_path.unlink()
        finally:
            server.terminate()
            server.wait()
    print("over all trials: " + ", ".join(f"{name} {value}" for name, value in sorted(totals.items())))
    lost = sum(v for k, v in totals.items() if k.endswith(" lost"))
    twice = sum(v for k, v in totals.items() if k.endswith("twice"))
    files_bad = totals["photo files missing"] + totals["photo files damaged"]
    print(f"target: 0 lost and 0 stored twice over {args.trials} trials"
          + (", every photo file there and whole" if args.photos else "") + ": "
          f"{'met' if lost == twice == totals['bad exits'] == files_bad == 0 else 'NOT met'}")


if __name__ == "__main__":
    main()
