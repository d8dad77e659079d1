from __future__ import annotations

import pytest

from pipelines.enrich.bylines import (
    authors_in_byline,
    byline_value,
    find_authors,
    label_pairs,
    labeled_values,
)
from pipelines.vocab import FieldVocabulary, load_vocabulary


@pytest.fixture(scope="module")
def vocab() -> FieldVocabulary:
    return load_vocabulary().fields


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "记者 梁建伟 曾福泉 见习记者 何冬健 李娇俨",
            [
                ("梁建伟", "reporter"),
                ("曾福泉", "reporter"),
                ("何冬健", "trainee_reporter"),
                ("李娇俨", "trainee_reporter"),
            ],
        ),
        ("记者陈智 整合", [("陈智", "reporter")]),
        ("记者唐霁", [("唐霁", "reporter")]),
        ("本报记者 王乐文 方敏", [("王乐文", "reporter"), ("方敏", "reporter")]),
        ("记者 张三 通讯员 李四", [("张三", "reporter"), ("李四", "correspondent")]),
        ("文/石佳", [("石佳", "author")]),
        ("记者：周纯", [("周纯", "reporter")]),
    ],
)
def test_authors_in_byline(vocab: FieldVocabulary, text: str, expected: list[tuple[str, str]]) -> None:
    authors = authors_in_byline(text, vocab)
    assert authors is not None
    assert [(author.name, author.role) for author in authors] == expected


@pytest.mark.parametrize(
    "text",
    ["记者了解到", "记者采访过程中听到最多的是这句话", "浙江", "市区", "文化 建设", "记者 张三说了很多话", ""],
)
def test_authors_in_byline_rejects_running_text(vocab: FieldVocabulary, text: str) -> None:
    assert authors_in_byline(text, vocab) is None


@pytest.mark.parametrize(
    ("body", "names", "rule"),
    [
        (
            "第一段。\n最后一段，到2025年建成。(记者 梁建伟 曾福泉)\n相关文章",
            ["梁建伟", "曾福泉"],
            "reporter_parenthesis",
        ),
        ("长江网10月4日讯（记者陈智 整合） 国庆中秋长假过半。", ["陈智"], "reporter_parenthesis"),
        ("新华社巴黎12月9日电（记者唐霁）法国9日再次爆发全国跨行业大罢工。", ["唐霁"], "reporter_parenthesis"),
        ("本报记者 王乐文 方敏\n正文第一段。", ["王乐文", "方敏"], "reporter_line"),
    ],
)
def test_find_authors(vocab: FieldVocabulary, body: str, names: list[str], rule: str) -> None:
    found = find_authors(body, vocab)
    assert found is not None
    assert ([author.name for author in found[0]], found[1]) == (names, rule)


@pytest.mark.parametrize(
    "body",
    [
        "2月5日,记者来到江苏省中关村高新技能工业开发区。",
        "浙江海外高层次人才创新园（海创园）位于杭州。",
        "科创中国浙江省级试点县(市区)名单公布。",
        "",
    ],
)
def test_find_authors_none(vocab: FieldVocabulary, body: str) -> None:
    assert find_authors(body, vocab) is None


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("来源: 安徽新闻联播", {"source_name": "安徽新闻联播"}),
        ("时间:2023-06-03 浏览:182 分类:网络", {"published": "2023-06-03", "views": "182", "category": "网络"}),
        ("来源：新华网 作者：唐霁", {"source_name": "新华网", "author": "唐霁"}),
        ("发布时间：2022年5月20日 10:30", {"published": "2022年5月20日 10:30"}),
        ("【责任编辑：严玉洁】", {"editor": "严玉洁"}),
    ],
)
def test_label_pairs(vocab: FieldVocabulary, line: str, expected: dict[str, str]) -> None:
    assert label_pairs(line, vocab) == expected


@pytest.mark.parametrize("line", ["资料来源：市统计局", "他说：来源很重要", "成交日期：2021年06月09日", "普通一句话。"])
def test_label_pairs_rejects_other_lines(vocab: FieldVocabulary, line: str) -> None:
    assert label_pairs(line, vocab) is None


def test_labeled_values_first_line_wins(vocab: FieldVocabulary) -> None:
    body = "正文。\n来源: 安徽新闻联播\n正文。\n来源: 别的来源"
    assert labeled_values(body, vocab) == {"source_name": ("安徽新闻联播", 1)}


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("安徽新闻联播", "安徽新闻联播"),
        ("【新华网】", "新华网"),
        ("本网综合，部分来自网络。", None),
        ("x" * 31, None),
        ("", None),
    ],
)
def test_byline_value(value: str, expected: str | None) -> None:
    assert byline_value(value) == expected
