"""The report's figures: one :class:`Report` built from the database for a period.

The HTML page and the JSON document are two renderings of the same :class:`Report`
(:mod:`crawler.report.render`), so a dashboard reading the JSON sees the figures a person sees.
Calendar days are days in ``DISPLAY_TIMEZONE``, the zone people see days in everywhere
(:mod:`crawler.timezones`), so "new articles on the 3rd" means the 3rd as the sites print it.
"""

from __future__ import annotations

import statistics
from collections import Counter, defaultdict
from collections.abc import Callable, Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any, TypeVar
from zoneinfo import ZoneInfo

from sqlalchemy import Connection

from crawler.db.dialects import database_size
from crawler.report import queries
from crawler.report.alerts import Alert, FillCount, FillRule, WindowFill, fill_alerts, run_alerts, run_failed
from crawler.report.queries import ArticleFacts, RunRecord

# Fields of the fill table, in the order shown: the text fields and the publication time.
FILL_FIELDS = ("title", "published", "source_name", "author", "doc_number")
K = TypeVar("K", bound=Hashable)
V = TypeVar("V")

# Runs per site read for the run rules (at least ALERT_FAILED_RUNS are needed).
RUN_HISTORY = 20


@dataclass(frozen=True)
class Period:
    """``[since, until)`` in UTC, with the time zone its calendar days are counted in."""

    since: datetime
    until: datetime
    timezone: str

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    def day(self, moment: datetime) -> date:
        return moment.astimezone(self.zone).date()

    @property
    def days(self) -> list[date]:
        first, last = self.day(self.since), self.day(self.until - timedelta(microseconds=1))
        return [first + timedelta(days=n) for n in range((last - first).days + 1)]


@dataclass(frozen=True)
class AlertThresholds:
    failed_runs: int = 3
    fill: FillRule = field(default_factory=FillRule)
    recent_days: int = 2
    baseline_days: int = 28


@dataclass
class LastCrawl:
    started_at: datetime
    finished_at: datetime | None
    status: str
    failed: bool
    """Failed by the alert rules' measure (:func:`~crawler.report.alerts.run_failed`): also an
    ``ok`` crawl that reached no list page."""


@dataclass
class SiteFigures:
    site: str
    name: str | None
    last_crawl: LastCrawl | None
    runs: int
    runs_by_status: dict[str, int]
    new_articles: int
    """Articles first stored in the period (crawled or replayed)."""
    new_per_day: list[int]
    """New articles on each day of :attr:`Report.days`."""
    lag_median_hours: float | None
    lag_p90_hours: float | None
    """Freshness lag: hours from publication to first fetch, over the period's new articles."""
    errors: int
    blocked_responses: int
    not_modified_share: float | None
    """Share of list page answers that were 304 Not Modified."""
    list_pages_per_new_article: float | None
    fill: dict[str, float | None]
    """Fill rate of each field over the period's new articles."""
    fill_per_day: dict[str, list[float | None]]
    body_median: float | None
    alerts: list[str] = field(default_factory=list)
    """Rules firing for the site (``fill_drop:author`` …), for flags in the tables."""


@dataclass
class Totals:
    runs: int
    runs_by_status: dict[str, int]
    requests: int
    list_pages: int
    not_modified: int
    crawled_new_articles: int
    updated: int
    errors: int
    blocked_responses: int
    articles_first_seen: int
    stored_articles: int
    stored_stories: int
    database_bytes: int | None


@dataclass
class IssuerCount:
    issuer: str | None
    doc_numbers: int
    examples: list[str]


@dataclass
class GovDocuments:
    new_by_issuer: list[IssuerCount]
    new_doc_numbers: int
    problems: list[queries.MetadataProblem]
    problems_total: int


@dataclass
class Reposts:
    stories: list[queries.RepostedStory]
    outlets: list[queries.CopyingOutlet]


@dataclass
class AlertView:
    """An alert as the report shows it: the rule's finding and its record in ``alerts``."""

    site: str
    rule: str
    field: str
    message: str
    details: dict[str, Any]
    opened_at: datetime | None
    """When the alert was first recorded; ``None`` when this report did not record alerts."""
    new: bool


