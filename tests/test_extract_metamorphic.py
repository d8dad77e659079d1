"""Metamorphic robustness of the body (and the fields each mutation names) on real pages.

Each dev corpus page and golden fixture gets one deterministic mutation of every kind in
``tests/mutations.py`` (a stray ``</html>``, a wrapper named ``share-content``, a comment box
with a rules list, a photo credit, a widget row …; harness in ``tests/metamorphic.py``); the
extracted and cleaned fields must come out as for the unchanged page. A small
Hypothesis-driven set stacks several mutations with drawn variants. The dev corpus lives
outside the project and is read by path; those cases skip when it is absent.
"""

from __future__ import annotations

import random

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from lxml import html as lxml_html

from tests.metamorphic import Mutated, Mutation, Page, corpus_pages, differences, fixture_pages, serialized
from tests.mutations import BY_NAME, MUTATIONS

PAGES = corpus_pages() + fixture_pages()
PAGE_IDS = [page.id for page in PAGES]
CASES = [(page, mutation) for page in PAGES for mutation in MUTATIONS]


def test_corpus_is_found_or_skipped() -> None:
    if not any(not page.id.startswith("fixture-") for page in PAGES):
        pytest.skip("dev corpus not present (../shared/corpus/dev)")
    assert len(PAGES) > len(fixture_pages())


@pytest.mark.parametrize(("page", "mutation"), CASES, ids=[f"{page.id}-{mutation.name}" for page, mutation in CASES])
def test_mutation_keeps_fields(page: Page, mutation: Mutation) -> None:
    mutated = mutation.apply(page, random.Random(f"{page.id}:{mutation.name}"))
    if mutated is None:
        pytest.skip(f"{mutation.name} has no place on {page.id}")
    assert mutated.html != page.baseline
    assert differences(page, mutated, mutation.keeps) == []


def test_the_relation_catches_a_changed_body() -> None:
    """The harness itself: text added to the article is a difference and named noise."""
    page = next((page for page in PAGES if page.wrapper_path), None)
    if page is None:
        pytest.skip("no page")
    root, wrapper = page.baseline_with_wrapper()
    assert wrapper is not None
    wrapper.append(lxml_html.fragment_fromstring("<p>这是一段被插进正文里的文字，不属于原文。</p>"))
    found = differences(page, Mutated(serialized(root), ("被插进正文里的文字",)), ("body",))
    assert len(found) == 2


@pytest.mark.skipif(not PAGES, reason="no pages")
@settings(max_examples=25, derandomize=True, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    page_id=st.sampled_from(PAGE_IDS or [""]),
    kinds=st.lists(st.sampled_from([m.name for m in MUTATIONS]), min_size=2, max_size=4, unique=True),
    seed=st.integers(0, 2**16),
)
def test_stacked_mutations_keep_the_body(page_id: str, kinds: list[str], seed: int) -> None:
    """Several mutations on one page at once, variants and places drawn by Hypothesis."""
    page = PAGES[PAGE_IDS.index(page_id)]
    rng = random.Random(seed)
    html, noise = page.baseline, ()
    for kind in kinds:
        step = Page(page.id, page.url, html, page.anchors, page.fetched_at)
        mutated = BY_NAME[kind].apply(step, rng)
        if mutated is not None:
            html, noise = mutated.html, noise + mutated.noise
    if html == page.baseline:
        return
    assert differences(page, Mutated(html, noise), ("body",)) == []
