"""MinHash signatures of character shingles (datasketch), stored as bytes.

A :class:`Scheme` fixes everything that must be equal for two signatures to be comparable:
shingle size, number of permutations, seed and the LSH banding. Its :attr:`Scheme.name` is
stored beside every signature, so a database built with another scheme is recognised (and
``scrapy recluster`` rebuilds it).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt
from datasketch import MinHash

from pipelines.similarity.shingles import shingles

SIGNATURE_DTYPE = np.dtype("<u4")  # datasketch's "affine32" scheme: 32-bit hash values
Signature = npt.NDArray[np.uint32]


@dataclass(frozen=True)
class Scheme:
    shingle_size: int = 3
    num_perm: int = 128
    bands: int = 32
    seed: int = 1
    _permutations: npt.NDArray[np.uint32] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        if self.num_perm % self.bands:
            raise ValueError(f"num_perm ({self.num_perm}) must be a multiple of bands ({self.bands})")
        template = MinHash(num_perm=self.num_perm, seed=self.seed, scheme="affine32")
        object.__setattr__(self, "_permutations", template.permutations)

    @property
    def rows(self) -> int:
        """Signature values per band."""
        return self.num_perm // self.bands

    @property
    def name(self) -> str:
        return f"k{self.shingle_size}-p{self.num_perm}-b{self.bands}-s{self.seed}"

    def candidate_probability(self, similarity: float) -> float:
        """Probability that two texts of this Jaccard similarity share at least one band."""
        return float(1.0 - (1.0 - similarity**self.rows) ** self.bands)


@dataclass(frozen=True)
class Fingerprint:
    """A body's signature and the size of its shingle set (for the containment estimate)."""

    signature: Signature
    shingle_count: int


def fingerprint(body: str, scheme: Scheme) -> Fingerprint:
    """The MinHash signature of ``body``'s shingles under ``scheme``."""
    found = shingles(body, scheme.shingle_size)
    minhash = MinHash(num_perm=scheme.num_perm, seed=scheme.seed, scheme="affine32", permutations=scheme._permutations)
    minhash.update_batch([shingle.encode("utf-8") for shingle in found])
    return Fingerprint(np.asarray(minhash.hashvalues, dtype=np.uint32), len(found))


def signature_bytes(signature: Signature) -> bytes:
    return signature.astype(SIGNATURE_DTYPE, copy=False).tobytes()


def signature_from_bytes(data: bytes) -> Signature:
    return np.frombuffer(data, dtype=SIGNATURE_DTYPE).astype(np.uint32)


def estimated_jaccard(first: Signature, second: Signature) -> float:
    """Share of equal MinHash values: an unbiased estimate of the shingle sets' Jaccard index."""
    if first.shape != second.shape:
        raise ValueError(f"signatures of different length: {first.shape} vs {second.shape}")
    return float(np.count_nonzero(first == second)) / len(first)


def estimated_containment(jaccard: float, first_count: int, second_count: int) -> float:
    """Estimated share of the smaller shingle set found in the larger one.

    From ``J = |A∩B| / |A∪B|`` and the set sizes: ``|A∩B| = J (|A| + |B|) / (1 + J)``.
    """
    smaller = min(first_count, second_count)
    if smaller == 0:
        return 0.0
    return min(1.0, jaccard * (first_count + second_count) / ((1.0 + jaccard) * smaller))
