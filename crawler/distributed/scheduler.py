"""scrapy-redis's scheduler, made to ride out a Redis restart and to start each run afresh.

scrapy-redis (0.9) gives the Redis request queue and fingerprint set; two things it does not:

* A Redis that restarts mid-crawl makes its ``enqueue_request`` / ``next_request`` raise, which
  stops Scrapy's engine. Here a request that cannot be queued waits in this process (and is
  queued when Redis answers again), ``next_request`` answers "nothing now", and the scheduler
  says it still has requests while Redis is away, so the spider does not close as idle: the
  crawl resumes from the persisted queue when Redis is back.
* Its fingerprint set is kept between runs (``SCHEDULER_PERSIST``), so the next scheduled crawl
  of a site would find its list pages "seen". Each run opens with an empty set (and a run that
  finished drops its set); requests left queued by a killed run stay queued and are crawled by
  this one, which may also rediscover one of them and fetch it twice: storage keeps one row.

Stats: ``scheduler/redis_unavailable``, ``scheduler/resumed``.
"""

from __future__ import annotations

import logging
from typing import Any

import redis
from scrapy import Request, Spider
from scrapy_redis.scheduler import Scheduler

logger = logging.getLogger(__name__)


class RedisScheduler(Scheduler):  # type: ignore[misc]  # scrapy-redis has no type hints
    backlog: list[Request]
    redis_down: bool

    def open(self, spider: Spider) -> None:
        self.backlog = []
        self.redis_down = False
        super().open(spider)
        self.df.clear()
        left = len(self.queue)
        if left and self.stats is not None:
            self.stats.set_value("scheduler/resumed", left)

    def enqueue_request(self, request: Request) -> bool:
        if self.backlog and not self._drain():
            self.backlog.append(request)
            return True
        try:
            queued: bool = super().enqueue_request(request)
        except redis.RedisError as error:
            self._unavailable(error)
            self.backlog.append(request)
            return True
        return queued

    def next_request(self) -> Request | None:
        if self.backlog and not self._drain():
            return None
        try:
            request: Request | None = super().next_request()
        except redis.RedisError as error:
            self._unavailable(error)
            return None
        if self.redis_down:
            logger.warning("Redis answers again: the crawl goes on")
            self.redis_down = False
        return request

    def has_pending_requests(self) -> bool:
        if self.backlog:
            return True
        try:
            return len(self) > 0
        except redis.RedisError as error:
            self._unavailable(error)
            return True

    def close(self, reason: str) -> Any:
        if self.backlog and not self._drain():
            logger.error("%d requests could not be queued in Redis and are dropped", len(self.backlog))
        if reason == "finished":
            try:
                self.df.clear()  # nothing is left to filter against: the next run starts afresh
            except redis.RedisError as error:
                logger.warning("fingerprints of %s not dropped (%s): the next run drops them", self.spider.name, error)
        return super().close(reason)

    def _drain(self) -> bool:
        """Queues the requests that waited for Redis; whether all are queued."""
        while self.backlog:
            try:
                super().enqueue_request(self.backlog[0])
            except redis.RedisError as error:
                self._unavailable(error)
                return False
            self.backlog.pop(0)
        return True

    def _unavailable(self, error: Exception) -> None:
        if not self.redis_down:
            logger.warning("Redis unavailable (%s): requests wait here until it answers", error)
            self.redis_down = True
        if self.stats is not None:
            self.stats.inc_value("scheduler/redis_unavailable")
