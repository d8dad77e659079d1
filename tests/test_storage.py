"""The storage stage: batches, the near-duplicate assignment in the same transaction as the
article rows, and nothing lost (or half written) when the database fails mid-run."""

from __future__ import annotations

import asyncio
import os
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy.exc import OperationalError

from crawler.db.engine import make_engine
from crawler.db.spool import quarantined_files, read_batch, spool_files, write_batch
from crawler.exitcodes import ExitCode
from pipelines import storage as storage_module
from pipelines.storage import StoragePipeline
from tests.conftest import PROJECT_ROOT, SEEDS_DIR, query_rows, run_scrapy, run_together
from tests.generators.neardup_set import Original
from tests.test_db import article as plain_article
from tests.test_neardup import article, copy_of

Storage = Callable[..., StoragePipeline]
NEAR_DUPLICATE_TABLES = ("clusters", "minhash_signatures", "minhash_bands")


def count_rows(database_url: str, table: str = "articles") -> int:
    assert table == "articles" or table in NEAR_DUPLICATE_TABLES
    return int(query_rows(database_url, f"SELECT COUNT(*) AS n FROM {table}")[0]["n"])


def process(component: StoragePipeline, *items: Any) -> list[Any]:
    """The items through ``process_item`` on one event loop, arriving together (one batch)."""
    return run_together([component], *items)


# --- batches -----------------------------------------------------------------------------------


def test_items_are_written_in_batches_and_flushed_on_close(storage: Storage, sqlite_url: str) -> None:
    pipeline = storage(sqlite_url, STORAGE_BATCH_SIZE=3, STORAGE_BATCH_WAIT=60)

    async def crawl() -> None:
        pending = [
            asyncio.ensure_future(pipeline.process_item(plain_article(f"http://a.cn/{n}", body=f"正文{n}")))
            for n in range(4)
        ]
        await asyncio.sleep(0.2)
        assert count_rows(sqlite_url) == 3  # one full batch written, one item waiting
        assert not pending[3].done()  # its process_item returns only once it is stored
        pipeline.close_spider()
        await asyncio.gather(*pending)

    asyncio.run(crawl())
    assert count_rows(sqlite_url) == 4
    assert pipeline.stats.get_value("storage/inserted") == 4


def test_a_batch_is_written_when_its_first_item_waited_long_enough(storage: Storage, sqlite_url: str) -> None:
    pipeline = storage(sqlite_url, STORAGE_BATCH_SIZE=100, STORAGE_BATCH_WAIT=0.2)

    async def crawl() -> None:
        first = asyncio.ensure_future(pipeline.process_item(plain_article("http://a.cn/1", body="正文1")))
        await asyncio.sleep(0.05)
        second = asyncio.ensure_future(pipeline.process_item(plain_article("http://a.cn/2", body="正文2")))
        await asyncio.sleep(0.05)
        assert count_rows(sqlite_url) == 0
        await asyncio.wait_for(asyncio.gather(first, second), timeout=5)

    asyncio.run(crawl())
    assert count_rows(sqlite_url) == 2
    assert pipeline.stats.get_value("storage/transactions") == 1


def test_items_arriving_together_share_one_transaction_and_see_each_other(
    storage: Storage, database_url: str, seeds: dict[str, Original]
) -> None:
    component = storage(database_url)
    original = article("http://a.cn/1", seeds["seed-004"].body)
    copy = article("http://b.cn/1", copy_of(seeds["seed-004"], "retitled"))
    distinct = article("http://c.cn/1", seeds["seed-000"].body)
    assert process(component, original, copy, distinct) == [original, copy, distinct]
    component.close_spider()
    assert original.cluster_id == copy.cluster_id != distinct.cluster_id
    assert (original.duplicate_of, copy.duplicate_of, distinct.duplicate_of) == (None, "http://a.cn/1", None)
    stats = component.stats.get_stats()
    assert (stats["storage/transactions"], stats["neardup/new"], stats["neardup/joined"]) == (1, 2, 1)


def test_batches_hold_at_most_the_batch_size(storage: Storage, database_url: str, seeds: dict[str, Original]) -> None:
    component = storage(database_url, STORAGE_BATCH_SIZE=2)
    items = [article(f"http://a.cn/{n}", seeds[f"seed-00{n}"].body) for n in range(5)]
    assert process(component, *items) == items
    component.close_spider()
    assert component.stats.get_value("storage/transactions") == 3
    assert len({item.cluster_id for item in items}) == 5


