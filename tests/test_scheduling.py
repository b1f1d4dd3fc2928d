"""Recurring crawls: the per-site lock, and the cron / systemd lines `newsarchive schedule` writes."""

from __future__ import annotations

import os
import shlex
import sqlite3
import subprocess
import sys

import pytest

from newsarchive.locking import EXIT_LOCKED, crawl_lock
from tests.conftest import run_cli


def test_a_second_crawl_of_the_same_site_and_archive_does_not_start(demo_site, tmp_path):
    db_path = tmp_path / "archive.db"
    arguments = ["crawl", "diyaruna", "--db", str(db_path), "--base-url", demo_site.base_url, "--allow-private",
                 "--locales", "ar", "-s", "AUTOTHROTTLE_ENABLED=0", "-s", "LOG_LEVEL=WARNING"]
    with crawl_lock(db_path, "diyaruna"):
        blocked = run_cli(*arguments)
    assert blocked.returncode == EXIT_LOCKED
    assert "another crawl of diyaruna" in blocked.stderr and f"pid {os.getpid()}" in blocked.stderr
    assert not db_path.exists()
    assert run_cli(*arguments).returncode == 0  # the lock went with its holder


def crawl_options(demo_site):
    return ["--crawl-option", f"--base-url={demo_site.base_url}", "--crawl-option", "--allow-private",
            "--crawl-option", "--locales=ar"]


def test_printed_cron_lines_schedule_working_crawls(demo_site, tmp_path):
    db_path = tmp_path / "news archive; 2024.db"  # a space and a ; in the path: quoted, one word
    logs = tmp_path / "cron logs" / "news"  # not there yet, as on a fresh machine (made only by --install, it was)
    result = run_cli("schedule", "diyaruna:6h", "almashareq:1d", "--full-every", "1w", "--db", str(db_path),
                     "--log-dir", str(logs), *crawl_options(demo_site))
    assert result.returncode == 0, result.stderr
    lines = [line for line in result.stdout.splitlines() if not line.startswith("#")]
    assert len(lines) == 4
    diyaruna = lines[0].split()
    assert diyaruna[1:5] == ["*/6", "*", "*", "*"] and 0 <= int(diyaruna[0]) < 60
    assert [line.endswith("2>&1") for line in lines] == [True] * 4
    assert sum("--full" in line for line in lines) == 2
    # The line's command, run as cron would run it, crawls into the archive.
    command = lines[0].split(None, 5)[5]
    assert not logs.exists()
    ran = subprocess.run(["/bin/sh", "-c", command], timeout=300)
    assert ran.returncode == 0, (logs / "newsarchive-diyaruna.log").read_text()[-3000:]
    assert "crawl 1 of diyaruna: finished" in (logs / "newsarchive-diyaruna.log").read_text()
    arabic = sum(1 for a in demo_site.manifest["articles"] if a["locale"] == "ar")
    assert sqlite3.connect(db_path).execute("SELECT count(*) FROM articles").fetchone()[0] == arabic


def test_install_replaces_its_own_crontab_block_and_keeps_the_rest(tmp_path):
    fake_bin, store = tmp_path / "bin", tmp_path / "crontab.txt"
    fake_bin.mkdir()
    store.write_text("MAILTO=me@example.org\n0 1 * * * backup\n")
    (fake_bin / "crontab").write_text(
        "#!/bin/sh\n"
        f'if [ "$1" = "-l" ]; then cat {shlex.quote(str(store))}; else cat > {shlex.quote(str(store))}; fi\n')
    (fake_bin / "crontab").chmod(0o755)
    env = {**os.environ, "PATH": f"{fake_bin}:{os.environ['PATH']}"}
    for every in ("6h", "12h"):
        result = subprocess.run([sys.executable, "-m", "newsarchive.cli", "schedule", f"diyaruna:{every}",
                                 "--db", str(tmp_path / "a.db"), "--log-dir", str(tmp_path / "logs"), "--install"],
                                env=env, capture_output=True, text=True, timeout=60)
        assert result.returncode == 0, result.stderr
    crontab = store.read_text()
    assert crontab.startswith("MAILTO=me@example.org\n0 1 * * * backup\n")
    assert crontab.count("# >>> newsarchive schedule >>>") == 1 and " */12 * * * " in crontab and "*/6" not in crontab


