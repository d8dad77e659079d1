"""The one byline parser: labelled values (来源, 责任编辑) and author names with roles.

The cases come from both stages' former parsers: page region lines (extraction) and lines of
cleaned text (enrichment).
"""

from __future__ import annotations

import pytest

from crawler.items import Page, Person
from pipelines.enrichment import enrich_article
from pipelines.extraction import extract_article
from pipelines.fields.bylines import (
    byline_people,
    byline_value,
    closing_people,
    dateline_people,
    is_outlet,
    is_person_name,
    label_pairs,
    labelled_value,
    name_and_outlet,
    names_in,
    parenthesized_people,
    people_in,
    photo_credit,
)
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
        ("本文转自：人民网", "人民网"),
        ("摘自：《学习时报》", "学习时报"),
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


# ``strict`` lines are running text (a page's first paragraphs): the byline must be a parenthesis.
# 李明 was lost after 刘娟 while a byline took one role for all its names.
@pytest.mark.parametrize(
    ("line", "strict", "people"),
    [
        ("本报记者 王乐文 方 敏", False, [("王乐文", "reporter", "本报记者"), ("方敏", "reporter", "本报记者")]),
        ("长江网10月4日讯（记者陈智 整合） 国庆中秋长假过半", True, [("陈智", "reporter", "记者")]),
        ("新华社巴黎12月9日电（记者唐霁）法国9日再次爆发", True, [("唐霁", "reporter", "记者")]),
        ("作者︱春春", False, [("春春", "author", "作者")]),
        ("文/张三", False, [("张三", "author", "文")]),
        ("（通讯员 刘娟 记者 李明）", True, [("刘娟", "correspondent", "通讯员"), ("李明", "reporter", "记者")]),
        ("作者：张三 来源：人民网", False, [("张三", "author", "作者")]),
        ("记者了解到，涉事项目的名称为长沙", True, []),
        ("新华社北京11月17日电 记者17日从国家卫生健康委获悉", True, []),
        ("文化建设 张三", False, []),
    ],
)
def test_people(line: str, strict: bool, people: list[tuple[str, str, str]]) -> None:
    found = parenthesized_people(line, VOCAB) if strict else people_in(line, VOCAB)
    assert [(p.name, p.role, p.label) for p in found] == people


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
    assert photo_credit("台中市賴姓女子從5樓租屋處墬落身亡。王煌忠攝", VOCAB) == Person("王煌忠", "photographer", "攝")
    assert photo_credit("雨游黄鹤楼照样开心", VOCAB) is None


def test_name_and_outlet() -> None:
    assert name_and_outlet("石佳/中国青年报") == ("石佳", "中国青年报")
    assert name_and_outlet("2019-09-24 09:10") is None


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
def test_byline_people(text: str, expected: list[tuple[str, str]]) -> None:
    authors = byline_people(text, VOCAB)
    assert authors is not None
    assert [(author.name, author.role) for author in authors] == expected


@pytest.mark.parametrize(
    "text",
    ["记者了解到", "记者采访过程中听到最多的是这句话", "浙江", "市区", "文化 建设", "记者 张三说了很多话", ""],
)
def test_byline_people_rejects_running_text(text: str) -> None:
    assert byline_people(text, VOCAB) is None


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
def test_label_pairs(line: str, expected: dict[str, str]) -> None:
    pairs = label_pairs(line, VOCAB)
    assert pairs is not None
    assert {field: found.value for field, found in pairs.items()} == expected


@pytest.mark.parametrize("line", ["资料来源：市统计局", "他说：来源很重要", "成交日期：2021年06月09日", "普通一句话。"])
def test_label_pairs_rejects_other_lines(line: str) -> None:
    assert label_pairs(line, VOCAB) is None


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("安徽新闻联播", "安徽新闻联播"),
        ("证券市场红周刊 举报", "证券市场红周刊"),
        # A bracket after a label is page furniture (来源：【打印本页】 on gov portals); enrichment's
        # own parser read 【新华网】 as 新华网, extraction's as no value: the one parser keeps the latter.
        ("【新华网】", None),
        ("本网综合，部分来自网络。", None),
        ("x" * 31, None),
        ("", None),
    ],
)
def test_byline_value(value: str, expected: str | None) -> None:
    assert byline_value(value) == expected


BYLINES = [
    ("（记者 张三）", [("张三", "reporter", "记者")]),
    ("（本报记者 李四 王五）", [("李四", "reporter", "本报记者"), ("王五", "reporter", "本报记者")]),
    ("（通讯员 刘娟 记者 李明）", [("刘娟", "correspondent", "通讯员"), ("李明", "reporter", "记者")]),
    ("（见习记者 何冬健）", [("何冬健", "trainee_reporter", "见习记者")]),
]
SENTENCE = "本市今天召开科技创新大会，会议部署了下一阶段的重点工作，并表彰了一批先进单位和个人。"


# One role vocabulary: extraction (a page's dateline parenthesis) and enrichment (the same byline
# in a text) give the same role and label. Extraction stored 记者 and enrichment reporter before.
@pytest.mark.parametrize(("byline", "expected"), BYLINES)
def test_same_role_whichever_stage_finds_the_author(byline: str, expected: list[tuple[str, str, str]]) -> None:
    html = (
        "<html><head><title>科技创新大会召开</title></head><body><h1>科技创新大会召开</h1>"
        f'<div class="content"><p>本报讯{byline}{SENTENCE}</p><p>{SENTENCE}</p></div></body></html>'
    )
    fetched_at = "2024-06-01T12:00:00+08:00"
    page = Page(url="https://news.example.cn/a/1.html", text=html, kind="html", fetched_at=fetched_at)
    extracted, _ = extract_article(page)
    text = Page(
        url="file:///a.txt", text=f"科技创新大会召开\n本报讯{byline}{SENTENCE}", kind="text", fetched_at=fetched_at
    )
    enriched, _ = extract_article(text)
    enrich_article(enriched, load_vocabulary())
    for article in (extracted, enriched):
        assert [(person.name, person.role, person.label) for person in article.extra.authors] == expected


