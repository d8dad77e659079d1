"""LSH band keys: one 64-bit integer per band of a MinHash signature.

Two signatures that agree on every value of a band get the same key for it. The key also
hashes the band number and the scheme name, so keys of different bands or schemes never
meet; the database stores one row per (signature, band) with an index on the key, and the
candidates of a new document are one indexed ``key IN (...)`` query.
"""

from __future__ import annotations

import hashlib

from pipelines.similarity.minhash import SIGNATURE_DTYPE, Scheme, Signature


def band_keys(signature: Signature, scheme: Scheme) -> list[int]:
    """Signed 64-bit keys (fit a ``BIGINT``), one per band, in band order."""
    if len(signature) != scheme.num_perm:
        raise ValueError(f"signature has {len(signature)} values, scheme {scheme.name} expects {scheme.num_perm}")
    values = signature.astype(SIGNATURE_DTYPE, copy=False)
    prefix = scheme.name.encode("ascii") + b"/"
    keys = []
    for band in range(scheme.bands):
        chunk = values[band * scheme.rows : (band + 1) * scheme.rows].tobytes()
        digest = hashlib.blake2b(prefix + band.to_bytes(4, "big") + chunk, digest_size=8).digest()
        keys.append(int.from_bytes(digest, "big", signed=True))
    return keys
