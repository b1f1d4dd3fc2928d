"""Exporters from the archive to other formats: JSONL, CSV, Parquet (tabular.py), WARC (warc.py)
and a shareable copy of the SQLite file (sqlite_copy.py).

Every export to a file writes through `output_file()`: into a temporary file beside the one asked
for, renamed to it only when the export is complete, so a failed export leaves nothing behind (no
empty or half-written file a script could mistake for a result). An existing file is replaced,
except the archive being exported. `--out -` (`output_stream()`) writes to standard output
instead, for the exports that write in one pass.
"""

from __future__ import annotations

import os
import sys
from contextlib import contextmanager
from pathlib import Path
from typing import BinaryIO, Iterator

STDOUT = "-"


class ExportError(Exception):
    """An export that cannot be made as asked: the message is one line saying why."""


@contextmanager
def output_file(out_path: str | Path):
    """A temporary path beside out_path, renamed to out_path when the block succeeds."""
    out_path = Path(out_path)
    if not out_path.parent.is_dir():
        raise ExportError(f"cannot write {out_path}: the folder {out_path.parent} does not exist")
    if out_path.is_dir():
        raise ExportError(f"cannot write {out_path}: it is a folder")
    partial = out_path.with_name(f".{out_path.name}.partial")
    try:
        yield partial
        os.replace(partial, out_path)
    except OSError as error:
        raise ExportError(f"cannot write {out_path}: {error.strerror or error}") from None
    finally:
        partial.unlink(missing_ok=True)


def is_stdout(out_path: str | Path) -> bool:
    return str(out_path) == STDOUT


def refuse_overwriting_archive(db_path: str | Path, out_path: str | Path) -> None:
    """An ExportError when out_path is the archive itself: replacing it would lose the archive."""
    if not is_stdout(out_path) and Path(out_path).exists() and os.path.samefile(db_path, out_path):
        raise ExportError(f"cannot write {out_path}: it is the archive being exported")


@contextmanager
def output_stream(out_path: str | Path) -> Iterator[BinaryIO]:
    """A binary stream: standard output for "-", else a file written whole or not at all.

    A reader that stops early (`| head`) raises BrokenPipeError, left to the caller; any other
    failure to write becomes an ExportError.
    """
    if not is_stdout(out_path):
        with output_file(out_path) as partial, open(partial, "wb") as out:
            yield out
        return
    try:
        yield sys.stdout.buffer
        sys.stdout.buffer.flush()  # here, not at exit, so a closed pipe is seen while handled
    except BrokenPipeError:
        raise
    except OSError as error:
        raise ExportError(f"cannot write to standard output: {error.strerror or error}") from None
