"""Titles: injected spam, site-name suffixes, subtitles, and titles hidden in the body
(red-header government documents, pages whose first line is a breadcrumb).

Vocabulary: ``pipelines/vocab/title_*.tsv``.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from pipelines.fields.docnumber import LATEST_YEAR, doc_number_line
from pipelines.text.normalize import normalize_line
from pipelines.text.removal import Removal
from pipelines.text.repeats import line_key
from pipelines.vocab import load_vocabulary

_SUBTITLE_MIN, _SUBTITLE_MAX = 4, 60
_TITLE_MAX = 80  # a promoted first line longer than this is a paragraph, not a heading
_NOT_HEADING_END = ("。", "；", ";", "，", ",", "：", ":", "、")
_COLUMN_TAG = re.compile(r"^【[^】]{2,20}】.{4,}")  # 【推进长三角一体化发展】安徽:… (seeds/001)
_SITE_SEGMENT_MAX = 20
_HEADER_TITLE_LINES = 3
#: First lines that are not headings: a date, a label with its value (案 由：…, 原标题：…).
_NOT_A_TITLE = re.compile(r"^(?:(?:19|20)\d{2}\s*[-/.年]|[^：:]{1,8}[：:])")


def strip_title_spam(title: str) -> tuple[str, tuple[Removal, ...]]:
    """``title`` without injected fragments such as ``股票002329`` (seeds/004)."""
    removed: list[Removal] = []
    for pattern in load_vocabulary().text.title_spam:
        removed.extend(Removal("title_spam", match.group(0)) for match in pattern.finditer(title))
        title = pattern.sub("", title)
    return normalize_line(title), tuple(removed)


def strip_site_suffix(title: str) -> tuple[str, tuple[Removal, ...]]:
    """``title`` without trailing site names (``… _浙江在线``, ``… - 新华网``)."""
    vocab = load_vocabulary().text
    removed: list[Removal] = []
    changed = True
    while changed:
        changed = False
        for separator in vocab.suffix_separators:
            head, found, tail = title.rpartition(separator)
            tail, head = tail.strip(), head.strip()
            if found and len(head) >= 4 and 0 < len(tail) <= _SITE_SEGMENT_MAX and tail.endswith(vocab.site_words):
                removed.append(Removal("title_site", separator + tail))
                title, changed = head, True
                break
    return title, tuple(removed)


def looks_like_heading(line: str) -> bool:
    return 0 < len(line) <= _TITLE_MAX and not line.endswith(_NOT_HEADING_END)


def _first(lines: Sequence[str], start: int = 0) -> int | None:
    return next((index for index in range(start, len(lines)) if lines[index]), None)


def title_from_document_header(title: str, lines: Sequence[str]) -> tuple[str, list[str]] | None:
    """For a red-header document whose "title" is the issuer's header (``…文件``): the real
    title (the lines between the document number and the salutation, seeds/002) and the body
    without them; ``None`` when the page is not laid out that way."""
    vocab, fields = load_vocabulary().text, load_vocabulary().fields
    if not vocab.document_header.match(title):
        return None
    index = _first(lines)
    if index is not None and doc_number_line(lines[index], fields, reference_year=LATEST_YEAR):
        index = _first(lines, index + 1)
    taken: list[int] = []
    while index is not None and len(taken) < _HEADER_TITLE_LINES:
        if vocab.salutation.match(lines[index]):
            break
        if not looks_like_heading(lines[index]):
            return None
        taken.append(index)
        index = _first(lines, index + 1)
    if not taken or index is None or not vocab.salutation.match(lines[index]):
        return None
    found = "".join(lines[i] for i in taken)
    if len(found) > _TITLE_MAX:
        return None
    return found, [line for i, line in enumerate(lines) if i not in taken]


def promoted_title(lines: Sequence[str]) -> str | None:
    """When a page has no usable title: its first line if that reads as a heading.

    The line stays in the body: a first line that reads as a heading may still be text (an
    issuer's name, a short opening line), and a heading printed once at the top is kept as
    text anyway. Dates, document numbers and ``label：value`` lines are never titles.
    """
    index = _first(lines)
    if index is None or not looks_like_heading(lines[index]) or _NOT_A_TITLE.match(lines[index]):
        return None
    if doc_number_line(lines[index], load_vocabulary().fields, reference_year=LATEST_YEAR):
        return None
    return lines[index]


def split_subtitle(lines: Sequence[str], title: str | None) -> tuple[str | None, list[str]]:
    """A subtitle at the top of the body and the body without it.

    The first line is a subtitle when it reads as a heading and either the next paragraph
    opens with it (the lede repeats the 副题, seeds/000) or it carries a column tag
    ``【…】`` followed by a headline (seeds/001).
    """
    index = _first(lines)
    if index is None:
        return None, list(lines)
    candidate = lines[index]
    if not (_SUBTITLE_MIN <= len(candidate) <= _SUBTITLE_MAX) or candidate.endswith(_NOT_HEADING_END):
        return None, list(lines)
    if title and line_key(candidate) == line_key(title):
        return None, list(lines)
    after = _first(lines, index + 1)
    lede = after is not None and len(lines[after]) > len(candidate) and lines[after].startswith(candidate)
    if not (lede or _COLUMN_TAG.match(candidate)):
        return None, list(lines)
    return candidate, [line for i, line in enumerate(lines) if i != index]
