"""Addressee of a reply or letter: ``徐剑虹委员：`` on its own line above the text."""

from __future__ import annotations

import re

from pipelines.fields.found import Found
from pipelines.fields.text import compact
from pipelines.vocab import FieldVocabulary

HEAD_LINES = 15
"""The salutation comes after masthead, 文号 and title, before the first paragraph."""
_SALUTATION = re.compile(r"(?:尊敬的)?([\u4e00-\u9fff()（）]{2,30})[:：]")


def is_letter(head: list[str], vocab: FieldVocabulary) -> bool:
    """Whether the leading lines mark a reply or letter (``答复``, ``复函`` …)."""
    flat = "".join(compact(line) for line in head[:HEAD_LINES])
    return any(marker in flat for marker in vocab.letter_markers)


def find_recipient(head: list[str], vocab: FieldVocabulary) -> Found[str] | None:
    """The addressee of a letter (rule ``salutation_line``), ``None`` for any other text."""
    if not is_letter(head, vocab):
        return None
    for line in head[:HEAD_LINES]:
        match = _SALUTATION.fullmatch(compact(line))
        if match and match.group(1).endswith(vocab.salutation_suffixes):
            return Found(match.group(1), "salutation_line")
    return None
