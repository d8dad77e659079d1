"""Outlets: who publishes what, so that a 来源, a site config and a host name one outlet.

An :class:`Outlet` has a name, aliases (either script: names are compared in Simplified, so
人民網 is 人民网), hosts and a kind (``central``, ``provincial``, ``local``, ``government``,
``portal``, ``farm``). The shipped table is ``pipelines/vocab/outlets.tsv`` (the major central
and provincial media and government sites); :func:`load_outlets` adds a user's table in the
same format (setting ``OUTLETS_FILE``) and the configured sites (their ``name`` and
``allowed_domains``). The canonical choice (:mod:`pipelines.similarity.canonical`) reads a
copy's 来源 through :meth:`Outlets.named` and a member's host through :meth:`Outlets.of_host`.

A 来源 value that names no outlet (``发布于北京``, a weekday) stays a plain name: it can still
name a configured site by its stored name, never a made-up outlet.
"""

from __future__ import annotations

import logging
import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from scrapy.settings import BaseSettings

from crawler.siteconfig import sites_dir, usable_sites
from pipelines.text.script import to_simplified
from pipelines.vocab.tables import VocabularyError, read_table, vocab_dir

logger = logging.getLogger(__name__)

KINDS = ("central", "provincial", "local", "government", "portal", "farm")
# Second-level labels under which a registrant's name comes one label further left
# (people.com.cn, pingtan.gov.cn): such a suffix alone names no outlet.
_SECOND_LEVEL = frozenset({"com", "net", "org", "gov", "edu", "ac", "co", "gen", "idv"})
# Where a 来源 value decorates an outlet's name: 人民网－人民日报, 新华网(北京), 中国新闻网 记者 …
_DECORATION = re.compile(r"[－—–\-_|·/（(【\[「《》」】\])）\s]+")


def name_key(name: str) -> str:
    """A name compared without case, width, spaces or script (``人民網 `` = ``人民网``)."""
    return to_simplified("".join(unicodedata.normalize("NFKC", name).lower().split()))


def host_suffixes(host: str) -> frozenset[str]:
    """The host and every parent domain of it that names a registrant: ``finance.people.com.cn``
    -> itself, ``people.com.cn`` (not ``com.cn``, not ``cn``)."""
    labels = host.lower().strip(".").removeprefix("www.").split(".")
    suffixes = set()
    for start in range(len(labels) - 1):
        rest = labels[start:]
        if len(rest) == 2 and rest[0] in _SECOND_LEVEL:
            break
        suffixes.add(".".join(rest))
    if host:
        suffixes.add(host.lower().removeprefix("www."))
    return frozenset(suffixes)


_HOST = re.compile(r"(?:https?://)?((?:[a-z0-9-]+\.)+[a-z]{2,})(?:[:/].*)?", re.IGNORECASE)


def printed_host(value: str) -> str | None:
    """The host a 来源 value prints instead of a name (``转自：www.pingtan.gov.cn``), else ``None``."""
    found = _HOST.fullmatch(unicodedata.normalize("NFKC", value).strip())
    return found[1].lower() if found else None


@dataclass(frozen=True)
class Outlet:
    name: str
    kind: str
    aliases: tuple[str, ...] = ()
    hosts: tuple[str, ...] = ()


@dataclass(frozen=True)
class Outlets:
    """Every known outlet, by name key and by host."""

    by_name: Mapping[str, str] = field(default_factory=dict)
    """:func:`name_key` of a name or alias -> the outlet's name."""
    by_host: Mapping[str, str] = field(default_factory=dict)
    """A host (no ``www.``) -> the outlet's name."""
    kinds: Mapping[str, str] = field(default_factory=dict)

    @classmethod
    def of(cls, outlets: Iterable[Outlet]) -> Outlets:
        """Later entries win over earlier ones (a user's table over the shipped one)."""
        by_name: dict[str, str] = {}
        by_host: dict[str, str] = {}
        kinds: dict[str, str] = {}
        for outlet in outlets:
            kinds[outlet.name] = outlet.kind
            for name in (outlet.name, *outlet.aliases):
                by_name[name_key(name)] = outlet.name
            for host in outlet.hosts:
                by_host[host.lower().removeprefix("www.")] = outlet.name
        return cls(by_name, by_host, kinds)

    def of_host(self, host: str) -> str | None:
        """The outlet a host belongs to: its own entry or its nearest listed parent domain."""
        for suffix in sorted(host_suffixes(host), key=len, reverse=True):
            outlet = self.by_host.get(suffix)
            if outlet is not None:
                return outlet
        return None

    def named(self, value: str) -> str | None:
        """The outlet a 来源 value names: by name or alias, by the first part of a decorated
        name (``人民网－人民日报``), or by the host it prints; ``None`` for anything else."""
        host = printed_host(value)
        if host is not None:
            return self.of_host(host)
        key = name_key(value)
        if key in self.by_name:
            return self.by_name[key]
        first = next((part for part in _DECORATION.split(unicodedata.normalize("NFKC", value)) if part), "")
        return self.by_name.get(name_key(first)) if first else None


def read_outlets(path: Path) -> list[Outlet]:
    """The outlets of one table (``name``, ``aliases`` and ``hosts`` separated by ``|``, ``kind``)."""
    outlets = []
    for row in read_table(path):
        if row["kind"] not in KINDS:
            raise VocabularyError(f"{path.name}: outlet {row['name']!r} has kind {row['kind']!r}, not one of {KINDS}")
        outlets.append(
            Outlet(
                name=row["name"],
                kind=row["kind"],
                aliases=tuple(a for a in row["aliases"].split("|") if a),
                hosts=tuple(h for h in row["hosts"].split("|") if h),
            )
        )
    return outlets


def with_sites(outlets: Sequence[Outlet], sites: Iterable[Outlet]) -> list[Outlet]:
    """``outlets`` and the configured ``sites``: a site on a listed outlet's host adds its name
    as an alias of that outlet (the site "人民网 科技" on scitech.people.com.cn is 人民网, which
    copies name); any other site is an outlet of its own."""
    known = Outlets.of(outlets)
    merged = {outlet.name: outlet for outlet in outlets}
    for site in sites:
        owner = next((name for host in site.hosts if (name := known.of_host(host)) is not None), None)
        if owner is None:
            merged[site.name] = site
        else:
            base = merged[owner]
            merged[owner] = Outlet(base.name, base.kind, (*base.aliases, site.name), (*base.hosts, *site.hosts))
    return list(merged.values())


def load_outlets(extra: Path | None = None, sites: Iterable[Outlet] = ()) -> Outlets:
    """The shipped outlets with the configured ``sites`` (:func:`with_sites`), then a user's
    table ``extra`` (its entries win)."""
    shipped = read_outlets(vocab_dir() / "outlets.tsv")
    return Outlets.of([*with_sites(shipped, sites), *(read_outlets(extra) if extra is not None else [])])


def outlets_from_settings(settings: BaseSettings) -> Outlets:
    """The shipped outlets, the configured sites (``SITES_DIR``) and the ``OUTLETS_FILE`` table.
    A site config that does not load is left out with a warning: one broken file must not stop
    the crawls of the other sites (their storage stage builds this table)."""
    sites, broken = usable_sites(sites_dir(settings))
    for error in broken:
        logger.warning("site config left out of the outlets: %s", error)
    extra = settings["OUTLETS_FILE"]
    return load_outlets(
        Path(extra) if extra else None,
        [
            Outlet(site.name, "government" if site.kind == "gov" else "local", (), site.allowed_domains)
            for site in sites.values()
        ],
    )
