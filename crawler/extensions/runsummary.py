"""Extensions.

``RunSummary`` prints a summary table of the run to stdout when the spider closes: files
read, articles stored (new / updated / unchanged), exact duplicates, skipped inputs with
their reasons, spooled items and the database. Settings: ``RUN_SUMMARY_ENABLED``.
"""

from __future__ import annotations

import sys
from typing import Any, TextIO

from scrapy import Spider, signals
from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured

# Skipped inputs listed one by one in the summary; the rest are counted.
LISTED_SKIPS = 20


def summary_rows(stats: dict[str, Any]) -> list[tuple[str, str]]:
    """Label/value rows of the summary table, from the crawl's stats."""

    def count(key: str) -> int:
        return int(stats.get(key, 0) or 0)

    stored = count("storage/inserted") + count("storage/updated") + count("storage/unchanged")
    rows = [
        ("files read", str(count("replay/files_read"))),
        ("records read (WARC / cache)", str(count("replay/records_read"))),
        ("pages extracted", str(count("extraction/html_pages") + count("extraction/text_pages"))),
        (
            "articles stored",
            f"{stored} (new {count('storage/inserted')}, updated {count('storage/updated')}, "
            f"unchanged {count('storage/unchanged')})",
        ),
        (
            "exact duplicates",
            f"{count('dedup/duplicate_url') + count('dedup/exact_duplicate')} "
            f"(same URL dropped {count('dedup/duplicate_url')}, "
            f"same body under another URL {count('dedup/exact_duplicate')})",
        ),
        ("items dropped", str(count("item_dropped_count"))),
        ("skipped inputs", str(count("replay/skipped"))),
    ]
    reasons = sorted(
        (key.removeprefix("replay/skipped/"), value)
        for key, value in stats.items()
        if key.startswith("replay/skipped/")
    )
    rows.extend((f"  {reason}", str(value)) for reason, value in reasons)
    if count("storage/spooled"):
        rows.append(("SPOOLED (not in database)", f"{count('storage/spooled')}: run `scrapy loadspool`"))
    rows.append(("database", str(stats.get("storage/database", "-"))))
    return rows


def render_table(rows: list[tuple[str, str]]) -> str:
    width = max(len(label) for label, _ in rows)
    rule = "-" * (width + 2) + "+" + "-" * (max(len(value) for _, value in rows) + 2)
    lines = [rule] + [f" {label.ljust(width)} | {value}" for label, value in rows] + [rule]
    return "\n".join(lines)


class RunSummary:
    def __init__(self, crawler: Crawler, out: TextIO) -> None:
        self.crawler = crawler
        self.out = out

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> RunSummary:
        if not crawler.settings.getbool("RUN_SUMMARY_ENABLED"):
            raise NotConfigured
        extension = cls(crawler, sys.stdout)
        crawler.signals.connect(extension.spider_closed, signal=signals.spider_closed)
        return extension

    def spider_closed(self, spider: Spider, reason: str) -> None:
        assert self.crawler.stats is not None
        stats = self.crawler.stats.get_stats()
        rows = [("spider", f"{spider.name} ({reason})"), *summary_rows(stats)]
        skipped: list[tuple[str, str]] = getattr(spider, "skipped", [])
        text = render_table(rows)
        if skipped:
            listed = "\n".join(f"  skipped {shown}: {why}" for shown, why in skipped[:LISTED_SKIPS])
            more = f"\n  … and {len(skipped) - LISTED_SKIPS} more" if len(skipped) > LISTED_SKIPS else ""
            text += f"\n{listed}{more}"
        print(text, file=self.out, flush=True)
