"""``scrapy crawl replay -a path=FILE_OR_DIR``: saved files through the live pipelines.

Replays, recursively: seed texts (``.txt``), saved HTML (``.html``/``.htm``/``.shtml``),
WARC files (``.warc``/``.warc.gz``) and Scrapy HTTP cache directories. Files are read through
Scrapy's own ``file://`` download handler and downloader middlewares, so decoding is the same
as in a live crawl. Every input that cannot be replayed is skipped with one log line naming
it and the reason, counted in ``replay/skipped/*`` and listed in the run summary: also a FIFO
or device file, a directory that cannot be listed, a symlink loop, a file larger than
``DOWNLOAD_MAXSIZE`` bytes (or decompressing to more: a WARC or cache gzip bomb), and a page
longer than ``PAGE_MAX_CHARS`` characters (:func:`crawler.pages.page_from_response`).

With ``DISTRIBUTED`` every worker replaying the same path shares its inputs out with the others,
each read to its end once (:mod:`crawler.distributed.replayfiles`).

Arguments: ``path`` (required), ``fetched_at`` (ISO 8601; pins the fetch time of every
replayed file, for reproducible relative dates), ``site`` (site id to give the articles).
Settings: ``DOWNLOAD_MAXSIZE``, ``PAGE_MAX_CHARS``.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import scrapy
from scrapy.crawler import Crawler
from scrapy.http import Response
from twisted.python.failure import Failure

from crawler.distributed.replayfiles import ReplayFiles
from crawler.exitcodes import ExitCode
from crawler.extensions.exitstatus import exit_status
from crawler.items import Page, PageKind
from crawler.pages import NotAPageError, page_from_response, pinned_fetch_time
from crawler.replay.archives import ArchivedResponse, ArchiveReadError, httpcache_response, warc_responses
from crawler.replay.inputs import InputKind, ReplayInput, replay_inputs

logger = logging.getLogger(__name__)

_PAGE_KINDS: dict[InputKind, PageKind] = {InputKind.TEXT: "text", InputKind.HTML: "html"}


def skip_reason_key(reason: str) -> str:
    """The stats key part of a skip reason: its words before any detail in parentheses or a colon."""
    return reason.split(":")[0].split("(")[0].strip().replace(" ", "_")


class ReplaySpider(scrapy.Spider):
    name = "replay"
    custom_settings = {  # noqa: RUF012 (Scrapy's own attribute)
        "ROBOTSTXT_OBEY": False,
        "DOWNLOAD_DELAY": 0,
        "AUTOTHROTTLE_ENABLED": False,
        "CONCURRENT_REQUESTS": 8,
        "CONCURRENT_REQUESTS_PER_DOMAIN": 8,
        "HTTPCACHE_ENABLED": False,
        "DOWNLOADER_MIDDLEWARES": {"crawler.downloadermiddlewares.charset.CharsetCorrectionMiddleware": 950},
        # Scrapy's own scheduler also with DISTRIBUTED: the files are shared out by lease
        # (crawler/distributed/replayfiles.py); a file's read stays with the worker that leased it.
        "SCHEDULER": "scrapy.core.scheduler.Scheduler",
        "DUPEFILTER_CLASS": "scrapy.dupefilters.RFPDupeFilter",
    }
    files: ReplayFiles | None = None
    """With ``DISTRIBUTED``: the inputs shared out among the workers replaying the same path."""

    @classmethod
    def from_crawler(cls, crawler: Crawler, *args: Any, **kwargs: Any) -> ReplaySpider:
        spider: ReplaySpider = super().from_crawler(crawler, *args, **kwargs)
        spider.files = ReplayFiles.from_crawler(crawler, spider.root)
        return spider

    def __init__(self, path: str | None = None, fetched_at: str | None = None, site: str | None = None, **kwargs: Any):
        super().__init__(**kwargs)
        if not path:
            raise ValueError("replay needs a path: scrapy crawl replay -a path=FILE_OR_DIR")
        self.shown_root = path
        self.root = Path(path).expanduser()
        self.pinned_fetched_at = pinned_fetch_time(fetched_at)
        self.site = site
        self.skipped: list[tuple[str, str]] = []

    def progress_total(self) -> int:
        """Inputs to read, for the progress display: one walk of names, no file opened."""
        if not self.root.exists():
            return 0
        inputs = replay_inputs(self.root, self.shown_root, self.max_bytes)
        return sum(entry.kind is not InputKind.SKIP for entry in inputs)

    @property
    def max_bytes(self) -> int:
        """Most bytes of one input file, or of one record once decompressed."""
        return self.crawler.settings.getint("DOWNLOAD_MAXSIZE")

    @property
    def max_chars(self) -> int:
        return self.crawler.settings.getint("PAGE_MAX_CHARS")

    async def start(self) -> AsyncIterator[Any]:
        if not self.root.exists() and not self.root.is_symlink():
            logger.error("replay path does not exist: %s", self.shown_root)
            exit_status(self.crawler).report(ExitCode.FAILED, f"replay path does not exist: {self.shown_root}")
            return
        if self.files is not None:
            async for request in self._shared_requests(self.files):
                yield request
            return
        for entry in replay_inputs(self.root, self.shown_root, self.max_bytes):
            if (read := self._input_request(entry)) is not None:
                yield read

    async def _shared_requests(self, files: ReplayFiles) -> AsyncIterator[scrapy.Request]:
        """The requests of the inputs this worker takes from the queue shared with the others."""
        queued = files.queue_inputs(self.root, replay_inputs(self.root, self.shown_root, self.max_bytes))
        logger.info("queued %d inputs of %s for the workers (others were queued or done already)", queued, self.root)
        while (taken := await files.take(self.root)) is not None:
            job_id, entry = taken
            request = self._input_request(entry, job_id)
            if request is None:
                files.read(job_id)
            else:
                yield request

    def _input_request(self, entry: ReplayInput, job_id: str | None = None) -> scrapy.Request | None:
        """The ``file://`` request reading an input; ``None`` for one skipped (logged, counted)."""
        if entry.kind is InputKind.SKIP:
            self.skip(entry.shown, entry.reason or "skipped")
            return None
        target = entry.path / "meta" if entry.kind is InputKind.HTTPCACHE else entry.path
        return scrapy.Request(
            target.absolute().as_uri(),
            callback=self.parse_input,
            errback=self.read_failed,
            cb_kwargs={"entry": entry} if job_id is None else {"entry": entry, "job_id": job_id},
            dont_filter=True,
        )

    def skip(self, shown: str, reason: str) -> None:
        logger.warning("skipped %s: %s", shown, reason)
        self.skipped.append((shown, reason))
        stats = self.crawler.stats
        stats.inc_value("replay/skipped")
        stats.inc_value(f"replay/skipped/{skip_reason_key(reason)}")

    def read_failed(self, failure: Failure) -> None:
        kwargs = failure.request.cb_kwargs  # type: ignore[attr-defined]
        entry: ReplayInput = kwargs["entry"]
        error = failure.value
        detail = getattr(error, "strerror", None) or str(error) or error.__class__.__name__
        self.skip(entry.shown, f"unreadable: {detail}")
        if self.files is not None and "job_id" in kwargs:
            self.files.read(kwargs["job_id"])

    def parse_input(self, response: Response, entry: ReplayInput, job_id: str | None = None) -> Iterator[Page]:
        if self.files is None or job_id is None:
            yield from self._pages(response, entry)
            return
        try:
            for page in self._pages(response, entry):
                self.files.page_sent(job_id)
                yield page
        finally:
            self.files.read(job_id)

    def _pages(self, response: Response, entry: ReplayInput) -> Iterator[Page]:
        self.crawler.stats.inc_value("replay/files_read")
        if entry.kind is InputKind.WARC:
            yield from self._pages_from_warc(entry, response.body)
        elif entry.kind is InputKind.HTTPCACHE:
            yield from self._pages_from_archived(entry, [self._cache_entry(entry)], entry.shown)
        else:
            try:
                yield page_from_response(
                    response,
                    kind=_PAGE_KINDS[entry.kind],
                    fetched_at=self._file_fetched_at(entry.path),
                    replay_path=entry.shown,
                    site=self.site or "local",
                    max_chars=self.max_chars,
                )
            except NotAPageError as error:
                self.skip(entry.shown, str(error))

    def _cache_entry(self, entry: ReplayInput) -> ArchivedResponse | ArchiveReadError:
        try:
            return httpcache_response(entry.path, self.max_bytes)
        except ArchiveReadError as error:
            return error

    def _pages_from_warc(self, entry: ReplayInput, data: bytes) -> Iterator[Page]:
        if not data.strip():
            self.skip(entry.shown, "empty file")
            return
        records: list[ArchivedResponse | ArchiveReadError] = []
        try:
            records.extend(warc_responses(data, self.max_bytes))
        except ArchiveReadError as error:
            records.append(error)
        if not records:
            self.skip(entry.shown, "no HTTP response records in WARC")
        yield from self._pages_from_archived(entry, records, entry.shown)

    def _pages_from_archived(
        self, entry: ReplayInput, records: list[ArchivedResponse | ArchiveReadError], shown: str
    ) -> Iterator[Page]:
        for record in records:
            if isinstance(record, ArchiveReadError):
                self.skip(shown, str(record))
                continue
            self.crawler.stats.inc_value("replay/records_read")
            where = f"{shown} [{record.response.url}]"
            if record.response.status != 200:
                self.skip(where, f"HTTP status {record.response.status}")
                continue
            try:
                yield page_from_response(
                    record.response,
                    kind="html",
                    fetched_at=self.pinned_fetched_at or record.fetched_at,
                    replay_path=shown,
                    site=self.site or urlsplit(record.response.url).hostname or "local",
                    max_chars=self.max_chars,
                )
            except NotAPageError as error:
                self.skip(where, str(error))

    def _file_fetched_at(self, path: Path) -> datetime:
        if self.pinned_fetched_at is not None:
            return self.pinned_fetched_at
        return datetime.fromtimestamp(path.stat().st_mtime, tz=UTC)
