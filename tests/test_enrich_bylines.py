"""Which lines of a cleaned text enrichment reads as bylines (the parser is tests/test_fields_bylines.py)."""

from __future__ import annotations

import pytest

from pipelines.enrich.bylines import LabelLine, find_authors, labeled_values
from pipelines.vocab import FieldVocabulary, load_vocabulary


@pytest.fixture(scope="module")
def vocab() -> FieldVocabulary:
    return load_vocabulary().fields


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
        ("原标题：邮轮航线启动\n中新社平潭3月18日电 (白志斌)18日，邮轮驶往日本。", ["白志斌"], "dateline_names"),
        ("第一段。\n会议还部署了防汛工作。（王卫东）", ["王卫东"], "closing_names"),
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
        "第一段。\n会议还部署了防汛工作。（完）",
        "第一段。\n第二段。\n第三段。\n会议还部署了防汛工作。（王卫东）\n第五段。\n第六段。",
        "",
    ],
)
def test_find_authors_none(vocab: FieldVocabulary, body: str) -> None:
    assert find_authors(body, vocab) is None


def test_labeled_values_first_line_wins(vocab: FieldVocabulary) -> None:
    body = "正文。\n来源: 安徽新闻联播\n正文。\n来源: 别的来源"
    assert labeled_values(body, vocab) == {"source_name": LabelLine("来源", "安徽新闻联播", 1)}
