"""The text a near-duplicate signature is taken over, and its character shingles.

Two copies of one article differ most in what surrounds the text: 来源/作者 header lines,
print and share links, related-article titles, copyright and ICP footers that the cleaning
stage does not know yet. Those lines are not sentences, so the signature text is made of the
*sentence lines* only: lines with sentence-final punctuation (。！？；), or with a comma and at
least :data:`MIN_CLAUSE_CHARS` content characters (the cut-off last line of a truncated copy,
a paragraph whose full stop the page lost). A body whose sentence
lines hold less than half of its characters (tables, procurement notices made of
``项目名称：…`` fields) is taken whole, so its signature still covers its content.

Within the kept lines only Han characters, digits and Latin letters count: punctuation (ASCII
vs full-width), spaces and line breaks differ between copies and carry no content. Latin
letters are lower-cased so ``GDP`` and ``gdp`` agree.
"""

from __future__ import annotations

import re
import unicodedata

_NOT_CONTENT = re.compile(r"[^0-9a-z\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+")
_SENTENCE_END = re.compile(r"[。!?;]")  # after NFKC: 。 ! ? ; (full-width ！？； become ASCII)
_CLAUSE = re.compile(r"[,、]")
MIN_CLAUSE_CHARS = 20
MIN_SENTENCE_SHARE = 0.5
"""Share of the content characters the sentence lines must hold to be used alone."""


def content_chars(text: str) -> str:
    """``text`` after NFKC, lower-cased, with everything but Han, digits and letters removed."""
    return _NOT_CONTENT.sub("", unicodedata.normalize("NFKC", text).lower())


def is_sentence_line(line: str) -> bool:
    """Whether an NFKC-normalized line reads as running text rather than page furniture."""
    if _SENTENCE_END.search(line):
        return True
    return bool(_CLAUSE.search(line)) and len(content_chars(line)) >= MIN_CLAUSE_CHARS


def shingle_text(body: str) -> str:
    """The content characters of the sentence lines of ``body`` (all lines when those hold
    less than :data:`MIN_SENTENCE_SHARE` of the content)."""
    lines = [unicodedata.normalize("NFKC", line) for line in body.splitlines()]
    whole = content_chars("".join(lines))
    sentences = content_chars("".join(line for line in lines if is_sentence_line(line)))
    if whole and len(sentences) >= MIN_SENTENCE_SHARE * len(whole):
        return sentences
    return whole


def shingles(body: str, size: int) -> set[str]:
    """The set of ``size``-character shingles of :func:`shingle_text` (a shorter text is one
    shingle, an empty one none)."""
    if size < 1:
        raise ValueError(f"shingle size must be at least 1, got {size}")
    text = shingle_text(body)
    if len(text) <= size:
        return {text} if text else set()
    return {text[i : i + size] for i in range(len(text) - size + 1)}
