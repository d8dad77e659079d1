"""``scrapy recluster [--missing] [--batch-size N]``: rebuild the near-duplicate clusters.

Without options, every signature, band key and cluster is removed and the whole archive is
clustered again from the stored bodies, in ``id`` order, with the ``NEAR_DUPLICATE_*``
settings of this run: the step after changing the threshold, the shingle size or the
banding. With ``--missing``, only articles without a signature are clustered (those stored
while ``NEAR_DUPLICATE_ENABLED`` was off). Run it while no crawl writes to the database.

Runs a crawl of :class:`~crawler.maintenance.recluster.ReclusterSpider`: the stored articles
go to the storage stage, which assigns clusters and stores the links of every member, one
transaction per ``--batch-size`` articles, with the code that does it for a crawl's articles.
Progress goes to stderr as for any long run (:mod:`crawler.extensions.progress`: a bar on a
terminal, a line ``clustering: 1200/5000 (24%), 150/s, ETA 0:00:25`` every
``PROGRESS_INTERVAL`` seconds otherwise, nothing with ``-L WARNING``).
"""

from __future__ import annotations

import argparse
import time

from scrapy.commands import ScrapyCommand
from scrapy.exceptions import UsageError

from crawler.commands import check_database_url, quiet_logging
from crawler.exitcodes import ExitCode
from crawler.extensions.exitstatus import crawl_exit_code
from crawler.maintenance.recluster import ReclusterSpider

STATUSES = ("new", "joined", "known", "short")


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
        if not self.settings.getbool("NEAR_DUPLICATE_ENABLED"):
            raise UsageError("NEAR_DUPLICATE_ENABLED is off: there is nothing to cluster with")
        self.settings.set("STORAGE_BATCH_SIZE", opts.batch_size, priority="cmdline")
        quiet_logging(self.settings)

    def run(self, args: list[str], opts: argparse.Namespace) -> None:
        check_database_url(self.settings)
        assert self.crawler_process is not None
        started = time.monotonic()
        crawler = self.crawler_process.create_crawler(ReclusterSpider)
        self.crawler_process.crawl(crawler, missing=opts.missing, batch_size=opts.batch_size)
        self.crawler_process.start()
        if self.crawler_process.bootstrap_failed or crawler.stats is None:
            self.exitcode = ExitCode.FAILED
            return
        self.exitcode = crawl_exit_code(crawler)
        stats = crawler.stats.get_stats()
        counts = {status: int(stats.get(f"neardup/{status}", 0)) for status in STATUSES}
        summary = ", ".join(f"{status} {count}" for status, count in sorted(counts.items()) if count) or "nothing to do"
        updated = int(stats.get("storage/relinked", 0)) + int(stats.get("neardup/rows_synced", 0))
        print(
            f"{stats.get('storage/database', '-')}: scheme {stats.get('neardup/scheme')}, "
            f"threshold {stats.get('neardup/threshold')}: {summary}; "
            f"{updated} article rows updated in {time.monotonic() - started:.1f}s"
        )
