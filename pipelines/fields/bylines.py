"""Bylines: labelled values (来源：…, 责任编辑：…) and the people a byline names, with their roles.

One parser for both stages. Extraction hands it the short text blocks of a page's header, body
and tail regions; enrichment the lines of the cleaned text. Labels, roles and the words that are
no names are data (``pipelines/vocab/labels.tsv``, ``byline_*.tsv``), so a label or a role reads
the same whichever stage meets it: ``记者`` is the role ``reporter`` and keeps its printed label.

Labelled values: a label from ``labels.tsv`` not glued to a word before it, a colon-like
separator, and the value up to the next label (:func:`labelled_values`). A 来源 or 责任编辑 is
the first word of that value; a value that is a sentence, opens with a bracket (``【打印本页】``
after an empty label) or holds a colon is page furniture (:func:`byline_value`).

People: a byline is role labels followed by names (``记者 梁建伟 曾福泉 见习记者 何冬健``), each
name taking the role of the label before it. :func:`byline_people` reads a whole span that must
be nothing but labels, names and not-name words (running text, where ``记者了解到`` must not be a
byline, so names there may hold no function characters either); :func:`people_in` reads a
byline line from its first role label until something that is no name (page regions, where the
line is already a byline).
"""

from __future__ import annotations

import re
from collections.abc import Collection
from dataclasses import dataclass
from functools import cache, lru_cache

from crawler.items import Person, Role
from pipelines.patterns import alternation
from pipelines.vocab import FieldVocabulary

_HAN = r"\u3400-\u9fff"
#: A personal name: 2-4 Han characters, or a transliterated name with a middle dot.
_NAME = re.compile(rf"[{_HAN}]{{1,5}}(?:[·・][{_HAN}]{{1,8}})+|[{_HAN}]{{2,4}}")
_SEPARATORS = "：:︱|｜/／"
_TOKENS = re.compile(r"[\s、，,;；]+")
_NAMES = re.compile(r"[/／]")
_CLOSING = re.compile(r"[）)】\]|｜]")
_END_OF_WORD = re.compile(r"[\s）)】\]」』|｜，,;；]")
_OPENING = "【[(（<《"
_SENTENCE_END = re.compile(r"[。！？]")
_COLON = re.compile(r"[：:︱|｜]")
_QUOTED_OUTLET = re.compile(r"^《(?P<outlet>[^《》\s]{2,30})》")
_PARENTHESIS = re.compile(r"[(（【\[]([^()（）【】\[\]]{2,60})[)）】\]]")
#: What may stand right before a role label: an opening bracket, a title mark, a bullet (■本报记者).
_BEFORE_LABEL = "（(【[》」□■●◎○▲△◆◇★☆·•"
SEGMENT_MAX = 40
"""Characters after a role label read as its names when no bracket closes the byline."""
PARAGRAPH_START = 40
"""A byline parenthesis opening a paragraph follows at most a dateline (``长江网10月4日讯``)."""
VALUE_MAX = 30
"""A 来源 or 责任编辑 longer than this is a sentence that begins with the label, not a value."""


@dataclass(frozen=True)
class LabelledValue:
    label: str
    """The label as printed (``来源``, ``本文来源``)."""
    field: str
    """What the label introduces (``labels.tsv``): ``source_name``, ``editor``, ``published`` …"""
    value: str
    """The text after the separator up to the next label, stripped."""


@dataclass(frozen=True)
class _Patterns:
    label: re.Pattern[str]
    role: re.Pattern[str]
    roles_longest_first: tuple[str, ...]


@cache
def _patterns(vocab: FieldVocabulary) -> _Patterns:
    # A label glued to a Han character before it is part of a word (资料来源, 成交日期).
    label = re.compile(rf"(?<![{_HAN}])(?P<label>{alternation(vocab.labels)})\s*[：:︱|｜]+\s*")
    role = re.compile(rf"(?P<label>{alternation(vocab.author_labels)})")
    return _Patterns(label, role, tuple(sorted(vocab.author_labels, key=len, reverse=True)))


