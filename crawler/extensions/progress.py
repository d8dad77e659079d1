"""``CrawlProgress``: the progress of a crawl, a replay or a maintenance run, while it runs.

Shows responses received (files for a replay, pages for a site crawl) against the spider's
``progress_total()`` when it has one (the replay counts its inputs first), with the list pages
walked, the articles stored and of those the new ones; how (bar, log line, nothing) is decided
by :func:`crawler.progress.progress_mode`. A spider that downloads nothing (the maintenance
spiders of ``scrapy recluster`` and ``loadspool``, :mod:`crawler.maintenance`) says what it
has done with its own ``progress_counts(stats)`` and names the run with ``progress_label``.
On a terminal the log lines are written above the bar (tqdm's logging redirect), so they do
not break it; the lines go to stderr directly when the log does not show INFO (those
commands log warnings only), so progress asked for is never filtered away.

Settings: ``PROGRESS``, ``PROGRESS_INTERVAL``, ``LOG_ENABLED``, ``LOG_LEVEL``.
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Callable, Iterator, Mapping
from contextlib import ExitStack, contextmanager
from typing import Any

from scrapy import Spider, signals
from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured
from scrapy.settings import BaseSettings
from twisted.internet import task

from crawler.progress import Mode, Progress, progress_mode

logger = logging.getLogger(__name__)
BAR_REFRESH = 0.5  # seconds between bar redraws


CountsOf = Callable[[Mapping[str, Any]], tuple[int, dict[str, int]]]


def progress_counts(stats: Mapping[str, Any]) -> tuple[int, dict[str, int]]:
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


@contextmanager
def log_above_the_bar() -> Iterator[None]:
    """tqdm's logging redirect, keeping the level of the console handler it replaces: Scrapy
    filters by ``LOG_LEVEL`` in that handler, and tqdm's own would let DEBUG lines through."""
    from tqdm.contrib.logging import logging_redirect_tqdm

    root = logging.getLogger()
    consoles = [
        h for h in root.handlers if isinstance(h, logging.StreamHandler) and h.stream in (sys.stderr, sys.stdout)
    ]
    before = set(root.handlers)
    with logging_redirect_tqdm():
        for handler in root.handlers:
            if handler not in before and consoles:
                handler.setLevel(consoles[0].level)
        yield


def logs_info(settings: BaseSettings) -> bool:
    """Whether the log shows INFO lines (Scrapy filters by ``LOG_LEVEL`` in its handler)."""
    level = logging.getLevelName(str(settings["LOG_LEVEL"]).upper())
    return settings.getbool("LOG_ENABLED") and isinstance(level, int) and level <= logging.INFO


class CrawlProgress:
    def __init__(self, crawler: Crawler, mode: Mode, interval: float, *, in_log: bool = True) -> None:
        self.crawler = crawler
        self.mode = mode
        self.interval = interval
        self.in_log = in_log
        self.counts: CountsOf = progress_counts
        self.progress: Progress | None = None
        self.loop: task.LoopingCall | None = None
        self.redirect = ExitStack()

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> CrawlProgress:
        mode = progress_mode(crawler.settings)
        if mode == "off":
            raise NotConfigured
        interval = max(0.0, crawler.settings.getfloat("PROGRESS_INTERVAL"))
        extension = cls(crawler, mode, interval, in_log=logs_info(crawler.settings))
        crawler.signals.connect(extension.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(extension.spider_closed, signal=signals.spider_closed)
        return extension

    def spider_opened(self, spider: Spider) -> None:
        counter = getattr(spider, "progress_total", None)
        total = counter() if callable(counter) else None
        own_counts = getattr(spider, "progress_counts", None)
        if callable(own_counts):
            self.counts = own_counts
        if self.mode == "bar":
            self.redirect.enter_context(log_above_the_bar())
        label = getattr(spider, "progress_label", spider.name)
        emit = logger.info if self.in_log else None  # None: a line on stderr
        self.progress = Progress(label, total, mode=self.mode, interval=self.interval, emit=emit)
        self.loop = task.LoopingCall(self.tick)
        self.loop.start(BAR_REFRESH if self.mode == "bar" else max(self.interval, BAR_REFRESH), now=False)

    def tick(self) -> None:
        assert self.crawler.stats is not None
        if self.progress is not None:
            self.progress.update(*self.counts(self.crawler.stats.get_stats()))

    def spider_closed(self, spider: Spider) -> None:
        if self.loop is not None and self.loop.running:
            self.loop.stop()
        if self.progress is not None:
            self.tick()
            self.progress.close()
        self.redirect.close()
