"""The near-duplicate assignment: which cluster an article joins and which member is the original.

The decisions live here; every statement on the tables is in :mod:`crawler.db.neardup`, which
this module calls with precomputed data (signature bytes, band keys). Everything runs inside
the caller's transaction on a SQLAlchemy ``Connection``, so the same code serves the storage
stage (the assignment and the upsert of the same articles in one transaction) and the
evaluation. Nothing about the archive is kept in memory: the candidates of a document are read
through its LSH band keys, so the cost per document does not grow with the archive, nor with a
cluster of thousands of copies of one template whose every key is shared by every copy.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from urllib.parse import urlsplit

from scrapy.settings import BaseSettings
from sqlalchemy import Connection

from crawler import settings as defaults
from crawler.db import neardup as db
from crawler.items import Article, StoredArticle
from pipelines.dedup import canonical_url
from pipelines.similarity.banding import band_keys
from pipelines.similarity.canonical import choose_canonical
from pipelines.similarity.closeness import store_similarities
from pipelines.similarity.minhash import (
    Fingerprint,
    Scheme,
    estimated_containment,
    estimated_jaccard,
    fingerprint,
    signature_bytes,
    signature_from_bytes,
)
from pipelines.similarity.outlets import Outlets, outlets_from_settings
from pipelines.similarity.templates import count_template_lines, host_templates, without_template

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
    """The index the ``NEAR_DUPLICATE_*`` settings describe."""
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
        outlets=outlets_from_settings(settings),
        template_pages=settings.getint("NEAR_DUPLICATE_TEMPLATE_PAGES"),
    )


@dataclass(frozen=True)
class Candidate:
    """What the index needs of an article (an :class:`Article` or a stored one)."""

    canonical_url: str
    url: str
    site: str
    body: str
    content_hash: str | None
    source_name: str | None
    published: str | datetime | None
    fetched_at: str | datetime
    published_precision: str | None = None
    source_url: str | None = None

    @classmethod
    def of(cls, article: Article | StoredArticle) -> Candidate:
        return cls(
            article.canonical_url,
            article.url,
            article.site,
            article.body,
            article.content_hash,
            article.source_name,
            article.published,
            article.fetched_at,
            article.published_precision,
            article.source_url,
        )


@dataclass(frozen=True)
class Signed:
    """A candidate with its fingerprint and band keys, computed before the transaction."""

    candidate: Candidate
    fingerprint: Fingerprint
    signature: db.NewSignature
    keys: list[int]
    """Band keys in band order; none for bodies too short to compare."""
    template_lines: int = 0
    """Lines of the body left out of the signature as its host's template."""


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
    """Clusters whose canonical article changed (their article rows need
    :func:`crawler.db.articles.sync_articles`)."""

    def duplicate_of(self, canonical_url: str) -> str | None:
        return None if self.canonical_url == canonical_url else self.canonical_url


def _host(candidate: Candidate) -> str:
    return urlsplit(candidate.url).hostname or ""


def _lines_of(candidates: Iterable[Candidate]) -> Iterator[tuple[str, str | None, str]]:
    """(host, content hash, body) of the candidates that have a host (not local files)."""
    for one in candidates:
        if host := _host(one):
            yield host, one.content_hash, one.body