def test_systemd_units_are_written_with_a_timer_per_site(tmp_path):
    unit_dir = tmp_path / "units"
    result = run_cli("schedule", "diyaruna:6h", "--full-every", "1w", "--db", str(tmp_path / "my archive;x.db"),
                     "--format", "systemd", "--install", "--unit-dir", str(unit_dir))
    assert result.returncode == 0, result.stderr
    names = sorted(path.name for path in unit_dir.iterdir())
    assert names == ["newsarchive-diyaruna-full.service", "newsarchive-diyaruna-full.timer",
                     "newsarchive-diyaruna.service", "newsarchive-diyaruna.timer"]
    service = (unit_dir / "newsarchive-diyaruna.service").read_text()
    assert "ExecStart=" in service and " crawl diyaruna --db " in service and "SuccessExitStatus=75" in service
    exec_start = next(line for line in service.splitlines() if line.startswith("ExecStart="))
    assert shlex.split(exec_start)[-2:] == ["--db", str(tmp_path / "my archive;x.db")]
    assert "OnUnitActiveSec=6h" in (unit_dir / "newsarchive-diyaruna.timer").read_text()
    assert "OnUnitActiveSec=1w" in (unit_dir / "newsarchive-diyaruna-full.timer").read_text()
    assert "systemctl --user enable --now" in result.stdout


def test_scrapyd_lines_call_schedule_json(tmp_path):
    result = run_cli("schedule", "diyaruna:1d", "--format", "scrapyd", "--scrapyd-url", "http://127.0.0.1:6800",
                     "--db", str(tmp_path / "a.db"))
    line = result.stdout.splitlines()[1]
    assert "curl -fsS http://127.0.0.1:6800/schedule.json -d project=newsarchive -d spider=diyaruna" in line


def test_scrapyd_lines_carry_every_crawl_option(tmp_path):
    # The curl line sent the spider and the archive only: --revisit-budget, --contact and the rest
    # were dropped without a word.
    result = run_cli("schedule", "https://news.example/world/", "--format", "scrapyd", "--full-every", "1w",
                     "--db", str(tmp_path / "a.db"), "--crawl-option=--revisit-budget=2",
                     "--crawl-option=--contact=desk@example.org", "--crawl-option=--max-pages=5")
    assert result.returncode == 0, result.stderr
    lines = [line for line in result.stdout.splitlines() if not line.startswith("#")]
    fields = [shlex.split(line.split(" ", 5)[5])[4::2][:-1] for line in lines]  # each -d's value; the > /dev/null off
    for full, line in zip(("", "1"), fields, strict=True):
        assert line == [
            "project=newsarchive", "spider=generic", "start_urls=https://news.example/world/", "max_pages=5",
            "allow_private=", f"full={full}", "setting=NEWSARCHIVE_CONTACT_URL=desk@example.org",
            "setting=NEWSARCHIVE_REVISIT_BUDGET=2", f"setting=NEWSARCHIVE_DB_PATH={tmp_path / 'a.db'}"]


@pytest.mark.parametrize("url", ["not a url", "ftp://127.0.0.1:6800", "http://127.0.0.1:99999", "http://:6800",
                                 "http://127.0.0.1:6800/a b"])
def test_a_scrapyd_url_that_is_no_server_is_refused(tmp_path, url):
    # It was printed into the crontab as given, and every scheduled crawl then failed, unseen.
    result = run_cli("schedule", "diyaruna", "--format", "scrapyd", "--scrapyd-url", url, "--db", str(tmp_path / "a.db"))
    assert result.returncode == 2 and result.stdout == ""
    assert f"Invalid value for '--scrapyd-url': {url!r} is no Scrapyd address" in result.stderr


def test_the_scrapyd_url_reaches_curl_whole_through_the_shell(tmp_path):
    """The printed cron command, run by a real shell with a `curl` of ours that writes down its
    arguments: a `;` in the URL's path no longer ends the command there."""
    result = run_cli("schedule", "diyaruna", "--format", "scrapyd", "--scrapyd-url", "https://jobs.example/a;b/",
                     "--db", str(tmp_path / "a.db"))
    command = result.stdout.splitlines()[1].split(" ", 5)[5]
    fake_bin, told = tmp_path / "bin", tmp_path / "curl-arguments"
    fake_bin.mkdir()
    (fake_bin / "curl").write_text(f"#!/bin/sh\nprintf '%s\\n' \"$@\" > {shlex.quote(str(told))}\n")
    (fake_bin / "curl").chmod(0o755)
    subprocess.run(["sh", "-c", command], env={**os.environ, "PATH": f"{fake_bin}:{os.environ['PATH']}"}, check=True)
    assert told.read_text().splitlines()[:2] == ["-fsS", "https://jobs.example/a;b/schedule.json"]


