"""Organizations, places and people with their roles, from jieba's part-of-speech tags.

jieba tags place names ``ns``, known organizations ``nt`` and person names ``nr``; most
organizations in these texts are not in its dictionary (浙江省高端化学品技术创新中心), so an
organization is read as a run of noun tokens that ends in a suffix from
``pipelines/vocab/org_suffixes.tsv`` and holds at least one proper-noun token. A person is a ``nr`` token
right after a job title from ``pipelines/vocab/person_titles.tsv``; names jieba does not tag are missed
rather than guessed. A place is a ``ns`` token found in ``pipelines/vocab/places.tsv`` (administrative
divisions to county level, generated once from jionlp's GB/T 2260 table) or ending in an
administrative suffix, or a division's official name or province or city short name whatever
jieba tags it (its dictionary has 嘉兴 as a person name); places are counted under their
official name (嘉兴 -> 嘉兴市). jionlp itself is not a dependency: it installs, but prints a banner on
stdout at import (which would corrupt ``scrapy crawl -o -`` output) and its ``parse_location``
reads addresses, not running text.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Iterable
from typing import Any

import jieba.posseg
import rjieba

from crawler.items import Entities, MentionedPerson, Organization, Place
from pipelines.vocab import Vocabulary


class LazyPosTagger:
    """jieba's segmentation with tags from its dictionary; jieba's part-of-speech HMM runs on
    an unknown word only when a rule reads that word's tag.

    ``jieba.posseg`` runs its joint segmentation and tagging Viterbi (hundreds of states) over
    every run of unknown characters, ten times the cost of segmenting with the word HMM
    (``jieba.cut``). The rules here read the tag of few unknown words: a name after a job
    title, the words before an organization suffix, a word ending in a place suffix. An
    unknown word of four characters or more is usually two words the word HMM glued together
    (孙丹燕到), so it is tagged at once and split the way the POS HMM splits it.

    ``segment`` replaces jieba's own segmentation; the pipeline passes ``rjieba.cut`` (jieba-rs,
    the same dictionary and word HMM in Rust): on the 23 corpus bodies and 5 seeds 0.011 s
    against jieba's 0.26 s, the same words except hyphenated numbers kept whole (2023-06-03).
    """

    SPLIT_FROM = 4
    CACHE_SIZE = 100_000

    def __init__(self, pos: Any, segment: Callable[[str], Iterable[str]] | None = None) -> None:
        self._pos = pos
        self._segment = segment or pos.tokenizer.cut
        self._tags: dict[str, str] = pos.word_tag_tab
        self._unknown: dict[str, list[tuple[str, str]]] = {}

    def tokens(self, text: str) -> list[Token]:
        """The words of ``text`` at their offsets, tagged from the dictionary where it knows them."""
        tags = self._tags
        tokens: list[Token] = []
        position = 0
        for word in self._segment(text):
            flag = tags.get(word)
            if flag is None and not _HAN.search(word):
                flag = _non_han_tag(word)
            if flag is not None or len(word) < self.SPLIT_FROM:
                tokens.append(Token(word, position, flag, self))
            else:
                offset = position
                for piece, piece_flag in self._pieces(word):
                    tokens.append(Token(piece, offset, piece_flag, self))
                    offset += len(piece)
            position += len(word)
        return tokens

    def unknown_tag(self, word: str) -> str:
        pieces = self._pieces(word)
        return pieces[0][1] if len(pieces) == 1 else "x"

    def _pieces(self, word: str) -> list[tuple[str, str]]:
        pieces = self._unknown.get(word)
        if pieces is None:
            if len(self._unknown) >= self.CACHE_SIZE:
                self._unknown.clear()
            pieces = self._unknown[word] = [(str(p.word), str(p.flag)) for p in self._pos.cut(word)]
        return pieces


def default_tagger() -> LazyPosTagger:
    """The tagger the enrichment stage uses: jieba's process-wide POS tagger (its word-tag table
    is read at import; nothing here changes its dictionary) with jieba-rs segmentation."""
    return LazyPosTagger(jieba.posseg.dt, segment=rjieba.cut)


_HAN = re.compile(r"[\u3400-\u9fff]")


def _non_han_tag(word: str) -> str:
    """jieba's tags for words without Han characters: numbers ``m``, Latin ``eng``, else ``x``."""
    if word.isdigit():
        return "m"
    if word.isascii() and word.isalnum():
        return "eng"
    return "x"


