"""Site jobs and replay files handed out through a real Redis (:mod:`crawler.distributed`),
and workers (``scrapy worker``) sharing the crawl of the fixture sites.

Every test starts its own ``redis-server`` (:mod:`tests.redisserver`) and skips where there is none.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from scrapy.settings import Settings

from crawler.distributed.addon import SCHEDULER, Distributed
from crawler.distributed.jobs import Hold, JobQueue, connect
from crawler.exitcodes import ExitCode
from tests.conftest import PROJECT_ROOT, query_rows, run_scrapy
from tests.redisserver import RedisServer
from tests.sitefixture import SECTIONS, FixtureWeb, site_configs
from tests.test_site_crawl import FAST, expected_paths


def queue(server: RedisServer, owner: str, lease: float = 30.0, name: str = "sites") -> JobQueue:
    return JobQueue(connect(server.url), name, lease_seconds=lease, owner=owner)


# --- the queue and its leases ------------------------------------------------------------------


def test_each_job_is_leased_to_one_worker(redis_server: RedisServer) -> None:
    a, b = queue(redis_server, "a"), queue(redis_server, "b")
    assert a.add([("s1", {}), ("s2", {"spargs": {"x": "1"}}), ("s3", {})]) == 3
    assert a.add([("s1", {})]) == 0
    taken = [a.take(), b.take(), a.take(), b.take()]
    assert [job.id if job else None for job in taken] == ["s1", "s2", "s3", None]
    assert taken[1].spec == {"spargs": {"x": "1"}}
    assert b.finish("s1") is False  # a's lease
    assert a.finish("s1") is True
    assert a.queued() == ["s2", "s3"]


def test_a_lease_not_renewed_expires_and_the_job_is_taken_again(redis_server: RedisServer) -> None:
    dead, alive = queue(redis_server, "dead", lease=0.3), queue(redis_server, "alive", lease=0.3)
    dead.add([("s1", {})])
    assert dead.take().id == "s1"
    assert alive.take() is None
    assert alive.hold("s1") is Hold.OTHER
    time.sleep(0.45)
    assert alive.take().id == "s1"
    assert alive.hold("s1") is Hold.RENEWED
    assert dead.finish("s1") is False  # too late: alive holds it now
    assert alive.finish("s1") is True
    assert alive.queued() == []


def test_finished_once_jobs_are_not_queued_again(redis_server: RedisServer) -> None:
    first, late = queue(redis_server, "a", name="replay:x"), queue(redis_server, "b", name="replay:x")
    first.add([("f1", {}), ("f2", {})])
    job = first.take()
    first.finish(job.id, remember=True)
    assert late.add([("f1", {}), ("f2", {})]) == 0  # a worker joining late
    assert late.queued() == ["f2"]


def test_hold_takes_a_free_lease_back_after_redis_lost_it(redis_server: RedisServer) -> None:
    a = queue(redis_server, "a")
    a.add([("s1", {})])
    a.take()
    a.client.delete(a.lease_key("s1"))  # as a restart without persistence does
    assert a.hold("s1") is Hold.TAKEN


# --- the switch ------------------------------------------------------------------------------


def test_without_distributed_nothing_changes() -> None:
    settings = Settings({"DISTRIBUTED": ""})
    before = {name: settings[name] for name in ("SCHEDULER", "DUPEFILTER_CLASS")}
    Distributed().update_settings(settings)
    assert {name: settings[name] for name in before} == before


def test_distributed_switches_on_the_redis_scheduler_and_dupefilter() -> None:
    settings = Settings({"DISTRIBUTED": "redis://127.0.0.1:1/0"})
    Distributed().update_settings(settings)
    assert settings["SCHEDULER"] == SCHEDULER
    assert settings["DUPEFILTER_CLASS"] == "scrapy_redis.dupefilter.RFPDupeFilter"
    assert settings.getbool("SCHEDULER_PERSIST")
    assert settings["REDIS_URL"] == "redis://127.0.0.1:1/0"


# --- workers on the fixture sites --------------------------------------------------------------


@pytest.fixture
def web() -> Iterator[FixtureWeb]:
    server = FixtureWeb().start()
    yield server
    server.stop()


def worker_env(database_url: str, redis_url: str, spool: Path) -> dict[str, str]:
    return dict(os.environ, DATABASE_URL=database_url, GOVNEWS_REDIS=redis_url, GOVNEWS_SPOOL_DIR=str(spool),
                PYTHONWARNINGS="ignore::DeprecationWarning")  # fmt: skip


def start_worker(sites: Path, env: dict[str, str], log: Path, *extra: str) -> subprocess.Popen[bytes]:
    """A ``scrapy worker --until-empty`` subprocess, its log in ``log``."""
    args = [sys.executable, "-m", "scrapy", "worker", "--until-empty", "-s", f"SITES_DIR={sites}", *FAST,
            "-s", "WORKER_POLL_SECONDS=0.2", "-s", "WORKER_SLOTS=1", "-s", "LOG_LEVEL=INFO", *extra]  # fmt: skip
    with log.open("wb") as out:
        return subprocess.Popen(args, cwd=PROJECT_ROOT, env=env, stdout=out, stderr=subprocess.STDOUT)


def finish(workers: list[subprocess.Popen[bytes]], timeout: float = 120) -> list[int]:
    """The workers' exit codes, in order; each killed after ``timeout`` seconds."""
    codes = []
    deadline = time.monotonic() + timeout
    for worker in workers:
        try:
            codes.append(worker.wait(timeout=max(1.0, deadline - time.monotonic())))
        except subprocess.TimeoutExpired:
            for other in workers:
                other.kill()
                other.wait()
            raise
    return codes


def tails(logs: list[Path]) -> str:
    return "\n\n".join(log.read_text(errors="replace")[-3000:] for log in logs)


