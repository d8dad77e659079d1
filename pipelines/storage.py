"""Storage stage: the only writer of ``articles`` and of the near-duplicate tables.

Items are gathered into batches: a batch is written when it holds ``STORAGE_BATCH_SIZE``
items, or when its first item has waited ``STORAGE_BATCH_WAIT`` seconds, so a killed crawl
loses at most the items of those last seconds. Each item's ``process_item`` returns once its
batch committed: feed exports and the crawl state see the article as stored, with the
``cluster_id`` and ``duplicate_of`` it was stored with.

Each batch is one transaction (:func:`write_batch`): which stored article each article copies
is decided (:mod:`pipelines.copies`), the near-duplicate signatures, band keys and clusters
written, the articles upserted with their links, and the links of other members of a cluster
whose original changed brought up to date. A batch commits whole or not at all: there is never
a signature or a cluster for an article that was not stored, and nothing depends on the order
in which stages open or close. ``scrapy recluster`` sends :class:`~crawler.items.StoredArticle`
items, which get their cluster assigned again the same way, without an upsert.

A batch whose transaction fails with the database locked or unreachable is tried again
(``STORAGE_WRITE_ATTEMPTS`` in all, ``STORAGE_RETRY_DELAY`` × the attempt apart), then written
to a spool file; ``scrapy loadspool`` loads it later. A batch that fails on something one item
brings is written again one item per transaction, so only that item fails: it is quarantined
(:func:`~crawler.db.spool.quarantine_articles`, with the error as its reason; counted in
``storage/quarantined``, ``ExitCode.FAILED``), never spooled to fail again at every
``loadspool``. Before any write, what no database can store (NUL, lone surrogates) is taken out
of every article (:mod:`crawler.db.storable`, ``storage/unstorable_chars``), on SQLite and
Postgres alike. Spooled items are counted in
``storage/spooled`` and reported to the crawler's
:class:`~crawler.extensions.exitstatus.ExitStatus` (``ExitCode.SPOOLED``: ``scrapy crawl``
exits with status 2), stored articles that could not be clustered again as ``FAILED``: a
failed write is never swallowed. A database whose schema is outdated spools everything, with
a message to run ``scrapy migrate``.

When neither the database nor the spool can take a batch (the disk is full), its articles are
lost to this run: they fail (``storage/lost``), the crawl is closed at once (reason
``storage_failed``, ``ExitCode.FAILED``), and the crawl state does not mark them known, so the
next run fetches them again. The spool is checked when the crawl opens
(:func:`~crawler.db.spool.spool_problem`: writable, ``SPOOL_MIN_FREE_BYTES`` free): a crawl
whose spool could not take a batch does not start fetching.

Settings: ``STORAGE_BATCH_SIZE``, ``STORAGE_BATCH_WAIT``, ``STORAGE_WRITE_ATTEMPTS``,
``STORAGE_RETRY_DELAY``, ``SPOOL_DIR``, ``SPOOL_MIN_FREE_BYTES``, ``NEAR_DUPLICATE_ENABLED`` and the other
``NEAR_DUPLICATE_*`` settings (:func:`pipelines.neardup_index.index_from_settings`); the
database is the crawler's (:mod:`crawler.db.database`); ``DISPLAY_TIMEZONE`` and
``SITES_DIR`` for the sites' local days (:mod:`crawler.timezones`).
Stats: ``storage/inserted``, ``storage/updated``, ``storage/unchanged``, ``storage/relinked``,
``storage/spooled``, ``storage/quarantined``, ``storage/unstorable_chars``, ``storage/lost``,
``storage/relink_failed``, ``storage/transactions``,
``storage/batch_retried``, and the decisions' ``dedup/exact_duplicate`` and ``neardup/*``
(``neardup/template_lines``: lines left out of signatures as their host's template).
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from scrapy.crawler import Crawler
from scrapy.statscollectors import StatsCollector
from sqlalchemy import Connection
from sqlalchemy.exc import OperationalError, SQLAlchemyError

from crawler.db.articles import store_links, sync_articles, upsert_articles
from crawler.db.database import Database, database_of
from crawler.db.engine import with_retries
from crawler.db.neardup import stale_schemes
from crawler.db.schema import SchemaOutdatedError
from crawler.db.spool import SpoolWriteError, quarantine_articles, spool_problem
from crawler.db.spool import write_batch as spool_batch
from crawler.db.storable import storable
from crawler.exitcodes import ExitCode
from crawler.extensions.exitstatus import ExitStatus, exit_status
from crawler.items import Article, StoredArticle
from crawler.timezones import LocalTime
from pipelines.copies import BatchLinks, decide_links
from pipelines.neardup_index import Candidate, NearDuplicateIndex, Signed, index_from_settings

logger = logging.getLogger(__name__)

# The close reason of a crawl whose articles could be neither stored nor spooled.
STORAGE_FAILED_REASON = "storage_failed"

Stored = Article | StoredArticle


@dataclass
class WriteOutcome:
    """What one committed batch did, for the stats."""

    links: BatchLinks
    inserted: int = 0
    updated: int = 0
    unchanged: int = 0
    relinked: int = 0
    rows_synced: int = 0


def write_batch(
    connection: Connection,
    items: list[Stored],
    index: NearDuplicateIndex | None,
    signed: list[Signed] | None,
    local_time: LocalTime | None = None,
) -> WriteOutcome:
    """Stores ``items`` in the caller's transaction: the links of each (set on the articles),
    the near-duplicate state, the article rows, and the links of other members whose original
    changed. ``signed``: the items' fingerprints, when ``index`` is on; ``local_time``: the
    sites' zones for the local publication day."""
    links = decide_links(connection, items, index, signed)
    counts = upsert_articles(connection, [item for item in items if isinstance(item, Article)], local_time=local_time)
    relinked = store_links(
        connection, [link for item, link in zip(items, links.links, strict=True) if isinstance(item, StoredArticle)]
    )
    synced = sync_articles(connection, links.changed_clusters)
    return WriteOutcome(links, counts.inserted, counts.updated, counts.unchanged, relinked, synced)


