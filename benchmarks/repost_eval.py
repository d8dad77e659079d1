"""Reposted stories and their true original, measured through real ``scrapy crawl replay`` runs.

Run from the repository root::

    python benchmarks/repost_eval.py [--url postgresql+psycopg://govnews:govnews@127.0.0.1:5432/postgres]
                                     [--seed 15] [--keep DIR] [--show-wrong]

The set is :mod:`benchmarks.repost_set` (dev corpus pages as originals, reposts of them on ten
other hosts; the corpus is read from ``../shared/corpus/dev`` and the script refuses to run
without it). Each order replays two WARC files into a fresh database (a temporary SQLite file,
and with ``--url`` also a fresh database on that Postgres server): ``originals first`` replays
the originals, then the copies; ``copies first`` the other way round. Then, from the
``articles`` rows:

* pair precision / recall: pairs of rows in one cluster against pairs of one story;
* originals right: stories whose true original is its cluster's original (``duplicate_of``
  empty) and whose cluster holds no other story's original;
* ``duplicate_of`` right: reposts whose ``duplicate_of`` is the true original's
  ``canonical_url``.
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import subprocess
import sys
import tempfile
import uuid
from collections import defaultdict
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from sqlalchemy import create_engine, make_url, text  # noqa: E402

from benchmarks.repost_set import CORPUS_DIR, corpus_originals, repost_set, write_set  # noqa: E402

ORDERS = {"originals first": ("originals", "copies"), "copies first": ("copies", "originals")}


@dataclass(frozen=True)
class Row:
    url: str
    canonical_url: str
    cluster_id: int | None
    duplicate_of: str | None


@dataclass(frozen=True)
class Result:
    precision: float
    recall: float
    stories: int
    originals_right: int
    copies: int
    duplicate_of_right: int
    wrong: tuple[str, ...]


def score(rows: Sequence[Row], labels: Sequence[dict[str, str]]) -> Result:
    """The measures of the module docstring; ``wrong`` names each wrong original and repost."""
    by_url = {row.url: row for row in rows}
    labelled = [(label, by_url.get(label["url"])) for label in labels]
    missing = [label["url"] for label, row in labelled if row is None]
    stored = [(label, row) for label, row in labelled if row is not None]
    same_story = {
        frozenset((a.url, b.url))
        for (la, a), (lb, b) in itertools.combinations(stored, 2)
        if la["story"] == lb["story"]
    }
    same_cluster = {
        frozenset((a.url, b.url))
        for (_, a), (_, b) in itertools.combinations(stored, 2)
        if a.cluster_id is not None and a.cluster_id == b.cluster_id
    }
    hits = len(same_story & same_cluster)
    canonical_of = {label["url"]: row.canonical_url for label, row in stored if label["url"] == label["original_url"]}
    wrong = [f"not stored: {url}" for url in missing]
    originals_right = 0
    for label, row in stored:
        if label["url"] != label["original_url"]:
            continue
        if row.duplicate_of is None:
            originals_right += 1
        else:
            wrong.append(f"original of {label['story']} is {row.duplicate_of}")
    copies = duplicate_right = 0
    for label, row in stored:
        if label["url"] == label["original_url"]:
            continue
        copies += 1
        if row.duplicate_of == canonical_of.get(label["original_url"]):
            duplicate_right += 1
        else:
            wrong.append(f"{label['url']} ({label['variant']}, cites {label['cited']}) -> {row.duplicate_of}")
    return Result(
        precision=hits / len(same_cluster) if same_cluster else 1.0,
        recall=hits / len(same_story) if same_story else 1.0,
        stories=len(canonical_of),
        originals_right=originals_right,
        copies=copies,
        duplicate_of_right=duplicate_right,
        wrong=tuple(wrong),
    )


@contextmanager
def fresh_database(server: str | None, tmp: Path) -> Iterator[str]:
    """A URL of an empty database: a SQLite file in ``tmp``, or a new database on ``server``."""
    if server is None:
        yield f"sqlite:///{tmp / f'repost-{uuid.uuid4().hex[:8]}.db'}"
        return
    admin = make_url(server)
    name = f"govnews_repost_{uuid.uuid4().hex[:8]}"
    engine = create_engine(admin, isolation_level="AUTOCOMMIT")
    with engine.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield admin.set(database=name).render_as_string(hide_password=False)
    finally:
        with engine.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        engine.dispose()


def replay(path: Path, database_url: str, spool: Path) -> None:
    env = dict(os.environ, DATABASE_URL=database_url, GOVNEWS_SPOOL_DIR=str(spool))
    run = subprocess.run(
        [sys.executable, "-m", "scrapy", "crawl", "replay", "-a", f"path={path}", "-L", "WARNING"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    if run.returncode != 0:
        raise SystemExit(f"replay of {path} failed ({run.returncode}):\n{run.stderr[-3000:]}")


def stored_rows(database_url: str) -> list[Row]:
    engine = create_engine(database_url)
    try:
        with engine.connect() as connection:
            rows = connection.execute(text("SELECT url, canonical_url, cluster_id, duplicate_of FROM articles"))
            return [Row(*row) for row in rows]
    finally:
        engine.dispose()


def measure(directory: Path, labels: Sequence[dict[str, str]], server: str | None, order: Sequence[str]) -> Result:
    with tempfile.TemporaryDirectory() as tmp, fresh_database(server, Path(tmp)) as url:
        for part in order:
            replay(directory / part, url, Path(tmp) / "spool")
        return score(stored_rows(url), labels)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--url", help="a Postgres server URL: measure there too (a database is created and dropped)")
    parser.add_argument("--seed", type=int, default=15)
    parser.add_argument("--corpus", type=Path, default=CORPUS_DIR)
    parser.add_argument("--keep", type=Path, help="write the set here and keep it")
    parser.add_argument("--show-wrong", action="store_true", help="list each wrong original and repost")
    args = parser.parse_args(argv)
    reposts = repost_set(corpus_originals(args.corpus), seed=args.seed)
    with tempfile.TemporaryDirectory() as tmp:
        directory = args.keep or Path(tmp)
        write_set(directory, reposts)
        labels = json.loads((directory / "labels.json").read_text(encoding="utf-8"))
        stories = len(reposts.originals)
        print(f"{stories} stories, {len(reposts.copies)} reposts, seed {args.seed}")
        header = "| database | order | pair P | pair R | originals right | duplicate_of right |"
        print(header)
        print("|---|---|---|---|---|---|")
        wrong: dict[str, tuple[str, ...]] = defaultdict(tuple)
        for backend, server in (("sqlite", None), *((("postgres", args.url),) if args.url else ())):
            for name, order in ORDERS.items():
                result = measure(directory, labels, server, order)
                print(
                    f"| {backend} | {name} | {result.precision:.4f} | {result.recall:.4f} | "
                    f"{result.originals_right}/{result.stories} | {result.duplicate_of_right}/{result.copies} |",
                    flush=True,
                )
                wrong[f"{backend}, {name}"] = result.wrong
        if args.show_wrong:
            for run, lines in wrong.items():
                print(f"\n{run}:")
                for line in lines:
                    print("  " + line)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
