"""Throughput and memory of the near-duplicate stage as the archive grows.

Run from the repository root::

    python benchmarks/dedup.py [--sizes 10000 100000 1000000] [--url postgresql+psycopg://…]

For each archive size N, a fresh database (a temporary SQLite file, or a fresh database on
the Postgres server of ``--url``) gets N generated signatures with their band keys (random
MinHash values: unrelated documents), plus the real originals of the evaluation set
(``benchmarks/dedup_eval.py``). Then every variant of the evaluation set (``--repeat`` times,
each under a new URL) goes through :meth:`pipelines.neardup_index.NearDuplicateIndex.assign`,
one transaction per document (the storage stage assigns a batch of articles in the transaction
that stores them; one per document is the slower bound): fingerprint, candidate lookup by band
key, Jaccard check, insert, cluster.

Baseline, in the same run on the same documents: datasketch's in-memory ``MinHashLSH`` with
the same permutations and banding holding the same N signatures (query, Jaccard check of the
candidates, insert). It is what one would write without persistence; it needs the whole
archive in RAM in every process and rebuilds it on every start.

Columns: docs/s and ms per document (mean, median, 95th percentile), the ratio of our throughput to
the baseline's, the Python heap the query phase allocated (tracemalloc peak: what the stage
holds per document, independent of N), the RSS the baseline index needed, and the database
size on disk (SQLite).
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import tempfile
import time
import tracemalloc
import uuid
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import numpy as np  # noqa: E402
from datasketch import MinHash, MinHashLSH  # noqa: E402
from sqlalchemy import Engine, create_engine, make_url, text  # noqa: E402

from crawler.db.engine import make_engine  # noqa: E402
from crawler.db.neardup import BAND_KEY_INDEX  # noqa: E402
from crawler.db.schema import upgrade  # noqa: E402
from pipelines.neardup_index import DEFAULT_SCHEME, DEFAULT_THRESHOLD, Candidate, NearDuplicateIndex  # noqa: E402
from pipelines.similarity.banding import band_keys  # noqa: E402
from pipelines.similarity.minhash import Scheme, estimated_jaccard, fingerprint  # noqa: E402
from tests.generators.neardup_set import (  # noqa: E402
    CORPUS_DIR,
    Document,
    corpus_originals,
    evaluation_set,
    seed_originals,
)

CHUNK = 20_000
NOW = datetime(2026, 1, 1, tzinfo=UTC)


def rss_bytes() -> int:
    with open("/proc/self/statm") as handle:
        return int(handle.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


def random_signatures(count: int, scheme: Scheme, seed: int) -> Iterator[np.ndarray]:
    rng = np.random.default_rng(seed)
    for start in range(0, count, CHUNK):
        yield rng.integers(0, 2**32, size=(min(CHUNK, count - start), scheme.num_perm), dtype=np.uint32)


def fill(engine: Engine, count: int, scheme: Scheme) -> None:
    """``count`` generated signatures, each in a cluster of its own, with band keys.

    Loaded with the band-key index dropped and rebuilt afterwards, as a bulk import would.
    """
    with engine.begin() as connection:
        BAND_KEY_INDEX.drop(connection)
    number = 0
    for block in random_signatures(count, scheme, seed=count):
        clusters, signatures, bands = [], [], []
        for values in block:
            number += 1
            url = f"gen://{number}"
            clusters.append({"id": number, "canonical_url": url, "created_at": NOW, "updated_at": NOW})
            signatures.append(
                {
                    "id": number, "canonical_url": url, "cluster_id": number, "scheme": scheme.name,
                    "content_hash": None, "shingle_count": 500, "minhash": values.astype("<u4").tobytes(),
                    "url": url, "site": "gen", "source_name": None, "published": None, "fetched_at": NOW,
                    "created_at": NOW,
                }
            )  # fmt: skip
            keys = band_keys(values, scheme)
            bands.extend({"signature_id": number, "band": b, "key": k} for b, k in enumerate(keys))
        with engine.begin() as connection:
            connection.execute(text(_insert_sql("clusters", clusters[0])), clusters)
            connection.execute(text(_insert_sql("minhash_signatures", signatures[0])), signatures)
            connection.execute(text(_insert_sql("minhash_bands", bands[0])), bands)
    with engine.begin() as connection:
        BAND_KEY_INDEX.create(connection)
        if engine.dialect.name == "postgresql":
            connection.execute(text("SELECT setval('clusters_id_seq', :n)"), {"n": count})
            connection.execute(text("SELECT setval('minhash_signatures_id_seq', :n)"), {"n": count})
            connection.execute(text("ANALYZE"))
        else:
            connection.execute(text("ANALYZE"))


def _insert_sql(table: str, row: dict[str, object]) -> str:
    columns = ", ".join(row)
    return f"INSERT INTO {table} ({columns}) VALUES ({', '.join(':' + c for c in row)})"


def candidate(document: Document, number: int) -> Candidate:
    url = f"http://bench.test/{document.key}/{number}"
    return Candidate(url, url, "bench.test", document.body, None, document.source_name, None, NOW)


@dataclass
class Timing:
    per_doc: list[float]
    heap_peak: int = 0

    @property
    def docs_per_second(self) -> float:
        return len(self.per_doc) / sum(self.per_doc)

    @property
    def mean_ms(self) -> float:
        return 1000 * statistics.fmean(self.per_doc)

    @property
    def median_ms(self) -> float:
        return 1000 * statistics.median(self.per_doc)

    @property
    def p95_ms(self) -> float:
        return 1000 * sorted(self.per_doc)[int(0.95 * (len(self.per_doc) - 1))]


def run_ours(
    engine: Engine, index: NearDuplicateIndex, originals: Sequence[Document], queries: Sequence[Document]
) -> Timing:
    for number, document in enumerate(originals):
        with engine.begin() as connection:
            index.assign(connection, candidate(document, number), now=NOW)
    per_doc = []
    for number, document in enumerate(queries):
        started = time.perf_counter()
        with engine.begin() as connection:
            index.assign(connection, candidate(document, number), now=NOW)
        per_doc.append(time.perf_counter() - started)
    # Heap in a second, traced pass over a few documents (tracing slows allocation down).
    tracemalloc.start()
    for number, document in enumerate(queries[:20], start=len(queries)):
        with engine.begin() as connection:
            index.assign(connection, candidate(document, number), now=NOW)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return Timing(per_doc, peak)


def run_baseline(
    count: int, scheme: Scheme, threshold: float, originals: Sequence[Document], queries: Sequence[Document]
) -> tuple[Timing, int]:
    """datasketch MinHashLSH in memory, same banding; returns the timing and the index's RSS."""
    before = rss_bytes()
    lsh = MinHashLSH(num_perm=scheme.num_perm, params=(scheme.bands, scheme.rows))
    signatures: dict[str, np.ndarray] = {}
    template = MinHash(num_perm=scheme.num_perm, seed=scheme.seed, scheme="affine32")
    number = 0
    for block in random_signatures(count, scheme, seed=count):
        with lsh.insertion_session() as session:
            for values in block:
                number += 1
                key = f"gen://{number}"
                minhash = MinHash(
                    num_perm=scheme.num_perm, hashvalues=values, permutations=template.permutations, scheme="affine32"
                )
                session.insert(key, minhash)
                signatures[key] = values
    index_rss = rss_bytes() - before

    def step(document: Document, key: str) -> None:
        print_ = fingerprint(document.body, scheme)
        minhash = MinHash(
            num_perm=scheme.num_perm, hashvalues=print_.signature, permutations=template.permutations, scheme="affine32"
        )
        best = max(
            (estimated_jaccard(print_.signature, signatures[other]) for other in lsh.query(minhash)), default=0.0
        )
        _ = best >= threshold
        lsh.insert(key, minhash)
        signatures[key] = print_.signature

    for number, document in enumerate(originals):
        step(document, f"original/{number}")
    per_doc = []
    for number, document in enumerate(queries):
        started = time.perf_counter()
        step(document, f"query/{number}")
        per_doc.append(time.perf_counter() - started)
    return Timing(per_doc), index_rss


