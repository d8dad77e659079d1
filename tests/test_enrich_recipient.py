from __future__ import annotations

import pytest

from pipelines.enrich.recipient import find_recipient, is_letter
from pipelines.vocab import FieldVocabulary, load_vocabulary


@pytest.fixture(scope="module")
def vocab() -> FieldVocabulary:
    return load_vocabulary().fields


SEED_002_HEAD = [
    "嘉兴市科学技术局文件",
    "嘉科函（2022）55号",
    "对市政协九届一次会议第344号提案的",
    "答        复",
    "徐剑虹委员：",
    "您在市政协九届一次会议上提出的提案收悉，现答复如下：",
]


@pytest.mark.parametrize(
    ("head", "expected"),
    [
        (SEED_002_HEAD, "徐剑虹委员"),
        (["关于某某事项的复函", "某某市人民政府：", "你市来函收悉。"], "某某市人民政府"),
        (["对第12号建议的答复", "尊敬的张三代表：", "您提出的建议收悉。"], "张三代表"),
    ],
)
def test_find_recipient(vocab: FieldVocabulary, head: list[str], expected: str) -> None:
    found = find_recipient(head, vocab)
    assert found is not None
    assert (found.value, found.rule) == (expected, "salutation_line")


@pytest.mark.parametrize(
    "head",
    [
        ["天宫一号与神舟九号载人交会对接任务第二场新闻发布会", "女士们、先生们：", "很高兴又一次和大家见面。"],
        ["关于开展检查的通知", "各县（市、区）人民政府：", "现将有关事项通知如下："],
        ["外媒眼中的武汉长假", "英国《泰晤士报》：", "正文"],
        ["某某的答复", "他说：", "正文"],
        ["两会访谈：委员谈提案", "记者：", "您今年带来了哪些提案？", "张三委员：", "我关注养老。"],
        [],
    ],
)
def test_find_recipient_none(vocab: FieldVocabulary, head: list[str]) -> None:
    assert find_recipient(head, vocab) is None


@pytest.mark.parametrize(
    ("head", "expected"),
    [(SEED_002_HEAD, True), (["关于某某事项的复函"], True), (["法国全国大罢工再次严重影响交通"], False)],
)
def test_is_letter(vocab: FieldVocabulary, head: list[str], expected: bool) -> None:
    assert is_letter(head, vocab) is expected
