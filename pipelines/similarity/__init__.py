"""Pure functions for near-duplicate detection (no Scrapy, no database).

* :mod:`.shingles`: the text a signature is taken over, and its character shingles.
* :mod:`.minhash`: the MinHash :class:`~.minhash.Scheme` (shingle size, permutations, bands),
  signatures as bytes, and the Jaccard estimate between two signatures.
* :mod:`.banding`: LSH band keys, the integers the database indexes for candidate lookup.
* :mod:`.canonical`: which member of a cluster is the original.

:class:`pipelines.neardup.NearDuplicatePipeline` and ``scrapy recluster`` use them through
:mod:`crawler.db.neardup`; see ``docs/dedup.md``.
"""
