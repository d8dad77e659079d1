"""Jobs handed out through Redis, each held by one worker at a time under a lease that expires.

A queue (``govnews:<name>:queue``, a sorted set by enqueue time) keeps a job until it is
finished; taking a job sets its lease key (``SET NX PX``) to the taker's :func:`owner_id`, and
the taker renews it while it works. A worker that dies stops renewing: its lease expires and
the job is taken again by another worker. One site is so crawled by one worker at a time
across machines, and one replay file is read to its end once (a file taken again after a kill
is read again; storage keeps one row per article, so nothing is stored twice).

Queues whose jobs must run once (replay files) remember finished jobs (``govnews:<name>:done``)
so that a worker joining late does not queue them again; site jobs recur and are queued again
when due.

Taking, renewing and finishing are Lua scripts: each is one atomic step on the server, so two
workers never both believe they hold a lease.
"""

from __future__ import annotations

import json
import logging
import os
import socket
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from enum import IntEnum
from typing import Any

import redis
from twisted.internet.task import LoopingCall

PREFIX = "govnews"
logger = logging.getLogger(__name__)

# KEYS: queue, specs, done; ARGV: lease key prefix, owner, lease ms. The first job whose lease is
# free, leased to the owner: {id, spec}; nothing when every job is leased.
_TAKE = """
local ids = redis.call('ZRANGE', KEYS[1], 0, -1)
for _, id in ipairs(ids) do
  local lease = ARGV[1] .. id
  if redis.call('SET', lease, ARGV[2], 'NX', 'PX', ARGV[3]) then
    return {id, redis.call('HGET', KEYS[2], id) or '{}'}
  end
end
return false
"""
# KEYS: lease; ARGV: owner, lease ms. 1 when the owner held the lease (renewed), 2 when it was
# free and is the owner's now (first taken, or taken back after it vanished with a Redis
# restart), 0 when another holds it.
_HOLD = """
local holder = redis.call('GET', KEYS[1])
if holder == ARGV[1] then
  redis.call('PEXPIRE', KEYS[1], ARGV[2])
  return 1
end
if holder == false then
  redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
  return 2
end
return 0
"""
# KEYS: queue, specs, done, lease; ARGV: owner, job id, remember. Removes the job (and its lease)
# unless another worker holds it now.
_FINISH = """
local holder = redis.call('GET', KEYS[4])
if holder ~= false and holder ~= ARGV[1] then
  return 0
end
redis.call('DEL', KEYS[4])
redis.call('ZREM', KEYS[1], ARGV[2])
redis.call('HDEL', KEYS[2], ARGV[2])
if ARGV[3] == '1' then
  redis.call('SADD', KEYS[3], ARGV[2])
end
return 1
"""
# KEYS: lease; ARGV: owner. Drops the lease if it is the owner's; the job stays queued.
_RELEASE = """
if redis.call('GET', KEYS[1]) == ARGV[1] then
  return redis.call('DEL', KEYS[1])
end
return 0
"""
# KEYS: queue, specs, done; ARGV: score, then (id, spec) pairs. Queues the jobs neither queued
# nor done; how many it queued.
_ADD = """
local added = 0
for i = 2, #ARGV, 2 do
  local id = ARGV[i]
  if redis.call('SISMEMBER', KEYS[3], id) == 0 and redis.call('ZADD', KEYS[1], 'NX', ARGV[1], id) == 1 then
    redis.call('HSET', KEYS[2], id, ARGV[i + 1])
    added = added + 1
  end
end
return added
"""


def owner_id() -> str:
    """Who holds a lease: this process on this machine (``host:pid``), the same for a worker and
    the crawls it runs in its process."""
    return f"{socket.gethostname()}:{os.getpid()}"


def connect(url: str) -> redis.Redis:
    """A client for ``DISTRIBUTED``'s URL that gives up on a dead server within seconds."""
    client: redis.Redis = redis.Redis.from_url(
        url, socket_timeout=5, socket_connect_timeout=5, health_check_interval=10, decode_responses=True
    )
    return client


class Hold(IntEnum):
    """What :meth:`JobQueue.hold` found."""

    OTHER = 0
    """Another owner holds the lease."""
    RENEWED = 1
    """This owner held it already (taken by the worker whose crawl asks)."""
    TAKEN = 2
    """It was free and is this owner's now."""


@dataclass(frozen=True)
class Job:
    id: str
    spec: dict[str, Any]


