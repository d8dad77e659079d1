"""Which date on a page is the publication time: by where it sits, then cross-checked.

Each case is a page shaped like the templates issue 14 reported (a clock widget, a related list
in the header, JSON-LD, ``<time datetime>``, a ``Z`` meta time that is local …), read by the
whole extraction so that the header, the meta tags and the table are found as on real pages.
"""

from __future__ import annotations

import json

import pytest

from pipelines.extract.article import extract_fields

FETCHED = "2024-06-01T12:00:00+08:00"
URL = "https://news.example.cn/a/12345.html"
TEXT = (
    "<p>本市今天召开科技创新大会，会议部署了下一阶段的重点工作。</p>"
    "<p>会议表彰了一批先进单位和个人，并对下一步工作提出要求。</p>"
)


def page(header: str = "", head: str = "", before: str = "", after: str = "", text: str = TEXT) -> str:
    """A news page: ``before`` the heading (masthead), ``header`` between it and the text."""
    return (
        f"<html><head><title>科技创新大会召开_新闻中心_示例网</title>{head}</head><body>"
        f"<div class='top'>{before}</div><h1>科技创新大会召开</h1>{header}"
        f"<div class='content'>{text}</div>{after}</body></html>"
    )


def published(html: str, url: str = URL) -> tuple[str | None, str | None, str]:
    found = extract_fields(html, url, FETCHED)
    return found.published, found.published_precision, found.provenance["published"].rule


RELATED = "".join(
    f"<li><a href='/a/{n}.html'>关于开展第{n}批示范项目申报工作的通知</a><span>2021-03-0{n}</span></li>"
    for n in range(1, 5)
)


HEADER_CASES = {
    # A masthead clock above the heading is not the article's date.
    "masthead-clock": (page("<div>发布时间：2024-05-20 10:30</div>", before="2024年6月1日 星期六"), "2024-05-20T10:30"),
    # "Today is …" and a lunar-calendar date are widgets wherever they stand.
    "today-is": (
        page("<div>今天是：2024年6月1日 星期六</div><div>2024-05-20 10:30 来源：新华网</div>"),
        "2024-05-20T10:30",
    ),
    "lunar-calendar": (page("<div>2024-06-01 农历四月廿五</div><div>2024-05-20</div>"), "2024-05-20T00:00"),
    # A related list between the heading and the text: its dates are other articles'.
    "related-list": (page(f"<ul class='list'>{RELATED}</ul><div>2024-05-20 10:30</div>"), "2024-05-20T10:30"),
    # A time after the fetch is a clock's (the fetch was at 12:00).
    "after-fetch": (page("<div>2024-06-01 18:20:33</div><div>发布时间：2024-05-20 10:30</div>"), "2024-05-20T10:30"),
    # The date as <time datetime>, its text without the year.
    "time-element": (page("<div><time datetime='2024-05-20T10:30:00+08:00'>5月20日</time></div>"), "2024-05-20T10:30"),
    # A date badge: day and month apart.
    "badge": (page("<div class='date'><span class='d'>20</span><p class='ym'>2024-05</p></div>"), "2024-05-20T00:00"),
    # English and mixed forms.
    "mixed-month-name": (page("<div>Posted on 五月 20th, 2024</div>"), "2024-05-20T00:00"),
    "english": (page("<div>May 20 2024 10:30</div>"), "2024-05-20T10:30"),
}


@pytest.mark.parametrize(("html", "expected"), HEADER_CASES.values(), ids=HEADER_CASES.keys())
def test_header_dates(html: str, expected: str) -> None:
    assert published(html)[0] == f"{expected}:00+08:00"


def test_a_date_with_a_weekday_alone_yields_to_the_meta_time() -> None:
    # 2017年11月21日 星期二 on mof.gov.cn is today's date in the masthead, read when the
    # heading was not found; the meta tag names the article's day.
    html = page("<div>2017年11月21日 星期二</div>", head="<meta name='PubDate' content='2019-04-01 09:30'>")
    assert published(html)[:2] == ("2019-04-01T09:30:00+08:00", "minute")
    assert published(page("<div>2024年5月20日 星期一</div>"))[0] == "2024-05-20T00:00:00+08:00"


