"""Spiders that send articles fetched earlier through the item pipelines again.

``scrapy loadspool`` and ``scrapy recluster`` store nothing themselves: their spiders yield
articles from ``start()`` (spooled ones; stored ones whose cluster is assigned again) and the
item pipelines a crawl runs, exact dedup and storage, do the rest. Storing and linking an
article has one code path, and ``crawler`` never imports ``pipelines``. The content stages do
not run (``CONTENT_PIPELINES`` is empty for these spiders): the articles were extracted,
cleaned and enriched when they were fetched.

:class:`RefeedSpider` counts the items in the pipelines and waits while
``2 × STORAGE_BATCH_SIZE`` are: ``start()`` items enter the pipelines without waiting for
them, and a spool directory or an archive read in one go would sit in memory whole. It also
counts the items that left the pipelines, which the progress display of long runs
(:class:`~crawler.extensions.progress.CrawlProgress`) shows against the spider's
``progress_total()``, as it shows a replay's files.
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from typing import Any

import scrapy
from scrapy import signals
from scrapy.crawler import Crawler
from scrapy.exceptions import DropItem
from twisted.python.failure import Failure


class RefeedSpider(scrapy.Spider):
    custom_settings = {  # noqa: RUF012 (Scrapy's own attribute)
        "CONTENT_PIPELINES": {},
        "RUN_SUMMARY_ENABLED": False,  # the commands print their own
        "ROBOTSTXT_OBEY": False,
        "TELNETCONSOLE_ENABLED": False,
    }

    progress_label: str
    """What the progress display calls the run (``clustering: 1200/5000 …``)."""
    in_flight: int
    max_in_flight: int
    settled_count: int

    @classmethod
    def from_crawler(cls, crawler: Crawler, *args: Any, **kwargs: Any) -> RefeedSpider:
        spider: RefeedSpider = super().from_crawler(crawler, *args, **kwargs)
        spider.in_flight = spider.settled_count = 0
        spider.max_in_flight = 2 * max(1, crawler.settings.getint("STORAGE_BATCH_SIZE"))
        crawler.signals.connect(spider._scraped, signal=signals.item_scraped)
        crawler.signals.connect(spider._dropped, signal=signals.item_dropped)
        crawler.signals.connect(spider._failed, signal=signals.item_error)
        return spider

    async def room(self) -> None:
        """Returns once fewer than ``max_in_flight`` items are in the pipelines; counts one more."""
        while self.in_flight >= self.max_in_flight:
            await asyncio.sleep(0.01)
        self.in_flight += 1

    def settled(self, item: Any, stored: bool) -> None:
        """Called once per item that left the pipelines: ``stored`` unless it failed."""

    def progress_counts(self, stats: Mapping[str, Any]) -> tuple[int, dict[str, int]]:
        """Items that left the pipelines, and the counts shown beside them (the stored articles,
        of them the new ones), for :class:`~crawler.extensions.progress.CrawlProgress`."""
        stored = sum(int(stats.get(f"storage/{key}", 0)) for key in ("inserted", "updated", "unchanged"))
        return self.settled_count, {"stored": stored, "new": int(stats.get("storage/inserted", 0))}

    def _left(self, item: Any, stored: bool) -> None:
        self.in_flight -= 1
        self.settled_count += 1
        self.settled(item, stored)

    def _scraped(self, item: Any) -> None:
        self._left(item, True)

    def _dropped(self, item: Any, exception: DropItem) -> None:
        self._left(item, True)  # a repeat of an article of this run: that one is stored

    def _failed(self, item: Any, failure: Failure) -> None:
        self._left(item, False)
