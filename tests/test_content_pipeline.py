"""The content stages in worker processes: same articles, stats and log lines as in the crawl
process; dropped items, errors and dead workers come back to the crawl process."""

from __future__ import annotations

import asyncio
import dataclasses
import logging
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from scrapy.exceptions import DropItem, NotConfigured

from crawler import settings as project_settings
from crawler.items import Article, Page
from pipelines.content import ContentPipeline, ContentStagesError, SharedPool, default_workers
from tests.conftest import project_crawler

PROJECT_STAGES = project_settings.CONTENT_PIPELINES
SEEDS = Path(__file__).resolve().parent.parent / "seeds"
HERE = "test_content_pipeline"
"""This module as the worker processes import it (pytest puts ``tests/`` on ``sys.path``, and
spawned workers start with the parent's ``sys.path``)."""


class LoggingStage:
    """Logs a warning with an argument, counts a stat and marks the item."""

    def __init__(self, stats: Any) -> None:
        self.stats = stats

    @classmethod
    def from_crawler(cls, crawler: Any) -> LoggingStage:
        return cls(crawler.stats)

    def process_item(self, item: Any) -> Any:
        logging.getLogger("govnews.test.stage").warning("stage saw %s in pid %d", item.url, os.getpid())
        self.stats.inc_value("test/stage_items")
        self.stats.max_value("test/max_body", len(item.body))
        if item.title == "drop me":
            raise DropItem(f"dropped {item.url}")
        if item.title == "fail":
            raise ValueError(f"cannot handle {item.url}")
        item.extra.cleaning["stage_pid"] = os.getpid()  # a test mark, in the annex's one str -> int mapping
        return item


class CrashOnceStage:
    """Kills its own process on the first item it sees while ``CRASH_MARKER`` exists."""

    @classmethod
    def from_crawler(cls, crawler: Any) -> CrashOnceStage:
        return cls(crawler.settings["CRASH_MARKER"])

    def __init__(self, marker: str) -> None:
        self.marker = Path(marker)

    def process_item(self, item: Any) -> Any:
        if item.title == "crash" and self.marker.exists():
            self.marker.unlink()
            os._exit(3)
        item.extra.cleaning["survived"] = 1
        return item


class OffStage:
    @classmethod
    def from_crawler(cls, crawler: Any) -> OffStage:
        raise NotConfigured("switched off for the test")


def article(title: str = "标题", url: str = "https://example.cn/a.html") -> Article:
    return Article(
        url=url, canonical_url=url, site="x", fetched_at="2026-11-23T00:00:00+08:00", title=title, body="正文"
    )


def build(workers: int, stages: dict[str, int], **settings: Any) -> tuple[ContentPipeline, Any]:
    crawler = project_crawler(settings={"CONTENT_PIPELINES": stages, "CONTENT_WORKERS": workers, **settings})
    pipeline = ContentPipeline.from_crawler(crawler)
    pipeline.open_spider()
    return pipeline, crawler.stats


def process(pipeline: ContentPipeline, item: Any) -> Any:
    return asyncio.run(pipeline.process_item(item))


@pytest.fixture(scope="module")
def pooled() -> Iterator[tuple[ContentPipeline, Any]]:
    pipeline, stats = build(1, {f"{HERE}.OffStage": 50, f"{HERE}.LoggingStage": 100})
    yield pipeline, stats
    pipeline.close_spider()


def seed_pages() -> list[Page]:
    return [
        Page(url=path.as_uri(), text=path.read_text("utf-8"), kind="text", fetched_at="2026-11-23T00:00:00+08:00")
        for path in sorted(SEEDS.glob("*.txt"))
    ]


def test_default_workers_are_one_per_core() -> None:
    assert [default_workers(cores) for cores in (1, 2, 3, 8, 64)] == [0, 2, 3, 4, 4]


def test_negative_workers_are_refused() -> None:
    crawler = project_crawler(settings={"CONTENT_PIPELINES": PROJECT_STAGES, "CONTENT_WORKERS": -1})
    with pytest.raises(ValueError, match="CONTENT_WORKERS must be 0 or more, got -1"):
        ContentPipeline.from_crawler(crawler)


def test_no_stages_is_not_configured() -> None:
    with pytest.raises(NotConfigured):
        ContentPipeline.from_crawler(project_crawler(settings={"CONTENT_PIPELINES": {}}))


