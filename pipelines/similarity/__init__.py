"""Pure functions for near-duplicate detection (no Scrapy, no database).

* :mod:`.shingles`: the text a signature is taken over, and its character shingles.
* :mod:`.minhash`: the MinHash :class:`~.minhash.Scheme` (shingle size, permutations, bands),
  signatures as bytes, and the Jaccard estimate between two signatures.
* :mod:`.banding`: LSH band keys, the integers the database indexes for candidate lookup.
* :mod:`.canonical`: which member of a cluster is the original.

The storage stage (:mod:`pipelines.storage`) uses them through the assignment in
:mod:`pipelines.neardup_index`; see ``docs/dedup.md``.
"""
