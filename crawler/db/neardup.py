"""Every statement on the near-duplicate tables (:mod:`crawler.db.dedup_models`).

The near-duplicate assignment (:mod:`pipelines.neardup_index`) decides which cluster an article
joins and which member is the original; these functions read and write what it decided, from
precomputed data (signature bytes, band keys), inside the caller's transaction. They are
called only from the storage stage's transaction, next to the upsert of the same articles, so
a signature, its band keys and its cluster exist exactly for the articles that were stored.

Nothing of the archive is kept in memory: the candidates of a document are the signatures
among the newest ``max_postings`` of each of its LSH band keys (read backwards from the
``(key, signature_id)`` index), capped at the ``max_candidates`` sharing the most bands.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from typing import cast

from sqlalchemy import (
    Connection,
    Select,
    Table,
    bindparam,
    delete,
    desc,
    exists,
    false,
    func,
    insert,
    select,
    union_all,
    update,
)

from crawler.db.crawl_models import SiteRow
from crawler.db.dedup_models import BandRow, ClusterRow, HostLineRow, SignatureRow
from crawler.db.dialects import insert_for
from crawler.db.models import ArticleRow, parse_timestamp
from crawler.items import StoredArticle

_SIG = cast(Table, SignatureRow.__table__)
_BAND = cast(Table, BandRow.__table__)
_CLUSTER = cast(Table, ClusterRow.__table__)
_ARTICLE = cast(Table, ArticleRow.__table__)
_SITE = cast(Table, SiteRow.__table__)
_HOST_LINES = cast(Table, HostLineRow.__table__)

BAND_KEY_INDEX = next(index for index in _BAND.indexes if list(index.columns) == [_BAND.c.key, _BAND.c.signature_id])
"""The ``(key, signature_id)`` index every candidate lookup reads (bulk loads drop and rebuild it)."""


@dataclass(frozen=True)
class Member:
    """What the canonical choice knows of one member of a cluster (a ``minhash_signatures`` row)."""

    canonical_url: str
    url: str
    site: str
    site_name: str | None
    """The site's display name (``sites.name``), e.g. ``新华网``, when stored."""
    source_name: str | None
    published: datetime | None
    fetched_at: datetime
    published_precision: str | None = None
    """``day``, ``hour``, ``minute`` or ``second`` (:attr:`crawler.items.Article.published_precision`)."""
    source_url: str | None = None
    """The URL the member prints as its origin (原文链接)."""


@dataclass(frozen=True)
class StoredSignature:
    id: int
    cluster_id: int
    scheme: str
    minhash: bytes
    shingle_count: int


@dataclass(frozen=True)
class NewSignature:
    """A signature to store: the article's fields the canonical choice reads, and its MinHash."""

    canonical_url: str
    url: str
    site: str
    content_hash: str | None
    source_name: str | None
    published: str | datetime | None
    fetched_at: str | datetime
    published_precision: str | None
    source_url: str | None
    scheme: str
    shingle_count: int
    minhash: bytes
    """``num_perm`` little-endian uint32 values."""


_ASSIGNMENT_LOCK = 0x676F766E657773  # "govnews": the key of the Postgres advisory lock below
_TAKE_WRITE_LOCK = update(_CLUSTER).where(false()).values(id=_CLUSTER.c.id)


def serialize_assignments(connection: Connection) -> None:
    """Makes this transaction the only one deciding copies (exact originals, clusters) until it ends.

    Two crawls at once (the scheduler runs two; ``scrapy worker`` processes on many machines
    share one Postgres) could otherwise both read the index before either committed, and an
    original and its copy would start two clusters, or two exact copies both be originals. One
    lock for every story, not one per band key: choosing a cluster's original reads members that
    share no band with the article at hand, and the storage transaction is short next to a fetch. Postgres takes a
    transaction-scoped advisory lock; SQLite runs an ``UPDATE`` that matches no row, which takes
    the database's write lock before the first read (pysqlite would begin the transaction only
    at the first write, after the candidate lookup).
    """
    if connection.dialect.name == "postgresql":
        connection.execute(select(func.pg_advisory_xact_lock(_ASSIGNMENT_LOCK)))
    else:
        connection.execute(_TAKE_WRITE_LOCK)


