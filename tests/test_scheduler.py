"""The scheduler with a fake clock and a fake launcher: the right crawls at the right times."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from crawler.crawlstate.scheduling import Backoff, Scheduler, SiteHistory, is_due, next_due

SHANGHAI = ZoneInfo("Asia/Shanghai")
START = datetime(2026, 3, 2, 0, 0, tzinfo=SHANGHAI)  # a Monday, midnight in Shanghai


@dataclass
class FakeCrawl:
    ends_at: datetime
    clock: FakeClock
    code: int = 0

    def poll(self) -> int | None:
        return self.code if self.clock.now >= self.ends_at else None


@dataclass
class FakeClock:
    now: datetime = START

    def __call__(self) -> datetime:
        return self.now


@dataclass
class FakeLauncher:
    clock: FakeClock
    durations: dict[str, timedelta]
    codes: dict[str, int] = field(default_factory=dict)
    broken: set[str] = field(default_factory=set)
    started: list[tuple[str, datetime]] = field(default_factory=list)

    def __call__(self, site: str) -> FakeCrawl:
        self.started.append((site, self.clock.now))
        if site in self.broken:
            raise OSError("cannot start scrapy")
        return FakeCrawl(self.clock.now + self.durations.get(site, timedelta(minutes=1)), self.clock,
                         self.codes.get(site, 0))  # fmt: skip


def run_for(scheduler: Scheduler, clock: FakeClock, span: timedelta, step: timedelta = timedelta(minutes=1)) -> None:
    end = clock.now + span
    while clock.now < end:
        scheduler.tick()
        clock.now += step


def make(schedules: dict[str, str], launcher: FakeLauncher, clock: FakeClock, **kwargs: object) -> Scheduler:
    return Scheduler(
        schedules,
        launch=launcher,
        history=lambda site: SiteHistory(),
        clock=clock,
        tz=SHANGHAI,
        **kwargs,  # type: ignore[arg-type]
    )


def starts(launcher: FakeLauncher, site: str) -> list[str]:
    return [when.strftime("%a %H:%M") for name, when in launcher.started if name == site]


def test_each_site_starts_on_its_schedule() -> None:
    clock = FakeClock()
    launcher = FakeLauncher(clock, {})
    scheduler = make({"gov": "15 8-18/4 * * 1-5", "news": "0 */6 * * *"}, launcher, clock, max_parallel=4)
    run_for(scheduler, clock, timedelta(days=1))
    # Never crawled: due at once; then on every cron time after the last start.
    assert starts(launcher, "gov") == ["Mon 00:00", "Mon 08:15", "Mon 12:15", "Mon 16:15"]
    assert starts(launcher, "news") == ["Mon 00:00", "Mon 06:00", "Mon 12:00", "Mon 18:00"]


def test_weekend_schedule_skips_to_monday() -> None:
    clock = FakeClock(datetime(2026, 3, 6, 19, 0, tzinfo=SHANGHAI))  # Friday evening
    launcher = FakeLauncher(clock, {})
    scheduler = make({"gov": "15 8-18/4 * * 1-5"}, launcher, clock)
    run_for(scheduler, clock, timedelta(days=2, hours=14), step=timedelta(minutes=5))
    assert starts(launcher, "gov") == ["Fri 19:00", "Mon 08:15"]


def test_never_two_crawls_of_one_site_at_once() -> None:
    clock = FakeClock()
    launcher = FakeLauncher(clock, {"slow": timedelta(minutes=95)})
    scheduler = make({"slow": "*/30 * * * *"}, launcher, clock)
    run_for(scheduler, clock, timedelta(hours=4))
    # The crawl outlasts three cron times; the next starts when it ended (due since 00:30).
    assert starts(launcher, "slow") == ["Mon 00:00", "Mon 01:35", "Mon 03:10"]
    assert [site for site, _ in scheduler.finished] == ["slow", "slow"]


def test_failing_crawls_do_not_stop_the_scheduler() -> None:
    clock = FakeClock()
    launcher = FakeLauncher(clock, {}, codes={"bad": 1}, broken={"broken"})
    scheduler = make({"bad": "0 * * * *", "broken": "0 * * * *", "good": "0 * * * *"}, launcher, clock, max_parallel=3)
    run_for(scheduler, clock, timedelta(hours=3))
    for site in ("bad", "broken", "good"):
        assert starts(launcher, site) == ["Mon 00:00", "Mon 01:00", "Mon 02:00"], site
    assert ("bad", 1) in scheduler.finished
    assert ("good", 0) in scheduler.finished


def test_parallel_limit_queues_due_sites() -> None:
    clock = FakeClock()
    launcher = FakeLauncher(clock, {"a": timedelta(minutes=10), "b": timedelta(minutes=10), "c": timedelta(minutes=10)})
    scheduler = make({"a": "0 0 * * *", "b": "0 0 * * *", "c": "0 0 * * *"}, launcher, clock, max_parallel=2)
    run_for(scheduler, clock, timedelta(minutes=30))
    assert [(site, when.strftime("%H:%M")) for site, when in launcher.started] == [
        ("a", "00:00"), ("b", "00:00"), ("c", "00:10"),
    ]  # fmt: skip


def test_history_from_the_database_keeps_the_rhythm_after_a_restart() -> None:
    clock = FakeClock(datetime(2026, 3, 2, 10, 0, tzinfo=SHANGHAI))
    launcher = FakeLauncher(clock, {})
    last = datetime(2026, 3, 2, 9, 0, tzinfo=SHANGHAI).astimezone(UTC)
    scheduler = Scheduler({"gov": "0 */2 * * *"}, launch=launcher, history=lambda site: SiteHistory(last),
                          clock=clock, tz=SHANGHAI)  # fmt: skip
    run_for(scheduler, clock, timedelta(hours=3))
    assert starts(launcher, "gov") == ["Mon 10:00", "Mon 12:00"]


@pytest.mark.parametrize(
    ("streak", "due_at"),
    [(0, "2026-03-02 10:00"), (1, "2026-03-02 15:00"), (2, "2026-03-02 21:00"), (9, "2026-03-09 09:00")],
)
def test_blocked_sites_back_off(streak: int, due_at: str) -> None:
    history = SiteHistory(datetime(2026, 3, 2, 9, 0, tzinfo=SHANGHAI), streak)
    backoff = Backoff(base=timedelta(hours=6), cap=timedelta(days=7))
    due = next_due("0 * * * *", history, SHANGHAI, backoff)
    assert due is not None
    assert due.strftime("%Y-%m-%d %H:%M") == due_at
    assert not is_due("0 * * * *", history, due - timedelta(minutes=1), SHANGHAI, backoff)
    assert is_due("0 * * * *", history, due, SHANGHAI, backoff)
