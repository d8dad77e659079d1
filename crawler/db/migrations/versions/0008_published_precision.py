"""articles.published_precision and articles.published_offset

Revision ID: 0008_published_precision
Revises: 0007_i19_report_alerts
Create Date: 2026-12-05

A date-only ``published`` was stored as midnight Beijing time, indistinguishable from a real
midnight: it sorted before a 09:30 original of the same day and was exported as a time. The
precision (``day``, ``hour``, ``minute``, ``second``) now travels with the value, and the UTC
offset the page printed beside it. Existing rows get their precision from ``published_raw``:
a clock reading in it (``10:30``, ``10时``) means ``minute`` (``second`` with seconds), none means
``day``; their printed offset is unknown and stays NULL.
"""

from __future__ import annotations

import re

import sqlalchemy as sa
from alembic import op

revision = "0008_published_precision"
down_revision = "0007_i19_report_alerts"
branch_labels = None
depends_on = None

_SECONDS = re.compile(r"\d{1,2}\s*[:：]\s*\d{1,2}\s*[:：]\s*\d{1,2}|\d\s*秒")
_CLOCK = re.compile(r"\d{1,2}\s*[:：]\s*\d{1,2}|\d\s*[时時点點]|小时|小時|分钟|刚刚")


def precision_of(raw: str | None) -> str:
    text = raw or ""
    if _SECONDS.search(text):
        return "second"
    return "minute" if _CLOCK.search(text) else "day"


def upgrade() -> None:
    op.add_column("articles", sa.Column("published_precision", sa.String(length=10), nullable=True))
    op.add_column("articles", sa.Column("published_offset", sa.String(length=6), nullable=True))
    articles = sa.table(
        "articles",
        sa.column("id", sa.Integer()),
        sa.column("published", sa.DateTime()),
        sa.column("published_raw", sa.Text()),
        sa.column("published_precision", sa.String()),
    )
    connection = op.get_bind()
    rows = connection.execute(
        sa.select(articles.c.id, articles.c.published_raw).where(articles.c.published.is_not(None))
    ).all()
    updates = [{"row_id": row.id, "precision": precision_of(row.published_raw)} for row in rows]
    if updates:
        connection.execute(
            articles.update()
            .where(articles.c.id == sa.bindparam("row_id"))
            .values(published_precision=sa.bindparam("precision")),
            updates,
        )


def downgrade() -> None:
    # Plain DROP COLUMN (SQLite >= 3.35 and Postgres): a batch rebuild of ``articles`` would
    # break the views defined on it.
    op.execute("ALTER TABLE articles DROP COLUMN published_offset")
    op.execute("ALTER TABLE articles DROP COLUMN published_precision")
