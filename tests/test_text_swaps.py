from __future__ import annotations

import pytest

from pipelines.text.swaps import fix_swaps
from pipelines.vocab import load_vocabulary


@pytest.mark.parametrize(
    ("raw", "expected", "count"),
    [
        ("记者采访过程中听到蕞多的是这句话", "记者采访过程中听到最多的是这句话", 1),  # seeds/003 line 13
        ("全球容量蕞大、应用范围蕞广", "全球容量最大、应用范围最广", 2),  # seeds/003 line 27
        ("蕞尔小国", "蕞尔小国", 0),  # 蕞 is right in 蕞尔
        ("蕞尔小国蕞多", "蕞尔小国最多", 1),
        ("没有替换字", "没有替换字", 0),
    ],
)
def test_fix_swaps(raw: str, expected: str, count: int) -> None:
    assert fix_swaps(raw) == (expected, count)


def test_every_swap_names_where_it_was_seen() -> None:
    assert load_vocabulary().text.swaps
    for swap in load_vocabulary().text.swaps:
        assert swap.seen.strip(), swap
        assert len(swap.swapped) == 1
        assert len(swap.correct) == 1