class JobQueue:
    """One named queue of leased jobs on a Redis server."""

    def __init__(self, client: redis.Redis, name: str, *, lease_seconds: float, owner: str | None = None) -> None:
        self.client = client
        self.name = name
        self.lease_ms = max(1, int(lease_seconds * 1000))
        self.owner = owner or owner_id()
        base = f"{PREFIX}:{name}"
        self.queue_key, self.specs_key, self.done_key = f"{base}:queue", f"{base}:specs", f"{base}:done"
        self.lease_prefix = f"{base}:lease:"
        self._take = client.register_script(_TAKE)
        self._hold = client.register_script(_HOLD)
        self._finish = client.register_script(_FINISH)
        self._release = client.register_script(_RELEASE)
        self._add = client.register_script(_ADD)

    def lease_key(self, job_id: str) -> str:
        return self.lease_prefix + job_id

    def add(self, jobs: Iterable[tuple[str, dict[str, Any]]], score: float = 0.0) -> int:
        """Queues the jobs not queued and not done; how many were queued."""
        args: list[Any] = [score]
        for job_id, spec in jobs:
            args += [job_id, json.dumps(spec, sort_keys=True)]
        if len(args) == 1:
            return 0
        return int(self._add(keys=[self.queue_key, self.specs_key, self.done_key], args=args))

    def take(self) -> Job | None:
        """The oldest queued job whose lease is free, now leased to this owner."""
        found = self._take(
            keys=[self.queue_key, self.specs_key, self.done_key], args=[self.lease_prefix, self.owner, self.lease_ms]
        )
        if not found:
            return None
        job_id, spec = found
        return Job(job_id, json.loads(spec))

    def hold(self, job_id: str) -> Hold:
        """Renews this owner's lease on the job, or takes it when free."""
        return Hold(int(self._hold(keys=[self.lease_key(job_id)], args=[self.owner, self.lease_ms])))

    def finish(self, job_id: str, *, remember: bool = False) -> bool:
        """Removes a finished job and its lease (``remember``: it is never queued again);
        ``False`` when another worker holds it now (this one's lease had expired)."""
        keys = [self.queue_key, self.specs_key, self.done_key, self.lease_key(job_id)]
        return bool(self._finish(keys=keys, args=[self.owner, job_id, "1" if remember else "0"]))

    def release(self, job_id: str) -> None:
        """Gives the job back (it stays queued) if this owner holds it."""
        self._release(keys=[self.lease_key(job_id)], args=[self.owner])

    def holder(self, job_id: str) -> str | None:
        holder = self.client.get(self.lease_key(job_id))
        return None if holder is None else str(holder)

    def queued(self) -> list[str]:
        """Ids of the jobs not finished (leased or not), oldest first."""
        return [str(job_id) for job_id in self.client.zrange(self.queue_key, 0, -1)]

    def is_queued(self, job_id: str) -> bool:
        return self.client.zscore(self.queue_key, job_id) is not None

    def clear(self) -> None:
        """Forgets the queue, its leases and what was done (tests, a new replay of the same path)."""
        leases = [self.lease_key(job_id) for job_id in self.queued()]
        self.client.delete(self.queue_key, self.specs_key, self.done_key, *leases)


class LeaseKeeper:
    """Renews this owner's leases on a set of jobs every third of the lease time, while the
    reactor runs. A renewal that fails (Redis down) is logged and tried again next time: the
    lease is taken back when Redis returns (:data:`Hold.TAKEN`) unless it expired and another
    worker took the job meanwhile: then it is logged and ``on_lost`` called with the job's id
    (a site crawl stops: one crawl per site holds even then)."""

    def __init__(self, queue: JobQueue, on_lost: Callable[[str], object] | None = None) -> None:
        self.queue = queue
        self.on_lost = on_lost
        self.jobs: set[str] = set()
        self.lost: set[str] = set()
        self._loop = LoopingCall(self.renew)

    def keep(self, job_id: str) -> None:
        self.jobs.add(job_id)
        if not self._loop.running:
            self._loop.start(self.queue.lease_ms / 3000, now=False)

    def drop(self, job_id: str) -> None:
        self.jobs.discard(job_id)

    def stop(self) -> None:
        self.jobs.clear()
        if self._loop.running:
            self._loop.stop()

    def renew(self) -> None:
        for job_id in sorted(self.jobs):
            try:
                held = self.queue.hold(job_id)
            except redis.RedisError as error:
                logger.warning("lease of %s not renewed (%s): trying again", job_id, error)
                return
            if held is Hold.OTHER and job_id not in self.lost:
                self.lost.add(job_id)
                logger.error("lease of %s lost to %s: another worker has taken it", job_id, self.queue.holder(job_id))
                if self.on_lost is not None:
                    self.on_lost(job_id)
