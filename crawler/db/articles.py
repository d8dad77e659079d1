"""Every statement that writes ``articles``, and the lookups of exact copies.

Called only inside the storage stage's transaction (:mod:`pipelines.storage`), which is the
only writer of the table: the upsert (with the derived tables of :mod:`crawler.db.children`),
the copy links of unchanged rows, and the links of members whose cluster's original changed.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, cast
from urllib.parse import urlsplit

from sqlalchemy import Connection, Table, bindparam, case, select, update

from crawler.db.children import sync_children
from crawler.db.dedup_models import ClusterRow, SignatureRow
from crawler.db.dialects import insert_for, insert_many
from crawler.db.models import ArticleRow
from crawler.items import Article
from crawler.timezones import LocalTime

_TABLE = cast(Table, ArticleRow.__table__)
_SIG = cast(Table, SignatureRow.__table__)
_CLUSTER = cast(Table, ClusterRow.__table__)
# Item fields that describe the fetch or the article's place among copies, not the article
# itself: a re-fetch of an unchanged page, or a re-clustering, is not a new revision.
_FETCH_FIELDS = ("fetched_at", "replay_path", "duplicate_of", "cluster_id")
_ITEM_FIELDS = tuple(f.name for f in dataclasses.fields(Article))


def revision_hash(article: Article) -> str:
    """SHA-256 over every stored field except the fetch time and path and the cluster links."""
    content = {name: value for name, value in dataclasses.asdict(article).items() if name not in _FETCH_FIELDS}
    encoded = json.dumps(content, ensure_ascii=False, sort_keys=True, default=str)
    return hashlib.sha256(encoded.encode("utf-8")).hexdigest()


def stored_body_original(body: str, body_original: str) -> str | None:
    """What ``articles.body_original`` holds: ``None`` when the text before cleaning is the body."""
    return None if body_original == body else body_original


def article_row(article: Article, now: datetime, local_time: LocalTime | None = None) -> dict[str, Any]:
    """The column values of ``article`` for an insert at ``now``; ``body_original`` only when it
    differs from ``body`` (:func:`stored_body_original`); the typed annex is stored as
    its JSON form in ``extra`` (:func:`crawler.items.article_from_json` reads it back). The
    host and the local day (:mod:`crawler.timezones`) are derived here, once."""
    row = {name: getattr(article, name) for name in _ITEM_FIELDS}
    host = urlsplit(article.url).hostname or None
    row.update(
        # A second copy of the body on most rows otherwise (migration 0011_i20_body_original).
        body_original=stored_body_original(article.body, article.body_original),
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
    unchanged = [article for url, article in latest.items() if url not in ids]
    store_links(connection, [CopyLinks(a.canonical_url, a.cluster_id, a.duplicate_of) for a in unchanged])
    return counts


@dataclass(frozen=True)
class CopyLinks:
    """An article's place among copies: its story (``cluster_id``) and original (``duplicate_of``)."""

    canonical_url: str
    cluster_id: int | None
    duplicate_of: str | None


_SET_BOTH_LINKS = (
    update(_TABLE)
    .where(
        _TABLE.c.canonical_url == bindparam("key"),
        _TABLE.c.cluster_id.is_distinct_from(bindparam("cluster"))
        | _TABLE.c.duplicate_of.is_distinct_from(bindparam("original")),
    )
    .values(cluster_id=bindparam("cluster"), duplicate_of=bindparam("original"))
)
_SET_ORIGINAL = (
    update(_TABLE)
    .where(_TABLE.c.canonical_url == bindparam("key"), _TABLE.c.duplicate_of.is_distinct_from(bindparam("original")))
    .values(duplicate_of=bindparam("original"))
)


def store_links(connection: Connection, links: Sequence[CopyLinks]) -> int:
    """Stores the links of articles whose rows are otherwise unchanged; the rows changed.

    Links are not part of the revision (a re-clustering is no new version of the page), so the
    upsert leaves such rows alone. A link with a cluster sets both columns: the near-duplicate
    assignment decided both, and no ``duplicate_of`` means the article is its story's
    original. A link without a cluster (the assignment was off) stores only the original an
    exact copy names, and never clears a stored one.
    """
    both = [
        {"key": link.canonical_url, "cluster": link.cluster_id, "original": link.duplicate_of}
        for link in links
        if link.cluster_id is not None
    ]
    originals = [
        {"key": link.canonical_url, "original": link.duplicate_of}
        for link in links
        if link.cluster_id is None and link.duplicate_of is not None
    ]
    changed = 0
    for statement, values in ((_SET_BOTH_LINKS, both), (_SET_ORIGINAL, originals)):
        if values:
            changed += int(connection.execute(statement, values).rowcount)
    return changed


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
"""Built once: the storage stage asks it for every article, and building it cost more than running it."""


def find_original(connection: Connection, content_hash: str, canonical_url: str) -> str | None:
    """``canonical_url`` of the earliest stored original with this body hash, other than ours."""
    params = {"content_hash": content_hash, "canonical_url": canonical_url}
    return connection.execute(_ORIGINAL, params).scalar_one_or_none()


def exact_originals(connection: Connection, articles: Iterable[Article]) -> list[str | None]:
    """For each article, the ``canonical_url`` of the article it copies word for word: an
    earlier one of ``articles`` with the same body hash, else the earliest stored original
    (:func:`find_original`); ``None`` for originals and empty bodies."""
    originals: list[str | None] = []
    first_by_hash: dict[str, str] = {}
    for article in articles:
        first = None
        if article.content_hash:
            first = first_by_hash.get(article.content_hash)
            if first is None:
                first = find_original(connection, article.content_hash, article.canonical_url) or article.canonical_url
                first_by_hash[article.content_hash] = first
        originals.append(first if first != article.canonical_url else None)
    return originals


def sync_articles(connection: Connection, cluster_ids: Collection[int]) -> int:
    """Copies cluster and original onto ``articles.cluster_id`` / ``duplicate_of`` of the
    members of ``cluster_ids`` (clusters whose original changed); the rows changed."""
    own = _SIG.c.canonical_url == _TABLE.c.canonical_url
    new_cluster = select(_SIG.c.cluster_id).where(own).scalar_subquery()
    canonical = (
        select(_CLUSTER.c.canonical_url).join(_SIG, _SIG.c.cluster_id == _CLUSTER.c.id).where(own).scalar_subquery()
    )
    new_duplicate_of = case((canonical == _TABLE.c.canonical_url, None), else_=canonical)
    if not cluster_ids:
        return 0
    members = select(_SIG.c.canonical_url).where(_SIG.c.cluster_id.in_(sorted(cluster_ids)))
    statement = (
        update(_TABLE)
        .values(cluster_id=new_cluster, duplicate_of=new_duplicate_of)
        .where(_TABLE.c.canonical_url.in_(members))
    )
    # Only rows that change, so an unchanged archive is not rewritten.
    statement = statement.where(
        (_TABLE.c.cluster_id.is_distinct_from(new_cluster)) | (_TABLE.c.duplicate_of.is_distinct_from(new_duplicate_of))
    )
    return int(connection.execute(statement).rowcount)
