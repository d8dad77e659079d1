from __future__ import annotations

import pytest

from pipelines.text.pinyin import spells, strip_pinyin


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("衢州戰(zhàn)略性科創(chuàng)平臺(tái)", "衢州戰略性科創平臺"),  # seeds/000, Traditional
        ("【推进(tuījìn)长三角一体化发展】", "【推进长三角一体化发展】"),  # seeds/001, a word
        ("关键核心技术(héxīnjìshù)攻关", "关键核心技术攻关"),  # four characters
        ("艾瑞森表面技术(苏州(sūzhōu))股份", "艾瑞森表面技术(苏州)股份"),  # nested
        ("被称为(wèi)前沿", "被称为前沿"),  # heteronym 为 wéi/wèi
        ("就像是个(gè)“超级显微镜”", "就像是个“超级显微镜”"),
        ("长三角(zhǎngsānjiǎo)地区", "长三角地区"),  # heteronym 长 cháng/zhǎng
        ("随着(suízhe)长三角", "随着长三角"),  # neutral tone 着
        ("战(zhan)略", "战略"),  # no tone marks
        ("战(ZHÀN)略", "战略"),  # capitals
        ("中国(zhōng guó)", "中国"),  # spaced syllables
        ("戰(zhàn)(zhàn)略", "戰略"),  # repeated annotation, removed to a fixed point
    ],
)
def test_verified_annotations_are_removed(raw: str, expected: str) -> None:
    assert strip_pinyin(raw)[0] == expected


@pytest.mark.parametrize(
    "kept",
    [
        "浙江省智能工厂操作系统技术创新中心(寧波)",
        "全省8608台(套)大型科学仪器设备",
        "已经(服务)有好几十家企业",
        "到2025年(2022)",
        "(记者 梁建偉)",
        "爱戴掀起红盖头(图)",
        "浙江省CMOS集成电路(CMOS)",
        "中国(China)",  # English, not a reading of 中国
        "战(zhāng)略",  # wrong reading: not an annotation of 战
        "战(zhànlüè)",  # reads more characters than precede it
        "(zhàn)略",  # nothing before it
        "ABC(abc)",
    ],
)
def test_other_parentheses_are_kept(kept: str) -> None:
    assert strip_pinyin(kept) == (kept, ())


@pytest.mark.parametrize(
    ("annotation", "chars", "expected"),
    [
        ("tuījìn", "推进", True),
        ("tuijin", "推进", True),
        ("tuǐjìn", "推进", False),  # tone marks, when present, must match
        ("lüè", "略", True),
        ("lve", "略", True),
        ("hé", "合", True),
        ("hé", "和", True),
        ("huó", "和", True),  # heteronym (和面)
        ("he", "合肥", False),  # one syllable for two characters
    ],
)
def test_spells(annotation: str, chars: str, expected: bool) -> None:
    assert spells(annotation, chars) is expected


def test_removed_annotations_are_reported() -> None:
    text, removed = strip_pinyin("推进(tuījìn)与携手(xiéshǒu)")
    assert text == "推进与携手"
    assert removed == ("(tuījìn)", "(xiéshǒu)")
