"""The one date parser: date forms -> ISO 8601 (+08:00), relative forms against the fetch time."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from pipelines.fields.dates import (
    BEIJING,
    absolute_date,
    as_printed_local,
    fetch_time,
    is_plausible,
    parsed_date,
    url_date,
)

FETCHED = "2024-06-01T12:00:00+08:00"


@pytest.mark.parametrize(
    ("text", "iso", "raw"),
    [
        ("2022-05-20 10:30", "2022-05-20T10:30:00+08:00", "2022-05-20 10:30"),
        ("发布时间：2022-05-20 10:30:15", "2022-05-20T10:30:15+08:00", "2022-05-20 10:30:15"),
        ("2022/5/20", "2022-05-20T00:00:00+08:00", "2022/5/20"),
        ("2022.05.20", "2022-05-20T00:00:00+08:00", "2022.05.20"),
        ("2022年5月20日", "2022-05-20T00:00:00+08:00", "2022年5月20日"),
        ("2022年05月20日10:30", "2022-05-20T10:30:00+08:00", "2022年05月20日10:30"),
        ("2022年05月20日 10时30分", "2022-05-20T10:30:00+08:00", "2022年05月20日 10时30分"),
        ("二〇二二年五月二十日", "2022-05-20T00:00:00+08:00", "二〇二二年五月二十日"),
        ("二〇二一年十二月三十一日", "2021-12-31T00:00:00+08:00", "二〇二一年十二月三十一日"),
        ("２０２２年５月２０日", "2022-05-20T00:00:00+08:00", "２０２２年５月２０日"),
        ("出版時間：2016/05/21 11:44", "2016-05-21T11:44:00+08:00", "2016/05/21 11:44"),
        ("2019-12-10T07:57:40Z", "2019-12-10T15:57:40+08:00", "2019-12-10T07:57:40Z"),
        ("2023-11-17T15:13:00+08:00", "2023-11-17T15:13:00+08:00", "2023-11-17T15:13:00+08:00"),
    ],
)
def test_absolute_forms(text: str, iso: str, raw: str) -> None:
    found = parsed_date(text, fetch_time(FETCHED))
    assert found is not None
    assert (found.iso(), found.raw) == (iso, raw)


@pytest.mark.parametrize(
    ("text", "iso"),
    [
        ("刚刚", "2024-06-01T12:00:00+08:00"),
        ("30分钟前", "2024-06-01T11:30:00+08:00"),
        ("3小时前", "2024-06-01T09:00:00+08:00"),
        ("2天前", "2024-05-30T00:00:00+08:00"),
        ("昨天 10:20", "2024-05-31T10:20:00+08:00"),
        ("前天 08:05", "2024-05-30T08:05:00+08:00"),
        ("今天 07:00", "2024-06-01T07:00:00+08:00"),
        ("9个月前 (09-24)", "2023-09-24T00:00:00+08:00"),
        ("05-20 10:30", "2024-05-20T10:30:00+08:00"),
        ("12-30 10:30", "2023-12-30T10:30:00+08:00"),
    ],
)
def test_relative_forms_use_fetch_time(text: str, iso: str) -> None:
    found = parsed_date(text, fetch_time(FETCHED))
    assert found is not None
    assert found.iso() == iso


def test_relative_form_without_fetch_time_is_none() -> None:
    assert parsed_date("3小时前", None) is None


def test_fetch_time_in_utc_is_converted() -> None:
    found = parsed_date("昨天 23:30", fetch_time("2024-06-01T17:00:00+00:00"))
    assert found is not None
    assert found.iso() == "2024-06-01T23:30:00+08:00"


@pytest.mark.parametrize(
    ("url", "day", "rule"),
    [
        ("http://fgw.zj.gov.cn/art/2016/11/22/art_1621004_30332664.html", "2016-11-22", "url /art/Y/M/D/"),
        ("http://www.cmse.gov.cn/ztbd/xwfbh/201206/t20120624_43188.html", "2012-06-24", "url /tYYYYMMDD_"),
        ("http://www.news.cn/world/2022-05/20/c_1128665023.htm", "2022-05-20", "url /YYYY-MM/DD/"),
        ("http://finance.people.com.cn/n1/2024/0510/c1004-40232587.html", "2024-05-10", "url /YYYY/MMDD/"),
        ("https://news.sina.com.cn/c/2019-10-23/doc-iicezuev4202091.shtml", "2019-10-23", "url /YYYY-MM-DD/"),
        ("https://china.chinadaily.com.cn/a/202311/17/WS65571297.html", "2023-11-17", "url /YYYYMM/DD/"),
    ],
)
def test_url_patterns(url: str, day: str, rule: str) -> None:
    found = url_date(url)
    assert found is not None
    assert (found[0].iso()[:10], found[1]) == (day, rule)


def test_url_without_date() -> None:
    assert url_date("https://udn.com/news/story/7315/3004543") is None


@pytest.mark.parametrize(
    ("text", "plausible"), [("2024-06-02 11:00", True), ("2024-06-05", False), ("1989-12-31", False)]
)
def test_plausible_publication_times(text: str, plausible: bool) -> None:
    found = parsed_date(text, None)
    assert found is not None
    assert is_plausible(found.value, fetch_time(FETCHED)) is plausible


REFERENCE = datetime(2024, 5, 1, 10, 0, tzinfo=BEIJING)


# The dates enrichment reads after a time label (时间:2023-06-03 浏览:182): absolute forms only,
# rejected when not plausible against the fetch time. The raw value is the date as printed,
# full-width digits kept, and a day within the one day of clock skew is plausible: both were
# otherwise when enrichment had a date parser of its own (raw NFKC'd, no skew).
@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2023-06-03", ("2023-06-03T00:00:00+08:00", "2023-06-03")),
        ("2023年6月3日 10:30", ("2023-06-03T10:30:00+08:00", "2023年6月3日 10:30")),
        ("2019-12-10 07:57:40", ("2019-12-10T07:57:40+08:00", "2019-12-10 07:57:40")),
        ("2023/06/03", ("2023-06-03T00:00:00+08:00", "2023/06/03")),
        ("２０２３－０６－０３", ("2023-06-03T00:00:00+08:00", "２０２３－０６－０３")),
        ("2024-05-03", None),
        ("2023-02-30", None),
        ("昨天 10:20", None),
    ],
)
def test_label_dates(value: str, expected: tuple[str, str] | None) -> None:
    found = absolute_date(value)
    plausible = found if found is not None and is_plausible(found.value, REFERENCE) else None
    assert ((plausible.iso(), plausible.raw) if plausible else None) == expected


@pytest.mark.parametrize(
    ("fetched_at", "expected"),
    [
        ("2024-05-01T02:00:00+00:00", datetime(2024, 5, 1, 2, 0, tzinfo=UTC)),
        ("2024-05-01T02:00:00Z", datetime(2024, 5, 1, 2, 0, tzinfo=UTC)),
        ("2024-05-01T10:00:00", REFERENCE),
        ("yesterday", None),
        (None, None),
    ],
)
def test_fetch_time(fetched_at: str | None, expected: datetime | None) -> None:
    assert fetch_time(fetched_at) == expected


@pytest.mark.parametrize(
    ("text", "iso", "precision", "offset"),
    [
        ("2024-05-10", "2024-05-10T00:00:00+08:00", "day", None),
        ("2024年5月10日", "2024-05-10T00:00:00+08:00", "day", None),
        ("二〇二四年五月十日", "2024-05-10T00:00:00+08:00", "day", None),
        ("2024-05-10 09:30", "2024-05-10T09:30:00+08:00", "minute", None),
        ("2024-05-10 09:30:15", "2024-05-10T09:30:15+08:00", "second", None),
        ("2024年5月10日 9时", "2024-05-10T09:00:00+08:00", "minute", None),
        ("2019-12-10T07:57:40Z", "2019-12-10T15:57:40+08:00", "second", "+00:00"),
        ("2023-11-17T15:13:00+0800", "2023-11-17T15:13:00+08:00", "second", "+08:00"),
        ("2023-11-17T15:13:00-05:00", "2023-11-18T04:13:00+08:00", "second", "-05:00"),
        # An offset only follows a time: "-23:59" after a bare date is the time, misprinted.
        ("2007-03-05-23:59:59", "2007-03-05T00:00:00+08:00", "day", None),
    ],
)
def test_precision_and_printed_offset(text: str, iso: str, precision: str, offset: str | None) -> None:
    found = absolute_date(text)
    assert found is not None
    assert (found.iso(), found.precision, found.offset) == (iso, precision, offset)


@pytest.mark.parametrize(
    ("text", "iso"),
    [
        ("2024-05-10 下午10:35", "2024-05-10T22:35:00+08:00"),
        ("2024-05-10 上午9:05", "2024-05-10T09:05:00+08:00"),
        ("2024年5月10日 上午9时", "2024-05-10T09:00:00+08:00"),
        ("2024年5月10日下午3点20分", "2024-05-10T15:20:00+08:00"),
        ("2024-05-10 晚上8:00", "2024-05-10T20:00:00+08:00"),
        ("2024-05-10 中午12:30", "2024-05-10T12:30:00+08:00"),
        ("2024-05-10 中午1:30", "2024-05-10T13:30:00+08:00"),
        ("2024-05-10 凌晨12:10", "2024-05-10T00:10:00+08:00"),
        ("2024-05-10 下午12:10", "2024-05-10T12:10:00+08:00"),
        ("2024-05-10 10:35 PM", "2024-05-10T22:35:00+08:00"),
        ("2024-05-10 12:05 a.m.", "2024-05-10T00:05:00+08:00"),
        # A redundant marker before a 24-hour reading changes nothing.
        ("2024-05-10 下午15:00", "2024-05-10T15:00:00+08:00"),
    ],
)
def test_twelve_hour_clock(text: str, iso: str) -> None:
    found = absolute_date(text)
    assert found is not None
    assert (found.iso(), found.precision) == (iso, "minute")


@pytest.mark.parametrize(
    ("text", "iso", "precision"),
    [
        ("刚刚", "2024-06-01T12:00:00+08:00", "minute"),
        ("30分钟前", "2024-06-01T11:30:00+08:00", "minute"),
        ("3小时前", "2024-06-01T09:00:00+08:00", "hour"),
        ("2天前", "2024-05-30T00:00:00+08:00", "day"),
        ("昨天 下午3:20", "2024-05-31T15:20:00+08:00", "minute"),
        ("昨天", "2024-05-31T00:00:00+08:00", "day"),
    ],
)
def test_relative_precision(text: str, iso: str, precision: str) -> None:
    found = parsed_date(text, fetch_time(FETCHED))
    assert found is not None
    assert (found.iso(), found.precision) == (iso, precision)


# Issue 14: English and mixed forms farm templates and foreign-run sites print.
@pytest.mark.parametrize(
    ("text", "iso", "precision", "raw"),
    [
        ("十一月 6th, 2009", "2009-11-06T00:00:00+08:00", "day", "十一月 6th, 2009"),
        ("Dec 28 2013 00:28", "2013-12-28T00:28:00+08:00", "minute", "Dec 28 2013 00:28"),
        ("December 28, 2013 10:05 PM", "2013-12-28T22:05:00+08:00", "minute", "December 28, 2013 10:05 PM"),
        ("Posted on March 3rd, 2015 at 9:30 am", "2015-03-03T09:30:00+08:00", "minute", "March 3rd, 2015 at 9:30 am"),
        ("28 Dec 2013", "2013-12-28T00:00:00+08:00", "day", "28 Dec 2013"),
        ("Sat, 28 Dec 2013 00:28:00 GMT", "2013-12-28T08:28:00+08:00", "second", "28 Dec 2013 00:28:00 GMT"),
        ("五月 12, 2009", "2009-05-12T00:00:00+08:00", "day", "五月 12, 2009"),
        # A date badge: the day printed apart from the year and month, as its parts are joined.
        ("28 2013-12", "2013-12-28T00:00:00+08:00", "day", "28 2013-12"),
        ("2013.12 | 28", "2013-12-28T00:00:00+08:00", "day", "2013.12 | 28"),
        ("2013年12月 28", "2013-12-28T00:00:00+08:00", "day", "2013年12月 28"),
        ("282013-12", "2013-12-28T00:00:00+08:00", "day", "282013-12"),  # <span>28</span><span>2013-12</span>
        ("12-28 2013", "2013-12-28T00:00:00+08:00", "day", "12-28 2013"),
        ("2013 12月28日", "2013-12-28T00:00:00+08:00", "day", "2013 12月28日"),
    ],
)
def test_month_names_and_badges(text: str, iso: str, precision: str, raw: str) -> None:
    found = absolute_date(text)
    assert found is not None
    assert (found.iso(), found.precision, found.raw) == (iso, precision, raw)


@pytest.mark.parametrize(
    "text",
    ["March 2019", "共28 2013-12", "第28 2013-12期", "Decimal 28 2013", "十一月6日", "8 of 2013", "Oct 2019 12:00"],
)
def test_not_month_named_dates(text: str) -> None:
    assert absolute_date(text) is None


@pytest.mark.parametrize(
    ("text", "local"),
    [
        ("2019-12-10T07:57:40Z", "2019-12-10T07:57:40+08:00"),
        ("2019-12-10T23:30:00+00:00", "2019-12-10T23:30:00+08:00"),
        ("2019-12-10 07:57", "2019-12-10T07:57:00+08:00"),
    ],
)
def test_clock_reading_as_local_time(text: str, local: str) -> None:
    found = absolute_date(text)
    assert found is not None
    read = as_printed_local(found)
    assert (read.iso(), read.offset, read.precision) == (local, None, found.precision)


@pytest.mark.parametrize(
    ("text", "plausible"),
    [
        ("2024-06-01 13:59", True),  # within the slack after the fetch (12:00)
        ("2024-06-01 14:30", False),  # a clock widget's time, after the fetch
        ("2024-06-02", True),  # a day alone keeps one day of slack
    ],
)
def test_a_time_after_the_fetch_is_no_publication_time(text: str, plausible: bool) -> None:
    found = absolute_date(text)
    assert found is not None
    assert is_plausible(found.value, fetch_time(FETCHED), timed=found.has_time) is plausible
