"""When each site is due, and the scheduler loop that starts its crawls.

A site is due when its cron schedule (evaluated in ``SCHEDULE_TIMEZONE``) has fired since the
start of its last crawl; a site never crawled is due at once. After ``n`` blocked runs in a
row a site also waits ``backoff * 2**(n-1)`` (capped) after its last start: blocked sites are
backed off, never retried harder.

:class:`Scheduler` takes its clock, the history lookup and the crawl launcher as arguments,
so a test drives it with a fake clock; ``scrapy schedule`` wires it to the real clock, the
database and ``scrapy crawl`` subprocesses.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Protocol
from zoneinfo import ZoneInfo

from croniter import croniter
from sqlalchemy import Connection, select

from crawler.db.crawl_models import CrawlRunRow

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class SiteHistory:
    last_started: datetime | None = None
    blocked_streak: int = 0


@dataclass(frozen=True)
class Backoff:
    base: timedelta = timedelta(hours=6)
    cap: timedelta = timedelta(days=7)

    def after(self, streak: int) -> timedelta:
        if streak <= 0:
            return timedelta(0)
        scaled: timedelta = self.base * 2 ** (streak - 1)
        return min(self.cap, scaled)


def next_due(schedule: str, history: SiteHistory, tz: ZoneInfo, backoff: Backoff) -> datetime | None:
    """When the site is next due; ``None`` when it never ran (due now)."""
    if history.last_started is None:
        return None
    base = history.last_started.astimezone(tz)
    due: datetime = croniter(schedule, base).get_next(datetime)
    return max(due, base + backoff.after(history.blocked_streak))


def is_due(schedule: str, history: SiteHistory, now: datetime, tz: ZoneInfo, backoff: Backoff) -> bool:
    due = next_due(schedule, history, tz, backoff)
    return due is None or due <= now


def history_from_db(connection: Connection, site: str, depth: int = 10) -> SiteHistory:
    """Last start and blocked streak of a site from ``crawl_runs``."""
    rows = connection.execute(
        select(CrawlRunRow.started_at, CrawlRunRow.status)
        .where(CrawlRunRow.site == site)
        .order_by(CrawlRunRow.started_at.desc(), CrawlRunRow.id.desc())
        .limit(depth)
    ).all()
    if not rows:
        return SiteHistory()
    streak = 0
    for _, status in rows:
        if status != "blocked":
            break
        streak += 1
    return SiteHistory(rows[0].started_at, streak)


class CrawlHandle(Protocol):
    """What the scheduler needs of a running crawl (``subprocess.Popen`` fits)."""

    def poll(self) -> int | None: ...


class Scheduler:
    def __init__(
        self,
        schedules: Mapping[str, str],
        *,
        launch: Callable[[str], CrawlHandle],
        history: Callable[[str], SiteHistory],
        clock: Callable[[], datetime],
        tz: ZoneInfo,
        backoff: Backoff | None = None,
        max_parallel: int = 2,
    ) -> None:
        self.schedules = dict(schedules)
        self.launch = launch
        self.history = history
        self.clock = clock
        self.tz = tz
        self.backoff = backoff or Backoff()
        self.max_parallel = max(1, max_parallel)
        self.running: dict[str, CrawlHandle] = {}
        self.launched_at: dict[str, datetime] = {}
        self.finished: list[tuple[str, int]] = []  # (site, exit code) in order of reaping

    def _history(self, site: str) -> SiteHistory:
        try:
            stored = self.history(site)
        except Exception as error:  # the database may be down; the in-memory record still holds
            logger.warning("history of %s unavailable (%s): using this scheduler's own record", site, error)
            stored = SiteHistory()
        launched = self.launched_at.get(site)
        if launched is not None and (stored.last_started is None or launched > stored.last_started):
            return SiteHistory(launched, stored.blocked_streak)
        return stored

    def reap(self) -> None:
        for site, handle in list(self.running.items()):
            code = handle.poll()
            if code is None:
                continue
            del self.running[site]
            self.finished.append((site, code))
            (logger.info if code == 0 else logger.warning)("crawl of %s ended with exit code %d", site, code)
            self.log_next_run(site)

    def next_run(self, site: str) -> datetime | None:
        """When ``site`` is next due (``None``: now, never crawled), in the schedule's time zone."""
        when = next_due(self.schedules[site], self._history(site), self.tz, self.backoff)
        return when.astimezone(self.tz) if when is not None else None

    def log_next_run(self, site: str) -> None:
        """One INFO line with the next run of ``site``: a scheduler that waits says what for."""
        when = self.next_run(site)
        logger.info("next crawl of %s: %s", site, when.strftime("%Y-%m-%d %H:%M %Z") if when else "now")

    def due(self, now: datetime) -> list[str]:
        """Sites due at ``now`` and not running, most overdue first."""
        due: list[tuple[datetime, str]] = []
        for site, schedule in self.schedules.items():
            if site in self.running:
                continue
            when = next_due(schedule, self._history(site), self.tz, self.backoff)
            if when is None or when <= now:
                due.append((when or datetime.min.replace(tzinfo=self.tz), site))
        return [site for _, site in sorted(due)]

    def tick(self) -> list[str]:
        """Reaps finished crawls and starts due ones; returns the sites started."""
        self.reap()
        now = self.clock()
        started = []
        for site in self.due(now):
            if len(self.running) >= self.max_parallel:
                break
            try:
                handle = self.launch(site)
            except Exception:  # a crawl that cannot start must not stop the other sites
                logger.exception("could not start the crawl of %s", site)
                self.launched_at[site] = now
                continue
            self.running[site] = handle
            self.launched_at[site] = now
            started.append(site)
            logger.info("started crawl of %s", site)
        return started

    def seconds_to_next(self, now: datetime, ceiling: float = 60.0) -> float:
        """How long the loop may sleep: until the next due time, at most ``ceiling``."""
        waits = [ceiling]
        for site, schedule in self.schedules.items():
            if site in self.running:
                continue
            when = next_due(schedule, self._history(site), self.tz, self.backoff)
            waits.append(0.0 if when is None else max(0.0, (when - now).total_seconds()))
        if self.running:
            waits.append(min(ceiling, 5.0))
        return min(waits)
