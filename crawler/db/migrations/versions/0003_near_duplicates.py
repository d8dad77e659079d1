"""near duplicates: clusters, minhash_signatures, minhash_bands, articles.cluster_id, view articles_unique

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-23
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from crawler.db.models import UTCDateTime

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

# One row per story: the canonical article of each cluster, plus every article the
# near-duplicate stage has not clustered (yet) and that is no exact copy. Plain SQL that
# SQLite and Postgres both accept. Recreate it when ``articles`` gains columns.
ARTICLES_UNIQUE = """
CREATE VIEW articles_unique AS
SELECT articles.*
FROM articles
LEFT JOIN clusters ON clusters.id = articles.cluster_id
WHERE (clusters.id IS NULL AND articles.duplicate_of IS NULL)
   OR clusters.canonical_url = articles.canonical_url
"""


def upgrade() -> None:
    op.create_table(
        "clusters",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("canonical_url", sa.Text(), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_clusters")),
    )
    op.create_table(
        "minhash_signatures",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("canonical_url", sa.Text(), nullable=False),
        sa.Column("cluster_id", sa.Integer(), nullable=False),
        sa.Column("scheme", sa.String(length=40), nullable=False),
        sa.Column("content_hash", sa.String(length=64), nullable=True),
        sa.Column("shingle_count", sa.Integer(), nullable=False),
        sa.Column("minhash", sa.LargeBinary(), nullable=False),
        sa.Column("url", sa.Text(), nullable=False),
        sa.Column("site", sa.String(length=200), nullable=False),
        sa.Column("source_name", sa.Text(), nullable=True),
        sa.Column("published", UTCDateTime(), nullable=True),
        sa.Column("fetched_at", UTCDateTime(), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["cluster_id"], ["clusters.id"], name=op.f("fk_minhash_signatures_cluster_id_clusters")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_minhash_signatures")),
        sa.UniqueConstraint("canonical_url", name=op.f("uq_minhash_signatures_canonical_url")),
    )
    op.create_index(op.f("ix_minhash_signatures_cluster_id"), "minhash_signatures", ["cluster_id"])
    op.create_index(op.f("ix_minhash_signatures_scheme"), "minhash_signatures", ["scheme"])
    op.create_table(
        "minhash_bands",
        sa.Column("signature_id", sa.Integer(), nullable=False),
        sa.Column("band", sa.Integer(), nullable=False),
        sa.Column("key", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(
            ["signature_id"],
            ["minhash_signatures.id"],
            name=op.f("fk_minhash_bands_signature_id_minhash_signatures"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("signature_id", "band", name=op.f("pk_minhash_bands")),
    )
    op.create_index(op.f("ix_minhash_bands_key"), "minhash_bands", ["key"])
    with op.batch_alter_table("articles") as batch:
        batch.add_column(sa.Column("cluster_id", sa.Integer(), nullable=True))
        batch.create_index(batch.f("ix_articles_cluster_id"), ["cluster_id"])
    op.execute(ARTICLES_UNIQUE)


def downgrade() -> None:
    op.execute("DROP VIEW IF EXISTS articles_unique")
    with op.batch_alter_table("articles") as batch:
        batch.drop_index(batch.f("ix_articles_cluster_id"))
        batch.drop_column("cluster_id")
    op.drop_index(op.f("ix_minhash_bands_key"), table_name="minhash_bands")
    op.drop_table("minhash_bands")
    op.drop_index(op.f("ix_minhash_signatures_scheme"), table_name="minhash_signatures")
    op.drop_index(op.f("ix_minhash_signatures_cluster_id"), table_name="minhash_signatures")
    op.drop_table("minhash_signatures")
    op.drop_table("clusters")