def test_items_are_stored_one_by_one_without_an_asyncio_loop(
    storage: Storage, database_url: str, seeds: dict[str, Original]
) -> None:
    """On a reactor other than asyncio's, Scrapy drives the coroutine with no running loop."""
    component = storage(database_url)
    item = article("http://a.cn/1", seeds["seed-000"].body)
    coroutine = component.process_item(item)
    with pytest.raises(StopIteration) as finished:
        coroutine.send(None)  # runs to the end: nothing is awaited
    component.close_spider()
    assert finished.value.value is item
    assert item.cluster_id is not None
    assert component.stats.get_value("storage/transactions") == 1
    assert count_rows(database_url) == 1


# --- the links stored, and the rows of other members ----------------------------------------


def test_storage_sets_cluster_and_duplicate_of_and_counts(
    storage: Storage, database_url: str, seeds: dict[str, Original]
) -> None:
    component = storage(database_url)
    original = article("http://a.cn/1", seeds["seed-004"].body)
    copy = article("http://b.cn/1", copy_of(seeds["seed-004"], "retitled"), duplicate_of=None)
    distinct = article("http://c.cn/1", seeds["seed-000"].body)
    for item in (original, copy, distinct):
        assert process(component, item) == [item]
    component.close_spider()
    assert original.cluster_id == copy.cluster_id != distinct.cluster_id
    assert (original.duplicate_of, copy.duplicate_of, distinct.duplicate_of) == (None, "http://a.cn/1", None)
    stats = component.stats.get_stats()
    assert (stats["neardup/new"], stats["neardup/joined"], stats["neardup/near_duplicate"]) == (2, 1, 1)
    stored = query_rows(database_url, "SELECT canonical_url, cluster_id, duplicate_of FROM articles ORDER BY id")
    assert [(r["canonical_url"], r["cluster_id"], r["duplicate_of"]) for r in stored] == [
        (item.canonical_url, item.cluster_id, item.duplicate_of) for item in (original, copy, distinct)
    ]


def test_a_new_original_updates_the_stored_copies_in_the_same_transaction(
    storage: Storage, database_url: str, seeds: dict[str, Original]
) -> None:
    """An earlier-published copy arriving later becomes the story's original: the rows stored
    before it point at it as soon as it is stored, and so does an earlier item of its batch."""
    component = storage(database_url)
    body = seeds["seed-003"].body
    stored_first = article("http://later.cn/1", body, published="2021-05-03T10:00:00+08:00")
    process(component, stored_first)
    same_batch = article("http://later.cn/2", copy_of(seeds["seed-003"], "frame"), published="2021-05-02T10:00+08:00")
    earliest = article(
        "http://earlier.cn/1", copy_of(seeds["seed-003"], "truncated"), published="2021-05-01T10:00+08:00"
    )
    process(component, same_batch, earliest)
    component.close_spider()
    assert (same_batch.duplicate_of, earliest.duplicate_of) == ("http://earlier.cn/1", None)
    rows = query_rows(database_url, "SELECT canonical_url, duplicate_of FROM articles ORDER BY id")
    assert {r["canonical_url"]: r["duplicate_of"] for r in rows} == {
        "http://later.cn/1": "http://earlier.cn/1",
        "http://later.cn/2": "http://earlier.cn/1",
        "http://earlier.cn/1": None,
    }
    assert component.stats.get_value("neardup/rows_synced") == 1


def test_near_duplicate_assignment_switched_off_stores_exact_links_only(
    storage: Storage, database_url: str, seeds: dict[str, Original]
) -> None:
    component = storage(database_url, NEAR_DUPLICATE_ENABLED=False)
    first = article("http://a.cn/1", seeds["seed-001"].body)
    copy = article("http://b.cn/1", seeds["seed-001"].body)
    near = article("http://c.cn/1", copy_of(seeds["seed-001"], "frame"))
    process(component, first, copy, near)
    component.close_spider()
    assert [(i.cluster_id, i.duplicate_of) for i in (first, copy, near)] == [
        (None, None),
        (None, "http://a.cn/1"),
        (None, None),
    ]
    assert component.stats.get_value("dedup/exact_duplicate") == 1
    for table in NEAR_DUPLICATE_TABLES:
        assert count_rows(database_url, table) == 0, table