@contextmanager
def database(url: str | None, tmp: Path, size: int) -> Iterator[tuple[Engine, Path | None]]:
    if url is None:
        path = tmp / f"dedup-{size}.db"
        engine = make_engine(f"sqlite:///{path}")
        try:
            yield engine, path
        finally:
            engine.dispose()
        return
    admin = make_url(url)
    name = f"govnews_bench_{uuid.uuid4().hex[:8]}"
    admin_engine = create_engine(admin, isolation_level="AUTOCOMMIT")
    with admin_engine.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    engine = make_engine(admin.set(database=name).render_as_string(hide_password=False))
    try:
        yield engine, None
    finally:
        engine.dispose()
        with admin_engine.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin_engine.dispose()


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000, 1_000_000])
    parser.add_argument("--url", help="a Postgres server URL (a database is created and dropped per size)")
    parser.add_argument("--no-baseline", action="store_true")
    parser.add_argument("--repeat", type=int, default=3, help="times each variant is sent (default: 3)")
    parser.add_argument("--corpus", type=Path, default=CORPUS_DIR, help="dev corpus (default: %(default)s)")
    args = parser.parse_args(argv)
    corpus = corpus_originals(args.corpus)
    if not corpus:
        print(f"dedup benchmark refused: no truth bodies in {args.corpus}; without the corpus the "
              "evaluation set shrinks to the 5 seeds (90 documents instead of 504)", file=sys.stderr)  # fmt: skip
        return 2

    scheme, threshold = DEFAULT_SCHEME, DEFAULT_THRESHOLD
    index = NearDuplicateIndex(scheme, threshold)
    documents = evaluation_set(seed_originals() + corpus, seed=6)
    originals = [d for d in documents if d.kind == "original"]
    # Every variant --repeat times (each a new URL): enough documents for a stable mean.
    queries = [d for d in documents if d.kind != "original"] * args.repeat
    random.Random(1).shuffle(queries)
    backend = "postgres" if args.url else "sqlite"
    print(f"scheme {scheme.name}, threshold {threshold}, {len(queries)} query documents per size, {backend}")
    header = (
        f"{'stored':>9} | {'load s':>7} | {'ours docs/s':>11} | {'ms mean':>7} | {'ms med':>6} | {'ms p95':>6} | "
        f"{'heap MB':>7} | "
        f"{'db MB':>7} | {'baseline docs/s':>15} | {'baseline RSS MB':>15} | {'ours/baseline':>13}"
    )
    print(header)
    print("-" * len(header))
    with tempfile.TemporaryDirectory() as tmp:
        for size in args.sizes:
            with database(args.url, Path(tmp), size) as (engine, path):
                upgrade(engine)
                started = time.perf_counter()
                fill(engine, size, scheme)
                load = time.perf_counter() - started
                ours = run_ours(engine, index, originals, queries)
                db_mb = f"{(path.stat().st_size + _wal(path)) / 2**20:>7.0f}" if path else f"{'-':>7}"
            if args.no_baseline:
                base_dps, base_rss, ratio = f"{'-':>15}", f"{'-':>15}", f"{'-':>13}"
            else:
                baseline, index_rss = run_baseline(size, scheme, threshold, originals, queries)
                base_dps = f"{baseline.docs_per_second:>15.0f}"
                base_rss = f"{index_rss / 2**20:>15.0f}"
                ratio = f"{ours.docs_per_second / baseline.docs_per_second:>13.2f}"
            timing = (
                f"{ours.docs_per_second:>11.0f} | {ours.mean_ms:>7.2f} | {ours.median_ms:>6.2f} | {ours.p95_ms:>6.2f}"
            )
            print(
                f"{size:>9} | {load:>7.1f} | {timing} | {ours.heap_peak / 2**20:>7.2f} | {db_mb} | "
                f"{base_dps} | {base_rss} | {ratio}",
                flush=True,
            )
    return 0


def _wal(path: Path) -> int:
    wal = path.with_name(path.name + "-wal")
    return wal.stat().st_size if wal.exists() else 0


if __name__ == "__main__":
    raise SystemExit(main())
