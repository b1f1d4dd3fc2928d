"""Crawl reports: what a crawl fetched and stored, what failed and why, and coverage warnings.

The coverage of each field (share of stored articles with a byline, a date, a photo, comments)
is compared with the previous crawl of the same site that stored articles; a drop of more than
COVERAGE_DROP (10 points), more than the luck of which stories each crawl stored explains
(CHANCE_OF_FALL), is the sign that the site changed its layout, and is warned about loudly. So is a profile selector that found its field on fewer pages than before (the field then
came from a fallback layer, or from nowhere): the share of articles whose field came from the
`profile` layer, field by field, against the previous crawl. Each article the crawl found changed
is listed with the fields that changed, its title's word diff when the title changed, the words
added and removed, the comments the crawl found added and removed (the removed ones' first
REMOVED_COMMENT_CHARACTERS characters), and the `newsarchive diff` command that shows the
change; then the articles whose text did not change but whose comments did. The HTML form is one self-contained file (inline CSS and SVG, no script), and everything
in it that comes from pages (titles, comments, URLs) is escaped: strangers write those.
"""

from __future__ import annotations

import json
import math
import shlex
import sqlite3
from html import escape
from urllib.parse import urlsplit

COVERAGE_DROP = 0.10
COVERAGE_FIELDS = ("byline", "date", "photo", "comments")
EXAMPLES_PER_REASON = 3
CHANGED_ARTICLES_SHOWN = 50
REMOVED_COMMENT_CHARACTERS = 80  # of each removed comment, in the list of changed articles
DEFAULT_DB = "archive.db"  # the --db default: a diff command for it need not name it


class ReportError(ValueError):
    pass


def crawl_report(db: sqlite3.Connection, crawl_id: int | None = None, db_path: str = DEFAULT_DB) -> dict:
    """The report's figures; db_path is named in the `newsarchive diff` command of each changed article."""
    db.row_factory = sqlite3.Row
    crawl = _crawl(db, crawl_id)
    crawl["shards"] = _shards(db, crawl)
    crawl["window"] = _window(db, crawl)  # read once: every changed article's comments are counted in it
    previous = db.execute(
        "SELECT * FROM crawls WHERE site IS ? AND id < ? AND coalesce(articles_stored, 0) > 0 ORDER BY id DESC LIMIT 1",
        [crawl["site"], min(crawl["shards"])]).fetchone()
    coverage = _coverage_rows(crawl, dict(previous) if previous else None)
    selectors = _selector_rows(crawl, dict(previous) if previous else None)
    return {
        "crawl": crawl,
        "previous_crawl_id": previous["id"] if previous else None,
        "failures": _failures(db, crawl["id"]),
        "coverage": coverage,
        "profile_selectors": selectors,
        "warnings": [row["warning"] for row in coverage + selectors if row["warning"]],
        "articles_per_day": [dict(row) for row in db.execute(
            # The site's own day of publication; the UTC day for articles stored before it was kept.
            "SELECT coalesce(published_day, substr(published_at, 1, 10)) AS day, count(*) AS articles FROM articles "
            "WHERE first_crawl_id = ? AND published_at IS NOT NULL GROUP BY day ORDER BY day", [crawl["id"]])],
        "changed_articles": _changed_articles(db, crawl, db_path),
        "comments_changed": _comments_changed(db, crawl),
        "staleness": _staleness(db, crawl),
        "rendering": _rendering(crawl),
        "newest_comments": [dict(row) for row in db.execute(
            "SELECT c.author_name, c.posted_at, c.body_text, a.title AS article_title FROM comments c "
            "JOIN articles a ON a.id = c.article_id WHERE c.first_seen_at >= ? AND c.first_seen_at <= ? "
            "ORDER BY c.posted_at DESC LIMIT 10", [crawl["started_at"], crawl["finished_at"] or "9999"])],
    }


