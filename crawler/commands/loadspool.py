"""``scrapy loadspool [SPOOL_DIR]``: load spooled batches into the database, oldest first.

Runs a crawl of :class:`~crawler.maintenance.spool.SpoolSpider`: the spooled articles go
through the item pipelines, so they are stored, linked to their exact and near-duplicate
originals and clustered as a crawl's articles are, by the same code. Each spool file is deleted
once all its articles are stored. A file that cannot be read, and each article the database
refuses, is quarantined (``SPOOL_DIR/quarantine/``, a ``.reason`` file beside each) and the
load goes on; the command lists the quarantine at the end. Exit status
(:class:`~crawler.exitcodes.ExitCode`): ``FAILED`` (1) when something was quarantined,
``SPOOLED`` (2) when articles had to be spooled again.
Progress goes to stderr as for any long run (:mod:`crawler.extensions.progress`).
"""

from __future__ import annotations

import argparse
from pathlib import Path

from scrapy.commands import ScrapyCommand

from crawler.commands import check_database_url, quiet_logging
from crawler.db.spool import REASON_SUFFIX, quarantined_files, spool_files
from crawler.exitcodes import ExitCode
from crawler.extensions.exitstatus import crawl_exit_code
from crawler.maintenance.spool import SpoolSpider


class Command(ScrapyCommand):
    requires_project = True

    def syntax(self) -> str:
        return "[SPOOL_DIR]"

    def short_desc(self) -> str:
        return "Load articles spooled by failed database writes"

    def process_options(self, args: list[str], opts: argparse.Namespace) -> None:
        super().process_options(args, opts)
        assert self.settings is not None
        quiet_logging(self.settings)

    def run(self, args: list[str], opts: argparse.Namespace) -> None:
        check_database_url(self.settings)
        assert self.settings is not None
        assert self.crawler_process is not None
        spool_dir = Path(args[0] if args else self.settings["SPOOL_DIR"])
        files = spool_files(spool_dir)
        if not files:
            print(f"nothing to load in {spool_dir}")
            return
        crawler = self.crawler_process.create_crawler(SpoolSpider)
        self.crawler_process.crawl(crawler, spool_dir=str(spool_dir))
        self.crawler_process.start()
        if self.crawler_process.bootstrap_failed or crawler.spider is None or crawler.stats is None:
            self.exitcode = ExitCode.FAILED
            return
        spider = crawler.spider
        assert isinstance(spider, SpoolSpider)
        for loaded in spider.loaded:
            print(f"loaded {loaded.path.name}: {loaded.articles} articles")
        stats = crawler.stats.get_stats()
        print(
            f"{len(spider.loaded)} of {len(files)} spool files into {stats.get('storage/database', '-')}: "
            f"new {stats.get('storage/inserted', 0)}, updated {stats.get('storage/updated', 0)}, "
            f"unchanged {stats.get('storage/unchanged', 0)}"
        )
        quarantined = stats.get("storage/quarantined", 0) + stats.get("spool/files_quarantined", 0)
        if quarantined:
            print(f"quarantined {quarantined} (refused articles, unreadable files) in {spool_dir / 'quarantine'}:")
            for path in quarantined_files(spool_dir):
                reason = path.with_name(path.name + REASON_SUFFIX)
                why = reason.read_text(encoding="utf-8").strip() if reason.is_file() else "-"
                print(f"  {path.name}: {why}")
        self.exitcode = crawl_exit_code(crawler)
