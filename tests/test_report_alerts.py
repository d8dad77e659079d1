"""The alert rules (:mod:`crawler.report.alerts`), one table per rule."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from crawler.report.alerts import (
    FillCount,
    FillRule,
    WindowFill,
    blocked_streak,
    body_length_dropped,
    failed_streak,
    fill_alerts,
    fill_dropped,
    run_alerts,
    run_failed,
)
from crawler.report.queries import RunRecord

T0 = datetime(2026, 3, 1, tzinfo=UTC)


def run(status: str, *, list_pages: int = 3, errors: int = 0, blocked: int = 0, n: int = 0) -> RunRecord:
    return RunRecord(
        site="s",
        started_at=T0 - timedelta(hours=n),
        finished_at=None if status == "running" else T0,
        status=status,
        requests=10,
        list_pages=list_pages,
        not_modified=0,
        article_pages=5,
        new_articles=1,
        updated=0,
        errors=errors,
        blocked_responses=blocked,
    )


@pytest.mark.parametrize(
    ("record", "failed"),
    [
        (run("ok"), False),
        (run("ok", errors=4), False),  # reached its list pages: some articles failed, the crawl did not
        (run("ok", list_pages=0, errors=2), True),  # site down: nothing answered, Scrapy still finished
        (run("ok", list_pages=0, errors=0), False),  # a site with nothing configured to walk
        (run("failed"), True),
        (run("killed"), True),
        (run("blocked"), False),
        (run("interrupted"), False),
    ],
)
def test_run_failed(record: RunRecord, failed: bool) -> None:
    assert run_failed(record) is failed


@pytest.mark.parametrize(
    ("statuses", "streak"),
    [
        ([], 0),
        (["ok", "failed", "failed"], 0),
        (["failed", "failed", "ok", "failed"], 2),
        (["running", "failed", "killed", "failed"], 3),  # the crawl under way does not count
        (["failed", "interrupted", "failed"], 2),  # stopped by the operator: neither
        (["failed", "blocked", "failed", "ok"], 2),  # blocked has its own rule
    ],
)
def test_failed_streak(statuses: list[str], streak: int) -> None:
    assert failed_streak([run(s, n=i) for i, s in enumerate(statuses)]) == streak


@pytest.mark.parametrize(
    ("statuses", "streak"),
    [([], 0), (["ok", "blocked"], 0), (["blocked", "blocked", "ok"], 2), (["running", "blocked"], 1)],
)
def test_blocked_streak(statuses: list[str], streak: int) -> None:
    assert blocked_streak([run(s, n=i) for i, s in enumerate(statuses)]) == streak


@pytest.mark.parametrize(
    ("statuses", "threshold", "rules"),
    [
        (["failed", "failed", "failed"], 3, ["failed_runs"]),
        (["failed", "failed", "ok"], 3, []),
        (["failed", "failed", "ok"], 2, ["failed_runs"]),
        (["blocked", "ok"], 3, ["blocked"]),
        (["ok", "blocked"], 3, []),  # blocked once, crawled fine since
    ],
)
def test_run_alerts(statuses: list[str], threshold: int, rules: list[str]) -> None:
    runs = [run(s, n=i, blocked=3 if s == "blocked" else 0) for i, s in enumerate(statuses)]
    alerts = run_alerts("s", runs, threshold)
    assert [a.rule for a in alerts] == rules
    assert all(a.site == "s" and a.field == "" for a in alerts)


RULE = FillRule(drop=0.3, min_recent=5, min_baseline=20)


@pytest.mark.parametrize(
    ("recent", "baseline", "dropped"),
    [
        ((0, 10), (40, 40), True),  # 来源 gone after a redesign
        ((7, 10), (40, 40), True),  # 70 % of an always-filled field: a fall of exactly the drop counts
        ((8, 10), (40, 40), False),  # 80 %: less than the drop
        ((9, 10), (40, 40), False),  # one page without it
        ((0, 4), (40, 40), False),  # too few recent articles to say
        ((0, 10), (19, 19), False),  # too short a baseline
        ((0, 10), (2, 40), False),  # a field on 5 % of pages: ten without it is chance
        ((2, 20), (20, 40), True),  # 10 % against 50 %: far beyond chance
        ((6, 20), (20, 40), False),  # 30 % against 50 %: within 3 sigma of 20 draws
        ((0, 10), (0, 40), False),  # never filled, nothing to lose
    ],
)
def test_fill_dropped(recent: tuple[int, int], baseline: tuple[int, int], dropped: bool) -> None:
    assert fill_dropped(FillCount(*recent), FillCount(*baseline), RULE) is dropped


@pytest.mark.parametrize(
    ("recent", "baseline", "dropped"),
    [
        ((300.0, 10), (800.0, 40), True),
        ((500.0, 10), (800.0, 40), False),
        ((300.0, 3), (800.0, 40), False),
        ((300.0, 10), (800.0, 10), False),
        ((300.0, 10), (None, 0), False),
    ],
)
def test_body_length_dropped(recent: tuple[float, int], baseline: tuple[float | None, int], dropped: bool) -> None:
    assert body_length_dropped(WindowFill({}, *recent), WindowFill({}, *baseline), RULE) is dropped


def test_fill_alerts_name_the_field_and_carry_the_counts() -> None:
    recent = WindowFill({"source_name": FillCount(0, 10), "title": FillCount(10, 10)}, 400.0, 10)
    baseline = WindowFill({"source_name": FillCount(40, 40), "title": FillCount(40, 40)}, 420.0, 40)
    (alert,) = fill_alerts("news", recent, baseline, RULE)
    assert alert.key == ("news", "fill_drop", "source_name")
    assert "来源 filled on 0% of 10 recent articles, 100% of 40 before" in alert.message
    assert alert.details["recent"] == {"filled": 0, "total": 10, "rate": 0.0}
    assert alert.details["baseline"]["rate"] == 1.0
