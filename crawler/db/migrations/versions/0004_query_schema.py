"""derived tables, full-text search and query views

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-23

Tables filled by the storage stage from each article (attachments, entities,
article_entities, amounts, gov_metadata); Chinese full-text search (SQLite: an FTS5 table with
the trigram tokenizer kept in sync by triggers; Postgres: pg_trgm GIN indexes that serve
``LIKE '%…%'``); views gov_documents, daily_counts and reposts.
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

JSON = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")

SQLITE_FTS = [
    """CREATE VIRTUAL TABLE articles_fts USING fts5(
        title, body, content='articles', content_rowid='id', tokenize='trigram')""",
    """CREATE TRIGGER articles_fts_insert AFTER INSERT ON articles BEGIN
        INSERT INTO articles_fts(rowid, title, body) VALUES (new.id, new.title, new.body);
    END""",
    """CREATE TRIGGER articles_fts_delete AFTER DELETE ON articles BEGIN
        INSERT INTO articles_fts(articles_fts, rowid, title, body) VALUES ('delete', old.id, old.title, old.body);
    END""",
    """CREATE TRIGGER articles_fts_update AFTER UPDATE OF title, body ON articles BEGIN
        INSERT INTO articles_fts(articles_fts, rowid, title, body) VALUES ('delete', old.id, old.title, old.body);
        INSERT INTO articles_fts(rowid, title, body) VALUES (new.id, new.title, new.body);
    END""",
    "INSERT INTO articles_fts(articles_fts) VALUES ('rebuild')",
]
POSTGRES_FTS = [
    "CREATE EXTENSION IF NOT EXISTS pg_trgm",
    "CREATE INDEX ix_articles_title_trgm ON articles USING gin (title gin_trgm_ops)",
    "CREATE INDEX ix_articles_body_trgm ON articles USING gin (body gin_trgm_ops)",
]

GOV_DOCUMENTS = """
CREATE VIEW gov_documents AS
SELECT articles.id AS article_id, articles.url, articles.site, articles.title, articles.published,
       gov_metadata.index_number, gov_metadata.doc_number, gov_metadata.doc_code, gov_metadata.doc_year,
       gov_metadata.doc_serial, gov_metadata.issuer, gov_metadata.topic, gov_metadata.written_date,
       gov_metadata.published_date, gov_metadata.effective_date, gov_metadata.repealed_date,
       gov_metadata.validity, gov_metadata.missing_fields, gov_metadata.invalid_fields
FROM gov_metadata JOIN articles ON articles.id = gov_metadata.article_id
"""
# Days are Beijing calendar days; an article without a publication time counts on its fetch day.
DAILY_COUNTS = {
    "sqlite": "date(COALESCE(articles.published, articles.fetched_at), '+8 hours')",
    "postgresql": "(COALESCE(articles.published, articles.fetched_at) AT TIME ZONE 'Asia/Shanghai')::date",
}
DAILY_COUNTS_VIEW = """
CREATE VIEW daily_counts AS
SELECT articles.site, {day} AS day, COUNT(*) AS articles,
       SUM(CASE WHEN articles.duplicate_of IS NULL THEN 1 ELSE 0 END) AS originals
FROM articles
GROUP BY articles.site, {day}
"""
REPOSTS = """
CREATE VIEW reposts AS
SELECT clusters.id AS cluster_id,
       original.id AS original_id, original.title AS original_title, original.site AS original_site,
       original.url AS original_url, original.published AS original_published,
       copy.id AS copy_id, copy.title AS copy_title, copy.site AS copy_site, copy.url AS copy_url,
       copy.published AS copy_published, copy.fetched_at AS copy_fetched_at, copy.source_name AS copy_source_name
