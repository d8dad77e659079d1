"""Per-host template text: lines that recur on many pages of one host are the site's frame,
not the page's story, and are left out of the near-duplicate signature.

Content farms and portals put the same long text inside every article (免责声明, 相关阅读
summaries, 版权声明 without a colon, editor notes). Within one page it looks like article text;
across a host's pages it is plainly template, and two short stories framed by it look alike.
A line (NFKC, whitespace removed, at least :data:`MIN_CHARS` characters) counts once per
distinct body of a host (``host_lines``, :mod:`crawler.db.neardup`); a line found on
``NEAR_DUPLICATE_TEMPLATE_PAGES`` or more of them is template of that host. The stored body
keeps it (it is what the page shows); only the signature text drops it.

A host's first pages are signed before their shared lines reach the count; ``scrapy
recluster`` signs them again with what the archive has learnt by then.
"""

from __future__ import annotations

import hashlib
import unicodedata
from collections.abc import Collection, Iterable

from sqlalchemy import Connection

from crawler.db import neardup as db

MIN_CHARS = 20
"""Shorter lines (责任编辑：张三, 分享到) are no evidence either way and are never counted."""


def line_key(line: str) -> str:
    return "".join(unicodedata.normalize("NFKC", line).split())


def line_hash(key: str) -> int:
    """A signed 64-bit hash of a normalized line (BLAKE2b), to count it in a BIGINT column."""
    return int.from_bytes(hashlib.blake2b(key.encode("utf-8"), digest_size=8).digest(), "little", signed=True)


def line_hashes(body: str) -> frozenset[int]:
    """The hashes of the lines of ``body`` long enough to count."""
    return frozenset(line_hash(key) for line in body.split("\n") if len(key := line_key(line)) >= MIN_CHARS)


def without_template(body: str, template: Collection[int]) -> tuple[str, int]:
    """``body`` without its template lines, and how many were removed."""
    if not template:
        return body, 0
    kept = [line for line in body.split("\n") if line_hash(line_key(line)) not in template]
    return "\n".join(kept), body.count("\n") + 1 - len(kept)


def batch_counts(bodies: Iterable[tuple[str, str | None, str]]) -> dict[str, dict[int, int]]:
    """Per host, how many distinct bodies of ``bodies`` ((host, content hash, body)) hold each line."""
    counts: dict[str, dict[int, int]] = {}
    seen: set[tuple[str, str | None]] = set()
    for host, content_hash, body in bodies:
        if content_hash is not None and (host, content_hash) in seen:
            continue
        seen.add((host, content_hash))
        per_host = counts.setdefault(host, {})
        for key in line_hashes(body):
            per_host[key] = per_host.get(key, 0) + 1
    return counts


def host_templates(
    connection: Connection, bodies: Iterable[tuple[str, str | None, str]], pages: int
) -> dict[str, frozenset[int]]:
    """Per host of ``bodies`` ((host, content hash, body), about to be signed), its template
    lines: those that its stored bodies and the distinct ones of ``bodies`` hold on ``pages``
    or more pages together; nothing when ``pages`` is 0."""
    if not pages:
        return {}
    found: dict[str, frozenset[int]] = {}
    for host, counts in batch_counts(bodies).items():
        stored = db.line_counts(connection, host, counts)
        found[host] = frozenset(key for key, seen in counts.items() if seen + stored.get(key, 0) >= pages)
    return found


def count_template_lines(connection: Connection, bodies: Iterable[tuple[str, str | None, str]]) -> None:
    """Adds the lines of ``bodies`` (stored in this transaction, not seen before) to their hosts' counts."""
    db.count_lines(connection, batch_counts(bodies))
