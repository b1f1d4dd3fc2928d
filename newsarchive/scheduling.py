"""Recurring crawls: crontab lines, systemd timer units and Scrapyd calls for a list of sites.

`newsarchive schedule diyaruna:6h almashareq:1d --db /srv/archive.db` prints what to install;
`--install` installs it (crontab via `crontab -`, systemd units into the user unit folder). Each
run is `newsarchive crawl`, which is incremental, holds a per-site lock (exit 75 when the previous
run is still going) and exits non-zero when the crawl did not finish, so cron mail and systemd's
journal show failures. `--full-every 1w` adds a weekly `--full` crawl (docs/archival.md says why).
"""

from __future__ import annotations

import json
import re
import shlex
import shutil
import subprocess
import sys
import zlib
from dataclasses import dataclass
from pathlib import Path

BEGIN, END = "# >>> newsarchive schedule >>>", "# <<< newsarchive schedule <<<"
_INTERVAL = re.compile(r"^(\d+)([mhdw])$")


@dataclass
class Job:
    site: str
    every: str  # 30m, 6h, 1d, 1w
    full: bool = False

    @property
    def name(self) -> str:
        return f"newsarchive-{_slug(self.site)}" + ("-full" if self.full else "")


def _slug(site: str) -> str:
    """A site's name as is; a section URL as its host and path in characters that file names and
    systemd unit names accept (https://example.org/news/ -> example.org-news)."""
    without_scheme = site.split("://", 1)[-1]
    return re.sub(r"[^A-Za-z0-9._]+", "-", without_scheme).strip("-") or "site"


def parse_jobs(specs: list[str], default_every: str, full_every: str | None) -> list[Job]:
    jobs = []
    for spec in specs:
        site, every = split_spec(spec)
        jobs.append(Job(site, every or default_every))
        if full_every:
            jobs.append(Job(site, full_every, full=True))
    for job in jobs:
        cron_schedule(job)  # fail early on a bad interval
    given: dict[str, Job] = {}
    for job in jobs:
        earlier = given.setdefault(job.name, job)
        if earlier is not job:  # one name: one cron log, one systemd unit, which the second replaced
            raise ValueError(f"{job.site} is given twice ({earlier.every} and {job.every}): one interval for a site")
    return jobs


def split_spec(spec: str) -> tuple[str, str | None]:
    """SITE[:EVERY]: a site's name or a section URL (whose own colons belong to it), and its interval."""
    site, colon, every = spec.rpartition(":")
    if colon and _INTERVAL.match(every):
        return site, every
    return spec, None


def cron_schedule(job: Job) -> str:
    """Five cron fields; the minute is spread by site so that sites do not all start at once."""
    match = _INTERVAL.match(job.every)
    if not match:
        raise ValueError(f"interval {job.every!r}: use a number and m, h, d or w, e.g. 30m, 6h, 1d, 1w")
    number, unit = int(match[1]), match[2]
    if number < 1:
        raise ValueError(f"interval {job.every!r}: it must be at least 1 ({unit})")
    minute = zlib.crc32(job.name.encode()) % 60
    hour = zlib.crc32(job.name.encode()) % 24
    if unit == "m":
        if 60 % number:
            raise ValueError(f"interval {job.every!r}: minutes must divide 60 (5m, 10m, 15m, 20m, 30m)")
        return f"*/{number} * * * *"
    if unit == "h":
        if 24 % number:
            raise ValueError(f"interval {job.every!r}: hours must divide 24 (1h, 2h, 3h, 4h, 6h, 8h, 12h)")
        return f"{minute} */{number} * * *" if number > 1 else f"{minute} * * * *"
    if unit == "d":
        if number > 31:  # cron's day of the month: */40 runs on the 1st of every month
            raise ValueError(f"interval {job.every!r}: cron counts days within a month; use 31d at most")
        return f"{minute} {hour} */{number} * *" if number > 1 else f"{minute} {hour} * * *"
    if number > 1:
        raise ValueError(f"interval {job.every!r}: cron has no every-{number}-weeks; use 1w, or days ({7 * number}d "
                         "runs on days of the month, which drift against weeks)")
    return f"{minute} {hour} * * {zlib.crc32(job.site.encode()) % 7}"


def crawl_command(job: Job, db_path: Path, extra: list[str]) -> str:
    installed = shutil.which("newsarchive")
    executable = [installed] if installed else [sys.executable, "-m", "newsarchive.cli"]
    parts = [*executable, "crawl", job.site, "--db", str(db_path.resolve()), *extra]
    if job.full:
        parts.append("--full")
    return " ".join(shlex.quote(part) for part in parts)  # each part one word, spaces and ; included


