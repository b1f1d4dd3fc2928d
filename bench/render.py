"""What rendering in a browser costs and gives: `crawl --render auto` against `--render never`.

    python bench/render.py [--articles 500] [--render-concurrency N]

Writes a loopback news site of N articles (default 500) to a scratch folder and serves it with the
demo's server in a process of its own. A fifth of the articles load their comments by script, in
turn: an inline script with a counter above the list, a JSON endpoint named by a `data-` attribute
and fetched after load, and a "Load more comments" button fetching one comment a click; two fifths
have their comments in the HTML (with a counter that agrees), two fifths none. Each comment's text
is known, so recall is exact.

The site is crawled with `--render never` and then with `--render auto` (the system Chromium,
NEWSARCHIVE_CHROMIUM), --runs times in turn (default 3), each `newsarchive crawl URL` in its own
process with the same engine settings (16 concurrent requests, no AutoThrottle). Printed for each
crawl: comment recall (comments stored with exactly the text the site holds, over all the site's
comments; target 100% with auto), the share of articles rendered (target at most 22%), pages/s of
the whole crawl; at the end, the ratio auto / never of the pages/s of their median times (target
at least 0.5: one pair's ratio moves by a tenth with the machine's speed), and the peak memory of the browser (the sum of the resident memory of
the Chromium processes under the crawl, sampled every 0.1 s, PSS every 0.5 s; RSS counts the pages
they share once per process, so PSS, which divides them, is printed beside it) and of the whole
process tree, and
the CPU seconds each part of the tree used (the crawl, its parser workers, Playwright's driver, the
browser and its renderers): on two cores, a crawl can take no less than half their sum.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from measure import cpu_seconds, process_tree

ROOT = Path(__file__).resolve().parents[1]
SETTINGS = {"AUTOTHROTTLE_ENABLED": False, "CONCURRENT_REQUESTS": 16, "CONCURRENT_REQUESTS_PER_DOMAIN": 16,
            "LOG_LEVEL": "WARNING", "TELNETCONSOLE_ENABLED": False}
PER_LISTING = 50
PAGE_KB = os.sysconf("SC_PAGE_SIZE") // 1024
PSS_EVERY = 5  # samples: Pss every half second, Rss every tenth
# Each article's story is its own (a site whose 500 articles had one body would give the crawl's
# duplicate pass 124,750 exact pairs to record, a cost of the bench, not of rendering).
PLACES = ("bridge", "mill", "harbour", "school", "market", "station", "church", "farm", "road", "park")
DEEDS = ("rose past", "flooded", "cut off", "closed", "reached", "spared", "damaged", "emptied", "surrounded")
# Adds one comment to the list, as comment scripts do (the markup the parsers read on any site).
ITEM_JS = """function addComment(text) {
  var li = document.createElement('li'); li.className = 'comment';
  li.innerHTML = '<div class="comment-content"><p></p></div>'; li.querySelector('p').textContent = text;
  document.getElementById('comment-list').appendChild(li);
}"""
SCRIPT_STYLES = ("inline", "json", "button")


# the site ------------------------------------------------------------------------------------------

def comment_texts(number: int) -> list[str]:
    return [f"Reader comment {k} on flood story {number}, about the river." for k in range(1, 2 + number % 3)]


def style_of(number: int) -> str:
    """inline, json or button for a fifth of the articles (comments by script); html or none for the rest."""
    if number % 5 == 0:
        return SCRIPT_STYLES[(number // 5) % 3]
    return "html" if number % 5 in (1, 2) else "none"


def comments_markup(number: int, files: dict[str, str]) -> str:
    texts, style = comment_texts(number), style_of(number)
    counter = f"<h3>{len(texts)} Comments</h3>"
    if style == "none":
        return ""
    if style == "html":
        return counter + "<ol class='comment-list'>" + "".join(
            f"<li class='comment' id='comment-{number}-{k}'><p class='comment-author'>Reader {k}</p>"
            f"<div class='comment-content'><p>{text}</p></div></li>" for k, text in enumerate(texts)) + "</ol>"
    if style == "inline":
        return (counter + "<ol id='comment-list'></ol><script>" + ITEM_JS
                + "".join(f"addComment({json.dumps(text)});" for text in texts) + "</script>")
    if style == "json":
        files[f"api/comments/{number}.json"] = json.dumps(texts)
        return (f"<ol id='comment-list' data-comments-url='/api/comments/{number}.json'></ol><script>" + ITEM_JS
                + f"window.addEventListener('load', function () {{ fetch('/api/comments/{number}.json')"
                  ".then(r => r.json()).then(items => items.forEach(addComment)); });</script>")
    for page, text in enumerate(texts):  # button: one comment a click
        files[f"api/more/{number}-{page}.json"] = json.dumps([text])
    return (counter + "<ol id='comment-list'></ol><button id='more'>Load more comments</button><script>" + ITEM_JS
            + f"var page = 0; document.getElementById('more').addEventListener('click', function () {{"
              f"fetch('/api/more/{number}-' + page + '.json').then(r => r.json()).then(function (items) {{"
              f"items.forEach(addComment); page += 1; if (page >= {len(texts)}) "
              f"document.getElementById('more').remove(); }}); }});</script>")


def story_body(number: int) -> str:
    """About 115 words, told of this article alone: its sentences are drawn by its number."""
    draw = random.Random(number)
    sentences = [f"At {draw.randint(1, 12)} o'clock the water {draw.choice(DEEDS)} the {draw.choice(PLACES)} "
                 f"and {draw.randint(2, 90)} people near the {draw.choice(PLACES)} were told to leave." for _ in range(6)]
    return "<p>" + " ".join(sentences) + "</p>"


def article_path(number: int) -> str:
    return f"2024/05/{1 + number % 28:02d}/flood-story-{number}"


def build_site(folder: Path, articles: int) -> dict[str, list[str]]:
    """Write the site; return each article path's comment texts (all of them, whatever the style)."""
    files, expected = {}, {}
    for number in range(articles):
        title = f"Flood story {number}: the river at the bridge"
        files[article_path(number) + "/index.html"] = (
            f"<!doctype html><html lang='en'><head><title>{title}</title><meta property='article:published_time' "
            f"content='2024-05-{1 + number % 28:02d}T08:00:00Z'></head><body><h1>{title}</h1><article>{story_body(number)}"
            f"</article>{comments_markup(number, files)}</body></html>")
        expected["/" + article_path(number)] = comment_texts(number) if style_of(number) != "none" else []
    pages = (articles + PER_LISTING - 1) // PER_LISTING
    for page in range(1, pages + 1):
        links = "".join(f"<li><a href='/{article_path(n)}'>Flood story {n}</a></li>"
                        for n in range((page - 1) * PER_LISTING, min(page * PER_LISTING, articles)))
        more = f"<a rel='next' href='/news/?page={page + 1}'>Next page</a>" if page < pages else ""
        files["news/" + ("index.html" if page == 1 else f"page-{page}.html")] = (
            f"<!doctype html><html lang='en'><head><title>News, page {page}</title></head><body><h1>News</h1>"
            f"<ul>{links}</ul>{more}</body></html>")
    for name, text in files.items():
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        (folder / name).write_text(text, encoding="utf-8")
    return expected