def _staleness(db, crawl: dict) -> dict:
    """The archive's estimated staleness when the crawl ended: the changes its site's articles are
    expected to have had since each was last fetched (newsarchive/revisits.py, expected_missed:
    each article's estimated change rate, or the prior, times the days since its last visit)."""
    from newsarchive.revisits import expected_missed

    at = crawl["finished_at"] or crawl["started_at"]
    rows = db.execute(
        "SELECT r.change_rate, a.published_at, a.comment_count, a.last_seen_at FROM articles a "
        "LEFT JOIN revisits r ON r.article_id = a.id WHERE a.site IS ?", [crawl["site"]]).fetchall()
    expected = sum(expected_missed(rate, published, comments, seen, at) for rate, published, comments, seen in rows)
    return {"expected_unseen_changes": round(expected, 1), "articles": len(rows), "at": at}


def _rendering(crawl: dict) -> dict:
    """Pages the crawl rendered in a browser, by reason (newsarchive/rendering.py): the figures the
    store pipeline kept in crawls.coverage; {} when nothing was to render."""
    return (crawl.get("coverage") or {}).get("rendering") or {}


def _rendering_text(report: dict) -> list[str]:
    rendering = report.get("rendering")
    if not rendering:
        return []
    reasons = ", ".join(f"{count} {reason}" for reason, count in rendering["reasons"].items()) or "none"
    return [f"  rendered in a browser: {rendering['rendered']} pages ({reasons}); "
            f"{rendering['failed']} failed, {rendering['unavailable']} not rendered (no browser); "
            f"{rendering.get('script_captures', 0)} script responses kept; "
            f"{rendering.get('retried', 0)} known articles asked for again for unreached comments"]


def _rendering_html(report: dict) -> list[str]:
    rendering = report.get("rendering")
    if not rendering:
        return []
    rows = [[f"rendered: {reason}", count] for reason, count in rendering["reasons"].items()]
    rows += [["could not be rendered", rendering["failed"]], ["not rendered: no browser", rendering["unavailable"]],
             ["script responses kept", rendering.get("script_captures", 0)],
             ["known articles asked for again for unreached comments", rendering.get("retried", 0)]]
    return ["<h2>Pages rendered in a browser</h2>", _table(["", "pages"], [["rendered", rendering["rendered"]], *rows])]


def latest_crawl_of(db, site: str) -> int | None:
    """The id of the site's latest crawl (`site`: its name, or a URL of it), None when it has none."""
    row = db.execute("SELECT max(id) FROM crawls WHERE site IS ?", [_site_name(site)]).fetchone()
    return row[0] if row else None


def _crawl(db, crawl_id: int | None) -> dict:
    """The crawl asked for, else the archive's latest that finished. A job that ran `crawl A &&
    report`, on an archive another site's crawl had started to write meanwhile, reported that one
    (still running, exit 0) rather than its own; `report --site A` names the crawl for sure."""
    if crawl_id is None:
        row = (db.execute("SELECT * FROM crawls WHERE finished_at IS NOT NULL ORDER BY id DESC LIMIT 1").fetchone()
               or db.execute("SELECT * FROM crawls ORDER BY id DESC LIMIT 1").fetchone())
        if row is None:
            raise ReportError("the archive has no crawls yet")
    else:
        row = db.execute("SELECT * FROM crawls WHERE id = ?", [crawl_id]).fetchone()
        if row is None:
            raise ReportError(f"the archive has no crawl {crawl_id}")
    crawl = dict(row)
    crawl["coverage"] = json.loads(crawl["coverage"]) if crawl.get("coverage") else {}
    crawl["settings"] = json.loads(crawl["settings"]) if crawl.get("settings") else {}
    return crawl


def _site_name(site: str) -> str:
    """The name a crawl row gives a site: a profile's site name as given, a URL's host."""
    from newsarchive.scope import origin_of

    origin = origin_of(site) if "://" in site else None
    return origin[1] if origin else site


def _shards(db, crawl: dict) -> list[int]:
    """The crawls of a merged archive that were workers of one distributed crawl with this one (its
    site and crawl name, their times overlapping), itself included: their articles and comments
    are one crawl's. Another worker's crawl is no "previous crawl" to compare coverage with, nor
    are the comments it stored meanwhile comments added since the articles were stored."""
    name = crawl["settings"].get("NEWSARCHIVE_CRAWL_NAME")
    if not name:
        return [crawl["id"]]
    rows = db.execute(
        "SELECT id FROM crawls WHERE site IS ? AND json_extract(settings, '$.NEWSARCHIVE_CRAWL_NAME') = ? "
        "AND started_at <= ? AND coalesce(finished_at, '9999') >= ? ORDER BY id",
        [crawl["site"], name, crawl["finished_at"] or "9999", crawl["started_at"]]).fetchall()
    return [row[0] for row in rows] or [crawl["id"]]