@pytest.mark.postgres
def test_three_workers_crawl_every_site_once_into_one_postgres(
    web: FixtureWeb, redis_server: RedisServer, postgres_url: str, tmp_path: Path
) -> None:
    sites = site_configs(tmp_path / "sites", web.base)
    env = worker_env(postgres_url, redis_server.url, tmp_path / "spool")
    queued = run_scrapy(["crawlall", "--all", "-s", f"SITES_DIR={sites}"], database_url=postgres_url,
                        env={"GOVNEWS_REDIS": redis_server.url})  # fmt: skip
    assert queued.returncode == 0, queued.stderr[-3000:]
    assert f"queued {len(SECTIONS)} of {len(SECTIONS)}" in queued.stdout
    logs = [tmp_path / f"worker{n}.log" for n in range(3)]
    workers = [start_worker(sites, env, log) for log in logs]
    assert finish(workers) == [0, 0, 0], tails(logs)
    rows = query_rows(postgres_url, "SELECT site, url FROM articles")
    assert len(rows) == len({row["url"] for row in rows})  # nothing stored twice
    for section in SECTIONS:
        stored = {row["url"].removeprefix(web.base) for row in rows if row["site"] == f"fx_{section}"}
        assert stored == expected_paths(web, section)  # nothing lost
    runs = query_rows(postgres_url, "SELECT site, status FROM crawl_runs ORDER BY site")
    assert [(run["site"], run["status"]) for run in runs] == [(f"fx_{s}", "ok") for s in sorted(SECTIONS)]
    assert queue(redis_server, "check").queued() == []


def test_a_site_leased_by_another_worker_is_not_crawled(
    web: FixtureWeb, redis_server: RedisServer, sqlite_url: str, tmp_path: Path
) -> None:
    sites = site_configs(tmp_path / "sites", web.base)
    other = queue(redis_server, "elsewhere:4242")
    other.hold("fx_news")
    run = run_scrapy(["crawl", "fx_news", "-s", f"SITES_DIR={sites}", *FAST], database_url=sqlite_url,
                     env={"GOVNEWS_REDIS": redis_server.url})  # fmt: skip
    assert run.returncode == ExitCode.BUSY, run.stderr[-3000:]
    assert "being crawled by elsewhere:4242" in run.stderr
    assert web.requests("news") == []


# --- replay files shared out ---------------------------------------------------------------------


def write_warcs(directory: Path, files: int, per_file: int) -> list[str]:
    """``files`` WARC files of ``per_file`` distinct GBK article pages each; their URLs."""
    from tests.generators.crawlsite import article_html
    from tests.test_replay import write_warc

    directory.mkdir(parents=True, exist_ok=True)
    urls = []
    for f in range(files):
        records = []
        for k in range(per_file):
            n = f * per_file + k + 1
            url = f"http://archive.example.cn/art/{n}.html"
            records.append((url, article_html(n), "text/html; charset=gbk"))
            urls.append(url)
        write_warc(directory / f"part-{f:03d}.warc.gz", records)
    return urls


def start_replay(path: Path, env: dict[str, str], log: Path, *extra: str) -> subprocess.Popen[bytes]:
    args = [sys.executable, "-m", "scrapy", "crawl", "replay", "-a", f"path={path}", "-s", "RUN_SUMMARY_ENABLED=0",
            "-s", "CONTENT_WORKERS=0", "-s", "WORKER_POLL_SECONDS=0.2", "-s", "LOG_LEVEL=INFO", *extra]  # fmt: skip
    with log.open("wb") as out:
        return subprocess.Popen(args, cwd=PROJECT_ROOT, env=env, stdout=out, stderr=subprocess.STDOUT)


@pytest.mark.postgres
def test_three_replays_of_one_directory_read_each_file_once(
    redis_server: RedisServer, postgres_url: str, tmp_path: Path
) -> None:
    urls = write_warcs(tmp_path / "warcs", files=12, per_file=4)
    env = worker_env(postgres_url, redis_server.url, tmp_path / "spool")
    logs = [tmp_path / f"replay{n}.log" for n in range(3)]
    replays = [start_replay(tmp_path / "warcs", env, log, "-s", "CONCURRENT_REQUESTS=2") for log in logs]
    assert finish(replays) == [0, 0, 0], tails(logs)
    rows = query_rows(postgres_url, "SELECT url FROM articles")
    assert sorted(row["url"] for row in rows) == sorted(urls)
    taken = [int(line.split("'replay/files_taken': ")[1].split(",")[0]) for line in map(read_stats, logs) if line]
    assert sum(taken) == 12  # each file read once, by whichever worker took it
    assert JobQueue(connect(redis_server.url), "unused", lease_seconds=1).client.keys("govnews:replay:*:queue") == []


def read_stats(log: Path) -> str:
    """The line of a run's log that holds ``replay/files_taken`` (Scrapy dumps the stats at close)."""
    text = log.read_text(errors="replace")
    return next((line for line in text.splitlines() if "'replay/files_taken'" in line), "")


def test_schedule_queues_a_due_site_and_sees_it_running_until_a_worker_finished_it(
    redis_server: RedisServer,
) -> None:
    from crawler.distributed.sitejobs import queue_launcher

    jobs = queue(redis_server, "scheduler")
    launch = queue_launcher(jobs, {"dry_run": "1"})
    handle = launch("fx_news")
    assert handle.poll() is None
    assert launch("fx_news").poll() is None  # queued once
    worker = queue(redis_server, "worker")
    job = worker.take()
    assert job is not None
    assert (job.id, job.spec) == ("fx_news", {"spargs": {"dry_run": "1"}})
    assert handle.poll() is None  # being crawled
    worker.finish(job.id)
    assert handle.poll() == 0
