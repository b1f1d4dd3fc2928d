"""The researchers' side of the archive: canned queries, search, stats, reports, Datasette."""