@dataclass
class _Waiting:
    """An item waiting for the next batch, and the future its ``process_item`` awaits."""

    item: Stored
    done: asyncio.Future[None]


def _running_loop() -> asyncio.AbstractEventLoop | None:
    try:
        return asyncio.get_running_loop()
    except RuntimeError:
        return None


class StoragePipeline:
    def __init__(
        self,
        database: Database,
        stats: StatsCollector,
        index: NearDuplicateIndex | None,
        *,
        exit_status: ExitStatus,
        batch_size: int,
        batch_wait: float,
        attempts: int,
        retry_delay: float,
        spool_dir: Path,
        spool_min_free: int = 0,
        local_time: LocalTime | None = None,
        crawler: Crawler | None = None,
    ) -> None:
        self.database = database
        self.stats = stats
        self.exit_status = exit_status
        self.index = index
        self.batch_size = max(1, batch_size)
        self.batch_wait = max(0.0, batch_wait)
        self.attempts = max(1, attempts)
        self.retry_delay = retry_delay
        self.spool_dir = spool_dir
        self.spool_min_free = spool_min_free
        self.crawler = crawler
        self.stopped: str | None = None
        """Why the crawl was stopped (nothing can be stored), once it was."""
        self._closing: asyncio.Task[None] | None = None
        self.waiting: list[_Waiting] = []
        self._flush: asyncio.Handle | None = None
        self.local_time = local_time
        self.schema_error: str | None = None

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> StoragePipeline:
        settings = crawler.settings
        assert crawler.stats is not None
        database = database_of(crawler)
        crawler.stats.set_value("storage/database", database.display_url)
        index = index_from_settings(settings) if settings.getbool("NEAR_DUPLICATE_ENABLED") else None
        return cls(
            database,
            crawler.stats,
            index,
            exit_status=exit_status(crawler),
            batch_size=settings.getint("STORAGE_BATCH_SIZE"),
            batch_wait=settings.getfloat("STORAGE_BATCH_WAIT"),
            attempts=settings.getint("STORAGE_WRITE_ATTEMPTS"),
            retry_delay=settings.getfloat("STORAGE_RETRY_DELAY"),
            spool_dir=Path(settings["SPOOL_DIR"]),
            spool_min_free=settings.getint("SPOOL_MIN_FREE_BYTES"),
            local_time=LocalTime.from_settings(settings),
            crawler=crawler,
        )

    def open_spider(self) -> None:
        problem = spool_problem(self.spool_dir, self.spool_min_free)
        if problem is not None:
            self._stop(f"{problem}: free space or point GOVNEWS_SPOOL_DIR elsewhere; not crawling without one")
            return
        try:
            state = self.database.ensure_schema()
            self.stats.set_value("storage/schema", state.value)
            if self.index is not None:
                with self.database.engine.connect() as connection:
                    stale = stale_schemes(connection, self.index.scheme.name)
        except (SQLAlchemyError, SchemaOutdatedError) as error:
            self.schema_error = str(error).splitlines()[0]
            logger.error("database not usable, every item will be spooled to %s: %s", self.spool_dir, self.schema_error)
            return
        if self.index is not None:
            self.stats.set_value("neardup/scheme", self.index.scheme.name)
            self.stats.set_value("neardup/threshold", self.index.threshold)
            if stale:
                self.stats.set_value("neardup/stale_signatures", sum(stale.values()))
                logger.warning(
                    "%d stored signatures use another scheme than %s (%s) and cannot be matched: "
                    "run `scrapy recluster`",
                    sum(stale.values()),
                    self.index.scheme.name,
                    ", ".join(sorted(stale)),
                )

    async def process_item(self, item: Any) -> Any:
        if not isinstance(item, Article | StoredArticle):
            return item
        if self.stopped is not None:
            self.stats.inc_value("storage/lost")
            raise StorageStoppedError(self.stopped)
        if isinstance(item, Article):  # decided here, whatever an earlier run or a spool file said
            item.cluster_id = item.duplicate_of = None
            item, removed = storable(item)
            if removed:
                self.stats.inc_value("storage/unstorable_chars", removed)
                logger.warning("%s: removed %d characters no database stores (NUL)", item.canonical_url, removed)
        loop = _running_loop()
        if loop is None:  # a reactor other than asyncio's: no batches
            (error,) = self.write([item])
            if error is not None:
                raise error
            return item
        waiting = _Waiting(item, loop.create_future())
        self.waiting.append(waiting)
        logger.debug("%s waiting for the batch write (%d waiting)", item.canonical_url, len(self.waiting))
        if len(self.waiting) >= self.batch_size:
            loop.call_soon(self._write_waiting, False)
        elif self._flush is None:
            self._flush = loop.call_later(self.batch_wait, self._write_waiting, True)
        await waiting.done
        return item

    def _write_waiting(self, everything: bool) -> None:
        """Writes the full batches waiting, and with ``everything`` (the wait is over, or the
        spider closes) the last one too. Items left wait for the timer already running."""
        while len(self.waiting) >= (1 if everything else self.batch_size):
            batch, self.waiting = self.waiting[: self.batch_size], self.waiting[self.batch_size :]
            try:
                errors = self.write([waiting.item for waiting in batch])
            except SpoolWriteError as unspooled:  # not even spooled (the disk is full): each item fails
                self.stats.inc_value("storage/lost", len(batch))
                self._stop(f"{len(batch)} articles could be neither stored nor spooled: {unspooled.strerror}")
                errors = [unspooled] * len(batch)
            except Exception as unexpected:  # a bug: the batch's items fail with it, none waits forever
                logger.exception("write of %d articles failed", len(batch))
                errors = [unexpected] * len(batch)
            for waiting, failure in zip(batch, errors, strict=True):
                if waiting.done.done():
                    continue
                if failure is None:
                    waiting.done.set_result(None)
                else:
                    waiting.done.set_exception(failure)
        if not self.waiting and self._flush is not None:
            self._flush.cancel()
            self._flush = None

    def _stop(self, why: str) -> None:
        """Closes the crawl, once: nothing it fetches from now on could be kept."""
        logger.error("storage stopped the crawl: %s", why)
        if self.stopped is not None:
            return
        self.stopped = why
        self.exit_status.report(ExitCode.FAILED, why)
        crawler = self.crawler
        loop = _running_loop()
        if crawler is None or crawler.engine is None or loop is None:
            return
        self._closing = loop.create_task(crawler.engine.close_spider_async(reason=STORAGE_FAILED_REASON))

    def close_spider(self) -> None:
        self._write_waiting(True)
        spooled = self.stats.get_value("storage/spooled", 0)
        if spooled:
            self.exit_status.report(ExitCode.SPOOLED, f"{spooled} articles spooled to {self.spool_dir}")
            logger.error(
                "%d articles could not be written and were spooled to %s; "
                "load them with `scrapy loadspool` once the database is back",
                spooled,
                self.spool_dir,
            )

    def write(self, items: list[Stored], signed: list[Signed] | None = None) -> list[Exception | None]:
        """Writes ``items`` in one transaction; when that fails on something of one item, each
        in a transaction of its own. The error each item failed with (``None`` for those stored
        or spooled)."""
        if self.schema_error is not None:
            return self._failed(items, None)

        def transaction() -> WriteOutcome:
            with self.database.engine.begin() as connection:
                return write_batch(connection, items, self.index, signed, self.local_time)

        try:
            if self.index is not None and signed is None:  # out of the transaction
                with self.database.engine.connect() as connection:
                    signed = self.index.sign_all(connection, [Candidate.of(item) for item in items])
                removed = sum(one.template_lines for one in signed)
                if removed:
                    self.stats.inc_value("neardup/template_lines", removed)
            outcome = with_retries(
                transaction, self.attempts, self.retry_delay, f"write of {len(items)} articles", OperationalError
            )
        except OperationalError as error:
            # Locked or unreachable, for every item alike: nothing was written.
            logger.error("write of %d articles failed, spooling them: %s", len(items), error)
            return self._failed(items, None)
        except Exception as error:
            if len(items) > 1:  # something about one item: it fails alone
                self.stats.inc_value("storage/batch_retried")
                return [
                    outcome
                    for n, item in enumerate(items)
                    for outcome in self.write([item], signed[n : n + 1] if signed is not None else None)
                ]
            return self._refused(items[0], error)
        self._count(outcome)
        return [None] * len(items)

    def _refused(self, item: Stored, error: Exception) -> list[Exception | None]:
        """Quarantines an article the database refused alone (a constraint, a value the driver
        rejects, a bug of ours): it is kept with its reason, and the crawl goes on."""
        reason = f"{error.__class__.__name__}: {str(error).splitlines()[0] if str(error) else ''}"
        if not isinstance(item, Article):
            logger.error("cluster of stored article %s not assigned again: %s", item.canonical_url, reason)
            return self._failed([item], error)
        item.cluster_id = item.duplicate_of = None
        path = quarantine_articles(self.spool_dir, [item], f"{item.canonical_url}\t{reason}")
        self.stats.inc_value("storage/quarantined")
        self.exit_status.report(ExitCode.FAILED, f"articles refused by the database, quarantined in {path.parent}")
        logger.error("the database refused %s, quarantined in %s: %s", item.canonical_url, path, reason)
        return [None]

    def _failed(self, items: list[Stored], error: Exception | None) -> list[Exception | None]:
        """Spools the articles of a batch that could not be written; stored articles sent again
        (``scrapy recluster``) fail with ``error`` or a :class:`RelinkError`: they are stored."""
        articles = [item for item in items if isinstance(item, Article)]
        for article in articles:  # links of a rolled back transaction mean nothing
            article.cluster_id = article.duplicate_of = None
        if articles:
            path = spool_batch(self.spool_dir, articles)
            self.stats.inc_value("storage/spooled", len(articles))
            logger.error("spooled %d articles to %s", len(articles), path)
        relinks = len(items) - len(articles)
        if relinks:
            self.stats.inc_value("storage/relink_failed", relinks)
            self.exit_status.report(ExitCode.FAILED, f"{relinks} stored articles not clustered again")
        return [error or (RelinkError(item) if isinstance(item, StoredArticle) else None) for item in items]

    def _count(self, outcome: WriteOutcome) -> None:
        self.stats.inc_value("storage/transactions")
        for key, value in (
            ("storage/inserted", outcome.inserted),
            ("storage/updated", outcome.updated),
            ("storage/unchanged", outcome.unchanged),
            ("storage/relinked", outcome.relinked),
            ("dedup/exact_duplicate", outcome.links.exact_duplicates),
            ("neardup/near_duplicate", outcome.links.statuses.get("joined", 0)),
            ("neardup/canonical_changed", outcome.links.canonical_changed),
            ("neardup/rows_synced", outcome.rows_synced),
        ):
            if value:
                self.stats.inc_value(key, value)
        for status, count in outcome.links.statuses.items():
            self.stats.inc_value(f"neardup/{status}", count)


class StorageStoppedError(RuntimeError):
    """An item that reached storage after it stopped the crawl: it is fetched again next run."""


class RelinkError(RuntimeError):
    def __init__(self, stored: StoredArticle) -> None:
        super().__init__(f"the cluster of stored article {stored.canonical_url} could not be assigned again")
