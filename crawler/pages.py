"""Turning a downloaded (or replayed) response into a :class:`~crawler.items.Page`."""

from __future__ import annotations

from datetime import datetime

from scrapy.http import Response, TextResponse

from crawler.encoding import with_correct_encoding
from crawler.items import Page, PageKind

# Bytes that never occur in text files; a NUL in the first block marks a binary file
# (images or archives saved with a .html name), and so do control bytes other than the
# whitespace ones (and ESC) making up more than _BINARY_CONTROL_SHARE of it: random or
# compressed bytes hold about 10 %, text none (git and file(1) sniff the same way).
_BINARY_SNIFF_BYTES = 8192
_CONTROL_BYTES = bytes([*range(0x01, 0x09), *range(0x0E, 0x1B), *range(0x1C, 0x20), 0x7F])
_BINARY_CONTROL_SHARE = 0.01
_KEPT_HEADERS = ("Content-Type", "Last-Modified", "ETag", "Date")


class NotAPageError(ValueError):
    """A response that holds no text document; the message is the reason for the skip log."""


def pinned_fetch_time(value: str | None) -> datetime | None:
    """The ``fetched_at`` spider argument (ISO 8601 with a timezone), which pins the fetch time of
    every page of a run so relative dates (``3小时前``) resolve the same on every run."""
    if not value:
        return None
    moment = datetime.fromisoformat(value)
    if moment.tzinfo is None:
        raise ValueError(f"fetched_at needs a timezone, e.g. {value}+08:00")
    return moment


def is_binary(body: bytes) -> bool:
    head = body[:_BINARY_SNIFF_BYTES]
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):  # UTF-16 BOM: text with NULs
        return False
    if b"\x00" in head:
        return True
    controls = len(head) - len(head.translate(None, _CONTROL_BYTES))
    return controls > _BINARY_CONTROL_SHARE * len(head)


def page_from_response(
    response: Response,
    *,
    kind: PageKind,
    fetched_at: datetime,
    replay_path: str | None = None,
    site: str | None = None,
    max_chars: int = 0,
) -> Page:
    """The page in ``response``; raises :class:`NotAPageError` for empty or binary bodies, and
    for a text longer than ``max_chars`` (0: no limit; the ``PAGE_MAX_CHARS`` setting): parsing
    and cleaning take time and memory in proportion, and no article is that long."""
    if not response.body.strip():
        raise NotAPageError("empty file" if response.url.startswith("file:") else "empty response body")
    if is_binary(response.body) or not isinstance(response, TextResponse):
        content_type = (response.headers.get("Content-Type") or b"").decode("latin-1") or "no content type"
        raise NotAPageError(f"binary content ({content_type})")
    response = with_correct_encoding(response)
    if max_chars and len(response.text) > max_chars:
        raise NotAPageError(f"too long ({len(response.text)} characters, PAGE_MAX_CHARS is {max_chars})")
    headers = {
        name: (response.headers.get(name) or b"").decode("latin-1")
        for name in _KEPT_HEADERS
        if name in response.headers
    }
    return Page(
        url=response.url,
        text=response.text,
        kind=kind,
        fetched_at=fetched_at.isoformat(timespec="seconds"),
        replay_path=replay_path,
        encoding=response.encoding,
        status=response.status,
        site=site,
        headers=headers,
    )
