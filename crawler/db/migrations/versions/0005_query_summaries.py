"""summary tables for archive-wide questions, portable full-text function, clusters.canonical_url index

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-23

* ``site_counts`` (rows and stories per site) and ``entity_amounts`` (money in the original
  articles that mention each entity): archive-wide aggregates of docs/queries.md that cost a
  join over every row, kept current by triggers on ``articles``, ``clusters``, ``amounts`` and
  ``article_entities``, so every writer (storage stage, near-duplicate sync, ``scrapy
  recluster``, hand-written SQL) keeps them in step in its own transaction. SQLite has only
  row triggers; Postgres uses statement triggers over transition tables (one grouped upsert per
  statement, not one per row). Upserts go in key order so concurrent writers lock in one order.
* ``articles_fts(term)``: on SQLite the FTS5 table (migration 0004) called as a table-valued
  function; on Postgres an inlinable SQL function with the same name and ``rowid`` column whose
  ``LIKE`` the ``pg_trgm`` indexes serve. One query text searches on both databases.
* ``ix_clusters_canonical_url``: the ``reposts`` view joins a story's original to its cluster.
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

# A row is a story when it is the original of its cluster, or has no cluster row and copies
# nothing: the condition of the articles_unique view.
STORY = """CASE WHEN EXISTS (SELECT 1 FROM clusters WHERE clusters.id = {row}.cluster_id
                        AND clusters.canonical_url = {row}.canonical_url) THEN 1
     WHEN {row}.duplicate_of IS NULL
      AND NOT EXISTS (SELECT 1 FROM clusters WHERE clusters.id = {row}.cluster_id) THEN 1 ELSE 0 END"""
# What a cluster row adds to the story count of one of its members ``articles``: it makes the
# member a story if it is the cluster's original, where without it an uncopied member would be.
CLUSTER_STORY = """CASE WHEN articles.canonical_url = {row}.canonical_url THEN 1 ELSE 0 END
    - CASE WHEN articles.duplicate_of IS NULL THEN 1 ELSE 0 END"""
SITE_COUNTS_BACKFILL = f"""
INSERT INTO site_counts (site, rows_stored, stories)
SELECT articles.site, COUNT(*), SUM({STORY.format(row="articles")})
FROM articles GROUP BY articles.site
"""
ENTITY_AMOUNTS_BACKFILL = """
INSERT INTO entity_amounts (entity_id, yuan, articles)
SELECT article_entities.entity_id, SUM(totals.yuan), COUNT(*)
FROM (SELECT article_id, SUM(yuan) AS yuan FROM amounts GROUP BY article_id) AS totals
JOIN articles ON articles.id = totals.article_id AND articles.duplicate_of IS NULL
JOIN article_entities ON article_entities.article_id = totals.article_id
GROUP BY article_entities.entity_id
"""
SITE_UPSERT = """INSERT INTO site_counts (site, rows_stored, stories) {select}
ON CONFLICT (site) DO UPDATE SET rows_stored = site_counts.rows_stored + excluded.rows_stored,
                                 stories = site_counts.stories + excluded.stories"""
ENTITY_UPSERT = """INSERT INTO entity_amounts (entity_id, yuan, articles) {select}
ON CONFLICT (entity_id) DO UPDATE SET yuan = entity_amounts.yuan + excluded.yuan,
                                      articles = entity_amounts.articles + excluded.articles"""


def _sqlite_flipped_article_money() -> str:
    """When an article becomes an original (or stops being one): +/- (its total, 1) per entity it mentions."""
    sign = "(CASE WHEN NEW.duplicate_of IS NULL THEN 1 ELSE -1 END)"
    return ENTITY_UPSERT.format(
        select=f"""SELECT article_entities.entity_id, {sign} * totals.yuan, {sign}
        FROM article_entities
        JOIN (SELECT SUM(yuan) AS yuan FROM amounts WHERE article_id = NEW.id) AS totals
        WHERE article_entities.article_id = NEW.id AND totals.yuan IS NOT NULL
          AND (OLD.duplicate_of IS NULL) <> (NEW.duplicate_of IS NULL)"""
    )


def _sqlite_cluster_story(row: str, sign: str) -> str:
    return f"""UPDATE site_counts SET stories = stories {sign} (
            SELECT SUM({CLUSTER_STORY.format(row=row)}) FROM articles
            WHERE articles.cluster_id = {row}.id AND articles.site = site_counts.site)
        WHERE site IN (SELECT site FROM articles WHERE cluster_id = {row}.id)"""


SQLITE_TRIGGERS = {
    "summaries_articles_insert": f"""AFTER INSERT ON articles BEGIN
        {SITE_UPSERT.format(select=f"VALUES (NEW.site, 1, {STORY.format(row='NEW')})")};
    END""",
    "summaries_articles_update": f"""AFTER UPDATE OF site, canonical_url, cluster_id, duplicate_of ON articles
    WHEN OLD.site IS NOT NEW.site OR OLD.canonical_url IS NOT NEW.canonical_url
      OR OLD.cluster_id IS NOT NEW.cluster_id OR OLD.duplicate_of IS NOT NEW.duplicate_of BEGIN
        UPDATE site_counts SET rows_stored = rows_stored - 1, stories = stories - {STORY.format(row="OLD")}
        WHERE site = OLD.site;
        {SITE_UPSERT.format(select=f"VALUES (NEW.site, 1, {STORY.format(row='NEW')})")};
        {_sqlite_flipped_article_money()};
    END""",
    # Children first, while the article row still says whether it counts (a cascade would
    # delete them after it).
    "summaries_articles_before_delete": """BEFORE DELETE ON articles BEGIN
        DELETE FROM amounts WHERE article_id = OLD.id;
        DELETE FROM article_entities WHERE article_id = OLD.id;
    END""",
    "summaries_articles_delete": f"""AFTER DELETE ON articles BEGIN
        UPDATE site_counts SET rows_stored = rows_stored - 1, stories = stories - {STORY.format(row="OLD")}
        WHERE site = OLD.site;
    END""",
    "summaries_clusters_insert": f"AFTER INSERT ON clusters BEGIN {_sqlite_cluster_story('NEW', '+')}; END",
    "summaries_clusters_delete": f"AFTER DELETE ON clusters BEGIN {_sqlite_cluster_story('OLD', '-')}; END",
    "summaries_clusters_update": f"""AFTER UPDATE OF id, canonical_url ON clusters BEGIN
        {_sqlite_cluster_story("OLD", "-")}; {_sqlite_cluster_story("NEW", "+")};
    END""",
    "summaries_amounts_insert": f"""AFTER INSERT ON amounts BEGIN
        {ENTITY_UPSERT.format(select='''SELECT article_entities.entity_id, NEW.yuan,
            (SELECT COUNT(*) FROM amounts WHERE article_id = NEW.article_id) = 1
        FROM article_entities WHERE article_entities.article_id = NEW.article_id
          AND EXISTS (SELECT 1 FROM articles WHERE id = NEW.article_id AND duplicate_of IS NULL)''')};
    END""",
    "summaries_amounts_delete": f"""AFTER DELETE ON amounts BEGIN
        {ENTITY_UPSERT.format(select='''SELECT article_entities.entity_id, -OLD.yuan,
            -NOT EXISTS (SELECT 1 FROM amounts WHERE article_id = OLD.article_id)
        FROM article_entities WHERE article_entities.article_id = OLD.article_id
          AND EXISTS (SELECT 1 FROM articles WHERE id = OLD.article_id AND duplicate_of IS NULL)''')};
    END""",
    "summaries_article_entities_insert": f"""AFTER INSERT ON article_entities BEGIN
        {ENTITY_UPSERT.format(select='''SELECT NEW.entity_id, totals.yuan, 1
        FROM (SELECT SUM(yuan) AS yuan FROM amounts WHERE article_id = NEW.article_id) AS totals
        WHERE totals.yuan IS NOT NULL
          AND EXISTS (SELECT 1 FROM articles WHERE id = NEW.article_id AND duplicate_of IS NULL)''')};
    END""",
    "summaries_article_entities_delete": f"""AFTER DELETE ON article_entities BEGIN
        {ENTITY_UPSERT.format(select='''SELECT OLD.entity_id, -totals.yuan, -1
        FROM (SELECT SUM(yuan) AS yuan FROM amounts WHERE article_id = OLD.article_id) AS totals
        WHERE totals.yuan IS NOT NULL
          AND EXISTS (SELECT 1 FROM articles WHERE id = OLD.article_id AND duplicate_of IS NULL)''')};
    END""",
}


def _pg_site_delta(rows: str, sign: str) -> str:
    """(site, sign, sign x story) for each row of a transition table of ``articles``."""
    return f"SELECT {rows}.site, {sign} AS n, {sign} * {STORY.format(row=rows)} AS s FROM {rows}"


def _pg_site_upsert(deltas: str) -> str:
    return SITE_UPSERT.format(
        select=f"SELECT site, SUM(n), SUM(s) FROM ({deltas}) AS deltas GROUP BY site ORDER BY site"
    )


def _pg_cluster_delta(rows: str, sign: str) -> str:
    return f"""SELECT articles.site, 0 AS n, {sign} * ({CLUSTER_STORY.format(row=rows)}) AS s
        FROM {rows} JOIN articles ON articles.cluster_id = {rows}.id"""


def _pg_money(articles: str) -> str:
    """``articles``: a query of (id, sign); adds sign x (total, 1) to each entity they mention."""
    return ENTITY_UPSERT.format(
        select=f"""SELECT article_entities.entity_id, SUM(changed.sign * totals.yuan), SUM(changed.sign)
        FROM ({articles}) AS changed
        JOIN (SELECT article_id, SUM(yuan) AS yuan FROM amounts
              WHERE article_id IN (SELECT id FROM ({articles}) AS ids) GROUP BY article_id) AS totals
          ON totals.article_id = changed.id
        JOIN article_entities ON article_entities.article_id = changed.id
        GROUP BY article_entities.entity_id ORDER BY article_entities.entity_id"""
    )


def _pg_amount_change(rows: str, sign: str, counts_article: str) -> str:
    """Amounts added (sign +1) or removed (-1) for original articles, per entity they mention.

    ``counts_article`` (over ``changed``): whether the change adds (removes) the article itself,
    its first amounts arrived (its last ones left). Evaluated after the joins, so only for
    articles that already have entity links: the storage stage writes amounts before links.
    """
    return ENTITY_UPSERT.format(
        select=f"""SELECT article_entities.entity_id, SUM({sign} * changed.yuan),
               SUM({sign} * CASE WHEN {counts_article} THEN 1 ELSE 0 END)
        FROM (SELECT {rows}.article_id, SUM({rows}.yuan) AS yuan, COUNT(*) AS k FROM {rows}
              GROUP BY {rows}.article_id) AS changed
        JOIN article_entities ON article_entities.article_id = changed.article_id
        JOIN articles ON articles.id = changed.article_id AND articles.duplicate_of IS NULL
        GROUP BY article_entities.entity_id ORDER BY article_entities.entity_id"""
    )


def _pg_link_change(rows: str, sign: str) -> str:
    return ENTITY_UPSERT.format(
        select=f"""SELECT {rows}.entity_id, SUM({sign} * totals.yuan), SUM({sign})
        FROM {rows}
        JOIN articles ON articles.id = {rows}.article_id AND articles.duplicate_of IS NULL
        JOIN (SELECT article_id, SUM(yuan) AS yuan FROM amounts
              WHERE article_id IN (SELECT article_id FROM {rows}) GROUP BY article_id) AS totals
          ON totals.article_id = {rows}.article_id
        GROUP BY {rows}.entity_id ORDER BY {rows}.entity_id"""
    )


FLIPPED = """SELECT new_rows.id, CASE WHEN new_rows.duplicate_of IS NULL THEN 1 ELSE -1 END AS sign
    FROM new_rows JOIN old_rows ON old_rows.id = new_rows.id
    WHERE (new_rows.duplicate_of IS NULL) <> (old_rows.duplicate_of IS NULL)"""
# table -> {event: statements}; each event has its own trigger and transition tables.
POSTGRES_SUMMARIES = {
    "articles": {
        "INSERT": [_pg_site_upsert(_pg_site_delta("new_rows", "1"))],
        "UPDATE": [
            _pg_site_upsert(_pg_site_delta("new_rows", "1") + " UNION ALL " + _pg_site_delta("old_rows", "-1")),
            _pg_money(FLIPPED),
        ],
        "DELETE": [_pg_site_upsert(_pg_site_delta("old_rows", "-1"))],
    },
    "clusters": {
        "INSERT": [_pg_site_upsert(_pg_cluster_delta("new_rows", "1"))],
        "UPDATE": [
            _pg_site_upsert(_pg_cluster_delta("new_rows", "1") + " UNION ALL " + _pg_cluster_delta("old_rows", "-1"))
        ],
        "DELETE": [_pg_site_upsert(_pg_cluster_delta("old_rows", "-1"))],
    },
    "amounts": {
        "INSERT": [
            _pg_amount_change(
                "new_rows", "1", "(SELECT COUNT(*) FROM amounts WHERE amounts.article_id = changed.article_id) = changed.k"
            )
        ],
        "DELETE": [
            _pg_amount_change(
                "old_rows", "-1", "NOT EXISTS (SELECT 1 FROM amounts WHERE amounts.article_id = changed.article_id)"
            )
        ],
    },
    "article_entities": {
        "INSERT": [_pg_link_change("new_rows", "1")],
        "DELETE": [_pg_link_change("old_rows", "-1")],
    },
}
TRANSITIONS = {"INSERT": "NEW TABLE AS new_rows", "UPDATE": "OLD TABLE AS old_rows NEW TABLE AS new_rows",
               "DELETE": "OLD TABLE AS old_rows"}  # fmt: skip
POSTGRES_BEFORE_DELETE = """
CREATE FUNCTION summaries_articles_before_delete() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    -- Children first, while the article row still says whether it counts.
    DELETE FROM amounts WHERE article_id = OLD.id;
    DELETE FROM article_entities WHERE article_id = OLD.id;
    RETURN OLD;
