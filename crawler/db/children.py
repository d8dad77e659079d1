"""Keeping the derived tables (:mod:`crawler.db.content_models`) in step with article rows.

Called inside the upsert's transaction for the articles that were inserted or changed: their
child rows are deleted and written again from the item, so a changed page never keeps stale
attachments, entities, metadata, authors or citations.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Mapping, Sequence
from datetime import date
from typing import Any, cast

from sqlalchemy import Connection, Table, delete, select, tuple_

from crawler.db.content_models import (
    AmountRow,
    ArticleAuthorRow,
    ArticleCitationRow,
    ArticleEntityRow,
    AttachmentRow,
    EntityRow,
    GovMetadataRow,
)
from crawler.db.dialects import insert_for, insert_many
from crawler.items import Article, GovMeta

_CHILD_TABLES = tuple(
    cast(Table, row.__table__)
    for row in (AttachmentRow, AmountRow, ArticleEntityRow, GovMetadataRow, ArticleAuthorRow, ArticleCitationRow)
)
_ENTITIES = cast(Table, EntityRow.__table__)
_DATE = re.compile(r"(\d{4})\D{1,3}(\d{1,2})\D{1,3}(\d{1,2})")


def parse_date(value: object) -> date | None:
    """A date from ``2022-07-20``, ``2022年7月20日`` or ``2022/7/20``; ``None`` otherwise."""
    match = _DATE.search(str(value or ""))
    if not match:
        return None
    try:
        return date(*(int(part) for part in match.groups()))
    except ValueError:
        return None


def gov_metadata_row(article_id: int, article: Article) -> dict[str, Any] | None:
    """The typed ``gov_metadata`` row of an article, ``None`` when it has no gov metadata."""
    extra = article.extra
    meta = extra.gov_meta or GovMeta()
    if extra.gov_meta is None and not article.doc_number:
        return None
    parts = extra.doc_number_parts
    return {
        "article_id": article_id,
        "index_number": meta.index_number,
        "doc_number": article.doc_number,
        "doc_code": parts.code if parts else None,
        "doc_year": parts.year if parts else None,
        "doc_serial": parts.serial if parts else None,
        "issuer": article.issuer or meta.issuer,
        "topic": meta.topic,
        "written_date": parse_date(meta.written_date),
        "published_date": parse_date(meta.published_date),
        "effective_date": parse_date(meta.effective_date),
        "repealed_date": parse_date(meta.repealed_date),
        "validity": meta.validity,
        "missing_fields": list(extra.quality.missing),
        "invalid_fields": extra.quality.invalid_fields(),
    }


def _entity_mentions(article: Article) -> list[tuple[str, str, str | None, int, str | None]]:
    """(kind, name, level, mentions, role) for each entity of the article, one per (kind, name)."""
    entities = article.extra.entities
    if entities is None:
        return []
    mentioned: list[tuple[str, str, str | None, int, str | None]] = [
        *(("organization", found.name, None, found.count, None) for found in entities.organizations),
        *(("place", found.name, found.level, found.count, None) for found in entities.places),
        *(("person", found.name, None, found.count, found.role) for found in entities.people),
    ]
    found: dict[tuple[str, str], tuple[str, str, str | None, int, str | None]] = {}
    for kind, name, level, count, role in mentioned:
        if name.strip() and (kind, name.strip()) not in found:
            found[(kind, name.strip())] = (kind, name.strip(), level, count or 1, role)
    return list(found.values())


def _entity_ids(connection: Connection, keys: set[tuple[str, str, str | None]]) -> dict[tuple[str, str], int]:
    """Ids of the (kind, name) entities, creating the missing ones.

    Most entities of a batch (cities, bureaus) exist already: read those, insert only the rest.
    ``ON CONFLICT DO NOTHING`` covers another writer creating one meanwhile; the ids it did not
    return are read again.
    """
    if not keys:
        return {}
    wanted = sorted({(kind, name) for kind, name, _ in keys})
    ids = _existing_entity_ids(connection, wanted)
    missing = sorted(((kind, name, level) for kind, name, level in keys if (kind, name) not in ids), key=str)
    if missing:
        insert, params = insert_many(
            connection,
            insert_for(connection)(_ENTITIES),
            [{"kind": kind, "name": name, "level": level} for kind, name, level in missing],
        )
        created = connection.execute(
            insert.on_conflict_do_nothing(index_elements=["kind", "name"]).returning(
                _ENTITIES.c.id, _ENTITIES.c.kind, _ENTITIES.c.name
            ),
            params,
        )
        ids.update({(row.kind, row.name): row.id for row in created})
        raced = [key for key in wanted if key not in ids]
        if raced:
            ids.update(_existing_entity_ids(connection, raced))
    return ids


def _existing_entity_ids(connection: Connection, wanted: list[tuple[str, str]]) -> dict[tuple[str, str], int]:
    rows = connection.execute(
        select(_ENTITIES.c.id, _ENTITIES.c.kind, _ENTITIES.c.name).where(
            tuple_(_ENTITIES.c.kind, _ENTITIES.c.name).in_(wanted)
        )
    )
    return {(row.kind, row.name): row.id for row in rows}


def sync_children(
    connection: Connection, articles: Sequence[Article], ids: Mapping[str, int], new_urls: Collection[str]
) -> None:
    """Rewrites the derived rows of ``articles`` (already upserted in this transaction).

    ``ids``: ``canonical_url`` -> ``articles.id``, as the upsert returned them; ``new_urls``:
    the articles it inserted, which have no rows to delete.
    """
    if not articles:
        return
    stale = [ids[article.canonical_url] for article in articles if article.canonical_url not in new_urls]
    if stale:
        for table in _CHILD_TABLES:
            connection.execute(delete(table).where(table.c.article_id.in_(stale)))

    attachments: list[dict[str, Any]] = []
    amounts: list[dict[str, Any]] = []
    gov_rows: list[dict[str, Any]] = []
    authors: list[dict[str, Any]] = []
    citations: list[dict[str, Any]] = []
    mentions: list[tuple[int, tuple[str, str, str | None, int, str | None]]] = []
    for article in articles:
        article_id = ids[article.canonical_url]
        attachments.extend(
            {"article_id": article_id, "url": file.url, "text": file.text, "file_type": file.type}
            for file in article.extra.attachments
        )
        amounts.extend(
            {"article_id": article_id, "text": amount.text, "yuan": int(amount.yuan)}
            for amount in article.extra.amounts
            if abs(amount.yuan) < 2**63
        )
        authors.extend(
            {"article_id": article_id, "position": position, "name": person.name, "role": person.role,
             "label": person.label}
            for position, person in enumerate(article.extra.authors)
        )  # fmt: skip
        citations.extend(
            {"article_id": article_id, "doc_number": number}
            for number in dict.fromkeys(article.extra.cited_doc_numbers)
        )
        gov_row = gov_metadata_row(article_id, article)
        if gov_row is not None:
            gov_rows.append(gov_row)
        mentions.extend((article_id, entity) for entity in _entity_mentions(article))

    entity_ids = _entity_ids(connection, {(kind, name, level) for _, (kind, name, level, _, _) in mentions})
    links = [
        {"article_id": article_id, "entity_id": entity_ids[(kind, name)], "mentions": count, "role": role}
        for article_id, (kind, name, _, count, role) in mentions
    ]
    for row_class, rows in (
        (AttachmentRow, attachments),
        (AmountRow, amounts),
        (GovMetadataRow, gov_rows),
        (ArticleEntityRow, links),
        (ArticleAuthorRow, authors),
        (ArticleCitationRow, citations),
    ):
        insert_rows(connection, cast(Table, row_class.__table__), rows)


def insert_rows(connection: Connection, table: Table, rows: Sequence[Mapping[str, Any]]) -> None:
    """Inserts ``rows`` with one statement (:func:`crawler.db.dialects.insert_many`).

    On Postgres that is one ``INSERT ... SELECT`` per table and batch, so the summary triggers
    of ``amounts`` and ``article_entities`` (migration 0005) run once per batch, not once per row.
    """
    if rows:
        connection.execute(*insert_many(connection, table.insert(), rows))
