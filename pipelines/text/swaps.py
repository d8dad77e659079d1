"""Character swaps planted against scrapers or produced by spinning tools (``蕞`` for ``最``).

The table is ``pipelines/vocab/swaps.tsv``; each entry lists the words in which the swapped
character is itself right (``蕞尔``), and those are left alone.
"""

from __future__ import annotations

import functools
import re

from pipelines.patterns import alternation
from pipelines.vocab import Swap, load_vocabulary


@functools.cache
def _pattern(swap: Swap) -> re.Pattern[str]:
    # Genuine words are tried first, so a swapped character inside one is consumed unchanged.
    keep = alternation(swap.keep_in)
    return re.compile(f"({keep})|{re.escape(swap.swapped)}" if keep else re.escape(swap.swapped))


def fix_swaps(text: str) -> tuple[str, int]:
    """``text`` with swapped characters restored, and how many were restored."""
    total = 0
    for swap in load_vocabulary().text.swaps:
        count = 0

        def replace(match: re.Match[str], swap: Swap = swap) -> str:
            nonlocal count
            if match.lastindex and match.group(1):
                return match.group(1)
            count += 1
            return swap.correct

        text = _pattern(swap).sub(replace, text)
        total += count
    return text, total
