"""``scrapy schedule`` says what it waits for: each site's next run at start, and again after
each crawl of it."""

from __future__ import annotations

import logging
from datetime import timedelta

import pytest

from crawler.crawlstate.scheduling import SiteHistory
from tests.test_scheduler import SHANGHAI, START, FakeClock, FakeLauncher, make, run_for


def test_the_next_run_of_a_site_is_logged_after_its_crawl(caplog: pytest.LogCaptureFixture) -> None:
    clock = FakeClock()
    launcher = FakeLauncher(clock, {"gov": timedelta(minutes=5)})
    scheduler = make({"gov": "0 */6 * * *"}, launcher, clock)
    scheduler.history = lambda site: SiteHistory(scheduler.launched_at.get(site))  # as crawl_runs would say
    with caplog.at_level(logging.INFO, logger="crawler.crawlstate.scheduling"):
        run_for(scheduler, clock, timedelta(minutes=10))
    assert "next crawl of gov: 2026-03-02 06:00 CST" in caplog.text


def test_a_site_never_crawled_is_due_now() -> None:
    clock = FakeClock()
    scheduler = make({"news": "30 8 * * *"}, FakeLauncher(clock, {}), clock)
    assert scheduler.next_run("news") is None
    scheduler.history = lambda site: SiteHistory(START)
    assert scheduler.next_run("news") == START.replace(hour=8, minute=30).astimezone(SHANGHAI)
