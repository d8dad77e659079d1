"""The spider of ``scrapy loadspool``: spooled articles through the pipelines, oldest file first.

Each spool file (:mod:`crawler.db.spool`) is read whole, its articles go through the item
pipelines (exact dedup, storage: they get their links and near-duplicate clusters as a crawl's
articles do), and the file is deleted once every one of its articles was stored (or dropped
as a repeat of an article of this load, or quarantined by the storage stage as refused by the
database). A file with an article that failed stays. A file that cannot be read is moved to the
quarantine with its name and line as the reason, and the load goes on with the next file
(``ExitCode.FAILED``): one bad file never blocks the others. Articles whose write fails again go to a new spool
file (``ExitCode.SPOOLED``, reported by the storage stage). The progress display counts the
spooled articles (:meth:`SpoolSpider.progress_total`) and shows those that left the pipelines.

Arguments: ``spool_dir`` (a directory of spool files). Stats: ``spool/files_loaded``,
``spool/files_kept``, ``spool/files_quarantined``.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from crawler.db.spool import SpoolFormatError, quarantine_file, read_batch, spool_files, spooled_count
from crawler.exitcodes import ExitCode
from crawler.extensions.exitstatus import exit_status
from crawler.items import Article
from crawler.maintenance import RefeedSpider

logger = logging.getLogger(__name__)


@dataclass
class SpoolFile:
    path: Path
    articles: int
    left: int
    failed: bool = False


class SpoolSpider(RefeedSpider):
    name = "loadspool"
    progress_label = "loading"

    def __init__(self, spool_dir: str, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.spool_dir = Path(spool_dir)
        self.file_of: dict[int, SpoolFile] = {}  # id() of an article in the pipelines -> its file
        self.loaded: list[SpoolFile] = []

    def progress_total(self) -> int:
        """Spooled articles to load, for the progress display: lines counted, none parsed."""
        return spooled_count(spool_files(self.spool_dir))

    async def start(self) -> AsyncIterator[Any]:
        for path in spool_files(self.spool_dir):
            try:
                articles = list(read_batch(path))
            except SpoolFormatError as error:
                moved = quarantine_file(path, str(error))
                self.crawler.stats.inc_value("spool/files_quarantined")
                logger.error("%s; moved to %s (fix it and move it back to load it)", error, moved)
                exit_status(self.crawler).report(ExitCode.FAILED, f"unreadable spool file {path.name} quarantined")
                continue
            spooled = SpoolFile(path, len(articles), len(articles))
            if not articles:
                self._done(spooled)
            for article in articles:
                await self.room()
                self.file_of[id(article)] = spooled
                yield article

    def settled(self, item: Any, stored: bool) -> None:
        spooled = self.file_of.pop(id(item), None) if isinstance(item, Article) else None
        if spooled is None:
            return
        spooled.left -= 1
        spooled.failed |= not stored
        if not spooled.left:
            self._done(spooled)

    def _done(self, spooled: SpoolFile) -> None:
        if spooled.failed:
            self.crawler.stats.inc_value("spool/files_kept")
            logger.error("kept %s: some of its articles failed", spooled.path)
            return
        spooled.path.unlink()
        self.loaded.append(spooled)
        self.crawler.stats.inc_value("spool/files_loaded")
