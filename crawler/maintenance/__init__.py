"""Spiders that send articles fetched earlier through the item pipelines again.

``scrapy loadspool`` and ``scrapy recluster`` store nothing themselves: their spiders yield
articles from ``start()`` (spooled ones; stored ones whose cluster is assigned again) and the
item pipelines a crawl runs, exact dedup and storage, do the rest. Storing and linking an
article has one code path, and ``crawler`` never imports ``pipelines``. The content stages do
not run (``CONTENT_PIPELINES`` is empty for these spiders): the articles were extracted,
cleaned and enriched when they were fetched.

:class:`RefeedSpider` counts the items in the pipelines and waits while
``2 × STORAGE_BATCH_SIZE`` are: ``start()`` items enter the pipelines without waiting for
them, and a spool directory or an archive read in one go would sit in memory whole.
"""

from __future__ import annotations

import asyncio
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

    in_flight: int
    max_in_flight: int

    @classmethod
    def from_crawler(cls, crawler: Crawler, *args: Any, **kwargs: Any) -> RefeedSpider:
        spider: RefeedSpider = super().from_crawler(crawler, *args, **kwargs)
        spider.in_flight = 0
        spider.max_in_flight = 2 * max(1, crawler.settings.getint("STORAGE_BATCH_SIZE", 200))
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

    def _scraped(self, item: Any) -> None:
        self.in_flight -= 1
        self.settled(item, True)

    def _dropped(self, item: Any, exception: DropItem) -> None:
        self.in_flight -= 1
        self.settled(item, True)  # a repeat of an article of this run: that one is stored

    def _failed(self, item: Any, failure: Failure) -> None:
        self.in_flight -= 1
        self.settled(item, False)