def _window(db, crawl: dict) -> tuple[str, str]:
    """From the first start to the last end of the crawl's shards (its own times, alone)."""
    marks = ",".join("?" * len(crawl["shards"]))
    started, finished, running = db.execute(
        f"SELECT min(started_at), max(finished_at), sum(finished_at IS NULL) FROM crawls WHERE id IN ({marks})",
        crawl["shards"]).fetchone()
    return started, "9999" if running or not finished else finished


def _changed_articles(db, crawl: dict, db_path: str) -> list[dict]:
    """The articles this crawl found changed: which fields, the title's word diff, how many words,
    the comments added and removed, and how to see the diff."""
    from newsarchive.research.diffing import ADDED, REMOVED, article_versions, diff_versions, render

    rows = db.execute("SELECT a.id, a.title, a.canonical_url AS url, v.version FROM article_versions v "
                      "JOIN articles a ON a.id = v.article_id WHERE v.crawl_id = ? AND v.version > 1 "
                      "ORDER BY a.id LIMIT ?", [crawl["id"], CHANGED_ARTICLES_SHOWN]).fetchall()
    changed = []
    for row in rows:
        versions = {version.version: version for version in article_versions(db, row["id"])}
        diff = diff_versions(db, row["id"], versions[row["version"] - 1], versions[row["version"]])
        title_changed = "title" in diff.fields_changed
        changed.append(dict(row) | {
            "fields_changed": diff.fields_changed,
            "title_diff": render(diff.title, colour=False) if title_changed else None,
            "title_pieces": [[piece.kind, piece.text] for piece in diff.title if piece.text] if title_changed else [],
            "words_added": diff.words(ADDED), "words_removed": diff.words(REMOVED),
            **_comments_in_crawl(db, row["id"], crawl),
            "diff_command": _diff_command(row["id"], row["version"], db_path)})
    return changed


def _comments_in_crawl(db, article_id: int, crawl: dict) -> dict:
    """The article's comments this crawl first stored or first found gone."""
    from newsarchive.research.diffing import ADDED, comment_changes

    changes = comment_changes(db, article_id, *crawl["window"])
    removed = [" ".join(change.body_text.split())[:REMOVED_COMMENT_CHARACTERS]
               for change in changes if change.kind != ADDED]
    return {"comments_added": len(changes) - len(removed), "comments_removed": len(removed),
            "removed_comments": removed}


def _comments_changed(db, crawl: dict) -> list[dict]:
    """Articles stored before this crawl whose text it found unchanged but whose comments it found
    added or removed (moderation is a change too)."""
    since, until = crawl["window"]
    shards = crawl["shards"]
    marks = ",".join("?" * len(shards))
    rows = db.execute(
        "SELECT DISTINCT a.id, a.title, a.canonical_url AS url FROM comments c JOIN articles a ON a.id = c.article_id "
        "WHERE a.first_crawl_id < ? AND ((c.first_seen_at > ? AND c.first_seen_at <= ?) "
        "OR (c.removed_at > ? AND c.removed_at <= ?)) AND a.id NOT IN "
        f"(SELECT article_id FROM article_versions WHERE crawl_id IN ({marks}) AND version > 1) ORDER BY a.id LIMIT ?",
        [min(shards), since, until, since, until, *shards, CHANGED_ARTICLES_SHOWN]).fetchall()
    return [dict(row) | _comments_in_crawl(db, row["id"], crawl) for row in rows]


def _diff_command(article_id: int, version: int, db_path: str) -> str:
    # Without --from/--to, diff shows every consecutive pair: for version 2, exactly this change.
    command = f"newsarchive diff {article_id}" + (f" --from {version - 1} --to {version}" if version > 2 else "")
    return command + (f" --db {shlex.quote(db_path)}" if db_path != DEFAULT_DB else "")


