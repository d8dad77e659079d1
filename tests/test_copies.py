"""Which stored article an article copies: the links the storage stage decides and stores."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from crawler.db.articles import CopyLinks
from pipelines.copies import links_of
from pipelines.dedup import ExactDedupPipeline
from pipelines.storage import StoragePipeline
from tests.conftest import project_crawler, query_rows, run_together
from tests.generators.neardup_set import Original
from tests.test_db import article
from tests.test_neardup import article as full_article

Storage = Callable[..., StoragePipeline]


@pytest.mark.parametrize(
    ("exact_original", "story", "expected"),
    [
        (None, None, CopyLinks("http://b.cn/1", None, None)),
        ("http://a.cn/1", None, CopyLinks("http://b.cn/1", None, "http://a.cn/1")),
        (None, (7, "http://b.cn/1"), CopyLinks("http://b.cn/1", 7, None)),
        (None, (7, "http://c.cn/1"), CopyLinks("http://b.cn/1", 7, "http://c.cn/1")),
        # an exact copy joins its original's story, whose original the story decides
        ("http://a.cn/1", (7, "http://c.cn/1"), CopyLinks("http://b.cn/1", 7, "http://c.cn/1")),
    ],
)
def test_links_of(exact_original: str | None, story: tuple[int, str] | None, expected: CopyLinks) -> None:
    assert links_of("http://b.cn/1", exact_original, story) == expected


def test_same_body_under_another_url_points_at_the_first(storage: Storage, sqlite_url: str) -> None:
    stored = storage(sqlite_url, NEAR_DUPLICATE_ENABLED=False)
    stages = [ExactDedupPipeline.from_crawler(project_crawler()), stored]
    first, copy = run_together(stages, article("http://a.cn/1"), article("http://b.cn/7"))
    assert first.duplicate_of is None
    assert copy.duplicate_of == "http://a.cn/1"
    assert stored.stats.get_value("dedup/exact_duplicate") == 1


def test_duplicate_of_a_stored_article_from_an_earlier_run(storage: Storage, sqlite_url: str) -> None:
    first_run = storage(sqlite_url, NEAR_DUPLICATE_ENABLED=False)
    run_together([first_run], article("http://a.cn/1"))
    first_run.close_spider()
    later_run = storage(sqlite_url, NEAR_DUPLICATE_ENABLED=False)
    [copy] = run_together([later_run], article("http://b.cn/7"))
    assert copy.duplicate_of == "http://a.cn/1"
    [again] = run_together([later_run], article("http://a.cn/1"))
    assert again.duplicate_of is None  # the original stays the original on a re-run


def test_exact_copies_share_the_story_of_their_original(
    storage: Storage, database_url: str, seeds: dict[str, Original]
) -> None:
    """With the near-duplicate assignment on, an exact copy is in its original's cluster and
    names the story's original, and the exact copy is still counted as one."""
    body = seeds["seed-002"].body
    component = storage(database_url)
    first, copy = run_together([component], full_article("http://a.cn/1", body), full_article("http://b.cn/7", body))
    assert (first.cluster_id, first.duplicate_of) == (copy.cluster_id, None)
    assert copy.duplicate_of == "http://a.cn/1"
    assert component.stats.get_value("dedup/exact_duplicate") == 1
    rows = query_rows(database_url, "SELECT canonical_url, duplicate_of FROM articles ORDER BY canonical_url")
    assert [(r["canonical_url"], r["duplicate_of"]) for r in rows] == [
        ("http://a.cn/1", None),
        ("http://b.cn/7", "http://a.cn/1"),
    ]


def test_short_exact_copies_are_stories_of_their_own(storage: Storage, sqlite_url: str) -> None:
    """Bodies too short to compare ("详见附件。") each get a story of their own, exact copies
    included, as before links were decided in one place."""
    component = storage(sqlite_url)
    first, copy = run_together(
        [component], full_article("http://a.cn/1", "详见附件。"), full_article("http://b.cn/1", "详见附件。")
    )
    assert first.cluster_id != copy.cluster_id
    assert (first.duplicate_of, copy.duplicate_of) == (None, None)
