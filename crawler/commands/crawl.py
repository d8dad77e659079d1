"""``scrapy crawl``, exiting non-zero when the run lost data to the spool or failed to start.

Scrapy's own command exits 0 whenever the crawl ran. Components set the
``govnews/exit_code`` stat (2: items spooled, 1: bad arguments) and this command returns it.
"""

from __future__ import annotations

import argparse

from scrapy.commands.crawl import Command as ScrapyCrawlCommand
from scrapy.exceptions import UsageError


class Command(ScrapyCrawlCommand):
    def run(self, args: list[str], opts: argparse.Namespace) -> None:
        if len(args) != 1:
            raise UsageError("give exactly one spider name")
        assert self.crawler_process is not None
        crawler = self._create_crawler(args[0])
        self.crawler_process.crawl(crawler, **opts.spargs)
        self.crawler_process.start()
        if self.crawler_process.bootstrap_failed:
            self.exitcode = 1
            return
        stats = crawler.stats.get_stats() if crawler.stats is not None else {}
        self.exitcode = max(self.exitcode, int(stats.get("govnews/exit_code", 0)))