def test_a_bad_interval_or_site_is_refused(tmp_path):
    assert run_cli("schedule", "diyaruna:7h").returncode == 2
    assert run_cli("schedule", "nosuchsite").returncode == 2


def test_a_section_url_is_scheduled_with_the_generic_spider(tmp_path):
    url = "https://example.org/news/a%20b/"
    result = run_cli("schedule", f"{url}:6h", "--db", str(tmp_path / "a.db"), "--log-dir", str(tmp_path / "logs"))
    assert result.returncode == 0, result.stderr
    line = result.stdout.splitlines()[1]
    # The URL's own colon is not an interval; cron's % is escaped; the log is named by host and path.
    assert line.split()[1] == "*/6"
    assert " crawl https://example.org/news/a\\%20b/ --db " in line
    assert line.endswith(f"{tmp_path / 'logs' / 'newsarchive-example.org-news-a-20b.log'} 2>&1")
    units = run_cli("schedule", url, "--format", "systemd", "--db", str(tmp_path / "a.db"))
    assert "ExecStart=" in units.stdout and "/news/a%%20b/ --db" in units.stdout
    # In the description too, which systemd expands as well (it warned of an unknown specifier).
    assert "Description=newsarchive crawl of https://example.org/news/a%%20b/\n" in units.stdout
    scrapyd = run_cli("schedule", f"{url}:1d", "--format", "scrapyd", "--db", str(tmp_path / "a.db"))
    assert "-d spider=generic -d start_urls=https://example.org/news/a\\%20b/" in scrapyd.stdout


def test_intervals_cron_cannot_keep_are_refused(tmp_path):
    for spec, words in (("diyaruna:0h", "at least 1"), ("diyaruna:2w", "every-2-weeks"),
                        ("diyaruna:40d", "use 31d at most"),  # it printed */40: the 1st of each month
                        ("diyarna", "did you mean diyaruna?"), ("http://exa mple.org/", "SITE")):
        result = run_cli("schedule", spec, "--db", str(tmp_path / "a.db"))
        assert result.returncode == 2 and words in result.stderr, (spec, result.stderr)
        assert "Traceback" not in result.stderr


def test_crawl_options_every_run_would_refuse_are_refused_now(tmp_path):
    # They were printed into the crontab as given, and each scheduled crawl then failed, unseen.
    for extra, says in ((["--crawl-option", "--bogus"], "No such option '--bogus'"),
                        (["--crawl-option=--max-pages=abc"], "'abc' is not a valid integer"),
                        (["--crawl-option=--max-pages=-5"], "--max-pages must be 0 or more, not -5"),
                        (["--crawl-option=--redis=localhost"], "--redis must be a URL of Redis")):
        result = run_cli("schedule", "diyaruna", "--db", str(tmp_path / "a.db"), *extra)
        assert result.returncode == 2 and "Invalid value for '--crawl-option'" in result.stderr and says in result.stderr
        assert result.stdout == ""
    good = run_cli("schedule", "diyaruna", "--db", str(tmp_path / "a.db"), "--crawl-option=--max-pages=3")
    assert good.returncode == 0 and " --max-pages=3 >> " in good.stdout


def test_a_site_given_twice_is_refused(tmp_path):
    # Two cron lines writing one log, and one systemd unit of the two, the other dropped unsaid.
    result = run_cli("schedule", "diyaruna:6h", "diyaruna:1d", "--db", str(tmp_path / "a.db"))
    assert result.returncode == 2 and result.stdout == ""
    assert "diyaruna is given twice (6h and 1d): one interval for a site" in result.stderr
    both = run_cli("schedule", "diyaruna:6h", "caravanserai:1d", "--full-every", "1w", "--db", str(tmp_path / "a.db"))
    assert both.returncode == 0, both.stderr  # a site's --full crawl is a job of its own
