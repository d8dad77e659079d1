"""Content stages in worker processes: extraction, cleaning and enrichment off the crawl's reactor.

Scrapy runs every item pipeline on the reactor thread of the crawl process, so a stage that
spends milliseconds of CPU on an article (parsing, OpenCC, word segmentation) stalls every
download and every other item meanwhile. The content stages are pure functions of the item:
no database, no network, no state shared between items. :class:`ContentPipeline` runs them,
in the order of ``CONTENT_PIPELINES``, in a pool of ``CONTENT_WORKERS`` processes, and hands
the result on to the stages that need the database (dedup, near-duplicates, storage), which
stay in the crawl process.

The stage pipelines are the ordinary ones (:class:`~pipelines.extraction.ExtractionPipeline`
and so on), built in each worker from the crawl's settings; what they count in the stats and
what they log comes back with each item and is replayed in the crawl process, so the stats,
the ``log_count/*`` values and the log read as if they had run there. ``CONTENT_WORKERS = 0``
runs the same stages in the crawl process itself.

One pool serves every crawl of the process: ``scrapy crawlall`` and ``scrapy schedule`` run
many sites' crawls side by side in one process, and a pool per crawl cost each site about
300 MB and 3 s of CPU to start. The pool is started with the settings of the first crawl; a
crawl whose settings differ (a site's ``EXTRACTION_OVERRIDES``, its politeness) sends the
difference with each item, and each worker builds and keeps the stages of each such
difference (at most :data:`STAGE_SETS` of them). The pool ends when the last crawl using it
closes.

A worker that dies (killed, out of memory, a crash in native code) breaks the pool: it is
started again and the items in flight are submitted once more; an item that breaks a fresh
pool again fails with an error naming its URL, and the crawl goes on (``content/worker_lost``).
An error of a stage comes back with its real type, or, when it cannot travel between processes,
as a :class:`ContentStageError` naming that type and its message. Stages that cannot be built
in a worker close the crawl (reason ``content_stages_failed``, exit
code 1), as building them in the crawl process would have failed its start.

Settings:

* ``CONTENT_PIPELINES``: ``{class path: order}`` of the stages to run, like ``ITEM_PIPELINES``.
* ``CONTENT_WORKERS`` (default ``None``): worker processes; ``None`` is one per core, at most 4
  (none on a single core, :func:`default_workers`); ``0`` runs the stages in the crawl process.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
import multiprocessing
import multiprocessing.connection
import os
import pickle
import threading
import traceback
from collections import OrderedDict
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from types import SimpleNamespace
from typing import Any, cast

from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured
from scrapy.settings import BaseSettings, Settings
from scrapy.statscollectors import StatsCollector
from scrapy.utils.conf import build_component_list
from scrapy.utils.misc import build_from_crawler, load_object
from scrapy.utils.reactor import is_asyncio_reactor_installed, is_reactor_installed

from crawler.exitcodes import ExitCode
from crawler.extensions.exitstatus import exit_status

logger = logging.getLogger(__name__)

MAX_DEFAULT_WORKERS = 4
POOL_LINGER = 5.0
"""Seconds a pool whose last crawl closed waits for another crawl before its workers end."""
STAGE_SETS = 256
"""Stage sets (one per distinct settings difference) a worker keeps before it drops the oldest."""


def default_workers(cores: int | None = None) -> int:
    """One worker per core, at most :data:`MAX_DEFAULT_WORKERS`; none on one core.

    The crawl process itself needs about a third of the CPU the content stages need, so a worker
    per core keeps both cores busy: on 2 cores, replaying 1,000 real pages, 2 workers beat 1 by
    12% and 3 beat 2 by 3% for 310 MB more (``benchmarks/replay.py``, docs/crawling.md).
    """
    cores = cores if cores is not None else (os.cpu_count() or 1)
    return 0 if cores < 2 else min(MAX_DEFAULT_WORKERS, cores)


class RecordingStats:
    """The part of a stats collector the stages use, recording each call to replay elsewhere."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, str, Any]] = []

    def inc_value(self, key: str, count: int = 1, start: int = 0) -> None:
        self.calls.append(("inc_value", key, count))

    def set_value(self, key: str, value: Any) -> None:
        self.calls.append(("set_value", key, value))

    def max_value(self, key: str, value: Any) -> None:
        self.calls.append(("max_value", key, value))

    def min_value(self, key: str, value: Any) -> None:
        self.calls.append(("min_value", key, value))

    def take(self) -> list[tuple[str, str, Any]]:
        calls, self.calls = self.calls, []
        return calls