# The statements every document runs, built once: building them cost more than running them.
_STORED_SIGNATURE = select(_SIG.c.id, _SIG.c.cluster_id, _SIG.c.scheme, _SIG.c.minhash, _SIG.c.shingle_count).where(
    _SIG.c.canonical_url == bindparam("canonical_url")
)
_CLUSTER_CANONICAL = select(_CLUSTER.c.canonical_url).where(_CLUSTER.c.id == bindparam("cluster_id"))
_NEW_CLUSTER = insert(_CLUSTER).returning(_CLUSTER.c.id)
_NEW_SIGNATURE = insert(_SIG).returning(_SIG.c.id)
_NEW_BANDS = insert(_BAND)


def stored_signature(connection: Connection, canonical_url: str) -> StoredSignature | None:
    row = connection.execute(_STORED_SIGNATURE, {"canonical_url": canonical_url}).one_or_none()
    return StoredSignature(**row._asdict()) if row is not None else None


def cluster_canonical(connection: Connection, cluster_id: int) -> str:
    """``canonical_url`` of the cluster's original."""
    return str(connection.execute(_CLUSTER_CANONICAL, {"cluster_id": cluster_id}).scalar_one())


def cluster_canonicals(connection: Connection, cluster_ids: Collection[int]) -> dict[int, str]:
    """``canonical_url`` of the original of each of ``cluster_ids``."""
    if not cluster_ids:
        return {}
    rows = connection.execute(
        select(_CLUSTER.c.id, _CLUSTER.c.canonical_url).where(_CLUSTER.c.id.in_(sorted(cluster_ids)))
    )
    return {row.id: row.canonical_url for row in rows}


def similar_signatures(
    connection: Connection, keys: Collection[int], scheme: str, own_url: str, *, max_postings: int, max_candidates: int
) -> list[tuple[int, bytes]]:
    """(cluster, MinHash) of the stored signatures of ``scheme`` sharing most of the band
    ``keys``, other than ``own_url``'s: at most ``max_candidates``, among the newest
    ``max_postings`` postings of each key."""
    distinct = sorted(set(keys))
    if not distinct:
        return []
    params = {f"key_{n}": key for n, key in enumerate(distinct)}
    rows = connection.execute(
        _candidates_statement(len(distinct), max_postings, max_candidates),
        {**params, "scheme": scheme, "own_url": own_url},
    )
    return [(row.cluster_id, row.minhash) for row in rows]


@lru_cache(maxsize=64)
def _candidates_statement(keys: int, max_postings: int, max_candidates: int) -> Select[tuple[int, bytes]]:
    """Cluster and signature of the stored documents sharing most of ``keys`` band keys (bound
    as ``key_0`` ...), among the newest ``max_postings`` postings of each key, read backwards from
    ``ix_minhash_bands_key_signature_id``: a key shared by thousands of copies of one template
    costs ``max_postings`` rows, not thousands. Built once per shape (building the 32-way union
    cost more than running it)."""
    newest = [
        select(_BAND.c.signature_id)
        .where(_BAND.c.key == bindparam(f"key_{n}"))
        .order_by(_BAND.c.signature_id.desc())
        .limit(max_postings)
        .subquery()
        for n in range(keys)
    ]
    postings = union_all(*[select(posting.c.signature_id) for posting in newest]).subquery()
    shared = (
        select(postings.c.signature_id, func.count().label("shared"))
        .group_by(postings.c.signature_id)
        .order_by(desc("shared"), postings.c.signature_id)
        .limit(max_candidates)
        .subquery()
    )
    return (
        select(_SIG.c.cluster_id, _SIG.c.minhash)
        .join(shared, shared.c.signature_id == _SIG.c.id)
        .where(_SIG.c.scheme == bindparam("scheme"), _SIG.c.canonical_url != bindparam("own_url"))
    )


def new_cluster(connection: Connection, canonical_url: str, now: datetime) -> int:
    """A new cluster whose original is ``canonical_url``; its id."""
    params = {"canonical_url": canonical_url, "created_at": now, "updated_at": now}
    return int(connection.execute(_NEW_CLUSTER, params).scalar_one())


