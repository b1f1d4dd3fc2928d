"""The archive's sqlite-utils comes without numpy and pandas (newsarchive/archive/database.py)."""

from __future__ import annotations

import subprocess
import sys


def run_python(code: str) -> str:
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    return done.stdout.strip()


def test_a_crawl_process_imports_neither_numpy_nor_pandas_and_either_can_be_imported_later():
    # numpy is installed here (datasketch needs it): sqlite-utils would import it.
    shown = run_python(
        "import sys, newsarchive.cli, newsarchive.crawling, newsarchive.archive.store\n"
        "print('numpy' in sys.modules, 'pandas' in sys.modules)\n"
        "import numpy, sqlite_utils.db\n"
        "print(type(numpy.zeros(1)).__name__, sqlite_utils.db.np)")
    assert shown.splitlines() == ["False False", "ndarray None"]


def test_modules_unavailable_hides_only_what_is_not_imported_yet_and_only_inside():
    shown = run_python(
        "import json, sys\n"
        "from newsarchive.archive.database import modules_unavailable\n"
        "assert 'colorsys' not in sys.modules\n"
        "with modules_unavailable('colorsys', 'json'):\n"
        "    try:\n"
        "        import colorsys\n"
        "        print('imported inside')\n"
        "    except ImportError:\n"
        "        print('unavailable inside')\n"
        "    import json as again\n"
        "    print('json inside', again is json)\n"
        "print('colorsys' in sys.modules)\n"
        "import colorsys\n"
        "print('after', colorsys.rgb_to_hsv(0, 0, 0))")
    assert shown.splitlines() == ["unavailable inside", "json inside True", "False", "after (0.0, 0.0, 0)"]
