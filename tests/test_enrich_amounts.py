from __future__ import annotations

import pytest

from crawler.items import Amount
from pipelines.enrich.amounts import chinese_number, find_amounts, find_percentages
from pipelines.vocab import MentionVocabulary, load_vocabulary


@pytest.fixture(scope="module")
def vocab() -> MentionVocabulary:
    return load_vocabulary().mentions


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("注册资金1亿元人民币", [("1亿元", 100000000)]),
        ("江苏产业技术研究院出资150万元", [("150万元", 1500000)]),
        ("设备出资超越1.5亿元", [("超越1.5亿元", 150000000)]),
        ("完结出售超过2000万元", [("超过2000万元", 20000000)]),
        ("投资三千万元建设", [("三千万元", 30000000)]),
        ("奖励5000元", [("5000元", 5000)]),
        ("补助经费10.8亿元", [("10.8亿元", 1080000000)]),
        ("总投资约21亿元的装置", [("约21亿元", 2100000000)]),
        ("增加值 9960.53亿元", [("9960.53亿元", 996053000000)]),
        ("共1,200元", [("1,200元", 1200)]),
        ("收入两亿元", [("两亿元", 200000000)]),
        ("有60余万元", [("60余万元", 600000)]),
        ("均价1.7元/m2/天", [("1.7元", 1.7)]),
        ("上海、苏州和合肥的企业各出资50万元", [("50万元", 500000)]),
        ("人民币１５０万元", [("150万元", 1500000)]),
        ("票价十元", [("十元", 10)]),
        ("每份五元", [("五元", 5)]),
    ],
)
def test_find_amounts(vocab: MentionVocabulary, text: str, expected: list[tuple[str, float]]) -> None:
    assert [(figure.text, figure.value) for figure in find_amounts(text, vocab)] == expected


@pytest.mark.parametrize(
    "text",
    [
        "双边贸易额789亿美元",
        "新台币100元",
        "多元化发展",
        "一元化管理",
        "解一元二次方程",
        "城乡二元结构",
        "万元户",
        "公元2021年",
        "2021年元旦",
        "",
    ],
)
def test_find_amounts_none(vocab: MentionVocabulary, text: str) -> None:
    assert find_amounts(text, vocab) == []


def test_amount_dicts_carry_text_and_yuan(vocab: MentionVocabulary) -> None:
    assert [figure.as_amount() for figure in find_amounts("出资150万元", vocab)] == [Amount("150万元", 1500000)]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("对外依存度超过90%", [("90%", 90.0)]),
        ("百分之十五的企业", [("百分之十五", 15.0)]),
        ("增长百分之三点五", [("百分之三点五", 3.5)]),
        ("维持在5%至5.25%的水平", [("5%", 5.0), ("5.25%", 5.25)]),
        ("比上年增加9.7%", [("9.7%", 9.7)]),
        ("占比５０％", [("50%", 50.0)]),
        ("下滑4.51个百分点", []),
        ("呈现“5个百分之八九十”的格局", []),
        ("", []),
    ],
)
def test_find_percentages(text: str, expected: list[tuple[str, float]]) -> None:
    found = find_percentages(text)
    assert [(figure.as_percentage().text, figure.as_percentage().value) for figure in found] == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [("1.5亿", 150000000), ("三千万", 30000000), ("150万", 1500000), ("5000", 5000), ("八九十", None)],
)
def test_chinese_number(text: str, expected: float | None) -> None:
    assert chinese_number(text) == expected
