"""The trigger-kept summary tables match the full aggregates after every kind of write."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy import Connection, Engine, text

from crawler.db.articles import upsert_articles
from crawler.items import Amount, Annex, Entities, MentionedPerson, Place
from tests.test_db import T0, T1, article

# The aggregates the summary tables stand for, over every row (docs/queries.md, questions 3 and 8).
SITE_COUNTS = """
SELECT articles.site, COUNT(*) AS rows_stored,
       SUM(CASE WHEN (clusters.id IS NULL AND articles.duplicate_of IS NULL)
                  OR clusters.canonical_url = articles.canonical_url THEN 1 ELSE 0 END) AS stories
FROM articles LEFT JOIN clusters ON clusters.id = articles.cluster_id
GROUP BY articles.site
"""
ENTITY_AMOUNTS = """
SELECT article_entities.entity_id, SUM(amounts.yuan) AS yuan, COUNT(DISTINCT amounts.article_id) AS articles
FROM amounts
JOIN articles ON articles.id = amounts.article_id AND articles.duplicate_of IS NULL
JOIN article_entities ON article_entities.article_id = amounts.article_id
GROUP BY article_entities.entity_id
"""


def money(city: str, *yuan: int, person: str = "王明") -> Annex:
    return Annex(
        entities=Entities(places=[Place(city, 1, "city")], people=[MentionedPerson(person, "局长", 1)]),
        amounts=[Amount(f"{value}元", value) for value in yuan],
    )


def rows(connection: Connection, sql: str) -> set[tuple[Any, ...]]:
    result = connection.execute(text(sql))
    return {tuple(value if isinstance(value, str) else int(value) for value in row) for row in result}


def assert_in_sync(engine: Engine) -> None:
    with engine.connect() as connection:
        assert rows(connection, "SELECT site, rows_stored, stories FROM site_counts WHERE rows_stored <> 0") == rows(
            connection, SITE_COUNTS
        )
        assert rows(connection, "SELECT entity_id, yuan, articles FROM entity_amounts WHERE articles <> 0") == rows(
            connection, ENTITY_AMOUNTS
        )
        assert rows(connection, "SELECT 1 FROM entity_amounts WHERE articles = 0 AND yuan <> 0") == set()


def execute(sql: str, **params: Any) -> Callable[[Connection], None]:
    return lambda connection: connection.execute(text(sql), params) and None


def upsert(*articles: Any) -> Callable[[Connection], None]:
    return lambda connection: upsert_articles(connection, list(articles), now=T1) and None


A, B, C = "http://a.cn/1", "http://b.cn/1", "http://c.cn/1"
CLUSTER = "INSERT INTO clusters (id, canonical_url, created_at, updated_at) VALUES (:id, :url, :t, :t)"
# Each step is one kind of write the triggers must follow; the check runs after every step.
STEPS: list[tuple[str, Callable[[Connection], None]]] = [
    ("insert articles with children", upsert(
        article(A, body="原文", site="jiaxing", cluster_id=1, extra=money("嘉兴市", 100, 20)),
        article(B, body="转载", site="quzhou", cluster_id=1, duplicate_of=A, extra=money("嘉兴市", 100, 20)),
        article(C, body="另一篇", site="quzhou", extra=money("衢州市", 5)),
    )),
    ("insert the cluster", execute(CLUSTER, id=1, url=A, t=T0)),
    ("a copy becomes the original", execute("UPDATE articles SET duplicate_of = NULL WHERE canonical_url = :u", u=B)),
    ("the original becomes a copy", execute(
        "UPDATE articles SET duplicate_of = :b WHERE canonical_url = :a", a=A, b=B)),
    ("the cluster changes its original", execute("UPDATE clusters SET canonical_url = :u WHERE id = 1", u=B)),
    ("a changed page rewrites its children", upsert(
        article(C, body="另一篇改", site="quzhou", extra=money("嘉兴市", 7, person="李华")),
    )),
    ("amounts removed by hand", execute("DELETE FROM amounts WHERE yuan = 20")),
    ("an entity link removed by hand", execute(
        "DELETE FROM article_entities WHERE entity_id = (SELECT id FROM entities WHERE name = '李华')")),
    ("an article moves site", execute("UPDATE articles SET site = 'hangzhou' WHERE canonical_url = :u", u=C)),
    ("an article is deleted", execute("DELETE FROM articles WHERE canonical_url = :u", u=B)),
    ("the cluster is deleted", execute("DELETE FROM clusters WHERE id = 1")),
]  # fmt: skip


def test_summaries_follow_every_write(engine: Engine) -> None:
    for name, step in STEPS:
        with engine.begin() as connection:
            step(connection)
        try:
            assert_in_sync(engine)
        except AssertionError as error:
            raise AssertionError(f"after step {name!r}: {error}") from error


def test_the_migration_fills_the_summaries_of_existing_rows(engine: Engine) -> None:
    from crawler.db.schema import downgrade, upgrade

    for _, step in STEPS[:2]:
        with engine.begin() as connection:
            step(connection)
    downgrade(engine, "0004")
    upgrade(engine)
    assert_in_sync(engine)
    with engine.connect() as connection:
        assert rows(connection, "SELECT site, stories FROM site_counts") == {("jiaxing", 1), ("quzhou", 1)}


def test_articles_fts_is_one_search_on_both_databases(engine: Engine) -> None:
    with engine.begin() as connection:
        upsert_articles(
            connection, [article(A, body="构建技术创新中心体系。"), article(B, title="技术创新中心揭牌"),
                         article(C, body="无关正文。")], now=T0)  # fmt: skip
    with engine.connect() as connection:
        hits = connection.execute(
            text("SELECT articles.url FROM articles_fts('技术创新中心') AS hits "
                 "JOIN articles ON articles.id = hits.rowid")
        )  # fmt: skip
        assert sorted(hits.scalars()) == [A, B]
