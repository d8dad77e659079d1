"""``scrapy schedule [--once] [--site ID ...]``: start each site's crawl on its cron schedule.

A long-running loop (run it under systemd or supervisord): each due site is crawled, never
two crawls of one site at once, at most ``SCHEDULE_MAX_PARALLEL`` crawls together; a crawl
that fails is logged with its exit code and the loop goes on. Due times come from
``crawl_runs`` in the database, so a restarted scheduler keeps the rhythm. The next run of every
site is logged at start, and a site's again after each of its crawls; a broken site config is
logged and the other sites are scheduled. ``--once`` starts what is due, waits for those
crawls, and exits. The cron/systemd-timer alternative is in ``docs/crawling.md``.

With ``SCHEDULE_IN_PROCESS`` (the default) the crawls run in this one long-lived Scrapy process,
side by side, each with its own settings, politeness and ``crawl_runs`` record, all sharing one
pool of content workers: an hourly crawl of a government column is 3 to 5 requests, and a
process per crawl (``SCHEDULE_IN_PROCESS = False``: ``scrapy crawl ID`` subprocesses) spent
seconds of CPU and 300 MB per site on starting alone (``benchmarks/fleet.py``).

Settings: ``SITES_DIR``, ``DATABASE_URL``, ``SCHEDULE_TIMEZONE``, ``SCHEDULE_MAX_PARALLEL``,
``SCHEDULE_IN_PROCESS``, ``BLOCKED_BACKOFF_HOURS``, ``BLOCKED_BACKOFF_MAX_HOURS``; with
``DISTRIBUTED`` each due site is queued in Redis for ``scrapy worker`` processes and counts as
running until a worker finished it.
"""

from __future__ import annotations

import argparse
import logging
import os
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, ClassVar, cast
from zoneinfo import ZoneInfo

from scrapy.commands import ScrapyCommand
from scrapy.crawler import Crawler, CrawlerProcessBase
from scrapy.exceptions import UsageError
from scrapy.utils.log import failure_to_exc_info
from twisted.internet.defer import Deferred
from twisted.python.failure import Failure

from crawler.commands import check_database_url
from crawler.commands.crawlall import backoff_from, crawl_finished, parallel_crawls
from crawler.crawlstate.scheduling import CrawlHandle, Scheduler, SiteHistory, history_from_db
from crawler.db.database import Database, open_database
from crawler.db.schema import SchemaOutdatedError
from crawler.distributed.sitejobs import queue_launcher, sites_queue
from crawler.exitcodes import ExitCode
from crawler.extensions.exitstatus import crawl_exit_code
from crawler.siteconfig import sites_dir, usable_sites

logger = logging.getLogger(__name__)


def crawl_launcher(settings: Any, sites_dir: Path) -> Any:
    """Starts ``scrapy crawl SITE`` in a subprocess with this process's database and sites."""
    env = dict(os.environ, DATABASE_URL=settings["DATABASE_URL"], GOVNEWS_SITES_DIR=str(sites_dir))
    env.setdefault("SCRAPY_SETTINGS_MODULE", "crawler.settings")

    def launch(site: str) -> subprocess.Popen[bytes]:
        return subprocess.Popen([sys.executable, "-m", "scrapy", "crawl", site], env=env)

    return launch


class InProcessCrawl:
    """A crawl started in this process: :meth:`poll` is ``None`` until it ends, then its exit code."""

    def __init__(self, crawler: Crawler, done: Deferred[Any]) -> None:
        self.crawler = crawler
        self.code: int | None = None
        done.addBoth(self._finished)

    def _finished(self, result: Any) -> None:
        code = crawl_exit_code(self.crawler)
        if isinstance(result, Failure):
            logger.error("crawl of %s failed", self.crawler.spidercls.name, exc_info=failure_to_exc_info(result))
            code = max(code, ExitCode.FAILED)
        self.code = int(code)

    def poll(self) -> int | None:
        return self.code


def in_process_launcher(process: CrawlerProcessBase) -> Any:
    """Starts a site's crawl in ``process`` (on its running reactor)."""

    def launch(site: str) -> CrawlHandle:
        crawler = process.create_crawler(site)
        return InProcessCrawl(crawler, crawl_finished(process, crawler))

    return launch


