"""``RetryAfterMiddleware``: Scrapy's retries, waiting as long as ``Retry-After`` asks.

A 429 or 503 answer often says how long to wait (``Retry-After: 120`` or an HTTP date). The
retry itself is Scrapy's (``RETRY_TIMES``, ``RETRY_HTTP_CODES``); on top, the download slot of
the request's domain is held for the asked time (when the slot has a download delay, as every
live crawl does), so every request to that server waits, not only the retried one. A wait
longer than ``RETRY_AFTER_MAX`` seconds is not honoured by waiting: the request is given up
and counted, and the next scheduled crawl tries again. Each retry is logged at INFO (Scrapy logs
them at DEBUG only): a site that times out or fails shows it in the log of an ordinary run.

Settings: ``RETRY_ENABLED``, ``RETRY_TIMES``, ``RETRY_HTTP_CODES`` (Scrapy's),
``RETRY_AFTER_MAX`` (default 300).
Stats: ``retry_after/honoured``, ``retry_after/too_long``.
"""

from __future__ import annotations

import asyncio
import logging
import time
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Any

from scrapy import Request
from scrapy.crawler import Crawler
from scrapy.downloadermiddlewares.retry import RetryMiddleware
from scrapy.http import Response

logger = logging.getLogger(__name__)


def retry_after_seconds(value: bytes | str | None, now: datetime) -> float | None:
    """Seconds to wait from a ``Retry-After`` header value (delta seconds or HTTP date)."""
    if value is None:
        return None
    text = value.decode("latin-1") if isinstance(value, bytes) else value
    text = text.strip()
    if not text:
        return None
    if text.isdigit():
        return float(text)
    try:
        moment = parsedate_to_datetime(text)
    except (TypeError, ValueError):
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return max(0.0, (moment - now).total_seconds())


class RetryAfterMiddleware(RetryMiddleware):
    max_wait: float = 300.0

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Any:
        middleware = super().from_crawler(crawler)
        middleware.max_wait = crawler.settings.getfloat("RETRY_AFTER_MAX")
        return middleware

    async def process_response(  # type: ignore[override]  # Scrapy awaits coroutine middleware methods
        self, request: Request, response: Response, spider: Any = None
    ) -> Request | Response:
        wait = retry_after_seconds(response.headers.get("Retry-After"), datetime.now(UTC))
        if wait is not None and wait > self.max_wait and response.status in self.retry_http_codes:
            assert self.crawler.stats is not None
            self.crawler.stats.inc_value("retry_after/too_long")
            return response
        result = super().process_response(request, response)
        if isinstance(result, Request) and wait:
            self._hold_slot(request, wait)
            # The retry itself waits here, so it honours the wait even without a download delay.
            await asyncio.sleep(wait)
        return result

    def _retry(self, request: Request, reason: str | Exception | type[Exception]) -> Request | None:
        retried = super()._retry(request, reason)
        if retried is not None:
            attempts = request.meta.get("max_retry_times", self.max_retry_times)
            why = f"{type(reason).__name__}: {reason}" if isinstance(reason, Exception) else str(reason)
            logger.info("retrying %s (retry %d of %d): %s", request.url, retried.meta["retry_times"], attempts, why)
        return retried

    def _hold_slot(self, request: Request, wait: float) -> None:
        """Keeps the request's download slot from sending anything for ``wait`` seconds."""
        assert self.crawler.engine is not None
        assert self.crawler.stats is not None
        downloader = self.crawler.engine.downloader
        slot = downloader.slots.get(downloader.get_slot_key(request))
        if slot is not None:
            # Scrapy's slot waits its delay after ``lastseen`` (a monotonic time): moving
            # ``lastseen`` ahead holds every request of the slot, not only this retry.
            slot.lastseen = max(slot.lastseen, time.monotonic() + wait)
        self.crawler.stats.inc_value("retry_after/honoured")