def replay_stats(calls: list[tuple[str, str, Any]], stats: StatsCollector) -> None:
    for method, key, value in calls:
        getattr(stats, method)(key, value)


_FORMATTER = logging.Formatter()


class RecordingHandler(logging.Handler):
    """Keeps the records a worker logs while it processes one item, ready to be pickled."""

    def __init__(self) -> None:
        super().__init__()
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        # Arguments and tracebacks may not pickle: the message is rendered here, the traceback as text.
        record.msg = record.getMessage()
        record.args = None
        if record.exc_info:
            record.exc_text = _FORMATTER.formatException(record.exc_info)
            record.exc_info = None
        self.records.append(record)

    def take(self) -> list[logging.LogRecord]:
        records, self.records = self.records, []
        return records


def build_stages(settings: BaseSettings, stats: Any) -> list[Any]:
    """The ``CONTENT_PIPELINES`` components, built like Scrapy builds item pipelines.

    A component that raises :class:`NotConfigured` is left out, as Scrapy leaves it out of
    ``ITEM_PIPELINES``.
    """
    crawler = SimpleNamespace(settings=settings, stats=stats)
    stages = []
    for path in build_component_list(settings.getdict("CONTENT_PIPELINES")):
        try:
            # The stages read only settings and stats of the crawler they are built from.
            stages.append(build_from_crawler(load_object(path), cast(Crawler, crawler)))
        except NotConfigured as error:
            if error.args:
                logger.info("content stage %s disabled: %s", path, error.args[0])
    return stages


def run_stages(stages: list[Any], item: Any) -> Any:
    for stage in stages:
        item = stage.process_item(item)
    return item


@dataclass
class _Worker:
    """The state of one worker process: the pool's settings, the stages built for each settings
    difference (key ``""``: none), the stats and log records of the current item."""

    settings: dict[str, Any]
    stats: RecordingStats
    handler: RecordingHandler = field(default_factory=RecordingHandler)
    stage_sets: OrderedDict[str, list[Any] | str] = field(default_factory=OrderedDict)
    """Stages per settings key, or why they could not be built (a bad setting, a broken vocabulary)."""

    def stages(self, key: str, overrides: dict[str, Any]) -> list[Any] | str:
        """The stages for the pool's settings with ``overrides``, built on first use, or the error."""
        built = self.stage_sets.get(key)
        if built is not None:
            self.stage_sets.move_to_end(key)
            return built
        values = Settings(self.settings)
        values.update(overrides, priority="cmdline")
        try:
            built = build_stages(values, self.stats)
        except Exception as error:  # reported with every item: a pool restart would fail the same way
            built = f"{error.__class__.__name__}: {error}"
        self.stats.take()
        self.stage_sets[key] = built
        if len(self.stage_sets) > STAGE_SETS:
            self.stage_sets.popitem(last=False)
        return built


class ContentStagesError(RuntimeError):
    """The content stages could not be built in a worker process."""


class ContentStageError(RuntimeError):
    """An error of a content stage in a worker process that cannot travel back as itself (lxml's
    errors carry their error log, which does not pickle): its message starts with the real
    type's dotted name, and the worker's traceback follows it."""


def portable_error(error: Exception) -> Exception:
    """``error`` itself when it survives the trip to the crawl process (pickled and rebuilt), else
    a :class:`ContentStageError` naming its real type and message, with its traceback as text:
    never "cannot pickle ..." in place of the error."""
    try:
        pickle.loads(pickle.dumps(error))
    except Exception:
        kind = type(error)
        trace = "".join(traceback.format_exception(error)).rstrip()
        return ContentStageError(f"{kind.__module__}.{kind.__qualname__}: {error}\n{trace}")
    return error


_worker: _Worker | None = None


def _exit_with_parent() -> None:
    """Ends this worker when the crawl process is gone, also when it was killed (SIGKILL): the
    pool's queues would keep an orphaned worker waiting for work forever."""
    parent = multiprocessing.parent_process()
    if parent is None:
        return

    def watch() -> None:
        multiprocessing.connection.wait([parent.sentinel])
        os._exit(0)

    threading.Thread(target=watch, name="parent-watch", daemon=True).start()


def _init_worker(settings: dict[str, Any]) -> None:
    global _worker
    _exit_with_parent()
    stats = RecordingStats()
    handler = RecordingHandler()
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(settings["LOG_LEVEL"])
    _worker = _Worker(settings, stats, handler)
    _worker.stages("", {})  # built now, while the crawl process starts


