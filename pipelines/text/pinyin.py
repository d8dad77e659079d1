"""Pinyin annotations after characters: ``戰(zhàn)略``, ``推进(tuījìn)``, ``苏州(sūzhōu)``.

An annotation is removed only when pypinyin confirms it spells a reading of the characters
right before it (heteronyms allowed; tone marks compared when the annotation has them,
ignored when it has none). Every other parenthesis stays: ``(寧波)``, ``(套)``, ``(2022)``,
``(CMOS)``, ``(记者 梁建伟)``.
"""

from __future__ import annotations

import functools
import re
import unicodedata

from pypinyin import Style, pinyin

# Latin letters with pinyin diacritics (Latin-1, Extended-A/B, ḿ), optional spaces/apostrophes.
_ANNOTATION = re.compile(
    r"[(（]\s*([a-zA-Z\u00c0-\u024f\u1e3f\u0300-\u036f][a-zA-Z\u00c0-\u024f\u1e3f\u0300-\u036f' ]*)\s*[)）]"
)
_HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
_MAX_CHARS = 8  # the longest annotated word in the seeds is 4 characters (核心技术)
_MAX_SYLLABLE = 6  # zhuang, chuang, shuang: the longest pinyin syllables
_TONE_MARKS = frozenset("\u0300\u0301\u0304\u030c")  # grave, acute, macron, caron


def _has_tone(text: str) -> bool:
    return any(mark in _TONE_MARKS for mark in unicodedata.normalize("NFD", text))


def _toneless(text: str) -> str:
    stripped = "".join(c for c in unicodedata.normalize("NFD", text) if not unicodedata.combining(c))
    return stripped.lower().replace("v", "u")


def _toned(text: str) -> str:
    return unicodedata.normalize("NFC", text.lower()).replace("v", "ü")


@functools.cache
def readings(char: str, toned: bool) -> frozenset[str]:
    """Every reading pypinyin knows for ``char``, with or without tone marks."""
    style = Style.TONE if toned else Style.NORMAL
    found = pinyin(char, style=style, heteronym=True, errors="ignore")
    values = found[0] if found else []
    return frozenset(_toned(value) if toned else _toneless(value) for value in values)


def _target(annotation: str) -> tuple[str, bool]:
    """The annotation's letters in comparable form, and whether tones are to be compared."""
    toned = _has_tone(annotation)
    letters = re.sub(r"[\s']", "", annotation)
    return (_toned(letters) if toned else _toneless(letters)), toned


def _reads(target: str, toned: bool, chars: str) -> bool:
    if not len(chars) <= len(target) <= _MAX_SYLLABLE * len(chars):
        return False
    failed: set[tuple[int, int]] = set()  # memo of dead ends, local to this call

    def match(position: int, index: int) -> bool:
        if index == len(chars):
            return position == len(target)
        if (position, index) in failed:
            return False
        for reading in readings(chars[index], toned):
            if target.startswith(reading, position) and match(position + len(reading), index + 1):
                return True
        failed.add((position, index))
        return False

    return match(0, 0)


def spells(annotation: str, chars: str) -> bool:
    """Whether ``annotation`` is the concatenated reading of ``chars`` (one syllable each)."""
    return _reads(*_target(annotation), chars)


def _annotated_length(text: str, end: int, annotation: str) -> int:
    """How many Han characters before ``end`` the annotation reads, 0 when it reads none."""
    run = 0
    while run < _MAX_CHARS and end - run - 1 >= 0 and _HAN.match(text[end - run - 1]):
        run += 1
    target, toned = _target(annotation)
    for length in range(1, run + 1):
        if _reads(target, toned, text[end - length : end]):
            return length
    return 0


def strip_pinyin(text: str) -> tuple[str, tuple[str, ...]]:
    """``text`` without verified pinyin annotations, and the annotations removed.

    Repeats until nothing changes, so ``戰(zhàn)(zhàn)`` loses both and the result is stable.
    """
    removed: list[str] = []
    if "(" not in text and "（" not in text:
        return text, ()
    while True:
        pieces: list[str] = []
        last = 0
        for match in _ANNOTATION.finditer(text):
            if _annotated_length(text, match.start(), match.group(1)):
                pieces.append(text[last : match.start()])
                removed.append(match.group(0))
                last = match.end()
        if last == 0:
            return text, tuple(removed)
        pieces.append(text[last:])
        text = "".join(pieces)
