"""The local-day rule: the site config's zone, else DISPLAY_TIMEZONE; date-only values keep their date."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from scrapy.settings import Settings

from crawler.siteconfig import SiteConfigError, load_site
from crawler.timezones import LocalTime, day_start
from tests.test_siteconfig import MINIMAL, write


def settings_for(sites: Path, display: str = "Asia/Shanghai") -> Settings:
    return Settings({"SITES_DIR": str(sites), "DISPLAY_TIMEZONE": display})


def test_zones_come_from_site_configs_by_id_and_host(tmp_path: Path) -> None:
    write(tmp_path, "hk_site", MINIMAL.replace("kjj.example.gov.cn", "www.hk.example") + 'timezone = "UTC"\n')
    write(tmp_path, "plain", MINIMAL)
    write(tmp_path, "broken", "kind = 3\n")  # left out with a warning, not fatal
    local_time = LocalTime.from_settings(settings_for(tmp_path, display="Asia/Tokyo"))
    assert local_time.zone("hk_site") == ZoneInfo("UTC")
    assert local_time.zone("www.hk.example") == ZoneInfo("UTC")  # a replayed page of that host
    assert local_time.zone("plain") == ZoneInfo("Asia/Tokyo")  # no timezone key: DISPLAY_TIMEZONE
    assert local_time.zone("local") == ZoneInfo("Asia/Tokyo")


def test_a_bad_timezone_names_the_key(tmp_path: Path) -> None:
    path = write(tmp_path, "bad", MINIMAL + 'timezone = "Mars/Olympus"\n')
    with pytest.raises(SiteConfigError, match="timezone"):
        load_site(path)


@pytest.mark.parametrize(
    ("published", "precision", "day"),
    [
        ("2024-05-10T06:58:00+08:00", "minute", date(2024, 5, 10)),  # 2024-05-09 in UTC
        ("2024-05-09T22:58:00+00:00", "minute", date(2024, 5, 10)),  # printed in UTC, read in Beijing
        ("2024-05-10T00:00:00+08:00", "day", date(2024, 5, 10)),
        (None, None, None),
        ("not a time", "minute", None),
    ],
)
def test_published_day(published: str | None, precision: str | None, day: date | None) -> None:
    assert LocalTime.default().published_day(published, precision, "any") == day


def test_a_date_only_value_keeps_its_printed_date_in_any_zone() -> None:
    utc = LocalTime(ZoneInfo("UTC"))
    assert utc.published_day("2024-05-10T00:00:00+08:00", "day", "any") == date(2024, 5, 10)
    assert utc.published_day("2024-05-10T06:58:00+08:00", "minute", "any") == date(2024, 5, 9)


def test_day_start_is_local_midnight_in_utc() -> None:
    assert day_start(date(2024, 5, 10), ZoneInfo("Asia/Shanghai")) == datetime(2024, 5, 9, 16, tzinfo=UTC)
