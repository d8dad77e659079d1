"""Which 来源 and which authors a page gives, among its header, body and tail lines.

Pages shaped like the ones issue 14 reported: the site's own name in ``ContentSource`` or after
the date, a weekday after the date, a value running into the next link, an outlet in the author
slot, a layout block named ``author``, the disclosure table against an invisible meta tag.
"""

from __future__ import annotations

import pytest

from pipelines.extract.article import extract_fields

FETCHED = "2024-06-01T12:00:00+08:00"
URL = "https://news.example.cn/a/12345.html"
TEXT = (
    "<p>本市今天召开科技创新大会，会议部署了下一阶段的重点工作。</p>"
    "<p>会议表彰了一批先进单位和个人，并对下一步工作提出要求。</p>"
)


def page(header: str = "", head: str = "", after: str = "", text: str = TEXT) -> str:
    return (
        f"<html><head><title>科技创新大会召开_新闻中心_示例网</title>{head}</head><body>"
        f"<h1>科技创新大会召开</h1>{header}<div class='content'>{text}</div>{after}</body></html>"
    )


def fields(html: str) -> tuple[str | None, str | None, str, str]:
    found = extract_fields(html, URL, FETCHED)
    rules = found.provenance
    return found.source_name, found.author, rules["source_name"].rule, rules["author"].rule


SOURCES = {
    # The site's own name is no 来源 where no label says so.
    "site-name-meta": (page(head="<meta name='ContentSource' content='示例网'>"), None),
    "site-name-meta-og": (
        page(head="<meta property='og:site_name' content='平潭网'><meta name='source' content='平潭网'>"),
        None,
    ),
    "other-meta": (page(head="<meta name='ContentSource' content='新华社'>"), "新华社"),
    "farm-name-after-date": (page("<div>2024-05-20 10:30 示例网</div>"), None),
    "outlet-after-site-name": (page("<div>2024-05-20 10:30 示例网 环球网</div>"), "环球网"),
    "weekday-after-date": (page("<div>2024年5月20日 星期一</div>"), None),
    "weekday-then-outlet": (page("<div>2024年5月20日 星期一 环球网</div>"), "环球网"),
    "city-after-date": (page("<div>2024年5月20日 北京</div>"), None),
    "person-after-date": (page("<div>2024-05-20 10:30 王卫东</div>"), None),
    "outlet-after-time-element": (page("<div><time datetime='2024-05-20'>5月20日</time> 环球网</div>"), "环球网"),
    # A label's value ends where the next link starts.
    "value-into-link": (page("<div>来源：<a href='/'>新华网</a><a href='#'>打印本页</a></div>"), "新华网"),
    "outlet-in-title-marks": (page("<div>来源：《学习时报》 2024-05-20</div>"), "学习时报"),
    "outlet-in-author-slot": (page("<div>作者：新华社 2024-05-20</div>"), "新华社"),
    # The table's 发布机构 is printed; the meta tag is not.
    "visible-issuer-before-meta": (
        page(
            "<table><tr><td>索引号：014717475N/2023-0040295</td><td>发布机构：宜春市统计局</td></tr></table>",
            head="<meta name='ContentSource' content='宜春市人民政府办公室'>",
        ),
        "宜春市统计局",
    ),
    # A printed label is the page's word, even when it names the site.
    "labelled-site-name": (page("<div>来源：示例网</div>"), "示例网"),
    "pinyin-named-element": (page("<div><span class='laiyuan'>中国青年报</span></div>"), "中国青年报"),
}


@pytest.mark.parametrize(("html", "expected"), SOURCES.values(), ids=SOURCES.keys())
def test_source_name(html: str, expected: str | None) -> None:
    assert fields(html)[0] == expected


AUTHORS = {
    "layout-div-named-author": (page(after="<div class='author'>相关文章</div>"), None),
    "element-named-author": (page(after="<span id='author_baidu'>王帆</span>"), "王帆"),
    "pinyin-named-author": (page(after="<span class='zuozhe'>作者：王帆</span>"), "王帆"),
    "organization-in-author-slot": (page("<div>作者：国家统计局</div>"), None),
    "wire-agency-in-author-slot": (page("<div>作者：新华社</div>"), None),
    "place-in-author-element": (page(after="<span class='author'>平潭</span>"), None),
    "label-word-before-text": (page(after="<ul><li>文字解读</li><li>图片解读</li></ul>"), None),
    "caixie": (page("<div>采写：王卫东 2024-05-20</div>"), "王卫东"),
    "closing-name": (page(text=TEXT + "<p>会议还部署了防汛工作。（王卫东）</p>"), "王卫东"),
    "dateline-name": (
        page(text="<p>中新社北京5月20日电 (白志斌)本市今天召开科技创新大会，会议部署了工作。</p>"),
        "白志斌",
    ),
}


@pytest.mark.parametrize(("html", "expected"), AUTHORS.values(), ids=AUTHORS.keys())
def test_author(html: str, expected: str | None) -> None:
    assert fields(html)[1] == expected