# measuring -----------------------------------------------------------------------------------------

def memory_mb(pids: list[int], name_part: str = "", field: str = "Rss") -> float:
    """Resident memory (Rss, or Pss: shared pages divided among their sharers) of the processes
    whose name contains name_part, now. Rss is read from statm, which costs nothing; Pss from
    smaps_rollup, which walks the process's page tables (sampled less often: see crawl)."""
    total = 0.0
    for pid in pids:
        try:
            if name_part not in Path(f"/proc/{pid}/comm").read_text():
                continue
            if field == "Rss":
                total += int(Path(f"/proc/{pid}/statm").read_text().split()[1]) * PAGE_KB
                continue
            for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
                if line.startswith(f"{field}:"):
                    total += int(line.split()[1])
        except (OSError, IndexError, ValueError):
            pass
    return total / 1024


def crawl(base_url: str, db_path: Path, render: str, concurrency: int | None) -> dict:
    """One crawl in its own process, its memory sampled from here."""
    command = [sys.executable, "-m", "newsarchive.cli", "crawl", f"{base_url}/news/", "--db", str(db_path),
               "--allow-private", "--render", render, "--no-index"]
    settings = SETTINGS | ({"NEWSARCHIVE_RENDER_CONCURRENCY": concurrency} if concurrency else {})
    for name, value in settings.items():
        command += ["-s", f"{name}={value}"]
    started = time.perf_counter()
    child = subprocess.Popen(command, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    peaks = {"browser_rss": 0.0, "browser_pss": 0.0, "tree_rss": 0.0}
    cpu: dict[int, tuple[str, float]] = {}  # each process's last reading: its total when it ended
    samples = 0
    while child.poll() is None:
        tree, samples = process_tree(child.pid), samples + 1
        for pid in tree:
            reading = cpu_seconds(pid)
            if reading:  # the part as first told: an ending process no longer shows its command line
                cpu[pid] = (cpu[pid][0] if pid in cpu and cpu[pid][0] != "browser" else reading[0], reading[1])
        readings = [("browser_rss", "chrom", "Rss"), ("tree_rss", "", "Rss")]
        readings += [("browser_pss", "chrom", "Pss")] if samples % PSS_EVERY == 1 else []
        for name, part, field in readings:
            peaks[name] = max(peaks[name], memory_mb(tree, part, field))
        time.sleep(0.1)
    seconds = time.perf_counter() - started
    out, err = child.communicate()
    if child.returncode != 0:
        raise SystemExit(f"the --render {render} crawl failed ({child.returncode}): {err[-2000:]}")
    parts: dict[str, float] = {}
    for part, used in cpu.values():
        parts[part] = parts.get(part, 0.0) + used
    return {"seconds": seconds, **peaks, "cpu": parts, "summary": out.splitlines()[0]}


def archive_figures(db_path: Path, expected: dict[str, list[str]]) -> dict:
    db = sqlite3.connect(db_path)
    pages, articles, coverage = db.execute("SELECT pages, articles_stored, coverage FROM crawls").fetchone()
    stored: dict[str, set[str]] = {}
    for url, text in db.execute("SELECT a.url, c.body_text FROM comments c JOIN articles a ON a.id = c.article_id"):
        stored.setdefault("/" + url.split("/", 3)[3], set()).add(text)
    db.close()
    found = sum(len(stored.get(path, set()) & set(texts)) for path, texts in expected.items())
    by_script = {path: texts for path, texts in expected.items()
                 if style_of(int(path.rsplit("-", 1)[1])) in SCRIPT_STYLES}
    found_by_script = sum(len(stored.get(path, set()) & set(texts)) for path, texts in by_script.items())
    return {"pages": pages, "articles": articles, "rendering": json.loads(coverage).get("rendering", {}),
            "recall": found / sum(map(len, expected.values())),
            "recall_by_script": found_by_script / sum(map(len, by_script.values()))}


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=500)
    parser.add_argument("--render-concurrency", type=int,
                        help="pages rendered at once (default: NEWSARCHIVE_RENDER_CONCURRENCY's default)")
    parser.add_argument("--runs", type=int, default=3,
                        help="rounds of the two crawls, never then auto; the ratio is of their median times "
                             "(a VM's speed drifts by a third within minutes)")
    args = parser.parse_args()
    rounds: list[dict] = []
    with tempfile.TemporaryDirectory(prefix="newsarchive-render-bench-") as scratch:
        site = Path(scratch) / "site"
        expected = build_site(site, args.articles)
        print(f"site: {args.articles} articles, {sum(map(len, expected.values()))} comments "
              f"({sum(style_of(n) in SCRIPT_STYLES for n in range(args.articles))} articles load theirs by script); "
              f"{os.cpu_count()} CPU cores")
        server = subprocess.Popen([sys.executable, "-m", "newsarchive.demo.serve", str(site), "--port", "0"],
                                  stdout=subprocess.PIPE, text=True, cwd=ROOT)
        try:
            base_url = server.stdout.readline().strip()
            for run in range(args.runs):
                results = {}
                for render in ("never", "auto"):
                    db_path = Path(scratch) / f"{render}-{run}.db"
                    results[render] = (crawl(base_url, db_path, render, args.render_concurrency)
                                       | archive_figures(db_path, expected))
                    print_crawl(run, render, results[render])
                rounds.append(results)
        finally:
            server.terminate()
            server.wait()
    print_summary(rounds)


