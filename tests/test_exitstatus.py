"""The exit code channel: components report to the crawler's ExitStatus, commands read the highest."""

from __future__ import annotations

import pytest
from scrapy import Spider

from crawler.exitcodes import ExitCode
from crawler.extensions.exitstatus import ExitStatus, crawl_exit_code, exit_status
from tests.conftest import project_crawler


@pytest.mark.parametrize(
    ("reported", "expected"),
    [
        ([], ExitCode.OK),
        ([ExitCode.SPOOLED], ExitCode.SPOOLED),
        ([ExitCode.SPOOLED, ExitCode.FAILED], ExitCode.SPOOLED),
        ([ExitCode.FAILED, ExitCode.BUSY, ExitCode.OK], ExitCode.BUSY),
    ],
)
def test_the_highest_reported_code_wins(reported: list[ExitCode], expected: ExitCode) -> None:
    status = ExitStatus()
    for code in reported:
        status.report(code, code.name.lower())
    assert status.code is expected
    assert [code for code, _ in status.reasons] == reported


def test_components_find_the_crawlers_exit_status() -> None:
    crawler = project_crawler(Spider)
    status = exit_status(crawler)
    assert exit_status(crawler) is status  # one per crawler
    status.report(ExitCode.SPOOLED, "3 articles spooled")
    crawler.spider = Spider("probe")
    assert crawl_exit_code(crawler) is ExitCode.SPOOLED


def test_a_crawl_that_never_started_failed() -> None:
    crawler = project_crawler(Spider)
    assert crawler.spider is None  # the spider could not be built (bad arguments, bad config)
    assert crawl_exit_code(crawler) is ExitCode.FAILED


def test_without_the_extension_a_report_fails_loudly() -> None:
    crawler = project_crawler(Spider, {"EXTENSIONS": {"crawler.extensions.exitstatus.ExitStatus": None}})
    with pytest.raises(RuntimeError, match="ExitStatus extension is not enabled"):
        exit_status(crawler)


def test_codes_keep_their_documented_numbers() -> None:
    # cron jobs, systemd units and `scrapy schedule` logs depend on these numbers.
    numbers = {"OK": 0, "FAILED": 1, "SPOOLED": 2, "BUSY": 3, "ALERTS": 4, "INTERRUPTED": 5}
    assert {code.name: int(code) for code in ExitCode} == numbers


def test_a_crawl_stopped_by_a_signal_is_interrupted() -> None:
    status = ExitStatus()
    status.report(ExitCode.SPOOLED, "3 articles spooled")
    status.spider_closed(Spider("probe"), "shutdown")
    assert status.code is ExitCode.INTERRUPTED
