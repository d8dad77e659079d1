"""Site configs: one TOML file per site, validated at load.

A site file (``crawler/sites/<id>.toml``; the id is the file name) says where the spider goes:
entry points (list pages, feeds, sitemaps), which links are articles, how list pages paginate,
how politely to fetch, when to crawl, and optional per-field extraction selectors. A file
may start with ``extends = "_base_trs"`` to inherit a CMS family's base config (files whose
name starts with ``_``); tables merge key by key, the site's values win.

Every unknown key, wrong type, bad regular expression or bad cron expression raises
:class:`SiteConfigError` naming the file and the dotted key. The file format is documented
in ``docs/crawling.md``.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any, Literal, get_args
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from croniter import croniter
from scrapy.settings import BaseSettings

SHIPPED_SITES_DIR = Path(__file__).with_name("sites")
"""The site configs shipped with the package (the ``SITES_DIR`` setting's default)."""

SiteKind = Literal["gov", "news", "repost", "farm"]
PaginationKind = Literal["none", "next", "numbered", "hanweb_dataproxy"]
_ID = re.compile(r"^[a-z0-9][a-z0-9_]*$")


class SiteConfigError(ValueError):
    """A config that cannot be used; the message names the file and the key."""


@dataclass(frozen=True)
class Dataproxy:
    """``hanweb_dataproxy``: how deeper records of a Hanweb (大汉) column are asked for.

    Each request is a POST to ``url`` (relative to the column page) with the query
    ``startrecord``, ``endrecord`` (``records`` per request) and ``perpage``, and a form of the
    fixed ``form`` fields plus the ``fields`` read from the column page.
    """

    url: str = "/module/jpage/dataproxy.jsp"
    records: int = 45
    """Records per request (``endrecord - startrecord + 1``)."""
    per_page: int = 15
    """The ``perpage`` query value: records per screen of the column's page bar."""
    form: Mapping[str, str] = field(default_factory=dict)
    """Form fields sent as they are (``col = "1"``), and fallbacks of ``fields`` not found."""
    fields: Mapping[str, re.Pattern[str]] = field(default_factory=dict)
    """Form fields read from the column page: the first group that matched (``re.search`` on the
    page's URL followed by its markup) is the value. A field found neither on the page nor in
    ``form`` stops the column's paging. An empty pattern leaves the field out."""


@dataclass(frozen=True)
class Pagination:
    kind: PaginationKind = "none"
    next_link: str = ""
    """``next``: CSS or XPath (starting with ``/`` or ``(``) selecting the next page's link."""
    numbered: str = "index_{n}.html"
    """``numbered``: page ``n`` relative to the list page URL, for ``n`` from ``first``."""
    first: int = 1
    max_pages: int = 5
    """Depth: list pages followed per entry point, counting the first."""
    dataproxy: Dataproxy = field(default_factory=Dataproxy)


@dataclass(frozen=True)
class Politeness:
    download_delay: float = 2.0
    concurrency: int = 1
    """Requests in flight per domain."""


@dataclass(frozen=True)
class SiteConfig:
    id: str
    path: Path
    name: str
    allowed_domains: tuple[str, ...]
    kind: SiteKind = "gov"
    list_pages: tuple[str, ...] = ()
    feeds: tuple[str, ...] = ()
    sitemaps: tuple[str, ...] = ()
    article_links: tuple[re.Pattern[str], ...] = ()
    """An absolute link matching any of these (``re.search``) is an article page."""
    deny_links: tuple[re.Pattern[str], ...] = ()
    link_area: str = ""
    """CSS selector limiting where article links are looked for on list pages (empty: the page)."""
    pagination: Pagination = field(default_factory=Pagination)
    politeness: Politeness = field(default_factory=Politeness)
    schedule: str = "0 */6 * * *"
    """Cron expression (5 fields, server time zone) for ``scrapy schedule`` and ``crawlall``."""
    recheck_days: int = 0
    """Known articles first seen within this many days are downloaded again to catch edits."""
    extraction: Mapping[str, str] = field(default_factory=dict)
    """Per-field selector overrides handed to the extraction stage (``EXTRACTION_OVERRIDES``)."""
    timezone: str | None = None
    """IANA time zone of the site's local time (``Asia/Hong_Kong``): the days people see and filter
    for its articles (:mod:`crawler.timezones`); ``None``: the ``DISPLAY_TIMEZONE`` setting."""
    notes: str = ""

    def is_article(self, url: str) -> bool:
        return any(p.search(url) for p in self.article_links) and not any(p.search(url) for p in self.deny_links)


_TOP_KEYS = {f.name for f in fields(SiteConfig)} - {"id", "path"} | {"extends"}
_TABLES: dict[str, type[Any]] = {"pagination": Pagination, "politeness": Politeness}


def _default(cls: type[Any], name: str) -> Any:
    """The default of field ``name`` of dataclass ``cls``: where a config's defaults are written, once."""
    found = next(f for f in fields(cls) if f.name == name)
    return found.default


def _merge(base: dict[str, Any], override: Mapping[str, Any]) -> dict[str, Any]:
    merged = dict(base)
    for key, value in override.items():
        if isinstance(value, Mapping) and isinstance(merged.get(key), Mapping):
            merged[key] = _merge(dict(merged[key]), value)
        else:
            merged[key] = value
    return merged


def _read(path: Path, seen: tuple[Path, ...] = ()) -> dict[str, Any]:
    """The raw table of ``path`` with its ``extends`` chain merged in."""
    if path in seen:
        raise SiteConfigError(f"{path}: extends: inheritance loop through {', '.join(p.name for p in seen)}")
    try:
        with path.open("rb") as handle:
            data = tomllib.load(handle)
    except tomllib.TOMLDecodeError as error:
        raise SiteConfigError(f"{path}: not valid TOML: {error}") from error
    parent = data.pop("extends", None)
    if parent is None:
        return data
    if not isinstance(parent, str):
        raise SiteConfigError(f"{path}: extends: expected a base config name, got {parent!r}")
    base_path = path.with_name(f"{parent}.toml")
    if not base_path.is_file():
        raise SiteConfigError(f"{path}: extends: no base config {base_path.name} beside it")
    return _merge(_read(base_path, (*seen, path)), data)


class _Checker:
    """Typed reads from a raw table, raising with the file and dotted key."""

    def __init__(self, path: Path, data: Mapping[str, Any], prefix: str = "") -> None:
        self.path, self.data, self.prefix = path, data, prefix

    def fail(self, key: str, message: str) -> SiteConfigError:
        return SiteConfigError(f"{self.path}: {self.prefix}{key}: {message}")

    def unknown(self, allowed: set[str]) -> None:
        for key in sorted(set(self.data) - allowed):
            raise self.fail(key, f"unknown key (allowed: {', '.join(sorted(allowed))})")

    def get(self, key: str, kind: type | tuple[type, ...], default: Any) -> Any:
        value = self.data.get(key, default)
        if isinstance(value, bool) and kind in (int, float):
            raise self.fail(key, f"expected {getattr(kind, '__name__', kind)}, got {value!r}")
        if kind is float and isinstance(value, int):
            value = float(value)
        if not isinstance(value, kind):
            raise self.fail(key, f"expected {getattr(kind, '__name__', kind)}, got {value!r}")
        return value

    def strings(self, key: str) -> tuple[str, ...]:
        value = self.data.get(key, [])
        if isinstance(value, str):
            value = [value]
        if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
            raise self.fail(key, f"expected a list of strings, got {value!r}")
        return tuple(value)

    def patterns(self, key: str) -> tuple[re.Pattern[str], ...]:
        compiled = []
        for index, pattern in enumerate(self.strings(key)):
            try:
                compiled.append(re.compile(pattern))
            except re.error as error:
                raise self.fail(f"{key}[{index}]", f"bad regular expression {pattern!r}: {error}") from error
        return tuple(compiled)

    def choice(self, key: str, allowed: tuple[str, ...], default: str) -> str:
        value = self.get(key, str, default)
        if value not in allowed:
            raise self.fail(key, f"expected one of {', '.join(allowed)}, got {value!r}")
        return str(value)

    def zone(self, key: str) -> str | None:
        """An IANA time zone name, or ``None`` when the key is absent."""
        if key not in self.data:
            return None
        value = self.get(key, str, None)
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as error:
            raise self.fail(key, f"not a known IANA time zone: {value!r}") from error
        return str(value)

    def positive(self, key: str, kind: type, default: float, minimum: float = 0) -> Any:
        """``key`` of type ``kind``, not negative and at least ``minimum``."""
        value = self.get(key, kind, default)
        if value < 0:
            raise self.fail(key, f"must not be negative, got {value!r}")
        if value < minimum:
            raise self.fail(key, f"must be at least {minimum}")
        return value


def _form(check: _Checker, key: str) -> dict[str, str]:
    raw = check.data.get(key, {})
    if not isinstance(raw, Mapping):
        raise check.fail(key, "expected a table of field = value")
    form = {}
    for name, value in raw.items():
        if isinstance(value, bool) or not isinstance(value, str | int):
            raise check.fail(f"{key}.{name}", f"expected a string or an integer, got {value!r}")
        form[name] = str(value)
    return form


def _field_patterns(check: _Checker, key: str) -> dict[str, re.Pattern[str]]:
    raw = check.data.get(key, {})
    if not isinstance(raw, Mapping):
        raise check.fail(key, "expected a table of field = regular expression")
    patterns = {}
    for name, pattern in raw.items():
        if not isinstance(pattern, str):
            raise check.fail(f"{key}.{name}", f"expected a regular expression string, got {pattern!r}")
        if not pattern:
            continue  # an empty pattern drops a field a base config reads
        try:
            compiled = re.compile(pattern)
        except re.error as error:
            raise check.fail(f"{key}.{name}", f"bad regular expression {pattern!r}: {error}") from error
        if compiled.groups < 1:
            raise check.fail(f"{key}.{name}", f"needs a group capturing the value, got {pattern!r}")
        patterns[name] = compiled
    return patterns


def _dataproxy(path: Path, raw: Any) -> Dataproxy:
    if not isinstance(raw, Mapping):
        raise SiteConfigError(f"{path}: pagination.dataproxy: expected a table")
    check = _Checker(path, raw, "pagination.dataproxy.")
    check.unknown({f.name for f in fields(Dataproxy)})
    result = Dataproxy(
        url=check.get("url", str, _default(Dataproxy, "url")),
        records=check.positive("records", int, _default(Dataproxy, "records"), minimum=1),
        per_page=check.positive("per_page", int, _default(Dataproxy, "per_page"), minimum=1),
        form=_form(check, "form"),
        fields=_field_patterns(check, "fields"),
    )
    if not result.url.strip():
        raise check.fail("url", "must not be empty")
    return result


def _pagination(path: Path, raw: Any) -> Pagination:
    if not isinstance(raw, Mapping):
        raise SiteConfigError(f"{path}: pagination: expected a table")
    check = _Checker(path, raw, "pagination.")
    check.unknown({f.name for f in fields(Pagination)})
    result = Pagination(
        kind=check.choice("kind", get_args(PaginationKind), _default(Pagination, "kind")),  # type: ignore[arg-type]
        next_link=check.get("next_link", str, _default(Pagination, "next_link")),
        numbered=check.get("numbered", str, _default(Pagination, "numbered")),
        first=check.positive("first", int, _default(Pagination, "first")),
        max_pages=check.positive("max_pages", int, _default(Pagination, "max_pages"), minimum=1),
        dataproxy=_dataproxy(path, raw.get("dataproxy", {})),
    )
    if result.kind == "next" and not result.next_link:
        raise check.fail("next_link", "required when kind = 'next'")
    if result.kind == "numbered" and "{n}" not in result.numbered:
        raise check.fail("numbered", f"needs a {{n}} placeholder, got {result.numbered!r}")
    if result.kind == "hanweb_dataproxy" and not result.dataproxy.fields:
        raise check.fail(
            "dataproxy.fields", "required when kind = 'hanweb_dataproxy' (columnid, unitid … read from the column page)"
        )
    return result


def _politeness(path: Path, raw: Any) -> Politeness:
    if not isinstance(raw, Mapping):
        raise SiteConfigError(f"{path}: politeness: expected a table")
    check = _Checker(path, raw, "politeness.")
    check.unknown({f.name for f in fields(Politeness)})
    return Politeness(
        download_delay=check.positive("download_delay", float, _default(Politeness, "download_delay")),
        concurrency=check.positive("concurrency", int, _default(Politeness, "concurrency"), minimum=1),
    )


def site_from_table(path: Path, data: Mapping[str, Any]) -> SiteConfig:
    """The validated config of a merged raw table read from ``path``."""
    check = _Checker(path, data)
    check.unknown(_TOP_KEYS - {"extends"})
    site_id = path.stem
    if not _ID.match(site_id):
        raise SiteConfigError(f"{path}: file name: a site id is lowercase letters, digits and _, got {site_id!r}")
    schedule = check.get("schedule", str, _default(SiteConfig, "schedule"))
    if not croniter.is_valid(schedule) or len(schedule.split()) != 5:
        raise check.fail("schedule", f"not a 5-field cron expression: {schedule!r}")
    extraction = data.get("extraction", {})
    if not isinstance(extraction, Mapping) or not all(isinstance(v, str) for v in extraction.values()):
        raise check.fail("extraction", "expected a table of field = selector strings")
    config = SiteConfig(
        id=site_id,
        path=path,
        name=check.get("name", str, site_id),
        kind=check.choice("kind", get_args(SiteKind), _default(SiteConfig, "kind")),  # type: ignore[arg-type]
        allowed_domains=check.strings("allowed_domains"),
        list_pages=check.strings("list_pages"),
        feeds=check.strings("feeds"),
        sitemaps=check.strings("sitemaps"),
        article_links=check.patterns("article_links"),
        deny_links=check.patterns("deny_links"),
        link_area=check.get("link_area", str, _default(SiteConfig, "link_area")),
        pagination=_pagination(path, data.get("pagination", {})),
        politeness=_politeness(path, data.get("politeness", {})),
        schedule=schedule,
        recheck_days=check.positive("recheck_days", int, _default(SiteConfig, "recheck_days")),
        extraction=dict(extraction),
        timezone=check.zone("timezone") or _default(SiteConfig, "timezone"),
        notes=check.get("notes", str, _default(SiteConfig, "notes")),
    )
    if not config.allowed_domains:
        raise check.fail("allowed_domains", "at least one domain is required")
    if not (config.list_pages or config.feeds or config.sitemaps):
        raise check.fail("list_pages", "a site needs at least one entry point (list_pages, feeds or sitemaps)")
    if not config.article_links:
        raise check.fail("article_links", "at least one pattern is required")
    return config


def load_site(path: Path) -> SiteConfig:
    """The config in ``path`` (with its ``extends`` chain), validated."""
    return site_from_table(path, _read(path))


def site_paths(sites_dir: Path) -> list[Path]:
    """Site config files in ``sites_dir``, base configs (``_*.toml``) left out."""
    return sorted(p for p in sites_dir.glob("*.toml") if not p.name.startswith("_"))


def load_sites(sites_dir: Path) -> dict[str, SiteConfig]:
    """Every site config in ``sites_dir`` by id; the first invalid file raises."""
    return {config.id: config for config in map(load_site, site_paths(sites_dir))}


def usable_sites(sites_dir: Path) -> tuple[dict[str, SiteConfig], list[SiteConfigError]]:
    """The valid site configs in ``sites_dir`` by id, and the error of each invalid or unreadable
    one: commands over every site (``scrapy list``, ``crawlall``, ``schedule``, ``crawlstate``)
    report a broken file and go on with the others, so one typo never stops every site."""
    sites: dict[str, SiteConfig] = {}
    errors: list[SiteConfigError] = []
    for path in site_paths(sites_dir):
        try:
            config = load_site(path)
        except SiteConfigError as error:
            errors.append(error)
            continue
        except OSError as error:
            errors.append(SiteConfigError(f"{path}: cannot be read: {error.strerror or error}"))
            continue
        except UnicodeDecodeError as error:
            errors.append(SiteConfigError(f"{path}: not UTF-8 text: {error}"))
            continue
        sites[config.id] = config
    return sites, errors


def sites_dir(settings: BaseSettings) -> Path:
    """The directory of site configs a run reads: the ``SITES_DIR`` setting (env ``GOVNEWS_SITES_DIR``)."""
    return Path(settings["SITES_DIR"]).expanduser()


def find_site(sites_dir: Path, site_id: str) -> SiteConfig:
    path = sites_dir / f"{site_id}.toml"
    if site_id.startswith("_") or not path.is_file():
        known = ", ".join(p.stem for p in site_paths(sites_dir)) or "none"
        raise SiteConfigError(f"no site {site_id!r} in {sites_dir} (sites: {known})")
    return load_site(path)
