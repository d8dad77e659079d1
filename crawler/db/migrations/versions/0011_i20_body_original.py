"""articles.body_original only where it differs from body

Revision ID: 0011_i20_body_original
Revises: 0010_i15_stories
Create Date: 2026-12-05

``body_original`` (the text before cleaning) equalled ``body`` on about 90% of the rows, 6.6 KB
each: a second copy of most bodies. It is now NULL when it equals ``body`` (the column loses
its NOT NULL), and existing equal copies are set to NULL. Readers see the same values as
before: the ``articles_unique`` view (remade with its columns listed) and ``scrapy export``
give ``COALESCE(body_original, body)``.

On SQLite, dropping a NOT NULL constraint needs no table rebuild (which would drop the FTS and
summary triggers of ``articles`` and break its views): the column's definition is edited in
the schema table, the procedure SQLite documents for removing NOT NULL constraints
(https://www.sqlite.org/lang_altertable.html, "Making Other Kinds Of Table Schema Changes").
"""

from __future__ import annotations

import re

import sqlalchemy as sa
from alembic import op

revision = "0011_i20_body_original"
down_revision = "0010_i15_stories"
branch_labels = None
depends_on = None

# The columns of ``articles`` at this revision, in table order (the view lists them so that
# body_original can be given as COALESCE(body_original, body)).
_COLUMNS = (
    "id", "canonical_url", "url", "site", "title", "subtitle", "published", "published_raw", "source_name",
    "author", "editor", "doc_number", "issuer", "body", "body_original", "script", "content_hash",
    "duplicate_of", "fetched_at", "replay_path", "extra", "first_seen_at", "updated_at", "revision",
    "revision_hash", "cluster_id", "published_precision", "published_offset", "host", "published_day",
)  # fmt: skip
_UNIQUE_FROM = """
FROM articles
LEFT JOIN clusters ON clusters.id = articles.cluster_id
WHERE (clusters.id IS NULL AND articles.duplicate_of IS NULL)
   OR clusters.canonical_url = articles.canonical_url
"""
ARTICLES_UNIQUE = (
    "CREATE VIEW articles_unique AS\nSELECT "
    + ", ".join(
        "COALESCE(articles.body_original, articles.body) AS body_original"
        if column == "body_original"
        else f"articles.{column}"
        for column in _COLUMNS
    )
    + _UNIQUE_FROM
)
ARTICLES_UNIQUE_0009 = "CREATE VIEW articles_unique AS\nSELECT articles.*" + _UNIQUE_FROM

_NOT_NULL = re.compile(r"(\bbody_original\s+TEXT)\s+NOT NULL", re.IGNORECASE)


def _sqlite_set_not_null(not_null: bool) -> None:
    """Adds or removes NOT NULL on ``body_original`` by editing the table's definition in place
    (see the module docstring); the schema version is bumped so every connection re-reads it."""
    bind = op.get_bind()
    sql = bind.execute(sa.text("SELECT sql FROM sqlite_master WHERE type = 'table' AND name = 'articles'")).scalar_one()
    if not_null:
        edited = re.sub(r"(\bbody_original\s+TEXT)(?!\s+NOT NULL)", r"\1 NOT NULL", sql, count=1, flags=re.IGNORECASE)
    else:
        edited = _NOT_NULL.sub(r"\1", sql, count=1)
    if edited == sql:
        return
    version = bind.execute(sa.text("PRAGMA schema_version")).scalar_one()
    bind.execute(sa.text("PRAGMA writable_schema = ON"))
    bind.execute(
        sa.text("UPDATE sqlite_master SET sql = :sql WHERE type = 'table' AND name = 'articles'"), {"sql": edited}
    )
    bind.execute(sa.text(f"PRAGMA schema_version = {int(version) + 1}"))
    bind.execute(sa.text("PRAGMA writable_schema = OFF"))


def upgrade() -> None:
    op.execute("DROP VIEW IF EXISTS articles_unique")
    if op.get_bind().dialect.name == "sqlite":
        _sqlite_set_not_null(False)
    else:
        op.alter_column("articles", "body_original", existing_type=sa.Text(), nullable=True)
    op.execute("UPDATE articles SET body_original = NULL WHERE body_original = body")
    op.execute(ARTICLES_UNIQUE)


def downgrade() -> None:
    op.execute("DROP VIEW IF EXISTS articles_unique")
    op.execute("UPDATE articles SET body_original = body WHERE body_original IS NULL")
    if op.get_bind().dialect.name == "sqlite":
        _sqlite_set_not_null(True)
    else:
        op.alter_column("articles", "body_original", existing_type=sa.Text(), nullable=False)
    op.execute(ARTICLES_UNIQUE_0009)
