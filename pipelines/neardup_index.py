"""The near-duplicate index in the database: candidate lookup, cluster assignment, and copying
clusters onto article rows.

Everything runs inside the caller's transaction on a SQLAlchemy ``Connection``, so the same
code serves the pipeline (one transaction per item), ``scrapy recluster`` (one per batch) and
the evaluation. Nothing about the archive is kept in memory: the candidates of a document are
the signatures among the newest ``max_postings`` of each of its LSH band keys (read backwards
from the ``(key, signature_id)`` index), capped at the ``max_candidates`` sharing the most bands,
so the cost per document does not grow with the archive, nor with a cluster of thousands of
copies of one template whose every key is shared by every copy.

``scrapy recluster`` finds this module through the ``NEAR_DUPLICATE_INDEX_MODULE`` setting and
uses :func:`index_from_settings`, :func:`clear`, :func:`count_articles`, :func:`article_batch`,
:func:`max_article_id` and :func:`sync_articles`.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Collection, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import lru_cache
from typing import cast

from scrapy.settings import BaseSettings
from sqlalchemy import (
    Connection,
    Select,
    Table,
    bindparam,
    case,
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

from crawler import settings as defaults
from crawler.db.crawl_models import SiteRow
from crawler.db.dedup_models import BandRow, ClusterRow, SignatureRow
from crawler.db.models import ArticleRow, parse_timestamp
from crawler.items import Article
from pipelines.similarity.banding import band_keys
from pipelines.similarity.canonical import Member, choose_canonical, outlet_key
from pipelines.similarity.minhash import (
    Fingerprint,
    Scheme,
    estimated_jaccard,
    fingerprint,
    signature_bytes,
    signature_from_bytes,
)

# The scheme and threshold the NEAR_DUPLICATE_* settings declare by default (for evaluations
# and tests that build an index without a crawler).
DEFAULT_SCHEME = Scheme(
    shingle_size=defaults.NEAR_DUPLICATE_SHINGLE_SIZE,
    num_perm=defaults.NEAR_DUPLICATE_NUM_PERM,
    bands=defaults.NEAR_DUPLICATE_BANDS,
    seed=1,
)
DEFAULT_THRESHOLD = defaults.NEAR_DUPLICATE_THRESHOLD


def index_from_settings(settings: BaseSettings) -> NearDuplicateIndex:
    """The index the ``NEAR_DUPLICATE_*`` settings describe (also used by ``scrapy recluster``)."""
    scheme = Scheme(
        shingle_size=settings.getint("NEAR_DUPLICATE_SHINGLE_SIZE"),
        num_perm=settings.getint("NEAR_DUPLICATE_NUM_PERM"),
        bands=settings.getint("NEAR_DUPLICATE_BANDS"),
        seed=DEFAULT_SCHEME.seed,
    )
    return NearDuplicateIndex(
        scheme,
        settings.getfloat("NEAR_DUPLICATE_THRESHOLD"),
        min_shingles=settings.getint("NEAR_DUPLICATE_MIN_SHINGLES"),
        max_candidates=settings.getint("NEAR_DUPLICATE_MAX_CANDIDATES"),
        max_postings=settings.getint("NEAR_DUPLICATE_MAX_POSTINGS"),
    )


_SIG = cast(Table, SignatureRow.__table__)
_BAND = cast(Table, BandRow.__table__)
_CLUSTER = cast(Table, ClusterRow.__table__)
_ARTICLE = cast(Table, ArticleRow.__table__)
_SITE = cast(Table, SiteRow.__table__)

_ASSIGNMENT_LOCK = 0x676F766E657773  # "govnews": the key of the Postgres advisory lock below
_TAKE_WRITE_LOCK = update(_CLUSTER).where(false()).values(id=_CLUSTER.c.id)


def serialize_assignments(connection: Connection) -> None:
    """Makes this transaction the only one assigning clusters until it ends.

    Two crawls at once (the scheduler runs two) could otherwise both read the index before
    either committed, and an original and its copy would start two clusters. Postgres takes a
    transaction-scoped advisory lock; SQLite runs an ``UPDATE`` that matches no row, which takes
    the database's write lock before the first read (pysqlite would begin the transaction only
    at the first write, after the candidate lookup).
    """
    if connection.dialect.name == "postgresql":
        connection.execute(select(func.pg_advisory_xact_lock(_ASSIGNMENT_LOCK)))
    else:
        connection.execute(_TAKE_WRITE_LOCK)


# The statements every document runs, built once: building them cost more than running them.
_STORED_SIGNATURE = select(_SIG.c.id, _SIG.c.cluster_id, _SIG.c.scheme, _SIG.c.minhash).where(
    _SIG.c.canonical_url == bindparam("canonical_url")
)
_CLUSTER_CANONICAL = select(_CLUSTER.c.canonical_url).where(_CLUSTER.c.id == bindparam("cluster_id"))
_NEW_CLUSTER = insert(_CLUSTER).returning(_CLUSTER.c.id)
_NEW_SIGNATURE = insert(_SIG).returning(_SIG.c.id)
_NEW_BANDS = insert(_BAND)


@dataclass(frozen=True)
class Candidate:
    """What the index needs of an article (an :class:`Article` or an ``articles`` row)."""

    canonical_url: str
    url: str
    site: str
    body: str
    content_hash: str | None
    source_name: str | None
    published: str | datetime | None
    fetched_at: str | datetime

    @classmethod
    def of(cls, article: Article) -> Candidate:
        return cls(
            article.canonical_url,
            article.url,
            article.site,
            article.body,
            article.content_hash,
            article.source_name,
            article.published,
            article.fetched_at,
        )


@dataclass(frozen=True)
class Assignment:
    cluster_id: int
    canonical_url: str
    status: str
    """``known`` (same body as stored), ``new`` (a cluster of its own), ``joined`` (a near
    duplicate), ``short`` (too short to compare: a cluster of its own, no band keys)."""
    similarity: float | None = None
    """Estimated Jaccard with the closest stored article, when one was a candidate."""
    changed_clusters: frozenset[int] = field(default_factory=frozenset)
    """Clusters whose canonical article changed (their article rows need :func:`sync_articles`)."""

    def duplicate_of(self, canonical_url: str) -> str | None:
        return None if self.canonical_url == canonical_url else self.canonical_url


class NearDuplicateIndex:
    def __init__(
        self,
        scheme: Scheme,
        threshold: float,
        *,
        min_shingles: int = 20,
        max_candidates: int = 50,
        max_postings: int = 100,
    ) -> None:
        if not 0.0 < threshold <= 1.0:
            raise ValueError(f"near-duplicate threshold must be within (0, 1], got {threshold!r}")
        self.scheme = scheme
        self.threshold = threshold
        self.min_shingles = min_shingles
        self.max_candidates = max_candidates
        self.max_postings = max_postings

    def assign(self, connection: Connection, candidate: Candidate, now: datetime | None = None) -> Assignment:
        """Stores ``candidate``'s signature and puts it in a cluster: the cluster of the most
        similar stored article at or above the threshold, else a new one."""
        return self.assign_all(connection, [candidate], now)[0]

    def assign_all(
        self, connection: Connection, candidates: Iterable[Candidate], now: datetime | None = None
    ) -> list[Assignment]:
        """:meth:`assign` for each of ``candidates`` in turn, each seeing the ones before it; the
        assignment lock is taken once (on Postgres it is a round trip)."""
        now = now or datetime.now(UTC)
        serialize_assignments(connection)
        return [self._assign(connection, candidate, now) for candidate in candidates]

    def _assign(self, connection: Connection, candidate: Candidate, now: datetime) -> Assignment:
        print_ = fingerprint(candidate.body, self.scheme)
        data = signature_bytes(print_.signature)
        stored = connection.execute(_STORED_SIGNATURE, {"canonical_url": candidate.canonical_url}).one_or_none()
        changed: set[int] = set()
        if stored is not None:
            if stored.scheme == self.scheme.name and stored.minhash == data:
                canonical = connection.execute(_CLUSTER_CANONICAL, {"cluster_id": stored.cluster_id}).scalar_one()
                return Assignment(stored.cluster_id, canonical, "known")
            changed |= self._remove(connection, stored.id, stored.cluster_id, now)

        keys = band_keys(print_.signature, self.scheme) if print_.shingle_count >= self.min_shingles else []
        best_cluster, best_similarity = self._closest(connection, candidate.canonical_url, print_, keys)
        if best_cluster is not None and best_similarity is not None and best_similarity >= self.threshold:
            cluster_id, status = best_cluster, "joined"
        else:
            cluster_id = connection.execute(
                _NEW_CLUSTER, {"canonical_url": candidate.canonical_url, "created_at": now, "updated_at": now}
            ).scalar_one()
            status = "new" if keys else "short"
        signature_id = connection.execute(
            _NEW_SIGNATURE,
            {
                "canonical_url": candidate.canonical_url,
                "cluster_id": cluster_id,
                "scheme": self.scheme.name,
                "content_hash": candidate.content_hash,
                "shingle_count": print_.shingle_count,
                "minhash": data,
                "url": candidate.url,
                "site": candidate.site,
                "source_name": candidate.source_name,
                "published": parse_timestamp(candidate.published),
                "fetched_at": parse_timestamp(candidate.fetched_at),
                "created_at": now,
            },
        ).scalar_one()
        if keys:
            bands = [{"signature_id": signature_id, "band": band, "key": key} for band, key in enumerate(keys)]
            connection.execute(_NEW_BANDS, bands)
        canonical = candidate.canonical_url  # a cluster created above starts with this member
        if status == "joined":
            canonical, moved = self._recompute_canonical(connection, cluster_id, now, joined=candidate.canonical_url)
            if moved:
                changed.add(cluster_id)
        return Assignment(cluster_id, canonical, status, best_similarity, frozenset(changed))

    def _closest(
        self, connection: Connection, canonical_url: str, print_: Fingerprint, keys: list[int]
    ) -> tuple[int | None, float | None]:
        """Cluster and estimated Jaccard of the most similar stored signature sharing a band."""
        if not keys:
            return None, None
        distinct = sorted(set(keys))
        params = {f"key_{n}": key for n, key in enumerate(distinct)}
        rows = connection.execute(
            _candidates_statement(len(distinct), self.max_postings, self.max_candidates),
            {**params, "scheme": self.scheme.name, "own_url": canonical_url},
        )
        best: tuple[float, int] | None = None
        for row in rows:
            similarity = estimated_jaccard(print_.signature, signature_from_bytes(row.minhash))
            # Ties go to the older cluster, so the result does not depend on row order.
            if best is None or (similarity, -row.cluster_id) > (best[0], -best[1]):
                best = (similarity, row.cluster_id)
        return (best[1], best[0]) if best else (None, None)

    def _remove(self, connection: Connection, signature_id: int, cluster_id: int, now: datetime) -> set[int]:
        """Drops a stored signature whose body changed; its cluster loses it (or goes)."""
        connection.execute(delete(_BAND).where(_BAND.c.signature_id == signature_id))
        connection.execute(delete(_SIG).where(_SIG.c.id == signature_id))
        left = connection.execute(select(func.count()).where(_SIG.c.cluster_id == cluster_id)).scalar_one()
        if not left:
            connection.execute(delete(_CLUSTER).where(_CLUSTER.c.id == cluster_id))
            return set()
        _, moved = self._recompute_canonical(connection, cluster_id, now)
        return {cluster_id} if moved else set()

    def _recompute_canonical(
        self, connection: Connection, cluster_id: int, now: datetime, joined: str | None = None
    ) -> tuple[str, bool]:
        """Chooses the cluster's canonical article again: its ``canonical_url``, and whether it
        changed.

        When one member just ``joined``, only it and the current canonical article can win,
        unless its 来源 is cited by fewer than two other members and may name a member no
        other member named before (ranks only improve as citations are added): then, as
        after a removal, every member is ranked. Without that, a cluster of thousands of
        copies cost a load of every member per copy added.
        """
        cited: Counter[str] = Counter()
        for name, count in connection.execute(
            select(_SIG.c.source_name, func.count())
            .where(_SIG.c.cluster_id == cluster_id, _SIG.c.source_name.is_not(None))
            .group_by(_SIG.c.source_name)
        ):
            cited[outlet_key(name)] += count
        current = connection.execute(_CLUSTER_CANONICAL, {"cluster_id": cluster_id}).scalar_one()
        members = None
        if joined is not None:
            pair = cluster_members(connection, cluster_id, only=(current, joined))
            newcomer = next((m for m in pair if m.canonical_url == joined), None)
            if newcomer is not None and (not newcomer.source_name or cited[outlet_key(newcomer.source_name)] >= 3):
                members = pair
        if members is None:
            members = cluster_members(connection, cluster_id)
        canonical = choose_canonical(members, cited).canonical_url
        if canonical == current:
            return canonical, False
        connection.execute(
            update(_CLUSTER).where(_CLUSTER.c.id == cluster_id).values(canonical_url=canonical, updated_at=now)
        )
        return canonical, True


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
        )
        .outerjoin(_SITE, _SITE.c.id == _SIG.c.site)
        .where(_SIG.c.cluster_id == cluster_id)
    )
    if only is not None:
        statement = statement.where(_SIG.c.canonical_url.in_(sorted(set(only))))
    rows = connection.execute(statement)
    return [Member(**row._asdict()) for row in rows]


def sync_articles(
    connection: Connection, cluster_ids: Collection[int] | None = None, id_range: tuple[int, int] | None = None
) -> int:
    """Copies cluster and canonical article onto ``articles.cluster_id`` / ``duplicate_of``.

    For the members of ``cluster_ids``, or for the articles with ``id`` in ``id_range``
    (inclusive), or for every article; articles without a signature are left alone (their
    ``duplicate_of`` from the exact dedup stage stays). Returns the rows changed.
    """
    own = _SIG.c.canonical_url == _ARTICLE.c.canonical_url
    new_cluster = select(_SIG.c.cluster_id).where(own).scalar_subquery()
    canonical = (
        select(_CLUSTER.c.canonical_url).join(_SIG, _SIG.c.cluster_id == _CLUSTER.c.id).where(own).scalar_subquery()
    )
    new_duplicate_of = case((canonical == _ARTICLE.c.canonical_url, None), else_=canonical)
    statement = update(_ARTICLE).values(cluster_id=new_cluster, duplicate_of=new_duplicate_of)
    if cluster_ids is not None:
        if not cluster_ids:
            return 0
        members = select(_SIG.c.canonical_url).where(_SIG.c.cluster_id.in_(sorted(cluster_ids)))
        statement = statement.where(_ARTICLE.c.canonical_url.in_(members))
    else:
        statement = statement.where(exists().where(own))
    if id_range is not None:
        statement = statement.where(_ARTICLE.c.id.between(*id_range))
    # Only rows that change, so an unchanged archive is not rewritten.
    statement = statement.where(
        (_ARTICLE.c.cluster_id.is_distinct_from(new_cluster))
        | (_ARTICLE.c.duplicate_of.is_distinct_from(new_duplicate_of))
    )
    return int(connection.execute(statement).rowcount)


def clear(connection: Connection) -> None:
    """Removes every signature, band key and cluster (``articles`` keeps its columns until synced)."""
    connection.execute(delete(_BAND))
    connection.execute(delete(_SIG))
    connection.execute(delete(_CLUSTER))


def stale_schemes(connection: Connection, scheme: Scheme) -> dict[str, int]:
    """Signatures per scheme other than ``scheme``: their articles cannot be matched until re-clustered."""
    rows = connection.execute(
        select(_SIG.c.scheme, func.count()).where(_SIG.c.scheme != scheme.name).group_by(_SIG.c.scheme)
    )
    return {row[0]: int(row[1]) for row in rows}


ARTICLE_COLUMNS = (
    _ARTICLE.c.id,
    _ARTICLE.c.canonical_url,
    _ARTICLE.c.url,
    _ARTICLE.c.site,
    _ARTICLE.c.body,
    _ARTICLE.c.content_hash,
    _ARTICLE.c.source_name,
    _ARTICLE.c.published,
    _ARTICLE.c.fetched_at,
)


def article_batch(
    connection: Connection, after_id: int, batch_size: int, *, missing_only: bool = False
) -> list[tuple[int, Candidate]]:
    """The next ``batch_size`` articles with ``id`` above ``after_id``, in ``id`` order (keyset
    pagination); with ``missing_only``, only those without a signature (loaded from the spool,
    or stored while the near-duplicate stage was off)."""
    query = select(*ARTICLE_COLUMNS).where(_ARTICLE.c.id > after_id).order_by(_ARTICLE.c.id).limit(batch_size)
    if missing_only:
        query = query.where(~exists().where(_SIG.c.canonical_url == _ARTICLE.c.canonical_url))
    return [
        (
            row.id,
            Candidate(
                row.canonical_url,
                row.url,
                row.site,
                row.body,
                row.content_hash,
                row.source_name,
                row.published,
                row.fetched_at,
            ),
        )
        for row in connection.execute(query)
    ]


def count_articles(connection: Connection, *, missing_only: bool = False) -> int:
    query = select(func.count()).select_from(_ARTICLE)
    if missing_only:
        query = query.where(~exists().where(_SIG.c.canonical_url == _ARTICLE.c.canonical_url))
    return int(connection.execute(query).scalar_one())


def max_article_id(connection: Connection) -> int:
    return int(connection.execute(select(func.coalesce(func.max(_ARTICLE.c.id), 0))).scalar_one())
