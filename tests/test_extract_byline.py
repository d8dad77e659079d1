"""Byline parsing: labelled values (来源, 责任编辑) and author names with roles."""

from __future__ import annotations

import pytest

from pipelines.extract.byline import labelled_value, name_and_outlet, names_in, people_in, photo_credit
from pipelines.vocab import load_vocabulary

VOCAB = load_vocabulary().fields


@pytest.mark.parametrize(
    ("line", "value"),
    [
        ("2019-09-07 13:43:45　来源: 证券市场红周刊 举报", "证券市场红周刊"),
        ("发稿时间：2024-05-13 06:03:00 来源： 中国青年报", "中国青年报"),
        ("信息来源：省发改委", "省发改委"),
        ("来源于：东区办事处", "东区办事处"),
        ("本文来源：证券市场红周刊", "证券市场红周刊"),
        ("來源：中央社", "中央社"),
        ("来源：【打印本页】", None),
        ("来源： 访问量：199", None),
        ("来源：", None),
    ],
)
def test_source_label(line: str, value: str | None) -> None:
    assert labelled_value(line, VOCAB.source_labels, VOCAB) == value


@pytest.mark.parametrize(
    ("line", "value"),
    [
        ("责任编辑：杨格", "杨格"),
        ("【责任编辑:张樵苏", "张樵苏"),
        ("[责任编辑:肖春芳]", "肖春芳"),
        ("（编辑：严玉洁 王辉）", "严玉洁"),
    ],
)
def test_editor_label(line: str, value: str) -> None:
    assert labelled_value(line, VOCAB.editor_labels, VOCAB) == value


@pytest.mark.parametrize(
    ("line", "strict", "people"),
    [
        ("本报记者 王乐文 方 敏", False, [("王乐文", "reporter"), ("方敏", "reporter")]),
        ("长江网10月4日讯（记者陈智 整合） 国庆中秋长假过半", True, [("陈智", "reporter")]),
        ("新华社巴黎12月9日电（记者唐霁）法国9日再次爆发", True, [("唐霁", "reporter")]),
        ("作者︱春春", False, [("春春", "author")]),
        ("文/张三", False, [("张三", "author")]),
        ("（通讯员 刘娟 记者 李明）", True, [("刘娟", "correspondent")]),
        ("记者了解到，涉事项目的名称为长沙", True, []),
        ("新华社北京11月17日电 记者17日从国家卫生健康委获悉", True, []),
    ],
)
def test_people(line: str, strict: bool, people: list[tuple[str, str]]) -> None:
    assert [(p.name, p.role) for p in people_in(line, VOCAB, strict=strict)] == people


@pytest.mark.parametrize(
    ("value", "names"),
    [
        ("中国国际经济交流中心世界经济研究部部长、研究员徐占忱", ["徐占忱"]),
        ("王乐文 方敏", ["王乐文", "方敏"]),
        ("约翰·米勒", ["约翰·米勒"]),
        ("陈智 整合", ["陈智"]),
    ],
)
def test_names(value: str, names: list[str]) -> None:
    assert names_in(value, VOCAB) == names


def test_photo_credit() -> None:
    assert photo_credit("台中市賴姓女子從5樓租屋處墬落身亡。王煌忠攝", VOCAB) == "王煌忠"
    assert photo_credit("雨游黄鹤楼照样开心", VOCAB) is None


def test_name_and_outlet() -> None:
    assert name_and_outlet("石佳/中国青年报") == ("石佳", "中国青年报")
    assert name_and_outlet("2019-09-24 09:10") is None
