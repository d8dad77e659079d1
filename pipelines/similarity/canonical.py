"""Which article of a cluster is the original.

In order: the one another copy names as its source (its 来源 equals the member's site id,
the site's stored name, or the host of its URL), else the earliest published, else the
earliest fetched; the canonical URL breaks remaining ties so the choice never depends on the
order rows come back in.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from urllib.parse import urlsplit


@dataclass(frozen=True)
class Member:
    canonical_url: str
    url: str
    site: str
    site_name: str | None
    """The site's display name (``sites.name``), e.g. ``新华网``, when stored."""
    source_name: str | None
    published: datetime | None
    fetched_at: datetime


def outlet_key(name: str) -> str:
    """A name compared without case, width or spaces (``新华社 `` = ``新华社``)."""
    return "".join(unicodedata.normalize("NFKC", name).lower().split())


def outlet_names(member: Member) -> frozenset[str]:
    """The names under which another copy could cite ``member`` as its source."""
    names = {member.site, member.site_name or "", urlsplit(member.url).hostname or ""}
    host = urlsplit(member.url).hostname or ""
    if host.startswith("www."):
        names.add(host[4:])
    return frozenset(outlet_key(name) for name in names if name and name != "local")


def named_sources(members: Sequence[Member]) -> frozenset[str]:
    """``canonical_url`` of the members another member names as its source."""
    named = set()
    for member in members:
        names = outlet_names(member)
        if any(
            other.source_name and other is not member and outlet_key(other.source_name) in names for other in members
        ):
            named.add(member.canonical_url)
    return frozenset(named)


def choose_canonical(members: Sequence[Member]) -> Member:
    """The original among ``members`` (at least one)."""
    if not members:
        raise ValueError("a cluster has at least one member")
    named = named_sources(members)

    def rank(member: Member) -> tuple[bool, bool, datetime, datetime, str]:
        published = member.published or member.fetched_at
        return (
            member.canonical_url not in named,
            member.published is None,
            published,
            member.fetched_at,
            member.canonical_url,
        )

    return min(members, key=rank)
