"""``scrapy loadspool``: load spooled batches into the database, oldest first.

Each spool file is loaded in one transaction (exact-duplicate links repeated against the
database) and deleted only after it committed. A file that cannot be read stops the load
with its name and line, leaving it and every later file in place.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any, ClassVar

from scrapy.commands import ScrapyCommand
from scrapy.exceptions import UsageError

from crawler.db.articles import UpsertCounts, assign_duplicates, upsert_articles
from crawler.db.engine import display_url, make_engine
from crawler.db.schema import ensure_schema
from crawler.db.spool import SpoolFormatError, read_batch, spool_files
from crawler.timezones import LocalTime


class Command(ScrapyCommand):
    requires_project = True
    default_settings: ClassVar[dict[str, Any]] = {"LOG_ENABLED": False}

    def syntax(self) -> str:
        return "[SPOOL_DIR]"

    def short_desc(self) -> str:
        return "Load articles spooled by failed database writes"

    def run(self, args: list[str], opts: argparse.Namespace) -> None:
        assert self.settings is not None
        spool_dir = Path(args[0] if args else self.settings["SPOOL_DIR"])
        files = spool_files(spool_dir)
        if not files:
            print(f"nothing to load in {spool_dir}")
            return
        engine = make_engine(self.settings["DATABASE_URL"])
        total = UpsertCounts()
        local_time = LocalTime.from_settings(self.settings)
        try:
            ensure_schema(engine)
            for path in files:
                try:
                    articles = list(read_batch(path))
                except SpoolFormatError as error:
                    raise UsageError(f"{error}; fix or move the file and run again") from error
                with engine.begin() as connection:
                    assign_duplicates(connection, articles)
                    counts = upsert_articles(connection, articles, local_time=local_time)
                path.unlink()
                total.add(counts)
                print(f"loaded {path.name}: {len(articles)} articles")
        finally:
            engine.dispose()
        print(
            f"{len(files)} spool files into {display_url(self.settings['DATABASE_URL'])}: "
            f"new {total.inserted}, updated {total.updated}, unchanged {total.unchanged}"
        )