def test_a_heading_over_two_paragraphs_anchors_the_header() -> None:
    html = (
        "<html><head><title>国家自然科学基金委员会 财政部关于进一步完善科学基金项目和资金管理的通知</title></head>"
        "<body><div>2017年11月21日 星期二</div><div class='title'><p>国家自然科学基金委员会 财政部</p>"
        f"<p>关于进一步完善科学基金项目和资金管理的通知</p></div><div class='TRS_Editor'>{TEXT}</div>"
        "<div>发布日期: 2019年04月01日</div></body></html>"
    )
    assert published(html)[:2] == ("2019-04-01T00:00:00+08:00", "day")


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        ({"@type": "NewsArticle", "headline": "科技创新大会召开", "datePublished": "2024-05-20T10:30:00+08:00"}, True),
        ({"@graph": [{"@type": "NewsArticle", "datePublished": "2024-05-20T10:30:00+08:00"}]}, True),
        # A template left stale: another headline.
        ({"@type": "NewsArticle", "headline": "模板默认标题", "datePublished": "2019-01-01T08:00:00+08:00"}, False),
    ],
)
def test_json_ld_is_read_before_scripts_are_dropped(data: dict[str, object], expected: bool) -> None:
    script = f"<script type='application/ld+json'>{json.dumps(data, ensure_ascii=False)}</script>"
    found, _, rule = published(page(head=script))
    assert (found == "2024-05-20T10:30:00+08:00", rule == "json-ld datePublished") == (expected, expected)


def test_a_table_day_takes_the_time_of_the_meta_tag() -> None:
    table = "<table><tr><td>索引号：PZ00101-3000-2012-00006</td><td>发布日期：2012-03-02</td></tr></table>"
    found = published(page(table, head="<meta name='PubDate' content='2012-03-02 08:00'>"))
    assert found == ("2012-03-02T08:00:00+08:00", "minute", "gov_meta 发布日期 + time of meta PubDate")


def test_a_midnight_meta_time_is_a_day() -> None:
    found = published(page(head="<meta name='PubDate' content='2019-04-01 00:00:00'>"))
    assert found[:2] == ("2019-04-01T00:00:00+08:00", "day")


def test_a_z_meta_time_that_the_page_shows_is_local() -> None:
    head = "<meta property='article:published_time' content='2024-05-20T10:30:00Z'>"
    shown = "<div class='foot'>发布时间：2024-05-20 10:30</div>"
    found, _, rule = published(page(head=head, after=shown))
    assert (found, rule) == ("2024-05-20T10:30:00+08:00", "meta article:published_time (Z read as local time)")
    # Without a visible reading the Z is taken at its word.
    assert published(page(head=head))[0] == "2024-05-20T18:30:00+08:00"


def test_generated_date_is_the_last_fallback() -> None:
    table = "<table><tr><td>索引号：PZ00101-3000-2012-00006</td><td>生成日期：2012-03-05</td></tr></table>"
    assert published(page(table))[::2] == ("2012-03-05T00:00:00+08:00", "gov_meta 生成日期")
    url = "https://www.example.gov.cn/art/2012/3/2/art_1_2.html"
    assert published(page(table), url)[::2] == ("2012-03-02T00:00:00+08:00", "url /art/Y/M/D/")


def test_a_dateline_at_the_top_of_the_text() -> None:
    text = "<p>2024-05-20 10:30 来源：新华网</p>" + TEXT
    assert published(page(text=text)) == ("2024-05-20T10:30:00+08:00", "minute", "body dateline")
    # A date alone under the issuer's name is the document's own, not the publication's.
    document = "<p>宜春市统计局</p><p>（2024年4月12日）</p>" + TEXT
    assert published(page(text=document), "https://www.example.gov.cn/art/2024/4/18/art_1_2.html")[0] == (
        "2024-04-18T00:00:00+08:00"
    )
