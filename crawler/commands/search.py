"""``scrapy search QUERY [--site ID] [--limit N]``: full-text search of the stored articles."""

from __future__ import annotations

import argparse
from typing import Any, ClassVar

from scrapy.commands import ScrapyCommand
from scrapy.exceptions import UsageError

from crawler.db.database import open_database
from crawler.db.search import search


class Command(ScrapyCommand):
    requires_project = True
    default_settings: ClassVar[dict[str, Any]] = {"LOG_ENABLED": False}

    def syntax(self) -> str:
        return "QUERY [--site ID] [--limit N]"

    def short_desc(self) -> str:
        return "Find articles whose title or body contains QUERY (Chinese substring search)"

    def add_options(self, parser: argparse.ArgumentParser) -> None:
        super().add_options(parser)
        parser.add_argument("--site", help="only this site id")
        parser.add_argument("--limit", type=int, default=20, help="most hits to show (default 20)")

    def run(self, args: list[str], opts: argparse.Namespace) -> None:
        if not args:
            raise UsageError("give a search query")
        assert self.settings is not None
        with open_database(self.settings) as database, database.engine.connect() as connection:
            hits = search(connection, " ".join(args), site=opts.site, limit=opts.limit)
        for hit in hits:
            day = hit.published.date().isoformat() if hit.published else "????-??-??"
            print(f"{hit.id}\t{day}\t{hit.site}\t{hit.title}\n\t{hit.snippet}\n\t{hit.url}")
        print(f"{len(hits)} hits")
