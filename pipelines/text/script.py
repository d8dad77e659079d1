"""Script detection (Simplified / Traditional / mixed) and conversion to Simplified with OpenCC.

OpenCC's ``t2s`` config is phrase-aware (``乾隆`` stays, ``乾燥`` becomes ``干燥``), which a
character table cannot be, so conversion always goes through OpenCC. Detection only needs to
know which characters belong to one script: that table is read out of OpenCC once (every CJK
character converted on its own) and kept as two compiled character classes, which is ten times
faster than converting each text both ways.
"""

from __future__ import annotations

import functools
import re
from typing import Literal

import opencc

Script = Literal["simplified", "traditional", "mixed"]

# Share of script-specific characters that may come from the other script before a text counts
# as mixed: Traditional pages quote Simplified names and vice versa; one stray character in a
# long text is not a mixed text.
_MINORITY_SHARE = 0.1
_CJK_BLOCKS = ((0x3400, 0x4DBF), (0x4E00, 0x9FFF))


@functools.cache
def converter(config: str) -> opencc.OpenCC:
    """The OpenCC converter for ``config`` (``t2s``, ``s2t``), built once."""
    return opencc.OpenCC(config)


@functools.cache
def script_characters(config: str) -> re.Pattern[str]:
    """A character class of the characters ``config`` changes when converted on their own:
    Traditional-only characters for ``t2s``, Simplified-only ones for ``s2t``."""
    chars = [chr(code) for start, end in _CJK_BLOCKS for code in range(start, end + 1)]
    converted = str(converter(config).convert("\n".join(chars))).split("\n")
    changed = "".join(char for char, new in zip(chars, converted, strict=True) if char != new)
    return re.compile(f"[{re.escape(changed)}]")


def detect_script(text: str) -> Script:
    """``traditional`` when nearly all script-specific characters are Traditional,
    ``simplified`` when nearly all are Simplified (or there are none), else ``mixed``."""
    traditional = len(script_characters("t2s").findall(text))
    simplified = len(script_characters("s2t").findall(text))
    total = traditional + simplified
    if total == 0 or traditional <= total * _MINORITY_SHARE:
        return "simplified"
    if simplified <= total * _MINORITY_SHARE:
        return "traditional"
    return "mixed"


def to_simplified(text: str) -> str:
    return str(converter("t2s").convert(text))
