"""The storage stage: batching, and nothing lost when the database fails mid-run."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from sqlalchemy import create_engine, func, select

from crawler.db.models import ArticleRow
from crawler.db.spool import spool_files
from pipelines.storage import EXIT_SPOOLED, StoragePipeline
from tests.conftest import SEEDS_DIR, CrawlerFactory, run_scrapy
from tests.test_db import article


def storage_pipeline(
    make_crawler: CrawlerFactory, database_url: str, spool_dir: Path, **settings: object
) -> StoragePipeline:
    values = {"DATABASE_URL": database_url, "SPOOL_DIR": str(spool_dir), "STORAGE_RETRY_DELAY": 0, **settings}
    return StoragePipeline.from_crawler(make_crawler(values))


def count_rows(database_url: str) -> int:
    engine = create_engine(database_url)
    with engine.connect() as connection:
        total = connection.execute(select(func.count()).select_from(ArticleRow)).scalar_one()
    engine.dispose()
    return int(total)


def test_items_are_written_in_batches_and_flushed_on_close(
    make_crawler: CrawlerFactory, sqlite_url: str, tmp_path: Path
) -> None:
    pipeline = storage_pipeline(make_crawler, sqlite_url, tmp_path / "spool", STORAGE_BATCH_SIZE=3)
    pipeline.open_spider()
    for n in range(4):
        pipeline.process_item(article(f"http://a.cn/{n}", body=f"正文{n}"))
    assert count_rows(sqlite_url) == 3  # one full batch written, one item buffered
    pipeline.close_spider()
    assert count_rows(sqlite_url) == 4
    assert pipeline.stats.get_value("storage/inserted") == 4


def test_database_locked_mid_run_spools_the_rest_and_loadspool_brings_it_in(
    make_crawler: CrawlerFactory, sqlite_url: str, tmp_path: Path
) -> None:
    spool = tmp_path / "spool"
    pipeline = storage_pipeline(
        make_crawler, sqlite_url, spool, STORAGE_BATCH_SIZE=2, STORAGE_WRITE_ATTEMPTS=2, SQLITE_BUSY_TIMEOUT=0.1
    )
    pipeline.open_spider()
    pipeline.process_item(article("http://a.cn/0", body="正文0"))
    pipeline.process_item(article("http://a.cn/1", body="正文1"))  # first batch lands
    database_file = sqlite_url.removeprefix("sqlite:///")
    blocker = sqlite3.connect(database_file, isolation_level=None)
    blocker.execute("BEGIN IMMEDIATE")  # another writer holds the lock from here on
    try:
        for n in range(2, 7):
            pipeline.process_item(article(f"http://a.cn/{n}", body=f"正文{n}"))
        pipeline.close_spider()
    finally:
        blocker.execute("ROLLBACK")
        blocker.close()
    assert count_rows(sqlite_url) == 2
    assert pipeline.stats.get_value("storage/spooled") == 5
    assert pipeline.stats.get_value("govnews/exit_code") == EXIT_SPOOLED
    assert len(spool_files(spool)) == 3  # batches of 2, 2 and the final 1

    run = run_scrapy(["loadspool"], database_url=sqlite_url, spool_dir=spool)
    assert run.returncode == 0, run.stderr
    assert count_rows(sqlite_url) == 7
    assert spool_files(spool) == []
    assert "new 5" in run.stdout


@pytest.mark.postgres
def test_unreachable_postgres_spools_everything_and_exits_2(postgres_url: str, tmp_path: Path) -> None:
    spool = tmp_path / "spool"
    unreachable = "postgresql+psycopg://govnews:govnews@127.0.0.1:1/nowhere"
    run = run_scrapy(["crawl", "replay", "-a", f"path={SEEDS_DIR}"], database_url=unreachable, spool_dir=spool)
    assert run.returncode == EXIT_SPOOLED, run.stderr[-2000:]
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
    assert run.returncode == EXIT_SPOOLED, run.stderr[-2000:]
    assert count_rows(sqlite_url) == 0
    assert run_scrapy(["loadspool"], database_url=sqlite_url, spool_dir=spool).returncode == 0
    assert count_rows(sqlite_url) == 5
