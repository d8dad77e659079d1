"""Disk full: the database and the spool both on one full file system (the default layout,
``data/``). Nothing may be lost silently: the crawl stops storing, says so, exits non-zero,
leaves no half-written spool file, and a run after space is freed stores every article."""

from __future__ import annotations

from pathlib import Path

from crawler.exitcodes import ExitCode
from tests.conftest import run_scrapy
from tests.faults.harness import fill, small_disk, stored_count, write_articles

ARTICLES = 120


def replay(inputs: Path, url: str, spool: Path, *extra: str) -> object:
    return run_scrapy(
        ["crawl", "replay", "-a", f"path={inputs}", "-s", "CONTENT_WORKERS=0", "-s", "STORAGE_BATCH_SIZE=40",
         "-s", "STORAGE_RETRY_DELAY=0.1", *extra],
        database_url=url, spool_dir=spool, timeout=180,
    )  # fmt: skip


def test_a_full_disk_stops_the_crawl_loses_nothing_silently_and_the_rerun_stores_all(tmp_path: Path) -> None:
    inputs = tmp_path / "inputs"
    write_articles(inputs, ARTICLES)
    with small_disk(tmp_path / "disk") as disk:
        url = f"sqlite:///{disk / 'govnews.db'}"
        spool = disk / "spool"
        migrated = run_scrapy(["migrate"], database_url=url)
        assert migrated.returncode == 0, migrated.stderr[-2000:]
        filler = fill(disk)

        full = replay(inputs, url, spool, "-s", "SPOOL_MIN_FREE_BYTES=0")
        assert full.returncode == ExitCode.FAILED, full.stderr[-3000:]
        assert "could be neither stored nor spooled" in full.stderr
        assert "storage_failed" in full.stdout  # the summary names why the crawl closed
        assert not list(spool.glob("*.tmp")), "a failed spool write left a temporary file"
        assert not list(spool.glob("spool-*"))

        checked = replay(inputs, url, spool)  # the default SPOOL_MIN_FREE_BYTES: refused at start
        assert checked.returncode == ExitCode.FAILED
        assert "bytes free, less than SPOOL_MIN_FREE_BYTES" in checked.stderr
        assert "files read                  | 0" in checked.stdout

        filler.unlink()
        rerun = replay(inputs, url, spool, "-s", "SPOOL_MIN_FREE_BYTES=0")
        assert rerun.returncode == ExitCode.OK, rerun.stderr[-3000:]
        assert stored_count(url) == ARTICLES