def _failures(db, crawl_id: int) -> list[dict]:
    reasons = []
    for reason, pages in db.execute("SELECT reason, count(*) FROM failures WHERE crawl_id = ? GROUP BY reason "
                                    "ORDER BY count(*) DESC, reason", [crawl_id]):
        # A failure of the crawl itself (it failed to start) has no URL: its detail says what happened.
        examples = [row[0] for row in db.execute("SELECT coalesce(nullif(url, ''), detail) FROM failures "
                                                 "WHERE crawl_id = ? AND reason = ? ORDER BY id LIMIT ?",
                                                 [crawl_id, reason, EXAMPLES_PER_REASON])]
        reasons.append({"reason": reason, "pages": pages, "examples": examples})
    return reasons


def _coverage_rows(crawl: dict, previous: dict | None) -> list[dict]:
    coverage = crawl.get("coverage") or {}
    now = coverage.get("share") or {}
    earlier_coverage = json.loads(previous["coverage"]) if previous and previous.get("coverage") else {}
    before = earlier_coverage.get("share") or {}
    rows = []
    for field in COVERAGE_FIELDS:
        share, earlier = now.get(field), before.get(field)
        warning = None
        if (share is not None and earlier is not None and _fell(earlier, share)
                and not _by_chance(share, coverage.get("articles"), earlier, earlier_coverage.get("articles"))):
            warning = (f"{field} coverage fell from {earlier:.0%} to {share:.0%} since crawl {previous['id']}: "
                       f"the site may have changed its layout")
        rows.append({"field": field, "share": share, "previous_share": earlier, "warning": warning})
    return rows


def _fell(earlier: float, share: float) -> bool:
    """Whether a share fell by more than COVERAGE_DROP. Rounded first: in floats 0.8 - 0.7 is
    0.10000000000000009 and 0.9 - 0.8 is 0.09999999999999998, so a drop of exactly 10 points
    warned on some shares and not on others."""
    return round(earlier - share, 9) > COVERAGE_DROP


# A fall in a field's coverage that the luck of which stories each crawl stored explains this often
# or more is no sign of a layout change: a crawl that stored two new stories, neither with comments
# yet, after one whose stories had comments on 60% of them, said "COMMENTS COVERAGE FELL FROM 60% TO
# 0%" and exited 3, on a site that had not changed; so did a full crawl with comments on 27% of its
# stories after one that stored a single story, which had comments.
CHANCE_OF_FALL = 0.05


def _by_chance(share: float, articles: int | None, earlier: float, earlier_articles: int | None) -> bool:
    """Whether so few of a crawl's articles with the field are likely by chance, were the field as
    common in both crawls: both crawls' articles pooled and dealt at random, the chance that this
    crawl gets at most as many with the field (Fisher's exact test, one-sided, mid-p: half the
    chance of exactly as many) is at least CHANCE_OF_FALL. Both counts are samples: a share of
    100% over one article says little. A crawl whose article counts are not known (an older
    archive's rows) is judged by the share alone."""
    if not articles or not earlier_articles:
        return False
    with_field = round(share * articles)
    pooled_with_field = with_field + round(earlier * earlier_articles)
    population = articles + earlier_articles
    chance = _dealt_at_most(with_field - 1, articles, pooled_with_field, population)
    chance += _dealt_exactly(with_field, articles, pooled_with_field, population) / 2
    return chance >= CHANCE_OF_FALL


def _dealt_exactly(successes: int, draws: int, marked: int, population: int) -> float:
    """The hypergeometric chance that `draws` taken at random from `population`, `marked` of them
    marked, hold exactly `successes` marked ones; in logarithms, as counts of thousands are far
    beyond a float's range."""
    if not max(0, draws - (population - marked)) <= successes <= min(draws, marked):
        return 0.0
    return math.exp(_log_choose(marked, successes) + _log_choose(population - marked, draws - successes)
                    - _log_choose(population, draws))


def _dealt_at_most(successes: int, draws: int, marked: int, population: int) -> float:
    return min(1.0, sum(_dealt_exactly(k, draws, marked, population) for k in range(successes + 1)))


def _log_choose(n: int, k: int) -> float:
    return math.lgamma(n + 1) - math.lgamma(k + 1) - math.lgamma(n - k + 1)


