"""Crawl state tables: sites, crawl runs, known article URLs, list page validators.

They live in the same database as ``articles`` (same ``Base``, same naming convention), so a
test or dry run against another database can never mark production articles as seen.
See ``docs/crawling.md`` for what each column means to the crawl.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from crawler.db.models import Base, JSONType, UTCDateTime


class SiteRow(Base):
    """One row per configured site that has been crawled."""

    __tablename__ = "sites"

    id: Mapped[str] = mapped_column(String(200), primary_key=True)
    name: Mapped[str | None] = mapped_column(Text)
    last_started_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_status: Mapped[str | None] = mapped_column(String(20))
    reset_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    """Articles first seen before this time no longer count as known (``scrapy crawlstate --reset``)."""


class CrawlRunRow(Base):
    """One row per crawl of one site, written at start (``running``) and at close."""

    __tablename__ = "crawl_runs"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    site: Mapped[str] = mapped_column(String(200))
    started_at: Mapped[datetime] = mapped_column(UTCDateTime)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    status: Mapped[str] = mapped_column(String(20))
    """``running``, ``ok``, ``failed``, ``blocked`` or ``interrupted``; a ``running`` row whose
    process is gone marks a killed crawl."""
    close_reason: Mapped[str | None] = mapped_column(String(100))
    requests: Mapped[int] = mapped_column(Integer, default=0)
    list_pages: Mapped[int] = mapped_column(Integer, default=0)
    list_pages_changed: Mapped[int] = mapped_column(Integer, default=0)
    not_modified: Mapped[int] = mapped_column(Integer, default=0)
    """List page answers ``304 Not Modified`` (the validators saved a download)."""
    article_pages: Mapped[int] = mapped_column(Integer, default=0)
    new_articles: Mapped[int] = mapped_column(Integer, default=0)
    updated: Mapped[int] = mapped_column(Integer, default=0)
    duplicates: Mapped[int] = mapped_column(Integer, default=0)
    extraction_failures: Mapped[int] = mapped_column(Integer, default=0)
    errors: Mapped[int] = mapped_column(Integer, default=0)
    blocked_responses: Mapped[int] = mapped_column(Integer, default=0)
    warnings: Mapped[list[str]] = mapped_column(JSONType, default=list)
    pid: Mapped[int | None] = mapped_column(Integer)

    __table_args__ = (Index("ix_crawl_runs_site_started_at", "site", "started_at"),)


class KnownUrlRow(Base):
    """An article URL the site's crawls need not download again."""

    __tablename__ = "known_urls"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    site: Mapped[str] = mapped_column(String(200))
    url: Mapped[str] = mapped_column(Text)
    first_seen_at: Mapped[datetime] = mapped_column(UTCDateTime)
    last_fetched_at: Mapped[datetime] = mapped_column(UTCDateTime)
    stored: Mapped[bool] = mapped_column(Boolean, default=False)
    """True when the article was found in ``articles`` after the crawl; False for pages the
    pipelines dropped and permanent failures (404, forbidden by robots.txt)."""
    outcome: Mapped[str] = mapped_column(String(40))

    __table_args__ = (UniqueConstraint("site", "url", name="uq_known_urls_site_url"),)


class ListPageRow(Base):
    """Validators and body hash of a list page, feed or sitemap, for conditional GETs."""

    __tablename__ = "list_pages"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    site: Mapped[str] = mapped_column(String(200))
    url: Mapped[str] = mapped_column(Text)
    etag: Mapped[str | None] = mapped_column(Text)
    last_modified: Mapped[str | None] = mapped_column(Text)
    body_hash: Mapped[str | None] = mapped_column(String(64))
    article_links: Mapped[int] = mapped_column(Integer, default=0)
    last_checked_at: Mapped[datetime] = mapped_column(UTCDateTime)
    last_changed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    __table_args__ = (UniqueConstraint("site", "url", name="uq_list_pages_site_url"),)
