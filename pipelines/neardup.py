"""Near-duplicate stage: MinHash + LSH over the cleaned body, against the whole archive.

Runs after :class:`pipelines.dedup.ExactDedupPipeline` (priority 450). For each article it
stores the body's MinHash signature and LSH band keys in the database (``minhash_signatures``,
``minhash_bands``) and puts the article in a cluster (``clusters``): the cluster of the most
similar stored article whose estimated Jaccard reaches ``NEAR_DUPLICATE_THRESHOLD``, else a
new one. ``cluster_id`` is set on the item, and ``duplicate_of`` to the cluster's canonical
article (``None`` for the canonical one itself). Nothing is dropped.

The items that reach this stage within ``NEAR_DUPLICATE_BATCH_WAIT`` seconds of one another
are assigned in one transaction (group commit, at most ``NEAR_DUPLICATE_BATCH_SIZE``),
committed before they move on: later items of the same run, other processes and later runs
see their signatures at once, although the storage stage writes the article rows in batches.
Within the transaction each item sees the ones before it, so the result is that of one
transaction per item, in arrival order. A commit per item cost 0.5 ms of the crawl process's
CPU (crawl benchmark profile); items reach this stage one by one even in a fast crawl, so
without the short wait the batches held 1.7 items on average, with it 17 (downloads go on
meanwhile). When a batch fails, its items are assigned again one transaction each, so a bad
item fails alone; a database that is down or locked fails the batch once.

When a new article becomes the canonical one of an existing cluster (another copy names it as
来源, or it was published earlier), the stored member rows are updated at once, and again when
the spider closes (after the storage stage flushed its last batch), so rows written later from
an older item state are corrected too.

When the database cannot be reached the item passes through unchanged
(``neardup/lookup_failed``); the storage stage spools it, and ``scrapy recluster --missing``
clusters what was loaded from the spool.

Settings: ``NEAR_DUPLICATE_ENABLED`` (default
``True``), ``NEAR_DUPLICATE_THRESHOLD`` (estimated Jaccard, default 0.5),
``NEAR_DUPLICATE_SHINGLE_SIZE`` (4), ``NEAR_DUPLICATE_NUM_PERM`` (128),
``NEAR_DUPLICATE_BANDS`` (32), ``NEAR_DUPLICATE_MIN_SHINGLES`` (20),
``NEAR_DUPLICATE_MAX_CANDIDATES`` (50), ``NEAR_DUPLICATE_MAX_POSTINGS`` (100),
``NEAR_DUPLICATE_BATCH_SIZE`` (50), ``NEAR_DUPLICATE_BATCH_WAIT`` (0.05; 0 for batches of the
items that arrive in one turn of the event loop). See ``docs/dedup.md``
for how the defaults were measured.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from typing import Any

from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured
from scrapy.statscollectors import StatsCollector
from sqlalchemy.exc import OperationalError, SQLAlchemyError

from crawler.db.articles import sync_articles
from crawler.db.database import Database, database_of
from crawler.db.neardup import stale_schemes
from crawler.db.schema import SchemaOutdatedError
from crawler.items import Article
from pipelines.neardup_index import Assignment, Candidate, NearDuplicateIndex, index_from_settings

logger = logging.getLogger(__name__)


@dataclass
class _Waiting:
    """An item waiting for the next batch, and the future its ``process_item`` awaits."""

    item: Article
    done: asyncio.Future[None]


def _running_loop() -> asyncio.AbstractEventLoop | None:
    try:
        return asyncio.get_running_loop()
    except RuntimeError:
        return None


class NearDuplicatePipeline:
    def __init__(
        self,
        database: Database,
        stats: StatsCollector,
        index: NearDuplicateIndex,
        batch_size: int = 50,
        batch_wait: float = 0.05,
    ) -> None:
        self.database = database
        self.engine = database.engine
        self.stats = stats
        self.index = index
        self.batch_size = max(1, batch_size)
        self.batch_wait = max(0.0, batch_wait)
        self._flush: asyncio.Handle | None = None
        self.touched: set[int] = set()
        self.disabled_reason: str | None = None
        self.waiting: list[_Waiting] = []

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> NearDuplicatePipeline:
        settings = crawler.settings
        if not settings.getbool("NEAR_DUPLICATE_ENABLED", True):
            raise NotConfigured("NEAR_DUPLICATE_ENABLED is off")
        assert crawler.stats is not None
        batch_size = settings.getint("NEAR_DUPLICATE_BATCH_SIZE", 50)
        batch_wait = settings.getfloat("NEAR_DUPLICATE_BATCH_WAIT", 0.05)
        return cls(database_of(crawler), crawler.stats, index_from_settings(settings), batch_size, batch_wait)

    def open_spider(self) -> None:
        try:
            self.database.ensure_schema()
            with self.engine.connect() as connection:
                stale = stale_schemes(connection, self.index.scheme.name)
        except (SQLAlchemyError, SchemaOutdatedError) as error:
            self.disabled_reason = str(error).splitlines()[0]
            logger.error("near-duplicate detection off for this run: %s", self.disabled_reason)
            return
        if stale:
            self.stats.set_value("neardup/stale_signatures", sum(stale.values()))
            logger.warning(
                "%d stored signatures use another scheme than %s (%s) and cannot be matched: run `scrapy recluster`",
                sum(stale.values()),
                self.index.scheme.name,
                ", ".join(sorted(stale)),
            )

    async def process_item(self, item: Any) -> Any:
        if not isinstance(item, Article):
            return item
        if self.disabled_reason is not None:
            self.stats.inc_value("neardup/skipped_no_database")
            return item
        loop = _running_loop()
        if loop is None:  # a reactor other than asyncio's: no batches
            (error,) = self.assign_batch([item])
            if error is not None:
                raise error
            return item
        waiting = _Waiting(item, loop.create_future())
        self.waiting.append(waiting)
        if len(self.waiting) >= self.batch_size:
            loop.call_soon(self._assign_waiting)
        elif self._flush is None:
            self._flush = loop.call_later(self.batch_wait, self._assign_waiting)
        await waiting.done
        return item

    def _assign_waiting(self) -> None:
        if self._flush is not None:
            self._flush.cancel()
            self._flush = None
        while self.waiting:
            batch, self.waiting = self.waiting[: self.batch_size], self.waiting[self.batch_size :]
            errors = self.assign_batch([waiting.item for waiting in batch])
            for waiting, error in zip(batch, errors, strict=True):
                if waiting.done.cancelled():
                    continue
                if error is None:
                    waiting.done.set_result(None)
                else:
                    waiting.done.set_exception(error)

    def assign_batch(self, items: list[Article]) -> list[Exception | None]:
        """Assigns ``items`` in one transaction and sets their cluster fields; when that fails,
        each in a transaction of its own. The error each item failed with (``None`` for those
        that passed, also those that passed unclustered because the database failed). A
        database that is down or locked fails the batch at once, not once per item."""
        try:
            with self.engine.begin() as connection:
                assignments = self.index.assign_all(connection, [Candidate.of(item) for item in items])
                changed = {cluster for assignment in assignments for cluster in assignment.changed_clusters}
                if changed:
                    sync_articles(connection, changed)
        except OperationalError as error:
            # The database is down or locked, for every item alike: nothing was written (the
            # transaction rolled back), the items go on to storage as the exact dedup stage
            # left them, and `scrapy recluster --missing` clusters them.
            self.stats.inc_value("neardup/lookup_failed", len(items))
            logger.warning(
                "near-duplicate lookup failed for %d items (%s first): %s",
                len(items),
                items[0].canonical_url,
                error.__class__.__name__,
            )
            return [None] * len(items)
        except Exception as error:
            if len(items) > 1:  # something about one item: it fails alone
                self.stats.inc_value("neardup/batch_retried")
                return [outcome for item in items for outcome in self.assign_batch([item])]
            if isinstance(error, SQLAlchemyError):
                self.stats.inc_value("neardup/lookup_failed")
                logger.warning("near-duplicate lookup failed for %s: %s", items[0].canonical_url, error)
                return [None]
            return [error]  # a bug: the item fails, the crawl goes on
        self.stats.inc_value("neardup/transactions")
        for item, assignment in zip(items, assignments, strict=True):
            self._apply(item, assignment)
        return [None] * len(items)

    def _apply(self, item: Article, assignment: Assignment) -> None:
        item.cluster_id = assignment.cluster_id
        item.duplicate_of = assignment.duplicate_of(item.canonical_url)
        self.stats.inc_value(f"neardup/{assignment.status}")
        if assignment.status == "joined":
            self.stats.inc_value("neardup/near_duplicate")
        if assignment.changed_clusters:
            self.stats.inc_value("neardup/canonical_changed", len(assignment.changed_clusters))
            self.touched |= assignment.changed_clusters

    def close_spider(self) -> None:
        # Scrapy closes pipelines in reverse order: the storage stage has flushed by now.
        try:
            if self.touched:
                with self.engine.begin() as connection:
                    synced = sync_articles(connection, self.touched)
                self.stats.inc_value("neardup/rows_synced", synced)
        except SQLAlchemyError as error:
            self.stats.inc_value("neardup/sync_failed", len(self.touched))
            logger.error(
                "could not copy %d changed clusters onto article rows (%s): run `scrapy recluster --missing`",
                len(self.touched),
                error.__class__.__name__,
            )
