"""Organizations, places and people with their roles, from jieba's part-of-speech tags.

jieba tags place names ``ns``, known organizations ``nt`` and person names ``nr``; most
organizations in these texts are not in its dictionary (浙江省高端化学品技术创新中心), so an
organization is read as a run of noun tokens that ends in a suffix from
``vocab/org_suffixes.tsv`` and holds at least one proper-noun token. A person is a ``nr`` token
right after a job title from ``vocab/person_titles.tsv``; names jieba does not tag are missed
rather than guessed. A place is a ``ns`` token found in ``vocab/places.tsv`` (administrative
divisions to county level, generated once from jionlp's GB/T 2260 table) or ending in an
administrative suffix. jionlp itself is not a dependency: it installs, but prints a banner on
stdout at import (which would corrupt ``scrapy crawl -o -`` output) and its ``parse_location``
reads addresses, not running text.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from typing import Any, Protocol

from pipelines.enrich.vocabulary import Vocabulary


class PosTokenizer(Protocol):
    """What :func:`find_entities` needs of ``jieba.posseg.POSTokenizer``."""

    def cut(self, sentence: str) -> Any: ...


@dataclass(frozen=True)
class Token:
    word: str
    flag: str
    start: int

    @property
    def end(self) -> int:
        return self.start + len(self.word)


PROPER = frozenset({"ns", "nt", "nz", "nr", "nrt", "nrfg", "j", "eng"})
"""Tags of tokens that make a name specific (浙江, 清华, 之江)."""
ORG_BODY = PROPER | {"n", "l", "vn", "b", "an", "ng", "nl"}
"""Tags of tokens that may stand inside an organization name."""
PERSON = frozenset({"nr", "nrfg", "nrt"})
MAX_ORG_TOKENS = 8
ORG_LENGTH = (4, 30)
ROLE_WINDOW = 40
"""Characters before a name searched for its title."""
_CLAUSE_BREAK = re.compile(r"[，。；：！？,;:!?“”\"‘’'《》\n]")


def tokens_of(text: str, tokenizer: PosTokenizer) -> list[Token]:
    tokens: list[Token] = []
    position = 0
    for pair in tokenizer.cut(text):
        word, flag = str(pair.word), str(pair.flag)
        tokens.append(Token(word, flag, position))
        position += len(word)
    return tokens


def _org_span(tokens: list[Token], end: int, vocab: Vocabulary) -> tuple[int, int] | None:
    """Token range ``[first, end]`` of the organization whose suffix token is ``end``."""
    first = end
    while first > 0 and end - first < MAX_ORG_TOKENS:
        previous = tokens[first - 1]
        if previous.flag not in ORG_BODY:
            break
        has_proper = any(token.flag in PROPER for token in tokens[first : end + 1])
        # Stop at an earlier organization unless it is a known one (浙江大学 in
        # 浙江大学衢州研究院) or the name so far is generic (股份有限公司).
        if previous.word.endswith(vocab.org_suffixes) and previous.flag != "nt" and has_proper:
            break
        first -= 1
    # A name starts at its first proper noun: 参与单位浙江清华… is 浙江清华….
    while first < end and tokens[first].flag not in PROPER:
        first += 1
    if not any(token.flag in PROPER for token in tokens[first : end + 1]):
        return None
    length = tokens[end].end - tokens[first].start
    return (first, end) if ORG_LENGTH[0] <= length <= ORG_LENGTH[1] else None


def organization_spans(tokens: list[Token], vocab: Vocabulary) -> list[tuple[int, int]]:
    """Character spans of organization names, in reading order, without overlaps."""
    spans: list[tuple[int, int]] = []
    for index, token in enumerate(tokens):
        if token.flag == "nt" and len(token.word) >= ORG_LENGTH[0] and token.word.endswith(vocab.org_suffixes):
            spans.append((token.start, token.end))
        elif token.word.endswith(vocab.org_suffixes) and token.flag in ORG_BODY:
            found = _org_span(tokens, index, vocab)
            if found is not None:
                spans.append((tokens[found[0]].start, token.end))
    # A known organization inside a longer name (浙江大学 in 浙江大学衢州研究院) is not counted.
    return [span for span in spans if not any(o != span and o[0] <= span[0] and span[1] <= o[1] for o in spans)]


def place_level(name: str, vocab: Vocabulary) -> str | None:
    """``province``, ``city``, ``district`` or ``township`` from the name, ``None`` if unknown."""
    if name in vocab.place_stopwords:
        return None
    if name in vocab.places:
        return vocab.places[name]
    for suffix, level in vocab.place_suffixes.items():
        # Two characters at least before the suffix: 上市 and 大省 are no places.
        if name.endswith(suffix) and len(name) >= len(suffix) + 2:
            return level
    return None


def _role_before(text: str, start: int, anchors: list[int], vocab: Vocabulary) -> str | None:
    window = text[max(0, start - ROLE_WINDOW) : start]
    clause = _CLAUSE_BREAK.split(window)[-1]
    stripped = clause.rstrip()
    if not stripped.endswith(vocab.person_titles):
        return None
    offset = start - len(clause)
    titles = [clause.find(title) for title in vocab.person_titles if title in clause]
    inside = [anchor - offset for anchor in anchors if offset <= anchor < start]
    first = min([*titles, *inside])
    role = stripped[first:]
    if role.count("(") + role.count("（") < role.count(")") + role.count("）"):
        role = stripped  # started inside 艾瑞森表面技术(苏州)…: take the whole clause
    return re.sub(r"\s+", "", role).strip() or None


def find_entities(text: str | None, vocab: Vocabulary, tokenizer: PosTokenizer) -> dict[str, list[dict[str, Any]]]:
    """``{"organizations": [{name, count}], "places": [{name, count, level}],
    "people": [{name, role, count}]}``, each list in order of first mention."""
    result: dict[str, list[dict[str, Any]]] = {"organizations": [], "places": [], "people": []}
    if not text:
        return result
    tokens = tokens_of(text, tokenizer)
    org_spans = organization_spans(tokens, vocab)
    organizations = Counter(text[start:end] for start, end in org_spans)
    result["organizations"] = [{"name": name, "count": count} for name, count in organizations.items()]
    levels = {token.word: place_level(token.word, vocab) for token in tokens if token.flag == "ns"}
    places = Counter(token.word for token in tokens if token.flag == "ns" and levels[token.word])
    result["places"] = [{"name": name, "count": count, "level": levels[name]} for name, count in places.items()]
    anchors = sorted([start for start, _ in org_spans] + [t.start for t in tokens if t.flag == "ns"])
    roles: dict[str, str] = {}
    for token in tokens:
        if token.flag in PERSON and 2 <= len(token.word) <= 4 and token.word not in roles:
            role = _role_before(text, token.start, anchors, vocab)
            if role is not None:
                roles[token.word] = role
    result["people"] = [{"name": name, "role": role, "count": text.count(name)} for name, role in roles.items()]
    return result
