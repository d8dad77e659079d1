"""Recovery leaves no trace: a killed run loses at most the last ``STORAGE_BATCH_WAIT`` seconds
of articles, and a run spooled through a database outage and loaded with ``scrapy loadspool``
leaves the database as a run without the outage would have (same articles, same stories, same
originals)."""

from __future__ import annotations

import itertools
import os
import random
import signal
import subprocess
import sys
import time
from collections import defaultdict
from pathlib import Path

from crawler.db.spool import spool_files
from crawler.exitcodes import ExitCode
from tests.conftest import PROJECT_ROOT, SEEDS_DIR, query_rows, run_scrapy, temporary_postgres_database
from tests.faults.harness import stored_count, write_articles
from tests.generators.neardup_set import VARIANT_KINDS, raw_variant, seed_originals

UNREACHABLE = "postgresql+psycopg://govnews:govnews@127.0.0.1:1/govnews"
WAIT = 1.0  # STORAGE_BATCH_WAIT of the kill test


def test_a_killed_replay_has_stored_all_but_its_last_seconds(sqlite_url: str, tmp_path: Path) -> None:
    """Items reach storage about 20 a second, far fewer than a batch (200) in a WAIT: rows must
    appear every WAIT seconds or so, not once per 200 items, so a SIGKILL loses seconds."""
    inputs = tmp_path / "inputs"
    write_articles(inputs, 400)
    env = dict(os.environ, DATABASE_URL=sqlite_url, GOVNEWS_SPOOL_DIR=str(tmp_path / "spool"),
               PYTHONWARNINGS="ignore::DeprecationWarning")  # fmt: skip
    assert run_scrapy(["migrate"], database_url=sqlite_url).returncode == 0
    process = subprocess.Popen(
        [sys.executable, "-m", "scrapy", "crawl", "replay", "-a", f"path={inputs}", "-s", "CONTENT_WORKERS=0",
         "-s", "CONCURRENT_REQUESTS=1", "-s", "DOWNLOAD_DELAY=0.05", "-s", "RANDOMIZE_DOWNLOAD_DELAY=0",
         "-s", f"STORAGE_BATCH_WAIT={WAIT}", "-s", "STORAGE_BATCH_SIZE=200"],
        cwd=PROJECT_ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    growth: list[tuple[float, int]] = []  # (time, rows) whenever the row count changed
    try:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            rows = stored_count(sqlite_url)
            if not growth or rows != growth[-1][1]:
                growth.append((time.monotonic(), rows))
            if rows >= 100:
                break
            time.sleep(0.05)
        process.send_signal(signal.SIGKILL)
        process.wait(timeout=30)
    finally:
        if process.poll() is None:
            process.kill()
    killed_with = stored_count(sqlite_url)
    assert 0 < killed_with < 400
    changes = [(t, rows) for t, rows in growth if rows > 0]
    assert len(changes) >= 3, growth  # written in many small batches, not one of 200
    gaps = [later[0] - earlier[0] for earlier, later in itertools.pairwise(changes)]
    assert max(gaps) < WAIT + 1.5, gaps  # never more than about WAIT seconds without a write
    assert max(b[1] - a[1] for a, b in itertools.pairwise(changes)) < 200


def write_inputs(directory: Path) -> None:
    """The five seeds and near-duplicate copies of three of them (stories of several articles)."""
    directory.mkdir()
    os.symlink(SEEDS_DIR, directory / "seeds")
    copies = directory / "copies"
    copies.mkdir()
    for original in seed_originals():
        number = original.story.removeprefix("seed-")
        if number not in ("000", "001", "004"):
            continue
        for kind in VARIANT_KINDS:
            title, body = raw_variant(original, kind, random.Random(number), ["浙江科技新闻", "安徽科技新闻"])
            (copies / f"{number}_{kind}.txt").write_text(f"{title}\n{body}\n", encoding="utf-8")


def stories(database_url: str) -> tuple[set[frozenset[str]], dict[str, str | None]]:
    """The articles grouped by story (cluster), and each article's original, by canonical URL."""
    rows = query_rows(database_url, "SELECT canonical_url, cluster_id, duplicate_of FROM articles")
    clusters: dict[object, set[str]] = defaultdict(set)
    for row in rows:
        clusters[row["cluster_id"] if row["cluster_id"] is not None else row["canonical_url"]].add(row["canonical_url"])
    return {frozenset(members) for members in clusters.values()}, {r["canonical_url"]: r["duplicate_of"] for r in rows}


def test_loadspool_after_an_outage_leaves_the_stories_a_run_without_it_would(database_url: str, tmp_path: Path) -> None:
    inputs = tmp_path / "inputs"
    write_inputs(inputs)
    args = ["crawl", "replay", "-a", f"path={inputs}", "-a", "fetched_at=2026-01-01T08:00:00+08:00"]
    direct = run_scrapy(args, database_url=database_url, spool_dir=tmp_path / "spool-direct")
    assert direct.returncode == ExitCode.OK, direct.stderr[-3000:]

    spool = tmp_path / "spool"
    outage = run_scrapy(args, database_url=UNREACHABLE, spool_dir=spool)
    assert outage.returncode == ExitCode.SPOOLED, outage.stderr[-3000:]
    assert spool_files(spool)
    if database_url.startswith("sqlite"):
        recovered_url = f"sqlite:///{tmp_path / 'recovered.db'}"
        load = run_scrapy(["loadspool"], database_url=recovered_url, spool_dir=spool)
        recovered = stories(recovered_url), stored_count(recovered_url)
    else:
        with temporary_postgres_database() as recovered_url:
            load = run_scrapy(["loadspool"], database_url=recovered_url, spool_dir=spool)
            recovered = stories(recovered_url), stored_count(recovered_url)
    assert load.returncode == ExitCode.OK, load.stderr[-3000:]
    assert spool_files(spool) == []
    expected = stories(database_url), stored_count(database_url)
    assert expected[1] > len(expected[0][0])  # some stories hold several articles
    assert recovered == expected