def _profile_shares(coverage: dict) -> dict[str, float]:
    """Field -> share of the crawl's stored articles whose field came from the profile's selectors."""
    articles = coverage.get("articles") or 0
    shares = {}
    for key, count in (coverage.get("sources") or {}).items():
        field, _, layer = key.partition(":")
        if layer == "profile" and articles:
            shares[field] = count / articles
    return shares


def _selector_rows(crawl: dict, previous: dict | None) -> list[dict]:
    coverage = crawl.get("coverage") or {}
    earlier_coverage = json.loads(previous["coverage"]) if previous and previous.get("coverage") else {}
    now, before = _profile_shares(coverage), _profile_shares(earlier_coverage)
    rows = []
    for field in sorted(set(now) | set(before)):
        share, earlier = now.get(field, 0.0), before.get(field)
        warning = None
        if (earlier is not None and _fell(earlier, share)
                and not _by_chance(share, coverage.get("articles"), earlier, earlier_coverage.get("articles"))):
            warning = (f"the profile's selector for {field} found it on {share:.0%} of pages (crawl {previous['id']}: "
                       f"{earlier:.0%}): the markup changed; `newsarchive profile check URL` shows what to fix")
        rows.append({"field": field, "share": share, "previous_share": earlier, "warning": warning})
    return rows


def _known(count: int | None) -> str:
    return "?" if count is None else str(count)


def report_text(report: dict) -> str:
    crawl = report["crawl"]
    lines = [
        f"Crawl {crawl['id']} of {crawl['site']}: {crawl['finish_reason'] or 'still running or interrupted'}",
        f"  {crawl['started_at']} to {crawl['finished_at'] or '?'}",
        # An interrupted crawl's requests, responses and items were counted in its process only: unknown.
        f"  {_known(crawl['requests'])} requests, {_known(crawl['responses'])} responses, {_known(crawl['items'])} items",
        f"  articles: {crawl['articles_new'] or 0} new, {crawl['articles_changed'] or 0} changed, "
        f"{crawl.get('articles_not_modified') or 0} unchanged, {crawl.get('articles_skipped') or 0} skipped; "
        f"{crawl['failures'] or 0} failures",
    ]
    if len(crawl.get("shards") or ()) > 1:
        lines.append(f"  one worker of distributed crawl {crawl['settings'].get('NEWSARCHIVE_CRAWL_NAME')}, with crawls "
                     f"{', '.join(str(shard) for shard in crawl['shards'] if shard != crawl['id'])}: comments added "
                     "or removed below are the whole crawl's")
    if crawl.get("revisits"):
        lines.append(f"  revisits (known articles no listing offered): {crawl['revisits']} fetched, "
                     f"{crawl.get('revisits_changed') or 0} found changed")
    lines += _rendering_text(report)
    staleness = report["staleness"]
    lines.append(f"  estimated staleness: {staleness['expected_unseen_changes']} changes expected since the last "
                 f"visit, over {staleness['articles']} articles of the site (at {staleness['at']})")
    for warning in report["warnings"]:
        lines.append(f"WARNING: {warning.upper()}")
    if report["failures"]:
        lines.append("Failures by reason:")
        for failure in report["failures"]:
            lines.append(f"  {failure['reason']}: {failure['pages']}  e.g. {', '.join(failure['examples'])}")
    lines.append(f"Coverage (previous crawl: {report['previous_crawl_id'] or 'none'}):")
    for row in report["coverage"]:
        lines.append(f"  {row['field']:9s} {_share(row['share']):>5s}  (before {_share(row['previous_share'])})")
    if report.get("profile_selectors"):
        lines.append("Fields found by the profile's selectors (share of articles):")
        for row in report["profile_selectors"]:
            lines.append(f"  {row['field']:14s} {_share(row['share']):>5s}  (before {_share(row['previous_share'])})")
    lines += _changed_articles_text(report)
    lines += _comments_changed_text(report)
    if report["articles_per_day"]:
        lines.append("New articles per publication day:")
        peak = max(day["articles"] for day in report["articles_per_day"])
        for day in report["articles_per_day"][-31:]:
            lines.append(f"  {day['day']} {'#' * max(1, round(20 * day['articles'] / peak))} {day['articles']}")
    return "\n".join(lines) + "\n"


