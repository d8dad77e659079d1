from __future__ import annotations

import pytest

from pipelines.text.repeats import drop_leading_repeats, drop_repeated_passage, printed_twice

P1 = "习近平总书记强调,长三角区域要加强科技创新和产业创新跨区域协同。"
P2 = "这里是位于中国科学技术大学的国家同步辐射实验室。在我身后就是合肥光源大科学装置。"
P3 = "来源: 安徽新闻联播"
TITLE = "跨区域 跨部门!安徽携手沪苏浙,共建创新生态圈"
HEADING = "【推进长三角一体化发展】安徽:携手沪苏浙 共建“创新生态圈”"


def test_the_copy_with_paragraph_breaks_is_kept() -> None:
    lines = [P1, P2, P3, "", P1, "", P2, "", P3]
    result, removed = drop_repeated_passage(lines)
    assert [line for line in result if line] == [P1, P2, P3]
    assert result == ["", P1, "", P2, "", P3]
    assert [removal.rule for removal in removed] == ["repeat_passage"]


def test_the_first_copy_is_kept_on_a_tie() -> None:
    result, _ = drop_repeated_passage([P1, P2, "中间一句。", P1, P2])
    assert result == [P1, P2, "中间一句。"]


def test_the_run_together_heading_goes_with_its_copy() -> None:
    # seeds/001: line 3 is the title run together with the heading that opens the second copy.
    lines = [TITLE, TITLE + HEADING, P1, P2, P3, "", HEADING, P1, "", P2, "", P3]
    result, _ = drop_repeated_passage(lines, TITLE)
    assert [line for line in result if line] == [TITLE, HEADING, P1, P2, P3]


def test_a_line_that_only_ends_like_the_heading_stays_without_the_title() -> None:
    lines = ["别的前缀" + HEADING, P1, P2, "", HEADING, P1, "", P2]
    result, _ = drop_repeated_passage(lines, TITLE)
    assert [line for line in result if line] == ["别的前缀" + HEADING, HEADING, P1, P2]


def test_short_coincidences_are_not_passages() -> None:
    lines = ["一、总体要求", "二、主要任务", "正文。", "一、总体要求", "二、主要任务"]
    assert drop_repeated_passage(lines) == (lines, ())


def test_one_long_paragraph_printed_twice_is_a_repeat() -> None:
    long = P1 * 4  # over 100 characters
    assert drop_repeated_passage([long, P2, long])[0] == [long, P2]


def test_three_copies_become_one() -> None:
    result, removed = drop_repeated_passage([P1, P2, P1, P2, P1, P2])
    assert result == [P1, P2]
    assert len(removed) == 2


def test_leading_repeats_of_title_and_subtitle_are_dropped() -> None:
    lines = ["", TITLE, "", TITLE, HEADING, P1, TITLE]
    result, removed = drop_leading_repeats(lines, [TITLE, HEADING])
    assert result == [P1, TITLE]
    assert [removal.text for removal in removed] == [TITLE, TITLE, HEADING]


def test_repeats_compare_text_without_spaces() -> None:
    result, _ = drop_leading_repeats(["跨区域跨部门!安徽携手沪苏浙,共建创新生态圈", P1], [TITLE])
    assert result == [P1]


@pytest.mark.parametrize(
    "rows",
    [
        # Two tables with the same header and rows (procurement results, issue 14).
        ["序号 采购项目名称 成交供应商 成交金额(万元)", "1 区人民医院医疗设备采购项目 福建某某医疗器械有限公司 128.6"],
        # A list of members printed under two committees (pt-2459).
        ["主 任:谢秀桐 区党工委委员、管委会办公室主任", "副主任:陈国柱 区党工委、管委会办公室副主任"],
        ["检查结果 " + " ".join(["合格"] * 40)],
    ],
)
def test_repeated_rows_of_lists_and_tables_stay(rows: list[str]) -> None:
    lines = [*rows, P1, *rows, P2]
    assert drop_repeated_passage(lines) == (lines, ())


@pytest.mark.parametrize(
    ("lines", "twice"),
    [
        ([TITLE, TITLE + HEADING, P1], True),  # seeds/001: the title, then run together with the lede
        ([TITLE, TITLE, P1], True),
        ([TITLE, P1, P2, TITLE + "2019年7月26日"], False),  # the issuer signing a notice (pt-15471)
        ([TITLE, P1, P2], False),  # a notice printing its own title once (pt-800)
        ([P1, P2], False),
    ],
)
def test_a_title_printed_twice(lines: list[str], twice: bool) -> None:
    assert printed_twice(lines, TITLE) is twice
