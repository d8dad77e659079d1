"""Site jobs (``DISTRIBUTED``): the queue of due sites, and the lease that makes a site crawl the
only one of its site across every machine.

``scrapy crawlall`` and ``scrapy schedule`` queue due sites (:func:`queue_sites`); ``scrapy
worker`` takes them.

The lease (:class:`SiteLease`): the site spider acquires it when it starts, before it reads the
crawl state, and renews it while it crawls: a second crawl of the site, on this machine or any other, finds it held and
does not start (``ExitCode.BUSY``), as the pid check does on one machine. A ``scrapy worker``
takes the lease with the site's job, in the same process: the crawl finds it its own.

Settings: ``DISTRIBUTED``, ``DISTRIBUTED_LEASE_SECONDS``.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import TYPE_CHECKING

from scrapy import signals
from scrapy.crawler import Crawler
from scrapy.settings import BaseSettings
from scrapy.utils.defer import deferred_from_coro

if TYPE_CHECKING:  # Redis is imported only when DISTRIBUTED is set: one machine needs no redis package
    from crawler.distributed.jobs import JobQueue

logger = logging.getLogger(__name__)

LEASE_LOST = "lease_lost"
"""The close reason of a crawl whose lease another worker took."""
SITES_QUEUE = "sites"
"""The queue of site jobs (``scrapy crawlall`` / ``schedule`` fill it, ``scrapy worker`` empties it)."""


def sites_queue(settings: BaseSettings) -> JobQueue | None:
    """The site job queue of ``DISTRIBUTED``; ``None`` when it is unset."""
    url = settings["DISTRIBUTED"]
    if not url:
        return None
    from crawler.distributed.jobs import JobQueue, connect

    return JobQueue(connect(url), SITES_QUEUE, lease_seconds=settings.getfloat("DISTRIBUTED_LEASE_SECONDS"))


def queue_sites(queue: JobQueue, sites: list[str], spargs: dict[str, str]) -> int:
    """Queues site jobs (with the spider arguments of their crawls) not queued yet; how many."""
    return queue.add(((site, {"spargs": spargs}) for site in sites), score=time.time())


class QueuedCrawl:
    """A queued site job as ``scrapy schedule`` sees a crawl: running until a worker finished it."""

    def __init__(self, queue: JobQueue, site: str) -> None:
        self.queue = queue
        self.site = site

    def poll(self) -> int | None:
        from redis import RedisError

        try:
            return None if self.queue.is_queued(self.site) else 0
        except RedisError:
            return None


def queue_launcher(queue: JobQueue, spargs: dict[str, str]) -> Callable[[str], QueuedCrawl]:
    """``scrapy schedule``'s launcher with ``DISTRIBUTED``: queues the site instead of crawling it."""

    def launch(site: str) -> QueuedCrawl:
        queue_sites(queue, [site], spargs)
        return QueuedCrawl(queue, site)

    return launch


class LeaseUnavailableError(RuntimeError):
    """Redis did not answer: whether another worker crawls the site cannot be known."""


class SiteLease:
    def __init__(self, queue: JobQueue, site: str, on_lost: Callable[[str], object] | None = None) -> None:
        from crawler.distributed.jobs import LeaseKeeper

        self.queue = queue
        self.site = site
        self.keeper = LeaseKeeper(queue, on_lost)
        self.taken_here = False

    @classmethod
    def from_crawler(cls, crawler: Crawler, site: str) -> SiteLease | None:
        queue = sites_queue(crawler.settings)
        if queue is None:
            return None

        def stop_crawl(_: str) -> object:
            # Renewal came too late (this process stalled past the lease): another worker crawls
            # the site now, so this crawl stops rather than double the site's load.
            assert crawler.engine is not None
            return deferred_from_coro(crawler.engine.close_spider_async(reason=LEASE_LOST))

        lease = cls(queue, site, stop_crawl)
        crawler.signals.connect(lease.close, signal=signals.spider_closed)
        return lease

    def acquire(self) -> str | None:
        """``None`` once this process holds the lease (renewed from now on); else who holds it."""
        from redis import RedisError

        from crawler.distributed.jobs import Hold

        try:
            held = self.queue.hold(self.site)
        except RedisError as error:
            raise LeaseUnavailableError(str(error)) from error
        if held is Hold.OTHER:
            return self.queue.holder(self.site) or "another worker"
        self.taken_here = held is Hold.TAKEN
        self.keeper.keep(self.site)
        return None

    def close(self) -> None:
        """Stops renewing; gives the lease back if this crawl took it (a worker's job it leaves
        to the worker, which finishes the job and its lease together)."""
        from redis import RedisError

        self.keeper.stop()
        if self.taken_here:
            try:
                self.queue.release(self.site)
            except RedisError as error:  # it expires on its own
                logger.warning("lease of %s not given back (%s): it expires in its time", self.site, error)
