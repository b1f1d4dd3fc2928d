"""The research queries of docs/queries.md, read from the document itself.

Each query is a ```sql block whose first line is `-- name: slug`; an `-- example: key=value`
line gives values for its parameters; the `## heading` above it is its title and the first
paragraph under the heading its description. The same text feeds Datasette's canned queries and
the test that runs them all, so the document and what runs cannot differ.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from importlib.resources import files

_BLOCK = re.compile(r"^## (?P<title>.+?)\n\n(?P<intro>.*?)```sql\n(?P<sql>.*?)```", re.S | re.M)


@dataclass
class ResearchQuery:
    name: str
    title: str
    description: str
    sql: str
    example: dict[str, str] = field(default_factory=dict)

    @property
    def parameters(self) -> list[str]:
        return sorted(set(re.findall(r"(?<!:):([a-z_]+)", self.sql)))


def load_queries(text: str | None = None) -> list[ResearchQuery]:
    text = text if text is not None else files("newsarchive.research").joinpath("queries.md").read_text("utf-8")
    queries = []
    for match in _BLOCK.finditer(text):
        lines = match["sql"].strip().splitlines()
        header = [line for line in lines if line.startswith("-- ")]
        name = next((line.split(":", 1)[1].strip() for line in header if line.startswith("-- name:")), None)
        if name is None:
            continue
        example = {}
        for line in header:
            if line.startswith("-- example:"):
                for pair in line.split(":", 1)[1].split(","):
                    key, _, value = pair.strip().partition("=")
                    example[key] = value
        sql = "\n".join(line for line in lines if not line.startswith("-- "))
        description = " ".join(match["intro"].strip().split("\n\n")[0].split())
        queries.append(ResearchQuery(name, match["title"].strip(), description, sql, example))
    return queries