@lru_cache(maxsize=1024)
def labelled_values(line: str, vocab: FieldVocabulary) -> tuple[LabelledValue, ...]:
    """Every ``label：value`` of a line, in order: ``时间:2023-06-03 浏览:182`` -> two values.

    Remembered: extraction asks for the 来源 and twice for the 责任编辑 of the same region lines.
    """
    if not _COLON.search(line):
        return ()  # most body lines: the label alternation need not be tried at every character
    matches = list(_patterns(vocab).label.finditer(line))
    ends = [following.start() for following in matches[1:]] + [len(line)]
    return tuple(
        LabelledValue(match["label"], vocab.labels[match["label"]], line[match.end() : end].strip())
        for match, end in zip(matches, ends[: len(matches)], strict=True)
    )


def byline_value(value: str) -> str | None:
    """The 来源 or 责任编辑 a label's value names (its first word), ``None`` for page furniture.

    ``证券市场红周刊 举报`` -> ``证券市场红周刊``, ``《学习时报》`` -> ``学习时报``; a sentence
    (``本网综合，部分来自网络。``), a bracketed button (``【打印本页】``), another label's colon
    (``访问量：199``) -> ``None``.
    """
    if _SENTENCE_END.search(value):
        return None
    value = value.strip()
    quoted = _QUOTED_OUTLET.match(value)
    if quoted:
        return quoted["outlet"]  # 来源：《学习时报》（2023年6月5日 第1版）
    end = _END_OF_WORD.search(value)
    word = value[: end.start()] if end else value
    if not word or word[0] in _OPENING or "：" in word or ":" in word or len(word) > VALUE_MAX:
        return None
    return word


_PRINTED_URL = re.compile(r"https?://[A-Za-z0-9\-._~:/?#\[\]@!$&'()*+,;=%]+")


def cited_url(value: str) -> str | None:
    """The absolute URL a label's value prints (``原文链接：https://…``, ``转自：http://…``),
    without the punctuation a sentence puts after it; ``None`` when it prints none."""
    found = _PRINTED_URL.search(value)
    if found is None:
        return None
    url = found[0].rstrip(".,;:!?)]'")
    return url if "." in url.split("//", 1)[1].split("/", 1)[0] else None


def labelled_value(line: str, labels: Collection[str], vocab: FieldVocabulary) -> str | None:
    """The value of the first of ``labels`` in ``line`` that names one (:func:`byline_value`)."""
    for found in labelled_values(line, vocab):
        if found.label in labels and (value := byline_value(found.value)):
            return value
    return None


def label_pairs(line: str, vocab: FieldVocabulary) -> dict[str, LabelledValue] | None:
    """``{field: value}`` of a line made only of ``label:value`` pairs, else ``None``.

    ``时间:2023-06-03 浏览:182 分类:网络`` -> published, views and category. The line must open
    with a label, so a sentence that mentions 来源 is none; the first value of a field wins.
    """
    flat = line.strip().strip("【】[]")
    found = labelled_values(flat, vocab)
    if not found or not flat.startswith(found[0].label):
        return None
    pairs: dict[str, LabelledValue] = {}
    for value in found:
        if value.value:
            pairs.setdefault(value.field, value)
    return pairs


@cache
def byline_line_pattern(vocab: FieldVocabulary) -> re.Pattern[str]:
    """Lines that are bylines rather than text: ``[【（(]label：…`` for every byline label."""
    labels = (
        *vocab.source_labels,
        *vocab.editor_labels,
        *vocab.published_labels,
        "资料来源",
        *(label for label in vocab.author_labels if len(label) > 1),
    )
    return re.compile(rf"^\s*[\[【（(]?\s*(?:{alternation(labels)})\s*[：:︱|｜]")


def _is_han(char: str) -> bool:
    return "\u3400" <= char <= "\u9fff"


