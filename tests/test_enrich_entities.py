from __future__ import annotations

import pytest

from crawler.items import Entities, MentionedPerson, Organization, Place
from pipelines.enrich.entities import LazyPosTagger, default_tagger, find_entities, place_level
from pipelines.vocab import Vocabulary, load_vocabulary


@pytest.fixture(scope="module")
def vocab() -> Vocabulary:
    return load_vocabulary()


@pytest.fixture(scope="module")
def tokenizer() -> LazyPosTagger:
    return default_tagger()


def _names(found: Entities, kind: str) -> list[str]:
    entries: list[Organization] | list[Place] | list[MentionedPerson] = getattr(found, kind)
    return [entry.name for entry in entries]


@pytest.mark.parametrize(
    ("text", "organization"),
    [
        ("浙江省高端化学品技术创新中心落户衢州。", "浙江省高端化学品技术创新中心"),
        ("近日，记者从衢州市科技局获悉，平台取得突破。", "衢州市科技局"),
        ("以浙江大学衢州研究院等为核心共建单位。", "浙江大学衢州研究院"),
        ("在之江实验室，记者听到最多的是这句话。", "之江实验室"),
        ("最近位于江苏苏州市的艾瑞森表面技术公司突破了一项技术。", "艾瑞森表面技术公司"),
        (
            "中心成立浙江省高端化学品技术创新中心股份有限公司，注册资金1亿元。",
            "浙江省高端化学品技术创新中心股份有限公司",
        ),
        ("参与单位浙江氢能产业发展有限公司，注册资本5亿元。", "浙江氢能产业发展有限公司"),
        ("安徽工业大学则负责核心技术的研发。", "安徽工业大学"),
    ],
)
def test_organizations(vocab: Vocabulary, tokenizer: LazyPosTagger, text: str, organization: str) -> None:
    assert organization in _names(find_entities(text, vocab, tokenizer), "organizations")


@pytest.mark.parametrize(
    ("text", "not_organization"),
    [
        ("以浙江大学衢州研究院等为核心共建单位。", "浙江大学"),
        ("参与单位浙江氢能产业发展有限公司成立。", "单位浙江氢能产业发展有限公司"),
        ("全省建设省技术创新中心10-15家。", "技术创新中心"),
    ],
)
def test_not_organizations(vocab: Vocabulary, tokenizer: LazyPosTagger, text: str, not_organization: str) -> None:
    assert not_organization not in _names(find_entities(text, vocab, tokenizer), "organizations")


def test_organization_count(vocab: Vocabulary, tokenizer: LazyPosTagger) -> None:
    text = "之江实验室是全国首家。之江实验室在以智引智上做足功课。"
    found = find_entities(text, vocab, tokenizer)
    assert Organization("之江实验室", 2) in found.organizations


@pytest.mark.parametrize(
    ("text", "place", "level"),
    [
        ("浙江省高端化学品技术创新中心落户衢州。", "浙江省", "province"),
        ("浙江省高端化学品技术创新中心落户衢州。", "衢州市", "city"),
        ("最近位于江苏苏州市的公司突破了技术。", "苏州市", "city"),
        ("诸暨市科技局以揭榜挂帅的模式发出求贤帖。", "诸暨市", "district"),
        ("在杭州滨江白马湖畔筹备研究生院。", "杭州市", "city"),
    ],
)
def test_places(vocab: Vocabulary, tokenizer: LazyPosTagger, text: str, place: str, level: str) -> None:
    places = {entry.name: entry.level for entry in find_entities(text, vocab, tokenizer).places}
    assert places.get(place) == level


@pytest.mark.parametrize(
    "text", ["上市企业数量在全国占比超过20%。", "勇闯科技前沿“无人区”。", "国内首个产业专用平台。"]
)
def test_no_places(vocab: Vocabulary, tokenizer: LazyPosTagger, text: str) -> None:
    assert find_entities(text, vocab, tokenizer).places == []


def test_short_and_full_names_are_one_place(vocab: Vocabulary, tokenizer: LazyPosTagger) -> None:
    text = "嘉兴市科技局发布通知。嘉兴的企业积极申报，浙江各地响应。"
    places = find_entities(text, vocab, tokenizer).places
    assert Place("嘉兴市", 2, "city") in places
    assert Place("浙江省", 1, "province") in places
    assert "嘉兴" not in [entry.name for entry in places]


@pytest.mark.parametrize(
    ("name", "level"),
    [
        ("浙江", "province"),
        ("宁波", "city"),
        ("万载县", "district"),
        ("大良街道", "township"),
        ("城区", None),
        ("上市", None),
    ],
)
def test_place_level(vocab: Vocabulary, name: str, level: str | None) -> None:
    assert place_level(name, vocab) == level


@pytest.mark.parametrize(
    ("text", "name", "role"),
    [
        ("在之江实验室主任、浙江大学党委副书记朱世强眼中，这是担当。", "朱世强", "之江实验室主任、浙江大学党委副书记"),
        ("诸暨市科技局副局长傅宇峰说。", "傅宇峰", "诸暨市科技局副局长"),
        ("浙江光电子研究院 院长 李盛\n这个平台是今年初搭建完的。", "李盛", "浙江光电子研究院院长"),
        ("之江实验室副主任、天枢平台总架构师鲍虎军介绍，平台上线。", "鲍虎军", "之江实验室副主任、天枢平台总架构师"),
        (
            "艾瑞森表面技术(苏州)股份有限公司 副董事长 帅小锋\n我们的生产能力比较突出。",
            "帅小锋",
            "艾瑞森表面技术(苏州)股份有限公司副董事长",
        ),
    ],
)
def test_people_with_roles(vocab: Vocabulary, tokenizer: LazyPosTagger, text: str, name: str, role: str) -> None:
    people = {entry.name: entry.role for entry in find_entities(text, vocab, tokenizer).people}
    assert people.get(name) == role


def test_people_need_a_title(vocab: Vocabulary, tokenizer: LazyPosTagger) -> None:
    text = "刘颖认为，更加贴近的说法是，价格从来都不是统一的。"
    assert find_entities(text, vocab, tokenizer).people == []


@pytest.mark.parametrize("text", ["", None])
def test_empty_text(vocab: Vocabulary, tokenizer: LazyPosTagger, text: str | None) -> None:
    assert find_entities(text, vocab, tokenizer) == Entities()
