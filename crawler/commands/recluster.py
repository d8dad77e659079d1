"""``scrapy recluster [--missing] [--batch-size N]``: rebuild the near-duplicate clusters.

Without options, every signature, band key and cluster is removed and the whole archive is
clustered again from the stored bodies, in ``id`` order, with the ``NEAR_DUPLICATE_*``
settings of this run: the step after changing the threshold, the shingle size or the
banding. With ``--missing``, only articles without a signature are clustered (those stored
while ``NEAR_DUPLICATE_ENABLED`` was off). Run it while no crawl writes to the database.

Runs a crawl of :class:`~crawler.maintenance.recluster.ReclusterSpider`: the stored articles
go to the storage stage, which assigns clusters and stores the links of every member, one
transaction per ``--batch-size`` articles, with the code that does it for a crawl's articles.
Progress goes to stderr, a line rewritten in place (``clustering: 1200/5000 (24%) 150/s``).
"""

from __future__ import annotations

import argparse
import sys
import time

from scrapy import signals
from scrapy.commands import ScrapyCommand
from scrapy.exceptions import UsageError

from crawler.commands import quiet_logging
from crawler.maintenance.recluster import ReclusterSpider

STATUSES = ("new", "joined", "known", "short")


class Progress:
    """``label: done/total (pct) rate`` on stderr, rewritten in place."""

    def __init__(self, label: str, total: int, started: float | None = None) -> None:
        self.label, self.total, self.done = label, total, 0
        self.started = time.monotonic() if started is None else started
        self._line()

    def update(self, count: int) -> None:
        self.done += count
        self._line()

    def close(self) -> None:
        sys.stderr.write("\n")
        sys.stderr.flush()

    def _line(self) -> None:
        elapsed = max(time.monotonic() - self.started, 1e-9)
        share = self.done / self.total if self.total else 1.0
        sys.stderr.write(f"\r{self.label}: {self.done}/{self.total} ({share:.0%}) {self.done / elapsed:.0f}/s")
        sys.stderr.flush()


class Command(ScrapyCommand):
    requires_project = True

    def short_desc(self) -> str:
        return "Re-cluster near-duplicate articles of the whole archive (after a threshold change)"

    def add_options(self, parser: argparse.ArgumentParser) -> None:
        super().add_options(parser)
        parser.add_argument("--batch-size", type=int, default=500, help="articles per transaction (default: 500)")
        parser.add_argument("--missing", action="store_true", help="only articles without a signature")

    def process_options(self, args: list[str], opts: argparse.Namespace) -> None:
        super().process_options(args, opts)
        assert self.settings is not None
        if opts.batch_size < 1:
            raise UsageError("--batch-size must be at least 1")
        if not self.settings.getbool("NEAR_DUPLICATE_ENABLED", True):
            raise UsageError("NEAR_DUPLICATE_ENABLED is off: there is nothing to cluster with")
        self.settings.set("STORAGE_BATCH_SIZE", opts.batch_size, priority="cmdline")
        quiet_logging(self.settings)

    def run(self, args: list[str], opts: argparse.Namespace) -> None:
        assert self.crawler_process is not None
        started = time.monotonic()
        crawler = self.crawler_process.create_crawler(ReclusterSpider)
        opened: list[float] = []
        progress: list[Progress] = []

        def clustered(spider: ReclusterSpider) -> None:
            if not progress:  # the spider counted the articles before it sent the first
                progress.append(Progress("clustering", spider.total or 0, opened[0] if opened else None))
            progress[0].update(1)

        crawler.signals.connect(lambda: opened.append(time.monotonic()), signal=signals.spider_opened, weak=False)
        crawler.signals.connect(clustered, signal=signals.item_scraped)
        self.crawler_process.crawl(crawler, missing=opts.missing, batch_size=opts.batch_size)
        self.crawler_process.start()
        for bar in progress:
            bar.close()
        if self.crawler_process.bootstrap_failed or crawler.stats is None:
            self.exitcode = 1
            return
        stats = crawler.stats.get_stats()
        self.exitcode = int(stats.get("govnews/exit_code", 0))
        counts = {status: int(stats.get(f"neardup/{status}", 0)) for status in STATUSES}
        summary = ", ".join(f"{status} {count}" for status, count in sorted(counts.items()) if count) or "nothing to do"
        updated = int(stats.get("storage/relinked", 0)) + int(stats.get("neardup/rows_synced", 0))
        print(
            f"{stats.get('storage/database', '-')}: scheme {stats.get('neardup/scheme')}, "
            f"threshold {stats.get('neardup/threshold')}: {summary}; "
            f"{updated} article rows updated in {time.monotonic() - started:.1f}s"
        )
