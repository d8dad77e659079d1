"""Responses out of saved archives: WARC files and Scrapy HTTP cache entries.

Both give back real Scrapy responses (class chosen by ``responsetypes`` from the headers and
URL), so decoding and everything after it is the same as for a live download.
"""

from __future__ import annotations

import ast
import gzip
import io
import zlib
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from scrapy.http import Response
from scrapy.http.headers import Headers
from scrapy.responsetypes import responsetypes
from w3lib.http import headers_raw_to_dict
from warcio.archiveiterator import ArchiveIterator
from warcio.exceptions import ArchiveLoadFailed

GZIP_MAGIC = b"\x1f\x8b"


@dataclass(frozen=True)
class ArchivedResponse:
    response: Response
    fetched_at: datetime


class ArchiveReadError(Exception):
    """An archive that could not be read (completely); carries the reason for the log."""


def build_response(
    url: str, status: int, headers: Mapping[bytes, list[bytes]] | list[tuple[str, str]], body: bytes
) -> Response:
    scrapy_headers = Headers(headers)
    cls = responsetypes.from_args(headers=scrapy_headers, url=url, body=body)
    return cls(url=url, status=status, headers=scrapy_headers, body=body)


def warc_responses(data: bytes) -> Iterator[ArchivedResponse]:
    """Each HTTP ``response`` record of a WARC (plain or gzip) as a Scrapy response.

    Raises :class:`ArchiveReadError` after the last readable record when the archive is
    truncated or corrupt, so the records before the damage still replay. warcio itself
    stops silently at a cut, so the checks are ours: a record shorter than its
    Content-Length, bytes left after the last record, or a gzip stream without its end.
    """
    iterator = ArchiveIterator(io.BytesIO(data))
    try:
        for record in iterator:
            if record.rec_type != "response" or record.http_headers is None:
                continue
            url = record.rec_headers.get_header("WARC-Target-URI")
            if not url:
                continue
            status = int(record.http_headers.get_statuscode() or 200)
            body = record.content_stream().read()
            if record.raw_stream.limit:
                raise ArchiveReadError(f"truncated or corrupt WARC: record for {url} is cut short")
            # content_stream() already undid chunking and compression; drop the headers
            # that describe them so Scrapy does not try again.
            headers = [
                (name, value)
                for name, value in record.http_headers.headers
                if name.lower() not in ("content-encoding", "transfer-encoding", "content-length")
            ]
            yield ArchivedResponse(build_response(url, status, headers, body), _warc_date(record))
    except (ArchiveLoadFailed, EOFError, OSError, ValueError) as error:
        raise ArchiveReadError(f"truncated or corrupt WARC: {error.__class__.__name__}: {error}") from error
    if iterator.offset < len(data.rstrip()):
        raise ArchiveReadError(f"truncated or corrupt WARC: unreadable data after byte {iterator.offset}")
    if data[:2] == GZIP_MAGIC and not _gzip_complete(data):
        raise ArchiveReadError("truncated or corrupt WARC: gzip stream ends early")


def _gzip_complete(data: bytes) -> bool:
    """Whether every gzip member of ``data`` is whole, checked without keeping the output."""
    decompressor = zlib.decompressobj(wbits=zlib.MAX_WBITS | 16)
    rest = data
    try:
        while rest:
            while rest:
                decompressor.decompress(rest, 1 << 20)
                rest = decompressor.unconsumed_tail
            if not decompressor.eof:
                return False
            rest = decompressor.unused_data
            decompressor = zlib.decompressobj(wbits=zlib.MAX_WBITS | 16)
    except zlib.error:
        return False
    return True


def _warc_date(record: object) -> datetime:
    raw = record.rec_headers.get_header("WARC-Date")  # type: ignore[attr-defined]
    moment = datetime.fromisoformat(raw.replace("Z", "+00:00"))
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _read_maybe_gzip(path: Path) -> bytes:
    data = path.read_bytes()
    return gzip.decompress(data) if data[:2] == GZIP_MAGIC else data


def httpcache_response(entry: Path) -> ArchivedResponse:
    """The response stored in one entry directory of Scrapy's ``FilesystemCacheStorage``.

    Reads the ``meta`` file (a Python literal) with ``ast.literal_eval`` rather than
    unpickling ``pickled_meta``: a cache directory handed to us is not trusted code.
    """
    try:
        meta = ast.literal_eval(_read_maybe_gzip(entry / "meta").decode("utf-8"))
        headers = headers_raw_to_dict(_read_maybe_gzip(entry / "response_headers"))
        body = _read_maybe_gzip(entry / "response_body")
        url = meta.get("response_url") or meta["url"]
        status = int(meta.get("status", 200))
        fetched_at = datetime.fromtimestamp(float(meta["timestamp"]), tz=UTC)
    except (OSError, ValueError, SyntaxError, KeyError, TypeError, gzip.BadGzipFile) as error:
        raise ArchiveReadError(f"unreadable HTTP cache entry: {error.__class__.__name__}: {error}") from error
    return ArchivedResponse(build_response(url, status, headers, body), fetched_at)
