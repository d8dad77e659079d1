"""Regular-expression alternations built from vocabulary word lists, once per list.

The extraction and enrichment rules match label and keyword lists from the vocabulary
(``来源``, ``发布时间``, ``索引号`` …). Escaping and sorting those lists on every call cost
0.3 ms per article (377,000 ``re.escape`` calls for 500 articles, profiled on the crawl
benchmark's pages); the alternation of a list is now built the first time it is asked for.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import lru_cache


def alternation(words: Iterable[str], *, longest_first: bool = True, spaced: bool = False) -> str:
    """``a|b|c`` matching any of ``words`` literally.

    ``longest_first`` puts longer words first, so that ``发布时间`` wins over ``发布`` at the same
    place; otherwise the given order is kept. ``spaced`` lets whitespace pad every character
    (``索 引 号``).
    """
    return _alternation(tuple(words), longest_first, spaced)


@lru_cache(maxsize=512)
def _alternation(words: tuple[str, ...], longest_first: bool, spaced: bool) -> str:
    unique = list(dict.fromkeys(words))
    if longest_first:
        unique.sort(key=len, reverse=True)
    if spaced:
        return "|".join(r"\s*".join(re.escape(char) for char in word) for word in unique)
    return "|".join(re.escape(word) for word in unique)
