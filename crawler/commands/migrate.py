"""``scrapy migrate [--revision REV]``: apply the Alembic migrations to ``DATABASE_URL``."""

from __future__ import annotations

import argparse
from typing import Any, ClassVar

from scrapy.commands import ScrapyCommand

from crawler.commands import check_database_url
from crawler.db.database import open_database
from crawler.db.schema import current_revision, downgrade, upgrade


class Command(ScrapyCommand):
    requires_project = True
    default_settings: ClassVar[dict[str, Any]] = {"LOG_ENABLED": False}

    def short_desc(self) -> str:
        return "Create or upgrade the database schema (Alembic migrations)"

    def add_options(self, parser: argparse.ArgumentParser) -> None:
        super().add_options(parser)
        parser.add_argument("--revision", default="head", help="target revision (default: head)")
        parser.add_argument("--downgrade", action="store_true", help="downgrade to --revision instead")

    def run(self, args: list[str], opts: argparse.Namespace) -> None:
        check_database_url(self.settings)
        assert self.settings is not None
        with open_database(self.settings) as database:
            before = current_revision(database.engine)
            (downgrade if opts.downgrade else upgrade)(database.engine, opts.revision)
            after = current_revision(database.engine)
        print(f"{database.display_url}: {before or 'empty'} -> {after or 'empty'}")
