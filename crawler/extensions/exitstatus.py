"""``ExitStatus``: the exit code a crawl ends with, reported by its components.

One instance per crawler (an extension, built before the item pipelines and fetched with
``crawler.get_extension``, as the crawler's :class:`~crawler.db.database.Database` is): the
site spider reports a crawl it refused to start, the crawl state a write it could not make,
the storage stage articles it spooled, the content stage stages it could not build, the
maintenance spiders (:mod:`crawler.maintenance`) a spool file or database they could not use;
a crawl stopped by Ctrl-C or SIGTERM (close reason ``shutdown``) is ``INTERRUPTED``.
``scrapy crawl``, ``crawlall``, ``loadspool`` and ``recluster`` exit with the highest code
reported (:class:`~crawler.exitcodes.ExitCode`). The extension is required: a component
that reports on a crawler without it fails loudly rather than losing the code.

Settings: ``EXTENSIONS`` (enables it).
"""

from __future__ import annotations

import logging

from scrapy import Spider, signals
from scrapy.crawler import Crawler

from crawler.exitcodes import ExitCode

logger = logging.getLogger(__name__)

# The close reason Scrapy gives a crawl stopped by a signal (SIGINT, SIGTERM).
INTERRUPTED_REASON = "shutdown"


class ExitStatus:
    def __init__(self) -> None:
        self.code = ExitCode.OK
        self.reasons: list[tuple[ExitCode, str]] = []

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ExitStatus:
        extension = cls()
        crawler.signals.connect(extension.spider_closed, signal=signals.spider_closed)
        return extension

    def report(self, code: ExitCode, reason: str) -> None:
        """Records ``code`` (the highest reported is the crawl's) and why, for the closing log line."""
        self.code = max(self.code, code)
        self.reasons.append((code, reason))

    def spider_closed(self, spider: Spider, reason: str) -> None:
        if reason == INTERRUPTED_REASON:
            self.report(ExitCode.INTERRUPTED, "stopped before it finished (Ctrl-C or SIGTERM)")
        if self.code is not ExitCode.OK:
            why = "; ".join(f"{code.name}: {text}" for code, text in self.reasons if code is not ExitCode.OK)
            logger.info("exit status %d (%s): %s", self.code, self.code.name, why)


def exit_status(crawler: Crawler) -> ExitStatus:
    """The crawler's :class:`ExitStatus` (callable once extensions are built: from pipelines'
    ``from_crawler``, the spider's ``start`` or later)."""
    extension = crawler.get_extension(ExitStatus)
    if extension is None:
        raise RuntimeError("the ExitStatus extension is not enabled (EXTENSIONS): exit codes would be lost")
    return extension


def crawl_exit_code(crawler: Crawler) -> ExitCode:
    """The exit code of a finished crawl: ``FAILED`` when it never started (bad arguments or
    config: no spider, or no extensions built) or ran without :class:`ExitStatus`."""
    try:
        status = crawler.get_extension(ExitStatus)
    except RuntimeError:  # the extension manager was never built
        return ExitCode.FAILED
    if crawler.spider is None or status is None:
        return ExitCode.FAILED
    return status.code
