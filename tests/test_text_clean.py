"""``clean_article`` as a whole: golden seeds, properties, and the real corpus."""

from __future__ import annotations

import json
import re
import unicodedata
from collections import Counter
from pathlib import Path
from typing import Any

import opencc
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pipelines.text.clean import CleanResult, clean_article
from pipelines.text.swaps import fix_swaps

ROOT = Path(__file__).resolve().parents[1]
SEEDS = ROOT / "seeds"
GOLDEN = ROOT / "tests" / "golden" / "cleaning"
CORPUS = ROOT.parent / "shared" / "corpus" / "dev"
FIELDS = ["title", "subtitle", "body", "script", "section", "related", "is_spun"]
HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff]")


def seed_title_body(path: Path) -> tuple[str | None, str]:
    """The seed text format: the first non-empty line is the title, the rest the body."""
    lines = path.read_text(encoding="utf-8").split("\n")
    for index, line in enumerate(lines):
        if line.strip():
            return line.strip(), "\n".join(lines[index + 1 :])
    return None, ""


def field(result: CleanResult, name: str) -> Any:
    if name == "body":
        return result.body.split("\n")
    if name == "related":
        return list(result.related)
    return getattr(result, name)


# --- Golden seeds ------------------------------------------------------------------------


def golden_cases() -> list[tuple[str, str]]:
    return [(path.stem, name) for path in sorted(GOLDEN.glob("*.json")) for name in FIELDS]


@pytest.mark.parametrize(("seed", "name"), golden_cases())
def test_golden_seed(seed: str, name: str) -> None:
    expected = json.loads((GOLDEN / f"{seed}.json").read_text(encoding="utf-8"))
    result = clean_article(*seed_title_body(SEEDS / f"{seed}.txt"))
    assert field(result, name) == expected[name]


def test_every_seed_has_a_golden_file() -> None:
    assert sorted(path.stem for path in SEEDS.glob("*.txt")) == sorted(path.stem for path in GOLDEN.glob("*.json"))


@pytest.mark.parametrize("seed", sorted(path.stem for path in SEEDS.glob("*.txt")))
def test_seed_cleaning_is_idempotent(seed: str) -> None:
    first = clean_article(*seed_title_body(SEEDS / f"{seed}.txt"))
    second = clean_article(first.title, first.body, first.subtitle)
    assert (second.title, second.subtitle, second.body) == (first.title, first.subtitle, first.body)
    assert second.removed == ()
    assert second.swaps == 0


# --- Odd input ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("title", "body"),
    [
        (None, ""),
        ("", ""),
        (None, "\n\n\u3000\n"),
        ("标题", ""),
        (None, "只有正文。"),
        ("当前位置:首页 > 新闻", ""),  # a breadcrumb title and nothing to promote
        ("标题", "标题\n标题\n标题"),
        ("(zhàn)", "(zhàn)(zhàn)"),
        ("标题", "长文本，很长。" * 40000),  # 280k characters
    ],
)
def test_odd_input_never_raises(title: str | None, body: str) -> None:
    result = clean_article(title, body)
    assert isinstance(result.body, str)
    assert "\n\n" not in result.body
    assert result.title is None or result.title


# --- Properties --------------------------------------------------------------------------

COMMON = (
    "的一是在不了有和人这中大为上个国我以要他时来用们生到作地于出就分对成会可主发年动"
    "同工也能下过子说产种面而方后多定行学法所民得经十三之进着等部度家电力里如水化高自"
    "二理起小物现实加量都两体制机当使点从业本去把性好应开它合还因由其些然前外天政四日"
    "那社义事平形相全表间样与关各重新线内数正心反你明看原又么利比或但质气第向道命此变"
    "条只没结解问意建月公无系军很情者最立代想已通并提直题党程展五果料象员革位入常文总"
    "次品式活设及管特件长求老头基资边流路级少图山统接知较将组见计别她手角期根论运农指"
    "几九区强放决西被干做必战先回则任取据处理府研质"
)
NOISE_LINES = [
    "分享让更多人看到",
    "推荐阅读",
    "相关新闻",
    "- 湖州市获评创新型领军企业数居浙江省前列",
    "热门排行",
    "评论列表",
    "暂无评论,快抢沙发吧~",
    "发表评论",
    "当前位置:首页 > 靖江产业信息 > 正文内容",
    "admin9个月前 (09-24)靖江产业信息9",
    "时间:2023-06-03 浏览:182 分类:网络",
    "葛毅明微信号",
    "或微信/手机:13391219793",
    "版权声明:本文由靖江厂房网发布,如需转载请注明出处。",
    "推进(tuījìn)长三角一体化发展",
    "技术(苏州(sūzhōu))股份有限公司(CMOS)(套)(2022)",
    "听到蕞多的是这句话,蕞尔小国",
    "嘉科函（2022）55号",
    "徐剑虹委员：",
    "",
]
chars = st.sampled_from(COMMON + "，。、：“”（）()!?0123456789ABCabc- \u3000\xa0")
lines = st.one_of(st.text(chars, min_size=0, max_size=60), st.sampled_from(NOISE_LINES))
bodies = st.lists(lines, max_size=25).map("\n".join)
titles = st.one_of(st.none(), st.text(chars, max_size=30), st.sampled_from(NOISE_LINES))


