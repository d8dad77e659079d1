"""How close a copy is to its story's original: estimated Jaccard and containment both ways,
stored on the copy's signature row (``similarity``, ``containment``, ``contained``) so an
analyst can tell verbatim copies from cut, extended or rewritten ones."""

from __future__ import annotations

from sqlalchemy import Connection

from crawler.db import neardup as db
from pipelines.similarity.minhash import estimated_jaccard, estimated_share, signature_from_bytes


def closeness(copy: db.Print, original: db.Print) -> dict[str, float]:
    """Estimated Jaccard of a copy with its original, and the containments it implies with the
    shingle counts (:func:`~pipelines.similarity.minhash.estimated_share`): of the copy in the original
    (``containment``: 1.0 for a cut copy) and of the original in the copy (``contained``: 1.0
    for a copy that added text)."""
    if copy.canonical_url == original.canonical_url:
        return {"similarity": 1.0, "containment": 1.0, "contained": 1.0}
    jaccard = estimated_jaccard(signature_from_bytes(copy.minhash), signature_from_bytes(original.minhash))
    return {
        "similarity": round(jaccard, 4),
        "containment": round(estimated_share(jaccard, copy.shingle_count, original.shingle_count), 4),
        "contained": round(estimated_share(jaccard, original.shingle_count, copy.shingle_count), 4),
    }


def store_similarities(connection: Connection, cluster_id: int, original: str, only: str | None = None) -> None:
    """Stores how close each member of ``cluster_id`` (only ``only``, when given) is to ``original``."""
    prints = db.member_prints(connection, cluster_id, only=None if only is None else (original, only))
    base = next((one for one in prints if one.canonical_url == original), None)
    if base is not None:
        db.set_similarities(connection, [{"key": one.id, **closeness(one, base)} for one in prints])
