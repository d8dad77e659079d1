"""Hanweb (大汉) column paging helpers: datastore records, the dataproxy form read from a column page, its URL."""

from __future__ import annotations

import pytest

from crawler.cms.hanweb import Datastore, dataproxy_form, dataproxy_url, parse_datastore
from crawler.siteconfig import SHIPPED_SITES_DIR, Dataproxy, find_site

ART = '<li><a href="/art/2024/5/20/art_1229080140_59847436.html">科技厅召开会议</a></li>'


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # A column page: records in CDATA inside <script type="text/xml">, no total.
        (f'<div id="1"><script type="text/xml"><datastore><nextgroup><![CDATA[<a href="/x"></a>]]></nextgroup>'
         f"<recordset><record><![CDATA[{ART}]]></record><record><![CDATA[<li>b</li>]]></record></recordset>"
         "</datastore></script></div>", Datastore([ART, "<li>b</li>"], None)),
        # A dataproxy.jsp answer with its total.
        (f'<?xml version="1.0" encoding="UTF-8"?><datastore><totalrecord>452</totalrecord><recordset>\n'
         f"<record>\n<![CDATA[\n{ART}\n]]>\n</record>\n</recordset></datastore>", Datastore([f"\n{ART}\n"], 452)),
        # Records escaped as XML text instead of CDATA.
        ("<datastore><recordset><record>&lt;a href=&quot;/art/1.html&quot;&gt;t&lt;/a&gt;</record></recordset>"
         "</datastore>", Datastore(['<a href="/art/1.html">t</a>'], None)),
        # Asked past the column's end: a datastore with no records.
        ("<datastore><totalrecord>40</totalrecord><recordset></recordset></datastore>", Datastore([], 40)),
        # Malformed: a truncated answer, a JSP error page, nothing.
        ('<?xml version="1.0"?><datastore><recordset><record><![CDATA[<li><a href="', None),
        ("<html><body><h1>HTTP Status 500 - java.lang.NullPointerException</h1></body></html>", None),
        ("", None),
    ],
)  # fmt: skip
def test_parse_datastore(text: str, expected: Datastore | None) -> None:
    assert parse_datastore(text) == expected


COLUMN_URL = "https://kjt.zj.gov.cn/col/col1229080140/index.html"
SHIPPED = find_site(SHIPPED_SITES_DIR, "kjt_zj").pagination.dataproxy
FIXED = {"col": "1", "appid": "1", "path": "/", "sourceContentType": "1", "permissiontype": "0"}
IDS = {"webid": "3151", "columnid": "1229080140", "unitid": "4990372", "webname": "浙江省科学技术厅"}
JPAGE = (
    "<script>$(document).ready(function(){$('#4990372').jpage({perPage:'15',totalRecord:'452',"
    "proxyUrl:'/module/jpage/dataproxy.jsp',ajaxParam:{col:1,appid:1,webid:'3151',path:'/',"
    "columnid:'1229080140',sourceContentType:'1',unitid:'4990372',webname:'浙江省科学技术厅',permissiontype:0}});});"
    "</script>"
)
NEXTGROUP = (
    '<div id="4990372"><script type="text/xml"><datastore><nextgroup><![CDATA[<a href="/module/jpage/dataproxy.jsp?'
    "page=1&appid=1&webid=3151&path=/&columnid=1229080140&unitid=4990372&webname=%E6%B5%99%E6%B1%9F%E7%9C%81"
    '%E7%A7%91%E5%AD%A6%E6%8A%80%E6%9C%AF%E5%8E%85&permissiontype=0"></a>]]></nextgroup></datastore></script></div>'
)
# Another column linked from the navigation, before the ids: the URL names this column.
NAV = '<div class="nav"><a href="/col/col1229080999/index.html">通知公告</a></div>'


@pytest.mark.parametrize(
    ("markup", "form", "missing"),
    [
        (NAV + JPAGE, {**FIXED, **IDS}, []),
        (NAV + NEXTGROUP, {**FIXED, **IDS}, []),  # URL-encoded webname in the <nextgroup> link
        # Only the datastore's <div id> and the page URL: webname falls back to the form's "".
        (NAV + '<div id="4990372"><script type="text/xml"><datastore></datastore></script></div>'
         "<script>var webid = 3151;</script>",
         {**FIXED, **IDS, "webname": ""}, []),
        ('<ul><li><a href="/art/2024/1/1/art_1_2.html">x</a></li></ul>', {**FIXED, "columnid": "1229080140",
         "webname": ""}, ["webid", "unitid"]),
    ],
)  # fmt: skip
def test_dataproxy_form_from_shipped_base_patterns(markup: str, form: dict[str, str], missing: list[str]) -> None:
    assert dataproxy_form(SHIPPED, markup, COLUMN_URL) == (form, missing)


def test_dataproxy_url() -> None:
    assert dataproxy_url(COLUMN_URL, SHIPPED, 46) == (
        "https://kjt.zj.gov.cn/module/jpage/dataproxy.jsp?startrecord=46&endrecord=90&perpage=15"
    )
    web_module = Dataproxy(url="../../module/web/jpage/dataproxy.jsp?type=1", records=20, per_page=10)
    assert dataproxy_url(COLUMN_URL, web_module, 21) == (
        "https://kjt.zj.gov.cn/module/web/jpage/dataproxy.jsp?type=1&startrecord=21&endrecord=40&perpage=10"
    )