class NearDuplicateIndex:
    def __init__(
        self,
        scheme: Scheme,
        threshold: float,
        *,
        min_shingles: int = 20,
        max_candidates: int = 50,
        max_postings: int = 100,
        outlets: Outlets | None = None,
        template_pages: int = 0,
    ) -> None:
        if not 0.0 < threshold <= 1.0:
            raise ValueError(f"near-duplicate threshold must be within (0, 1], got {threshold!r}")
        self.scheme = scheme
        self.threshold = threshold
        self.min_shingles = min_shingles
        self.max_candidates = max_candidates
        self.max_postings = max_postings
        self.outlets = outlets or Outlets()
        self.template_pages = template_pages

    def sign_all(self, connection: Connection, candidates: Sequence[Candidate]) -> list[Signed]:
        """:meth:`sign` of each of ``candidates`` with its host's template lines (read through
        ``connection``, before the transaction that assigns them)."""
        templates = host_templates(connection, _lines_of(candidates), self.template_pages)
        return [self.sign(one, templates.get(_host(one), frozenset())) for one in candidates]

    def sign(self, candidate: Candidate, template: frozenset[int] = frozenset()) -> Signed:
        """``candidate`` with its MinHash and band keys, its host's ``template`` lines left out:
        the CPU part, kept out of the transaction."""
        text, removed = without_template(candidate.body, template)
        print_ = fingerprint(text, self.scheme)
        signature = db.NewSignature(
            canonical_url=candidate.canonical_url,
            url=candidate.url,
            site=candidate.site,
            content_hash=candidate.content_hash,
            source_name=candidate.source_name,
            published=candidate.published,
            fetched_at=candidate.fetched_at,
            published_precision=candidate.published_precision,
            source_url=candidate.source_url,
            scheme=self.scheme.name,
            shingle_count=print_.shingle_count,
            minhash=signature_bytes(print_.signature),
        )
        keys = band_keys(print_.signature, self.scheme) if print_.shingle_count >= self.min_shingles else []
        return Signed(candidate, print_, signature, keys, removed)

    def assign(self, connection: Connection, candidate: Candidate, now: datetime | None = None) -> Assignment:
        """Stores ``candidate``'s signature and puts it in a cluster: the cluster of the most
        similar stored article at or above the threshold, else a new one."""
        return self.assign_all(connection, [candidate], now)[0]

    def assign_all(
        self, connection: Connection, candidates: Iterable[Candidate], now: datetime | None = None
    ) -> list[Assignment]:
        """:meth:`assign` for each of ``candidates`` in turn, each seeing the ones before it."""
        return self.assign_signed(connection, self.sign_all(connection, list(candidates)), now)

    def assign_signed(
        self, connection: Connection, signed: Sequence[Signed], now: datetime | None = None
    ) -> list[Assignment]:
        """:meth:`assign_all` of candidates already signed; the assignment lock is taken once
        (on Postgres it is a round trip)."""
        now = now or datetime.now(UTC)
        db.serialize_assignments(connection)
        assignments = [self._assign(connection, one, now) for one in signed]
        if self.template_pages:  # bodies not seen before count towards their host's template
            fresh = [one.candidate for one, done in zip(signed, assignments, strict=True) if done.status != "known"]
            count_template_lines(connection, _lines_of(fresh))
        return assignments

    def _assign(self, connection: Connection, signed: Signed, now: datetime) -> Assignment:
        url = signed.candidate.canonical_url
        stored = db.stored_signature(connection, url)
        changed: set[int] = set()
        if stored is not None:
            if stored.scheme == self.scheme.name and stored.minhash == signed.signature.minhash:
                return Assignment(stored.cluster_id, db.cluster_canonical(connection, stored.cluster_id), "known")
            changed |= self._remove(connection, stored, now)

        best_cluster, best_similarity = self._closest(connection, url, signed)
        cited = self._cited(connection, signed)
        if cited is not None:
            (cluster_id, best_similarity), status = cited, "joined"
        elif best_cluster is not None and best_similarity is not None and best_similarity >= self.threshold:
            cluster_id, status = best_cluster, "joined"
        else:
            cluster_id = db.new_cluster(connection, url, now)
            status = "new" if signed.keys else "short"
        db.add_signature(connection, signed.signature, cluster_id, signed.keys, now)
        canonical = url  # a cluster created above starts with this member
        if status == "joined":
            canonical, moved = self._recompute_canonical(connection, cluster_id, now, joined=url)
            if moved:
                changed.add(cluster_id)
            else:
                store_similarities(connection, cluster_id, canonical, only=url)
        else:
            db.set_canonical(connection, cluster_id, url, now, "only")
            store_similarities(connection, cluster_id, url, only=url)
        return Assignment(cluster_id, canonical, status, best_similarity, frozenset(changed))

    def _closest(self, connection: Connection, canonical_url: str, signed: Signed) -> tuple[int | None, float | None]:
        """Cluster and estimated Jaccard of the most similar stored signature sharing a band."""
        rows = db.similar_signatures(
            connection,
            signed.keys,
            self.scheme.name,
            canonical_url,
            max_postings=self.max_postings,
            max_candidates=self.max_candidates,
        )
        best: tuple[float, int] | None = None
        for cluster_id, minhash in rows:
            similarity = estimated_jaccard(signed.fingerprint.signature, signature_from_bytes(minhash))
            # Ties go to the older cluster, so the result does not depend on row order.
            if best is None or (similarity, -cluster_id) > (best[0], -best[1]):
                best = (similarity, cluster_id)
        return (best[1], best[0]) if best else (None, None)

    def _cited(self, connection: Connection, signed: Signed) -> tuple[int, float] | None:
        """Cluster and estimated Jaccard of the stored article whose URL ``signed`` prints as its
        origin (原文链接), when the smaller text of the two is at least ``threshold`` contained in
        the other: a printed origin is the strongest evidence there is, and an excerpt, a copy
        with a long preface or with its paragraphs redone is still a copy of it, however low
        their Jaccard (the cited page need not even share a band key)."""
        source = signed.candidate.source_url
        if not source or not signed.keys:
            return None
        cited = db.stored_signature(connection, canonical_url(source))
        if cited is None or cited.scheme != self.scheme.name or not cited.shingle_count:
            return None
        jaccard = estimated_jaccard(signed.fingerprint.signature, signature_from_bytes(cited.minhash))
        contained = estimated_containment(jaccard, signed.fingerprint.shingle_count, cited.shingle_count)
        return (cited.cluster_id, jaccard) if contained >= self.threshold else None

    def _remove(self, connection: Connection, stored: db.StoredSignature, now: datetime) -> set[int]:
        """Drops a stored signature whose body changed; its cluster loses it (or goes)."""
        if not db.remove_signature(connection, stored.id, stored.cluster_id):
            return set()
        _, moved = self._recompute_canonical(connection, stored.cluster_id, now)
        return {stored.cluster_id} if moved else set()

    def _recompute_canonical(
        self, connection: Connection, cluster_id: int, now: datetime, joined: str | None = None
    ) -> tuple[str, bool]:
        """Chooses the cluster's canonical article again: its ``canonical_url``, and whether it
        changed; the rule that chose it and every member's similarity to it are stored.

        When one member just ``joined`` citing nothing (no 来源, no 原文链接) and the current
        original cites nothing either, only the two can win: the roots of the cluster are the
        same plus the newcomer (see :mod:`pipelines.similarity.canonical`). Otherwise every
        member is ranked. Without that, a cluster of thousands of uncited copies cost a load
        of every member per copy added.
        """
        current = db.cluster_canonical(connection, cluster_id)
        members = None
        if joined is not None:
            pair = db.cluster_members(connection, cluster_id, only=(current, joined))
            if all(not m.source_name and not m.source_url for m in pair):
                members = pair
        if members is None:
            members = db.cluster_members(connection, cluster_id)
        choice = choose_canonical(members, self.outlets)
        canonical = choice.member.canonical_url
        if canonical == current:
            db.set_canonical(connection, cluster_id, canonical, now, choice.rule)
            return canonical, False
        db.set_canonical(connection, cluster_id, canonical, now, choice.rule)
        store_similarities(connection, cluster_id, canonical)
        return canonical, True
