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
from functools import cache
from itertools import accumulate
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

    def tokens(self, text: str) -> Tokens:
        """The words of ``text`` at their offsets, tagged from the dictionary where it knows them.

        Plain lists, no object per word: the rules look at the tags of a few words around an
        organization suffix, a place name or a job title, and a body has about a thousand words
        (an object per word was a third of the stage's time).
        """
        tags = self._tags
        words = list(self._segment(text))
        # An unknown word of SPLIT_FROM or more Han characters is split the way the POS HMM splits it.
        if any(len(word) >= self.SPLIT_FROM and word not in tags and _HAN.search(word) for word in words):
            split: list[str] = []
            pieces_tags: dict[int, str] = {}
            for word in words:
                if len(word) >= self.SPLIT_FROM and word not in tags and _HAN.search(word):
                    for piece, flag in self._pieces(word):
                        pieces_tags[len(split)] = flag
                        split.append(piece)
                else:
                    split.append(word)
            words = split
            flags = [pieces_tags.get(index, tags.get(word)) for index, word in enumerate(words)]
        else:
            flags = [tags.get(word) for word in words]
        starts = [0, *accumulate(map(len, words))][:-1] if words else []
        return Tokens(words, starts, flags, self)

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


class Tokens:
    """The words of a text (``words[i]`` at character offset ``starts[i]``) and their tags; the
    tag of a word the dictionary does not know is asked of the tagger (its POS HMM) on first read."""

    __slots__ = ("_flags", "_tagger", "starts", "words")

    def __init__(self, words: list[str], starts: list[int], flags: list[str | None], tagger: LazyPosTagger) -> None:
        self.words = words
        self.starts = starts
        self._flags = flags
        self._tagger = tagger

    def __len__(self) -> int:
        return len(self.words)

    @property
    def read_flags(self) -> list[str | None]:
        """The tags known so far, by index (``None``: not read yet); for filters over every word
        that must not run the HMM."""
        return self._flags

    def flag(self, index: int) -> str:
        flag = self.known_flag(index)
        if flag is None:
            flag = self._flags[index] = self._tagger.unknown_tag(self.words[index])
        return flag

    def known_flag(self, index: int) -> str | None:
        """The tag when it costs nothing to read (a dictionary word, a word without Han
        characters, a tag read before), else ``None``."""
        flag = self._flags[index]
        if flag is None and not _HAN.search(self.words[index]):
            flag = self._flags[index] = _non_han_tag(self.words[index])
        return flag

    def end(self, index: int) -> int:
        return self.starts[index] + len(self.words[index])


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


def _org_span(tokens: Tokens, end: int, vocab: Vocabulary) -> tuple[int, int] | None:
    """Token range ``[first, end]`` of the organization whose suffix token is ``end``."""
    first = end
    while first > 0 and end - first < MAX_ORG_TOKENS:
        previous = first - 1
        if tokens.flag(previous) not in ORG_BODY:
            break
        has_proper = any(tokens.flag(index) in PROPER for index in range(first, end + 1))
        # Stop at an earlier organization unless it is a known one (浙江大学 in
        # 浙江大学衢州研究院) or the name so far is generic (股份有限公司).
        if tokens.words[previous].endswith(vocab.fields.org_suffixes) and tokens.flag(previous) != "nt" and has_proper:
            break
        first -= 1
    # A name starts at its first proper noun: 参与单位浙江清华… is 浙江清华….
    while first < end and tokens.flag(first) not in PROPER:
        first += 1
    if not any(tokens.flag(index) in PROPER for index in range(first, end + 1)):
        return None
    length = tokens.end(end) - tokens.starts[first]
    return (first, end) if ORG_LENGTH[0] <= length <= ORG_LENGTH[1] else None