@dataclass
class Report:
    generated_at: datetime
    period: Period
    days: list[date]
    database: str
    totals: Totals
    sites: list[SiteFigures]
    runs_per_day: dict[str, list[int]]
    """Crawl runs started on each day, by status."""
    reposts: Reposts
    gov: GovDocuments
    alerts: list[AlertView] = field(default_factory=list)


def build_report(
    connection: Connection,
    period: Period,
    thresholds: AlertThresholds,
    *,
    database: str,
    now: datetime,
    top: int = 20,
) -> tuple[Report, list[Alert]]:
    """The figures of ``period`` and the alerts firing at its end."""
    baseline_start = period.until - timedelta(days=thresholds.recent_days + thresholds.baseline_days)
    facts = list(queries.article_facts(connection, min(period.since, baseline_start), period.until))
    in_period = [f for f in facts if f.first_seen_at >= period.since]
    runs = queries.runs_between(connection, period.since, period.until)
    latest = queries.latest_runs(connection, period.until, RUN_HISTORY)
    names = queries.site_names(connection)
    alerts = firing_alerts(latest, facts, period.until, thresholds)
    flags: dict[str, list[str]] = defaultdict(list)
    for alert in alerts:
        flags[alert.site].append(f"{alert.rule}:{alert.field}" if alert.field else alert.rule)
    days = period.days
    by_site_facts = _group(in_period, lambda f: f.site)
    by_site_runs = _group(runs, lambda r: r.site)
    site_ids = sorted(set(by_site_facts) | set(by_site_runs) | set(latest))
    sites = [
        site_figures(
            site,
            names.get(site),
            by_site_facts.get(site, []),
            by_site_runs.get(site, []),
            latest.get(site, []),
            period,
            flags.get(site, []),
        )
        for site in site_ids
    ]
    sites.sort(key=lambda s: (not s.alerts, s.site))
    stored, stories = queries.stored_totals(connection)
    report = Report(
        generated_at=now,
        period=period,
        days=days,
        database=database,
        totals=totals(runs, len(in_period), stored, stories, database_size(connection)),
        sites=sites,
        runs_per_day=runs_per_day(runs, period),
        reposts=Reposts(
            queries.reposted_stories(connection, period.since, period.until, top),
            queries.copying_outlets(connection, period.since, period.until, top),
        ),
        gov=gov_documents(connection, period, top),
    )
    return report, alerts


def evaluate_alerts(connection: Connection, until: datetime, thresholds: AlertThresholds) -> list[Alert]:
    """The alerts firing at ``until``, reading only what the rules need (``scrapy alerts``)."""
    start = until - timedelta(days=thresholds.recent_days + thresholds.baseline_days)
    facts = list(queries.article_facts(connection, start, until))
    return firing_alerts(queries.latest_runs(connection, until, RUN_HISTORY), facts, until, thresholds)


def firing_alerts(
    latest: Mapping[str, Sequence[RunRecord]],
    facts: Sequence[ArticleFacts],
    until: datetime,
    thresholds: AlertThresholds,
) -> list[Alert]:
    """Run rules over each site's latest runs, fill rules over its recent against its baseline window."""
    split = until - timedelta(days=thresholds.recent_days)
    start = split - timedelta(days=thresholds.baseline_days)
    alerts: list[Alert] = []
    for site, runs in sorted(latest.items()):
        alerts.extend(run_alerts(site, runs, thresholds.failed_runs))
    by_site = _group([f for f in facts if start <= f.first_seen_at < until], lambda f: f.site)
    for site, site_facts in sorted(by_site.items()):
        recent = window_fill([f for f in site_facts if f.first_seen_at >= split])
        baseline = window_fill([f for f in site_facts if f.first_seen_at < split])
        alerts.extend(fill_alerts(site, recent, baseline, thresholds.fill))
    return alerts


def window_fill(facts: Sequence[ArticleFacts]) -> WindowFill:
    counts = {name: FillCount(sum(name in f.filled for f in facts), len(facts)) for name in FILL_FIELDS}
    median = statistics.median(f.body_length for f in facts) if facts else None
    return WindowFill(counts, median, len(facts))


