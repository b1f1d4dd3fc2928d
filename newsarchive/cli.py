"""The `newsarchive` command: the root click group, with the commands of newsarchive/commands/
added to it, one module per subject:

- pages.py: extract, fixtures check / record, profile check
- crawling.py: crawl, demo, merge, schedule
- research.py: search, index, duplicates, stats, report, diff, browse, schema, sites
- exporting.py: export jsonl / csv / parquet / sqlite / warc / wacz
- common.py: what several of them share (the --db option of existing archives, opening one)

Each command module imports its heavy dependencies (Scrapy, Datasette, pyarrow) inside the command
that needs them, so `newsarchive --help` starts quickly.
"""

from __future__ import annotations

import click

from newsarchive.commands import crawling, exporting, pages, research


@click.group()
@click.version_option(package_name="newsarchive")
def cli():
    """Archive news sites into one SQLite file.

    \b
    Quick look at what the archive would keep of one page:
        newsarchive extract saved-page.html --url https://diyaruna.com/en_GB/articles/...
    """


for command in (
    pages.extract, pages.fixtures, pages.profile,
    crawling.crawl, crawling.demo, crawling.merge, crawling.schedule,
    research.search, research.index, research.duplicates, research.stats, research.report, research.diff,
    research.browse, research.schema, research.sites,
    exporting.export,
):
    cli.add_command(command)


def main():
    cli()


if __name__ == "__main__":
    main()
