"""Replay inputs handed out through Redis (``DISTRIBUTED``): ``scrapy crawl replay`` on N workers.

Every worker given the same directory (one shared mount, the same path everywhere) queues its
inputs as jobs of one queue named after the path (jobs already queued or finished are not
queued again), then takes them one at a time as its engine has room: the files are shared out,
each read to its end once. A file is finished when its last page has left the pipelines
(stored, dropped, or failed: ``item_scraped`` / ``item_dropped`` / ``item_error``, which the
storage stage sends only once the batch committed or was spooled); until then its lease is
renewed. A worker killed mid-file stops renewing; another worker takes the file when the
lease expires and reads it again, and storage keeps one row per article. A worker that finds
no free file waits while files are leased to others, and ends when the queue is empty.

This is the part of the frontier scrapy-redis does not fit: its ``RedisSpider`` feeds
``start_requests()``, which Scrapy >= 2.16 no longer calls; this feeds Scrapy's
``async def start()``. The replay spider keeps Scrapy's own scheduler: its requests are
``file://`` reads of the file it leased, for no other worker to take.

Settings: ``DISTRIBUTED``, ``DISTRIBUTED_LEASE_SECONDS``, ``WORKER_POLL_SECONDS``,
``CONCURRENT_REQUESTS`` (files held at once). Stats: ``replay/files_taken``, ``replay/files_finished``.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
from collections import Counter
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from scrapy import Spider, signals
from scrapy.crawler import Crawler
from scrapy.http import Response
from scrapy.statscollectors import StatsCollector

from crawler.replay.inputs import InputKind, ReplayInput

if TYPE_CHECKING:
    from crawler.distributed.jobs import JobQueue, LeaseKeeper

logger = logging.getLogger(__name__)


def queue_name(root: Path) -> str:
    """One queue per replayed path: ``replay:<digest of the absolute path>``."""
    return "replay:" + hashlib.sha1(str(root.absolute()).encode("utf-8")).hexdigest()[:16]


def job_id(root: Path, entry: ReplayInput) -> str:
    """An input's job id: its path under the root, the same on every machine mounting it there."""
    return "." if entry.path == root else entry.path.relative_to(root).as_posix()


class ReplayFiles:
    def __init__(
        self, queue: JobQueue, keeper: LeaseKeeper, stats: Callable[[], StatsCollector], *, poll: float, most_held: int
    ) -> None:
        self.queue = queue
        self.keeper = keeper
        self._stats = stats
        self.poll = poll
        self.most_held = max(1, most_held)
        self.pending: Counter[str] = Counter()  # job id -> pages yielded, not yet out of the pipelines
        self.reading: set[str] = set()  # held jobs whose file is still being read

    @classmethod
    def from_crawler(cls, crawler: Crawler, root: Path) -> ReplayFiles | None:
        settings = crawler.settings
        url = settings["DISTRIBUTED"]
        if not url:
            return None
        from crawler.distributed.jobs import JobQueue, LeaseKeeper, connect

        queue = JobQueue(connect(url), queue_name(root), lease_seconds=settings.getfloat("DISTRIBUTED_LEASE_SECONDS"))

        def stats() -> StatsCollector:  # the collector exists once the crawl starts, after the spider
            assert crawler.stats is not None
            return crawler.stats

        files = cls(
            queue,
            LeaseKeeper(queue),
            stats,
            poll=settings.getfloat("WORKER_POLL_SECONDS"),
            most_held=settings.getint("CONCURRENT_REQUESTS"),
        )
        for signal in (signals.item_scraped, signals.item_dropped, signals.item_error):
            crawler.signals.connect(files.item_done, signal=signal)
        crawler.signals.connect(files.close, signal=signals.spider_closed)
        return files

    @property
    def stats(self) -> StatsCollector:
        return self._stats()

    def queue_inputs(self, root: Path, entries: Iterable[ReplayInput]) -> int:
        """Queues the inputs no worker queued or finished; how many."""
        jobs = [
            (job_id(root, entry), {"shown": entry.shown, "kind": entry.kind.value, "reason": entry.reason})
            for entry in entries
        ]
        return self.queue.add(jobs)

    async def take(self, root: Path) -> tuple[str, ReplayInput] | None:
        """The next free input (job id, input), leased to this worker; ``None`` once no input is
        left anywhere.
        Waits while this worker holds ``most_held`` files, or while every file left is leased."""
        from redis import RedisError

        while True:
            if len(self.keeper.jobs) >= self.most_held:
                await asyncio.sleep(0.05)
                continue
            try:
                job = self.queue.take()
                left = job is not None or bool(self.queue.queued())
            except RedisError as error:
                logger.warning("Redis unavailable (%s): looking for replay files again in %.1f s", error, self.poll)
                await asyncio.sleep(self.poll)
                continue
            if job is not None:
                self.keeper.keep(job.id)
                self.reading.add(job.id)
                self.stats.inc_value("replay/files_taken")
                path = root if job.id == "." else root / job.id
                kind = InputKind(job.spec["kind"])
                return job.id, ReplayInput(path, str(job.spec["shown"]), kind, job.spec.get("reason"))
            if not left:
                return None
            await asyncio.sleep(self.poll if not self.keeper.jobs else 0.2)

    def page_sent(self, entry_id: str) -> None:
        self.pending[entry_id] += 1

    def read(self, entry_id: str) -> None:
        """The input is read to its end (or skipped): finished once its pages are through."""
        self.reading.discard(entry_id)
        self._finish_if_done(entry_id)

    def item_done(self, item: Any, response: Response | None, spider: Spider, **_: Any) -> None:
        entry_id = self._job_of(response)
        if entry_id is None or not self.pending[entry_id]:
            return
        self.pending[entry_id] -= 1
        self._finish_if_done(entry_id)

    def close(self) -> None:
        self.keeper.stop()

    def _job_of(self, response: Response | None) -> str | None:
        if response is None or response.request is None:
            return None
        job = response.request.cb_kwargs.get("job_id")
        return job if isinstance(job, str) else None

    def _finish_if_done(self, entry_id: str) -> None:
        if entry_id in self.reading or self.pending[entry_id]:
            return
        del self.pending[entry_id]
        self.keeper.drop(entry_id)
        from redis import RedisError

        try:
            finished = self.queue.finish(entry_id, remember=True)
        except RedisError as error:  # its lease expires: read again elsewhere, stored once
            logger.warning("replay file %s not marked finished (%s)", entry_id, error)
            return
        if finished:
            self.stats.inc_value("replay/files_finished")
        else:
            logger.warning("replay file %s was taken by another worker after this one's lease expired", entry_id)
