"""Repeated passages and leading repeats of the title or subtitle.

Scraped pages often carry the article twice (a run-together copy from one template block and a
paragraphed copy from another, seeds/001) and start the body with the heading again.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Sequence

from pipelines.text.removal import Removal

_MIN_LINES = 2  # two lines and 50 characters: coincidences of short lines are not passages
_MIN_CHARS = 50
_MIN_SINGLE_CHARS = 100  # one long paragraph printed twice is a repeat on its own
_TOP_LINES = 3  # where a heading printed twice is a copy
_SENTENCE_END = re.compile(r"[。！？；!?;]")
_MAX_POSITIONS = 64  # bounds the work on pathological inputs (hundreds of identical lines)


def line_key(line: str) -> str:
    """What two lines must share to count as the same: their text without whitespace."""
    return "".join(line.split())


def _reads_as_prose(keys: Sequence[str], chars: int) -> bool:
    """Whether most of a run's characters are in sentences. Lists and tables repeat their rows
    (合格, 主 任：…, the header of every table); a scraped article copy is paragraphs."""
    prose = sum(len(key) for key in keys if _SENTENCE_END.search(key))
    return 2 * prose >= chars


def _longest_repeat(keys: Sequence[str]) -> tuple[int, int, int] | None:
    """``(a, b, length)``: the repeated run of keys with the most characters, copies at ``a``
    and ``b`` not overlapping, or ``None``."""
    positions: dict[str, list[int]] = defaultdict(list)
    for index, key in enumerate(keys):
        positions[key].append(index)
    best: tuple[int, int, int] | None = None
    best_chars = 0
    for found in positions.values():
        found = found[:_MAX_POSITIONS]
        for i, a in enumerate(found):
            for b in found[i + 1 :]:
                if a > 0 and keys[a - 1] == keys[b - 1]:
                    continue  # not the start of the run
                length = 0
                while b + length < len(keys) and a + length < b and keys[a + length] == keys[b + length]:
                    length += 1
                chars = sum(len(keys[a + t]) for t in range(length))
                big_enough = (length >= _MIN_LINES and chars >= _MIN_CHARS) or chars >= _MIN_SINGLE_CHARS
                if big_enough and chars > best_chars and _reads_as_prose(keys[a : a + length], chars):
                    best, best_chars = (a, b, length), chars
    return best


def _blank_lines(lines: Sequence[str], first: int, last: int) -> int:
    return sum(1 for line in lines[first : last + 1] if not line)


def drop_repeated_passage(lines: Sequence[str], title: str | None = None) -> tuple[list[str], tuple[Removal, ...]]:
    """``lines`` with every repeated passage kept once, and the removed copies.

    Of two copies the one with more paragraph breaks (blank lines) is kept, the first on a tie.
    When the line before the dropped copy is the line before the kept copy run together with
    the title (``标题【栏目】导语``, seeds/001 line 3), it goes with the copy.
    """
    result = list(lines)
    removed: list[Removal] = []
    title_key = line_key(title) if title else None
    while True:
        where = [index for index, line in enumerate(result) if line]
        keys = [line_key(result[index]) for index in where]
        repeat = _longest_repeat(keys)
        if repeat is None:
            return result, tuple(removed)
        a, b, length = repeat
        span_a = (where[a], where[a + length - 1])
        span_b = (where[b], where[b + length - 1])
        drop_first = _blank_lines(result, *span_b) > _blank_lines(result, *span_a)
        dropped, kept = (a, b) if drop_first else (b, a)
        drop = set(where[dropped : dropped + length])
        if dropped > 0 and kept > 0 and dropped - 1 != kept + length - 1:
            before_dropped, before_kept = keys[dropped - 1], keys[kept - 1]
            prefix = before_dropped[: len(before_dropped) - len(before_kept)]
            if (
                before_dropped != before_kept
                and before_dropped.endswith(before_kept)
                and prefix in ("", title_key)
                and where[dropped - 1] not in drop
            ):
                drop.add(where[dropped - 1])
        removed.append(Removal("repeat_passage", "\n".join(result[index] for index in sorted(drop))))
        result = [line for index, line in enumerate(result) if index not in drop]


def printed_twice(lines: Sequence[str], heading: str | None) -> bool:
    """Whether the top of the text prints ``heading`` twice (as a line, or opening a line).

    A heading printed once at the top of a body is the document's own title line (notices
    print it above their text, and it is real text); printed twice it is a scraper's copy
    (seeds/001: the title, then the title run together with the first paragraph). Only the
    first lines count: further down a line may open with the same words (a notice's issuer
    signs it at the end).
    """
    key = line_key(heading) if heading else ""
    top = [line_key(line) for line in lines if line][:_TOP_LINES]
    return bool(key) and sum(1 for line in top if line.startswith(key)) >= 2


def drop_leading_repeats(lines: Sequence[str], headings: Sequence[str | None]) -> tuple[list[str], tuple[Removal, ...]]:
    """``lines`` without leading lines that repeat one of ``headings`` (title, subtitle)."""
    keys = {line_key(heading) for heading in headings if heading}
    result = list(lines)
    removed: list[Removal] = []
    while True:
        first = next((index for index, line in enumerate(result) if line), None)
        if first is None or line_key(result[first]) not in keys:
            return result, tuple(removed)
        removed.append(Removal("repeat_heading", result[first]))
        del result[: first + 1]
