"""Boilerplate inside article text: share prompts, related/recommended lists, comment areas,
widget rows, login and promo lines, previous/next links, photo credits, copyright notices,
contact spam, breadcrumbs, view counters and byline lines.

All phrases and patterns are data in ``pipelines/vocab/text_*.tsv``; this module only decides how
far a block reaches. A breadcrumb yields ``section``; the items of related-article lists yield
``related``; byline lines (``boilerplate_byline`` removals) are what cleaning keeps for enrichment
(``Annex.bylines``); everything else is dropped.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from pipelines.text.removal import Removal
from pipelines.vocab import load_vocabulary

_BULLET = re.compile(r"^(?:[-·•*▪►◆●]\s*|\d{1,2}[.、)]\s*)")
_TEASER_END = ("...", "…", "》》", ">>")
# Headlines end in ! or ? often, in a full stop rarely; article paragraphs end in one, and a
# line ending in a comma is a piece of a sentence.
_NOT_ITEM_END = ("。", "；", ";", "，", ",", "、")
_MARKER_PREFIX_MAX = 2  # "你 发表评论:" (seeds/001 line 54): a pronoun before the marker
_MARKER_MAX = 12 + _MARKER_PREFIX_MAX  # longer lines are never a marker; checked before the vocabulary
_ITEM_MAX = 40  # list items (headlines) are short; article paragraphs are not
_FRAGMENT_LINE_MAX = 80  # counters are stripped from metadata lines only
_UNBALANCED_OPENERS = {"《": "》", "“": "”", "【": "】", "(": ")", "（": "）"}


@dataclass(frozen=True)
class BoilerplateResult:
    lines: tuple[str, ...]
    removed: tuple[Removal, ...]
    section: str | None
    related: tuple[str, ...]


def breadcrumb(line: str) -> tuple[str, ...] | None:
    """The crumbs of a breadcrumb line (``当前位置:首页 > 靖江产业信息 > 正文内容``), else ``None``."""
    vocab = load_vocabulary().text
    label = vocab.breadcrumb_label.match(line)
    if label:
        rest = line[label.end() :]
    elif vocab.breadcrumb_unlabelled.match(line):
        rest = line
    else:
        return None
    crumbs = tuple(crumb for crumb in vocab.breadcrumb_separators.split(rest) if crumb)
    if len(crumbs) < 2 and not (label and crumbs):
        return None
    return crumbs


def section_of(crumbs: Sequence[str]) -> str | None:
    """The last crumb that names a section (not 首页 / 正文 …)."""
    generic = load_vocabulary().text.breadcrumb_generic
    specific = [crumb for crumb in crumbs if crumb not in generic]
    return specific[-1] if specific else None


def marker_kind(line: str) -> str | None:
    """The block kind when ``line`` is only a block marker (推荐阅读, 评论列表 …)."""
    phrase = line.rstrip(":：").strip()
    if len(phrase) > _MARKER_MAX:
        return None
    for marker in load_vocabulary().text.markers:
        prefix = phrase[: len(phrase) - len(marker.phrase)].strip()
        if phrase.endswith(marker.phrase) and len(prefix) <= _MARKER_PREFIX_MAX:
            return marker.kind
    return None


def line_kind(line: str) -> str | None:
    """The kind of a whole boilerplate line (share prompt, widget row, copyright, byline …)."""
    return next((rule.kind for rule in load_vocabulary().text.lines if rule.pattern.search(line)), None)


def strip_fragments(line: str) -> tuple[str, tuple[Removal, ...]]:
    """``line`` without view counters and similar fragments (metadata lines only)."""
    if len(line) > _FRAGMENT_LINE_MAX:
        return line, ()
    removed: list[Removal] = []
    for rule in load_vocabulary().text.fragments:
        for match in rule.pattern.finditer(line):
            removed.append(Removal(f"boilerplate_{rule.kind}", match.group(0).strip()))
        line = rule.pattern.sub(" ", line)
    return " ".join(line.split()), tuple(removed)


def is_block_item(line: str) -> bool:
    """Whether a line inside a related/comment block is one of its items (a short headline,
    a bulleted entry or a truncated teaser) rather than the article resuming."""
    return (
        bool(_BULLET.match(line))
        or line.endswith(_TEASER_END)
        or (len(line) <= _ITEM_MAX and not line.endswith(_NOT_ITEM_END))
    )


def related_title(item: str) -> str | None:
    """The headline of a related-list item, ``None`` for teasers."""
    if item.endswith(_TEASER_END):
        return None
    title = _BULLET.sub("", item).strip()
    opener = title[:1]
    if opener in _UNBALANCED_OPENERS and _UNBALANCED_OPENERS[opener] not in title:
        title = title[1:].strip()
    return title or None


def contact_lines(lines: Sequence[str]) -> frozenset[int]:
    """Indexes of contact/advertising spam lines: lines with a strong marker, grown over
    neighbouring lines (blank lines skipped) that carry a phone number or WeChat label."""
    vocab = load_vocabulary().text
    found = {i for i, line in enumerate(lines) if line and any(p.search(line) for p in vocab.contact_strong)}
    queue = sorted(found)
    while queue:
        index = queue.pop()
        for step in (-1, 1):
            neighbour = index + step
            while 0 <= neighbour < len(lines) and not lines[neighbour]:
                neighbour += step
            if (
                0 <= neighbour < len(lines)
                and neighbour not in found
                and any(p.search(lines[neighbour]) for p in vocab.contact_weak)
            ):
                found.add(neighbour)
                queue.append(neighbour)
    return frozenset(found)


def strip_boilerplate(lines: Sequence[str]) -> BoilerplateResult:
    """``lines`` without boilerplate (blank lines kept), with what was removed and found."""
    contact = contact_lines(lines)
    kept: list[str] = []
    removed: list[Removal] = []
    related: list[str] = []
    section: str | None = None
    block: str | None = None
    for index, line in enumerate(lines):
        if not line:
            kept.append(line)
            continue
        crumbs = breadcrumb(line)
        if crumbs is not None:
            section = section or section_of(crumbs)
            removed.append(Removal("boilerplate_breadcrumb", line))
            continue
        kind = marker_kind(line)
        if kind:
            block = kind
            removed.append(Removal(f"boilerplate_{kind}", line))
            continue
        kind = line_kind(line) or ("contact" if index in contact else None)
        if kind:
            removed.append(Removal(f"boilerplate_{kind}", line))
            continue
        if block and is_block_item(line):
            removed.append(Removal(f"boilerplate_{block}", line))
            title = related_title(line) if block == "related" else None
            if title and title not in related:
                related.append(title)
            continue
        block = None
        line, fragments = strip_fragments(line)
        removed.extend(fragments)
        if line:
            kept.append(line)
    return BoilerplateResult(tuple(kept), tuple(removed), section, tuple(related))