def cron_lines(jobs: list[Job], db_path: Path, log_dir: Path, extra: list[str]) -> str:
    """The crontab lines of the jobs, each making its log's folder first: printed to be pasted,
    they ran no crawl at all where the folder was not there (the shell's redirection failed)."""
    lines = [BEGIN]
    folder = shlex.quote(str(log_dir.resolve()))
    for job in jobs:
        log = log_dir.resolve() / f"{job.name}.log"
        command = f"mkdir -p {folder} && {crawl_command(job, db_path, extra)} >> {shlex.quote(str(log))} 2>&1"
        lines.append(f"{cron_schedule(job)} {_cron_escaped(command)}")
    lines.append(END)
    return "\n".join(lines) + "\n"


def systemd_units(jobs: list[Job], db_path: Path, extra: list[str]) -> dict[str, str]:
    units = {}
    for job in jobs:
        seconds = {"m": "min", "h": "h", "d": "d", "w": "w"}[job.every[-1]]
        units[f"{job.name}.service"] = (
            f"[Unit]\nDescription=newsarchive crawl of {job.site.replace('%', '%%')}{' (full)' if job.full else ''}\n\n"
            # systemd expands %-specifiers in ExecStart and Description: a URL's %20 must be written %%20.
            f"[Service]\nType=oneshot\nExecStart={crawl_command(job, db_path, extra).replace('%', '%%')}\n"
            # 75: the previous run still holds the lock; not a failure worth an alert.
            "SuccessExitStatus=75\n")
        units[f"{job.name}.timer"] = (
            f"[Unit]\nDescription=Run {job.name} every {job.every}\n\n"
            f"[Timer]\nOnBootSec=5min\nOnUnitActiveSec={job.every[:-1]}{seconds}\nRandomizedDelaySec=5min\n"
            "Persistent=true\n\n[Install]\nWantedBy=timers.target\n")
    return units


def scrapyd_cron_lines(jobs: list[Job], db_path: Path, scrapyd_url: str, project: str, plan_of) -> str:
    """The crontab lines that have Scrapyd run the jobs. plan_of(job): the job's crawl plan (its
    spider, arguments and settings, from the crawl command's options and --crawl-option's), each
    argument and setting sent along: they were all dropped without a word."""
    lines = [BEGIN]
    for job in jobs:
        plan = plan_of(job)
        data = [f"project={project}", f"spider={plan.spider}",
                *(f"{name}={value}" for name, value in plan.arguments.items() if value is not None),
                *(f"setting={name}={_setting_text(value)}" for name, value in plan.settings.items()),
                f"setting=NEWSARCHIVE_DB_PATH={db_path.resolve()}"]
        fields = " ".join(f"-d {shlex.quote(item)}" for item in data)
        command = f"curl -fsS {shlex.quote(scrapyd_url.rstrip('/') + '/schedule.json')} {fields} > /dev/null"
        lines.append(f"{cron_schedule(job)} {_cron_escaped(command)}")
    lines.append(END)
    return "\n".join(lines) + "\n"


def _setting_text(value) -> str:
    """A setting as Scrapyd passes it on (text): a list or a dict as JSON, which Scrapy's settings read."""
    return json.dumps(value) if isinstance(value, (dict, list, tuple)) else str(value)


def _cron_escaped(command: str) -> str:
    """cron turns an unescaped % into a newline (crontab(5)): a URL's %20 must be written \\%20."""
    return command.replace("%", "\\%")


def install_crontab(block: str) -> str:
    """Put the block into the user's crontab, replacing an earlier newsarchive block."""
    current = subprocess.run(["crontab", "-l"], capture_output=True, text=True)
    existing = current.stdout if current.returncode == 0 else ""
    kept = re.sub(re.escape(BEGIN) + r".*?" + re.escape(END) + r"\n?", "", existing, flags=re.S)
    new = (kept.rstrip("\n") + "\n" if kept.strip() else "") + block
    subprocess.run(["crontab", "-"], input=new, text=True, check=True)
    return new


def install_systemd(units: dict[str, str], unit_dir: Path) -> list[Path]:
    unit_dir.mkdir(parents=True, exist_ok=True)
    written = []
    for name, text in units.items():
        (unit_dir / name).write_text(text, encoding="utf-8")
        written.append(unit_dir / name)
    return written
