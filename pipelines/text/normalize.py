"""Width, whitespace and invisible characters.

Full-width ASCII letters and digits become half-width; every kind of space (``\\u3000``,
no-break, thin, tab) becomes one ASCII space and runs collapse; zero-width characters, BOMs and
soft hyphens go, except a zero-width joiner inside an emoji sequence; ``\\r`` and Unicode
line/paragraph separators become ``\\n``. Chinese punctuation (，。：（） …) is left alone:
NFKC would turn it into ASCII, which is why this is not NFKC.
"""

from __future__ import annotations

import re
from types import MappingProxyType

# ０-９ Ａ-Ｚ ａ-ｚ sit 0xFEE0 above their ASCII forms.
_FULLWIDTH_ALNUM = MappingProxyType(
    {
        code: code - 0xFEE0
        for start, end in ((0xFF10, 0xFF19), (0xFF21, 0xFF3A), (0xFF41, 0xFF5A))
        for code in range(start, end + 1)
    }
)
_HAS_FULLWIDTH_ALNUM = re.compile("[\uff10-\uff19\uff21-\uff3a\uff41-\uff5a]")
_INVISIBLE = re.compile("[\u200b\u200c\u2060\ufeff\u00ad\u200e\u200f]")
# A zero-width joiner binds an emoji sequence (👨\u200d👩\u200d👧 is one family, 🏳\ufe0f\u200d🌈 one flag):
# kept between two emoji, dropped anywhere else. Emoji: the pictograph blocks, dingbats and
# miscellaneous symbols, with their variation selector and skin tones.
_EMOJI = "\U0001f000-\U0001faff\u2600-\u27bf\u2b00-\u2bff\ufe0f"
_STRAY_JOINER = re.compile(f"(?<![{_EMOJI}])\u200d|\u200d(?![{_EMOJI}])")
_SPACES = re.compile("[ \t\f\v\u00a0\u1680\u2000-\u200a\u202f\u205f\u3000]+")
_LINE_BREAKS = re.compile("\r\n|[\r\u2028\u2029\x85\x0b\x0c]")
# A heading printed letter-spaced for layout: 答        复, 通  知 (seeds/002 line 8).
_LETTER_SPACED = re.compile(r"^[\u4e00-\u9fff](?: [\u4e00-\u9fff]){1,7}$")


def normalize_line(line: str) -> str:
    """One line with widths, spaces and invisible characters normalized, stripped."""
    if _HAS_FULLWIDTH_ALNUM.search(line):
        line = line.translate(_FULLWIDTH_ALNUM)
    line = _STRAY_JOINER.sub("", _INVISIBLE.sub("", line))
    line = _SPACES.sub(" ", line).strip()
    if _LETTER_SPACED.match(line):
        line = line.replace(" ", "")
    return line


def split_lines(text: str) -> list[str]:
    """Lines of ``text`` after normalization; blank lines are kept as ``""`` (they mark
    paragraph breaks that the repeat rule looks at)."""
    return [normalize_line(line) for line in _LINE_BREAKS.sub("\n", text).split("\n")]


def join_paragraphs(lines: list[str]) -> str:
    """The body format: non-empty lines joined by a single ``\\n``."""
    return "\n".join(line for line in lines if line)