def _name(candidate: str, vocab: FieldVocabulary, *, whole: bool) -> str | None:
    """The personal name ``candidate`` is (``whole``) or starts with, without a not-name word
    glued to it (``陈智整合`` -> ``陈智``). A name is never cut out of a longer word: ``国家统计局``
    starts with no name, ``王卫东报道`` with 王卫东."""
    if whole:
        match = _NAME.fullmatch(candidate)
    else:
        match = _NAME.match(candidate)
        while match is not None:
            rest = candidate[match.end() :]
            if not rest or not _is_han(rest[0]) or rest.startswith(vocab.not_names):
                break
            match = _NAME.fullmatch(candidate, 0, match.end() - 1) if match.end() > 2 else None
    if not match or match.group(0) in vocab.not_names:
        return None
    name = match.group(0)
    for word in vocab.not_names:
        name = name.removesuffix(word)
    if len(name) < 2 or (whole and vocab.not_name_chars.intersection(name)):
        return None
    return name if is_person_name(name, vocab) else None


def is_outlet(word: str, vocab: FieldVocabulary) -> bool:
    """Whether a byline word names a news outlet (``新华社``, ``人民网``) rather than a person."""
    return len(word) >= 3 and word.endswith(vocab.outlet_suffixes)


def is_person_name(name: str, vocab: FieldVocabulary, *, labelled: bool = True) -> bool:
    """Whether a byline word can be a person: no place (``平潭``), no outlet or organization
    (``新华社``, ``统计局``). Without a role label before it (an element named author, a closing
    ``（王卫东）``) it must also look like a name: a common surname and two or three characters
    (four after a compound surname), so ``相关文章`` is none."""
    if name in vocab.places or is_outlet(name, vocab):
        return False
    if "·" in name or "・" in name:
        return True
    if len(name) >= 3 and name.endswith(vocab.org_suffixes):
        return False
    compound = name[:2] in vocab.surnames
    if labelled:
        # Four characters are a name after a compound or a common surname (欧阳修文), else a
        # word the label happened to precede (联系我们).
        return len(name) < 4 or compound or name[:1] in vocab.surnames
    return (compound and 3 <= len(name) <= 4) or (name[:1] in vocab.surnames and 2 <= len(name) <= 3)


#: Roles whose labels may be glued to the name (记者陈智); a word label (作者, 文字, 摄影) needs a
#: separator or a space, or 文字解读 would name 解读.
_GLUED_ROLES = frozenset(("reporter", "special_correspondent", "trainee_reporter", "intern", "correspondent"))


def _glued(label: str, vocab: FieldVocabulary) -> bool:
    return role_of(label, vocab) in _GLUED_ROLES


def role_of(label: str, vocab: FieldVocabulary) -> Role:
    """The role of a printed label: its own, or that of the role label it ends with (``融媒体记者``)."""
    if label in vocab.roles:
        return vocab.roles[label]
    return next(vocab.roles[known] for known in _patterns(vocab).roles_longest_first if label.endswith(known))


def _qualified_label(token: str, vocab: FieldVocabulary) -> str | None:
    """A token that is a desk or an outlet and a reporter label (``融媒体记者``, ``中国青年报记者``)."""
    for label in _patterns(vocab).roles_longest_first:
        if len(label) > 1 and _glued(label, vocab) and token.endswith(label):
            qualifier = token[: -len(label)]
            if qualifier in vocab.reporter_qualifiers or is_outlet(qualifier, vocab):
                return token
    return None


def _role_label(token: str, vocab: FieldVocabulary) -> tuple[str, str] | None:
    """``(label, rest)`` when ``token`` opens with a role label (``记者陈智``, ``文/张三``) or is a
    qualified one (``融媒体记者``)."""
    for label in _patterns(vocab).roles_longest_first:
        if token.startswith(label):
            rest = token[len(label) :]
            names = rest.lstrip(_SEPARATORS)
            if names == rest and (len(label) == 1 or (rest and not _glued(label, vocab))):
                continue  # a word label is a role only before a separator (文化, 图片, 文字解读 are words)
            return label, names
    qualified = _qualified_label(token, vocab)
    return (qualified, "") if qualified else None


def _tokens(text: str) -> list[str]:
    """Byline tokens; single characters in a row are one name (方 敏: names are typeset to 3)."""
    merged: list[str] = []
    for token in _TOKENS.split(text.strip()):
        if merged and len(merged[-1]) == 1 and len(token) == 1:
            merged[-1] += token
        elif token:
            merged.append(token)
    return merged