FROM clusters
JOIN articles AS original ON original.canonical_url = clusters.canonical_url
JOIN articles AS copy ON copy.cluster_id = clusters.id AND copy.id <> original.id
"""
VIEWS = ("reposts", "daily_counts", "gov_documents")


def upgrade() -> None:
    op.create_table(
        "attachments",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("article_id", sa.Integer(), nullable=False),
        sa.Column("url", sa.Text(), nullable=False),
        sa.Column("text", sa.Text(), nullable=True),
        sa.Column("file_type", sa.String(length=20), nullable=True),
        sa.ForeignKeyConstraint(["article_id"], ["articles.id"], name=op.f("fk_attachments_article_id_articles"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_attachments")),
    )
    op.create_index(op.f("ix_attachments_article_id"), "attachments", ["article_id"])
    op.create_table(
        "entities",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("level", sa.String(length=20), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_entities")),
        sa.UniqueConstraint("kind", "name", name="uq_entities_kind_name"),
    )
    op.create_table(
        "article_entities",
        sa.Column("article_id", sa.Integer(), nullable=False),
        sa.Column("entity_id", sa.Integer(), nullable=False),
        sa.Column("mentions", sa.Integer(), nullable=False),
        sa.Column("role", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(["article_id"], ["articles.id"], name=op.f("fk_article_entities_article_id_articles"),
                                ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["entity_id"], ["entities.id"], name=op.f("fk_article_entities_entity_id_entities"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("article_id", "entity_id", name=op.f("pk_article_entities")),
    )
    op.create_index(op.f("ix_article_entities_entity_id"), "article_entities", ["entity_id"])
    op.create_table(
        "amounts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("article_id", sa.Integer(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("yuan", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(["article_id"], ["articles.id"], name=op.f("fk_amounts_article_id_articles"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_amounts")),
    )
    op.create_index(op.f("ix_amounts_article_id"), "amounts", ["article_id"])
    op.create_table(
        "gov_metadata",
        sa.Column("article_id", sa.Integer(), nullable=False),
        sa.Column("index_number", sa.Text(), nullable=True),
        sa.Column("doc_number", sa.Text(), nullable=True),
        sa.Column("doc_code", sa.Text(), nullable=True),
        sa.Column("doc_year", sa.Integer(), nullable=True),
        sa.Column("doc_serial", sa.Integer(), nullable=True),
        sa.Column("issuer", sa.Text(), nullable=True),
        sa.Column("topic", sa.Text(), nullable=True),
        sa.Column("written_date", sa.Date(), nullable=True),
        sa.Column("published_date", sa.Date(), nullable=True),
        sa.Column("effective_date", sa.Date(), nullable=True),
        sa.Column("repealed_date", sa.Date(), nullable=True),
        sa.Column("validity", sa.Text(), nullable=True),
        sa.Column("missing_fields", JSON, nullable=False),
        sa.Column("invalid_fields", JSON, nullable=False),
        sa.ForeignKeyConstraint(["article_id"], ["articles.id"], name=op.f("fk_gov_metadata_article_id_articles"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("article_id", name=op.f("pk_gov_metadata")),
    )
    op.create_index(op.f("ix_gov_metadata_doc_number"), "gov_metadata", ["doc_number"])
    op.create_index(op.f("ix_gov_metadata_index_number"), "gov_metadata", ["index_number"])
    op.create_index(op.f("ix_gov_metadata_issuer"), "gov_metadata", ["issuer"])

    # Live crawls look up known article links by URL (crawler/crawlstate/state.py).
    op.create_index(op.f("ix_articles_url"), "articles", ["url"])
    # "Which outlets are named as 来源", "articles in Traditional script" (docs/queries.md).
    op.create_index(op.f("ix_articles_source_name"), "articles", ["source_name"])
    op.create_index(op.f("ix_articles_script"), "articles", ["script"])

    dialect = op.get_bind().dialect.name
    for statement in SQLITE_FTS if dialect == "sqlite" else POSTGRES_FTS:
        op.execute(statement)
    op.execute(GOV_DOCUMENTS)
    op.execute(DAILY_COUNTS_VIEW.format(day=DAILY_COUNTS[dialect]))
    op.execute(REPOSTS)


def downgrade() -> None:
    for view in VIEWS:
        op.execute(f"DROP VIEW IF EXISTS {view}")
    if op.get_bind().dialect.name == "sqlite":
        for trigger in ("articles_fts_update", "articles_fts_delete", "articles_fts_insert"):
            op.execute(f"DROP TRIGGER IF EXISTS {trigger}")
        op.execute("DROP TABLE IF EXISTS articles_fts")
    else:
        op.execute("DROP INDEX IF EXISTS ix_articles_body_trgm")
        op.execute("DROP INDEX IF EXISTS ix_articles_title_trgm")
    op.drop_index(op.f("ix_articles_script"), table_name="articles")
    op.drop_index(op.f("ix_articles_source_name"), table_name="articles")
    op.drop_index(op.f("ix_articles_url"), table_name="articles")
    for table in ("gov_metadata", "amounts", "article_entities", "entities", "attachments"):
        op.drop_table(table)