def site_figures(
    site: str,
    name: str | None,
    facts: Sequence[ArticleFacts],
    runs: Sequence[RunRecord],
    latest: Sequence[RunRecord],
    period: Period,
    flags: list[str],
) -> SiteFigures:
    days = period.days
    per_day = _group(facts, lambda f: period.day(f.first_seen_at))
    daily = {day: window_fill(per_day.get(day, [])) for day in days}
    lags = sorted((f.first_seen_at - f.published).total_seconds() / 3600 for f in facts if f.published is not None)
    list_pages = sum(r.list_pages for r in runs)
    crawled_new = sum(r.new_articles for r in runs)
    last = latest[0] if latest else None
    whole = window_fill(facts)
    return SiteFigures(
        site=site,
        name=name,
        last_crawl=LastCrawl(last.started_at, last.finished_at, last.status, run_failed(last)) if last else None,
        runs=len(runs),
        runs_by_status=dict(Counter(r.status for r in runs)),
        new_articles=len(facts),
        new_per_day=[len(per_day.get(day, [])) for day in days],
        lag_median_hours=statistics.median(lags) if lags else None,
        lag_p90_hours=_p90(lags),
        errors=sum(r.errors for r in runs),
        blocked_responses=sum(r.blocked_responses for r in runs),
        not_modified_share=sum(r.not_modified for r in runs) / list_pages if list_pages else None,
        list_pages_per_new_article=list_pages / crawled_new if crawled_new else None,
        fill={name: whole.counts[name].rate for name in FILL_FIELDS},
        fill_per_day={name: [daily[day].counts[name].rate for day in days] for name in FILL_FIELDS},
        body_median=whole.body_median,
        alerts=flags,
    )


def totals(runs: Sequence[RunRecord], first_seen: int, stored: int, stories: int, size: int | None) -> Totals:
    return Totals(
        runs=len(runs),
        runs_by_status=dict(Counter(r.status for r in runs)),
        requests=sum(r.requests for r in runs),
        list_pages=sum(r.list_pages for r in runs),
        not_modified=sum(r.not_modified for r in runs),
        crawled_new_articles=sum(r.new_articles for r in runs),
        updated=sum(r.updated for r in runs),
        errors=sum(r.errors for r in runs),
        blocked_responses=sum(r.blocked_responses for r in runs),
        articles_first_seen=first_seen,
        stored_articles=stored,
        stored_stories=stories,
        database_bytes=size,
    )


def runs_per_day(runs: Sequence[RunRecord], period: Period) -> dict[str, list[int]]:
    days = period.days
    index = {day: n for n, day in enumerate(days)}
    counts: dict[str, list[int]] = {}
    for run in runs:
        day = period.day(run.started_at)
        if day in index:
            counts.setdefault(run.status, [0] * len(days))[index[day]] += 1
    return dict(sorted(counts.items()))


def gov_documents(connection: Connection, period: Period, top: int) -> GovDocuments:
    numbers = queries.new_doc_numbers(connection, period.since, period.until)
    by_issuer = _group(numbers, lambda n: n.issuer)
    issuers = [
        IssuerCount(issuer, len(found), [n.doc_number for n in found[:3]]) for issuer, found in by_issuer.items()
    ]
    issuers.sort(key=lambda i: (-i.doc_numbers, i.issuer or ""))
    problems = queries.metadata_problems(connection, period.since, period.until)
    return GovDocuments(issuers[:top], len(numbers), problems[: top * 2], len(problems))


def _p90(sorted_values: Sequence[float]) -> float | None:
    if not sorted_values:
        return None
    if len(sorted_values) == 1:
        return sorted_values[0]
    return statistics.quantiles(sorted_values, n=10, method="inclusive")[-1]


def _group(values: Iterable[V], key: Callable[[V], K]) -> dict[K, list[V]]:
    groups: dict[K, list[V]] = {}
    for value in values:
        groups.setdefault(key(value), []).append(value)
    return groups
