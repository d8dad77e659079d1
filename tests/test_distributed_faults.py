"""Faults of a distributed crawl: three ``scrapy worker`` processes on the fixture sites (a real
HTTP server on 127.0.0.1), a real ``redis-server`` of the test's own, one Postgres.

* a worker killed with SIGKILL mid-crawl: its site's lease expires, another worker takes the
  site and crawls on (the requests left in Redis, and a catch-up walk of the list pages that
  finds what the dead worker had in flight); nothing is lost, stored twice or fetched again;
* Redis restarted mid-crawl: the workers wait for it and the crawl resumes from its persisted
  queue;
* Postgres unreachable from one worker (its connections go through a proxy the test cuts): that
  worker spools and exits 2, the others finish their sites; the spool loaded and the site
  crawled again, every article is stored once.

Each test is bounded (workers killed after ``WORKERS_TIMEOUT`` seconds).
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import make_url

from crawler.distributed.jobs import JobQueue, connect
from tests.conftest import query_rows, run_scrapy
from tests.redisserver import RedisServer
from tests.sitefixture import SECTIONS, FixtureWeb, site_configs
from tests.test_distributed import finish, start_worker, tails, worker_env
from tests.test_site_crawl import expected_paths, wait_for

pytestmark = pytest.mark.postgres

WORKERS_TIMEOUT = 150
# Short leases, so a killed worker's site is taken again within seconds; one request at a time
# per site and one article per storage batch, so a crawl is reliably caught half way.
SLOW = ["-s", "DISTRIBUTED_LEASE_SECONDS=5", "-s", "CONCURRENT_REQUESTS_PER_DOMAIN=1", "-s", "STORAGE_BATCH_SIZE=1"]


@pytest.fixture
def web() -> Iterator[FixtureWeb]:
    server = FixtureWeb().start()
    server.counts["gov"] = 40
    server.article_delay = 0.15
    yield server
    server.stop()


def stored_gov(database_url: str) -> int:
    try:
        return len(query_rows(database_url, "SELECT url FROM articles WHERE site = 'fx_gov'"))
    except Exception:  # no table yet
        return 0


def queue_all(sites: Path, database_url: str, redis_url: str) -> None:
    run = run_scrapy(["crawlall", "--all", "-s", f"SITES_DIR={sites}"], database_url=database_url,
                     env={"GOVNEWS_REDIS": redis_url})  # fmt: skip
    assert run.returncode == 0, run.stderr[-3000:]


def assert_every_site_stored_once(web: FixtureWeb, database_url: str) -> None:
    rows = query_rows(database_url, "SELECT site, url FROM articles")
    assert len(rows) == len({row["url"] for row in rows})
    for section in SECTIONS:
        stored = {row["url"].removeprefix(web.base) for row in rows if row["site"] == f"fx_{section}"}
        assert stored == expected_paths(web, section), section


def test_worker_killed_mid_crawl_its_site_is_crawled_on_by_another(
    web: FixtureWeb, redis_server: RedisServer, postgres_url: str, tmp_path: Path
) -> None:
    sites = site_configs(tmp_path / "sites", web.base)
    queue_all(sites, postgres_url, redis_server.url)
    env = worker_env(postgres_url, redis_server.url, tmp_path / "spool")
    logs = [tmp_path / f"worker{n}.log" for n in range(3)]
    workers = {}
    for log in logs:
        worker = start_worker(sites, env, log, *SLOW)
        workers[worker.pid] = worker
    jobs = JobQueue(connect(redis_server.url), "sites", lease_seconds=5, owner="test")
    wait_for(lambda: stored_gov(postgres_url) >= 8, timeout=90)
    holder = jobs.holder("fx_gov")
    assert holder is not None
    victim = workers.pop(int(holder.rsplit(":", 1)[1]))
    os.kill(victim.pid, signal.SIGKILL)
    victim.wait(timeout=10)
    before = {row["url"] for row in query_rows(postgres_url, "SELECT url FROM articles WHERE site = 'fx_gov'")}
    assert len(before) < 40
    web.clear_log()
    survivors = list(workers.values())
    assert finish(survivors, timeout=WORKERS_TIMEOUT) == [0, 0], tails(logs)
    assert_every_site_stored_once(web, postgres_url)
    runs = query_rows(postgres_url, "SELECT status FROM crawl_runs WHERE site = 'fx_gov' ORDER BY id")
    assert [run["status"] for run in runs] == ["killed", "ok"]
    # What the killed worker stored is known: the worker that took the site over fetched the rest.
    assert {web.base + path for path in web.requests("gov", "article")} & before == set()
    assert jobs.queued() == []


def test_redis_restarted_mid_crawl_the_crawl_resumes(
    web: FixtureWeb, redis_server: RedisServer, postgres_url: str, tmp_path: Path
) -> None:
    sites = site_configs(tmp_path / "sites", web.base)
    queue_all(sites, postgres_url, redis_server.url)
    env = worker_env(postgres_url, redis_server.url, tmp_path / "spool")
    logs = [tmp_path / f"worker{n}.log" for n in range(3)]
    workers = [start_worker(sites, env, log, *SLOW) for log in logs]
    wait_for(lambda: stored_gov(postgres_url) >= 8, timeout=90)
    redis_server.restart(down_for=1.5)
    assert finish(workers, timeout=WORKERS_TIMEOUT) == [0, 0, 0], tails(logs)
    assert_every_site_stored_once(web, postgres_url)
    assert "Redis unavailable" in "".join(log.read_text(errors="replace") for log in logs)


class CuttableProxy:
    """A TCP proxy to one server; :meth:`cut` closes it and every connection through it, as a
    network partition between one worker and Postgres would."""

    def __init__(self, host: str, port: int) -> None:
        self.target = (host, port)
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        self.sockets: list[socket.socket] = []
        self.lock = threading.Lock()
        self.refusing = False
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while True:
            try:
                client, _ = self.listener.accept()
            except OSError:
                return
            if self.refusing:
                client.close()
                return
            upstream = socket.create_connection(self.target)
            with self.lock:
                self.sockets += [client, upstream]
            for source, sink in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pipe, args=(source, sink), daemon=True).start()

    @staticmethod
    def _pipe(source: socket.socket, sink: socket.socket) -> None:
        try:
            while data := source.recv(65536):
                sink.sendall(data)
        except OSError:
            pass
        finally:
            for end in (source, sink):
                with contextlib.suppress(OSError):
                    end.shutdown(socket.SHUT_RDWR)

    def cut(self) -> None:
        self.refusing = True
        with contextlib.suppress(OSError):
            self.listener.shutdown(socket.SHUT_RDWR)  # wakes the accept(); close() alone would not
        self.listener.close()
        with self.lock:
            for end in self.sockets:
                with contextlib.suppress(OSError):
                    end.shutdown(socket.SHUT_RDWR)
                end.close()


def test_postgres_unreachable_from_one_worker_it_spools_and_exits_2(
    web: FixtureWeb, redis_server: RedisServer, postgres_url: str, tmp_path: Path
) -> None:
    sites = site_configs(tmp_path / "sites", web.base)
    queue_all(sites, postgres_url, redis_server.url)
    url = make_url(postgres_url)
    proxy = CuttableProxy(url.host or "127.0.0.1", url.port or 5432)
    proxied = url.set(host="127.0.0.1", port=proxy.port).render_as_string(hide_password=False)
    spool = tmp_path / "spool"
    logs = [tmp_path / f"worker{n}.log" for n in range(3)]
    # The first worker alone takes the slow site first (the oldest job is the first site queued).
    cut_off = start_worker(sites, worker_env(proxied, redis_server.url, spool), logs[0], *SLOW,
                           "-s", "STORAGE_RETRY_DELAY=0.1")  # fmt: skip
    wait_for(lambda: stored_gov(postgres_url) >= 4, timeout=90)
    proxy.cut()
    others = [start_worker(sites, worker_env(postgres_url, redis_server.url, spool), log, *SLOW) for log in logs[1:]]
    assert finish([cut_off, *others], timeout=WORKERS_TIMEOUT) == [2, 0, 0], tails(logs)
    assert any(spool.iterdir())
    loaded = run_scrapy(["loadspool", str(spool)], database_url=postgres_url)
    assert loaded.returncode == 0, loaded.stderr[-3000:]
    # The cut-off crawl never recorded what it fetched: the next crawl of the site fills the gap.
    queue_all(sites, postgres_url, redis_server.url)
    again = start_worker(sites, worker_env(postgres_url, redis_server.url, tmp_path / "spool2"),
                         tmp_path / "again.log", *SLOW)  # fmt: skip
    assert finish([again], timeout=WORKERS_TIMEOUT) == [0], tails([tmp_path / "again.log"])
    assert_every_site_stored_once(web, postgres_url)