def test_seeds_in_workers_equal_seeds_in_process() -> None:
    """The project's own stages give the same articles and the same stats either way."""
    inline, inline_stats = build(0, PROJECT_STAGES)
    pooled, pooled_stats = build(1, PROJECT_STAGES)
    try:
        for page in seed_pages():
            here, there = process(inline, dataclasses.replace(page)), process(pooled, dataclasses.replace(page))
            assert isinstance(there, Article)
            assert dataclasses.asdict(there) == dataclasses.asdict(here)
    finally:
        pooled.close_spider()
    counted = {k: v for k, v in inline_stats.get_stats().items() if k.split("/")[0] in ("extraction", "cleaning")}
    assert counted["extraction/text_pages"] == 5
    assert counted["cleaning/items"] == 5
    assert inline_stats.get_value("enrichment/articles") == pooled_stats.get_value("enrichment/articles") == 5
    assert {k: pooled_stats.get_value(k) for k in counted} == counted
    assert pooled_stats.get_value("content/workers") == 1
    assert inline_stats.get_value("content/workers") == 0


def test_stage_runs_in_a_worker_and_its_log_and_stats_come_back(
    pooled: tuple[ContentPipeline, Any], caplog: pytest.LogCaptureFixture
) -> None:
    pipeline, stats = pooled
    before = stats.get_value("test/stage_items", 0)
    with caplog.at_level(logging.WARNING, logger="govnews.test.stage"):
        item = process(pipeline, article(url="https://example.cn/logged.html"))
    assert item.extra.cleaning["stage_pid"] != os.getpid()
    assert stats.get_value("test/stage_items") == before + 1
    assert stats.get_value("test/max_body") == 2
    messages = [record.getMessage() for record in caplog.records if record.name == "govnews.test.stage"]
    assert messages == [f"stage saw https://example.cn/logged.html in pid {item.extra.cleaning['stage_pid']}"]


def test_dropped_item_is_dropped_in_the_crawl_process(pooled: tuple[ContentPipeline, Any]) -> None:
    pipeline, _ = pooled
    with pytest.raises(DropItem, match=r"dropped https://example.cn/d.html"):
        process(pipeline, article("drop me", "https://example.cn/d.html"))


def test_stage_error_names_the_item_and_the_pool_goes_on(pooled: tuple[ContentPipeline, Any]) -> None:
    pipeline, _ = pooled
    with pytest.raises(ValueError, match=r"cannot handle https://example.cn/f.html"):
        process(pipeline, article("fail", "https://example.cn/f.html"))
    assert process(pipeline, article()).extra.cleaning["stage_pid"] > 0


def test_disabled_stage_is_left_out(pooled: tuple[ContentPipeline, Any]) -> None:
    pipeline, _ = pooled
    assert "stage_pid" in process(pipeline, article()).extra.cleaning  # OffStage raised NotConfigured in the worker


def test_dead_worker_is_replaced_and_the_item_processed_again(tmp_path: Path) -> None:
    marker = tmp_path / "crash-once"
    marker.touch()
    pipeline, stats = build(1, {f"{HERE}.CrashOnceStage": 100}, CRASH_MARKER=str(marker))
    try:
        item = process(pipeline, article("crash"))
        assert item.extra.cleaning["survived"] == 1
        assert stats.get_value("content/worker_lost") == 1
        assert not marker.exists()
        assert process(pipeline, article("after")).extra.cleaning["survived"] == 1
    finally:
        pipeline.close_spider()


def test_item_that_kills_every_worker_fails_with_its_url() -> None:
    pipeline, stats = build(1, {f"{HERE}.CrashAlwaysStage": 100})
    try:
        with pytest.raises(RuntimeError, match=r"content worker died twice while processing https://example.cn/k.html"):
            process(pipeline, article("crash", "https://example.cn/k.html"))
        assert stats.get_value("content/worker_lost") == 2
        assert process(pipeline, article("fine")).title == "fine"
    finally:
        pipeline.close_spider()


class CrashAlwaysStage:
    @classmethod
    def from_crawler(cls, crawler: Any) -> CrashAlwaysStage:
        return cls()

    def process_item(self, item: Any) -> Any:
        if item.title == "crash":
            os._exit(3)
        return item


ORPHAN_SCRIPT = f"""
import asyncio, sys, time
sys.path[:0] = {[str(Path(__file__).resolve().parent), str(Path(__file__).resolve().parent.parent)]!r}
import {HERE} as t

if __name__ == "__main__":
    pipeline, _ = t.build(1, {{"{HERE}.LoggingStage": 100}})
    print(asyncio.run(pipeline.process_item(t.article())).extra.cleaning["stage_pid"], flush=True)
    time.sleep(120)
"""


