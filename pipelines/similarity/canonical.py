"""Which article of a cluster is the original, and by which rule.

The rules, in order (docs/dedup.md states them with the evidence each uses):

1. **Citations exclude copies.** A member that cites another member is a copy: by the URL it
   prints as its origin (``source_url``, 原文链接) equal to the other's URL, or by a 来源 that
   names the other's outlet (:mod:`pipelines.similarity.outlets`: a name or alias in either
   script, a configured site's name, a host). A 来源 naming the member's own outlet, or
   nothing known (``发布于北京``), cites nobody. Following every citation leaves the
   *roots*: members that cite no other member (A cites B cites C leaves C). A citation makes
   the cited member *a* source, not the origin: it stays a root among others, and a repost
   that another repost names does not win over an earlier root.
2. **Earliest published** among the roots, compared at the coarser precision of the two
   (a date-only value is that day, never its midnight; ``3小时前`` is an hour); days are
   Beijing days.
3. **Earliest fetched** when either has no publication time (a dated copy does not win over an
   undated original by default) or both are equal at their common precision.
4. The canonical URL breaks remaining ties, so the choice never depends on row order.

:func:`choose_canonical` is the one place this policy lives; its :class:`Choice` says which
rule decided (:data:`RULES`), stored as ``clusters.canonical_rule``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from crawler.db.neardup import Member
from pipelines.dedup import canonical_url
from pipelines.similarity.outlets import Outlets, host_suffixes, name_key, printed_host

RULES = ("only", "source_url", "source_name", "published", "fetched", "url")
"""``only``: a cluster of one; ``source_url`` / ``source_name``: every other member cites its
way to the original (by URL / by name or host); ``published``: it was published earlier than
the next root; ``fetched``: it was fetched earlier (no time on one of them, or equal times);
``url``: the tie-break."""
DAY_ZONE = ZoneInfo("Asia/Shanghai")
_PRECISIONS = ("day", "hour", "minute", "second")


@dataclass(frozen=True)
class Choice:
    member: Member
    rule: str


@dataclass(frozen=True)
class _Identity:
    """What a member is known as (its outlet, names, host suffixes), and what it cites."""

    outlet: str | None
    names: frozenset[str]
    hosts: frozenset[str]
    urls: frozenset[str]
    cited_outlet: str | None
    cited_name: str | None
    cited_hosts: frozenset[str]
    cited_url: str | None


def _identity(member: Member, outlets: Outlets) -> _Identity:
    host = urlsplit(member.url).hostname or ""
    outlet = outlets.of_host(host) or (outlets.named(member.site_name) if member.site_name else None)
    names = {name_key(n) for n in (member.site_name, member.site) if n and n != "local"}
    cited_name = member.source_name
    shown_host = printed_host(cited_name) if cited_name else None
    cited_hosts: set[str] = set()
    if shown_host:
        cited_hosts.add(shown_host.removeprefix("www."))
    cited_url = canonical_url(member.source_url) if member.source_url else None
    if member.source_url:
        cited_hosts.add((urlsplit(member.source_url).hostname or "").removeprefix("www."))
    return _Identity(
        outlet=outlet,
        names=frozenset(names),
        hosts=host_suffixes(host) if host else frozenset(),
        urls=frozenset({member.canonical_url, canonical_url(member.url)}),
        cited_outlet=outlets.named(cited_name) if cited_name else None,
        cited_name=name_key(cited_name) if cited_name and not shown_host else None,
        cited_hosts=frozenset(cited_hosts - {""}),
        cited_url=cited_url,
    )


def _same_outlet(a: _Identity, b: _Identity) -> bool:
    return (a.outlet is not None and a.outlet == b.outlet) or bool(a.hosts & b.hosts) or bool(a.names & b.names)


def cites(a: _Identity, b: _Identity) -> str | None:
    """How ``a`` cites ``b`` (``source_url`` or ``source_name``), ``None`` when it does not."""
    if a.cited_url is not None and a.cited_url in b.urls:
        return "source_url"
    if _same_outlet(a, b):
        return None  # a page naming its own outlet (来源：新华网 on xinhuanet.com) cites nobody
    if (a.cited_outlet is not None and a.cited_outlet == b.outlet) or (a.cited_name and a.cited_name in b.names):
        return "source_name"
    if a.cited_hosts & b.hosts:
        return "source_name"
    return None


def _precision(member: Member) -> str:
    return member.published_precision if member.published_precision in _PRECISIONS else "minute"


def _truncated(when: datetime, precision: str) -> tuple[int, ...]:
    local = when.astimezone(DAY_ZONE)
    parts = (local.year, local.month, local.day, local.hour, local.minute, local.second)
    return parts[: 3 + _PRECISIONS.index(precision)]


def compare(a: Member, b: Member) -> tuple[int, str]:
    """Negative when ``a`` is the earlier of two roots (rules 2 to 4), and the rule that decided."""
    if a.published is not None and b.published is not None:
        common = min(_precision(a), _precision(b), key=_PRECISIONS.index)
        ka, kb = _truncated(a.published, common), _truncated(b.published, common)
        if ka != kb:
            return (-1 if ka < kb else 1), "published"
    if a.fetched_at != b.fetched_at:
        return (-1 if a.fetched_at < b.fetched_at else 1), "fetched"
    if a.canonical_url != b.canonical_url:
        return (-1 if a.canonical_url < b.canonical_url else 1), "url"
    return 0, "url"


def choose_canonical(members: Sequence[Member], outlets: Outlets | None = None) -> Choice:
    """The original among ``members`` (at least one), by the rules of the module docstring.

    Quadratic in the members for the citations (a cluster of hundreds of copies costs
    milliseconds); the caller loads the members only when a newcomer may change the choice.
    """
    if not members:
        raise ValueError("a cluster has at least one member")
    if len(members) == 1:
        return Choice(members[0], "only")
    known = outlets or Outlets()
    ordered = sorted(members, key=lambda m: m.canonical_url)
    identities = [_identity(member, known) for member in ordered]
    cited_by: dict[int, set[str]] = {}
    copies: set[int] = set()
    for i, a in enumerate(identities):
        for j, b in enumerate(identities):
            if i != j and (how := cites(a, b)) is not None:
                copies.add(i)
                cited_by.setdefault(j, set()).add(how)
    roots = [i for i in range(len(ordered)) if i not in copies] or list(range(len(ordered)))
    best = roots[0]
    for index in roots[1:]:
        if compare(ordered[index], ordered[best])[0] < 0:
            best = index
    others = [i for i in roots if i != best]
    if not others:
        ways = cited_by.get(best, set())
        return Choice(ordered[best], "source_url" if "source_url" in ways else "source_name")
    runner_up = others[0]
    for index in others[1:]:
        if compare(ordered[index], ordered[runner_up])[0] < 0:
            runner_up = index
    return Choice(ordered[best], compare(ordered[best], ordered[runner_up])[1])
