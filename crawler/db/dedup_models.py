"""Near-duplicate tables: clusters, per-article MinHash signatures, and their LSH band keys.

* ``clusters``: one row per story, with the ``canonical_url`` of its original.
* ``minhash_signatures``: one row per article (keyed on ``canonical_url``, like ``articles``,
  and written in the same transaction as the article's row), with the
  signature, the scheme it was made with, its cluster, and what the canonical choice needs
  (site, 来源, publication and fetch time).
* ``host_lines``: per host, how many distinct bodies hold each line (its template lines).
* ``minhash_bands``: one row per (signature, band) with the band key, indexed: the
  candidates of a new document are one ``key IN (...)`` index lookup, whatever the archive size.

``articles.cluster_id`` copies ``minhash_signatures.cluster_id`` (no foreign key: ``scrapy
recluster`` removes every cluster before it assigns the stored articles again). Every
statement on these tables is in :mod:`crawler.db.neardup`. See ``docs/dedup.md``.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, Float, ForeignKey, Index, Integer, LargeBinary, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from crawler.db.models import Base, UTCDateTime


class ClusterRow(Base):
    """One story: an original and its copies."""

    __tablename__ = "clusters"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    canonical_url: Mapped[str] = mapped_column(Text, index=True)
    """``canonical_url`` of the original (see :func:`pipelines.similarity.canonical.choose_canonical`)."""
    canonical_rule: Mapped[str | None] = mapped_column(String(40))
    """Which rule chose the original (:data:`pipelines.similarity.canonical.RULES`)."""
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)


class SignatureRow(Base):
    """The MinHash signature of one article's cleaned body."""

    __tablename__ = "minhash_signatures"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    canonical_url: Mapped[str] = mapped_column(Text, unique=True)
    cluster_id: Mapped[int] = mapped_column(ForeignKey("clusters.id"), index=True)
    scheme: Mapped[str] = mapped_column(String(40), index=True)
    """Shingle size, permutations, bands and seed, e.g. ``k4-p128-b32-s1-poly64``."""
    content_hash: Mapped[str | None] = mapped_column(String(64))
    shingle_count: Mapped[int] = mapped_column(Integer)
    minhash: Mapped[bytes] = mapped_column(LargeBinary)
    """``num_perm`` little-endian uint32 values."""
    url: Mapped[str] = mapped_column(Text)
    site: Mapped[str] = mapped_column(String(200))
    source_name: Mapped[str | None] = mapped_column(Text)
    published: Mapped[datetime | None] = mapped_column(UTCDateTime)
    published_precision: Mapped[str | None] = mapped_column(String(10))
    source_url: Mapped[str | None] = mapped_column(Text)
    """The URL the article prints as its origin (原文链接)."""
    fetched_at: Mapped[datetime] = mapped_column(UTCDateTime)
    similarity: Mapped[float | None] = mapped_column(Float)
    """Estimated Jaccard with the story's original (1.0 for the original)."""
    containment: Mapped[float | None] = mapped_column(Float)
    """Estimated share of this article's shingles found in the original."""
    contained: Mapped[float | None] = mapped_column(Float)
    """Estimated share of the original's shingles found in this article."""
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


class BandRow(Base):
    """One LSH band key of one signature (none for bodies too short to compare)."""

    __tablename__ = "minhash_bands"
    # The candidate lookup reads the newest postings of a key: (key, signature_id) backwards.
    __table_args__ = (Index("ix_minhash_bands_key_signature_id", "key", "signature_id"),)

    signature_id: Mapped[int] = mapped_column(ForeignKey("minhash_signatures.id", ondelete="CASCADE"), primary_key=True)
    band: Mapped[int] = mapped_column(Integer, primary_key=True)
    key: Mapped[int] = mapped_column(BigInteger)


class HostLineRow(Base):
    """How many distinct bodies of one host hold one line: a line on many is the host's
    template (:mod:`pipelines.similarity.templates`), left out of signatures."""

    __tablename__ = "host_lines"

    host: Mapped[str] = mapped_column(String(255), primary_key=True)
    line_hash: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    """BLAKE2b (8 bytes, signed) of the line, NFKC, without whitespace."""
    pages: Mapped[int] = mapped_column(Integer)
