"""Entry streams: comment threads and news lists recognized by their time stamps, not names."""

from __future__ import annotations

import pytest

from pipelines.extract.dom import parsed_document
from pipelines.extract.shapes import entry_streams


def streams_of(inner: str) -> list[str]:
    root = parsed_document(f"<html><body>{inner}</body></html>")
    return sorted(element.get("id") or element.tag for element in entry_streams(root))


def comment(user: str, stamp: str) -> str:
    return f"<div><span>{user}</span><span>{stamp}</span><p>支持，写得很好。</p><span>回复</span></div>"


@pytest.mark.parametrize(
    "inner",
    [
        # A comment thread in neutral markup: entries with a user and a time each.
        "<div id='t'>"
        + comment("网友甲", "2023-06-03 10:20")
        + comment("网友乙", "06-04 08:15")
        + comment("网友丙", "3小时前")
        + "</div>",
        # sina: 10月24日07:20 printed after the comment.
        "<div id='t'>" + "".join(comment(f"用户{n}", f"10月24日07:{n}0") for n in range(3)) + "</div>",
        # udn / xinhuanet: a headline link and its time in each list item.
        "<ul id='t'>" + "".join(f"<li><a href='/{n}'>标题{n}</a> 2018-02-28 22:5{n}</li>" for n in range(4)) + "</ul>",
    ],
    ids=["comment-thread", "month-day-stamps", "news-list"],
)
def test_entry_streams_are_found_by_their_stamps(inner: str) -> None:
    assert streams_of(inner) == ["t"]


@pytest.mark.parametrize(
    "inner",
    [
        # Two entries are not a stream.
        "<div>" + comment("网友甲", "2023-06-03 10:20") + comment("网友乙", "2023-06-03 10:21") + "</div>",
        # A notice's schedule: times inside sentences, in paragraphs.
        "<div>"
        + "".join(
            f"<p>第{n}场：2023-06-0{n} 09:00在区行政服务中心三楼会议室举行，请准时参加。</p>" for n in range(1, 5)
        )
        + "</div>",
        # A schedule table: rows are data, not entries.
        "<table><tbody>"
        + "".join(f"<tr><td>第{n}场</td><td>2023-06-0{n} 09:00</td></tr>" for n in range(1, 5))
        + "</tbody></table>",
        # Dates without a clock time (related lists are link lists anyway).
        "<ul>"
        + "".join(f"<li><a href='/{n}'>标题{n}</a><span>2021-03-0{n}</span></li>" for n in range(1, 5))
        + "</ul>",
    ],
    ids=["two-entries", "schedule-paragraphs", "schedule-table", "dates-only"],
)
def test_lists_that_are_not_entry_streams(inner: str) -> None:
    assert streams_of(inner) == []
