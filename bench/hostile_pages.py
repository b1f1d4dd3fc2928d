"""How the parsers' cost grows on hostile page shapes: a parse that grows faster than the page is
a page that can hold a worker for minutes (NEWSARCHIVE_PARSE_TIME_LIMIT stops it, as a failure).

    python bench/hostile_pages.py [--size 2500] [--shape NAME]

Each shape is a page written here at three sizes (n, 2n, 4n of its repeated part): many
paragraphs, many <time> elements, many comments, many links, deep nesting, long runs of words
or digits, JSON-LD with many authors, many author meta tags, many publication labels and dates
labelled as updates, many appeals to readers, an author's name shown many times, many other stories'
teasers with their authors' linked names. Printed for each: seconds of
`parse_page` at each size, the growth from n to 4n (about 4 when the cost is linear, 16 when it is
quadratic) and `SUPERLINEAR` above 6. The parse runs in this process, as a worker runs it.
"""

from __future__ import annotations

import argparse
import time

from newsarchive.parsers import parse_page

URL = "https://example.org/2024/05/01/a-story"
HEAD = "<!doctype html><html lang='en'><head><title>A story</title></head><body><h1>A story</h1>"
BODY = "<p>" + "The river rose through the night and the lower streets flooded by morning. " * 4 + "</p>"
SHAPES = {
    "paragraphs": lambda n: HEAD + "<article>" + "<p>A short line of the story, number.</p>" * n + "</article>",
    "time elements": lambda n: HEAD + "<time datetime='2024-05-01'>1 May 2024</time>" * n + BODY,
    "comments": lambda n: HEAD + "<article>" + BODY + "</article><ol class='comment-list'>" + (
        "<li class='comment'><span class='comment-author'>A reader</span><p>A comment on the story.</p></li>" * n)
        + "</ol>",
    "links": lambda n: HEAD + "<article>" + BODY + "<a href='/other'>another story</a> " * n + "</article>",
    "nested divs": lambda n: HEAD + "<div>" * n + BODY + "</div>" * n,
    "nested tables": lambda n: HEAD + "<table><tr><td>" * (n // 10) + BODY + "</td></tr></table>" * (n // 10),
    "words in one paragraph": lambda n: HEAD + "<p>" + "word " * (n * 40) + "</p>",
    "dates in one paragraph": lambda n: HEAD + "<p>" + "2024-05-01 " * (n * 10) + "</p>" + BODY,
    "json-ld authors": lambda n: HEAD.replace("</head>", "<script type='application/ld+json'>{\"@type\": \"NewsArticle\", "
                                              "\"author\": [" + ", ".join(["{\"name\": \"Ann Lee\"}"] * n) + "]}"
                                              "</script></head>") + BODY,
    "author meta tags": lambda n: HEAD.replace("</head>", "<meta name='author' content='Ann Lee'>" * n + "</head>") + BODY,
    # labels before dates that are not dates: every label is read, none gives a date
    "publication labels": lambda n: HEAD + "<div><span>Published:</span> <b>soon</b></div>" * n + BODY,
    "updated dates": lambda n: HEAD + "<p><b>Updated</b> <span class='date'>1.5.2024</span></p>" * n + BODY,
    "reader appeals": lambda n: HEAD + "<article>" + BODY + "<p>Sign up for our newsletter.</p>" * n + "</article>",
    "author names shown": lambda n: HEAD + "<div class='author'>Ann Lee</div>" + "<p>Ann Lee wrote this.</p>" * n + BODY,
    # other stories' teasers, each with its author's linked name: every byline is read and passed over
    "teasers with bylines": lambda n: HEAD + BODY + (
        "<a href='/story'><p>Another story</p><span class='author'><a href='/author/ann'>Ann Lee</a></span></a>" * n),
}


def seconds_to_parse(html: str) -> float:
    started = time.perf_counter()
    parse_page(URL, html.encode("utf-8"), kind="article")
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=2500, help="n, the repeated part's count at the smallest size")
    parser.add_argument("--shape", choices=sorted(SHAPES), help="one shape only")
    args = parser.parse_args()
    seconds_to_parse(SHAPES["paragraphs"](10))  # the parsers' imports and first-use caches, outside the figures
    print(f"{'shape':24s} {'n':>8s} {'2n':>8s} {'4n':>8s}  growth n -> 4n")
    for name, make in SHAPES.items():
        if args.shape and name != args.shape:
            continue
        times = [seconds_to_parse(make(args.size * factor)) for factor in (1, 2, 4)]
        growth = times[2] / max(times[0], 1e-6)
        print(f"{name:24s} {times[0]:7.2f}s {times[1]:7.2f}s {times[2]:7.2f}s  {growth:5.1f}"
              + ("  SUPERLINEAR" if growth > 6 else ""), flush=True)


if __name__ == "__main__":
    main()
