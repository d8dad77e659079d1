"""Quality gate of near-duplicate detection on the generated evaluation set.

Variants of the seeds are always checked; the full set with the dev corpus bodies (precision
and recall floors, as ``benchmarks/dedup_eval.py`` prints them) skips when the corpus is absent.
"""

from __future__ import annotations

import itertools
import random

import pytest

from pipelines.neardup_index import DEFAULT_SCHEME, DEFAULT_THRESHOLD
from pipelines.similarity.minhash import estimated_jaccard, fingerprint
from pipelines.similarity.shingles import shingle_text
from tests.conftest import CORPUS_DIR
from tests.generators.neardup_set import (
    VARIANT_KINDS,
    Original,
    cluster_found,
    corpus_originals,
    evaluation_set,
    raw_variant,
    score,
    seed_originals,
    spin,
    true_pairs,
    variant,
)


@pytest.fixture(scope="module")
def seeds() -> list[Original]:
    return seed_originals()


def similarity(first: str, second: str) -> float:
    return estimated_jaccard(
        fingerprint(first, DEFAULT_SCHEME).signature, fingerprint(second, DEFAULT_SCHEME).signature
    )


@pytest.mark.parametrize("kind", VARIANT_KINDS)
def test_each_variant_kind_of_each_seed_reaches_the_threshold(seeds: list[Original], kind: str) -> None:
    related = ["浙江着力建设三大科创高地", "安徽携手沪苏浙"]
    for original in seeds:
        # The raw copy differs from the original; the cleaned one is what the detector sees.
        raw_title, raw_body = raw_variant(original, kind, random.Random(6), related)
        assert (raw_title, raw_body) != (original.title, original.body)
        copy = variant(original, kind, random.Random(6), related)
        assert similarity(original.body, copy.body) >= DEFAULT_THRESHOLD, (original.story, kind)


def test_variants_really_differ_from_the_original(seeds: list[Original]) -> None:
    """Cleaning does not undo spinning: the spun copy changes the text the signature is taken over."""
    rng = random.Random(6)
    original = next(o for o in seeds if o.story == "seed-000")
    spun = spin(original.body, rng)
    assert shingle_text(spun) != shingle_text(original.body)
    assert similarity(original.body, spun) < 1.0


def test_same_topic_seeds_stay_apart(seeds: list[Original]) -> None:
    """Seeds 000, 002 and 003 all speak of Zhejiang's technology innovation centres."""
    bodies = {o.story: o.body for o in seeds}
    for first, second in itertools.combinations(("seed-000", "seed-002", "seed-003"), 2):
        assert similarity(bodies[first], bodies[second]) < DEFAULT_THRESHOLD / 2, (first, second)


def test_seed_evaluation_set_clusters_perfectly(seeds: list[Original]) -> None:
    documents = evaluation_set(seeds, seed=11)
    result = score(cluster_found(documents, DEFAULT_SCHEME, DEFAULT_THRESHOLD), true_pairs(documents))
    assert (result.missed, result.wrong) == ((), ())


@pytest.mark.skipif(not CORPUS_DIR.is_dir(), reason=f"dev corpus absent: {CORPUS_DIR}")
def test_corpus_evaluation_set_meets_the_floors(seeds: list[Original]) -> None:
    documents = evaluation_set(seeds + corpus_originals(CORPUS_DIR), seed=6)
    result = score(cluster_found(documents, DEFAULT_SCHEME, DEFAULT_THRESHOLD), true_pairs(documents))
    assert result.expected == 21 * (5 + len(list(CORPUS_DIR.glob("*/truth.json"))))
    assert result.precision >= 0.99, result.wrong
    assert result.recall >= 0.95, result.missed
