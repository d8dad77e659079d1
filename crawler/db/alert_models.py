"""The ``alerts`` table: what ``scrapy report`` and ``scrapy alerts`` found wrong with a site.

One row per alert episode: opened when a rule of :mod:`crawler.report.alerts` first fires for
a (site, rule, field), kept open (``last_seen_at`` moved on) while it keeps firing, closed
(``resolved_at``) at the first evaluation where it no longer fires. An external monitor reads
``SELECT * FROM alerts WHERE resolved_at IS NULL``. The partial unique index keeps at most one
open row per (site, rule, field), whichever process evaluates.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Index, Integer, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column

from crawler.db.models import Base, JSONType, UTCDateTime


class AlertRow(Base):
    __tablename__ = "alerts"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    site: Mapped[str] = mapped_column(String(200))
    rule: Mapped[str] = mapped_column(String(40))
    """``failed_runs``, ``blocked``, ``fill_drop`` or ``body_length_drop``."""
    field: Mapped[str] = mapped_column(String(40), default="")
    """The article field a fill rule is about (``title``, ``source_name`` …); empty otherwise."""
    message: Mapped[str] = mapped_column(Text)
    details: Mapped[dict[str, Any]] = mapped_column(JSONType, default=dict)
    """The figures that fired the rule (streak, rates, counts), as the JSON report gives them."""
    opened_at: Mapped[datetime] = mapped_column(UTCDateTime)
    last_seen_at: Mapped[datetime] = mapped_column(UTCDateTime)
    resolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    notified_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    """When the webhook (``ALERT_WEBHOOK_URL``) accepted the alert; ``None``: not sent (yet)."""

    __table_args__ = (
        Index("ix_alerts_site", "site"),
        Index(
            "uq_alerts_open",
            "site",
            "rule",
            "field",
            unique=True,
            sqlite_where=text("resolved_at IS NULL"),
            postgresql_where=text("resolved_at IS NULL"),
        ),
    )