END $$;
CREATE TRIGGER summaries_articles_before_delete BEFORE DELETE ON articles
FOR EACH ROW EXECUTE FUNCTION summaries_articles_before_delete();
"""
# Inlined by the planner: a constant term becomes a constant LIKE pattern the trigram indexes serve.
POSTGRES_ARTICLES_FTS = r"""
CREATE FUNCTION articles_fts(term text) RETURNS TABLE (rowid integer) LANGUAGE sql STABLE AS $$
    SELECT articles.id FROM articles
    WHERE articles.title LIKE '%' || replace(replace(replace(term, '\', '\\'), '%', '\%'), '_', '\_') || '%'
       OR articles.body LIKE '%' || replace(replace(replace(term, '\', '\\'), '%', '\%'), '_', '\_') || '%'
$$
"""


def _pg_trigger_name(table: str, event: str) -> str:
    return f"summaries_{table}_{event.lower()}"


def _create_postgres_triggers() -> None:
    for table, events in POSTGRES_SUMMARIES.items():
        for event, statements in events.items():
            name = _pg_trigger_name(table, event)
            body = ";\n".join(statements)
            op.execute(f"CREATE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS $$\nBEGIN\n{body};\nRETURN NULL;\nEND $$")
            op.execute(
                f"CREATE TRIGGER {name} AFTER {event} ON {table} REFERENCING {TRANSITIONS[event]} "
                f"FOR EACH STATEMENT EXECUTE FUNCTION {name}()"
            )
    op.execute(POSTGRES_BEFORE_DELETE)


def _drop_postgres_triggers() -> None:
    names = [(table, _pg_trigger_name(table, event)) for table, events in POSTGRES_SUMMARIES.items() for event in events]
    for table, name in [*names, ("articles", "summaries_articles_before_delete")]:
        op.execute(f"DROP TRIGGER IF EXISTS {name} ON {table}")
        op.execute(f"DROP FUNCTION IF EXISTS {name}()")


def upgrade() -> None:
    op.create_index(op.f("ix_clusters_canonical_url"), "clusters", ["canonical_url"])
    op.create_table(
        "site_counts",
        sa.Column("site", sa.String(length=200), nullable=False),
        sa.Column("rows_stored", sa.Integer(), nullable=False),
        sa.Column("stories", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("site", name=op.f("pk_site_counts")),
    )
    op.create_table(
        "entity_amounts",
        sa.Column("entity_id", sa.Integer(), nullable=False),
        sa.Column("yuan", sa.BigInteger(), nullable=False),
        sa.Column("articles", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["entity_id"], ["entities.id"], name=op.f("fk_entity_amounts_entity_id_entities"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("entity_id", name=op.f("pk_entity_amounts")),
    )  # fmt: skip
    op.execute(SITE_COUNTS_BACKFILL)
    op.execute(ENTITY_AMOUNTS_BACKFILL)
    if op.get_bind().dialect.name == "sqlite":
        for name, body in SQLITE_TRIGGERS.items():
            op.execute(f"CREATE TRIGGER {name} {body}")
    else:
        _create_postgres_triggers()
        op.execute(POSTGRES_ARTICLES_FTS)


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        for name in SQLITE_TRIGGERS:
            op.execute(f"DROP TRIGGER IF EXISTS {name}")
    else:
        op.execute("DROP FUNCTION IF EXISTS articles_fts(text)")
        _drop_postgres_triggers()
    op.drop_table("entity_amounts")
    op.drop_table("site_counts")
    op.drop_index(op.f("ix_clusters_canonical_url"), table_name="clusters")
