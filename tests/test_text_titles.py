from __future__ import annotations

import pytest

from pipelines.text.titles import (
    promoted_title,
    split_subtitle,
    strip_site_suffix,
    strip_title_spam,
    title_from_document_header,
)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        (
            "江苏省中关村股票002329高新区:建高端创新平台 促“双链”融合发展",  # seeds/004
            "江苏省中关村高新区:建高端创新平台 促“双链”融合发展",
        ),
        ("股票002329", ""),
        ("中国股票市场改革", "中国股票市场改革"),  # 股票 without a code is a word
    ],
)
def test_strip_title_spam(raw: str, expected: str) -> None:
    assert strip_title_spam(raw)[0] == expected


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("衢州科创平台建设获重大突破_浙江在线", "衢州科创平台建设获重大突破"),
        ("法国全国大罢工再次严重影响交通 - 新华网", "法国全国大罢工再次严重影响交通"),
        ("万载县2015年统计公报_万载县人民政府", "万载县2015年统计公报"),
        ("标题在这里_国内新闻_新浪网", "标题在这里"),  # suffixes stack
        ("外国专家：中美合作共赢符合国际社会利益", "外国专家：中美合作共赢符合国际社会利益"),
        (
            "棱镜|数据业大整顿：爬虫与现金贷共生共荣，用户信息几元不等",
            "棱镜|数据业大整顿：爬虫与现金贷共生共荣，用户信息几元不等",
        ),
        ("1-10月德清县固定资产投资结构趋稳趋优", "1-10月德清县固定资产投资结构趋稳趋优"),
        ("“乌镇之光”超算中心——浙江省首个大型超算中心落成", "“乌镇之光”超算中心——浙江省首个大型超算中心落成"),
        ("新闻_新华网", "新闻_新华网"),  # nothing substantial would be left
    ],
)
def test_strip_site_suffix(raw: str, expected: str) -> None:
    assert strip_site_suffix(raw)[0] == expected


def test_red_header_document_title() -> None:
    lines = [
        "嘉科函（2022）55号",
        "",
        "",
        "对市政协九届一次会议第344号提案的",
        "",
        "答复",
        "",
        "徐剑虹委员：",
        "正文。",
    ]
    found = title_from_document_header("嘉兴市科学技术局文件", lines)
    assert found is not None
    title, rest = found
    assert title == "对市政协九届一次会议第344号提案的答复"
    assert [line for line in rest if line] == ["嘉科函（2022）55号", "徐剑虹委员：", "正文。"]


@pytest.mark.parametrize(
    ("title", "lines"),
    [
        ("嘉兴市科学技术局", ["嘉科函（2022）55号", "答复", "徐剑虹委员：", "正文。"]),  # no …文件 header
        ("嘉兴市科学技术局文件", ["嘉科函（2022）55号", "答复", "正文。"]),  # no salutation
        ("嘉兴市科学技术局文件", ["这是一段很长的正文，它以句号结束。", "徐剑虹委员："]),
    ],
)
def test_no_document_header_title(title: str, lines: list[str]) -> None:
    assert title_from_document_header(title, lines) is None


@pytest.mark.parametrize(
    ("lines", "subtitle"),
    [
        # seeds/000: the lede opens with the subtitle.
        (
            ["浙江省高端化学品技术创新中心落户衢州", "浙江省高端化学品技术创新中心落户衢州。近日,记者获悉。"],
            "浙江省高端化学品技术创新中心落户衢州",
        ),
        # seeds/001: a column tag and a headline.
        (
            ["【推进长三角一体化发展】安徽:携手沪苏浙 共建“创新生态圈”", "习近平总书记强调。"],
            "【推进长三角一体化发展】安徽:携手沪苏浙 共建“创新生态圈”",
        ),
        (["时间:2023-06-03", "2月5日,记者来到江苏省。"], None),  # a metadata line is no subtitle
        (["徐剑虹委员：", "您在市政协九届一次会议上提出的提案收悉。"], None),
        (["【环球时报综合报道】美国总统周一表示将访华。", "正文。"], None),  # a sentence, not a heading
        (["一、总体要求", "一、总体要求的第一段，以及更多内容。"], "一、总体要求"),
        ([], None),
    ],
)
def test_split_subtitle(lines: list[str], subtitle: str | None) -> None:
    found, rest = split_subtitle(lines, "标题")
    assert found == subtitle
    assert len(rest) == len(lines) - (1 if subtitle else 0)


def test_promote_title_takes_a_heading_not_a_paragraph() -> None:
    assert promoted_title(["", "浙江着力建设三大科创高地", "正文。"]) == "浙江着力建设三大科创高地"
    assert promoted_title(["以建设三大科创高地为引领,浙江从上到下着力重塑传统科研攻关模式。"]) is None


@pytest.mark.parametrize(
    "first",
    [
        "2012年6月24日",
        "岚综管综〔2015〕187号",
        "案 由：关于规范公益性公墓建设的建议",
        "原标题：福建平潭国际邮轮航线启动",
    ],
)
def test_dates_numbers_and_labels_are_not_promoted(first: str) -> None:
    # First lines of dev corpus truth bodies (gov-cmse-001, pt-2459, pt-38112, pt-88142).
    assert promoted_title([first, "正文。"]) is None
