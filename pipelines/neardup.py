"""Near-duplicate stage: MinHash + LSH over the cleaned body, against the whole archive.

Runs after :class:`pipelines.dedup.ExactDedupPipeline` (priority 450). For each article it
stores the body's MinHash signature and LSH band keys in the database (``minhash_signatures``,
``minhash_bands``) and puts the article in a cluster (``clusters``): the cluster of the most
similar stored article whose estimated Jaccard reaches ``NEAR_DUPLICATE_THRESHOLD``, else a
new one. ``cluster_id`` is set on the item, and ``duplicate_of`` to the cluster's canonical
article (``None`` for the canonical one itself). Nothing is dropped.

Each item is one transaction of its own, committed before the item moves on: later items of
the same run, other processes and later runs see its signature at once, although the storage
stage writes the article rows in batches. When a new article becomes the canonical one of an
existing cluster (another copy names it as 来源, or it was published earlier), the stored
member rows are updated at once, and again when the spider closes (after the storage stage
flushed its last batch), so rows written later from an older item state are corrected too.

When the database cannot be reached the item passes through unchanged
(``neardup/lookup_failed``); the storage stage spools it, and ``scrapy recluster --missing``
clusters what was loaded from the spool.

Settings: ``DATABASE_URL``, ``SQLITE_BUSY_TIMEOUT``, ``NEAR_DUPLICATE_ENABLED`` (default
``True``), ``NEAR_DUPLICATE_THRESHOLD`` (estimated Jaccard, default 0.5),
``NEAR_DUPLICATE_SHINGLE_SIZE`` (4), ``NEAR_DUPLICATE_NUM_PERM`` (128),
``NEAR_DUPLICATE_BANDS`` (32), ``NEAR_DUPLICATE_MIN_SHINGLES`` (20),
``NEAR_DUPLICATE_MAX_CANDIDATES`` (50), ``NEAR_DUPLICATE_MAX_POSTINGS`` (100). See ``docs/dedup.md``
for how the defaults were measured.
"""

from __future__ import annotations

import logging
from typing import Any

from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured
from scrapy.statscollectors import StatsCollector
from sqlalchemy import Engine
from sqlalchemy.exc import SQLAlchemyError

from crawler.db.engine import make_engine
from crawler.db.schema import SchemaOutdatedError, ensure_schema
from crawler.items import Article
from pipelines.neardup_index import Candidate, NearDuplicateIndex, index_from_settings, stale_schemes, sync_articles

logger = logging.getLogger(__name__)


class NearDuplicatePipeline:
    def __init__(self, engine: Engine, stats: StatsCollector, index: NearDuplicateIndex) -> None:
        self.engine = engine
        self.stats = stats
        self.index = index
        self.touched: set[int] = set()
        self.disabled_reason: str | None = None

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> NearDuplicatePipeline:
        settings = crawler.settings
        if not settings.getbool("NEAR_DUPLICATE_ENABLED", True):
            raise NotConfigured("NEAR_DUPLICATE_ENABLED is off")
        assert crawler.stats is not None
        engine = make_engine(settings["DATABASE_URL"], sqlite_busy_timeout=settings.getfloat("SQLITE_BUSY_TIMEOUT"))
        return cls(engine, crawler.stats, index_from_settings(settings))

    def open_spider(self) -> None:
        # This stage runs before storage, whose open_spider would create a new database only
        # after ours: without the tables, nothing of the first run would be clustered.
        try:
            ensure_schema(self.engine)
            with self.engine.connect() as connection:
                stale = stale_schemes(connection, self.index.scheme)
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

    def process_item(self, item: Any) -> Any:
        if not isinstance(item, Article):
            return item
        if self.disabled_reason is not None:
            self.stats.inc_value("neardup/skipped_no_database")
            return item
        try:
            with self.engine.begin() as connection:
                assignment = self.index.assign(connection, Candidate.of(item))
                if assignment.changed_clusters:
                    sync_articles(connection, assignment.changed_clusters)
        except SQLAlchemyError as error:
            # Nothing was written (the transaction rolled back); the item goes on to storage
            # as the exact dedup stage left it, and `scrapy recluster --missing` clusters it.
            self.stats.inc_value("neardup/lookup_failed")
            logger.warning("near-duplicate lookup failed for %s: %s", item.canonical_url, error.__class__.__name__)
            return item
        item.cluster_id = assignment.cluster_id
        item.duplicate_of = assignment.duplicate_of(item.canonical_url)
        self.stats.inc_value(f"neardup/{assignment.status}")
        if assignment.status == "joined":
            self.stats.inc_value("neardup/near_duplicate")
        if assignment.changed_clusters:
            self.stats.inc_value("neardup/canonical_changed", len(assignment.changed_clusters))
            self.touched |= assignment.changed_clusters
        return item

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
        finally:
            self.engine.dispose()
