"""Many small sites crawled on an hourly rhythm: one crawl process for all against a process per site.

Run from the repository root::

    python benchmarks/fleet.py [--sites 100] [--articles 3] [--cycles 3] [--baseline-sites 10]
                               [--delay 1.0] [--corpus ../shared/corpus/dev]

Serves ``--sites`` loopback fixture sites (:mod:`tests.generators.crawlsite`, one HTTP server
each on 127.0.0.1, real article pages: variants of the dev-corpus pages, distinct across
sites), each starting with ``--articles`` articles and gaining ``--articles`` new ones before
every further cycle: what a government column does in an hour. The hours are compressed: the
cycles run back to back, each crawling every site once, as the hourly schedule would. Each site
keeps its politeness (``--delay`` seconds between its requests, one crawl per site at a time).

Two ways, each on its own fresh SQLite database, in the same run:

* ``one process``: ``scrapy crawlall --all``, every site's crawl side by side in one Scrapy
  process with one shared pool of content workers (:class:`pipelines.content.SharedPool`);
* ``process per site``: what ``scrapy schedule`` did before: a ``scrapy crawl SITE``
  subprocess per site, ``SCHEDULE_MAX_PARALLEL`` at a time, each with its own worker pool;
  on the first ``--baseline-sites`` sites only (it costs seconds per site; its sites/hour is
  from its own cycle time, and the output says how many sites it crawled).

Per cycle: wall seconds, requests the sites answered, CPU seconds and peak memory (summed RSS
of the process tree, sampled every 50 ms), and sites/hour = sites / cycle seconds * 3600 (the
sites one such process keeps on an hourly schedule). The target is 1,000 sites hourly on two
cores under 2 GB. The benchmark refuses to run (exit code 2) without the corpus.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

PROJECT = Path(__file__).resolve().parent.parent
if str(PROJECT) not in sys.path:
    sys.path.insert(0, str(PROJECT))

from scrapy.settings import Settings  # noqa: E402

from benchmarks.processes import ChildRun, run_child  # noqa: E402
from crawler.commands.crawlall import parallel_crawls  # noqa: E402
from tests.generators.corpuspages import CORPUS_DIR, CorpusMissingError, corpus_pages  # noqa: E402
from tests.generators.crawlsite import BenchSite, site_config  # noqa: E402

PER_SITE_DRIVER = """
import subprocess, sys, time
sites, parallel = sys.argv[1].split(","), int(sys.argv[2])
running, failed = [], 0
while sites or running:
    while sites and len(running) < parallel:
        running.append(subprocess.Popen([sys.executable, "-m", "scrapy", "crawl", sites.pop(0)]))
    time.sleep(0.05)
    for proc in [p for p in running if p.poll() is not None]:
        running.remove(proc)
        failed += proc.returncode not in (0, 2)
sys.exit(1 if failed else 0)
"""
"""The loop of ``scrapy schedule`` before i20: a subprocess per due site, at most N at a time."""


@dataclass
class Cycle:
    mode: str
    number: int
    sites: int
    requests: int
    run: ChildRun

    @property
    def sites_per_hour(self) -> float:
        return self.sites / self.run.wall * 3600


def project_setting(name: str) -> object:
    from crawler import settings

    return getattr(settings, name)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sites", type=int, default=100)
    parser.add_argument("--articles", type=int, default=3, help="articles per site at first and new per cycle")
    parser.add_argument("--cycles", type=int, default=3)
    parser.add_argument("--baseline-sites", type=int, default=10, help="sites the process-per-site way crawls")
    parser.add_argument("--delay", type=float, default=1.0, help="each site's download delay, seconds")
    parser.add_argument("--corpus", type=Path, default=CORPUS_DIR)
    args = parser.parse_args(argv)
    try:
        corpus = corpus_pages(args.corpus)
    except CorpusMissingError as error:
        print(f"fleet benchmark refused: {error}", file=sys.stderr)
        return 2
    # What scrapy schedule runs at once with subprocesses (SCHEDULE_IN_PROCESS off).
    parallel = parallel_crawls(
        Settings({"SCHEDULE_MAX_PARALLEL": project_setting("SCHEDULE_MAX_PARALLEL"), "SCHEDULE_IN_PROCESS": False})
    )
    baseline_sites = min(args.baseline_sites, args.sites)
    cycles: list[Cycle] = []
    with tempfile.TemporaryDirectory(prefix="govnews-fleet-") as scratch:
        root = Path(scratch)
        for mode, count in (("one process", args.sites), ("process per site", baseline_sites)):
            if count == 0:
                continue
            sites = {
                f"fleet{n:04d}": BenchSite(args.articles, corpus=corpus, first_variant=n * 100_000)
                for n in range(count)
            }
            directory = root / mode.replace(" ", "-") / "sites"
            directory.mkdir(parents=True)
            for name, site in sites.items():
                config = site_config(site.base, 1, name=name, schedule="0 * * * *", download_delay=args.delay)
                (directory / f"{name}.toml").write_text(config, encoding="utf-8")
            database = directory.parent / "fleet.db"
            env = dict(os.environ, DATABASE_URL=f"sqlite:///{database}", GOVNEWS_SITES_DIR=str(directory),
                       GOVNEWS_SPOOL_DIR=str(directory.parent / "spool"))  # fmt: skip
            env["SCRAPY_SETTINGS_MODULE"] = "crawler.settings"
            if mode == "one process":
                command = [sys.executable, "-m", "scrapy", "crawlall", "--all", "-s", "LOG_LEVEL=WARNING"]
            else:
                command = [sys.executable, "-c", PER_SITE_DRIVER, ",".join(sites), str(parallel)]
            for number in range(1, args.cycles + 1):
                if number > 1:
                    for site in sites.values():
                        site.articles += args.articles
                run = run_child(command, PROJECT, env)
                requests = sum(len(site.take_requests()) for site in sites.values())
                if run.code not in (0, 2):
                    print(f"{mode}, cycle {number} failed with exit code {run.code}", file=sys.stderr)
                    return 1
                cycles.append(Cycle(mode, number, count, requests, run))
            for site in sites.values():
                site.stop()
    print(f"{args.sites} loopback sites (real corpus pages), {args.articles} new articles per site and cycle, "
          f"download delay {args.delay:g} s, {os.cpu_count()} cores; process per site: {baseline_sites} sites, "
          f"{parallel} at a time")  # fmt: skip
    header = (
        f"{'mode':<17} {'cycle':>5} {'sites':>6} {'requests':>9} {'wall s':>8} {'CPU s':>8} {'peak MiB':>9} "
        f"{'sites/hour':>11}"
    )
    print(header)
    for cycle in cycles:
        cpu = cycle.run.crawl_cpu + cycle.run.worker_cpu
        print(f"{cycle.mode:<17} {cycle.number:>5} {cycle.sites:>6} {cycle.requests:>9} {cycle.run.wall:>8.1f} "
              f"{cpu:>8.1f} {cycle.run.peak_rss / 2**20:>9.0f} {cycle.sites_per_hour:>11.0f}")  # fmt: skip
    steady = {
        mode: [c for c in cycles if c.mode == mode and c.number > 1] for mode in ("one process", "process per site")
    }
    if steady["one process"] and steady["process per site"]:
        ours = min(c.sites_per_hour for c in steady["one process"])
        theirs = max(c.sites_per_hour for c in steady["process per site"])
        print(f"sites/hour after the first cycle, one process over process per site: {ours / theirs:.1f}x")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