def _changed_articles_text(report: dict) -> list[str]:
    articles, total = report["changed_articles"], report["crawl"]["articles_changed"] or 0
    if not articles:
        return []
    shown = f"{len(articles)}" if len(articles) >= total else f"showing {len(articles)} of {total}"
    lines = [f"Articles changed in this crawl ({shown}):"]
    for article in articles:
        lines += [f"  {article['title']}", f"    {article['url']}",
                  f"    {_changed_summary(article)}; see: {article['diff_command']}"]
        if article.get("title_diff"):
            lines.append(f"    title: {article['title_diff']}")
        lines += _comments_text(article)
    return lines


def _comments_changed_text(report: dict) -> list[str]:
    articles = report.get("comments_changed") or []
    if not articles:
        return []
    lines = [f"Comments added or removed on articles whose text did not change ({len(articles)}):"]
    for article in articles:
        lines += [f"  {article['title']}", f"    {article['url']}", *_comments_text(article)]
    return lines


def _comments_text(article: dict) -> list[str]:
    if not (article.get("comments_added") or article.get("comments_removed")):
        return []
    lines = [f"    comments: {article['comments_added']} added, {article['comments_removed']} removed"]
    return lines + [f"      - {text}" for text in article["removed_comments"]]


def _changed_summary(article: dict) -> str:
    return (f"{', '.join(article['fields_changed']) or 'whitespace'} changed: "
            f"{article['words_added']} words added, {article['words_removed']} removed")


def _share(value) -> str:
    return "-" if value is None else f"{value:.0%}"


# HTML ----------------------------------------------------------------------------------------

_CSS = """
body{font:15px/1.5 system-ui,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem;color:#222}
h1{font-size:1.5rem}h2{font-size:1.15rem;margin-top:2rem;border-bottom:1px solid #ddd}
table{border-collapse:collapse;width:100%}td,th{padding:.3rem .6rem;border-bottom:1px solid #eee;text-align:left;
vertical-align:top}td.n{text-align:right;font-variant-numeric:tabular-nums}
.warning{background:#fff0f0;border:2px solid #c00;color:#900;padding:.8rem;font-weight:bold;margin:1rem 0}
del{color:#900;background:#fee}ins{color:#060;background:#efe;text-decoration:none}.muted{color:#777}.bidi{unicode-bidi:plaintext}svg text{font-size:10px;fill:#555}
"""


def report_html(report: dict) -> str:
    crawl = report["crawl"]
    title = f"Crawl {crawl['id']} of {crawl['site'] or 'a site'}"
    parts = [f"<h1>{escape(title)}</h1>",
             f"<p>{escape(crawl['finish_reason'] or 'unfinished')} · {escape(crawl['started_at'] or '')} to "
             f"{escape(crawl['finished_at'] or '?')}</p>"]
    parts += [f'<div class="warning">{escape(warning)}</div>' for warning in report["warnings"]]
    parts.append(_table(["", "count"], [
        ["requests", crawl["requests"]], ["responses", crawl["responses"]], ["items", crawl["items"]],
        ["new articles", crawl["articles_new"]], ["changed articles", crawl["articles_changed"]],
        ["unchanged articles", crawl.get("articles_not_modified")],
        ["known articles not fetched (refresh policy)", crawl.get("articles_skipped")],
        ["revisits of known articles (--revisit-budget)", crawl.get("revisits") or 0],
        ["revisits that found a change", crawl.get("revisits_changed") or 0],
        ["changes expected since the last visit (estimated staleness)",
         report["staleness"]["expected_unseen_changes"]],
        ["failures", crawl["failures"]]]))
    parts += _rendering_html(report)
    parts.append("<h2>Field coverage</h2>")
    parts.append(_table(["field", "this crawl", f"crawl {report['previous_crawl_id'] or '-'}"], [
        [row["field"], _share(row["share"]), _share(row["previous_share"])] for row in report["coverage"]]))
    parts.append("<h2>New articles per publication day</h2>")
    parts.append(_bar_chart(report["articles_per_day"]))
    parts.append("<h2>Failures by reason</h2>")
    parts.append(_table(["reason", "pages", "examples"], [
        [f["reason"], f["pages"], _links(f["examples"])] for f in report["failures"]], raw_columns={2}))
    parts.append("<h2>Articles changed in this crawl</h2>")
    parts.append(_table(["article", "version", "changed", "title", "words added", "words removed", "comments",
                         "to see the changes"], [
        [_link(a["url"], a["title"]), a["version"], ", ".join(a["fields_changed"]), _title_diff_html(a),
         a["words_added"], a["words_removed"], _comments_html(a), f"<code>{escape(a['diff_command'])}</code>"]
        for a in report["changed_articles"]], raw_columns={0, 3, 6, 7}))
    parts.append("<h2>Comments added or removed on articles whose text did not change</h2>")
    parts.append(_table(["article", "comments"], [
        [_link(a["url"], a["title"]), _comments_html(a)] for a in report.get("comments_changed") or []],
        raw_columns={0, 1}))
    parts.append("<h2>Newest comments</h2>")
    parts.append(_table(["author", "posted", "article", "comment"], [
        [c["author_name"], c["posted_at"], c["article_title"], c["body_text"]] for c in report["newest_comments"]]))
    return ("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
            f"<title>{escape(title)}</title><style>{_CSS}</style></head><body>\n"
            + "\n".join(parts) + "\n</body></html>\n")


