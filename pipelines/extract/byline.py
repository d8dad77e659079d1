"""Byline fields: 来源 (source_name), authors with roles, and 责任编辑 (editor).

Bylines are short lines between the heading and the text, or at the text's end, of the form
``label[separator]value`` (来源：新华网, 作者︱春春, 【责任编辑：严玉洁】), or a dateline
parenthesis opening the first paragraph (（记者陈智 整合）). Labels come from
``pipelines/vocab/labels.tsv``; the search reads the page's short text blocks, header region first.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from pipelines.patterns import alternation
from pipelines.vocab import FieldVocabulary

_HAN = r"\u3400-\u9fff"
#: A personal name: 2-4 Han characters, or a transliterated name with a middle dot.
_NAME = re.compile(rf"[{_HAN}]{{2,4}}(?:[·・][{_HAN}]{{1,8}})*")
_END_OF_VALUE = re.compile(r"[\s）)】\]」』|｜，,;；]")


@dataclass(frozen=True)
class Person:
    name: str
    role: str


def _label_pattern(labels: tuple[str, ...], separators: str) -> re.Pattern[str]:
    return re.compile(rf"(?P<label>{alternation(labels)})\s*[{re.escape(separators)}]+\s*")


def labelled_value(text: str, labels: tuple[str, ...], vocab: FieldVocabulary) -> str | None:
    """The value printed after the first of ``labels`` in ``text`` (up to a space or bracket)."""
    pattern = _label_pattern(labels, "：:︱|｜")
    for match in pattern.finditer(text):
        rest = text[match.end() :]
        end = _END_OF_VALUE.search(rest)
        value = rest[: end.start()] if end else rest
        # 来源：【打印】 and 来源：访问量：199 are empty labels followed by page furniture.
        if (
            value
            and not _starts_with_label(value, vocab)
            and not re.match(r"[【\[(（<《]", value)
            and "：" not in value
            and ":" not in value
        ):
            return value
    return None


def _starts_with_label(value: str, vocab: FieldVocabulary) -> bool:
    labels = (
        *vocab.source_labels,
        *vocab.editor_labels,
        *vocab.published_labels,
        *vocab.author_labels,
    )
    return any(value.startswith(label) for label in labels)


def byline_line_pattern(vocab: FieldVocabulary) -> re.Pattern[str]:
    """Lines that are bylines rather than text: ``[【（(]label：…`` for every byline label."""
    labels = (
        *vocab.source_labels,
        *vocab.editor_labels,
        *vocab.published_labels,
        "资料来源",
        *(label for label in vocab.author_labels if len(label) > 1),
    )
    alternatives = alternation(labels)
    return re.compile(rf"^\s*[\[【（(]?\s*(?:{alternatives})\s*[：:︱|｜]")


def names_in(value: str, vocab: FieldVocabulary) -> list[str]:
    """Personal names in a byline value: ``王乐文 方敏`` -> both, ``…研究员徐占忱`` -> 徐占忱."""
    titled = list(re.finditer(alternation(vocab.name_titles, longest_first=False), value))
    if titled:
        value = value[titled[-1].end() :]
    names: list[str] = []
    parts = [p for p in re.split(r"[\s、，,/／;；]+", value) if p]
    merged: list[str] = []
    for part in parts:
        # Two-character names are padded to three with a space in typeset bylines (方 敏).
        if merged and len(merged[-1]) == 1 and len(part) == 1:
            merged[-1] += part
        else:
            merged.append(part)
    for part in merged:
        match = _NAME.match(part)
        if not match or match.group(0) in vocab.not_names:
            if names:
                break
            continue
        name = match.group(0)
        for word in vocab.not_names:
            name = name.removesuffix(word)
        if len(name) >= 2:
            names.append(name)
    return names


def people_in(text: str, vocab: FieldVocabulary, strict: bool, loose: bool = False) -> list[Person]:
    """Authors named in a byline line, each with the role label printed before them.

    ``strict`` lines come from running text (the first paragraph): there a role must open a
    parenthesis (（记者陈智 整合）) so that 记者了解到 … is never read as a byline.
    """
    found: list[Person] = []
    alternatives = alternation(vocab.author_labels)
    opener = r"[（(【\[]\s*" if strict else ("" if loose else r"(?:^|[\s（(【\[》」])\s*")
    pattern = re.compile(rf"{opener}(?P<label>{alternatives})\s*[：:︱|｜/／]?\s*")
    roles = vocab.roles
    for match in pattern.finditer(text):
        label = match["label"]
        if len(label) == 1 and not re.match(r"[：:︱|｜/／]", text[match.end() - 1 : match.end()] or " "):
            continue  # a bare 文/图 is only a role when a separator follows (文/张三)
        rest = text[match.end() :]
        stop = re.search(r"[）)】\]|｜]", rest)
        segment = rest[: stop.start()] if stop else rest[:40]
        for name in names_in(segment, vocab):
            found.append(Person(name, roles[label]))
        if found:
            break
    return found


_PHOTO_CREDIT = re.compile(rf"[。，\s](?P<name>[{_HAN}]{{2,3}})\s*[摄攝]$")
_NAME_SLASH_OUTLET = re.compile(rf"^(?P<name>[{_HAN}]{{2,4}})\s*[/／]\s*(?P<outlet>[{_HAN}·]{{2,14}})$")


def photo_credit(text: str, vocab: FieldVocabulary) -> str | None:
    """The photographer of a caption ending in ``王煌忠攝`` / ``周斌 摄``."""
    match = _PHOTO_CREDIT.search(text)
    return match["name"] if match and match["name"] not in vocab.not_names else None


def name_and_outlet(text: str) -> tuple[str, str] | None:
    """A header line ``石佳/中国青年报``: the author and the outlet."""
    match = _NAME_SLASH_OUTLET.match(text.strip())
    return (match["name"], match["outlet"]) if match else None