def han_counts(*texts: str | None) -> Counter[str]:
    return Counter(char for text in texts if text for char in HAN.findall(text))


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(title=titles, body=bodies)
def test_cleaning_is_idempotent(title: str | None, body: str) -> None:
    first = clean_article(title, body)
    second = clean_article(first.title, first.body, first.subtitle)
    assert (second.title, second.subtitle, second.body) == (first.title, first.subtitle, first.body)
    assert second.removed == ()


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(title=titles, body=bodies)
def test_every_deleted_han_character_is_accounted_for(title: str | None, body: str) -> None:
    """No Han character disappears unless a rule removed it inside a verified annotation, a
    boilerplate block, a repeated passage or a title fragment, and recorded it."""
    result = clean_article(title, body)
    before = han_counts(fix_swaps(title or "")[0], fix_swaps(body)[0])
    # A title promoted from the body is a copy of a line that stays in the body.
    after = han_counts(None if result.title_promoted else result.title, result.subtitle, result.body)
    removed = han_counts(*(removal.text for removal in result.removed))
    assert after + removed == before
    assert {removal.rule.split("_")[0] for removal in result.removed} <= {"pinyin", "boilerplate", "repeat", "title"}


@settings(max_examples=200, deadline=None)
@given(title=st.one_of(st.none(), st.text(max_size=50)), body=st.text(max_size=400))
def test_any_text_is_cleaned_without_error(title: str | None, body: str) -> None:
    result = clean_article(title, body)
    assert "\r" not in result.body
    assert all(line and line == line.strip() for line in result.body.split("\n") if result.body)
    assert 0.0 <= result.spun_score <= 1.0


# --- The real corpus ---------------------------------------------------------------------


def corpus_truths() -> list[Path]:
    return sorted(CORPUS.glob("*/truth.json")) if CORPUS.is_dir() else []


def squashed(text: str, traditional: bool) -> str:
    """Text as the allowed normalizations leave it: Simplified, half-width letters and digits,
    no whitespace or invisible characters. Built with OpenCC and NFKC, not with the cleaner."""
    if traditional:
        text = opencc.OpenCC("t2s").convert(text)
    text = "".join(unicodedata.normalize("NFKC", c) if c.isalnum() else c for c in text)
    return re.sub(r"[\s\u200b-\u200d\u2060\ufeff\u00ad]+", "", text)


skip_without_corpus = pytest.mark.skipif(not corpus_truths(), reason="corpus not present")


@skip_without_corpus
@pytest.mark.parametrize("truth", corpus_truths(), ids=lambda path: path.parent.name)
def test_corpus_truth_body_is_only_normalized(truth: Path) -> None:
    data = json.loads(truth.read_text(encoding="utf-8"))
    if not data.get("body"):
        pytest.skip("no annotated body")
    traditional = data["script"] != "simplified"
    result = clean_article(data["title"], data["body"])
    assert squashed(result.body, False) == squashed(data["body"], traditional)
    for needle in data["must_contain"]:
        assert squashed(needle, traditional) in squashed(result.body, False)
    assert result.title == squashed(data["title"], traditional) or squashed(result.title or "", False) == squashed(
        data["title"], traditional
    )
    assert result.script == data["script"]


@skip_without_corpus
@pytest.mark.parametrize("truth", corpus_truths(), ids=lambda path: path.parent.name)
def test_corpus_truth_body_without_title_keeps_its_first_line(truth: Path) -> None:
    """Promoting a first line to the title when there is none must not eat it (issue 14)."""
    data = json.loads(truth.read_text(encoding="utf-8"))
    if not data.get("body"):
        pytest.skip("no annotated body")
    traditional = data["script"] != "simplified"
    result = clean_article(None, data["body"])
    assert squashed(result.body, False) == squashed(data["body"], traditional)


BLOCKS = (
    "//body//*[self::p or self::li or self::h1 or self::h2 or self::h3 or self::td"
    " or (self::div and not(.//p) and not(.//div) and not(.//li))]"
)


def page_paragraphs(page: Path, encoding: str) -> str:
    """The text of every block element of a saved page, one per line: noisier than any real
    extractor's output, so cleaning sees plenty of boilerplate around the article."""
    from parsel import Selector

    codec = "gb18030" if encoding.lower() in ("gb2312", "gbk") else encoding
    selector = Selector(text=page.read_bytes().decode(codec, errors="replace"))
    texts = (
        "".join(node.xpath(".//text()[not(ancestor::script) and not(ancestor::style)]").getall())
        for node in selector.xpath(BLOCKS)
    )
    return "\n".join(" ".join(text.split()) for text in texts)


@skip_without_corpus
@pytest.mark.parametrize("truth", corpus_truths(), ids=lambda path: path.parent.name)
def test_corpus_page_text_keeps_the_article(truth: Path) -> None:
    data = json.loads(truth.read_text(encoding="utf-8"))
    traditional = data["script"] != "simplified"
    text = page_paragraphs(truth.parent / "page.html", data["encoding"])
    result = clean_article(data["title"], text)
    for needle in data["must_contain"]:
        if squashed(needle, traditional) in squashed(text, traditional):
            assert squashed(needle, traditional) in squashed(result.body, False), needle
    assert result.spun_score <= 0.1
