"""Exporters from the archive to other formats: JSONL, CSV, Parquet (tabular.py), WARC (warc.py)
and a shareable copy of the SQLite file (sqlite_copy.py).

Every export to a file writes through `output_file()`: into a temporary file beside the one asked
for (`.NAME.PID.partial`, the process's own: two exports to one file at once do not write into
each other), renamed to it only when the export is complete, so a failed export leaves nothing
behind (no empty or half-written file a script could mistake for a result); one killed outright
leaves its partial file, which the next export to that name deletes. An existing file is replaced,
except the archive being exported; a symbolic link's target is what is replaced, and a device or
a named pipe is written into, never replaced. `--out -` (`output_stream()`) writes to standard output
instead, for the exports that write in one pass.
"""

from __future__ import annotations

import glob
import os
import re
import sys
from contextlib import contextmanager
from pathlib import Path
from typing import BinaryIO, Iterator

from newsarchive.scratch import running

STDOUT = "-"


class ExportError(Exception):
    """An export that cannot be made as asked: the message is one line saying why."""


@contextmanager
def output_file(out_path: str | Path, stream: bool = False):
    """A temporary path beside out_path, renamed to out_path when the block succeeds. A symbolic
    link's target is written (the link stays a link). A device or a named pipe (/dev/null, a FIFO a
    script reads) is never replaced by a file: a writer that only opens the path and writes it in
    order (stream=True) is handed it as it is; any other is refused."""
    out_path = Path(out_path)
    if not out_path.parent.is_dir():
        raise ExportError(f"cannot write {out_path}: the folder {out_path.parent} does not exist")
    target = Path(os.path.realpath(out_path))
    if target.is_dir():
        raise ExportError(f"cannot write {out_path}: it is a folder")
    if target.exists() and not target.is_file():
        if not stream:
            raise ExportError(f"cannot write {out_path}: it is a device or a pipe, and this export needs a file")
        try:
            yield target
        except OSError as error:
            raise ExportError(f"cannot write {out_path}: {error.strerror or error}") from None
        return
    _delete_stale_partials(target)
    partial = target.with_name(f".{target.name}.{os.getpid()}.partial")
    try:
        yield partial
        os.replace(partial, target)
    except OSError as error:
        raise ExportError(f"cannot write {out_path}: {error.strerror or error}") from None
    finally:
        partial.unlink(missing_ok=True)


def _delete_stale_partials(target: Path) -> None:
    """The partial files (and SQLite's journals of them) of exports to target whose process is gone."""
    pattern = re.compile(re.escape(f".{target.name}.") + r"(\d+)\.partial(?:-journal|-wal|-shm)?")
    for path in target.parent.glob(f".{glob.escape(target.name)}.*.partial*"):
        found = pattern.fullmatch(path.name)
        if found and path.is_file() and not path.is_symlink() and not running(int(found.group(1))):
            path.unlink(missing_ok=True)


def is_stdout(out_path: str | Path) -> bool:
    return str(out_path) == STDOUT


def refuse_overwriting_archive(db_path: str | Path, *out_paths: str | Path | None) -> None:
    """An ExportError when an output path is the archive itself, or one of SQLite's files beside it
    (its -wal holds changes not yet in the archive's file): replacing it would lose the archive.
    Every command that writes a file its user names checks it (exports, report --html, browse
    --metadata)."""
    archive = Path(os.path.realpath(db_path))
    for out_path in out_paths:
        if out_path is None or is_stdout(out_path):
            continue
        target = Path(os.path.realpath(out_path))
        if target == archive or (target.exists() and archive.exists() and os.path.samefile(archive, target)):
            raise ExportError(f"cannot write {out_path}: it is the archive itself")
        for suffix in ("-wal", "-shm", "-journal"):
            if target == archive.with_name(archive.name + suffix):
                raise ExportError(f"cannot write {out_path}: it is the archive's {suffix} file")


@contextmanager
def output_stream(out_path: str | Path) -> Iterator[BinaryIO]:
    """A binary stream: standard output for "-", else a file written whole or not at all.

    A reader that stops early (`| head`) raises BrokenPipeError, left to the caller; any other
    failure to write becomes an ExportError.
    """
    if not is_stdout(out_path):
        with output_file(out_path, stream=True) as partial, open(partial, "wb") as out:
            yield out
        return
    try:
        yield sys.stdout.buffer
        sys.stdout.buffer.flush()  # here, not at exit, so a closed pipe is seen while handled
    except BrokenPipeError:
        raise
    except OSError as error:
        raise ExportError(f"cannot write to standard output: {error.strerror or error}") from None
