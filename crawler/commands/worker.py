"""``scrapy worker [--until-empty] [-a NAME=VALUE]``: crawl the site jobs queued in Redis (``DISTRIBUTED``).

Run one (or several) on every machine; ``scrapy crawlall`` / ``scrapy schedule`` queue the due
sites. Each of ``WORKER_SLOTS`` slots takes a queued site whose lease is free
(:mod:`crawler.distributed.jobs`), crawls it in this process with the site's politeness, and
finishes the job; a slot with nothing to take looks again every ``WORKER_POLL_SECONDS``. A
worker killed mid-crawl stops renewing its leases: after ``DISTRIBUTED_LEASE_SECONDS`` another
worker takes the site and crawls on from the requests left in Redis.

The worker stops taking jobs after a crawl whose articles had to be spooled (the database is
unreachable from here) and exits 2 once its running crawls end, so the other workers carry on
and the spool can be loaded later (``scrapy loadspool``). ``--until-empty`` exits when no job is
left, queued or leased (tests, one-off runs); otherwise the worker runs until stopped. Stopped
(Ctrl-C, SIGTERM), its running crawls close and their sites are given back, still queued, for
another worker to crawl on from the requests left in Redis. The exit
code is the highest of its crawls' (a site held by another worker, 3, is routine here and not
counted).

Settings: ``DISTRIBUTED``, ``DISTRIBUTED_LEASE_SECONDS``, ``WORKER_SLOTS``, ``WORKER_POLL_SECONDS``.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
from typing import Any

from scrapy.commands import ScrapyCommand
from scrapy.crawler import Crawler
from scrapy.exceptions import UsageError
from scrapy.utils.conf import arglist_to_dict
from scrapy.utils.defer import deferred_from_coro, maybe_deferred_to_future
from twisted.internet.defer import Deferred

from crawler.distributed.sitejobs import sites_queue
from crawler.exitcodes import ExitCode
from crawler.extensions.exitstatus import crawl_exit_code

logger = logging.getLogger(__name__)


class Command(ScrapyCommand):
    requires_project = True

    def syntax(self) -> str:
        return "[--until-empty]"

    def short_desc(self) -> str:
        return "Crawl the site jobs queued in Redis (DISTRIBUTED), one site per slot at a time"

    def add_options(self, parser: argparse.ArgumentParser) -> None:
        super().add_options(parser)
        parser.add_argument("--until-empty", action="store_true", help="exit when no site job is queued or leased")
        parser.add_argument("-a", dest="spargs", action="append", default=[], metavar="NAME=VALUE",
                            help="spider argument for every crawl")  # fmt: skip

    def process_options(self, args: list[str], opts: argparse.Namespace) -> None:
        super().process_options(args, opts)
        try:
            opts.spargs = arglist_to_dict(opts.spargs)
        except ValueError as error:
            raise UsageError("invalid -a value, use -a NAME=VALUE", print_help=False) from error

    def run(self, args: list[str], opts: argparse.Namespace) -> None:
        assert self.settings is not None
        assert self.crawler_process is not None
        queue = sites_queue(self.settings)
        if queue is None:
            raise UsageError("scrapy worker needs DISTRIBUTED=redis://host:port/db (or GOVNEWS_REDIS)")
        self.queue = queue
        self.spargs: dict[str, Any] = opts.spargs
        self.until_empty: bool = opts.until_empty
        self.poll = self.settings.getfloat("WORKER_POLL_SECONDS")
        self.slots = max(1, self.settings.getint("WORKER_SLOTS"))
        self.stopping = False
        self.codes: list[int] = []
        from twisted.internet import reactor

        reactor.callWhenRunning(lambda: deferred_from_coro(self._work()))
        self.crawler_process.start(stop_after_crawl=False)
        self.exitcode = max([self.exitcode, *self.codes])

    async def _work(self) -> None:
        try:
            await asyncio.gather(*(self._slot() for _ in range(self.slots)))
        finally:
            from twisted.internet import reactor

            reactor.stop()  # type: ignore[misc]

    async def _slot(self) -> None:
        from redis import RedisError

        while not self.stopping:
            try:
                job = self.queue.take()
                left = bool(job) or bool(self.queue.queued())
            except RedisError as error:
                logger.warning("Redis unavailable (%s): looking again in %.0f s", error, self.poll)
                await asyncio.sleep(self.poll)
                continue
            if job is None:
                if self.until_empty and not left:
                    return
                await asyncio.sleep(self.poll)
                continue
            code, reason = await self._crawl(job.id, {**self.spargs, **job.spec.get("spargs", {})})
            if code == ExitCode.SPOOLED:
                logger.error("articles of %s were spooled: the database is unreachable, this worker stops", job.id)
                self.stopping = True
            try:
                if reason == "shutdown":  # Ctrl-C / SIGTERM: another worker crawls on from Redis
                    self.stopping = True
                    self.queue.release(job.id)
                else:
                    self.queue.finish(job.id)
            except RedisError as error:  # the lease expires; the site is crawled again, nothing lost
                logger.warning("job %s not finished in Redis (%s): its lease will expire", job.id, error)

    async def _crawl(self, site: str, spargs: dict[str, Any]) -> tuple[int, str | None]:
        """The crawl's exit code and close reason."""
        assert self.crawler_process is not None
        logger.info("crawling %s", site)
        crawler: Crawler = self.crawler_process.create_crawler(site)
        try:
            running = self.crawler_process.crawl(crawler, **spargs)  # a Deferred, or a Task (AsyncCrawlerProcess)
            await (maybe_deferred_to_future(running) if isinstance(running, Deferred) else running)
        except Exception:
            logger.exception("crawl of %s failed", site)
            self.codes.append(ExitCode.FAILED)
            return ExitCode.FAILED, None
        code = crawl_exit_code(crawler)
        if code != ExitCode.BUSY:
            self.codes.append(code)
        logger.info("crawl of %s ended with exit code %d", site, code)
        reason = crawler.stats.get_value("finish_reason") if crawler.stats is not None else None
        return code, reason if isinstance(reason, str) else None
