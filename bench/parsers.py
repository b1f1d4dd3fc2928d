"""Parser speed: pages per second on the fixture pages, beside trafilatura's extract().

    python bench/parsers.py [--seconds 5]

Parses every saved fixture page in a loop for a fixed time with newsarchive's parsers and with
trafilatura.extract() (the generic extractor the project falls back to), in the same run, and
prints pages per second for both and their ratio. Target: newsarchive at least 3x trafilatura.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import trafilatura

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from newsarchive.fixtures import find_cases  # noqa: E402
from newsarchive.parsers import parse_page  # noqa: E402
from newsarchive.profiles import find_site  # noqa: E402

FIXTURES = Path(__file__).resolve().parents[1] / "tests" / "fixtures"


def load_pages():
    pages = []
    for case in find_cases(FIXTURES):
        meta = case.meta()
        profile, site = find_site(case.site) or (None, None)
        content_type = f"text/html; charset={meta.get('charset') or 'utf-8'}"
        pages.append((meta["url"], case.body(), profile, site, content_type))
    return pages


def rate(parse_one, pages, seconds: float) -> float:
    done, started = 0, time.perf_counter()
    while time.perf_counter() - started < seconds:
        for page in pages:
            parse_one(page)
        done += len(pages)
    return done / (time.perf_counter() - started)


def newsarchive_parse(page):
    url, body, profile, site, content_type = page
    parse_page(url, body, profile=profile, site=site, content_type=content_type)


def trafilatura_parse(page):
    url, body, *_ = page
    trafilatura.extract(body, url=url)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=5.0, help="time per contender")
    args = parser.parse_args()
    pages = load_pages()
    for contender in (newsarchive_parse, trafilatura_parse):  # warm caches and lazy imports
        for page in pages:
            contender(page)
    ours = rate(newsarchive_parse, pages, args.seconds)
    theirs = rate(trafilatura_parse, pages, args.seconds)
    print(f"fixture pages:            {len(pages)}")
    print(f"newsarchive parse_page:   {ours:8.1f} pages/s  ({1000 / ours:.2f} ms/page)")
    print(f"trafilatura.extract:      {theirs:8.1f} pages/s  ({1000 / theirs:.2f} ms/page)")
    print(f"ratio:                    {ours / theirs:8.1f}x  (target >= 3x)")


if __name__ == "__main__":
    main()