def add_signature(
    connection: Connection, signature: NewSignature, cluster_id: int, keys: list[int], now: datetime
) -> int:
    """Stores ``signature`` in ``cluster_id`` with its band ``keys`` (in band order); its id."""
    signature_id = connection.execute(
        _NEW_SIGNATURE,
        {
            "canonical_url": signature.canonical_url,
            "cluster_id": cluster_id,
            "scheme": signature.scheme,
            "content_hash": signature.content_hash,
            "shingle_count": signature.shingle_count,
            "minhash": signature.minhash,
            "url": signature.url,
            "site": signature.site,
            "source_name": signature.source_name,
            "published": parse_timestamp(signature.published),
            "published_precision": signature.published_precision if signature.published is not None else None,
            "source_url": signature.source_url,
            "fetched_at": parse_timestamp(signature.fetched_at),
            "created_at": now,
        },
    ).scalar_one()
    if keys:
        bands = [{"signature_id": signature_id, "band": band, "key": key} for band, key in enumerate(keys)]
        connection.execute(_NEW_BANDS, bands)
    return int(signature_id)


def remove_signature(connection: Connection, signature_id: int, cluster_id: int) -> int:
    """Drops a stored signature and its band keys; the members its cluster has left (a cluster
    left empty is removed)."""
    connection.execute(delete(_BAND).where(_BAND.c.signature_id == signature_id))
    connection.execute(delete(_SIG).where(_SIG.c.id == signature_id))
    left = int(connection.execute(select(func.count()).where(_SIG.c.cluster_id == cluster_id)).scalar_one())
    if not left:
        connection.execute(delete(_CLUSTER).where(_CLUSTER.c.id == cluster_id))
    return left


def cluster_members(connection: Connection, cluster_id: int, only: Collection[str] | None = None) -> list[Member]:
    """The members of ``cluster_id`` (those of them whose ``canonical_url`` is in ``only``)."""
    statement = (
        select(
            _SIG.c.canonical_url,
            _SIG.c.url,
            _SIG.c.site,
            _SITE.c.name.label("site_name"),
            _SIG.c.source_name,
            _SIG.c.published,
            _SIG.c.fetched_at,
            _SIG.c.published_precision,
            _SIG.c.source_url,
        )
        .outerjoin(_SITE, _SITE.c.id == _SIG.c.site)
        .where(_SIG.c.cluster_id == cluster_id)
    )
    if only is not None:
        statement = statement.where(_SIG.c.canonical_url.in_(sorted(set(only))))
    rows = connection.execute(statement)
    return [Member(**row._asdict()) for row in rows]


def set_canonical(connection: Connection, cluster_id: int, canonical_url: str, now: datetime, rule: str) -> None:
    """Makes ``canonical_url`` the cluster's original, chosen by ``rule``."""
    connection.execute(
        update(_CLUSTER)
        .where(_CLUSTER.c.id == cluster_id)
        .values(canonical_url=canonical_url, canonical_rule=rule, updated_at=now)
    )


@dataclass(frozen=True)
class Print:
    """A member's MinHash and shingle count, to measure how close it is to the original."""

    id: int
    canonical_url: str
    minhash: bytes
    shingle_count: int


def member_prints(connection: Connection, cluster_id: int, only: Collection[str] | None = None) -> list[Print]:
    """MinHash and shingle count of the members of ``cluster_id`` (those in ``only``)."""
    statement = select(_SIG.c.id, _SIG.c.canonical_url, _SIG.c.minhash, _SIG.c.shingle_count).where(
        _SIG.c.cluster_id == cluster_id
    )
    if only is not None:
        statement = statement.where(_SIG.c.canonical_url.in_(sorted(set(only))))
    return [Print(**row._asdict()) for row in connection.execute(statement)]


_SET_SIMILARITY = (
    update(_SIG)
    .where(_SIG.c.id == bindparam("key"))
    .values(similarity=bindparam("similarity"), containment=bindparam("containment"), contained=bindparam("contained"))
)


