"""Which article of a cluster is the original.

In order: the one another copy names as its source (its 来源 equals the member's site id,
the site's stored name, or the host of its URL), else the earliest published, else the
earliest fetched; the canonical URL breaks remaining ties so the choice never depends on the
order rows come back in. :func:`choose_canonical` is the one place this policy lives.
"""

from __future__ import annotations

import unicodedata
from collections import Counter
from collections.abc import Iterable, Sequence
from datetime import datetime
from urllib.parse import urlsplit

from crawler.db.neardup import Member


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


def cited_counts(members: Iterable[Member]) -> Counter[str]:
    """How many members cite each outlet as their 来源, by :func:`outlet_key`."""
    return Counter(outlet_key(member.source_name) for member in members if member.source_name)


def is_named(member: Member, cited: Counter[str]) -> bool:
    """Whether another member than ``member`` itself cites one of its names (``cited`` from
    :func:`cited_counts` over the whole cluster). An original often cites itself (来源：新华网
    on xinhuanet.com); that alone does not make it the source of the others."""
    own = outlet_key(member.source_name) if member.source_name else None
    return any(cited[name] - (name == own) > 0 for name in outlet_names(member))


def named_sources(members: Sequence[Member]) -> frozenset[str]:
    """``canonical_url`` of the members another member names as its source."""
    cited = cited_counts(members)
    return frozenset(member.canonical_url for member in members if is_named(member, cited))


def choose_canonical(members: Sequence[Member], cited: Counter[str] | None = None) -> Member:
    """The original among ``members`` (at least one).

    ``cited`` (from :func:`cited_counts` over the whole cluster) lets a caller rank a few
    candidates of a large cluster without loading every member; by default it is counted over
    ``members``. Linear in the members: a story reposted thousands of times stays cheap.
    """
    if not members:
        raise ValueError("a cluster has at least one member")
    counts = cited_counts(members) if cited is None else cited

    def rank(member: Member) -> tuple[bool, bool, datetime, datetime, str]:
        published = member.published or member.fetched_at
        return (
            not is_named(member, counts),
            member.published is None,
            published,
            member.fetched_at,
            member.canonical_url,
        )

    return min(members, key=rank)
