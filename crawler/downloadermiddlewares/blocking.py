"""``BlockDetectionMiddleware``: tells a blocked crawl from one that found nothing new.

Sites behind a web application firewall answer a crawler with 403/412, or with a 200/503
challenge page (a JavaScript cookie check, a captcha). Such a response is never parsed as a
list or article page and never retried around: the middleware raises :class:`BlockedError`
(an ``IgnoreRequest``), the site spider closes the crawl with reason ``blocked`` once an entry
point is blocked or ``BLOCKED_CLOSE_AFTER`` responses were, and the run is recorded with
status ``blocked`` so the scheduler backs off. Challenge markers are data in
``crawler/vocab/blocking.toml``.

Settings: ``BLOCK_DETECTION_ENABLED`` (default True), ``BLOCKED_STATUSES`` (default 403, 412).
Stats: ``blocked/responses``, ``blocked/reason/<reason>``.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from pathlib import Path

from scrapy import Request
from scrapy.crawler import Crawler
from scrapy.exceptions import IgnoreRequest, NotConfigured
from scrapy.http import Response, TextResponse
from scrapy.statscollectors import StatsCollector

VOCAB_PATH = Path(__file__).parent.parent / "vocab" / "blocking.toml"
# Challenge pages are small; a marker word deep inside a long article is not a block.
_CHALLENGE_MAX_BYTES = 32 * 1024


class BlockedError(IgnoreRequest):
    """The server refused the crawler; ``reason`` names how (``status_403``, ``challenge_wzws`` …)."""

    def __init__(self, reason: str, url: str) -> None:
        super().__init__(f"blocked ({reason}): {url}")
        self.reason = reason


@dataclass(frozen=True)
class ChallengeMarker:
    name: str
    needle: str


def load_markers(path: Path = VOCAB_PATH) -> tuple[ChallengeMarker, ...]:
    with path.open("rb") as handle:
        data = tomllib.load(handle)
    return tuple(
        ChallengeMarker(name, needle.lower()) for name, needles in data["challenge"].items() for needle in needles
    )


def block_reason(status: int, text: str, markers: tuple[ChallengeMarker, ...], statuses: frozenset[int]) -> str | None:
    """Why this response is a block, or ``None`` for an ordinary answer (including 404 and 5xx).

    ``text`` is the decoded body of a small response (:func:`small_text`), empty otherwise.
    """
    if status in statuses:
        return f"status_{status}"
    lowered = text.lower()
    for marker in markers:
        if marker.needle in lowered:
            return f"challenge_{marker.name}"
    return None


def small_text(response: Response) -> str:
    """The decoded body when it is small enough to be a challenge page, else ``""``."""
    if len(response.body) > _CHALLENGE_MAX_BYTES or not isinstance(response, TextResponse):
        return ""
    return response.text


class BlockDetectionMiddleware:
    def __init__(self, stats: StatsCollector, markers: tuple[ChallengeMarker, ...], statuses: frozenset[int]) -> None:
        self.stats = stats
        self.markers = markers
        self.statuses = statuses

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> BlockDetectionMiddleware:
        settings = crawler.settings
        if not settings.getbool("BLOCK_DETECTION_ENABLED"):
            raise NotConfigured
        assert crawler.stats is not None
        statuses = frozenset(int(s) for s in settings.getlist("BLOCKED_STATUSES"))
        return cls(crawler.stats, load_markers(), statuses)

    def process_response(self, request: Request, response: Response) -> Response:
        reason = block_reason(response.status, small_text(response), self.markers, self.statuses)
        if reason is None:
            return response
        self.stats.inc_value("blocked/responses")
        self.stats.inc_value(f"blocked/reason/{reason}")
        raise BlockedError(reason, response.url)