def test_worker_ends_when_the_crawl_process_is_killed(tmp_path: Path) -> None:
    script = tmp_path / "crawl.py"
    script.write_text(ORPHAN_SCRIPT, encoding="utf-8")
    crawl = subprocess.Popen([sys.executable, str(script)], stdout=subprocess.PIPE, text=True)
    try:
        assert crawl.stdout is not None
        worker = int(crawl.stdout.readline())
        os.kill(worker, 0)  # alive
    finally:
        crawl.kill()
        crawl.communicate()
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and Path(f"/proc/{worker}").exists():
        time.sleep(0.05)
    assert not Path(f"/proc/{worker}").exists(), "the worker outlived the SIGKILLed crawl process"


class BrokenStage:
    """Cannot be built: a stand-in for a bad setting or a broken vocabulary file."""

    @classmethod
    def from_crawler(cls, crawler: Any) -> BrokenStage:
        raise ValueError("vocabulary file places.tsv: line 3 has 2 columns, expected 4")


def test_stages_that_cannot_be_built_fail_every_item_with_the_reason() -> None:
    pipeline, stats = build(1, {f"{HERE}.LoggingStage": 100, f"{HERE}.BrokenStage": 200})
    try:
        for url in ("https://example.cn/1.html", "https://example.cn/2.html"):
            with pytest.raises(ContentStagesError, match=r"could not be built: ValueError: vocabulary file places.tsv"):
                process(pipeline, article(url=url))
        assert stats.get_value("content/worker_lost") is None  # no pool restarts: it would fail the same way
    finally:
        pipeline.close_spider()


def test_crawl_with_stages_that_cannot_be_built_stops(tmp_path: Path) -> None:
    """A real replay whose content stages fail to build in the worker closes with a reason."""
    seeds = tmp_path / "seeds"
    seeds.mkdir()
    (seeds / "a.txt").write_text("标题\n正文", encoding="utf-8")
    env = dict(
        os.environ, DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite'}", GOVNEWS_SPOOL_DIR=str(tmp_path / "spool")
    )
    env["PYTHONPATH"] = os.pathsep.join([str(Path(__file__).resolve().parent), env.get("PYTHONPATH", "")])
    stages = '{"test_content_pipeline.BrokenStage": 100}'
    command = [sys.executable, "-m", "scrapy", "crawl", "replay", "-a", f"path={seeds}", "-s", "CONTENT_WORKERS=1",
               "-s", f"CONTENT_PIPELINES={stages}", "-s", "RUN_SUMMARY_ENABLED=0"]  # fmt: skip
    done = subprocess.run(command, cwd=Path(__file__).resolve().parent.parent, env=env, capture_output=True, text=True,
                          timeout=120)  # fmt: skip
    assert "the content stages could not be built in a worker process: ValueError: vocabulary file" in done.stderr
    assert "'finish_reason': 'content_stages_failed'" in done.stderr
    assert done.returncode == 1


class SettingStage:
    """Marks each item with the value of ``TEST_MARK`` in the settings it was built from."""

    @classmethod
    def from_crawler(cls, crawler: Any) -> SettingStage:
        return cls(crawler.settings["TEST_MARK"])

    def __init__(self, mark: str) -> None:
        self.mark = mark

    def process_item(self, item: Any) -> Any:
        item.extra.cleaning[f"mark {self.mark}"] = os.getpid()
        return item


def test_crawls_of_one_process_share_one_pool_with_their_own_settings() -> None:
    """Many sites' crawls in one process: one pool of workers, each crawl's stages built from its settings."""
    first, _ = build(2, {f"{HERE}.SettingStage": 100}, TEST_MARK="a")
    second, _ = build(2, {f"{HERE}.SettingStage": 100}, TEST_MARK="b")
    try:
        assert first.pool is second.pool is not None
        pool = first.pool
        marks_a = process(first, article(url="https://example.cn/a.html")).extra.cleaning
        marks_b = process(second, article(url="https://example.cn/b.html")).extra.cleaning
        assert list(marks_a) == ["mark a"]
        assert list(marks_b) == ["mark b"]
        first.close_spider()
        assert pool.users == 1
        assert list(process(second, article()).extra.cleaning) == ["mark b"]  # still served
    finally:
        first.close_spider()
        second.close_spider()
    assert 2 not in SharedPool._pools  # the last user shut it down
