"""An exception in one line, naming where in this project it was raised.

Kept apart from failures.py, which names fetch errors by Scrapy's and Twisted's exception types:
a parser worker (newsarchive/workers.py) describes its page's exception with this alone and never
imports Scrapy, which would cost each worker about 45 MB.
"""

from __future__ import annotations

import traceback
from pathlib import Path


def describe_exception(error: BaseException) -> str:
    """The exception's type and message, and where in this project it was raised.

    The innermost frame of newsarchive's own code names the layer or pipeline that failed
    (`parsers/dates.py, url_date_is_earlier`), even when the error came from a library it called.
    """
    message = str(error)
    if len(message) > 500:
        message = message[:500] + "..."
    where = "; ".join(filter(None, [_where_raised(error), *getattr(error, "__notes__", [])]))
    return f"{type(error).__name__}: {message}" + (f" (in {where})" if where else "")


_PROJECT_ROOT = Path(__file__).resolve().parent.parent


def _where_raised(error: BaseException) -> str | None:
    frames = traceback.extract_tb(error.__traceback__)  # none for an exception never raised
    own = [frame for frame in frames if _is_project_file(frame.filename)]
    frame = (own or frames or [None])[-1]
    if frame is None:
        return None
    path = Path(frame.filename)
    try:
        path = path.resolve().relative_to(_PROJECT_ROOT)
    except ValueError:
        path = Path(path.name)
    return f"{path.as_posix()}, {frame.name}, line {frame.lineno}"


def _is_project_file(filename: str) -> bool:
    try:
        relative = Path(filename).resolve().relative_to(_PROJECT_ROOT)
    except ValueError:
        return False
    return relative.parts[:1] in (("newsarchive",), ("spiders",), ("exports",))
