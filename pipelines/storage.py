"""Storage stage: batched upserts into the database, with a spool for failed writes.

Items are buffered and written ``STORAGE_BATCH_SIZE`` at a time, one transaction per batch,
and the rest when the spider closes. A batch whose write fails ``STORAGE_WRITE_ATTEMPTS``
times (database locked, connection lost, disk full) is written to a spool file instead;
``scrapy loadspool`` loads it later. Spooled items are counted in ``storage/spooled`` and
make ``scrapy crawl`` exit with status 2: a failed write is never swallowed.

A new database gets the schema from the Alembic migrations; an outdated one stops the
storage stage (everything spools) with a message to run ``scrapy migrate``.

Settings: ``DATABASE_URL``, ``STORAGE_BATCH_SIZE``, ``STORAGE_WRITE_ATTEMPTS``,
``STORAGE_RETRY_DELAY``, ``SPOOL_DIR``, ``SQLITE_BUSY_TIMEOUT``; ``DISPLAY_TIMEZONE`` and ``SITES_DIR``
for the sites' local days (:mod:`crawler.timezones`).
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
from crawler.db.engine import display_url, make_engine, with_retries
from crawler.db.schema import SchemaOutdatedError, ensure_schema
from crawler.db.spool import write_batch
from crawler.exitcodes import ExitCode
from crawler.extensions.exitstatus import ExitStatus, exit_status
from crawler.items import Article
from crawler.timezones import LocalTime

logger = logging.getLogger(__name__)


def write_with_retries(
    engine: Engine, batch: list[Article], attempts: int, delay: float, local_time: LocalTime | None = None
) -> UpsertCounts:
    """Upserts ``batch`` in one transaction, retrying transient failures; raises the last error."""

    def write() -> UpsertCounts:
        with engine.begin() as connection:
            return upsert_articles(connection, batch, local_time=local_time)

    return with_retries(write, attempts, delay, f"write of {len(batch)} articles")


class StoragePipeline:
    def __init__(
        self,
        engine: Engine,
        stats: StatsCollector,
        *,
        exit_status: ExitStatus,
        batch_size: int,
        attempts: int,
        retry_delay: float,
        spool_dir: Path,
        local_time: LocalTime | None = None,
    ) -> None:
        self.engine = engine
        self.stats = stats
        self.exit_status = exit_status
        self.batch_size = batch_size
        self.attempts = attempts
        self.retry_delay = retry_delay
        self.spool_dir = spool_dir
        self.local_time = local_time
        self.batch: list[Article] = []
        self.schema_error: str | None = None

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> StoragePipeline:
        settings = crawler.settings
        assert crawler.stats is not None
        engine = make_engine(settings["DATABASE_URL"], sqlite_busy_timeout=settings.getfloat("SQLITE_BUSY_TIMEOUT"))
        crawler.stats.set_value("storage/database", display_url(settings["DATABASE_URL"]))
        return cls(
            engine,
            crawler.stats,
            exit_status=exit_status(crawler),
            batch_size=max(1, settings.getint("STORAGE_BATCH_SIZE")),
            attempts=max(1, settings.getint("STORAGE_WRITE_ATTEMPTS")),
            retry_delay=settings.getfloat("STORAGE_RETRY_DELAY"),
            spool_dir=Path(settings["SPOOL_DIR"]),
            local_time=LocalTime.from_settings(settings),
        )

    def open_spider(self) -> None:
        try:
            state = ensure_schema(self.engine)
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
        self.engine.dispose()
        spooled = self.stats.get_value("storage/spooled", 0)
        if spooled:
            self.exit_status.report(ExitCode.SPOOLED, f"{spooled} articles spooled to {self.spool_dir}")
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
                counts = write_with_retries(self.engine, batch, self.attempts, self.retry_delay, self.local_time)
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
