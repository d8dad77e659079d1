"""``CrawlProgress``: the progress of a crawl or replay, from its stats, while it runs.

Shows responses received (files for a replay, pages for a site crawl) against the spider's
``progress_total()`` when it has one (the replay counts its inputs first), with the list pages
walked, the articles stored and of those the new ones; how (bar, log line, nothing) is decided
by :func:`crawler.progress.progress_mode`. On a terminal the log lines are written above the
bar (tqdm's logging redirect), so they do not break it.

Settings: ``PROGRESS``, ``PROGRESS_INTERVAL``, ``LOG_LEVEL``.
"""

from __future__ import annotations

import logging
from contextlib import ExitStack
from typing import Any

from scrapy import Spider, signals
from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured
from twisted.internet import task

from crawler.progress import Mode, Progress, progress_mode

logger = logging.getLogger(__name__)
BAR_REFRESH = 0.5  # seconds between bar redraws


def progress_counts(stats: dict[str, Any]) -> tuple[int, dict[str, int]]:
    """Responses received, and the counts shown beside them (those the run has)."""

    def count(key: str) -> int:
        return int(stats.get(key, 0) or 0)

    done = count("downloader/response_count") + count("downloader/exception_count")
    counts = {}
    if "site/list_pages" in stats:
        counts["list pages"] = count("site/list_pages")
    counts["stored"] = count("storage/inserted") + count("storage/updated") + count("storage/unchanged")
    counts["new"] = count("storage/inserted")
    if count("replay/skipped"):
        counts["skipped"] = count("replay/skipped")
    return done, counts


class CrawlProgress:
    def __init__(self, crawler: Crawler, mode: Mode, interval: float) -> None:
        self.crawler = crawler
        self.mode = mode
        self.interval = interval
        self.progress: Progress | None = None
        self.loop: task.LoopingCall | None = None
        self.redirect = ExitStack()

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> CrawlProgress:
        mode = progress_mode(crawler.settings)
        if mode == "off":
            raise NotConfigured
        extension = cls(crawler, mode, max(0.0, crawler.settings.getfloat("PROGRESS_INTERVAL")))
        crawler.signals.connect(extension.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(extension.spider_closed, signal=signals.spider_closed)
        return extension

    def spider_opened(self, spider: Spider) -> None:
        counter = getattr(spider, "progress_total", None)
        total = counter() if callable(counter) else None
        if self.mode == "bar":
            from tqdm.contrib.logging import logging_redirect_tqdm

            self.redirect.enter_context(logging_redirect_tqdm())
        self.progress = Progress(spider.name, total, mode=self.mode, interval=self.interval, emit=logger.info)
        self.loop = task.LoopingCall(self.tick)
        self.loop.start(BAR_REFRESH if self.mode == "bar" else max(self.interval, BAR_REFRESH), now=False)

    def tick(self) -> None:
        assert self.crawler.stats is not None
        if self.progress is not None:
            self.progress.update(*progress_counts(self.crawler.stats.get_stats()))

    def spider_closed(self, spider: Spider) -> None:
        if self.loop is not None and self.loop.running:
            self.loop.stop()
        if self.progress is not None:
            self.tick()
            self.progress.close()
        self.redirect.close()
