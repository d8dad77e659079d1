"""SQLAlchemy 2 models: one schema for SQLite and Postgres.

Times are stored in UTC (``timestamptz`` on Postgres, naive UTC text on SQLite) and come back
timezone-aware. ``extra`` is JSON (``jsonb`` on Postgres).
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import JSON, Date, DateTime, Dialect, Index, Integer, MetaData, String, Text, TypeDecorator
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

# One naming convention so constraint names match on SQLite and Postgres (and Alembic's
# batch mode on SQLite can find them again).
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def parse_timestamp(value: str | datetime | None) -> datetime | None:
    """An aware UTC datetime from an ISO 8601 string or datetime (naive means UTC)."""
    if value is None or value == "":
        return None
    moment = value if isinstance(value, datetime) else datetime.fromisoformat(value)
    if moment.tzinfo is None:
        return moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)


class UTCDateTime(TypeDecorator[datetime]):
    """Accepts aware datetimes or ISO strings, stores UTC, returns aware UTC datetimes."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: Any, dialect: Dialect) -> datetime | None:
        moment = parse_timestamp(value)
        if moment is not None and dialect.name == "sqlite":
            return moment.replace(tzinfo=None)
        return moment

    def process_result_value(self, value: Any, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return parse_timestamp(value)


JSONType = JSON().with_variant(JSONB(), "postgresql")


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class ArticleRow(Base):
    """One row per article URL (``canonical_url``); see ``docs/fields.md``."""

    __tablename__ = "articles"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    canonical_url: Mapped[str] = mapped_column(Text, unique=True)
    url: Mapped[str] = mapped_column(Text, index=True)
    site: Mapped[str] = mapped_column(String(200))
    host: Mapped[str | None] = mapped_column(String(255))
    """Host of ``url`` (``kjj.jiaxing.gov.cn``): one outlet, whether replayed or crawled."""
    title: Mapped[str | None] = mapped_column(Text)
    subtitle: Mapped[str | None] = mapped_column(Text)
    published: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)
    published_precision: Mapped[str | None] = mapped_column(String(10))
    """``day``, ``hour``, ``minute`` or ``second``: how much of ``published`` the page gave."""
    published_offset: Mapped[str | None] = mapped_column(String(6))
    """The UTC offset printed with the time (``+08:00``), NULL when the page printed none."""
    published_day: Mapped[date | None] = mapped_column(Date)
    """Calendar day of ``published`` in the site's local time (:mod:`crawler.timezones`)."""
    published_raw: Mapped[str | None] = mapped_column(Text)
    source_name: Mapped[str | None] = mapped_column(Text, index=True)
    source_url: Mapped[str | None] = mapped_column(Text)
    author: Mapped[str | None] = mapped_column(Text)
    editor: Mapped[str | None] = mapped_column(Text)
    doc_number: Mapped[str | None] = mapped_column(Text, index=True)
    issuer: Mapped[str | None] = mapped_column(Text)
    body: Mapped[str] = mapped_column(Text, default="")
    body_original: Mapped[str | None] = mapped_column(Text)
    """The text before cleaning, NULL when it equals ``body`` (most rows): readers take
    ``COALESCE(body_original, body)``, as ``articles_unique`` and ``scrapy export`` do."""
    script: Mapped[str] = mapped_column(String(20), default="simplified", index=True)
    content_hash: Mapped[str | None] = mapped_column(String(64), index=True)
    duplicate_of: Mapped[str | None] = mapped_column(Text, index=True)
    cluster_id: Mapped[int | None] = mapped_column(Integer, index=True)
    """Story id (``clusters.id``) from the near-duplicate stage; see ``docs/dedup.md``."""
    fetched_at: Mapped[datetime] = mapped_column(UTCDateTime)
    replay_path: Mapped[str | None] = mapped_column(Text)
    extra: Mapped[dict[str, Any]] = mapped_column(JSONType, default=dict)
    first_seen_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    """Indexed: the report and the alerts read the articles first seen in a period."""
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)
    revision: Mapped[int] = mapped_column(Integer, default=1)
    revision_hash: Mapped[str] = mapped_column(String(64))
    """Hash of every stored field but the fetch time and path: a changed page changes it."""

    __table_args__ = (
        Index("ix_articles_site_published", "site", "published"),
        Index("ix_articles_host_published_day", "host", "published_day"),
    )
