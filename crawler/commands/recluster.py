"""``scrapy recluster [--missing] [--batch-size N]``: rebuild the near-duplicate clusters.

Without options, every signature, band key and cluster is removed and the whole archive is
clustered again from the stored bodies, in ``id`` order, one transaction per batch, with the
``NEAR_DUPLICATE_*`` settings of this run: the step after changing the threshold, the shingle
size or the banding. Then ``articles.cluster_id`` and ``duplicate_of`` are copied from the
clusters, again in batches. Run it while no crawl writes to the database.

With ``--missing``, only articles without a signature are clustered (those loaded by
``scrapy loadspool`` after an outage, or stored while the stage was off), and the article
rows of the whole archive are synced.

The clustering decisions are the near-duplicate pipeline's, found through the dotted module
path in the ``NEAR_DUPLICATE_INDEX_MODULE`` setting (``crawler`` does not import ``pipelines``);
the statements are :mod:`crawler.db.neardup`'s.
Progress goes to stderr: a tqdm bar when tqdm is installed, else a line rewritten in place.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections import Counter
from importlib import import_module
from typing import Any, ClassVar

from scrapy.commands import ScrapyCommand
from scrapy.exceptions import UsageError

from crawler.db import neardup
from crawler.db.articles import sync_articles
from crawler.db.database import open_database
from crawler.db.schema import SchemaOutdatedError

DEFAULT_INDEX_MODULE = "pipelines.neardup_index"


class Progress:
    """A tqdm bar when tqdm is installed, else ``label: done/total (pct) rate`` on stderr."""

    def __init__(self, label: str, total: int) -> None:
        self.label, self.total, self.done = label, total, 0
        self.started = time.monotonic()
        self.bar: Any = None
        try:
            from tqdm import tqdm
        except ImportError:
            self._line()
        else:
            self.bar = tqdm(total=total, desc=label, unit="art", file=sys.stderr)

    def update(self, count: int) -> None:
        self.done += count
        if self.bar is not None:
            self.bar.update(count)
        else:
            self._line()

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()
        else:
            sys.stderr.write("\n")
            sys.stderr.flush()

    def _line(self) -> None:
        elapsed = max(time.monotonic() - self.started, 1e-9)
        share = self.done / self.total if self.total else 1.0
        sys.stderr.write(f"\r{self.label}: {self.done}/{self.total} ({share:.0%}) {self.done / elapsed:.0f}/s")
        sys.stderr.flush()


class Command(ScrapyCommand):
    requires_project = True
    default_settings: ClassVar[dict[str, Any]] = {"LOG_ENABLED": False}

    def short_desc(self) -> str:
        return "Re-cluster near-duplicate articles of the whole archive (after a threshold change)"

    def add_options(self, parser: argparse.ArgumentParser) -> None:
        super().add_options(parser)
        parser.add_argument("--batch-size", type=int, default=500, help="articles per transaction (default: 500)")
        parser.add_argument("--missing", action="store_true", help="only articles without a signature")

    def run(self, args: list[str], opts: argparse.Namespace) -> None:
        assert self.settings is not None
        if opts.batch_size < 1:
            raise UsageError("--batch-size must be at least 1")
        store: Any = import_module(self.settings.get("NEAR_DUPLICATE_INDEX_MODULE", DEFAULT_INDEX_MODULE))
        index = store.index_from_settings(self.settings)
        started = time.monotonic()
        with open_database(self.settings) as database:
            try:
                database.ensure_schema()
            except SchemaOutdatedError as error:
                print(error, file=sys.stderr)
                self.exitcode = 1
                return
            statuses = self._cluster(database.engine, index, store, opts)
            synced = self._sync(database.engine, opts.batch_size)
        summary = ", ".join(f"{status} {count}" for status, count in sorted(statuses.items())) or "nothing to do"
        print(
            f"{database.display_url}: scheme {index.scheme.name}, threshold {index.threshold}: {summary}; "
            f"{synced} article rows updated in {time.monotonic() - started:.1f}s"
        )

    def _cluster(self, engine: Any, index: Any, store: Any, opts: argparse.Namespace) -> Counter[str]:
        with engine.begin() as connection:
            if not opts.missing:
                neardup.clear(connection)
            total = neardup.count_articles(connection, missing_only=opts.missing)
        progress = Progress("clustering", total)
        statuses: Counter[str] = Counter()
        last = 0
        try:
            while True:
                with engine.begin() as connection:
                    batch = neardup.stored_articles(connection, last, opts.batch_size, missing_only=opts.missing)
                    for assignment in index.assign_all(connection, [store.Candidate.of(stored) for stored in batch]):
                        statuses[assignment.status] += 1
                if not batch:
                    break
                last = batch[-1].id
                progress.update(len(batch))
        finally:
            progress.close()
        return statuses

    def _sync(self, engine: Any, batch_size: int) -> int:
        with engine.connect() as connection:
            top = neardup.max_article_id(connection)
        progress = Progress("updating articles", top)
        synced = 0
        try:
            for low in range(1, top + 1, batch_size):
                high = min(low + batch_size - 1, top)
                with engine.begin() as connection:
                    synced += sync_articles(connection, id_range=(low, high))
                progress.update(high - low + 1)
        finally:
            progress.close()
        return synced
