"""Alert rules: small pure functions over a site's recent crawls and its own fill rates.

* ``failed_runs``: the site's last ``ALERT_FAILED_RUNS`` finished crawls all failed.
* ``blocked``: the site's last finished crawl was blocked (403/412, WAF challenge).
* ``fill_drop``: a field's fill rate over the last days fell well below the site's own rate
  over the weeks before, by more than chance explains (:func:`fill_dropped`).
* ``body_length_drop``: the median body length halved (the extraction now keeps a fragment).

The rules compare a site with its own history rather than with fixed floors: 作者 is printed on
every article of one site and on none of another, so "below 80 %" would be wrong for both.
Recording, resolving and notifying are in :mod:`crawler.report.alertstore`.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from crawler.report.queries import RunRecord

# Statuses in which a crawl failed (a killed crawl's process died without closing).
FAILED_STATUSES = frozenset({"failed", "killed"})
# Neither success nor failure: still running, stopped by the operator, or blocked (own rule).
NEUTRAL_STATUSES = frozenset({"running", "interrupted", "blocked"})
# A median body this much shorter than before opens ``body_length_drop``: bodies vary more
# than fill rates, so the bar is higher than ALERT_FILL_DROP.
BODY_LENGTH_DROP = 0.5
# How far below its expected count (in standard deviations of the baseline rate) a recent
# count must fall before chance is ruled out.
SIGMAS = 3.0

FIELD_LABELS = {
    "title": "title",
    "published": "published",
    "source_name": "来源",
    "author": "author",
    "doc_number": "文号",
    "body": "body length",
}


@dataclass(frozen=True)
class Alert:
    """One firing rule for one site (and field)."""

    site: str
    rule: str
    message: str
    field: str = ""
    details: Mapping[str, Any] = dataclasses.field(default_factory=dict)

    @property
    def key(self) -> tuple[str, str, str]:
        return (self.site, self.rule, self.field)


@dataclass(frozen=True)
class FillCount:
    filled: int
    total: int

    @property
    def rate(self) -> float | None:
        return self.filled / self.total if self.total else None


@dataclass(frozen=True)
class WindowFill:
    """A site's articles in one time window: fill counts per field and the median body length."""

    counts: Mapping[str, FillCount]
    body_median: float | None
    articles: int


@dataclass(frozen=True)
class FillRule:
    drop: float = 0.3
    min_recent: int = 5
    min_baseline: int = 20


def run_failed(run: RunRecord) -> bool:
    """Whether a finished crawl failed: by its status, or because it reached no list page at
    all and had errors (a site that is down: Scrapy finishes cleanly, the status is ``ok``)."""
    if run.status in FAILED_STATUSES:
        return True
    return run.status == "ok" and run.list_pages == 0 and run.errors > 0


def failed_streak(runs: Sequence[RunRecord]) -> int:
    """Failed crawls in a row, newest first, not counting running, interrupted or blocked ones."""
    streak = 0
    for run in runs:
        if run.status in NEUTRAL_STATUSES:
            continue
        if not run_failed(run):
            break
        streak += 1
    return streak


def blocked_streak(runs: Sequence[RunRecord]) -> int:
    """Blocked crawls in a row, newest first, not counting one still running."""
    streak = 0
    for run in runs:
        if run.status == "running":
            continue
        if run.status != "blocked":
            break
        streak += 1
    return streak


def run_alerts(site: str, runs: Sequence[RunRecord], failed_runs: int) -> list[Alert]:
    """``failed_runs`` and ``blocked`` alerts from the site's latest runs (newest first)."""
    alerts = []
    failed = failed_streak(runs)
    if failed >= failed_runs:
        alerts.append(
            Alert(site, "failed_runs", f"{site}: the last {failed} crawls failed", details={"streak": failed})
        )
    blocked = blocked_streak(runs)
    if blocked:
        answers = next(run.blocked_responses for run in runs if run.status == "blocked")
        crawls = "the last crawl was" if blocked == 1 else f"the last {blocked} crawls were"
        alerts.append(
            Alert(
                site,
                "blocked",
                f"{site}: {crawls} blocked ({answers} blocked answers in the last)",
                details={"streak": blocked, "blocked_responses": answers},
            )
        )
    return alerts


def fill_dropped(recent: FillCount, baseline: FillCount, rule: FillRule) -> bool:
    """Whether the recent fill rate fell below the baseline by ``rule.drop`` of it, beyond chance.

    Beyond chance: the recent count lies more than :data:`SIGMAS` binomial standard deviations
    below what the baseline rate predicts for that many articles. A field filled on every page
    before (rate 1) has no spread, so the relative drop alone decides; a field filled on 5 % of
    pages never alerts on a handful of articles.
    """
    if recent.total < rule.min_recent or baseline.total < rule.min_baseline:
        return False
    before, now = baseline.filled / baseline.total, recent.filled / recent.total
    if before == 0 or now > before * (1 - rule.drop):
        return False
    expected = recent.total * before
    spread = math.sqrt(recent.total * before * (1 - before))
    return recent.filled < expected - SIGMAS * spread


def body_length_dropped(recent: WindowFill, baseline: WindowFill, rule: FillRule) -> bool:
    if recent.articles < rule.min_recent or baseline.articles < rule.min_baseline:
        return False
    if recent.body_median is None or not baseline.body_median:
        return False
    return recent.body_median <= baseline.body_median * (1 - BODY_LENGTH_DROP)


def fill_alerts(site: str, recent: WindowFill, baseline: WindowFill, rule: FillRule) -> list[Alert]:
    """``fill_drop`` per field and ``body_length_drop``, recent window against the baseline."""
    alerts = []
    for name, now in recent.counts.items():
        before = baseline.counts.get(name, FillCount(0, 0))
        if fill_dropped(now, before, rule):
            assert now.rate is not None
            assert before.rate is not None
            alerts.append(
                Alert(
                    site,
                    "fill_drop",
                    f"{site}: {FIELD_LABELS.get(name, name)} filled on {now.rate:.0%} of {now.total} recent articles, "
                    f"{before.rate:.0%} of {before.total} before (layout change?)",
                    field=name,
                    details={"recent": _count(now), "baseline": _count(before)},
                )
            )
    if body_length_dropped(recent, baseline, rule):
        alerts.append(
            Alert(
                site,
                "body_length_drop",
                f"{site}: median body {recent.body_median:.0f} characters over {recent.articles} recent articles, "
                f"{baseline.body_median:.0f} before (extraction keeps a fragment?)",
                field="body",
                details={"recent_median": recent.body_median, "baseline_median": baseline.body_median},
            )
        )
    return alerts


def _count(count: FillCount) -> dict[str, Any]:
    return {"filled": count.filled, "total": count.total, "rate": count.rate}