def organization_spans(tokens: Tokens, vocab: Vocabulary) -> list[tuple[int, int]]:
    """Character spans of organization names, in reading order, without overlaps."""
    spans: list[tuple[int, int]] = []
    suffixes = vocab.fields.org_suffixes
    for index in [index for index, word in enumerate(tokens.words) if word.endswith(suffixes)]:
        flag = tokens.flag(index)
        if flag == "nt" and len(tokens.words[index]) >= ORG_LENGTH[0]:
            spans.append((tokens.starts[index], tokens.end(index)))
        elif flag in ORG_BODY:
            found = _org_span(tokens, index, vocab)
            if found is not None:
                spans.append((tokens.starts[found[0]], tokens.end(index)))
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


def _is_place(tokens: Tokens, index: int, level: str | None, vocab: Vocabulary) -> bool:
    if tokens.known_flag(index) == "ns":
        return True
    if not level:
        return False
    flag = tokens.flag(index)
    return flag == "ns" or (flag in PERSON and _named_division(tokens.words[index], level, vocab))


def _role_before(text: str, start: int, anchors: list[int], vocab: Vocabulary) -> str | None:
    window = text[max(0, start - ROLE_WINDOW) : start]
    if not window.rstrip().endswith(vocab.mentions.person_titles):
        return None  # the clause test below implies this one, which costs no split
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


@cache
def _title_ends(titles: tuple[str, ...]) -> frozenset[str]:
    return frozenset(title[-1] for title in titles if title)


def _after_a_title(words: list[str], titles: tuple[str, ...]) -> list[int]:
    """Indexes of the words of 2 to 4 characters that may follow a job title: the last
    character before them, spaces aside, ends a title (or only spaces precede them in their
    token). :func:`_role_before` decides; this only spares it the other words."""
    ends = _title_ends(titles)
    candidates = []
    for index in [i for i, word in enumerate(words) if 2 <= len(word) <= 4 and i > 0]:
        previous = words[index - 1].rstrip()
        if not previous or previous[-1] in ends:
            candidates.append(index)
    return candidates


def find_entities(text: str | None, vocab: Vocabulary, tokenizer: LazyPosTagger) -> Entities:
    """Organizations, places and people with their mention counts, each in order of first mention."""
    result = Entities()
    if not text:
        return result
    tokens = tokenizer.tokens(text)
    words = tokens.words
    org_spans = organization_spans(tokens, vocab)
    organizations = Counter(text[start:end] for start, end in org_spans)
    result.organizations = [Organization(name, count) for name, count in organizations.items()]
    # Tags are read last, as a lazy tagger runs its HMM on an unknown word when its tag is read.
    levels = {word: place_level(word, vocab) for word in set(words)}
    # A place has a level or a dictionary tag ns: only those words are looked at.
    read = tokens.read_flags
    place_indexes = [
        index
        for index, word in enumerate(words)
        if (levels[word] or read[index] == "ns") and _is_place(tokens, index, levels[word], vocab)
    ]
    # 嘉兴 and 嘉兴市 are one place, under its official name; other names stay as written.
    official = {word: vocab.mentions.place_official_names.get(word, word) for word in levels}
    places = Counter(official[words[index]] for index in place_indexes if levels[words[index]])
    place_levels = {official[word]: level for word, level in levels.items() if level}
    result.places = [Place(name, count, place_levels[name]) for name, count in places.items()]
    anchors = sorted([start for start, _ in org_spans] + [tokens.starts[index] for index in place_indexes])
    roles: dict[str, str] = {}
    for index in _after_a_title(words, vocab.mentions.person_titles):
        word = words[index]
        if word in roles or tokens.known_flag(index) not in (None, *PERSON):
            continue
        if _named_division(word, levels[word], vocab):
            continue
        role = _role_before(text, tokens.starts[index], anchors, vocab)
        if role is not None and tokens.flag(index) in PERSON:
            roles[word] = role
    result.people = [MentionedPerson(name, role, text.count(name)) for name, role in roles.items()]
    return result
