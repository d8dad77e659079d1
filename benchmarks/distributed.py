"""Scaling out: the same work done by 1, 2 and 4 worker processes sharing one Redis and one Postgres.

**Site crawl.** Serves ``--sites`` (30) generated gov-style sites (:mod:`tests.generators.crawlsite`),
each on a loopback address of its own (127.0.0.2, 127.0.0.3 …: a separate site for Scrapy's
per-domain politeness), every answer delayed by ``--latency`` (200 ms, a distant server), each site
crawled with its config's politeness of one request per second (``download_delay = 1``,
``concurrency = 1``; AutoThrottle off so the delay is exactly the configured one). For each worker
count, a fresh Postgres database and a fresh ``redis-server`` of the benchmark's own; ``scrapy
crawlall --all`` queues the sites, then N ``scrapy worker --until-empty`` processes (each
``WORKER_SLOTS`` sites at once, ``CONTENT_WORKERS=0``) crawl them with every stage on.
Pages/s counts the requests the servers answered over the time from the first request to the
last worker's exit. The work is waiting (politeness and latency), so it scales with the sites
crawled at once: workers × slots.

**WARC replay.** ``--records`` (2,000) article records in WARC files of 50, replayed by N
``scrapy crawl replay`` processes given the same directory (files shared out by lease). This
work is CPU: extraction, cleaning, enrichment and near-duplicate assignment per record, on the
machine's cores; with 2 cores a second process can at best double the rate and a fourth adds
nothing but contention.

Needs ``redis-server`` on the PATH and a Postgres server: ``GOVNEWS_TEST_DATABASE_URL`` (a role
that may create databases; each run makes its own and drops it).

Usage: python benchmarks/distributed.py [--sites 30] [--articles 12] [--latency 0.2]
       [--workers 1 2 4] [--slots 4] [--records 2000] [--skip-crawl] [--skip-replay]
"""

from __future__ import annotations

import argparse
import os
import resource
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

PROJECT = Path(__file__).resolve().parent.parent
if str(PROJECT) not in sys.path:
    sys.path.insert(0, str(PROJECT))

from tests.conftest import POSTGRES_ENV, temporary_postgres_database  # noqa: E402
from tests.generators.crawlsite import BenchSite, article_html, site_config  # noqa: E402
from tests.redisserver import RedisServer  # noqa: E402

# Each worker extracts in its own process (no content worker processes): N workers, N processes.
QUIET = ["-s", "LOG_LEVEL=WARNING", "-s", "RUN_SUMMARY_ENABLED=0", "-s", "CONTENT_WORKERS=0",
         "-s", "TELNETCONSOLE_ENABLED=0"]  # fmt: skip


@contextmanager
def fresh_services(scratch: Path) -> Iterator[tuple[str, str]]:
    """A new Postgres database and a new redis-server: (database URL, Redis URL)."""
    with temporary_postgres_database("govnews_bench") as database:
        redis = RedisServer(scratch / f"redis-{time.monotonic_ns()}").start()
        try:
            yield database, redis.url
        finally:
            redis.stop()


def scrapy(args: list[str], env: dict[str, str]) -> subprocess.Popen[bytes]:
    return subprocess.Popen([sys.executable, "-m", "scrapy", *args], cwd=PROJECT, env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)  # fmt: skip


def wait_all(processes: list[subprocess.Popen[bytes]]) -> None:
    for process in processes:
        _, stderr = process.communicate()
        if process.returncode != 0:
            sys.stderr.write(stderr.decode("utf-8", "replace")[-3000:])
            raise SystemExit(f"a worker exited with {process.returncode}")


def children_cpu() -> float:
    """CPU seconds (user + system) of this process's waited-for children so far."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def crawl_run(
    sites: list[BenchSite], sites_dir: Path, workers: int, slots: int, scratch: Path
) -> tuple[int, float, float]:
    """Pages answered, seconds from the first request to the last worker's exit, and the
    workers' CPU seconds."""
    for site in sites:
        site.take_requests()
    with fresh_services(scratch) as (database, redis):
        env = dict(os.environ, DATABASE_URL=database, GOVNEWS_REDIS=redis, GOVNEWS_SPOOL_DIR=str(scratch / "spool"),
                   PYTHONWARNINGS="ignore::DeprecationWarning")  # fmt: skip
        common = ["-s", f"SITES_DIR={sites_dir}", "-s", "AUTOTHROTTLE_ENABLED=0", *QUIET]
        wait_all([scrapy(["migrate"], env)])
        wait_all([scrapy(["crawlall", "--all", *common], env)])
        cpu = children_cpu()
        processes = [scrapy(["worker", "--until-empty", *common, "-s", f"WORKER_SLOTS={slots}",
                             "-s", "WORKER_POLL_SECONDS=0.5"], env) for _ in range(workers)]  # fmt: skip
        wait_all(processes)
        ended = time.monotonic()
        cpu = children_cpu() - cpu
    times = sorted(t for site in sites for t in site.take_requests())
    return len(times), ended - times[0], cpu


