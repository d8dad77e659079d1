"""Writing and looking up article rows: the upsert the storage pipeline and the spool loader share."""

from __future__ import annotations

import dataclasses
import hashlib
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, cast
from urllib.parse import urlsplit

from sqlalchemy import Connection, Table, bindparam, select, update

from crawler.db.children import sync_children
from crawler.db.dialects import insert_for, insert_many
from crawler.db.models import ArticleRow
from crawler.items import Article
from crawler.timezones import LocalTime

_TABLE = cast(Table, ArticleRow.__table__)
# Item fields that describe the fetch or the article's place among copies, not the article
# itself: a re-fetch of an unchanged page, or a re-clustering, is not a new revision.
_FETCH_FIELDS = ("fetched_at", "replay_path", "duplicate_of", "cluster_id")
_ITEM_FIELDS = tuple(f.name for f in dataclasses.fields(Article))


def revision_hash(article: Article) -> str:
    """SHA-256 over every stored field except the fetch time and path and the cluster links."""
    content = {name: value for name, value in dataclasses.asdict(article).items() if name not in _FETCH_FIELDS}
    encoded = json.dumps(content, ensure_ascii=False, sort_keys=True, default=str)
    return hashlib.sha256(encoded.encode("utf-8")).hexdigest()


def article_row(article: Article, now: datetime, local_time: LocalTime | None = None) -> dict[str, Any]:
    """The column values of ``article`` for an insert at ``now``; the typed annex is stored as
    its JSON form in ``extra`` (:func:`crawler.items.article_from_json` reads it back). The
    host and the local day (:mod:`crawler.timezones`) are derived here, once."""
    row = {name: getattr(article, name) for name in _ITEM_FIELDS}
    host = urlsplit(article.url).hostname or None
    row.update(
        host=host,
        published_day=(local_time or LocalTime.default()).published_day(
            article.published, article.published_precision, article.site, host
        ),
        extra=dataclasses.asdict(article.extra),
        first_seen_at=now,
        updated_at=now,
        revision=1,
        revision_hash=revision_hash(article),
    )
    return row


@dataclass
class UpsertCounts:
    inserted: int = 0
    updated: int = 0
    unchanged: int = 0

    def add(self, other: UpsertCounts) -> None:
        self.inserted += other.inserted
        self.updated += other.updated
        self.unchanged += other.unchanged


def upsert_articles(
    connection: Connection,
    articles: Sequence[Article],
    now: datetime | None = None,
    local_time: LocalTime | None = None,
) -> UpsertCounts:
    """Insert new articles, update changed ones (keeping ``first_seen_at``), skip unchanged.

    Keyed on ``canonical_url``; within ``articles`` the last copy of a key wins. The derived
    tables (attachments, entities, amounts, gov metadata) of inserted and changed articles are
    rewritten in the same transaction, which is the caller's.

    One statement does the upsert and returns the rows it wrote (``revision`` 1 for inserted,
    higher for updated); rows whose ``revision_hash`` is unchanged are left alone and not
    returned. No read before the write: on Postgres every round trip counts. The rows travel
    as :func:`crawler.db.dialects.insert_many` sends them (one JSON document on Postgres).
    ``local_time`` gives each site's zone for ``published_day`` (default: every site in the
    default zone).
    """
    now = now or datetime.now(UTC)
    latest = {article.canonical_url: article for article in articles}
    if not latest:
        return UpsertCounts()
    rows = [article_row(article, now, local_time) for article in latest.values()]
    insert, params = insert_many(connection, insert_for(connection)(_TABLE), rows)
    keep_on_update = {"id", "canonical_url", "first_seen_at", "revision"}
    changed = {
        column.name: insert.excluded[column.name] for column in _TABLE.columns if column.name not in keep_on_update
    }
    changed["revision"] = _TABLE.c.revision + 1
    statement = insert.on_conflict_do_update(
        index_elements=[_TABLE.c.canonical_url],
        set_=changed,
        where=_TABLE.c.revision_hash != insert.excluded.revision_hash,
    ).returning(_TABLE.c.id, _TABLE.c.canonical_url, _TABLE.c.revision)
    written = connection.execute(statement, params).all()
    ids = {row.canonical_url: row.id for row in written}
    new_urls = {row.canonical_url for row in written if row.revision == 1}
    counts = UpsertCounts(
        inserted=len(new_urls), updated=len(written) - len(new_urls), unchanged=len(latest) - len(written)
    )
    # Keep the batch order: child rows (and entity ids) come out the same on every run.
    changed_articles = [article for url, article in latest.items() if url in ids]
    sync_children(connection, changed_articles, ids, new_urls)
    _update_copy_links(connection, [article for url, article in latest.items() if url not in ids])
    return counts


def _update_copy_links(connection: Connection, articles: Sequence[Article]) -> None:
    """Stores new ``duplicate_of`` / ``cluster_id`` values of otherwise unchanged articles.

    Those links are not part of the revision (a re-clustering is no new version of the page),
    so the upsert leaves such rows alone; a link the dedup stages found is still kept. A link
    the item does not carry (``None``) never clears a stored one.
    """
    for name in ("duplicate_of", "cluster_id"):
        column = _TABLE.c[name]
        values = [
            {"key": article.canonical_url, "value": getattr(article, name)}
            for article in articles
            if getattr(article, name) is not None
        ]
        if values:
            connection.execute(
                update(_TABLE)
                .where(_TABLE.c.canonical_url == bindparam("key"), column.is_distinct_from(bindparam("value")))
                .values({name: bindparam("value")}),
                values,
            )


_ORIGINAL = (
    select(_TABLE.c.canonical_url)
    .where(
        _TABLE.c.content_hash == bindparam("content_hash"),
        _TABLE.c.canonical_url != bindparam("canonical_url"),
        _TABLE.c.duplicate_of.is_(None),
    )
    .order_by(_TABLE.c.first_seen_at, _TABLE.c.id)
    .limit(1)
)
"""Built once: the dedup stage asks it for every article, and building it cost more than running it."""


def find_original(connection: Connection, content_hash: str, canonical_url: str) -> str | None:
    """``canonical_url`` of the earliest stored original with this body hash, other than ours."""
    params = {"content_hash": content_hash, "canonical_url": canonical_url}
    return connection.execute(_ORIGINAL, params).scalar_one_or_none()


def assign_duplicates(connection: Connection, articles: Iterable[Article]) -> int:
    """Fill ``duplicate_of`` from the database for articles that have none; returns how many.

    Used when loading the spool: those items may have passed the dedup stage while the
    database was unreachable.
    """
    assigned = 0
    first_by_hash: dict[str, str] = {}
    for article in articles:
        if article.duplicate_of is not None or not article.content_hash:
            continue
        original = first_by_hash.get(article.content_hash) or find_original(
            connection, article.content_hash, article.canonical_url
        )
        if original is not None and original != article.canonical_url:
            article.duplicate_of = original
            assigned += 1
        else:
            first_by_hash.setdefault(article.content_hash, article.canonical_url)
    return assigned
