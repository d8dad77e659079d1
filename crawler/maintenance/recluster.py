"""The spider of ``scrapy recluster``: every stored article's near-duplicate cluster assigned again.

Without ``missing``, every signature, band key and cluster is removed first; then the stored
articles (only those without a signature, with ``missing``) go to the storage stage as
:class:`~crawler.items.StoredArticle` items, in ``articles.id`` order, which assigns each its
cluster again and stores its links, a batch per transaction, as it does for a crawl's
articles. Articles are read ``batch_size`` at a time (keyset pagination), so memory stays
bounded whatever the archive size.

Arguments: ``missing`` (``1``: only articles without a signature), ``batch_size`` (articles
read per query, default 500). ``total`` holds the number of articles to cluster once
``start()`` counted them.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from typing import Any

from crawler.db import neardup
from crawler.db.database import database_of
from crawler.db.schema import SchemaOutdatedError
from crawler.maintenance import RefeedSpider

logger = logging.getLogger(__name__)


class ReclusterSpider(RefeedSpider):
    name = "recluster"

    def __init__(self, missing: bool | str = False, batch_size: int | str = 500, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.missing = missing in (True, "1", "true", "yes")
        self.batch_size = max(1, int(batch_size))
        self.total: int | None = None

    async def start(self) -> AsyncIterator[Any]:
        database = database_of(self.crawler)
        try:
            database.ensure_schema()
        except SchemaOutdatedError as error:
            logger.error("%s", error)
            self.crawler.stats.max_value("govnews/exit_code", 1)
            return
        with database.engine.begin() as connection:
            if not self.missing:
                neardup.clear(connection)
            self.total = neardup.count_articles(connection, missing_only=self.missing)
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
