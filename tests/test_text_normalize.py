from __future__ import annotations

import pytest

from pipelines.text.normalize import join_paragraphs, normalize_line, split_lines


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("ＣＭＯＳ１４ｎｍ", "CMOS14nm"),  # full-width letters and digits to half-width
        ("浙政办发〔2021〕12号（试行）：", "浙政办发〔2021〕12号（试行）："),  # Chinese punctuation stays
        ("，。！？；：「」『』", "，。！？；：「」『』"),
        ("\u3000\u3000您在市政协", "您在市政协"),  # ideographic spaces (indent)
        ("或微信/手机:13391219793\xa0", "或微信/手机:13391219793"),  # no-break space (seeds/003)
        ("零\u200b宽\u200d字\ufeff符\u00ad", "零宽字符"),  # zero-width and soft hyphen
        ("院长   李盛", "院长 李盛"),  # space runs collapse to one
        ("答        复", "答复"),  # letter-spaced heading (seeds/002 line 8)
        ("跨区域 跨部门!", "跨区域 跨部门!"),  # a space between words stays
        ("", ""),
    ],
)
def test_normalize_line(raw: str, expected: str) -> None:
    assert normalize_line(raw) == expected


def test_split_lines_keeps_blank_lines_and_handles_every_line_break() -> None:
    assert split_lines("一\r\n二\r三\u2028四\n\n\n五") == ["一", "二", "三", "四", "", "", "五"]


def test_join_paragraphs_drops_blank_lines() -> None:
    assert join_paragraphs(["一", "", "", "二", ""]) == "一\n二"
