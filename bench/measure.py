"""Helpers shared by the benchmark scripts."""

from __future__ import annotations

import contextlib
import os
import resource
from pathlib import Path


def peak_rss_mb() -> float:
    """This process's own peak resident memory in MB. VmHWM belongs to the process image, while
    ru_maxrss carries the parent's peak (building a site or an archive) across fork and exec, so a
    child that measures itself with it reports its parent's figure."""
    status = Path("/proc/self/status")
    if status.exists():
        for line in status.read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def tree_rss_mb(pid: int) -> float:
    """Resident memory of a process and all its descendants, now."""
    children: dict[int, list[int]] = {}
    for status in Path("/proc").glob("[0-9]*/status"):
        try:
            fields = dict(line.split(":\t", 1) for line in status.read_text().splitlines() if ":\t" in line)
        except (OSError, ValueError):
            continue
        children.setdefault(int(fields.get("PPid", "0").strip()), []).append(int(fields["Pid"].strip()))
    total, pending = 0, [pid]
    while pending:
        current = pending.pop()
        pending += children.get(current, [])
        try:
            for line in Path(f"/proc/{current}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1])
        except OSError:
            pass
    return total / 1024


def process_tree(pid: int) -> list[int]:
    """The process and its descendants, read from the kernel's child lists (a walk over the whole of
    /proc ten times a second cost the machine more than some of the parts measured)."""
    tree, pending = [], [pid]
    while pending:
        current = pending.pop()
        tree.append(current)
        with contextlib.suppress(OSError):  # the process (or a thread of it) ended meanwhile
            for task in Path(f"/proc/{current}/task").glob("*/children"):
                with contextlib.suppress(OSError):
                    pending += [int(child) for child in task.read_text().split()]
    return tree


def cpu_seconds(pid: int) -> tuple[str, float] | None:
    """A process's part (crawl, parser workers, Playwright's driver, browser, renderers) and the CPU
    seconds it has used so far."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
        command = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
    except OSError:
        return None
    name, fields = stat[stat.index("(") + 1:stat.rindex(")")], stat.rsplit(")", 1)[1].split()
    seconds = (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    if "chrom" in command or "chrom" in name:  # a process that is ending shows no command line
        part = "browser renderers" if "--type=renderer" in command else "browser"
    elif "node" in name:
        part = "Playwright driver"
    elif "multiprocessing" in command:
        part = "parser workers"
    else:
        part = "crawl"
    return part, seconds