class Command(ScrapyCommand):
    requires_project = True
    default_settings: ClassVar[dict[str, Any]] = {"LOG_LEVEL": "INFO"}

    def short_desc(self) -> str:
        return "Run each site's crawl on its cron schedule (a long-running loop)"

    def add_options(self, parser: argparse.ArgumentParser) -> None:
        super().add_options(parser)
        parser.add_argument("--once", action="store_true", help="start what is due, wait for it, exit")
        parser.add_argument("--site", action="append", default=[], help="only these site ids (repeatable)")

    def run(self, args: list[str], opts: argparse.Namespace) -> None:
        check_database_url(self.settings)
        assert self.settings is not None
        directory = sites_dir(self.settings)
        sites, broken = usable_sites(directory)
        for error in broken:  # reported, and the other sites scheduled
            logger.error("site config left out: %s", error)
        unknown = sorted(set(opts.site) - set(sites))
        if unknown:
            raise UsageError(f"no such sites: {', '.join(unknown)}")
        schedules = {site: config.schedule for site, config in sites.items() if not opts.site or site in opts.site}
        with open_database(self.settings) as database:
            try:
                # Once, here: crawls started together on a new database would race to create it.
                database.ensure_schema()
            except SchemaOutdatedError as error:
                raise UsageError(str(error), print_help=False) from error
            self._schedule(database, directory, schedules, once=opts.once)

    def _schedule(self, database: Database, directory: Path, schedules: dict[str, str], *, once: bool) -> None:
        assert self.settings is not None

        def history(site: str) -> SiteHistory:
            with database.engine.connect() as connection:
                return history_from_db(connection, site)

        queue = sites_queue(self.settings)
        # With DISTRIBUTED, due sites are queued for `scrapy worker` processes, all of them at
        # once; otherwise crawled in this process (SCHEDULE_IN_PROCESS) or by subprocesses.
        in_process = queue is None and self.settings.getbool("SCHEDULE_IN_PROCESS")
        if queue is not None:
            launch = queue_launcher(queue, {})
        elif in_process:
            assert self.crawler_process is not None
            launch = in_process_launcher(self.crawler_process)
        else:
            launch = crawl_launcher(self.settings, directory)
        parallel = parallel_crawls(self.settings) if queue is None else len(schedules)
        scheduler = Scheduler(
            schedules,
            launch=launch,
            history=history,
            clock=lambda: datetime.now(UTC),
            tz=ZoneInfo(self.settings["SCHEDULE_TIMEZONE"]),
            backoff=backoff_from(self.settings),
            max_parallel=parallel,
        )
        try:
            if in_process:
                self._reactor_loop(scheduler, once=once)
            else:
                self._loop(scheduler, once=once)
        except KeyboardInterrupt:
            logger.info("scheduler stopped; %d crawls still running finish on their own", len(scheduler.running))
        if any(code != 0 for _, code in scheduler.finished) and once:
            self.exitcode = ExitCode.FAILED

    def _reactor_loop(self, scheduler: Scheduler, *, once: bool) -> None:
        """The loop of :meth:`_loop` as calls on the crawl process's reactor, which runs the crawls."""
        from twisted.internet import reactor as installed

        assert self.crawler_process is not None
        reactor = cast(Any, installed)  # the module stands for the installed reactor

        def step(first: bool) -> None:
            if first:  # at start; each crawl's end logs its site's again
                for site in scheduler.schedules:
                    if site not in scheduler.running:
                        scheduler.log_next_run(site)
            if first and once:
                started = scheduler.tick()
                print(f"started {', '.join(started) or 'nothing: no site is due'}", flush=True)
            elif once:
                scheduler.reap()
            else:
                scheduler.tick()
            if once and not scheduler.running:
                reactor.stop()
                return
            wait = 0.2 if once else scheduler.seconds_to_next(datetime.now(UTC))
            reactor.callLater(max(wait, 0.2), step, False)

        reactor.callWhenRunning(step, True)
        self.crawler_process.start(stop_after_crawl=False)

    def _loop(self, scheduler: Scheduler, *, once: bool) -> None:
        started = scheduler.tick()
        for site in scheduler.schedules:  # at start; each crawl's end logs its site's again
            if site not in scheduler.running:
                scheduler.log_next_run(site)
        if once:
            print(f"started {', '.join(started) or 'nothing: no site is due'}", flush=True)
            while scheduler.running:
                time.sleep(1.0)
                scheduler.reap()
            return
        while True:
            time.sleep(scheduler.seconds_to_next(datetime.now(UTC)))
            scheduler.tick()
