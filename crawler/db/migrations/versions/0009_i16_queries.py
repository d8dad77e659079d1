"""answers people can trust: local days, hosts, any-length search, authors and cited documents

Revision ID: 0009_i16_queries
Revises: 0008_published_precision
Create Date: 2026-12-08

* ``articles.host`` (the URL's host: one outlet whether replayed or crawled) and
  ``articles.published_day`` (the calendar day of ``published`` in the site's local time,
  :mod:`crawler.timezones`), indexed together for "this outlet's notices of July".
  Existing rows get their host from the URL and their day in the default zone (Asia/Shanghai;
  a date-only value keeps its printed date).
* ``article_authors`` and ``article_citations``: bylines and cited 文号 out of ``extra`` into
  indexed tables, filled from ``extra`` for existing rows.
* Search of one- and two-character words (:mod:`crawler.db.grams`): on SQLite the FTS5 table
  ``articles_grams`` with its triggers, on Postgres the ``ix_articles_grams`` GIN index and the
  function ``articles_grams(term)``. ``articles_fts(term)`` on Postgres ignores Latin case
  (``ILIKE``) as FTS5 does, and reads a term in double quotes (FTS5's phrase form) as the term.
* Views: ``daily_counts`` counts by ``published_day`` and ``host``; ``articles_unique`` and
  ``gov_documents`` are made again so they carry the new columns on Postgres too (where a
  view's ``*`` is fixed when it is made).
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from alembic import op

from crawler.db.grams import gram_text

revision = "0009_i16_queries"
down_revision = "0008_published_precision"
branch_labels = None
depends_on = None

DEFAULT_ZONE = ZoneInfo("Asia/Shanghai")

SQLITE_GRAMS = [
    """CREATE VIRTUAL TABLE articles_grams USING fts5(
        grams, content='', detail=none, tokenize='unicode61 remove_diacritics 0')""",
    """CREATE TRIGGER articles_grams_insert AFTER INSERT ON articles BEGIN
        INSERT INTO articles_grams(rowid, grams) VALUES (new.id, article_grams(new.title, new.body));
    END""",
    """CREATE TRIGGER articles_grams_delete AFTER DELETE ON articles BEGIN
        INSERT INTO articles_grams(articles_grams, rowid, grams)
        VALUES ('delete', old.id, article_grams(old.title, old.body));
    END""",
    """CREATE TRIGGER articles_grams_update AFTER UPDATE OF title, body ON articles BEGIN
        INSERT INTO articles_grams(articles_grams, rowid, grams)
        VALUES ('delete', old.id, article_grams(old.title, old.body));
        INSERT INTO articles_grams(rowid, grams) VALUES (new.id, article_grams(new.title, new.body));
    END""",
    "INSERT INTO articles_grams(rowid, grams) SELECT id, article_grams(title, body) FROM articles",
]
SQLITE_GRAM_TRIGGERS = ("articles_grams_update", "articles_grams_delete", "articles_grams_insert")

# Every character and every pair (from even and odd offsets) as a word of its own; the parser
# keeps the letters and digits, 'simple' lower-cases them. C functions only: a 3,000-character
# body costs well under a millisecond.
POSTGRES_GRAMS = [
    r"""CREATE FUNCTION text_grams(t text) RETURNS tsvector LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT AS $$
    SELECT strip(to_tsvector('simple', regexp_replace(t, '(.)', '\1 ', 'g')
        || ' ' || regexp_replace(t, '(..)', '\1 ', 'g') || ' ' || regexp_replace(substr(t, 2), '(..)', '\1 ', 'g')))
    $$""",
    # PL/pgSQL, so the planner does not inline it, and costly, so it never computes the grams of
    # every row (a scan) where the index gives them: a common word would take seconds.
    """CREATE FUNCTION article_grams(title text, body text) RETURNS tsvector
    LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE COST 10000 AS $$
    BEGIN
        RETURN COALESCE(text_grams(title), ''::tsvector) || COALESCE(text_grams(body), ''::tsvector);
    END $$""",
    "CREATE INDEX ix_articles_grams ON articles USING gin (article_grams(title, body))",
    """CREATE FUNCTION articles_grams(term text) RETURNS TABLE (rowid integer) LANGUAGE sql STABLE AS $$
    SELECT articles.id FROM articles
    WHERE article_grams(articles.title, articles.body) @@ plainto_tsquery('simple', term)
    $$""",
]
# A term in double quotes (FTS5's phrase, needed there for punctuation) means the term.
_PG_TERM = """(CASE WHEN term LIKE '"%"' AND length(term) > 1
       THEN replace(substr(term, 2, length(term) - 2), '""', '"') ELSE term END)"""
_PG_PATTERN = (
    r"'%' || replace(replace(replace(" + _PG_TERM + r""", '\', '\\'), '%', '\%'), '_', '\_') || '%'"""
)
POSTGRES_ARTICLES_FTS = f"""
CREATE OR REPLACE FUNCTION articles_fts(term text) RETURNS TABLE (rowid integer) LANGUAGE sql STABLE AS $$
    SELECT articles.id FROM articles
    WHERE articles.title ILIKE {_PG_PATTERN} OR articles.body ILIKE {_PG_PATTERN}
$$
"""
POSTGRES_ARTICLES_FTS_0005 = r"""
CREATE OR REPLACE FUNCTION articles_fts(term text) RETURNS TABLE (rowid integer) LANGUAGE sql STABLE AS $$
    SELECT articles.id FROM articles
    WHERE articles.title LIKE '%' || replace(replace(replace(term, '\', '\\'), '%', '\%'), '_', '\_') || '%'
       OR articles.body LIKE '%' || replace(replace(replace(term, '\', '\\'), '%', '\%'), '_', '\_') || '%'
$$
"""