# --- failures ----------------------------------------------------------------------------------


def test_database_locked_mid_run_spools_the_rest_and_loadspool_brings_it_in(
    storage: Storage, sqlite_url: str, tmp_path: Path
) -> None:
    spool = tmp_path / "spool"
    pipeline = storage(sqlite_url, STORAGE_BATCH_SIZE=2, STORAGE_WRITE_ATTEMPTS=2, SQLITE_BUSY_TIMEOUT=0.1)
    process(pipeline, plain_article("http://a.cn/0", body="正文0"), plain_article("http://a.cn/1", body="正文1"))
    database_file = sqlite_url.removeprefix("sqlite:///")
    blocker = sqlite3.connect(database_file, isolation_level=None)
    blocker.execute("BEGIN IMMEDIATE")  # another writer holds the lock from here on
    try:
        process(pipeline, *(plain_article(f"http://a.cn/{n}", body=f"正文{n}") for n in range(2, 7)))
        pipeline.close_spider()
    finally:
        blocker.execute("ROLLBACK")
        blocker.close()
    assert count_rows(sqlite_url) == 2
    assert pipeline.stats.get_value("storage/spooled") == 5
    assert pipeline.exit_status.code is ExitCode.SPOOLED
    assert len(spool_files(spool)) == 3  # batches of 2, 2 and the final 1

    run = run_scrapy(["loadspool"], database_url=sqlite_url, spool_dir=spool)
    assert run.returncode == 0, run.stderr
    assert count_rows(sqlite_url) == 7
    assert spool_files(spool) == []
    assert "new 5" in run.stdout


def test_unreachable_database_spools_every_item_without_links(
    storage: Storage, seeds: dict[str, Original], tmp_path: Path
) -> None:
    """Links are decided in the transaction that stores the article: an item that could not be
    stored is spooled with none (the exact link an earlier stage gave it included), and gets
    its links when ``scrapy loadspool`` stores it."""
    component = storage("postgresql+psycopg://nobody:x@127.0.0.1:1/nothing")
    item = article("http://a.cn/1", seeds["seed-000"].body, duplicate_of="http://exact.cn/1", cluster_id=7)
    assert process(component, item) == [item]
    component.close_spider()
    assert (item.cluster_id, item.duplicate_of) == (None, None)
    assert component.stats.get_value("storage/spooled") == 1
    [path] = spool_files(tmp_path / "spool")
    assert list(read_batch(path)) == [item]


def test_a_database_failing_mid_run_spools_the_batch_whole(
    storage: Storage, database_url: str, seeds: dict[str, Original]
) -> None:
    component = storage(database_url)
    component.database.close()
    component.database.engine = make_engine("postgresql+psycopg://nobody:x@127.0.0.1:1/nothing")
    items = [article("http://a.cn/1", seeds["seed-000"].body), article("http://b.cn/1", seeds["seed-001"].body)]
    assert process(component, *items) == items
    assert [item.cluster_id for item in items] == [None, None]
    # The database was down for both: the batch failed as a whole, not once per item.
    assert component.stats.get_value("storage/spooled") == 2
    assert component.stats.get_value("storage/batch_retried") is None