def _walk(text: str, vocab: FieldVocabulary, *, whole: bool, label: str | None = None) -> list[tuple[str, str | None]]:
    """``(name, role label)`` of a byline's tokens: a role label switches the role, a name takes it.

    ``whole``: every token must be a label, a name or a not-name word, else nothing is read;
    otherwise reading stops at the first token after a name that is none (and skips those
    before the first name).
    """
    named: list[tuple[str, str | None]] = []
    for token in _tokens(text):
        candidates = [token]
        opening = _role_label(token, vocab)
        if opening is not None:
            label, rest = opening
            candidates = [rest] if rest else []
        for candidate in (part for item in candidates for part in _NAMES.split(item) if part):
            if candidate in vocab.not_names:
                continue
            name = _name(candidate, vocab, whole=whole)
            if name is not None:
                named.append((name, label))
            elif whole:
                return []
            elif named:
                return named
    return named


def _people(named: list[tuple[str, str | None]], vocab: FieldVocabulary) -> list[Person]:
    return [Person(name, role_of(label, vocab), label) for name, label in named if label is not None]


def byline_people(text: str, vocab: FieldVocabulary) -> list[Person] | None:
    """The people of a span that is nothing but a byline, or ``None`` if it is anything else.

    ``记者 梁建伟 曾福泉 见习记者 何冬健`` -> 梁建伟, 曾福泉 (reporter), 何冬健 (trainee_reporter).
    The span must open with a role label.
    """
    tokens = _tokens(text)
    if not tokens or _role_label(tokens[0], vocab) is None:
        return None
    return _people(_walk(text, vocab, whole=True), vocab) or None


def labelled_people(label: str, value: str, vocab: FieldVocabulary) -> list[Person] | None:
    """The people of a role label's value in a label line (``作者：唐霁``, ``记者：周纯``), with the
    label's role; ``None`` unless the value is nothing but names."""
    return _people(_walk(value, vocab, whole=True, label=label), vocab) or None


def parenthesized_people(paragraph: str, vocab: FieldVocabulary) -> list[Person]:
    """The people of a byline in brackets opening or closing a paragraph: ``（记者陈智 整合）``
    after a dateline, ``（记者 梁建伟 曾福泉）`` after the last sentence, ``（作者：张三，北京大学
    教授）`` with the author's affiliation after a comma."""
    for match in _PARENTHESIS.finditer(paragraph):
        at_start = match.start() <= PARAGRAPH_START
        at_end = not paragraph[match.end() :].strip(" 。.")
        if not (at_start or at_end):
            continue
        inside = match.group(1)
        people = byline_people(inside, vocab) or byline_people(_AFFILIATION.sub("", inside), vocab)
        if people:
            return people
    return []


#: ``，北京大学教授`` after the names of a ``（作者：…）`` byline: the affiliation, not a name.
_AFFILIATION = re.compile(r"\s*[，,；;]\s*[^，,；;]{2,40}$")
#: A dateline (``中新社平潭3月18日电``, ``平潭网6月4日讯``) followed by a parenthesis.
_DATELINE_PARENTHESIS = re.compile(
    r"^[^\s。，]{0,20}?\d{1,2}\s*月\s*\d{1,2}\s*日\s*(?:电|電|讯|訊)\s*[(（](?P<names>[^()（）]{2,20})[)）]"
)
#: A paragraph's closing parenthesis: ``…。（王卫东）``, or a line that is only ``（王卫东 李明）``.
_CLOSING_PARENTHESIS = re.compile(r"(?:^|[。！？”’」』])\s*[(（](?P<names>[^()（）]{2,20})[)）]\s*$")


def _unlabelled_names(text: str, vocab: FieldVocabulary) -> list[str] | None:
    """The names of a span that is nothing but names without a role label (``白志斌``, ``王卫东
    李明``), each one passing :func:`is_person_name` as an unlabelled name."""
    named = _walk(text, vocab, whole=True)
    names = [name for name, label in named if label is None]
    tokens = [token for token in _TOKENS.split(text.strip()) if token and token not in vocab.not_names]
    if not names or len(names) != len(tokens) or len(named) != len(names):
        return None
    return names if all(is_person_name(name, vocab, labelled=False) for name in names) else None


