"""Three processes store copies of one story into one Postgres at the same moment (issue 18).

Each process writes, in its own transaction started at one barrier, an exact copy and a
near-duplicate of the same story under its own URLs, plus the same article under one shared URL.
Whatever the interleaving, the story has one original, every copy names it in
``duplicate_of``, the copies share one cluster, and the shared URL is one row: the database
serializes the decisions (a transaction-scoped advisory lock, :func:`crawler.db.neardup.serialize_assignments`),
no lock of a process does.
"""

from __future__ import annotations

import multiprocessing
from collections import Counter
from typing import Any

import pytest
from scrapy.settings import Settings

from crawler import settings as project_settings
from crawler.db.engine import make_engine
from crawler.db.schema import ensure_schema
from crawler.items import Article
from pipelines.dedup import content_hash
from pipelines.neardup_index import Candidate, index_from_settings
from pipelines.storage import write_batch
from tests.conftest import query_rows

pytestmark = pytest.mark.postgres

PROCESSES = 3
ROUNDS = 6


def copy(url: str, body: str) -> Article:
    return Article(url=url, canonical_url=url, site="test", fetched_at="2026-01-01T08:00:00+08:00", title="标题",
                   body=body, body_original=body, content_hash=content_hash(body))  # fmt: skip


def story_body(story: int) -> str:
    """A body long enough to be clustered, one per story."""
    import random

    from tests.generators.crawlsite import paragraph

    rng = random.Random(story)
    return "".join(paragraph(rng, story, k) for k in range(1, 7))


def near_copy(body: str, worker: int) -> str:
    """The story with a line of this worker's own: a near duplicate, not an exact copy."""
    return body + f"（本文转载自第{worker}号来源网站，责任编辑：编辑{worker}）"


def store_at_once(database_url: str, worker: int, barrier: Any, neardup: bool) -> int:
    """One process: each round, waits for the others, then writes its copies in one transaction."""
    settings = Settings({name: getattr(project_settings, name) for name in dir(project_settings) if name.isupper()})
    index = index_from_settings(settings) if neardup else None
    engine = make_engine(database_url)
    try:
        for story in range(ROUNDS):
            body = story_body(story)
            items = [
                copy(f"http://w{worker}.cn/{story}/exact", body),
                copy(f"http://w{worker}.cn/{story}/near", near_copy(body, worker)),
                copy(f"http://shared.cn/{story}", body),
            ]
            signed = [index.sign(Candidate.of(item)) for item in items] if index is not None else None
            barrier.wait(timeout=60)
            with engine.begin() as connection:
                write_batch(connection, items, index, signed)
    finally:
        engine.dispose()
    return worker


@pytest.mark.parametrize("neardup", [True, False], ids=["near-duplicates on", "exact copies only"])
def test_three_processes_storing_one_story_at_once(postgres_url: str, neardup: bool) -> None:
    engine = make_engine(postgres_url)
    ensure_schema(engine)
    engine.dispose()
    context = multiprocessing.get_context("spawn")
    barrier = context.Manager().Barrier(PROCESSES)
    with context.Pool(PROCESSES) as pool:
        results = [pool.apply_async(store_at_once, (postgres_url, n, barrier, neardup)) for n in range(PROCESSES)]
        assert sorted(result.get(timeout=240) for result in results) == list(range(PROCESSES))
    rows = query_rows(postgres_url, "SELECT canonical_url, duplicate_of, cluster_id, body FROM articles")
    urls = Counter(row["canonical_url"] for row in rows)
    assert max(urls.values()) == 1  # no duplicate rows
    assert len(rows) == ROUNDS * (2 * PROCESSES + 1)  # nothing lost
    for story in range(ROUNDS):
        body = story_body(story)
        exact = [row for row in rows if row["body"] == body]
        originals = [row["canonical_url"] for row in exact if row["duplicate_of"] is None]
        assert len(originals) == 1, f"story {story}: originals {originals}"
        assert {row["duplicate_of"] for row in exact} == {None, originals[0]}
        if neardup:
            story_rows = [row for row in rows if row["body"].startswith(body)]
            assert len({row["cluster_id"] for row in story_rows}) == 1
            assert {row["duplicate_of"] or row["canonical_url"] for row in story_rows} == {originals[0]}
