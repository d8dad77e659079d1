"""Spun ("pseudo-original", 伪原创) text: synonym substitution by spinning tools.

Hand-written because no library detects it: the tools swap words from fixed synonym tables
(创新→立异, 发展→展开, 技术→技能, 研究→研讨 …), so their output is full of phrases that genuine
writers almost never produce, while the phrases they replaced become rare. A language-model
perplexity score would need model weights and would also flag plain but genuine government
prose. The phrase table is ``pipelines/vocab/spun.tsv``; the score combines three measures so that no
single one decides:

* ``ratio``: weighted spun phrases / (spun + their originals). Genuine text about innovation
  says 创新 dozens of times; a spun copy says 立异 instead.
* ``density``: weighted spun phrases per 1000 Han characters, saturating, so one stray hit
  in a long genuine article stays small.
* ``breadth``: how many different substitutions occur; a tool swaps many words, a genuine
  text that happens to use one listed phrase uses one.

The text is scored, never rewritten.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

from pipelines.vocab import load_vocabulary

_HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff]")
_DENSITY_SCALE = 4.0  # weighted hits per 1000 Han characters at which density reaches 63%
_BREADTH_FULL = 4  # distinct substitutions at which breadth is full
SPUN_THRESHOLD = 0.5


@dataclass(frozen=True)
class SpunEvidence:
    spun: float
    original: float
    distinct: int
    han_chars: int

    @property
    def score(self) -> float:
        if self.spun == 0:
            return 0.0
        ratio = self.spun / (self.spun + self.original + 1)
        density = 1 - math.exp(-(1000 * self.spun / max(self.han_chars, 1)) / _DENSITY_SCALE)
        breadth = min(1.0, self.distinct / _BREADTH_FULL)
        return round(ratio * density * breadth, 3)


def spun_evidence(text: str) -> SpunEvidence:
    spun = 0.0
    distinct = 0
    for phrase in load_vocabulary().text.spun:
        hits = text.count(phrase.spun) - sum(text.count(word) for word in phrase.keep_in)
        if hits > 0:
            spun += phrase.weight * hits
            distinct += 1
    if not spun:  # the score is 0 whatever the rest says; genuine text stops here
        return SpunEvidence(0.0, 0.0, 0, 0)
    original = sum(phrase.weight * text.count(phrase.original) for phrase in load_vocabulary().text.spun)
    return SpunEvidence(spun, original, distinct, len(_HAN.findall(text)))


def spun_score(text: str) -> float:
    """0 (genuine) .. 1 (spun), rounded to 3 decimals."""
    return spun_evidence(text).score
