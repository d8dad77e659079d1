"""``scrapy crawlall [--all] [--site ID ...] [-a NAME=VALUE]``: crawl every due site, in one process.

A site is due when its cron schedule fired since its last crawl started (never crawled:
due), and it is not backing off after blocked runs (:mod:`crawler.crawlstate.scheduling`). ``--all``
crawls every configured site regardless. The crawls run side by side in one Scrapy process
(each site's politeness applies to its own domains, each crawl writes its own ``crawl_runs``
row, all share one pool of content workers), at most ``SCHEDULE_MAX_PARALLEL`` at once (by
default 100: a crawl starts as another ends, so a thousand sites do not hold a thousand crawlers
in memory); the exit code is the highest any crawl reported
(:class:`~crawler.exitcodes.ExitCode`: 2 articles spooled, 3 a site already being crawled, 1 a
crawl that could not start, or a site config that could not be read: the other sites are
crawled all the same).

Settings: ``SITES_DIR``, ``DATABASE_URL``, ``SCHEDULE_TIMEZONE``, ``SCHEDULE_MAX_PARALLEL``,
``BLOCKED_BACKOFF_HOURS``, ``BLOCKED_BACKOFF_MAX_HOURS``; with ``DISTRIBUTED`` the due sites are
queued in Redis for ``scrapy worker`` processes instead of crawled here.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import sys
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from scrapy.commands import ScrapyCommand
from scrapy.crawler import Crawler, CrawlerProcessBase
from scrapy.exceptions import UsageError
from scrapy.utils.conf import arglist_to_dict
from scrapy.utils.log import failure_to_exc_info
from twisted.internet.defer import Deferred, DeferredSemaphore
from twisted.python.failure import Failure

from crawler.commands import check_database_url
from crawler.crawlstate.scheduling import Backoff, SiteHistory, history_from_db, is_due
from crawler.db.database import open_database
from crawler.db.schema import SchemaState
from crawler.distributed.sitejobs import queue_sites, sites_queue
from crawler.exitcodes import ExitCode
from crawler.extensions.exitstatus import crawl_exit_code
from crawler.siteconfig import sites_dir, usable_sites

logger = logging.getLogger(__name__)


def backoff_from(settings: Any) -> Backoff:
    return Backoff(
        base=timedelta(hours=settings.getfloat("BLOCKED_BACKOFF_HOURS")),
        cap=timedelta(hours=settings.getfloat("BLOCKED_BACKOFF_MAX_HOURS")),
    )


def crawl_finished(process: CrawlerProcessBase, crawler: Crawler, **spider_args: Any) -> Deferred[Any]:
    """Starts ``crawler`` in ``process``; fires when the crawl has ended. (CrawlerProcess gives
    a Deferred, AsyncCrawlerProcess, which the asyncio reactor brings, an asyncio task.)"""
    started = process.crawl(crawler, **spider_args)
    if isinstance(started, Deferred):
        return started
    return Deferred.fromFuture(asyncio.ensure_future(started))


def parallel_crawls(settings: Any) -> int:
    """``SCHEDULE_MAX_PARALLEL``, or by default 100 crawls at once in this process, 2 subprocesses."""
    value = settings.get("SCHEDULE_MAX_PARALLEL")
    if value in (None, ""):
        return 100 if settings.getbool("SCHEDULE_IN_PROCESS") else 2
    return int(value)


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
        crawlers: list[Crawler] = []
        process = self.crawler_process
        limit = DeferredSemaphore(max(1, parallel_crawls(self.settings)))

        def start(site: str) -> Any:
            crawler = process.create_crawler(site)
            crawlers.append(crawler)
            return crawl_finished(process, crawler, **opts.spargs)

        failed: list[Failure] = []
        for site in due:
            # Crawls beyond the limit start as earlier ones end, before the process's join()
            # sees its set of active crawls empty (the semaphore's callback runs first).
            limit.run(start, site).addErrback(failed.append)
        process.start()
        for failure in failed:
            logger.error("a crawl failed: %s", failure.getErrorMessage(), exc_info=failure_to_exc_info(failure))
        if self.crawler_process.bootstrap_failed:
            self.exitcode = ExitCode.FAILED
        # A crawl that never started (bad config, bad arguments) counts as FAILED.
        self.exitcode = max([self.exitcode, *(crawl_exit_code(crawler) for crawler in crawlers)])
        if failed:
            self.exitcode = max(self.exitcode, ExitCode.FAILED)

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
