from __future__ import annotations

import pytest

from pipelines.fields.issuer import is_org_name, issuer_from_masthead, issuer_from_signature
from pipelines.vocab import FieldVocabulary, load_vocabulary


@pytest.fixture(scope="module")
def vocab() -> FieldVocabulary:
    return load_vocabulary().fields


@pytest.mark.parametrize(
    ("head", "expected"),
    [
        ([" 嘉兴市科学技术局文件   ", "嘉科函（2022）55号"], "嘉兴市科学技术局"),
        (["浙江省人民政府办公厅文件", "浙政办发〔2021〕12号"], "浙江省人民政府办公厅"),
        (["嘉 兴 市 科 学 技 术 局 文 件"], "嘉兴市科学技术局"),
    ],
)
def test_issuer_from_masthead(vocab: FieldVocabulary, head: list[str], expected: str) -> None:
    found = issuer_from_masthead(head, vocab)
    assert found is not None
    assert (found.value, found.rule) == (expected, "masthead")


@pytest.mark.parametrize(
    "head",
    [
        ["关于印发文件的通知", "各单位："],
        ["学习贯彻会议精神文件", "正文"],
        ["跨区域 跨部门!安徽携手沪苏浙,共建创新生态圈"],
        [],
    ],
)
def test_issuer_from_masthead_none(vocab: FieldVocabulary, head: list[str]) -> None:
    assert issuer_from_masthead(head, vocab) is None


@pytest.mark.parametrize(
    ("lines", "expected"),
    [
        (["正文。", "                               嘉兴市科学技术局      "], "嘉兴市科学技术局"),
        (["正文。", "浙江省科学技术厅", "2022年6月1日"], "浙江省科学技术厅"),
        (["正文。", "发表评论"], None),
        (["正文。", "（德清县发改局）。"], None),
        # A joint document (corpus gov-mof-szs-001, gov-mof-kjs-001) has no one issuer.
        (["正文。", "财政部 税务总局", "2018年9月7日"], None),
        (["正文。", "国家自然科学基金委员会 财政部", "2019年3月28日"], None),
        (["正文。", "嘉兴市 科学技术局"], "嘉兴市科学技术局"),
    ],
)
def test_issuer_from_signature(vocab: FieldVocabulary, lines: list[str], expected: str | None) -> None:
    found = issuer_from_signature(lines, vocab)
    assert (found.value if found else None) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [("嘉兴市科学技术局", True), ("浙江大学", True), ("发表评论", False), ("我们的局", False), ("局", False)],
)
def test_is_org_name(vocab: FieldVocabulary, text: str, expected: bool) -> None:
    assert is_org_name(text, vocab) is expected
