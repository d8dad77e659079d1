"""Run records: a crawl's status and the layout-change warnings, from its counts.

Pure functions over plain values, so the rules can be read and tested alone; the
:class:`~crawler.crawlstate.state.CrawlState` component feeds them at spider close and writes
the ``crawl_runs`` row.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

# A run that found nothing new although a list page changed, this many times in a row
# (counting the current run), is suspicious: new items appear but no link matches.
QUIET_CHANGED_RUNS = 3
# Extraction failure rate that, with at least MIN_PAGES article pages, counts as a jump when
# the earlier runs stayed well below it.
FAILURE_RATE_ALARM = 0.5
FAILURE_RATE_BASELINE = 0.2
MIN_PAGES = 4


@dataclass(frozen=True)
class RunFacts:
    """What one crawl saw; the columns of ``crawl_runs`` the rules read."""

    new_articles: int
    list_pages_changed: int
    article_pages: int
    extraction_failures: int

    @property
    def failure_rate(self) -> float:
        return self.extraction_failures / self.article_pages if self.article_pages else 0.0


def run_status(close_reason: str, blocked_responses: int, spider_errors: int, unreachable: bool = False) -> str:
    """``blocked``, ``interrupted`` (Ctrl-C, SIGTERM), ``failed`` (spider error, other close, or
    ``unreachable``: no entry point could be fetched) or ``ok``."""
    if close_reason == "blocked":
        return "blocked"
    if close_reason == "shutdown":
        return "interrupted"
    if close_reason != "finished" or spider_errors or unreachable:
        return "failed"
    return "ok"


def unreachable(stats: Mapping[str, Any]) -> bool:
    """Whether the crawl reached none of its entry points: list pages failed (DNS, refused,
    timeouts, 5xx after retries) and none was read. A run that fetched nothing at all is no
    success, whatever its close reason says."""
    return count(stats, "site/list_pages") == 0 and count(stats, "site/list_errors") > 0


def layout_warnings(
    current: RunFacts,
    previous: Sequence[RunFacts],
    linkless_changed_pages: Sequence[str],
) -> list[str]:
    """Warnings that the site's layout may have changed under its config.

    ``previous`` are the site's earlier finished runs, newest first; ``linkless_changed_pages``
    are list pages that came back changed (or new) but held no article link.
    """
    warnings = [
        f"list page {url} changed but no link matched article_links (layout change?)" for url in linkless_changed_pages
    ]
    streak = [current, *previous[: QUIET_CHANGED_RUNS - 1]]
    if len(streak) == QUIET_CHANGED_RUNS and all(r.new_articles == 0 and r.list_pages_changed > 0 for r in streak):
        warnings.append(
            f"{QUIET_CHANGED_RUNS} crawls in a row found no new article although list pages changed (layout change?)"
        )
    earlier = [r for r in previous if r.article_pages]
    if current.article_pages >= MIN_PAGES and current.failure_rate >= FAILURE_RATE_ALARM and earlier:
        baseline = sum(r.extraction_failures for r in earlier) / sum(r.article_pages for r in earlier)
        if baseline <= FAILURE_RATE_BASELINE:
            warnings.append(
                f"extraction failed on {current.failure_rate:.0%} of article pages (earlier runs {baseline:.0%}): "
                "page layout or extraction selectors may have changed"
            )
    return warnings


def count(stats: Mapping[str, Any], key: str) -> int:
    return int(stats.get(key, 0) or 0)


def run_counts(stats: Mapping[str, Any]) -> dict[str, int]:
    """The count columns of ``crawl_runs`` from the crawl's stats."""
    return {
        "requests": count(stats, "downloader/request_count"),
        "list_pages": count(stats, "site/list_pages"),
        "list_pages_changed": count(stats, "site/list_pages_changed"),
        "not_modified": count(stats, "site/not_modified"),
        "article_pages": count(stats, "site/article_pages"),
        "new_articles": count(stats, "storage/inserted"),
        "updated": count(stats, "storage/updated"),
        "duplicates": count(stats, "dedup/duplicate_url") + count(stats, "dedup/exact_duplicate"),
        "extraction_failures": count(stats, "extraction/empty_body"),
        "errors": count(stats, "site/article_errors")
        + count(stats, "site/list_errors")
        + count(stats, "spider_exceptions"),
        "blocked_responses": count(stats, "blocked/responses"),
    }
