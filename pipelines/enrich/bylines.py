"""Which lines of the cleaned text hold its bylines: reporters, 来源, 作者, 责任编辑 and time lines.

The parsing of a line is the shared :mod:`pipelines.fields.bylines` (the one extraction uses on
page regions); this module decides which lines of a text to read:

* label lines: ``来源: 安徽新闻联播``, ``时间:2023-06-03 浏览:182 分类:网络`` — a line made only
  of ``label:value`` pairs, starting with a known label, anywhere in the text (the first wins);
* reporter parentheses: ``（记者 梁建伟 曾福泉 见习记者 何冬健）`` at the start or end of a
  paragraph, or after a dateline (``新华社巴黎12月9日电（记者唐霁）``);
* reporter lines: a whole short line such as ``本报记者 王乐文 方敏`` among the first or last
  lines;
* names without a label where only names can stand: a dateline's parenthesis
  (``中新社平潭3月18日电 (白志斌)``) in the first lines, a closing ``（王卫东）`` in the last.
"""

from __future__ import annotations

from dataclasses import dataclass

from crawler.items import Person
from pipelines.fields.bylines import byline_people, closing_people, dateline_people, label_pairs, parenthesized_people
from pipelines.fields.text import lines_of, nfkc
from pipelines.vocab import FieldVocabulary

HEAD_LINES = 6
"""Label and reporter lines stand near the title or after the last paragraph."""
TAIL_LINES = 6
REPORTER_LINE_MAX = 60
"""A reporter line is short; a longer line that opens with 记者 is a sentence."""
DATELINE_LINES = 2
"""A dateline opens the text, after at most a subtitle or 原标题 line."""
CLOSING_LINES = 2
"""A closing parenthesis of names ends the last paragraph or stands after it."""


@dataclass(frozen=True)
class LabelLine:
    label: str
    value: str
    line: int
    """Index of the line among the text's non-empty lines."""


def find_authors(body: str | None, vocab: FieldVocabulary) -> tuple[list[Person], str] | None:
    """The first byline's people and the rule that read them (``reporter_parenthesis``,
    ``reporter_line``, ``dateline_names`` or ``closing_names``), in reading order; ``None`` when
    the text prints no byline."""
    lines = lines_of(body)
    edge = set(range(min(HEAD_LINES, len(lines)))) | set(range(max(0, len(lines) - TAIL_LINES), len(lines)))
    for index, line in enumerate(lines):
        people = parenthesized_people(line, vocab)
        if people:
            return people, "reporter_parenthesis"
        if index in edge and len(line) <= REPORTER_LINE_MAX and (named := byline_people(line, vocab)):
            return named, "reporter_line"
    for line in lines[:DATELINE_LINES]:
        if people := dateline_people(line, vocab):
            return people, "dateline_names"
    for line in lines[-CLOSING_LINES:]:
        if people := closing_people(line, vocab):
            return people, "closing_names"
    return None


def labeled_values(body: str | None, vocab: FieldVocabulary) -> dict[str, LabelLine]:
    """``{field: label line}`` from every label line of the body, the first line of a field wins."""
    values: dict[str, LabelLine] = {}
    for index, line in enumerate(lines_of(body)):
        for field, found in (label_pairs(nfkc(line), vocab) or {}).items():
            values.setdefault(field, LabelLine(found.label, found.value, index))
    return values
