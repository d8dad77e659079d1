"""Which stored article each article copies: where ``duplicate_of`` and ``cluster_id`` are decided.

Called by the storage stage inside the transaction that stores the same articles
(:func:`pipelines.storage.write_batch`), in arrival order, each article seeing the ones before
it. Two decisions make an article's links:

* its exact original (:func:`crawler.db.articles.exact_originals`): the first article stored
  with the same body hash;
* unless ``NEAR_DUPLICATE_ENABLED`` is off, its story (:mod:`pipelines.neardup_index`): the
  cluster it joins, whose original :func:`pipelines.similarity.canonical.choose_canonical`
  picks among the members.

:func:`links_of` turns them into the stored links; it is the one function to change to link
copies differently.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field

from sqlalchemy import Connection

from crawler.db.articles import CopyLinks, exact_originals
from crawler.db.neardup import cluster_canonicals, serialize_assignments
from crawler.items import Article, StoredArticle
from pipelines.neardup_index import Assignment, NearDuplicateIndex, Signed


def links_of(canonical_url: str, exact_original: str | None, story: tuple[int, str] | None) -> CopyLinks:
    """The links stored for an article: with a ``story`` (cluster id, its original's URL), the
    story's original, which an exact copy shares with its original since equal bodies join one
    cluster; without (the assignment is off), the exact original."""
    if story is None:
        return CopyLinks(canonical_url, None, exact_original)
    cluster_id, original = story
    return CopyLinks(canonical_url, cluster_id, None if original == canonical_url else original)


@dataclass
class BatchLinks:
    """The links of a batch, one per item in order, and what the decisions were."""

    links: list[CopyLinks]
    exact_duplicates: int = 0
    statuses: Counter[str] = field(default_factory=Counter)
    """Assignments by :attr:`Assignment.status` (``new``, ``joined``, ``known``, ``short``)."""
    changed_clusters: set[int] = field(default_factory=set)
    """Clusters whose original changed: the links of their other members follow."""
    canonical_changed: int = 0


def decide_links(
    connection: Connection,
    items: Sequence[Article | StoredArticle],
    index: NearDuplicateIndex | None,
    signed: Sequence[Signed] | None,
) -> BatchLinks:
    """The links of ``items`` (``signed``: their fingerprints, when ``index`` is on), set on
    the articles among them; the signatures, band keys and clusters written.

    First of all the transaction takes the database's copy-decision lock, held until it commits:
    workers on other machines storing copies of one story at the same moment would otherwise
    each find no original and store two (the near-duplicate assignment took it, but only after
    the exact originals were read, and not at all with ``NEAR_DUPLICATE_ENABLED`` off)."""
    serialize_assignments(connection)
    originals = iter(exact_originals(connection, [item for item in items if isinstance(item, Article)]))
    exact = [next(originals) if isinstance(item, Article) else None for item in items]
    assignments: list[Assignment | None] = [None] * len(items)
    stories: dict[int, str] = {}
    if index is not None:
        assert signed is not None
        assignments = list(index.assign_signed(connection, signed))
        assert len(assignments) == len(items)
        # The original after the whole batch: a later article may have become an earlier one's.
        stories = cluster_canonicals(connection, {a.cluster_id for a in assignments if a is not None})
    batch = BatchLinks([], exact_duplicates=sum(original is not None for original in exact))
    for item, exact_original, assignment in zip(items, exact, assignments, strict=True):
        story = (assignment.cluster_id, stories[assignment.cluster_id]) if assignment is not None else None
        links = links_of(item.canonical_url, exact_original, story)
        batch.links.append(links)
        if isinstance(item, Article):
            item.cluster_id, item.duplicate_of = links.cluster_id, links.duplicate_of
        if assignment is not None:
            batch.statuses[assignment.status] += 1
            batch.changed_clusters |= assignment.changed_clusters
            batch.canonical_changed += len(assignment.changed_clusters)
    return batch
