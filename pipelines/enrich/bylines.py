"""Bylines printed inside the text: reporters, 来源, 作者 and time lines.

Three shapes (labels and roles in ``pipelines/vocab/labels.tsv``):

* label lines: ``来源: 安徽新闻联播``, ``时间:2023-06-03 浏览:182 分类:网络`` — a line made only
  of ``label:value`` pairs, starting with a known label;
* reporter parentheses: ``（记者 梁建伟 曾福泉 见习记者 何冬健）`` at the start or end of a
  paragraph, or after a dateline (``新华社巴黎12月9日电（记者唐霁）``);
* reporter lines: a whole short line such as ``本报记者 王乐文 方敏``.

Every token of a candidate byline must be a role label, a filler word or a 2-4 character name,
so running text that merely mentions a reporter (``记者了解到``) is never read as a byline.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from pipelines.fields.text import lines_of, nfkc
from pipelines.patterns import alternation
from pipelines.vocab import FieldVocabulary

_NAME = re.compile(r"[\u4e00-\u9fff]{2,4}|[\u4e00-\u9fff]{1,5}·[\u4e00-\u9fff]{1,6}")
_PARENTHESIS = re.compile(r"[(（]([^()（）]{2,60})[)）]")
_SEPARATORS = re.compile(r"[\s、，,]+")
HEAD_LINES = 6
"""Label and reporter lines stand near the title or after the last paragraph."""
TAIL_LINES = 6
PARAGRAPH_START = 40
"""A leading byline follows at most a dateline (``长江网10月4日讯``)."""
SOURCE_MAX = 30
"""A 来源 longer than this is a sentence that begins with the label, not an outlet."""
_SENTENCE_MARKS = re.compile(r"[。，！？；,;!?]")


@dataclass(frozen=True)
class Author:
    name: str
    role: str

    def as_dict(self) -> dict[str, str]:
        return {"name": self.name, "role": self.role}


def is_name(token: str, vocab: FieldVocabulary) -> bool:
    """Whether ``token`` can be a person's name: 2-4 Han characters (or a ``·`` name), no
    function characters."""
    return bool(_NAME.fullmatch(token)) and not vocab.not_name_chars.intersection(token)


def _role_prefix(token: str, vocab: FieldVocabulary) -> str | None:
    for label in sorted(vocab.roles, key=len, reverse=True):
        if token.startswith(label):
            return label
    return None


def authors_in_byline(text: str, vocab: FieldVocabulary) -> list[Author] | None:
    """The people a byline names with their roles, or ``None`` if ``text`` is not a byline.

    ``记者 梁建伟 曾福泉 见习记者 何冬健`` -> 梁建伟, 曾福泉 (reporter), 何冬健 (trainee_reporter).
    The text must start with a role label and hold nothing but labels, fillers and names.
    """
    tokens = [token for token in _SEPARATORS.split(text.strip()) if token]
    if not tokens or _role_prefix(tokens[0], vocab) is None:
        return None
    authors: list[Author] = []
    role: str | None = None
    for token in tokens:
        label = _role_prefix(token, vocab)
        name = token
        if label is not None:
            role = vocab.roles[label]
            name = token[len(label) :].lstrip("/:：")
            if not name:
                continue
        if name in vocab.not_names:
            continue
        if role is None or not is_name(name, vocab):
            return None
        authors.append(Author(name, role))
    return authors or None


def _paragraph_bylines(paragraph: str, vocab: FieldVocabulary) -> list[list[Author]]:
    found = []
    for match in _PARENTHESIS.finditer(paragraph):
        at_start = match.start() <= PARAGRAPH_START
        at_end = not paragraph[match.end() :].strip(" 。.")
        if (at_start or at_end) and (authors := authors_in_byline(match.group(1), vocab)):
            found.append(authors)
    return found


def find_authors(body: str | None, vocab: FieldVocabulary) -> tuple[list[Author], str] | None:
    """The first byline's people and the rule that read them (``reporter_parenthesis`` or
    ``reporter_line``), in reading order; ``None`` when the text prints no byline."""
    lines = lines_of(body)
    edge = set(range(min(HEAD_LINES, len(lines)))) | set(range(max(0, len(lines) - TAIL_LINES), len(lines)))
    for index, line in enumerate(lines):
        for authors in _paragraph_bylines(line, vocab):
            return authors, "reporter_parenthesis"
        if index in edge and len(line) <= SOURCE_MAX * 2 and (named := authors_in_byline(line, vocab)):
            return named, "reporter_line"
    return None


def label_pairs(line: str, vocab: FieldVocabulary) -> dict[str, str] | None:
    """``{field: value}`` of a line made only of ``label:value`` pairs, else ``None``.

    ``时间:2023-06-03 浏览:182 分类:网络`` -> ``{"published": "2023-06-03", "views": "182",
    "category": "网络"}``. The first pair's value wins when a field repeats.
    """
    labels = alternation(vocab.labels)
    flat = nfkc(line).strip().strip("【】[]")
    starts = list(re.finditer(rf"(?:^|(?<=[\s|丨]))({labels})\s*:\s*", flat))
    if not starts or starts[0].start() != 0:
        return None
    pairs: dict[str, str] = {}
    for match, following in zip(starts, [*starts[1:], None], strict=True):
        value = flat[match.end() : following.start() if following else len(flat)].strip()
        if value:
            pairs.setdefault(vocab.labels[match.group(1)], value)
    return pairs


def labeled_values(body: str | None, vocab: FieldVocabulary) -> dict[str, tuple[str, int]]:
    """``{field: (value, line index)}`` from every label line of the body, first line wins."""
    values: dict[str, tuple[str, int]] = {}
    for index, line in enumerate(lines_of(body)):
        for field, value in (label_pairs(line, vocab) or {}).items():
            values.setdefault(field, (value, index))
    return values


def byline_value(value: str) -> str | None:
    """A 来源 or 责任编辑 value as printed, or ``None`` when the value reads as a sentence."""
    value = value.strip().strip("【】[]()（）")
    if not value or len(value) > SOURCE_MAX or _SENTENCE_MARKS.search(value):
        return None
    return value


def authors_from_label(value: str, vocab: FieldVocabulary) -> list[Author] | None:
    """People of a ``作者：`` / ``记者：`` line value, each a 2-4 character name, else ``None``."""
    names = [token for token in _SEPARATORS.split(value.strip()) if token]
    if not names or not all(is_name(name, vocab) for name in names):
        return None
    return [Author(name, "author") for name in names]
