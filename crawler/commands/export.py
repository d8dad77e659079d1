"""``scrapy export NAME [-o FILE] [--format jsonl|csv|parquet] [--site ID] [--since D] [--until D]``.

Exports any table or view (``articles``, ``articles_unique``, ``gov_documents``,
``daily_counts``, ``reposts``, ``crawl_runs`` …) in bounded memory, with typed columns
(:mod:`crawler.db.export`). Without ``-o`` JSON lines and CSV go to stdout; a file is written
whole or not at all. ``--since`` / ``--until`` are local calendar days of each row's site
(:mod:`crawler.timezones`). Settings: ``DATABASE_URL``, ``DISPLAY_TIMEZONE``, ``SITES_DIR``.
"""

from __future__ import annotations

import argparse
import sys
from datetime import date
from pathlib import Path
from typing import Any, ClassVar

from scrapy.commands import ScrapyCommand
from scrapy.exceptions import UsageError

from crawler.commands import check_database_url
from crawler.db.database import open_database
from crawler.db.export import ExportError, ExportFilter, Format, exportable_names, write_export
from crawler.timezones import LocalTime


class Command(ScrapyCommand):
    requires_project = True
    default_settings: ClassVar[dict[str, Any]] = {"LOG_ENABLED": False}

    def syntax(self) -> str:
        return "TABLE_OR_VIEW [-o FILE] [--format jsonl|csv|parquet] [--site ID] [--since DATE] [--until DATE]"

    def short_desc(self) -> str:
        return "Export a table or view to JSON lines, CSV or Parquet (streaming)"

    def add_options(self, parser: argparse.ArgumentParser) -> None:
        super().add_options(parser)
        parser.add_argument("-o", "--output", type=Path, help="output file (default: stdout)")
        parser.add_argument("--format", choices=["jsonl", "csv", "parquet"], help="default: from the file suffix")
        parser.add_argument("--site", help="only rows of this site id")
        parser.add_argument(
            "--since", type=date.fromisoformat, help="only rows of this local day or later (YYYY-MM-DD)"
        )
        parser.add_argument(
            "--until", type=date.fromisoformat, help="only rows of local days before this one (YYYY-MM-DD)"
        )

    def run(self, args: list[str], opts: argparse.Namespace) -> None:
        check_database_url(self.settings)
        assert self.settings is not None
        with open_database(self.settings) as database, database.engine.connect() as connection:
            if len(args) != 1:
                names = ", ".join(exportable_names(connection))
                raise UsageError(f"give one table or view to export: {names}")
            fmt = _FORMATS[opts.format] if opts.format else _format_from(opts.output)
            where = ExportFilter(site=opts.site, since=opts.since, until=opts.until)
            try:
                count = write_export(
                    connection,
                    args[0],
                    opts.output or sys.stdout,
                    fmt,
                    where,
                    LocalTime.from_settings(self.settings),
                )
            except ExportError as error:
                raise UsageError(str(error)) from error
        print(f"exported {count} rows of {args[0]}", file=sys.stderr)


_FORMATS: dict[str, Format] = {"jsonl": "jsonl", "csv": "csv", "parquet": "parquet", "pq": "parquet"}


def _format_from(path: Path | None) -> Format:
    suffix = path.suffix.lower().lstrip(".") if path else ""
    return _FORMATS.get(suffix, "jsonl")