ARTICLES_UNIQUE = """
CREATE VIEW articles_unique AS
SELECT articles.*
FROM articles
LEFT JOIN clusters ON clusters.id = articles.cluster_id
WHERE (clusters.id IS NULL AND articles.duplicate_of IS NULL)
   OR clusters.canonical_url = articles.canonical_url
"""
GOV_DOCUMENTS = """
CREATE VIEW gov_documents AS
SELECT articles.id AS article_id, articles.url, articles.site, {host}articles.title, articles.published,
       {day}gov_metadata.index_number, gov_metadata.doc_number, gov_metadata.doc_code, gov_metadata.doc_year,
       gov_metadata.doc_serial, gov_metadata.issuer, gov_metadata.topic, gov_metadata.written_date,
       gov_metadata.published_date, gov_metadata.effective_date, gov_metadata.repealed_date,
       gov_metadata.validity, gov_metadata.missing_fields, gov_metadata.invalid_fields
FROM gov_metadata JOIN articles ON articles.id = gov_metadata.article_id
"""
# An article without a publication time has no day: it counts in the row whose day is NULL.
DAILY_COUNTS = """
CREATE VIEW daily_counts AS
SELECT articles.site, articles.host, articles.published_day AS day, COUNT(*) AS articles,
       SUM(CASE WHEN articles.duplicate_of IS NULL THEN 1 ELSE 0 END) AS originals
FROM articles
GROUP BY articles.site, articles.host, articles.published_day
"""
DAILY_COUNTS_0004 = {
    "sqlite": "date(COALESCE(articles.published, articles.fetched_at), '+8 hours')",
    "postgresql": "(COALESCE(articles.published, articles.fetched_at) AT TIME ZONE 'Asia/Shanghai')::date",
}
DAILY_COUNTS_VIEW_0004 = """
CREATE VIEW daily_counts AS
SELECT articles.site, {day} AS day, COUNT(*) AS articles,
       SUM(CASE WHEN articles.duplicate_of IS NULL THEN 1 ELSE 0 END) AS originals
FROM articles
GROUP BY articles.site, {day}
"""
VIEWS = ("daily_counts", "gov_documents", "articles_unique")


def host_of(url: str) -> str | None:
    """The lower-case host of ``url``; ``None`` for local files and URLs without one."""
    return urlsplit(url).hostname or None


def published_day_of(published: Any) -> date | None:
    """The day of a stored publication time in the default zone (a stored date-only value is
    midnight of its day there)."""
    if published is None:
        return None
    moment = published if isinstance(published, datetime) else datetime.fromisoformat(str(published))
    moment = moment if moment.tzinfo else moment.replace(tzinfo=UTC)
    return moment.astimezone(DEFAULT_ZONE).date()


def _articles_unique_before(dialect: str) -> str:
    """The view as the revisions before left it: on Postgres its ``*`` was fixed in 0003, so it
    lacks the columns 0008 added (and 0008's downgrade drops them, which the view must allow)."""
    if dialect == "sqlite":
        return ARTICLES_UNIQUE
    later = {"published_precision", "published_offset"}
    columns = [c["name"] for c in sa.inspect(op.get_bind()).get_columns("articles") if c["name"] not in later]
    return ARTICLES_UNIQUE.replace("articles.*", ", ".join(f"articles.{name}" for name in columns))


def _register_sqlite_function() -> None:
    """The gram function on this migration's own connection, whatever opened it."""
    dbapi = op.get_bind().connection.dbapi_connection
    dbapi.create_function("article_grams", 2, gram_text, deterministic=True)  # type: ignore[union-attr]


