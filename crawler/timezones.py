"""The one rule for the days people see and filter: the site's local time.

Times are stored as UTC instants. Wherever a person sees a day or a time (``scrapy search``,
exports, the stored ``published_day`` and the ``daily_counts`` view) or filters by a day
(``scrapy export --since/--until``), it is the instant in the local time zone of the article's
site: the ``timezone`` of the site's config, and for a config naming none, or a site without a
config (a replayed host no config lists in ``allowed_domains``, local files), the
``DISPLAY_TIMEZONE`` setting (Asia/Shanghai).

A date-only publication time (precision ``day``) is a calendar day as the page printed it, not
an instant: its day is the printed date whatever the zone, and it is shown as a date.

Settings: ``DISPLAY_TIMEZONE``, ``SITES_DIR``.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

from scrapy.settings import BaseSettings

from crawler.siteconfig import SiteConfigError, load_site, site_paths, sites_dir

logger = logging.getLogger(__name__)

DAY_PRECISION = "day"
DEFAULT_DISPLAY_TIMEZONE = "Asia/Shanghai"
"""The ``DISPLAY_TIMEZONE`` setting's default, for code that runs without settings (tests, tools)."""


def _instant(value: str | datetime) -> datetime:
    """An aware datetime from an ISO 8601 string or a datetime (naive ones are UTC, as stored)."""
    moment = value if isinstance(value, datetime) else datetime.fromisoformat(value)
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


@dataclass(frozen=True)
class LocalTime:
    """Site id or host -> the site's time zone, with the zone of every other site."""

    fallback: ZoneInfo
    zones: Mapping[str, ZoneInfo] = field(default_factory=dict)

    @classmethod
    def from_settings(cls, settings: BaseSettings) -> LocalTime:
        """Zones of the site configs in ``SITES_DIR`` (by id and by each allowed domain), the
        ``DISPLAY_TIMEZONE`` for the rest. A config that does not load is left out with a
        warning: a broken config must not stop a search or an export."""
        fallback = ZoneInfo(settings["DISPLAY_TIMEZONE"])
        zones: dict[str, ZoneInfo] = {}
        directory = sites_dir(settings)
        for path in site_paths(directory) if directory.is_dir() else []:
            try:
                config = load_site(path)
            except SiteConfigError as error:
                logger.warning("site config left out of the time zones: %s", error)
                continue
            zone = ZoneInfo(config.timezone) if config.timezone else fallback
            zones[config.id] = zone
            for domain in config.allowed_domains:
                zones.setdefault(domain, zone)
        return cls(fallback, zones)

    @classmethod
    def default(cls) -> LocalTime:
        """Every site in the default zone: for writers without settings (tests, tools)."""
        return cls(ZoneInfo(DEFAULT_DISPLAY_TIMEZONE))

    def zone(self, site: str | None, host: str | None = None) -> ZoneInfo:
        """The zone of a site id, else of the host its URL is on, else the fallback."""
        for key in (site, host):
            if key and key in self.zones:
                return self.zones[key]
        return self.fallback

    def local(self, instant: str | datetime, site: str | None, host: str | None = None) -> datetime:
        return _instant(instant).astimezone(self.zone(site, host))

    def published_day(
        self, published: str | datetime | None, precision: str | None, site: str | None, host: str | None = None
    ) -> date | None:
        """The calendar day of a publication time: the printed date of a date-only value (the
        date part of its ISO form, which carries the offset it was read in), else the day of
        the instant in the site's zone."""
        if published is None or published == "":
            return None
        try:
            if precision == DAY_PRECISION and isinstance(published, str):
                return date.fromisoformat(published[:10])
            return self.local(published, site, host).date()
        except ValueError:
            return None  # not ISO 8601: the stored time is as unreadable, there is no day

    def shown(
        self,
        instant: datetime | None,
        precision: str | None,
        site: str | None,
        host: str | None = None,
        day: date | None = None,
    ) -> str:
        """A publication time as a person reads it: ``2024-05-12 06:58`` in the site's local
        time, a date-only value as its date (``day``, the stored ``published_day``, when given)."""
        if instant is None:
            return "????-??-??"
        if precision == DAY_PRECISION:
            return (day or self.local(instant, site, host).date()).isoformat()
        local = self.local(instant, site, host)
        return local.strftime("%Y-%m-%d %H:%M:%S" if precision == "second" else "%Y-%m-%d %H:%M")


def day_start(day: date, zone: ZoneInfo) -> datetime:
    """The UTC instant at which ``day`` begins in ``zone``."""
    return datetime.combine(day, time(0), tzinfo=zone).astimezone(UTC)