def _title_diff_html(article: dict) -> str:
    """The title's word diff: removed words in <del>, added ones in <ins>; "unchanged" otherwise."""
    if not article.get("title_pieces"):
        return '<span class="muted">unchanged</span>'
    tags = {"removed": "del", "added": "ins"}
    return "".join(f"<{tags[kind]}>{escape(text)}</{tags[kind]}>" if kind in tags else escape(text)
                   for kind, text in article["title_pieces"])


def _comments_html(article: dict) -> str:
    summary = f"{article['comments_added']} added, {article['comments_removed']} removed"
    removed = "".join(f"<br><del>{escape(text)}</del>" for text in article["removed_comments"])
    return escape(summary) + removed


def _table(header: list[str], rows: list[list], raw_columns: set[int] = frozenset()) -> str:
    if not rows:
        return '<p class="muted">none</p>'
    head = "".join(f"<th>{escape(str(h))}</th>" for h in header)
    body = []
    for row in rows:
        cells = []
        for index, value in enumerate(row):
            if index in raw_columns:  # already built from escaped parts
                cells.append(f'<td class="bidi">{value}</td>')
            elif isinstance(value, (int, float)):
                cells.append(f'<td class="n">{value}</td>')
            else:
                cells.append(f'<td class="bidi">{escape("" if value is None else str(value))}</td>')
        body.append(f"<tr>{''.join(cells)}</tr>")
    return f"<table><tr>{head}</tr>{''.join(body)}</table>"


def _link(url: str | None, text: str | None) -> str:
    """A link only to an http(s) URL; anything else (javascript:, data:) is shown as text."""
    label = escape(text or url or "")
    if url and urlsplit(url).scheme in ("http", "https"):
        return f'<a href="{escape(url, quote=True)}" rel="noopener noreferrer">{label}</a>'
    return label


def _links(urls: list[str]) -> str:
    return "<br>".join(_link(url, url) for url in urls)


def _bar_chart(days: list[dict], width: int = 720, height: int = 140) -> str:
    if not days:
        return '<p class="muted">no new articles</p>'
    peak = max(day["articles"] for day in days)
    bar = width / len(days)
    bars = []
    for index, day in enumerate(days):
        bar_height = (height - 20) * day["articles"] / peak
        bars.append(f'<rect x="{index * bar:.1f}" y="{height - 20 - bar_height:.1f}" width="{max(bar - 1, 1):.1f}" '
                    f'height="{bar_height:.1f}" fill="#4a78b5"><title>{escape(day["day"])}: {day["articles"]}</title></rect>')
    labels = (f'<text x="0" y="{height - 5}">{escape(days[0]["day"])}</text>'
              f'<text x="{width}" y="{height - 5}" text-anchor="end">{escape(days[-1]["day"])}</text>'
              f'<text x="{width}" y="10" text-anchor="end">max {peak}/day</text>')
    return (f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" role="img" '
            f'aria-label="new articles per publication day">{"".join(bars)}{labels}</svg>')
