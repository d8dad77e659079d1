"""stories people can trust: the evidence the original is chosen on, and why it was chosen

Revision ID: 0010_i15_stories
Revises: 0009_i16_queries
Create Date: 2026-12-05

* ``articles.source_url``: the URL a repost prints as its origin (原文链接, 转自 with a URL);
  the strongest evidence of which stored article it copies.
* ``minhash_signatures.published_precision`` and ``.source_url``: a date-only publication time
  compares by day with the others (never as midnight), and the cited URL, for the canonical
  choice; ``.similarity``, ``.containment`` and ``.contained``: how close the copy is to its
  story's original (estimated Jaccard, share of the copy's shingles in the original, share of
  the original's in the copy), for an analyst to tell verbatim copies from rewrites.
* ``clusters.canonical_rule``: which rule chose the story's original (docs/dedup.md).
* The view ``reposts`` gains what an analyst filters copies by: the copy's ``source_url``,
  the cluster's ``canonical_rule``, ``similarity``, ``containment``, ``contained``, and
  ``retitled`` / ``script_changed`` (1 when the copy's title / script differs from the
  original's).
* ``host_lines``: per host, how many distinct bodies hold each line; lines on many of them are
  the host's template, left out of near-duplicate signatures.

Existing signatures get their precision from their article; the other new values fill in
as articles are stored again or at the next ``scrapy recluster``. On Postgres the view
``articles_unique`` (``SELECT articles.*``, fixed when made) is made again to carry the new
column.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from alembic import op

revision = "0010_i15_stories"
down_revision = "0009_i16_queries"
branch_labels = None
depends_on = None

ARTICLES_UNIQUE = """
CREATE VIEW articles_unique AS
SELECT articles.*
FROM articles
LEFT JOIN clusters ON clusters.id = articles.cluster_id
WHERE (clusters.id IS NULL AND articles.duplicate_of IS NULL)
   OR clusters.canonical_url = articles.canonical_url
"""
REPOSTS = """
CREATE VIEW reposts AS
SELECT clusters.id AS cluster_id,
       original.id AS original_id, original.title AS original_title, original.site AS original_site,
       original.url AS original_url, original.published AS original_published,
       copy.id AS copy_id, copy.title AS copy_title, copy.site AS copy_site, copy.url AS copy_url,
       copy.published AS copy_published, copy.fetched_at AS copy_fetched_at, copy.source_name AS copy_source_name{more}
FROM clusters
JOIN articles AS original ON original.canonical_url = clusters.canonical_url
JOIN articles AS copy ON copy.cluster_id = clusters.id AND copy.id <> original.id{join}
"""
REPOSTS_MORE = """,
       copy.source_url AS copy_source_url, clusters.canonical_rule AS canonical_rule,
       signature.similarity AS similarity, signature.containment AS containment, signature.contained AS contained,
       CASE WHEN copy.title IS DISTINCT FROM original.title THEN 1 ELSE 0 END AS retitled,
       CASE WHEN copy.script <> original.script THEN 1 ELSE 0 END AS script_changed"""
REPOSTS_JOIN = "\nLEFT JOIN minhash_signatures AS signature ON signature.canonical_url = copy.canonical_url"
SIGNATURE_COLUMNS: dict[str, sa.types.TypeEngine[Any]] = {
    "published_precision": sa.String(length=10),
    "source_url": sa.Text(),
    "similarity": sa.Float(),
    "containment": sa.Float(),
    "contained": sa.Float(),
}


def upgrade() -> None:
    op.execute("DROP VIEW IF EXISTS articles_unique")
    op.execute("DROP VIEW IF EXISTS reposts")
    op.add_column("articles", sa.Column("source_url", sa.Text(), nullable=True))
    for name, type_ in SIGNATURE_COLUMNS.items():
        op.add_column("minhash_signatures", sa.Column(name, type_, nullable=True))
    op.add_column("clusters", sa.Column("canonical_rule", sa.String(length=40), nullable=True))
    op.create_table(
        "host_lines",
        sa.Column("host", sa.String(length=255), nullable=False),
        sa.Column("line_hash", sa.BigInteger(), nullable=False),
        sa.Column("pages", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("host", "line_hash", name=op.f("pk_host_lines")),
    )
    op.execute(
        "UPDATE minhash_signatures SET published_precision = (SELECT articles.published_precision FROM articles "
        "WHERE articles.canonical_url = minhash_signatures.canonical_url)"
    )
    op.execute(ARTICLES_UNIQUE)
    op.execute(REPOSTS.format(more=REPOSTS_MORE, join=REPOSTS_JOIN))


def downgrade() -> None:
    op.execute("DROP VIEW IF EXISTS articles_unique")
    op.execute("DROP VIEW IF EXISTS reposts")
    op.drop_table("host_lines")
    # Plain DROP COLUMN, as 0008 and 0009: a batch rebuild of ``articles`` would break its other views.
    op.execute("ALTER TABLE clusters DROP COLUMN canonical_rule")
    for name in reversed(SIGNATURE_COLUMNS):
        op.execute(f"ALTER TABLE minhash_signatures DROP COLUMN {name}")
    op.execute("ALTER TABLE articles DROP COLUMN source_url")
    op.execute(ARTICLES_UNIQUE)
    op.execute(REPOSTS.format(more="", join=""))