def _create_child_tables() -> None:
    op.create_table(
        "article_authors",
        sa.Column("article_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("role", sa.String(length=40), nullable=False),
        sa.Column("label", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(["article_id"], ["articles.id"], name=op.f("fk_article_authors_article_id_articles"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("article_id", "position", name=op.f("pk_article_authors")),
    )  # fmt: skip
    op.create_index(op.f("ix_article_authors_name"), "article_authors", ["name"])
    op.create_table(
        "article_citations",
        sa.Column("article_id", sa.Integer(), nullable=False),
        sa.Column("doc_number", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(["article_id"], ["articles.id"],
                                name=op.f("fk_article_citations_article_id_articles"), ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("article_id", "doc_number", name=op.f("pk_article_citations")),
    )  # fmt: skip
    op.create_index(op.f("ix_article_citations_doc_number"), "article_citations", ["doc_number"])


def _backfill() -> None:
    """Host, day, authors and citations of the rows stored before this revision."""
    connection = op.get_bind()
    articles = sa.table(
        "articles",
        sa.column("id", sa.Integer()),
        sa.column("url", sa.Text()),
        sa.column("published", sa.DateTime()),
        sa.column("extra", sa.JSON()),
        sa.column("host", sa.String()),
        sa.column("published_day", sa.Date()),
    )
    rows = connection.execute(
        sa.select(articles.c.id, articles.c.url, articles.c.published, articles.c.extra)
    ).all()
    if not rows:
        return
    connection.execute(
        articles.update()
        .where(articles.c.id == sa.bindparam("row_id"))
        .values(host=sa.bindparam("new_host"), published_day=sa.bindparam("new_day")),
        [
            {"row_id": row.id, "new_host": host_of(row.url),
             "new_day": published_day_of(row.published)}
            for row in rows
        ],
    )  # fmt: skip
    authors: list[dict[str, Any]] = []
    citations: list[dict[str, Any]] = []
    for row in rows:
        extra = row.extra if isinstance(row.extra, dict) else {}
        authors.extend(
            {"article_id": row.id, "position": position, "name": person["name"], "role": person["role"],
             "label": person.get("label")}
            for position, person in enumerate(extra.get("authors") or [])
        )  # fmt: skip
        citations.extend(
            {"article_id": row.id, "doc_number": number} for number in dict.fromkeys(extra.get("cited_doc_numbers") or [])
        )
    if authors:
        op.bulk_insert(sa.table("article_authors", *(sa.column(name) for name in authors[0])), authors)
    if citations:
        op.bulk_insert(sa.table("article_citations", sa.column("article_id"), sa.column("doc_number")), citations)


def upgrade() -> None:
    dialect = op.get_bind().dialect.name
    for view in VIEWS:
        op.execute(f"DROP VIEW IF EXISTS {view}")
    op.add_column("articles", sa.Column("host", sa.String(length=255), nullable=True))
    op.add_column("articles", sa.Column("published_day", sa.Date(), nullable=True))
    _create_child_tables()
    _backfill()
    op.create_index("ix_articles_host_published_day", "articles", ["host", "published_day"])
    if dialect == "sqlite":
        _register_sqlite_function()
        for statement in SQLITE_GRAMS:
            op.execute(statement)
    else:
        for statement in POSTGRES_GRAMS:
            op.execute(statement)
        op.execute(POSTGRES_ARTICLES_FTS)
    op.execute(ARTICLES_UNIQUE)
    op.execute(GOV_DOCUMENTS.format(host="articles.host, ", day="articles.published_day, "))
    op.execute(DAILY_COUNTS)


def downgrade() -> None:
    dialect = op.get_bind().dialect.name
    for view in VIEWS:
        op.execute(f"DROP VIEW IF EXISTS {view}")
    if dialect == "sqlite":
        for trigger in SQLITE_GRAM_TRIGGERS:
            op.execute(f"DROP TRIGGER IF EXISTS {trigger}")
        op.execute("DROP TABLE IF EXISTS articles_grams")
    else:
        op.execute(POSTGRES_ARTICLES_FTS_0005)
        op.execute("DROP FUNCTION IF EXISTS articles_grams(text)")
        op.execute("DROP INDEX IF EXISTS ix_articles_grams")
        op.execute("DROP FUNCTION IF EXISTS article_grams(text, text)")
        op.execute("DROP FUNCTION IF EXISTS text_grams(text)")
    op.drop_index("ix_articles_host_published_day", table_name="articles")
    op.drop_index(op.f("ix_article_citations_doc_number"), table_name="article_citations")
    op.drop_table("article_citations")
    op.drop_index(op.f("ix_article_authors_name"), table_name="article_authors")
    op.drop_table("article_authors")
    # Plain DROP COLUMN, as 0008: a batch rebuild of ``articles`` would break its other views.
    op.execute("ALTER TABLE articles DROP COLUMN published_day")
    op.execute("ALTER TABLE articles DROP COLUMN host")
    op.execute(_articles_unique_before(dialect))
    op.execute(GOV_DOCUMENTS.format(host="", day=""))
    op.execute(DAILY_COUNTS_VIEW_0004.format(day=DAILY_COUNTS_0004[dialect]))