def set_similarities(connection: Connection, values: Sequence[Mapping[str, object]]) -> None:
    """Stores ``similarity``, ``containment`` and ``contained`` of signatures (by id, ``key``)."""
    if values:
        connection.execute(_SET_SIMILARITY, list(values))


def line_counts(connection: Connection, host: str, hashes: Collection[int]) -> dict[int, int]:
    """How many distinct stored bodies of ``host`` hold each of the lines ``hashes``."""
    if not hashes:
        return {}
    rows = connection.execute(
        select(_HOST_LINES.c.line_hash, _HOST_LINES.c.pages).where(
            _HOST_LINES.c.host == host, _HOST_LINES.c.line_hash.in_(sorted(hashes))
        )
    )
    return {int(row.line_hash): int(row.pages) for row in rows}


def count_lines(connection: Connection, counts: Mapping[str, Mapping[int, int]]) -> None:
    """Adds ``counts`` (per host, bodies holding each line) to ``host_lines``."""
    rows = [
        {"host": host, "line_hash": key, "pages": pages}
        for host, lines in sorted(counts.items())
        for key, pages in sorted(lines.items())
    ]
    if not rows:
        return
    statement = insert_for(connection)(_HOST_LINES)
    statement = statement.on_conflict_do_update(
        index_elements=[_HOST_LINES.c.host, _HOST_LINES.c.line_hash],
        set_={"pages": _HOST_LINES.c.pages + statement.excluded.pages},
    )
    connection.execute(statement, rows)


def clear(connection: Connection) -> None:
    """Removes every signature, band key and cluster (``articles`` keeps its links until they
    are assigned again), and restarts their ids at 1 on both databases.

    SQLite gives a table emptied of an ``INTEGER PRIMARY KEY`` the ids from 1 again; a Postgres
    sequence goes on from where it was. Restarting it makes ``scrapy recluster`` number the
    stories the same way on both: in the order of their first article, so a story whose
    membership did not change keeps its id.
    """
    connection.execute(delete(_BAND))
    connection.execute(delete(_SIG))
    connection.execute(delete(_CLUSTER))
    connection.execute(delete(_HOST_LINES))
    if connection.dialect.name == "postgresql":
        for table in (_SIG.name, _CLUSTER.name):
            connection.execute(select(func.setval(func.pg_get_serial_sequence(table, "id"), 1, false())))


def stale_schemes(connection: Connection, scheme: str) -> dict[str, int]:
    """Signatures per scheme other than ``scheme``: their articles cannot be matched until re-clustered."""
    rows = connection.execute(
        select(_SIG.c.scheme, func.count()).where(_SIG.c.scheme != scheme).group_by(_SIG.c.scheme)
    )
    return {row[0]: int(row[1]) for row in rows}


_STORED_COLUMNS = (
    _ARTICLE.c.id,
    _ARTICLE.c.canonical_url,
    _ARTICLE.c.url,
    _ARTICLE.c.site,
    _ARTICLE.c.body,
    _ARTICLE.c.content_hash,
    _ARTICLE.c.source_name,
    _ARTICLE.c.published,
    _ARTICLE.c.fetched_at,
    _ARTICLE.c.published_precision,
    _ARTICLE.c.source_url,
)
_UNSIGNED = ~exists().where(_SIG.c.canonical_url == _ARTICLE.c.canonical_url)


def stored_articles(
    connection: Connection, after_id: int, batch_size: int, *, missing_only: bool = False
) -> list[StoredArticle]:
    """The next ``batch_size`` articles with ``id`` above ``after_id``, in ``id`` order (keyset
    pagination); with ``missing_only``, only those without a signature (stored while the
    near-duplicate assignment was off)."""
    query = select(*_STORED_COLUMNS).where(_ARTICLE.c.id > after_id).order_by(_ARTICLE.c.id).limit(batch_size)
    if missing_only:
        query = query.where(_UNSIGNED)
    return [StoredArticle(**row._asdict()) for row in connection.execute(query)]


def count_articles(connection: Connection, *, missing_only: bool = False) -> int:
    query = select(func.count()).select_from(_ARTICLE)
    if missing_only:
        query = query.where(_UNSIGNED)
    return int(connection.execute(query).scalar_one())
