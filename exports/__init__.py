"""Exporters from the archive to other formats (JSONL, CSV, WARC): see the issues for what comes next."""