def dateline_people(paragraph: str, vocab: FieldVocabulary) -> list[Person]:
    """The reporters of a dateline's parenthesis holding names alone: ``中新社平潭3月18日电
    (白志斌)`` -> 白志斌 (role reporter, no label printed)."""
    match = _DATELINE_PARENTHESIS.match(paragraph.strip())
    names = _unlabelled_names(match["names"], vocab) if match else None
    return [Person(name, "reporter", None) for name in names or ()]


def closing_people(paragraph: str, vocab: FieldVocabulary) -> list[Person]:
    """The authors of a closing parenthesis of names alone: ``…。（王卫东）`` at an article's end
    (role author, no label printed)."""
    match = _CLOSING_PARENTHESIS.search(paragraph.strip())
    names = _unlabelled_names(match["names"], vocab) if match else None
    return [Person(name, "author", None) for name in names or ()]


def _after_titles(value: str, vocab: FieldVocabulary) -> str:
    """What follows the last title printed before a name (``…部长、研究员徐占忱`` -> ``徐占忱``)."""
    titled = list(re.finditer(alternation(vocab.name_titles, longest_first=False), value))
    return value[titled[-1].end() :] if titled else value


def names_in(value: str, vocab: FieldVocabulary) -> list[str]:
    """Personal names at the start of a value without a role label (``王乐文 方敏``, an element
    named ``author``, a site's override selector)."""
    return [name for name, _ in _walk(_after_titles(value, vocab), vocab, whole=False)]


def people_in(text: str, vocab: FieldVocabulary, *, anywhere: bool = False) -> list[Person]:
    """The people of the first role label in a byline line that names any, read up to a closing
    bracket: ``本报记者 王乐文 方 敏``, ``作者︱春春``, ``（通讯员 刘娟 记者 李明）``.

    A label must stand at the line's start or after a space or an opening bracket, unless
    ``anywhere`` (a short line at the text's edge).
    """
    for match in _patterns(vocab).role.finditer(text):
        label = match["label"]
        before = text[match.start() - 1] if match.start() else " "
        if not (before.isspace() or before in _BEFORE_LABEL):
            opening = max(text.rfind(c, 0, match.start()) for c in " \u3000（(【[》」")
            qualified = _qualified_label(text[opening + 1 : match.end()], vocab)
            if qualified is not None:
                label = qualified  # 融媒体记者 何燕
            elif not anywhere or len(label) == 1:
                continue  # 图 in 网站地图 | 联系我们 is no label
        after = text[match.end() :].lstrip("】]")  # 【作者】张三
        separated = after.lstrip(" \u3000")[:1] in _SEPARATORS or after[:1] != text[match.end() : match.end() + 1]
        if not separated and (len(label) == 1 or not (_glued(label, vocab) or after[:1].isspace())):
            continue  # 文/张三, 文 | 张三 but not 文化; 作者 张三 but not 文字解读
        value = after.lstrip(_SEPARATORS + " \u3000")
        stop = _CLOSING.search(value)
        segment = value[: stop.start()] if stop else value[:SEGMENT_MAX]
        people = _people(_walk(_after_titles(segment, vocab), vocab, whole=False, label=label), vocab)
        if people:
            return people
    return []


_PHOTO_CREDIT = re.compile(rf"[。，\s](?P<name>[{_HAN}]{{2,3}})\s*(?P<label>[摄攝])$")
_NAME_SLASH_OUTLET = re.compile(rf"^(?P<name>[{_HAN}]{{2,4}})\s*[/／]\s*(?P<outlet>[{_HAN}·]{{2,14}})$")


def photo_credit(text: str, vocab: FieldVocabulary) -> Person | None:
    """The photographer of a caption ending in ``王煌忠攝`` / ``周斌 摄``."""
    match = _PHOTO_CREDIT.search(text)
    if match is None or match["name"] in vocab.not_names:
        return None
    return Person(match["name"], "photographer", match["label"])


def name_and_outlet(text: str) -> tuple[str, str] | None:
    """A header line ``石佳/中国青年报``: the author and the outlet."""
    match = _NAME_SLASH_OUTLET.match(text.strip())
    return (match["name"], match["outlet"]) if match else None
