"""Gov disclosure table (both layouts) and its checks; the 文号 reader is tests/test_fields_docnumber.py."""

from __future__ import annotations

import pytest

from pipelines.extract.dom import parsed_document
from pipelines.extract.govmeta import DisclosureTable, disclosure_metadata, invalid_fields
from pipelines.fields.dates import fetch_time
from pipelines.vocab import load_vocabulary

VOCAB = load_vocabulary().fields

SAME_CELL = """<html><body><table>
<tr><td>索引号：014717475N/2023-0040295</td><td>发布机构：宜春市统计局</td></tr>
<tr><td>成文日期：2023-04-12</td><td>发布日期：2023-04-18</td></tr></table></body></html>"""
ADJACENT = """<html><body><table>
<tr><th>索 引 号</th><td>014717475N/2023-0040295</td><th>发文机关</th><td>宜春市统计局</td></tr>
<tr><th>发文字号</th><td>宜统字〔2023〕3号</td><th>成文日期</th><td>2023-04-12</td></tr></table></body></html>"""
DEFINITION_LIST = """<html><body><dl>
<dd><label><font>索引号：</font></label><div>014717475N/2023-0040295</div></dd>
<dd><label><font>发布机构：</font></label><div>宜春市统计局</div></dd></dl></body></html>"""
RUNNING_TEXT = """<html><body><p>文号是政府文件的编号，发布机构应当规范填写。</p></body></html>"""


@pytest.mark.parametrize(
    ("html", "fields", "layout"),
    [
        (
            SAME_CELL,
            {
                "index_number": "014717475N/2023-0040295",
                "issuer": "宜春市统计局",
                "written_date": "2023-04-12",
                "published_date": "2023-04-18",
            },
            "same cell",
        ),
        (
            ADJACENT,
            {
                "index_number": "014717475N/2023-0040295",
                "issuer": "宜春市统计局",
                "doc_number": "宜统字〔2023〕3号",
                "written_date": "2023-04-12",
            },
            "adjacent cells",
        ),
        # <dd> holds label and value, so it reads as one cell.
        (DEFINITION_LIST, {"index_number": "014717475N/2023-0040295", "issuer": "宜春市统计局"}, "same cell"),
        (RUNNING_TEXT, {}, None),
    ],
)
def test_table_layouts(html: str, fields: dict[str, str], layout: str | None) -> None:
    meta = disclosure_metadata(parsed_document(html), VOCAB)
    assert (meta.fields, meta.layout) == (fields, layout)


def test_missing_fields() -> None:
    meta = disclosure_metadata(parsed_document(SAME_CELL), VOCAB)
    assert meta.missing == ["doc_number"]


@pytest.mark.parametrize(
    ("fields", "invalid"),
    [
        ({"index_number": "014717475N/2023-0040295"}, []),
        ({"index_number": "11330000002482123X/2021-00123"}, []),
        ({"index_number": "第123号"}, ["index_number"]),
        ({"written_date": "2023-04-12", "published_date": "2023-04-18"}, []),
        ({"written_date": "2023-04-20", "published_date": "2023-04-18"}, ["written_date"]),
        ({"published_date": "2025-01-01"}, ["published_date"]),
        ({"published_date": "不详"}, ["published_date"]),
        ({"doc_number": "浙政办发〔2021〕12号"}, []),
        ({"doc_number": "无"}, []),
        ({"doc_number": "见附件"}, ["doc_number"]),
    ],
)
def test_invalid_fields(fields: dict[str, str], invalid: list[str]) -> None:
    found = invalid_fields(DisclosureTable(fields=fields), fetch_time("2024-06-01T00:00:00+08:00"), VOCAB)
    assert [value.field for value in found] == invalid
    assert all(value.value == fields[value.field] and value.reason for value in found)


@pytest.mark.parametrize(
    ("fields", "reason"),
    [
        ({"index_number": "第123号"}, "not_an_index_number"),
        ({"written_date": "2023-04-20", "published_date": "2023-04-18"}, "written_after_published"),
        ({"published_date": "2025-01-01"}, "published_after_fetch"),
        ({"published_date": "不详"}, "unreadable_date"),
        ({"doc_number": "见附件"}, "not_a_doc_number"),
    ],
)
def test_invalid_values_say_why(fields: dict[str, str], reason: str) -> None:
    found = invalid_fields(DisclosureTable(fields=fields), fetch_time("2024-06-01T00:00:00+08:00"), VOCAB)
    assert [value.reason for value in found] == [reason]


# Issue 14: one province's template prints the whole row in one cell; Hanweb's info bar is no table.
ROW_IN_ONE_CELL = """<html><body><div class="meta"><p>索引号：014717475N/2023-0040295 发布机构： 宜春市统计局
发文日期： 2023-04-18 公开方式： 主动公开 分类： 统计公报</p></div></body></html>"""
INFO_BAR = """<html><body><div class="info"><span>发布日期：2024-05-10</span>
<span>浏览次数：<b>12</b></span> <span>信息来源：市科技局</span></div></body></html>"""
HANWEB_TABLE = """<html><body><table><tr><td>索引号</td><td>11330400002578291X/2024-213101</td></tr>
<tr><td>发布机构</td><td>嘉兴市科学技术局</td></tr>
<tr><td colspan="2">发布日期：2024-05-10 浏览次数： 信息来源：市科技局</td></tr></table></body></html>"""
TIME_CELL = """<html><body><dl><dd><label>索引号：</label><div>014717475N/2023-0040295</div></dd>
<dd><label>发文日期：</label><div><time datetime="2023-04-18">4月18日</time></div></dd></dl></body></html>"""


@pytest.mark.parametrize(
    ("html", "fields"),
    [
        (
            ROW_IN_ONE_CELL,
            {
                "index_number": "014717475N/2023-0040295",
                "issuer": "宜春市统计局",
                "issued_date": "2023-04-18",
                "disclosure": "主动公开",
            },
        ),
        (INFO_BAR, {}),
        (
            HANWEB_TABLE,
            {
                "index_number": "11330400002578291X/2024-213101",
                "issuer": "嘉兴市科学技术局",
                "published_date": "2024-05-10",
                "source": "市科技局",
            },
        ),
        (TIME_CELL, {"index_number": "014717475N/2023-0040295", "issued_date": "2023-04-18"}),
    ],
    ids=["row-in-one-cell", "info-bar", "hanweb-table", "time-cell"],
)
def test_values_end_at_the_next_label(html: str, fields: dict[str, str]) -> None:
    assert disclosure_metadata(parsed_document(html), VOCAB).fields == fields
