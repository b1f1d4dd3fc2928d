"""A Datasette plugin (loaded by `newsarchive browse` with --plugins-dir): the archive's fold()
SQL function, so canned queries can search the folded indexes as `newsarchive search` does."""

from datasette import hookimpl

from newsarchive.archive.folding import fold


@hookimpl
def prepare_connection(conn):
    conn.create_function("fold", 1, fold, deterministic=True)