def _init_error(key: str, overrides: dict[str, Any]) -> str | None:
    """Why the stages of these settings cannot be built in a worker, or ``None``."""
    assert _worker is not None, "worker not initialized"
    built = _worker.stages(key, overrides)
    return built if isinstance(built, str) else None


@dataclass
class _Outcome:
    item: Any
    error: BaseException | None
    stats: list[tuple[str, str, Any]]
    records: list[logging.LogRecord]


def _process_in_worker(key: str, overrides: dict[str, Any], item: Any) -> _Outcome:
    assert _worker is not None, "worker not initialized"
    stages = _worker.stages(key, overrides)
    if isinstance(stages, str):
        failed = ContentStagesError(f"the content stages could not be built: {stages}")
        return _Outcome(item, failed, [], _worker.handler.take())
    error: Exception | None = None
    try:
        item = run_stages(stages, item)
    except Exception as raised:  # sent back and raised in the crawl process
        error = portable_error(raised)
    return _Outcome(item, error, _worker.stats.take(), _worker.handler.take())


def _picklable_settings(settings: BaseSettings) -> dict[str, Any]:
    values = settings.copy_to_dict()
    kept: dict[str, Any] = {}
    for name, value in values.items():
        try:
            pickle.dumps(value)
        except Exception:  # a setting that does not pickle: no stage reads it
            continue
        kept[name] = value
    return kept


def settings_key(overrides: dict[str, Any]) -> str:
    """A name for a settings difference: equal differences share their stages in the workers."""
    return (
        hashlib.sha256(pickle.dumps(sorted(overrides.items(), key=lambda item: item[0]))).hexdigest()[:16]
        if overrides
        else ""
    )


class SharedPool:
    """One process pool for every crawl of this process that asks for ``workers`` workers.

    :meth:`acquire` returns the pool (started with the settings of the crawl that asked first)
    and counts its users; :meth:`release` shuts it down when the last one is done. A pool that a
    dead worker broke is started again once, by the first user that notices (``generation``).
    """

    _pools: dict[int, SharedPool] = {}  # noqa: RUF012 (the pools of this process, by worker count)

    def __init__(self, workers: int, settings: dict[str, Any]) -> None:
        self.workers = workers
        self.settings = settings
        self.users = 0
        self.generation = 0
        self.executor = self._new_executor()

    @classmethod
    def acquire(cls, workers: int, settings: BaseSettings) -> SharedPool:
        pool = cls._pools.get(workers)
        if pool is None:
            pool = cls._pools[workers] = cls(workers, _picklable_settings(settings))
        pool.users += 1
        return pool

    def release(self) -> None:
        """One user fewer. The last one ends the pool, after :data:`POOL_LINGER` seconds when an
        event loop runs: crawls started one after another (``crawlall`` with a limit of parallel
        crawls) would otherwise each start the workers again."""
        self.users -= 1
        if self.users > 0:
            return
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            self._shutdown_if_unused()
            return
        loop.call_later(POOL_LINGER, self._shutdown_if_unused)

    def _shutdown_if_unused(self) -> None:
        if self.users > 0:
            return
        if SharedPool._pools.get(self.workers) is self:
            del SharedPool._pools[self.workers]
        self.executor.shutdown(wait=True, cancel_futures=True)

    def overrides(self, settings: BaseSettings) -> dict[str, Any]:
        """The settings of a crawl that differ from the pool's (what its items carry)."""
        mine = _picklable_settings(settings)
        return {name: value for name, value in mine.items() if self.settings.get(name, _MISSING) != value}

    def restart(self, generation: int) -> None:
        """Starts the pool again unless another user already did since ``generation``."""
        if generation != self.generation:
            return
        logger.error("a content worker died; starting the worker pool again")
        self.executor.shutdown(wait=False, cancel_futures=True)
        self.executor = self._new_executor()

    def _new_executor(self) -> ProcessPoolExecutor:
        self.generation += 1
        return ProcessPoolExecutor(
            max_workers=self.workers,
            # spawn, not fork: the crawl process runs a reactor and threads a fork would copy mid-flight.
            mp_context=multiprocessing.get_context("spawn"),
            initializer=_init_worker,
            initargs=(self.settings,),
        )


_MISSING = object()


def _pool_can_run() -> bool:
    """Whether results of the pool can be awaited: on the asyncio reactor, or on no reactor yet
    (unit tests run the coroutines with ``asyncio.run``)."""
    return not is_reactor_installed() or is_asyncio_reactor_installed()


