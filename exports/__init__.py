"""Exporters from the archive to other formats: JSONL, CSV, Parquet (tabular.py) and WARC (warc.py).

Every export writes through `output_file()`: into a temporary file beside the one asked for,
renamed to it only when the export is complete, so a failed export leaves nothing behind (no
empty or half-written file a script could mistake for a result).
"""

from __future__ import annotations

import os
from contextlib import contextmanager
from pathlib import Path


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
