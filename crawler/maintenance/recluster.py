"""The spider of ``scrapy recluster``: every stored article's near-duplicate cluster assigned again.

Without ``missing``, every signature, band key and cluster is removed first; then the stored
articles (only those without a signature, with ``missing``) go to the storage stage as
:class:`~crawler.items.StoredArticle` items, in ``articles.id`` order, which assigns each its
cluster again and stores its links, a batch per transaction, as it does for a crawl's
articles. Articles are read ``batch_size`` at a time (keyset pagination), so memory stays
bounded whatever the archive size.

Arguments: ``missing`` (``1``: only articles without a signature), ``batch_size`` (articles
read per query, default 500). The progress display counts the articles to cluster
(:meth:`ReclusterSpider.progress_total`) and shows those that left the pipelines.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Mapping
from typing import Any

from sqlalchemy.exc import SQLAlchemyError

from crawler.db import neardup
from crawler.db.database import database_of
from crawler.db.schema import SchemaOutdatedError
from crawler.exitcodes import ExitCode
from crawler.extensions.exitstatus import exit_status
from crawler.maintenance import RefeedSpider

logger = logging.getLogger(__name__)


class ReclusterSpider(RefeedSpider):
    name = "recluster"
    progress_label = "clustering"

    def __init__(self, missing: bool | str = False, batch_size: int | str = 500, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.missing = missing in (True, "1", "true", "yes")
        self.batch_size = max(1, int(batch_size))

    def progress_total(self) -> int | None:
        """Articles to cluster, for the progress display: one count (``None`` when the database
        is not usable; :meth:`start` reports that)."""
        database = database_of(self.crawler)
        try:
            database.ensure_schema()
            with database.engine.connect() as connection:
                return neardup.count_articles(connection, missing_only=self.missing)
        except (SchemaOutdatedError, SQLAlchemyError):
            return None

    def progress_counts(self, stats: Mapping[str, Any]) -> tuple[int, dict[str, int]]:
        """Articles clustered, and of them those that joined another article's story."""
        return self.settled_count, {"joined": int(stats.get("neardup/joined", 0))}

    async def start(self) -> AsyncIterator[Any]:
        database = database_of(self.crawler)
        try:
            database.ensure_schema()
        except (SchemaOutdatedError, SQLAlchemyError) as error:
            logger.error("database not usable: %s", error)
            exit_status(self.crawler).report(ExitCode.FAILED, str(error).splitlines()[0])
            return
        if not self.missing:
            with database.engine.begin() as connection:
                neardup.clear(connection)
        last = 0
        while True:
            with database.engine.connect() as connection:
                batch = neardup.stored_articles(connection, last, self.batch_size, missing_only=self.missing)
            if not batch:
                return
            for stored in batch:
                await self.room()
                yield stored
            last = batch[-1].id