class Token:
    """A word at a character offset; the tag of a word the dictionary does not know is asked of
    the tagger (its POS HMM) on first read."""

    __slots__ = ("_flag", "_tagger", "start", "word")

    def __init__(self, word: str, start: int, flag: str | None, tagger: LazyPosTagger) -> None:
        self.word = word
        self.start = start
        self._flag = flag
        self._tagger = tagger

    @property
    def flag(self) -> str:
        if self._flag is None:
            self._flag = self._tagger.unknown_tag(self.word)
        return self._flag

    @property
    def known_flag(self) -> str | None:
        """The tag when it costs nothing to read (a dictionary word), else ``None``."""
        return self._flag

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
        if previous.word.endswith(vocab.fields.org_suffixes) and previous.flag != "nt" and has_proper:
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
        if not token.word.endswith(vocab.fields.org_suffixes):
            continue
        if token.flag == "nt" and len(token.word) >= ORG_LENGTH[0]:
            spans.append((token.start, token.end))
        elif token.flag in ORG_BODY:
            found = _org_span(tokens, index, vocab)
            if found is not None:
                spans.append((tokens[found[0]].start, token.end))
    # A known organization inside a longer name (浙江大学 in 浙江大学衢州研究院) is not counted.
    return [span for span in spans if not any(o != span and o[0] <= span[0] and span[1] <= o[1] for o in spans)]


PLACE_LEVELS_MEMO = 200_000
"""Words whose level :func:`place_level` remembers before it starts over."""


def place_level(name: str, vocab: Vocabulary) -> str | None:
    """``province``, ``city``, ``district`` or ``township`` from the name, ``None`` if unknown."""
    memo = vocab.mentions.place_levels
    if name in memo:
        return memo[name]
    if len(memo) >= PLACE_LEVELS_MEMO:
        memo.clear()
    level = memo[name] = _place_level(name, vocab)
    return level


def _place_level(name: str, vocab: Vocabulary) -> str | None:
    if name in vocab.mentions.place_stopwords:
        return None
    if name in vocab.mentions.places:
        return vocab.mentions.places[name]
    for suffix, level in vocab.mentions.place_suffixes.items():
        # Two characters at least before the suffix: 上市 and 大省 are no places.
        if name.endswith(suffix) and len(name) >= len(suffix) + 2:
            return level
    return None


def _named_division(word: str, level: str | None, vocab: Vocabulary) -> bool:
    """Whether ``word`` names a division beyond doubt: its official name (徐汇区) or the short
    name of a province or city (嘉兴). jieba's dictionary tags 936 such names as person names."""
    if level is None or word not in vocab.mentions.place_official_names:
        return False
    return vocab.mentions.place_official_names[word] == word or level in ("province", "city")


def _is_place(token: Token, level: str | None, vocab: Vocabulary) -> bool:
    if token.known_flag == "ns":
        return True
    if not level:
        return False
    return token.flag == "ns" or (token.flag in PERSON and _named_division(token.word, level, vocab))


def _role_before(text: str, start: int, anchors: list[int], vocab: Vocabulary) -> str | None:
    window = text[max(0, start - ROLE_WINDOW) : start]
    clause = _CLAUSE_BREAK.split(window)[-1]
    stripped = clause.rstrip()
    if not stripped.endswith(vocab.mentions.person_titles):
        return None
    offset = start - len(clause)
    titles = [clause.find(title) for title in vocab.mentions.person_titles if title in clause]
    inside = [anchor - offset for anchor in anchors if offset <= anchor < start]
    first = min([*titles, *inside])
    role = stripped[first:]
    if role.count("(") + role.count("（") < role.count(")") + role.count("）"):
        role = stripped  # started inside 艾瑞森表面技术(苏州)…: take the whole clause
    return re.sub(r"\s+", "", role).strip() or None


def find_entities(text: str | None, vocab: Vocabulary, tokenizer: LazyPosTagger) -> Entities:
    """Organizations, places and people with their mention counts, each in order of first mention."""
    result = Entities()
    if not text:
        return result
    tokens = tokenizer.tokens(text)
    org_spans = organization_spans(tokens, vocab)
    organizations = Counter(text[start:end] for start, end in org_spans)
    result.organizations = [Organization(name, count) for name, count in organizations.items()]
    # Tags are read last, as a lazy tagger runs its HMM on an unknown word when its tag is read.
    levels = {word: place_level(word, vocab) for word in {token.word for token in tokens}}
    place_tokens = [t for t in tokens if _is_place(t, levels[t.word], vocab)]
    # 嘉兴 and 嘉兴市 are one place, under its official name; other names stay as written.
    official = {word: vocab.mentions.place_official_names.get(word, word) for word in levels}
    places = Counter(official[token.word] for token in place_tokens if levels[token.word])
    place_levels = {official[word]: level for word, level in levels.items() if level}
    result.places = [Place(name, count, place_levels[name]) for name, count in places.items()]
    anchors = sorted([start for start, _ in org_spans] + [t.start for t in place_tokens])
    roles: dict[str, str] = {}
    for token in tokens:
        if not 2 <= len(token.word) <= 4 or token.word in roles or token.known_flag not in (None, *PERSON):
            continue
        if _named_division(token.word, levels[token.word], vocab):
            continue
        role = _role_before(text, token.start, anchors, vocab)
        if role is not None and token.flag in PERSON:
            roles[token.word] = role
    result.people = [MentionedPerson(name, role, text.count(name)) for name, role in roles.items()]
    return result
