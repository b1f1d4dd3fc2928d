"""The offline demo site: generator (site.py, pages.py, words.py), server (serve.py), `newsarchive demo` (run.py)."""