def write_warcs(directory: Path, records: int, per_file: int = 50) -> None:
    import io

    from warcio.statusandheaders import StatusAndHeaders
    from warcio.warcwriter import WARCWriter

    directory.mkdir(parents=True)
    for first in range(1, records + 1, per_file):
        with (directory / f"part-{first:06d}.warc.gz").open("wb") as handle:
            writer = WARCWriter(handle, gzip=True)
            for n in range(first, min(records, first + per_file - 1) + 1):
                headers = StatusAndHeaders("200 OK", [("Content-Type", "text/html; charset=gbk")], protocol="HTTP/1.1")
                record = writer.create_warc_record(f"http://archive.example.cn/art/{n}.html", "response",
                                                   payload=io.BytesIO(article_html(n)), http_headers=headers,
                                                   warc_headers_dict={"WARC-Date": "2026-01-01T02:00:00Z"})  # fmt: skip
                writer.write_record(record)
                record.raw_stream.close()


def replay_run(warcs: Path, workers: int, scratch: Path) -> tuple[float, float]:
    """Seconds from the replays' start to the last one's exit, and their CPU seconds."""
    with fresh_services(scratch) as (database, redis):
        env = dict(os.environ, DATABASE_URL=database, GOVNEWS_REDIS=redis, GOVNEWS_SPOOL_DIR=str(scratch / "spool"),
                   PYTHONWARNINGS="ignore::DeprecationWarning")  # fmt: skip
        wait_all([scrapy(["migrate"], env)])
        started, cpu = time.monotonic(), children_cpu()
        replay = ["crawl", "replay", "-a", f"path={warcs}", "-s", "PROGRESS=off", *QUIET]
        wait_all([scrapy(replay, env) for _ in range(workers)])
        return time.monotonic() - started, children_cpu() - cpu


def table(title: str, unit: str, rows: list[tuple[int, int, float, float]]) -> None:
    """One row per worker count: work done, wall seconds, rate, ratio to one worker, CPU seconds
    of the workers (together), and the machine's load average (other processes included)."""
    print(title)
    print(f"{'workers':>7} {unit:>8} {'seconds':>8} {unit + '/s':>10} {'ratio':>6} {'CPU s':>7}")
    base = rows[0][1] / rows[0][2]
    for workers, count, seconds, cpu in rows:
        rate = count / seconds
        print(f"{workers:>7} {count:>8} {seconds:>8.1f} {rate:>10.2f} {rate / base:>6.2f} {cpu:>7.1f}")
    print(f"load average at the end (1, 5, 15 min): {', '.join(f'{load:.1f}' for load in os.getloadavg())}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sites", type=int, default=30)
    parser.add_argument("--articles", type=int, default=12, help="articles per site")
    parser.add_argument("--latency", type=float, default=0.2, help="seconds every answer waits")
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2, 4])
    parser.add_argument("--slots", type=int, default=4, help="WORKER_SLOTS: sites one worker crawls at once")
    parser.add_argument("--records", type=int, default=2000, help="WARC records of the replay run")
    parser.add_argument("--skip-crawl", action="store_true")
    parser.add_argument("--skip-replay", action="store_true")
    args = parser.parse_args()
    sys.stdout.reconfigure(line_buffering=True)  # type: ignore[union-attr]
    if not os.environ.get(POSTGRES_ENV):
        raise SystemExit(f"set {POSTGRES_ENV} to a Postgres URL whose role may create databases")
    with tempfile.TemporaryDirectory(prefix="govnews-dist-") as name:
        scratch = Path(name)
        if not args.skip_crawl:
            sites = [BenchSite(args.articles, host=f"127.0.0.{n + 2}", latency=args.latency) for n in range(args.sites)]
            sites_dir = scratch / "sites"
            sites_dir.mkdir()
            for n, site in enumerate(sites):
                config = site_config(site.base, site.pages, download_delay=1.0, concurrency=1)
                (sites_dir / f"s{n:02d}.toml").write_text(config, encoding="utf-8")
            rows = []
            for workers in args.workers:
                rows.append((workers, *crawl_run(sites, sites_dir, workers, args.slots, scratch)))
            for site in sites:
                site.stop()
            table(f"site crawl: {args.sites} sites x {args.articles} articles, {args.latency * 1000:.0f} ms latency, "
                  f"1 request/s per site, {args.slots} sites per worker at once, all stages, one Postgres",
                  "pages", rows)  # fmt: skip
        if not args.skip_replay:
            warcs = scratch / "warcs"
            write_warcs(warcs, args.records)
            rows = [(workers, args.records, *replay_run(warcs, workers, scratch)) for workers in args.workers]
            table(f"WARC replay: {args.records} records in files of 50, all stages, one Postgres, "
                  f"{os.cpu_count()} cores", "records", rows)  # fmt: skip
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
