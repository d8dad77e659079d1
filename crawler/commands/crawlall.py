"""``scrapy crawlall [--all] [--site ID ...] [-a NAME=VALUE]``: crawl every due site, in one process.

A site is due when its cron schedule fired since its last crawl started (never crawled:
due), and it is not backing off after blocked runs (:mod:`crawler.crawlstate.scheduling`). ``--all``
crawls every configured site regardless. The crawls run side by side in one Scrapy process
(each site's politeness applies to its own domains); the exit code is the highest any crawl
reported (:class:`~crawler.exitcodes.ExitCode`: 2 articles spooled, 3 a site already being
crawled, 1 a crawl that could not start, or a site config that could not be read: the other
sites are crawled all the same).

Settings: ``SITES_DIR``, ``DATABASE_URL``, ``SCHEDULE_TIMEZONE``, ``BLOCKED_BACKOFF_HOURS``,
``BLOCKED_BACKOFF_MAX_HOURS``; with ``DISTRIBUTED`` the due sites are queued in Redis for
``scrapy worker`` processes instead of crawled here.
"""

from __future__ import annotations

import argparse
import sys
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from scrapy.commands import ScrapyCommand
from scrapy.exceptions import UsageError
from scrapy.utils.conf import arglist_to_dict

from crawler.commands import check_database_url
from crawler.crawlstate.scheduling import Backoff, SiteHistory, history_from_db, is_due
from crawler.db.database import open_database
from crawler.db.schema import SchemaState
from crawler.distributed.sitejobs import queue_sites, sites_queue
from crawler.exitcodes import ExitCode
from crawler.extensions.exitstatus import crawl_exit_code
from crawler.siteconfig import sites_dir, usable_sites


def backoff_from(settings: Any) -> Backoff:
    return Backoff(
        base=timedelta(hours=settings.getfloat("BLOCKED_BACKOFF_HOURS")),
        cap=timedelta(hours=settings.getfloat("BLOCKED_BACKOFF_MAX_HOURS")),
    )


class Command(ScrapyCommand):
    requires_project = True

    def syntax(self) -> str:
        return "[--all] [--site ID ...]"

    def short_desc(self) -> str:
        return "Crawl every site that is due by its schedule (or --all)"

    def add_options(self, parser: argparse.ArgumentParser) -> None:
        super().add_options(parser)
        parser.add_argument("--all", action="store_true", help="crawl every configured site, due or not")
        parser.add_argument("--site", action="append", default=[], help="only these site ids (repeatable)")
        parser.add_argument("-a", dest="spargs", action="append", default=[], metavar="NAME=VALUE",
                            help="spider argument for every crawl, e.g. -a dry_run=1")  # fmt: skip

    def process_options(self, args: list[str], opts: argparse.Namespace) -> None:
        super().process_options(args, opts)
        try:
            opts.spargs = arglist_to_dict(opts.spargs)
        except ValueError as error:
            raise UsageError("invalid -a value, use -a NAME=VALUE", print_help=False) from error

    def run(self, args: list[str], opts: argparse.Namespace) -> None:
        check_database_url(self.settings)
        assert self.settings is not None
        assert self.crawler_process is not None
        sites, broken = usable_sites(sites_dir(self.settings))
        for error in broken:  # reported, and the other sites crawled
            print(f"site config left out: {error}", file=sys.stderr)
            self.exitcode = ExitCode.FAILED
        unknown = sorted(set(opts.site) - set(sites))
        if unknown:
            raise UsageError(f"no such sites: {', '.join(unknown)}")
        chosen = [site for site in sites if not opts.site or site in opts.site]
        due = chosen if opts.all else self._due(chosen, {s: sites[s].schedule for s in chosen})
        if not due:
            print("no site is due")
            return
        queue = sites_queue(self.settings)
        if queue is not None:  # DISTRIBUTED: workers crawl them (scrapy worker)
            queued = queue_sites(queue, due, opts.spargs)
            print(f"queued {queued} of {len(due)} due sites for the workers (the others are queued already)")
            return
        print(f"crawling {len(due)} sites: {', '.join(due)}")
        crawlers = []
        for site in due:
            crawler = self.crawler_process.create_crawler(site)
            self.crawler_process.crawl(crawler, **opts.spargs)
            crawlers.append(crawler)
        self.crawler_process.start()
        if self.crawler_process.bootstrap_failed:
            self.exitcode = ExitCode.FAILED
        # A crawl that never started (bad config, bad arguments) counts as FAILED.
        self.exitcode = max([self.exitcode, *(crawl_exit_code(crawler) for crawler in crawlers)])

    def _due(self, sites: list[str], schedules: dict[str, str]) -> list[str]:
        assert self.settings is not None
        tz = ZoneInfo(self.settings["SCHEDULE_TIMEZONE"])
        histories: dict[str, SiteHistory] = {}
        with open_database(self.settings) as database:
            if database.schema_state() is SchemaState.CURRENT:
                with database.engine.connect() as connection:
                    histories = {site: history_from_db(connection, site) for site in sites}
        now = datetime.now(UTC)
        backoff = backoff_from(self.settings)
        return [s for s in sites if is_due(schedules[s], histories.get(s, SiteHistory()), now, tz, backoff)]
