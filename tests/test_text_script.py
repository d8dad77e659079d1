from __future__ import annotations

import pytest

from pipelines.text.script import detect_script, to_simplified


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("衢州戰略性科創平臺建設獲重大突破", "traditional"),
        ("衢州战略性科创平台建设获重大突破", "simplified"),
        ("衢州戰略性科創平臺建設获重大突破，浙江省高端化学品技术创新中心落户衢州", "mixed"),
        ("2022 CMOS", "simplified"),  # nothing script-specific
        ("", "simplified"),
    ],
)
def test_detect_script(text: str, expected: str) -> None:
    assert detect_script(text) == expected


@pytest.mark.parametrize(
    ("traditional", "simplified"),
    [
        ("戰略性科創平臺", "战略性科创平台"),
        ("乾隆年間", "乾隆年间"),  # phrase-aware: 乾 stays in 乾隆
        ("乾燥的頭髮", "干燥的头发"),  # … and becomes 干 in 乾燥
        ("熱門排行", "热门排行"),
    ],
)
def test_to_simplified_is_phrase_aware(traditional: str, simplified: str) -> None:
    assert to_simplified(traditional) == simplified