def print_crawl(run: int, render: str, result: dict) -> None:
    rendered = result["rendering"].get("rendered", 0)
    print(f"run {run + 1} --render {render:5s}: {result['pages']} pages in {result['seconds']:.1f} s = "
          f"{result['pages'] / result['seconds']:.1f} pages/s; comment recall {result['recall']:.1%} "
          f"(script-loaded {result['recall_by_script']:.1%}); rendered {rendered} of {result['articles']} "
          f"articles ({rendered / result['articles']:.1%}); browser peak {result['browser_rss']:.0f} MB RSS "
          f"({result['browser_pss']:.0f} MB PSS), process tree peak {result['tree_rss']:.0f} MB RSS")
    print(f"    {result['summary']}")
    print("    CPU seconds: " + ", ".join(f"{part} {used:.1f}" for part, used in
                                       sorted(result["cpu"].items(), key=lambda item: -item[1])))


def print_summary(rounds: list[dict]) -> None:
    seconds = {render: statistics.median(results[render]["seconds"] for results in rounds) for render in ("never", "auto")}
    pages = {render: rounds[0][render]["pages"] for render in ("never", "auto")}
    ratio = (pages["auto"] / seconds["auto"]) / (pages["never"] / seconds["never"])
    autos = [results["auto"] for results in rounds]
    recall, share = min(auto["recall"] for auto in autos), max(
        auto["rendering"].get("rendered", 0) / auto["articles"] for auto in autos)
    print(f"auto over {len(rounds)} runs: comment recall {recall:.1%} at least (target 100%); rendered {share:.1%} of "
          f"articles at most (target <= 22%); pages/s against --render never {ratio:.2f}, of the median times "
          f"{seconds['auto']:.1f} s and {seconds['never']:.1f} s (target >= 0.5); browser peak memory "
          f"{max(auto['browser_rss'] for auto in autos):.0f} MB, the sum of its processes' RSS "
          f"({max(auto['browser_pss'] for auto in autos):.0f} MB PSS); rendered because: "
          f"{autos[-1]['rendering'].get('reasons')}")


if __name__ == "__main__":
    main()
