"""Replay of real pages, as a user runs it, against trafilatura alone on the same files, in one run.

Run from the repository root::

    python benchmarks/replay.py [--pages 2000] [--workers 0 1 2 3] [--corpus ../shared/corpus/dev]

Writes ``--pages`` distinct variants of the dev-corpus pages (:mod:`tests.generators.corpuspages`:
real pages, 88 KB of HTML on average, each with a number in its body) as ``.html`` files into a
temporary directory, then, in this order, on the same files:

* ``trafilatura``: ``trafilatura.bare_extraction(raw, with_metadata=True)`` on each file's
  bytes, in this process (reading the file included, importing trafilatura not): what one gets
  from the best-known extractor alone, with no crawl, cleaning, enrichment or storage;
* ``replay, no pipelines``: ``scrapy crawl replay -a path=DIR -s ITEM_PIPELINES={}``, the
  ceiling of Scrapy reading the files;
* ``replay, CONTENT_WORKERS=N`` for each ``--workers`` value (``default`` is the project's
  default): the full ``scrapy crawl replay`` into a fresh SQLite file, every stage.

Then the size of the SQLite file the last replay wrote, per stored article, after ``VACUUM``: as
stored (``body_original`` NULL where it equals ``body``, migration ``0011_i20_body_original``)
and with the copies written back as before that migration, on a copy of the same file.

pages/s of a replay is the pages over the wall time of its process, start included, as a user
feels it. Peak MiB is the largest summed RSS of the process and its content workers; CPU
seconds are the crawl process's and its workers'. The ratio column is pages/s over
trafilatura's, both measured in this run. The benchmark refuses to run (exit code 2) without
the corpus.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sqlite3
import sys
import tempfile
import time
from pathlib import Path

PROJECT = Path(__file__).resolve().parent.parent
if str(PROJECT) not in sys.path:
    sys.path.insert(0, str(PROJECT))

from benchmarks.processes import ChildRun, run_child  # noqa: E402
from tests.generators.corpuspages import CORPUS_DIR, CorpusMissingError, corpus_pages, variant  # noqa: E402


def write_variants(directory: Path, count: int, corpus: Path) -> list[Path]:
    pages = corpus_pages(corpus)
    paths = []
    for number in range(count):
        path = directory / f"{number // 1000:03d}" / f"page-{number:06d}.html"
        path.parent.mkdir(exist_ok=True)
        path.write_bytes(variant(pages, number))
        paths.append(path)
    return paths


def trafilatura_seconds(paths: list[Path]) -> float:
    """Wall seconds of trafilatura's extraction over every file (one warm-up call first)."""
    import trafilatura

    trafilatura.bare_extraction(paths[0].read_bytes(), with_metadata=True)
    started = time.perf_counter()
    for path in paths:
        trafilatura.bare_extraction(path.read_bytes(), with_metadata=True)
    return time.perf_counter() - started


def replay(directory: Path, scratch: Path, name: str, settings: list[str]) -> ChildRun:
    database = scratch / f"{name}.db"
    env = dict(os.environ, DATABASE_URL=f"sqlite:///{database}", GOVNEWS_SPOOL_DIR=str(scratch / f"{name}-spool"))
    env.pop("SCRAPY_SETTINGS_MODULE", None)
    command = [sys.executable, "-m", "scrapy", "crawl", "replay", "-a", f"path={directory}",
               "-a", "fetched_at=2026-01-01T00:00:00+08:00", "-s", "LOG_LEVEL=WARNING",
               "-s", "TELNETCONSOLE_ENABLED=0", "-s", "RUN_SUMMARY_ENABLED=0", *settings]  # fmt: skip
    return run_child(command, PROJECT, env)


def vacuumed_size(path: Path, statement: str | None = None) -> int:
    """Bytes of the SQLite file at ``path`` after ``statement`` (if any) and ``VACUUM``."""
    with sqlite3.connect(path) as connection:
        if statement:
            connection.execute(statement)
        connection.commit()
        connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        connection.execute("VACUUM")
    connection.close()
    return path.stat().st_size


def storage_sizes(database: Path) -> tuple[int, float, float, float]:
    """Articles, bytes per article as stored and with every ``body_original`` copy written back,
    and the share of rows whose ``body_original`` differs from ``body``."""
    with sqlite3.connect(database) as connection:
        articles, differing = connection.execute("SELECT COUNT(*), COUNT(body_original) FROM articles").fetchone()
    connection.close()
    before = database.with_name("with-copies.db")
    for suffix in ("", "-wal", "-shm"):
        if Path(f"{database}{suffix}").exists():
            shutil.copy(f"{database}{suffix}", f"{before}{suffix}")
    stored = vacuumed_size(database)
    copied = vacuumed_size(before, "UPDATE articles SET body_original = body WHERE body_original IS NULL")
    return articles, stored / max(articles, 1), copied / max(articles, 1), differing / max(articles, 1)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--pages", type=int, default=2000)
    parser.add_argument("--workers", nargs="+", default=["0", "1", "2", "3"],
                        help="CONTENT_WORKERS values to replay with ('default': the project's)")  # fmt: skip
    parser.add_argument("--corpus", type=Path, default=CORPUS_DIR)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="govnews-replay-bench-") as tmp:
        scratch = Path(tmp)
        pages_dir = scratch / "pages"
        pages_dir.mkdir()
        try:
            paths = write_variants(pages_dir, args.pages, args.corpus)
        except CorpusMissingError as error:
            print(f"replay benchmark refused: {error}", file=sys.stderr)
            return 2
        size = sum(path.stat().st_size for path in paths) / len(paths)
        print(f"{len(paths)} variants of the pages in {args.corpus}, {size / 1024:.0f} KiB of HTML each, "
              f"{os.cpu_count()} cores")  # fmt: skip
        reference = len(paths) / trafilatura_seconds(paths)
        rows: list[tuple[str, float, ChildRun | None]] = [("trafilatura alone (in process)", reference, None)]
        runs = {"replay, no pipelines": ["-s", "ITEM_PIPELINES={}"]}
        for workers in args.workers:
            runs[f"replay, CONTENT_WORKERS={workers}"] = (
                [] if workers == "default" else ["-s", f"CONTENT_WORKERS={workers}"]
            )
        for number, (name, settings) in enumerate(runs.items()):
            run = replay(pages_dir, scratch, f"run{number}", settings)
            if run.code != 0:
                print(f"{name} failed with exit code {run.code}", file=sys.stderr)
                return 1
            rows.append((name, len(paths) / run.wall, run))
        articles, stored, copied, differing = storage_sizes(scratch / f"run{len(runs) - 1}.db")
    print(
        f"{'run':<32} {'pages/s':>8} {'vs trafilatura':>15} {'wall s':>7} {'CPU s crawl+workers':>20} {'peak MiB':>9}"
    )
    for name, rate, run in rows:
        wall = f"{run.wall:.1f}" if run else "-"
        cpu = f"{run.crawl_cpu:.1f} + {run.worker_cpu:.1f}" if run else "-"
        peak = f"{run.peak_rss / 2**20:.0f}" if run else "-"
        print(f"{name:<32} {rate:>8.1f} {rate / reference:>15.2f} {wall:>7} {cpu:>20} {peak:>9}")
    print(f"\nSQLite file after VACUUM, {articles} articles, body_original differs from body on {differing:.0%}:")
    print(f"  with body_original copies (before 0011_i20_body_original): {copied / 1024:>6.1f} KiB per article")
    print(f"  as stored (NULL where it equals body):                      {stored / 1024:>6.1f} KiB per article")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