def test_an_item_that_breaks_its_batch_fails_alone(
    storage: Storage, database_url: str, seeds: dict[str, Original], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    component = storage(database_url)
    assert component.index is not None
    closest = component.index._closest

    def closest_or_break(connection: Any, canonical_url: str, *args: Any) -> Any:
        if canonical_url == "http://bad.cn/1":  # after the first item of the batch was written
            raise KeyError("a bug that one item triggers")
        return closest(connection, canonical_url, *args)

    monkeypatch.setattr(component.index, "_closest", closest_or_break)
    good = article("http://a.cn/1", seeds["seed-000"].body)
    bad = article("http://bad.cn/1", seeds["seed-001"].body)
    later = article("http://c.cn/1", seeds["seed-002"].body)
    first, quarantined, third = process(component, good, bad, later)
    component.close_spider()
    assert (first, quarantined, third) == (good, bad, later)
    assert good.cluster_id is not None
    assert later.cluster_id is not None
    assert bad.cluster_id is None
    stats = component.stats.get_stats()
    assert (stats["storage/batch_retried"], stats["storage/transactions"], stats["storage/quarantined"]) == (1, 2, 1)
    assert "storage/spooled" not in stats
    [path] = quarantined_files(tmp_path / "spool")
    assert [a.canonical_url for a in read_batch(path)] == ["http://bad.cn/1"]
    assert "KeyError: 'a bug that one item triggers'" in path.with_name(path.name + ".reason").read_text()
    assert component.exit_status.code is ExitCode.FAILED
    assert count_rows(database_url) == 2


def test_an_item_whose_fingerprint_fails_fails_alone(
    storage: Storage, database_url: str, seeds: dict[str, Original], monkeypatch: pytest.MonkeyPatch
) -> None:
    component = storage(database_url)
    assert component.index is not None
    sign = component.index.sign

    def sign_or_break(candidate: Any, *template: Any) -> Any:
        if candidate.canonical_url == "http://bad.cn/1":
            raise ValueError("a body the fingerprint cannot take")
        return sign(candidate, *template)

    monkeypatch.setattr(component.index, "sign", sign_or_break)
    good = article("http://a.cn/1", seeds["seed-000"].body)
    bad = article("http://bad.cn/1", seeds["seed-001"].body)
    first, quarantined = process(component, good, bad)
    component.close_spider()
    assert (first, quarantined) == (good, bad)
    assert component.stats.get_value("storage/quarantined") == 1
    assert count_rows(database_url) == 1


def test_an_item_the_database_refuses_is_quarantined_without_its_batch(
    storage: Storage, database_url: str, seeds: dict[str, Original], tmp_path: Path
) -> None:
    component = storage(database_url)
    good = article("http://a.cn/1", seeds["seed-000"].body)
    refused = article("http://bad.cn/1", seeds["seed-001"].body, site=None)  # NOT NULL
    later = article("http://c.cn/1", seeds["seed-002"].body)
    assert process(component, good, refused, later) == [good, refused, later]
    component.close_spider()
    assert good.cluster_id is not None
    assert later.cluster_id is not None
    assert refused.cluster_id is None
    stats = component.stats.get_stats()
    assert (stats["storage/batch_retried"], stats["storage/quarantined"]) == (1, 1)
    assert spool_files(tmp_path / "spool") == []  # never spooled: loadspool would fail on it forever
    assert len(quarantined_files(tmp_path / "spool")) == 1
    assert count_rows(database_url) == 2


# --- no near-duplicate state for articles that were never stored -------------------------------


def test_a_failed_write_leaves_no_signature_band_or_cluster(
    storage: Storage, database_url: str, seeds: dict[str, Original], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The upsert fails after the batch was assigned to clusters: the transaction takes the
    signatures, band keys and clusters with it, and the articles are spooled."""
    component = storage(database_url, STORAGE_WRITE_ATTEMPTS=2)

    def upsert_then_fail(*args: Any, **kwargs: Any) -> Any:
        raise OperationalError("INSERT INTO articles", {}, RuntimeError("disk I/O error"))

    monkeypatch.setattr(storage_module, "upsert_articles", upsert_then_fail)
    items = [article("http://a.cn/1", seeds["seed-000"].body), article("http://b.cn/1", seeds["seed-001"].body)]
    assert process(component, *items) == items
    component.close_spider()
    assert component.stats.get_value("storage/spooled") == 2
    assert count_rows(database_url) == 0
    for table in NEAR_DUPLICATE_TABLES:
        assert count_rows(database_url, table) == 0, table


def test_a_replay_killed_before_its_write_leaves_no_near_duplicate_state(sqlite_url: str, tmp_path: Path) -> None:
    """A replay killed while its articles wait for their batch leaves nothing of them: no
    article row, and no signature, band key or cluster either."""
    assert run_scrapy(["migrate"], database_url=sqlite_url).returncode == 0
    env = dict(os.environ, DATABASE_URL=sqlite_url, GOVNEWS_SPOOL_DIR=str(tmp_path / "spool"))
    args = ["crawl", "replay", "-a", f"path={SEEDS_DIR}", "-s", "STORAGE_BATCH_WAIT=600", "-s", "LOG_LEVEL=DEBUG"]
    process_ = subprocess.Popen(
        [sys.executable, "-m", "scrapy", *args],
        cwd=PROJECT_ROOT,
        env=env,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert process_.stderr is not None
    waiting, deadline = 0, time.monotonic() + 120
    for line in process_.stderr:
        if "waiting for the batch write" in line:
            waiting = int(line.rsplit("(", 1)[1].split()[0])
            if waiting == 5:
                break
        assert time.monotonic() < deadline, "the replay's articles never reached the storage stage"
    process_.send_signal(signal.SIGKILL)
    process_.wait(timeout=30)
    process_.stderr.close()
    assert waiting == 5
    assert count_rows(sqlite_url) == 0
    for table in NEAR_DUPLICATE_TABLES:
        assert count_rows(sqlite_url, table) == 0, table


# --- end to end ----------------------------------------------------------------------------------


@pytest.mark.postgres
def test_unreachable_postgres_spools_everything_and_exits_2(postgres_url: str, tmp_path: Path) -> None:
    spool = tmp_path / "spool"
    unreachable = "postgresql+psycopg://govnews:govnews@127.0.0.1:1/nowhere"
    run = run_scrapy(["crawl", "replay", "-a", f"path={SEEDS_DIR}"], database_url=unreachable, spool_dir=spool)
    assert run.returncode == ExitCode.SPOOLED, run.stderr[-2000:]
    assert "scrapy loadspool" in run.stderr
    assert "SPOOLED" in run.stdout
    load = run_scrapy(["loadspool"], database_url=postgres_url, spool_dir=spool)
    assert load.returncode == 0, load.stderr
    assert count_rows(postgres_url) == 5
    assert spool_files(spool) == []


def test_locked_sqlite_replay_exits_2_and_loses_nothing(sqlite_url: str, tmp_path: Path) -> None:
    spool = tmp_path / "spool"
    assert run_scrapy(["migrate"], database_url=sqlite_url).returncode == 0
    blocker = sqlite3.connect(sqlite_url.removeprefix("sqlite:///"), isolation_level=None)
    blocker.execute("BEGIN IMMEDIATE")
    try:
        run = run_scrapy(
            ["crawl", "replay", "-a", f"path={SEEDS_DIR}", "-s", "SQLITE_BUSY_TIMEOUT=0.1",
             "-s", "STORAGE_WRITE_ATTEMPTS=2", "-s", "STORAGE_RETRY_DELAY=0"],
            database_url=sqlite_url, spool_dir=spool,
        )  # fmt: skip
    finally:
        blocker.execute("ROLLBACK")
        blocker.close()
    assert run.returncode == ExitCode.SPOOLED, run.stderr[-2000:]
    assert count_rows(sqlite_url) == 0
    assert run_scrapy(["loadspool"], database_url=sqlite_url, spool_dir=spool).returncode == 0
    assert count_rows(sqlite_url) == 5
    # Loaded through the storage stage: clustered as a crawl's articles are.
    assert count_rows(sqlite_url, "minhash_signatures") == 5
    assert query_rows(sqlite_url, "SELECT COUNT(*) AS n FROM articles WHERE cluster_id IS NULL") == [{"n": 0}]


def test_loadspool_quarantines_an_unreadable_file_and_loads_the_later_ones(sqlite_url: str, tmp_path: Path) -> None:
    spool = tmp_path / "spool"
    first = write_batch(spool, [plain_article("http://a.cn/1", body="正文1")])
    broken = write_batch(spool, [plain_article("http://a.cn/2", body="正文2")])
    with broken.open("a", encoding="utf-8") as handle:
        handle.write('{"url": "x", "colour": "red"}\n')
    later = write_batch(spool, [plain_article("http://a.cn/3", body="正文3")])
    assert [first, broken, later] == spool_files(spool)
    run = run_scrapy(["loadspool"], database_url=sqlite_url, spool_dir=spool)
    assert run.returncode == ExitCode.FAILED, run.stderr[-2000:]
    assert f"{broken.name}:2" in run.stderr
    assert spool_files(spool) == []
    assert [path.name for path in quarantined_files(spool)] == [broken.name]
    assert f"{broken.name}: " in run.stdout  # the quarantine listed, with the reason
    stored = query_rows(sqlite_url, "SELECT canonical_url FROM articles ORDER BY canonical_url")
    assert [r["canonical_url"] for r in stored] == ["http://a.cn/1", "http://a.cn/3"]
