"""``scrapy crawl``, exiting non-zero when the run lost data to the spool or failed to start.

Scrapy's own command exits 0 whenever the crawl ran. Components report an
:class:`~crawler.exitcodes.ExitCode` to the crawler's
:class:`~crawler.extensions.exitstatus.ExitStatus` (2: items spooled, 3: site busy, 1: failed)
and this command exits with the highest one.
"""

from __future__ import annotations

import argparse

from scrapy.commands.crawl import Command as ScrapyCrawlCommand
from scrapy.exceptions import UsageError

from crawler.commands import check_database_url
from crawler.exitcodes import ExitCode
from crawler.extensions.exitstatus import crawl_exit_code


class Command(ScrapyCrawlCommand):
    def run(self, args: list[str], opts: argparse.Namespace) -> None:
        check_database_url(self.settings)
        if len(args) != 1:
            raise UsageError("give exactly one spider name")
        assert self.crawler_process is not None
        crawler = self._create_crawler(args[0])
        self.crawler_process.crawl(crawler, **opts.spargs)
        self.crawler_process.start()
        if self.crawler_process.bootstrap_failed:
            self.exitcode = ExitCode.FAILED
            return
        self.exitcode = max(self.exitcode, crawl_exit_code(crawler))
