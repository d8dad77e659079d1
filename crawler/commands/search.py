"""``scrapy search QUERY [--site ID] [--limit N]``: find stored articles by a word or phrase.

Every article whose title or body contains the query (any length, Latin case ignored; a query
in Traditional is converted as bodies are, by ``SEARCH_QUERY_FORM``), newest first, each with
its publication time in the site's local time (:mod:`crawler.timezones`), a snippet around the
hit and its story. Settings: ``DATABASE_URL``, ``SEARCH_QUERY_FORM``, ``DISPLAY_TIMEZONE``,
``SITES_DIR``.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable
from typing import Any, ClassVar

from scrapy.commands import ScrapyCommand
from scrapy.exceptions import UsageError
from scrapy.utils.misc import load_object

from crawler.commands import check_database_url
from crawler.db.database import open_database
from crawler.db.search import MAX_LIMIT, Hit, SearchError, checked_query, search
from crawler.timezones import LocalTime


def hit_lines(hit: Hit, local_time: LocalTime) -> str:
    """Three lines for a person: when, where and what; the text around the hit; the URL and story."""
    when = local_time.shown(hit.published, hit.published_precision, hit.site, hit.host, hit.published_day)
    story = f"story {hit.cluster_id}, {hit.story_articles} articles" if hit.cluster_id is not None else "no story"
    copy = f", copy of {hit.duplicate_of}" if hit.duplicate_of else ""
    return f"{hit.id}\t{when}\t{hit.site}\t{hit.title or '(no title)'}\n\t{hit.snippet}\n\t{hit.url} ({story}{copy})"


class Command(ScrapyCommand):
    requires_project = True
    default_settings: ClassVar[dict[str, Any]] = {"LOG_ENABLED": False}

    def syntax(self) -> str:
        return "QUERY [--site ID] [--limit N]"

    def short_desc(self) -> str:
        return "Find articles whose title or body contains QUERY (any length, Chinese or Latin)"

    def add_options(self, parser: argparse.ArgumentParser) -> None:
        super().add_options(parser)
        parser.add_argument("--site", help="only this site id")
        parser.add_argument("--limit", type=int, default=20, help=f"most hits to show, 1 to {MAX_LIMIT} (default 20)")

    def run(self, args: list[str], opts: argparse.Namespace) -> None:
        check_database_url(self.settings)
        assert self.settings is not None
        query_form: Callable[[str], str] = load_object(self.settings["SEARCH_QUERY_FORM"])
        try:
            term = checked_query(query_form(" ".join(args)), opts.limit)
        except SearchError as error:
            raise UsageError(str(error)) from error
        local_time = LocalTime.from_settings(self.settings)
        with open_database(self.settings) as database, database.engine.connect() as connection:
            hits = search(connection, term, site=opts.site, limit=opts.limit)
        for hit in hits:
            print(hit_lines(hit, local_time))
        print(f"{len(hits)} hits for {term!r}")
