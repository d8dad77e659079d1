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


def warc_responses(data: bytes, max_bytes: int = 0) -> Iterator[ArchivedResponse | ArchiveReadError]:
    """Each HTTP ``response`` record of a WARC (plain or gzip) as a Scrapy response; a record
    whose body is longer than ``max_bytes`` once decompressed (0: no limit) as an
    :class:`ArchiveReadError` in its place, read no further than the limit (a gzip bomb).

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
            body = record.content_stream().read(max_bytes + 1 if max_bytes else -1)
            if max_bytes and len(body) > max_bytes:
                yield ArchiveReadError(f"too large: record for {url} decompresses to more than {max_bytes} bytes")
                continue
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
            # Until the member's end: past it, a decompressor limited to 1 MiB of output keeps
            # handing back the next member's bytes as unconsumed_tail, and would spin forever.
            while rest and not decompressor.eof:
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


def _read_maybe_gzip(path: Path, max_bytes: int = 0) -> bytes:
    """The file's bytes, decompressed when gzip; at most ``max_bytes`` (0: no limit) of output
    is produced before :class:`ArchiveReadError` (a gzip bomb stops there)."""
    data = path.read_bytes()
    if data[:2] != GZIP_MAGIC:
        return data
    if not max_bytes:
        return gzip.decompress(data)
    decompressor = zlib.decompressobj(wbits=zlib.MAX_WBITS | 16)
    output = decompressor.decompress(data, max_bytes + 1)
    if len(output) > max_bytes:
        raise ArchiveReadError(f"too large: {path.name} decompresses to more than {max_bytes} bytes")
    return output


def httpcache_response(entry: Path, max_bytes: int = 0) -> ArchivedResponse:
    """The response stored in one entry directory of Scrapy's ``FilesystemCacheStorage``.

    Reads the ``meta`` file (a Python literal) with ``ast.literal_eval`` rather than
    unpickling ``pickled_meta``: a cache directory handed to us is not trusted code.
    """
    try:
        meta = ast.literal_eval(_read_maybe_gzip(entry / "meta").decode("utf-8"))
        headers = headers_raw_to_dict(_read_maybe_gzip(entry / "response_headers"))
        body = _read_maybe_gzip(entry / "response_body", max_bytes)
        url = meta.get("response_url") or meta["url"]
        status = int(meta.get("status", 200))
        fetched_at = datetime.fromtimestamp(float(meta["timestamp"]), tz=UTC)
    except (OSError, ValueError, SyntaxError, KeyError, TypeError, gzip.BadGzipFile, zlib.error) as error:
        raise ArchiveReadError(f"unreadable HTTP cache entry: {error.__class__.__name__}: {error}") from error
    return ArchivedResponse(build_response(url, status, headers, body), fetched_at)