class ContentPipeline:
    """Runs the ``CONTENT_PIPELINES`` stages on each item, in worker processes or inline."""

    def __init__(
        self, settings: BaseSettings, stats: StatsCollector, workers: int, crawler: Crawler | None = None
    ) -> None:
        self.crawler = crawler
        self.settings = settings
        self.stats = stats
        self.workers = workers
        self.stages: list[Any] = []
        self.pool: SharedPool | None = None
        self._overrides: dict[str, Any] = {}
        self._key = ""
        self._built: Future[str | None] | None = None
        """The first task of the pool: the stages' build error in a worker, or ``None``."""
        self._stage_check: asyncio.Task[None] | None = None

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ContentPipeline:
        settings = crawler.settings
        if not build_component_list(settings.getdict("CONTENT_PIPELINES")):
            raise NotConfigured("CONTENT_PIPELINES is empty")
        raw = settings.get("CONTENT_WORKERS")
        workers = default_workers() if raw in (None, "") else settings.getint("CONTENT_WORKERS")
        if workers < 0:
            raise ValueError(f"CONTENT_WORKERS must be 0 or more, got {raw!r}")
        assert crawler.stats is not None
        pipeline = cls(settings, crawler.stats, workers, crawler)
        if workers and _pool_can_run():
            # Started now, the workers import and build their stages while the crawl process
            # builds the rest of the crawler and opens the spider (about 2 s of imports).
            pipeline._start_pool()
        return pipeline

    def open_spider(self) -> None:
        if self.workers and not _pool_can_run():
            logger.warning("CONTENT_WORKERS needs the asyncio reactor; running the content stages in this process")
            self.close_spider()
            self.workers = 0
        if self.workers:
            if self.pool is None:
                self._start_pool()
            self._check_stages()
        else:
            self.stages = build_stages(self.settings, self.stats)
        self.stats.set_value("content/workers", self.workers)

    def _start_pool(self) -> None:
        self.pool = SharedPool.acquire(self.workers, self.settings)
        self._overrides = self.pool.overrides(self.settings)
        self._key = settings_key(self._overrides)
        # Starts the workers (the pool spawns on demand) and builds this crawl's stages in one.
        self._built = self.pool.executor.submit(_init_error, self._key, self._overrides)

    def close_spider(self) -> None:
        if self.pool is not None:
            self.pool.release()
            self.pool = None

    def _check_stages(self) -> None:
        """Starts :meth:`_stop_if_stages_fail` on the reactor's event loop (none runs in unit tests)."""
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            return
        assert self._built is not None
        self._stage_check = loop.create_task(self._stop_if_stages_fail(self._built))

    async def _stop_if_stages_fail(self, built: Future[str | None]) -> None:
        """Closes the crawl when the stages cannot be built in a worker, as building them in the
        crawl process would have failed its start; items that reached the pool meanwhile fail
        with the same message."""
        try:
            error = await asyncio.wrap_future(built)
        except BrokenProcessPool:
            return  # a dead worker: process_item starts the pool again
        if error is None:
            return
        logger.error("the content stages could not be built in a worker process: %s", error)
        self.stats.set_value("content/stages_failed", error)
        if self.crawler is not None:  # as if the crawl had failed to start
            exit_status(self.crawler).report(ExitCode.FAILED, f"content stages not built: {error}")
        if self.crawler is not None and self.crawler.engine is not None:
            await self.crawler.engine.close_spider_async(reason="content_stages_failed")

    async def process_item(self, item: Any) -> Any:
        if self.pool is None:
            return run_stages(self.stages, item)
        outcome = await self._submit(item)
        replay_stats(outcome.stats, self.stats)
        for record in outcome.records:
            logging.getLogger(record.name).handle(record)
        if outcome.error is not None:
            raise outcome.error
        return outcome.item

    async def _submit(self, item: Any) -> _Outcome:
        """The outcome of ``item`` from the pool; a pool broken by a dead worker is started again
        and the item submitted once more."""
        for attempt in (1, 2):
            assert self.pool is not None
            generation = self.pool.generation
            try:
                future = self.pool.executor.submit(_process_in_worker, self._key, self._overrides, item)
                return await asyncio.wrap_future(future)
            except BrokenProcessPool:
                self.stats.inc_value("content/worker_lost")
                self.pool.restart(generation)
                if attempt == 2:
                    url = getattr(item, "url", None)
                    raise RuntimeError(f"content worker died twice while processing {url}") from None
        raise AssertionError("unreachable")
