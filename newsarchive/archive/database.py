"""sqlite-utils' Database, imported without numpy and pandas.

sqlite-utils imports numpy and pandas at its own import whenever they are installed, only to
convert their values in the rows it inserts; the archive inserts none (its rows are built from
Python values, its signatures are bytes). numpy is installed with datasketch, and pandas is in many
a researcher's environment: every crawl's process carried them from its first second to its last.
numpy alone was 13 MB of the crawl process's memory (78 MB once its imports are done, against
66 MB now) and 0.1 s of its start. They are kept out of that one import only: whatever imports
them later (datasketch for the duplicates pass, pyarrow for a Parquet export) gets them as usual.

Every module of the archive takes Database from here, and the package's __init__ imports it
before any module that uses sqlite-utils, so the crawl imports sqlite-utils here
(tests/test_archive_database.py holds that).
"""

from __future__ import annotations

import sys
from contextlib import contextmanager

# sqlite-utils' optional imports kept out: they convert values the archive never inserts.
UNUSED_BY_SQLITE_UTILS = ("numpy", "pandas")


@contextmanager
def modules_unavailable(*names: str):
    """Within: the named modules import as if not installed (None in sys.modules is Python's mark
    of a module that cannot be imported), unless one is imported already. After: as before."""
    hidden = [name for name in names if name not in sys.modules]
    for name in hidden:
        sys.modules[name] = None  # type: ignore[assignment]
    try:
        yield
    finally:
        for name in hidden:
            if sys.modules.get(name, 0) is None:
                del sys.modules[name]


with modules_unavailable(*UNUSED_BY_SQLITE_UTILS):
    from sqlite_utils import Database
    from sqlite_utils.migrations import Migrations

__all__ = ["Database", "Migrations"]
