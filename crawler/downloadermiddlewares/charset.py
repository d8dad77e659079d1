"""Downloader middlewares.

``CharsetCorrectionMiddleware`` re-labels responses whose declared charset contradicts their
bytes (see :mod:`crawler.encoding`). Settings: ``CHARSET_CORRECTION_ENABLED`` (default True).
"""

from __future__ import annotations

from scrapy import Request
from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured
from scrapy.http import Response, TextResponse
from scrapy.statscollectors import StatsCollector

from crawler.encoding import corrected_encoding


class CharsetCorrectionMiddleware:
    def __init__(self, stats: StatsCollector) -> None:
        self.stats = stats

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> CharsetCorrectionMiddleware:
        if not crawler.settings.getbool("CHARSET_CORRECTION_ENABLED"):
            raise NotConfigured
        assert crawler.stats is not None
        return cls(crawler.stats)

    def process_response(self, request: Request, response: Response) -> Response:
        if not isinstance(response, TextResponse):
            return response
        encoding = corrected_encoding(response)
        if encoding is None:
            return response
        self.stats.inc_value(f"charset/corrected/{response.encoding}->{encoding}")
        return response.replace(encoding=encoding)
