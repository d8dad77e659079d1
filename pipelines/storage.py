"""Storage stage: batched upserts into the database, with a spool for failed writes.

Items are buffered and written ``STORAGE_BATCH_SIZE`` at a time, one transaction per batch,
and the rest when the spider closes. A batch whose write fails ``STORAGE_WRITE_ATTEMPTS``
times (database locked, connection lost, disk full) is written to a spool file instead;
``scrapy loadspool`` loads it later. Spooled items are counted in ``storage/spooled`` and
make ``scrapy crawl`` exit with status 2: a failed write is never swallowed.

A new database gets the schema from the Alembic migrations; an outdated one stops the
storage stage (everything spools) with a message to run ``scrapy migrate``.

Settings: ``STORAGE_BATCH_SIZE``, ``STORAGE_WRITE_ATTEMPTS``, ``STORAGE_RETRY_DELAY``,
``SPOOL_DIR``; the database is the crawler's (:mod:`crawler.db.database`).
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from scrapy.crawler import Crawler
from scrapy.statscollectors import StatsCollector
from sqlalchemy import Engine
from sqlalchemy.exc import SQLAlchemyError

from crawler.db.articles import UpsertCounts, upsert_articles
from crawler.db.database import Database, database_of
from crawler.db.engine import with_retries
from crawler.db.schema import SchemaOutdatedError
from crawler.db.spool import write_batch
from crawler.items import Article

logger = logging.getLogger(__name__)

EXIT_SPOOLED = 2


def write_with_retries(engine: Engine, batch: list[Article], attempts: int, delay: float) -> UpsertCounts:
    """Upserts ``batch`` in one transaction, retrying transient failures; raises the last error."""

    def write() -> UpsertCounts:
        with engine.begin() as connection:
            return upsert_articles(connection, batch)

    return with_retries(write, attempts, delay, f"write of {len(batch)} articles")


class StoragePipeline:
    def __init__(
        self,
        database: Database,
        stats: StatsCollector,
        *,
        batch_size: int,
        attempts: int,
        retry_delay: float,
        spool_dir: Path,
    ) -> None:
        self.database = database
        self.stats = stats
        self.batch_size = batch_size
        self.attempts = attempts
        self.retry_delay = retry_delay
        self.spool_dir = spool_dir
        self.batch: list[Article] = []
        self.schema_error: str | None = None

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> StoragePipeline:
        settings = crawler.settings
        assert crawler.stats is not None
        database = database_of(crawler)
        crawler.stats.set_value("storage/database", database.display_url)
        return cls(
            database,
            crawler.stats,
            batch_size=max(1, settings.getint("STORAGE_BATCH_SIZE")),
            attempts=max(1, settings.getint("STORAGE_WRITE_ATTEMPTS")),
            retry_delay=settings.getfloat("STORAGE_RETRY_DELAY"),
            spool_dir=Path(settings["SPOOL_DIR"]),
        )

    def open_spider(self) -> None:
        try:
            state = self.database.ensure_schema()
            self.stats.set_value("storage/schema", state.value)
        except (SQLAlchemyError, SchemaOutdatedError) as error:
            self.schema_error = str(error).splitlines()[0]
            logger.error("database not usable, every item will be spooled to %s: %s", self.spool_dir, self.schema_error)

    def process_item(self, item: Any) -> Any:
        if isinstance(item, Article):
            self.batch.append(item)
            if len(self.batch) >= self.batch_size:
                self.flush()
        return item

    def close_spider(self) -> None:
        self.flush()
        spooled = self.stats.get_value("storage/spooled", 0)
        if spooled:
            self.stats.set_value("govnews/exit_code", EXIT_SPOOLED)
            logger.error(
                "%d articles could not be written and were spooled to %s; "
                "load them with `scrapy loadspool` once the database is back",
                spooled,
                self.spool_dir,
            )

    def flush(self) -> None:
        batch, self.batch = self.batch, []
        if not batch:
            return
        if self.schema_error is None:
            try:
                counts = write_with_retries(self.database.engine, batch, self.attempts, self.retry_delay)
            except SQLAlchemyError as error:
                logger.error("write of %d articles failed, spooling them: %s", len(batch), error)
            except Exception:
                # A bug, not an outage: keep the batch, then let the error surface.
                self._spool(batch)
                raise
            else:
                self.stats.inc_value("storage/inserted", counts.inserted)
                self.stats.inc_value("storage/updated", counts.updated)
                self.stats.inc_value("storage/unchanged", counts.unchanged)
                return
        self._spool(batch)

    def _spool(self, batch: list[Article]) -> None:
        path = write_batch(self.spool_dir, batch)
        self.stats.inc_value("storage/spooled", len(batch))
        logger.error("spooled %d articles to %s", len(batch), path)
