"""Folders a crawl's process owns, named by its process id: made at need, deleted by the crawl when
it ends, and by a later crawl when the process that made them is gone (it was killed, SIGKILL
leaves no chance to delete anything).

Two kinds (each module names its own): the request queues beside an archive
(newsarchive/request_queue.py) and the temporary folder of the browser's processes
(newsarchive/render_handler.py).
"""

from __future__ import annotations

import contextlib
import glob
import os
import re
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path


def own_folder(parent: Path, prefix: str) -> Path:
    """A new folder in parent, PREFIX + this process's id + a random part: one of its own for each
    caller (a script may run two crawls of one archive in one process)."""
    return Path(tempfile.mkdtemp(prefix=f"{prefix}{os.getpid()}-", dir=parent))


def delete_stale_folders(parent: Path, prefix: str) -> list[Path]:
    """Delete the folders own_folder made in parent with this prefix whose process is gone; return them.
    Only names own_folder makes (tempfile's random part: eight of a-z, 0-9 and _): a user's folder
    that happens to start so ("PREFIX2024-notes") is not taken for one."""
    pattern = re.compile(re.escape(prefix) + r"(\d+)-[a-z0-9_]{8}")
    stale = []
    for folder in parent.glob(f"{glob.escape(prefix)}*"):  # escaped: an archive's name may hold [ or *
        match = pattern.fullmatch(folder.name)
        if match and folder.is_dir() and not folder.is_symlink() and not running(int(match.group(1))):
            shutil.rmtree(folder, ignore_errors=True)
            stale.append(folder)
    return stale


def running(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OverflowError):  # another user's process; no process number: not touched
        return True
    return True


@contextlib.contextmanager
def temporary_folder_of_children(folder: Path) -> Iterator[None]:
    """Within: the processes this process starts put their temporary files in folder (TMPDIR, read
    by Node.js and Chromium as by Python). This process's own tempfile keeps its folder: Python
    reads TMPDIR once, made sure of first."""
    tempfile.gettempdir()
    before = os.environ.get("TMPDIR")
    os.environ["TMPDIR"] = str(folder)
    try:
        yield
    finally:
        if before is None:
            os.environ.pop("TMPDIR", None)
        else:
            os.environ["TMPDIR"] = before