# Issue 14: labels and shapes of bylines the unseen pages printed, and words that are no names.
@pytest.mark.parametrize(
    ("line", "people"),
    [
        ("（采写：王五）", [("王五", "reporter", "采写")]),
        ("（文/图 李四）", [("李四", "author", "文/图")]),
        ("（作者：张三，北京大学经济学院教授）", [("张三", "author", "作者")]),
        ("平潭网6月4日讯（融媒体记者 何燕）近日，记者从实验区了解到", [("何燕", "reporter", "融媒体记者")]),
        (
            "（全媒体记者 王卫东 通讯员 李明）",
            [("王卫东", "reporter", "全媒体记者"), ("李明", "correspondent", "通讯员")],
        ),
        ("本报讯（记者 王卫东报道）", [("王卫东", "reporter", "记者")]),
    ],
)
def test_bylines_of_unseen_shapes(line: str, people: list[tuple[str, str, str]]) -> None:
    found = parenthesized_people(line, VOCAB) or people_in(line, VOCAB, anywhere=True)
    assert [(p.name, p.role, p.label) for p in found] == people


@pytest.mark.parametrize(
    "line",
    [
        "文字解读",  # a tab of Pingtan pages: 文字 is a label only before a separator
        "作者：新华社",  # a wire agency in the author slot is no person
        "作者：国家统计局",  # no name is cut out of an organization
        "作者：统计局",
        "记者 平潭",  # a place
    ],
)
def test_no_people(line: str) -> None:
    assert parenthesized_people(line, VOCAB) == []
    assert people_in(line, VOCAB, anywhere=True) == []


def test_only_desks_and_outlets_qualify_a_label() -> None:
    assert parenthesized_people("（中国青年报记者 张三）", VOCAB) == [Person("张三", "reporter", "中国青年报记者")]
    assert parenthesized_people("（告诉记者 张三）", VOCAB) == []


@pytest.mark.parametrize(
    ("paragraph", "names"),
    [
        ("中新社平潭3月18日电 (白志斌)18日，载运2006名旅客的邮轮驶往日本", ["白志斌"]),
        ("新华社北京5月20日电（王卫东 李明）记者从国家卫生健康委获悉", ["王卫东", "李明"]),
        ("新华社北京5月20日电（相关文章）", []),
        ("新华社北京5月20日电（记者唐霁）", []),  # a role label: parenthesized_people reads it
        ("北京5月20日电（完）", []),
    ],
)
def test_dateline_names(paragraph: str, names: list[str]) -> None:
    assert [p.name for p in dateline_people(paragraph, VOCAB)] == names
    assert all(p.role == "reporter" and p.label is None for p in dateline_people(paragraph, VOCAB))


@pytest.mark.parametrize(
    ("paragraph", "names"),
    [
        ("会议对下一步工作提出了要求。（王卫东）", ["王卫东"]),
        ("（王卫东 李明）", ["王卫东", "李明"]),
        ("（完）", []),
        ("（相关文章）", []),
        ("（平潭）", []),
        ("（新华社）", []),
        ("他说（王卫东）很好。", []),
    ],
)
def test_closing_names(paragraph: str, names: list[str]) -> None:
    assert [p.name for p in closing_people(paragraph, VOCAB)] == names


@pytest.mark.parametrize(
    ("name", "labelled", "expected"),
    [
        ("王卫东", False, True),
        ("欧阳修文", False, True),
        ("相关文章", False, False),  # an author-named layout div (issue 14)
        ("解读", True, True),  # 解 is a surname: the label rule, not the name, keeps 文字解读 out
        ("新华社", True, False),
        ("人民网", True, False),
        ("统计局", True, False),
        ("平潭", True, False),
        ("约翰·米勒", False, True),
    ],
)
def test_person_names(name: str, labelled: bool, expected: bool) -> None:
    assert is_person_name(name, VOCAB, labelled=labelled) is expected


def test_outlets() -> None:
    assert [word for word in ("新华社", "中国青年报", "人民网", "王卫东", "央视") if is_outlet(word, VOCAB)] == [
        "新华社",
        "中国青年报",
        "人民网",
    ]


@pytest.mark.parametrize(
    ("value", "expected"),
    [("《学习时报》", "学习时报"), ("《人民日报》（2023年06月03日 01 版）", "人民日报"), ("《》", None)],
)
def test_outlet_in_title_marks(value: str, expected: str | None) -> None:
    assert byline_value(value) == expected


@pytest.mark.parametrize(
    ("line", "people"),
    [
        ("文 | 张三", [("张三", "author", "文")]),
        ("作者 | 张三", [("张三", "author", "作者")]),
        ("■本报记者 张三 李四", [("张三", "reporter", "本报记者"), ("李四", "reporter", "本报记者")]),
        ("【作者】张三", [("张三", "author", "作者")]),
        ("记者 欧阳修文", [("欧阳修文", "reporter", "记者")]),
        ("文 张三", []),  # a bare 文 is a role only before a separator
        ("作者简介：张三，教授", []),
        ("网站地图 | 联系我们", []),  # 图 inside a word is no label, 联系我们 no name
        ("记者 联系我们", []),
    ],
)
def test_byline_line_forms(line: str, people: list[tuple[str, str, str]]) -> None:
    found = people_in(line, VOCAB, anywhere=True)
    assert [(p.name, p.role, p.label) for p in found] == people
