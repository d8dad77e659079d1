"""report and alerts: the alerts table, crawl_runs.not_modified, ix_articles_first_seen_at

Revision ID: 0007_i19_report_alerts
Revises: 0006
Create Date: 2026-12-01

``alerts`` holds what ``scrapy report`` / ``scrapy alerts`` found wrong with a site, one row per
episode, with at most one open row per (site, rule, field) (a partial unique index, which both
SQLite and Postgres support). ``crawl_runs.not_modified`` counts list page answers 304, for the
report's 304 share; existing runs get 0 (the count was not kept before; the server default stays, sparing SQLite a
second table rebuild). The report and the
alert rules read the articles first seen in a period: ``ix_articles_first_seen_at`` serves that.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

from crawler.db.models import UTCDateTime

revision = "0007_i19_report_alerts"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "alerts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("site", sa.String(length=200), nullable=False),
        sa.Column("rule", sa.String(length=40), nullable=False),
        sa.Column("field", sa.String(length=40), nullable=False),
        sa.Column("message", sa.Text(), nullable=False),
        sa.Column("details", sa.JSON().with_variant(postgresql.JSONB(), "postgresql"), nullable=False),
        sa.Column("opened_at", UTCDateTime(), nullable=False),
        sa.Column("last_seen_at", UTCDateTime(), nullable=False),
        sa.Column("resolved_at", UTCDateTime(), nullable=True),
        sa.Column("notified_at", UTCDateTime(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_alerts")),
    )
    op.create_index("ix_alerts_site", "alerts", ["site"])
    op.create_index(
        "uq_alerts_open",
        "alerts",
        ["site", "rule", "field"],
        unique=True,
        sqlite_where=sa.text("resolved_at IS NULL"),
        postgresql_where=sa.text("resolved_at IS NULL"),
    )
    op.create_index(op.f("ix_articles_first_seen_at"), "articles", ["first_seen_at"])
    with op.batch_alter_table("crawl_runs") as batch:
        batch.add_column(sa.Column("not_modified", sa.Integer(), nullable=False, server_default="0"))


def downgrade() -> None:
    with op.batch_alter_table("crawl_runs") as batch:
        batch.drop_column("not_modified")
    op.drop_index(op.f("ix_articles_first_seen_at"), table_name="articles")
    op.drop_index("uq_alerts_open", table_name="alerts")
    op.drop_index("ix_alerts_site", table_name="alerts")
    op.drop_table("alerts")
